/*
 * track.h: experiment tracking in an embedded SQLite database (or, shared by several
 * machines, a PostgreSQL one), with MLflow's model of experiments, runs, parameters,
 * metrics (step + timestamp), tags and artifacts, and no server of its own. Every training, search trial and comparison is a run; search trials are child
 * runs of their search (parent_run_id, exported as the mlflow.parentRunId tag).
 *
 * The database is in WAL mode with a busy timeout, and every write is one IMMEDIATE
 * transaction (PostgreSQL: one transaction holding the stores' write lock), so several
 * processes may log at once (two searches side by side) without
 * corrupting it or losing runs. A run records the process that owns it (host, pid and the
 * pid's start time); store_open() ends as FAILED any RUNNING run whose process is gone, so
 * a crashed run never stays RUNNING forever. A run interrupted by a signal is ended as
 * KILLED by its command (see cli/track.c).
 *
 * The schema (tracking and registry, schema.c) has a version: store_open() upgrades a store
 * written by an earlier release and refuses one from a newer one (CS_EVERSION). Several
 * processes may create the same absent store at once.
 *
 * Ownership: store_open() returns a handle closed with store_close(), used by one thread
 * at a time. Query functions return structures the caller frees with the matching *_free().
 */
#ifndef CS_STORE_TRACK_H
#define CS_STORE_TRACK_H

#include "../base/cs.h"

#define STORE_RUN_ID_LEN 32     /* 32 lowercase hex digits, as MLflow's uuid4().hex */
#define STORE_DEFAULT_PATH "creditscore.db"
#define STORE_ENV "CREDITSCORE_STORE"

/* Run status, with MLflow's numbers (RunStatus enum). */
typedef enum store_status {
    STORE_RUNNING = 1,
    STORE_SCHEDULED = 2,
    STORE_FINISHED = 3,
    STORE_FAILED = 4,
    STORE_KILLED = 5
} store_status;

const char *store_status_name(store_status s);          /* "RUNNING", "FINISHED", ... */
int store_status_from_name(const char *name);           /* -1 when unknown */

typedef struct store store;

/* Open (creating when absent) the tracking database at path: a SQLite file, or a
 * PostgreSQL URL (the tables created in that database; the same semantics, sql.h). NULL
 * path = store_resolve_path(NULL). Ends dead processes' RUNNING runs as FAILED. */
store *store_open(const char *path, cs_err *err);
void store_close(store *s);
const char *store_path(const store *s);

/* The path a command should use: flag (may be NULL), else $CREDITSCORE_STORE, else
 * $CREDITSCORE_DATABASE_URL (the one database of docs/deploy.md), else the default. Static
 * or borrowed storage. */
const char *store_resolve_path(const char *flag);

/* 1 when path is a PostgreSQL connection URL ("postgresql://...", "postgres://..."): the
 * store is in that database, not a file. */
int store_is_url(const char *path);

/* ---- writing ------------------------------------------------------------------------ */

/* Start a run in the experiment of that name (created when absent; "Default" is id 0;
 * NULL: the parent's experiment, else "Default").
 * parent_run_id: NULL or the run of which this is a trial. source: the command line.
 * run_id receives the new id (33 bytes with the NUL). */
cs_status store_run_start(store *s, const char *experiment, const char *run_name,
                          const char *parent_run_id, const char *source,
                          char run_id[STORE_RUN_ID_LEN + 1], cs_err *err);

/* Parameters are immutable: logging the same key again with another value is an error
 * (the same value is accepted). Keys: letters, digits, _ - . / and space, at most 250. */
cs_status store_log_param(store *s, const char *run_id, const char *key, const char *value,
                          cs_err *err);

/* Append a metric value at a step. timestamp_ms 0 = now. */
cs_status store_log_metric(store *s, const char *run_id, const char *key, double value,
                           int64_t step, int64_t timestamp_ms, cs_err *err);

/* Append n values of one metric (per-iteration curves) in one transaction, at the given
 * steps, or at steps 0..n-1 when steps is NULL. */
cs_status store_log_metric_series(store *s, const char *run_id, const char *key,
                                  const double *values, const int64_t *steps, size_t n,
                                  cs_err *err);

/* Tags may be overwritten. */
cs_status store_set_tag(store *s, const char *run_id, const char *key, const char *value,
                        cs_err *err);

/* Record the path of a file the run produced (model file, cost curve, table). The path is
 * stored absolute; kind is a short word ("model", "table", "curve"). */
cs_status store_log_artifact(store *s, const char *run_id, const char *path, const char *kind,
                             cs_err *err);

/* End a run with a final status (FINISHED, FAILED or KILLED). Its RUNNING child runs end
 * with the same status. */
cs_status store_run_end(store *s, const char *run_id, store_status status, cs_err *err);

/* ---- reading ------------------------------------------------------------------------ */

typedef struct store_kv {
    char *key;
    char *value;
} store_kv;

typedef struct store_metric {
    char *key;
    double value;           /* latest value: max by (step, timestamp), as MLflow shows it */
    int64_t step;
    int64_t timestamp_ms;
    size_t n_points;        /* how many values were logged */
} store_metric;

typedef struct store_point {
    int64_t timestamp_ms;
    double value;
    int64_t step;
} store_point;

typedef struct store_run {
    char run_id[STORE_RUN_ID_LEN + 1];
    char parent_run_id[STORE_RUN_ID_LEN + 1];  /* "" when none */
    char *experiment;       /* experiment name */
    int64_t experiment_id;
    char *name;
    store_status status;
    int64_t start_ms;
    int64_t end_ms;         /* 0 while running */
    char *source;           /* command line */
    char *user;
    size_t n_params, n_metrics, n_tags, n_artifacts;
    store_kv *params;       /* sorted by key */
    store_metric *metrics;  /* sorted by key */
    store_kv *tags;         /* sorted by key */
    store_kv *artifacts;    /* key = path, value = kind */
} store_run;

typedef struct store_run_list {
    size_t n;
    store_run *runs;        /* newest first */
} store_run_list;

/* Filters for store_runs_query(); zero-initialise, set what you need. */
typedef struct store_query {
    const char *experiment;     /* NULL = all */
    const char *parent_run_id;  /* NULL = any; "" = top-level runs only */
    const char *status;         /* NULL = any, else a status name */
    size_t limit;               /* 0 = no limit */
} store_query;

store_run_list *store_runs_query(store *s, const store_query *q, cs_err *err);
void store_run_list_free(store_run_list *l);

/* One run with everything logged; id may be a unique prefix of at least 4 characters. */
store_run_list *store_run_get(store *s, const char *id, cs_err *err);

/* The full history of one metric of a run, in (step, timestamp) order. */
cs_status store_metric_history(store *s, const char *run_id, const char *key,
                               store_point **points, size_t *n, cs_err *err);

/* The finished run with the best latest value of metric (highest, or lowest when
 * lower_is_better), among runs matching q. CS_ENOTFOUND when none has the metric. */
store_run_list *store_run_best(store *s, const store_query *q, const char *metric,
                               int lower_is_better, cs_err *err);

/* ---- experiments -------------------------------------------------------------------- */

typedef struct store_experiment {
    int64_t id;
    char *name;
    int64_t creation_ms;
    int64_t last_update_ms;
} store_experiment;

cs_status store_experiments(store *s, store_experiment **out, size_t *n, cs_err *err);
void store_experiments_free(store_experiment *e, size_t n);

/* Milliseconds since the epoch. */
int64_t store_now_ms(void);

#endif /* CS_STORE_TRACK_H */
