/*
 * explain_csv.c: batch explanations as CSV (explain_csv.h).
 */
#include "explain_csv.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_ROWS 4096     /* rows explained, then written, at a time */

static void _num(FILE *f, double v)
{
    char b[40];
    cs_fmt_double(b, sizeof b, v);
    fputs(b, f);
}

/* the k largest |phi[0..d)| into idx[0..k), largest first, ties to the lower index
 * (insertion into the sorted k so far: k is small) */
static void _top(const double *phi, size_t d, size_t k, size_t *idx)
{
    size_t got = 0;
    for (size_t j = 0; j < d; j++) {
        double a = fabs(phi[j]);
        if (got == k && !(a > fabs(phi[idx[k - 1]]))) continue;
        size_t at = got < k ? got++ : k - 1;
        while (at > 0 && fabs(phi[idx[at - 1]]) < a) {
            idx[at] = idx[at - 1];
            at--;
        }
        idx[at] = j;
    }
}

cs_status mf_explain_csv(const mf_model *m, const feat_matrix *fm, const mf_explain_opts *opts,
                         FILE *out, mf_explain_summary *sum, cs_err *err)
{
    assert(m && fm && opts && out);
    size_t d = mf_n_feats(m), n = fm->n_rows;
    size_t top = opts->top > d ? d : opts->top, nr = opts->n_reasons;
    mf_explain_summary s;
    memset(&s, 0, sizeof s);
    double t0 = cs_now();
    cs_status st = CS_OK;
    long *map = cs_malloc((d ? d : 1) * sizeof *map, err);
    const char **names = cs_malloc((d ? d : 1) * sizeof *names, err);
    double *x = NULL, *phi = NULL;
    size_t *idx = NULL;
    shap_reason *rs = NULL;
    shap_explainer *e = NULL;
    cs_progress *prog = NULL;
    if (!map || !names) {
        st = CS_ENOMEM;
        goto done;
    }
    size_t missing = 0;
    const char *first = NULL;
    for (size_t j = 0; j < d; j++) {
        names[j] = mf_feat_name(m, j);
        map[j] = feat_index(fm, names[j]);
        if (map[j] < 0 && missing++ == 0) first = names[j];
    }
    if (missing) {
        st = cs_err_set(err, CS_ENOTFOUND, "the feature file lacks %zu of the model's %zu features (first: '%s')",
                        missing, d, first);
        goto done;
    }
    if (!(e = shap_explainer_create(mf_learner(m), err))) {
        st = err ? err->code : CS_EINVAL;
        goto done;
    }
    shap_explainer_stats(e, &s.stats);
    size_t chunk = n < CHUNK_ROWS ? (n ? n : 1) : CHUNK_ROWS;
    x = cs_malloc(chunk * (d ? d : 1) * sizeof *x, err);
    phi = cs_malloc(chunk * (d ? d : 1) * sizeof *phi, err);
    idx = cs_malloc((top ? top : 1) * sizeof *idx, err);
    rs = cs_malloc((nr ? nr : 1) * sizeof *rs, err);
    if (!x || !phi || !idx || !rs) {
        st = CS_ENOMEM;
        goto done;
    }
    /* header */
    cs_csv_field(out, opts->id_name ? opts->id_name : "id");
    fputs(",probability,decision,raw_score,expected_value", out);
    if (top)
        for (size_t k = 1; k <= top; k++) fprintf(out, ",feature_%zu,contribution_%zu", k, k);
    else
        for (size_t j = 0; j < d; j++) {
            fputc(',', out);
            cs_csv_field(out, names[j]);
        }
    for (size_t k = 1; k <= nr; k++) fprintf(out, ",reason_%zu_code,reason_%zu_text", k, k);
    fputc('\n', out);

    if (opts->progress_out) prog = cs_progress_create(opts->progress_out, "explain", n);
    double ev = shap_expected_value(e);
    for (size_t r0 = 0; r0 < n; r0 += chunk) {
        size_t c = n - r0 < chunk ? n - r0 : chunk;
        for (size_t j = 0; j < d; j++) {
            const double *col = fm->values + (size_t)map[j] * n + r0;
            for (size_t i = 0; i < c; i++) x[i * d + j] = col[i];
        }
        if ((st = shap_explain_rows(e, x, c, phi, err))) goto done;
        for (size_t i = 0; i < c; i++) {
            const double *xi = x + i * d, *pi = phi + i * d;
            mf_decision dc;
            double tot = ev;
            if ((st = mf_score(m, xi, &dc, err))) goto done;
            for (size_t j = 0; j < d; j++) tot += pi[j];
            if (fabs(tot - dc.raw) > s.max_gap) s.max_gap = fabs(tot - dc.raw);
            s.refused += (size_t)dc.refuse;
            fprintf(out, "%lld,", (long long)fm->ids[r0 + i]);
            _num(out, dc.probability);
            fprintf(out, ",%s,", mf_decision_word(dc.refuse));
            _num(out, dc.raw);
            fputc(',', out);
            _num(out, ev);
            if (top) {
                _top(pi, d, top, idx);
                for (size_t k = 0; k < top; k++) {
                    fputc(',', out);
                    cs_csv_field(out, names[idx[k]]);
                    fputc(',', out);
                    _num(out, pi[idx[k]]);
                }
            } else {
                for (size_t j = 0; j < d; j++) {
                    fputc(',', out);
                    _num(out, pi[j]);
                }
            }
            size_t got = nr ? shap_reasons_labelled(pi, xi, names, d, nr, opts->lang, opts->labeller, rs) : 0;
            for (size_t k = 0; k < nr; k++) {
                fputc(',', out);
                if (k < got) {
                    fputs(rs[k].code, out);
                    fputc(',', out);
                    cs_csv_field(out, rs[k].text);
                } else {
                    fputc(',', out);
                }
            }
            fputc('\n', out);
        }
        if (ferror(out)) {
            st = cs_err_set(err, CS_EIO, "write failed");
            goto done;
        }
        s.rows += c;
        if (prog) cs_progress_update(prog, s.rows, NULL);
    }
    if (prog) cs_progress_finish(prog, NULL);
    s.seconds = cs_now() - t0;
    if (sum) *sum = s;
done:
    cs_progress_free(prog);
    shap_explainer_free(e);
    free(map);
    free(names);
    free(x);
    free(phi);
    free(idx);
    free(rs);
    return st;
}
