/*
 * grower.c: the leaf-wise histogram tree grower (see grower.h for the model it fits).
 * Rows of each leaf are a contiguous range of one index array, split in place (stable);
 * histograms live in a pool of buffers, one per open leaf that may still split, and are
 * dropped (rebuilt from scratch for both children) when the pool runs out. Boosting trees
 * build them from a row-wise sparse copy of the bins (see "row-wise sparse histograms"),
 * the forest's per-node feature samples from the columns.
 */
#include "grower.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GR_POOL_BYTES ((size_t)768 << 20)   /* histogram pool budget */

typedef struct gr_bin {
    double g, h;
    int64_t c;
} gr_bin;

typedef struct gr_split {
    int feat;           /* -1: none */
    int bin;            /* left = bins <= bin (value bins) */
    int default_left;
    double gain;
    double gl, hl, gr, hr;
    int64_t cl, cr;
    double wl, wr;      /* clamped outputs */
} gr_split;

typedef struct gr_leaf {
    int32_t node;
    size_t begin, end;
    int depth;
    double G, H;
    int64_t C;
    double w;           /* output (unscaled) */
    double lo, hi;      /* monotone bounds */
    gr_bin *hist;       /* pool buffer or NULL */
    gr_split best;
} gr_leaf;

struct gr_work {
    const ds_dataset *d;
    int max_leaves;
    size_t *off;        /* per feature: first bin in a histogram */
    size_t n_hbins;     /* bins in one histogram */
    size_t *idx, *tmp;  /* row partition and scratch, n_rows each */
    double *gh;         /* ordered gradients, 2 per row */
    gr_bin **pool;      /* free histogram buffers */
    int n_pool, pool_cap;
    gr_bin *all_pool;   /* the memory of the pool */
    gr_bin *scratch[2]; /* buffers outside the pool */
    gr_leaf *leaves;
    int *heap;
    gr_split *fbest;    /* per feature best split scratch */
    int *fperm;         /* feature permutation scratch */
    uint8_t *fused;     /* per feature: histogram built in the current node */
    int n_leaves_last;  /* leaves of the last tree grown (their rows are in idx) */
    /* the row-wise sparse copy of the bins (built on the first all-features tree): features
     * in groups of consecutive indices; for group q and row r, the bins of r that are not
     * their feature's most frequent bin are rw_ent[q][rw_ptr[q][r] .. rw_ptr[q][r+1]), as
     * offsets from the group's first histogram bin */
    int rw_state;       /* 0: not built yet, 1: built, -1: not available (too large) */
    int rw_groups;
    size_t *rw_f0;      /* per group: first feature; rw_f0[rw_groups] = n_feats */
    uint32_t **rw_ptr;
    uint16_t **rw_ent;
    uint8_t *mfb;       /* per feature: its most frequent bin over all rows */
    uint8_t *rw_use;    /* per feature: wanted in the histogram being built */
    gr_split *rw_best;  /* 2 x n_feats: per feature best splits of the two children */
};

/* ---- small helpers --------------------------------------------------------------------- */

static inline double _thr_l1(double g, double l1)
{
    if (g > l1) return g - l1;
    if (g < -l1) return g + l1;
    return 0;
}

static inline double _leaf_w(const gr_params *p, double g, double h, double lo, double hi)
{
    double w = -_thr_l1(g, p->lambda_l1) / (h + p->lambda_l2);
    if (w < lo) w = lo;
    if (w > hi) w = hi;
    return w;
}

static inline double _score(const gr_params *p, double g, double h, double w)
{
    return -(2 * g * w + (h + p->lambda_l2) * w * w + 2 * p->lambda_l1 * fabs(w));
}

gr_work *gr_work_create(const ds_dataset *d, int max_leaves, cs_err *err)
{
    if (max_leaves < 2) max_leaves = 2;
    gr_work *w = cs_calloc(1, sizeof *w, err);
    if (!w) return NULL;
    w->d = d;
    w->max_leaves = max_leaves;
    size_t nf = d->n_feats, n = d->n_rows;
    w->off = cs_calloc(nf + 1, sizeof *w->off, err);
    if (!w->off) goto fail;
    for (size_t j = 0; j < nf; j++) w->off[j + 1] = w->off[j] + (size_t)d->n_vbins[j] + 1;
    w->n_hbins = w->off[nf] ? w->off[nf] : 1;
    w->idx = cs_malloc((n ? n : 1) * sizeof *w->idx, err);
    w->tmp = cs_malloc((n ? n : 1) * sizeof *w->tmp, err);
    w->gh = cs_malloc((n ? n : 1) * 2 * sizeof *w->gh, err);
    w->leaves = cs_calloc((size_t)max_leaves, sizeof *w->leaves, err);
    w->heap = cs_calloc((size_t)max_leaves, sizeof *w->heap, err);
    w->fbest = cs_calloc(nf ? nf : 1, sizeof *w->fbest, err);
    w->fperm = cs_calloc(nf ? nf : 1, sizeof *w->fperm, err);
    w->fused = cs_calloc(nf ? nf : 1, 1, err);
    w->scratch[0] = cs_malloc(w->n_hbins * sizeof(gr_bin), err);
    w->scratch[1] = cs_malloc(w->n_hbins * sizeof(gr_bin), err);
    if (!w->idx || !w->tmp || !w->gh || !w->leaves || !w->heap || !w->fbest || !w->fperm ||
        !w->fused || !w->scratch[0] || !w->scratch[1])
        goto fail;
    return w;
fail:
    gr_work_free(w);
    return NULL;
}

void gr_work_free(gr_work *w)
{
    if (!w) return;
    free(w->off);
    free(w->idx);
    free(w->tmp);
    free(w->gh);
    free(w->pool);
    free(w->all_pool);
    free(w->scratch[0]);
    free(w->scratch[1]);
    free(w->leaves);
    free(w->heap);
    free(w->fbest);
    free(w->fperm);
    free(w->fused);
    if (w->rw_ptr)
        for (int q = 0; q < w->rw_groups; q++) free(w->rw_ptr[q]);
    if (w->rw_ent)
        for (int q = 0; q < w->rw_groups; q++) free(w->rw_ent[q]);
    free(w->rw_ptr);
    free(w->rw_ent);
    free(w->rw_f0);
    free(w->mfb);
    free(w->rw_use);
    free(w->rw_best);
    free(w);
}

/* Make the pool (lazily: the forest never uses it). */
static cs_status _pool_init(gr_work *w, cs_err *err)
{
    if (w->all_pool) return CS_OK;
    size_t per = w->n_hbins * sizeof(gr_bin);
    size_t cap = GR_POOL_BYTES / per;
    if (cap > (size_t)w->max_leaves) cap = (size_t)w->max_leaves;
    if (cap < 1) cap = 1;
    w->all_pool = cs_malloc(cap * per, err);
    w->pool = cs_malloc(cap * sizeof *w->pool, err);
    if (!w->all_pool || !w->pool) return err ? err->code : CS_ENOMEM;
    w->pool_cap = (int)cap;
    w->n_pool = 0;
    return CS_OK;
}

static void _pool_reset(gr_work *w)
{
    w->n_pool = 0;
    for (int i = 0; i < w->pool_cap; i++) w->pool[w->n_pool++] = w->all_pool + (size_t)i * w->n_hbins;
}

static gr_bin *_pool_get(gr_work *w)
{
    return w->n_pool > 0 ? w->pool[--w->n_pool] : NULL;
}

static void _pool_put(gr_work *w, gr_bin *b)
{
    if (b && b != w->scratch[0] && b != w->scratch[1]) w->pool[w->n_pool++] = b;
}

/* ---- histograms ------------------------------------------------------------------------ */

#define ROW_BLOCK 8192   /* rows per pass: their ordered gradients stay in cache across features */
#define COL_AHEAD 16     /* rows ahead to prefetch a leaf's bins (its rows are spread over the column) */

/* Add rows k0..k1 of a leaf (row ids ix, ordered gradients gh) to one feature's histogram. */
static void _hist_rows(const uint8_t *col, const size_t *ix, const double *gh, size_t k0,
                       size_t k1, gr_bin *hb, int nb)
{
    if (nb <= 16) {
        /* few bins: runs of rows in one bin would chain their updates; four interleaved
         * partial histograms break the chain */
        gr_bin part[4][16];
        memset(part, 0, sizeof part);
        size_t k = k0;
        for (; k + 4 <= k1; k += 4) {
            if (k + COL_AHEAD < k1) __builtin_prefetch(col + ix[k + COL_AHEAD]);
            if (k + COL_AHEAD + 2 < k1) __builtin_prefetch(col + ix[k + COL_AHEAD + 2]);
            for (int u = 0; u < 4; u++) {
                gr_bin *e = &part[u][col[ix[k + u]]];
                e->g += gh[2 * (k + u)];
                e->h += gh[2 * (k + u) + 1];
                e->c++;
            }
        }
        for (; k < k1; k++) {
            gr_bin *e = &part[0][col[ix[k]]];
            e->g += gh[2 * k];
            e->h += gh[2 * k + 1];
            e->c++;
        }
        for (int b = 0; b < nb; b++) {
            hb[b].g += (part[0][b].g + part[1][b].g) + (part[2][b].g + part[3][b].g);
            hb[b].h += (part[0][b].h + part[1][b].h) + (part[2][b].h + part[3][b].h);
            hb[b].c += part[0][b].c + part[1][b].c + part[2][b].c + part[3][b].c;
        }
        return;
    }
    for (size_t k = k0; k < k1; k++) {
        if (k + COL_AHEAD < k1) __builtin_prefetch(col + ix[k + COL_AHEAD]);
        gr_bin *e = hb + col[ix[k]];
        e->g += gh[2 * k];
        e->h += gh[2 * k + 1];
        e->c++;
    }
}

/* Build the histograms of features feats[0..nf) for the rows of leaf l into hist. Work items
 * are chunks of features, taken dynamically by the threads (a thread the machine preempts
 * does not hold the others up); a chunk walks the rows in blocks so that each block's
 * ordered gradients stay in cache across the chunk's features. A feature's sums are added
 * in the same order whatever the thread count. */
#define FEAT_CHUNK 16
#define ROWS_SPARSE 24   /* a leaf of fewer than n_rows / this rows reads the row-major bins */

/* The histograms of feats[0..nf) for the n rows ix (ordered gradients gh) from the row-major
 * bins rb: each row's sampled features share a few cache lines, where the columns would
 * cost a line per feature for rows this far apart. Rows in order: a feature's sums are added
 * in row order. */
static void _build_rows(gr_work *w, const uint8_t *rb, size_t n, const size_t *ix, const double *gh,
                        const int *feats, size_t nf, gr_bin *hist)
{
    const ds_dataset *d = w->d;
    size_t nfe = d->n_feats;
    for (size_t q = 0; q < nf; q++) {
        int j = feats[q];
        memset(hist + w->off[j], 0, ((size_t)d->n_vbins[j] + 1) * sizeof(gr_bin));
    }
    for (size_t k = 0; k < n; k++) {
        if (k + 4 < n) {
            const uint8_t *nx = rb + ix[k + 4] * nfe;
            for (size_t o = 0; o < nfe; o += 64) __builtin_prefetch(nx + o);
        }
        const uint8_t *row = rb + ix[k] * nfe;
        double gv = gh[2 * k], hv = gh[2 * k + 1];
        for (size_t q = 0; q < nf; q++) {
            int j = feats[q];
            gr_bin *e = hist + w->off[j] + row[j];
            e->g += gv;
            e->h += hv;
            e->c++;
        }
    }
}

static void _build_rw(gr_work *w, const gr_params *p, const gr_leaf *l, const double *g,
                      const double *h, const int *feats, size_t nf, gr_bin *hist);

static void _build(gr_work *w, const gr_params *p, const gr_leaf *l, const double *g,
                   const double *h, const int *feats, size_t nf, gr_bin *hist)
{
    if (w->rw_state == 1 && p->feats_per_node <= 0 && p->hist_mode != GR_HIST_COLUMNS) {
        _build_rw(w, p, l, g, h, feats, nf, hist);
        return;
    }
    const ds_dataset *d = w->d;
    size_t n = l->end - l->begin;
    const size_t *ix = w->idx + l->begin;
    double *gh = w->gh;
    for (size_t k = 0; k < n; k++) {
        gh[2 * k] = g[ix[k]];
        gh[2 * k + 1] = h[ix[k]];
    }
    if (p->row_bins && n * ROWS_SPARSE < d->n_rows) {
        _build_rows(w, p->row_bins, n, ix, gh, feats, nf, hist);
        return;
    }
    int nt = p->n_threads > 0 ? p->n_threads : 1;
    int par = nt > 1 && (double)n * (double)nf > 200000.0;
    size_t n_chunks = (nf + FEAT_CHUNK - 1) / FEAT_CHUNK;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (par)
    for (size_t c = 0; c < n_chunks; c++) {
        size_t q0 = c * FEAT_CHUNK, q1 = q0 + FEAT_CHUNK < nf ? q0 + FEAT_CHUNK : nf;
        for (size_t q = q0; q < q1; q++) {
            int j = feats[q];
            memset(hist + w->off[j], 0, ((size_t)d->n_vbins[j] + 1) * sizeof(gr_bin));
        }
        for (size_t k0 = 0; k0 < n; k0 += ROW_BLOCK) {
            size_t k1 = k0 + ROW_BLOCK < n ? k0 + ROW_BLOCK : n;
            for (size_t q = q0; q < q1; q++) {
                int j = feats[q];
                _hist_rows(ds_col(d, (size_t)j), ix, gh, k0, k1, hist + w->off[j], d->n_vbins[j] + 1);
            }
        }
    }
}

/* ---- row-wise sparse histograms ---------------------------------------------------------
 * Most columns of a credit table sit in one bin for most rows (0 of a one-hot flag, NaN of a
 * rarely filled field). Histograms of the boosting trees, which hold every feature, are
 * built from a row-wise copy of the bins that leaves out each feature's most frequent bin:
 * the work is the non-default entries of the leaf's rows, not rows x features, and the
 * default bin is the leaf's totals minus the other bins. Features are cut into groups of
 * consecutive indices whose histograms fit in a core's cache; threads take whole groups and
 * sum each group's rows in row order, so the sums do not depend on the thread count. */

#define RW_GROUPS 16            /* aim: this many groups with equal numbers of entries */
#define RW_GROUP_BINS 16384     /* at most this many histogram bins in a group (384 KiB) */
#define RW_AHEAD 8              /* rows ahead to prefetch a row's entries */
#define RW_AHEAD2 24            /* rows ahead to prefetch a row's offsets */

static void _rw_drop(gr_work *w)
{
    for (int q = 0; q < w->rw_groups; q++) {
        if (w->rw_ptr) free(w->rw_ptr[q]);
        if (w->rw_ent) free(w->rw_ent[q]);
    }
    free(w->rw_ptr);
    free(w->rw_ent);
    free(w->rw_f0);
    w->rw_ptr = NULL;
    w->rw_ent = NULL;
    w->rw_f0 = NULL;
    w->rw_groups = 0;
    w->rw_state = -1;
}

/* Build the row-wise copy (parallel over features, then over groups). Out of memory or too
 * many entries for 32-bit offsets leaves rw_state at -1: the column-wise histograms serve. */
static void _rw_init(gr_work *w, int nt)
{
    const ds_dataset *d = w->d;
    size_t nf = d->n_feats, n = d->n_rows;
    w->rw_state = -1;
    if (nf == 0 || n == 0 || n >= UINT32_MAX) return;
    size_t *nnz = malloc(nf * sizeof *nnz);
    w->mfb = malloc(nf);
    w->rw_use = malloc(nf);
    w->rw_f0 = malloc((nf + 1) * sizeof *w->rw_f0);
    w->rw_best = malloc(2 * nf * sizeof *w->rw_best);
    if (!nnz || !w->mfb || !w->rw_use || !w->rw_f0 || !w->rw_best) {
        free(nnz);
        _rw_drop(w);
        return;
    }
#pragma omp parallel for schedule(dynamic, 4) num_threads(nt) if (nt > 1)
    for (size_t j = 0; j < nf; j++) {
        size_t cnt[4][DS_MAX_BIN + 1];
        memset(cnt, 0, sizeof cnt);
        const uint8_t *c = ds_col(d, j);
        size_t i = 0;
        for (; i + 4 <= n; i += 4) {
            cnt[0][c[i]]++;
            cnt[1][c[i + 1]]++;
            cnt[2][c[i + 2]]++;
            cnt[3][c[i + 3]]++;
        }
        for (; i < n; i++) cnt[0][c[i]]++;
        int best = 0;
        size_t bc = 0;
        for (int b = 0; b <= d->n_vbins[j]; b++) {
            size_t t = cnt[0][b] + cnt[1][b] + cnt[2][b] + cnt[3][b];
            if (t > bc) {
                bc = t;
                best = b;
            }
        }
        w->mfb[j] = (uint8_t)best;
        nnz[j] = n - bc;
    }
    size_t total = 0;
    for (size_t j = 0; j < nf; j++) total += nnz[j];
    size_t target = total / RW_GROUPS + 1, acc = 0, bins = 0;
    int ng = 0;
    for (size_t j = 0; j < nf; j++) {
        size_t fb = (size_t)d->n_vbins[j] + 1;
        if (j == 0 || acc >= target || bins + fb > RW_GROUP_BINS) {
            w->rw_f0[ng++] = j;
            acc = 0;
            bins = 0;
        }
        acc += nnz[j];
        bins += fb;
    }
    w->rw_f0[ng] = nf;
    w->rw_groups = ng;
    w->rw_ptr = calloc((size_t)ng, sizeof *w->rw_ptr);
    w->rw_ent = calloc((size_t)ng, sizeof *w->rw_ent);
    if (!w->rw_ptr || !w->rw_ent) {
        free(nnz);
        _rw_drop(w);
        return;
    }
    int failed = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1)
    for (int q = 0; q < ng; q++) {
        size_t j0 = w->rw_f0[q], j1 = w->rw_f0[q + 1], gn = 0;
        for (size_t j = j0; j < j1; j++) gn += nnz[j];
        uint32_t *ptr = gn < UINT32_MAX ? calloc(n + 1, sizeof *ptr) : NULL;
        uint16_t *ent = ptr ? malloc((gn ? gn : 1) * sizeof *ent) : NULL;
        if (!ptr || !ent) {
            free(ptr);
            free(ent);
#pragma omp atomic write
            failed = 1;
            continue;
        }
        for (size_t j = j0; j < j1; j++) {
            const uint8_t *c = ds_col(d, j);
            uint8_t m = w->mfb[j];
            for (size_t i = 0; i < n; i++) ptr[i + 1] += c[i] != m;
        }
        for (size_t i = 0; i < n; i++) ptr[i + 1] += ptr[i];
        /* ptr[i] is row i's write cursor; afterwards it is row i's end, shifted back below */
        for (size_t j = j0; j < j1; j++) {
            const uint8_t *c = ds_col(d, j);
            uint8_t m = w->mfb[j];
            uint16_t base = (uint16_t)(w->off[j] - w->off[j0]);
            for (size_t i = 0; i < n; i++)
                if (c[i] != m) ent[ptr[i]++] = (uint16_t)(base + c[i]);
        }
        memmove(ptr + 1, ptr, n * sizeof *ptr);
        ptr[0] = 0;
        w->rw_ptr[q] = ptr;
        w->rw_ent[q] = ent;
    }
    free(nnz);
    if (failed) {
        _rw_drop(w);
        return;
    }
    w->rw_state = 1;
}

static void _best_feat(const gr_work *w, const gr_params *p, const gr_leaf *l, int j,
                       const gr_bin *hb, double parent_score, gr_split *s);
static int _searchable(const gr_params *p, const gr_leaf *l);

/* The histograms of features feats[0..nf) for the rows of leaf l into hist, from the row-wise
 * copy (the groups holding none of feats are skipped). With `big` (l's sibling, the larger
 * child of a split) and `parent` (their parent's histogram): each group, once built, is
 * subtracted from parent's (which becomes big's), and both children's best splits over the
 * group's features are found in the same parallel pass, into w->rw_best (l's at [j], big's
 * at [n_feats + j]); with find alone (the root), l's best splits only. */
static void _rw_pass(gr_work *w, const gr_params *p, const gr_leaf *l, const gr_leaf *big,
                     gr_bin *parent, int find, const double *g, const double *h,
                     const int *feats, size_t nf, gr_bin *hist)
{
    const ds_dataset *d = w->d;
    size_t n = l->end - l->begin;
    const size_t *ix = w->idx + l->begin;
    double *gh = w->gh, G = 0, H = 0;
    for (size_t k = 0; k < n; k++) {
        gh[2 * k] = g[ix[k]];
        gh[2 * k + 1] = h[ix[k]];
        G += gh[2 * k];
        H += gh[2 * k + 1];
    }
    memset(w->rw_use, 0, d->n_feats);
    for (size_t q = 0; q < nf; q++) w->rw_use[feats[q]] = 1;
    int find_l = find && _searchable(p, l), find_b = find && big && _searchable(p, big);
    double ps_l = find_l ? _score(p, l->G, l->H, l->w) : 0;
    double ps_b = find_b ? _score(p, big->G, big->H, big->w) : 0;
    gr_split *best_l = w->rw_best, *best_b = w->rw_best + d->n_feats;
    int nt = p->n_threads > 0 ? p->n_threads : 1;
    int par = nt > 1 && (double)n * (double)nf > 200000.0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (par)
    for (int q = 0; q < w->rw_groups; q++) {
        size_t j0 = w->rw_f0[q], j1 = w->rw_f0[q + 1];
        int any = 0;
        for (size_t j = j0; j < j1 && !any; j++) any = w->rw_use[j];
        if (!any) continue;
        gr_bin *hb = hist + w->off[j0];
        memset(hb, 0, (w->off[j1] - w->off[j0]) * sizeof *hb);
        const uint32_t *ptr = w->rw_ptr[q];
        const uint16_t *ent = w->rw_ent[q];
        for (size_t k = 0; k < n; k++) {
            size_t r = ix[k];
            double gv = gh[2 * k], hv = gh[2 * k + 1];
            /* a child's rows are spread over the arrays: fetch ahead of the loop */
            if (k + RW_AHEAD2 < n) __builtin_prefetch(ptr + ix[k + RW_AHEAD2]);
            if (k + RW_AHEAD < n) __builtin_prefetch(ent + ptr[ix[k + RW_AHEAD]]);
            for (uint32_t e = ptr[r], e1 = ptr[r + 1]; e < e1; e++) {
                gr_bin *b = hb + ent[e];
                b->g += gv;
                b->h += hv;
                b->c++;
            }
        }
        for (size_t j = j0; j < j1; j++) {
            /* the most frequent bin: the leaf's totals minus the other bins (it holds 0 so far) */
            gr_bin *fb = hist + w->off[j];
            double sg = 0, sh = 0;
            int64_t sc = 0;
            for (int b = 0; b <= d->n_vbins[j]; b++) {
                sg += fb[b].g;
                sh += fb[b].h;
                sc += fb[b].c;
            }
            gr_bin *mb = fb + w->mfb[j];
            mb->g = G - sg;
            mb->h = H - sh;
            mb->c = (int64_t)n - sc;
            if (!w->rw_use[j]) continue;
            if (big) {
                gr_bin *pb = parent + w->off[j];
                for (int b = 0; b <= d->n_vbins[j]; b++) {
                    pb[b].g -= fb[b].g;
                    pb[b].h -= fb[b].h;
                    pb[b].c -= fb[b].c;
                }
            }
            if (find_l) _best_feat(w, p, l, (int)j, fb, ps_l, &best_l[j]);
            if (find_b) _best_feat(w, p, big, (int)j, parent + w->off[j], ps_b, &best_b[j]);
        }
    }
}

static void _build_rw(gr_work *w, const gr_params *p, const gr_leaf *l, const double *g,
                      const double *h, const int *feats, size_t nf, gr_bin *hist)
{
    _rw_pass(w, p, l, NULL, NULL, 0, g, h, feats, nf, hist);
}

/* l->best from the per-feature splits `per` (indexed by feature), ties to the lower position
 * in feats, as _best_over(); nothing when l may not split. */
static void _rw_pick(const gr_params *p, gr_leaf *l, const gr_split *per, const int *feats, size_t nf)
{
    l->best.feat = -1;
    l->best.gain = 0;
    if (!_searchable(p, l)) return;
    for (size_t q = 0; q < nf; q++) {
        const gr_split *c = &per[feats[q]];
        if (c->feat >= 0 && (l->best.feat < 0 || c->gain > l->best.gain)) l->best = *c;
    }
}

/* big -= small over features feats[0..nf). */
static void _subtract(gr_work *w, const int *feats, size_t nf, gr_bin *big, const gr_bin *small)
{
    for (size_t q = 0; q < nf; q++) {
        int j = feats[q];
        size_t a = w->off[j], b = w->off[j + 1];
        for (size_t i = a; i < b; i++) {
            big[i].g -= small[i].g;
            big[i].h -= small[i].h;
            big[i].c -= small[i].c;
        }
    }
}

/* ---- split finding --------------------------------------------------------------------- */

/* The best split of feature j for leaf l from its histogram; s->feat = -1 when none. */
static void _best_feat(const gr_work *w, const gr_params *p, const gr_leaf *l, int j,
                       const gr_bin *hb, double parent_score, gr_split *s)
{
    const ds_dataset *d = w->d;
    int nv = d->n_vbins[j];
    const gr_bin *nan = hb + nv;
    int mono = p->monotone ? p->monotone[j] : 0;
    s->feat = -1;
    s->gain = 0;
    double eps = 1e-12 * (fabs(parent_score) + 1);
    int n_dir = nan->c > 0 ? 2 : 1;
    if (!mono && p->lambda_l1 == 0 && isinf(l->lo) && isinf(l->hi)) {
        /* the common case: gain = GL^2/(HL+l2) + GR^2/(HR+l2) - parent, one pass per side */
        double l2 = p->lambda_l2, best = 0;
        int best_b = -1, best_dir = 0;
        for (int dir = 0; dir < n_dir; dir++) {
            double gl = dir ? nan->g : 0, hl = dir ? nan->h : 0;
            int64_t cl = dir ? nan->c : 0;
            int last = (dir == 0 && nan->c > 0) ? nv - 1 : nv - 2;
            for (int b = 0; b <= last; b++) {
                gl += hb[b].g;
                hl += hb[b].h;
                cl += hb[b].c;
                if (hb[b].c == 0 && b < last) continue;
                if (cl < p->min_data_in_leaf) continue;
                if (l->C - cl < p->min_data_in_leaf) break;
                double hr = l->H - hl, gr = l->G - gl;
                if (hl < p->min_sum_hessian || hr < p->min_sum_hessian) continue;
                double gain = gl * gl / (hl + l2) + gr * gr / (hr + l2);
                if (gain > best) {
                    best = gain;
                    best_b = b;
                    best_dir = dir;
                }
            }
        }
        if (best_b < 0) return;
        double gain = best - parent_score;
        if (!(gain > p->min_gain && gain > eps)) return;
        /* recompute the winner's sums */
        double gl = best_dir ? nan->g : 0, hl = best_dir ? nan->h : 0;
        int64_t cl = best_dir ? nan->c : 0;
        for (int b = 0; b <= best_b; b++) {
            gl += hb[b].g;
            hl += hb[b].h;
            cl += hb[b].c;
        }
        s->feat = j;
        s->bin = best_b;
        s->default_left = best_dir;
        s->gain = gain;
        s->gl = gl; s->hl = hl; s->cl = cl;
        s->gr = l->G - gl; s->hr = l->H - hl; s->cr = l->C - cl;
        s->wl = _leaf_w(p, s->gl, s->hl, l->lo, l->hi);
        s->wr = _leaf_w(p, s->gr, s->hr, l->lo, l->hi);
        if (nan->c == 0) s->default_left = s->cl >= s->cr;
        return;
    }
    for (int dir = 0; dir < n_dir; dir++) {
        /* dir 0: NaN right (or no NaN); dir 1: NaN left */
        double gl = dir ? nan->g : 0, hl = dir ? nan->h : 0;
        int64_t cl = dir ? nan->c : 0;
        /* with NaN right, a threshold at the last value bin isolates the NaN rows */
        int last = (dir == 0 && nan->c > 0) ? nv - 1 : nv - 2;
        for (int b = 0; b <= last; b++) {
            gl += hb[b].g;
            hl += hb[b].h;
            cl += hb[b].c;
            if (hb[b].c == 0 && b < last) continue;   /* same split as the previous bin */
            if (cl < p->min_data_in_leaf) continue;
            int64_t cr = l->C - cl;
            if (cr < p->min_data_in_leaf) break;
            double gr = l->G - gl, hr = l->H - hl;
            if (hl < p->min_sum_hessian || hr < p->min_sum_hessian) continue;
            double wl = _leaf_w(p, gl, hl, l->lo, l->hi);
            double wr = _leaf_w(p, gr, hr, l->lo, l->hi);
            if ((mono > 0 && wl > wr) || (mono < 0 && wl < wr)) continue;
            double gain = _score(p, gl, hl, wl) + _score(p, gr, hr, wr) - parent_score;
            if (gain > p->min_gain && gain > eps && gain > s->gain) {
                s->feat = j;
                s->bin = b;
                s->default_left = dir;
                s->gain = gain;
                s->gl = gl; s->hl = hl; s->cl = cl;
                s->gr = gr; s->hr = hr; s->cr = cr;
                s->wl = wl; s->wr = wr;
            }
        }
    }
    if (s->feat >= 0 && nan->c == 0) s->default_left = s->cl >= s->cr;
}

/* Best split over feats[0..nf) (parallel over features), ties to the lower position. */
static void _best_over(gr_work *w, const gr_params *p, const gr_leaf *l, const gr_bin *hist,
                       const int *feats, size_t nf, gr_split *best)
{
    double ps = _score(p, l->G, l->H, l->w);
    /* sequential: a scan of every bin is cheap next to a parallel region's barrier on a busy
     * machine */
    for (size_t q = 0; q < nf; q++) _best_feat(w, p, l, feats[q], hist + w->off[feats[q]], ps, &w->fbest[q]);
    for (size_t q = 0; q < nf; q++)
        if (w->fbest[q].feat >= 0 && (best->feat < 0 || w->fbest[q].gain > best->gain))
            *best = w->fbest[q];
}

#define SMALL_N 32

/* The best split of feature j for a small leaf (n <= SMALL_N rows) without a histogram:
 * the rows sorted by bin, scanned over the bins present. Same result as _best_feat() on the
 * full histogram in the common case (no monotone bound, no L1), to which it is limited. */
static int _best_small(const gr_work *w, const gr_params *p, const gr_leaf *l, int j,
                       const double *g, const double *h, double parent_score, gr_split *s)
{
    const ds_dataset *d = w->d;
    const size_t *ix = w->idx + l->begin;
    int n = (int)(l->end - l->begin), nv = d->n_vbins[j];
    const uint8_t *col = ds_col(d, (size_t)j);
    int bb[SMALL_N];
    double gg[SMALL_N], hh[SMALL_N];
    for (int k = 0; k < n; k++) {               /* insertion sort by bin */
        int b = col[ix[k]];
        double gv = g[ix[k]], hv = h[ix[k]];
        int q = k;
        while (q > 0 && bb[q - 1] > b) {
            bb[q] = bb[q - 1];
            gg[q] = gg[q - 1];
            hh[q] = hh[q - 1];
            q--;
        }
        bb[q] = b;
        gg[q] = gv;
        hh[q] = hv;
    }
    /* NaN rows are the tail (bin nv) */
    int n_val = n;
    double ng = 0, nh = 0;
    while (n_val > 0 && bb[n_val - 1] == nv) {
        n_val--;
        ng += gg[n_val];
        nh += hh[n_val];
    }
    int64_t nc = n - n_val;
    int varies = n > 0 && bb[0] != bb[n - 1];
    s->feat = -1;
    s->gain = 0;
    double eps = 1e-12 * (fabs(parent_score) + 1), l2 = p->lambda_l2, best = 0;
    int best_b = -1, best_dir = 0, n_dir = nc > 0 ? 2 : 1;
    for (int dir = 0; dir < n_dir; dir++) {
        double gl = dir ? ng : 0, hl = dir ? nh : 0;
        int64_t cl = dir ? nc : 0;
        for (int k = 0; k < n_val; k++) {
            gl += gg[k];
            hl += hh[k];
            cl++;
            int end_of_bin = k + 1 == n_val || bb[k + 1] != bb[k];
            if (!end_of_bin) continue;
            int last_val = k + 1 == n_val;
            if (last_val && !(dir == 0 && nc > 0)) break;   /* nothing left on the right */
            if (cl < p->min_data_in_leaf) continue;
            if (l->C - cl < p->min_data_in_leaf) break;
            double hr = l->H - hl, gr = l->G - gl;
            if (hl < p->min_sum_hessian || hr < p->min_sum_hessian) continue;
            double gain = gl * gl / (hl + l2) + gr * gr / (hr + l2);
            if (gain > best) {
                best = gain;
                best_b = last_val ? nv - 1 : bb[k];
                best_dir = dir;
            }
        }
    }
    if (best_b < 0) return varies;
    double gain = best - parent_score;
    if (!(gain > p->min_gain && gain > eps)) return varies;
    double gl = best_dir ? ng : 0, hl = best_dir ? nh : 0;
    int64_t cl = best_dir ? nc : 0;
    for (int k = 0; k < n_val && bb[k] <= best_b; k++) {
        gl += gg[k];
        hl += hh[k];
        cl++;
    }
    s->feat = j;
    s->bin = best_b;
    s->default_left = best_dir;
    s->gain = gain;
    s->gl = gl; s->hl = hl; s->cl = cl;
    s->gr = l->G - gl; s->hr = l->H - hl; s->cr = l->C - cl;
    s->wl = _leaf_w(p, s->gl, s->hl, l->lo, l->hi);
    s->wr = _leaf_w(p, s->gr, s->hr, l->lo, l->hi);
    if (nc == 0) s->default_left = s->cl >= s->cr;
    return varies;
}

/* 1 when leaf l is large and shallow enough to be split at all. */
static int _searchable(const gr_params *p, const gr_leaf *l)
{
    int64_t n = (int64_t)(l->end - l->begin);
    if (n < 2 * p->min_data_in_leaf || l->H < 2 * p->min_sum_hessian) return 0;
    if (p->max_depth > 0 && l->depth >= p->max_depth) return 0;
    return 1;
}

/* Find leaf l's best split. Mode "all features": hist holds the histograms of feats. Mode
 * "sampled": build histograms of random features into hist, k at a time, until k have been
 * looked at and one splits (or all have). */
static void _find(gr_work *w, const gr_params *p, gr_leaf *l, const gr_bin *hist,
                  const double *g, const double *h, const int *feats, size_t nf, cs_rng *rng,
                  gr_bin *scratch)
{
    l->best.feat = -1;
    l->best.gain = 0;
    int64_t n = (int64_t)(l->end - l->begin);
    if (!_searchable(p, l)) return;
    if (p->feats_per_node <= 0) {
        _best_over(w, p, l, hist, feats, nf, &l->best);
        return;
    }
    /* a pure leaf (the forest's one-class node: output 0 or 1) has nothing to gain */
    if (p->stop_pure && (l->w <= 1e-12 || l->w >= 1 - 1e-12)) return;
    int *perm = w->fperm;
    int small = n <= SMALL_N && p->lambda_l1 == 0 && !p->monotone && isinf(l->lo) && isinf(l->hi);
    memcpy(perm, feats, nf * sizeof *perm);
    /* as scikit-learn: draw features until k of them vary within the leaf (constant ones
     * do not count) or none are left */
    size_t k = (size_t)p->feats_per_node, done = 0, varying = 0;
    while (done < nf && varying < k) {
        size_t take = k - varying < nf - done ? k - varying : nf - done;
        for (size_t q = 0; q < take; q++) {   /* partial Fisher-Yates */
            size_t r = done + q + (size_t)cs_rng_below(rng, nf - done - q);
            int t = perm[done + q];
            perm[done + q] = perm[r];
            perm[r] = t;
        }
        if (small) {
            double ps = _score(p, l->G, l->H, l->w);
            for (size_t q = 0; q < take; q++) {
                gr_split sp;
                varying += _best_small(w, p, l, perm[done + q], g, h, ps, &sp);
                if (sp.feat >= 0 && (l->best.feat < 0 || sp.gain > l->best.gain)) l->best = sp;
            }
        } else {
            _build(w, p, l, g, h, perm + done, take, scratch);
            _best_over(w, p, l, scratch, perm + done, take, &l->best);
            for (size_t q = 0; q < take; q++) {
                int j = perm[done + q], nz = 0;
                const gr_bin *hb = scratch + w->off[j];
                for (int b = 0; b <= w->d->n_vbins[j] && nz < 2; b++) nz += hb[b].c > 0;
                varying += nz > 1;
            }
        }
        done += take;
    }
}

/* ---- the tree -------------------------------------------------------------------------- */

static void _heap_push(gr_work *w, int *n, int leaf)
{
    int *hp = w->heap, i = (*n)++;
    hp[i] = leaf;
    while (i > 0) {
        int par = (i - 1) / 2;
        if (w->leaves[hp[par]].best.gain >= w->leaves[hp[i]].best.gain) break;
        int t = hp[par]; hp[par] = hp[i]; hp[i] = t;
        i = par;
    }
}

static int _heap_pop(gr_work *w, int *n)
{
    int *hp = w->heap, top = hp[0];
    hp[0] = hp[--(*n)];
    int i = 0;
    for (;;) {
        int a = 2 * i + 1, b = a + 1, m = i;
        if (a < *n && w->leaves[hp[a]].best.gain > w->leaves[hp[m]].best.gain) m = a;
        if (b < *n && w->leaves[hp[b]].best.gain > w->leaves[hp[m]].best.gain) m = b;
        if (m == i) break;
        int t = hp[m]; hp[m] = hp[i]; hp[i] = t;
        i = m;
    }
    return top;
}

typedef struct gr_nodes {
    tree_node *nodes;
    int32_t *thr;
    int32_t n, cap;
} gr_nodes;

static int32_t _node_add(gr_nodes *t, double value, double cover, cs_err *err)
{
    if (t->n == t->cap) {
        int32_t nc = t->cap ? t->cap * 2 : 64;
        tree_node *nn = cs_reallocarray(t->nodes, (size_t)nc, sizeof *nn, err);
        if (!nn) return -1;
        t->nodes = nn;
        int32_t *nt = cs_reallocarray(t->thr, (size_t)nc, sizeof *nt, err);
        if (!nt) return -1;
        t->thr = nt;
        t->cap = nc;
    }
    tree_node *x = &t->nodes[t->n];
    memset(x, 0, sizeof *x);
    x->feature = -1;
    x->left = x->right = -1;
    x->value = value;
    x->cover = cover;
    t->thr[t->n] = -1;
    return t->n++;
}

/* Split rows of leaf l in place (stable): left first. Returns the left count. */
static size_t _partition(gr_work *w, const gr_leaf *l)
{
    const ds_dataset *d = w->d;
    const gr_split *s = &l->best;
    const uint8_t *col = ds_col(d, (size_t)s->feat);
    int nanb = d->n_vbins[s->feat];
    size_t *ix = w->idx, *tmp = w->tmp, nl = 0, nr = 0;
    for (size_t k = l->begin; k < l->end; k++) {
        size_t r = ix[k];
        int b = col[r];
        int left = b == nanb ? s->default_left : b <= s->bin;
        if (left) ix[l->begin + nl++] = r;
        else tmp[nr++] = r;
    }
    memcpy(ix + l->begin + nl, tmp, nr * sizeof *ix);
    return nl;
}

cs_status gr_grow(gr_work *w, const gr_params *p, const double *g, const double *h,
                  const size_t *rows, size_t n, const int *feats, size_t nf, cs_rng *rng,
                  tree *out, int32_t **bin_thr, cs_err *err)
{
    const ds_dataset *d = w->d;
    gr_nodes t = {0};
    int num_leaves = p->num_leaves < w->max_leaves ? p->num_leaves : w->max_leaves;
    int sampled = p->feats_per_node > 0;
    if (n == 0) return cs_err_set(err, CS_EINVAL, "no training rows");
    if (sampled && !rng) return cs_err_set(err, CS_EINTERNAL, "feature sampling needs an rng");
    if (!sampled) {
        cs_status st = _pool_init(w, err);
        if (st) return st;
        _pool_reset(w);
        if (w->rw_state == 0 && p->hist_mode != GR_HIST_COLUMNS)
            _rw_init(w, p->n_threads > 0 ? p->n_threads : 1);
    }
    memcpy(w->idx, rows, n * sizeof *rows);

    gr_leaf *L = w->leaves;
    gr_leaf *root = &L[0];
    memset(root, 0, sizeof *root);
    root->begin = 0;
    root->end = n;
    for (size_t k = 0; k < n; k++) {
        root->G += g[rows[k]];
        root->H += h[rows[k]];
    }
    root->C = (int64_t)n;
    root->lo = -INFINITY;
    root->hi = INFINITY;
    root->w = _leaf_w(p, root->G, root->H, root->lo, root->hi);
    root->node = _node_add(&t, root->w * p->shrinkage, root->H, err);
    if (root->node < 0) goto fail;
    int n_leaves = 1, n_heap = 0;
    int fused = !sampled && w->rw_state == 1 && p->hist_mode != GR_HIST_COLUMNS;
    if (!sampled) {
        root->hist = _pool_get(w);
        if (!root->hist) root->hist = w->scratch[0];
    }
    if (fused) {
        _rw_pass(w, p, root, NULL, NULL, 1, g, h, feats, nf, root->hist);
        _rw_pick(p, root, w->rw_best, feats, nf);
    } else {
        if (!sampled) _build(w, p, root, g, h, feats, nf, root->hist);
        _find(w, p, root, root->hist, g, h, feats, nf, rng, w->scratch[0]);
    }
    if (root->best.feat >= 0) _heap_push(w, &n_heap, 0);
    if (root->hist == w->scratch[0]) root->hist = NULL;

    while (n_leaves < num_leaves && n_heap > 0) {
        int li = _heap_pop(w, &n_heap);
        gr_leaf *pl = &L[li];
        gr_split s = pl->best;
        size_t nl = _partition(w, pl);
        /* the parent node becomes internal */
        int32_t ln = _node_add(&t, s.wl * p->shrinkage, s.hl, err);
        int32_t rn = _node_add(&t, s.wr * p->shrinkage, s.hr, err);
        if (ln < 0 || rn < 0) goto fail;
        tree_node *pn = &t.nodes[pl->node];
        pn->feature = s.feat;
        pn->threshold = d->upper[s.feat][s.bin];
        pn->default_left = (uint8_t)s.default_left;
        pn->left = ln;
        pn->right = rn;
        pn->gain = s.gain;
        t.thr[pl->node] = s.bin;

        gr_leaf lf = *pl, rt = *pl;
        lf.node = ln; lf.end = pl->begin + nl; lf.depth = pl->depth + 1;
        lf.G = s.gl; lf.H = s.hl; lf.C = s.cl; lf.w = s.wl;
        rt.node = rn; rt.begin = pl->begin + nl; rt.depth = pl->depth + 1;
        rt.G = s.gr; rt.H = s.hr; rt.C = s.cr; rt.w = s.wr;
        int mono = p->monotone ? p->monotone[s.feat] : 0;
        if (mono != 0) {
            double mid = (s.wl + s.wr) / 2;
            if (mono > 0) {
                if (mid < lf.hi) lf.hi = mid;
                if (mid > rt.lo) rt.lo = mid;
            } else {
                if (mid > lf.lo) lf.lo = mid;
                if (mid < rt.hi) rt.hi = mid;
            }
        }
        lf.hist = rt.hist = NULL;
        lf.best.feat = rt.best.feat = -1;
        lf.best.gain = rt.best.gain = 0;
        gr_bin *parent_hist = pl->hist;
        /* children: the left one takes the parent's slot, the right one a new slot */
        int ri = n_leaves++;
        L[li] = lf;
        L[ri] = rt;
        if (!sampled && n_leaves >= num_leaves) {
            _pool_put(w, parent_hist);      /* the tree is complete: no more histograms */
        } else if (!sampled) {
            int left_small = (lf.end - lf.begin) <= (rt.end - rt.begin);
            gr_leaf *small = left_small ? &L[li] : &L[ri];
            gr_leaf *big = left_small ? &L[ri] : &L[li];
            gr_bin *sh = _pool_get(w);
            if (!sh) sh = w->scratch[0];
            if (fused && parent_hist) {
                /* histograms, subtraction and both searches in one parallel pass */
                _rw_pass(w, p, small, big, parent_hist, 1, g, h, feats, nf, sh);
                small->hist = sh;
                big->hist = parent_hist;
                _rw_pick(p, small, w->rw_best, feats, nf);
                _rw_pick(p, big, w->rw_best + d->n_feats, feats, nf);
            } else {
                _build(w, p, small, g, h, feats, nf, sh);
                if (parent_hist) {
                    _subtract(w, feats, nf, parent_hist, sh);
                    big->hist = parent_hist;
                } else {
                    gr_bin *bh = _pool_get(w);
                    if (!bh) bh = w->scratch[1];
                    _build(w, p, big, g, h, feats, nf, bh);
                    big->hist = bh;
                }
                small->hist = sh;
                _find(w, p, small, small->hist, g, h, feats, nf, rng, NULL);
                _find(w, p, big, big->hist, g, h, feats, nf, rng, NULL);
            }
            /* keep a histogram only while its leaf may still split */
            for (int c = 0; c < 2; c++) {
                gr_leaf *x = c ? big : small;
                if (x->best.feat < 0 || x->hist == w->scratch[0] || x->hist == w->scratch[1]) {
                    if (x->best.feat < 0) _pool_put(w, x->hist);
                    x->hist = NULL;
                }
            }
        } else {
            _find(w, p, &L[li], NULL, g, h, feats, nf, rng, w->scratch[0]);
            _find(w, p, &L[ri], NULL, g, h, feats, nf, rng, w->scratch[0]);
        }
        if (L[li].best.feat >= 0) _heap_push(w, &n_heap, li);
        if (L[ri].best.feat >= 0) _heap_push(w, &n_heap, ri);
    }
    w->n_leaves_last = n_leaves;
    out->n_nodes = t.n;
    out->nodes = t.nodes;
    *bin_thr = t.thr;
    return CS_OK;
fail:
    free(t.nodes);
    free(t.thr);
    return err ? err->code : CS_ENOMEM;
}

void gr_add_leaf_values(const gr_work *w, const tree *t, double *F)
{
    for (int l = 0; l < w->n_leaves_last; l++) {
        const gr_leaf *lf = &w->leaves[l];
        double v = t->nodes[lf->node].value;
        for (size_t k = lf->begin; k < lf->end; k++) F[w->idx[k]] += v;
    }
}
