/*
 * test_serve_jsoncheck.c: the strict JSON check request bodies pass before cJSON
 * (serve/jsoncheck.c): JSON's own numbers only, no NUL (raw or \u0000) in a string, valid
 * UTF-8 and surrogate pairs, nothing after the value, and the offset of the fault.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "serve/request.h"

static int check(const char *s)
{
    size_t off;
    const char *why;
    return api_json_check(s, strlen(s), &off, &why);
}

static void test_accepts_json(void **state)
{
    static const char *good[] = {"{}", "[]", " {\"a\": [1, -0.5, 2e10, 3E-2, 0, -0, 1.25e+3, true, false, null]} ",
                                 "{\"k\\u00e9\\n\\\"\": \"\\ud83d\\ude00 caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}", "5",
                                 "\"x\"", "{\"a\":{\"b\":{\"c\":[[[]]]}}}"};
    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) assert_int_equal(check(good[i]), 0);
}

static void test_refuses_lenient_forms(void **state)
{
    static const char *bad[] = {"{\"a\": 01}", "{\"a\": 1.}", "{\"a\": -01.5}", "{\"a\": +1}", "{\"a\": .5}", "{\"a\": 1e}",
                                "{\"a\": 0x10}", "{\"a\": NaN}", "{\"a\": Infinity}", "{\"a\": -}",
                                "{\"client_id\\u0000x\": 1}", "{\"a\": \"b\\u0000\"}", "{\"a\": \"\\ud800\"}",
                                "{\"a\": \"\\udc00\"}", "{\"a\": \"\\ud800\\u0041\"}", "{\"\xc0\xaf\": 1}",
                                "{\"a\": \"\xed\xa0\x80\"}", "{\"a\": \"\xf5\x80\x80\x80\"}", "{\"a\": \"\x80\"}",
                                "{\"a\": \"\t\"}", "{\"a\": \"\\x\"}", "{\"a\": 1,}", "[1,]", "{\"a\" 1}", "{a: 1}",
                                "{\"a\": 1} x", "{\"a\": 1}{}", "", "   ", "{\"a\": tru}", "{\"a\": \"b}"};
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (check(bad[i]) != -1) fail_msg("accepted: %s", bad[i]);
    }
    {
        /* a raw NUL byte inside a key */
        static const char nul[] = "{\"a\0b\": 1}";
        size_t off;
        const char *why;
        assert_int_equal(api_json_check(nul, sizeof nul - 1, &off, &why), -1);
        assert_int_equal(off, 3);
    }
}

static void test_depth_and_offset(void **state)
{
    char deep[200];
    size_t off;
    const char *why;
    (void)state;
    memset(deep, '[', 64);
    memset(deep + 64, ']', 64);
    assert_int_equal(api_json_check(deep, 128, &off, &why), 0);
    memset(deep, '[', 65);
    memset(deep + 65, ']', 65);
    assert_int_equal(api_json_check(deep, 130, &off, &why), -1);
    assert_int_equal(api_json_check("{\"a\": 01}", 9, &off, &why), -1);
    assert_int_equal(off, 7);
    assert_non_null(strstr(why, "leading zero"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_json),
        cmocka_unit_test(test_refuses_lenient_forms),
        cmocka_unit_test(test_depth_and_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
