/*
 * lr.h: L2-penalised logistic regression with its own preprocessing. The model learns,
 * from its training rows only, what it needs to score a raw feature row: the finite range
 * of each feature (+-inf is clipped to it), the median (NaN is replaced by it) and the mean
 * and standard deviation (standardisation; a constant feature gets scale 1). The solver is
 * our own L-BFGS (10 memory pairs, backtracking Armijo line search) run to a tight gradient
 * tolerance, with the loss and gradient computed in parallel over rows (OpenMP).
 *
 * The objective is scikit-learn's for LogisticRegression(penalty='l2'):
 *     C * sum_i s_i * logloss(y_i, b + w . z_i) + 0.5 * ||w||^2      (b not penalised)
 * where z_i is the standardised row and s_i the class weight of row i: 1, or with
 * balanced weights n / (2 * n_c) for a row of class c (scikit-learn's 'balanced').
 *
 * Raw score (log-odds of default) of a row x:  b + sum_j w_j * (x'_j - mean_j) / scale_j,
 * x' = x clipped to [lo_j, hi_j] and NaN replaced by median_j. The same sum split per
 * feature gives the exact linear contributions (explain/shap.h).
 */
#ifndef CS_LEARN_LR_H
#define CS_LEARN_LR_H

#include "../base/cs.h"
#include "../features/featfile.h"

/* Training settings. Start from LR_PARAMS_DEFAULT. */
typedef struct lr_params {
    double C;           /* inverse L2 strength (> 0), scikit-learn's C; default 1 */
    int balanced;       /* 1: class_weight='balanced' (n / (2 n_c)); 0: all weights 1 */
    int max_iter;       /* L-BFGS iterations at most (>= 1); default 1000 */
    double tol;         /* stop when max_j |dF/dw_j| <= tol, F = objective / sum of weights;
                         * default 1e-6 */
    int n_threads;      /* OpenMP threads, 0 = the runtime's default */
    int cache_mb;       /* keep the standardised training rows in memory when they fit in
                         * this many MiB (faster iterations); else recompute them at each
                         * evaluation from the feature matrix. Default 1024 */
} lr_params;

#define LR_PARAMS_DEFAULT ((lr_params){1.0, 0, 1000, 1e-6, 0, 1024})

/* NULL when p is valid, else a fixed message naming the bad parameter ("C must be > 0"). */
const char *lr_params_check(const lr_params *p);

/* A trained model. All arrays have n_feats entries and are owned by the model. */
typedef struct lr_model {
    size_t n_feats;
    double *lo, *hi;        /* finite training range (0, 0 when the column has none) */
    double *median;         /* imputation value (0 when the column is all NaN) */
    double *mean, *scale;   /* standardisation of the clipped, imputed column */
    double *coef;           /* w: coefficients of the standardised features */
    double intercept;       /* b */
    int n_iter;             /* L-BFGS iterations used */
    int converged;          /* 1 when the gradient tolerance was reached */
    double grad_norm;       /* final max |gradient| of the mean objective */
} lr_model;

/* Called after each L-BFGS iteration with the iterations done, max_iter and the current
 * max |gradient|; a non-zero return cancels the fit (CS_EINTERRUPTED). */
typedef int (*lr_progress_fn)(void *user, int done, int max_iter, double grad_norm);

/* Fit on rows `rows[0..n_rows)` of m (rows == NULL: all rows, n_rows ignored), target
 * m->target (every selected row must be 0 or 1; both classes must occur). progress may be
 * NULL. Returns a new model (free with lr_model_free) or NULL with err filled (CS_EINVAL
 * for bad parameters or targets, CS_ENOMEM, CS_EINTERRUPTED).
 * A run that hits max_iter is still returned, with converged == 0. */
lr_model *lr_fit(const feat_matrix *m, const size_t *rows, size_t n_rows, const lr_params *p,
                 lr_progress_fn progress, void *progress_user, cs_err *err);

/* An empty model with n_feats features, all arrays zeroed (scale 1): for model-file loaders
 * that fill the fields themselves. NULL + err on allocation failure. */
lr_model *lr_model_create(size_t n_feats, cs_err *err);

/* Free the model; NULL is allowed. */
void lr_model_free(lr_model *mdl);

/* The preprocessed, standardised value of feature j for raw value v: (v' - mean) / scale. */
static inline double lr_standardise(const lr_model *mdl, size_t j, double v)
{
    if (v != v) v = mdl->median[j];
    else if (v < mdl->lo[j]) v = mdl->lo[j];
    else if (v > mdl->hi[j]) v = mdl->hi[j];
    return (v - mdl->mean[j]) / mdl->scale[j];
}

/* Raw score (log-odds) of one row; x holds the n_feats raw features of the row. */
double lr_predict_raw_row(const lr_model *mdl, const double *x);

/* Probabilities of default for rows `rows[0..n)` of m (rows == NULL: all m->n_rows rows),
 * written to out[0..n) (caller-owned). CS_EINVAL when m has a different feature count. */
cs_status lr_predict(const lr_model *mdl, const feat_matrix *m, const size_t *rows, size_t n,
                     double *out, cs_err *err);

/* The equivalent coefficients on the clipped, imputed raw features: raw score =
 * *intercept + sum_j coef[j] * x'_j (up to rounding). coef has n_feats entries, caller-owned. */
void lr_raw_coefficients(const lr_model *mdl, double *coef, double *intercept);

#endif /* CS_LEARN_LR_H */
