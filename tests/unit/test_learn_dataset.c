/*
 * test_learn_dataset.c: unit tests of the binned dataset (src/learn/dataset.h): NaN, +-inf,
 * constant and empty columns, few and many distinct values (and the boundary between the two
 * binning paths), bin edges agreeing with bins.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn/dataset.h"

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

/* every value's bin agrees with the edges: upper[b-1] < x <= upper[b] */
static void _check_edges(const ds_dataset *d, const feat_matrix *m)
{
    for (size_t j = 0; j < m->n_feats; j++) {
        const double *u = d->upper[j];
        int nv = d->n_vbins[j];
        assert_true(nv >= 1 && nv <= d->max_bin);
        assert_true(isinf(u[nv - 1]) && u[nv - 1] > 0);
        for (int b = 1; b < nv; b++) assert_true(u[b - 1] < u[b]);
        for (size_t i = 0; i < m->n_rows; i++) {
            double x = m->values[j * m->n_rows + i];
            int b = ds_col(d, j)[i];
            if (isnan(x)) {
                assert_int_equal(b, nv);
                assert_true(d->has_nan[j]);
                continue;
            }
            assert_true(b < nv);
            assert_true(x <= u[b]);
            if (b > 0) assert_true(x > u[b - 1]);
        }
    }
}

static void test_special_values(void **state)
{
    (void)state;
    size_t n = 10;
    feat_matrix *m = _matrix(n, 4);
    double c0[] = {NAN, 1, 2, INFINITY, -INFINITY, 2, NAN, 1, 3, 1e308};
    for (size_t i = 0; i < n; i++) {
        m->values[0 * n + i] = c0[i];
        m->values[1 * n + i] = 7.5;        /* constant */
        m->values[2 * n + i] = NAN;        /* all missing */
        m->values[3 * n + i] = (i % 2) ? INFINITY : -INFINITY;
    }
    cs_err err = {0};
    ds_dataset *d = ds_create(m, 255, 0, &err);
    assert_non_null(d);
    _check_edges(d, m);
    /* -inf, 1, 2, 3, 1e308, inf: six distinct values, six bins, NaN in the seventh */
    assert_int_equal(d->n_vbins[0], 6);
    assert_int_equal(ds_col(d, 0)[4], 0);          /* -inf first */
    assert_int_equal(ds_col(d, 0)[3], 5);          /* +inf last */
    assert_int_equal(ds_col(d, 0)[0], 6);          /* NaN bin */
    assert_int_equal(ds_col(d, 0)[9], 4);          /* 1e308 below +inf */
    assert_int_equal(d->n_vbins[1], 1);            /* constant: one bin */
    assert_false(d->has_nan[1]);
    assert_int_equal(d->n_vbins[2], 1);            /* all NaN: an empty value bin + NaN */
    assert_true(d->has_nan[2]);
    assert_int_equal(ds_col(d, 2)[0], 1);
    assert_int_equal(d->n_vbins[3], 2);
    assert_int_equal(ds_bin_of(d, 0, 1.5), 1);     /* the cut between 1 and 2 is 1.5 */
    assert_int_equal(ds_bin_of(d, 0, 1.6), 2);
    assert_int_equal(ds_bin_of(d, 0, -1e300), 1);
    ds_free(d);
    _matrix_free(m);
}

static void test_quantile_bins(void **state)
{
    (void)state;
    size_t n = 20000;
    feat_matrix *m = _matrix(n, 2);
    cs_rng r;
    cs_rng_seed(&r, 3);
    for (size_t i = 0; i < n; i++) {
        m->values[i] = cs_rng_normal(&r) * 1000;           /* all distinct */
        m->values[n + i] = (double)(i % 7) + (i % 13 == 0 ? 0.5 : 0);   /* few values */
    }
    cs_err err = {0};
    ds_dataset *d = ds_create(m, 63, 0, &err);
    assert_non_null(d);
    _check_edges(d, m);
    assert_int_equal(d->n_vbins[0], 63);
    /* bins hold roughly equal counts */
    size_t cnt[64] = {0};
    for (size_t i = 0; i < n; i++) cnt[ds_col(d, 0)[i]]++;
    for (int b = 0; b < 63; b++) assert_in_range(cnt[b], n / 63 / 2, n / 63 * 2);
    assert_int_equal(d->n_vbins[1], 14);                   /* 0..6 and 0.5..6.5 */
    ds_free(d);
    /* sampled edges still put every row in a consistent bin */
    d = ds_create(m, 255, 1000, &err);
    assert_non_null(d);
    _check_edges(d, m);
    ds_free(d);
    _matrix_free(m);
}

static void test_bad_max_bin(void **state)
{
    (void)state;
    feat_matrix *m = _matrix(3, 1);
    cs_err err = {0};
    assert_null(ds_create(m, 256, 0, &err));
    assert_int_equal(err.code, CS_EINVAL);
    assert_non_null(strstr(err.msg, "max_bin"));
    assert_null(ds_create(m, 1, 0, &err));
    ds_free(NULL);
    _matrix_free(m);
}

/* Columns of exactly max_bin distinct values get one bin each (the path without a sort of all
 * values), max_bin + 1 distinct values fall to the quantile path; -0 and 0 are one value. */
static void test_distinct_boundary(void **state)
{
    (void)state;
    size_t n = 3000;
    int mb = 20;
    feat_matrix *m = _matrix(n, 3);
    for (size_t i = 0; i < n; i++) {
        double k = (double)((i * 7) % (size_t)mb);
        m->values[i] = k * 1.25 - 3;                              /* mb distinct values */
        m->values[n + i] = (double)((i * 5) % (size_t)(mb + 1));  /* mb + 1 */
        m->values[2 * n + i] = i % 3 == 0 ? -0.0 : i % 3 == 1 ? 0.0 : (i % 2 ? NAN : 1);
    }
    cs_err err = {0};
    ds_dataset *d = ds_create(m, mb, 0, &err);
    assert_non_null(d);
    _check_edges(d, m);
    assert_int_equal(d->n_vbins[0], mb);
    for (size_t i = 0; i < n; i++) assert_int_equal(ds_col(d, 0)[i], (int)((i * 7) % (size_t)mb));
    assert_true(d->n_vbins[1] <= mb && d->n_vbins[1] >= mb / 2);
    assert_int_equal(d->n_vbins[2], 2);                           /* {0, -0} and {1} */
    assert_int_equal(ds_col(d, 2)[0], ds_col(d, 2)[1]);
    ds_free(d);
    _matrix_free(m);
}

static int _cmp_d(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* the reference: every sampled value sorted, then the greedy quantiles walked as the header
 * states them (a bin closes once it holds the mean of what is left per bin left; the edge is
 * the midpoint to the next distinct value, or the lower value where that rounds up) */
static int _ref_edges(const double *col, size_t n, int max_bin, size_t ns, double *up)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    size_t k = 0;
    if (ns == 0 || ns >= n) ns = n;
    for (size_t s = 0; s < ns; s++) {
        double x = col[ns < n ? (size_t)((double)s * (double)n / (double)ns) : s];
        if (x == x) v[k++] = x == 0 ? 0.0 : x;
    }
    qsort(v, k, sizeof *v, _cmp_d);
    size_t nd = 0;
    for (size_t i = 0; i < k; i++) nd += i == 0 || v[i] != v[i - 1];
    int nb = 0, left = max_bin;
    size_t rest = k;
    double acc = 0;
    for (size_t i = 0; i < k;) {
        size_t j = i;
        while (j < k && v[j] == v[i]) j++;
        acc += (double)(j - i);
        rest -= j - i;
        int close = nd <= (size_t)max_bin ||
                    (nb < max_bin - 1 && acc >= (double)(rest + (size_t)acc) / (double)left);
        if (j < k && close) {
            double mid = v[i] / 2 + v[j] / 2;
            up[nb++] = mid >= v[i] && mid < v[j] ? mid : v[i];
            left--;
            acc = 0;
        }
        i = j;
    }
    up[nb++] = INFINITY;
    free(v);
    return nb;
}

/* ds_edges (which never sorts the whole sample) gives the reference's edges to the bit on
 * columns of every shape: all distinct, heavy ties, -0 and 0, infinities, a far outlier,
 * tiny and huge magnitudes, NaN, just above and below max_bin distinct values */
static void test_edges_match_sorted(void **state)
{
    (void)state;
    size_t n = 60000;
    double *col = malloc(n * sizeof *col), *buf = malloc(2 * n * sizeof *buf);
    double up[DS_MAX_BIN + 1], ref[DS_MAX_BIN + 1];
    uint64_t z = 12345;
    int checked = 0;
    for (int shape = 0; shape < 9; shape++) {
        for (size_t i = 0; i < n; i++) {
            z = z * 6364136223846793005ull + 1442695040888963407ull;
            double u = (double)(z >> 11) / 9007199254740992.0;
            double x;
            switch (shape) {
            case 0: x = u * 2 - 1; break;                                    /* all distinct */
            case 1: x = u < 0.6 ? 0 : u < 0.65 ? -0.0 : floor(u * 1e4); break;  /* ties, -0 */
            case 2: x = u < 0.01 ? -INFINITY : u > 0.99 ? INFINITY : log(u); break;
            case 3: x = i == 7 ? 1e300 : u; break;                           /* one far outlier */
            case 4: x = (u - 0.5) * 1e-300; break;                           /* tiny */
            case 5: x = u < 0.3 ? NAN : exp(40 * u); break;                  /* NaN, huge range */
            case 6: x = floor(u * 256); break;                               /* 256 distinct */
            case 7: x = floor(u * 255); break;                               /* 255 distinct */
            default: x = floor(u * 3000) / 7; break;                         /* ties everywhere */
            }
            col[i] = x;
        }
        int mbs[3] = {255, 63, 2};
        size_t nss[3] = {0, 20000, 777};
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) {
                int nb = ds_edges(col, n, mbs[a], nss[b], buf, up);
                int nr = _ref_edges(col, n, mbs[a], nss[b], ref);
                assert_int_equal(nb, nr);
                for (int q = 0; q < nb; q++) assert_memory_equal(&up[q], &ref[q], sizeof(double));
                checked++;
            }
    }
    assert_int_equal(checked, 81);
    free(col);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_special_values),
        cmocka_unit_test(test_quantile_bins),
        cmocka_unit_test(test_bad_max_bin),
        cmocka_unit_test(test_distinct_boundary),
        cmocka_unit_test(test_edges_match_sorted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
