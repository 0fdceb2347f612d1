/*
 * explain_csv.h: batch explanations of a feature file with a model file (`creditscore
 * explain`): for every row the calibrated probability, the decision, the raw score, the
 * expected value, the exact contributions (explain/shap.h) and the reason codes, as CSV.
 * Rows are explained in chunks (memory stays bounded by the chunk, not the file), each chunk
 * in parallel with the explainer's block path.
 */
#ifndef CS_MODEL_EXPLAIN_CSV_H
#define CS_MODEL_EXPLAIN_CSV_H

#include <stdio.h>

#include "../explain/shap.h"
#include "../features/featfile.h"
#include "model.h"

typedef struct mf_explain_opts {
    size_t top;             /* 0: one contribution column per model feature (named after it);
                             * k > 0: the k largest |contributions| of each row as
                             * feature_i,contribution_i pairs */
    size_t n_reasons;       /* reason codes per row (features pushing toward default) */
    shap_lang lang;         /* language of the reason texts */
    FILE *progress_out;     /* a progress bar there (terminals only: see cs_progress), NULL: none */
    const shap_labeller *labeller; /* reason labels, codes and values (e.g. from the model's
                             * recipe), NULL: the built-in Home Credit wording */
    const char *id_name;    /* the first column's name (mf_id_name, or the caller's default) */
} mf_explain_opts;

typedef struct mf_explain_summary {
    size_t rows;            /* rows explained */
    size_t refused;         /* of which at or above the threshold */
    double max_gap;         /* largest |expected + sum of contributions - raw score| */
    shap_stats stats;       /* what the explainer precomputed (its memory) */
    double seconds;         /* wall time of the explanations and the writing */
} mf_explain_summary;

/* Explain every row of fm (columns matched to the model's features BY NAME; extra columns
 * ignored, a missing one is CS_ENOTFOUND naming it) and write the CSV to out:
 *   ID,probability,decision,raw_score,expected_value (ID: opts->id_name, "id" when NULL),
 *   then the contributions (see
 *   opts->top), then reason_1_code,reason_1_text,... (n_reasons pairs, empty when a row has
 *   fewer features pushing toward default).
 * Numbers in full precision (cs_fmt_double), text fields quoted when they need it.
 * sum (may be NULL) is filled. CS_EIO when writing fails. */
cs_status mf_explain_csv(const mf_model *m, const feat_matrix *fm, const mf_explain_opts *opts,
                         FILE *out, mf_explain_summary *sum, cs_err *err);

#endif /* CS_MODEL_EXPLAIN_CSV_H */
