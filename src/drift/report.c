/*
 * report.c: the drift report as JSON (stable field names, documented in docs/drift.md)
 * and as one self-contained HTML page: summary, a sortable table of every column with
 * its reference and current distributions drawn side by side (inline SVG), no external
 * resource of any kind. Numbers are written the same in every locale.
 */
#include "drift.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------------ */

/* JSON number: round-trip precision, null for NaN and infinities */
static cs_status _jnum(cs_buf *b, double v, cs_err *err)
{
    char s[40];
    if (!isfinite(v)) return cs_buf_puts(b, "null", err);
    cs_fmt_double(s, sizeof s, v);
    return cs_buf_puts(b, s, err);
}

static cs_status _jstr(cs_buf *b, const char *s, cs_err *err)
{
    if (cs_buf_puts(b, "\"", err)) return CS_ENOMEM;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        char e[8];
        if (*p == '"' || *p == '\\') {
            e[0] = '\\';
            e[1] = (char)*p;
            e[2] = 0;
        } else if (*p < 0x20) {
            snprintf(e, sizeof e, "\\u%04x", *p);
        } else {
            e[0] = (char)*p;
            e[1] = 0;
        }
        if (cs_buf_puts(b, e, err)) return CS_ENOMEM;
    }
    return cs_buf_puts(b, "\"", err);
}

/* a short human number ("0.0734", "1.2e-05"), locale-independent */
static void _short(char *out, size_t cap, double v)
{
    if (isnan(v)) {
        snprintf(out, cap, "n/a");
        return;
    }
    snprintf(out, cap, "%.4g", v);
    for (char *p = out; *p; p++)
        if (*p == ',') *p = '.';
}

static cs_status _html(cs_buf *b, const char *s, cs_err *err)
{
    for (const char *p = s ? s : ""; *p; p++) {
        const char *e = NULL;
        switch (*p) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&#39;"; break;
        default: break;
        }
        if (e ? cs_buf_puts(b, e, err) : cs_buf_append(b, p, 1, err)) return CS_ENOMEM;
    }
    return CS_OK;
}

/* HTML-escaped, at most 22 characters (bytes of a UTF-8 sequence are kept whole) */
static cs_status _html_cut(cs_buf *b, const char *s, cs_err *err)
{
    char tmp[64];
    size_t n = 0;
    for (const char *p = s ? s : ""; *p && n < sizeof tmp - 4; p++) {
        if (n >= 22 && ((unsigned char)*p & 0xc0) != 0x80) {
            memcpy(tmp + n, "...", 3);
            n += 3;
            break;
        }
        tmp[n++] = *p;
    }
    tmp[n] = 0;
    return _html(b, tmp, err);
}

static const char *_type_name(drift_ctype t)
{
    return t == DRIFT_CATEGORICAL ? "categorical" : "numerical";
}

/* ---- JSON --------------------------------------------------------------------------- */

#define J(call)                                                                                      \
    do {                                                                                             \
        if ((call) != CS_OK) goto nomem;                                                             \
    } while (0)

static cs_status _side(cs_buf *b, size_t n, size_t miss, double mean, double sd, cs_err *err)
{
    if (cs_buf_printf(b, err, "{\"count\": %zu, \"missing\": %zu, \"mean\": ", n, miss)) return CS_ENOMEM;
    if (_jnum(b, mean, err) || cs_buf_puts(b, ", \"std\": ", err) || _jnum(b, sd, err)) return CS_ENOMEM;
    return cs_buf_puts(b, "}", err);
}

char *drift_report_json(const drift_report *r, cs_err *err)
{
    cs_buf b = {0};
    J(cs_buf_printf(&b, err, "{\n  \"format\": \"creditscore-drift/1\",\n  \"creditscore_version\": \"%s\",\n",
                    CS_VERSION));
    J(cs_buf_puts(&b, "  \"reference\": {\"source\": ", err));
    J(_jstr(&b, r->reference, err));
    J(cs_buf_printf(&b, err, ", \"rows\": %zu},\n  \"current\": {\"source\": ", r->ref_rows));
    J(_jstr(&b, r->current, err));
    J(cs_buf_printf(&b, err, ", \"rows\": %zu},\n", r->cur_rows));
    J(cs_buf_printf(&b, err, "  \"summary\": {\"columns\": %d, \"drifted\": %d, \"share\": ", r->n_columns,
                    r->n_drifted));
    J(_jnum(&b, r->share, err));
    J(cs_buf_puts(&b, ", \"drift_share\": ", err));
    J(_jnum(&b, r->drift_share, err));
    J(cs_buf_printf(&b, err, ", \"dataset_drift\": %s, \"seconds\": ", r->dataset_drift ? "true" : "false"));
    J(_jnum(&b, r->seconds, err));
    J(cs_buf_puts(&b, "},\n  \"columns\": [", err));
    for (int i = 0; i < r->n_columns; i++) {
        const drift_column_result *c = &r->cols[i];
        J(cs_buf_puts(&b, i ? ",\n    {\"name\": " : "\n    {\"name\": ", err));
        J(_jstr(&b, c->name, err));
        J(cs_buf_printf(&b, err, ", \"type\": \"%s\", \"test\": \"%s\", \"test_display\": \"%s\", \"auto_test\": %s",
                        _type_name(c->type), drift_test_name(c->test), drift_test_display_name(c->test),
                        c->auto_test ? "true" : "false"));
        J(cs_buf_puts(&b, ",\n     \"score\": ", err));
        J(_jnum(&b, c->score, err));
        J(cs_buf_puts(&b, ", \"statistic\": ", err));
        J(_jnum(&b, c->statistic, err));
        J(cs_buf_puts(&b, ", \"threshold\": ", err));
        J(_jnum(&b, c->threshold, err));
        J(cs_buf_printf(&b, err, ", \"drifted\": %s, \"psi\": ", c->drifted ? "true" : "false"));
        J(_jnum(&b, c->psi, err));
        J(cs_buf_printf(&b, err, ", \"psi_band\": \"%s\", \"unique\": %zu,\n     \"reference\": ", c->psi_band,
                        c->n_unique));
        J(_side(&b, c->n_ref, c->ref_missing, c->ref_mean, c->ref_std, err));
        J(cs_buf_puts(&b, ", \"current\": ", err));
        J(_side(&b, c->n_cur, c->cur_missing, c->cur_mean, c->cur_std, err));
        J(cs_buf_puts(&b, ",\n     \"distribution\": {\"bins\": [", err));
        for (int k = 0; k < c->dist.n_bins; k++) {
            if (k) J(cs_buf_puts(&b, ", ", err));
            J(_jstr(&b, c->dist.labels[k], err));
        }
        J(cs_buf_puts(&b, "], \"reference\": [", err));
        for (int k = 0; k < c->dist.n_bins; k++) {
            if (k) J(cs_buf_puts(&b, ", ", err));
            J(_jnum(&b, c->dist.ref[k], err));
        }
        J(cs_buf_puts(&b, "], \"current\": [", err));
        for (int k = 0; k < c->dist.n_bins; k++) {
            if (k) J(cs_buf_puts(&b, ", ", err));
            J(_jnum(&b, c->dist.cur[k], err));
        }
        J(cs_buf_puts(&b, "]}}", err));
    }
    J(cs_buf_puts(&b, "\n  ],\n  \"skipped\": [", err));
    for (int i = 0; i < r->n_skipped; i++) {
        if (i) J(cs_buf_puts(&b, ", ", err));
        J(_jstr(&b, r->skipped[i], err));
    }
    J(cs_buf_puts(&b, "]\n}\n", err));
    return cs_buf_take(&b);
nomem:
    cs_buf_free(&b);
    return NULL;
}

/* ---- HTML --------------------------------------------------------------------------- */

static const char _css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;color:#1d2330;background:#fff}"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 8px}"
    ".muted{color:#5c6475;font-size:13px}"
    ".cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}"
    ".card{border:1px solid #d9dde5;border-radius:8px;padding:10px 16px;min-width:130px}"
    ".card b{display:block;font-size:22px}"
    ".verdict-yes{background:#fdecea;border-color:#e0a39c}.verdict-no{background:#e9f6ee;border-color:#9fd1b1}"
    "table{border-collapse:collapse;width:100%;font-size:13px}"
    "th,td{border-bottom:1px solid #e4e7ed;padding:6px 8px;text-align:left;vertical-align:middle}"
    "th{background:#f3f5f8;cursor:pointer;user-select:none;position:sticky;top:0}"
    "th:after{content:' \\2195';color:#9aa2b1}"
    "td.num{font-variant-numeric:tabular-nums;text-align:right}"
    "tr.drift td.flag{color:#b3261e;font-weight:600}tr.nodrift td.flag{color:#1e7b45}"
    ".legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}"
    "svg{display:block}.ax{font-size:10px;fill:#5c6475}"
    "tr.hide{display:none}label{font-size:13px;margin-left:12px}";

static const char _js[] =
    "(function(){\n"
    "  window.addEventListener('error',function(){document.body.setAttribute('data-js-error','1');});\n"
    "  var t=document.getElementById('cols');\n"
    "  var hs=t.tHead.rows[0].cells;\n"
    "  for(var i=0;i<hs.length;i++){(function(k){\n"
    "    var asc=true;\n"
    "    hs[k].addEventListener('click',function(){\n"
    "      var rows=Array.prototype.slice.call(t.tBodies[0].rows);\n"
    "      rows.sort(function(a,b){\n"
    "        var x=a.cells[k].getAttribute('data-v'),y=b.cells[k].getAttribute('data-v');\n"
    "        var nx=parseFloat(x),ny=parseFloat(y),c;\n"
    "        if(!isNaN(nx)&&!isNaN(ny)&&isFinite(x)&&isFinite(y))c=nx-ny;else c=String(x).localeCompare(String(y));\n"
    "        return asc?c:-c;});\n"
    "      asc=!asc;\n"
    "      rows.forEach(function(r){t.tBodies[0].appendChild(r);});\n"
    "    });})(i);}\n"
    "  var only=document.getElementById('only-drifted');\n"
    "  only.addEventListener('change',function(){\n"
    "    var rows=t.tBodies[0].rows;\n"
    "    for(var i=0;i<rows.length;i++){rows[i].classList.toggle('hide',only.checked&&rows[i].className.indexOf('nodrift')>=0);}\n"
    "  });\n"
    "  document.body.setAttribute('data-ready','1');\n"
    "})();\n";

/* paired bars: reference (blue) and current (orange) share per bin */
static cs_status _svg(cs_buf *b, const drift_column_result *c, cs_err *err)
{
    const double W = 280, H = 64;
    int n = c->dist.n_bins;
    double mx = 0;
    for (int k = 0; k < n; k++) mx = fmax(mx, fmax(c->dist.ref[k], c->dist.cur[k]));
    if (cs_buf_printf(b, err, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">", (int)W,
                      (int)H + 16, (int)W, (int)H + 16))
        return CS_ENOMEM;
    if (n > 0 && mx > 0) {
        double gw = W / n, bw = gw * 0.42;
        for (int k = 0; k < n; k++) {
            double hr = c->dist.ref[k] / mx * H, hc = c->dist.cur[k] / mx * H;
            char sr[32], sc[32];
            _short(sr, sizeof sr, c->dist.ref[k] * 100);
            _short(sc, sizeof sc, c->dist.cur[k] * 100);
            if (cs_buf_puts(b, "<g><title>", err) || _html(b, c->dist.labels[k], err) ||
                cs_buf_printf(b, err, ": reference %s%%, current %s%%</title>", sr, sc))
                return CS_ENOMEM;
            if (cs_buf_printf(b, err,
                              "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"#3b6fb6\"/>"
                              "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"#e8822e\"/></g>",
                              k * gw + gw * 0.08, H - hr, bw, hr, k * gw + gw * 0.08 + bw, H - hc, bw, hc))
                return CS_ENOMEM;
        }
    }
    if (cs_buf_printf(b, err, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#9aa2b1\"/>", (int)H,
                      (int)W, (int)H))
        return CS_ENOMEM;
    if (n > 0) {    /* the first and the last bin, under the axis */
        if (cs_buf_printf(b, err, "<text x=\"0\" y=\"%d\" class=\"ax\">", (int)H + 13) ||
            _html_cut(b, c->dist.labels[0], err) || cs_buf_puts(b, "</text>", err))
            return CS_ENOMEM;
        if (n > 1 && (cs_buf_printf(b, err, "<text x=\"%d\" y=\"%d\" class=\"ax\" text-anchor=\"end\">", (int)W,
                                    (int)H + 13) ||
                      _html_cut(b, c->dist.labels[n - 1], err) || cs_buf_puts(b, "</text>", err)))
            return CS_ENOMEM;
    }
    return cs_buf_puts(b, "</svg>", err);
}

char *drift_report_html(const drift_report *r, cs_err *err)
{
    cs_buf b = {0};
    char s1[40], s2[40];
    _short(s1, sizeof s1, r->share * 100);
    _short(s2, sizeof s2, r->drift_share);
    J(cs_buf_printf(&b, err,
                    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    "<title>Data drift report</title><style>%s</style></head>\n<body>\n",
                    _css));
    J(cs_buf_puts(&b, "<h1>Data Drift Summary</h1>\n<p class=\"muted\">reference: ", err));
    J(_html(&b, r->reference, err));
    J(cs_buf_puts(&b, "<br>current: ", err));
    J(_html(&b, r->current, err));
    J(cs_buf_printf(&b, err, "<br>creditscore %s, evidently 0.4 default tests</p>\n", CS_VERSION));
    J(cs_buf_printf(&b, err,
                    "<div class=\"cards\"><div class=\"card\">columns tested<b id=\"n-columns\">%d</b></div>"
                    "<div class=\"card\">drifted<b id=\"n-drifted\">%d</b></div>"
                    "<div class=\"card\">share drifted<b id=\"share\">%s%%</b></div>"
                    "<div class=\"card %s\">dataset drift<b id=\"verdict\">%s</b></div></div>\n",
                    r->n_columns, r->n_drifted, s1, r->dataset_drift ? "verdict-yes" : "verdict-no",
                    r->dataset_drift ? "detected" : "not detected"));
    J(cs_buf_printf(&b, err,
                    "<p>Drift is detected for %s%% of columns (%d out of %d). Dataset Drift is %s. "
                    "Dataset drift detection threshold is %s.</p>\n",
                    s1, r->n_drifted, r->n_columns, r->dataset_drift ? "detected" : "NOT detected", s2));
    J(cs_buf_puts(&b,
                  "<h2>Columns</h2><p class=\"muted legend\">Click a heading to sort. Distributions:"
                  "<span style=\"background:#3b6fb6\"></span>reference<span style=\"background:#e8822e\"></span>"
                  "current (share of non-missing values per bin; hover for numbers)"
                  "<label><input type=\"checkbox\" id=\"only-drifted\"> only drifted columns</label></p>\n"
                  "<table id=\"cols\"><thead><tr><th>Column</th><th>Type</th><th>Stat test</th><th>Drift score</th>"
                  "<th>Threshold</th><th>Data drift</th><th>PSI</th><th>Missing ref / cur</th>"
                  "<th>Reference and current distribution</th></tr></thead><tbody>\n",
                  err));
    for (int i = 0; i < r->n_columns; i++) {
        const drift_column_result *c = &r->cols[i];
        char sc[40], th[40], ps[40], fs[40], fp[40];
        _short(sc, sizeof sc, c->score);
        _short(th, sizeof th, c->threshold);
        _short(ps, sizeof ps, c->psi);
        cs_fmt_double(fs, sizeof fs, c->score);
        cs_fmt_double(fp, sizeof fp, c->psi);
        J(cs_buf_printf(&b, err, "<tr class=\"%s\"><td data-v=\"", c->drifted ? "drift" : "nodrift"));
        J(_html(&b, c->name, err));
        J(cs_buf_puts(&b, "\">", err));
        J(_html(&b, c->name, err));
        J(cs_buf_printf(&b, err,
                        "</td><td data-v=\"%s\">%s</td><td data-v=\"%s\">%s</td>"
                        "<td class=\"num\" data-v=\"%s\">%s</td><td class=\"num\" data-v=\"%s\">%s</td>"
                        "<td class=\"flag\" data-v=\"%d\">%s</td><td class=\"num\" data-v=\"%s\">%s (%s)</td>"
                        "<td class=\"num\" data-v=\"%zu\">%zu / %zu</td><td>",
                        _type_name(c->type), _type_name(c->type), drift_test_display_name(c->test),
                        drift_test_display_name(c->test), fs, sc, th, th, c->drifted,
                        c->drifted ? "Detected" : "Not Detected", fp, ps, c->psi_band,
                        c->ref_missing + c->cur_missing, c->ref_missing, c->cur_missing));
        J(_svg(&b, c, err));
        J(cs_buf_puts(&b, "</td></tr>\n", err));
    }
    J(cs_buf_puts(&b, "</tbody></table>\n", err));
    if (r->n_skipped) {
        J(cs_buf_puts(&b, "<h2>Not compared</h2><ul class=\"muted\">", err));
        for (int i = 0; i < r->n_skipped; i++) {
            J(cs_buf_puts(&b, "<li>", err));
            J(_html(&b, r->skipped[i], err));
            J(cs_buf_puts(&b, "</li>", err));
        }
        J(cs_buf_puts(&b, "</ul>\n", err));
    }
    J(cs_buf_printf(&b, err, "<script>\n%s</script>\n</body></html>\n", _js));
    return cs_buf_take(&b);
nomem:
    cs_buf_free(&b);
    return NULL;
}

cs_status drift_report_write_json(const drift_report *r, const char *path, cs_err *err)
{
    char *s = drift_report_json(r, err);
    cs_status st;
    if (!s) return err ? err->code : CS_ENOMEM;
    st = cs_write_file(path, s, strlen(s), err);
    free(s);
    return st;
}

cs_status drift_report_write_html(const drift_report *r, const char *path, cs_err *err)
{
    char *s = drift_report_html(r, err);
    cs_status st;
    if (!s) return err ? err->code : CS_ENOMEM;
    st = cs_write_file(path, s, strlen(s), err);
    free(s);
    return st;
}
