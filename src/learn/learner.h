/*
 * learner.h: the one interface of every learner: dummy (class prior), logreg, gbdt (our
 * histogram gradient boosting), forest (random forest on the same tree grower) and
 * xgboost (libxgboost, converted into our trees). Evaluation, search, the model file, the
 * API and TreeSHAP only ever see what is declared here.
 *
 *   lrn_params *p = lrn_params_from_json(LRN_GBDT, "{\"num_leaves\": 63}", &err);
 *   lrn_cache *c = lrn_cache_create(m, &err);         // bins m once for all folds/trials
 *   lrn_fit_opts o = {.cache = c};
 *   lrn_model *mod;
 *   lrn_fit(p, m, train_rows, n_train, valid_rows, n_valid, &o, &mod, &err);
 *   lrn_predict_matrix(mod, m, rows, n, proba, &err);
 *   lrn_model_write(mod, &buf, &err);  ...  mod2 = lrn_model_read(buf.data, buf.len, &err);
 *
 * Each kind lives in its own file and plugs in through an lrn_ops table, private to
 * src/learn (learn_int.h): gbdt.c, forest.c, dummy.c, lr_learner.c, xgb_train.c,
 * scorecard.c; lrn.c's table lists them all.
 *
 * Raw scores: for gbdt, xgboost, logreg and dummy the raw score is log-odds (proba =
 * sigmoid(raw)); for forest it is already a probability (the mean of leaf frequencies).
 * lrn_raw_to_proba() hides the difference.
 */
#ifndef CS_LEARN_LEARNER_H
#define CS_LEARN_LEARNER_H

#include "../base/cs.h"
#include "../features/featfile.h"
#include "tree.h"

/* ---- kinds ------------------------------------------------------------------------- */

typedef enum lrn_kind {
    LRN_DUMMY = 0,      /* "dummy": the class prior, the floor every model must beat */
    LRN_LOGREG = 1,     /* "logreg": L2 logistic regression (lr.h, lr_learner.c) */
    LRN_GBDT = 2,       /* "gbdt": histogram gradient boosting, LightGBM parameter names */
    LRN_FOREST = 3,     /* "forest": random forest, scikit-learn parameter names */
    LRN_XGBOOST = 4,    /* "xgboost": libxgboost, XGBoost parameter names (xgb_train.c) */
    LRN_SCORECARD = 5,  /* "scorecard": WoE binning + logistic regression + points (scorecard.h) */
    LRN_KIND_COUNT = 6
} lrn_kind;

/* The fixed name of a kind ("dummy", "logreg", "gbdt", "forest", "xgboost"); "?" if out of
 * range. The string is static. */
const char *lrn_kind_name(lrn_kind kind);

/* The kind named name; CS_ENOTFOUND with a message listing the valid names otherwise. */
cs_status lrn_kind_from_name(const char *name, lrn_kind *out, cs_err *err);

/* ---- parameters -------------------------------------------------------------------- */

/* A learner's parameters: opaque, owned by the caller, freed with lrn_params_free(). */
typedef struct lrn_params lrn_params;

/* Parameters of kind from a JSON object's text ("{\"learning_rate\": 0.05}"); NULL or ""
 * means all defaults. Each member is checked: an unknown name is refused naming it, a value
 * out of range or of the wrong type is refused with the accepted range. Returns NULL + err
 * on failure. Names:
 *   gbdt:   LightGBM's: num_iterations, learning_rate, num_leaves, max_depth,
 *           min_data_in_leaf, min_sum_hessian_in_leaf, lambda_l1, lambda_l2,
 *           min_gain_to_split, feature_fraction, bagging_fraction, bagging_freq, max_bin,
 *           scale_pos_weight, is_unbalance, monotone_constraints (array, one per feature),
 *           early_stopping_round (on validation AUC), seed, num_threads; the aliases
 *           n_estimators, colsample_bytree, subsample, reg_alpha, reg_lambda,
 *           min_child_weight, min_split_gain, min_child_samples, random_state, n_jobs.
 *   forest: scikit-learn's: n_estimators, max_features ("sqrt", "log2", a fraction in
 *           (0,1] or a count), max_depth, min_samples_leaf, class_weight (null or
 *           "balanced"), bootstrap, max_bin, seed (random_state), num_threads (n_jobs).
 *   dummy:  none.
 *   logreg, xgboost, scorecard: see lr_learner.c / xgb_train.c / scorecard.h. */
lrn_params *lrn_params_from_json(lrn_kind kind, const char *json_object_text, cs_err *err);

/* Set one parameter from the JSON text of its value ("0.05", "true", "\"balanced\"",
 * "[1,0,-1]"), with the same checks as lrn_params_from_json(); for search loops. */
cs_status lrn_params_set(lrn_params *p, const char *name, const char *json_value_text,
                         cs_err *err);

/* Append every parameter (defaults included) as one JSON object, numbers formatted
 * locale-independently, to out (for run tracking and the model file). */
cs_status lrn_params_to_json(const lrn_params *p, cs_buf *out, cs_err *err);

/* A deep copy (NULL + err on failure). */
lrn_params *lrn_params_copy(const lrn_params *p, cs_err *err);

/* Replace in p the "auto" parameters that depend on the data's size by their values for
 * n_train training rows of n_feats features (gbdt: learning_rate, min_data_in_leaf,
 * feature_fraction; see gbdt.h). What only a validation set can choose stays "auto" (gbdt's
 * num_iterations, logreg's C): the fit chooses it (learner.h, lrn_fit). The training
 * procedure resolves once for all its rows so that every fold and the refit learn alike. */
void lrn_params_resolve(lrn_params *p, size_t n_train, size_t n_feats);

/* 1 when p leaves a parameter to be chosen on the validation set at fit time (gbdt's
 * num_iterations "auto", logreg's C "auto"), 0 otherwise. */
int lrn_params_chooses(const lrn_params *p);

lrn_kind lrn_params_kind(const lrn_params *p);

/* The kind's own parameter struct (gbdt_params, rf_params, ...: see that kind's header),
 * for code that knows the kind. Borrowed. */
void *lrn_params_raw(lrn_params *p);
const void *lrn_params_raw_const(const lrn_params *p);

/* Free p. NULL is allowed. */
void lrn_params_free(lrn_params *p);

/* ---- the fitted model -------------------------------------------------------------- */

/* A fitted model, transparent so that TreeSHAP and the XGBoost bridge can read and build
 * it. Owned by whoever fitted or read it; freed with lrn_model_free(), which frees the
 * trees, the arrays and params_json.
 *
 * Tree ensemble (gbdt, forest, xgboost, scorecard: one tree per characteristic whose leaves
 * are -points / factor; dummy with n_trees == 0):
 *   raw = base_score + sum of tree outputs            (average == 0: log-odds)
 *   raw = base_score + mean of tree outputs           (average == 1: a probability; forest)
 * Linear (logreg: lin_coef != NULL, n_trees == 0), per feature j:
 *   x' = NaN ? lin_center[j] : clamp(x, lin_lo[j], lin_hi[j])
 *   raw = base_score + sum_j lin_coef[j] * (x' - lin_center[j]) / lin_scale[j]   (log-odds)
 */
typedef struct lrn_model {
    lrn_kind kind;          /* the learner that produced it */
    size_t n_feats;         /* features the model expects, in the feature matrix's order */
    double base_score;      /* raw-score offset (log-odds, or 0 for a forest) */
    int average;            /* 1: tree outputs averaged (forest), 0: summed */
    int32_t n_trees;
    tree *trees;            /* n_trees trees, owned (each tree owns its nodes) */
    double *lin_coef;       /* n_feats, or NULL when not a linear model; owned */
    double *lin_center;     /* n_feats (with lin_coef); owned */
    double *lin_scale;      /* n_feats, > 0 (with lin_coef); owned */
    double *lin_lo;         /* n_feats clamp bounds (with lin_coef); owned */
    double *lin_hi;         /* n_feats (with lin_coef); owned */
    int32_t best_iteration; /* gbdt/xgboost: trees kept after early stopping (== n_trees),
                             * 0 when no validation set was given */
    double best_valid_auc;  /* validation AUC at best_iteration, NaN when none */
    double best_C;          /* logreg with C "auto": the C chosen on the validation set, 0 otherwise */
    char *params_json;      /* the parameters it was fitted with (JSON object), owned; may be NULL */
    char *card_json;        /* scorecard: its points table (scorecard.h, sc_card_of), owned;
                             * NULL for the other kinds */
    struct lrn_fast *fast;  /* private: the compact copy of the trees lrn_predict_raw walks
                             * (lrn_model_prepare), owned; NULL: the plain per-tree walk */
} lrn_model;

/* An empty model of kind with n_feats features and no trees (for the learners and the
 * XGBoost bridge to fill). NULL + err on failure. */
lrn_model *lrn_model_create(lrn_kind kind, size_t n_feats, cs_err *err);

/* Free the model and everything it owns. NULL is allowed. */
void lrn_model_free(lrn_model *model);

/* The raw score of one row (x: n_feats values in feature order, NaN = missing). With the
 * prepared copy (lrn_model_prepare) the trees are walked ten at a time, branch-free, over
 * 16-byte nodes keyed for integer comparison with the row's NaN direction folded in (lanes.h);
 * models that do not fit that copy (more than 1,024 features split on, a tree of more than
 * 2,047 nodes) are scored by QuickScorer when their trees have at most 54 leaves, else by
 * walking eight trees in lockstep. No allocation, no setup per call. The leaf values are
 * summed in tree order on every path, so the result is the same double as the plain walk
 * and lrn_predict_matrix. */
double lrn_predict_raw(const lrn_model *model, const double *x);

/* Which walk lrn_predict_raw takes for this model: "lanes", "quickscorer", "lockstep",
 * "plain" (not prepared) or "linear". A static string. */
const char *lrn_predict_row_method(const lrn_model *model);

/* Build (or rebuild) the compact copy of the trees behind lrn_predict_raw's fast walk.
 * lrn_fit() and lrn_model_read() call it; code that builds or changes trees by hand calls it
 * after (or the plain walk is used). Read-only afterwards: safe to predict from any thread.
 * CS_ENOMEM on failure (the model stays usable, without the copy). */
cs_status lrn_model_prepare(lrn_model *model, cs_err *err);

/* Turn a raw score into P(target = 1): sigmoid for log-odds models, clamped to [0,1] for
 * the forest. */
double lrn_raw_to_proba(const lrn_model *model, double raw);

/* Probabilities for rows of a feature matrix (rows == NULL: all m->n_rows rows, n ignored),
 * written to out[0..n). Parallel (OpenMP). CS_EINVAL when m's feature count differs from
 * the model's. raw != 0 writes raw scores instead of probabilities. Rows are transposed in
 * blocks of 64; a prepared model whose copy takes the lanes walk (lrn_predict_row_method)
 * scores each row of a block through it, others walk each tree eight rows at a time: the
 * same doubles as lrn_predict_raw either way. */
cs_status lrn_predict_matrix(const lrn_model *model, const feat_matrix *m, const size_t *rows,
                             size_t n, int raw, double *out, cs_err *err);

/* Gain importance: out[j] (n_feats values, caller-allocated) = the total split gain of
 * feature j over all trees; for a linear model |coef_j|. */
void lrn_importance_gain(const lrn_model *model, double *out);

/* Serialise the model (versioned little-endian binary with a checksum) by appending to out. */
cs_status lrn_model_write(const lrn_model *model, cs_buf *out, cs_err *err);

/* Read a model from bytes written by lrn_model_write(). Everything is validated (sizes,
 * tree structure, feature indices, finite values, checksum): corrupt bytes are refused with
 * CS_ECORRUPT (CS_EVERSION for a newer format), never crashed on. NULL + err on failure. */
lrn_model *lrn_model_read(const void *bytes, size_t len, cs_err *err);

/* ---- fitting ----------------------------------------------------------------------- */

/* A cache of binned datasets for one feature matrix, so that cross-validation folds and
 * search trials bin the matrix once (per max_bin). Bins come from all the matrix's rows
 * (no labels used). Borrows m, which must outlive it. Not thread-safe: fit one model at a
 * time per cache. Free with lrn_cache_free() (NULL allowed). */
typedef struct lrn_cache lrn_cache;
lrn_cache *lrn_cache_create(const feat_matrix *m, cs_err *err);
void lrn_cache_free(lrn_cache *cache);

/* Called after each boosting round / tree: iteration done (1-based), total planned, and the
 * validation AUC (NaN when no validation set). Return non-zero to cancel the fit
 * (CS_EINTERRUPTED). */
typedef int (*lrn_progress_fn)(void *user, int done, int total, double valid_auc);

typedef struct lrn_fit_opts {
    lrn_cache *cache;           /* borrowed; NULL: bin for this fit only */
    lrn_progress_fn progress;   /* NULL: none */
    void *progress_user;        /* passed to progress */
} lrn_fit_opts;

/* Fit a model of p's kind on the rows train_rows[0..n_train) of m (targets from m->target,
 * which must be 0 or 1 on those rows). valid_rows (may be NULL) is the validation set used
 * for early stopping (gbdt: early_stopping_round on AUC) and for what p leaves "auto"
 * (gbdt's num_iterations: the best round is kept, model->best_iteration; logreg's C: the
 * best of a grid, model->best_C); without one, such a fit holds out a stratified tenth of
 * its rows to choose, then refits on all of them. opts may be NULL. On success
 * *out is a new model owned by the caller. Errors: CS_EINVAL (no rows, a target not 0/1,
 * monotone_constraints of the wrong length, ...), CS_EINTERRUPTED (progress said stop). */
cs_status lrn_fit(const lrn_params *p, const feat_matrix *m, const size_t *train_rows,
                  size_t n_train, const size_t *valid_rows, size_t n_valid,
                  const lrn_fit_opts *opts, lrn_model **out, cs_err *err);

#endif /* CS_LEARN_LEARNER_H */
