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

/* The hash used by the dictionary (fast on short strings). */
uint64_t csv_hash(const char *s, size_t len);

/* The code of s[0..len) with hash h (= csv_hash(s, len)), or -1 when absent. Read-only:
 * safe to call from several threads while no thread inserts. */
int32_t csv_dict_find(const csv_dict *d, const char *s, size_t len, uint64_t h);

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
