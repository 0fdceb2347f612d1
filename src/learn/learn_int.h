/*
 * learn_int.h: internals shared by the files of src/learn (not for other modules): the
 * binned-dataset cache lookup and the parameter-object plumbing.
 */
#ifndef CS_LEARN_LEARN_INT_H
#define CS_LEARN_LEARN_INT_H

#include "dataset.h"
#include "learner.h"

/* The dataset of m binned with max_bin: from opts->cache when there is one (built on first
 * use, owned by the cache: *owned = NULL), else built now (*owned = the dataset, which the
 * caller frees with ds_free). NULL + err on failure. */
ds_dataset *lrn_dataset_for(const lrn_fit_opts *opts, const feat_matrix *m, int max_bin,
                            ds_dataset **owned, cs_err *err);

/* For a fit that chooses a parameter on a validation set and was given none: a stratified
 * tenth of rows[0..n) (rounded, at least one row of each class), seeded (stream 3 of seed),
 * into *va (*nva rows), the other rows into *tr (*ntr), both malloc'd (caller frees) in the
 * order of rows. CS_EINVAL naming what (the parameter, e.g. "num_iterations") when a row is
 * out of range or a class has fewer than 2 rows (nothing to hold out). */
cs_status lrn_holdout(const feat_matrix *m, const size_t *rows, size_t n, uint64_t seed, const char *what,
                      size_t **tr, size_t *ntr, size_t **va, size_t *nva, cs_err *err);

/* Rows sampled when computing bin edges (as LightGBM's bin_construct_sample_cnt). */
#define LRN_BIN_SAMPLE 200000

#endif /* CS_LEARN_LEARN_INT_H */
