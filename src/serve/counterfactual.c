/*
 * counterfactual.c: POST /v1/counterfactual: what would change the decision (cf/cf.h).
 * The body is predict's (client_id, records, features or application; lang) with the
 * search's own members, taken out before predict's parser sees the rest:
 *   "max_changes": 1 or 2, "direction": "decrease" | "increase" | "any",
 *   "max_evaluations": 1..CF_MAX_EVALS, "candidates": true (list every candidate evaluated).
 * The answer carries the change (or the margins of an approval), the new decision, the
 * search's figures and one or two sentences in the asked language. A simulation: it is
 * neither counted as a decision nor written to the audit log.
 */
#include "handlers.h"
#include "../cf/cf.h"
#include "../features/engine.h"
#include "../model/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the search's members of the body, removed from doc; 0 or a 400 with pb filled */
static int _opts(cJSON *doc, cf_opts *o, api_problem *pb)
{
    cJSON *v;
    memset(o, 0, sizeof *o);
    o->max_changes = 1;
    o->direction = RCP_DIR_ANY;
    if ((v = cJSON_DetachItemFromObjectCaseSensitive(doc, "max_changes"))) {
        int bad = !cJSON_IsNumber(v) || (v->valuedouble != 1 && v->valuedouble != 2);
        if (!bad) o->max_changes = (int)v->valuedouble;
        cJSON_Delete(v);
        if (bad) return api_problem_set(pb, 400, "wrong_type", "max_changes", "max_changes must be 1 or 2");
    }
    if ((v = cJSON_DetachItemFromObjectCaseSensitive(doc, "direction"))) {
        const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
        int bad = 0;
        if (s && !strcmp(s, "decrease")) o->direction = RCP_DIR_DECREASE;
        else if (s && !strcmp(s, "increase")) o->direction = RCP_DIR_INCREASE;
        else if (s && !strcmp(s, "any")) o->direction = RCP_DIR_ANY;
        else bad = 1;
        cJSON_Delete(v);
        if (bad) return api_problem_set(pb, 400, "wrong_type", "direction", "direction must be \"decrease\", \"increase\" or \"any\"");
    }
    if ((v = cJSON_DetachItemFromObjectCaseSensitive(doc, "max_evaluations"))) {
        int bad = !cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < 1 ||
                  v->valuedouble > CF_MAX_EVALS;
        if (!bad) o->max_evals = (size_t)v->valuedouble;
        cJSON_Delete(v);
        if (bad) return api_problem_set(pb, 400, "wrong_type", "max_evaluations", "max_evaluations must be an integer from 1 to %d",
                                        CF_MAX_EVALS);
    }
    if ((v = cJSON_DetachItemFromObjectCaseSensitive(doc, "candidates"))) {
        int bad = !cJSON_IsBool(v);
        o->keep_tried = cJSON_IsTrue(v);
        cJSON_Delete(v);
        if (bad) return api_problem_set(pb, 400, "wrong_type", "candidates", "candidates must be true or false");
    }
    return 0;
}

/* a column's label for a sentence: lower-case first letter ("credit amount") */
static void _label(const rcp_recipe *r, const char *name, int lang, char *out, size_t cap)
{
    rcp_meta_label(r, name, lang ? RCP_FR : RCP_EN, out, cap);
    if (out[0] >= 'A' && out[0] <= 'Z' && !(out[1] >= 'A' && out[1] <= 'Z')) out[0] = (char)(out[0] - 'A' + 'a');
}

static void _fmt(const rcp_recipe *r, const char *name, double v, int lang, char *out, size_t cap)
{
    rcp_meta_format(r, name, v, lang ? RCP_FR : RCP_EN, out, cap);
}

/* "the credit amount at 412,000 USD or less (now 540,000 USD), with the loan annuity at ...
 * and the ..."; in French a list: "montant du crédit à 412 000 USD ou moins (actuellement
 * 540 000 USD) ; annuité du prêt à ..." (no article to agree with the label) */
static void _change_words(const rcp_recipe *r, const cf_result *res, const cf_change *ch, int beyond, int lang, cs_buf *b)
{
    for (int k = 0; k < ch->n_moves; k++) {
        const cf_move *mv = &ch->moves[k];
        char lab[160], to[64], from[64];
        _label(r, mv->col->name, lang, lab, sizeof lab);
        _fmt(r, mv->col->name, mv->to, lang, to, sizeof to);
        _fmt(r, mv->col->name, mv->from, lang, from, sizeof from);
        if (k == 0) {
            const char *more = "";
            if (beyond) more = mv->to < res->inputs[ch->input].now ? (lang ? " ou moins" : " or less") : (lang ? " ou plus" : " or more");
            cs_buf_printf(b, NULL, lang ? "%s à %s%s (actuellement %s)" : "the %s at %s%s (now %s)", lab, to, more, from);
        } else {
            cs_buf_printf(b, NULL, lang ? " ; %s à %s (actuellement %s)" : k == 1 ? ", with the %s at %s (now %s)" : " and the %s at %s (now %s)",
                          lab, to, from);
        }
    }
}

static void _sentence(const rcp_recipe *r, const cf_result *res, int lang, cs_buf *b)
{
    if (!res->now.refuse) {
        const cf_margin *mg = NULL;
        for (int k = 0; k < res->n_margins && !mg; k++)
            if (res->margins[k].to == res->margins[k].to) mg = &res->margins[k];
        if (!mg) {
            cs_buf_puts(b, lang ? "Accordé." : "Approved.", NULL);
            return;
        }
        {
            const cf_input *in = &res->inputs[mg->input];
            char lab[160], to[64], now[64], at[64];
            int up = in->way != RCP_DIR_DECREASE;
            _label(r, in->col->name, lang, lab, sizeof lab);
            _fmt(r, in->col->name, mg->to, lang, to, sizeof to);
            _fmt(r, in->col->name, in->now, lang, now, sizeof now);
            if (mg->to == in->now && mg->refused_at == mg->refused_at) {
                _fmt(r, in->col->name, mg->refused_at, lang, at, sizeof at);
                cs_buf_printf(b, NULL, lang ? "Accordé, sans marge : %s à %s, la demande serait refusée." :
                                              "Approved, with no margin: the %s at %s would be refused.", lab, at);
            } else if (mg->by_bound) {
                cs_buf_printf(b, NULL, lang ? "Accordé ; l'accord tient encore avec : %s %s %s, la limite examinée (actuellement %s)." :
                                              "Approved; it stays approved with the %s %s %s, the limit searched (now %s).",
                              lab, up ? (lang ? "à" : "up to") : (lang ? "à" : "down to"), to, now);
            } else {
                cs_buf_printf(b, NULL, lang ? "Accordé ; l'accord tient encore avec : %s %s %s (actuellement %s)." :
                                              "Approved; it stays approved with the %s %s %s (now %s).",
                              lab, up ? (lang ? "à" : "up to") : (lang ? "à" : "down to"), to, now);
            }
        }
        return;
    }
    if (res->found) {
        cs_buf_puts(b, lang ? "Pour un accord, il faudrait : " : "Approval would need ", NULL);
        _change_words(r, res, &res->changes[0], res->n_changes == 1 && res->holds_beyond, lang, b);
        if (res->n_changes == 2) {
            cs_buf_puts(b, lang ? " ; et " : "; and ", NULL);
            _change_words(r, res, &res->changes[1], 0, lang, b);
        }
        cs_buf_puts(b, ".", NULL);
        return;
    }
    {
        int n = 0, total = 0;
        for (int i = 0; i < res->n_inputs; i++) total += !res->inputs[i].skipped[0];
        if (!total) {
            cs_buf_puts(b, lang ? "Aucun des montants que le client choisit ne peut être examiné pour ce modèle." :
                                  "None of the amounts the client chooses can be searched for this model.", NULL);
            return;
        }
        cs_buf_puts(b, lang ? "Aucun changement de ces montants (" : "No change of the ", NULL);
        for (int i = 0; i < res->n_inputs; i++) {
            char lab[160];
            if (res->inputs[i].skipped[0]) continue;
            _label(r, res->inputs[i].col->name, lang, lab, sizeof lab);
            n++;
            cs_buf_printf(b, NULL, "%s%s", n == 1 ? "" : n == total ? (lang ? " ou " : " or the ") : (lang ? ", " : ", the "), lab);
        }
        if (lang) cs_buf_puts(b, ")", NULL);
        if (res->budget)
            cs_buf_puts(b, lang ? " n'a été trouvé avant la fin du budget de la recherche." :
                                  " was found before the search's budget ran out.", NULL);
        else
            cs_buf_puts(b, lang ? " dans les limites examinées ne mènerait à un accord." :
                                  " within the limits searched turns this refusal into an approval.", NULL);
    }
}

static void _value(cs_buf *b, const rcp_recipe *r, const char *key, const char *name, double v, int lang)
{
    char t[64];
    cs_buf_printf(b, NULL, ",\"%s\":", key);
    api_json_num(b, v, NULL);
    _fmt(r, name, v, lang, t, sizeof t);
    cs_buf_printf(b, NULL, ",\"%s_text\":", key);
    api_json_str(b, t, NULL);
}

static void _change_json(cs_buf *b, const rcp_recipe *r, const cf_change *ch, int lang)
{
    for (int k = 0; k < ch->n_moves; k++) {
        const cf_move *mv = &ch->moves[k];
        char lab[160];
        if (k == 1) cs_buf_puts(b, ",\"moves\":[", NULL);
        if (k > 1) cs_buf_puts(b, ",", NULL);
        cs_buf_puts(b, k == 0 ? "{\"input\":" : "{\"name\":", NULL);
        api_json_str(b, mv->col->name, NULL);
        rcp_meta_label(r, mv->col->name, lang ? RCP_FR : RCP_EN, lab, sizeof lab);
        cs_buf_puts(b, ",\"label\":", NULL);
        api_json_str(b, lab, NULL);
        _value(b, r, "from", mv->col->name, mv->from, lang);
        _value(b, r, "to", mv->col->name, mv->to, lang);
        if (k > 0) cs_buf_puts(b, "}", NULL);
    }
    if (ch->n_moves > 1) cs_buf_puts(b, "]", NULL);
    cs_buf_puts(b, "}", NULL);
}

static void _decision_json(cs_buf *b, const mf_decision *d)
{
    cs_buf_puts(b, "{\"probability\":", NULL);
    api_json_num(b, d->probability, NULL);
    cs_buf_printf(b, NULL, ",\"decision\":\"%s\"}", mf_decision_word(d->refuse));
}

static void _answer(cs_buf *b, const api_model *m, const rcp_recipe *r, const cf_result *res, const api_input *in,
                    const cf_opts *o, const char *request_id)
{
    int lang = in->lang;
    cs_buf_puts(b, "{\"request_id\":", NULL);
    api_json_str(b, request_id, NULL);
    if (in->kind == API_IN_CLIENT) cs_buf_printf(b, NULL, ",\"client_id\":%lld", (long long)in->client_id);
    cs_buf_puts(b, ",\"simulation\":true,\"model\":{\"name\":", NULL);
    api_json_str(b, api_model_name(m), NULL);
    cs_buf_puts(b, ",\"version\":", NULL);
    api_json_str(b, api_model_version(m), NULL);
    cs_buf_puts(b, "},\"probability\":", NULL);
    api_json_num(b, res->now.probability, NULL);
    cs_buf_printf(b, NULL, ",\"decision\":\"%s\",\"threshold\":", mf_decision_word(res->now.refuse));
    api_json_num(b, res->now.threshold, NULL);
    if (res->now.refuse) {
        cs_buf_printf(b, NULL, ",\"found\":%s,\"changes\":[", res->found ? "true" : "false");
        for (int k = 0; k < res->n_changes; k++) {
            if (k) cs_buf_puts(b, ",", NULL);
            _change_json(b, r, &res->changes[k], lang);
        }
        cs_buf_puts(b, "],\"new\":", NULL);
        if (res->found) _decision_json(b, &res->then);
        else cs_buf_puts(b, "null", NULL);
        cs_buf_printf(b, NULL, ",\"holds_beyond\":%s,\"cost\":", res->found && res->n_changes == 1 && res->holds_beyond ? "true" : "false");
        api_json_num(b, res->found ? res->cost : NAN, NULL);
        cs_buf_puts(b, ",\"why\":", NULL);
        api_json_str(b, res->found ? NULL : res->why, NULL);
    } else {
        cs_buf_puts(b, ",\"found\":false,\"already_approved\":true,\"margins\":[", NULL);
        for (int k = 0; k < res->n_margins; k++) {
            const cf_margin *mg = &res->margins[k];
            const cf_input *ci = &res->inputs[mg->input];
            if (k) cs_buf_puts(b, ",", NULL);
            cs_buf_puts(b, "{\"input\":", NULL);
            api_json_str(b, ci->col->name, NULL);
            cs_buf_printf(b, NULL, ",\"way\":\"%s\"", rcp_dir_name(ci->way));
            _value(b, r, "from", ci->col->name, ci->now, lang);
            _value(b, r, "to", ci->col->name, mg->to, lang);
            cs_buf_printf(b, NULL, ",\"limited_by\":\"%s\",\"refused_at\":", mg->by_bound ? "bound" : "refusal");
            api_json_num(b, mg->refused_at, NULL);
            cs_buf_puts(b, "}", NULL);
        }
        cs_buf_puts(b, "],\"why\":", NULL);
        api_json_str(b, res->why[0] ? res->why : NULL, NULL);
    }
    {
        cs_buf s = {0};
        _sentence(r, res, lang, &s);
        cs_buf_puts(b, ",\"sentence\":", NULL);
        api_json_str(b, s.data ? s.data : "", NULL);
        cs_buf_free(&s);
    }
    cs_buf_puts(b, ",\"inputs\":[", NULL);
    for (int i = 0; i < res->n_inputs; i++) {
        const cf_input *ci = &res->inputs[i];
        char lab[160];
        if (i) cs_buf_puts(b, ",", NULL);
        cs_buf_puts(b, "{\"name\":", NULL);
        api_json_str(b, ci->col->name, NULL);
        rcp_meta_label(r, ci->col->name, lang ? RCP_FR : RCP_EN, lab, sizeof lab);
        cs_buf_puts(b, ",\"label\":", NULL);
        api_json_str(b, lab, NULL);
        cs_buf_puts(b, ",\"now\":", NULL);
        api_json_num(b, ci->now, NULL);
        cs_buf_puts(b, ",\"min\":", NULL);
        api_json_num(b, ci->lo, NULL);
        cs_buf_puts(b, ",\"max\":", NULL);
        api_json_num(b, ci->hi, NULL);
        cs_buf_puts(b, ",\"step\":", NULL);
        api_json_num(b, ci->step > 0 ? ci->step : NAN, NULL);
        cs_buf_printf(b, NULL, ",\"way\":\"%s\",\"candidates\":%zu,\"skipped\":", rcp_dir_name(ci->way), ci->n_points);
        api_json_str(b, ci->skipped[0] ? ci->skipped : NULL, NULL);
        cs_buf_puts(b, "}", NULL);
    }
    cs_buf_printf(b, NULL, "],\"search\":{\"max_changes\":%d,\"evaluations\":%zu,\"candidates\":%zu,\"max_evaluations\":%zu,"
                  "\"time_budget_ms\":", o->max_changes, res->evaluations, res->candidates, res->max_evals);
    api_json_num(b, res->time_budget_ms, NULL);
    cs_buf_puts(b, ",\"elapsed_ms\":", NULL);
    api_json_num(b, round(res->elapsed_ms * 1000) / 1000, NULL);
    cs_buf_printf(b, NULL, ",\"stopped\":%s}", res->budget == 1 ? "\"evaluations\"" : res->budget == 2 ? "\"time\"" : "null");
    if (o->keep_tried) {
        cs_buf_puts(b, ",\"tried\":[", NULL);
        for (size_t q = 0; q < res->n_tried; q++) {
            const cf_tried *t = &res->tried[q];
            if (q) cs_buf_puts(b, ",", NULL);
            cs_buf_puts(b, "{\"set\":{", NULL);
            for (int k = 0; k < t->n; k++) {
                if (k) cs_buf_puts(b, ",", NULL);
                api_json_str(b, res->inputs[t->input[k]].col->name, NULL);
                cs_buf_puts(b, ":", NULL);
                api_json_num(b, t->value[k], NULL);
            }
            cs_buf_puts(b, "},\"cost\":", NULL);
            api_json_num(b, t->cost, NULL);
            cs_buf_puts(b, ",\"probability\":", NULL);
            api_json_num(b, t->d.probability, NULL);
            cs_buf_printf(b, NULL, ",\"decision\":\"%s\"}", mf_decision_word(t->d.refuse));
        }
        cs_buf_puts(b, "]", NULL);
    }
    cs_buf_puts(b, "}", NULL);
}

int api_h_counterfactual(const api_call *c, api_response *resp)
{
    api_server *s = c->s;
    const api_request *req = c->req;
    api_model *m = api_server_model(s);
    const feat_spec *spec = mf_spec(api_model_mf(m));
    const rcp_recipe *r = spec ? feat_spec_recipe(spec) : NULL;
    api_problem pb;
    api_input in;
    cf_opts o;
    cf_result *res = NULL;
    cJSON *doc = NULL;
    char *rest = NULL;
    double *x = NULL;
    cs_err err = {0};
    size_t off = 0, n = api_model_n_feats(m);
    const char *why = NULL;
    int answered = 0;
    memset(&pb, 0, sizeof pb);
    memset(&in, 0, sizeof in);
    memset(&o, 0, sizeof o);
    o.max_changes = 1;
    /* the search's members out, then predict's parser on the rest */
    if (api_json_check(req->body, req->body_len, &off, &why) == 0 &&
        (doc = cJSON_ParseWithLength(req->body, req->body_len)) && cJSON_IsObject(doc)) {
        if (_opts(doc, &o, &pb)) goto fail;
        if (!(rest = cJSON_PrintUnformatted(doc))) {
            api_problem_set(&pb, 503, "overloaded", NULL, "out of memory");
            goto fail;
        }
    }
    if (api_input_parse(rest ? rest : req->body, rest ? strlen(rest) : req->body_len, api_model_featmap(m), &in, &pb)) goto fail;
    if (!r) {
        api_problem_set(&pb, 400, "wrong_input", NULL, "model %s has no recipe: no actionable inputs to search", api_model_name(m));
        goto fail;
    }
    if (!(x = malloc((n ? n : 1) * sizeof *x))) {
        api_problem_set(&pb, 503, "overloaded", NULL, "out of memory");
        goto fail;
    }
    if (api_input_x(s, m, &in, x, &pb)) goto fail;
    if (cf_search(api_model_mf(m), x, &o, &res, &err) != CS_OK) {
        api_problem_set(&pb, err.code == CS_ENOMEM ? 503 : 500, err.code == CS_ENOMEM ? "overloaded" : "internal", NULL, "%s",
                        err.msg);
        goto fail;
    }
    _answer(&resp->body, m, r, res, &in, &o, req->request_id);
    resp->status = 200;
    resp->content_type = "application/json";
    answered = 1; /* a simulation: not a decision, not audited */
fail:
    cf_result_free(res);
    free(x);
    free(rest);
    cJSON_Delete(doc);
    api_input_clear(&in);
    api_model_release(m);
    if (!answered) api_respond_problem(resp, &pb, req->request_id);
    return 0;
}
