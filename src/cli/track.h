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

/* End the run FINISHED (ok != 0) or FAILED, stop the guard and free r. NULL is allowed. */
void cli_run_end(cli_run *r, int ok);

/* Log a parameter, metric or tag, reporting a store failure as a warning on stderr
 * (tracking must never make a finished training fail). */
void cli_run_param(cli_run *r, const char *key, const char *value);
void cli_run_metric(cli_run *r, const char *key, double value, int64_t step);
void cli_run_tag(cli_run *r, const char *key, const char *value);
void cli_run_artifact(cli_run *r, const char *path, const char *kind);

#endif /* CS_CLI_TRACK_H */
