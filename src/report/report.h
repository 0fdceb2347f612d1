/*
 * report.h: the model report, the page a model-risk validator reads and signs (SR 11-7's
 * documentation of a model before it goes live): purpose and scope, the data, the lineage,
 * the performance with bootstrap intervals and inline SVG charts, stability, the fairness
 * summary, global importance, limitations and a sign-off block (docs/model-report.md).
 *
 * It is built from the model file and, optionally, the tracking store only, never from the
 * training data: the model file's EVAL section carries the calibrated out-of-fold probability
 * and the target of every training row and the test applicants' shares in the monitoring bins
 * (model.h: mf_oof, mf_test_reference); the store gives the run that trained it (parameters,
 * times, search trials). A fairness report's JSON (creditscore fairness --json) may be
 * summarised beside it.
 *
 * Performance (rpt_build) is measured on the out-of-fold probabilities (each training row
 * scored by a model that did not see it, calibrated): AUC (ties averaged, as scikit-learn),
 * Gini, KS, log loss, Brier, each with a seeded percentile bootstrap 95 % interval (rows drawn
 * with replacement; replicate b from its own random stream, so the same whatever the number
 * of threads). Calibration by decile: the rows sorted by probability (ties in training order)
 * cut into 10 groups as numpy.array_split does, mean probability against observed default
 * rate. Stability: the PSI of the score and of each feature between the training rows and
 * the test applicants over the model's monitoring bins (bins empty on both sides dropped,
 * zero shares filled as evidently does: drift_fill_zeroes).
 */
#ifndef CS_REPORT_REPORT_H
#define CS_REPORT_REPORT_H

#include "../base/cs.h"
#include "../model/model.h"
#include "../store/track.h"

#define RPT_DECILES 10
#define RPT_SCORE_BINS 20
#define RPT_MAX_ROC 201

typedef struct rpt_ci {
    double value, lo, hi;   /* the estimate and its bootstrap 95 % interval (NaN: undefined) */
} rpt_ci;

typedef struct rpt_opts {
    int n_boot;             /* bootstrap replicates (0: no intervals) */
    uint64_t seed;
} rpt_opts;

typedef struct rpt_report {
    const mf_model *model;          /* borrowed */
    size_t n;                       /* out-of-fold rows */
    double n_default;
    rpt_ci auc, gini, ks, log_loss, brier;
    int n_boot;
    uint64_t seed;
    /* ROC: up to RPT_MAX_ROC points (FPR, TPR) of the exact curve, from (0, 0) to (1, 1) */
    int n_roc;
    double roc_fpr[RPT_MAX_ROC], roc_tpr[RPT_MAX_ROC];
    /* calibration by decile */
    double dec_n[RPT_DECILES], dec_p[RPT_DECILES], dec_y[RPT_DECILES];
    /* score distributions: RPT_SCORE_BINS equal bins over [0, score_hi], shares per class */
    double score_hi;
    double dist_default[RPT_SCORE_BINS], dist_repaid[RPT_SCORE_BINS];
    /* at the threshold, on the out-of-fold rows */
    double threshold, approval, tp, fp, tn, fn, cost;
    /* stability */
    size_t n_test;                  /* 0: no test applicants, no PSI */
    double psi_score;
    double *psi;                    /* mf_n_feats PSIs (NaN: feature without bins) */
    size_t *psi_order;              /* features by decreasing PSI */
    size_t *imp_order;              /* features by decreasing importance (NULL: none stored) */
} rpt_report;

/* The report's numbers from the model file. CS_ENOTFOUND with "retrain" when the file has no
 * EVAL section (trained before it was stored). Parallel over bootstrap replicates. */
cs_status rpt_build(const mf_model *m, const rpt_opts *o, rpt_report *out, cs_err *err);
void rpt_free(rpt_report *r);

/* PSI of training shares ref against current shares cur over MF_MON_BINS bins as above. */
double rpt_psi(const double *ref, const double *cur);

/* What the writers add besides the numbers (all borrowed, any may be NULL). */
typedef struct rpt_doc {
    const char *model_path;
    const char *model_sha256;       /* hex digest of the model file */
    const char *purpose;            /* the owner's words; else a sentence from the model */
    const store_run *run;           /* the run that trained the model */
    const store_run_list *trials;   /* its search trials (child runs) */
    const char *store_path;
    const char *fairness_json;      /* a fairness report's JSON text (creditscore fairness) */
    const char *fairness_path;
    const char *generated;          /* ISO 8601 time of the report */
} rpt_doc;

/* The report as JSON (stable names: docs/model-report.md), appended to out. CS_EINVAL when
 * fairness_json does not parse. */
cs_status rpt_json(const rpt_report *r, const rpt_doc *d, cs_buf *out, cs_err *err);

/* The report as one self-contained HTML page (inline CSS and SVG, no script, no link),
 * appended to out. */
cs_status rpt_html(const rpt_report *r, const rpt_doc *d, cs_buf *out, cs_err *err);

#endif /* CS_REPORT_REPORT_H */
