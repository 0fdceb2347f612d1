/*
 * threshold.c: exact cost-minimising threshold and the cost curve, by sorting the
 * probabilities once and counting classes on each side. Contract in threshold.h.
 */
#include "threshold.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct _py {
    double p;
    int y;
} _py;

static int _cmp_asc(const void *a, const void *b)
{
    double x = ((const _py *)a)->p, z = ((const _py *)b)->p;
    return (x > z) - (x < z);
}

static int _cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, z = *(const double *)b;
    return (x > z) - (x < z);
}

/* Sorted (p, y) pairs, ascending; total positives in *npos. */
static _py *_sorted(const double *y, const double *p, size_t n, size_t *npos, cs_err *err)
{
    _py *a;
    size_t pos = 0;
    if (n == 0) {
        cs_err_set(err, CS_EINVAL, "no rows to choose a threshold on");
        return NULL;
    }
    a = cs_malloc(n * sizeof *a, err);
    if (!a) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (isnan(p[i])) {
            free(a);
            cs_err_set(err, CS_EINVAL, "probability of row %zu is NaN", i);
            return NULL;
        }
        a[i].p = p[i];
        a[i].y = y[i] != 0.0;
        pos += (size_t)a[i].y;
    }
    qsort(a, n, sizeof *a, _cmp_asc);
    *npos = pos;
    return a;
}

cs_status ev_best_threshold(const double *y, const double *p, size_t n, ev_cost_weights w,
                            double *thr, double *cost, cs_err *err)
{
    size_t npos, fn = 0, fp, i = 0;
    double best_t, best_c;
    _py *a = _sorted(y, p, n, &npos, err);
    if (!a) return err ? err->code : CS_EINVAL;
    /* threshold a[i].p: rows below i accepted, rows from i on refused */
    fp = n - npos;
    best_t = a[0].p;
    best_c = w.fp * (double)fp; /* everybody refused: no false negatives */
    while (i < n) {
        size_t j = i;
        while (j < n && a[j].p == a[i].p) {
            if (a[j].y) fn++;
            else fp--;
            j++;
        }
        /* next candidate: a[j].p (or refuse nobody when j == n) */
        double c = w.fn * (double)fn + w.fp * (double)fp;
        if (c < best_c) {
            best_c = c;
            best_t = j < n ? a[j].p : nextafter(a[n - 1].p, INFINITY);
        }
        i = j;
    }
    free(a);
    *thr = best_t;
    *cost = best_c;
    return CS_OK;
}

cs_status ev_cost_curve(const double *y, const double *p, size_t n, ev_cost_weights w,
                        size_t n_grid, double also, ev_cost_point **points,
                        size_t *n_points, cs_err *err)
{
    size_t npos, m = 0, *cum_pos = NULL;
    double *ts = NULL;
    ev_cost_point *out = NULL;
    _py *a;

    *points = NULL;
    *n_points = 0;
    if (n_grid < 2) return cs_err_set(err, CS_EINVAL, "a cost curve needs at least 2 thresholds");
    a = _sorted(y, p, n, &npos, err);
    if (!a) return err ? err->code : CS_EINVAL;
    ts = cs_malloc((n_grid + 1) * sizeof *ts, err);
    cum_pos = cs_malloc((n + 1) * sizeof *cum_pos, err);
    if (!ts || !cum_pos) goto nomem;
    cum_pos[0] = 0;
    for (size_t i = 0; i < n; i++) cum_pos[i + 1] = cum_pos[i] + (size_t)a[i].y;
    for (size_t g = 0; g < n_grid; g++) ts[m++] = (double)g / (double)(n_grid - 1);
    if (!isnan(also)) ts[m++] = also;
    qsort(ts, m, sizeof *ts, _cmp_double);
    out = cs_malloc(m * sizeof *out, err);
    if (!out) goto nomem;
    size_t k = 0;
    for (size_t g = 0; g < m; g++) {
        if (k > 0 && out[k - 1].threshold == ts[g]) continue;
        /* first index with p >= t: rows before it are accepted */
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (a[mid].p < ts[g]) lo = mid + 1;
            else hi = mid;
        }
        double fn = (double)cum_pos[lo];
        double fp = (double)((n - lo) - (npos - cum_pos[lo]));
        out[k].threshold = ts[g];
        out[k].fn = fn;
        out[k].fp = fp;
        out[k].cost = w.fn * fn + w.fp * fp;
        k++;
    }
    free(a);
    free(ts);
    free(cum_pos);
    *points = out;
    *n_points = k;
    return CS_OK;
nomem:
    free(a);
    free(ts);
    free(cum_pos);
    free(out);
    return CS_ENOMEM;
}
