/*
 * test_learn_predict.c: unit tests of the whole-matrix prediction (src/learn/model.c): its
 * branch-free walk over a compact copy of the trees, eight rows at a time, gives exactly the
 * per-row walk of tree.h (lrn_predict_raw) on random trees of uneven depth, with NaN, +-inf
 * and values equal to thresholds, for every row or a subset, averaged (forest) or summed;
 * and the prepared single-row prediction (QuickScorer, or the lockstep walk for trees of more
 * than 54 leaves) gives the same doubles.
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

/* The prepared single row (QuickScorer over leaf bit masks when every tree has at most 54
 * leaves, the lockstep walk otherwise) gives exactly the doubles of the plain per-tree walk
 * and of the batch prediction: trees of 1 to 54 leaves, more trees than one block of 1,024,
 * NaN, +-inf, values equal to thresholds (which go left), thresholds of +-inf; then the same
 * model with one tree of 65 leaves added (the fallback). */
static void test_row_quickscorer_equals_walk(void **state)
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix_equals_row_walk),
        cmocka_unit_test(test_row_quickscorer_equals_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
