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
 * between the fitted points, clipped to the fitted range of inputs.
 */
#ifndef CS_EVAL_CALIB_H
#define CS_EVAL_CALIB_H

#include "../base/cs.h"

typedef enum ev_calib_kind {
    EV_CALIB_NONE = 0,      /* identity */
    EV_CALIB_PLATT = 1,
    EV_CALIB_ISOTONIC = 2
} ev_calib_kind;

typedef struct ev_calib ev_calib; /* opaque */

/* "none", "platt", "isotonic". */
const char *ev_calib_kind_name(ev_calib_kind k);
/* Parse one of the names above; CS_EINVAL with a message otherwise. */
cs_status ev_calib_kind_parse(const char *s, ev_calib_kind *out, cs_err *err);

/* Fit a calibration of kind on probabilities p[0..n) with targets y (0/1). NONE needs no
 * data. Fails (CS_EINVAL) on n == 0 or a NaN p (for PLATT and ISOTONIC). Free with
 * ev_calib_free(). */
ev_calib *ev_calib_fit(ev_calib_kind kind, const double *y, const double *p, size_t n,
                       cs_err *err);

/* The calibrated probability of an uncalibrated p. NaN stays NaN. */
double ev_calib_apply(const ev_calib *c, double p);

ev_calib_kind ev_calib_kind_of(const ev_calib *c);

/* Platt's a and b (OUT); CS_EINVAL when c is not PLATT. */
cs_status ev_calib_platt_params(const ev_calib *c, double *a, double *b, cs_err *err);

/* The isotonic step points (borrowed, valid while c lives); 0 when c is not ISOTONIC. */
size_t ev_calib_isotonic_points(const ev_calib *c, const double **x, const double **y);

/* Append c's bytes (little-endian, self-describing) to out. */
cs_status ev_calib_write(const ev_calib *c, cs_buf *out, cs_err *err);

/* Read bytes written by ev_calib_write (checks kind, sizes and monotonicity);
 * CS_ECORRUPT with a message on anything malformed. */
ev_calib *ev_calib_read(const void *data, size_t len, cs_err *err);

void ev_calib_free(ev_calib *c);

#endif /* CS_EVAL_CALIB_H */
