/*
 * router.c: the route table and the matcher (fixed segments and one parameter segment).
 */
#include "router.h"

#include <stdio.h>
#include <string.h>

const char *const api_route_names[API_N_ROUTES] = {
    "health", "metrics", "openapi", "docs", "predict", "explain",
    "clients", "client", "model", "importance", "distribution",
};

typedef struct _route {
    int id;
    const char *method;
    const char *pattern;    /* '*' segment = the parameter; "**" = the rest of the path */
} _route;

static const _route _routes[] = {
    {API_R_HEALTH, "GET", "/health"},
    {API_R_METRICS, "GET", "/metrics"},
    {API_R_OPENAPI, "GET", "/openapi.json"},
    {API_R_DOCS, "GET", "/docs"},
    {API_R_DOCS, "GET", "/docs/**"},
    {API_R_PREDICT, "POST", "/v1/predict"},
    {API_R_EXPLAIN, "POST", "/v1/explain"},
    {API_R_CLIENTS, "GET", "/v1/clients"},
    {API_R_CLIENT, "GET", "/v1/clients/*"},
    {API_R_MODEL, "GET", "/v1/model"},
    {API_R_IMPORTANCE, "GET", "/v1/importance"},
    {API_R_DISTRIBUTION, "GET", "/v1/features/*/distribution"},
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
            m->route = _routes[i].id;
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

int api_route_is_public(int route)
{
    return route == API_R_HEALTH || route == API_R_OPENAPI || route == API_R_DOCS;
}
