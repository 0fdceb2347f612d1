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
