/*
 * agg.h: group aggregations with pandas semantics (../shared/docs/kernel-features.md §3.9
 * and §4): the building blocks of every aggregated feature, for a whole table and for one
 * applicant alike.
 *
 * An accumulator takes a group's values in row order and gives:
 *   size     rows, NaN included
 *   min/max  over non-NaN values; NaN when there are none
 *   sum      plain left-to-right sum of non-NaN values; 0 when there are none
 *   mean     sum / count of non-NaN values; NaN when there are none
 *   var      sample variance (ddof = 1) by Welford's update in row order, exactly as
 *            pandas' group_var; NaN under two values and whenever an infinity is in the
 *            group; 0 for identical values
 * Infinities follow IEEE arithmetic: +inf makes sum, mean and max +inf, -inf makes sum,
 * mean and min -inf, both together make sum and mean NaN.
 */
#ifndef CS_FEATURES_AGG_H
#define CS_FEATURES_AGG_H

#include "../base/cs.h"

/* Which aggregations to emit; emitted always in this order (the order the kernel's
 * aggregation lists use): MIN, MAX, MEAN, SUM, VAR, SIZE, NUNIQUE. */
enum {
    FEAT_AGG_MIN = 1u << 0,
    FEAT_AGG_MAX = 1u << 1,
    FEAT_AGG_MEAN = 1u << 2,
    FEAT_AGG_SUM = 1u << 3,
    FEAT_AGG_VAR = 1u << 4,
    FEAT_AGG_SIZE = 1u << 5,
    FEAT_AGG_NUNIQUE = 1u << 6,
    FEAT_AGG_N = 7
};

/* The upper-case name of aggregation bit k (0..FEAT_AGG_N-1): "MIN", ..., "NUNIQUE". */
const char *feat_agg_name(int k);

/* A running aggregate over one group. Zero-initialise it or call feat_acc_init(). */
typedef struct feat_acc {
    size_t size;    /* rows seen, NaN included */
    size_t count;   /* non-NaN values seen */
    double sum;     /* left-to-right sum of non-NaN values */
    double min, max;
    double wmean;   /* Welford running mean */
    double wssq;    /* Welford sum of squared deviations */
} feat_acc;

void feat_acc_init(feat_acc *a);
/* Add the next value of the group (NaN = missing). */
static inline void feat_acc_add(feat_acc *a, double x)
{
    double old;
    a->size++;
    if (x != x) return;
    a->count++;
    a->sum += x;
    if (a->count == 1 || x < a->min) a->min = x;
    if (a->count == 1 || x > a->max) a->max = x;
    old = a->wmean;
    a->wmean += (x - old) / (double)a->count;
    a->wssq += (x - a->wmean) * (x - old);
}
/* The same without the Welford update (half the cost): feat_acc_var() is then invalid. */
static inline void feat_acc_add_novar(feat_acc *a, double x)
{
    a->size++;
    if (x != x) return;
    a->count++;
    a->sum += x;
    if (a->count == 1 || x < a->min) a->min = x;
    if (a->count == 1 || x > a->max) a->max = x;
}
double feat_acc_min(const feat_acc *a);
double feat_acc_max(const feat_acc *a);
double feat_acc_sum(const feat_acc *a);
double feat_acc_mean(const feat_acc *a);
double feat_acc_var(const feat_acc *a);
double feat_acc_size(const feat_acc *a);

/* Aggregation k (one FEAT_AGG_* bit index) of a finished accumulator. NUNIQUE is not an
 * accumulator result: use feat_nunique(). */
double feat_acc_get(const feat_acc *a, int k);

/* Number of distinct non-NaN values among vals[0..n) (pandas nunique). vals is reordered
 * (sorted) in place: pass a scratch copy. */
double feat_nunique(double *vals, size_t n);

#endif /* CS_FEATURES_AGG_H */
