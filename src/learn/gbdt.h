/*
 * gbdt.h: our histogram gradient boosting for binary log-loss (LightGBM-class), fitted
 * through the learner interface (learner.h, kind LRN_GBDT). This header only shows the
 * parameter struct, for code that wants to read it (lrn_params_raw()); set parameters by
 * name with lrn_params_from_json() / lrn_params_set(), which validate them.
 *
 * Each round: gradients and hessians of the (weighted) log-loss at the current scores,
 * optional bagging (bagging_fraction of the rows every bagging_freq rounds) and per-tree
 * feature_fraction, one leaf-wise tree (grower.h) scaled by learning_rate. The initial score
 * is the weighted log-odds of the training prior. With a validation set and
 * early_stopping_round > 0, training stops when the validation AUC has not improved for
 * that many rounds and the model keeps the trees up to the best round.
 */
#ifndef CS_LEARN_GBDT_H
#define CS_LEARN_GBDT_H

#include "learner.h"

typedef struct gbdt_params {
    int num_iterations;             /* rounds (trees), default 100; alias n_estimators */
    double learning_rate;           /* default 0.1 */
    int num_leaves;                 /* default 31 */
    int max_depth;                  /* <= 0: no limit (default -1) */
    int min_data_in_leaf;           /* default 20; alias min_child_samples */
    double min_sum_hessian_in_leaf; /* default 1e-3; alias min_child_weight */
    double lambda_l1;               /* default 0; alias reg_alpha */
    double lambda_l2;               /* default 0; alias reg_lambda */
    double min_gain_to_split;       /* default 0; alias min_split_gain */
    double feature_fraction;        /* (0,1], default 1; alias colsample_bytree */
    double bagging_fraction;        /* (0,1], default 1; alias subsample */
    int bagging_freq;               /* 0: no bagging (default) */
    int max_bin;                    /* 2..255, default 255 */
    double scale_pos_weight;        /* weight of positive rows, default 1 */
    int is_unbalance;               /* 1: positive weight = negatives / positives */
    int8_t *monotone;               /* monotone_constraints: n_monotone values in -1..1, owned */
    size_t n_monotone;              /* 0: none */
    int early_stopping_round;       /* 0: off */
    uint64_t seed;                  /* default 0; alias random_state */
    int num_threads;                /* 0: OpenMP's default; alias n_jobs */
} gbdt_params;

#endif /* CS_LEARN_GBDT_H */
