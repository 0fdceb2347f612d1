/*
 * kernel.h: the feature set of the public kernel "LightGBM with simple features"
 * (../shared/docs/kernel-features.md): the application block, BURO_/ACTIVE_/CLOSED_,
 * PREV_/APPROVED_/REFUSED_, POS_, INSTAL_ and CC_, left-joined per client, with pandas
 * semantics (agg.h). 795 features on full-size data; on small data only the categories
 * present (spec.h).
 *
 * One code path: feat_compute() groups the rows of every table by client and calls, for
 * each client, the same per-client function that feat_compute_one() calls with one
 * applicant's records; both give the same values to the bit.
 *
 * Tables are indexed by hc_table (hc_schema.h). An absent secondary table (NULL) is an
 * empty table: its block's numeric aggregates are NaN for every client, its dummies
 * reduce to the _nan columns (NaN too), and sub-blocks selected by a category it does
 * not have (ACTIVE_, CLOSED_, APPROVED_, REFUSED_) are absent.
 */
#ifndef CS_FEATURES_KERNEL_H
#define CS_FEATURES_KERNEL_H

#include "../base/cs.h"
#include "../io/hc_schema.h"
#include "../io/tbl.h"
#include "featfile.h"
#include "spec.h"

/* The tables of a data set, indexed by hc_table; NULL = absent. */
typedef struct feat_tables {
    tbl *t[HC_N_TABLES];
} feat_tables;

/* Read the Home Credit tables of folder dir (file names of hc_file_name()). At least one
 * of application_train.csv / application_test.csv is required; every other file is
 * optional. log (may be NULL) receives a progress bar per table read. On failure, tables
 * already read are freed and out is all NULL. */
cs_status feat_tables_read(const char *dir, feat_tables *out, FILE *log, cs_err *err);

/* Free the tables of t (not t itself). NULL is allowed. */
void feat_tables_free(feat_tables *t);

/* The features of every application row (train rows, then test rows, each in file order,
 * without CODE_GENDER 'XNA'): ids = SK_ID_CURR, target = TARGET (NaN for test rows).
 *   tables    the data (application train and/or test required)
 *   spec      the spec to apply, or NULL to derive one from these tables
 *   spec_out  OUT (may be NULL): when spec is NULL, receives the derived spec (caller
 *             frees with feat_spec_free); when spec is given, receives NULL
 *   warn      OUT (may be NULL): unseen categories (always zero when deriving)
 *   prog      progress over the clients (may be NULL)
 * Returns a matrix the caller frees with feat_matrix_free(), or NULL and err. */
feat_matrix *feat_compute(const tbl *const tables[HC_N_TABLES], const feat_spec *spec,
                          feat_spec **spec_out, feat_warnings *warn, cs_progress *prog,
                          cs_err *err);

/* The same, written straight into the feature file path (featfile.h): the values are
 * computed in place in the file's mapping (no copy of a matrix of gigabytes), then the file
 * is checksummed and renamed into place. Returns the matrix, still mapped, for further use
 * (e.g. feat_file_write_csv); on failure no file is left at path. */
feat_matrix *feat_compute_file(const tbl *const tables[HC_N_TABLES], const feat_spec *spec,
                               const char *path, feat_spec **spec_out, feat_warnings *warn,
                               cs_progress *prog, cs_err *err);

/* One applicant's records: the application row and the rows of the six other tables
 * (NULL = none). Every row of each table is taken as the applicant's; bureau_balance
 * rows join bureau rows through SK_ID_BUREAU. Tables may have the train or test schema
 * for application, or be built with tbl_builder from the same schemas. */
typedef struct feat_applicant {
    const tbl *application;      /* exactly one row (required) */
    const tbl *bureau;
    const tbl *bureau_balance;
    const tbl *previous_application;
    const tbl *pos_cash_balance;
    const tbl *installments_payments;
    const tbl *credit_card_balance;
} feat_applicant;

/* The features of one applicant under spec: out receives feat_spec_n_feats(spec) values,
 * the same that feat_compute() gives for that client with the same spec. warn (may be
 * NULL) is added to (not reset), so that a caller can sum over many applicants. */
cs_status feat_compute_one(const feat_spec *spec, const feat_applicant *a, double *out,
                           feat_warnings *warn, cs_err *err);

#endif /* CS_FEATURES_KERNEL_H */
