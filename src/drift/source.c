/*
 * source.c: the data sets a drift report compares, from a CSV table (a Home Credit table
 * typed by its schema, or any CSV with its types inferred), from a feature file, or from
 * a column-major matrix the caller holds, from the training sample a model file carries,
 * or from the clients the API scored (its audit log joined with the clients store). Each drift_dataset
 * is a list of borrowed column views plus the object that owns the data.
 */
#include "drift.h"

#include "../features/featfile.h"
#include "../io/hc_schema.h"
#include "../io/tbl.h"
#include "../model/model.h"
#include "../store/audit.h"
#include "../store/clients.h"

#include <math.h>
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
    free(d->model_name);
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
    /* the sample has a checksum of its own, not verified by a plain load */
    if (mf_sample_check(o->m, err) != CS_OK) {
        _model_free(o);
        return NULL;
    }
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
    d->model_name = cs_strdup(mf_name(o->m), err);
    if (!d->model_name) {
        drift_dataset_free(d);
        return NULL;
    }
    return d;
}

/* ---- the API's inputs: audit log + clients store ------------------------------------ */

typedef struct _audit_rows {
    const char *model_name;
    int64_t *ids;
    size_t n, cap;
    size_t n_without;
    int oom;
} _audit_rows;

static int _audit_row(const store_audit_rec *r, void *ud)
{
    _audit_rows *a = ud;
    if (a->model_name && strcmp(a->model_name, r->model_name)) return 0;
    if (strcmp(r->input_kind, "client_id") || r->client_id < 0) {
        a->n_without++;
        return 0;
    }
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 1024;
        int64_t *v = realloc(a->ids, cap * sizeof *v);
        if (!v) {
            a->oom = 1;
            return 1;
        }
        a->ids = v;
        a->cap = cap;
    }
    a->ids[a->n++] = r->client_id;
    return 0;
}

typedef struct _audit_owner {
    double *values;
    char **names;
    size_t n_names;
} _audit_owner;

static void _audit_free(void *p)
{
    _audit_owner *o = p;
    if (!o) return;
    for (size_t j = 0; j < o->n_names; j++) free(o->names[j]);
    free(o->names);
    free(o->values);
    free(o);
}

drift_dataset *drift_dataset_from_audit(const char *audit_path, const char *clients_path, int64_t since_ms,
                                        const char *model_name, const char *const *names, size_t n_names,
                                        size_t *n_without, cs_err *err)
{
    _audit_rows rows = {model_name, NULL, 0, 0, 0, 0};
    _audit_owner *o = NULL;
    store_clients *sc = NULL;
    double *x = NULL;
    long *map = NULL;
    drift_dataset *d = NULL;
    cs_buf label = {0};
    size_t nf, n_missing = 0;
    char since[32];

    if (n_without) *n_without = 0;
    if (store_audit_read(audit_path, since_ms, 0, _audit_row, &rows, err)) goto out;
    if (rows.oom) {
        cs_err_set(err, CS_ENOMEM, "out of memory reading %s", audit_path);
        goto out;
    }
    store_audit_format_time(since_ms, since);
    if (rows.n == 0) {
        cs_err_set(err, CS_ENOTFOUND, "%s: no decision on a known client%s%s since %s (%zu on other inputs)",
                   audit_path, model_name ? " by model " : "", model_name ? model_name : "", since, rows.n_without);
        goto out;
    }
    sc = store_clients_open(clients_path, 1, err);
    if (!sc) goto out;
    nf = store_clients_n_feats(sc);
    const char *const *snames = store_clients_feature_names(sc);
    o = cs_calloc(1, sizeof *o, err);
    map = cs_calloc(n_names ? n_names : 1, sizeof *map, err);
    x = cs_calloc(nf ? nf : 1, sizeof *x, err);
    if (!o || !map || !x) goto out;
    o->names = cs_calloc(n_names ? n_names : 1, sizeof *o->names, err);
    o->values = cs_malloc((n_names ? n_names : 1) * rows.n * sizeof *o->values, err);
    if (!o->names || !o->values) goto out;
    for (size_t j = 0; j < n_names; j++) {
        o->names[j] = cs_strdup(names[j], err);
        if (!o->names[j]) goto out;
        o->n_names = j + 1;
        map[j] = -1;
        for (size_t k = 0; k < nf; k++)
            if (!strcmp(snames[k], names[j])) {
                map[j] = (long)k;
                break;
            }
        if (map[j] < 0) n_missing++;
    }
    if (n_missing == n_names) {
        cs_err_set(err, CS_ENOTFOUND, "%s: none of the %zu model features is in the clients store", clients_path,
                   n_names);
        goto out;
    }
    for (size_t i = 0; i < rows.n; i++) {
        if (store_clients_features(sc, rows.ids[i], x, err)) {
            cs_err_prefix(err, "%s: client %lld of the audit log: ", clients_path, (long long)rows.ids[i]);
            goto out;
        }
        for (size_t j = 0; j < n_names; j++) o->values[j * rows.n + i] = map[j] >= 0 ? x[map[j]] : NAN;
    }
    if (cs_buf_printf(&label, err, "API inputs: %zu decisions on known clients since %s from %s", rows.n, since,
                      audit_path))
        goto out;
    d = drift_dataset_from_matrix(label.data, rows.n, n_names, (const char *const *)o->names, o->values, err);
    if (!d) goto out;
    d->_owner = o;
    d->_owner_free = _audit_free;
    o = NULL;
    if (n_without) *n_without = rows.n_without;
out:
    cs_buf_free(&label);
    _audit_free(o);
    free(map);
    free(x);
    free(rows.ids);
    store_clients_close(sc);
    return d;
}
