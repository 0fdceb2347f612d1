/*
 * registry.c: the model registry (see registry.h).
 */
#include "registry.h"
#include "store_int.h"

#include "../base/sha256.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int _valid_name(const char *n)
{
    size_t len = strlen(n);
    if (!len || len > 200 || n[0] == '.') return 0;
    for (; *n; n++)
        if (!(isalnum((unsigned char)*n) || *n == '_' || *n == '-' || *n == '.')) return 0;
    return 1;
}

static const char *_canon_stage(const char *stage)
{
    static const char *stages[] = {"None", "Staging", "Production", "Archived"};
    for (size_t i = 0; i < 4; i++)
        if (!strcasecmp(stage, stages[i])) return stages[i];
    return NULL;
}

static cs_status _copy(const char *from, const char *to, cs_err *err)
{
    char tmp[PATH_MAX + 32], buf[1 << 16];
    size_t n;
    FILE *in, *out;
    snprintf(tmp, sizeof tmp, "%s.tmp", to);
    in = fopen(from, "rb");
    if (!in) return cs_err_set(err, CS_EIO, "%s: %s", from, strerror(errno));
    out = fopen(tmp, "wb");
    if (!out) {
        fclose(in);
        return cs_err_set(err, CS_EIO, "%s: %s", tmp, strerror(errno));
    }
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) break;
    fclose(in);
    if (fflush(out) != 0 || fsync(fileno(out)) != 0 || fclose(out) != 0 || rename(tmp, to) != 0) {
        unlink(tmp);
        return cs_err_set(err, CS_EIO, "%s: cannot write the registry copy", to);
    }
    return CS_OK;
}

/* The most recent run that logged this file as an artifact, or "". */
static void _source_run(store *s, const char *abs_path, char out[STORE_RUN_ID_LEN + 1])
{
    sqlite3_stmt *q = NULL;
    out[0] = '\0';
    if (store_db_prepare(store__db(s), "SELECT a.run_id FROM artifacts a JOIN runs r USING (run_id) WHERE a.path = ?"
                    " ORDER BY r.start_time DESC LIMIT 1", &q, NULL))
        return;
    sqlite3_bind_text(q, 1, abs_path, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) == SQLITE_ROW)
        snprintf(out, STORE_RUN_ID_LEN + 1, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
}

cs_status store_model_register(store *s, const char *name, const char *path,
                               const store_model_facts *facts, int *version, int *existed,
                               cs_err *err)
{
    char sha[65], abs[PATH_MAX], dir[PATH_MAX], copy[PATH_MAX + 16], run[STORE_RUN_ID_LEN + 1];
    sqlite3_stmt *q = NULL;
    cs_status st;
    int v = 0;

    *existed = 0;
    if (!_valid_name(name))
        return cs_err_set(err, CS_EINVAL, "model name '%s': use letters, digits, '_', '-' and '.'", name);
    if (!realpath(path, abs)) return cs_err_set(err, CS_EIO, "%s: %s", path, strerror(errno));
    if ((st = cs_sha256_file(abs, sha, err))) return st;
    if ((st = store_db_begin(store__db(s), err))) return st;

    if ((st = store_db_prepare(store__db(s), "SELECT version FROM model_versions WHERE name = ? AND sha256 = ?", &q, err))) goto fail;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, sha, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) == SQLITE_ROW) {
        *version = sqlite3_column_int(q, 0);
        *existed = 1;
        sqlite3_finalize(q);
        return store_db_commit(store__db(s), err);
    }
    sqlite3_finalize(q);
    if ((st = store_db_prepare(store__db(s), "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE name = ?", &q, err)))
        goto fail;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) == SQLITE_ROW) v = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    q = NULL;

    snprintf(dir, sizeof dir, "%s-artifacts/registry/%s/%d", store_path(s), name, v);
    if ((st = store__mkdirs(dir, err))) goto fail;
    snprintf(copy, sizeof copy, "%s/model.csm", dir);
    if ((st = _copy(abs, copy, err))) goto fail;
    {
        char abs_copy[PATH_MAX];
        if (!realpath(copy, abs_copy)) {
            st = cs_err_set(err, CS_EIO, "%s: %s", copy, strerror(errno));
            goto fail;
        }
        snprintf(copy, sizeof copy, "%s", abs_copy);
    }
    if (facts && facts->source_run_id && *facts->source_run_id)
        snprintf(run, sizeof run, "%s", facts->source_run_id);
    else
        _source_run(s, abs, run);

    if ((st = store_db_prepare(store__db(s), "INSERT INTO model_versions(name, version, sha256, path, source_run_id, threshold,"
                          " metrics, learner, created) VALUES (?,?,?,?,?,?,?,?,?)", &q, err)))
        goto fail;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, v);
    sqlite3_bind_text(q, 3, sha, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, copy, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 5, run, -1, SQLITE_TRANSIENT);
    if (facts && facts->threshold == facts->threshold) sqlite3_bind_double(q, 6, facts->threshold);
    else sqlite3_bind_null(q, 6);
    sqlite3_bind_text(q, 7, facts && facts->metrics_json ? facts->metrics_json : "{}", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 8, facts && facts->learner ? facts->learner : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 9, store_now_ms());
    if (sqlite3_step(q) != SQLITE_DONE) {
        st = store_db_fail(store__db(s), "registering", err);
        goto fail;
    }
    sqlite3_finalize(q);
    *version = v;
    return store_db_commit(store__db(s), err);
fail:
    if (q) sqlite3_finalize(q);
    store_db_rollback(store__db(s));
    return st;
}

static void _fill(sqlite3_stmt *q, store_model_version *v)
{
    const char *t;
    memset(v, 0, sizeof *v);
    v->name = strdup((const char *)sqlite3_column_text(q, 0));
    v->version = sqlite3_column_int(q, 1);
    snprintf(v->sha256, sizeof v->sha256, "%s", (const char *)sqlite3_column_text(q, 2));
    v->path = strdup((const char *)sqlite3_column_text(q, 3));
    v->stage = strdup((const char *)sqlite3_column_text(q, 4));
    t = (const char *)sqlite3_column_text(q, 5);
    snprintf(v->source_run_id, sizeof v->source_run_id, "%s", t ? t : "");
    v->threshold = sqlite3_column_type(q, 6) == SQLITE_NULL ? 0.0 / 0.0 : sqlite3_column_double(q, 6);
    v->metrics_json = strdup((const char *)sqlite3_column_text(q, 7));
    v->learner = strdup((const char *)sqlite3_column_text(q, 8));
    v->created_ms = sqlite3_column_int64(q, 9);
}

#define MV_COLS "name, version, sha256, path, stage, source_run_id, threshold, metrics, learner, created"

cs_status store_model_list(store *s, const char *name, store_model_version **out, size_t *n,
                           cs_err *err)
{
    sqlite3_stmt *q = NULL;
    size_t cap = 0;
    cs_status st;

    *out = NULL;
    *n = 0;
    if ((st = store_db_prepare(store__db(s), name ? "SELECT " MV_COLS " FROM model_versions WHERE name = ? ORDER BY name, version"
                               : "SELECT " MV_COLS " FROM model_versions ORDER BY name, version", &q, err)))
        return st;
    if (name) sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (*n == cap) {
            void *p = realloc(*out, (cap = cap ? 2 * cap : 8) * sizeof **out);
            if (!p) { st = cs_err_set(err, CS_ENOMEM, "out of memory"); break; }
            *out = p;
        }
        _fill(q, &(*out)[(*n)++]);
    }
    sqlite3_finalize(q);
    if (!st && name && *n == 0) st = cs_err_set(err, CS_ENOTFOUND, "no registered model named '%s'", name);
    if (st) {
        store_model_versions_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return st;
}

cs_status store_model_promote(store *s, const char *name, int version, const char *stage,
                              cs_err *err)
{
    const char *canon = _canon_stage(stage);
    sqlite3_stmt *q = NULL;
    cs_status st;

    if (!canon) return cs_err_set(err, CS_EINVAL, "unknown stage '%s' (staging, production, archived, none)", stage);
    if ((st = store_db_begin(store__db(s), err))) return st;
    if ((st = store_db_prepare(store__db(s), "SELECT 1 FROM model_versions WHERE name = ? AND version = ?", &q, err))) goto fail;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, version);
    if (sqlite3_step(q) != SQLITE_ROW) {
        st = cs_err_set(err, CS_ENOTFOUND, "model '%s' has no version %d", name, version);
        goto fail;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (!strcmp(canon, "Staging") || !strcmp(canon, "Production")) {
        if ((st = store_db_prepare(store__db(s), "UPDATE model_versions SET stage = 'Archived' WHERE name = ? AND stage = ?"
                              " AND version != ?", &q, err)))
            goto fail;
        sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 2, canon, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 3, version);
        sqlite3_step(q);
        sqlite3_finalize(q);
        q = NULL;
    }
    if ((st = store_db_prepare(store__db(s), "UPDATE model_versions SET stage = ? WHERE name = ? AND version = ?", &q, err))) goto fail;
    sqlite3_bind_text(q, 1, canon, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 3, version);
    if (sqlite3_step(q) != SQLITE_DONE) {
        st = store_db_fail(store__db(s), "promoting", err);
        goto fail;
    }
    sqlite3_finalize(q);
    return store_db_commit(store__db(s), err);
fail:
    if (q) sqlite3_finalize(q);
    store_db_rollback(store__db(s));
    return st;
}

cs_status store_model_get(store *s, const char *name, const char *stage, int version,
                          store_model_version *out, cs_err *err)
{
    sqlite3_stmt *q = NULL;
    const char *canon = NULL;
    char sha[65];
    cs_status st;

    memset(out, 0, sizeof *out);
    if (stage && !(canon = _canon_stage(stage)))
        return cs_err_set(err, CS_EINVAL, "unknown stage '%s' (staging, production, archived, none)", stage);
    if (canon) st = store_db_prepare(store__db(s), "SELECT " MV_COLS " FROM model_versions WHERE name = ? AND stage = ?"
                                " ORDER BY version DESC LIMIT 1", &q, err);
    else st = store_db_prepare(store__db(s), "SELECT " MV_COLS " FROM model_versions WHERE name = ? AND version = ?", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
    if (canon) sqlite3_bind_text(q, 2, canon, -1, SQLITE_STATIC);
    else sqlite3_bind_int(q, 2, version);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_finalize(q);
        if (canon) return cs_err_set(err, CS_ENOTFOUND, "model '%s' has no version in stage %s", name, canon);
        return cs_err_set(err, CS_ENOTFOUND, "model '%s' has no version %d", name, version);
    }
    _fill(q, out);
    sqlite3_finalize(q);
    if ((st = cs_sha256_file(out->path, sha, err))) {
        store_model_version_clear(out);
        return cs_err_prefix(err, "registered model %s: ", name);
    }
    if (strcmp(sha, out->sha256) != 0) {
        st = cs_err_set(err, CS_ECORRUPT, "registered model %s version %d: %s no longer has its registered "
                        "SHA-256 (%.12s..., now %.12s...)", name, out->version, out->path, out->sha256, sha);
        store_model_version_clear(out);
        return st;
    }
    return CS_OK;
}

void store_model_version_clear(store_model_version *v)
{
    if (!v) return;
    free(v->name);
    free(v->path);
    free(v->stage);
    free(v->metrics_json);
    free(v->learner);
    memset(v, 0, sizeof *v);
}

void store_model_versions_free(store_model_version *v, size_t n)
{
    if (!v) return;
    for (size_t i = 0; i < n; i++) store_model_version_clear(&v[i]);
    free(v);
}
