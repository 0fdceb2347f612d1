/*
 * clients_int.h: what clients.c (the store's contract, the import's rows, the SQLite
 * backend) shares with clients_pg.c (the PostgreSQL backend); not part of the module's
 * contract.
 *
 * In PostgreSQL the store is four tables of the database the URL names, the SQLite layout
 * with its tables prefixed so that they sit beside the audit log and the registry:
 *   clients_meta(key TEXT PRIMARY KEY, value TEXT)
 *   clients_features(idx INTEGER PRIMARY KEY, name TEXT)
 *   clients_fields(idx INTEGER PRIMARY KEY, name, kind, label_en, label_fr, unit TEXT)
 *   clients(id BIGINT PRIMARY KEY, target DOUBLE PRECISION, "<field>" DOUBLE PRECISION|TEXT ...,
 *           x BYTEA NOT NULL)
 * x holds the same bytes as SQLite's blob (n_feats little-endian doubles). An import
 * replaces the four tables in one transaction: readers see the old store or the new one.
 */
#ifndef CS_STORE_CLIENTS_INT_H
#define CS_STORE_CLIENTS_INT_H

#include <pthread.h>
#include <sqlite3.h>

#include "clients.h"
#include "db.h"
#include "pg.h"

/* One pooled connection: SQLite's (conn, db, get_x, get) or PostgreSQL's (pg, with the
 * statements prepared by name on it). */
typedef struct store__clients_conn {
    store_db *conn;         /* SQLite: read-only, immutable */
    sqlite3 *db;
    sqlite3_stmt *get_x;    /* SELECT x WHERE id = ? */
    sqlite3_stmt *get;      /* SELECT everything WHERE id = ? */
    store_pg *pg;           /* PostgreSQL */
    int busy;
} store__clients_conn;

struct store_clients {
    char *path;             /* the file, or the URL */
    const char *name;       /* for messages: the file, or the URL without its password */
    int is_pg;
    size_t n_feats;
    char **names;
    size_t n_fields;
    store_field *fields;    /* n_fields, every string owned */
    int64_t count;
    int n_conns;
    store__clients_conn *conns;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* One client as the import writes it: num[k] for a numeric field (NaN = NULL), text[k]
 * for a text field (NULL = NULL), x the n_feats features. */
typedef struct store__clients_row {
    int64_t id;
    double target;          /* NaN = NULL */
    const double *num;
    const char *const *text;
    const double *x;
} store__clients_row;

/* Append field idx (it must be the next one) or feature name idx to s, as read from a
 * store: a bad name, kind or order is CS_ECORRUPT. (clients.c) */
cs_status store__clients_add_field(store_clients *s, int64_t idx, const char *name, const char *kind,
                                   const char *label_en, const char *label_fr, const char *unit, cs_err *err);
cs_status store__clients_add_feature(store_clients *s, int64_t idx, const char *name, cs_err *err);

/* ---- PostgreSQL (clients_pg.c) -------------------------------------------------------- */

typedef struct store__clients_pg_writer store__clients_pg_writer;

/* Connect to url, begin the transaction that replaces the store's tables, write meta,
 * features and fields, and start the COPY of the clients. */
store__clients_pg_writer *store__clients_pg_begin(const char *url, const feat_matrix *m, const store_field *fields,
                                                  int n_fields, const char *id_col, cs_err *err);
cs_status store__clients_pg_row(store__clients_pg_writer *w, const store__clients_row *r, cs_err *err);
/* End the COPY and commit when st is CS_OK, else roll back; frees w; returns the outcome. */
cs_status store__clients_pg_end(store__clients_pg_writer *w, cs_status st, cs_err *err);

/* Connect c to s->path. */
cs_status store__clients_pg_conn_open(store_clients *s, store__clients_conn *c, cs_err *err);
/* Read the format, fields, feature names and count through s->conns[0] and prepare the
 * lookups on every connection. */
cs_status store__clients_pg_load(store_clients *s, cs_err *err);
cs_status store__clients_pg_features(store_clients *s, store__clients_conn *c, int64_t id, double *x, cs_err *err);
cs_status store__clients_pg_get(store_clients *s, store__clients_conn *c, int64_t id, store_client *out, cs_err *err);
/* pattern: NULL, or a LIKE pattern on the id's digits. */
cs_status store__clients_pg_list(store_clients *s, store__clients_conn *c, int64_t offset, int64_t limit,
                                 const char *pattern, store_client *list, size_t *n, int64_t *total, cs_err *err);
cs_status store__clients_pg_scan(store_clients *s, int64_t lo, int64_t hi, store_clients_scan_fn fn, void *ud,
                                 cs_err *err);

#endif /* CS_STORE_CLIENTS_INT_H */
