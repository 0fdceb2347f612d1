/*
 * router.h: the API's table of routes, each carrying its handler (method, path pattern,
 * handler, metrics label, public or not), the matcher (fixed segments and one parameter
 * segment: {id}, {name}, {file}) and the dispatch (the checks every route shares, then the
 * route's handler). The HTTP layer matches once per request and hands the match over.
 * Unknown paths give 404, known paths with another method 405 (with the Allow list).
 */
#ifndef CS_SERVE_ROUTER_H
#define CS_SERVE_ROUTER_H

#include "handlers.h"

#include <stddef.h>

/* The metrics labels (one per endpoint; /docs and /docs/{file} share one). */
typedef enum api_route_id {
    API_R_HEALTH = 0,       /* GET  /health */
    API_R_METRICS,          /* GET  /metrics */
    API_R_OPENAPI,          /* GET  /openapi.json */
    API_R_DOCS,             /* GET  /docs, /docs/, /docs/{file} */
    API_R_PREDICT,          /* POST /v1/predict */
    API_R_EXPLAIN,          /* POST /v1/explain */
    API_R_CLIENTS,          /* GET  /v1/clients */
    API_R_CLIENT,           /* GET  /v1/clients/{id} */
    API_R_MODEL,            /* GET  /v1/model */
    API_R_IMPORTANCE,       /* GET  /v1/importance */
    API_R_DISTRIBUTION,     /* GET  /v1/features/{name}/distribution */
    API_R_COUNTERFACTUAL,   /* POST /v1/counterfactual */
    API_R_HISTORY,          /* GET  /v1/clients/{id}/history */
    API_R_SIMILAR,          /* GET  /v1/clients/{id}/similar */
    API_N_ROUTES
} api_route_id;

/* The label names used in metrics ("predict", "clients", ...), indexed by api_route_id. */
extern const char *const api_route_names[API_N_ROUTES];

typedef struct api_route {
    const char *method;     /* "GET" (HEAD too) or "POST" */
    const char *pattern;    /* '*' segment = the parameter; "**" = the rest of the path */
    api_handler handler;
    int label;              /* api_route_id */
    int is_public;          /* 1: no API key needed (/health for load balancers, the documentation) */
} api_route;

#define API_PARAM_MAX 256

typedef struct api_match {
    const api_route *entry;         /* the matched route, NULL unless status is 0 */
    int route;                      /* its label (api_route_id), or -1 */
    int status;                     /* 0 matched, 404 no such path, 405 wrong method */
    const char *allow;              /* 405: the methods the path accepts ("GET", "POST") */
    char param[API_PARAM_MAX];      /* the {id}, {name} or {file} segment (already decoded) */
} api_match;

/* Match method and path (query string excluded). Never fails: sets m->status. */
void api_route_match(const char *method, const char *path, api_match *m);

/* 1 when the endpoint of label needs no API key: /health, /openapi.json and /docs.
 * Everything else, /metrics included, needs a key when keys are on. */
int api_route_is_public(int label);

/* Answer req for its match m: 404/405 for no match, 401 without a valid key on a private
 * route, 413 for a body over the limit, else the route's handler. Returns 1 when *audit
 * holds a decision to commit before the answer leaves. */
int api_route_dispatch(api_server *s, const api_request *req, const api_match *m, api_response *resp,
                       store_audit_rec *audit);

#endif /* CS_SERVE_ROUTER_H */
