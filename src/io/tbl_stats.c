/*
 * tbl_stats.c: a column at a glance (tbl_summarize, contract in tbl.h): missing count,
 * min / median / max of a numeric column (median by quickselect, O(n)), the most frequent
 * categories of a categorical one.
 */
#include "tbl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The k-th smallest of v[0..n) (0-based); reorders v. */
static double _select(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        /* median of three as pivot, then Hoare partition */
        size_t mid = lo + (hi - lo) / 2;
        double a = v[lo], b = v[mid], c = v[hi], pivot;
        size_t i = lo, j = hi;
        pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return v[k];
    }
    return v[k];
}

cs_status tbl_summarize(const tbl *t, int col, int max_top, tbl_summary *out, cs_err *err)
{
    const tbl_column *c;
    if (!t || !out || col < 0 || col >= t->n_cols)
        return cs_err_set(err, CS_EINVAL, "tbl_summarize: no table or column %d out of range", col);
    c = &t->cols[col];
    memset(out, 0, sizeof *out);
    out->min = out->median = out->max = NAN;
    if (max_top > TBL_TOP_MAX) max_top = TBL_TOP_MAX;
    if (c->type == TBL_NUM) {
        size_t n = 0;
        double *v = cs_malloc((t->n_rows ? t->n_rows : 1) * sizeof *v, err);
        if (!v) return CS_ENOMEM;
        for (size_t i = 0; i < t->n_rows; i++) {
            double x = c->num[i];
            if (isnan(x)) continue;
            if (n == 0 || x < out->min) out->min = x;
            if (n == 0 || x > out->max) out->max = x;
            v[n++] = x;
        }
        out->n_missing = t->n_rows - n;
        if (n) {
            double hi = _select(v, n, n / 2);
            if (n % 2 == 0) {
                /* the largest of the lower half, which _select left before index n/2 */
                double lo = v[0];
                for (size_t i = 1; i < n / 2; i++)
                    if (v[i] > lo) lo = v[i];
                out->median = (lo + hi) / 2;   /* as numpy and pandas compute it */
            } else {
                out->median = hi;
            }
        }
        free(v);
    } else {
        size_t *cnt = cs_calloc((size_t)c->n_cats + 1, sizeof *cnt, err);
        if (!cnt) return CS_ENOMEM;
        for (size_t i = 0; i < t->n_rows; i++) {
            int32_t code = c->codes[i];
            if (code < 0 || code >= c->n_cats) out->n_missing++;
            else cnt[code]++;
        }
        for (int r = 0; r < max_top; r++) {
            int32_t best = -1;
            for (int32_t j = 0; j < c->n_cats; j++)
                if (cnt[j] && (best < 0 || cnt[j] > cnt[best])) best = j;
            if (best < 0) break;
            out->top_code[r] = best;
            out->top_count[r] = cnt[best];
            out->n_top++;
            cnt[best] = 0;
        }
        free(cnt);
    }
    return CS_OK;
}
