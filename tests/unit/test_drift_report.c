/*
 * test_drift_report.c: unit tests of drift_compare (column matching, typing, automatic
 * test choice, overrides, missing values, dataset verdict) and of the JSON and HTML
 * reports (fields, escaping, no external resources).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "drift/drift.h"
#include "features/featfile.h"
#include "store/audit.h"
#include "store/clients.h"

#include <stdio.h>
#include <unistd.h>

/* a hand-made data set: numeric columns from values, one text column */
typedef struct fixture {
    drift_dataset d;
    drift_column cols[8];
    double *num[8];
    int32_t *codes;
} fixture;

static const char *const cats[] = {"Cash loans", "Revolving <loans>"};

static void _make(fixture *f, size_t n, double shift, double int_share, uint64_t seed)
{
    cs_rng r;
    cs_rng_seed(&r, seed);
    memset(f, 0, sizeof *f);
    f->d.label = (char *)"fixture";
    f->d.n_rows = n;
    f->d.cols = f->cols;
    for (int j = 0; j < 5; j++) f->num[j] = malloc(n * sizeof(double));
    f->codes = malloc(n * sizeof(int32_t));
    for (size_t i = 0; i < n; i++) {
        f->num[0][i] = cs_rng_normal(&r) + shift;                     /* continuous */
        f->num[1][i] = (double)(cs_rng_uniform(&r) < int_share);      /* 0/1 integer flag */
        f->num[2][i] = i % 10 == 0 ? NAN : cs_rng_normal(&r);         /* with missing values */
        f->num[3][i] = (double)cs_rng_below(&r, 3);                   /* 3 integer values */
        f->num[4][i] = (double)i;                                      /* an id */
        f->codes[i] = i % 7 == 0 ? -1 : (int32_t)(cs_rng_uniform(&r) < 0.1 + shift / 4);
    }
    static const char *const names[] = {"AMT", "FLAG", "EXT", "RATING", "SK_ID_CURR"};
    for (int j = 0; j < 5; j++) f->cols[j] = (drift_column){.name = names[j], .num = f->num[j]};
    f->cols[5] = (drift_column){.name = "CONTRACT", .is_cat = 1, .codes = f->codes, .cats = cats, .n_cats = 2};
    f->d.n_cols = 6;
}

static void _drop(fixture *f)
{
    for (int j = 0; j < 5; j++) free(f->num[j]);
    free(f->codes);
}

static const drift_column_result *_col(const drift_report *r, const char *name)
{
    for (int i = 0; i < r->n_columns; i++)
        if (!strcmp(r->cols[i].name, name)) return &r->cols[i];
    return NULL;
}

static void test_auto_tests_large(void **state)
{
    fixture a, b;
    cs_err err = {0};
    (void)state;
    _make(&a, 3000, 0.0, 0.3, 1);
    _make(&b, 2000, 0.5, 0.3, 2);
    drift_report *r = drift_compare(&a.d, &b.d, NULL, &err);
    assert_non_null(r);
    assert_int_equal(r->n_columns, 5);          /* SK_ID_CURR excluded */
    assert_int_equal(r->n_skipped, 1);
    assert_non_null(strstr(r->skipped[0], "SK_ID_CURR"));
    const drift_column_result *c = _col(r, "AMT");
    assert_int_equal(c->type, DRIFT_NUMERICAL);
    assert_int_equal(c->test, DRIFT_TEST_WASSERSTEIN);
    assert_true(c->drifted);                   /* shifted by half a standard deviation */
    assert_true(fabs(c->score - 0.5) < 0.1);
    c = _col(r, "FLAG");
    assert_int_equal(c->type, DRIFT_CATEGORICAL);   /* integers, <= 5 values */
    assert_int_equal(c->test, DRIFT_TEST_JENSENSHANNON);
    assert_false(c->drifted);
    c = _col(r, "EXT");
    assert_int_equal(c->ref_missing, 300);
    assert_int_equal(c->n_ref, 2700);
    assert_int_equal(c->type, DRIFT_NUMERICAL);
    c = _col(r, "CONTRACT");
    assert_int_equal(c->type, DRIFT_CATEGORICAL);
    assert_int_equal(c->test, DRIFT_TEST_JENSENSHANNON);
    assert_int_equal(c->dist.n_bins, 2);
    assert_true(fabs(c->dist.ref[0] + c->dist.ref[1] - 1) < 1e-12);
    assert_true(r->share == (double)r->n_drifted / 5);
    assert_int_equal(r->dataset_drift, r->share >= 0.5);
    drift_report_free(r);
    _drop(&a);
    _drop(&b);
}

static void test_auto_tests_small_and_overrides(void **state)
{
    fixture a, b;
    cs_err err = {0};
    drift_options o;
    drift_override ov[3] = {{NULL, DRIFT_TEST_AUTO, 0.5}, {"AMT", DRIFT_TEST_PSI, NAN}, {"RATING", DRIFT_TEST_AUTO, 0.2}};
    (void)state;
    _make(&a, 800, 0.0, 0.3, 3);
    _make(&b, 400, 0.0, 0.3, 4);
    drift_report *r = drift_compare(&a.d, &b.d, NULL, &err);
    assert_non_null(r);
    assert_int_equal(_col(r, "AMT")->test, DRIFT_TEST_KS);
    assert_int_equal(_col(r, "FLAG")->test, DRIFT_TEST_Z);
    assert_int_equal(_col(r, "RATING")->test, DRIFT_TEST_CHISQUARE);
    assert_int_equal(_col(r, "CONTRACT")->test, DRIFT_TEST_Z);
    assert_true(_col(r, "AMT")->threshold == 0.05);
    drift_report_free(r);

    drift_options_init(&o);
    o.overrides = ov;
    o.n_overrides = 3;
    r = drift_compare(&a.d, &b.d, &o, &err);
    assert_non_null(r);
    assert_int_equal(_col(r, "AMT")->test, DRIFT_TEST_PSI);
    assert_true(_col(r, "AMT")->threshold == 0.5);          /* global threshold kept */
    assert_true(_col(r, "AMT")->score == _col(r, "AMT")->psi);
    assert_true(_col(r, "RATING")->threshold == 0.2);
    assert_int_equal(_col(r, "RATING")->auto_test, 1);
    drift_report_free(r);

    /* listed columns only; an unknown one is an error naming it */
    const char *only[] = {"AMT", "CONTRACT"};
    drift_options_init(&o);
    o.columns = only;
    o.n_columns = 2;
    r = drift_compare(&a.d, &b.d, &o, &err);
    assert_non_null(r);
    assert_int_equal(r->n_columns, 2);
    drift_report_free(r);
    const char *bad[] = {"NOPE"};
    o.columns = bad;
    o.n_columns = 1;
    assert_null(drift_compare(&a.d, &b.d, &o, &err));
    assert_int_equal(err.code, CS_ENOTFOUND);
    assert_non_null(strstr(err.msg, "NOPE"));
    _drop(&a);
    _drop(&b);
}

static void test_dataset_verdict_and_odd_columns(void **state)
{
    fixture a, b;
    cs_err err = {0};
    drift_options o;
    (void)state;
    _make(&a, 1500, 0.0, 0.2, 5);
    _make(&b, 1500, 3.0, 0.8, 6);
    /* a column of the reference only, and one with no value on the current side */
    a.cols[6] = (drift_column){.name = "TARGET", .num = a.num[1]};
    a.d.n_cols = 7;
    for (size_t i = 0; i < 1500; i++) b.num[2][i] = NAN;
    drift_options_init(&o);
    o.drift_share = 0.75;
    drift_report *r = drift_compare(&a.d, &b.d, &o, &err);
    assert_non_null(r);
    assert_int_equal(r->n_columns, 4);     /* AMT FLAG RATING CONTRACT; EXT untestable */
    assert_int_equal(r->n_skipped, 3);     /* SK_ID_CURR, TARGET, EXT */
    int seen = 0;
    for (int i = 0; i < r->n_skipped; i++) {
        seen += strstr(r->skipped[i], "TARGET (reference only)") != NULL;
        seen += strstr(r->skipped[i], "EXT (no value in the current data)") != NULL;
    }
    assert_int_equal(seen, 2);
    assert_true(_col(r, "AMT")->drifted && _col(r, "FLAG")->drifted && _col(r, "CONTRACT")->drifted);
    assert_int_equal(r->n_drifted, 3);      /* RATING is unchanged */
    assert_true(r->share == 0.75);
    assert_int_equal(r->dataset_drift, 1);  /* share >= drift_share */
    drift_report_free(r);
    _drop(&a);
    _drop(&b);
}

static void test_reports(void **state)
{
    fixture a, b;
    cs_err err = {0};
    (void)state;
    _make(&a, 1200, 0.0, 0.3, 7);
    _make(&b, 900, 0.4, 0.3, 8);
    a.cols[0].name = b.cols[0].name = "AMT \"<script>alert(1)</script>\"";
    drift_report *r = drift_compare(&a.d, &b.d, NULL, &err);
    assert_non_null(r);
    char *js = drift_report_json(r, &err), *html = drift_report_html(r, &err);
    assert_non_null(js);
    assert_non_null(html);
    static const char *const fields[] = {"\"format\": \"creditscore-drift/1\"", "\"summary\"", "\"columns\": [",
                                         "\"dataset_drift\"", "\"drift_share\": 0.5", "\"test\": \"wasserstein\"",
                                         "\"psi_band\"", "\"distribution\"", "\"skipped\": [\"SK_ID_CURR (id, excluded)\"]",
                                         "AMT \\\"<script>alert(1)</script>\\\""};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        if (!strstr(js, fields[i])) fail_msg("JSON lacks %s", fields[i]);
    }
    assert_null(strstr(html, "<script>alert"));
    assert_non_null(strstr(html, "AMT &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;"));
    assert_non_null(strstr(html, "Revolving &lt;loans&gt;"));
    assert_null(strstr(html, "http://"));
    assert_null(strstr(html, "https://"));
    assert_null(strstr(html, " src="));
    assert_non_null(strstr(html, "<svg"));
    assert_non_null(strstr(html, "Dataset Drift is"));
    free(js);
    free(html);
    assert_int_equal(drift_report_write_json(r, "/nonexistent-dir/x.json", &err), CS_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent-dir/x.json"));
    drift_report_free(r);
    drift_report_free(NULL);
    drift_dataset_free(NULL);
    _drop(&a);
    _drop(&b);
}

static void test_matrix_dataset(void **state)
{
    double v[2 * 50];
    const char *names[] = {"f1", "f2"};
    cs_err err = {0};
    (void)state;
    for (int i = 0; i < 50; i++) {
        v[i] = i % 2;           /* integral, but a float matrix: numerical */
        v[50 + i] = i;
    }
    drift_dataset *d = drift_dataset_from_matrix("m", 50, 2, names, v, &err);
    assert_non_null(d);
    drift_report *r = drift_compare(d, d, NULL, &err);
    assert_non_null(r);
    assert_int_equal(r->cols[0].type, DRIFT_NUMERICAL);
    assert_int_equal(r->cols[0].test, DRIFT_TEST_Z);   /* <= 1000 rows, 2 values */
    assert_true(r->cols[0].score == 1.0);
    assert_int_equal(r->cols[1].test, DRIFT_TEST_KS);
    assert_true(r->cols[1].score == 1.0 && r->cols[1].statistic == 0.0);
    assert_int_equal(r->n_drifted, 0);
    drift_report_free(r);
    drift_dataset_free(d);
    assert_null(drift_dataset_load("/nonexistent/file.csv", &err));
    assert_int_not_equal(err.code, CS_OK);
}

static void test_audit_dataset(void **state)
{
    char dir[] = "/tmp/test_drift_auditXXXXXX", cpath[128], apath[128];
    cs_err err = {0};
    size_t n_without = 99;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(cpath, sizeof cpath, "%s/clients.db", dir);
    snprintf(apath, sizeof apath, "%s/audit.db", dir);
    /* a clients store of 4 clients with features f0, f1, f2 = id * 10 + j */
    feat_matrix *m = feat_matrix_create(4, 3, &err);
    assert_non_null(m);
    for (size_t j = 0; j < 3; j++) {
        char name[8];
        snprintf(name, sizeof name, "f%zu", j);
        m->names[j] = strdup(name);
    }
    for (size_t i = 0; i < 4; i++) {
        m->ids[i] = 100 + (int64_t)i;
        for (size_t j = 0; j < 3; j++) m->values[j * 4 + i] = (double)(100 + i) * 10 + (double)j;
    }
    assert_int_equal(store_clients_import(cpath, m, NULL, 0, NULL, &err), CS_OK);
    feat_matrix_free(m);
    /* decisions: 3 on clients by model "a" (one before the cut), 1 by model "b", 1 on features */
    store_audit *a = store_audit_open(apath, &err);
    assert_non_null(a);
    struct { int64_t ms; const char *model, *kind; int64_t id; } rec[] = {
        {1000, "a", "client_id", 101}, {5000, "a", "client_id", 103}, {6000, "a", "client_id", 101},
        {7000, "b", "client_id", 102}, {8000, "a", "features", -1}};
    for (size_t i = 0; i < sizeof rec / sizeof *rec; i++) {
        store_audit_rec r = {0};
        r.unix_ms = rec[i].ms;
        snprintf(r.request_id, sizeof r.request_id, "req-%zu", i);
        snprintf(r.endpoint, sizeof r.endpoint, "predict");
        snprintf(r.model_name, sizeof r.model_name, "%s", rec[i].model);
        snprintf(r.model_version, sizeof r.model_version, "1");
        snprintf(r.input_kind, sizeof r.input_kind, "%s", rec[i].kind);
        r.client_id = rec[i].id;
        snprintf(r.decision, sizeof r.decision, "approve");
        assert_int_equal(store_audit_append(a, &r, &err), CS_OK);
    }
    store_audit_close(a);

    const char *names[] = {"f2", "zz", "f0"};
    drift_dataset *d = drift_dataset_from_audit(apath, cpath, 2000, "a", names, 3, &n_without, &err);
    if (!d) fail_msg("%s", err.msg);
    assert_int_equal(d->n_rows, 2);         /* 103 and 101 after the cut, by model a */
    assert_int_equal(n_without, 1);         /* the decision on features sent in the request */
    assert_int_equal(d->n_cols, 3);
    assert_string_equal(d->cols[0].name, "f2");
    assert_true(d->cols[0].num[0] == 1032 && d->cols[0].num[1] == 1012);
    assert_true(isnan(d->cols[1].num[0]));  /* not in the store */
    assert_true(d->cols[2].num[1] == 1010);
    assert_non_null(strstr(d->label, "2 decisions"));
    drift_dataset_free(d);
    /* nothing after the last decision: a clear error */
    assert_null(drift_dataset_from_audit(apath, cpath, 9000, "a", names, 3, NULL, &err));
    assert_int_equal(err.code, CS_ENOTFOUND);
    assert_null(drift_dataset_from_audit(apath, "/nonexistent/clients.db", 0, NULL, names, 3, NULL, &err));
    unlink(cpath);
    unlink(apath);
    char side[160];
    snprintf(side, sizeof side, "%s-wal", apath);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", apath);
    unlink(side);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auto_tests_large),
        cmocka_unit_test(test_auto_tests_small_and_overrides),
        cmocka_unit_test(test_dataset_verdict_and_odd_columns),
        cmocka_unit_test(test_reports),
        cmocka_unit_test(test_matrix_dataset),
        cmocka_unit_test(test_audit_dataset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
