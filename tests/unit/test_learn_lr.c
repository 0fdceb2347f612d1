/*
 * test_learn_lr.c: unit tests of the logistic regression (src/learn/lr.h): the learned
 * preprocessing (clip, median, standardisation), optimality of the solution (the gradient
 * of the penalised loss, recomputed here independently, vanishes), balanced weights, the
 * raw-coefficient form, bad input. scikit-learn agreement is in tests/oracle/test_logreg.sh.
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
#include "features/featfile.h"
#include "learn/learn_int.h"
#include "learn/learner.h"
#include "learn/lr.h"

/* n rows, d features: x ~ N(0,1) * scale_j + j, y ~ Bernoulli(sigmoid(true score)). */
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
        double s = -0.5;
        for (size_t j = 0; j < d; j++) {
            double z = cs_rng_normal(&r);
            m->values[j * n + i] = z * (double)(j + 1) * 10 + (double)j;
            s += (j % 2 ? 0.8 : -0.6) * z;
        }
        m->ids[i] = (int64_t)(100000 + i);
        m->target[i] = cs_rng_uniform(&r) < 1 / (1 + exp(-s)) ? 1 : 0;
    }
    return m;
}

/* The gradient of C*sum s_i ll_i + 0.5||w||^2 computed from scratch, max |.| over all
 * coordinates, divided by the sum of weights (the solver's scale). */
static double _kkt(const lr_model *mdl, const feat_matrix *m, double C, int balanced)
{
    size_t n = m->n_rows, d = m->n_feats, npos = 0;
    for (size_t i = 0; i < n; i++) npos += m->target[i] == 1;
    double w1 = balanced ? (double)n / (2.0 * npos) : 1, w0 = balanced ? (double)n / (2.0 * (n - npos)) : 1;
    double *g = calloc(d + 1, sizeof(double)), sw = 0;
    for (size_t i = 0; i < n; i++) {
        double s = mdl->intercept, z[64];
        for (size_t j = 0; j < d; j++) {
            double v = m->values[j * n + i];
            if (isnan(v)) v = mdl->median[j];
            if (v < mdl->lo[j]) v = mdl->lo[j];
            if (v > mdl->hi[j]) v = mdl->hi[j];
            z[j] = (v - mdl->mean[j]) / mdl->scale[j];
            s += mdl->coef[j] * z[j];
        }
        double y = m->target[i], wi = y == 1 ? w1 : w0, r = wi * (1 / (1 + exp(-s)) - y);
        sw += wi;
        for (size_t j = 0; j < d; j++) g[j] += C * r * z[j];
        g[d] += C * r;
    }
    double mx = 0;
    for (size_t j = 0; j <= d; j++) {
        double gj = g[j] + (j < d ? mdl->coef[j] : 0);
        if (fabs(gj) > mx) mx = fabs(gj);
    }
    free(g);
    return mx / (C * sw);
}

static void test_fit_is_optimal(void **state)
{
    (void)state;
    feat_matrix *m = _make(2000, 6, 1);
    lr_params p = LR_PARAMS_DEFAULT;
    p.C = 0.5;
    p.tol = 1e-10;
    cs_err err = {0};
    lr_model *mdl = lr_fit(m, NULL, 0, &p, NULL, NULL, &err);
    assert_non_null(mdl);
    assert_true(mdl->converged);
    /* without the in-memory standardised copy: the same computation, the same model */
    p.cache_mb = 0;
    lr_model *nc = lr_fit(m, NULL, 0, &p, NULL, NULL, &err);
    assert_non_null(nc);
    assert_int_equal(nc->n_iter, mdl->n_iter);
    assert_memory_equal(nc->coef, mdl->coef, 6 * sizeof(double));
    assert_true(nc->intercept == mdl->intercept);
    lr_model_free(nc);
    assert_true(_kkt(mdl, m, p.C, 0) < 1e-8);
    /* the signal is recovered: odd features push up, even ones down */
    for (size_t j = 0; j < 6; j++) assert_true(j % 2 ? mdl->coef[j] > 0.3 : mdl->coef[j] < -0.3);
    /* a perturbed solution is worse: the KKT residual of the optimum is tiny, of a
     * perturbed one is not */
    mdl->coef[0] += 0.01;
    assert_true(_kkt(mdl, m, p.C, 0) > 1e-5);
    lr_model_free(mdl);
    feat_matrix_free(m);
}

static void test_balanced_weights(void **state)
{
    (void)state;
    feat_matrix *m = _make(3000, 4, 2);
    lr_params p = LR_PARAMS_DEFAULT;
    p.balanced = 1;
    p.tol = 1e-10;
    cs_err err = {0};
    lr_model *mdl = lr_fit(m, NULL, 0, &p, NULL, NULL, &err);
    assert_non_null(mdl);
    assert_true(_kkt(mdl, m, p.C, 1) < 1e-8);
    /* balanced: the weighted mean prediction of each class balances, so the intercept is
     * higher than without weights when positives are the minority */
    lr_params q = LR_PARAMS_DEFAULT;
    lr_model *plain = lr_fit(m, NULL, 0, &q, NULL, NULL, &err);
    assert_non_null(plain);
    size_t npos = 0;
    for (size_t i = 0; i < m->n_rows; i++) npos += m->target[i] == 1;
    if (2 * npos < m->n_rows) assert_true(mdl->intercept > plain->intercept);
    else assert_true(mdl->intercept < plain->intercept);
    lr_model_free(mdl);
    lr_model_free(plain);
    feat_matrix_free(m);
}

static void test_preprocessing(void **state)
{
    (void)state;
    feat_matrix *m = _make(11, 3, 3);
    /* column 0: 10 finite values and a NaN; column 1: +-inf; column 2: constant */
    double c0[11] = {5, 1, NAN, 3, 9, 7, 2, 8, 4, 6, 10};
    double c1[11] = {1, INFINITY, 2, -INFINITY, 3, 4, 5, 6, 7, 8, 9};
    for (size_t i = 0; i < 11; i++) {
        m->values[i] = c0[i];
        m->values[11 + i] = c1[i];
        m->values[22 + i] = 4.25;
        m->target[i] = i % 3 == 0;
    }
    lr_params p = LR_PARAMS_DEFAULT;
    cs_err err = {0};
    lr_model *mdl = lr_fit(m, NULL, 0, &p, NULL, NULL, &err);
    assert_non_null(mdl);
    assert_true(mdl->median[0] == 5.5);         /* numpy median of 1..10 */
    assert_true(mdl->lo[1] == 1 && mdl->hi[1] == 9);
    assert_true(mdl->median[1] == 5);           /* of 1,9,2,1,3..9 after clipping */
    assert_true(mdl->scale[2] == 1 && mdl->mean[2] == 4.25);
    assert_true(fabs(mdl->coef[2]) < 1e-12);    /* a constant column carries nothing */
    double mean0 = (5 + 1 + 5.5 + 3 + 9 + 7 + 2 + 8 + 4 + 6 + 10) / 11.0;
    assert_true(fabs(mdl->mean[0] - mean0) < 1e-12);
    /* a standardised training column has mean 0 and variance 1 */
    double s = 0, ss = 0;
    for (size_t i = 0; i < 11; i++) {
        double z = lr_standardise(mdl, 1, c1[i]);
        s += z;
        ss += z * z;
    }
    assert_true(fabs(s) < 1e-12 && fabs(ss / 11 - 1) < 1e-12);
    lr_model_free(mdl);
    feat_matrix_free(m);
}

static void test_predict_and_raw_coefficients(void **state)
{
    (void)state;
    feat_matrix *m = _make(500, 5, 4);
    m->values[3] = NAN;
    m->values[600] = INFINITY;
    lr_params p = LR_PARAMS_DEFAULT;
    cs_err err = {0};
    size_t rows[300];
    for (size_t i = 0; i < 300; i++) rows[i] = i + 100;
    lr_model *mdl = lr_fit(m, rows, 300, &p, NULL, NULL, &err);
    assert_non_null(mdl);
    double proba[500], coef[5], b, x[5];
    assert_int_equal(lr_predict(mdl, m, NULL, 0, proba, &err), CS_OK);
    lr_raw_coefficients(mdl, coef, &b);
    for (size_t i = 0; i < 500; i++) {
        double raw = b;
        for (size_t j = 0; j < 5; j++) {
            x[j] = m->values[j * 500 + i];
            double v = isnan(x[j]) ? mdl->median[j] : fmin(fmax(x[j], mdl->lo[j]), mdl->hi[j]);
            raw += coef[j] * v;
        }
        assert_true(fabs(raw - lr_predict_raw_row(mdl, x)) < 1e-9);
        assert_true(fabs(proba[i] - 1 / (1 + exp(-lr_predict_raw_row(mdl, x)))) < 1e-15);
    }
    lr_model_free(mdl);
    feat_matrix_free(m);
}

static int _cancel_at_3(void *user, int done, int max_iter, double g)
{
    (void)max_iter;
    (void)g;
    *(int *)user = done;
    return done >= 3;
}

static void test_bad_input(void **state)
{
    (void)state;
    feat_matrix *m = _make(50, 2, 5);
    lr_params p = LR_PARAMS_DEFAULT;
    cs_err err = {0};
    p.C = 0;
    assert_null(lr_fit(m, NULL, 0, &p, NULL, NULL, &err));
    assert_int_equal(err.code, CS_EINVAL);
    assert_non_null(strstr(err.msg, "C must be"));
    p = LR_PARAMS_DEFAULT;
    m->target[7] = NAN;
    assert_null(lr_fit(m, NULL, 0, &p, NULL, NULL, &err));
    assert_non_null(strstr(err.msg, "SK_ID_CURR 100007"));
    for (size_t i = 0; i < 50; i++) m->target[i] = 1;
    assert_null(lr_fit(m, NULL, 0, &p, NULL, NULL, &err));
    assert_non_null(strstr(err.msg, "one class"));
    m->target[0] = 0;
    size_t bad_rows[2] = {0, 50};
    assert_null(lr_fit(m, bad_rows, 2, &p, NULL, NULL, &err));
    assert_non_null(strstr(err.msg, "out of range"));
    int seen = 0;
    assert_null(lr_fit(m, NULL, 0, &p, _cancel_at_3, &seen, &err));
    assert_int_equal(err.code, CS_EINTERRUPTED);
    assert_int_equal(seen, 3);
    lr_model_free(NULL);
    feat_matrix_free(m);
}

/* The "logreg" kind of the learner interface: parameters by name, and a fitted lrn_model
 * whose linear form (NaN -> median center, mean folded into base_score) predicts what
 * lr_model predicts. */
static void test_learner_interface(void **state)
{
    (void)state;
    feat_matrix *m = _make(800, 4, 6);
    for (size_t i = 0; i < 800; i += 5) m->values[800 + i] = NAN;
    m->values[2 * 800 + 3] = -INFINITY;
    cs_err err = {0};
    /* a strong reference: unit tests link layers as archives, and lrn.c's weak reference
     * alone does not pull lr_learner.o in */
    assert_int_equal(lrn_logreg_ops.kind, LRN_LOGREG);
    lrn_params *p = lrn_params_from_json(LRN_LOGREG, "{\"C\": 0.3, \"class_weight\": \"balanced\"}", &err);
    if (!p) fail_msg("%s", err.msg);
    assert_null(lrn_params_from_json(LRN_LOGREG, "{\"alpha\": 1}", &err));
    assert_non_null(strstr(err.msg, "'alpha'"));
    assert_int_equal(lrn_params_set(p, "C", "-1", &err), CS_EINVAL);
    assert_int_equal(lrn_params_set(p, "class_weight", "\"heavy\"", &err), CS_EINVAL);
    size_t rows[600];
    for (size_t i = 0; i < 600; i++) rows[i] = i;
    lrn_model *mod = NULL;
    assert_int_equal(lrn_fit(p, m, rows, 600, NULL, 0, NULL, &mod, &err), CS_OK);
    assert_non_null(mod->lin_coef);
    lr_params q = LR_PARAMS_DEFAULT;
    q.C = 0.3;
    q.balanced = 1;
    lr_model *lr = lr_fit(m, rows, 600, &q, NULL, NULL, &err);
    assert_non_null(lr);
    double x[4];
    for (size_t i = 0; i < 800; i++) {
        for (size_t j = 0; j < 4; j++) x[j] = m->values[j * 800 + i];
        assert_true(fabs(lrn_predict_raw(mod, x) - lr_predict_raw_row(lr, x)) < 1e-10);
    }
    cs_buf b = {0};
    assert_int_equal(lrn_params_to_json(p, &b, &err), CS_OK);
    assert_non_null(strstr(b.data, "\"class_weight\": \"balanced\""));
    cs_buf_free(&b);
    lr_model_free(lr);
    lrn_model_free(mod);
    lrn_params_free(p);
    feat_matrix_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_is_optimal),
        cmocka_unit_test(test_balanced_weights),
        cmocka_unit_test(test_preprocessing),
        cmocka_unit_test(test_predict_and_raw_coefficients),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_learner_interface),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
