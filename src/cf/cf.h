/*
 * cf.h: what would change the decision: the smallest change of the inputs an applicant
 * controls (the recipe's "actionable" objects, recipe.h rcp_action) that turns a refusal
 * into an approval, or for an approved applicant how far each input can move and keep the
 * approval (docs/api.md, POST /v1/counterfactual).
 *
 * Exact on tree models: the score of a row only changes where one of the features an input
 * feeds crosses a split threshold of the model. The features an input feeds are its own
 * feature, the root columns that move with it (its "scales") and every derived root column
 * computed from them; each threshold t of such a feature is carried back through the
 * derivation (a + c, a - c, c - a, a * c, a / c, c / a, comparisons, "positive") to the input
 * value where the feature equals t. The candidates are the values on both sides of each of
 * those points (the multiples of the input's step just below and above it, or the point
 * itself and 1e-9 relative on either side without a step), within the input's bounds and
 * direction: between two neighbouring points the decision cannot change, so a finite list
 * covers every interval wider than a step. Each candidate is evaluated for real: the moved
 * columns set, the derived columns recomputed with the recipe's own operation
 * (rcp_derive_apply, the feature engine's), the row scored by mf_score. A derived feature
 * that depends on the input through both of its operands gives no points (its value is
 * still recomputed and scored).
 *
 * Order: one input changed before two; among those, the smallest relative change (the sum of
 * |new - now| / |now| over the changed inputs; the training sd, else 1, when now is 0). The
 * candidates are evaluated in that order, so the first approval is the smallest among all
 * candidates the search generates. Two inputs: for every single-input candidate a of the
 * first, the second's candidates with the first at a, the second applied after the first (it
 * overrides what the first moved: the annuity set after the credit amount that scaled it); a
 * pair whose second input moves the first's own column is taken the other way round only. Bounds: at most max_evals evaluations and
 * time_budget_ms of wall time; a search cut short says so.
 *
 * A model without trees (logreg) has no thresholds: the search reports found = 0 and why.
 * Thread-safe: no state outside the result.
 */
#ifndef CS_CF_CF_H
#define CS_CF_CF_H

#include "../base/cs.h"
#include "../model/model.h"
#include "../recipe/recipe.h"

#define CF_MAX_EVALS 20000        /* default and highest evaluations of one search */
#define CF_TIME_BUDGET_MS 2000.0  /* default and longest wall time of one search */
#define CF_MAX_INPUTS 16          /* actionable inputs considered (recipe order) */
#define CF_MAX_MOVES 4            /* columns moving with one input */

typedef struct cf_opts {
    int max_changes;          /* 1 or 2 inputs changed at once (0 = 1) */
    rcp_dir direction;        /* RCP_DIR_ANY: each input's own way; else only this way (for an
                               * approved applicant: the way of the margins) */
    size_t max_evals;         /* 0 or above CF_MAX_EVALS: CF_MAX_EVALS */
    double time_budget_ms;    /* 0 or above CF_TIME_BUDGET_MS: CF_TIME_BUDGET_MS */
    int keep_tried;           /* 1: the result lists every candidate evaluated */
} cf_opts;

/* A column set by a change: the input itself first, then the columns scaled with it. */
typedef struct cf_move {
    const rcp_column *col;
    double from, to;
} cf_move;

/* An actionable input and how the search treated it. */
typedef struct cf_input {
    const rcp_column *col;
    double now;               /* its current value */
    double lo, hi;            /* the bounds searched (the recipe's, else the training range) */
    double step;              /* 0: none */
    rcp_dir way;              /* the way searched */
    size_t n_points;          /* candidate values for a change of this input alone */
    char skipped[200];        /* why it was not searched ("" when it was) */
} cf_input;

typedef struct cf_change {
    int input;                /* index in cf_result.inputs */
    int n_moves;
    cf_move moves[1 + CF_MAX_MOVES];
} cf_change;

/* For an approved applicant: how far one input can move (its way) and keep the approval. */
typedef struct cf_margin {
    int input;
    double to;                /* the farthest candidate value still approved (now when none is) */
    int by_bound;             /* 1: the bound was reached approved; 0: the next candidate refuses */
    double refused_at;        /* that next candidate (NaN when by_bound) */
} cf_margin;

/* A candidate evaluated (keep_tried). */
typedef struct cf_tried {
    int n;                    /* inputs changed: 1 or 2 */
    int input[2];
    double value[2];
    double cost;
    mf_decision d;
} cf_tried;

typedef struct cf_result {
    mf_decision now;          /* the decision as things are */
    int n_inputs;
    cf_input inputs[CF_MAX_INPUTS];
    /* a refusal */
    int found;
    int n_changes;
    cf_change changes[2];
    mf_decision then;         /* the decision with the changes (found) */
    double cost;              /* the changes' relative size */
    int holds_beyond;         /* one input: every candidate farther the same way approves too */
    /* an approval */
    int n_margins;
    cf_margin margins[CF_MAX_INPUTS];
    /* the search */
    size_t evaluations;       /* rows scored (the current row not counted) */
    size_t candidates;        /* candidates generated */
    int budget;               /* 0, or 1: stopped at max_evals, 2: at the time budget */
    size_t max_evals;
    double time_budget_ms, elapsed_ms;
    char why[320];            /* found == 0 for a refusal: why not */
    size_t n_tried;
    cf_tried *tried;          /* keep_tried: in evaluation order */
} cf_result;

/* Search for model m (its spec's recipe) and row x (mf_n_feats values in model order, the
 * applicant as is). *out receives the result (free with cf_result_free) whether or not a
 * change was found; errors are only for what cannot be searched at all (no recipe: CS_EINVAL;
 * CS_ENOMEM). */
cs_status cf_search(const mf_model *m, const double *x, const cf_opts *opts, cf_result **out, cs_err *err);

void cf_result_free(cf_result *r);

#endif /* CS_CF_CF_H */
