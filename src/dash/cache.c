/*
 * cache.c: what makes the page light to load (see dash.h): the files held in memory with a
 * content ETag and a gzip copy, rebuilt when a file's size or modification time changes;
 * index.html served with its local scripts and styles versioned ("app.js?v=<etag>") so that
 * those can be cached for a year and a new version is fetched the moment it exists.
 */
#include "dash.h"
#include "../base/sha256.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <zlib.h>

#define DASH_CACHE_MAX_FILE (8u << 20)   /* larger files are not held (none of the page's are) */
#define DASH_GZIP_MIN 256                /* smaller bodies are sent as they are */

typedef struct _entry {
    char *path;
    off_t size;
    struct timespec mtime;
    char *data, *gz;
    size_t len, gz_len;
    char etag[DASH_ETAG_LEN];
    struct _entry *next;
} _entry;

struct dash_assets {
    char root[PATH_MAX];
    pthread_mutex_t mu;
    _entry *head;
};

void dash_etag(const void *data, size_t len, char out[DASH_ETAG_LEN])
{
    unsigned char d[CS_SHA256_LEN];
    cs_sha256_digest(data, len, d);
    /* "\"" + 16 hex digits + "\"": 64 bits of the content's SHA-256 */
    out[0] = '"';
    for (int i = 0; i < 8; i++) snprintf(out + 1 + 2 * i, 3, "%02x", d[i]);
    out[17] = '"';
    out[18] = '\0';
}

int dash_etag_match(const char *if_none_match, const char *etag)
{
    size_t n = strlen(etag);
    if (!if_none_match) return 0;
    for (const char *p = if_none_match; *p;) {
        while (*p == ' ' || *p == ',' || *p == '\t') p++;
        if (*p == '*') return 1;
        if (!strncmp(p, "W/", 2)) p += 2;       /* a weak comparison is enough for a GET */
        if (!strncmp(p, etag, n) && (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t')) return 1;
        while (*p && *p != ',') p++;
    }
    return 0;
}

int dash_accepts_gzip(const char *ae)
{
    if (!ae) return 0;
    for (const char *p = ae; (p = strcasestr(p, "gzip")) != NULL; p += 4) {
        const char *q = p + 4;
        if (p > ae && p[-1] != ' ' && p[-1] != ',' && p[-1] != '\t') continue;
        while (*q == ' ') q++;
        if (*q == ';') {   /* gzip;q=0 refuses it */
            const char *v = strstr(q, "q=");
            if (v && strtod(v + 2, NULL) == 0) return 0;
        }
        return 1;
    }
    return 0;
}

cs_status dash_gzip(const void *data, size_t len, char **out, size_t *out_len, cs_err *err)
{
    z_stream z;
    uLong cap = compressBound((uLong)len) + 64;
    char *buf = malloc(cap);
    int rc;
    *out = NULL;
    *out_len = 0;
    if (!buf) return cs_err_set(err, CS_ENOMEM, "out of memory");
    memset(&z, 0, sizeof z);
    /* 15 + 16: a gzip header and trailer around the deflate stream */
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(buf);
        return cs_err_set(err, CS_EINTERNAL, "zlib: deflateInit2 failed");
    }
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)buf;
    z.avail_out = (uInt)cap;
    rc = deflate(&z, Z_FINISH);
    if (rc != Z_STREAM_END) {
        deflateEnd(&z);
        free(buf);
        return cs_err_set(err, CS_EINTERNAL, "zlib: deflate failed (%d)", rc);
    }
    *out_len = z.total_out;
    deflateEnd(&z);
    *out = buf;
    return CS_OK;
}

dash_assets *dash_assets_create(const char *root_real, cs_err *err)
{
    dash_assets *a = calloc(1, sizeof *a);
    if (!a) {
        cs_err_set(err, CS_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(a->root, sizeof a->root, "%s", root_real);
    pthread_mutex_init(&a->mu, NULL);
    return a;
}

static void _entry_free(_entry *e)
{
    if (!e) return;
    free(e->path);
    free(e->data);
    free(e->gz);
    free(e);
}

void dash_assets_free(dash_assets *a)
{
    if (!a) return;
    for (_entry *e = a->head, *n; e; e = n) {
        n = e->next;
        _entry_free(e);
    }
    pthread_mutex_destroy(&a->mu);
    free(a);
}

void dash_asset_clear(dash_asset *x)
{
    if (!x) return;
    free(x->data);
    free(x->gz);
    memset(x, 0, sizeof *x);
}

static cs_status _read_all(const char *path, off_t size, char **out, cs_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    if (!f) return cs_err_set(err, CS_EIO, "%s: %s", path, strerror(errno));
    if (!(buf = malloc((size_t)size + 1))) {
        fclose(f);
        return cs_err_set(err, CS_ENOMEM, "out of memory");
    }
    if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(buf);
        return cs_err_set(err, CS_EIO, "%s: short read", path);
    }
    fclose(f);
    buf[size] = '\0';
    *out = buf;
    return CS_OK;
}

static int _compressible(const char *path)
{
    const char *type = dash_mime(path);
    return !strncmp(type, "text/", 5) || strstr(type, "json") || strstr(type, "svg") || strstr(type, "icon");
}

/* The ETag of a plain (non-HTML) file of the root, through the cache; 0 when not found. */
static int _etag_of(dash_assets *a, const char *url_path, char etag[DASH_ETAG_LEN]);

/* index.html's local script and style references get "?v=<etag>" */
static cs_status _version_refs(dash_assets *a, const char *html, size_t len, cs_buf *out, cs_err *err)
{
    const char *p = html, *end = html + len;
    while (p < end) {
        const char *s = strstr(p, "src=\""), *h = strstr(p, "href=\""), *m;
        size_t skip;
        if (!s && !h) break;
        m = (!s || (h && h < s)) ? h : s;
        skip = m == s ? 5 : 6;
        const char *v = m + skip, *q = strchr(v, '"');
        if (!q) break;
        cs_buf_append(out, p, (size_t)(v - p), NULL);
        {
            char ref[512], url[520], etag[DASH_ETAG_LEN];
            size_t n = (size_t)(q - v);
            int local = n > 0 && n < sizeof ref && !memchr(v, ':', n) && !memchr(v, '?', n) && !memchr(v, '#', n) &&
                        v[0] != '/' && v[0] != '.';
            cs_buf_append(out, v, n, NULL);
            if (local) {
                memcpy(ref, v, n);
                ref[n] = '\0';
                snprintf(url, sizeof url, "/%s", ref);
                if (!strstr(ref, ".html") && _etag_of(a, url, etag)) {
                    cs_buf_puts(out, "?v=", NULL);
                    cs_buf_append(out, etag + 1, strlen(etag) - 2, NULL);   /* without the quotes */
                }
            }
        }
        p = q;
    }
    if (p < end) cs_buf_append(out, p, (size_t)(end - p), NULL);
    return cs_buf_append(out, "", 0, err);
}

/* The cache entry of an absolute file path, (re)built when the file changed; called with
 * a->mu held. */
static _entry *_lookup(dash_assets *a, const char *path, cs_err *err)
{
    struct stat sb;
    _entry *e, **pp;
    if (stat(path, &sb) != 0) {
        cs_err_set(err, CS_ENOTFOUND, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if ((size_t)sb.st_size > DASH_CACHE_MAX_FILE) {
        cs_err_set(err, CS_EINVAL, "%s: %lld bytes, more than the dashboard serves", path, (long long)sb.st_size);
        return NULL;
    }
    for (pp = &a->head; (e = *pp) != NULL; pp = &e->next)
        if (!strcmp(e->path, path)) break;
    if (e && e->size == sb.st_size && e->mtime.tv_sec == sb.st_mtim.tv_sec && e->mtime.tv_nsec == sb.st_mtim.tv_nsec)
        return e;
    if (e) {    /* changed on disk: drop the old copy */
        *pp = e->next;
        _entry_free(e);
    }
    if (!(e = calloc(1, sizeof *e)) || !(e->path = strdup(path))) {
        free(e);
        cs_err_set(err, CS_ENOMEM, "out of memory");
        return NULL;
    }
    e->size = sb.st_size;
    e->mtime = sb.st_mtim;
    if (_read_all(path, sb.st_size, &e->data, err) != CS_OK) {
        _entry_free(e);
        return NULL;
    }
    e->len = (size_t)sb.st_size;
    dash_etag(e->data, e->len, e->etag);
    if (e->len >= DASH_GZIP_MIN && _compressible(path) && dash_gzip(e->data, e->len, &e->gz, &e->gz_len, err) != CS_OK) {
        _entry_free(e);
        return NULL;
    }
    if (e->gz && e->gz_len >= e->len) {     /* no gain */
        free(e->gz);
        e->gz = NULL;
        e->gz_len = 0;
    }
    e->next = a->head;
    a->head = e;
    return e;
}

static int _etag_of(dash_assets *a, const char *url_path, char etag[DASH_ETAG_LEN])
{
    char path[PATH_MAX];
    _entry *e;
    if (dash_resolve(a->root, url_path, path, sizeof path) != 0) return 0;
    if (!(e = _lookup(a, path, NULL))) return 0;
    memcpy(etag, e->etag, DASH_ETAG_LEN);
    return 1;
}

static cs_status _dup(const char *src, size_t len, char **out, cs_err *err)
{
    if (!(*out = malloc(len + 1))) return cs_err_set(err, CS_ENOMEM, "out of memory");
    memcpy(*out, src, len);
    (*out)[len] = '\0';
    return CS_OK;
}

cs_status dash_assets_get(dash_assets *a, const char *path, dash_asset *out, cs_err *err)
{
    _entry *e;
    cs_status st = CS_OK;
    const char *base = strrchr(path, '/');
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&a->mu);
    if (!(e = _lookup(a, path, err))) {
        pthread_mutex_unlock(&a->mu);
        return err ? err->code : CS_EIO;
    }
    if (base && !strcmp(base, "/index.html")) {
        /* rebuilt on every request: the versions follow the files it names */
        cs_buf b = {0};
        st = _version_refs(a, e->data, e->len, &b, err);
        pthread_mutex_unlock(&a->mu);
        if (st != CS_OK) {
            cs_buf_free(&b);
            return st;
        }
        out->data = b.data;
        out->len = b.len;
        dash_etag(out->data, out->len, out->etag);
        if (out->len >= DASH_GZIP_MIN && (st = dash_gzip(out->data, out->len, &out->gz, &out->gz_len, err)) != CS_OK) {
            dash_asset_clear(out);
            return st;
        }
        return CS_OK;
    }
    memcpy(out->etag, e->etag, DASH_ETAG_LEN);
    st = _dup(e->data, e->len, &out->data, err);
    out->len = e->len;
    if (st == CS_OK && e->gz) {
        st = _dup(e->gz, e->gz_len, &out->gz, err);
        out->gz_len = e->gz_len;
    }
    pthread_mutex_unlock(&a->mu);
    if (st != CS_OK) dash_asset_clear(out);
    return st;
}
