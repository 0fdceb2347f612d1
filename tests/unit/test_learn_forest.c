/*
 * test_learn_forest.c: unit tests of the random forest (src/learn/forest.c) and the dummy
 * baseline (src/learn/dummy.c): probabilities in [0, 1], a known function learned, leaf
 * values that are class frequencies, the same forest whatever the thread count, balanced
 * class weights, parameter checks; the dummy predicts the prior.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/metrics.h"
#include "learn/forest.h"
#include "learn/learner.h"

#define NF 8

static feat_matrix *_data(size_t n, uint64_t seed, double *truth)
{
    feat_matrix *m = calloc(1, sizeof *m);
    m->n_rows = n;
    m->n_feats = NF;
    m->values = calloc(n * NF, sizeof *m->values);
    m->target = calloc(n, sizeof *m->target);
    m->ids = calloc(n, sizeof *m->ids);
    cs_rng r;
    cs_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < NF; j++)
            m->values[j * n + i] = cs_rng_uniform(&r) < 0.1 ? NAN : cs_rng_normal(&r);
        double x0 = m->values[i], x1 = m->values[n + i];
        double lg = -2.5 + 2 * (x0 == x0 && x0 > 0) + 1.5 * (x1 == x1 ? x1 : -1);
        m->target[i] = cs_rng_uniform(&r) < 1 / (1 + exp(-lg)) ? 1 : 0;
        if (truth) truth[i] = lg;
    }
    return m;
}

static void _free_data(feat_matrix *m)
{
    free(m->values);
    free(m->target);
    free(m->ids);
    free(m);
}

static lrn_model *_fit(lrn_kind kind, const char *json, const feat_matrix *m, size_t n_train)
{
    cs_err err = {0};
    lrn_params *p = lrn_params_from_json(kind, json, &err);
    if (!p) fail_msg("%s", err.msg);
    size_t *rows = malloc(n_train * sizeof *rows);
    for (size_t i = 0; i < n_train; i++) rows[i] = n_train - 1 - i;   /* any order */
    lrn_model *mod = NULL;
    if (lrn_fit(p, m, rows, n_train, NULL, 0, NULL, &mod, &err)) fail_msg("%s", err.msg);
    free(rows);
    lrn_params_free(p);
    return mod;
}

static void test_forest_learns_and_is_a_probability(void **state)
{
    (void)state;
    size_t n = 5000, ntr = 3500;
    double *truth = malloc(n * sizeof *truth);
    feat_matrix *m = _data(n, 1, truth);
    lrn_model *f = _fit(LRN_FOREST, "{\"n_estimators\": 60, \"min_samples_leaf\": 5, \"seed\": 3}", m, ntr);
    assert_int_equal(f->n_trees, 60);
    assert_true(f->average);
    double *p = malloc(n * sizeof *p);
    cs_err err = {0};
    assert_int_equal(lrn_predict_matrix(f, m, NULL, 0, 0, p, &err), CS_OK);
    for (size_t i = 0; i < n; i++) assert_true(p[i] >= 0 && p[i] <= 1);
    double auc = ev_auc(m->target + ntr, p + ntr, n - ntr);
    double best = ev_auc(m->target + ntr, truth + ntr, n - ntr);
    assert_true(auc > best - 0.04);
    /* every leaf holds a class-1 frequency, every node a positive cover */
    for (int32_t t = 0; t < f->n_trees; t++)
        for (int32_t k = 0; k < f->trees[t].n_nodes; k++) {
            const tree_node *nd = &f->trees[t].nodes[k];
            assert_true(nd->value >= 0 && nd->value <= 1);
            assert_true(nd->cover > 0);
            assert_true(tree_validate(&f->trees[t], NF, &err) == CS_OK);
        }
    /* deep trees (no depth limit, min_samples_leaf 1) fit the training rows closely */
    lrn_model *deep = _fit(LRN_FOREST, "{\"n_estimators\": 10, \"bootstrap\": false, \"max_features\": null, \"min_samples_leaf\": 1}", m, ntr);
    assert_int_equal(lrn_predict_matrix(deep, m, NULL, 0, 0, p, &err), CS_OK);
    size_t right = 0;
    for (size_t i = 0; i < ntr; i++) right += (p[i] > 0.5) == (m->target[i] == 1);
    assert_true((double)right / (double)ntr > 0.97);
    lrn_model_free(deep);
    free(p);
    free(truth);
    lrn_model_free(f);
    _free_data(m);
}

static void test_forest_same_for_any_thread_count(void **state)
{
    (void)state;
    feat_matrix *m = _data(2000, 2, NULL);
    lrn_model *a = _fit(LRN_FOREST, "{\"n_estimators\": 12, \"seed\": 5, \"num_threads\": 1}", m, 2000);
    lrn_model *b = _fit(LRN_FOREST, "{\"n_estimators\": 12, \"seed\": 5, \"n_jobs\": 2}", m, 2000);
    lrn_model *c = _fit(LRN_FOREST, "{\"n_estimators\": 12, \"random_state\": 6, \"n_jobs\": 2}", m, 2000);
    int differs = 0;
    for (int32_t t = 0; t < a->n_trees; t++) {
        assert_int_equal(a->trees[t].n_nodes, b->trees[t].n_nodes);
        assert_memory_equal(a->trees[t].nodes, b->trees[t].nodes, (size_t)a->trees[t].n_nodes * sizeof(tree_node));
        differs |= a->trees[t].n_nodes != c->trees[t].n_nodes ||
                   memcmp(a->trees[t].nodes, c->trees[t].nodes, (size_t)a->trees[t].n_nodes * sizeof(tree_node));
    }
    assert_true(differs);
    lrn_model_free(a);
    lrn_model_free(b);
    lrn_model_free(c);
    _free_data(m);
}

static double _mean_proba(const lrn_model *mod, const feat_matrix *m)
{
    double *p = malloc(m->n_rows * sizeof *p), s = 0;
    lrn_predict_matrix(mod, m, NULL, 0, 0, p, NULL);
    for (size_t i = 0; i < m->n_rows; i++) s += p[i];
    free(p);
    return s / (double)m->n_rows;
}

static void test_forest_balanced_and_params(void **state)
{
    (void)state;
    feat_matrix *m = _data(2000, 3, NULL);
    lrn_model *plain = _fit(LRN_FOREST, "{\"n_estimators\": 20, \"min_samples_leaf\": 20}", m, 2000);
    lrn_model *bal = _fit(LRN_FOREST, "{\"n_estimators\": 20, \"min_samples_leaf\": 20, \"class_weight\": \"balanced\"}", m, 2000);
    double prior = 0;
    for (size_t i = 0; i < m->n_rows; i++) prior += m->target[i] / (double)m->n_rows;
    assert_true(prior < 0.4);
    assert_true(fabs(_mean_proba(plain, m) - prior) < 0.03);
    assert_true(_mean_proba(bal, m) > prior + 0.08);       /* balanced pulls towards 0.5 */
    lrn_model_free(plain);
    lrn_model_free(bal);
    cs_err err = {0};
    assert_null(lrn_params_from_json(LRN_FOREST, "{\"max_features\": \"cube\"}", &err));
    assert_non_null(strstr(err.msg, "max_features"));
    assert_null(lrn_params_from_json(LRN_FOREST, "{\"max_features\": 1.5}", &err));
    assert_null(lrn_params_from_json(LRN_FOREST, "{\"class_weight\": \"heavy\"}", &err));
    assert_null(lrn_params_from_json(LRN_FOREST, "{\"learning_rate\": 0.1}", &err));
    assert_non_null(strstr(err.msg, "learning_rate"));
    lrn_params *p = lrn_params_from_json(LRN_FOREST, "{\"max_features\": 0.5, \"max_depth\": null}", &err);
    assert_non_null(p);
    const rf_params *rp = lrn_params_raw_const(p);
    assert_int_equal(rp->max_features, RF_MF_FRACTION);
    cs_buf b = {0};
    lrn_params_to_json(p, &b, &err);
    lrn_params *q = lrn_params_from_json(LRN_FOREST, b.data, &err);
    assert_non_null(q);
    assert_int_equal(((const rf_params *)lrn_params_raw_const(q))->max_features, RF_MF_FRACTION);
    assert_int_equal(lrn_params_set(q, "max_features", "3", &err), CS_OK);
    assert_int_equal(((const rf_params *)lrn_params_raw_const(q))->max_features, RF_MF_COUNT);
    cs_buf_free(&b);
    lrn_params_free(p);
    lrn_params_free(q);
    _free_data(m);
}

static void test_dummy_is_the_prior(void **state)
{
    (void)state;
    feat_matrix *m = _data(1000, 4, NULL);
    lrn_model *d = _fit(LRN_DUMMY, "{}", m, 800);
    double prior = 0;
    for (size_t i = 0; i < 800; i++) prior += m->target[i] / 800.0;
    double p[1000];
    assert_int_equal(lrn_predict_matrix(d, m, NULL, 0, 0, p, NULL), CS_OK);
    for (size_t i = 0; i < 1000; i++) assert_true(fabs(p[i] - prior) < 1e-12);
    assert_true(isnan(ev_auc(m->target, p, 1000)) || fabs(ev_auc(m->target, p, 1000) - 0.5) < 1e-12);
    cs_err err = {0};
    assert_null(lrn_params_from_json(LRN_DUMMY, "{\"strategy\": \"prior\"}", &err));
    assert_non_null(strstr(err.msg, "strategy"));
    lrn_model_free(d);
    _free_data(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forest_learns_and_is_a_probability),
        cmocka_unit_test(test_forest_same_for_any_thread_count),
        cmocka_unit_test(test_forest_balanced_and_params),
        cmocka_unit_test(test_dummy_is_the_prior),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
