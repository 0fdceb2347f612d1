/*
 * latency_bench.c: the single-row latency table of bench/bench_learn.sh: one applicant's
 * features through a 500-tree model, one thread, for our predict (lrn_predict_raw +
 * lrn_raw_to_proba, what mf_predict_proba calls before calibration), XGBoost's C API
 * (XGBoosterPredictFromDense, nthread 1) and LightGBM's C API
 * (LGBM_BoosterPredictForMatSingleRowFast, num_threads=1). Built by bench_learn.sh against
 * the library objects, libxgboost and the LightGBM build of bench/build_lightgbm.sh; not part
 * of the creditscore binary, never linked into it.
 *
 *   latency_bench FILE.csf ROUNDS CALLS [RUNS]
 *
 * The three models are fitted once on the labelled rows of FILE.csf at the learn benchmark's
 * settings (ROUNDS rounds, lr 0.05, 31 leaves grown loss-guided, 255 bins, L2 1, min hessian 1,
 * 2 threads); then RUNS times (default 1) each side in turn predicts 1,000 warm-up calls and
 * CALLS timed calls, one row per call, cycling over the first 1,000 rows, each call timed alone
 * (CLOCK_MONOTONIC). Prints one line of key=value pairs per side and run: p50, p99 and mean in
 * microseconds, and the mean probability (a check that the three models agree).
 */
#include "base/cs.h"
#include "features/featfile.h"
#include "learn/learner.h"

#include <LightGBM/c_api.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xgboost/c_api.h>

#define WARM 1000
#define ROWS 1000

static double _now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int _cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void _report(const char *side, double *ns, int calls, double mean_p, size_t nf, int trees)
{
    double s = 0;
    for (int i = 0; i < calls; i++) s += ns[i];
    qsort(ns, (size_t)calls, sizeof *ns, _cmp_d);
    printf("side=%s feats=%zu trees=%d calls=%d p50_us=%.3f p99_us=%.3f mean_us=%.3f mean_p=%.5f\n", side, nf,
           trees, calls, ns[calls / 2] / 1e3, ns[(int)(0.99 * calls)] / 1e3, s / calls / 1e3, mean_p);
    fflush(stdout);
}

#define XGB(call)                                                              \
    do {                                                                       \
        if ((call) != 0) {                                                     \
            fprintf(stderr, "latency_bench: xgboost: %s\n", XGBGetLastError()); \
            return 1;                                                          \
        }                                                                      \
    } while (0)
#define LGB(call)                                                               \
    do {                                                                        \
        if ((call) != 0) {                                                      \
            fprintf(stderr, "latency_bench: lightgbm: %s\n", LGBM_GetLastError()); \
            return 1;                                                           \
        }                                                                       \
    } while (0)

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: latency_bench FILE.csf ROUNDS CALLS [RUNS]\n");
        return 2;
    }
    int rounds = atoi(argv[2]), calls = atoi(argv[3]), runs = argc == 5 ? atoi(argv[4]) : 1;
    cs_err err = {0};
    feat_matrix *m = feat_file_load(argv[1], &err);
    if (!m || rounds < 1 || calls < 100 || runs < 1) {
        fprintf(stderr, "latency_bench: %s\n", m ? "bad ROUNDS, CALLS or RUNS" : err.msg);
        return 2;
    }
    size_t nf = m->n_feats, n = 0;
    size_t *rows = malloc(m->n_rows * sizeof *rows);
    for (size_t i = 0; i < m->n_rows; i++)
        if (!isnan(m->target[i])) rows[n++] = i;
    if (n < ROWS) {
        fprintf(stderr, "latency_bench: fewer than %d labelled rows\n", ROWS);
        return 2;
    }
    /* row-major copies: double for ours and LightGBM, float for XGBoost's training matrix */
    double *X = malloc(n * nf * sizeof *X), *ns = malloc((size_t)calls * sizeof *ns), *y = malloc(n * sizeof *y);
    float *Xf = malloc(n * nf * sizeof *Xf), *yf = malloc(n * sizeof *yf);
    for (size_t i = 0; i < n; i++) {
        y[i] = m->target[rows[i]];
        yf[i] = (float)y[i];
        for (size_t j = 0; j < nf; j++) {
            X[i * nf + j] = m->values[j * m->n_rows + rows[i]];
            Xf[i * nf + j] = (float)X[i * nf + j];
        }
    }

    /* ---- ours ---- */
    char pj[512];
    snprintf(pj, sizeof pj,
             "{\"num_iterations\":%d,\"learning_rate\":0.05,\"num_leaves\":31,\"max_bin\":255,\"lambda_l2\":1,"
             "\"min_sum_hessian_in_leaf\":1,\"min_data_in_leaf\":20,\"feature_fraction\":1,\"num_threads\":2,\"seed\":1}",
             rounds);
    lrn_params *p = lrn_params_from_json(LRN_GBDT, pj, &err);
    lrn_model *mod = NULL;
    if (!p || lrn_fit(p, m, rows, n, NULL, 0, NULL, &mod, &err)) {
        fprintf(stderr, "latency_bench: ours: %s\n", err.msg);
        return 1;
    }

    /* ---- XGBoost ---- */
    DMatrixHandle dm;
    BoosterHandle bst;
    XGB(XGDMatrixCreateFromMat(Xf, n, nf, NAN, &dm));
    XGB(XGDMatrixSetFloatInfo(dm, "label", yf, n));
    XGB(XGBoosterCreate(&dm, 1, &bst));
    double prior = 0;
    for (size_t i = 0; i < n; i++) prior += y[i];
    char bs[32];
    snprintf(bs, sizeof bs, "%.17g", prior / (double)n);
    const char *kv[][2] = {{"objective", "binary:logistic"}, {"eta", "0.05"}, {"tree_method", "hist"},
                           {"grow_policy", "lossguide"}, {"max_leaves", "31"}, {"max_depth", "0"},
                           {"max_bin", "255"}, {"lambda", "1"}, {"min_child_weight", "1"}, {"nthread", "2"},
                           {"seed", "1"}, {"base_score", bs}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) XGB(XGBoosterSetParam(bst, kv[i][0], kv[i][1]));
    for (int it = 0; it < rounds; it++) XGB(XGBoosterUpdateOneIter(bst, it, dm));
    XGB(XGBoosterSetParam(bst, "nthread", "1"));

    /* ---- LightGBM ---- */
    DatasetHandle ds;
    BoosterHandle lb;
    FastConfigHandle fc;
    LGB(LGBM_DatasetCreateFromMat(X, C_API_DTYPE_FLOAT64, (int32_t)n, (int32_t)nf, 1, "max_bin=255 verbose=-1", NULL, &ds));
    LGB(LGBM_DatasetSetField(ds, "label", yf, (int)n, C_API_DTYPE_FLOAT32));
    LGB(LGBM_BoosterCreate(ds, "objective=binary num_leaves=31 learning_rate=0.05 lambda_l2=1 "
                               "min_sum_hessian_in_leaf=1 min_data_in_leaf=20 num_threads=2 seed=1 verbose=-1", &lb));
    for (int it = 0; it < rounds; it++) {
        int fin;
        LGB(LGBM_BoosterUpdateOneIter(lb, &fin));
    }
    LGB(LGBM_BoosterPredictForMatSingleRowFastInit(lb, C_API_PREDICT_NORMAL, 0, -1, C_API_DTYPE_FLOAT64, (int32_t)nf,
                                                   "num_threads=1", &fc));

    /* ---- the timed calls: each side in turn, RUNS times ---- */
    const char *cfg = "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, "
                      "\"strict_shape\": false, \"cache_id\": 0, \"missing\": NaN}";
    char arr[256];
    double sp;
    for (int run = 0; run < runs; run++) {
        sp = 0;
        for (int i = 0; i < WARM; i++) sp += lrn_raw_to_proba(mod, lrn_predict_raw(mod, X + (size_t)(i % ROWS) * nf));
        sp = 0;
        for (int i = 0; i < calls; i++) {
            const double *x = X + (size_t)(i % ROWS) * nf;
            double t0 = _now_ns();
            double pr = lrn_raw_to_proba(mod, lrn_predict_raw(mod, x));
            ns[i] = _now_ns() - t0;
            sp += pr;
        }
        _report("ours", ns, calls, sp / calls, nf, mod->n_trees);

        sp = 0;
        for (int i = 0; i < WARM + calls; i++) {
            const double *x = X + (size_t)(i % ROWS) * nf;
            snprintf(arr, sizeof arr, "{\"data\": [%llu, true], \"shape\": [1, %zu], \"typestr\": \"<f8\", \"version\": 3}",
                     (unsigned long long)(uintptr_t)x, nf);
            const bst_ulong *shape;
            bst_ulong dim;
            const float *res;
            double t0 = _now_ns();
            XGB(XGBoosterPredictFromDense(bst, arr, cfg, NULL, &shape, &dim, &res));
            double t = _now_ns() - t0;
            if (i >= WARM) {
                ns[i - WARM] = t;
                sp += res[0];
            }
        }
        _report("xgboost", ns, calls, sp / calls, nf, rounds);
        sp = 0;
        for (int i = 0; i < WARM + calls; i++) {
            const double *x = X + (size_t)(i % ROWS) * nf;
            int64_t len;
            double out;
            double t0 = _now_ns();
            LGB(LGBM_BoosterPredictForMatSingleRowFast(fc, x, &len, &out));
            double t = _now_ns() - t0;
            if (i >= WARM) {
                ns[i - WARM] = t;
                sp += out;
            }
        }
        _report("lightgbm", ns, calls, sp / calls, nf, rounds);
    }
    LGBM_FastConfigFree(fc);
    LGBM_BoosterFree(lb);
    LGBM_DatasetFree(ds);
    XGBoosterFree(bst);
    XGDMatrixFree(dm);

    lrn_model_free(mod);
    lrn_params_free(p);
    feat_matrix_free(m);
    free(rows), free(X), free(Xf), free(y), free(yf), free(ns);
    return 0;
}
