/*
 * test_io_sample.c: every file of the real Home Credit sample (../shared/data/homecredit-sample,
 * or $CS_SAMPLE_DIR) reads without error with its schema, and holds what we know of it.
 * Skips (printing why) when the folder is absent, as on a user's fresh machine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/hc_schema.h"
#include "io/tbl.h"

static const char *_dir(void)
{
    const char *d = getenv("CS_SAMPLE_DIR");
    return d && *d ? d : "../shared/data/homecredit-sample";
}

static tbl *_load(const char *file, const tbl_schema *schema)
{
    char path[1024];
    cs_err err = {0};
    tbl *t;
    snprintf(path, sizeof path, "%s/%s", _dir(), file);
    t = tbl_read_csv(path, schema, &err);
    if (!t) {
        print_error("%s\n", err.msg);
        fail();
    }
    return t;
}

static int _has_sample(void)
{
    struct stat sb;
    char path[1024];
    snprintf(path, sizeof path, "%s/application_train.csv", _dir());
    if (stat(path, &sb) == 0) return 1;
    printf("skip - the Home Credit sample is absent (%s)\n", _dir());
    return 0;
}

static void test_every_table_reads(void **state)
{
    (void)state;
    if (!_has_sample()) skip();
    for (int i = 0; i < HC_N_TABLES; i++) {
        const tbl_schema *s = hc_schema((hc_table)i);
        tbl *t = _load(hc_file_name((hc_table)i), s);
        assert_int_equal(t->n_cols, s->n_cols);
        assert_true(t->n_rows > 0);
        for (int k = 0; k < s->n_cols; k++) {
            assert_string_equal(t->cols[k].name, s->cols[k].name);   /* the real order */
            assert_int_equal(t->cols[k].type, s->cols[k].type);
        }
        tbl_free(t);
    }
}

static void test_application_train_facts(void **state)
{
    const tbl_column *c;
    tbl *t;
    int stone = 0;
    (void)state;
    if (!_has_sample()) skip();
    t = _load("application_train.csv", hc_schema(HC_APPLICATION_TRAIN));
    assert_int_equal(t->n_rows, 1000);
    assert_true(tbl_col(t, "SK_ID_CURR")->num[0] == 100002.0);
    c = tbl_col(t, "TARGET");
    for (size_t i = 0; i < t->n_rows; i++) assert_true(c->num[i] == 0.0 || c->num[i] == 1.0);
    c = tbl_col(t, "WALLSMATERIAL_MODE");
    for (int32_t j = 0; j < c->n_cats; j++) stone |= !strcmp(c->cats[j], "Stone, brick");
    assert_true(stone);
    c = tbl_col(t, "DAYS_EMPLOYED");
    {
        double mx = -INFINITY;
        for (size_t i = 0; i < t->n_rows; i++)
            if (c->num[i] > mx) mx = c->num[i];
        assert_true(mx == 365243.0);
    }
    tbl_free(t);
}

static void test_bureau_balance_status(void **state)
{
    const tbl_column *c;
    tbl *t;
    (void)state;
    if (!_has_sample()) skip();
    t = _load("bureau_balance.csv", hc_schema(HC_BUREAU_BALANCE));
    c = tbl_col(t, "STATUS");
    assert_int_equal(c->type, TBL_CAT);
    for (int32_t j = 0; j < c->n_cats; j++) assert_non_null(strstr("012345CX", c->cats[j]));
    tbl_free(t);
}

static void test_description_file_inferred(void **state)
{
    tbl *t;
    (void)state;
    if (!_has_sample()) skip();
    /* cp1252 bytes and an empty first header: read as text, types inferred */
    t = _load("HomeCredit_columns_description.csv", NULL);
    assert_int_equal(t->n_rows, 219);
    assert_int_equal(t->n_cols, 5);
    assert_int_equal(t->cols[0].type, TBL_NUM);
    assert_int_equal(tbl_col(t, "Row")->type, TBL_CAT);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_table_reads),
        cmocka_unit_test(test_application_train_facts),
        cmocka_unit_test(test_bureau_balance_status),
        cmocka_unit_test(test_description_file_inferred),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
