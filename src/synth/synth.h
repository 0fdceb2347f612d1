/*
 * synth.h: the generator of Home Credit-like data, and its realism check.
 *
 * synth_generate() writes the eight tables of the Home Credit Default Risk data set
 * (application_train/test, bureau, bureau_balance, previous_application, POS_CASH_balance,
 * installments_payments, credit_card_balance) into a folder, in the real files' format:
 * every column in the real order (the headers come from io/hc_schema.h), the real category
 * values, empty fields for missing values, integers as integers and float columns the way
 * pandas writes them ("202500.0"). Marginals, missing rates, rows per client and the
 * default rate follow ../shared/docs/homecredit-data.md; TARGET comes from a latent risk
 * that also drives the clients' history in the other tables (see docs/synth.md).
 *
 * Output depends only on the parameters: the same seed gives byte-identical files whatever
 * the number of threads. Files are written as NAME.tmp and renamed when all are complete.
 *
 * synth_check_dir() reads a folder of such tables (generated or real) and compares its
 * figures with the documented real ones, each with a stated tolerance.
 */
#ifndef CS_SYNTH_SYNTH_H
#define CS_SYNTH_SYNTH_H

#include "../base/cs.h"
#include "../io/hc_schema.h"

/* ---- generation ---------------------------------------------------------------------- */

typedef struct synth_params {
    const char *out_dir;    /* folder to write; created (with its parents) when missing */
    uint64_t n_train;       /* clients in application_train.csv, >= 1 (real: 307511) */
    uint64_t n_test;        /* clients in application_test.csv, >= 0 (real: 48744) */
    uint64_t seed;          /* the same seed gives the same bytes */
    /* Stream mode (months > 0): after the n_train training clients (ids first, with
     * TARGET), application_test.csv holds months x per_month new applicants in monthly
     * cohorts (ids in application order), drawn like the training population but
     * drifting gradually and with an optional shock (docs/synth.md, "Production stream");
     * stream.csv gives each one's application time, outcomes.csv the outcomes observed by
     * the end of the last month. n_test must then be 0. */
    int months;             /* 0 = the usual train/test split; else 1..SYNTH_MAX_MONTHS */
    uint64_t per_month;     /* applicants per month, >= 1 in stream mode */
    int start_year;         /* the first month (default 2025-01) */
    int start_month;        /* 1..12 */
    double drift;           /* scale of the documented drift rates (default 1; 0 = none) */
    int shock_month;        /* -1 = no shock; else the month index (0-based) it starts */
    double shock_size;      /* from shock_month on: credit quality lower by this many sd */
    double shock_odds;      /* and default log-odds higher by this at equal characteristics */
    int outcome_months;     /* the performance window: an outcome is final this many
                             * months after the application (default 12) */
} synth_params;

#define SYNTH_MAX_MONTHS 240

/* The full-size defaults: 307511 train and 48744 test clients, seed 42, out_dir NULL;
 * stream mode off (months 0) with its defaults ready: start 2025-01, drift 1, no shock
 * (size 0.6 sd, odds 0.5 when one is asked for), 12-month outcomes. */
void synth_params_default(synth_params *p);

/* Validate parameters before any work: returns CS_OK or CS_EINVAL with a message. */
cs_status synth_params_check(const synth_params *p, cs_err *err);

/* What a run wrote. */
typedef struct synth_counts {
    uint64_t rows[HC_N_TABLES];     /* data rows per table (header excluded) */
    uint64_t bytes[HC_N_TABLES];    /* file sizes */
    double default_rate;            /* share of TARGET = 1 in application_train */
    uint64_t stream_rows;           /* stream mode: rows of stream.csv (the applicants) */
    uint64_t outcome_rows;          /* stream mode: rows of outcomes.csv (observed by the end) */
    double stream_default_rate;     /* stream mode: share of applicants who default within
                                     * the window (observed or not yet) */
} synth_counts;

/* Generate the eight tables into p->out_dir. progress: where to draw a progress bar
 * (borrowed; NULL = silent). counts: OUT, may be NULL. On failure no final file is left
 * half-written (the .tmp files are removed) and err says which file and why. */
cs_status synth_generate(const synth_params *p, FILE *progress, synth_counts *counts,
                         cs_err *err);

/* ---- realism check ------------------------------------------------------------------- */

/* One compared figure: generated vs real, with the tolerance that decides PASS/FAIL. */
typedef struct synth_check_line {
    char table[28];         /* "application_train", "bureau", ... */
    char what[80];          /* "missing EXT_SOURCE_1", "p25 DAYS_BIRTH", "share CODE_GENDER=F" */
    double got;             /* the figure in the checked folder */
    double real;            /* the documented real figure */
    double tol;             /* allowed |got - real| */
    int pass;               /* 1 when |got - real| <= tol */
} synth_check_line;

typedef struct synth_report {
    size_t n;               /* lines */
    synth_check_line *lines;
    size_t n_fail;          /* lines with pass == 0 */
} synth_report;

/* Read the eight tables in dir (through io's CSV reader, with the Home Credit schemas) and
 * compare: missing rates, quartiles and category shares of application_train/test, rows
 * per client and parent of every table, missing rates, medians and category shares of the
 * secondary tables, the default rate, the DAYS_EMPLOYED = 365243 share, the XNA genders.
 * progress: borrowed, NULL = silent. Returns a report the caller frees with
 * synth_report_free(), or NULL and err when a table cannot be read. */
synth_report *synth_check_dir(const char *dir, FILE *progress, cs_err *err);

/* Append the report as an aligned text table (one line per figure, PASS/FAIL, a summary
 * line) to out. */
cs_status synth_report_format(const synth_report *r, cs_buf *out, cs_err *err);

/* Free a report. NULL is allowed. */
void synth_report_free(synth_report *r);

#endif /* CS_SYNTH_SYNTH_H */
