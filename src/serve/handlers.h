/*
 * handlers.h: the endpoints, one file per group (predict.c, clients.c, info.c, ops.c),
 * all with one signature so that the route table (router.c) carries them. A handler fills
 * the answer; a decision also fills its audit record, which the caller (server.c) commits
 * before the answer leaves.
 */
#ifndef CS_SERVE_HANDLERS_H
#define CS_SERVE_HANDLERS_H

#include "respond.h"
#include "state.h"
#include "../store/audit.h"

typedef struct api_call {
    api_server *s;
    const api_request *req;
    const char *param;          /* the route's {id}, {name} or {file} segment, "" when none */
    store_audit_rec *audit;     /* a decision's audit record goes here */
} api_call;

/* Fill resp for the request; 1 when *c->audit now holds a decision to commit before the
 * answer leaves, else 0. */
typedef int (*api_handler)(const api_call *c, api_response *resp);

/* predict.c: POST /v1/predict, POST /v1/explain */
int api_h_predict(const api_call *c, api_response *resp);
int api_h_explain(const api_call *c, api_response *resp);
/* The model's feature vector x of a parsed input (client id, named features, raw records):
 * 0 or the HTTP status with pb filled (404 for an unknown client). predict.c. */
struct api_input;
int api_input_x(api_server *s, const api_model *m, const struct api_input *in, double *x, api_problem *pb);
/* counterfactual.c: POST /v1/counterfactual (a simulation: never audited) */
int api_h_counterfactual(const api_call *c, api_response *resp);
/* clients.c: GET /v1/clients, GET /v1/clients/{id}, GET /v1/clients/{id}/history, .../similar */
int api_h_clients(const api_call *c, api_response *resp);
int api_h_client(const api_call *c, api_response *resp);
int api_h_client_history(const api_call *c, api_response *resp);
int api_h_client_similar(const api_call *c, api_response *resp);
/* info.c: GET /v1/model, /v1/importance, /v1/features/{name}/distribution */
int api_h_model(const api_call *c, api_response *resp);
int api_h_importance(const api_call *c, api_response *resp);
int api_h_distribution(const api_call *c, api_response *resp);
/* ops.c: GET /health, /metrics, /openapi.json, /docs[/{file}] */
int api_h_health(const api_call *c, api_response *resp);
int api_h_metrics(const api_call *c, api_response *resp);
int api_h_openapi(const api_call *c, api_response *resp);
int api_h_docs(const api_call *c, api_response *resp);

#endif /* CS_SERVE_HANDLERS_H */
