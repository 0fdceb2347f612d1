/*
 * request.c: the request body parser (cJSON) and the conversion of raw records into
 * typed tables through io's table builder.
 */
#include "request.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- feature map: open addressing on cs_hash64 ------------------------------------- */

struct api_featmap {
    size_t n;
    char **names;
    size_t cap;         /* power of two */
    long *slot;         /* -1 = empty, else index into names */
};

api_featmap *api_featmap_create(const char *const *names, size_t n, cs_err *err)
{
    api_featmap *fm = cs_calloc(1, sizeof *fm, err);
    if (!fm) return NULL;
    fm->cap = 16;
    while (fm->cap < 2 * n) fm->cap *= 2;
    fm->names = cs_calloc(n ? n : 1, sizeof *fm->names, err);
    fm->slot = cs_malloc(fm->cap * sizeof *fm->slot, err);
    if (!fm->names || !fm->slot) goto fail;
    for (size_t i = 0; i < fm->cap; i++) fm->slot[i] = -1;
    for (size_t i = 0; i < n; i++) {
        size_t h;
        if (!(fm->names[i] = cs_strdup(names[i], err))) goto fail;
        fm->n = i + 1;
        h = cs_hash64(names[i], strlen(names[i]), 0) & (fm->cap - 1);
        while (fm->slot[h] >= 0) {
            if (!strcmp(fm->names[fm->slot[h]], names[i])) break;   /* duplicate: keep the first */
            h = (h + 1) & (fm->cap - 1);
        }
        if (fm->slot[h] < 0) fm->slot[h] = (long)i;
    }
    fm->n = n;
    return fm;
fail:
    api_featmap_free(fm);
    return NULL;
}

void api_featmap_free(api_featmap *fm)
{
    if (!fm) return;
    for (size_t i = 0; i < fm->n; i++) free(fm->names ? fm->names[i] : NULL);
    free(fm->names);
    free(fm->slot);
    free(fm);
}

long api_featmap_find(const api_featmap *fm, const char *name)
{
    size_t h;
    if (!fm || !name) return -1;
    h = cs_hash64(name, strlen(name), 0) & (fm->cap - 1);
    while (fm->slot[h] >= 0) {
        if (!strcmp(fm->names[fm->slot[h]], name)) return fm->slot[h];
        h = (h + 1) & (fm->cap - 1);
    }
    return -1;
}

size_t api_featmap_size(const api_featmap *fm) { return fm ? fm->n : 0; }

/* ---- body ----------------------------------------------------------------------------- */

static const char *const _raw_keys[HC_N_TABLES] = {
    [HC_APPLICATION_TRAIN] = "application",       [HC_APPLICATION_TEST] = NULL,
    [HC_BUREAU] = "bureau",                       [HC_BUREAU_BALANCE] = "bureau_balance",
    [HC_PREVIOUS_APPLICATION] = "previous_application", [HC_POS_CASH_BALANCE] = "POS_CASH_balance",
    [HC_INSTALLMENTS_PAYMENTS] = "installments_payments", [HC_CREDIT_CARD_BALANCE] = "credit_card_balance",
};

const char *api_raw_key(hc_table t)
{
    return (int)t >= 0 && t < HC_N_TABLES ? _raw_keys[t] : NULL;
}

static int _raw_table_of(const char *key)
{
    if (!key) return -1;
    for (int t = 0; t < HC_N_TABLES; t++)
        if (_raw_keys[t] && !strcmp(_raw_keys[t], key)) return t;
    return -1;
}

/* a JSON number that is an exact integer in int64 range */
static int _as_int64(const cJSON *v, int64_t *out)
{
    double d;
    if (!cJSON_IsNumber(v)) return 0;
    d = v->valuedouble;
    if (!isfinite(d) || d != floor(d) || d < -9.2e18 || d > 9.2e18) return 0;
    *out = (int64_t)d;
    return 1;
}

static const char *_type_name(const cJSON *v)
{
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    return "an invalid value";
}

void api_input_clear(api_input *in)
{
    if (!in) return;
    free(in->x);
    cJSON_Delete(in->doc);
    memset(in, 0, sizeof *in);
}

/* the line and column (1-based, counted from *line and *col) of byte off of body */
static void _line_col(const char *body, size_t off, size_t *line, size_t *col)
{
    for (size_t i = 0; i < off; i++) {
        if (body[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

static int _parse(const char *body, size_t len, const api_featmap *fm, api_input *in, api_problem *pb)
{
    cJSON *doc, *it;
    int n_kinds = 0;
    memset(in, 0, sizeof *in);
    in->top = API_TOP_DEFAULT;
    in->simulation_of = -1;
    if (len == 0) return api_problem_set(pb, 400, "malformed_json", NULL, "the request body is empty");
    const char *at = NULL;      /* cJSON's global error pointer is not thread-safe: use this one */
    {
        /* cJSON is lenient (01, 1., a \u0000 cutting a key): the strict check first */
        size_t off, line = 1, col = 1;
        const char *why;
        if (api_json_check(body, len, &off, &why)) {
            _line_col(body, off, &line, &col);
            return api_problem_set(pb, 400, "malformed_json", NULL, "body:%zu:%zu: the body is not valid JSON (%s)", line, col, why);
        }
    }
    doc = cJSON_ParseWithLengthOpts(body, len, &at, 0);
    /* the strict check passed (one JSON value, nested at most 64 deep, white space after it):
     * cJSON failing on it ran out of memory, the server's fault, not the client's */
    if (!doc) return api_problem_set(pb, 503, "overloaded", NULL, "out of memory reading the body");
    if (at) {    /* only white space may follow the value */
        const char *e = body + len;
        size_t line = 1, col = 1;
        while (at < e && (*at == ' ' || *at == '\t' || *at == '\n' || *at == '\r')) at++;
        if (at < e) {
            cJSON_Delete(doc);
            _line_col(body, (size_t)(at - body), &line, &col);
            return api_problem_set(pb, 400, "malformed_json", NULL, "body:%zu:%zu: the body is not valid JSON", line, col);
        }
    }
    in->doc = doc;
    if (!cJSON_IsObject(doc)) {
        int st = api_problem_set(pb, 400, "wrong_type", NULL, "the body must be a JSON object, not %s", _type_name(doc));
        api_input_clear(in);
        return st;
    }
    for (it = doc->child; it; it = it->next) {
        const char *k = it->string ? it->string : "";
        if (!strcmp(k, "client_id") || !strcmp(k, "features") || !strcmp(k, "records") ||
            _raw_table_of(k) == HC_APPLICATION_TRAIN)
            n_kinds++;
        else if (!strcmp(k, "top")) {
            int64_t t;
            if (!_as_int64(it, &t) || t < 1 || t > API_TOP_MAX) {
                int st = api_problem_set(pb, 400, "wrong_type", "top", "top must be an integer from 1 to %d", API_TOP_MAX);
                api_input_clear(in);
                return st;
            }
            in->top = (int)t;
        } else if (!strcmp(k, "lang")) {
            if (!cJSON_IsString(it) || (strcmp(it->valuestring, "en") && strcmp(it->valuestring, "fr"))) {
                int st = api_problem_set(pb, 400, "wrong_type", "lang", "lang must be \"en\" or \"fr\"");
                api_input_clear(in);
                return st;
            }
            in->lang = !strcmp(it->valuestring, "fr");
        } else if (!strcmp(k, "purpose")) {
            if (!cJSON_IsString(it) || (strcmp(it->valuestring, "decision") && strcmp(it->valuestring, "lookup") &&
                                        strcmp(it->valuestring, "simulation"))) {
                int st = api_problem_set(pb, 400, "wrong_type", "purpose",
                                         "purpose must be \"decision\", \"lookup\" or \"simulation\"");
                api_input_clear(in);
                return st;
            }
            in->purpose = !strcmp(it->valuestring, "decision") ? API_PURPOSE_DECISION
                          : !strcmp(it->valuestring, "lookup") ? API_PURPOSE_LOOKUP
                                                                : API_PURPOSE_SIMULATION;
            in->purpose_given = 1;
        } else if (!strcmp(k, "simulation_of")) {
            if (!_as_int64(it, &in->simulation_of) || in->simulation_of < 0) {
                int st = api_problem_set(pb, 400, "wrong_type", "simulation_of",
                                         "simulation_of must be a client id (a non-negative integer)");
                api_input_clear(in);
                return st;
            }
        } else if (_raw_table_of(k) < 0) {
            int st = api_problem_set(pb, 400, "unknown_field", k,
                                     "unknown field '%.100s' (expected client_id, features, records, or application with its tables; top, lang, purpose, simulation_of)", k);
            api_input_clear(in);
            return st;
        }
        /* duplicate keys: cJSON keeps them all; refuse rather than guess */
        for (cJSON *o = it->next; o; o = o->next)
            if (o->string && !strcmp(o->string, k)) {
                int st = api_problem_set(pb, 400, "duplicate_field", k, "field '%.100s' appears twice", k);
                api_input_clear(in);
                return st;
            }
    }
    if (n_kinds != 1) {
        int st = api_problem_set(pb, 400, n_kinds ? "ambiguous_input" : "missing_input", NULL,
                                 n_kinds ? "give exactly one of client_id, features, records or application"
                                         : "the body needs client_id, features, records or application");
        api_input_clear(in);
        return st;
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(doc, "client_id"))) {
        int64_t id;
        if (!_as_int64(it, &id)) {
            int st = api_problem_set(pb, 400, "wrong_type", "client_id", "client_id must be an integer, not %s",
                                     cJSON_IsNumber(it) ? "a fractional or out-of-range number" : _type_name(it));
            api_input_clear(in);
            return st;
        }
        for (cJSON *o = doc->child; o; o = o->next)
            if (_raw_table_of(o->string) > 0) {
                int st = api_problem_set(pb, 400, "ambiguous_input", o->string,
                                         "'%s' goes with application, not with client_id", o->string);
                api_input_clear(in);
                return st;
            }
        in->kind = API_IN_CLIENT;
        in->client_id = id;
        return 0;
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(doc, "records"))) {
        /* a recipe's raw records by table name: the shape now, the tables later (records.c) */
        if (!cJSON_IsObject(it)) {
            int st = api_problem_set(pb, 400, "wrong_type", "records",
                                     "records must be an object of tables by name, not %s", _type_name(it));
            api_input_clear(in);
            return st;
        }
        for (cJSON *o = doc->child; o; o = o->next)
            if (_raw_table_of(o->string) > 0) {
                int st = api_problem_set(pb, 400, "ambiguous_input", o->string,
                                         "'%s' goes with application, not with records", o->string);
                api_input_clear(in);
                return st;
            }
        in->kind = API_IN_RECORDS;
        return 0;
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(doc, "features"))) {
        size_t n = api_featmap_size(fm);
        char field[160];
        if (!cJSON_IsObject(it)) {
            int st = api_problem_set(pb, 400, "wrong_type", "features", "features must be an object, not %s", _type_name(it));
            api_input_clear(in);
            return st;
        }
        for (cJSON *o = doc->child; o; o = o->next)
            if (_raw_table_of(o->string) > 0) {
                int st = api_problem_set(pb, 400, "ambiguous_input", o->string,
                                         "'%s' goes with application, not with features", o->string);
                api_input_clear(in);
                return st;
            }
        in->x = malloc((n ? n : 1) * sizeof *in->x);
        if (!in->x) {
            api_input_clear(in);
            return api_problem_set(pb, 503, "overloaded", NULL, "out of memory");
        }
        for (size_t j = 0; j < n; j++) in->x[j] = NAN;
        for (cJSON *f = it->child; f; f = f->next) {
            long j = api_featmap_find(fm, f->string);
            snprintf(field, sizeof field, "features.%.140s", f->string ? f->string : "");
            if (j < 0) {
                int st = api_problem_set(pb, 400, "unknown_feature", field, "the model has no feature named '%.140s'",
                                         f->string ? f->string : "");
                api_input_clear(in);
                return st;
            }
            if (cJSON_IsNull(f)) continue;
            if (!cJSON_IsNumber(f)) {
                int st = api_problem_set(pb, 400, "wrong_type", field, "a feature value must be a number or null, not %s",
                                         _type_name(f));
                api_input_clear(in);
                return st;
            }
            if (!isfinite(f->valuedouble)) {
                int st = api_problem_set(pb, 400, "non_finite", field, "a feature value must be finite");
                api_input_clear(in);
                return st;
            }
            if (in->x[j] == in->x[j]) {
                int st = api_problem_set(pb, 400, "duplicate_field", field, "feature given twice");
                api_input_clear(in);
                return st;
            }
            in->x[j] = f->valuedouble;
            in->n_given++;
        }
        in->kind = API_IN_FEATURES;
        return 0;
    }
    /* raw records: check the shape now, convert later with api_raw_tables() */
    for (cJSON *o = doc->child; o; o = o->next) {
        int t = _raw_table_of(o->string);
        if (t < 0) continue;
        if (t == HC_APPLICATION_TRAIN) {
            if (!cJSON_IsObject(o)) {
                int st = api_problem_set(pb, 400, "wrong_type", "application", "application must be an object, not %s",
                                         _type_name(o));
                api_input_clear(in);
                return st;
            }
        } else if (!cJSON_IsArray(o)) {
            int st = api_problem_set(pb, 400, "wrong_type", o->string, "%s must be an array of records, not %s",
                                     o->string, _type_name(o));
            api_input_clear(in);
            return st;
        }
    }
    in->kind = API_IN_RAW;
    return 0;
}

int api_input_parse(const char *body, size_t len, const api_featmap *fm, api_input *in, api_problem *pb)
{
    int st = _parse(body, len, fm, in, pb);
    if (st) return st;
    if (in->simulation_of >= 0) {
        /* a what-if on a client's edited inputs is a simulation, whatever else is asked */
        if (in->kind != API_IN_FEATURES) st = api_problem_set(pb, 400, "ambiguous_input", "simulation_of",
                                                              "simulation_of goes with features (the client's inputs as edited)");
        else if (in->purpose_given && in->purpose != API_PURPOSE_SIMULATION)
            st = api_problem_set(pb, 400, "wrong_purpose", "purpose",
                                 "a what-if on a client's inputs (simulation_of) is a simulation, not a %s",
                                 in->purpose == API_PURPOSE_LOOKUP ? "lookup" : "decision");
        in->purpose = API_PURPOSE_SIMULATION;
    } else if (in->purpose == API_PURPOSE_LOOKUP && in->kind != API_IN_CLIENT) {
        st = api_problem_set(pb, 400, "wrong_purpose", "purpose",
                             "a lookup views a client of the clients store: it goes with client_id");
    }
    if (st) api_input_clear(in);
    return st;
}

/* ---- raw records -> tables ------------------------------------------------------------ */

/* one record (object) into a builder row; field paths for messages */
int api_record_row(const cJSON *rec, const tbl_schema *s, const char *path, double app_id, tbl_builder *b,
                   api_problem *pb)
{
    const char **fields = calloc((size_t)s->n_cols, sizeof *fields);
    char (*num)[40] = calloc((size_t)s->n_cols, sizeof *num);
    char field[160];
    cs_err err = {0};
    int st = 0, id_col = -1;
    if (!fields || !num) {
        free(fields);
        free(num);
        return api_problem_set(pb, 503, "overloaded", NULL, "out of memory");
    }
    if (!cJSON_IsObject(rec)) {
        st = api_problem_set(pb, 400, "wrong_type", path, "a record must be an object, not %s", _type_name(rec));
        goto done;
    }
    for (int c = 0; c < s->n_cols; c++)
        if (!strcmp(s->cols[c].name, "SK_ID_CURR")) id_col = c;
    for (const cJSON *f = rec->child; f; f = f->next) {
        int c = -1;
        for (int k = 0; k < s->n_cols; k++)
            if (f->string && !strcmp(s->cols[k].name, f->string)) c = k;
        snprintf(field, sizeof field, "%.60s.%.90s", path, f->string ? f->string : "");
        if (c < 0) {
            st = api_problem_set(pb, 400, "unknown_field", field, "%s has no column '%.90s'", s->table,
                                 f->string ? f->string : "");
            goto done;
        }
        if (fields[c]) {
            st = api_problem_set(pb, 400, "duplicate_field", field, "column given twice");
            goto done;
        }
        if (cJSON_IsNull(f)) continue;
        if (cJSON_IsNumber(f)) {
            if (!isfinite(f->valuedouble)) {
                st = api_problem_set(pb, 400, "non_finite", field, "a value must be finite");
                goto done;
            }
            cs_fmt_double(num[c], sizeof num[c], f->valuedouble);
            fields[c] = num[c];
        } else if (cJSON_IsBool(f)) {
            fields[c] = cJSON_IsTrue(f) ? "1" : "0";
        } else if (cJSON_IsString(f)) {
            fields[c] = f->valuestring;
        } else {
            st = api_problem_set(pb, 400, "wrong_type", field, "a value must be a number, a string or null, not %s",
                                 _type_name(f));
            goto done;
        }
    }
    if (id_col >= 0 && !fields[id_col] && app_id == app_id) {
        cs_fmt_double(num[id_col], sizeof num[id_col], app_id);
        fields[id_col] = num[id_col];
    }
    if (tbl_builder_add_row(b, fields, &err) != CS_OK) {
        int code = err.code == CS_ENOMEM ? 503 : 400;
        st = api_problem_set(pb, code, code == 400 ? "wrong_type" : "overloaded", path, "%s", err.msg);
    }
done:
    free(fields);
    free(num);
    return st;
}

int api_raw_tables(const cJSON *doc, tbl *out[HC_N_TABLES], api_problem *pb)
{
    const cJSON *app = cJSON_GetObjectItemCaseSensitive(doc, "application");
    double app_id = NAN;
    int st = 0;
    for (int t = 0; t < HC_N_TABLES; t++) out[t] = NULL;
    if (!cJSON_IsObject(app))
        return api_problem_set(pb, 400, app ? "wrong_type" : "missing_input", "application",
                               "raw input needs an application object");
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(app, "SK_ID_CURR");
        if (cJSON_IsNumber(id) && isfinite(id->valuedouble)) app_id = id->valuedouble;
        else if (!id || cJSON_IsNull(id)) app_id = 0;
    }
    /* a child's SK_ID_CURR names the applicant or nobody: another client's records are not
     * the applicant's (the batch path would give them to that client) */
    if (app_id == app_id && cJSON_GetObjectItemCaseSensitive(app, "SK_ID_CURR"))
        for (int t = 0; t < HC_N_TABLES; t++) {
            const cJSON *v = _raw_keys[t] && t != HC_APPLICATION_TRAIN ? cJSON_GetObjectItemCaseSensitive(doc, _raw_keys[t]) : NULL;
            int i = 0;
            if (!cJSON_IsArray(v)) continue;
            for (const cJSON *r = v->child; r; r = r->next, i++) {
                const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "SK_ID_CURR");
                if (!id || cJSON_IsNull(id)) continue;
                if (!cJSON_IsNumber(id) || id->valuedouble != app_id) {
                    char path[96];
                    snprintf(path, sizeof path, "%s[%d].SK_ID_CURR", _raw_keys[t], i);
                    return api_problem_set(pb, 400, "invalid_records", path,
                                           "%s names another client than the application's SK_ID_CURR %.0f", path, app_id);
                }
            }
        }
    for (int t = 0; t < HC_N_TABLES && !st; t++) {
        const char *key = _raw_keys[t];
        const cJSON *v;
        /* the application is read with the test schema (no TARGET) */
        const tbl_schema *s = hc_schema(t == HC_APPLICATION_TRAIN ? HC_APPLICATION_TEST : (hc_table)t);
        tbl_builder *b;
        cs_err err = {0};
        char path[96];
        if (!key || !(v = cJSON_GetObjectItemCaseSensitive(doc, key))) continue;
        if (!(b = tbl_builder_create(key, s, &err))) {
            st = api_problem_set(pb, 500, "internal", NULL, "%s", err.msg);
            break;
        }
        if (t == HC_APPLICATION_TRAIN) {
            st = api_record_row(v, s, key, app_id, b, pb);
        } else {
            int i = 0;
            for (const cJSON *r = v->child; r && !st; r = r->next, i++) {
                snprintf(path, sizeof path, "%s[%d]", key, i);
                st = api_record_row(r, s, path, app_id, b, pb);
            }
        }
        if (st) {
            tbl_builder_free(b);
            break;
        }
        if (!(out[t] = tbl_builder_finish(b, &err)))    /* out of memory is the server's fault */
            st = err.code == CS_ENOMEM ? api_problem_set(pb, 503, "overloaded", NULL, "%s", err.msg)
                                       : api_problem_set(pb, 400, "invalid_records", key, "%s", err.msg);
    }
    if (st)
        for (int t = 0; t < HC_N_TABLES; t++) {
            tbl_free(out[t]);
            out[t] = NULL;
        }
    return st;
}
