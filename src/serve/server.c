/*
 * server.c: the HTTP layer (libmicrohttpd: thread pool, keep-alive, body limit, request
 * state created on the first callback and freed in the completion callback), the
 * lifecycle (create, start, reload, drain and stop) and a decision's audit path (one
 * function: committed before the answer leaves). Routing and the endpoints are below it:
 * server.c -> router.c (the route table) -> predict.c, clients.c, info.c, ops.c -> the
 * model handle (model.c), respond.c, request.c.
 */
#include "router.h"
#include "state.h"
#include "../model/model.h"
#include "../model/sign.h"
#include "../http/http.h"

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
    c.max_conns_per_addr = 64;
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
    /* one line, one write: on an unbuffered stderr another thread's (or library's) output
     * cannot land between a message and its newline */
    char line[1024];
    va_list ap;
    int n;
    if (!s->cfg.log) return;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n > sizeof line - 2) n = (int)(sizeof line - 2);   /* cut, still one line */
    line[n++] = '\n';
    fwrite(line, 1, (size_t)n, s->cfg.log);
    fflush(s->cfg.log);
}

/* The explainer's precomputed memory, the bound of explaining with this model. */
static void _log_explainer(const api_server *s, const api_model *m)
{
    shap_stats st;
    char line[256];
    shap_explainer_stats(api_model_explainer(m), &st);
    _log(s, "explainer: %s", shap_stats_format(&st, line, sizeof line));
    if (!mf_importance(api_model_mf(m), NULL))
        _log(s, "importance: model %s %s carries no global importance (trained before it was stored): "
                "/v1/importance is ordered by gain; retrain for mean |SHAP|",
             api_model_name(m), api_model_version(m));
}

/* the challenger a model handle carries, when it has one */
static void _log_challenger(const api_server *s, const api_model *m)
{
    const mf_model *ch = api_model_challenger(m);
    if (ch)
        _log(s, "challenger: model %s %s from %s (scored after the champion on every decision; answers are the "
                "champion's)",
             mf_name(ch), mf_version(ch), s->challenger_path);
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
        cfg->max_body < 64 || cfg->conn_timeout_s < 1 || cfg->max_conns_per_addr < 1) {
        cs_err_set(err, CS_EINVAL, "server settings out of range (port 0..65535, threads 1..256, body >= 64 bytes)");
        return NULL;
    }
    if (!(s = cs_calloc(1, sizeof *s, err))) return NULL;
    s->cfg = *cfg;
    pthread_mutex_init(&s->model_mu, NULL);
    pthread_mutex_init(&s->reload_mu, NULL);
    pthread_rwlock_init(&s->keys_lock, NULL);
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
    if (cfg->challenger_path &&
        (!(s->challenger_path = cs_strdup(cfg->challenger_path, err)) ||
         api_model_set_challenger(s->model, s->challenger_path, s->model_key, s->model_key_len, err) != CS_OK))
        goto fail;
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
    return api_server_reload_pair(s, path, NULL, err);
}

cs_status api_server_reload_pair(api_server *s, const char *path, const char *challenger_path, cs_err *err)
{
    api_model *m, *old;
    api_keys *keys = NULL, *old_keys;
    char *new_path = NULL, *new_ch = NULL;
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
    if ((path && strcmp(path, s->model_path) && !(new_path = cs_strdup(path, err))) ||
        (challenger_path && (!s->challenger_path || strcmp(challenger_path, s->challenger_path)) &&
         !(new_ch = cs_strdup(challenger_path, err)))) {
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
    /* the challenger with it: the pair is swapped in together or not at all */
    if (m && (new_ch || s->challenger_path) &&
        api_model_set_challenger(m, new_ch ? new_ch : s->challenger_path, s->model_key, s->model_key_len, err) != CS_OK) {
        api_model_release(m);
        m = NULL;
    }
failed:
    if (!m) {
        free(new_path);
        free(new_ch);
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
    if (new_ch) {
        free(s->challenger_path);
        s->challenger_path = new_ch;
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
    _log_challenger(s, m);
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
        double t0 = cs_now();
        http_front_close_listener(s->front);            /* no new connections */
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
        MHD_stop_daemon(s->daemon);
        s->daemon = NULL;
    }
    http_front_free(s->front);  /* after the library: its ends of the connections are closed */
    s->front = NULL;
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
    if (s->model_key) memset(s->model_key, 0, s->model_key_len);
    free(s->model_key);
    free(s->model_path);
    free(s->challenger_path);
    free(s);
}

/* ---- libmicrohttpd glue ------------------------------------------------------------------ */

#define API_ARGS_MAX 32

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
    store_audit_rec audit;      /* the decision's record, until its commit */
    api_arg args[API_ARGS_MAX]; /* the query arguments (beyond API_ARGS_MAX not read) */
    size_t n_args;
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

/* query arguments into the request state (the first API_ARGS_MAX) */
static enum MHD_Result _arg_collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    _conn_state *st = cls;
    (void)kind;
    if (st->n_args >= API_ARGS_MAX) return MHD_NO;
    st->args[st->n_args].name = key;
    st->args[st->n_args].value = value;
    st->n_args++;
    return MHD_YES;
}

/* A decision's audit path, the one place its record is committed before its answer
 * leaves. Over HTTP (st not NULL, the server not stopping) the connection waits suspended,
 * holding no worker thread, until the audit writer's batch is committed: _audit_done
 * resumes it and _access sends st->resp (or the 503); returns 1. Otherwise (no sockets, or
 * stopping: the library may not stop with a suspended connection) the record is committed
 * here and resp becomes the 503 when it cannot be; returns 0. */
static int _audit_decision(api_server *s, _conn_state *st, store_audit_rec *rec, api_response *resp,
                           const char *request_id)
{
    cs_err err = {0};
    if (st) {
        /* counted as suspended before no_suspend is read (the stop sets no_suspend, then
         * waits for n_suspended to fall to 0): either this request sees the stop and
         * commits in place, or the stop sees it and waits for its answer */
        atomic_fetch_add(&s->n_suspended, 1);
        if (s->audit && !atomic_load(&s->no_suspend)) {
            st->resp = *resp;   /* moved: sent once resumed */
            memset(resp, 0, sizeof *resp);
            st->waiting = 1;
            MHD_suspend_connection(st->conn);
            if (store_audit_submit(s->audit, rec, _audit_done, st, &err) != CS_OK) _audit_done(st, err.code, err.msg);
            return 1;
        }
    }
    if (!s->audit || store_audit_commit(s->audit, rec, &err) != CS_OK)
        api_respond_audit_failed(resp, request_id, s->audit ? err.msg : "no audit log");
    if (st) atomic_fetch_sub(&s->n_suspended, 1);
    return 0;
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
        api_match m;
        const char *auth = _header(conn, MHD_HTTP_HEADER_AUTHORIZATION);
        enum MHD_Result r;
        memset(&req, 0, sizeof req);
        st->n_args = 0;
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, _arg_collect, st);
        req.method = method;
        req.path = url;
        req.args = st->args;
        req.n_args = st->n_args;
        req.api_key = _header(conn, "X-API-Key");
        if (!req.api_key && auth && !strncasecmp(auth, "Bearer ", 7)) req.api_key = auth + 7;
        req.request_id = st->request_id;
        req.decision_time = _header(conn, "X-Decision-Time");
        req.body = st->body.data ? st->body.data : "";
        req.body_len = st->body.len;
        req.body_too_large = st->too_large;
        api_route_match(method, url, &m);   /* once: the dispatch and the metrics label */
        st->route = m.route;
        st->conn = conn;
        int decided = api_route_dispatch(s, &req, &m, &resp, &st->audit);
        st->status = resp.status;
        if (decided && _audit_decision(s, st, &st->audit, &resp, st->request_id))
            return MHD_YES;                 /* answered when the audit writer resumes it */
        st->status = resp.status;           /* the 503 when the commit in place failed */
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
    cs_buf_free(&st->body);
    api_response_clear(&st->resp);
    free(st);
    *req_cls = NULL;
    atomic_fetch_sub(&s->inflight, 1);
}

/* The library serves the front end's socket pairs (UNIX sockets) but, not knowing it, sets
 * TCP_NODELAY and TCP_CORK around every answer; a UNIX socket refuses both, harmlessly (it
 * has no Nagle delay to push), and the library logged the three failures for every request:
 * about 250 bytes of log per request, in three unbuffered writes (2 to 3.6 us of CPU per
 * request with the log in a file). Those messages are not logged. */
static int _mhd_noise(const char *fmt)
{
    static const char *const noise[] = {"Setting %s option to %s state failed: ",
                                        "Failed to push the data from buffers to the network."};
    for (size_t i = 0; i < sizeof noise / sizeof noise[0]; i++)
        if (!strncmp(fmt, noise[i], strlen(noise[i]))) return 1;
    return 0;
}

static void _mhd_log(void *cls, const char *fmt, va_list ap)
{
    api_server *s = cls;
    if (!s->cfg.log || _mhd_noise(fmt)) return;
    vfprintf(s->cfg.log, fmt, ap);
    fflush(s->cfg.log);
}

/* the front end hands over each accepted connection (its server end of a socket pair) */
static int _deliver(void *ud, int fd, const struct sockaddr *addr, socklen_t addr_len)
{
    api_server *s = ud;
    return MHD_add_connection(s->daemon, fd, addr, addr_len) == MHD_YES ? 0 : -1;
}

cs_status api_server_start(api_server *s, cs_err *err)
{
    /* the front end owns the listening socket and reads every request strictly first
     * (http/http.h); the library serves the canonical requests it passes on */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_NO_LISTEN_SOCKET;
    http_front_config fc = http_front_config_default();
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, _access, s,
                                 MHD_OPTION_EXTERNAL_LOGGER, _mhd_log, s,
                                 MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->cfg.threads,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)s->cfg.max_conns + 16,
                                 /* a backstop only: the front end times connections out */
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(2 * (s->cfg.conn_timeout_s + s->cfg.request_timeout_s) + 60),
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
                                 MHD_OPTION_NOTIFY_COMPLETED, _completed, s,
                                 MHD_OPTION_END);
    if (!s->daemon) return cs_err_set(err, CS_EIO, "cannot start the HTTP library (%s)", errno ? strerror(errno) : "?");
    fc.host = s->cfg.host;
    fc.port = s->cfg.port;
    fc.max_conns = s->cfg.max_conns;
    fc.max_conns_per_addr = s->cfg.max_conns_per_addr;
    fc.request_timeout_s = s->cfg.request_timeout_s;
    fc.idle_timeout_s = s->cfg.conn_timeout_s;
    fc.max_body = s->cfg.max_body;
    fc.deliver = _deliver;
    fc.ud = s;
    if (!(s->front = http_front_start(&fc, err))) {
        MHD_stop_daemon(s->daemon);
        s->daemon = NULL;
        return err ? err->code : CS_EIO;
    }
    s->port = http_front_port(s->front);
    _log(s, "serving model %s %s on http://%s:%d/ (%d threads, keys %s, audit %s)", api_model_name(s->model),
         api_model_version(s->model), s->cfg.host, s->port, s->cfg.threads, s->keys ? "on" : "off",
         s->audit ? store_audit_name(s->audit) : "off");
    _log_challenger(s, s->model);
    _log_explainer(s, s->model);
    return CS_OK;
}

/* ---- without sockets ------------------------------------------------------------------- */

void api_server_handle(api_server *s, const api_request *req, api_response *resp)
{
    api_match m;
    store_audit_rec rec;
    api_route_match(req->method, req->path, &m);
    if (api_route_dispatch(s, req, &m, resp, &rec)) _audit_decision(s, NULL, &rec, resp, req->request_id);
}
