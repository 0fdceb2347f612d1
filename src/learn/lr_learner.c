/*
 * lr_learner.c: the "logreg" kind of the learner interface (learner.h): its parameters
 * (scikit-learn's names: C, class_weight, max_iter, tol, n_jobs) and the fit, which runs
 * lr_fit() (lr.h) and stores the result in the interface's linear form.
 *
 * The linear form of lrn_model sends NaN to lin_center (a zero term). Our model imputes
 * the training median, so lin_center holds the median and the standardisation's mean is
 * folded into base_score:  raw = b + sum_j w_j (x'_j - mean_j) / scale_j
 *                              = [b + sum_j w_j (median_j - mean_j) / scale_j]
 *                                + sum_j w_j (x'_j - median_j) / scale_j.
 */
#include "learner.h"
#include "lr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void *_params_create(cs_err *err)
{
    lr_params *p = cs_malloc(sizeof *p, err);
    if (p) *p = LR_PARAMS_DEFAULT;
    return p;
}

static cs_status _integer(const char *name, const char *value, long lo, long hi, int *out,
                          cs_err *err)
{
    double v;
    cs_status st = lrn_value_number(name, value, &v, err);
    if (st) return st;
    if (v != floor(v) || v < (double)lo || v > (double)hi)
        return cs_err_set(err, CS_EINVAL, "%s: expected an integer in [%ld, %ld], got %s", name,
                          lo, hi, value);
    *out = (int)v;
    return CS_OK;
}

static cs_status _params_set(void *vp, const char *name, const char *value, cs_err *err)
{
    lr_params *p = vp;
    cs_status st;
    double v;
    if (!strcmp(name, "C")) {
        if ((st = lrn_value_number(name, value, &v, err))) return st;
        if (!(v > 0)) return cs_err_set(err, CS_EINVAL, "C: expected a number > 0, got %s", value);
        p->C = v;
    } else if (!strcmp(name, "tol")) {
        if ((st = lrn_value_number(name, value, &v, err))) return st;
        if (!(v > 0)) return cs_err_set(err, CS_EINVAL, "tol: expected a number > 0, got %s", value);
        p->tol = v;
    } else if (!strcmp(name, "max_iter")) {
        return _integer(name, value, 1, 1000000, &p->max_iter, err);
    } else if (!strcmp(name, "n_jobs") || !strcmp(name, "num_threads")) {
        int n;
        if ((st = _integer(name, value, -1, 1024, &n, err))) return st;
        p->n_threads = n < 0 ? 0 : n;
    } else if (!strcmp(name, "class_weight")) {
        char *s = NULL;
        if ((st = lrn_value_string(name, value, &s, err))) return st;
        if (!s || !strcmp(s, "none")) p->balanced = 0;
        else if (!strcmp(s, "balanced")) p->balanced = 1;
        else st = cs_err_set(err, CS_EINVAL, "class_weight: expected null or \"balanced\", got %s",
                             value);
        free(s);
        return st;
    } else {
        return cs_err_set(err, CS_EINVAL,
                          "logreg has no parameter '%s' (C, class_weight, max_iter, tol, n_jobs)",
                          name);
    }
    return CS_OK;
}

static cs_status _params_to_json(const void *vp, cs_buf *out, cs_err *err)
{
    const lr_params *p = vp;
    char c[32], tol[32];
    cs_fmt_double(c, sizeof c, p->C);
    cs_fmt_double(tol, sizeof tol, p->tol);
    return cs_buf_printf(out, err,
                         "{\"C\": %s, \"class_weight\": %s, \"max_iter\": %d, \"tol\": %s, "
                         "\"n_jobs\": %d}",
                         c, p->balanced ? "\"balanced\"" : "null", p->max_iter, tol, p->n_threads);
}

static void *_params_copy(const void *vp, cs_err *err)
{
    lr_params *p = cs_malloc(sizeof *p, err);
    if (p) *p = *(const lr_params *)vp;
    return p;
}

static void _params_free(void *p) { free(p); }

typedef struct _prog {
    const lrn_fit_opts *opts;
} _prog;

static int _on_iter(void *user, int done, int max_iter, double grad_norm)
{
    const lrn_fit_opts *o = ((_prog *)user)->opts;
    (void)grad_norm;
    return o->progress(o->progress_user, done, max_iter, NAN);
}

static cs_status _fit(const void *vp, const feat_matrix *m, const size_t *train_rows,
                      size_t n_train, const size_t *valid_rows, size_t n_valid,
                      const lrn_fit_opts *opts, lrn_model **out, cs_err *err)
{
    const lr_params *p = vp;
    (void)valid_rows;
    (void)n_valid;
    *out = NULL;
    _prog pg = {opts};
    int with_prog = opts && opts->progress;
    lr_model *lr = lr_fit(m, train_rows, n_train, p, with_prog ? _on_iter : NULL, &pg, err);
    if (!lr) return err ? err->code : CS_EINVAL;
    size_t d = m->n_feats;
    lrn_model *mod = lrn_model_create(LRN_LOGREG, d, err);
    if (!mod) goto nomem;
    double **arr[] = {&mod->lin_coef, &mod->lin_center, &mod->lin_scale, &mod->lin_lo, &mod->lin_hi};
    for (size_t k = 0; k < 5; k++)
        if (!(*arr[k] = cs_malloc((d ? d : 1) * sizeof(double), err))) goto nomem;
    double base = lr->intercept;
    for (size_t j = 0; j < d; j++) {
        mod->lin_coef[j] = lr->coef[j];
        mod->lin_center[j] = lr->median[j];
        mod->lin_scale[j] = lr->scale[j];
        mod->lin_lo[j] = lr->lo[j];
        mod->lin_hi[j] = lr->hi[j];
        base += lr->coef[j] * (lr->median[j] - lr->mean[j]) / lr->scale[j];
    }
    mod->base_score = base;
    mod->best_iteration = 0;
    lr_model_free(lr);
    *out = mod;
    return CS_OK;
nomem:
    lr_model_free(lr);
    lrn_model_free(mod);
    return CS_ENOMEM;
}

const lrn_ops lrn_logreg_ops = {
    .kind = LRN_LOGREG,
    .params_create = _params_create,
    .params_set = _params_set,
    .params_to_json = _params_to_json,
    .params_copy = _params_copy,
    .params_free = _params_free,
    .fit = _fit,
};
