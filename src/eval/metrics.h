/*
 * metrics.h: scoring metrics for a binary classifier (target 1 = default): ROC AUC, Gini,
 * Kolmogorov-Smirnov, log loss, Brier score, the confusion matrix at a threshold and the
 * business cost of that matrix. Every function is pure: no allocation kept, no global
 * state, safe to call from several threads at once.
 *
 * Conventions: y[i] is 0 or 1 (anything non-zero counts as 1); score[i] / p[i] is the
 * model's output, a probability for the probability metrics. A client is REFUSED
 * (predicted 1) when p >= threshold. Metrics that are undefined for the input (no rows,
 * one class only, NaN in the scores) return NaN rather than failing.
 */
#ifndef CS_EVAL_METRICS_H
#define CS_EVAL_METRICS_H

#include <stddef.h>

/* ROC AUC of score against y, with tied scores averaged exactly as scikit-learn's
 * roc_auc_score (trapezoid over tie groups == Mann-Whitney U with mid-ranks).
 * O(n log n) time, O(n) temporary memory (freed before return).
 * Returns NaN when n == 0, when only one class is present, when a score is NaN, or when
 * the temporary memory cannot be allocated. */
double ev_auc(const double *y, const double *score, size_t n);

/* Gini coefficient from an AUC: 2 * auc - 1 (NaN stays NaN). */
double ev_gini(double auc);

/* Kolmogorov-Smirnov statistic: the largest gap between the cumulative score
 * distributions of the two classes, max over thresholds t of |TPR(t) - FPR(t)|, with
 * tied scores moved together (as scipy.stats.ks_2samp on the two classes' scores).
 * NaN as ev_auc. */
double ev_ks(const double *y, const double *score, size_t n);

/* ev_auc and ev_ks from one sort: *auc = ev_auc(y, score, n), *ks = ev_ks(y, score, n),
 * the same bits. */
void ev_auc_ks(const double *y, const double *score, size_t n, double *auc, double *ks);

/* Mean log loss with p clipped to [DBL_EPSILON, 1 - DBL_EPSILON], as scikit-learn's
 * log_loss(eps="auto") does for float64. NaN when n == 0 or a p is NaN. */
double ev_log_loss(const double *y, const double *p, size_t n);

/* Brier score: mean of (p - y)^2. NaN when n == 0. */
double ev_brier(const double *y, const double *p, size_t n);

/* Confusion matrix at a threshold: a row is predicted 1 (refused) when p >= threshold.
 * NaN probabilities count as accepted (p >= t is false). */
typedef struct ev_confusion {
    size_t tp;  /* defaulters refused */
    size_t fp;  /* good clients refused */
    size_t tn;  /* good clients accepted */
    size_t fn;  /* defaulters accepted: the expensive mistake */
} ev_confusion;

ev_confusion ev_confusion_at(const double *y, const double *p, size_t n, double threshold);

/* The weights of the business cost: cost = fn * FN + fp * FP. Default 10 and 1. */
typedef struct ev_cost_weights {
    double fn;  /* cost of accepting a client who defaults */
    double fp;  /* cost of refusing a client who would have repaid */
} ev_cost_weights;

#define EV_COST_DEFAULT ((ev_cost_weights){10.0, 1.0})

/* Total business cost of a confusion matrix. */
double ev_cost(ev_confusion c, ev_cost_weights w);

/* Business cost at a threshold, total (not per row). */
double ev_cost_at(const double *y, const double *p, size_t n, double threshold,
                  ev_cost_weights w);

/* ---- calibration tests (binom.c) ------------------------------------------------- */

/* Binomial probability mass P(X = k), X ~ Binomial(n, p) (scipy.stats.binom.pmf), computed
 * in log space (lgamma); 0 outside 0..n. */
double ev_binom_pmf(double k, double n, double p);

/* Two-sided exact binomial test of k successes in n trials against probability p, as
 * scipy.stats.binomtest(k, n, p).pvalue (scipy >= 1.7): the sum of the probabilities of
 * every outcome no more likely than k (relative tolerance 1e-7), capped at 1; 1 when
 * k == n p. The Basel "binomial test" of a rating grade: k defaults among n loans whose
 * mean PD is p. NaN when n < 1, k outside 0..n or p outside [0, 1]. */
double ev_binom_test(double k, double n, double p);

#endif /* CS_EVAL_METRICS_H */
