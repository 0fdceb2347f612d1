/*
 * shap_importance.c: global importance (shap.h): mean |contribution| over a sample of rows,
 * computed in parallel, next to the model's gain importance.
 */
#include "shap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* k of the n indices 0..n-1, uniformly without replacement, in increasing order
 * (selection sampling, Knuth's Algorithm S). */
static void _sample(size_t n, size_t k, uint64_t seed, size_t *out)
{
    cs_rng r;
    cs_rng_seed(&r, seed);
    size_t got = 0;
    for (size_t i = 0; i < n && got < k; i++)
        if ((double)(n - i) * cs_rng_uniform(&r) < (double)(k - got)) out[got++] = i;
}

cs_status shap_importance(const shap_explainer *e, const feat_matrix *m, const size_t *rows,
                          size_t n, size_t max_rows, uint64_t seed, double *mean_abs,
                          double *gain, size_t *n_used, cs_err *err)
{
    size_t d = m->n_feats;
    if (!rows) n = m->n_rows;
    if (n_used) *n_used = 0;
    if (gain) lrn_importance_gain(shap_explainer_model(e), gain);
    if (!mean_abs) return CS_OK;
    size_t k = max_rows && max_rows < n ? max_rows : n;
    memset(mean_abs, 0, d * sizeof *mean_abs);
    if (k == 0) return CS_OK;
    size_t *pick = cs_malloc(k * sizeof *pick, err);
    if (!pick) return CS_ENOMEM;
    if (k < n) {
        _sample(n, k, seed, pick);
        if (rows)
            for (size_t i = 0; i < k; i++) pick[i] = rows[pick[i]];
    } else {
        for (size_t i = 0; i < k; i++) pick[i] = rows ? rows[i] : i;
    }
    /* explain in chunks so that memory stays bounded: chunk * d doubles of phi */
    size_t chunk = 4096;
    double *phi = cs_malloc((chunk < k ? chunk : k) * (d ? d : 1) * sizeof *phi, err);
    if (!phi) {
        free(pick);
        return CS_ENOMEM;
    }
    cs_status st = CS_OK;
    for (size_t s = 0; s < k && !st; s += chunk) {
        size_t c = k - s < chunk ? k - s : chunk;
        st = shap_explain_matrix(e, m, pick + s, c, phi, err);
        if (st) break;
#pragma omp parallel for schedule(static)
        for (size_t j = 0; j < d; j++) {
            double acc = 0;
            for (size_t i = 0; i < c; i++) acc += fabs(phi[i * d + j]);
            mean_abs[j] += acc;
        }
    }
    if (!st) {
        for (size_t j = 0; j < d; j++) mean_abs[j] /= (double)k;
        if (n_used) *n_used = k;
    }
    free(phi);
    free(pick);
    return st;
}
