/*
 * kernel.c: the kernel's features (kernel.h). Read this file in three parts:
 *   1. the layout: which blocks, inputs and aggregations exist for a spec, and their
 *      names (feat__build_names); the value code below emits values in the same order
 *      and checks the count per block;
 *   2. the per-client code: one client's application row plus the lists of its rows in
 *      the six other tables -> one row of features (_client_row), shared by both paths;
 *   3. the two paths: feat_compute() (key maps, counting sort of rows by client, OpenMP
 *      over tiles of clients) and feat_compute_one() (one applicant's small tables).
 */
#include "kernel.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agg.h"
#include "feat_int.h"
#include "group.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define A_MIN FEAT_AGG_MIN
#define A_MAX FEAT_AGG_MAX
#define A_MEAN FEAT_AGG_MEAN
#define A_SUM FEAT_AGG_SUM
#define A_VAR FEAT_AGG_VAR
#define A_SIZE FEAT_AGG_SIZE
#define A_NUNIQUE FEAT_AGG_NUNIQUE
#define A_ALL5 (A_MIN | A_MAX | A_MEAN | A_SUM | A_VAR)

#define MAX_CC_NUM 32
#define MAX_APP_ITEMS 160

/* one aggregated input of a block: its index in the block's input list and its aggs */
typedef struct _agg {
    int in;
    unsigned aggs;
} _agg;

/* ---- 1. the layout ----------------------------------------------------------------- */

/* bureau inputs: 11 raw columns, then 3 + n_status derived from bureau_balance */
static const char *const _bur_in[] = {
    "DAYS_CREDIT",        "DAYS_CREDIT_ENDDATE",   "DAYS_CREDIT_UPDATE",     "CREDIT_DAY_OVERDUE",
    "AMT_CREDIT_MAX_OVERDUE", "AMT_CREDIT_SUM",    "AMT_CREDIT_SUM_DEBT",    "AMT_CREDIT_SUM_OVERDUE",
    "AMT_CREDIT_SUM_LIMIT", "AMT_ANNUITY",         "CNT_CREDIT_PROLONG",     "MONTHS_BALANCE_MIN",
    "MONTHS_BALANCE_MAX", "MONTHS_BALANCE_SIZE"};
#define BUR_RAW 11
#define BUR_IN 14
static const _agg _bur_aggs[] = {
    {0, A_MIN | A_MAX | A_MEAN | A_VAR}, {1, A_MIN | A_MAX | A_MEAN}, {2, A_MEAN},
    {3, A_MAX | A_MEAN}, {4, A_MEAN}, {5, A_MAX | A_MEAN | A_SUM}, {6, A_MAX | A_MEAN | A_SUM},
    {7, A_MEAN}, {8, A_MEAN | A_SUM}, {9, A_MAX | A_MEAN}, {10, A_SUM}, {11, A_MIN}, {12, A_MAX},
    {13, A_MEAN | A_SUM}};

/* previous_application inputs; APP_CREDIT_PERC (3) = AMT_APPLICATION / AMT_CREDIT */
static const char *const _prev_in[] = {"AMT_ANNUITY",      "AMT_APPLICATION",  "AMT_CREDIT",
                                       "APP_CREDIT_PERC",  "AMT_DOWN_PAYMENT", "AMT_GOODS_PRICE",
                                       "HOUR_APPR_PROCESS_START", "RATE_DOWN_PAYMENT",
                                       "DAYS_DECISION",    "CNT_PAYMENT"};
#define PREV_IN 10
#define PREV_PERC 3
static const _agg _prev_aggs[] = {
    {0, A_MIN | A_MAX | A_MEAN}, {1, A_MIN | A_MAX | A_MEAN}, {2, A_MIN | A_MAX | A_MEAN},
    {3, A_MIN | A_MAX | A_MEAN | A_VAR}, {4, A_MIN | A_MAX | A_MEAN}, {5, A_MIN | A_MAX | A_MEAN},
    {6, A_MIN | A_MAX | A_MEAN}, {7, A_MIN | A_MAX | A_MEAN}, {8, A_MIN | A_MAX | A_MEAN},
    {9, A_MEAN | A_SUM}};

static const char *const _pos_in[] = {"MONTHS_BALANCE", "SK_DPD", "SK_DPD_DEF"};
#define POS_IN 3
static const _agg _pos_aggs[] = {{0, A_MAX | A_MEAN | A_SIZE}, {1, A_MAX | A_MEAN}, {2, A_MAX | A_MEAN}};

/* installments inputs, all but the first derived from the raw columns below */
static const char *const _ins_in[] = {"NUM_INSTALMENT_VERSION", "DPD", "DBD", "PAYMENT_PERC",
                                      "PAYMENT_DIFF", "AMT_INSTALMENT", "AMT_PAYMENT",
                                      "DAYS_ENTRY_PAYMENT"};
#define INS_IN 8
static const _agg _ins_aggs[] = {{0, A_NUNIQUE},
                                 {1, A_MAX | A_MEAN | A_SUM},
                                 {2, A_MAX | A_MEAN | A_SUM},
                                 {3, A_MAX | A_MEAN | A_SUM | A_VAR},
                                 {4, A_MAX | A_MEAN | A_SUM | A_VAR},
                                 {5, A_MAX | A_MEAN | A_SUM},
                                 {6, A_MIN | A_MAX | A_MEAN | A_SUM},
                                 {7, A_MAX | A_MEAN | A_SUM}};
static const char *const _ins_raw[] = {"NUM_INSTALMENT_VERSION", "DAYS_INSTALMENT",
                                       "DAYS_ENTRY_PAYMENT", "AMT_INSTALMENT", "AMT_PAYMENT"};
#define INS_RAW 5

static const char *const _ratio_names[] = {"DAYS_EMPLOYED_PERC", "INCOME_CREDIT_PERC",
                                           "INCOME_PER_PERSON", "ANNUITY_INCOME_PERC",
                                           "PAYMENT_RATE"};

#define NAGGS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* An item of the application block before the dummies: a numeric column or a binary. */
typedef struct _app_item {
    const char *col;
    int enc; /* -1: numeric; else the enc index of a factorized binary */
} _app_item;

/* What a spec implies: the encoded columns of each block and the optional sub-blocks. */
typedef struct _plan {
    int n_app;                       /* items of the application block before dummies */
    _app_item app[MAX_APP_ITEMS];
    int app_onehot[FEAT_MAX_ENC], n_app_onehot;
    int bur_cat[FEAT_MAX_ENC], n_bur_cat;
    int bb_status;                   /* enc of bureau_balance.STATUS */
    int prev_cat[FEAT_MAX_ENC], n_prev_cat;
    int pos_cat[FEAT_MAX_ENC], n_pos_cat;
    int cc_cat[FEAT_MAX_ENC], n_cc_cat;
    const char *cc_num[MAX_CC_NUM];
    int n_cc_num;
    int active, closed;              /* category index in CREDIT_ACTIVE, or -1 (absent) */
    int approved, refused;           /* category index in NAME_CONTRACT_STATUS, or -1 */
    int e_credit_active, e_contract_status;
    int ia_emp, ia_birth, ia_inc, ia_cred, ia_fam, ia_ann; /* app items of the ratios, or -1 */
    size_t off[7];                   /* block starts: app, bur, prev, pos, ins, cc, end */
} _plan;

static int _cat_index(const feat_spec *s, int enc, const char *v)
{
    if (enc < 0) return -1;
    for (int c = 0; c < s->enc[enc].n_cats; c++)
        if (!strcmp(s->enc[enc].cats[c], v)) return c;
    return -1;
}

static void _plan_encs(const feat_spec *s, hc_table t, int *out, int *n)
{
    *n = 0;
    for (int k = 0; k < s->n_enc; k++)
        if (s->enc[k].table == t) out[(*n)++] = k;
}

/* a name list that may only count */
typedef struct _nl {
    char **v;
    size_t n, cap;
    int oom;
} _nl;

static void _nl_add(_nl *nl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void _nl_add(_nl *nl, const char *fmt, ...)
{
    va_list ap;
    char buf[512];
    if (!nl->v && nl->cap == (size_t)-1) { /* counting only */
        nl->n++;
        return;
    }
    if (nl->oom) return;
    if (nl->n == nl->cap) {
        size_t nc = nl->cap ? nl->cap * 2 : 1024;
        char **p = realloc(nl->v, nc * sizeof *p);
        if (!p) {
            nl->oom = 1;
            return;
        }
        nl->v = p;
        nl->cap = nc;
    }
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (!(nl->v[nl->n] = strdup(buf))) {
        nl->oom = 1;
        return;
    }
    nl->n++;
}

static void _names_aggs(_nl *nl, const char *prefix, const char *const *in, const _agg *aggs, int n)
{
    for (int a = 0; a < n; a++)
        for (int b = 0; b < FEAT_AGG_N; b++)
            if (aggs[a].aggs & (1u << b)) _nl_add(nl, "%s%s_%s", prefix, in[aggs[a].in], feat_agg_name(b));
}

/* dummy-mean names of encoded columns: <prefix><COL>_<cat>_<suffix>, with _nan when asked */
static void _names_dummies(_nl *nl, const feat_spec *s, const char *prefix, const int *encs, int n,
                           const char *suffix)
{
    for (int i = 0; i < n; i++) {
        const feat_enc *e = &s->enc[encs[i]];
        for (int c = 0; c < e->n_cats; c++) _nl_add(nl, "%s%s_%s%s", prefix, e->col, e->cats[c], suffix);
        if (e->kind == FEAT_ENC_ONEHOT_NAN) _nl_add(nl, "%s%s_nan%s", prefix, e->col, suffix);
    }
}

/* Walk the layout of spec s: fill p, and the names into nl (which may only count). */
static void _layout(const feat_spec *s, _plan *p, _nl *nl)
{
    const tbl_schema *sc = hc_schema(HC_APPLICATION_TRAIN);
    const tbl_schema *ccs = hc_schema(HC_CREDIT_CARD_BALANCE);
    int bb_n;

    memset(p, 0, sizeof *p);
    p->ia_emp = p->ia_birth = p->ia_inc = p->ia_cred = p->ia_fam = p->ia_ann = -1;
    /* application: numeric columns and binaries in file order, dummies, ratios */
    for (int c = 0; c < sc->n_cols && p->n_app < MAX_APP_ITEMS; c++) {
        const char *col = sc->cols[c].name;
        if (!strcmp(col, "SK_ID_CURR") || !strcmp(col, "TARGET")) continue;
        if (sc->cols[c].type == TBL_NUM) {
            if (!strcmp(col, "DAYS_EMPLOYED")) p->ia_emp = p->n_app;
            if (!strcmp(col, "DAYS_BIRTH")) p->ia_birth = p->n_app;
            if (!strcmp(col, "AMT_INCOME_TOTAL")) p->ia_inc = p->n_app;
            if (!strcmp(col, "AMT_CREDIT")) p->ia_cred = p->n_app;
            if (!strcmp(col, "CNT_FAM_MEMBERS")) p->ia_fam = p->n_app;
            if (!strcmp(col, "AMT_ANNUITY")) p->ia_ann = p->n_app;
            p->app[p->n_app].col = col;
            p->app[p->n_app++].enc = -1;
        } else {
            int k = feat__enc_find(s, HC_APPLICATION_TRAIN, col);
            if (k >= 0 && s->enc[k].kind == FEAT_ENC_FACTORIZE) {
                p->app[p->n_app].col = col;
                p->app[p->n_app++].enc = k;
            } else if (k >= 0) {
                p->app_onehot[p->n_app_onehot++] = k;
            }
        }
    }
    p->off[0] = nl->n;
    for (int i = 0; i < p->n_app; i++) _nl_add(nl, "%s", p->app[i].col);
    _names_dummies(nl, s, "", p->app_onehot, p->n_app_onehot, "");
    for (int i = 0; i < 5; i++) _nl_add(nl, "%s", _ratio_names[i]);

    /* bureau and bureau_balance */
    p->off[1] = nl->n;
    _plan_encs(s, HC_BUREAU, p->bur_cat, &p->n_bur_cat);
    {
        int tmp[FEAT_MAX_ENC];
        _plan_encs(s, HC_BUREAU_BALANCE, tmp, &bb_n);
        p->bb_status = bb_n > 0 ? tmp[0] : -1;
    }
    p->e_credit_active = feat__enc_find(s, HC_BUREAU, "CREDIT_ACTIVE");
    p->active = _cat_index(s, p->e_credit_active, "Active");
    p->closed = _cat_index(s, p->e_credit_active, "Closed");
    _names_aggs(nl, "BURO_", _bur_in, _bur_aggs, NAGGS(_bur_aggs));
    _names_dummies(nl, s, "BURO_", p->bur_cat, p->n_bur_cat, "_MEAN");
    if (p->bb_status >= 0) _names_dummies(nl, s, "BURO_", &p->bb_status, 1, "_MEAN_MEAN");
    if (p->active >= 0) _names_aggs(nl, "ACTIVE_", _bur_in, _bur_aggs, NAGGS(_bur_aggs));
    if (p->closed >= 0) _names_aggs(nl, "CLOSED_", _bur_in, _bur_aggs, NAGGS(_bur_aggs));

    /* previous applications */
    p->off[2] = nl->n;
    _plan_encs(s, HC_PREVIOUS_APPLICATION, p->prev_cat, &p->n_prev_cat);
    p->e_contract_status = feat__enc_find(s, HC_PREVIOUS_APPLICATION, "NAME_CONTRACT_STATUS");
    p->approved = _cat_index(s, p->e_contract_status, "Approved");
    p->refused = _cat_index(s, p->e_contract_status, "Refused");
    _names_aggs(nl, "PREV_", _prev_in, _prev_aggs, NAGGS(_prev_aggs));
    _names_dummies(nl, s, "PREV_", p->prev_cat, p->n_prev_cat, "_MEAN");
    if (p->approved >= 0) _names_aggs(nl, "APPROVED_", _prev_in, _prev_aggs, NAGGS(_prev_aggs));
    if (p->refused >= 0) _names_aggs(nl, "REFUSED_", _prev_in, _prev_aggs, NAGGS(_prev_aggs));

    /* POS_CASH_balance */
    p->off[3] = nl->n;
    _plan_encs(s, HC_POS_CASH_BALANCE, p->pos_cat, &p->n_pos_cat);
    _names_aggs(nl, "POS_", _pos_in, _pos_aggs, NAGGS(_pos_aggs));
    _names_dummies(nl, s, "POS_", p->pos_cat, p->n_pos_cat, "_MEAN");
    _nl_add(nl, "POS_COUNT");

    /* installments_payments */
    p->off[4] = nl->n;
    _names_aggs(nl, "INSTAL_", _ins_in, _ins_aggs, NAGGS(_ins_aggs));
    _nl_add(nl, "INSTAL_COUNT");

    /* credit_card_balance: every numeric column but the ids, then the dummies, 5 aggs each */
    p->off[5] = nl->n;
    for (int c = 0; c < ccs->n_cols && p->n_cc_num < MAX_CC_NUM; c++)
        if (ccs->cols[c].type == TBL_NUM && strcmp(ccs->cols[c].name, "SK_ID_PREV") &&
            strcmp(ccs->cols[c].name, "SK_ID_CURR"))
            p->cc_num[p->n_cc_num++] = ccs->cols[c].name;
    _plan_encs(s, HC_CREDIT_CARD_BALANCE, p->cc_cat, &p->n_cc_cat);
    for (int i = 0; i < p->n_cc_num; i++)
        for (int b = 0; b < 5; b++) _nl_add(nl, "CC_%s_%s", p->cc_num[i], feat_agg_name(b));
    for (int i = 0; i < p->n_cc_cat; i++) {
        const feat_enc *e = &s->enc[p->cc_cat[i]];
        for (int c = 0; c <= e->n_cats; c++)
            for (int b = 0; b < 5; b++)
                _nl_add(nl, "CC_%s_%s_%s", e->col, c < e->n_cats ? e->cats[c] : "nan", feat_agg_name(b));
    }
    _nl_add(nl, "CC_COUNT");
    p->off[6] = nl->n;
}

cs_status feat__build_names(feat_spec *s, cs_err *err)
{
    _nl nl = {0};
    _plan *p = cs_malloc(sizeof *p, err);
    if (!p) return CS_ENOMEM;
    _layout(s, p, &nl);
    free(p);
    if (nl.oom) {
        for (size_t j = 0; j < nl.n; j++) free(nl.v[j]);
        free(nl.v);
        return cs_err_set(err, CS_ENOMEM, "out of memory building feature names");
    }
    if (s->names)
        for (size_t j = 0; j < s->n_feats; j++) free(s->names[j]);
    free(s->names);
    s->names = nl.v;
    s->n_feats = nl.n;
    return CS_OK;
}

/* ---- binding tables to a spec ------------------------------------------------------ */

/* a categorical column of a table bound to an encoded column of the spec */
typedef struct _cat {
    int enc;                /* index in the spec */
    int n_cats;             /* the spec's category count (dummy n_cats = the _nan one) */
    const int32_t *codes;   /* the table's codes, -1 missing; NULL when the table is absent */
    int32_t *map;           /* table code -> spec category, -2 unseen */
} _cat;

/* the spec index of row r's value: 0..n_cats-1, n_cats for missing, -2 for unseen */
static inline int _cat_of(const _cat *c, size_t r)
{
    int32_t code = c->codes[r];
    return code < 0 ? c->n_cats : c->map[code];
}

typedef struct _bt {
    const tbl *t;           /* NULL: absent (no rows) */
    size_t n;
    const double *num[MAX_APP_ITEMS];
    int n_cat;
    _cat cat[FEAT_MAX_ENC];
    const double *id_curr;   /* SK_ID_CURR */
    const double *id_bureau; /* SK_ID_BUREAU (bureau, bureau_balance) */
} _bt;

static void _bt_free(_bt *b)
{
    for (int i = 0; i < b->n_cat; i++) free(b->cat[i].map);
    b->n_cat = 0;
}

static const double *_num_col(const tbl *t, const char *name, cs_err *err)
{
    const tbl_column *c = tbl_col(t, name);
    if (!c) {
        cs_err_set(err, CS_EPARSE, "%s: no column %s", t->source, name);
        return NULL;
    }
    if (c->type != TBL_NUM) {
        cs_err_set(err, CS_EINVAL, "%s: column %s is not numeric", t->source, name);
        return NULL;
    }
    return c->num;
}

/* Bind encoded column enc of spec s to table t (adding it to b->cat). keep (may be NULL)
 * selects the rows whose unseen values are counted in w. */
static cs_status _bind_cat(_bt *b, const feat_spec *s, int enc, const unsigned char *keep,
                           feat_warnings *w, cs_err *err)
{
    const feat_enc *e = &s->enc[enc];
    const tbl_column *col = tbl_col(b->t, e->col);
    _cat *c = &b->cat[b->n_cat];
    size_t unseen = 0;
    if (!col) return cs_err_set(err, CS_EPARSE, "%s: no column %s", b->t->source, e->col);
    if (col->type != TBL_CAT)
        return cs_err_set(err, CS_EINVAL, "%s: column %s is not categorical", b->t->source, e->col);
    c->enc = enc;
    c->n_cats = e->n_cats;
    c->codes = col->codes;
    c->map = cs_malloc(((size_t)col->n_cats + 1) * sizeof *c->map, err);
    if (!c->map) return CS_ENOMEM;
    b->n_cat++;
    for (int32_t k = 0; k < col->n_cats; k++) {
        c->map[k] = -2;
        for (int j = 0; j < e->n_cats; j++)
            if (!strcmp(col->cats[k], e->cats[j])) {
                c->map[k] = j;
                break;
            }
    }
    if (w) {
        for (size_t r = 0; r < b->n; r++)
            if ((!keep || keep[r]) && col->codes[r] >= 0 && c->map[col->codes[r]] == -2) unseen++;
        w->unseen[enc] += unseen;
        w->total += unseen;
    }
    return CS_OK;
}

/* Bind table t (may be NULL) with numeric inputs names[0..n_num) and the encoded
 * columns encs[0..n_enc) of s. */
static cs_status _bind(_bt *b, const tbl *t, const char *const *names, int n_num, const feat_spec *s,
                       const int *encs, int n_enc, const unsigned char *keep, feat_warnings *w,
                       int need_bureau_id, cs_err *err)
{
    memset(b, 0, sizeof *b);
    b->t = t;
    if (!t) return CS_OK;
    b->n = t->n_rows;
    for (int i = 0; i < n_num; i++)
        if (names[i] && !(b->num[i] = _num_col(t, names[i], err))) return err ? err->code : CS_EPARSE;
    if (!(b->id_curr = _num_col(t, "SK_ID_CURR", err))) return err ? err->code : CS_EPARSE;
    if (need_bureau_id && !(b->id_bureau = _num_col(t, "SK_ID_BUREAU", err)))
        return err ? err->code : CS_EPARSE;
    for (int i = 0; i < n_enc; i++)
        if (_bind_cat(b, s, encs[i], keep, w, err)) return err ? err->code : CS_ENOMEM;
    return CS_OK;
}

/* ---- key maps and grouping: group.h (shared with the recipe engine) ------------------ */

/* ---- 2. per client ----------------------------------------------------------------- */

/* per-thread scratch, grown as needed */
typedef struct _scr {
    double *x;
    size_t xcap;
    double *tmp;
    size_t tcap;
    unsigned char *mask;
    size_t mcap;
    size_t *cnt;            /* per-category counts */
    size_t ccap;
    int oom;
} _scr;

static void *_grow(void *p, size_t *cap, size_t need, size_t elem, int *oom)
{
    if (need <= *cap) return p;
    {
        size_t nc = *cap ? *cap : 256;
        void *q;
        while (nc < need) nc *= 2;
        q = realloc(p, nc * elem);
        if (!q) {
            *oom = 1;
            return p;
        }
        *cap = nc;
        return q;
    }
}

static void _scr_free(_scr *s)
{
    free(s->cnt);
    free(s->x);
    free(s->tmp);
    free(s->mask);
}

/* The state both paths share: tables bound to the spec and the bureau -> bureau_balance
 * link. */
typedef struct _ctx {
    const feat_spec *s;
    _plan p;
    _bt app[2];                   /* application train / test (or the one applicant) */
    int app_item_num[MAX_APP_ITEMS]; /* per app item: index in app[].num, or -1 */
    _bt bur, bb, prev, pos, ins, cc;
    int32_t *bur_key;             /* per bureau row: its SK_ID_BUREAU group, -1 none */
    _groups bbg;                  /* bureau_balance rows per SK_ID_BUREAU group */
} _ctx;

/* The rows of one client in each secondary table (n = 0: none). */
typedef struct _lists {
    const uint32_t *rows[5];      /* bureau, prev, pos, ins, cc */
    size_t n[5];
} _lists;

/* an absent block or subset: NaN from out[*k] up to out[end], then *k = end */
static void _skip_to(double *out, size_t *k, size_t end)
{
    for (size_t j = *k; j < end; j++) out[j] = NAN;
    *k = end;
}

/* The inputs matrix (n_in x n) of a block of n rows of b, from s's scratch; NULL when the
 * block has no rows (its features NaN up to out[end]) or memory ran out (s->oom). */
static double *_block_x(const _bt *b, size_t n, size_t n_in, size_t end, _scr *s, double *out, size_t *k)
{
    if (n == 0 || !b->t) {
        _skip_to(out, k, end);
        return NULL;
    }
    s->x = _grow(s->x, &s->xcap, n_in * n, sizeof *s->x, &s->oom);
    return s->oom ? NULL : s->x;
}

/* how many values _emit_aggs writes for aggs */
static size_t _n_emitted(const _agg *aggs, int n_aggs)
{
    size_t m = 0;
    for (int a = 0; a < n_aggs; a++) m += (size_t)__builtin_popcount(aggs[a].aggs);
    return m;
}

/* emit the aggregations of the inputs x[in * n + i] over rows with mask[i] (NULL = all) */
static void _emit_aggs(const double *x, size_t n, const unsigned char *mask, const _agg *aggs, int n_aggs,
                       _scr *s, double *out, size_t *k)
{
    for (int a = 0; a < n_aggs; a++) {
        const double *v = x + (size_t)aggs[a].in * n;
        feat_acc acc;
        feat_acc_init(&acc);
        if (aggs[a].aggs & A_VAR) {
            for (size_t i = 0; i < n; i++)
                if (!mask || mask[i]) feat_acc_add(&acc, v[i]);
        } else if (mask) {
            for (size_t i = 0; i < n; i++)
                if (mask[i]) feat_acc_add_novar(&acc, v[i]);
        } else {
            for (size_t i = 0; i < n; i++) feat_acc_add_novar(&acc, v[i]);
        }
        for (int b = 0; b < FEAT_AGG_N; b++) {
            if (!(aggs[a].aggs & (1u << b))) continue;
            if (b == 6) { /* NUNIQUE */
                size_t m = 0;
                s->tmp = _grow(s->tmp, &s->tcap, n, sizeof *s->tmp, &s->oom);
                if (s->oom) return;
                for (size_t i = 0; i < n; i++)
                    if (!mask || mask[i]) s->tmp[m++] = v[i];
                out[(*k)++] = feat_nunique(s->tmp, m);
            } else {
                out[(*k)++] = feat_acc_get(&acc, b);
            }
        }
    }
}

/* emit the aggregations of x over the rows whose category in b's encoded column enc is
 * want[0], then over those where it is want[1] (ACTIVE_/CLOSED_, APPROVED_/REFUSED_): a
 * want < 0 (category not in the spec) emits nothing, a subset without rows emits NaN.
 * Needs s->mask of n. */
static void _emit_subsets(const _bt *b, int enc, const int want[2], const uint32_t *rows, size_t n,
                          const double *x, const _agg *aggs, int n_aggs, _scr *s, double *out, size_t *k)
{
    const _cat *ca = NULL;
    for (int i = 0; i < b->n_cat; i++)
        if (b->cat[i].enc == enc) ca = &b->cat[i];
    for (int sub = 0; sub < 2; sub++) {
        size_t m = 0;
        if (want[sub] < 0) continue;
        for (size_t i = 0; i < n; i++) {
            s->mask[i] = ca && _cat_of(ca, rows[i]) == want[sub];
            m += s->mask[i];
        }
        if (m == 0)
            _skip_to(out, k, *k + _n_emitted(aggs, n_aggs));
        else
            _emit_aggs(x, n, s->mask, aggs, n_aggs, s, out, k);
    }
}

/* emit the mean of each dummy of c (categories, then _nan when with_nan) over rows */
static void _emit_dummy_means(const _cat *c, const uint32_t *rows, size_t n, int with_nan, _scr *s,
                              double *out, size_t *k)
{
    size_t nd = (size_t)c->n_cats + 1;
    size_t *cnt;
    s->cnt = _grow(s->cnt, &s->ccap, nd, sizeof *s->cnt, &s->oom);
    if (s->oom) return;
    cnt = s->cnt;
    memset(cnt, 0, nd * sizeof *cnt);
    if (c->codes)
        for (size_t i = 0; i < n; i++) {
            int d = _cat_of(c, rows[i]);
            if (d >= 0) cnt[d]++;
        }
    for (int d = 0; d < c->n_cats; d++) out[(*k)++] = (double)cnt[d] / (double)n;
    if (with_nan) out[(*k)++] = (double)cnt[c->n_cats] / (double)n;
}

/* the application block of row r of table b */
static double _app_val(const _bt *b, int item, size_t r)
{
    return item >= 0 ? b->num[item][r] : NAN;
}

static void _block_app(const _ctx *c, const _bt *b, size_t r, double *out, size_t *k)
{
    const _plan *p = &c->p;
    int ci = 0;
    double emp, birth, inc, cred, fam, ann;
    for (int i = 0; i < p->n_app; i++) {
        const _app_item *it = &p->app[i];
        if (it->enc < 0) {
            double v = b->num[i][r];
            if (i == p->ia_emp && v == 365243) v = NAN; /* the DAYS_EMPLOYED fix */
            out[(*k)++] = v;
        } else {
            /* a factorized binary (bound first, in item order): code, -1 missing or unseen */
            const _cat *cat = &b->cat[ci++];
            int d = _cat_of(cat, r);
            out[(*k)++] = d >= 0 && d < cat->n_cats ? (double)d : -1.0;
        }
    }
    for (int i = 0; i < p->n_app_onehot; i++) {
        const _cat *cat = &b->cat[ci + i];
        int d = _cat_of(cat, r);
        for (int j = 0; j < cat->n_cats; j++) out[(*k)++] = d == j ? 1.0 : 0.0;
    }
    emp = _app_val(b, p->ia_emp, r);
    if (emp == 365243) emp = NAN;
    birth = _app_val(b, p->ia_birth, r);
    inc = _app_val(b, p->ia_inc, r);
    cred = _app_val(b, p->ia_cred, r);
    fam = _app_val(b, p->ia_fam, r);
    ann = _app_val(b, p->ia_ann, r);
    out[(*k)++] = emp / birth;  /* DAYS_EMPLOYED_PERC */
    out[(*k)++] = inc / cred;   /* INCOME_CREDIT_PERC */
    out[(*k)++] = inc / fam;    /* INCOME_PER_PERSON */
    out[(*k)++] = ann / inc;    /* ANNUITY_INCOME_PERC */
    out[(*k)++] = ann / cred;   /* PAYMENT_RATE */
}

static void _block_bureau(const _ctx *c, const uint32_t *rows, size_t n, _scr *s, double *out, size_t *k)
{
    const _plan *p = &c->p;
    const _bt *b = &c->bur;
    int n_status = p->bb_status >= 0 ? c->s->enc[p->bb_status].n_cats + 1 : 0;
    size_t n_in = BUR_IN + (size_t)n_status;
    double *x;
    const double *months = c->bb.t ? c->bb.num[0] : NULL;
    const _cat *status = c->bb.t && c->bb.n_cat ? &c->bb.cat[0] : NULL;

    if (!(x = _block_x(b, n, n_in, p->off[2], s, out, k))) return;
    s->mask = _grow(s->mask, &s->mcap, n, 1, &s->oom);
    s->cnt = _grow(s->cnt, &s->ccap, (size_t)n_status + 1, sizeof *s->cnt, &s->oom);
    if (s->oom) return;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = rows[i];
        int32_t g = c->bur_key ? c->bur_key[r] : -1;
        size_t b0 = 0, b1 = 0;
        for (int j = 0; j < BUR_RAW; j++) x[(size_t)j * n + i] = b->num[j][r];
        if (g >= 0 && c->bbg.off) {
            b0 = c->bbg.off[g];
            b1 = c->bbg.off[g + 1];
        }
        if (b1 > b0) { /* the bureau_balance aggregates of this credit */
            feat_acc acc;
            size_t *cnt = s->cnt;
            double sz = (double)(b1 - b0);
            feat_acc_init(&acc);
            memset(cnt, 0, (size_t)n_status * sizeof *cnt);
            for (size_t q = b0; q < b1; q++) {
                uint32_t br = c->bbg.rows[q];
                feat_acc_add(&acc, months ? months[br] : NAN);
                if (status) {
                    int d = _cat_of(status, br);
                    if (d >= 0) cnt[d]++;
                }
            }
            x[11 * n + i] = feat_acc_min(&acc);
            x[12 * n + i] = feat_acc_max(&acc);
            x[13 * n + i] = sz;
            for (int d = 0; d < n_status; d++) x[(BUR_IN + (size_t)d) * n + i] = (double)cnt[d] / sz;
        } else {
            for (size_t j = BUR_RAW; j < n_in; j++) x[j * n + i] = NAN;
        }
    }
    _emit_aggs(x, n, NULL, _bur_aggs, NAGGS(_bur_aggs), s, out, k);
    for (int i = 0; i < b->n_cat; i++) _emit_dummy_means(&b->cat[i], rows, n, 1, s, out, k);
    for (int d = 0; d < n_status; d++) { /* BURO_STATUS_<s>_MEAN_MEAN: NaN-skipping mean */
        feat_acc acc;
        const double *v = x + (BUR_IN + (size_t)d) * n;
        feat_acc_init(&acc);
        for (size_t i = 0; i < n; i++) feat_acc_add(&acc, v[i]);
        out[(*k)++] = feat_acc_mean(&acc);
    }
    _emit_subsets(b, p->e_credit_active, (const int[2]){p->active, p->closed}, rows, n, x, _bur_aggs,
                  NAGGS(_bur_aggs), s, out, k);
}

static void _block_prev(const _ctx *c, const uint32_t *rows, size_t n, _scr *s, double *out, size_t *k)
{
    const _plan *p = &c->p;
    const _bt *b = &c->prev;
    double *x;
    if (!(x = _block_x(b, n, PREV_IN, p->off[3], s, out, k))) return;
    s->mask = _grow(s->mask, &s->mcap, n, 1, &s->oom);
    if (s->oom) return;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = rows[i];
        for (int j = 0; j < PREV_IN; j++)
            if (j != PREV_PERC) x[(size_t)j * n + i] = b->num[j][r];
        x[PREV_PERC * n + i] = b->num[1][r] / b->num[2][r]; /* AMT_APPLICATION / AMT_CREDIT */
    }
    _emit_aggs(x, n, NULL, _prev_aggs, NAGGS(_prev_aggs), s, out, k);
    for (int i = 0; i < b->n_cat; i++) _emit_dummy_means(&b->cat[i], rows, n, 1, s, out, k);
    _emit_subsets(b, p->e_contract_status, (const int[2]){p->approved, p->refused}, rows, n, x,
                  _prev_aggs, NAGGS(_prev_aggs), s, out, k);
}

static void _block_pos(const _ctx *c, const uint32_t *rows, size_t n, _scr *s, double *out, size_t *k)
{
    const _bt *b = &c->pos;
    double *x;
    if (!(x = _block_x(b, n, POS_IN, c->p.off[4], s, out, k))) return;
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < POS_IN; j++) x[(size_t)j * n + i] = b->num[j][rows[i]];
    _emit_aggs(x, n, NULL, _pos_aggs, NAGGS(_pos_aggs), s, out, k);
    for (int i = 0; i < b->n_cat; i++) _emit_dummy_means(&b->cat[i], rows, n, 1, s, out, k);
    out[(*k)++] = (double)n; /* POS_COUNT */
}

static void _block_ins(const _ctx *c, const uint32_t *rows, size_t n, _scr *s, double *out, size_t *k)
{
    const _bt *b = &c->ins;
    double *x;
    if (!(x = _block_x(b, n, INS_IN, c->p.off[5], s, out, k))) return;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = rows[i];
        double ver = b->num[0][r], days_inst = b->num[1][r], days_entry = b->num[2][r];
        double amt_inst = b->num[3][r], amt_pay = b->num[4][r];
        double dpd = days_entry - days_inst, dbd = days_inst - days_entry;
        x[0 * n + i] = ver;
        x[1 * n + i] = dpd > 0 ? dpd : 0; /* NaN > 0 is false: missing gives 0, as in pandas */
        x[2 * n + i] = dbd > 0 ? dbd : 0;
        x[3 * n + i] = amt_pay / amt_inst;
        x[4 * n + i] = amt_inst - amt_pay;
        x[5 * n + i] = amt_inst;
        x[6 * n + i] = amt_pay;
        x[7 * n + i] = days_entry;
    }
    _emit_aggs(x, n, NULL, _ins_aggs, NAGGS(_ins_aggs), s, out, k);
    out[(*k)++] = (double)n; /* INSTAL_COUNT */
}

static void _block_cc(const _ctx *c, const uint32_t *rows, size_t n, _scr *s, double *out, size_t *k)
{
    const _plan *p = &c->p;
    const _bt *b = &c->cc;
    size_t n_in = (size_t)p->n_cc_num, col = 0;
    double *x;
    for (int i = 0; i < b->n_cat; i++) n_in += (size_t)b->cat[i].n_cats + 1;
    if (!(x = _block_x(b, n, n_in, p->off[6], s, out, k))) return;
    for (int j = 0; j < p->n_cc_num; j++, col++)
        for (size_t i = 0; i < n; i++) x[col * n + i] = b->num[j][rows[i]];
    for (int ci = 0; ci < b->n_cat; ci++) {
        const _cat *cat = &b->cat[ci];
        for (size_t i = 0; i < n; i++) {
            int d = _cat_of(cat, rows[i]);
            for (int j = 0; j <= cat->n_cats; j++) x[(col + (size_t)j) * n + i] = d == j ? 1.0 : 0.0;
        }
        col += (size_t)cat->n_cats + 1;
    }
    for (size_t j = 0; j < n_in; j++) {
        _agg a = {(int)j, A_ALL5};
        _emit_aggs(x, n, NULL, &a, 1, s, out, k);
    }
    out[(*k)++] = (double)n; /* CC_COUNT */
}

/* One client: application row r of c->app[src], its rows in the other tables -> out.
 * Returns 0, or -1 when the blocks did not add up to the layout (a bug) or memory ran out. */
static int _client_row(const _ctx *c, int src, size_t r, const _lists *l, _scr *s, double *out)
{
    size_t k = 0;
    _block_app(c, &c->app[src], r, out, &k);
    if (k != c->p.off[1]) return -1;
    _block_bureau(c, l->rows[0], l->n[0], s, out, &k);
    if (k != c->p.off[2]) return -1;
    _block_prev(c, l->rows[1], l->n[1], s, out, &k);
    if (k != c->p.off[3]) return -1;
    _block_pos(c, l->rows[2], l->n[2], s, out, &k);
    if (k != c->p.off[4]) return -1;
    _block_ins(c, l->rows[3], l->n[3], s, out, &k);
    if (k != c->p.off[5]) return -1;
    _block_cc(c, l->rows[4], l->n[4], s, out, &k);
    if (k != c->p.off[6]) return -1;
    return s->oom ? -1 : 0;
}

/* ---- building the context ---------------------------------------------------------- */

static void _ctx_free(_ctx *c)
{
    _bt_free(&c->app[0]);
    _bt_free(&c->app[1]);
    _bt_free(&c->bur);
    _bt_free(&c->bb);
    _bt_free(&c->prev);
    _bt_free(&c->pos);
    _bt_free(&c->ins);
    _bt_free(&c->cc);
    free(c->bur_key);
    c->bur_key = NULL;
    _groups_free(&c->bbg);
}

/* the rows of an application table that the kernel keeps (CODE_GENDER != 'XNA') */
static unsigned char *_app_keep(const tbl *t, size_t *n_keep, cs_err *err)
{
    const tbl_column *g = tbl_col(t, "CODE_GENDER");
    unsigned char *keep = cs_malloc(t->n_rows ? t->n_rows : 1, err);
    int32_t xna = -1;
    if (!keep) return NULL;
    if (g && g->type == TBL_CAT)
        for (int32_t k = 0; k < g->n_cats; k++)
            if (!strcmp(g->cats[k], "XNA")) xna = k;
    *n_keep = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        keep[r] = !(xna >= 0 && g->codes[r] == xna);
        *n_keep += keep[r];
    }
    return keep;
}

/* bind the application table t as c->app[src] */
static cs_status _bind_app(_ctx *c, int src, const tbl *t, const unsigned char *keep, feat_warnings *w,
                           cs_err *err)
{
    _bt *b = &c->app[src];
    const char *names[MAX_APP_ITEMS];
    int encs[FEAT_MAX_ENC], n_enc = 0;
    for (int i = 0; i < c->p.n_app; i++) {
        names[i] = c->p.app[i].enc < 0 ? c->p.app[i].col : NULL;
        if (c->p.app[i].enc >= 0) encs[n_enc++] = c->p.app[i].enc;
    }
    for (int i = 0; i < c->p.n_app_onehot; i++) encs[n_enc++] = c->p.app_onehot[i];
    return _bind(b, t, names, c->p.n_app, c->s, encs, n_enc, keep, w, 0, err);
}

/* bind the six secondary tables (each may be NULL) and link bureau_balance to bureau */
static cs_status _bind_secondary(_ctx *c, const tbl *bur, const tbl *bb, const tbl *prev, const tbl *pos,
                                 const tbl *ins, const tbl *cc, feat_warnings *w, cs_err *err)
{
    const _plan *p = &c->p;
    const char *ccn[MAX_CC_NUM];
    const char *prevn[PREV_IN];
    _kmap km = {0};
    int32_t *bbk = NULL;
    cs_status st;

    for (int i = 0; i < p->n_cc_num; i++) ccn[i] = p->cc_num[i];
    for (int i = 0; i < PREV_IN; i++) prevn[i] = i == PREV_PERC ? NULL : _prev_in[i]; /* derived */
    if ((st = _bind(&c->bur, bur, _bur_in, BUR_RAW, c->s, p->bur_cat, p->n_bur_cat, NULL, w, 1, err)) ||
        (st = _bind(&c->prev, prev, prevn, PREV_IN, c->s, p->prev_cat, p->n_prev_cat, NULL, w, 0, err)) ||
        (st = _bind(&c->pos, pos, _pos_in, POS_IN, c->s, p->pos_cat, p->n_pos_cat, NULL, w, 0, err)) ||
        (st = _bind(&c->ins, ins, _ins_raw, INS_RAW, c->s, NULL, 0, NULL, w, 0, err)) ||
        (st = _bind(&c->cc, cc, ccn, p->n_cc_num, c->s, p->cc_cat, p->n_cc_cat, NULL, w, 0, err)))
        return st;
    /* bureau_balance has no SK_ID_CURR: bind it by hand */
    memset(&c->bb, 0, sizeof c->bb);
    if (bb) {
        c->bb.t = bb;
        c->bb.n = bb->n_rows;
        if (!(c->bb.num[0] = _num_col(bb, "MONTHS_BALANCE", err))) return err ? err->code : CS_EPARSE;
        if (!(c->bb.id_bureau = _num_col(bb, "SK_ID_BUREAU", err))) return err ? err->code : CS_EPARSE;
        if (p->bb_status >= 0 && (st = _bind_cat(&c->bb, c->s, p->bb_status, NULL, w, err))) return st;
    }
    if (!bur || !bb) return CS_OK;
    /* SK_ID_BUREAU: distinct bureau keys -> groups; bureau_balance rows grouped by them */
    if (_kmap_init(&km, bur->n_rows, err)) return CS_ENOMEM;
    c->bur_key = cs_malloc((bur->n_rows ? bur->n_rows : 1) * sizeof *c->bur_key, err);
    bbk = cs_malloc((bb->n_rows ? bb->n_rows : 1) * sizeof *bbk, err);
    if (!c->bur_key || !bbk) {
        _kmap_free(&km);
        free(bbk);
        return CS_ENOMEM;
    }
    for (size_t r = 0; r < bur->n_rows; r++) c->bur_key[r] = _kmap_put(&km, c->bur.id_bureau[r]);
    _kmap_get_all(&km, c->bb.id_bureau, bb->n_rows, bbk);
    st = _group_rows(bbk, bb->n_rows, (size_t)km.n, &c->bbg, err);
    _kmap_free(&km);
    free(bbk);
    return st;
}

/* ---- 3a. one applicant ------------------------------------------------------------- */

cs_status feat_compute_one(const feat_spec *spec, const feat_applicant *a, double *out, feat_warnings *warn,
                           cs_err *err)
{
    _ctx *c;
    _scr *s;
    _lists l;
    uint32_t *idx[5] = {0};
    const tbl *sec[5];
    cs_status st = CS_OK;

    if (!spec || !a || !a->application || !out)
        return cs_err_set(err, CS_EINVAL, "feat_compute_one: no spec, applicant or output");
    if (spec->recipe)
        return cs_err_set(err, CS_EINVAL, "feat_compute_one: the spec is recipe %s's (feat_recipe_compute_one)",
                          spec->recipe->name);
    if (a->application->n_rows != 1)
        return cs_err_set(err, CS_EINVAL, "%s: an applicant has exactly one application row, not %zu",
                          a->application->source ? a->application->source : "application",
                          a->application->n_rows);
    c = cs_calloc(1, sizeof *c, err);
    s = cs_calloc(1, sizeof *s, err);
    if (!c || !s) {
        free(c);
        free(s);
        return CS_ENOMEM;
    }
    c->s = spec;
    {
        _nl nl = {.cap = (size_t)-1};
        _layout(spec, &c->p, &nl);
    }
    if (warn) warn->n_enc = spec->n_enc;
    if ((st = _bind_app(c, 0, a->application, NULL, warn, err))) goto done;
    if ((st = _bind_secondary(c, a->bureau, a->bureau_balance, a->previous_application, a->pos_cash_balance,
                              a->installments_payments, a->credit_card_balance, warn, err)))
        goto done;
    sec[0] = a->bureau;
    sec[1] = a->previous_application;
    sec[2] = a->pos_cash_balance;
    sec[3] = a->installments_payments;
    sec[4] = a->credit_card_balance;
    for (int t = 0; t < 5; t++) { /* every row is the applicant's, in order */
        size_t n = sec[t] ? sec[t]->n_rows : 0;
        idx[t] = cs_malloc((n ? n : 1) * sizeof *idx[t], err);
        if (!idx[t]) {
            st = CS_ENOMEM;
            goto done;
        }
        for (size_t r = 0; r < n; r++) idx[t][r] = (uint32_t)r;
        l.rows[t] = idx[t];
        l.n[t] = n;
    }
    if (_client_row(c, 0, 0, &l, s, out))
        st = cs_err_set(err, s->oom ? CS_ENOMEM : CS_EINTERNAL,
                        s->oom ? "out of memory computing features" : "feature blocks do not match the spec");
done:
    for (int t = 0; t < 5; t++) free(idx[t]);
    _ctx_free(c);
    _scr_free(s);
    free(c);
    free(s);
    return st;
}

/* ---- 3b. a whole data set ---------------------------------------------------------- */

#define TILE 64

static feat_matrix *_compute(const tbl *const tables[HC_N_TABLES], const feat_spec *spec, const char *path,
                             feat_spec **spec_out, feat_warnings *warn, cs_progress *prog, cs_err *err)
{
    feat_spec *derived = NULL;
    feat_warnings wdummy;
    _ctx *c = NULL;
    feat_matrix *m = NULL;
    unsigned char *keep[2] = {NULL, NULL};
    size_t n_keep[2] = {0, 0}, n_out, n_feats;
    int32_t *cid = NULL;
    uint32_t *src_row = NULL;
    unsigned char *src_tab = NULL;
    _kmap km = {0};
    _groups g[5];
    const tbl *sec[5];
    int failed = 0, oom = 0, ok = 0;
    size_t done = 0;

    memset(g, 0, sizeof g);
    if (spec_out) *spec_out = NULL;
    if (!tables || (!tables[HC_APPLICATION_TRAIN] && !tables[HC_APPLICATION_TEST])) {
        cs_err_set(err, CS_EINVAL, "features: no application table (application_train or application_test)");
        return NULL;
    }
    if (!warn) warn = &wdummy;
    memset(warn, 0, sizeof *warn);
    if (spec && spec->recipe) {
        cs_err_set(err, CS_EINVAL, "features: the spec is recipe %s's (feat_recipe_compute)", spec->recipe->name);
        return NULL;
    }
    if (!spec) {
        derived = feat_spec_derive(tables, err);
        if (!derived) return NULL;
        spec = derived;
    }
    warn->n_enc = spec->n_enc;
    n_feats = spec->n_feats;
    c = cs_calloc(1, sizeof *c, err);
    if (!c) goto fail;
    c->s = spec;
    {
        _nl nl = {.cap = (size_t)-1};
        _layout(spec, &c->p, &nl);
        if (nl.n != n_feats) {
            cs_err_set(err, CS_EINTERNAL, "features: layout gives %zu features, spec names %zu", nl.n, n_feats);
            goto fail;
        }
    }
    for (int a = 0; a < 2; a++) {
        const tbl *t = tables[a == 0 ? HC_APPLICATION_TRAIN : HC_APPLICATION_TEST];
        if (!t) continue;
        if (!(keep[a] = _app_keep(t, &n_keep[a], err))) goto fail;
        if (_bind_app(c, a, t, keep[a], warn, err)) goto fail;
    }
    if (_bind_secondary(c, tables[HC_BUREAU], tables[HC_BUREAU_BALANCE], tables[HC_PREVIOUS_APPLICATION],
                        tables[HC_POS_CASH_BALANCE], tables[HC_INSTALLMENTS_PAYMENTS],
                        tables[HC_CREDIT_CARD_BALANCE], warn, err))
        goto fail;

    /* output rows: kept train rows, then kept test rows; each with its client key */
    n_out = n_keep[0] + n_keep[1];
    if (n_out > UINT32_MAX) {
        cs_err_set(err, CS_EUNSUPPORTED, "features: %zu application rows is more than supported", n_out);
        goto fail;
    }
    if (path) { /* values written in place in the file's mapping: no copy, no NaN fill */
        m = feat_file_create(path, n_out, n_feats, (const char *const *)spec->names, err);
    } else {
        m = feat_matrix_create(n_out, n_feats, err);
        for (size_t j = 0; m && j < n_feats; j++)
            if (!(m->names[j] = cs_strdup(spec->names[j], err))) goto fail;
    }
    cid = cs_malloc((n_out ? n_out : 1) * sizeof *cid, err);
    src_row = cs_malloc((n_out ? n_out : 1) * sizeof *src_row, err);
    src_tab = cs_malloc(n_out ? n_out : 1, err);
    if (!m || !cid || !src_row || !src_tab || _kmap_init(&km, n_out, err)) goto fail;
    {
        size_t i = 0;
        for (int a = 0; a < 2; a++) {
            const tbl *t = tables[a == 0 ? HC_APPLICATION_TRAIN : HC_APPLICATION_TEST];
            const tbl_column *tc = t ? tbl_col(t, "TARGET") : NULL;
            if (!t) continue;
            for (size_t r = 0; r < t->n_rows; r++) {
                double id;
                int32_t n_seen;
                if (!keep[a][r]) continue;
                id = c->app[a].id_curr[r];
                if (id != id) {
                    cs_err_set(err, CS_EPARSE, "%s: data row %zu has no SK_ID_CURR", t->source, r + 1);
                    goto fail;
                }
                m->ids[i] = (int64_t)id;
                m->target[i] = tc && tc->type == TBL_NUM ? tc->num[r] : NAN;
                n_seen = km.n;
                cid[i] = _kmap_put(&km, id);
                if (km.n == n_seen) { /* the same client twice: its rows would be merged */
                    cs_err_set(err, CS_EPARSE, "%s: SK_ID_CURR %.0f appears more than once (again in data row %zu)",
                               t->source, id, r + 1);
                    goto fail;
                }
                src_row[i] = (uint32_t)r;
                src_tab[i] = (unsigned char)a;
                i++;
            }
        }
    }
    /* the rows of each secondary table grouped by client (counting sort, file order kept) */
    sec[0] = tables[HC_BUREAU];
    sec[1] = tables[HC_PREVIOUS_APPLICATION];
    sec[2] = tables[HC_POS_CASH_BALANCE];
    sec[3] = tables[HC_INSTALLMENTS_PAYMENTS];
    sec[4] = tables[HC_CREDIT_CARD_BALANCE];
    {
        const _bt *bts[5] = {&c->bur, &c->prev, &c->pos, &c->ins, &c->cc};
        for (int t = 0; t < 5; t++) {
            size_t n = sec[t] ? sec[t]->n_rows : 0;
            int32_t *gid;
            const double *idc = bts[t]->id_curr;
            if (!sec[t]) continue;
            if (n > UINT32_MAX) {
                cs_err_set(err, CS_EUNSUPPORTED, "%s: %zu rows is more than supported", sec[t]->source, n);
                goto fail;
            }
            gid = cs_malloc((n ? n : 1) * sizeof *gid, err);
            if (!gid) goto fail;
            _kmap_get_all(&km, idc, n, gid);
            if (_group_rows(gid, n, (size_t)km.n, &g[t], err)) {
                free(gid);
                goto fail;
            }
            free(gid);
        }
    }

    /* the clients, in tiles of TILE rows: compute rows into a tile, write it column-wise */
#pragma omp parallel
    {
        _scr *s = calloc(1, sizeof *s);
        double *tile = malloc(TILE * (n_feats ? n_feats : 1) * sizeof *tile);
        if (!s || !tile) {
#pragma omp atomic write
            oom = 1;
        }
#pragma omp for schedule(dynamic, 4)
        for (size_t t0 = 0; t0 < n_out; t0 += TILE) {
            size_t t1 = t0 + TILE < n_out ? t0 + TILE : n_out;
            int bad = 0;
            if (!s || !tile || failed || oom) continue;
            for (size_t i = t0; i < t1 && !bad; i++) {
                _lists l;
                for (int t = 0; t < 5; t++) {
                    if (g[t].off && cid[i] >= 0) {
                        l.rows[t] = g[t].rows + g[t].off[cid[i]];
                        l.n[t] = g[t].off[cid[i] + 1] - g[t].off[cid[i]];
                    } else {
                        l.rows[t] = NULL;
                        l.n[t] = 0;
                    }
                }
                if (_client_row(c, src_tab[i], src_row[i], &l, s, tile + (i - t0) * n_feats)) bad = 1;
            }
            if (bad) {
                if (s->oom) {
#pragma omp atomic write
                    oom = 1;
                } else {
#pragma omp atomic write
                    failed = 1;
                }
                continue;
            }
            for (size_t j = 0; j < n_feats; j++) {
                double *col = m->values + j * n_out;
                for (size_t i = t0; i < t1; i++) col[i] = tile[(i - t0) * n_feats + j];
            }
            {
                size_t d;
#pragma omp atomic capture
                d = done += t1 - t0;
#ifdef _OPENMP
                if (omp_get_thread_num() == 0)
#endif
                    cs_progress_update(prog, d, NULL);
            }
        }
        if (s) _scr_free(s);
        free(s);
        free(tile);
    }
    if (oom) {
        cs_err_set(err, CS_ENOMEM, "features: out of memory");
        goto fail;
    }
    if (failed) {
        cs_err_set(err, CS_EINTERNAL, "features: feature blocks do not match the spec");
        goto fail;
    }
    cs_progress_update(prog, n_out, NULL);
    if (path && feat_file_commit(m, err)) goto fail;
    if (spec_out) { /* the caller owns the derived spec now */
        *spec_out = derived;
        derived = NULL;
    }
    ok = 1;

fail: /* and success: the scratch goes either way, the matrix only on failure */
    for (int t = 0; t < 5; t++) _groups_free(&g[t]);
    _kmap_free(&km);
    free(cid);
    free(src_row);
    free(src_tab);
    free(keep[0]);
    free(keep[1]);
    if (c) _ctx_free(c);
    free(c);
    feat_spec_free(derived);
    if (ok) return m;
    feat_matrix_free(m);
    return NULL;
}

feat_matrix *feat_compute(const tbl *const tables[HC_N_TABLES], const feat_spec *spec, feat_spec **spec_out,
                          feat_warnings *warn, cs_progress *prog, cs_err *err)
{
    return _compute(tables, spec, NULL, spec_out, warn, prog, err);
}

feat_matrix *feat_compute_file(const tbl *const tables[HC_N_TABLES], const feat_spec *spec, const char *path,
                               feat_spec **spec_out, feat_warnings *warn, cs_progress *prog, cs_err *err)
{
    if (!path) {
        cs_err_set(err, CS_EINVAL, "feat_compute_file: no path");
        return NULL;
    }
    return _compute(tables, spec, path, spec_out, warn, prog, err);
}

/* ---- reading the tables ------------------------------------------------------------ */

void feat_tables_free(feat_tables *t)
{
    if (!t) return;
    for (int i = 0; i < HC_N_TABLES; i++) {
        tbl_free(t->t[i]);
        t->t[i] = NULL;
    }
}

cs_status feat_tables_read(const char *dir, feat_tables *out, FILE *log, cs_err *err)
{
    char *paths[HC_N_TABLES] = {0};
    cs_err errs[HC_N_TABLES];
    int present[HC_N_TABLES] = {0};
    cs_status st = CS_OK;

    memset(out, 0, sizeof *out);
    for (int i = 0; i < HC_N_TABLES; i++) {
        struct stat sb;
        cs_err_clear(&errs[i]);
        paths[i] = cs_malloc(strlen(dir) + strlen(hc_file_name((hc_table)i)) + 2, err);
        if (!paths[i]) {
            st = CS_ENOMEM;
            goto done;
        }
        sprintf(paths[i], "%s/%s", dir, hc_file_name((hc_table)i));
        present[i] = stat(paths[i], &sb) == 0; /* there: read it, and report why it cannot be */
    }
    if (!present[HC_APPLICATION_TRAIN] && !present[HC_APPLICATION_TEST]) {
        st = cs_err_set(err, CS_EIO, "%s: neither %s nor %s is there", dir, hc_file_name(HC_APPLICATION_TRAIN),
                        hc_file_name(HC_APPLICATION_TEST));
        goto done;
    }
    /* one table at a time: the reader parses each with every core */
    for (int i = 0; i < HC_N_TABLES; i++) {
        tbl_read_opts o = {0};
        struct stat stt;
        char label[96];
        if (!present[i]) continue;
        o.schema = hc_schema((hc_table)i);
        snprintf(label, sizeof label, "reading %s", hc_file_name((hc_table)i));
        o.progress = log ? cs_progress_create(log, label, stat(paths[i], &stt) ? 1 : (uint64_t)stt.st_size)
                         : NULL;
        out->t[i] = tbl_read_csv_opts(paths[i], &o, &errs[i]);
        if (out->t[i]) {
            char note[64];
            snprintf(note, sizeof note, "%zu rows", out->t[i]->n_rows);
            cs_progress_finish(o.progress, note);
        }
        cs_progress_free(o.progress);
        if (!out->t[i]) break;
    }
    for (int i = 0; i < HC_N_TABLES; i++)
        if (present[i] && !out->t[i]) {
            if (err) *err = errs[i];
            st = errs[i].code ? errs[i].code : CS_EIO;
            feat_tables_free(out);
            break;
        }
done:
    for (int i = 0; i < HC_N_TABLES; i++) free(paths[i]);
    return st;
}
