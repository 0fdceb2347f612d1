/*
 * lrn.c: the learner interface's dispatch (learner.h): kind names, the parameter object
 * that wraps each kind's own struct, JSON value parsing for the kinds' setters, target
 * checks, the binned-dataset cache and lrn_fit().
 */
#include "learn_int.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


static const char *const kind_names[LRN_KIND_COUNT] = {"dummy", "logreg", "gbdt", "forest",
                                                       "xgboost", "scorecard"};

struct lrn_params {
    lrn_kind kind;
    const lrn_ops *ops;
    void *p;            /* the kind's own struct, owned */
};

const char *lrn_kind_name(lrn_kind kind)
{
    return (unsigned)kind < LRN_KIND_COUNT ? kind_names[kind] : "?";
}

cs_status lrn_kind_from_name(const char *name, lrn_kind *out, cs_err *err)
{
    for (int k = 0; k < LRN_KIND_COUNT; k++)
        if (name && !strcmp(name, kind_names[k])) {
            *out = (lrn_kind)k;
            return CS_OK;
        }
    return cs_err_set(err, CS_ENOTFOUND,
                      "unknown learner '%s' (one of: dummy, logreg, gbdt, forest, xgboost)",
                      name ? name : "");
}

/* every kind's operations, by kind (the library links all of them: no weak references,
 * which static archives would not resolve) */
static const lrn_ops *const kind_ops[LRN_KIND_COUNT] = {
    [LRN_DUMMY] = &lrn_dummy_ops,
    [LRN_LOGREG] = &lrn_logreg_ops,
    [LRN_GBDT] = &lrn_gbdt_ops,
    [LRN_FOREST] = &lrn_forest_ops,
    [LRN_XGBOOST] = &lrn_xgboost_ops,
    [LRN_SCORECARD] = &lrn_scorecard_ops,
};

static const lrn_ops *_ops(lrn_kind kind, cs_err *err)
{
    if ((unsigned)kind >= LRN_KIND_COUNT) {
        cs_err_set(err, CS_EINVAL, "learner kind %d out of range", (int)kind);
        return NULL;
    }
    return kind_ops[kind];
}

/* ---- parameters ------------------------------------------------------------------------ */

lrn_params *lrn_params_from_json(lrn_kind kind, const char *json, cs_err *err)
{
    const lrn_ops *o = _ops(kind, err);
    if (!o) return NULL;
    lrn_params *lp = cs_calloc(1, sizeof *lp, err);
    if (!lp) return NULL;
    lp->kind = kind;
    lp->ops = o;
    lp->p = o->params_create(err);
    if (!lp->p) {
        free(lp);
        return NULL;
    }
    if (!json || !*json) return lp;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(json, &end, 1);
    if (!root) {
        size_t at = end ? (size_t)(end - json) : 0;
        cs_err_set(err, CS_EPARSE, "%s parameters: malformed JSON at character %zu",
                   lrn_kind_name(kind), at + 1);
        lrn_params_free(lp);
        return NULL;
    }
    if (!cJSON_IsObject(root)) {
        cs_err_set(err, CS_EPARSE, "%s parameters: expected a JSON object", lrn_kind_name(kind));
        cJSON_Delete(root);
        lrn_params_free(lp);
        return NULL;
    }
    for (cJSON *it = root->child; it; it = it->next) {
        char *txt = cJSON_PrintUnformatted(it);
        if (!txt) {
            cs_err_set(err, CS_ENOMEM, "out of memory reading parameters");
            cJSON_Delete(root);
            lrn_params_free(lp);
            return NULL;
        }
        cs_status st = o->params_set(lp->p, it->string, txt, err);
        cJSON_free(txt);
        if (st) {
            cs_err_prefix(err, "%s parameters: ", lrn_kind_name(kind));
            cJSON_Delete(root);
            lrn_params_free(lp);
            return NULL;
        }
    }
    cJSON_Delete(root);
    return lp;
}

cs_status lrn_params_set(lrn_params *p, const char *name, const char *value, cs_err *err)
{
    cs_status st = p->ops->params_set(p->p, name, value, err);
    if (st) cs_err_prefix(err, "%s parameters: ", lrn_kind_name(p->kind));
    return st;
}

cs_status lrn_params_to_json(const lrn_params *p, cs_buf *out, cs_err *err)
{
    return p->ops->params_to_json(p->p, out, err);
}

lrn_params *lrn_params_copy(const lrn_params *p, cs_err *err)
{
    lrn_params *c = cs_calloc(1, sizeof *c, err);
    if (!c) return NULL;
    *c = *p;
    c->p = p->ops->params_copy(p->p, err);
    if (!c->p) {
        free(c);
        return NULL;
    }
    return c;
}

void lrn_params_resolve(lrn_params *p, size_t n_train, size_t n_feats)
{
    if (p->ops->params_resolve) p->ops->params_resolve(p->p, n_train, n_feats);
}

int lrn_params_chooses(const lrn_params *p)
{
    return p->ops->params_chooses ? p->ops->params_chooses(p->p) : 0;
}

lrn_kind lrn_params_kind(const lrn_params *p)
{
    return p->kind;
}

void *lrn_params_raw(lrn_params *p)
{
    return p->p;
}

const void *lrn_params_raw_const(const lrn_params *p)
{
    return p->p;
}

void lrn_params_free(lrn_params *p)
{
    if (!p) return;
    if (p->p) p->ops->params_free(p->p);
    free(p);
}

/* ---- value parsing --------------------------------------------------------------------- */

static cJSON *_parse_value(const char *name, const char *value, cs_err *err)
{
    cJSON *v = value ? cJSON_ParseWithOpts(value, NULL, 1) : NULL;
    if (!v) cs_err_set(err, CS_EPARSE, "%s: malformed value '%s'", name, value ? value : "");
    return v;
}

cs_status lrn_value_number(const char *name, const char *value, double *out, cs_err *err)
{
    cJSON *v = _parse_value(name, value, err);
    if (!v) return CS_EPARSE;
    cs_status st = CS_OK;
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) *out = v->valuedouble;
    else if (cJSON_IsBool(v)) *out = cJSON_IsTrue(v) ? 1 : 0;
    else st = cs_err_set(err, CS_EINVAL, "%s: expected a number, got %s", name, value);
    cJSON_Delete(v);
    return st;
}

cs_status lrn_value_bool(const char *name, const char *value, int *out, cs_err *err)
{
    cJSON *v = _parse_value(name, value, err);
    if (!v) return CS_EPARSE;
    cs_status st = CS_OK;
    if (cJSON_IsBool(v)) *out = cJSON_IsTrue(v);
    else if (cJSON_IsNumber(v) && (v->valuedouble == 0 || v->valuedouble == 1))
        *out = v->valuedouble == 1;
    else if (cJSON_IsString(v) && (!strcmp(v->valuestring, "true") || !strcmp(v->valuestring, "false")))
        *out = !strcmp(v->valuestring, "true");
    else st = cs_err_set(err, CS_EINVAL, "%s: expected true or false, got %s", name, value);
    cJSON_Delete(v);
    return st;
}

cs_status lrn_value_string(const char *name, const char *value, char **out, cs_err *err)
{
    cJSON *v = _parse_value(name, value, err);
    if (!v) return CS_EPARSE;
    cs_status st = CS_OK;
    if (cJSON_IsString(v)) {
        *out = cs_strdup(v->valuestring, err);
        if (!*out) st = CS_ENOMEM;
    } else if (cJSON_IsNull(v)) {
        *out = NULL;
    } else {
        st = cs_err_set(err, CS_EINVAL, "%s: expected a string, got %s", name, value);
    }
    cJSON_Delete(v);
    return st;
}

cs_status lrn_value_numbers(const char *name, const char *value, double **out, size_t *n,
                            cs_err *err)
{
    cJSON *v = _parse_value(name, value, err);
    if (!v) return CS_EPARSE;
    if (!cJSON_IsArray(v)) {
        cJSON_Delete(v);
        return cs_err_set(err, CS_EINVAL, "%s: expected an array of numbers, got %s", name, value);
    }
    size_t cnt = (size_t)cJSON_GetArraySize(v), i = 0;
    double *a = cs_malloc((cnt ? cnt : 1) * sizeof *a, err);
    if (!a) {
        cJSON_Delete(v);
        return CS_ENOMEM;
    }
    for (cJSON *it = v->child; it; it = it->next, i++) {
        if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble)) {
            free(a);
            cJSON_Delete(v);
            return cs_err_set(err, CS_EINVAL, "%s: element %zu is not a number", name, i);
        }
        a[i] = it->valuedouble;
    }
    cJSON_Delete(v);
    *out = a;
    *n = cnt;
    return CS_OK;
}

cs_status lrn_targets(const feat_matrix *m, const size_t *rows, size_t n, double *y, cs_err *err)
{
    for (size_t i = 0; i < n; i++) {
        if (rows[i] >= m->n_rows)
            return cs_err_set(err, CS_EINVAL, "row index %zu out of range (%zu rows)", rows[i],
                              m->n_rows);
        double t = m->target[rows[i]];
        if (t != 0 && t != 1)
            return cs_err_set(err, CS_EINVAL, "row %zu (SK_ID_CURR %lld): target is not 0 or 1",
                              rows[i], (long long)m->ids[rows[i]]);
        y[i] = t;
    }
    return CS_OK;
}

/* ---- the held-out tenth of "auto" fits without a validation set ----------------------- */

cs_status lrn_holdout(const feat_matrix *m, const size_t *rows, size_t n, uint64_t seed, const char *what,
                      size_t **tr, size_t *ntr, size_t **va, size_t *nva, cs_err *err)
{
    size_t cnt[2] = {0, 0}, want[2], got[2] = {0, 0}, seen[2] = {0, 0};
    *tr = *va = NULL;
    *ntr = *nva = 0;
    for (size_t i = 0; i < n; i++) {
        if (rows[i] >= m->n_rows)
            return cs_err_set(err, CS_EINVAL, "training row %zu out of range (%zu rows)", rows[i], m->n_rows);
        cnt[m->target[rows[i]] == 1]++;
    }
    if (cnt[0] < 2 || cnt[1] < 2)
        return cs_err_set(err, CS_EINVAL, "%s \"auto\" needs a validation set or at least 2 rows of each "
                          "class to hold out: give %s", what, what);
    *tr = cs_malloc(n * sizeof **tr, err);
    *va = cs_malloc(n * sizeof **va, err);
    if (!*tr || !*va) {
        free(*tr);
        free(*va);
        *tr = *va = NULL;
        return CS_ENOMEM;
    }
    for (int c = 0; c < 2; c++) {
        want[c] = (cnt[c] + 5) / 10;
        if (want[c] < 1) want[c] = 1;
    }
    cs_rng r;
    cs_rng_seed_stream(&r, seed, 3);
    for (size_t i = 0; i < n; i++) {
        int c = m->target[rows[i]] == 1;
        /* selection sampling within the class keeps the order and the exact count */
        if (got[c] < want[c] && cs_rng_below(&r, cnt[c] - seen[c]) < want[c] - got[c]) {
            (*va)[(*nva)++] = rows[i];
            got[c]++;
        } else {
            (*tr)[(*ntr)++] = rows[i];
        }
        seen[c]++;
    }
    return CS_OK;
}

/* ---- the binned-dataset cache ---------------------------------------------------------- */

#define CACHE_SLOTS 8

struct lrn_cache {
    const feat_matrix *m;
    ds_dataset *ds[CACHE_SLOTS];
};

lrn_cache *lrn_cache_create(const feat_matrix *m, cs_err *err)
{
    lrn_cache *c = cs_calloc(1, sizeof *c, err);
    if (c) c->m = m;
    return c;
}

void lrn_cache_free(lrn_cache *c)
{
    if (!c) return;
    for (int i = 0; i < CACHE_SLOTS; i++) ds_free(c->ds[i]);
    free(c);
}

ds_dataset *lrn_dataset_for(const lrn_fit_opts *opts, const feat_matrix *m, int max_bin,
                            ds_dataset **owned, cs_err *err)
{
    *owned = NULL;
    lrn_cache *c = opts ? opts->cache : NULL;
    if (c && c->m == m) {
        int free_slot = -1;
        for (int i = 0; i < CACHE_SLOTS; i++) {
            if (c->ds[i] && c->ds[i]->max_bin == max_bin) return c->ds[i];
            if (!c->ds[i] && free_slot < 0) free_slot = i;
        }
        if (free_slot >= 0) {
            c->ds[free_slot] = ds_create(m, max_bin, LRN_BIN_SAMPLE, err);
            return c->ds[free_slot];
        }
    }
    *owned = ds_create(m, max_bin, LRN_BIN_SAMPLE, err);
    return *owned;
}

/* ---- fit ------------------------------------------------------------------------------- */

cs_status lrn_fit(const lrn_params *p, const feat_matrix *m, const size_t *train_rows,
                  size_t n_train, const size_t *valid_rows, size_t n_valid,
                  const lrn_fit_opts *opts, lrn_model **out, cs_err *err)
{
    *out = NULL;
    if (!p) return cs_err_set(err, CS_EINVAL, "no parameters");
    if (!m || n_train == 0) return cs_err_set(err, CS_EINVAL, "no training rows");
    for (size_t i = 0; i < n_valid; i++)
        if (valid_rows[i] >= m->n_rows)
            return cs_err_set(err, CS_EINVAL, "validation row %zu out of range (%zu rows)",
                              valid_rows[i], m->n_rows);
    cs_status st = p->ops->fit(p->p, m, train_rows, n_train, valid_rows, n_valid, opts, out, err);
    if (st) return st;
    if (!(*out)->params_json) {
        cs_buf b = {0};
        if (lrn_params_to_json(p, &b, NULL) == CS_OK) (*out)->params_json = cs_buf_take(&b);
        cs_buf_free(&b);
    }
    if ((st = lrn_model_prepare(*out, err))) {
        lrn_model_free(*out);
        *out = NULL;
    }
    return st;
}
