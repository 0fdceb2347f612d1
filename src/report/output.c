/*
 * output.c: the model report as JSON (stable names, docs/model-report.md) and as one
 * self-contained HTML page with inline SVG charts (report.h).
 */
#include "report.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../features/engine.h"
#include "../io/hc_schema.h"

/* ---- shared: the facts both writers print ------------------------------------------------ */

static void _iso_ms(int64_t ms, char *out, size_t cap)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (ms <= 0) {
        snprintf(out, cap, "-");
        return;
    }
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* a sentence from the model when the owner gave no purpose */
static void _purpose(const rpt_report *r, const rpt_doc *d, char *out, size_t cap)
{
    const mf_model *m = r->model;
    ev_cost_weights w = mf_cost_weights(m);
    if (d->purpose) {
        snprintf(out, cap, "%s", d->purpose);
        return;
    }
    snprintf(out, cap,
             "Estimates the probability that an applicant defaults (the training target) for the credit decision: "
             "an application is refused when the calibrated probability is at or above %.4f, the threshold that "
             "minimises %g x missed defaults + %g x refused repayers on the out-of-fold predictions.",
             mf_threshold(m), w.fn, w.fp);
}

/* the data's tables: the recipe's (name: files) or the Home Credit kernel's */
static cJSON *_tables_json(const mf_model *m)
{
    cJSON *a = cJSON_CreateArray();
    const feat_spec *spec = mf_spec(m);
    const rcp_recipe *rc = spec ? feat_spec_recipe(spec) : NULL;
    if (!a) return NULL;
    if (rc) {
        for (int t = 0; t < rc->n_tables; t++) {
            cJSON *o = cJSON_CreateObject(), *f = cJSON_CreateArray();
            cJSON_AddStringToObject(o, "name", rc->tables[t].name);
            for (int k = 0; k < rc->tables[t].n_files; k++)
                cJSON_AddItemToArray(f, cJSON_CreateString(rc->tables[t].files[k]));
            cJSON_AddItemToObject(o, "files", f);
            cJSON_AddBoolToObject(o, "root", t == rc->root);
            cJSON_AddItemToArray(a, o);
        }
    } else if (spec) {
        for (int t = 0; t < HC_N_TABLES; t++) {
            cJSON *o = cJSON_CreateObject(), *f = cJSON_CreateArray();
            cJSON_AddStringToObject(o, "name", hc_file_name((hc_table)t));
            cJSON_AddItemToArray(f, cJSON_CreateString(hc_file_name((hc_table)t)));
            cJSON_AddItemToObject(o, "files", f);
            cJSON_AddBoolToObject(o, "root", t <= HC_APPLICATION_TEST);
            cJSON_AddItemToArray(a, o);
        }
    }
    return a;
}

/* ---- JSON ------------------------------------------------------------------------------- */

static cJSON *_num(double v)
{
    char s[40];
    if (!isfinite(v)) return cJSON_CreateNull();
    cs_fmt_double(s, sizeof s, v);
    return cJSON_CreateRaw(s);
}

static cJSON *_ci(rpt_ci c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "value", _num(c.value));
    cJSON_AddItemToObject(o, "lo", _num(c.lo));
    cJSON_AddItemToObject(o, "hi", _num(c.hi));
    return o;
}

static cJSON *_arr(const double *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(a, _num(v[i]));
    return a;
}

static cJSON *_str_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* the fairness report's summary: per attribute the smallest AIR and the differences */
static cJSON *_fair_summary(const cJSON *f, const char *path)
{
    cJSON *o = cJSON_CreateObject(), *attrs = cJSON_CreateArray();
    const cJSON *a, *ov = cJSON_GetObjectItemCaseSensitive(f, "overall");
    const cJSON *cmp = cJSON_GetObjectItemCaseSensitive(f, "compare");
    cJSON_AddItemToObject(o, "source", _str_or_null(path));
    cJSON_AddItemToObject(o, "features", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(f, "features"), 1));
    cJSON_AddItemToObject(o, "min_adverse_impact_ratio",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(f, "min_adverse_impact_ratio"), 1));
    if (ov) cJSON_AddItemToObject(o, "overall", cJSON_Duplicate(ov, 1));
    if (cmp && cJSON_IsObject(cmp)) cJSON_AddItemToObject(o, "compare", cJSON_Duplicate(cmp, 1));
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(f, "attributes"))
    {
        cJSON *s = cJSON_CreateObject();
        static const char *keys[] = {"name", "kind", "favoured_group", "min_adverse_impact_ratio", "four_fifths_pass",
                                     "demographic_parity_difference", "equal_opportunity_difference",
                                     "equalized_odds_difference"};
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, keys[k]);
            cJSON_AddItemToObject(s, keys[k], v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull());
        }
        cJSON_AddItemToArray(attrs, s);
    }
    cJSON_AddItemToObject(o, "attributes", attrs);
    return o;
}

static cs_status _parse_fairness(const rpt_doc *d, cJSON **out, cs_err *err)
{
    *out = NULL;
    if (!d->fairness_json) return CS_OK;
    *out = cJSON_Parse(d->fairness_json);
    if (!cJSON_IsObject(*out) || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(*out, "attributes"))) {
        cJSON_Delete(*out);
        *out = NULL;
        return cs_err_set(err, CS_EINVAL, "%s: not a fairness report's JSON (creditscore fairness --json)",
                          d->fairness_path ? d->fairness_path : "the fairness report");
    }
    return CS_OK;
}

cs_status rpt_json(const rpt_report *r, const rpt_doc *d, cs_buf *out, cs_err *err)
{
    const mf_model *m = r->model;
    const mf_metrics *mt = mf_get_metrics(m);
    cJSON *o = cJSON_CreateObject(), *x, *f = NULL;
    char purpose[1024], *text;
    size_t nf = mf_n_feats(m), ncurve = 0;
    const ev_cost_point *curve = mf_cost_curve(m, &ncurve);
    const double *imp = mf_importance(m, NULL);
    cs_status st;

    if (!o) return cs_err_set(err, CS_ENOMEM, "out of memory building the report");
    if ((st = _parse_fairness(d, &f, err))) {
        cJSON_Delete(o);
        return st;
    }
    _purpose(r, d, purpose, sizeof purpose);
    cJSON_AddNumberToObject(o, "format", 1);
    cJSON_AddItemToObject(o, "generated", _str_or_null(d->generated));
    x = cJSON_AddObjectToObject(o, "model");
    cJSON_AddItemToObject(x, "path", _str_or_null(d->model_path));
    cJSON_AddItemToObject(x, "sha256", _str_or_null(d->model_sha256));
    cJSON_AddStringToObject(x, "name", mf_name(m));
    cJSON_AddStringToObject(x, "version", mf_version(m));
    cJSON_AddStringToObject(x, "created", mf_created(m));
    cJSON_AddStringToObject(x, "learner", lrn_kind_name(mf_learner(m)->kind));
    cJSON_AddItemToObject(x, "n_features", _num((double)nf));
    cJSON_AddStringToObject(x, "calibration", ev_calib_kind_name(ev_calib_kind_of(mf_calib(m))));
    cJSON_AddItemToObject(x, "threshold", _num(mf_threshold(m)));
    cJSON_AddItemToObject(x, "cost_fn", _num(mf_cost_weights(m).fn));
    cJSON_AddItemToObject(x, "cost_fp", _num(mf_cost_weights(m).fp));
    cJSON_AddStringToObject(o, "purpose", purpose);

    x = cJSON_AddObjectToObject(o, "data");
    cJSON_AddItemToObject(x, "features_file", _str_or_null(mf_features_file(m)));
    cJSON_AddItemToObject(x, "recipe",
                          _str_or_null(mf_spec(m) && feat_spec_recipe(mf_spec(m)) ? feat_spec_recipe(mf_spec(m))->name
                                                                                  : mf_spec(m) ? "Home Credit kernel" : NULL));
    cJSON_AddItemToObject(x, "tables", _tables_json(m));
    cJSON_AddItemToObject(x, "n_train", _num((double)mf_n_train(m)));
    cJSON_AddItemToObject(x, "default_rate", _num(mf_positive_rate(m)));
    cJSON_AddItemToObject(x, "n_test", _num((double)r->n_test));
    cJSON_AddStringToObject(x, "data_digest", mf_data_digest_of(m));
    cJSON_AddItemToObject(x, "trained", _str_or_null(mf_created(m)));

    x = cJSON_AddObjectToObject(o, "lineage");
    cJSON_AddItemToObject(x, "run_id", _str_or_null(d->run ? d->run->run_id : mf_run_id(m)));
    cJSON_AddItemToObject(x, "code_version", _str_or_null(mf_code_version(m)));
    cJSON_AddItemToObject(x, "store", _str_or_null(d->run ? d->store_path : NULL));
    if (d->run) {
        char a[32], b[32];
        _iso_ms(d->run->start_ms, a, sizeof a);
        _iso_ms(d->run->end_ms, b, sizeof b);
        cJSON_AddStringToObject(x, "run_name", d->run->name ? d->run->name : "");
        cJSON_AddStringToObject(x, "status", store_status_name(d->run->status));
        cJSON_AddStringToObject(x, "started", a);
        cJSON_AddStringToObject(x, "ended", b);
        cJSON_AddItemToObject(x, "command", _str_or_null(d->run->source));
        cJSON_AddItemToObject(x, "user", _str_or_null(d->run->user));
        cJSON *pp = cJSON_AddObjectToObject(x, "run_params");
        for (size_t i = 0; i < d->run->n_params; i++) cJSON_AddStringToObject(pp, d->run->params[i].key, d->run->params[i].value);
    }
    cJSON_AddItemToObject(x, "search_trials", _num(d->trials ? (double)d->trials->n : 0));
    cJSON_AddItemToObject(x, "params", cJSON_Parse(mf_params_json(m) ? mf_params_json(m) : "{}"));
    cJSON_AddItemToObject(x, "search", mf_search_json(m) ? cJSON_Parse(mf_search_json(m)) : cJSON_CreateNull());
    cJSON_AddItemToObject(x, "excluded_protected",
                          mf_protected_json(m) ? cJSON_Parse(mf_protected_json(m)) : cJSON_CreateNull());

    x = cJSON_AddObjectToObject(o, "performance");
    cJSON_AddStringToObject(x, "on", "calibrated out-of-fold probabilities of the training rows");
    cJSON_AddItemToObject(x, "n", _num((double)r->n));
    cJSON_AddItemToObject(x, "n_default", _num(r->n_default));
    cJSON_AddItemToObject(x, "cv_folds", _num(mt->k));
    cJSON_AddItemToObject(x, "cv_auc_mean", _num(mt->auc_mean));
    cJSON_AddItemToObject(x, "cv_auc_sd", _num(mt->auc_sd));
    cJSON_AddItemToObject(x, "auc", _ci(r->auc));
    cJSON_AddItemToObject(x, "gini", _ci(r->gini));
    cJSON_AddItemToObject(x, "ks", _ci(r->ks));
    cJSON_AddItemToObject(x, "log_loss", _ci(r->log_loss));
    cJSON_AddItemToObject(x, "brier", _ci(r->brier));
    {
        cJSON *b = cJSON_AddObjectToObject(x, "bootstrap");
        cJSON_AddNumberToObject(b, "replicates", r->n_boot);
        cJSON_AddNumberToObject(b, "seed", (double)r->seed);
        cJSON_AddNumberToObject(b, "level", 0.95);
        cJSON_AddStringToObject(b, "method", "percentile; rows drawn with replacement");
    }
    {
        cJSON *t = cJSON_AddObjectToObject(x, "at_threshold");
        cJSON_AddItemToObject(t, "threshold", _num(r->threshold));
        cJSON_AddItemToObject(t, "approval_rate", _num(r->approval));
        cJSON_AddItemToObject(t, "tp", _num(r->tp));
        cJSON_AddItemToObject(t, "fp", _num(r->fp));
        cJSON_AddItemToObject(t, "tn", _num(r->tn));
        cJSON_AddItemToObject(t, "fn", _num(r->fn));
        cJSON_AddItemToObject(t, "cost", _num(r->cost));
    }
    {
        cJSON *c = cJSON_AddObjectToObject(x, "roc");
        cJSON_AddItemToObject(c, "fpr", _arr(r->roc_fpr, (size_t)r->n_roc));
        cJSON_AddItemToObject(c, "tpr", _arr(r->roc_tpr, (size_t)r->n_roc));
        c = cJSON_AddObjectToObject(x, "calibration_deciles");
        cJSON_AddItemToObject(c, "n", _arr(r->dec_n, RPT_DECILES));
        cJSON_AddItemToObject(c, "mean_probability", _arr(r->dec_p, RPT_DECILES));
        cJSON_AddItemToObject(c, "default_rate", _arr(r->dec_y, RPT_DECILES));
        c = cJSON_AddObjectToObject(x, "score_distribution");
        cJSON_AddItemToObject(c, "hi", _num(r->score_hi));
        cJSON_AddItemToObject(c, "bins", _num(RPT_SCORE_BINS));
        cJSON_AddItemToObject(c, "defaulters", _arr(r->dist_default, RPT_SCORE_BINS));
        cJSON_AddItemToObject(c, "repayers", _arr(r->dist_repaid, RPT_SCORE_BINS));
        c = cJSON_AddObjectToObject(x, "cost_curve");
        cJSON *th = cJSON_AddArrayToObject(c, "threshold"), *co = cJSON_AddArrayToObject(c, "cost");
        for (size_t i = 0; i < ncurve; i++) {
            cJSON_AddItemToArray(th, _num(curve[i].threshold));
            cJSON_AddItemToArray(co, _num(curve[i].cost));
        }
    }

    x = cJSON_AddObjectToObject(o, "stability");
    cJSON_AddItemToObject(x, "n_test", _num((double)r->n_test));
    cJSON_AddItemToObject(x, "psi_score", _num(r->psi_score));
    {
        cJSON *a = cJSON_AddArrayToObject(x, "features");
        for (size_t k = 0; k < nf; k++) {
            size_t j = r->psi_order[k];
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "feature", mf_feat_name(m, j));
            cJSON_AddItemToObject(e, "psi", _num(r->psi[j]));
            cJSON_AddItemToArray(a, e);
        }
    }
    cJSON_AddItemToObject(o, "fairness", f ? _fair_summary(f, d->fairness_path) : cJSON_CreateNull());
    if (imp) {
        cJSON *a = cJSON_AddArrayToObject(o, "importance");
        for (size_t k = 0; k < nf; k++) {
            size_t j = r->imp_order[k];
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "feature", mf_feat_name(m, j));
            cJSON_AddItemToObject(e, "mean_abs_contribution", _num(imp[j]));
            cJSON_AddItemToArray(a, e);
        }
    } else {
        cJSON_AddNullToObject(o, "importance");
    }
    cJSON_Delete(f);
    text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text) return cs_err_set(err, CS_ENOMEM, "out of memory printing the report");
    st = cs_buf_puts(out, text, err);
    cJSON_free(text);
    return st ? st : cs_buf_puts(out, "\n", err);
}

/* ---- HTML ----------------------------------------------------------------------------------- */

typedef struct _w {
    cs_buf *b;
    cs_err *err;
    cs_status st;
} _w;

static void _p(_w *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void _p(_w *w, const char *fmt, ...)
{
    char small[1024];
    va_list ap;
    int n;
    if (w->st) return;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        w->st = cs_err_set(w->err, CS_EINTERNAL, "formatting the report failed");
        return;
    }
    if ((size_t)n < sizeof small) {
        w->st = cs_buf_append(w->b, small, (size_t)n, w->err);
        return;
    }
    {
        char *big = cs_malloc((size_t)n + 1, w->err);
        if (!big) {
            w->st = CS_ENOMEM;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        w->st = cs_buf_append(w->b, big, (size_t)n, w->err);
        free(big);
    }
}

/* escaped text */
static void _t(_w *w, const char *s)
{
    for (; s && *s && !w->st; s++) {
        switch (*s) {
        case '<': _p(w, "&lt;"); break;
        case '>': _p(w, "&gt;"); break;
        case '&': _p(w, "&amp;"); break;
        case '"': _p(w, "&quot;"); break;
        default: w->st = cs_buf_append(w->b, s, 1, w->err);
        }
    }
}

static void _ci_cell(_w *w, rpt_ci c, int digits)
{
    if (isnan(c.value)) {
        _p(w, "<td>—</td>");
        return;
    }
    if (isnan(c.lo)) _p(w, "<td>%.*f</td>", digits, c.value);
    else _p(w, "<td>%.*f <small>(%.*f–%.*f)</small></td>", digits, c.value, digits, c.lo, digits, c.hi);
}

/* a chart frame: plot area x0..x1, y0..y1 in a 360 x 260 box, axes, ticks; returns nothing */
#define CW 360
#define CH 260
#define X0 48.0
#define X1 345.0
#define Y0 225.0
#define Y1 28.0
static double _sx(double v, double lo, double hi) { return X0 + (hi > lo ? (v - lo) / (hi - lo) : 0) * (X1 - X0); }
static double _sy(double v, double lo, double hi) { return Y0 - (hi > lo ? (v - lo) / (hi - lo) : 0) * (Y0 - Y1); }

static void _frame(_w *w, const char *title, const char *label, const char *xl, const char *yl, double xlo,
                   double xhi, double ylo, double yhi, int pct_x)
{
    _p(w, "<figure><svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", CW, CH);
    _t(w, label);
    _p(w, "\"><text class=\"t\" x=\"%d\" y=\"16\">", CW / 2);
    _t(w, title);
    _p(w, "</text><rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" class=\"plot\"/>", X0, Y1, X1 - X0, Y0 - Y1);
    for (int k = 0; k <= 4; k++) {
        double fx = xlo + (xhi - xlo) * k / 4, fy = ylo + (yhi - ylo) * k / 4;
        _p(w, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/>", _sx(fx, xlo, xhi), Y0,
           _sx(fx, xlo, xhi), Y1);
        _p(w, "<line class=\"grid\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>", X0, _sy(fy, ylo, yhi), X1,
           _sy(fy, ylo, yhi));
        if (pct_x) _p(w, "<text class=\"xl\" x=\"%.1f\" y=\"%.0f\">%.0f%%</text>", _sx(fx, xlo, xhi), Y0 + 14, 100 * fx);
        else _p(w, "<text class=\"xl\" x=\"%.1f\" y=\"%.0f\">%.2f</text>", _sx(fx, xlo, xhi), Y0 + 14, fx);
        if (yhi >= 100) _p(w, "<text class=\"yl\" x=\"%.0f\" y=\"%.1f\">%.0f</text>", X0 - 4, _sy(fy, ylo, yhi) + 3, fy);
        else _p(w, "<text class=\"yl\" x=\"%.0f\" y=\"%.1f\">%.3g</text>", X0 - 4, _sy(fy, ylo, yhi) + 3, fy);
    }
    _p(w, "<text class=\"xl\" x=\"%.0f\" y=\"%d\">", (X0 + X1) / 2, CH - 6);
    _t(w, xl);
    _p(w, "</text><text class=\"yl\" transform=\"rotate(-90)\" x=\"%.0f\" y=\"12\" style=\"text-anchor:middle\">",
       -(Y0 + Y1) / 2);
    _t(w, yl);
    _p(w, "</text>");
}

static void _polyline(_w *w, const char *cls, const double *x, const double *y, size_t n, double xlo, double xhi,
                      double ylo, double yhi)
{
    _p(w, "<polyline class=\"%s\" points=\"", cls);
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i]))
            _p(w, "%.1f,%.1f ", _sx(x[i], xlo, xhi), _sy(y[i] > yhi ? yhi : y[i], ylo, yhi));
    _p(w, "\"/>");
}

static void _roc_chart(_w *w, const rpt_report *r)
{
    double d[2] = {0, 1};
    _frame(w, "ROC curve", "ROC curve of the out-of-fold probabilities", "false positive rate (repayers refused)",
           "true positive rate", 0, 1, 0, 1, 1);
    _polyline(w, "diag", d, d, 2, 0, 1, 0, 1);
    _polyline(w, "s1", r->roc_fpr, r->roc_tpr, (size_t)r->n_roc, 0, 1, 0, 1);
    _p(w, "<text class=\"lg\" x=\"200\" y=\"200\">AUC %.4f</text></svg><figcaption>ROC: %d points of the exact curve"
          "</figcaption></figure>\n",
       r->auc.value, r->n_roc);
}

static void _calib_chart(_w *w, const rpt_report *r)
{
    double hi = 0, d[2];
    for (int k = 0; k < RPT_DECILES; k++) {
        if (r->dec_p[k] > hi) hi = r->dec_p[k];
        if (r->dec_y[k] > hi) hi = r->dec_y[k];
    }
    hi = hi > 0 ? hi * 1.05 : 1;
    d[0] = 0;
    d[1] = hi;
    _frame(w, "Calibration by decile", "Calibration: mean probability against observed default rate by decile",
           "mean predicted probability", "observed default rate", 0, hi, 0, hi, 0);
    _polyline(w, "diag", d, d, 2, 0, hi, 0, hi);
    _polyline(w, "s1", r->dec_p, r->dec_y, RPT_DECILES, 0, hi, 0, hi);
    for (int k = 0; k < RPT_DECILES; k++)
        _p(w, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>", _sx(r->dec_p[k], 0, hi), _sy(r->dec_y[k], 0, hi));
    _p(w, "</svg><figcaption>Ten groups of equal size by probability; the diagonal is perfect calibration"
          "</figcaption></figure>\n");
}

static void _dist_chart(_w *w, const rpt_report *r)
{
    double hi = 0, bw = r->score_hi / RPT_SCORE_BINS, pw = (X1 - X0) / RPT_SCORE_BINS;
    for (int b = 0; b < RPT_SCORE_BINS; b++) {
        if (r->dist_default[b] > hi) hi = r->dist_default[b];
        if (r->dist_repaid[b] > hi) hi = r->dist_repaid[b];
    }
    hi = hi > 0 ? hi * 1.05 : 1;
    _frame(w, "Score distributions", "Distributions of the probability of defaulters and repayers",
           "probability of default", "share of the class", 0, r->score_hi, 0, hi, 0);
    for (int b = 0; b < RPT_SCORE_BINS; b++) {
        double x = X0 + b * pw;
        _p(w, "<rect class=\"b2\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", x + 1,
           _sy(r->dist_repaid[b], 0, hi), pw / 2 - 1, Y0 - _sy(r->dist_repaid[b], 0, hi));
        _p(w, "<rect class=\"b1\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", x + pw / 2,
           _sy(r->dist_default[b], 0, hi), pw / 2 - 1, Y0 - _sy(r->dist_default[b], 0, hi));
    }
    if (r->threshold <= r->score_hi)
        _p(w, "<line class=\"thr\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/>", _sx(r->threshold, 0, r->score_hi),
           Y0, _sx(r->threshold, 0, r->score_hi), Y1);
    _p(w, "<rect class=\"b2\" x=\"230\" y=\"36\" width=\"10\" height=\"10\"/><text class=\"lg\" x=\"244\" y=\"45\">repayers"
          "</text><rect class=\"b1\" x=\"230\" y=\"52\" width=\"10\" height=\"10\"/><text class=\"lg\" x=\"244\" y=\"61\">"
          "defaulters</text></svg><figcaption>%d bins of width %.4f; the line is the threshold</figcaption></figure>\n",
       RPT_SCORE_BINS, bw);
}

static void _cost_chart(_w *w, const rpt_report *r)
{
    size_t n = 0;
    const ev_cost_point *c = mf_cost_curve(r->model, &n);
    double hi = 0, *x, *y;
    if (!n) return;
    x = malloc(n * sizeof *x);
    y = malloc(n * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        w->st = w->st ? w->st : cs_err_set(w->err, CS_ENOMEM, "out of memory drawing the cost curve");
        return;
    }
    /* the curve's points in threshold order (the optimum is appended last in the file) */
    {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            size_t at = k;
            while (at > 0 && x[at - 1] > c[i].threshold) {
                x[at] = x[at - 1];
                y[at] = y[at - 1];
                at--;
            }
            x[at] = c[i].threshold;
            y[at] = c[i].cost;
            k++;
            if (c[i].cost > hi) hi = c[i].cost;
        }
    }
    hi = hi > 0 ? hi * 1.05 : 1;
    _frame(w, "Cost curve", "Business cost against the threshold", "threshold (refused at or above)", "cost", 0, 1, 0,
           hi, 0);
    _polyline(w, "s1", x, y, n, 0, 1, 0, hi);
    _p(w, "<line class=\"thr\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/>", _sx(r->threshold, 0, 1), Y0,
       _sx(r->threshold, 0, 1), Y1);
    _p(w, "<text class=\"lg\" x=\"%.1f\" y=\"44\">threshold %.4f</text></svg><figcaption>%g x FN + %g x FP on the "
          "out-of-fold probabilities; the line is the chosen threshold</figcaption></figure>\n",
       _sx(r->threshold, 0, 1) + 4, r->threshold, mf_cost_weights(r->model).fn, mf_cost_weights(r->model).fp);
    free(x);
    free(y);
}

static const char _css[] =
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:74em;color:#222;line-height:1.4;padding:0 1em}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}"
    "th:first-child,td:first-child{text-align:left}small{color:#666}code{font-size:.9em}"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(22em,1fr));gap:1em}figure{margin:0}"
    "svg.chart{width:100%;height:auto;border:1px solid #eee}svg .t{font-size:13px;font-weight:600;text-anchor:middle}"
    "svg .xl{font-size:10px;text-anchor:middle}svg .yl{font-size:10px;text-anchor:end}svg .lg{font-size:11px}"
    "svg .plot{fill:none;stroke:#999}svg .grid{stroke:#eee}svg .diag{fill:none;stroke:#aaa;stroke-dasharray:4 3}"
    "svg .s1{fill:none;stroke:#1f5fa8;stroke-width:2}svg .pt{fill:#1f5fa8}svg .b1{fill:#c0392b}svg .b2{fill:#7fa7d6}"
    "svg .thr{stroke:#e08e0b;stroke-width:2;stroke-dasharray:5 3}figcaption{font-size:.85em;color:#555}"
    ".warn{color:#b42318;font-weight:600}.ok{color:#1a7f37}.sign td{height:2.5em;min-width:12em}"
    ".note{background:#f6f8fa;border-left:4px solid #888;padding:.5em 1em}";

static const char *_psi_word(double v)
{
    return isnan(v) ? "" : v >= 0.25 ? "warn" : v >= 0.1 ? "" : "ok";
}

cs_status rpt_html(const rpt_report *r, const rpt_doc *d, cs_buf *out, cs_err *err)
{
    _w w = {out, err, CS_OK};
    const mf_model *m = r->model;
    const mf_metrics *mt = mf_get_metrics(m);
    char purpose[1024];
    size_t nf = mf_n_feats(m);
    const double *imp = mf_importance(m, NULL);
    cJSON *f = NULL, *tables;
    const feat_spec *spec = mf_spec(m);
    const rcp_recipe *rc = spec ? feat_spec_recipe(spec) : NULL;
    cs_status st;

    if ((st = _parse_fairness(d, &f, err))) return st;
    _purpose(r, d, purpose, sizeof purpose);
    _p(&w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Model report: ");
    _t(&w, mf_name(m));
    _p(&w, "</title><style>%s</style></head><body>\n<h1>Model report: ", _css);
    _t(&w, mf_name(m));
    _p(&w, " version ");
    _t(&w, mf_version(m));
    _p(&w, "</h1>\n<p><small>Generated ");
    _t(&w, d->generated);
    _p(&w, " by creditscore from the model file");
    if (d->run) _p(&w, " and the tracking store");
    _p(&w, " only; no training data was read.</small></p>\n");

    /* 1. purpose and scope */
    _p(&w, "<h2 id=\"purpose\">1. Purpose and scope</h2>\n<p>");
    _t(&w, purpose);
    _p(&w, "</p>\n<p>Scope: applicants like the %zu training applicants of the data below", mf_n_train(m));
    if (rc && rc->description) {
        _p(&w, " (recipe <b>");
        _t(&w, rc->name);
        _p(&w, "</b>: ");
        _t(&w, rc->description);
        _p(&w, ")");
    }
    _p(&w, ". A population, product or period other than the training one needs its own validation.</p>\n");

    /* 2. data */
    _p(&w, "<h2 id=\"data\">2. Data</h2>\n<dl><dt>feature file</dt><dd>");
    _t(&w, mf_features_file(m) ? mf_features_file(m) : "not recorded");
    _p(&w, "</dd><dt>recipe</dt><dd>");
    _t(&w, rc ? rc->name : spec ? "the Home Credit kernel's features (no recipe)" : "no feature spec in the model file");
    _p(&w, "</dd><dt>training rows</dt><dd>%zu, default rate %.2f %%</dd><dt>test applicants</dt><dd>%zu (no outcome; "
           "used for stability only)</dd><dt>features</dt><dd>%zu</dd><dt>data checksum</dt><dd><code>",
       mf_n_train(m), 100 * mf_positive_rate(m), r->n_test, nf);
    _t(&w, mf_data_digest_of(m));
    _p(&w, "</code> (ids, targets, values and names of the training rows)</dd><dt>model file SHA-256</dt><dd><code>");
    _t(&w, d->model_sha256 ? d->model_sha256 : "-");
    _p(&w, "</code></dd><dt>trained</dt><dd>");
    _t(&w, mf_created(m));
    _p(&w, "</dd></dl>\n");
    tables = _tables_json(m);
    if (cJSON_GetArraySize(tables) > 0) {
        const cJSON *t;
        _p(&w, "<table><tr><th>table</th><th>files</th></tr>");
        cJSON_ArrayForEach(t, tables)
        {
            const cJSON *fl;
            _p(&w, "<tr><td>");
            _t(&w, cJSON_GetObjectItemCaseSensitive(t, "name")->valuestring);
            _p(&w, "</td><td>");
            cJSON_ArrayForEach(fl, cJSON_GetObjectItemCaseSensitive(t, "files"))
            {
                _t(&w, fl->valuestring);
                _p(&w, " ");
            }
            _p(&w, "</td></tr>");
        }
        _p(&w, "</table>\n");
    }
    cJSON_Delete(tables);

    /* 3. lineage */
    _p(&w, "<h2 id=\"lineage\">3. Lineage</h2>\n<dl><dt>run</dt><dd><code>");
    _t(&w, d->run ? d->run->run_id : mf_run_id(m) ? mf_run_id(m) : "not tracked (train --no-track)");
    _p(&w, "</code>");
    if (!d->run && mf_run_id(m)) _p(&w, " <small>(give --store to read it)</small>");
    _p(&w, "</dd>");
    if (d->run) {
        char a[32], b[32];
        _iso_ms(d->run->start_ms, a, sizeof a);
        _iso_ms(d->run->end_ms, b, sizeof b);
        _p(&w, "<dt>status</dt><dd>%s, %s to %s</dd><dt>command</dt><dd><code>", store_status_name(d->run->status), a, b);
        _t(&w, d->run->source);
        _p(&w, "</code></dd><dt>user</dt><dd>");
        _t(&w, d->run->user);
        _p(&w, "</dd><dt>store</dt><dd>");
        _t(&w, d->store_path);
        _p(&w, "</dd>");
    }
    _p(&w, "<dt>code version</dt><dd>creditscore ");
    _t(&w, mf_code_version(m) ? mf_code_version(m) : "(not recorded)");
    _p(&w, "</dd><dt>learner</dt><dd>%s, calibration %s</dd><dt>search trials</dt><dd>%zu</dd><dt>parameters</dt><dd><code>",
       lrn_kind_name(mf_learner(m)->kind), ev_calib_kind_name(ev_calib_kind_of(mf_calib(m))),
       d->trials ? d->trials->n : 0);
    _t(&w, mf_params_json(m));
    _p(&w, "</code></dd><dt>protected attributes</dt><dd>");
    _t(&w, mf_protected_json(m) ? mf_protected_json(m) : "not excluded (the model may use them)");
    _p(&w, "</dd></dl>\n");

    /* 4. performance */
    _p(&w, "<h2 id=\"performance\">4. Performance</h2>\n<p>On the calibrated out-of-fold probabilities of the %zu "
           "training rows (%.0f defaults): each row scored by the cross-validation model that did not see it, %d folds "
           "(CV AUC %.4f ± %.4f over the folds). Intervals: bootstrap 95 %% percentile, %d replicates, seed %llu.</p>\n",
       r->n, r->n_default, mt->k, mt->auc_mean, mt->auc_sd, r->n_boot, (unsigned long long)r->seed);
    _p(&w, "<table id=\"metrics\"><tr><th>metric</th><th>value (95 %% interval)</th></tr><tr><td>AUC</td>");
    _ci_cell(&w, r->auc, 4);
    _p(&w, "</tr><tr><td>Gini</td>");
    _ci_cell(&w, r->gini, 4);
    _p(&w, "</tr><tr><td>KS</td>");
    _ci_cell(&w, r->ks, 4);
    _p(&w, "</tr><tr><td>log loss</td>");
    _ci_cell(&w, r->log_loss, 4);
    _p(&w, "</tr><tr><td>Brier</td>");
    _ci_cell(&w, r->brier, 4);
    _p(&w, "</tr></table>\n<p>At the threshold %.4f: approval rate %.1f %%, %.0f defaulters refused (TP), %.0f accepted "
           "(FN), %.0f repayers refused (FP), %.0f accepted (TN); cost %.0f.</p>\n",
       r->threshold, 100 * r->approval, r->tp, r->fn, r->fp, r->tn, r->cost);
    _p(&w, "<div class=\"charts\">\n");
    _roc_chart(&w, r);
    _calib_chart(&w, r);
    _dist_chart(&w, r);
    _cost_chart(&w, r);
    _p(&w, "</div>\n<table><tr><th>decile</th><th>rows</th><th>mean probability</th><th>default rate</th></tr>");
    for (int k = 0; k < RPT_DECILES; k++)
        _p(&w, "<tr><td>%d</td><td>%.0f</td><td>%.4f</td><td>%.4f</td></tr>", k + 1, r->dec_n[k], r->dec_p[k], r->dec_y[k]);
    _p(&w, "</table>\n");

    /* 5. stability */
    _p(&w, "<h2 id=\"stability\">5. Stability</h2>\n");
    if (!r->n_test) {
        _p(&w, "<p>The training file had no test applicants (rows without an outcome): no PSI. Monitor the first "
               "production applicants with <code>creditscore monitor</code>.</p>\n");
    } else {
        size_t shown = nf < 20 ? nf : 20, high = 0;
        for (size_t j = 0; j < nf; j++) high += r->psi[j] >= 0.25;
        _p(&w, "<p>PSI between the %zu training rows and the %zu test applicants over the model's decile bins (below "
               "0.1 stable, 0.1-0.25 a shift to watch, 0.25 and above a significant shift). Score PSI: <b class=\"%s\">"
               "%.4f</b>; %zu feature%s at 0.25 or above.</p>\n<table id=\"psi\"><tr><th>feature</th><th>PSI</th></tr>",
           mf_n_train(m), r->n_test, _psi_word(r->psi_score), r->psi_score, high, high == 1 ? "" : "s");
        for (size_t k = 0; k < shown; k++) {
            size_t j = r->psi_order[k];
            _p(&w, "<tr><td>");
            _t(&w, mf_feat_name(m, j));
            if (isnan(r->psi[j])) _p(&w, "</td><td>—</td></tr>");
            else _p(&w, "</td><td class=\"%s\">%.4f</td></tr>", _psi_word(r->psi[j]), r->psi[j]);
        }
        _p(&w, "</table>\n<p><small>The %zu highest of %zu features; all in the JSON.</small></p>\n", shown, nf);
    }

    /* 6. fairness */
    _p(&w, "<h2 id=\"fairness\">6. Fairness</h2>\n");
    if (!f) {
        _p(&w, "<p class=\"warn\">No fairness report was given: run <code>creditscore fairness --model M --features F "
               "--json fairness.json</code> and pass it with <code>--fairness fairness.json</code>.</p>\n");
    } else {
        const cJSON *a, *mn = cJSON_GetObjectItemCaseSensitive(f, "min_adverse_impact_ratio");
        const cJSON *cmp = cJSON_GetObjectItemCaseSensitive(f, "compare");
        const cJSON *ov = cJSON_GetObjectItemCaseSensitive(f, "overall");
        _p(&w, "<p>From ");
        _t(&w, d->fairness_path);
        _p(&w, " (scored on ");
        _t(&w, cJSON_IsString(cJSON_GetObjectItemCaseSensitive(f, "features"))
                   ? cJSON_GetObjectItemCaseSensitive(f, "features")->valuestring
                   : "?");
        if (cJSON_IsNumber(mn))
            _p(&w, "). Smallest adverse impact ratio <b class=\"%s\">%.3f</b> (four-fifths rule: %s).</p>\n",
               mn->valuedouble < 0.8 ? "warn" : "ok", mn->valuedouble, mn->valuedouble < 0.8 ? "a group is flagged" : "passed");
        else _p(&w, "). No adverse impact ratio could be computed.</p>\n");
        _p(&w, "<table id=\"fair\"><tr><th>attribute</th><th>smallest AIR</th><th>favoured group</th><th>parity "
               "difference</th><th>equal opportunity difference</th><th>equalized odds difference</th></tr>");
        cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(f, "attributes"))
        {
            static const char *keys[] = {"min_adverse_impact_ratio", "demographic_parity_difference",
                                         "equal_opportunity_difference", "equalized_odds_difference"};
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(a, "name"), *fg = cJSON_GetObjectItemCaseSensitive(a, "favoured_group");
            _p(&w, "<tr><td>");
            _t(&w, cJSON_IsString(nm) ? nm->valuestring : "?");
            for (size_t k = 0; k < 4; k++) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a, keys[k]), "value");
                if (k == 1) {
                    _p(&w, "</td><td>");
                    _t(&w, cJSON_IsString(fg) ? fg->valuestring : "—");
                }
                if (cJSON_IsNumber(v)) _p(&w, "</td><td>%.3f", v->valuedouble);
                else _p(&w, "</td><td>—");
            }
            _p(&w, "</td></tr>");
        }
        _p(&w, "</table>\n");
        if (cJSON_IsObject(cmp) && cJSON_IsObject(ov)) {
            const cJSON *o2 = cJSON_GetObjectItemCaseSensitive(cmp, "overall");
            double a1 = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ov, "auc"));
            double a2 = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o2, "auc"));
            double c1 = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ov, "cost"));
            double c2 = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o2, "cost"));
            _p(&w, "<p>Compared there with ");
            _t(&w, cJSON_IsString(cJSON_GetObjectItemCaseSensitive(cmp, "model"))
                       ? cJSON_GetObjectItemCaseSensitive(cmp, "model")->valuestring
                       : "a second model");
            _p(&w, ", on the fairness report's rows (in-sample where they are training rows, unlike section 4): AUC %.4f "
                   "against %.4f, cost %.0f against %.0f.</p>\n",
               a1, a2, c1, c2);
        }
    }

    /* 7. importance */
    _p(&w, "<h2 id=\"importance\">7. Global importance</h2>\n");
    if (!imp) {
        _p(&w, "<p>The model file stores no global importance (trained before it was stored).</p>\n");
    } else {
        size_t shown = nf < 20 ? nf : 20;
        double top = nf ? imp[r->imp_order[0]] : 0;
        _p(&w, "<p>Mean absolute contribution (TreeSHAP or linear, raw-score units) over the model's reference "
               "sample; the %zu largest of %zu features.</p>\n<table id=\"importance-table\"><tr><th>feature</th>"
               "<th>mean |contribution|</th><th></th></tr>",
           shown, nf);
        for (size_t k = 0; k < shown; k++) {
            size_t j = r->imp_order[k];
            _p(&w, "<tr><td>");
            _t(&w, mf_feat_name(m, j));
            _p(&w, "</td><td>%.4f</td><td style=\"text-align:left\"><svg width=\"160\" height=\"10\" aria-hidden=\"true\">"
                   "<rect width=\"%.1f\" height=\"10\" fill=\"#1f5fa8\"/></svg></td></tr>",
               imp[j], top > 0 ? 160 * imp[j] / top : 0);
        }
        _p(&w, "</table>\n");
    }

    /* 8. limitations */
    _p(&w, "<h2 id=\"limitations\">8. Limitations</h2>\n<ul>"
           "<li>Performance is measured out of fold on the training period: there is no out-of-time test with outcomes "
           "here. A later period can perform worse; monitor it (<code>creditscore monitor</code>).</li>"
           "<li>The bootstrap intervals resample the out-of-fold rows; they do not include the variation from refitting "
           "the model or redrawing the folds (the folds' AUCs: sd %.4f).</li>"
           "<li>The calibration was fitted on the same out-of-fold probabilities it is judged on here, so calibration "
           "by decile and log loss are slightly optimistic.</li>",
       mt->auc_sd);
    if (!mf_protected_json(m))
        _p(&w, "<li class=\"warn\">The model was trained with its protected attributes if the data had any "
               "(no <code>--exclude-protected</code>): it may decide on sex or age.</li>");
    else
        _p(&w, "<li>The protected attributes were excluded from training; other features can still stand in for them "
               "(the fairness section measures the outcome).</li>");
    if (!f) _p(&w, "<li class=\"warn\">No fairness report was attached.</li>");
    if (!r->n_test) _p(&w, "<li>No test applicants: stability is unknown.</li>");
    else if (r->psi_score >= 0.25)
        _p(&w, "<li class=\"warn\">The test applicants' scores shifted significantly (PSI %.3f).</li>", r->psi_score);
    if (r->n_default < 100)
        _p(&w, "<li class=\"warn\">Only %.0f defaults: every figure above is uncertain (see the intervals).</li>",
           r->n_default);
    _p(&w, "</ul>\n");

    /* 9. sign-off */
    _p(&w, "<h2 id=\"signoff\">9. Sign-off</h2>\n<table class=\"sign\"><tr><th>role</th><th>name</th><th>decision "
           "(approve / approve with conditions / reject)</th><th>signature</th><th>date</th></tr>"
           "<tr><td>Model owner</td><td></td><td></td><td></td><td></td></tr>"
           "<tr><td>Independent validator</td><td></td><td></td><td></td><td></td></tr>"
           "<tr><td>Model risk committee</td><td></td><td></td><td></td><td></td></tr></table>\n"
           "<p class=\"note\">Conditions and findings:<br><br><br></p>\n</body></html>\n");
    cJSON_Delete(f);
    return w.st;
}
