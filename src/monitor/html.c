/*
 * html.c: the monitoring report as one self-contained HTML page: summary, then inline SVG
 * charts (volume and approval rate, score PSI with its bands, score distribution, the most
 * drifted features' CSI by period, AUC / Gini / KS, observed against expected defaults,
 * bands of the latest mature period, vintage curves) and the tables behind them. No script,
 * no external resource.
 */
#include "monitor.h"
#include "../store/audit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W 760
#define H 230
#define ML 56
#define MR 16
#define MT 40
#define MB 42

static void _esc(cs_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': cs_buf_puts(b, "&lt;", NULL); break;
        case '>': cs_buf_puts(b, "&gt;", NULL); break;
        case '&': cs_buf_puts(b, "&amp;", NULL); break;
        case '"': cs_buf_puts(b, "&quot;", NULL); break;
        default: cs_buf_append(b, s, 1, NULL);
        }
    }
}

static void _fmt(char *out, size_t cap, double v, const char *f)
{
    if (v != v) snprintf(out, cap, "–");
    else snprintf(out, cap, f, v);
}

static const char *const _palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                                       "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

/* a chart's frame: y axis with 5 ticks from lo to hi, x labels (every k-th), title */
static void _frame(cs_buf *b, const char *title, const char *aria, size_t n, const char *const *xl, double lo,
                   double hi, const char *yfmt)
{
    size_t step = n > 12 ? (n + 11) / 12 : 1;
    cs_buf_printf(b, NULL, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", W, H);
    _esc(b, aria);
    cs_buf_puts(b, "\"><text x=\"8\" y=\"16\" class=\"t\">", NULL);
    _esc(b, title);
    cs_buf_puts(b, "</text>", NULL);
    for (int k = 0; k <= 4; k++) {
        double v = lo + (hi - lo) * k / 4.0, y = H - MB - (H - MB - MT) * k / 4.0;
        char t[32];
        snprintf(t, sizeof t, yfmt, v);
        cs_buf_printf(b, NULL, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"g\"/>", ML, W - MR, y, y);
        cs_buf_printf(b, NULL, "<text x=\"%d\" y=\"%.1f\" class=\"yl\">%s</text>", ML - 4, y + 4, t);
    }
    for (size_t i = 0; i < n; i += step) {
        double x = ML + (n > 1 ? (double)(W - ML - MR) * ((double)i + 0.5) / (double)n : (W - ML - MR) / 2.0);
        cs_buf_printf(b, NULL, "<text x=\"%.1f\" y=\"%d\" class=\"xl\">", x, H - MB + 16);
        _esc(b, xl[i]);
        cs_buf_puts(b, "</text>", NULL);
    }
}

static double _x(size_t i, size_t n)
{
    return ML + (double)(W - ML - MR) * ((double)i + 0.5) / (double)(n ? n : 1);
}

static double _y(double v, double lo, double hi)
{
    if (hi <= lo) hi = lo + 1;
    return H - MB - (H - MB - MT) * (v - lo) / (hi - lo);
}

/* lines over n points (NaN breaks a line), horizontal reference lines, a legend */
static void _lines(cs_buf *b, const char *title, size_t n, const char *const *xl, int ns, const double *const *s,
                   const char *const *names, double lo, double hi, const double *href, const char *const *hname,
                   int nh, const char *yfmt)
{
    if (lo != lo || hi != hi) {
        lo = INFINITY;
        hi = -INFINITY;
        for (int k = 0; k < ns; k++)
            for (size_t i = 0; i < n; i++)
                if (s[k][i] == s[k][i]) {
                    lo = fmin(lo, s[k][i]);
                    hi = fmax(hi, s[k][i]);
                }
        for (int h = 0; h < nh; h++) {
            lo = fmin(lo, href[h]);
            hi = fmax(hi, href[h]);
        }
        if (lo > hi) lo = 0, hi = 1;
        if (lo > 0 && lo < 0.5 * hi) lo = 0;
        if (hi == lo) hi = lo + 1;
        hi += (hi - lo) * 0.08;
    }
    _frame(b, title, title, n, xl, lo, hi, yfmt);
    for (int h = 0; h < nh; h++) {
        double y = _y(href[h], lo, hi);
        cs_buf_printf(b, NULL, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"ref\"/>", ML, W - MR, y, y);
        cs_buf_printf(b, NULL, "<text x=\"%d\" y=\"%.1f\" class=\"rl\">", W - MR - 2, y - 3);
        _esc(b, hname[h]);
        cs_buf_puts(b, "</text>", NULL);
    }
    for (int k = 0; k < ns; k++) {
        const char *col = _palette[k % 10];
        int open = 0;
        for (size_t i = 0; i < n; i++) {
            double v = s[k][i];
            if (v != v) {
                if (open) cs_buf_puts(b, "\"/>", NULL);
                open = 0;
                continue;
            }
            if (!open) cs_buf_printf(b, NULL, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", col);
            open = 1;
            cs_buf_printf(b, NULL, "%.1f,%.1f ", _x(i, n), _y(fmin(fmax(v, lo), hi), lo, hi));
        }
        if (open) cs_buf_puts(b, "\"/>", NULL);
        for (size_t i = 0; i < n; i++)
            if (s[k][i] == s[k][i])
                cs_buf_printf(b, NULL, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>", _x(i, n),
                              _y(fmin(fmax(s[k][i], lo), hi), lo, hi), col);
        if (names && names[k]) {
            cs_buf_printf(b, NULL, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>", ML + 190 * k,
                          22, col);
            cs_buf_printf(b, NULL, "<text x=\"%d\" y=\"31\" class=\"lg\">", ML + 14 + 190 * k);
            _esc(b, names[k]);
            cs_buf_puts(b, "</text>", NULL);
        }
    }
    cs_buf_puts(b, "</svg>\n", NULL);
}

/* grouped bars: ns series over n groups */
static void _bars(cs_buf *b, const char *title, size_t n, const char *const *xl, int ns, const double *const *s,
                  const char *const *names, const char *yfmt)
{
    double hi = 0;
    for (int k = 0; k < ns; k++)
        for (size_t i = 0; i < n; i++)
            if (s[k][i] == s[k][i]) hi = fmax(hi, s[k][i]);
    if (hi <= 0) hi = 1;
    hi *= 1.1;
    _frame(b, title, title, n, xl, 0, hi, yfmt);
    for (size_t i = 0; i < n; i++) {
        double gw = (double)(W - ML - MR) / (double)(n ? n : 1), bw = gw * 0.8 / ns;
        for (int k = 0; k < ns; k++) {
            double v = s[k][i];
            if (v != v) continue;
            double x = ML + gw * (double)i + gw * 0.1 + bw * k, y = _y(v, 0, hi);
            char t[32];
            snprintf(t, sizeof t, yfmt, v);
            cs_buf_printf(b, NULL, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>", x, y,
                          bw, (H - MB) - y, _palette[k % 10]);
            _esc(b, xl[i]);
            cs_buf_printf(b, NULL, ": %s</title></rect>", t);
        }
    }
    for (int k = 0; names && k < ns; k++) {
        cs_buf_printf(b, NULL, "<rect x=\"%d\" y=\"22\" width=\"10\" height=\"10\" fill=\"%s\"/>", ML + 190 * k,
                      _palette[k % 10]);
        cs_buf_printf(b, NULL, "<text x=\"%d\" y=\"31\" class=\"lg\">", ML + 14 + 190 * k);
        _esc(b, names[k]);
        cs_buf_puts(b, "</text>", NULL);
    }
    cs_buf_puts(b, "</svg>\n", NULL);
}

static const char *_band_class(double v)
{
    return v != v ? "" : v < 0.1 ? "ok" : v <= 0.25 ? "watch" : "act";
}

typedef struct _fmax {
    size_t j;
    double v;
} _fmax;

static int _cmp_fmax(const void *a, const void *b)
{
    double x = ((const _fmax *)a)->v, y = ((const _fmax *)b)->v;
    return (x < y) - (x > y);
}

char *mon_report_html(const mon_report *r, cs_err *err)
{
    cs_buf b = {0};
    size_t n = r->n_periods;
    const char **xl = calloc(n ? n : 1, sizeof *xl);
    double *s1 = calloc(n ? n : 1, sizeof *s1), *s2 = calloc(n ? n : 1, sizeof *s2), *s3 = calloc(n ? n : 1, sizeof *s3);
    char asof[32], t1[64], t2[64];
    const mf_score_ref *sr = &r->score_ref;
    long last_mature = -1;
    double worst_psi = NAN;
    size_t worst_p = 0;
    if (!xl || !s1 || !s2 || !s3) {
        free(xl), free(s1), free(s2), free(s3);
        cs_err_set(err, CS_ENOMEM, "out of memory writing the report");
        return NULL;
    }
    for (size_t p = 0; p < n; p++) {
        xl[p] = r->periods[p].label;
        if (r->periods[p].mature) last_mature = (long)p;
        if (r->periods[p].psi == r->periods[p].psi && !(r->periods[p].psi <= worst_psi)) {
            worst_psi = r->periods[p].psi;
            worst_p = p;
        }
    }
    store_audit_format_time(r->as_of_ms, asof);
    cs_buf_puts(&b,
                "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                "<title>Model monitoring: ",
                NULL);
    _esc(&b, r->model_name);
    cs_buf_puts(&b,
                "</title><style>"
                "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:820px;color:#222;padding:0 12px}"
                "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}"
                ".cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:140px}"
                ".card b{display:block;font-size:20px}table{border-collapse:collapse;font-size:12px;margin:8px 0}"
                "td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}"
                ".ok{background:#e6f4e6}.watch{background:#fff3cd}.act{background:#f8d7da}"
                "svg.chart{width:100%;height:auto;border:1px solid #eee;margin:6px 0}"
                "svg .t{font-size:13px;font-weight:600}svg .yl{font-size:10px;text-anchor:end}svg .xl{font-size:10px;text-anchor:middle}"
                "svg .lg{font-size:11px}svg .g{stroke:#eee}svg .ref{stroke:#999;stroke-dasharray:4 3}svg .rl{font-size:10px;text-anchor:end;fill:#666}"
                ".note{color:#555;font-size:12px}"
                "</style></head><body>\n<h1>Model monitoring: ",
                NULL);
    _esc(&b, r->model_name);
    cs_buf_puts(&b, " ", NULL);
    _esc(&b, r->model_version);
    cs_buf_puts(&b, "</h1>\n<p class=\"note\">Audit log <code>", NULL);
    _esc(&b, r->audit_path);
    cs_buf_printf(&b, NULL, "</code>, as of %s, by %s. %zu decisions of this model", asof,
                  r->by == MON_BY_WEEK ? "ISO week" : "month", r->n_decisions);
    if (r->n_other_models) cs_buf_printf(&b, NULL, " (%zu of other models left out)", r->n_other_models);
    cs_buf_printf(&b, NULL, ", %zu outcomes joined. PSI bands: &lt; 0.1 stable, 0.1&ndash;0.25 watch, &gt; 0.25 act.</p>\n",
                  r->n_outcomes_matched);

    /* summary cards */
    {
        const mon_period *lp = &r->periods[n - 1];
        cs_buf_puts(&b, "<div class=\"cards\">", NULL);
        _fmt(t1, sizeof t1, lp->psi, "%.3f");
        cs_buf_printf(&b, NULL, "<div class=\"card %s\" id=\"card-psi\">score PSI, %s<b>%s</b>%s</div>",
                      _band_class(lp->psi), lp->label, t1, mon_psi_band(lp->psi));
        _fmt(t1, sizeof t1, worst_psi, "%.3f");
        cs_buf_printf(&b, NULL, "<div class=\"card %s\">worst score PSI<b>%s</b>%s</div>", _band_class(worst_psi), t1,
                      r->periods[worst_p].label);
        _fmt(t1, sizeof t1, lp->approval_rate * 100, "%.1f %%");
        cs_buf_printf(&b, NULL, "<div class=\"card\">approval rate, %s<b>%s</b>%.0f decisions</div>", lp->label, t1, lp->n);
        if (mon_report_has_features(r)) {
            _fmt(t1, sizeof t1, lp->csi_max, "%.3f");
            cs_buf_printf(&b, NULL, "<div class=\"card %s\">largest CSI, %s<b>%s</b>", _band_class(lp->csi_max), lp->label,
                          t1);
            _esc(&b, lp->csi_max_feature >= 0 ? r->feat_names[lp->csi_max_feature] : "");
            cs_buf_printf(&b, NULL, " (%d watch, %d act)</div>", lp->n_csi_watch, lp->n_csi_act);
        }
        if (last_mature >= 0) {
            const mon_period *mp = &r->periods[last_mature];
            _fmt(t1, sizeof t1, mp->gini, "%.3f");
            _fmt(t2, sizeof t2, mp->oe, "%.2f");
            cs_buf_printf(&b, NULL, "<div class=\"card\">Gini, %s<b>%s</b>observed / expected %s</div>", mp->label, t1, t2);
        } else
            cs_buf_puts(&b, "<div class=\"card\">performance<b>–</b>no period with known outcomes yet</div>", NULL);
        cs_buf_puts(&b, "</div>\n", NULL);
    }

    /* population */
    cs_buf_puts(&b, "<h2>Population</h2>\n", NULL);
    for (size_t p = 0; p < n; p++) s1[p] = r->periods[p].n;
    {
        const double *ss[1] = {s1};
        const char *nm[1] = {"decisions"};
        _bars(&b, "Decisions per period", n, xl, 1, ss, nm, "%.0f");
    }
    for (size_t p = 0; p < n; p++) s1[p] = r->periods[p].approval_rate;
    {
        const double *ss[1] = {s1};
        const char *nm[1] = {"approval rate"};
        _lines(&b, "Approval rate", n, xl, 1, ss, nm, NAN, NAN, NULL, NULL, 0, "%.2f");
    }
    for (size_t p = 0; p < n; p++) s1[p] = r->periods[p].psi;
    {
        const double *ss[1] = {s1};
        const char *nm[1] = {"score PSI"};
        const double hr[2] = {0.1, 0.25};
        const char *hn[2] = {"watch 0.1", "act 0.25"};
        _lines(&b, "Score PSI against the training scores", n, xl, 1, ss, nm, NAN, NAN, hr, hn, 2, "%.2f");
    }
    /* score distribution: training, first and latest period */
    {
        int nb = sr->bins.n_edges + 2;
        const char *bl[MF_MON_BINS] = {0};
        char labs[MF_MON_BINS][24];
        double ref[MF_MON_BINS] = {0}, first[MF_MON_BINS] = {0}, last[MF_MON_BINS] = {0};
        char n1[40], n2[40];
        for (int k = 0; k < nb; k++) {
            int bk = k <= sr->bins.n_edges ? k : MF_MON_MISSING;
            if (bk == MF_MON_MISSING) snprintf(labs[k], sizeof labs[k], "missing");
            else snprintf(labs[k], sizeof labs[k], "band %d", k + 1);
            bl[k] = labs[k];
            ref[k] = sr->bins.share[bk];
            first[k] = r->periods[0].score_share[bk];
            last[k] = r->periods[n - 1].score_share[bk];
        }
        snprintf(n1, sizeof n1, "%s", r->periods[0].label);
        snprintf(n2, sizeof n2, "%s", r->periods[n - 1].label);
        const double *ss[3] = {ref, first, last};
        const char *nm[3] = {"training", n1, n2};
        _bars(&b, "Score distribution by band (deciles of the training scores)", (size_t)nb, bl, 3, ss, nm, "%.3f");
    }

    /* features */
    cs_buf_puts(&b, "<h2>Characteristics (CSI)</h2>\n", NULL);
    if (!mon_report_has_features(r))
        cs_buf_puts(&b, "<p class=\"note\">No clients store (--clients) or feature file (--features) given: the features of the decisions are not known, "
                        "so no CSI.</p>\n",
                    NULL);
    else {
        _fmax *fm = calloc(r->n_feats ? r->n_feats : 1, sizeof *fm);
        size_t top = r->n_feats < 12 ? r->n_feats : 12;
        if (!fm) {
            cs_buf_free(&b);
            free(xl), free(s1), free(s2), free(s3);
            cs_err_set(err, CS_ENOMEM, "out of memory writing the report");
            return NULL;
        }
        for (size_t j = 0; j < r->n_feats; j++) {
            fm[j].j = j;
            fm[j].v = -1;
            for (size_t p = 0; p < n; p++)
                if (r->periods[p].csi[j] == r->periods[p].csi[j] && r->periods[p].csi[j] > fm[j].v)
                    fm[j].v = r->periods[p].csi[j];
        }
        qsort(fm, r->n_feats, sizeof *fm, _cmp_fmax);
        cs_buf_printf(&b, NULL,
                      "<p class=\"note\">%zu decisions not on a client id and %zu on clients the %s lacks have no "
                      "features. The %zu features with the largest CSI in any period:</p>\n",
                      r->n_no_client, r->n_client_unknown, r->features_path ? "feature file" : "store", top);
        {
            const double *ss[4];
            const char *nm[4];
            double *buf = calloc(4 * (n ? n : 1), sizeof *buf);
            int k = 0;
            for (; buf && k < 4 && (size_t)k < top; k++) {
                for (size_t p = 0; p < n; p++) buf[(size_t)k * n + p] = r->periods[p].csi[fm[k].j];
                ss[k] = buf + (size_t)k * n;
                nm[k] = r->feat_names[fm[k].j];
            }
            const double hr[2] = {0.1, 0.25};
            const char *hn[2] = {"watch 0.1", "act 0.25"};
            if (buf && k) _lines(&b, "CSI of the most drifted features", n, xl, k, ss, nm, NAN, NAN, hr, hn, 2, "%.2f");
            free(buf);
        }
        cs_buf_puts(&b, "<table id=\"csi\"><tr><th class=\"l\">feature</th>", NULL);
        for (size_t p = 0; p < n; p++) {
            cs_buf_puts(&b, "<th>", NULL);
            _esc(&b, r->periods[p].label);
            cs_buf_puts(&b, "</th>", NULL);
        }
        cs_buf_puts(&b, "</tr>", NULL);
        for (size_t k = 0; k < top; k++) {
            cs_buf_puts(&b, "<tr><td class=\"l\">", NULL);
            _esc(&b, r->feat_names[fm[k].j]);
            cs_buf_puts(&b, "</td>", NULL);
            for (size_t p = 0; p < n; p++) {
                double v = r->periods[p].csi[fm[k].j];
                _fmt(t1, sizeof t1, v, "%.3f");
                cs_buf_printf(&b, NULL, "<td class=\"%s\">%s</td>", _band_class(v), t1);
            }
            cs_buf_puts(&b, "</tr>", NULL);
        }
        cs_buf_puts(&b, "</table>\n", NULL);
        free(fm);
    }

    /* performance */
    cs_buf_puts(&b, "<h2>Performance (periods whose outcomes are known)</h2>\n", NULL);
    cs_buf_printf(&b, NULL,
                  "<p class=\"note\">A period counts once %.0f %% of its approved decisions have an outcome; before, only its "
                  "early defaults are known.</p>\n",
                  r->min_known * 100);
    if (last_mature < 0)
        cs_buf_puts(&b, "<p>No period has its outcomes yet (import them with <code>creditscore outcomes import</code>).</p>\n",
                    NULL);
    else {
        for (size_t p = 0; p < n; p++) {
            s1[p] = r->periods[p].auc;
            s2[p] = r->periods[p].gini;
            s3[p] = r->periods[p].ks;
        }
        {
            const double *ss[3] = {s1, s2, s3};
            const char *nm[3] = {"AUC", "Gini", "KS"};
            _lines(&b, "Discrimination by application period", n, xl, 3, ss, nm, 0, 1, NULL, NULL, 0, "%.2f");
        }
        for (size_t p = 0; p < n; p++) {
            s1[p] = r->periods[p].expected;
            s2[p] = r->periods[p].observed;
        }
        {
            const double *ss[2] = {s1, s2};
            const char *nm[2] = {"expected (mean PD)", "observed"};
            _lines(&b, "Default rate: expected against observed", n, xl, 2, ss, nm, NAN, NAN, NULL, NULL, 0, "%.3f");
        }
        {
            const mon_period *mp = &r->periods[last_mature];
            int nb = sr->bins.n_edges + 1;
            const char *bl[MF_MON_BINS] = {0};
            char labs[MF_MON_BINS][24], title[96];
            double e[MF_MON_BINS] = {0}, o[MF_MON_BINS] = {0};
            for (int k = 0; k < nb; k++) {
                snprintf(labs[k], sizeof labs[k], "band %d", k + 1);
                bl[k] = labs[k];
                e[k] = mp->bands[k].expected;
                o[k] = mp->bands[k].observed;
            }
            snprintf(title, sizeof title, "Default rate by score band, %s", mp->label);
            const double *ss[2] = {e, o};
            const char *nm[2] = {"expected", "observed"};
            _bars(&b, title, (size_t)nb, bl, 2, ss, nm, "%.3f");
            cs_buf_puts(&b, "<table id=\"bands\"><tr><th>band</th><th>n</th><th>defaults</th><th>expected</th><th>observed</th>"
                            "<th>binomial p</th></tr>",
                        NULL);
            for (int k = 0; k < nb; k++) {
                const mon_band *bd = &mp->bands[k];
                char a[32], c[32], d[32];
                _fmt(a, sizeof a, bd->expected, "%.4f");
                _fmt(c, sizeof c, bd->observed, "%.4f");
                _fmt(d, sizeof d, bd->p_value, "%.3g");
                cs_buf_printf(&b, NULL, "<tr><td>%d</td><td>%.0f</td><td>%.0f</td><td>%s</td><td>%s</td><td class=\"%s\">%s</td></tr>",
                              k + 1, bd->n, bd->defaults, a, c, bd->p_value < 0.01 ? "act" : bd->p_value < 0.05 ? "watch" : "",
                              d);
            }
            cs_buf_puts(&b, "</table>\n", NULL);
        }
    }
    /* vintages */
    cs_buf_puts(&b, "<h2>Vintages</h2>\n", NULL);
    {
        int mob = 0;
        size_t nv = r->n_vintages;
        for (size_t v = 0; v < nv; v++) mob = r->vintages[v].n_mob > mob ? r->vintages[v].n_mob : mob;
        if (mob > 0) {
            char (*ml)[12] = calloc((size_t)mob + 1, sizeof *ml);
            const char **mlp = calloc((size_t)mob + 1, sizeof *mlp);
            const double **ss = calloc(nv ? nv : 1, sizeof *ss);
            double *buf = calloc((nv ? nv : 1) * ((size_t)mob + 1), sizeof *buf);
            if (ml && mlp && ss && buf) {
                for (int k = 0; k <= mob; k++) {
                    snprintf(ml[k], sizeof ml[k], "%d", k);
                    mlp[k] = ml[k];
                }
                for (size_t v = 0; v < nv; v++) {
                    for (int k = 0; k <= mob; k++)
                        buf[v * ((size_t)mob + 1) + (size_t)k] = k <= r->vintages[v].n_mob ? r->vintages[v].cum_rate[k] : NAN;
                    ss[v] = buf + v * ((size_t)mob + 1);
                }
                _lines(&b, "Cumulative default rate of booked loans by months on book, one line per cohort", (size_t)mob + 1,
                       mlp, (int)nv, ss, NULL, NAN, NAN, NULL, NULL, 0, "%.3f");
            }
            free(ml);
            free(mlp);
            free(ss);
            free(buf);
        }
        cs_buf_puts(&b, "<table id=\"vintages\"><tr><th class=\"l\">cohort</th><th>booked</th><th>months seen</th>"
                        "<th>default rate at 3</th><th>6</th><th>12</th><th>latest</th></tr>",
                    NULL);
        for (size_t v = 0; v < nv; v++) {
            const mon_vintage *vg = &r->vintages[v];
            char a[32], c[32], d[32], e[32];
            _fmt(a, sizeof a, vg->n_mob >= 3 ? vg->cum_rate[3] : NAN, "%.4f");
            _fmt(c, sizeof c, vg->n_mob >= 6 ? vg->cum_rate[6] : NAN, "%.4f");
            _fmt(d, sizeof d, vg->n_mob >= 12 ? vg->cum_rate[12] : NAN, "%.4f");
            _fmt(e, sizeof e, vg->cum_rate[vg->n_mob], "%.4f");
            cs_buf_printf(&b, NULL, "<tr><td class=\"l\">%s</td><td>%.0f</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
                          vg->label, vg->booked, vg->n_mob, a, c, d, e);
        }
        cs_buf_puts(&b, "</table>\n", NULL);
    }

    /* the periods' table */
    cs_buf_puts(&b, "<h2>By period</h2>\n<table id=\"periods\"><tr><th class=\"l\">period</th><th>decisions</th><th>approval</th>"
                    "<th>PSI</th><th>largest CSI</th><th>outcomes</th><th>AUC</th><th>Gini</th><th>KS</th><th>expected</th>"
                    "<th>observed</th><th>binomial p</th></tr>",
                NULL);
    for (size_t p = 0; p < n; p++) {
        const mon_period *pp = &r->periods[p];
        char v[8][32];
        _fmt(v[0], 32, pp->approval_rate, "%.3f");
        _fmt(v[1], 32, pp->psi, "%.3f");
        _fmt(v[2], 32, pp->csi_max, "%.3f");
        _fmt(v[3], 32, pp->auc, "%.3f");
        _fmt(v[4], 32, pp->gini, "%.3f");
        _fmt(v[5], 32, pp->ks, "%.3f");
        _fmt(v[6], 32, pp->expected, "%.4f");
        _fmt(v[7], 32, pp->observed, "%.4f");
        _fmt(t1, sizeof t1, pp->p_value, "%.3g");
        cs_buf_printf(&b, NULL,
                      "<tr><td class=\"l\">%s</td><td>%.0f</td><td>%s</td><td class=\"%s\">%s</td><td class=\"%s\">%s</td>"
                      "<td>%.0f%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
                      pp->label, pp->n, v[0], _band_class(pp->psi), v[1], _band_class(pp->csi_max), v[2], pp->n_outcomes,
                      pp->mature ? "" : " (partial)", v[3], v[4], v[5], v[6], v[7], t1);
    }
    if (cs_buf_puts(&b, "</table>\n<p class=\"note\">creditscore monitor; JSON beside this page has every number.</p>\n"
                        "</body></html>\n",
                    err)) {
        cs_buf_free(&b);
        free(xl), free(s1), free(s2), free(s3);
        return NULL;
    }
    free(xl), free(s1), free(s2), free(s3);
    return cs_buf_take(&b);
}
