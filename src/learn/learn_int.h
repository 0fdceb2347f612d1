/*
 * learn_int.h: internals shared by the files of src/learn (not for other modules): the
 * binned-dataset cache lookup, the parameter-object plumbing and the table each learner
 * kind plugs in with (lrn_ops).
 */
#ifndef CS_LEARN_LEARN_INT_H
#define CS_LEARN_LEARN_INT_H

#include "dataset.h"
#include "learner.h"

/* The dataset of m binned with max_bin: from opts->cache when there is one (built on first
 * use, owned by the cache: *owned = NULL), else built now (*owned = the dataset, which the
 * caller frees with ds_free). NULL + err on failure. */
ds_dataset *lrn_dataset_for(const lrn_fit_opts *opts, const feat_matrix *m, int max_bin,
                            ds_dataset **owned, cs_err *err);

/* For a fit that chooses a parameter on a validation set and was given none: a stratified
 * tenth of rows[0..n) (rounded, at least one row of each class), seeded (stream 3 of seed),
 * into *va (*nva rows), the other rows into *tr (*ntr), both malloc'd (caller frees) in the
 * order of rows. CS_EINVAL naming what (the parameter, e.g. "num_iterations") when a row is
 * out of range or a class has fewer than 2 rows (nothing to hold out). */
cs_status lrn_holdout(const feat_matrix *m, const size_t *rows, size_t n, uint64_t seed, const char *what,
                      size_t **tr, size_t *ntr, size_t **va, size_t *nva, cs_err *err);

/* Rows sampled when computing bin edges (as LightGBM's bin_construct_sample_cnt). */
#define LRN_BIN_SAMPLE 200000

/* ---- plugging in a kind ------------------------------------------------------------ */

/* What each kind's file provides. `value` arguments are the JSON text of one value. */
typedef struct lrn_ops {
    lrn_kind kind;
    /* a new parameter struct holding the defaults; NULL + err on failure */
    void *(*params_create)(cs_err *err);
    /* set one parameter (unknown name -> CS_EINVAL naming it) */
    cs_status (*params_set)(void *p, const char *name, const char *value, cs_err *err);
    /* append all parameters as a JSON object */
    cs_status (*params_to_json)(const void *p, cs_buf *out, cs_err *err);
    /* a deep copy */
    void *(*params_copy)(const void *p, cs_err *err);
    void (*params_free)(void *p);
    /* resolve size-dependent "auto" values (NULL: nothing to resolve) */
    void (*params_resolve)(void *p, size_t n_train, size_t n_feats);
    /* 1 when the fit chooses a parameter on the validation set (NULL: never) */
    int (*params_chooses)(const void *p);
    /* fit: same contract as lrn_fit() with the kind's parameter struct */
    cs_status (*fit)(const void *p, const feat_matrix *m, const size_t *train_rows,
                     size_t n_train, const size_t *valid_rows, size_t n_valid,
                     const lrn_fit_opts *opts, lrn_model **out, cs_err *err);
} lrn_ops;

extern const lrn_ops lrn_dummy_ops;     /* dummy.c */
extern const lrn_ops lrn_logreg_ops;    /* lr_learner.c */
extern const lrn_ops lrn_gbdt_ops;      /* gbdt.c */
extern const lrn_ops lrn_forest_ops;    /* forest.c */
extern const lrn_ops lrn_xgboost_ops;   /* xgb_train.c */
extern const lrn_ops lrn_scorecard_ops; /* scorecard.c */

/* Helpers for the kinds' files: parse the JSON text of one value as a number / a boolean
 * (true/false/1/0) / a string (malloc'd, caller frees) / an array of numbers (malloc'd,
 * *n set); errors name the parameter. */
cs_status lrn_value_number(const char *name, const char *value, double *out, cs_err *err);
cs_status lrn_value_bool(const char *name, const char *value, int *out, cs_err *err);
cs_status lrn_value_string(const char *name, const char *value, char **out, cs_err *err);
cs_status lrn_value_numbers(const char *name, const char *value, double **out, size_t *n,
                            cs_err *err);

/* Check the training rows and read their targets: y[i] = m->target[rows[i]] (0 or 1), y
 * caller-allocated n values. CS_EINVAL naming the first bad row. */
cs_status lrn_targets(const feat_matrix *m, const size_t *rows, size_t n, double *y,
                      cs_err *err);


#endif /* CS_LEARN_LEARN_INT_H */
