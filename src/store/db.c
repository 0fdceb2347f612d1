/*
 * db.c: the connection layer of the stores (see db.h): open with the pragmas of a mode and
 * retries, one busy handler, SQL helpers with errors naming the database, write
 * transactions, a statement cache, and schema versions with their migrations.
 */
#include "db.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CACHE_MAX 32

typedef struct _cached {
    const char *sql;            /* the caller's text (a constant), compared by address then text */
    sqlite3_stmt *q;
} _cached;

struct store_db {
    sqlite3 *db;
    char *path;
    const char *what;
    double busy_t0;             /* when the busy handler's current wait began */
    _cached cache[CACHE_MAX];
    int n_cached, next_evict;
};

/* ---- waiting for a lock ------------------------------------------------------------- */

static void _sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* the busy handler: sleep 100 us doubling up to 4 ms, for STORE_DB_BUSY_MS in all
 * (SQLite's own handler sleeps 1, 2, 5, 10 ... 100 ms: a short lock costs a long wait) */
static int _busy(void *ud, int count)
{
    store_db *d = ud;
    long us = 100L << (count < 6 ? count : 6);
    if (count == 0) d->busy_t0 = cs_now();
    else if ((cs_now() - d->busy_t0) * 1000.0 >= STORE_DB_BUSY_MS) return 0;
    _sleep_us(us > 4000 ? 4000 : us);
    return 1;
}

static int _is_busy(int rc)
{
    rc &= 0xff;
    return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

/* Some busy states are returned without calling the busy handler: a database another
 * process is switching to WAL, the WAL index being rebuilt. Those are retried here, with
 * a little randomness so that two processes do not keep meeting, until the same deadline. */
static int _retry(double t0, unsigned *seed)
{
    if ((cs_now() - t0) * 1000.0 >= STORE_DB_BUSY_MS) return 0;
    _sleep_us(500 + (long)(rand_r(seed) % 2000));
    return 1;
}

/* ---- errors, SQL -------------------------------------------------------------------- */

cs_status store_db_fail(store_db *d, const char *what, cs_err *err)
{
    int rc = sqlite3_errcode(d->db);
    if (_is_busy(rc))
        return cs_err_set(err, CS_EIO, "%s: %s: %s is locked by another process (waited %.0f s): %s", d->path, what,
                          d->what, STORE_DB_BUSY_MS / 1000.0, sqlite3_errmsg(d->db));
    return cs_err_set(err, CS_EIO, "%s: %s: %s", d->path, what, sqlite3_errmsg(d->db));
}

const char *store_db_path(const store_db *d) { return d->path; }
sqlite3 *store_db_sqlite(store_db *d) { return d->db; }

cs_status store_db_exec(store_db *d, const char *sql, cs_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(d->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        cs_status st = _is_busy(rc) ? store_db_fail(d, "running SQL", err)
                                    : cs_err_set(err, CS_EIO, "%s: %s", d->path, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return st;
    }
    return CS_OK;
}

cs_status store_db_prepare(store_db *d, const char *sql, sqlite3_stmt **q, cs_err *err)
{
    *q = NULL;
    if (sqlite3_prepare_v2(d->db, sql, -1, q, NULL) != SQLITE_OK) return store_db_fail(d, "prepare", err);
    return CS_OK;
}

cs_status store_db_cached(store_db *d, const char *sql, sqlite3_stmt **q, cs_err *err)
{
    _cached *c;
    *q = NULL;
    for (int i = 0; i < d->n_cached; i++)
        if (d->cache[i].sql == sql || !strcmp(d->cache[i].sql, sql)) {
            sqlite3_reset(d->cache[i].q);
            sqlite3_clear_bindings(d->cache[i].q);
            *q = d->cache[i].q;
            return CS_OK;
        }
    if (d->n_cached < CACHE_MAX) c = &d->cache[d->n_cached++];
    else {
        c = &d->cache[d->next_evict];
        d->next_evict = (d->next_evict + 1) % CACHE_MAX;
        sqlite3_finalize(c->q);
        c->q = NULL;
        c->sql = "";
    }
    if (sqlite3_prepare_v3(d->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->q, NULL) != SQLITE_OK) {
        cs_status st = store_db_fail(d, "prepare", err);
        sqlite3_finalize(c->q);
        c->q = NULL;
        c->sql = "";
        return st;
    }
    c->sql = sql;
    *q = c->q;
    return CS_OK;
}

cs_status store_db_step_done(store_db *d, sqlite3_stmt *q, const char *what, cs_err *err)
{
    int rc = sqlite3_step(q);
    cs_status st = rc == SQLITE_DONE || rc == SQLITE_ROW ? CS_OK : store_db_fail(d, what, err);
    sqlite3_reset(q);
    return st;
}

/* ---- transactions ------------------------------------------------------------------- */

cs_status store_db_begin(store_db *d, cs_err *err)
{
    double t0 = cs_now();
    unsigned seed = (unsigned)(uintptr_t)d ^ (unsigned)(t0 * 1e6);
    int rc;
    while (_is_busy(rc = sqlite3_exec(d->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) && _retry(t0, &seed)) {
    }
    if (rc != SQLITE_OK) return store_db_fail(d, "starting a write", err);
    return CS_OK;
}

cs_status store_db_commit(store_db *d, cs_err *err)
{
    if (sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        cs_status st = store_db_fail(d, "committing", err);
        store_db_rollback(d);
        return st;
    }
    return CS_OK;
}

void store_db_rollback(store_db *d)
{
    if (!sqlite3_get_autocommit(d->db)) sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
}

cs_status store_db_end(store_db *d, cs_status st, cs_err *err)
{
    if (st) {
        store_db_rollback(d);
        return st;
    }
    return store_db_commit(d, err);
}

/* ---- open, close -------------------------------------------------------------------- */

/* the journal mode setting: WAL must really be on (a busy database answers the old mode) */
static int _set_wal(store_db *d)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(d->db, "PRAGMA journal_mode=WAL", -1, &q, NULL);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *mode = (const char *)sqlite3_column_text(q, 0);
        rc = mode && (!strcmp(mode, "wal") || !strcmp(mode, "memory")) ? SQLITE_OK : SQLITE_BUSY;
    }
    sqlite3_finalize(q);
    return rc;
}

static int _setup(store_db *d, int mode)
{
    int rc;
    if (mode & (STORE_DB_READONLY | STORE_DB_IMMUTABLE)) return SQLITE_OK;
    if (mode & STORE_DB_SCRATCH)
        return sqlite3_exec(d->db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=8192;", NULL,
                            NULL, NULL);
    /* the page size of a new file is set before anything creates its first page */
    if ((mode & STORE_DB_SMALL_PAGES) && (rc = sqlite3_exec(d->db, "PRAGMA page_size=1024", NULL, NULL, NULL)))
        return rc;
    if ((rc = _set_wal(d))) return rc;
    return sqlite3_exec(d->db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", NULL, NULL, NULL);
}

static cs_status _uri(const char *path, cs_buf *uri, cs_err *err)
{
    cs_buf_puts(uri, "file:", err);
    for (const char *p = path; *p; p++) {
        if (*p == '?' || *p == '#' || *p == '%') cs_buf_printf(uri, err, "%%%02X", (unsigned char)*p);
        else cs_buf_append(uri, p, 1, err);
    }
    return cs_buf_puts(uri, "?immutable=1", err);
}

store_db *store_db_open(const char *path, int mode, const char *what, cs_err *err)
{
    store_db *d = cs_calloc(1, sizeof *d, err);
    int flags = (mode & STORE_DB_SHARED) ? SQLITE_OPEN_FULLMUTEX : SQLITE_OPEN_NOMUTEX;
    cs_buf uri = {0};
    double t0;
    unsigned seed;
    int rc;

    if (!d) return NULL;
    d->what = what ? what : "the database";
    if (!(d->path = cs_strdup(path, err))) goto fail;
    if (mode & (STORE_DB_READONLY | STORE_DB_IMMUTABLE)) flags |= SQLITE_OPEN_READONLY;
    else flags |= SQLITE_OPEN_READWRITE | ((mode & STORE_DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
    if (mode & STORE_DB_IMMUTABLE) {
        if (_uri(path, &uri, err)) goto fail;
        flags |= SQLITE_OPEN_URI;
    }
    if (sqlite3_open_v2(uri.data ? uri.data : path, &d->db, flags, NULL) != SQLITE_OK) {
        cs_err_set(err, CS_EIO, "%s: cannot open %s: %s", path, d->what, d->db ? sqlite3_errmsg(d->db) : "out of memory");
        goto fail;
    }
    cs_buf_free(&uri);
    sqlite3_busy_handler(d->db, _busy, d);
    t0 = cs_now();
    seed = (unsigned)(uintptr_t)d ^ (unsigned)(t0 * 1e6);
    while (_is_busy(rc = _setup(d, mode)) && _retry(t0, &seed)) {
    }
    if (rc != SQLITE_OK) {
        cs_err_set(err, CS_EIO, "%s: cannot set %s up: %s%s", path, d->what,
                   _is_busy(rc) ? "locked by another process: " : "", sqlite3_errmsg(d->db));
        goto fail;
    }
    return d;
fail:
    cs_buf_free(&uri);
    store_db_close(d);
    return NULL;
}

void store_db_close(store_db *d)
{
    if (!d) return;
    for (int i = 0; i < d->n_cached; i++) sqlite3_finalize(d->cache[i].q);
    if (d->db) sqlite3_close(d->db);
    free(d->path);
    free(d);
}

/* ---- schemas ------------------------------------------------------------------------ */

static const char _versions_table[] =
    "CREATE TABLE IF NOT EXISTS creditscore_schema(name TEXT PRIMARY KEY, version INTEGER NOT NULL,"
    " upgraded_ms INTEGER NOT NULL)";

/* the recorded version of s (0 when none: no table, or no row) */
static cs_status _read_version(store_db *d, const store_schema *s, int *version, cs_err *err)
{
    sqlite3_stmt *q = NULL;
    double t0 = cs_now();
    unsigned seed = (unsigned)(uintptr_t)s ^ (unsigned)(t0 * 1e6);
    int rc;
    *version = 0;
    for (;;) {
        rc = sqlite3_prepare_v2(d->db, "SELECT version FROM creditscore_schema WHERE name = ?", -1, &q, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(q, 1, s->name, -1, SQLITE_STATIC);
            rc = sqlite3_step(q);
            if (rc == SQLITE_ROW) *version = sqlite3_column_int(q, 0);
            sqlite3_finalize(q);
            if (rc == SQLITE_ROW || rc == SQLITE_DONE) break;
        } else if (strstr(sqlite3_errmsg(d->db), "no such table")) {
            return CS_OK;
        }
        if (!_is_busy(rc) || !_retry(t0, &seed)) return store_db_fail(d, "reading the schema version", err);
    }
    if (*version > s->version)
        return cs_err_set(err, CS_EVERSION,
                          "%s: %s has schema %s version %d, written by a newer creditscore (this one knows up to %d)",
                          d->path, d->what, s->name, *version, s->version);
    return CS_OK;
}

cs_status store_db_check(store_db *d, const store_schema *s, int *version, cs_err *err)
{
    return _read_version(d, s, version, err);
}

cs_status store_db_migrate(store_db *d, const store_schema *s, cs_err *err)
{
    sqlite3_stmt *q = NULL;
    int v;
    cs_status st;

    if ((st = _read_version(d, s, &v, err))) return st;
    if (v == s->version) return CS_OK;
    if ((st = store_db_begin(d, err))) return st;
    /* again under the write lock: another process may have upgraded it meanwhile */
    if ((st = store_db_exec(d, _versions_table, err)) || (st = _read_version(d, s, &v, err)))
        return store_db_end(d, st, err);
    for (; v < s->version; v++) {
        char *msg = NULL;
        if (sqlite3_exec(d->db, s->steps[v], NULL, NULL, &msg) != SQLITE_OK) {
            st = cs_err_set(err, CS_EIO, "%s: upgrading %s (schema %s) to version %d: %s", d->path, d->what, s->name,
                            v + 1, msg ? msg : sqlite3_errmsg(d->db));
            sqlite3_free(msg);
            return store_db_end(d, st, err);
        }
    }
    if ((st = store_db_prepare(d, "INSERT OR REPLACE INTO creditscore_schema(name, version, upgraded_ms)"
                                  " VALUES (?, ?, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))",
                               &q, err)))
        return store_db_end(d, st, err);
    sqlite3_bind_text(q, 1, s->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, s->version);
    if (sqlite3_step(q) != SQLITE_DONE) st = store_db_fail(d, "recording the schema version", err);
    sqlite3_finalize(q);
    return store_db_end(d, st, err);
}
