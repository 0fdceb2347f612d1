/*
 * test_report_build.c: unit tests of src/report and of the model file's EVAL section it reads:
 * the out-of-fold rows and the test rows' shares written and read back, a file without them
 * refused with "retrain", a corrupt one refused at load, the numbers against a case by hand
 * (AUC, deciles, confusion, PSI), the seeded bootstrap reproducible, and both writers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cs.h"
#include "eval/metrics.h"
#include "model/model.h"
#include "report/report.h"

/* a matrix of 300 rows, 3 features; feature 0 drives the target, feature 2 is half NaN */
static feat_matrix *_matrix(void)
{
    feat_matrix *m = feat_matrix_create(300, 3, NULL);
    cs_rng r;
    cs_rng_seed(&r, 1);
    const char *names[] = {"EXT_SOURCE_1", "AMT_CREDIT", "OWN_CAR_AGE"};
    for (size_t j = 0; j < 3; j++) m->names[j] = strdup(names[j]);
    for (size_t i = 0; i < 300; i++) {
        m->ids[i] = 100000 + (int64_t)i;
        double x0 = cs_rng_uniform(&r);
        m->values[i] = x0;
        m->values[300 + i] = 1000 * cs_rng_normal(&r);
        m->values[600 + i] = i % 2 ? NAN : (double)(i % 17);
        m->target[i] = i < 290 ? (cs_rng_uniform(&r) < 0.6 - 0.5 * x0 ? 1 : 0) : NAN;
    }
    return m;
}

/* one stump on feature 0 plus one on feature 2 (NaN left) */
static lrn_model *_learner(void)
{
    lrn_model *lm = lrn_model_create(LRN_GBDT, 3, NULL);
    lm->base_score = -0.5;
    lm->n_trees = 2;
    lm->trees = calloc(2, sizeof *lm->trees);
    for (int t = 0; t < 2; t++) {
        lm->trees[t].n_nodes = 3;
        lm->trees[t].nodes = calloc(3, sizeof(tree_node));
        tree_node *n = lm->trees[t].nodes;
        n[0] = (tree_node){t ? 2 : 0, 1, 2, 1, t ? 8.0 : 0.5, 0, 10, 3.0};
        n[1] = (tree_node){-1, -1, -1, 0, 0, t ? 0.1 : 0.8, 5, 0};
        n[2] = (tree_node){-1, -1, -1, 0, 0, t ? -0.1 : -0.7, 5, 0};
    }
    return lm;
}

typedef struct {
    feat_matrix *m;
    lrn_model *lm;
    ev_calib *cal;
    mf_reference *ref;
    mf_test_ref *test;
    size_t rows[300], n, test_rows[300], n_test;
    double prob[300], y[300], test_p[300];
    double folds[3];
    mf_parts p;
    cs_buf bytes;
} _fx;

static int _setup(void **state)
{
    _fx *f = calloc(1, sizeof *f);
    double x[3];
    f->m = _matrix();
    f->lm = _learner();
    for (size_t i = 0; i < 300; i++) {
        for (int j = 0; j < 3; j++) x[j] = f->m->values[(size_t)j * 300 + i];
        double pr = lrn_raw_to_proba(f->lm, lrn_predict_raw(f->lm, x));
        if (!isnan(f->m->target[i])) {
            f->rows[f->n] = i;
            f->prob[f->n] = pr;
            f->y[f->n++] = f->m->target[i];
        } else {
            f->test_rows[f->n_test] = i;
            f->test_p[f->n_test++] = pr;
        }
    }
    f->cal = ev_calib_fit(EV_CALIB_PLATT, f->y, f->prob, f->n, NULL);
    for (size_t i = 0; i < f->n; i++) f->prob[i] = ev_calib_apply(f->cal, f->prob[i]);
    for (size_t i = 0; i < f->n_test; i++) f->test_p[i] = ev_calib_apply(f->cal, f->test_p[i]);
    f->ref = mf_reference_build(f->m, f->rows, f->n, f->prob, 0.3, 100, 5, NULL);
    f->test = mf_test_ref_build(f->m, f->test_rows, f->n_test, f->test_p, f->ref, NULL);
    assert_non_null(f->test);
    f->folds[0] = 0.7, f->folds[1] = 0.72, f->folds[2] = 0.68;
    f->p = (mf_parts){
        .name = "report-model", .version = "2", .created = "2026-01-02T03:04:05Z", .data_digest = "h64:00",
        .n_train = f->n, .positive_rate = 0.3, .n_feats = 3, .feat_names = (const char *const *)f->m->names,
        .learner = f->lm, .params_json = "{}", .calib = f->cal, .threshold = 0.3, .cost = {10, 1},
        .metrics = {.k = 3, .auc_mean = 0.7, .auc_sd = 0.0163, .fold_auc = f->folds}, .reference = f->ref,
        .n_oof = f->n, .oof_prob = f->prob, .oof_target = f->y, .test = f->test, .run_id = "0123456789abcdef",
        .features_file = "train.csf"};
    assert_int_equal(mf_write_buf(&f->p, &f->bytes, NULL), CS_OK);
    *state = f;
    return 0;
}

static int _teardown(void **state)
{
    _fx *f = *state;
    feat_matrix_free(f->m);
    lrn_model_free(f->lm);
    ev_calib_free(f->cal);
    mf_reference_free(f->ref);
    mf_test_ref_free(f->test);
    cs_buf_free(&f->bytes);
    free(f);
    return 0;
}

/* the EVAL section and the lineage fields read back exactly */
static void test_eval_round_trip(void **state)
{
    _fx *f = *state;
    cs_err err = {0};
    mf_model *m = mf_load_bytes(f->bytes.data, f->bytes.len, &err);
    const double *p, *y;
    assert_non_null(m);
    assert_int_equal(mf_oof(m, &p, &y), f->n);
    assert_memory_equal(p, f->prob, f->n * sizeof *p);
    assert_memory_equal(y, f->y, f->n * sizeof *y);
    const mf_test_ref *t = mf_test_reference(m);
    assert_non_null(t);
    assert_int_equal(t->n, 10);
    for (size_t j = 0; j < 3; j++) {
        double s = 0;
        for (int k = 0; k < MF_MON_BINS; k++) s += t->share[j * MF_MON_BINS + k];
        assert_true(fabs(s - 1) < 1e-12);
    }
    /* feature 2 is NaN on odd rows: the test rows 290..299 have 5 missing */
    assert_true(fabs(t->share[2 * MF_MON_BINS + MF_MON_MISSING] - 0.5) < 1e-12);
    assert_string_equal(mf_run_id(m), "0123456789abcdef");
    assert_string_equal(mf_features_file(m), "train.csf");
    assert_string_equal(mf_code_version(m), CS_VERSION);
    mf_free(m);
}

/* without the section: rpt_build says to retrain; a corrupt one is refused at load */
static void test_without_and_corrupt(void **state)
{
    _fx *f = *state;
    cs_err err = {0};
    mf_parts p = f->p;
    cs_buf b = {0};
    rpt_report r;
    rpt_opts o = {.n_boot = 0, .seed = 1};
    p.n_oof = 0;
    assert_int_equal(mf_write_buf(&p, &b, &err), CS_OK);
    mf_model *m = mf_load_bytes(b.data, b.len, &err);
    assert_non_null(m);
    assert_null(mf_test_reference(m));
    assert_int_equal(rpt_build(m, &o, &r, &err), CS_ENOTFOUND);
    assert_non_null(strstr(err.msg, "retrain"));
    mf_free(m);
    cs_buf_free(&b);
    double bad[300];
    memcpy(bad, f->prob, sizeof bad);
    bad[7] = 2.0;
    p = f->p;
    p.oof_prob = bad;
    assert_int_equal(mf_write_buf(&p, &b, &err), CS_OK);
    assert_null(mf_load_bytes(b.data, b.len, &err));
    assert_non_null(strstr(err.msg, "evaluation data"));
    cs_buf_free(&b);
}

/* PSI by hand: 0.25 ln 2 + 0.25 ln 1.5; identical shares 0; bins empty on both sides dropped */
static void test_psi_by_hand(void **state)
{
    (void)state;
    double r[MF_MON_BINS] = {0.5, 0.5}, c[MF_MON_BINS] = {0.25, 0.75};
    assert_true(fabs(rpt_psi(r, c) - (0.25 * log(2) + 0.25 * log(1.5))) < 1e-12);
    assert_true(fabs(rpt_psi(r, r)) < 1e-15);
}

static void test_numbers(void **state)
{
    _fx *f = *state;
    cs_err err = {0};
    mf_model *m = mf_load_bytes(f->bytes.data, f->bytes.len, &err);
    rpt_report r, r2;
    rpt_opts o = {.n_boot = 60, .seed = 9};
    assert_int_equal(rpt_build(m, &o, &r, &err), CS_OK);
    assert_int_equal(r.n, 290);
    assert_true(r.auc.value == ev_auc(f->y, f->prob, f->n));
    assert_true(fabs(r.gini.value - (2 * r.auc.value - 1)) < 1e-15);
    assert_true(r.auc.lo <= r.auc.value && r.auc.value <= r.auc.hi && r.auc.hi - r.auc.lo > 0.01);
    assert_true(r.brier.lo <= r.brier.value && r.brier.value <= r.brier.hi);
    /* 290 rows: ten deciles of 29, mean probabilities increasing */
    for (int d = 0; d < RPT_DECILES; d++) {
        assert_true(r.dec_n[d] == 29);
        if (d) assert_true(r.dec_p[d] >= r.dec_p[d - 1]);
    }
    assert_true(r.tp + r.fp + r.tn + r.fn == 290);
    assert_true(r.roc_fpr[0] == 0 && r.roc_tpr[0] == 0 && r.roc_fpr[r.n_roc - 1] == 1 && r.roc_tpr[r.n_roc - 1] == 1);
    assert_int_equal(r.n_test, 10);
    assert_true(isfinite(r.psi_score) && r.psi_score >= 0);
    /* the same seed, the same intervals */
    assert_int_equal(rpt_build(m, &o, &r2, &err), CS_OK);
    assert_true(r.auc.lo == r2.auc.lo && r.ks.hi == r2.ks.hi && r.log_loss.lo == r2.log_loss.lo);
    rpt_free(&r2);
    o.n_boot = 0;
    assert_int_equal(rpt_build(m, &o, &r2, &err), CS_OK);
    assert_true(isnan(r2.auc.lo) && r2.auc.value == r.auc.value);
    rpt_free(&r2);

    /* the writers */
    cs_buf j = {0}, h = {0};
    rpt_doc d = {.model_path = "m.csm", .model_sha256 = "ab", .generated = "2026-01-01T00:00:00Z"};
    assert_int_equal(rpt_json(&r, &d, &j, &err), CS_OK);
    assert_non_null(strstr(j.data, "\"auc\":{\"value\":"));
    assert_non_null(strstr(j.data, "\"psi_score\":"));
    assert_int_equal(rpt_html(&r, &d, &h, &err), CS_OK);
    assert_non_null(strstr(h.data, "<svg class=\"chart\""));
    assert_non_null(strstr(h.data, "Sign-off"));
    assert_null(strstr(h.data, "<script"));
    cs_buf_free(&j);
    d.fairness_json = "[1, 2]";
    d.fairness_path = "f.json";
    assert_int_equal(rpt_json(&r, &d, &j, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "f.json"));
    cs_buf_free(&j);
    cs_buf_free(&h);
    rpt_free(&r);
    mf_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_eval_round_trip, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_without_and_corrupt, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_psi_by_hand, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_numbers, _setup, _teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
