/*
 * xgb_convert.c: XGBoost's JSON model into our trees (xgb.h): the exact threshold
 * translation, the input mapping shared with training, and the checked JSON reader.
 */
#include "xgb.h"

#include <cjson/cJSON.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double xgb_threshold(float s)
{
    if (s != s) return NAN;
    if (s == INFINITY) return INFINITY;
    if (s <= -FLT_MAX) return -INFINITY;
    float p = nextafterf(s, -INFINITY);
    double mid = ((double)p + (double)s) / 2;   /* exact: a float has 24 bits, a double 53 */
    float r = (float)mid;                        /* the tie rounds to the even neighbour */
    return r < s ? mid : nextafter(mid, -INFINITY);
}

float xgb_input_value(double x)
{
    if (x != x) return NAN;
    if (x >= (double)FLT_MAX) return FLT_MAX;
    if (x <= -(double)FLT_MAX) return -FLT_MAX;
    return (float)x;
}

float *xgb_dense_rows(const feat_matrix *m, const size_t *rows, size_t n, cs_err *err)
{
    size_t d = m->n_feats;
    if (!rows) n = m->n_rows;
    float *x = cs_malloc((n && d ? n * d : 1) * sizeof(float), err);
    if (!x) return NULL;
#pragma omp parallel for schedule(static)
    for (size_t j = 0; j < d; j++) {
        const double *col = feat_col(m, j);
        for (size_t i = 0; i < n; i++) x[i * d + j] = xgb_input_value(col[rows ? rows[i] : i]);
    }
    return x;
}

/* ---- JSON model reader --------------------------------------------------------------- */

static const cJSON *_path(const cJSON *o, const char *const *keys, size_t n)
{
    for (size_t k = 0; k < n && o; k++) o = cJSON_GetObjectItemCaseSensitive(o, keys[k]);
    return o;
}

/* A number that XGBoost may write as a JSON number or as a string ("5E-1"). */
static int _number(const cJSON *v, double *out)
{
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return 1;
    }
    if (cJSON_IsString(v) && v->valuestring[0]) {
        char *end;
        *out = strtod(v->valuestring, &end);   /* XGBoost writes C-locale numbers */
        return *end == '\0';
    }
    return 0;
}

/* Array member `key` of tree t with exactly n numbers, else NULL + err. */
static const cJSON *_array(const cJSON *t, const char *key, int n, int ti, cs_err *err)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(t, key);
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != n) {
        cs_err_set(err, CS_ECORRUPT, "xgboost model: tree %d: '%s' is missing or does not hold %d values",
                   ti, key, n);
        return NULL;
    }
    return a;
}

static cs_status _convert_tree(const cJSON *t, int ti, size_t n_feats, tree *out, cs_err *err)
{
    static const char *const np_keys[] = {"tree_param", "num_nodes"};
    double dn;
    if (!_number(_path(t, np_keys, 2), &dn) || dn < 1 || dn > 1e8 || dn != floor(dn))
        return cs_err_set(err, CS_ECORRUPT, "xgboost model: tree %d: bad tree_param.num_nodes", ti);
    int n = (int)dn;
    const cJSON *left = _array(t, "left_children", n, ti, err);
    const cJSON *right = left ? _array(t, "right_children", n, ti, err) : NULL;
    const cJSON *feat = right ? _array(t, "split_indices", n, ti, err) : NULL;
    const cJSON *cond = feat ? _array(t, "split_conditions", n, ti, err) : NULL;
    const cJSON *dleft = cond ? _array(t, "default_left", n, ti, err) : NULL;
    const cJSON *hess = dleft ? _array(t, "sum_hessian", n, ti, err) : NULL;
    const cJSON *gain = hess ? _array(t, "loss_changes", n, ti, err) : NULL;
    if (!gain) return CS_ECORRUPT;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(t, "split_type");
    if (cJSON_IsArray(st))
        for (const cJSON *v = st->child; v; v = v->next)
            if (!cJSON_IsNumber(v) || v->valuedouble != 0)
                return cs_err_set(err, CS_EUNSUPPORTED,
                                  "xgboost model: tree %d: categorical splits are not supported", ti);
    tree_node *nodes = cs_calloc((size_t)n, sizeof *nodes, err);
    if (!nodes) return CS_ENOMEM;
    const cJSON *l = left->child, *r = right->child, *f = feat->child, *c = cond->child,
                *dl = dleft->child, *h = hess->child, *g = gain->child;
    for (int i = 0; i < n; i++, l = l->next, r = r->next, f = f->next, c = c->next, dl = dl->next,
             h = h->next, g = g->next) {
        double li, ri, fi, ci, di, hi, gi;
        if (!_number(l, &li) || !_number(r, &ri) || !_number(f, &fi) || !_number(c, &ci) ||
            !(_number(dl, &di) || cJSON_IsBool(dl)) || !_number(h, &hi) || !_number(g, &gi)) {
            free(nodes);
            return cs_err_set(err, CS_ECORRUPT, "xgboost model: tree %d node %d: a value is not a number",
                              ti, i);
        }
        if (cJSON_IsBool(dl)) di = cJSON_IsTrue(dl);
        int leaf = li == -1 && ri == -1;
        if (ci != ci || (leaf && !isfinite(ci)) || !isfinite(hi) || !isfinite(gi) || hi < 0) {
            free(nodes);
            return cs_err_set(err, CS_ECORRUPT, "xgboost model: tree %d node %d: non-finite value", ti, i);
        }
        tree_node *nd = &nodes[i];
        nd->cover = hi;
        if (leaf) {
            nd->feature = -1;
            nd->left = nd->right = -1;
            nd->value = (double)(float)ci;
            continue;
        }
        /* XGBoost numbers children after their parent: that rules out cycles */
        if (li <= i || ri <= i || li >= n || ri >= n || li != floor(li) || ri != floor(ri) ||
            li == ri) {
            free(nodes);
            return cs_err_set(err, CS_ECORRUPT, "xgboost model: tree %d node %d: children %g, %g out of range",
                              ti, i, li, ri);
        }
        if (fi < 0 || fi >= (double)n_feats || fi != floor(fi)) {
            free(nodes);
            return cs_err_set(err, CS_ECORRUPT,
                              "xgboost model: tree %d node %d: split feature %g, the data has %zu",
                              ti, i, fi, n_feats);
        }
        nd->feature = (int32_t)fi;
        nd->left = (int32_t)li;
        nd->right = (int32_t)ri;
        nd->default_left = di != 0;
        nd->threshold = xgb_threshold((float)ci);
        nd->gain = gi;
    }
    /* every node but the root has exactly one parent */
    int *parents = cs_calloc((size_t)n, sizeof *parents, err);
    if (!parents) {
        free(nodes);
        return CS_ENOMEM;
    }
    for (int i = 0; i < n; i++)
        if (nodes[i].feature >= 0) {
            parents[nodes[i].left]++;
            parents[nodes[i].right]++;
        }
    for (int i = 1; i < n; i++)
        if (parents[i] != 1) {
            int np = parents[i];
            free(parents);
            free(nodes);
            return cs_err_set(err, CS_ECORRUPT, "xgboost model: tree %d node %d: %d parents", ti, i,
                              np);
        }
    free(parents);
    /* internal node value: the cover-weighted mean of its children (the expected output) */
    for (int i = n - 1; i >= 0; i--) {
        tree_node *nd = &nodes[i];
        if (nd->feature < 0) continue;
        double cl = nodes[nd->left].cover, cr = nodes[nd->right].cover;
        nd->value = cl + cr > 0 ? (cl * nodes[nd->left].value + cr * nodes[nd->right].value) / (cl + cr)
                                : (nodes[nd->left].value + nodes[nd->right].value) / 2;
    }
    out->n_nodes = n;
    out->nodes = nodes;
    return CS_OK;
}

/* XGBoost writes an infinite split value (a cut above the largest float) as the bare token
 * Infinity, which is not JSON. A copy of the text with Infinity / -Infinity outside strings
 * replaced by 1e999 / -1e999 (which strtod reads as +-inf), padded to the same length. */
static char *_json_infinities(const char *json, size_t len, cs_err *err)
{
    char *t = cs_malloc(len + 1, err);
    if (!t) return NULL;
    memcpy(t, json, len);
    t[len] = '\0';
    int in_str = 0;
    for (size_t i = 0; i < len; i++) {
        if (in_str) {
            if (t[i] == '\\') i++;
            else if (t[i] == '"') in_str = 0;
        } else if (t[i] == '"') {
            in_str = 1;
        } else if (t[i] == 'I' && len - i >= 8 && !memcmp(t + i, "Infinity", 8)) {
            memcpy(t + i, "1e999   ", 8);
            i += 7;
        }
    }
    return t;
}

lrn_model *xgb_model_from_json(const char *json, size_t len, size_t n_feats, int32_t n_trees,
                               cs_err *err)
{
    const char *end = NULL;
    char *text = _json_infinities(json, len, err);
    if (!text) return NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        cs_err_set(err, CS_EPARSE, "xgboost model: malformed JSON at byte %td",
                   end ? end - text : (ptrdiff_t)0);
        free(text);
        return NULL;
    }
    free(text);
    lrn_model *mod = NULL;
    static const char *const k_obj[] = {"learner", "objective", "name"};
    static const char *const k_gb[] = {"learner", "gradient_booster", "name"};
    static const char *const k_base[] = {"learner", "learner_model_param", "base_score"};
    static const char *const k_nf[] = {"learner", "learner_model_param", "num_feature"};
    static const char *const k_trees[] = {"learner", "gradient_booster", "model", "trees"};
    static const char *const k_npt[] = {"learner", "gradient_booster", "model",
                                        "gbtree_model_param", "num_parallel_tree"};
    const cJSON *obj = _path(root, k_obj, 3), *gb = _path(root, k_gb, 3);
    const cJSON *trees = _path(root, k_trees, 4);
    double base, nf, npt = 1;
    if (!cJSON_IsString(obj) || !cJSON_IsString(gb) || !cJSON_IsArray(trees) ||
        !_number(_path(root, k_base, 3), &base) || !_number(_path(root, k_nf, 3), &nf)) {
        cs_err_set(err, CS_ECORRUPT, "xgboost model: not an XGBoost JSON model (learner.objective, "
                                     "gradient_booster, base_score or trees missing)");
        goto done;
    }
    _number(_path(root, k_npt, 5), &npt);
    int logistic = !strcmp(obj->valuestring, "binary:logistic");
    if (!logistic && strcmp(obj->valuestring, "binary:logitraw")) {
        cs_err_set(err, CS_EUNSUPPORTED, "xgboost model: objective '%s' (binary:logistic expected)",
                   obj->valuestring);
        goto done;
    }
    if (strcmp(gb->valuestring, "gbtree") || npt != 1) {
        cs_err_set(err, CS_EUNSUPPORTED, "xgboost model: booster '%s' with %g parallel trees "
                   "(gbtree with 1 expected)", gb->valuestring, npt);
        goto done;
    }
    if (nf > (double)n_feats) {
        cs_err_set(err, CS_EINVAL, "xgboost model: %g features, the data has %zu", nf, n_feats);
        goto done;
    }
    if (logistic && !(base > 0 && base < 1)) {
        cs_err_set(err, CS_ECORRUPT, "xgboost model: base_score %g is not a probability", base);
        goto done;
    }
    int32_t total = (int32_t)cJSON_GetArraySize(trees);
    if (n_trees <= 0 || n_trees > total) n_trees = total;
    mod = lrn_model_create(LRN_XGBOOST, n_feats, err);
    if (!mod) goto done;
    /* XGBoost adds base_score in margin space: logit for binary:logistic */
    mod->base_score = logistic ? log((double)(float)base / (1 - (double)(float)base)) : base;
    mod->average = 0;
    mod->trees = cs_calloc(n_trees ? (size_t)n_trees : 1, sizeof(tree), err);
    if (!mod->trees) goto fail;
    const cJSON *t = trees->child;
    for (int32_t i = 0; i < n_trees; i++, t = t->next) {
        if (_convert_tree(t, i, n_feats, &mod->trees[i], err)) goto fail;
        mod->n_trees = i + 1;
    }
    goto done;
fail:
    lrn_model_free(mod);
    mod = NULL;
done:
    cJSON_Delete(root);
    return mod;
}
