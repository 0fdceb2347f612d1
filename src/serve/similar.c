/*
 * similar.c: the applicants most like a client among the model's drift sample (similar.h).
 * Per request: the sample's rows are scored by the served model and measured against the
 * client (5,000 rows: a few milliseconds for a small model, tens for a large one), nothing
 * kept between requests.
 */
#include "similar.h"
#include "labels.h"
#include "../model/model.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct _cand {
    size_t row;
    double dist;
    double p;
    int refuse;
} _cand;

static int _by_dist(const void *a, const void *b)
{
    const _cand *x = a, *y = b;
    if (x->dist != y->dist) return x->dist < y->dist ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;   /* ties: sample order, so answers are stable */
}

/* the basis: up to API_SIMILAR_BASIS features, most important first; returns their number */
static int _basis(const mf_model *mf, const rcp_recipe *r, const double *imp, size_t *basis, double *w)
{
    size_t n = mf_n_feats(mf);
    int nb = 0;
    for (int k = 0; k < API_SIMILAR_BASIS; k++) {
        long best = -1;
        for (size_t j = 0; j < n; j++) {
            const mf_feature_stats *fs = mf_stats(mf, j);
            int taken = 0;
            for (int i = 0; i < nb; i++) taken |= basis[i] == j;
            if (taken || !(imp[j] > 0) || !fs || !(fs->sd > 0)) continue;
            if (r && rcp_meta_is_protected(r, mf_feat_name(mf, j))) continue;   /* never a basis of comparison */
            if (best < 0 || imp[j] > imp[best]) best = (long)j;
        }
        if (best < 0) break;
        basis[nb] = (size_t)best;
        w[nb++] = imp[best];
    }
    return nb;
}

/* one neighbour's object: its standing and the first four basis values, worded */
static void _neighbour(cs_buf *b, const mf_model *mf, const rcp_recipe *r, const _cand *c, const double *target,
                       const double *values, size_t n_rows, const size_t *basis, int nb, int lang)
{
    double t = target[c->row];
    cs_buf_puts(b, "{\"distance\":", NULL);
    api_json_num(b, c->dist, NULL);
    cs_buf_puts(b, ",\"probability\":", NULL);
    api_json_num(b, c->p, NULL);
    cs_buf_printf(b, NULL, ",\"decision\":\"%s\",\"outcome\":\"%s\",\"values\":[", mf_decision_word(c->refuse),
                  isnan(t) ? "unknown" : t > 0.5 ? "defaulted" : "repaid");
    for (int i = 0; i < nb && i < 4; i++) {
        const char *name = mf_feat_name(mf, basis[i]);
        double v = values[basis[i] * n_rows + c->row];
        char label[256], text[128];
        api_feature_label(r, name, lang, label, sizeof label);
        if (r) rcp_meta_format(r, name, v, lang ? RCP_FR : RCP_EN, text, sizeof text);
        else if (isnan(v)) snprintf(text, sizeof text, "—");
        else snprintf(text, sizeof text, "%.4g", v);
        cs_buf_puts(b, i ? ",{\"name\":" : "{\"name\":", NULL);
        api_json_str(b, name, NULL);
        cs_buf_puts(b, ",\"label\":", NULL);
        api_json_str(b, label, NULL);
        cs_buf_puts(b, ",\"value\":", NULL);
        api_json_num(b, v, NULL);
        cs_buf_puts(b, ",\"text\":", NULL);
        api_json_str(b, text, NULL);
        cs_buf_puts(b, "}", NULL);
    }
    cs_buf_puts(b, "]}", NULL);
}

cs_status api_model_similar_json(const api_model *m, const double *x, int64_t client_id, int k, int lang,
                                 cs_buf *out, cs_err *err)
{
    const mf_model *mf;
    const rcp_recipe *r;
    const int64_t *ids;
    const double *target, *values, *imp;
    size_t n_rows, n, n_cand = 0, band, approved = 0, defaults = 0, known = 0;
    size_t basis[API_SIMILAR_BASIS];
    double w[API_SIMILAR_BASIS], w_client = 0, *row = NULL, *gain = NULL;
    _cand *cand = NULL;
    cs_status st = CS_OK;
    int nb;
    assert(m && x && out && k >= 0);
    mf = api_model_mf(m);
    r = api_model_recipe(m);
    n = mf_n_feats(mf);
    if (!(n_rows = mf_sample(mf, &ids, &target, &values)))
        return cs_err_set(err, CS_ENOTFOUND, "model %s carries no drift sample (trained before it was stored): retrain it",
                          mf_name(mf));
    if (!(imp = mf_importance(mf, NULL))) {
        if (!(gain = cs_calloc(n + 1, sizeof *gain, err))) return CS_ENOMEM;
        lrn_importance_gain(mf_learner(mf), gain);
        imp = gain;
    }
    nb = _basis(mf, r, imp, basis, w);
    for (int b = 0; b < nb; b++)
        if (!isnan(x[basis[b]])) w_client += w[b];
    if (!(row = cs_malloc((n + 1) * sizeof *row, err)) || !(cand = cs_malloc(n_rows * sizeof *cand, err))) {
        st = CS_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n_rows; i++) {
        double sw = 0, s = 0;
        if (ids[i] == client_id) continue;      /* the client is not its own neighbour */
        for (int b = 0; b < nb; b++) {
            double a = x[basis[b]], v = values[basis[b] * n_rows + i];
            if (isnan(a) || isnan(v)) continue;
            double z = (a - v) / mf_stats(mf, basis[b])->sd;
            s += w[b] * z * z;
            sw += w[b];
        }
        if (!(sw > 0) || sw < 0.5 * w_client) continue;   /* too little in common to compare */
        for (size_t j = 0; j < n; j++) row[j] = values[j * n_rows + i];
        cand[n_cand].row = i;
        cand[n_cand].dist = sqrt(s / sw);
        cand[n_cand].p = mf_predict_proba(mf, row);
        cand[n_cand].refuse = mf_decide(mf, cand[n_cand].p);
        n_cand++;
    }
    qsort(cand, n_cand, sizeof *cand, _by_dist);
    band = n_cand < API_SIMILAR_BAND ? n_cand : API_SIMILAR_BAND;
    for (size_t i = 0; i < band; i++) {
        approved += !cand[i].refuse;
        if (!isnan(target[cand[i].row])) {
            known++;
            defaults += target[cand[i].row] > 0.5;
        }
    }
    cs_buf_puts(out, "\"basis\":{\"sample\":", NULL);
    cs_buf_printf(out, NULL, "%zu,\"features\":[", n_rows);
    for (int b = 0; b < nb; b++) {
        char label[256];
        api_feature_label(r, mf_feat_name(mf, basis[b]), lang, label, sizeof label);
        cs_buf_puts(out, b ? ",{\"name\":" : "{\"name\":", NULL);
        api_json_str(out, mf_feat_name(mf, basis[b]), NULL);
        cs_buf_puts(out, ",\"label\":", NULL);
        api_json_str(out, label, NULL);
        cs_buf_puts(out, "}", NULL);
    }
    cs_buf_printf(out, NULL, "]},\"band\":{\"size\":%zu,\"approved\":%zu,\"acceptance_rate\":", band, approved);
    api_json_num(out, band ? (double)approved / (double)band : (double)NAN, NULL);
    cs_buf_printf(out, NULL, ",\"known_outcomes\":%zu,\"default_rate\":", known);
    api_json_num(out, known ? (double)defaults / (double)known : (double)NAN, NULL);
    for (int refused = 0; refused < 2; refused++) {
        int shown = 0;
        cs_buf_puts(out, refused ? "],\"refused\":[" : "},\"approved\":[", NULL);
        for (size_t i = 0; i < n_cand && shown < k; i++) {
            if (cand[i].refuse != refused) continue;
            if (shown++) cs_buf_puts(out, ",", NULL);
            _neighbour(out, mf, r, &cand[i], target, values, n_rows, basis, nb, lang);
        }
    }
    if (cs_buf_puts(out, "]", err) != CS_OK) st = CS_ENOMEM;
out:
    free(row);
    free(cand);
    free(gain);
    return st;
}
