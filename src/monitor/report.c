/*
 * report.c: the monitoring report as JSON (stable field names, docs/monitor.md) and as
 * one self-contained HTML page with inline SVG charts (no script, nothing fetched).
 */
#include "monitor.h"
#include "../store/audit.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MON_JSON_FORMAT 1

/* ---- JSON ------------------------------------------------------------------------------ */

static void _num(cs_buf *b, double v)
{
    char t[40];
    if (v != v || isinf(v)) {
        cs_buf_puts(b, "null", NULL);
        return;
    }
    cs_fmt_double(t, sizeof t, v);
    cs_buf_puts(b, t, NULL);
}

static void _str(cs_buf *b, const char *s)
{
    cs_buf_puts(b, "\"", NULL);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') cs_buf_printf(b, NULL, "\\%c", c);
        else if (c < 0x20) cs_buf_printf(b, NULL, "\\u%04x", c);
        else cs_buf_append(b, s, 1, NULL);
    }
    cs_buf_puts(b, "\"", NULL);
}

static void _time(cs_buf *b, int64_t ms)
{
    char t[32];
    store_audit_format_time(ms, t);
    _str(b, t);
}

static void _nums(cs_buf *b, const double *v, size_t n)
{
    cs_buf_puts(b, "[", NULL);
    for (size_t i = 0; i < n; i++) {
        if (i) cs_buf_puts(b, ",", NULL);
        _num(b, v[i]);
    }
    cs_buf_puts(b, "]", NULL);
}

/* the bins' labels: "(-inf, e0]", "(e0, e1]", ..., "missing" */
static void _bin_label(const mf_mon_bins *bins, int k, char *out, size_t cap)
{
    char a[32], c[32];
    if (k == MF_MON_MISSING) {
        snprintf(out, cap, "missing");
        return;
    }
    if (k > 0) snprintf(a, sizeof a, "%.4g", bins->edges[k - 1]);
    else snprintf(a, sizeof a, "-inf");
    if (k < bins->n_edges) snprintf(c, sizeof c, "%.4g", bins->edges[k]);
    else snprintf(c, sizeof c, "inf");
    snprintf(out, cap, "(%s, %s]", a, c);
}

char *mon_report_json(const mon_report *r, cs_err *err)
{
    cs_buf b = {0};
    const mf_score_ref *sr = &r->score_ref;
    cs_buf_printf(&b, NULL, "{\"format\":%d,\"model\":{\"name\":", MON_JSON_FORMAT);
    _str(&b, r->model_name);
    cs_buf_puts(&b, ",\"version\":", NULL);
    _str(&b, r->model_version);
    cs_buf_puts(&b, "},\"audit\":", NULL);
    _str(&b, r->audit_path);
    cs_buf_puts(&b, ",\"clients\":", NULL);
    if (r->clients_path) _str(&b, r->clients_path);
    else cs_buf_puts(&b, "null", NULL);
    cs_buf_puts(&b, ",\"features_file\":", NULL);
    if (r->features_path) _str(&b, r->features_path);
    else cs_buf_puts(&b, "null", NULL);
    cs_buf_printf(&b, NULL, ",\"by\":\"%s\",\"since\":", r->by == MON_BY_WEEK ? "week" : "month");
    if (r->since_ms > 0) _time(&b, r->since_ms);
    else cs_buf_puts(&b, "null", NULL);
    cs_buf_puts(&b, ",\"until\":", NULL);
    if (r->until_ms > 0) _time(&b, r->until_ms);
    else cs_buf_puts(&b, "null", NULL);
    cs_buf_puts(&b, ",\"as_of\":", NULL);
    _time(&b, r->as_of_ms);
    cs_buf_puts(&b, ",\"min_known\":", NULL);
    _num(&b, r->min_known);
    cs_buf_printf(&b, NULL,
                  ",\"decisions\":%zu,\"decisions_other_models\":%zu,\"decisions_without_client\":%zu,"
                  "\"decisions_client_unknown\":%zu,\"outcomes_matched\":%zu,\"seconds\":",
                  r->n_decisions, r->n_other_models, r->n_no_client, r->n_client_unknown, r->n_outcomes_matched);
    _num(&b, r->seconds);
    cs_buf_puts(&b, ",\"psi_bands\":{\"stable\":\"< 0.1\",\"watch\":\"0.1 - 0.25\",\"act\":\"> 0.25\"}", NULL);
    /* the reference */
    cs_buf_puts(&b, ",\"reference\":{\"rows\":", NULL);
    _num(&b, sr->n);
    cs_buf_puts(&b, ",\"score_edges\":", NULL);
    _nums(&b, sr->bins.edges, (size_t)sr->bins.n_edges);
    cs_buf_puts(&b, ",\"bins\":[", NULL);
    for (int k = 0; k <= sr->bins.n_edges + 1; k++) {
        int bk = k <= sr->bins.n_edges ? k : MF_MON_MISSING;
        char lab[80];
        _bin_label(&sr->bins, bk, lab, sizeof lab);
        if (k) cs_buf_puts(&b, ",", NULL);
        cs_buf_puts(&b, "{\"label\":", NULL);
        _str(&b, lab);
        cs_buf_puts(&b, ",\"share\":", NULL);
        _num(&b, sr->bins.share[bk]);
        cs_buf_puts(&b, ",\"pd\":", NULL);
        _num(&b, sr->pd[bk]);
        cs_buf_puts(&b, ",\"default_rate\":", NULL);
        _num(&b, sr->dr[bk]);
        cs_buf_puts(&b, "}", NULL);
    }
    cs_buf_puts(&b, "]},\"features\":[", NULL);
    for (size_t j = 0; j < r->n_feats; j++) {
        if (j) cs_buf_puts(&b, ",", NULL);
        _str(&b, r->feat_names[j]);
    }
    cs_buf_puts(&b, "],\"features_missing_from_clients\":[", NULL);
    {
        int first = 1;
        for (size_t j = 0; mon_report_has_features(r) && j < r->n_feats; j++)
            if (r->feat_store_index[j] < 0) {
                if (!first) cs_buf_puts(&b, ",", NULL);
                first = 0;
                _str(&b, r->feat_names[j]);
            }
    }
    cs_buf_puts(&b, "],\"periods\":[", NULL);
    for (size_t p = 0; p < r->n_periods; p++) {
        const mon_period *pp = &r->periods[p];
        if (p) cs_buf_puts(&b, ",", NULL);
        cs_buf_puts(&b, "{\"period\":", NULL);
        _str(&b, pp->label);
        cs_buf_puts(&b, ",\"start\":", NULL);
        _time(&b, pp->start_ms);
        cs_buf_puts(&b, ",\"end\":", NULL);
        _time(&b, pp->end_ms);
        cs_buf_puts(&b, ",\"decisions\":", NULL);
        _num(&b, pp->n);
        cs_buf_puts(&b, ",\"approved\":", NULL);
        _num(&b, pp->approved);
        cs_buf_puts(&b, ",\"approval_rate\":", NULL);
        _num(&b, pp->approval_rate);
        cs_buf_puts(&b, ",\"score_share\":", NULL);
        {
            double v[MF_MON_BINS + 1];
            int k = 0;
            for (; k <= sr->bins.n_edges; k++) v[k] = pp->score_share[k];
            v[k++] = pp->score_share[MF_MON_MISSING];
            _nums(&b, v, (size_t)k);
        }
        cs_buf_puts(&b, ",\"psi\":", NULL);
        _num(&b, pp->psi);
        cs_buf_printf(&b, NULL, ",\"psi_band\":\"%s\",\"decisions_with_features\":", mon_psi_band(pp->psi));
        _num(&b, pp->n_features);
        cs_buf_puts(&b, ",\"csi_max\":", NULL);
        _num(&b, pp->csi_max);
        cs_buf_puts(&b, ",\"csi_max_feature\":", NULL);
        if (pp->csi_max_feature >= 0) _str(&b, r->feat_names[pp->csi_max_feature]);
        else cs_buf_puts(&b, "null", NULL);
        cs_buf_printf(&b, NULL, ",\"features_watch\":%d,\"features_act\":%d,\"csi\":", pp->n_csi_watch, pp->n_csi_act);
        _nums(&b, pp->csi, r->n_feats);
        cs_buf_puts(&b, ",\"outcomes\":", NULL);
        _num(&b, pp->n_outcomes);
        cs_buf_puts(&b, ",\"defaults\":", NULL);
        _num(&b, pp->defaults);
        cs_buf_puts(&b, ",\"known_share\":", NULL);
        _num(&b, pp->known_share);
        cs_buf_printf(&b, NULL, ",\"mature\":%s,\"auc\":", pp->mature ? "true" : "false");
        _num(&b, pp->auc);
        cs_buf_puts(&b, ",\"gini\":", NULL);
        _num(&b, pp->gini);
        cs_buf_puts(&b, ",\"ks\":", NULL);
        _num(&b, pp->ks);
        cs_buf_puts(&b, ",\"expected_default_rate\":", NULL);
        _num(&b, pp->expected);
        cs_buf_puts(&b, ",\"observed_default_rate\":", NULL);
        _num(&b, pp->observed);
        cs_buf_puts(&b, ",\"observed_over_expected\":", NULL);
        _num(&b, pp->oe);
        cs_buf_puts(&b, ",\"brier\":", NULL);
        _num(&b, pp->brier);
        cs_buf_puts(&b, ",\"binomial_p\":", NULL);
        _num(&b, pp->p_value);
        cs_buf_puts(&b, ",\"bands\":[", NULL);
        for (int k = 0; k <= sr->bins.n_edges; k++) {
            const mon_band *bd = &pp->bands[k];
            if (k) cs_buf_puts(&b, ",", NULL);
            cs_buf_printf(&b, NULL, "{\"band\":%d,\"n\":", k);
            _num(&b, bd->n);
            cs_buf_puts(&b, ",\"defaults\":", NULL);
            _num(&b, bd->defaults);
            cs_buf_puts(&b, ",\"expected\":", NULL);
            _num(&b, bd->expected);
            cs_buf_puts(&b, ",\"observed\":", NULL);
            _num(&b, bd->observed);
            cs_buf_puts(&b, ",\"binomial_p\":", NULL);
            _num(&b, bd->p_value);
            cs_buf_puts(&b, "}", NULL);
        }
        cs_buf_puts(&b, "]}", NULL);
    }
    cs_buf_puts(&b, "],\"vintages\":[", NULL);
    for (size_t v = 0; v < r->n_vintages; v++) {
        const mon_vintage *vg = &r->vintages[v];
        if (v) cs_buf_puts(&b, ",", NULL);
        cs_buf_puts(&b, "{\"cohort\":", NULL);
        _str(&b, vg->label);
        cs_buf_puts(&b, ",\"booked\":", NULL);
        _num(&b, vg->booked);
        cs_buf_puts(&b, ",\"cumulative_default_rate\":", NULL);
        _nums(&b, vg->cum_rate, (size_t)vg->n_mob + 1);
        cs_buf_puts(&b, "}", NULL);
    }
    if (cs_buf_puts(&b, "]}\n", err)) {
        cs_buf_free(&b);
        return NULL;
    }
    return cs_buf_take(&b);
}

cs_status mon_write_file(const char *path, const char *text, cs_err *err)
{
    return cs_write_file(path, text, strlen(text), err);
}
