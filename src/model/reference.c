/*
 * reference.c: the training-data reference stored in the model file: per-feature summary
 * statistics (drift), accepted/refused histograms (dashboard) and a seeded uniform sample
 * of training rows (drift tests). Contract in model.h.
 */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int _cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, z = *(const double *)b;
    return (x > z) - (x < z);
}

static int _cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, z = *(const size_t *)b;
    return (x > z) - (x < z);
}

/* numpy.quantile(method="linear") of sorted v[0..n) */
static double _quantile(const double *v, size_t n, double q)
{
    if (n == 0) return NAN;
    double pos = q * (double)(n - 1);
    size_t i = (size_t)floor(pos);
    double frac = pos - (double)i;
    if (i + 1 >= n || frac == 0.0) return v[i < n ? i : n - 1];
    return v[i] + (v[i + 1] - v[i]) * frac;
}

/* numpy.quantile(method="linear") of sorted v[0..n) that stays defined on infinite values
 * (inf - inf is not interpolated) */
static double _quantile_inf(const double *v, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t i = (size_t)floor(pos);
    double frac = pos - (double)i;
    if (i + 1 >= n || frac == 0.0 || v[i] == v[i + 1]) return v[i < n ? i : n - 1];
    if (isinf(v[i]) || isinf(v[i + 1])) return isinf(v[i]) && v[i] > 0 ? v[i] : v[i + 1];
    return v[i] + (v[i + 1] - v[i]) * frac;
}

/* the monitoring bins of sorted non-NaN values v[0..m) out of n rows: decile edges, shares */
static void _mon_bins(const double *v, size_t m, size_t n, mf_mon_bins *b)
{
    memset(b, 0, sizeof *b);
    for (int e = 0; e < MF_MON_EDGES; e++) b->edges[e] = NAN;
    b->n_edges = 0;
    for (int e = 0; m && e < MF_MON_EDGES; e++) {
        double q = _quantile_inf(v, m, (double)(e + 1) / 10.0);
        if (b->n_edges == 0 || q > b->edges[b->n_edges - 1]) b->edges[b->n_edges++] = q;
    }
    if (!n) return;
    /* the sorted values fall in the bins in order: bin k holds e[k-1] < v <= e[k] */
    size_t i = 0;
    for (int k = 0; k <= b->n_edges && m; k++) {
        size_t c = 0;
        while (i < m && (k == b->n_edges || v[i] <= b->edges[k])) {
            i++;
            c++;
        }
        b->share[k] = (double)c / (double)n;
    }
    b->share[MF_MON_MISSING] = (double)(n - m) / (double)n;
}

/* the score's monitoring reference from the OOF calibrated probabilities and targets;
 * tmp holds n doubles */
static void _score_ref(const double *prob, const double *target, const size_t *rows, size_t n, double *tmp,
                       mf_score_ref *s)
{
    double sum_p[MF_MON_BINS] = {0}, sum_y[MF_MON_BINS] = {0}, cnt[MF_MON_BINS] = {0};
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(prob[i])) tmp[m++] = prob[i];
    qsort(tmp, m, sizeof *tmp, _cmp_double);
    s->n = (double)n;
    _mon_bins(tmp, m, n, &s->bins);
    for (size_t i = 0; i < n; i++) {
        int b = mf_mon_bin(&s->bins, prob[i]);
        cnt[b] += 1;
        sum_p[b] += prob[i];
        sum_y[b] += target[rows[i]] != 0;
    }
    for (int b = 0; b < MF_MON_BINS; b++) {
        s->pd[b] = cnt[b] > 0 && b != MF_MON_MISSING ? sum_p[b] / cnt[b] : NAN;
        s->dr[b] = cnt[b] > 0 ? sum_y[b] / cnt[b] : NAN;
    }
}

/* stats, histogram and monitoring bins of one feature; tmp holds n doubles */
static void _feature(const double *col, const size_t *rows, size_t n, const double *prob,
                     double threshold, double *tmp, mf_feature_stats *fs, mf_hist *h, mf_mon_bins *mb)
{
    size_t m = 0, nf = 0;
    double s = 0, ss = 0;
    memset(fs, 0, sizeof *fs);
    memset(h, 0, sizeof *h);
    for (size_t i = 0; i < n; i++) {
        double v = col[rows[i]];
        if (isnan(v)) continue;
        tmp[m++] = v;
        if (isfinite(v)) {
            s += v;
            nf++;
        }
    }
    fs->n = (double)n;
    fs->missing = n ? (double)(n - m) / (double)n : NAN;
    fs->mean = nf ? s / (double)nf : NAN;
    for (size_t i = 0; i < m; i++)
        if (isfinite(tmp[i])) ss += (tmp[i] - fs->mean) * (tmp[i] - fs->mean);
    fs->sd = nf ? sqrt(ss / (double)nf) : NAN;
    qsort(tmp, m, sizeof *tmp, _cmp_double);
    for (int k = 0; k < MF_N_QUANTILES; k++) fs->q[k] = _quantile(tmp, m, mf_quantile_levels[k]);
    _mon_bins(tmp, m, n, mb);

    /* histogram range: 1%..99% quantiles, widened to the finite range when degenerate */
    double lo = fs->q[1], hi = fs->q[7];
    if (!(isfinite(lo) && isfinite(hi) && lo < hi)) {
        lo = INFINITY;
        hi = -INFINITY;
        for (size_t i = 0; i < m; i++)
            if (isfinite(tmp[i])) {
                if (tmp[i] < lo) lo = tmp[i];
                if (tmp[i] > hi) hi = tmp[i];
            }
        if (lo > hi) lo = hi = 0.0;
    }
    h->lo = lo;
    h->hi = hi;
    for (size_t i = 0; i < n; i++) {
        double v = col[rows[i]];
        int refused = !(prob[i] < threshold);
        if (isnan(v)) {
            if (refused) h->missing_refused += 1;
            else h->missing_accepted += 1;
            continue;
        }
        long b = 0;
        if (hi > lo) {
            double t = (v - lo) / (hi - lo) * MF_HIST_BINS;
            b = t <= 0 ? 0 : t >= MF_HIST_BINS ? MF_HIST_BINS - 1 : (long)t;
        }
        if (refused) h->refused[b] += 1;
        else h->accepted[b] += 1;
    }
}

mf_reference *mf_reference_build(const feat_matrix *m, const size_t *rows, size_t n,
                                 const double *prob, double threshold, size_t max_sample,
                                 uint64_t seed, cs_err *err)
{
    mf_reference *r = cs_calloc(1, sizeof *r, err);
    size_t *pick = NULL;
    int fail = 0;
    if (!r) return NULL;
    r->n_feats = m->n_feats;
    r->stats = cs_calloc(m->n_feats ? m->n_feats : 1, sizeof *r->stats, err);
    r->hists = cs_calloc(m->n_feats ? m->n_feats : 1, sizeof *r->hists, err);
    r->bins = cs_calloc(m->n_feats ? m->n_feats : 1, sizeof *r->bins, err);
    if (!r->stats || !r->hists || !r->bins) goto fail;

#pragma omp parallel
    {
        double *tmp = malloc((n ? n : 1) * sizeof *tmp);
        if (!tmp) {
#pragma omp atomic write
            fail = 1;
        }
#pragma omp for schedule(dynamic, 4)
        for (size_t j = 0; j < m->n_feats; j++)
            if (tmp) _feature(feat_col(m, j), rows, n, prob, threshold, tmp, &r->stats[j], &r->hists[j], &r->bins[j]);
#pragma omp single
        if (tmp) _score_ref(prob, m->target, rows, n, tmp, &r->score);
        free(tmp);
    }
    if (fail) {
        cs_err_set(err, CS_ENOMEM, "out of memory computing reference statistics");
        goto fail;
    }

    /* uniform sample without replacement: partial Fisher-Yates, then training-file order */
    r->n_sample = n < max_sample ? n : max_sample;
    pick = cs_malloc((n ? n : 1) * sizeof *pick, err);
    r->sample_ids = cs_malloc((r->n_sample ? r->n_sample : 1) * sizeof *r->sample_ids, err);
    r->sample_target = cs_malloc((r->n_sample ? r->n_sample : 1) * sizeof *r->sample_target, err);
    r->sample_values = cs_calloc(r->n_sample * m->n_feats + 1, sizeof(double), err);
    if (!pick || !r->sample_ids || !r->sample_target || !r->sample_values) goto fail;
    {
        cs_rng rng;
        cs_rng_seed(&rng, seed);
        for (size_t i = 0; i < n; i++) pick[i] = rows[i];
        for (size_t i = 0; i < r->n_sample; i++) {
            size_t j = i + (size_t)cs_rng_below(&rng, n - i);
            size_t t = pick[i];
            pick[i] = pick[j];
            pick[j] = t;
        }
        qsort(pick, r->n_sample, sizeof *pick, _cmp_size);
        for (size_t i = 0; i < r->n_sample; i++) {
            r->sample_ids[i] = m->ids[pick[i]];
            r->sample_target[i] = m->target[pick[i]];
        }
        for (size_t j = 0; j < m->n_feats; j++) {
            const double *c = feat_col(m, j);
            for (size_t i = 0; i < r->n_sample; i++) r->sample_values[j * r->n_sample + i] = c[pick[i]];
        }
    }
    free(pick);
    return r;
fail:
    free(pick);
    mf_reference_free(r);
    return NULL;
}

void mf_reference_free(mf_reference *r)
{
    if (!r) return;
    free(r->stats);
    free(r->hists);
    free(r->bins);
    free(r->sample_ids);
    free(r->sample_target);
    free(r->sample_values);
    free(r);
}

/* ---- the test rows' shares (model report: stability) ----------------------------------- */

mf_test_ref *mf_test_ref_build(const feat_matrix *m, const size_t *rows, size_t n, const double *p,
                               const mf_reference *ref, cs_err *err)
{
    mf_test_ref *t;
    if (!ref || !ref->bins || ref->n_feats != m->n_feats) {
        cs_err_set(err, CS_EINVAL, "the test rows' shares need the training reference's monitoring bins");
        return NULL;
    }
    if (!(t = cs_calloc(1, sizeof *t, err))) return NULL;
    t->n = n;
    t->n_feats = m->n_feats;
    if (!(t->share = cs_calloc(m->n_feats * MF_MON_BINS + 1, sizeof *t->share, err))) {
        free(t);
        return NULL;
    }
    if (!n) return t;
    for (size_t i = 0; i < n; i++) t->score_share[mf_mon_bin(&ref->score.bins, p[i])] += 1;
    for (int k = 0; k < MF_MON_BINS; k++) t->score_share[k] /= (double)n;
#pragma omp parallel for schedule(dynamic, 8)
    for (size_t j = 0; j < m->n_feats; j++) {
        const double *c = feat_col(m, j);
        double *s = t->share + j * MF_MON_BINS;
        for (size_t i = 0; i < n; i++) s[mf_mon_bin(&ref->bins[j], c[rows[i]])] += 1;
        for (int k = 0; k < MF_MON_BINS; k++) s[k] /= (double)n;
    }
    return t;
}

void mf_test_ref_free(mf_test_ref *t)
{
    if (!t) return;
    free(t->share);
    free(t);
}
