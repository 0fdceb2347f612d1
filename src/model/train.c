/*
 * train.c: cross-validation of a learner, search, calibration, threshold, refit and the
 * reference data: the procedure of `creditscore train` (contract in train.h).
 */
#include "train.h"

#include "../explain/shap.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define UNITS_PER_FOLD 1000

cs_status mf_training_rows(const feat_matrix *m, size_t **rows, size_t *n, cs_err *err)
{
    size_t c = 0;
    *rows = NULL;
    *n = 0;
    for (size_t i = 0; i < m->n_rows; i++) {
        double t = m->target[i];
        if (isnan(t)) continue;
        if (t != 0.0 && t != 1.0)
            return cs_err_set(err, CS_EINVAL, "row %zu (SK_ID_CURR %lld): target %g is not 0 or 1",
                              i + 1, (long long)m->ids[i], t);
        c++;
    }
    if (c == 0) return cs_err_set(err, CS_EINVAL, "no row has a target: nothing to train on");
    *rows = cs_malloc(c * sizeof **rows, err);
    if (!*rows) return CS_ENOMEM;
    for (size_t i = 0; i < m->n_rows; i++)
        if (!isnan(m->target[i])) (*rows)[(*n)++] = i;
    return CS_OK;
}

/* ---- cross-validation ------------------------------------------------------------ */

typedef struct _cvctx {
    const lrn_params *p;
    const feat_matrix *m;
    const size_t *rows;     /* training rows: CV indices map through this */
    lrn_cache *cache;
    cs_progress *progress;
    uint64_t base;          /* progress units before this CV */
    int k, fold;
    size_t *tr, *va;        /* matrix rows of the current fold */
    double best_iter_sum;   /* sum of the folds' best iterations */
    int n_best;             /* folds that stopped early */
    const mf_train_opts *obs; /* on_iteration observer, or NULL */
    int *fold_iter;         /* k: each fold's best iteration (0: none), or NULL */
    double *fold_C;         /* k: each fold's chosen C (0: none), or NULL */
} _cvctx;

static int _on_iter(void *user, int done, int total, double valid_auc)
{
    _cvctx *c = user;
    char note[80];
    if (c->obs && c->obs->on_iteration && !isnan(valid_auc))
        c->obs->on_iteration(c->obs->observer, c->fold, done, valid_auc);
    if (!c->progress || total <= 0) return 0;
    uint64_t u = c->base + (uint64_t)c->fold * UNITS_PER_FOLD +
                 (uint64_t)((double)UNITS_PER_FOLD * done / total);
    if (isnan(valid_auc)) snprintf(note, sizeof note, "fold %d/%d iter %d/%d", c->fold + 1, c->k, done, total);
    else snprintf(note, sizeof note, "fold %d/%d iter %d/%d auc %.4f", c->fold + 1, c->k, done, total, valid_auc);
    cs_progress_update(c->progress, u, note);
    return 0;
}

static cs_status _fit_fold(void *ctx, int fold, const size_t *train_idx, size_t nt,
                           const size_t *valid_idx, size_t nv, double *vp, cs_err *err)
{
    _cvctx *c = ctx;
    lrn_model *mod = NULL;
    lrn_fit_opts o = {.cache = c->cache, .progress = _on_iter, .progress_user = c};
    cs_status st;
    c->fold = fold;
    for (size_t i = 0; i < nt; i++) c->tr[i] = c->rows[train_idx[i]];
    for (size_t i = 0; i < nv; i++) c->va[i] = c->rows[valid_idx[i]];
    st = lrn_fit(c->p, c->m, c->tr, nt, c->va, nv, &o, &mod, err);
    if (st) return st;
    if (mod->best_iteration > 0) {
        c->best_iter_sum += mod->best_iteration;
        c->n_best++;
    }
    if (c->fold_iter) c->fold_iter[fold] = mod->best_iteration;
    if (c->fold_C) c->fold_C[fold] = mod->best_C;
    st = lrn_predict_matrix(mod, c->m, c->va, nv, 0, vp, err);
    lrn_model_free(mod);
    return st;
}

static cs_status _cv(const lrn_params *p, const feat_matrix *m, const size_t *rows, size_t n,
                     int k, uint64_t seed, lrn_cache *cache, cs_progress *progress,
                     uint64_t base, ev_cv_result *out, double *mean_best_iter,
                     const mf_train_opts *obs, int *fold_iter, double *fold_C, cs_err *err)
{
    _cvctx c = {p, m, rows, cache, progress, base, k, 0, NULL, NULL, 0, 0, obs, fold_iter, fold_C};
    double *y = cs_malloc((n ? n : 1) * sizeof *y, err);
    cs_status st = CS_ENOMEM;
    memset(out, 0, sizeof *out);
    c.tr = cs_malloc((n ? n : 1) * sizeof *c.tr, err);
    c.va = cs_malloc((n ? n : 1) * sizeof *c.va, err);
    if (y && c.tr && c.va) {
        for (size_t i = 0; i < n; i++) y[i] = m->target[rows[i]];
        /* ev_cv_run's own progress counts folds; ours counts iterations, so pass NULL */
        st = ev_cv_run(y, n, k, seed, _fit_fold, &c, NULL, 0, out, err);
        if (!st && progress) {
            char note[64];
            snprintf(note, sizeof note, "cv auc %.4f +- %.4f", out->auc_mean, out->auc_sd);
            cs_progress_update(progress, base + (uint64_t)k * UNITS_PER_FOLD, note);
        }
    }
    if (mean_best_iter) *mean_best_iter = c.n_best == k ? c.best_iter_sum / k : 0;
    free(y);
    free(c.tr);
    free(c.va);
    return st;
}

cs_status mf_cross_validate(const lrn_params *p, const feat_matrix *m, const size_t *rows,
                            size_t n, int k, uint64_t seed, lrn_cache *cache,
                            cs_progress *progress, uint64_t progress_base, ev_cv_result *out,
                            cs_err *err)
{
    cs_status st;
    lrn_params *q = lrn_params_copy(p, err);
    if (!q) return err ? err->code : CS_ENOMEM;
    lrn_params_resolve(q, n, m->n_feats);
    st = _cv(q, m, rows, n, k, seed, cache, progress, progress_base, out, NULL, NULL, NULL, NULL, err);
    lrn_params_free(q);
    return st;
}

/* ---- search ------------------------------------------------------------------------ */

typedef struct _searchctx {
    const mf_train_opts *o;
    const feat_matrix *m;
    const size_t *rows;
    size_t n;
    lrn_cache *cache;
    cs_progress *progress;
} _searchctx;

static cs_status _apply_trial(lrn_params *p, const ev_trial *t, cs_err *err)
{
    for (size_t i = 0; i < t->n; i++) {
        cs_status st = lrn_params_set(p, t->names[i], t->values[i], err);
        if (st) return st;
    }
    return CS_OK;
}

static cs_status _score_trial(void *ctx, const ev_trial *t, size_t index, ev_trial_score *out,
                              cs_err *err)
{
    _searchctx *s = ctx;
    double t0 = cs_now();
    ev_cv_result cv;
    cs_status st;
    lrn_params *p = lrn_params_copy(s->o->params, err);
    double *y = NULL;
    if (!p) return err ? err->code : CS_ENOMEM;
    st = _apply_trial(p, t, err);
    if (!st) lrn_params_resolve(p, s->n, s->m->n_feats);
    if (!st)
        st = _cv(p, s->m, s->rows, s->n, s->o->k, s->o->seed, s->cache, s->progress,
                 (uint64_t)index * (uint64_t)s->o->k * UNITS_PER_FOLD, &cv, NULL, NULL, NULL, NULL, err);
    lrn_params_free(p);
    if (st) return st;
    y = cs_malloc(s->n * sizeof *y, err);
    if (!y) {
        ev_cv_result_free(&cv);
        return CS_ENOMEM;
    }
    for (size_t i = 0; i < s->n; i++) y[i] = s->m->target[s->rows[i]];
    out->auc_mean = cv.auc_mean;
    out->auc_sd = cv.auc_sd;
    st = ev_best_threshold(y, cv.oof, s->n, s->o->cost, &out->threshold, &out->cost, err);
    free(y);
    ev_cv_result_free(&cv);
    if (!st && s->o->on_trial) {
        out->seconds = cs_now() - t0;
        s->o->on_trial(s->o->observer, index, t, out);
    }
    return st;
}

static char *_search_json(const mf_train_opts *o, const ev_search_result *r, cs_err *err)
{
    cs_buf b = {0};
    char v[4][40];
    cs_status st = cs_buf_printf(&b, err, "{\"kind\": \"%s\", \"scoring\": \"%s\", \"best\": %zu, \"trials\": [",
                                 ev_space_grid_size(o->space) ? "grid" : "random",
                                 ev_scoring_name(o->scoring), r->best);
    for (size_t i = 0; !st && i < r->n; i++) {
        const ev_trial_score *s = &r->scores[i];
        double d[4] = {s->auc_mean, s->auc_sd, s->cost, s->seconds};
        for (int j = 0; j < 4; j++) {
            if (isfinite(d[j])) cs_fmt_double(v[j], sizeof v[j], d[j]);
            else strcpy(v[j], "null");
        }
        st = cs_buf_printf(&b, err, "%s{\"params\": %s, \"auc_mean\": %s, \"auc_sd\": %s, \"cost\": %s, \"seconds\": %s}",
                           i ? ", " : "", r->trials[i].json, v[0], v[1], v[2], v[3]);
    }
    if (!st) st = cs_buf_puts(&b, "]}", err);
    if (st) {
        cs_buf_free(&b);
        return NULL;
    }
    return cs_buf_take(&b);
}

/* ---- the whole procedure ---------------------------------------------------------- */

static void _num(char *v, size_t n, double x)
{
    if (isfinite(x)) cs_fmt_double(v, n, x);
    else snprintf(v, n, "null");
}

typedef struct _pair {
    double raw, cal;
} _pair;

static int _cmp_pair(const void *a, const void *b)
{
    const _pair *u = a, *v = b;
    if (u->raw != v->raw) return (u->raw > v->raw) - (u->raw < v->raw);
    return (u->cal > v->cal) - (u->cal < v->cal);
}

/* The check of a strictly increasing calibration: the calibrated AUC equals the raw one
 * within 1e-9, the raw read as the calibration reads it (clipped to [EV_CALIB_P_MIN,
 * EV_CALIB_P_MAX]: a forest's 1 and the double below it are one value there). When it does
 * not, the only excuse is raw probabilities that differ by rounding alone (within 1e-12
 * relative: a forest's average of 0.1 + 0.2 against 0.3), which a calibration computed in
 * doubles may merge: then no pair may be inverted and no merge may span more than that.
 * CS_EINTERNAL naming the AUCs otherwise. */
static cs_status _check_order(const double *y, const double *raw, const double *cal, size_t n,
                              double *raw_auc, double *cal_auc, cs_err *err)
{
    _pair *a = cs_malloc(n * sizeof *a, err);
    double *clip = cs_malloc(n * sizeof *clip, err);
    cs_status st = CS_OK;
    if (!a || !clip) {
        free(a);
        free(clip);
        return CS_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        double v = raw[i];
        clip[i] = v < EV_CALIB_P_MIN ? EV_CALIB_P_MIN : v > EV_CALIB_P_MAX ? EV_CALIB_P_MAX : v;
        a[i] = (_pair){clip[i], cal[i]};
    }
    *raw_auc = ev_auc(y, clip, n);
    *cal_auc = ev_auc(y, cal, n);
    if (!(fabs(*cal_auc - *raw_auc) <= 1e-9)) {
        qsort(a, n, sizeof *a, _cmp_pair);
        for (size_t i = 1; i < n && !st; i++) {
            if (a[i].raw == a[i - 1].raw) continue;
            int close = a[i].raw - a[i - 1].raw <= 1e-12 * fabs(a[i].raw);
            if (a[i].cal < a[i - 1].cal || (a[i].cal == a[i - 1].cal && !close))
                st = cs_err_set(err, CS_EINTERNAL, "it changed the out-of-fold AUC from %.12f to %.12f "
                                "(raw %.17g and %.17g calibrate to %.17g and %.17g)", *raw_auc, *cal_auc,
                                a[i - 1].raw, a[i].raw, a[i - 1].cal, a[i].cal);
        }
    }
    free(a);
    free(clip);
    return st;
}

/* What the defaults chose: the rounds and C of each fold and the refit's (with the rule),
 * and the calibration's candidates. */
static char *_tuning_json(const mf_train_opts *o, const mf_trained *t, int chooses, const int *fold_iter,
                          double best_iter, const double *fold_C, double chosen_C, cs_err *err)
{
    cs_buf b = {0};
    char v[2][40];
    int n_iter = 0;
    for (int f = 0; f < o->k; f++) n_iter += fold_iter[f] > 0;
    cs_status st = cs_buf_puts(&b, "{", err);
    if (!st && chooses && n_iter == o->k) {
        st = cs_buf_printf(&b, err, "\"num_iterations\": {\"rule\": \"mean of the folds' best rounds (early "
                           "stopping on validation AUC)\", \"chosen\": %ld, \"folds\": [", lround(best_iter));
        for (int f = 0; !st && f < o->k; f++) st = cs_buf_printf(&b, err, "%s%d", f ? ", " : "", fold_iter[f]);
        if (!st) st = cs_buf_puts(&b, "]}, ", err);
    }
    if (!st && chosen_C > 0) {
        _num(v[0], sizeof v[0], chosen_C);
        st = cs_buf_printf(&b, err, "\"C\": {\"rule\": \"geometric mean of the folds' best C (validation AUC)\", "
                           "\"chosen\": %s, \"folds\": [", v[0]);
        for (int f = 0; !st && f < o->k; f++) {
            _num(v[0], sizeof v[0], fold_C[f]);
            st = cs_buf_printf(&b, err, "%s%s", f ? ", " : "", v[0]);
        }
        if (!st) st = cs_buf_puts(&b, "]}, ", err);
    }
    if (!st) {
        _num(v[0], sizeof v[0], t->calib_choice.log_loss_platt);
        _num(v[1], sizeof v[1], t->calib_choice.log_loss_isotonic_interp);
        st = cs_buf_printf(&b, err, "\"calibration\": {\"asked\": \"%s\", \"chosen\": \"%s\", "
                           "\"oof_log_loss_platt\": %s, \"oof_log_loss_isotonic_interp\": %s}}",
                           ev_calib_kind_name(o->calib), ev_calib_kind_name(ev_calib_kind_of(t->calib)), v[0], v[1]);
    }
    if (st) {
        cs_buf_free(&b);
        return NULL;
    }
    return cs_buf_take(&b);
}

void mf_trained_free(mf_trained *t)
{
    if (!t) return;
    lrn_params_free(t->params);
    free(t->params_json);
    ev_search_result_free(&t->search);
    free(t->search_json);
    ev_cv_result_free(&t->cv);
    free(t->oof_cal);
    ev_calib_free(t->calib);
    free(t->tuning_json);
    free(t->curve);
    lrn_model_free(t->learner);
    mf_reference_free(t->reference);
    free(t->importance);
    mf_test_ref_free(t->test);
    free(t->oof_target);
    free(t->rows);
    memset(t, 0, sizeof *t);
}

cs_status mf_train(const mf_train_opts *o, const feat_matrix *m, mf_trained *t, cs_err *err)
{
    cs_status st;
    lrn_cache *cache = NULL;
    cs_progress *prog = NULL;
    double *y = NULL, best_iter = 0, t0 = cs_now(), cost, chosen_C = 0;
    char label[64];
    cs_buf pj = {0};
    int *fold_iter = NULL, chooses;
    double *fold_C = NULL;

    memset(t, 0, sizeof *t);
    st = mf_training_rows(m, &t->rows, &t->n_train, err);
    if (st) return st;
    y = cs_malloc(t->n_train * sizeof *y, err);
    if (!y) goto nomem;
    for (size_t i = 0; i < t->n_train; i++) {
        y[i] = m->target[t->rows[i]];
        t->positive_rate += y[i];
    }
    t->positive_rate /= (double)t->n_train;
    mf_data_digest(m, t->rows, t->n_train, t->digest, sizeof t->digest);
    cache = lrn_cache_create(m, err);
    if (!cache) goto fail;

    /* 1. search (optional): each trial cross-validated, the best kept */
    t->params = lrn_params_copy(o->params, err);
    if (!t->params) goto fail;
    if (o->space) {
        _searchctx sc = {o, m, t->rows, t->n_train, cache, NULL};
        size_t n_trials = ev_space_grid_size(o->space) ? ev_space_grid_size(o->space) : o->n_trials;
        snprintf(label, sizeof label, "search %s", lrn_kind_name(lrn_params_kind(o->params)));
        prog = o->progress_out ? cs_progress_create(o->progress_out, label, (uint64_t)n_trials * (uint64_t)o->k * UNITS_PER_FOLD) : NULL;
        sc.progress = prog;
        st = ev_search_run(o->space, o->n_trials, o->seed, o->scoring, _score_trial, &sc, &t->search, err);
        if (st) goto fail;
        char note[64];
        snprintf(note, sizeof note, "best trial %zu of %zu", t->search.best + 1, t->search.n);
        cs_progress_finish(prog, note);
        cs_progress_free(prog);
        prog = NULL;
        st = _apply_trial(t->params, &t->search.trials[t->search.best], err);
        if (st) goto fail;
        t->search_json = _search_json(o, &t->search, err);
        if (!t->search_json) goto fail;
    }

    /* 2. cross-validation of the chosen parameters: out-of-fold probabilities; the
     * size-dependent defaults resolved once for all training rows */
    lrn_params_resolve(t->params, t->n_train, m->n_feats);
    chooses = lrn_params_chooses(t->params);
    fold_iter = cs_calloc((size_t)o->k, sizeof *fold_iter, err);
    fold_C = cs_calloc((size_t)o->k, sizeof *fold_C, err);
    if (!fold_iter || !fold_C) goto nomem;
    snprintf(label, sizeof label, "cv %s", lrn_kind_name(lrn_params_kind(t->params)));
    prog = o->progress_out ? cs_progress_create(o->progress_out, label, (uint64_t)o->k * UNITS_PER_FOLD) : NULL;
    st = _cv(t->params, m, t->rows, t->n_train, o->k, o->seed, cache, prog, 0, &t->cv, &best_iter, o,
             fold_iter, fold_C, err);
    if (st) goto fail;
    {
        char note[64];
        snprintf(note, sizeof note, "auc %.4f +- %.4f", t->cv.auc_mean, t->cv.auc_sd);
        cs_progress_finish(prog, note);
        cs_progress_free(prog);
        prog = NULL;
    }

    /* 3. calibration on the OOF probabilities, threshold and cost curve in calibrated space */
    if (o->calib == EV_CALIB_AUTO)
        t->calib = ev_calib_fit_auto(y, t->cv.oof, t->cv.fold, t->n_train, o->k, &t->calib_choice, err);
    else
        t->calib = ev_calib_fit(o->calib, y, t->cv.oof, t->n_train, err);
    if (!t->calib) goto fail;
    if (o->calib != EV_CALIB_AUTO) {
        t->calib_choice.log_loss_platt = t->calib_choice.log_loss_isotonic_interp = NAN;
        t->calib_choice.chosen = ev_calib_kind_of(t->calib);
    }
    t->oof_cal = cs_malloc(t->n_train * sizeof *t->oof_cal, err);
    if (!t->oof_cal) goto nomem;
    for (size_t i = 0; i < t->n_train; i++) t->oof_cal[i] = ev_calib_apply(t->calib, t->cv.oof[i]);
    t->raw_oof_auc = ev_auc(y, t->cv.oof, t->n_train);
    if (ev_calib_keeps_order(t->calib)) {
        /* a strictly increasing calibration keeps the ranking: the AUC must not move. Its
         * input is read to [EV_CALIB_P_MIN, EV_CALIB_P_MAX] (a forest's 1 and the double just
         * below it are one value there), so the raw AUC it must keep is that of the clipped
         * raw probabilities (the same as the raw AUC unless raw values lie within 1e-15 of 0
         * or 1). */
        double raw_auc, cal_auc;
        st = _check_order(y, t->cv.oof, t->oof_cal, t->n_train, &raw_auc, &cal_auc, err);
        if (st == CS_EINTERNAL)
            cs_err_prefix(err, "the %s calibration: ", ev_calib_kind_name(ev_calib_kind_of(t->calib)));
        if (st) goto fail;
    }
    st = ev_best_threshold(y, t->oof_cal, t->n_train, o->cost, &t->threshold, &cost, err);
    if (st) goto fail;
    st = ev_cost_curve(y, t->oof_cal, t->n_train, o->cost, 101, t->threshold, &t->curve, &t->n_curve, err);
    if (st) goto fail;

    /* 4. metrics of the OOF predictions */
    {
        mf_metrics *mt = &t->metrics;
        ev_confusion c = ev_confusion_at(y, t->oof_cal, t->n_train, t->threshold);
        mt->k = o->k;
        mt->auc_mean = t->cv.auc_mean;
        mt->auc_sd = t->cv.auc_sd;
        mt->oof_auc = ev_auc(y, t->oof_cal, t->n_train);
        mt->gini = ev_gini(mt->oof_auc);
        mt->ks = ev_ks(y, t->oof_cal, t->n_train);
        mt->log_loss = ev_log_loss(y, t->oof_cal, t->n_train);
        mt->brier = ev_brier(y, t->oof_cal, t->n_train);
        mt->cost = cost;
        mt->cost_at_half = ev_cost_at(y, t->oof_cal, t->n_train, 0.5, o->cost);
        mt->tp = (double)c.tp;
        mt->fp = (double)c.fp;
        mt->tn = (double)c.tn;
        mt->fn = (double)c.fn;
        mt->fold_auc = t->cv.fold_auc;
    }

    /* 5. refit on all training rows (iterations from early stopping when the folds stopped;
     * logreg's C the geometric mean of the folds' when it chose one) */
    if (best_iter >= 1) {
        char v[32];
        snprintf(v, sizeof v, "%d", (int)lround(best_iter));
        cs_err e2 = {0};
        if (lrn_params_set(t->params, "n_estimators", v, &e2) != CS_OK) { /* kind without it: keep */ }
    }
    {
        double sl = 0;
        int nc = 0;
        for (int f = 0; f < o->k; f++)
            if (fold_C[f] > 0) {
                sl += log(fold_C[f]);
                nc++;
            }
        if (nc == o->k) {
            char v[40];
            chosen_C = exp(sl / o->k);
            cs_fmt_double(v, sizeof v, chosen_C);
            if ((st = lrn_params_set(t->params, "C", v, err))) goto fail;
        }
    }
    {
        double tf = cs_now();
        _cvctx c = {t->params, m, t->rows, cache, NULL, 0, 1, 0, NULL, NULL, 0, 0, NULL, NULL, NULL};
        lrn_fit_opts fo = {.cache = cache, .progress = _on_iter, .progress_user = &c};
        snprintf(label, sizeof label, "fit %s", lrn_kind_name(lrn_params_kind(t->params)));
        prog = o->progress_out ? cs_progress_create(o->progress_out, label, UNITS_PER_FOLD) : NULL;
        c.progress = prog;
        st = lrn_fit(t->params, m, t->rows, t->n_train, NULL, 0, &fo, &t->learner, err);
        if (st) goto fail;
        cs_progress_finish(prog, NULL);
        cs_progress_free(prog);
        prog = NULL;
        t->metrics.fit_seconds = t->cv.seconds + (cs_now() - tf);
    }
    st = lrn_params_to_json(t->params, &pj, err);
    if (st) goto fail;
    t->params_json = cs_buf_take(&pj);
    t->tuning_json = _tuning_json(o, t, chooses, fold_iter, best_iter, fold_C, chosen_C, err);
    if (!t->tuning_json) goto fail;

    /* 6. expected value (TreeSHAP's / the linear reference's: explain/shap.h; the mean raw
     * score over training rows if the explainer refuses the model) and the reference data */
    shap_explainer *ex = shap_explainer_create(t->learner, NULL);
    if (ex) {
        t->expected_value = shap_expected_value(ex);
    } else {
        double *raw = cs_malloc(t->n_train * sizeof *raw, err), s = 0;
        if (!raw) goto nomem;
        st = lrn_predict_matrix(t->learner, m, t->rows, t->n_train, 1, raw, err);
        if (st) {
            free(raw);
            goto fail;
        }
        for (size_t i = 0; i < t->n_train; i++) s += raw[i];
        t->expected_value = s / (double)t->n_train;
        free(raw);
    }
    t->reference = mf_reference_build(m, t->rows, t->n_train, t->oof_cal, t->threshold,
                                      o->max_sample ? o->max_sample : 5000, o->seed, err);
    if (!t->reference) {
        shap_explainer_free(ex);
        goto fail;
    }
    /* 7. global importance: mean |contribution| over the reference sample, stored in the
     * model file so that loading never recomputes it */
    if (ex) {
        const mf_reference *r = t->reference;
        feat_matrix view;
        memset(&view, 0, sizeof view);      /* a read-only view of the sample, not freed */
        view.n_rows = r->n_sample;
        view.n_feats = r->n_feats;
        view.names = m->names;
        view.ids = r->sample_ids;
        view.target = r->sample_target;
        view.values = r->sample_values;
        t->importance = cs_calloc(m->n_feats ? m->n_feats : 1, sizeof *t->importance, err);
        st = t->importance ? shap_importance(ex, &view, NULL, r->n_sample, 0, 0, t->importance, NULL,
                                             &t->importance_rows, err)
                           : CS_ENOMEM;
        shap_explainer_free(ex);
        if (st) goto fail;
    }
    /* 8. for the model report: the training rows' targets beside their OOF probabilities, and
     * the test rows (no target) scored by the refit model, binned as the training rows */
    {
        size_t nt = 0, *tr;
        double *tp;
        if (!(t->oof_target = cs_malloc(t->n_train * sizeof *t->oof_target, err))) goto nomem;
        for (size_t i = 0; i < t->n_train; i++) t->oof_target[i] = m->target[t->rows[i]];
        for (size_t i = 0; i < m->n_rows; i++) nt += isnan(m->target[i]);
        tr = cs_malloc((nt ? nt : 1) * sizeof *tr, err);
        tp = cs_malloc((nt ? nt : 1) * sizeof *tp, err);
        if (!tr || !tp) {
            free(tr);
            free(tp);
            goto nomem;
        }
        nt = 0;
        for (size_t i = 0; i < m->n_rows; i++)
            if (isnan(m->target[i])) tr[nt++] = i;
        st = nt ? lrn_predict_matrix(t->learner, m, tr, nt, 0, tp, err) : CS_OK;
        for (size_t i = 0; !st && i < nt; i++) tp[i] = ev_calib_apply(t->calib, tp[i]);
        if (!st && t->reference->bins && !(t->test = mf_test_ref_build(m, tr, nt, tp, t->reference, err))) st = err && err->code ? err->code : CS_ENOMEM;
        free(tr);
        free(tp);
        if (st) goto fail;
    }
    t->seconds = cs_now() - t0;
    lrn_cache_free(cache);
    free(y);
    free(fold_iter);
    free(fold_C);
    return CS_OK;
nomem:
    st = CS_ENOMEM;
fail:
    if (!st) st = err && err->code ? err->code : CS_ENOMEM;
    free(fold_iter);
    free(fold_C);
    cs_progress_free(prog);
    cs_buf_free(&pj);
    lrn_cache_free(cache);
    free(y);
    mf_trained_free(t);
    return st;
}

void mf_trained_parts(const mf_trained *t, const feat_matrix *m, const feat_spec *spec,
                      const char *name, const char *version, ev_cost_weights cost,
                      mf_parts *p)
{
    memset(p, 0, sizeof *p);
    p->name = name;
    p->version = version;
    p->data_digest = t->digest;
    p->n_train = t->n_train;
    p->positive_rate = t->positive_rate;
    p->n_feats = m->n_feats;
    p->feat_names = (const char *const *)m->names;
    p->spec = spec;
    p->learner = t->learner;
    p->params_json = t->params_json;
    p->calib = t->calib;
    p->threshold = t->threshold;
    p->cost = cost;
    p->metrics = t->metrics;
    p->curve = t->curve;
    p->n_curve = t->n_curve;
    p->reference = t->reference;
    p->expected_value = t->expected_value;
    p->importance = t->importance;
    p->importance_rows = t->importance_rows;
    p->search_json = t->search_json;
    p->tuning_json = t->tuning_json;
    p->n_oof = t->n_train;
    p->oof_prob = t->oof_cal;
    p->oof_target = t->oof_target;
    p->test = t->test;
}
