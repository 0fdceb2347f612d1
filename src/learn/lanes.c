/*
 * lanes.c: the single-row walk of lanes.h: the compact copy of the trees (lanes_build) and
 * the walk of one row through it (lanes_row). Read lanes.h first for the layout.
 */
#include "lanes.h"

#include <stdlib.h>
#include <string.h>

#define LANES_N 10              /* lanes walked together (their pointers stay in registers) */
#define LANES_BLOCK 512         /* trees per block */
#define LANES_MAX_USED 1024     /* features the trees split on */
#define LANES_MAX_NODES 2047    /* nodes of a tree: byte offsets fit in int16 */
#define LANES_SLOTS (2 * LANES_MAX_USED + LANES_BLOCK + 1)

typedef struct lanes_node {
    int64_t key;            /* internal: the threshold's order key; leaf: the value's bits */
    uint32_t g;             /* the row key compared (x2[g]) and the slot written (w[g]) */
    int16_t off[2];         /* bytes to the next node: [0] row key <= key, [1] greater */
} lanes_node;

_Static_assert(sizeof(lanes_node) == 16, "a lanes node is 16 bytes");

typedef struct lanes_block {
    int32_t n_trees;
    lanes_node *nodes;
    const lanes_node *start[LANES_N];   /* each lane's first node */
    const lanes_node *end[LANES_N];     /* each lane's last node: loops to itself */
} lanes_block;

struct lanes {
    uint32_t n_used;        /* features split on: row key u (NaN left), n_used + u (NaN right) */
    uint32_t *used;         /* their feature indexes, ascending */
    int32_t n_blocks;
    lanes_block *blocks;
};

/* The order key of a non-NaN double: integer order is the doubles' order, except that -0 is
 * one below +0 (no double lies between them). A threshold's key is taken of threshold + 0.0
 * (-0 becomes +0): then a row's -0 and +0 compare alike with every threshold, as doubles do,
 * and the row needs no such step. */
static inline int64_t _key(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return (int64_t)(b ^ ((uint64_t)((int64_t)b >> 63) >> 1));     /* negatives: flip all but the sign */
}

void lanes_free(lanes *l)
{
    if (!l) return;
    for (int32_t i = 0; i < l->n_blocks; i++) free(l->blocks[i].nodes);
    free(l->blocks);
    free(l->used);
    free(l);
}

typedef struct _load {
    double len;             /* expected nodes on a row's path, leaf included */
    int32_t t;
} _load;

static int _load_cmp(const void *a, const void *b)
{
    const _load *x = a, *y = b;
    if (x->len != y->len) return x->len > y->len ? -1 : 1;
    return (x->t > y->t) - (x->t < y->t);
}

/* Expected path length of tree t: 1 + the share of the root's cover reaching each internal
 * node (its node count when covers are missing). */
static double _path_len(const tree *tr)
{
    double c0 = tr->nodes[0].cover, e = 1;
    for (int32_t k = 0; k < tr->n_nodes; k++)
        if (tr->nodes[k].feature >= 0) e += c0 > 0 ? tr->nodes[k].cover / c0 : 1;
    return e;
}

/* Lay out trees [t0, t0 + nt) of m into b. slot[f]: feature f's index among the used ones.
 * 0 on success, 1 when a tree is not a tree (a node reached twice, a child out of range),
 * -1 out of memory. perm/inv/stack: scratch of LANES_MAX_NODES + 1 each. */
static int _build_block(const lrn_model *m, int32_t t0, int32_t nt, uint32_t n_used, const uint32_t *slot,
                        int32_t *perm, int32_t *inv, int32_t *stack, lanes_block *b)
{
    size_t total = LANES_N;
    for (int32_t t = t0; t < t0 + nt; t++) total += (size_t)m->trees[t].n_nodes;
    _load *ld = malloc((size_t)nt * sizeof *ld);
    int32_t *lane = malloc((size_t)nt * sizeof *lane);
    b->nodes = malloc(total * sizeof *b->nodes);
    b->n_trees = nt;
    int rc = -1;
    if (!ld || !lane || !b->nodes) goto done;
    /* deal the trees to the lanes, longest expected path first, each to the least loaded */
    for (int32_t i = 0; i < nt; i++) ld[i] = (_load){_path_len(&m->trees[t0 + i]), i};
    qsort(ld, (size_t)nt, sizeof *ld, _load_cmp);
    double sum[LANES_N] = {0};
    for (int32_t i = 0; i < nt; i++) {
        int q = 0;
        for (int k = 1; k < LANES_N; k++)
            if (sum[k] < sum[q]) q = k;
        lane[ld[i].t] = q;
        sum[q] += ld[i].len;
    }
    size_t at = 0;
    for (int q = 0; q < LANES_N; q++) {
        b->start[q] = b->nodes + at;
        for (int32_t i = 0; i < nt; i++) {
            if (lane[i] != q) continue;
            const tree *tr = &m->trees[t0 + i];
            int32_t n = tr->n_nodes, np = 0, sp = 0;
            for (int32_t k = 0; k < n; k++) inv[k] = -1;
            stack[sp++] = 0;
            while (sp > 0) {            /* preorder, the child of more cover first */
                int32_t k = stack[--sp];
                if (k < 0 || k >= n || inv[k] >= 0) {
                    rc = 1;
                    goto done;
                }
                inv[k] = np;
                perm[np++] = k;
                const tree_node *nd = &tr->nodes[k];
                if (nd->feature < 0) continue;
                if (nd->left < 0 || nd->left >= n || nd->right < 0 || nd->right >= n || sp + 2 > n) {
                    rc = 1;
                    goto done;
                }
                int heavy_left = tr->nodes[nd->left].cover >= tr->nodes[nd->right].cover;
                stack[sp++] = heavy_left ? nd->right : nd->left;
                stack[sp++] = heavy_left ? nd->left : nd->right;
            }
            for (int32_t j = 0; j < np; j++) {
                const tree_node *nd = &tr->nodes[perm[j]];
                lanes_node *c = &b->nodes[at + (size_t)j];
                if (nd->feature < 0) {  /* the leaf: its value to its tree's slot, then the next tree */
                    memcpy(&c->key, &nd->value, sizeof c->key);
                    c->g = 2 * n_used + (uint32_t)i;
                    c->off[0] = c->off[1] = (int16_t)((np - j) * (int32_t)sizeof *c);
                } else {
                    c->key = _key(nd->threshold + 0.0);
                    c->g = (nd->default_left ? 0 : n_used) + slot[nd->feature];
                    c->off[0] = (int16_t)((inv[nd->left] - j) * (int32_t)sizeof *c);
                    c->off[1] = (int16_t)((inv[nd->right] - j) * (int32_t)sizeof *c);
                }
            }
            at += (size_t)np;
        }
        b->end[q] = b->nodes + at;
        b->nodes[at++] = (lanes_node){0, 2 * n_used + (uint32_t)nt, {0, 0}};
    }
    rc = 0;
done:
    free(ld);
    free(lane);
    return rc;
}

cs_status lanes_build(const lrn_model *m, lanes **out, cs_err *err)
{
    *out = NULL;
    if (m->lin_coef || m->n_trees <= 0 || m->n_feats == 0) return CS_OK;
    for (int32_t t = 0; t < m->n_trees; t++) {
        const tree *tr = &m->trees[t];
        if (tr->n_nodes <= 0 || tr->n_nodes > LANES_MAX_NODES) return CS_OK;
        for (int32_t k = 0; k < tr->n_nodes; k++) {
            const tree_node *nd = &tr->nodes[k];
            if (nd->feature >= 0 && (nd->threshold != nd->threshold || (size_t)nd->feature >= m->n_feats))
                return CS_OK;
        }
    }
    uint32_t *slot = cs_malloc(m->n_feats * sizeof *slot, err);
    if (!slot) return CS_ENOMEM;
    for (size_t j = 0; j < m->n_feats; j++) slot[j] = 0;
    for (int32_t t = 0; t < m->n_trees; t++)
        for (int32_t k = 0; k < m->trees[t].n_nodes; k++)
            if (m->trees[t].nodes[k].feature >= 0) slot[m->trees[t].nodes[k].feature] = 1;
    uint32_t n_used = 0;
    for (size_t j = 0; j < m->n_feats; j++)
        if (slot[j]) n_used++;
    if (n_used > LANES_MAX_USED) {
        free(slot);
        return CS_OK;
    }
    lanes *l = cs_calloc(1, sizeof *l, err);
    int32_t nb = (m->n_trees + LANES_BLOCK - 1) / LANES_BLOCK;
    int32_t *scratch = malloc(3 * (LANES_MAX_NODES + 1) * sizeof *scratch);
    int rc = -1;
    if (!l || !scratch) goto done;
    l->used = malloc((n_used ? n_used : 1) * sizeof *l->used);
    l->blocks = calloc((size_t)nb, sizeof *l->blocks);
    if (!l->used || !l->blocks) goto done;
    for (size_t j = 0; j < m->n_feats; j++)
        if (slot[j]) {
            slot[j] = l->n_used;
            l->used[l->n_used++] = (uint32_t)j;
        }
    for (int32_t i = 0; i < nb; i++) {
        int32_t t0 = i * LANES_BLOCK, nt = m->n_trees - t0 < LANES_BLOCK ? m->n_trees - t0 : LANES_BLOCK;
        l->n_blocks = i + 1;
        rc = _build_block(m, t0, nt, n_used, slot, scratch, scratch + LANES_MAX_NODES + 1,
                          scratch + 2 * (LANES_MAX_NODES + 1), &l->blocks[i]);
        if (rc) goto done;
    }
done:
    free(slot);
    free(scratch);
    if (rc == 0) {
        *out = l;
        return CS_OK;
    }
    lanes_free(l);
    if (rc > 0) return CS_OK;       /* not a tree: the caller's other walks take it */
    return err && err->code ? err->code : cs_err_set(err, CS_ENOMEM, "out of memory preparing the trees");
}

/* o1 when a > b, else o0, without a branch: a conditional move (compilers turn the plain
 * select of the walk into a jump, which the row's unpredictable turns made a third slower). */
#if defined(__x86_64__) && defined(__GNUC__)
static inline intptr_t _sel(int64_t a, int64_t b, intptr_t o0, intptr_t o1)
{
    __asm__("cmpq %[b], %[a]\n\tcmovgq %[o1], %[o0]" : [o0] "+r"(o0) : [a] "r"(a), [b] "r"(b), [o1] "r"(o1) : "cc");
    return o0;
}
#else
static inline intptr_t _sel(int64_t a, int64_t b, intptr_t o0, intptr_t o1)
{
    return o0 + ((o1 - o0) & -(intptr_t)(a > b));
}
#endif

/* *lo = INT64_MIN and *hi = INT64_MAX when v is NaN, else both unchanged; without a branch. */
#if defined(__x86_64__) && defined(__GNUC__)
static inline void _nan_to(double v, int64_t *lo, int64_t *hi)
{
    int64_t mn = INT64_MIN, mx = INT64_MAX, l = *lo, h = *hi;
    __asm__("ucomisd %[v], %[v]\n\tcmovpq %[mn], %[l]\n\tcmovpq %[mx], %[h]"
            : [l] "+r"(l), [h] "+r"(h) : [v] "x"(v), [mn] "r"(mn), [mx] "r"(mx) : "cc");
    *lo = l, *hi = h;
}
#else
static inline void _nan_to(double v, int64_t *lo, int64_t *hi)
{
    int64_t nan = -(int64_t)(v != v);
    *lo = (*lo & ~nan) | (nan & INT64_MIN), *hi = (*hi & ~nan) | (nan & INT64_MAX);
}
#endif

/* One step of a lane: write the node's key to its slot, move to the node its test chooses
 * (both offsets read before the test, so the test's outcome only selects). */
#define LANES_STEP(p)                                                                   \
    do {                                                                                \
        const lanes_node *c_ = (p);                                                     \
        int64_t k_ = c_->key;                                                           \
        uint32_t g_ = c_->g;                                                            \
        intptr_t o0_ = c_->off[0], o1_ = c_->off[1];                                    \
        w[g_] = k_;                                                                     \
        (p) = (const lanes_node *)((const char *)c_ + _sel(x2[g_], k_, o0_, o1_));      \
    } while (0)

typedef int64_t _vkey __attribute__((vector_size(4 * sizeof(int64_t))));
typedef uint64_t _vbits __attribute__((vector_size(4 * sizeof(uint64_t))));
typedef double _vdbl __attribute__((vector_size(4 * sizeof(double))));
typedef int64_t _vkeyu __attribute__((vector_size(4 * sizeof(int64_t)), aligned(sizeof(int64_t)), may_alias));

/* The row's keys: x2[u] with NaN below every key (for the nodes whose NaN goes left),
 * x2[n + u] with NaN above (right), u over the used features; four at a time (_key on each
 * lane of a vector: the same bits). Built for AVX2 and for any CPU on x86-64. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("avx2", "default")))
#endif
static void _row_keys(const lanes *l, const double *x, int64_t *x2)
{
    uint32_t n = l->n_used, u = 0;
    const uint32_t *us = l->used;
    const _vkey mn = {INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN}, mx = ~mn;
    for (; u + 4 <= n; u += 4) {
        _vdbl v = {x[us[u]], x[us[u + 1]], x[us[u + 2]], x[us[u + 3]]};
        _vkey b = (_vkey)v, neg = b < 0, nan = v != v;
        _vkey k = b ^ (_vkey)((_vbits)neg >> 1), ok = k & ~nan;
        *(_vkeyu *)(x2 + u) = ok | (nan & mn);
        *(_vkeyu *)(x2 + n + u) = ok | (nan & mx);
    }
    for (; u < n; u++) {
        double v = x[us[u]];
        int64_t lo = _key(v), hi = lo;
        _nan_to(v, &lo, &hi);
        x2[u] = lo;
        x2[n + u] = hi;
    }
}

double lanes_row(const lanes *l, const double *x)
{
    int64_t x2[LANES_SLOTS], w[LANES_SLOTS];
    uint32_t n = l->n_used;
    _row_keys(l, x, x2);
    double s = 0;
    for (int32_t bi = 0; bi < l->n_blocks; bi++) {
        const lanes_block *b = &l->blocks[bi];
        /* what the leaves and the resting nodes compare with (their choice is the same) */
        memset(x2 + 2 * n, 0, ((size_t)b->n_trees + 1) * sizeof *x2);
        const lanes_node *p0 = b->start[0], *p1 = b->start[1], *p2 = b->start[2], *p3 = b->start[3],
                         *p4 = b->start[4], *p5 = b->start[5], *p6 = b->start[6], *p7 = b->start[7],
                         *p8 = b->start[8], *p9 = b->start[9];
        _Static_assert(LANES_N == 10, "lanes_row walks ten lanes");
        for (;;) {
            for (int r = 0; r < 4; r++) {
                LANES_STEP(p0);
                LANES_STEP(p1);
                LANES_STEP(p2);
                LANES_STEP(p3);
                LANES_STEP(p4);
                LANES_STEP(p5);
                LANES_STEP(p6);
                LANES_STEP(p7);
                LANES_STEP(p8);
                LANES_STEP(p9);
            }
            if (!((p0 != b->end[0]) | (p1 != b->end[1]) | (p2 != b->end[2]) | (p3 != b->end[3]) |
                  (p4 != b->end[4]) | (p5 != b->end[5]) | (p6 != b->end[6]) | (p7 != b->end[7]) |
                  (p8 != b->end[8]) | (p9 != b->end[9])))
                break;
        }
        const int64_t *o = w + 2 * n;
        for (int32_t t = 0; t < b->n_trees; t++) {
            double v;
            memcpy(&v, &o[t], sizeof v);
            s += v;
        }
    }
    return s;
}
