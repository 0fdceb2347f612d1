/*
 * points.c: a scorecard's cut-off in points (points.h).
 */
#include "points.h"

#include <math.h>

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
