/*
 * db.h: the connection layer under every store of src/store (tracking, registry, clients,
 * audit, outcomes). Internal to the module: no header outside src/store includes it, so the
 * raw sqlite3 handle never leaves the module.
 *
 * One way to open a database (store_db_open: the open flags, the pragmas of its mode, one
 * busy timeout STORE_DB_BUSY_MS, retries of the setup a concurrent creator can make busy),
 * to run and prepare SQL with errors that name the database, to hold write transactions
 * (BEGIN IMMEDIATE, retried while another writer holds the lock, COMMIT or ROLLBACK), a
 * small cache of prepared statements, and the versioned schemas (store_db_migrate, with
 * the schemas themselves in schema.c).
 *
 * Ownership: store_db_open() returns a handle closed with store_db_close() (NULL allowed),
 * which also finalizes the cached statements. A handle is used by one thread at a time
 * unless opened with STORE_DB_SHARED.
 */
#ifndef CS_STORE_DB_H
#define CS_STORE_DB_H

#include <sqlite3.h>

#include "../base/cs.h"

/* The one busy timeout of the stores: how long a writer waits for another one's lock
 * before its operation fails (the audit log's writer included: see audit.c). */
#define STORE_DB_BUSY_MS 5000

/* Open modes, or'ed. Without READONLY or SCRATCH a database is in WAL mode with
 * synchronous=NORMAL and foreign keys on. */
enum {
    STORE_DB_CREATE = 1,      /* create the file when absent (else it must exist) */
    STORE_DB_READONLY = 2,    /* read only */
    STORE_DB_IMMUTABLE = 4,   /* read only, a file that never changes while open: no locks */
    STORE_DB_SCRATCH = 8,     /* a file written once then renamed into place: no journal, no sync */
    STORE_DB_SHARED = 16,     /* several threads use the handle (serialized) */
    STORE_DB_SMALL_PAGES = 32 /* 1 KiB pages for a new file (a log of small rows) */
};

typedef struct store_db store_db;

/* Open path in mode; what names the database in errors ("the tracking store", "the audit
 * log"). A busy lock met while setting the database up (two processes creating it at
 * once) is retried for up to STORE_DB_BUSY_MS. */
store_db *store_db_open(const char *path, int mode, const char *what, cs_err *err);
void store_db_close(store_db *d);

const char *store_db_path(const store_db *d);
/* The SQLite connection, for this module's files only (statements, hooks). */
sqlite3 *store_db_sqlite(store_db *d);

/* The error of the last call on d: "PATH: WHAT: SQLite's message", code CS_EIO; when
 * the database was locked the message says how long it waited. */
cs_status store_db_fail(store_db *d, const char *what, cs_err *err);

/* Run SQL text without results. */
cs_status store_db_exec(store_db *d, const char *sql, cs_err *err);

/* Prepare one statement the caller finalizes. */
cs_status store_db_prepare(store_db *d, const char *sql, sqlite3_stmt **q, cs_err *err);

/* A cached prepared statement for sql, reset and with its bindings cleared: the handle
 * owns it (do not finalize it); it stays valid until the same sql is asked for again or
 * the handle is closed. sql should be a string constant (the cache is keyed by text). */
cs_status store_db_cached(store_db *d, const char *sql, sqlite3_stmt **q, cs_err *err);

/* Step a statement that returns no row; what names it in the error. The statement is
 * reset afterwards. */
cs_status store_db_step_done(store_db *d, sqlite3_stmt *q, const char *what, cs_err *err);

/* Write transactions: begin (IMMEDIATE: the write lock at once, waiting up to
 * STORE_DB_BUSY_MS for another writer), commit, roll back (never fails; a no-op outside a
 * transaction). store_db_end commits when st is CS_OK and rolls back otherwise, returning
 * the outcome. */
cs_status store_db_begin(store_db *d, cs_err *err);
cs_status store_db_commit(store_db *d, cs_err *err);
void store_db_rollback(store_db *d);
cs_status store_db_end(store_db *d, cs_status st, cs_err *err);

/* ---- versioned schemas -------------------------------------------------------------- */

/* A schema: its name, and the steps that take it from version v-1 to v (steps[0] creates
 * it, with CREATE ... IF NOT EXISTS: a database written before schemas had versions holds
 * the tables of version 1 and is at version 0). The versions live in the database's
 * table creditscore_schema(name, version, upgraded_ms), one row per schema. */
typedef struct store_schema {
    const char *name;           /* "tracking", "registry", "audit", "outcomes" */
    int version;                /* the version this build writes: the number of steps */
    const char *const *steps;   /* version entries */
} store_schema;

/* Bring the schema to its version in one write transaction (nothing written when it is
 * there already). A database at a newer version (written by a newer creditscore) is
 * CS_EVERSION naming both versions. */
cs_status store_db_migrate(store_db *d, const store_schema *s, cs_err *err);

/* The version of schema s in d (0 when none is recorded) into *version, without writing;
 * a newer version than this build knows is CS_EVERSION as above. */
cs_status store_db_check(store_db *d, const store_schema *s, int *version, cs_err *err);

#endif /* CS_STORE_DB_H */
