/*
 * grower.h: the histogram tree grower shared by gradient boosting (gbdt.c) and the random
 * forest (forest.c). Given per-row gradients and hessians it grows one tree leaf-wise
 * (best-first) on a binned dataset: the leaf whose best split gains most is split next,
 * until num_leaves, max_depth, min_data_in_leaf, min_sum_hessian_in_leaf or min_gain stop it.
 *
 * Leaf output w = -T(G) / (H + lambda_l2) with T the L1 soft threshold, clamped to the
 * leaf's monotone bounds; split gain = score(left) + score(right) - score(parent) with
 * score = -(2 G w + (H + lambda_l2) w^2 + 2 lambda_l1 |w|) (= T(G)^2/(H+l2) unclamped).
 * Missing values: the split tries sending the NaN bin left and right and keeps the better
 * (default_left); a node without NaN rows sends them to the side with more rows.
 *
 * Two histogram modes: with all of a tree's features in every node (boosting, optionally a
 * per-tree feature_fraction subset), the smaller child's histogram is built (OpenMP over
 * features) and the larger one's is the parent's minus it (the subtraction trick); with a
 * feature sample per node (forest), histograms are built for the sampled features only.
 * For the forest, g = -w y and h = w make leaf values the weighted class-1 frequency and the
 * gain the Gini decrease (binary Gini and variance agree).
 */
#ifndef CS_LEARN_GROWER_H
#define CS_LEARN_GROWER_H

#include "../base/cs.h"
#include "dataset.h"
#include "tree.h"

typedef struct gr_params {
    int num_leaves;             /* max leaves (>= 2) */
    int max_depth;              /* <= 0: no limit */
    int64_t min_data_in_leaf;   /* rows per leaf, >= 1 */
    double min_sum_hessian;     /* hessian per leaf */
    double lambda_l1, lambda_l2;
    double min_gain;            /* a split must gain more than this */
    double shrinkage;           /* leaf values multiplied by this (learning rate; 1 for forest) */
    const int8_t *monotone;     /* n_feats constraints (-1, 0, +1), or NULL */
    int feats_per_node;         /* 0: every active feature in every node; > 0: sample this many
                                 * per node (more when some are constant in it, as sklearn) */
    int stop_pure;              /* 1: a leaf whose output is 0 or 1 is not split (forest) */
    int n_threads;              /* OpenMP threads for histograms (1 inside a parallel region) */
    const uint8_t *row_bins;    /* optional: ds_row_bins() of the dataset; nodes of the sampled
                                 * mode with few rows (scattered over the columns) read it */
    int hist_mode;              /* GR_HIST_AUTO (0) or GR_HIST_COLUMNS: column-wise histograms
                                 * only (the reference the row-wise ones are tested against) */
} gr_params;

/* Histograms of trees with every feature in every node (boosting) come from a row-wise copy
 * of the bins without each feature's most frequent bin (built once per gr_work, cost about
 * the non-default entries); the forest's per-node samples use the columns. */
#define GR_HIST_AUTO 0
#define GR_HIST_COLUMNS 1

/* Working memory for growing trees on one dataset, reused across trees. Borrows d. */
typedef struct gr_work gr_work;

/* max_leaves bounds num_leaves for every tree grown with it. NULL + err on failure. */
gr_work *gr_work_create(const ds_dataset *d, int max_leaves, cs_err *err);
void gr_work_free(gr_work *w);

/* Grow one tree on rows[0..n) (matrix row indices, no duplicates) with g[row], h[row] indexed
 * by matrix row. feats[0..n_feats) are the features this tree may use (sorted). rng drives
 * the per-node feature sampling (may be NULL when feats_per_node == 0). On success fills
 * *out (nodes owned by the caller) and *bin_thr (malloc'd, one per node: the bin threshold of
 * internal nodes, for prediction on bins; caller frees). Leaf and node values are scaled by
 * p->shrinkage. */
cs_status gr_grow(gr_work *w, const gr_params *p, const double *g, const double *h,
                  const size_t *rows, size_t n, const int *feats, size_t n_feats, cs_rng *rng,
                  tree *out, int32_t **bin_thr, cs_err *err);

/* F[row] += the output of the leaf each row of the last gr_grow() call fell in, for the
 * rows that tree was grown on (t: that tree). */
void gr_add_leaf_values(const gr_work *w, const tree *t, double *F);

/* A tree's output for row `row` of the binned dataset, using bin thresholds. */
static inline double gr_predict_bins(const tree *t, const int32_t *bin_thr, const ds_dataset *d,
                                     size_t row)
{
    const tree_node *nd = t->nodes;
    int32_t i = 0;
    while (nd[i].feature >= 0) {
        int f = nd[i].feature;
        int b = d->bins[(size_t)f * d->n_rows + row];
        if (b == d->n_vbins[f]) i = nd[i].default_left ? nd[i].left : nd[i].right;
        else i = b <= bin_thr[i] ? nd[i].left : nd[i].right;
    }
    return nd[i].value;
}

#endif /* CS_LEARN_GROWER_H */
