/*
 * json.h: writing JSON text into a cs_buf (strings escaped, numbers locale-independent
 * and round-trip exact) and the API's error object. Parsing is cJSON's (request.h).
 */
#ifndef CS_SERVE_JSON_H
#define CS_SERVE_JSON_H

#include "../base/cs.h"

/* Append s as a JSON string literal (quotes included): control characters, quotes and
 * backslashes escaped, invalid UTF-8 bytes replaced by U+FFFD. s NULL writes null. */
cs_status api_json_str(cs_buf *b, const char *s, cs_err *err);
/* The same for len bytes that need not be NUL-terminated. */
cs_status api_json_strn(cs_buf *b, const char *s, size_t len, cs_err *err);

/* Append a number that reads back exactly (%.15g when that suffices, else %.17g), '.' as
 * the decimal point whatever the locale; NaN and infinities (not JSON) as null. */
cs_status api_json_num(cs_buf *b, double v, cs_err *err);

/* ---- the error object -------------------------------------------------------------- */

/* What went wrong with a request: every 4xx/5xx answer is
 *   {"error": {"code": CODE, "message": MESSAGE, "field": FIELD|null, "request_id": ID}} */
typedef struct api_problem {
    int status;             /* HTTP status, 0 = no problem */
    char code[32];          /* stable machine-readable code: "malformed_json", "wrong_type", ... */
    char message[320];      /* one sentence for a person */
    char field[160];        /* JSON path of the offending field ("features.AMT_CREDIT"), "" = none */
} api_problem;

/* Fill p (printf-style message) and return status, so that parsers can
 * `return api_problem_set(pb, 400, "wrong_type", "client_id", "...")`. field may be NULL. */
int api_problem_set(api_problem *p, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Append the error object of p to out; request_id may be NULL. */
cs_status api_problem_json(const api_problem *p, const char *request_id, cs_buf *out, cs_err *err);

#endif /* CS_SERVE_JSON_H */
