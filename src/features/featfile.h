/*
 * featfile.h: the feature matrix and its binary file. The feature pipeline writes one,
 * training, prediction, drift and the clients store read it.
 *
 * A feature matrix is column-wise: values[j * n_rows + i] is feature j of row i, a double
 * (NaN = missing, +-inf where the kernel's ratios divide by zero). Each row carries the
 * client id (SK_ID_CURR) and the target (0/1, NaN for rows without one: the test clients).
 *
 * The file (".csf", format 2) is little-endian: a fixed header (magic "CSFEAT\0\0", format
 * version, n_rows, n_feats, offsets and sizes, and a checksum of the header itself), the
 * names, the ids, the targets and the value columns, each section 64-byte aligned so that
 * feat_file_load() can mmap it and point into the mapping without copying, and a 64-bit
 * checksum (cs_hash64) of each value column; one more checksum covers the names, ids,
 * targets and the column checksums. Every offset and size is checked against the file
 * before use. A truncated, corrupt, format-1 or newer-version file is refused with a clear
 * message (format 1's header was outside its checksum: rebuild such files with `features`).
 */
#ifndef CS_FEATURES_FEATFILE_H
#define CS_FEATURES_FEATFILE_H

#include "../base/cs.h"

#define FEAT_FILE_VERSION 2

typedef struct feat_matrix {
    size_t n_rows;          /* clients */
    size_t n_feats;         /* model features (SK_ID_CURR and TARGET not included) */
    char **names;           /* n_feats feature names, in order */
    int64_t *ids;           /* n_rows SK_ID_CURR values */
    double *target;         /* n_rows targets: 0, 1 or NaN (no target) */
    double *values;         /* n_feats * n_rows values, column-major */
    void *_map;             /* private: the mapping when loaded from a file, else NULL */
    size_t _map_len;        /* private */
    void *_file;            /* private: the file being written by feat_file_create, else NULL */
    const uint64_t *_colsum; /* private: the column checksums in the mapping (loaded files) */
    unsigned char *_colok;  /* private: per column, 1 once its checksum was verified */
} feat_matrix;

/* Feature j of all rows (n_rows values). */
static inline const double *feat_col(const feat_matrix *m, size_t j)
{
    return m->values + j * m->n_rows;
}

/* An in-memory matrix: ids, target and values allocated (values set to NaN, target to
 * NaN, ids to 0), names allocated as n_feats NULL pointers for the caller to fill with
 * malloc'd strings. Free with feat_matrix_free(). */
feat_matrix *feat_matrix_create(size_t n_rows, size_t n_feats, cs_err *err);

/* Free a matrix, unmapping it if it was loaded from a file. NULL is allowed. */
void feat_matrix_free(feat_matrix *m);

/* Index of the feature with this name, or -1. */
long feat_index(const feat_matrix *m, const char *name);

/* Write m to path (written to a temporary file, fsync'ed and renamed, so a crash never
 * leaves a half-written file under the final name; the folder is synced after the rename). */
cs_status feat_file_write(const feat_matrix *m, const char *path, cs_err *err);

/* Map a feature file read-only; the returned matrix points into the mapping (its values
 * must not be written). Verifies magic, version, the header's checksum, every offset and
 * size against the file, the checksum of names, ids and targets, and every column's
 * checksum (in parallel). */
feat_matrix *feat_file_load(const char *path, cs_err *err);

/* feat_file_open(path, 0, err) is feat_file_load. With FEAT_OPEN_LAZY the value columns'
 * checksums are not verified on opening: the caller calls feat_file_check_col() for each
 * column before reading it (verify only what is read; a reader of a few columns of a
 * large file skips the rest, and one of all columns verifies each while it is in cache). */
#define FEAT_OPEN_LAZY 1u
feat_matrix *feat_file_open(const char *path, unsigned flags, cs_err *err);

/* Verify column j's checksum once (later calls return at once); CS_ECORRUPT names path
 * and the column. Safe to call from several threads. CS_OK for an in-memory matrix. */
cs_status feat_file_check_col(const feat_matrix *m, size_t j, const char *path, cs_err *err);

/* Whether column j of a lazily opened file is still unverified (0 for an in-memory matrix
 * or a column verified already); then a reader that hashes the column while it reads it
 * (cs_hash64, seed 0, of its n_rows * 8 bytes: colbin.h's cb_count_plan) hands the sum to
 * feat_file_check_col_sum, which verifies it as feat_file_check_col does without reading
 * the column again. Safe to call from several threads. */
int feat_file_col_unverified(const feat_matrix *m, size_t j);
cs_status feat_file_check_col_sum(const feat_matrix *m, size_t j, uint64_t sum, const char *path, cs_err *err);

/* A new feature file written in place, for matrices too big to copy: the matrix's ids,
 * target and values point into a writable mapping of a temporary file next to path (their
 * content is undefined until the caller fills them); names are copied in. Then
 * feat_file_commit() writes the checksums and header, syncs the file to disk and renames
 * it to path; the
 * matrix stays usable (mapped) until feat_matrix_free(). Freeing it without a commit
 * removes the temporary file. */
feat_matrix *feat_file_create(const char *path, size_t n_rows, size_t n_feats,
                              const char *const *names, cs_err *err);
cs_status feat_file_commit(feat_matrix *m, cs_err *err);

/* Write m as CSV: SK_ID_CURR,TARGET,<features...>; full precision (round-trip), empty for
 * NaN, inf/-inf for infinities, names quoted where they hold commas or quotes. */
cs_status feat_file_write_csv(const feat_matrix *m, const char *path, cs_err *err);

/* The same with the id and target columns named id_name and target_name (a recipe's key
 * and target). */
cs_status feat_file_write_csv_as(const feat_matrix *m, const char *path, const char *id_name,
                                 const char *target_name, cs_err *err);

#endif /* CS_FEATURES_FEATFILE_H */
