/*
 * shap_plan.c: the precomputed TreeSHAP engine (shap_plan.h). Same values as the recursive
 * algorithm of shap_tree.c (path-dependent TreeSHAP, Lundberg et al. 2018), computed from a
 * per-leaf closed form instead of extending and unwinding a path at every node.
 *
 * The closed form. A leaf l with value v, whose root path splits on d distinct features,
 * gives feature i the Shapley value of the product game
 *     f(S) = v * prod_{j in S} o_j * prod_{j not in S} z_j
 * where z_j is the share of training cover that follows the path at feature j's splits
 * (the product over its splits on the path) and o_j = 1 when the row follows the path at
 * every split on j, else 0. With the Shapley weight |S|!(d-|S|-1)!/d! = int_0^1
 * t^|S| (1-t)^(d-1-|S|) dt, the value is
 *     phi_i = v (o_i - z_i) int_0^1 prod_{j != i} (z_j + (o_j - z_j) t) dt,
 * a polynomial of degree d-1 under the integral, which Gauss-Legendre quadrature with
 * ceil(d/2) nodes integrates exactly (up to rounding). So:
 *   - every feature not agreeing (o_i = 0) gets the same value, -v int prod_j g_j / (1-t);
 *   - an agreeing feature gets v (1 - z_i) int prod_j g_j / (z_i + (1 - z_i) t).
 * All terms are positive products of numbers in (0, 1]: no cancellation, no division by a
 * cover fraction (the recursive algorithm's unwinding divides by them).
 *
 * Two ways to apply it, chosen per tree at load (docs/explain.md, "The engine"):
 *   table  : for a leaf with d <= table_max_depth, the values for every subset O of agreeing
 *            features, precomputed (FastTreeSHAP v2's idea): per O the shared value and one
 *            value per agreeing feature, (d/2 + 1) 2^d doubles per leaf. A row costs, per
 *            leaf, one lookup and d additions.
 *   direct : the quadrature at the row, O(d^2 / 2) multiplications per leaf, any d <= 64.
 * A row's agreeing set O is found for every leaf in one preorder pass over the internal
 * nodes: each split clears its feature's bit in the mask of the child the row does not take.
 * Trees deeper than 64 levels (a mask no longer fits) use the recursive algorithm.
 */
#include "shap_plan.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PLAN_MAX_DEPTH 64       /* node depth (and so distinct features per path) */
#define TABLE_MAX_D 16          /* largest table_max_depth accepted */

typedef struct _pnode {         /* an internal node; a tree's internal nodes in preorder */
    double threshold;
    int32_t feature;
    int32_t left, right;        /* the children's mask slots: internal node k -> k, leaf k ->
                                 * n_inner + k (so every parent comes before its children) */
    uint8_t default_left;
    uint8_t slot;               /* the split feature's position on this node's path */
} _pnode;

typedef struct _pleaf {
    double value;               /* leaf value times the model's scale */
    int64_t tab;                /* offset of its table in p->tab, -1: none */
    size_t coef;                /* offset of its d x ceil(d/2) coefficients in p->coef */
    uint32_t off;               /* offset of its d features in p->feat and fractions in p->z */
    int32_t d;                  /* distinct features on its path */
} _pleaf;

typedef struct _ptree {
    const tree *src;            /* the model's tree (classic method only) */
    int32_t node0, n_inner;     /* internal nodes, in p->nodes */
    int32_t leaf0, n_leaves;    /* in p->leaves */
    int8_t classic;             /* deeper than PLAN_MAX_DEPTH */
    int8_t has_direct;
} _ptree;

struct shap_plan {
    int n_trees;
    _ptree *trees;
    _pnode *nodes;
    _pleaf *leaves;
    int32_t *feat;
    double *z;
    double *tab;
    double *coef;               /* every leaf: d x ceil(d/2) coefficients (_leaf_fast) */
    size_t n_nodes, n_leaves, n_path, n_tab, n_coef;        /* array lengths */
    size_t cap_nodes, cap_leaves, cap_path, cap_coef;
    uint32_t *cum[TABLE_MAX_D + 1];   /* cum[d][O]: offset of subset O in a d-leaf's table */
    double gl_t[32 * 33 / 2], gl_w[32 * 33 / 2], gl_r[32 * 33 / 2];   /* per n = 1..32 at (n-1)n/2:
                                                 * nodes on [0,1], weights, weight / (1 - node) */
    double scale;
    size_t classic_work;        /* shap_work_size of the deepest classic tree */
    size_t max_nodes;           /* nodes of the largest planned tree (its masks) */
    int max_d;
};

/* ---- quadrature ----------------------------------------------------------------------- */

/* Gauss-Legendre nodes and weights on [0, 1] for n = 1..32 points (Newton on P_n). */
static void _gauss_legendre(shap_plan *p)
{
    for (int n = 1; n <= 32; n++) {
        double *t = p->gl_t + (n - 1) * n / 2, *w = p->gl_w + (n - 1) * n / 2;
        double *r = p->gl_r + (n - 1) * n / 2;
        for (int k = 0; k < n; k++) {
            double x = cos(M_PI * (k + 0.75) / (n + 0.5)), dp = 1;
            for (int it = 0; it < 100; it++) {
                double p0 = 1, p1 = x;
                for (int j = 2; j <= n; j++) {
                    double p2 = ((2.0 * j - 1) * x * p1 - (j - 1.0) * p0) / j;
                    p0 = p1;
                    p1 = p2;
                }
                if (n == 1) p0 = 1;
                dp = n * (x * p1 - p0) / (x * x - 1);
                double dx = p1 / dp;
                x -= dx;
                if (fabs(dx) < 1e-17) break;
            }
            t[k] = (1 - x) / 2;
            w[k] = 1 / ((1 - x * x) * dp * dp);     /* 2 / (...) on [-1,1], halved */
            r[k] = w[k] / (1 - t[k]);
        }
    }
}

/* The closed form for one leaf (d >= 1 distinct features, fractions z, value v, and its
 * coefficients c[s n + q] = v (1 - z_s) w_q / (z_s + (1 - z_s) t_q), n = ceil(d/2)) and the
 * agreeing set o (bit s = slot s): returns the value of every non-agreeing feature and
 * writes in[k] for the k-th agreeing feature in slot order. No division. */
static double _leaf_fast(const shap_plan *p, int d, const double *z, const double *c, double v,
                         uint64_t o, double *in)
{
    int n = (d + 1) / 2;
    const double *t = p->gl_t + (n - 1) * n / 2, *r = p->gl_r + (n - 1) * n / 2;
    double P[32];
    for (int q = 0; q < n; q++) P[q] = 1;
    for (int s = 0; s < d; s++) {
        double zs = z[s], os = (double)((o >> s) & 1);
        for (int q = 0; q < n; q++) P[q] *= zs + (os - zs) * t[q];
    }
    double out = 0;
    for (int q = 0; q < n; q++) out += P[q] * r[q];
    int k = 0;
    for (int s = 0; s < d; s++) {
        if (!((o >> s) & 1)) continue;
        const double *cs = c + s * n;
        double a = 0;
        for (int q = 0; q < n; q++) a += P[q] * cs[q];
        in[k++] = a;
    }
    return -v * out;
}

/* ---- building ------------------------------------------------------------------------- */

static size_t _table_len(int d) { return ((size_t)1 << d) + (size_t)d * ((size_t)1 << d) / 2; }

typedef struct _builder {
    shap_plan *p;
    const tree *t;
    int32_t n_inner;            /* internal nodes of the current tree */
    int32_t next_inner;         /* preorder numbering so far */
    int32_t n_leaves;           /* leaves of the current tree so far */
    int32_t pf[PLAN_MAX_DEPTH]; /* the current path's distinct features ... */
    double pz[PLAN_MAX_DEPTH];  /* ... and their zero fractions */
    int d;
    cs_err *err;
} _builder;

static int _grow(void **a, size_t *cap, size_t need, size_t elem, cs_err *err)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 256;
    while (c < need) c *= 2;
    void *q = realloc(*a, c * elem);
    if (!q) {
        cs_err_set(err, CS_ENOMEM, "explain: out of memory for the TreeSHAP plan");
        return -1;
    }
    *a = q;
    *cap = c;
    return 0;
}

/* Plan the subtree at node; returns its mask slot, -1 on failure. */
static int32_t _build(_builder *b, int32_t node)
{
    shap_plan *p = b->p;
    const tree_node *nd = &b->t->nodes[node];
    if (nd->feature < 0) {
        if (_grow((void **)&p->leaves, &p->cap_leaves, p->n_leaves + 1, sizeof *p->leaves, b->err)) return -1;
        size_t cap = p->cap_path;
        if (_grow((void **)&p->feat, &cap, p->n_path + (size_t)b->d, sizeof *p->feat, b->err)) return -1;
        if (_grow((void **)&p->z, &p->cap_path, p->n_path + (size_t)b->d, sizeof *p->z, b->err)) return -1;
        _pleaf *l = &p->leaves[p->n_leaves++];
        l->value = nd->value * p->scale;
        l->tab = -1;
        l->off = (uint32_t)p->n_path;
        l->d = b->d;
        if (b->d) {     /* a root leaf has no path (and the arrays may not exist yet) */
            memcpy(p->feat + p->n_path, b->pf, (size_t)b->d * sizeof *b->pf);
            memcpy(p->z + p->n_path, b->pz, (size_t)b->d * sizeof *b->pz);
        }
        p->n_path += (size_t)b->d;
        if (b->d > p->max_d) p->max_d = b->d;
        return b->n_inner + b->n_leaves++;
    }
    int32_t me = b->next_inner++;
    size_t at = p->n_nodes + (size_t)me;
    int s = 0;
    while (s < b->d && b->pf[s] != nd->feature) s++;
    int fresh = s == b->d;
    double before = fresh ? 1 : b->pz[s];
    if (fresh) {
        b->pf[s] = nd->feature;
        b->d++;
    }
    int32_t kid[2];
    for (int side = 0; side < 2; side++) {
        int32_t child = side ? nd->right : nd->left;
        double w = nd->cover;
        b->pz[s] = before * (w > 0 ? b->t->nodes[child].cover / w : 0.5);
        if ((kid[side] = _build(b, child)) < 0) return -1;
    }
    if (fresh) b->d--;
    else b->pz[s] = before;
    _pnode *pn = &p->nodes[at];
    pn->threshold = nd->threshold;
    pn->feature = nd->feature;
    pn->left = kid[0];
    pn->right = kid[1];
    pn->default_left = nd->default_left;
    pn->slot = (uint8_t)s;
    return me;
}

shap_plan *shap_plan_create(const lrn_model *m, double scale, const shap_options *opts, cs_err *err)
{
    assert(m && m->n_trees > 0 && opts);
    assert(opts->table_max_depth >= -1 && opts->table_max_depth <= TABLE_MAX_D);
    shap_plan *p = cs_calloc(1, sizeof *p, err);
    if (!p) return NULL;
    p->scale = scale;
    p->n_trees = m->n_trees;
    _gauss_legendre(p);
    _builder b = {.p = p, .err = err};
    if (!(p->trees = cs_calloc((size_t)m->n_trees, sizeof *p->trees, err))) goto fail;
    size_t budget = opts->table_budget;
    for (int32_t i = 0; i < m->n_trees; i++) {
        const tree *t = &m->trees[i];
        _ptree *pt = &p->trees[i];
        pt->src = t;
        int depth = tree_depth(t);
        if (depth > PLAN_MAX_DEPTH) {
            pt->classic = 1;
            size_t w = shap_work_size(depth);
            if (w > p->classic_work) p->classic_work = w;
            continue;
        }
        int32_t inner = 0;
        for (int32_t k = 0; k < t->n_nodes; k++) inner += t->nodes[k].feature >= 0;
        if (_grow((void **)&p->nodes, &p->cap_nodes, p->n_nodes + (size_t)inner, sizeof *p->nodes, err))
            goto fail;
        pt->node0 = (int32_t)p->n_nodes;
        pt->n_inner = inner;
        pt->leaf0 = (int32_t)p->n_leaves;
        b.t = t;
        b.n_inner = inner;
        b.next_inner = 0;
        b.n_leaves = 0;
        b.d = 0;
        if (_build(&b, 0) < 0) goto fail;
        p->n_nodes += (size_t)inner;
        pt->n_leaves = b.n_leaves;
        if ((size_t)(inner + b.n_leaves) > p->max_nodes) p->max_nodes = (size_t)(inner + b.n_leaves);
        /* the leaves' coefficients */
        size_t nc = p->n_coef;
        for (int32_t k = 0; k < pt->n_leaves; k++) {
            int d = p->leaves[pt->leaf0 + k].d;
            nc += (size_t)d * (size_t)((d + 1) / 2);
        }
        if (_grow((void **)&p->coef, &p->cap_coef, nc, sizeof *p->coef, err)) goto fail;
        for (int32_t k = 0; k < pt->n_leaves; k++) {
            _pleaf *l = &p->leaves[pt->leaf0 + k];
            int d = l->d, n = (d + 1) / 2;
            const double *gt = p->gl_t + (n - 1) * n / 2, *w = p->gl_w + (n - 1) * n / 2;
            const double *z = p->z + l->off;
            double *c = p->coef + p->n_coef;
            for (int s = 0; s < d; s++)
                for (int q = 0; q < n; q++)
                    c[s * n + q] = l->value * (1 - z[s]) * w[q] / (z[s] + (1 - z[s]) * gt[q]);
            l->coef = p->n_coef;
            p->n_coef += (size_t)d * (size_t)n;
        }
        /* tables for its shallow leaves when they fit the remaining budget */
        size_t need = 0;
        int all = 1;
        for (int32_t k = 0; k < pt->n_leaves; k++) {
            int d = p->leaves[pt->leaf0 + k].d;
            if (d <= opts->table_max_depth) need += _table_len(d);
            else all = 0;
        }
        if (need * sizeof(double) > budget) {
            need = 0;
            all = 0;
        }
        pt->has_direct = (int8_t)!all;
        if (!need) continue;
        budget -= need * sizeof(double);
        size_t cap = p->n_tab;
        double *q = realloc(p->tab, (p->n_tab + need) * sizeof *p->tab);
        (void)cap;
        if (!q) {
            cs_err_set(err, CS_ENOMEM, "explain: out of memory for the TreeSHAP tables");
            goto fail;
        }
        p->tab = q;
        for (int32_t k = 0; k < pt->n_leaves; k++) {
            _pleaf *l = &p->leaves[pt->leaf0 + k];
            if (l->d > opts->table_max_depth) continue;
            if (!p->cum[l->d]) {
                size_t nO = (size_t)1 << l->d;
                if (!(p->cum[l->d] = cs_malloc(nO * sizeof(uint32_t), err))) goto fail;
                uint32_t c = 0;
                for (size_t o = 0; o < nO; o++) {
                    p->cum[l->d][o] = c;
                    c += 1 + (uint32_t)__builtin_popcountll(o);
                }
            }
            l->tab = (int64_t)p->n_tab;
            double *e = p->tab + p->n_tab;
            for (uint64_t o = 0; o < ((uint64_t)1 << l->d); o++) {
                double *slot = e + p->cum[l->d][o];
                slot[0] = l->d ? _leaf_fast(p, l->d, p->z + l->off, p->coef + l->coef, l->value, o, slot + 1) : 0;
            }
            p->n_tab += _table_len(l->d);
        }
    }
    return p;
fail:
    shap_plan_free(p);
    return NULL;
}

void shap_plan_free(shap_plan *p)
{
    if (!p) return;
    free(p->trees);
    free(p->nodes);
    free(p->leaves);
    free(p->feat);
    free(p->z);
    free(p->tab);
    free(p->coef);
    for (int d = 0; d <= TABLE_MAX_D; d++) free(p->cum[d]);
    free(p);
}

size_t shap_plan_work_size(const shap_plan *p)
{
    size_t masks = p->max_nodes * sizeof(uint64_t);
    return masks > p->classic_work ? masks : p->classic_work;
}

void shap_plan_stats(const shap_plan *p, shap_stats *out)
{
    memset(out, 0, sizeof *out);
    out->n_trees = p->n_trees;
    for (int i = 0; i < p->n_trees; i++) {
        const _ptree *t = &p->trees[i];
        if (t->classic) out->n_classic_trees++;
        else if (t->has_direct) out->n_direct_trees++;
        else out->n_table_trees++;
        out->n_leaves += (size_t)t->n_leaves;
        for (int32_t k = 0; k < t->n_leaves; k++)
            out->n_table_leaves += p->leaves[t->leaf0 + k].tab >= 0;
    }
    out->max_path_features = p->max_d;
    out->table_bytes = p->n_tab * sizeof(double);
    size_t cum = 0;
    for (int d = 0; d <= TABLE_MAX_D; d++)
        if (p->cum[d]) cum += ((size_t)1 << d) * sizeof(uint32_t);
    out->plan_bytes = out->table_bytes + cum + sizeof *p + (size_t)p->n_trees * sizeof *p->trees +
                      p->n_nodes * sizeof *p->nodes + p->n_leaves * sizeof *p->leaves +
                      p->n_path * (sizeof *p->feat + sizeof *p->z) + p->n_coef * sizeof *p->coef;
}

/* ---- applying ------------------------------------------------------------------------- */

/* One tree, one row: the agreeing mask of every leaf in one pass over the internal nodes
 * (branch-free: the row's side at a split is data, not control flow), then the leaves. */
static void _tree_row(const shap_plan *p, const _ptree *t, const double *x, double *phi,
                      uint64_t *M, int tables)
{
    const _pnode *nd = p->nodes + t->node0;
    M[0] = ~(uint64_t)0;
    for (int32_t i = 0; i < t->n_inner; i++) {
        const _pnode *n = nd + i;
        double v = x[n->feature];
        uint64_t left = (uint64_t)((v <= n->threshold) | ((v != v) & n->default_left));
        uint64_t mask = M[i], bit = (uint64_t)1 << n->slot;
        M[n->left] = mask & ~(bit & (left - 1));
        M[n->right] = mask & ~(bit & -left);
    }
    const _pleaf *lv = p->leaves + t->leaf0;
    const uint64_t *LM = M + t->n_inner;
    double in[PLAN_MAX_DEPTH];
    for (int32_t k = 0; k < t->n_leaves; k++) {
        const _pleaf *l = lv + k;
        int d = l->d;
        uint64_t mask = LM[k];
        const int32_t *f = p->feat + l->off;
        const double *e;
        double out;
        if (tables && l->tab >= 0) {
            e = p->tab + l->tab + p->cum[d][mask & (((uint64_t)1 << d) - 1)];
            out = *e++;
        } else {
            if (!d) continue;
            out = _leaf_fast(p, d, p->z + l->off, p->coef + l->coef, l->value, mask, in);
            e = in;
        }
        for (int s = 0; s < d; s++) {
            int b = (int)((mask >> s) & 1);
            phi[f[s]] += b ? *e : out;
            e += b;
        }
    }
}

void shap_plan_rows(const shap_plan *p, const double *x, size_t n, size_t stride, double *phi,
                    void *work, int tables)
{
    for (int i = 0; i < p->n_trees; i++) {
        const _ptree *t = &p->trees[i];
        if (t->classic) {
            for (size_t r = 0; r < n; r++) shap_tree_add(t->src, x + r * stride, p->scale, phi + r * stride, work);
            continue;
        }
        for (size_t r = 0; r < n; r++) _tree_row(p, t, x + r * stride, phi + r * stride, work, tables);
    }
}
