/*
 * jsoncheck.c: the strict JSON check every request body passes before cJSON reads it
 * (RFC 8259): numbers in JSON's own grammar only (no 01, 1., -01.5, +1, .5, hex, NaN),
 * strings of valid UTF-8 with the standard escapes, no NUL anywhere (an escaped \u0000
 * would cut a key or a value at the C string's end), paired surrogates, a nesting limit.
 * cJSON is lenient on all of these.
 */
#include "request.h"

#include <string.h>

#define MAX_DEPTH 64

typedef struct _jc {
    const unsigned char *p, *end, *start;
    const char *why;
} _jc;

static int _fail(_jc *c, const char *why)
{
    if (!c->why) c->why = why;
    return -1;
}

static void _ws(_jc *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) c->p++;
}

static int _hex4(_jc *c, unsigned *out)
{
    unsigned v = 0;
    if (c->end - c->p < 4) return _fail(c, "a \\u escape needs four hex digits");
    for (int i = 0; i < 4; i++) {
        unsigned char h = c->p[i];
        v <<= 4;
        if (h >= '0' && h <= '9') v |= h - '0';
        else if (h >= 'a' && h <= 'f') v |= h - 'a' + 10;
        else if (h >= 'A' && h <= 'F') v |= h - 'A' + 10;
        else return _fail(c, "a \\u escape needs four hex digits");
    }
    c->p += 4;
    *out = v;
    return 0;
}

static int _string(_jc *c)
{
    c->p++;     /* the opening quote */
    while (c->p < c->end) {
        unsigned char ch = *c->p;
        if (ch == '"') {
            c->p++;
            return 0;
        }
        if (ch < 0x20) return _fail(c, ch ? "a control character in a string (escape it)" : "a NUL in a string");
        if (ch == '\\') {
            unsigned u, lo;
            if (++c->p >= c->end) break;
            ch = *c->p++;
            if (strchr("\"\\/bfnrt", ch) && ch) continue;
            if (ch != 'u') return _fail(c, "an unknown escape in a string");
            if (_hex4(c, &u)) return -1;
            if (u == 0) return _fail(c, "an escaped NUL (\\u0000) in a string");
            if (u >= 0xDC00 && u <= 0xDFFF) return _fail(c, "a lone low surrogate in a string");
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u') return _fail(c, "a lone high surrogate in a string");
                c->p += 2;
                if (_hex4(c, &lo)) return -1;
                if (lo < 0xDC00 || lo > 0xDFFF) return _fail(c, "a high surrogate without its low one in a string");
            }
            continue;
        }
        if (ch < 0x80) {
            c->p++;
            continue;
        }
        /* UTF-8: the shortest form, no surrogates, at most U+10FFFF */
        {
            int n = ch >= 0xF0 ? 3 : ch >= 0xE0 ? 2 : ch >= 0xC0 ? 1 : -1;
            unsigned cp;
            if (n < 0 || ch > 0xF4 || c->end - c->p <= n) return _fail(c, "invalid UTF-8 in a string");
            cp = ch & (0x3F >> n);
            for (int i = 1; i <= n; i++) {
                if ((c->p[i] & 0xC0) != 0x80) return _fail(c, "invalid UTF-8 in a string");
                cp = (cp << 6) | (c->p[i] & 0x3F);
            }
            if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
                (cp >= 0xD800 && cp <= 0xDFFF))
                return _fail(c, "invalid UTF-8 in a string");
            c->p += n + 1;
        }
    }
    return _fail(c, "an unterminated string");
}

static int _digits(_jc *c)
{
    const unsigned char *s = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
    return c->p > s ? 0 : -1;
}

static int _number(_jc *c)
{
    if (*c->p == '-') c->p++;
    if (c->p >= c->end) return _fail(c, "a number needs digits");
    if (*c->p == '0') {
        c->p++;
        if (c->p < c->end && *c->p >= '0' && *c->p <= '9') return _fail(c, "a number with a leading zero");
    } else if (_digits(c)) {
        return _fail(c, "not a JSON number");
    }
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (_digits(c)) return _fail(c, "a number needs digits after '.'");
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-')) c->p++;
        if (_digits(c)) return _fail(c, "a number needs digits in its exponent");
    }
    return 0;
}

static int _value(_jc *c, int depth)
{
    _ws(c);
    if (c->p >= c->end) return _fail(c, "a value is missing");
    switch (*c->p) {
    case '"': return _string(c);
    case '{':
    case '[': {
        unsigned char close = *c->p == '{' ? '}' : ']';
        int obj = close == '}';
        if (depth >= MAX_DEPTH) return _fail(c, "nested deeper than 64 levels");
        c->p++;
        _ws(c);
        if (c->p < c->end && *c->p == close) {
            c->p++;
            return 0;
        }
        for (;;) {
            if (obj) {
                _ws(c);
                if (c->p >= c->end || *c->p != '"') return _fail(c, "an object key must be a string");
                if (_string(c)) return -1;
                _ws(c);
                if (c->p >= c->end || *c->p != ':') return _fail(c, "':' expected after an object key");
                c->p++;
            }
            if (_value(c, depth + 1)) return -1;
            _ws(c);
            if (c->p < c->end && *c->p == ',') {
                c->p++;
                continue;
            }
            if (c->p < c->end && *c->p == close) {
                c->p++;
                return 0;
            }
            return _fail(c, obj ? "',' or '}' expected" : "',' or ']' expected");
        }
    }
    case 't':
        if (c->end - c->p >= 4 && !memcmp(c->p, "true", 4)) { c->p += 4; return 0; }
        return _fail(c, "not a JSON value");
    case 'f':
        if (c->end - c->p >= 5 && !memcmp(c->p, "false", 5)) { c->p += 5; return 0; }
        return _fail(c, "not a JSON value");
    case 'n':
        if (c->end - c->p >= 4 && !memcmp(c->p, "null", 4)) { c->p += 4; return 0; }
        return _fail(c, "not a JSON value");
    default:
        if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9')) return _number(c);
        return _fail(c, "not a JSON value");
    }
}

int api_json_check(const char *body, size_t len, size_t *off, const char **why)
{
    _jc c;
    c.start = c.p = (const unsigned char *)body;
    c.end = c.p + len;
    c.why = NULL;
    if (!_value(&c, 0)) {
        _ws(&c);
        if (c.p == c.end) return 0;
        _fail(&c, "only white space may follow the value");
    }
    *off = (size_t)(c.p - c.start);
    *why = c.why;
    return -1;
}
