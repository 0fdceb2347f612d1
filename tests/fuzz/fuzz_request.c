/*
 * fuzz_request.c: libFuzzer target for the API's request parser (src/serve/request.c):
 * any bytes must give either a parsed input or a 4xx problem, never a crash, a leak or
 * undefined behaviour; raw records go on through the table builder, and every problem
 * message must come out as valid JSON in the error object. `make fuzz` runs it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "serve/json.h"
#include "serve/request.h"

static const char *const names[] = {"EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "AMT_CREDIT",
                                    "DAYS_BIRTH", "BURO_DAYS_CREDIT_MEAN", "PREV_AMT_ANNUITY_MEAN", "CC_COUNT"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static api_featmap *fm;
    api_input in;
    api_problem pb;
    cs_buf b = {0};
    int st;
    if (!fm) fm = api_featmap_create(names, sizeof names / sizeof names[0], NULL);
    memset(&pb, 0, sizeof pb);
    st = api_input_parse((const char *)data, size, fm, &in, &pb);
    if (st == 0 && in.kind == API_IN_RAW) {
        tbl *t[HC_N_TABLES];
        st = api_raw_tables(in.doc, t, &pb);
        for (int k = 0; k < HC_N_TABLES; k++) tbl_free(t[k]);
    }
    if (st) {
        cJSON *doc;
        if (st < 400 || st > 599) abort();
        if (api_problem_json(&pb, "fuzz", &b, NULL) != CS_OK) abort();
        doc = cJSON_Parse(b.data);      /* the error object is always valid JSON */
        if (!doc) abort();
        cJSON_Delete(doc);
        cs_buf_free(&b);
    }
    /* the writer escapes anything into valid JSON */
    if (api_json_strn(&b, (const char *)data, size, NULL) == CS_OK) {
        cJSON *doc = cJSON_ParseWithLength(b.data, b.len);
        if (!doc || !cJSON_IsString(doc)) abort();
        cJSON_Delete(doc);
    }
    cs_buf_free(&b);
    api_input_clear(&in);
    return 0;
}
