/*
 * test_features_colbin.c: unit tests of the column kernel (src/features/colbin.h): cb_count
 * against a plain count (every number of edges from 0 to CB_MAX_EDGES, NaN, infinities, -0,
 * values on the edges, rows in and out of order, bases), its runs of one base, cb_count_plan
 * (one pass with the column's checksum), cb_bin_of, cb_few_distinct, cb_cut.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "features/colbin.h"

static uint64_t _z = 99;

static double _u(void)
{
    _z = _z * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(_z >> 11) / 9007199254740992.0;
}

/* the bin of x the plain way: the number of edges strictly below it */
static size_t _plain(double x, const double *e, size_t ne, size_t nan_bin)
{
    if (x != x) return nan_bin;
    size_t k = 0;
    for (size_t q = 0; q < ne; q++) k += e[q] < x;
    return k;
}

static void test_count_matches_plain(void **state)
{
    (void)state;
    size_t n = 5000, span = 2 * (CB_MAX_EDGES + 2);
    double *col = malloc(n * sizeof *col), e[CB_MAX_EDGES];
    cb_row *r = malloc(n * sizeof *r);
    uint32_t *c = malloc(CB_LANES * span * sizeof *c), *want = malloc(span * sizeof *want);
    size_t nes[] = {0, 1, 2, 3, 7, 31, 32, 33, 100, 254, CB_MAX_EDGES};
    for (size_t a = 0; a < sizeof nes / sizeof *nes; a++) {
        size_t ne = nes[a];
        for (size_t q = 0; q < ne; q++) e[q] = -1 + 2 * (double)(q + 1) / (double)(ne + 1);
        for (size_t i = 0; i < n; i++) {
            double u = _u();
            /* some values exactly on edges, some -0, NaN, infinities */
            col[i] = u < 0.05 ? NAN : u < 0.07 ? -INFINITY : u < 0.09 ? INFINITY : u < 0.11 ? -0.0
                   : u < 0.2 && ne ? e[(size_t)(_u() * (double)ne)] : 2.2 * _u() - 1.1;
        }
        for (int order = 0; order < 3; order++) {
            size_t m = 0;
            for (size_t i = 0; i < n; i++) {
                if (order == 1 && i % 3 == 0) continue;                /* gaps */
                size_t row = order == 2 ? (i * 7919) % n : i;          /* scattered */
                r[m++] = (cb_row){(uint32_t)row, _u() < 0.3 ? (uint32_t)(CB_MAX_EDGES + 2) : 0};
            }
            uint32_t nan_bin = (uint32_t)ne + 1;
            memset(want, 0, span * sizeof *want);
            for (size_t i = 0; i < m; i++) want[r[i].base + _plain(col[r[i].row], e, ne, nan_bin)]++;
            cb_count(col, r, m, e, ne, nan_bin, c, span);
            assert_memory_equal(c, want, span * sizeof *want);
            for (size_t i = 0; i < m; i += 17)
                assert_int_equal(cb_bin_of(col[r[i].row], e, ne, nan_bin), _plain(col[r[i].row], e, ne, nan_bin));
        }
    }
    free(col);
    free(r);
    free(c);
    free(want);
}

/* rows in long runs of one base (the periods of monitoring: the per-edge count of a run)
 * and cb_count_plan's one pass: the same counts as the plain way and, with a sum, the
 * column's cs_hash64; every number of edges around the run kernel's 16, edges repeated,
 * out of order or NaN (counted one bin per value), column lengths off the block and stripe
 * sizes (edges out of order or NaN only where every edge is compared: up to 32) */
static void test_runs_and_count_col(void **state)
{
    (void)state;
    size_t lens[] = {0, 1, 3, 31, 1000, 2047, 2048, 2049, 6001, 9000};
    size_t nes[] = {0, 1, 2, 5, 9, 15, 16, 17, 40};
    size_t span = 6 * (CB_MAX_EDGES + 2);
    double e[64];
    uint32_t *c = malloc(CB_LANES * span * sizeof *c), *c2 = malloc(CB_LANES * span * sizeof *c2),
             *want = malloc(span * sizeof *want);
    for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
        size_t n = lens[li];
        double *col = malloc((n ? n : 1) * sizeof *col);
        cb_row *r = malloc((n ? n : 1) * sizeof *r);
        for (size_t a = 0; a < sizeof nes / sizeof *nes; a++)
            for (int shape = 0; shape < 4; shape++) {
                size_t ne = nes[a];
                if (shape >= 2 && ne > 32) continue; /* the binary search needs ascending edges */
                for (size_t q = 0; q < ne; q++) e[q] = -1 + 2 * (double)(q + 1) / (double)(ne + 1);
                if (shape == 1 && ne >= 3) e[2] = e[1];                      /* a repeated edge */
                if (shape == 2 && ne >= 2) {                                 /* out of order */
                    double t = e[0];
                    e[0] = e[ne - 1];
                    e[ne - 1] = t;
                }
                if (shape == 3 && ne >= 1) e[ne / 2] = NAN;                  /* a NaN edge */
                for (size_t i = 0; i < n; i++) {
                    double u = _u();
                    col[i] = u < 0.05 ? NAN : u < 0.07 ? -INFINITY : u < 0.09 ? INFINITY : u < 0.11 ? -0.0
                           : u < 0.2 && ne ? e[(size_t)(_u() * (double)ne)] : 2.2 * _u() - 1.1;
                }
                for (int order = 0; order < 3; order++) {
                    size_t m = 0;
                    for (size_t i = 0; i < n; i++) {
                        if (order == 1 && i % 5 == 0) continue;                  /* gaps */
                        size_t row = order == 2 ? (i * 7919) % n : i;            /* scattered */
                        /* six periods, in row order */
                        r[m++] = (cb_row){(uint32_t)row, (uint32_t)(row * 6 / n * (CB_MAX_EDGES + 2))};
                    }
                    uint32_t nan_bin = (uint32_t)ne + 1;
                    uint64_t sum = 0;
                    memset(want, 0, span * sizeof *want);
                    for (size_t i = 0; i < m; i++) want[r[i].base + _plain(col[r[i].row], e, ne, nan_bin)]++;
                    cb_count(col, r, m, e, ne, nan_bin, c, span);
                    assert_memory_equal(c, want, span * sizeof *want);
                    cb_plan *pl = cb_plan_new(r, m, n, NULL);
                    assert_non_null(pl);
                    cb_count_plan(col, pl, e, ne, nan_bin, c2, span, &sum);
                    assert_memory_equal(c2, want, span * sizeof *want);
                    assert_true(sum == cs_hash64(col, n * sizeof *col, 0));
                    cb_count_plan(col, pl, e, ne, nan_bin, c2, span, NULL);
                    assert_memory_equal(c2, want, span * sizeof *want);
                    cb_plan_free(pl);
                }
            }
        free(col);
        free(r);
    }
    free(c);
    free(c2);
    free(want);
}

static void test_few_distinct_and_cut(void **state)
{
    (void)state;
    double v[1000], out[CB_MAX_EDGES + 1];
    for (int i = 0; i < 1000; i++) v[i] = (double)((i * 37) % 11) - 5 + (i % 2 ? 0.0 : -0.0);
    v[3] = -0.0;
    assert_int_equal(cb_few_distinct(v, 1000, 255, out), 11);
    for (int k = 0; k < 11; k++) assert_true(out[k] == (double)k - 5);
    assert_false(signbit(out[5]));                      /* -0 counted as 0 */
    assert_int_equal(cb_few_distinct(v, 1000, 10, out), 11);     /* more than cap: cap + 1 */
    for (int i = 0; i < 1000; i++) v[i] = (double)i;
    assert_int_equal(cb_few_distinct(v, 1000, 255, out), 256);
    assert_true(cb_cut(1, 2) == 1.5);
    double a = 1.0, b = nextafter(1.0, 2.0);
    assert_true(cb_cut(a, b) == a);                      /* the midpoint rounds onto b */
    assert_true(cb_cut(-INFINITY, 0) == -INFINITY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count_matches_plain),
        cmocka_unit_test(test_runs_and_count_col),
        cmocka_unit_test(test_few_distinct_and_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
