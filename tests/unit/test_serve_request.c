/*
 * test_serve_request.c: unit tests of the API's pieces that need no socket and no model:
 * routing, the request body parser and its error mapping, raw records into tables, JSON
 * writing, API keys and the Prometheus metrics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "serve/json.h"
#include "serve/keys.h"
#include "serve/metrics.h"
#include "serve/request.h"
#include "serve/respond.h"
#include "serve/router.h"

static const char *const feats[] = {"AMT_CREDIT", "EXT_SOURCE_2", "BURO_DAYS_CREDIT_MEAN", "CC_COUNT"};

/* ---- routing ----------------------------------------------------------------------- */

/* query arguments: the first one given; present without a value is "" */
static void test_args(void **state)
{
    api_arg a[3] = {{"limit", "5"}, {"q", NULL}, {"limit", "7"}};
    api_request r;
    (void)state;
    memset(&r, 0, sizeof r);
    assert_null(api_request_arg(&r, "limit"));
    r.args = a;
    r.n_args = 3;
    assert_string_equal(api_request_arg(&r, "limit"), "5");
    assert_string_equal(api_request_arg(&r, "q"), "");
    assert_null(api_request_arg(&r, "offset"));
    assert_null(api_request_arg(&r, "LIMIT"));
}

static void test_routes(void **state)
{
    api_match m;
    (void)state;
    api_route_match("POST", "/v1/predict", &m);
    assert_int_equal(m.status, 0);
    assert_int_equal(m.route, API_R_PREDICT);
    api_route_match("GET", "/v1/predict", &m);
    assert_int_equal(m.status, 405);
    assert_string_equal(m.allow, "POST");
    api_route_match("DELETE", "/v1/clients/100002", &m);
    assert_int_equal(m.status, 405);
    assert_string_equal(m.allow, "GET, HEAD");
    api_route_match("GET", "/v1/clients/100002", &m);
    assert_int_equal(m.route, API_R_CLIENT);
    assert_string_equal(m.param, "100002");
    api_route_match("GET", "/v1/clients", &m);
    assert_int_equal(m.route, API_R_CLIENTS);
    api_route_match("GET", "/v1/features/EXT_SOURCE_2/distribution", &m);
    assert_int_equal(m.route, API_R_DISTRIBUTION);
    assert_string_equal(m.param, "EXT_SOURCE_2");
    api_route_match("GET", "/v1/features//distribution", &m);
    assert_int_equal(m.status, 404);
    api_route_match("GET", "/v1/clients/1/2", &m);
    assert_int_equal(m.status, 404);
    api_route_match("GET", "/v1/predictx", &m);
    assert_int_equal(m.status, 404);
    api_route_match("GET", "/docs/swagger-ui.css", &m);
    assert_int_equal(m.route, API_R_DOCS);
    assert_string_equal(m.param, "swagger-ui.css");
    api_route_match("HEAD", "/health", &m);
    assert_int_equal(m.route, API_R_HEALTH);
    /* the matched route carries its handler and its metrics label; one table for both */
    {
        static const struct { const char *method, *path; int label; } every[] = {
            {"GET", "/health", API_R_HEALTH}, {"GET", "/metrics", API_R_METRICS},
            {"GET", "/openapi.json", API_R_OPENAPI}, {"GET", "/docs", API_R_DOCS},
            {"POST", "/v1/predict", API_R_PREDICT}, {"POST", "/v1/explain", API_R_EXPLAIN},
            {"GET", "/v1/clients", API_R_CLIENTS}, {"GET", "/v1/clients/7", API_R_CLIENT},
            {"GET", "/v1/model", API_R_MODEL}, {"GET", "/v1/importance", API_R_IMPORTANCE},
            {"GET", "/v1/features/X/distribution", API_R_DISTRIBUTION},
            {"POST", "/v1/counterfactual", API_R_COUNTERFACTUAL},
            {"GET", "/v1/clients/7/history", API_R_HISTORY}, {"GET", "/v1/clients/7/similar", API_R_SIMILAR}};
        assert_int_equal(sizeof every / sizeof every[0], API_N_ROUTES);
        for (size_t i = 0; i < API_N_ROUTES; i++) {
            api_route_match(every[i].method, every[i].path, &m);
            assert_int_equal(m.status, 0);
            assert_non_null(m.entry);
            assert_non_null(m.entry->handler);
            assert_int_equal(m.entry->label, every[i].label);
            assert_int_equal(m.route, every[i].label);
            assert_non_null(api_route_names[m.route]);
        }
        api_route_match("GET", "/nope", &m);
        assert_null(m.entry);
        assert_int_equal(m.route, -1);
    }
    assert_true(api_route_is_public(API_R_HEALTH));
    assert_false(api_route_is_public(API_R_PREDICT));
    assert_false(api_route_is_public(API_R_METRICS));
}

/* ---- the body parser ----------------------------------------------------------------- */

static int parse(const char *body, api_input *in, api_problem *pb)
{
    api_featmap *fm = api_featmap_create(feats, 4, NULL);
    int st;
    assert_non_null(fm);
    memset(pb, 0, sizeof *pb);
    st = api_input_parse(body, strlen(body), fm, in, pb);
    api_featmap_free(fm);
    return st;
}

static void expect_problem(const char *body, int status, const char *code, const char *field)
{
    api_input in;
    api_problem pb;
    int st = parse(body, &in, &pb);
    if (st != status || strcmp(pb.code, code) || strcmp(pb.field, field))
        fail_msg("body %s: got %d %s field '%s' (%s), expected %d %s field '%s'", body, st, pb.code, pb.field,
                 pb.message, status, code, field);
    assert_int_equal(in.kind, API_IN_NONE);
    assert_null(in.doc);
    assert_null(in.x);
}

static void test_parse_valid(void **state)
{
    api_input in;
    api_problem pb;
    (void)state;
    assert_int_equal(parse("{\"client_id\": 100002}", &in, &pb), 0);
    assert_int_equal(in.kind, API_IN_CLIENT);
    assert_true(in.client_id == 100002);
    assert_int_equal(in.top, API_TOP_DEFAULT);
    api_input_clear(&in);

    assert_int_equal(parse("{\"features\": {\"EXT_SOURCE_2\": 0.5, \"AMT_CREDIT\": null, \"CC_COUNT\": -3e2}, \"top\": 3}",
                           &in, &pb), 0);
    assert_int_equal(in.kind, API_IN_FEATURES);
    assert_int_equal(in.n_given, 2);
    assert_true(isnan(in.x[0]));
    assert_true(in.x[1] == 0.5);
    assert_true(isnan(in.x[2]));
    assert_true(in.x[3] == -300);
    assert_int_equal(in.top, 3);
    assert_int_equal(in.lang, 0);
    api_input_clear(&in);
    assert_int_equal(parse("{\"lang\": \"fr\", \"client_id\": 5}", &in, &pb), 0);
    assert_int_equal(in.lang, 1);
    api_input_clear(&in);

    assert_int_equal(parse("{\"application\": {\"SK_ID_CURR\": 1, \"AMT_CREDIT\": 1000}, \"bureau\": []}", &in, &pb), 0);
    assert_int_equal(in.kind, API_IN_RAW);
    api_input_clear(&in);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_problem("", 400, "malformed_json", "");
    expect_problem("{\"client_id\": 1", 400, "malformed_json", "");
    expect_problem("{\"client_id\": 1} trailing", 400, "malformed_json", "");
    expect_problem("{\"features\": {\"AMT_CREDIT\": NaN}}", 400, "malformed_json", "");
    expect_problem("[1, 2]", 400, "wrong_type", "");
    expect_problem("{}", 400, "missing_input", "");
    expect_problem("{\"client_id\": \"100002\"}", 400, "wrong_type", "client_id");
    expect_problem("{\"client_id\": 1.5}", 400, "wrong_type", "client_id");
    expect_problem("{\"client_id\": 1e300}", 400, "wrong_type", "client_id");
    expect_problem("{\"client_id\": 1, \"features\": {}}", 400, "ambiguous_input", "");
    expect_problem("{\"client_id\": 1, \"client_id\": 2}", 400, "duplicate_field", "client_id");
    expect_problem("{\"client_id\": 1, \"bureau\": []}", 400, "ambiguous_input", "bureau");
    expect_problem("{\"client_id\": 1, \"colour\": 2}", 400, "unknown_field", "colour");
    expect_problem("{\"client_id\": 1, \"top\": 0}", 400, "wrong_type", "top");
    expect_problem("{\"features\": []}", 400, "wrong_type", "features");
    expect_problem("{\"client_id\": 1, \"lang\": \"de\"}", 400, "wrong_type", "lang");
    expect_problem("{\"client_id\": 1, \"lang\": 1}", 400, "wrong_type", "lang");
    expect_problem("{\"features\": {\"NOPE\": 1}}", 400, "unknown_feature", "features.NOPE");
    expect_problem("{\"features\": {\"AMT_CREDIT\": \"1\"}}", 400, "wrong_type", "features.AMT_CREDIT");
    expect_problem("{\"features\": {\"AMT_CREDIT\": 1e999}}", 400, "non_finite", "features.AMT_CREDIT");
    expect_problem("{\"features\": {\"AMT_CREDIT\": 1, \"AMT_CREDIT\": 2}}", 400, "duplicate_field", "features.AMT_CREDIT");
    expect_problem("{\"application\": [1]}", 400, "wrong_type", "application");
    expect_problem("{\"application\": {}, \"bureau\": {}}", 400, "wrong_type", "bureau");
}

static void test_parse_error_position(void **state)
{
    api_input in;
    api_problem pb;
    (void)state;
    assert_int_equal(parse("{\n  \"client_id\": 1,\n  oops\n}", &in, &pb), 400);
    assert_non_null(strstr(pb.message, "body:3:"));
}

static void test_raw_tables(void **state)
{
    api_input in;
    api_problem pb;
    tbl *t[HC_N_TABLES];
    (void)state;
    assert_int_equal(parse("{\"application\": {\"SK_ID_CURR\": 7, \"AMT_CREDIT\": 1000.5, \"CODE_GENDER\": \"F\","
                           " \"FLAG_OWN_CAR\": \"N\"},"
                           " \"bureau\": [{\"SK_ID_BUREAU\": 1, \"DAYS_CREDIT\": -100, \"CREDIT_ACTIVE\": \"Active\"},"
                           "              {\"SK_ID_BUREAU\": 2, \"DAYS_CREDIT\": -200}]}",
                           &in, &pb), 0);
    assert_int_equal(api_raw_tables(in.doc, t, &pb), 0);
    assert_non_null(t[HC_APPLICATION_TRAIN]);
    assert_int_equal(t[HC_APPLICATION_TRAIN]->n_rows, 1);
    assert_true(tbl_col(t[HC_APPLICATION_TRAIN], "AMT_CREDIT")->num[0] == 1000.5);
    assert_non_null(t[HC_BUREAU]);
    assert_int_equal(t[HC_BUREAU]->n_rows, 2);
    /* SK_ID_CURR filled from the application */
    assert_true(tbl_col(t[HC_BUREAU], "SK_ID_CURR")->num[1] == 7);
    assert_true(tbl_col(t[HC_BUREAU], "DAYS_CREDIT")->num[1] == -200);
    assert_null(t[HC_PREVIOUS_APPLICATION]);
    for (int k = 0; k < HC_N_TABLES; k++) tbl_free(t[k]);
    api_input_clear(&in);

    /* an unknown column, a text in a numeric column, a record that is not an object */
    assert_int_equal(parse("{\"application\": {\"SK_ID_CURR\": 7, \"SHOE_SIZE\": 42}}", &in, &pb), 0);
    assert_int_equal(api_raw_tables(in.doc, t, &pb), 400);
    assert_string_equal(pb.code, "unknown_field");
    assert_string_equal(pb.field, "application.SHOE_SIZE");
    for (int k = 0; k < HC_N_TABLES; k++) assert_null(t[k]);
    api_input_clear(&in);
    assert_int_equal(parse("{\"application\": {\"AMT_CREDIT\": \"lots\"}}", &in, &pb), 0);
    assert_int_equal(api_raw_tables(in.doc, t, &pb), 400);
    assert_string_equal(pb.code, "wrong_type");
    api_input_clear(&in);
    assert_int_equal(parse("{\"application\": {}, \"bureau\": [3]}", &in, &pb), 0);
    assert_int_equal(api_raw_tables(in.doc, t, &pb), 400);
    assert_string_equal(pb.field, "bureau[0]");
    api_input_clear(&in);
    assert_int_equal(parse("{\"application\": {}, \"bureau\": [{\"DAYS_CREDIT\": [1]}]}", &in, &pb), 0);
    assert_int_equal(api_raw_tables(in.doc, t, &pb), 400);
    assert_string_equal(pb.field, "bureau[0].DAYS_CREDIT");
    api_input_clear(&in);
}

/* ---- JSON writing -------------------------------------------------------------------- */

static void test_json_writing(void **state)
{
    cs_buf b = {0};
    api_problem p;
    (void)state;
    api_json_str(&b, "a\"b\\c\n\x01\xff\xc3\xa9", NULL);
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001\xef\xbf\xbd\xc3\xa9\"");
    cs_buf_free(&b);
    api_json_num(&b, 0.1, NULL);
    cs_buf_puts(&b, ",", NULL);
    api_json_num(&b, NAN, NULL);
    cs_buf_puts(&b, ",", NULL);
    api_json_num(&b, -INFINITY, NULL);
    assert_string_equal(b.data, "0.1,null,null");
    cs_buf_free(&b);
    assert_int_equal(api_problem_set(&p, 404, "unknown_client", "client_id", "no client %d", 5), 404);
    api_problem_json(&p, "abc", &b, NULL);
    assert_string_equal(b.data, "{\"error\":{\"code\":\"unknown_client\",\"message\":\"no client 5\","
                                "\"field\":\"client_id\",\"request_id\":\"abc\"}}");
    cs_buf_free(&b);
    api_problem_set(&p, 400, "malformed_json", NULL, "x");
    api_problem_json(&p, NULL, &b, NULL);
    assert_non_null(strstr(b.data, "\"field\":null"));
    cs_buf_free(&b);
}

/* ---- keys ------------------------------------------------------------------------------ */

static void test_keys(void **state)
{
    const char *text = "# keys of the demo\n  0123456789abcdef  \n\nsecond-key-of-16chars\r\n";
    cs_err err = {0};
    api_keys *k = api_keys_parse("keys.txt", text, strlen(text), &err);
    (void)state;
    assert_non_null(k);
    assert_int_equal(api_keys_count(k), 2);
    assert_true(api_keys_check(k, "0123456789abcdef", 16));
    assert_true(api_keys_check(k, "second-key-of-16chars", 21));
    assert_false(api_keys_check(k, "0123456789abcdeF", 16));
    assert_false(api_keys_check(k, "0123456789abcdef0", 17));
    assert_false(api_keys_check(k, "", 0));
    assert_false(api_keys_check(k, NULL, 0));
    assert_false(api_keys_check(NULL, "0123456789abcdef", 16));
    api_keys_free(k);
    assert_null(api_keys_parse("k", "short\n", 6, &err));
    assert_string_equal(err.msg, "k:1: key shorter than 16 characters");
    assert_null(api_keys_parse("k", "# none\n", 7, &err));
    assert_null(api_keys_parse("k", "0123456789abcdef\nwith space inside key\n", 39, &err));
    assert_non_null(strstr(err.msg, "k:2:5:"));
    assert_null(api_keys_load("/nonexistent/keys", &err));
    api_keys_free(NULL);
}

/* ---- metrics ---------------------------------------------------------------------------- */

static void test_metrics(void **state)
{
    api_metrics *m = api_metrics_create(API_N_ROUTES, api_route_names, NULL);
    cs_buf b = {0};
    (void)state;
    assert_non_null(m);
    api_metrics_observe(m, API_R_PREDICT, 200, 0.0003);
    api_metrics_observe(m, API_R_PREDICT, 200, 0.0015);
    api_metrics_observe(m, API_R_PREDICT, 404, 2.0);
    api_metrics_observe(m, -1, 999, 0.0001);
    api_metrics_decision(m, 1);
    api_metrics_decision(m, 0);
    api_metrics_decision(m, 0);
    assert_int_equal(api_metrics_render(m, &b, NULL), CS_OK);
    assert_non_null(strstr(b.data, "creditscore_http_requests_total{route=\"predict\",code=\"200\"} 2\n"));
    assert_non_null(strstr(b.data, "creditscore_http_requests_total{route=\"predict\",code=\"404\"} 1\n"));
    assert_non_null(strstr(b.data, "creditscore_http_requests_total{route=\"unmatched\",code=\"other\"} 1\n"));
    /* cumulative buckets: 0.0003 is in le=0.0005, both fast ones in le=0.002, the slow one only in +Inf */
    assert_non_null(strstr(b.data, "duration_seconds_bucket{route=\"predict\",le=\"0.00025\"} 0\n"));
    assert_non_null(strstr(b.data, "duration_seconds_bucket{route=\"predict\",le=\"0.0005\"} 1\n"));
    assert_non_null(strstr(b.data, "duration_seconds_bucket{route=\"predict\",le=\"0.002\"} 2\n"));
    assert_non_null(strstr(b.data, "duration_seconds_bucket{route=\"predict\",le=\"1\"} 2\n"));
    assert_non_null(strstr(b.data, "duration_seconds_bucket{route=\"predict\",le=\"+Inf\"} 3\n"));
    assert_non_null(strstr(b.data, "duration_seconds_count{route=\"predict\"} 3\n"));
    assert_non_null(strstr(b.data, "creditscore_decisions_total{decision=\"approve\"} 2\n"));
    assert_non_null(strstr(b.data, "creditscore_decisions_total{decision=\"refuse\"} 1\n"));
    assert_null(strstr(b.data, "route=\"health\""));
    cs_buf_free(&b);
    api_metrics_free(m);
}

static void test_featmap(void **state)
{
    const char *names[] = {"a", "b", "a", "c"};
    api_featmap *fm = api_featmap_create(names, 4, NULL);
    (void)state;
    assert_int_equal(api_featmap_find(fm, "a"), 0);   /* duplicate: the first wins */
    assert_int_equal(api_featmap_find(fm, "c"), 3);
    assert_int_equal(api_featmap_find(fm, "d"), -1);
    assert_int_equal(api_featmap_size(fm), 4);
    api_featmap_free(fm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes),           cmocka_unit_test(test_args),
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_errors),     cmocka_unit_test(test_parse_error_position),
        cmocka_unit_test(test_raw_tables),       cmocka_unit_test(test_json_writing),
        cmocka_unit_test(test_keys),             cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_featmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
