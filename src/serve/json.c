/*
 * json.c: JSON writing helpers and the error object.
 */
#include "json.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid */
static size_t _utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;
    if (s[0] < 0x80) return 1;
    if ((s[0] & 0xe0) == 0xc0) { len = 2; cp = s[0] & 0x1f; }
    else if ((s[0] & 0xf0) == 0xe0) { len = 3; cp = s[0] & 0x0f; }
    else if ((s[0] & 0xf8) == 0xf0) { len = 4; cp = s[0] & 0x07; }
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

cs_status api_json_strn(cs_buf *b, const char *s, size_t len, cs_err *err)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    if (cs_buf_append(b, "\"", 1, err)) return err ? err->code : CS_ENOMEM;
    while (i < len) {
        unsigned char c = p[i];
        size_t l = c < 0x80 ? 1 : _utf8_len(p + i, len - i);
        const char *esc = NULL;
        char tmp[8];
        if (c == '"') esc = "\\\"";
        else if (c == '\\') esc = "\\\\";
        else if (c == '\n') esc = "\\n";
        else if (c == '\r') esc = "\\r";
        else if (c == '\t') esc = "\\t";
        else if (c < 0x20 || c == 0x7f) {
            snprintf(tmp, sizeof tmp, "\\u%04x", c);
            esc = tmp;
        } else if (l == 0) esc = "\xef\xbf\xbd";
        if (!esc) {
            i += l;
            run += l;
            continue;
        }
        if (run && cs_buf_append(b, s + i - run, run, err)) return CS_ENOMEM;
        run = 0;
        if (cs_buf_puts(b, esc, err)) return CS_ENOMEM;
        i++;
    }
    if (run && cs_buf_append(b, s + i - run, run, err)) return CS_ENOMEM;
    return cs_buf_append(b, "\"", 1, err);
}

cs_status api_json_str(cs_buf *b, const char *s, cs_err *err)
{
    if (!s) return cs_buf_puts(b, "null", err);
    return api_json_strn(b, s, strlen(s), err);
}

cs_status api_json_num(cs_buf *b, double v, cs_err *err)
{
    char tmp[40];
    char *comma;
    if (v != v || v - v != 0) return cs_buf_puts(b, "null", err);
    /* on the hot path: %.15g when it reads back exactly (short numbers stay short), else
     * %.17g, which always does; one strtod instead of cs_fmt_double's up to three */
    snprintf(tmp, sizeof tmp, "%.15g", v);
    if (strtod(tmp, NULL) != v) snprintf(tmp, sizeof tmp, "%.17g", v);
    if ((comma = strchr(tmp, ','))) *comma = '.';   /* a process locale with a decimal comma */
    return cs_buf_puts(b, tmp, err);
}

int api_problem_set(api_problem *p, int status, const char *code, const char *field, const char *fmt, ...)
{
    va_list ap;
    if (!p) return status;
    p->status = status;
    snprintf(p->code, sizeof p->code, "%s", code);
    snprintf(p->field, sizeof p->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof p->message, fmt, ap);
    va_end(ap);
    return status;
}

cs_status api_problem_json(const api_problem *p, const char *request_id, cs_buf *out, cs_err *err)
{
    cs_status st = cs_buf_puts(out, "{\"error\":{\"code\":", err);
    if (!st) st = api_json_str(out, p->code, err);
    if (!st) st = cs_buf_puts(out, ",\"message\":", err);
    if (!st) st = api_json_str(out, p->message, err);
    if (!st) st = cs_buf_puts(out, ",\"field\":", err);
    if (!st) st = api_json_str(out, p->field[0] ? p->field : NULL, err);
    if (!st) st = cs_buf_puts(out, ",\"request_id\":", err);
    if (!st) st = api_json_str(out, request_id, err);
    if (!st) st = cs_buf_puts(out, "}}", err);
    return st;
}
