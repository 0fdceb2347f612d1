/*
 * track.h: a tracked run around a command (train, compare, a search). It opens the
 * tracking store, starts the run, and guards it: SIGINT and SIGTERM are handled by a
 * thread of their own that ends the run (and its running trials) as KILLED before the
 * process exits with 128 + the signal, so an interrupted run never stays RUNNING. A run
 * whose process dies by SIGKILL or a crash is ended as FAILED the next time any command
 * opens the store (store_open reaps it).
 *
 * Call cli_run_begin() before any parallel region (OpenMP threads must inherit the
 * blocked signals), cli_run_end() when the command is done.
 */
#ifndef CS_CLI_TRACK_H
#define CS_CLI_TRACK_H

#include "../store/track.h"

typedef struct cli_run cli_run;

/* store_flag: the --store value or NULL (then $CREDITSCORE_STORE or ./creditscore.db).
 * The command line argv is recorded as the run's source. */
cli_run *cli_run_begin(const char *store_flag, const char *experiment, const char *name,
                       int argc, char **argv, cs_err *err);
store *cli_run_store(cli_run *r);
const char *cli_run_id(const cli_run *r);

/* End the run FINISHED (ok != 0) or FAILED, stop the guard and free r. NULL is allowed
 * (CS_OK). When the store cannot record the end, the error is in err and the run stays
 * RUNNING until the next command that opens the store ends it as FAILED: a command that
 * succeeded must then say so and fail, since its run does not show its success. */
cs_status cli_run_end(cli_run *r, int ok, cs_err *err);

/* Log a parameter, metric or tag, reporting a store failure as a warning on stderr
 * (tracking must never make a finished training fail). */
void cli_run_param(cli_run *r, const char *key, const char *value);
void cli_run_metric(cli_run *r, const char *key, double value, int64_t step);
void cli_run_tag(cli_run *r, const char *key, const char *value);
void cli_run_artifact(cli_run *r, const char *path, const char *kind);

/* A child run of r (one learner of a comparison), sharing r's store; log to it with the
 * cli_run_* calls and end it with cli_run_end(). NULL (with a warning) on failure. */
cli_run *cli_run_child(cli_run *r, const char *name);

/* Log each member of a JSON object as a parameter (prefix + key; strings unquoted). */
void cli_run_params_json(cli_run *r, const char *prefix, const char *json_object);

/* A search trial as a child run of r: its parameters, its CV AUC (mean, sd), cost,
 * threshold and time, ended FINISHED. */
struct ev_trial;
struct ev_trial_score;
void cli_run_trial(cli_run *r, size_t index, const struct ev_trial *trial,
                   const struct ev_trial_score *score);

/* Per-iteration validation AUC of fold `fold`: buffered, written as the metric
 * valid_auc_fold<k> (step = iteration) when the fold changes and at cli_run_flush(). */
void cli_run_iteration(cli_run *r, int fold, int iteration, double valid_auc);
void cli_run_flush(cli_run *r);

#endif /* CS_CLI_TRACK_H */
