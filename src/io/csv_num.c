/*
 * csv_num.c: exact, locale-independent parsing of a number field. The common fields of
 * the Home Credit files (-9461, 202500.0, 0.0830369673913225) take Clinger's fast path:
 * an integer mantissa below 2^53 and a power of ten within 10^±22 are both exact doubles,
 * so one IEEE multiply or divide gives the correctly rounded result, the same as strtod.
 * Everything else (long mantissas, big exponents, inf, nan, hex) goes to strtod_l with a
 * C locale of our own, so the process locale never changes how a number reads.
 */
#include "csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

locale_t csv_locale_new(cs_err *err)
{
    locale_t loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (!loc) cs_err_set(err, CS_ENOMEM, "cannot create the C locale for number parsing");
    return loc;
}

void csv_locale_free(locale_t loc)
{
    if (loc) freelocale(loc);
}

static const double _pow10[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* The fast path: 1 and *out set when s[0..len) is entirely a plain decimal number that
 * Clinger's condition covers; 0 when the slow path must decide. */
static int _fast(const char *s, size_t len, double *out)
{
    const char *p = s, *end = s + len;
    uint64_t m = 0;
    int nd = 0;         /* significant digits seen (leading zeros excluded) */
    int any = 0;        /* at least one digit, zeros included */
    long e = 0;
    int neg = 0;
    double v;

    if (p < end && (*p == '-' || *p == '+')) {
        neg = *p == '-';
        p++;
    }
    while (p < end && *p == '0') {
        p++;
        any = 1;
    }
    while (p < end && (unsigned)(*p - '0') < 10) {
        if (nd < 19) m = m * 10 + (uint64_t)(*p - '0');
        else e++;           /* digits past the 19th only scale; the fast path then gives up */
        nd++;
        any = 1;
        p++;
    }
    if (p < end && *p == '.') {
        p++;
        if (nd == 0)
            while (p < end && *p == '0') {
                p++;
                e--;
                any = 1;
            }
        while (p < end && (unsigned)(*p - '0') < 10) {
            if (nd < 19) {
                m = m * 10 + (uint64_t)(*p - '0');
                e--;
            }
            nd++;
            any = 1;
            p++;
        }
    }
    if (!any) return 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        long x = 0;
        int xneg = 0;
        p++;
        if (p < end && (*p == '-' || *p == '+')) {
            xneg = *p == '-';
            p++;
        }
        if (p >= end || (unsigned)(*p - '0') >= 10) return 0;
        while (p < end && (unsigned)(*p - '0') < 10) {
            if (x < 100000) x = x * 10 + (*p - '0');
            p++;
        }
        e += xneg ? -x : x;
    }
    if (p != end || nd > 19) return 0;
    if (m == 0) {
        *out = neg ? -0.0 : 0.0;
        return 1;
    }
    if (m > ((uint64_t)1 << 53)) return 0;
    v = (double)m;
    if (e > 0) {
        if (e > 22) return 0;
        v *= _pow10[e];
    } else if (e < 0) {
        if (e < -22) return 0;
        v /= _pow10[-e];
    }
    *out = neg ? -v : v;
    return 1;
}

int csv_parse_double(const char *s, size_t len, locale_t loc, double *out)
{
    char small[128];
    char *tmp, *end;
    double v;
    int ok;

    if (len == 0) return -1;
    if (_fast(s, len, out)) return 0;
    /* the slow path needs a NUL-terminated copy; a NUL inside the field is not a number */
    if (memchr(s, '\0', len)) return -1;
    tmp = len < sizeof small ? small : malloc(len + 1);
    if (!tmp) return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    v = strtod_l(tmp, &end, loc);
    ok = end == tmp + len && end != tmp;
    if (tmp != small) free(tmp);
    if (!ok) return -1;
    *out = v;
    return 0;
}
