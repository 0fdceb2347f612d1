/*
 * model.c: the model handle the server scores with: a loaded model file (model/), the
 * name -> index map of its features, the map from the clients store's feature order to
 * the model's, and a reference count so that SIGHUP can swap models under load.
 * Scoring, calibration, the threshold and the histograms are the model module's; this
 * file only arranges and formats them.
 */
#include "handle.h"
#include "labels.h"
#include "../explain/shap.h"
#include "../features/engine.h"
#include "../model/model.h"
#include "../model/points.h"
#include "../model/sign.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct api_model {
    atomic_int refs;
    mf_model *mf;
    api_featmap *fm;
    size_t n_feats;
    long *from_store;           /* n_feats: index in the store's vector, -1 when absent */
    int store_complete;         /* every feature found in the store */
    double *gain;               /* n_feats gain importance */
    double *mean_abs_shap;      /* n_feats mean |SHAP| the model file carries, NULL for a file without */
    size_t n_shap_rows;         /* rows that mean was taken over */
    const char **names;         /* n_feats names (borrowed from mf) */
    shap_explainer *ex;
    double baseline_prob;       /* the calibrated probability of the explainer's expected value */
    double threshold_raw;       /* the raw score where the probability reaches the threshold (NaN: none) */
    const rcp_recipe *recipe;   /* the recipe the model's spec carries (borrowed), NULL for the kernel's */
    char **label[2];            /* with a recipe, per language (0 English, 1 French), n_feats: the
                                 * feature's label, NULL where the recipe does not know it */
    uint8_t *prot;              /* with a recipe, n_feats: 1 for a protected attribute */
    /* the challenger (serve --challenger), scored on this model's feature vector */
    mf_model *ch;               /* NULL when none */
    long *ch_from;              /* its n features: index in this model's vector */
    int ch_same;                /* 1: the same features in the same order (no copy) */
};

/* The recipe a model file's feature spec computes from, or NULL (the kernel's spec, or none). */
static const rcp_recipe *_model_recipe(const mf_model *mf)
{
    const feat_spec *spec = mf_spec(mf);
    return spec ? feat_spec_recipe(spec) : NULL;
}

static double _prob_of_raw(const api_model *m, double raw);
static double _threshold_raw(const api_model *m);

/* the explainer (one row at a time: no tables; shap_plan.h), the two numbers every
 * explanation quotes from the model alone (its baseline probability and the threshold as a
 * raw score) and the global importance the model file carries (computed by train over its
 * reference sample); a file from before it was stored is ordered by gain: no training work
 * at serve time */
static cs_status _prepare_explain(api_model *m, cs_err *err)
{
    size_t n_imp;
    shap_options so = SHAP_OPTIONS_DEFAULT;
    so.table_max_depth = -1;
    if (!(m->ex = shap_explainer_create_opts(mf_learner(m->mf), &so, err))) return err ? err->code : CS_EINVAL;
    m->baseline_prob = _prob_of_raw(m, shap_expected_value(m->ex));
    m->threshold_raw = _threshold_raw(m);
    if (m->recipe) {    /* the explanation's labels, resolved once here rather than per request */
        char buf[256];
        if (!(m->prot = cs_calloc(m->n_feats + 1, 1, err))) return CS_ENOMEM;
        for (int lang = 0; lang < 2; lang++)
            if (!(m->label[lang] = cs_calloc(m->n_feats + 1, sizeof *m->label[lang], err))) return CS_ENOMEM;
        for (size_t j = 0; j < m->n_feats; j++) {
            m->prot[j] = (uint8_t)(rcp_meta_is_protected(m->recipe, m->names[j]) != 0);
            for (int lang = 0; lang < 2; lang++) {
                if (!api_feature_label(m->recipe, m->names[j], lang, buf, sizeof buf)) continue;
                if (!(m->label[lang][j] = strdup(buf)))
                    return cs_err_set(err, CS_ENOMEM, "out of memory for the features' labels");
            }
        }
    }
    const double *imp = mf_importance(m->mf, &n_imp);
    if (imp) {
        if (!(m->mean_abs_shap = cs_calloc(m->n_feats + 1, sizeof *m->mean_abs_shap, err))) return CS_ENOMEM;
        memcpy(m->mean_abs_shap, imp, m->n_feats * sizeof *imp);
        m->n_shap_rows = n_imp;
    }
    return CS_OK;
}

api_model *api_model_load(const char *path, const char *const *store_names, size_t n_store, const void *key,
                          size_t key_len, cs_err *err)
{
    api_model *m = cs_calloc(1, sizeof *m, err);
    const char **names = NULL;
    if (!m) return NULL;
    atomic_init(&m->refs, 1);
    if (!(m->mf = key ? mf_load_signed(path, key, key_len, err) : mf_load(path, err))) goto fail;
    m->n_feats = mf_n_feats(m->mf);
    if (!(names = cs_calloc(m->n_feats + 1, sizeof *names, err))) goto fail;
    for (size_t j = 0; j < m->n_feats; j++) names[j] = mf_feat_name(m->mf, j);
    if (!(m->fm = api_featmap_create(names, m->n_feats, err))) goto fail;
    if (!(m->from_store = cs_malloc((m->n_feats + 1) * sizeof *m->from_store, err))) goto fail;
    if (!(m->gain = cs_calloc(m->n_feats + 1, sizeof *m->gain, err))) goto fail;
    lrn_importance_gain(mf_learner(m->mf), m->gain);
    m->store_complete = 1;
    if (n_store) {
        api_featmap *sm = api_featmap_create(store_names, n_store, err);
        if (!sm) goto fail;
        for (size_t j = 0; j < m->n_feats; j++) {
            m->from_store[j] = api_featmap_find(sm, names[j]);
            if (m->from_store[j] < 0) m->store_complete = 0;
        }
        api_featmap_free(sm);
    } else {
        for (size_t j = 0; j < m->n_feats; j++) m->from_store[j] = -1;
        m->store_complete = m->n_feats == 0;
    }
    m->names = names;
    names = NULL;
    m->recipe = _model_recipe(m->mf);
    if (_prepare_explain(m, err) != CS_OK) goto fail;
    return m;
fail:
    free(names);
    if (err && err->code != CS_OK && strncmp(err->msg, path, strlen(path)))
        cs_err_prefix(err, "%s: ", path);
    api_model_release(m);
    return NULL;
}

void api_model_retain(api_model *m)
{
    if (m) atomic_fetch_add(&m->refs, 1);
}

void api_model_release(api_model *m)
{
    if (!m || atomic_fetch_sub(&m->refs, 1) != 1) return;
    mf_free(m->mf);
    api_featmap_free(m->fm);
    free(m->from_store);
    free(m->gain);
    free(m->mean_abs_shap);
    free(m->names);
    shap_explainer_free(m->ex);
    for (int lang = 0; lang < 2; lang++) {
        for (size_t j = 0; m->label[lang] && j < m->n_feats; j++) free(m->label[lang][j]);
        free(m->label[lang]);
    }
    free(m->prot);
    mf_free(m->ch);
    free(m->ch_from);
    free(m);
}

/* ---- the challenger ------------------------------------------------------------------ */

cs_status api_model_set_challenger(api_model *m, const char *path, const void *key, size_t key_len, cs_err *err)
{
    mf_model *ch;
    long *from;
    size_t n;
    int same;
    if (!(ch = key ? mf_load_signed(path, key, key_len, err) : mf_load(path, err))) {
        if (err && strncmp(err->msg, path, strlen(path))) cs_err_prefix(err, "%s: ", path);
        return err ? err->code : CS_EIO;
    }
    n = mf_n_feats(ch);
    if (!(from = cs_malloc((n + 1) * sizeof *from, err))) {
        mf_free(ch);
        return CS_ENOMEM;
    }
    same = n == m->n_feats;
    for (size_t j = 0; j < n; j++) {
        const char *name = mf_feat_name(ch, j);
        from[j] = api_featmap_find(m->fm, name);
        if (from[j] < 0) {
            cs_status st = cs_err_set(err, CS_EINVAL,
                                      "challenger %s (model %s %s) needs feature '%s', which the champion %s %s does not "
                                      "compute: a challenger is scored on the champion's feature vector, so its features "
                                      "must be among the champion's",
                                      path, mf_name(ch), mf_version(ch), name, mf_name(m->mf), mf_version(m->mf));
            free(from);
            mf_free(ch);
            return st;
        }
        if (from[j] != (long)j) same = 0;
    }
    mf_free(m->ch);
    free(m->ch_from);
    m->ch = ch;
    m->ch_from = from;
    m->ch_same = same;
    return CS_OK;
}

const mf_model *api_model_challenger(const api_model *m) { return m ? m->ch : NULL; }

const double *api_model_challenger_x(const api_model *m, const double *x, double *scratch)
{
    size_t n;
    if (m->ch_same) return x;
    n = mf_n_feats(m->ch);
    for (size_t j = 0; j < n; j++) scratch[j] = x[m->ch_from[j]];
    return scratch;
}

const mf_model *api_model_mf(const api_model *m) { return m->mf; }
const rcp_recipe *api_model_recipe(const api_model *m) { return m->recipe; }
const char *api_model_recipe_name(const api_model *m) { return m->recipe && m->recipe->name ? m->recipe->name : ""; }

/* ,"label":{"en":..,"fr":..} of feature name when the model's recipe knows it */
static void _label_member(const api_model *m, cs_buf *b, const char *name)
{
    char en[256], fr[256];
    if (!m->recipe || !api_feature_label(m->recipe, name, 0, en, sizeof en)) return;
    api_feature_label(m->recipe, name, 1, fr, sizeof fr);
    cs_buf_puts(b, ",\"label\":{\"en\":", NULL);
    api_json_str(b, en, NULL);
    cs_buf_puts(b, ",\"fr\":", NULL);
    api_json_str(b, fr, NULL);
    cs_buf_puts(b, "}", NULL);
    if (rcp_meta_is_protected(m->recipe, name)) cs_buf_puts(b, ",\"protected\":true", NULL);
}
const char *api_model_name(const api_model *m) { return m ? mf_name(m->mf) : ""; }

const shap_explainer *api_model_explainer(const api_model *m) { return m->ex; }

const char *api_model_version(const api_model *m) { return m ? mf_version(m->mf) : ""; }
const api_featmap *api_model_featmap(const api_model *m) { return m->fm; }
size_t api_model_n_feats(const api_model *m) { return m->n_feats; }
int api_model_has_store_map(const api_model *m) { return m->store_complete; }

void api_model_x_from_store(const api_model *m, const double *store_x, double *x)
{
    for (size_t j = 0; j < m->n_feats; j++) x[j] = m->from_store[j] >= 0 ? store_x[m->from_store[j]] : NAN;
}

/* 1 when recipe table t reads a Home Credit file (hc_schema.h) */
static int _reads_hc(const rcp_table *t)
{
    for (int f = 0; f < t->n_files; f++)
        if (hc_table_from_file(t->files[f]) >= 0) return 1;
    return 0;
}

cs_status api_model_x_from_raw(const api_model *m, tbl *const tables[HC_N_TABLES], double *x, cs_err *err)
{
    const feat_spec *spec = mf_spec(m->mf);
    const rcp_recipe *r = spec ? feat_spec_recipe(spec) : NULL;
    feat_rdata d;
    double *all;
    cs_status st;
    if (!spec)
        return cs_err_set(err, CS_EUNSUPPORTED, "model %s has no feature spec: send client_id or features",
                          mf_name(m->mf));
    if (!_reads_hc(&r->tables[r->root]))
        return cs_err_set(err, CS_EUNSUPPORTED,
                          "model %s computes recipe %s's features: send its raw records as {\"records\": "
                          "{\"<table>\": ...}} (GET /v1/model lists them)",
                          mf_name(m->mf), r->name);
    if (!(all = cs_malloc((feat_spec_n_feats(spec) + 1) * sizeof *all, err))) return CS_ENOMEM;
    if ((st = feat_rdata_view_hc(r, tables, &d, err)) == CS_OK) st = feat_recipe_compute_one(spec, &d, all, NULL, err);
    if (st == CS_OK) {
        /* the spec's features by name into the model's order */
        for (size_t j = 0; j < m->n_feats; j++) x[j] = NAN;
        for (size_t k = 0; k < feat_spec_n_feats(spec); k++) {
            long j = api_featmap_find(m->fm, feat_spec_name(spec, k));
            if (j >= 0) x[j] = all[k];
        }
    }
    feat_rdata_view_free(&d);
    free(all);
    return st;
}

/* ---- GET /v1/model, /v1/importance, /v1/features/{name}/distribution ------------------- */

static void _num_member(cs_buf *b, const char *name, double v)
{
    cs_buf_printf(b, NULL, ",\"%s\":", name);
    api_json_num(b, v, NULL);
}

cs_status api_model_info_json(const api_model *m, cs_buf *out, cs_err *err)
{
    const mf_metrics *mt = mf_get_metrics(m->mf);
    const lrn_model *l = mf_learner(m->mf);
    const char *meta = mf_meta_json(m->mf);
    cJSON *meta_doc = meta ? cJSON_Parse(meta) : NULL;
    ev_cost_weights w = mf_cost_weights(m->mf);
    cs_buf_puts(out, "{\"name\":", NULL);
    api_json_str(out, mf_name(m->mf), NULL);
    cs_buf_puts(out, ",\"version\":", NULL);
    api_json_str(out, mf_version(m->mf), NULL);
    cs_buf_puts(out, ",\"kind\":", NULL);
    api_json_str(out, lrn_kind_name(l->kind), NULL);
    cs_buf_puts(out, ",\"created\":", NULL);
    api_json_str(out, mf_created(m->mf), NULL);
    cs_buf_puts(out, ",\"data_digest\":", NULL);
    api_json_str(out, mf_data_digest_of(m->mf), NULL);
    cs_buf_printf(out, NULL, ",\"n_train\":%zu,\"n_trees\":%d", mf_n_train(m->mf), (int)l->n_trees);
    _num_member(out, "positive_rate", mf_positive_rate(m->mf));
    _num_member(out, "threshold", mf_threshold(m->mf));
    cs_buf_puts(out, ",\"decision_rule\":\"refuse when probability >= threshold\",\"calibration\":", NULL);
    api_json_str(out, ev_calib_kind_name(ev_calib_kind_of(mf_calib(m->mf))), NULL);
    cs_buf_puts(out, ",\"cost\":{\"fn\":", NULL);
    api_json_num(out, w.fn, NULL);
    cs_buf_puts(out, ",\"fp\":", NULL);
    api_json_num(out, w.fp, NULL);
    cs_buf_puts(out, "}", NULL);
    _num_member(out, "expected_value", mf_expected_value(m->mf));
    cs_buf_printf(out, NULL, ",\"score_scale\":{\"points\":%d,\"odds\":%d,\"pdo\":%d}", MF_POINTS_BASE, MF_POINTS_ODDS,
                  MF_POINTS_PDO);
    cs_buf_printf(out, NULL, ",\"metrics\":{\"folds\":%d", mt->k);
    _num_member(out, "auc_mean", mt->auc_mean);
    _num_member(out, "auc_sd", mt->auc_sd);
    _num_member(out, "oof_auc", mt->oof_auc);
    _num_member(out, "gini", mt->gini);
    _num_member(out, "ks", mt->ks);
    _num_member(out, "log_loss", mt->log_loss);
    _num_member(out, "brier", mt->brier);
    _num_member(out, "cost", mt->cost);
    _num_member(out, "cost_at_half", mt->cost_at_half);
    _num_member(out, "tp", mt->tp);
    _num_member(out, "fp", mt->fp);
    _num_member(out, "tn", mt->tn);
    _num_member(out, "fn", mt->fn);
    _num_member(out, "fit_seconds", mt->fit_seconds);
    cs_buf_puts(out, ",\"fold_auc\":[", NULL);
    for (int k = 0; k < mt->k && mt->fold_auc; k++) {
        if (k) cs_buf_puts(out, ",", NULL);
        api_json_num(out, mt->fold_auc[k], NULL);
    }
    cs_buf_puts(out, "]}", NULL);
    {
        /* the cost curve of the calibrated out-of-fold probabilities (the dashboard's cost view) */
        size_t n_curve = 0;
        const ev_cost_point *curve = mf_cost_curve(m->mf, &n_curve);
        cs_buf_puts(out, ",\"cost_curve\":{\"thresholds\":[", NULL);
        for (size_t i = 0; i < n_curve; i++) {
            if (i) cs_buf_puts(out, ",", NULL);
            api_json_num(out, curve[i].threshold, NULL);
        }
        cs_buf_puts(out, "],\"costs\":[", NULL);
        for (size_t i = 0; i < n_curve; i++) {
            if (i) cs_buf_puts(out, ",", NULL);
            api_json_num(out, curve[i].cost, NULL);
        }
        cs_buf_puts(out, "]}", NULL);
    }
    cs_buf_printf(out, NULL, ",\"n_features\":%zu,\"features\":[", m->n_feats);
    for (size_t j = 0; j < m->n_feats; j++) {
        if (j) cs_buf_puts(out, ",", NULL);
        api_json_str(out, mf_feat_name(m->mf, j), NULL);
    }
    cs_buf_puts(out, "]", NULL);
    if (m->recipe) {    /* the features' labels (in order), and what a raw-record request must carry */
        cs_buf_puts(out, ",\"feature_labels\":[", NULL);
        for (size_t j = 0; j < m->n_feats; j++) {
            char en[256], fr[256];
            const char *name = mf_feat_name(m->mf, j);
            if (j) cs_buf_puts(out, ",", NULL);
            if (!api_feature_label(m->recipe, name, 0, en, sizeof en)) {
                cs_buf_puts(out, "null", NULL);
                continue;
            }
            api_feature_label(m->recipe, name, 1, fr, sizeof fr);
            cs_buf_puts(out, "{\"en\":", NULL);
            api_json_str(out, en, NULL);
            cs_buf_puts(out, ",\"fr\":", NULL);
            api_json_str(out, fr, NULL);
            cs_buf_puts(out, "}", NULL);
        }
        cs_buf_puts(out, "]", NULL);
        cs_buf_puts(out, ",\"recipe\":", NULL);
        api_json_str(out, m->recipe->name, NULL);
        cs_buf_puts(out, ",\"inputs\":", NULL);
        if (rcp_inputs_json(m->recipe, out, err) != CS_OK) {
            cJSON_Delete(meta_doc);
            return err ? err->code : CS_ENOMEM;
        }
    }
    if (meta_doc) {     /* the file's own META object, re-printed from a checked parse */
        char *txt = cJSON_PrintUnformatted(meta_doc);
        if (txt) {
            cs_buf_puts(out, ",\"meta\":", NULL);
            cs_buf_puts(out, txt, NULL);
            free(txt);
        }
        cJSON_Delete(meta_doc);
    }
    return cs_buf_puts(out, "}", err);
}

typedef struct _imp {
    size_t j;
    double key;
} _imp;

static int _cmp_imp(const void *a, const void *b)
{
    const _imp *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? 1 : -1;
    return x->j < y->j ? -1 : x->j > y->j;
}

cs_status api_model_importance_json(const api_model *m, cs_buf *out, cs_err *err)
{
    _imp *ord = cs_malloc((m->n_feats + 1) * sizeof *ord, err);
    if (!ord) return CS_ENOMEM;
    for (size_t j = 0; j < m->n_feats; j++) {
        ord[j].j = j;
        ord[j].key = m->mean_abs_shap ? m->mean_abs_shap[j] : m->gain[j];
    }
    qsort(ord, m->n_feats, sizeof *ord, _cmp_imp);
    cs_buf_printf(out, NULL, "{\"order\":\"%s\",\"shap_rows\":%zu,\"features\":[",
                  m->mean_abs_shap ? "mean_abs_shap" : "gain", m->n_shap_rows);
    for (size_t i = 0; i < m->n_feats; i++) {
        size_t j = ord[i].j;
        cs_buf_puts(out, i ? ",{\"feature\":" : "{\"feature\":", NULL);
        api_json_str(out, mf_feat_name(m->mf, j), NULL);
        _label_member(m, out, mf_feat_name(m->mf, j));
        cs_buf_puts(out, ",\"mean_abs_shap\":", NULL);
        api_json_num(out, m->mean_abs_shap ? m->mean_abs_shap[j] : NAN, NULL);
        cs_buf_puts(out, ",\"gain\":", NULL);
        api_json_num(out, m->gain[j], NULL);
        cs_buf_puts(out, "}", NULL);
    }
    free(ord);
    return cs_buf_puts(out, "]}", err);
}

cs_status api_model_distribution_json(const api_model *m, const char *name, cs_buf *out, cs_err *err)
{
    long j = api_featmap_find(m->fm, name);
    const mf_hist *h;
    if (j < 0) return cs_err_set(err, CS_ENOTFOUND, "the model has no feature named '%.200s'", name);
    if (!(h = mf_hist_of(m->mf, (size_t)j)))
        return cs_err_set(err, CS_ENOTFOUND, "model %s carries no histograms (trained without reference data)",
                          mf_name(m->mf));
    cs_buf_puts(out, "{\"feature\":", NULL);
    api_json_str(out, name, NULL);
    _label_member(m, out, name);
    if (m->recipe) {
        rcp_unit u = rcp_meta_unit(m->recipe, name);
        cs_buf_puts(out, ",\"unit\":", NULL);
        api_json_str(out, u == RCP_UNIT_NONE ? NULL : u == RCP_UNIT_CURRENCY && m->recipe->currency ? m->recipe->currency
                                                                                                     : rcp_unit_name(u),
                     NULL);
    }
    _num_member(out, "threshold", mf_threshold(m->mf));
    cs_buf_puts(out, ",\"edges\":[", NULL);
    for (int b = 0; b <= MF_HIST_BINS; b++) {
        if (b) cs_buf_puts(out, ",", NULL);
        api_json_num(out, b == MF_HIST_BINS ? h->hi : h->lo + b * (h->hi - h->lo) / MF_HIST_BINS, NULL);
    }
    cs_buf_puts(out, "],\"accepted\":[", NULL);
    for (int b = 0; b < MF_HIST_BINS; b++) {
        if (b) cs_buf_puts(out, ",", NULL);
        api_json_num(out, h->accepted[b], NULL);
    }
    cs_buf_puts(out, "],\"refused\":[", NULL);
    for (int b = 0; b < MF_HIST_BINS; b++) {
        if (b) cs_buf_puts(out, ",", NULL);
        api_json_num(out, h->refused[b], NULL);
    }
    cs_buf_puts(out, "]", NULL);
    _num_member(out, "missing_accepted", h->missing_accepted);
    _num_member(out, "missing_refused", h->missing_refused);
    return cs_buf_puts(out, "}", err);
}

/* ---- POST /v1/explain ---------------------------------------------------------------- */

static const char *_method(const lrn_model *l)
{
    if (l->n_trees > 0) return "treeshap";
    if (l->lin_coef) return "linear";
    return "constant";
}

/* The calibrated probability of a raw score (as mf_score computes it). */
static double _prob_of_raw(const api_model *m, double raw)
{
    return ev_calib_apply(mf_calib(m->mf), lrn_raw_to_proba(mf_learner(m->mf), raw));
}

/* The raw score at which the calibrated probability reaches the threshold (bisection over a
 * raw score that the probability increases with); NaN when the calibration does not keep the
 * order or the threshold lies outside what any raw score in [-60, 60] gives. */
static double _threshold_raw(const api_model *m)
{
    double lo = -60, hi = 60, th = mf_threshold(m->mf);
    if (!ev_calib_keeps_order(mf_calib(m->mf))) return NAN;
    if (!(_prob_of_raw(m, lo) < th && _prob_of_raw(m, hi) >= th)) return NAN;
    for (int i = 0; i < 200 && hi - lo > 1e-12; i++) {
        double mid = 0.5 * (lo + hi);
        if (_prob_of_raw(m, mid) >= th) hi = mid;
        else lo = mid;
    }
    return hi;
}

/* The k (<= n) largest |phi| into ord[0..k), in _cmp_imp's order (the first k of a full
 * sort): one pass keeping them sorted, an insertion only when one beats the k-th. */
static void _top_k(const double *phi, size_t n, size_t k, _imp *ord)
{
    size_t have = 0;
    for (size_t j = 0; j < n && k; j++) {
        _imp c = {j, fabs(phi[j])};
        if (have == k && _cmp_imp(&c, &ord[k - 1]) >= 0) continue;
        size_t i = have < k ? have++ : k - 1;
        while (i > 0 && _cmp_imp(&c, &ord[i - 1]) < 0) {
            ord[i] = ord[i - 1];
            i--;
        }
        ord[i] = c;
    }
}

cs_status api_model_explain_json(const api_model *m, const double *x, const mf_decision *sc, int top, int lang,
                                 cs_buf *out, cs_err *err)
{
    size_t n = m->n_feats, k = (size_t)top < n ? (size_t)top : n;
    double *phi = cs_malloc((n + 1) * sizeof *phi, err), sum;
    _imp *ord = cs_malloc((k + 1) * sizeof *ord, err);
    shap_reason reasons[4];
    size_t n_reasons = 0;
    cs_status st;
    if (!phi || !ord) {
        free(phi);
        free(ord);
        return CS_ENOMEM;
    }
    if ((st = shap_explain_row(m->ex, x, phi, err)) != CS_OK) {
        free(phi);
        free(ord);
        return st;
    }
    sum = shap_expected_value(m->ex);
    for (size_t j = 0; j < n; j++) sum += phi[j];
    _top_k(phi, n, k, ord);
    cs_buf_puts(out, "\"method\":", NULL);
    api_json_str(out, _method(mf_learner(m->mf)), NULL);
    cs_buf_puts(out, ",\"expected_value\":", NULL);
    api_json_num(out, shap_expected_value(m->ex), NULL);
    cs_buf_puts(out, ",\"raw_score\":", NULL);
    api_json_num(out, sc->raw, NULL);
    cs_buf_puts(out, ",\"contributions_sum\":", NULL);
    api_json_num(out, sum, NULL);
    /* the contributions' baseline (the average training client) and the threshold, both in
     * the contributions' scale: a page can say where the client stands against the threshold */
    cs_buf_puts(out, ",\"baseline_probability\":", NULL);
    api_json_num(out, m->baseline_prob, NULL);
    cs_buf_puts(out, ",\"threshold_raw_score\":", NULL);
    api_json_num(out, m->threshold_raw, NULL);
    cs_buf_puts(out, ",\"contributions\":[", NULL);
    for (size_t i = 0; i < k; i++) {
        size_t j = ord[i].j;
        cs_buf_puts(out, i ? ",{\"feature\":" : "{\"feature\":", NULL);
        api_json_str(out, m->names[j], NULL);
        if (m->recipe && m->label[lang ? 1 : 0][j]) {   /* the recipe's label in the request's language */
            cs_buf_puts(out, ",\"label\":", NULL);
            api_json_str(out, m->label[lang ? 1 : 0][j], NULL);
        }
        if (m->recipe && m->prot[j])   /* the model uses it: said, never hidden */
            cs_buf_puts(out, ",\"protected\":true", NULL);
        cs_buf_puts(out, ",\"value\":", NULL);
        api_json_num(out, x[j], NULL);
        cs_buf_puts(out, ",\"contribution\":", NULL);
        api_json_num(out, phi[j], NULL);
        cs_buf_puts(out, "}", NULL);
    }
    cs_buf_puts(out, "],\"reason_codes\":[", NULL);
    if (sc->refuse) {
        shap_labeller lab;
        if (m->recipe) api_labeller_init(&lab, m->recipe);
        n_reasons = shap_reasons_labelled(phi, x, m->names, n, 4, lang ? SHAP_LANG_FR : SHAP_LANG_EN,
                                          m->recipe ? &lab : NULL, reasons);
    }
    for (size_t i = 0; i < n_reasons; i++) {
        cs_buf_puts(out, i ? ",{\"code\":" : "{\"code\":", NULL);
        api_json_str(out, reasons[i].code, NULL);
        cs_buf_puts(out, ",\"feature\":", NULL);
        api_json_str(out, m->names[reasons[i].feature], NULL);
        cs_buf_puts(out, ",\"label\":", NULL);
        api_json_str(out, reasons[i].label, NULL);
        cs_buf_puts(out, ",\"value\":", NULL);
        api_json_num(out, reasons[i].value, NULL);
        cs_buf_puts(out, ",\"contribution\":", NULL);
        api_json_num(out, reasons[i].contribution, NULL);
        if (m->recipe && m->prot[reasons[i].feature])
            cs_buf_puts(out, ",\"protected\":true", NULL);
        cs_buf_puts(out, ",\"text\":", NULL);
        api_json_str(out, reasons[i].text, NULL);
        cs_buf_puts(out, "}", NULL);
    }
    free(phi);
    free(ord);
    return cs_buf_puts(out, "]", err);
}
