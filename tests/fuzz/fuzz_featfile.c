/*
 * fuzz_featfile.c: libFuzzer target for the feature file loader (feat_file_load,
 * src/features/featfile.c), which maps a file: the input is written to a temporary file
 * and loaded. Any bytes must be refused with a message naming the file, or give a matrix
 * whose names, ids, targets and values can all be read, never a crash, a leak or
 * undefined behaviour. When the first input byte's low bit is set the checksum is
 * recomputed first, so that mutations reach the checks behind it. `make fuzz` runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "features/featfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR_SIZE 128
#define OFF_FILE_LEN 96
#define OFF_CHECKSUM 104


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
    if ((data[0] & 1) && size - 1 >= HDR_SIZE) {
        uint64_t flen, h;
        memcpy(&flen, b + OFF_FILE_LEN, 8);
        if (flen >= HDR_SIZE && flen <= size - 1) {
            h = cs_hash64(b + HDR_SIZE, flen - HDR_SIZE, 0);
            memcpy(b + OFF_CHECKSUM, &h, 8);
        }
    }
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
