/*
 * sql.h: one way to run SQL on either backend of the connection layer (db.h's SQLite,
 * pg.h's PostgreSQL), for the stores whose statements are the same text on both: the
 * tracking store and the registry. Internal to src/store.
 *
 * A statement is written once, in what both dialects accept (ON CONFLICT ... DO, NULLS
 * LAST, COALESCE, window functions), with ? for its parameters (sent as $1, $2 ... to
 * PostgreSQL). Its parameters follow a type string, one letter each:
 *   't' text (const char *; NULL = SQL NULL)    'i' integer (int64_t)
 *   'd' double (NaN = SQL NULL)                  'b' bytes (const void *, then size_t)
 * Rows are read column by column; a NULL reads as "" (text), 0 (integer), NaN (double).
 *
 * Writes are serialized as SQLite's are: store_sql_begin takes the database's write lock
 * at once, waiting up to STORE_DB_BUSY_MS for another writer (SQLite: BEGIN IMMEDIATE;
 * PostgreSQL: BEGIN, then one transaction-scoped advisory lock that every writer of these
 * stores takes), so that a read-then-write (the next version number, an immutable
 * parameter) sees no other writer in between on either backend.
 *
 * Ownership: store_sql_open() returns a handle closed with store_sql_close() (NULL
 * allowed); store_sql_run() hands out a cursor the caller ends with store_rows_end(). One
 * thread at a time on a PostgreSQL handle (a SQLite one opened with STORE_DB_SHARED may be
 * shared).
 */
#ifndef CS_STORE_SQL_H
#define CS_STORE_SQL_H

#include "db.h"

typedef struct store_sql store_sql;
typedef struct store_rows store_rows;

/* Open path: a PostgreSQL URL (pg.h), else a SQLite file opened with db_mode (db.h's
 * STORE_DB_* flags); what names the store in errors. */
store_sql *store_sql_open(const char *path, int db_mode, const char *what, cs_err *err);
void store_sql_close(store_sql *c);

/* 1 when the store is in PostgreSQL. */
int store_sql_is_pg(const store_sql *c);
/* The file's path, or the URL without its password. */
const char *store_sql_name(const store_sql *c);

/* Bring the schema to its version: lite on SQLite, pg on PostgreSQL (the same name and
 * versions, each backend's DDL). */
cs_status store_sql_migrate(store_sql *c, const store_schema *lite, const store_schema *pg, cs_err *err);

/* Write transactions (see above). store_sql_end commits when st is CS_OK and rolls back
 * otherwise, returning the outcome; store_sql_rollback never fails. */
cs_status store_sql_begin(store_sql *c, cs_err *err);
cs_status store_sql_end(store_sql *c, cs_status st, cs_err *err);
void store_sql_rollback(store_sql *c);

/* Run one statement with its parameters (types as above), then the cs_err * (may be NULL)
 * as the last argument; what names the statement in errors. rows NULL: no rows are wanted
 * (the statement is run to its end); else *rows receives the cursor of its rows. */
cs_status store_sql_run(store_sql *c, store_rows **rows, const char *what, const char *sql, const char *types,
                        ...);

/* The next row: 1, or 0 at the end or on an error (store_rows_end tells which). */
int store_rows_next(store_rows *r);
const char *store_rows_text(store_rows *r, int col);
int64_t store_rows_int(store_rows *r, int col);
double store_rows_double(store_rows *r, int col);
int store_rows_null(store_rows *r, int col);
/* Append column col's bytes to b. */
cs_status store_rows_bytes(store_rows *r, int col, cs_buf *b, cs_err *err);
/* Free the cursor (NULL allowed); the error met while reading its rows, if any. */
cs_status store_rows_end(store_rows *r, cs_err *err);

#endif /* CS_STORE_SQL_H */
