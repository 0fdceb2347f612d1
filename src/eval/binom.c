/*
 * binom.c: the exact binomial test (contract in metrics.h), as scipy.stats.binomtest
 * computes its two-sided p-value: find the outcomes on the other side of the mode that
 * are no more likely than the observed one and add both tails.
 */
#include "metrics.h"

#include <math.h>

double ev_binom_pmf(double k, double n, double p)
{
    if (k < 0 || k > n || k != floor(k)) return 0.0;
    if (p <= 0) return k == 0 ? 1.0 : 0.0;
    if (p >= 1) return k == n ? 1.0 : 0.0;
    return exp(lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * log(p) + (n - k) * log1p(-p));
}

/* sum of the pmf over lo..hi (inclusive), smallest terms first for accuracy */
static double _sum(double lo, double hi, double n, double p)
{
    double s = 0;
    if (lo > hi) return 0.0;
    /* the terms rise towards the mode: add from the end farther from it */
    if (fabs(lo - n * p) > fabs(hi - n * p))
        for (double k = lo; k <= hi; k++) s += ev_binom_pmf(k, n, p);
    else
        for (double k = hi; k >= lo; k--) s += ev_binom_pmf(k, n, p);
    return s;
}

/* scipy's _binary_search_for_binom_tst: the smallest x in [lo, hi] with a(x) >= d when a
 * rises over the range (the caller passes a decreasing function negated) */
static double _search(double (*a)(double, double, double), double d, double lo, double hi, double n, double p)
{
    while (lo < hi) {
        double mid = lo + floor((hi - lo) / 2);
        double v = a(mid, n, p);
        if (v < d) lo = mid + 1;
        else if (v > d) hi = mid - 1;
        else return mid;
    }
    return a(lo, n, p) <= d ? lo : lo - 1;
}

static double _neg_pmf(double k, double n, double p)
{
    return -ev_binom_pmf(k, n, p);
}

double ev_binom_test(double k, double n, double p)
{
    double d, rerr = 1 + 1e-7, pval;
    if (!(n >= 1) || n != floor(n) || !(k >= 0 && k <= n) || k != floor(k) || !(p >= 0 && p <= 1)) return NAN;
    d = ev_binom_pmf(k, n, p);
    if (k == p * n) return 1.0;
    if (k < p * n) {
        double ix = _search(_neg_pmf, -d * rerr, ceil(p * n), n, n, p);
        double y = n - ix + (d * rerr == ev_binom_pmf(ix, n, p));
        pval = _sum(0, k, n, p) + _sum(n - y + 1, n, n, p);
    } else {
        double ix = _search(ev_binom_pmf, d * rerr, 0, floor(p * n), n, p);
        double y = ix + 1;
        pval = _sum(0, y - 1, n, p) + _sum(k, n, n, p);
    }
    return pval < 1.0 ? pval : 1.0;
}
