/*
 * dummy.c: the dummy learner (kind LRN_DUMMY): it predicts the training class prior for
 * every row, as scikit-learn's DummyClassifier(strategy="prior"). The floor every model
 * must beat. It has no parameters.
 */
#include "learn_int.h"

#include <math.h>
#include <stdlib.h>

typedef struct dummy_params {
    int unused;
} dummy_params;

static void *_create(cs_err *err)
{
    return cs_calloc(1, sizeof(dummy_params), err);
}

static void _free(void *p)
{
    free(p);
}

static void *_copy(const void *p, cs_err *err)
{
    (void)p;
    return _create(err);
}

static cs_status _set(void *p, const char *name, const char *value, cs_err *err)
{
    (void)p;
    (void)value;
    return cs_err_set(err, CS_EINVAL, "unknown parameter '%s' (dummy has none)", name);
}

static cs_status _to_json(const void *p, cs_buf *out, cs_err *err)
{
    (void)p;
    return cs_buf_puts(out, "{}", err);
}

static cs_status _fit(const void *p, const feat_matrix *m, const size_t *rows, size_t n,
                      const size_t *valid_rows, size_t n_valid, const lrn_fit_opts *opts,
                      lrn_model **out, cs_err *err)
{
    (void)p;
    (void)valid_rows;
    (void)n_valid;
    (void)opts;
    double pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (rows[i] >= m->n_rows)
            return cs_err_set(err, CS_EINVAL, "row index %zu out of range (%zu rows)", rows[i], m->n_rows);
        double t = m->target[rows[i]];
        if (t != 0 && t != 1)
            return cs_err_set(err, CS_EINVAL, "row %zu (SK_ID_CURR %lld): target is not 0 or 1",
                              rows[i], (long long)m->ids[rows[i]]);
        pos += t;
    }
    double prior = pos / (double)n;
    if (prior < 1e-15) prior = 1e-15;           /* keep the log-odds finite */
    if (prior > 1 - 1e-15) prior = 1 - 1e-15;
    lrn_model *mod = lrn_model_create(LRN_DUMMY, m->n_feats, err);
    if (!mod) return CS_ENOMEM;
    mod->base_score = log(prior / (1 - prior));
    *out = mod;
    return CS_OK;
}

const lrn_ops lrn_dummy_ops = {
    .kind = LRN_DUMMY,
    .params_create = _create,
    .params_set = _set,
    .params_to_json = _to_json,
    .params_copy = _copy,
    .params_free = _free,
    .fit = _fit,
};
