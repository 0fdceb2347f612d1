/*
 * similar.h: the applicants most like a client (GET /v1/clients/{id}/similar): among the
 * training applicants of the model's drift sample (the model file's SAMPLE, a seeded draw
 * of up to 5,000 rows), those nearest the client over the model's most important
 * features, each scored by the served model. What a relationship manager is shown: the
 * acceptance rate in the client's band (its nearest applicants) and a few of the nearest
 * accepted and refused applicants, by their values and outcome, never by who they are.
 */
#ifndef CS_SERVE_SIMILAR_H
#define CS_SERVE_SIMILAR_H

#include "handle.h"

/* The distance: over the basis (the API_SIMILAR_BASIS most important features by the file's
 * mean |SHAP|, else by gain, leaving out the recipe's protected attributes and features
 * without spread), sqrt(sum w_j z_j^2 / sum w_j) with z_j the difference of the two values
 * in training standard deviations and w_j the feature's importance, over the features both
 * have a value of; an applicant sharing less than half of the weight of the client's known
 * basis values is not a neighbour. */
#define API_SIMILAR_BASIS 8
/* The band: the client's nearest applicants, this many (fewer when the sample is smaller). */
#define API_SIMILAR_BAND 100

/* Append to out the members (without braces) "basis", "band", "approved" and "refused" for
 * the client with feature vector x (m's order; client_id left out of the candidates, -1:
 * none): the band's size, approvals, acceptance rate and observed default rate, and the k
 * nearest approved and the k nearest refused applicants (distance, probability, decision,
 * outcome, the values of the first four basis features worded in lang, 0 English, 1 French).
 * CS_ENOTFOUND when the model file has no drift sample (trained before it was stored). */
cs_status api_model_similar_json(const api_model *m, const double *x, int64_t client_id, int k, int lang,
                                 cs_buf *out, cs_err *err);

#endif /* CS_SERVE_SIMILAR_H */
