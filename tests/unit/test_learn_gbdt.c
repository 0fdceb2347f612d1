/*
 * test_learn_gbdt.c: unit tests of our gradient boosting (src/learn/gbdt.c, grower.c) through
 * the learner interface: it learns a known function, prediction on raw doubles equals
 * prediction on bins, early stopping stops, monotone constraints hold, a seed fixes the
 * model whatever the thread count, and parameters are validated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <omp.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/metrics.h"
#include "learn/dataset.h"
#include "learn/gbdt.h"
#include "learn/learner.h"

#define NF 6

static feat_matrix *_matrix(size_t n, size_t nf)
{
    feat_matrix *m = calloc(1, sizeof *m);
    m->n_rows = n;
    m->n_feats = nf;
    m->values = calloc(n * nf, sizeof *m->values);
    m->target = calloc(n, sizeof *m->target);
    m->ids = calloc(n, sizeof *m->ids);
    return m;
}

static void _matrix_free(feat_matrix *m)
{
    free(m->values);
    free(m->target);
    free(m->ids);
    free(m);
}

/* The known function: logit = 3 (x0 - .5) + 2 [x1 > 0] - 1.5 [x1 NaN] + .8 x4 - 1.2 [x2 = +inf];
 * x3 constant, x5 noise. truth[i] gets the logit. noise_only: labels independent of x. */
static feat_matrix *_data(size_t n, uint64_t seed, int noise_only, double *truth)
{
    feat_matrix *m = _matrix(n, NF);
    cs_rng r;
    cs_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        double x0 = cs_rng_uniform(&r);
        double x1 = cs_rng_uniform(&r) < 0.2 ? NAN : cs_rng_normal(&r);
        double u = cs_rng_uniform(&r);
        double x2 = u < 0.1 ? INFINITY : u < 0.15 ? -INFINITY : cs_rng_normal(&r) * 1e6;
        double x4 = (double)cs_rng_below(&r, 4);
        double x5 = cs_rng_normal(&r);
        double lg = 3 * (x0 - 0.5) + (isnan(x1) ? -1.5 : x1 > 0 ? 2 : 0) + 0.8 * x4 - 1.2 - 1.2 * (x2 == INFINITY);
        double vals[NF] = {x0, x1, x2, 42, x4, x5};
        for (int j = 0; j < NF; j++) m->values[(size_t)j * n + i] = vals[j];
        double p = noise_only ? 0.3 : 1 / (1 + exp(-lg));
        m->target[i] = cs_rng_uniform(&r) < p ? 1 : 0;
        m->ids[i] = (int64_t)(100000 + i);
        if (truth) truth[i] = lg;
    }
    return m;
}

static size_t *_range(size_t a, size_t b)
{
    size_t *r = malloc((b - a) * sizeof *r);
    for (size_t i = a; i < b; i++) r[i - a] = i;
    return r;
}

static lrn_model *_fit(const feat_matrix *m, const char *json, size_t n_train, size_t n_valid)
{
    cs_err err = {0};
    lrn_params *p = lrn_params_from_json(LRN_GBDT, json, &err);
    if (!p) fail_msg("params: %s", err.msg);
    size_t *tr = _range(0, n_train), *va = _range(n_train, n_train + n_valid);
    lrn_model *mod = NULL;
    if (lrn_fit(p, m, tr, n_train, n_valid ? va : NULL, n_valid, NULL, &mod, &err))
        fail_msg("fit: %s", err.msg);
    free(tr);
    free(va);
    lrn_params_free(p);
    return mod;
}

static double _auc_rows(const lrn_model *mod, const feat_matrix *m, size_t a, size_t b)
{
    size_t *rows = _range(a, b);
    double *p = malloc((b - a) * sizeof *p);
    cs_err err = {0};
    assert_int_equal(lrn_predict_matrix(mod, m, rows, b - a, 0, p, &err), CS_OK);
    double auc = ev_auc(m->target + a, p, b - a);
    free(rows);
    free(p);
    return auc;
}

static void test_learns_known_function(void **state)
{
    (void)state;
    size_t n = 6000;
    double *truth = malloc(n * sizeof *truth);
    feat_matrix *m = _data(n, 1, 0, truth);
    lrn_model *mod = _fit(m, "{\"num_iterations\": 150, \"learning_rate\": 0.1, \"num_leaves\": 15, "
                             "\"min_data_in_leaf\": 20}", 4000, 0);
    assert_int_equal(mod->n_trees, 150);
    assert_int_equal(mod->kind, LRN_GBDT);
    double auc = _auc_rows(mod, m, 4000, n);
    double best = ev_auc(m->target + 4000, truth + 4000, n - 4000);
    assert_true(auc > best - 0.03);
    assert_true(auc > 0.75);
    /* the constant feature is never used, the informative ones carry the gain */
    double imp[NF];
    lrn_importance_gain(mod, imp);
    assert_true(imp[3] == 0);
    assert_true(imp[0] > imp[5] && imp[1] > imp[5]);
    /* one row through lrn_predict_raw equals the matrix path */
    double x[NF], pm;
    size_t row = 4321;
    for (int j = 0; j < NF; j++) x[j] = m->values[(size_t)j * n + row];
    assert_int_equal(lrn_predict_matrix(mod, m, &row, 1, 0, &pm, NULL), CS_OK);
    assert_true(lrn_raw_to_proba(mod, lrn_predict_raw(mod, x)) == pm);
    lrn_model_free(mod);
    _matrix_free(m);
    free(truth);
}

/* Find the bin whose upper edge is the node's threshold; -1 if none. */
static int _thr_bin(const ds_dataset *d, int f, double thr)
{
    for (int b = 0; b < d->n_vbins[f]; b++)
        if (d->upper[f][b] == thr) return b;
    return -1;
}

static void test_raw_equals_bins(void **state)
{
    (void)state;
    size_t n = 3000;
    feat_matrix *m = _data(n, 2, 0, NULL);
    lrn_model *mod = _fit(m, "{\"num_iterations\": 30, \"num_leaves\": 31, \"min_data_in_leaf\": 5, "
                             "\"max_bin\": 31}", n, 0);
    cs_err err = {0};
    ds_dataset *d = ds_create(m, 31, 0, &err);
    assert_non_null(d);
    /* rows to test: the training rows plus unseen values, NaN and infinities */
    cs_rng r;
    cs_rng_seed(&r, 9);
    size_t extra = 500;
    double *x = malloc(NF * sizeof *x);
    for (size_t i = 0; i < n + extra; i++) {
        for (int j = 0; j < NF; j++) {
            if (i < n) x[j] = m->values[(size_t)j * n + i];
            else {
                double u = cs_rng_uniform(&r);
                x[j] = u < 0.1 ? NAN : u < 0.15 ? INFINITY : u < 0.2 ? -INFINITY
                     : m->values[(size_t)j * n + cs_rng_below(&r, n)] + (u < 0.6 ? 1e-9 * cs_rng_normal(&r) : 0);
            }
        }
        double by_bins = 0;
        for (int32_t t = 0; t < mod->n_trees; t++) {
            const tree_node *nd = mod->trees[t].nodes;
            int32_t k = 0;
            while (nd[k].feature >= 0) {
                int f = nd[k].feature;
                int tb = _thr_bin(d, f, nd[k].threshold);
                assert_true(tb >= 0);                 /* thresholds are bin edges */
                int b = ds_bin_of(d, (size_t)f, x[f]);
                if (b == d->n_vbins[f]) k = nd[k].default_left ? nd[k].left : nd[k].right;
                else k = b <= tb ? nd[k].left : nd[k].right;
            }
            by_bins += nd[k].value;
        }
        assert_true(lrn_predict_raw(mod, x) == mod->base_score + by_bins);
    }
    free(x);
    ds_free(d);
    lrn_model_free(mod);
    _matrix_free(m);
}

static void test_early_stopping_stops(void **state)
{
    (void)state;
    size_t n = 4000;
    feat_matrix *m = _data(n, 3, 1, NULL);      /* pure noise: validation AUC cannot climb */
    lrn_model *mod = _fit(m, "{\"num_iterations\": 300, \"early_stopping_round\": 10, "
                             "\"learning_rate\": 0.3, \"min_data_in_leaf\": 5}", 3000, 1000);
    assert_true(mod->n_trees < 300);
    assert_int_equal(mod->best_iteration, mod->n_trees);
    assert_true(mod->n_trees >= 1);
    double auc = _auc_rows(mod, m, 3000, n);
    assert_true(fabs(auc - mod->best_valid_auc) < 1e-12);
    lrn_model_free(mod);
    /* on a learnable problem it runs longer */
    feat_matrix *m2 = _data(n, 3, 0, NULL);
    lrn_model *mod2 = _fit(m2, "{\"num_iterations\": 300, \"early_stopping_round\": 10, "
                               "\"learning_rate\": 0.05}", 3000, 1000);
    assert_true(mod2->n_trees > 20);
    assert_true(mod2->best_valid_auc > 0.7);
    lrn_model_free(mod2);
    _matrix_free(m2);
    _matrix_free(m);
}

static int _count_rounds(void *user, int done, int total, double valid_auc)
{
    (void)total;
    (void)valid_auc;
    *(int *)user = done;
    return 0;
}

/* The defaults choose the rounds: on data where validation AUC peaks early (a weak signal,
 * label noise, few rows, leaves that may hold 1 row) "auto" stops GBDT_AUTO_PATIENCE rounds
 * after the best round, keeps the best, and records the resolved numbers; without a
 * validation set it finds the round on a held-out tenth and refits on all rows with it. */
static void test_auto_rounds_stop_early(void **state)
{
    (void)state;
    size_t n = 1600;
    feat_matrix *m = _data(n, 11, 0, NULL);
    cs_rng r;
    cs_rng_seed(&r, 5);
    for (size_t i = 0; i < n; i++)
        if (cs_rng_uniform(&r) < 0.3) m->target[i] = 1 - m->target[i]; /* label noise */
    cs_err err = {0};
    lrn_params *p = lrn_params_from_json(LRN_GBDT, "{\"learning_rate\": 0.3, \"min_data_in_leaf\": 1, "
                                                   "\"min_sum_hessian_in_leaf\": 0, \"lambda_l2\": 0}", &err);
    assert_non_null(p);
    assert_int_equal(lrn_params_chooses(p), 1);
    size_t *tr = _range(0, 800), *va = _range(800, n);
    int rounds = 0;
    lrn_fit_opts o = {.progress = _count_rounds, .progress_user = &rounds};
    lrn_model *mod = NULL;
    assert_int_equal(lrn_fit(p, m, tr, 800, va, n - 800, &o, &mod, &err), CS_OK);
    /* it stopped: far below the cap, exactly the patience after the best round */
    assert_true(mod->best_iteration >= 1 && mod->best_iteration < 100);
    assert_int_equal(rounds, mod->best_iteration + GBDT_AUTO_PATIENCE);
    assert_int_equal(mod->n_trees, mod->best_iteration);
    assert_true(fabs(_auc_rows(mod, m, 800, n) - mod->best_valid_auc) < 1e-12);
    /* the model's parameters are the numbers used */
    char want[48];
    snprintf(want, sizeof want, "\"num_iterations\":%d,", mod->n_trees);
    assert_non_null(strstr(mod->params_json, want));
    assert_non_null(strstr(mod->params_json, "\"feature_fraction\":1,")); /* 6 features: no sampling */
    assert_null(strstr(mod->params_json, "auto"));
    lrn_model_free(mod);
    /* no validation set: a held-out tenth chooses, all rows refit with that many rounds */
    rounds = 0;
    assert_int_equal(lrn_fit(p, m, tr, 800, NULL, 0, &o, &mod, &err), CS_OK);
    assert_true(mod->n_trees >= 1 && mod->n_trees < 100);
    assert_int_equal(rounds, mod->n_trees); /* the last progress is the refit's */
    assert_int_equal(mod->best_iteration, 0);
    lrn_model_free(mod);
    /* resolution by size: learning rate, leaf size, feature fraction */
    gbdt_params *g = lrn_params_raw(p);
    g->learning_rate = 0;
    g->min_data_in_leaf = 0;
    g->feature_fraction = 0;
    gbdt_params q = gbdt_resolve(g, 5000, 795);
    assert_true(q.learning_rate == 0.05 && q.min_data_in_leaf == 20 && q.feature_fraction == 0.5);
    q = gbdt_resolve(g, 307511, 795);
    assert_true(q.learning_rate == 0.1 && q.min_data_in_leaf == 100 && q.num_iterations == 0);
    q = gbdt_resolve(g, 100000, 20);
    assert_true(q.min_data_in_leaf == 50 && q.feature_fraction == 1);
    /* threads: one on a small matrix, OpenMP's default on a large one, as given when set */
    g->num_threads = 0;
    assert_int_equal(gbdt_fit_threads(g, 26065, 18), 1);
    assert_int_equal(gbdt_fit_threads(g, 800, 721), 1);
    assert_int_equal(gbdt_fit_threads(g, 246009, 795), omp_get_max_threads());
    g->num_threads = 2;
    assert_int_equal(gbdt_fit_threads(g, 800, 721), 2);
    g->num_threads = 0;
    /* "auto" only where it means something */
    assert_int_equal(lrn_params_set(p, "num_leaves", "\"auto\"", &err), CS_EINVAL);
    assert_int_equal(lrn_params_set(p, "n_estimators", "\"auto\"", &err), CS_OK);
    assert_int_equal(lrn_params_set(p, "n_estimators", "40", &err), CS_OK);
    assert_int_equal(lrn_params_chooses(p), 0);
    free(tr);
    free(va);
    lrn_params_free(p);
    _matrix_free(m);
}

/* Is the prediction monotone in feature f (dir +1/-1) along a grid, for sample rows? */
static int _is_monotone(const lrn_model *mod, const feat_matrix *m, int f, int dir)
{
    double x[NF];
    for (size_t i = 0; i < 100; i++) {
        for (int j = 0; j < NF; j++) x[j] = m->values[(size_t)j * m->n_rows + i * 7];
        double prev = dir > 0 ? -INFINITY : INFINITY;
        for (int s = -5; s <= 105; s++) {
            x[f] = s / 100.0;
            double v = lrn_predict_raw(mod, x);
            if (dir > 0 ? v < prev : v > prev) return 0;
            prev = v;
        }
    }
    return 1;
}

static void test_monotone_constraints(void **state)
{
    (void)state;
    size_t n = 4000;
    feat_matrix *m = _data(n, 4, 0, NULL);
    cs_rng r;
    cs_rng_seed(&r, 5);
    /* make the target depend on x0 up then down (a bump) */
    for (size_t i = 0; i < n; i++) {
        double x0 = m->values[i];
        double lg = 4 * sin(3.0 * x0 * 3.14159265) + 0.5 * m->values[4 * n + i] - 1;
        m->target[i] = cs_rng_uniform(&r) < 1 / (1 + exp(-lg)) ? 1 : 0;
    }
    const char *base = "\"num_iterations\": 60, \"num_leaves\": 15, \"min_data_in_leaf\": 10";
    char json[256];
    snprintf(json, sizeof json, "{%s}", base);
    lrn_model *free_m = _fit(m, json, n, 0);
    assert_false(_is_monotone(free_m, m, 0, +1));   /* unconstrained: the bump shows */
    assert_false(_is_monotone(free_m, m, 0, -1));
    snprintf(json, sizeof json, "{%s, \"monotone_constraints\": [1,0,0,0,0,0]}", base);
    lrn_model *up = _fit(m, json, n, 0);
    assert_true(_is_monotone(up, m, 0, +1));
    snprintf(json, sizeof json, "{%s, \"monotone_constraints\": [-1,0,0,0,1,0]}", base);
    lrn_model *down = _fit(m, json, n, 0);
    assert_true(_is_monotone(down, m, 0, -1));
    lrn_model_free(free_m);
    lrn_model_free(up);
    lrn_model_free(down);
    _matrix_free(m);
}

static char *_bytes(const lrn_model *mod, size_t *len)
{
    cs_buf b = {0};
    assert_int_equal(lrn_model_write(mod, &b, NULL), CS_OK);
    *len = b.len;
    return cs_buf_take(&b);
}

static void test_deterministic_for_a_seed(void **state)
{
    (void)state;
    size_t n = 40000;    /* large enough for the parallel paths to run with 2 threads */
    feat_matrix *m = _data(n, 6, 0, NULL);
    const char *j1 = "{\"num_iterations\": 20, \"bagging_fraction\": 0.7, \"bagging_freq\": 1, "
                     "\"feature_fraction\": 0.6, \"seed\": 11, \"num_threads\": 1}";
    const char *j2 = "{\"num_iterations\": 20, \"bagging_fraction\": 0.7, \"bagging_freq\": 1, "
                     "\"feature_fraction\": 0.6, \"seed\": 11, \"num_threads\": 2}";
    const char *j3 = "{\"num_iterations\": 20, \"bagging_fraction\": 0.7, \"bagging_freq\": 1, "
                     "\"feature_fraction\": 0.6, \"seed\": 12, \"num_threads\": 2}";
    lrn_model *a = _fit(m, j1, n, 0), *b = _fit(m, j2, n, 0), *c = _fit(m, j3, n, 0);
    size_t la, lb, lc;
    char *ba = _bytes(a, &la), *bb = _bytes(b, &lb), *bc = _bytes(c, &lc);
    /* the stored parameters differ in num_threads: compare the trees */
    assert_int_equal(a->n_trees, b->n_trees);
    for (int32_t t = 0; t < a->n_trees; t++) {
        assert_int_equal(a->trees[t].n_nodes, b->trees[t].n_nodes);
        assert_memory_equal(a->trees[t].nodes, b->trees[t].nodes,
                            (size_t)a->trees[t].n_nodes * sizeof(tree_node));
    }
    int same = a->trees[0].n_nodes == c->trees[0].n_nodes &&
               !memcmp(a->trees[0].nodes, c->trees[0].nodes, (size_t)a->trees[0].n_nodes * sizeof(tree_node));
    assert_false(same);     /* another seed, another bag */
    lrn_model *a2 = _fit(m, j1, n, 0);
    size_t la2;
    char *ba2 = _bytes(a2, &la2);
    assert_int_equal(la, la2);
    assert_memory_equal(ba, ba2, la);
    free(ba); free(bb); free(bc); free(ba2);
    lrn_model_free(a); lrn_model_free(b); lrn_model_free(c); lrn_model_free(a2);
    _matrix_free(m);
}

static void test_params_validated(void **state)
{
    (void)state;
    cs_err err = {0};
    assert_null(lrn_params_from_json(LRN_GBDT, "{\"num_leafs\": 3}", &err));
    assert_int_equal(err.code, CS_EINVAL);
    assert_non_null(strstr(err.msg, "num_leafs"));
    assert_null(lrn_params_from_json(LRN_GBDT, "{\"num_leaves\": 1}", &err));
    assert_non_null(strstr(err.msg, "num_leaves"));
    assert_null(lrn_params_from_json(LRN_GBDT, "{\"feature_fraction\": 0}", &err));
    assert_null(lrn_params_from_json(LRN_GBDT, "{\"max_bin\": 300}", &err));
    assert_null(lrn_params_from_json(LRN_GBDT, "{\"learning_rate\": \"fast\"}", &err));
    assert_null(lrn_params_from_json(LRN_GBDT, "{\"monotone_constraints\": [2]}", &err));
    assert_null(lrn_params_from_json(LRN_GBDT, "{\"num_leaves\": 3", &err));
    assert_int_equal(err.code, CS_EPARSE);
    assert_null(lrn_params_from_json(LRN_GBDT, "[1]", &err));
    lrn_params *p = lrn_params_from_json(LRN_GBDT, "{\"n_estimators\": 7, \"colsample_bytree\": 0.5, "
                                         "\"reg_lambda\": 2, \"is_unbalance\": true}", &err);
    assert_non_null(p);
    assert_int_equal(lrn_params_set(p, "subsample", "0.25", &err), CS_OK);
    assert_int_equal(lrn_params_set(p, "bogus", "1", &err), CS_EINVAL);
    const gbdt_params *g = lrn_params_raw_const(p);
    assert_int_equal(g->num_iterations, 7);
    assert_true(g->feature_fraction == 0.5 && g->lambda_l2 == 2 && g->bagging_fraction == 0.25);
    cs_buf b = {0};
    assert_int_equal(lrn_params_to_json(p, &b, &err), CS_OK);
    assert_non_null(strstr(b.data, "\"num_iterations\":7"));
    assert_non_null(strstr(b.data, "\"is_unbalance\":true"));
    /* the JSON reads back to the same parameters */
    lrn_params *q = lrn_params_from_json(LRN_GBDT, b.data, &err);
    assert_non_null(q);
    cs_buf b2 = {0};
    lrn_params_to_json(q, &b2, &err);
    assert_string_equal(b.data, b2.data);
    lrn_params *c = lrn_params_copy(q, &err);
    assert_int_equal(lrn_params_kind(c), LRN_GBDT);
    cs_buf_free(&b);
    cs_buf_free(&b2);
    lrn_params_free(p);
    lrn_params_free(q);
    lrn_params_free(c);
    lrn_params_free(NULL);
    lrn_kind k;
    assert_int_equal(lrn_kind_from_name("forest", &k, &err), CS_OK);
    assert_int_equal(k, LRN_FOREST);
    assert_string_equal(lrn_kind_name(LRN_XGBOOST), "xgboost");
    assert_int_equal(lrn_kind_from_name("svm", &k, &err), CS_ENOTFOUND);
}

static void test_fit_errors(void **state)
{
    (void)state;
    size_t n = 200;
    feat_matrix *m = _data(n, 7, 0, NULL);
    cs_err err = {0};
    lrn_params *p = lrn_params_from_json(LRN_GBDT, "{\"monotone_constraints\": [1, 0]}", &err);
    size_t *rows = _range(0, n);
    lrn_model *mod = NULL;
    assert_int_equal(lrn_fit(p, m, rows, n, NULL, 0, NULL, &mod, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "monotone_constraints"));
    lrn_params_free(p);
    p = lrn_params_from_json(LRN_GBDT, NULL, &err);
    m->target[17] = NAN;                          /* a test client in the training rows */
    assert_int_equal(lrn_fit(p, m, rows, n, NULL, 0, NULL, &mod, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "100017"));
    assert_null(mod);
    m->target[17] = 1;
    rows[5] = 99999;
    assert_int_equal(lrn_fit(p, m, rows, n, NULL, 0, NULL, &mod, &err), CS_EINVAL);
    lrn_params_free(p);
    free(rows);
    _matrix_free(m);
}

static void test_pos_weight_and_cache(void **state)
{
    (void)state;
    size_t n = 3000;
    feat_matrix *m = _data(n, 8, 0, NULL);
    cs_err err = {0};
    lrn_cache *cache = lrn_cache_create(m, &err);
    lrn_fit_opts o = {.cache = cache};
    size_t *rows = _range(0, n);
    double mean[2];
    lrn_model *mods[2];
    const char *js[2] = {"{\"num_iterations\": 30}", "{\"num_iterations\": 30, \"scale_pos_weight\": 5}"};
    for (int k = 0; k < 2; k++) {
        lrn_params *p = lrn_params_from_json(LRN_GBDT, js[k], &err);
        assert_int_equal(lrn_fit(p, m, rows, n, NULL, 0, &o, &mods[k], &err), CS_OK);
        double *pr = malloc(n * sizeof *pr);
        lrn_predict_matrix(mods[k], m, NULL, 0, 0, pr, &err);
        mean[k] = 0;
        for (size_t i = 0; i < n; i++) mean[k] += pr[i] / (double)n;
        free(pr);
        lrn_params_free(p);
    }
    assert_true(mean[1] > mean[0] + 0.1);
    /* a model fitted with the cache equals one fitted without */
    lrn_model *nc = _fit(m, js[0], n, 0);
    assert_int_equal(nc->n_trees, mods[0]->n_trees);
    for (int32_t t = 0; t < nc->n_trees; t++)
        assert_memory_equal(nc->trees[t].nodes, mods[0]->trees[t].nodes,
                            (size_t)nc->trees[t].n_nodes * sizeof(tree_node));
    lrn_model_free(nc);
    lrn_model_free(mods[0]);
    lrn_model_free(mods[1]);
    lrn_cache_free(cache);
    free(rows);
    _matrix_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_learns_known_function),
        cmocka_unit_test(test_raw_equals_bins),
        cmocka_unit_test(test_early_stopping_stops),
        cmocka_unit_test(test_auto_rounds_stop_early),
        cmocka_unit_test(test_monotone_constraints),
        cmocka_unit_test(test_deterministic_for_a_seed),
        cmocka_unit_test(test_params_validated),
        cmocka_unit_test(test_fit_errors),
        cmocka_unit_test(test_pos_weight_and_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
