/*
 * group.h: internals of the recipe engine (engine.c): an open-addressing map from key values (doubles: ids) to dense group
 * numbers in order of first insertion, and rows grouped by group number with a stable
 * counting sort (rows[off[g] .. off[g+1]) are group g's rows in file order). Header only
 * (static inline): the lookups sit in hot loops.
 */
#ifndef CS_FEATURES_GROUP_H
#define CS_FEATURES_GROUP_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../base/cs.h"

typedef struct _kmap {
    uint64_t *keys;
    int32_t *ids; /* -1 = empty slot */
    size_t mask;
    int32_t n;
} _kmap;

static inline uint64_t _kbits(double x)
{
    uint64_t b;
    if (x == 0) x = 0; /* -0 and +0 are one key */
    memcpy(&b, &x, 8);
    return b;
}

static inline size_t _khash(uint64_t b)
{
    b ^= b >> 33;
    b *= 0xff51afd7ed558ccdULL;
    b ^= b >> 33;
    b *= 0xc4ceb9fe1a85ec53ULL;
    b ^= b >> 33;
    return (size_t)b;
}

static inline cs_status _kmap_init(_kmap *m, size_t n_max, cs_err *err)
{
    size_t cap = 16;
    while (cap < 2 * n_max + 16) cap *= 2;
    m->keys = cs_malloc(cap * sizeof *m->keys, err);
    m->ids = cs_malloc(cap * sizeof *m->ids, err);
    if (!m->keys || !m->ids) {
        free(m->keys);
        free(m->ids);
        m->keys = NULL;
        m->ids = NULL;
        return CS_ENOMEM;
    }
    memset(m->ids, 0xff, cap * sizeof *m->ids);
    m->mask = cap - 1;
    m->n = 0;
    return CS_OK;
}

static inline void _kmap_free(_kmap *m)
{
    free(m->keys);
    free(m->ids);
    m->keys = NULL;
    m->ids = NULL;
}

/* the id of key (a new one in order of first insertion); -1 for NaN */
static inline int32_t _kmap_put(_kmap *m, double key)
{
    uint64_t b;
    size_t h;
    if (key != key) return -1;
    b = _kbits(key);
    for (h = _khash(b) & m->mask; m->ids[h] >= 0; h = (h + 1) & m->mask)
        if (m->keys[h] == b) return m->ids[h];
    m->keys[h] = b;
    m->ids[h] = m->n;
    return m->n++;
}

static inline int32_t _kmap_get(const _kmap *m, double key)
{
    uint64_t b;
    if (key != key) return -1;
    b = _kbits(key);
    for (size_t h = _khash(b) & m->mask; m->ids[h] >= 0; h = (h + 1) & m->mask)
        if (m->keys[h] == b) return m->ids[h];
    return -1;
}

/* ids[r] = the id of keys[r] for r < n, in parallel; a run of equal keys (files sorted or
 * clustered by client, as the real ones are) costs one lookup */
static inline void _kmap_get_all(const _kmap *m, const double *keys, size_t n, int32_t *ids)
{
#pragma omp parallel if (n > 100000)
    {
        double last = NAN;
        int32_t last_id = -1;
#pragma omp for schedule(static)
        for (size_t r = 0; r < n; r++) {
            if (keys[r] != last) {
                last = keys[r];
                last_id = _kmap_get(m, last);
            }
            ids[r] = last_id;
        }
    }
}

/* rows grouped by id, stable: rows[off[g] .. off[g+1]) are group g's rows in file order */
typedef struct _groups {
    size_t n_groups;
    size_t *off;
    uint32_t *rows;
} _groups;

static inline void _groups_free(_groups *g)
{
    free(g->off);
    free(g->rows);
    g->off = NULL;
    g->rows = NULL;
}

static inline cs_status _group_rows(const int32_t *gid, size_t n_rows, size_t n_groups, _groups *g, cs_err *err)
{
    size_t total = 0;
    g->n_groups = n_groups;
    g->off = cs_calloc(n_groups + 2, sizeof *g->off, err);
    if (!g->off) return CS_ENOMEM;
    for (size_t r = 0; r < n_rows; r++)
        if (gid[r] >= 0) g->off[gid[r] + 2]++;
    for (size_t k = 2; k < n_groups + 2; k++) g->off[k] += g->off[k - 1];
    total = g->off[n_groups + 1];
    g->rows = cs_malloc((total ? total : 1) * sizeof *g->rows, err);
    if (!g->rows) return CS_ENOMEM;
    for (size_t r = 0; r < n_rows; r++)
        if (gid[r] >= 0) g->rows[g->off[gid[r] + 1]++] = (uint32_t)r;
    /* off[k+1] now ends group k; shift back so off[k] starts group k */
    g->off[0] = 0;
    return CS_OK;
}

#endif /* CS_FEATURES_GROUP_H */
