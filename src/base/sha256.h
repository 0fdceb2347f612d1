/*
 * sha256.h: SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), for content hashes of model
 * files in the registry, hashed API keys and signed model files. Not for speed-critical
 * checksums: use cs_hash64 for those.
 */
#ifndef CS_BASE_SHA256_H
#define CS_BASE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "cs.h"

#define CS_SHA256_LEN 32

typedef struct cs_sha256 {
    uint32_t h[8];
    uint64_t n_bytes;
    unsigned char block[64];
    size_t n_block;
} cs_sha256;

void cs_sha256_init(cs_sha256 *c);
void cs_sha256_update(cs_sha256 *c, const void *data, size_t len);
void cs_sha256_final(cs_sha256 *c, unsigned char out[CS_SHA256_LEN]);

/* One-shot digest. */
void cs_sha256_digest(const void *data, size_t len, unsigned char out[CS_SHA256_LEN]);

/* HMAC-SHA256 of data under key. */
void cs_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                    unsigned char out[CS_SHA256_LEN]);

/* Lowercase hex of a digest: out must hold 2*CS_SHA256_LEN+1 bytes. */
void cs_sha256_hex(const unsigned char digest[CS_SHA256_LEN], char out[2 * CS_SHA256_LEN + 1]);

/* SHA-256 of a whole file, as lowercase hex. */
cs_status cs_sha256_file(const char *path, char out_hex[2 * CS_SHA256_LEN + 1], cs_err *err);

/* Compare two byte strings in time that depends only on len (for secrets). 1 if equal. */
int cs_const_time_eq(const void *a, const void *b, size_t len);

#endif /* CS_BASE_SHA256_H */
