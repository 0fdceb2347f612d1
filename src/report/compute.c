/*
 * compute.c: the model report's numbers from the model file (report.h).
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../drift/drift.h"
#include "../eval/metrics.h"

typedef struct _pi {
    double p;
    size_t i;
} _pi;

/* by probability, ties in training order */
static int _cmp_pi(const void *a, const void *b)
{
    const _pi *x = a, *y = b;
    if (x->p != y->p) return x->p < y->p ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int _cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy's 'linear' quantile of sorted v[0..n) */
static double _q(const double *v, size_t n, double q)
{
    double h;
    size_t lo;
    if (!n) return NAN;
    h = q * (double)(n - 1);
    lo = (size_t)floor(h);
    if (lo + 1 >= n) return v[n - 1];
    return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

/* the percentile interval of the finite values of v[0..n) (sorted in place) */
static void _interval(double *v, size_t n, rpt_ci *c)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) v[k++] = v[i];
    qsort(v, k, sizeof *v, _cmp_double);
    c->lo = _q(v, k, 0.025);
    c->hi = _q(v, k, 0.975);
}

double rpt_psi(const double *ref, const double *cur)
{
    double r[MF_MON_BINS], c[MF_MON_BINS];
    size_t m = 0;
    for (int k = 0; k < MF_MON_BINS; k++) {
        if (ref[k] == 0 && cur[k] == 0) continue;
        r[m] = ref[k];
        c[m] = cur[k];
        m++;
    }
    if (!m) return NAN;
    drift_fill_zeroes(r, m);
    drift_fill_zeroes(c, m);
    return drift_psi(r, c, m);
}

/* the exact ROC curve of p against y, thinned to at most RPT_MAX_ROC points */
static cs_status _roc(rpt_report *r, const _pi *s, const double *y, size_t n, cs_err *err)
{
    double P = r->n_default, N = (double)n - r->n_default, tp = 0, fp = 0;
    double *fx = cs_malloc((n + 2) * sizeof *fx, err), *ty = fx ? cs_malloc((n + 2) * sizeof *ty, err) : NULL;
    size_t m = 0;
    if (!ty) {
        free(fx);
        return CS_ENOMEM;
    }
    fx[m] = 0;
    ty[m++] = 0;
    /* descending probability: refuse the riskiest first */
    for (size_t k = n; k > 0;) {
        double p = s[k - 1].p;
        while (k > 0 && s[k - 1].p == p) {
            if (y[s[k - 1].i] == 1) tp++;
            else fp++;
            k--;
        }
        fx[m] = N > 0 ? fp / N : NAN;
        ty[m++] = P > 0 ? tp / P : NAN;
    }
    if (m <= RPT_MAX_ROC) {
        r->n_roc = (int)m;
        memcpy(r->roc_fpr, fx, m * sizeof *fx);
        memcpy(r->roc_tpr, ty, m * sizeof *ty);
    } else {
        r->n_roc = RPT_MAX_ROC;
        for (int k = 0; k < RPT_MAX_ROC; k++) {
            size_t at = (size_t)((double)k * (double)(m - 1) / (RPT_MAX_ROC - 1) + 0.5);
            r->roc_fpr[k] = fx[at];
            r->roc_tpr[k] = ty[at];
        }
    }
    free(fx);
    free(ty);
    return CS_OK;
}

static int _cmp_desc(const void *a, const void *b, void *ctx)
{
    const double *key = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    double x = key[i], y = key[j];
    int xn = !isfinite(x), yn = !isfinite(y);
    if (xn != yn) return xn - yn;
    if (!xn && x != y) return x > y ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* indices 0..n) by decreasing key (NaN last, ties by index) */
static size_t *_order_desc(const double *key, size_t n, cs_err *err)
{
    size_t *o = cs_malloc((n ? n : 1) * sizeof *o, err);
    if (!o) return NULL;
    for (size_t j = 0; j < n; j++) o[j] = j;
    qsort_r(o, n, sizeof *o, _cmp_desc, (void *)key);
    return o;
}

cs_status rpt_build(const mf_model *m, const rpt_opts *o, rpt_report *r, cs_err *err)
{
    const double *p, *y;
    size_t n = mf_oof(m, &p, &y), nf = mf_n_feats(m);
    _pi *s = NULL;
    cs_status st;
    const mf_test_ref *t = mf_test_reference(m);
    const mf_score_ref *sr = mf_score_reference(m);
    ev_confusion c;

    memset(r, 0, sizeof *r);
    r->model = m;
    if (!n)
        return cs_err_set(err, CS_ENOTFOUND, "the model file holds no out-of-fold predictions (trained before "
                                             "creditscore stored them): retrain it to report on it");
    r->n = n;
    r->n_boot = o->n_boot;
    r->seed = o->seed;
    for (size_t i = 0; i < n; i++) r->n_default += y[i];
    r->auc.value = ev_auc(y, p, n);
    r->gini.value = ev_gini(r->auc.value);
    r->ks.value = ev_ks(y, p, n);
    r->log_loss.value = ev_log_loss(y, p, n);
    r->brier.value = ev_brier(y, p, n);

    /* bootstrap */
    r->auc.lo = r->auc.hi = r->gini.lo = r->gini.hi = r->ks.lo = r->ks.hi = NAN;
    r->log_loss.lo = r->log_loss.hi = r->brier.lo = r->brier.hi = NAN;
    if (o->n_boot > 0) {
        size_t B = (size_t)o->n_boot;
        double *v = cs_malloc(5 * B * sizeof *v, err);
        int fail = 0;
        if (!v) return CS_ENOMEM;
#pragma omp parallel
        {
            double *by = malloc(n * sizeof *by), *bp = malloc(n * sizeof *bp);
            if (!by || !bp) {
#pragma omp atomic write
                fail = 1;
            }
#pragma omp for schedule(dynamic, 1)
            for (size_t b = 0; b < B; b++) {
                cs_rng g;
                if (!by || !bp) continue;
                cs_rng_seed_stream(&g, o->seed, (uint64_t)b);
                for (size_t i = 0; i < n; i++) {
                    size_t k = (size_t)cs_rng_below(&g, n);
                    by[i] = y[k];
                    bp[i] = p[k];
                }
                v[b] = ev_auc(by, bp, n);
                v[B + b] = ev_gini(v[b]);
                v[2 * B + b] = ev_ks(by, bp, n);
                v[3 * B + b] = ev_log_loss(by, bp, n);
                v[4 * B + b] = ev_brier(by, bp, n);
            }
            free(by);
            free(bp);
        }
        if (fail) {
            free(v);
            return cs_err_set(err, CS_ENOMEM, "out of memory for the bootstrap of %zu rows", n);
        }
        _interval(v, B, &r->auc);
        _interval(v + B, B, &r->gini);
        _interval(v + 2 * B, B, &r->ks);
        _interval(v + 3 * B, B, &r->log_loss);
        _interval(v + 4 * B, B, &r->brier);
        free(v);
    }

    /* sorted rows: ROC, deciles, distributions */
    if (!(s = cs_malloc(n * sizeof *s, err))) return CS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        s[i].p = p[i];
        s[i].i = i;
    }
    qsort(s, n, sizeof *s, _cmp_pi);
    if ((st = _roc(r, s, y, n, err))) goto fail;
    for (int d = 0; d < RPT_DECILES; d++) {
        /* numpy.array_split: the first n % 10 groups have one row more */
        size_t base = n / RPT_DECILES, extra = n % RPT_DECILES;
        size_t lo = (size_t)d * base + ((size_t)d < extra ? (size_t)d : extra);
        size_t len = base + ((size_t)d < extra);
        double sp = 0, sy = 0;
        for (size_t k = lo; k < lo + len; k++) {
            sp += s[k].p;
            sy += y[s[k].i];
        }
        r->dec_n[d] = (double)len;
        r->dec_p[d] = len ? sp / (double)len : NAN;
        r->dec_y[d] = len ? sy / (double)len : NAN;
    }
    r->score_hi = s[n - 1].p > 0 ? s[n - 1].p : 1;
    {
        double nd = 0, nr = 0;
        for (size_t i = 0; i < n; i++) {
            int b = (int)(p[i] / r->score_hi * RPT_SCORE_BINS);
            if (b >= RPT_SCORE_BINS) b = RPT_SCORE_BINS - 1;
            if (b < 0) b = 0;
            if (y[i] == 1) {
                r->dist_default[b]++;
                nd++;
            } else {
                r->dist_repaid[b]++;
                nr++;
            }
        }
        for (int b = 0; b < RPT_SCORE_BINS; b++) {
            r->dist_default[b] = nd ? r->dist_default[b] / nd : 0;
            r->dist_repaid[b] = nr ? r->dist_repaid[b] / nr : 0;
        }
    }
    r->threshold = mf_threshold(m);
    c = ev_confusion_at(y, p, n, r->threshold);
    r->tp = (double)c.tp;
    r->fp = (double)c.fp;
    r->tn = (double)c.tn;
    r->fn = (double)c.fn;
    r->approval = (r->tn + r->fn) / (double)n;
    r->cost = ev_cost(c, mf_cost_weights(m));

    /* stability */
    r->psi_score = NAN;
    if (!(r->psi = cs_malloc((nf ? nf : 1) * sizeof *r->psi, err))) goto nomem;
    for (size_t j = 0; j < nf; j++) r->psi[j] = NAN;
    if (t && t->n && sr) {
        r->n_test = t->n;
        r->psi_score = rpt_psi(sr->bins.share, t->score_share);
        for (size_t j = 0; j < nf; j++) {
            const mf_mon_bins *b = mf_mon_bins_of(m, j);
            if (b && b->n_edges) r->psi[j] = rpt_psi(b->share, t->share + j * MF_MON_BINS);
        }
    }
    if (!(r->psi_order = _order_desc(r->psi, nf, err))) goto nomem;
    {
        const double *imp = mf_importance(m, NULL);
        if (imp && !(r->imp_order = _order_desc(imp, nf, err))) goto nomem;
    }
    free(s);
    return CS_OK;
nomem:
    st = CS_ENOMEM;
fail:
    free(s);
    rpt_free(r);
    return st;
}

void rpt_free(rpt_report *r)
{
    if (!r) return;
    free(r->psi);
    free(r->psi_order);
    free(r->imp_order);
    memset(r, 0, sizeof *r);
}
