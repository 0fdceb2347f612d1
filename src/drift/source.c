/*
 * source.c: the data sets a drift report compares, from a CSV table (a Home Credit table
 * typed by its schema, or any CSV with its types inferred), from a feature file, or from
 * a column-major matrix the caller holds, or from the training sample a model file carries. Each drift_dataset
 * is a list of borrowed column views plus the object that owns the data.
 */
#include "drift.h"

#include "../features/featfile.h"
#include "../io/hc_schema.h"
#include "../io/tbl.h"
#include "../model/model.h"

#include <stdlib.h>
#include <string.h>

static drift_dataset *_new(const char *source, size_t n_rows, int n_cols, cs_err *err)
{
    cs_buf b = {0};
    drift_dataset *d = cs_calloc(1, sizeof *d, err);
    if (!d) return NULL;
    d->n_rows = n_rows;
    d->n_cols = n_cols;
    d->cols = cs_calloc(n_cols > 0 ? (size_t)n_cols : 1, sizeof *d->cols, err);
    if (!d->cols || cs_buf_printf(&b, err, "%s (%zu rows)", source, n_rows)) {
        free(d->cols);
        free(d);
        cs_buf_free(&b);
        return NULL;
    }
    d->label = cs_buf_take(&b);
    return d;
}

void drift_dataset_free(drift_dataset *d)
{
    if (!d) return;
    if (d->_owner_free) d->_owner_free(d->_owner);
    free(d->cols);
    free(d->label);
    free(d);
}

static void _tbl_free(void *p)
{
    tbl_free(p);
}

drift_dataset *drift_dataset_from_csv(const char *path, cs_err *err)
{
    int which = hc_table_from_file(path);
    const tbl_schema *schema = which >= 0 ? hc_schema((hc_table)which) : NULL;
    tbl *t = tbl_read_csv(path, schema, err);
    drift_dataset *d;
    if (!t) return NULL;
    d = _new(path, t->n_rows, t->n_cols, err);
    if (!d) {
        tbl_free(t);
        return NULL;
    }
    for (int j = 0; j < t->n_cols; j++) {
        const tbl_column *c = &t->cols[j];
        drift_column *o = &d->cols[j];
        o->name = c->name;
        o->is_cat = c->type == TBL_CAT;
        o->num = c->num;
        o->codes = c->codes;
        o->cats = (const char *const *)c->cats;
        o->n_cats = c->n_cats;
        o->is_float = 0;
    }
    d->_owner = t;
    d->_owner_free = _tbl_free;
    return d;
}

static void _feat_free(void *p)
{
    feat_matrix_free(p);
}

drift_dataset *drift_dataset_from_features(const char *path, cs_err *err)
{
    feat_matrix *m = feat_file_load(path, err);
    drift_dataset *d;
    if (!m) return NULL;
    if (m->n_feats > 1000000) {
        cs_err_set(err, CS_ECORRUPT, "%s: %zu features", path, m->n_feats);
        feat_matrix_free(m);
        return NULL;
    }
    d = _new(path, m->n_rows, (int)m->n_feats, err);
    if (!d) {
        feat_matrix_free(m);
        return NULL;
    }
    for (size_t j = 0; j < m->n_feats; j++) {
        drift_column *o = &d->cols[j];
        o->name = m->names[j];
        o->num = feat_col(m, j);
        o->is_float = 1;    /* stored as doubles: numerical whatever the values */
    }
    d->_owner = m;
    d->_owner_free = _feat_free;
    return d;
}

drift_dataset *drift_dataset_load(const char *path, cs_err *err)
{
    size_t n = strlen(path);
    if (n > 4 && !strcmp(path + n - 4, ".csf")) return drift_dataset_from_features(path, err);
    return drift_dataset_from_csv(path, err);
}

drift_dataset *drift_dataset_from_matrix(const char *label, size_t n_rows, size_t n_cols,
                                         const char *const *names, const double *values,
                                         cs_err *err)
{
    drift_dataset *d;
    if (n_cols > 1000000) {
        cs_err_set(err, CS_EINVAL, "%s: %zu columns", label, n_cols);
        return NULL;
    }
    d = cs_calloc(1, sizeof *d, err);
    if (!d) return NULL;
    d->label = cs_strdup(label, err);
    d->cols = cs_calloc(n_cols ? n_cols : 1, sizeof *d->cols, err);
    if (!d->label || !d->cols) {
        drift_dataset_free(d);
        return NULL;
    }
    d->n_rows = n_rows;
    d->n_cols = (int)n_cols;
    for (size_t j = 0; j < n_cols; j++) {
        d->cols[j].name = names[j];
        d->cols[j].num = values + j * n_rows;
        d->cols[j].is_float = 1;
    }
    return d;
}

typedef struct _model_owner {
    mf_model *m;
    const char **names;
} _model_owner;

static void _model_free(void *p)
{
    _model_owner *o = p;
    if (!o) return;
    mf_free(o->m);
    free(o->names);
    free(o);
}

drift_dataset *drift_dataset_from_model(const char *path, cs_err *err)
{
    _model_owner *o = cs_calloc(1, sizeof *o, err);
    const double *values = NULL;
    size_t n_rows, n_feats;
    drift_dataset *d;
    cs_buf label = {0};
    if (!o) return NULL;
    o->m = mf_load(path, err);
    if (!o->m) {
        _model_free(o);
        return NULL;
    }
    n_feats = mf_n_feats(o->m);
    n_rows = mf_sample(o->m, NULL, NULL, &values);
    if (n_rows == 0 || !values) {
        cs_err_set(err, CS_ENOTFOUND, "%s: the model carries no training sample for drift", path);
        _model_free(o);
        return NULL;
    }
    o->names = cs_calloc(n_feats ? n_feats : 1, sizeof *o->names, err);
    if (!o->names) {
        _model_free(o);
        return NULL;
    }
    for (size_t j = 0; j < n_feats; j++) o->names[j] = mf_feat_name(o->m, j);
    if (cs_buf_printf(&label, err, "training sample of %zu rows carried by model %s %s (%s)", n_rows,
                      mf_name(o->m), mf_version(o->m), path)) {
        _model_free(o);
        return NULL;
    }
    d = drift_dataset_from_matrix(label.data, n_rows, n_feats, o->names, values, err);
    cs_buf_free(&label);
    if (!d) {
        _model_free(o);
        return NULL;
    }
    d->_owner = o;
    d->_owner_free = _model_free;
    return d;
}
