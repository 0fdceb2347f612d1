/*
 * test_learn_xgb.c: unit tests of the XGBoost bridge (src/learn/xgb.h): the float-to-double
 * threshold translation on edge values, our prediction of a converted model against
 * libxgboost's own (XGBoosterPredict) on data with NaN and infinities, early stopping on
 * validation AUC, the parameter names, and refusal of corrupt JSON models.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

#include "base/cs.h"
#include "eval/metrics.h"
#include "features/featfile.h"
#include "learn/learner.h"
#include "learn/xgb.h"

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
        double s = -1;
        for (size_t j = 0; j < d; j++) {
            double z = cs_rng_normal(&r);
            double u = cs_rng_uniform(&r);
            /* some missing values, a few infinities, a discrete column */
            double v = j == 2 ? floor(z * 3) : z * (1 + (double)j);
            if (u < 0.1) v = NAN;
            else if (u < 0.12 && j == 1) v = INFINITY;
            else if (u < 0.14 && j == 1) v = -INFINITY;
            m->values[j * n + i] = v;
            s += (j % 2 ? 0.9 : -0.7) * (isfinite(v) ? z : 0.5);
        }
        m->ids[i] = (int64_t)i;
        m->target[i] = cs_rng_uniform(&r) < 1 / (1 + exp(-s)) ? 1 : 0;
    }
    return m;
}

/* x <= xgb_threshold(s) exactly when XGBoost's float(x) < s, on x around s. */
static void _check_threshold(float s)
{
    double t = xgb_threshold(s);
    double xs[12] = {(double)s, t, nextafter(t, INFINITY), nextafter(t, -INFINITY),
                     (double)nextafterf(s, -INFINITY), (double)nextafterf(s, INFINITY),
                     ((double)s + (double)nextafterf(s, -INFINITY)) / 2,
                     ((double)s + (double)nextafterf(s, INFINITY)) / 2,
                     nextafter((double)s, -INFINITY), nextafter((double)s, INFINITY), 0.0, -0.0};
    for (int k = 0; k < 12; k++) {
        double x = xs[k];
        if (!isfinite(x)) continue;
        int ours = x <= t, theirs = xgb_input_value(x) < s;
        if (ours != theirs) fail_msg("s=%.9g x=%.17g t=%.17g: ours %d theirs %d", (double)s, x, t, ours, theirs);
    }
}

static void test_threshold_edges(void **state)
{
    (void)state;
    float fixed[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.5000418f, 1e-45f, -1e-45f, FLT_MIN, 3.0f,
                     16777216.0f, 16777218.0f, -16777218.0f, 1e30f, FLT_MAX, 0.1f, -2.5f};
    for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++) _check_threshold(fixed[k]);
    cs_rng r;
    cs_rng_seed(&r, 9);
    for (int k = 0; k < 100000; k++) {
        uint32_t bits = (uint32_t)cs_rng_u64(&r);
        float s;
        memcpy(&s, &bits, sizeof s);
        if (!isfinite(s)) continue;
        _check_threshold(s);
    }
    /* the extremes */
    assert_true(xgb_threshold(INFINITY) == INFINITY);
    assert_true(xgb_threshold(-INFINITY) == -INFINITY);
    assert_true(xgb_input_value(INFINITY) == FLT_MAX && xgb_input_value(-1e300) == -FLT_MAX);
    assert_true(isnan(xgb_input_value(NAN)));
}

/* libxgboost's margins for all rows of m, from the booster JSON. */
static float *_xgb_margins(const char *json, const feat_matrix *m, int contribs, bst_ulong *len)
{
    BoosterHandle h;
    DMatrixHandle dm;
    float *x = xgb_dense_rows(m, NULL, 0, NULL);
    assert_non_null(x);
    assert_int_equal(XGDMatrixCreateFromMat(x, m->n_rows, m->n_feats, NAN, &dm), 0);
    assert_int_equal(XGBoosterCreate(NULL, 0, &h), 0);
    assert_int_equal(XGBoosterLoadModelFromBuffer(h, json, strlen(json)), 0);
    const float *res;
    assert_int_equal(XGBoosterPredict(h, dm, contribs ? 4 : 1, 0, 0, len, &res), 0);
    float *copy = malloc(*len * sizeof(float));
    memcpy(copy, res, *len * sizeof(float));
    XGBoosterFree(h);
    XGDMatrixFree(dm);
    free(x);
    return copy;
}

static void test_prediction_equals_xgboost(void **state)
{
    (void)state;
    feat_matrix *m = _make(3000, 5, 11);
    xgb_params p = XGB_PARAMS_DEFAULT;
    p.num_boost_round = 40;
    p.max_depth = 4;
    p.eta = 0.2;
    p.subsample = 0.8;
    p.colsample_bytree = 0.8;
    p.max_bin = 32;
    p.nthread = 2;
    size_t rows[2000];
    for (size_t i = 0; i < 2000; i++) rows[i] = i;
    lrn_model *mod = NULL;
    char *json = NULL;
    cs_err err = {0};
    if (xgb_fit(&p, m, rows, 2000, NULL, 0, NULL, NULL, &mod, &json, &err)) fail_msg("%s", err.msg);
    assert_int_equal(mod->n_trees, 40);
    assert_int_equal(mod->kind, LRN_XGBOOST);
    /* add rows that sit exactly on, and next to, every split value */
    size_t extra = 0;
    for (int32_t t = 0; t < mod->n_trees; t++) extra += (size_t)mod->trees[t].n_nodes * 3;
    feat_matrix *e = feat_matrix_create(m->n_rows + extra, m->n_feats, NULL);
    for (size_t j = 0; j < m->n_feats; j++) {
        e->names[j] = strdup(m->names[j]);
        memcpy(e->values + j * e->n_rows, feat_col(m, j), m->n_rows * sizeof(double));
    }
    size_t r = m->n_rows;
    cs_rng rng;
    cs_rng_seed(&rng, 3);
    for (int32_t t = 0; t < mod->n_trees; t++)
        for (int32_t k = 0; k < mod->trees[t].n_nodes; k++) {
            const tree_node *nd = &mod->trees[t].nodes[k];
            if (nd->feature < 0) continue;
            float s = (float)nextafter(nd->threshold, INFINITY);   /* the split value itself */
            double vals[3] = {(double)s, nd->threshold, nextafter(nd->threshold, INFINITY)};
            for (int v = 0; v < 3; v++, r++) {
                for (size_t j = 0; j < e->n_feats; j++)
                    e->values[j * e->n_rows + r] = feat_col(m, j)[cs_rng_below(&rng, m->n_rows)];
                e->values[(size_t)nd->feature * e->n_rows + r] = vals[v];
            }
        }
    bst_ulong len;
    float *theirs = _xgb_margins(json, e, 0, &len);
    assert_int_equal(len, e->n_rows);
    double *ours = malloc(e->n_rows * sizeof(double));
    assert_int_equal(lrn_predict_matrix(mod, e, NULL, 0, 1, ours, &err), CS_OK);
    /* XGBoost sums in float: our leaves summed the same way match it to float rounding,
     * our double sums to 1e-6 relative (a wrong leaf anywhere would be far off) */
    double worst = 0, worst_f = 0, *x = malloc(e->n_feats * sizeof(double));
    for (size_t i = 0; i < e->n_rows; i++) {
        for (size_t j = 0; j < e->n_feats; j++) x[j] = e->values[j * e->n_rows + i];
        float acc = (float)mod->base_score;
        for (int32_t t = 0; t < mod->n_trees; t++) acc += (float)tree_predict_row(&mod->trees[t], x);
        worst_f = fmax(worst_f, fabs((double)acc - theirs[i]));
        worst = fmax(worst, fabs(ours[i] - theirs[i]) / fmax(1, fabs(ours[i])));
    }
    free(x);
    if (worst_f > 1e-6) fail_msg("largest float-sum margin difference %g", worst_f);
    if (worst > 1e-6) fail_msg("largest relative margin difference %g", worst);
    /* the same on probabilities */
    for (size_t i = 0; i < e->n_rows; i++)
        assert_true(fabs(lrn_raw_to_proba(mod, ours[i]) - 1 / (1 + exp(-(double)theirs[i]))) < 1e-6);
    free(theirs);
    free(ours);
    free(json);
    lrn_model_free(mod);
    feat_matrix_free(e);
    feat_matrix_free(m);
}

static int _count_rounds(void *user, int done, int total, double auc)
{
    (void)total;
    (void)auc;
    *(int *)user = done;
    return 0;
}

static void test_early_stopping(void **state)
{
    (void)state;
    feat_matrix *m = _make(2000, 4, 12);
    cs_err err = {0};
    lrn_params *lp = lrn_params_from_json(
        LRN_XGBOOST,
        "{\"n_estimators\": 300, \"learning_rate\": 0.5, \"max_depth\": 6, \"min_child_weight\": 0,"
        " \"early_stopping_rounds\": 5, \"nthread\": 2, \"tree_method\": \"hist\"}",
        &err);
    assert_non_null(lp);
    size_t tr[1000], va[1000];
    for (size_t i = 0; i < 1000; i++) {
        tr[i] = i;
        va[i] = 1000 + i;
    }
    int rounds = 0;
    lrn_fit_opts o = {.progress = _count_rounds, .progress_user = &rounds};
    lrn_model *mod = NULL;
    assert_int_equal(lrn_fit(lp, m, tr, 1000, va, 1000, &o, &mod, &err), CS_OK);
    /* overfitting on noise stops early; the model keeps the best round */
    assert_true(rounds < 300);
    assert_int_equal(rounds, mod->best_iteration + 5);
    assert_int_equal(mod->n_trees, mod->best_iteration);
    double proba[1000], y[1000];
    assert_int_equal(lrn_predict_matrix(mod, m, va, 1000, 0, proba, &err), CS_OK);
    for (size_t i = 0; i < 1000; i++) y[i] = m->target[va[i]];
    assert_true(fabs(ev_auc(y, proba, 1000) - mod->best_valid_auc) < 1e-4);
    assert_non_null(strstr(mod->params_json, "\"early_stopping_rounds\": 5"));
    lrn_model_free(mod);
    lrn_params_free(lp);
    feat_matrix_free(m);
}

static void test_params(void **state)
{
    (void)state;
    cs_err err = {0};
    assert_null(lrn_params_from_json(LRN_XGBOOST, "{\"num_leaves\": 31}", &err));
    assert_non_null(strstr(err.msg, "'num_leaves'"));
    assert_null(lrn_params_from_json(LRN_XGBOOST, "{\"eta\": 0}", &err));
    assert_non_null(strstr(err.msg, "eta"));
    assert_null(lrn_params_from_json(LRN_XGBOOST, "{\"max_depth\": 2.5}", &err));
    assert_null(lrn_params_from_json(LRN_XGBOOST, "{\"tree_method\": \"exact\"}", &err));
    lrn_params *p = lrn_params_from_json(LRN_XGBOOST, "{\"reg_lambda\": 2, \"random_state\": 7}", &err);
    assert_non_null(p);
    cs_buf b = {0};
    assert_int_equal(lrn_params_to_json(p, &b, &err), CS_OK);
    assert_non_null(strstr(b.data, "\"lambda\": 2"));
    assert_non_null(strstr(b.data, "\"seed\": 7"));
    cs_buf_free(&b);
    lrn_params_free(p);
    /* targets must be 0/1 */
    feat_matrix *m = _make(50, 2, 1);
    m->target[4] = NAN;
    xgb_params xp = XGB_PARAMS_DEFAULT;
    lrn_model *mod = NULL;
    size_t rows[50];
    for (size_t i = 0; i < 50; i++) rows[i] = i;
    assert_int_not_equal(xgb_fit(&xp, m, rows, 50, NULL, 0, NULL, NULL, &mod, NULL, &err), CS_OK);
    assert_null(mod);
    feat_matrix_free(m);
}

static const char *_tiny =
    "{\"learner\": {\"objective\": {\"name\": \"binary:logistic\"},"
    " \"gradient_booster\": {\"name\": \"gbtree\", \"model\": {\"gbtree_model_param\": "
    "{\"num_parallel_tree\": \"1\"}, \"trees\": [{\"tree_param\": {\"num_nodes\": \"3\"},"
    " \"left_children\": [1, -1, -1], \"right_children\": [2, -1, -1],"
    " \"split_indices\": [%s, 0, 0], \"split_conditions\": [0.5, -0.25, 0.75],"
    " \"default_left\": [1, 0, 0], \"sum_hessian\": [10, 4, 6], \"loss_changes\": [3, 0, 0],"
    " \"base_weights\": [0, 0, 0]}]}},"
    " \"learner_model_param\": {\"base_score\": \"%s\", \"num_feature\": \"2\"}}}";

static void test_json_conversion_and_corruption(void **state)
{
    (void)state;
    char buf[2048];
    cs_err err = {0};
    snprintf(buf, sizeof buf, _tiny, "1", "2.5E-1");
    lrn_model *mod = xgb_model_from_json(buf, strlen(buf), 2, 0, &err);
    assert_non_null(mod);
    assert_true(fabs(mod->base_score - log(0.25 / 0.75)) < 1e-7);
    assert_int_equal(mod->trees[0].nodes[0].feature, 1);
    assert_true(mod->trees[0].nodes[0].default_left);
    assert_true(fabs(mod->trees[0].nodes[0].value - (4 * -0.25 + 6 * 0.75) / 10) < 1e-12);
    /* float(x) < 0.5f goes left: a double just below 0.5 rounds to 0.5f and goes right */
    double x1[2] = {0, 0.5}, x2[2] = {0, (double)nextafterf(0.5f, 0)}, x3[2] = {0, NAN},
           x4[2] = {0, nextafter(0.5, 0)};
    assert_true(lrn_predict_raw(mod, x1) == mod->base_score + 0.75);
    assert_true(lrn_predict_raw(mod, x4) == mod->base_score + 0.75);
    assert_true(lrn_predict_raw(mod, x2) == mod->base_score - 0.25);
    assert_true(lrn_predict_raw(mod, x3) == mod->base_score - 0.25);
    lrn_model_free(mod);
    /* feature index beyond the data */
    snprintf(buf, sizeof buf, _tiny, "7", "0.5");
    assert_null(xgb_model_from_json(buf, strlen(buf), 2, 0, &err));
    assert_int_equal(err.code, CS_ECORRUPT);
    assert_non_null(strstr(err.msg, "tree 0 node 0"));
    /* base_score that is not a probability */
    snprintf(buf, sizeof buf, _tiny, "0", "1.5");
    assert_null(xgb_model_from_json(buf, strlen(buf), 2, 0, &err));
    /* truncated text, every prefix: refused, never a crash */
    snprintf(buf, sizeof buf, _tiny, "0", "0.5");
    for (size_t n = 0; n < strlen(buf); n += 7) {
        lrn_model *mm = xgb_model_from_json(buf, n, 2, 0, &err);
        assert_null(mm);
        assert_true(err.code == CS_EPARSE || err.code == CS_ECORRUPT);
    }
    /* a child pointing back up */
    char *p = strstr(buf, "[1, -1, -1]");
    memcpy(p, "[0, -1, -1]", 11);
    assert_null(xgb_model_from_json(buf, strlen(buf), 2, 0, &err));
    assert_non_null(strstr(err.msg, "children"));
    assert_null(xgb_model_from_json("{\"learner\": 3}", 14, 2, 0, &err));
    assert_int_equal(err.code, CS_ECORRUPT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threshold_edges),
        cmocka_unit_test(test_prediction_equals_xgboost),
        cmocka_unit_test(test_early_stopping),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_json_conversion_and_corruption),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
