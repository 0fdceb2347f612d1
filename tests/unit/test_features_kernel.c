/*
 * test_features_kernel.c: the kernel's features, computed by the recipe engine with the
 * built-in recipes/homecredit-kernel.json: pandas aggregation semantics, the feature spec's
 * byte form (and the kernel code's version-1 form, read as the recipe's spec), the
 * one-applicant path against the batch path (200 clients, bit for bit), and the edge cases:
 * an unseen category, history without an application row, a zero AMT_CREDIT /
 * AMT_INSTALMENT, a missing optional table.
 * Data: 2,000 generated clients (src/synth) in a temporary folder.
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
#include "features/agg.h"
#include "features/featfile.h"
#include "features/engine.h"
#include "features/spec.h"
#include "io/hc_schema.h"
#include "synth/synth.h"
#include "testutil.h"

static char dir[64];
static rcp_recipe *R;          /* the built-in kernel recipe */
static feat_rdata D;           /* the generated tables as the recipe reads them */
typedef struct feat_htables {
    tbl *t[HC_N_TABLES];
} feat_htables;
static feat_htables T;          /* the same tables by Home Credit table (borrowed from D) */
static feat_matrix *M;         /* their features (derived spec) */
static feat_spec *S;           /* the derived spec */

/* The recipe table reading Home Credit table h's file (application: train and test). */
static int rtable_of(hc_table h)
{
    const char *file = hc_file_name(h);
    for (int i = 0; i < R->n_tables; i++)
        for (int f = 0; f < R->tables[i].n_files; f++)
            if (!strcmp(R->tables[i].files[f], file)) return i;
    fail_msg("no recipe table reads %s", file);
    return -1;
}

/* the batch over Home Credit tables t (NULL = absent) */
static feat_matrix *compute(const tbl *const t[HC_N_TABLES], const feat_spec *spec, feat_spec **spec_out,
                            feat_warnings *w, const char *path, cs_err *err)
{
    feat_rdata d;
    feat_matrix *m;
    assert_int_equal(feat_rdata_view_hc(R, (tbl *const *)t, &d, err), CS_OK);
    m = feat_recipe_compute(R, &d, spec, spec_out, path, w, NULL, err);
    feat_rdata_view_free(&d);
    return m;
}

static int setup(void **state)
{
    synth_params p;
    cs_err err = {0};
    (void)state;
    if (tu_mkdtemp(dir, sizeof dir, "/tmp/cs_featk_XXXXXX")) return -1;
    synth_params_default(&p);
    p.out_dir = dir;
    p.n_train = 1700;
    p.n_test = 300;
    p.seed = 11;
    if (synth_generate(&p, NULL, NULL, &err)) {
        fprintf(stderr, "synth: %s\n", err.msg);
        return -1;
    }
    if (!(R = feat_kernel_recipe(&err)) || feat_rdata_read(R, dir, &D, NULL, &err)) {
        fprintf(stderr, "read: %s\n", err.msg);
        return -1;
    }
    for (int h = 0; h < HC_N_TABLES; h++) { /* application: train is part 0, test part 1 */
        const feat_rtable *rt = &D.t[rtable_of((hc_table)h)];
        int part = h == HC_APPLICATION_TEST;
        T.t[h] = rt->n_parts > part ? rt->parts[part] : NULL;
    }
    M = compute((const tbl *const *)T.t, NULL, &S, NULL, NULL, &err);
    if (!M) fprintf(stderr, "features: %s\n", err.msg);
    return M && S ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    feat_matrix_free(M);
    feat_spec_free(S);
    feat_rdata_free(&D);
    rcp_free(R);
    return tu_rmrf(dir);
}

/* ---- helpers ---------------------------------------------------------------------- */

/* a deep copy of rows[0..n) of t (n may be 0) */
static tbl *subset(const tbl *t, const size_t *rows, size_t n)
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

/* the rows of t whose column col equals one of keys[0..nk) (NULL when t is NULL) */
static tbl *rows_where(const tbl *t, const char *col, const double *keys, size_t nk)
{
    const tbl_column *c;
    size_t *rows, n = 0;
    tbl *s;
    if (!t) return NULL;
    c = tbl_col(t, col);
    assert_non_null(c);
    rows = malloc((t->n_rows ? t->n_rows : 1) * sizeof *rows);
    for (size_t r = 0; r < t->n_rows; r++)
        for (size_t k = 0; k < nk; k++)
            if (c->num[r] == keys[k]) {
                rows[n++] = r;
                break;
            }
    s = subset(t, rows, n);
    free(rows);
    return s;
}

/* one client's records, cut out of the generated tables */
typedef struct client {
    tbl *t[HC_N_TABLES];
} client;

/* the one-applicant path on a client's records */
static cs_status compute_one(const feat_spec *spec, const client *cl, double *out, feat_warnings *w, cs_err *err)
{
    feat_rdata d;
    cs_status st;
    assert_int_equal(feat_rdata_view_hc(R, cl->t, &d, err), CS_OK);
    st = feat_recipe_compute_one(spec, &d, out, w, err);
    feat_rdata_view_free(&d);
    return st;
}

static void client_cut(client *cl, const feat_htables *tt, int64_t id)
{
    double key = (double)id;
    const tbl_column *bid;
    double *bkeys;
    memset(cl, 0, sizeof *cl);
    cl->t[HC_APPLICATION_TRAIN] = rows_where(tt->t[HC_APPLICATION_TRAIN], "SK_ID_CURR", &key, 1);
    if (cl->t[HC_APPLICATION_TRAIN]->n_rows == 0) {
        tbl_free(cl->t[HC_APPLICATION_TRAIN]);
        cl->t[HC_APPLICATION_TRAIN] = NULL;
        cl->t[HC_APPLICATION_TEST] = rows_where(tt->t[HC_APPLICATION_TEST], "SK_ID_CURR", &key, 1);
    }
    for (int t = HC_BUREAU; t < HC_N_TABLES; t++)
        if (t != HC_BUREAU_BALANCE) cl->t[t] = rows_where(tt->t[t], "SK_ID_CURR", &key, 1);
    bid = cl->t[HC_BUREAU] ? tbl_col(cl->t[HC_BUREAU], "SK_ID_BUREAU") : NULL;
    if (bid && tt->t[HC_BUREAU_BALANCE]) {
        bkeys = malloc((cl->t[HC_BUREAU]->n_rows + 1) * sizeof *bkeys);
        memcpy(bkeys, bid->num, cl->t[HC_BUREAU]->n_rows * sizeof *bkeys);
        cl->t[HC_BUREAU_BALANCE] = rows_where(tt->t[HC_BUREAU_BALANCE], "SK_ID_BUREAU", bkeys,
                                              cl->t[HC_BUREAU]->n_rows);
        free(bkeys);
    }
}

static void client_free(client *cl)
{
    for (int t = 0; t < HC_N_TABLES; t++) tbl_free(cl->t[t]);
}

static int same_bits(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static size_t row_of(const feat_matrix *m, int64_t id)
{
    for (size_t i = 0; i < m->n_rows; i++)
        if (m->ids[i] == id) return i;
    fail_msg("client %lld not in the matrix", (long long)id);
    return 0;
}

static double val(const feat_matrix *m, size_t row, const char *name)
{
    long j = feat_index(m, name);
    if (j < 0) fail_msg("no feature %s", name);
    return feat_col(m, (size_t)j)[row];
}

/* set column col of t to v in every row */
static void set_num(tbl *t, const char *col, double v)
{
    int k = tbl_col_index(t, col);
    assert_true(k >= 0);
    for (size_t r = 0; r < t->n_rows; r++) t->cols[k].num[r] = v;
}

/* give row r of categorical column col of t a value the table never had */
static void set_new_cat(tbl *t, const char *col, size_t r, const char *v)
{
    int k = tbl_col_index(t, col);
    tbl_column *c;
    assert_true(k >= 0);
    c = &t->cols[k];
    c->cats = realloc(c->cats, ((size_t)c->n_cats + 2) * sizeof *c->cats);
    c->cats[c->n_cats] = strdup(v);
    c->codes[r] = c->n_cats++;
}

/* ---- aggregations ------------------------------------------------------------------ */

static double agg_of(const double *v, size_t n, int k)
{
    feat_acc a;
    feat_acc_init(&a);
    for (size_t i = 0; i < n; i++) feat_acc_add(&a, v[i]);
    return feat_acc_get(&a, k);
}

static void test_agg_pandas_semantics(void **state)
{
    double v[] = {1, 2, NAN, 4};
    double same[] = {0.1, 0.1, 0.1};
    double one[] = {NAN, 5};
    double none[] = {NAN, NAN};
    double pinf[] = {1, INFINITY, 3};
    double both[] = {INFINITY, 1, -INFINITY};
    double ninf[] = {2, -INFINITY};
    double uniq[] = {1, 2, 1, NAN, 2, 3};
    (void)state;
    assert_true(agg_of(v, 4, 0) == 1 && agg_of(v, 4, 1) == 4 && agg_of(v, 4, 3) == 7);
    assert_true(fabs(agg_of(v, 4, 2) - 7.0 / 3) < 1e-15);
    assert_true(fabs(agg_of(v, 4, 4) - 7.0 / 3) < 1e-12); /* ddof = 1: ((1-7/3)^2+...)/2 */
    assert_true(agg_of(v, 4, 5) == 4);                     /* size counts NaN rows */
    assert_true(agg_of(same, 3, 4) == 0);                  /* identical values: exactly 0 */
    assert_true(isnan(agg_of(one, 2, 4)));                 /* one value: NaN variance */
    assert_true(agg_of(none, 2, 3) == 0);                  /* sum of all-missing: 0 */
    assert_true(isnan(agg_of(none, 2, 2)) && isnan(agg_of(none, 2, 0)) && isnan(agg_of(none, 2, 1)));
    assert_true(agg_of(none, 0, 3) == 0 && agg_of(none, 0, 5) == 0);
    assert_true(isinf(agg_of(pinf, 3, 3)) && agg_of(pinf, 3, 3) > 0);
    assert_true(isinf(agg_of(pinf, 3, 2)) && isinf(agg_of(pinf, 3, 1)) && agg_of(pinf, 3, 0) == 1);
    assert_true(isnan(agg_of(pinf, 3, 4)));                /* inf in the group: NaN variance */
    assert_true(isnan(agg_of(both, 3, 3)) && isnan(agg_of(both, 3, 2)));
    assert_true(isinf(agg_of(ninf, 2, 0)) && agg_of(ninf, 2, 0) < 0 && agg_of(ninf, 2, 3) < 0);
    assert_true(feat_nunique(uniq, 6) == 3);
    assert_true(feat_nunique(none, 2) == 0);
    assert_string_equal(feat_agg_name(4), "VAR");
}

/* ---- the spec ---------------------------------------------------------------------- */

static void test_spec_names_and_order(void **state)
{
    const char *const *cats;
    int n_cats;
    feat_enc_kind kind;
    int t;
    const char *col;
    (void)state;
    assert_int_equal(feat_spec_n_feats(S), M->n_feats);
    assert_string_equal(feat_spec_name(S, 0), "CODE_GENDER");
    assert_string_equal(feat_spec_name(S, feat_spec_n_feats(S) - 1), "CC_COUNT");
    assert_true(feat_index(M, "BURO_DAYS_CREDIT_VAR") > feat_index(M, "PAYMENT_RATE"));
    assert_true(feat_index(M, "INSTAL_COUNT") > feat_index(M, "POS_COUNT"));
    /* one-hot categories in Python string order, binaries in order of first appearance */
    for (int k = 0; k < feat_spec_n_enc(S); k++) {
        col = feat_spec_enc(S, k, &t, &kind, &n_cats, &cats);
        assert_non_null(col);
        if (kind != FEAT_ENC_FACTORIZE)
            for (int c = 1; c < n_cats; c++) assert_true(strcmp(cats[c - 1], cats[c]) < 0);
    }
    assert_null(feat_spec_enc(S, 99, NULL, NULL, NULL, NULL));
}

static void test_spec_bytes_round_trip_and_refusals(void **state)
{
    cs_buf b = {0};
    cs_err err = {0};
    feat_spec *r;
    char *copy;
    uint32_t v;
    uint64_t h;
    (void)state;
    assert_int_equal(feat_spec_write(S, &b, &err), CS_OK);
    r = feat_spec_read(b.data, b.len, &err);
    assert_non_null(r);
    assert_int_equal(feat_spec_n_feats(r), feat_spec_n_feats(S));
    for (size_t j = 0; j < feat_spec_n_feats(S); j++) assert_string_equal(feat_spec_name(r, j), feat_spec_name(S, j));
    feat_spec_free(r);
    /* truncated */
    assert_null(feat_spec_read(b.data, b.len - 9, &err));
    assert_int_equal(err.code, CS_ECORRUPT);
    /* a flipped byte */
    copy = malloc(b.len);
    memcpy(copy, b.data, b.len);
    copy[b.len / 2] ^= 0x20;
    assert_null(feat_spec_read(copy, b.len, &err));
    assert_int_equal(err.code, CS_ECORRUPT);
    assert_non_null(strstr(err.msg, "checksum"));
    /* a newer version, checksum made right */
    memcpy(copy, b.data, b.len);
    v = 99;
    memcpy(copy + 8, &v, 4);
    h = cs_hash64(copy, b.len - 8, 0);
    memcpy(copy + b.len - 8, &h, 8);
    assert_null(feat_spec_read(copy, b.len, &err));
    assert_int_equal(err.code, CS_EVERSION);
    /* not a spec at all */
    assert_null(feat_spec_read("hello", 5, &err));
    assert_int_equal(err.code, CS_ECORRUPT);
    free(copy);
    cs_buf_free(&b);
    feat_spec_free(NULL);
}

/* S in the kernel code's byte form (version 1: Home Credit tables and their schemas' order of
 * categorical columns, no recipe); bad_col renames one column */
static void put_u32(cs_buf *b, uint32_t v) { assert_int_equal(cs_buf_append(b, &v, 4, NULL), CS_OK); }
static void put_str(cs_buf *b, const char *x)
{
    put_u32(b, (uint32_t)strlen(x));
    assert_int_equal(cs_buf_append(b, x, strlen(x), NULL), CS_OK);
}
static void spec_v1(cs_buf *b, const char *bad_col)
{
    static const hc_table order[] = {HC_APPLICATION_TRAIN, HC_BUREAU, HC_BUREAU_BALANCE, HC_PREVIOUS_APPLICATION,
                                      HC_POS_CASH_BALANCE, HC_INSTALLMENTS_PAYMENTS, HC_CREDIT_CARD_BALANCE};
    uint64_t n = feat_spec_n_feats(S), h;
    int n_enc = 0;
    assert_int_equal(cs_buf_append(b, "CSFSPEC", 8, NULL), CS_OK);
    put_u32(b, 1);
    put_u32(b, (uint32_t)feat_spec_n_enc(S));
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const tbl_schema *sc = hc_schema(order[i]);
        for (int c = 0; c < sc->n_cols; c++) {
            int k, t, nc;
            feat_enc_kind kind;
            const char *const *cats;
            if (sc->cols[c].type != TBL_CAT) continue;
            for (k = 0; k < feat_spec_n_enc(S); k++)
                if (!strcmp(feat_spec_enc(S, k, &t, &kind, &nc, &cats), sc->cols[c].name) && t == rtable_of(order[i]))
                    break;
            assert_true(k < feat_spec_n_enc(S));
            put_u32(b, (uint32_t)order[i]);
            put_u32(b, (uint32_t)kind);
            put_str(b, n_enc == 3 && bad_col ? bad_col : sc->cols[c].name);
            put_u32(b, (uint32_t)nc);
            for (int q = 0; q < nc; q++) put_str(b, cats[q]);
            n_enc++;
        }
    }
    assert_int_equal(n_enc, feat_spec_n_enc(S));
    assert_int_equal(cs_buf_append(b, &n, 8, NULL), CS_OK);
    for (size_t j = 0; j < n; j++) put_str(b, feat_spec_name(S, j));
    h = cs_hash64(b->data, b->len, 0);
    assert_int_equal(cs_buf_append(b, &h, 8, NULL), CS_OK);
}

/* A spec the kernel code wrote (model files trained before the recipes) is read as the
 * built-in kernel recipe's spec: the same names, the same features to the bit. */
static void test_spec_version_1_read_as_kernel_recipe(void **state)
{
    cs_buf b = {0};
    cs_err err = {0};
    feat_spec *r;
    feat_matrix *m;
    (void)state;
    spec_v1(&b, NULL);
    r = feat_spec_read(b.data, b.len, &err);
    if (!r) fail_msg("%s", err.msg);
    assert_string_equal(feat_spec_recipe(r)->name, R->name);
    assert_int_equal(feat_spec_n_feats(r), feat_spec_n_feats(S));
    for (size_t j = 0; j < feat_spec_n_feats(S); j++) assert_string_equal(feat_spec_name(r, j), feat_spec_name(S, j));
    m = compute((const tbl *const *)T.t, r, NULL, NULL, NULL, &err);
    assert_non_null(m);
    assert_memory_equal(m->values, M->values, M->n_rows * M->n_feats * sizeof(double));
    feat_matrix_free(m);
    feat_spec_free(r);
    cs_buf_free(&b);
    /* a column the recipe does not have: refused, naming it */
    b = (cs_buf){0};
    spec_v1(&b, "NO_SUCH_COLUMN");
    assert_null(feat_spec_read(b.data, b.len, &err));
    assert_int_equal(err.code, CS_ECORRUPT);
    assert_non_null(strstr(err.msg, "NO_SUCH_COLUMN"));
    cs_buf_free(&b);
}

/* ---- one applicant = batch --------------------------------------------------------- */

static int has_rows(const tbl *t, int64_t id)
{
    const tbl_column *c = t ? tbl_col(t, "SK_ID_CURR") : NULL;
    for (size_t r = 0; c && r < t->n_rows; r++)
        if (c->num[r] == (double)id) return 1;
    return 0;
}

static void test_one_applicant_equals_batch(void **state)
{
    cs_rng rng;
    double *out = malloc(M->n_feats * sizeof *out);
    int n_no_bureau = 0, n_no_prev = 0, n_no_cc = 0, n_test = 0, checked = 0;
    size_t picks[200], n_picks = 0;
    (void)state;
    /* some clients with no bureau, no previous application, no credit card first, then random */
    for (size_t i = 0; i < M->n_rows && n_picks < 30; i++) {
        int64_t id = M->ids[i];
        int nb = !has_rows(T.t[HC_BUREAU], id), np = !has_rows(T.t[HC_PREVIOUS_APPLICATION], id);
        int nc = !has_rows(T.t[HC_CREDIT_CARD_BALANCE], id);
        if ((nb && n_no_bureau < 10) || (np && n_no_prev < 10) || (nc && n_no_cc < 10)) {
            picks[n_picks++] = i;
            n_no_bureau += nb;
            n_no_prev += np;
            n_no_cc += nc;
        }
    }
    assert_true(n_no_bureau > 0 && n_no_prev > 0 && n_no_cc > 0);
    cs_rng_seed(&rng, 2024);
    while (n_picks < 200) picks[n_picks++] = (size_t)cs_rng_below(&rng, M->n_rows);
    for (size_t p = 0; p < n_picks; p++) {
        size_t i = picks[p];
        client cl;
        cs_err err = {0};
        feat_warnings w = {0};
        client_cut(&cl, &T, M->ids[i]);
        n_test += cl.t[HC_APPLICATION_TEST] != NULL;
        assert_int_equal(compute_one(S, &cl, out, &w, &err), CS_OK);
        assert_int_equal(w.total, 0);
        for (size_t j = 0; j < M->n_feats; j++) {
            if (!same_bits(out[j], feat_col(M, j)[i]))
                fail_msg("client %lld, feature %s: one %.17g, batch %.17g", (long long)M->ids[i], M->names[j],
                         out[j], feat_col(M, j)[i]);
        }
        checked++;
        client_free(&cl);
    }
    assert_int_equal(checked, 200);
    assert_true(n_test > 0);
    free(out);
}

static void test_one_applicant_bad_input(void **state)
{
    cs_err err = {0};
    size_t rows[2] = {0, 1};
    client cl = {0};
    double out[1];
    (void)state;
    cl.t[HC_APPLICATION_TRAIN] = subset(T.t[HC_APPLICATION_TRAIN], rows, 2);
    assert_int_equal(compute_one(S, &cl, out, NULL, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "application: an applicant has exactly one row, not 2"));
    assert_int_equal(compute_one(NULL, &cl, out, NULL, &err), CS_EINVAL);
    client_free(&cl);
}

/* ---- edge cases -------------------------------------------------------------------- */

static void test_unseen_category(void **state)
{
    client cl;
    cs_err err = {0};
    feat_warnings w = {0};
    double *out = malloc(M->n_feats * sizeof *out);
    size_t i;
    int64_t id = 0;
    double share = 0;
    long j0;
    (void)state;
    for (i = 0; i < M->n_rows; i++) /* a client with bureau records */
        if (has_rows(T.t[HC_BUREAU], M->ids[i])) break;
    id = M->ids[i];
    client_cut(&cl, &T, id);
    set_new_cat(cl.t[cl.t[HC_APPLICATION_TRAIN] ? HC_APPLICATION_TRAIN : HC_APPLICATION_TEST],
                "NAME_INCOME_TYPE", 0, "Astronaut");
    set_new_cat(cl.t[HC_BUREAU], "CREDIT_TYPE", 0, "Spaceship loan");
    assert_int_equal(compute_one(S, &cl, out, &w, &err), CS_OK);
    assert_int_equal(w.total, 2);
    for (int k = 0; k < w.n_enc; k++) {
        int t;
        const char *col = feat_spec_enc(S, k, &t, NULL, NULL, NULL);
        if (w.unseen[k]) assert_true(!strcmp(col, "NAME_INCOME_TYPE") || !strcmp(col, "CREDIT_TYPE"));
    }
    /* every NAME_INCOME_TYPE dummy is 0; the bureau CREDIT_TYPE shares sum to less than 1 */
    for (size_t j = 0; j < M->n_feats; j++) {
        if (!strncmp(M->names[j], "NAME_INCOME_TYPE_", 17)) assert_true(out[j] == 0);
        if (!strncmp(M->names[j], "BURO_CREDIT_TYPE_", 17)) share += out[j];
    }
    assert_true(share < 1 - 1e-12);
    /* the other columns are what the batch gave */
    j0 = feat_index(M, "AMT_CREDIT");
    assert_true(same_bits(out[j0], feat_col(M, (size_t)j0)[i]));
    client_free(&cl);
    free(out);
}

static void test_unseen_category_batch_with_spec(void **state)
{
    const tbl *tt[HC_N_TABLES];
    tbl *bur;
    size_t *rows;
    feat_warnings w;
    feat_spec *so = (feat_spec *)1;
    cs_err err = {0};
    feat_matrix *m;
    (void)state;
    rows = malloc(T.t[HC_BUREAU]->n_rows * sizeof *rows);
    for (size_t r = 0; r < T.t[HC_BUREAU]->n_rows; r++) rows[r] = r;
    bur = subset(T.t[HC_BUREAU], rows, T.t[HC_BUREAU]->n_rows);
    set_new_cat(bur, "CREDIT_ACTIVE", 3, "Frozen");
    set_new_cat(bur, "CREDIT_ACTIVE", 4, "Frozen");
    for (int t = 0; t < HC_N_TABLES; t++) tt[t] = T.t[t];
    tt[HC_BUREAU] = bur;
    m = compute(tt, S, &so, &w, NULL, &err);
    assert_non_null(m);
    assert_null(so);
    assert_int_equal(w.total, 2);
    assert_int_equal(m->n_feats, M->n_feats);
    for (size_t j = 0; j < m->n_feats; j++) assert_string_equal(m->names[j], M->names[j]);
    feat_matrix_free(m);
    tbl_free(bur);
    free(rows);
}

static void test_history_without_application_row(void **state)
{
    const tbl *tt[HC_N_TABLES];
    tbl *app;
    size_t *rows, n = 0, skipped_row = 0;
    int64_t skipped = -1;
    const tbl *tr = T.t[HC_APPLICATION_TRAIN];
    const tbl_column *id = tbl_col(tr, "SK_ID_CURR");
    cs_err err = {0};
    feat_matrix *m;
    (void)state;
    rows = malloc(tr->n_rows * sizeof *rows);
    for (size_t r = 0; r < tr->n_rows; r++) { /* drop the first train client with bureau rows */
        if (skipped < 0 && has_rows(T.t[HC_BUREAU], (int64_t)id->num[r])) {
            skipped = (int64_t)id->num[r];
            skipped_row = r;
            continue;
        }
        rows[n++] = r;
    }
    assert_true(skipped >= 0);
    app = subset(tr, rows, n);
    for (int t = 0; t < HC_N_TABLES; t++) tt[t] = T.t[t];
    tt[HC_APPLICATION_TRAIN] = app;
    m = compute(tt, S, NULL, NULL, NULL, &err);
    assert_non_null(m);
    assert_int_equal(m->n_rows, M->n_rows - 1);
    for (size_t i = 0; i < m->n_rows; i++) assert_true(m->ids[i] != skipped);
    /* everyone else unchanged: the row after the dropped one */
    {
        size_t a = skipped_row, b = row_of(M, m->ids[a]);
        for (size_t j = 0; j < m->n_feats; j++) assert_true(same_bits(feat_col(m, j)[a], feat_col(M, j)[b]));
    }
    feat_matrix_free(m);
    tbl_free(app);
    free(rows);
}

static void test_zero_credit_and_instalment(void **state)
{
    client cl;
    cs_err err = {0};
    double *out = malloc(M->n_feats * sizeof *out);
    feat_matrix fake;
    tbl *app;
    size_t i;
    (void)state;
    for (i = 0; i < M->n_rows; i++) /* a client with previous applications and instalments */
        if (has_rows(T.t[HC_PREVIOUS_APPLICATION], M->ids[i]) && has_rows(T.t[HC_INSTALLMENTS_PAYMENTS], M->ids[i]))
            break;
    assert_true(i < M->n_rows);
    client_cut(&cl, &T, M->ids[i]);
    app = cl.t[HC_APPLICATION_TRAIN] ? cl.t[HC_APPLICATION_TRAIN] : cl.t[HC_APPLICATION_TEST];
    set_num(app, "AMT_CREDIT", 0);
    set_num(app, "AMT_INCOME_TOTAL", 100000);
    set_num(app, "AMT_ANNUITY", 5000);
    set_num(cl.t[HC_PREVIOUS_APPLICATION], "AMT_CREDIT", 0);
    set_num(cl.t[HC_PREVIOUS_APPLICATION], "AMT_APPLICATION", 1000);
    set_num(cl.t[HC_INSTALLMENTS_PAYMENTS], "AMT_INSTALMENT", 0);
    set_num(cl.t[HC_INSTALLMENTS_PAYMENTS], "AMT_PAYMENT", -10);
    assert_int_equal(compute_one(S, &cl, out, NULL, &err), CS_OK);
    memset(&fake, 0, sizeof fake); /* read values by name through a one-row matrix view */
    fake.n_rows = 1;
    fake.n_feats = M->n_feats;
    fake.names = M->names;
    fake.values = out;
    assert_true(isinf(val(&fake, 0, "INCOME_CREDIT_PERC")) && val(&fake, 0, "INCOME_CREDIT_PERC") > 0);
    assert_true(isinf(val(&fake, 0, "PAYMENT_RATE")));
    assert_true(isinf(val(&fake, 0, "PREV_APP_CREDIT_PERC_MAX")) && isinf(val(&fake, 0, "PREV_APP_CREDIT_PERC_MEAN")));
    /* x / 0 with x < 0: -inf in min, mean and sum; var of a group with an inf: NaN */
    assert_true(isinf(val(&fake, 0, "INSTAL_PAYMENT_PERC_SUM")) && val(&fake, 0, "INSTAL_PAYMENT_PERC_SUM") < 0);
    assert_true(val(&fake, 0, "INSTAL_PAYMENT_PERC_MEAN") < 0 && isinf(val(&fake, 0, "INSTAL_PAYMENT_PERC_MAX")));
    if (val(&fake, 0, "INSTAL_COUNT") >= 2) assert_true(isnan(val(&fake, 0, "INSTAL_PAYMENT_PERC_VAR")));
    /* 0 / 0: NaN, skipped by the aggregations */
    set_num(cl.t[HC_PREVIOUS_APPLICATION], "AMT_APPLICATION", 0);
    assert_int_equal(compute_one(S, &cl, out, NULL, &err), CS_OK);
    assert_true(isnan(val(&fake, 0, "PREV_APP_CREDIT_PERC_MAX")));
    client_free(&cl);
    free(out);
}

static void test_missing_optional_tables(void **state)
{
    const tbl *tt[HC_N_TABLES];
    cs_err err = {0};
    feat_spec *so = NULL;
    feat_matrix *m;
    size_t i;
    (void)state;
    for (int t = 0; t < HC_N_TABLES; t++) tt[t] = T.t[t];
    tt[HC_CREDIT_CARD_BALANCE] = NULL;
    tt[HC_BUREAU_BALANCE] = NULL;
    m = compute(tt, NULL, &so, NULL, NULL, &err);
    assert_non_null(m);
    assert_int_equal(m->n_rows, M->n_rows);
    assert_true(feat_index(m, "CC_COUNT") >= 0 && feat_index(m, "CC_NAME_CONTRACT_STATUS_nan_MEAN") >= 0);
    assert_int_equal(feat_index(m, "CC_NAME_CONTRACT_STATUS_Active_MEAN"), -1);
    assert_true(feat_index(m, "BURO_STATUS_nan_MEAN_MEAN") >= 0);
    assert_int_equal(feat_index(m, "BURO_STATUS_0_MEAN_MEAN"), -1);
    for (i = 0; i < m->n_rows; i++) {
        assert_true(isnan(val(m, i, "CC_COUNT")) && isnan(val(m, i, "CC_AMT_BALANCE_SUM")));
        assert_true(isnan(val(m, i, "BURO_MONTHS_BALANCE_MIN_MIN")));
        if (!isnan(val(m, i, "BURO_DAYS_CREDIT_MIN")))
            assert_true(val(m, i, "BURO_MONTHS_BALANCE_SIZE_SUM") == 0); /* sum of all-NaN: 0 */
    }
    /* the other blocks are unchanged */
    i = m->n_rows / 2;
    assert_true(same_bits(val(m, i, "PREV_AMT_CREDIT_MEAN"), val(M, i, "PREV_AMT_CREDIT_MEAN")));
    assert_true(same_bits(val(m, i, "BURO_DAYS_CREDIT_VAR"), val(M, i, "BURO_DAYS_CREDIT_VAR")));
    feat_matrix_free(m);
    feat_spec_free(so);
}

static void test_compute_into_file(void **state)
{
    char path[128];
    cs_err err = {0};
    feat_matrix *f, *l;
    (void)state;
    snprintf(path, sizeof path, "%s/f.csf", dir);
    f = compute((const tbl *const *)T.t, S, NULL, NULL, path, &err);
    assert_non_null(f);
    l = feat_file_load(path, &err);
    assert_non_null(l);
    assert_int_equal(l->n_rows, M->n_rows);
    assert_memory_equal(l->values, M->values, M->n_rows * M->n_feats * sizeof(double));
    assert_memory_equal(f->ids, M->ids, M->n_rows * sizeof(int64_t));
    for (size_t i = 0; i < M->n_rows; i++) assert_true(same_bits(l->target[i], M->target[i]));
    feat_matrix_free(l);
    feat_matrix_free(f);
}

static void test_no_application_table(void **state)
{
    const tbl *tt[HC_N_TABLES] = {0};
    feat_rdata none;
    cs_err err = {0};
    (void)state;
    tt[HC_BUREAU] = T.t[HC_BUREAU];
    assert_null(compute(tt, S, NULL, NULL, NULL, &err));
    assert_int_equal(err.code, CS_EINVAL);
    assert_non_null(strstr(err.msg, "no rows of the root table application"));
    assert_int_not_equal(feat_rdata_read(R, "/nonexistent", &none, NULL, &err), CS_OK);
    assert_non_null(strstr(err.msg, "application_train.csv"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agg_pandas_semantics),
        cmocka_unit_test(test_spec_names_and_order),
        cmocka_unit_test(test_spec_bytes_round_trip_and_refusals),
        cmocka_unit_test(test_spec_version_1_read_as_kernel_recipe),
        cmocka_unit_test(test_one_applicant_equals_batch),
        cmocka_unit_test(test_one_applicant_bad_input),
        cmocka_unit_test(test_unseen_category),
        cmocka_unit_test(test_unseen_category_batch_with_spec),
        cmocka_unit_test(test_history_without_application_row),
        cmocka_unit_test(test_zero_credit_and_instalment),
        cmocka_unit_test(test_missing_optional_tables),
        cmocka_unit_test(test_compute_into_file),
        cmocka_unit_test(test_no_application_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
