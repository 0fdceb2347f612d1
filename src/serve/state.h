/*
 * state.h: the server as the files of serve/ see it: its configuration, the current model
 * handle, the stores, keys, documentation, metrics and monitoring window. server.c owns
 * the lifecycle and the HTTP layer; the endpoint files read the state through this header.
 */
#ifndef CS_SERVE_STATE_H
#define CS_SERVE_STATE_H

#include "api.h"
#include "docs.h"
#include "handle.h"
#include "keys.h"
#include "metrics.h"
#include "respond.h"
#include "window.h"
#include "../store/audit.h"
#include "../store/clients.h"

#include <pthread.h>
#include <stdatomic.h>

struct api_server {
    api_config cfg;
    struct MHD_Daemon *daemon;
    struct http_front *front;   /* the strict HTTP front end that owns the socket (http/http.h) */
    int port;
    double t_start;
    pthread_mutex_t model_mu;   /* guards model (the pointer swap and the retain) */
    api_model *model;
    pthread_mutex_t reload_mu;  /* one reload at a time */
    char *model_path;           /* the file reloads read (cfg.model_path, or the last reload_from) */
    char *challenger_path;      /* the challenger's file reloads read, NULL: no challenger */
    atomic_llong challenger_log_ms;   /* when a challenger failure was last logged */
    atomic_ullong challenger_failures;
    store_clients *clients;     /* may be NULL */
    store_audit *audit;         /* may be NULL */
    unsigned char *model_key;   /* cfg.model_key_path's key, or NULL: models need no signature */
    size_t model_key_len;
    api_keys *keys;             /* may be NULL; swapped by a reload (SIGHUP rotates keys) */
    pthread_rwlock_t keys_lock; /* readers: the key check; writer: the reload's swap */
    api_docs *docs;
    api_metrics *metrics;
    api_window *window;         /* the /metrics monitoring gauges; NULL when off */
    atomic_int inflight;        /* requests between their first byte and their completion */
    atomic_int n_suspended;     /* connections waiting (suspended) for their audit commit */
    atomic_int no_suspend;      /* set by the stop: decisions are committed in the handler */
    atomic_uint_fast64_t next_id;
    uint64_t id_seed;
    int stopped;
};

/* The current model with a reference taken; release with api_model_release(). */
static inline api_model *api_server_model(api_server *s)
{
    api_model *m;
    pthread_mutex_lock(&s->model_mu);
    m = s->model;
    api_model_retain(m);
    pthread_mutex_unlock(&s->model_mu);
    return m;
}

/* Route and answer a request without sockets (unit tests, fuzzing), every outcome (errors
 * included) a response; a decision is committed to the audit log before this returns (or
 * answered 503 when it cannot be); the decision counters move, the per-route metrics are
 * the HTTP layer's.
 * Thread-safe. server.c. */
void api_server_handle(api_server *s, const api_request *req, api_response *resp);

#endif /* CS_SERVE_STATE_H */
