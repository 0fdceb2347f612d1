/*
 * cv.c: stratified folds (scikit-learn's allocation, seeded shuffle) and the k-fold loop
 * that collects out-of-fold probabilities. The contract is in cv.h.
 */
#include "cv.h"
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* How many of the indices r, r+k, r+2k, ... fall in [0, m). */
static size_t _count_mod(size_t m, size_t k, size_t r)
{
    return r < m ? (m - r + k - 1) / k : 0;
}

cs_status ev_stratified_folds(const double *y, size_t n, int k, uint64_t seed, int *fold,
                              cs_err *err)
{
    size_t cnt[2] = {0, 0};
    size_t kk = (size_t)k;
    int *labels = NULL;
    cs_rng rng;

    if (k < 2) return cs_err_set(err, CS_EINVAL, "cross-validation needs at least 2 folds, got %d", k);
    if (kk > n)
        return cs_err_set(err, CS_EINVAL, "cannot make %d folds from %zu rows", k, n);
    for (size_t i = 0; i < n; i++) cnt[y[i] != 0.0]++;
    if (cnt[0] < kk || cnt[1] < kk)
        return cs_err_set(err, CS_EINVAL,
                          "the smaller class has %zu rows, fewer than the %d folds (targets: %zu zeros, %zu ones)",
                          cnt[0] < cnt[1] ? cnt[0] : cnt[1], k, cnt[0], cnt[1]);
    labels = cs_malloc((cnt[0] > cnt[1] ? cnt[0] : cnt[1]) * sizeof *labels, err);
    if (!labels) return CS_ENOMEM;
    cs_rng_seed(&rng, seed);
    for (int c = 0; c < 2; c++) {
        /* scikit-learn: allocation[f][c] = bincount(sorted_y[f::k])[c]; sorted_y is cnt[0]
         * zeros followed by cnt[1] ones */
        size_t m = 0;
        for (size_t f = 0; f < kk; f++) {
            size_t a = c == 0 ? _count_mod(cnt[0], kk, f)
                              : _count_mod(n, kk, f) - _count_mod(cnt[0], kk, f);
            for (size_t t = 0; t < a; t++) labels[m++] = (int)f;
        }
        /* Fisher-Yates shuffle of the class's fold labels */
        for (size_t i = m; i > 1; i--) {
            size_t j = (size_t)cs_rng_below(&rng, i);
            int tmp = labels[i - 1];
            labels[i - 1] = labels[j];
            labels[j] = tmp;
        }
        m = 0;
        for (size_t i = 0; i < n; i++)
            if ((y[i] != 0.0) == c) fold[i] = labels[m++];
    }
    free(labels);
    return CS_OK;
}

void ev_mean_sd(const double *x, size_t n, double *mean, double *sd)
{
    double s = 0.0, ss = 0.0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i])) {
            s += x[i];
            m++;
        }
    if (m == 0) {
        *mean = *sd = NAN;
        return;
    }
    s /= (double)m;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i])) ss += (x[i] - s) * (x[i] - s);
    *mean = s;
    *sd = sqrt(ss / (double)m);
}

void ev_cv_result_free(ev_cv_result *r)
{
    if (!r) return;
    free(r->fold);
    free(r->oof);
    free(r->fold_auc);
    memset(r, 0, sizeof *r);
}

cs_status ev_cv_run(const double *y, size_t n, int k, uint64_t seed, ev_fit_predict_fn fn,
                    void *ctx, cs_progress *progress, uint64_t progress_base, ev_cv_result *out,
                    cs_err *err)
{
    size_t *train = NULL, *valid = NULL;
    double *vp = NULL, *vy = NULL;
    cs_status st;
    double t0 = cs_now();

    memset(out, 0, sizeof *out);
    out->k = k;
    out->n = n;
    out->fold = cs_malloc((n ? n : 1) * sizeof *out->fold, err);
    out->oof = cs_malloc((n ? n : 1) * sizeof *out->oof, err);
    out->fold_auc = cs_malloc((k > 0 ? (size_t)k : 1) * sizeof *out->fold_auc, err);
    train = cs_malloc((n ? n : 1) * sizeof *train, err);
    valid = cs_malloc((n ? n : 1) * sizeof *valid, err);
    vp = cs_malloc((n ? n : 1) * sizeof *vp, err);
    vy = cs_malloc((n ? n : 1) * sizeof *vy, err);
    if (!out->fold || !out->oof || !out->fold_auc || !train || !valid || !vp || !vy) {
        st = CS_ENOMEM;
        goto fail;
    }
    st = ev_stratified_folds(y, n, k, seed, out->fold, err);
    if (st != CS_OK) goto fail;
    for (int f = 0; f < k; f++) {
        size_t nt = 0, nv = 0;
        char note[48];
        for (size_t i = 0; i < n; i++) {
            if (out->fold[i] == f) valid[nv++] = i;
            else train[nt++] = i;
        }
        st = fn(ctx, f, train, nt, valid, nv, vp, err);
        if (st != CS_OK) {
            cs_err_prefix(err, "fold %d of %d: ", f + 1, k);
            goto fail;
        }
        for (size_t v = 0; v < nv; v++) {
            out->oof[valid[v]] = vp[v];
            vy[v] = y[valid[v]];
        }
        out->fold_auc[f] = ev_auc(vy, vp, nv);
        snprintf(note, sizeof note, "fold %d auc %.4f", f + 1, out->fold_auc[f]);
        if (progress) cs_progress_update(progress, progress_base + (uint64_t)f + 1, note);
    }
    ev_mean_sd(out->fold_auc, (size_t)k, &out->auc_mean, &out->auc_sd);
    out->oof_auc = ev_auc(y, out->oof, n);
    out->seconds = cs_now() - t0;
    free(train);
    free(valid);
    free(vp);
    free(vy);
    return CS_OK;
fail:
    free(train);
    free(valid);
    free(vp);
    free(vy);
    ev_cv_result_free(out);
    return st;
}
