/*
 * test_learn_predict.c: unit tests of the whole-matrix prediction (src/learn/model.c): its
 * branch-free walk over a compact copy of the trees, eight rows at a time, gives exactly the
 * per-row walk of tree.h (lrn_predict_raw) on random trees of uneven depth, with NaN, +-inf
 * and values equal to thresholds, for every row or a subset, averaged (forest) or summed;
 * and the prepared single-row prediction gives the same doubles on each of its walks: the
 * lanes (lanes.h: ten trees at a time over order keys, NaN direction folded in), QuickScorer
 * (more than 1,024 features split on) and the lockstep walk (a tree of more than 2,047 nodes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn/learner.h"

#define NF 12

/* A random tree of at most `cap` nodes grown node by node: a node splits with probability
 * `p_split` (less with depth) on a random feature at one of the values the matrix takes. */
static void _random_tree_cap(cs_rng *r, const double *grid, int32_t cap, tree *t)
{
    int32_t n = 1;
    tree_node *nd = calloc((size_t)cap, sizeof *nd);
    int32_t depth[512] = {0};
    nd[0].feature = -1;
    for (int32_t i = 0; i < n; i++) {
        double p_split = 0.9 - 0.08 * depth[i];
        if (n + 2 > cap || cs_rng_uniform(r) >= p_split) {
            nd[i].feature = -1;
            nd[i].left = nd[i].right = -1;
            nd[i].value = cs_rng_normal(r);
            continue;
        }
        nd[i].feature = (int32_t)cs_rng_below(r, NF);
        nd[i].threshold = grid[cs_rng_below(r, 6)];
        nd[i].default_left = (uint8_t)cs_rng_below(r, 2);
        nd[i].left = n;
        nd[i].right = n + 1;
        depth[n] = depth[n + 1] = depth[i] + 1;
        n += 2;
    }
    t->n_nodes = n;
    t->nodes = nd;
}

static void _random_tree(cs_rng *r, const double *grid, tree *t)
{
    _random_tree_cap(r, grid, 512, t);
}

static int32_t _leaves(const tree *t)
{
    int32_t n = 0;
    for (int32_t k = 0; k < t->n_nodes; k++) n += t->nodes[k].feature < 0;
    return n;
}

/* n random values (malloc'd): NaN with probability p_nan, then +inf and -inf 5% each, one of
 * the grid's six values (thresholds: equal values go left) 25%, else normal * 2. */
static double *_random_values(cs_rng *r, const double *grid, size_t n, double p_nan)
{
    double *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        double u = cs_rng_uniform(r);
        v[i] = u < p_nan ? NAN : u < p_nan + 0.05 ? INFINITY : u < p_nan + 0.1 ? -INFINITY
             : u < p_nan + 0.35 ? grid[cs_rng_below(r, 6)] : cs_rng_normal(r) * 2;
    }
    return v;
}

static void test_matrix_equals_row_walk(void **state)
{
    (void)state;
    const double grid[6] = {-1, 0, 0.5, 1, 2, 1e300};
    size_t n = 203;     /* several blocks, a tail shorter than eight rows */
    feat_matrix m = {0};
    m.n_rows = n;
    m.n_feats = NF;
    cs_rng r;
    cs_rng_seed(&r, 17);
    m.values = _random_values(&r, grid, n * NF, 0.15);
    for (int average = 0; average < 2; average++) {
        cs_err err = {0};
        lrn_model *mod = lrn_model_create(average ? LRN_FOREST : LRN_GBDT, NF, &err);
        assert_non_null(mod);
        mod->n_trees = 9;
        mod->trees = calloc(9, sizeof *mod->trees);
        mod->average = average;
        mod->base_score = average ? 0 : -0.75;
        int max_nodes = 0;
        for (int t = 0; t < 9; t++) {
            _random_tree(&r, grid, &mod->trees[t]);
            if (mod->trees[t].n_nodes > max_nodes) max_nodes = mod->trees[t].n_nodes;
        }
        assert_true(max_nodes > 15);      /* some trees are deep enough to matter */
        double *out = malloc(n * sizeof *out), x[NF];
        assert_int_equal(lrn_predict_matrix(mod, &m, NULL, 0, 1, out, &err), CS_OK);
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < NF; j++) x[j] = m.values[j * n + i];
            assert_true(out[i] == lrn_predict_raw(mod, x));
        }
        /* a subset of rows, in another order */
        size_t rows[37];
        for (size_t k = 0; k < 37; k++) rows[k] = (k * 71 + 5) % n;
        assert_int_equal(lrn_predict_matrix(mod, &m, rows, 37, 1, out, &err), CS_OK);
        for (size_t k = 0; k < 37; k++) {
            for (size_t j = 0; j < NF; j++) x[j] = m.values[j * n + rows[k]];
            assert_true(out[k] == lrn_predict_raw(mod, x));
        }
        /* the prepared single-row walk (8 trees in lockstep, 9 trees: a group and a
         * remainder) gives the same doubles as the plain walk */
        assert_null(mod->fast);
        assert_int_equal(lrn_model_prepare(mod, &err), CS_OK);
        assert_non_null(mod->fast);
        assert_int_equal(lrn_predict_matrix(mod, &m, NULL, 0, 1, out, &err), CS_OK);
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < NF; j++) x[j] = m.values[j * n + i];
            assert_true(out[i] == lrn_predict_raw(mod, x));
        }
        free(out);
        lrn_model_free(mod);
    }
    free(m.values);
}

/* The prepared single row gives exactly the doubles of the plain per-tree walk and of the
 * batch prediction: trees of 1 to 54 leaves, more trees than one block (of 512 lanes trees,
 * of 1,024 QuickScorer trees), NaN, +-inf, values equal to thresholds (which go left),
 * thresholds of +-inf; then the same model with one tree of 65 leaves added. */
static void test_row_prepared_equals_walk(void **state)
{
    (void)state;
    const double grid[6] = {-1, 0, 0.5, 1, 2, INFINITY};
    size_t n = 97;
    feat_matrix m = {0};
    m.n_rows = n;
    m.n_feats = NF;
    cs_rng r;
    cs_rng_seed(&r, 23);
    m.values = _random_values(&r, grid, n * NF, 0.2);
    cs_err err = {0};
    lrn_model *mod = lrn_model_create(LRN_GBDT, NF, &err);
    assert_non_null(mod);
    int32_t nt = 1100;
    mod->trees = calloc((size_t)nt + 1, sizeof *mod->trees);
    mod->base_score = -2.25;
    int32_t most = 0;
    for (int32_t t = 0; t < nt; t++) {
        /* mostly small trees, every tenth of up to 54 leaves (107 nodes) */
        _random_tree_cap(&r, grid, t % 10 ? 1 + 2 * (int32_t)cs_rng_below(&r, 31) : 107, &mod->trees[t]);
        if (_leaves(&mod->trees[t]) > most) most = _leaves(&mod->trees[t]);
        mod->n_trees = t + 1;
    }
    assert_true(most > 32 && most <= 54);
    double *out = malloc(n * sizeof *out), x[NF];
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {    /* a 65-leaf tree: the lockstep walk takes over */
            tree *big = &mod->trees[nt];
            big->n_nodes = 129;
            big->nodes = calloc(129, sizeof *big->nodes);
            for (int32_t k = 0; k < 64; k++) {  /* a left spine, a leaf to the right of each node */
                big->nodes[2 * k] = (tree_node){.feature = k % NF, .left = 2 * k + 2, .right = 2 * k + 1,
                                                .threshold = grid[k % 6], .default_left = (uint8_t)(k & 1)};
                big->nodes[2 * k + 1] = (tree_node){.feature = -1, .left = -1, .right = -1, .value = k};
            }
            big->nodes[128] = (tree_node){.feature = -1, .left = -1, .right = -1, .value = -1};
            assert_int_equal(_leaves(big), 65);
            mod->n_trees = nt + 1;
        }
        assert_int_equal(lrn_model_prepare(mod, &err), CS_OK);
        assert_non_null(mod->fast);
        assert_string_equal(lrn_predict_row_method(mod), "lanes");
        assert_int_equal(lrn_predict_matrix(mod, &m, NULL, 0, 1, out, &err), CS_OK);
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < NF; j++) x[j] = m.values[j * n + i];
            double s = 0;
            for (int32_t t = 0; t < mod->n_trees; t++) s += tree_predict_row(&mod->trees[t], x);
            double want = mod->base_score + s, got = lrn_predict_raw(mod, x);
            assert_memory_equal(&got, &want, sizeof got);
            assert_memory_equal(&got, &out[i], sizeof got);
        }
    }
    free(out);
    lrn_model_free(mod);
    free(m.values);
}

/* The reference: the plain per-tree walk of tree.h, summed in tree order. */
static double _walk(const lrn_model *mod, const double *x)
{
    double s = 0;
    for (int32_t t = 0; t < mod->n_trees; t++) s += tree_predict_row(&mod->trees[t], x);
    if (mod->average && mod->n_trees > 0) s /= mod->n_trees;
    return mod->base_score + s;
}

/* A tree of n nodes (n odd): a spine of (n - 1) / 2 internal nodes, each with a leaf on one
 * side (alternating), on features and thresholds taken from the grid. */
static void _spine_tree(cs_rng *r, const double *grid, int32_t n, size_t nf, tree *t)
{
    t->n_nodes = n;
    t->nodes = calloc((size_t)n, sizeof *t->nodes);
    int32_t k = 0;
    for (; 2 * k + 2 < n; k++) {
        int spine_left = k & 1;
        t->nodes[2 * k] = (tree_node){.feature = (int32_t)cs_rng_below(r, nf), .threshold = grid[cs_rng_below(r, 8)],
                                      .default_left = (uint8_t)cs_rng_below(r, 2),
                                      .left = spine_left ? 2 * k + 2 : 2 * k + 1,
                                      .right = spine_left ? 2 * k + 1 : 2 * k + 2, .cover = 1};
        t->nodes[2 * k + 1] = (tree_node){.feature = -1, .left = -1, .right = -1, .value = cs_rng_normal(r), .cover = 0.5};
    }
    t->nodes[2 * k] = (tree_node){.feature = -1, .left = -1, .right = -1, .value = cs_rng_normal(r), .cover = 0.5};
}

/* The lanes walk against the plain walk, bit for bit, on random models: 1, 3 (fewer trees than
 * lanes: idle lanes), 10, 513 (two blocks) and 1,100 trees of random shape, with thresholds
 * -inf, -0, +0, +inf and values equal to them, NaN going either way, random covers (they
 * order the layout) or none; then trees of 2,047 nodes (the largest the lanes take) and one
 * of 2,049 (the lockstep walk takes over, same doubles). */
static void test_row_lanes_equals_walk(void **state)
{
    (void)state;
    const double grid[8] = {-INFINITY, -1, -0.0, 0.0, 0.5, 2, 1e300, INFINITY};
    size_t n = 160;
    cs_rng r;
    cs_rng_seed(&r, 31);
    double *v = _random_values(&r, grid, n * NF, 0.2);
    for (size_t i = 0; i < n * NF; i++) {
        if (cs_rng_below(&r, 10) == 0) v[i] = cs_rng_below(&r, 2) ? -0.0 : 0.0;
        else if (cs_rng_below(&r, 20) == 0) v[i] = -(double)NAN;   /* a NaN with its sign bit set */
    }
    const int32_t counts[5] = {1, 3, 10, 513, 1100};
    for (int c = 0; c < 7; c++) {
        cs_err err = {0};
        lrn_model *mod = lrn_model_create(LRN_GBDT, NF, &err);
        assert_non_null(mod);
        int32_t nt = c < 5 ? counts[c] : 4;
        mod->trees = calloc((size_t)nt + 1, sizeof *mod->trees);
        mod->n_trees = nt;
        mod->base_score = 0.125 * c - 0.3;
        for (int32_t t = 0; t < nt; t++) {
            if (c >= 5) _spine_tree(&r, grid, 2047, NF, &mod->trees[t]);
            else {
                _random_tree_cap(&r, grid, 1 + 2 * (int32_t)cs_rng_below(&r, 40), &mod->trees[t]);
                for (int32_t k = 0; k < mod->trees[t].n_nodes; k++)
                    if (!(c & 1)) mod->trees[t].nodes[k].threshold = grid[cs_rng_below(&r, 8)];
            }
            for (int32_t k = 0; c != 2 && k < mod->trees[t].n_nodes; k++)
                mod->trees[t].nodes[k].cover = cs_rng_uniform(&r) + 0.01;    /* c == 2: no covers */
        }
        if (c == 6) {       /* one tree too large for the lanes */
            _spine_tree(&r, grid, 2049, NF, &mod->trees[nt]);
            mod->n_trees = nt + 1;
        }
        assert_int_equal(lrn_model_prepare(mod, &err), CS_OK);
        assert_string_equal(lrn_predict_row_method(mod), c == 6 ? "lockstep" : "lanes");
        double x[NF];
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < NF; j++) x[j] = v[i * NF + j];
            double got = lrn_predict_raw(mod, x), want = _walk(mod, x);
            assert_memory_equal(&got, &want, sizeof got);
        }
        lrn_model_free(mod);
    }
    free(v);
}

/* More than 1,024 features split on: QuickScorer (trees of at most 54 leaves) gives the
 * plain walk's doubles. */
static void test_row_quickscorer_wide(void **state)
{
    (void)state;
    enum { WIDE = 1500 };
    const double grid[8] = {-INFINITY, -1, -0.0, 0.0, 0.5, 2, 1e300, INFINITY};
    cs_rng r;
    cs_rng_seed(&r, 37);
    cs_err err = {0};
    lrn_model *mod = lrn_model_create(LRN_GBDT, WIDE, &err);
    assert_non_null(mod);
    int32_t nt = 400;
    mod->trees = calloc((size_t)nt, sizeof *mod->trees);
    mod->n_trees = nt;
    for (int32_t t = 0; t < nt; t++) _spine_tree(&r, grid, 21, WIDE, &mod->trees[t]);
    assert_int_equal(lrn_model_prepare(mod, &err), CS_OK);
    assert_string_equal(lrn_predict_row_method(mod), "quickscorer");
    double *x = malloc(WIDE * sizeof *x);
    for (int i = 0; i < 50; i++) {
        double *vals = _random_values(&r, grid, WIDE, 0.2);
        memcpy(x, vals, WIDE * sizeof *x);
        free(vals);
        double got = lrn_predict_raw(mod, x), want = _walk(mod, x);
        assert_memory_equal(&got, &want, sizeof got);
    }
    free(x);
    lrn_model_free(mod);
}

/* Fitted models (boosting with NaN in a tenth of the cells, so nodes learn NaN either way; a
 * forest; a boosting whose rounds on noise stop splitting, so its trees are single leaves),
 * and each of them read back from its bytes: the prepared walk's raw score and probability
 * are the plain walk's doubles, bit for bit, on rows with NaN, +-inf, -0 and the values the
 * trees split at, and the batch prediction agrees. */
static void test_row_fitted_models(void **state)
{
    (void)state;
    enum { N = 1200, F = 9 };
    cs_rng r;
    cs_rng_seed(&r, 41);
    feat_matrix m = {0};
    m.n_rows = N;
    m.n_feats = F;
    m.values = malloc(N * F * sizeof *m.values);
    m.target = malloc(N * sizeof *m.target);
    for (size_t i = 0; i < N; i++) {
        double lg = -0.5;
        for (size_t j = 0; j < F; j++) {
            double v = cs_rng_uniform(&r) < 0.1 ? NAN : cs_rng_normal(&r);
            m.values[j * N + i] = v;
            lg += v == v ? (j % 2 ? 0.8 : -0.6) * v : (j % 3 ? 1.0 : -1.0);  /* NaN informative */
        }
        m.target[i] = cs_rng_uniform(&r) < 1 / (1 + exp(-lg)) ? 1 : 0;
    }
    size_t rows[N];
    for (size_t i = 0; i < N; i++) rows[i] = i;
    const struct { lrn_kind kind; const char *json; } fits[3] = {
        {LRN_GBDT, "{\"num_iterations\": 60, \"num_leaves\": 15, \"min_data_in_leaf\": 5}"},
        {LRN_FOREST, "{\"n_estimators\": 12, \"max_depth\": 7}"},
        {LRN_GBDT, "{\"num_iterations\": 30, \"min_data_in_leaf\": 700}"},
    };
    double *out = malloc(N * sizeof *out);
    for (int k = 0; k < 3; k++) {
        cs_err err = {0};
        lrn_params *p = lrn_params_from_json(fits[k].kind, fits[k].json, &err);
        assert_non_null(p);
        lrn_model *fit = NULL;
        assert_int_equal(lrn_fit(p, &m, rows, N, NULL, 0, NULL, &fit, &err), CS_OK);
        cs_buf b = {0};
        assert_int_equal(lrn_model_write(fit, &b, &err), CS_OK);
        lrn_model *back = lrn_model_read(b.data, b.len, &err);
        assert_non_null(back);
        int nan_left = 0, nan_right = 0, single = 0;
        for (int32_t t = 0; t < fit->n_trees; t++) {
            single += fit->trees[t].n_nodes == 1;
            for (int32_t q = 0; q < fit->trees[t].n_nodes; q++)
                if (fit->trees[t].nodes[q].feature >= 0) {
                    nan_left += fit->trees[t].nodes[q].default_left != 0;
                    nan_right += fit->trees[t].nodes[q].default_left == 0;
                }
        }
        if (k == 0) assert_true(nan_left > 0 && nan_right > 0);
        if (k == 2) assert_true(single > 0);
        for (int v = 0; v < 2; v++) {
            lrn_model *mod = v ? back : fit;
            assert_string_equal(lrn_predict_row_method(mod), "lanes");
            assert_int_equal(lrn_predict_matrix(mod, &m, NULL, 0, 0, out, &err), CS_OK);
            double x[F];
            for (size_t i = 0; i < N + 200; i++) {
                for (size_t j = 0; j < F; j++) {
                    if (i < N) x[j] = m.values[j * N + i];
                    else {      /* special values, and the thresholds themselves */
                        int32_t t = (int32_t)cs_rng_below(&r, (uint64_t)mod->n_trees);
                        const tree_node *nd = &mod->trees[t].nodes[cs_rng_below(&r, (uint64_t)mod->trees[t].n_nodes)];
                        const double sp[5] = {NAN, INFINITY, -INFINITY, -0.0, 0.0};
                        x[j] = nd->feature >= 0 && cs_rng_below(&r, 2) ? nd->threshold : sp[cs_rng_below(&r, 5)];
                    }
                }
                double got = lrn_predict_raw(mod, x), want = _walk(mod, x);
                assert_memory_equal(&got, &want, sizeof got);
                double pg = lrn_raw_to_proba(mod, got), pw = lrn_raw_to_proba(mod, want);
                assert_memory_equal(&pg, &pw, sizeof pg);
                if (i < N) assert_memory_equal(&pg, &out[i], sizeof pg);
            }
        }
        lrn_model_free(back);
        lrn_model_free(fit);
        lrn_params_free(p);
        cs_buf_free(&b);
    }
    free(out);
    free(m.values);
    free(m.target);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix_equals_row_walk),
        cmocka_unit_test(test_row_prepared_equals_walk),
        cmocka_unit_test(test_row_lanes_equals_walk),
        cmocka_unit_test(test_row_quickscorer_wide),
        cmocka_unit_test(test_row_fitted_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
