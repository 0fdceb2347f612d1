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
#define _RUN_MAX 16         /* up to this many edges a run of one base is counted per edge */
#define _RUN_MIN 64         /* a plan's chunk of one base has at least this many rows */
#define _BLOCK 2048         /* cb_count_plan: rows of the column hashed, then counted (16 KB) */

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

/* The bins of a run of values that share one base, counted without a per-value store: for
 * each edge q the number of values above it, gt[q] (four values per comparison, one
 * accumulator per edge), and the NaNs; with ascending edges the values above edge q are
 * among those above edge q - 1, so bin b holds gt[b-1] - gt[b] (the non-NaN values for
 * gt[-1], none above the last edge for gt[n_edges]): the same counts as one bin per value.
 * K, the number of edges, is a constant in each copy, so the accumulators stay in
 * registers. */
static inline __attribute__((always_inline)) void _run_k(const double *v, size_t m, const double *e, size_t K,
                                                         long long *gt, long long *nanc)
{
    _v4d ev[_RUN_MAX];
    _v4l g[_RUN_MAX], nn = {0, 0, 0, 0};
    size_t t;
    for (size_t q = 0; q < K; q++) {
        ev[q] = (_v4d){e[q], e[q], e[q], e[q]};
        g[q] = (_v4l){0, 0, 0, 0};
    }
    for (t = 0; t + 4 <= m; t += 4) {
        _v4d x;
        memcpy(&x, v + t, sizeof x);
#pragma GCC unroll 16   /* K is a constant: one register per edge, no loop */
        for (size_t q = 0; q < K; q++) g[q] += (_v4l)(x > ev[q]);   /* -1 where above */
        nn += (_v4l)(x != x);
    }
    for (size_t q = 0; q < K; q++) gt[q] = -(g[q][0] + g[q][1] + g[q][2] + g[q][3]);
    *nanc = -(nn[0] + nn[1] + nn[2] + nn[3]);
    for (; t < m; t++) {
        for (size_t q = 0; q < K; q++) gt[q] += v[t] > e[q];
        *nanc += v[t] != v[t];
    }
}

_WIDE static void _count_run(const double *v, size_t m, const double *e, size_t n_edges, size_t nan_bin,
                             uint32_t *out)
{
    long long gt[_RUN_MAX], nanc = 0, above;
    switch (n_edges) {
#define _K(k)                                                                                                        \
    case k:                                                                                                          \
        _run_k(v, m, e, k, gt, &nanc);                                                                               \
        break;
        _K(1) _K(2) _K(3) _K(4) _K(5) _K(6) _K(7) _K(8) _K(9) _K(10) _K(11) _K(12) _K(13) _K(14) _K(15) _K(16)
#undef _K
    default: /* no edge */
        for (size_t t = 0; t < m; t++) nanc += v[t] != v[t];
    }
    above = (long long)m - nanc;
    for (size_t q = 0; q < n_edges; q++) {
        out[q] += (uint32_t)(above - gt[q]);
        above = gt[q];
    }
    out[n_edges] += (uint32_t)above;
    out[nan_bin] += (uint32_t)nanc;
}

/* the shape of rows r[0..m): consecutive (read in place), of one base (a run) */
#define _CONSEC 1u
#define _ONEBASE 2u

static unsigned _shape(const cb_row *r, size_t m)
{
    unsigned f = 0;
    size_t t;
    for (t = 1; t < m && r[t].row == r[t - 1].row + 1; t++) continue;
    if (t >= m) f |= _CONSEC;
    for (t = 1; t < m && r[t].base == r[0].base; t++) continue;
    if (t >= m) f |= _ONEBASE;
    return f;
}

/* rows r[0..m) (m <= _CHUNK) of col, of shape f, into counts (CB_LANES copies of span);
 * runs_ok: the edges ascend and are few enough for _count_run */
static void _count_chunk(const double *col, const cb_row *r, size_t m, unsigned f, const double *edges,
                         size_t n_edges, uint32_t nan_bin, uint32_t *counts, size_t span, int runs_ok)
{
    double vb[_CHUNK];
    long long kb[_CHUNK];
    const double *v = vb;
    size_t t;
    if (m == 0) return;
    if (f & _CONSEC) v = col + r[0].row;
    else
        for (t = 0; t < m; t++) vb[t] = col[r[t].row];
    if (runs_ok && (f & _ONEBASE)) { /* one base for the whole chunk (rows of one period) */
        _count_run(v, m, edges, n_edges, nan_bin, counts + r[0].base);
        return;
    }
    if (n_edges <= _LINEAR_MAX) _bins_linear(v, m, edges, n_edges, nan_bin, kb);
    else _bins_search(v, m, edges, n_edges, nan_bin, kb);
    for (t = 0; t + CB_LANES <= m; t += CB_LANES)
        for (size_t l = 0; l < CB_LANES; l++) counts[l * span + r[t + l].base + (size_t)kb[t + l]]++;
    for (; t < m; t++) counts[r[t].base + (size_t)kb[t]]++;
}

/* whether the chunks may count runs of one base with _count_run */
static int _runs_ok(const double *edges, size_t n_edges)
{
    if (n_edges > _RUN_MAX) return 0;
    for (size_t q = 1; q < n_edges; q++)
        if (!(edges[q - 1] <= edges[q])) return 0;   /* descending or NaN: one bin per value */
    return n_edges == 0 || edges[0] == edges[0];
}

static void _fold_lanes(uint32_t *counts, size_t span)
{
    for (size_t l = 1; l < CB_LANES; l++)
        for (size_t k = 0; k < span; k++) counts[k] += counts[l * span + k];
}

void cb_count(const double *col, const cb_row *rows, size_t n, const double *edges, size_t n_edges,
              uint32_t nan_bin, uint32_t *counts, size_t span)
{
    int runs_ok = _runs_ok(edges, n_edges);
    memset(counts, 0, CB_LANES * span * sizeof *counts);
    for (size_t a = 0; a < n; a += _CHUNK) {
        size_t m = n - a < _CHUNK ? n - a : _CHUNK;
        _count_chunk(col, rows + a, m, _shape(rows + a, m), edges, n_edges, nan_bin, counts, span, runs_ok);
    }
    _fold_lanes(counts, span);
}

/* ---- a plan: the rows cut once for many columns ----------------------------------------- */

typedef struct _seg {
    size_t k;                   /* first row (index into rows) */
    uint32_t m;                 /* rows, <= _CHUNK */
    unsigned f;                 /* _shape */
} _seg;

struct cb_plan {
    const cb_row *rows;
    size_t n, n_rows;
    _seg *seg;
    size_t n_seg;
    size_t *blk_end;            /* per block of _BLOCK column rows: the segments up to it */
    size_t n_blk;
};

static cs_status _plan_add(cb_plan *p, size_t *cap, size_t k, size_t k2, cs_err *err)
{
    while (k < k2) {
        size_t lim = k2 - k < _CHUNK ? k2 - k : _CHUNK, m = 1;
        /* a chunk ends where the base changes (a period's last rows, then the next's), unless
         * the run of one base is short: then the bases are mixed and each value is binned */
        while (m < lim && p->rows[k + m].base == p->rows[k].base) m++;
        if (m < _RUN_MIN) m = lim;
        if (p->n_seg == *cap) {
            size_t c = *cap ? 2 * *cap : 64;
            _seg *q = realloc(p->seg, c * sizeof *q);
            if (!q) return cs_err_set(err, CS_ENOMEM, "out of memory planning a column count");
            p->seg = q;
            *cap = c;
        }
        p->seg[p->n_seg++] = (_seg){k, (uint32_t)m, _shape(p->rows + k, m)};
        k += m;
    }
    return CS_OK;
}

cb_plan *cb_plan_new(const cb_row *rows, size_t n, size_t n_rows, cs_err *err)
{
    cb_plan *p = cs_calloc(1, sizeof *p, err);
    size_t cap = 0, k = 0;
    if (!p) return NULL;
    p->rows = rows;
    p->n = n;
    p->n_rows = n_rows;
    p->n_blk = (n_rows + _BLOCK - 1) / _BLOCK;
    p->blk_end = cs_malloc((p->n_blk ? p->n_blk : 1) * sizeof *p->blk_end, err);
    if (!p->blk_end) goto fail;
    /* each block's rows (those below its end not taken before; rows in ascending order
     * fall each in its own block), cut into chunks */
    for (size_t b = 0; b < p->n_blk; b++) {
        size_t b1 = (b + 1) * _BLOCK < n_rows ? (b + 1) * _BLOCK : n_rows, k2 = k;
        while (k2 < n && rows[k2].row < b1) k2++;
        if (_plan_add(p, &cap, k, k2, err)) goto fail;
        p->blk_end[b] = p->n_seg;
        k = k2;
    }
    /* rows left (at or past n_rows: the caller's error, counted as cb_count would) */
    if (_plan_add(p, &cap, k, n, err)) goto fail;
    return p;
fail:
    cb_plan_free(p);
    return NULL;
}

void cb_plan_free(cb_plan *p)
{
    if (!p) return;
    free(p->seg);
    free(p->blk_end);
    free(p);
}

void cb_count_plan(const double *col, const cb_plan *p, const double *edges, size_t n_edges, uint32_t nan_bin,
                   uint32_t *counts, size_t span, uint64_t *sum)
{
    int runs_ok = _runs_ok(edges, n_edges);
    size_t s = 0, body = p->n_rows * sizeof *col / CS_HASH64_STRIPE * CS_HASH64_STRIPE;
    cs_hash64_state hs;
    memset(counts, 0, CB_LANES * span * sizeof *counts);
    cs_hash64_init(&hs, 0);
    for (size_t b = 0; b < p->n_blk; b++) {
        /* the block's bytes into the hash (the last block's whole stripes), then its rows
         * while it is in cache */
        if (sum) {
            size_t b0 = b * _BLOCK * sizeof *col, b1 = (b + 1) * _BLOCK * sizeof *col;
            cs_hash64_update(&hs, (const unsigned char *)col + b0, (b1 < body ? b1 : body) - b0);
        }
        for (; s < p->blk_end[b]; s++)
            _count_chunk(col, p->rows + p->seg[s].k, p->seg[s].m, p->seg[s].f, edges, n_edges, nan_bin, counts, span,
                         runs_ok);
    }
    for (; s < p->n_seg; s++)
        _count_chunk(col, p->rows + p->seg[s].k, p->seg[s].m, p->seg[s].f, edges, n_edges, nan_bin, counts, span,
                     runs_ok);
    if (sum) *sum = cs_hash64_final(&hs, (const unsigned char *)col + body, p->n_rows * sizeof *col - body);
    _fold_lanes(counts, span);
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
