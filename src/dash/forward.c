/*
 * forward.c: the dashboard's HTTP/1.1 client towards the API: one connection per request
 * (Connection: close), timeouts on connect, send and receive, answers read to the end
 * and decoded (Content-Length, chunked, or until close).
 */
#include "dash.h"
#include "../http/http.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_RESPONSE (64u << 20)

cs_status dash_url_parse(const char *url, dash_url *out, cs_err *err)
{
    const char *p, *host_end, *path;
    size_t hlen;
    memset(out, 0, sizeof *out);
    if (strncmp(url, "http://", 7) != 0)
        return cs_err_set(err, CS_EINVAL, "API URL '%s': only http://host:port URLs are supported", url);
    p = url + 7;
    path = strchr(p, '/');
    host_end = path ? path : p + strlen(p);
    {
        const char *colon = memchr(p, ':', (size_t)(host_end - p));
        if (*p == '[') colon = NULL;    /* IPv6 literals: [::1]:8000 */
        if (*p == '[') {
            const char *rb = memchr(p, ']', (size_t)(host_end - p));
            if (!rb) return cs_err_set(err, CS_EINVAL, "API URL '%s': unterminated [", url);
            hlen = (size_t)(rb - p - 1);
            if (hlen >= sizeof out->host) return cs_err_set(err, CS_EINVAL, "API URL '%s': host too long", url);
            memcpy(out->host, p + 1, hlen);
            colon = rb[1] == ':' ? rb + 1 : NULL;
        } else {
            hlen = (size_t)((colon ? colon : host_end) - p);
            if (!hlen || hlen >= sizeof out->host) return cs_err_set(err, CS_EINVAL, "API URL '%s': bad host", url);
            memcpy(out->host, p, hlen);
        }
        out->port = 80;
        if (colon) {
            char *end;
            long port = strtol(colon + 1, &end, 10);
            if (end != host_end || port < 1 || port > 65535)
                return cs_err_set(err, CS_EINVAL, "API URL '%s': bad port", url);
            out->port = (int)port;
        }
    }
    if (path) {
        size_t plen = strlen(path);
        while (plen && path[plen - 1] == '/') plen--;
        if (plen >= sizeof out->prefix) return cs_err_set(err, CS_EINVAL, "API URL '%s': path too long", url);
        memcpy(out->prefix, path, plen);
    }
    return CS_OK;
}

static int _wait(int fd, short ev, double deadline)
{
    for (;;) {
        double left = deadline - cs_now();
        struct pollfd p = {fd, ev, 0};
        int r;
        if (left <= 0) return 0;
        r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r > 0) return 1;
        if (r == 0) return 0;
        if (errno != EINTR) return -1;
    }
}

static int _connect(const dash_url *u, double deadline, cs_err *err)
{
    struct addrinfo hints = {0}, *res = NULL, *ai;
    char port[16];
    int fd = -1, rc;

    hints.ai_socktype = SOCK_STREAM;
    snprintf(port, sizeof port, "%d", u->port);
    if ((rc = getaddrinfo(u->host, port, &hints, &res)) != 0) {
        cs_err_set(err, CS_EIO, "the API at %s:%d cannot be resolved: %s", u->host, u->port, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
        if (errno == EINPROGRESS && _wait(fd, POLLOUT, deadline) == 1 &&
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
            break;
        if (soerr) errno = soerr;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) cs_err_set(err, CS_EIO, "the API at %s:%d does not answer (%s)", u->host, u->port, strerror(errno));
    return fd;
}

static cs_status _send_all(int fd, const char *p, size_t n, double deadline, cs_err *err)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (_wait(fd, POLLOUT, deadline) != 1) return cs_err_set(err, CS_EIO, "sending to the API timed out");
        } else {
            return cs_err_set(err, CS_EIO, "sending to the API failed: %s", strerror(errno));
        }
    }
    return CS_OK;
}

/* Decode a chunked body in place; returns the decoded length or -1. */
static long _dechunk(char *b, size_t n)
{
    size_t in = 0, out = 0;
    for (;;) {
        char *end;
        unsigned long len;
        if (in >= n) return -1;
        len = strtoul(b + in, &end, 16);
        if (end == b + in) return -1;
        {
            char *crlf = memmem(b + in, n - in, "\r\n", 2);
            if (!crlf) return -1;
            in = (size_t)(crlf - b) + 2;
        }
        if (len == 0) return (long)out;
        if (len > n - in) return -1;
        memmove(b + out, b + in, len);
        out += len;
        in += len + 2;
    }
}

cs_status dash_forward(const dash_url *api, const char *method, const char *path_and_query,
                       const char *api_key, const char *request_id, const char *body,
                       size_t body_len, double timeout_s, int *status, char **resp_body,
                       size_t *resp_len, char *content_type, size_t ct_cap, cs_err *err)
{
    double deadline = cs_now() + timeout_s;
    cs_buf req = {0}, resp = {0};
    cs_status st;
    int fd;
    char *hdr_end, *p;
    long clen = -1;
    int chunked = 0;

    *resp_body = NULL;
    *resp_len = 0;
    content_type[0] = '\0';
    fd = _connect(api, deadline, err);
    if (fd < 0) return err ? err->code : CS_EIO;
    cs_buf_printf(&req, NULL, "%s %s%s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\nAccept: application/json\r\n",
                  method, api->prefix, path_and_query, api->host, api->port);
    if (api_key && *api_key) cs_buf_printf(&req, NULL, "X-API-Key: %s\r\n", api_key);
    /* only a value of the strict id characters is forwarded (no CR, LF or NUL can pass) */
    if (request_id && http_valid_request_id(request_id, strlen(request_id)))
        cs_buf_printf(&req, NULL, "X-Request-Id: %s\r\n", request_id);
    if (body_len || !strcmp(method, "POST") || !strcmp(method, "PUT"))
        cs_buf_printf(&req, NULL, "Content-Type: application/json\r\nContent-Length: %zu\r\n", body_len);
    cs_buf_puts(&req, "\r\n", NULL);
    if (!req.data) {
        close(fd);
        return cs_err_set(err, CS_ENOMEM, "out of memory");
    }
    st = _send_all(fd, req.data, req.len, deadline, err);
    if (!st && body_len) st = _send_all(fd, body, body_len, deadline, err);
    cs_buf_free(&req);
    while (!st) {
        char chunk[16384];
        ssize_t r = recv(fd, chunk, sizeof chunk, 0);
        if (r > 0) {
            if (resp.len + (size_t)r > MAX_RESPONSE) st = cs_err_set(err, CS_EIO, "the API's answer is too large");
            else st = cs_buf_append(&resp, chunk, (size_t)r, err);
        } else if (r == 0) {
            break;
        } else if (errno == EAGAIN || errno == EINTR) {
            if (_wait(fd, POLLIN, deadline) != 1) st = cs_err_set(err, CS_EIO, "the API did not answer within %.0f s", timeout_s);
        } else {
            st = cs_err_set(err, CS_EIO, "reading the API's answer failed: %s", strerror(errno));
        }
    }
    close(fd);
    if (st) {
        cs_buf_free(&resp);
        return st;
    }
    if (!resp.data || sscanf(resp.data, "HTTP/1.%*d %d", status) != 1 ||
        !(hdr_end = strstr(resp.data, "\r\n\r\n"))) {
        cs_buf_free(&resp);
        return cs_err_set(err, CS_EIO, "the API sent a malformed answer");
    }
    *hdr_end = '\0';
    for (p = strstr(resp.data, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
        char *line = p + 2;
        if (!strncasecmp(line, "Content-Type:", 13)) {
            char *v = line + 13, *e = strstr(v, "\r\n");
            size_t len;
            while (*v == ' ') v++;
            len = e ? (size_t)(e - v) : strlen(v);
            if (len >= ct_cap) len = ct_cap - 1;
            memcpy(content_type, v, len);
            content_type[len] = '\0';
        } else if (!strncasecmp(line, "Content-Length:", 15)) {
            clen = strtol(line + 15, NULL, 10);
        } else if (!strncasecmp(line, "Transfer-Encoding:", 18) && strstr(line, "chunked")) {
            chunked = 1;
        }
    }
    {
        char *b = hdr_end + 4;
        size_t n = resp.len - (size_t)(b - resp.data);
        if (chunked) {
            long d = _dechunk(b, n);
            if (d < 0) {
                cs_buf_free(&resp);
                return cs_err_set(err, CS_EIO, "the API sent a malformed chunked answer");
            }
            n = (size_t)d;
        } else if (clen >= 0) {
            if ((size_t)clen > n) {
                cs_buf_free(&resp);
                return cs_err_set(err, CS_EIO, "the API's answer was cut short");
            }
            n = (size_t)clen;
        }
        *resp_body = malloc(n + 1);
        if (!*resp_body) {
            cs_buf_free(&resp);
            return cs_err_set(err, CS_ENOMEM, "out of memory");
        }
        memcpy(*resp_body, b, n);
        (*resp_body)[n] = '\0';
        *resp_len = n;
    }
    cs_buf_free(&resp);
    return CS_OK;
}
