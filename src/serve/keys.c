/*
 * keys.c: the API key set: parse a key file, keep SHA-256 digests, check in constant time.
 */
#include "keys.h"
#include "../base/sha256.h"

#include <stdlib.h>
#include <string.h>

#define KEY_MIN_LEN 16

struct api_keys {
    size_t n;
    unsigned char (*digest)[CS_SHA256_LEN];
};

api_keys *api_keys_parse(const char *name, const char *text, size_t len, cs_err *err)
{
    api_keys *k = cs_calloc(1, sizeof *k, err);
    size_t line = 0, pos = 0;
    if (!k) return NULL;
    while (pos < len) {
        size_t start = pos, end = pos, a, b;
        while (end < len && text[end] != '\n') end++;
        line++;
        a = pos;
        b = end;
        while (a < b && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r')) a++;
        while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r')) b--;
        pos = end + 1;
        if (a == b || text[a] == '#') continue;
        if (b - a < KEY_MIN_LEN) {
            cs_err_set(err, CS_EINVAL, "%s:%zu: key shorter than %d characters", name, line, KEY_MIN_LEN);
            api_keys_free(k);
            return NULL;
        }
        for (size_t i = a; i < b; i++) {
            if ((unsigned char)text[i] < 0x21 || (unsigned char)text[i] > 0x7e) {
                cs_err_set(err, CS_EINVAL, "%s:%zu:%zu: a key holds only printable ASCII without spaces",
                           name, line, i - start + 1);
                api_keys_free(k);
                return NULL;
            }
        }
        void *d = cs_reallocarray(k->digest, k->n + 1, sizeof *k->digest, err);
        if (!d) {
            api_keys_free(k);
            return NULL;
        }
        k->digest = d;
        cs_sha256_digest(text + a, b - a, k->digest[k->n++]);
    }
    if (k->n == 0) {
        cs_err_set(err, CS_EINVAL, "%s: no API key in the file", name);
        api_keys_free(k);
        return NULL;
    }
    return k;
}

api_keys *api_keys_load(const char *path, cs_err *err)
{
    FILE *f = fopen(path, "rb");
    cs_buf b = {0};
    char chunk[4096];
    size_t n;
    api_keys *k;
    if (!f) {
        cs_err_set(err, CS_EIO, "%s: cannot open the API key file", path);
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (cs_buf_append(&b, chunk, n, err) != CS_OK) {
            fclose(f);
            cs_buf_free(&b);
            return NULL;
        }
    }
    if (ferror(f)) {
        fclose(f);
        cs_buf_free(&b);
        cs_err_set(err, CS_EIO, "%s: read error", path);
        return NULL;
    }
    fclose(f);
    k = api_keys_parse(path, b.data ? b.data : "", b.len, err);
    /* wipe the plain keys from memory */
    if (b.data) {
        volatile char *p = b.data;
        for (size_t i = 0; i < b.len; i++) p[i] = 0;
    }
    cs_buf_free(&b);
    return k;
}

int api_keys_check(const api_keys *keys, const char *key, size_t len)
{
    unsigned char d[CS_SHA256_LEN];
    int found = 0;
    if (!keys || !key) return 0;
    cs_sha256_digest(key, len, d);
    for (size_t i = 0; i < keys->n; i++) found |= cs_const_time_eq(d, keys->digest[i], CS_SHA256_LEN);
    return found;
}

size_t api_keys_count(const api_keys *keys) { return keys ? keys->n : 0; }

void api_keys_free(api_keys *keys)
{
    if (!keys) return;
    free(keys->digest);
    free(keys);
}
