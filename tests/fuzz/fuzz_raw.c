/*
 * fuzz_raw.c: libFuzzer target for the raw-records path of the API: a JSON body with an
 * applicant's records goes through the request parser and the table builder
 * (api_raw_tables), then into the recipe engine's one-applicant path with the built-in kernel
 * recipe (feat_rdata_view_hc, feat_recipe_compute_one) exactly as POST /v1/predict does it,
 * under two specs: one derived from a fixed valid applicant
 * (so unseen categories and missing tables are exercised) and one derived from the input
 * itself. Any bytes must give a 4xx problem or features, never a crash, a leak or
 * undefined behaviour. `make fuzz` runs it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/engine.h"
#include "features/spec.h"
#include "serve/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base_json[] =
    "{\"application\": {\"SK_ID_CURR\": 1, \"AMT_CREDIT\": 400000, \"AMT_INCOME_TOTAL\": 100000,"
    " \"AMT_ANNUITY\": 20000, \"CODE_GENDER\": \"M\", \"NAME_CONTRACT_TYPE\": \"Cash loans\","
    " \"DAYS_BIRTH\": -9461, \"DAYS_EMPLOYED\": -600},"
    " \"bureau\": [{\"SK_ID_BUREAU\": 7, \"CREDIT_ACTIVE\": \"Closed\", \"DAYS_CREDIT\": -497}],"
    " \"bureau_balance\": [{\"SK_ID_BUREAU\": 7, \"MONTHS_BALANCE\": 0, \"STATUS\": \"C\"}],"
    " \"previous_application\": [{\"SK_ID_PREV\": 9, \"AMT_ANNUITY\": 9251.775,"
    " \"NAME_CONTRACT_STATUS\": \"Approved\"}],"
    " \"installments_payments\": [{\"SK_ID_PREV\": 9, \"NUM_INSTALMENT_NUMBER\": 1,"
    " \"AMT_PAYMENT\": 9251.775, \"AMT_INSTALMENT\": 9000}]}";

/* the raw tables of a JSON body, or 0 when it is not a valid raw request */
static int _tables(const api_featmap *fm, const char *body, size_t len, tbl *t[HC_N_TABLES])
{
    api_input in;
    api_problem pb;
    int st;
    memset(&pb, 0, sizeof pb);
    for (int k = 0; k < HC_N_TABLES; k++) t[k] = NULL;
    st = api_input_parse(body, len, fm, &in, &pb);
    if (st == 0 && in.kind == API_IN_RAW) st = api_raw_tables(in.doc, t, &pb);
    else if (st == 0) st = 1;
    if (st && (st < 400 || st > 599) && st != 1) abort(); /* problems are 4xx/5xx */
    api_input_clear(&in);
    if (st)
        for (int k = 0; k < HC_N_TABLES; k++) {
            tbl_free(t[k]);
            t[k] = NULL;
        }
    return st == 0;
}

static rcp_recipe *R; /* the built-in kernel recipe */

static void _features(const feat_spec *spec, tbl *const t[HC_N_TABLES])
{
    feat_rdata d;
    cs_err err = {0};
    size_t n = feat_spec_n_feats(spec);
    double *out = malloc((n + 1) * sizeof *out);
    if (!out) return;
    if (feat_rdata_view_hc(R, t, &d, &err) == CS_OK &&
        feat_recipe_compute_one(spec, &d, out, NULL, &err) != CS_OK && !err.msg[0])
        abort(); /* errors say why */
    feat_rdata_view_free(&d);
    free(out);
}

/* a spec derived from the tables t, or NULL and err */
static feat_spec *_derive(tbl *const t[HC_N_TABLES], cs_err *err)
{
    feat_rdata d;
    feat_spec *s = NULL;
    if (feat_rdata_view_hc(R, t, &d, err) == CS_OK) s = feat_recipe_spec_derive(R, &d, err);
    feat_rdata_view_free(&d);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static api_featmap *fm;
    static feat_spec *base;
    tbl *t[HC_N_TABLES];
    cs_err err = {0};
    if (!fm) {
        static const char *const names[] = {"EXT_SOURCE_1", "AMT_CREDIT"};
        fm = api_featmap_create(names, 2, NULL);
        if (!(R = feat_kernel_recipe(&err))) abort();
        if (!fm || !_tables(fm, base_json, sizeof base_json - 1, t)) abort();
        if (!(base = _derive(t, &err))) abort();
        for (int k = 0; k < HC_N_TABLES; k++) tbl_free(t[k]);
    }
    if (!_tables(fm, (const char *)data, size, t)) return 0;
    _features(base, t);
    {
        feat_spec *own = _derive(t, &err);
        if (own) _features(own, t);
        else if (!err.msg[0]) abort();
        feat_spec_free(own);
    }
    for (int k = 0; k < HC_N_TABLES; k++) tbl_free(t[k]);
    return 0;
}
