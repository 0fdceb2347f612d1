/*
 * clients.c: the clients store (see clients.h): import from a feature matrix and the
 * application tables, then pooled read-only lookups for the API.
 */
#include "clients_int.h"
#include "schema.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef store__clients_conn _conn;

void store_client_clear(store_client *c)
{
    if (!c) return;
    for (size_t i = 0; c->text && i < c->n_fields; i++) free(c->text[i]);
    free(c->text);
    free(c->num);
    free(c->x);
    memset(c, 0, sizeof *c);
}

void store_client_list_free(store_client *list, size_t n)
{
    if (!list) return;
    for (size_t i = 0; i < n; i++) store_client_clear(&list[i]);
    free(list);
}

static cs_status _sqlerr(cs_err *err, sqlite3 *db, const char *path, const char *what)
{
    return cs_err_set(err, CS_EIO, "%s: %s: %s", path, what, db ? sqlite3_errmsg(db) : "cannot open");
}

/* ---- import ------------------------------------------------------------------------ */

static int _cmp_i64(const void *a, const void *b)
{
    int64_t x = ((const int64_t *)a)[0], y = ((const int64_t *)b)[0];
    return x < y ? -1 : x > y;
}


/* A field name is used as a column name: letters, digits and '_', not starting with a digit,
 * and none of the store's own columns. */
static int _field_name_ok(const char *n)
{
    if (!n || !*n || (*n >= '0' && *n <= '9')) return 0;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_')) return 0;
    return strcasecmp(n, "id") && strcasecmp(n, "target") && strcasecmp(n, "x");
}

static int _is_sentinel(const store_field *f, double v)
{
    for (int i = 0; i < f->n_sentinels; i++)
        if (v == f->sentinels[i]) return 1;
    return 0;
}

/* fsync the file at path (SQLite wrote the scratch store without syncing) */
static cs_status _sync_file(const char *path, cs_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
    if (fd < 0) return cs_err_set(err, CS_EIO, "%s: cannot open to sync: %s", path, strerror(errno));
    rc = fsync(fd);
    close(fd);
    if (rc) return cs_err_set(err, CS_EIO, "%s: cannot sync: %s", path, strerror(errno));
    return CS_OK;
}

/* SQLite: create path.tmp (its name into tmp) with the store's tables, meta, features
 * and fields, begin the transaction of the rows and prepare their INSERT into *ins. */
static cs_status _sqlite_begin(const char *path, cs_buf *tmp, const feat_matrix *m, const store_field *fields,
                               int n_fields, const char *id_col, store_db **conn, sqlite3_stmt **ins, cs_err *err)
{
    sqlite3 *db;
    sqlite3_stmt *q = NULL;
    cs_buf sql = {0};
    cs_status st;
    if (cs_buf_printf(tmp, err, "%s.tmp", path)) return CS_ENOMEM;
    unlink(tmp->data);
    if (!(*conn = store_db_open(tmp->data, STORE_DB_CREATE | STORE_DB_SCRATCH, "the clients store", err)))
        return err ? err->code : CS_EIO;
    db = store_db_sqlite(*conn);
    if ((st = store_db_exec(*conn, store_schema_clients_fixed, err))) return st;
    cs_buf_puts(&sql, "CREATE TABLE clients(id INTEGER PRIMARY KEY, target REAL", err);
    for (int k = 0; k < n_fields; k++)
        cs_buf_printf(&sql, err, ", \"%s\" %s", fields[k].name, fields[k].is_text ? "TEXT" : "REAL");
    if (cs_buf_puts(&sql, ", x BLOB NOT NULL); BEGIN;", err)) {
        cs_buf_free(&sql);
        return CS_ENOMEM;
    }
    st = store_db_exec(*conn, sql.data, err);
    cs_buf_free(&sql);
    if (st) return st;
    if (sqlite3_prepare_v2(db, "INSERT INTO meta VALUES('format',?),('n_feats',?),('created',datetime('now')),('id',?)",
                           -1, &q, NULL) != SQLITE_OK)
        return _sqlerr(err, db, path, "prepare");
    sqlite3_bind_int(q, 1, STORE_CLIENTS_FORMAT);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)m->n_feats);
    sqlite3_bind_text(q, 3, id_col ? id_col : "@row", -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE) st = _sqlerr(err, db, path, "insert meta");
    sqlite3_finalize(q);
    if (st) return st;
    if (sqlite3_prepare_v2(db, "INSERT INTO features VALUES(?,?)", -1, &q, NULL) != SQLITE_OK)
        return _sqlerr(err, db, path, "prepare");
    for (size_t j = 0; j < m->n_feats && !st; j++) {
        sqlite3_bind_int64(q, 1, (sqlite3_int64)j);
        sqlite3_bind_text(q, 2, m->names[j], -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE) st = _sqlerr(err, db, path, "insert feature name");
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    if (st) return st;
    if (sqlite3_prepare_v2(db, "INSERT INTO fields VALUES(?,?,?,?,?,?)", -1, &q, NULL) != SQLITE_OK)
        return _sqlerr(err, db, path, "prepare");
    for (int k = 0; k < n_fields && !st; k++) {
        const store_field *f = &fields[k];
        const char *en = f->label_en ? f->label_en : f->name;
        sqlite3_bind_int(q, 1, k);
        sqlite3_bind_text(q, 2, f->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, f->is_text ? "text" : "number", -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, en, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, f->label_fr ? f->label_fr : en, -1, SQLITE_STATIC);
        if (f->unit) sqlite3_bind_text(q, 6, f->unit, -1, SQLITE_STATIC);
        else sqlite3_bind_null(q, 6);
        if (sqlite3_step(q) != SQLITE_DONE) st = _sqlerr(err, db, path, "insert field");
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    if (st) return st;
    cs_buf_puts(&sql, "INSERT INTO clients VALUES(?,?", err);
    for (int k = 0; k < n_fields; k++) cs_buf_puts(&sql, ",?", err);
    if (cs_buf_puts(&sql, ",?)", err)) {
        cs_buf_free(&sql);
        return CS_ENOMEM;
    }
    if (sqlite3_prepare_v2(db, sql.data, -1, ins, NULL) != SQLITE_OK) st = _sqlerr(err, db, path, "prepare");
    cs_buf_free(&sql);
    return st;
}

/* SQLite: insert one row with ins. */
static cs_status _sqlite_row(const char *path, sqlite3 *db, sqlite3_stmt *ins, const store_field *fields, int n_fields,
                             const store__clients_row *r, size_t n_feats, cs_err *err)
{
    int p = 1;
    cs_status st = CS_OK;
    sqlite3_bind_int64(ins, p++, r->id);
    if (r->target == r->target) sqlite3_bind_double(ins, p++, r->target);
    else sqlite3_bind_null(ins, p++);
    for (int k = 0; k < n_fields; k++, p++) {
        if (fields[k].is_text) {
            if (r->text[k]) sqlite3_bind_text(ins, p, r->text[k], -1, SQLITE_STATIC);
            else sqlite3_bind_null(ins, p);
        } else if (r->num[k] == r->num[k]) {
            sqlite3_bind_double(ins, p, r->num[k]);
        } else {
            sqlite3_bind_null(ins, p);
        }
    }
    sqlite3_bind_blob(ins, p, r->x, (int)(n_feats * sizeof *r->x), SQLITE_STATIC);
    if (sqlite3_step(ins) != SQLITE_DONE)
        st = cs_err_set(err, CS_EIO, "%s: client %lld: %s", path, (long long)r->id, sqlite3_errmsg(db));
    sqlite3_reset(ins);
    return st;
}

#define MAX_TABLES 8

cs_status store_clients_import_fields(const char *path, const feat_matrix *m, const store_field *fields, int n_fields,
                                      const tbl *const *tables, int n_tables, const char *id_col,
                                      cs_progress *progress, cs_err *err)
{
    store_db *conn = NULL;          /* SQLite */
    sqlite3_stmt *ins = NULL;
    store__clients_pg_writer *pw = NULL;   /* or PostgreSQL */
    cs_buf tmp = {0};
    int64_t *index = NULL;          /* pairs (id, table*2^32 + row), sorted by id */
    size_t n_index = 0;
    double *x = NULL, *num = NULL;  /* a row's features and numeric fields */
    const char **text = NULL;       /* its text fields */
    int *src = NULL, id_idx[MAX_TABLES];
    cs_status st = CS_OK;

    assert(path && m && (fields || !n_fields) && (tables || !n_tables));
    if (n_tables > MAX_TABLES) return cs_err_set(err, CS_EINVAL, "at most %d raw tables", MAX_TABLES);
    if (n_fields < 0 || n_fields > STORE_MAX_FIELDS)
        return cs_err_set(err, CS_EINVAL, "at most %d raw fields in the clients store", STORE_MAX_FIELDS);
    if (!id_col && n_tables > 1)
        return cs_err_set(err, CS_EINVAL, "rows are numbered (no id column) in one raw table only, not %d", n_tables);
    for (int k = 0; k < n_fields; k++) {
        if (!_field_name_ok(fields[k].name))
            return cs_err_set(err, CS_EINVAL, "field '%s': a field name is letters, digits and _ (not id, target, x)",
                              fields[k].name ? fields[k].name : "");
        if (!fields[k].source) return cs_err_set(err, CS_EINVAL, "field '%s': no source column", fields[k].name);
        if (fields[k].n_sentinels < 0 || fields[k].n_sentinels > STORE_FIELD_MAX_SENTINELS)
            return cs_err_set(err, CS_EINVAL, "field '%s': at most %d sentinels", fields[k].name,
                              STORE_FIELD_MAX_SENTINELS);
        for (int j = 0; j < k; j++)
            if (!strcasecmp(fields[j].name, fields[k].name))
                return cs_err_set(err, CS_EINVAL, "field '%s' named twice", fields[k].name);
    }
    if (!(src = cs_calloc((size_t)(n_tables ? n_tables : 1) * (size_t)(n_fields ? n_fields : 1), sizeof *src, err)))
        return CS_ENOMEM;
    for (int a = 0; a < n_tables; a++) {
        if (id_col) {
            id_idx[a] = tbl_col_index(tables[a], id_col);
            if (id_idx[a] < 0 || tables[a]->cols[id_idx[a]].type != TBL_NUM) {
                free(src);
                return cs_err_set(err, CS_EINVAL, "%s: no numeric %s column", tables[a]->source, id_col);
            }
        }
        for (int k = 0; k < n_fields; k++) {
            int c = tbl_col_index(tables[a], fields[k].source);
            src[a * n_fields + k] = c;
            if (c >= 0 && (tables[a]->cols[c].type == TBL_CAT) != (fields[k].is_text != 0)) {
                /* Home Credit's default fields skip a column of the other type, as before;
                 * a recipe's field of the wrong type is an error */
                if (fields == feat_kernel_profile) {
                    src[a * n_fields + k] = -1;
                    continue;
                }
                st = cs_err_set(err, CS_EINVAL, "%s: column %s is %s, the field %s wants %s", tables[a]->source,
                                fields[k].source, tables[a]->cols[c].type == TBL_CAT ? "text" : "numeric",
                                fields[k].name, fields[k].is_text ? "text" : "a number");
                free(src);
                return st;
            }
        }
        n_index += tables[a]->n_rows;
    }
    if (n_index && !(index = cs_malloc(2 * n_index * sizeof *index, err))) {
        free(src);
        return CS_ENOMEM;
    }
    n_index = 0;
    for (int a = 0; a < n_tables; a++)
        for (size_t i = 0; i < tables[a]->n_rows; i++) {
            double id = id_col ? tables[a]->cols[id_idx[a]].num[i] : (double)(i + 1);
            if (id != id) continue;
            index[2 * n_index] = (int64_t)id;
            index[2 * n_index + 1] = ((int64_t)a << 32) | (int64_t)i;
            n_index++;
        }
    if (n_index) qsort(index, n_index, 2 * sizeof *index, _cmp_i64);
    if (!(x = cs_malloc((m->n_feats ? m->n_feats : 1) * sizeof *x, err))) {
        st = CS_ENOMEM;
        goto done;
    }

    if (!(num = cs_malloc((n_fields ? (size_t)n_fields : 1) * sizeof *num, err)) ||
        !(text = cs_calloc(n_fields ? (size_t)n_fields : 1, sizeof *text, err))) {
        st = CS_ENOMEM;
        goto done;
    }
    if (store_pg_is_url(path)) {
        if (!(pw = store__clients_pg_begin(path, m, fields, n_fields, id_col, err))) {
            st = err ? err->code : CS_EIO;
            goto done;
        }
    } else if ((st = _sqlite_begin(path, &tmp, m, fields, n_fields, id_col, &conn, &ins, err))) {
        goto done;
    }
    for (size_t i = 0; i < m->n_rows; i++) {
        store__clients_row row = {m->ids[i], NAN, num, (const char *const *)text, x};
        int a = -1;
        size_t row_i = 0;
        /* binary search for the raw row */
        size_t lo = 0, hi = n_index;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (index[2 * mid] < row.id) lo = mid + 1;
            else hi = mid;
        }
        if (lo < n_index && index[2 * lo] == row.id) {
            a = (int)(index[2 * lo + 1] >> 32);
            row_i = (size_t)(index[2 * lo + 1] & 0xffffffff);
        }
        if (m->target && m->target[i] == m->target[i]) row.target = m->target[i];
        for (int k = 0; k < n_fields; k++) {
            const store_field *f = &fields[k];
            int c = a >= 0 ? src[a * n_fields + k] : -1;
            const tbl_column *col = c >= 0 ? &tables[a]->cols[c] : NULL;
            num[k] = NAN;
            text[k] = NULL;
            if (f->is_text) {
                int32_t code = col ? col->codes[row_i] : -1;
                if (col && code >= 0 && code < col->n_cats) text[k] = col->cats[code];
            } else {
                double v = col ? col->num[row_i] : NAN;
                if (v == v && _is_sentinel(f, v)) v = NAN;
                else v *= f->scale != 0 ? f->scale : 1.0;
                /* -0 (0 days times a negative scale) is kept as 0: what SQLite's REAL
                 * column gives back, so both backends answer the same */
                if (v == 0) v = 0;
                if (v == v && isfinite(v)) num[k] = v;
            }
        }
        for (size_t j = 0; j < m->n_feats; j++) x[j] = m->values[j * m->n_rows + i];
        st = pw ? store__clients_pg_row(pw, &row, err) : _sqlite_row(path, store_db_sqlite(conn), ins, fields, n_fields, &row, m->n_feats, err);
        if (st) goto done;
        if (progress && (i % 1024 == 0)) cs_progress_update(progress, i, NULL);
    }
    if (pw) {
        st = store__clients_pg_end(pw, CS_OK, err);
        pw = NULL;
        if (st) goto done;
    } else {
        if ((st = store_db_exec(conn, "COMMIT;", err))) goto done;
        sqlite3_finalize(ins);
        ins = NULL;
        store_db_close(conn);   /* journal off, sync off: nothing is left to fail at close */
        conn = NULL;
        if ((st = _sync_file(tmp.data, err))) goto done;   /* on disk before it takes the final name */
        if (rename(tmp.data, path) != 0) {
            st = cs_err_set(err, CS_EIO, "%s: cannot rename %s into place", path, tmp.data);
            goto done;
        }
        if (cs_sync_dir(path) != 0) {
            st = cs_err_set(err, CS_EIO, "%s: written, but its folder could not be synced: %s", path, strerror(errno));
            goto done;
        }
    }
    if (progress) cs_progress_finish(progress, NULL);
done:
    if (pw) store__clients_pg_end(pw, st, NULL);
    sqlite3_finalize(ins);
    store_db_close(conn);
    if (st != CS_OK && tmp.data) unlink(tmp.data);
    cs_buf_free(&tmp);
    free(index);
    free(src);
    free(x);
    free(num);
    free(text);
    return st;
}

cs_status store_clients_import(const char *path, const feat_matrix *m, const tbl *const *apps, int n_apps,
                               cs_progress *progress, cs_err *err)
{
    return store_clients_import_fields(path, m, feat_kernel_profile, FEAT_KERNEL_N_PROFILE, apps, n_apps,
                                       FEAT_KERNEL_KEY, progress, err);
}

/* ---- reading ------------------------------------------------------------------------ */

static cs_status _conn_open(store_clients *s, _conn *c, cs_err *err)
{
    /* immutable: no file locks and no change checks per query (the store is written once,
     * to a temporary file renamed into place, so an open store never changes under us) */
    if (!(c->conn = store_db_open(s->path, STORE_DB_IMMUTABLE, "the clients store", err))) return err ? err->code : CS_EIO;
    c->db = store_db_sqlite(c->conn);
    sqlite3_exec(c->db, "PRAGMA mmap_size=268435456; PRAGMA query_only=1;", NULL, NULL, NULL);
    if (sqlite3_prepare_v3(c->db, "SELECT x FROM clients WHERE id=?", -1, SQLITE_PREPARE_PERSISTENT, &c->get_x,
                           NULL) != SQLITE_OK)
        return _sqlerr(err, c->db, s->path, "not a clients store");
    return CS_OK;
}

static void _conn_close(_conn *c)
{
    sqlite3_finalize(c->get_x);
    sqlite3_finalize(c->get);
    store_db_close(c->conn);
    store_pg_close(c->pg);
    c->get_x = c->get = NULL;
    c->conn = NULL;
    c->db = NULL;
    c->pg = NULL;
}

/* The columns of the raw fields, for a SELECT: ", "f1", "f2" ..." into b. */
static cs_status _field_cols(const store_clients *s, cs_buf *b, cs_err *err)
{
    for (size_t k = 0; k < s->n_fields; k++)
        if (cs_buf_printf(b, err, ", \"%s\"", s->fields[k].name)) return CS_ENOMEM;
    return CS_OK;
}

/* Prepare c->get once the fields are known. */
static cs_status _conn_prepare_get(store_clients *s, _conn *c, cs_err *err)
{
    cs_buf q = {0};
    cs_buf_puts(&q, "SELECT id, target", err);
    if (_field_cols(s, &q, err) || cs_buf_puts(&q, ", x FROM clients WHERE id=?", err)) {
        cs_buf_free(&q);
        return CS_ENOMEM;
    }
    if (sqlite3_prepare_v3(c->db, q.data, -1, SQLITE_PREPARE_PERSISTENT, &c->get, NULL) != SQLITE_OK) {
        cs_buf_free(&q);
        return _sqlerr(err, c->db, s->path, "not a clients store");
    }
    cs_buf_free(&q);
    return CS_OK;
}

static char *_dup_or_null(const char *t, int *oom)
{
    char *d;
    if (!t) return NULL;
    if (!(d = strdup(t))) *oom = 1;
    return d;
}

/* Load the raw fields of a store of format `format` from db into s. */
static cs_status _load_fields(store_clients *s, sqlite3 *db, int format, cs_err *err)
{
    sqlite3_stmt *q = NULL;
    cs_status st = CS_OK;
    int oom = 0;
    if (format == 1) {
        if (!(s->fields = cs_calloc(FEAT_KERNEL_N_PROFILE, sizeof *s->fields, err))) return CS_ENOMEM;
        for (int k = 0; k < FEAT_KERNEL_N_PROFILE; k++) {
            store_field *f = &s->fields[k];
            *f = feat_kernel_profile[k];
            f->name = _dup_or_null(feat_kernel_profile[k].name, &oom);
            f->source = _dup_or_null(feat_kernel_profile[k].source, &oom);
            f->label_en = _dup_or_null(feat_kernel_profile[k].label_en, &oom);
            f->label_fr = _dup_or_null(feat_kernel_profile[k].label_fr, &oom);
            f->unit = _dup_or_null(feat_kernel_profile[k].unit, &oom);
            s->n_fields++;
        }
        return oom ? cs_err_set(err, CS_ENOMEM, "out of memory") : CS_OK;
    }
    if (sqlite3_prepare_v2(db, "SELECT idx, name, kind, label_en, label_fr, unit FROM fields ORDER BY idx", -1, &q,
                           NULL) != SQLITE_OK)
        return _sqlerr(err, db, s->path, "not a clients store (no fields)");
    while (!st && sqlite3_step(q) == SQLITE_ROW)
        st = store__clients_add_field(s, sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1),
                                      (const char *)sqlite3_column_text(q, 2), (const char *)sqlite3_column_text(q, 3),
                                      (const char *)sqlite3_column_text(q, 4), (const char *)sqlite3_column_text(q, 5),
                                      err);
    sqlite3_finalize(q);
    return st;
}

cs_status store__clients_add_field(store_clients *s, int64_t idx, const char *name, const char *kind,
                                   const char *label_en, const char *label_fr, const char *unit, cs_err *err)
{
    store_field *f;
    void *p;
    int oom = 0;
    if (idx != (int64_t)s->n_fields || !name || !kind || !_field_name_ok(name) || s->n_fields >= STORE_MAX_FIELDS ||
        (strcmp(kind, "text") && strcmp(kind, "number")))
        return cs_err_set(err, CS_ECORRUPT, "%s: bad field list at %zu", s->name, s->n_fields);
    if (!(p = cs_reallocarray(s->fields, s->n_fields + 1, sizeof *s->fields, err))) return CS_ENOMEM;
    s->fields = p;
    f = &s->fields[s->n_fields++];
    memset(f, 0, sizeof *f);
    f->is_text = !strcmp(kind, "text");
    f->scale = 1;
    f->name = _dup_or_null(name, &oom);
    f->source = _dup_or_null(name, &oom);
    f->label_en = _dup_or_null(label_en, &oom);
    f->label_fr = _dup_or_null(label_fr, &oom);
    f->unit = _dup_or_null(unit, &oom);
    return oom ? cs_err_set(err, CS_ENOMEM, "out of memory") : CS_OK;
}

cs_status store__clients_add_feature(store_clients *s, int64_t idx, const char *name, cs_err *err)
{
    void *p;
    if (idx != (int64_t)s->n_feats || !name)
        return cs_err_set(err, CS_ECORRUPT, "%s: feature list has a gap at %zu", s->name, s->n_feats);
    if (!(p = cs_reallocarray(s->names, s->n_feats + 1, sizeof *s->names, err))) return CS_ENOMEM;
    s->names = p;
    if (!(s->names[s->n_feats] = cs_strdup(name, err))) return CS_ENOMEM;
    s->n_feats++;
    return CS_OK;
}

cs_status store_clients_scan(store_clients *s, int64_t lo, int64_t hi, store_clients_scan_fn fn, void *ud,
                             cs_err *err)
{
    _conn c;
    cs_status st = CS_OK;
    sqlite3_stmt *q = NULL;
    size_t want = s->n_feats * sizeof(double);
    int rc;
    if (s->is_pg) return store__clients_pg_scan(s, lo, hi, fn, ud, err);
    memset(&c, 0, sizeof c);
    if ((st = _conn_open(s, &c, err))) goto out;
    /* a scan reads the whole range once: map as much of it as SQLite allows */
    sqlite3_exec(c.db, "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-2000;", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(c.db, "SELECT id, x FROM clients WHERE id BETWEEN ? AND ? ORDER BY id", -1, &q, NULL) !=
        SQLITE_OK) {
        st = _sqlerr(err, c.db, s->path, "not a clients store");
        goto out;
    }
    sqlite3_bind_int64(q, 1, lo);
    sqlite3_bind_int64(q, 2, hi);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(q, 0);
        const void *x = sqlite3_column_blob(q, 1);
        if ((size_t)sqlite3_column_bytes(q, 1) != want) {
            st = cs_err_set(err, CS_ECORRUPT, "%s: client %lld has %d bytes of features, not %zu", s->path,
                            (long long)id, sqlite3_column_bytes(q, 1), want);
            goto out;
        }
        if (fn(id, x, ud)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) st = _sqlerr(err, c.db, s->path, "reading clients");
out:
    sqlite3_finalize(q);
    _conn_close(&c);
    return st;
}

store_clients *store_clients_open(const char *path, int n_conns, cs_err *err)
{
    store_clients *s;
    sqlite3_stmt *q = NULL;
    sqlite3 *db;
    int format;
    if (n_conns < 1 || n_conns > 64) {
        cs_err_set(err, CS_EINVAL, "store_clients_open: n_conns %d out of 1..64", n_conns);
        return NULL;
    }
    if (!store_pg_is_url(path) && access(path, R_OK) != 0) {
        cs_err_set(err, CS_EIO, "%s: cannot read the clients store", path);
        return NULL;
    }
    if (!(s = cs_calloc(1, sizeof *s, err))) return NULL;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (!(s->path = cs_strdup(path, err)) || !(s->conns = cs_calloc((size_t)n_conns, sizeof *s->conns, err))) goto fail;
    s->name = s->path;
    s->n_conns = n_conns;
    if (store_pg_is_url(path)) {
        s->is_pg = 1;
        for (int i = 0; i < n_conns; i++)
            if (store__clients_pg_conn_open(s, &s->conns[i], err)) goto fail;
        s->name = store_pg_name(s->conns[0].pg);
        if (store__clients_pg_load(s, err)) goto fail;
        return s;
    }
    for (int i = 0; i < n_conns; i++)
        if (_conn_open(s, &s->conns[i], err)) goto fail;
    db = s->conns[0].db;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='format'", -1, &q, NULL) != SQLITE_OK ||
        sqlite3_step(q) != SQLITE_ROW) {
        _sqlerr(err, db, path, "not a clients store (no format)");
        goto fail;
    }
    format = sqlite3_column_int(q, 0);
    if (format < 1 || format > STORE_CLIENTS_FORMAT) {
        cs_err_set(err, CS_EVERSION, "%s: clients store format %d, this build reads 1 to %d", path, format,
                   STORE_CLIENTS_FORMAT);
        goto fail;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (_load_fields(s, db, format, err)) goto fail;
    for (int i = 0; i < n_conns; i++)
        if (_conn_prepare_get(s, &s->conns[i], err)) goto fail;
    if (sqlite3_prepare_v2(db, "SELECT idx, name FROM features ORDER BY idx", -1, &q, NULL) != SQLITE_OK) {
        _sqlerr(err, db, path, "reading feature names");
        goto fail;
    }
    while (sqlite3_step(q) == SQLITE_ROW)
        if (store__clients_add_feature(s, sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1), err))
            goto fail;
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM clients", -1, &q, NULL) != SQLITE_OK ||
        sqlite3_step(q) != SQLITE_ROW) {
        _sqlerr(err, db, path, "counting clients");
        goto fail;
    }
    s->count = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return s;
fail:
    sqlite3_finalize(q);
    store_clients_close(s);
    return NULL;
}

void store_clients_close(store_clients *s)
{
    if (!s) return;
    for (int i = 0; i < s->n_conns && s->conns; i++) _conn_close(&s->conns[i]);
    for (size_t j = 0; j < s->n_feats; j++) free(s->names[j]);
    free(s->names);
    for (size_t k = 0; k < s->n_fields; k++) {
        free((char *)s->fields[k].name);
        free((char *)s->fields[k].source);
        free((char *)s->fields[k].label_en);
        free((char *)s->fields[k].label_fr);
        free((char *)s->fields[k].unit);
    }
    free(s->fields);
    free(s->conns);
    free(s->path);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

size_t store_clients_n_feats(const store_clients *s) { return s->n_feats; }
const char *const *store_clients_feature_names(const store_clients *s) { return (const char *const *)s->names; }
int64_t store_clients_count(const store_clients *s) { return s->count; }
size_t store_clients_n_fields(const store_clients *s) { return s->n_fields; }

const store_field *store_clients_field(const store_clients *s, size_t k)
{
    assert(k < s->n_fields);
    return &s->fields[k];
}

static _conn *_acquire(store_clients *s)
{
    _conn *c = NULL;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        for (int i = 0; i < s->n_conns; i++)
            if (!s->conns[i].busy) {
                c = &s->conns[i];
                c->busy = 1;
                break;
            }
        if (c) break;
        pthread_cond_wait(&s->cv, &s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return c;
}

static void _release(store_clients *s, _conn *c)
{
    pthread_mutex_lock(&s->mu);
    c->busy = 0;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

static cs_status _read_x(store_clients *s, sqlite3_stmt *q, int col, int64_t id, double *x, cs_err *err)
{
    const void *blob = sqlite3_column_blob(q, col);
    size_t n = (size_t)sqlite3_column_bytes(q, col);
    if (n != s->n_feats * sizeof(double) || (!blob && n))
        return cs_err_set(err, CS_ECORRUPT, "%s: client %lld: feature vector of %zu bytes, expected %zu", s->path,
                          (long long)id, n, s->n_feats * sizeof(double));
    if (n) memcpy(x, blob, n);
    return CS_OK;
}

cs_status store_clients_features(store_clients *s, int64_t id, double *x, cs_err *err)
{
    _conn *c = _acquire(s);
    cs_status st;
    int rc;
    if (s->is_pg) {
        st = store__clients_pg_features(s, c, id, x, err);
        _release(s, c);
        return st;
    }
    sqlite3_bind_int64(c->get_x, 1, id);
    rc = sqlite3_step(c->get_x);
    if (rc == SQLITE_ROW) st = _read_x(s, c->get_x, 0, id, x, err);
    else if (rc == SQLITE_DONE) st = cs_err_set(err, CS_ENOTFOUND, "no client %lld in the clients store", (long long)id);
    else st = _sqlerr(err, c->db, s->path, "reading a client");
    sqlite3_reset(c->get_x);
    _release(s, c);
    return st;
}

/* raw columns of a row (id at col 0) into c */
static cs_status _read_raw(const store_clients *s, sqlite3_stmt *q, store_client *c, cs_err *err)
{
    int p = 0;
    c->id = sqlite3_column_int64(q, p++);
    c->target = sqlite3_column_type(q, p) == SQLITE_NULL ? NAN : sqlite3_column_double(q, p);
    p++;
    if (!(c->num = cs_malloc((s->n_fields ? s->n_fields : 1) * sizeof *c->num, err)) ||
        !(c->text = cs_calloc(s->n_fields ? s->n_fields : 1, sizeof *c->text, err)))
        return CS_ENOMEM;
    c->n_fields = s->n_fields;
    for (size_t k = 0; k < s->n_fields; k++, p++) {
        c->num[k] = NAN;
        if (sqlite3_column_type(q, p) == SQLITE_NULL) continue;
        if (s->fields[k].is_text) {
            const char *t = (const char *)sqlite3_column_text(q, p);
            if (t && !(c->text[k] = cs_strdup(t, err))) return CS_ENOMEM;
        } else c->num[k] = sqlite3_column_double(q, p);
    }
    return CS_OK;
}

cs_status store_clients_get(store_clients *s, int64_t id, store_client *c, cs_err *err)
{
    _conn *k = _acquire(s);
    cs_status st;
    int rc;
    store_client_clear(c);
    if (s->is_pg) {
        st = store__clients_pg_get(s, k, id, c, err);
        _release(s, k);
        if (st) store_client_clear(c);
        return st;
    }
    sqlite3_bind_int64(k->get, 1, id);
    rc = sqlite3_step(k->get);
    if (rc == SQLITE_ROW) {
        st = _read_raw(s, k->get, c, err);
        if (!st && !(c->x = cs_malloc((s->n_feats ? s->n_feats : 1) * sizeof *c->x, err))) st = CS_ENOMEM;
        if (!st) st = _read_x(s, k->get, 2 + (int)s->n_fields, id, c->x, err);
        if (!st) c->n_feats = s->n_feats;
    } else if (rc == SQLITE_DONE) st = cs_err_set(err, CS_ENOTFOUND, "no client %lld in the clients store", (long long)id);
    else st = _sqlerr(err, k->db, s->path, "reading a client");
    sqlite3_reset(k->get);
    _release(s, k);
    if (st) store_client_clear(c);
    return st;
}

cs_status store_clients_list(store_clients *s, int64_t offset, int64_t limit, const char *q, store_client **out,
                             size_t *n_out, int64_t *total, cs_err *err)
{
    _conn *k;
    cs_buf sql = {0};
    sqlite3_stmt *st_list = NULL, *st_count = NULL;
    store_client *list = NULL;
    size_t n = 0;
    cs_status st = CS_OK;
    char pattern[48];
    int have_q = q && *q;
    *out = NULL;
    *n_out = 0;
    *total = 0;
    if (offset < 0 || limit < 0) return cs_err_set(err, CS_EINVAL, "offset and limit must be >= 0");
    if (have_q) {
        size_t len = strlen(q);
        if (len > 19) return cs_err_set(err, CS_EINVAL, "q: at most 19 digits");
        for (size_t i = 0; i < len; i++)
            if (q[i] < '0' || q[i] > '9') return cs_err_set(err, CS_EINVAL, "q: digits of a client id expected");
        snprintf(pattern, sizeof pattern, "%s%%", q);
    }
    cs_buf_puts(&sql, "SELECT id, target", err);
    _field_cols(s, &sql, err);
    if (cs_buf_printf(&sql, err, " FROM clients %s ORDER BY id LIMIT ? OFFSET ?",
                      have_q ? "WHERE CAST(id AS TEXT) LIKE ?" : ""))
        return CS_ENOMEM;
    if (!(list = cs_calloc(limit ? (size_t)limit : 1, sizeof *list, err))) {
        cs_buf_free(&sql);
        return CS_ENOMEM;
    }
    k = _acquire(s);
    if (s->is_pg) {
        st = store__clients_pg_list(s, k, offset, limit, have_q ? pattern : NULL, list, &n, total, err);
        goto done;
    }
    if (sqlite3_prepare_v2(k->db, sql.data, -1, &st_list, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(k->db,
                           have_q ? "SELECT count(*) FROM clients WHERE CAST(id AS TEXT) LIKE ?"
                                  : "SELECT count(*) FROM clients",
                           -1, &st_count, NULL) != SQLITE_OK) {
        st = _sqlerr(err, k->db, s->path, "listing clients");
        goto done;
    }
    {
        int p = 1;
        if (have_q) {
            sqlite3_bind_text(st_list, p++, pattern, -1, SQLITE_STATIC);
            sqlite3_bind_text(st_count, 1, pattern, -1, SQLITE_STATIC);
        }
        sqlite3_bind_int64(st_list, p++, limit);
        sqlite3_bind_int64(st_list, p++, offset);
    }
    while (n < (size_t)limit && sqlite3_step(st_list) == SQLITE_ROW)
        if ((st = _read_raw(s, st_list, &list[n++], err))) goto done;
    if (sqlite3_step(st_count) == SQLITE_ROW) *total = sqlite3_column_int64(st_count, 0);
done:
    sqlite3_finalize(st_list);
    sqlite3_finalize(st_count);
    _release(s, k);
    cs_buf_free(&sql);
    if (st) {
        store_client_list_free(list, n);
        return st;
    }
    *out = list;
    *n_out = n;
    return CS_OK;
}
