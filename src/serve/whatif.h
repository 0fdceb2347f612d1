/*
 * whatif.h: the checks of a simulation's inputs (POST /v1/predict or /v1/explain with
 * "simulation_of": a client's inputs as a manager edited them on the dashboard). An edited
 * input must lie where the model learned: inside the range of its training values (the
 * model file's statistics, min and max), and the recipe's relations between inputs must
 * hold (an annuity no larger than the credit: the recipe's actionable "at_most" and
 * "at_least", docs/recipes.md). A 400 names the field ("features.AMT_INCOME_TOTAL") and says
 * what is wrong.
 */
#ifndef CS_SERVE_WHATIF_H
#define CS_SERVE_WHATIF_H

#include "handle.h"
#include "json.h"

/* Check x, the model m's feature vector of a simulation. base is the client's stored
 * feature vector in m's order (NULL when the client is not in the clients store): only the
 * features whose value differs from base are edited and checked (all of them without base),
 * and of those only the recipe's input columns (not its derived ratios, dummies or
 * aggregates: they follow from the inputs); a model without a recipe checks every edited
 * feature. A missing value (NaN) is always accepted. Returns 0, or 400 with pb filled:
 * "out_of_range" (a value outside the training values, or not finite) or
 * "inconsistent_inputs" (a relation of the recipe broken, checked when either side is edited),
 * field the feature's JSON path. */
int api_whatif_check(const api_model *m, const double *x, const double *base, api_problem *pb);

#endif /* CS_SERVE_WHATIF_H */
