/*
 * shap_tree.c: exact path-dependent TreeSHAP (Lundberg, Erion, Lee 2018, "Consistent
 * individualized feature attribution for tree ensembles", Algorithm 2) over our trees, the
 * explainer that applies it to a whole model (trees, linear, dummy) and its batch version.
 *
 * The path holds, for each distinct feature split on between the root and the current
 * node, the fraction of "zero" paths (feature unknown: the share of training cover that
 * went this way) and "one" paths (feature known: 1 if x goes this way, else 0), and the
 * permutation weights; leaves add their value times the unwound weights to each feature
 * on the path. A feature met twice on a path is unwound first, so fractions multiply.
 */
#include "shap.h"
#include "shap_plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct _path_el {
    int32_t feature;        /* -1 for the root's dummy element */
    double zero_fraction;
    double one_fraction;
    double pweight;
} _path_el;

size_t shap_work_size(int max_depth)
{
    size_t d = (size_t)(max_depth < 0 ? 0 : max_depth);
    return (d + 2) * (d + 3) / 2 * sizeof(_path_el);
}

static void _extend(_path_el *p, int ud, double zero, double one, int32_t feature)
{
    p[ud].feature = feature;
    p[ud].zero_fraction = zero;
    p[ud].one_fraction = one;
    p[ud].pweight = ud == 0 ? 1.0 : 0.0;
    for (int i = ud - 1; i >= 0; i--) {
        p[i + 1].pweight += one * p[i].pweight * (double)(i + 1) / (double)(ud + 1);
        p[i].pweight = zero * p[i].pweight * (double)(ud - i) / (double)(ud + 1);
    }
}

static void _unwind(_path_el *p, int ud, int idx)
{
    double one = p[idx].one_fraction, zero = p[idx].zero_fraction;
    double next = p[ud].pweight;
    for (int i = ud - 1; i >= 0; i--) {
        if (one != 0) {
            double tmp = p[i].pweight;
            p[i].pweight = next * (double)(ud + 1) / ((double)(i + 1) * one);
            next = tmp - p[i].pweight * zero * (double)(ud - i) / (double)(ud + 1);
        } else {
            p[i].pweight = p[i].pweight * (double)(ud + 1) / (zero * (double)(ud - i));
        }
    }
    for (int i = idx; i < ud; i++) {
        p[i].feature = p[i + 1].feature;
        p[i].zero_fraction = p[i + 1].zero_fraction;
        p[i].one_fraction = p[i + 1].one_fraction;
    }
}

/* The sum of the path's weights once element idx is unwound (without modifying the path). */
static double _unwound_sum(const _path_el *p, int ud, int idx)
{
    double one = p[idx].one_fraction, zero = p[idx].zero_fraction;
    double next = p[ud].pweight, total = 0;
    for (int i = ud - 1; i >= 0; i--) {
        if (one != 0) {
            double tmp = next * (double)(ud + 1) / ((double)(i + 1) * one);
            total += tmp;
            next = p[i].pweight - tmp * zero * (double)(ud - i) / (double)(ud + 1);
        } else if (zero != 0) {
            total += p[i].pweight / zero / ((double)(ud - i) / (double)(ud + 1));
        }
    }
    return total;
}

static void _recurse(const tree *t, int32_t node, const double *x, double scale, double *phi,
                     _path_el *parent, int ud, double pzero, double pone, int32_t pfeat)
{
    const tree_node *nd = &t->nodes[node];
    _path_el *path = parent + ud;       /* this level's copy lives after the parent's */
    if (ud > 0) memcpy(path, parent, (size_t)ud * sizeof *path);
    _extend(path, ud, pzero, pone, pfeat);
    if (nd->feature < 0) {
        for (int i = 1; i <= ud; i++) {
            double w = _unwound_sum(path, ud, i);
            phi[path[i].feature] += scale * w * (path[i].one_fraction - path[i].zero_fraction) * nd->value;
        }
        return;
    }
    double v = x[nd->feature];
    int go_left = v != v ? nd->default_left : v <= nd->threshold;
    int32_t hot = go_left ? nd->left : nd->right, cold = go_left ? nd->right : nd->left;
    double w = nd->cover;
    double hot_zero = w > 0 ? t->nodes[hot].cover / w : 0.5;
    double cold_zero = w > 0 ? t->nodes[cold].cover / w : 0.5;
    double in_zero = 1, in_one = 1;
    int idx = 0;
    for (; idx <= ud; idx++)
        if (path[idx].feature == nd->feature) break;
    if (idx != ud + 1) {
        in_zero = path[idx].zero_fraction;
        in_one = path[idx].one_fraction;
        _unwind(path, ud, idx);
        ud--;
    }
    /* a branch nobody reaches (no cover, or unknown and never taken) adds nothing */
    if (hot_zero * in_zero != 0 || in_one != 0)
        _recurse(t, hot, x, scale, phi, path, ud + 1, hot_zero * in_zero, in_one, nd->feature);
    if (cold_zero * in_zero != 0)
        _recurse(t, cold, x, scale, phi, path, ud + 1, cold_zero * in_zero, 0, nd->feature);
}

void shap_tree_add(const tree *t, const double *x, double scale, double *phi, void *work)
{
    if (!t->n_nodes) return;
    _recurse(t, 0, x, scale, phi, work, 0, 1, 1, -1);
}

static double _expected(const tree *t, int32_t node)
{
    const tree_node *nd = &t->nodes[node];
    if (nd->feature < 0) return nd->value;
    double el = _expected(t, nd->left), er = _expected(t, nd->right);
    if (!(nd->cover > 0)) return (el + er) / 2;
    return (t->nodes[nd->left].cover * el + t->nodes[nd->right].cover * er) / nd->cover;
}

double shap_tree_expected(const tree *t)
{
    return t->n_nodes ? _expected(t, 0) : 0;
}

/* ---- explainer ------------------------------------------------------------------------ */

struct shap_explainer {
    const lrn_model *model;     /* borrowed */
    int max_depth;              /* over the trees */
    double expected;
    shap_plan *plan;            /* NULL for a model without trees */
    size_t work_bytes;          /* scratch of shap_plan_rows */
};

shap_explainer *shap_explainer_create(const lrn_model *model, cs_err *err)
{
    return shap_explainer_create_opts(model, NULL, err);
}

shap_explainer *shap_explainer_create_opts(const lrn_model *model, const shap_options *opts,
                                           cs_err *err)
{
    shap_options def = SHAP_OPTIONS_DEFAULT;
    if (!opts) opts = &def;
    if (!model) {
        cs_err_set(err, CS_EINVAL, "explain: no model");
        return NULL;
    }
    if (opts->table_max_depth < -1 || opts->table_max_depth > 16) {
        cs_err_set(err, CS_EINVAL, "explain: table depth %d outside -1..16", opts->table_max_depth);
        return NULL;
    }
    for (int32_t i = 0; i < model->n_trees; i++)
        if (tree_validate(&model->trees[i], model->n_feats, err)) {
            cs_err_prefix(err, "explain: tree %d: ", i);
            return NULL;
        }
    shap_explainer *e = cs_calloc(1, sizeof *e, err);
    if (!e) return NULL;
    e->model = model;
    double ev = 0;
    for (int32_t i = 0; i < model->n_trees; i++) {
        int d = tree_depth(&model->trees[i]);
        if (d > e->max_depth) e->max_depth = d;
        ev += shap_tree_expected(&model->trees[i]);
    }
    if (model->average && model->n_trees > 0) ev /= model->n_trees;
    e->expected = model->base_score + (model->lin_coef ? 0 : ev);
    if (!model->lin_coef && model->n_trees > 0) {
        double scale = model->average ? 1.0 / model->n_trees : 1.0;
        if (!(e->plan = shap_plan_create(model, scale, opts, err))) {
            free(e);
            return NULL;
        }
        e->work_bytes = shap_plan_work_size(e->plan);
    }
    return e;
}

void shap_explainer_free(shap_explainer *e)
{
    if (!e) return;
    shap_plan_free(e->plan);
    free(e);
}

double shap_expected_value(const shap_explainer *e) { return e->expected; }

const lrn_model *shap_explainer_model(const shap_explainer *e) { return e->model; }

void shap_explainer_stats(const shap_explainer *e, shap_stats *out)
{
    if (e->plan) shap_plan_stats(e->plan, out);
    else memset(out, 0, sizeof *out);
}

const char *shap_stats_format(const shap_stats *st, char *buf, size_t cap)
{
    snprintf(buf, cap, "%d trees: %d with tables, %d direct, %d recursive, %d incremental, %d summed on one row; "
             "tables %.1f MB, precomputed %.1f MB in all", st->n_trees, st->n_table_trees,
             st->n_direct_trees, st->n_classic_trees, st->n_incremental_trees, st->n_summed_trees,
             (double)st->table_bytes / 1e6, (double)st->plan_bytes / 1e6);
    return buf;
}

/* phi of n rows (x and phi row-major, n_feats values each) with the given scratch. */
static void _rows(const shap_explainer *e, const double *x, size_t n, double *phi, void *work,
                  int tables)
{
    const lrn_model *m = e->model;
    size_t d = m->n_feats;
    memset(phi, 0, n * d * sizeof *phi);
    if (m->lin_coef) {
        for (size_t r = 0; r < n; r++)
            for (size_t j = 0; j < d; j++) {
                double v = x[r * d + j];
                if (v != v) continue;   /* imputed with the center: no contribution */
                if (v < m->lin_lo[j]) v = m->lin_lo[j];
                if (v > m->lin_hi[j]) v = m->lin_hi[j];
                phi[r * d + j] = m->lin_coef[j] * (v - m->lin_center[j]) / m->lin_scale[j];
            }
        return;
    }
    if (e->plan) shap_plan_rows(e->plan, x, n, d, phi, work, tables);
}

cs_status shap_explain_row(const shap_explainer *e, const double *x, double *phi, cs_err *err)
{
    void *work = NULL;
    if (e->work_bytes && !(work = cs_malloc(e->work_bytes, err))) return CS_ENOMEM;
    _rows(e, x, 1, phi, work, 0);
    free(work);
    return CS_OK;
}

#define BLOCK_ROWS 32   /* rows explained together: one tree's plan stays in cache across them */

cs_status shap_explain_matrix(const shap_explainer *e, const feat_matrix *m, const size_t *rows,
                              size_t n, double *phi, cs_err *err)
{
    size_t d = e->model->n_feats;
    if (m->n_feats != d)
        return cs_err_set(err, CS_EINVAL, "explain: the model has %zu features, the data %zu", d,
                          m->n_feats);
    if (!rows) n = m->n_rows;
    for (size_t i = 0; rows && i < n; i++)
        if (rows[i] >= m->n_rows)
            return cs_err_set(err, CS_EINVAL, "explain: row %zu out of range (%zu rows)", rows[i],
                              m->n_rows);
    int failed = 0;
    size_t n_blocks = (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
#pragma omp parallel
    {
        void *work = e->work_bytes ? malloc(e->work_bytes) : NULL;
        double *x = malloc((d ? d : 1) * BLOCK_ROWS * sizeof *x);
        if (!x || (e->work_bytes && !work)) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (size_t b = 0; b < n_blocks; b++) {
            if (!x || (e->work_bytes && !work)) continue;
            size_t r0 = b * BLOCK_ROWS, nb = n - r0 < BLOCK_ROWS ? n - r0 : BLOCK_ROWS;
            for (size_t j = 0; j < d; j++) {
                const double *col = feat_col(m, j);
                for (size_t i = 0; i < nb; i++) x[i * d + j] = col[rows ? rows[r0 + i] : r0 + i];
            }
            _rows(e, x, nb, phi + r0 * d, work, 1);
        }
        free(work);
        free(x);
    }
    if (failed) return cs_err_set(err, CS_ENOMEM, "explain: out of memory");
    return CS_OK;
}

cs_status shap_explain_rows(const shap_explainer *e, const double *x, size_t n, double *phi,
                            cs_err *err)
{
    size_t d = e->model->n_feats;
    size_t n_blocks = (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
    int failed = 0;
#pragma omp parallel
    {
        void *work = e->work_bytes ? malloc(e->work_bytes) : NULL;
        if (e->work_bytes && !work) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (size_t b = 0; b < n_blocks; b++) {
            if (e->work_bytes && !work) continue;
            size_t r0 = b * BLOCK_ROWS, nb = n - r0 < BLOCK_ROWS ? n - r0 : BLOCK_ROWS;
            _rows(e, x + r0 * d, nb, phi + r0 * d, work, 1);
        }
        free(work);
    }
    if (failed) return cs_err_set(err, CS_ENOMEM, "explain: out of memory");
    return CS_OK;
}
