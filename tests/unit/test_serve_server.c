/*
 * test_serve_server.c: the API's dispatcher end to end without sockets: a small model
 * built by hand (two trees over three features) and written as a model file, a clients
 * store, then every route and error through api_server_handle(), the audit log, API keys,
 * and a model reload while other threads keep scoring.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/sha256.h"
#include "explain/shap.h"
#include "model/model.h"
#include "serve/api.h"
#include "serve/state.h"
#include "store/audit.h"
#include "store/clients.h"
#include "testutil.h"

static char dir[64];
static char model_path[128], model1_path[128], model2_path[128], clients_path[128], audit_path[128], keys_path[128];
static const char *const names[3] = {"EXT_SOURCE_2", "AMT_CREDIT", "DAYS_BIRTH"};
/* the feature names the next model written carries (challengers: other orders, other names) */
static const char *const *cur_names = names;
/* the calibration the next model written carries, NULL: none (identity) */
static ev_calib *cur_calib;

/* tree 0: EXT_SOURCE_2 <= 0.5 ? (AMT_CREDIT <= 5e5 ? 0.4 : 0.9) : -0.6 (NaN goes left);
 * tree 1: DAYS_BIRTH <= -15000 ? -0.2 : 0.3 (NaN right) */
static lrn_model *make_learner(double base, double scale)
{
    lrn_model *l = lrn_model_create(LRN_GBDT, 3, NULL);
    tree_node t0[5] = {
        {0, 1, 4, 1, 0.5, 0, 100, 5}, {1, 2, 3, 0, 5e5, 0, 60, 2},
        {-1, -1, -1, 0, 0, 0.4 * scale, 40, 0}, {-1, -1, -1, 0, 0, 0.9 * scale, 20, 0},
        {-1, -1, -1, 0, 0, -0.6 * scale, 40, 0}};
    tree_node t1[3] = {{2, 1, 2, 0, -15000, 0, 100, 3}, {-1, -1, -1, 0, 0, -0.2, 50, 0}, {-1, -1, -1, 0, 0, 0.3, 50, 0}};
    assert_non_null(l);
    l->base_score = base;
    l->n_trees = 2;
    l->trees = calloc(2, sizeof *l->trees);
    l->trees[0].n_nodes = 5;
    l->trees[0].nodes = malloc(sizeof t0);
    memcpy(l->trees[0].nodes, t0, sizeof t0);
    l->trees[1].n_nodes = 3;
    l->trees[1].nodes = malloc(sizeof t1);
    memcpy(l->trees[1].nodes, t1, sizeof t1);
    return l;
}

/* 40 clients: ids 100000 + i */
static feat_matrix *make_matrix(void)
{
    feat_matrix *m = feat_matrix_create(40, 3, NULL);
    for (int j = 0; j < 3; j++) m->names[j] = strdup(cur_names[j]);
    for (int i = 0; i < 40; i++) {
        m->ids[i] = 100000 + i;
        m->target[i] = i % 4 == 0;
        m->values[0 * 40 + i] = i % 5 == 4 ? NAN : (i % 10) / 10.0;
        m->values[1 * 40 + i] = 1e5 * (i % 9);
        m->values[2 * 40 + i] = -10000 - 300.0 * i;
    }
    return m;
}

/* importance: 1 stores the global importance (mean |SHAP| over the 40 rows) as train does;
 * 0 writes a file from before it was stored */
static void write_model_imp(const char *path, const char *version, double scale, int importance)
{
    feat_matrix *fm = make_matrix();
    lrn_model *l = make_learner(-1.5, scale);
    ev_calib *cal = cur_calib ? cur_calib : ev_calib_fit(EV_CALIB_NONE, NULL, NULL, 0, NULL);
    double *prob = malloc(40 * sizeof *prob);
    size_t rows[40];
    mf_parts p;
    cs_err err = {0};
    mf_reference *ref;
    for (int i = 0; i < 40; i++) {
        double x[3] = {fm->values[i], fm->values[40 + i], fm->values[80 + i]};
        rows[i] = (size_t)i;
        prob[i] = lrn_raw_to_proba(l, lrn_predict_raw(l, x));
    }
    ref = mf_reference_build(fm, rows, 40, prob, 0.3, 20, 1, &err);
    if (!ref) fail_msg("%s", err.msg);
    memset(&p, 0, sizeof p);
    p.name = "test-gbdt";
    p.version = version;
    p.data_digest = "h64:0000000000000000";
    p.n_train = 40;
    p.positive_rate = 0.25;
    p.n_feats = 3;
    p.feat_names = cur_names;
    p.learner = l;
    p.params_json = "{}";
    p.calib = cal;
    p.threshold = 0.3;
    p.cost = EV_COST_DEFAULT;
    p.reference = ref;
    p.expected_value = -1.5;
    double imp[3];
    size_t imp_rows = 0;
    if (importance) {
        shap_explainer *ex = shap_explainer_create(l, &err);
        if (!ex || shap_importance(ex, fm, NULL, 40, 0, 0, imp, NULL, &imp_rows, &err) != CS_OK)
            fail_msg("%s", err.msg);
        shap_explainer_free(ex);
        p.importance = imp;
        p.importance_rows = imp_rows;
    }
    if (mf_write(&p, path, &err) != CS_OK) fail_msg("%s", err.msg);
    mf_reference_free(ref);
    free(prob);
    if (cal != cur_calib) ev_calib_free(cal);
    lrn_model_free(l);
    feat_matrix_free(fm);
}

static void write_model(const char *path, const char *version, double scale)
{
    write_model_imp(path, version, scale, 1);
}

static int setup(void **state)
{
    feat_matrix *fm;
    cs_err err = {0};
    (void)state;
    if (tu_mkdtemp(dir, sizeof dir, "/tmp/cs_test_serve_XXXXXX")) return -1;
    snprintf(model_path, sizeof model_path, "%s/model.csm", dir);
    snprintf(model2_path, sizeof model2_path, "%s/model2.csm", dir);
    snprintf(clients_path, sizeof clients_path, "%s/clients.db", dir);
    snprintf(audit_path, sizeof audit_path, "%s/audit.db", dir);
    snprintf(keys_path, sizeof keys_path, "%s/keys.txt", dir);
    write_model(model_path, "1", 1.0);
    write_model(model2_path, "2", 2.0);
    snprintf(model1_path, sizeof model1_path, "%s/model1.csm", dir);
    write_model(model1_path, "1", 1.0);
    fm = make_matrix();
    if (store_clients_import(clients_path, fm, NULL, 0, NULL, &err) != CS_OK) return -1;
    feat_matrix_free(fm);
    return tu_write_file(keys_path, "# test keys\ntest-key-0123456789\n");
}

static int teardown(void **state)
{
    (void)state;
    return tu_rmrf(dir);
}

static api_server *make_server(int keys)
{
    api_config cfg = api_config_default();
    cs_err err = {0};
    api_server *s;
    cfg.model_path = model_path;
    cfg.clients_path = clients_path;
    cfg.audit_path = audit_path;
    cfg.keys_path = keys ? keys_path : NULL;
    cfg.max_body = 4096;
    s = api_server_create(&cfg, &err);
    if (!s) fail_msg("%s", err.msg);
    return s;
}

/* run one request; returns the parsed body (NULL when not JSON) and sets *status */
static cJSON *call(api_server *s, const char *method, const char *path, const char *body, int *status)
{
    api_request req;
    api_response resp;
    cJSON *doc;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = path;
    req.request_id = "test-req";
    req.body = body ? body : "";
    req.body_len = body ? strlen(body) : 0;
    api_server_handle(s, &req, &resp);
    *status = resp.status;
    if (resp.static_body) doc = cJSON_ParseWithLength(resp.static_body, resp.static_len);
    else doc = resp.body.data ? cJSON_Parse(resp.body.data) : NULL;
    api_response_clear(&resp);
    return doc;
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(v)) fail_msg("member %s is not a number", k);
    return v->valuedouble;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsString(v)) fail_msg("member %s is not a string", k);
    return v->valuestring;
}

static void expect_error(api_server *s, const char *method, const char *path, const char *body, int status,
                         const char *code)
{
    int st;
    cJSON *d = call(s, method, path, body, &st);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(d, "error");
    if (st != status || !e || strcmp(str(e, "code"), code))
        fail_msg("%s %s %s: got %d %s, expected %d %s", method, path, body ? body : "", st,
                 e ? str(e, "code") : "(no error object)", status, code);
    assert_non_null(cJSON_GetObjectItemCaseSensitive(e, "message"));
    assert_non_null(cJSON_GetObjectItemCaseSensitive(e, "field"));
    cJSON_Delete(d);
}

/* run req on s and check the status, and when `has` is not NULL that the body contains it */
static void expect(api_server *s, const api_request *req, int status, const char *has)
{
    api_response resp;
    api_server_handle(s, req, &resp);
    if (resp.status != status)
        fail_msg("%s %s: got %d, expected %d", req->method, req->path, resp.status, status);
    if (has && !(resp.body.data && strstr(resp.body.data, has)))
        fail_msg("%s %s: the body lacks %s", req->method, req->path, has);
    api_response_clear(&resp);
}

static void test_predict(void **state)
{
    api_server *s = make_server(0);
    int st;
    cJSON *d;
    double x[3], p, raw;
    (void)state;
    /* client 100003: EXT 0.3 (<= .5), AMT 3e5 (<= 5e5) -> 0.4; DAYS -10900 (> -15000) -> 0.3 */
    d = call(s, "POST", "/v1/predict", "{\"client_id\": 100003}", &st);
    assert_int_equal(st, 200);
    raw = -1.5 + 0.4 + 0.3;
    p = 1 / (1 + exp(-raw));
    assert_true(fabs(num(d, "probability") - p) < 1e-12);
    assert_true(num(d, "threshold") == 0.3);
    assert_true(fabs(num(d, "distance") - (p - 0.3)) < 1e-12);
    assert_string_equal(str(d, "decision"), p >= 0.3 ? "refuse" : "approve");
    /* points: 600 at odds 19:1 good:bad, 50 to double */
    assert_true(fabs(num(d, "score") - (600 - 50 / log(2) * log(19) + 50 / log(2) * log((1 - p) / p))) < 1e-9);
    assert_true(num(d, "client_id") == 100003);
    assert_string_equal(str(cJSON_GetObjectItemCaseSensitive(d, "model"), "name"), "test-gbdt");
    assert_string_equal(str(cJSON_GetObjectItemCaseSensitive(d, "model"), "version"), "1");
    assert_string_equal(str(d, "request_id"), "test-req");
    cJSON_Delete(d);
    /* the same client by features gives the same answer */
    x[0] = 0.3;
    x[1] = 3e5;
    x[2] = -10900;
    {
        char body[256];
        snprintf(body, sizeof body, "{\"features\": {\"EXT_SOURCE_2\": %.17g, \"AMT_CREDIT\": %.17g, \"DAYS_BIRTH\": %.17g}}",
                 x[0], x[1], x[2]);
        d = call(s, "POST", "/v1/predict", body, &st);
        assert_int_equal(st, 200);
        assert_true(fabs(num(d, "probability") - p) < 1e-12);
        assert_null(cJSON_GetObjectItemCaseSensitive(d, "client_id"));
        cJSON_Delete(d);
    }
    /* missing features follow the default directions: EXT NaN -> left, AMT NaN -> right (0.9), DAYS NaN -> right */
    d = call(s, "POST", "/v1/predict", "{\"features\": {}}", &st);
    assert_int_equal(st, 200);
    assert_true(fabs(num(d, "probability") - 1 / (1 + exp(-(-1.5 + 0.9 + 0.3)))) < 1e-12);
    assert_string_equal(str(d, "decision"), "refuse");
    cJSON_Delete(d);
    api_server_free(s);
}

/* contribution of feature name in an explanation, NAN when not listed */
static double contribution_of(const cJSON *d, const char *name)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(d, "contributions"))
        if (!strcmp(str(c, "feature"), name)) return num(c, "contribution");
    return NAN;
}

static void test_explain(void **state)
{
    api_server *s = make_server(0);
    int st;
    cJSON *d;
    double raw;
    (void)state;
    /* client 100003 (refused above): raw = -1.5 + 0.4 + 0.3 */
    d = call(s, "POST", "/v1/explain", "{\"client_id\": 100003}", &st);
    assert_int_equal(st, 200);
    raw = -1.5 + 0.4 + 0.3;
    assert_string_equal(str(d, "method"), "treeshap");
    assert_true(fabs(num(d, "raw_score") - raw) < 1e-12);
    assert_true(fabs(num(d, "contributions_sum") - raw) < 1e-9);
    /* tree 1 splits DAYS_BIRTH with covers 50/50: E = 0.05, this client's leaf 0.3 -> +0.25 */
    assert_true(fabs(contribution_of(d, "DAYS_BIRTH") - 0.25) < 1e-12);
    /* expected value: base + tree 0 (0.4*40 + 0.9*20 - 0.6*40)/100 + tree 1 0.05 */
    assert_true(fabs(num(d, "expected_value") - (-1.5 + 0.1 + 0.05)) < 1e-12);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(d, "contributions")), 3);
    {
        const cJSON *rc = cJSON_GetObjectItemCaseSensitive(d, "reason_codes"), *r;
        assert_true(cJSON_GetArraySize(rc) >= 1 && cJSON_GetArraySize(rc) <= 4);
        cJSON_ArrayForEach(r, rc) {
            assert_true(num(r, "contribution") > 0);
            assert_true(strlen(str(r, "text")) > 0);
            assert_true(strlen(str(r, "code")) > 0);
        }
    }
    cJSON_Delete(d);
    /* top=1 keeps the largest |contribution|; an approved client has no reason codes */
    d = call(s, "POST", "/v1/explain", "{\"features\": {\"EXT_SOURCE_2\": 0.9, \"DAYS_BIRTH\": -20000}, \"top\": 1, \"lang\": \"fr\"}", &st);
    assert_int_equal(st, 200);
    assert_string_equal(str(d, "decision"), "approve");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(d, "contributions")), 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(d, "reason_codes")), 0);
    assert_true(fabs(num(d, "contributions_sum") - num(d, "raw_score")) < 1e-9);
    cJSON_Delete(d);
    /* global importance: the mean |SHAP| the model file carries (train's, over 40 rows) */
    d = call(s, "GET", "/v1/importance", NULL, &st);
    assert_int_equal(st, 200);
    assert_string_equal(str(d, "order"), "mean_abs_shap");
    assert_true(num(d, "shap_rows") == 40);
    {
        mf_model *mf = mf_load(model_path, NULL);
        const double *imp = mf_importance(mf, NULL);
        const cJSON *f;
        assert_non_null(imp);
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(d, "features")) {
            long j = mf_feat_index(mf, str(f, "feature"));
            assert_true(j >= 0 && num(f, "mean_abs_shap") == imp[j]);
        }
        mf_free(mf);
    }
    cJSON_Delete(d);
    api_server_free(s);
}

/* a model file from before the importance was stored: ordered by gain, nothing computed
 * at load (the mean |SHAP| is null) */
static void test_importance_without_section(void **state)
{
    char path[160];
    api_config cfg = api_config_default();
    cs_err err = {0};
    api_server *s;
    api_request req;
    api_response resp;
    cJSON *d;
    const cJSON *f, *prev = NULL;
    (void)state;
    snprintf(path, sizeof path, "%s/old.csm", dir);
    write_model_imp(path, "1", 1.0, 0);
    cfg.model_path = path;
    s = api_server_create(&cfg, &err);
    if (!s) fail_msg("%s", err.msg);
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = "/v1/importance";
    req.request_id = "i";
    api_server_handle(s, &req, &resp);
    assert_int_equal(resp.status, 200);
    d = cJSON_Parse(resp.body.data);
    assert_string_equal(str(d, "order"), "gain");
    assert_true(num(d, "shap_rows") == 0);
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(d, "features")) {
        assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(f, "mean_abs_shap")));
        if (prev) assert_true(num(prev, "gain") >= num(f, "gain"));
        prev = f;
    }
    assert_true(num(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(d, "features"), 0), "gain") > 0);
    cJSON_Delete(d);
    api_response_clear(&resp);
    api_server_free(s);
}

static void test_errors(void **state)
{
    api_server *s = make_server(0);
    char big[5000];
    (void)state;
    expect_error(s, "POST", "/v1/predict", "{\"client_id\": 1}", 404, "unknown_client");
    expect_error(s, "POST", "/v1/predict", "{\"client_id\": ", 400, "malformed_json");
    expect_error(s, "POST", "/v1/predict", "{\"client_id\": \"x\"}", 400, "wrong_type");
    expect_error(s, "POST", "/v1/predict", "{\"features\": {\"NOPE\": 1}}", 400, "unknown_feature");
    expect_error(s, "POST", "/v1/predict", "{\"features\": {\"AMT_CREDIT\": -1e400}}", 400, "non_finite");
    expect_error(s, "POST", "/v1/explain", "{\"features\": {\"AMT_CREDIT\": true}}", 400, "wrong_type");
    expect_error(s, "GET", "/v1/predict", NULL, 405, "method_not_allowed");
    expect_error(s, "PUT", "/v1/clients", NULL, 405, "method_not_allowed");
    expect_error(s, "GET", "/v2/predict", NULL, 404, "not_found");
    expect_error(s, "GET", "/v1/clients/12x", NULL, 400, "wrong_type");
    expect_error(s, "GET", "/v1/clients/5", NULL, 404, "unknown_client");
    expect_error(s, "GET", "/v1/features/NOPE/distribution", NULL, 404, "unknown_feature");
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    {
        api_request req;
        api_response resp;
        memset(&req, 0, sizeof req);
        req.method = "POST";
        req.path = "/v1/predict";
        req.request_id = "r";
        req.body = big;
        req.body_len = strlen(big);
        req.body_too_large = 1;
        expect(s, &req, 413, "\"body_too_large\"");
        req.method = "GET";
        req.path = "/v1/clients";
        req.body_too_large = 0;
        api_arg args[3] = {{"limit", "5000"}, {"offset", "-1"}, {"q", "10003"}};
        req.args = args;
        req.n_args = 1;
        expect(s, &req, 400, NULL);
        args[0].value = "3";
        req.n_args = 2;
        expect(s, &req, 400, NULL);
        args[1].value = "2";
        req.n_args = 3;
        api_server_handle(s, &req, &resp);
        assert_int_equal(resp.status, 200);
        assert_non_null(strstr(resp.body.data, "\"total\":10,"));
        assert_non_null(strstr(resp.body.data, "{\"id\":100032,"));
        api_response_clear(&resp);
    }
    api_server_free(s);
}

static void test_get_routes(void **state)
{
    api_server *s = make_server(0);
    int st;
    cJSON *d;
    (void)state;
    d = call(s, "GET", "/health", NULL, &st);
    assert_int_equal(st, 200);
    assert_string_equal(str(d, "status"), "ok");
    assert_true(num(d, "clients") == 40);
    cJSON_Delete(d);
    d = call(s, "GET", "/v1/model", NULL, &st);
    assert_int_equal(st, 200);
    assert_true(num(d, "threshold") == 0.3);
    assert_true(num(d, "n_features") == 3);
    assert_string_equal(str(d, "kind"), "gbdt");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(d, "features"), 2)->valuestring, "DAYS_BIRTH");
    cJSON_Delete(d);
    d = call(s, "GET", "/v1/importance", NULL, &st);
    assert_int_equal(st, 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(d, "features")), 3);
    cJSON_Delete(d);
    d = call(s, "GET", "/v1/features/AMT_CREDIT/distribution", NULL, &st);
    assert_int_equal(st, 200);
    {
        const cJSON *acc = cJSON_GetObjectItemCaseSensitive(d, "accepted"), *ref = cJSON_GetObjectItemCaseSensitive(d, "refused");
        double total = 0;
        assert_int_equal(cJSON_GetArraySize(acc), MF_HIST_BINS);
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(d, "edges")), MF_HIST_BINS + 1);
        for (int b = 0; b < MF_HIST_BINS; b++) total += cJSON_GetArrayItem(acc, b)->valuedouble + cJSON_GetArrayItem(ref, b)->valuedouble;
        assert_true(total == 40);   /* every training client is in one bin (AMT_CREDIT has no NaN) */
    }
    cJSON_Delete(d);
    d = call(s, "GET", "/v1/clients/100007", NULL, &st);
    assert_int_equal(st, 200);
    assert_true(num(d, "id") == 100007);
    cJSON_Delete(d);
    d = call(s, "GET", "/openapi.json", NULL, &st);
    assert_int_equal(st, 200);
    assert_string_equal(str(d, "openapi"), "3.0.3");
    assert_non_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(d, "paths"), "/v1/predict"));
    cJSON_Delete(d);
    {   /* metrics: text, counts what ran */
        api_request req;
        memset(&req, 0, sizeof req);
        req.method = "GET";
        req.path = "/metrics";
        req.request_id = "m";
        expect(s, &req, 200, "# TYPE creditscore_http_request_duration_seconds histogram");
        req.path = "/docs";
        expect(s, &req, 503, NULL);   /* no docs folder given */
    }
    api_server_free(s);
}

static void test_keys(void **state)
{
    api_server *s = make_server(1);
    api_request req;
    api_response resp;
    (void)state;
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.path = "/v1/predict";
    req.request_id = "k";
    req.body = "{\"client_id\": 100003}";
    req.body_len = strlen(req.body);
    api_server_handle(s, &req, &resp);
    assert_int_equal(resp.status, 401);
    assert_null(strstr(resp.body.data, "probability"));
    api_response_clear(&resp);
    req.api_key = "test-key-0123456788";
    expect(s, &req, 401, NULL);
    req.api_key = "test-key-0123456789";
    expect(s, &req, 200, NULL);
    /* 401 comes before any other check: a bad body without a key is still 401 */
    req.api_key = NULL;
    req.body = "{";
    req.body_len = 1;
    expect(s, &req, 401, NULL);
    req.method = "GET";
    req.path = "/metrics";
    expect(s, &req, 401, NULL);
    req.path = "/health";
    expect(s, &req, 200, NULL);
    api_server_free(s);
}

typedef struct load_arg {
    api_server *s;
    volatile int *stop;
    int n, failed, saw_v2;
} load_arg;

static void *load(void *p)
{
    load_arg *a = p;
    while (!*a->stop || a->n < 200) {
        int st;
        cJSON *d = call(a->s, "POST", "/v1/predict", "{\"client_id\": 100011}", &st);
        if (st != 200 || !d) a->failed++;
        else if (!strcmp(str(cJSON_GetObjectItemCaseSensitive(d, "model"), "version"), "2")) a->saw_v2 = 1;
        cJSON_Delete(d);
        a->n++;
    }
    return NULL;
}

static void test_reload_under_load(void **state)
{
    api_server *s = make_server(0);
    pthread_t th[3];
    load_arg a[3];
    volatile int stop = 0;
    char cmd[1024];
    cs_err err = {0};
    (void)state;
    for (int i = 0; i < 3; i++) {
        a[i] = (load_arg){s, &stop, 0, 0, 0};
        pthread_create(&th[i], NULL, load, &a[i]);
    }
    /* swap the file under the server and reload, several times, while requests run */
    for (int r = 0; r < 6; r++) {
        snprintf(cmd, sizeof cmd, "cp %s %s.new && mv %s.new %s", r % 2 ? model1_path : model2_path, model_path,
                 model_path, model_path);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(api_server_reload(s, &err), CS_OK);
        usleep(2000);
    }
    /* a broken file keeps the old model */
    {
        FILE *f = fopen(model_path, "wb");
        fputs("CSMODEL but truncated", f);
        fclose(f);
    }
    assert_int_not_equal(api_server_reload(s, &err), CS_OK);
    assert_non_null(strstr(err.msg, model_path));
    stop = 1;
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(a[i].failed, 0);
    }
    assert_true(a[0].saw_v2 || a[1].saw_v2 || a[2].saw_v2);
    api_server_free(s);
    write_model(model_path, "1", 1.0);
}

static int count_rows(const store_audit_rec *r, void *ud)
{
    (void)r;
    (*(int *)ud)++;
    return 0;
}

static int last_row(const store_audit_rec *r, void *ud)
{
    *(store_audit_rec *)ud = *r;
    return 0;
}

static void test_audit(void **state)
{
    api_server *s;
    int before = 0, after = 0, st;
    cJSON *d;
    (void)state;
    store_audit_read(audit_path, 0, 0, count_rows, &before, NULL);
    s = make_server(0);
    d = call(s, "POST", "/v1/predict", "{\"client_id\": 100001}", &st);
    cJSON_Delete(d);
    {   /* the row: digest of "client_id:100001", the answer's probability and decision */
        store_audit_rec r;
        unsigned char dg[CS_SHA256_LEN];
        char hex[2 * CS_SHA256_LEN + 1];
        api_server_free(s);
        s = NULL;
        store_audit_read(audit_path, 0, 0, last_row, &r, NULL);
        cs_sha256_digest("client_id:100001", 16, dg);
        cs_sha256_hex(dg, hex);
        assert_string_equal(r.input_digest, hex);
        assert_true(r.client_id == 100001);
        assert_string_equal(r.input_kind, "client_id");
        assert_string_equal(r.endpoint, "predict");
        assert_string_equal(r.request_id, "test-req");
        assert_string_equal(r.model_name, "test-gbdt");
        assert_string_equal(r.decision, r.probability >= r.threshold ? "refuse" : "approve");
        s = make_server(0);
    }
    d = call(s, "POST", "/v1/predict", "{\"client_id\": 1}", &st);   /* 404: not a decision */
    cJSON_Delete(d);
    d = call(s, "POST", "/v1/predict", "{\"features\": {\"AMT_CREDIT\": 1}}", &st);
    cJSON_Delete(d);
    api_server_free(s);
    store_audit_read(audit_path, 0, 0, count_rows, &after, NULL);
    assert_int_equal(after - before, 2);
}

/* ---- the challenger ------------------------------------------------------------------- */

static const char *const permuted[3] = {"DAYS_BIRTH", "EXT_SOURCE_2", "AMT_CREDIT"};
static const char *const foreign[3] = {"EXT_SOURCE_2", "AMT_CREDIT", "OWN_CAR_AGE"};

static void write_named(const char *path, const char *version, double scale, const char *const *n)
{
    cur_names = n;
    write_model_imp(path, version, scale, 0);
    cur_names = names;
}

static api_server *make_challenged(const char *challenger, const char *audit, cs_err *err)
{
    api_config cfg = api_config_default();
    cfg.model_path = model_path;
    cfg.clients_path = clients_path;
    cfg.audit_path = audit;
    cfg.challenger_path = challenger;
    return api_server_create(&cfg, err);
}

static int all_rows(const store_audit_rec *r, void *ud)
{
    store_audit_rec *out = ud;
    out[r->seq - 1] = *r;
    return r->seq >= 8;
}

static unsigned long long metric(api_server *s, const char *line_start)
{
    int st;
    api_request req;
    api_response resp;
    unsigned long long v = 0;
    const char *at;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = "/metrics";
    req.request_id = "m";
    req.body = "";
    api_server_handle(s, &req, &resp);
    st = resp.status;
    assert_int_equal(st, 200);
    {   /* the sample line (after a newline: the HELP line names the metric too) */
        char key[200];
        snprintf(key, sizeof key, "\n%s", line_start);
        at = strstr(resp.body.data, key);
        if (!at) fail_msg("/metrics lacks %s", line_start);
        v = strtoull(at + strlen(key), NULL, 10);
    }
    api_response_clear(&resp);
    return v;
}

/* A challenger on other features' order: the champion's answer unchanged, the audit row
 * holds both models' probabilities and decisions (the challenger's equal to scoring its own
 * model on its own order of the same values), /metrics counts the scored and the swaps. */
static void test_challenger_audit(void **state)
{
    char ch_path[160], a_path[160];
    cs_err err = {0};
    api_server *plain, *s;
    store_audit_rec rows[8];
    mf_model *chm;
    int st;
    unsigned long long agree = 0, to_refuse = 0, to_approve = 0;
    (void)state;
    snprintf(ch_path, sizeof ch_path, "%s/challenger.csm", dir);
    snprintf(a_path, sizeof a_path, "%s/audit_ch.db", dir);
    write_named(ch_path, "7", 1.7, permuted);
    plain = make_server(0);
    s = make_challenged(ch_path, a_path, &err);
    if (!s) fail_msg("%s", err.msg);
    chm = mf_load(ch_path, &err);
    assert_non_null(chm);
    memset(rows, 0, sizeof rows);
    for (int i = 0; i < 8; i++) {
        char body[64];
        cJSON *a, *b;
        snprintf(body, sizeof body, "{\"client_id\": %d}", 100000 + 3 * i);
        a = call(plain, "POST", "/v1/predict", body, &st);
        assert_int_equal(st, 200);
        b = call(s, "POST", "/v1/predict", body, &st);
        assert_int_equal(st, 200);
        char *ta = cJSON_PrintUnformatted(a), *tb = cJSON_PrintUnformatted(b);
        assert_string_equal(ta, tb);   /* the champion's answer, byte for byte */
        free(ta);
        free(tb);
        cJSON_Delete(a);
        cJSON_Delete(b);
    }
    if (metric(s, "creditscore_challenger_scored_total ") != 8)
        fail_msg("scored %llu, failed %llu", metric(s, "creditscore_challenger_scored_total "),
                 metric(s, "creditscore_challenger_failures_total "));
    assert_true(metric(s, "creditscore_challenger_failures_total ") == 0);
    to_refuse = metric(s, "creditscore_challenger_swaps_total{champion=\"approve\",challenger=\"refuse\"} ");
    to_approve = metric(s, "creditscore_challenger_swaps_total{champion=\"refuse\",challenger=\"approve\"} ");
    {
        cJSON *h = call(s, "GET", "/health", NULL, &st);
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(h, "challenger");
        assert_string_equal(str(c, "name"), "test-gbdt");
        assert_string_equal(str(c, "version"), "7");
        cJSON_Delete(h);
    }
    api_server_free(s);
    api_server_free(plain);
    assert_int_equal(store_audit_read(a_path, 0, 0, all_rows, rows, &err), CS_OK);
    for (int i = 0; i < 8; i++) {
        const store_audit_rec *r = &rows[i];
        int id = 100000 + 3 * i;
        /* the challenger's own order of client id's values */
        double x[3] = {-10000 - 300.0 * (id - 100000), ((id - 100000) % 5 == 4) ? NAN : ((id - 100000) % 10) / 10.0,
                       1e5 * ((id - 100000) % 9)};
        mf_decision d;
        assert_true(r->client_id == id);
        assert_int_equal(store_audit_rec_has_challenger(r), 1);
        assert_string_equal(r->challenger_name, "test-gbdt");
        assert_string_equal(r->challenger_version, "7");
        assert_int_equal(mf_score(chm, x, &d, &err), CS_OK);
        assert_true(r->challenger_probability == d.probability);
        assert_true(r->challenger_threshold == d.threshold);
        assert_string_equal(r->challenger_decision, mf_decision_word(d.refuse));
        assert_true(r->probability != r->challenger_probability);
        if (!strcmp(r->decision, r->challenger_decision)) agree++;
        else if (d.refuse) to_refuse--;
        else to_approve--;
    }
    assert_true(agree + 0 <= 8 && to_refuse == 0 && to_approve == 0);
    mf_free(chm);
}

/* A challenger needing a feature the champion lacks is refused at start, naming it; one
 * that cannot score (NaN probabilities) never fails a request: 200 from the champion, the
 * failure counted and written as 'error' in the audit row. */
static void test_challenger_refused_and_failing(void **state)
{
    char ch_path[160], a_path[160];
    cs_err err = {0};
    api_server *s;
    store_audit_rec rows[8];
    int st;
    cJSON *d;
    (void)state;
    snprintf(ch_path, sizeof ch_path, "%s/foreign.csm", dir);
    snprintf(a_path, sizeof a_path, "%s/audit_fail.db", dir);
    write_named(ch_path, "8", 1.0, foreign);
    assert_null(make_challenged(ch_path, NULL, &err));
    assert_non_null(strstr(err.msg, "OWN_CAR_AGE"));
    assert_null(make_challenged("/nonexistent/ch.csm", NULL, &err));
    assert_non_null(strstr(err.msg, "/nonexistent/ch.csm"));

    {   /* a plain isotonic calibration whose points say 1.5: loads (finite, in order), and
         * every probability it gives is out of [0, 1], which mf_score refuses */
        double yy[4] = {0, 0, 1, 1}, pp[4] = {0.1, 0.2, 0.3, 0.4};
        ev_calib *c = ev_calib_fit(EV_CALIB_ISOTONIC, yy, pp, 4, &err);
        cs_buf b = {0};
        const double *px, *py;
        size_t n;
        assert_non_null(c);
        n = ev_calib_isotonic_points(c, &px, &py);
        assert_int_equal(ev_calib_write(c, &b, &err), CS_OK);
        assert_int_equal(b.len, 24 + 16 * n);
        for (size_t i = 0; i < n; i++) {
            double v = 1.5;
            memcpy(b.data + 24 + 8 * (n + i), &v, sizeof v);
        }
        ev_calib_free(c);
        cur_calib = ev_calib_read(b.data, b.len, &err);
        cs_buf_free(&b);
        if (!cur_calib) fail_msg("%s", err.msg);
    }
    snprintf(ch_path, sizeof ch_path, "%s/bad.csm", dir);
    write_named(ch_path, "9", 1.0, names);
    ev_calib_free(cur_calib);
    cur_calib = NULL;
    memset(&err, 0, sizeof err);
    s = make_challenged(ch_path, a_path, &err);
    if (!s) fail_msg("%s", err.msg);
    d = call(s, "POST", "/v1/predict", "{\"client_id\": 100001}", &st);
    assert_int_equal(st, 200);
    assert_string_equal(str(cJSON_GetObjectItemCaseSensitive(d, "model"), "name"), "test-gbdt");
    cJSON_Delete(d);
    assert_true(metric(s, "creditscore_challenger_failures_total ") == 1);
    assert_true(metric(s, "creditscore_challenger_scored_total ") == 0);
    api_server_free(s);
    memset(rows, 0, sizeof rows);
    assert_int_equal(store_audit_read(a_path, 0, 0, all_rows, rows, &err), CS_OK);
    assert_string_equal(rows[0].challenger_decision, "error");
    assert_string_equal(rows[0].challenger_version, "9");
    assert_int_equal(store_audit_rec_has_challenger(&rows[0]), 0);
    assert_true(isnan(rows[0].challenger_probability));
    assert_string_equal(rows[0].decision, rows[0].probability >= rows[0].threshold ? "refuse" : "approve");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_predict),  cmocka_unit_test(test_explain), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_get_routes), cmocka_unit_test(test_keys),
        cmocka_unit_test(test_reload_under_load), cmocka_unit_test(test_audit),
        cmocka_unit_test(test_importance_without_section), cmocka_unit_test(test_challenger_audit),
        cmocka_unit_test(test_challenger_refused_and_failing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
