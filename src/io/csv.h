/*
 * csv.h: the pieces of the CSV reader that other files of src/io share and that other
 * modules may reuse: exact, locale-independent number parsing of one field, and the
 * open-addressing string dictionary that dictionary-encodes categorical columns.
 * The reader itself is tbl_read.c (contract in tbl.h); the row builder is tbl.c.
 */
#ifndef CS_IO_CSV_H
#define CS_IO_CSV_H

#include <locale.h>
#include <stdint.h>
#include <string.h>

#include "../base/cs.h"

/* ---- numbers ------------------------------------------------------------------------ */

/* A "C" locale for strtod_l, made with newlocale() (never the process locale). Returns
 * (locale_t)0 and fills err on failure; free with csv_locale_free() (0 is allowed). */
locale_t csv_locale_new(cs_err *err);
void csv_locale_free(locale_t loc);

/* Parse the whole of s[0..len) as a double, exactly as strtod would in the C locale:
 * integers, decimals, exponents, and "inf", "-inf", "nan" in any case. A fast exact path
 * (mantissa < 2^53, |power of ten| <= 22: one exact multiply or divide) handles the usual
 * fields; anything else goes to strtod_l(loc). Returns 0 and sets *out, or -1 when the
 * text is not entirely a number (empty text included). */
int csv_parse_double(const char *s, size_t len, locale_t loc, double *out);

/* The largest whole number a double holds exactly together with all the smaller ones
 * (2^53): an id column's values must stay within it. */
#define CSV_WHOLE_MAX 9007199254740992.0

/* Parse s[0..len) as an id: a whole number written in decimal ([-]digits[.digits][e[+-]digits]
 * whose digits after the units are all zeros: "100002", "100002.0", "1e+15"), of magnitude at
 * most CSV_WHOLE_MAX, so that the double *out is exactly the number written. Returns 0, or
 * -1 with *why set to a static phrase saying what is wrong ("not a whole number", ...). */
int csv_parse_whole(const char *s, size_t len, double *out, const char **why);

/* The fast path alone, for parsers that scan and convert in one pass: reads the plain
 * decimal number ([+-]digits[.digits][(e|E)[+-]digits]) that starts at p (before end) and
 * returns where it stops, with the exact value in *out. Returns NULL when there is no
 * digit, or when Clinger's condition does not hold (the caller then finds the field's end
 * and calls csv_parse_double). The caller must check that it stopped at a delimiter. */
static inline const char *csv_num_prefix(const char *p, const char *end, double *out)
{
    static const double pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    uint64_t m = 0;
    int nd = 0, any = 0, neg = 0;
    long e = 0;
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
    if (!any || nd > 19) return NULL;
    if (p < end && (*p == 'e' || *p == 'E')) {
        long x = 0;
        int xneg = 0;
        p++;
        if (p < end && (*p == '-' || *p == '+')) {
            xneg = *p == '-';
            p++;
        }
        if (p >= end || (unsigned)(*p - '0') >= 10) return NULL;
        while (p < end && (unsigned)(*p - '0') < 10) {
            if (x < 100000) x = x * 10 + (*p - '0');
            p++;
        }
        e += xneg ? -x : x;
    }
    if (m == 0) {
        *out = neg ? -0.0 : 0.0;
        return p;
    }
    if (m > ((uint64_t)1 << 53) || e > 22 || e < -22) return NULL;
    v = (double)m;
    if (e > 0) v *= pow10[e];
    else if (e < 0) v /= pow10[-e];
    *out = neg ? -v : v;
    return p;
}

/* ---- string dictionary -------------------------------------------------------------- */

/* Distinct strings numbered 0, 1, ... in order of insertion. Open addressing with linear
 * probing over a power-of-two table of slots. Zero-initialise ({0}) before use; every
 * string is a NUL-terminated copy owned by the dictionary until csv_dict_take(). */
typedef struct csv_dict {
    int32_t *slots;         /* code + 1 per slot, 0 = empty; n_slots entries */
    uint64_t *slot_hash;    /* the hash of the string in each used slot */
    size_t n_slots;         /* a power of two, or 0 before the first insert */
    char **strs;            /* n strings, in order of insertion */
    uint32_t *lens;         /* their lengths */
    int32_t n;              /* number of strings */
    int32_t cap;            /* allocated entries of strs and lens */
} csv_dict;

/* Equal bytes? (inline: category names are short, a libc call would cost more) */
static inline int csv_same(const char *a, const char *b, size_t len)
{
    while (len >= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) return 0;
        a += 8;
        b += 8;
        len -= 8;
    }
    while (len--)
        if (*a++ != *b++) return 0;
    return 1;
}

/* The hash used by the dictionary (fast on short strings): 8 bytes at a time,
 * multiply-xorshift mixing. */
static inline uint64_t csv_hash(const char *s, size_t len)
{
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    uint64_t h = (uint64_t)len * k;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
        s += 8;
        len -= 8;
    }
    if (len) {
        uint64_t w = 0;
        memcpy(&w, s, len);
        h = (h ^ w) * k;
    }
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    return h;
}

/* The code of s[0..len) with hash h (= csv_hash(s, len)), or -1 when absent. Read-only:
 * safe to call from several threads while no thread inserts. */
static inline int32_t csv_dict_find(const csv_dict *d, const char *s, size_t len, uint64_t h)
{
    size_t mask, i;
    if (d->n_slots == 0) return -1;
    mask = d->n_slots - 1;
    for (i = (size_t)h & mask;; i = (i + 1) & mask) {
        int32_t c = d->slots[i];
        if (c == 0) return -1;
        if (d->slot_hash[i] == h && d->lens[c - 1] == len && csv_same(d->strs[c - 1], s, len)) return c - 1;
    }
}

/* The code of s[0..len), inserting a copy when absent. Returns the code, or -1 with
 * CS_ENOMEM in err. */
int32_t csv_dict_add(csv_dict *d, const char *s, size_t len, uint64_t h, cs_err *err);

/* Forget every string (freeing them) but keep the allocated tables for reuse. */
void csv_dict_clear(csv_dict *d);

/* Hand the strings to the caller: returns the array (n entries, caller frees each string
 * and the array; NULL when empty), stores the count in *n and frees the rest of d. */
char **csv_dict_take(csv_dict *d, int32_t *n);

/* Free everything the dictionary holds; d itself is the caller's. NULL is allowed. */
void csv_dict_free(csv_dict *d);

#endif /* CS_IO_CSV_H */
