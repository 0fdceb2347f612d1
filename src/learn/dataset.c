/*
 * dataset.c: binning a feature matrix for the histogram learners (see dataset.h): quantile
 * edges from the sorted distinct values of a row sample, then every value mapped to its bin
 * by binary search over the edges.
 */
#include "dataset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int _cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Sort n non-NaN doubles ascending: LSD radix sort on order-preserving 64-bit keys,
 * skipping the byte positions where every key agrees. tmp holds n values. */
static void _sort_doubles(double *v, size_t n, double *tmp)
{
    uint64_t *a = (uint64_t *)v, *b = (uint64_t *)tmp;
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        double x = v[i] == 0 ? 0.0 : v[i];          /* -0 sorts as 0 */
        memcpy(&u, &x, 8);
        a[i] = (u >> 63) ? ~u : u | ((uint64_t)1 << 63);
    }
    /* the counts of all eight byte positions in one pass */
    size_t (*cnts)[256] = calloc(8, sizeof *cnts);
    if (!cnts) {
        /* no memory for the counts: sort the keys with qsort instead */
        qsort(a, n, sizeof *a, _cmp_u64);
    } else {
        for (size_t i = 0; i < n; i++) {
            uint64_t u = a[i];
            for (int q = 0; q < 8; q++) cnts[q][(u >> (8 * q)) & 255]++;
        }
    }
    for (int shift = 0; cnts && shift < 64; shift += 8) {
        size_t *cnt = cnts[shift / 8];
        if (n == 0 || cnt[(a[0] >> shift) & 255] == n) continue;   /* all equal here */
        size_t pos = 0;
        for (int k = 0; k < 256; k++) {
            size_t c = cnt[k];
            cnt[k] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++) b[cnt[(a[i] >> shift) & 255]++] = a[i];
        uint64_t *t = a; a = b; b = t;
    }
    free(cnts);
    for (size_t i = 0; i < n; i++) {
        uint64_t u = a[i];
        u = (u >> 63) ? u & ~((uint64_t)1 << 63) : ~u;
        memcpy(&v[i], &u, 8);
    }
}

#define DIST_SLOTS 1024   /* hash slots for the distinct values of a column (> 2 x 255) */

/* When v[0..n) (non-NaN) holds at most cap distinct values (cap < DIST_SLOTS / 2): writes
 * them to out, ascending, and returns their number; otherwise returns cap + 1 (a column of
 * flags or small counts needs no sort of all its values). -0 counts as 0. */
static size_t _few_distinct(const double *v, size_t n, size_t cap, double *out)
{
    uint64_t key[DIST_SLOTS];
    uint8_t used[DIST_SLOTS];
    memset(used, 0, sizeof used);
    size_t nd = 0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i] == 0 ? 0.0 : v[i];
        uint64_t u;
        memcpy(&u, &x, 8);
        size_t s = (size_t)((u * 0x9E3779B97F4A7C15ull) >> 54);   /* 10 bits */
        while (used[s] && key[s] != u) s = (s + 1) & (DIST_SLOTS - 1);
        if (used[s]) continue;
        if (nd == cap) return cap + 1;
        used[s] = 1;
        key[s] = u;
        out[nd++] = x;
    }
    for (size_t i = 1; i < nd; i++) {          /* insertion sort of the few */
        double x = out[i];
        size_t k = i;
        while (k > 0 && out[k - 1] > x) {
            out[k] = out[k - 1];
            k--;
        }
        out[k] = x;
    }
    return nd;
}

/* A cut between two adjacent distinct values a < b that a falls at or below and b above. */
static double _cut(double a, double b)
{
    double mid = a / 2 + b / 2;
    if (!(mid >= a && mid < b)) mid = a;
    return mid;
}

/* Edges of one feature from the sorted non-NaN sample vals[0..n). Returns the number of
 * value bins written to upper (at least 1; the last edge is +inf). */
static int _edges(const double *vals, size_t n, int max_bin, double *upper)
{
    size_t n_dist = 0;
    if (n == 0) {
        upper[0] = INFINITY;
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        if (i == 0 || vals[i] != vals[i - 1]) n_dist++;
    int nb = 0;
    if (n_dist <= (size_t)max_bin) {
        /* one bin per distinct value */
        for (size_t i = 0; i < n;) {
            size_t k = i;
            while (k < n && vals[k] == vals[i]) k++;
            if (k < n) upper[nb++] = _cut(vals[i], vals[k]);
            i = k;
        }
        upper[nb++] = INFINITY;
        return nb;
    }
    /* greedy quantiles: close a bin once it holds the mean of what is left per bin left */
    size_t rest = n;
    int bins_left = max_bin;
    double acc = 0;
    for (size_t i = 0; i < n;) {
        size_t k = i;
        while (k < n && vals[k] == vals[i]) k++;
        acc += (double)(k - i);
        rest -= k - i;
        if (k < n && nb < max_bin - 1 &&
            acc >= (double)(rest + (size_t)acc) / (double)bins_left) {
            upper[nb++] = _cut(vals[i], vals[k]);
            bins_left--;
            acc = 0;
        }
        i = k;
    }
    upper[nb++] = INFINITY;
    return nb;
}

int ds_bin_of(const ds_dataset *d, size_t j, double x)
{
    if (x != x) return d->n_vbins[j];
    /* the first b with x <= u[b] (u[last] = +inf), by a branch-free binary search */
    const double *u = d->upper[j];
    int lo = 0, size = d->n_vbins[j];
    while (size > 1) {
        int half = size / 2;
        lo = x <= u[lo + half - 1] ? lo : lo + half;
        size -= half;
    }
    return lo;
}

/* Bins of x[0..n) for a feature with nv value bins and upper edges u into out (NaN -> nv);
 * returns 1 when some x is NaN. Eight binary searches advance in lockstep (the step sizes
 * depend on nv alone), so their loads overlap instead of waiting on each other. */
static int _bin_many(const double *u, int nv, const double *x, size_t n, uint8_t *out)
{
    int nan = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        int lo[8] = {0};
        for (int size = nv; size > 1;) {
            int half = size / 2;
            for (int q = 0; q < 8; q++) lo[q] += half & -(int)(x[i + q] > u[lo[q] + half - 1]);
            size -= half;
        }
        for (int q = 0; q < 8; q++) {
            int isnan_q = x[i + q] != x[i + q];
            nan |= isnan_q;
            out[i + q] = (uint8_t)(isnan_q ? nv : lo[q]);
        }
    }
    for (; i < n; i++) {
        int lo = 0;
        for (int size = nv; size > 1;) {
            int half = size / 2;
            lo = x[i] <= u[lo + half - 1] ? lo : lo + half;
            size -= half;
        }
        int isnan_i = x[i] != x[i];
        nan |= isnan_i;
        out[i] = (uint8_t)(isnan_i ? nv : lo);
    }
    return nan;
}

ds_dataset *ds_create(const feat_matrix *m, int max_bin, size_t sample_rows, cs_err *err)
{
    if (max_bin < 2 || max_bin > DS_MAX_BIN) {
        cs_err_set(err, CS_EINVAL, "max_bin %d out of range [2, %d]", max_bin, DS_MAX_BIN);
        return NULL;
    }
    ds_dataset *d = cs_calloc(1, sizeof *d, err);
    if (!d) return NULL;
    d->n_rows = m->n_rows;
    d->n_feats = m->n_feats;
    d->max_bin = max_bin;
    size_t n = m->n_rows, nf = m->n_feats;
    d->bins = cs_malloc((nf && n) ? nf * n : 1, err);
    d->n_vbins = cs_calloc(nf ? nf : 1, sizeof *d->n_vbins, err);
    d->has_nan = cs_calloc(nf ? nf : 1, 1, err);
    d->upper = cs_calloc(nf ? nf : 1, sizeof *d->upper, err);
    if (!d->bins || !d->n_vbins || !d->has_nan || !d->upper) {
        ds_free(d);
        return NULL;
    }
    size_t ns = (sample_rows == 0 || sample_rows >= n) ? n : sample_rows;
    /* the sampled rows, spread evenly */
    size_t *srow = ns < n ? cs_malloc(ns * sizeof *srow, err) : NULL;
    if (ns < n && !srow) {
        ds_free(d);
        return NULL;
    }
    for (size_t s = 0; s < ns && srow; s++) srow[s] = (size_t)((double)s * (double)n / (double)ns);
    int failed = 0;
#pragma omp parallel if ((double)nf * (double)ns > 200000.0)
    {
        double *buf = malloc((ns ? ns : 1) * 2 * sizeof *buf);
        double *up = malloc((size_t)(max_bin + 1) * sizeof *up);
        if (!buf || !up) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 4)
        for (size_t j = 0; j < nf; j++) {
            if (!buf || !up) continue;
            const double *col = feat_col(m, j);
            size_t k = 0;
            for (size_t s = 0; s < ns; s++) {
                double v = col[srow ? srow[s] : s];
                if (v == v) buf[k++] = v;
            }
            int nb;
            size_t nd = _few_distinct(buf, k, (size_t)max_bin, buf + ns);
            if (nd <= (size_t)max_bin) {
                nb = _edges(buf + ns, nd, max_bin, up);    /* one bin per distinct value */
            } else {
                _sort_doubles(buf, k, buf + ns);
                nb = _edges(buf, k, max_bin, up);
            }
            d->upper[j] = malloc((size_t)nb * sizeof(double));
            if (!d->upper[j]) {
#pragma omp atomic write
                failed = 1;
                continue;
            }
            memcpy(d->upper[j], up, (size_t)nb * sizeof(double));
            d->n_vbins[j] = (uint16_t)nb;
            uint8_t *bj = d->bins + j * n;
            d->has_nan[j] = (uint8_t)_bin_many(d->upper[j], nb, col, n, bj);
        }
        free(buf);
        free(up);
    }
    free(srow);
    if (failed) {
        cs_err_set(err, CS_ENOMEM, "out of memory binning %zu x %zu values", n, nf);
        ds_free(d);
        return NULL;
    }
    return d;
}

uint8_t *ds_row_bins(const ds_dataset *d, int n_threads, cs_err *err)
{
    size_t n = d->n_rows, nf = d->n_feats;
    uint8_t *rb = cs_malloc((n && nf) ? n * nf : 1, err);
    if (!rb) return NULL;
    /* in tiles of 64 rows x 64 features: reads and writes both stay within a few lines */
#pragma omp parallel for schedule(static) num_threads(n_threads > 0 ? n_threads : 1) if (n * nf > 1000000)
    for (size_t r0 = 0; r0 < n; r0 += 64) {
        size_t r1 = r0 + 64 < n ? r0 + 64 : n;
        for (size_t j0 = 0; j0 < nf; j0 += 64) {
            size_t j1 = j0 + 64 < nf ? j0 + 64 : nf;
            for (size_t j = j0; j < j1; j++) {
                const uint8_t *c = d->bins + j * n;
                for (size_t r = r0; r < r1; r++) rb[r * nf + j] = c[r];
            }
        }
    }
    return rb;
}

void ds_free(ds_dataset *d)
{
    if (!d) return;
    if (d->upper)
        for (size_t j = 0; j < d->n_feats; j++) free(d->upper[j]);
    free(d->upper);
    free(d->bins);
    free(d->n_vbins);
    free(d->has_nan);
    free(d);
}
