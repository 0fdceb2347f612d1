/*
 * clients.c: GET /v1/clients (a page of the clients store, with a search) and
 * GET /v1/clients/{id} (one client's card, and its feature vector by name for the
 * dashboard's what-if). A text value the served model's recipe words (a category's label, a
 * flag's yes / no) carries that label too.
 */
#include "handlers.h"
#include "handle.h"
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
    if (_parse_nonneg(c->param, INT64_MAX, 0, &id)) {
        api_respond_error(resp, 400, "wrong_type", "id", req->request_id, "a client id is a non-negative integer in decimal digits (no sign, space or leading zero)");
        return 0;
    }
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
