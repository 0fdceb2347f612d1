/*
 * feat_int.h: internals shared by the files of src/features (not for other modules):
 * the layout of a feat_spec and the name builder that kernel.c owns.
 */
#ifndef CS_FEATURES_FEAT_INT_H
#define CS_FEATURES_FEAT_INT_H

#include "../recipe/recipe.h"
#include "spec.h"

typedef struct feat_enc {
    hc_table table;      /* the table of the column (application: HC_APPLICATION_TRAIN);
                          * HC_N_TABLES in a recipe's spec */
    int rtable;          /* a recipe's spec: the recipe table's index; -1 otherwise */
    const char *col;     /* column name (static storage: the schema's, or the spec's recipe's) */
    feat_enc_kind kind;
    int n_cats;
    char **cats;         /* n_cats owned strings, in the kernel's order */
} feat_enc;

struct feat_spec {
    int n_enc;
    feat_enc enc[FEAT_MAX_ENC];
    size_t n_feats;
    char **names;        /* n_feats owned strings */
    rcp_recipe *recipe;  /* owned; NULL for the kernel's spec (kernel.c), else the recipe the
                          * engine (engine.c) computes and names the features from */
};

/* A recipe's spec: the encoded columns of s->recipe (every categorical column of every
 * table, tables in recipe order), no categories yet (engine.c). */
cs_status feat__recipe_enc_init(feat_spec *s, cs_err *err);

/* Build s->names / s->n_feats of a recipe's spec from its category sets (engine.c). */
cs_status feat__recipe_names(feat_spec *s, cs_err *err);

/* Fill s->enc[].table/col/kind (no categories) from the Home Credit schemas. */
void feat__enc_init(feat_spec *s);

/* The index of encoded column (table, col) in s, or -1. */
int feat__enc_find(const feat_spec *s, hc_table table, const char *col);

/* Build s->names / s->n_feats from the category sets (kernel.c: it knows the layout). */
cs_status feat__build_names(feat_spec *s, cs_err *err);

#endif /* CS_FEATURES_FEAT_INT_H */
