/*
 * clients.c: the clients store (see clients.h): import from a feature matrix and the
 * application tables, then pooled read-only lookups for the API.
 */
#include "clients.h"

#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const store_num_fields[STORE_N_NUM] = {
    "age_years", "children", "family_members", "income", "employment_years", "credit", "annuity",
    "goods_price", "ext_source_1", "ext_source_2", "ext_source_3", "region_rating", "car_age_years"};
const char *const store_num_sources[STORE_N_NUM] = {
    "DAYS_BIRTH", "CNT_CHILDREN", "CNT_FAM_MEMBERS", "AMT_INCOME_TOTAL", "DAYS_EMPLOYED", "AMT_CREDIT",
    "AMT_ANNUITY", "AMT_GOODS_PRICE", "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "REGION_RATING_CLIENT",
    "OWN_CAR_AGE"};
const char *const store_text_fields[STORE_N_TEXT] = {
    "contract_type", "gender", "own_car", "own_realty", "family_status", "education", "income_type",
    "occupation", "housing_type"};
const char *const store_text_sources[STORE_N_TEXT] = {
    "NAME_CONTRACT_TYPE", "CODE_GENDER", "FLAG_OWN_CAR", "FLAG_OWN_REALTY", "NAME_FAMILY_STATUS",
    "NAME_EDUCATION_TYPE", "NAME_INCOME_TYPE", "OCCUPATION_TYPE", "NAME_HOUSING_TYPE"};

#define DAYS_EMPLOYED_ANOMALY 365243.0   /* the data set's "not employed" marker */

typedef struct _conn {
    sqlite3 *db;
    sqlite3_stmt *get_x;    /* SELECT x WHERE id = ? */
    sqlite3_stmt *get;      /* SELECT everything WHERE id = ? */
    int busy;
} _conn;

struct store_clients {
    char *path;
    size_t n_feats;
    char **names;
    int64_t count;
    int n_conns;
    _conn *conns;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

void store_client_clear(store_client *c)
{
    if (!c) return;
    for (int i = 0; i < STORE_N_TEXT; i++) free(c->text[i]);
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

static int _exec(sqlite3 *db, const char *sql, const char *path, cs_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        cs_err_set(err, CS_EIO, "%s: %s", path, msg ? msg : "sqlite error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

cs_status store_clients_import(const char *path, const feat_matrix *m, const tbl *const *apps, int n_apps,
                               cs_progress *progress, cs_err *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL;
    cs_buf sql = {0}, tmp = {0};
    int64_t *index = NULL;          /* pairs (id, app*2^32 + row), sorted by id */
    size_t n_index = 0;
    double *x = NULL;
    int src_num[8][STORE_N_NUM], src_text[8][STORE_N_TEXT], id_col[8];
    cs_status st = CS_OK;

    if (n_apps > 8) return cs_err_set(err, CS_EINVAL, "at most 8 application tables");
    for (int a = 0; a < n_apps; a++) {
        id_col[a] = tbl_col_index(apps[a], "SK_ID_CURR");
        if (id_col[a] < 0 || apps[a]->cols[id_col[a]].type != TBL_NUM)
            return cs_err_set(err, CS_EINVAL, "%s: no numeric SK_ID_CURR column", apps[a]->source);
        for (int k = 0; k < STORE_N_NUM; k++) {
            src_num[a][k] = tbl_col_index(apps[a], store_num_sources[k]);
            if (src_num[a][k] >= 0 && apps[a]->cols[src_num[a][k]].type != TBL_NUM) src_num[a][k] = -1;
        }
        for (int k = 0; k < STORE_N_TEXT; k++) {
            src_text[a][k] = tbl_col_index(apps[a], store_text_sources[k]);
            if (src_text[a][k] >= 0 && apps[a]->cols[src_text[a][k]].type != TBL_CAT) src_text[a][k] = -1;
        }
        n_index += apps[a]->n_rows;
    }
    if (n_index && !(index = cs_malloc(2 * n_index * sizeof *index, err))) return CS_ENOMEM;
    n_index = 0;
    for (int a = 0; a < n_apps; a++)
        for (size_t i = 0; i < apps[a]->n_rows; i++) {
            double id = apps[a]->cols[id_col[a]].num[i];
            if (id != id) continue;
            index[2 * n_index] = (int64_t)id;
            index[2 * n_index + 1] = ((int64_t)a << 32) | (int64_t)i;
            n_index++;
        }
    if (n_index) qsort(index, n_index, 2 * sizeof *index, _cmp_i64);
    if (!(x = cs_malloc((m->n_feats ? m->n_feats : 1) * sizeof *x, err))) {
        free(index);
        return CS_ENOMEM;
    }

    if (cs_buf_printf(&tmp, err, "%s.tmp", path)) { st = CS_ENOMEM; goto done; }
    unlink(tmp.data);
    if (sqlite3_open_v2(tmp.data, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        st = _sqlerr(err, db, tmp.data, "cannot create");
        goto done;
    }
    if (_exec(db,
              "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=8192;"
              "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
              "CREATE TABLE features(idx INTEGER PRIMARY KEY, name TEXT NOT NULL);",
              path, err)) { st = CS_EIO; goto done; }
    cs_buf_puts(&sql, "CREATE TABLE clients(id INTEGER PRIMARY KEY, target REAL", err);
    for (int k = 0; k < STORE_N_NUM; k++) cs_buf_printf(&sql, err, ", %s REAL", store_num_fields[k]);
    for (int k = 0; k < STORE_N_TEXT; k++) cs_buf_printf(&sql, err, ", %s TEXT", store_text_fields[k]);
    if (cs_buf_puts(&sql, ", x BLOB NOT NULL); BEGIN;", err)) { st = CS_ENOMEM; goto done; }
    if (_exec(db, sql.data, path, err)) { st = CS_EIO; goto done; }
    {
        char q[256];
        sqlite3_stmt *s = NULL;
        snprintf(q, sizeof q, "INSERT INTO meta VALUES('format','%d'),('n_feats','%zu'),('created',datetime('now'))",
                 STORE_CLIENTS_FORMAT, m->n_feats);
        if (_exec(db, q, path, err)) { st = CS_EIO; goto done; }
        if (sqlite3_prepare_v2(db, "INSERT INTO features VALUES(?,?)", -1, &s, NULL) != SQLITE_OK) {
            st = _sqlerr(err, db, path, "prepare");
            goto done;
        }
        for (size_t j = 0; j < m->n_feats; j++) {
            sqlite3_bind_int64(s, 1, (sqlite3_int64)j);
            sqlite3_bind_text(s, 2, m->names[j], -1, SQLITE_STATIC);
            if (sqlite3_step(s) != SQLITE_DONE) {
                st = _sqlerr(err, db, path, "insert feature name");
                sqlite3_finalize(s);
                goto done;
            }
            sqlite3_reset(s);
        }
        sqlite3_finalize(s);
    }
    cs_buf_free(&sql);
    cs_buf_puts(&sql, "INSERT INTO clients VALUES(?,?", err);
    for (int k = 0; k < STORE_N_NUM + STORE_N_TEXT; k++) cs_buf_puts(&sql, ",?", err);
    if (cs_buf_puts(&sql, ",?)", err)) { st = CS_ENOMEM; goto done; }
    if (sqlite3_prepare_v2(db, sql.data, -1, &ins, NULL) != SQLITE_OK) {
        st = _sqlerr(err, db, path, "prepare");
        goto done;
    }
    for (size_t i = 0; i < m->n_rows; i++) {
        int64_t id = m->ids[i];
        int p = 1, a = -1;
        size_t row = 0;
        /* binary search for the application row */
        size_t lo = 0, hi = n_index;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (index[2 * mid] < id) lo = mid + 1;
            else hi = mid;
        }
        if (lo < n_index && index[2 * lo] == id) {
            a = (int)(index[2 * lo + 1] >> 32);
            row = (size_t)(index[2 * lo + 1] & 0xffffffff);
        }
        sqlite3_bind_int64(ins, p++, id);
        if (m->target && m->target[i] == m->target[i]) sqlite3_bind_double(ins, p++, m->target[i]);
        else sqlite3_bind_null(ins, p++);
        for (int k = 0; k < STORE_N_NUM; k++, p++) {
            double v = NAN;
            if (a >= 0 && src_num[a][k] >= 0) v = apps[a]->cols[src_num[a][k]].num[row];
            if (!strcmp(store_num_sources[k], "DAYS_BIRTH")) v = -v / 365.25;
            else if (!strcmp(store_num_sources[k], "DAYS_EMPLOYED")) v = v == DAYS_EMPLOYED_ANOMALY ? NAN : -v / 365.25;
            if (v == v && isfinite(v)) sqlite3_bind_double(ins, p, v);
            else sqlite3_bind_null(ins, p);
        }
        for (int k = 0; k < STORE_N_TEXT; k++, p++) {
            const tbl_column *c = a >= 0 && src_text[a][k] >= 0 ? &apps[a]->cols[src_text[a][k]] : NULL;
            int32_t code = c ? c->codes[row] : -1;
            if (c && code >= 0 && code < c->n_cats) sqlite3_bind_text(ins, p, c->cats[code], -1, SQLITE_STATIC);
            else sqlite3_bind_null(ins, p);
        }
        for (size_t j = 0; j < m->n_feats; j++) x[j] = m->values[j * m->n_rows + i];
        sqlite3_bind_blob(ins, p, x, (int)(m->n_feats * sizeof *x), SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            st = cs_err_set(err, CS_EIO, "%s: client %lld: %s", path, (long long)id, sqlite3_errmsg(db));
            goto done;
        }
        sqlite3_reset(ins);
        if (progress && (i % 1024 == 0)) cs_progress_update(progress, i, NULL);
    }
    if (_exec(db, "COMMIT;", path, err)) { st = CS_EIO; goto done; }
    sqlite3_finalize(ins);
    ins = NULL;
    if (sqlite3_close(db) != SQLITE_OK) {
        st = cs_err_set(err, CS_EIO, "%s: close failed", tmp.data);
        db = NULL;
        goto done;
    }
    db = NULL;
    if (rename(tmp.data, path) != 0) st = cs_err_set(err, CS_EIO, "%s: cannot rename %s into place", path, tmp.data);
    if (progress) cs_progress_finish(progress, NULL);
done:
    sqlite3_finalize(ins);
    if (db) sqlite3_close(db);
    if (st != CS_OK && tmp.data) unlink(tmp.data);
    cs_buf_free(&sql);
    cs_buf_free(&tmp);
    free(index);
    free(x);
    return st;
}

/* ---- reading ------------------------------------------------------------------------ */

static cs_status _conn_open(store_clients *s, _conn *c, cs_err *err)
{
    cs_buf q = {0}, uri = {0};
    int rc;
    /* immutable: no file locks and no change checks per query (the store is written once,
     * to a temporary file renamed into place, so an open store never changes under us) */
    cs_buf_puts(&uri, "file:", err);
    for (const char *p = s->path; *p; p++) {
        if (*p == '?' || *p == '#' || *p == '%') cs_buf_printf(&uri, err, "%%%02X", (unsigned char)*p);
        else cs_buf_append(&uri, p, 1, err);
    }
    if (cs_buf_puts(&uri, "?immutable=1", err)) return CS_ENOMEM;
    rc = sqlite3_open_v2(uri.data, &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL);
    cs_buf_free(&uri);
    if (rc != SQLITE_OK) return _sqlerr(err, c->db, s->path, "cannot open the clients store");
    sqlite3_exec(c->db, "PRAGMA mmap_size=268435456; PRAGMA query_only=1;", NULL, NULL, NULL);
    if (sqlite3_prepare_v3(c->db, "SELECT x FROM clients WHERE id=?", -1, SQLITE_PREPARE_PERSISTENT, &c->get_x,
                           NULL) != SQLITE_OK)
        return _sqlerr(err, c->db, s->path, "not a clients store");
    cs_buf_puts(&q, "SELECT id, target", err);
    for (int k = 0; k < STORE_N_NUM; k++) cs_buf_printf(&q, err, ", %s", store_num_fields[k]);
    for (int k = 0; k < STORE_N_TEXT; k++) cs_buf_printf(&q, err, ", %s", store_text_fields[k]);
    if (cs_buf_puts(&q, ", x FROM clients WHERE id=?", err)) return CS_ENOMEM;
    if (sqlite3_prepare_v3(c->db, q.data, -1, SQLITE_PREPARE_PERSISTENT, &c->get, NULL) != SQLITE_OK) {
        cs_buf_free(&q);
        return _sqlerr(err, c->db, s->path, "not a clients store");
    }
    cs_buf_free(&q);
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
    sqlite3_finalize(c.get);
    sqlite3_finalize(c.get_x);
    if (c.db) sqlite3_close(c.db);
    return st;
}

store_clients *store_clients_open(const char *path, int n_conns, cs_err *err)
{
    store_clients *s;
    sqlite3_stmt *q = NULL;
    sqlite3 *db;
    if (n_conns < 1 || n_conns > 64) {
        cs_err_set(err, CS_EINVAL, "store_clients_open: n_conns %d out of 1..64", n_conns);
        return NULL;
    }
    if (access(path, R_OK) != 0) {
        cs_err_set(err, CS_EIO, "%s: cannot read the clients store", path);
        return NULL;
    }
    if (!(s = cs_calloc(1, sizeof *s, err))) return NULL;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (!(s->path = cs_strdup(path, err)) || !(s->conns = cs_calloc((size_t)n_conns, sizeof *s->conns, err))) goto fail;
    s->n_conns = n_conns;
    for (int i = 0; i < n_conns; i++)
        if (_conn_open(s, &s->conns[i], err)) goto fail;
    db = s->conns[0].db;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='format'", -1, &q, NULL) != SQLITE_OK ||
        sqlite3_step(q) != SQLITE_ROW) {
        _sqlerr(err, db, path, "not a clients store (no format)");
        goto fail;
    }
    if (sqlite3_column_int(q, 0) != STORE_CLIENTS_FORMAT) {
        cs_err_set(err, CS_EVERSION, "%s: clients store format %d, this build reads %d", path,
                   sqlite3_column_int(q, 0), STORE_CLIENTS_FORMAT);
        goto fail;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(db, "SELECT idx, name FROM features ORDER BY idx", -1, &q, NULL) != SQLITE_OK) {
        _sqlerr(err, db, path, "reading feature names");
        goto fail;
    }
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 1);
        void *p;
        if (sqlite3_column_int64(q, 0) != (sqlite3_int64)s->n_feats || !name) {
            cs_err_set(err, CS_ECORRUPT, "%s: feature list has a gap at %zu", path, s->n_feats);
            goto fail;
        }
        if (!(p = cs_reallocarray(s->names, s->n_feats + 1, sizeof *s->names, err))) goto fail;
        s->names = p;
        if (!(s->names[s->n_feats] = cs_strdup(name, err))) goto fail;
        s->n_feats++;
    }
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
    for (int i = 0; i < s->n_conns && s->conns; i++) {
        sqlite3_finalize(s->conns[i].get_x);
        sqlite3_finalize(s->conns[i].get);
        sqlite3_close(s->conns[i].db);
    }
    for (size_t j = 0; j < s->n_feats; j++) free(s->names[j]);
    free(s->names);
    free(s->conns);
    free(s->path);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

size_t store_clients_n_feats(const store_clients *s) { return s->n_feats; }
const char *const *store_clients_feature_names(const store_clients *s) { return (const char *const *)s->names; }
int64_t store_clients_count(const store_clients *s) { return s->count; }

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
static cs_status _read_raw(sqlite3_stmt *q, store_client *c, cs_err *err)
{
    int p = 0;
    c->id = sqlite3_column_int64(q, p++);
    c->target = sqlite3_column_type(q, p) == SQLITE_NULL ? NAN : sqlite3_column_double(q, p);
    p++;
    for (int k = 0; k < STORE_N_NUM; k++, p++)
        c->num[k] = sqlite3_column_type(q, p) == SQLITE_NULL ? NAN : sqlite3_column_double(q, p);
    for (int k = 0; k < STORE_N_TEXT; k++, p++) {
        const char *t = (const char *)sqlite3_column_text(q, p);
        if (t && !(c->text[k] = cs_strdup(t, err))) return CS_ENOMEM;
    }
    return CS_OK;
}

cs_status store_clients_get(store_clients *s, int64_t id, store_client *c, cs_err *err)
{
    _conn *k = _acquire(s);
    cs_status st;
    int rc;
    store_client_clear(c);
    sqlite3_bind_int64(k->get, 1, id);
    rc = sqlite3_step(k->get);
    if (rc == SQLITE_ROW) {
        st = _read_raw(k->get, c, err);
        if (!st && !(c->x = cs_malloc((s->n_feats ? s->n_feats : 1) * sizeof *c->x, err))) st = CS_ENOMEM;
        if (!st) st = _read_x(s, k->get, 2 + STORE_N_NUM + STORE_N_TEXT, id, c->x, err);
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
    for (int i = 0; i < STORE_N_NUM; i++) cs_buf_printf(&sql, err, ", %s", store_num_fields[i]);
    for (int i = 0; i < STORE_N_TEXT; i++) cs_buf_printf(&sql, err, ", %s", store_text_fields[i]);
    if (cs_buf_printf(&sql, err, " FROM clients %s ORDER BY id LIMIT ? OFFSET ?",
                      have_q ? "WHERE CAST(id AS TEXT) LIKE ?" : ""))
        return CS_ENOMEM;
    if (!(list = cs_calloc(limit ? (size_t)limit : 1, sizeof *list, err))) {
        cs_buf_free(&sql);
        return CS_ENOMEM;
    }
    k = _acquire(s);
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
        if ((st = _read_raw(st_list, &list[n++], err))) goto done;
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
