/*
 * router.c: the route table with its handlers, the matcher and the dispatch (router.h).
 */
#include "router.h"

#include <stdio.h>
#include <string.h>

const char *const api_route_names[API_N_ROUTES] = {
    "health", "metrics", "openapi", "docs", "predict", "explain",
    "clients", "client", "model", "importance", "distribution", "counterfactual", "history", "similar",
};

static const api_route _routes[] = {
    {"GET", "/health", api_h_health, API_R_HEALTH, 1},
    {"GET", "/metrics", api_h_metrics, API_R_METRICS, 0},
    {"GET", "/openapi.json", api_h_openapi, API_R_OPENAPI, 1},
    {"GET", "/docs", api_h_docs, API_R_DOCS, 1},
    {"GET", "/docs/**", api_h_docs, API_R_DOCS, 1},
    {"POST", "/v1/predict", api_h_predict, API_R_PREDICT, 0},
    {"POST", "/v1/explain", api_h_explain, API_R_EXPLAIN, 0},
    {"POST", "/v1/counterfactual", api_h_counterfactual, API_R_COUNTERFACTUAL, 0},
    {"GET", "/v1/clients", api_h_clients, API_R_CLIENTS, 0},
    {"GET", "/v1/clients/*", api_h_client, API_R_CLIENT, 0},
    {"GET", "/v1/model", api_h_model, API_R_MODEL, 0},
    {"GET", "/v1/importance", api_h_importance, API_R_IMPORTANCE, 0},
    {"GET", "/v1/features/*/distribution", api_h_distribution, API_R_DISTRIBUTION, 0},
    {"GET", "/v1/clients/*/history", api_h_client_history, API_R_HISTORY, 0},
    {"GET", "/v1/clients/*/similar", api_h_client_similar, API_R_SIMILAR, 0},
};
#define N_ROUTES (sizeof _routes / sizeof _routes[0])

/* match path against pattern; the parameter goes to param */
static int _match(const char *pat, const char *path, char *param, size_t cap)
{
    while (*pat) {
        if (pat[0] == '*' && pat[1] == '*') {
            if (strlen(path) >= cap) return 0;
            snprintf(param, cap, "%s", path);
            return 1;
        }
        if (*pat == '*') {
            size_t n = strcspn(path, "/");
            if (n == 0 || n >= cap) return 0;
            memcpy(param, path, n);
            param[n] = '\0';
            path += n;
            pat++;
            continue;
        }
        if (*pat != *path) return 0;
        pat++;
        path++;
    }
    return *path == '\0';
}

void api_route_match(const char *method, const char *path, api_match *m)
{
    int path_known = 0, get = 0, post = 0;
    m->entry = NULL;
    m->route = -1;
    m->status = 404;
    m->allow = NULL;
    m->param[0] = '\0';
    if (!path || !method) return;
    for (size_t i = 0; i < N_ROUTES; i++) {
        char param[API_PARAM_MAX] = "";
        if (!_match(_routes[i].pattern, path, param, sizeof param)) continue;
        path_known = 1;
        if (!strcmp(_routes[i].method, "GET")) get = 1;
        else post = 1;
        if (!strcmp(method, _routes[i].method) || (!strcmp(method, "HEAD") && !strcmp(_routes[i].method, "GET"))) {
            m->entry = &_routes[i];
            m->route = _routes[i].label;
            m->status = 0;
            memcpy(m->param, param, sizeof param);
            return;
        }
    }
    if (path_known) {
        m->status = 405;
        m->allow = get && post ? "GET, HEAD, POST" : get ? "GET, HEAD" : "POST";
    }
}

int api_route_is_public(int label)
{
    for (size_t i = 0; i < N_ROUTES; i++)
        if (_routes[i].label == label) return _routes[i].is_public;
    return 0;
}

int api_route_dispatch(api_server *s, const api_request *req, const api_match *m, api_response *resp,
                       store_audit_rec *audit)
{
    api_call c;
    memset(resp, 0, sizeof *resp);
    resp->content_type = "application/json";
    if (m->status == 404) {
        api_respond_error(resp, 404, "not_found", NULL, req->request_id, "no such endpoint (see /openapi.json)");
        return 0;
    }
    if (m->status == 405 || !m->entry) {
        char msg[96];
        snprintf(msg, sizeof msg, "method not allowed here (allowed: %s)", m->allow ? m->allow : "none");
        api_respond_error(resp, 405, "method_not_allowed", NULL, req->request_id, msg);
        resp->allow = m->allow;
        return 0;
    }
    if (s->cfg.keys_path && !m->entry->is_public) {
        int good;
        pthread_rwlock_rdlock(&s->keys_lock);
        good = api_keys_check(s->keys, req->api_key, req->api_key ? strlen(req->api_key) : 0);
        pthread_rwlock_unlock(&s->keys_lock);
        if (!good) {
            api_respond_error(resp, 401, "unauthorized", NULL, req->request_id,
                              "a valid API key is required (X-API-Key header or Authorization: Bearer)");
            return 0;
        }
    }
    if (req->body_too_large) {
        char msg[96];
        snprintf(msg, sizeof msg, "the request body is larger than %zu bytes", s->cfg.max_body);
        api_respond_error(resp, 413, "body_too_large", NULL, req->request_id, msg);
        return 0;
    }
    c.s = s;
    c.req = req;
    c.param = m->param;
    c.audit = audit;
    return m->entry->handler(&c, resp);
}
