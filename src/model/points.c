/*
 * points.c: the standard points scale and a scorecard's cut-off in points (points.h).
 */
#include "points.h"

#include <math.h>

double mf_points_of_proba(double p)
{
    /* points = offset + factor * ln(odds of good), factor = PDO / ln 2,
     * offset = BASE - factor * ln ODDS */
    const double factor = MF_POINTS_PDO / log(2.0);
    const double offset = MF_POINTS_BASE - factor * log((double)MF_POINTS_ODDS);
    if (!(p > 0)) p = 1e-15;
    if (!(p < 1)) p = 1 - 1e-15;
    double pts = offset + factor * log((1 - p) / p);
    return pts < MF_POINTS_MIN ? MF_POINTS_MIN : pts > MF_POINTS_MAX ? MF_POINTS_MAX : pts;
}

double mf_points_proba(const sc_card *card, const ev_calib *calib, double total)
{
    double p = 1 / (1 + exp(-sc_card_log_odds(card, total)));
    return calib ? ev_calib_apply(calib, p) : p;
}

int64_t mf_points_cutoff(const sc_card *card, const ev_calib *calib, double threshold)
{
    int64_t lo, hi;
    sc_card_range(card, &lo, &hi);
    /* from the top down: the first total refused ends the approved range */
    int64_t cut = hi + 1;
    for (int64_t P = hi; P >= lo; P--) {
        if (!(mf_points_proba(card, calib, (double)P) < threshold)) break;
        cut = P;
    }
    return cut;
}
