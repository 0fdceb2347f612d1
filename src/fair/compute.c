/*
 * compute.c: the fairness report's numbers (fair_report_compute; the definitions are in
 * fair.h and docs/fairness.md). Each group's rows are sorted once by probability; a bootstrap
 * replicate is a vector of weights (how often each row of the group was drawn, the group's own
 * size drawn with replacement), so that every metric of a replicate, the AUC included, is one
 * pass over the sorted rows. Replicate b draws from its own random stream (seed, b): the
 * intervals do not depend on the number of threads.
 */
#include "fair.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../eval/metrics.h"

/* the per-group metrics one pass gives */
enum { M_APPROVAL, M_DEFAULT, M_EXPECTED, M_AUC, M_TPR, M_FPR, M_AIR, M_N };
/* the per-attribute ones */
enum { A_MIN_AIR, A_DP, A_EO, A_EODDS, A_N };

typedef struct _group {
    size_t n;
    size_t *rows;       /* the group's rows, by increasing probability */
} _group;

typedef struct _ctx {
    const double *p, *y;
    double threshold, min_group;
    int n_groups;
    _group *g;
} _ctx;

/* a row and its probability, for sorting (NaN last, ties by row: a stable order) */
typedef struct _pr {
    double p;
    size_t i;
} _pr;

static int _by_p(const void *a, const void *b)
{
    const _pr *x = a, *z = b;
    int xn = isnan(x->p), zn = isnan(z->p);
    if (xn != zn) return xn - zn;
    if (!xn && x->p != z->p) return x->p < z->p ? -1 : 1;
    return x->i < z->i ? -1 : x->i > z->i;
}

/* sort rows[0..n) by p, using tmp (n entries) */
static void _sort_rows(size_t *rows, size_t n, const double *p, _pr *tmp)
{
    for (size_t k = 0; k < n; k++) tmp[k] = (_pr){p[rows[k]], rows[k]};
    qsort(tmp, n, sizeof *tmp, _by_p);
    for (size_t k = 0; k < n; k++) rows[k] = tmp[k].i;
}

/* Metrics of group G under weights w (NULL = each row once) into m[M_N] (M_AIR unset). */
static void _eval(const _ctx *c, const _group *G, const unsigned *w, double *m)
{
    double W = 0, approved = 0, wl = 0, wd = 0, sp = 0, refused_d = 0, refused_r = 0;
    double auc_num = 0, neg_below = 0;
    size_t k = 0;
    while (k < G->n) {
        /* one block of tied probabilities */
        size_t e = k;
        double pos_b = 0, neg_b = 0, pk = c->p[G->rows[k]];
        while (e < G->n && (c->p[G->rows[e]] == pk || (isnan(pk) && isnan(c->p[G->rows[e]])))) {
            size_t i = G->rows[e];
            double wi = w ? (double)w[e] : 1.0, yi = c->y[i];
            int ok = c->p[i] < c->threshold;
            W += wi;
            approved += ok ? wi : 0;
            if (yi == 0 || yi == 1) {
                wl += wi;
                sp += wi * c->p[i];
                if (yi == 1) {
                    wd += wi;
                    pos_b += wi;
                    refused_d += ok ? 0 : wi;
                } else {
                    neg_b += wi;
                    refused_r += ok ? 0 : wi;
                }
            }
            e++;
        }
        auc_num += pos_b * (neg_below + 0.5 * neg_b);
        neg_below += neg_b;
        k = e;
    }
    m[M_APPROVAL] = W > 0 ? approved / W : NAN;
    m[M_DEFAULT] = wl > 0 ? wd / wl : NAN;
    m[M_EXPECTED] = wl > 0 ? sp / wl : NAN;
    m[M_AUC] = wd > 0 && wl - wd > 0 && !isnan(sp) ? auc_num / (wd * (wl - wd)) : NAN;
    m[M_TPR] = wd > 0 ? refused_d / wd : NAN;
    m[M_FPR] = wl - wd > 0 ? refused_r / (wl - wd) : NAN;
    m[M_AIR] = NAN;
}

/* max - min of v[g] over the groups that count (not small, v defined); NaN when fewer than 2 */
static double _spread(const _ctx *c, const double *gm, int metric, int flip)
{
    double lo = INFINITY, hi = -INFINITY;
    int cnt = 0;
    for (int g = 0; g < c->n_groups; g++) {
        double v = gm[g * M_N + metric];
        if ((double)c->g[g].n < c->min_group || isnan(v)) continue;
        if (flip) v = 1 - v;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        cnt++;
    }
    return cnt >= 2 ? hi - lo : NAN;
}

/* AIR of every group and the attribute's metrics from the group metrics gm[n_groups][M_N];
 * returns the favoured group (-1 when none counts) */
static int _attr_metrics(const _ctx *c, double *gm, double *am)
{
    int fav = -1;
    double best = -1, min_air = INFINITY, tpr_d, fpr_d;
    for (int g = 0; g < c->n_groups; g++) {
        double a = gm[g * M_N + M_APPROVAL];
        if ((double)c->g[g].n < c->min_group || isnan(a)) continue;
        if (a > best) {
            best = a;
            fav = g;
        }
    }
    for (int g = 0; g < c->n_groups; g++) {
        double a = gm[g * M_N + M_APPROVAL];
        gm[g * M_N + M_AIR] = fav >= 0 && best > 0 && !isnan(a) ? a / best : NAN;
        if ((double)c->g[g].n >= c->min_group && !isnan(gm[g * M_N + M_AIR]) && gm[g * M_N + M_AIR] < min_air)
            min_air = gm[g * M_N + M_AIR];
    }
    am[A_MIN_AIR] = isinf(min_air) ? NAN : min_air;
    am[A_DP] = _spread(c, gm, M_APPROVAL, 0);
    am[A_EO] = _spread(c, gm, M_FPR, 1);
    tpr_d = _spread(c, gm, M_TPR, 0);
    fpr_d = _spread(c, gm, M_FPR, 0);
    am[A_EODDS] = isnan(tpr_d) || isnan(fpr_d) ? NAN : tpr_d > fpr_d ? tpr_d : fpr_d;
    return fav;
}

static int _cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, z = *(const double *)b;
    return x < z ? -1 : x > z;
}

/* numpy's 'linear' quantile q of the non-NaN values v[0..n) (sorted in place), NaN when none */
static double _quantile(double *v, size_t n, double q)
{
    size_t m = 0;
    double h;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) v[m++] = v[i];
    if (!m) return NAN;
    qsort(v, m, sizeof *v, _cmp_double);
    h = q * (double)(m - 1);
    {
        size_t lo = (size_t)floor(h);
        size_t hi = lo + 1 < m ? lo + 1 : lo;
        return v[lo] + (h - (double)lo) * (v[hi] - v[lo]);
    }
}

/* the interval of replicate values rep[b * stride] (b < n_boot), using tmp */
static fair_ci _ci(double value, const double *rep, size_t stride, int n_boot, double *tmp)
{
    fair_ci ci = {value, NAN, NAN};
    if (n_boot <= 0) return ci;
    for (int b = 0; b < n_boot; b++) tmp[b] = rep[(size_t)b * stride];
    ci.lo = _quantile(tmp, (size_t)n_boot, 0.025);
    for (int b = 0; b < n_boot; b++) tmp[b] = rep[(size_t)b * stride];
    ci.hi = _quantile(tmp, (size_t)n_boot, 0.975);
    return ci;
}

/* the report of one attribute */
static cs_status _one(const fair_attr *at, const double *p, const double *y, size_t n, const fair_opts *o,
                      fair_attr_report *ar, cs_err *err)
{
    _ctx c = {.p = p, .y = y, .threshold = o->threshold, .min_group = o->min_group, .n_groups = at->n_groups};
    size_t *all = NULL, off = 0, nin = 0;
    double *gm = NULL, *am = NULL, *rep_g = NULL, *rep_a = NULL, *tmp = NULL;
    int G = at->n_groups, B = o->n_boot > 0 ? o->n_boot : 0;
    cs_status st = CS_ENOMEM;

    assert(at->n_rows == n);
    ar->attr = at;
    ar->favoured = -1;
    if (!(ar->g = cs_calloc(G ? (size_t)G : 1, sizeof *ar->g, err)) || !(c.g = cs_calloc(G ? (size_t)G : 1, sizeof *c.g, err)) ||
        !(all = cs_malloc((n ? n : 1) * sizeof *all, err)) || !(gm = cs_malloc(((size_t)G * M_N + 1) * sizeof *gm, err)) ||
        !(am = cs_malloc(A_N * sizeof *am, err)) ||
        !(rep_g = cs_malloc(((size_t)B * (size_t)G * M_N + 1) * sizeof *rep_g, err)) ||
        !(rep_a = cs_malloc(((size_t)B * A_N + 1) * sizeof *rep_a, err)) ||
        !(tmp = cs_malloc(((size_t)B + 1) * sizeof *tmp, err)))
        goto done;
    /* the rows of each group, sorted by probability */
    for (size_t i = 0; i < n; i++)
        if (at->group[i] >= 0 && at->group[i] < G) c.g[at->group[i]].n++;
    for (int g = 0; g < G; g++) {
        c.g[g].rows = all + off;
        off += c.g[g].n;
        nin += c.g[g].n;
        c.g[g].n = 0;
    }
    for (size_t i = 0; i < n; i++)
        if (at->group[i] >= 0 && at->group[i] < G) c.g[at->group[i]].rows[c.g[at->group[i]].n++] = i;
    {
        _pr *pr = cs_malloc((n ? n : 1) * sizeof *pr, err);
        if (!pr) goto done;
        for (int g = 0; g < G; g++) _sort_rows(c.g[g].rows, c.g[g].n, p, pr);
        free(pr);
    }
    ar->n_missing = (double)(n - nin);

    /* point estimates */
    for (int g = 0; g < G; g++) _eval(&c, &c.g[g], NULL, gm + (size_t)g * M_N);
    ar->favoured = _attr_metrics(&c, gm, am);

    /* bootstrap replicates */
    {
        int fail = 0;
#pragma omp parallel
        {
            unsigned *w = malloc((n ? n : 1) * sizeof *w);
            if (!w) {
#pragma omp atomic write
                fail = 1;
            }
#pragma omp for schedule(dynamic, 4)
            for (int b = 0; b < B; b++) {
                cs_rng r;
                double *rg = rep_g + (size_t)b * (size_t)G * M_N;
                if (!w) continue;
                cs_rng_seed_stream(&r, o->seed, (uint64_t)b);
                for (int g = 0; g < G; g++) {
                    unsigned *wg = w + (c.g[g].rows - all);
                    memset(wg, 0, c.g[g].n * sizeof *wg);
                    for (size_t k = 0; k < c.g[g].n; k++) wg[cs_rng_below(&r, c.g[g].n)]++;
                    _eval(&c, &c.g[g], wg, rg + (size_t)g * M_N);
                }
                _attr_metrics(&c, rg, rep_a + (size_t)b * A_N);
            }
            free(w);
        }
        if (fail) {
            st = cs_err_set(err, CS_ENOMEM, "out of memory for the bootstrap");
            goto done;
        }
    }

    for (int g = 0; g < G; g++) {
        fair_group_stats *s = &ar->g[g];
        const double *v = gm + (size_t)g * M_N, *rg = rep_g + (size_t)g * M_N;
        size_t stride = (size_t)G * M_N;
        double nl = 0, nd = 0;
        for (size_t k = 0; k < c.g[g].n; k++) {
            double yi = y[c.g[g].rows[k]];
            nl += yi == 0 || yi == 1;
            nd += yi == 1;
        }
        s->n = (double)c.g[g].n;
        s->n_labelled = nl;
        s->n_default = nd;
        s->small = s->n < o->min_group;
        s->approval = _ci(v[M_APPROVAL], rg + M_APPROVAL, stride, B, tmp);
        s->default_rate = _ci(v[M_DEFAULT], rg + M_DEFAULT, stride, B, tmp);
        s->expected = _ci(v[M_EXPECTED], rg + M_EXPECTED, stride, B, tmp);
        s->auc = _ci(v[M_AUC], rg + M_AUC, stride, B, tmp);
        s->tpr = _ci(v[M_TPR], rg + M_TPR, stride, B, tmp);
        s->fpr = _ci(v[M_FPR], rg + M_FPR, stride, B, tmp);
        s->air = _ci(v[M_AIR], rg + M_AIR, stride, B, tmp);
        s->four_fifths = !isnan(v[M_AIR]) && v[M_AIR] < 0.8;
        s->approval2 = NAN;
        if (o->p2) {
            double ok = 0;
            for (size_t k = 0; k < c.g[g].n; k++) ok += o->p2[c.g[g].rows[k]] < o->threshold2;
            s->approval2 = c.g[g].n ? ok / (double)c.g[g].n : NAN;
        }
    }
    ar->min_air = _ci(am[A_MIN_AIR], rep_a + A_MIN_AIR, A_N, B, tmp);
    ar->dp_diff = _ci(am[A_DP], rep_a + A_DP, A_N, B, tmp);
    ar->eo_diff = _ci(am[A_EO], rep_a + A_EO, A_N, B, tmp);
    ar->eodds_diff = _ci(am[A_EODDS], rep_a + A_EODDS, A_N, B, tmp);
    st = CS_OK;
done:
    free(c.g);
    free(all);
    free(gm);
    free(am);
    free(rep_g);
    free(rep_a);
    free(tmp);
    return st;
}

/* a model's overall figures on rows with p (all) and y */
static cs_status _overall(const double *p, const double *y, size_t n, double t, double wfn, double wfp,
                          fair_overall *out, cs_err *err)
{
    double *yl, *pl, ok = 0;
    size_t nl = 0;
    memset(out, 0, sizeof *out);
    if (!(yl = cs_malloc((n ? n : 1) * sizeof *yl, err))) return CS_ENOMEM;
    if (!(pl = cs_malloc((n ? n : 1) * sizeof *pl, err))) {
        free(yl);
        return CS_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        ok += p[i] < t;
        if (y[i] == 0 || y[i] == 1) {
            yl[nl] = y[i];
            pl[nl++] = p[i];
        }
    }
    out->n = (double)n;
    out->n_labelled = (double)nl;
    out->threshold = t;
    out->approval = n ? ok / (double)n : NAN;
    out->auc = ev_auc(yl, pl, nl);
    {
        /* refused when p >= t, NaN refused (mf_decide) */
        double fn = 0, fp = 0;
        for (size_t i = 0; i < nl; i++) {
            int refused = !(pl[i] < t);
            fn += yl[i] == 1 && !refused;
            fp += yl[i] == 0 && refused;
        }
        out->cost = wfn * fn + wfp * fp;
    }
    out->cost_per_row = nl ? out->cost / (double)nl : NAN;
    free(yl);
    free(pl);
    return CS_OK;
}

cs_status fair_report_compute(const fair_attr *attrs, int n_attrs, const double *p, const double *y, size_t n,
                              const fair_opts *o, fair_report *out, cs_err *err)
{
    cs_status st;
    assert(attrs && p && y && o && out && n_attrs >= 0);
    memset(out, 0, sizeof *out);
    if (o->n_boot < 0 || o->n_boot > 100000)
        return cs_err_set(err, CS_EINVAL, "bootstrap replicates must be from 0 to 100000, got %d", o->n_boot);
    out->n_boot = o->n_boot;
    out->seed = o->seed;
    out->min_group = o->min_group;
    if (!(out->a = cs_calloc(n_attrs ? (size_t)n_attrs : 1, sizeof *out->a, err))) return CS_ENOMEM;
    for (int k = 0; k < n_attrs; k++) {
        out->n_attrs = k + 1;
        if ((st = _one(&attrs[k], p, y, n, o, &out->a[k], err))) goto fail;
    }
    if ((st = _overall(p, y, n, o->threshold, o->cost_fn, o->cost_fp, &out->overall, err))) goto fail;
    if (o->p2 && (st = _overall(o->p2, y, n, o->threshold2, o->cost_fn2, o->cost_fp2, &out->overall2, err)))
        goto fail;
    return CS_OK;
fail:
    fair_report_free(out);
    return st;
}

void fair_report_free(fair_report *r)
{
    if (!r) return;
    for (int k = 0; k < r->n_attrs; k++) free(r->a[k].g);
    free(r->a);
    memset(r, 0, sizeof *r);
}

double fair_report_min_air(const fair_report *r)
{
    double m = NAN;
    for (int k = 0; k < r->n_attrs; k++) {
        double v = r->a[k].min_air.value;
        if (!isnan(v) && (isnan(m) || v < m)) m = v;
    }
    return m;
}
