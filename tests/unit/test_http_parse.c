/*
 * test_http_parse.c: the front end's strict request parser (http/parse.c): the framing
 * (one Content-Length of digits, or chunked alone), the target (origin or absolute form,
 * no encoded NUL, slash or dot segment), header fields (token names, no control
 * characters), Host on HTTP/1.1, the limits (413, 414, 431, 505), the canonical head, and
 * the chunked decoder fed a byte at a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http/http.h"

static const http_limits LIM = {1024, 256, 4096, 20};

/* parse s; returns the result, *status the refusal's status (0 when accepted) */
static int parse(const char *s, size_t n, int *status, http_head *h)
{
    http_refusal r;
    int rc;
    memset(&r, 0, sizeof r);
    rc = http_parse_head(s, n, &LIM, h, &r);
    *status = rc < 0 ? r.status : 0;
    return rc;
}

static int status_of(const char *s)
{
    http_head h;
    int st, rc = parse(s, strlen(s), &st, &h);
    if (rc > 0) cs_buf_free(&h.canon);
    return rc > 0 ? 200 : rc == 0 ? 0 : st;
}

static void test_framing(void **state)
{
    (void)state;
    assert_int_equal(status_of("POST /v1/predict HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n"), 200);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n"), 400);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n"), 400);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n"), 501);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 501);
    assert_int_equal(status_of("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"), 400);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n"), 400);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1025\r\n\r\n"), 413);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1024\r\n\r\n"), 200);
}

static void test_target(void **state)
{
    (void)state;
    assert_int_equal(status_of("GET /v1/model%00.json HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    assert_int_equal(status_of("GET /%2fv1%2fmodel HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    assert_int_equal(status_of("GET /v1/%2Fmodel HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    assert_int_equal(status_of("GET /a/../b HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    assert_int_equal(status_of("GET /a/%2e%2E/b HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    assert_int_equal(status_of("GET /a/./b HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    assert_int_equal(status_of("GET /a/..b HTTP/1.1\r\nHost: a\r\n\r\n"), 200);    /* a name, not a segment */
    assert_int_equal(status_of("GET /a%5cb HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    assert_int_equal(status_of("GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    assert_int_equal(status_of("GET /a% HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    assert_int_equal(status_of("GET /a?q=%00 HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    assert_int_equal(status_of("GET /a?q=x/y%2f HTTP/1.1\r\nHost: a\r\n\r\n"), 200); /* a slash is data in a query */
    assert_int_equal(status_of("GET a HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    assert_int_equal(status_of("GET * HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    assert_int_equal(status_of("GET /a  HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    {
        /* absolute form: the path forwarded, the authority as the Host */
        const char *s = "GET http://h.example:81/v1/model?x=1 HTTP/1.1\r\nHost: other\r\nX-A: b\r\n\r\n";
        http_head h;
        int st;
        assert_int_equal(parse(s, strlen(s), &st, &h), 1);
        cs_buf_puts(&h.canon, "", NULL);
        assert_string_equal(h.canon.data, "GET /v1/model?x=1 HTTP/1.1\r\nHost: h.example:81\r\nX-A: b\r\n");
        assert_int_equal(h.head_len, strlen(s));
        cs_buf_free(&h.canon);
    }
    {
        char big[400];
        snprintf(big, sizeof big, "GET /%0300d HTTP/1.1\r\nHost: a\r\n\r\n", 0);
        assert_int_equal(status_of(big), 414);
    }
}

static void test_fields(void **state)
{
    static const char nul[] = "GET / HTTP/1.1\r\nHost: a\r\nX-API-Key: KEY\0junk\r\n\r\n";
    http_head h;
    int st;
    (void)state;
    assert_int_equal(parse(nul, sizeof nul - 1, &st, &h), -1);
    assert_int_equal(st, 400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: a\rb\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.0\r\n\r\n"), 200);
    assert_int_equal(status_of("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505);
    assert_int_equal(status_of("GET / HTTP/1.1x\r\nHost: a\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1\nHost: a\n\n"), 200);    /* bare LF line ends */
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nExpect: 3-fold\r\n\r\n"), 417);
    {
        char many[2048] = "GET / HTTP/1.1\r\nHost: a\r\n";
        for (int i = 0; i < 25; i++) strcat(many, "X-A: b\r\n");
        strcat(many, "\r\n");
        assert_int_equal(status_of(many), 431);
    }
    {
        /* an incomplete head needs more bytes, until it passes the limit */
        char big[5000];
        memset(big, 'a', sizeof big);
        memcpy(big, "GET / HTTP/1.1\r\nX-Big: ", 23);
        assert_int_equal(parse(big, 100, &st, &h), 0);
        assert_int_equal(parse(big, sizeof big, &st, &h), -1);
        assert_int_equal(st, 431);
    }
    {
        /* the canonical head: no framing or Expect fields, the request id kept */
        const char *s = "POST /p HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\nX-Request-Id: ab-1\r\nHost: a\r\n\r\n";
        assert_int_equal(parse(s, strlen(s), &st, &h), 1);
        cs_buf_puts(&h.canon, "", NULL);
        assert_string_equal(h.canon.data, "POST /p HTTP/1.1\r\nHost: a\r\nX-Request-Id: ab-1\r\n");
        assert_int_equal(h.content_length, 3);
        assert_int_equal(h.expect_continue, 1);
        assert_string_equal(h.request_id, "ab-1");
        cs_buf_free(&h.canon);
    }
    assert_true(http_valid_request_id("a-B_9.x", 7));
    assert_false(http_valid_request_id("a b", 3));
    assert_false(http_valid_request_id("", 0));
}

/* feed a chunked body one byte at a time */
static int chunks(const char *s, size_t max, cs_buf *body, int *status)
{
    http_chunks c;
    http_refusal r;
    size_t n = strlen(s), used;
    int rc = 0;
    memset(&c, 0, sizeof c);
    *status = 0;
    for (size_t i = 0; i < n; i++) {
        rc = http_chunks_feed(&c, s + i, 1, max, body, &used, &r);
        if (rc < 0) {
            *status = r.status;
            return rc;
        }
        assert_int_equal(used, 1);
        if (rc == 1) return i + 1 == n ? 1 : 2;     /* 2: bytes after the end */
    }
    return rc;
}

static void test_chunked(void **state)
{
    cs_buf b = {0};
    int st;
    (void)state;
    assert_int_equal(chunks("5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nX-T: 1\r\n\r\n", 100, &b, &st), 1);
    assert_int_equal(b.len, 11);
    assert_memory_equal(b.data, "hello world", 11);
    b.len = 0;
    assert_int_equal(chunks("zz\r\n", 100, &b, &st), -1);
    assert_int_equal(st, 400);
    b.len = 0;
    assert_int_equal(chunks("2\r\nhello\r\n", 100, &b, &st), -1);
    assert_int_equal(st, 400);
    b.len = 0;
    assert_int_equal(chunks("65\r\n", 100, &b, &st), -1);
    assert_int_equal(st, 413);
    b.len = 0;
    assert_int_equal(chunks("0\r\n\r\n", 100, &b, &st), 1);
    assert_int_equal(b.len, 0);
    cs_buf_free(&b);
}

static void test_refusal_answer(void **state)
{
    http_refusal r = {400, "bad_request", "Host", "an HTTP/1.1 request needs a \"Host\" header"};
    cs_buf out = {0};
    (void)state;
    assert_int_equal(http_refusal_answer(&r, "abc", &out), CS_OK);
    cs_buf_puts(&out, "", NULL);
    assert_non_null(strstr(out.data, "HTTP/1.1 400 Bad Request\r\n"));
    assert_non_null(strstr(out.data, "X-Request-Id: abc\r\n"));
    assert_non_null(strstr(out.data, "Connection: close\r\n"));
    assert_non_null(strstr(out.data, "{\"error\":{\"code\":\"bad_request\",\"message\":\"an HTTP/1.1 request needs a \\\"Host\\\" "
                                     "header\",\"field\":\"Host\",\"request_id\":\"abc\"}}"));
    cs_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framing), cmocka_unit_test(test_target), cmocka_unit_test(test_fields),
        cmocka_unit_test(test_chunked), cmocka_unit_test(test_refusal_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
