/*
 * server.c: the dashboard server on libmicrohttpd: static files with security headers,
 * and /api/... forwarded to the scoring API (see dash.h).
 */
#include "dash.h"
#include "../http/http.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The page runs its own scripts and styles only, and talks to its own origin only. */
#define CSP "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
            "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "      \
            "form-action 'self'; frame-ancestors 'none'"

struct dash_server {
    struct MHD_Daemon *d;
    http_front *front;          /* the strict front end that owns the socket (http/http.h) */
    atomic_ullong next_id;
    uint64_t id_seed;
    dash_assets *assets;
    dash_config cfg;
    dash_url api;
    char root[PATH_MAX];
    char *api_key;
    int port;
};

typedef struct req_state {
    cs_buf body;
    int too_large;
    char request_id[72];        /* the client's X-Request-Id when valid, else a new one */
} req_state;

dash_config dash_config_default(void)
{
    dash_config c = {0};
    c.host = "127.0.0.1";
    c.port = 8501;
    c.threads = 4;
    c.max_body = 1u << 20;
    c.api_timeout_s = 10;
    c.max_conns = 256;
    c.max_conns_per_addr = 64;
    c.request_timeout_s = 30;
    return c;
}

static void _security_headers_only(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

static void _security_headers(struct MHD_Response *r)
{
    _security_headers_only(r);
    MHD_add_response_header(r, "Cache-Control", "no-cache");
}

static enum MHD_Result _send_text(struct MHD_Connection *c, unsigned status, const char *type,
                                  const char *text, const char *rid)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "X-Request-Id", rid);
    _security_headers(r);
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* A JSON error in the API's format, for the page to show. */
static enum MHD_Result _send_json_error(struct MHD_Connection *c, unsigned status, const char *code,
                                        const char *message, const char *rid)
{
    cs_buf b = {0};
    enum MHD_Result ret;
    cs_buf_puts(&b, "{\"error\":{\"code\":\"", NULL);
    cs_buf_puts(&b, code, NULL);
    cs_buf_puts(&b, "\",\"message\":\"", NULL);
    for (const char *p = message; *p; p++) {    /* JSON-escape the message */
        if (*p == '"' || *p == '\\') cs_buf_printf(&b, NULL, "\\%c", *p);
        else if ((unsigned char)*p < 0x20) cs_buf_printf(&b, NULL, "\\u%04x", (unsigned char)*p);
        else cs_buf_append(&b, p, 1, NULL);
    }
    cs_buf_puts(&b, "\",\"field\":null,\"request_id\":\"", NULL);
    cs_buf_puts(&b, rid, NULL);     /* [A-Za-z0-9._-] only */
    cs_buf_puts(&b, "\"}}", NULL);
    ret = _send_text(c, status, "application/json", b.data ? b.data : "{}", rid);
    cs_buf_free(&b);
    return ret;
}

static enum MHD_Result _serve_file(dash_server *s, struct MHD_Connection *c, const char *url, int head,
                                   const char *rid)
{
    char path[PATH_MAX];
    int rc = dash_resolve(s->root, url, path, sizeof path);
    struct MHD_Response *r;
    struct stat sb;
    enum MHD_Result ret;
    int fd;

    if (rc == 403) return _send_json_error(c, MHD_HTTP_FORBIDDEN, "forbidden", "this path is not served", rid);
    if (rc) return _send_json_error(c, MHD_HTTP_NOT_FOUND, "not_found", "no such file", rid);
    {
        dash_asset a;
        cs_err e = {0};
        if (dash_assets_get(s->assets, path, &a, &e) == CS_OK) {
            const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
            const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "v");
            int gz = a.gz && dash_accepts_gzip(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding"));
            int not_modified = dash_etag_match(inm, a.etag);
            char etag[DASH_ETAG_LEN];
            memcpy(etag, a.etag, sizeof etag);
            if (not_modified || head) {
                r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
                dash_asset_clear(&a);
            } else if (gz) {
                r = MHD_create_response_from_buffer(a.gz_len, a.gz, MHD_RESPMEM_MUST_FREE);
                a.gz = NULL;
                dash_asset_clear(&a);
            } else {
                r = MHD_create_response_from_buffer(a.len, a.data, MHD_RESPMEM_MUST_FREE);
                a.data = NULL;
                dash_asset_clear(&a);
            }
            if (!r) return MHD_NO;
            MHD_add_response_header(r, "Content-Type", dash_mime(path));
            MHD_add_response_header(r, "ETag", etag);
            MHD_add_response_header(r, "X-Request-Id", rid);
            MHD_add_response_header(r, "Vary", "Accept-Encoding");
            if (gz && !not_modified) MHD_add_response_header(r, "Content-Encoding", "gzip");
            _security_headers_only(r);
            /* a versioned name never changes content: a year; anything else is revalidated */
            MHD_add_response_header(r, "Cache-Control", v && *v ? "public, max-age=31536000, immutable" : "no-cache");
            ret = MHD_queue_response(c, not_modified ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, r);
            MHD_destroy_response(r);
            return ret;
        }
    }
    /* a file the cache does not hold (too large): streamed as it is */
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0) close(fd);
        return _send_json_error(c, MHD_HTTP_NOT_FOUND, "not_found", "no such file", rid);
    }
    if (head) {
        close(fd);
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else {
        r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);   /* r owns fd */
    }
    if (!r) {
        if (!head) close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", dash_mime(path));
    MHD_add_response_header(r, "X-Request-Id", rid);
    _security_headers(r);
    ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result _collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    cs_buf *q = cls;
    (void)kind;
    cs_buf_puts(q, q->len ? "&" : "?", NULL);
    for (const char *s = key; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr("-_.~", *s))
            cs_buf_append(q, s, 1, NULL);
        else cs_buf_printf(q, NULL, "%%%02X", (unsigned char)*s);
    }
    if (value) {
        cs_buf_puts(q, "=", NULL);
        for (const char *s = value; *s; s++) {
            if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr("-_.~", *s))
                cs_buf_append(q, s, 1, NULL);
            else cs_buf_printf(q, NULL, "%%%02X", (unsigned char)*s);
        }
    }
    return MHD_YES;
}

static enum MHD_Result _forward(dash_server *s, struct MHD_Connection *c, const char *url,
                                const char *method, req_state *rs)
{
    cs_buf target = {0}, query = {0};
    cs_err err = {0};
    char *body = NULL, ctype[128];
    size_t len = 0;
    int status = 0;
    const char *rid = rs->request_id;   /* checked (http_valid_request_id) or ours */
    struct MHD_Response *r;
    enum MHD_Result ret;

    /* /api/v1/clients/7 -> <api prefix>/v1/clients/7, with the query string re-encoded */
    for (const char *p = url + 4; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-_.~/", *p))
            cs_buf_append(&target, p, 1, NULL);
        else cs_buf_printf(&target, NULL, "%%%02X", (unsigned char)*p);
    }
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, _collect_arg, &query);
    if (query.len) cs_buf_append(&target, query.data, query.len, NULL);
    if (dash_forward(&s->api, method, target.data ? target.data : "/", s->api_key, rid, rs->body.data,
                     rs->body.len, s->cfg.api_timeout_s, &status, &body, &len, ctype, sizeof ctype, &err)) {
        cs_buf_free(&target);
        cs_buf_free(&query);
        return _send_json_error(c, MHD_HTTP_BAD_GATEWAY, "api_unavailable", err.msg, rid);
    }
    cs_buf_free(&target);
    cs_buf_free(&query);
    {
        /* a GET answer is revalidated by the ETag of its body; answers are gzipped when the
         * browser accepts it (the API's JSON compresses tenfold) */
        char etag[DASH_ETAG_LEN], *gz = NULL;
        size_t gz_len = 0;
        int is_get = !strcmp(method, "GET") && status == 200;
        int not_modified = 0;
        if (is_get) {
            dash_etag(body, len, etag);
            not_modified = dash_etag_match(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH), etag);
        }
        if (!not_modified && len >= 256 && dash_accepts_gzip(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding")) &&
            dash_gzip(body, len, &gz, &gz_len, NULL) == CS_OK && gz_len < len) {
            free(body);
            body = gz;
            len = gz_len;
        } else {
            free(gz);
            gz = NULL;
        }
        if (not_modified) {
            free(body);
            r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        } else {
            r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
        }
        if (!r) {
            if (!not_modified) free(body);
            return MHD_NO;
        }
        MHD_add_response_header(r, "Content-Type", ctype[0] ? ctype : "application/json");
        if (gz) MHD_add_response_header(r, "Content-Encoding", "gzip");
        MHD_add_response_header(r, "Vary", "Accept-Encoding");
        if (is_get) MHD_add_response_header(r, "ETag", etag);
        MHD_add_response_header(r, "X-Request-Id", rid);
        _security_headers(r);
        ret = MHD_queue_response(c, not_modified ? MHD_HTTP_NOT_MODIFIED : (unsigned)status, r);
        MHD_destroy_response(r);
        return ret;
    }
}

static enum MHD_Result _handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    dash_server *s = cls;
    req_state *rs = *con_cls;
    int is_api = !strncmp(url, "/api/", 5);
    (void)version;

    if (!rs) {
        const char *rid = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");
        rs = calloc(1, sizeof *rs);
        if (!rs) return MHD_NO;
        if (rid && http_valid_request_id(rid, strlen(rid))) snprintf(rs->request_id, sizeof rs->request_id, "%s", rid);
        else {
            uint64_t n = atomic_fetch_add(&s->next_id, 1);
            snprintf(rs->request_id, sizeof rs->request_id, "%016llx", (unsigned long long)cs_hash64(&n, sizeof n, s->id_seed));
        }
        *con_cls = rs;
        return MHD_YES;
    }
    if (*upload_size) {
        if (rs->body.len + *upload_size > s->cfg.max_body) rs->too_large = 1;
        else if (cs_buf_append(&rs->body, upload, *upload_size, NULL)) return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (is_api) {
        if (strcmp(method, "GET") && strcmp(method, "POST"))
            return _send_json_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed", "use GET or POST", rs->request_id);
        if (rs->too_large)
            return _send_json_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "body_too_large", "request body too large", rs->request_id);
        return _forward(s, c, url, method, rs);
    }
    if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
        static const char msg[] = "{\"error\":{\"code\":\"method_not_allowed\",\"message\":\"method not allowed here "
                                  "(allowed: GET, HEAD)\",\"field\":null,\"request_id\":\"";
        cs_buf b = {0};
        struct MHD_Response *r;
        enum MHD_Result ret;
        cs_buf_puts(&b, msg, NULL);
        cs_buf_puts(&b, rs->request_id, NULL);
        if (cs_buf_puts(&b, "\"}}", NULL)) return MHD_NO;
        r = MHD_create_response_from_buffer(b.len, b.data, MHD_RESPMEM_MUST_COPY);
        cs_buf_free(&b);
        if (!r) return MHD_NO;
        MHD_add_response_header(r, "Allow", "GET, HEAD");
        MHD_add_response_header(r, "Content-Type", "application/json");
        MHD_add_response_header(r, "X-Request-Id", rs->request_id);
        _security_headers(r);
        ret = MHD_queue_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
        MHD_destroy_response(r);
        return ret;
    }
    return _serve_file(s, c, url, !strcmp(method, "HEAD"), rs->request_id);
}

static void _completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    req_state *rs = *con_cls;
    (void)cls;
    (void)c;
    (void)toe;
    if (!rs) return;
    cs_buf_free(&rs->body);
    free(rs);
    *con_cls = NULL;
}

/* the front end hands over each accepted connection (its server end of a socket pair) */
static int _deliver(void *ud, int fd, const struct sockaddr *addr, socklen_t addr_len)
{
    dash_server *s = ud;
    return MHD_add_connection(s->d, fd, addr, addr_len) == MHD_YES ? 0 : -1;
}

dash_server *dash_start(const dash_config *cfg, cs_err *err)
{
    dash_server *s = calloc(1, sizeof *s);
    char index[PATH_MAX + 16], host[INET6_ADDRSTRLEN];
    struct addrinfo hints = {0}, *ai = NULL;
    char port[16];
    /* the front end owns the listening socket and reads every request strictly first */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET;
    http_front_config fc = http_front_config_default();

    if (!s) {
        cs_err_set(err, CS_ENOMEM, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        s->id_seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
    }
    if (!cfg->api_url || dash_url_parse(cfg->api_url, &s->api, err)) {
        if (!cfg->api_url) cs_err_set(err, CS_EINVAL, "the API URL is required (--api URL)");
        goto fail;
    }
    if (!cfg->web_root || !realpath(cfg->web_root, s->root)) {
        cs_err_set(err, CS_EIO, "web folder %s: %s", cfg->web_root ? cfg->web_root : "(none)", strerror(errno));
        goto fail;
    }
    snprintf(index, sizeof index, "%s/index.html", s->root);
    if (access(index, R_OK) != 0) {
        cs_err_set(err, CS_EIO, "web folder %s holds no index.html", s->root);
        goto fail;
    }
    if (!(s->assets = dash_assets_create(s->root, err))) goto fail;
    if (cfg->api_key && !(s->api_key = strdup(cfg->api_key))) {
        cs_err_set(err, CS_ENOMEM, "out of memory");
        goto fail;
    }
    if (cfg->max_conns < 1 || cfg->max_conns_per_addr < 1 || cfg->request_timeout_s < 0) {
        cs_err_set(err, CS_EINVAL, "dashboard settings out of range (connections >= 1, request timeout >= 0)");
        goto fail;
    }
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(port, sizeof port, "%d", cfg->port);
    if (getaddrinfo(cfg->host, port, &hints, &ai) != 0 || !ai ||
        !inet_ntop(ai->ai_family,
                   ai->ai_family == AF_INET6 ? (void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr
                                             : (void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr,
                   host, sizeof host)) {
        if (ai) freeaddrinfo(ai);
        cs_err_set(err, CS_EINVAL, "cannot bind to host '%s'", cfg->host);
        goto fail;
    }
    freeaddrinfo(ai);
    s->d = MHD_start_daemon(flags, 0, NULL, NULL, _handle, s,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads > 0 ? cfg->threads : 4),
                            /* a backstop only: the front end times connections out */
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(2 * cfg->request_timeout_s + 120),
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_conns + 16,
                            MHD_OPTION_NOTIFY_COMPLETED, _completed, s,
                            MHD_OPTION_END);
    if (!s->d) {
        cs_err_set(err, CS_EIO, "cannot start the HTTP library");
        goto fail;
    }
    fc.host = host;
    fc.port = cfg->port;
    fc.max_conns = cfg->max_conns;
    fc.max_conns_per_addr = cfg->max_conns_per_addr;
    fc.request_timeout_s = cfg->request_timeout_s;
    fc.idle_timeout_s = 30;
    fc.max_body = cfg->max_body;
    fc.deliver = _deliver;
    fc.ud = s;
    if (!(s->front = http_front_start(&fc, err))) goto fail;
    s->port = http_front_port(s->front);
    return s;
fail:
    dash_stop(s);
    return NULL;
}

int dash_port(const dash_server *d)
{
    return d->port;
}

void dash_stop(dash_server *d)
{
    if (!d) return;
    http_front_close_listener(d->front);
    if (d->d) MHD_stop_daemon(d->d);
    http_front_free(d->front);  /* after the library: its ends of the connections are closed */
    dash_assets_free(d->assets);
    free(d->api_key);
    free(d);
}
