/*
 * respond.h: one request as the HTTP layer hands it over and one answer, private to
 * serve/ (respond.c): the answer's helpers for errors (the error object of docs/api.md).
 */
#ifndef CS_SERVE_RESPOND_H
#define CS_SERVE_RESPOND_H

#include "../base/cs.h"
#include "json.h"

/* One query argument, decoded. */
typedef struct api_arg {
    const char *name;
    const char *value;
} api_arg;

/* One request. Every pointer is borrowed for the time of the call. */
typedef struct api_request {
    const char *method;         /* "GET", "POST", ... */
    const char *path;           /* decoded path, no query string */
    const api_arg *args;        /* the query arguments, in order (n_args of them) */
    size_t n_args;
    const char *api_key;        /* X-API-Key or the Bearer token, NULL when absent */
    const char *request_id;     /* the id to answer with (already validated) */
    const char *decision_time;  /* X-Decision-Time, NULL when absent */
    const char *body;           /* request body (need not be NUL-terminated) */
    size_t body_len;
    int body_too_large;         /* 1: the body exceeded max_body (answer 413) */
} api_request;

/* The value of query argument name (the first one given), NULL when absent. */
const char *api_request_arg(const api_request *req, const char *name);

/* One answer. body is owned (free with api_response_clear) unless static_body is set. */
typedef struct api_response {
    int status;
    const char *content_type;   /* static string */
    const char *allow;          /* 405: the Allow header, static string */
    cs_buf body;
    const void *static_body;    /* when set, the answer is these bytes (not owned) */
    size_t static_len;
} api_response;

void api_response_clear(api_response *r);

/* Replace the answer by the error object of p (or of the arguments). */
void api_respond_problem(api_response *resp, const api_problem *p, const char *request_id);
void api_respond_error(api_response *resp, int status, const char *code, const char *field, const char *request_id,
                       const char *message);
/* The answer for a library error: CS_ENOTFOUND 404, CS_EINVAL/CS_EPARSE 400, CS_ENOMEM 503,
 * else 500. */
void api_respond_status(api_response *resp, const cs_err *err, const char *request_id);
/* The 503 answer given for a decision the audit log could not take. */
void api_respond_audit_failed(api_response *resp, const char *request_id, const char *msg);

#endif /* CS_SERVE_RESPOND_H */
