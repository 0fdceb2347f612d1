/*
 * model_bench.c: the C side of bench_model.sh.
 *   model_bench gen OUT TREES FEATS ROWS SEED   write a model file with TREES full depth-5
 *       trees over FEATS features, isotonic calibration, and the reference (stats,
 *       histograms, 5,000-row drift sample) of a generated ROWS x FEATS matrix
 *   model_bench time MODEL RUNS                 load MODEL RUNS times; prints
 *       "side=c median_ms=... min_ms=... trees=... feats=... bytes=..."
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/cs.h"
#include "model/model.h"

static int _cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int _gen(const char *out, int n_trees, size_t nf, size_t rows, uint64_t seed)
{
    cs_err err = {0};
    cs_rng r;
    cs_rng_seed(&r, seed);
    feat_matrix *m = feat_matrix_create(rows, nf, &err);
    if (!m) return 1;
    for (size_t j = 0; j < nf; j++) {
        char name[32];
        snprintf(name, sizeof name, "F_%zu", j);
        m->names[j] = strdup(name);
        for (size_t i = 0; i < rows; i++) m->values[j * rows + i] = (i + j) % 11 == 0 ? NAN : cs_rng_normal(&r);
    }
    size_t *idx = malloc(rows * sizeof *idx);
    double *p = malloc(rows * sizeof *p), *y = malloc(rows * sizeof *y);
    for (size_t i = 0; i < rows; i++) {
        idx[i] = i;
        m->ids[i] = 100000 + (int64_t)i;
        p[i] = cs_rng_uniform(&r);
        y[i] = m->target[i] = cs_rng_uniform(&r) < p[i] * 0.3 ? 1 : 0;
    }
    lrn_model *lm = lrn_model_create(LRN_GBDT, nf, &err);
    lm->n_trees = n_trees;
    lm->trees = calloc((size_t)n_trees, sizeof *lm->trees);
    for (int t = 0; t < n_trees; t++) {
        tree *tr = &lm->trees[t];
        tr->n_nodes = 63; /* full binary tree of depth 5: nodes 0..30 internal */
        tr->nodes = calloc(63, sizeof(tree_node));
        for (int k = 0; k < 63; k++) {
            tree_node *n = &tr->nodes[k];
            n->cover = 1000.0 / (1 << (int)floor(log2(k + 1)));
            if (k < 31) {
                *n = (tree_node){(int32_t)cs_rng_below(&r, nf), 2 * k + 1, 2 * k + 2, (uint8_t)(k & 1),
                                 cs_rng_normal(&r), 0, n->cover, cs_rng_uniform(&r)};
            } else {
                n->feature = -1;
                n->left = n->right = -1;
                n->value = 0.01 * cs_rng_normal(&r);
            }
        }
    }
    ev_calib *cal = ev_calib_fit(EV_CALIB_ISOTONIC, y, p, rows, &err);
    double thr, cost;
    ev_best_threshold(y, p, rows, EV_COST_DEFAULT, &thr, &cost, &err);
    ev_cost_point *curve;
    size_t nc;
    ev_cost_curve(y, p, rows, EV_COST_DEFAULT, 101, thr, &curve, &nc, &err);
    mf_reference *ref = mf_reference_build(m, idx, rows, p, thr, 5000, seed, &err);
    double folds[5] = {0.7, 0.71, 0.72, 0.73, 0.74};
    char digest[32];
    mf_data_digest(m, idx, rows, digest, sizeof digest);
    mf_parts parts = {.name = "bench", .version = "1", .data_digest = digest, .n_train = rows,
                      .positive_rate = 0.15, .n_feats = nf, .feat_names = (const char *const *)m->names,
                      .learner = lm, .params_json = "{}", .calib = cal, .threshold = thr,
                      .cost = EV_COST_DEFAULT, .metrics = {.k = 5, .fold_auc = folds},
                      .curve = curve, .n_curve = nc, .reference = ref};
    if (!ref || !cal || mf_write(&parts, out, &err)) {
        fprintf(stderr, "model_bench: %s\n", err.msg);
        return 1;
    }
    mf_reference_free(ref);
    ev_calib_free(cal);
    free(curve);
    lrn_model_free(lm);
    feat_matrix_free(m);
    free(idx), free(p), free(y);
    return 0;
}

static int _time(const char *path, int runs)
{
    double *t = calloc((size_t)runs, sizeof *t);
    struct stat sb;
    int trees = 0;
    size_t nf = 0;
    for (int i = 0; i < runs; i++) {
        cs_err err = {0};
        double t0 = cs_now();
        mf_model *m = mf_load(path, &err);
        t[i] = (cs_now() - t0) * 1e3;
        if (!m) {
            fprintf(stderr, "model_bench: %s\n", err.msg);
            return 1;
        }
        trees = mf_learner(m)->n_trees;
        nf = mf_n_feats(m);
        mf_free(m);
    }
    qsort(t, (size_t)runs, sizeof *t, _cmp);
    stat(path, &sb);
    printf("side=c median_ms=%.3f min_ms=%.3f trees=%d feats=%zu bytes=%lld\n", t[runs / 2], t[0], trees, nf,
           (long long)sb.st_size);
    free(t);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 7 && !strcmp(argv[1], "gen"))
        return _gen(argv[2], atoi(argv[3]), (size_t)atol(argv[4]), (size_t)atol(argv[5]), (uint64_t)atoll(argv[6]));
    if (argc == 4 && !strcmp(argv[1], "time")) return _time(argv[2], atoi(argv[3]));
    fprintf(stderr, "usage: model_bench gen OUT TREES FEATS ROWS SEED | time MODEL RUNS\n");
    return 2;
}
