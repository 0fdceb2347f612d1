/*
 * clients.c: GET /v1/clients (a page of the clients store, with a search),
 * GET /v1/clients/{id} (one client's card, and its feature vector by name for the
 * dashboard's what-if), GET /v1/clients/{id}/history (the audit log's rows of the
 * client, newest first) and GET /v1/clients/{id}/similar (the applicants most like the
 * client: similar.h). A text value the served model's recipe words (a category's label, a
 * flag's yes / no) carries that label too.
 */
#include "handlers.h"
#include "handle.h"
#include "similar.h"
#include "../recipe/recipe.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int _parse_nonneg(const char *v, long long max, long long def, long long *out)
{
    char *end;
    long long n;
    if (!v) {
        *out = def;
        return 0;
    }
    /* one canonical form: decimal digits, no sign, space or leading zero */
    if (*v < '0' || *v > '9' || (v[0] == '0' && v[1])) return -1;
    errno = 0;
    n = strtoll(v, &end, 10);
    if (*end || errno || n < 0 || n > max) return -1;
    *out = n;
    return 0;
}

/* the route's {id}: 0, or -1 with the 400 answered */
static int _path_id(const api_call *c, api_response *resp, long long *id)
{
    if (!_parse_nonneg(c->param, INT64_MAX, 0, id)) return 0;
    api_respond_error(resp, 400, "wrong_type", "id", c->req->request_id,
                      "a client id is a non-negative integer in decimal digits (no sign, space or leading zero)");
    return -1;
}

/* A client as JSON: id, target, each raw field by name (flat, as before), and the fields
 * again with their labels and units in "profile" (the dashboard's client card), a text value
 * with the label the model's recipe r (may be NULL) gives it ("RENT" -> "renting"). */
static void _client_json(cs_buf *b, const store_clients *st, const store_client *c, const rcp_recipe *r)
{
    cs_buf_printf(b, NULL, "{\"id\":%lld,\"target\":", (long long)c->id);
    api_json_num(b, c->target, NULL);
    for (size_t k = 0; k < c->n_fields; k++) {
        const store_field *f = store_clients_field(st, k);
        cs_buf_printf(b, NULL, ",\"%s\":", f->name);
        if (f->is_text) api_json_str(b, c->text[k], NULL);
        else api_json_num(b, c->num[k], NULL);
    }
    cs_buf_puts(b, ",\"profile\":[", NULL);
    for (size_t k = 0; k < c->n_fields; k++) {
        const store_field *f = store_clients_field(st, k);
        cs_buf_printf(b, NULL, "%s{\"name\":\"%s\",\"label\":{\"en\":", k ? "," : "", f->name);
        api_json_str(b, f->label_en ? f->label_en : f->name, NULL);
        cs_buf_puts(b, ",\"fr\":", NULL);
        api_json_str(b, f->label_fr ? f->label_fr : f->label_en ? f->label_en : f->name, NULL);
        cs_buf_puts(b, "},\"unit\":", NULL);
        api_json_str(b, f->unit, NULL);
        cs_buf_puts(b, ",\"value\":", NULL);
        if (f->is_text) api_json_str(b, c->text[k], NULL);
        else api_json_num(b, c->num[k], NULL);
        if (f->is_text && c->text[k]) {
            char en[256], fr[256];
            if (rcp_meta_value_label(r, f->name, c->text[k], RCP_EN, en, sizeof en) &&
                rcp_meta_value_label(r, f->name, c->text[k], RCP_FR, fr, sizeof fr)) {
                cs_buf_puts(b, ",\"value_label\":{\"en\":", NULL);
                api_json_str(b, en, NULL);
                cs_buf_puts(b, ",\"fr\":", NULL);
                api_json_str(b, fr, NULL);
                cs_buf_puts(b, "}", NULL);
            }
        }
        cs_buf_puts(b, "}", NULL);
    }
    cs_buf_puts(b, "]}", NULL);
}

int api_h_clients(const api_call *c, api_response *resp)
{
    api_server *s = c->s;
    const api_request *req = c->req;
    long long offset, limit;
    store_client *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    cs_err err = {0};
    if (_parse_nonneg(api_request_arg(req, "offset"), (long long)1 << 53, 0, &offset)) {
        api_respond_error(resp, 400, "wrong_type", "offset", req->request_id, "offset must be an integer >= 0");
        return 0;
    }
    if (_parse_nonneg(api_request_arg(req, "limit"), 1000, 50, &limit)) {
        api_respond_error(resp, 400, "wrong_type", "limit", req->request_id, "limit must be an integer from 0 to 1000");
        return 0;
    }
    if (!s->clients) {
        api_respond_error(resp, 404, "no_clients_store", NULL, req->request_id,
                          "the server was started without a clients store (--clients)");
        return 0;
    }
    if (store_clients_list(s->clients, offset, limit, api_request_arg(req, "q"), &list, &n, &total, &err) != CS_OK) {
        if (err.code == CS_EINVAL) api_respond_error(resp, 400, "invalid_query", "q", req->request_id, err.msg);
        else api_respond_status(resp, &err, req->request_id);
        return 0;
    }
    cs_buf_printf(&resp->body, NULL, "{\"total\":%lld,\"offset\":%lld,\"limit\":%lld,\"clients\":[", (long long)total,
                  offset, limit);
    {
        api_model *m = api_server_model(s);
        for (size_t i = 0; i < n; i++) {
            if (i) cs_buf_puts(&resp->body, ",", NULL);
            _client_json(&resp->body, s->clients, &list[i], m ? api_model_recipe(m) : NULL);
        }
        api_model_release(m);
    }
    cs_buf_puts(&resp->body, "]}", NULL);
    store_client_list_free(list, n);
    resp->status = 200;
    return 0;
}

int api_h_client(const api_call *c, api_response *resp)
{
    api_server *s = c->s;
    const api_request *req = c->req;
    long long id;
    store_client cl;
    cs_err err = {0};
    memset(&cl, 0, sizeof cl);
    if (_path_id(c, resp, &id)) return 0;
    if (!s->clients) {
        api_respond_error(resp, 404, "no_clients_store", NULL, req->request_id,
                          "the server was started without a clients store (--clients)");
        return 0;
    }
    if (store_clients_get(s->clients, id, &cl, &err) != CS_OK) {
        if (err.code == CS_ENOTFOUND) api_respond_error(resp, 404, "unknown_client", "id", req->request_id, err.msg);
        else api_respond_status(resp, &err, req->request_id);
        return 0;
    }
    {
        api_model *m = api_server_model(s);
        _client_json(&resp->body, s->clients, &cl, m ? api_model_recipe(m) : NULL);
        api_model_release(m);
    }
    if (cl.x) {
        /* the detail also carries the feature vector by name (the dashboard's what-if) */
        const char *const *names = store_clients_feature_names(s->clients);
        resp->body.len--;   /* reopen the object */
        cs_buf_puts(&resp->body, ",\"features\":{", NULL);
        for (size_t j = 0; j < cl.n_feats; j++) {
            if (j) cs_buf_puts(&resp->body, ",", NULL);
            api_json_str(&resp->body, names[j], NULL);
            cs_buf_puts(&resp->body, ":", NULL);
            api_json_num(&resp->body, cl.x[j], NULL);
        }
        cs_buf_puts(&resp->body, "}}", NULL);
    }
    store_client_clear(&cl);
    resp->status = 200;
    return 0;
}

/* ---- GET /v1/clients/{id}/history ------------------------------------------------------ */

typedef struct _history {
    cs_buf *b;
    long n;
} _history;

static int _history_row(const store_audit_rec *r, void *ud)
{
    _history *h = ud;
    cs_buf *b = h->b;
    /* the members in order: a text (s) or a number (s NULL) */
    const struct { const char *key, *s; double v; } m[] = {
        {"time", r->time, 0}, {"kind", r->kind[0] ? r->kind : "decision", 0}, {"endpoint", r->endpoint, 0},
        {"input_kind", r->input_kind, 0}, {"decision", r->decision, 0}, {"probability", NULL, r->probability},
        {"threshold", NULL, r->threshold}, {"score", NULL, r->score}, {"request_id", r->request_id, 0}};
    cs_buf_puts(b, h->n++ ? ",{" : "{", NULL);
    for (size_t k = 0; k < sizeof m / sizeof m[0]; k++) {
        cs_buf_printf(b, NULL, "%s\"%s\":", k ? "," : "", m[k].key);
        if (m[k].s) api_json_str(b, m[k].s, NULL);
        else api_json_num(b, m[k].v, NULL);
    }
    cs_buf_puts(b, ",\"model\":{\"name\":", NULL);
    api_json_str(b, r->model_name, NULL);
    cs_buf_puts(b, ",\"version\":", NULL);
    api_json_str(b, r->model_version, NULL);
    return cs_buf_puts(b, "}}", NULL) != CS_OK;
}

int api_h_client_history(const api_call *c, api_response *resp)
{
    api_server *s = c->s;
    const api_request *req = c->req;
    long long id, limit;
    unsigned kinds;
    cs_err err = {0};
    _history h = {&resp->body, 0};
    if (_path_id(c, resp, &id)) return 0;
    if (_parse_nonneg(api_request_arg(req, "limit"), 500, 20, &limit) || limit < 1) {
        api_respond_error(resp, 400, "wrong_type", "limit", req->request_id, "limit must be an integer from 1 to 500");
        return 0;
    }
    if (!(kinds = api_request_arg(req, "kind") ? store_audit_kinds(api_request_arg(req, "kind")) : STORE_AUDIT_ALL)) {
        api_respond_error(resp, 400, "wrong_type", "kind", req->request_id,
                          "kind is decision, lookup, simulation (comma-separated) or all");
        return 0;
    }
    if (!s->cfg.audit_path) {
        api_respond_error(resp, 404, "no_audit_log", NULL, req->request_id,
                          "the server was started without an audit log (--audit): it keeps no history");
        return 0;
    }
    cs_buf_printf(&resp->body, NULL, "{\"client_id\":%lld,\"limit\":%lld,\"history\":[", id, limit);
    {
        store_audit_query q = {0, limit, kinds, id, 1};
        if (store_audit_query_read(s->cfg.audit_path, &q, _history_row, &h, &err) != CS_OK) {
            cs_buf_free(&resp->body);
            api_respond_status(resp, &err, req->request_id);
            return 0;
        }
    }
    cs_buf_puts(&resp->body, "]}", NULL);
    resp->status = 200;
    return 0;
}

/* ---- GET /v1/clients/{id}/similar ------------------------------------------------------ */

int api_h_client_similar(const api_call *c, api_response *resp)
{
    api_server *s = c->s;
    const api_request *req = c->req;
    const char *lang = api_request_arg(req, "lang");
    long long id, k;
    api_model *m;
    double *sx = NULL, *x = NULL;
    cs_err err = {0};
    cs_status st;
    int unknown = 0;
    if (_path_id(c, resp, &id)) return 0;
    if (_parse_nonneg(api_request_arg(req, "k"), 20, 3, &k)) {
        api_respond_error(resp, 400, "wrong_type", "k", req->request_id, "k must be an integer from 0 to 20");
        return 0;
    }
    if (lang && strcmp(lang, "en") && strcmp(lang, "fr")) {
        api_respond_error(resp, 400, "wrong_type", "lang", req->request_id, "lang must be \"en\" or \"fr\"");
        return 0;
    }
    if (!s->clients) {
        api_respond_error(resp, 404, "no_clients_store", NULL, req->request_id,
                          "the server was started without a clients store (--clients)");
        return 0;
    }
    m = api_server_model(s);
    if (!api_model_has_store_map(m)) {
        api_model_release(m);
        api_respond_error(resp, 409, "no_feature_vector", NULL, req->request_id,
                          "the clients store does not hold every feature of the served model");
        return 0;
    }
    if (!(sx = malloc((store_clients_n_feats(s->clients) + 1) * sizeof *sx)) ||
        !(x = malloc((api_model_n_feats(m) + 1) * sizeof *x))) {
        st = cs_err_set(&err, CS_ENOMEM, "out of memory");
        goto out;
    }
    if ((st = store_clients_features(s->clients, id, sx, &err)) != CS_OK) {
        unknown = st == CS_ENOTFOUND;
        goto out;
    }
    api_model_x_from_store(m, sx, x);
    cs_buf_printf(&resp->body, NULL, "{\"client_id\":%lld,", id);
    st = api_model_similar_json(m, x, id, (int)k, lang && !strcmp(lang, "fr"), &resp->body, &err);
    if (st == CS_OK && cs_buf_puts(&resp->body, "}", &err) != CS_OK) st = CS_ENOMEM;
out:
    free(sx);
    free(x);
    api_model_release(m);
    if (st != CS_OK) {
        cs_buf_free(&resp->body);
        if (unknown) api_respond_error(resp, 404, "unknown_client", "id", req->request_id, err.msg);
        else if (st == CS_ENOTFOUND) api_respond_error(resp, 404, "no_sample", NULL, req->request_id, err.msg);
        else api_respond_status(resp, &err, req->request_id);
        return 0;
    }
    resp->status = 200;
    return 0;
}
