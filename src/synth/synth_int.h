/*
 * synth_int.h: the inside of the generator, shared by its files and its unit tests (not a
 * public contract: other modules use synth.h). Read in this order: the column enum of
 * the application tables, the reference figures (ref.c), the fast CSV formatting
 * (fmt.c), the per-client model (client.c), the history tables (history.c), the block
 * driver (synth.c) and the check (check.c).
 */
#ifndef CS_SYNTH_SYNTH_INT_H
#define CS_SYNTH_SYNTH_INT_H

#include "synth.h"

/* ---- application columns, in the real file order (application_train.csv) ------------ */
enum {
    A_SK_ID_CURR, A_TARGET, A_NAME_CONTRACT_TYPE, A_CODE_GENDER, A_FLAG_OWN_CAR,
    A_FLAG_OWN_REALTY, A_CNT_CHILDREN, A_AMT_INCOME_TOTAL, A_AMT_CREDIT, A_AMT_ANNUITY,
    A_AMT_GOODS_PRICE, A_NAME_TYPE_SUITE, A_NAME_INCOME_TYPE, A_NAME_EDUCATION_TYPE,
    A_NAME_FAMILY_STATUS, A_NAME_HOUSING_TYPE, A_REGION_POPULATION_RELATIVE, A_DAYS_BIRTH,
    A_DAYS_EMPLOYED, A_DAYS_REGISTRATION, A_DAYS_ID_PUBLISH, A_OWN_CAR_AGE, A_FLAG_MOBIL,
    A_FLAG_EMP_PHONE, A_FLAG_WORK_PHONE, A_FLAG_CONT_MOBILE, A_FLAG_PHONE, A_FLAG_EMAIL,
    A_OCCUPATION_TYPE, A_CNT_FAM_MEMBERS, A_REGION_RATING_CLIENT, A_REGION_RATING_CLIENT_W_CITY,
    A_WEEKDAY_APPR_PROCESS_START, A_HOUR_APPR_PROCESS_START, A_REG_REGION_NOT_LIVE_REGION,
    A_REG_REGION_NOT_WORK_REGION, A_LIVE_REGION_NOT_WORK_REGION, A_REG_CITY_NOT_LIVE_CITY,
    A_REG_CITY_NOT_WORK_CITY, A_LIVE_CITY_NOT_WORK_CITY, A_ORGANIZATION_TYPE, A_EXT_SOURCE_1,
    A_EXT_SOURCE_2, A_EXT_SOURCE_3, A_APARTMENTS_AVG, A_BASEMENTAREA_AVG,
    A_YEARS_BEGINEXPLUATATION_AVG, A_YEARS_BUILD_AVG, A_COMMONAREA_AVG, A_ELEVATORS_AVG,
    A_ENTRANCES_AVG, A_FLOORSMAX_AVG, A_FLOORSMIN_AVG, A_LANDAREA_AVG, A_LIVINGAPARTMENTS_AVG,
    A_LIVINGAREA_AVG, A_NONLIVINGAPARTMENTS_AVG, A_NONLIVINGAREA_AVG, A_APARTMENTS_MODE,
    A_BASEMENTAREA_MODE, A_YEARS_BEGINEXPLUATATION_MODE, A_YEARS_BUILD_MODE, A_COMMONAREA_MODE,
    A_ELEVATORS_MODE, A_ENTRANCES_MODE, A_FLOORSMAX_MODE, A_FLOORSMIN_MODE, A_LANDAREA_MODE,
    A_LIVINGAPARTMENTS_MODE, A_LIVINGAREA_MODE, A_NONLIVINGAPARTMENTS_MODE,
    A_NONLIVINGAREA_MODE, A_APARTMENTS_MEDI, A_BASEMENTAREA_MEDI,
    A_YEARS_BEGINEXPLUATATION_MEDI, A_YEARS_BUILD_MEDI, A_COMMONAREA_MEDI, A_ELEVATORS_MEDI,
    A_ENTRANCES_MEDI, A_FLOORSMAX_MEDI, A_FLOORSMIN_MEDI, A_LANDAREA_MEDI,
    A_LIVINGAPARTMENTS_MEDI, A_LIVINGAREA_MEDI, A_NONLIVINGAPARTMENTS_MEDI,
    A_NONLIVINGAREA_MEDI, A_FONDKAPREMONT_MODE, A_HOUSETYPE_MODE, A_TOTALAREA_MODE,
    A_WALLSMATERIAL_MODE, A_EMERGENCYSTATE_MODE, A_OBS_30_CNT_SOCIAL_CIRCLE,
    A_DEF_30_CNT_SOCIAL_CIRCLE, A_OBS_60_CNT_SOCIAL_CIRCLE, A_DEF_60_CNT_SOCIAL_CIRCLE,
    A_DAYS_LAST_PHONE_CHANGE, A_FLAG_DOCUMENT_2, A_FLAG_DOCUMENT_3, A_FLAG_DOCUMENT_4,
    A_FLAG_DOCUMENT_5, A_FLAG_DOCUMENT_6, A_FLAG_DOCUMENT_7, A_FLAG_DOCUMENT_8,
    A_FLAG_DOCUMENT_9, A_FLAG_DOCUMENT_10, A_FLAG_DOCUMENT_11, A_FLAG_DOCUMENT_12,
    A_FLAG_DOCUMENT_13, A_FLAG_DOCUMENT_14, A_FLAG_DOCUMENT_15, A_FLAG_DOCUMENT_16,
    A_FLAG_DOCUMENT_17, A_FLAG_DOCUMENT_18, A_FLAG_DOCUMENT_19, A_FLAG_DOCUMENT_20,
    A_FLAG_DOCUMENT_21, A_AMT_REQ_CREDIT_BUREAU_HOUR, A_AMT_REQ_CREDIT_BUREAU_DAY,
    A_AMT_REQ_CREDIT_BUREAU_WEEK, A_AMT_REQ_CREDIT_BUREAU_MON, A_AMT_REQ_CREDIT_BUREAU_QRT,
    A_AMT_REQ_CREDIT_BUREAU_YEAR,
    SYNTH_APP_NCOL
};

/* ---- reference figures (ref.c) ------------------------------------------------------- */

typedef struct synth_ref_cat {
    const char *value;      /* category text as in the file */
    double count;           /* rows in the real train table (or a share, see the table) */
} synth_ref_cat;

/* One application column as documented (full data, train unless said). */
typedef struct synth_ref_col {
    const char *name;
    int is_cat;
    double miss_train;      /* missing rows in the 307,511 train rows */
    double miss_test;       /* missing rows in the 48,744 test rows */
    double min, p25, median, mean, max;     /* numeric columns; NaN for categorical */
    int n_cats;
    const synth_ref_cat *cats;              /* categorical: train counts, most common first */
} synth_ref_col;

#define SYNTH_REAL_TRAIN 307511.0
#define SYNTH_REAL_TEST 48744.0

extern const synth_ref_col synth_ref_app[SYNTH_APP_NCOL];

/* A figure of a secondary table: what it is and its real value (full data or sample). */
typedef enum synth_ref_kind {
    SYNTH_REF_ROWS_PER_CLIENT = 0,  /* rows / (train + test clients) */
    SYNTH_REF_CLIENT_SHARE,         /* share of clients with at least one row */
    SYNTH_REF_PARENT_SHARE,         /* share of parent rows (bureau, prev) with child rows */
    SYNTH_REF_ROWS_PER_PARENT,      /* rows per parent id present (SK_ID_BUREAU, SK_ID_PREV) */
    SYNTH_REF_MISSING,              /* missing share of column */
    SYNTH_REF_MEDIAN,               /* median of column */
    SYNTH_REF_SHARE                 /* share of rows with column == value */
} synth_ref_kind;

typedef struct synth_ref_fig {
    hc_table table;
    synth_ref_kind kind;
    const char *column;     /* NULL for row counts */
    const char *value;      /* SYNTH_REF_SHARE only */
    double real;
    double tol;             /* allowed |generated - real| */
} synth_ref_fig;

extern const synth_ref_fig synth_ref_hist[];
extern const size_t synth_ref_hist_n;

/* Pick an index with probability proportional to cats[i].count (u uniform in [0,1)). */
int synth_ref_pick(const synth_ref_cat *cats, int n, double u);

/* ---- CSV formatting (fmt.c) ---------------------------------------------------------- */

typedef enum synth_fmt { SY_INT = 0, SY_FLT, SY_CAT } synth_fmt;

/* How one column is written: integer, float (at most dec decimals, trailing zeros dropped
 * but at least ".0", as pandas writes floats), or category text (quoted when it holds a
 * comma). Names must equal the schema's, which the driver checks. */
typedef struct synth_colfmt {
    const char *name;
    synth_fmt fmt;
    int dec;
} synth_colfmt;

/* Write v at p and return the end (no NUL). put_int needs 21 bytes, put_fix 40. */
char *synth_put_int(char *p, int64_t v);
char *synth_put_fix(char *p, double v, int dec);

/* Append one CSV row: column k is s[k] for SY_CAT (NULL = empty), v[k] otherwise (NaN =
 * empty). Returns CS_OK or CS_ENOMEM. */
cs_status synth_emit_row(cs_buf *b, const synth_colfmt *f, int n, const double *v,
                         const char *const *s, cs_err *err);

/* Append the header line of a schema. */
cs_status synth_emit_header(cs_buf *b, const tbl_schema *schema, cs_err *err);

/* The column formats of each table (file order); n set to the column count. */
const synth_colfmt *synth_table_fmt(hc_table t, int *n);

/* ---- the plan: who is who, decided before any row is written (synth.c) -------------- */

/* Stream mode: what the plan needs to know of the production stream (docs/synth.md). */
typedef struct synth_stream_plan {
    int months;             /* 0: no stream */
    uint64_t per_month;
    int start_year, start_month;
    double drift, shock_size, shock_odds;
    int shock_month;        /* -1: none */
    int outcome_months;
} synth_stream_plan;

typedef struct synth_plan {
    uint64_t n;             /* clients, train + test, in SK_ID_CURR order */
    uint64_t n_train, n_test, seed;
    uint8_t *flags;         /* per client: SYNTH_F_TRAIN, SYNTH_F_XNA, SYNTH_F_STREAM */
    uint64_t *bureau_off;   /* n + 1 prefix sums of bureau rows per client */
    uint64_t *prev_off;     /* n + 1 prefix sums of previous applications per client */
    double intercept;       /* TARGET ~ Bernoulli(sigmoid(intercept + z)) */
    synth_stream_plan stream;
} synth_plan;

/* SYNTH_F_STREAM: an applicant of the production stream: drawn with the training
 * population's marginals (not the test table's shifts), written to application_test.csv
 * without TARGET, its outcome to outcomes.csv. */
enum { SYNTH_F_TRAIN = 1, SYNTH_F_XNA = 2, SYNTH_F_STREAM = 4 };

#define SYNTH_ID_CURR0 100001
#define SYNTH_ID_BUREAU0 5000000
#define SYNTH_ID_PREV0 1000000

/* Build the plan: train/test assignment of the ids, the XNA genders, every client's core
 * (to count its bureau and previous rows and to set the intercept for an 8.07 % default
 * rate). stream: NULL or months 0 for the usual split; else train ids first, then the
 * stream's applicants in application order (n_test must equal months x per_month).
 * Parallel, deterministic. Free with synth_plan_free (NULL allowed). */
synth_plan *synth_plan_create(uint64_t n_train, uint64_t n_test, uint64_t seed, const synth_stream_plan *stream,
                              cs_err *err);
void synth_plan_free(synth_plan *p);

/* The ids of a client's k-th bureau record and previous application. */
int64_t synth_id_bureau(const synth_plan *p, uint64_t client, int k);
int64_t synth_id_prev(const synth_plan *p, uint64_t client, int k);

/* ---- one client (client.c) ----------------------------------------------------------- */

typedef struct synth_client {
    uint64_t index;                     /* 0..n-1 */
    int is_train;
    int trainlike;                      /* drawn with the training marginals (train, stream) */
    double v[SYNTH_APP_NCOL];           /* numeric values, NaN = missing */
    const char *s[SYNTH_APP_NCOL];      /* categorical values, NULL = missing */
    double t;                           /* latent credit quality seen by EXT_SOURCE_* */
    double h;                           /* latent payment behaviour seen in the history */
    double z;                           /* the risk logit without the intercept */
    int n_bureau, n_prev;
    double age_years;
} synth_client;

/* How a stream applicant differs from the training population (stream.c computes it from
 * the month; all zero / one for everyone else). */
typedef struct synth_shift {
    double t;               /* added to the credit quality t (sd units; negative = worse) */
    double loan;            /* factor on the goods price, hence credit and annuity */
    double age;             /* factor on a working applicant's years above 20.6 */
    double odds;            /* added to the risk logit z at equal characteristics */
} synth_shift;

/* Draw a client's application record, latent risk and history sizes from r (seeded for
 * this client); TARGET is left NaN (drawn by the caller from the plan's intercept).
 * sh: the stream's shift for this client, NULL = none. */
void synth_client_core(cs_rng *r, uint64_t index, uint8_t flags, const synth_shift *sh, synth_client *c);

/* ---- the production stream (stream.c) ------------------------------------------------ */

/* The month (0-based) of stream client `index`, and its shift. */
int synth_stream_month(const synth_plan *p, uint64_t index);
void synth_stream_shift(const synth_plan *p, uint64_t index, synth_shift *sh);

/* Share of the window's defaults that happen in month on book k (1..outcome_months):
 * the documented hazard, k exp(-k / 4) normalised over the window. */
double synth_stream_hazard(int k, int outcome_months);

/* Append stream client c's rows to stream (SK_ID_CURR,month,application_time) and, when
 * observed by the end of the stream, to outcomes (client_id,default,observed); *defaulted
 * set to the drawn outcome. defaults: 1 when the client defaults within the window (drawn
 * by the caller, Bernoulli(sigmoid(intercept + z))). */
cs_status synth_stream_rows(const synth_plan *p, const synth_client *c, int defaults, cs_buf *stream,
                            cs_buf *outcomes, uint64_t *n_outcomes, cs_err *err);

/* Days since 1970-01-01 of a civil date (proleptic Gregorian), and back. */
int64_t synth_days_from_civil(int y, int m, int d);
void synth_civil_from_days(int64_t z, int *y, int *m, int *d);

/* ---- a block of clients (history.c, synth.c) ----------------------------------------- */

typedef struct synth_block {
    cs_buf out[HC_N_TABLES];    /* CSV rows of each table, no header */
    uint64_t rows[HC_N_TABLES];
    uint64_t n_target1;
    cs_buf stream, outcomes;    /* stream mode: rows of stream.csv and outcomes.csv */
    uint64_t n_stream, n_outcomes, n_stream_default;
} synth_block;

/* Generate clients [first, first + count) into b (appended). */
cs_status synth_gen_block(const synth_plan *p, uint64_t first, uint64_t count, synth_block *b,
                          cs_err *err);
void synth_block_reset(synth_block *b);
void synth_block_free(synth_block *b);

/* Write a client's history rows into b (history.c); r continues the client's stream. */
cs_status synth_history(const synth_plan *p, cs_rng *r, const synth_client *c, synth_block *b,
                        cs_err *err);

/* ---- small random helpers (client.c) ------------------------------------------------- */
double synth_sigmoid(double x);
double synth_phi(double x);                       /* standard normal CDF */
uint64_t synth_poisson(cs_rng *r, double mean);   /* small means */
uint64_t synth_negbin(cs_rng *r, double mean, double shape);
double synth_lognormal(cs_rng *r, double median, double sigma);

#endif /* CS_SYNTH_SYNTH_INT_H */
