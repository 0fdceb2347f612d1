/*
 * sha256.c: SHA-256 and HMAC-SHA256, written from FIPS 180-4 and RFC 2104.
 */
#include "sha256.h"

#include <errno.h>
#include <string.h>

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static inline uint32_t _ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void _block(cs_sha256 *c, const unsigned char *p)
{
    uint32_t w[64], a, b, d, e, f, g, h, cc, t1, t2;
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
               (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = _ror(w[i - 15], 7) ^ _ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = _ror(w[i - 2], 17) ^ _ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3];
    e = c->h[4]; f = c->h[5]; g = c->h[6]; h = c->h[7];
    for (int i = 0; i < 64; i++) {
        t1 = h + (_ror(e, 6) ^ _ror(e, 11) ^ _ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        t2 = (_ror(a, 2) ^ _ror(a, 13) ^ _ror(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
        h = g; g = f; f = e; e = d + t1;
        d = cc; cc = b; b = a; a = t1 + t2;
    }
    c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
    c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}

void cs_sha256_init(cs_sha256 *c)
{
    static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, H0, sizeof H0);
    c->n_bytes = 0;
    c->n_block = 0;
}

void cs_sha256_update(cs_sha256 *c, const void *data, size_t len)
{
    const unsigned char *p = data;
    c->n_bytes += len;
    if (c->n_block) {
        size_t take = 64 - c->n_block < len ? 64 - c->n_block : len;
        memcpy(c->block + c->n_block, p, take);
        c->n_block += take;
        p += take;
        len -= take;
        if (c->n_block < 64) return;
        _block(c, c->block);
        c->n_block = 0;
    }
    while (len >= 64) {
        _block(c, p);
        p += 64;
        len -= 64;
    }
    memcpy(c->block, p, len);
    c->n_block = len;
}

void cs_sha256_final(cs_sha256 *c, unsigned char out[CS_SHA256_LEN])
{
    uint64_t bits = c->n_bytes * 8;
    unsigned char pad = 0x80, zero = 0, len_be[8];
    cs_sha256_update(c, &pad, 1);
    while (c->n_block != 56) cs_sha256_update(c, &zero, 1);
    for (int i = 0; i < 8; i++) len_be[i] = (unsigned char)(bits >> (56 - 8 * i));
    cs_sha256_update(c, len_be, 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(c->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)c->h[i];
    }
}

void cs_sha256_digest(const void *data, size_t len, unsigned char out[CS_SHA256_LEN])
{
    cs_sha256 c;
    cs_sha256_init(&c);
    cs_sha256_update(&c, data, len);
    cs_sha256_final(&c, out);
}

void cs_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                    unsigned char out[CS_SHA256_LEN])
{
    unsigned char k[64] = {0}, ipad[64], opad[64], inner[CS_SHA256_LEN];
    cs_sha256 c;
    if (key_len > 64) cs_sha256_digest(key, key_len, k);
    else memcpy(k, key, key_len);
    for (int i = 0; i < 64; i++) {
        ipad[i] = k[i] ^ 0x36;
        opad[i] = k[i] ^ 0x5c;
    }
    cs_sha256_init(&c);
    cs_sha256_update(&c, ipad, 64);
    cs_sha256_update(&c, data, len);
    cs_sha256_final(&c, inner);
    cs_sha256_init(&c);
    cs_sha256_update(&c, opad, 64);
    cs_sha256_update(&c, inner, sizeof inner);
    cs_sha256_final(&c, out);
}

void cs_sha256_hex(const unsigned char digest[CS_SHA256_LEN], char out[2 * CS_SHA256_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < CS_SHA256_LEN; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[2 * CS_SHA256_LEN] = '\0';
}

cs_status cs_sha256_file(const char *path, char out_hex[2 * CS_SHA256_LEN + 1], cs_err *err)
{
    unsigned char buf[1 << 16], digest[CS_SHA256_LEN];
    cs_sha256 c;
    size_t n;
    FILE *f = fopen(path, "rb");
    if (!f) return cs_err_set(err, CS_EIO, "%s: cannot open: %s", path, strerror(errno));
    cs_sha256_init(&c);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) cs_sha256_update(&c, buf, n);
    if (ferror(f)) {
        fclose(f);
        return cs_err_set(err, CS_EIO, "%s: read error", path);
    }
    fclose(f);
    cs_sha256_final(&c, digest);
    cs_sha256_hex(digest, out_hex);
    return CS_OK;
}

int cs_const_time_eq(const void *a, const void *b, size_t len)
{
    const volatile unsigned char *x = a, *y = b;
    unsigned char d = 0;
    for (size_t i = 0; i < len; i++) d |= (unsigned char)(x[i] ^ y[i]);
    return d == 0;
}
