/*
 * calib.h: probability calibration fitted on out-of-fold predictions: Platt scaling or
 * isotonic regression, both mapping an uncalibrated probability to a calibrated one.
 *
 * Platt: p_cal = 1 / (1 + exp(a * F + b)) with F = logit(p), p clipped to [1e-15, 1 - 1e-15]
 * (for boosting and logistic regression F is the raw margin). a, b minimise the log loss
 * against scikit-learn's smoothed targets (Platt 2000: t+ = (N+ + 1)/(N+ + 2),
 * t- = 1/(N- + 2)), exactly the objective of scikit-learn's _sigmoid_calibration; we solve
 * it with Newton's method and a backtracking line search (Lin, Lin and Weng 2007) to a
 * tighter optimum than scikit-learn's BFGS stops at.
 *
 * Isotonic: scikit-learn's IsotonicRegression(increasing=True, out_of_bounds="clip"):
 * inputs equal within 1e-15 are merged (their targets averaged), the weighted
 * pool-adjacent-violators fit is computed, and a new p is mapped by linear interpolation
 * between the fitted points, clipped to the fitted range of inputs. A step function: it
 * ties clients in blocks and can give 0 or 1; kept for those who ask for it.
 *
 * Interpolated isotonic ("isotonic-interp"), strictly increasing: the pool-adjacent-
 * violators blocks of the same fit, each block's rate shrunk towards the overall rate p0
 * by two pseudo-rows ((positives + 2 p0) / (rows + 2), so that no block says 0 or 1),
 * blocks whose shrunk rates no longer increase merged again; each block becomes one point
 * at its centre (the mean input of its rows) and a new p is interpolated linearly between
 * the centres; below the first and above the last centre the calibrated log-odds follow the
 * raw ones with slope 1 (logit c(p) = logit c(x_end) + logit p - logit x_end). Strictly
 * increasing in p, so it keeps the ranking (the AUC) exactly.
 *
 * Every calibrated probability of platt and isotonic-interp lies in [EV_CALIB_P_MIN,
 * EV_CALIB_P_MAX]: never exactly 0 or 1.
 *
 * The default of the training procedure ("auto", ev_calib_fit_auto) fits both strictly
 * increasing kinds and keeps the one whose out-of-fold log loss is lower: for each CV fold,
 * each kind is fitted on the other folds' probabilities and scored on that fold's.
 */
#ifndef CS_EVAL_CALIB_H
#define CS_EVAL_CALIB_H

#include "../base/cs.h"

typedef enum ev_calib_kind {
    EV_CALIB_NONE = 0,      /* identity */
    EV_CALIB_PLATT = 1,
    EV_CALIB_ISOTONIC = 2,
    EV_CALIB_ISOTONIC_INTERP = 3, /* strictly increasing: interpolated between block centres */
    EV_CALIB_AUTO = 4       /* a choice, never a fitted kind: ev_calib_fit_auto() */
} ev_calib_kind;

#define EV_CALIB_P_MIN 1e-15
#define EV_CALIB_P_MAX (1.0 - 1e-15)

/* The outcome of ev_calib_fit_auto(): the out-of-fold log loss of each candidate (NaN when
 * it could not be fitted: Platt with a non-negative slope does not increase) and the one
 * kept. */
typedef struct ev_calib_choice {
    double log_loss_platt;
    double log_loss_isotonic_interp;
    ev_calib_kind chosen;
} ev_calib_choice;

typedef struct ev_calib ev_calib; /* opaque */

/* "none", "platt", "isotonic", "isotonic-interp", "auto". */
const char *ev_calib_kind_name(ev_calib_kind k);
/* Parse one of the names above; CS_EINVAL with a message otherwise. */
cs_status ev_calib_kind_parse(const char *s, ev_calib_kind *out, cs_err *err);

/* Fit a calibration of kind on probabilities p[0..n) with targets y (0/1). NONE needs no
 * data. Fails (CS_EINVAL) on n == 0 or a NaN p (for the fitted kinds), and for AUTO (which
 * needs the folds: ev_calib_fit_auto). Free with ev_calib_free(). */
ev_calib *ev_calib_fit(ev_calib_kind kind, const double *y, const double *p, size_t n,
                       cs_err *err);

/* The default calibration: Platt or interpolated isotonic, whichever has the lower
 * out-of-fold log loss over the k folds fold[0..n) (values 0..k-1, the CV's), refitted on all
 * n rows. Ties go to Platt. choice (OUT, may be NULL) gets both losses and the kind kept. */
ev_calib *ev_calib_fit_auto(const double *y, const double *p, const int *fold, size_t n, int k,
                            ev_calib_choice *choice, cs_err *err);

/* 1 when c is strictly increasing in p (none, isotonic-interp, Platt with a negative slope):
 * it then keeps the ranking of the raw probabilities, and the calibrated AUC equals the
 * raw one. */
int ev_calib_keeps_order(const ev_calib *c);

/* The calibrated probability of an uncalibrated p. NaN stays NaN. */
double ev_calib_apply(const ev_calib *c, double p);

ev_calib_kind ev_calib_kind_of(const ev_calib *c);

/* Platt's a and b (OUT); CS_EINVAL when c is not PLATT. */
cs_status ev_calib_platt_params(const ev_calib *c, double *a, double *b, cs_err *err);

/* The isotonic points (borrowed, valid while c lives): ISOTONIC's steps or ISOTONIC_INTERP's
 * block centres; 0 for the other kinds. */
size_t ev_calib_isotonic_points(const ev_calib *c, const double **x, const double **y);

/* Append c's bytes (little-endian, self-describing) to out. */
cs_status ev_calib_write(const ev_calib *c, cs_buf *out, cs_err *err);

/* Read bytes written by ev_calib_write (checks kind, sizes and monotonicity);
 * CS_ECORRUPT with a message on anything malformed. */
ev_calib *ev_calib_read(const void *data, size_t len, cs_err *err);

void ev_calib_free(ev_calib *c);

#endif /* CS_EVAL_CALIB_H */
