/*
 * test_dash.c: the dashboard server's pieces: path resolution never leaves the web folder
 * (.., encoded %2e%2e, absolute paths, backslashes, symlinks out), MIME types, API URL
 * parsing, and forwarding to a tiny HTTP server (Content-Length and chunked answers,
 * refused connections, timeouts); the page's weight: content ETags and If-None-Match, gzip
 * (inflated back), Accept-Encoding, index.html's versioned references, a changed file
 * rebuilt.
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

#include <zlib.h>

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

static void test_etag_and_encoding(void **state)
{
    char a[DASH_ETAG_LEN], b[DASH_ETAG_LEN];
    (void)state;
    dash_etag("abc", 3, a);
    dash_etag("abd", 3, b);
    assert_int_equal(strlen(a), 18);
    assert_true(a[0] == '"' && a[17] == '"');
    assert_string_not_equal(a, b);
    assert_string_equal(a, "\"ba7816bf8f01cfea\"");          /* SHA-256("abc") begins ba7816bf 8f01cfea */
    assert_true(dash_etag_match(a, a));
    assert_true(dash_etag_match("\"x\", W/\"ba7816bf8f01cfea\"", a));
    assert_true(dash_etag_match("*", a));
    assert_false(dash_etag_match("\"ba7816bf8f01cfe\"", a));   /* a prefix is not a match */
    assert_false(dash_etag_match(NULL, a));
    assert_true(dash_accepts_gzip("gzip, deflate, br"));
    assert_true(dash_accepts_gzip("br;q=1.0, gzip;q=0.5"));
    assert_false(dash_accepts_gzip("gzip;q=0"));
    assert_false(dash_accepts_gzip("deflate"));
    assert_false(dash_accepts_gzip("xgzip"));
    assert_false(dash_accepts_gzip(NULL));
}

static void test_gzip_roundtrip(void **state)
{
    char text[4000], *gz = NULL, back[5000];
    size_t n = 0;
    z_stream z;
    (void)state;
    for (size_t i = 0; i < sizeof text; i++) text[i] = "the page is light "[i % 18];
    assert_int_equal(dash_gzip(text, sizeof text, &gz, &n, NULL), CS_OK);
    assert_true(n < sizeof text / 10);
    assert_int_equal((unsigned char)gz[0], 0x1f);       /* the gzip magic */
    assert_int_equal((unsigned char)gz[1], 0x8b);
    memset(&z, 0, sizeof z);
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = (Bytef *)gz;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)back;
    z.avail_out = sizeof back;
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    assert_int_equal(z.total_out, sizeof text);
    inflateEnd(&z);
    assert_memory_equal(back, text, sizeof text);
    free(gz);
}

static void test_assets(void **state)
{
    char web[PATH_MAX + 8], p[PATH_MAX + 32], idx[PATH_MAX + 32], etag1[DASH_ETAG_LEN];
    dash_asset a;
    dash_assets *as;
    cs_err err = {0};
    (void)state;
    snprintf(web, sizeof web, "%s/web2", root);
    mkdir(web, 0755);
    snprintf(idx, sizeof idx, "%s/index.html", web);
    assert_int_equal(tu_write_file(idx, "<link href=\"s.css\"><script src=\"a.js\" defer></script>"
                                        "<a href=\"#main\">x</a><a href=\"https://example.org/a.js\">y</a>"
                                        "<script src=\"missing.js\"></script>"), 0);
    snprintf(p, sizeof p, "%s/a.js", web);
    assert_int_equal(tu_write_file(p, "console.log(1)"), 0);
    snprintf(p, sizeof p, "%s/s.css", web);
    assert_int_equal(tu_write_file(p, "body{}"), 0);
    assert_non_null(as = dash_assets_create(web, &err));

    /* index.html: each local file it names gets ?v= and the first 16 hex digits of its ETag;
     * fragments, other origins and missing files are left as they are */
    assert_int_equal(dash_assets_get(as, idx, &a, &err), CS_OK);
    {
        char want[64], e[DASH_ETAG_LEN];
        dash_etag("console.log(1)", 14, e);
        snprintf(want, sizeof want, "src=\"a.js?v=%.16s\"", e + 1);
        assert_non_null(strstr(a.data, want));
        dash_etag("body{}", 6, e);
        snprintf(want, sizeof want, "href=\"s.css?v=%.16s\"", e + 1);
        assert_non_null(strstr(a.data, want));
    }
    assert_non_null(strstr(a.data, "href=\"#main\""));
    assert_non_null(strstr(a.data, "href=\"https://example.org/a.js\""));
    assert_non_null(strstr(a.data, "src=\"missing.js\""));
    memcpy(etag1, a.etag, sizeof etag1);
    dash_asset_clear(&a);

    /* a changed file: a new body, a new ETag, and index.html names the new version */
    snprintf(p, sizeof p, "%s/a.js", web);
    assert_int_equal(dash_assets_get(as, p, &a, &err), CS_OK);
    assert_int_equal(a.len, 14);
    assert_null(a.gz);                                   /* too small to be worth it */
    dash_asset_clear(&a);
    assert_int_equal(tu_write_file(p, "console.log(22)"), 0);
    assert_int_equal(dash_assets_get(as, p, &a, &err), CS_OK);
    assert_int_equal(a.len, 15);
    dash_asset_clear(&a);
    assert_int_equal(dash_assets_get(as, idx, &a, &err), CS_OK);
    assert_string_not_equal(a.etag, etag1);
    dash_asset_clear(&a);

    /* a large text file is gzipped */
    {
        FILE *f;
        snprintf(p, sizeof p, "%s/big.js", web);
        assert_non_null(f = fopen(p, "w"));
        for (int i = 0; i < 2000; i++) fputs("var x = 1;\n", f);
        fclose(f);
        assert_int_equal(dash_assets_get(as, p, &a, &err), CS_OK);
        assert_non_null(a.gz);
        assert_true(a.gz_len < a.len / 5);
        dash_asset_clear(&a);
    }
    snprintf(p, sizeof p, "%s/gone.js", web);
    assert_int_not_equal(dash_assets_get(as, p, &a, &err), CS_OK);
    dash_assets_free(as);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_mime_and_url),
        cmocka_unit_test(test_forward),
        cmocka_unit_test(test_etag_and_encoding),
        cmocka_unit_test(test_gzip_roundtrip),
        cmocka_unit_test(test_assets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
