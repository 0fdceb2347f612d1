/*
 * test_explain_shap.c: unit tests of src/explain: TreeSHAP against brute-force Shapley
 * values (every subset, path-dependent conditional expectations) on random hand-built trees
 * with repeated features and missing values; additivity (expected + sum == raw score) for
 * boosted, averaged (forest), XGBoost, linear and dummy models; XGBoost's own pred_contribs
 * through the C API; global importance; reason codes in English and French.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

#include "base/cs.h"
#include "explain/shap.h"
#include "features/featfile.h"
#include "learn/learn_int.h"
#include "learn/learner.h"
#include "learn/xgb.h"

/* ---- random trees ------------------------------------------------------------------- */

/* Grow node i of a random tree to at most `depth` more levels; covers add up. */
static int32_t _grow(tree *t, cs_rng *r, int depth, double cover, int n_feats)
{
    int32_t i = t->n_nodes++;
    tree_node *nd = &t->nodes[i];
    nd->cover = cover;
    if (depth == 0 || (i > 0 && cs_rng_uniform(r) < 0.2)) {
        nd->feature = -1;
        nd->left = nd->right = -1;
        nd->value = cs_rng_normal(r);
        return i;
    }
    nd->feature = (int32_t)cs_rng_below(r, (uint64_t)n_feats);
    nd->threshold = floor(cs_rng_normal(r) * 4) / 4;   /* on a grid: ties with x happen */
    nd->default_left = (uint8_t)cs_rng_below(r, 2);
    nd->gain = cs_rng_uniform(r);
    double share = 0.1 + 0.8 * cs_rng_uniform(r);
    int32_t l = _grow(t, r, depth - 1, cover * share, n_feats);
    int32_t rr = _grow(t, r, depth - 1, cover * (1 - share), n_feats);
    t->nodes[i].left = l;
    t->nodes[i].right = rr;
    return i;
}

static tree _random_tree(cs_rng *r, int depth, int n_feats)
{
    tree t = {0, calloc((size_t)1 << (depth + 1), sizeof(tree_node))};
    _grow(&t, r, depth, 100 + 50 * cs_rng_uniform(r), n_feats);
    return t;
}

/* E[f(x) | x_S known], unknown features averaged by cover (path-dependent). */
static double _cond(const tree *t, int32_t i, const double *x, unsigned S)
{
    const tree_node *nd = &t->nodes[i];
    if (nd->feature < 0) return nd->value;
    if (S & (1u << nd->feature)) {
        double v = x[nd->feature];
        int left = v != v ? nd->default_left : v <= nd->threshold;
        return _cond(t, left ? nd->left : nd->right, x, S);
    }
    return (t->nodes[nd->left].cover * _cond(t, nd->left, x, S) +
            t->nodes[nd->right].cover * _cond(t, nd->right, x, S)) / nd->cover;
}

static void _brute_shap(const tree *t, const double *x, int M, double *phi)
{
    double fact[16] = {1};
    for (int k = 1; k < 16; k++) fact[k] = fact[k - 1] * k;
    for (int i = 0; i < M; i++) {
        phi[i] = 0;
        for (unsigned S = 0; S < (1u << M); S++) {
            if (S & (1u << i)) continue;
            int s = __builtin_popcount(S);
            double w = fact[s] * fact[M - s - 1] / fact[M];
            phi[i] += w * (_cond(t, 0, x, S | (1u << i)) - _cond(t, 0, x, S));
        }
    }
}

static void test_treeshap_equals_brute_force(void **state)
{
    (void)state;
    cs_rng r;
    cs_rng_seed(&r, 2024);
    const int M = 5;
    for (int trial = 0; trial < 200; trial++) {
        tree t = _random_tree(&r, 1 + trial % 6, M);
        char *work = malloc(shap_work_size(tree_depth(&t)));
        for (int rep = 0; rep < 5; rep++) {
            double x[5], phi[5] = {0}, ref[5];
            for (int j = 0; j < M; j++) {
                double u = cs_rng_uniform(&r);
                x[j] = u < 0.15 ? NAN : floor(cs_rng_normal(&r) * 4) / 4;
            }
            shap_tree_add(&t, x, 1.0, phi, work);
            _brute_shap(&t, x, M, ref);
            double sum = shap_tree_expected(&t);
            for (int j = 0; j < M; j++) {
                if (fabs(phi[j] - ref[j]) > 1e-12)
                    fail_msg("trial %d feature %d: treeshap %.17g, brute force %.17g", trial, j, phi[j], ref[j]);
                sum += phi[j];
            }
            assert_true(fabs(sum - tree_predict_row(&t, x)) < 1e-12);
            /* the expected value is the empty set's conditional expectation */
            assert_true(fabs(shap_tree_expected(&t) - _cond(&t, 0, x, 0)) < 1e-12);
        }
        free(work);
        free(t.nodes);
    }
}

/* ---- whole models --------------------------------------------------------------------- */

static feat_matrix *_make(size_t n, size_t d, uint64_t seed)
{
    cs_rng r;
    cs_rng_seed(&r, seed);
    feat_matrix *m = feat_matrix_create(n, d, NULL);
    assert_non_null(m);
    for (size_t j = 0; j < d; j++) {
        char name[32];
        snprintf(name, sizeof name, "F%zu", j);
        m->names[j] = strdup(name);
    }
    for (size_t i = 0; i < n; i++) {
        double s = -0.7;
        for (size_t j = 0; j < d; j++) {
            double z = cs_rng_normal(&r), u = cs_rng_uniform(&r);
            double v = u < 0.1 ? NAN : (u < 0.11 ? INFINITY : z * (double)(j + 1));
            m->values[j * n + i] = v;
            if (isfinite(v)) s += (j % 2 ? 0.8 : -0.5) * z;
        }
        m->ids[i] = (int64_t)i;
        m->target[i] = cs_rng_uniform(&r) < 1 / (1 + exp(-s)) ? 1 : 0;
    }
    return m;
}

/* expected + sum phi == raw score for every row of m, to 1e-9. */
static void _check_additive(const lrn_model *mod, const feat_matrix *m)
{
    cs_err err = {0};
    shap_explainer *e = shap_explainer_create(mod, &err);
    assert_non_null(e);
    size_t n = m->n_rows, d = m->n_feats;
    double *phi = malloc(n * d * sizeof *phi), *raw = malloc(n * sizeof *raw), x[64], one[64];
    assert_int_equal(shap_explain_matrix(e, m, NULL, 0, phi, &err), CS_OK);
    assert_int_equal(lrn_predict_matrix(mod, m, NULL, 0, 1, raw, &err), CS_OK);
    for (size_t i = 0; i < n; i++) {
        double s = shap_expected_value(e);
        for (size_t j = 0; j < d; j++) s += phi[i * d + j];
        if (fabs(s - raw[i]) > 1e-9) fail_msg("row %zu: expected + sum %.17g, raw %.17g", i, s, raw[i]);
        if (i % 97 == 0) {  /* the one-row call (the incremental method) agrees with the batch */
            double tot = 0;
            for (size_t j = 0; j < d; j++) {
                x[j] = feat_col(m, j)[i];
                tot += fabs(phi[i * d + j]);
            }
            assert_int_equal(shap_explain_row(e, x, one, &err), CS_OK);
            for (size_t j = 0; j < d; j++)
                if (fabs(one[j] - phi[i * d + j]) > 1e-12 * fmax(1, tot))
                    fail_msg("row %zu feature %zu: one row %.17g, batch %.17g", i, j, one[j], phi[i * d + j]);
        }
    }
    free(phi);
    free(raw);
    shap_explainer_free(e);
}

static lrn_model *_random_ensemble(int average, int n_trees, size_t n_feats, uint64_t seed)
{
    cs_rng r;
    cs_rng_seed(&r, seed);
    lrn_model *mod = lrn_model_create(average ? LRN_FOREST : LRN_GBDT, n_feats, NULL);
    mod->average = average;
    mod->base_score = average ? 0 : -1.3;
    mod->trees = calloc((size_t)n_trees, sizeof(tree));
    mod->n_trees = n_trees;
    for (int t = 0; t < n_trees; t++) mod->trees[t] = _random_tree(&r, 2 + t % 5, (int)n_feats);
    return mod;
}

static void test_additivity_tree_models(void **state)
{
    (void)state;
    feat_matrix *m = _make(400, 6, 5);
    for (int average = 0; average <= 1; average++) {
        lrn_model *mod = _random_ensemble(average, 30, 6, 77 + (uint64_t)average);
        _check_additive(mod, m);
        lrn_model_free(mod);
    }
    feat_matrix_free(m);
}

/* Our own learners' models (learn/gbdt.c, forest.c), fitted through the interface. */
static void test_additivity_fitted_gbdt_forest(void **state)
{
    (void)state;
    /* strong references: unit tests link the layers as archives (see test_learn_lr.c) */
    assert_int_equal(lrn_gbdt_ops.kind, LRN_GBDT);
    assert_int_equal(lrn_forest_ops.kind, LRN_FOREST);
    feat_matrix *m = _make(1200, 6, 21);
    size_t rows[1200];
    for (size_t i = 0; i < 1200; i++) rows[i] = i;
    const struct {
        lrn_kind kind;
        const char *params;
    } cases[] = {
        {LRN_GBDT, "{\"num_iterations\": 40, \"num_leaves\": 15, \"learning_rate\": 0.2, \"min_data_in_leaf\": 5}"},
        {LRN_FOREST, "{\"n_estimators\": 15, \"max_depth\": 6, \"seed\": 3}"},
    };
    for (size_t c = 0; c < 2; c++) {
        cs_err err = {0};
        lrn_params *p = lrn_params_from_json(cases[c].kind, cases[c].params, &err);
        if (!p) fail_msg("%s", err.msg);
        lrn_model *mod = NULL;
        if (lrn_fit(p, m, rows, 1200, NULL, 0, NULL, &mod, &err)) fail_msg("%s", err.msg);
        assert_true(mod->n_trees > 1);
        _check_additive(mod, m);
        lrn_model_free(mod);
        lrn_params_free(p);
    }
    feat_matrix_free(m);
}

static void test_xgboost_pred_contribs(void **state)
{
    (void)state;
    feat_matrix *m = _make(1500, 6, 6);
    xgb_params p = XGB_PARAMS_DEFAULT;
    p.num_boost_round = 30;
    p.max_depth = 5;
    p.eta = 0.3;
    p.nthread = 2;
    lrn_model *mod = NULL;
    char *json = NULL;
    cs_err err = {0};
    size_t *rows = malloc(m->n_rows * sizeof *rows);
    for (size_t i = 0; i < m->n_rows; i++) rows[i] = i;
    if (xgb_fit(&p, m, rows, m->n_rows, NULL, 0, NULL, NULL, &mod, &json, &err)) fail_msg("%s", err.msg);
    _check_additive(mod, m);
    /* XGBoost's own TreeSHAP */
    BoosterHandle h;
    DMatrixHandle dm;
    float *x = xgb_dense_rows(m, NULL, 0, &err);
    assert_int_equal(XGDMatrixCreateFromMat(x, m->n_rows, m->n_feats, NAN, &dm), 0);
    assert_int_equal(XGBoosterCreate(NULL, 0, &h), 0);
    assert_int_equal(XGBoosterLoadModelFromBuffer(h, json, strlen(json)), 0);
    bst_ulong len;
    const float *contrib;
    assert_int_equal(XGBoosterPredict(h, dm, 4, 0, 0, &len, &contrib), 0);
    size_t d = m->n_feats;
    assert_int_equal(len, m->n_rows * (d + 1));
    shap_explainer *e = shap_explainer_create(mod, &err);
    double *phi = malloc(m->n_rows * d * sizeof *phi), worst = 0;
    assert_int_equal(shap_explain_matrix(e, m, NULL, 0, phi, &err), CS_OK);
    for (size_t i = 0; i < m->n_rows; i++) {
        for (size_t j = 0; j < d; j++)
            worst = fmax(worst, fabs(phi[i * d + j] - contrib[i * (d + 1) + j]));
        worst = fmax(worst, fabs(shap_expected_value(e) - contrib[i * (d + 1) + d]));
    }
    if (worst > 1e-6) fail_msg("largest difference from pred_contribs %g", worst);
    XGBoosterFree(h);
    XGDMatrixFree(dm);
    free(x);
    free(phi);
    free(rows);
    free(json);
    shap_explainer_free(e);
    lrn_model_free(mod);
    feat_matrix_free(m);
}

static void test_linear_and_dummy(void **state)
{
    (void)state;
    feat_matrix *m = _make(600, 5, 7);
    cs_err err = {0};
    assert_int_equal(lrn_logreg_ops.kind, LRN_LOGREG);   /* pulls lr_learner.o from the archive */
    lrn_params *p = lrn_params_from_json(LRN_LOGREG, "{\"C\": 0.2}", &err);
    if (!p) fail_msg("%s", err.msg);
    size_t rows[600];
    for (size_t i = 0; i < 600; i++) rows[i] = i;
    lrn_model *mod = NULL;
    assert_int_equal(lrn_fit(p, m, rows, 600, NULL, 0, NULL, &mod, &err), CS_OK);
    _check_additive(mod, m);
    shap_explainer *e = shap_explainer_create(mod, &err);
    assert_true(shap_expected_value(e) == mod->base_score);
    double x[5] = {NAN, 1e300, -INFINITY, 0.5, 2}, phi[5];
    assert_int_equal(shap_explain_row(e, x, phi, &err), CS_OK);
    assert_true(phi[0] == 0);    /* missing: imputed with the reference value */
    assert_true(fabs(phi[1] - mod->lin_coef[1] * (mod->lin_hi[1] - mod->lin_center[1]) / mod->lin_scale[1]) < 1e-15);
    assert_true(fabs(phi[2] - mod->lin_coef[2] * (mod->lin_lo[2] - mod->lin_center[2]) / mod->lin_scale[2]) < 1e-15);
    assert_true(fabs(phi[3] - mod->lin_coef[3] * (0.5 - mod->lin_center[3]) / mod->lin_scale[3]) < 1e-15);
    shap_explainer_free(e);
    lrn_model_free(mod);
    lrn_params_free(p);
    /* dummy: no contributions, the prior as the expected value */
    lrn_model *dm = lrn_model_create(LRN_DUMMY, 5, &err);
    dm->base_score = -2.1;
    _check_additive(dm, m);
    e = shap_explainer_create(dm, &err);
    assert_int_equal(shap_explain_row(e, x, phi, &err), CS_OK);
    for (int j = 0; j < 5; j++) assert_true(phi[j] == 0);
    assert_true(shap_expected_value(e) == -2.1);
    shap_explainer_free(e);
    lrn_model_free(dm);
    feat_matrix_free(m);
}

static void test_importance(void **state)
{
    (void)state;
    feat_matrix *m = _make(500, 6, 8);
    lrn_model *mod = _random_ensemble(0, 20, 6, 9);
    cs_err err = {0};
    shap_explainer *e = shap_explainer_create(mod, &err);
    double ma[6], gain[6], ref[6] = {0}, ref_gain[6] = {0};
    double *phi = malloc(500 * 6 * sizeof *phi);
    size_t used;
    assert_int_equal(shap_importance(e, m, NULL, 0, 0, 1, ma, gain, &used, &err), CS_OK);
    assert_int_equal(used, 500);
    assert_int_equal(shap_explain_matrix(e, m, NULL, 0, phi, &err), CS_OK);
    for (size_t i = 0; i < 500; i++)
        for (size_t j = 0; j < 6; j++) ref[j] += fabs(phi[i * 6 + j]) / 500;
    for (int32_t t = 0; t < mod->n_trees; t++)
        for (int32_t k = 0; k < mod->trees[t].n_nodes; k++)
            if (mod->trees[t].nodes[k].feature >= 0)
                ref_gain[mod->trees[t].nodes[k].feature] += mod->trees[t].nodes[k].gain;
    for (size_t j = 0; j < 6; j++) {
        assert_true(fabs(ma[j] - ref[j]) < 1e-12);
        assert_true(fabs(gain[j] - ref_gain[j]) < 1e-9);
    }
    /* a sample: the requested size, reproducible with the seed, different with another */
    double a[6], b[6], c[6];
    size_t rows[300];
    for (size_t i = 0; i < 300; i++) rows[i] = 2 * i % 500;
    assert_int_equal(shap_importance(e, m, rows, 300, 100, 42, a, NULL, &used, &err), CS_OK);
    assert_int_equal(used, 100);
    assert_int_equal(shap_importance(e, m, rows, 300, 100, 42, b, NULL, NULL, &err), CS_OK);
    assert_int_equal(shap_importance(e, m, rows, 300, 100, 43, c, NULL, NULL, &err), CS_OK);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
    /* a matrix of another width is refused */
    feat_matrix *w = _make(10, 3, 1);
    assert_int_equal(shap_importance(e, w, NULL, 0, 0, 1, a, NULL, NULL, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "features"));
    feat_matrix_free(w);
    free(phi);
    shap_explainer_free(e);
    lrn_model_free(mod);
    feat_matrix_free(m);
}

static void test_corrupt_tree_refused(void **state)
{
    (void)state;
    lrn_model *mod = _random_ensemble(0, 3, 4, 10);
    mod->trees[1].nodes[0].left = 999;     /* a child out of range */
    cs_err err = {0};
    assert_null(shap_explainer_create(mod, &err));
    assert_non_null(strstr(err.msg, "tree 1"));
    lrn_model_free(mod);
}

static void test_reason_codes(void **state)
{
    (void)state;
    const char *names[] = {"EXT_SOURCE_3", "DAYS_BIRTH", "BURO_DAYS_CREDIT_MEAN", "PAYMENT_RATE",
                           "CODE_GENDER", "INSTAL_DPD_MAX", "NAME_EDUCATION_TYPE_Higher education",
                           "BURO_CREDIT_DAY_OVERDUE_MAX", "SOME_NEW_FEATURE"};
    double phi[9] = {0.41, 0.12, 0.30, -0.5, 0.05, 0.12, 0.0, 0.02, 0.01};
    double x[9] = {0.1554, -12045, -803.5, 0.0525, 1, 3, 0, 120, 2};
    shap_reason r[9];
    size_t n = shap_reasons(phi, x, names, 9, 4, SHAP_LANG_EN, r);
    assert_int_equal(n, 4);
    assert_int_equal(r[0].feature, 0);
    assert_int_equal(r[1].feature, 2);
    assert_int_equal(r[2].feature, 1);     /* tie 0.12 with feature 5: lower index first */
    assert_int_equal(r[3].feature, 5);
    assert_string_equal(r[0].code, "RC03");
    assert_string_equal(r[0].text, "External credit score 3 (0.155) raises the estimated risk of default.");
    assert_string_equal(r[1].code, "RC51");
    assert_string_equal(r[1].label, "Credit bureau: days credit (average)");
    assert_string_equal(r[2].text, "Age (32 years) raises the estimated risk of default.");
    assert_string_equal(r[3].label, "Days past due on past instalments (maximum)");
    /* French: words, decimal comma */
    n = shap_reasons(phi, x, names, 9, 4, SHAP_LANG_FR, r);
    assert_string_equal(r[0].text, "Score de crédit externe 3 (0,155) augmente le risque de défaut estimé.");
    assert_string_equal(r[1].label, "Bureau de crédit : jours crédit (moyenne)");
    /* more than the positive ones: only the positive ones */
    n = shap_reasons(phi, x, names, 9, 9, SHAP_LANG_EN, r);
    assert_int_equal(n, 7);
    assert_string_equal(r[4].code, "RC09");
    assert_string_equal(r[4].text, "Gender raises the estimated risk of default.");
    assert_string_equal(r[5].code, "RC14");
    assert_string_equal(r[6].code, "RC50");
    assert_string_equal(r[6].label, "Application: some new feature");
    /* a missing value, a percentage */
    x[0] = NAN;
    phi[3] = 1;
    n = shap_reasons(phi, x, names, 9, 2, SHAP_LANG_EN, r);
    assert_string_equal(r[0].text, "Annuity as a share of the credit (5.25%) raises the estimated risk of default.");
    assert_string_equal(r[1].text, "External credit score 3: not known, which raises the estimated risk of default.");
    /* nothing pushes toward default: no reasons */
    double neg[3] = {-1, 0, -0.2};
    assert_int_equal(shap_reasons(neg, x, names, 3, 4, SHAP_LANG_EN, r), 0);
    /* labels alone */
    char label[128], code[8];
    shap_feature_label("NAME_EDUCATION_TYPE_Higher education", SHAP_LANG_EN, label, sizeof label, code);
    assert_string_equal(label, "Education: Higher education");
    assert_string_equal(code, "RC10");
    shap_feature_label("CC_SK_DPD_DEF_MEAN", SHAP_LANG_EN, label, sizeof label, code);
    assert_string_equal(code, "RC16");
    shap_feature_label("PREV_NAME_CONTRACT_STATUS_Refused_MEAN", SHAP_LANG_FR, label, sizeof label, code);
    assert_string_equal(label, "Part des demandes précédentes refusées");
    /* a count feature: the "_COUNT" suffix overlaps the source prefix (once read out of bounds) */
    shap_feature_label("POS_COUNT", SHAP_LANG_EN, label, sizeof label, code);
    assert_string_equal(label, "Point-of-sale and cash loans: number of records");
    assert_string_equal(code, "RC57");
    shap_feature_label("INSTAL_COUNT", SHAP_LANG_FR, label, sizeof label, code);
    assert_string_equal(label, "Paiements d'échéances : nombre d'enregistrements");
    shap_feature_label("CC_COUNT", SHAP_LANG_EN, label, sizeof label, code);
    assert_string_equal(code, "RC59");
    shap_lang lang;
    cs_err err = {0};
    assert_int_equal(shap_lang_from_name("FR", &lang, &err), CS_OK);
    assert_int_equal(lang, SHAP_LANG_FR);
    assert_int_equal(shap_lang_from_name("de", &lang, &err), CS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_treeshap_equals_brute_force),
        cmocka_unit_test(test_additivity_tree_models),
        cmocka_unit_test(test_additivity_fitted_gbdt_forest),
        cmocka_unit_test(test_xgboost_pred_contribs),
        cmocka_unit_test(test_linear_and_dummy),
        cmocka_unit_test(test_importance),
        cmocka_unit_test(test_corrupt_tree_refused),
        cmocka_unit_test(test_reason_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
