/*
 * stats.c: the statistics of the drift tests on plain arrays, each written to give the
 * numbers scipy 1.10 / numpy 1.24 give for the same data: ks_2samp (exact and finite-n
 * asymptotic p-values), chisquare, the two-proportion Z test, wasserstein_distance,
 * jensenshannon, PSI, numpy's Sturges bin edges and histogram counts, and the special
 * functions behind them (regularised incomplete gamma, normal CDF). Read drift.h first.
 */
#include "drift.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- test names ------------------------------------------------------------------- */

static const struct {
    const char *name, *display;
    double threshold;
    int pvalue;
} _tests[DRIFT_TEST_COUNT] = {
    [DRIFT_TEST_AUTO] = {"auto", "automatic", NAN, 0},
    [DRIFT_TEST_KS] = {"ks", "K-S p_value", 0.05, 1},
    [DRIFT_TEST_CHISQUARE] = {"chisquare", "chi-square p_value", 0.05, 1},
    [DRIFT_TEST_Z] = {"z", "Z-test p_value", 0.05, 1},
    [DRIFT_TEST_WASSERSTEIN] = {"wasserstein", "Wasserstein distance (normed)", 0.1, 0},
    [DRIFT_TEST_JENSENSHANNON] = {"jensenshannon", "Jensen-Shannon distance", 0.1, 0},
    [DRIFT_TEST_PSI] = {"psi", "PSI", 0.1, 0},
};

const char *drift_test_name(drift_test t)
{
    return (unsigned)t < DRIFT_TEST_COUNT ? _tests[t].name : "?";
}

const char *drift_test_display_name(drift_test t)
{
    return (unsigned)t < DRIFT_TEST_COUNT ? _tests[t].display : "?";
}

int drift_test_from_name(const char *name)
{
    for (int t = 0; t < DRIFT_TEST_COUNT; t++)
        if (name && !strcmp(name, _tests[t].name)) return t;
    return -1;
}

double drift_test_default_threshold(drift_test t)
{
    return (unsigned)t < DRIFT_TEST_COUNT ? _tests[t].threshold : NAN;
}

int drift_test_is_pvalue(drift_test t)
{
    return (unsigned)t < DRIFT_TEST_COUNT ? _tests[t].pvalue : 0;
}

/* ---- sorting ---------------------------------------------------------------------- */

static inline uint64_t _key(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return (u & 0x8000000000000000ull) ? ~u : (u | 0x8000000000000000ull);
}

static inline double _unkey(uint64_t u)
{
    double v;
    u = (u & 0x8000000000000000ull) ? (u & 0x7fffffffffffffffull) : ~u;
    memcpy(&v, &u, sizeof v);
    return v;
}

static int _cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void drift_sort_scratch(double *x, size_t n, uint64_t *scratch)
{
    uint64_t *k = scratch, *tmp = scratch + n;
    size_t count[8][256];
    if (n < 512) {
        qsort(x, n, sizeof *x, _cmp_double);
        return;
    }
    /* LSD radix sort on the order-preserving integer image of the doubles: all eight
     * byte histograms in one read, and the passes where every key shares the byte
     * (frequent: integral values leave the low mantissa bytes zero) skipped */
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint64_t u = _key(x[i]);
        k[i] = u;
        for (int b = 0; b < 8; b++) count[b][(u >> (8 * b)) & 0xff]++;
    }
    for (int b = 0; b < 8; b++) {
        int shift = 8 * b;
        size_t pos = 0, *c = count[b];
        if (c[(k[0] >> shift) & 0xff] == n) continue;
        for (int d = 0; d < 256; d++) {
            size_t v = c[d];
            c[d] = pos;
            pos += v;
        }
        for (size_t i = 0; i < n; i++) tmp[c[(k[i] >> shift) & 0xff]++] = k[i];
        uint64_t *sw = k;
        k = tmp;
        tmp = sw;
    }
    for (size_t i = 0; i < n; i++) x[i] = _unkey(k[i]);
}

void drift_sort(double *x, size_t n)
{
    uint64_t *scratch;
    if (n < 512) {
        qsort(x, n, sizeof *x, _cmp_double);
        return;
    }
    scratch = malloc(2 * n * sizeof *scratch);
    if (!scratch) {     /* no memory for the radix buffers: sort in place, slower */
        qsort(x, n, sizeof *x, _cmp_double);
        return;
    }
    drift_sort_scratch(x, n, scratch);
    free(scratch);
}

/* ---- special functions ------------------------------------------------------------ */

double drift_norm_cdf(double a)
{
    /* cephes ndtr, as scipy.special.ndtr */
    double x = a * M_SQRT1_2, z = fabs(x), y;
    if (isnan(a)) return NAN;
    if (z < M_SQRT1_2) return 0.5 + 0.5 * erf(x);
    y = 0.5 * erfc(z);
    return x > 0 ? 1.0 - y : y;
}

static double _lgam(double a)
{
    int sign;
    return lgamma_r(a, &sign);
}

/* P(a, x) by its power series (x < a + 1 or x < 1) */
static double _igam_series(double a, double x)
{
    double ax = a * log(x) - x - _lgam(a), r = a, c = 1.0, ans = 1.0;
    if (ax < -745.0) return 0.0;
    ax = exp(ax);
    for (int i = 0; i < 100000; i++) {
        r += 1.0;
        c *= x / r;
        ans += c;
        if (c <= ans * DBL_EPSILON) break;
    }
    return ans * ax / a;
}

/* Q(a, x) by its continued fraction (cephes igamc) */
static double _igamc_cf(double a, double x)
{
    const double big = 4.503599627370496e15, biginv = 2.22044604925031308085e-16;
    double ax = a * log(x) - x - _lgam(a), y, z, c, yc, r, t, pk, pkm1, pkm2, qk, qkm1, qkm2, ans;
    if (ax < -745.0) return 0.0;
    ax = exp(ax);
    y = 1.0 - a;
    z = x + y + 1.0;
    c = 0.0;
    pkm2 = 1.0;
    qkm2 = x;
    pkm1 = x + 1.0;
    qkm1 = z * x;
    ans = pkm1 / qkm1;
    for (int i = 0; i < 100000; i++) {
        c += 1.0;
        y += 1.0;
        z += 2.0;
        yc = y * c;
        pk = pkm1 * z - pkm2 * yc;
        qk = qkm1 * z - qkm2 * yc;
        if (qk != 0) {
            r = pk / qk;
            t = fabs((ans - r) / r);
            ans = r;
        } else {
            t = 1.0;
        }
        pkm2 = pkm1;
        pkm1 = pk;
        qkm2 = qkm1;
        qkm1 = qk;
        if (fabs(pk) > big) {
            pkm2 *= biginv;
            pkm1 *= biginv;
            qkm2 *= biginv;
            qkm1 *= biginv;
        }
        if (t <= DBL_EPSILON) break;
    }
    return ans * ax;
}

double drift_gammaincc(double a, double x)
{
    if (isnan(a) || isnan(x) || x < 0 || a < 0) return NAN;
    if (a == 0) return x > 0 ? 0.0 : NAN;
    if (x == 0) return 1.0;
    if (isinf(x)) return 0.0;
    if (x < 1.0 || x < a) return 1.0 - _igam_series(a, x);
    return _igamc_cf(a, x);
}

double drift_chi2_sf(double x, double df)
{
    if (isnan(x) || !(df > 0)) return NAN;
    if (x < 0) return 1.0;
    return drift_gammaincc(df / 2.0, x / 2.0);
}

/* ---- chi-square, Z ---------------------------------------------------------------- */

void drift_chisquare(const double *obs, const double *exp, size_t k, double *stat, double *p)
{
    double s = 0.0;
    for (size_t i = 0; i < k; i++) {
        double d = obs[i] - exp[i];
        s += d * d / exp[i];
    }
    *stat = s;
    *p = k < 2 ? NAN : drift_chi2_sf(s, (double)(k - 1));
}

void drift_ztest(size_t ones1, size_t n1, size_t ones2, size_t n2, double *z, double *p)
{
    double p1 = (double)ones1 / (double)n1, p2 = (double)ones2 / (double)n2;
    double P = (p1 * (double)n1 + p2 * (double)n2) / (double)(n1 + n2);
    *z = (p1 - p2) / sqrt(P * (1 - P) * (1.0 / (double)n1 + 1.0 / (double)n2));
    *p = 2 * (1 - drift_norm_cdf(fabs(*z)));
}

/* ---- Wasserstein, std ------------------------------------------------------------- */

double drift_wasserstein(const double *a, size_t na, const double *b, size_t nb)
{
    size_t i = 0, j = 0;
    double sum = 0.0;
    while (i < na || j < nb) {
        double x;
        if (j >= nb || (i < na && a[i] <= b[j])) x = a[i++];
        else x = b[j++];
        if (i >= na && j >= nb) break;
        double y = (j >= nb || (i < na && a[i] <= b[j])) ? a[i] : b[j];
        double d = y - x;
        if (d != 0) sum += fabs((double)i / (double)na - (double)j / (double)nb) * d;
    }
    return sum;
}

double drift_std(const double *x, size_t n)
{
    double m = 0.0, s = 0.0;
    if (n == 0) return NAN;
    for (size_t i = 0; i < n; i++) m += x[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
    return sqrt(s / (double)n);
}

/* ---- Jensen-Shannon, PSI ---------------------------------------------------------- */

static double _rel_entr(double x, double y)
{
    if (isnan(x) || isnan(y)) return NAN;
    if (x > 0 && y > 0) return x * log(x / y);
    if (x == 0 && y >= 0) return 0.0;
    return INFINITY;
}

double drift_jensenshannon(const double *p, const double *q, size_t k)
{
    double sp = 0, sq = 0, left = 0, right = 0;
    for (size_t i = 0; i < k; i++) {
        sp += p[i];
        sq += q[i];
    }
    for (size_t i = 0; i < k; i++) {
        double pi = p[i] / sp, qi = q[i] / sq, m = (pi + qi) / 2.0;
        left += _rel_entr(pi, m);
        right += _rel_entr(qi, m);
    }
    return sqrt((left + right) / 2.0);
}

void drift_fill_zeroes(double *share, size_t k)
{
    double mn = INFINITY, fill;
    for (size_t i = 0; i < k; i++)
        if (share[i] != 0 && share[i] < mn) mn = share[i];
    if (isinf(mn)) return;  /* all zero: evidently fails here; leave them */
    fill = mn <= 0.0001 ? mn / 1e6 : 0.0001;
    for (size_t i = 0; i < k; i++)
        if (share[i] == 0) share[i] = fill;
}

double drift_psi(const double *ref, const double *cur, size_t k)
{
    double s = 0.0;
    for (size_t i = 0; i < k; i++) s += (ref[i] - cur[i]) * log(ref[i] / cur[i]);
    return s;
}

/* ---- numpy's Sturges bins and histogram ------------------------------------------- */

cs_status drift_sturges_edges(const double *a, size_t na, const double *b, size_t nb,
                              double **edges, int *n_bins, cs_err *err)
{
    double lo, hi, first, last, width, step;
    long nbin;
    *edges = NULL;
    *n_bins = 0;
    if (na + nb == 0) return cs_err_set(err, CS_EINVAL, "histogram of no values");
    lo = na ? a[0] : b[0];
    hi = na ? a[na - 1] : b[nb - 1];
    if (nb && b[0] < lo) lo = b[0];
    if (nb && b[nb - 1] > hi) hi = b[nb - 1];
    if (!isfinite(lo) || !isfinite(hi)) return cs_err_set(err, CS_EINVAL, "histogram of non-finite values");
    first = lo;
    last = hi;
    if (first == last) {
        first -= 0.5;
        last += 0.5;
    }
    width = (hi - lo) / (log2((double)(na + nb)) + 1.0);
    nbin = width != 0 ? (long)ceil((last - first) / width) : 1;
    if (nbin < 1 || nbin > 100000000L) return cs_err_set(err, CS_EINTERNAL, "histogram: %ld bins", nbin);
    *edges = cs_malloc((size_t)(nbin + 1) * sizeof **edges, err);
    if (!*edges) return CS_ENOMEM;
    step = (last - first) / (double)nbin;
    for (long i = 0; i <= nbin; i++) {
        if (step == 0) (*edges)[i] = (double)i / (double)nbin * (last - first) + first;
        else (*edges)[i] = (double)i * step + first;
    }
    (*edges)[nbin] = last;
    *n_bins = (int)nbin;
    return CS_OK;
}

/* number of x[i] < v (side 'left') or <= v (side 'right') in sorted x */
static size_t _search(const double *x, size_t n, double v, int right)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (right ? x[mid] <= v : x[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

void drift_histogram(const double *x, size_t n, const double *edges, int n_bins, double *counts)
{
    size_t prev = _search(x, n, edges[0], 0);
    for (int i = 0; i < n_bins; i++) {
        size_t c = i + 1 < n_bins ? _search(x, n, edges[i + 1], 0) : _search(x, n, edges[i + 1], 1);
        counts[i] = (double)(c - prev);
        prev = c;
    }
}

/* ---- Kolmogorov-Smirnov ----------------------------------------------------------- */

/* scipy _compute_prob_outside_square(n, h): P(D_{n,n} >= h/n) */
static double _ks_prob_outside_square(long n, long h)
{
    double P = 0.0;
    long k = (long)floor((double)n / (double)h);
    while (k >= 0) {
        double p1 = 1.0;
        for (long j = 0; j < h; j++) p1 = (double)(n - k * h - j) * p1 / (double)(n + k * h + j + 1);
        P = p1 * (1.0 - P);
        k--;
    }
    return 2 * P;
}

/* scipy _compute_outer_prob_inside_method(m, n, g, h) (Hodges, Viehmann's 1-p recursion) */
static double _ks_outer_prob_inside(long m, long n, long g, long h, cs_err *err, int *ok)
{
    long mg, ng, minj, maxj, curlen, lenA;
    double *A, res;
    *ok = 1;
    if (m < n) {
        long t = m;
        m = n;
        n = t;
    }
    mg = m / g;
    ng = n / g;
    minj = 0;
    maxj = (long)ceil((double)h / (double)mg);
    if (maxj > n + 1) maxj = n + 1;
    curlen = maxj - minj;
    lenA = 2 * maxj + 2;
    if (lenA > n + 1) lenA = n + 1;
    A = cs_malloc((size_t)lenA * sizeof *A, err);
    if (!A) {
        *ok = 0;
        return NAN;
    }
    for (long i = 0; i < lenA; i++) A[i] = 1.0;
    for (long i = minj; i < maxj && i < lenA; i++) A[i] = 0.0;
    for (long i = 1; i <= m; i++) {
        long lastminj = minj, lastlen = curlen;
        minj = (long)floor((double)(ng * i - h) / (double)mg) + 1;
        if (minj < 0) minj = 0;
        if (minj > n) minj = n;
        maxj = (long)ceil((double)(ng * i + h) / (double)mg);
        if (maxj > n + 1) maxj = n + 1;
        if (maxj <= minj) {
            free(A);
            return 1.0;
        }
        double val = minj == 0 ? 0.0 : 1.0;
        for (long jj = 0; jj < maxj - minj; jj++) {
            long j = jj + minj;
            val = (A[jj + minj - lastminj] * (double)i + val * (double)j) / (double)(i + j);
            A[jj] = val;
        }
        curlen = maxj - minj;
        if (lastlen > curlen)
            for (long t = maxj - minj; t < maxj - minj + (lastlen - curlen) && t < lenA; t++) A[t] = 1.0;
    }
    res = A[maxj - minj - 1];
    free(A);
    return res;
}

static long _gcd(long a, long b)
{
    while (b) {
        long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

cs_status drift_ks_2samp(const double *a, size_t na, const double *b, size_t nb,
                         double *stat, double *p, cs_err *err)
{
    size_t i = 0, j = 0;
    double maxS = -INFINITY, minD = INFINITY, d, prob = NAN;
    int exact;
    if (na == 0 || nb == 0) return cs_err_set(err, CS_EINVAL, "ks_2samp: empty sample");
    /* cdf differences at every value of either sample, after all values <= it */
    while (i < na || j < nb) {
        double x = (j >= nb || (i < na && a[i] <= b[j])) ? a[i] : b[j];
        while (i < na && a[i] <= x) i++;
        while (j < nb && b[j] <= x) j++;
        double diff = (double)i / (double)na - (double)j / (double)nb;
        if (diff > maxS) maxS = diff;
        if (diff < minD) minD = diff;
    }
    double minS = -minD;
    if (minS < 0) minS = 0;
    if (minS > 1) minS = 1;
    d = minS > maxS ? minS : maxS;

    exact = (na > nb ? na : nb) <= 10000;
    if (exact) {
        long n1 = (long)na, n2 = (long)nb, g = _gcd(n1, n2);
        long lcm = (n1 / g) * n2;
        long h = (long)nearbyint(d * (double)lcm);
        d = (double)h * 1.0 / (double)lcm;
        if (h == 0) {
            prob = 1.0;
        } else if (n1 == n2) {
            prob = _ks_prob_outside_square(n1, h);
        } else {
            int ok;
            prob = _ks_outer_prob_inside(n1, n2, g, h, err, &ok);
            if (!ok) return CS_ENOMEM;
        }
        if (!(prob >= 0 && prob <= 1)) exact = 0;   /* scipy falls back to asymp */
    }
    if (!exact) {
        double m = (double)(na > nb ? na : nb), n = (double)(na > nb ? nb : na);
        double en = m * n / (m + n);
        prob = drift_kstwo_sf(d, nearbyint(en));
    }
    if (prob < 0) prob = 0;
    if (prob > 1) prob = 1;
    *stat = d;
    *p = prob;
    return CS_OK;
}
