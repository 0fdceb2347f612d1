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
    case EV_CALIB_ISOTONIC_INTERP: return "isotonic-interp";
    case EV_CALIB_AUTO: return "auto";
    default: return "none";
    }
}

cs_status ev_calib_kind_parse(const char *s, ev_calib_kind *out, cs_err *err)
{
    if (s && !strcmp(s, "none")) *out = EV_CALIB_NONE;
    else if (s && !strcmp(s, "platt")) *out = EV_CALIB_PLATT;
    else if (s && !strcmp(s, "isotonic")) *out = EV_CALIB_ISOTONIC;
    else if (s && !strcmp(s, "isotonic-interp")) *out = EV_CALIB_ISOTONIC_INTERP;
    else if (s && !strcmp(s, "auto")) *out = EV_CALIB_AUTO;
    else
        return cs_err_set(err, CS_EINVAL,
                          "unknown calibration '%s' (auto, platt, isotonic-interp, isotonic or none)",
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

/* ---- interpolated isotonic ------------------------------------------------------------- */

typedef struct _blk {
    double w, sy, sx;   /* rows, positives, sum of inputs */
} _blk;

/* the shrunk rate of a block: (positives + 2 p0) / (rows + 2) */
static double _rate(const _blk *b, double p0)
{
    return (b->sy + 2.0 * p0) / (b->w + 2.0);
}

static cs_status _interp_fit(ev_calib *c, const double *y, const double *p, size_t n, cs_err *err)
{
    _xy *a = cs_malloc(n * sizeof *a, err);
    _blk *st = cs_malloc(n * sizeof *st, err);
    size_t top = 0;
    double p0 = 0;
    if (!a || !st) {
        free(a), free(st);
        return CS_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        a[i].x = p[i] < 0 ? 0 : p[i] > 1 ? 1 : p[i];
        a[i].y = y[i] != 0.0 ? 1.0 : 0.0;
        p0 += a[i].y;
    }
    p0 /= (double)n;
    if (p0 < 1e-6) p0 = 1e-6;
    if (p0 > 1 - 1e-6) p0 = 1 - 1e-6;
    qsort(a, n, sizeof *a, _cmp_xy);
    /* pass 1: pool adjacent violators on the raw targets (equal inputs in one block);
     * pass 2 (the same loop, on the shrunk rates): a block is merged into its left
     * neighbour while its rate does not exceed the neighbour's */
    for (int pass = 0; pass < 2; pass++) {
        size_t nb = top;
        _blk *in = st;
        if (pass == 0) nb = n;
        top = 0;
        for (size_t i = 0; i < nb; i++) {
            _blk b;
            if (pass == 0) {
                b = (_blk){1.0, a[i].y, a[i].x};
                /* equal inputs (within 1e-15, as isotonic merges them) share a block */
                while (i + 1 < n && a[i + 1].x - a[i].x < 1e-15) {
                    i++;
                    b.w += 1.0, b.sy += a[i].y, b.sx += a[i].x;
                }
            } else {
                b = in[i];
            }
            st[top++] = b;
            while (top >= 2) {
                _blk *l = &st[top - 2], *r = &st[top - 1];
                int viol = pass == 0 ? l->sy / l->w >= r->sy / r->w : _rate(l, p0) >= _rate(r, p0);
                if (!viol) break;
                l->w += r->w, l->sy += r->sy, l->sx += r->sx;
                top--;
            }
        }
    }
    free(a);
    c->x = cs_malloc(top * sizeof *c->x, err);
    c->y = cs_malloc(top * sizeof *c->y, err);
    if (!c->x || !c->y) {
        free(st);
        return CS_ENOMEM;
    }
    c->n = 0;
    for (size_t i = 0; i < top; i++) {
        double x = st[i].sx / st[i].w, r = _rate(&st[i], p0);
        /* centres of adjacent blocks are increasing; guard against rounding */
        if (c->n && (x <= c->x[c->n - 1] || r <= c->y[c->n - 1])) continue;
        c->x[c->n] = x;
        c->y[c->n] = r;
        c->n++;
    }
    free(st);
    return CS_OK;
}

static double _sigmoid(double z)
{
    return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
}

static double _clamp_p(double v)
{
    return v < EV_CALIB_P_MIN ? EV_CALIB_P_MIN : v > EV_CALIB_P_MAX ? EV_CALIB_P_MAX : v;
}

static double _interp_apply(const ev_calib *c, double v)
{
    const double *x = c->x, *y = c->y;
    size_t n = c->n;
    v = _clamp_p(v);
    if (v <= x[0]) return _clamp_p(_sigmoid(_logit(y[0]) + _logit(v) - _logit(x[0])));
    if (v >= x[n - 1]) return _clamp_p(_sigmoid(_logit(y[n - 1]) + _logit(v) - _logit(x[n - 1])));
    size_t lo = 0, hi = n - 1; /* x[lo] <= v < x[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] <= v) lo = mid;
        else hi = mid;
    }
    return _clamp_p(y[lo] + (y[lo + 1] - y[lo]) * ((v - x[lo]) / (x[lo + 1] - x[lo])));
}

/* ---- public -------------------------------------------------------------------------- */

ev_calib *ev_calib_fit(ev_calib_kind kind, const double *y, const double *p, size_t n,
                       cs_err *err)
{
    ev_calib *c;
    if (kind == EV_CALIB_AUTO) {
        cs_err_set(err, CS_EINVAL, "the auto calibration needs the CV folds (ev_calib_fit_auto)");
        return NULL;
    }
    if (kind != EV_CALIB_NONE && kind != EV_CALIB_PLATT && kind != EV_CALIB_ISOTONIC &&
        kind != EV_CALIB_ISOTONIC_INTERP) {
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
    } else if (kind == EV_CALIB_ISOTONIC_INTERP) {
        if (_interp_fit(c, y, p, n, err) != CS_OK) {
            ev_calib_free(c);
            return NULL;
        }
    }
    return c;
}

int ev_calib_keeps_order(const ev_calib *c)
{
    return c->kind == EV_CALIB_NONE || c->kind == EV_CALIB_ISOTONIC_INTERP ||
           (c->kind == EV_CALIB_PLATT && c->a < 0);
}

/* log loss of c on the rows of fold f (scikit-learn's clipping at 1e-15) */
static double _fold_loss(const ev_calib *c, const double *y, const double *p, const int *fold, size_t n,
                         int f, double *rows)
{
    double s = 0;
    *rows = 0;
    for (size_t i = 0; i < n; i++) {
        if (fold[i] != f) continue;
        double q = ev_calib_apply(c, p[i]);
        q = q < 1e-15 ? 1e-15 : q > 1 - 1e-15 ? 1 - 1e-15 : q;
        s -= y[i] != 0 ? log(q) : log(1 - q);
        *rows += 1;
    }
    return s;
}

ev_calib *ev_calib_fit_auto(const double *y, const double *p, const int *fold, size_t n, int k,
                            ev_calib_choice *choice, cs_err *err)
{
    static const ev_calib_kind cand[2] = {EV_CALIB_PLATT, EV_CALIB_ISOTONIC_INTERP};
    double loss[2] = {0, 0}, rows = 0;
    double *ys = NULL, *ps = NULL;
    if (n == 0 || k < 2) {
        cs_err_set(err, CS_EINVAL, "the auto calibration needs rows and at least 2 folds");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (fold[i] < 0 || fold[i] >= k) {
            cs_err_set(err, CS_EINVAL, "calibration row %zu: fold %d is not in [0, %d)", i, fold[i], k);
            return NULL;
        }
    ys = cs_malloc(n * sizeof *ys, err);
    ps = cs_malloc(n * sizeof *ps, err);
    if (!ys || !ps) goto fail;
    for (int f = 0; f < k; f++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (fold[i] != f) {
                ys[m] = y[i];
                ps[m] = p[i];
                m++;
            }
        if (m == 0) continue;
        for (int j = 0; j < 2; j++) {
            if (isnan(loss[j])) continue;
            ev_calib *c = ev_calib_fit(cand[j], ys, ps, m, err);
            if (!c) goto fail;
            if (!ev_calib_keeps_order(c)) loss[j] = NAN;
            else loss[j] += _fold_loss(c, y, p, fold, n, f, &rows);
            ev_calib_free(c);
        }
    }
    free(ys);
    free(ps);
    ys = ps = NULL;
    for (int j = 0; j < 2; j++) loss[j] /= (double)n;
    int pick = isnan(loss[0]) ? 1 : isnan(loss[1]) ? 0 : loss[1] < loss[0];
    ev_calib *c = ev_calib_fit(cand[pick], y, p, n, err);
    if (c && !ev_calib_keeps_order(c)) {
        /* Platt on all rows can slope the wrong way where its folds did not */
        ev_calib_free(c);
        pick = 1;
        c = ev_calib_fit(cand[pick], y, p, n, err);
    }
    if (c && choice) {
        choice->log_loss_platt = loss[0];
        choice->log_loss_isotonic_interp = loss[1];
        choice->chosen = cand[pick];
    }
    return c;
fail:
    free(ys);
    free(ps);
    return NULL;
}

double ev_calib_apply(const ev_calib *c, double p)
{
    if (isnan(p)) return p;
    switch (c->kind) {
    case EV_CALIB_PLATT: {
        double z = c->a * _logit(p) + c->b;
        return _clamp_p(z >= 0 ? exp(-z) / (1.0 + exp(-z)) : 1.0 / (1.0 + exp(z)));
    }
    case EV_CALIB_ISOTONIC: return _interp(c, p);
    case EV_CALIB_ISOTONIC_INTERP: return _interp_apply(c, p);
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
    if (c->kind != EV_CALIB_ISOTONIC && c->kind != EV_CALIB_ISOTONIC_INTERP) return 0;
    *x = c->x;
    *y = c->y;
    return c->n;
}

/* bytes: "EVCAL1\0\0", u64 kind, then PLATT: a, b; ISOTONIC, ISOTONIC_INTERP: u64 n, n x, n y */
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
    } else if (c->kind == EV_CALIB_ISOTONIC || c->kind == EV_CALIB_ISOTONIC_INTERP) {
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
    if (kind > EV_CALIB_ISOTONIC_INTERP) {
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
            int strict = c->kind == EV_CALIB_ISOTONIC_INTERP;
            if (!isfinite(c->x[i]) || !isfinite(c->y[i]) ||
                (strict && !(c->y[i] > 0 && c->y[i] < 1 && c->x[i] >= 0 && c->x[i] <= 1)) ||
                (i > 0 && (c->x[i] <= c->x[i - 1] || c->y[i] < c->y[i - 1] || (strict && c->y[i] == c->y[i - 1])))) {
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
