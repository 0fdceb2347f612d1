/*
 * xgb.h: the XGBoost learner. Training runs in libxgboost (Debian's libxgboost-dev, C API
 * of version 1.7) with XGBoost's own parameter names; the trained booster is saved as JSON
 * and its trees are converted into our trees (tree.h) inside an lrn_model, so prediction,
 * TreeSHAP and the model file never call libxgboost again.
 *
 * Split thresholds. XGBoost stores a float split value s and sends a row left when
 * float(x) < s. We store the double t = the largest double whose float rounding is below s,
 * so that `x <= t` sends every double x the same way (xgb_threshold()). Values XGBoost
 * cannot hold are mapped before training and prediction alike: +-inf and finite values
 * beyond the float range become +-FLT_MAX (so +inf goes right and -inf left of every
 * split, as in tree.h); NaN is missing and follows default_left.
 *
 * The raw score is log-odds: base_score (XGBoost's base_score, a probability, turned into
 * its logit) plus the sum of the tree outputs (eta already applied to the leaves).
 */
#ifndef CS_LEARN_XGB_H
#define CS_LEARN_XGB_H

#include "../base/cs.h"
#include "../features/featfile.h"
#include "learner.h"

/* XGBoost's parameters (names as in XGBoost; aliases in xgb_learner). */
typedef struct xgb_params {
    int num_boost_round;        /* boosting rounds (n_estimators), >= 1; default 100 */
    double eta;                 /* learning_rate, (0, 1]; default 0.3 */
    int max_depth;              /* 1..64 (depth-wise growth); default 6 */
    double min_child_weight;    /* >= 0; default 1 */
    double subsample;           /* (0, 1]; default 1 */
    double colsample_bytree;    /* (0, 1]; default 1 */
    double lambda;              /* L2 on leaf weights (reg_lambda), >= 0; default 1 */
    double alpha;               /* L1 on leaf weights (reg_alpha), >= 0; default 0 */
    double gamma;               /* min_split_loss, >= 0; default 0 */
    int max_bin;                /* histogram bins, >= 2; default 256 */
    double scale_pos_weight;    /* > 0; default 1 */
    int nthread;                /* n_jobs, 0 = all cores */
    int seed;                   /* random_state; default 0 */
    int early_stopping_rounds;  /* stop after this many rounds without a better validation
                                 * AUC (0 = off; needs a validation set) */
} xgb_params;

#define XGB_PARAMS_DEFAULT ((xgb_params){100, 0.3, 6, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 256, 1.0, 0, 0, 0})

/* NULL when p is valid, else a fixed message naming the bad parameter. */
const char *xgb_params_check(const xgb_params *p);

/* Train on train_rows of m (targets 0/1 from m->target), with early stopping on the AUC of
 * valid_rows when p->early_stopping_rounds > 0 and n_valid > 0 (the model keeps the best
 * round's trees). progress (may be NULL) is called after each round; non-zero cancels.
 * On success *out is a new lrn_model (kind LRN_XGBOOST) and, when model_json is not NULL,
 * *model_json the booster's own JSON model (malloc'd, caller frees; all rounds).
 * Errors: CS_EINVAL (parameters, targets, rows), CS_EINTERNAL (libxgboost's message),
 * CS_EINTERRUPTED, CS_ENOMEM. */
cs_status xgb_fit(const xgb_params *p, const feat_matrix *m, const size_t *train_rows,
                  size_t n_train, const size_t *valid_rows, size_t n_valid,
                  lrn_progress_fn progress, void *progress_user, lrn_model **out,
                  char **model_json, cs_err *err);

/* Convert an XGBoost JSON model (XGBoosterSaveModelToBuffer with format json; objective
 * binary:logistic or binary:logitraw, booster gbtree) into an lrn_model with n_feats
 * features, keeping the first n_trees trees (0 = all). Everything is checked (structure,
 * feature indices < n_feats, finite values): bad text is CS_EPARSE / CS_ECORRUPT naming the
 * tree and node, an unsupported model CS_EUNSUPPORTED. NULL + err on failure. */
lrn_model *xgb_model_from_json(const char *json, size_t len, size_t n_feats, int32_t n_trees,
                               cs_err *err);

/* Our threshold for XGBoost's float split value s: the largest double t with
 * (float)t < s, so that x <= t  <=>  (float)x < s for every double x in the float range.
 * s = +inf gives +inf; s = -inf or -FLT_MAX gives -inf. */
double xgb_threshold(float s);

/* The value XGBoost is given for x: NaN stays NaN, +-inf and |x| > FLT_MAX become
 * +-FLT_MAX, anything else float(x). */
float xgb_input_value(double x);

/* Rows rows[0..n) of m (rows == NULL: all) as a row-major float matrix for a DMatrix
 * (n * m->n_feats values, malloc'd, caller frees), values through xgb_input_value(). */
float *xgb_dense_rows(const feat_matrix *m, const size_t *rows, size_t n, cs_err *err);

#endif /* CS_LEARN_XGB_H */
