/*
 * pg.c: the PostgreSQL backend of the connection layer (see pg.h).
 */
#include "pg.h"

#include <stdlib.h>
#include <string.h>

struct store_pg {
    PGconn *conn;
    char *name;                 /* the URL without its password */
    const char *what;
};

int store_pg_is_url(const char *path)
{
    return path && (!strncmp(path, "postgresql://", 13) || !strncmp(path, "postgres://", 11));
}

/* url with ":password" of its user part removed */
static char *_redact(const char *url, cs_err *err)
{
    const char *scheme = strstr(url, "://"), *at, *colon;
    char *out;
    if (!scheme) return cs_strdup(url, err);
    scheme += 3;
    at = strchr(scheme, '@');
    colon = at ? memchr(scheme, ':', (size_t)(at - scheme)) : NULL;
    if (!colon) return cs_strdup(url, err);
    if (!(out = cs_malloc(strlen(url) + 1, err))) return NULL;
    memcpy(out, url, (size_t)(colon - url));
    strcpy(out + (colon - url), at);
    return out;
}

const char *store_pg_name(const store_pg *p) { return p->name; }
PGconn *store_pg_conn(store_pg *p) { return p->conn; }

/* libpq's message without its trailing newline */
static void _msg(const char *m, char *out, size_t cap)
{
    size_t n = 0;
    if (!m || !*m) m = "unknown error";
    /* one line: libpq's continuation lines ("\n\tIs the server running ...") joined */
    for (; *m && n + 1 < cap; m++) {
        if (*m == '\n' || *m == '\t' || *m == '\r') {
            if (n && out[n - 1] != ' ') out[n++] = ' ';
        } else {
            out[n++] = *m;
        }
    }
    while (n && out[n - 1] == ' ') n--;
    out[n] = '\0';
}

cs_status store_pg_fail(store_pg *p, const PGresult *r, const char *what, cs_err *err)
{
    char m[400];
    _msg(r ? PQresultErrorMessage(r) : PQerrorMessage(p->conn), m, sizeof m);
    if (r && !*PQresultErrorMessage(r)) _msg(PQerrorMessage(p->conn), m, sizeof m);
    return cs_err_set(err, CS_EIO, "%s: %s: %s", p->name, what, m);
}

/* the session's settings, after a connection or a reset */
static cs_status _session(store_pg *p, cs_err *err)
{
    char sql[96];
    /* a write waits for another session's lock as long as SQLite's would, then fails */
    snprintf(sql, sizeof sql, "SET lock_timeout = %d; SET client_min_messages = warning", STORE_DB_BUSY_MS);
    return store_pg_exec(p, sql, err);
}

cs_status store_pg_reset(store_pg *p, cs_err *err)
{
    PQreset(p->conn);
    if (PQstatus(p->conn) != CONNECTION_OK) return store_pg_fail(p, NULL, "connecting again", err);
    return _session(p, err);
}

store_pg *store_pg_open(const char *url, const char *what, cs_err *err)
{
    store_pg *p = cs_calloc(1, sizeof *p, err);
    if (!p) return NULL;
    p->what = what ? what : "the database";
    if (!(p->name = _redact(url, err))) goto fail;
    p->conn = PQconnectdb(url);
    if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
        char m[400];
        _msg(p->conn ? PQerrorMessage(p->conn) : "out of memory", m, sizeof m);
        cs_err_set(err, CS_EIO, "%s: cannot connect to %s: %s", p->name, p->what, m);
        goto fail;
    }
    if (_session(p, err)) goto fail;
    return p;
fail:
    store_pg_close(p);
    return NULL;
}

void store_pg_close(store_pg *p)
{
    if (!p) return;
    if (p->conn) PQfinish(p->conn);
    free(p->name);
    free(p);
}

cs_status store_pg_exec(store_pg *p, const char *sql, cs_err *err)
{
    PGresult *r = PQexec(p->conn, sql);
    ExecStatusType s = PQresultStatus(r);
    cs_status st = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? CS_OK : store_pg_fail(p, r, "running SQL", err);
    PQclear(r);
    return st;
}

cs_status store_pg_copy(store_pg *p, const char *copy_sql, const char *data, size_t len, cs_err *err)
{
    PGresult *r = PQexec(p->conn, copy_sql);
    cs_status st = CS_OK;
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        st = store_pg_fail(p, r, "starting a COPY", err);
        PQclear(r);
        return st;
    }
    PQclear(r);
    while (len && !st) {   /* libpq takes at most INT_MAX bytes a call */
        int n = len > (1u << 30) ? (1 << 30) : (int)len;
        if (PQputCopyData(p->conn, data, n) != 1) st = store_pg_fail(p, NULL, "sending rows", err);
        data += n;
        len -= (size_t)n;
    }
    if (PQputCopyEnd(p->conn, st ? "the client gave up" : NULL) != 1 && !st)
        st = store_pg_fail(p, NULL, "ending a COPY", err);
    /* the COPY's own result (its commit), then the end of the results */
    while ((r = PQgetResult(p->conn))) {
        if (!st && PQresultStatus(r) != PGRES_COMMAND_OK) st = store_pg_fail(p, r, "writing rows", err);
        PQclear(r);
    }
    if (!st && PQstatus(p->conn) != CONNECTION_OK) st = store_pg_fail(p, NULL, "writing rows", err);
    return st;
}

cs_status store_pg_copy_text(cs_buf *b, const char *s, cs_err *err)
{
    const char *run = s;
    for (; *s; s++) {
        const char *esc = *s == '\\' ? "\\\\" : *s == '\t' ? "\\t" : *s == '\n' ? "\\n" : *s == '\r' ? "\\r" : NULL;
        if (!esc) continue;
        if (cs_buf_append(b, run, (size_t)(s - run), err) || cs_buf_puts(b, esc, err)) return CS_ENOMEM;
        run = s + 1;
    }
    return cs_buf_append(b, run, (size_t)(s - run), err);
}

/* ---- schemas ------------------------------------------------------------------------ */

static cs_status _read_version(store_pg *p, const store_schema *s, int *version, cs_err *err)
{
    const char *params[1] = {s->name};
    PGresult *r;
    cs_status st = CS_OK;
    *version = 0;
    r = PQexecParams(p->conn, "SELECT version FROM creditscore_schema WHERE name = $1", 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        if (PQntuples(r) > 0) *version = atoi(PQgetvalue(r, 0, 0));
    } else {
        const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (!code || strcmp(code, "42P01")) st = store_pg_fail(p, r, "reading the schema version", err);
        /* 42P01 undefined_table: no version recorded yet */
    }
    PQclear(r);
    if (!st && *version > s->version)
        st = cs_err_set(err, CS_EVERSION,
                        "%s: %s has schema %s version %d, written by a newer creditscore (this one knows up to %d)",
                        p->name, p->what, s->name, *version, s->version);
    return st;
}

cs_status store_pg_check(store_pg *p, const store_schema *s, int *version, cs_err *err)
{
    return _read_version(p, s, version, err);
}

cs_status store_pg_migrate(store_pg *p, const store_schema *s, cs_err *err)
{
    char vbuf[16];
    const char *params[2];
    PGresult *r;
    int v;
    cs_status st;

    if ((st = _read_version(p, s, &v, err))) return st;
    if (v == s->version) return CS_OK;
    /* one migrating server at a time: the others wait on the lock, then find it done */
    if ((st = store_pg_exec(p, "BEGIN; SELECT pg_advisory_xact_lock(7012206117)", err))) return st;
    if ((st = store_pg_exec(p,
                            "CREATE TABLE IF NOT EXISTS creditscore_schema(name TEXT PRIMARY KEY,"
                            " version INTEGER NOT NULL, upgraded_ms BIGINT NOT NULL)",
                            err)) ||
        (st = _read_version(p, s, &v, err)))
        goto fail;
    for (; v < s->version; v++) {
        r = PQexec(p->conn, s->steps[v]);
        if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
            char what[96];
            snprintf(what, sizeof what, "upgrading %s (schema %s) to version %d", p->what, s->name, v + 1);
            st = store_pg_fail(p, r, what, err);
            PQclear(r);
            goto fail;
        }
        PQclear(r);
    }
    snprintf(vbuf, sizeof vbuf, "%d", s->version);
    params[0] = s->name;
    params[1] = vbuf;
    r = PQexecParams(p->conn,
                     "INSERT INTO creditscore_schema(name, version, upgraded_ms) VALUES ($1, $2::int,"
                     " (extract(epoch FROM clock_timestamp()) * 1000)::bigint) ON CONFLICT (name) DO UPDATE"
                     " SET version = EXCLUDED.version, upgraded_ms = EXCLUDED.upgraded_ms",
                     2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) st = store_pg_fail(p, r, "recording the schema version", err);
    PQclear(r);
    if (st) goto fail;
    return store_pg_exec(p, "COMMIT", err);
fail:
    store_pg_exec(p, "ROLLBACK", NULL);
    return st;
}

/* ---- streamed COPY ------------------------------------------------------------------ */

cs_status store_pg_copy_start(store_pg *p, const char *copy_sql, cs_err *err)
{
    PGresult *r = PQexec(p->conn, copy_sql);
    cs_status st = PQresultStatus(r) == PGRES_COPY_IN ? CS_OK : store_pg_fail(p, r, "starting a COPY", err);
    PQclear(r);
    return st;
}

cs_status store_pg_copy_put(store_pg *p, const char *data, size_t len, cs_err *err)
{
    while (len) {   /* libpq takes at most INT_MAX bytes a call */
        int n = len > (1u << 30) ? (1 << 30) : (int)len;
        if (PQputCopyData(p->conn, data, n) != 1) return store_pg_fail(p, NULL, "sending rows", err);
        data += n;
        len -= (size_t)n;
    }
    return CS_OK;
}

cs_status store_pg_copy_end(store_pg *p, cs_status st, cs_err *err)
{
    PGresult *r;
    if (PQputCopyEnd(p->conn, st ? "the client gave up" : NULL) != 1 && !st)
        st = store_pg_fail(p, NULL, "ending a COPY", err);
    while ((r = PQgetResult(p->conn))) {
        if (!st && PQresultStatus(r) != PGRES_COMMAND_OK) st = store_pg_fail(p, r, "writing rows", err);
        PQclear(r);
    }
    if (!st && PQstatus(p->conn) != CONNECTION_OK) st = store_pg_fail(p, NULL, "writing rows", err);
    return st;
}
