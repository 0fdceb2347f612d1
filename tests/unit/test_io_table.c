/*
 * test_io_table.c: unit tests of the row builder (same parsing and errors as the CSV
 * reader, same table for the same rows) and of the column summaries (tbl_summarize).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/tbl.h"

static const tbl_colspec _cols[] = {{"id", TBL_NUM, 1, 0}, {"kind", TBL_CAT, 1, 0}, {"amount", TBL_NUM, 1, 0}};
static const tbl_schema _schema = {"rows", 3, _cols};

static void test_builder_equals_reader(void **state)
{
    const char *rows[][3] = {{"1", "Stone, brick", "202500.0"}, {"2", NULL, ""}, {"3", "say \"hi\"", "-9461"},
                             {"4", "Stone, brick", "0.0830369673913225"}, {"5", "", "inf"}};
    const char *csv = "id,kind,amount\n1,\"Stone, brick\",202500.0\n2,,\n3,\"say \"\"hi\"\"\",-9461\n"
                      "4,\"Stone, brick\",0.0830369673913225\n5,,inf\n";
    cs_err err = {0};
    tbl_builder *b = tbl_builder_create("api", &_schema, &err);
    tbl *built, *read;
    (void)state;
    assert_non_null(b);
    for (size_t i = 0; i < 5; i++) assert_int_equal(tbl_builder_add_row(b, rows[i], &err), CS_OK);
    built = tbl_builder_finish(b, &err);
    read = tbl_read_csv_mem("rows.csv", csv, strlen(csv), &_schema, &err);
    assert_non_null(built);
    assert_non_null(read);
    assert_string_equal(built->source, "api");
    assert_int_equal(built->n_rows, read->n_rows);
    assert_int_equal(built->n_cols, read->n_cols);
    for (int k = 0; k < 3; k++) {
        const tbl_column *x = &built->cols[k], *y = &read->cols[k];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->type, y->type);
        for (size_t i = 0; i < built->n_rows; i++) {
            if (x->type == TBL_NUM) {
                assert_true(x->num[i] == y->num[i] || (isnan(x->num[i]) && isnan(y->num[i])));
            } else {
                assert_int_equal(x->codes[i], y->codes[i]);
            }
        }
        assert_int_equal(x->n_cats, y->n_cats);
        for (int32_t j = 0; j < x->n_cats; j++) assert_string_equal(x->cats[j], y->cats[j]);
    }
    tbl_free(built);
    tbl_free(read);
}

static void test_builder_errors(void **state)
{
    const char *good[3] = {"1", "a", "2"};
    const char *bad[3] = {"2", "b", "12abc"};
    cs_err err = {0};
    tbl_builder *b;
    tbl *t;
    (void)state;
    assert_null(tbl_builder_create("x", NULL, &err));
    assert_int_equal(err.code, CS_EINVAL);
    b = tbl_builder_create("applicant 100002", &_schema, &err);
    assert_int_equal(tbl_builder_add_row(b, good, &err), CS_OK);
    assert_int_equal(tbl_builder_add_row(b, bad, &err), CS_EPARSE);
    assert_string_equal(err.msg, "applicant 100002: row 2: text '12abc' in numeric column amount");
    /* the refused row left nothing behind */
    t = tbl_builder_finish(b, &err);
    assert_non_null(t);
    assert_int_equal(t->n_rows, 1);
    assert_int_equal(t->cols[1].n_cats, 1);
    tbl_free(t);
    /* an empty builder gives an empty table; free accepts NULL */
    b = tbl_builder_create("empty", &_schema, &err);
    t = tbl_builder_finish(b, &err);
    assert_non_null(t);
    assert_int_equal(t->n_rows, 0);
    tbl_free(t);
    tbl_builder_free(NULL);
    b = tbl_builder_create("dropped", &_schema, &err);
    assert_int_equal(tbl_builder_add_row(b, good, &err), CS_OK);
    tbl_builder_free(b);
}

static int _cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_summarize_numbers(void **state)
{
    cs_rng rng;
    cs_err err = {0};
    (void)state;
    cs_rng_seed(&rng, 7);
    for (int trial = 0; trial < 200; trial++) {
        size_t n = 1 + cs_rng_below(&rng, 300), n_ok = 0, n_nan = 0;
        const tbl_colspec spec[] = {{"x", TBL_NUM, 1, 0}};
        const tbl_schema s = {"one", 1, spec};
        tbl_builder *b = tbl_builder_create("s", &s, &err);
        double *sorted = malloc(n * sizeof *sorted), want;
        tbl_summary sum;
        tbl *t;
        for (size_t i = 0; i < n; i++) {
            char text[40];
            const char *f[1] = {text};
            if (cs_rng_below(&rng, 5) == 0) {
                f[0] = NULL;
                n_nan++;
            } else {
                /* few distinct values, so ties are common */
                double v = (double)((int64_t)cs_rng_below(&rng, trial % 2 ? 10 : 1000) - 5) / 4;
                snprintf(text, sizeof text, "%.17g", v);
                sorted[n_ok++] = v;
            }
            assert_int_equal(tbl_builder_add_row(b, f, &err), CS_OK);
        }
        t = tbl_builder_finish(b, &err);
        assert_int_equal(tbl_summarize(t, 0, 5, &sum, &err), CS_OK);
        assert_int_equal(sum.n_missing, n_nan);
        if (n_ok == 0) {
            assert_true(isnan(sum.median) && isnan(sum.min) && isnan(sum.max));
        } else {
            qsort(sorted, n_ok, sizeof *sorted, _cmp);
            want = n_ok % 2 ? sorted[n_ok / 2] : (sorted[n_ok / 2 - 1] + sorted[n_ok / 2]) / 2;
            assert_true(sum.median == want);
            assert_true(sum.min == sorted[0]);
            assert_true(sum.max == sorted[n_ok - 1]);
        }
        free(sorted);
        tbl_free(t);
    }
    assert_int_equal(tbl_summarize(NULL, 0, 5, NULL, &err), CS_EINVAL);
}

static void test_summarize_categories(void **state)
{
    const char *csv = "id,kind,amount\n1,b,0\n2,a,0\n3,a,0\n4,,0\n5,c,0\n6,b,0\n7,a,0\n";
    cs_err err = {0};
    tbl_summary s;
    tbl *t = tbl_read_csv_mem("c.csv", csv, strlen(csv), &_schema, &err);
    (void)state;
    assert_non_null(t);
    assert_int_equal(tbl_summarize(t, 1, 2, &s, &err), CS_OK);
    assert_int_equal(s.n_missing, 1);
    assert_int_equal(s.n_top, 2);
    assert_string_equal(t->cols[1].cats[s.top_code[0]], "a");
    assert_int_equal(s.top_count[0], 3);
    assert_string_equal(t->cols[1].cats[s.top_code[1]], "b");
    assert_int_equal(s.top_count[1], 2);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builder_equals_reader),
        cmocka_unit_test(test_builder_errors),
        cmocka_unit_test(test_summarize_numbers),
        cmocka_unit_test(test_summarize_categories),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
