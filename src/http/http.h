/*
 * http.h: the strict HTTP/1.1 front end both servers (serve/, dash/) put before
 * libmicrohttpd. The front owns the listening socket: it accepts, limits connections (in
 * all and per client address), gives every request a deadline, and reads each request
 * with a strict parser (RFC 9110/9112, see docs/security.md's table): one framing only
 * (one Content-Length of digits, or Transfer-Encoding: chunked alone), an origin-form
 * target (an absolute-form one is rewritten to it), no encoded NUL, slash, backslash or
 * dot segment in the path, token header names, header values of visible characters,
 * Host on HTTP/1.1. A request it accepts is handed to the server, in a canonical form
 * (origin-form target, Content-Length framing, no Expect), over a socket pair whose other
 * end the server library serves as an ordinary connection; the server's answers come
 * back byte for byte. A request it refuses gets the API's JSON error
 * {"error": {"code", "message", "field", "request_id"}} with X-Request-Id, and the
 * connection is closed: the transport's errors never reach the library's HTML pages.
 * One request at a time per connection: the next one is read once the answer has left.
 *
 *   http_front_config fc = http_front_config_default();
 *   fc.host = "127.0.0.1"; fc.port = 0; fc.deliver = my_add_connection; fc.ud = server;
 *   http_front *f = http_front_start(&fc, &err);      // listening
 *   ... http_front_port(f) ...
 *   http_front_close_listener(f);                      // no new connections (drain)
 *   http_front_free(f);                                // after the library has stopped
 */
#ifndef CS_HTTP_HTTP_H
#define CS_HTTP_HTTP_H

#include "../base/cs.h"

#include <sys/socket.h>

/* Hand one connected socket (the server's end of the pair) to the server library, with
 * the client's address. Returns 0 on success; on failure the callee has closed fd. */
typedef int (*http_deliver_fn)(void *ud, int fd, const struct sockaddr *addr, socklen_t addr_len);

typedef struct http_front_config {
    const char *host;           /* numeric IPv4/IPv6 address or "localhost"; default 127.0.0.1 */
    int port;                   /* 0 = any free port */
    int max_conns;              /* simultaneous client connections; default 1024 */
    int max_conns_per_addr;     /* of them from one client address; default 64 */
    double request_timeout_s;   /* a request must arrive whole within this of the connection's
                                 * start or of the previous answer; default 30 */
    double idle_timeout_s;      /* no byte either way for this long closes; default 30 */
    size_t max_body;            /* larger bodies get 413; default 1 MiB */
    size_t max_target;          /* longer request targets get 414; default 8 KiB */
    size_t max_head;            /* larger request heads get 431; default 64 KiB */
    int max_headers;            /* more header fields get 431; default 100 */
    http_deliver_fn deliver;    /* required */
    void *ud;
} http_front_config;

http_front_config http_front_config_default(void);

typedef struct http_front http_front;

/* Bind, listen and start the front's thread. */
http_front *http_front_start(const http_front_config *cfg, cs_err *err);

/* The port bound. */
int http_front_port(const http_front *f);

/* Stop accepting (the listening socket is closed); open connections go on. */
void http_front_close_listener(http_front *f);

/* Counters since the start (for /metrics and tests). */
typedef struct http_front_stats {
    unsigned long long accepted;    /* connections accepted */
    unsigned long long refused;     /* connections refused (total or per-address limit) */
    unsigned long long rejected;    /* requests refused by the parser (4xx/5xx sent by the front) */
    unsigned long long timed_out;   /* connections closed by the request deadline */
    int open;                       /* connections open now */
} http_front_stats;

void http_front_get_stats(http_front *f, http_front_stats *out);

/* Stop the thread and close every connection. NULL is allowed. */
void http_front_free(http_front *f);

/* ---- the parser, exposed for tests and the fuzzer ------------------------------------- */

typedef struct http_limits {
    size_t max_body, max_target, max_head;
    int max_headers;
} http_limits;

/* A refusal: the status, a code and message for the JSON error, the header at fault. */
typedef struct http_refusal {
    int status;                 /* 400, 408, 413, 414, 431, 501, 503, 505 */
    const char *code;           /* "bad_request", "body_too_large", ... */
    char field[64];             /* the header concerned, or "" */
    char message[256];
} http_refusal;

/* One request head, parsed. */
typedef struct http_head {
    size_t head_len;            /* bytes of the head in the input, final empty line included */
    int minor;                  /* 0: HTTP/1.0, 1: HTTP/1.1 */
    int is_head;                /* method HEAD: its answer carries no body */
    int chunked;                /* the body is chunked */
    long long content_length;   /* -1: none */
    int expect_continue;        /* Expect: 100-continue */
    char request_id[72];        /* the client's X-Request-Id when valid, else "" */
    cs_buf canon;               /* the canonical head to forward, without Content-Length and
                                 * the final empty line, which the front adds */
} http_head;

/* Parse a request head from buf[0..len). Returns 1 with *h filled (the caller frees
 * h->canon), 0 when more bytes are needed (len below the limits), -1 with *r filled. */
int http_parse_head(const char *buf, size_t len, const http_limits *lim, http_head *h, http_refusal *r);

/* A chunked body decoder, fed as bytes arrive. */
typedef struct http_chunks {
    int state;
    unsigned long long left;    /* bytes left in the current chunk */
    int digits;
} http_chunks;

/* Decode from buf[0..len) into body (at most max_body bytes). *used gets the bytes consumed.
 * Returns 1 when the last chunk and trailers are in, 0 when more are needed, -1 with *r. */
int http_chunks_feed(http_chunks *c, const char *buf, size_t len, size_t max_body, cs_buf *body, size_t *used,
                     http_refusal *r);

/* The JSON error answer for a refusal: status line, headers (Content-Type, Content-Length,
 * X-Request-Id, Connection: close) and body, appended to out. */
cs_status http_refusal_answer(const http_refusal *r, const char *request_id, cs_buf *out);

/* 1 when v is a valid request id: 1 to 64 of [A-Za-z0-9._-]. */
int http_valid_request_id(const char *v, size_t n);

#endif /* CS_HTTP_HTTP_H */
