/*
 * xgb_train.c: training through libxgboost's C API (xgb.h) and the "xgboost" kind of the
 * learner interface (learner.h): parameters under XGBoost's names (and the scikit-learn
 * wrapper's aliases), rounds with XGBoosterUpdateOneIter, validation AUC with
 * XGBoosterEvalOneIter for early stopping, then conversion of the JSON model.
 */
#include "learn_int.h"
#include "xgb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

/* Evaluate a libxgboost call; on failure record its message and jump to `fail`. */
#define XGB_CHECK(call)                                                                     \
    do {                                                                                    \
        if ((call) != 0) {                                                                  \
            st = cs_err_set(err, CS_EINTERNAL, "libxgboost: %s", XGBGetLastError());        \
            goto fail;                                                                      \
        }                                                                                   \
    } while (0)

const char *xgb_params_check(const xgb_params *p)
{
    if (!p) return "no parameters";
    if (p->num_boost_round < 1) return "num_boost_round must be >= 1";
    if (!(p->eta > 0 && p->eta <= 1)) return "eta must be in (0, 1]";
    if (p->max_depth < 1) return "max_depth must be >= 1";
    if (!(p->min_child_weight >= 0)) return "min_child_weight must be >= 0";
    if (!(p->subsample > 0 && p->subsample <= 1)) return "subsample must be in (0, 1]";
    if (!(p->colsample_bytree > 0 && p->colsample_bytree <= 1)) return "colsample_bytree must be in (0, 1]";
    if (!(p->lambda >= 0)) return "lambda must be >= 0";
    if (!(p->alpha >= 0)) return "alpha must be >= 0";
    if (!(p->gamma >= 0)) return "gamma must be >= 0";
    if (p->max_bin < 2) return "max_bin must be >= 2";
    if (!(p->scale_pos_weight > 0)) return "scale_pos_weight must be > 0";
    if (p->nthread < 0) return "nthread must be >= 0";
    if (p->early_stopping_rounds < 0) return "early_stopping_rounds must be >= 0";
    return NULL;
}

static cs_status _set(BoosterHandle h, const char *name, double v, cs_err *err)
{
    char s[32];
    cs_fmt_double(s, sizeof s, v);
    if (XGBoosterSetParam(h, name, s) != 0)
        return cs_err_set(err, CS_EINTERNAL, "libxgboost: %s=%s: %s", name, s, XGBGetLastError());
    return CS_OK;
}

static cs_status _set_params(BoosterHandle h, const xgb_params *p, cs_err *err)
{
    static const char *const fixed[][2] = {
        {"objective", "binary:logistic"}, {"eval_metric", "auc"}, {"tree_method", "hist"},
        {"verbosity", "0"}, {"booster", "gbtree"},
    };
    for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++)
        if (XGBoosterSetParam(h, fixed[k][0], fixed[k][1]) != 0)
            return cs_err_set(err, CS_EINTERNAL, "libxgboost: %s: %s", fixed[k][0], XGBGetLastError());
    cs_status st;
    if ((st = _set(h, "eta", p->eta, err)) || (st = _set(h, "max_depth", p->max_depth, err)) ||
        (st = _set(h, "min_child_weight", p->min_child_weight, err)) ||
        (st = _set(h, "subsample", p->subsample, err)) ||
        (st = _set(h, "colsample_bytree", p->colsample_bytree, err)) ||
        (st = _set(h, "lambda", p->lambda, err)) || (st = _set(h, "alpha", p->alpha, err)) ||
        (st = _set(h, "gamma", p->gamma, err)) || (st = _set(h, "max_bin", p->max_bin, err)) ||
        (st = _set(h, "scale_pos_weight", p->scale_pos_weight, err)) ||
        (st = _set(h, "nthread", p->nthread, err)) || (st = _set(h, "seed", p->seed, err)))
        return st;
    return CS_OK;
}

/* A DMatrix of rows of m with their labels. */
static cs_status _dmatrix(const feat_matrix *m, const size_t *rows, size_t n, int nthread,
                          DMatrixHandle *out, cs_err *err)
{
    cs_status st = CS_OK;
    *out = NULL;
    float *x = xgb_dense_rows(m, rows, n, err);
    float *y = cs_malloc((n ? n : 1) * sizeof(float), err);
    double *yd = cs_malloc((n ? n : 1) * sizeof(double), err);
    if (!x || !y || !yd) {
        st = CS_ENOMEM;
        goto fail;
    }
    if ((st = lrn_targets(m, rows, n, yd, err))) goto fail;
    for (size_t i = 0; i < n; i++) y[i] = (float)yd[i];
    XGB_CHECK(XGDMatrixCreateFromMat_omp(x, n, m->n_feats, NAN, out, nthread));
    XGB_CHECK(XGDMatrixSetFloatInfo(*out, "label", y, n));
fail:
    if (st && *out) {
        XGDMatrixFree(*out);
        *out = NULL;
    }
    free(x);
    free(y);
    free(yd);
    return st;
}

/* The AUC in XGBoost's evaluation line ("[3]\tvalid-auc:0.71234"), NaN when absent. */
static double _parse_auc(const char *line)
{
    const char *s = line ? strstr(line, "valid-auc:") : NULL;
    if (!s) return NAN;
    char *end;
    double v = strtod(s + 10, &end);
    return end == s + 10 ? NAN : v;
}

cs_status xgb_fit(const xgb_params *p, const feat_matrix *m, const size_t *train_rows,
                  size_t n_train, const size_t *valid_rows, size_t n_valid,
                  lrn_progress_fn progress, void *progress_user, lrn_model **out,
                  char **model_json, cs_err *err)
{
    *out = NULL;
    if (model_json) *model_json = NULL;
    const char *bad = xgb_params_check(p);
    if (bad) return cs_err_set(err, CS_EINVAL, "xgboost: %s", bad);
    if (!m || n_train == 0) return cs_err_set(err, CS_EINVAL, "xgboost: no training rows");
    if (m->n_feats == 0) return cs_err_set(err, CS_EINVAL, "xgboost: no features");
    cs_status st = CS_OK;
    DMatrixHandle dm[2] = {NULL, NULL};
    BoosterHandle h = NULL;
    int has_valid = valid_rows && n_valid > 0;
    if ((st = _dmatrix(m, train_rows, n_train, p->nthread, &dm[0], err))) goto fail;
    if (has_valid && (st = _dmatrix(m, valid_rows, n_valid, p->nthread, &dm[1], err))) goto fail;
    XGB_CHECK(XGBoosterCreate(dm, has_valid ? 2 : 1, &h));
    if ((st = _set_params(h, p, err))) goto fail;
    const char *names[1] = {"valid"};
    double best_auc = -INFINITY;
    int best_round = -1, rounds = 0;
    for (int it = 0; it < p->num_boost_round; it++) {
        XGB_CHECK(XGBoosterUpdateOneIter(h, it, dm[0]));
        rounds = it + 1;
        double auc = NAN;
        if (has_valid) {
            const char *line = NULL;
            XGB_CHECK(XGBoosterEvalOneIter(h, it, &dm[1], names, 1, &line));
            auc = _parse_auc(line);
            if (auc > best_auc) {
                best_auc = auc;
                best_round = it;
            }
        }
        if (progress && progress(progress_user, rounds, p->num_boost_round, auc)) {
            st = cs_err_set(err, CS_EINTERRUPTED, "xgboost: cancelled after %d rounds", rounds);
            goto fail;
        }
        if (has_valid && p->early_stopping_rounds > 0 && best_round >= 0 &&
            it - best_round >= p->early_stopping_rounds)
            break;
    }
    bst_ulong len = 0;
    const char *buf = NULL;
    XGB_CHECK(XGBoosterSaveModelToBuffer(h, "{\"format\": \"json\"}", &len, &buf));
    int32_t keep = (has_valid && p->early_stopping_rounds > 0 && best_round >= 0) ? best_round + 1 : rounds;
    *out = xgb_model_from_json(buf, (size_t)len, m->n_feats, keep, err);
    if (!*out) {
        st = err ? err->code : CS_EINTERNAL;
        goto fail;
    }
    if (has_valid) {
        (*out)->best_iteration = keep;
        (*out)->best_valid_auc = best_round == keep - 1 ? best_auc : NAN;
    }
    if (model_json) {
        *model_json = cs_malloc((size_t)len + 1, err);
        if (!*model_json) {
            st = CS_ENOMEM;
            lrn_model_free(*out);
            *out = NULL;
            goto fail;
        }
        memcpy(*model_json, buf, (size_t)len);
        (*model_json)[len] = '\0';
    }
fail:
    if (h) XGBoosterFree(h);
    if (dm[0]) XGDMatrixFree(dm[0]);
    if (dm[1]) XGDMatrixFree(dm[1]);
    return st;
}

/* ---- the learner interface ---------------------------------------------------------- */

static void *_params_create(cs_err *err)
{
    xgb_params *p = cs_malloc(sizeof *p, err);
    if (p) *p = XGB_PARAMS_DEFAULT;
    return p;
}

typedef struct _pdef {
    const char *name, *alias, *alias2;
    int is_int;
    double lo, hi;          /* accepted range, inclusive */
    size_t off;             /* offsetof in xgb_params */
} _pdef;

#define PD(n, a, a2, isint, lo, hi, field) {n, a, a2, isint, lo, hi, offsetof(xgb_params, field)}
static const _pdef _defs[] = {
    PD("num_boost_round", "n_estimators", NULL, 1, 1, 100000, num_boost_round),
    PD("eta", "learning_rate", NULL, 0, 1e-12, 1, eta),
    PD("max_depth", NULL, NULL, 1, 1, 64, max_depth),
    PD("min_child_weight", NULL, NULL, 0, 0, 1e300, min_child_weight),
    PD("subsample", NULL, NULL, 0, 1e-12, 1, subsample),
    PD("colsample_bytree", NULL, NULL, 0, 1e-12, 1, colsample_bytree),
    PD("lambda", "reg_lambda", NULL, 0, 0, 1e300, lambda),
    PD("alpha", "reg_alpha", NULL, 0, 0, 1e300, alpha),
    PD("gamma", "min_split_loss", NULL, 0, 0, 1e300, gamma),
    PD("max_bin", NULL, NULL, 1, 2, 65536, max_bin),
    PD("scale_pos_weight", NULL, NULL, 0, 1e-12, 1e300, scale_pos_weight),
    PD("nthread", "n_jobs", "num_threads", 1, -1, 1024, nthread),
    PD("seed", "random_state", NULL, 1, 0, 2147483647, seed),
    PD("early_stopping_rounds", NULL, NULL, 1, 0, 100000, early_stopping_rounds),
};
#define N_DEFS (sizeof _defs / sizeof _defs[0])

static cs_status _params_set(void *vp, const char *name, const char *value, cs_err *err)
{
    xgb_params *p = vp;
    if (!strcmp(name, "tree_method")) {     /* accepted for XGBoost users; hist only */
        char *s = NULL;
        cs_status st = lrn_value_string(name, value, &s, err);
        if (!st && (!s || strcmp(s, "hist")))
            st = cs_err_set(err, CS_EINVAL, "tree_method: only \"hist\" is supported, got %s", value);
        free(s);
        return st;
    }
    for (size_t k = 0; k < N_DEFS; k++) {
        const _pdef *d = &_defs[k];
        if (strcmp(name, d->name) && !(d->alias && !strcmp(name, d->alias)) &&
            !(d->alias2 && !strcmp(name, d->alias2)))
            continue;
        double v;
        cs_status st = lrn_value_number(name, value, &v, err);
        if (st) return st;
        if (v < d->lo || v > d->hi || (d->is_int && v != floor(v)))
            return cs_err_set(err, CS_EINVAL, "%s: expected %s in [%g, %g], got %s", name,
                              d->is_int ? "an integer" : "a number", d->lo, d->hi, value);
        char *field = (char *)p + d->off;
        if (d->is_int) *(int *)field = (int)v < 0 ? 0 : (int)v;
        else *(double *)field = v;
        return CS_OK;
    }
    return cs_err_set(err, CS_EINVAL,
                      "xgboost has no parameter '%s' (num_boost_round, eta, max_depth, "
                      "min_child_weight, subsample, colsample_bytree, lambda, alpha, gamma, "
                      "max_bin, scale_pos_weight, nthread, seed, early_stopping_rounds, tree_method)",
                      name);
}

static cs_status _params_to_json(const void *vp, cs_buf *out, cs_err *err)
{
    const xgb_params *p = vp;
    cs_status st = cs_buf_puts(out, "{", err);
    for (size_t k = 0; k < N_DEFS && !st; k++) {
        const char *field = (const char *)p + _defs[k].off;
        char num[32];
        if (_defs[k].is_int) snprintf(num, sizeof num, "%d", *(const int *)field);
        else cs_fmt_double(num, sizeof num, *(const double *)field);
        st = cs_buf_printf(out, err, "%s\"%s\": %s", k ? ", " : "", _defs[k].name, num);
    }
    if (!st) st = cs_buf_puts(out, ", \"tree_method\": \"hist\"}", err);
    return st;
}

static void *_params_copy(const void *vp, cs_err *err)
{
    xgb_params *p = cs_malloc(sizeof *p, err);
    if (p) *p = *(const xgb_params *)vp;
    return p;
}

static void _params_free(void *p) { free(p); }

static cs_status _fit(const void *vp, const feat_matrix *m, const size_t *train_rows,
                      size_t n_train, const size_t *valid_rows, size_t n_valid,
                      const lrn_fit_opts *opts, lrn_model **out, cs_err *err)
{
    return xgb_fit(vp, m, train_rows, n_train, valid_rows, n_valid, opts ? opts->progress : NULL,
                   opts ? opts->progress_user : NULL, out, NULL, err);
}

const lrn_ops lrn_xgboost_ops = {
    .kind = LRN_XGBOOST,
    .params_create = _params_create,
    .params_set = _params_set,
    .params_to_json = _params_to_json,
    .params_copy = _params_copy,
    .params_free = _params_free,
    .fit = _fit,
};
