/*
 * registry.c: the model registry (see registry.h).
 */
#include "registry.h"
#include "store_int.h"

#include "../base/sha256.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
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
    if (ferror(in)) {
        cs_status st = cs_err_set(err, CS_EIO, "%s: read failed: %s", from, strerror(errno));
        fclose(in);
        fclose(out);
        unlink(tmp);
        return st;
    }
    fclose(in);
    /* fsync'ed, renamed, its folder fsync'ed; a short fwrite leaves out's error set */
    if (cs_file_commit(out, tmp, to, err)) {
        cs_err_prefix(err, "cannot write the registry copy: ");
        return CS_EIO;
    }
    return CS_OK;
}

/* The most recent run that logged this file as an artifact, or "". */
static void _source_run(store *s, const char *abs_path, char out[STORE_RUN_ID_LEN + 1])
{
    store_rows *q = NULL;
    out[0] = '\0';
    if (store_sql_run(store__sql(s), &q, "reading artifacts",
                      "SELECT a.run_id FROM artifacts a JOIN runs r USING (run_id) WHERE a.path = ?"
                      " ORDER BY r.start_time DESC LIMIT 1", "t", abs_path, NULL))
        return;
    if (store_rows_next(q)) snprintf(out, STORE_RUN_ID_LEN + 1, "%s", store_rows_text(q, 0));
    store_rows_end(q, NULL);
}

/* The registry's copy of the file at abs (SHA-256 sha) as version v of name; *where
 * receives what the path column holds. SQLite: a file beside the database; PostgreSQL:
 * the file's bytes in model_files (one row per content), where = "model_files:SHA". */
static cs_status _keep_copy(store *s, const char *name, int v, const char *abs, const char *sha, char *where,
                            size_t cap, cs_err *err)
{
    char dir[PATH_MAX], copy[PATH_MAX + 16];
    cs_status st;
    if (store_sql_is_pg(store__sql(s))) {
        cs_buf b = {0};
        if ((st = cs_buf_read_file(&b, abs, err))) return st;
        st = store_sql_run(store__sql(s), NULL, "keeping the model file",
                           "INSERT INTO model_files(sha256, content) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING",
                           "tb", sha, (const void *)(b.data ? b.data : ""), b.len, err);
        cs_buf_free(&b);
        snprintf(where, cap, "model_files:%s", sha);
        return st;
    }
    snprintf(dir, sizeof dir, "%s-artifacts/registry/%s/%d", store_path(s), name, v);
    if ((st = store__mkdirs(dir, err))) return st;
    snprintf(copy, sizeof copy, "%s/model.csm", dir);
    if ((st = _copy(abs, copy, err))) return st;
    if (!realpath(copy, where)) return cs_err_set(err, CS_EIO, "%s: %s", copy, strerror(errno));
    (void)cap;
    return CS_OK;
}

cs_status store_model_register(store *s, const char *name, const char *path,
                               const store_model_facts *facts, int *version, int *existed,
                               cs_err *err)
{
    char sha[65], abs[PATH_MAX], copy[PATH_MAX], run[STORE_RUN_ID_LEN + 1];
    store_sql *db = store__sql(s);
    store_rows *q = NULL;
    cs_status st;
    int v = 0, found;

    *existed = 0;
    if (!_valid_name(name))
        return cs_err_set(err, CS_EINVAL, "model name '%s': use letters, digits, '_', '-' and '.'", name);
    if (!realpath(path, abs)) return cs_err_set(err, CS_EIO, "%s: %s", path, strerror(errno));
    if ((st = cs_sha256_file(abs, sha, err))) return st;
    if ((st = store_sql_begin(db, err))) return st;

    if ((st = store_sql_run(db, &q, "reading the registry", "SELECT version FROM model_versions WHERE name = ? AND sha256 = ?",
                            "tt", name, sha, err)))
        goto fail;
    if ((found = store_rows_next(q))) *version = (int)store_rows_int(q, 0);
    if ((st = store_rows_end(q, err))) goto fail;
    if (found) {
        *existed = 1;
        return store_sql_end(db, CS_OK, err);
    }
    if ((st = store_sql_run(db, &q, "reading the registry",
                            "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE name = ?", "t", name, err)))
        goto fail;
    if (store_rows_next(q)) v = (int)store_rows_int(q, 0);
    if ((st = store_rows_end(q, err))) goto fail;

    if ((st = _keep_copy(s, name, v, abs, sha, copy, sizeof copy, err))) goto fail;
    if (facts && facts->source_run_id && *facts->source_run_id)
        snprintf(run, sizeof run, "%s", facts->source_run_id);
    else
        _source_run(s, abs, run);

    if ((st = store_sql_run(db, NULL, "registering",
                            "INSERT INTO model_versions(name, version, sha256, path, source_run_id, threshold,"
                            " metrics, learner, created) VALUES (?,?,?,?,?,?,?,?,?)", "titttdtti", name, (int64_t)v,
                            sha, copy, run, facts ? facts->threshold : NAN,
                            facts && facts->metrics_json ? facts->metrics_json : "{}",
                            facts && facts->learner ? facts->learner : "", store_now_ms(), err)))
        goto fail;
    *version = v;
    return store_sql_end(db, CS_OK, err);
fail:
    store_sql_rollback(db);
    return st;
}

static void _fill(store_rows *q, store_model_version *v)
{
    memset(v, 0, sizeof *v);
    v->name = strdup(store_rows_text(q, 0));
    v->version = (int)store_rows_int(q, 1);
    snprintf(v->sha256, sizeof v->sha256, "%s", store_rows_text(q, 2));
    v->path = strdup(store_rows_text(q, 3));
    v->stage = strdup(store_rows_text(q, 4));
    snprintf(v->source_run_id, sizeof v->source_run_id, "%s", store_rows_text(q, 5));
    v->threshold = store_rows_double(q, 6);
    v->metrics_json = strdup(store_rows_text(q, 7));
    v->learner = strdup(store_rows_text(q, 8));
    v->created_ms = store_rows_int(q, 9);
}

#define MV_COLS "name, version, sha256, path, stage, source_run_id, threshold, metrics, learner, created"

cs_status store_model_list(store *s, const char *name, store_model_version **out, size_t *n,
                           cs_err *err)
{
    store_rows *q = NULL;
    size_t cap = 0;
    cs_status st, read;

    *out = NULL;
    *n = 0;
    if (name) st = store_sql_run(store__sql(s), &q, "reading the registry",
                                 "SELECT " MV_COLS " FROM model_versions WHERE name = ? ORDER BY name, version", "t",
                                 name, err);
    else st = store_sql_run(store__sql(s), &q, "reading the registry",
                            "SELECT " MV_COLS " FROM model_versions ORDER BY name, version", "", err);
    if (st) return st;
    while (store_rows_next(q)) {
        if (*n == cap) {
            void *p = realloc(*out, (cap = cap ? 2 * cap : 8) * sizeof **out);
            if (!p) { st = cs_err_set(err, CS_ENOMEM, "out of memory"); break; }
            *out = p;
        }
        _fill(q, &(*out)[(*n)++]);
    }
    read = store_rows_end(q, st ? NULL : err);
    if (!st) st = read;
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
    store_sql *db = store__sql(s);
    store_rows *q = NULL;
    cs_status st;
    int found;

    if (!canon) return cs_err_set(err, CS_EINVAL, "unknown stage '%s' (staging, production, archived, none)", stage);
    /* one transaction: the version that held the stage is archived only if this one takes it */
    if ((st = store_sql_begin(db, err))) return st;
    if ((st = store_sql_run(db, &q, "reading the registry", "SELECT 1 FROM model_versions WHERE name = ? AND version = ?",
                            "ti", name, (int64_t)version, err)))
        goto fail;
    found = store_rows_next(q);
    if ((st = store_rows_end(q, err))) goto fail;
    if (!found) {
        st = cs_err_set(err, CS_ENOTFOUND, "model '%s' has no version %d", name, version);
        goto fail;
    }
    if ((!strcmp(canon, "Staging") || !strcmp(canon, "Production")) &&
        (st = store_sql_run(db, NULL, "archiving the version in the stage",
                            "UPDATE model_versions SET stage = 'Archived' WHERE name = ? AND stage = ? AND version != ?",
                            "tti", name, canon, (int64_t)version, err)))
        goto fail;
    if ((st = store_sql_run(db, NULL, "promoting", "UPDATE model_versions SET stage = ? WHERE name = ? AND version = ?",
                            "tti", canon, name, (int64_t)version, err)))
        goto fail;
    return store_sql_end(db, CS_OK, err);
fail:
    store_sql_rollback(db);
    return st;
}

/* the copy of v no longer has its registered SHA-256: it now has sha */
static cs_status _changed(const store_model_version *v, const char *sha, cs_err *err)
{
    return cs_err_set(err, CS_ECORRUPT, "registered model %s version %d: %s no longer has its registered "
                      "SHA-256 (%.12s..., now %.12s...)", v->name, v->version, v->path, v->sha256, sha);
}

/* PostgreSQL: the registered bytes of v, written to this machine's copy
 * ($TMPDIR/creditscore-registry-UID/SHA.csm, a folder only this user may use); v->path
 * becomes that file's path. The bytes must still have the registered SHA-256. */
static cs_status _fetch_copy(store *s, store_model_version *v, cs_err *err)
{
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX], file[PATH_MAX + 80], sha[65];
    unsigned char digest[CS_SHA256_LEN];
    store_rows *q = NULL;
    struct stat sb;
    cs_buf b = {0};
    cs_status st;
    int found;

    if ((st = store_sql_run(store__sql(s), &q, "reading the model file", "SELECT content FROM model_files WHERE sha256 = ?",
                            "t", v->sha256, err)))
        return st;
    if ((found = store_rows_next(q))) st = store_rows_bytes(q, 0, &b, err);
    {
        cs_status read = store_rows_end(q, st ? NULL : err);
        if (!st) st = read;
    }
    if (st) goto out;
    if (!found) {
        st = cs_err_set(err, CS_ECORRUPT, "registered model %s version %d: its file (%s) is missing from %s", v->name,
                        v->version, v->path, store_path(s));
        goto out;
    }
    cs_sha256_digest(b.data ? b.data : "", b.len, digest);
    cs_sha256_hex(digest, sha);
    if (strcmp(sha, v->sha256) != 0) {
        st = _changed(v, sha, err);
        goto out;
    }
    snprintf(dir, sizeof dir, "%s/creditscore-registry-%ld", tmp && *tmp ? tmp : "/tmp", (long)getuid());
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        st = cs_err_set(err, CS_EIO, "%s: %s", dir, strerror(errno));
        goto out;
    }
    /* another user's folder (or a link to one) could hand this user a file of theirs */
    if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != getuid() || (sb.st_mode & 077)) {
        st = cs_err_set(err, CS_EIO, "%s: not a folder of this user's only (mode 0700): refused for the registry's copies",
                        dir);
        goto out;
    }
    snprintf(file, sizeof file, "%s/%s.csm", dir, v->sha256);
    if ((st = cs_write_file(file, b.data ? b.data : "", b.len, err))) goto out;
    free(v->path);
    if (!(v->path = strdup(file))) st = cs_err_set(err, CS_ENOMEM, "out of memory");
out:
    cs_buf_free(&b);
    return st;
}

cs_status store_model_get(store *s, const char *name, const char *stage, int version,
                          store_model_version *out, cs_err *err)
{
    store_rows *q = NULL;
    const char *canon = NULL;
    char sha[65];
    cs_status st;
    int found;

    memset(out, 0, sizeof *out);
    if (stage && !(canon = _canon_stage(stage)))
        return cs_err_set(err, CS_EINVAL, "unknown stage '%s' (staging, production, archived, none)", stage);
    if (canon) st = store_sql_run(store__sql(s), &q, "reading the registry",
                                  "SELECT " MV_COLS " FROM model_versions WHERE name = ? AND stage = ?"
                                  " ORDER BY version DESC LIMIT 1", "tt", name, canon, err);
    else st = store_sql_run(store__sql(s), &q, "reading the registry",
                            "SELECT " MV_COLS " FROM model_versions WHERE name = ? AND version = ?", "ti", name,
                            (int64_t)version, err);
    if (st) return st;
    if ((found = store_rows_next(q))) _fill(q, out);
    if ((st = store_rows_end(q, err))) {
        store_model_version_clear(out);
        return st;
    }
    if (!found) {
        if (canon) return cs_err_set(err, CS_ENOTFOUND, "model '%s' has no version in stage %s", name, canon);
        return cs_err_set(err, CS_ENOTFOUND, "model '%s' has no version %d", name, version);
    }
    if (store_sql_is_pg(store__sql(s))) {
        if ((st = _fetch_copy(s, out, err))) store_model_version_clear(out);
        return st;
    }
    if ((st = cs_sha256_file(out->path, sha, err))) {
        store_model_version_clear(out);
        return cs_err_prefix(err, "registered model %s: ", name);
    }
    if (strcmp(sha, out->sha256) != 0) {
        st = _changed(out, sha, err);
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
