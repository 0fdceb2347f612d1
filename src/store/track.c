/*
 * track.c: the tracking store (see track.h): schema, runs, params, metrics, tags,
 * artifacts, queries, and the reaping of runs whose process died.
 */
#include "track.h"
#include "store_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

struct store {
    store_db *db;
};

/* ---- helpers ------------------------------------------------------------------------ */

int64_t store_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* The start time of a process (field 22 of /proc/PID/stat), 0 when unknown. */
static int64_t _pid_start(long pid)
{
    char path[64], buf[1024];
    FILE *f;
    size_t n;
    char *p;
    long long v = 0;

    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    f = fopen(path, "r");
    if (!f) return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')');          /* the command name may hold spaces */
    if (!p) return 0;
    /* after ") " come fields 3..; field 22 is the 20th after the name */
    for (int field = 3; field < 22 && p; field++) p = strchr(p + 1, ' ');
    if (p) v = strtoll(p + 1, NULL, 10);
    return (int64_t)v;
}

static void _hostname(char *out, size_t cap)
{
    if (gethostname(out, cap) != 0) snprintf(out, cap, "localhost");
    out[cap - 1] = '\0';
}

static const char *_user(void)
{
    const char *u = getenv("USER");
    struct passwd *pw;
    if (u && *u) return u;
    pw = getpwuid(getuid());
    return pw ? pw->pw_name : "";
}

static int _valid_key(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 250 || k[0] == '/' || strstr(k, "..")) return 0;
    for (const char *p = k; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.' || *p == '/' || *p == ' '))
            return 0;
    return 1;
}

static cs_status _new_run_id(char out[STORE_RUN_ID_LEN + 1], cs_err *err)
{
    unsigned char b[16];
    static const char hex[] = "0123456789abcdef";
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, b, sizeof b) != (ssize_t)sizeof b) {
        if (fd >= 0) close(fd);
        return cs_err_set(err, CS_EIO, "cannot read /dev/urandom for a run id");
    }
    close(fd);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);   /* uuid version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[STORE_RUN_ID_LEN] = '\0';
    return CS_OK;
}

const char *store_status_name(store_status s)
{
    switch (s) {
    case STORE_RUNNING: return "RUNNING";
    case STORE_SCHEDULED: return "SCHEDULED";
    case STORE_FINISHED: return "FINISHED";
    case STORE_FAILED: return "FAILED";
    case STORE_KILLED: return "KILLED";
    }
    return "UNKNOWN";
}

int store_status_from_name(const char *name)
{
    for (int s = STORE_RUNNING; s <= STORE_KILLED; s++)
        if (!strcasecmp(name, store_status_name((store_status)s))) return s;
    return -1;
}

const char *store_resolve_path(const char *flag)
{
    const char *env;
    if (flag && *flag) return flag;
    env = getenv(STORE_ENV);
    if (env && *env) return env;
    return STORE_DEFAULT_PATH;
}

store_db *store__db(store *s)
{
    return s->db;
}

const char *store_path(const store *s)
{
    return store_db_path(s->db);
}

/* ---- open, close, reap -------------------------------------------------------------- */

/* End as FAILED the RUNNING runs of this host whose process is gone (or was replaced by
 * another process with the same pid). */
static cs_status _reap(store *s, cs_err *err)
{
    sqlite3_stmt *q = NULL;
    char host[256];
    char (*dead)[STORE_RUN_ID_LEN + 1] = NULL;
    size_t n_dead = 0, cap = 0;
    cs_status st = CS_OK;

    _hostname(host, sizeof host);
    if ((st = store_db_prepare(s->db, "SELECT run_id, pid, pid_start FROM runs WHERE status = 1 AND host = ?", &q, err)))
        return st;
    sqlite3_bind_text(q, 1, host, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(q) == SQLITE_ROW) {
        long pid = (long)sqlite3_column_int64(q, 1);
        int64_t started = sqlite3_column_int64(q, 2);
        int alive = pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
        if (alive && started && _pid_start(pid) != started) alive = 0;
        if (!alive) {
            if (n_dead == cap) {
                void *p = realloc(dead, (cap = cap ? 2 * cap : 8) * sizeof *dead);
                if (!p) { st = cs_err_set(err, CS_ENOMEM, "out of memory"); break; }
                dead = p;
            }
            snprintf(dead[n_dead++], STORE_RUN_ID_LEN + 1, "%s", (const char *)sqlite3_column_text(q, 0));
        }
    }
    sqlite3_finalize(q);
    for (size_t i = 0; i < n_dead && !st; i++) {
        st = store_run_end(s, dead[i], STORE_FAILED, err);
        if (!st)
            st = store_set_tag(s, dead[i], "creditscore.end_reason",
                               "the process that ran it ended without closing the run", err);
    }
    free(dead);
    return st;
}

store *store_open(const char *path, cs_err *err)
{
    store *s = cs_calloc(1, sizeof *s, err);
    cs_status st;
    if (!s) return NULL;
    path = store_resolve_path(path);
    if (!(s->db = store_db_open(path, STORE_DB_CREATE | STORE_DB_SHARED, "the tracking store", err))) {
        store_close(s);
        return NULL;
    }
    if ((st = store_db_migrate(s->db, &store_schema_tracking, err)) ||
        (st = store_db_migrate(s->db, &store_schema_registry, err))) {
        if (st != CS_EVERSION) cs_err_prefix(err, "%s is not a creditscore tracking store: ", path);
        store_close(s);
        return NULL;
    }
    if (_reap(s, err)) {
        store_close(s);
        return NULL;
    }
    return s;
}

void store_close(store *s)
{
    if (!s) return;
    store_db_close(s->db);
    free(s);
}

/* ---- writing ------------------------------------------------------------------------ */

static cs_status _experiment_id(store *s, const char *name, int64_t *id, cs_err *err)
{
    sqlite3_stmt *q = NULL;
    cs_status st;
    int64_t now = store_now_ms();

    if ((st = store_db_prepare(s->db, "INSERT OR IGNORE INTO experiments(name, creation_time, last_update_time)"
                          " VALUES (?, ?, ?)", &q, err)))
        return st;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, now);
    sqlite3_bind_int64(q, 3, now);
    if (sqlite3_step(q) != SQLITE_DONE) st = store_db_fail(s->db, "creating an experiment", err);
    sqlite3_finalize(q);
    if (st) return st;
    if ((st = store_db_prepare(s->db, "SELECT experiment_id FROM experiments WHERE name = ?", &q, err))) return st;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) == SQLITE_ROW) *id = sqlite3_column_int64(q, 0);
    else st = store_db_fail(s->db, "reading an experiment", err);
    sqlite3_finalize(q);
    return st;
}

cs_status store_run_start(store *s, const char *experiment, const char *run_name,
                          const char *parent_run_id, const char *source,
                          char run_id[STORE_RUN_ID_LEN + 1], cs_err *err)
{
    sqlite3_stmt *q = NULL;
    int64_t exp_id = 0;
    char host[256];
    cs_status st;

    if (experiment && strlen(experiment) > 500)
        return cs_err_set(err, CS_EINVAL, "experiment name longer than 500 characters");
    if ((st = _new_run_id(run_id, err))) return st;
    if ((st = store_db_begin(s->db, err))) return st;
    if ((!experiment || !*experiment) && parent_run_id && *parent_run_id) {
        /* a trial goes where its search is */
        if ((st = store_db_prepare(s->db, "SELECT experiment_id FROM runs WHERE run_id = ?", &q, err))) goto fail;
        sqlite3_bind_text(q, 1, parent_run_id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(q) != SQLITE_ROW) {
            st = cs_err_set(err, CS_ENOTFOUND, "no run with id '%s' (the parent)", parent_run_id);
            goto fail;
        }
        exp_id = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
        q = NULL;
    } else if ((st = _experiment_id(s, experiment && *experiment ? experiment : "Default", &exp_id, err))) {
        goto fail;
    }
    if ((st = store_db_prepare(s->db, "INSERT INTO runs(run_id, experiment_id, name, status, start_time, parent_run_id,"
                          " source, user_id, host, pid, pid_start) VALUES (?,?,?,1,?,?,?,?,?,?,?)", &q, err)))
        goto fail;
    _hostname(host, sizeof host);
    sqlite3_bind_text(q, 1, run_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, exp_id);
    sqlite3_bind_text(q, 3, run_name && *run_name ? run_name : run_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 4, store_now_ms());
    if (parent_run_id && *parent_run_id) sqlite3_bind_text(q, 5, parent_run_id, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(q, 5);
    sqlite3_bind_text(q, 6, source ? source : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 7, _user(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 8, host, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 9, (int64_t)getpid());
    sqlite3_bind_int64(q, 10, _pid_start((long)getpid()));
    if (sqlite3_step(q) != SQLITE_DONE) {
        st = store_db_fail(s->db, "starting a run", err);
        goto fail;
    }
    sqlite3_finalize(q);
    q = NULL;
    if ((st = store_db_prepare(s->db, "UPDATE experiments SET last_update_time = ? WHERE experiment_id = ?", &q, err)))
        goto fail;
    sqlite3_bind_int64(q, 1, store_now_ms());
    sqlite3_bind_int64(q, 2, exp_id);
    sqlite3_step(q);
    sqlite3_finalize(q);
    return store_db_commit(s->db, err);
fail:
    if (q) sqlite3_finalize(q);
    store_db_rollback(s->db);
    return st;
}

static cs_status _run_exists(store *s, const char *run_id, cs_err *err)
{
    sqlite3_stmt *q = NULL;
    cs_status st = store_db_cached(s->db, "SELECT 1 FROM runs WHERE run_id = ?", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, run_id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) != SQLITE_ROW) st = cs_err_set(err, CS_ENOTFOUND, "no run with id '%s'", run_id);
    sqlite3_reset(q);
    return st;
}

/* Begin an IMMEDIATE write transaction on a run that must exist. */
static cs_status _begin_on_run(store *s, const char *run_id, cs_err *err)
{
    cs_status st = store_db_begin(s->db, err);
    if (st) return st;
    if ((st = _run_exists(s, run_id, err))) store_db_rollback(s->db);
    return st;
}

/* End the transaction: COMMIT when st is CS_OK, ROLLBACK otherwise. Returns the outcome. */
static cs_status _finish(store *s, cs_status st, cs_err *err)
{
    return store_db_end(s->db, st, err);
}

/* One statement with three text parameters, stepped once; `what` names it in errors. */
static cs_status _exec3(store *s, const char *sql, const char *a, const char *b, const char *c,
                        const char *what, cs_err *err)
{
    sqlite3_stmt *q = NULL;
    cs_status st = store_db_cached(s->db, sql, &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, a, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, b, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, c, -1, SQLITE_TRANSIENT);
    return store_db_step_done(s->db, q, what, err);
}

cs_status store_log_param(store *s, const char *run_id, const char *key, const char *value,
                          cs_err *err)
{
    sqlite3_stmt *q = NULL;
    cs_status st;

    if (!_valid_key(key)) return cs_err_set(err, CS_EINVAL, "invalid parameter name '%s'", key);
    if (strlen(value) > 6000)
        return cs_err_set(err, CS_EINVAL, "parameter '%s': value longer than 6000 characters", key);
    if ((st = _begin_on_run(s, run_id, err))) return st;
    if ((st = store_db_prepare(s->db, "SELECT value FROM params WHERE run_id = ? AND key = ?", &q, err))) return _finish(s, st, err);
    sqlite3_bind_text(q, 1, run_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, key, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) == SQLITE_ROW) {
        /* immutable: the same value again is fine, another one is refused */
        if (strcmp((const char *)sqlite3_column_text(q, 0), value) != 0)
            st = cs_err_set(err, CS_EINVAL, "parameter '%s' of run %s is already '%s' (parameters cannot change)",
                            key, run_id, (const char *)sqlite3_column_text(q, 0));
        sqlite3_finalize(q);
        return _finish(s, st, err);
    }
    sqlite3_finalize(q);
    st = _exec3(s, "INSERT INTO params(run_id, key, value) VALUES (?,?,?)", run_id, key, value,
                "logging a parameter", err);
    return _finish(s, st, err);
}

static cs_status _insert_metrics(store *s, const char *run_id, const char *key, const double *values,
                                 const int64_t *steps, size_t n, int64_t ts, cs_err *err)
{
    sqlite3_stmt *q = NULL;
    cs_status st;

    if (!_valid_key(key)) return cs_err_set(err, CS_EINVAL, "invalid metric name '%s'", key);
    if ((st = _begin_on_run(s, run_id, err))) return st;
    if ((st = store_db_cached(s->db, "INSERT INTO metrics(run_id, key, value, step, timestamp) VALUES (?,?,?,?,?)", &q,
                              err)))
        return _finish(s, st, err);
    for (size_t i = 0; i < n && !st; i++) {
        sqlite3_bind_text(q, 1, run_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 2, key, -1, SQLITE_TRANSIENT);
        if (values[i] != values[i]) sqlite3_bind_null(q, 3);   /* SQLite has no NaN */
        else sqlite3_bind_double(q, 3, values[i]);
        sqlite3_bind_int64(q, 4, steps ? steps[i] : (int64_t)i);
        sqlite3_bind_int64(q, 5, ts);
        st = store_db_step_done(s->db, q, "logging a metric", err);
    }
    return _finish(s, st, err);
}

cs_status store_log_metric(store *s, const char *run_id, const char *key, double value,
                           int64_t step, int64_t timestamp_ms, cs_err *err)
{
    if (timestamp_ms < 0) return cs_err_set(err, CS_EINVAL, "metric '%s': negative timestamp", key);
    return _insert_metrics(s, run_id, key, &value, &step, 1, timestamp_ms ? timestamp_ms : store_now_ms(), err);
}

cs_status store_log_metric_series(store *s, const char *run_id, const char *key,
                                  const double *values, const int64_t *steps, size_t n,
                                  cs_err *err)
{
    return _insert_metrics(s, run_id, key, values, steps, n, store_now_ms(), err);
}

cs_status store_set_tag(store *s, const char *run_id, const char *key, const char *value,
                        cs_err *err)
{
    cs_status st;

    if (!_valid_key(key)) return cs_err_set(err, CS_EINVAL, "invalid tag name '%s'", key);
    if (strlen(value) > 5000) return cs_err_set(err, CS_EINVAL, "tag '%s': value longer than 5000 characters", key);
    if ((st = _begin_on_run(s, run_id, err))) return st;
    st = _exec3(s, "INSERT OR REPLACE INTO tags(run_id, key, value) VALUES (?,?,?)", run_id, key, value,
                "setting a tag", err);
    return _finish(s, st, err);
}

cs_status store_log_artifact(store *s, const char *run_id, const char *path, const char *kind,
                             cs_err *err)
{
    char abs[PATH_MAX];
    cs_status st;

    if (!realpath(path, abs)) return cs_err_set(err, CS_EIO, "artifact %s: %s", path, strerror(errno));
    if ((st = _begin_on_run(s, run_id, err))) return st;
    st = _exec3(s, "INSERT OR REPLACE INTO artifacts(run_id, path, kind) VALUES (?,?,?)", run_id, abs,
                kind ? kind : "file", "logging an artifact", err);
    return _finish(s, st, err);
}

cs_status store_run_end(store *s, const char *run_id, store_status status, cs_err *err)
{
    sqlite3_stmt *q = NULL;
    cs_status st;

    if (status != STORE_FINISHED && status != STORE_FAILED && status != STORE_KILLED)
        return cs_err_set(err, CS_EINVAL, "a run ends as FINISHED, FAILED or KILLED");
    if ((st = _begin_on_run(s, run_id, err))) return st;
    /* the run, and its trials still running, end together */
    if ((st = store_db_prepare(s->db, "UPDATE runs SET status = ?, end_time = ? WHERE run_id = ?"
                          " OR (parent_run_id = ? AND status = 1)", &q, err)))
        return _finish(s, st, err);
    sqlite3_bind_int(q, 1, (int)status);
    sqlite3_bind_int64(q, 2, store_now_ms());
    sqlite3_bind_text(q, 3, run_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, run_id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) != SQLITE_DONE) st = store_db_fail(s->db, "ending a run", err);
    sqlite3_finalize(q);
    return _finish(s, st, err);
}

/* ---- reading ------------------------------------------------------------------------ */

static char *_dup_col(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return strdup(t ? (const char *)t : "");
}

static void _run_clear(store_run *r)
{
    free(r->experiment);
    free(r->name);
    free(r->source);
    free(r->user);
    for (size_t i = 0; i < r->n_params; i++) { free(r->params[i].key); free(r->params[i].value); }
    for (size_t i = 0; i < r->n_tags; i++) { free(r->tags[i].key); free(r->tags[i].value); }
    for (size_t i = 0; i < r->n_artifacts; i++) { free(r->artifacts[i].key); free(r->artifacts[i].value); }
    for (size_t i = 0; i < r->n_metrics; i++) free(r->metrics[i].key);
    free(r->params);
    free(r->tags);
    free(r->artifacts);
    free(r->metrics);
}

void store_run_list_free(store_run_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) _run_clear(&l->runs[i]);
    free(l->runs);
    free(l);
}

static cs_status _load_kv(store *s, const char *sql, const char *run_id, store_kv **out, size_t *n,
                          cs_err *err)
{
    sqlite3_stmt *q = NULL;
    size_t cap = 0;
    cs_status st = store_db_prepare(s->db, sql, &q, err);
    *out = NULL;
    *n = 0;
    if (st) return st;
    sqlite3_bind_text(q, 1, run_id, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (*n == cap) {
            void *p = realloc(*out, (cap = cap ? 2 * cap : 8) * sizeof **out);
            if (!p) { st = cs_err_set(err, CS_ENOMEM, "out of memory"); break; }
            *out = p;
        }
        (*out)[*n].key = _dup_col(q, 0);
        (*out)[*n].value = _dup_col(q, 1);
        (*n)++;
    }
    sqlite3_finalize(q);
    return st;
}

static cs_status _load_metrics(store *s, store_run *r, cs_err *err)
{
    /* latest = max by (step, timestamp): the last row of each key in that order */
    sqlite3_stmt *q = NULL;
    size_t cap = 0;
    cs_status st = store_db_prepare(s->db,
        "SELECT key, value, step, timestamp, cnt FROM ("
        "  SELECT key, value, step, timestamp, COUNT(*) OVER (PARTITION BY key) AS cnt,"
        "   ROW_NUMBER() OVER (PARTITION BY key ORDER BY step DESC, timestamp DESC, value DESC) AS rn"
        "  FROM metrics WHERE run_id = ?) WHERE rn = 1 ORDER BY key", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, r->run_id, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(q) == SQLITE_ROW) {
        store_metric *m;
        if (r->n_metrics == cap) {
            void *p = realloc(r->metrics, (cap = cap ? 2 * cap : 8) * sizeof *r->metrics);
            if (!p) { st = cs_err_set(err, CS_ENOMEM, "out of memory"); break; }
            r->metrics = p;
        }
        m = &r->metrics[r->n_metrics++];
        m->key = _dup_col(q, 0);
        m->value = sqlite3_column_type(q, 1) == SQLITE_NULL ? 0.0 / 0.0 : sqlite3_column_double(q, 1);
        m->step = sqlite3_column_int64(q, 2);
        m->timestamp_ms = sqlite3_column_int64(q, 3);
        m->n_points = (size_t)sqlite3_column_int64(q, 4);
    }
    sqlite3_finalize(q);
    return st;
}

static cs_status _fill_details(store *s, store_run *r, cs_err *err)
{
    cs_status st;
    if ((st = _load_kv(s, "SELECT key, value FROM params WHERE run_id = ? ORDER BY key", r->run_id,
                       &r->params, &r->n_params, err)))
        return st;
    if ((st = _load_kv(s, "SELECT key, value FROM tags WHERE run_id = ? ORDER BY key", r->run_id,
                       &r->tags, &r->n_tags, err)))
        return st;
    if ((st = _load_kv(s, "SELECT path, kind FROM artifacts WHERE run_id = ? ORDER BY path", r->run_id,
                       &r->artifacts, &r->n_artifacts, err)))
        return st;
    return _load_metrics(s, r, err);
}

#define RUN_COLS "r.run_id, COALESCE(r.parent_run_id,''), e.name, e.experiment_id, r.name, r.status," \
                 " r.start_time, COALESCE(r.end_time,0), r.source, r.user_id"

static cs_status _collect(store *s, sqlite3_stmt *q, store_run_list **out, cs_err *err)
{
    store_run_list *l = calloc(1, sizeof *l);
    size_t cap = 0;
    cs_status st = CS_OK;

    if (!l) return cs_err_set(err, CS_ENOMEM, "out of memory");
    while (sqlite3_step(q) == SQLITE_ROW) {
        store_run *r;
        if (l->n == cap) {
            void *p = realloc(l->runs, (cap = cap ? 2 * cap : 16) * sizeof *l->runs);
            if (!p) { st = cs_err_set(err, CS_ENOMEM, "out of memory"); break; }
            l->runs = p;
        }
        r = &l->runs[l->n++];
        memset(r, 0, sizeof *r);
        snprintf(r->run_id, sizeof r->run_id, "%s", (const char *)sqlite3_column_text(q, 0));
        snprintf(r->parent_run_id, sizeof r->parent_run_id, "%s", (const char *)sqlite3_column_text(q, 1));
        r->experiment = _dup_col(q, 2);
        r->experiment_id = sqlite3_column_int64(q, 3);
        r->name = _dup_col(q, 4);
        r->status = (store_status)sqlite3_column_int(q, 5);
        r->start_ms = sqlite3_column_int64(q, 6);
        r->end_ms = sqlite3_column_int64(q, 7);
        r->source = _dup_col(q, 8);
        r->user = _dup_col(q, 9);
    }
    sqlite3_finalize(q);
    for (size_t i = 0; i < l->n && !st; i++) st = _fill_details(s, &l->runs[i], err);
    if (st) {
        store_run_list_free(l);
        return st;
    }
    *out = l;
    return CS_OK;
}

store_run_list *store_runs_query(store *s, const store_query *qf, cs_err *err)
{
    sqlite3_stmt *q = NULL;
    store_run_list *l = NULL;
    cs_buf sql = {0};
    int k = 1, st_filter = -1;
    store_query none = {0};

    if (!qf) qf = &none;
    if (qf->status && (st_filter = store_status_from_name(qf->status)) < 0) {
        cs_err_set(err, CS_EINVAL, "unknown run status '%s'", qf->status);
        return NULL;
    }
    if (cs_buf_puts(&sql, "SELECT " RUN_COLS " FROM runs r JOIN experiments e USING (experiment_id) WHERE 1", err))
        return NULL;
    if (qf->experiment) cs_buf_puts(&sql, " AND e.name = ?", err);
    if (qf->parent_run_id) cs_buf_puts(&sql, *qf->parent_run_id ? " AND r.parent_run_id = ?" : " AND r.parent_run_id IS NULL", err);
    if (st_filter > 0) cs_buf_puts(&sql, " AND r.status = ?", err);
    cs_buf_puts(&sql, " ORDER BY r.start_time DESC, r.rowid DESC", err);
    if (qf->limit) cs_buf_printf(&sql, err, " LIMIT %zu", qf->limit);
    if (store_db_prepare(s->db, sql.data, &q, err)) {
        cs_buf_free(&sql);
        return NULL;
    }
    cs_buf_free(&sql);
    if (qf->experiment) sqlite3_bind_text(q, k++, qf->experiment, -1, SQLITE_TRANSIENT);
    if (qf->parent_run_id && *qf->parent_run_id) sqlite3_bind_text(q, k++, qf->parent_run_id, -1, SQLITE_TRANSIENT);
    if (st_filter > 0) sqlite3_bind_int(q, k++, st_filter);
    if (_collect(s, q, &l, err)) return NULL;
    return l;
}

store_run_list *store_run_get(store *s, const char *id, cs_err *err)
{
    sqlite3_stmt *q = NULL;
    store_run_list *l = NULL;
    char pattern[STORE_RUN_ID_LEN + 2];

    if (strlen(id) < 4 || strlen(id) > STORE_RUN_ID_LEN || strspn(id, "0123456789abcdef") != strlen(id)) {
        cs_err_set(err, CS_EINVAL, "'%s' is not a run id (4 to 32 lowercase hex digits)", id);
        return NULL;
    }
    snprintf(pattern, sizeof pattern, "%s%%", id);
    if (store_db_prepare(s->db, "SELECT " RUN_COLS " FROM runs r JOIN experiments e USING (experiment_id)"
                    " WHERE r.run_id LIKE ? LIMIT 2", &q, err))
        return NULL;
    sqlite3_bind_text(q, 1, pattern, -1, SQLITE_TRANSIENT);
    if (_collect(s, q, &l, err)) return NULL;
    if (l->n != 1) {
        cs_err_set(err, l->n ? CS_EINVAL : CS_ENOTFOUND,
                   l->n ? "run id prefix '%s' is ambiguous" : "no run with id '%s'", id);
        store_run_list_free(l);
        return NULL;
    }
    return l;
}

cs_status store_metric_history(store *s, const char *run_id, const char *key,
                               store_point **points, size_t *n, cs_err *err)
{
    sqlite3_stmt *q = NULL;
    size_t cap = 0;
    cs_status st = store_db_prepare(s->db, "SELECT timestamp, value, step FROM metrics WHERE run_id = ? AND key = ?"
                               " ORDER BY step, timestamp, rowid", &q, err);
    *points = NULL;
    *n = 0;
    if (st) return st;
    sqlite3_bind_text(q, 1, run_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, key, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (*n == cap) {
            void *p = realloc(*points, (cap = cap ? 2 * cap : 64) * sizeof **points);
            if (!p) { st = cs_err_set(err, CS_ENOMEM, "out of memory"); break; }
            *points = p;
        }
        (*points)[*n].timestamp_ms = sqlite3_column_int64(q, 0);
        (*points)[*n].value = sqlite3_column_type(q, 1) == SQLITE_NULL ? 0.0 / 0.0 : sqlite3_column_double(q, 1);
        (*points)[*n].step = sqlite3_column_int64(q, 2);
        (*n)++;
    }
    sqlite3_finalize(q);
    if (st) {
        free(*points);
        *points = NULL;
        *n = 0;
    }
    return st;
}

store_run_list *store_run_best(store *s, const store_query *qf, const char *metric,
                               int lower_is_better, cs_err *err)
{
    store_query q = qf ? *qf : (store_query){0};
    store_run_list *all, *one;
    long best = -1;
    double best_v = 0;

    q.status = "FINISHED";
    q.limit = 0;
    all = store_runs_query(s, &q, err);
    if (!all) return NULL;
    for (size_t i = 0; i < all->n; i++)
        for (size_t j = 0; j < all->runs[i].n_metrics; j++) {
            const store_metric *m = &all->runs[i].metrics[j];
            if (strcmp(m->key, metric) || m->value != m->value) continue;
            if (best < 0 || (lower_is_better ? m->value < best_v : m->value > best_v)) {
                best = (long)i;
                best_v = m->value;
            }
        }
    if (best < 0) {
        cs_err_set(err, CS_ENOTFOUND, "no finished run has the metric '%s'", metric);
        store_run_list_free(all);
        return NULL;
    }
    one = calloc(1, sizeof *one);
    if (!one) {
        cs_err_set(err, CS_ENOMEM, "out of memory");
        store_run_list_free(all);
        return NULL;
    }
    one->runs = malloc(sizeof *one->runs);
    if (!one->runs) {
        free(one);
        store_run_list_free(all);
        cs_err_set(err, CS_ENOMEM, "out of memory");
        return NULL;
    }
    one->n = 1;
    one->runs[0] = all->runs[best];
    all->runs[best] = all->runs[all->n - 1];  /* hand the best over, free the rest */
    all->n--;
    store_run_list_free(all);
    return one;
}

cs_status store_experiments(store *s, store_experiment **out, size_t *n, cs_err *err)
{
    sqlite3_stmt *q = NULL;
    size_t cap = 0;
    cs_status st = store_db_prepare(s->db, "SELECT experiment_id, name, creation_time, last_update_time FROM experiments"
                               " ORDER BY experiment_id", &q, err);
    *out = NULL;
    *n = 0;
    if (st) return st;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (*n == cap) {
            void *p = realloc(*out, (cap = cap ? 2 * cap : 8) * sizeof **out);
            if (!p) { st = cs_err_set(err, CS_ENOMEM, "out of memory"); break; }
            *out = p;
        }
        (*out)[*n].id = sqlite3_column_int64(q, 0);
        (*out)[*n].name = _dup_col(q, 1);
        (*out)[*n].creation_ms = sqlite3_column_int64(q, 2);
        (*out)[*n].last_update_ms = sqlite3_column_int64(q, 3);
        (*n)++;
    }
    sqlite3_finalize(q);
    return st;
}

void store_experiments_free(store_experiment *e, size_t n)
{
    if (!e) return;
    for (size_t i = 0; i < n; i++) free(e[i].name);
    free(e);
}

cs_status store__mkdirs(const char *path, cs_err *err)
{
    char tmp[PATH_MAX];
    size_t n = strlen(path);
    if (n >= sizeof tmp) return cs_err_set(err, CS_EINVAL, "path too long: %s", path);
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return cs_err_set(err, CS_EIO, "%s: %s", tmp, strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return cs_err_set(err, CS_EIO, "%s: %s", tmp, strerror(errno));
    return CS_OK;
}
