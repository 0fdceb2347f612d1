/*
 * dataset.h: the binned dataset the histogram learners train on. Each feature's values are
 * cut into at most max_bin bins by quantiles of its distinct values (computed once, on all
 * rows of the matrix or a fixed sample of them, no labels used); NaN gets a bin of its own
 * after the value bins; -inf and +inf are ordinary values in the first and last bins.
 *
 * Bin b of feature j holds the values x with upper[j][b-1] < x <= upper[j][b], so a split
 * "bin <= b" is the split "x <= upper[j][b]" on raw doubles: trees store upper[j][b] as
 * their threshold and prediction on raw values equals prediction on bins.
 */
#ifndef CS_LEARN_DATASET_H
#define CS_LEARN_DATASET_H

#include "../base/cs.h"
#include "../features/featfile.h"

#define DS_MAX_BIN 255

typedef struct ds_dataset {
    size_t n_rows;          /* rows of the source matrix */
    size_t n_feats;
    int max_bin;            /* the max_bin it was built with (2..255) */
    uint8_t *bins;          /* n_feats * n_rows bin indices, column-major; owned */
    uint16_t *n_vbins;      /* per feature: value bins (1..max_bin); NaN bin index = n_vbins */
    uint8_t *has_nan;       /* per feature: 1 when some row is NaN */
    double **upper;         /* per feature: n_vbins upper edges, the last one +inf; owned */
} ds_dataset;

/* Bin every feature of m into at most max_bin (2..255) value bins plus a NaN bin. Edges come
 * from at most sample_rows rows spread evenly over m (0 = all rows). Parallel over features.
 * NULL + err on failure (CS_EINVAL for a bad max_bin). */
ds_dataset *ds_create(const feat_matrix *m, int max_bin, size_t sample_rows, cs_err *err);

/* The value bins of one column col[0..n) exactly as ds_create(m, max_bin, sample_rows)
 * cuts each of m's columns (max_bin 2..DS_MAX_BIN): the upper edges of its value bins into
 * upper (room for max_bin + 1; the last edge is +inf); returns their number (1..max_bin).
 * buf is scratch of 2 * min(n, sample_rows or n) doubles (at least 1). For a reader that bins
 * a column without building the whole dataset (bn_fit_columns). */
int ds_edges(const double *col, size_t n, int max_bin, size_t sample_rows, double *buf, double *upper);

/* Free d. NULL is allowed. */
void ds_free(ds_dataset *d);

/* A row-major copy of d's bins (row i's n_feats bins at [i * n_feats]), for learners that read
 * a few random features of scattered rows (the forest's deep nodes): one row's features share
 * cache lines. Malloc'd, the caller frees; NULL + err when out of memory. Parallel over rows
 * with n_threads threads. */
uint8_t *ds_row_bins(const ds_dataset *d, int n_threads, cs_err *err);

/* The bin of value x for feature j (NaN -> the NaN bin). */
int ds_bin_of(const ds_dataset *d, size_t j, double x);

/* Column j's bins (n_rows values). */
static inline const uint8_t *ds_col(const ds_dataset *d, size_t j)
{
    return d->bins + j * d->n_rows;
}

#endif /* CS_LEARN_DATASET_H */
