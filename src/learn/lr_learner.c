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
 *
 * C "auto" (the default, C == 0 in lr_params): each C of LR_AUTO_C is fitted on the training
 * rows and the one with the best validation AUC kept (ties: the smaller C, the stronger
 * regularisation); model->best_C says which. Without a validation set a stratified tenth
 * of the rows is held out to choose, then all rows are refitted with the chosen C.
 */
#include "../eval/metrics.h"
#include "learn_int.h"
#include "learner.h"
#include "lr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double LR_AUTO_C[] = {1e-3, 1e-2, 1e-1, 1, 10};
#define LR_AUTO_N (sizeof LR_AUTO_C / sizeof LR_AUTO_C[0])

static void *_params_create(cs_err *err)
{
    lr_params *p = cs_malloc(sizeof *p, err);
    if (p) {
        *p = LR_PARAMS_DEFAULT;
        p->C = 0; /* auto */
    }
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
        if (!strcmp(value, "\"auto\"")) {
            p->C = 0;
            return CS_OK;
        }
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
    if (p->C == 0) strcpy(c, "\"auto\"");
    else cs_fmt_double(c, sizeof c, p->C);
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

/* One fit at p's C (> 0). */
static cs_status _fit_one(const lr_params *p, const feat_matrix *m, const size_t *train_rows,
                          size_t n_train, const lrn_fit_opts *opts, lrn_model **out, cs_err *err)
{
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
    {
        cs_buf pj = {0};
        if (_params_to_json(p, &pj, err) == CS_OK) mod->params_json = cs_buf_take(&pj);
        cs_buf_free(&pj);
        if (!mod->params_json) {
            lrn_model_free(mod);
            return CS_ENOMEM;
        }
    }
    *out = mod;
    return CS_OK;
nomem:
    lr_model_free(lr);
    lrn_model_free(mod);
    return CS_ENOMEM;
}

/* The validation AUC of mod on rows va[0..nva) (targets y). */
static cs_status _valid_auc(const lrn_model *mod, const feat_matrix *m, const size_t *va, size_t nva,
                            const double *y, double *auc, cs_err *err)
{
    double *s = cs_malloc(nva * sizeof *s, err);
    if (!s) return CS_ENOMEM;
    cs_status st = lrn_predict_matrix(mod, m, va, nva, 1, s, err);
    if (!st) *auc = ev_auc(y, s, nva);
    free(s);
    return st;
}

/* C "auto": every C of the grid on tr, the best on va kept (in *out when keep, else freed) */
static cs_status _choose_C(const lr_params *p, const feat_matrix *m, const size_t *tr, size_t ntr,
                           const size_t *va, size_t nva, const lrn_fit_opts *opts, int keep,
                           lrn_model **out, double *best_C, cs_err *err)
{
    double *y = cs_malloc(nva * sizeof *y, err), best = -1;
    lrn_model *best_mod = NULL;
    cs_status st = CS_OK;
    if (!y) return CS_ENOMEM;
    if ((st = lrn_targets(m, va, nva, y, err))) {
        cs_err_prefix(err, "validation set: ");
        free(y);
        return st;
    }
    for (size_t i = 0; i < LR_AUTO_N && !st; i++) {
        lr_params q = *p;
        lrn_model *mod = NULL;
        double auc = 0;
        q.C = LR_AUTO_C[i];
        st = _fit_one(&q, m, tr, ntr, opts, &mod, err);
        if (!st) st = _valid_auc(mod, m, va, nva, y, &auc, err);
        if (!st && auc > best) {
            best = auc;
            *best_C = q.C;
            lrn_model_free(best_mod);
            best_mod = mod;
            mod = NULL;
        }
        lrn_model_free(mod);
    }
    free(y);
    if (st || !keep) {
        lrn_model_free(best_mod);
        return st;
    }
    best_mod->best_C = *best_C;
    best_mod->best_valid_auc = best;
    *out = best_mod;
    return CS_OK;
}

static cs_status _fit(const void *vp, const feat_matrix *m, const size_t *train_rows,
                      size_t n_train, const size_t *valid_rows, size_t n_valid,
                      const lrn_fit_opts *opts, lrn_model **out, cs_err *err)
{
    const lr_params *p = vp;
    double C = 0;
    *out = NULL;
    if (p->C > 0) return _fit_one(p, m, train_rows, n_train, opts, out, err);
    if (n_valid) return _choose_C(p, m, train_rows, n_train, valid_rows, n_valid, opts, 1, out, &C, err);
    /* no validation set: choose on a held-out tenth, refit on all rows */
    size_t *tr, *va, ntr, nva;
    cs_status st = lrn_holdout(m, train_rows, n_train, 0, "C", &tr, &ntr, &va, &nva, err);
    if (st) return st;
    st = _choose_C(p, m, tr, ntr, va, nva, opts, 0, NULL, &C, err);
    free(tr);
    free(va);
    if (st) return st;
    lr_params q = *p;
    q.C = C;
    st = _fit_one(&q, m, train_rows, n_train, opts, out, err);
    if (!st) (*out)->best_C = C;
    return st;
}

static int _chooses(const void *vp)
{
    return ((const lr_params *)vp)->C == 0;
}

const lrn_ops lrn_logreg_ops = {
    .kind = LRN_LOGREG,
    .params_create = _params_create,
    .params_set = _params_set,
    .params_to_json = _params_to_json,
    .params_copy = _params_copy,
    .params_free = _params_free,
    .params_chooses = _chooses,
    .fit = _fit,
};
