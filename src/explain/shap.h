/*
 * shap.h: explanations of a fitted model (learn/learner.h) in raw-score units (log-odds,
 * or probability for the forest), for one applicant and for the whole portfolio.
 *
 *   contributions: phi[j] per feature such that  expected + sum_j phi[j] == raw score
 *     - tree ensembles (gbdt, forest, xgboost): exact path-dependent TreeSHAP (Lundberg et
 *       al. 2018, Algorithm 2, O(leaves * depth^2) per tree), the conditional expectations
 *       taken with the trees' cover; expected = base_score + each tree's cover-weighted
 *       mean leaf value, summed (or averaged for the forest) as the model combines trees.
 *       For a converted XGBoost model this equals XGBoost's pred_contribs.
 *     - logistic regression: exact linear contributions phi[j] = w_j (x'_j - c_j) / s_j
 *       against the model's reference client c (the training medians, learn/lr_learner.c);
 *       expected = base_score = the raw score of that reference client. A missing value
 *       (imputed with the median) contributes 0.
 *     - dummy: every phi[j] = 0, expected = base_score.
 *   global importance: mean |phi| over a sample of rows, and the gain importance.
 *   reason codes: the features that pushed a row most toward default, as stable codes and
 *     plain-language sentences (English, French).
 *
 * Nothing here keeps global state; every function is safe to call from several threads
 * on the same explainer.
 */
#ifndef CS_EXPLAIN_SHAP_H
#define CS_EXPLAIN_SHAP_H

#include "../base/cs.h"
#include "../features/featfile.h"
#include "../learn/learner.h"

/* ---- per-tree primitives (for tests and other tree users) ---------------------------- */

/* The cover-weighted mean output of tree t (node cover used as weights, as XGBoost). */
double shap_tree_expected(const tree *t);

/* Add scale * (TreeSHAP values of tree t for row x) to phi[feature] for every feature.
 * work must hold shap_work_size(depth of t) doubles' worth (see shap_work_size). */
void shap_tree_add(const tree *t, const double *x, double scale, double *phi, void *work);

/* Bytes of scratch memory shap_tree_add needs for trees of depth at most max_depth. */
size_t shap_work_size(int max_depth);

/* ---- explainer ---------------------------------------------------------------------- */

/* How the explainer precomputes (docs/explain.md, "The engine"). */
typedef struct shap_options {
    int table_max_depth;    /* leaves with at most this many distinct features on their path
                             * get a table of contributions per subset (FastTreeSHAP v2
                             * style, 8 * (d/2 + 1) * 2^d bytes); -1: no tables; <= 16 */
    size_t table_budget;    /* bytes of tables for the whole model; a tree whose tables
                             * would pass it uses the direct method */
    int direct_only;        /* 1: neither the incremental nor the summed method (the products
                             * built down the tree, chosen per tree where cheaper): for tests
                             * and benchmarks */
} shap_options;
#define SHAP_OPTIONS_DEFAULT {8, (size_t)256 << 20, 0}

/* What the explainer precomputed: the memory bound of explaining with it. */
typedef struct shap_stats {
    int n_trees;            /* trees of the model */
    int n_table_trees;      /* trees explained with tables (every leaf) */
    int n_direct_trees;     /* trees with at least one leaf explained by the direct method */
    int n_classic_trees;    /* trees deeper than 64 levels: the recursive algorithm */
    int n_incremental_trees; /* trees planned for the incremental method (the matrix path's
                             * trees without tables, and the one-row path's not summed) */
    int n_summed_trees;     /* trees planned for the summed method (the one-row path) */
    size_t n_leaves, n_table_leaves;
    int max_path_features;  /* the most distinct features on one root-to-leaf path */
    size_t table_bytes;     /* the tables */
    size_t plan_bytes;      /* everything precomputed, tables included */
} shap_stats;

/* An explainer for one model: borrows the model (which must outlive it), caches the trees'
 * depth and the expected value. Free with shap_explainer_free (NULL allowed).
 * NULL + err on failure (CS_EINVAL for a model whose trees are malformed). */
typedef struct shap_explainer shap_explainer;
shap_explainer *shap_explainer_create(const lrn_model *model, cs_err *err);

/* The same with explicit options (opts NULL: SHAP_OPTIONS_DEFAULT). CS_EINVAL for a
 * table_max_depth outside -1..16. */
shap_explainer *shap_explainer_create_opts(const lrn_model *model, const shap_options *opts,
                                           cs_err *err);

/* What was precomputed (out filled in; a model without trees reports zeros). */
void shap_explainer_stats(const shap_explainer *e, shap_stats *out);

/* One line for logs and reports: "500 trees: 480 with tables, 20 direct, 0 recursive,
 * 500 incremental, 500 summed on one row; tables 57.2 MB, precomputed 61.0 MB in all".
 * Returns buf. */
const char *shap_stats_format(const shap_stats *st, char *buf, size_t cap);
void shap_explainer_free(shap_explainer *e);

/* The model explained (borrowed). */
const lrn_model *shap_explainer_model(const shap_explainer *e);

/* The expected value (raw-score units): the prediction before any feature is known. */
double shap_expected_value(const shap_explainer *e);

/* Contributions of one row: x holds the model's n_feats features (NaN = missing); phi
 * (caller-owned, n_feats values) is overwritten. Allocates a small scratch buffer:
 * CS_ENOMEM is the only failure. */
cs_status shap_explain_row(const shap_explainer *e, const double *x, double *phi, cs_err *err);

/* Contributions of rows rows[0..n) of m (rows == NULL: all m->n_rows rows), row-major in
 * phi (caller-owned, n * n_feats values). Parallel over rows (OpenMP). CS_EINVAL when m's
 * feature count differs from the model's. */
cs_status shap_explain_matrix(const shap_explainer *e, const feat_matrix *m, const size_t *rows,
                              size_t n, double *phi, cs_err *err);

/* Contributions of n rows given row-major in x (n * n_feats values, NaN = missing), into
 * phi (caller-owned, n * n_feats, row-major): the same numbers as shap_explain_matrix, for
 * callers that gather rows themselves (a feature file whose columns are in another order).
 * Parallel over blocks of rows (OpenMP). CS_ENOMEM is the only failure. */
cs_status shap_explain_rows(const shap_explainer *e, const double *x, size_t n, double *phi,
                            cs_err *err);

/* ---- global importance --------------------------------------------------------------- */

/* Global importance over rows rows[0..n) of m (NULL: all rows): mean_abs[j] = mean |phi_j|
 * over at most max_rows of them (a uniform sample without replacement drawn with seed
 * when there are more; max_rows == 0: all), and gain[j] = the model's gain importance
 * (total split gain; |coefficient| for logistic regression). Either output may be NULL;
 * both are caller-owned with n_feats values. *n_used (may be NULL) receives the rows used. */
cs_status shap_importance(const shap_explainer *e, const feat_matrix *m, const size_t *rows,
                          size_t n, size_t max_rows, uint64_t seed, double *mean_abs,
                          double *gain, size_t *n_used, cs_err *err);

/* ---- reason codes -------------------------------------------------------------------- */

typedef enum shap_lang {
    SHAP_LANG_EN = 0,
    SHAP_LANG_FR = 1
} shap_lang;

/* "en" / "fr" (case-insensitive) -> the language; CS_EINVAL otherwise. */
cs_status shap_lang_from_name(const char *name, shap_lang *out, cs_err *err);

typedef struct shap_reason {
    char code[8];           /* stable code of the factor: "RC01".."RC4x" for the named
                             * features, "RC5x" for a source table's other features */
    size_t feature;         /* feature index */
    double contribution;    /* phi of the feature (> 0: toward default) */
    double value;           /* the applicant's raw value (NaN = missing) */
    char label[128];        /* the feature in plain words ("External credit score 3") */
    char text[320];         /* one sentence ("External credit score 3 (0.155) raises ...") */
} shap_reason;

/* The k features with the largest positive contributions (ties: lower index first),
 * written to out[0..k); returns how many were found (<= k: only positive contributions
 * count, so a clear acceptance may yield none). names are the n_feats feature names, x the
 * row's raw values. Pure: no allocation. */
size_t shap_reasons(const double *phi, const double *x, const char *const *names, size_t n_feats,
                    size_t k, shap_lang lang, shap_reason *out);

/* How to name a feature and show its value to a person when the data set is not Home
 * Credit's: a recipe's labels and units (serve/ builds one from the model's recipe). Each
 * callback returns 1 when it knows the feature, 0 to fall back to the built-in rule. */
typedef struct shap_labeller {
    /* the feature's label in lang into out (cap bytes) and its stable code (8 bytes) */
    int (*label)(void *ud, const char *name, shap_lang lang, char *out, size_t cap, char *code);
    /* value v of the feature as a person reads it ("51 years", "12.5%"), "" for none */
    int (*format)(void *ud, const char *name, double v, shap_lang lang, char *out, size_t cap);
    void *ud;
} shap_labeller;

/* shap_reasons() with the labels and values of lab (NULL: the built-in Home Credit table,
 * as shap_reasons). */
size_t shap_reasons_labelled(const double *phi, const double *x, const char *const *names, size_t n_feats,
                             size_t k, shap_lang lang, const shap_labeller *lab, shap_reason *out);

/* The plain-language label and the stable code of a feature name, in lang. label and code
 * are caller buffers (label_cap >= 64, code >= 8 bytes). */
void shap_feature_label(const char *name, shap_lang lang, char *label, size_t label_cap,
                        char *code);

#endif /* CS_EXPLAIN_SHAP_H */
