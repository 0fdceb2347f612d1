/*
 * test_dash.c: the dashboard server's pieces: path resolution never leaves the web folder
 * (.., encoded %2e%2e, absolute paths, backslashes, symlinks out), MIME types, API URL
 * parsing, and forwarding to a tiny HTTP server (Content-Length and chunked answers,
 * refused connections, timeouts).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dash/dash.h"
#include "testutil.h"

static char root[PATH_MAX];

static int setup(void **state)
{
    char tmpl[] = "/tmp/cs_dash_XXXXXX", p[PATH_MAX + 32];
    (void)state;
    if (!mkdtemp(tmpl) || !realpath(tmpl, root)) return -1;
    snprintf(p, sizeof p, "%s/web", root);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/web/index.html", root);
    if (tu_write_file(p, "<html></html>")) return -1;
    snprintf(p, sizeof p, "%s/web/app.js", root);
    if (tu_write_file(p, "1")) return -1;
    snprintf(p, sizeof p, "%s/secret.txt", root);
    if (tu_write_file(p, "secret")) return -1;
    snprintf(p, sizeof p, "%s/web/escape", root);
    if (symlink("../secret.txt", p) != 0) return -1;
    snprintf(p, sizeof p, "%s/web/inside", root);
    if (symlink("app.js", p) != 0) return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return tu_rmrf(root);
}

static void test_resolve(void **state)
{
    char web[PATH_MAX + 8], out[PATH_MAX];
    (void)state;
    snprintf(web, sizeof web, "%s/web", root);
    assert_int_equal(dash_resolve(web, "/", out, sizeof out), 0);
    assert_non_null(strstr(out, "/web/index.html"));
    assert_int_equal(dash_resolve(web, "/app.js", out, sizeof out), 0);
    assert_int_equal(dash_resolve(web, "/inside", out, sizeof out), 0);          /* symlink within */
    assert_int_equal(dash_resolve(web, "/nope.js", out, sizeof out), 404);
    assert_int_equal(dash_resolve(web, "/../secret.txt", out, sizeof out), 403);
    assert_int_equal(dash_resolve(web, "/%2e%2e/secret.txt", out, sizeof out), 403);
    assert_int_equal(dash_resolve(web, "/%2E%2E%2fsecret.txt", out, sizeof out), 403);
    assert_int_equal(dash_resolve(web, "/..%5csecret.txt", out, sizeof out), 403);
    assert_int_equal(dash_resolve(web, "/escape", out, sizeof out), 403);         /* symlink out */
    assert_int_equal(dash_resolve(web, "/etc/passwd", out, sizeof out), 404);     /* stays under root */
    assert_int_equal(dash_resolve(web, "etc/passwd", out, sizeof out), 403);      /* not absolute URL path */
    assert_int_equal(dash_resolve(web, "/app.js%00.html", out, sizeof out), 403);
    assert_int_equal(dash_resolve(web, "/%zz", out, sizeof out), 403);
}

static void test_mime_and_url(void **state)
{
    dash_url u;
    cs_err err = {0};
    (void)state;
    assert_string_equal(dash_mime("a/b.js"), "text/javascript; charset=utf-8");
    assert_string_equal(dash_mime("x.HTML"), "text/html; charset=utf-8");
    assert_string_equal(dash_mime("x.bin"), "application/octet-stream");
    assert_int_equal(dash_url_parse("http://127.0.0.1:8000", &u, &err), CS_OK);
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 8000);
    assert_string_equal(u.prefix, "");
    assert_int_equal(dash_url_parse("http://api.local/score/", &u, &err), CS_OK);
    assert_int_equal(u.port, 80);
    assert_string_equal(u.prefix, "/score");
    assert_int_equal(dash_url_parse("http://[::1]:9000", &u, &err), CS_OK);
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 9000);
    assert_int_equal(dash_url_parse("https://x", &u, &err), CS_EINVAL);
    assert_int_equal(dash_url_parse("http://x:99999", &u, &err), CS_EINVAL);
    assert_int_equal(dash_url_parse("http://:80", &u, &err), CS_EINVAL);
}

/* a one-shot HTTP server: answers the first connection with a fixed text */
typedef struct one_shot {
    int fd;
    const char *answer;
    char request[4096];
} one_shot;

static void *_serve_once(void *arg)
{
    one_shot *o = arg;
    int c = accept(o->fd, NULL, NULL);
    ssize_t n, got = 0;
    if (c < 0) return NULL;
    /* read until the end of the headers and the announced body */
    while ((n = recv(c, o->request + got, sizeof o->request - 1 - (size_t)got, 0)) > 0) {
        got += n;
        o->request[got] = '\0';
        char *end = strstr(o->request, "\r\n\r\n");
        if (end) {
            char *cl = strstr(o->request, "Content-Length: ");
            long want = cl ? strtol(cl + 16, NULL, 10) : 0;
            if (got - (end + 4 - o->request) >= want) break;
        }
    }
    if (o->answer) {
        if (send(c, o->answer, strlen(o->answer), 0) < 0) perror("send");
    } else {
        sleep(2);       /* never answer: the client times out */
    }
    close(c);
    return NULL;
}

static int _listen(int *port)
{
    struct sockaddr_in a = {0};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 4) || getsockname(fd, (struct sockaddr *)&a, &len))
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

static void _roundtrip(const char *answer, int expect_status, const char *expect_body, cs_status expect_st)
{
    one_shot o = {0};
    pthread_t th;
    int port, status = 0;
    char url[64], *body = NULL, ctype[64];
    size_t len = 0;
    dash_url u;
    cs_err err = {0};

    o.fd = _listen(&port);
    assert_true(o.fd >= 0);
    o.answer = answer;
    pthread_create(&th, NULL, _serve_once, &o);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/base", port);
    assert_int_equal(dash_url_parse(url, &u, &err), CS_OK);
    cs_status st = dash_forward(&u, "POST", "/v1/predict?x=1", "k3y", "req-1", "{\"a\":1}", 7, 0.5,
                                &status, &body, &len, ctype, sizeof ctype, &err);
    pthread_join(th, NULL);
    close(o.fd);
    assert_int_equal(st, expect_st);
    if (st == CS_OK) {
        assert_int_equal(status, expect_status);
        assert_string_equal(body, expect_body);
        assert_string_equal(ctype, "application/json");
        assert_non_null(strstr(o.request, "POST /base/v1/predict?x=1 HTTP/1.1\r\n"));
        assert_non_null(strstr(o.request, "X-API-Key: k3y\r\n"));
        assert_non_null(strstr(o.request, "X-Request-Id: req-1\r\n"));
        assert_non_null(strstr(o.request, "\r\n\r\n{\"a\":1}"));
    }
    free(body);
}

static void test_forward(void **state)
{
    (void)state;
    _roundtrip("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}",
               200, "{\"ok\":true}", CS_OK);
    _roundtrip("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
               "5\r\n{\"a\":\r\n3\r\n404\r\n1\r\n}\r\n0\r\n\r\n", 404, "{\"a\":404}", CS_OK);
    _roundtrip("garbage", 0, "", CS_EIO);
    _roundtrip(NULL, 0, "", CS_EIO);                    /* timeout */
    {
        /* nobody listens: refused */
        int port, fd = _listen(&port), status;
        char url[64], *body = NULL, ct[8];
        size_t len;
        dash_url u;
        cs_err err = {0};
        close(fd);
        snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
        dash_url_parse(url, &u, NULL);
        assert_int_equal(dash_forward(&u, "GET", "/health", NULL, NULL, NULL, 0, 1.0, &status, &body, &len, ct,
                                      sizeof ct, &err), CS_EIO);
        assert_non_null(strstr(err.msg, "does not answer"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_mime_and_url),
        cmocka_unit_test(test_forward),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
