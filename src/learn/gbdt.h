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
 *
 * Defaults (docs/learners.md, "gbdt defaults"): parameters left unset take values chosen for
 * the data at fit time rather than LightGBM's fixed ones, which overfit a few thousand rows:
 *   num_iterations "auto"   early stopping on validation AUC: up to GBDT_AUTO_MAX_ROUNDS
 *                           rounds, stopped after early_stopping_round rounds without a new
 *                           best (GBDT_AUTO_PATIENCE when 0), the best round kept. Without a
 *                           validation set the fit holds out a stratified tenth of its rows
 *                           (seeded) to find the round, then refits on all rows with it.
 *   learning_rate "auto"    0.05 below GBDT_AUTO_FAST_ROWS training rows, 0.1 from there on
 *   min_data_in_leaf "auto" n_train / 2000, clamped to [20, 100]
 *   feature_fraction "auto" 0.5 with 50 features or more, else 1
 *   min_sum_hessian_in_leaf 1 (XGBoost's min_child_weight), lambda_l2 1 (XGBoost's lambda)
 * gbdt_resolve() turns them into numbers; a fitted model's params_json holds the numbers.
 */
#ifndef CS_LEARN_GBDT_H
#define CS_LEARN_GBDT_H

#include "learner.h"

typedef struct gbdt_params {
    int num_iterations;             /* rounds (trees); 0 = "auto" (default); alias n_estimators */
    double learning_rate;           /* 0 = "auto" (default) */
    int num_leaves;                 /* default 31 */
    int max_depth;                  /* <= 0: no limit (default -1) */
    int min_data_in_leaf;           /* 0 = "auto" (default); alias min_child_samples */
    double min_sum_hessian_in_leaf; /* default 1; alias min_child_weight */
    double lambda_l1;               /* default 0; alias reg_alpha */
    double lambda_l2;               /* default 1; alias reg_lambda */
    double min_gain_to_split;       /* default 0; alias min_split_gain */
    double feature_fraction;        /* (0,1]; 0 = "auto" (default); alias colsample_bytree */
    double bagging_fraction;        /* (0,1], default 1; alias subsample */
    int bagging_freq;               /* 0: no bagging (default) */
    int max_bin;                    /* 2..255, default 255 */
    double scale_pos_weight;        /* weight of positive rows, default 1 */
    int is_unbalance;               /* 1: positive weight = negatives / positives */
    int8_t *monotone;               /* monotone_constraints: n_monotone values in -1..1, owned */
    size_t n_monotone;              /* 0: none */
    int early_stopping_round;       /* 0: off (with num_iterations "auto": GBDT_AUTO_PATIENCE) */
    uint64_t seed;                  /* default 0; alias random_state */
    int num_threads;                /* 0: OpenMP's default (one thread below GBDT_SERIAL_CELLS); alias n_jobs */
} gbdt_params;

#define GBDT_AUTO_MAX_ROUNDS 5000   /* the most rounds "auto" boosts */
#define GBDT_AUTO_PATIENCE 100      /* rounds without a better validation AUC before it stops */
#define GBDT_AUTO_FAST_ROWS 100000  /* training rows from which "auto" learns at 0.1 */
/* num_threads 0 on fewer training cells (rows x features) than this: one thread. A round on
 * such a matrix takes a few milliseconds, most of its parallel loops are too small to split,
 * and a second thread spends the round waiting for the next one (spinning: on a shared machine
 * it takes a core from the other jobs and slows the fit several times, measured in
 * docs/learners.md). */
#define GBDT_SERIAL_CELLS 1000000.0

/* p with every "auto" but num_iterations replaced by its value for n_train rows and n_feats
 * features (the rules above); num_iterations stays 0 when auto. */
gbdt_params gbdt_resolve(const gbdt_params *p, size_t n_train, size_t n_feats);

/* The threads a fit of n_train rows and n_feats features uses: num_threads when set, else one
 * below GBDT_SERIAL_CELLS cells and OpenMP's default from there on. */
int gbdt_fit_threads(const gbdt_params *p, size_t n_train, size_t n_feats);

#endif /* CS_LEARN_GBDT_H */
