/*
 * points.h: a scorecard's decision in points. A scorecard model (train --model scorecard)
 * scores in integer points (learn/scorecard.h); the model file's decision rule is on the
 * calibrated probability (refuse when p >= threshold, model.h). Calibration keeps the order
 * and the points' log-odds fall as points rise, so the rule is a cut-off in points: approve
 * at or above the cut-off.
 */
#ifndef CS_MODEL_POINTS_H
#define CS_MODEL_POINTS_H

#include "../eval/calib.h"
#include "../learn/scorecard.h"

/* The standard points scale of a model that is not a scorecard (§7 of the domain
 * reference): MF_POINTS_BASE points at odds MF_POINTS_ODDS:1 (good:bad), MF_POINTS_PDO
 * points to double the odds, clamped to [MF_POINTS_MIN, MF_POINTS_MAX]: p below about
 * 0.0206% scores 1000, above about 99.54% scores 0 (no client is told 2,879 points). */
#define MF_POINTS_BASE 600
#define MF_POINTS_ODDS 19
#define MF_POINTS_PDO 50
#define MF_POINTS_MIN 0.0
#define MF_POINTS_MAX 1000.0

/* The points of a probability of default on that scale. */
double mf_points_of_proba(double p);

/* The least total of points that the rule approves: calibrated(sigmoid(log-odds(P))) <
 * threshold for every P >= *cutoff within the card's range (sc_card_range); *cutoff is
 * the range's top + 1 when no total is approved, its bottom when all are. calib may be
 * NULL (no calibration). */
int64_t mf_points_cutoff(const sc_card *card, const ev_calib *calib, double threshold);

/* The calibrated probability of default of a total of points. */
double mf_points_proba(const sc_card *card, const ev_calib *calib, double total);

#endif /* CS_MODEL_POINTS_H */
