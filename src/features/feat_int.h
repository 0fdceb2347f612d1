/*
 * feat_int.h: internals shared by the files of src/features (not for other modules):
 * the layout of a feat_spec and the name builder that kernel.c owns.
 */
#ifndef CS_FEATURES_FEAT_INT_H
#define CS_FEATURES_FEAT_INT_H

#include "spec.h"

typedef struct feat_enc {
    hc_table table;      /* the table of the column (application: HC_APPLICATION_TRAIN) */
    const char *col;     /* column name (static storage: the schema's) */
    feat_enc_kind kind;
    int n_cats;
    char **cats;         /* n_cats owned strings, in the kernel's order */
} feat_enc;

struct feat_spec {
    int n_enc;
    feat_enc enc[FEAT_MAX_ENC];
    size_t n_feats;
    char **names;        /* n_feats owned strings */
};

/* Fill s->enc[].table/col/kind (no categories) from the Home Credit schemas. */
void feat__enc_init(feat_spec *s);

/* The index of encoded column (table, col) in s, or -1. */
int feat__enc_find(const feat_spec *s, hc_table table, const char *col);

/* Build s->names / s->n_feats from the category sets (kernel.c: it knows the layout). */
cs_status feat__build_names(feat_spec *s, cs_err *err);

#endif /* CS_FEATURES_FEAT_INT_H */
