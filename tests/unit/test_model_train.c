/*
 * test_model_train.c: unit tests of src/model/train: the training procedure on a small
 * in-memory matrix: test rows (NaN target) are left out, the threshold is the exact optimum
 * of the calibrated out-of-fold probabilities, the metrics agree with eval/, a grid search
 * keeps its best trial, the written model scores like the fitted learner, bad targets fail;
 * the defaults: gbdt's rounds found by early stopping on each fold go into the refit by the
 * documented rule (their mean), logreg's C by the geometric mean of the folds', and the
 * default calibration keeps the raw out-of-fold AUC to 1e-9.
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
#include "eval/metrics.h"
#include "explain/shap.h"
#include "model/train.h"

static feat_matrix *_matrix(size_t n, size_t n_test)
{
    feat_matrix *m = feat_matrix_create(n, 4, NULL);
    cs_rng r;
    cs_rng_seed(&r, 3);
    for (size_t j = 0; j < 4; j++) {
        char name[16];
        snprintf(name, sizeof name, "X%zu", j);
        m->names[j] = strdup(name);
    }
    for (size_t i = 0; i < n; i++) {
        double x[4];
        for (int j = 0; j < 4; j++) x[j] = cs_rng_normal(&r);
        m->ids[i] = (int64_t)i + 1;
        double z = -1.5 + 1.5 * x[0] - x[1];
        m->target[i] = i < n - n_test ? (cs_rng_uniform(&r) < 1 / (1 + exp(-z)) ? 1 : 0) : NAN;
        for (int j = 0; j < 4; j++) m->values[(size_t)j * n + i] = j == 3 && i % 5 == 0 ? NAN : x[j];
    }
    return m;
}

/* the numbers of the "folds" array of member key of a tuning record */
static int _folds(const char *json, const char *key, double *out, int k)
{
    const char *at = strstr(json, key), *f = at ? strstr(at, "\"folds\": [") : NULL;
    int n = 0;
    if (!f) return 0;
    f += 10;
    while (n < k) {
        char *e;
        out[n++] = strtod(f, &e);
        if (*e != ',') break;
        f = e + 1;
    }
    return n;
}

/* A weak signal with label noise: validation AUC peaks early and falls (gbdt overfits). */
static feat_matrix *_noisy(size_t n)
{
    feat_matrix *m = _matrix(n, 0);
    cs_rng r;
    cs_rng_seed(&r, 17);
    for (size_t i = 0; i < n; i++)
        if (cs_rng_uniform(&r) < 0.25) m->target[i] = 1 - m->target[i];
    return m;
}

static void test_train_auto_rounds_into_refit(void **state)
{
    (void)state;
    feat_matrix *m = _noisy(1500);
    cs_err err = {0};
    lrn_params *p = lrn_params_from_json(LRN_GBDT, "{\"learning_rate\": 0.3, \"min_data_in_leaf\": 2}", &err);
    assert_non_null(p);
    for (int calib = 0; calib < 2; calib++) {
        mf_train_opts o = {.params = p, .k = 4, .seed = 3, .calib = calib ? EV_CALIB_AUTO : EV_CALIB_PLATT,
                           .cost = EV_COST_DEFAULT, .max_sample = 100};
        mf_trained t;
        assert_int_equal(mf_train(&o, m, &t, &err), CS_OK);
        double f[4];
        assert_non_null(t.tuning_json);
        assert_int_equal(_folds(t.tuning_json, "\"num_iterations\"", f, 4), 4);
        double mean = 0;
        for (int i = 0; i < 4; i++) {
            assert_true(f[i] >= 1 && f[i] < 200); /* each fold stopped early */
            mean += f[i] / 4;
        }
        /* the refit has the folds' mean, and says so in the model's parameters */
        assert_int_equal(t.learner->n_trees, (int)lround(mean));
        char want[48];
        snprintf(want, sizeof want, "\"num_iterations\":%d,", t.learner->n_trees);
        assert_non_null(strstr(t.params_json, want));
        assert_non_null(strstr(t.tuning_json, "\"rule\": \"mean of the folds' best rounds"));
        /* the calibration kept the ranking: calibrated AUC = raw AUC, no 0 or 1 */
        double *y = malloc(t.n_train * sizeof *y);
        for (size_t i = 0; i < t.n_train; i++) {
            y[i] = m->target[t.rows[i]];
            assert_true(t.oof_cal[i] > 0 && t.oof_cal[i] < 1);
        }
        assert_true(fabs(ev_auc(y, t.oof_cal, t.n_train) - ev_auc(y, t.cv.oof, t.n_train)) <= 1e-9);
        assert_true(fabs(t.metrics.oof_auc - t.raw_oof_auc) <= 1e-9);
        if (calib) {
            assert_true(isfinite(t.calib_choice.log_loss_platt) && isfinite(t.calib_choice.log_loss_isotonic_interp));
            assert_int_equal(ev_calib_kind_of(t.calib), t.calib_choice.chosen);
        }
        free(y);
        /* the global importance: mean |contribution| over the whole reference sample, as
         * shap_importance gives it, recomputed here */
        {
            const mf_reference *r = t.reference;
            assert_non_null(t.importance);
            assert_int_equal(t.importance_rows, r->n_sample);
            shap_explainer *e = shap_explainer_create(t.learner, &err);
            double *phi = malloc(r->n_sample * m->n_feats * sizeof *phi), *x = malloc(m->n_feats * sizeof *x);
            double tot = 0;
            for (size_t j = 0; j < m->n_feats; j++) {
                double acc = 0;
                for (size_t i = 0; i < r->n_sample; i++) {
                    for (size_t k = 0; k < m->n_feats; k++) x[k] = r->sample_values[k * r->n_sample + i];
                    assert_int_equal(shap_explain_row(e, x, phi, &err), CS_OK);
                    acc += fabs(phi[j]);
                }
                assert_true(fabs(acc / (double)r->n_sample - t.importance[j]) < 1e-12);
                tot += t.importance[j];
            }
            assert_true(tot > 0);
            free(phi);
            free(x);
            shap_explainer_free(e);
        }
        mf_trained_free(&t);
    }
    lrn_params_free(p);
    /* logreg: C chosen per fold, the refit on their geometric mean */
    p = lrn_params_from_json(LRN_LOGREG, NULL, &err);
    mf_train_opts o = {.params = p, .k = 4, .seed = 3, .calib = EV_CALIB_AUTO, .cost = EV_COST_DEFAULT,
                       .max_sample = 100};
    mf_trained t;
    assert_int_equal(mf_train(&o, m, &t, &err), CS_OK);
    double c[4], sl = 0;
    assert_int_equal(_folds(t.tuning_json, "\"C\"", c, 4), 4);
    for (int i = 0; i < 4; i++) sl += log(c[i]) / 4;
    char *cp = strstr(t.params_json, "\"C\": ");
    assert_non_null(cp);
    assert_true(fabs(strtod(cp + 5, NULL) - exp(sl)) < 1e-12 * exp(sl));
    mf_trained_free(&t);
    lrn_params_free(p);
    feat_matrix_free(m);
}

static void test_train_logreg(void **state)
{
    (void)state;
    feat_matrix *m = _matrix(900, 100);
    cs_err err = {0};
    lrn_params *p = lrn_params_from_json(LRN_LOGREG, NULL, &err);
    assert_non_null(p);
    mf_train_opts o = {.params = p, .k = 4, .seed = 9, .calib = EV_CALIB_ISOTONIC,
                       .cost = EV_COST_DEFAULT, .max_sample = 300};
    mf_trained t;
    assert_int_equal(mf_train(&o, m, &t, &err), CS_OK);
    assert_int_equal(t.n_train, 800);
    for (size_t i = 0; i < t.n_train; i++) assert_true(t.rows[i] < 800);
    /* threshold: the exact optimum of the calibrated OOF probabilities */
    double *y = malloc(800 * sizeof *y), thr, cost;
    for (size_t i = 0; i < 800; i++) y[i] = m->target[t.rows[i]];
    assert_int_equal(ev_best_threshold(y, t.oof_cal, 800, EV_COST_DEFAULT, &thr, &cost, NULL), CS_OK);
    assert_true(thr == t.threshold && cost == t.metrics.cost);
    for (size_t i = 0; i < 800; i++) assert_true(t.oof_cal[i] == ev_calib_apply(t.calib, t.cv.oof[i]));
    assert_true(fabs(t.metrics.brier - ev_brier(y, t.oof_cal, 800)) < 1e-15);
    assert_true(t.metrics.auc_mean > 0.75 && t.metrics.auc_sd > 0);
    assert_int_equal(t.reference->n_sample, 300);
    /* the cost curve holds the optimum */
    int found = 0;
    for (size_t i = 0; i < t.n_curve; i++) found |= t.curve[i].threshold == t.threshold && t.curve[i].cost == cost;
    assert_true(found);
    /* written and loaded, the model scores as the learner + calibration */
    mf_parts parts;
    cs_buf b = {0};
    mf_trained_parts(&t, m, NULL, "lr", "1", EV_COST_DEFAULT, &parts);
    assert_int_equal(mf_write_buf(&parts, &b, &err), CS_OK);
    mf_model *mm = mf_load_bytes(b.data, b.len, &err);
    assert_non_null(mm);
    double x[4];
    for (size_t i = 800; i < 900; i++) {
        for (int j = 0; j < 4; j++) x[j] = m->values[(size_t)j * 900 + i];
        double want = ev_calib_apply(t.calib, lrn_raw_to_proba(t.learner, lrn_predict_raw(t.learner, x)));
        assert_true(mf_predict_proba(mm, x) == want);
    }
    assert_true(mf_threshold(mm) == t.threshold);
    mf_free(mm);
    cs_buf_free(&b);
    free(y);
    mf_trained_free(&t);
    mf_trained_free(&t);
    lrn_params_free(p);
    feat_matrix_free(m);
}

static void test_train_grid_search(void **state)
{
    (void)state;
    feat_matrix *m = _matrix(600, 0);
    cs_err err = {0};
    lrn_params *p = lrn_params_from_json(LRN_GBDT, "{\"num_iterations\": 10}", &err);
    assert_non_null(p);
    ev_space *s = ev_space_parse("{\"num_leaves\": [2, 8], \"learning_rate\": [0.01, 0.3]}", "s", EV_SEARCH_GRID, &err);
    mf_train_opts o = {.params = p, .k = 3, .seed = 1, .calib = EV_CALIB_PLATT, .cost = EV_COST_DEFAULT,
                       .space = s, .scoring = EV_SCORE_AUC, .max_sample = 5000};
    mf_trained t;
    assert_int_equal(mf_train(&o, m, &t, &err), CS_OK);
    assert_int_equal(t.search.n, 4);
    for (size_t i = 0; i < 4; i++) assert_true(t.search.scores[i].auc_mean <= t.search.scores[t.search.best].auc_mean);
    /* the final CV used the best trial's parameters: same folds, same AUC */
    assert_true(t.cv.auc_mean == t.search.scores[t.search.best].auc_mean);
    assert_non_null(strstr(t.search_json, "\"kind\": \"grid\""));
    assert_int_equal(t.reference->n_sample, 600);
    mf_trained_free(&t);
    ev_space_free(s);
    lrn_params_free(p);
    feat_matrix_free(m);
}

static void test_train_refuses_bad_targets(void **state)
{
    (void)state;
    feat_matrix *m = _matrix(100, 0);
    cs_err err = {0};
    lrn_params *p = lrn_params_from_json(LRN_DUMMY, NULL, &err);
    mf_train_opts o = {.params = p, .k = 3, .seed = 1, .calib = EV_CALIB_NONE, .cost = EV_COST_DEFAULT};
    mf_trained t;
    m->target[41] = 2;
    assert_int_equal(mf_train(&o, m, &t, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "row 42"));
    for (size_t i = 0; i < 100; i++) m->target[i] = NAN;
    assert_int_equal(mf_train(&o, m, &t, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "no row has a target"));
    lrn_params_free(p);
    feat_matrix_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train_logreg),
        cmocka_unit_test(test_train_auto_rounds_into_refit),
        cmocka_unit_test(test_train_grid_search),
        cmocka_unit_test(test_train_refuses_bad_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
