/*
 * buf.c: the growable string buffer, locale-independent number formatting, and writing a
 * file whole (temporary file, renamed).
 */
#include "cs.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cs_status _buf_reserve(cs_buf *b, size_t extra, cs_err *err)
{
    size_t need = b->len + extra + 1;
    size_t cap;
    char *p;

    if (need <= b->cap) return CS_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    p = realloc(b->data, cap);
    if (!p) return cs_err_set(err, CS_ENOMEM, "out of memory growing a buffer to %zu bytes", cap);
    b->data = p;
    b->cap = cap;
    return CS_OK;
}

cs_status cs_buf_append(cs_buf *b, const void *data, size_t len, cs_err *err)
{
    cs_status st = _buf_reserve(b, len, err);
    if (st) return st;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return CS_OK;
}

cs_status cs_buf_read_file(cs_buf *b, const char *path, cs_err *err)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t n;
    cs_status st = CS_OK;
    if (!f) {
        st = cs_err_set(err, CS_EIO, "%s: cannot open: %s", path, strerror(errno));
        cs_buf_free(b);
        return st;
    }
    while (!st && (n = fread(chunk, 1, sizeof chunk, f)) > 0) st = cs_buf_append(b, chunk, n, err);
    if (!st && ferror(f)) st = cs_err_set(err, CS_EIO, "%s: read failed: %s", path, strerror(errno));
    if (!st && !b->data) st = cs_buf_append(b, "", 0, err);    /* an empty file: "" */
    fclose(f);
    if (st) cs_buf_free(b);
    return st;
}

cs_status cs_buf_puts(cs_buf *b, const char *s, cs_err *err)
{
    return cs_buf_append(b, s, strlen(s), err);
}

cs_status cs_buf_printf(cs_buf *b, cs_err *err, const char *fmt, ...)
{
    va_list ap;
    int n;
    cs_status st;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return cs_err_set(err, CS_EINVAL, "bad format string '%s'", fmt);
    st = _buf_reserve(b, (size_t)n, err);
    if (st) return st;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return CS_OK;
}

char *cs_buf_take(cs_buf *b)
{
    char *p = b->data;
    if (!p) p = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void cs_buf_free(cs_buf *b)
{
    if (!b) return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void cs_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int cs_fmt_double(char *out, size_t cap, double v)
{
    int n;
    char *comma;

    if (isnan(v)) return snprintf(out, cap, "nan");
    if (isinf(v)) return snprintf(out, cap, v > 0 ? "inf" : "-inf");
    /* shortest of %.15g / %.16g / %.17g that reads back exactly */
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(out, cap, "%.*g", prec, v);
        if (strtod(out, NULL) == v) break;
    }
    /* a process that called setlocale() may print a decimal comma: undo it */
    comma = strchr(out, ',');
    if (comma) *comma = '.';
    return n;
}

cs_status cs_write_file(const char *path, const void *data, size_t len, cs_err *err)
{
    cs_buf tmp = {0};
    cs_status st = CS_OK;
    FILE *f;
    if (cs_buf_printf(&tmp, err, "%s.tmp", path)) return CS_ENOMEM;
    if (!(f = fopen(tmp.data, "wb"))) {
        st = cs_err_set(err, CS_EIO, "%s: cannot create: %s", tmp.data, strerror(errno));
    } else if (len && fwrite(data, 1, len, f) != len) {
        st = cs_err_set(err, CS_EIO, "%s: write failed: %s", tmp.data, strerror(errno));
        fclose(f);
        remove(tmp.data);
    } else {
        st = cs_file_commit(f, tmp.data, path, err);
    }
    cs_buf_free(&tmp);
    return st;
}

cs_status cs_file_close_synced(FILE *f, const char *path, cs_err *err)
{
    const char *what = NULL;
    int e = 0;
    errno = 0;
    if (ferror(f) || fflush(f) != 0) what = "write failed", e = errno;
    else if (fsync(fileno(f)) != 0) what = "cannot sync to disk", e = errno;
    if (fclose(f) != 0 && !what) what = "write failed", e = errno;
    if (what) return cs_err_set(err, CS_EIO, "%s: %s: %s", path, what, strerror(e ? e : EIO));
    return CS_OK;
}

cs_status cs_file_place(const char *tmp, const char *path, cs_err *err)
{
    if (rename(tmp, path) != 0) {
        cs_status st = cs_err_set(err, CS_EIO, "%s: cannot rename into place: %s", path, strerror(errno));
        remove(tmp);
        return st;
    }
    if (cs_sync_dir(path) != 0)
        return cs_err_set(err, CS_EIO, "%s: written, but its folder could not be synced: %s", path, strerror(errno));
    return CS_OK;
}

cs_status cs_file_commit(FILE *f, const char *tmp, const char *path, cs_err *err)
{
    cs_status st = cs_file_close_synced(f, path, err);
    if (st) {
        remove(tmp);
        return st;
    }
    return cs_file_place(tmp, path, err);
}

int cs_sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int fd, rc;
    if (!slash) dir = strdup(".");
    else if (slash == path) dir = strdup("/");
    else dir = strndup(path, (size_t)(slash - path));
    if (!dir) return -1;
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0) return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}
