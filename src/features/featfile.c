/*
 * featfile.c: the feature matrix in memory and its binary file (".csf"), as featfile.h
 * describes: writing through a temporary file, fsync and a rename, loading with mmap after
 * checking the header's own checksum, every offset and size against the file, the
 * checksum of the names, ids, targets and column checksums, and the checksum of each value
 * column (all at once, or each column when it is first read), and the CSV export.
 *
 * Layout, format 2 (little-endian, every section starts on a 64-byte boundary):
 *   header (128 bytes): magic "CSFEAT\0\0", u32 version, u32 header size, u64 n_rows,
 *     u64 n_feats, u64 offsets and byte lengths of the names, ids, target and values
 *     sections, u64 file length, u64 meta checksum, u64 offset of the column checksums,
 *     u64 header checksum = cs_hash64(header bytes [0, 120), 0)
 *   names: n_feats NUL-terminated strings, one after the other
 *   ids: n_rows int64; target: n_rows double; values: n_feats * n_rows double, column-major
 *   column checksums: n_feats u64, cs_hash64 of each value column's n_rows * 8 bytes
 *   meta checksum = cs_hash64 over names, ids, target and the column checksums, chained
 * The first 112 bytes of the header are laid out as in format 1 (whose single checksum
 * covered everything after the header, and nothing of the header), so tools that read the
 * offsets keep working; format 1 files are refused with a message saying to rebuild them.
 */
#include "featfile.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define HDR_SIZE 128
#define ALIGN 64
static const char MAGIC[8] = {'C', 'S', 'F', 'E', 'A', 'T', 0, 0};

/* the header as stored; every field is little-endian (x86-64 and arm64 are) */
typedef struct _hdr {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    uint64_t n_rows;
    uint64_t n_feats;
    uint64_t names_off, names_len;
    uint64_t ids_off, ids_len;
    uint64_t target_off, target_len;
    uint64_t values_off, values_len;
    uint64_t file_len;
    uint64_t checksum;      /* format 1: of bytes [128, file_len); format 2: the meta checksum */
    uint64_t colsum_off;    /* format 2: n_feats u64 column checksums */
    uint64_t hdr_checksum;  /* format 2: cs_hash64 of the bytes before this field */
} _hdr;

_Static_assert(sizeof(_hdr) == HDR_SIZE, "feature file header must be 128 bytes");
_Static_assert(offsetof(_hdr, hdr_checksum) == HDR_SIZE - 8, "header checksum is the last field");

/* ---- the matrix ------------------------------------------------------------------ */

feat_matrix *feat_matrix_create(size_t n_rows, size_t n_feats, cs_err *err)
{
    feat_matrix *m = cs_calloc(1, sizeof *m, err);
    if (!m) return NULL;
    m->n_rows = n_rows;
    m->n_feats = n_feats;
    m->names = cs_calloc(n_feats ? n_feats : 1, sizeof *m->names, err);
    m->ids = cs_calloc(n_rows ? n_rows : 1, sizeof *m->ids, err);
    m->target = cs_reallocarray(NULL, n_rows ? n_rows : 1, sizeof *m->target, err);
    if (n_feats && n_rows && n_rows > SIZE_MAX / sizeof(double) / n_feats) {
        cs_err_set(err, CS_ENOMEM, "feature matrix of %zu x %zu values is too large", n_rows, n_feats);
        m->values = NULL;
    } else {
        m->values = cs_reallocarray(NULL, (n_rows && n_feats) ? n_rows * n_feats : 1, sizeof(double), err);
    }
    if (!m->names || !m->ids || !m->target || !m->values) {
        feat_matrix_free(m);
        return NULL;
    }
    for (size_t i = 0; i < n_rows; i++) m->target[i] = NAN;
    for (size_t k = 0; k < n_rows * n_feats; k++) m->values[k] = NAN;
    return m;
}

typedef struct _wfile {
    char *tmp;      /* the temporary file, removed unless committed */
    char *path;     /* the final name */
    int committed;
} _wfile;

void feat_matrix_free(feat_matrix *m)
{
    if (!m) return;
    if (m->_file) {
        _wfile *w = m->_file;
        if (!w->committed) unlink(w->tmp);
        free(w->tmp);
        free(w->path);
        free(w);
    }
    free(m->_colok);
    if (m->_map) {
        munmap(m->_map, m->_map_len);
        free(m->names); /* the strings live in the mapping */
    } else {
        if (m->names)
            for (size_t j = 0; j < m->n_feats; j++) free(m->names[j]);
        free(m->names);
        free(m->ids);
        free(m->target);
        free(m->values);
    }
    free(m);
}

long feat_index(const feat_matrix *m, const char *name)
{
    if (!m || !name) return -1;
    for (size_t j = 0; j < m->n_feats; j++)
        if (m->names[j] && !strcmp(m->names[j], name)) return (long)j;
    return -1;
}

/* ---- writing --------------------------------------------------------------------- */

static uint64_t _align(uint64_t x)
{
    return (x + ALIGN - 1) / ALIGN * ALIGN;
}

/* write all of buf at the current position of fd */
static int _write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        size_t chunk = len > (1u << 30) ? (1u << 30) : len;
        ssize_t w = write(fd, p, chunk);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static int _pad_to(int fd, uint64_t *pos, uint64_t target)
{
    static const char zeros[ALIGN] = {0};
    if (target > *pos && _write_all(fd, zeros, (size_t)(target - *pos))) return -1;
    *pos = target;
    return 0;
}

/* the header of a file of n_rows x n_feats with names_len bytes of names (checksums 0) */
static void _layout(_hdr *h, uint64_t n_rows, uint64_t n_feats, uint64_t names_len)
{
    memset(h, 0, sizeof *h);
    memcpy(h->magic, MAGIC, sizeof MAGIC);
    h->version = FEAT_FILE_VERSION;
    h->header_size = HDR_SIZE;
    h->n_rows = n_rows;
    h->n_feats = n_feats;
    h->names_off = _align(HDR_SIZE);
    h->names_len = names_len;
    h->ids_off = _align(h->names_off + names_len);
    h->ids_len = n_rows * sizeof(int64_t);
    h->target_off = _align(h->ids_off + h->ids_len);
    h->target_len = n_rows * sizeof(double);
    h->values_off = _align(h->target_off + h->target_len);
    h->values_len = n_rows * n_feats * sizeof(double);
    h->colsum_off = _align(h->values_off + h->values_len);
    h->file_len = h->colsum_off + n_feats * sizeof(uint64_t);
}

/* the checksum of the header's bytes before its own checksum */
static uint64_t _hdr_sum(const _hdr *h)
{
    return cs_hash64(h, offsetof(_hdr, hdr_checksum), 0);
}

/* the meta checksum: names, ids, targets and the column checksums, chained */
static uint64_t _meta_sum(const _hdr *h, const char *names, const void *ids, const void *target,
                          const uint64_t *colsum)
{
    uint64_t x = cs_hash64(names, h->names_len, 0);
    x = cs_hash64(ids, h->ids_len, x);
    x = cs_hash64(target, h->target_len, x);
    return cs_hash64(colsum, h->n_feats * sizeof *colsum, x);
}

/* the checksum of every value column into colsum (n_feats), in parallel */
static void _col_sums(const double *values, uint64_t n_rows, uint64_t n_feats, uint64_t *colsum)
{
#pragma omp parallel for schedule(dynamic, 4) if (n_feats * n_rows > 1000000)
    for (uint64_t j = 0; j < n_feats; j++) colsum[j] = cs_hash64(values + j * n_rows, n_rows * sizeof(double), 0);
}

cs_status feat_file_write(const feat_matrix *m, const char *path, cs_err *err)
{
    _hdr h;
    uint64_t pos = HDR_SIZE, names_len = 0;
    char *tmp;
    int fd;

    if (!m || !path) return cs_err_set(err, CS_EINVAL, "feat_file_write: no matrix or no path");
    for (size_t j = 0; j < m->n_feats; j++) {
        if (!m->names[j]) return cs_err_set(err, CS_EINVAL, "%s: feature %zu has no name", path, j);
        names_len += strlen(m->names[j]) + 1;
    }
    _layout(&h, m->n_rows, m->n_feats, names_len);

    tmp = cs_malloc(strlen(path) + 16, err);
    if (!tmp) return CS_ENOMEM;
    sprintf(tmp, "%s.tmp.XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        cs_err_set(err, CS_EIO, "%s: cannot create a temporary file: %s", path, strerror(errno));
        free(tmp);
        return CS_EIO;
    }
    fchmod(fd, 0644);
    {
        char hbuf[HDR_SIZE] = {0};
        memcpy(hbuf, &h, sizeof h);
        if (_write_all(fd, hbuf, HDR_SIZE)) goto io_fail;
    }
    if (_pad_to(fd, &pos, h.names_off)) goto io_fail;
    for (size_t j = 0; j < m->n_feats; j++) {
        size_t l = strlen(m->names[j]) + 1;
        if (_write_all(fd, m->names[j], l)) goto io_fail;
        pos += l;
    }
    if (_pad_to(fd, &pos, h.ids_off) || _write_all(fd, m->ids, h.ids_len)) goto io_fail;
    pos += h.ids_len;
    if (_pad_to(fd, &pos, h.target_off) || _write_all(fd, m->target, h.target_len)) goto io_fail;
    pos += h.target_len;
    if (_pad_to(fd, &pos, h.values_off) || _write_all(fd, m->values, h.values_len)) goto io_fail;
    pos += h.values_len;

    /* the column checksums (of the columns in memory, which were just written), then the
     * meta and header checksums, then the data on disk before the name points at it */
    {
        uint64_t *colsum = cs_malloc((m->n_feats ? m->n_feats : 1) * sizeof *colsum, err);
        if (!colsum) {
            close(fd);
            unlink(tmp);
            free(tmp);
            return CS_ENOMEM;
        }
        _col_sums(m->values, m->n_rows, m->n_feats, colsum);
        {
            char *names = cs_malloc(names_len ? names_len : 1, err);
            size_t o = 0;
            if (!names) {
                free(colsum);
                close(fd);
                unlink(tmp);
                free(tmp);
                return CS_ENOMEM;
            }
            for (size_t j = 0; j < m->n_feats; j++) {
                size_t l = strlen(m->names[j]) + 1;
                memcpy(names + o, m->names[j], l);
                o += l;
            }
            h.checksum = _meta_sum(&h, names, m->ids, m->target, colsum);
            free(names);
        }
        if (_pad_to(fd, &pos, h.colsum_off) || _write_all(fd, colsum, m->n_feats * sizeof *colsum)) {
            free(colsum);
            goto io_fail;
        }
        free(colsum);
    }
    h.hdr_checksum = _hdr_sum(&h);
    if (pwrite(fd, &h, sizeof h, 0) != (ssize_t)sizeof h) goto io_fail;
    if (fsync(fd)) goto io_fail;
    if (close(fd)) {
        fd = -1;
        goto io_fail;
    }
    if (rename(tmp, path)) {
        cs_err_set(err, CS_EIO, "%s: cannot rename the temporary file into place: %s", path,
                   strerror(errno));
        unlink(tmp);
        free(tmp);
        return CS_EIO;
    }
    free(tmp);
    if (cs_sync_dir(path))
        return cs_err_set(err, CS_EIO, "%s: written, but its folder could not be synced: %s", path, strerror(errno));
    return CS_OK;

io_fail:
    if (errno == 0) errno = EIO;
    cs_err_set(err, CS_EIO, "%s: write failed: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
    unlink(tmp);
    free(tmp);
    return CS_EIO;
}

feat_matrix *feat_file_create(const char *path, size_t n_rows, size_t n_feats,
                              const char *const *names, cs_err *err)
{
    _hdr h;
    uint64_t names_len = 0;
    feat_matrix *m = NULL;
    _wfile *w = NULL;
    char *map, *p;
    int fd = -1;

    if (!path || (n_feats && !names)) {
        cs_err_set(err, CS_EINVAL, "feat_file_create: no path or no names");
        return NULL;
    }
    if (n_rows && n_feats > SIZE_MAX / 8 / n_rows) {
        cs_err_set(err, CS_EINVAL, "%s: %zu x %zu values is too large", path, n_rows, n_feats);
        return NULL;
    }
    for (size_t j = 0; j < n_feats; j++) names_len += strlen(names[j]) + 1;
    _layout(&h, n_rows, n_feats, names_len);
    m = cs_calloc(1, sizeof *m, err);
    w = cs_calloc(1, sizeof *w, err);
    if (!m || !w || !(w->path = cs_strdup(path, err)) || !(w->tmp = cs_malloc(strlen(path) + 16, err)) ||
        !(m->names = cs_calloc(n_feats ? n_feats : 1, sizeof *m->names, err)))
        goto fail;
    sprintf(w->tmp, "%s.tmp.XXXXXX", path);
    fd = mkstemp(w->tmp);
    if (fd < 0) {
        cs_err_set(err, CS_EIO, "%s: cannot create a temporary file: %s", path, strerror(errno));
        free(w->tmp);
        w->tmp = NULL;
        goto fail;
    }
    m->_file = w;
    fchmod(fd, 0644);
    if (ftruncate(fd, (off_t)h.file_len)) {
        cs_err_set(err, CS_EIO, "%s: cannot size the file to %llu bytes: %s", path,
                   (unsigned long long)h.file_len, strerror(errno));
        goto fail;
    }
    map = mmap(NULL, h.file_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        cs_err_set(err, CS_EIO, "%s: cannot map: %s", path, strerror(errno));
        goto fail;
    }
    close(fd);
    fd = -1;
    m->_map = map;
    m->_map_len = h.file_len;
    memcpy(map, &h, sizeof h);
    p = map + h.names_off;
    for (size_t j = 0; j < n_feats; j++) {
        size_t l = strlen(names[j]) + 1;
        memcpy(p, names[j], l);
        m->names[j] = p;
        p += l;
    }
    m->n_rows = n_rows;
    m->n_feats = n_feats;
    m->ids = (int64_t *)(map + h.ids_off);
    m->target = (double *)(map + h.target_off);
    m->values = (double *)(map + h.values_off);
    return m;
fail:
    if (fd >= 0) close(fd);
    if (m && m->_map) { /* m owns w and the mapping: freeing it removes the file */
        feat_matrix_free(m);
        return NULL;
    }
    if (w) {
        if (m && m->_file) unlink(w->tmp); /* the temporary file was created */
        free(w->tmp);
        free(w->path);
        free(w);
    }
    if (m) {
        free(m->names);
        free(m);
    }
    return NULL;
}

cs_status feat_file_commit(feat_matrix *m, cs_err *err)
{
    _wfile *w = m ? m->_file : NULL;
    _hdr h;
    char *map;
    uint64_t *colsum;
    if (!w || !m->_map) return cs_err_set(err, CS_EINVAL, "feat_file_commit: not a matrix from feat_file_create");
    map = m->_map;
    memcpy(&h, map, sizeof h);
    colsum = (uint64_t *)(map + h.colsum_off);
    _col_sums(m->values, h.n_rows, h.n_feats, colsum);
    h.checksum = _meta_sum(&h, map + h.names_off, map + h.ids_off, map + h.target_off, colsum);
    h.hdr_checksum = _hdr_sum(&h);
    memcpy(map, &h, sizeof h);
    /* on disk before the name points at it: a crash never leaves a half-written file there */
    if (msync(map, h.file_len, MS_SYNC))
        return cs_err_set(err, CS_EIO, "%s: cannot write the file to disk: %s", w->path, strerror(errno));
    if (rename(w->tmp, w->path))
        return cs_err_set(err, CS_EIO, "%s: cannot rename the temporary file into place: %s", w->path,
                          strerror(errno));
    w->committed = 1;
    if (cs_sync_dir(w->path))
        return cs_err_set(err, CS_EIO, "%s: written, but its folder could not be synced: %s", w->path,
                          strerror(errno));
    return CS_OK;
}

/* ---- loading --------------------------------------------------------------------- */

/* is [off, off + len) inside a file of file_len bytes, 64-byte aligned, after the header? */
static int _section_ok(uint64_t off, uint64_t len, uint64_t file_len)
{
    return off >= HDR_SIZE && off % ALIGN == 0 && off <= file_len && len <= file_len - off;
}

/* do [a, a + al) and [b, b + bl) overlap? */
static int _overlap(uint64_t a, uint64_t al, uint64_t b, uint64_t bl)
{
    return al && bl && a < b + bl && b < a + al;
}

feat_matrix *feat_file_open(const char *path, unsigned flags, cs_err *err)
{
    int fd;
    struct stat st;
    void *map;
    _hdr h;
    feat_matrix *m = NULL;
    const char *names, *p;
    uint64_t mul;

    if (!path) {
        cs_err_set(err, CS_EINVAL, "feat_file_load: no path");
        return NULL;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        cs_err_set(err, CS_EIO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st)) {
        cs_err_set(err, CS_EIO, "%s: cannot stat: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        cs_err_set(err, CS_EIO, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    if ((uint64_t)st.st_size < HDR_SIZE) {
        cs_err_set(err, CS_ECORRUPT, "%s: not a feature file (%lld bytes, shorter than the header)",
                   path, (long long)st.st_size);
        close(fd);
        return NULL;
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        cs_err_set(err, CS_EIO, "%s: cannot map: %s", path, strerror(errno));
        return NULL;
    }
    memcpy(&h, map, sizeof h);
    if (memcmp(h.magic, MAGIC, sizeof MAGIC)) {
        cs_err_set(err, CS_ECORRUPT, "%s: not a feature file (bad magic)", path);
        goto fail;
    }
    if (h.version == 1) {
        cs_err_set(err, CS_EVERSION,
                   "%s: feature file format 1 (an older creditscore's; its header is not checksummed) is no "
                   "longer read: rebuild it with creditscore features", path);
        goto fail;
    }
    if (h.version > FEAT_FILE_VERSION) {
        cs_err_set(err, CS_EVERSION,
                   "%s: feature file format version %u is newer than this build reads (%d)", path,
                   h.version, FEAT_FILE_VERSION);
        goto fail;
    }
    /* the header first: nothing it says is used before its own checksum holds */
    if (_hdr_sum(&h) != h.hdr_checksum) {
        cs_err_set(err, CS_ECORRUPT, "%s: header checksum mismatch: the file is corrupt", path);
        goto fail;
    }
    if (h.version != FEAT_FILE_VERSION || h.header_size != HDR_SIZE) {
        cs_err_set(err, CS_ECORRUPT, "%s: corrupt header (version %u, header size %u)", path,
                   h.version, h.header_size);
        goto fail;
    }
    if (h.file_len != (uint64_t)st.st_size) {
        cs_err_set(err, CS_ECORRUPT, "%s: file is %lld bytes but its header says %llu: %s", path,
                   (long long)st.st_size, (unsigned long long)h.file_len,
                   h.file_len > (uint64_t)st.st_size ? "truncated" : "trailing bytes");
        goto fail;
    }
    /* every size from the counts, every section inside the file, in order, apart */
    if (h.n_rows > h.file_len / 8 || h.n_feats > h.file_len / 8 ||
        (h.n_rows && h.n_feats > h.file_len / 8 / h.n_rows) || __builtin_mul_overflow(h.n_rows, h.n_feats, &mul) ||
        h.ids_len != h.n_rows * 8 || h.target_len != h.n_rows * 8 || h.values_len != mul * 8 ||
        (h.n_feats && h.names_len < h.n_feats) || h.names_off != HDR_SIZE ||
        !_section_ok(h.names_off, h.names_len, h.file_len) || !_section_ok(h.ids_off, h.ids_len, h.file_len) ||
        !_section_ok(h.target_off, h.target_len, h.file_len) ||
        !_section_ok(h.values_off, h.values_len, h.file_len) ||
        !_section_ok(h.colsum_off, h.n_feats * 8, h.file_len) ||
        _overlap(h.names_off, h.names_len, h.ids_off, h.ids_len) ||
        _overlap(h.ids_off, h.ids_len, h.target_off, h.target_len) ||
        _overlap(h.target_off, h.target_len, h.values_off, h.values_len) ||
        _overlap(h.values_off, h.values_len, h.colsum_off, h.n_feats * 8) ||
        h.ids_off < h.names_off + h.names_len || h.target_off < h.ids_off + h.ids_len ||
        h.values_off < h.target_off + h.target_len || h.colsum_off < h.values_off + h.values_len ||
        h.colsum_off + h.n_feats * 8 != h.file_len) {
        cs_err_set(err, CS_ECORRUPT, "%s: corrupt header (section offsets and sizes do not fit the file)", path);
        goto fail;
    }
    /* the padding between sections is zeros: then no byte of the file goes unchecked */
    {
        const unsigned char *b = map;
        const uint64_t gaps[5][2] = {{h.names_off + h.names_len, h.ids_off},
                                     {h.ids_off + h.ids_len, h.target_off},
                                     {h.target_off + h.target_len, h.values_off},
                                     {h.values_off + h.values_len, h.colsum_off},
                                     {HDR_SIZE, h.names_off}};
        for (int g = 0; g < 5; g++)
            for (uint64_t x = gaps[g][0]; x < gaps[g][1]; x++)
                if (b[x]) {
                    cs_err_set(err, CS_ECORRUPT, "%s: corrupt file (byte %llu between sections is not zero)", path,
                               (unsigned long long)x);
                    goto fail;
                }
    }
    names = (const char *)map + h.names_off;
    if (_meta_sum(&h, names, (const char *)map + h.ids_off, (const char *)map + h.target_off,
                  (const uint64_t *)((const char *)map + h.colsum_off)) != h.checksum) {
        cs_err_set(err, CS_ECORRUPT, "%s: checksum mismatch in the names, ids or targets: the file is corrupt", path);
        goto fail;
    }
    if (h.n_feats && names[h.names_len - 1] != '\0') {
        cs_err_set(err, CS_ECORRUPT, "%s: corrupt names section", path);
        goto fail;
    }
    m = cs_calloc(1, sizeof *m, err);
    if (!m) goto fail;
    m->names = cs_calloc(h.n_feats ? h.n_feats : 1, sizeof *m->names, err);
    m->_colok = cs_calloc(h.n_feats ? h.n_feats : 1, 1, err);
    if (!m->names || !m->_colok) goto fail;
    p = names;
    for (uint64_t j = 0; j < h.n_feats; j++) {
        if (p >= names + h.names_len) {
            cs_err_set(err, CS_ECORRUPT, "%s: corrupt names section (%llu names for %llu features)",
                       path, (unsigned long long)j, (unsigned long long)h.n_feats);
            goto fail;
        }
        m->names[j] = (char *)p;
        p += strlen(p) + 1;
    }
    m->n_rows = h.n_rows;
    m->n_feats = h.n_feats;
    m->ids = (int64_t *)((char *)map + h.ids_off);
    m->target = (double *)((char *)map + h.target_off);
    m->values = (double *)((char *)map + h.values_off);
    m->_colsum = (const uint64_t *)((char *)map + h.colsum_off);
    m->_map = map;
    m->_map_len = (size_t)st.st_size;
    if (!(flags & FEAT_OPEN_LAZY)) {
        int bad = -1;
#pragma omp parallel for schedule(dynamic, 4) if (h.n_feats * h.n_rows > 1000000)
        for (uint64_t j = 0; j < h.n_feats; j++)
            if (cs_hash64(m->values + j * h.n_rows, h.n_rows * 8, 0) == m->_colsum[j]) m->_colok[j] = 1;
            else {
#pragma omp critical(feat_bad_col)
                if (bad < 0 || (long)j < bad) bad = (int)j;
            }
        if (bad >= 0) {
            cs_err_set(err, CS_ECORRUPT, "%s: checksum mismatch in column %d (%s): the file is corrupt", path, bad + 1,
                       m->names[bad]);
            feat_matrix_free(m);
            return NULL;
        }
    }
    return m;

fail:
    if (m) {
        free(m->names);
        free(m->_colok);
        free(m);
    }
    munmap(map, (size_t)st.st_size);
    return NULL;
}

feat_matrix *feat_file_load(const char *path, cs_err *err)
{
    return feat_file_open(path, 0, err);
}

cs_status feat_file_check_col(const feat_matrix *m, size_t j, const char *path, cs_err *err)
{
    if (!m || j >= m->n_feats) return cs_err_set(err, CS_EINVAL, "feat_file_check_col: no such column");
    if (!m->_map || !m->_colsum || __atomic_load_n(&m->_colok[j], __ATOMIC_ACQUIRE)) return CS_OK;
    return feat_file_check_col_sum(m, j, cs_hash64(m->values + j * m->n_rows, m->n_rows * sizeof(double), 0), path,
                                   err);
}

int feat_file_col_unverified(const feat_matrix *m, size_t j)
{
    return m && j < m->n_feats && m->_map && m->_colsum && !__atomic_load_n(&m->_colok[j], __ATOMIC_ACQUIRE);
}

cs_status feat_file_check_col_sum(const feat_matrix *m, size_t j, uint64_t sum, const char *path, cs_err *err)
{
    if (!m || j >= m->n_feats) return cs_err_set(err, CS_EINVAL, "feat_file_check_col_sum: no such column");
    if (!m->_map || !m->_colsum) return CS_OK;
    if (sum != m->_colsum[j])
        return cs_err_set(err, CS_ECORRUPT, "%s: checksum mismatch in column %zu (%s): the file is corrupt",
                          path ? path : "feature file", j + 1, m->names[j]);
    __atomic_store_n(&m->_colok[j], 1, __ATOMIC_RELEASE);
    return CS_OK;
}

/* ---- CSV ------------------------------------------------------------------------- */

/* append v's CSV text to out (which has room for 40 bytes): empty for NaN, whole numbers
 * below 1e15 by a fast path (the same text as cs_fmt_double), the rest by cs_fmt_double */
static size_t _csv_value(char *out, double v)
{
    char tmp[24];
    size_t n = 0, k = 0;
    uint64_t u;
    if (v != v) return 0;
    if (v == 0 && signbit(v)) return (size_t)cs_fmt_double(out, 40, v);
    if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v) {
        int64_t x = (int64_t)v;
        if (x < 0) out[n++] = '-';
        u = x < 0 ? (uint64_t)(-x) : (uint64_t)x;
        do {
            tmp[k++] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        while (k) out[n++] = tmp[--k];
        return n;
    }
    return (size_t)cs_fmt_double(out, 40, v);
}

#define CSV_BLOCK 2048 /* rows formatted per task */

cs_status feat_file_write_csv(const feat_matrix *m, const char *path, cs_err *err)
{
    return feat_file_write_csv_as(m, path, "SK_ID_CURR", "TARGET", err);
}

cs_status feat_file_write_csv_as(const feat_matrix *m, const char *path, const char *id_name,
                                 const char *target_name, cs_err *err)
{
    FILE *f;
    char *tmp;
    int fd;

    if (!m || !path) return cs_err_set(err, CS_EINVAL, "feat_file_write_csv: no matrix or no path");
    tmp = cs_malloc(strlen(path) + 16, err);
    if (!tmp) return CS_ENOMEM;
    sprintf(tmp, "%s.tmp.XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0 || !(f = fdopen(fd, "w"))) {
        cs_err_set(err, CS_EIO, "%s: cannot create: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        return CS_EIO;
    }
    fchmod(fd, 0644);
    cs_csv_field(f, id_name);
    fputc(',', f);
    cs_csv_field(f, target_name);
    for (size_t j = 0; j < m->n_feats; j++) {
        fputc(',', f);
        cs_csv_field(f, m->names[j] ? m->names[j] : "");
    }
    fputc('\n', f);
    {
        /* blocks of rows formatted in parallel, written in order */
        size_t n_blocks = (m->n_rows + CSV_BLOCK - 1) / CSV_BLOCK;
        size_t row_max = 44 * (m->n_feats + 2) + 2;
        int oom = 0;
#pragma omp parallel for ordered schedule(static, 1) if (n_blocks > 1)
        for (size_t b = 0; b < n_blocks; b++) {
            size_t i0 = b * CSV_BLOCK, i1 = i0 + CSV_BLOCK < m->n_rows ? i0 + CSV_BLOCK : m->n_rows;
            char *buf = malloc(row_max * (i1 - i0));
            size_t len = 0;
            if (buf) {
                for (size_t i = i0; i < i1; i++) {
                    len += (size_t)sprintf(buf + len, "%lld,", (long long)m->ids[i]);
                    len += _csv_value(buf + len, m->target[i]);
                    for (size_t j = 0; j < m->n_feats; j++) {
                        buf[len++] = ',';
                        len += _csv_value(buf + len, m->values[j * m->n_rows + i]);
                    }
                    buf[len++] = '\n';
                }
            }
#pragma omp ordered
            {
                if (!buf) oom = 1;
                else if (!oom) fwrite(buf, 1, len, f);
            }
            free(buf);
        }
        if (oom) {
            fclose(f);
            f = NULL;
            errno = ENOMEM;
        }
    }
    if (!f) {
        cs_err_set(err, CS_EIO, "%s: write failed: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return CS_EIO;
    }
    {
        cs_status st = cs_file_commit(f, tmp, path, err);   /* fsync'ed, renamed, its folder fsync'ed */
        free(tmp);
        return st;
    }
}
