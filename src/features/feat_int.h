/*
 * feat_int.h: internals shared by the files of src/features (not for other modules):
 * the layout of a feat_spec and the helpers of the recipe engine that spec.c uses.
 */
#ifndef CS_FEATURES_FEAT_INT_H
#define CS_FEATURES_FEAT_INT_H

#include "../recipe/recipe.h"
#include "spec.h"

typedef struct feat_enc {
    int rtable;          /* the recipe table's index */
    const char *col;     /* column name (the spec's recipe's storage) */
    feat_enc_kind kind;
    int n_cats;
    char **cats;         /* n_cats owned strings: one-hot sets sorted, factorize sets in order
                          * of first appearance */
} feat_enc;

struct feat_spec {
    int n_enc;
    feat_enc enc[FEAT_MAX_ENC];
    size_t n_feats;
    char **names;        /* n_feats owned strings */
    rcp_recipe *recipe;  /* owned: the recipe the engine (engine.c) computes and names the
                          * features from */
};

/* A recipe's spec: the encoded columns of s->recipe (every categorical column of every
 * table, tables in recipe order), no categories yet (engine.c). */
cs_status feat__recipe_enc_init(feat_spec *s, cs_err *err);

/* Build s->names / s->n_feats of a recipe's spec from its category sets (engine.c). */
cs_status feat__recipe_names(feat_spec *s, cs_err *err);

#endif /* CS_FEATURES_FEAT_INT_H */
