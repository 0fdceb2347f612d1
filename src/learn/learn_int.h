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

/* Rows sampled when computing bin edges (as LightGBM's bin_construct_sample_cnt). */
#define LRN_BIN_SAMPLE 200000

#endif /* CS_LEARN_LEARN_INT_H */
