/*
 * scorecard.h: what the API adds for a scorecard model (train --model scorecard, whose
 * points table the model file gives: mf_card).
 */
#ifndef CS_SERVE_SCORECARD_H
#define CS_SERVE_SCORECARD_H

#include "../base/cs.h"

/* Append ,"scorecard":{points, cutoff, decision, min_points, max_points, scaling} and, when
 * explain, each characteristic's bin/points/max/shortfall and the reason codes ranked by
 * shortfall (lang 1: French). mf must be a scorecard (mf_card(mf) not NULL). */
struct mf_model;
cs_status api_scorecard_json(const struct mf_model *mf, const double *x, int explain, int lang, cs_buf *out,
                             cs_err *err);

#endif /* CS_SERVE_SCORECARD_H */
