/*
 * gbdt.c: histogram gradient boosting (see gbdt.h): its parameters (LightGBM names and
 * the aliases of the scikit-learn API), and the boosting loop on the shared tree grower.
 */
#include "gbdt.h"

#include "../eval/metrics.h"
#include "grower.h"
#include "learn_int.h"

#include <assert.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* ---- parameters ------------------------------------------------------------------------ */

static void *_create(cs_err *err)
{
    gbdt_params *p = cs_calloc(1, sizeof *p, err);
    if (!p) return NULL;
    p->num_iterations = 0;          /* auto */
    p->learning_rate = 0;           /* auto */
    p->num_leaves = 31;
    p->max_depth = -1;
    p->min_data_in_leaf = 0;        /* auto */
    p->min_sum_hessian_in_leaf = 1;
    p->lambda_l2 = 1;
    p->feature_fraction = 0;        /* auto */
    p->bagging_fraction = 1;
    p->max_bin = 255;
    p->scale_pos_weight = 1;
    return p;
}

static void _free(void *vp)
{
    gbdt_params *p = vp;
    if (!p) return;
    free(p->monotone);
    free(p);
}

static void *_copy(const void *vp, cs_err *err)
{
    const gbdt_params *p = vp;
    gbdt_params *c = cs_malloc(sizeof *c, err);
    if (!c) return NULL;
    *c = *p;
    c->monotone = NULL;
    if (p->n_monotone) {
        c->monotone = cs_malloc(p->n_monotone, err);
        if (!c->monotone) {
            free(c);
            return NULL;
        }
        memcpy(c->monotone, p->monotone, p->n_monotone);
    }
    return c;
}

/* name -> canonical name */
static const char *const aliases[][2] = {
    {"n_estimators", "num_iterations"}, {"num_iteration", "num_iterations"},
    {"num_trees", "num_iterations"}, {"num_boost_round", "num_iterations"},
    {"eta", "learning_rate"}, {"shrinkage_rate", "learning_rate"},
    {"num_leaf", "num_leaves"}, {"max_leaves", "num_leaves"},
    {"min_child_samples", "min_data_in_leaf"}, {"min_data_per_leaf", "min_data_in_leaf"},
    {"min_child_weight", "min_sum_hessian_in_leaf"}, {"min_sum_hessian", "min_sum_hessian_in_leaf"},
    {"reg_alpha", "lambda_l1"}, {"reg_lambda", "lambda_l2"}, {"lambda", "lambda_l2"},
    {"min_split_gain", "min_gain_to_split"}, {"colsample_bytree", "feature_fraction"},
    {"sub_feature", "feature_fraction"}, {"subsample", "bagging_fraction"},
    {"bagging", "bagging_fraction"}, {"subsample_freq", "bagging_freq"},
    {"max_bins", "max_bin"}, {"unbalance", "is_unbalance"}, {"mc", "monotone_constraints"},
    {"monotone_constraint", "monotone_constraints"}, {"early_stopping_rounds", "early_stopping_round"},
    {"early_stopping", "early_stopping_round"}, {"random_state", "seed"}, {"random_seed", "seed"},
    {"n_jobs", "num_threads"}, {"nthread", "num_threads"},
};

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

static cs_status _real_in(const char *name, const char *value, double lo, int lo_open, double hi,
                          double *out, cs_err *err)
{
    double v;
    cs_status st = lrn_value_number(name, value, &v, err);
    if (st) return st;
    if ((lo_open ? !(v > lo) : !(v >= lo)) || v > hi)
        return cs_err_set(err, CS_EINVAL, "%s: %s out of range (%s%g, %g])", name, value,
                          lo_open ? "(" : "[", lo, hi);
    *out = v;
    return CS_OK;
}

int gbdt_fit_threads(const gbdt_params *p, size_t n_train, size_t n_feats)
{
    assert(p);
    if (p->num_threads > 0) return p->num_threads;
    return (double)n_train * (double)n_feats < GBDT_SERIAL_CELLS ? 1 : omp_get_max_threads();
}

gbdt_params gbdt_resolve(const gbdt_params *p, size_t n_train, size_t n_feats)
{
    gbdt_params q = *p;
    if (q.learning_rate == 0) q.learning_rate = n_train < GBDT_AUTO_FAST_ROWS ? 0.05 : 0.1;
    if (q.min_data_in_leaf == 0) {
        size_t v = n_train / 2000;
        q.min_data_in_leaf = v < 20 ? 20 : v > 100 ? 100 : (int)v;
    }
    if (q.feature_fraction == 0) q.feature_fraction = n_feats >= 50 ? 0.5 : 1;
    return q;
}

/* "auto" (the JSON string) for the parameters that have it */
static int _is_auto(const char *value)
{
    return value && !strcmp(value, "\"auto\"");
}

static cs_status _set(void *vp, const char *name, const char *value, cs_err *err)
{
    gbdt_params *p = vp;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcmp(name, aliases[i][0])) name = aliases[i][1];
    if (_is_auto(value)) {
        if (!strcmp(name, "num_iterations")) p->num_iterations = 0;
        else if (!strcmp(name, "learning_rate")) p->learning_rate = 0;
        else if (!strcmp(name, "min_data_in_leaf")) p->min_data_in_leaf = 0;
        else if (!strcmp(name, "feature_fraction")) p->feature_fraction = 0;
        else return cs_err_set(err, CS_EINVAL, "%s: \"auto\" is only for num_iterations, learning_rate, "
                               "min_data_in_leaf and feature_fraction", name);
        return CS_OK;
    }
    if (!strcmp(name, "num_iterations")) return _int_in(name, value, 1, 1000000, &p->num_iterations, err);
    if (!strcmp(name, "learning_rate")) return _real_in(name, value, 0, 1, 1e3, &p->learning_rate, err);
    if (!strcmp(name, "num_leaves")) return _int_in(name, value, 2, 131072, &p->num_leaves, err);
    if (!strcmp(name, "max_depth")) return _int_in(name, value, -1, 1000, &p->max_depth, err);
    if (!strcmp(name, "min_data_in_leaf")) return _int_in(name, value, 1, 1000000000, &p->min_data_in_leaf, err);
    if (!strcmp(name, "min_sum_hessian_in_leaf"))
        return _real_in(name, value, 0, 0, 1e300, &p->min_sum_hessian_in_leaf, err);
    if (!strcmp(name, "lambda_l1")) return _real_in(name, value, 0, 0, 1e300, &p->lambda_l1, err);
    if (!strcmp(name, "lambda_l2")) return _real_in(name, value, 0, 0, 1e300, &p->lambda_l2, err);
    if (!strcmp(name, "min_gain_to_split")) return _real_in(name, value, 0, 0, 1e300, &p->min_gain_to_split, err);
    if (!strcmp(name, "feature_fraction")) return _real_in(name, value, 0, 1, 1, &p->feature_fraction, err);
    if (!strcmp(name, "bagging_fraction")) return _real_in(name, value, 0, 1, 1, &p->bagging_fraction, err);
    if (!strcmp(name, "bagging_freq")) return _int_in(name, value, 0, 1000000, &p->bagging_freq, err);
    if (!strcmp(name, "max_bin")) return _int_in(name, value, 2, DS_MAX_BIN, &p->max_bin, err);
    if (!strcmp(name, "scale_pos_weight"))
        return _real_in(name, value, 0, 1, 1e300, &p->scale_pos_weight, err);
    if (!strcmp(name, "is_unbalance")) return lrn_value_bool(name, value, &p->is_unbalance, err);
    if (!strcmp(name, "early_stopping_round"))
        return _int_in(name, value, 0, 1000000, &p->early_stopping_round, err);
    if (!strcmp(name, "num_threads")) return _int_in(name, value, -1, 1024, &p->num_threads, err);
    if (!strcmp(name, "seed")) {
        double v;
        cs_status st = lrn_value_number(name, value, &v, err);
        if (st) return st;
        if (v != floor(v) || v < 0 || v > 9007199254740992.0)
            return cs_err_set(err, CS_EINVAL, "seed: %s is not a non-negative integer", value);
        p->seed = (uint64_t)v;
        return CS_OK;
    }
    if (!strcmp(name, "monotone_constraints")) {
        double *a;
        size_t n;
        cs_status st = lrn_value_numbers(name, value, &a, &n, err);
        if (st) return st;
        int8_t *mc = cs_malloc(n ? n : 1, err);
        if (!mc) {
            free(a);
            return CS_ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            if (a[i] != -1 && a[i] != 0 && a[i] != 1) {
                double bad = a[i];
                free(a);
                free(mc);
                return cs_err_set(err, CS_EINVAL, "monotone_constraints: element %zu is %g, not -1, 0 or 1",
                                  i, bad);
            }
            mc[i] = (int8_t)a[i];
        }
        free(a);
        free(p->monotone);
        p->monotone = mc;
        p->n_monotone = n;
        return CS_OK;
    }
    return cs_err_set(err, CS_EINVAL, "unknown parameter '%s'", name);
}

static cs_status _to_json(const void *vp, cs_buf *out, cs_err *err)
{
    const gbdt_params *p = vp;
    char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32], ni[32], md[32];
    if (p->learning_rate == 0) strcpy(a, "\"auto\"");
    else cs_fmt_double(a, sizeof a, p->learning_rate);
    if (p->num_iterations == 0) strcpy(ni, "\"auto\"");
    else snprintf(ni, sizeof ni, "%d", p->num_iterations);
    if (p->min_data_in_leaf == 0) strcpy(md, "\"auto\"");
    else snprintf(md, sizeof md, "%d", p->min_data_in_leaf);
    cs_fmt_double(b, sizeof b, p->min_sum_hessian_in_leaf);
    cs_fmt_double(c, sizeof c, p->lambda_l1);
    cs_fmt_double(d, sizeof d, p->lambda_l2);
    cs_fmt_double(e, sizeof e, p->min_gain_to_split);
    if (p->feature_fraction == 0) strcpy(f, "\"auto\"");
    else cs_fmt_double(f, sizeof f, p->feature_fraction);
    cs_fmt_double(g, sizeof g, p->bagging_fraction);
    cs_fmt_double(h, sizeof h, p->scale_pos_weight);
    cs_status st = cs_buf_printf(
        out, err,
        "{\"num_iterations\":%s,\"learning_rate\":%s,\"num_leaves\":%d,\"max_depth\":%d,"
        "\"min_data_in_leaf\":%s,\"min_sum_hessian_in_leaf\":%s,\"lambda_l1\":%s,\"lambda_l2\":%s,"
        "\"min_gain_to_split\":%s,\"feature_fraction\":%s,\"bagging_fraction\":%s,"
        "\"bagging_freq\":%d,\"max_bin\":%d,\"scale_pos_weight\":%s,\"is_unbalance\":%s,"
        "\"early_stopping_round\":%d,\"seed\":%llu,\"num_threads\":%d,\"monotone_constraints\":[",
        ni, a, p->num_leaves, p->max_depth, md, b, c, d, e, f, g,
        p->bagging_freq, p->max_bin, h, p->is_unbalance ? "true" : "false",
        p->early_stopping_round, (unsigned long long)p->seed, p->num_threads);
    for (size_t i = 0; !st && i < p->n_monotone; i++)
        st = cs_buf_printf(out, err, "%s%d", i ? "," : "", (int)p->monotone[i]);
    if (!st) st = cs_buf_puts(out, "]}", err);
    return st;
}

/* ---- fitting --------------------------------------------------------------------------- */

/* k of the n items of src (sorted), kept in order, into dst (selection sampling). */
static size_t _sample_sorted(const size_t *src, size_t n, size_t k, cs_rng *rng, size_t *dst)
{
    size_t got = 0;
    for (size_t i = 0; i < n && got < k; i++)
        if (cs_rng_below(rng, n - i) < k - got) dst[got++] = src[i];
    return got;
}

static int _cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* The boosting loop, on parameters without "auto" (p->num_iterations > 0). */
static cs_status _boost(const gbdt_params *p, const feat_matrix *m, const size_t *train_rows, size_t n_train,
                        const size_t *valid_rows, size_t n_valid, const lrn_fit_opts *opts,
                        lrn_model **out, cs_err *err)
{
    cs_status st = CS_OK;
    size_t nf = m->n_feats, nr = m->n_rows;
    if (p->n_monotone && p->n_monotone != nf)
        return cs_err_set(err, CS_EINVAL, "monotone_constraints has %zu values for %zu features",
                          p->n_monotone, nf);
    if (nf == 0) return cs_err_set(err, CS_EINVAL, "the matrix has no features");
    int nt = gbdt_fit_threads(p, n_train, nf);

    double *y = NULL, *yv = NULL, *g = NULL, *h = NULL, *F = NULL, *Fv = NULL, *wt = NULL;
    size_t *rows = NULL, *bag = NULL;
    int *feats = NULL, *allf = NULL;
    gr_work *work = NULL;
    ds_dataset *owned = NULL;
    lrn_model *model = NULL;
    tree *trees = NULL;
    int32_t **thr = NULL;
    int n_trees = 0;

    y = cs_malloc(n_train * sizeof *y, err);
    yv = cs_malloc((n_valid ? n_valid : 1) * sizeof *yv, err);
    g = cs_calloc(nr, sizeof *g, err);
    h = cs_calloc(nr, sizeof *h, err);
    F = cs_calloc(nr, sizeof *F, err);
    Fv = cs_calloc(n_valid ? n_valid : 1, sizeof *Fv, err);
    wt = cs_malloc(n_train * sizeof *wt, err);
    rows = cs_malloc(n_train * sizeof *rows, err);
    bag = cs_malloc(n_train * sizeof *bag, err);
    feats = cs_malloc(nf * sizeof *feats, err);
    allf = cs_malloc(nf * sizeof *allf, err);
    trees = cs_calloc((size_t)p->num_iterations, sizeof *trees, err);
    thr = cs_calloc((size_t)p->num_iterations, sizeof *thr, err);
    if (!y || !yv || !g || !h || !F || !Fv || !wt || !rows || !bag || !feats || !allf || !trees || !thr) {
        st = CS_ENOMEM;
        goto done;
    }
    /* training rows in ascending order (histogram access stays sequential) */
    memcpy(rows, train_rows, n_train * sizeof *rows);
    qsort(rows, n_train, sizeof *rows, _cmp_size);
    for (size_t i = 1; i < n_train; i++)
        if (rows[i] == rows[i - 1]) {
            st = cs_err_set(err, CS_EINVAL, "training row %zu appears twice", rows[i]);
            goto done;
        }
    if ((st = lrn_targets(m, rows, n_train, y, err))) goto done;
    if (n_valid && (st = lrn_targets(m, valid_rows, n_valid, yv, err))) {
        cs_err_prefix(err, "validation set: ");
        goto done;
    }
    double n_pos = 0;
    for (size_t i = 0; i < n_train; i++) n_pos += y[i];
    double pos_w = p->scale_pos_weight;
    if (p->is_unbalance && n_pos > 0 && n_pos < (double)n_train) pos_w = ((double)n_train - n_pos) / n_pos;
    double sw = 0, swy = 0;
    for (size_t i = 0; i < n_train; i++) {
        wt[i] = y[i] == 1 ? pos_w : 1;
        sw += wt[i];
        swy += wt[i] * y[i];
    }
    double prior = swy / sw;
    if (prior < 1e-15) prior = 1e-15;
    if (prior > 1 - 1e-15) prior = 1 - 1e-15;
    double base = log(prior / (1 - prior));

    const ds_dataset *ds = lrn_dataset_for(opts, m, p->max_bin, &owned, err);
    if (!ds) {
        st = err ? err->code : CS_ENOMEM;
        goto done;
    }
    work = gr_work_create(ds, p->num_leaves, err);
    if (!work) {
        st = CS_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < n_train; i++) F[rows[i]] = base;
    for (size_t i = 0; i < n_valid; i++) Fv[i] = base;
    for (size_t j = 0; j < nf; j++) allf[j] = (int)j;

    gr_params gp = {
        .num_leaves = p->num_leaves,
        .max_depth = p->max_depth,
        .min_data_in_leaf = p->min_data_in_leaf,
        .min_sum_hessian = p->min_sum_hessian_in_leaf,
        .lambda_l1 = p->lambda_l1,
        .lambda_l2 = p->lambda_l2,
        .min_gain = p->min_gain_to_split,
        .shrinkage = p->learning_rate,
        .monotone = p->n_monotone ? p->monotone : NULL,
        .feats_per_node = 0,
        .n_threads = nt,
    };
    cs_rng rng_bag, rng_feat;
    cs_rng_seed_stream(&rng_bag, p->seed, 1);
    cs_rng_seed_stream(&rng_feat, p->seed, 2);
    size_t n_bag = n_train;
    memcpy(bag, rows, n_train * sizeof *bag);
    int use_bag = p->bagging_fraction < 1 && p->bagging_freq > 0;
    size_t k_feat = (size_t)ceil(p->feature_fraction * (double)nf - 1e-9);
    if (k_feat < 1) k_feat = 1;
    if (k_feat > nf) k_feat = nf;
    double best_auc = -1;
    int best_it = 0;

    for (int it = 0; it < p->num_iterations; it++) {
#pragma omp parallel for schedule(static) num_threads(nt) if (n_train > 20000)
        for (size_t i = 0; i < n_train; i++) {
            size_t r = rows[i];
            double pr = 1 / (1 + exp(-F[r]));
            g[r] = (pr - y[i]) * wt[i];
            h[r] = pr * (1 - pr) * wt[i];
            if (h[r] < 1e-16) h[r] = 1e-16;
        }
        if (use_bag && it % p->bagging_freq == 0) {
            size_t k = (size_t)((double)n_train * p->bagging_fraction + 0.5);
            if (k < 1) k = 1;
            n_bag = _sample_sorted(rows, n_train, k, &rng_bag, bag);
        }
        size_t n_use = nf;
        const int *use = allf;
        if (k_feat < nf) {
            size_t got = 0;
            for (size_t j = 0; j < nf && got < k_feat; j++)
                if (cs_rng_below(&rng_feat, nf - j) < k_feat - got) feats[got++] = (int)j;
            n_use = got;
            use = feats;
        }
        if ((st = gr_grow(work, &gp, g, h, bag, n_bag, use, n_use, NULL, &trees[it], &thr[it], err)))
            goto done;
        n_trees = it + 1;
        const tree *t = &trees[it];
        const int32_t *bt = thr[it];
        if (n_bag == n_train) {
            gr_add_leaf_values(work, t, F);     /* every row's leaf is known */
        } else {
#pragma omp parallel for schedule(static) num_threads(nt) if (n_train > 20000)
            for (size_t i = 0; i < n_train; i++) F[rows[i]] += gr_predict_bins(t, bt, ds, rows[i]);
        }
        double auc = NAN;
        if (n_valid) {
#pragma omp parallel for schedule(static) num_threads(nt) if (n_valid > 20000)
            for (size_t i = 0; i < n_valid; i++) Fv[i] += gr_predict_bins(t, bt, ds, valid_rows[i]);
            auc = ev_auc(yv, Fv, n_valid);
            if (auc > best_auc || it == 0) {
                best_auc = auc;
                best_it = it + 1;
            }
        }
        if (opts && opts->progress && opts->progress(opts->progress_user, it + 1, p->num_iterations, auc)) {
            st = cs_err_set(err, CS_EINTERRUPTED, "training cancelled at round %d", it + 1);
            goto done;
        }
        if (n_valid && p->early_stopping_round > 0 && it + 1 - best_it >= p->early_stopping_round) break;
    }

    model = lrn_model_create(LRN_GBDT, nf, err);
    if (!model) {
        st = CS_ENOMEM;
        goto done;
    }
    int keep = n_trees;
    if (n_valid && p->early_stopping_round > 0) keep = best_it;
    model->base_score = base;
    model->average = 0;
    model->trees = trees;
    model->n_trees = keep;
    if (n_valid) {
        model->best_iteration = keep;
        model->best_valid_auc = keep == best_it ? best_auc : ev_auc(yv, Fv, n_valid);
    }
    for (int i = keep; i < n_trees; i++) free(trees[i].nodes);
    trees = NULL;
    {
        /* the numbers it was fitted with: the resolved "auto" values, the rounds kept */
        gbdt_params used = *p;
        cs_buf pj = {0};
        used.num_iterations = keep;
        if (_to_json(&used, &pj, err) == CS_OK) model->params_json = cs_buf_take(&pj);
        cs_buf_free(&pj);
        if (!model->params_json) {
            lrn_model_free(model);
            model = NULL;
            st = CS_ENOMEM;
            goto done;
        }
    }
    *out = model;
done:
    if (trees)
        for (int i = 0; i < n_trees; i++) free(trees[i].nodes);
    free(trees);
    if (thr)
        for (int i = 0; i < n_trees; i++) free(thr[i]);
    free(thr);
    gr_work_free(work);
    ds_free(owned);
    free(y); free(yv); free(g); free(h); free(F); free(Fv); free(wt);
    free(rows); free(bag); free(feats); free(allf);
    if (st == CS_ENOMEM && err && err->code == CS_OK) cs_err_set(err, CS_ENOMEM, "out of memory");
    return st;
}

static cs_status _fit(const void *vp, const feat_matrix *m, const size_t *train_rows, size_t n_train,
                      const size_t *valid_rows, size_t n_valid, const lrn_fit_opts *opts,
                      lrn_model **out, cs_err *err)
{
    gbdt_params q = gbdt_resolve(vp, n_train, m->n_feats);
    if (q.num_iterations > 0) return _boost(&q, m, train_rows, n_train, valid_rows, n_valid, opts, out, err);
    /* "auto": early stopping on the validation set */
    q.num_iterations = GBDT_AUTO_MAX_ROUNDS;
    if (q.early_stopping_round == 0) q.early_stopping_round = GBDT_AUTO_PATIENCE;
    if (n_valid) return _boost(&q, m, train_rows, n_train, valid_rows, n_valid, opts, out, err);
    /* no validation set: find the round on a held-out tenth, then refit on all rows */
    size_t *tr, *va, ntr, nva;
    lrn_model *probe = NULL;
    cs_status st = lrn_holdout(m, train_rows, n_train, q.seed, "num_iterations", &tr, &ntr, &va, &nva, err);
    if (st) return st;
    st = _boost(&q, m, tr, ntr, va, nva, opts, &probe, err);
    free(tr);
    free(va);
    if (st) return st;
    q.num_iterations = probe->best_iteration > 0 ? probe->best_iteration : 1;
    q.early_stopping_round = 0;
    lrn_model_free(probe);
    return _boost(&q, m, train_rows, n_train, NULL, 0, opts, out, err);
}

static void _resolve(void *vp, size_t n_train, size_t n_feats)
{
    gbdt_params *p = vp;
    *p = gbdt_resolve(p, n_train, n_feats);
}

static int _chooses(const void *vp)
{
    return ((const gbdt_params *)vp)->num_iterations == 0;
}

const lrn_ops lrn_gbdt_ops = {
    .kind = LRN_GBDT,
    .params_create = _create,
    .params_set = _set,
    .params_to_json = _to_json,
    .params_copy = _copy,
    .params_free = _free,
    .params_resolve = _resolve,
    .params_chooses = _chooses,
    .fit = _fit,
};
