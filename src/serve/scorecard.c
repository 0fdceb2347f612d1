/*
 * scorecard.c: what the API adds for a scorecard model (train --model scorecard): the total
 * points and the cut-off in points on /v1/predict, and on /v1/explain each characteristic's
 * bin, points and maximum points, with reason codes ranked by shortfall from the maximum
 * (the method lenders use for adverse-action notices). Labels and codes are the model's
 * recipe's (labels.h), as /v1/explain's reason codes; a model without a spec gets the explain
 * module's (shap_feature_label: the built-in Home Credit wording, the feature's name otherwise).
 */
#include "scorecard.h"
#include "json.h"
#include "labels.h"
#include "../explain/shap.h"
#include "../features/engine.h"
#include "../learn/scorecard.h"
#include "../model/model.h"
#include "../model/points.h"

#include <stdlib.h>
#include <string.h>

/* a characteristic's label and stable code in lang: the model's recipe's, else the built-in rule */
static void _label(const mf_model *mf, const char *name, shap_lang lang, char *label, size_t cap, char *code)
{
    const rcp_recipe *r = mf_spec(mf) ? feat_spec_recipe(mf_spec(mf)) : NULL;
    shap_labeller lab;
    if (r) {
        api_labeller_init(&lab, r);
        if (lab.label(lab.ud, name, lang, label, cap, code)) return;
    }
    shap_feature_label(name, lang, label, cap, code);
}

typedef struct _short {
    size_t j;
    int32_t shortfall;
} _short;

static int _cmp_short(const void *a, const void *b)
{
    const _short *p = a, *q = b;
    if (p->shortfall != q->shortfall) return p->shortfall < q->shortfall ? 1 : -1;
    return (p->j > q->j) - (p->j < q->j);
}

cs_status api_scorecard_json(const mf_model *mf, const double *x, int explain, int lang, cs_buf *out,
                             cs_err *err)
{
    const sc_card *c = mf_card(mf);
    int64_t cutoff = mf_cutoff_points(mf), lo, hi;
    sc_card_range(c, &lo, &hi);
    size_t n = c->n_chars;
    int32_t *pts = cs_malloc((n + 1) * sizeof *pts, err);
    size_t *bin = cs_malloc((n + 1) * sizeof *bin, err);
    _short *ord = cs_malloc((n + 1) * sizeof *ord, err);
    if (!pts || !bin || !ord) {
        free(pts); free(bin); free(ord);
        return CS_ENOMEM;
    }
    int64_t total = sc_card_points(c, x, pts, bin);
    cs_buf_printf(out, NULL, ",\"scorecard\":{\"points\":%lld,\"cutoff\":%lld,\"decision\":\"%s\","
                  "\"min_points\":%lld,\"max_points\":%lld,\"scaling\":{\"pdo\":", (long long)total,
                  (long long)cutoff, mf_decision_word(!(total >= cutoff)), (long long)lo, (long long)hi);
    api_json_num(out, c->pdo, NULL);
    cs_buf_puts(out, ",\"base_points\":", NULL);
    api_json_num(out, c->base_points, NULL);
    cs_buf_puts(out, ",\"base_odds\":", NULL);
    api_json_num(out, c->base_odds, NULL);
    cs_buf_puts(out, "}", NULL);
    if (explain) {
        char label[160], code[16], bl[256];
        shap_lang sl = lang ? SHAP_LANG_FR : SHAP_LANG_EN;
        cs_buf_puts(out, ",\"characteristics\":[", NULL);
        for (size_t j = 0; j < n; j++) {
            const sc_char *ch = &c->chars[j];
            _label(mf, ch->bins->name, sl, label, sizeof label, code);
            bn_bin_label(ch->bins, bin[j], bl, sizeof bl);
            cs_buf_puts(out, j ? ",{\"feature\":" : "{\"feature\":", NULL);
            api_json_str(out, ch->bins->name, NULL);
            cs_buf_puts(out, ",\"label\":", NULL);
            api_json_str(out, label, NULL);
            cs_buf_puts(out, ",\"value\":", NULL);
            api_json_num(out, x[ch->feat], NULL);
            cs_buf_puts(out, ",\"bin\":", NULL);
            api_json_str(out, bl, NULL);
            cs_buf_printf(out, NULL, ",\"points\":%d,\"max_points\":%d,\"shortfall\":%d}", (int)pts[j],
                          (int)ch->max_points, (int)(ch->max_points - pts[j]));
            ord[j].j = j;
            ord[j].shortfall = ch->max_points - pts[j];
        }
        qsort(ord, n, sizeof *ord, _cmp_short);
        cs_buf_puts(out, "],\"reason_codes\":[", NULL);
        size_t nr = 0;
        for (size_t i = 0; i < n && nr < 4; i++) {
            if (ord[i].shortfall <= 0) break;
            const sc_char *ch = &c->chars[ord[i].j];
            _label(mf, ch->bins->name, sl, label, sizeof label, code);
            bn_bin_label(ch->bins, bin[ord[i].j], bl, sizeof bl);
            char text[640];
            if (lang)
                snprintf(text, sizeof text, "Vos points pour « %s » (%s) sont inférieurs de %d au maximum : %d sur %d.",
                         label, bl, (int)ord[i].shortfall, (int)pts[ord[i].j], (int)ch->max_points);
            else
                snprintf(text, sizeof text, "Your points for '%s' (%s) were %d below the maximum: %d of %d.", label, bl,
                         (int)ord[i].shortfall, (int)pts[ord[i].j], (int)ch->max_points);
            cs_buf_printf(out, NULL, "%s{\"rank\":%zu,\"code\":", nr ? "," : "", nr + 1);
            api_json_str(out, code, NULL);
            cs_buf_puts(out, ",\"feature\":", NULL);
            api_json_str(out, ch->bins->name, NULL);
            cs_buf_puts(out, ",\"label\":", NULL);
            api_json_str(out, label, NULL);
            cs_buf_puts(out, ",\"bin\":", NULL);
            api_json_str(out, bl, NULL);
            cs_buf_printf(out, NULL, ",\"points\":%d,\"max_points\":%d,\"shortfall\":%d,\"text\":", (int)pts[ord[i].j],
                          (int)ch->max_points, (int)ord[i].shortfall);
            api_json_str(out, text, NULL);
            cs_buf_puts(out, "}", NULL);
            nr++;
        }
        cs_buf_puts(out, "]", NULL);
    }
    free(pts);
    free(bin);
    free(ord);
    return cs_buf_puts(out, "}", err);
}
