/*
 * store_int.h: helpers shared by the files of src/store (not part of the module's
 * contract): SQL execution with errors that name the store, and folder creation.
 */
#ifndef CS_STORE_STORE_INT_H
#define CS_STORE_STORE_INT_H

#include <sqlite3.h>

#include "track.h"

/* Run SQL text (no results) on the store; the message names the store's path. */
cs_status store__exec(store *s, const char *sql, cs_err *err);

/* Prepare one statement; the message names the store's path. */
cs_status store__prepare(store *s, const char *sql, sqlite3_stmt **q, cs_err *err);

/* mkdir -p. */
cs_status store__mkdirs(const char *path, cs_err *err);

#endif /* CS_STORE_STORE_INT_H */
