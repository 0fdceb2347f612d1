/*
 * spec.h: the feature specification: what training saw, frozen so that new data gives the
 * same columns in the same order. It holds the recipe the features come from
 * (../recipe/recipe.h), the category set of every categorical column of its tables
 * (one-hot sets in string order, factorize sets in order of first appearance), and the
 * resulting feature names in order. The recipe engine (engine.h) derives a spec from data
 * or applies a given one; the model file carries it as bytes (feat_spec_write /
 * feat_spec_read). Applied to new data, a category never seen in training sets all of that
 * column's dummies to 0 (a factorized column gets -1, as a missing value) and is counted
 * in a feat_warnings, never an error.
 */
#ifndef CS_FEATURES_SPEC_H
#define CS_FEATURES_SPEC_H

#include "../base/cs.h"
#include "../io/tbl.h"

typedef struct feat_spec feat_spec; /* opaque */

/* Most encoded columns a spec can hold (a recipe's categorical columns; the Home Credit
 * kernel recipe has 38). */
#define FEAT_MAX_ENC 256

/* How a categorical column becomes features. */
typedef enum feat_enc_kind {
    FEAT_ENC_FACTORIZE = 0, /* one column of codes 0, 1, ... (first appearance), -1 missing */
    FEAT_ENC_ONEHOT = 1,    /* one 0/1 column per category, no _nan column (application) */
    FEAT_ENC_ONEHOT_NAN = 2 /* one per category plus <COL>_nan (the secondary tables) */
} feat_enc_kind;

/* Unseen categories met while applying a spec: unseen[k] counts the rows whose value of
 * encoded column k (see feat_spec_enc) was not in the spec. Zero-initialise it. */
typedef struct feat_warnings {
    int n_enc;                   /* encoded columns of the spec */
    size_t unseen[FEAT_MAX_ENC]; /* rows with an unseen category, per encoded column */
    size_t total;                /* sum of unseen[] */
} feat_warnings;

/* Free a spec. NULL is allowed. */
void feat_spec_free(feat_spec *s);

/* The number of features and their names, in order (the spec owns the strings). */
size_t feat_spec_n_feats(const feat_spec *s);
const char *feat_spec_name(const feat_spec *s, size_t j);

/* Encoded column k (0 <= k < feat_spec_n_enc): its column name, and, when not NULL, its
 * table (the recipe table's index), kind, category count and categories (owned by the spec). */
int feat_spec_n_enc(const feat_spec *s);
const char *feat_spec_enc(const feat_spec *s, int k, int *table, feat_enc_kind *kind, int *n_cats,
                          const char *const **cats);

/* The recipe table index of encoded column k, -1 for a bad k. */
int feat_spec_enc_table(const feat_spec *s, int k);

/* Serialize to bytes appended to out (a versioned, checksummed block). */
cs_status feat_spec_write(const feat_spec *s, cs_buf *out, cs_err *err);

/* Read a spec from bytes written by feat_spec_write (any alignment). Refuses truncated,
 * corrupt or newer-version data, and data whose names do not follow from its category
 * sets. The spec copies what it needs: data may be freed afterwards. */
feat_spec *feat_spec_read(const void *data, size_t len, cs_err *err);

/* Convenience: write a spec to a file / read it from a file. */
cs_status feat_spec_save(const feat_spec *s, const char *path, cs_err *err);
feat_spec *feat_spec_load(const char *path, cs_err *err);

#endif /* CS_FEATURES_SPEC_H */
