/*
 * server.c: the HTTP layer (libmicrohttpd: thread pool, keep-alive, body limit, request
 * state created on the first callback and freed in the completion callback), the
 * lifecycle (create, start, reload, drain and stop) and the dispatcher. Handlers that
 * score live in predict.c; the others are at the end of this file.
 */
#include "api_int.h"
#include "window.h"
#include "../model/sign.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

api_config api_config_default(void)
{
    api_config c;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    memset(&c, 0, sizeof c);
    c.host = "127.0.0.1";
    c.port = 8000;
    c.threads = n > 0 && n < 64 ? (int)n : 2;
    c.max_conns = 1024;
    c.conn_timeout_s = 30;
    c.request_timeout_s = 30;
    c.max_body = 1 << 20;
    c.drain_s = 10;
    c.window = 10000;
    c.window_period_s = 5;
    return c;
}

/* the monitoring window's view of the current model (a reference held while it computes) */
static const mf_score_ref *_window_ref(void *ud, void **hold)
{
    api_model *m = api_server_model(ud);
    *hold = m;
    return m ? mf_score_reference(api_model_mf(m)) : NULL;
}

static void _window_release(void *ud, void *hold)
{
    (void)ud;
    api_model_release(hold);
}

static void _log(const api_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void _log(const api_server *s, const char *fmt, ...)
{
    va_list ap;
    if (!s->cfg.log) return;
    va_start(ap, fmt);
    vfprintf(s->cfg.log, fmt, ap);
    va_end(ap);
    fputc('\n', s->cfg.log);
    fflush(s->cfg.log);
}

/* The explainer's precomputed memory, the bound of explaining with this model. */
static void _log_explainer(const api_server *s, const api_model *m)
{
    shap_stats st;
    char line[256];
    shap_explainer_stats(api_model_explainer(m), &st);
    _log(s, "explainer: %s", shap_stats_format(&st, line, sizeof line));
}

void api_response_clear(api_response *r)
{
    if (!r) return;
    cs_buf_free(&r->body);
    memset(r, 0, sizeof *r);
}

void api_respond_audit_failed(api_response *resp, const char *request_id, const char *msg)
{
    /* a decision that cannot be audited is not given */
    resp->has_audit = 0;
    api_respond_error(resp, 503, "audit_unavailable", NULL, request_id, msg);
}

void api_respond_problem(api_response *resp, const api_problem *p, const char *request_id)
{
    cs_buf_free(&resp->body);
    resp->status = p->status;
    resp->content_type = "application/json";
    resp->static_body = NULL;
    if (api_problem_json(p, request_id, &resp->body, NULL) != CS_OK) {
        cs_buf_free(&resp->body);
        resp->status = 503;
    }
}

void api_respond_error(api_response *resp, int status, const char *code, const char *field, const char *request_id,
                       const char *message)
{
    api_problem p;
    api_problem_set(&p, status, code, field, "%s", message);
    api_respond_problem(resp, &p, request_id);
}

/* map a library status to an HTTP answer */
static void _respond_err(api_response *resp, const cs_err *err, const char *request_id)
{
    int status = err->code == CS_ENOTFOUND ? 404 : err->code == CS_EINVAL || err->code == CS_EPARSE ? 400
                 : err->code == CS_ENOMEM ? 503 : 500;
    const char *code = status == 404 ? "not_found" : status == 400 ? "invalid_request" : status == 503 ? "overloaded"
                                                                                                         : "internal";
    api_respond_error(resp, status, code, NULL, request_id, err->msg[0] ? err->msg : cs_status_str(err->code));
}

api_model *api_server_model(api_server *s)
{
    api_model *m;
    pthread_mutex_lock(&s->model_mu);
    m = s->model;
    api_model_retain(m);
    pthread_mutex_unlock(&s->model_mu);
    return m;
}

/* ---- lifecycle --------------------------------------------------------------------------- */

api_server *api_server_create(const api_config *cfg, cs_err *err)
{
    api_server *s;
    if (!cfg->model_path) {
        cs_err_set(err, CS_EINVAL, "no model file given");
        return NULL;
    }
    if (cfg->port < 0 || cfg->port > 65535 || cfg->threads < 1 || cfg->threads > 256 || cfg->max_conns < 1 ||
        cfg->max_body < 64 || cfg->conn_timeout_s < 1) {
        cs_err_set(err, CS_EINVAL, "server settings out of range (port 0..65535, threads 1..256, body >= 64 bytes)");
        return NULL;
    }
    if (!(s = cs_calloc(1, sizeof *s, err))) return NULL;
    s->cfg = *cfg;
    pthread_mutex_init(&s->model_mu, NULL);
    pthread_mutex_init(&s->reload_mu, NULL);
    pthread_rwlock_init(&s->keys_lock, NULL);
    pthread_mutex_init(&s->track_mu, NULL);
    s->t_start = cs_now();
    {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        s->id_seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
    }
    if (!(s->model_path = cs_strdup(cfg->model_path, err))) goto fail;
    if (!(s->metrics = api_metrics_create(API_N_ROUTES, api_route_names, err))) goto fail;
    if (cfg->window && !(s->window = api_window_create(cfg->window, cfg->window_period_s, _window_ref, _window_release, s, err)))
        goto fail;
    if (cfg->clients_path && !(s->clients = store_clients_open(cfg->clients_path, cfg->threads + 1, err))) goto fail;
    if (cfg->model_key_path && mf_key_load(cfg->model_key_path, &s->model_key, &s->model_key_len, err)) goto fail;
    s->model = api_model_load(cfg->model_path, s->clients ? store_clients_feature_names(s->clients) : NULL,
                              s->clients ? store_clients_n_feats(s->clients) : 0, s->model_key, s->model_key_len, err);
    if (!s->model) goto fail;
    if (s->clients && !api_model_has_store_map(s->model)) {
        cs_err_set(err, CS_EINVAL, "%s: the clients store lacks features of the model %s (import it from the same features)",
                   cfg->clients_path, cfg->model_path);
        goto fail;
    }
    if (cfg->keys_path && !(s->keys = api_keys_load(cfg->keys_path, err))) goto fail;
    if (!(s->docs = api_docs_load(cfg->docs_dir, err))) goto fail;
    if (cfg->audit_path && !(s->audit = store_audit_open(cfg->audit_path, err))) goto fail;
    return s;
fail:
    api_server_free(s);
    return NULL;
}

int api_server_port(const api_server *s) { return s ? s->port : 0; }

cs_status api_server_reload(api_server *s, cs_err *err)
{
    return api_server_reload_from(s, NULL, err);
}

cs_status api_server_reload_from(api_server *s, const char *path, cs_err *err)
{
    api_model *m, *old;
    api_keys *keys = NULL, *old_keys;
    char *new_path = NULL;
    pthread_mutex_lock(&s->reload_mu);
    /* the key file first: a reload that cannot read it changes nothing */
    if (s->cfg.keys_path && !(keys = api_keys_load(s->cfg.keys_path, err))) {
        api_metrics_reload(s->metrics, 0);
        pthread_mutex_unlock(&s->reload_mu);
        _log(s, "reload failed, keeping model %s %s and the API keys: %s", api_model_name(s->model),
             api_model_version(s->model), err ? err->msg : "");
        return err ? err->code : CS_EIO;
    }
    /* the new path becomes the one later reloads read only once its model is in */
    if (path && strcmp(path, s->model_path) && !(new_path = cs_strdup(path, err))) {
        m = NULL;
        goto failed;
    }
    m = api_model_load(new_path ? new_path : s->model_path, s->clients ? store_clients_feature_names(s->clients) : NULL,
                       s->clients ? store_clients_n_feats(s->clients) : 0, s->model_key, s->model_key_len, err);
    if (m && s->clients && !api_model_has_store_map(m)) {
        cs_err_set(err, CS_EINVAL, "%s: the new model needs features the clients store lacks",
                   new_path ? new_path : s->model_path);
        api_model_release(m);
        m = NULL;
    }
failed:
    if (!m) {
        free(new_path);
        api_keys_free(keys);
        api_metrics_reload(s->metrics, 0);
        pthread_mutex_unlock(&s->reload_mu);
        _log(s, "reload failed, keeping model %s %s: %s", api_model_name(s->model), api_model_version(s->model),
             err ? err->msg : "");
        return err ? err->code : CS_EIO;
    }
    if (new_path) {
        free(s->model_path);
        s->model_path = new_path;
    }
    pthread_mutex_lock(&s->model_mu);
    old = s->model;
    s->model = m;
    pthread_mutex_unlock(&s->model_mu);
    api_model_release(old);     /* freed when the last request using it completes */
    if (keys) {                 /* key rotation: requests checking a key hold the read lock */
        pthread_rwlock_wrlock(&s->keys_lock);
        old_keys = s->keys;
        s->keys = keys;
        pthread_rwlock_unlock(&s->keys_lock);
        api_keys_free(old_keys);
        _log(s, "reloaded the API keys: %zu keys", api_keys_count(keys));
    }
    api_metrics_reload(s->metrics, 1);
    _log(s, "reloaded %s: model %s %s", s->model_path, api_model_name(m), api_model_version(m));
    _log_explainer(s, m);
    pthread_mutex_unlock(&s->reload_mu);
    return CS_OK;
}

void api_server_stop(api_server *s)
{
    if (!s || s->stopped) return;
    s->stopped = 1;
    atomic_store(&s->no_suspend, 1);
    if (s->daemon) {
        MHD_socket fd = MHD_quiesce_daemon(s->daemon);  /* no new connections */
        double t0 = cs_now();
        if (fd != MHD_INVALID_SOCKET) close(fd);
        while (atomic_load(&s->inflight) > 0 && cs_now() - t0 < s->cfg.drain_s) {
            struct timespec ts = {0, 2000000};
            nanosleep(&ts, NULL);
        }
        if (s->audit) {
            /* every decision waiting for its commit gets it (and its connection resumed:
             * stopping the library with a suspended connection is not allowed) */
            cs_err e = {0};
            if (store_audit_flush(s->audit, &e) != CS_OK) _log(s, "audit: %s", e.msg);
            double t1 = cs_now();
            while (atomic_load(&s->n_suspended) > 0 && cs_now() - t1 < 5) {   /* resumed, not yet answered */
                struct timespec ts = {0, 1000000};
                nanosleep(&ts, NULL);
                store_audit_flush(s->audit, &e);
            }
        }
        if (atomic_load(&s->inflight) > 0)
            _log(s, "drain: %d request(s) still running after %gs, stopping anyway", atomic_load(&s->inflight),
                 s->cfg.drain_s);
        if (s->sweeper_on) {
            atomic_store(&s->sweeper_stop, 1);
            pthread_join(s->sweeper, NULL);
            s->sweeper_on = 0;
        }
        MHD_stop_daemon(s->daemon);
        s->daemon = NULL;
    }
    if (s->audit) {
        cs_err e = {0};
        if (store_audit_flush(s->audit, &e) != CS_OK) _log(s, "audit: %s", e.msg);
    }
}

void api_server_free(api_server *s)
{
    if (!s) return;
    api_server_stop(s);
    api_window_free(s->window);   /* its thread holds the model while it computes */
    store_audit_close(s->audit);
    api_model_release(s->model);
    store_clients_close(s->clients);
    api_keys_free(s->keys);
    api_docs_free(s->docs);
    api_metrics_free(s->metrics);
    pthread_mutex_destroy(&s->model_mu);
    pthread_mutex_destroy(&s->reload_mu);
    pthread_rwlock_destroy(&s->keys_lock);
    pthread_mutex_destroy(&s->track_mu);
    if (s->model_key) memset(s->model_key, 0, s->model_key_len);
    free(s->model_key);
    free(s->model_path);
    free(s);
}

/* ---- libmicrohttpd glue ------------------------------------------------------------------ */

typedef struct _conn_state {
    double t_start;
    cs_buf body;
    int too_large;
    int route;          /* for metrics */
    int status;
    char request_id[72];
    /* a decision waiting for its audit commit: the connection is suspended (no worker
     * thread held) until the audit writer calls _audit_done, which resumes it; the
     * access handler then sends resp, or a 503 when the commit failed */
    int waiting;
    atomic_int audit_done;
    cs_status audit_st;
    char audit_msg[CS_ERR_MSG_MAX];
    struct MHD_Connection *conn;
    api_response resp;
} _conn_state;

static int _valid_request_id(const char *v)
{
    size_t n = 0;
    if (!v) return 0;
    for (; v[n]; n++) {
        char c = v[n];
        if (n >= 64 || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                         c == '_' || c == '.'))
            return 0;
    }
    return n > 0;
}

static void _new_request_id(api_server *s, char out[72])
{
    uint64_t n = atomic_fetch_add(&s->next_id, 1);
    uint64_t h = cs_hash64(&n, sizeof n, s->id_seed);
    snprintf(out, 72, "%016llx", (unsigned long long)h);
}

static void _add_common_headers(struct MHD_Response *r, const api_response *resp, const char *request_id)
{
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type ? resp->content_type : "application/json");
    MHD_add_response_header(r, "X-Request-Id", request_id);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (resp->allow) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
    if (resp->status == 401) MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
}

static enum MHD_Result _send(struct MHD_Connection *conn, api_response *resp, const char *request_id, int head)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    if (resp->static_body && !head)
        r = MHD_create_response_from_buffer(resp->static_len, (void *)resp->static_body, MHD_RESPMEM_PERSISTENT);
    else if (!head) {
        size_t len = resp->body.len;
        char *data = cs_buf_take(&resp->body);
        if (!data) return MHD_NO;
        r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
        if (!r) free(data);
    } else
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) return MHD_NO;
    _add_common_headers(r, resp, request_id);
    ret = MHD_queue_response(conn, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static const char *_header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* ---- the request deadline ------------------------------------------------------------------
 * libmicrohttpd's timeout closes only silent connections; a client sending one byte a
 * second is never silent. Every connection is tracked from its start: a request must be
 * received whole within request_timeout_s of the connection's start or of the previous
 * answer, else a sweeper thread shuts the socket down (shutdown(), not close(): the
 * library sees the end of the stream and closes the connection itself; the entry is
 * removed, under the same mutex, before the library closes the descriptor). */
typedef struct api_conn_track {
    int fd;
    double t_begin;             /* start of the wait for the next request */
    int busy;                   /* a whole request is being answered */
    struct api_conn_track *prev, *next;
} api_conn_track;

static void _conn_notify(void *cls, struct MHD_Connection *conn, void **socket_ctx, enum MHD_ConnectionNotificationCode code)
{
    api_server *s = cls;
    api_conn_track *t = *socket_ctx;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!ci || !(t = calloc(1, sizeof *t))) return;
        t->fd = ci->connect_fd;
        t->t_begin = cs_now();
        pthread_mutex_lock(&s->track_mu);
        t->next = s->tracks;
        if (s->tracks) s->tracks->prev = t;
        s->tracks = t;
        pthread_mutex_unlock(&s->track_mu);
        *socket_ctx = t;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && t) {
        pthread_mutex_lock(&s->track_mu);
        if (t->prev) t->prev->next = t->next;
        else s->tracks = t->next;
        if (t->next) t->next->prev = t->prev;
        pthread_mutex_unlock(&s->track_mu);
        free(t);
        *socket_ctx = NULL;
    }
}

/* mark the connection of conn busy (1: a whole request is in) or waiting again (0) */
static void _conn_mark(api_server *s, struct MHD_Connection *conn, int busy)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    api_conn_track *t = ci ? ci->socket_context : NULL;
    if (!t) return;
    pthread_mutex_lock(&s->track_mu);
    t->busy = busy;
    if (!busy) t->t_begin = cs_now();
    pthread_mutex_unlock(&s->track_mu);
}

static void *_sweeper(void *arg)
{
    api_server *s = arg;
    while (!atomic_load(&s->sweeper_stop)) {
        struct timespec ts = {0, 250000000};
        double now = cs_now();
        pthread_mutex_lock(&s->track_mu);
        for (api_conn_track *t = s->tracks; t; t = t->next)
            if (!t->busy && now - t->t_begin > s->cfg.request_timeout_s) {
                shutdown(t->fd, SHUT_RDWR);
                t->t_begin = INFINITY;  /* once */
            }
        pthread_mutex_unlock(&s->track_mu);
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* the audit writer's callback (its thread): note the outcome, wake the connection; st
 * may be freed as soon as the connection is resumed */
static void _audit_done(void *ud, cs_status status, const char *msg)
{
    _conn_state *st = ud;
    struct MHD_Connection *conn = st->conn;
    st->audit_st = status;
    snprintf(st->audit_msg, sizeof st->audit_msg, "%s", msg ? msg : cs_status_str(status));
    atomic_store(&st->audit_done, 1);
    MHD_resume_connection(conn);
}

static enum MHD_Result _access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                               const char *version, const char *upload_data, size_t *upload_size, void **req_cls)
{
    api_server *s = cls;
    _conn_state *st = *req_cls;
    (void)version;
    if (!st) {
        const char *rid = _header(conn, "X-Request-Id");
        const char *cl = _header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
        st = calloc(1, sizeof *st);
        if (!st) return MHD_NO;
        st->t_start = cs_now();
        st->route = -1;
        if (_valid_request_id(rid)) snprintf(st->request_id, sizeof st->request_id, "%s", rid);
        else _new_request_id(s, st->request_id);
        *req_cls = st;
        atomic_fetch_add(&s->inflight, 1);
        if (cl) {   /* refuse a declared oversize body before reading it */
            char *end;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno || *end || n > s->cfg.max_body) {
                api_response resp = {0};
                char msg[96];
                snprintf(msg, sizeof msg, "the request body is larger than %zu bytes", s->cfg.max_body);
                api_respond_error(&resp, 413, "body_too_large", NULL, st->request_id, msg);
                st->status = 413;
                st->too_large = 1;
                enum MHD_Result r = _send(conn, &resp, st->request_id, 0);
                api_response_clear(&resp);
                return r;
            }
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!st->too_large) {
            if (st->body.len + *upload_size > s->cfg.max_body) {
                st->too_large = 1;
                cs_buf_free(&st->body);
            } else if (cs_buf_append(&st->body, upload_data, *upload_size, NULL) != CS_OK) {
                st->too_large = 1;
                cs_buf_free(&st->body);
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    _conn_mark(s, conn, 1);                  /* the whole request is in: no deadline while answering */
    if (st->status == 413) return MHD_YES;   /* already answered */
    if (st->waiting) {                       /* resumed: the audit writer has answered */
        enum MHD_Result r;
        if (!atomic_load(&st->audit_done)) return MHD_YES;
        st->waiting = 0;
        atomic_fetch_sub(&s->n_suspended, 1);
        if (st->audit_st != CS_OK) {
            api_respond_audit_failed(&st->resp, st->request_id, st->audit_msg);
            st->status = st->resp.status;
        }
        r = _send(conn, &st->resp, st->request_id, !strcmp(method, "HEAD"));
        api_response_clear(&st->resp);
        return r;
    }
    {
        api_request req;
        api_response resp;
        const char *auth = _header(conn, MHD_HTTP_HEADER_AUTHORIZATION);
        enum MHD_Result r;
        memset(&req, 0, sizeof req);
        memset(&resp, 0, sizeof resp);
        req.method = method;
        req.path = url;
        req.arg_offset = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "offset");
        req.arg_limit = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "limit");
        req.arg_q = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "q");
        req.arg_bins = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "bins");
        req.api_key = _header(conn, "X-API-Key");
        if (!req.api_key && auth && !strncasecmp(auth, "Bearer ", 7)) req.api_key = auth + 7;
        req.request_id = st->request_id;
        req.decision_time = _header(conn, "X-Decision-Time");
        req.body = st->body.data ? st->body.data : "";
        req.body_len = st->body.len;
        req.body_too_large = st->too_large;
        api_server_dispatch(s, &req, &resp);
        st->status = resp.status;
        {
            api_match m;
            api_route_match(method, url, &m);
            st->route = m.route;
        }
        /* counted as suspended before no_suspend is read (the stop sets no_suspend, then
         * waits for n_suspended to fall to 0): either this request sees the stop and
         * commits in place, or the stop sees it and waits for its answer */
        atomic_fetch_add(&s->n_suspended, 1);
        if (resp.has_audit && s->audit && atomic_load(&s->no_suspend)) {
            /* stopping: no new suspensions (the library may not stop with one) */
            cs_err err = {0};
            resp.has_audit = 0;
            if (store_audit_commit(s->audit, &resp.audit, &err) != CS_OK) {
                api_respond_audit_failed(&resp, st->request_id, err.msg);
                st->status = resp.status;
            }
        }
        if (resp.has_audit && s->audit) {
            /* a decision: answered once committed; the connection waits suspended */
            cs_err err = {0};
            resp.has_audit = 0;
            st->resp = resp;
            st->conn = conn;
            st->waiting = 1;
            MHD_suspend_connection(conn);
            if (store_audit_submit(s->audit, &st->resp.audit, _audit_done, st, &err) != CS_OK)
                _audit_done(st, err.code, err.msg);
            return MHD_YES;
        }
        atomic_fetch_sub(&s->n_suspended, 1);
        r = _send(conn, &resp, st->request_id, !strcmp(method, "HEAD"));
        api_response_clear(&resp);
        return r;
    }
}

static void _completed(void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    api_server *s = cls;
    _conn_state *st = *req_cls;
    (void)conn;
    (void)toe;
    if (!st) return;
    if (st->waiting) atomic_fetch_sub(&s->n_suspended, 1);   /* resumed, closed before its answer */
    api_metrics_observe(s->metrics, st->route, st->status ? st->status : 500, cs_now() - st->t_start);
    _conn_mark(s, conn, 0);
    cs_buf_free(&st->body);
    api_response_clear(&st->resp);
    free(st);
    *req_cls = NULL;
    atomic_fetch_sub(&s->inflight, 1);
}

static void _mhd_log(void *cls, const char *fmt, va_list ap)
{
    api_server *s = cls;
    if (!s->cfg.log) return;
    vfprintf(s->cfg.log, fmt, ap);
    fflush(s->cfg.log);
}

cs_status api_server_start(api_server *s, cs_err *err)
{
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    struct sockaddr *addr;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC |
                     MHD_ALLOW_SUSPEND_RESUME;
    const union MHD_DaemonInfo *info;
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    if (inet_pton(AF_INET, s->cfg.host, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)s->cfg.port);
        addr = (struct sockaddr *)&a4;
    } else if (inet_pton(AF_INET6, s->cfg.host, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)s->cfg.port);
        addr = (struct sockaddr *)&a6;
        flags |= MHD_USE_IPv6;
    } else if (!strcmp(s->cfg.host, "localhost")) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)s->cfg.port);
        a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr = (struct sockaddr *)&a4;
    } else
        return cs_err_set(err, CS_EINVAL, "--host '%s': give a numeric IPv4 or IPv6 address", s->cfg.host);
    s->daemon = MHD_start_daemon(flags, (uint16_t)s->cfg.port, NULL, NULL, _access, s,
                                 MHD_OPTION_EXTERNAL_LOGGER, _mhd_log, s,
                                 MHD_OPTION_SOCK_ADDR, addr,
                                 MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->cfg.threads,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)s->cfg.max_conns,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)s->cfg.conn_timeout_s,
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
                                 MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
                                 MHD_OPTION_NOTIFY_COMPLETED, _completed, s,
                                 MHD_OPTION_NOTIFY_CONNECTION, _conn_notify, s,
                                 MHD_OPTION_END);
    if (!s->daemon)
        return cs_err_set(err, CS_EIO, "cannot listen on %s:%d (%s)", s->cfg.host, s->cfg.port,
                          errno ? strerror(errno) : "address in use or not available");
    if (s->cfg.request_timeout_s > 0) {
        atomic_store(&s->sweeper_stop, 0);
        s->sweeper_on = pthread_create(&s->sweeper, NULL, _sweeper, s) == 0;
    }
    info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : s->cfg.port;
    _log(s, "serving model %s %s on http://%s:%d/ (%d threads, keys %s, audit %s)", api_model_name(s->model),
         api_model_version(s->model), s->cfg.host, s->port, s->cfg.threads, s->keys ? "on" : "off",
         s->audit ? store_audit_name(s->audit) : "off");
    _log_explainer(s, s->model);
    return CS_OK;
}

/* ---- dispatch and the handlers that do not score ------------------------------------------ */

static int _parse_nonneg(const char *v, long long max, long long def, long long *out)
{
    char *end;
    long long n;
    if (!v) {
        *out = def;
        return 0;
    }
    errno = 0;
    n = strtoll(v, &end, 10);
    if (!*v || *end || errno || n < 0 || n > max) return -1;
    *out = n;
    return 0;
}

/* A client as JSON: id, target, each raw field by name (flat, as before), and the fields
 * again with their labels and units in "profile" (the dashboard's client card). */
static void _client_json(cs_buf *b, const store_clients *st, const store_client *c)
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
        cs_buf_puts(b, "}", NULL);
    }
    cs_buf_puts(b, "]}", NULL);
}

static void _handle_clients(api_server *s, const api_request *req, api_response *resp)
{
    long long offset, limit;
    store_client *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    cs_err err = {0};
    if (_parse_nonneg(req->arg_offset, (long long)1 << 53, 0, &offset))
        return api_respond_error(resp, 400, "wrong_type", "offset", req->request_id, "offset must be an integer >= 0");
    if (_parse_nonneg(req->arg_limit, 1000, 50, &limit))
        return api_respond_error(resp, 400, "wrong_type", "limit", req->request_id, "limit must be an integer from 0 to 1000");
    if (!s->clients)
        return api_respond_error(resp, 404, "no_clients_store", NULL, req->request_id,
                                 "the server was started without a clients store (--clients)");
    if (store_clients_list(s->clients, offset, limit, req->arg_q, &list, &n, &total, &err) != CS_OK) {
        if (err.code == CS_EINVAL) return api_respond_error(resp, 400, "invalid_query", "q", req->request_id, err.msg);
        return _respond_err(resp, &err, req->request_id);
    }
    cs_buf_printf(&resp->body, NULL, "{\"total\":%lld,\"offset\":%lld,\"limit\":%lld,\"clients\":[", (long long)total,
                  offset, limit);
    for (size_t i = 0; i < n; i++) {
        if (i) cs_buf_puts(&resp->body, ",", NULL);
        _client_json(&resp->body, s->clients, &list[i]);
    }
    cs_buf_puts(&resp->body, "]}", NULL);
    store_client_list_free(list, n);
    resp->status = 200;
}

static void _handle_client(api_server *s, const api_request *req, const char *param, api_response *resp)
{
    long long id;
    store_client c;
    cs_err err = {0};
    memset(&c, 0, sizeof c);
    if (_parse_nonneg(param, INT64_MAX, 0, &id))
        return api_respond_error(resp, 400, "wrong_type", "id", req->request_id, "a client id is a non-negative integer");
    if (!s->clients)
        return api_respond_error(resp, 404, "no_clients_store", NULL, req->request_id,
                                 "the server was started without a clients store (--clients)");
    if (store_clients_get(s->clients, id, &c, &err) != CS_OK) {
        if (err.code == CS_ENOTFOUND) return api_respond_error(resp, 404, "unknown_client", "id", req->request_id, err.msg);
        return _respond_err(resp, &err, req->request_id);
    }
    _client_json(&resp->body, s->clients, &c);
    if (c.x) {
        /* the detail also carries the feature vector by name (the dashboard's what-if) */
        const char *const *names = store_clients_feature_names(s->clients);
        resp->body.len--;   /* reopen the object */
        cs_buf_puts(&resp->body, ",\"features\":{", NULL);
        for (size_t j = 0; j < c.n_feats; j++) {
            if (j) cs_buf_puts(&resp->body, ",", NULL);
            api_json_str(&resp->body, names[j], NULL);
            cs_buf_puts(&resp->body, ":", NULL);
            api_json_num(&resp->body, c.x[j], NULL);
        }
        cs_buf_puts(&resp->body, "}}", NULL);
    }
    store_client_clear(&c);
    resp->status = 200;
}

static void _handle_health(api_server *s, api_response *resp)
{
    api_model *m = api_server_model(s);
    cs_buf_puts(&resp->body, "{\"status\":\"ok\",\"model\":{\"name\":", NULL);
    api_json_str(&resp->body, api_model_name(m), NULL);
    cs_buf_puts(&resp->body, ",\"version\":", NULL);
    api_json_str(&resp->body, api_model_version(m), NULL);
    cs_buf_printf(&resp->body, NULL, "},\"clients\":%lld,\"inflight\":%d,\"uptime_s\":",
                  s->clients ? (long long)store_clients_count(s->clients) : 0LL, atomic_load(&s->inflight));
    api_json_num(&resp->body, (double)(long long)((cs_now() - s->t_start) * 1000) / 1000, NULL);
    cs_buf_puts(&resp->body, "}", NULL);
    api_model_release(m);
    resp->status = 200;
}

static void _handle_model_get(api_server *s, const api_request *req, int route, const char *param, api_response *resp)
{
    api_model *m = api_server_model(s);
    cs_err err = {0};
    cs_status st;
    if (route == API_R_MODEL) st = api_model_info_json(m, &resp->body, &err);
    else if (route == API_R_IMPORTANCE) st = api_model_importance_json(m, &resp->body, &err);
    else st = api_model_distribution_json(m, param, &resp->body, &err);
    api_model_release(m);
    if (st == CS_ENOTFOUND) return api_respond_error(resp, 404, "unknown_feature", "name", req->request_id, err.msg);
    if (st != CS_OK) return _respond_err(resp, &err, req->request_id);
    resp->status = 200;
}

void api_server_handle(api_server *s, const api_request *req, api_response *resp)
{
    api_server_dispatch(s, req, resp);
    if (resp->has_audit) {
        cs_err err = {0};
        resp->has_audit = 0;
        if (!s->audit || store_audit_commit(s->audit, &resp->audit, &err) != CS_OK)
            return api_respond_audit_failed(resp, req->request_id, s->audit ? err.msg : "no audit log");
    }
}

void api_server_dispatch(api_server *s, const api_request *req, api_response *resp)
{
    api_match m;
    memset(resp, 0, sizeof *resp);
    resp->content_type = "application/json";
    api_route_match(req->method, req->path, &m);
    if (m.status == 404)
        return api_respond_error(resp, 404, "not_found", NULL, req->request_id, "no such endpoint (see /openapi.json)");
    if (m.status == 405) {
        char msg[96];
        snprintf(msg, sizeof msg, "method not allowed here (allowed: %s)", m.allow);
        api_respond_error(resp, 405, "method_not_allowed", NULL, req->request_id, msg);
        resp->allow = m.allow;
        return;
    }
    if (s->cfg.keys_path && !api_route_is_public(m.route)) {
        int good;
        pthread_rwlock_rdlock(&s->keys_lock);
        good = api_keys_check(s->keys, req->api_key, req->api_key ? strlen(req->api_key) : 0);
        pthread_rwlock_unlock(&s->keys_lock);
        if (!good)
            return api_respond_error(resp, 401, "unauthorized", NULL, req->request_id,
                                     "a valid API key is required (X-API-Key header or Authorization: Bearer)");
    }
    if (req->body_too_large) {
        char msg[96];
        snprintf(msg, sizeof msg, "the request body is larger than %zu bytes", s->cfg.max_body);
        return api_respond_error(resp, 413, "body_too_large", NULL, req->request_id, msg);
    }
    switch (m.route) {
    case API_R_HEALTH: return _handle_health(s, resp);
    case API_R_METRICS:
        resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
        if (api_metrics_render(s->metrics, &resp->body, NULL) != CS_OK ||
            (s->window && api_window_render(s->window, &resp->body, NULL) != CS_OK))
            return api_respond_error(resp, 503, "overloaded", NULL, req->request_id, "out of memory");
        resp->status = 200;
        return;
    case API_R_OPENAPI:
        resp->static_body = api_openapi_json(&resp->static_len);
        resp->status = 200;
        return;
    case API_R_DOCS: {
        const void *data;
        size_t len;
        const char *type;
        const char *name = m.param[0] ? m.param : "";
        if (!api_docs_get(s->docs, name, &data, &len, &type)) {
            if (!strcmp(name, "") || !strcmp(name, "index.html"))
                return api_respond_error(resp, 503, "docs_not_installed", NULL, req->request_id,
                                         "Swagger UI is not installed (scripts/install-deps.sh runs npm ci in web/api-docs)");
            return api_respond_error(resp, 404, "not_found", NULL, req->request_id, "no such documentation file");
        }
        resp->static_body = data;
        resp->static_len = len;
        resp->content_type = type;
        resp->status = 200;
        return;
    }
    case API_R_PREDICT: return api_handle_predict(s, req, 0, resp);
    case API_R_EXPLAIN: return api_handle_predict(s, req, 1, resp);
    case API_R_CLIENTS: return _handle_clients(s, req, resp);
    case API_R_CLIENT: return _handle_client(s, req, m.param, resp);
    case API_R_MODEL:
    case API_R_IMPORTANCE:
    case API_R_DISTRIBUTION: return _handle_model_get(s, req, m.route, m.param, resp);
    default: return api_respond_error(resp, 500, "internal", NULL, req->request_id, "unrouted endpoint");
    }
}
