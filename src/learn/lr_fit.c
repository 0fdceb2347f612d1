/*
 * lr_fit.c: training and prediction of the logistic regression (lr.h): the preprocessing
 * statistics (finite range, median, mean, scale), the parallel loss and gradient over
 * blocks of rows, and the L-BFGS solver.
 */
#include "lr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define LR_BLOCK 128        /* rows standardised together into a thread's buffer */
#define LR_MEMORY 10        /* L-BFGS correction pairs */

/* ---- model lifetime ---------------------------------------------------------------- */

lr_model *lr_model_create(size_t n_feats, cs_err *err)
{
    lr_model *mdl = cs_calloc(1, sizeof *mdl, err);
    if (!mdl) return NULL;
    mdl->n_feats = n_feats;
    double **arrays[] = {&mdl->lo, &mdl->hi, &mdl->median, &mdl->mean, &mdl->scale, &mdl->coef};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++) {
        *arrays[k] = cs_calloc(n_feats ? n_feats : 1, sizeof(double), err);
        if (!*arrays[k]) {
            lr_model_free(mdl);
            return NULL;
        }
    }
    for (size_t j = 0; j < n_feats; j++) mdl->scale[j] = 1.0;
    return mdl;
}

void lr_model_free(lr_model *mdl)
{
    if (!mdl) return;
    free(mdl->lo);
    free(mdl->hi);
    free(mdl->median);
    free(mdl->mean);
    free(mdl->scale);
    free(mdl->coef);
    free(mdl);
}

const char *lr_params_check(const lr_params *p)
{
    if (!p) return "no parameters";
    if (!(p->C > 0) || !isfinite(p->C)) return "C must be a finite number > 0";
    if (p->balanced != 0 && p->balanced != 1) return "balanced must be 0 or 1";
    if (p->max_iter < 1) return "max_iter must be >= 1";
    if (!(p->tol > 0) || !isfinite(p->tol)) return "tol must be a finite number > 0";
    if (p->n_threads < 0) return "n_threads must be >= 0";
    if (p->cache_mb < 0) return "cache_mb must be >= 0";
    return NULL;
}

/* ---- preprocessing statistics ------------------------------------------------------ */

/* The k-th smallest of a[0..n) (a is reordered so that a[0..k) <= a[k]), k < n. */
static double _select(double *a, size_t n, size_t k)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
    while (lo < hi) {
        double x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi];
        double piv = (x < y) ? ((y < z) ? y : (x < z ? z : x)) : ((x < z) ? x : (y < z ? z : y));
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < piv) i++;
            while (a[j] > piv) j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        if (kk <= j) hi = j;
        else if (kk >= i) lo = i;
        else return a[kk];
    }
    return a[kk];
}

/* Median of a[0..n) as numpy computes it (mean of the two middle values when n is even). */
static double _median(double *a, size_t n)
{
    double hi = _select(a, n, n / 2);
    if (n % 2) return hi;
    double lo = a[0];
    for (size_t i = 1; i < n / 2; i++)
        if (a[i] > lo) lo = a[i];
    return lo + (hi - lo) / 2;
}

static inline size_t _row(const size_t *rows, size_t i) { return rows ? rows[i] : i; }

/* Fill lo, hi, median, mean, scale of mdl from the selected rows. */
static cs_status _fit_preprocessing(lr_model *mdl, const feat_matrix *m, const size_t *rows,
                                    size_t n, int n_threads, cs_err *err)
{
    size_t d = m->n_feats;
    int nt = 1;
#ifdef _OPENMP
    nt = n_threads > 0 ? n_threads : omp_get_max_threads();
#endif
    (void)n_threads;
    double *scratch = cs_malloc((size_t)nt * n * sizeof(double), err);
    if (!scratch) return CS_ENOMEM;
#pragma omp parallel for schedule(dynamic, 4) num_threads(nt)
    for (size_t j = 0; j < d; j++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        double *buf = scratch + (size_t)tid * n;
        const double *col = feat_col(m, j);
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            double v = col[_row(rows, i)];
            if (isfinite(v)) {
                if (v < lo) lo = v;
                if (v > hi) hi = v;
            }
        }
        if (lo > hi) lo = hi = 0;    /* no finite value: +-inf clip to 0 */
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            double v = col[_row(rows, i)];
            if (v != v) continue;
            buf[k++] = v < lo ? lo : (v > hi ? hi : v);
        }
        double med = k ? _median(buf, k) : 0.0;
        double sum = 0;
        for (size_t i = 0; i < n; i++) {
            double v = col[_row(rows, i)];
            v = v != v ? med : (v < lo ? lo : (v > hi ? hi : v));
            sum += v;
        }
        double mean = sum / (double)n, ss = 0;
        for (size_t i = 0; i < n; i++) {
            double v = col[_row(rows, i)];
            v = v != v ? med : (v < lo ? lo : (v > hi ? hi : v));
            ss += (v - mean) * (v - mean);
        }
        double sd = sqrt(ss / (double)n);
        mdl->lo[j] = lo;
        mdl->hi[j] = hi;
        mdl->median[j] = med;
        mdl->mean[j] = mean;
        mdl->scale[j] = sd > 0 ? sd : 1.0;
    }
    free(scratch);
    return CS_OK;
}

/* ---- loss and gradient --------------------------------------------------------------- */

typedef struct _lr_problem {
    const feat_matrix *m;
    const size_t *rows;
    size_t n, d;
    const lr_model *pre;        /* preprocessing statistics */
    const double *y;            /* n targets (0/1) */
    const double *s;            /* n row weights */
    double sum_w;               /* sum of s */
    double inv_C;
    int nt;                     /* threads */
    double *block;              /* nt * LR_BLOCK * d standardised values */
    double *cache;              /* every block standardised once (n_blocks * LR_BLOCK * d), or
                                 * NULL: blocks are standardised again at each evaluation */
    double *gpart;              /* nt * (d + 1) partial gradients */
    double *fpart;              /* nt partial losses */
} _lr_problem;

static inline double _softplus(double t) { return (t > 0 ? t : 0) + log1p(exp(-fabs(t))); }

static inline double _sigmoid(double t)
{
    if (t >= 0) return 1.0 / (1.0 + exp(-t));
    double e = exp(t);
    return e / (1.0 + e);
}

/* Rows i0..i0+nb of the problem, standardised, into buf[j * LR_BLOCK + i]. */
static void _standardise_block(const _lr_problem *P, size_t i0, size_t nb, double *buf)
{
    for (size_t j = 0; j < P->d; j++) {
        const double *col = feat_col(P->m, j);
        double *bz = buf + j * LR_BLOCK;
        for (size_t i = 0; i < nb; i++) bz[i] = lr_standardise(P->pre, j, col[_row(P->rows, i0 + i)]);
    }
}

/* F(w) and its gradient g (d + 1 entries: coefficients then intercept), F the objective
 * divided by the sum of row weights. */
static double _eval(_lr_problem *P, const double *w, double *g)
{
    size_t d = P->d, n = P->n, n_blocks = (n + LR_BLOCK - 1) / LR_BLOCK;
    memset(P->gpart, 0, (size_t)P->nt * (d + 1) * sizeof(double));
    memset(P->fpart, 0, (size_t)P->nt * sizeof(double));
#pragma omp parallel num_threads(P->nt)
    {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        double *tbuf = P->block + (size_t)tid * LR_BLOCK * d;
        double *gp = P->gpart + (size_t)tid * (d + 1);
        double f = 0;
#pragma omp for schedule(static)
        for (size_t b = 0; b < n_blocks; b++) {
            size_t i0 = b * LR_BLOCK, nb = n - i0 < LR_BLOCK ? n - i0 : LR_BLOCK;
            double mg[LR_BLOCK];
            const double *buf = P->cache ? P->cache + b * LR_BLOCK * d : tbuf;
            if (!P->cache) _standardise_block(P, i0, nb, tbuf);
            for (size_t i = 0; i < nb; i++) mg[i] = w[d];
            for (size_t j = 0; j < d; j++) {     /* written four rows a step, so it is vectorised */
                const double *bz = buf + j * LR_BLOCK;
                double wj = w[j];
                size_t i = 0;
                for (; i + 4 <= nb; i += 4) {
                    mg[i] += wj * bz[i];
                    mg[i + 1] += wj * bz[i + 1];
                    mg[i + 2] += wj * bz[i + 2];
                    mg[i + 3] += wj * bz[i + 3];
                }
                for (; i < nb; i++) mg[i] += wj * bz[i];
            }
            double r[LR_BLOCK], rs = 0;
            for (size_t i = 0; i < nb; i++) {
                double yi = P->y[i0 + i], si = P->s[i0 + i];
                f += si * (yi > 0.5 ? _softplus(-mg[i]) : _softplus(mg[i]));
                r[i] = si * (_sigmoid(mg[i]) - yi);
                rs += r[i];
            }
            for (size_t j = 0; j < d; j++) {     /* four partial sums: one would chain the adds */
                const double *bz = buf + j * LR_BLOCK;
                double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                size_t i = 0;
                for (; i + 4 <= nb; i += 4) {
                    a0 += r[i] * bz[i];
                    a1 += r[i + 1] * bz[i + 1];
                    a2 += r[i + 2] * bz[i + 2];
                    a3 += r[i + 3] * bz[i + 3];
                }
                for (; i < nb; i++) a0 += r[i] * bz[i];
                gp[j] += (a0 + a1) + (a2 + a3);
            }
            gp[d] += rs;
        }
        P->fpart[tid] = f;
    }
    double f = 0, ww = 0;
    for (size_t k = 0; k <= d; k++) g[k] = 0;
    for (int t = 0; t < P->nt; t++) {
        f += P->fpart[t];
        const double *gp = P->gpart + (size_t)t * (d + 1);
        for (size_t k = 0; k <= d; k++) g[k] += gp[k];
    }
    for (size_t j = 0; j < d; j++) {
        ww += w[j] * w[j];
        g[j] += P->inv_C * w[j];
    }
    f += 0.5 * P->inv_C * ww;
    for (size_t k = 0; k <= d; k++) g[k] /= P->sum_w;
    return f / P->sum_w;
}

static double _norm_inf(const double *v, size_t n)
{
    double mx = 0;
    for (size_t k = 0; k < n; k++)
        if (fabs(v[k]) > mx) mx = fabs(v[k]);
    return mx;
}

static double _dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t k = 0; k < n; k++) s += a[k] * b[k];
    return s;
}

/* Minimise F from w = 0 with L-BFGS. Fills mdl->coef, intercept, n_iter, converged. */
static cs_status _lbfgs(_lr_problem *P, lr_model *mdl, const lr_params *p, lr_progress_fn prog,
                        void *user, cs_err *err)
{
    size_t D = P->d + 1;
    double *mem = cs_calloc((4 + 2 * LR_MEMORY) * D, sizeof(double), err);
    double *work = mem;
    if (!mem) return CS_ENOMEM;
    double *w = work, *g = w + D, *wn = g + D, *gn = wn + D;
    double *S = gn + D, *Y = S + LR_MEMORY * D;
    double *dir = cs_malloc(D * sizeof(double), err);
    if (!dir) {
        free(mem);
        return CS_ENOMEM;
    }
    double rho[LR_MEMORY], alpha[LR_MEMORY];
    int n_pairs = 0, head = 0, it = 0;
    double f = _eval(P, w, g), gnorm = _norm_inf(g, D);
    int converged = gnorm <= p->tol;
    for (it = 0; it < p->max_iter && !converged; it++) {
        /* two-loop recursion: dir = -H g */
        for (size_t k = 0; k < D; k++) dir[k] = -g[k];
        for (int c = 0; c < n_pairs; c++) {
            int q = (head - 1 - c + LR_MEMORY) % LR_MEMORY;
            alpha[q] = rho[q] * _dot(S + q * D, dir, D);
            for (size_t k = 0; k < D; k++) dir[k] -= alpha[q] * Y[q * D + k];
        }
        double gamma = 1.0;
        if (n_pairs) {
            int q = (head - 1 + LR_MEMORY) % LR_MEMORY;
            gamma = _dot(S + q * D, Y + q * D, D) / _dot(Y + q * D, Y + q * D, D);
        }
        for (size_t k = 0; k < D; k++) dir[k] *= gamma;
        for (int c = n_pairs - 1; c >= 0; c--) {
            int q = (head - 1 - c + LR_MEMORY) % LR_MEMORY;
            double beta = rho[q] * _dot(Y + q * D, dir, D);
            for (size_t k = 0; k < D; k++) dir[k] += (alpha[q] - beta) * S[q * D + k];
        }
        double slope = _dot(g, dir, D);
        if (!(slope < 0)) {     /* not a descent direction: restart from steepest descent */
            for (size_t k = 0; k < D; k++) dir[k] = -g[k];
            slope = -_dot(g, g, D);
            n_pairs = 0;
        }
        /* backtracking Armijo line search */
        double step = 1.0;
        if (n_pairs == 0) {
            double gn2 = sqrt(_dot(dir, dir, D));
            if (gn2 > 1) step = 1.0 / gn2;
        }
        double fn = 0;
        int accepted = 0;
        for (int ls = 0; ls < 60; ls++) {
            for (size_t k = 0; k < D; k++) wn[k] = w[k] + step * dir[k];
            fn = _eval(P, wn, gn);
            /* Armijo, and a real decrease: at the limit of double precision f + c*step*slope
             * rounds to f, and "no change" must end the run rather than loop */
            if (fn <= f + 1e-4 * step * slope && fn < f) {
                accepted = 1;
                break;
            }
            step *= 0.5;
        }
        if (!accepted) break;   /* no decrease possible at this precision: the optimum */
        /* new correction pair */
        double *s = S + head * D, *yv = Y + head * D;
        for (size_t k = 0; k < D; k++) {
            s[k] = wn[k] - w[k];
            yv[k] = gn[k] - g[k];
        }
        double sy = _dot(s, yv, D);
        if (sy > 1e-300) {
            rho[head] = 1.0 / sy;
            head = (head + 1) % LR_MEMORY;
            if (n_pairs < LR_MEMORY) n_pairs++;
        }
        memcpy(w, wn, D * sizeof(double));
        memcpy(g, gn, D * sizeof(double));
        f = fn;
        gnorm = _norm_inf(g, D);
        converged = gnorm <= p->tol;
        if (prog && prog(user, it + 1, p->max_iter, gnorm)) {
            free(dir);
            free(mem);
            return cs_err_set(err, CS_EINTERRUPTED, "logistic regression: cancelled at iteration %d",
                              it + 1);
        }
    }
    memcpy(mdl->coef, w, P->d * sizeof(double));
    mdl->intercept = w[P->d];
    mdl->n_iter = it;
    mdl->converged = converged;
    mdl->grad_norm = gnorm;
    free(dir);
    free(mem);
    return CS_OK;
}

/* ---- public API ---------------------------------------------------------------------- */

lr_model *lr_fit(const feat_matrix *m, const size_t *rows, size_t n_rows, const lr_params *p,
                 lr_progress_fn progress, void *progress_user, cs_err *err)
{
    const char *bad = lr_params_check(p);
    if (bad) {
        cs_err_set(err, CS_EINVAL, "logistic regression: %s", bad);
        return NULL;
    }
    if (!m) {
        cs_err_set(err, CS_EINVAL, "logistic regression: no feature matrix");
        return NULL;
    }
    size_t n = rows ? n_rows : m->n_rows, d = m->n_feats, n_pos = 0;
    if (n == 0) {
        cs_err_set(err, CS_EINVAL, "logistic regression: no training rows");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = _row(rows, i);
        if (r >= m->n_rows) {
            cs_err_set(err, CS_EINVAL, "logistic regression: row %zu out of range (%zu rows)", r,
                       m->n_rows);
            return NULL;
        }
        double t = m->target[r];
        if (t != 0 && t != 1) {
            cs_err_set(err, CS_EINVAL,
                       "logistic regression: row %zu (SK_ID_CURR %lld) has target %g, not 0 or 1",
                       r, (long long)m->ids[r], t);
            return NULL;
        }
        n_pos += t == 1;
    }
    if (n_pos == 0 || n_pos == n) {
        cs_err_set(err, CS_EINVAL, "logistic regression: the training rows hold one class only");
        return NULL;
    }
    lr_model *mdl = lr_model_create(d, err);
    if (!mdl) return NULL;
    _lr_problem P = {.m = m, .rows = rows, .n = n, .d = d, .pre = mdl, .inv_C = 1.0 / p->C};
    P.nt = 1;
#ifdef _OPENMP
    P.nt = p->n_threads > 0 ? p->n_threads : omp_get_max_threads();
#endif
    double *y = cs_malloc(2 * n * sizeof(double), err);
    P.block = cs_malloc((size_t)P.nt * LR_BLOCK * (d ? d : 1) * sizeof(double), err);
    P.gpart = cs_malloc((size_t)P.nt * (d + 1) * sizeof(double), err);
    P.fpart = cs_malloc((size_t)P.nt * sizeof(double), err);
    if (!y || !P.block || !P.gpart || !P.fpart) goto fail;
    double *s = y + n;
    double w1 = p->balanced ? (double)n / (2.0 * (double)n_pos) : 1.0;
    double w0 = p->balanced ? (double)n / (2.0 * (double)(n - n_pos)) : 1.0;
    for (size_t i = 0; i < n; i++) {
        y[i] = m->target[_row(rows, i)];
        s[i] = y[i] == 1 ? w1 : w0;
        P.sum_w += s[i];
    }
    P.y = y;
    P.s = s;
    if (_fit_preprocessing(mdl, m, rows, n, p->n_threads, err)) goto fail;
    size_t n_blocks = (n + LR_BLOCK - 1) / LR_BLOCK;
    if ((double)n_blocks * LR_BLOCK * (double)d * sizeof(double) <= (double)p->cache_mb * 1048576.0 &&
        (P.cache = malloc(n_blocks * LR_BLOCK * (d ? d : 1) * sizeof(double)))) {
#pragma omp parallel for schedule(static) num_threads(P.nt)
        for (size_t b = 0; b < n_blocks; b++) {
            size_t i0 = b * LR_BLOCK;
            _standardise_block(&P, i0, n - i0 < LR_BLOCK ? n - i0 : LR_BLOCK, P.cache + b * LR_BLOCK * d);
        }
    }
    if (_lbfgs(&P, mdl, p, progress, progress_user, err)) goto fail;
    free(y);
    free(P.cache);
    free(P.block);
    free(P.gpart);
    free(P.fpart);
    return mdl;
fail:
    free(y);
    free(P.cache);
    free(P.block);
    free(P.gpart);
    free(P.fpart);
    lr_model_free(mdl);
    return NULL;
}

double lr_predict_raw_row(const lr_model *mdl, const double *x)
{
    double s = mdl->intercept;
    for (size_t j = 0; j < mdl->n_feats; j++) s += mdl->coef[j] * lr_standardise(mdl, j, x[j]);
    return s;
}

cs_status lr_predict(const lr_model *mdl, const feat_matrix *m, const size_t *rows, size_t n,
                     double *out, cs_err *err)
{
    if (m->n_feats != mdl->n_feats)
        return cs_err_set(err, CS_EINVAL,
                          "logistic regression: the model has %zu features, the data %zu",
                          mdl->n_feats, m->n_feats);
    if (!rows) n = m->n_rows;
    for (size_t i = 0; i < n; i++)
        if (_row(rows, i) >= m->n_rows)
            return cs_err_set(err, CS_EINVAL, "logistic regression: row %zu out of range",
                              _row(rows, i));
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        size_t r = _row(rows, i);
        double sc = mdl->intercept;
        for (size_t j = 0; j < mdl->n_feats; j++)
            sc += mdl->coef[j] * lr_standardise(mdl, j, feat_col(m, j)[r]);
        out[i] = _sigmoid(sc);
    }
    return CS_OK;
}

void lr_raw_coefficients(const lr_model *mdl, double *coef, double *intercept)
{
    double b = mdl->intercept;
    for (size_t j = 0; j < mdl->n_feats; j++) {
        coef[j] = mdl->coef[j] / mdl->scale[j];
        b -= coef[j] * mdl->mean[j];
    }
    *intercept = b;
}
