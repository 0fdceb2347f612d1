/*
 * scorecard.c: the "scorecard" kind of the learner interface (scorecard.h): parameters, the
 * fit (binning, selection, logistic regression on WoE, points), the trees that carry the
 * points in the model, and the points table (JSON, lookup). Text, Markdown, CSV and SQL
 * renderings are in scorecard_table.c.
 */
#include "scorecard.h"
#include "learn_int.h"
#include "lr.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* ---- parameters ---------------------------------------------------------------------- */

static void *_params_create(cs_err *err)
{
    sc_params *p = cs_calloc(1, sizeof *p, err);
    if (!p) return NULL;
    p->bin = BN_OPTS_DEFAULT;
    p->bin.trend = BN_TREND_AUTO_MONOTONIC;
    p->iv_min = 0.02;
    p->max_corr = 0.7;
    p->max_features = 20;
    p->C = 1;
    p->pdo = 20;
    p->base_points = 600;
    p->base_odds = 50;
    return p;
}

static void _params_free(void *vp)
{
    sc_params *p = vp;
    if (!p) return;
    for (size_t i = 0; i < p->n_categorical; i++) free(p->categorical[i]);
    free(p->categorical);
    free(p);
}

static cs_status _set_names(sc_params *p, const char *value, cs_err *err)
{
    cJSON *v = cJSON_Parse(value);
    if (!cJSON_IsArray(v)) {
        cJSON_Delete(v);
        return cs_err_set(err, CS_EINVAL, "categorical_features: expected an array of feature names, got %.60s", value);
    }
    size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
    char **names = cs_calloc(n ? n : 1, sizeof *names, err);
    cs_status st = names ? CS_OK : CS_ENOMEM;
    for (cJSON *it = v->child; it && !st; it = it->next, i++) {
        if (!cJSON_IsString(it)) st = cs_err_set(err, CS_EINVAL, "categorical_features: element %zu is not a name", i);
        else if (!(names[i] = cs_strdup(it->valuestring, err))) st = CS_ENOMEM;
    }
    cJSON_Delete(v);
    if (st) {
        for (size_t k = 0; names && k < n; k++) free(names[k]);
        free(names);
        return st;
    }
    for (size_t k = 0; k < p->n_categorical; k++) free(p->categorical[k]);
    free(p->categorical);
    p->categorical = names;
    p->n_categorical = n;
    return CS_OK;
}

static cs_status _number(const char *name, const char *value, double lo, double hi, int lo_open,
                         double *out, cs_err *err)
{
    double v;
    cs_status st = lrn_value_number(name, value, &v, err);
    if (st) return st;
    if (!(lo_open ? v > lo : v >= lo) || !(v <= hi))
        return cs_err_set(err, CS_EINVAL, "%s: expected a number in %s%g, %g], got %s", name,
                          lo_open ? "(" : "[", lo, hi, value);
    *out = v;
    return CS_OK;
}

static cs_status _params_set(void *vp, const char *name, const char *value, cs_err *err)
{
    sc_params *p = vp;
    double v;
    cs_status st;
    if (!strcmp(name, "iv_min")) return _number(name, value, 0, 10, 0, &p->iv_min, err);
    if (!strcmp(name, "max_corr")) return _number(name, value, 0, 1, 1, &p->max_corr, err);
    if (!strcmp(name, "C")) return _number(name, value, 0, 1e12, 1, &p->C, err);
    if (!strcmp(name, "pdo")) return _number(name, value, 0, 1e6, 1, &p->pdo, err);
    if (!strcmp(name, "base_points")) return _number(name, value, -1e7, 1e7, 0, &p->base_points, err);
    if (!strcmp(name, "base_odds")) return _number(name, value, 0, 1e12, 1, &p->base_odds, err);
    if (!strcmp(name, "categorical_features")) return _set_names(p, value, err);
    if (!strcmp(name, "max_features") || !strcmp(name, "n_jobs") || !strcmp(name, "num_threads")) {
        int feats = name[0] == 'm';
        if ((st = lrn_value_number(name, value, &v, err))) return st;
        if (v != floor(v) || (feats ? !(v >= 1 && v <= 1000) : !(v >= -1 && v <= 1024)))
            return cs_err_set(err, CS_EINVAL, "%s: expected an integer in %s, got %s", name,
                              feats ? "[1, 1000]" : "[-1, 1024]", value);
        if (feats) p->max_features = (int)v;
        else p->n_threads = v < 0 ? 0 : (int)v;
        return CS_OK;
    }
    st = bn_opts_set(&p->bin, name, value, err);
    if (st == CS_ENOTFOUND)
        return cs_err_set(err, CS_EINVAL,
                          "scorecard has no parameter '%s' (iv_min, max_corr, max_features, C, pdo, "
                          "base_points, base_odds, categorical_features, n_jobs, and the binning's "
                          "max_n_prebins, min_bin_size, min_n_event, min_n_nonevent, max_n_bins, "
                          "monotonic_trend, cat_cutoff, special_codes)", name);
    return st;
}

static void _num(cs_buf *b, double v)
{
    char s[40];
    cs_fmt_double(s, sizeof s, v);
    cs_buf_puts(b, s, NULL);
}

static cs_status _params_to_json(const void *vp, cs_buf *out, cs_err *err)
{
    const sc_params *p = vp;
    cs_buf b = {0};
    cs_buf_puts(&b, "{\"iv_min\": ", NULL); _num(&b, p->iv_min);
    cs_buf_puts(&b, ", \"max_corr\": ", NULL); _num(&b, p->max_corr);
    cs_buf_printf(&b, NULL, ", \"max_features\": %d, \"C\": ", p->max_features); _num(&b, p->C);
    cs_buf_puts(&b, ", \"pdo\": ", NULL); _num(&b, p->pdo);
    cs_buf_puts(&b, ", \"base_points\": ", NULL); _num(&b, p->base_points);
    cs_buf_puts(&b, ", \"base_odds\": ", NULL); _num(&b, p->base_odds);
    cs_buf_puts(&b, ", \"categorical_features\": [", NULL);
    for (size_t i = 0; i < p->n_categorical; i++) {
        cJSON *s = cJSON_CreateString(p->categorical[i]);
        char *t = s ? cJSON_PrintUnformatted(s) : NULL;
        cs_buf_printf(&b, NULL, "%s%s", i ? ", " : "", t ? t : "\"\"");
        free(t);
        cJSON_Delete(s);
    }
    cs_buf_printf(&b, NULL, "], \"max_n_prebins\": %d, \"min_bin_size\": ", p->bin.max_n_prebins);
    _num(&b, p->bin.min_bin_size);
    cs_buf_printf(&b, NULL, ", \"min_n_event\": %lld, \"min_n_nonevent\": %lld, \"max_n_bins\": %d, "
                  "\"monotonic_trend\": \"%s\", \"cat_cutoff\": ", (long long)p->bin.min_n_event,
                  (long long)p->bin.min_n_nonevent, p->bin.max_n_bins, bn_trend_name(p->bin.trend));
    _num(&b, p->bin.cat_cutoff);
    cs_buf_puts(&b, ", \"special_codes\": [", NULL);
    for (size_t i = 0; i < p->bin.n_special; i++) {
        if (i) cs_buf_puts(&b, ", ", NULL);
        _num(&b, p->bin.special[i]);
    }
    cs_buf_printf(&b, NULL, "], \"n_jobs\": %d}", p->n_threads);
    cs_status st = b.data ? cs_buf_append(out, b.data, b.len, err) : cs_err_set(err, CS_ENOMEM, "out of memory");
    cs_buf_free(&b);
    return st;
}

static void *_params_copy(const void *vp, cs_err *err)
{
    const sc_params *p = vp;
    sc_params *q = cs_malloc(sizeof *q, err);
    if (!q) return NULL;
    *q = *p;
    q->categorical = NULL;
    q->n_categorical = 0;
    if (p->n_categorical) {
        if (!(q->categorical = cs_calloc(p->n_categorical, sizeof *q->categorical, err))) {
            free(q);
            return NULL;
        }
        for (size_t i = 0; i < p->n_categorical; i++) {
            q->n_categorical = i + 1;
            if (!(q->categorical[i] = cs_strdup(p->categorical[i], err))) {
                _params_free(q);
                return NULL;
            }
        }
    }
    return q;
}

/* ---- the points table ------------------------------------------------------------------ */

void sc_card_free(sc_card *c)
{
    if (!c) return;
    for (size_t j = 0; j < c->n_chars; j++) {
        bn_feature_free(c->chars[j].bins);
        free(c->chars[j].points);
    }
    free(c->chars);
    free(c);
}

int64_t sc_card_points(const sc_card *c, const double *x, int32_t *pts, size_t *bin)
{
    int64_t total = c->base;
    for (size_t j = 0; j < c->n_chars; j++) {
        const sc_char *ch = &c->chars[j];
        size_t b = bn_bin_of(ch->bins, x[ch->feat]);
        total += ch->points[b];
        if (pts) pts[j] = ch->points[b];
        if (bin) bin[j] = b;
    }
    return total;
}

double sc_card_log_odds(const sc_card *c, double total)
{
    return (c->offset - total) / c->factor;
}

void sc_card_range(const sc_card *c, int64_t *lo, int64_t *hi)
{
    *lo = *hi = c->base;
    for (size_t j = 0; j < c->n_chars; j++) {
        *lo += c->chars[j].min_points;
        *hi += c->chars[j].max_points;
    }
}

static void _scaling(sc_card *c)
{
    c->factor = c->pdo / log(2.0);
    c->offset = c->base_points - c->factor * log(c->base_odds);
}

static void _minmax(sc_char *ch)
{
    ch->min_points = ch->max_points = ch->points[0];
    for (size_t b = 1; b < ch->bins->n_bins; b++) {
        if (ch->points[b] < ch->min_points) ch->min_points = ch->points[b];
        if (ch->points[b] > ch->max_points) ch->max_points = ch->points[b];
    }
}

cs_status sc_card_to_json(const sc_card *c, cs_buf *out, cs_err *err)
{
    cs_buf b = {0};
    cs_buf_puts(&b, "{\"pdo\":", NULL); _num(&b, c->pdo);
    cs_buf_puts(&b, ",\"base_points\":", NULL); _num(&b, c->base_points);
    cs_buf_puts(&b, ",\"base_odds\":", NULL); _num(&b, c->base_odds);
    cs_buf_puts(&b, ",\"intercept\":", NULL); _num(&b, c->intercept);
    cs_buf_printf(&b, NULL, ",\"base\":%d,\"n_candidates\":%zu,\"characteristics\":[", (int)c->base, c->n_candidates);
    cs_status st = CS_OK;
    for (size_t j = 0; j < c->n_chars && !st; j++) {
        const sc_char *ch = &c->chars[j];
        cs_buf_printf(&b, NULL, "%s{\"feature_index\":%zu,\"coef\":", j ? "," : "", ch->feat);
        _num(&b, ch->coef);
        cs_buf_puts(&b, ",\"points\":[", NULL);
        for (size_t k = 0; k < ch->bins->n_bins; k++) cs_buf_printf(&b, NULL, "%s%d", k ? "," : "", (int)ch->points[k]);
        cs_buf_puts(&b, "],\"binning\":", NULL);
        st = bn_table_write(ch->bins, BN_FMT_JSON, 0, &b, err);
        cs_buf_puts(&b, "}", NULL);
    }
    cs_buf_puts(&b, "]}", NULL);
    if (!st) st = b.data ? cs_buf_append(out, b.data, b.len, err) : cs_err_set(err, CS_ENOMEM, "out of memory");
    cs_buf_free(&b);
    return st;
}

static int _jnum(const cJSON *o, const char *k, double *v)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble)) return 0;
    *v = it->valuedouble;
    return 1;
}

sc_card *sc_card_from_json(const char *text, size_t len, size_t n_feats, cs_err *err)
{
    cJSON *o = cJSON_ParseWithLength(text, len);
    sc_card *c = cs_calloc(1, sizeof *c, err);
    double base = 0, nc = 0;
    const cJSON *chars = o ? cJSON_GetObjectItemCaseSensitive(o, "characteristics") : NULL, *it;
    if (!c) goto fail;
    if (!o || !_jnum(o, "pdo", &c->pdo) || !(c->pdo > 0) || !_jnum(o, "base_points", &c->base_points) ||
        !_jnum(o, "base_odds", &c->base_odds) || !(c->base_odds > 0) || !_jnum(o, "intercept", &c->intercept) ||
        !_jnum(o, "base", &base) || fabs(base) > 1e9 || !_jnum(o, "n_candidates", &nc) || !cJSON_IsArray(chars) ||
        cJSON_GetArraySize(chars) > 100000) {
        cs_err_set(err, CS_ECORRUPT, "scorecard: the points table lacks its scaling or characteristics");
        goto fail;
    }
    c->base = (int32_t)base;
    c->n_candidates = (size_t)nc;
    c->n_feats = n_feats;
    _scaling(c);
    size_t n = (size_t)cJSON_GetArraySize(chars);
    if (!(c->chars = cs_calloc(n ? n : 1, sizeof *c->chars, err))) goto fail;
    cJSON_ArrayForEach(it, chars) {
        sc_char *ch = &c->chars[c->n_chars];
        double fi;
        const cJSON *pts = cJSON_GetObjectItemCaseSensitive(it, "points"), *p;
        c->n_chars++;
        if (!_jnum(it, "feature_index", &fi) || fi < 0 || fi >= (double)n_feats || fi != floor(fi) ||
            !_jnum(it, "coef", &ch->coef) || !cJSON_IsArray(pts)) {
            cs_err_set(err, CS_ECORRUPT, "scorecard: characteristic %zu: bad feature index, coefficient or points", c->n_chars - 1);
            goto fail;
        }
        ch->feat = (size_t)fi;
        if (!(ch->bins = bn_feature_from_cjson(cJSON_GetObjectItemCaseSensitive(it, "binning"), err))) {
            cs_err_prefix(err, "scorecard: characteristic %zu: ", c->n_chars - 1);
            goto fail;
        }
        if ((size_t)cJSON_GetArraySize(pts) != ch->bins->n_bins) {
            cs_err_set(err, CS_ECORRUPT, "scorecard: characteristic %zu: %d points for %zu bins", c->n_chars - 1,
                       cJSON_GetArraySize(pts), ch->bins->n_bins);
            goto fail;
        }
        if (!(ch->points = cs_malloc(ch->bins->n_bins * sizeof *ch->points, err))) goto fail;
        size_t k = 0;
        cJSON_ArrayForEach(p, pts) {
            if (!cJSON_IsNumber(p) || p->valuedouble != floor(p->valuedouble) || fabs(p->valuedouble) > 1e7) {
                cs_err_set(err, CS_ECORRUPT, "scorecard: characteristic %zu: points not integers", c->n_chars - 1);
                goto fail;
            }
            ch->points[k++] = (int32_t)p->valuedouble;
        }
        _minmax(ch);
    }
    cJSON_Delete(o);
    return c;
fail:
    cJSON_Delete(o);
    sc_card_free(c);
    return NULL;
}

sc_card *sc_card_of(const lrn_model *model, cs_err *err)
{
    if (model->kind != LRN_SCORECARD || !model->card_json) {
        cs_err_set(err, CS_EINVAL, "the model is a %s, not a scorecard (train --model scorecard)",
                   lrn_kind_name(model->kind));
        return NULL;
    }
    return sc_card_from_json(model->card_json, strlen(model->card_json), model->n_feats, err);
}

/* ---- the trees that carry the points ----------------------------------------------------- */

typedef struct piece {
    double upper;       /* the piece is (previous upper, upper] */
    size_t bin;
} piece;

/* The pieces of the real line of ch's non-missing values, in order, each with its bin. */
static piece *_pieces(const bn_feature *f, size_t *np, cs_err *err)
{
    size_t cap = 2 * f->n_bins + 4;
    for (size_t b = 0; b < f->n_bins; b++) cap += 2 * f->bins[b].n_cats;
    piece *p = cs_malloc(cap * sizeof *p, err);
    if (!p) return NULL;
    size_t n = 0;
    if (f->categorical) {
        /* every category code its own piece; the gaps go to the fallback bin */
        size_t nc = 0;
        for (size_t b = 0; b < f->n_value_bins; b++) nc += f->bins[b].n_cats;
        piece *codes = cs_malloc((nc ? nc : 1) * sizeof *codes, err);
        if (!codes) { free(p); return NULL; }
        size_t k = 0;
        for (size_t b = 0; b < f->n_value_bins; b++)
            for (size_t c = 0; c < f->bins[b].n_cats; c++) codes[k].upper = f->bins[b].cats[c], codes[k++].bin = b;
        for (size_t i = 1; i < nc; i++) {     /* insertion sort: few codes */
            piece t = codes[i];
            size_t j = i;
            while (j > 0 && codes[j - 1].upper > t.upper) { codes[j] = codes[j - 1]; j--; }
            codes[j] = t;
        }
        double prev = -INFINITY;
        for (size_t i = 0; i < nc; i++) {
            double below = nextafter(codes[i].upper, -INFINITY);
            if (below > prev) p[n].upper = below, p[n++].bin = f->fallback;
            p[n++] = codes[i];
            prev = codes[i].upper;
        }
        p[n].upper = INFINITY, p[n++].bin = f->fallback;
        free(codes);
    } else if (f->n_value_bins) {
        for (size_t b = 0; b < f->n_value_bins; b++) p[n].upper = f->bins[b].hi, p[n++].bin = b;
    } else {
        p[n].upper = INFINITY, p[n++].bin = f->fallback;
    }
    /* special values cut their own one-value piece out of the piece holding them */
    for (size_t b = f->n_value_bins; b < f->n_bins; b++) {
        if (f->bins[b].kind != BN_BIN_SPECIAL) continue;
        double s = f->bins[b].lo, below = nextafter(s, -INFINITY);
        size_t i = 0;
        while (i < n && !(s <= p[i].upper)) i++;
        if (i == n) continue;
        double lower = i ? p[i - 1].upper : -INFINITY;
        size_t host = p[i].bin;
        /* (lower, below] host, (below, s] special, (s, upper] host */
        piece add[3];
        size_t na = 0;
        if (below > lower) add[na].upper = below, add[na++].bin = host;
        add[na].upper = s, add[na++].bin = b;
        if (p[i].upper > s) add[na].upper = p[i].upper, add[na++].bin = host;
        memmove(p + i + na, p + i + 1, (n - i - 1) * sizeof *p);
        memcpy(p + i, add, na * sizeof *p);
        n += na - 1;
    }
    *np = n;
    return p;
}

/* node builder over pieces [lo..hi] */
static int32_t _build_nodes(tree_node *nd, int32_t *nn, const piece *p, size_t lo, size_t hi, int32_t feat,
                            const int32_t *pts, double factor)
{
    int32_t i = (*nn)++;
    memset(&nd[i], 0, sizeof nd[i]);
    if (lo == hi) {
        nd[i].feature = -1;
        nd[i].left = nd[i].right = -1;
        nd[i].value = -(double)pts[p[lo].bin] / factor;
        return i;
    }
    size_t mid = (lo + hi) / 2;
    nd[i].feature = feat;
    nd[i].threshold = p[mid].upper;
    nd[i].default_left = 1;
    int32_t l = _build_nodes(nd, nn, p, lo, mid, feat, pts, factor);
    int32_t r = _build_nodes(nd, nn, p, mid + 1, hi, feat, pts, factor);
    nd[i].left = l;
    nd[i].right = r;
    return i;
}

/* ch's tree: the root sends NaN right to the missing (or fallback) bin's leaf and every
 * other value left into a balanced tree over the pieces; covers from the training rows */
static cs_status _char_tree(const sc_char *ch, double factor, const feat_matrix *m, const size_t *rows, size_t n,
                            tree *t, cs_err *err)
{
    size_t np;
    piece *p = _pieces(ch->bins, &np, err);
    if (!p) return err ? err->code : CS_ENOMEM;
    tree_node *nd = cs_calloc(2 * np + 2, sizeof *nd, err);
    if (!nd) { free(p); return CS_ENOMEM; }
    int32_t nn = 1;
    nd[0].feature = (int32_t)ch->feat;
    nd[0].threshold = INFINITY;
    nd[0].default_left = 0;
    nd[0].left = _build_nodes(nd, &nn, p, 0, np - 1, (int32_t)ch->feat, ch->points, factor);
    int32_t nan_leaf = nn++;
    nd[nan_leaf].feature = -1;
    nd[nan_leaf].left = nd[nan_leaf].right = -1;
    nd[nan_leaf].value = -(double)ch->points[bn_bin_of(ch->bins, NAN)] / factor;
    nd[0].right = nan_leaf;
    free(p);
    /* covers: the training rows through the tree */
    const double *x = feat_col(m, ch->feat);
    for (size_t r = 0; r < n; r++) {
        double v = x[rows[r]];
        int32_t i = 0;
        for (;;) {
            nd[i].cover += 1;
            if (nd[i].feature < 0) break;
            i = v != v ? (nd[i].default_left ? nd[i].left : nd[i].right) : v <= nd[i].threshold ? nd[i].left : nd[i].right;
        }
    }
    t->nodes = nd;
    t->n_nodes = nn;
    return CS_OK;
}

/* ---- the fit ------------------------------------------------------------------------------ */

/* the WoE of each training row for binning f of feature j */
static void _woe_col(const feat_matrix *m, size_t j, const bn_feature *f, const size_t *rows, size_t n, double *out)
{
    const double *x = feat_col(m, j);
    #pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) out[i] = f->bins[bn_bin_of(f, x[rows[i]])].woe;
}

static void _standardise(double *v, size_t n)
{
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++) s += v[i];
    double mean = s / (double)n;
    for (size_t i = 0; i < n; i++) ss += (v[i] - mean) * (v[i] - mean);
    double sd = sqrt(ss / (double)n);
    for (size_t i = 0; i < n; i++) v[i] = sd > 0 ? (v[i] - mean) / sd : 0;
}

static double _corr(const double *a, const double *b, size_t n)
{
    double s = 0;
    #pragma omp parallel for reduction(+ : s) schedule(static)
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s / (double)n;
}

typedef struct cand {
    size_t feat;
    double iv;
} cand;

static int _cmp_cand(const void *a, const void *b)
{
    const cand *p = a, *q = b;
    if (p->iv != q->iv) return p->iv < q->iv ? 1 : -1;
    return (p->feat > q->feat) - (p->feat < q->feat);
}

/* the regression on the WoE columns of sel[0..k): raw coefficients and intercept */
static cs_status _regress(const sc_params *p, const feat_matrix *m, const size_t *rows, size_t n,
                          double *const *woe, size_t k, const double *y, double *coef, double *intercept,
                          cs_err *err)
{
    feat_matrix *w = feat_matrix_create(n, k, err);
    if (!w) return CS_ENOMEM;
    for (size_t j = 0; j < k; j++) {
        memcpy(w->values + j * n, woe[j], n * sizeof(double));
        if (!(w->names[j] = cs_strdup("woe", err))) { feat_matrix_free(w); return CS_ENOMEM; }
    }
    for (size_t i = 0; i < n; i++) w->target[i] = y[i], w->ids[i] = m->ids[rows[i]];
    lr_params lp = LR_PARAMS_DEFAULT;
    lp.C = p->C;
    lp.n_threads = p->n_threads;
    lr_model *lr = lr_fit(w, NULL, 0, &lp, NULL, NULL, err);
    feat_matrix_free(w);
    if (!lr) return err ? err->code : CS_EINVAL;
    lr_raw_coefficients(lr, coef, intercept);
    lr_model_free(lr);
    return CS_OK;
}

static cs_status _fit(const void *vp, const feat_matrix *m, const size_t *rows, size_t n,
                      const size_t *valid_rows, size_t n_valid, const lrn_fit_opts *opts,
                      lrn_model **out, cs_err *err)
{
    const sc_params *p = vp;
    (void)valid_rows, (void)n_valid;
    *out = NULL;
    cs_status st = CS_OK;
    ds_dataset *owned = NULL, *ds = NULL;
    bn_feature **fs = NULL;
    uint8_t *is_cat = NULL;
    cand *cands = NULL;
    double *y = NULL, **woe = NULL, **zs = NULL, *coef = NULL;
    size_t *sel = NULL, k = 0, nc = 0, kmax = (size_t)p->max_features;
    sc_card *card = NULL;
    lrn_model *mod = NULL;
    cs_buf cj = {0}, pj = {0};

    if (!(y = cs_malloc(n * sizeof *y, err))) return CS_ENOMEM;
    if ((st = lrn_targets(m, rows, n, y, err))) goto done;
    if (!(is_cat = cs_calloc(m->n_feats ? m->n_feats : 1, 1, err))) { st = CS_ENOMEM; goto done; }
    for (size_t c = 0; c < p->n_categorical; c++) {
        long j = feat_index(m, p->categorical[c]);
        if (j < 0) { st = cs_err_set(err, CS_EINVAL, "categorical_features: no feature '%s'", p->categorical[c]); goto done; }
        is_cat[j] = 1;
    }
    /* 1. binning */
    if (!(ds = lrn_dataset_for(opts, m, DS_MAX_BIN, &owned, err))) { st = err ? err->code : CS_ENOMEM; goto done; }
    if ((st = bn_fit_matrix(m, ds, rows, n, is_cat, &p->bin, p->n_threads, &fs, err))) goto done;
    /* 2. selection: IV, then correlation of the WoE columns */
    if (!(cands = cs_malloc((m->n_feats ? m->n_feats : 1) * sizeof *cands, err))) { st = CS_ENOMEM; goto done; }
    for (size_t j = 0; j < m->n_feats; j++)
        if (fs[j]->iv >= p->iv_min && fs[j]->n_bins >= 2) cands[nc].feat = j, cands[nc++].iv = fs[j]->iv;
    qsort(cands, nc, sizeof *cands, _cmp_cand);
    if (!(sel = cs_malloc((kmax + 1) * sizeof *sel, err)) || !(woe = cs_calloc(kmax + 1, sizeof *woe, err)) ||
        !(zs = cs_calloc(kmax + 1, sizeof *zs, err)) || !(coef = cs_malloc((kmax + 1) * sizeof *coef, err))) {
        st = CS_ENOMEM;
        goto done;
    }
    for (size_t c = 0; c < nc && k < kmax; c++) {
        size_t j = cands[c].feat;
        if (!woe[k] && !(woe[k] = cs_malloc(n * sizeof(double), err))) { st = CS_ENOMEM; goto done; }
        if (!zs[k] && !(zs[k] = cs_malloc(n * sizeof(double), err))) { st = CS_ENOMEM; goto done; }
        _woe_col(m, j, fs[j], rows, n, woe[k]);
        memcpy(zs[k], woe[k], n * sizeof(double));
        _standardise(zs[k], n);
        int keep = 1;
        for (size_t s = 0; s < k && keep; s++)
            if (fabs(_corr(zs[k], zs[s], n)) > p->max_corr) keep = 0;
        if (keep) sel[k++] = j;
    }
    /* 3. regression; backward elimination of coefficients >= 0 */
    double intercept = 0;
    for (;;) {
        if (!k) {       /* nothing selected: the prior */
            double ev = 0;
            for (size_t i = 0; i < n; i++) ev += y[i];
            double pr = (ev + 0.5) / ((double)n + 1);
            intercept = log(pr / (1 - pr));
            break;
        }
        if ((st = _regress(p, m, rows, n, woe, k, y, coef, &intercept, err))) goto done;
        size_t worst = k;
        for (size_t s = 0; s < k; s++)
            if (coef[s] >= 0 && (worst == k || coef[s] > coef[worst])) worst = s;
        if (worst == k) break;
        double *w = woe[worst], *z = zs[worst];
        for (size_t s = worst; s + 1 < k; s++) sel[s] = sel[s + 1], woe[s] = woe[s + 1], zs[s] = zs[s + 1];
        woe[k - 1] = w, zs[k - 1] = z;
        k--;
    }
    /* 4. points */
    if (!(card = cs_calloc(1, sizeof *card, err)) || !(card->chars = cs_calloc(k ? k : 1, sizeof *card->chars, err))) {
        st = CS_ENOMEM;
        goto done;
    }
    card->pdo = p->pdo, card->base_points = p->base_points, card->base_odds = p->base_odds;
    _scaling(card);
    card->intercept = intercept;
    card->n_feats = m->n_feats;
    card->n_candidates = nc;
    if (!k) card->base = (int32_t)lround(card->offset - card->factor * intercept);
    for (size_t s = 0; s < k; s++) {
        sc_char *ch = &card->chars[s];
        ch->feat = sel[s];
        ch->coef = coef[s];
        ch->bins = fs[sel[s]];
        fs[sel[s]] = NULL;
        card->n_chars = s + 1;
        if (!(ch->points = cs_malloc(ch->bins->n_bins * sizeof *ch->points, err))) { st = CS_ENOMEM; goto done; }
        for (size_t b = 0; b < ch->bins->n_bins; b++)
            ch->points[b] = (int32_t)lround(card->offset / (double)k -
                                            card->factor * (ch->coef * ch->bins->bins[b].woe + intercept / (double)k));
        _minmax(ch);
    }
    /* the model: one tree per characteristic */
    if (!(mod = lrn_model_create(LRN_SCORECARD, m->n_feats, err))) { st = CS_ENOMEM; goto done; }
    mod->base_score = (card->offset - card->base) / card->factor;
    if (!(mod->trees = cs_calloc(k ? k : 1, sizeof *mod->trees, err))) { st = CS_ENOMEM; goto done; }
    for (size_t s = 0; s < k; s++) {
        if ((st = _char_tree(&card->chars[s], card->factor, m, rows, n, &mod->trees[s], err))) goto done;
        mod->n_trees = (int32_t)(s + 1);
    }
    if ((st = sc_card_to_json(card, &cj, err)) || (st = _params_to_json(p, &pj, err))) goto done;
    mod->card_json = cs_buf_take(&cj);
    mod->params_json = cs_buf_take(&pj);
    if ((st = lrn_model_prepare(mod, err))) goto done;
    *out = mod;
    mod = NULL;
done:
    cs_buf_free(&cj);
    cs_buf_free(&pj);
    lrn_model_free(mod);
    sc_card_free(card);
    for (size_t s = 0; woe && s <= kmax; s++) free(woe[s]);
    for (size_t s = 0; zs && s <= kmax; s++) free(zs[s]);
    free(woe);
    free(zs);
    free(coef);
    free(sel);
    free(cands);
    if (fs) bn_features_free(fs, m->n_feats);
    ds_free(owned);
    free(is_cat);
    free(y);
    return st;
}

const lrn_ops lrn_scorecard_ops = {
    .kind = LRN_SCORECARD,
    .params_create = _params_create,
    .params_set = _params_set,
    .params_to_json = _params_to_json,
    .params_copy = _params_copy,
    .params_free = _params_free,
    .fit = _fit,
};
