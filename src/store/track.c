/*
 * track.c: the tracking store (see track.h): runs, params, metrics, tags, artifacts,
 * queries, and the reaping of runs whose process died; SQLite or PostgreSQL through sql.h.
 */
#include "track.h"
#include "audit.h"
#include "pg.h"
#include "store_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

struct store {
    store_sql *db;
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
    env = getenv(STORE_DATABASE_URL_ENV);
    if (env && *env) return env;
    return STORE_DEFAULT_PATH;
}

int store_is_url(const char *path)
{
    return store_pg_is_url(path);
}

store_sql *store__sql(store *s)
{
    return s->db;
}

const char *store_path(const store *s)
{
    return store_sql_name(s->db);
}

/* ---- open, close, reap -------------------------------------------------------------- */

/* End as FAILED the RUNNING runs of this host whose process is gone (or was replaced by
 * another process with the same pid). */
static cs_status _reap(store *s, cs_err *err)
{
    store_rows *q = NULL;
    char host[256];
    char (*dead)[STORE_RUN_ID_LEN + 1] = NULL;
    size_t n_dead = 0, cap = 0;
    cs_status st = CS_OK;

    _hostname(host, sizeof host);
    if ((st = store_sql_run(s->db, &q, "reading the running runs",
                            "SELECT run_id, pid, pid_start FROM runs WHERE status = 1 AND host = ?", "t", host, err)))
        return st;
    while (store_rows_next(q)) {
        long pid = (long)store_rows_int(q, 1);
        int64_t started = store_rows_int(q, 2);
        int alive = pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
        if (alive && started && _pid_start(pid) != started) alive = 0;
        if (!alive) {
            if (n_dead == cap) {
                void *p = realloc(dead, (cap = cap ? 2 * cap : 8) * sizeof *dead);
                if (!p) { st = cs_err_set(err, CS_ENOMEM, "out of memory"); break; }
                dead = p;
            }
            snprintf(dead[n_dead++], STORE_RUN_ID_LEN + 1, "%s", store_rows_text(q, 0));
        }
    }
    {
        cs_status read = store_rows_end(q, st ? NULL : err);
        if (!st) st = read;
    }
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
    if (!(s->db = store_sql_open(path, STORE_DB_CREATE | STORE_DB_SHARED, "the tracking store", err))) {
        store_close(s);
        return NULL;
    }
    if ((st = store_sql_migrate(s->db, &store_schema_tracking, &store_schema_tracking_pg, err)) ||
        (st = store_sql_migrate(s->db, &store_schema_registry, &store_schema_registry_pg, err))) {
        /* the store's name: a URL's password is not echoed */
        if (st != CS_EVERSION) cs_err_prefix(err, "%s is not a creditscore tracking store: ", store_path(s));
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
    store_sql_close(s->db);
    free(s);
}

/* ---- writing ------------------------------------------------------------------------ */

/* *found = 1 and the id of experiment name into *id when it exists, else *found = 0 */
static cs_status _find_experiment(store *s, const char *name, int64_t *id, int *found, cs_err *err)
{
    store_rows *q = NULL;
    cs_status st = store_sql_run(s->db, &q, "reading an experiment",
                                 "SELECT experiment_id FROM experiments WHERE name = ?", "t", name, err);
    if (st) return st;
    if ((*found = store_rows_next(q))) *id = store_rows_int(q, 0);
    return store_rows_end(q, err);
}

/* The id of experiment name, created when absent. Called inside a write transaction (the
 * store's write lock held): looked up first, so that PostgreSQL's sequence numbers
 * experiments as SQLite does, with no gap left by an insert that found it there. */
static cs_status _experiment_id(store *s, const char *name, int64_t *id, cs_err *err)
{
    int64_t now = store_now_ms();
    int found = 0;
    cs_status st;

    if ((st = _find_experiment(s, name, id, &found, err)) || found) return st;
    if ((st = store_sql_run(s->db, NULL, "creating an experiment",
                            "INSERT INTO experiments(name, creation_time, last_update_time) VALUES (?, ?, ?)", "tii", name,
                            now, now, err)) ||
        (st = _find_experiment(s, name, id, &found, err)))
        return st;
    return found ? CS_OK : cs_err_set(err, CS_EINTERNAL, "%s: experiment '%s' vanished", store_path(s), name);
}

cs_status store_run_start(store *s, const char *experiment, const char *run_name,
                          const char *parent_run_id, const char *source,
                          char run_id[STORE_RUN_ID_LEN + 1], cs_err *err)
{
    store_rows *q = NULL;
    int64_t exp_id = 0;
    char host[256];
    cs_status st;

    if (experiment && strlen(experiment) > 500)
        return cs_err_set(err, CS_EINVAL, "experiment name longer than 500 characters");
    if ((st = _new_run_id(run_id, err))) return st;
    if ((st = store_sql_begin(s->db, err))) return st;
    if ((!experiment || !*experiment) && parent_run_id && *parent_run_id) {
        /* a trial goes where its search is */
        int found;
        if ((st = store_sql_run(s->db, &q, "reading the parent run", "SELECT experiment_id FROM runs WHERE run_id = ?",
                                "t", parent_run_id, err)))
            goto fail;
        if ((found = store_rows_next(q))) exp_id = store_rows_int(q, 0);
        if ((st = store_rows_end(q, err))) goto fail;
        if (!found) {
            st = cs_err_set(err, CS_ENOTFOUND, "no run with id '%s' (the parent)", parent_run_id);
            goto fail;
        }
    } else if ((st = _experiment_id(s, experiment && *experiment ? experiment : "Default", &exp_id, err))) {
        goto fail;
    }
    _hostname(host, sizeof host);
    if ((st = store_sql_run(s->db, NULL, "starting a run",
                            "INSERT INTO runs(run_id, experiment_id, name, status, start_time, parent_run_id,"
                            " source, user_id, host, pid, pid_start) VALUES (?,?,?,1,?,?,?,?,?,?,?)",
                            "titittttii", run_id, exp_id, run_name && *run_name ? run_name : run_id, store_now_ms(),
                            parent_run_id && *parent_run_id ? parent_run_id : NULL, source ? source : "", _user(),
                            host, (int64_t)getpid(), _pid_start((long)getpid()), err)) ||
        (st = store_sql_run(s->db, NULL, "updating an experiment",
                            "UPDATE experiments SET last_update_time = ? WHERE experiment_id = ?", "ii", store_now_ms(),
                            exp_id, err)))
        goto fail;
    return store_sql_end(s->db, CS_OK, err);
fail:
    store_sql_rollback(s->db);
    return st;
}

static cs_status _run_exists(store *s, const char *run_id, cs_err *err)
{
    store_rows *q = NULL;
    int found;
    cs_status st = store_sql_run(s->db, &q, "reading a run", "SELECT 1 FROM runs WHERE run_id = ?", "t", run_id, err);
    if (st) return st;
    found = store_rows_next(q);
    if ((st = store_rows_end(q, err))) return st;
    return found ? CS_OK : cs_err_set(err, CS_ENOTFOUND, "no run with id '%s'", run_id);
}

/* Begin a write transaction on a run that must exist. */
static cs_status _begin_on_run(store *s, const char *run_id, cs_err *err)
{
    cs_status st = store_sql_begin(s->db, err);
    if (st) return st;
    if ((st = _run_exists(s, run_id, err))) store_sql_rollback(s->db);
    return st;
}

/* End the transaction: COMMIT when st is CS_OK, ROLLBACK otherwise. Returns the outcome. */
static cs_status _finish(store *s, cs_status st, cs_err *err)
{
    return store_sql_end(s->db, st, err);
}

cs_status store_log_param(store *s, const char *run_id, const char *key, const char *value,
                          cs_err *err)
{
    store_rows *q = NULL;
    cs_status st;

    if (!_valid_key(key)) return cs_err_set(err, CS_EINVAL, "invalid parameter name '%s'", key);
    if (strlen(value) > 6000)
        return cs_err_set(err, CS_EINVAL, "parameter '%s': value longer than 6000 characters", key);
    if ((st = _begin_on_run(s, run_id, err))) return st;
    if ((st = store_sql_run(s->db, &q, "reading a parameter", "SELECT value FROM params WHERE run_id = ? AND key = ?",
                            "tt", run_id, key, err)))
        return _finish(s, st, err);
    if (store_rows_next(q)) {
        /* immutable: the same value again is fine, another one is refused */
        if (strcmp(store_rows_text(q, 0), value) != 0)
            st = cs_err_set(err, CS_EINVAL, "parameter '%s' of run %s is already '%s' (parameters cannot change)",
                            key, run_id, store_rows_text(q, 0));
        store_rows_end(q, NULL);
        return _finish(s, st, err);
    }
    if ((st = store_rows_end(q, err))) return _finish(s, st, err);
    st = store_sql_run(s->db, NULL, "logging a parameter", "INSERT INTO params(run_id, key, value) VALUES (?,?,?)",
                       "ttt", run_id, key, value, err);
    return _finish(s, st, err);
}

static cs_status _insert_metrics(store *s, const char *run_id, const char *key, const double *values,
                                 const int64_t *steps, size_t n, int64_t ts, cs_err *err)
{
    cs_status st;

    if (!_valid_key(key)) return cs_err_set(err, CS_EINVAL, "invalid metric name '%s'", key);
    if ((st = _begin_on_run(s, run_id, err))) return st;
    /* a NaN is stored as NULL (SQLite has no NaN) and read back as NaN */
    for (size_t i = 0; i < n && !st; i++)
        st = store_sql_run(s->db, NULL, "logging a metric",
                           "INSERT INTO metrics(run_id, key, value, step, timestamp) VALUES (?,?,?,?,?)", "ttdii",
                           run_id, key, values[i], steps ? steps[i] : (int64_t)i, ts, err);
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
    st = store_sql_run(s->db, NULL, "setting a tag",
                       "INSERT INTO tags(run_id, key, value) VALUES (?,?,?)"
                       " ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value", "ttt", run_id, key, value, err);
    return _finish(s, st, err);
}

cs_status store_log_artifact(store *s, const char *run_id, const char *path, const char *kind,
                             cs_err *err)
{
    char abs[PATH_MAX];
    cs_status st;

    if (!realpath(path, abs)) return cs_err_set(err, CS_EIO, "artifact %s: %s", path, strerror(errno));
    if ((st = _begin_on_run(s, run_id, err))) return st;
    st = store_sql_run(s->db, NULL, "logging an artifact",
                       "INSERT INTO artifacts(run_id, path, kind) VALUES (?,?,?)"
                       " ON CONFLICT (run_id, path) DO UPDATE SET kind = excluded.kind", "ttt", run_id, abs,
                       kind ? kind : "file", err);
    return _finish(s, st, err);
}

cs_status store_run_end(store *s, const char *run_id, store_status status, cs_err *err)
{
    cs_status st;

    if (status != STORE_FINISHED && status != STORE_FAILED && status != STORE_KILLED)
        return cs_err_set(err, CS_EINVAL, "a run ends as FINISHED, FAILED or KILLED");
    if ((st = _begin_on_run(s, run_id, err))) return st;
    /* the run, and its trials still running, end together */
    st = store_sql_run(s->db, NULL, "ending a run",
                       "UPDATE runs SET status = ?, end_time = ? WHERE run_id = ? OR (parent_run_id = ? AND status = 1)",
                       "iitt", (int64_t)status, store_now_ms(), run_id, run_id, err);
    return _finish(s, st, err);
}

/* ---- reading ------------------------------------------------------------------------ */

static char *_dup_col(store_rows *q, int i)
{
    return strdup(store_rows_text(q, i));
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

/* the end of a read: the error of the reading (rows) unless st is one already */
static cs_status _end_read(store_rows *q, cs_status st, cs_err *err)
{
    cs_status read = store_rows_end(q, st ? NULL : err);
    return st ? st : read;
}

static cs_status _load_kv(store *s, const char *sql, const char *run_id, store_kv **out, size_t *n,
                          cs_err *err)
{
    store_rows *q = NULL;
    size_t cap = 0;
    cs_status st = store_sql_run(s->db, &q, "reading a run", sql, "t", run_id, err);
    *out = NULL;
    *n = 0;
    if (st) return st;
    while (store_rows_next(q)) {
        if (*n == cap) {
            void *p = realloc(*out, (cap = cap ? 2 * cap : 8) * sizeof **out);
            if (!p) { st = cs_err_set(err, CS_ENOMEM, "out of memory"); break; }
            *out = p;
        }
        (*out)[*n].key = _dup_col(q, 0);
        (*out)[*n].value = _dup_col(q, 1);
        (*n)++;
    }
    return _end_read(q, st, err);
}

static cs_status _load_metrics(store *s, store_run *r, cs_err *err)
{
    /* latest = max by (step, timestamp): the last row of each key in that order (a NULL, a
     * NaN logged, last among equals as SQLite orders it) */
    store_rows *q = NULL;
    size_t cap = 0;
    cs_status st = store_sql_run(s->db, &q, "reading a run's metrics",
        "SELECT key, value, step, timestamp, cnt FROM ("
        "  SELECT key, value, step, timestamp, COUNT(*) OVER (PARTITION BY key) AS cnt,"
        "   ROW_NUMBER() OVER (PARTITION BY key ORDER BY step DESC, timestamp DESC, value DESC NULLS LAST) AS rn"
        "  FROM metrics WHERE run_id = ?) latest WHERE rn = 1 ORDER BY key", "t", r->run_id, err);
    if (st) return st;
    while (store_rows_next(q)) {
        store_metric *m;
        if (r->n_metrics == cap) {
            void *p = realloc(r->metrics, (cap = cap ? 2 * cap : 8) * sizeof *r->metrics);
            if (!p) { st = cs_err_set(err, CS_ENOMEM, "out of memory"); break; }
            r->metrics = p;
        }
        m = &r->metrics[r->n_metrics++];
        m->key = _dup_col(q, 0);
        m->value = store_rows_double(q, 1);
        m->step = store_rows_int(q, 2);
        m->timestamp_ms = store_rows_int(q, 3);
        m->n_points = (size_t)store_rows_int(q, 4);
    }
    return _end_read(q, st, err);
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

/* the runs of q's rows, each with its details; q is ended */
static cs_status _collect(store *s, store_rows *q, store_run_list **out, cs_err *err)
{
    store_run_list *l = calloc(1, sizeof *l);
    size_t cap = 0;
    cs_status st = CS_OK;

    if (!l) {
        store_rows_end(q, NULL);
        return cs_err_set(err, CS_ENOMEM, "out of memory");
    }
    while (store_rows_next(q)) {
        store_run *r;
        if (l->n == cap) {
            void *p = realloc(l->runs, (cap = cap ? 2 * cap : 16) * sizeof *l->runs);
            if (!p) { st = cs_err_set(err, CS_ENOMEM, "out of memory"); break; }
            l->runs = p;
        }
        r = &l->runs[l->n++];
        memset(r, 0, sizeof *r);
        snprintf(r->run_id, sizeof r->run_id, "%s", store_rows_text(q, 0));
        snprintf(r->parent_run_id, sizeof r->parent_run_id, "%s", store_rows_text(q, 1));
        r->experiment = _dup_col(q, 2);
        r->experiment_id = store_rows_int(q, 3);
        r->name = _dup_col(q, 4);
        r->status = (store_status)store_rows_int(q, 5);
        r->start_ms = store_rows_int(q, 6);
        r->end_ms = store_rows_int(q, 7);
        r->source = _dup_col(q, 8);
        r->user = _dup_col(q, 9);
    }
    st = _end_read(q, st, err);
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
    store_rows *q = NULL;
    store_run_list *l = NULL;
    cs_buf sql = {0};
    const char *args[3];
    char types[4] = "", status[16];
    int k = 0, st_filter = -1;
    store_query none = {0};
    cs_status st;

    if (!qf) qf = &none;
    if (qf->status && (st_filter = store_status_from_name(qf->status)) < 0) {
        cs_err_set(err, CS_EINVAL, "unknown run status '%s'", qf->status);
        return NULL;
    }
    /* the filters' values are sent as text: both backends compare them with the columns' types */
    if (cs_buf_puts(&sql, "SELECT " RUN_COLS " FROM runs r JOIN experiments e USING (experiment_id) WHERE 1 = 1", err))
        return NULL;
    if (qf->experiment) {
        cs_buf_puts(&sql, " AND e.name = ?", err);
        args[k++] = qf->experiment;
    }
    if (qf->parent_run_id) {
        cs_buf_puts(&sql, *qf->parent_run_id ? " AND r.parent_run_id = ?" : " AND r.parent_run_id IS NULL", err);
        if (*qf->parent_run_id) args[k++] = qf->parent_run_id;
    }
    if (st_filter > 0) {
        cs_buf_puts(&sql, " AND r.status = CAST(? AS INTEGER)", err);
        snprintf(status, sizeof status, "%d", st_filter);
        args[k++] = status;
    }
    cs_buf_puts(&sql, " ORDER BY r.start_time DESC, r.rowid DESC", err);
    if (qf->limit) cs_buf_printf(&sql, err, " LIMIT %zu", qf->limit);
    if (!sql.data) return NULL;
    memset(types, 't', (size_t)k);
    st = store_sql_run(s->db, &q, "reading runs", sql.data, types, k > 0 ? args[0] : NULL, k > 1 ? args[1] : NULL,
                       k > 2 ? args[2] : NULL, err);
    cs_buf_free(&sql);
    if (st || _collect(s, q, &l, err)) return NULL;
    return l;
}

store_run_list *store_run_get(store *s, const char *id, cs_err *err)
{
    store_rows *q = NULL;
    store_run_list *l = NULL;
    char pattern[STORE_RUN_ID_LEN + 2];

    if (strlen(id) < 4 || strlen(id) > STORE_RUN_ID_LEN || strspn(id, "0123456789abcdef") != strlen(id)) {
        cs_err_set(err, CS_EINVAL, "'%s' is not a run id (4 to 32 lowercase hex digits)", id);
        return NULL;
    }
    snprintf(pattern, sizeof pattern, "%s%%", id);
    if (store_sql_run(s->db, &q, "reading a run",
                      "SELECT " RUN_COLS " FROM runs r JOIN experiments e USING (experiment_id)"
                      " WHERE r.run_id LIKE ? LIMIT 2", "t", pattern, err) ||
        _collect(s, q, &l, err))
        return NULL;
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
    store_rows *q = NULL;
    size_t cap = 0;
    cs_status st = store_sql_run(s->db, &q, "reading a metric",
                                 "SELECT timestamp, value, step FROM metrics WHERE run_id = ? AND key = ?"
                                 " ORDER BY step, timestamp, rowid", "tt", run_id, key, err);
    *points = NULL;
    *n = 0;
    if (st) return st;
    while (store_rows_next(q)) {
        if (*n == cap) {
            void *p = realloc(*points, (cap = cap ? 2 * cap : 64) * sizeof **points);
            if (!p) { st = cs_err_set(err, CS_ENOMEM, "out of memory"); break; }
            *points = p;
        }
        (*points)[*n].timestamp_ms = store_rows_int(q, 0);
        (*points)[*n].value = store_rows_double(q, 1);
        (*points)[*n].step = store_rows_int(q, 2);
        (*n)++;
    }
    if ((st = _end_read(q, st, err))) {
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
    store_rows *q = NULL;
    size_t cap = 0;
    cs_status st = store_sql_run(s->db, &q, "reading the experiments",
                                 "SELECT experiment_id, name, creation_time, last_update_time FROM experiments"
                                 " ORDER BY experiment_id", "", err);
    *out = NULL;
    *n = 0;
    if (st) return st;
    while (store_rows_next(q)) {
        if (*n == cap) {
            void *p = realloc(*out, (cap = cap ? 2 * cap : 8) * sizeof **out);
            if (!p) { st = cs_err_set(err, CS_ENOMEM, "out of memory"); break; }
            *out = p;
        }
        (*out)[*n].id = store_rows_int(q, 0);
        (*out)[*n].name = _dup_col(q, 1);
        (*out)[*n].creation_ms = store_rows_int(q, 2);
        (*out)[*n].last_update_ms = store_rows_int(q, 3);
        (*n)++;
    }
    return _end_read(q, st, err);
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
