/*
 * csv_dict.c: the string dictionary of categorical columns: distinct strings numbered in
 * order of first insertion, found through an open-addressing table with linear probing
 * that keeps each slot's hash so most probes compare one integer, not a string.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

static cs_status _rehash(csv_dict *d, size_t n_slots, cs_err *err)
{
    int32_t *slots = calloc(n_slots, sizeof *slots);
    uint64_t *hashes = malloc(n_slots * sizeof *hashes);
    size_t mask = n_slots - 1;
    if (!slots || !hashes) {
        free(slots);
        free(hashes);
        return cs_err_set(err, CS_ENOMEM, "out of memory growing a category dictionary");
    }
    for (size_t j = 0; j < d->n_slots; j++) {
        int32_t c = d->slots[j];
        size_t i;
        if (!c) continue;
        for (i = (size_t)d->slot_hash[j] & mask; slots[i]; i = (i + 1) & mask) {
        }
        slots[i] = c;
        hashes[i] = d->slot_hash[j];
    }
    free(d->slots);
    free(d->slot_hash);
    d->slots = slots;
    d->slot_hash = hashes;
    d->n_slots = n_slots;
    return CS_OK;
}

int32_t csv_dict_add(csv_dict *d, const char *s, size_t len, uint64_t h, cs_err *err)
{
    size_t mask, i;
    char *copy;

    if ((size_t)(d->n + 1) * 2 > d->n_slots) {     /* keep the load factor at most 1/2 */
        if (d->n == INT32_MAX - 1) {
            cs_err_set(err, CS_EINVAL, "more than %d distinct categories", INT32_MAX - 1);
            return -1;
        }
        if (_rehash(d, d->n_slots ? d->n_slots * 2 : 16, err)) return -1;
    }
    mask = d->n_slots - 1;
    for (i = (size_t)h & mask; d->slots[i]; i = (i + 1) & mask) {
        int32_t c = d->slots[i];
        if (d->slot_hash[i] == h && d->lens[c - 1] == len && !memcmp(d->strs[c - 1], s, len))
            return c - 1;
    }
    if (d->n == d->cap) {
        int32_t cap = d->cap ? d->cap * 2 : 16;
        char **strs = realloc(d->strs, (size_t)cap * sizeof *strs);
        uint32_t *lens;
        if (!strs) goto nomem;
        d->strs = strs;
        lens = realloc(d->lens, (size_t)cap * sizeof *lens);
        if (!lens) goto nomem;
        d->lens = lens;
        d->cap = cap;
    }
    copy = malloc(len + 1);
    if (!copy) goto nomem;
    memcpy(copy, s, len);
    copy[len] = '\0';
    d->strs[d->n] = copy;
    d->lens[d->n] = (uint32_t)len;
    d->slots[i] = d->n + 1;
    d->slot_hash[i] = h;
    return d->n++;
nomem:
    cs_err_set(err, CS_ENOMEM, "out of memory adding a category");
    return -1;
}

void csv_dict_clear(csv_dict *d)
{
    if (!d) return;
    for (int32_t i = 0; i < d->n; i++) free(d->strs[i]);
    if (d->n_slots) memset(d->slots, 0, d->n_slots * sizeof *d->slots);
    d->n = 0;
}

char **csv_dict_take(csv_dict *d, int32_t *n)
{
    char **strs = d->strs;
    *n = d->n;
    if (d->n == 0) {
        free(strs);
        strs = NULL;
    }
    free(d->slots);
    free(d->slot_hash);
    free(d->lens);
    memset(d, 0, sizeof *d);
    return strs;
}

void csv_dict_free(csv_dict *d)
{
    if (!d) return;
    csv_dict_clear(d);
    free(d->strs);
    free(d->lens);
    free(d->slots);
    free(d->slot_hash);
    memset(d, 0, sizeof *d);
}
