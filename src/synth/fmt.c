/*
 * fmt.c: writing CSV rows fast and exactly as the real files are written: integers as
 * integers, floats the way pandas writes them (at least one decimal: "202500.0", at most a
 * fixed number, trailing zeros dropped: "406597.5", "0.0830369673913225"), missing values as
 * empty fields, categories quoted when they hold a comma ("Stone, brick"). No printf, no
 * locale: digits are produced by hand. Also the per-table column formats.
 */
#include "synth_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers ------------------------------------------------------------------------- */

static const uint64_t _p10[20] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
    100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
    10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
    100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL};

static char *_put_u64(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *p++ = tmp[--n];
    return p;
}

char *synth_put_int(char *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        return _put_u64(p, (uint64_t)0 - (uint64_t)v);
    }
    return _put_u64(p, (uint64_t)v);
}

char *synth_put_fix(char *p, double v, int dec)
{
    uint64_t t, ip, fp;
    int neg = 0;
    char d[20];
    int n;

    if (dec < 0) dec = 0;
    if (dec > 18) dec = 18;
    if (v < 0) {
        neg = 1;
        v = -v;
    }
    /* values too large for the scaled integer: fall back to fewer decimals */
    while (dec > 0 && v * (double)_p10[dec] >= 9.0e18) dec--;
    if (v >= 9.0e18) v = 9.0e18;
    t = (uint64_t)llround(v * (double)_p10[dec]);
    ip = t / _p10[dec];
    fp = t % _p10[dec];
    if (neg && t) *p++ = '-';
    p = _put_u64(p, ip);
    *p++ = '.';
    if (!fp) {
        *p++ = '0';
        return p;
    }
    for (int k = dec - 1; k >= 0; k--) {
        d[k] = (char)('0' + fp % 10);
        fp /= 10;
    }
    n = dec;
    while (n > 1 && d[n - 1] == '0') n--;
    memcpy(p, d, (size_t)n);
    return p + n;
}

/* ---- rows ---------------------------------------------------------------------------- */

static int _reserve(cs_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1, cap;
    char *q;
    if (need <= b->cap) return 0;
    cap = b->cap ? b->cap : 4096;
    while (cap < need) cap *= 2;
    q = realloc(b->data, cap);
    if (!q) return -1;
    b->data = q;
    b->cap = cap;
    return 0;
}

cs_status synth_emit_row(cs_buf *b, const synth_colfmt *f, int n, const double *v,
                         const char *const *s, cs_err *err)
{
    size_t room = 0;
    char *p;

    for (int k = 0; k < n; k++) room += f[k].fmt == SY_CAT ? (s[k] ? strlen(s[k]) + 3 : 1) : 42;
    if (_reserve(b, room + 1))
        return cs_err_set(err, CS_ENOMEM, "out of memory growing a %zu-byte row buffer", b->cap);
    p = b->data + b->len;
    for (int k = 0; k < n; k++) {
        if (k) *p++ = ',';
        switch (f[k].fmt) {
        case SY_CAT:
            if (s[k]) {
                size_t len = strlen(s[k]);
                int q = memchr(s[k], ',', len) != NULL;
                if (q) *p++ = '"';
                memcpy(p, s[k], len);
                p += len;
                if (q) *p++ = '"';
            }
            break;
        case SY_INT:
            if (!isnan(v[k])) p = synth_put_int(p, (int64_t)llround(v[k]));
            break;
        case SY_FLT:
            if (!isnan(v[k])) p = synth_put_fix(p, v[k], f[k].dec);
            break;
        }
    }
    *p++ = '\n';
    b->len = (size_t)(p - b->data);
    b->data[b->len] = '\0';
    return CS_OK;
}

cs_status synth_emit_header(cs_buf *b, const tbl_schema *schema, cs_err *err)
{
    for (int k = 0; k < schema->n_cols; k++) {
        cs_status st = cs_buf_puts(b, schema->cols[k].name, err);
        if (st) return st;
        st = cs_buf_append(b, k + 1 < schema->n_cols ? "," : "\n", 1, err);
        if (st) return st;
    }
    return CS_OK;
}

/* ---- column formats, file order ------------------------------------------------------ *
 * As the real files have them: a column pandas read as float (it has missing values or
 * decimals) is written as a float even for whole numbers ("-3648.0"), the others as
 * integers. */

/* the application columns after SK_ID_CURR and TARGET: the test table is the train table
 * without TARGET, so both lists are built from this one */
#define APP_COLS_AFTER_TARGET \
    {"NAME_CONTRACT_TYPE", SY_CAT, 0}, \
    {"CODE_GENDER", SY_CAT, 0}, {"FLAG_OWN_CAR", SY_CAT, 0}, {"FLAG_OWN_REALTY", SY_CAT, 0}, \
    {"CNT_CHILDREN", SY_INT, 0}, {"AMT_INCOME_TOTAL", SY_FLT, 3}, {"AMT_CREDIT", SY_FLT, 3}, \
    {"AMT_ANNUITY", SY_FLT, 3}, {"AMT_GOODS_PRICE", SY_FLT, 3}, {"NAME_TYPE_SUITE", SY_CAT, 0}, \
    {"NAME_INCOME_TYPE", SY_CAT, 0}, {"NAME_EDUCATION_TYPE", SY_CAT, 0}, \
    {"NAME_FAMILY_STATUS", SY_CAT, 0}, {"NAME_HOUSING_TYPE", SY_CAT, 0}, \
    {"REGION_POPULATION_RELATIVE", SY_FLT, 6}, {"DAYS_BIRTH", SY_INT, 0}, \
    {"DAYS_EMPLOYED", SY_INT, 0}, {"DAYS_REGISTRATION", SY_FLT, 0}, \
    {"DAYS_ID_PUBLISH", SY_INT, 0}, {"OWN_CAR_AGE", SY_FLT, 0}, {"FLAG_MOBIL", SY_INT, 0}, \
    {"FLAG_EMP_PHONE", SY_INT, 0}, {"FLAG_WORK_PHONE", SY_INT, 0}, \
    {"FLAG_CONT_MOBILE", SY_INT, 0}, {"FLAG_PHONE", SY_INT, 0}, {"FLAG_EMAIL", SY_INT, 0}, \
    {"OCCUPATION_TYPE", SY_CAT, 0}, {"CNT_FAM_MEMBERS", SY_FLT, 0}, \
    {"REGION_RATING_CLIENT", SY_INT, 0}, {"REGION_RATING_CLIENT_W_CITY", SY_INT, 0}, \
    {"WEEKDAY_APPR_PROCESS_START", SY_CAT, 0}, {"HOUR_APPR_PROCESS_START", SY_INT, 0}, \
    {"REG_REGION_NOT_LIVE_REGION", SY_INT, 0}, {"REG_REGION_NOT_WORK_REGION", SY_INT, 0}, \
    {"LIVE_REGION_NOT_WORK_REGION", SY_INT, 0}, {"REG_CITY_NOT_LIVE_CITY", SY_INT, 0}, \
    {"REG_CITY_NOT_WORK_CITY", SY_INT, 0}, {"LIVE_CITY_NOT_WORK_CITY", SY_INT, 0}, \
    {"ORGANIZATION_TYPE", SY_CAT, 0}, {"EXT_SOURCE_1", SY_FLT, 16}, \
    {"EXT_SOURCE_2", SY_FLT, 16}, {"EXT_SOURCE_3", SY_FLT, 16}, {"APARTMENTS_AVG", SY_FLT, 4}, \
    {"BASEMENTAREA_AVG", SY_FLT, 4}, {"YEARS_BEGINEXPLUATATION_AVG", SY_FLT, 4}, \
    {"YEARS_BUILD_AVG", SY_FLT, 4}, {"COMMONAREA_AVG", SY_FLT, 4}, {"ELEVATORS_AVG", SY_FLT, 4}, \
    {"ENTRANCES_AVG", SY_FLT, 4}, {"FLOORSMAX_AVG", SY_FLT, 4}, {"FLOORSMIN_AVG", SY_FLT, 4}, \
    {"LANDAREA_AVG", SY_FLT, 4}, {"LIVINGAPARTMENTS_AVG", SY_FLT, 4}, \
    {"LIVINGAREA_AVG", SY_FLT, 4}, {"NONLIVINGAPARTMENTS_AVG", SY_FLT, 4}, \
    {"NONLIVINGAREA_AVG", SY_FLT, 4}, {"APARTMENTS_MODE", SY_FLT, 4}, \
    {"BASEMENTAREA_MODE", SY_FLT, 4}, {"YEARS_BEGINEXPLUATATION_MODE", SY_FLT, 4}, \
    {"YEARS_BUILD_MODE", SY_FLT, 4}, {"COMMONAREA_MODE", SY_FLT, 4}, \
    {"ELEVATORS_MODE", SY_FLT, 4}, {"ENTRANCES_MODE", SY_FLT, 4}, {"FLOORSMAX_MODE", SY_FLT, 4}, \
    {"FLOORSMIN_MODE", SY_FLT, 4}, {"LANDAREA_MODE", SY_FLT, 4}, \
    {"LIVINGAPARTMENTS_MODE", SY_FLT, 4}, {"LIVINGAREA_MODE", SY_FLT, 4}, \
    {"NONLIVINGAPARTMENTS_MODE", SY_FLT, 4}, {"NONLIVINGAREA_MODE", SY_FLT, 4}, \
    {"APARTMENTS_MEDI", SY_FLT, 4}, {"BASEMENTAREA_MEDI", SY_FLT, 4}, \
    {"YEARS_BEGINEXPLUATATION_MEDI", SY_FLT, 4}, {"YEARS_BUILD_MEDI", SY_FLT, 4}, \
    {"COMMONAREA_MEDI", SY_FLT, 4}, {"ELEVATORS_MEDI", SY_FLT, 4}, \
    {"ENTRANCES_MEDI", SY_FLT, 4}, {"FLOORSMAX_MEDI", SY_FLT, 4}, {"FLOORSMIN_MEDI", SY_FLT, 4}, \
    {"LANDAREA_MEDI", SY_FLT, 4}, {"LIVINGAPARTMENTS_MEDI", SY_FLT, 4}, \
    {"LIVINGAREA_MEDI", SY_FLT, 4}, {"NONLIVINGAPARTMENTS_MEDI", SY_FLT, 4}, \
    {"NONLIVINGAREA_MEDI", SY_FLT, 4}, {"FONDKAPREMONT_MODE", SY_CAT, 0}, \
    {"HOUSETYPE_MODE", SY_CAT, 0}, {"TOTALAREA_MODE", SY_FLT, 4}, \
    {"WALLSMATERIAL_MODE", SY_CAT, 0}, {"EMERGENCYSTATE_MODE", SY_CAT, 0}, \
    {"OBS_30_CNT_SOCIAL_CIRCLE", SY_FLT, 0}, {"DEF_30_CNT_SOCIAL_CIRCLE", SY_FLT, 0}, \
    {"OBS_60_CNT_SOCIAL_CIRCLE", SY_FLT, 0}, {"DEF_60_CNT_SOCIAL_CIRCLE", SY_FLT, 0}, \
    {"DAYS_LAST_PHONE_CHANGE", SY_FLT, 0}, {"FLAG_DOCUMENT_2", SY_INT, 0}, \
    {"FLAG_DOCUMENT_3", SY_INT, 0}, {"FLAG_DOCUMENT_4", SY_INT, 0}, \
    {"FLAG_DOCUMENT_5", SY_INT, 0}, {"FLAG_DOCUMENT_6", SY_INT, 0}, \
    {"FLAG_DOCUMENT_7", SY_INT, 0}, {"FLAG_DOCUMENT_8", SY_INT, 0}, \
    {"FLAG_DOCUMENT_9", SY_INT, 0}, {"FLAG_DOCUMENT_10", SY_INT, 0}, \
    {"FLAG_DOCUMENT_11", SY_INT, 0}, {"FLAG_DOCUMENT_12", SY_INT, 0}, \
    {"FLAG_DOCUMENT_13", SY_INT, 0}, {"FLAG_DOCUMENT_14", SY_INT, 0}, \
    {"FLAG_DOCUMENT_15", SY_INT, 0}, {"FLAG_DOCUMENT_16", SY_INT, 0}, \
    {"FLAG_DOCUMENT_17", SY_INT, 0}, {"FLAG_DOCUMENT_18", SY_INT, 0}, \
    {"FLAG_DOCUMENT_19", SY_INT, 0}, {"FLAG_DOCUMENT_20", SY_INT, 0}, \
    {"FLAG_DOCUMENT_21", SY_INT, 0}, {"AMT_REQ_CREDIT_BUREAU_HOUR", SY_FLT, 0}, \
    {"AMT_REQ_CREDIT_BUREAU_DAY", SY_FLT, 0}, {"AMT_REQ_CREDIT_BUREAU_WEEK", SY_FLT, 0}, \
    {"AMT_REQ_CREDIT_BUREAU_MON", SY_FLT, 0}, {"AMT_REQ_CREDIT_BUREAU_QRT", SY_FLT, 0}, \
    {"AMT_REQ_CREDIT_BUREAU_YEAR", SY_FLT, 0}

static const synth_colfmt _f_app_train[] = {
    {"SK_ID_CURR", SY_INT, 0}, {"TARGET", SY_INT, 0}, APP_COLS_AFTER_TARGET
};

static const synth_colfmt _f_app_test[] = {
    {"SK_ID_CURR", SY_INT, 0}, APP_COLS_AFTER_TARGET
};

static const synth_colfmt _f_bureau[] = {
    {"SK_ID_CURR", SY_INT, 0}, {"SK_ID_BUREAU", SY_INT, 0}, {"CREDIT_ACTIVE", SY_CAT, 0},
    {"CREDIT_CURRENCY", SY_CAT, 0}, {"DAYS_CREDIT", SY_INT, 0}, {"CREDIT_DAY_OVERDUE", SY_INT, 0},
    {"DAYS_CREDIT_ENDDATE", SY_FLT, 0}, {"DAYS_ENDDATE_FACT", SY_FLT, 0},
    {"AMT_CREDIT_MAX_OVERDUE", SY_FLT, 3}, {"CNT_CREDIT_PROLONG", SY_INT, 0},
    {"AMT_CREDIT_SUM", SY_FLT, 3}, {"AMT_CREDIT_SUM_DEBT", SY_FLT, 3},
    {"AMT_CREDIT_SUM_LIMIT", SY_FLT, 3}, {"AMT_CREDIT_SUM_OVERDUE", SY_FLT, 3},
    {"CREDIT_TYPE", SY_CAT, 0}, {"DAYS_CREDIT_UPDATE", SY_INT, 0}, {"AMT_ANNUITY", SY_FLT, 3},
};

static const synth_colfmt _f_bureau_balance[] = {
    {"SK_ID_BUREAU", SY_INT, 0}, {"MONTHS_BALANCE", SY_INT, 0}, {"STATUS", SY_CAT, 0},
};

static const synth_colfmt _f_previous[] = {
    {"SK_ID_PREV", SY_INT, 0}, {"SK_ID_CURR", SY_INT, 0}, {"NAME_CONTRACT_TYPE", SY_CAT, 0},
    {"AMT_ANNUITY", SY_FLT, 3}, {"AMT_APPLICATION", SY_FLT, 3}, {"AMT_CREDIT", SY_FLT, 3},
    {"AMT_DOWN_PAYMENT", SY_FLT, 3}, {"AMT_GOODS_PRICE", SY_FLT, 3},
    {"WEEKDAY_APPR_PROCESS_START", SY_CAT, 0}, {"HOUR_APPR_PROCESS_START", SY_INT, 0},
    {"FLAG_LAST_APPL_PER_CONTRACT", SY_CAT, 0}, {"NFLAG_LAST_APPL_IN_DAY", SY_INT, 0},
    {"RATE_DOWN_PAYMENT", SY_FLT, 16}, {"RATE_INTEREST_PRIMARY", SY_FLT, 16},
    {"RATE_INTEREST_PRIVILEGED", SY_FLT, 16}, {"NAME_CASH_LOAN_PURPOSE", SY_CAT, 0},
    {"NAME_CONTRACT_STATUS", SY_CAT, 0}, {"DAYS_DECISION", SY_INT, 0},
    {"NAME_PAYMENT_TYPE", SY_CAT, 0}, {"CODE_REJECT_REASON", SY_CAT, 0},
    {"NAME_TYPE_SUITE", SY_CAT, 0}, {"NAME_CLIENT_TYPE", SY_CAT, 0},
    {"NAME_GOODS_CATEGORY", SY_CAT, 0}, {"NAME_PORTFOLIO", SY_CAT, 0},
    {"NAME_PRODUCT_TYPE", SY_CAT, 0}, {"CHANNEL_TYPE", SY_CAT, 0},
    {"SELLERPLACE_AREA", SY_INT, 0}, {"NAME_SELLER_INDUSTRY", SY_CAT, 0},
    {"CNT_PAYMENT", SY_FLT, 0}, {"NAME_YIELD_GROUP", SY_CAT, 0},
    {"PRODUCT_COMBINATION", SY_CAT, 0}, {"DAYS_FIRST_DRAWING", SY_FLT, 0},
    {"DAYS_FIRST_DUE", SY_FLT, 0}, {"DAYS_LAST_DUE_1ST_VERSION", SY_FLT, 0},
    {"DAYS_LAST_DUE", SY_FLT, 0}, {"DAYS_TERMINATION", SY_FLT, 0},
    {"NFLAG_INSURED_ON_APPROVAL", SY_FLT, 0},
};

static const synth_colfmt _f_pos_cash[] = {
    {"SK_ID_PREV", SY_INT, 0}, {"SK_ID_CURR", SY_INT, 0}, {"MONTHS_BALANCE", SY_INT, 0},
    {"CNT_INSTALMENT", SY_FLT, 0}, {"CNT_INSTALMENT_FUTURE", SY_FLT, 0},
    {"NAME_CONTRACT_STATUS", SY_CAT, 0}, {"SK_DPD", SY_INT, 0}, {"SK_DPD_DEF", SY_INT, 0},
};

static const synth_colfmt _f_installments[] = {
    {"SK_ID_PREV", SY_INT, 0}, {"SK_ID_CURR", SY_INT, 0}, {"NUM_INSTALMENT_VERSION", SY_FLT, 0},
    {"NUM_INSTALMENT_NUMBER", SY_INT, 0}, {"DAYS_INSTALMENT", SY_FLT, 0},
    {"DAYS_ENTRY_PAYMENT", SY_FLT, 0}, {"AMT_INSTALMENT", SY_FLT, 3}, {"AMT_PAYMENT", SY_FLT, 3},
};

static const synth_colfmt _f_credit_card[] = {
    {"SK_ID_PREV", SY_INT, 0}, {"SK_ID_CURR", SY_INT, 0}, {"MONTHS_BALANCE", SY_INT, 0},
    {"AMT_BALANCE", SY_FLT, 3}, {"AMT_CREDIT_LIMIT_ACTUAL", SY_INT, 0},
    {"AMT_DRAWINGS_ATM_CURRENT", SY_FLT, 3}, {"AMT_DRAWINGS_CURRENT", SY_FLT, 3},
    {"AMT_DRAWINGS_OTHER_CURRENT", SY_FLT, 3}, {"AMT_DRAWINGS_POS_CURRENT", SY_FLT, 3},
    {"AMT_INST_MIN_REGULARITY", SY_FLT, 3}, {"AMT_PAYMENT_CURRENT", SY_FLT, 3},
    {"AMT_PAYMENT_TOTAL_CURRENT", SY_FLT, 3}, {"AMT_RECEIVABLE_PRINCIPAL", SY_FLT, 3},
    {"AMT_RECIVABLE", SY_FLT, 3}, {"AMT_TOTAL_RECEIVABLE", SY_FLT, 3},
    {"CNT_DRAWINGS_ATM_CURRENT", SY_FLT, 0}, {"CNT_DRAWINGS_CURRENT", SY_INT, 0},
    {"CNT_DRAWINGS_OTHER_CURRENT", SY_FLT, 0}, {"CNT_DRAWINGS_POS_CURRENT", SY_FLT, 0},
    {"CNT_INSTALMENT_MATURE_CUM", SY_FLT, 0}, {"NAME_CONTRACT_STATUS", SY_CAT, 0},
    {"SK_DPD", SY_INT, 0}, {"SK_DPD_DEF", SY_INT, 0},
};

#define N_(a) ((int)(sizeof(a) / sizeof((a)[0])))

const synth_colfmt *synth_table_fmt(hc_table t, int *n)
{
    switch (t) {
    case HC_APPLICATION_TRAIN: *n = N_(_f_app_train); return _f_app_train;
    case HC_APPLICATION_TEST: *n = N_(_f_app_test); return _f_app_test;
    case HC_BUREAU: *n = N_(_f_bureau); return _f_bureau;
    case HC_BUREAU_BALANCE: *n = N_(_f_bureau_balance); return _f_bureau_balance;
    case HC_PREVIOUS_APPLICATION: *n = N_(_f_previous); return _f_previous;
    case HC_POS_CASH_BALANCE: *n = N_(_f_pos_cash); return _f_pos_cash;
    case HC_INSTALLMENTS_PAYMENTS: *n = N_(_f_installments); return _f_installments;
    case HC_CREDIT_CARD_BALANCE: *n = N_(_f_credit_card); return _f_credit_card;
    default: *n = 0; return NULL;
    }
}
