/*
 * test_learn_grower.c: unit tests of the shared tree grower (src/learn/grower.c): the
 * row-wise sparse histograms (each feature's most frequent bin left out and recovered from
 * the leaf's totals) grow the same trees as the column-wise ones, on sparse one-hot and
 * NaN-heavy columns, with every feature or a subset, on all rows or a bag, with 1 or 2
 * threads; and a tree can be grown many times on one work area. The forest's deep nodes read
 * a row-major copy of the bins (ds_row_bins) and grow the same trees as from the columns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn/dataset.h"
#include "learn/grower.h"

#define NF 40

/* Columns of several kinds: one-hot flags (mostly 0), NaN-heavy amounts, dense continuous
 * values, small counts, and a constant. */
static feat_matrix *_data(size_t n, uint64_t seed)
{
    feat_matrix *m = calloc(1, sizeof *m);
    m->n_rows = n;
    m->n_feats = NF;
    m->values = calloc(n * NF, sizeof *m->values);
    cs_rng r;
    cs_rng_seed(&r, seed);
    for (size_t j = 0; j < NF; j++)
        for (size_t i = 0; i < n; i++) {
            double v;
            switch (j % 5) {
            case 0: v = cs_rng_uniform(&r) < 0.05 + 0.01 * (double)j ? 1 : 0; break;
            case 1: v = cs_rng_uniform(&r) < 0.8 ? NAN : exp(cs_rng_normal(&r)); break;
            case 2: v = cs_rng_normal(&r); break;
            case 3: v = (double)cs_rng_below(&r, 5); break;
            default: v = j == 4 ? 7 : (cs_rng_uniform(&r) < 0.9 ? 0 : cs_rng_normal(&r)); break;
            }
            m->values[j * n + i] = v;
        }
    return m;
}

static void _free_matrix(feat_matrix *m)
{
    free(m->values);
    free(m);
}

/* Gradients and hessians that are multiples of 1/64 and small: every sum of them is exact,
 * whatever the order, so both histogram modes must find identical splits. */
static void _grads(const feat_matrix *m, double *g, double *h, uint64_t seed)
{
    cs_rng r;
    cs_rng_seed(&r, seed);
    size_t n = m->n_rows;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < 8; j++) {
            double v = m->values[j * n + i];
            if (v == v) s += (j % 2 ? 1 : -1) * (v > 0.5 ? 1 : 0);
        }
        g[i] = (double)((int)(s * 8) + (int)cs_rng_below(&r, 16) - 8) / 64;
        h[i] = (double)(1 + cs_rng_below(&r, 16)) / 64;
    }
}

static void _grow(const ds_dataset *d, gr_work *w, int mode, int threads, const double *g,
                  const double *h, const size_t *rows, size_t n, const int *feats, size_t nf,
                  tree *t)
{
    gr_params p = {
        .num_leaves = 31,
        .min_data_in_leaf = 20,
        .min_sum_hessian = 1e-3,
        .lambda_l2 = 1,
        .shrinkage = 0.1,
        .n_threads = threads,
        .hist_mode = mode,
    };
    int32_t *thr = NULL;
    cs_err err = {0};
    assert_int_equal(gr_grow(w, &p, g, h, rows, n, feats, nf, NULL, t, &thr, &err), CS_OK);
    assert_non_null(thr);
    free(thr);
    (void)d;
}

static void _assert_same_tree(const tree *a, const tree *b)
{
    assert_int_equal(a->n_nodes, b->n_nodes);
    for (int32_t i = 0; i < a->n_nodes; i++) {
        const tree_node *x = &a->nodes[i], *y = &b->nodes[i];
        assert_int_equal(x->feature, y->feature);
        assert_int_equal(x->left, y->left);
        assert_int_equal(x->right, y->right);
        assert_int_equal(x->default_left, y->default_left);
        if (x->feature >= 0) assert_true(x->threshold == y->threshold);
        assert_true(x->value == y->value);
        assert_true(x->cover == y->cover);
    }
}

static void test_rowwise_equals_columns(void **state)
{
    (void)state;
    size_t n = 30000;   /* large enough for the parallel paths with 2 threads */
    feat_matrix *m = _data(n, 5);
    cs_err err = {0};
    ds_dataset *d = ds_create(m, 255, 0, &err);
    assert_non_null(d);
    double *g = malloc(n * sizeof *g), *h = malloc(n * sizeof *h);
    _grads(m, g, h, 9);
    size_t *all = malloc(n * sizeof *all), *bag = malloc(n * sizeof *bag), nb = 0;
    for (size_t i = 0; i < n; i++) {
        all[i] = i;
        if (i % 3 != 1) bag[nb++] = i;
    }
    int feats[NF], sub[NF];
    size_t ns = 0;
    for (int j = 0; j < NF; j++) {
        feats[j] = j;
        if (j % 4 != 2) sub[ns++] = j;
    }
    gr_work *wc = gr_work_create(d, 31, &err), *w1 = gr_work_create(d, 31, &err),
            *w2 = gr_work_create(d, 31, &err);
    assert_non_null(wc);
    assert_non_null(w1);
    assert_non_null(w2);
    for (int c = 0; c < 4; c++) {
        const size_t *rows = c % 2 ? bag : all;
        size_t nr = c % 2 ? nb : n;
        const int *fs = c < 2 ? feats : sub;
        size_t nfs = c < 2 ? NF : ns;
        tree tc, t1, t2;
        _grow(d, wc, GR_HIST_COLUMNS, 2, g, h, rows, nr, fs, nfs, &tc);
        _grow(d, w1, GR_HIST_AUTO, 1, g, h, rows, nr, fs, nfs, &t1);
        _grow(d, w2, GR_HIST_AUTO, 2, g, h, rows, nr, fs, nfs, &t2);
        assert_true(tc.n_nodes > 20);     /* a real tree, not a stump */
        _assert_same_tree(&tc, &t1);
        _assert_same_tree(&tc, &t2);
        /* the leaf values each row got agree too */
        double *f1 = calloc(n, sizeof *f1), *fc = calloc(n, sizeof *fc);
        gr_add_leaf_values(wc, &tc, fc);
        gr_add_leaf_values(w2, &t2, f1);
        assert_memory_equal(fc, f1, n * sizeof *fc);
        free(f1);
        free(fc);
        free(tc.nodes);
        free(t1.nodes);
        free(t2.nodes);
    }
    gr_work_free(wc);
    gr_work_free(w1);
    gr_work_free(w2);
    free(all);
    free(bag);
    free(g);
    free(h);
    ds_free(d);
    _free_matrix(m);
}

/* The sparse columns really are split on: the row-wise path must not lose the rare bins. */
static void test_rowwise_finds_sparse_signal(void **state)
{
    (void)state;
    size_t n = 5000;
    feat_matrix *m = _data(n, 3);
    cs_err err = {0};
    ds_dataset *d = ds_create(m, 255, 0, &err);
    assert_non_null(d);
    double *g = malloc(n * sizeof *g), *h = malloc(n * sizeof *h);
    /* the gradient is driven by the flag in column 10 (~15% ones) alone */
    for (size_t i = 0; i < n; i++) {
        g[i] = m->values[10 * n + i] == 1 ? -1 : 0.25;
        h[i] = 0.25;
    }
    size_t *rows = malloc(n * sizeof *rows);
    for (size_t i = 0; i < n; i++) rows[i] = i;
    int feats[NF];
    for (int j = 0; j < NF; j++) feats[j] = j;
    gr_work *w = gr_work_create(d, 4, &err);
    assert_non_null(w);
    tree t;
    _grow(d, w, GR_HIST_AUTO, 1, g, h, rows, n, feats, NF, &t);
    assert_int_equal(t.nodes[0].feature, 10);
    assert_true(t.nodes[0].threshold > 0 && t.nodes[0].threshold < 1);
    free(t.nodes);
    gr_work_free(w);
    free(rows);
    free(g);
    free(h);
    ds_free(d);
    _free_matrix(m);
}

/* The forest's sampled mode: nodes reading the row-major bins (ds_row_bins) grow the same
 * tree as nodes reading the columns. */
static void test_row_bins_equal_columns(void **state)
{
    (void)state;
    size_t n = 20000;
    feat_matrix *m = _data(n, 8);
    cs_err err = {0};
    ds_dataset *d = ds_create(m, 255, 0, &err);
    assert_non_null(d);
    uint8_t *rb = ds_row_bins(d, 2, &err);
    assert_non_null(rb);
    for (size_t i = 0; i < n; i += 997)
        for (size_t j = 0; j < NF; j++) assert_int_equal(rb[i * NF + j], ds_col(d, j)[i]);
    double *g = malloc(n * sizeof *g), *h = malloc(n * sizeof *h);
    _grads(m, g, h, 4);
    size_t *rows = malloc(n * sizeof *rows), nr = 0;
    for (size_t i = 0; i < n; i++)
        if (i % 4) rows[nr++] = i;
    int feats[NF];
    for (int j = 0; j < NF; j++) feats[j] = j;
    tree t[2];
    for (int c = 0; c < 2; c++) {
        gr_params p = {
            .num_leaves = 100000,
            .min_data_in_leaf = 5,
            .shrinkage = 1,
            .feats_per_node = 6,
            .n_threads = 1,
            .row_bins = c ? rb : NULL,
        };
        gr_work *w = gr_work_create(d, p.num_leaves, &err);
        assert_non_null(w);
        cs_rng r;
        cs_rng_seed(&r, 77);
        int32_t *thr = NULL;
        assert_int_equal(gr_grow(w, &p, g, h, rows, nr, feats, NF, &r, &t[c], &thr, &err), CS_OK);
        free(thr);
        gr_work_free(w);
    }
    assert_true(t[0].n_nodes > 500);    /* deep: many nodes under n_rows / 24 rows */
    _assert_same_tree(&t[0], &t[1]);
    free(t[0].nodes);
    free(t[1].nodes);
    free(rows);
    free(g);
    free(h);
    free(rb);
    ds_free(d);
    _free_matrix(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rowwise_equals_columns),
        cmocka_unit_test(test_rowwise_finds_sparse_signal),
        cmocka_unit_test(test_row_bins_equal_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
