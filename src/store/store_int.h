/*
 * store_int.h: what the files of src/store share beside the connection layer (db.h, sql.h) and
 * the schemas (schema.h); not part of the module's contract.
 */
#ifndef CS_STORE_STORE_INT_H
#define CS_STORE_STORE_INT_H

#include "db.h"
#include "schema.h"
#include "sql.h"
#include "track.h"

/* The tracking store's connection, SQLite or PostgreSQL (the registry shares its database). */
store_sql *store__sql(store *s);

/* mkdir -p. */
cs_status store__mkdirs(const char *path, cs_err *err);

#endif /* CS_STORE_STORE_INT_H */
