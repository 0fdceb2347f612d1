/*
 * cv.h: stratified k-fold cross-validation with out-of-fold predictions. The folds are
 * seeded and deterministic; the model is fitted through a callback so that eval/ never
 * depends on the learners (learn/ is a layer above eval/).
 *
 * Fold assignment follows scikit-learn's StratifiedKFold(shuffle=True): each class is
 * spread over the k folds as evenly as scikit-learn's allocation does (fold sizes differ
 * by at most one row overall and per class), and the fold labels within each class are
 * shuffled with a cs_rng seeded by `seed`. The exact rows differ from scikit-learn's
 * (numpy's generator is not reproduced); class shares per fold are the same.
 */
#ifndef CS_EVAL_CV_H
#define CS_EVAL_CV_H

#include "../base/cs.h"

/* Assign each of the n rows a fold in 0..k-1, stratified on y (0/1).
 * fold: OUT, n ints, caller-owned. Fails with CS_EINVAL when k < 2, k > n, or the
 * smaller class has fewer than k rows (a fold would lack it and its AUC be undefined). */
cs_status ev_stratified_folds(const double *y, size_t n, int k, uint64_t seed, int *fold,
                              cs_err *err);

/* The fit-and-predict callback of one fold. Fit on the train rows (indices into the
 * caller's data, increasing), predict the valid rows, writing n_valid probabilities of
 * class 1 into valid_p (in the order of valid_rows). Return CS_OK or an error in err. */
typedef cs_status (*ev_fit_predict_fn)(void *ctx, int fold, const size_t *train_rows,
                                       size_t n_train, const size_t *valid_rows,
                                       size_t n_valid, double *valid_p, cs_err *err);

/* The outcome of one cross-validation. Free the arrays with ev_cv_result_free(). */
typedef struct ev_cv_result {
    int k;              /* folds */
    size_t n;           /* rows */
    int *fold;          /* n: the fold each row was validated in */
    double *oof;        /* n: out-of-fold probability of each row */
    double *fold_auc;   /* k: validation AUC per fold */
    double auc_mean;    /* mean of fold_auc */
    double auc_sd;      /* population standard deviation (numpy's np.std, ddof 0) of fold_auc */
    double oof_auc;     /* AUC of all out-of-fold predictions pooled */
    double seconds;     /* wall time of the k fits */
} ev_cv_result;

/* Run k-fold CV: folds from ev_stratified_folds(y, n, k, seed), one fn call per fold (in
 * fold order; the learner parallelises inside). progress (may be NULL) is advanced by one
 * unit per fold from progress_base (progress_base + f + 1 after fold f), the fold's AUC as
 * note; it is borrowed. On success out owns its
 * arrays; on failure out holds nothing (free is still allowed). */
cs_status ev_cv_run(const double *y, size_t n, int k, uint64_t seed, ev_fit_predict_fn fn,
                    void *ctx, cs_progress *progress, uint64_t progress_base, ev_cv_result *out,
                    cs_err *err);

/* Free the arrays of r (not r itself) and zero it. NULL is allowed. */
void ev_cv_result_free(ev_cv_result *r);

/* Mean and population standard deviation of x[0..n) (NaN entries skipped). */
void ev_mean_sd(const double *x, size_t n, double *mean, double *sd);

#endif /* CS_EVAL_CV_H */
