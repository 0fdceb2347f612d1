/*
 * schema.c: the stores' schemas and their migrations (see schema.h).
 */
#include "schema.h"

/* ---- tracking ----------------------------------------------------------------------- */

static const char *const _tracking[] = {
    /* 1: release 0.1.0's tables (experiment 0 is "Default", as MLflow's) */
    "CREATE TABLE IF NOT EXISTS experiments ("
    "  experiment_id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  creation_time INTEGER NOT NULL,"
    "  last_update_time INTEGER NOT NULL,"
    "  lifecycle_stage TEXT NOT NULL DEFAULT 'active');"
    "CREATE TABLE IF NOT EXISTS runs ("
    "  run_id TEXT PRIMARY KEY,"
    "  experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),"
    "  name TEXT NOT NULL,"
    "  status INTEGER NOT NULL,"
    "  start_time INTEGER NOT NULL,"
    "  end_time INTEGER,"
    "  parent_run_id TEXT,"
    "  source TEXT NOT NULL DEFAULT '',"
    "  user_id TEXT NOT NULL DEFAULT '',"
    "  host TEXT NOT NULL DEFAULT '',"
    "  pid INTEGER NOT NULL DEFAULT 0,"
    "  pid_start INTEGER NOT NULL DEFAULT 0,"
    "  lifecycle_stage TEXT NOT NULL DEFAULT 'active');"
    "CREATE INDEX IF NOT EXISTS runs_by_parent ON runs(parent_run_id);"
    "CREATE TABLE IF NOT EXISTS params ("
    "  run_id TEXT NOT NULL REFERENCES runs(run_id), key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY (run_id, key));"
    "CREATE TABLE IF NOT EXISTS metrics ("
    "  run_id TEXT NOT NULL REFERENCES runs(run_id), key TEXT NOT NULL, value REAL,"
    "  step INTEGER NOT NULL, timestamp INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS metrics_by_run ON metrics(run_id, key);"
    "CREATE TABLE IF NOT EXISTS tags ("
    "  run_id TEXT NOT NULL REFERENCES runs(run_id), key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY (run_id, key));"
    "CREATE TABLE IF NOT EXISTS artifacts ("
    "  run_id TEXT NOT NULL REFERENCES runs(run_id), path TEXT NOT NULL, kind TEXT NOT NULL,"
    "  PRIMARY KEY (run_id, path));"
    "INSERT OR IGNORE INTO experiments(experiment_id, name, creation_time, last_update_time)"
    " VALUES (0, 'Default', CAST(strftime('%s','now') AS INTEGER) * 1000,"
    " CAST(strftime('%s','now') AS INTEGER) * 1000);",
    /* 2: `runs list --experiment` and the best run of an experiment read runs by experiment,
     * newest first */
    "CREATE INDEX IF NOT EXISTS runs_by_experiment ON runs(experiment_id, start_time);",
};

const store_schema store_schema_tracking = {"tracking", 2, _tracking};

/* PostgreSQL: the same tables and versions. rowid is SQLite's implicit one made a column
 * (the order of insertion the queries break ties with); the text columns the queries sort
 * by compare bytes (COLLATE "C"), as SQLite's do. */
static const char *const _tracking_pg[] = {
    "CREATE TABLE IF NOT EXISTS experiments ("
    "  experiment_id BIGSERIAL PRIMARY KEY,"
    "  name TEXT COLLATE \"C\" NOT NULL UNIQUE,"
    "  creation_time BIGINT NOT NULL,"
    "  last_update_time BIGINT NOT NULL,"
    "  lifecycle_stage TEXT NOT NULL DEFAULT 'active');"
    "CREATE TABLE IF NOT EXISTS runs ("
    "  rowid BIGSERIAL,"
    "  run_id TEXT COLLATE \"C\" PRIMARY KEY,"
    "  experiment_id BIGINT NOT NULL REFERENCES experiments(experiment_id),"
    "  name TEXT NOT NULL,"
    "  status INTEGER NOT NULL,"
    "  start_time BIGINT NOT NULL,"
    "  end_time BIGINT,"
    "  parent_run_id TEXT COLLATE \"C\","
    "  source TEXT NOT NULL DEFAULT '',"
    "  user_id TEXT NOT NULL DEFAULT '',"
    "  host TEXT NOT NULL DEFAULT '',"
    "  pid BIGINT NOT NULL DEFAULT 0,"
    "  pid_start BIGINT NOT NULL DEFAULT 0,"
    "  lifecycle_stage TEXT NOT NULL DEFAULT 'active');"
    "CREATE INDEX IF NOT EXISTS runs_by_parent ON runs(parent_run_id);"
    "CREATE TABLE IF NOT EXISTS params ("
    "  run_id TEXT COLLATE \"C\" NOT NULL REFERENCES runs(run_id), key TEXT COLLATE \"C\" NOT NULL,"
    "  value TEXT NOT NULL, PRIMARY KEY (run_id, key));"
    "CREATE TABLE IF NOT EXISTS metrics ("
    "  rowid BIGSERIAL, run_id TEXT COLLATE \"C\" NOT NULL REFERENCES runs(run_id),"
    "  key TEXT COLLATE \"C\" NOT NULL, value DOUBLE PRECISION, step BIGINT NOT NULL, timestamp BIGINT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS metrics_by_run ON metrics(run_id, key);"
    "CREATE TABLE IF NOT EXISTS tags ("
    "  run_id TEXT COLLATE \"C\" NOT NULL REFERENCES runs(run_id), key TEXT COLLATE \"C\" NOT NULL,"
    "  value TEXT NOT NULL, PRIMARY KEY (run_id, key));"
    "CREATE TABLE IF NOT EXISTS artifacts ("
    "  run_id TEXT COLLATE \"C\" NOT NULL REFERENCES runs(run_id), path TEXT COLLATE \"C\" NOT NULL,"
    "  kind TEXT NOT NULL, PRIMARY KEY (run_id, path));"
    "INSERT INTO experiments(experiment_id, name, creation_time, last_update_time)"
    " VALUES (0, 'Default', (extract(epoch FROM now()) * 1000)::bigint, (extract(epoch FROM now()) * 1000)::bigint)"
    " ON CONFLICT DO NOTHING;",
    "CREATE INDEX IF NOT EXISTS runs_by_experiment ON runs(experiment_id, start_time);",
};

const store_schema store_schema_tracking_pg = {"tracking", 2, _tracking_pg};

/* ---- registry ----------------------------------------------------------------------- */

static const char *const _registry[] = {
    /* 1: release 0.1.0's table */
    "CREATE TABLE IF NOT EXISTS model_versions ("
    "  name TEXT NOT NULL, version INTEGER NOT NULL, sha256 TEXT NOT NULL, path TEXT NOT NULL,"
    "  stage TEXT NOT NULL DEFAULT 'None', source_run_id TEXT NOT NULL DEFAULT '',"
    "  threshold REAL, metrics TEXT NOT NULL DEFAULT '{}', learner TEXT NOT NULL DEFAULT '',"
    "  created INTEGER NOT NULL, PRIMARY KEY (name, version), UNIQUE (name, sha256));",
    /* 2: the version of a model in a stage (serve --registry, models path --stage) */
    "CREATE INDEX IF NOT EXISTS model_versions_by_stage ON model_versions(name, stage, version);",
};

const store_schema store_schema_registry = {"registry", 2, _registry};

/* PostgreSQL: the same table, and the model files themselves (model_files: the servers
 * reading the registry are on other machines than the file registered) */
static const char *const _registry_pg[] = {
    "CREATE TABLE IF NOT EXISTS model_versions ("
    "  name TEXT COLLATE \"C\" NOT NULL, version INTEGER NOT NULL, sha256 TEXT NOT NULL, path TEXT NOT NULL,"
    "  stage TEXT NOT NULL DEFAULT 'None', source_run_id TEXT NOT NULL DEFAULT '',"
    "  threshold DOUBLE PRECISION, metrics TEXT NOT NULL DEFAULT '{}', learner TEXT NOT NULL DEFAULT '',"
    "  created BIGINT NOT NULL, PRIMARY KEY (name, version), UNIQUE (name, sha256));"
    "CREATE TABLE IF NOT EXISTS model_files (sha256 TEXT PRIMARY KEY, content BYTEA NOT NULL);",
    "CREATE INDEX IF NOT EXISTS model_versions_by_stage ON model_versions(name, stage, version);",
};

const store_schema store_schema_registry_pg = {"registry", 2, _registry_pg};

/* ---- audit, outcomes ---------------------------------------------------------------- */

static const char *const _audit[] = {
    /* 1: release 0.1.0's table. No index but time: every index is one more B-tree write per
     * decision on the API's path */
    "CREATE TABLE IF NOT EXISTS audit("
    " seq INTEGER PRIMARY KEY, time TEXT NOT NULL, unix_ms INTEGER NOT NULL, request_id TEXT,"
    " endpoint TEXT, model_name TEXT, model_version TEXT, input_kind TEXT, client_id INTEGER,"
    " input_digest TEXT, probability REAL, score REAL, threshold REAL, decision TEXT);"
    "CREATE INDEX IF NOT EXISTS audit_time ON audit(unix_ms);",
    /* 2: the challenger's view of the same request (serve --challenger), in the champion's
     * row: NULL when no challenger scored it; probability and threshold NULL and decision
     * 'error' when it failed */
    "ALTER TABLE audit ADD COLUMN challenger_name TEXT;"
    "ALTER TABLE audit ADD COLUMN challenger_version TEXT;"
    "ALTER TABLE audit ADD COLUMN challenger_probability REAL;"
    "ALTER TABLE audit ADD COLUMN challenger_threshold REAL;"
    "ALTER TABLE audit ADD COLUMN challenger_decision TEXT;",
    /* 3: what a row is (audit.h): a decision, a lookup (a view of a client's decision) or a
     * simulation (a what-if); the rows before were all logged as decisions. The index on
     * client_id serves a client's history (GET /v1/clients/{id}/history): one more B-tree
     * write per row, against a scan of the whole log per page view */
    "ALTER TABLE audit ADD COLUMN kind TEXT NOT NULL DEFAULT 'decision'"
    " CHECK (kind IN ('decision', 'lookup', 'simulation'));"
    "CREATE INDEX IF NOT EXISTS audit_client ON audit(client_id, seq);",
};

const store_schema store_schema_audit = {"audit", 3, _audit};

static const char *const _audit_pg[] = {
    /* 1: the SQLite table's columns and index */
    "CREATE TABLE IF NOT EXISTS audit("
    " seq BIGSERIAL PRIMARY KEY, time TEXT NOT NULL, unix_ms BIGINT NOT NULL, request_id TEXT,"
    " endpoint TEXT, model_name TEXT, model_version TEXT, input_kind TEXT, client_id BIGINT,"
    " input_digest TEXT, probability DOUBLE PRECISION, score DOUBLE PRECISION,"
    " threshold DOUBLE PRECISION, decision TEXT);"
    "CREATE INDEX IF NOT EXISTS audit_time ON audit(unix_ms);",
    /* 2: the challenger's columns, as the SQLite table's step 2 */
    "ALTER TABLE audit ADD COLUMN IF NOT EXISTS challenger_name TEXT,"
    " ADD COLUMN IF NOT EXISTS challenger_version TEXT,"
    " ADD COLUMN IF NOT EXISTS challenger_probability DOUBLE PRECISION,"
    " ADD COLUMN IF NOT EXISTS challenger_threshold DOUBLE PRECISION,"
    " ADD COLUMN IF NOT EXISTS challenger_decision TEXT;",
    /* 3: the SQLite table's step 3 (kind, the client index) */
    "ALTER TABLE audit ADD COLUMN IF NOT EXISTS kind TEXT NOT NULL DEFAULT 'decision'"
    " CHECK (kind IN ('decision', 'lookup', 'simulation'));"
    "CREATE INDEX IF NOT EXISTS audit_client ON audit(client_id, seq);",
};

const store_schema store_schema_audit_pg = {"audit", 3, _audit_pg};

static const char *const _outcomes[] = {
    /* 1: release 0.1.0's table */
    "CREATE TABLE IF NOT EXISTS outcomes("
    " key_kind TEXT NOT NULL CHECK (key_kind IN ('request_id', 'client_id')), key TEXT NOT NULL,"
    " defaulted INTEGER NOT NULL CHECK (defaulted IN (0, 1)), observed_ms INTEGER NOT NULL,"
    " imported_ms INTEGER NOT NULL, source TEXT, PRIMARY KEY (key_kind, key));",
};

const store_schema store_schema_outcomes = {"outcomes", 1, _outcomes};

/* ---- clients ------------------------------------------------------------------------ */

const char store_schema_clients_fixed[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE features(idx INTEGER PRIMARY KEY, name TEXT NOT NULL);"
    "CREATE TABLE fields(idx INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, label_en TEXT,"
    " label_fr TEXT, unit TEXT);";

const char store_schema_clients_fixed_pg[] =
    "DROP TABLE IF EXISTS clients, clients_meta, clients_features, clients_fields;"
    "CREATE TABLE clients_meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE clients_features(idx INTEGER PRIMARY KEY, name TEXT NOT NULL);"
    "CREATE TABLE clients_fields(idx INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, label_en TEXT,"
    " label_fr TEXT, unit TEXT);";
