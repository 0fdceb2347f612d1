/*
 * train.h: the training procedure behind `creditscore train` and `compare`, as library
 * calls: cross-validation of a learner on a feature matrix (stratified, seeded, out-of-fold
 * probabilities kept), optional grid/random search, calibration fitted on the OOF
 * probabilities, the cost-optimal threshold on the calibrated OOF probabilities, the cost
 * curve, the refit on all training rows and the reference data for the model file.
 *
 * Training rows are the rows whose target is known (0 or 1); rows with a NaN target (the
 * test clients) are never used. Each CV fold passes its validation rows to the learner as
 * the early-stopping set (as the kernel does with LightGBM); when the fold models stopped
 * early, the refit uses the mean of their best iteration counts.
 *
 * Defaults (docs/learners.md): the parameters' size-dependent "auto" values are resolved
 * once for all the training rows (lrn_params_resolve) so that the folds and the refit learn
 * alike; what the learner chooses on each fold's validation rows goes into the refit by a
 * fixed rule: gbdt's rounds = the mean of the folds' best rounds (rounded), logreg's C = the
 * geometric mean of the folds' best C. mf_trained.tuning_json records the folds' choices, the
 * rules and the calibration's choice.
 *
 * Calibration EV_CALIB_AUTO (the default of `train`) is ev_calib_fit_auto on the CV's folds.
 * Whenever the fitted calibration is strictly increasing (ev_calib_keeps_order) the
 * procedure checks that the calibrated out-of-fold AUC equals the raw one within 1e-9 and
 * fails with CS_EINTERNAL if not.
 */
#ifndef CS_MODEL_TRAIN_H
#define CS_MODEL_TRAIN_H

#include "../eval/cv.h"
#include "../eval/search.h"
#include "model.h"

/* The training rows of m (target 0 or 1), increasing. *rows malloc'd (caller frees).
 * CS_EINVAL when there are none or a target is neither 0, 1 nor NaN (naming the row). */
cs_status mf_training_rows(const feat_matrix *m, size_t **rows, size_t *n, cs_err *err);

/* Cross-validate p on rows[0..n) of m with k stratified folds (seed). cache may be NULL.
 * progress (may be NULL, borrowed) is advanced from progress_base by 1000 units per fold
 * (proportionally to boosting iterations) with notes "fold f/k iter i/N auc 0.7712".
 * out->oof holds uncalibrated probabilities in rows order. */
cs_status mf_cross_validate(const lrn_params *p, const feat_matrix *m, const size_t *rows,
                            size_t n, int k, uint64_t seed, lrn_cache *cache,
                            cs_progress *progress, uint64_t progress_base, ev_cv_result *out,
                            cs_err *err);

/* What to train. */
typedef struct mf_train_opts {
    const lrn_params *params;   /* the learner and its parameters (search starts from them) */
    int k;                      /* CV folds (>= 2) */
    uint64_t seed;              /* folds, search draws, drift sample */
    ev_calib_kind calib;        /* calibration fitted on the OOF probabilities (EV_CALIB_AUTO:
                                 * Platt or interpolated isotonic by out-of-fold log loss) */
    ev_cost_weights cost;       /* business cost weights */
    const ev_space *space;      /* NULL: no search */
    size_t n_trials;            /* random search trials */
    ev_scoring scoring;         /* how search trials are ranked */
    size_t max_sample;          /* drift sample size (5000) */
    FILE *progress_out;         /* progress bars (NULL: silent) */
    /* Observers, for run tracking (each optional): a search trial once it is scored, and
     * the validation AUC of every boosting iteration in the CV of the chosen parameters. */
    void (*on_trial)(void *user, size_t index, const ev_trial *trial, const ev_trial_score *score);
    void (*on_iteration)(void *user, int fold, int iteration, double valid_auc);
    void *observer;             /* passed to both */
} mf_train_opts;

/* The outcome of mf_train: everything a model file needs. Free with mf_trained_free(). */
typedef struct mf_trained {
    lrn_params *params;         /* the parameters used (the search's best when searching) */
    char *params_json;          /* the same as JSON */
    ev_search_result search;    /* n == 0 when no search */
    char *search_json;          /* summary of the search (JSON) or NULL */
    ev_cv_result cv;            /* CV of the chosen parameters (oof uncalibrated) */
    double *oof_cal;            /* calibrated OOF probabilities, n_train values */
    ev_calib *calib;
    ev_calib_choice calib_choice; /* with EV_CALIB_AUTO: both candidates' losses, the kind kept */
    double raw_oof_auc;         /* AUC of the uncalibrated OOF probabilities */
    char *tuning_json;          /* what the defaults chose (JSON object; see above), owned */
    double threshold;           /* cost-optimal on oof_cal */
    ev_cost_point *curve;
    size_t n_curve;
    mf_metrics metrics;         /* fold_auc points into cv.fold_auc */
    lrn_model *learner;         /* refitted on all training rows */
    mf_reference *reference;
    double expected_value;      /* the explainer's expected value (shap_expected_value) */
    double *importance;         /* n_feats mean |contribution| over the reference sample
                                 * (shap_importance), owned; NULL when the explainer refused */
    size_t importance_rows;     /* rows it was taken over */
    mf_test_ref *test;          /* the rows without a target (test clients) binned on the
                                 * reference's bins, scored by the refit model (n 0: none) */
    double *oof_target;         /* the targets of the training rows, rows order (EVAL) */
    size_t *rows;               /* training rows */
    size_t n_train;
    double positive_rate;
    char digest[32];
    double seconds;             /* wall time of everything */
} mf_trained;

/* Train as o says on the feature matrix m. NULL-safe free; on failure out holds nothing. */
cs_status mf_train(const mf_train_opts *o, const feat_matrix *m, mf_trained *out, cs_err *err);
void mf_trained_free(mf_trained *t);

/* Fill parts from a training outcome (pointers into t and m, which must outlive parts). */
void mf_trained_parts(const mf_trained *t, const feat_matrix *m, const feat_spec *spec,
                      const char *name, const char *version, ev_cost_weights cost,
                      mf_parts *parts);

#endif /* CS_MODEL_TRAIN_H */
