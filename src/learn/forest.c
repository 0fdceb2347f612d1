/*
 * forest.c: the random forest (see forest.h): its parameters (scikit-learn names) and the
 * parallel loop over trees, each grown by the shared histogram grower on a bootstrap sample.
 */
#include "forest.h"

#include "grower.h"
#include "learn_int.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* ---- parameters ------------------------------------------------------------------------ */

static void *_create(cs_err *err)
{
    rf_params *p = cs_calloc(1, sizeof *p, err);
    if (!p) return NULL;
    p->n_estimators = 100;
    p->max_features = RF_MF_SQRT;
    p->max_depth = 0;
    p->min_samples_leaf = 10;  /* not scikit-learn's 1: pure leaves rank poorly (docs/learners.md, "Defaults") */
    p->bootstrap = 1;
    p->max_bin = 255;
    return p;
}

static void _free(void *p)
{
    free(p);
}

static void *_copy(const void *p, cs_err *err)
{
    rf_params *c = cs_malloc(sizeof *c, err);
    if (c) *c = *(const rf_params *)p;
    return c;
}

static cs_status _int_in(const char *name, const char *value, long lo, long hi, int *out, cs_err *err)
{
    double v;
    cs_status st = lrn_value_number(name, value, &v, err);
    if (st) return st;
    if (v != floor(v) || v < (double)lo || v > (double)hi)
        return cs_err_set(err, CS_EINVAL, "%s: %s out of range (an integer in [%ld, %ld])", name,
                          value, lo, hi);
    *out = (int)v;
    return CS_OK;
}

static cs_status _set(void *vp, const char *name, const char *value, cs_err *err)
{
    rf_params *p = vp;
    if (!strcmp(name, "n_estimators") || !strcmp(name, "num_trees"))
        return _int_in("n_estimators", value, 1, 100000, &p->n_estimators, err);
    if (!strcmp(name, "max_depth")) {
        if (!strcmp(value, "null")) {
            p->max_depth = 0;
            return CS_OK;
        }
        return _int_in(name, value, -1, 1000, &p->max_depth, err);
    }
    if (!strcmp(name, "min_samples_leaf")) return _int_in(name, value, 1, 1000000000, &p->min_samples_leaf, err);
    if (!strcmp(name, "max_bin")) return _int_in(name, value, 2, DS_MAX_BIN, &p->max_bin, err);
    if (!strcmp(name, "num_threads") || !strcmp(name, "n_jobs"))
        return _int_in("num_threads", value, -1, 1024, &p->num_threads, err);
    if (!strcmp(name, "bootstrap")) return lrn_value_bool(name, value, &p->bootstrap, err);
    if (!strcmp(name, "seed") || !strcmp(name, "random_state")) {
        double v;
        cs_status st = lrn_value_number("seed", value, &v, err);
        if (st) return st;
        if (v != floor(v) || v < 0 || v > 9007199254740992.0)
            return cs_err_set(err, CS_EINVAL, "seed: %s is not a non-negative integer", value);
        p->seed = (uint64_t)v;
        return CS_OK;
    }
    if (!strcmp(name, "class_weight")) {
        char *s = NULL;
        cs_status st = lrn_value_string(name, value, &s, err);
        if (st) return st;
        if (!s) p->balanced = 0;
        else if (!strcmp(s, "balanced")) p->balanced = 1;
        else st = cs_err_set(err, CS_EINVAL, "class_weight: '%s' is not null or \"balanced\"", s);
        free(s);
        return st;
    }
    if (!strcmp(name, "max_features")) {
        if (!strcmp(value, "null")) {
            p->max_features = RF_MF_ALL;
            return CS_OK;
        }
        if (value[0] == '"') {
            char *s = NULL;
            cs_status st = lrn_value_string(name, value, &s, err);
            if (st) return st;
            if (!strcmp(s, "sqrt") || !strcmp(s, "auto")) p->max_features = RF_MF_SQRT;
            else if (!strcmp(s, "log2")) p->max_features = RF_MF_LOG2;
            else st = cs_err_set(err, CS_EINVAL, "max_features: '%s' is not \"sqrt\", \"log2\", a fraction or a count", s);
            free(s);
            return st;
        }
        double v;
        cs_status st = lrn_value_number(name, value, &v, err);
        if (st) return st;
        int is_int = strchr(value, '.') == NULL && strchr(value, 'e') == NULL && strchr(value, 'E') == NULL;
        if (is_int && v >= 1 && v <= 1e6) {
            p->max_features = RF_MF_COUNT;
            p->max_features_value = v;
        } else if (!is_int && v > 0 && v <= 1) {
            p->max_features = RF_MF_FRACTION;
            p->max_features_value = v;
        } else {
            return cs_err_set(err, CS_EINVAL, "max_features: %s is neither a fraction in (0, 1] nor a count >= 1", value);
        }
        return CS_OK;
    }
    return cs_err_set(err, CS_EINVAL, "unknown parameter '%s'", name);
}

static cs_status _to_json(const void *vp, cs_buf *out, cs_err *err)
{
    const rf_params *p = vp;
    char mf[40];
    switch (p->max_features) {
    case RF_MF_SQRT: snprintf(mf, sizeof mf, "\"sqrt\""); break;
    case RF_MF_LOG2: snprintf(mf, sizeof mf, "\"log2\""); break;
    case RF_MF_ALL: snprintf(mf, sizeof mf, "null"); break;
    case RF_MF_COUNT: snprintf(mf, sizeof mf, "%d", (int)p->max_features_value); break;
    default: {
        char d[32];
        cs_fmt_double(d, sizeof d, p->max_features_value);
        snprintf(mf, sizeof mf, "%s%s", d, strchr(d, '.') || strchr(d, 'e') ? "" : ".0");
    }
    }
    char md[16];
    if (p->max_depth > 0) snprintf(md, sizeof md, "%d", p->max_depth);
    else snprintf(md, sizeof md, "null");
    return cs_buf_printf(out, err,
                         "{\"n_estimators\":%d,\"max_features\":%s,\"max_depth\":%s,"
                         "\"min_samples_leaf\":%d,\"class_weight\":%s,\"bootstrap\":%s,"
                         "\"max_bin\":%d,\"seed\":%llu,\"num_threads\":%d}",
                         p->n_estimators, mf, md, p->min_samples_leaf,
                         p->balanced ? "\"balanced\"" : "null", p->bootstrap ? "true" : "false",
                         p->max_bin, (unsigned long long)p->seed, p->num_threads);
}

/* ---- fitting --------------------------------------------------------------------------- */

static int _n_per_node(const rf_params *p, size_t nf)
{
    double k;
    switch (p->max_features) {
    case RF_MF_SQRT: k = floor(sqrt((double)nf)); break;
    case RF_MF_LOG2: k = floor(log2((double)nf)); break;
    case RF_MF_FRACTION: k = floor(p->max_features_value * (double)nf); break;
    case RF_MF_COUNT: k = p->max_features_value; break;
    default: k = (double)nf;
    }
    if (k < 1) k = 1;
    if (k > (double)nf) k = (double)nf;
    return (int)k;
}

static int _cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static cs_status _fit(const void *vp, const feat_matrix *m, const size_t *train_rows, size_t n_train,
                      const size_t *valid_rows, size_t n_valid, const lrn_fit_opts *opts,
                      lrn_model **out, cs_err *err)
{
    const rf_params *p = vp;
    (void)valid_rows;
    (void)n_valid;
    size_t nf = m->n_feats, nr = m->n_rows;
    if (nf == 0) return cs_err_set(err, CS_EINVAL, "the matrix has no features");
    int nt = p->num_threads > 0 ? p->num_threads : omp_get_max_threads();
    cs_status st = CS_OK;
    double *y = cs_malloc(n_train * sizeof *y, err);
    size_t *srows = cs_malloc(n_train * sizeof *srows, err);
    int *feats = cs_malloc(nf * sizeof *feats, err);
    lrn_model *model = lrn_model_create(LRN_FOREST, nf, err);
    ds_dataset *owned = NULL;
    uint8_t *row_bins = NULL;
    if (!y || !srows || !feats || !model) {
        st = CS_ENOMEM;
        goto done;
    }
    memcpy(srows, train_rows, n_train * sizeof *srows);
    qsort(srows, n_train, sizeof *srows, _cmp_size);
    if ((st = lrn_targets(m, srows, n_train, y, err))) goto done;
    model->trees = cs_calloc((size_t)p->n_estimators, sizeof *model->trees, err);
    if (!model->trees) {
        st = CS_ENOMEM;
        goto done;
    }
    model->average = 1;
    model->base_score = 0;
    const ds_dataset *ds = lrn_dataset_for(opts, m, p->max_bin, &owned, err);
    if (!ds) {
        st = err ? err->code : CS_ENOMEM;
        goto done;
    }
    for (size_t j = 0; j < nf; j++) feats[j] = (int)j;
    double n_pos = 0;
    for (size_t i = 0; i < n_train; i++) n_pos += y[i];
    double cw[2] = {1, 1};
    if (p->balanced && n_pos > 0 && n_pos < (double)n_train) {
        cw[0] = (double)n_train / (2 * ((double)n_train - n_pos));
        cw[1] = (double)n_train / (2 * n_pos);
    }
    gr_params gp = {
        .num_leaves = n_train < 2 ? 2 : (n_train > (size_t)1 << 30 ? 1 << 30 : (int)n_train),
        .max_depth = p->max_depth,
        .min_data_in_leaf = p->min_samples_leaf,
        .min_sum_hessian = 0,
        .shrinkage = 1,
        .feats_per_node = _n_per_node(p, nf),
        .stop_pure = 1,
        .n_threads = 1,
    };
    if (gp.feats_per_node >= (int)nf) gp.feats_per_node = (int)nf;
    /* deep nodes read a few features of scattered rows: a row-major copy serves them (without
     * memory for it, the columns do) */
    cs_err rerr = {0};
    row_bins = ds_row_bins(ds, nt, &rerr);
    gp.row_bins = row_bins;
    int done_trees = 0, failed = 0, cancelled = 0;
    cs_err ferr = {0};

#pragma omp parallel num_threads(nt)
    {
        cs_err terr = {0};
        double *g = calloc(nr, sizeof *g), *h = calloc(nr, sizeof *h);
        uint32_t *cnt = malloc(n_train * sizeof *cnt);
        size_t *rows = malloc(n_train * sizeof *rows);
        gr_work *w = gr_work_create(ds, gp.num_leaves, &terr);
        if (!g || !h || !cnt || !rows || !w) {
#pragma omp critical(rf_err)
            {
                if (!failed) cs_err_set(&ferr, CS_ENOMEM, "out of memory growing the forest");
                failed = 1;
            }
        }
#pragma omp for schedule(dynamic, 1)
        for (int t = 0; t < p->n_estimators; t++) {
            int stop;
#pragma omp atomic read
            stop = failed;
            if (!stop) {
#pragma omp atomic read
                stop = cancelled;
            }
            if (stop) continue;
            cs_rng rng;
            cs_rng_seed_stream(&rng, p->seed, (uint64_t)t);
            if (p->bootstrap) {
                memset(cnt, 0, n_train * sizeof *cnt);
                for (size_t i = 0; i < n_train; i++) cnt[cs_rng_below(&rng, n_train)]++;
            } else {
                for (size_t i = 0; i < n_train; i++) cnt[i] = 1;
            }
            /* srows is sorted: histogram access stays sequential */
            size_t n = 0;
            for (size_t i = 0; i < n_train; i++) {
                if (!cnt[i]) continue;
                size_t r = srows[i];
                double wgt = cnt[i] * cw[(int)y[i]];
                g[r] = -wgt * y[i];
                h[r] = wgt;
                rows[n++] = r;
            }
            int32_t *thr = NULL;
            cs_status s = gr_grow(w, &gp, g, h, rows, n, feats, nf, &rng, &model->trees[t], &thr, &terr);
            free(thr);
            if (s) {
#pragma omp critical(rf_err)
                {
                    if (!failed) ferr = terr;
                    failed = 1;
                }
                continue;
            }
#pragma omp critical(rf_progress)
            {
                done_trees++;
                if (opts && opts->progress && !cancelled &&
                    opts->progress(opts->progress_user, done_trees, p->n_estimators, NAN))
                    cancelled = 1;
            }
        }
        gr_work_free(w);
        free(g);
        free(h);
        free(cnt);
        free(rows);
    }
    model->n_trees = p->n_estimators;    /* unset trees have NULL nodes: freed safely */
    if (failed) {
        if (err) *err = ferr;
        st = ferr.code ? ferr.code : CS_EINTERNAL;
        goto done;
    }
    if (cancelled) {
        st = cs_err_set(err, CS_EINTERRUPTED, "training cancelled after %d trees", done_trees);
        goto done;
    }
    *out = model;
    model = NULL;
done:
    lrn_model_free(model);
    ds_free(owned);
    free(row_bins);
    free(y);
    free(srows);
    free(feats);
    return st;
}

const lrn_ops lrn_forest_ops = {
    .kind = LRN_FOREST,
    .params_create = _create,
    .params_set = _set,
    .params_to_json = _to_json,
    .params_copy = _copy,
    .params_free = _free,
    .fit = _fit,
};
