/*
 * test_explain_engine.c: the precomputed TreeSHAP engine behind the explainer (shap_plan.c)
 * against the recursive algorithm (shap_tree_add, itself checked against brute-force Shapley
 * values in test_explain_shap.c) and against brute force directly: leaf-wise random trees up
 * to 40 levels with repeated features, NaN default directions, zero-cover branches and
 * single-leaf trees; chains deeper than 64 levels (the recursive fallback); every table depth
 * from none to 16 and a budget that runs out; averaged (forest) models; the reported memory;
 * bad options; the incremental method (the matrix path's trees without tables) against the
 * direct one; the summed method (the one-row path) against the recursive algorithm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/cs.h"
#include "explain/shap.h"
#include "learn/learner.h"

/* A leaf-wise random tree of n_leaves leaves over features 0..n_feats-1: a random leaf is
 * split at each step, the newest one with probability `deep` (long, lopsided paths). Some
 * children get no cover at all. */
static tree _leafwise(cs_rng *r, int n_leaves, int n_feats, double deep)
{
    tree t = {1, calloc((size_t)(2 * n_leaves), sizeof(tree_node))};
    int32_t *leaves = malloc((size_t)n_leaves * sizeof *leaves), nl = 1;
    leaves[0] = 0;
    t.nodes[0] = (tree_node){.feature = -1, .left = -1, .right = -1, .value = cs_rng_normal(r),
                             .cover = 50 + 100 * cs_rng_uniform(r)};
    while (nl < n_leaves) {
        int32_t k = cs_rng_uniform(r) < deep ? nl - 1 : (int32_t)cs_rng_below(r, (uint64_t)nl);
        int32_t i = leaves[k];
        tree_node *nd = &t.nodes[i];
        double u = cs_rng_uniform(r), share = u < 0.04 ? 0 : u < 0.08 ? 1 : 0.05 + 0.9 * cs_rng_uniform(r);
        int32_t a = t.n_nodes++, b = t.n_nodes++;
        t.nodes[a] = (tree_node){.feature = -1, .left = -1, .right = -1, .value = cs_rng_normal(r),
                                 .cover = nd->cover * share};
        t.nodes[b] = (tree_node){.feature = -1, .left = -1, .right = -1, .value = cs_rng_normal(r),
                                 .cover = nd->cover * (1 - share)};
        nd->feature = (int32_t)cs_rng_below(r, (uint64_t)n_feats);
        nd->threshold = floor(cs_rng_normal(r) * 4) / 4;
        nd->default_left = (uint8_t)cs_rng_below(r, 2);
        nd->left = a;
        nd->right = b;
        nd->gain = cs_rng_uniform(r);
        leaves[k] = a;
        leaves[nl++] = b;
        if (cs_rng_uniform(r) < 0.5) {     /* keep the newest leaf last: either child */
            leaves[k] = b;
            leaves[nl - 1] = a;
        }
    }
    free(leaves);
    return t;
}

/* A chain of `depth` splits (each right child a leaf), features cycling over n_feats. */
static tree _chain(cs_rng *r, int depth, int n_feats)
{
    tree t = {2 * depth + 1, calloc((size_t)(2 * depth + 1), sizeof(tree_node))};
    double cover = 1e6;
    for (int k = 0; k < depth; k++) {
        tree_node *nd = &t.nodes[2 * k];
        nd->feature = k % n_feats;
        nd->threshold = floor(cs_rng_normal(r) * 4) / 4;
        nd->default_left = (uint8_t)(k % 2);
        nd->left = 2 * k + 2;
        nd->right = 2 * k + 1;
        nd->cover = cover;
        t.nodes[2 * k + 1] = (tree_node){.feature = -1, .left = -1, .right = -1,
                                         .value = cs_rng_normal(r), .cover = cover * 0.1};
        cover *= 0.9;
    }
    t.nodes[2 * depth] = (tree_node){.feature = -1, .left = -1, .right = -1, .value = 1, .cover = cover};
    return t;
}

static lrn_model *_model(tree *trees, int n, size_t n_feats, int average)
{
    lrn_model *mod = lrn_model_create(average ? LRN_FOREST : LRN_GBDT, n_feats, NULL);
    mod->average = average;
    mod->base_score = average ? 0 : -0.7;
    mod->trees = trees;
    mod->n_trees = n;
    return mod;
}

static double _x(cs_rng *r)
{
    double u = cs_rng_uniform(r);
    return u < 0.15 ? NAN : u < 0.17 ? INFINITY : u < 0.19 ? -INFINITY : floor(cs_rng_normal(r) * 4) / 4;
}

/* The explainer with opts against the recursive algorithm on n random rows: every value to
 * tol relative to the row's total |contribution|, and additivity to 1e-11. */
static void _against(const lrn_model *mod, const shap_options *opts, int n, uint64_t seed, double tol)
{
    cs_err err = {0};
    shap_explainer *e = shap_explainer_create_opts(mod, opts, &err);
    if (!e) fail_msg("%s", err.msg);
    size_t d = mod->n_feats;
    int maxd = 0;
    for (int32_t t = 0; t < mod->n_trees; t++) {
        int k = tree_depth(&mod->trees[t]);
        if (k > maxd) maxd = k;
    }
    char *work = malloc(shap_work_size(maxd));
    double *x = malloc(d * sizeof *x), *phi = malloc(d * sizeof *phi), *ref = malloc(d * sizeof *ref);
    cs_rng r;
    cs_rng_seed(&r, seed);
    double scale = mod->average ? 1.0 / mod->n_trees : 1.0;
    for (int i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++) x[j] = _x(&r);
        memset(ref, 0, d * sizeof *ref);
        for (int32_t t = 0; t < mod->n_trees; t++) shap_tree_add(&mod->trees[t], x, scale, ref, work);
        assert_int_equal(shap_explain_row(e, x, phi, &err), CS_OK);
        double tot = 0, sum = shap_expected_value(e), raw = mod->base_score;
        for (size_t j = 0; j < d; j++) tot += fabs(ref[j]);
        for (size_t j = 0; j < d; j++) {
            if (fabs(phi[j] - ref[j]) > tol * fmax(1, tot))
                fail_msg("row %d feature %zu: engine %.17g, recursive %.17g (table depth %d)", i, j,
                         phi[j], ref[j], opts ? opts->table_max_depth : 99);
            sum += phi[j];
        }
        double trees = 0;
        for (int32_t t = 0; t < mod->n_trees; t++) trees += tree_predict_row(&mod->trees[t], x);
        raw += trees * scale;
        if (fabs(sum - raw) > 1e-11) fail_msg("row %d: expected + sum %.17g, raw %.17g", i, sum, raw);
    }
    free(work);
    free(x);
    free(phi);
    free(ref);
    shap_explainer_free(e);
}

static void _against_recursive(const lrn_model *mod, const shap_options *opts, int n, uint64_t seed)
{
    _against(mod, opts, n, seed, 1e-12);
}

static void test_engine_equals_recursive(void **state)
{
    (void)state;
    cs_rng r;
    cs_rng_seed(&r, 19);
    const int depths[] = {-1, 0, 1, 3, 6, 8, 12, 16};
    for (int trial = 0; trial < 24; trial++) {
        int nt = 12, nf = 3 + trial % 10;
        tree *ts = calloc((size_t)nt, sizeof *ts);
        for (int t = 0; t < nt; t++) {
            int leaves = t == 0 ? 1 : 2 + (int)cs_rng_below(&r, 40);    /* tree 0: a single leaf */
            ts[t] = _leafwise(&r, leaves, nf, trial % 3 == 0 ? 0.9 : 0.3);
        }
        lrn_model *mod = _model(ts, nt, (size_t)nf, trial % 4 == 1);
        for (size_t k = 0; k < sizeof depths / sizeof *depths; k++) {
            shap_options o = SHAP_OPTIONS_DEFAULT;
            o.table_max_depth = depths[k];
            _against_recursive(mod, &o, 40, (uint64_t)(trial * 100 + (int)k));
        }
        _against_recursive(mod, NULL, 40, 7);
        lrn_model_free(mod);
    }
}

/* E[f(x) | x_S known] for brute force (as test_explain_shap.c). */
static double _cond(const tree *t, int32_t i, const double *x, unsigned S)
{
    const tree_node *nd = &t->nodes[i];
    if (nd->feature < 0) return nd->value;
    if (S & (1u << nd->feature)) {
        double v = x[nd->feature];
        int left = v != v ? nd->default_left : v <= nd->threshold;
        return _cond(t, left ? nd->left : nd->right, x, S);
    }
    double w = nd->cover, a = _cond(t, nd->left, x, S), b = _cond(t, nd->right, x, S);
    if (!(w > 0)) return (a + b) / 2;
    return (t->nodes[nd->left].cover * a + t->nodes[nd->right].cover * b) / w;
}

static void test_engine_equals_brute_force(void **state)
{
    (void)state;
    cs_rng r;
    cs_rng_seed(&r, 2026);
    const int M = 7;
    double fact[16] = {1};
    for (int k = 1; k < 16; k++) fact[k] = fact[k - 1] * k;
    for (int trial = 0; trial < 60; trial++) {
        tree *ts = calloc(1, sizeof *ts);
        ts[0] = _leafwise(&r, 2 + trial % 30, M, trial % 2 ? 0.8 : 0.2);
        lrn_model *mod = _model(ts, 1, M, 0);
        shap_options o = SHAP_OPTIONS_DEFAULT;
        o.table_max_depth = trial % 3 == 0 ? -1 : 8;
        cs_err err = {0};
        shap_explainer *e = shap_explainer_create_opts(mod, &o, &err);
        assert_non_null(e);
        for (int rep = 0; rep < 5; rep++) {
            double x[7], phi[7];
            for (int j = 0; j < M; j++) x[j] = _x(&r);
            assert_int_equal(shap_explain_row(e, x, phi, &err), CS_OK);
            for (int i = 0; i < M; i++) {
                double ref = 0;
                for (unsigned S = 0; S < (1u << M); S++) {
                    if (S & (1u << i)) continue;
                    int s = __builtin_popcount(S);
                    ref += fact[s] * fact[M - s - 1] / fact[M] *
                           (_cond(ts, 0, x, S | (1u << i)) - _cond(ts, 0, x, S));
                }
                if (fabs(phi[i] - ref) > 1e-12)
                    fail_msg("trial %d feature %d: engine %.17g, brute force %.17g", trial, i, phi[i], ref);
            }
        }
        shap_explainer_free(e);
        lrn_model_free(mod);
    }
}

/* Deeper than 64 levels: the recursive algorithm for that tree, the plan for the others.
 * On paths of 64 distinct features the recursive algorithm itself drifts (its unwinding
 * divides by the fractions: additivity off by ~4e-9 at 64, 1e-15 for ours, measured with a
 * chain of 10..64 splits), so the comparison there is to 1e-9 and additivity to 1e-11. */
static void test_deep_chain_fallback(void **state)
{
    (void)state;
    cs_rng r;
    cs_rng_seed(&r, 64);
    tree *ts = calloc(4, sizeof *ts);
    ts[0] = _chain(&r, 70, 9);
    ts[1] = _chain(&r, 64, 80);     /* 64 distinct features on one path: the widest mask */
    ts[2] = _leafwise(&r, 31, 9, 0.5);
    ts[3] = _chain(&r, 20, 80);
    lrn_model *mod = _model(ts, 4, 80, 0);
    shap_options o = SHAP_OPTIONS_DEFAULT;
    _against(mod, &o, 50, 3, 1e-9);
    cs_err err = {0};
    shap_explainer *e = shap_explainer_create_opts(mod, &o, &err);
    shap_stats st;
    shap_explainer_stats(e, &st);
    assert_int_equal(st.n_trees, 4);
    assert_int_equal(st.n_classic_trees, 1);
    assert_int_equal(st.max_path_features, 64);
    assert_int_equal(st.n_table_trees + st.n_direct_trees, 3);
    shap_explainer_free(e);
    lrn_model_free(mod);
}

/* The reported tables: (d/2 + 1) 2^d doubles per tabled leaf; none with depth -1; the
 * budget is respected and what does not fit uses the direct method, same values. */
static void test_stats_and_budget(void **state)
{
    (void)state;
    cs_rng r;
    cs_rng_seed(&r, 5);
    int nt = 30;
    tree *ts = calloc((size_t)nt, sizeof *ts);
    for (int t = 0; t < nt; t++) ts[t] = _leafwise(&r, 31, 12, 0.4);
    lrn_model *mod = _model(ts, nt, 12, 0);
    cs_err err = {0};
    shap_options o = SHAP_OPTIONS_DEFAULT;
    shap_explainer *e = shap_explainer_create_opts(mod, &o, &err);
    shap_stats all;
    shap_explainer_stats(e, &all);
    assert_int_equal(all.n_trees, nt);
    assert_int_equal(all.n_leaves, (size_t)nt * 31);
    assert_true(all.n_table_leaves > 0 && all.table_bytes > 0);
    assert_true(all.plan_bytes > all.table_bytes);
    shap_explainer_free(e);

    o.table_max_depth = -1;
    e = shap_explainer_create_opts(mod, &o, &err);
    shap_stats none;
    shap_explainer_stats(e, &none);
    assert_int_equal(none.table_bytes, 0);
    assert_int_equal(none.n_table_leaves, 0);
    assert_int_equal(none.n_direct_trees, nt);
    shap_explainer_free(e);

    o.table_max_depth = 8;
    o.table_budget = all.table_bytes / 2;
    e = shap_explainer_create_opts(mod, &o, &err);
    shap_stats half;
    shap_explainer_stats(e, &half);
    assert_true(half.table_bytes <= o.table_budget && half.table_bytes > 0);
    assert_true(half.n_direct_trees > all.n_direct_trees);
    shap_explainer_free(e);
    _against_recursive(mod, &o, 30, 11);

    /* a single tree with one leaf of each depth 0..8: the exact table size */
    o = (shap_options)SHAP_OPTIONS_DEFAULT;
    tree *c = calloc(1, sizeof *c);
    c[0] = _chain(&r, 8, 12);
    lrn_model *cm = _model(c, 1, 12, 0);
    e = shap_explainer_create_opts(cm, &o, &err);
    shap_stats cs;
    shap_explainer_stats(e, &cs);
    size_t want = 0;
    for (int dd = 1; dd <= 8; dd++) want += ((size_t)1 << dd) * (size_t)(dd + 2) / 2;
    want += (size_t)((1 << 8) * 10 / 2);   /* the last leaf, also 8 features */
    assert_int_equal(cs.table_bytes, want * sizeof(double));
    assert_int_equal(cs.n_table_trees, 1);
    shap_explainer_free(e);
    lrn_model_free(cm);
    lrn_model_free(mod);
}

/* A complete tree of `depth` levels over features 0..n_feats-1 (XGBoost's depth-wise shape),
 * covers split at random, a zero-cover child now and then. */
static int32_t _full(tree *t, cs_rng *r, int depth, double cover, int n_feats)
{
    int32_t i = t->n_nodes++;
    tree_node *nd = &t->nodes[i];
    nd->cover = cover;
    if (depth == 0) {
        *nd = (tree_node){.feature = -1, .left = -1, .right = -1, .value = cs_rng_normal(r), .cover = cover};
        return i;
    }
    nd->feature = (int32_t)cs_rng_below(r, (uint64_t)n_feats);
    nd->threshold = floor(cs_rng_normal(r) * 4) / 4;
    nd->default_left = (uint8_t)cs_rng_below(r, 2);
    double u = cs_rng_uniform(r), share = u < 0.03 ? 0 : 0.05 + 0.9 * cs_rng_uniform(r);
    int32_t a = _full(t, r, depth - 1, cover * share, n_feats);
    int32_t b = _full(t, r, depth - 1, cover * (1 - share), n_feats);
    t->nodes[i].left = a;
    t->nodes[i].right = b;
    return i;
}

/* phi of n random rows by the matrix path without tables (the incremental method where
 * planned) and by the direct method only: equal to 1e-12 of the row's total; returns the
 * incremental trees planned. */
static int _incremental_vs_direct(const lrn_model *mod, int n, uint64_t seed)
{
    cs_err err = {0};
    shap_options o = SHAP_OPTIONS_DEFAULT, od = SHAP_OPTIONS_DEFAULT;
    o.table_max_depth = -1;
    od.table_max_depth = -1;
    od.direct_only = 1;
    shap_explainer *e = shap_explainer_create_opts(mod, &o, &err), *ed = shap_explainer_create_opts(mod, &od, &err);
    assert_non_null(e);
    assert_non_null(ed);
    shap_stats st, sd;
    shap_explainer_stats(e, &st);
    shap_explainer_stats(ed, &sd);
    assert_int_equal(sd.n_incremental_trees, 0);
    assert_true(st.plan_bytes >= sd.plan_bytes);
    size_t d = mod->n_feats;
    double *x = malloc(d * sizeof *x), *a = malloc(d * sizeof *a), *b = malloc(d * sizeof *b);
    cs_rng r;
    cs_rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++) x[j] = _x(&r);
        assert_int_equal(shap_explain_rows(e, x, 1, a, &err), CS_OK);
        assert_int_equal(shap_explain_row(ed, x, b, &err), CS_OK);
        double tot = 0;
        for (size_t j = 0; j < d; j++) tot += fabs(b[j]);
        for (size_t j = 0; j < d; j++)
            if (fabs(a[j] - b[j]) > 1e-12 * fmax(1, tot))
                fail_msg("row %d feature %zu: incremental %.17g, direct %.17g", i, j, a[j], b[j]);
    }
    free(x);
    free(a);
    free(b);
    shap_explainer_free(e);
    shap_explainer_free(ed);
    return st.n_incremental_trees;
}

static void test_incremental_equals_direct(void **state)
{
    (void)state;
    cs_rng r;
    cs_rng_seed(&r, 606);
    /* XGBoost-like complete trees of depth 2..12 (the one-row path of /v1/explain) */
    for (int depth = 2; depth <= 12; depth += 2) {
        int nt = 8, nf = 4 + depth;
        tree *ts = calloc((size_t)nt, sizeof *ts);
        for (int t = 0; t < nt; t++) {
            ts[t] = (tree){0, calloc((size_t)2 << depth, sizeof(tree_node))};
            _full(&ts[t], &r, depth, 100 + 50 * cs_rng_uniform(&r), nf);
        }
        lrn_model *mod = _model(ts, nt, (size_t)nf, depth == 4);
        int incr = _incremental_vs_direct(mod, 30, (uint64_t)depth);
        if (depth >= 4) assert_true(incr > 0);     /* estimated cheaper: most complete trees */
        _against_recursive(mod, NULL, 10, (uint64_t)depth + 1);
        lrn_model_free(mod);
    }
    /* leaf-wise trees: long lopsided paths, repeated features, zero cover, a single leaf */
    int planned = 0;
    for (int trial = 0; trial < 12; trial++) {
        int nt = 10, nf = 3 + trial % 8;
        tree *ts = calloc((size_t)nt, sizeof *ts);
        for (int t = 0; t < nt; t++) ts[t] = _leafwise(&r, t == 0 ? 1 : 2 + (int)cs_rng_below(&r, 40), nf,
                                                     trial % 2 ? 0.9 : 0.3);
        lrn_model *mod = _model(ts, nt, (size_t)nf, trial % 4 == 1);
        planned += _incremental_vs_direct(mod, 30, (uint64_t)(trial + 50));
        lrn_model_free(mod);
    }
    assert_true(planned > 0);
}

/* A complete tree of `depth` levels whose level k splits on feature f0 + k: no feature
 * repeats on a path (the summed method's path without masks). */
static int32_t _full_distinct(tree *t, cs_rng *r, int depth, int level, double cover, int f0)
{
    int32_t i = t->n_nodes++;
    tree_node *nd = &t->nodes[i];
    nd->cover = cover;
    if (level == depth) {
        *nd = (tree_node){.feature = -1, .left = -1, .right = -1, .value = cs_rng_normal(r), .cover = cover};
        return i;
    }
    nd->feature = f0 + level;
    nd->threshold = floor(cs_rng_normal(r) * 4) / 4;
    nd->default_left = (uint8_t)cs_rng_below(r, 2);
    double u = cs_rng_uniform(r), share = u < 0.03 ? 0 : u < 0.05 ? 1 : 0.05 + 0.9 * cs_rng_uniform(r);
    int32_t a = _full_distinct(t, r, depth, level + 1, cover * share, f0);
    int32_t b = _full_distinct(t, r, depth, level + 1, cover * (1 - share), f0);
    t->nodes[i].left = a;
    t->nodes[i].right = b;
    return i;
}

/* The summed method (the one-row path, shap_explain_row) against the recursive algorithm:
 * complete trees of depth 2 to 12 with and without features repeated on a path, NaN and
 * infinite values on both default sides, zero-cover children; leaf-wise trees; a forest. */
static void test_summed_equals_recursive(void **state)
{
    (void)state;
    cs_rng r;
    cs_rng_seed(&r, 2027);
    shap_options o = SHAP_OPTIONS_DEFAULT;
    o.table_max_depth = -1;     /* serve's explainer */
    for (int depth = 2; depth <= 12; depth++) {
        for (int kind = 0; kind < 3; kind++) {   /* distinct per level, few features, mixed */
            int nt = depth > 9 ? 3 : 8, nf = kind == 1 ? 3 : 2 * depth + 4;
            tree *ts = calloc((size_t)nt, sizeof *ts);
            for (int t = 0; t < nt; t++) {
                ts[t] = (tree){0, calloc((size_t)2 << depth, sizeof(tree_node))};
                double cover = 100 + 50 * cs_rng_uniform(&r);
                if (kind == 0 || (kind == 2 && t % 2)) _full_distinct(&ts[t], &r, depth, 0, cover,
                                                                      (int)cs_rng_below(&r, (uint64_t)(depth + 4)));
                else _full(&ts[t], &r, depth, cover, nf);
            }
            lrn_model *mod = _model(ts, nt, (size_t)nf, kind == 2 && depth % 3 == 0);
            cs_err err = {0};
            shap_explainer *e = shap_explainer_create_opts(mod, &o, &err);
            assert_non_null(e);
            shap_stats st;
            shap_explainer_stats(e, &st);
            if (depth >= 3 && kind == 0) assert_int_equal(st.n_summed_trees, nt);   /* cheaper than direct */
            if (depth >= 4) assert_true(st.n_summed_trees > 0);
            shap_explainer_free(e);
            _against_recursive(mod, &o, depth > 9 ? 12 : 40, (uint64_t)(depth * 10 + kind));
            lrn_model_free(mod);
        }
    }
    int planned = 0;
    for (int trial = 0; trial < 16; trial++) {    /* leaf-wise: long lopsided paths */
        int nt = 10, nf = 3 + trial % 8;
        tree *ts = calloc((size_t)nt, sizeof *ts);
        for (int t = 0; t < nt; t++) ts[t] = _leafwise(&r, t == 0 ? 1 : 2 + (int)cs_rng_below(&r, 60), nf,
                                                     trial % 2 ? 0.9 : 0.3);
        lrn_model *mod = _model(ts, nt, (size_t)nf, trial % 4 == 1);
        cs_err err = {0};
        shap_explainer *e = shap_explainer_create_opts(mod, &o, &err);
        shap_stats st;
        shap_explainer_stats(e, &st);
        planned += st.n_summed_trees;
        shap_explainer_free(e);
        _against_recursive(mod, &o, 40, (uint64_t)(trial + 900));
        lrn_model_free(mod);
    }
    assert_true(planned > 0);
}

static void test_bad_options(void **state)
{
    (void)state;
    cs_rng r;
    cs_rng_seed(&r, 1);
    tree *ts = calloc(1, sizeof *ts);
    ts[0] = _leafwise(&r, 5, 3, 0.5);
    lrn_model *mod = _model(ts, 1, 3, 0);
    cs_err err = {0};
    shap_options o = SHAP_OPTIONS_DEFAULT;
    o.table_max_depth = 17;
    assert_null(shap_explainer_create_opts(mod, &o, &err));
    assert_int_equal(err.code, CS_EINVAL);
    assert_non_null(strstr(err.msg, "table depth"));
    o.table_max_depth = -2;
    assert_null(shap_explainer_create_opts(mod, &o, &err));
    lrn_model_free(mod);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_equals_recursive),
        cmocka_unit_test(test_engine_equals_brute_force),
        cmocka_unit_test(test_deep_chain_fallback),
        cmocka_unit_test(test_stats_and_budget),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_incremental_equals_direct),
        cmocka_unit_test(test_summed_equals_recursive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
