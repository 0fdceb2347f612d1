/*
 * err.c: status names, error messages and checked allocation (see cs.h for the
 * error convention every module follows).
 */
#include "cs.h"

#include <stdlib.h>
#include <string.h>

const char *cs_status_str(cs_status code)
{
    switch (code) {
    case CS_OK: return "ok";
    case CS_ENOMEM: return "out of memory";
    case CS_EIO: return "i/o error";
    case CS_EPARSE: return "parse error";
    case CS_EINVAL: return "invalid argument";
    case CS_ECORRUPT: return "corrupt file";
    case CS_EVERSION: return "unsupported version";
    case CS_ENOTFOUND: return "not found";
    case CS_EUNSUPPORTED: return "unsupported";
    case CS_EINTERNAL: return "internal error";
    case CS_EINTERRUPTED: return "interrupted";
    }
    return "unknown status";
}

cs_status cs_err_set(cs_err *err, cs_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

cs_status cs_err_prefix(cs_err *err, const char *fmt, ...)
{
    char out[CS_ERR_MSG_MAX];
    va_list ap;
    size_t np, no;

    if (!err) return CS_OK;
    va_start(ap, fmt);
    vsnprintf(out, sizeof out, fmt, ap);
    va_end(ap);
    np = strlen(out);
    no = strlen(err->msg);
    if (no > sizeof out - 1 - np) no = sizeof out - 1 - np;
    memcpy(out + np, err->msg, no);
    out[np + no] = '\0';
    memcpy(err->msg, out, np + no + 1);
    return err->code;
}

void cs_err_clear(cs_err *err)
{
    if (err) {
        err->code = CS_OK;
        err->msg[0] = '\0';
    }
}

/* ---- allocation -------------------------------------------------------------------- */

void *cs_malloc(size_t size, cs_err *err)
{
    void *p = malloc(size ? size : 1);
    if (!p) cs_err_set(err, CS_ENOMEM, "out of memory allocating %zu bytes", size);
    return p;
}

void *cs_calloc(size_t n, size_t size, cs_err *err)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) cs_err_set(err, CS_ENOMEM, "out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

void *cs_reallocarray(void *ptr, size_t n, size_t size, cs_err *err)
{
    void *p;
    if (size && n > SIZE_MAX / size) {
        cs_err_set(err, CS_ENOMEM, "allocation of %zu x %zu bytes overflows", n, size);
        return NULL;
    }
    p = realloc(ptr, (n && size) ? n * size : 1);
    if (!p) cs_err_set(err, CS_ENOMEM, "out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

char *cs_strdup(const char *s, cs_err *err)
{
    size_t n = strlen(s) + 1;
    char *p = cs_malloc(n, err);
    if (p) memcpy(p, s, n);
    return p;
}
