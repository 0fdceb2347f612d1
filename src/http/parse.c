/*
 * parse.c: the front's strict request parser (request line, target, header fields, one
 * framing), the chunked body decoder, and the JSON error answer. See http.h and
 * docs/security.md for what is accepted.
 */
#include "http.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int _refuse(http_refusal *r, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int _refuse(http_refusal *r, int status, const char *code, const char *field, const char *fmt, ...)
{
    va_list ap;
    r->status = status;
    r->code = code;
    snprintf(r->field, sizeof r->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* RFC 9110 5.6.2 tchar */
static int _tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int _hex(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* RFC 3986 pchar without '%': unreserved, sub-delims, ':' '@' */
static int _pchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr("-._~!$&'()*+,;=:@", c));
}

int http_valid_request_id(const char *v, size_t n)
{
    if (!v || n < 1 || n > 64) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
            return 0;
    }
    return 1;
}

/* The path and query of an origin-form target: every byte from the allowed sets, every
 * '%' two hex digits, and in the path no encoded NUL, '/', '\' or control character and
 * no "." or ".." segment; in the query no encoded NUL. */
static int _check_target(const char *t, size_t n, http_refusal *r)
{
    size_t i;
    char dec[4] = {0};
    size_t dn = 0;          /* decoded bytes of the segment, up to 3 (to spot "." and "..") */
    int in_query = 0;
    if (n == 0 || t[0] != '/') return _refuse(r, 400, "bad_request", NULL, "the request target must start with '/'");
    for (i = 1; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)t[i] : 0;
        if (!in_query && (i == n || c == '/' || c == '?')) {
            /* end of a segment */
            if ((dn == 1 && dec[0] == '.') || (dn == 2 && dec[0] == '.' && dec[1] == '.'))
                return _refuse(r, 400, "bad_request", NULL, "the path holds a '.' or '..' segment");
            dn = 0;
            if (c == '?') in_query = 1;
            continue;
        }
        if (i == n) break;
        if (c == '%') {
            int hi = i + 2 < n ? _hex((unsigned char)t[i + 1]) : -1, lo = hi >= 0 ? _hex((unsigned char)t[i + 2]) : -1;
            int v;
            if (hi < 0 || lo < 0) return _refuse(r, 400, "bad_request", NULL, "a '%%' in the target is not followed by two hex digits");
            v = hi * 16 + lo;
            if (v == 0) return _refuse(r, 400, "bad_request", NULL, "the target holds an encoded NUL (%%00)");
            if (!in_query) {
                if (v == '/') return _refuse(r, 400, "bad_request", NULL, "the path holds an encoded slash (%%2F)");
                if (v == '\\') return _refuse(r, 400, "bad_request", NULL, "the path holds an encoded backslash (%%5C)");
                if (v < 0x20 || v == 0x7f) return _refuse(r, 400, "bad_request", NULL, "the path holds an encoded control character");
                if (dn < 3) dec[dn] = (char)v;
                dn++;
            }
            i += 2;
            continue;
        }
        if (in_query) {
            if (!_pchar(c) && !strchr("/?[]{}|^", c))
                return _refuse(r, 400, "bad_request", NULL, "the query holds a character that must be percent-encoded (0x%02x)", c);
        } else {
            if (!_pchar(c))
                return _refuse(r, 400, "bad_request", NULL, "the path holds a character that must be percent-encoded (0x%02x)", c);
            if (dn < 3) dec[dn] = (char)c;
            dn++;
        }
    }
    return 0;
}

/* host = IP-literal / IPv4address / reg-name, [ ":" port ]: the characters only */
static int _valid_host(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=:[]%", c)))
            return 0;
    }
    return 1;
}

/* the next line of the head: [p, *eol) without its CR LF; *next after it. -1 on a bare CR */
static int _line(const char *p, const char *end, const char **eol, const char **next)
{
    const char *lf = memchr(p, '\n', (size_t)(end - p));
    const char *cr;
    if (!lf) return 0;
    *next = lf + 1;
    *eol = lf > p && lf[-1] == '\r' ? lf - 1 : lf;
    cr = memchr(p, '\r', (size_t)(*eol - p));
    return cr ? -1 : 1;
}

static int _ieq(const char *a, size_t n, const char *lit)
{
    return strlen(lit) == n && !strncasecmp(a, lit, n);
}

static int _parse_head(const char *buf, size_t len, const http_limits *lim, http_head *h, http_refusal *r)
{
    const char *p = buf, *end = buf + len, *eol, *next, *sp1, *sp2, *head_end = NULL;
    const char *tgt, *host = NULL, *auth = NULL;
    size_t tlen, hostlen = 0, authlen = 0;
    int n_host = 0, n_cl = 0, n_te = 0, n_fields = 0, rc;
    memset(h, 0, sizeof *h);
    h->content_length = -1;
    /* empty lines before the request line are ignored (RFC 9112 2.2), a few of them */
    for (int k = 0; k < 4 && p < end && (*p == '\r' || *p == '\n'); k++) {
        if (*p == '\r' && p + 1 < end && p[1] == '\n') p += 2;
        else if (*p == '\n') p++;
        else if (p + 1 >= end) return 0;
        else return _refuse(r, 400, "bad_request", NULL, "a bare CR before the request line");
    }
    /* the end of the head first: the limits hold before anything is parsed */
    for (const char *q = p; q < end; q++) {
        const char *lf = memchr(q, '\n', (size_t)(end - q));
        if (!lf) break;
        if (lf + 1 < end && lf[1] == '\n') { head_end = lf + 2; break; }
        if (lf + 2 < end && lf[1] == '\r' && lf[2] == '\n') { head_end = lf + 3; break; }
        if (lf + 1 >= end || (lf[1] == '\r' && lf + 2 >= end)) break;
        q = lf;
    }
    {
        const char *lf = memchr(p, '\n', (size_t)(end - p));
        size_t rl = lf ? (size_t)(lf - p) : (size_t)(end - p);
        if (rl > lim->max_target + 32)
            return _refuse(r, 414, "uri_too_long", NULL, "the request target is longer than %zu bytes", lim->max_target);
    }
    if (!head_end) {
        if ((size_t)(end - buf) > lim->max_head)
            return _refuse(r, 431, "headers_too_large", NULL, "the request head is larger than %zu bytes", lim->max_head);
        return 0;
    }
    if ((size_t)(head_end - buf) > lim->max_head)
        return _refuse(r, 431, "headers_too_large", NULL, "the request head is larger than %zu bytes", lim->max_head);
    h->head_len = (size_t)(head_end - buf);
    end = head_end;

    /* request-line = method SP request-target SP HTTP-version */
    if ((rc = _line(p, end, &eol, &next)) <= 0)
        return _refuse(r, 400, "bad_request", NULL, "a bare CR in the request line");
    sp1 = memchr(p, ' ', (size_t)(eol - p));
    sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
    if (!sp1 || !sp2 || sp1 == p || sp2 == sp1 + 1 || memchr(sp2 + 1, ' ', (size_t)(eol - sp2 - 1)))
        return _refuse(r, 400, "bad_request", NULL, "malformed request line (expected: METHOD SP target SP HTTP/1.1)");
    if (sp1 - p > 16) return _refuse(r, 400, "bad_request", NULL, "the method is longer than 16 characters");
    for (const char *q = p; q < sp1; q++)
        if (!_tchar((unsigned char)*q)) return _refuse(r, 400, "bad_request", NULL, "the method holds a character outside a token");
    {
        const char *v = sp2 + 1;
        size_t vn = (size_t)(eol - v);
        if (vn == 8 && !memcmp(v, "HTTP/1.1", 8)) h->minor = 1;
        else if (vn == 8 && !memcmp(v, "HTTP/1.0", 8)) h->minor = 0;
        else if (vn == 8 && !memcmp(v, "HTTP/", 5) && v[5] >= '0' && v[5] <= '9' && v[6] == '.' && v[7] >= '0' && v[7] <= '9')
            return _refuse(r, 505, "http_version_not_supported", NULL, "HTTP version %.8s is not supported (HTTP/1.1 and 1.0 are)", v);
        else return _refuse(r, 400, "bad_request", NULL, "malformed HTTP version (expected HTTP/1.1)");
    }
    h->is_head = sp1 - p == 4 && !memcmp(p, "HEAD", 4);
    tgt = sp1 + 1;
    tlen = (size_t)(sp2 - tgt);
    if (tlen > lim->max_target)
        return _refuse(r, 414, "uri_too_long", NULL, "the request target is longer than %zu bytes", lim->max_target);
    for (size_t i = 0; i < tlen; i++)
        if ((unsigned char)tgt[i] <= 0x20 || (unsigned char)tgt[i] >= 0x7f)
            return _refuse(r, 400, "bad_request", NULL, "the request target holds a byte outside visible ASCII");
    /* absolute-form: http://authority/path -> the path, the authority for the host */
    if (tlen > 7 && (!strncasecmp(tgt, "http://", 7) || (tlen > 8 && !strncasecmp(tgt, "https://", 8)))) {
        const char *a = tgt + (tgt[4] == ':' ? 7 : 8), *e = tgt + tlen, *q = a;
        while (q < e && *q != '/' && *q != '?') q++;
        auth = a;
        authlen = (size_t)(q - a);
        if (!authlen || memchr(a, '@', authlen) || !_valid_host(a, authlen))
            return _refuse(r, 400, "bad_request", NULL, "the absolute-form target has a bad authority");
        tgt = q;
        tlen = (size_t)(e - q);
    }
    if (tlen == 0 && auth) {
        tgt = "/";
        tlen = 1;
    } else if (tlen && tgt[0] == '?' && auth) {
        return _refuse(r, 400, "bad_request", NULL, "the absolute-form target has a query but no path");
    }
    if (_check_target(tgt, tlen, r)) return -1;
    if (cs_buf_append(&h->canon, p, (size_t)(sp1 - p), NULL) || cs_buf_puts(&h->canon, " ", NULL) ||
        cs_buf_append(&h->canon, tgt, tlen, NULL) || cs_buf_puts(&h->canon, h->minor ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n", NULL))
        goto nomem;
    {
        /* Host goes first; its place is kept and filled after the fields are read */
        p = next;
        size_t fields_at = h->canon.len;
        while (p < end) {
            const char *colon, *v, *ve;
            size_t nlen;
            rc = _line(p, end, &eol, &next);
            if (rc < 0) return _refuse(r, 400, "bad_request", NULL, "a bare CR in a header field");
            if (eol == p) break;    /* the empty line */
            if (*p == ' ' || *p == '\t')
                return _refuse(r, 400, "bad_request", NULL, "a folded header line (obs-fold) is not accepted");
            if (++n_fields > lim->max_headers)
                return _refuse(r, 431, "headers_too_large", NULL, "more than %d header fields", lim->max_headers);
            colon = memchr(p, ':', (size_t)(eol - p));
            if (!colon || colon == p) return _refuse(r, 400, "bad_request", NULL, "a header line without a field name and ':'");
            nlen = (size_t)(colon - p);
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(nlen < 63 ? nlen : 63), p);
            for (const char *q = p; q < colon; q++)
                if (!_tchar((unsigned char)*q))
                    return _refuse(r, 400, "bad_request", NULL,
                                   "a header field name holds a character outside a token (white space before ':'?)");
            v = colon + 1;
            ve = eol;
            while (v < ve && (*v == ' ' || *v == '\t')) v++;
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
            for (const char *q = v; q < ve; q++) {
                unsigned char c = (unsigned char)*q;
                if ((c < 0x20 && c != '\t') || c == 0x7f)
                    return _refuse(r, 400, "bad_request", name, "the value of %s holds a control character (0x%02x)", name, c);
            }
            size_t vlen = (size_t)(ve - v);
            if (_ieq(p, nlen, "Host")) {
                if (++n_host > 1) return _refuse(r, 400, "bad_request", "Host", "two Host header fields");
                if (!_valid_host(v, vlen)) return _refuse(r, 400, "bad_request", "Host", "the Host header is not a host[:port]");
                host = v;
                hostlen = vlen;
            } else if (_ieq(p, nlen, "Content-Length")) {
                unsigned long long n = 0;
                if (++n_cl > 1) return _refuse(r, 400, "bad_request", "Content-Length", "two Content-Length header fields");
                if (!vlen || vlen > 18) return _refuse(r, 400, "bad_request", "Content-Length", "Content-Length must be 1 to 18 digits");
                for (const char *q = v; q < ve; q++) {
                    if (*q < '0' || *q > '9')
                        return _refuse(r, 400, "bad_request", "Content-Length", "Content-Length must be digits only");
                    n = n * 10 + (unsigned)(*q - '0');
                }
                h->content_length = (long long)n;
            } else if (_ieq(p, nlen, "Transfer-Encoding")) {
                if (++n_te > 1)
                    return _refuse(r, 400, "bad_request", "Transfer-Encoding", "two Transfer-Encoding header fields");
                if (!h->minor)
                    return _refuse(r, 400, "bad_request", "Transfer-Encoding", "Transfer-Encoding in an HTTP/1.0 request");
                if (!_ieq(v, vlen, "chunked"))
                    return _refuse(r, 501, "not_implemented", "Transfer-Encoding",
                                   "only Transfer-Encoding: chunked is supported");
                h->chunked = 1;
            } else if (_ieq(p, nlen, "Expect")) {
                if (!_ieq(v, vlen, "100-continue"))
                    return _refuse(r, 417, "expectation_failed", "Expect", "only Expect: 100-continue is supported");
                h->expect_continue = h->minor;
            } else {
                if (_ieq(p, nlen, "X-Request-Id") && http_valid_request_id(v, vlen))
                    snprintf(h->request_id, sizeof h->request_id, "%.*s", (int)vlen, v);
                if (cs_buf_append(&h->canon, p, nlen, NULL) || cs_buf_puts(&h->canon, ": ", NULL) ||
                    cs_buf_append(&h->canon, v, vlen, NULL) || cs_buf_puts(&h->canon, "\r\n", NULL))
                    goto nomem;
            }
            p = next;
        }
        if (n_cl && n_te)
            return _refuse(r, 400, "bad_request", "Content-Length", "Content-Length and Transfer-Encoding together");
        if (h->minor == 1 && !n_host) return _refuse(r, 400, "bad_request", "Host", "an HTTP/1.1 request needs a Host header");
        if (h->content_length > 0 && (unsigned long long)h->content_length > lim->max_body)
            return _refuse(r, 413, "body_too_large", NULL, "the request body is larger than %zu bytes", lim->max_body);
        if (auth) {         /* RFC 9112 3.2.2: the target's authority replaces Host */
            host = auth;
            hostlen = authlen;
        }
        if (host) {
            /* insert "Host: ...\r\n" before the other fields */
            cs_buf tail = {0};
            if (cs_buf_append(&tail, h->canon.data + fields_at, h->canon.len - fields_at, NULL)) goto nomem;
            h->canon.len = fields_at;
            if (cs_buf_puts(&h->canon, "Host: ", NULL) || cs_buf_append(&h->canon, host, hostlen, NULL) ||
                cs_buf_puts(&h->canon, "\r\n", NULL) || (tail.len && cs_buf_append(&h->canon, tail.data, tail.len, NULL))) {
                cs_buf_free(&tail);
                goto nomem;
            }
            cs_buf_free(&tail);
        }
    }
    return 1;
nomem:
    cs_buf_free(&h->canon);
    return _refuse(r, 503, "overloaded", NULL, "out of memory");
}

/* ---- chunked bodies ------------------------------------------------------------------- */

enum { CH_SIZE, CH_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TR_START, CH_TR_LINE, CH_TR_LF, CH_END_LF, CH_DONE };

int http_chunks_feed(http_chunks *c, const char *buf, size_t len, size_t max_body, cs_buf *body, size_t *used,
                     http_refusal *r)
{
    size_t i = 0;
    *used = 0;
    while (i < len && c->state != CH_DONE) {
        unsigned char ch = (unsigned char)buf[i];
        switch (c->state) {
        case CH_SIZE: {
            int v = _hex(ch);
            if (v >= 0) {
                if (++c->digits > 15) return _refuse(r, 400, "bad_request", "Transfer-Encoding", "bad chunk: size too long");
                c->left = c->left * 16 + (unsigned)v;
                i++;
                break;
            }
            if (!c->digits) return _refuse(r, 400, "bad_request", "Transfer-Encoding", "bad chunk: no hexadecimal size");
            if (c->left > max_body || body->len + c->left > max_body)
                return _refuse(r, 413, "body_too_large", NULL, "the request body is larger than %zu bytes", max_body);
            if (ch == ';' || ch == ' ' || ch == '\t') c->state = CH_EXT;
            else if (ch == '\r') c->state = CH_SIZE_LF;
            else if (ch == '\n') c->state = c->left ? CH_DATA : CH_TR_START;
            else return _refuse(r, 400, "bad_request", "Transfer-Encoding", "bad chunk: a size followed by 0x%02x", ch);
            i++;
            break;
        }
        case CH_EXT:    /* chunk extensions: visible characters, ignored */
            if (ch == '\r') c->state = CH_SIZE_LF;
            else if (ch == '\n') c->state = c->left ? CH_DATA : CH_TR_START;
            else if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
                return _refuse(r, 400, "bad_request", "Transfer-Encoding", "bad chunk: a control character in an extension");
            i++;
            break;
        case CH_SIZE_LF:
            if (ch != '\n') return _refuse(r, 400, "bad_request", "Transfer-Encoding", "bad chunk: CR without LF after the size");
            c->state = c->left ? CH_DATA : CH_TR_START;
            i++;
            break;
        case CH_DATA: {
            size_t k = len - i < c->left ? len - i : (size_t)c->left;
            if (cs_buf_append(body, buf + i, k, NULL)) return _refuse(r, 503, "overloaded", NULL, "out of memory");
            c->left -= k;
            i += k;
            if (!c->left) c->state = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:
            if (ch == '\r') c->state = CH_DATA_LF;
            else if (ch == '\n') c->state = CH_SIZE, c->digits = 0;
            else return _refuse(r, 400, "bad_request", "Transfer-Encoding", "bad chunk: the data is longer than its size");
            i++;
            break;
        case CH_DATA_LF:
            if (ch != '\n') return _refuse(r, 400, "bad_request", "Transfer-Encoding", "bad chunk: CR without LF after the data");
            c->state = CH_SIZE;
            c->digits = 0;
            i++;
            break;
        case CH_TR_START:   /* a trailer field, or the final empty line */
            if (ch == '\r') c->state = CH_END_LF;
            else if (ch == '\n') c->state = CH_DONE;
            else if (ch == ' ' || ch == '\t' || !_tchar(ch))
                return _refuse(r, 400, "bad_request", "Transfer-Encoding", "bad chunk: a malformed trailer field");
            else c->state = CH_TR_LINE, c->digits = 0;
            i++;
            break;
        case CH_TR_LINE:
            if (++c->digits > 8192) return _refuse(r, 431, "headers_too_large", NULL, "a trailer field is too long");
            if (ch == '\r') c->state = CH_TR_LF;
            else if (ch == '\n') c->state = CH_TR_START;
            else if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
                return _refuse(r, 400, "bad_request", "Transfer-Encoding", "bad chunk: a control character in a trailer");
            i++;
            break;
        case CH_TR_LF:
            if (ch != '\n') return _refuse(r, 400, "bad_request", "Transfer-Encoding", "bad chunk: a bare CR in a trailer");
            c->state = CH_TR_START;
            i++;
            break;
        case CH_END_LF:
            if (ch != '\n') return _refuse(r, 400, "bad_request", "Transfer-Encoding", "bad chunk: a bare CR at the end");
            c->state = CH_DONE;
            i++;
            break;
        }
    }
    *used = i;
    return c->state == CH_DONE;
}

/* ---- the JSON error ------------------------------------------------------------------- */

static const char *_reason(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

static void _json_str(cs_buf *b, const char *s)
{
    cs_buf_puts(b, "\"", NULL);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') cs_buf_printf(b, NULL, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f) cs_buf_printf(b, NULL, "\\u%04x", c);
        else cs_buf_append(b, s, 1, NULL);
    }
    cs_buf_puts(b, "\"", NULL);
}

cs_status http_refusal_answer(const http_refusal *r, const char *request_id, cs_buf *out)
{
    cs_buf body = {0};
    cs_status st;
    cs_buf_puts(&body, "{\"error\":{\"code\":", NULL);
    _json_str(&body, r->code ? r->code : "bad_request");
    cs_buf_puts(&body, ",\"message\":", NULL);
    _json_str(&body, r->message);
    cs_buf_puts(&body, ",\"field\":", NULL);
    if (r->field[0]) _json_str(&body, r->field);
    else cs_buf_puts(&body, "null", NULL);
    cs_buf_puts(&body, ",\"request_id\":", NULL);
    _json_str(&body, request_id);
    if (cs_buf_puts(&body, "}}", NULL)) {
        cs_buf_free(&body);
        return CS_ENOMEM;
    }
    st = cs_buf_printf(out, NULL,
                       "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nX-Request-Id: %s\r\n"
                       "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
                       r->status, _reason(r->status), body.len, request_id);
    if (!st) st = cs_buf_append(out, body.data, body.len, NULL);
    cs_buf_free(&body);
    return st;
}

/* The contract in http.h: only an accepted head (1) leaves h->canon for the caller to free;
 * a refusal or a head still incomplete frees what the parse had written there. */
int http_parse_head(const char *buf, size_t len, const http_limits *lim, http_head *h, http_refusal *r)
{
    int rc = _parse_head(buf, len, lim, h, r);
    if (rc <= 0) cs_buf_free(&h->canon);
    return rc;
}
