/*
 * pg.h: the connection layer's PostgreSQL backend (libpq), beside db.h's SQLite one, for
 * the stores that more than one machine shares (the audit log). Internal to src/store.
 *
 * A store lives in PostgreSQL when its path is a connection URL ("postgresql://..." or
 * "postgres://...", libpq's syntax: user, password, host, port, database, parameters).
 * The same ideas as db.h: open (one connection, the session's statement timeout set from
 * STORE_DB_BUSY_MS so that a lock held by another session fails a write instead of
 * hanging it), errors that name the database (the URL without its password), versioned
 * schemas (store_pg_migrate, the same store_schema with PostgreSQL's DDL from schema.c,
 * serialized between servers by an advisory lock), and COPY for batches of rows.
 *
 * Ownership: store_pg_open() returns a handle closed with store_pg_close() (NULL
 * allowed). One thread at a time.
 */
#ifndef CS_STORE_PG_H
#define CS_STORE_PG_H

#include <libpq-fe.h>

#include "db.h"

typedef struct store_pg store_pg;

/* 1 when path is a PostgreSQL connection URL. */
int store_pg_is_url(const char *path);

/* Connect to url; what names the store in errors ("the audit log"). */
store_pg *store_pg_open(const char *url, const char *what, cs_err *err);
void store_pg_close(store_pg *p);

/* Connect again (the server dropped the connection: a restart, a failover), with the
 * session's settings; the statements prepared before are gone. */
cs_status store_pg_reset(store_pg *p, cs_err *err);

/* The URL without its password, for messages. */
const char *store_pg_name(const store_pg *p);
PGconn *store_pg_conn(store_pg *p);

/* Run SQL text (commands, no rows wanted). */
cs_status store_pg_exec(store_pg *p, const char *sql, cs_err *err);

/* The error of the connection (or of result r when not NULL): "NAME: WHAT: message". */
cs_status store_pg_fail(store_pg *p, const PGresult *r, const char *what, cs_err *err);

/* Load len bytes of COPY text (tab-separated rows, \N = NULL, see store_pg_copy_text) with
 * copy_sql ("COPY t(a, b) FROM STDIN"): one statement, committed when it returns CS_OK. */
cs_status store_pg_copy(store_pg *p, const char *copy_sql, const char *data, size_t len, cs_err *err);

/* A COPY streamed in pieces: start it with copy_sql (any COPY ... FROM STDIN, BINARY
 * included), send data in as many pieces as wanted, end it (st: CS_OK to finish it, else it
 * is abandoned and the server discards its rows). store_pg_copy_end returns the outcome,
 * the server's error on the rows included. */
cs_status store_pg_copy_start(store_pg *p, const char *copy_sql, cs_err *err);
cs_status store_pg_copy_put(store_pg *p, const char *data, size_t len, cs_err *err);
cs_status store_pg_copy_end(store_pg *p, cs_status st, cs_err *err);

/* Append s escaped for COPY's text format (backslash, tab, newline, CR) to b. */
cs_status store_pg_copy_text(cs_buf *b, const char *s, cs_err *err);

/* Bring schema s (PostgreSQL steps) to its version, as store_db_migrate does. */
cs_status store_pg_migrate(store_pg *p, const store_schema *s, cs_err *err);

/* The recorded version of s (0 when none) into *version; a newer one is CS_EVERSION. */
cs_status store_pg_check(store_pg *p, const store_schema *s, int *version, cs_err *err);

#endif /* CS_STORE_PG_H */
