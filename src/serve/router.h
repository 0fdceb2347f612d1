/*
 * router.h: the routing table of the API: method + path -> route, with the path
 * parameters ({id}, {name}). Unknown paths give 404, known paths with another method 405
 * (with the Allow list).
 */
#ifndef CS_SERVE_ROUTER_H
#define CS_SERVE_ROUTER_H

#include <stddef.h>

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
    API_N_ROUTES
} api_route_id;

/* The route names used in metrics ("predict", "clients", ...), indexed by api_route_id. */
extern const char *const api_route_names[API_N_ROUTES];

#define API_PARAM_MAX 256

typedef struct api_match {
    int route;                      /* api_route_id, or -1 */
    int status;                     /* 0 matched, 404 no such path, 405 wrong method */
    const char *allow;              /* 405: the methods the path accepts ("GET", "POST") */
    char param[API_PARAM_MAX];      /* the {id}, {name} or {file} segment (already decoded) */
} api_match;

/* Match method and path (query string excluded). Never fails: sets m->status. */
void api_route_match(const char *method, const char *path, api_match *m);

/* 1 when the route needs no API key: /health (for load balancers), /openapi.json and /docs
 * (documentation, no data). Everything else, /metrics included, needs a key when keys are on. */
int api_route_is_public(int route);

#endif /* CS_SERVE_ROUTER_H */
