/*
 * model.h: the model file (".csm"): one self-contained, versioned, checksummed file with
 * everything scoring, explaining, drift and the dashboard need from training, so that
 * none of them ever reads training data. The byte layout is in docs/model-format.md.
 *
 * Writing: fill an mf_parts (all borrowed) and call mf_write(); the reference data for
 * drift and the dashboard come from mf_reference_build(). Reading: mf_load() maps the
 * file read-only, verifies its checksum and validates every section; mf_free().
 * A truncated, corrupt or newer-version file is refused with a message naming the file and
 * the fault (CS_ECORRUPT, CS_EVERSION), never crashed on. The one exception is the bulk of
 * the drift sample (its values: plain numbers, sizes checked at load), which has its own
 * checksum, verified by mf_sample_check() so that loading stays fast.
 *
 * Decision rule everywhere: a client is REFUSED when its calibrated probability of default
 * is at or above the model's threshold (mf_decide).
 */
#ifndef CS_MODEL_MODEL_H
#define CS_MODEL_MODEL_H

#include "../base/cs.h"
#include "../eval/calib.h"
#include "../eval/metrics.h"
#include "../eval/threshold.h"
#include "../features/featfile.h"
#include "../features/spec.h"
#include "../learn/learner.h"

#define MF_MAGIC "CSMODEL\0"    /* 8 bytes */
#define MF_FORMAT_VERSION 1u

/* Quantile levels of the per-feature reference summary. */
#define MF_N_QUANTILES 9
extern const double mf_quantile_levels[MF_N_QUANTILES]; /* 0 .01 .05 .25 .5 .75 .95 .99 1 */

/* Bins of the dashboard histograms (equal width between the 1% and 99% quantiles). */
#define MF_HIST_BINS 20

/* Per-feature reference summary over the training rows (drift). */
typedef struct mf_feature_stats {
    double n;               /* training rows */
    double missing;         /* share of NaN values */
    double mean;            /* over finite values (NaN when none) */
    double sd;              /* population sd over finite values */
    double q[MF_N_QUANTILES]; /* quantiles (numpy 'linear') of the non-NaN values */
} mf_feature_stats;

/* Dashboard histogram of one feature: MF_HIST_BINS equal-width bins over [lo, hi], values
 * below lo counted in the first bin and above hi in the last; NaN counted apart. Clients
 * are split by their out-of-fold calibrated probability: accepted (p < threshold) or
 * refused (p >= threshold). */
typedef struct mf_hist {
    double lo, hi;                  /* bin b covers [lo + b w, lo + (b+1) w), w = (hi-lo)/bins */
    double accepted[MF_HIST_BINS];  /* counts */
    double refused[MF_HIST_BINS];
    double missing_accepted;        /* NaN values */
    double missing_refused;
} mf_hist;

/* What training measured (all on out-of-fold predictions; probabilities calibrated). */
typedef struct mf_metrics {
    int k;                  /* CV folds */
    double auc_mean;        /* CV AUC: mean of the folds' AUCs */
    double auc_sd;          /* population sd of the folds' AUCs */
    double oof_auc;         /* AUC of all OOF predictions pooled */
    double gini;            /* 2 oof_auc - 1 */
    double ks;              /* Kolmogorov-Smirnov of the OOF predictions */
    double log_loss;        /* of the calibrated OOF probabilities */
    double brier;           /* of the calibrated OOF probabilities */
    double cost;            /* business cost at the threshold (total over training rows) */
    double cost_at_half;    /* business cost at threshold 0.5 */
    double tp, fp, tn, fn;  /* confusion at the threshold */
    double fit_seconds;     /* wall time of the CV fits plus the final fit */
    const double *fold_auc; /* k values: borrowed when writing, owned by the model when loaded */
} mf_metrics;

/* Monitoring bins (src/monitor: PSI of the score, CSI of each feature): the deciles of the
 * training values (numpy 'linear' quantiles at 0.1 .. 0.9 of the non-NaN values) with
 * duplicates dropped are the edges; bins are right-closed, (-inf, e0], (e0, e1], ...,
 * (e_last, +inf), so value bin b of v is the number of edges below v (mf_mon_bin), and NaN
 * goes to the missing bin MF_MON_MISSING. A constant feature has one edge and two value
 * bins, the upper one empty. */
#define MF_MON_EDGES 9
#define MF_MON_BINS (MF_MON_EDGES + 2)      /* up to 10 value bins + the missing bin */
#define MF_MON_MISSING (MF_MON_BINS - 1)
typedef struct mf_mon_bins {
    int n_edges;                    /* 1..MF_MON_EDGES distinct edges; 0 when no value is known */
    double edges[MF_MON_EDGES];     /* ascending; unused slots NaN */
    double share[MF_MON_BINS];      /* share of the training rows in value bins 0..n_edges
                                     * and in the missing bin; other slots 0 */
} mf_mon_bins;

/* The bin of v: 0..b->n_edges, or MF_MON_MISSING for NaN. */
static inline int mf_mon_bin(const mf_mon_bins *b, double v)
{
    int k = 0;
    if (v != v) return MF_MON_MISSING;
    for (int e = 0; e < b->n_edges; e++) k += b->edges[e] < v;
    return k;
}

/* The training score distribution: bins of the calibrated out-of-fold probability of the
 * training rows (what a new applicant's probability looks like, not the refit model's
 * in-sample one), with each bin's mean probability (what the model promised) and observed
 * default rate. */
typedef struct mf_score_ref {
    double n;                       /* training rows */
    mf_mon_bins bins;
    double pd[MF_MON_BINS];         /* mean calibrated OOF probability per bin, NaN when empty */
    double dr[MF_MON_BINS];         /* share of target 1 per bin, NaN when empty */
} mf_score_ref;

/* The training-data reference for drift and the dashboard: built by mf_reference_build,
 * freed by mf_reference_free. */
typedef struct mf_reference {
    size_t n_feats;
    mf_feature_stats *stats;    /* n_feats */
    mf_hist *hists;             /* n_feats */
    mf_mon_bins *bins;          /* n_feats monitoring bins */
    mf_score_ref score;         /* the score's monitoring reference */
    size_t n_sample;            /* rows in the drift sample (<= the max asked) */
    int64_t *sample_ids;        /* n_sample client ids, in training-file order */
    double *sample_target;      /* n_sample targets */
    double *sample_values;      /* n_feats * n_sample values, column-major */
} mf_reference;

/* Build the reference from the training rows rows[0..n) of m: stats and monitoring bins
 * over all of them, the histograms split by prob[i] (the OOF calibrated probability of
 * rows[i]) against threshold, the score's monitoring reference from prob and the targets,
 * and a seeded uniform sample (without replacement) of min(n, max_sample) rows.
 * Parallel over features. NULL + err on failure. */
mf_reference *mf_reference_build(const feat_matrix *m, const size_t *rows, size_t n,
                                 const double *prob, double threshold, size_t max_sample,
                                 uint64_t seed, cs_err *err);
void mf_reference_free(mf_reference *r);

/* The applicants without an outcome in the training file (the test clients, never trained
 * on): how many, and their shares in the monitoring bins (mf_mon_bins) of the score (the
 * refit model's calibrated probability) and of each feature: the stability section of the
 * model report (PSI against the training shares). */
typedef struct mf_test_ref {
    size_t n;                           /* test rows (0: none in the training file) */
    size_t n_feats;
    double score_share[MF_MON_BINS];
    double *share;                      /* n_feats x MF_MON_BINS, row per feature */
} mf_test_ref;

/* The test rows' reference: rows[0..n) of m scored by p[] (calibrated), binned on ref's
 * score and feature bins. Parallel over features. Free with mf_test_ref_free. */
mf_test_ref *mf_test_ref_build(const feat_matrix *m, const size_t *rows, size_t n, const double *p,
                               const mf_reference *ref, cs_err *err);
void mf_test_ref_free(mf_test_ref *t);

/* Everything a model file holds, for mf_write (all pointers borrowed). */
typedef struct mf_parts {
    const char *name;               /* model name ("gbdt-demo") */
    const char *version;            /* model version chosen by the trainer ("1") */
    const char *created;            /* creation time, ISO 8601 UTC; NULL = now */
    const char *data_digest;        /* digest of the training data (mf_data_digest) */
    size_t n_train;                 /* training rows */
    double positive_rate;           /* share of target 1 among them */
    size_t n_feats;
    const char *const *feat_names;  /* n_feats feature names, in model order */
    const feat_spec *spec;          /* the feature spec, NULL when unknown */
    const lrn_model *learner;       /* the final model (refitted on all training rows) */
    const char *params_json;        /* its parameters (JSON object text) */
    const ev_calib *calib;          /* calibration (kind NONE allowed) */
    double threshold;               /* in calibrated probability space */
    ev_cost_weights cost;
    mf_metrics metrics;
    const ev_cost_point *curve;     /* the cost curve of the calibrated OOF probabilities */
    size_t n_curve;
    const mf_reference *reference;  /* may be NULL: no drift/dashboard data */
    double expected_value;          /* raw-score expected value for explanations (shap_expected_value) */
    const double *importance;       /* n_feats global importance (mean |contribution| over the
                                     * reference sample), NULL = none */
    size_t importance_rows;         /* rows it was taken over */
    const char *search_json;        /* optional: the search that chose the params (JSON), NULL = none */
    const char *tuning_json;        /* optional: what the defaults chose (JSON object, train.h), NULL = none */
    const char *protected_json;     /* optional: the protected attributes left out of training
                                     * (train --exclude-protected), a JSON object
                                     * {"attributes": [...], "features": [...]}; NULL = none */
    /* optional, for the model report (EVAL section): the calibrated out-of-fold probability
     * and the target of every training row (n_oof, training order), the test rows' shares */
    size_t n_oof;
    const double *oof_prob, *oof_target;
    const mf_test_ref *test;
    const char *run_id;             /* optional: the tracking run that trained it (META run_id) */
    const char *features_file;      /* optional: the feature file it was trained on (META) */
} mf_parts;

/* Write a model file: to a temporary file in the same folder, then renamed over path. */
cs_status mf_write(const mf_parts *parts, const char *path, cs_err *err);

/* Serialise to memory (what mf_write writes); out is appended to. */
cs_status mf_write_buf(const mf_parts *parts, cs_buf *out, cs_err *err);

/* "h64:" + 16 hex digits of cs_hash64 over the ids, targets and values of the rows
 * rows[0..n) of m (in that order) and its feature names. out holds >= 24 bytes. */
void mf_data_digest(const feat_matrix *m, const size_t *rows, size_t n, char *out, size_t cap);

/* ---- the loaded model ------------------------------------------------------------- */

typedef struct mf_model mf_model; /* opaque */

/* Load and validate a model file. NULL + err (message starts with the path) on failure. */
mf_model *mf_load(const char *path, cs_err *err);

/* The same from bytes (copied). */
mf_model *mf_load_bytes(const void *data, size_t len, cs_err *err);

/* Free a model. NULL is allowed. */
void mf_free(mf_model *m);

/* Accessors: every returned pointer is borrowed and valid until mf_free(). */
const char *mf_name(const mf_model *m);
const char *mf_version(const mf_model *m);
const char *mf_created(const mf_model *m);
const char *mf_data_digest_of(const mf_model *m);
uint32_t mf_format_version(const mf_model *m);
size_t mf_n_train(const mf_model *m);
double mf_positive_rate(const mf_model *m);
size_t mf_n_feats(const mf_model *m);
const char *mf_feat_name(const mf_model *m, size_t j);     /* NULL when j is out of range */
long mf_feat_index(const mf_model *m, const char *name);   /* -1 when absent */
const feat_spec *mf_spec(const mf_model *m);               /* NULL when the file has none */
/* The name of the id column of the rows the model scores, for the files that name it
 * (`predict`, `explain`): the key of its spec's recipe's root table, "row" when that recipe
 * numbers the rows (RCP_ROW_KEY); NULL for a file without a spec (the caller names it: the
 * default recipe's key, feat_kernel_recipe, which `features` uses without --recipe). */
const char *mf_id_name(const mf_model *m);
const lrn_model *mf_learner(const mf_model *m);
const char *mf_params_json(const mf_model *m);
const ev_calib *mf_calib(const mf_model *m);
double mf_threshold(const mf_model *m);
ev_cost_weights mf_cost_weights(const mf_model *m);
const mf_metrics *mf_get_metrics(const mf_model *m);
const ev_cost_point *mf_cost_curve(const mf_model *m, size_t *n);
double mf_expected_value(const mf_model *m);
/* The global importance stored at training time (mean |contribution| per feature, model
 * order, over *n_rows reference rows); NULL (*n_rows = 0) for a file from before it was
 * stored: compute it with explain/shap.h's shap_importance. n_rows may be NULL. */
const double *mf_importance(const mf_model *m, size_t *n_rows);
const char *mf_search_json(const mf_model *m);             /* NULL when no search was run */
/* The protected attributes excluded from training (mf_parts.protected_json, compact JSON),
 * NULL when none were (the model may then use them: see docs/fairness.md). */
const char *mf_protected_json(const mf_model *m);
/* Drift and dashboard data; NULL (n = 0) when the file has none. */
const mf_feature_stats *mf_stats(const mf_model *m, size_t j);
/* Monitoring reference (MONITOR section); NULL when the file has none (trained before it
 * existed: retrain). */
const mf_mon_bins *mf_mon_bins_of(const mf_model *m, size_t j);
const mf_score_ref *mf_score_reference(const mf_model *m);
const mf_hist *mf_hist_of(const mf_model *m, size_t j);
/* The drift sample: returns its rows; ids, target, values (column-major, n_feats * rows)
 * are set when not NULL. */
size_t mf_sample(const mf_model *m, const int64_t **ids, const double **target,
                 const double **values);
/* Verify the drift sample's own checksum (reads the whole sample: call it once before using
 * the sample). CS_ECORRUPT with a message when it does not match; CS_OK without a sample. */
cs_status mf_sample_check(const mf_model *m, cs_err *err);
/* The EVAL section (model reports): the calibrated out-of-fold probability and target of each
 * training row; returns their number (0 for a file trained before it was stored: retrain). */
size_t mf_oof(const mf_model *m, const double **prob, const double **target);
/* The test rows' shares (mf_test_ref); NULL without an EVAL section. */
const mf_test_ref *mf_test_reference(const mf_model *m);
/* META's run_id, features_file and code_version (the creditscore version that trained it);
 * NULL when absent. */
const char *mf_run_id(const mf_model *m);
const char *mf_features_file(const mf_model *m);
const char *mf_code_version(const mf_model *m);
/* The META section: one JSON object (name, metrics, parameters, ...), for display. */
const char *mf_meta_json(const mf_model *m);

/* ---- scoring ---------------------------------------------------------------------- */

/* Everything one decision carries (mf_score). */
typedef struct mf_decision {
    double raw;             /* the learner's raw score (log-odds for boosting, logreg, scorecard) */
    double probability;     /* calibrated probability of default */
    double threshold;       /* the model's decision threshold on it */
    double distance;        /* probability - threshold (>= 0: refuse) */
    double points;          /* a scorecard's total points, else the probability on the
                             * standard scale (points.h: mf_points_of_proba) */
    int refuse;             /* 1 refuse, 0 approve (mf_decide) */
} mf_decision;

/* The one scoring function: raw score, calibrated probability, decision, distance to the
 * threshold and points of one row (x: mf_n_feats values in model order, NaN = missing),
 * used by the API (predict, explain, the dashboard's what-if), `predict` and `explain`.
 * CS_EINTERNAL naming the model when the probability is not in [0, 1]. */
cs_status mf_score(const mf_model *m, const double *x, mf_decision *out, cs_err *err);

/* The decision's one spelling everywhere (API JSON, audit log, CSV files): "refuse" or
 * "approve". */
const char *mf_decision_word(int refuse);

/* A scorecard model's points table (learn/scorecard.h) and its cut-off in points (approve
 * at or above, model/points.h), built at load; NULL (cut-off 0) for other learners. */
struct sc_card;
const struct sc_card *mf_card(const mf_model *m);
int64_t mf_cutoff_points(const mf_model *m);

/* Raw score of one row (x: mf_n_feats values in model order, NaN = missing). */
double mf_predict_raw(const mf_model *m, const double *x);
/* Calibrated probability of default of one row. */
double mf_predict_proba(const mf_model *m, const double *x);
/* 1 when p is at or above the threshold (refused), 0 otherwise (NaN: refused, as unknown). */
int mf_decide(const mf_model *m, double p);

/* The batch path: calibrated probabilities of all rows of a feature matrix whose columns
 * are matched to the model's features BY NAME (extra columns ignored; a missing one is
 * CS_ENOTFOUND naming it), each the one mf_score gives the row (decide with mf_decide).
 * out: n_rows values, caller-allocated. Parallel. */
cs_status mf_predict_matrix(const mf_model *m, const feat_matrix *fm, double *out, cs_err *err);

#endif /* CS_MODEL_MODEL_H */
