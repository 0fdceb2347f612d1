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

int csv_parse_double(const char *s, size_t len, locale_t loc, double *out)
{
    char small[128];
    char *tmp, *end;
    double v;
    int ok;

    if (len == 0) return -1;
    if (csv_num_prefix(s, s + len, out) == s + len) return 0;
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

int csv_parse_whole(const char *s, size_t len, double *out, const char **why)
{
    const char *p = s, *end = s + len;
    char dig[24];               /* the significant digits, leading zeros dropped */
    int nd = 0, any = 0, neg = 0, over = 0;
    long exp10 = 0;             /* value = dig x 10^exp10 */
    uint64_t v = 0;

    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    for (int frac = 0;; p++) {
        if (p < end && *p == '.' && !frac) {
            frac = 1;
            continue;
        }
        if (p >= end || (unsigned)(*p - '0') >= 10) break;
        any = 1;
        if (nd == 0 && *p == '0') {
            if (frac) exp10--;
            continue;
        }
        if (nd < (int)sizeof dig) dig[nd++] = *p;
        else over = 1;
        if (frac) exp10--;
        else if (over) exp10++;
    }
    if (any && p < end && (*p == 'e' || *p == 'E')) {
        long x = 0;
        int xneg = 0;
        p++;
        if (p < end && (*p == '-' || *p == '+')) xneg = *p++ == '-';
        if (p >= end || (unsigned)(*p - '0') >= 10) any = 0;
        while (p < end && (unsigned)(*p - '0') < 10) {
            if (x < 100000) x = x * 10 + (*p - '0');
            p++;
        }
        exp10 += xneg ? -x : x;
    }
    if (!any || p != end) {
        *why = "not an id (a whole number: digits, an optional '-')";
        return -1;
    }
    /* digits after the units must be zeros: 100002.0 and 1.5e3 are ids, 100002.7 is not */
    while (exp10 < 0 && nd > 0 && dig[nd - 1] == '0') {
        nd--;
        exp10++;
    }
    if (over || (exp10 < 0 && nd > 0)) {
        *why = over ? "beyond 2^53 = 9007199254740992, the largest id kept exactly"
                    : "not a whole number (an id has no fraction)";
        return -1;
    }
    if (nd == 0) exp10 = 0;
    if (nd + exp10 > 16) {
        *why = "beyond 2^53 = 9007199254740992, the largest id kept exactly";
        return -1;
    }
    for (int i = 0; i < nd; i++) v = v * 10 + (uint64_t)(dig[i] - '0');
    for (long i = 0; i < exp10; i++) v *= 10;
    if (v > (uint64_t)CSV_WHOLE_MAX) {
        *why = "beyond 2^53 = 9007199254740992, the largest id kept exactly";
        return -1;
    }
    *out = neg ? -(double)v : (double)v;
    return 0;
}
