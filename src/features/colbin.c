/*
 * colbin.c: per-bin counts of a column over a list of rows, and the pieces that choose edges
 * from a sample (colbin.h).
 */
#include "colbin.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- counting --------------------------------------------------------------------------- */

#define _CHUNK 1024
#define _LINEAR_MAX 32      /* up to this many edges: every edge compared, four values at once */

/* Four doubles and four 64-bit integers as one value (GCC and Clang vector extensions: one
 * AVX2 register, or two SSE2 ones); a comparison of two _v4d is a _v4l of -1 (true) or 0. */
typedef double _v4d __attribute__((vector_size(32)));
typedef long long _v4l __attribute__((vector_size(32)));

/* The x86-64 build carries an AVX2 copy of the counting loop, chosen at load time where the
 * processor has it (the same result: the same comparisons, four at a time). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define _WIDE __attribute__((target_clones("avx2", "default")))
#else
#define _WIDE
#endif

/* the bins of v[0..m) into kb: every edge compared (few edges) */
_WIDE static void _bins_linear(const double *v, size_t m, const double *e, size_t n_edges, long long nan_bin,
                               long long *kb)
{
    _v4d ev[_LINEAR_MAX];
    const _v4l missing = {nan_bin, nan_bin, nan_bin, nan_bin};
    for (size_t q = 0; q < n_edges; q++) ev[q] = (_v4d){e[q], e[q], e[q], e[q]};
    size_t t;
    for (t = 0; t + 4 <= m; t += 4) {
        _v4d x;
        _v4l k = {0, 0, 0, 0}, nan;
        memcpy(&x, v + t, sizeof x);
        for (size_t q = 0; q < n_edges; q++) k -= (_v4l)(ev[q] < x);
        nan = (_v4l)(x != x);
        k = (k & ~nan) | (missing & nan);
        memcpy(kb + t, &k, sizeof k);
    }
    for (; t < m; t++) {
        long long k = 0;
        for (size_t q = 0; q < n_edges; q++) k += e[q] < v[t];
        kb[t] = v[t] != v[t] ? nan_bin : k;
    }
}

/* the bins of v[0..m) into kb: eight branch-free binary searches in lockstep, each in a
 * register of its own (the steps depend on n_edges alone, so their loads overlap) over the
 * n_edges + 1 bins */
static void _bins_search(const double *v, size_t m, const double *e, size_t n_edges, long long nan_bin,
                         long long *kb)
{
    size_t t = 0;
    for (; t + 8 <= m; t += 8) {
        const double *x = v + t;
        size_t l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
        for (size_t size = n_edges + 1; size > 1;) {
            size_t half = size / 2;
            const double *h = e + half - 1;
            l0 += half & -(size_t)(x[0] > h[l0]);
            l1 += half & -(size_t)(x[1] > h[l1]);
            l2 += half & -(size_t)(x[2] > h[l2]);
            l3 += half & -(size_t)(x[3] > h[l3]);
            l4 += half & -(size_t)(x[4] > h[l4]);
            l5 += half & -(size_t)(x[5] > h[l5]);
            l6 += half & -(size_t)(x[6] > h[l6]);
            l7 += half & -(size_t)(x[7] > h[l7]);
            size -= half;
        }
        kb[t + 0] = x[0] != x[0] ? nan_bin : (long long)l0;
        kb[t + 1] = x[1] != x[1] ? nan_bin : (long long)l1;
        kb[t + 2] = x[2] != x[2] ? nan_bin : (long long)l2;
        kb[t + 3] = x[3] != x[3] ? nan_bin : (long long)l3;
        kb[t + 4] = x[4] != x[4] ? nan_bin : (long long)l4;
        kb[t + 5] = x[5] != x[5] ? nan_bin : (long long)l5;
        kb[t + 6] = x[6] != x[6] ? nan_bin : (long long)l6;
        kb[t + 7] = x[7] != x[7] ? nan_bin : (long long)l7;
    }
    for (; t < m; t++) kb[t] = (long long)cb_bin_of(v[t], e, n_edges, (size_t)nan_bin);
}

size_t cb_bin_of(double x, const double *edges, size_t n_edges, size_t nan_bin)
{
    if (x != x) return nan_bin;
    size_t lo = 0;
    for (size_t size = n_edges + 1; size > 1;) {
        size_t half = size / 2;
        if (x > edges[lo + half - 1]) lo += half;
        size -= half;
    }
    return lo;
}

void cb_count(const double *col, const cb_row *rows, size_t n, const double *edges, size_t n_edges,
              uint32_t nan_bin, uint32_t *counts, size_t span)
{
    double vb[_CHUNK];
    long long kb[_CHUNK];
    memset(counts, 0, CB_LANES * span * sizeof *counts);
    for (size_t a = 0; a < n; a += _CHUNK) {
        size_t m = n - a < _CHUNK ? n - a : _CHUNK, t;
        const cb_row *r = rows + a;
        const double *v = vb;
        /* consecutive rows (up to the first that is not: no chain through the chunk) */
        for (t = 1; t < m && r[t].row == r[t - 1].row + 1; t++) continue;
        if (t >= m) v = col + r[0].row;
        else
            for (t = 0; t < m; t++) vb[t] = col[r[t].row];
        if (n_edges <= _LINEAR_MAX) _bins_linear(v, m, edges, n_edges, nan_bin, kb);
        else _bins_search(v, m, edges, n_edges, nan_bin, kb);
        for (t = 0; t + CB_LANES <= m; t += CB_LANES)
            for (size_t l = 0; l < CB_LANES; l++) counts[l * span + r[t + l].base + (size_t)kb[t + l]]++;
        for (; t < m; t++) counts[r[t].base + (size_t)kb[t]]++;
    }
    for (size_t l = 1; l < CB_LANES; l++)
        for (size_t k = 0; k < span; k++) counts[k] += counts[l * span + k];
}

/* ---- choosing edges --------------------------------------------------------------------- */

#define DIST_SLOTS 1024   /* hash slots for the distinct values of a column (> 2 x 256) */

size_t cb_few_distinct(const double *v, size_t n, size_t cap, double *out)
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

double cb_cut(double a, double b)
{
    double mid = a / 2 + b / 2;
    if (!(mid >= a && mid < b)) mid = a;
    return mid;
}
