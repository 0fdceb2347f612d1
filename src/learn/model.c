/*
 * model.c: the fitted model of every learner (learner.h): prediction (one row, a whole
 * feature matrix in parallel), gain importance, and the binary serialisation with its
 * validating reader.
 *
 * Format (little-endian), version 1:
 *   "CSLRNMOD" u32 version, u32 kind, u64 n_feats, f64 base_score, u32 average,
 *   i32 n_trees, i32 best_iteration, f64 best_valid_auc, u32 linear, u64 params_len,
 *   params_len bytes of JSON; per tree: i32 n_nodes, then per node i32 feature, i32 left,
 *   i32 right, u8 default_left, f64 threshold, f64 value, f64 cover, f64 gain; when linear:
 *   5 x n_feats f64 (coef, center, scale, lo, hi); u64 cs_hash64 of everything before it.
 * Version 2 (written only for a model with a points table, a scorecard): the same, with
 *   u64 card_len and card_len bytes of JSON (lrn_model.card_json) before the checksum.
 */
#include "lanes.h"
#include "learner.h"

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "model.c writes the host's byte order and expects little-endian"
#endif

#define MODEL_MAGIC "CSLRNMOD"
#define MODEL_VERSION 2u
#define MAX_FEATS ((uint64_t)1 << 24)
#define NODE_BYTES (4 + 4 + 4 + 1 + 8 * 4)

struct lrn_fast;
static void _fast_free(struct lrn_fast *f);

lrn_model *lrn_model_create(lrn_kind kind, size_t n_feats, cs_err *err)
{
    lrn_model *m = cs_calloc(1, sizeof *m, err);
    if (!m) return NULL;
    m->kind = kind;
    m->n_feats = n_feats;
    m->best_valid_auc = NAN;
    return m;
}

void lrn_model_free(lrn_model *m)
{
    if (!m) return;
    if (m->trees)
        for (int32_t i = 0; i < m->n_trees; i++) free(m->trees[i].nodes);
    free(m->trees);
    free(m->lin_coef);
    free(m->lin_center);
    free(m->lin_scale);
    free(m->lin_lo);
    free(m->lin_hi);
    free(m->params_json);
    free(m->card_json);
    _fast_free(m->fast);
    free(m);
}

/* ---- prediction ------------------------------------------------------------------------ */

static double _fast_row(const lrn_model *m, const double *x);

static double _lin_term(const lrn_model *m, size_t j, double x)
{
    if (x != x) return 0;
    if (x < m->lin_lo[j]) x = m->lin_lo[j];
    if (x > m->lin_hi[j]) x = m->lin_hi[j];
    return m->lin_coef[j] * (x - m->lin_center[j]) / m->lin_scale[j];
}

double lrn_predict_raw(const lrn_model *m, const double *x)
{
    double s = 0;
    if (m->lin_coef) {
        for (size_t j = 0; j < m->n_feats; j++) s += _lin_term(m, j, x[j]);
        return m->base_score + s;
    }
    if (m->fast) s = _fast_row(m, x);
    else
        for (int32_t t = 0; t < m->n_trees; t++) s += tree_predict_row(&m->trees[t], x);
    if (m->average && m->n_trees > 0) s /= m->n_trees;
    return m->base_score + s;
}

double lrn_raw_to_proba(const lrn_model *m, double raw)
{
    if (raw != raw) return raw;
    if (m->average) return raw < 0 ? 0 : raw > 1 ? 1 : raw;
    return 1 / (1 + exp(-raw));
}

/* A tree's output for row i of a column-major matrix. */
static inline double _tree_col(const tree *t, const double *v, size_t n_rows, size_t i)
{
    const tree_node *nd = t->nodes;
    int32_t k = 0;
    while (nd[k].feature >= 0) {
        double x = v[(size_t)nd[k].feature * n_rows + i];
        if (x != x) k = nd[k].default_left ? nd[k].left : nd[k].right;
        else k = x <= nd[k].threshold ? nd[k].left : nd[k].right;
    }
    return nd[k].value;
}

#define PRED_BLOCK 64
#define PRED_LANES 8

/* The prediction copy of the trees: 24-byte nodes, the child taken chosen without a branch
 * (kid[x > threshold], nan_kid for NaN); a leaf points to itself and holds its value in thr,
 * so a walk of a fixed number of steps ends on the right leaf whatever its depth. */
typedef struct pred_node {
    double thr;
    int32_t feat;
    int32_t kid[2];
    int32_t nan_kid;
} pred_node;

typedef struct pred_forest {
    pred_node *nodes;       /* all trees, tree t from first[t] */
    size_t *first;
    int32_t *depth;         /* per tree: its depth (the steps a walk needs) */
} pred_forest;

static void _pred_free(pred_forest *pf)
{
    free(pf->nodes);
    free(pf->first);
    free(pf->depth);
}

/* Build the copy; leaves read feature leaf_feat (a column the caller fills). 0 on success. */
static int _pred_build(const lrn_model *model, int32_t leaf_feat, pred_forest *pf)
{
    size_t total = 0;
    for (int32_t t = 0; t < model->n_trees; t++) total += (size_t)model->trees[t].n_nodes;
    pf->nodes = malloc((total ? total : 1) * sizeof *pf->nodes);
    pf->first = malloc(((size_t)model->n_trees + 1) * sizeof *pf->first);
    pf->depth = malloc(((size_t)model->n_trees + 1) * sizeof *pf->depth);
    if (!pf->nodes || !pf->first || !pf->depth) {
        _pred_free(pf);
        return -1;
    }
    size_t at = 0;
    for (int32_t t = 0; t < model->n_trees; t++) {
        const tree *tr = &model->trees[t];
        pf->first[t] = at;
        for (int32_t k = 0; k < tr->n_nodes; k++) {
            const tree_node *nd = &tr->nodes[k];
            pred_node *q = &pf->nodes[at + (size_t)k];
            if (nd->feature < 0) {
                q->thr = nd->value;
                q->feat = leaf_feat;
                q->kid[0] = q->kid[1] = q->nan_kid = k;
            } else {
                q->thr = nd->threshold;
                q->feat = nd->feature;
                q->kid[0] = nd->left;
                q->kid[1] = nd->right;
                q->nan_kid = nd->default_left ? nd->left : nd->right;
            }
        }
        pf->depth[t] = tree_depth(tr);
        at += (size_t)tr->n_nodes;
    }
    pf->first[model->n_trees] = at;
    return 0;
}

/* acc[k] += tree t's output for the nb row-major rows xb (nf values each). */
static void _pred_tree(const pred_forest *pf, int32_t t, const double *xb, size_t nf, size_t nb,
                       double *acc)
{
    const pred_node *P = pf->nodes + pf->first[t];
    int32_t depth = pf->depth[t];
    size_t k0 = 0;
    for (; k0 + PRED_LANES <= nb; k0 += PRED_LANES) {
        int32_t id[PRED_LANES] = {0};
        const double *x0 = xb + k0 * nf;
        for (int32_t d = 0; d < depth; d++) {
            for (int q = 0; q < PRED_LANES; q++) {
                const pred_node *p = &P[id[q]];
                double x = x0[(size_t)q * nf + (size_t)p->feat];
                int32_t nx = p->kid[x > p->thr];
                id[q] = x != x ? p->nan_kid : nx;
            }
            if ((d & 3) == 3) {     /* every lane on a leaf: stop early */
                int live = 0;
                for (int q = 0; q < PRED_LANES; q++) live |= P[id[q]].kid[0] != id[q];
                if (!live) break;
            }
        }
        for (int q = 0; q < PRED_LANES; q++) acc[k0 + (size_t)q] += P[id[q]].thr;
    }
    for (size_t k = k0; k < nb; k++) {
        int32_t i = 0;
        const double *x0 = xb + k * nf;
        for (int32_t d = 0; d < depth; d++) {
            const pred_node *p = &P[i];
            double x = x0[p->feat];
            int32_t nx = p->kid[x > p->thr];
            i = x != x ? p->nan_kid : nx;
        }
        acc[k] += P[i].thr;
    }
}

/* ---- one row: QuickScorer over bit masks, the lockstep walk as fallback ----------------
 *
 * QuickScorer (Lucchese et al., SIGIR 2015): number each tree's leaves left to right and keep
 * per tree a bit set of the leaves the row can still reach, all ones at the start. An
 * internal node whose test sends the row right ("false": x > threshold, or NaN with the
 * default on the right) rules out the leaves of its left subtree: v[tree] &= mask. Once every
 * false node of every tree is applied, the row's leaf is the lowest bit left in v[tree] (the
 * leftmost leaf no false node ruled out is the one the walk reaches). The internal nodes are
 * grouped by feature and sorted by threshold, so a feature's false nodes are a prefix of its
 * run, found by a scan that stops at the first threshold >= x (a NaN sentinel ends each run);
 * a NaN value scans the feature's second run instead, its nodes whose NaN goes right (their
 * key -DBL_MAX, compared with +inf), chosen without a branch. The work is the false nodes only,
 * read in order from one array: no pointer chase, no steps wasted on shallow leaves. The leaf
 * values are then summed in tree order: the same double as the walk and the batch prediction.
 * A node is 16 bytes: its threshold, and its tree's index packed with its mask in one word
 * (v[tm & QS_TREE_MASK] &= tm | QS_TREE_MASK), so at most QS_MAX_LEAVES (54) leaves a tree.
 * Trees of more leaves (a forest's) or a NaN threshold use the lockstep walk below. */
#define QS_TREE_BITS 10
#define QS_BLOCK (1 << QS_TREE_BITS)   /* trees per block: a block's v[] (8 KB) lives on the stack */
#define QS_TREE_MASK ((uint64_t)QS_BLOCK - 1)
#define QS_MAX_LEAVES (64 - QS_TREE_BITS)

typedef struct qs_entry {
    double key;             /* threshold (the NaN run: -DBL_MAX; a run's sentinel: NaN) */
    uint64_t tm;            /* bits 0-9: the tree within the block; bits 10-63: the mask,
                             * ~(bits of the leaves of the node's left subtree), leaf i at bit 10+i */
} qs_entry;

typedef struct qs_feat {
    uint32_t feat;          /* feature index */
    uint32_t run;           /* entries of its thresholds, ascending, then a sentinel */
    uint32_t nan_run;       /* entries of its NaN-right nodes, then a sentinel */
    uint32_t pad_;
} qs_feat;

typedef struct qs_block {
    int32_t n_trees;        /* trees [t0, t0 + n_trees) of the model, t0 = block * QS_BLOCK */
    uint32_t n_used;        /* features the block's trees split on */
    qs_feat *feats;         /* n_used, ascending feature index */
    qs_entry *e;
    uint32_t *leaf_off;     /* n_trees: tree t's leaf values start at leaf[leaf_off[t]] */
    double *leaf;           /* leaf values, left to right per tree */
} qs_block;

struct lrn_fast {
    lanes *ln;              /* non-NULL: the lanes walk (lanes.h), first choice */
    int32_t n_blocks;       /* > 0: QuickScorer blocks; 0: the lockstep walk */
    qs_block *blocks;
    pred_forest pf;         /* the lockstep walk: the prediction copy of all trees */
    int32_t *group_depth;   /* per group of PRED_LANES consecutive trees: its deepest tree's depth */
};

static void _fast_free(struct lrn_fast *f)
{
    if (!f) return;
    lanes_free(f->ln);
    for (int32_t i = 0; i < f->n_blocks; i++)
        free(f->blocks[i].feats), free(f->blocks[i].e), free(f->blocks[i].leaf_off), free(f->blocks[i].leaf);
    free(f->blocks);
    _pred_free(&f->pf);
    free(f->group_depth);
    free(f);
}

/* Leaves of the subtree at node k numbered from *next, left to right; [lo[k], hi[k]): the
 * range of node k's leaves. Recursion depth < QS_MAX_LEAVES here. */
static void _qs_number(const tree *t, int32_t k, uint32_t *next, uint32_t *lo, uint32_t *hi)
{
    lo[k] = *next;
    if (t->nodes[k].feature < 0) (*next)++;
    else {
        _qs_number(t, t->nodes[k].left, next, lo, hi);
        _qs_number(t, t->nodes[k].right, next, lo, hi);
    }
    hi[k] = *next;
}

typedef struct qs_item {
    double thr;
    uint64_t mask;
    uint32_t feat, tree;
    int nan_right;
} qs_item;

static int _qs_cmp(const void *a, const void *b)
{
    const qs_item *x = a, *y = b;
    if (x->feat != y->feat) return x->feat < y->feat ? -1 : 1;
    if (x->thr != y->thr) return x->thr < y->thr ? -1 : 1;
    return (x->tree > y->tree) - (x->tree < y->tree);
}

/* Can QuickScorer take the model: every tree of at most QS_MAX_LEAVES leaves, no NaN threshold. */
static int _qs_fits(const lrn_model *m)
{
    for (int32_t t = 0; t < m->n_trees; t++) {
        int32_t leaves = 0;
        for (int32_t k = 0; k < m->trees[t].n_nodes; k++) {
            const tree_node *nd = &m->trees[t].nodes[k];
            if (nd->feature < 0) leaves++;
            else if (nd->threshold != nd->threshold) return 0;
        }
        if (leaves > QS_MAX_LEAVES) return 0;
    }
    return 1;
}

/* Build block b of trees [t0, t0 + nt). 0 on success, -1 out of memory (what was allocated
 * stays in b for _fast_free). */
static int _qs_build(const lrn_model *m, int32_t t0, int32_t nt, qs_block *b)
{
    size_t n_int = 0, n_nan = 0, n_leaf = 0, max_nodes = 1;
    for (int32_t t = t0; t < t0 + nt; t++) {
        const tree *tr = &m->trees[t];
        if ((size_t)tr->n_nodes > max_nodes) max_nodes = (size_t)tr->n_nodes;
        for (int32_t k = 0; k < tr->n_nodes; k++)
            if (tr->nodes[k].feature < 0) n_leaf++;
            else {
                n_int++;
                n_nan += !tr->nodes[k].default_left;
            }
    }
    b->n_trees = nt;
    qs_item *it = malloc((n_int ? n_int : 1) * sizeof *it);
    uint32_t *lo = malloc(max_nodes * sizeof *lo), *hi = malloc(max_nodes * sizeof *hi);
    b->feats = malloc((n_int ? n_int : 1) * sizeof *b->feats);
    /* each feature: its run, a sentinel, its NaN run, a sentinel (at most 2 per node) */
    b->e = malloc((n_int + n_nan + 2 * n_int + 1) * sizeof *b->e);
    b->leaf_off = malloc((size_t)nt * sizeof *b->leaf_off);
    b->leaf = malloc((n_leaf ? n_leaf : 1) * sizeof *b->leaf);
    int ok = it && lo && hi && b->feats && b->e && b->leaf_off && b->leaf;
    size_t ni = 0, nl = 0;
    for (int32_t t = t0; ok && t < t0 + nt; t++) {
        const tree *tr = &m->trees[t];
        uint32_t next = 0;
        _qs_number(tr, 0, &next, lo, hi);
        b->leaf_off[t - t0] = (uint32_t)nl;
        for (int32_t k = 0; k < tr->n_nodes; k++) {
            const tree_node *nd = &tr->nodes[k];
            if (nd->feature < 0) {
                b->leaf[nl + lo[k]] = nd->value;
                continue;
            }
            uint32_t a = lo[nd->left], z = hi[nd->left];        /* the left subtree's leaves: z - a < 54 */
            uint64_t left = (((uint64_t)1 << (z - a)) - 1) << (a + QS_TREE_BITS);
            it[ni++] = (qs_item){nd->threshold, ~left, (uint32_t)nd->feature, (uint32_t)(t - t0),
                                 !nd->default_left};
        }
        nl += next;
    }
    if (ok) {
        qsort(it, ni, sizeof *it, _qs_cmp);
        uint32_t u = 0;
        size_t ne = 0;
        for (size_t i = 0, j; i < ni; i = j) {
            for (j = i; j < ni && it[j].feat == it[i].feat; j++) {}
            b->feats[u] = (qs_feat){it[i].feat, (uint32_t)ne, 0, 0};
            for (size_t k = i; k < j; k++) b->e[ne++] = (qs_entry){it[k].thr, (it[k].mask & ~QS_TREE_MASK) | it[k].tree};
            b->e[ne++] = (qs_entry){NAN, ~(uint64_t)0};
            b->feats[u].nan_run = (uint32_t)ne;
            for (size_t k = i; k < j; k++)
                if (it[k].nan_right) b->e[ne++] = (qs_entry){-DBL_MAX, (it[k].mask & ~QS_TREE_MASK) | it[k].tree};
            b->e[ne++] = (qs_entry){NAN, ~(uint64_t)0};
            u++;
        }
        b->n_used = u;
    }
    free(it), free(lo), free(hi);
    return ok ? 0 : -1;
}

cs_status lrn_model_prepare(lrn_model *model, cs_err *err)
{
    _fast_free(model->fast);
    model->fast = NULL;
    if (model->lin_coef || model->n_trees == 0 || model->n_feats == 0) return CS_OK;
    struct lrn_fast *f = cs_calloc(1, sizeof *f, err);
    if (!f) return CS_ENOMEM;
    if (lanes_build(model, &f->ln, err)) goto nomem;
    if (f->ln) {
        model->fast = f;
        return CS_OK;
    }
    if (_qs_fits(model)) {
        int32_t nb = (model->n_trees + QS_BLOCK - 1) / QS_BLOCK;
        f->blocks = cs_calloc((size_t)nb, sizeof *f->blocks, err);
        if (!f->blocks) goto nomem;
        for (int32_t i = 0; i < nb; i++) {
            int32_t t0 = i * QS_BLOCK, nt = model->n_trees - t0 < QS_BLOCK ? model->n_trees - t0 : QS_BLOCK;
            f->n_blocks = i + 1;
            if (_qs_build(model, t0, nt, &f->blocks[i])) goto nomem;
        }
        model->fast = f;
        return CS_OK;
    }
    int32_t ng = (model->n_trees + PRED_LANES - 1) / PRED_LANES;
    f->group_depth = cs_calloc((size_t)ng, sizeof *f->group_depth, err);
    if (!f->group_depth || _pred_build(model, 0, &f->pf)) goto nomem; /* leaves read feature 0: it exists */
    for (int32_t t = 0; t < model->n_trees; t++)
        if (f->pf.depth[t] > f->group_depth[t / PRED_LANES]) f->group_depth[t / PRED_LANES] = f->pf.depth[t];
    model->fast = f;
    return CS_OK;
nomem:
    _fast_free(f);
    return err && err->code ? err->code : cs_err_set(err, CS_ENOMEM, "out of memory");
}

const char *lrn_predict_row_method(const lrn_model *m)
{
    if (m->lin_coef) return "linear";
    if (!m->fast) return "plain";
    if (m->fast->ln) return "lanes";
    return m->fast->n_blocks ? "quickscorer" : "lockstep";
}

/* QuickScorer over the blocks (above): the leaf of every tree, summed in tree order. */
static double _qs_row(const struct lrn_fast *f, const double *x)
{
    uint64_t v[QS_BLOCK];
    double s = 0;
    for (int32_t bi = 0; bi < f->n_blocks; bi++) {
        const qs_block *b = &f->blocks[bi];
        memset(v, 0xff, (size_t)b->n_trees * sizeof *v);
        const qs_feat *fe = b->feats;
        for (uint32_t u = 0; u < b->n_used; u++) {
            double xv = x[fe[u].feat];
            int nan = xv != xv;
            const qs_entry *e = b->e + (nan ? fe[u].nan_run : fe[u].run);
            double c = nan ? INFINITY : xv;
            for (; e->key < c; e++) v[e->tm & QS_TREE_MASK] &= e->tm | QS_TREE_MASK;
        }
        for (int32_t t = 0; t < b->n_trees; t++) s += b->leaf[b->leaf_off[t] + (uint32_t)__builtin_ctzll(v[t] >> QS_TREE_BITS)];
    }
    return s;
}

/* The sum of the tree outputs for one row, PRED_LANES trees walked in lockstep (a leaf
 * points to itself, so the shallower trees of a group wait on their leaf), summed in tree
 * order. */
static double _fast_row(const lrn_model *m, const double *x)
{
    const struct lrn_fast *f = m->fast;
    if (f->ln) return lanes_row(f->ln, x);
    if (f->n_blocks) return _qs_row(f, x);
    const pred_node *N = f->pf.nodes;
    double s = 0;
    int32_t T = m->n_trees, t0 = 0;
    for (; t0 + PRED_LANES <= T; t0 += PRED_LANES) {
        const pred_node *P[PRED_LANES];
        int32_t id[PRED_LANES];
        for (int q = 0; q < PRED_LANES; q++) {
            P[q] = N + f->pf.first[t0 + q];
            id[q] = 0;
        }
        for (int32_t d = 0, depth = f->group_depth[t0 / PRED_LANES]; d < depth; d++)
            for (int q = 0; q < PRED_LANES; q++) {
                const pred_node *p = &P[q][id[q]];
                double v = x[p->feat];
                int32_t nx = p->kid[v > p->thr];
                id[q] = v != v ? p->nan_kid : nx;
            }
        for (int q = 0; q < PRED_LANES; q++) s += P[q][id[q]].thr;
    }
    for (; t0 < T; t0++) {
        const pred_node *P = N + f->pf.first[t0];
        int32_t i = 0;
        for (int32_t d = 0; d < f->pf.depth[t0]; d++) {
            const pred_node *p = &P[i];
            double v = x[p->feat];
            int32_t nx = p->kid[v > p->thr];
            i = v != v ? p->nan_kid : nx;
        }
        s += P[i].thr;
    }
    return s;
}

cs_status lrn_predict_matrix(const lrn_model *model, const feat_matrix *m, const size_t *rows,
                             size_t n, int raw, double *out, cs_err *err)
{
    if (m->n_feats != model->n_feats)
        return cs_err_set(err, CS_EINVAL, "the model expects %zu features, the matrix has %zu",
                          model->n_feats, m->n_feats);
    if (!rows) n = m->n_rows;
    for (size_t k = 0; rows && k < n; k++)
        if (rows[k] >= m->n_rows)
            return cs_err_set(err, CS_EINVAL, "row %zu out of range (%zu rows)", rows[k], m->n_rows);
    const double *v = m->values;
    size_t nr = m->n_rows;
    size_t n_blocks = (n + PRED_BLOCK - 1) / PRED_BLOCK;
    int par = n * (size_t)(model->n_trees + 1) > 100000;
    double *xbuf = NULL;     /* per-thread row-major blocks; the column walk when NULL */
    size_t *used = NULL, n_used = 0;
    pred_forest pf = {0};
    int have_pf = 0;
    const lanes *ln = model->fast ? model->fast->ln : NULL;     /* rows walk the lanes one by one */
    if (!model->lin_coef && model->n_trees > 4) {
        xbuf = malloc((size_t)(par ? omp_get_max_threads() : 1) * PRED_BLOCK * model->n_feats * sizeof *xbuf);
        used = malloc(model->n_feats * sizeof *used);
        uint8_t *mark = calloc(model->n_feats, 1);
        if (!xbuf || !used || !mark) {
            free(xbuf);
            xbuf = NULL;
        } else {
            for (int32_t t = 0; t < model->n_trees; t++)
                for (int32_t k = 0; k < model->trees[t].n_nodes; k++) {
                    int32_t f = model->trees[t].nodes[k].feature;
                    if (f >= 0) mark[f] = 1;
                }
            for (size_t j = 0; j < model->n_feats; j++)
                if (mark[j]) used[n_used++] = j;
            have_pf = !ln && _pred_build(model, n_used ? (int32_t)used[0] : 0, &pf) == 0;
        }
        free(mark);
    }
#pragma omp parallel for schedule(dynamic, 4) if (par)
    for (size_t b = 0; b < n_blocks; b++) {
        size_t lo = b * PRED_BLOCK, hi = lo + PRED_BLOCK < n ? lo + PRED_BLOCK : n;
        double acc[PRED_BLOCK];
        for (size_t k = lo; k < hi; k++) acc[k - lo] = 0;
        if (model->lin_coef) {
            for (size_t j = 0; j < model->n_feats; j++)
                for (size_t k = lo; k < hi; k++) {
                    size_t i = rows ? rows[k] : k;
                    acc[k - lo] += _lin_term(model, j, v[j * nr + i]);
                }
        } else if (xbuf) {
            /* transpose the block's rows so each tree walks one row held in cache */
            double *xb = xbuf + (size_t)omp_get_thread_num() * PRED_BLOCK * model->n_feats;
            size_t nf = model->n_feats, nb = hi - lo;
            for (size_t u = 0; u < n_used; u++) {     /* only the features the trees read */
                size_t j = used[u];
                const double *col = v + j * nr;
                for (size_t k = 0; k < nb; k++) xb[k * nf + j] = col[rows ? rows[lo + k] : lo + k];
            }
            if (ln)
                for (size_t k = 0; k < nb; k++) acc[k] = lanes_row(ln, xb + k * nf);
            else if (have_pf)
                for (int32_t t = 0; t < model->n_trees; t++) _pred_tree(&pf, t, xb, nf, nb, acc);
            else
                for (int32_t t = 0; t < model->n_trees; t++)
                    for (size_t k = 0; k < nb; k++) acc[k] += tree_predict_row(&model->trees[t], xb + k * nf);
            if (model->average && model->n_trees > 0)
                for (size_t k = 0; k < nb; k++) acc[k] /= model->n_trees;
        } else {
            for (int32_t t = 0; t < model->n_trees; t++)
                for (size_t k = lo; k < hi; k++)
                    acc[k - lo] += _tree_col(&model->trees[t], v, nr, rows ? rows[k] : k);
            if (model->average && model->n_trees > 0)
                for (size_t k = lo; k < hi; k++) acc[k - lo] /= model->n_trees;
        }
        for (size_t k = lo; k < hi; k++) {
            double s = model->base_score + acc[k - lo];
            out[k] = raw ? s : lrn_raw_to_proba(model, s);
        }
    }
    free(xbuf);
    free(used);
    if (have_pf) _pred_free(&pf);
    return CS_OK;
}

void lrn_importance_gain(const lrn_model *m, double *out)
{
    for (size_t j = 0; j < m->n_feats; j++) out[j] = 0;
    if (m->lin_coef) {
        for (size_t j = 0; j < m->n_feats; j++) out[j] = fabs(m->lin_coef[j]);
        return;
    }
    for (int32_t t = 0; t < m->n_trees; t++)
        for (int32_t i = 0; i < m->trees[t].n_nodes; i++) {
            const tree_node *nd = &m->trees[t].nodes[i];
            if (nd->feature >= 0 && (size_t)nd->feature < m->n_feats) out[nd->feature] += nd->gain;
        }
}

/* ---- writing --------------------------------------------------------------------------- */

static cs_status _put(cs_buf *b, const void *p, size_t n, cs_err *err)
{
    return cs_buf_append(b, p, n, err);
}

#define PUT(b, x) do { if ((st = _put(b, &(x), sizeof(x), err))) goto done; } while (0)

cs_status lrn_model_write(const lrn_model *m, cs_buf *out, cs_err *err)
{
    cs_buf b = {0};
    cs_status st = CS_OK;
    uint32_t version = m->card_json ? 2u : 1u, kind = (uint32_t)m->kind, avg = (uint32_t)!!m->average;
    uint32_t lin = m->lin_coef != NULL;
    uint64_t nf = m->n_feats, plen = m->params_json ? strlen(m->params_json) : 0;
    if ((st = _put(&b, MODEL_MAGIC, 8, err))) goto done;
    PUT(&b, version);
    PUT(&b, kind);
    PUT(&b, nf);
    PUT(&b, m->base_score);
    PUT(&b, avg);
    PUT(&b, m->n_trees);
    PUT(&b, m->best_iteration);
    PUT(&b, m->best_valid_auc);
    PUT(&b, lin);
    PUT(&b, plen);
    if (plen && (st = _put(&b, m->params_json, plen, err))) goto done;
    for (int32_t t = 0; t < m->n_trees; t++) {
        const tree *tr = &m->trees[t];
        PUT(&b, tr->n_nodes);
        for (int32_t i = 0; i < tr->n_nodes; i++) {
            const tree_node *nd = &tr->nodes[i];
            PUT(&b, nd->feature);
            PUT(&b, nd->left);
            PUT(&b, nd->right);
            PUT(&b, nd->default_left);
            PUT(&b, nd->threshold);
            PUT(&b, nd->value);
            PUT(&b, nd->cover);
            PUT(&b, nd->gain);
        }
    }
    if (lin) {
        const double *arrs[5] = {m->lin_coef, m->lin_center, m->lin_scale, m->lin_lo, m->lin_hi};
        for (int a = 0; a < 5; a++)
            if ((st = _put(&b, arrs[a], m->n_feats * sizeof(double), err))) goto done;
    }
    if (m->card_json) {
        uint64_t clen = strlen(m->card_json);
        PUT(&b, clen);
        if ((st = _put(&b, m->card_json, clen, err))) goto done;
    }
    uint64_t h = cs_hash64(b.data, b.len, 0);
    PUT(&b, h);
    st = cs_buf_append(out, b.data, b.len, err);
done:
    cs_buf_free(&b);
    return st;
}

/* ---- reading --------------------------------------------------------------------------- */

typedef struct rd {
    const unsigned char *p;
    size_t len, at;
} rd;

static int _get(rd *r, void *dst, size_t n)
{
    if (r->len - r->at < n) return -1;
    memcpy(dst, r->p + r->at, n);
    r->at += n;
    return 0;
}

#define GET(x) do { if (_get(&r, &(x), sizeof(x))) goto truncated; } while (0)

lrn_model *lrn_model_read(const void *bytes, size_t len, cs_err *err)
{
    rd r = {bytes, len, 0};
    lrn_model *m = NULL;
    char magic[8];
    uint32_t version, kind, avg, lin;
    uint64_t nf, plen, h;
    if (len < 8 + 8 || memcmp(bytes, MODEL_MAGIC, 8) != 0) {
        cs_err_set(err, CS_ECORRUPT, "learner model: bad magic (not a model section)");
        return NULL;
    }
    GET(magic);
    GET(version);
    if (version > MODEL_VERSION) {
        cs_err_set(err, CS_EVERSION, "learner model: format version %u is newer than %u",
                   (unsigned)version, MODEL_VERSION);
        return NULL;
    }
    if (version != 1 && version != 2) {
        cs_err_set(err, CS_ECORRUPT, "learner model: unknown format version %u", (unsigned)version);
        return NULL;
    }
    memcpy(&h, (const unsigned char *)bytes + len - 8, 8);
    if (cs_hash64(bytes, len - 8, 0) != h) {
        cs_err_set(err, CS_ECORRUPT, "learner model: checksum mismatch (%zu bytes)", len);
        return NULL;
    }
    r.len = len - 8;
    GET(kind);
    GET(nf);
    if (kind >= LRN_KIND_COUNT || nf == 0 || nf > MAX_FEATS) {
        cs_err_set(err, CS_ECORRUPT, "learner model: bad kind %u or feature count %llu",
                   (unsigned)kind, (unsigned long long)nf);
        return NULL;
    }
    m = lrn_model_create((lrn_kind)kind, (size_t)nf, err);
    if (!m) return NULL;
    GET(m->base_score);
    GET(avg);
    GET(m->n_trees);
    GET(m->best_iteration);
    GET(m->best_valid_auc);
    GET(lin);
    GET(plen);
    m->average = (int)avg;
    if (avg > 1 || lin > 1 || !isfinite(m->base_score) || m->n_trees < 0 ||
        (lin && m->n_trees > 0)) {
        cs_err_set(err, CS_ECORRUPT, "learner model: bad header fields");
        goto fail;
    }
    if (plen > r.len - r.at) goto truncated;
    if (plen) {
        m->params_json = cs_malloc((size_t)plen + 1, err);
        if (!m->params_json) goto fail;
        memcpy(m->params_json, r.p + r.at, (size_t)plen);
        m->params_json[plen] = '\0';
        r.at += (size_t)plen;
    }
    if ((size_t)m->n_trees > (r.len - r.at) / (4 + NODE_BYTES)) goto truncated;
    int32_t n_trees = m->n_trees;
    m->n_trees = 0;
    m->trees = cs_calloc(n_trees ? (size_t)n_trees : 1, sizeof *m->trees, err);
    if (!m->trees) goto fail;
    for (int32_t t = 0; t < n_trees; t++) {
        tree *tr = &m->trees[t];
        int32_t nn;
        GET(nn);
        if (nn <= 0 || (size_t)nn > (r.len - r.at) / NODE_BYTES) goto truncated;
        tr->nodes = cs_calloc((size_t)nn, sizeof *tr->nodes, err);
        if (!tr->nodes) goto fail;
        m->n_trees = t + 1;
        tr->n_nodes = nn;
        for (int32_t i = 0; i < nn; i++) {
            tree_node *nd = &tr->nodes[i];
            GET(nd->feature);
            GET(nd->left);
            GET(nd->right);
            GET(nd->default_left);
            GET(nd->threshold);
            GET(nd->value);
            GET(nd->cover);
            GET(nd->gain);
        }
        if (tree_validate(tr, m->n_feats, err)) {
            cs_err_prefix(err, "learner model: tree %d: ", (int)t);
            goto fail;
        }
    }
    if (lin) {
        double **arrs[5] = {&m->lin_coef, &m->lin_center, &m->lin_scale, &m->lin_lo, &m->lin_hi};
        if (r.len - r.at < 5 * m->n_feats * sizeof(double)) goto truncated;
        for (int a = 0; a < 5; a++) {
            *arrs[a] = cs_malloc(m->n_feats * sizeof(double), err);
            if (!*arrs[a]) goto fail;
            memcpy(*arrs[a], r.p + r.at, m->n_feats * sizeof(double));
            r.at += m->n_feats * sizeof(double);
        }
        for (size_t j = 0; j < m->n_feats; j++)
            if (!isfinite(m->lin_coef[j]) || !isfinite(m->lin_center[j]) ||
                !(m->lin_scale[j] > 0) || !isfinite(m->lin_scale[j]) || isnan(m->lin_lo[j]) ||
                isnan(m->lin_hi[j]) || m->lin_lo[j] > m->lin_hi[j]) {
                cs_err_set(err, CS_ECORRUPT, "learner model: bad linear terms for feature %zu", j);
                goto fail;
            }
    }
    if (version == 2) {
        uint64_t clen;
        GET(clen);
        if (clen == 0 || clen > r.len - r.at) goto truncated;
        if (!(m->card_json = cs_malloc((size_t)clen + 1, err))) goto fail;
        memcpy(m->card_json, r.p + r.at, (size_t)clen);
        m->card_json[clen] = '\0';
        r.at += (size_t)clen;
        if (strlen(m->card_json) != clen) {
            cs_err_set(err, CS_ECORRUPT, "learner model: a NUL byte inside the points table");
            goto fail;
        }
    }
    if (r.at != r.len) {
        cs_err_set(err, CS_ECORRUPT, "learner model: %zu trailing bytes", r.len - r.at);
        goto fail;
    }
    if (m->best_iteration < 0 || m->best_iteration > m->n_trees) {
        cs_err_set(err, CS_ECORRUPT, "learner model: best_iteration %d out of range",
                   (int)m->best_iteration);
        goto fail;
    }
    if (lrn_model_prepare(m, err)) goto fail;
    return m;
truncated:
    cs_err_set(err, CS_ECORRUPT, "learner model: truncated at byte %zu of %zu", r.at, len);
fail:
    lrn_model_free(m);
    return NULL;
}
