/*
 * threshold.h: the cost-minimising decision threshold and the cost curve. A client is
 * refused when its probability is at or above the threshold; the business cost of a
 * threshold is w.fn * FN + w.fp * FP (metrics.h).
 */
#ifndef CS_EVAL_THRESHOLD_H
#define CS_EVAL_THRESHOLD_H

#include "../base/cs.h"
#include "metrics.h"

/* The exact optimum over the probabilities p[0..n): every distinct value of p is tried
 * as threshold, plus "refuse nobody" (threshold = nextafter(max p, +inf)). Ties in cost
 * go to the LOWEST threshold. O(n log n). thr, cost: OUT.
 * Fails (CS_EINVAL) on n == 0 or a NaN probability. */
cs_status ev_best_threshold(const double *y, const double *p, size_t n, ev_cost_weights w,
                            double *thr, double *cost, cs_err *err);

/* One point of the cost curve. */
typedef struct ev_cost_point {
    double threshold;   /* refuse when p >= threshold */
    double cost;        /* total business cost */
    double fn;          /* false negatives (count) */
    double fp;          /* false positives (count) */
} ev_cost_point;

/* The cost curve for plotting: thresholds 0, 1/(n_grid-1), ..., 1 plus the extra
 * threshold `also` (the optimum; NaN = none), sorted by threshold, duplicates removed.
 * *points: OUT, malloc'd array the caller frees; *n_points: OUT its length.
 * n_grid >= 2. O((n + n_grid) log n). */
cs_status ev_cost_curve(const double *y, const double *p, size_t n, ev_cost_weights w,
                        size_t n_grid, double also, ev_cost_point **points,
                        size_t *n_points, cs_err *err);

#endif /* CS_EVAL_THRESHOLD_H */
