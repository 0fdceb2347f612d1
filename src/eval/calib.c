/*
 * calib.c: Platt scaling (Newton's method on scikit-learn's objective) and isotonic
 * regression (scikit-learn's merge-ties + pool-adjacent-violators + interpolation).
 * Contract in calib.h.
 */
#include "calib.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ev_calib {
    ev_calib_kind kind;
    double a, b;        /* Platt */
    size_t n;           /* isotonic points */
    double *x, *y;
};

const char *ev_calib_kind_name(ev_calib_kind k)
{
    switch (k) {
    case EV_CALIB_PLATT: return "platt";
    case EV_CALIB_ISOTONIC: return "isotonic";
    default: return "none";
    }
}

cs_status ev_calib_kind_parse(const char *s, ev_calib_kind *out, cs_err *err)
{
    if (s && !strcmp(s, "none")) *out = EV_CALIB_NONE;
    else if (s && !strcmp(s, "platt")) *out = EV_CALIB_PLATT;
    else if (s && !strcmp(s, "isotonic")) *out = EV_CALIB_ISOTONIC;
    else
        return cs_err_set(err, CS_EINVAL, "unknown calibration '%s' (none, platt or isotonic)",
                          s ? s : "");
    return CS_OK;
}

static double _logit(double p)
{
    const double eps = 1e-15;
    if (p < eps) p = eps;
    if (p > 1.0 - eps) p = 1.0 - eps;
    return log(p / (1.0 - p));
}

/* ---- Platt ------------------------------------------------------------------------ */

/* objective: sum of -t log P - (1-t) log(1-P), P = 1/(1+exp(fApB)), computed stably */
static double _platt_obj(const double *F, const double *T, size_t n, double A, double B)
{
    double f = 0.0;
    for (size_t i = 0; i < n; i++) {
        double z = F[i] * A + B;
        if (z >= 0) f += T[i] * z + log1p(exp(-z));
        else f += (T[i] - 1.0) * z + log1p(exp(z));
    }
    return f;
}

static void _platt_fit(const double *F, const double *y, size_t n, double *pa, double *pb)
{
    double prior1 = 0, prior0, A, B, fval;
    double *T = malloc(n * sizeof *T);
    for (size_t i = 0; i < n; i++) prior1 += y[i] > 0;
    prior0 = (double)n - prior1;
    double hi = (prior1 + 1.0) / (prior1 + 2.0), lo = 1.0 / (prior0 + 2.0);
    if (!T) { /* cannot happen for the sizes we use; fall back to the starting point */
        *pa = 0.0;
        *pb = log((prior0 + 1.0) / (prior1 + 1.0));
        return;
    }
    for (size_t i = 0; i < n; i++) T[i] = y[i] > 0 ? hi : lo;
    A = 0.0;
    B = log((prior0 + 1.0) / (prior1 + 1.0));
    fval = _platt_obj(F, T, n, A, B);
    for (int it = 0; it < 200; it++) {
        double h11 = 1e-12, h22 = 1e-12, h21 = 0, g1 = 0, g2 = 0;
        for (size_t i = 0; i < n; i++) {
            double z = F[i] * A + B, p, q;
            if (z >= 0) {
                p = exp(-z) / (1.0 + exp(-z));
                q = 1.0 / (1.0 + exp(-z));
            } else {
                p = 1.0 / (1.0 + exp(z));
                q = exp(z) / (1.0 + exp(z));
            }
            double d2 = p * q;
            h11 += F[i] * F[i] * d2;
            h22 += d2;
            h21 += F[i] * d2;
            double d1 = T[i] - p;
            g1 += F[i] * d1;
            g2 += d1;
        }
        if (fabs(g1) < 1e-11 * (double)n && fabs(g2) < 1e-11 * (double)n) break;
        double det = h11 * h22 - h21 * h21;
        double dA = -(h22 * g1 - h21 * g2) / det;
        double dB = -(-h21 * g1 + h11 * g2) / det;
        double gd = g1 * dA + g2 * dB, step = 1.0;
        int moved = 0;
        while (step >= 1e-12) {
            double nA = A + step * dA, nB = B + step * dB;
            double nf = _platt_obj(F, T, n, nA, nB);
            if (nf < fval + 1e-4 * step * gd) {
                moved = (nA != A || nB != B);
                A = nA;
                B = nB;
                fval = nf;
                break;
            }
            step /= 2.0;
        }
        if (!moved) break;
    }
    free(T);
    *pa = A;
    *pb = B;
}

/* ---- isotonic ---------------------------------------------------------------------- */

typedef struct _xy {
    double x, y;
} _xy;

static int _cmp_xy(const void *a, const void *b)
{
    const _xy *u = a, *v = b;
    if (u->x != v->x) return (u->x > v->x) - (u->x < v->x);
    return (u->y > v->y) - (u->y < v->y);
}

/* scikit-learn's _inplace_contiguous_isotonic_regression, step for step */
static void _pav(double *y, double *w, size_t n, size_t *target)
{
    size_t i = 0, k;
    for (size_t t = 0; t < n; t++) target[t] = t;
    while (i < n) {
        k = target[i] + 1;
        if (k == n) break;
        if (y[i] < y[k]) {
            i = k;
            continue;
        }
        double sum_wy = w[i] * y[i], sum_w = w[i];
        for (;;) {
            double prev_y = y[k];
            sum_wy += w[k] * y[k];
            sum_w += w[k];
            k = target[k] + 1;
            if (k == n || prev_y < y[k]) {
                y[i] = sum_wy / sum_w;
                w[i] = sum_w;
                target[i] = k - 1;
                target[k - 1] = i;
                if (i > 0) i = target[i - 1];
                break;
            }
        }
    }
    i = 0;
    while (i < n) {
        k = target[i] + 1;
        for (size_t t = i + 1; t < k; t++) y[t] = y[i];
        i = k;
    }
}

static cs_status _isotonic_fit(ev_calib *c, const double *y, const double *p, size_t n,
                               cs_err *err)
{
    _xy *a = cs_malloc(n * sizeof *a, err);
    double *ux = cs_malloc(n * sizeof *ux, err), *uy = cs_malloc(n * sizeof *uy, err);
    double *uw = cs_malloc(n * sizeof *uw, err);
    size_t *target = cs_malloc(n * sizeof *target, err);
    size_t m = 0;
    if (!a || !ux || !uy || !uw || !target) {
        free(a), free(ux), free(uy), free(uw), free(target);
        return CS_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        a[i].x = p[i];
        a[i].y = y[i] != 0.0 ? 1.0 : 0.0;
    }
    qsort(a, n, sizeof *a, _cmp_xy);
    /* _make_unique: values closer than numpy's float64 resolution (1e-15) merge */
    double cx = a[0].x, cy = 0.0, cw = 0.0;
    for (size_t j = 0; j < n; j++) {
        if (a[j].x - cx >= 1e-15) {
            ux[m] = cx;
            uw[m] = cw;
            uy[m] = cy / cw;
            m++;
            cx = a[j].x;
            cw = 1.0;
            cy = a[j].y;
        } else {
            cw += 1.0;
            cy += a[j].y;
        }
    }
    ux[m] = cx;
    uw[m] = cw;
    uy[m] = cy / cw;
    m++;
    _pav(uy, uw, m, target);
    /* keep the first and last points and every point whose y differs from a neighbour */
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        int keep = i == 0 || i == m - 1 || uy[i] != uy[i - 1] || uy[i] != uy[i + 1];
        if (keep) {
            ux[k] = ux[i];
            uw[k] = uy[i];  /* uw reused as the kept y */
            k++;
        }
    }
    free(a);
    free(uy);
    free(target);
    c->n = k;
    c->x = ux;
    c->y = uw;
    return CS_OK;
}

/* numpy.interp on the fitted points, after clipping to [x0, x_{n-1}] */
static double _interp(const ev_calib *c, double v)
{
    const double *x = c->x, *y = c->y;
    size_t n = c->n;
    if (n == 1) return y[0];
    if (v <= x[0]) return y[0];
    if (v >= x[n - 1]) return y[n - 1];
    size_t lo = 0, hi = n - 1; /* x[lo] <= v < x[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] <= v) lo = mid;
        else hi = mid;
    }
    double slope = (y[lo + 1] - y[lo]) / (x[lo + 1] - x[lo]);
    return slope * (v - x[lo]) + y[lo];
}

/* ---- public -------------------------------------------------------------------------- */

ev_calib *ev_calib_fit(ev_calib_kind kind, const double *y, const double *p, size_t n,
                       cs_err *err)
{
    ev_calib *c;
    if (kind != EV_CALIB_NONE && kind != EV_CALIB_PLATT && kind != EV_CALIB_ISOTONIC) {
        cs_err_set(err, CS_EINVAL, "unknown calibration kind %d", (int)kind);
        return NULL;
    }
    if (kind != EV_CALIB_NONE) {
        if (n == 0) {
            cs_err_set(err, CS_EINVAL, "no rows to fit the %s calibration on", ev_calib_kind_name(kind));
            return NULL;
        }
        for (size_t i = 0; i < n; i++)
            if (isnan(p[i])) {
                cs_err_set(err, CS_EINVAL, "calibration input %zu is NaN", i);
                return NULL;
            }
    }
    c = cs_calloc(1, sizeof *c, err);
    if (!c) return NULL;
    c->kind = kind;
    if (kind == EV_CALIB_PLATT) {
        double *F = cs_malloc(n * sizeof *F, err);
        if (!F) {
            free(c);
            return NULL;
        }
        for (size_t i = 0; i < n; i++) F[i] = _logit(p[i]);
        _platt_fit(F, y, n, &c->a, &c->b);
        free(F);
    } else if (kind == EV_CALIB_ISOTONIC) {
        if (_isotonic_fit(c, y, p, n, err) != CS_OK) {
            free(c);
            return NULL;
        }
    }
    return c;
}

double ev_calib_apply(const ev_calib *c, double p)
{
    if (isnan(p)) return p;
    switch (c->kind) {
    case EV_CALIB_PLATT: {
        double z = c->a * _logit(p) + c->b;
        return z >= 0 ? exp(-z) / (1.0 + exp(-z)) : 1.0 / (1.0 + exp(z));
    }
    case EV_CALIB_ISOTONIC: return _interp(c, p);
    default: return p;
    }
}

ev_calib_kind ev_calib_kind_of(const ev_calib *c)
{
    return c->kind;
}

cs_status ev_calib_platt_params(const ev_calib *c, double *a, double *b, cs_err *err)
{
    if (c->kind != EV_CALIB_PLATT) return cs_err_set(err, CS_EINVAL, "not a Platt calibration");
    *a = c->a;
    *b = c->b;
    return CS_OK;
}

size_t ev_calib_isotonic_points(const ev_calib *c, const double **x, const double **y)
{
    if (c->kind != EV_CALIB_ISOTONIC) return 0;
    *x = c->x;
    *y = c->y;
    return c->n;
}

/* bytes: "EVCAL1\0\0", u32 kind, u32 0, then PLATT: a, b; ISOTONIC: u64 n, n x, n y */
static cs_status _put_u64(cs_buf *o, uint64_t v, cs_err *err)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
    return cs_buf_append(o, b, 8, err);
}

static cs_status _put_f64(cs_buf *o, double v, cs_err *err)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    return _put_u64(o, u, err);
}

static uint64_t _get_u64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | b[i];
    return v;
}

static double _get_f64(const unsigned char *b)
{
    uint64_t u = _get_u64(b);
    double v;
    memcpy(&v, &u, 8);
    return v;
}

cs_status ev_calib_write(const ev_calib *c, cs_buf *out, cs_err *err)
{
    cs_status st = cs_buf_append(out, "EVCAL1\0\0", 8, err);
    if (!st) st = _put_u64(out, (uint64_t)c->kind, err);
    if (st) return st;
    if (c->kind == EV_CALIB_PLATT) {
        if (!st) st = _put_f64(out, c->a, err);
        if (!st) st = _put_f64(out, c->b, err);
    } else if (c->kind == EV_CALIB_ISOTONIC) {
        st = _put_u64(out, c->n, err);
        for (size_t i = 0; !st && i < c->n; i++) st = _put_f64(out, c->x[i], err);
        for (size_t i = 0; !st && i < c->n; i++) st = _put_f64(out, c->y[i], err);
    }
    return st;
}

ev_calib *ev_calib_read(const void *data, size_t len, cs_err *err)
{
    const unsigned char *b = data;
    ev_calib *c;
    uint64_t kind;
    if (len < 16 || memcmp(b, "EVCAL1\0\0", 8)) {
        cs_err_set(err, CS_ECORRUPT, "calibration: bad header");
        return NULL;
    }
    kind = _get_u64(b + 8);
    if (kind > EV_CALIB_ISOTONIC) {
        cs_err_set(err, CS_ECORRUPT, "calibration: unknown kind %llu", (unsigned long long)kind);
        return NULL;
    }
    c = cs_calloc(1, sizeof *c, err);
    if (!c) return NULL;
    c->kind = (ev_calib_kind)kind;
    if (c->kind == EV_CALIB_NONE) {
        if (len != 16) goto bad_size;
    } else if (c->kind == EV_CALIB_PLATT) {
        if (len != 32) goto bad_size;
        c->a = _get_f64(b + 16);
        c->b = _get_f64(b + 24);
        if (!isfinite(c->a) || !isfinite(c->b)) {
            cs_err_set(err, CS_ECORRUPT, "calibration: Platt parameters are not finite");
            goto fail;
        }
    } else {
        if (len < 24) goto bad_size;
        uint64_t n = _get_u64(b + 16);
        if (n == 0 || n > (len - 24) / 16 || len != 24 + 16 * n) goto bad_size;
        c->n = (size_t)n;
        c->x = cs_malloc(c->n * sizeof *c->x, err);
        c->y = cs_malloc(c->n * sizeof *c->y, err);
        if (!c->x || !c->y) goto fail;
        for (size_t i = 0; i < c->n; i++) {
            c->x[i] = _get_f64(b + 24 + 8 * i);
            c->y[i] = _get_f64(b + 24 + 8 * (c->n + i));
            if (!isfinite(c->x[i]) || !isfinite(c->y[i]) || (i > 0 && (c->x[i] <= c->x[i - 1] || c->y[i] < c->y[i - 1]))) {
                cs_err_set(err, CS_ECORRUPT, "calibration: isotonic point %zu is out of order", i);
                goto fail;
            }
        }
    }
    return c;
bad_size:
    cs_err_set(err, CS_ECORRUPT, "calibration: %zu bytes do not match a %s calibration", len,
               ev_calib_kind_name(c->kind));
fail:
    ev_calib_free(c);
    return NULL;
}

void ev_calib_free(ev_calib *c)
{
    if (!c) return;
    free(c->x);
    free(c->y);
    free(c);
}
