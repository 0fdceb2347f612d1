/*
 * cf.c: the counterfactual search (contract and method in cf.h).
 *
 * The root table's columns (file columns, then derived ones) are indexed once: "u" below.
 * A search context holds their values as the applicant has them (from the row's features:
 * every numeric root column and every derived root column is a feature of its own name),
 * the model's split thresholds of each feature, and per input the columns it moves.
 */
#include "cf.h"
#include "../features/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct cx {
    const mf_model *m;
    const double *x;
    size_t n_feats;
    const rcp_table *t;
    int n_u;                  /* file columns + derived columns of the root */
    const rcp_column **col;   /* n_u */
    long *feat;               /* n_u: model feature index, -1 */
    int *opa, *opb;           /* n_u: derived operands' u (-1: constant or not derived) */
    double *val0;             /* n_u: the applicant's values (NaN unknown) */
    int *known;               /* n_u */
    /* thresholds: sorted by feature, then value */
    size_t n_thr;
    long *thr_f;
    double *thr_v;
    /* per input: moved columns (u) and their factor against the input (1 for the input) */
    int n_in;
    int in_u[CF_MAX_INPUTS];
    int n_mv[CF_MAX_INPUTS];
    int mv_u[CF_MAX_INPUTS][1 + CF_MAX_MOVES];
    double mv_k[CF_MAX_INPUTS][1 + CF_MAX_MOVES];
    double scale[CF_MAX_INPUTS];  /* the cost's denominator */
    /* scratch */
    double *val;              /* n_u */
    int *dep;                 /* n_u */
    double *xx;               /* n_feats */
    /* budget */
    size_t max_evals;
    double budget_ms;
    struct timespec t0;
    cf_result *res;
    size_t tried_cap;
} cx;

typedef struct cand {
    double cost;
    int n;
    int in[2];
    double v[2];
} cand;

static double _ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static int _u_of(const cx *c, const char *name)
{
    for (int u = 0; u < c->n_u; u++)
        if (!strcmp(c->col[u]->name, name)) return u;
    return -1;
}

/* ---- thresholds ---------------------------------------------------------------------- */

typedef struct fv {
    long f;
    double v;
} fv;
static int _fv_cmp(const void *a, const void *b)
{
    const fv *x = a, *y = b;
    if (x->f != y->f) return x->f < y->f ? -1 : 1;
    return x->v < y->v ? -1 : x->v > y->v;
}

static cs_status _thresholds(cx *c, const unsigned char *want, cs_err *err)
{
    const lrn_model *lm = mf_learner(c->m);
    size_t n = 0, k = 0;
    fv *all;
    for (int32_t i = 0; i < lm->n_trees; i++)
        for (int32_t j = 0; j < lm->trees[i].n_nodes; j++) {
            int32_t f = lm->trees[i].nodes[j].feature;
            if (f >= 0 && (size_t)f < c->n_feats && want[f]) n++;
        }
    if (!(all = cs_malloc((n ? n : 1) * sizeof *all, err))) return CS_ENOMEM;
    for (int32_t i = 0; i < lm->n_trees; i++)
        for (int32_t j = 0; j < lm->trees[i].n_nodes; j++) {
            const tree_node *nd = &lm->trees[i].nodes[j];
            if (nd->feature >= 0 && (size_t)nd->feature < c->n_feats && want[nd->feature] && isfinite(nd->threshold))
                all[k++] = (fv){nd->feature, nd->threshold};
        }
    qsort(all, k, sizeof *all, _fv_cmp);
    c->thr_f = cs_malloc((k ? k : 1) * sizeof *c->thr_f, err);
    c->thr_v = cs_malloc((k ? k : 1) * sizeof *c->thr_v, err);
    if (!c->thr_f || !c->thr_v) {
        free(all);
        return CS_ENOMEM;
    }
    for (size_t i = 0; i < k; i++) {
        if (c->n_thr && c->thr_f[c->n_thr - 1] == all[i].f && c->thr_v[c->n_thr - 1] == all[i].v) continue;
        c->thr_f[c->n_thr] = all[i].f;
        c->thr_v[c->n_thr] = all[i].v;
        c->n_thr++;
    }
    free(all);
    return CS_OK;
}

/* ---- moving columns and recomputing -------------------------------------------------- */

/* dep[u] = 1 for the columns moved by the inputs ins[0..n) and the derived ones computed
 * from them */
static void _deps(const cx *c, const int *ins, int n, int *dep)
{
    memset(dep, 0, (size_t)c->n_u * sizeof *dep);
    for (int q = 0; q < n; q++)
        for (int k = 0; k < c->n_mv[ins[q]]; k++) dep[c->mv_u[ins[q]][k]] = 1;
    for (int u = c->t->n_cols; u < c->n_u; u++)
        if ((c->opa[u] >= 0 && dep[c->opa[u]]) || (c->opb[u] >= 0 && dep[c->opb[u]])) dep[u] = 1;
}

/* the root values with inputs ins[q] at v[q]: c->val (derived recomputed), c->dep */
static void _apply(cx *c, const int *ins, const double *v, int n)
{
    memcpy(c->val, c->val0, (size_t)c->n_u * sizeof *c->val);
    _deps(c, ins, n, c->dep);
    for (int q = 0; q < n; q++) {
        int i = ins[q];
        for (int k = 0; k < c->n_mv[i]; k++) {
            int u = c->mv_u[i][k];
            double y = k == 0 ? v[q] : c->val0[u] * (v[q] / c->res->inputs[i].now);
            const rcp_column *col = c->col[u];
            for (int s = 0; s < col->n_sentinels; s++)
                if (y == col->sentinels[s]) y = NAN;
            c->val[u] = y;
        }
    }
    for (int u = c->t->n_cols; u < c->n_u; u++) {
        const rcp_derive *d = c->col[u]->derive;
        if (!c->dep[u]) continue;
        c->val[u] = rcp_derive_apply(d, c->opa[u] >= 0 ? c->val[c->opa[u]] : d->a.value,
                                     c->opb[u] >= 0 ? c->val[c->opb[u]] : d->b.value);
    }
}

/* the relations of the actionable columns (at_most, at_least) that held as things are and
 * that the moved values break */
static int _relations_hold(const cx *c)
{
    for (int u = 0; u < c->t->n_cols; u++) {
        const rcp_action *a = c->col[u]->action;
        const char *other[2];
        if (!a) continue;
        other[0] = a->at_most;
        other[1] = a->at_least;
        for (int q = 0; q < 2; q++) {
            int w;
            if (!other[q] || (w = _u_of(c, other[q])) < 0) continue;
            if (!c->dep[u] && !c->dep[w]) continue;
            if (c->val0[u] != c->val0[u] || c->val0[w] != c->val0[w]) continue;
            if (q == 0 ? c->val0[u] > c->val0[w] : c->val0[u] < c->val0[w]) continue; /* already broken */
            if (q == 0 ? c->val[u] > c->val[w] : c->val[u] < c->val[w]) return 0;
        }
    }
    return 1;
}

/* evaluate a candidate; 0 scored (d), 1 skipped (a relation breaks), -1 the budget is spent,
 * -2 an error */
static int _eval(cx *c, const cand *k, mf_decision *d, cs_err *err)
{
    cf_result *r = c->res;
    if (r->evaluations >= c->max_evals) {
        r->budget = 1;
        return -1;
    }
    if ((r->evaluations & 31) == 0 && _ms_since(&c->t0) > c->budget_ms) {
        r->budget = 2;
        return -1;
    }
    _apply(c, k->in, k->v, k->n);
    if (!_relations_hold(c)) return 1;
    memcpy(c->xx, c->x, c->n_feats * sizeof *c->xx);
    for (int u = 0; u < c->n_u; u++)
        if (c->dep[u] && c->feat[u] >= 0) c->xx[c->feat[u]] = c->val[u];
    if (mf_score(c->m, c->xx, d, err) != CS_OK) return -2;
    r->evaluations++;
    if (c->tried_cap) {
        if (r->n_tried == c->tried_cap) {
            size_t cap = c->tried_cap * 2;
            cf_tried *nt = realloc(r->tried, cap * sizeof *nt);
            if (!nt) {
                cs_err_set(err, CS_ENOMEM, "out of memory");
                return -2;
            }
            r->tried = nt;
            c->tried_cap = cap;
        }
        r->tried[r->n_tried++] = (cf_tried){k->n, {k->in[0], k->n > 1 ? k->in[1] : -1}, {k->v[0], k->n > 1 ? k->v[1] : NAN},
                                            k->cost, *d};
    }
    return 0;
}

/* ---- candidates ---------------------------------------------------------------------- */

typedef struct dlist {
    double *v;
    size_t n, cap;
} dlist;

static int _dpush(dlist *l, double v)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        double *nv = realloc(l->v, cap * sizeof *nv);
        if (!nv) return -1;
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = v;
    return 0;
}

/* the value of the input (moved k-th column's factor fac) at which column u equals t, given
 * the other columns at c->val; appended to out (none when u depends on it twice) */
static int _invert(const cx *c, int i, int u, double t, dlist *out)
{
    const rcp_derive *d;
    int da, db;
    double o, z;
    if (t != t) return 0;
    for (int k = 0; k < c->n_mv[i]; k++)
        if (c->mv_u[i][k] == u) return c->mv_k[i][k] != 0 ? _dpush(out, t / c->mv_k[i][k]) : 0;
    if (u < c->t->n_cols || !c->dep[u]) return 0;
    d = c->col[u]->derive;
    da = c->opa[u] >= 0 && c->dep[c->opa[u]];
    db = c->opb[u] >= 0 && c->dep[c->opb[u]];
    if (da == db) return 0;
    if (d->positive) {
        if (t < 0) return 0; /* the value is never below 0 */
    }
    o = da ? (c->opb[u] >= 0 ? c->val[c->opb[u]] : d->b.value) : (c->opa[u] >= 0 ? c->val[c->opa[u]] : d->a.value);
    if (o != o) return 0;
    switch (d->op) {
    case RCP_OP_ADD: z = t - o; break;
    case RCP_OP_SUB: z = da ? t + o : o - t; break;
    case RCP_OP_MUL:
        if (o == 0) return 0;
        z = t / o;
        break;
    case RCP_OP_DIV:
        if (da) {
            if (o == 0 || !isfinite(o)) return 0;
            z = t * o;
        } else {
            if (t == 0) return 0;
            z = o / t;
        }
        break;
    default: /* a comparison: 0 or 1, changing where the operand meets the other */
        if (!(t >= 0 && t < 1)) return 0;
        z = o;
        break;
    }
    return _invert(c, i, da ? c->opa[u] : c->opb[u], z, out);
}

static int _dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* candidate values of input i with the other columns at c->val / c->dep (set by _apply for
 * the other inputs; the input's own dependencies added here): both sides of every point */
static int _points(cx *c, int i, dlist *out)
{
    cf_input *in = &c->res->inputs[i];
    dlist raw = {0};
    int *dep = c->dep;
    /* the input's dependencies on top of the current ones */
    for (int k = 0; k < c->n_mv[i]; k++) dep[c->mv_u[i][k]] = 2;
    for (int u = c->t->n_cols; u < c->n_u; u++)
        if ((c->opa[u] >= 0 && dep[c->opa[u]] == 2) || (c->opb[u] >= 0 && dep[c->opb[u]] == 2)) dep[u] = 2;
    /* only the input's own dependencies count as dependent for the inversion */
    for (int u = 0; u < c->n_u; u++) dep[u] = dep[u] == 2;
    for (int u = 0; u < c->n_u; u++) {
        long f = c->feat[u];
        size_t lo = 0, hi = c->n_thr;
        if (!dep[u] || f < 0) continue;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (c->thr_f[mid] < f) lo = mid + 1;
            else hi = mid;
        }
        for (size_t q = lo; q < c->n_thr && c->thr_f[q] == f; q++)
            if (_invert(c, i, u, c->thr_v[q], &raw)) {
                free(raw.v);
                return -1;
            }
    }
    for (size_t q = 0; q < raw.n; q++) {
        double b = raw.v[q], s = in->step, side[3];
        int ns = 0;
        if (!isfinite(b)) continue;
        if (s > 0) {
            double f = floor(b / s) * s;
            side[ns++] = f;
            side[ns++] = f + s;
            if (f == b) side[ns++] = f - s;
        } else {
            double dl = fabs(b) * 1e-9 + 1e-12;
            side[ns++] = b - dl;
            side[ns++] = b;
            side[ns++] = b + dl;
        }
        for (int k = 0; k < ns; k++) {
            double v = side[k];
            if (!(v >= in->lo && v <= in->hi) || v == in->now) continue;
            if (in->way == RCP_DIR_DECREASE && !(v < in->now)) continue;
            if (in->way == RCP_DIR_INCREASE && !(v > in->now)) continue;
            if (_dpush(out, v)) {
                free(raw.v);
                return -1;
            }
        }
    }
    free(raw.v);
    if (out->n) {
        size_t w = 1;
        qsort(out->v, out->n, sizeof *out->v, _dcmp);
        for (size_t q = 1; q < out->n; q++)
            if (out->v[q] != out->v[w - 1]) out->v[w++] = out->v[q];
        out->n = w;
    }
    return 0;
}

static double _cost(const cx *c, int i, double v) { return fabs(v - c->res->inputs[i].now) / c->scale[i]; }

static int _cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->cost != y->cost) return x->cost < y->cost ? -1 : 1;
    if (x->in[0] != y->in[0]) return x->in[0] < y->in[0] ? -1 : 1;
    return x->v[0] < y->v[0] ? -1 : x->v[0] > y->v[0];
}

typedef struct clist {
    cand *v;
    size_t n, cap;
} clist;

static int _cpush(clist *l, cand k)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        cand *nv = realloc(l->v, cap * sizeof *nv);
        if (!nv) return -1;
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = k;
    return 0;
}

/* ---- setup --------------------------------------------------------------------------- */

static void _skip(cf_input *in, const char *fmt, const char *a, const char *b)
{
    snprintf(in->skipped, sizeof in->skipped, fmt, a ? a : "", b ? b : "");
}

static cs_status _setup(cx *c, const cf_opts *o, cs_err *err)
{
    const feat_spec *spec = mf_spec(c->m);
    const rcp_recipe *r = spec ? feat_spec_recipe(spec) : NULL;
    cf_result *res = c->res;
    if (!r) return cs_err_set(err, CS_EINVAL, "model %s has no recipe: it declares no actionable input", mf_name(c->m));
    c->t = &r->tables[r->root];
    c->n_u = c->t->n_cols + c->t->n_derived;
    c->col = cs_calloc((size_t)c->n_u + 1, sizeof *c->col, err);
    c->feat = cs_calloc((size_t)c->n_u + 1, sizeof *c->feat, err);
    c->opa = cs_calloc((size_t)c->n_u + 1, sizeof *c->opa, err);
    c->opb = cs_calloc((size_t)c->n_u + 1, sizeof *c->opb, err);
    c->val0 = cs_calloc((size_t)c->n_u + 1, sizeof *c->val0, err);
    c->val = cs_calloc((size_t)c->n_u + 1, sizeof *c->val, err);
    c->known = cs_calloc((size_t)c->n_u + 1, sizeof *c->known, err);
    c->dep = cs_calloc((size_t)c->n_u + 1, sizeof *c->dep, err);
    c->xx = cs_calloc(c->n_feats + 1, sizeof *c->xx, err);
    if (!c->col || !c->feat || !c->opa || !c->opb || !c->val0 || !c->val || !c->known || !c->dep || !c->xx) return CS_ENOMEM;
    for (int u = 0; u < c->n_u; u++) {
        const rcp_column *col = u < c->t->n_cols ? &c->t->cols[u] : &c->t->derived[u - c->t->n_cols];
        int numeric = col->derive || col->role == RCP_ROLE_NUMERIC || col->role == RCP_ROLE_FLAG || col->role == RCP_ROLE_DAYS ||
                      col->role == RCP_ROLE_DATE;
        c->col[u] = col;
        c->feat[u] = numeric ? mf_feat_index(c->m, col->name) : -1;
        c->known[u] = c->feat[u] >= 0;
        c->val0[u] = c->known[u] ? c->x[c->feat[u]] : NAN;
        c->opa[u] = c->opb[u] = -1;
        if (col->derive) {
            if (col->derive->a.column) c->opa[u] = _u_of(c, col->derive->a.column);
            if (col->derive->b.column) c->opb[u] = _u_of(c, col->derive->b.column);
        }
    }
    /* the inputs */
    for (int u = 0; u < c->t->n_cols && res->n_inputs < CF_MAX_INPUTS; u++) {
        const rcp_action *a = c->col[u]->action;
        cf_input *in;
        int i;
        rcp_dir way;
        if (!a) continue;
        i = res->n_inputs++;
        in = &res->inputs[i];
        in->col = c->col[u];
        in->now = c->val0[u];
        in->step = a->step;
        c->in_u[i] = u;
        c->n_mv[i] = 1;
        c->mv_u[i][0] = u;
        c->mv_k[i][0] = 1;
        c->n_in = res->n_inputs;
        /* the way: the request's, within what the recipe allows */
        way = o->direction != RCP_DIR_ANY ? o->direction : a->direction;
        if (res->now.refuse == 0 && o->direction == RCP_DIR_ANY)
            way = a->direction == RCP_DIR_DECREASE ? RCP_DIR_INCREASE : a->direction == RCP_DIR_INCREASE ? RCP_DIR_DECREASE
                                                                                                      : RCP_DIR_INCREASE;
        if (res->now.refuse && a->direction != RCP_DIR_ANY && way != a->direction)
            _skip(in, "the request asks to %s it, the recipe lets it only %s", rcp_dir_name(way), rcp_dir_name(a->direction));
        in->way = way;
        if (!c->known[u]) _skip(in, "the model does not carry %s as a feature%s", in->col->name, NULL);
        else if (in->now != in->now) _skip(in, "its current value is missing%s%s", NULL, NULL);
        /* bounds: the recipe's, else the training range of its feature */
        in->lo = a->min == a->min ? a->min : -INFINITY;
        in->hi = a->max == a->max ? a->max : INFINITY;
        if (c->known[u]) {
            const mf_feature_stats *st = mf_stats(c->m, (size_t)c->feat[u]);
            if (st && a->min != a->min && st->q[0] == st->q[0]) in->lo = st->q[0];
            if (st && a->max != a->max && st->q[MF_N_QUANTILES - 1] == st->q[MF_N_QUANTILES - 1]) in->hi = st->q[MF_N_QUANTILES - 1];
            c->scale[i] = fabs(in->now) > 0 ? fabs(in->now) : st && st->sd > 0 ? st->sd : 1;
        } else {
            c->scale[i] = 1;
        }
        if (in->step > 0) { /* bounds on the step's multiples inside them */
            in->lo = ceil(in->lo / in->step) * in->step;
            in->hi = floor(in->hi / in->step) * in->step;
        }
        for (int s = 0; s < a->n_scales && !in->skipped[0]; s++) {
            int w = _u_of(c, a->scales[s]);
            if (w < 0 || c->n_mv[i] > CF_MAX_MOVES) continue;
            if (!(in->now != 0 && isfinite(in->now)))
                _skip(in, "%s moves in proportion with it, which needs a current value other than 0%s", a->scales[s], NULL);
            c->mv_u[i][c->n_mv[i]] = w;
            c->mv_k[i][c->n_mv[i]] = in->now != 0 ? c->val0[w] / in->now : 0;
            c->n_mv[i]++;
        }
        if (!in->skipped[0]) { /* every derived feature it changes must be computable */
            int ins[1] = {i};
            int used = 0;
            _deps(c, ins, 1, c->dep);
            for (int w = 0; w < c->n_u && !in->skipped[0]; w++) {
                if (!c->dep[w]) continue;
                if (c->feat[w] >= 0) used = 1;
                if (w >= c->t->n_cols) {
                    int ops[2] = {c->opa[w], c->opb[w]};
                    for (int q = 0; q < 2; q++)
                        if (ops[q] >= 0 && !c->dep[ops[q]] && !c->known[ops[q]])
                            _skip(in, "derived column %s needs %s, which the model does not carry", c->col[w]->name,
                                  c->col[ops[q]]->name);
                }
            }
            if (!in->skipped[0] && !used) _skip(in, "the model uses no feature it feeds%s%s", NULL, NULL);
        }
    }
    {
        unsigned char *want = cs_calloc(c->n_feats + 1, 1, err);
        cs_status st;
        if (!want) return CS_ENOMEM;
        for (int i = 0; i < res->n_inputs; i++) {
            int ins[1] = {i};
            if (res->inputs[i].skipped[0]) continue;
            _deps(c, ins, 1, c->dep);
            for (int u = 0; u < c->n_u; u++)
                if (c->dep[u] && c->feat[u] >= 0) want[c->feat[u]] = 1;
        }
        st = _thresholds(c, want, err);
        free(want);
        return st;
    }
}

/* ---- the searches -------------------------------------------------------------------- */

static void _set_change(cx *c, cf_change *ch, int i, double v)
{
    ch->input = i;
    ch->n_moves = c->n_mv[i];
    for (int k = 0; k < c->n_mv[i]; k++) {
        int u = c->mv_u[i][k];
        ch->moves[k].col = c->col[u];
        ch->moves[k].from = c->val0[u];
        ch->moves[k].to = k == 0 ? v : c->val0[u] * (v / c->res->inputs[i].now);
    }
}

/* the single-input candidates of every searched input (with the others as they are) */
static int _singles(cx *c, dlist *pts)
{
    for (int i = 0; i < c->n_in; i++) {
        if (c->res->inputs[i].skipped[0]) continue;
        _apply(c, NULL, NULL, 0);
        if (_points(c, i, &pts[i])) return -1;
        c->res->inputs[i].n_points = pts[i].n;
    }
    return 0;
}

/* evaluate cs in order until the first approval; 1 found (at *at), 0 none, -1 budget, -2 error */
static int _first_approval(cx *c, const clist *cs, size_t *at, mf_decision *d, cs_err *err)
{
    for (size_t q = 0; q < cs->n; q++) {
        int e = _eval(c, &cs->v[q], d, err);
        if (e < 0) return e;
        if (e == 0 && !d->refuse) {
            *at = q;
            return 1;
        }
    }
    return 0;
}

/* inputs i then j can be paired: j's moves leave i's own column alone (j applied after i
 * overrides what i moved: the annuity set after the credit amount that scaled it) */
static int _pairable(const cx *c, int i, int j)
{
    if (c->in_u[i] == c->in_u[j]) return 0;
    for (int b = 0; b < c->n_mv[j]; b++)
        if (c->mv_u[j][b] == c->in_u[i]) return 0;
    return 1;
}

/* sort cs by cost, drop repeated pairs of values, keep the keep cheapest: the candidates
 * beyond them could never be evaluated within the budget, so the first approval is the same;
 * returns the repeats dropped */
static size_t _compact(clist *cs, size_t keep)
{
    size_t w = 1, dups = 0;
    if (!cs->n) return 0;
    qsort(cs->v, cs->n, sizeof *cs->v, _cand_cmp);
    for (size_t q = 1; q < cs->n; q++) {
        const cand *a = &cs->v[w - 1], *b = &cs->v[q];
        if (a->in[0] == b->in[0] && a->in[1] == b->in[1] && a->v[0] == b->v[0] && a->v[1] == b->v[1]) {
            dups++;
            continue;
        }
        cs->v[w++] = *b;
    }
    cs->n = w < keep ? w : keep;
    return dups;
}

static int _refused(cx *c, int max_changes, cs_err *err)
{
    cf_result *r = c->res;
    dlist pts[CF_MAX_INPUTS];
    clist cs = {0};
    int rc, searched = 0;
    size_t at = 0;
    mf_decision d;
    memset(pts, 0, sizeof pts);
    if (_singles(c, pts)) goto oom;
    for (int i = 0; i < c->n_in; i++) {
        if (r->inputs[i].skipped[0]) continue;
        searched++;
        for (size_t q = 0; q < pts[i].n; q++)
            if (_cpush(&cs, (cand){_cost(c, i, pts[i].v[q]), 1, {i, -1}, {pts[i].v[q], NAN}})) goto oom;
    }
    if (!searched) {
        snprintf(r->why, sizeof r->why, "no actionable input can be searched (see each input's \"skipped\")");
        goto done;
    }
    r->candidates += cs.n;
    qsort(cs.v, cs.n, sizeof *cs.v, _cand_cmp);
    rc = _first_approval(c, &cs, &at, &d, err);
    if (rc == -2) goto fail;
    if (rc == 1) {
        const cand *k = &cs.v[at];
        int i = k->in[0];
        r->found = 1;
        r->n_changes = 1;
        r->then = d;
        r->cost = k->cost;
        _set_change(c, &r->changes[0], i, k->v[0]);
        /* does every candidate farther the same way approve too? */
        r->holds_beyond = 1;
        for (size_t q = 0; q < pts[i].n && r->holds_beyond; q++) {
            double v = pts[i].v[q];
            cand kk = {_cost(c, i, v), 1, {i, -1}, {v, NAN}};
            mf_decision dd;
            int e;
            if (!((k->v[0] < r->inputs[i].now && v < k->v[0]) || (k->v[0] > r->inputs[i].now && v > k->v[0]))) continue;
            e = _eval(c, &kk, &dd, err);
            if (e == -2) goto fail;
            if (e == -1 || (e == 0 && dd.refuse)) r->holds_beyond = 0;
        }
        r->budget = 0; /* found: a cut here only limits "or less" (holds_beyond 0) */
        goto done;
    }
    if (rc == 0 && max_changes >= 2 && searched >= 2) {
        /* two inputs: the second's candidates with the first at each of its own; at most the
         * cheapest that the rest of the budget can evaluate are kept (memory bounded by
         * 4 times that), the same pair of values coming twice counted once */
        size_t keep = c->max_evals - r->evaluations, made = 0;
        cs.n = 0;
        for (int i = 0; i < c->n_in && !r->budget; i++)
            for (int j = 0; j < c->n_in && !r->budget; j++) {
                if (i == j || r->inputs[i].skipped[0] || r->inputs[j].skipped[0] || !_pairable(c, i, j)) continue;
                for (size_t q = 0; q < pts[i].n; q++) {
                    int ins[1] = {i};
                    double v[1] = {pts[i].v[q]};
                    dlist pj = {0};
                    double ci = _cost(c, i, v[0]);
                    if (_ms_since(&c->t0) > c->budget_ms) {
                        r->budget = 2;
                        break;
                    }
                    _apply(c, ins, v, 1);
                    if (_points(c, j, &pj)) goto oom;
                    for (size_t w = 0; w < pj.n; w++) {
                        cand k = {ci + _cost(c, j, pj.v[w]), 2, {i, j}, {v[0], pj.v[w]}};
                        if (cs.n >= 4 * keep + 1024) made -= _compact(&cs, keep);
                        if (_cpush(&cs, k)) {
                            free(pj.v);
                            goto oom;
                        }
                        made++;
                    }
                    free(pj.v);
                }
            }
        made -= _compact(&cs, keep);
        r->candidates += made;
        if (!r->budget) rc = _first_approval(c, &cs, &at, &d, err);
        if (rc == 0 && made > cs.n) r->budget = 1; /* the candidates left out were beyond the budget */
        if (rc == -2) goto fail;
        if (rc == 1) {
            const cand *k = &cs.v[at];
            r->found = 1;
            r->n_changes = 2;
            r->then = d;
            r->cost = k->cost;
            _set_change(c, &r->changes[0], k->in[0], k->v[0]);
            _set_change(c, &r->changes[1], k->in[1], k->v[1]);
            { /* what the second change sets is its own, not the first's */
                cf_change *a = &r->changes[0];
                int w = 1;
                for (int q = 1; q < a->n_moves; q++) {
                    int mine = 1;
                    for (int z = 0; z < r->changes[1].n_moves; z++)
                        if (r->changes[1].moves[z].col == a->moves[q].col) mine = 0;
                    if (mine) a->moves[w++] = a->moves[q];
                }
                a->n_moves = w;
            }
            goto done;
        }
    }
    if (r->budget == 1)
        snprintf(r->why, sizeof r->why, "the search stopped at its budget of %zu evaluations before finding an approval "
                 "(%zu candidates generated)", c->max_evals, r->candidates);
    else if (r->budget == 2)
        snprintf(r->why, sizeof r->why, "the search stopped at its time budget of %.0f ms before finding an approval "
                 "(%zu of %zu candidates evaluated)", c->budget_ms, r->evaluations, r->candidates);
    else
        snprintf(r->why, sizeof r->why, "no change of at most %d input%s within %s bounds turns the refusal into an approval "
                 "(%zu candidates evaluated)", max_changes, max_changes > 1 ? "s" : "", max_changes > 1 ? "their" : "its",
                 r->evaluations);
done:
    for (int i = 0; i < CF_MAX_INPUTS; i++) free(pts[i].v);
    free(cs.v);
    return 0;
oom:
    cs_err_set(err, CS_ENOMEM, "out of memory");
fail:
    for (int i = 0; i < CF_MAX_INPUTS; i++) free(pts[i].v);
    free(cs.v);
    return -1;
}

/* an approval: per input, the farthest candidate its way that keeps it (up to the bound) */
static int _approved(cx *c, cs_err *err)
{
    cf_result *r = c->res;
    for (int i = 0; i < c->n_in; i++) {
        cf_input *in = &r->inputs[i];
        dlist p = {0};
        cf_margin *mg;
        double bound;
        if (in->skipped[0]) continue;
        _apply(c, NULL, NULL, 0);
        if (_points(c, i, &p)) {
            cs_err_set(err, CS_ENOMEM, "out of memory");
            return -1;
        }
        bound = in->way == RCP_DIR_DECREASE ? in->lo : in->hi;
        if (isfinite(bound) && bound != in->now && _dpush(&p, bound)) {
            free(p.v);
            cs_err_set(err, CS_ENOMEM, "out of memory");
            return -1;
        }
        in->n_points = p.n;
        r->candidates += p.n;
        /* nearest first */
        if (in->way == RCP_DIR_DECREASE) {
            for (size_t a = 0, b = p.n ? p.n - 1 : 0; a < b; a++, b--) {
                double t = p.v[a];
                p.v[a] = p.v[b];
                p.v[b] = t;
            }
        } else {
            qsort(p.v, p.n, sizeof *p.v, _dcmp);
        }
        mg = &r->margins[r->n_margins++];
        mg->input = i;
        mg->to = in->now;
        mg->by_bound = 1;
        mg->refused_at = NAN;
        for (size_t q = 0; q < p.n; q++) {
            double v = p.v[q];
            cand k = {_cost(c, i, v), 1, {i, -1}, {v, NAN}};
            mf_decision d;
            int e;
            if (q && v == p.v[q - 1]) continue;
            e = _eval(c, &k, &d, err);
            if (e == -2) {
                free(p.v);
                return -1;
            }
            if (e == -1) {
                mg->by_bound = 0;
                break;
            }
            if (e == 1) continue;
            if (d.refuse) {
                mg->by_bound = 0;
                mg->refused_at = v;
                break;
            }
            mg->to = v;
        }
        free(p.v);
    }
    return 0;
}

cs_status cf_search(const mf_model *m, const double *x, const cf_opts *opts, cf_result **out, cs_err *err)
{
    cx c;
    cf_result *r;
    cf_opts o = opts ? *opts : (cf_opts){0};
    cs_status st;
    int rc = 0;
    *out = NULL;
    memset(&c, 0, sizeof c);
    if (!(r = cs_calloc(1, sizeof *r, err))) return CS_ENOMEM;
    clock_gettime(CLOCK_MONOTONIC, &c.t0);
    c.m = m;
    c.x = x;
    c.n_feats = mf_n_feats(m);
    c.res = r;
    c.max_evals = o.max_evals && o.max_evals <= CF_MAX_EVALS ? o.max_evals : CF_MAX_EVALS;
    c.budget_ms = o.time_budget_ms > 0 && o.time_budget_ms <= CF_TIME_BUDGET_MS ? o.time_budget_ms : CF_TIME_BUDGET_MS;
    r->max_evals = c.max_evals;
    r->time_budget_ms = c.budget_ms;
    if (o.max_changes < 1) o.max_changes = 1;
    if (o.max_changes > 2) o.max_changes = 2;
    if (o.keep_tried) {
        c.tried_cap = 256;
        if (!(r->tried = cs_malloc(c.tried_cap * sizeof *r->tried, err))) {
            free(r);
            return CS_ENOMEM;
        }
    }
    if ((st = mf_score(m, x, &r->now, err)) != CS_OK || (st = _setup(&c, &o, err)) != CS_OK) goto end;
    if (mf_learner(m)->n_trees == 0) {
        for (int i = 0; i < r->n_inputs; i++)
            if (!r->inputs[i].skipped[0])
                _skip(&r->inputs[i], "model kind %s has no split thresholds (the exact search needs trees)%s",
                      lrn_kind_name(mf_learner(m)->kind), NULL);
    }
    if (r->n_inputs == 0)
        snprintf(r->why, sizeof r->why, "recipe %s declares no actionable input with bounds (an \"actionable\" object)",
                 feat_spec_recipe(mf_spec(m))->name);
    else if (r->now.refuse)
        rc = _refused(&c, o.max_changes, err);
    else
        rc = _approved(&c, err);
    if (rc) st = err && err->code ? err->code : CS_EINTERNAL;
end:
    r->elapsed_ms = _ms_since(&c.t0);
    free(c.col);
    free(c.feat);
    free(c.opa);
    free(c.opb);
    free(c.val0);
    free(c.val);
    free(c.known);
    free(c.dep);
    free(c.xx);
    free(c.thr_f);
    free(c.thr_v);
    if (st != CS_OK) {
        cf_result_free(r);
        return st;
    }
    *out = r;
    return CS_OK;
}

void cf_result_free(cf_result *r)
{
    if (!r) return;
    free(r->tried);
    free(r);
}
