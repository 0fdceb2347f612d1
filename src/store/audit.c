/*
 * audit.c: the audit log (see audit.h): a queue, a writer thread that commits batches
 * into SQLite (WAL), and the reader used by `creditscore audit`.
 */
#include "audit.h"
#include "db.h"
#include "pg.h"
#include "schema.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QUEUE_CAP 65536
#define BATCH_MAX 4096
/* WAL frames (pages: 1 KiB for a log created here) after which the checkpointer is woken,
 * and after which the writer waits for it and checkpoints itself (a bound on the log's
 * size). Small and frequent checkpoints hold commits up the least: measured with wrk at
 * 39,000 decisions/s on 2 cores, p99 1.7 ms with 1 KiB pages and 2,048 frames, 3.2 to 3.7 ms
 * with 4 KiB pages and 16,384 frames, 0.8 ms with no checkpoint at all (an unbounded log). */
#define CKPT_FRAMES 2048
#define CKPT_HARD (16 * CKPT_FRAMES)

/* one queued decision and who to tell when it is committed (done NULL: nobody) */
typedef struct _entry {
    store_audit_rec rec;
    store_audit_done_fn done;
    void *ud;
} _entry;

struct store_audit {
    char *path;
    store_pg *pg;               /* the log in PostgreSQL (then none of the SQLite fields) */
    cs_buf copy;                /* PostgreSQL: the batch as COPY text */
    store_db *conn;             /* the writer's connection */
    sqlite3 *db;                /* its SQLite handle (hooks, checkpoints) */
    sqlite3_stmt *ins;
    pthread_t writer;
    /* checkpoints run on their own connection and thread, so that a commit never waits
     * for the fsyncs of a checkpoint (SQLite's automatic one runs inside the COMMIT that
     * crosses the threshold, stalling that batch and every request queued behind it) */
    store_db *ck_conn;
    sqlite3 *ck_db;
    pthread_t checkpointer;
    pthread_cond_t ck_wake;     /* the checkpointer waits on it */
    pthread_cond_t ck_idle;     /* the writer waits on it when the log is too long */
    int ck_frames, ck_hard;     /* CKPT_FRAMES, CKPT_HARD unless tuned */
    double busy_t0;             /* the writer's busy handler: when the wait began */
    int in_restart;             /* the writer is in its RESTART checkpoint */
    int ck_wanted, ck_running, ck_stop;
    uint64_t ck_passes;         /* the checkpointer's completed passes */
    uint64_t ck_passes_used;    /* ck_passes when the writer last finished with a RESTART */
    pthread_mutex_t mu;
    pthread_cond_t has_work;    /* the writer waits on it */
    pthread_cond_t progress;    /* appenders (queue full) and flushers wait on it */
    _entry *queue;              /* ring of QUEUE_CAP */
    _entry *batch;              /* the writer's copy of the batch it commits (BATCH_MAX) */
    size_t head, count;
    uint64_t n_queued, n_done; /* totals, for flush */
    int stopping;
    int n_waiting;              /* rows queued whose sender waits for the commit (commit, submit) */
    cs_status write_status;     /* the writer's failure while degraded, CS_OK otherwise */
    char write_msg[CS_ERR_MSG_MAX];
    int in_probe;               /* the writer is probing a degraded log (short busy wait) */
    /* for store_audit_stats */
    uint64_t n_commits, n_failures, n_recoveries;
    double commit_s_last, commit_s_sum;
};

const char *store_audit_resolve_path(const char *flag)
{
    const char *env;
    if (flag && *flag) return flag;
    env = getenv(STORE_DATABASE_URL_ENV);
    if (env && *env) return env;
    return STORE_AUDIT_DEFAULT_PATH;
}

void store_audit_format_time(int64_t unix_ms, char out[32])
{
    time_t t = (time_t)(unix_ms / 1000);
    struct tm tm;
    int ms = (int)(unix_ms % 1000);
    if (ms < 0) {
        ms += 1000;
        t -= 1;
    }
    char tmp[96];
    gmtime_r(&t, &tm);
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    snprintf(out, 32, "%.31s", tmp);
}

int64_t store_audit_parse_time(const char *s)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    struct tm tm = {0};
    if (!s) return -1;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3) return -1;
    s += n;
    if (*s == 'T' || *s == ' ') {
        if (sscanf(s + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3) return -1;
        s += 1 + n;
    }
    if (*s == 'Z') s++;
    if (*s) return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970) return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return (int64_t)timegm(&tm) * 1000;
}

int store_audit_rec_has_challenger(const store_audit_rec *r)
{
    return r->challenger_name[0] && (!strcmp(r->challenger_decision, "approve") || !strcmp(r->challenger_decision, "refuse")) &&
           r->challenger_probability == r->challenger_probability;
}

static int _bind_rec(sqlite3_stmt *q, const store_audit_rec *r)
{
    char t[32];
    store_audit_format_time(r->unix_ms, t);
    sqlite3_bind_text(q, 1, t, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, r->unix_ms);
    sqlite3_bind_text(q, 3, r->request_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, r->endpoint, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, r->model_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, r->model_version, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 7, r->input_kind, -1, SQLITE_STATIC);
    if (r->client_id >= 0) sqlite3_bind_int64(q, 8, r->client_id);
    else sqlite3_bind_null(q, 8);
    sqlite3_bind_text(q, 9, r->input_digest, -1, SQLITE_STATIC);
    sqlite3_bind_double(q, 10, r->probability);
    if (r->score == r->score) sqlite3_bind_double(q, 11, r->score);
    else sqlite3_bind_null(q, 11);
    sqlite3_bind_double(q, 12, r->threshold);
    sqlite3_bind_text(q, 13, r->decision, -1, SQLITE_STATIC);
    if (r->challenger_name[0]) {
        sqlite3_bind_text(q, 14, r->challenger_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 15, r->challenger_version, -1, SQLITE_STATIC);
        if (store_audit_rec_has_challenger(r)) {
            sqlite3_bind_double(q, 16, r->challenger_probability);
            sqlite3_bind_double(q, 17, r->challenger_threshold);
        } else {
            sqlite3_bind_null(q, 16);
            sqlite3_bind_null(q, 17);
        }
        sqlite3_bind_text(q, 18, r->challenger_decision, -1, SQLITE_STATIC);
    } else {
        for (int k = 14; k <= 18; k++) sqlite3_bind_null(q, k);
    }
    sqlite3_bind_text(q, 19, r->kind[0] ? r->kind : "decision", -1, SQLITE_STATIC);
    return sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
}

/* The writer connection's WAL hook, after each commit (the write lock released). The log
 * holds n_frames frames:
 *   >= CKPT_FRAMES: wake the checkpointer, whose PASSIVE checkpoint copies the log into the
 *     database while the writer goes on committing (the long part, the log's fsync);
 *   once it has done a pass, finish here with a RESTART checkpoint: only the frames
 *     committed since (a millisecond or two), after which the next commit starts the log
 *     from its beginning again (a concurrent checkpoint cannot do that: commits never stop);
 *   >= CKPT_HARD: the checkpointer fell behind: wait for its pass to end and RESTART here
 *     (commits wait rather than the log growing for as long as the load lasts). */
static int _wal_hook(void *ud, sqlite3 *db, const char *name, int n_frames)
{
    store_audit *a = ud;
    int restart = 0;
    if (n_frames < a->ck_frames) return SQLITE_OK;
    pthread_mutex_lock(&a->mu);
    if (n_frames >= a->ck_hard)
        while (a->ck_running || a->ck_wanted) pthread_cond_wait(&a->ck_idle, &a->mu);
    if (!a->ck_running && !a->ck_wanted) {
        if (n_frames >= a->ck_hard || a->ck_passes > a->ck_passes_used) {
            restart = 1;
            a->ck_passes_used = a->ck_passes;
        } else {
            a->ck_wanted = 1;
            pthread_cond_signal(&a->ck_wake);
        }
    }
    pthread_mutex_unlock(&a->mu);
    if (restart) {
        a->in_restart = 1;   /* the writer thread's own field (the busy handler runs on it) */
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
        a->in_restart = 0;
    }
    return SQLITE_OK;
}

/* the writer connection's busy handler: retry every 100 us for up to STORE_DB_BUSY_MS
 * (SQLite's default sleeps 1, 2, 5, 10 ... ms, too coarse for the checkpointer's short
 * locks; the connection layer's doubles its sleeps up to 4 ms); in
 * the writer's own checkpoint, 2 ms only: a reader of the log (`creditscore audit`) must
 * not hold decisions up; the checkpoint then does what it can and the log restarts later */
static int _busy(void *ud, int count)
{
    store_audit *a = ud;
    struct timespec ts = {0, 100000};
    if (count == 0) a->busy_t0 = cs_now();
    else if (cs_now() - a->busy_t0 >= (a->in_restart || a->in_probe ? 0.002 : STORE_DB_BUSY_MS / 1000.0)) return 0;
    nanosleep(&ts, NULL);
    return 1;
}

/* the checkpointer thread: a PASSIVE checkpoint each time the WAL hook asks */
static void *_checkpointer(void *arg)
{
    store_audit *a = arg;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        while (!a->ck_wanted && !a->ck_stop) pthread_cond_wait(&a->ck_wake, &a->mu);
        if (a->ck_stop) {
            a->ck_wanted = 0;
            pthread_cond_broadcast(&a->ck_idle);
            break;
        }
        a->ck_wanted = 0;
        a->ck_running = 1;
        pthread_mutex_unlock(&a->mu);
        /* a failure (SQLITE_BUSY under a reader) is left to the next round */
        int rc = sqlite3_wal_checkpoint_v2(a->ck_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&a->mu);
        a->ck_running = 0;
        if (rc == SQLITE_OK) a->ck_passes++;
        pthread_cond_broadcast(&a->ck_idle);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

/* PostgreSQL: the batch as one COPY (one statement, committed when it returns). A
 * connection the server dropped (a restart, a failover) is opened again first: until it
 * can be, batches fail (their decisions are refused, never acknowledged) and the degraded
 * writer's probe tries again. */
static cs_status _pg_write(store_audit *a, const _entry *batch, size_t n, cs_err *err)
{
    cs_buf *b = &a->copy;
    cs_status st;
    if (PQstatus(store_pg_conn(a->pg)) == CONNECTION_BAD && (st = store_pg_reset(a->pg, err))) return st;
    b->len = 0;
    for (size_t i = 0; i < n; i++) {
        const store_audit_rec *r = &batch[i].rec;
        char t[32];
        store_audit_format_time(r->unix_ms, t);
        if (cs_buf_printf(b, err, "%s\t%lld\t", t, (long long)r->unix_ms) || store_pg_copy_text(b, r->request_id, err) ||
            cs_buf_puts(b, "\t", err) || store_pg_copy_text(b, r->endpoint, err) || cs_buf_puts(b, "\t", err) ||
            store_pg_copy_text(b, r->model_name, err) || cs_buf_puts(b, "\t", err) ||
            store_pg_copy_text(b, r->model_version, err) || cs_buf_puts(b, "\t", err) ||
            store_pg_copy_text(b, r->input_kind, err))
            return CS_ENOMEM;
        if (r->client_id >= 0 ? cs_buf_printf(b, err, "\t%lld\t", (long long)r->client_id) : cs_buf_puts(b, "\t\\N\t", err))
            return CS_ENOMEM;
        if (store_pg_copy_text(b, r->input_digest, err) || cs_buf_printf(b, err, "\t%.17g\t", r->probability))
            return CS_ENOMEM;
        if (r->score == r->score ? cs_buf_printf(b, err, "%.17g", r->score) : cs_buf_puts(b, "\\N", err)) return CS_ENOMEM;
        if (cs_buf_printf(b, err, "\t%.17g\t", r->threshold) || store_pg_copy_text(b, r->decision, err))
            return CS_ENOMEM;
        if (!r->challenger_name[0]) {
            if (cs_buf_puts(b, "\t\\N\t\\N\t\\N\t\\N\t\\N", err)) return CS_ENOMEM;
        } else {
            if (cs_buf_puts(b, "\t", err) || store_pg_copy_text(b, r->challenger_name, err) ||
                cs_buf_puts(b, "\t", err) || store_pg_copy_text(b, r->challenger_version, err))
                return CS_ENOMEM;
            if (store_audit_rec_has_challenger(r)
                    ? cs_buf_printf(b, err, "\t%.17g\t%.17g\t", r->challenger_probability, r->challenger_threshold)
                    : cs_buf_puts(b, "\t\\N\t\\N\t", err))
                return CS_ENOMEM;
            if (store_pg_copy_text(b, r->challenger_decision, err)) return CS_ENOMEM;
        }
        if (cs_buf_puts(b, "\t", err) || store_pg_copy_text(b, r->kind[0] ? r->kind : "decision", err) ||
            cs_buf_puts(b, "\n", err))
            return CS_ENOMEM;
    }
    return store_pg_copy(a->pg,
                         "COPY audit(time, unix_ms, request_id, endpoint, model_name, model_version, input_kind,"
                         " client_id, input_digest, probability, score, threshold, decision, challenger_name,"
                         " challenger_version, challenger_probability, challenger_threshold, challenger_decision, kind)"
                         " FROM STDIN",
                         b->data, b->len, err);
}

/* degraded: one empty write, quickly; 1 when the log takes it again */
static int _probe(store_audit *a)
{
    cs_err e = {0};
    int ok;
    if (a->pg) return _pg_write(a, a->batch, 0, &e) == CS_OK;
    a->in_probe = 1;
    ok = sqlite3_exec(a->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK &&
         sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    if (!ok && !sqlite3_get_autocommit(a->db)) sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
    a->in_probe = 0;
    return ok;
}

static void *_writer(void *arg)
{
    store_audit *a = arg;
    _entry *batch = a->batch;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        size_t n, n_cb = 0;
        cs_status st;
        char msg[CS_ERR_MSG_MAX];
        while (!a->count && !a->stopping) {
            if (a->write_status == CS_OK) {
                pthread_cond_wait(&a->has_work, &a->mu);
                continue;
            }
            /* degraded (appends are refused at once): every 250 ms, try an empty write
             * transaction; once the log takes it, decisions are accepted again */
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 250000000;
            if (until.tv_nsec >= 1000000000) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000;
            }
            if (pthread_cond_timedwait(&a->has_work, &a->mu, &until) == 0 || a->stopping) continue;
            pthread_mutex_unlock(&a->mu);
            int probe_ok = _probe(a);
            pthread_mutex_lock(&a->mu);
            if (probe_ok && a->write_status != CS_OK) {
                a->write_status = CS_OK;
                a->write_msg[0] = '\0';
                a->n_recoveries++;
                pthread_cond_broadcast(&a->progress);
            }
        }
        if (!a->count && a->stopping) break;
        n = a->count < BATCH_MAX ? a->count : BATCH_MAX;
        for (size_t i = 0; i < n; i++) batch[i] = a->queue[(a->head + i) % QUEUE_CAP];
        a->head = (a->head + n) % QUEUE_CAP;
        a->count -= n;
        pthread_cond_broadcast(&a->progress);   /* room in the queue */
        pthread_mutex_unlock(&a->mu);

        cs_err e = {0};
        cs_status wst;
        double t0 = cs_now();
        if (a->pg) {
            wst = _pg_write(a, batch, n, &e);
        } else {
            wst = store_db_begin(a->conn, &e);
            for (size_t i = 0; i < n && !wst; i++) {
                if (_bind_rec(a->ins, &batch[i].rec)) wst = store_db_fail(a->conn, "writing a decision", &e);
                sqlite3_reset(a->ins);
            }
            if (!wst) wst = store_db_commit(a->conn, &e);
            else store_db_rollback(a->conn);
        }
        int ok = wst == CS_OK;

        pthread_mutex_lock(&a->mu);
        if (ok && a->write_status != CS_OK) {   /* writable again */
            a->write_status = CS_OK;
            a->write_msg[0] = '\0';
            a->n_recoveries++;
        }
        if (ok) {
            a->n_commits++;
            a->commit_s_last = cs_now() - t0;
            a->commit_s_sum += a->commit_s_last;
        } else {
            a->n_failures++;
        }
        if (!ok && a->write_status == CS_OK) {
            a->write_status = CS_EIO;
            snprintf(a->write_msg, sizeof a->write_msg, "%s", e.msg);
        }
        st = ok ? CS_OK : a->write_status;
        snprintf(msg, sizeof msg, "%s", a->write_msg);
        pthread_mutex_unlock(&a->mu);
        /* the callbacks before n_done moves: once a flush returns, every one has run */
        for (size_t i = 0; i < n; i++)
            if (batch[i].done) {
                batch[i].done(batch[i].ud, st, st == CS_OK ? NULL : msg);
                n_cb++;
            }
        pthread_mutex_lock(&a->mu);
        a->n_waiting -= (int)n_cb;
        a->n_done += n;
        pthread_cond_broadcast(&a->progress);
        if (!a->stopping && a->count < BATCH_MAX && !a->n_waiting) {
            /* let the queue fill for up to 2 ms: fewer, larger transactions under load;
             * but never while someone waits for a commit (a commit or submit ends the
             * pause: rows queued while a batch commits form the next batch anyway) */
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 2000000;
            if (until.tv_nsec >= 1000000000) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000;
            }
            while (!a->stopping && a->count < BATCH_MAX && !a->n_waiting &&
                   pthread_cond_timedwait(&a->has_work, &a->mu, &until) == 0) {
            }
        }
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

const char *store_audit_name(const store_audit *a)
{
    return a->pg ? store_pg_name(a->pg) : a->path;
}

void store_audit_stats(store_audit *a, store_audit_stats_t *out)
{
    memset(out, 0, sizeof *out);
    if (!a) return;
    pthread_mutex_lock(&a->mu);
    out->queue_depth = a->count;
    out->commits = a->n_commits;
    out->failures = a->n_failures;
    out->recoveries = a->n_recoveries;
    out->commit_s_last = a->commit_s_last;
    out->commit_s_sum = a->commit_s_sum;
    out->degraded = a->write_status != CS_OK;
    snprintf(out->reason, sizeof out->reason, "%s", a->write_status != CS_OK ? a->write_msg : "");
    pthread_mutex_unlock(&a->mu);
}

void store_audit_tune_checkpoints(store_audit *a, int frames, int hard)
{
    if (a->pg) return;   /* the server's own checkpoints */
    pthread_mutex_lock(&a->mu);
    a->ck_frames = frames > 0 ? frames : CKPT_FRAMES;
    a->ck_hard = hard > a->ck_frames ? hard : 16 * a->ck_frames;
    pthread_mutex_unlock(&a->mu);
}

static void _stop_checkpointer(store_audit *a)
{
    pthread_mutex_lock(&a->mu);
    a->ck_stop = 1;
    pthread_cond_signal(&a->ck_wake);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->checkpointer, NULL);
}

store_audit *store_audit_open(const char *path, cs_err *err)
{
    store_audit *a = cs_calloc(1, sizeof *a, err);
    if (!a) return NULL;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->has_work, NULL);
    pthread_cond_init(&a->progress, NULL);
    pthread_cond_init(&a->ck_wake, NULL);
    a->ck_frames = CKPT_FRAMES;
    a->ck_hard = CKPT_HARD;
    pthread_cond_init(&a->ck_idle, NULL);
    if (!(a->path = cs_strdup(path, err)) || !(a->queue = cs_malloc(QUEUE_CAP * sizeof *a->queue, err)) ||
        !(a->batch = cs_malloc(BATCH_MAX * sizeof *a->batch, err)))
        goto fail;
    if (store_pg_is_url(path)) {
        /* PostgreSQL: the writer only (the server checkpoints its own log) */
        if (!(a->pg = store_pg_open(path, "the audit log", err)) || store_pg_migrate(a->pg, &store_schema_audit_pg, err))
            goto fail;
        if (pthread_create(&a->writer, NULL, _writer, a) != 0) {
            cs_err_set(err, CS_EINTERNAL, "cannot start the audit writer thread");
            goto fail;
        }
        return a;
    }
    /* 1 KiB pages (for a new file: an existing one keeps its own): a batch of decisions
     * rewrites fewer bytes of pages into the log than with 4 KiB ones */
    if (!(a->conn = store_db_open(path, STORE_DB_CREATE | STORE_DB_SMALL_PAGES, "the audit log", err)) ||
        store_db_migrate(a->conn, &store_schema_audit, err))
        goto fail;
    a->db = store_db_sqlite(a->conn);
    /* the table's CHECK on kind is not evaluated by the writer: SQLite 3.40 codes its IN
     * list as a temporary B-tree that every INSERT builds again (a pager opened, 3 rows
     * inserted, then dropped: 1.6 to 3 us of the ~8 us a row costs at 6 rows a batch);
     * _append refuses every kind the CHECK would, before the row is queued (test_kinds),
     * and other writers of the file still meet the CHECK */
    if (sqlite3_exec(a->db, "PRAGMA ignore_check_constraints=ON", NULL, NULL, NULL) != SQLITE_OK) {
        cs_err_set(err, CS_EIO, "%s: %s", path, sqlite3_errmsg(a->db));
        goto fail;
    }
    if (sqlite3_prepare_v2(a->db,
                           "INSERT INTO audit(time, unix_ms, request_id, endpoint, model_name, model_version,"
                           " input_kind, client_id, input_digest, probability, score, threshold, decision,"
                           " challenger_name, challenger_version, challenger_probability, challenger_threshold,"
                           " challenger_decision, kind) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &a->ins, NULL) != SQLITE_OK) {
        cs_err_set(err, CS_EIO, "%s: audit table has another layout: %s", path, sqlite3_errmsg(a->db));
        goto fail;
    }
    /* checkpoints: not in the writer's commits but on the checkpointer's connection */
    sqlite3_busy_handler(a->db, _busy, a);
    sqlite3_wal_hook(a->db, _wal_hook, a);
    if (!(a->ck_conn = store_db_open(path, 0, "the audit log's checkpointer", err))) goto fail;
    a->ck_db = store_db_sqlite(a->ck_conn);
    if (pthread_create(&a->checkpointer, NULL, _checkpointer, a) != 0) {
        cs_err_set(err, CS_EINTERNAL, "cannot start the audit checkpointer thread");
        goto fail;
    }
    if (pthread_create(&a->writer, NULL, _writer, a) != 0) {
        cs_err_set(err, CS_EINTERNAL, "cannot start the audit writer thread");
        _stop_checkpointer(a);
        goto fail;
    }
    return a;
fail:
    store_pg_close(a->pg);
    cs_buf_free(&a->copy);
    sqlite3_finalize(a->ins);
    store_db_close(a->conn);
    store_db_close(a->ck_conn);
    pthread_cond_destroy(&a->ck_wake);
    pthread_cond_destroy(&a->ck_idle);
    free(a->queue);
    free(a->batch);
    free(a->path);
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->has_work);
    pthread_cond_destroy(&a->progress);
    free(a);
    return NULL;
}

/* a committer waiting for its own row's outcome (exact even when a later retry has ended
 * a degraded state before the waiter wakes) */
typedef struct _waiter {
    atomic_int done;
    cs_status st;
    char msg[CS_ERR_MSG_MAX];
} _waiter;

static void _wait_done(void *ud, cs_status st, const char *msg)
{
    _waiter *w = ud;
    w->st = st;
    snprintf(w->msg, sizeof w->msg, "%s", msg ? msg : "");
    atomic_store(&w->done, 1);
}

/* queue r; with wait, block until the batch holding it is committed (group commit); with
 * done, return at once and let the writer call done(ud, ...) after the commit */
static cs_status _append(store_audit *a, const store_audit_rec *r, int wait, store_audit_done_fn done, void *ud,
                         cs_err *err)
{
    _entry *q;
    _waiter w;
    char kind[sizeof r->kind];
    /* a kind the table's CHECK would refuse must not fail the whole batch */
    snprintf(kind, sizeof kind, "%.*s", (int)strnlen(r->kind, sizeof r->kind), r->kind);
    if (kind[0] && !store_audit_kind_bit(kind))
        return cs_err_set(err, CS_EINVAL, "audit: kind '%s' is not decision, lookup or simulation", kind);
    if (wait) {
        atomic_init(&w.done, 0);
        w.st = CS_OK;
        w.msg[0] = '\0';
        done = _wait_done;
        ud = &w;
    }
    pthread_mutex_lock(&a->mu);
    while (a->count == QUEUE_CAP && a->write_status == CS_OK) pthread_cond_wait(&a->progress, &a->mu);
    if (a->write_status != CS_OK) {
        cs_status st = cs_err_set(err, a->write_status, "%s", a->write_msg);
        pthread_mutex_unlock(&a->mu);
        return st;
    }
    q = &a->queue[(a->head + a->count) % QUEUE_CAP];
    q->rec = *r;
    q->done = done;
    q->ud = ud;
    /* make sure every string is terminated whatever the caller did */
    q->rec.request_id[sizeof q->rec.request_id - 1] = q->rec.endpoint[sizeof q->rec.endpoint - 1] = '\0';
    q->rec.model_name[sizeof q->rec.model_name - 1] = q->rec.model_version[sizeof q->rec.model_version - 1] = '\0';
    q->rec.input_kind[sizeof q->rec.input_kind - 1] = q->rec.input_digest[sizeof q->rec.input_digest - 1] = '\0';
    q->rec.decision[sizeof q->rec.decision - 1] = '\0';
    q->rec.challenger_name[sizeof q->rec.challenger_name - 1] = '\0';
    q->rec.challenger_version[sizeof q->rec.challenger_version - 1] = '\0';
    q->rec.challenger_decision[sizeof q->rec.challenger_decision - 1] = '\0';
    memcpy(q->rec.kind, kind, sizeof kind);
    a->count++;
    ++a->n_queued;
    if (done) a->n_waiting++;   /* the writer takes it back after the callback */
    pthread_cond_signal(&a->has_work);
    if (wait) {
        /* the writer broadcasts progress after each batch's callbacks */
        while (!atomic_load(&w.done)) pthread_cond_wait(&a->progress, &a->mu);
        if (w.st != CS_OK) {    /* its batch failed */
            cs_status st = cs_err_set(err, w.st, "%s", w.msg);
            pthread_mutex_unlock(&a->mu);
            return st;
        }
    }
    pthread_mutex_unlock(&a->mu);
    return CS_OK;
}

cs_status store_audit_append(store_audit *a, const store_audit_rec *r, cs_err *err)
{
    return _append(a, r, 0, NULL, NULL, err);
}

cs_status store_audit_commit(store_audit *a, const store_audit_rec *r, cs_err *err)
{
    return _append(a, r, 1, NULL, NULL, err);
}

cs_status store_audit_submit(store_audit *a, const store_audit_rec *r, store_audit_done_fn done, void *ud,
                             cs_err *err)
{
    if (!done) return cs_err_set(err, CS_EINVAL, "store_audit_submit: no callback");
    return _append(a, r, 0, done, ud, err);
}

cs_status store_audit_flush(store_audit *a, cs_err *err)
{
    cs_status st = CS_OK;
    pthread_mutex_lock(&a->mu);
    uint64_t target = a->n_queued;
    /* the writer goes on after a failure (each batch's callbacks are told): wait for all */
    while (a->n_done < target) pthread_cond_wait(&a->progress, &a->mu);
    if (a->write_status != CS_OK) st = cs_err_set(err, a->write_status, "%s", a->write_msg);
    pthread_mutex_unlock(&a->mu);
    return st;
}

void store_audit_close(store_audit *a)
{
    if (!a) return;
    pthread_mutex_lock(&a->mu);
    a->stopping = 1;
    pthread_cond_signal(&a->has_work);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->writer, NULL);
    if (a->pg) {
        store_pg_close(a->pg);
        cs_buf_free(&a->copy);
    } else {
        _stop_checkpointer(a);
        store_db_close(a->ck_conn);
        sqlite3_finalize(a->ins);
        sqlite3_exec(a->db, "PRAGMA wal_checkpoint(TRUNCATE);", NULL, NULL, NULL);
        store_db_close(a->conn);
    }
    pthread_cond_destroy(&a->ck_wake);
    pthread_cond_destroy(&a->ck_idle);
    free(a->queue);
    free(a->batch);
    free(a->path);
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->has_work);
    pthread_cond_destroy(&a->progress);
    free(a);
}

/* the columns every version has, then the challenger's (version 2), or NULLs for them */
#define _COLS                                                                                                         \
    "seq, time, unix_ms, request_id, endpoint, model_name, model_version, input_kind, client_id, input_digest,"      \
    " probability, score, threshold, decision"
#define _CH_COLS "challenger_name, challenger_version, challenger_probability, challenger_threshold, challenger_decision"
#define _CH_NULLS "NULL, NULL, NULL, NULL, NULL"

static void _copy_col(sqlite3_stmt *q, int col, char *dst, size_t cap)
{
    const char *t = (const char *)sqlite3_column_text(q, col);
    snprintf(dst, cap, "%s", t ? t : "");
}

static void _copy_pg(const PGresult *r, int row, int col, char *dst, size_t cap)
{
    snprintf(dst, cap, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

unsigned store_audit_kind_bit(const char *kind)
{
    if (!kind) return 0;
    if (!strcmp(kind, "decision")) return STORE_AUDIT_DECISION;
    if (!strcmp(kind, "lookup")) return STORE_AUDIT_LOOKUP;
    if (!strcmp(kind, "simulation")) return STORE_AUDIT_SIMULATION;
    return 0;
}

unsigned store_audit_kinds(const char *list)
{
    unsigned m = 0;
    if (!list) return 0;
    if (!strcmp(list, "all")) return STORE_AUDIT_ALL;
    for (;;) {
        char name[16];
        size_t len = strcspn(list, ",");
        unsigned bit;
        if (len == 0 || len >= sizeof name) return 0;
        memcpy(name, list, len);
        name[len] = '\0';
        if (!(bit = store_audit_kind_bit(name))) return 0;
        m |= bit;
        if (!list[len]) return m;
        list += len + 1;
    }
}

/* the SELECT of a query: $N placeholders for PostgreSQL, ? for SQLite; parameters in the
 * order since, [client_id], limit. A log of version 0 or 1 (read as it is) has no challenger
 * columns, one of version 2 no kind: all its rows were decisions */
static void _query_sql(const store_audit_query *q, int pg, int version, char *out, size_t cap)
{
    unsigned kinds = q->kinds ? q->kinds : STORE_AUDIT_DECISION;
    char in[96] = "";
    int n = 0;
    if (version >= 3 && (kinds & STORE_AUDIT_ALL) != STORE_AUDIT_ALL) {
        static const char *const names[] = {"decision", "lookup", "simulation"};
        size_t len = (size_t)snprintf(in, sizeof in, " AND kind IN (");
        for (int k = 0; k < 3; k++)
            if (kinds & (1u << k)) len += (size_t)snprintf(in + len, sizeof in - len, "%s'%s'", n++ ? ", " : "", names[k]);
        snprintf(in + len, sizeof in - len, ")");
    }
    snprintf(out, cap, "SELECT " _COLS ", %s, %s FROM audit WHERE unix_ms >= %s%s%s%s ORDER BY seq%s LIMIT %s",
             version >= 2 ? _CH_COLS : _CH_NULLS, version >= 3 ? "kind" : "'decision'", pg ? "$1::bigint" : "?",
             q->client_id >= 0 ? " AND client_id = " : "", q->client_id >= 0 ? (pg ? "$2::bigint" : "?") : "", in,
             q->newest_first ? " DESC" : "", pg ? (q->client_id >= 0 ? "$3::bigint" : "$2::bigint") : "?");
}

/* the log in PostgreSQL, row by row (single-row mode: a long log is never held whole) */
static cs_status _pg_read(const char *url, const store_audit_query *qy, store_audit_fn fn, void *ud, cs_err *err)
{
    store_pg *p = store_pg_open(url, "the audit log", err);
    char since[32], lim[32], cid[32], sql[768];
    const char *params[3];
    int n_params = 0;
    PGresult *r;
    cs_status st = CS_OK;
    int version, stop = 0;
    if (!p) return err ? err->code : CS_EIO;
    if ((st = store_pg_check(p, &store_schema_audit_pg, &version, err))) {
        store_pg_close(p);
        return st;
    }
    if (version < 3 && !((qy->kinds ? qy->kinds : STORE_AUDIT_DECISION) & STORE_AUDIT_DECISION)) {
        store_pg_close(p);
        return CS_OK;   /* before version 3 every row was a decision */
    }
    _query_sql(qy, 1, version, sql, sizeof sql);
    snprintf(since, sizeof since, "%lld", (long long)qy->since_ms);
    snprintf(cid, sizeof cid, "%lld", (long long)qy->client_id);
    snprintf(lim, sizeof lim, "%lld", (long long)qy->limit);
    params[n_params++] = since;
    if (qy->client_id >= 0) params[n_params++] = cid;
    params[n_params++] = qy->limit > 0 ? lim : NULL;
    if (!PQsendQueryParams(store_pg_conn(p), sql, n_params, NULL, params, NULL, NULL, 0) ||
        !PQsetSingleRowMode(store_pg_conn(p))) {
        st = store_pg_fail(p, NULL, "reading", err);
        store_pg_close(p);
        return st;
    }
    while ((r = PQgetResult(store_pg_conn(p)))) {
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_SINGLE_TUPLE && !stop && !st) {
            store_audit_rec a;
            memset(&a, 0, sizeof a);
            a.seq = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
            _copy_pg(r, 0, 1, a.time, sizeof a.time);
            a.unix_ms = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
            _copy_pg(r, 0, 3, a.request_id, sizeof a.request_id);
            _copy_pg(r, 0, 4, a.endpoint, sizeof a.endpoint);
            _copy_pg(r, 0, 5, a.model_name, sizeof a.model_name);
            _copy_pg(r, 0, 6, a.model_version, sizeof a.model_version);
            _copy_pg(r, 0, 7, a.input_kind, sizeof a.input_kind);
            a.client_id = PQgetisnull(r, 0, 8) ? -1 : strtoll(PQgetvalue(r, 0, 8), NULL, 10);
            _copy_pg(r, 0, 9, a.input_digest, sizeof a.input_digest);
            a.probability = PQgetisnull(r, 0, 10) ? (double)NAN : strtod(PQgetvalue(r, 0, 10), NULL);
            a.score = PQgetisnull(r, 0, 11) ? (double)NAN : strtod(PQgetvalue(r, 0, 11), NULL);
            a.threshold = PQgetisnull(r, 0, 12) ? (double)NAN : strtod(PQgetvalue(r, 0, 12), NULL);
            _copy_pg(r, 0, 13, a.decision, sizeof a.decision);
            _copy_pg(r, 0, 14, a.challenger_name, sizeof a.challenger_name);
            _copy_pg(r, 0, 15, a.challenger_version, sizeof a.challenger_version);
            a.challenger_probability = PQgetisnull(r, 0, 16) ? (double)NAN : strtod(PQgetvalue(r, 0, 16), NULL);
            a.challenger_threshold = PQgetisnull(r, 0, 17) ? (double)NAN : strtod(PQgetvalue(r, 0, 17), NULL);
            _copy_pg(r, 0, 18, a.challenger_decision, sizeof a.challenger_decision);
            _copy_pg(r, 0, 19, a.kind, sizeof a.kind);
            stop = fn(&a, ud);
        } else if (s != PGRES_SINGLE_TUPLE && s != PGRES_TUPLES_OK && !st) {
            st = store_pg_fail(p, r, "reading", err);
        }
        PQclear(r);
    }
    store_pg_close(p);
    return st;
}

cs_status store_audit_query_read(const char *path, const store_audit_query *qy, store_audit_fn fn, void *ud,
                                 cs_err *err)
{
    store_db *d;
    sqlite3_stmt *q = NULL;
    cs_status st = CS_OK;
    int rc, version, k = 1;
    char sql[768];
    if (store_pg_is_url(path)) return _pg_read(path, qy, fn, ud, err);
    if (!(d = store_db_open(path, STORE_DB_READONLY, "the audit log", err))) return err ? err->code : CS_EIO;
    if ((st = store_db_check(d, &store_schema_audit, &version, err))) {
        if (st != CS_EVERSION) cs_err_prefix(err, "not an audit log: ");
        store_db_close(d);
        return st;
    }
    if (version < 3 && !((qy->kinds ? qy->kinds : STORE_AUDIT_DECISION) & STORE_AUDIT_DECISION)) {
        store_db_close(d);
        return CS_OK;   /* before version 3 every row was a decision */
    }
    _query_sql(qy, 0, version, sql, sizeof sql);
    if ((st = store_db_prepare(d, sql, &q, err))) {
        cs_err_prefix(err, "not an audit log: ");
        store_db_close(d);
        return st;
    }
    sqlite3_bind_int64(q, k++, qy->since_ms);
    if (qy->client_id >= 0) sqlite3_bind_int64(q, k++, qy->client_id);
    sqlite3_bind_int64(q, k++, qy->limit > 0 ? qy->limit : -1);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        store_audit_rec r;
        memset(&r, 0, sizeof r);
        r.seq = sqlite3_column_int64(q, 0);
        _copy_col(q, 1, r.time, sizeof r.time);
        r.unix_ms = sqlite3_column_int64(q, 2);
        _copy_col(q, 3, r.request_id, sizeof r.request_id);
        _copy_col(q, 4, r.endpoint, sizeof r.endpoint);
        _copy_col(q, 5, r.model_name, sizeof r.model_name);
        _copy_col(q, 6, r.model_version, sizeof r.model_version);
        _copy_col(q, 7, r.input_kind, sizeof r.input_kind);
        r.client_id = sqlite3_column_type(q, 8) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 8);
        _copy_col(q, 9, r.input_digest, sizeof r.input_digest);
        r.probability = sqlite3_column_double(q, 10);
        r.score = sqlite3_column_type(q, 11) == SQLITE_NULL ? (double)NAN : sqlite3_column_double(q, 11);
        r.threshold = sqlite3_column_double(q, 12);
        _copy_col(q, 13, r.decision, sizeof r.decision);
        _copy_col(q, 14, r.challenger_name, sizeof r.challenger_name);
        _copy_col(q, 15, r.challenger_version, sizeof r.challenger_version);
        r.challenger_probability = sqlite3_column_type(q, 16) == SQLITE_NULL ? (double)NAN : sqlite3_column_double(q, 16);
        r.challenger_threshold = sqlite3_column_type(q, 17) == SQLITE_NULL ? (double)NAN : sqlite3_column_double(q, 17);
        _copy_col(q, 18, r.challenger_decision, sizeof r.challenger_decision);
        _copy_col(q, 19, r.kind, sizeof r.kind);
        if (fn(&r, ud)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) st = store_db_fail(d, "reading", err);
    sqlite3_finalize(q);
    store_db_close(d);
    return st;
}

cs_status store_audit_read(const char *path, int64_t since_ms, int64_t limit, store_audit_fn fn, void *ud, cs_err *err)
{
    store_audit_query q = {since_ms, limit, STORE_AUDIT_DECISION, -1, 0};
    return store_audit_query_read(path, &q, fn, ud, err);
}
