/*
 * hash.c: a fast 64-bit checksum. Four independent multiply-rotate lanes over 32-byte
 * stripes (the shape of xxHash64), then a final avalanche; several GB/s on one core, so
 * that checksumming a 2 GB feature file costs well under a second.
 */
#include "cs.h"

#include <string.h>

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static inline uint64_t _rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static inline uint64_t _read64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t _round(uint64_t acc, uint64_t in)
{
    acc += in * P2;
    acc = _rotl(acc, 31);
    return acc * P1;
}

static inline uint64_t _merge(uint64_t acc, uint64_t v)
{
    acc ^= _round(0, v);
    return acc * P1 + P4;
}

void cs_hash64_init(cs_hash64_state *s, uint64_t seed)
{
    s->v[0] = seed + P1 + P2;
    s->v[1] = seed + P2;
    s->v[2] = seed;
    s->v[3] = seed - P1;
    s->seed = seed;
    s->len = 0;
}

/* the stripes of p[0, len), len a multiple of 32 */
static inline void _stripes(uint64_t v[4], const unsigned char *p, size_t len)
{
    uint64_t v1 = v[0], v2 = v[1], v3 = v[2], v4 = v[3];
    for (const unsigned char *end = p + len; p < end; p += 32) {
        v1 = _round(v1, _read64(p));
        v2 = _round(v2, _read64(p + 8));
        v3 = _round(v3, _read64(p + 16));
        v4 = _round(v4, _read64(p + 24));
    }
    v[0] = v1;
    v[1] = v2;
    v[2] = v3;
    v[3] = v4;
}

void cs_hash64_update(cs_hash64_state *s, const void *data, size_t len)
{
    _stripes(s->v, data, len);
    s->len += len;
}

/* the end: the lanes merged (when a stripe was taken), then the tail (< 32 bytes) */
static inline uint64_t _finish(const uint64_t v[4], uint64_t seed, uint64_t total, const unsigned char *p, size_t n)
{
    const unsigned char *end = p + n;
    uint64_t h;
    if (total >= 32) {
        h = _rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18);
        h = _merge(h, v[0]);
        h = _merge(h, v[1]);
        h = _merge(h, v[2]);
        h = _merge(h, v[3]);
    } else {
        h = seed + P5;
    }
    h += total;
    while (p + 8 <= end) {
        h ^= _round(0, _read64(p));
        h = _rotl(h, 27) * P1 + P4;
        p += 8;
    }
    while (p < end) {
        h ^= (*p) * P5;
        h = _rotl(h, 11) * P1;
        p++;
    }
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

uint64_t cs_hash64_final(const cs_hash64_state *s, const void *tail, size_t tail_len)
{
    return _finish(s->v, s->seed, s->len + tail_len, tail, tail_len);
}

uint64_t cs_hash64(const void *data, size_t len, uint64_t seed)
{
    cs_hash64_state s;
    size_t body = len / 32 * 32;
    cs_hash64_init(&s, seed);
    _stripes(s.v, data, body);
    return _finish(s.v, seed, len, (const unsigned char *)data + body, len - body);
}

/* ---- four buffers at once ---------------------------------------------------------------- */

#if defined(__x86_64__) && defined(__GNUC__)
typedef uint64_t _v4u __attribute__((vector_size(32)));

/* the stripes of four buffers of len bytes (a multiple of 32), buffer b's lanes v[b] */
__attribute__((target("avx512f,avx512dq,avx512vl"))) static void _stripes4(uint64_t v[4][4],
                                                                            const unsigned char *const p[4], size_t len)
{
    const _v4u p1 = {P1, P1, P1, P1}, p2 = {P2, P2, P2, P2};
    _v4u a0, a1, a2, a3;
    memcpy(&a0, v[0], 32);
    memcpy(&a1, v[1], 32);
    memcpy(&a2, v[2], 32);
    memcpy(&a3, v[3], 32);
    for (size_t o = 0; o < len; o += 32) {
        _v4u x0, x1, x2, x3;
        memcpy(&x0, p[0] + o, 32);
        memcpy(&x1, p[1] + o, 32);
        memcpy(&x2, p[2] + o, 32);
        memcpy(&x3, p[3] + o, 32);
        /* _round on each lane: acc += in * P2, rotate left 31, acc *= P1 */
        a0 += x0 * p2;
        a1 += x1 * p2;
        a2 += x2 * p2;
        a3 += x3 * p2;
        a0 = ((a0 << 31) | (a0 >> 33)) * p1;
        a1 = ((a1 << 31) | (a1 >> 33)) * p1;
        a2 = ((a2 << 31) | (a2 >> 33)) * p1;
        a3 = ((a3 << 31) | (a3 >> 33)) * p1;
    }
    memcpy(v[0], &a0, 32);
    memcpy(v[1], &a1, 32);
    memcpy(v[2], &a2, 32);
    memcpy(v[3], &a3, 32);
}

static int _have_vec(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
}
#endif

void cs_hash64_many(const void *const *data, size_t k, size_t len, uint64_t seed, uint64_t *out)
{
    size_t i = 0;
#if defined(__x86_64__) && defined(__GNUC__)
    size_t body = len / 32 * 32;
    if (k >= 4 && _have_vec())
        for (; i + 4 <= k; i += 4) {
            uint64_t v[4][4];
            const unsigned char *p[4];
            for (int b = 0; b < 4; b++) {
                cs_hash64_state s;
                cs_hash64_init(&s, seed);
                memcpy(v[b], s.v, sizeof v[b]);
                p[b] = data[i + (size_t)b];
            }
            _stripes4(v, p, body);
            for (int b = 0; b < 4; b++) out[i + (size_t)b] = _finish(v[b], seed, len, p[b] + body, len - body);
        }
#endif
    for (; i < k; i++) out[i] = cs_hash64(data[i], len, seed);
}
