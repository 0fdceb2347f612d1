/*
 * test_synth_gen.c: unit tests of src/synth: number formatting as pandas writes it, CSV
 * rows, the plan (train/test split, XNA genders, ids), determinism of blocks whatever
 * their boundaries, id consistency across the tables, and errors on bad parameters; the
 * production stream (calendar, hazard, drift, rows, outcomes known by the end).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synth/synth_int.h"

static const char *_fix(double v, int dec)
{
    static char buf[64];
    char *e = synth_put_fix(buf, v, dec);
    *e = '\0';
    return buf;
}

static void test_put_fix_like_pandas(void **state)
{
    char buf[32], *e;
    (void)state;
    assert_string_equal(_fix(202500.0, 3), "202500.0");
    assert_string_equal(_fix(406597.5, 3), "406597.5");
    assert_string_equal(_fix(-3648.0, 0), "-3648.0");
    assert_string_equal(_fix(0.0830369673913225, 16), "0.0830369673913225");
    assert_string_equal(_fix(0.0247, 4), "0.0247");
    assert_string_equal(_fix(1.0, 4), "1.0");
    assert_string_equal(_fix(-0.0001, 3), "0.0");     /* no "-0.0" */
    assert_string_equal(_fix(2.675, 2), "2.68");
    assert_string_equal(_fix(365243.0, 0), "365243.0");
    assert_string_equal(_fix(1.17e8, 3), "117000000.0");
    e = synth_put_int(buf, -9461);
    *e = '\0';
    assert_string_equal(buf, "-9461");
    e = synth_put_int(buf, 0);
    *e = '\0';
    assert_string_equal(buf, "0");
    e = synth_put_int(buf, INT64_MIN);
    *e = '\0';
    assert_string_equal(buf, "-9223372036854775808");
}

static void test_emit_row(void **state)
{
    static const synth_colfmt f[] = {{"A", SY_INT, 0}, {"B", SY_FLT, 2}, {"C", SY_CAT, 0},
                                     {"D", SY_CAT, 0}, {"E", SY_FLT, 1}};
    double v[] = {7, 0.5, 0, 0, NAN};
    const char *s[] = {NULL, NULL, "Stone, brick", NULL, NULL};
    cs_buf b = {0};
    (void)state;
    assert_int_equal(synth_emit_row(&b, f, 5, v, s, NULL), CS_OK);
    assert_string_equal(b.data, "7,0.5,\"Stone, brick\",,\n");
    cs_buf_free(&b);
}

static void test_formats_match_schemas(void **state)
{
    (void)state;
    for (int t = 0; t < HC_N_TABLES; t++) {
        int n;
        const synth_colfmt *f = synth_table_fmt((hc_table)t, &n);
        const tbl_schema *sc = hc_schema((hc_table)t);
        assert_non_null(f);
        assert_int_equal(n, sc->n_cols);
        for (int k = 0; k < n; k++) {
            assert_string_equal(f[k].name, sc->cols[k].name);
            assert_int_equal(f[k].fmt == SY_CAT, sc->cols[k].type == TBL_CAT);
        }
    }
    for (int k = 0; k < SYNTH_APP_NCOL; k++)
        assert_string_equal(synth_ref_app[k].name, hc_schema(HC_APPLICATION_TRAIN)->cols[k].name);
}

static void test_plan(void **state)
{
    cs_err err = {0};
    synth_plan *p = synth_plan_create(1000, 300, 5, NULL, &err);
    uint64_t n_train = 0, n_xna = 0;
    (void)state;
    assert_non_null(p);
    for (uint64_t i = 0; i < p->n; i++) {
        n_train += (p->flags[i] & SYNTH_F_TRAIN) != 0;
        n_xna += (p->flags[i] & SYNTH_F_XNA) != 0;
        if (p->flags[i] & SYNTH_F_XNA) assert_true(p->flags[i] & SYNTH_F_TRAIN);
    }
    assert_int_equal(n_train, 1000);
    assert_int_equal(n_xna, 4);
    assert_true(isfinite(p->intercept));
    /* ids are unique and increasing across clients */
    {
        int64_t last_b = 0, last_p = 0;
        for (uint64_t i = 0; i < p->n; i++) {
            for (int k = 0; k < (int)(p->bureau_off[i + 1] - p->bureau_off[i]); k++) {
                assert_true(synth_id_bureau(p, i, k) > last_b);
                last_b = synth_id_bureau(p, i, k);
            }
            for (int k = 0; k < (int)(p->prev_off[i + 1] - p->prev_off[i]); k++) {
                assert_true(synth_id_prev(p, i, k) > last_p);
                last_p = synth_id_prev(p, i, k);
            }
        }
        assert_true(last_b >= SYNTH_ID_BUREAU0 && last_p >= SYNTH_ID_PREV0);
    }
    synth_plan_free(p);
    synth_plan_free(NULL);
}

static int _same_block(const synth_block *a, const synth_block *b)
{
    for (int t = 0; t < HC_N_TABLES; t++) {
        if (a->out[t].len != b->out[t].len) return 0;
        if (a->out[t].len && memcmp(a->out[t].data, b->out[t].data, a->out[t].len)) return 0;
    }
    return 1;
}

static void test_blocks_deterministic(void **state)
{
    cs_err err = {0};
    synth_plan *p = synth_plan_create(200, 40, 7, NULL, &err), *q = synth_plan_create(200, 40, 7, NULL, &err);
    synth_plan *o = synth_plan_create(200, 40, 8, NULL, &err);
    synth_block a, b, c, d;
    (void)state;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    memset(&d, 0, sizeof d);
    assert_non_null(p);
    assert_non_null(q);
    assert_non_null(o);
    assert_int_equal(synth_gen_block(p, 0, 240, &a, &err), CS_OK);
    /* other boundaries, another plan from the same seed: same bytes */
    assert_int_equal(synth_gen_block(q, 0, 97, &b, &err), CS_OK);
    assert_int_equal(synth_gen_block(q, 97, 143, &b, &err), CS_OK);
    assert_true(_same_block(&a, &b));
    /* another seed: different */
    assert_int_equal(synth_gen_block(o, 0, 240, &c, &err), CS_OK);
    assert_false(_same_block(&a, &c));
    assert_int_equal(a.rows[HC_APPLICATION_TRAIN], 200);
    assert_int_equal(a.rows[HC_APPLICATION_TEST], 40);
    assert_true(a.rows[HC_BUREAU] > 0 && a.rows[HC_INSTALLMENTS_PAYMENTS] > 0);
    /* outside the plan: an error, not a crash */
    assert_int_equal(synth_gen_block(p, 200, 100, &d, &err), CS_EINVAL);
    synth_block_free(&a);
    synth_block_free(&b);
    synth_block_free(&c);
    synth_block_free(&d);
    synth_plan_free(p);
    synth_plan_free(q);
    synth_plan_free(o);
}

/* read a block's table through io's reader with its schema */
static tbl *_read(const synth_block *b, hc_table t)
{
    cs_buf all = {0};
    cs_err err = {0};
    tbl *x;
    assert_int_equal(synth_emit_header(&all, hc_schema(t), &err), CS_OK);
    assert_int_equal(cs_buf_append(&all, b->out[t].data ? b->out[t].data : "", b->out[t].len, &err), CS_OK);
    x = tbl_read_csv_mem(hc_file_name(t), all.data, all.len, hc_schema(t), &err);
    if (!x) fail_msg("%s", err.msg);
    assert_int_equal(x->n_rows, b->rows[t]);
    cs_buf_free(&all);
    return x;
}

static int _cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int _in(const double *sorted, size_t n, double v)
{
    return bsearch(&v, sorted, n, sizeof v, _cmp_d) != NULL;
}

static void test_ids_consistent(void **state)
{
    cs_err err = {0};
    synth_plan *p = synth_plan_create(300, 60, 11, NULL, &err);
    synth_block b;
    tbl *t[HC_N_TABLES];
    double *bur, *prev, *prev_cur;
    size_t nb, np;
    (void)state;
    memset(&b, 0, sizeof b);
    assert_int_equal(synth_gen_block(p, 0, 360, &b, &err), CS_OK);
    for (int k = 0; k < HC_N_TABLES; k++) t[k] = _read(&b, (hc_table)k);

    /* SK_ID_CURR: train and test disjoint, in 100001..100360 */
    for (size_t i = 0; i < t[HC_BUREAU]->n_rows; i++) {
        double id = tbl_col(t[HC_BUREAU], "SK_ID_CURR")->num[i];
        assert_true(id >= SYNTH_ID_CURR0 && id < SYNTH_ID_CURR0 + 360);
    }
    /* SK_ID_BUREAU unique; every bureau_balance row points to a bureau record */
    nb = t[HC_BUREAU]->n_rows;
    bur = malloc(nb * sizeof *bur);
    memcpy(bur, tbl_col(t[HC_BUREAU], "SK_ID_BUREAU")->num, nb * sizeof *bur);
    qsort(bur, nb, sizeof *bur, _cmp_d);
    for (size_t i = 1; i < nb; i++) assert_true(bur[i] > bur[i - 1]);
    for (size_t i = 0; i < t[HC_BUREAU_BALANCE]->n_rows; i++)
        assert_true(_in(bur, nb, tbl_col(t[HC_BUREAU_BALANCE], "SK_ID_BUREAU")->num[i]));
    /* SK_ID_PREV unique; POS, installments, card rows point to a previous application of
     * the same client */
    np = t[HC_PREVIOUS_APPLICATION]->n_rows;
    prev = malloc(np * sizeof *prev);
    prev_cur = malloc(np * sizeof *prev_cur);
    memcpy(prev, tbl_col(t[HC_PREVIOUS_APPLICATION], "SK_ID_PREV")->num, np * sizeof *prev);
    qsort(prev, np, sizeof *prev, _cmp_d);
    for (size_t i = 1; i < np; i++) assert_true(prev[i] > prev[i - 1]);
    for (size_t i = 0; i < np; i++) {
        /* ids are given in client order, so the i-th sorted id is the i-th row */
        assert_true(tbl_col(t[HC_PREVIOUS_APPLICATION], "SK_ID_PREV")->num[i] == prev[i]);
        prev_cur[i] = tbl_col(t[HC_PREVIOUS_APPLICATION], "SK_ID_CURR")->num[i];
    }
    {
        static const hc_table kids[] = {HC_POS_CASH_BALANCE, HC_INSTALLMENTS_PAYMENTS, HC_CREDIT_CARD_BALANCE};
        for (int k = 0; k < 3; k++) {
            const tbl *x = t[kids[k]];
            for (size_t i = 0; i < x->n_rows; i++) {
                double id = tbl_col(x, "SK_ID_PREV")->num[i];
                double *hit = bsearch(&id, prev, np, sizeof id, _cmp_d);
                assert_non_null(hit);
                assert_true(prev_cur[hit - prev] == tbl_col(x, "SK_ID_CURR")->num[i]);
            }
        }
    }
    /* months and days agree: POS months and instalment days lie before the application */
    for (size_t i = 0; i < t[HC_POS_CASH_BALANCE]->n_rows; i++) {
        double m = tbl_col(t[HC_POS_CASH_BALANCE], "MONTHS_BALANCE")->num[i];
        assert_true(m <= -1 && m >= -96);
    }
    for (size_t i = 0; i < t[HC_INSTALLMENTS_PAYMENTS]->n_rows; i++) {
        assert_true(tbl_col(t[HC_INSTALLMENTS_PAYMENTS], "DAYS_INSTALMENT")->num[i] <= -1);
        assert_true(tbl_col(t[HC_INSTALLMENTS_PAYMENTS], "DAYS_ENTRY_PAYMENT")->num[i] <= -1);
    }
    free(bur);
    free(prev);
    free(prev_cur);
    for (int k = 0; k < HC_N_TABLES; k++) tbl_free(t[k]);
    synth_block_free(&b);
    synth_plan_free(p);
}

static void test_default_rate(void **state)
{
    cs_err err = {0};
    synth_plan *p = synth_plan_create(6000, 0, 3, NULL, &err);
    synth_block b;
    double rate;
    (void)state;
    memset(&b, 0, sizeof b);
    assert_int_equal(synth_gen_block(p, 0, 6000, &b, &err), CS_OK);
    rate = (double)b.n_target1 / 6000.0;
    assert_true(rate > 0.065 && rate < 0.097);     /* 8.07 % +- 4.5 standard errors */
    synth_block_free(&b);
    synth_plan_free(p);
}

static void test_bad_parameters(void **state)
{
    synth_params p;
    cs_err err = {0};
    char dir[] = "/tmp/test_synth_XXXXXX", file[600];
    FILE *f;
    (void)state;
    synth_params_default(&p);
    assert_int_equal(p.n_train, 307511);
    assert_int_equal(p.n_test, 48744);
    assert_int_equal(synth_params_check(&p, &err), CS_EINVAL);     /* no folder */
    p.out_dir = "x";
    p.n_train = 0;
    assert_int_equal(synth_params_check(&p, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "at least 1"));
    /* --out is a file: an i/o error naming it */
    assert_non_null(mkdtemp(dir));
    snprintf(file, sizeof file, "%s/plain", dir);
    f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    p.out_dir = file;
    p.n_train = 10;
    p.n_test = 2;
    assert_int_equal(synth_generate(&p, NULL, NULL, &err), CS_EIO);
    assert_non_null(strstr(err.msg, file));
    /* a real run in a fresh sub-folder, then the check reads it */
    snprintf(file, sizeof file, "%s/out/deeper", dir);
    p.out_dir = file;
    assert_int_equal(synth_generate(&p, NULL, NULL, &err), CS_OK);
    {
        synth_report *r = synth_check_dir(file, NULL, &err);
        assert_non_null(r);
        assert_true(r->n > 100);
        synth_report_free(r);
    }
    /* the check on a folder without tables: NULL and a message naming the file */
    assert_null(synth_check_dir(dir, NULL, &err));
    assert_non_null(strstr(err.msg, "application_train.csv"));
    for (int t = 0; t < HC_N_TABLES; t++) {
        snprintf(file, sizeof file, "%s/out/deeper/%s", dir, hc_file_name((hc_table)t));
        unlink(file);
    }
    snprintf(file, sizeof file, "%s/out/deeper", dir);
    rmdir(file);
    snprintf(file, sizeof file, "%s/out", dir);
    rmdir(file);
    snprintf(file, sizeof file, "%s/plain", dir);
    unlink(file);
    rmdir(dir);
    synth_report_free(NULL);
}

static void test_stream_calendar_and_hazard(void **state)
{
    int y, m, d;
    double total = 0, cum6 = 0;
    (void)state;
    assert_int_equal(synth_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(synth_days_from_civil(2025, 1, 1), 20089);
    for (int64_t z = 18000; z < 22000; z += 37) {
        synth_civil_from_days(z, &y, &m, &d);
        assert_int_equal(synth_days_from_civil(y, m, d), z);
    }
    synth_civil_from_days(synth_days_from_civil(2024, 2, 29), &y, &m, &d);
    assert_int_equal(m * 100 + d, 229);
    for (int k = 1; k <= 12; k++) total += synth_stream_hazard(k, 12);
    for (int k = 1; k <= 6; k++) cum6 += synth_stream_hazard(k, 12);
    assert_true(fabs(total - 1.0) < 1e-12);
    assert_true(cum6 > 0.45 && cum6 < 0.6);     /* about half the defaults in the first six months */
    assert_true(synth_stream_hazard(0, 12) == 0 && synth_stream_hazard(13, 12) == 0);
}

static void test_stream_plan_and_rows(void **state)
{
    cs_err err = {0};
    synth_stream_plan sp = {4, 200, 2025, 11, 1.0, 0.6, 0.5, 2, 12};
    synth_plan *p = synth_plan_create(300, 800, 9, &sp, &err), *q = synth_plan_create(300, 800, 9, &sp, &err);
    synth_block b, c;
    synth_shift s0, s1, s3;
    (void)state;
    assert_non_null(p);
    assert_non_null(q);
    /* training ids first, then the stream in order */
    for (uint64_t i = 0; i < 1100; i++) assert_int_equal(!!(p->flags[i] & SYNTH_F_TRAIN), i < 300);
    for (uint64_t i = 300; i < 1100; i++) assert_true(p->flags[i] & SYNTH_F_STREAM);
    assert_int_equal(synth_stream_month(p, 299), -1);
    assert_int_equal(synth_stream_month(p, 300), 0);
    assert_int_equal(synth_stream_month(p, 1099), 3);
    synth_stream_shift(p, 300, &s0);
    synth_stream_shift(p, 500, &s1);
    synth_stream_shift(p, 1099, &s3);
    assert_true(s0.t == 0 && s0.loan == 1 && s0.age == 1 && s0.odds == 0);
    assert_true(fabs(s1.t + 0.015) < 1e-12 && s1.loan > 1 && s1.age < 1 && s1.odds == 0);
    /* month 3 is after the shock (month index 2) */
    assert_true(fabs(s3.t - (-0.045 - 0.6)) < 1e-12 && s3.odds == 0.5);
    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    assert_int_equal(synth_gen_block(p, 0, 1100, &b, &err), CS_OK);
    assert_int_equal(synth_gen_block(q, 0, 650, &c, &err), CS_OK);
    assert_int_equal(synth_gen_block(q, 650, 450, &c, &err), CS_OK);
    assert_int_equal(b.n_stream, 800);
    assert_int_equal(b.rows[HC_APPLICATION_TEST], 800);
    assert_int_equal(b.rows[HC_APPLICATION_TRAIN], 300);
    assert_int_equal(b.stream.len, c.stream.len);
    assert_memory_equal(b.stream.data, c.stream.data, b.stream.len);
    assert_int_equal(b.outcomes.len, c.outcomes.len);
    assert_memory_equal(b.outcomes.data, c.outcomes.data, b.outcomes.len);
    /* the first applicant of 2025-11 and the last of 2026-02 (the fourth month) */
    assert_true(!strncmp(b.stream.data, "100301,2025-11,2025-11-", 23));
    assert_non_null(strstr(b.stream.data, "101100,2026-02,2026-02-"));
    /* a stream of four months ends 2026-03-01: no repaid loan is known yet (12 months),
     * the defaults that happened before the end are */
    assert_true(b.n_outcomes > 0 && b.n_outcomes < b.n_stream_default + 1);
    assert_null(strstr(b.outcomes.data, ",0,"));
    {
        const char *l = b.outcomes.data;
        while (l && *l) {
            assert_true(strncmp(strchr(strchr(l, ',') + 1, ',') + 1, "2026-03", 7) < 0);
            l = strchr(l, '\n');
            if (l) l++;
        }
    }
    synth_block_free(&b);
    synth_block_free(&c);
    synth_plan_free(p);
    synth_plan_free(q);
    /* the plan refuses a stream whose size is not the test count */
    assert_null(synth_plan_create(300, 799, 9, &sp, &err));
    assert_non_null(strstr(err.msg, "applicants"));
}

static void test_stream_parameters(void **state)
{
    synth_params p;
    cs_err err = {0};
    (void)state;
    synth_params_default(&p);
    p.out_dir = "x";
    p.months = 24;
    p.per_month = 10;
    assert_int_equal(synth_params_check(&p, &err), CS_EINVAL);      /* test clients given */
    p.n_test = 0;
    assert_int_equal(synth_params_check(&p, &err), CS_OK);
    p.shock_month = 24;
    assert_int_equal(synth_params_check(&p, &err), CS_EINVAL);
    p.shock_month = 23;
    p.per_month = 0;
    assert_int_equal(synth_params_check(&p, &err), CS_EINVAL);
    p.per_month = 10;
    p.start_month = 13;
    assert_int_equal(synth_params_check(&p, &err), CS_EINVAL);
    p.start_month = 12;
    p.drift = NAN;
    assert_int_equal(synth_params_check(&p, &err), CS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_fix_like_pandas),
        cmocka_unit_test(test_emit_row),
        cmocka_unit_test(test_formats_match_schemas),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_blocks_deterministic),
        cmocka_unit_test(test_ids_consistent),
        cmocka_unit_test(test_default_rate),
        cmocka_unit_test(test_bad_parameters),
        cmocka_unit_test(test_stream_calendar_and_hazard),
        cmocka_unit_test(test_stream_plan_and_rows),
        cmocka_unit_test(test_stream_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
