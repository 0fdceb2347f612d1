/*
 * search.h: grid and random search over a parameter space read from JSON, each trial
 * scored through a callback (cross-validation by AUC or by business cost), the best one
 * chosen. eval/ knows nothing of the learners: a trial is a list of (name, JSON value
 * text) pairs that the caller applies (lrn_params_set() in learn/).
 *
 * The space is one JSON object, one member per parameter:
 *   grid:   every member a non-empty list of values   {"num_leaves": [15, 31], "learning_rate": [0.05, 0.1]}
 *           trials are the cartesian product, the LAST member varying fastest.
 *   random: a member is a list (one value drawn uniformly) or a range
 *           {"type": "uniform", "low": a, "high": b}      a + (b - a) * u,  u in [0, 1)
 *           {"type": "loguniform", "low": a, "high": b}   exp(uniform in [log a, log b)), a > 0
 *           {"type": "int", "low": a, "high": b}          an integer in [a, b], both ends included
 *           trial i draws from cs_rng_seed_stream(seed, i): the same seed gives the same trials.
 */
#ifndef CS_EVAL_SEARCH_H
#define CS_EVAL_SEARCH_H

#include "../base/cs.h"

typedef enum ev_search_kind {
    EV_SEARCH_GRID = 0,
    EV_SEARCH_RANDOM = 1
} ev_search_kind;

typedef enum ev_scoring {
    EV_SCORE_AUC = 0,   /* higher CV AUC (mean over folds) is better */
    EV_SCORE_COST = 1   /* lower business cost at the cost-optimal threshold is better */
} ev_scoring;

/* "grid"/"random" and "auc"/"cost" parsers: CS_EINVAL with a message otherwise. */
cs_status ev_search_kind_parse(const char *s, ev_search_kind *out, cs_err *err);
cs_status ev_scoring_parse(const char *s, ev_scoring *out, cs_err *err);
const char *ev_scoring_name(ev_scoring s);

typedef struct ev_space ev_space; /* opaque */

/* Parse a space from JSON text; source names the text in messages ("space.json"): a
 * syntax error is reported as "source:line:column: ...", a bad member by its name.
 * NULL + err on failure. Free with ev_space_free(). */
ev_space *ev_space_parse(const char *json_text, const char *source, ev_search_kind kind,
                         cs_err *err);

/* Read and parse a space file (CS_EIO when unreadable). */
ev_space *ev_space_load(const char *path, ev_search_kind kind, cs_err *err);

void ev_space_free(ev_space *s);

/* Number of grid points (product of list lengths; saturates at SIZE_MAX), 0 for random. */
size_t ev_space_grid_size(const ev_space *s);

/* Parameters in the space, and the name of parameter i (borrowed). */
size_t ev_space_n_params(const ev_space *s);
const char *ev_space_param_name(const ev_space *s, size_t i);

/* One trial: the parameter values to apply. Owned by whoever made it; ev_trial_free(). */
typedef struct ev_trial {
    size_t n;           /* parameters */
    char **names;       /* n names */
    char **values;      /* n values, JSON text ("0.05", "31", "\"balanced\"") */
    char *json;         /* the whole trial as one JSON object text */
} ev_trial;

/* Trial i of the space: grid point i (i < grid size), or random draw i with seed. */
cs_status ev_space_trial(const ev_space *s, size_t i, uint64_t seed, ev_trial *out, cs_err *err);

/* Free what t owns and zero it. NULL allowed. */
void ev_trial_free(ev_trial *t);

/* What a trial scored. */
typedef struct ev_trial_score {
    double auc_mean;    /* CV AUC, mean over folds */
    double auc_sd;      /* population sd over folds */
    double cost;        /* business cost at the cost-optimal threshold of the OOF predictions */
    double threshold;   /* that threshold */
    double seconds;     /* wall time of the trial */
} ev_trial_score;

/* Score one trial (index = its position, 0-based). Fill out; return CS_OK or an error. */
typedef cs_status (*ev_trial_fn)(void *ctx, const ev_trial *t, size_t index,
                                 ev_trial_score *out, cs_err *err);

typedef struct ev_search_result {
    size_t n;               /* trials run */
    ev_trial *trials;       /* n, owned */
    ev_trial_score *scores; /* n, owned */
    size_t best;            /* index of the best trial */
} ev_search_result;

/* Run the search: grid = every point (n_trials ignored; CS_EINVAL when the grid is empty or
 * larger than 100000 points), random = n_trials draws (>= 1). Ties go to the earlier trial.
 * A failing trial stops the search with its error prefixed by "trial i {json}: ".
 * On failure out holds nothing (freeing it is still allowed). */
cs_status ev_search_run(const ev_space *s, size_t n_trials, uint64_t seed, ev_scoring scoring,
                        ev_trial_fn fn, void *ctx, ev_search_result *out, cs_err *err);

/* Free what r owns and zero it. NULL allowed. */
void ev_search_result_free(ev_search_result *r);

#endif /* CS_EVAL_SEARCH_H */
