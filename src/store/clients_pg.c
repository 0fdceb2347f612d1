/*
 * clients_pg.c: the clients store in PostgreSQL (layout in clients_int.h, contract in
 * clients.h). The import streams the clients in one binary COPY inside the transaction
 * that replaces the tables; lookups are statements prepared on each pooled connection,
 * answered in binary (doubles and feature bytes as stored, no text round trip), so that
 * the API answers the same bytes as from a SQLite store.
 */
#include "clients_int.h"
#include "schema.h"

#include <endian.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* type oids of PostgreSQL's catalog (pg_type.h, stable across releases) */
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25
#define OID_FLOAT8 701

#define COPY_FLUSH (1u << 20)   /* bytes of COPY data sent at a time */

/* ---- binary values ------------------------------------------------------------------ */

static int64_t _get_i8(const char *p)
{
    uint64_t u;
    memcpy(&u, p, 8);
    return (int64_t)be64toh(u);
}

static double _get_f8(const char *p)
{
    uint64_t u;
    double d;
    memcpy(&u, p, 8);
    u = be64toh(u);
    memcpy(&d, &u, 8);
    return d;
}

static cs_status _put_u16(cs_buf *b, uint16_t v, cs_err *err)
{
    v = htobe16(v);
    return cs_buf_append(b, (const char *)&v, 2, err);
}

static cs_status _put_i32(cs_buf *b, int32_t v, cs_err *err)
{
    uint32_t u = htobe32((uint32_t)v);
    return cs_buf_append(b, (const char *)&u, 4, err);
}

/* a field of a binary COPY tuple: its length then its bytes (NULL: length -1) */
static cs_status _put_field(cs_buf *b, const void *data, size_t len, cs_err *err)
{
    if (!data) return _put_i32(b, -1, err);
    if (len > INT32_MAX) return cs_err_set(err, CS_EINVAL, "a value of %zu bytes is too long for PostgreSQL", len);
    if (_put_i32(b, (int32_t)len, err)) return CS_ENOMEM;
    return cs_buf_append(b, data, len, err);
}

static cs_status _put_i8(cs_buf *b, int64_t v, cs_err *err)
{
    uint64_t u = htobe64((uint64_t)v);
    return _put_field(b, &u, 8, err);
}

static cs_status _put_f8(cs_buf *b, double v, cs_err *err)
{
    uint64_t u;
    if (v != v) return _put_field(b, NULL, 0, err);
    memcpy(&u, &v, 8);
    u = htobe64(u);
    return _put_field(b, &u, 8, err);
}

/* ", "f1", "f2" ..." */
static cs_status _field_cols(const store_field *fields, size_t n, cs_buf *b, cs_err *err)
{
    for (size_t k = 0; k < n; k++)
        if (cs_buf_printf(b, err, ", \"%s\"", fields[k].name)) return CS_ENOMEM;
    return CS_OK;
}

/* ---- import ------------------------------------------------------------------------- */

struct store__clients_pg_writer {
    store_pg *pg;
    const store_field *fields;
    int n_fields;
    size_t n_feats;
    int in_copy;
    cs_buf buf;             /* COPY data not sent yet */
};

/* COPY text of meta, features and fields */
static cs_status _write_fixed(store__clients_pg_writer *w, const feat_matrix *m, const char *id_col, cs_err *err)
{
    cs_buf b = {0};
    cs_status st;
    if (cs_buf_printf(&b, err, "format\t%d\nn_feats\t%zu\nid\t", STORE_CLIENTS_FORMAT, m->n_feats) ||
        store_pg_copy_text(&b, id_col ? id_col : "@row", err) || cs_buf_puts(&b, "\n", err)) {
        cs_buf_free(&b);
        return CS_ENOMEM;
    }
    if ((st = store_pg_copy(w->pg, "COPY clients_meta(key, value) FROM STDIN", b.data, b.len, err)) ||
        (st = store_pg_exec(w->pg,
                            "INSERT INTO clients_meta VALUES ('created',"
                            " to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'))",
                            err))) {
        cs_buf_free(&b);
        return st;
    }
    b.len = 0;
    for (size_t j = 0; j < m->n_feats; j++)
        if (cs_buf_printf(&b, err, "%zu\t", j) || store_pg_copy_text(&b, m->names[j], err) || cs_buf_puts(&b, "\n", err)) {
            cs_buf_free(&b);
            return CS_ENOMEM;
        }
    if (b.len && (st = store_pg_copy(w->pg, "COPY clients_features(idx, name) FROM STDIN", b.data, b.len, err))) {
        cs_buf_free(&b);
        return st;
    }
    b.len = 0;
    for (int k = 0; k < w->n_fields; k++) {
        const store_field *f = &w->fields[k];
        const char *en = f->label_en ? f->label_en : f->name;
        if (cs_buf_printf(&b, err, "%d\t", k) || store_pg_copy_text(&b, f->name, err) ||
            cs_buf_printf(&b, err, "\t%s\t", f->is_text ? "text" : "number") || store_pg_copy_text(&b, en, err) ||
            cs_buf_puts(&b, "\t", err) || store_pg_copy_text(&b, f->label_fr ? f->label_fr : en, err) ||
            cs_buf_puts(&b, "\t", err) || (f->unit ? store_pg_copy_text(&b, f->unit, err) : cs_buf_puts(&b, "\\N", err)) ||
            cs_buf_puts(&b, "\n", err)) {
            cs_buf_free(&b);
            return CS_ENOMEM;
        }
    }
    st = b.len ? store_pg_copy(w->pg, "COPY clients_fields(idx, name, kind, label_en, label_fr, unit) FROM STDIN",
                               b.data, b.len, err)
               : CS_OK;
    cs_buf_free(&b);
    return st;
}

store__clients_pg_writer *store__clients_pg_begin(const char *url, const feat_matrix *m, const store_field *fields,
                                                  int n_fields, const char *id_col, cs_err *err)
{
    store__clients_pg_writer *w = cs_calloc(1, sizeof *w, err);
    cs_buf sql = {0};
    static const char header[] = "PGCOPY\n\377\r\n";   /* and its NUL: 11 bytes */
    if (!w) return NULL;
    w->fields = fields;
    w->n_fields = n_fields;
    w->n_feats = m->n_feats;
    if (!(w->pg = store_pg_open(url, "the clients store", err))) goto fail;
    /* the clients table as SQLite's, PostgreSQL's types */
    if (cs_buf_puts(&sql, "BEGIN;", err) || cs_buf_puts(&sql, store_schema_clients_fixed_pg, err) ||
        cs_buf_puts(&sql, "CREATE TABLE clients(id BIGINT PRIMARY KEY, target DOUBLE PRECISION", err))
        goto fail;
    for (int k = 0; k < n_fields; k++)
        if (cs_buf_printf(&sql, err, ", \"%s\" %s", fields[k].name, fields[k].is_text ? "TEXT" : "DOUBLE PRECISION"))
            goto fail;
    if (cs_buf_puts(&sql, ", x BYTEA NOT NULL)", err) || store_pg_exec(w->pg, sql.data, err) ||
        _write_fixed(w, m, id_col, err))
        goto fail;
    if (store_pg_copy_start(w->pg, "COPY clients FROM STDIN (FORMAT binary)", err)) goto fail;
    w->in_copy = 1;
    if (cs_buf_append(&w->buf, header, sizeof header, err) || _put_i32(&w->buf, 0, err) || _put_i32(&w->buf, 0, err))
        goto fail;
    cs_buf_free(&sql);
    return w;
fail:
    cs_buf_free(&sql);
    store__clients_pg_end(w, CS_EIO, NULL);
    return NULL;
}

cs_status store__clients_pg_row(store__clients_pg_writer *w, const store__clients_row *r, cs_err *err)
{
    cs_buf *b = &w->buf;
    cs_status st = CS_OK;
    if (_put_u16(b, (uint16_t)(w->n_fields + 3), err) || _put_i8(b, r->id, err) || _put_f8(b, r->target, err))
        return CS_ENOMEM;
    for (int k = 0; k < w->n_fields && !st; k++) {
        if (w->fields[k].is_text) st = _put_field(b, r->text[k], r->text[k] ? strlen(r->text[k]) : 0, err);
        else st = _put_f8(b, r->num[k], err);
    }
    if (st || (st = _put_field(b, r->x, w->n_feats * sizeof *r->x, err))) return st;
    if (b->len >= COPY_FLUSH) {
        st = store_pg_copy_put(w->pg, b->data, b->len, err);
        b->len = 0;
    }
    return st;
}

cs_status store__clients_pg_end(store__clients_pg_writer *w, cs_status st, cs_err *err)
{
    if (!w) return st;
    if (w->in_copy) {
        if (!st && !(st = _put_u16(&w->buf, 0xffff, err))) st = store_pg_copy_put(w->pg, w->buf.data, w->buf.len, err);
        st = store_pg_copy_end(w->pg, st, err);
    }
    if (w->pg) {
        if (!st) st = store_pg_exec(w->pg, "COMMIT", err);
        else store_pg_exec(w->pg, "ROLLBACK", NULL);
    }
    store_pg_close(w->pg);
    cs_buf_free(&w->buf);
    free(w);
    return st;
}

/* ---- reading ------------------------------------------------------------------------ */

cs_status store__clients_pg_conn_open(store_clients *s, store__clients_conn *c, cs_err *err)
{
    if (!(c->pg = store_pg_open(s->path, "the clients store", err))) return err ? err->code : CS_EIO;
    return CS_OK;
}

/* a binary-result query without parameters on c */
static PGresult *_query(store_clients *s, store__clients_conn *c, const char *sql, const char *what, cs_err *err)
{
    PGresult *r = PQexecParams(store_pg_conn(c->pg), sql, 0, NULL, NULL, NULL, NULL, 1);
    if (PQresultStatus(r) == PGRES_TUPLES_OK) return r;
    if (PQresultStatus(r) == PGRES_FATAL_ERROR && PQresultErrorField(r, PG_DIAG_SQLSTATE) &&
        !strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "42P01"))   /* undefined_table */
        cs_err_set(err, CS_EIO, "%s: not a clients store (no table %s): run clients import --out %s first", s->name,
                   strstr(sql, "clients_meta") ? "clients_meta" : "clients", s->name);
    else
        store_pg_fail(c->pg, r, what, err);
    PQclear(r);
    return NULL;
}

/* the binary text of row i, column j (NULL when NULL) */
static const char *_text(const PGresult *r, int i, int j)
{
    return PQgetisnull(r, i, j) ? NULL : PQgetvalue(r, i, j);
}

/* Check that the statement's columns are (types[0], ...) as the layout says. */
static cs_status _check_types(store_clients *s, store__clients_conn *c, const char *stmt, const unsigned *types, int n,
                              cs_err *err)
{
    PGresult *d = PQdescribePrepared(store_pg_conn(c->pg), stmt);
    cs_status st = CS_OK;
    if (PQresultStatus(d) != PGRES_COMMAND_OK) st = store_pg_fail(c->pg, d, "describing a statement", err);
    else if (PQnfields(d) != n) st = cs_err_set(err, CS_ECORRUPT, "%s: the clients table has other columns", s->name);
    for (int j = 0; !st && j < n; j++)
        if (PQftype(d, j) != types[j])
            st = cs_err_set(err, CS_ECORRUPT, "%s: clients column %s is not of the type the store writes (oid %u, not %u)",
                            s->name, PQfname(d, j), PQftype(d, j), types[j]);
    PQclear(d);
    return st;
}

static cs_status _prepare(store_clients *s, store__clients_conn *c, cs_err *err)
{
    cs_buf q = {0};
    PGresult *r;
    cs_status st = CS_OK;
    unsigned types[3 + STORE_MAX_FIELDS];
    int n = 0;
    Oid param[1] = {OID_INT8};
    r = PQprepare(store_pg_conn(c->pg), "clients_x", "SELECT x FROM clients WHERE id = $1", 1, param);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) st = store_pg_fail(c->pg, r, "preparing a lookup", err);
    PQclear(r);
    if (st) return st;
    if (cs_buf_puts(&q, "SELECT id, target", err) || _field_cols(s->fields, s->n_fields, &q, err) ||
        cs_buf_puts(&q, ", x FROM clients WHERE id = $1", err)) {
        cs_buf_free(&q);
        return CS_ENOMEM;
    }
    r = PQprepare(store_pg_conn(c->pg), "clients_get", q.data, 1, param);
    cs_buf_free(&q);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) st = store_pg_fail(c->pg, r, "preparing a lookup", err);
    PQclear(r);
    if (st) return st;
    types[n++] = OID_INT8;
    types[n++] = OID_FLOAT8;
    for (size_t k = 0; k < s->n_fields; k++) types[n++] = s->fields[k].is_text ? OID_TEXT : OID_FLOAT8;
    types[n++] = OID_BYTEA;
    return _check_types(s, c, "clients_get", types, n, err);
}

cs_status store__clients_pg_load(store_clients *s, cs_err *err)
{
    store__clients_conn *c = &s->conns[0];
    PGresult *r;
    cs_status st = CS_OK;
    int format = 0;
    if (!(r = _query(s, c, "SELECT value FROM clients_meta WHERE key = 'format'", "reading the format", err)))
        return err ? err->code : CS_EIO;
    if (PQntuples(r) == 1 && _text(r, 0, 0)) format = atoi(_text(r, 0, 0));
    PQclear(r);
    /* format 1 (the kernel's fields, no fields table) was never written to PostgreSQL */
    if (format != STORE_CLIENTS_FORMAT)
        return cs_err_set(err, CS_EVERSION, "%s: clients store format %d, this build reads %d in PostgreSQL", s->name,
                          format, STORE_CLIENTS_FORMAT);
    if (!(r = _query(s, c, "SELECT idx::bigint, name, kind, label_en, label_fr, unit FROM clients_fields ORDER BY idx",
                     "reading the fields", err)))
        return err ? err->code : CS_EIO;
    for (int i = 0; !st && i < PQntuples(r); i++)
        st = store__clients_add_field(s, _get_i8(PQgetvalue(r, i, 0)), _text(r, i, 1), _text(r, i, 2), _text(r, i, 3),
                                      _text(r, i, 4), _text(r, i, 5), err);
    PQclear(r);
    if (st) return st;
    if (!(r = _query(s, c, "SELECT idx::bigint, name FROM clients_features ORDER BY idx", "reading feature names", err)))
        return err ? err->code : CS_EIO;
    for (int i = 0; !st && i < PQntuples(r); i++)
        st = store__clients_add_feature(s, _get_i8(PQgetvalue(r, i, 0)), _text(r, i, 1), err);
    PQclear(r);
    if (st) return st;
    if (!(r = _query(s, c, "SELECT count(*) FROM clients", "counting clients", err))) return err ? err->code : CS_EIO;
    s->count = _get_i8(PQgetvalue(r, 0, 0));
    PQclear(r);
    for (int i = 0; i < s->n_conns; i++)
        if ((st = _prepare(s, &s->conns[i], err))) return st;
    return CS_OK;
}

/* A connection the server dropped (a restart, a failover, an idle timeout) is opened again
 * once, with its statements: 1 when c is usable again. */
static int _revive(store_clients *s, store__clients_conn *c)
{
    if (PQstatus(store_pg_conn(c->pg)) != CONNECTION_BAD) return 0;
    return store_pg_reset(c->pg, NULL) == CS_OK && _prepare(s, c, NULL) == CS_OK;
}

/* run prepared stmt with the id as its one parameter */
static PGresult *_by_id(store_clients *s, store__clients_conn *c, const char *stmt, int64_t id, cs_err *err)
{
    char v[24];
    const char *params[1] = {v};
    PGresult *r;
    snprintf(v, sizeof v, "%lld", (long long)id);
    for (int attempt = 0;; attempt++) {
        r = PQexecPrepared(store_pg_conn(c->pg), stmt, 1, params, NULL, NULL, 1);
        if (PQresultStatus(r) == PGRES_TUPLES_OK) return r;
        if (attempt || !_revive(s, c)) break;
        PQclear(r);
    }
    store_pg_fail(c->pg, r, "reading a client", err);
    PQclear(r);
    return NULL;
}

static cs_status _read_x(store_clients *s, const PGresult *r, int i, int j, int64_t id, double *x, cs_err *err)
{
    size_t n = (size_t)PQgetlength(r, i, j);
    if (PQgetisnull(r, i, j) || n != s->n_feats * sizeof(double))
        return cs_err_set(err, CS_ECORRUPT, "%s: client %lld: feature vector of %zu bytes, expected %zu", s->name,
                          (long long)id, n, s->n_feats * sizeof(double));
    if (n) memcpy(x, PQgetvalue(r, i, j), n);
    return CS_OK;
}

cs_status store__clients_pg_features(store_clients *s, store__clients_conn *c, int64_t id, double *x, cs_err *err)
{
    PGresult *r = _by_id(s, c, "clients_x", id, err);
    cs_status st;
    if (!r) return err ? err->code : CS_EIO;
    if (PQntuples(r) == 0) st = cs_err_set(err, CS_ENOTFOUND, "no client %lld in the clients store", (long long)id);
    else st = _read_x(s, r, 0, 0, id, x, err);
    PQclear(r);
    return st;
}

/* id, target and the raw fields of row i into out */
static cs_status _read_raw(const store_clients *s, const PGresult *r, int i, store_client *out, cs_err *err)
{
    int p = 0;
    out->id = _get_i8(PQgetvalue(r, i, p++));
    out->target = PQgetisnull(r, i, p) ? NAN : _get_f8(PQgetvalue(r, i, p));
    p++;
    if (!(out->num = cs_malloc((s->n_fields ? s->n_fields : 1) * sizeof *out->num, err)) ||
        !(out->text = cs_calloc(s->n_fields ? s->n_fields : 1, sizeof *out->text, err)))
        return CS_ENOMEM;
    out->n_fields = s->n_fields;
    for (size_t k = 0; k < s->n_fields; k++, p++) {
        out->num[k] = NAN;
        if (PQgetisnull(r, i, p)) continue;
        if (s->fields[k].is_text) {
            if (!(out->text[k] = cs_strdup(PQgetvalue(r, i, p), err))) return CS_ENOMEM;
        } else {
            out->num[k] = _get_f8(PQgetvalue(r, i, p));
        }
    }
    return CS_OK;
}

cs_status store__clients_pg_get(store_clients *s, store__clients_conn *c, int64_t id, store_client *out, cs_err *err)
{
    PGresult *r = _by_id(s, c, "clients_get", id, err);
    cs_status st;
    if (!r) return err ? err->code : CS_EIO;
    if (PQntuples(r) == 0) {
        st = cs_err_set(err, CS_ENOTFOUND, "no client %lld in the clients store", (long long)id);
    } else {
        st = _read_raw(s, r, 0, out, err);
        if (!st && !(out->x = cs_malloc((s->n_feats ? s->n_feats : 1) * sizeof *out->x, err))) st = CS_ENOMEM;
        if (!st) st = _read_x(s, r, 0, 2 + (int)s->n_fields, id, out->x, err);
        if (!st) out->n_feats = s->n_feats;
    }
    PQclear(r);
    return st;
}

cs_status store__clients_pg_list(store_clients *s, store__clients_conn *c, int64_t offset, int64_t limit,
                                 const char *pattern, store_client *list, size_t *n, int64_t *total, cs_err *err)
{
    cs_buf sql = {0};
    char lim[24], off[24];
    const char *params[3];
    int np = 0;
    PGresult *r;
    cs_status st = CS_OK;
    snprintf(lim, sizeof lim, "%lld", (long long)limit);
    snprintf(off, sizeof off, "%lld", (long long)offset);
    if (pattern) params[np++] = pattern;
    params[np++] = lim;
    params[np++] = off;
    if (cs_buf_puts(&sql, "SELECT id, target", err) || _field_cols(s->fields, s->n_fields, &sql, err) ||
        cs_buf_printf(&sql, err, " FROM clients %s ORDER BY id LIMIT $%d OFFSET $%d",
                      pattern ? "WHERE id::text LIKE $1" : "", pattern ? 2 : 1, pattern ? 3 : 2)) {
        cs_buf_free(&sql);
        return CS_ENOMEM;
    }
    r = PQexecParams(store_pg_conn(c->pg), sql.data, np, NULL, params, NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK && _revive(s, c)) {
        PQclear(r);
        r = PQexecParams(store_pg_conn(c->pg), sql.data, np, NULL, params, NULL, NULL, 1);
    }
    cs_buf_free(&sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        st = store_pg_fail(c->pg, r, "listing clients", err);
        PQclear(r);
        return st;
    }
    for (int i = 0; !st && i < PQntuples(r) && *n < (size_t)limit; i++) st = _read_raw(s, r, i, &list[(*n)++], err);
    PQclear(r);
    if (st) return st;
    r = PQexecParams(store_pg_conn(c->pg),
                     pattern ? "SELECT count(*) FROM clients WHERE id::text LIKE $1" : "SELECT count(*) FROM clients",
                     pattern ? 1 : 0, NULL, params, NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) st = store_pg_fail(c->pg, r, "counting clients", err);
    else *total = _get_i8(PQgetvalue(r, 0, 0));
    PQclear(r);
    return st;
}

cs_status store__clients_pg_scan(store_clients *s, int64_t lo, int64_t hi, store_clients_scan_fn fn, void *ud,
                                 cs_err *err)
{
    store__clients_conn c;
    char a[24], b[24];
    const char *params[2] = {a, b};
    size_t want = s->n_feats * sizeof(double);
    PGresult *r;
    PGconn *conn;
    cs_status st = CS_OK;
    int stopped = 0;
    memset(&c, 0, sizeof c);
    if ((st = store__clients_pg_conn_open(s, &c, err))) return st;
    conn = store_pg_conn(c.pg);
    snprintf(a, sizeof a, "%lld", (long long)lo);
    snprintf(b, sizeof b, "%lld", (long long)hi);
    /* one row at a time: a scan may cover the whole store */
    if (!PQsendQueryParams(conn, "SELECT id, x FROM clients WHERE id BETWEEN $1 AND $2 ORDER BY id", 2, NULL, params,
                           NULL, NULL, 1) ||
        !PQsetSingleRowMode(conn)) {
        st = store_pg_fail(c.pg, NULL, "reading clients", err);
        store_pg_close(c.pg);
        return st;
    }
    while ((r = PQgetResult(conn))) {
        ExecStatusType rs = PQresultStatus(r);
        if (rs == PGRES_SINGLE_TUPLE && !st && !stopped) {
            int64_t id = _get_i8(PQgetvalue(r, 0, 0));
            if ((size_t)PQgetlength(r, 0, 1) != want)
                st = cs_err_set(err, CS_ECORRUPT, "%s: client %lld has %d bytes of features, not %zu", s->name,
                                (long long)id, PQgetlength(r, 0, 1), want);
            else if (fn(id, PQgetvalue(r, 0, 1), ud))
                stopped = 1;
        } else if (rs != PGRES_SINGLE_TUPLE && rs != PGRES_TUPLES_OK && !st) {
            st = store_pg_fail(c.pg, r, "reading clients", err);
        }
        PQclear(r);
        if (st || stopped) break;   /* closing the connection ends the query */
    }
    store_pg_close(c.pg);
    return st;
}
