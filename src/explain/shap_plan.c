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
 * Ways to apply it, chosen per tree at load (docs/explain.md, "The engine"):
 *   table  : for a leaf with d <= table_max_depth, the values for every subset O of agreeing
 *            features, precomputed (FastTreeSHAP v2's idea): per O the shared value and one
 *            value per agreeing feature, (d/2 + 1) 2^d doubles per leaf. A row costs, per
 *            leaf, one lookup and d additions.
 *   direct : the quadrature at the row, O(d^2 / 2) multiplications per leaf, any d <= 64.
 *   incremental : the same quadrature with the products built down the tree instead of per
 *            leaf: every node carries prod_j g_j(t_q) of its path at the tree's n = ceil(D/2)
 *            nodes (D: the tree's longest path in distinct features; more nodes than a
 *            shallow leaf needs are still exact), and a child gets its parent's times one
 *            precomputed ratio per node t_q: the new factor of the split's feature over its
 *            old one, one of three by whether the row still agreed with that feature and goes
 *            this way (agreeing, taking the child: (z' + (1-z') t) / (z + (1-z) t); agreeing,
 *            not taking it: z' (1-t) / (z + (1-z) t); already disagreeing: z' / z). A leaf
 *            then costs n multiplications for the shared value and n per agreeing feature,
 *            and a node 2n. Chosen per tree at load where the count of multiplications is
 *            lower than the direct method's; the matrix path takes it for those of them
 *            without tables.
 *   summed : the one-row path (serve): the products down the tree as in the incremental
 *            method (the leaf value folded in), then up the tree each node's sum over its
 *            leaves; a split gives its feature the value for all the leaves below it at once,
 *            -w_q / (1 - t_q) times its sum plus, where the row agrees, the taken child's
 *            (1 - z') w_q / (z' + (1 - z') t_q) + w_q / (1 - t_q) times that child's sum. A
 *            feature repeated on a path: each split takes its sum away from the child of its
 *            nearest same-feature ancestor, which counts only the leaves whose deepest split
 *            on the feature it is. No work per leaf. Trees with at most 8 distinct features on
 *            a path use the 4-point rule, the 4 nodes the lanes of one vector.
 *   (direct, incremental and summed: the method is chosen per tree by a count of
 *   multiplications; see docs/explain.md, "The engine").
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
#define LANES 4                 /* the summed method's vector kernel: 4 quadrature nodes */

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
    size_t icoef;               /* incremental trees: offset of its (1 + d) x nq coefficients
                                 * in p->icoef (-v w_q / (1 - t_q), then per slot s
                                 * v (1 - z_s) w_q / (z_s + (1 - z_s) t_q)) */
    uint32_t off;               /* offset of its d features in p->feat and fractions in p->z */
    int32_t d;                  /* distinct features on its path */
} _pleaf;

typedef struct _ptree {
    const tree *src;            /* the model's tree (classic method only) */
    int32_t node0, n_inner;     /* internal nodes, in p->nodes */
    int32_t leaf0, n_leaves;    /* in p->leaves */
    int8_t classic;             /* deeper than PLAN_MAX_DEPTH */
    int8_t has_direct;
    int8_t incr;                /* the incremental method (chosen at load, per tree) */
    int8_t has_table;           /* at least one leaf has a table */
    int8_t up;                  /* the summed method on the one-row path (chosen at load) */
    int8_t up_rep;              /* summed, and a feature repeats on some path */
    int32_t nq;                 /* incremental: quadrature nodes, ceil(longest path / 2) */
    int32_t unq;                /* summed: quadrature nodes, the same or LANES when that is enough */
    size_t ratio0;              /* incremental: offset in p->ratio of internal node 0's ratios,
                                 * per internal node [child left/right][agree+take, agree+not,
                                 * disagree][nq] */
    size_t uratio0;             /* summed: offset in p->uratio of internal node 0's factors,
                                 * per internal node [child left/right][agree+take, agree+not,
                                 * disagree, hot][nq] */
    size_t uanc0;               /* summed with a repeated feature: offset in p->uanc */
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
    double *ratio, *icoef;      /* the incremental trees' node ratios and leaf coefficients */
    double *uratio;             /* the summed trees' node factors */
    int32_t *uanc;              /* summed trees with a repeated feature, per internal node: the
                                 * child (2 * node + side) of the nearest ancestor splitting on
                                 * the same feature, -1 for none */
    size_t n_nodes, n_leaves, n_path, n_tab, n_coef, n_ratio, n_icoef, n_uratio, n_uanc;   /* lengths */
    size_t cap_nodes, cap_leaves, cap_path, cap_coef, cap_ratio, cap_icoef, cap_uratio, cap_uanc;
    uint32_t *cum[TABLE_MAX_D + 1];   /* cum[d][O]: offset of subset O in a d-leaf's table */
    double gl_t[32 * 33 / 2], gl_w[32 * 33 / 2], gl_r[32 * 33 / 2], gl_n[32 * 33 / 2];
                                /* per n = 1..32 at (n-1)n/2: nodes on [0,1], weights,
                                 * weight / (1 - node) and its opposite */
    double scale;
    size_t classic_work;        /* shap_work_size of the deepest classic tree */
    size_t max_nodes;           /* nodes of the largest planned tree (its masks) */
    size_t max_incr_work;       /* doubles of the largest incremental or summed tree's products */
    size_t max_up_inner;        /* internal nodes of the largest summed tree */
    int max_up_nq;              /* quadrature nodes of the summed trees, at most */
    int max_d;
    int n_incr;                 /* incremental trees */
    int n_up;                   /* summed trees */
    int n_up4;                  /* summed trees on the 4-point rule (the vector kernel) */
    size_t n_feats;             /* the model's features (the vector kernel's accumulators) */
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
            p->gl_n[(n - 1) * n / 2 + k] = -r[k];
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
    double *zb, *zl, *zr;       /* per internal node of the current tree: the split feature's
                                 * fraction before it (1: fresh) and in each child */
    int32_t *anc;               /* per internal node: the child (2 * node + side) of the nearest
                                 * ancestor on the same feature, -1 for none */
    int32_t last[PLAN_MAX_DEPTH]; /* per path slot: the child of its feature's latest split */
    int rep;                    /* the current tree repeats a feature on some path */
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
    int32_t last = fresh ? -1 : b->last[s];
    if (fresh) {
        b->pf[s] = nd->feature;
        b->d++;
    } else
        b->rep = 1;
    int32_t kid[2];
    b->zb[me] = before;
    b->anc[me] = last;
    for (int side = 0; side < 2; side++) {
        int32_t child = side ? nd->right : nd->left;
        double w = nd->cover;
        b->pz[s] = before * (w > 0 ? b->t->nodes[child].cover / w : 0.5);
        (side ? b->zr : b->zl)[me] = b->pz[s];
        b->last[s] = 2 * me + side;
        if ((kid[side] = _build(b, child)) < 0) return -1;
    }
    b->last[s] = last;
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

/* Plan tree pt for the incremental method when it needs fewer multiplications per row than
 * the direct one and every ratio is finite: its node ratios and leaf coefficients. 0
 * (planned or not), -1 on CS_ENOMEM. */
static int _plan_incremental(shap_plan *p, _ptree *pt, const _builder *b, int allow, cs_err *err)
{
    int tmax = 0;
    double direct = 0, incr = 0;
    for (int32_t k = 0; k < pt->n_leaves; k++) {
        int d = p->leaves[pt->leaf0 + k].d;
        if (d > tmax) tmax = d;
        direct += (double)d * ((d + 1) / 2) + (double)((d + 1) / 2) * (1 + d / 2.0);
    }
    int nq = tmax > 0 ? (tmax + 1) / 2 : 1;
    for (int32_t k = 0; k < pt->n_leaves; k++) incr += nq * (1 + p->leaves[pt->leaf0 + k].d / 2.0);
    incr += 2.0 * pt->n_inner * nq;
    if (!allow || tmax == 0 || incr >= direct) return 0;
    const double *t = p->gl_t + (nq - 1) * nq / 2, *w = p->gl_w + (nq - 1) * nq / 2;
    size_t nr = (size_t)pt->n_inner * 6 * (size_t)nq;
    if (_grow((void **)&p->ratio, &p->cap_ratio, p->n_ratio + nr, sizeof *p->ratio, err)) return -1;
    double *R = p->ratio + p->n_ratio;
    for (int32_t i = 0; i < pt->n_inner; i++) {
        double zb = b->zb[i];
        for (int side = 0; side < 2; side++) {
            double za = (side ? b->zr : b->zl)[i];
            double *r = R + ((size_t)i * 6 + (size_t)side * 3) * (size_t)nq;
            for (int q = 0; q < nq; q++) {
                double den = zb + (1 - zb) * t[q];
                if (!(den > 0) || !isfinite(za) || !isfinite(zb) || za < 0) return 0;
                r[q] = (za + (1 - za) * t[q]) / den;        /* agreeing, takes this child */
                r[nq + q] = za * (1 - t[q]) / den;          /* agreeing, takes the other */
                /* already disagreeing: the old factor z (1 - t) becomes z' (1 - t); a zero
                 * z made every product below it 0, which stays 0 */
                r[2 * nq + q] = zb > 0 ? za / zb : 0;
            }
        }
    }
    size_t nc = 0;
    for (int32_t k = 0; k < pt->n_leaves; k++) nc += (size_t)(1 + p->leaves[pt->leaf0 + k].d) * (size_t)nq;
    if (_grow((void **)&p->icoef, &p->cap_icoef, p->n_icoef + nc, sizeof *p->icoef, err)) return -1;
    for (int32_t k = 0; k < pt->n_leaves; k++) {
        _pleaf *l = &p->leaves[pt->leaf0 + k];
        const double *z = p->z + l->off;
        double *c = p->icoef + p->n_icoef;
        for (int q = 0; q < nq; q++) c[q] = -l->value * w[q] / (1 - t[q]);
        for (int s = 0; s < l->d; s++)
            for (int q = 0; q < nq; q++)
                c[(1 + s) * nq + q] = l->value * (1 - z[s]) * w[q] / (z[s] + (1 - z[s]) * t[q]);
        l->icoef = p->n_icoef;
        p->n_icoef += (size_t)(1 + l->d) * (size_t)nq;
    }
    pt->ratio0 = p->n_ratio;
    p->n_ratio += nr;
    pt->nq = nq;
    pt->incr = 1;
    p->n_incr++;
    size_t work = (size_t)(pt->n_inner + pt->n_leaves) * (size_t)nq;
    if (work > p->max_incr_work) p->max_incr_work = work;
    return 0;
}

/* Plan tree pt for the summed method (file comment) when it needs fewer multiplications per
 * row than the direct method and every factor is finite. Per internal node, _ustride(nq, rep)
 * doubles: -a_l, b_l, b_r, -a_r with a_c = v_c z'_c and b_c = v_c (1 - z'_c) (v_c: the child's
 * leaf value, 1 for an internal child; z'_c the split feature's fraction in it), so that the
 * row's side l (1: left) picks the factor's slope by index, without a branch; then for each
 * child, left and right, h_c,q = (1 - z'_c) w_q / (z'_c + (1 - z'_c) t_q) + w_q / (1 - t_q)
 * (the agreeing child's coefficient less the disagreeing one's); in a tree where a feature
 * repeats on a path also 1 / z (z: the fraction before the split, 1 for a fresh feature; 0
 * when z is 0) and 1 / (z + (1 - z) t_q), and the nearest same-feature ancestors. 0 (planned
 * or not), -1 on CS_ENOMEM. */
static size_t _ustride(int nq, int rep) { return (size_t)(4 + 2 * nq + (rep ? 1 + nq : 0)); }

static int _plan_summed(shap_plan *p, _ptree *pt, const _builder *b, int allow, cs_err *err)
{
    int tmax = 0;
    double direct = 0;
    for (int32_t k = 0; k < pt->n_leaves; k++) {
        int d = p->leaves[pt->leaf0 + k].d;
        if (d > tmax) tmax = d;
        direct += (double)d * ((d + 1) / 2) + (double)((d + 1) / 2) * (1 + d / 2.0);
    }
    int nq = tmax > 0 ? (tmax + 1) / 2 : 1;
    double up = (double)pt->n_inner * (4.0 * nq + 1);
    if (!allow || tmax == 0 || up >= direct || nq > 32) return 0;
    /* up to 8 distinct features a path: the 4-point rule (exact to degree 7; the vector
     * kernel's 4 lanes), the same for every such tree */
    if (nq <= LANES) nq = LANES;
    const double *t = p->gl_t + (nq - 1) * nq / 2, *w = p->gl_w + (nq - 1) * nq / 2;
    int rep = b->rep;
    size_t st = _ustride(nq, rep), nr = (size_t)pt->n_inner * st;
    if (_grow((void **)&p->uratio, &p->cap_uratio, p->n_uratio + nr, sizeof *p->uratio, err)) return -1;
    double *R = p->uratio + p->n_uratio;
    const _pnode *nd = p->nodes + pt->node0;
    for (int32_t i = 0; i < pt->n_inner; i++) {
        double zb = b->zb[i], *r = R + (size_t)i * st;
        if (!isfinite(zb) || zb < 0 || (!rep && zb != 1)) return 0;
        for (int side = 0; side < 2; side++) {
            double za = (side ? b->zr : b->zl)[i];
            int32_t kid = side ? nd[i].right : nd[i].left;
            double v = kid >= pt->n_inner ? p->leaves[pt->leaf0 + kid - pt->n_inner].value : 1;
            if (!isfinite(za) || za < 0) return 0;
            r[side ? 3 : 0] = -v * za;
            r[side ? 2 : 1] = v * (1 - za);
            for (int q = 0; q < nq; q++) {
                double dh = za + (1 - za) * t[q];
                if (!(dh > 0)) return 0;
                r[4 + side * nq + q] = (1 - za) * w[q] / dh + w[q] / (1 - t[q]);
            }
        }
        if (rep) {
            r[4 + 2 * nq] = zb > 0 ? 1 / zb : 0;
            for (int q = 0; q < nq; q++) {
                double den = zb + (1 - zb) * t[q];
                if (!(den > 0)) return 0;
                r[5 + 2 * nq + q] = 1 / den;
            }
        }
    }
    if (rep) {
        if (_grow((void **)&p->uanc, &p->cap_uanc, p->n_uanc + (size_t)pt->n_inner, sizeof *p->uanc, err))
            return -1;
        memcpy(p->uanc + p->n_uanc, b->anc, (size_t)pt->n_inner * sizeof *b->anc);
        pt->uanc0 = p->n_uanc;
        p->n_uanc += (size_t)pt->n_inner;
        pt->up_rep = 1;
    }
    pt->uratio0 = p->n_uratio;
    p->n_uratio += nr;
    pt->unq = nq;
    pt->up = 1;
    p->n_up++;
    if (nq == LANES) p->n_up4++;
    size_t work = (size_t)(pt->n_inner + pt->n_leaves) * (size_t)nq;
    if (work > p->max_incr_work) p->max_incr_work = work;
    if ((size_t)pt->n_inner > p->max_up_inner) p->max_up_inner = (size_t)pt->n_inner;
    if (nq > p->max_up_nq) p->max_up_nq = nq;
    return 0;
}

shap_plan *shap_plan_create(const lrn_model *m, double scale, const shap_options *opts, cs_err *err)
{
    assert(m && m->n_trees > 0 && opts);
    assert(opts->table_max_depth >= -1 && opts->table_max_depth <= TABLE_MAX_D);
    shap_plan *p = cs_calloc(1, sizeof *p, err);
    if (!p) return NULL;
    p->scale = scale;
    p->n_trees = m->n_trees;
    p->n_feats = m->n_feats;
    _gauss_legendre(p);
    _builder b = {.p = p, .err = err};
    int32_t n_z = 0;            /* length of b.zb, b.zl, b.zr */
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
        b.rep = 0;
        if (inner > n_z) {
            free(b.zb);
            free(b.zl);
            free(b.zr);
            free(b.anc);
            n_z = inner;
            b.zb = cs_malloc((size_t)n_z * sizeof *b.zb, err);
            b.zl = cs_malloc((size_t)n_z * sizeof *b.zl, err);
            b.zr = cs_malloc((size_t)n_z * sizeof *b.zr, err);
            b.anc = cs_malloc((size_t)n_z * sizeof *b.anc, err);
            if (!b.zb || !b.zl || !b.zr || !b.anc) goto fail;
        }
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
        if (_plan_incremental(p, pt, &b, !opts->direct_only, err)) goto fail;
        if (_plan_summed(p, pt, &b, !opts->direct_only, err)) goto fail;
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
        pt->has_table = need > 0;
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
    free(b.zb);
    free(b.zl);
    free(b.zr);
    free(b.anc);
    return p;
fail:
    free(b.zb);
    free(b.zl);
    free(b.zr);
    free(b.anc);
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
    free(p->ratio);
    free(p->icoef);
    free(p->uratio);
    free(p->uanc);
    for (int d = 0; d <= TABLE_MAX_D; d++) free(p->cum[d]);
    free(p);
}

/* Bytes of the work that one tree uses and the next reuses (the recursive algorithm's path,
 * or masks, products (sums), the summed trees' corrections and their nodes' sides), rounded
 * to doubles; the vector kernel's per-row accumulators follow them. */
static size_t _work_tree(const shap_plan *p)
{
    size_t masks = p->max_nodes * sizeof(uint64_t) + p->max_incr_work * sizeof(double) +
                   2 * p->max_up_inner * (size_t)p->max_up_nq * sizeof(double) + p->max_up_inner;
    size_t w = masks > p->classic_work ? masks : p->classic_work;
    return (w + sizeof(double) - 1) / sizeof(double) * sizeof(double);
}

size_t shap_plan_work_size(const shap_plan *p)
{
    return _work_tree(p) + (p->n_up4 ? p->n_feats * LANES * sizeof(double) : 0);
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
    out->n_incremental_trees = p->n_incr;
    out->n_summed_trees = p->n_up;
    out->table_bytes = p->n_tab * sizeof(double);
    size_t cum = 0;
    for (int d = 0; d <= TABLE_MAX_D; d++)
        if (p->cum[d]) cum += ((size_t)1 << d) * sizeof(uint32_t);
    out->plan_bytes = out->table_bytes + cum + sizeof *p + (size_t)p->n_trees * sizeof *p->trees +
                      p->n_nodes * sizeof *p->nodes + p->n_leaves * sizeof *p->leaves +
                      p->n_path * (sizeof *p->feat + sizeof *p->z) + p->n_coef * sizeof *p->coef +
                      (p->n_ratio + p->n_icoef + p->n_uratio) * sizeof(double) + p->n_uanc * sizeof *p->uanc;
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

/* One tree, one row, the incremental method: masks and path products of every node in one
 * preorder pass over the internal nodes, then per leaf n multiplications for the shared
 * value and n per agreeing feature. P holds (n_inner + n_leaves) * nq doubles. */
static inline __attribute__((always_inline)) void
_tree_row_incr_n(const shap_plan *p, const _ptree *t, const double *x, double *phi, uint64_t *M, double *P,
                 const int nq)
{
    const _pnode *nd = p->nodes + t->node0;
    const double *R = p->ratio + t->ratio0;
    M[0] = ~(uint64_t)0;
    for (int q = 0; q < nq; q++) P[q] = 1;
    for (int32_t i = 0; i < t->n_inner; i++) {
        const _pnode *n = nd + i;
        double v = x[n->feature];
        uint64_t left = (uint64_t)((v <= n->threshold) | ((v != v) & n->default_left));
        uint64_t mask = M[i], bit = (uint64_t)1 << n->slot;
        M[n->left] = mask & ~(bit & (left - 1));
        M[n->right] = mask & ~(bit & -left);
        int agree = (int)((mask >> n->slot) & 1), l = (int)left;
        /* which ratio: 0 agreeing and taking the child, 1 agreeing and not, 2 disagreeing */
        const double *rl = R + ((size_t)i * 6 + (size_t)(2 - agree - agree * l)) * (size_t)nq;
        const double *rr = R + ((size_t)i * 6 + 3 + (size_t)(2 - 2 * agree + agree * l)) * (size_t)nq;
        const double *pi = P + (size_t)i * (size_t)nq;
        double *pl = P + (size_t)n->left * (size_t)nq, *pr = P + (size_t)n->right * (size_t)nq;
        for (int q = 0; q < nq; q++) {
            pl[q] = pi[q] * rl[q];
            pr[q] = pi[q] * rr[q];
        }
    }
    const _pleaf *lv = p->leaves + t->leaf0;
    const uint64_t *LM = M + t->n_inner;
    const double *LP = P + (size_t)t->n_inner * (size_t)nq;
    for (int32_t k = 0; k < t->n_leaves; k++) {
        const _pleaf *l = lv + k;
        int d = l->d;
        uint64_t mask = LM[k];
        const int32_t *f = p->feat + l->off;
        const double *c = p->icoef + l->icoef, *pk = LP + (size_t)k * (size_t)nq;
        double out = 0;
        for (int q = 0; q < nq; q++) out += pk[q] * c[q];
        for (int s = 0; s < d; s++) {
            c += nq;
            if ((mask >> s) & 1) {
                double a = 0;
                for (int q = 0; q < nq; q++) a += pk[q] * c[q];
                phi[f[s]] += a;
            } else {
                phi[f[s]] += out;
            }
        }
    }
}

/* _tree_row_incr_n with the number of nodes a constant for the common trees (depth up to 8):
 * the loops over them unrolled */
static void _tree_row_incr(const shap_plan *p, const _ptree *t, const double *x, double *phi,
                           uint64_t *M, double *P)
{
    switch (t->nq) {
    case 1: _tree_row_incr_n(p, t, x, phi, M, P, 1); break;
    case 2: _tree_row_incr_n(p, t, x, phi, M, P, 2); break;
    case 3: _tree_row_incr_n(p, t, x, phi, M, P, 3); break;
    case 4: _tree_row_incr_n(p, t, x, phi, M, P, 4); break;
    default: _tree_row_incr_n(p, t, x, phi, M, P, t->nq); break;
    }
}

/* The summed kernels' masks at internal node i (the row takes the left child when l is 1):
 * the children's masks from M[i]; returns 1 when the row agreed with the split's feature
 * before it. */
static inline __attribute__((always_inline)) int _mask_step(uint64_t *M, int32_t i, const _pnode *n, int l)
{
    uint64_t left = (uint64_t)l, mask = M[i], bit = (uint64_t)1 << n->slot;
    M[n->left] = mask & ~(bit & (left - 1));
    M[n->right] = mask & ~(bit & -left);
    return (int)((mask >> n->slot) & 1);
}

/* One tree, one row, the summed method: the path products (times the leaf value at the
 * leaves) down the tree in preorder, then up in reverse preorder the sum of each node's
 * leaves, and at each split the contribution of its feature for the leaves whose deepest
 * split on it this is: -w_q / (1 - t_q) times the node's sum, plus the agreeing child's
 * difference h times that child's sum where the row agrees. Without a repeated feature the row
 * agrees with every split's feature before it (no masks): the child taken gets the factor
 * a + b t_q, the other a (1 - t_q). No branch on the row's values: the sides pick by index.
 * P holds (n_inner + n_leaves) * nq doubles, and with a repeated feature X 2 * n_inner * nq,
 * M n_inner + n_leaves masks; side n_inner bytes. */
static inline __attribute__((always_inline)) void
_tree_row_up_n(const shap_plan *p, const _ptree *t, const double *x, double *phi, uint64_t *M, double *P,
               double *X, uint8_t *side, const int nq, const int rep)
{
    const _pnode *nd = p->nodes + t->node0;
    const double *R = p->uratio + t->uratio0;
    const double *tq = p->gl_t + (nq - 1) * nq / 2, *cold = p->gl_n + (nq - 1) * nq / 2;
    const int32_t ni = t->n_inner;
    const size_t st = _ustride(nq, rep);
    if (rep) M[0] = ~(uint64_t)0;
    for (int q = 0; q < nq; q++) P[q] = 1;
    for (int32_t i = 0; i < ni; i++) {
        const _pnode *n = nd + i;
        const double *r = R + (size_t)i * st;
        double v = x[n->feature];
        int l = (v <= n->threshold) | ((v != v) & n->default_left);
        const double *pi = P + (size_t)i * (size_t)nq;
        double *pl = P + (size_t)n->left * (size_t)nq, *pr = P + (size_t)n->right * (size_t)nq;
        /* the child taken: a + b t; the other: a - a t */
        double al = -r[0], bl = r[l], ar = -r[3], br = r[2 + l];
        if (!rep) {
            side[i] = (uint8_t)(2 | l);
#pragma GCC unroll 4
            for (int q = 0; q < nq; q++) {
                double pq = pi[q];
                pl[q] = pq * (al + bl * tq[q]);
                pr[q] = pq * (ar + br * tq[q]);
            }
            continue;
        }
        int agree = _mask_step(M, i, n, l);
        side[i] = (uint8_t)(agree << 1 | l);
        double *xz = X + (size_t)i * 2 * (size_t)nq;   /* what its descendants take away, from 0 */
        for (int q = 0; q < 2 * nq; q++) xz[q] = 0;
        const double *inv = r + 5 + 2 * nq;
        /* agreeing: (a + b t) / (z + (1 - z) t); already disagreeing: the old factor
         * z (1 - t) becomes z' (1 - t), a / z. Both, weighted by 0 or 1 (exact), no branch */
        double ag = (double)agree, dg = 1 - ag;
        double fl = dg * al * r[4 + 2 * nq], fr = dg * ar * r[4 + 2 * nq];
#pragma GCC unroll 4
        for (int q = 0; q < nq; q++) {
            double pq = pi[q], iq = ag * inv[q];
            pl[q] = pq * ((al + bl * tq[q]) * iq + fl);
            pr[q] = pq * ((ar + br * tq[q]) * iq + fr);
        }
    }
    const int32_t *anc = rep ? p->uanc + t->uanc0 : NULL;
    for (int32_t i = ni - 1; i >= 0; i--) {
        const _pnode *n = nd + i;
        const double *r = R + (size_t)i * st;
        int agree = side[i] >> 1, l = side[i] & 1;
        const double *sl = P + (size_t)n->left * (size_t)nq, *sr = P + (size_t)n->right * (size_t)nq;
        double *si = P + (size_t)i * (size_t)nq;
        const double *h = r + 4 + (size_t)(1 - l) * (size_t)nq;     /* the child taken's */
        double acc[32];
        if (rep) {
            const double *xl = X + (size_t)i * 2 * (size_t)nq, *xr = xl + nq;
            const double *xpair[2] = {xr, xl}, *spair[2] = {sr, sl};
            const double *xt = xpair[l], *stk = spair[l];
            double ag = (double)agree;
#pragma GCC unroll 4
            for (int q = 0; q < nq; q++) {
                double tl = sl[q] + xl[q], tr = sr[q] + xr[q];
                acc[q] = cold[q] * (tl + tr) + ag * h[q] * (stk[q] + xt[q]);
            }
#pragma GCC unroll 4
            for (int q = 0; q < nq; q++) si[q] = sl[q] + sr[q];
            if (anc[i] >= 0) {
                double *xa = X + (size_t)anc[i] * (size_t)nq;
#pragma GCC unroll 4
                for (int q = 0; q < nq; q++) xa[q] -= si[q];
            }
        } else {
            /* the taken child's sum: sl + (1 - l) (sr - sl) would round; pick by index */
            const double *pair[2] = {sr, sl};
            const double *stk = pair[l];
#pragma GCC unroll 4
            for (int q = 0; q < nq; q++) {
                double sq = sl[q] + sr[q];
                si[q] = sq;
                acc[q] = cold[q] * sq + h[q] * stk[q];
            }
        }
        double a = 0;
#pragma GCC unroll 4
        for (int q = 0; q < nq; q++) a += acc[q];
        phi[n->feature] += a;
    }
}

/* _tree_row_up_n for the trees whose paths have more than 8 distinct features (the others
 * take _tree_row_up4) */
static void _tree_row_up(const shap_plan *p, const _ptree *t, const double *x, double *phi, uint64_t *M,
                         double *P, double *X, uint8_t *side)
{
    if (t->up_rep) _tree_row_up_n(p, t, x, phi, M, P, X, side, t->unq, 1);
    else _tree_row_up_n(p, t, x, phi, M, P, X, side, t->unq, 0);
}

/* The summed method on the 4-point rule, the 4 nodes as the lanes of one vector (GCC's vector
 * extension: one instruction per operation where the CPU has 4-double registers, two on
 * 2-double ones): as _tree_row_up_n, but the contribution of each split is added to the
 * feature's 4 lanes in W (n_feats x 4), summed into phi once per row, since every such
 * tree shares the rule. */
typedef double _v4 __attribute__((vector_size(LANES * sizeof(double))));
typedef double _v4u __attribute__((vector_size(LANES * sizeof(double)), aligned(sizeof(double)), may_alias));
#define V4(a) (*(_v4u *)(a))     /* the 4 doubles at a, as one vector (a: 8-byte aligned) */

static inline __attribute__((always_inline)) void
_tree_row_up4_n(const shap_plan *p, const _ptree *t, const double *x, double *W, uint64_t *M, double *P,
                double *X, uint8_t *side, const int rep)
{
    const _pnode *nd = p->nodes + t->node0;
    const double *R = p->uratio + t->uratio0;
    const int32_t ni = t->n_inner;
    const size_t st = _ustride(LANES, rep);
    const _v4 tq = V4(p->gl_t + (LANES - 1) * LANES / 2), cold = V4(p->gl_n + (LANES - 1) * LANES / 2);
    const _v4 one = {1, 1, 1, 1}, zero = {0, 0, 0, 0};
    if (rep) M[0] = ~(uint64_t)0;
    V4(P) = (one);
    for (int32_t i = 0; i < ni; i++) {
        const _pnode *n = nd + i;
        const double *r = R + (size_t)i * st;
        double v = x[n->feature];
        int l = (v <= n->threshold) | ((v != v) & n->default_left);
        _v4 pi = V4(P + (size_t)i * LANES);
        double *pl = P + (size_t)n->left * LANES, *pr = P + (size_t)n->right * LANES;
        /* the child taken: a + b t; the other: a - a t */
        double al = -r[0], bl = r[l], ar = -r[3], br = r[2 + l];
        if (!rep) {
            side[i] = (uint8_t)(2 | l);
            V4(pl) = (pi * (al + bl * tq));
            V4(pr) = (pi * (ar + br * tq));
            continue;
        }
        int agree = _mask_step(M, i, n, l);
        side[i] = (uint8_t)(agree << 1 | l);
        V4(X + (size_t)i * 2 * LANES) = zero;   /* what its descendants take away, from 0 */
        V4(X + (size_t)i * 2 * LANES + LANES) = zero;
        double ag = (double)agree, dg = 1 - ag, izb = r[4 + 2 * LANES];
        _v4 iq = ag * V4(r + 5 + 2 * LANES);
        V4(pl) = (pi * ((al + bl * tq) * iq + dg * al * izb));
        V4(pr) = (pi * ((ar + br * tq) * iq + dg * ar * izb));
    }
    const int32_t *anc = rep ? p->uanc + t->uanc0 : NULL;
    for (int32_t i = ni - 1; i >= 0; i--) {
        const _pnode *n = nd + i;
        int agree = side[i] >> 1, l = side[i] & 1;
        /* the child taken, by index (no branch on the row) */
        int32_t taken = n->right + (n->left - n->right) * l;
        _v4 sl = V4(P + (size_t)n->left * LANES), sr = V4(P + (size_t)n->right * LANES);
        _v4 stk = V4(P + (size_t)taken * LANES), si = sl + sr;
        _v4 h = V4(R + (size_t)i * st + 4 + (size_t)(1 - l) * LANES);
        _v4 acc;
        if (rep) {
            const double *xi = X + (size_t)i * 2 * LANES;
            _v4 xl = V4(xi), xr = V4(xi + LANES), xt = V4(xi + (size_t)(1 - l) * LANES);
            acc = cold * ((sl + xl) + (sr + xr)) + (double)agree * h * (stk + xt);
            if (anc[i] >= 0) {
                double *xa = X + (size_t)anc[i] * LANES;
                V4(xa) = (V4(xa) - si);
            }
        } else {
            acc = cold * si + h * stk;
        }
        V4(P + (size_t)i * LANES) = (si);
        double *w = W + (size_t)n->feature * LANES;
        V4(w) = (V4(w) + acc);
    }
}

static inline __attribute__((always_inline)) void
_tree_row_up4(const shap_plan *p, const _ptree *t, const double *x, double *W, uint64_t *M, double *P, double *X,
              uint8_t *side)
{
    if (t->up_rep) _tree_row_up4_n(p, t, x, W, M, P, X, side, 1);
    else _tree_row_up4_n(p, t, x, W, M, P, X, side, 0);
}

/* One row without tables, every tree in model order (shap_plan_rows with tables 0). Built
 * twice on x86-64, for CPUs with AVX2 (4-double registers) and for any, chosen at load. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("avx2", "default")))
#endif
static void _row_one(const shap_plan *p, const double *x, double *phi, void *work)
{
    double *P = (double *)((uint64_t *)work + p->max_nodes);
    double *X = P + p->max_incr_work;
    uint8_t *side = (uint8_t *)(X + 2 * p->max_up_inner * (size_t)p->max_up_nq);
    double *W = (double *)((char *)work + _work_tree(p));
    if (p->n_up4) memset(W, 0, p->n_feats * LANES * sizeof *W);
    for (int i = 0; i < p->n_trees; i++) {
        const _ptree *t = &p->trees[i];
        if (t->classic) shap_tree_add(t->src, x, p->scale, phi, work);
        else if (t->up && t->unq == LANES) _tree_row_up4(p, t, x, W, work, P, X, side);
        else if (t->up) _tree_row_up(p, t, x, phi, work, P, X, side);
        else if (t->incr) _tree_row_incr(p, t, x, phi, work, P);
        else _tree_row(p, t, x, phi, work, 0);
    }
    if (!p->n_up4) return;
    for (size_t f = 0; f < p->n_feats; f++) {
        const double *w = W + f * LANES;
        phi[f] += (w[0] + w[1]) + (w[2] + w[3]);
    }
}

void shap_plan_rows(const shap_plan *p, const double *x, size_t n, size_t stride, double *phi,
                    void *work, int tables)
{
    if (!tables) {
        for (size_t r = 0; r < n; r++) _row_one(p, x + r * stride, phi + r * stride, work);
        return;
    }
    double *P = (double *)((uint64_t *)work + p->max_nodes);
    for (int i = 0; i < p->n_trees; i++) {
        const _ptree *t = &p->trees[i];
        if (t->classic) {
            for (size_t r = 0; r < n; r++) shap_tree_add(t->src, x + r * stride, p->scale, phi + r * stride, work);
            continue;
        }
        if (t->incr && !t->has_table) {
            for (size_t r = 0; r < n; r++) _tree_row_incr(p, t, x + r * stride, phi + r * stride, work, P);
            continue;
        }
        for (size_t r = 0; r < n; r++) _tree_row(p, t, x + r * stride, phi + r * stride, work, tables);
    }
}
