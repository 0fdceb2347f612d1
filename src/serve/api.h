/*
 * api.h: the scoring API server (`creditscore serve`): JSON over HTTP/1.1 on
 * libmicrohttpd, with a thread pool and keep-alive. See docs/api.md for the endpoints.
 *
 *   api_config cfg = api_config_default();
 *   cfg.model_path = "demo/model.csm"; cfg.clients_path = "demo/clients.db";
 *   api_server *s = api_server_create(&cfg, &err);    // loads everything, does not listen
 *   api_server_start(s, &err);                        // listens; requests run on MHD threads
 *   ... api_server_reload(s, &err) on SIGHUP; api_server_stop(s) on SIGTERM ...
 *   api_server_free(s);
 *
 * The server installs no signal handler and keeps no global state: the CLI waits for
 * signals and calls reload/stop. It never prints; messages go to cfg.log when set.
 */
#ifndef CS_SERVE_API_H
#define CS_SERVE_API_H

#include "../base/cs.h"

#include <stdio.h>

typedef struct api_config {
    const char *host;           /* address to bind ("127.0.0.1", "0.0.0.0", "::1"); default 127.0.0.1 */
    int port;                   /* 0 = any free port (see api_server_port); default 8000 */
    int threads;                /* worker threads (MHD thread pool); default: number of cores */
    int max_conns;              /* simultaneous connections; default 1024 */
    int conn_timeout_s;         /* idle keep-alive connections are closed after this; default 30 */
    int request_timeout_s;      /* each request must arrive whole (headers and body) within this
                                 * of the connection's start or of the previous answer, else the
                                 * connection is closed (a client trickling bytes is never idle);
                                 * default 30, 0 = no deadline */
    size_t max_body;            /* largest request body in bytes (413 beyond); default 1 MiB */
    int max_conns_per_addr;     /* simultaneous connections from one client address; default 64 */
    const char *model_path;     /* the model file (required) */
    const char *clients_path;   /* the clients store, or NULL (then client ids give 404) */
    const char *challenger_path;/* a challenger model file, or NULL: every decision is scored by
                                 * it too, after the champion and on the champion's feature vector
                                 * (its features must be among the champion's); the answer is the
                                 * champion's, the audit record holds both; a challenger failure
                                 * is counted and logged, never the request's */
    const char *audit_path;     /* the audit log, or NULL: no audit */
    const char *keys_path;      /* the API key file, or NULL: no keys needed */
    const char *model_key_path; /* key file of model signatures (model/sign.h), or NULL: a
                                 * model with a missing or wrong MODEL.sig is refused */
    const char *docs_dir;       /* swagger-ui-dist's folder, or NULL: /docs answers 503 */
    double drain_s;             /* api_server_stop waits at most this long for requests; default 10 */
    size_t window;              /* decisions in the /metrics monitoring window (score PSI, approval
                                 * rate); default 10000, 0 = no window */
    double window_period_s;     /* its gauges are recomputed this often; default 5 */
    int replay_time;            /* 1: a decision's time may be given in X-Decision-Time (replays of
                                 * past applications); 0 (default): such a header is refused (400) */
    FILE *log;                  /* start, reload and stop messages; NULL = silent */
} api_config;

/* The defaults above. */
api_config api_config_default(void);

typedef struct api_server api_server;

/* Load the model, the clients store, the keys, the docs and open the audit log, checking
 * that the store has every feature the model needs. Does not listen yet. Free with
 * api_server_free(). */
api_server *api_server_create(const api_config *cfg, cs_err *err);

/* Start listening (cfg.host, cfg.port). */
cs_status api_server_start(api_server *s, cs_err *err);

/* The port actually bound (useful with port 0); 0 before start. */
int api_server_port(const api_server *s);

/* Load the model file again and swap it in atomically: requests already running finish
 * with the old model, new ones get the new one, none fails. On failure the old model
 * stays and err says why. Thread-safe. */
cs_status api_server_reload(api_server *s, cs_err *err);

/* The same with another model file (a new registry version): path is copied and becomes
 * the file later reloads read. */
cs_status api_server_reload_from(api_server *s, const char *path, cs_err *err);

/* The same for the champion and the challenger together: path (NULL: the current file)
 * and challenger_path (NULL: the current challenger file, if any) are loaded, the
 * challenger attached, and the pair swapped in at once; on any failure both stay. */
cs_status api_server_reload_pair(api_server *s, const char *path, const char *challenger_path, cs_err *err);

/* Stop accepting connections, let the requests in flight finish (at most cfg.drain_s
 * seconds), flush the audit log and stop the threads. Safe to call twice. */
void api_server_stop(api_server *s);

/* Stop if needed and free everything. NULL is allowed. */
void api_server_free(api_server *s);

/* Handling a request without sockets (unit tests, fuzzing): serve/state.h's
 * api_server_handle, private to serve/ and its tests. */

#endif /* CS_SERVE_API_H */
