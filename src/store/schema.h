/*
 * schema.h: the schema of every store of src/store, in one place, with its version and
 * the steps from one version to the next (the contract of store_schema is in db.h).
 * Internal to the module.
 *
 *   tracking  runs, params, metrics, tags, artifacts, experiments  (the tracking store)
 *   registry  model_versions                            (the same database as tracking)
 *   audit     audit: the API's decisions                (the audit log)
 *   outcomes  outcomes: observed defaults of decisions  (the same database as audit)
 *   clients   written whole by each import (format STORE_CLIENTS_FORMAT in its meta
 *             table, format 1 still read): its fixed tables here, its clients table's
 *             columns from the importer's fields (clients.c)
 *
 * A step is never edited once released: a change is a new step appended.
 */
#ifndef CS_STORE_SCHEMA_H
#define CS_STORE_SCHEMA_H

#include "db.h"

extern const store_schema store_schema_tracking;
extern const store_schema store_schema_registry;
extern const store_schema store_schema_audit;
extern const store_schema store_schema_outcomes;

/* The tracking and registry schemas in PostgreSQL (sql.h): the same tables, names and
 * versions, PostgreSQL's types; the registry keeps the model files in it too (model_files). */
extern const store_schema store_schema_tracking_pg;
extern const store_schema store_schema_registry_pg;

/* The audit schema in PostgreSQL (pg.h): the same table and versions, PostgreSQL's types
 * (seq from a sequence: servers sharing the log number their decisions in commit order
 * of their batches). */
extern const store_schema store_schema_audit_pg;

/* The clients store's tables other than clients (meta, features, fields). */
extern const char store_schema_clients_fixed[];
/* The same in PostgreSQL, where the store's tables share a database with the others:
 * clients_meta, clients_features, clients_fields, each dropped first (an import replaces
 * the store in one transaction, clients_pg.c). */
extern const char store_schema_clients_fixed_pg[];

#endif /* CS_STORE_SCHEMA_H */
