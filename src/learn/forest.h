/*
 * forest.h: the random forest (kind LRN_FOREST), grown by the same histogram tree grower
 * as boosting (grower.h): each tree on a bootstrap sample (counts as weights), a fresh
 * random subset of max_features features at every node (more when some are constant there,
 * as scikit-learn does), Gini-equivalent gain, leaves holding the weighted class-1
 * frequency; the forest's raw score is the mean of its trees' leaves, a probability.
 * Trees are grown in parallel (OpenMP), each from its own random stream, so the result
 * depends on the seed only, not on the thread count.
 *
 * Parameters (scikit-learn names): see lrn_params_from_json() in learner.h.
 */
#ifndef CS_LEARN_FOREST_H
#define CS_LEARN_FOREST_H

#include "learner.h"

typedef enum rf_max_features {
    RF_MF_SQRT = 0,     /* "sqrt" (default) */
    RF_MF_LOG2 = 1,     /* "log2" */
    RF_MF_FRACTION = 2, /* a fraction in (0, 1] of the features */
    RF_MF_COUNT = 3,    /* a number of features */
    RF_MF_ALL = 4       /* null: all features */
} rf_max_features;

typedef struct rf_params {
    int n_estimators;           /* default 100 */
    rf_max_features max_features;
    double max_features_value;  /* the fraction or count for RF_MF_FRACTION / RF_MF_COUNT */
    int max_depth;              /* <= 0 or null: no limit (default) */
    int min_samples_leaf;       /* default 10 (scikit-learn: 1) */
    int balanced;               /* class_weight "balanced" (default null) */
    int bootstrap;              /* default true */
    int max_bin;                /* 2..255, default 255 */
    uint64_t seed;              /* default 0; alias random_state */
    int num_threads;            /* 0: OpenMP's default; alias n_jobs */
} rf_params;

#endif /* CS_LEARN_FOREST_H */
