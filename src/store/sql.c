/*
 * sql.c: SQL on either backend (see sql.h).
 */
#include "sql.h"
#include "pg.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 16

/* the advisory lock every writer of the stores on this layer takes in PostgreSQL: one
 * writer at a time, as SQLite's one write lock per file */
#define PG_WRITE_LOCK "7012206118"

struct store_sql {
    store_db *db;       /* one of the two */
    store_pg *pg;
};

struct store_rows {
    store_sql *c;
    sqlite3_stmt *q;    /* SQLite: stepped by store_rows_next */
    PGresult *r;        /* PostgreSQL: every row at once */
    int row, n_rows;
    cs_err err;         /* the error met while stepping */
};

/* one parameter, read from the variable arguments */
typedef struct _param {
    char type;
    const char *text;
    int64_t i;
    double d;
    const void *bytes;
    size_t len;
} _param;

store_sql *store_sql_open(const char *path, int db_mode, const char *what, cs_err *err)
{
    store_sql *c = cs_calloc(1, sizeof *c, err);
    assert(path);
    if (!c) return NULL;
    if (store_pg_is_url(path)) c->pg = store_pg_open(path, what, err);
    else c->db = store_db_open(path, db_mode, what, err);
    if (!c->pg && !c->db) {
        free(c);
        return NULL;
    }
    return c;
}

void store_sql_close(store_sql *c)
{
    if (!c) return;
    store_db_close(c->db);
    store_pg_close(c->pg);
    free(c);
}

int store_sql_is_pg(const store_sql *c) { return c->pg != NULL; }

const char *store_sql_name(const store_sql *c)
{
    return c->pg ? store_pg_name(c->pg) : store_db_path(c->db);
}

cs_status store_sql_migrate(store_sql *c, const store_schema *lite, const store_schema *pg, cs_err *err)
{
    assert(!strcmp(lite->name, pg->name) && lite->version == pg->version);
    return c->pg ? store_pg_migrate(c->pg, pg, err) : store_db_migrate(c->db, lite, err);
}

/* ---- transactions ------------------------------------------------------------------- */

/* a PostgreSQL command without rows; what names it in the error */
static cs_status _pg_command(store_sql *c, const char *sql, const char *what, cs_err *err)
{
    PGresult *r = PQexec(store_pg_conn(c->pg), sql);
    ExecStatusType s = PQresultStatus(r);
    cs_status st = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? CS_OK : store_pg_fail(c->pg, r, what, err);
    PQclear(r);
    return st;
}

cs_status store_sql_begin(store_sql *c, cs_err *err)
{
    cs_status st;
    if (!c->pg) return store_db_begin(c->db, err);
    /* lock_timeout (pg.c: STORE_DB_BUSY_MS) bounds the wait for another writer */
    st = _pg_command(c, "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")", "starting a write", err);
    if (st) store_sql_rollback(c);
    return st;
}

void store_sql_rollback(store_sql *c)
{
    if (!c->pg) {
        store_db_rollback(c->db);
        return;
    }
    if (PQtransactionStatus(store_pg_conn(c->pg)) != PQTRANS_IDLE) _pg_command(c, "ROLLBACK", "rolling back", NULL);
}

cs_status store_sql_end(store_sql *c, cs_status st, cs_err *err)
{
    if (!c->pg) return store_db_end(c->db, st, err);
    if (st) {
        store_sql_rollback(c);
        return st;
    }
    /* PostgreSQL answers COMMIT of a transaction a statement failed in by rolling it back
     * without an error: such a transaction is refused here */
    if (PQtransactionStatus(store_pg_conn(c->pg)) == PQTRANS_INERROR) {
        st = cs_err_set(err, CS_EIO, "%s: a statement of the transaction failed: %s", store_pg_name(c->pg),
                        PQerrorMessage(store_pg_conn(c->pg)));
        store_sql_rollback(c);
        return st;
    }
    if ((st = _pg_command(c, "COMMIT", "committing", err))) store_sql_rollback(c);
    return st;
}

/* ---- statements --------------------------------------------------------------------- */

static size_t _read_params(const char *types, va_list *ap, _param *p)
{
    size_t n = 0;
    for (; *types; types++, n++) {
        assert(n < MAX_PARAMS);
        memset(&p[n], 0, sizeof p[n]);
        p[n].type = *types;
        switch (*types) {
        case 't': p[n].text = va_arg(*ap, const char *); break;
        case 'i': p[n].i = va_arg(*ap, int64_t); break;
        case 'd': p[n].d = va_arg(*ap, double); break;
        case 'b':
            p[n].bytes = va_arg(*ap, const void *);
            p[n].len = va_arg(*ap, size_t);
            break;
        default: assert(!"unknown parameter type");
        }
    }
    return n;
}

static cs_status _lite_run(store_sql *c, store_rows **rows, const char *what, const char *sql, const _param *p,
                           size_t n, cs_err *err)
{
    sqlite3_stmt *q = NULL;
    cs_status st = CS_OK;
    int rc;
    /* the error names what the statement was doing (SQLite's message is still the last) */
    if (store_db_prepare(c->db, sql, &q, NULL)) return store_db_fail(c->db, what, err);
    assert((size_t)sqlite3_bind_parameter_count(q) == n);
    for (size_t i = 0; i < n; i++) {
        int k = (int)i + 1;
        switch (p[i].type) {
        case 't':
            if (p[i].text) sqlite3_bind_text(q, k, p[i].text, -1, SQLITE_TRANSIENT);
            else sqlite3_bind_null(q, k);
            break;
        case 'i': sqlite3_bind_int64(q, k, p[i].i); break;
        case 'd':
            if (isnan(p[i].d)) sqlite3_bind_null(q, k);   /* SQLite has no NaN */
            else sqlite3_bind_double(q, k, p[i].d);
            break;
        default: sqlite3_bind_blob64(q, k, p[i].bytes, p[i].len, SQLITE_TRANSIENT); break;
        }
    }
    if (rows) {
        if (!(*rows = cs_calloc(1, sizeof **rows, err))) {
            sqlite3_finalize(q);
            return CS_ENOMEM;
        }
        (*rows)->c = c;
        (*rows)->q = q;
        return CS_OK;
    }
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) st = store_db_fail(c->db, what, err);
    sqlite3_finalize(q);
    return st;
}

/* sql with its ? numbered $1, $2 ... (outside quoted text) */
static char *_pg_text(const char *sql, size_t n, cs_err *err)
{
    cs_buf b = {0};
    size_t k = 0;
    int quoted = 0;
    for (const char *s = sql; *s; s++) {
        if (*s == '\'') quoted = !quoted;
        if (*s == '?' && !quoted) cs_buf_printf(&b, err, "$%zu", ++k);
        else cs_buf_append(&b, s, 1, err);
    }
    assert(k == n);
    (void)n;
    if (!b.data) return NULL;
    return cs_buf_take(&b);
}

static cs_status _pg_run(store_sql *c, store_rows **rows, const char *what, const char *sql, const _param *p,
                         size_t n, cs_err *err)
{
    char num[MAX_PARAMS][32], *text = _pg_text(sql, n, err);
    const char *values[MAX_PARAMS];
    int lengths[MAX_PARAMS], formats[MAX_PARAMS];
    PGresult *r;
    ExecStatusType s;
    cs_status st;

    if (!text) return cs_err_set(err, CS_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        values[i] = num[i];
        lengths[i] = 0;
        formats[i] = 0;
        switch (p[i].type) {
        case 't': values[i] = p[i].text; break;
        case 'i': snprintf(num[i], sizeof num[i], "%lld", (long long)p[i].i); break;
        case 'd':
            if (isnan(p[i].d)) values[i] = NULL;
            else snprintf(num[i], sizeof num[i], "%.17g", p[i].d);   /* read back exactly */
            break;
        default:
            assert(p[i].len <= (size_t)INT32_MAX);
            values[i] = p[i].bytes;
            lengths[i] = (int)p[i].len;
            formats[i] = 1;
            break;
        }
    }
    r = PQexecParams(store_pg_conn(c->pg), text, (int)n, NULL, values, lengths, formats, 0);
    free(text);
    s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        st = store_pg_fail(c->pg, r, what, err);
        PQclear(r);
        return st;
    }
    if (!rows) {
        PQclear(r);
        return CS_OK;
    }
    if (!(*rows = cs_calloc(1, sizeof **rows, err))) {
        PQclear(r);
        return CS_ENOMEM;
    }
    (*rows)->c = c;
    (*rows)->r = r;
    (*rows)->row = -1;
    (*rows)->n_rows = PQntuples(r);
    return CS_OK;
}

cs_status store_sql_run(store_sql *c, store_rows **rows, const char *what, const char *sql, const char *types,
                        ...)
{
    _param p[MAX_PARAMS];
    va_list ap;
    cs_err *err;
    size_t n;
    if (rows) *rows = NULL;
    va_start(ap, types);
    n = _read_params(types, &ap, p);
    err = va_arg(ap, cs_err *);
    va_end(ap);
    return c->pg ? _pg_run(c, rows, what, sql, p, n, err) : _lite_run(c, rows, what, sql, p, n, err);
}

/* ---- rows --------------------------------------------------------------------------- */

int store_rows_next(store_rows *r)
{
    int rc;
    if (r->r) return ++r->row < r->n_rows;
    if (r->err.code || !r->q) return 0;
    if ((rc = sqlite3_step(r->q)) == SQLITE_ROW) return 1;
    if (rc != SQLITE_DONE) store_db_fail(r->c->db, "reading rows", &r->err);
    sqlite3_finalize(r->q);
    r->q = NULL;
    return 0;
}

int store_rows_null(store_rows *r, int col)
{
    if (r->r) return PQgetisnull(r->r, r->row, col);
    return sqlite3_column_type(r->q, col) == SQLITE_NULL;
}

const char *store_rows_text(store_rows *r, int col)
{
    const char *t;
    if (r->r) return PQgetvalue(r->r, r->row, col);   /* "" for NULL */
    t = (const char *)sqlite3_column_text(r->q, col);
    return t ? t : "";
}

int64_t store_rows_int(store_rows *r, int col)
{
    if (r->r) return PQgetisnull(r->r, r->row, col) ? 0 : strtoll(PQgetvalue(r->r, r->row, col), NULL, 10);
    return sqlite3_column_int64(r->q, col);
}

double store_rows_double(store_rows *r, int col)
{
    if (store_rows_null(r, col)) return NAN;
    if (r->r) return strtod(PQgetvalue(r->r, r->row, col), NULL);
    return sqlite3_column_double(r->q, col);
}

cs_status store_rows_bytes(store_rows *r, int col, cs_buf *b, cs_err *err)
{
    size_t len = 0;
    unsigned char *raw;
    cs_status st;
    if (!r->r) {
        const void *p = sqlite3_column_blob(r->q, col);
        return cs_buf_append(b, p ? p : "", (size_t)sqlite3_column_bytes(r->q, col), err);
    }
    /* a bytea column in text results: hex */
    if (!(raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r->r, r->row, col), &len)))
        return cs_err_set(err, CS_ENOMEM, "out of memory");
    st = cs_buf_append(b, raw, len, err);
    PQfreemem(raw);
    return st;
}

cs_status store_rows_end(store_rows *r, cs_err *err)
{
    cs_status st;
    if (!r) return CS_OK;
    st = r->err.code;
    if (st && err) *err = r->err;
    if (r->q) sqlite3_finalize(r->q);
    PQclear(r->r);
    free(r);
    return st;
}
