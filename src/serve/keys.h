/*
 * keys.h: API keys. A key file holds one key per line (blank lines and lines starting
 * with '#' are ignored, surrounding spaces trimmed); only the SHA-256 of each key is kept
 * in memory, and a presented key is checked by hashing it and comparing digests in
 * constant time against every stored digest. Keys are never logged or echoed.
 */
#ifndef CS_SERVE_KEYS_H
#define CS_SERVE_KEYS_H

#include "../base/cs.h"

typedef struct api_keys api_keys;

/* Read a key file; a file with no key, or a key shorter than 16 characters, is refused
 * ("keys.txt:3: key shorter than 16 characters"). Free with api_keys_free(). */
api_keys *api_keys_load(const char *path, cs_err *err);

/* The same from text in memory (name is used in messages). */
api_keys *api_keys_parse(const char *name, const char *text, size_t len, cs_err *err);

/* 1 when key (len bytes, not necessarily NUL-terminated) is one of the keys, else 0.
 * keys may be NULL (then every key is refused). Thread-safe (read-only). */
int api_keys_check(const api_keys *keys, const char *key, size_t len);

/* Number of keys held. */
size_t api_keys_count(const api_keys *keys);

/* Free; NULL is allowed. */
void api_keys_free(api_keys *keys);

#endif /* CS_SERVE_KEYS_H */
