/*
 * report.c: the fairness report as JSON (stable names, docs/fairness.md) and as one
 * self-contained HTML page (inline CSS, no script, no network) carrying the caveats that
 * fairlearn's maintainers give about the four-fifths rule.
 */
#include "fair.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- JSON ------------------------------------------------------------------------------- */

static cs_status _jnum(cs_buf *b, double v, cs_err *err)
{
    char s[40];
    if (!isfinite(v)) return cs_buf_puts(b, "null", err);
    cs_fmt_double(s, sizeof s, v);
    return cs_buf_puts(b, s, err);
}

static cs_status _jstr(cs_buf *b, const char *s, cs_err *err)
{
    cs_status st;
    if (!s) return cs_buf_puts(b, "null", err);
    if ((st = cs_buf_puts(b, "\"", err))) return st;
    for (const unsigned char *p = (const unsigned char *)s; *p && !st; p++) {
        if (*p == '"' || *p == '\\') st = cs_buf_printf(b, err, "\\%c", *p);
        else if (*p < 0x20) st = cs_buf_printf(b, err, "\\u%04x", *p);
        else st = cs_buf_append(b, p, 1, err);
    }
    return st ? st : cs_buf_puts(b, "\"", err);
}

/* "name": {"value": v, "lo": l, "hi": h} */
static cs_status _jci(cs_buf *b, const char *name, fair_ci c, cs_err *err)
{
    cs_status st = cs_buf_printf(b, err, "\"%s\": {\"value\": ", name);
    if (!st) st = _jnum(b, c.value, err);
    if (!st) st = cs_buf_puts(b, ", \"lo\": ", err);
    if (!st) st = _jnum(b, c.lo, err);
    if (!st) st = cs_buf_puts(b, ", \"hi\": ", err);
    if (!st) st = _jnum(b, c.hi, err);
    return st ? st : cs_buf_puts(b, "}", err);
}

static cs_status _joverall(cs_buf *b, const fair_overall *o, cs_err *err)
{
    cs_status st = cs_buf_puts(b, "{\"n\": ", err);
    if (!st) st = _jnum(b, o->n, err);
    if (!st) st = cs_buf_puts(b, ", \"n_labelled\": ", err);
    if (!st) st = _jnum(b, o->n_labelled, err);
    if (!st) st = cs_buf_puts(b, ", \"threshold\": ", err);
    if (!st) st = _jnum(b, o->threshold, err);
    if (!st) st = cs_buf_puts(b, ", \"approval_rate\": ", err);
    if (!st) st = _jnum(b, o->approval, err);
    if (!st) st = cs_buf_puts(b, ", \"auc\": ", err);
    if (!st) st = _jnum(b, o->auc, err);
    if (!st) st = cs_buf_puts(b, ", \"cost\": ", err);
    if (!st) st = _jnum(b, o->cost, err);
    if (!st) st = cs_buf_puts(b, ", \"cost_per_client\": ", err);
    if (!st) st = _jnum(b, o->cost_per_row, err);
    return st ? st : cs_buf_puts(b, "}", err);
}

/* raw JSON text j (already valid: it comes from a model file) or null */
static cs_status _jraw(cs_buf *b, const char *j, cs_err *err)
{
    return cs_buf_puts(b, j && *j ? j : "null", err);
}

cs_status fair_report_json(const fair_report *r, const fair_doc *d, cs_buf *out, cs_err *err)
{
    cs_status st;
    double min_air = fair_report_min_air(r);
    st = cs_buf_puts(out, "{\"format\": 1, \"model\": ", err);
    if (!st) st = _jstr(out, d->model, err);
    if (!st) st = cs_buf_puts(out, ", \"features\": ", err);
    if (!st) st = _jstr(out, d->features, err);
    if (!st) st = cs_buf_puts(out, ", \"recipe\": ", err);
    if (!st) st = _jstr(out, d->recipe, err);
    if (!st) st = cs_buf_puts(out, ", \"excluded_protected\": ", err);
    if (!st) st = _jraw(out, d->excluded, err);
    if (!st)
        st = cs_buf_printf(out, err,
                           ", \"bootstrap\": {\"replicates\": %d, \"seed\": %llu, \"level\": 0.95, "
                           "\"method\": \"percentile; rows resampled with replacement within each group\"}, "
                           "\"min_group\": ",
                           r->n_boot, (unsigned long long)r->seed);
    if (!st) st = _jnum(out, r->min_group, err);
    if (!st) st = cs_buf_puts(out, ", \"min_adverse_impact_ratio\": ", err);
    if (!st) st = _jnum(out, min_air, err);
    if (!st) st = cs_buf_puts(out, ", \"overall\": ", err);
    if (!st) st = _joverall(out, &r->overall, err);
    if (!st) st = cs_buf_puts(out, ", \"attributes\": [", err);
    for (int k = 0; !st && k < r->n_attrs; k++) {
        const fair_attr_report *a = &r->a[k];
        st = cs_buf_printf(out, err, "%s{\"name\": ", k ? ", " : "");
        if (!st) st = _jstr(out, a->attr->name, err);
        if (!st) st = cs_buf_puts(out, ", \"label\": ", err);
        if (!st) st = _jstr(out, a->attr->label, err);
        if (!st) st = cs_buf_puts(out, ", \"kind\": ", err);
        if (!st) st = _jstr(out, a->attr->kind, err);
        if (!st) st = cs_buf_puts(out, ", \"n_missing\": ", err);
        if (!st) st = _jnum(out, a->n_missing, err);
        if (!st) st = cs_buf_puts(out, ", \"favoured_group\": ", err);
        if (!st) st = _jstr(out, a->favoured >= 0 ? a->attr->groups[a->favoured] : NULL, err);
        if (!st) st = cs_buf_puts(out, ", ", err);
        if (!st) st = _jci(out, "min_adverse_impact_ratio", a->min_air, err);
        if (!st)
            st = cs_buf_printf(out, err, ", \"four_fifths_pass\": %s, ",
                               isnan(a->min_air.value) ? "null" : a->min_air.value >= 0.8 ? "true" : "false");
        if (!st) st = _jci(out, "demographic_parity_difference", a->dp_diff, err);
        if (!st) st = cs_buf_puts(out, ", ", err);
        if (!st) st = _jci(out, "equal_opportunity_difference", a->eo_diff, err);
        if (!st) st = cs_buf_puts(out, ", ", err);
        if (!st) st = _jci(out, "equalized_odds_difference", a->eodds_diff, err);
        if (!st) st = cs_buf_puts(out, ", \"groups\": [", err);
        for (int g = 0; !st && g < a->attr->n_groups; g++) {
            const fair_group_stats *s = &a->g[g];
            st = cs_buf_printf(out, err, "%s{\"group\": ", g ? ", " : "");
            if (!st) st = _jstr(out, a->attr->groups[g], err);
            if (!st)
                st = cs_buf_printf(out, err, ", \"n\": %.0f, \"n_labelled\": %.0f, \"n_default\": %.0f, \"small\": %s, ",
                                   s->n, s->n_labelled, s->n_default, s->small ? "true" : "false");
            if (!st) st = _jci(out, "approval_rate", s->approval, err);
            if (!st) st = cs_buf_puts(out, ", ", err);
            if (!st) st = _jci(out, "default_rate", s->default_rate, err);
            if (!st) st = cs_buf_puts(out, ", ", err);
            if (!st) st = _jci(out, "expected_default_rate", s->expected, err);
            if (!st) st = cs_buf_puts(out, ", ", err);
            if (!st) st = _jci(out, "auc", s->auc, err);
            if (!st) st = cs_buf_puts(out, ", ", err);
            if (!st) st = _jci(out, "tpr", s->tpr, err);
            if (!st) st = cs_buf_puts(out, ", ", err);
            if (!st) st = _jci(out, "fpr", s->fpr, err);
            if (!st) st = cs_buf_puts(out, ", ", err);
            if (!st) st = _jci(out, "adverse_impact_ratio", s->air, err);
            if (!st) st = cs_buf_printf(out, err, ", \"four_fifths_flag\": %s, \"approval_rate_compare\": ",
                                        s->four_fifths ? "true" : "false");
            if (!st) st = _jnum(out, s->approval2, err);
            if (!st) st = cs_buf_puts(out, "}", err);
        }
        if (!st) st = cs_buf_puts(out, "]}", err);
    }
    if (!st) st = cs_buf_puts(out, "], \"compare\": ", err);
    if (!st && r->overall2.n > 0) {
        st = cs_buf_puts(out, "{\"model\": ", err);
        if (!st) st = _jstr(out, d->model2, err);
        if (!st) st = cs_buf_puts(out, ", \"excluded_protected\": ", err);
        if (!st) st = _jraw(out, d->excluded2, err);
        if (!st) st = cs_buf_puts(out, ", \"overall\": ", err);
        if (!st) st = _joverall(out, &r->overall2, err);
        if (!st) st = cs_buf_puts(out, "}", err);
    } else if (!st) {
        st = cs_buf_puts(out, "null", err);
    }
    if (!st) st = cs_buf_puts(out, ", \"skipped\": ", err);
    if (!st) st = _jstr(out, d->skipped && *d->skipped ? d->skipped : NULL, err);
    return st ? st : cs_buf_puts(out, "}\n", err);
}

/* ---- HTML ---------------------------------------------------------------------------------- */

static cs_status _h(cs_buf *b, const char *s, cs_err *err)
{
    cs_status st = CS_OK;
    for (; s && *s && !st; s++) {
        switch (*s) {
        case '<': st = cs_buf_puts(b, "&lt;", err); break;
        case '>': st = cs_buf_puts(b, "&gt;", err); break;
        case '&': st = cs_buf_puts(b, "&amp;", err); break;
        case '"': st = cs_buf_puts(b, "&quot;", err); break;
        default: st = cs_buf_append(b, s, 1, err);
        }
    }
    return st;
}

/* a share as a percentage with its interval: "71.2 % (69.8-72.5)" */
static cs_status _hpct(cs_buf *b, fair_ci c, cs_err *err)
{
    if (isnan(c.value)) return cs_buf_puts(b, "<td>—</td>", err);
    if (isnan(c.lo)) return cs_buf_printf(b, err, "<td>%.1f %%</td>", 100 * c.value);
    return cs_buf_printf(b, err, "<td>%.1f %% <small>(%.1f–%.1f)</small></td>", 100 * c.value, 100 * c.lo,
                         100 * c.hi);
}

static cs_status _hnum(cs_buf *b, fair_ci c, cs_err *err)
{
    if (isnan(c.value)) return cs_buf_puts(b, "<td>—</td>", err);
    if (isnan(c.lo)) return cs_buf_printf(b, err, "<td>%.3f</td>", c.value);
    return cs_buf_printf(b, err, "<td>%.3f <small>(%.3f–%.3f)</small></td>", c.value, c.lo, c.hi);
}

static const char _css[] =
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222;line-height:1.4}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.3em .6em;"
    "text-align:right}th:first-child,td:first-child{text-align:left}small{color:#666}"
    ".flag{background:#fde2e1}.small{color:#888}.ok{color:#1a7f37}.bad{color:#b42318;font-weight:bold}"
    ".caveats{background:#f6f8fa;border-left:4px solid #888;padding:.5em 1em}";

cs_status fair_report_html(const fair_report *r, const fair_doc *d, cs_buf *out, cs_err *err)
{
    cs_status st;
    double min_air = fair_report_min_air(r);
    st = cs_buf_printf(out, err,
                       "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<title>Fairness report</title><style>%s</style></head><body>\n<h1>Fairness report</h1>\n<p>Model <b>",
                       _css);
    if (!st) st = _h(out, d->model, err);
    if (!st) st = cs_buf_puts(out, "</b> on <b>", err);
    if (!st) st = _h(out, d->features, err);
    if (!st) st = cs_buf_puts(out, "</b>", err);
    if (!st && d->recipe) {
        st = cs_buf_puts(out, ", protected attributes from recipe <b>", err);
        if (!st) st = _h(out, d->recipe, err);
        if (!st) st = cs_buf_puts(out, "</b>", err);
    }
    if (!st)
        st = cs_buf_printf(out, err,
                           ". %.0f applicants (%.0f with a known outcome); approved when the probability of "
                           "default is below the threshold %.4f. Overall approval rate %.1f %%, AUC %.4f.</p>\n",
                           r->overall.n, r->overall.n_labelled, r->overall.threshold, 100 * r->overall.approval,
                           r->overall.auc);
    if (!st) {
        st = cs_buf_puts(out, "<p>Protected attributes excluded from training: ", err);
        if (!st) st = _h(out, d->excluded ? d->excluded : "none (the model may use them)", err);
        if (!st) st = cs_buf_puts(out, "</p>\n", err);
    }
    if (!st)
        st = cs_buf_printf(out, err,
                           "<p>Smallest adverse impact ratio: <span class=\"%s\">%.3f</span> (four-fifths rule: %s). "
                           "Intervals are bootstrap 95 %% percentile intervals over %d replicates (seed %llu), rows "
                           "resampled within each group. Groups under %.0f applicants are shown in grey and left "
                           "out of the ratios' reference and the differences.</p>\n",
                           isnan(min_air) ? "small" : min_air < 0.8 ? "bad" : "ok", min_air,
                           isnan(min_air) ? "no ratio" : min_air < 0.8 ? "a group is flagged" : "no group is flagged",
                           r->n_boot, (unsigned long long)r->seed, r->min_group);
    for (int k = 0; !st && k < r->n_attrs; k++) {
        const fair_attr_report *a = &r->a[k];
        st = cs_buf_puts(out, "<h2>", err);
        if (!st) st = _h(out, a->attr->label, err);
        if (!st) st = cs_buf_puts(out, " <small>(", err);
        if (!st) st = _h(out, a->attr->name, err);
        if (!st) st = cs_buf_puts(out, ", ", err);
        if (!st) st = _h(out, a->attr->kind, err);
        if (!st) st = cs_buf_printf(out, err, "; %.0f applicants in no group)</small></h2>\n", a->n_missing);
        if (!st)
            st = cs_buf_puts(out,
                             "<table><tr><th>group</th><th>applicants</th><th>approval rate</th><th>adverse impact "
                             "ratio</th><th>default rate (observed)</th><th>default rate (expected)</th><th>AUC</th>"
                             "<th>TPR (defaulters refused)</th><th>FPR (repayers refused)</th>",
                             err);
        if (!st && r->overall2.n > 0) st = cs_buf_puts(out, "<th>approval rate, comparison model</th>", err);
        if (!st) st = cs_buf_puts(out, "</tr>\n", err);
        for (int g = 0; !st && g < a->attr->n_groups; g++) {
            const fair_group_stats *s = &a->g[g];
            st = cs_buf_printf(out, err, "<tr class=\"%s\"><td>", s->small ? "small" : s->four_fifths ? "flag" : "");
            if (!st) st = _h(out, a->attr->groups[g], err);
            if (!st && g == a->favoured) st = cs_buf_puts(out, " <small>(most favoured)</small>", err);
            if (!st) st = cs_buf_printf(out, err, "</td><td>%.0f</td>", s->n);
            if (!st) st = _hpct(out, s->approval, err);
            if (!st) st = _hnum(out, s->air, err);
            if (!st) st = _hpct(out, s->default_rate, err);
            if (!st) st = _hpct(out, s->expected, err);
            if (!st) st = _hnum(out, s->auc, err);
            if (!st) st = _hpct(out, s->tpr, err);
            if (!st) st = _hpct(out, s->fpr, err);
            if (!st && r->overall2.n > 0) st = _hpct(out, (fair_ci){s->approval2, NAN, NAN}, err);
            if (!st) st = cs_buf_puts(out, "</tr>\n", err);
        }
        if (!st) st = cs_buf_puts(out, "</table>\n<table><tr><th>difference between groups</th><th>value</th></tr><tr><td>demographic parity (approval rate, max − min)</td>", err);
        if (!st) st = _hnum(out, a->dp_diff, err);
        if (!st) st = cs_buf_puts(out, "</tr><tr><td>equal opportunity (approval rate of repayers, max − min)</td>", err);
        if (!st) st = _hnum(out, a->eo_diff, err);
        if (!st) st = cs_buf_puts(out, "</tr><tr><td>equalized odds (the larger of the TPR and FPR differences)</td>", err);
        if (!st) st = _hnum(out, a->eodds_diff, err);
        if (!st) st = cs_buf_puts(out, "</tr><tr><td>smallest adverse impact ratio</td>", err);
        if (!st) st = _hnum(out, a->min_air, err);
        if (!st) st = cs_buf_puts(out, "</tr></table>\n", err);
    }
    if (!st && r->overall2.n > 0) {
        st = cs_buf_puts(out, "<h2>With and without the protected attributes</h2>\n<table><tr><th>model</th>"
                              "<th>protected attributes excluded</th><th>AUC</th><th>cost</th><th>cost per applicant</th>"
                              "<th>approval rate</th><th>threshold</th></tr>\n",
                         err);
        for (int m = 0; !st && m < 2; m++) {
            const fair_overall *o = m ? &r->overall2 : &r->overall;
            const char *ex = m ? d->excluded2 : d->excluded;
            st = cs_buf_puts(out, "<tr><td>", err);
            if (!st) st = _h(out, m ? d->model2 : d->model, err);
            if (!st) st = cs_buf_puts(out, "</td><td>", err);
            if (!st) st = _h(out, ex ? ex : "none", err);
            if (!st)
                st = cs_buf_printf(out, err, "</td><td>%.4f</td><td>%.0f</td><td>%.4f</td><td>%.1f %%</td><td>%.4f</td></tr>\n",
                                   o->auc, o->cost, o->cost_per_row, 100 * o->approval, o->threshold);
        }
        if (!st) st = cs_buf_puts(out, "</table>\n<p>The approval rate of each group under the comparison model is the last column of the tables above.</p>\n", err);
    }
    if (!st && d->skipped && *d->skipped) {
        st = cs_buf_puts(out, "<p>Protected columns not reported: ", err);
        if (!st) st = _h(out, d->skipped, err);
        if (!st) st = cs_buf_puts(out, "</p>\n", err);
    }
    if (!st)
        st = cs_buf_puts(
            out,
            "<div class=\"caveats\"><h2>Reading the four-fifths rule</h2><p>These caveats follow the ones "
            "fairlearn's maintainers give in its documentation.</p><ul>"
            "<li>The four-fifths rule comes from the US Uniform Guidelines on Employee Selection Procedures "
            "(1978): a rule of thumb for when an employer's selection rates deserve a closer look. It is not a "
            "legal definition of discrimination, in employment or in lending, and carrying it into other "
            "contexts (an approval ratio of 0.8 as a pass mark for a credit model) goes beyond what it was made "
            "for.</li>"
            "<li>A ratio of 0.8 or more does not show that a model is fair, and a ratio below it does not show "
            "discrimination: it compares approval rates only, and says nothing about whether the errors (the "
            "TPR, FPR and calibration columns) fall equally on each group.</li>"
            "<li>Small groups give unstable ratios: read the intervals before the flag.</li>"
            "<li>Fairness is a sociotechnical question: which groups, which harms and which metric matter is "
            "decided with the people affected and with legal advice, not by a threshold in a report.</li>"
            "</ul></div>\n</body></html>\n",
            err);
    return st;
}
