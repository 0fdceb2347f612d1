/*
 * sign.c: HMAC-SHA256 signatures of model files in MODEL.sig (see sign.h).
 */
#include "sign.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/sha256.h"

/* the whole file in memory (malloc'd) */
static unsigned char *_read_all(const char *path, size_t *len, cs_err *err)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b = NULL;
    long n;
    if (!f) {
        cs_err_set(err, CS_EIO, "%s: cannot open", path);
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        cs_err_set(err, CS_EIO, "%s: cannot read", path);
        fclose(f);
        return NULL;
    }
    if ((b = cs_malloc((size_t)n + 1, err)) && fread(b, 1, (size_t)n, f) != (size_t)n) {
        cs_err_set(err, CS_EIO, "%s: cannot read", path);
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) *len = (size_t)n;
    return b;
}

cs_status mf_key_load(const char *path, unsigned char **key, size_t *key_len, cs_err *err)
{
    size_t n;
    unsigned char *b = _read_all(path, &n, err);
    *key = NULL;
    *key_len = 0;
    if (!b) return err ? err->code : CS_EIO;
    while (n && (b[n - 1] == '\n' || b[n - 1] == '\r' || b[n - 1] == ' ' || b[n - 1] == '\t')) n--;
    if (n < MF_KEY_MIN) {
        memset(b, 0, n);
        free(b);
        return cs_err_set(err, CS_EINVAL, "%s: key shorter than %d bytes", path, MF_KEY_MIN);
    }
    *key = b;
    *key_len = n;
    return CS_OK;
}

char *mf_sig_path(const char *model_path, cs_err *err)
{
    size_t n = strlen(model_path);
    char *p = cs_malloc(n + 5, err);
    if (p) {
        memcpy(p, model_path, n);
        memcpy(p + n, ".sig", 5);
    }
    return p;
}

static void _hex_sig(const void *key, size_t key_len, const unsigned char *b, size_t n, char hex[2 * CS_SHA256_LEN + 1])
{
    unsigned char mac[CS_SHA256_LEN];
    cs_hmac_sha256(key, key_len, b, n, mac);
    cs_sha256_hex(mac, hex);
}

cs_status mf_sign_file(const char *model_path, const void *key, size_t key_len, cs_err *err)
{
    size_t n;
    unsigned char *b = _read_all(model_path, &n, err);
    char hex[2 * CS_SHA256_LEN + 1], *sig = NULL, *tmp = NULL;
    mf_model *m;
    FILE *f;
    cs_status st = CS_OK;
    if (!b) return err ? err->code : CS_EIO;
    if (!(m = mf_load_bytes(b, n, err))) {
        char msg[CS_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
        free(b);
        return cs_err_set(err, CS_EINVAL, "%s: not a model file, not signed: %s", model_path, msg);
    }
    mf_free(m);
    _hex_sig(key, key_len, b, n, hex);
    free(b);
    if (!(sig = mf_sig_path(model_path, err)) || !(tmp = cs_malloc(strlen(sig) + 5, err))) {
        free(sig);
        return CS_ENOMEM;
    }
    sprintf(tmp, "%s.tmp", sig);
    if (!(f = fopen(tmp, "w"))) st = cs_err_set(err, CS_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    else if (fprintf(f, "%s\n", hex) < 0) {
        st = cs_err_set(err, CS_EIO, "%s: cannot write: %s", tmp, strerror(errno));
        fclose(f);
        remove(tmp);
    } else {
        st = cs_file_commit(f, tmp, sig, err);
    }
    free(tmp);
    free(sig);
    return st;
}

mf_model *mf_load_signed(const char *path, const void *key, size_t key_len, cs_err *err)
{
    size_t n, sn;
    unsigned char *b, *s;
    char hex[2 * CS_SHA256_LEN + 1], *sig;
    mf_model *m;
    if (!(sig = mf_sig_path(path, err))) return NULL;
    if (!(s = _read_all(sig, &sn, NULL))) {
        cs_err_set(err, CS_EINVAL, "%s: unsigned model (no %s): the server requires signed models "
                   "(creditscore sign %s --key-file KEY)", path, sig, path);
        free(sig);
        return NULL;
    }
    while (sn && (s[sn - 1] == '\n' || s[sn - 1] == '\r')) sn--;
    if (sn != 2 * CS_SHA256_LEN) {
        cs_err_set(err, CS_EINVAL, "%s: malformed signature file %s (expected 64 hex digits)", path, sig);
        free(s);
        free(sig);
        return NULL;
    }
    free(sig);
    if (!(b = _read_all(path, &n, err))) {
        free(s);
        return NULL;
    }
    _hex_sig(key, key_len, b, n, hex);
    if (!cs_const_time_eq(hex, s, 2 * CS_SHA256_LEN)) {
        cs_err_set(err, CS_EINVAL, "%s: signature mismatch: the model was changed after signing, "
                   "or signed with another key; refusing it", path);
        free(s);
        free(b);
        return NULL;
    }
    free(s);
    m = mf_load_bytes(b, n, err);   /* exactly the bytes verified */
    free(b);
    if (!m && err) {
        char msg[CS_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        cs_err_set(err, err->code, "%s: %s", path, msg);
    }
    return m;
}
