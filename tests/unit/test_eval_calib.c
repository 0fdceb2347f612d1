/*
 * test_eval_calib.c: unit tests of src/eval/calib and src/eval/search: isotonic fit on a
 * hand-worked case, Platt's optimum (zero gradient), serialisation round trip and refusal
 * of corrupt bytes; the interpolated isotonic calibration is strictly increasing, never 0 or
 * 1, keeps the AUC to 1e-9 and round-trips; the auto choice keeps the lower out-of-fold log
 * loss; search-space parsing, grid order, seeded random draws and errors.
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
#include "eval/calib.h"
#include "eval/metrics.h"
#include "eval/search.h"

/* n scores of a model that ranks well but is miscalibrated (too confident), ties included */
static void _scores(size_t n, uint64_t seed, double *y, double *p)
{
    cs_rng r;
    cs_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        double z = cs_rng_normal(&r);
        y[i] = cs_rng_uniform(&r) < 1 / (1 + exp(-(-2.5 + z))) ? 1 : 0;
        double s = -2.5 + 2.5 * z + 0.5 * cs_rng_normal(&r);
        if (i % 10 == 0) s = round(s); /* some exact ties */
        p[i] = 1 / (1 + exp(-s));
    }
}

static void test_isotonic_interp_keeps_order(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        size_t n = 3000;
        double *y = malloc(n * sizeof *y), *p = malloc(n * sizeof *p), *q = malloc(n * sizeof *q);
        _scores(n, seed, y, p);
        cs_err err = {0};
        ev_calib *c = ev_calib_fit(EV_CALIB_ISOTONIC_INTERP, y, p, n, &err);
        assert_non_null(c);
        assert_true(ev_calib_keeps_order(c));
        /* strictly increasing over the whole of [0, 1] and never 0 or 1 */
        double prev = -1;
        for (int i = 0; i <= 100000; i++) {
            double v = ev_calib_apply(c, i / 100000.0);
            assert_true(v > prev || (v == prev && (v == EV_CALIB_P_MIN || v == EV_CALIB_P_MAX)));
            assert_true(v >= EV_CALIB_P_MIN && v <= EV_CALIB_P_MAX && v > 0 && v < 1);
            prev = v;
        }
        for (int i = 1; i < 1000; i++) /* between two raw scores that differ, the calibrated do too */
            assert_true(ev_calib_apply(c, i / 1000.0) < ev_calib_apply(c, i / 1000.0 + 1e-9));
        for (size_t i = 0; i < n; i++) q[i] = ev_calib_apply(c, p[i]);
        assert_true(fabs(ev_auc(y, q, n) - ev_auc(y, p, n)) <= 1e-9);
        /* and it calibrates: the mean matches the base rate closely */
        double my = 0, mq = 0;
        for (size_t i = 0; i < n; i++) my += y[i], mq += q[i];
        assert_true(fabs(my - mq) / (double)n < 0.01);
        /* the step isotonic on the same data ties clients and can say 0 */
        ev_calib *s = ev_calib_fit(EV_CALIB_ISOTONIC, y, p, n, &err);
        assert_false(ev_calib_keeps_order(s));
        assert_true(ev_calib_apply(s, 1e-6) == 0.0);
        ev_calib_free(s);
        /* round trip */
        cs_buf b = {0};
        assert_int_equal(ev_calib_write(c, &b, &err), CS_OK);
        ev_calib *c2 = ev_calib_read(b.data, b.len, &err);
        assert_non_null(c2);
        assert_int_equal(ev_calib_kind_of(c2), EV_CALIB_ISOTONIC_INTERP);
        for (size_t i = 0; i < n; i += 7) assert_true(ev_calib_apply(c2, p[i]) == q[i]);
        /* a flat step is refused for this kind */
        const double *xs, *ys;
        size_t np = ev_calib_isotonic_points(c, &xs, &ys);
        assert_true(np >= 2);
        memcpy((char *)b.data + 24 + 8 * np + 8, (char *)b.data + 24 + 8 * np, 8);
        assert_null(ev_calib_read(b.data, b.len, &err));
        assert_int_equal(err.code, CS_ECORRUPT);
        cs_buf_free(&b);
        ev_calib_free(c2);
        ev_calib_free(c);
        free(y), free(p), free(q);
    }
}

static void test_calib_auto_picks_lower_loss(void **state)
{
    (void)state;
    size_t n = 4000;
    int k = 5;
    double *y = malloc(n * sizeof *y), *p = malloc(n * sizeof *p);
    int *fold = malloc(n * sizeof *fold);
    _scores(n, 7, y, p);
    for (size_t i = 0; i < n; i++) fold[i] = (int)(i % (size_t)k);
    ev_calib_choice ch;
    cs_err err = {0};
    ev_calib *c = ev_calib_fit_auto(y, p, fold, n, k, &ch, &err);
    assert_non_null(c);
    assert_true(isfinite(ch.log_loss_platt) && isfinite(ch.log_loss_isotonic_interp));
    assert_int_equal(ch.chosen, ch.log_loss_isotonic_interp < ch.log_loss_platt ? EV_CALIB_ISOTONIC_INTERP
                                                                                 : EV_CALIB_PLATT);
    assert_int_equal(ev_calib_kind_of(c), ch.chosen);
    assert_true(ev_calib_keeps_order(c));
    /* the loss reported is the out-of-fold one: recompute Platt's by hand */
    double loss = 0;
    double *ys = malloc(n * sizeof *ys), *ps = malloc(n * sizeof *ps);
    for (int f = 0; f < k; f++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (fold[i] != f) ys[m] = y[i], ps[m] = p[i], m++;
        ev_calib *pf = ev_calib_fit(EV_CALIB_PLATT, ys, ps, m, &err);
        for (size_t i = 0; i < n; i++)
            if (fold[i] == f) {
                double q = ev_calib_apply(pf, p[i]);
                loss -= y[i] ? log(q) : log(1 - q);
            }
        ev_calib_free(pf);
    }
    assert_true(fabs(loss / (double)n - ch.log_loss_platt) < 1e-12);
    /* auto is a choice, not a kind ev_calib_fit fits */
    assert_null(ev_calib_fit(EV_CALIB_AUTO, y, p, n, &err));
    fold[3] = k;
    assert_null(ev_calib_fit_auto(y, p, fold, n, k, &ch, &err));
    assert_int_equal(err.code, CS_EINVAL);
    ev_calib_free(c);
    free(y), free(p), free(fold), free(ys), free(ps);
}

static void test_isotonic_hand_case(void **state)
{
    (void)state;
    /* x sorted: 0.1(y0) 0.2(y1) 0.3(y0) 0.4(y1) 0.4(y1): PAV pools 0.2 and 0.3 -> 0.5 */
    const double p[] = {0.4, 0.1, 0.3, 0.2, 0.4};
    const double y[] = {1, 0, 0, 1, 1};
    ev_calib *c = ev_calib_fit(EV_CALIB_ISOTONIC, y, p, 5, NULL);
    assert_non_null(c);
    assert_true(ev_calib_apply(c, 0.1) == 0.0);
    assert_true(ev_calib_apply(c, 0.2) == 0.5);
    assert_true(ev_calib_apply(c, 0.3) == 0.5);
    assert_true(ev_calib_apply(c, 0.4) == 1.0);
    assert_true(fabs(ev_calib_apply(c, 0.15) - 0.25) < 1e-15); /* linear between points */
    assert_true(ev_calib_apply(c, -3.0) == 0.0);                /* clipped below */
    assert_true(ev_calib_apply(c, 7.0) == 1.0);                 /* and above */
    assert_true(isnan(ev_calib_apply(c, NAN)));
    const double *xs, *ys;
    assert_int_equal(ev_calib_isotonic_points(c, &xs, &ys), 4);
    ev_calib_free(c);
}

static void test_platt_is_at_the_optimum(void **state)
{
    (void)state;
    size_t n = 2000;
    double *p = malloc(n * sizeof *p), *y = malloc(n * sizeof *y);
    cs_rng r;
    cs_rng_seed(&r, 4);
    double n1 = 0;
    for (size_t i = 0; i < n; i++) {
        double z = cs_rng_normal(&r);
        y[i] = cs_rng_uniform(&r) < 1 / (1 + exp(-(1.5 * z - 2))) ? 1 : 0;
        p[i] = 1 / (1 + exp(-z)); /* miscalibrated: slope 1 instead of 1.5 */
        n1 += y[i];
    }
    ev_calib *c = ev_calib_fit(EV_CALIB_PLATT, y, p, n, NULL);
    double a, b, g1 = 0, g2 = 0;
    assert_int_equal(ev_calib_platt_params(c, &a, &b, NULL), CS_OK);
    double t1 = (n1 + 1) / (n1 + 2), t0 = 1 / ((double)n - n1 + 2);
    for (size_t i = 0; i < n; i++) {
        double F = log(p[i] / (1 - p[i])), P = 1 / (1 + exp(a * F + b)), t = y[i] ? t1 : t0;
        g1 += F * (t - P);
        g2 += t - P;
    }
    assert_true(fabs(g1) < 1e-6 && fabs(g2) < 1e-6);
    assert_true(a < -1.2 && a > -1.8); /* recovers the slope, sign as in Platt/scikit-learn */
    double pc = ev_calib_apply(c, 0.5);
    assert_true(fabs(pc - 1 / (1 + exp(b))) < 1e-15);
    ev_calib_free(c);
    free(p), free(y);
}

static void test_calib_round_trip_and_corruption(void **state)
{
    (void)state;
    const double p[] = {0.05, 0.2, 0.3, 0.6, 0.7, 0.9, 0.95, 0.1};
    const double y[] = {0, 0, 1, 0, 1, 1, 1, 0};
    for (int k = 0; k < 3; k++) {
        ev_calib *c = ev_calib_fit((ev_calib_kind)k, y, p, 8, NULL), *d;
        cs_buf b = {0};
        cs_err err = {0};
        assert_int_equal(ev_calib_write(c, &b, NULL), CS_OK);
        d = ev_calib_read(b.data, b.len, &err);
        assert_non_null(d);
        assert_int_equal(ev_calib_kind_of(d), k);
        for (double q = -0.1; q < 1.1; q += 0.01) assert_true(ev_calib_apply(c, q) == ev_calib_apply(d, q));
        ev_calib_free(d);
        /* every truncation is refused */
        for (size_t len = 0; len < b.len; len++) {
            d = ev_calib_read(b.data, len, &err);
            assert_null(d);
            assert_int_equal(err.code, CS_ECORRUPT);
        }
        ev_calib_free(c);
        cs_buf_free(&b);
    }
    cs_err err = {0};
    ev_calib_kind kind;
    assert_int_equal(ev_calib_kind_parse("sigmoid", &kind, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "sigmoid"));
    assert_null(ev_calib_fit(EV_CALIB_PLATT, y, p, 0, &err));
    ev_calib_free(NULL);
}

static void test_space_grid(void **state)
{
    (void)state;
    cs_err err = {0};
    ev_space *s = ev_space_parse("{\"a\": [1, 2, 3], \"b\": [0.5, \"x\"]}", "t.json", EV_SEARCH_GRID, &err);
    assert_non_null(s);
    assert_int_equal(ev_space_grid_size(s), 6);
    ev_trial t;
    assert_int_equal(ev_space_trial(s, 0, 0, &t, NULL), CS_OK);
    assert_string_equal(t.json, "{\"a\": 1, \"b\": 0.5}");
    ev_trial_free(&t);
    assert_int_equal(ev_space_trial(s, 1, 0, &t, NULL), CS_OK);
    assert_string_equal(t.json, "{\"a\": 1, \"b\": \"x\"}");
    assert_string_equal(t.values[1], "\"x\"");
    ev_trial_free(&t);
    assert_int_equal(ev_space_trial(s, 5, 0, &t, NULL), CS_OK);
    assert_string_equal(t.json, "{\"a\": 3, \"b\": \"x\"}");
    ev_trial_free(&t);
    assert_int_equal(ev_space_trial(s, 6, 0, &t, &err), CS_EINVAL);
    ev_space_free(s);
}

static void test_space_random(void **state)
{
    (void)state;
    const char *js = "{\"lr\": {\"type\": \"loguniform\", \"low\": 0.01, \"high\": 0.3},\n"
                     " \"leaves\": {\"type\": \"int\", \"low\": 8, \"high\": 10},\n"
                     " \"frac\": {\"type\": \"uniform\", \"low\": 0.5, \"high\": 1},\n"
                     " \"w\": [null, \"balanced\"]}";
    ev_space *s = ev_space_parse(js, "r.json", EV_SEARCH_RANDOM, NULL);
    assert_non_null(s);
    int seen[3] = {0};
    for (size_t i = 0; i < 200; i++) {
        ev_trial t, u;
        assert_int_equal(ev_space_trial(s, i, 42, &t, NULL), CS_OK);
        assert_int_equal(ev_space_trial(s, i, 42, &u, NULL), CS_OK);
        assert_string_equal(t.json, u.json);
        double lr = strtod(t.values[0], NULL), fr = strtod(t.values[2], NULL);
        long lv = strtol(t.values[1], NULL, 10);
        assert_true(lr >= 0.01 && lr < 0.3);
        assert_true(fr >= 0.5 && fr < 1);
        assert_in_range(lv, 8, 10);
        seen[lv - 8]++;
        assert_true(!strcmp(t.values[3], "null") || !strcmp(t.values[3], "\"balanced\""));
        ev_trial_free(&t);
        ev_trial_free(&u);
    }
    assert_true(seen[0] && seen[1] && seen[2]); /* both ends included */
    ev_space_free(s);
}

static void test_space_errors(void **state)
{
    (void)state;
    cs_err err = {0};
    assert_null(ev_space_parse("{\"a\": [1,\n  2,, 3]}", "bad.json", EV_SEARCH_GRID, &err));
    assert_int_equal(err.code, CS_EPARSE);
    assert_string_equal(err.msg, "bad.json:2:5: malformed JSON");
    assert_null(ev_space_parse("{\"a\": {\"type\": \"int\", \"low\": 1, \"high\": 3}}", "g.json", EV_SEARCH_GRID, &err));
    assert_non_null(strstr(err.msg, "'a'"));
    assert_null(ev_space_parse("{\"a\": {\"type\": \"loguniform\", \"low\": 0, \"high\": 3}}", "g", EV_SEARCH_RANDOM, &err));
    assert_non_null(strstr(err.msg, "low > 0"));
    assert_null(ev_space_parse("{\"a\": {\"type\": \"gauss\", \"low\": 0, \"high\": 3}}", "g", EV_SEARCH_RANDOM, &err));
    assert_non_null(strstr(err.msg, "gauss"));
    assert_null(ev_space_parse("{\"a\": []}", "g", EV_SEARCH_GRID, &err));
    assert_null(ev_space_parse("[1]", "g", EV_SEARCH_GRID, &err));
    assert_null(ev_space_parse("{\"a\": 3}", "g", EV_SEARCH_GRID, &err));
    assert_null(ev_space_load("/nonexistent/space.json", EV_SEARCH_GRID, &err));
    assert_int_equal(err.code, CS_EIO);
}

/* score = minus the distance of "a" to 2: the best grid point is a == 2 */
static cs_status _score(void *ctx, const ev_trial *t, size_t index, ev_trial_score *out, cs_err *err)
{
    int *calls = ctx;
    (void)index;
    (*calls)++;
    double a = strtod(t->values[0], NULL);
    if (a > 100) return cs_err_set(err, CS_EINVAL, "too big");
    out->auc_mean = 1.0 - fabs(a - 2.0) / 10;
    out->cost = fabs(a - 3.0);
    return CS_OK;
}

static void test_search_picks_best(void **state)
{
    (void)state;
    int calls = 0;
    ev_space *s = ev_space_parse("{\"a\": [1, 2, 3, 4]}", "s", EV_SEARCH_GRID, NULL);
    ev_search_result r;
    assert_int_equal(ev_search_run(s, 0, 1, EV_SCORE_AUC, _score, &calls, &r, NULL), CS_OK);
    assert_int_equal(calls, 4);
    assert_int_equal(r.best, 1);
    ev_search_result_free(&r);
    assert_int_equal(ev_search_run(s, 0, 1, EV_SCORE_COST, _score, &calls, &r, NULL), CS_OK);
    assert_int_equal(r.best, 2);
    ev_search_result_free(&r);
    ev_space_free(s);
    cs_err err = {0};
    s = ev_space_parse("{\"a\": [1, 200]}", "s", EV_SEARCH_GRID, NULL);
    assert_int_equal(ev_search_run(s, 0, 1, EV_SCORE_COST, _score, &calls, &r, &err), CS_EINVAL);
    assert_string_equal(err.msg, "trial 2 {\"a\": 200}: too big");
    ev_space_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_isotonic_hand_case),
        cmocka_unit_test(test_isotonic_interp_keeps_order),
        cmocka_unit_test(test_calib_auto_picks_lower_loss),
        cmocka_unit_test(test_platt_is_at_the_optimum),
        cmocka_unit_test(test_calib_round_trip_and_corruption),
        cmocka_unit_test(test_space_grid),
        cmocka_unit_test(test_space_random),
        cmocka_unit_test(test_space_errors),
        cmocka_unit_test(test_search_picks_best),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
