/*
 * outcomes.c: observed outcomes in the audit database (contract in outcomes.h): the CSV
 * import with its checks, the reader, and the lean reader of decisions.
 */
#include "outcomes.h"
#include "audit.h"
#include "db.h"
#include "pg.h"
#include "schema.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const _kind_col[2] = {"request_id", "client_id"};

void store_outcome_report_clear(store_outcome_report *r)
{
    if (!r) return;
    free(r->issues);
    memset(r, 0, sizeof *r);
}

const char *store_outcome_issue_name(store_outcome_issue_kind k)
{
    switch (k) {
    case STORE_OI_UNKNOWN: return "unknown id";
    case STORE_OI_DUPLICATE: return "duplicate";
    case STORE_OI_CONFLICT_IN_FILE: return "conflicting duplicate";
    case STORE_OI_CONFLICT: return "conflict with the recorded outcome";
    case STORE_OI_BEFORE_DECISION: return "observed before the decision";
    }
    return "?";
}

/* ---- the file ------------------------------------------------------------------------ */

typedef struct _row {
    store_outcome o;
    size_t line;
    int64_t first_decision;     /* earliest decision with this key, INT64_MAX when none */
    int skip;                   /* not imported (an issue was recorded) */
} _row;

static int64_t _now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* trim spaces and a pair of surrounding double quotes, in place */
static char *_field(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t') s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) *--e = '\0';
    if (e - s >= 2 && s[0] == '"' && e[-1] == '"') {
        e[-1] = '\0';
        s++;
    }
    return s;
}

static int _valid_request_id(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64) return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' ||
              *s == '_' || *s == '-'))
            return 0;
    return 1;
}

static cs_status _parse(const char *path, char *text, _row **rows_out, size_t *n_out, store_outcome_kind *kind,
                        cs_err *err)
{
    char *line = text, *next;
    size_t lno = 0, n = 0, cap = 0;
    int col_key = -1, col_def = -1, col_obs = -1, n_cols = 0;
    _row *rows = NULL;
    *rows_out = NULL;
    *n_out = 0;
    for (; line && *line; line = next) {
        char *f[8], *p;
        int nf = 0;
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        lno++;
        if (!*_field(line)) {
            if (lno == 1) break;
            continue; /* a blank line */
        }
        for (p = line; nf < 8;) {
            char *c = strchr(p, ',');
            if (c) *c = '\0';
            f[nf++] = _field(p);
            if (!c) break;
            p = c + 1;
        }
        if (lno == 1) {
            for (int k = 0; k < nf; k++) {
                if (!strcmp(f[k], "request_id") || !strcmp(f[k], "client_id")) {
                    if (col_key >= 0) {
                        free(rows);
                        return cs_err_set(err, CS_EPARSE, "%s:1:%d: a second id column '%s' (one of request_id, client_id)",
                                          path, k + 1, f[k]);
                    }
                    col_key = k;
                    *kind = !strcmp(f[k], "request_id") ? STORE_OUTCOME_REQUEST : STORE_OUTCOME_CLIENT;
                } else if (!strcmp(f[k], "default"))
                    col_def = k;
                else if (!strcmp(f[k], "observed"))
                    col_obs = k;
                else
                    return cs_err_set(err, CS_EPARSE,
                                      "%s:1:%d: unknown column '%s' (the header is request_id or client_id, default, observed)",
                                      path, k + 1, f[k]);
            }
            if (col_key < 0 || col_def < 0 || col_obs < 0)
                return cs_err_set(err, CS_EPARSE, "%s:1: the header needs request_id or client_id, default and observed",
                                  path);
            n_cols = nf;
            continue;
        }
        if (nf != n_cols) {
            free(rows);
            return cs_err_set(err, CS_EPARSE, "%s:%zu: %d fields, the header has %d", path, lno, nf, n_cols);
        }
        if (n == cap) {
            _row *r2 = cs_reallocarray(rows, cap ? 2 * cap : 1024, sizeof *rows, err);
            if (!r2) {
                free(rows);
                return CS_ENOMEM;
            }
            rows = r2;
            cap = cap ? 2 * cap : 1024;
        }
        _row *r = &rows[n];
        memset(r, 0, sizeof *r);
        r->line = lno;
        r->first_decision = INT64_MAX;
        r->o.kind = *kind;
        {
            const char *k = f[col_key];
            if (*kind == STORE_OUTCOME_CLIENT) {
                char *e;
                errno = 0;
                long long id = strtoll(k, &e, 10);
                if (!*k || *e || errno || id < 0) {
                    free(rows);
                    return cs_err_set(err, CS_EPARSE, "%s:%zu:%d: client_id '%s' is not a whole number >= 0", path, lno,
                                      col_key + 1, k);
                }
                snprintf(r->o.key, sizeof r->o.key, "%lld", id);
            } else {
                if (!_valid_request_id(k)) {
                    free(rows);
                    return cs_err_set(err, CS_EPARSE, "%s:%zu:%d: request_id '%.80s' is not 1-64 of [A-Za-z0-9._-]", path,
                                      lno, col_key + 1, k);
                }
                snprintf(r->o.key, sizeof r->o.key, "%s", k);
            }
        }
        if (!strcmp(f[col_def], "0") || !strcmp(f[col_def], "1"))
            r->o.defaulted = f[col_def][0] == '1';
        else {
            free(rows);
            return cs_err_set(err, CS_EPARSE, "%s:%zu:%d: default '%.40s' is not 0 or 1", path, lno, col_def + 1,
                              f[col_def]);
        }
        r->o.observed_ms = store_audit_parse_time(f[col_obs]);
        if (r->o.observed_ms < 0) {
            free(rows);
            return cs_err_set(err, CS_EPARSE, "%s:%zu:%d: observed '%.40s' is not a date YYYY-MM-DD or a UTC time", path,
                              lno, col_obs + 1, f[col_obs]);
        }
        n++;
    }
    if (col_key < 0)
        return cs_err_set(err, CS_EPARSE, "%s:1: empty file (the header is request_id or client_id, default, observed)",
                          path);
    *rows_out = rows;
    *n_out = n;
    return CS_OK;
}

/* ---- the import -------------------------------------------------------------------- */

static int _cmp_key(const void *a, const void *b)
{
    const _row *x = a, *y = b;
    int c;
    if (x->o.kind == STORE_OUTCOME_CLIENT) {
        long long p = atoll(x->o.key), q = atoll(y->o.key);
        c = (p > q) - (p < q);
    } else
        c = strcmp(x->o.key, y->o.key);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int _cmp_issue(const void *a, const void *b)
{
    const store_outcome_issue *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

static void _date(int64_t ms, char out[32])
{
    store_audit_format_time(ms, out);
    if (!strcmp(out + 10, "T00:00:00.000Z")) out[10] = '\0';
}

static cs_status _issue(store_outcome_report *rep, size_t *cap, const _row *r, store_outcome_issue_kind k,
                        const char *detail, cs_err *err)
{
    if (rep->n_issues == *cap) {
        store_outcome_issue *i2 = cs_reallocarray(rep->issues, *cap ? 2 * *cap : 64, sizeof *i2, err);
        if (!i2) return CS_ENOMEM;
        rep->issues = i2;
        *cap = *cap ? 2 * *cap : 64;
    }
    store_outcome_issue *is = &rep->issues[rep->n_issues++];
    memset(is, 0, sizeof *is);
    is->line = r->line;
    is->kind = k;
    snprintf(is->key, sizeof is->key, "%s", r->o.key);
    snprintf(is->detail, sizeof is->detail, "%s", detail ? detail : "");
    switch (k) {
    case STORE_OI_UNKNOWN: rep->unknown++; break;
    case STORE_OI_DUPLICATE: rep->duplicates++; break;
    case STORE_OI_CONFLICT_IN_FILE: rep->conflicts_in_file++; break;
    case STORE_OI_CONFLICT: rep->conflicts++; break;
    case STORE_OI_BEFORE_DECISION: rep->before_decision++; break;
    }
    return CS_OK;
}

/* the first decision of every key of rows (sorted by key): one pass over the audit log. From
 * schema version 3 on, decisions only: a lookup or a simulation of a client is not its decision */
static cs_status _find_decisions(sqlite3 *db, const char *path, int version, _row *rows, size_t n,
                                 store_outcome_kind kind, cs_err *err)
{
    sqlite3_stmt *q = NULL;
    int rc;
    const char *sql = kind == STORE_OUTCOME_CLIENT
                          ? (version >= 3 ? "SELECT client_id, unix_ms FROM audit WHERE client_id IS NOT NULL AND kind = 'decision'"
                                          : "SELECT client_id, unix_ms FROM audit WHERE client_id IS NOT NULL")
                          : (version >= 3 ? "SELECT request_id, unix_ms FROM audit WHERE request_id IS NOT NULL AND kind = 'decision'"
                                          : "SELECT request_id, unix_ms FROM audit WHERE request_id IS NOT NULL");
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return cs_err_set(err, CS_EIO, "%s: not an audit log: %s", path, sqlite3_errmsg(db));
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        _row key;
        int64_t t = sqlite3_column_int64(q, 1);
        size_t lo = 0, hi = n;
        memset(&key, 0, sizeof key);
        key.o.kind = kind;
        if (kind == STORE_OUTCOME_CLIENT)
            snprintf(key.o.key, sizeof key.o.key, "%lld", (long long)sqlite3_column_int64(q, 0));
        else {
            const unsigned char *s = sqlite3_column_text(q, 0);
            snprintf(key.o.key, sizeof key.o.key, "%s", s ? (const char *)s : "");
        }
        /* the first row of the key (line 0 sorts before every line) */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (_cmp_key(&rows[mid], &key) < 0) lo = mid + 1;
            else hi = mid;
        }
        for (size_t i = lo; i < n && !strcmp(rows[i].o.key, key.o.key); i++)
            if (t < rows[i].first_decision) rows[i].first_decision = t;
    }
    if (rc != SQLITE_DONE) {
        sqlite3_finalize(q);
        return cs_err_set(err, CS_EIO, "%s: %s", path, sqlite3_errmsg(db));
    }
    sqlite3_finalize(q);
    return CS_OK;
}

static char *_read_file(const char *path, cs_err *err)
{
    cs_buf b = {0};
    return cs_buf_read_file(&b, path, err) ? NULL : cs_buf_take(&b);
}

/* outcomes live beside the decisions in a SQLite log only, in this release */
static cs_status _pg_unsupported(const char *url, cs_err *err)
{
    (void)url;
    return cs_err_set(err, CS_EUNSUPPORTED, "outcomes are kept in a SQLite audit log only: a PostgreSQL audit log "
                                            "(serve --audit postgresql://...) does not hold them yet");
}

cs_status store_outcomes_import_csv(const char *audit_path, const char *csv_path, store_outcome_report *rep,
                                    cs_err *err)
{
    char *text = NULL;
    _row *rows = NULL;
    size_t n = 0, icap = 0;
    store_outcome_kind kind = STORE_OUTCOME_CLIENT;
    store_db *d = NULL;
    sqlite3 *db = NULL;
    sqlite3_stmt *get = NULL, *ins = NULL;
    cs_status st;
    int in_tx = 0, version = 0;
    int64_t now = _now_ms();

    memset(rep, 0, sizeof *rep);
    if (store_pg_is_url(audit_path)) return _pg_unsupported(audit_path, err);
    if (!(text = _read_file(csv_path, err))) return err ? err->code : CS_EIO;
    st = _parse(csv_path, text, &rows, &n, &kind, err);
    free(text);
    if (st) return st;
    rep->rows = n;

    /* the log must exist (outcomes go beside decisions): no CREATE */
    if (!(d = store_db_open(audit_path, 0, "the audit log", err))) {
        st = err ? err->code : CS_EIO;
        goto out;
    }
    db = store_db_sqlite(d);
    if ((st = store_db_migrate(d, &store_schema_outcomes, err))) goto out;
    qsort(rows, n, sizeof *rows, _cmp_key);
    if ((st = store_db_check(d, &store_schema_audit, &version, err))) {
        if (st != CS_EVERSION) cs_err_prefix(err, "not an audit log: ");
        goto out;
    }
    if ((st = _find_decisions(db, audit_path, version, rows, n, kind, err))) goto out;

    if ((st = store_db_begin(d, err))) goto out;
    in_tx = 1;
    if (sqlite3_prepare_v2(db, "SELECT defaulted, observed_ms FROM outcomes WHERE key_kind = ? AND key = ?", -1, &get,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO outcomes(key_kind, key, defaulted, observed_ms, imported_ms, source)"
                           " VALUES (?, ?, ?, ?, ?, ?)",
                           -1, &ins, NULL) != SQLITE_OK) {
        st = cs_err_set(err, CS_EIO, "%s: %s", audit_path, sqlite3_errmsg(db));
        goto out;
    }
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        int same = 1;
        char d1[32], d2[32], detail[160];
        while (j < n && !strcmp(rows[j].o.key, rows[i].o.key)) {
            same &= rows[j].o.defaulted == rows[i].o.defaulted && rows[j].o.observed_ms == rows[i].o.observed_ms;
            j++;
        }
        /* a key on several rows: once when they agree, never when they do not */
        for (size_t k = i + 1; k < j; k++) {
            snprintf(detail, sizeof detail, "also on line %zu", rows[i].line);
            if ((st = _issue(rep, &icap, &rows[k], same ? STORE_OI_DUPLICATE : STORE_OI_CONFLICT_IN_FILE, detail, err)))
                goto out;
            rows[k].skip = 1;
        }
        if (!same) {
            snprintf(detail, sizeof detail, "the key is on %zu rows with different outcomes", j - i);
            if ((st = _issue(rep, &icap, &rows[i], STORE_OI_CONFLICT_IN_FILE, detail, err))) goto out;
            i = j;
            continue;
        }
        _row *r = &rows[i];
        i = j;
        if (r->first_decision == INT64_MAX) {
            if ((st = _issue(rep, &icap, r, STORE_OI_UNKNOWN, "no decision in the audit log has this id", err)))
                goto out;
            continue;
        }
        if (r->o.observed_ms < r->first_decision) {
            _date(r->o.observed_ms, d1);
            store_audit_format_time(r->first_decision, d2);
            snprintf(detail, sizeof detail, "observed %s, first decision %s", d1, d2);
            if ((st = _issue(rep, &icap, r, STORE_OI_BEFORE_DECISION, detail, err))) goto out;
            continue;
        }
        sqlite3_reset(get);
        sqlite3_bind_text(get, 1, _kind_col[kind], -1, SQLITE_STATIC);
        sqlite3_bind_text(get, 2, r->o.key, -1, SQLITE_STATIC);
        int rc = sqlite3_step(get);
        if (rc == SQLITE_ROW) {
            int dflt = sqlite3_column_int(get, 0);
            int64_t obs = sqlite3_column_int64(get, 1);
            if (dflt == r->o.defaulted && obs == r->o.observed_ms) {
                rep->unchanged++;
                continue;
            }
            _date(obs, d1);
            _date(r->o.observed_ms, d2);
            snprintf(detail, sizeof detail, "recorded: default %d observed %s; this file: default %d observed %s", dflt,
                     d1, r->o.defaulted, d2);
            if ((st = _issue(rep, &icap, r, STORE_OI_CONFLICT, detail, err))) goto out;
            continue;
        }
        if (rc != SQLITE_DONE) {
            st = cs_err_set(err, CS_EIO, "%s: %s", audit_path, sqlite3_errmsg(db));
            goto out;
        }
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, _kind_col[kind], -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, r->o.key, -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 3, r->o.defaulted);
        sqlite3_bind_int64(ins, 4, r->o.observed_ms);
        sqlite3_bind_int64(ins, 5, now);
        sqlite3_bind_text(ins, 6, csv_path, -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            st = cs_err_set(err, CS_EIO, "%s: cannot record an outcome: %s", audit_path, sqlite3_errmsg(db));
            goto out;
        }
        rep->inserted++;
    }
    sqlite3_finalize(get);
    sqlite3_finalize(ins);
    get = ins = NULL;
    if ((st = store_db_commit(d, err))) {
        in_tx = 0;
        goto out;
    }
    in_tx = 0;
    if (rep->n_issues) qsort(rep->issues, rep->n_issues, sizeof *rep->issues, _cmp_issue);
    st = CS_OK;
out:
    sqlite3_finalize(get);
    sqlite3_finalize(ins);
    if (in_tx) store_db_rollback(d);
    store_db_close(d);
    free(rows);
    if (st) {
        store_outcome_report_clear(rep);
        rep->rows = n;
    }
    return st;
}

/* ---- reading ------------------------------------------------------------------------- */

cs_status store_outcomes_read(const char *audit_path, store_outcome_fn fn, void *ud, cs_err *err)
{
    store_db *d;
    sqlite3_stmt *q = NULL;
    cs_status st = CS_OK;
    int rc, version;
    if (store_pg_is_url(audit_path)) return _pg_unsupported(audit_path, err);
    if (!(d = store_db_open(audit_path, STORE_DB_READONLY, "the audit log", err))) return err ? err->code : CS_EIO;
    if ((st = store_db_check(d, &store_schema_outcomes, &version, err))) {
        store_db_close(d);
        return st;
    }
    if (sqlite3_prepare_v2(store_db_sqlite(d), "SELECT key_kind, key, defaulted, observed_ms FROM outcomes", -1, &q,
                           NULL) != SQLITE_OK) {
        /* no outcomes table: nothing imported yet */
        int none = strstr(sqlite3_errmsg(store_db_sqlite(d)), "no such table") != NULL;
        if (!none) st = store_db_fail(d, "reading the outcomes", err);
        store_db_close(d);
        return st;
    }
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        store_outcome o;
        const unsigned char *k = sqlite3_column_text(q, 0), *key = sqlite3_column_text(q, 1);
        size_t kl = key ? strlen((const char *)key) : 0;
        memset(&o, 0, sizeof o);
        o.kind = k && !strcmp((const char *)k, "request_id") ? STORE_OUTCOME_REQUEST : STORE_OUTCOME_CLIENT;
        if (kl >= sizeof o.key) kl = sizeof o.key - 1;   /* cut as snprintf would, without its cost */
        if (kl) memcpy(o.key, key, kl);
        o.defaulted = sqlite3_column_int(q, 2) != 0;
        o.observed_ms = sqlite3_column_int64(q, 3);
        if (fn(&o, ud)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) st = store_db_fail(d, "reading the outcomes", err);
    sqlite3_finalize(q);
    store_db_close(d);
    return st;
}

cs_status store_outcomes_has_request_keys(const char *audit_path, int *has, cs_err *err)
{
    store_db *d;
    sqlite3_stmt *q = NULL;
    cs_status st = CS_OK;
    int rc, version;
    *has = 0;
    if (store_pg_is_url(audit_path)) return _pg_unsupported(audit_path, err);
    if (!(d = store_db_open(audit_path, STORE_DB_READONLY, "the audit log", err))) return err ? err->code : CS_EIO;
    if ((st = store_db_check(d, &store_schema_outcomes, &version, err))) {
        store_db_close(d);
        return st;
    }
    if (sqlite3_prepare_v2(store_db_sqlite(d), "SELECT 1 FROM outcomes WHERE key_kind = 'request_id' LIMIT 1", -1, &q,
                           NULL) != SQLITE_OK) {
        int none = strstr(sqlite3_errmsg(store_db_sqlite(d)), "no such table") != NULL;
        if (!none) st = store_db_fail(d, "reading the outcomes", err);
        store_db_close(d);
        return st;
    }
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) *has = 1;
    else if (rc != SQLITE_DONE) st = store_db_fail(d, "reading the outcomes", err);
    sqlite3_finalize(q);
    store_db_close(d);
    return st;
}

typedef struct _adapt {
    store_decision_fn fn;
    void *ud;
} _adapt;

static int _from_rec(const store_audit_rec *r, void *ud)
{
    const _adapt *a = ud;
    store_decision d = {r->seq,
                        r->unix_ms,
                        r->client_id,
                        r->probability,
                        !strcmp(r->decision, "refuse"),
                        r->request_id,
                        r->model_name,
                        r->model_version,
                        r->challenger_name,
                        r->challenger_version,
                        r->challenger_probability,
                        r->challenger_decision};
    return a->fn(&d, a->ud);
}

cs_status store_audit_decisions(const char *audit_path, int64_t since_ms, store_decision_fn fn, void *ud,
                                cs_err *err)
{
    store_db *db;
    sqlite3_stmt *q = NULL;
    cs_status st = CS_OK;
    int rc, version;
    if (store_pg_is_url(audit_path)) {   /* PostgreSQL: through the audit reader */
        _adapt a = {fn, ud};
        return store_audit_read(audit_path, since_ms, 0, _from_rec, &a, err);
    }
    if (!(db = store_db_open(audit_path, STORE_DB_READONLY, "the audit log", err))) return err ? err->code : CS_EIO;
    sqlite3_exec(store_db_sqlite(db), "PRAGMA mmap_size=1073741824", NULL, NULL, NULL);
    if ((st = store_db_check(db, &store_schema_audit, &version, err)) ||
        (st = store_db_prepare(db,
                               /* decisions only: not the lookups nor the simulations (version 3's kind) */
                               version >= 3 ? "SELECT seq, unix_ms, client_id, probability, decision, request_id, model_name,"
                                              " model_version, challenger_name, challenger_version, challenger_probability,"
                                              " challenger_decision FROM audit WHERE unix_ms >= ? AND kind = 'decision'"
                                              " ORDER BY seq"
                               : version >= 2 ? "SELECT seq, unix_ms, client_id, probability, decision, request_id, model_name,"
                                              " model_version, challenger_name, challenger_version, challenger_probability,"
                                              " challenger_decision FROM audit WHERE unix_ms >= ? ORDER BY seq"
                                            : "SELECT seq, unix_ms, client_id, probability, decision, request_id, model_name,"
                                              " model_version, NULL, NULL, NULL, NULL FROM audit WHERE unix_ms >= ? ORDER BY seq",
                               &q, err))) {
        if (st != CS_EVERSION) cs_err_prefix(err, "not an audit log: ");
        store_db_close(db);
        return st;
    }
    sqlite3_bind_int64(q, 1, since_ms);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        store_decision d;
        const unsigned char *dec = sqlite3_column_text(q, 4);
        d.seq = sqlite3_column_int64(q, 0);
        d.unix_ms = sqlite3_column_int64(q, 1);
        d.client_id = sqlite3_column_type(q, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 2);
        d.probability = sqlite3_column_type(q, 3) == SQLITE_NULL ? (double)NAN : sqlite3_column_double(q, 3);
        d.refused = dec && !strcmp((const char *)dec, "refuse");
        d.request_id = (const char *)sqlite3_column_text(q, 5);
        d.model_name = (const char *)sqlite3_column_text(q, 6);
        d.model_version = (const char *)sqlite3_column_text(q, 7);
        if (!d.request_id) d.request_id = "";
        if (!d.model_name) d.model_name = "";
        if (!d.model_version) d.model_version = "";
        d.challenger_name = (const char *)sqlite3_column_text(q, 8);
        d.challenger_version = (const char *)sqlite3_column_text(q, 9);
        d.challenger_probability = sqlite3_column_type(q, 10) == SQLITE_NULL ? (double)NAN : sqlite3_column_double(q, 10);
        d.challenger_decision = (const char *)sqlite3_column_text(q, 11);
        if (!d.challenger_name) d.challenger_name = "";
        if (!d.challenger_version) d.challenger_version = "";
        if (!d.challenger_decision) d.challenger_decision = "";
        if (fn(&d, ud)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) st = store_db_fail(db, "reading the decisions", err);
    sqlite3_finalize(q);
    store_db_close(db);
    return st;
}
