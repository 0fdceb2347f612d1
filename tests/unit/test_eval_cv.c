/*
 * test_eval_cv.c: unit tests of src/eval/cv and src/eval/threshold: stratified folds
 * (class shares, determinism, refusals), the CV loop with a stand-in learner, the exact
 * cost-optimal threshold against brute force and the cost curve.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/cs.h"
#include "eval/cv.h"
#include "eval/metrics.h"
#include "eval/threshold.h"

static double *_labels(size_t n, double rate, uint64_t seed)
{
    cs_rng r;
    double *y = malloc(n * sizeof *y);
    cs_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) y[i] = cs_rng_uniform(&r) < rate ? 1.0 : 0.0;
    return y;
}

static void test_folds_are_stratified_and_seeded(void **state)
{
    (void)state;
    size_t n = 1003;
    double *y = _labels(n, 0.08, 1);
    int *f1 = malloc(n * sizeof *f1), *f2 = malloc(n * sizeof *f2), *f3 = malloc(n * sizeof *f3);
    size_t npos = 0, cnt[5][2] = {{0}};
    for (size_t i = 0; i < n; i++) npos += y[i] != 0;
    assert_int_equal(ev_stratified_folds(y, n, 5, 7, f1, NULL), CS_OK);
    assert_int_equal(ev_stratified_folds(y, n, 5, 7, f2, NULL), CS_OK);
    assert_int_equal(ev_stratified_folds(y, n, 5, 8, f3, NULL), CS_OK);
    assert_memory_equal(f1, f2, n * sizeof *f1);
    assert_true(memcmp(f1, f3, n * sizeof *f1) != 0);
    for (size_t i = 0; i < n; i++) {
        assert_in_range(f1[i], 0, 4);
        cnt[f1[i]][y[i] != 0]++;
    }
    for (int f = 0; f < 5; f++) {
        /* per class, per fold: floor or ceil of the class count / k */
        assert_in_range(cnt[f][1], npos / 5, (npos + 4) / 5);
        assert_in_range(cnt[f][0], (n - npos) / 5, (n - npos + 4) / 5);
        assert_in_range(cnt[f][0] + cnt[f][1], n / 5, (n + 4) / 5);
    }
    free(y), free(f1), free(f2), free(f3);
}

static void test_folds_refuse_bad_k(void **state)
{
    (void)state;
    const double y[] = {0, 0, 0, 1, 1, 0, 0, 0};
    int f[8];
    cs_err err = {0};
    assert_int_equal(ev_stratified_folds(y, 8, 1, 0, f, &err), CS_EINVAL);
    assert_int_equal(ev_stratified_folds(y, 8, 3, 0, f, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "fewer than the 3 folds"));
    assert_int_equal(ev_stratified_folds(y, 8, 2, 0, f, &err), CS_OK);
}

/* stand-in learner: the probability is a noisy function of the row's hidden score */
typedef struct {
    const double *score;
    int calls;
    int fail_at;
} _ctx;

static cs_status _fit_predict(void *vctx, int fold, const size_t *train, size_t nt,
                              const size_t *valid, size_t nv, double *vp, cs_err *err)
{
    _ctx *c = vctx;
    (void)train;
    c->calls++;
    if (fold == c->fail_at) return cs_err_set(err, CS_EINVAL, "no good");
    assert_true(nt + nv > 0);
    for (size_t i = 1; i < nt; i++) assert_true(train[i] > train[i - 1]);
    for (size_t i = 0; i < nv; i++) vp[i] = c->score[valid[i]];
    return CS_OK;
}

static void test_cv_collects_oof(void **state)
{
    (void)state;
    size_t n = 500;
    double *y = _labels(n, 0.2, 3), *s = malloc(n * sizeof *s);
    cs_rng r;
    cs_rng_seed(&r, 9);
    for (size_t i = 0; i < n; i++) s[i] = 1.0 / (1.0 + exp(-(2.0 * y[i] - 1.0 + cs_rng_normal(&r))));
    _ctx c = {s, 0, -1};
    ev_cv_result res;
    assert_int_equal(ev_cv_run(y, n, 4, 11, _fit_predict, &c, NULL, 0, &res, NULL), CS_OK);
    assert_int_equal(c.calls, 4);
    assert_memory_equal(res.oof, s, n * sizeof *s);
    assert_true(fabs(res.oof_auc - ev_auc(y, s, n)) < 1e-15);
    double m, sd;
    ev_mean_sd(res.fold_auc, 4, &m, &sd);
    assert_true(m == res.auc_mean && sd == res.auc_sd && sd > 0);
    ev_cv_result_free(&res);
    ev_cv_result_free(&res); /* twice is harmless */

    cs_err err = {0};
    c.fail_at = 2;
    assert_int_equal(ev_cv_run(y, n, 4, 11, _fit_predict, &c, NULL, 0, &res, &err), CS_EINVAL);
    assert_string_equal(err.msg, "fold 3 of 4: no good");
    assert_null(res.oof);
    free(y), free(s);
}

static void test_best_threshold_matches_brute_force(void **state)
{
    (void)state;
    cs_rng r;
    cs_rng_seed(&r, 5);
    for (int rep = 0; rep < 20; rep++) {
        size_t n = 50 + (size_t)rep * 13;
        double *y = _labels(n, 0.15, (uint64_t)rep + 100), *p = malloc(n * sizeof *p);
        for (size_t i = 0; i < n; i++) p[i] = floor(cs_rng_uniform(&r) * 20) / 20 + 0.1 * y[i];
        ev_cost_weights w = {rep % 2 ? 10.0 : 3.0, 1.0};
        double t, c, best = INFINITY, best_t = NAN;
        assert_int_equal(ev_best_threshold(y, p, n, w, &t, &c, NULL), CS_OK);
        /* brute force: every candidate, the lowest minimiser */
        for (size_t i = 0; i <= n; i++) {
            double cand = i < n ? p[i] : 2.0;
            double cc = ev_cost_at(y, p, n, cand, w);
            if (cc < best || (cc == best && cand < best_t)) best = cc, best_t = cand;
        }
        assert_true(c == best);
        assert_true(ev_cost_at(y, p, n, t, w) == c);
        if (best_t != 2.0) assert_true(t == best_t);
        free(y), free(p);
    }
    cs_err err = {0};
    double t, c, yy[] = {0, 1}, pp[] = {0.1, NAN};
    assert_int_equal(ev_best_threshold(yy, pp, 2, EV_COST_DEFAULT, &t, &c, &err), CS_EINVAL);
    assert_int_equal(ev_best_threshold(yy, pp, 0, EV_COST_DEFAULT, &t, &c, &err), CS_EINVAL);
}

static void test_refuse_nobody_is_a_candidate(void **state)
{
    (void)state;
    /* with fn cost 0, the cheapest is to accept everybody */
    const double y[] = {0, 1, 0, 0}, p[] = {0.2, 0.9, 0.5, 0.9};
    ev_cost_weights w = {0.0, 1.0};
    double t, c;
    assert_int_equal(ev_best_threshold(y, p, 4, w, &t, &c, NULL), CS_OK);
    assert_true(c == 0.0);
    assert_true(t > 0.9);
    assert_true(ev_confusion_at(y, p, 4, t).fp == 0);
}

static void test_cost_curve(void **state)
{
    (void)state;
    size_t n = 300, m;
    double *y = _labels(n, 0.3, 21), *p = malloc(n * sizeof *p);
    cs_rng r;
    cs_rng_seed(&r, 2);
    for (size_t i = 0; i < n; i++) p[i] = cs_rng_uniform(&r);
    ev_cost_point *pts;
    assert_int_equal(ev_cost_curve(y, p, n, EV_COST_DEFAULT, 101, 0.12345, &pts, &m, NULL), CS_OK);
    assert_int_equal(m, 102);
    for (size_t i = 0; i < m; i++) {
        if (i) assert_true(pts[i].threshold > pts[i - 1].threshold);
        assert_true(pts[i].cost == ev_cost_at(y, p, n, pts[i].threshold, EV_COST_DEFAULT));
        ev_confusion c = ev_confusion_at(y, p, n, pts[i].threshold);
        assert_true(pts[i].fn == (double)c.fn && pts[i].fp == (double)c.fp);
    }
    free(pts);
    /* the extra threshold on a grid point is not duplicated */
    assert_int_equal(ev_cost_curve(y, p, n, EV_COST_DEFAULT, 11, 0.5, &pts, &m, NULL), CS_OK);
    assert_int_equal(m, 11);
    free(pts);
    free(y), free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_folds_are_stratified_and_seeded),
        cmocka_unit_test(test_folds_refuse_bad_k),
        cmocka_unit_test(test_cv_collects_oof),
        cmocka_unit_test(test_best_threshold_matches_brute_force),
        cmocka_unit_test(test_refuse_nobody_is_a_candidate),
        cmocka_unit_test(test_cost_curve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
