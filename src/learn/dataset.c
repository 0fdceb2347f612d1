/*
 * dataset.c: binning a feature matrix for the histogram learners (see dataset.h): quantile
 * edges from the sorted distinct values of a row sample, then every value mapped to its bin
 * by binary search over the edges.
 */
#include "dataset.h"
#include "../features/colbin.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
            if (k < n) upper[nb++] = cb_cut(vals[i], vals[k]);
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
            upper[nb++] = cb_cut(vals[i], vals[k]);
            bins_left--;
            acc = 0;
        }
        i = k;
    }
    upper[nb++] = INFINITY;
    return nb;
}

/* ---- the greedy quantile edges of a sample, without sorting it all ------------------------ */

/* _edges' greedy walk over the sorted values, fed in order by an MSD radix partition that
 * refines only the parts where a bin may close: a part too small to close the open bin is
 * counted whole, unsorted. The edges are _edges' to the bit; most of the sample is never
 * sorted. */
typedef struct _walk {
    size_t n, pos, rest;        /* the values, those walked, those left */
    double acc;                 /* values in the open bin (as _edges counts them) */
    int bins_left, nb, max_bin;
    int pending;                /* upper[nb - 1] waits for the next distinct value */
    double prev;                /* the value that edge closes after */
    double *upper;
} _walk;

/* order-preserving keys of non-NaN doubles (-0 as 0), and back */
static inline uint64_t _key(double x)
{
    uint64_t u;
    x = x == 0 ? 0.0 : x;
    memcpy(&u, &x, 8);
    return (u >> 63) ? ~u : u | ((uint64_t)1 << 63);
}

static inline double _val(uint64_t u)
{
    double x;
    u = (u >> 63) ? u & ~((uint64_t)1 << 63) : ~u;
    memcpy(&x, &u, 8);
    return x;
}

/* the next distinct value after an edge is due: the edge */
static inline void _walk_next(_walk *w, uint64_t k)
{
    if (!w->pending) return;
    w->upper[w->nb - 1] = cb_cut(w->prev, _val(k));
    w->pending = 0;
}

/* a run of m values equal to k, as _edges walks it */
static void _walk_run(_walk *w, uint64_t k, size_t m)
{
    _walk_next(w, k);
    w->acc += (double)m;
    w->rest -= m;
    w->pos += m;
    if (w->pos < w->n && w->nb < w->max_bin - 1 &&
        w->acc >= (double)(w->rest + (size_t)w->acc) / (double)w->bins_left) {
        w->prev = _val(k);
        w->nb++;
        w->pending = 1;
        w->bins_left--;
        w->acc = 0;
    }
}

/* The keys a[0..m) (all above those walked so far) in ascending order; b is scratch of m
 * keys. A part is split into up to 256 by the 8 highest bits of its range (key - least), so
 * a skewed column's crowded parts are split again at a finer scale. */
static void _walk_part(_walk *w, uint64_t *a, uint64_t *b, size_t m)
{
    if (!m) return;
    uint64_t lo = a[0], hi = a[0];
    for (size_t i = 1; i < m; i++) {
        lo = a[i] < lo ? a[i] : lo;
        hi = a[i] > hi ? a[i] : hi;
    }
    _walk_next(w, lo);
    /* acc only grows until a bin closes and rest + acc stays the same: no run end of this
     * part can close one when its last could not */
    if (w->nb >= w->max_bin - 1 ||
        w->acc + (double)m < (double)(w->rest + (size_t)w->acc) / (double)w->bins_left) {
        w->acc += (double)m;
        w->rest -= m;
        w->pos += m;
        return;
    }
    if (lo == hi) {             /* one run */
        _walk_run(w, lo, m);
        return;
    }
    if (m <= 48) {              /* few: an insertion sort, then the runs */
        for (size_t i = 1; i < m; i++) {
            uint64_t x = a[i];
            size_t k = i;
            for (; k > 0 && a[k - 1] > x; k--) a[k] = a[k - 1];
            a[k] = x;
        }
        for (size_t i = 0; i < m;) {
            size_t k = i + 1;
            while (k < m && a[k] == a[i]) k++;
            _walk_run(w, a[i], k - i);
            i = k;
        }
        return;
    }
    /* the range's top bit is in the top digit: the least and the greatest key fall apart */
    int bits = 64 - __builtin_clzll(hi - lo), sh = bits > 8 ? bits - 8 : 0;
    uint32_t cnt[256] = {0}, start[256], at[256], pos = 0;
    for (size_t i = 0; i < m; i++) cnt[(a[i] - lo) >> sh]++;
    for (int c = 0; c < 256; c++) start[c] = pos, pos += cnt[c];
    memcpy(at, start, sizeof at);
    for (size_t i = 0; i < m; i++) b[at[(a[i] - lo) >> sh]++] = a[i];
    for (int c = 0; c < 256; c++)
        if (cnt[c]) _walk_part(w, b + start[c], a + start[c], cnt[c]);
}

/* _edges(sort(v[0..n)), max_bin, upper) for n non-NaN values of more than max_bin distinct
 * ones; v and tmp (n values) are overwritten. */
static int _edges_unsorted(double *v, size_t n, int max_bin, double *upper, double *tmp)
{
    assert(n <= UINT32_MAX);
    uint64_t *a = (uint64_t *)v;
    for (size_t i = 0; i < n; i++) a[i] = _key(v[i]);
    _walk w = {n, 0, n, 0, max_bin, 0, max_bin, 0, 0, upper};
    _walk_part(&w, a, (uint64_t *)tmp, n);
    assert(!w.pending);
    upper[w.nb++] = INFINITY;
    return w.nb;
}

int ds_edges(const double *col, size_t n, int max_bin, size_t sample_rows, double *buf, double *upper)
{
    assert(max_bin >= 2 && max_bin <= DS_MAX_BIN);
    size_t ns = (sample_rows == 0 || sample_rows >= n) ? n : sample_rows, k = 0;
    /* the sampled rows, spread evenly: row s * n / ns (as doubles; while s * n < 2^53 that
     * quotient truncated is the integer one, stepped here without a division) */
    if (ns == n || (double)n * (double)ns >= 9007199254740992.0) {
        for (size_t s = 0; s < ns; s++) {
            double v = col[ns < n ? (size_t)((double)s * (double)n / (double)ns) : s];
            if (v == v) buf[k++] = v;
        }
    } else {
        size_t q = n / ns, r = n % ns, row = 0, rem = 0;
        for (size_t s = 0; s < ns; s++) {
            double v = col[row];
            if (v == v) buf[k++] = v;
            row += q, rem += r;
            if (rem >= ns) rem -= ns, row++;
        }
    }
    size_t nd = cb_few_distinct(buf, k, (size_t)max_bin, buf + ns);
    if (nd <= (size_t)max_bin) return _edges(buf + ns, nd, max_bin, upper);   /* one bin per distinct value */
    return _edges_unsorted(buf, k, max_bin, upper, buf + ns);
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
            int nb = ds_edges(col, n, max_bin, sample_rows, buf, up);
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
