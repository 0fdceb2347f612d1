/*
 * audit.h: the audit log of decisions, an append-only SQLite table (WAL journal,
 * synchronous=NORMAL: a committed decision survives a crash of the process; a power loss
 * may lose the last batch, never corrupt the file).
 *
 *   audit(seq INTEGER PRIMARY KEY, time TEXT, unix_ms INTEGER, request_id TEXT,
 *         endpoint TEXT, model_name TEXT, model_version TEXT, input_kind TEXT,
 *         client_id INTEGER, input_digest TEXT, probability REAL, score REAL,
 *         threshold REAL, decision TEXT, challenger_name TEXT, challenger_version TEXT,
 *         challenger_probability REAL, challenger_threshold REAL, challenger_decision TEXT,
 *         kind TEXT)
 *
 * The challenger columns (schema version 2) hold what a challenger model (serve
 * --challenger) made of the same request, in the champion's row: one record, one write.
 * They are NULL when no challenger scored the request.
 *
 * kind (schema version 3; the rows of a log before it read as decisions) says what a row is:
 *   decision    a decision taken on an application (what `audit`, drift on the log and
 *               `monitor --audit` count)
 *   lookup      a view of a client's decision (the dashboard showing a client), not a new one
 *   simulation  a what-if: inputs edited by hand, never a decision on the applicant
 *
 * Writers append to an in-memory queue and a background thread commits the queue in
 * batches (at most one transaction every 2 ms unless someone waits for a commit: then
 * as soon as the previous one ends). store_audit_commit() waits for its batch's commit;
 * store_audit_submit() returns at once and calls back when it is committed (the API uses
 * it: the connection waits, suspended, without holding a worker thread, and no decision
 * is answered before it is durable). store_audit_close() commits everything queued
 * before it returns. Values are bound as parameters: no request text ever becomes SQL.
 *
 * The log may live in PostgreSQL instead (path "postgresql://..."; store/pg.h): the same
 * table, written by the same writer in batches of one COPY each (committed, with the
 * server's synchronous_commit, before any of its decisions is answered), so that several
 * API servers on several machines share one log; seq then comes from a sequence.
 */
#ifndef CS_STORE_AUDIT_H
#define CS_STORE_AUDIT_H

#include "../base/cs.h"

typedef struct store_audit store_audit;

#define STORE_AUDIT_DEFAULT_PATH "audit.db"
#define STORE_DATABASE_URL_ENV "CREDITSCORE_DATABASE_URL"

/* The audit log a command should use: flag (may be NULL), else $CREDITSCORE_DATABASE_URL
 * (a PostgreSQL URL shared by the servers), else audit.db. Static or borrowed storage. */
const char *store_audit_resolve_path(const char *flag);

/* One decision. Strings are copied by store_audit_append. */
typedef struct store_audit_rec {
    int64_t seq;                /* read back only: the row number */
    int64_t unix_ms;            /* time of the decision, ms since 1970 (UTC) */
    char time[32];              /* read back only: ISO 8601 UTC ("2026-11-26T07:55:01.123Z") */
    char request_id[72];
    char endpoint[16];          /* "predict" or "explain" */
    char model_name[64];
    char model_version[64];
    char input_kind[16];        /* "client_id", "features", "application" or "records" */
    int64_t client_id;          /* -1 when the input was not a client id */
    char input_digest[72];      /* SHA-256 hex of the input ("client_id:N", else the body) */
    double probability;
    double score;
    double threshold;
    char decision[16];          /* "approve" or "refuse" */
    /* the challenger (serve --challenger) on the same request; challenger_name "" = none */
    char challenger_name[64];
    char challenger_version[64];
    double challenger_probability;  /* NaN when none or when it failed */
    double challenger_threshold;    /* its own threshold; NaN as above */
    char challenger_decision[16];   /* "approve", "refuse", "error" (it failed) or "" (none) */
    char kind[12];              /* "decision", "lookup" or "simulation" ("" is written as "decision") */
} store_audit_rec;

/* The kinds of row, as a mask for store_audit_query_read. */
#define STORE_AUDIT_DECISION 1u
#define STORE_AUDIT_LOOKUP 2u
#define STORE_AUDIT_SIMULATION 4u
#define STORE_AUDIT_ALL 7u

/* The mask bit of a kind's name, 0 for anything else. */
unsigned store_audit_kind_bit(const char *kind);

/* The mask of a list of kinds: "decision,simulation" (comma-separated, no space) or "all";
 * 0 when a name is not a kind, or for an empty name ("", "decision,"). */
unsigned store_audit_kinds(const char *list);

/* 1 when r carries a challenger's probability and decision (it scored, without failing). */
int store_audit_rec_has_challenger(const store_audit_rec *r);

/* Open (creating if needed) the audit database, a file or a PostgreSQL URL (where the
 * database must exist; the table is created), and start its writer. Free with
 * store_audit_close(). */
store_audit *store_audit_open(const char *path, cs_err *err);

/* The log's name for messages: its path, or its URL without the password. */
const char *store_audit_name(const store_audit *a);

/* Queue a decision (copied). Blocks only while the queue is full (the writer is behind
 * by more than 65536 decisions). Thread-safe. */
cs_status store_audit_append(store_audit *a, const store_audit_rec *r, cs_err *err);

/* Queue a decision (copied) and wait until the batch holding it is committed: group
 * commit, the batching stays (one transaction for all the rows queued meanwhile) but the
 * caller returns only once its row is in the WAL, so a decision acknowledged after this
 * call survives a SIGKILL of the process. Error (the writer's failure) when it could not
 * be committed. Thread-safe. */
cs_status store_audit_commit(store_audit *a, const store_audit_rec *r, cs_err *err);

/* Called by the writer thread once the row handed to store_audit_submit is committed
 * (st CS_OK) or could not be (st the writer's failure, msg its message, else msg NULL).
 * Runs on the writer thread: it must be quick and must not call the audit log. */
typedef void (*store_audit_done_fn)(void *ud, cs_status st, const char *msg);

/* Queue a decision (copied) and return at once; done(ud, ...) is called exactly once,
 * from the writer thread, when the batch holding it is committed or failed, and at the
 * latest by store_audit_flush/close. On an error return (the writer already failed)
 * nothing was queued and done is never called. Thread-safe. */
cs_status store_audit_submit(store_audit *a, const store_audit_rec *r, store_audit_done_fn done, void *ud,
                             cs_err *err);

/* Wait until everything queued so far is committed or failed, every done callback of it
 * returned; the writer's failure, if any. Thread-safe. */
cs_status store_audit_flush(store_audit *a, cs_err *err);

/* Checkpoints (copying the write-ahead log into the database) run on a thread of their
 * own once the log holds `frames` pages (default 2048: 2 MiB of 1 KiB pages), so that
 * commits do not wait for their fsyncs; the writer finishes each with a short RESTART
 * checkpoint so the log starts over, and past `hard` pages (default 16 x frames) waits for
 * one: the log's size is bounded. Tuning, for tests; thread-safe. */
void store_audit_tune_checkpoints(store_audit *a, int frames, int hard);

/* The writer's state, for /health and /metrics. When a batch cannot be committed (the log
 * held locked by another process past the 5 s busy timeout, a full disk) its decisions get
 * the error, the log is degraded (reason: the cause) and further decisions are refused at
 * once; the writer retries an empty transaction every 250 ms, and the first that succeeds
 * ends the degraded state (recoveries + 1): decisions are taken again, no restart. */
typedef struct store_audit_stats_t {
    size_t queue_depth;         /* decisions queued, not yet in a transaction */
    uint64_t commits;           /* batches committed */
    uint64_t failures;          /* batches that failed */
    uint64_t recoveries;        /* degraded states ended by a successful retry */
    double commit_s_last;       /* the last commit's time, BEGIN to COMMIT, seconds */
    double commit_s_sum;        /* of all commits */
    int degraded;               /* 1: decisions are refused now */
    char reason[CS_ERR_MSG_MAX];/* why, when degraded */
} store_audit_stats_t;

void store_audit_stats(store_audit *a, store_audit_stats_t *out);

/* Commit what is queued, stop the writer and close. NULL is allowed. */
void store_audit_close(store_audit *a);

/* Read the decisions (kind "decision" only: not the lookups nor the simulations) of the log
 * at path (read-only; a file or a PostgreSQL URL), oldest first, the rows with unix_ms >=
 * since_ms, at most limit rows (limit <= 0: all); fn is called per row and may stop the
 * reading by returning non-zero. */
typedef int (*store_audit_fn)(const store_audit_rec *r, void *ud);
cs_status store_audit_read(const char *path, int64_t since_ms, int64_t limit, store_audit_fn fn, void *ud, cs_err *err);

/* Which rows store_audit_query_read reads. */
typedef struct store_audit_query {
    int64_t since_ms;           /* rows with unix_ms >= since_ms */
    int64_t limit;              /* at most this many (<= 0: all) */
    unsigned kinds;             /* STORE_AUDIT_* mask (0: decisions only) */
    int64_t client_id;          /* >= 0: this client's rows only (an index serves it) */
    int newest_first;           /* 1: by seq descending (with limit: the last rows) */
} store_audit_query;

cs_status store_audit_query_read(const char *path, const store_audit_query *q, store_audit_fn fn, void *ud,
                                 cs_err *err);

/* Format unix_ms as ISO 8601 UTC with milliseconds into out (32 bytes). */
void store_audit_format_time(int64_t unix_ms, char out[32]);

/* Parse "2026-11-26", "2026-11-26T07:55:01" or "...Z" (UTC) into unix ms; -1 on junk. */
int64_t store_audit_parse_time(const char *s);

#endif /* CS_STORE_AUDIT_H */
