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

uint64_t cs_hash64(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    const unsigned char *end = p + len;
    uint64_t h;

    if (len >= 32) {
        uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
        const unsigned char *limit = end - 32;
        do {
            v1 = _round(v1, _read64(p));
            v2 = _round(v2, _read64(p + 8));
            v3 = _round(v3, _read64(p + 16));
            v4 = _round(v4, _read64(p + 24));
            p += 32;
        } while (p <= limit);
        h = _rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18);
        h = _merge(h, v1);
        h = _merge(h, v2);
        h = _merge(h, v3);
        h = _merge(h, v4);
    } else {
        h = seed + P5;
    }
    h += (uint64_t)len;
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
