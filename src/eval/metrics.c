/*
 * metrics.c: ROC AUC, Gini, KS, log loss, Brier, confusion matrix and business cost.
 * The contract is in metrics.h. AUC and KS sort (score, label) pairs once and walk tie
 * groups, so ties are handled exactly and the cost is O(n log n).
 */
#include "metrics.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct _pair {
    double s;
    int y;
} _pair;

static int _cmp_desc(const void *a, const void *b)
{
    double x = ((const _pair *)a)->s, z = ((const _pair *)b)->s;
    return (x < z) - (x > z);
}

/* Sort (score, y) pairs by decreasing score; counts of both classes in *npos, *nneg.
 * Returns NULL on NaN score, n == 0 or allocation failure. */
static _pair *_sorted_pairs(const double *y, const double *score, size_t n, uint64_t *npos,
                            uint64_t *nneg)
{
    _pair *a;
    uint64_t p = 0;
    if (n == 0) return NULL;
    a = malloc(n * sizeof *a);
    if (!a) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (isnan(score[i])) {
            free(a);
            return NULL;
        }
        a[i].s = score[i];
        a[i].y = y[i] != 0.0;
        p += (uint64_t)a[i].y;
    }
    qsort(a, n, sizeof *a, _cmp_desc);
    *npos = p;
    *nneg = (uint64_t)n - p;
    return a;
}

double ev_auc(const double *y, const double *score, size_t n)
{
    uint64_t npos, nneg, tp = 0, fp = 0;
    long double area2 = 0.0L; /* twice the area under the un-normalised (FP, TP) staircase */
    _pair *a = _sorted_pairs(y, score, n, &npos, &nneg);
    if (!a) return NAN;
    if (npos == 0 || nneg == 0) {
        free(a);
        return NAN;
    }
    for (size_t i = 0; i < n;) {
        uint64_t tp0 = tp, fp0 = fp;
        size_t j = i;
        while (j < n && a[j].s == a[i].s) {
            if (a[j].y) tp++;
            else fp++;
            j++;
        }
        /* trapezoid over the tie group: width (fp - fp0), heights tp0 and tp */
        area2 += (long double)(fp - fp0) * (long double)(tp + tp0);
        i = j;
    }
    free(a);
    return (double)(area2 / (2.0L * (long double)npos * (long double)nneg));
}

double ev_gini(double auc)
{
    return 2.0 * auc - 1.0;
}

double ev_ks(const double *y, const double *score, size_t n)
{
    uint64_t npos, nneg, tp = 0, fp = 0;
    double best = 0.0;
    _pair *a = _sorted_pairs(y, score, n, &npos, &nneg);
    if (!a) return NAN;
    if (npos == 0 || nneg == 0) {
        free(a);
        return NAN;
    }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && a[j].s == a[i].s) {
            if (a[j].y) tp++;
            else fp++;
            j++;
        }
        double d = fabs((double)tp / (double)npos - (double)fp / (double)nneg);
        if (d > best) best = d;
        i = j;
    }
    free(a);
    return best;
}

void ev_auc_ks(const double *y, const double *score, size_t n, double *auc, double *ks)
{
    uint64_t npos, nneg, tp = 0, fp = 0;
    long double area2 = 0.0L;
    double best = 0.0;
    _pair *a = _sorted_pairs(y, score, n, &npos, &nneg);
    *auc = *ks = NAN;
    if (!a) return;
    if (npos == 0 || nneg == 0) {
        free(a);
        return;
    }
    /* the walks of ev_auc and ev_ks, over the same tie groups */
    for (size_t i = 0; i < n;) {
        uint64_t tp0 = tp, fp0 = fp;
        size_t j = i;
        while (j < n && a[j].s == a[i].s) {
            if (a[j].y) tp++;
            else fp++;
            j++;
        }
        area2 += (long double)(fp - fp0) * (long double)(tp + tp0);
        double d = fabs((double)tp / (double)npos - (double)fp / (double)nneg);
        if (d > best) best = d;
        i = j;
    }
    free(a);
    *auc = (double)(area2 / (2.0L * (long double)npos * (long double)nneg));
    *ks = best;
}

double ev_log_loss(const double *y, const double *p, size_t n)
{
    const double eps = DBL_EPSILON;
    double sum = 0.0;
    if (n == 0) return NAN;
    for (size_t i = 0; i < n; i++) {
        double q = p[i];
        if (isnan(q)) return NAN;
        if (q < eps) q = eps;
        if (q > 1.0 - eps) q = 1.0 - eps;
        /* scikit-learn builds [1-q, q] and renormalises by its sum */
        double q0 = 1.0 - q, s = q0 + q;
        sum += y[i] != 0.0 ? -log(q / s) : -log(q0 / s);
    }
    return sum / (double)n;
}

double ev_brier(const double *y, const double *p, size_t n)
{
    double sum = 0.0;
    if (n == 0) return NAN;
    for (size_t i = 0; i < n; i++) {
        double d = p[i] - (y[i] != 0.0 ? 1.0 : 0.0);
        sum += d * d;
    }
    return sum / (double)n;
}

ev_confusion ev_confusion_at(const double *y, const double *p, size_t n, double threshold)
{
    ev_confusion c = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        int refused = p[i] >= threshold;
        if (y[i] != 0.0) {
            if (refused) c.tp++;
            else c.fn++;
        } else {
            if (refused) c.fp++;
            else c.tn++;
        }
    }
    return c;
}

double ev_cost(ev_confusion c, ev_cost_weights w)
{
    return w.fn * (double)c.fn + w.fp * (double)c.fp;
}

double ev_cost_at(const double *y, const double *p, size_t n, double threshold,
                  ev_cost_weights w)
{
    return ev_cost(ev_confusion_at(y, p, n, threshold), w);
}
