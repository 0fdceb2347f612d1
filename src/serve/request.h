/*
 * request.h: parsing and validating the body of POST /v1/predict and /v1/explain.
 * This is the code that sees untrusted bytes first, so it is what `make fuzz` exercises
 * (tests/fuzz/fuzz_request.c): any input yields either a parsed api_input or a 4xx
 * api_problem naming the field, never a crash.
 *
 * A body is a JSON object with exactly one of:
 *   {"client_id": 100002}                       a client of the clients store
 *   {"features": {"NAME": number|null, ...}}    engineered features by name (null = missing)
 *   {"application": {...}, "bureau": [...], ...} one applicant's raw Home Credit records, by table
 *   {"records": {"<table>": {...}, "<child>": [...]}} one applicant's raw records under the
 *                                               table names of the recipe the model carries
 * and optionally "top": n (1..50), the number of contributions /v1/explain returns,
 * "lang": "en" or "fr", the language of its reason codes, and what the request is, for the
 * audit log:
 *   "purpose": "decision"    a decision on the application (the default)
 *              "lookup"      a view of a stored client's decision (with client_id only)
 *              "simulation"  a what-if: the inputs are not the applicant's
 *   "simulation_of": N       (with features) the client whose inputs the features are, as
 *                            edited: always a simulation (another purpose is a 400), logged
 *                            under that client, the edited inputs checked (api_whatif_check)
 */
#ifndef CS_SERVE_REQUEST_H
#define CS_SERVE_REQUEST_H

#include "../base/cs.h"
#include "../io/tbl.h"
#include "../io/hc_schema.h"
#include "json.h"

#include <cjson/cJSON.h>

/* ---- feature names -> indices ------------------------------------------------------ */

typedef struct api_featmap api_featmap;

/* A lookup table over n names (copied). Free with api_featmap_free(). */
api_featmap *api_featmap_create(const char *const *names, size_t n, cs_err *err);
void api_featmap_free(api_featmap *fm);
/* Index of name, or -1. Thread-safe (read-only). */
long api_featmap_find(const api_featmap *fm, const char *name);
size_t api_featmap_size(const api_featmap *fm);

/* ---- the parsed input -------------------------------------------------------------- */

typedef enum api_input_kind {
    API_IN_NONE = 0,
    API_IN_CLIENT = 1,      /* client_id */
    API_IN_FEATURES = 2,    /* x */
    API_IN_RAW = 3,         /* doc holds the raw records (see api_raw_tables) */
    API_IN_RECORDS = 4      /* doc's "records" holds a recipe's raw records (records.c) */
} api_input_kind;

typedef enum api_purpose {
    API_PURPOSE_DECISION = 0,
    API_PURPOSE_LOOKUP = 1,
    API_PURPOSE_SIMULATION = 2
} api_purpose;

typedef struct api_input {
    api_input_kind kind;
    int64_t client_id;      /* API_IN_CLIENT */
    double *x;              /* API_IN_FEATURES: api_featmap_size() values, NaN when not given; owned */
    size_t n_given;         /* API_IN_FEATURES: number of features named in the request */
    int top;                /* contributions wanted by /v1/explain (default 10) */
    int lang;               /* reason codes' language: 0 English (default), 1 French ("lang": "fr") */
    api_purpose purpose;    /* "purpose" (default decision; simulation whenever simulation_of) */
    int purpose_given;      /* "purpose" was in the body */
    int64_t simulation_of;  /* "simulation_of": the client a what-if edits, else -1 */
    cJSON *doc;             /* the parsed body; owned */
} api_input;

#define API_TOP_DEFAULT 10
#define API_TOP_MAX 50

/* Parse body (len bytes, need not be NUL-terminated). fm gives the model's features
 * (used for API_IN_FEATURES). Returns 0 and fills in (release with api_input_clear), or
 * the HTTP status of the problem (400) with pb filled and in left empty. */
int api_input_parse(const char *body, size_t len, const api_featmap *fm, api_input *in, api_problem *pb);

/* The strict JSON check (jsoncheck.c, RFC 8259) api_input_parse runs before cJSON: 0 when
 * body[0..len) is one JSON value; -1 with *off the byte offset of the fault and *why what
 * is wrong (numbers such as 01, 1. or -01.5, a NUL or \u0000 in a string, invalid UTF-8,
 * lone surrogates, nesting deeper than 64). */
int api_json_check(const char *body, size_t len, size_t *off, const char **why);

/* Release what in holds and zero it. */
void api_input_clear(api_input *in);

/* The records of an API_IN_RAW input as tables, one per Home Credit table (out[t] NULL
 * for a table the request did not give; the application is required). Values may be
 * JSON numbers, strings, booleans (as 1/0) or null (missing); a field the schema does
 * not know, a non-numeric text in a numeric column or a record that is not an object is
 * a 400. Records without SK_ID_CURR get the application's. The caller frees each table
 * with tbl_free(). Returns 0 or the HTTP status with pb filled (out all NULL). */
int api_raw_tables(const cJSON *doc, tbl *out[HC_N_TABLES], api_problem *pb);

/* One record (a JSON object) of table schema s as a row of builder b: values may be numbers,
 * strings, booleans (1/0) or null; a field s does not know, a duplicate or a value of the
 * wrong kind is a 400 naming path.field. A schema column SK_ID_CURR the record lacks gets
 * app_id (unless NaN). Returns 0 or the HTTP status with pb filled. */
int api_record_row(const cJSON *rec, const tbl_schema *s, const char *path, double app_id, tbl_builder *b,
                   api_problem *pb);

/* The JSON key of a table in a raw request ("application", "bureau", ...). */
const char *api_raw_key(hc_table t);

#endif /* CS_SERVE_REQUEST_H */
