/*
 * fuzz_featfile.c: libFuzzer target for the feature file loader (feat_file_load,
 * src/features/featfile.c), which maps a file: the input is written to a temporary file
 * and loaded. Any bytes must be refused with a message naming the file, or give a matrix
 * whose names, ids, targets and values can all be read, never a crash, a leak or
 * undefined behaviour. When the first input byte's low bit is set the checksums (format 2:
 * the columns', the meta and the header's) are recomputed first, so that mutations reach
 * the checks behind them. `make fuzz` runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "features/featfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR_SIZE 128
/* format 2's header fields (featfile.c): u64 at these offsets */
#define OFF_N_ROWS 16
#define OFF_N_FEATS 24
#define OFF_NAMES 32   /* names off, len; ids off, len; target off, len; values off, len */
#define OFF_CHECKSUM 104
#define OFF_COLSUM 112
#define OFF_HDR_SUM 120

static uint64_t _u64(const unsigned char *b, size_t off)
{
    uint64_t v;
    memcpy(&v, b + off, 8);
    return v;
}

static int _fits(uint64_t off, uint64_t len, size_t n)
{
    return off <= n && len <= n - off;
}

/* recompute format 2's checksums where the header's sections fit the input: each value
 * column's, the meta checksum (names, ids, target, column checksums) and the header's */
static void _fix_sums(unsigned char *b, size_t n)
{
    uint64_t rows = _u64(b, OFF_N_ROWS), feats = _u64(b, OFF_N_FEATS), colsum = _u64(b, OFF_COLSUM);
    uint64_t s[8], h;
    for (int k = 0; k < 8; k++) s[k] = _u64(b, OFF_NAMES + 8 * (size_t)k);
    if (feats <= n / 8 && _fits(colsum, feats * 8, n) && rows <= n / 8 && _fits(s[6], s[7], n) &&
        (feats == 0 || rows <= s[7] / 8 / feats))
        for (uint64_t j = 0; j < feats; j++) {
            h = cs_hash64(b + s[6] + j * rows * 8, rows * 8, 0);
            memcpy(b + colsum + j * 8, &h, 8);
        }
    if (_fits(s[0], s[1], n) && _fits(s[2], s[3], n) && _fits(s[4], s[5], n) && feats <= n / 8 &&
        _fits(colsum, feats * 8, n)) {
        h = cs_hash64(b + s[0], s[1], 0);
        h = cs_hash64(b + s[2], s[3], h);
        h = cs_hash64(b + s[4], s[5], h);
        h = cs_hash64(b + colsum, feats * 8, h);
        memcpy(b + OFF_CHECKSUM, &h, 8);
    }
    h = cs_hash64(b, OFF_HDR_SUM, 0);
    memcpy(b + OFF_HDR_SUM, &h, 8);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_err err = {0};
    feat_matrix *m;
    char path[64];
    FILE *f;
    unsigned char *b;
    if (size < 1) return 0;
    {   /* one temporary file per input, removed once loaded (a mapping outlives the name) */
        int fd;
        snprintf(path, sizeof path, "/tmp/fuzz_featfile_XXXXXX");
        if ((fd = mkstemp(path)) < 0) abort();
        close(fd);
    }
    if (!(b = malloc(size))) return 0;
    memcpy(b, data + 1, size - 1);
    if ((data[0] & 1) && size - 1 >= HDR_SIZE) _fix_sums(b, size - 1);
    if (!(f = fopen(path, "wb"))) abort();
    if (size > 1 && fwrite(b, 1, size - 1, f) != size - 1) abort();
    if (fclose(f)) abort();
    free(b);
    m = feat_file_load(path, &err);
    unlink(path);
    if (!m) {
        if (strncmp(err.msg, path, strlen(path))) abort();    /* the message names the file */
        return 0;
    }
    {
        volatile double sink = 0;
        for (size_t j = 0; j < m->n_feats; j++) {
            if (!m->names[j] || feat_index(m, m->names[j]) < 0) abort();
            for (size_t i = 0; i < m->n_rows; i++) sink += feat_col(m, j)[i];
        }
        for (size_t i = 0; i < m->n_rows; i++) sink += (double)m->ids[i] + m->target[i];
        (void)sink;
    }
    feat_matrix_free(m);
    return 0;
}
