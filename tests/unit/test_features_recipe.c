/*
 * test_features_recipe.c: the recipe engine (src/features/engine.c). With
 * recipes/homecredit-kernel.json (built in) on the real Home Credit sample it gives the
 * matrix the hand-written kernel code gave before it was removed, to the bit (names, ids,
 * targets and values by digest); one applicant through
 * feat_recipe_compute_one equals its batch row; a small lender's recipe (no id, flags Y/N,
 * a child table with every operation, where, first/last) gives the values worked out by hand.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "features/engine.h"

#include "io/hc_schema.h"
#include "testutil.h"

#define KERNEL_RECIPE "recipes/homecredit-kernel.json"

static const char *_sample(void)
{
    const char *d = getenv("CS_SAMPLE_DIR");
    return d && *d ? d : "../shared/data/homecredit-sample";
}

/* The real Home Credit sample is not part of the repository (a user's machine has no
 * ../shared): the tests on it skip, saying so, when it is absent. */
static int _has_sample(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/application_train.csv", _sample());
    if (access(path, R_OK) == 0) return 1;
    printf("skip - the Home Credit sample is absent (%s)\n", _sample());
    return 0;
}

static int _same(double a, double b)
{
    return (a != a && b != b) || memcmp(&a, &b, sizeof a) == 0;
}

/* The digest of a matrix: ids, targets, values (bits) and names, in order. */
static uint64_t _digest(const feat_matrix *m)
{
    uint64_t h = cs_hash64(m->ids, m->n_rows * sizeof *m->ids, 0);
    h = cs_hash64(m->target, m->n_rows * sizeof *m->target, h);
    h = cs_hash64(m->values, m->n_rows * m->n_feats * sizeof *m->values, h);
    for (size_t j = 0; j < m->n_feats; j++) h = cs_hash64(m->names[j], strlen(m->names[j]) + 1, h);
    return h;
}

/* The kernel recipe on the real Home Credit sample gives, to the bit, the matrix the
 * hand-written kernel code gave before the recipe engine replaced it (its digest, measured
 * on that code's output of the same sample: 1,049 clients x 721 features). The built-in
 * recipe is the repository's file, byte for byte. */
static void test_kernel_recipe_gives_the_kernel_codes_matrix(void **state)
{
    cs_err err = {0};
    feat_rdata rd;
    rcp_recipe *r;
    feat_matrix *b;
    FILE *f;
    char *text;
    long len;
    size_t blen;
    (void)state;
    assert_non_null(f = fopen(KERNEL_RECIPE, "rb"));
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    rewind(f);
    text = malloc((size_t)len + 1);
    assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    assert_memory_equal(feat_kernel_recipe_json(&blen), text, (size_t)len);
    assert_int_equal(blen, (size_t)len);
    free(text);
    if (!_has_sample()) {
        skip();
        return;
    }
    assert_non_null(r = feat_kernel_recipe(&err));
    if (feat_rdata_read(r, _sample(), &rd, NULL, &err)) fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(err.code, CS_OK);
    b = feat_recipe_compute(r, &rd, NULL, NULL, NULL, NULL, NULL, &err);
    if (!b) fprintf(stderr, "%s\n", err.msg);
    assert_non_null(b);
    assert_int_equal(b->n_rows, 1049);
    assert_int_equal(b->n_feats, 721);
    assert_true(_digest(b) == UINT64_C(0xfdea0dcdecae6d0a));
    feat_matrix_free(b);
    feat_rdata_free(&rd);
    rcp_free(r);
}

/* A lender's loans without an id, a Y/N flag, a date, and payments with every operation. */
static const char *LOANS_RECIPE =
    "{\"recipe\": 1, \"name\": \"loans\", \"tables\": ["
    "{\"name\": \"loans\", \"file\": \"loans.csv\", \"key\": \"@row\", \"columns\": ["
    " {\"name\": \"loan_id\", \"role\": \"id\"}, {\"name\": \"bad\", \"role\": \"target\"},"
    " {\"name\": \"amount\", \"role\": \"numeric\", \"sentinels\": [-1]}, {\"name\": \"home\", \"role\": \"categorical\", \"nan_category\": true},"
    " {\"name\": \"grade\", \"role\": \"categorical\", \"encode\": \"factorize\"},"
    " {\"name\": \"prior\", \"role\": \"flag\"}, {\"name\": \"opened\", \"role\": \"date\"}, {\"name\": \"note\", \"role\": \"ignore\", \"required\": false}],"
    " \"derived\": [{\"name\": \"half\", \"op\": \"div\", \"args\": [\"amount\", 2]}, {\"name\": \"big\", \"op\": \"gt\", \"args\": [\"amount\", 150]}]},"
    "{\"name\": \"pay\", \"file\": \"pay.csv\", \"parent\": \"loans\", \"link\": \"row\", \"prefix\": \"P\", \"optional\": true, \"columns\": ["
    " {\"name\": \"row\", \"role\": \"id\"}, {\"name\": \"paid\", \"role\": \"numeric\"}, {\"name\": \"due\", \"role\": \"numeric\"},"
    " {\"name\": \"kind\", \"role\": \"categorical\", \"nan_category\": true}],"
    " \"derived\": [{\"name\": \"late\", \"op\": \"sub\", \"args\": [\"paid\", \"due\"], \"then\": \"positive\"}],"
    " \"aggs\": [{\"column\": \"paid\", \"ops\": [\"min\", \"max\", \"mean\", \"sum\", \"var\", \"size\", \"count\", \"nunique\"]},"
    "  {\"column\": \"kind\", \"ops\": [\"share\", \"nunique\", \"count\"]},"
    "  {\"column\": \"paid\", \"ops\": [\"first\", \"last\"], \"order_by\": \"due\", \"prefix\": \"O\"},"
    "  {\"column\": \"late\", \"ops\": [\"sum\"], \"prefix\": \"CASH\", \"where\": {\"column\": \"kind\", \"equals\": \"cash\"}},"
    "  {\"column\": \"paid\", \"ops\": [\"sum\"], \"prefix\": \"WIRE\", \"where\": {\"column\": \"kind\", \"equals\": \"wire\"}},"
    "  {\"ops\": [\"count\"]}]}]}";

static double _v(const feat_matrix *m, const char *name, size_t row)
{
    long j = feat_index(m, name);
    if (j < 0) {
        fprintf(stderr, "no feature %s\n", name);
        fail();
    }
    return feat_col(m, (size_t)j)[row];
}

static void test_small_recipe_by_hand(void **state)
{
    char dir[64], path[128];
    cs_err err = {0};
    rcp_recipe *r;
    feat_rdata rd;
    feat_matrix *m;
    feat_spec *sp = NULL;
    static const char *const want[] = {"amount", "grade", "prior", "opened", "home_OWN", "home_RENT", "home_nan",
                                       "half", "big", "P_paid_MIN", "P_paid_MAX", "P_paid_MEAN", "P_paid_SUM",
                                       "P_paid_VAR", "P_paid_SIZE", "P_paid_COUNT", "P_paid_NUNIQUE",
                                       "P_kind_card_MEAN", "P_kind_cash_MEAN", "P_kind_nan_MEAN", "P_kind_NUNIQUE",
                                       "P_kind_COUNT", "O_paid_FIRST", "O_paid_LAST", "CASH_late_SUM", "P_COUNT"};
    (void)state;
    assert_int_equal(tu_mkdtemp(dir, sizeof dir, "/tmp/cs_eng_XXXXXX"), 0);
    snprintf(path, sizeof path, "%s/loans.csv", dir);
    assert_int_equal(tu_write_file(path, "loan_id,bad,amount,home,grade,prior,opened,extra\n"
                                         "7,0,100,RENT,B,Y,1970-01-02,x\n"
                                         "8,1,-1,OWN,A,n,2000-03-01,y\n"
                                         "9,,300,,B,,,z\n"),
                     0);
    snprintf(path, sizeof path, "%s/pay.csv", dir);
    assert_int_equal(tu_write_file(path, "row,paid,due,kind\n"
                                         "1,10,12,cash\n"
                                         "1,30,5,card\n"
                                         "1,,1,cash\n"
                                         "1,30,3,\n"
                                         "2,5,5,card\n"
                                         "4,1,1,cash\n"),
                     0);
    assert_non_null(r = rcp_parse_string("loans.json", LOANS_RECIPE, strlen(LOANS_RECIPE), &err));
    if (feat_rdata_read(r, dir, &rd, NULL, &err)) fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(err.code, CS_OK);
    m = feat_recipe_compute(r, &rd, NULL, &sp, NULL, NULL, NULL, &err);
    if (!m) fprintf(stderr, "%s\n", err.msg);
    assert_non_null(m);
    assert_int_equal(m->n_rows, 3);
    assert_int_equal(m->n_feats, sizeof want / sizeof want[0]);
    for (size_t j = 0; j < m->n_feats; j++) assert_string_equal(m->names[j], want[j]);
    assert_true(m->ids[0] == 1 && m->ids[2] == 3);
    assert_true(m->target[1] == 1 && isnan(m->target[2]));
    /* root columns: sentinel, factorize by first appearance, flags, dates, one-hot, derived */
    assert_true(isnan(_v(m, "amount", 1)));
    assert_true(_v(m, "grade", 0) == 0 && _v(m, "grade", 1) == 1 && _v(m, "grade", 2) == 0);
    assert_true(_v(m, "prior", 0) == 1 && _v(m, "prior", 1) == 0 && isnan(_v(m, "prior", 2)));
    assert_true(_v(m, "opened", 0) == 1 && _v(m, "opened", 1) == 11017 && isnan(_v(m, "opened", 2)));
    assert_true(_v(m, "home_RENT", 0) == 1 && _v(m, "home_OWN", 0) == 0 && _v(m, "home_nan", 2) == 1);
    assert_true(_v(m, "half", 2) == 150 && isnan(_v(m, "half", 1)));
    assert_true(_v(m, "big", 2) == 1 && _v(m, "big", 0) == 0 && isnan(_v(m, "big", 1)));
    /* row 1's payments: paid 10, 30, NaN, 30 (due 12, 5, 1, 3; kind cash, card, cash, -) */
    assert_true(_v(m, "P_paid_MIN", 0) == 10 && _v(m, "P_paid_MAX", 0) == 30);
    assert_true(fabs(_v(m, "P_paid_MEAN", 0) - 70.0 / 3) < 1e-12 && _v(m, "P_paid_SUM", 0) == 70);
    assert_true(fabs(_v(m, "P_paid_VAR", 0) - 400.0 / 3) < 1e-9);
    assert_true(_v(m, "P_paid_SIZE", 0) == 4 && _v(m, "P_paid_COUNT", 0) == 3 && _v(m, "P_paid_NUNIQUE", 0) == 2);
    assert_true(_v(m, "P_kind_cash_MEAN", 0) == 0.5 && _v(m, "P_kind_card_MEAN", 0) == 0.25 &&
                _v(m, "P_kind_nan_MEAN", 0) == 0.25);
    assert_true(_v(m, "P_kind_NUNIQUE", 0) == 2 && _v(m, "P_kind_COUNT", 0) == 3);
    assert_true(_v(m, "O_paid_FIRST", 0) == 30 && _v(m, "O_paid_LAST", 0) == 10); /* by due: 1(NaN),3,5,12 */
    assert_true(_v(m, "CASH_late_SUM", 0) == 0);                                   /* max(10-12,0) + NaN->0 */
    assert_true(_v(m, "P_COUNT", 0) == 4 && _v(m, "P_COUNT", 1) == 1);
    /* row 2: one payment (var NaN); row 3: none (every aggregate NaN); no wire payment: no WIRE_ */
    assert_true(isnan(_v(m, "P_paid_VAR", 1)) && _v(m, "P_paid_SUM", 1) == 5);
    assert_true(isnan(_v(m, "P_COUNT", 2)) && isnan(_v(m, "P_paid_SUM", 2)) && isnan(_v(m, "P_kind_cash_MEAN", 2)));
    assert_true(isnan(_v(m, "CASH_late_SUM", 1)));
    assert_int_equal(feat_index(m, "WIRE_paid_SUM"), -1);

    /* one applicant (row 1 and its payments) through compute_one equals the batch row */
    {
        feat_rdata one = {0};
        double *out = calloc(m->n_feats, sizeof *out);
        const char *app_csv = "loan_id,bad,amount,home,grade,prior,opened\n7,0,100,RENT,B,Y,1970-01-02\n";
        const char *pay_csv = "row,paid,due,kind\n99,10,12,cash\n99,30,5,card\n99,,1,cash\n99,30,3,\n";
        tbl_schema *s0 = feat_recipe_schema(r, 0, &err), *s1 = feat_recipe_schema(r, 1, &err);
        tbl_read_opts o0 = {.schema = s0, .allow_extra = 1}, o1 = {.schema = s1, .allow_extra = 1};
        one.n_tables = 2;
        one.t = calloc(2, sizeof *one.t);
        one.t[0].n_parts = one.t[1].n_parts = 1;
        one.t[0].parts[0] = tbl_read_csv_mem_opts("app", app_csv, strlen(app_csv), &o0, &err);
        one.t[1].parts[0] = tbl_read_csv_mem_opts("pay", pay_csv, strlen(pay_csv), &o1, &err);
        assert_non_null(one.t[0].parts[0]);
        assert_non_null(one.t[1].parts[0]);
        if (feat_recipe_compute_one(sp, &one, out, NULL, &err)) fprintf(stderr, "%s\n", err.msg);
        assert_int_equal(err.code, CS_OK);
        for (size_t j = 0; j < m->n_feats; j++) {
            if (!_same(out[j], feat_col(m, j)[0])) fprintf(stderr, "%s: one %g, batch %g\n", m->names[j], out[j], feat_col(m, j)[0]);
            assert_true(_same(out[j], feat_col(m, j)[0]));
        }
        free(out);
        feat_rdata_free(&one);
        feat_recipe_schema_free(s0);
        feat_recipe_schema_free(s1);
    }
    feat_matrix_free(m);
    feat_spec_free(sp);
    feat_rdata_free(&rd);
    rcp_free(r);
    assert_int_equal(tu_rmrf(dir), 0);
}

/* Home Credit's tables read with hc_schema (FLAG_ columns as numbers) give the same features
 * as the recipe's own reading (flags as text). */
static void test_tables_typed_by_hc_schema(void **state)
{
    cs_err err = {0};
    tbl *ht[HC_N_TABLES] = {0};
    feat_rdata rd, hd = {0};
    rcp_recipe *r;
    feat_matrix *a, *b;
    static const char *const names[] = {"application", "bureau", "bureau_balance", "previous_application",
                                        "pos_cash_balance", "installments_payments", "credit_card_balance"};
    static const hc_table hcs[] = {HC_APPLICATION_TRAIN, HC_BUREAU, HC_BUREAU_BALANCE, HC_PREVIOUS_APPLICATION,
                                   HC_POS_CASH_BALANCE, HC_INSTALLMENTS_PAYMENTS, HC_CREDIT_CARD_BALANCE};
    (void)state;
    if (!_has_sample()) {
        skip();
        return;
    }
    assert_non_null(r = rcp_parse_file(KERNEL_RECIPE, &err));
    assert_int_equal(feat_rdata_read(r, _sample(), &rd, NULL, &err), CS_OK);
    for (int t = 0; t < HC_N_TABLES; t++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", _sample(), hc_file_name((hc_table)t));
        ht[t] = tbl_read_csv(path, hc_schema((hc_table)t), &err);
        if (!ht[t]) fprintf(stderr, "%s\n", err.msg);
        assert_non_null(ht[t]);
    }
    hd.n_tables = r->n_tables;
    hd.t = calloc((size_t)r->n_tables, sizeof *hd.t);
    for (int i = 0; i < 7; i++) {
        int ti = rcp_table_index(r, names[i]);
        assert_true(ti >= 0);
        hd.t[ti].parts[hd.t[ti].n_parts++] = ht[hcs[i]];
        if (hcs[i] == HC_APPLICATION_TRAIN) hd.t[ti].parts[hd.t[ti].n_parts++] = ht[HC_APPLICATION_TEST];
    }
    assert_non_null(a = feat_recipe_compute(r, &rd, NULL, NULL, NULL, NULL, NULL, &err));
    b = feat_recipe_compute(r, &hd, NULL, NULL, NULL, NULL, NULL, &err);
    if (!b) fprintf(stderr, "%s\n", err.msg);
    assert_non_null(b);
    assert_int_equal(a->n_feats, b->n_feats);
    for (size_t j = 0; j < a->n_feats; j++)
        for (size_t i = 0; i < a->n_rows; i++) assert_true(_same(feat_col(a, j)[i], feat_col(b, j)[i]));
    feat_matrix_free(a);
    feat_matrix_free(b);
    free(hd.t); /* its tables are ht's */
    for (int t = 0; t < HC_N_TABLES; t++) tbl_free(ht[t]);
    feat_rdata_free(&rd);
    rcp_free(r);
}

static void test_bad_data(void **state)
{
    char dir[64], path[128];
    cs_err err = {0};
    rcp_recipe *r;
    feat_rdata rd;
    (void)state;
    assert_int_equal(tu_mkdtemp(dir, sizeof dir, "/tmp/cs_eng_XXXXXX"), 0);
    assert_non_null(r = rcp_parse_string("loans.json", LOANS_RECIPE, strlen(LOANS_RECIPE), &err));
    snprintf(path, sizeof path, "%s/loans.csv", dir);
    assert_int_equal(tu_write_file(path, "loan_id,bad,amount,home,grade,prior,opened\n7,0,abc,RENT,B,Y,1970-01-02\n"), 0);
    assert_int_not_equal(feat_rdata_read(r, dir, &rd, NULL, &err), CS_OK);
    assert_non_null(strstr(err.msg, "loans.csv:2:"));
    assert_int_equal(tu_write_file(path, "loan_id,bad,amount,home,grade,prior,opened\n7,0,1,RENT,B,maybe,1970-01-02\n"), 0);
    assert_int_equal(feat_rdata_read(r, dir, &rd, NULL, &err), CS_OK);
    assert_null(feat_recipe_compute(r, &rd, NULL, NULL, NULL, NULL, NULL, &err));
    assert_non_null(strstr(err.msg, "column prior: 'maybe' is not a flag"));
    feat_rdata_free(&rd);
    assert_int_equal(tu_write_file(path, "loan_id,bad,amount,home,grade,prior,opened\n7,0,1,RENT,B,Y,03/01/2000\n"), 0);
    assert_int_equal(feat_rdata_read(r, dir, &rd, NULL, &err), CS_OK);
    assert_null(feat_recipe_compute(r, &rd, NULL, NULL, NULL, NULL, NULL, &err));
    assert_non_null(strstr(err.msg, "column opened: '03/01/2000' is not a date (YYYY-MM-DD)"));
    feat_rdata_free(&rd);
    assert_int_equal(tu_write_file(path, "loan_id,bad,home,grade,prior,opened\n7,0,RENT,B,Y,1970-01-02\n"), 0);
    assert_int_not_equal(feat_rdata_read(r, dir, &rd, NULL, &err), CS_OK);
    assert_non_null(strstr(err.msg, "column amount is not in loans.csv"));
    rcp_free(r);
    assert_int_equal(tu_rmrf(dir), 0);
}

/* a deep copy of rows[0..n) of t (n may be 0) */
static tbl *_subset(const tbl *t, const size_t *rows, size_t n)
{
    tbl *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->source = strdup(t->source);
    s->n_rows = n;
    s->n_cols = t->n_cols;
    s->cols = calloc((size_t)t->n_cols, sizeof *s->cols);
    for (int k = 0; k < t->n_cols; k++) {
        const tbl_column *c = &t->cols[k];
        tbl_column *d = &s->cols[k];
        d->name = strdup(c->name);
        d->type = c->type;
        if (c->type == TBL_NUM) {
            d->num = malloc((n ? n : 1) * sizeof *d->num);
            for (size_t i = 0; i < n; i++) d->num[i] = c->num[rows[i]];
        } else {
            d->codes = malloc((n ? n : 1) * sizeof *d->codes);
            for (size_t i = 0; i < n; i++) d->codes[i] = c->codes[rows[i]];
            d->n_cats = c->n_cats;
            d->cats = calloc((size_t)c->n_cats + 1, sizeof *d->cats);
            for (int32_t j = 0; j < c->n_cats; j++) d->cats[j] = strdup(c->cats[j]);
        }
    }
    return s;
}

/* the rows of t whose numeric column col is one of keys[0..nk) */
static tbl *_rows_where(const tbl *t, const char *col, const double *keys, size_t nk)
{
    const tbl_column *c = tbl_col(t, col);
    size_t *rows = malloc((t->n_rows ? t->n_rows : 1) * sizeof *rows), n = 0;
    tbl *s;
    assert_non_null(c);
    for (size_t r = 0; r < t->n_rows; r++)
        for (size_t k = 0; k < nk; k++)
            if (c->num[r] == keys[k]) {
                rows[n++] = r;
                break;
            }
    s = _subset(t, rows, n);
    free(rows);
    return s;
}

/* One client's records of the Home Credit recipe's data: its application row, its rows of
 * every child of the root, and the bureau_balance rows of its bureau credits. */
static void _cut_client(const rcp_recipe *r, const feat_rdata *d, double id, feat_rdata *one)
{
    int bur = rcp_table_index(r, "bureau"), bb = rcp_table_index(r, "bureau_balance");
    one->n_tables = d->n_tables;
    one->t = calloc((size_t)d->n_tables, sizeof *one->t);
    for (int i = 0; i < d->n_tables; i++) {
        if (i == bb) continue;
        for (int p = 0; p < d->t[i].n_parts; p++) {
            tbl *x = _rows_where(d->t[i].parts[p], "SK_ID_CURR", &id, 1);
            if (x->n_rows || (i != r->root && p == 0)) one->t[i].parts[one->t[i].n_parts++] = x;
            else tbl_free(x);
        }
    }
    if (bb >= 0 && d->t[bb].n_parts && one->t[bur].n_parts) {
        const tbl *b = one->t[bur].parts[0];
        const tbl_column *c = tbl_col(b, "SK_ID_BUREAU");
        one->t[bb].parts[one->t[bb].n_parts++] = _rows_where(d->t[bb].parts[0], "SK_ID_BUREAU", c->num, b->n_rows);
    }
}

static void test_one_applicant_equals_batch(void **state)
{
    cs_err err = {0};
    feat_rdata rd;
    rcp_recipe *r;
    feat_matrix *m;
    feat_spec *sp = NULL;
    double *out;
    size_t n_checked = 0;
    (void)state;
    if (!_has_sample()) {
        skip();
        return;
    }
    assert_non_null(r = rcp_parse_file(KERNEL_RECIPE, &err));
    assert_int_equal(feat_rdata_read(r, _sample(), &rd, NULL, &err), CS_OK);
    assert_non_null(m = feat_recipe_compute(r, &rd, NULL, &sp, NULL, NULL, NULL, &err));
    out = malloc(m->n_feats * sizeof *out);
    for (size_t i = 0; i < m->n_rows; i += 7) { /* train and test clients, with and without history */
        feat_rdata one;
        feat_warnings w = {0};
        _cut_client(r, &rd, (double)m->ids[i], &one);
        if (feat_recipe_compute_one(sp, &one, out, &w, &err)) fprintf(stderr, "client %lld: %s\n", (long long)m->ids[i], err.msg);
        assert_int_equal(err.code, CS_OK);
        assert_int_equal(w.total, 0);
        for (size_t j = 0; j < m->n_feats; j++) {
            if (!_same(out[j], feat_col(m, j)[i]))
                fprintf(stderr, "client %lld %s: one %.17g, batch %.17g\n", (long long)m->ids[i], m->names[j], out[j],
                        feat_col(m, j)[i]);
            assert_true(_same(out[j], feat_col(m, j)[i]));
        }
        feat_rdata_free(&one);
        n_checked++;
    }
    assert_true(n_checked > 100);
    free(out);
    feat_matrix_free(m);
    feat_spec_free(sp);
    feat_rdata_free(&rd);
    rcp_free(r);
}

/* A recipe's spec survives its byte form (the model file's), and a changed byte is refused. */
static void test_spec_bytes(void **state)
{
    cs_err err = {0};
    feat_rdata rd;
    rcp_recipe *r;
    feat_spec *sp, *back;
    cs_buf b = {0};
    (void)state;
    if (!_has_sample()) {
        skip();
        return;
    }
    assert_non_null(r = rcp_parse_file(KERNEL_RECIPE, &err));
    assert_int_equal(feat_rdata_read(r, _sample(), &rd, NULL, &err), CS_OK);
    assert_non_null(sp = feat_recipe_spec_derive(r, &rd, &err));
    assert_int_equal(feat_spec_write(sp, &b, &err), CS_OK);
    back = feat_spec_read(b.data, b.len, &err);
    if (!back) fprintf(stderr, "%s\n", err.msg);
    assert_non_null(back);
    assert_non_null(feat_spec_recipe(back));
    assert_string_equal(feat_spec_recipe(back)->name, "homecredit-kernel");
    assert_int_equal(feat_spec_n_feats(back), feat_spec_n_feats(sp));
    for (size_t j = 0; j < feat_spec_n_feats(sp); j++) assert_string_equal(feat_spec_name(back, j), feat_spec_name(sp, j));
    feat_spec_free(back);
    b.data[b.len / 2] ^= 1;
    assert_null(feat_spec_read(b.data, b.len, &err));
    assert_non_null(strstr(err.msg, "checksum"));
    cs_buf_free(&b);
    feat_spec_free(sp);
    feat_rdata_free(&rd);
    rcp_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_recipe_gives_the_kernel_codes_matrix),
        cmocka_unit_test(test_small_recipe_by_hand),
        cmocka_unit_test(test_bad_data),
        cmocka_unit_test(test_tables_typed_by_hc_schema),
        cmocka_unit_test(test_one_applicant_equals_batch),
        cmocka_unit_test(test_spec_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
