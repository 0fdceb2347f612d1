/*
 * agg.c: the group aggregations of agg.h (pandas semantics: NaN skipped, sum of nothing is
 * 0, sample variance by Welford's update, infinities as IEEE arithmetic gives them).
 */
#include "agg.h"

#include <math.h>
#include <stdlib.h>

static const char *const _names[FEAT_AGG_N] = {"MIN", "MAX", "MEAN", "SUM", "VAR", "SIZE", "NUNIQUE"};

const char *feat_agg_name(int k)
{
    return k >= 0 && k < FEAT_AGG_N ? _names[k] : "?";
}

void feat_acc_init(feat_acc *a)
{
    a->size = a->count = 0;
    a->sum = a->min = a->max = a->wmean = a->wssq = 0;
}

double feat_acc_min(const feat_acc *a)
{
    return a->count ? a->min : NAN;
}

double feat_acc_max(const feat_acc *a)
{
    return a->count ? a->max : NAN;
}

double feat_acc_sum(const feat_acc *a)
{
    return a->sum; /* 0 for an empty or all-missing group (pandas min_count = 0) */
}

double feat_acc_mean(const feat_acc *a)
{
    return a->count ? a->sum / (double)a->count : NAN;
}

double feat_acc_var(const feat_acc *a)
{
    return a->count > 1 ? a->wssq / (double)(a->count - 1) : NAN;
}

double feat_acc_size(const feat_acc *a)
{
    return (double)a->size;
}

double feat_acc_get(const feat_acc *a, int k)
{
    switch (k) {
    case 0: return feat_acc_min(a);
    case 1: return feat_acc_max(a);
    case 2: return feat_acc_mean(a);
    case 3: return feat_acc_sum(a);
    case 4: return feat_acc_var(a);
    case 5: return feat_acc_size(a);
    default: return NAN;
    }
}

static int _cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double feat_nunique(double *vals, size_t n)
{
    size_t m = 0, d = 0;
    for (size_t i = 0; i < n; i++)
        if (vals[i] == vals[i]) vals[m++] = vals[i];
    if (m == 0) return 0;
    qsort(vals, m, sizeof *vals, _cmp_double);
    d = 1;
    for (size_t i = 1; i < m; i++)
        if (vals[i] != vals[i - 1]) d++;
    return (double)d;
}
