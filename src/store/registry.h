/*
 * registry.h: the model registry, in the same database as the runs (SQLite or
 * PostgreSQL). A registered model is a name with numbered versions; each version is a copy
 * of a model file, with its SHA-256, the run that produced it, its metrics and threshold,
 * and a stage (None, Staging, Production, Archived). Registering the same content twice
 * under a name gives the same version. Promoting a version to a stage archives the version
 * that held it, in one transaction (two promotions at once leave one version in the stage).
 *
 * The copy: in SQLite, a file beside the database
 * (<store>-artifacts/registry/<name>/<version>/model.csm); in PostgreSQL, the file's bytes
 * in the database (table model_files, path "model_files:SHA256"), which store_model_get
 * writes to this machine's $TMPDIR/creditscore-registry-UID/SHA256.csm (a folder only the
 * user may use) and returns as the version's path: servers on other machines than the one
 * that registered it load the same bytes.
 *
 * The registry does not read model files: the caller (the CLI) verifies the file (its
 * checksum) and passes what it read in store_model_facts.
 */
#ifndef CS_STORE_REGISTRY_H
#define CS_STORE_REGISTRY_H

#include "track.h"

typedef struct store_model_facts {
    const char *source_run_id;  /* NULL or "": looked up from the runs' artifacts */
    double threshold;           /* decision threshold carried by the model (NaN = none) */
    const char *metrics_json;   /* training metrics as a JSON object text, or NULL */
    const char *learner;        /* "gbdt", "xgboost", ... or NULL */
} store_model_facts;

typedef struct store_model_version {
    char *name;
    int version;
    char sha256[65];
    char *path;                 /* the registry's copy */
    char *stage;                /* "None", "Staging", "Production", "Archived" */
    char source_run_id[STORE_RUN_ID_LEN + 1];
    double threshold;
    char *metrics_json;
    char *learner;
    int64_t created_ms;
} store_model_version;

/* Register the model file at path under name. *version receives the version number;
 * *existed is set to 1 when that content was already registered (same version back). */
cs_status store_model_register(store *s, const char *name, const char *path,
                               const store_model_facts *facts, int *version, int *existed,
                               cs_err *err);

/* Versions of one model (name != NULL) or of all models, by name then version. */
cs_status store_model_list(store *s, const char *name, store_model_version **out, size_t *n,
                           cs_err *err);

/* Move a version to a stage ("staging", "production", "archived", "none"; any case). The
 * version that held staging or production before is archived. */
cs_status store_model_promote(store *s, const char *name, int version, const char *stage,
                              cs_err *err);

/* The version of name in a stage (or a given version when stage is NULL and version > 0).
 * Checks that the stored copy still has its registered SHA-256 (CS_ECORRUPT otherwise);
 * out->path is a local file (PostgreSQL: this machine's copy, see above). */
cs_status store_model_get(store *s, const char *name, const char *stage, int version,
                          store_model_version *out, cs_err *err);

void store_model_version_clear(store_model_version *v);
void store_model_versions_free(store_model_version *v, size_t n);

#endif /* CS_STORE_REGISTRY_H */
