/*
 * test_drift_stats.c: unit tests of src/drift statistics on arrays, checked against closed
 * forms, brute-force enumeration and invariances (the numbers against scipy itself are
 * checked by tests/oracle/test_drift.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "drift/drift.h"

static double _binom(int n, int k)
{
    double r = 1;
    for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
    return r;
}

static void test_chi2_closed_forms(void **state)
{
    (void)state;
    for (double x = 0.01; x < 80; x *= 1.7) {
        assert_true(fabs(drift_chi2_sf(x, 2) - exp(-x / 2)) < 1e-13 + 1e-12 * exp(-x / 2));
        assert_true(fabs(drift_chi2_sf(x, 1) - erfc(sqrt(x / 2))) < 1e-13);
        assert_true(fabs(drift_chi2_sf(x, 4) - exp(-x / 2) * (1 + x / 2)) < 1e-13);
    }
    assert_true(drift_chi2_sf(0, 3) == 1.0);
    assert_true(drift_chi2_sf(INFINITY, 3) == 0.0);
    assert_true(isnan(drift_chi2_sf(1, 0)));
    /* recurrence Q(a+1, x) = Q(a, x) + x^a e^-x / Gamma(a+1), across both algorithms */
    for (double a = 0.5; a < 40; a += 1.25)
        for (double x = 0.2; x < 90; x *= 1.9) {
            double lhs = drift_gammaincc(a + 1, x);
            double rhs = drift_gammaincc(a, x) + exp(a * log(x) - x - lgamma(a + 1));
            assert_true(fabs(lhs - rhs) < 1e-12);
        }
}

static void test_chisquare_and_z(void **state)
{
    double obs[3] = {10, 20, 30}, exp_[3] = {20, 20, 20}, stat, p, z;
    (void)state;
    drift_chisquare(obs, exp_, 3, &stat, &p);
    assert_true(fabs(stat - 10.0) < 1e-12);
    assert_true(fabs(p - exp(-5.0)) < 1e-13);   /* df = 2 */
    exp_[0] = 0;
    drift_chisquare(obs, exp_, 3, &stat, &p);
    assert_true(isinf(stat) && p == 0.0);
    /* equal proportions -> z = 0, p = 1; symmetric in the two samples */
    drift_ztest(30, 100, 60, 200, &z, &p);
    assert_true(fabs(z) < 1e-15 && fabs(p - 1) < 1e-15);
    double z1, p1, z2, p2;
    drift_ztest(30, 100, 90, 200, &z1, &p1);
    drift_ztest(90, 200, 30, 100, &z2, &p2);
    assert_true(fabs(z1 + z2) < 1e-12 && fabs(p1 - p2) < 1e-15);
    assert_true(fabs(p1 - 2 * (1 - drift_norm_cdf(fabs(z1)))) < 1e-15);
    assert_true(fabs(drift_norm_cdf(0) - 0.5) < 1e-16);
    assert_true(fabs(drift_norm_cdf(1.3) + drift_norm_cdf(-1.3) - 1) < 1e-15);
}

/* exact two-sided KS p-value by enumerating every split of the pooled sample */
static double _ks_brute(const double *a, int na, const double *b, int nb, double d_obs)
{
    double pool[16];
    int n = na + nb, hits = 0, total = 0;
    memcpy(pool, a, (size_t)na * sizeof *a);
    memcpy(pool + na, b, (size_t)nb * sizeof *b);
    for (unsigned mask = 0; mask < (1u << n); mask++) {
        double x[16], y[16], st, p;
        int nx = 0, ny = 0;
        if (__builtin_popcount(mask) != na) continue;
        for (int i = 0; i < n; i++) {
            if (mask & (1u << i)) x[nx++] = pool[i];
            else y[ny++] = pool[i];
        }
        drift_sort(x, (size_t)nx);
        drift_sort(y, (size_t)ny);
        assert_int_equal(drift_ks_2samp(x, (size_t)nx, y, (size_t)ny, &st, &p, NULL), CS_OK);
        total++;
        if (st >= d_obs - 1e-12) hits++;
    }
    return (double)hits / total;
}

static void test_ks_exact(void **state)
{
    double a[8], b[8], d, p;
    cs_rng r;
    (void)state;
    /* complete separation: D = 1, p = 2 / C(n1 + n2, n1), both exact algorithms */
    for (int n1 = 3; n1 <= 8; n1++)
        for (int n2 = 3; n2 <= 8; n2++) {
            for (int i = 0; i < n1; i++) a[i] = i;
            for (int i = 0; i < n2; i++) b[i] = 100 + i;
            assert_int_equal(drift_ks_2samp(a, (size_t)n1, b, (size_t)n2, &d, &p, NULL), CS_OK);
            assert_true(d == 1.0);
            assert_true(fabs(p - 2 / _binom(n1 + n2, n1)) < 1e-12);
        }
    /* identical samples: D = 0, p = 1 */
    assert_int_equal(drift_ks_2samp(a, 5, a, 5, &d, &p, NULL), CS_OK);
    assert_true(d == 0.0 && p == 1.0);
    /* random small samples against the enumeration of every split */
    cs_rng_seed(&r, 11);
    for (int t = 0; t < 30; t++) {
        int n1 = 3 + (int)cs_rng_below(&r, 5), n2 = 3 + (int)cs_rng_below(&r, 5);
        for (int i = 0; i < n1; i++) a[i] = cs_rng_normal(&r);
        for (int i = 0; i < n2; i++) b[i] = cs_rng_normal(&r) + 0.7;
        drift_sort(a, (size_t)n1);
        drift_sort(b, (size_t)n2);
        assert_int_equal(drift_ks_2samp(a, (size_t)n1, b, (size_t)n2, &d, &p, NULL), CS_OK);
        assert_true(fabs(p - _ks_brute(a, n1, b, n2, d)) < 1e-12);
    }
    assert_int_equal(drift_ks_2samp(a, 0, b, 3, &d, &p, NULL), CS_EINVAL);
}

static void test_kstwo_continuity(void **state)
{
    /* scipy switches method at n x^2 = 0.754693, 4 (n <= 140), 2.2 and 18 (n > 140), and
     * at x = 0.5: each method is exact or nearly, so the sf is continuous across */
    static const double n_list[] = {20, 100, 140, 141, 600, 5000, 40000};
    (void)state;
    for (size_t i = 0; i < sizeof n_list / sizeof *n_list; i++) {
        double n = n_list[i], prev = 1.0;
        static const double cut[] = {0.754693, 4, 2.2, 18};
        for (size_t c = 0; c < 4; c++) {
            double x = sqrt(cut[c] / n);
            if (x >= 0.5 || n * x <= 1) continue;
            double lo = drift_kstwo_sf(x * (1 - 1e-9), n), hi = drift_kstwo_sf(x * (1 + 1e-9), n);
            assert_true(fabs(lo - hi) < 2e-6);
        }
        for (double x = 0.5 / n; x < 1; x += 0.37 / sqrt(n)) {  /* decreasing in x */
            double s = drift_kstwo_sf(x, n);
            assert_true(s >= 0 && s <= prev + 1e-12);
            prev = s;
        }
        /* close to the Kolmogorov limit for large n */
        if (n >= 5000) {
            double x = 1.0 / sqrt(n), lim = 0;
            for (int k = 1; k < 100; k++) lim += 2 * ((k % 2) ? 1 : -1) * exp(-2.0 * k * k * x * x * n);
            assert_true(fabs(drift_kstwo_sf(x, n) - lim) < 0.01);
        }
    }
}

static void test_wasserstein_std_js_psi(void **state)
{
    double a[200], b[200], c[3];
    cs_rng r;
    (void)state;
    cs_rng_seed(&r, 5);
    for (int i = 0; i < 200; i++) {
        a[i] = cs_rng_normal(&r);
        b[i] = a[i] + 2.5;
    }
    drift_sort(a, 200);
    drift_sort(b, 200);
    assert_true(fabs(drift_wasserstein(a, 200, b, 200) - 2.5) < 1e-12);
    /* equal sizes: mean absolute difference of the order statistics */
    for (int i = 0; i < 200; i++) b[i] = cs_rng_normal(&r) * 2;
    drift_sort(b, 200);
    double m = 0;
    for (int i = 0; i < 200; i++) m += fabs(a[i] - b[i]);
    assert_true(fabs(drift_wasserstein(a, 200, b, 200) - m / 200) < 1e-12);
    assert_true(fabs(drift_wasserstein(a, 200, b, 200) - drift_wasserstein(b, 200, a, 200)) < 1e-12);
    c[0] = 1, c[1] = 2, c[2] = 3;
    assert_true(fabs(drift_std(c, 3) - sqrt(2.0 / 3)) < 1e-15);

    double p[4] = {0.5, 0.5, 0, 0}, q[4] = {0, 0, 0.3, 0.7}, u[4] = {1, 1, 1, 1};
    assert_true(fabs(drift_jensenshannon(p, q, 4) - sqrt(log(2.0))) < 1e-15);
    assert_true(drift_jensenshannon(u, u, 4) == 0.0);
    assert_true(fabs(drift_jensenshannon(p, q, 4) - drift_jensenshannon(q, p, 4)) < 1e-15);

    double s1[3] = {0.5, 0.5, 0}, s2[3] = {0.99995, 0.00005, 0};
    drift_fill_zeroes(s1, 3);
    assert_true(s1[2] == 0.0001);
    drift_fill_zeroes(s2, 3);
    assert_true(fabs(s2[2] - 0.00005 / 1e6) < 1e-20);
    double r1[2] = {0.5, 0.5}, r2[2] = {0.25, 0.75};
    assert_true(fabs(drift_psi(r1, r2, 2) - (0.25 * log(2.0) - 0.25 * log(0.5 / 0.75))) < 1e-15);
    assert_true(drift_psi(r1, r1, 2) == 0.0);
}

static void test_sort_bins_histogram(void **state)
{
    double *x = malloc(5000 * sizeof *x), sum0 = 0, sum1 = 0, *edges, counts[64];
    int nb;
    cs_rng r;
    (void)state;
    cs_rng_seed(&r, 9);
    for (int i = 0; i < 5000; i++) {
        x[i] = (cs_rng_uniform(&r) - 0.5) * (i % 7 ? 1e3 : 1e-3);
        if (i % 13 == 0) x[i] = -0.0;
        sum0 += x[i];
    }
    drift_sort(x, 5000);
    for (int i = 0; i < 5000; i++) {
        sum1 += x[i];
        if (i) assert_true(x[i - 1] <= x[i]);
    }
    assert_true(fabs(sum0 - sum1) < 1e-6);
    /* 0..999: Sturges gives ceil(log2(1000) + 1) = 11 equal bins from 0 to 999 */
    for (int i = 0; i < 1000; i++) x[i] = i;
    assert_int_equal(drift_sturges_edges(x, 600, x + 600, 400, &edges, &nb, NULL), CS_OK);
    assert_int_equal(nb, 11);
    assert_true(edges[0] == 0 && edges[11] == 999);
    drift_histogram(x, 1000, edges, nb, counts);
    double tot = 0;
    for (int i = 0; i < nb; i++) tot += counts[i];
    assert_true(tot == 1000);   /* the last bin includes the right edge */
    assert_true(counts[0] == 91);   /* 0..90 are below 999/11 = 90.8181... */
    free(edges);
    /* a constant sample: one bin, [v - 0.5, v + 0.5] */
    double k[3] = {4, 4, 4};
    assert_int_equal(drift_sturges_edges(k, 3, k, 0, &edges, &nb, NULL), CS_OK);
    assert_int_equal(nb, 1);
    assert_true(edges[0] == 3.5 && edges[1] == 4.5);
    free(edges);
    free(x);
}

static void test_names(void **state)
{
    (void)state;
    for (int t = 1; t < DRIFT_TEST_COUNT; t++) {
        assert_int_equal(drift_test_from_name(drift_test_name((drift_test)t)), t);
        assert_true(drift_test_default_threshold((drift_test)t) == (drift_test_is_pvalue((drift_test)t) ? 0.05 : 0.1));
    }
    assert_int_equal(drift_test_from_name("nope"), -1);
    assert_string_equal(drift_test_display_name(DRIFT_TEST_WASSERSTEIN), "Wasserstein distance (normed)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chi2_closed_forms),  cmocka_unit_test(test_chisquare_and_z),
        cmocka_unit_test(test_ks_exact),           cmocka_unit_test(test_kstwo_continuity),
        cmocka_unit_test(test_wasserstein_std_js_psi), cmocka_unit_test(test_sort_bins_histogram),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
