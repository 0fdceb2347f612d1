/*
 * clients.h: the clients store, a SQLite file that holds, for each known client, the
 * feature vector the model scores and the raw fields the dashboard's client card shows.
 * Built once by `creditscore clients import`, then opened read-only by the API.
 *
 * Which raw fields it holds is the importer's choice (a list of store_field), and the store
 * knows no data set's columns: the kernel feature set's client card (feat_kernel_profile,
 * features/profile.h: Home Credit's application fields, age in years, employment in years,
 * amounts...) by default, or a recipe's profile fields (`clients import --recipe`), each with
 * its label in English and French and its display unit, kept in the store so the API shows
 * them without the recipe.
 *
 * Layout (format 2):
 *   meta(key TEXT PRIMARY KEY, value TEXT)       format, n_feats, created, id
 *   features(idx INTEGER PRIMARY KEY, name TEXT)  the feature order of the vectors
 *   fields(idx INTEGER PRIMARY KEY, name TEXT, kind TEXT, label_en TEXT, label_fr TEXT, unit TEXT)
 *   clients(id INTEGER PRIMARY KEY, target REAL, "<field>" REAL|TEXT ..., x BLOB)
 * x is n_feats little-endian IEEE doubles (NaN = missing). A format 1 store (the kernel's
 * fields, no fields table) is still read, as feat_kernel_profile.
 *
 * The store may live in PostgreSQL instead (path "postgresql://..." or "postgres://...",
 * store/pg.h): the same layout in tables clients, clients_meta, clients_features and
 * clients_fields (clients_int.h), replaced in one transaction by each import, read through
 * a pool of connections with binary results, so that every answer is the one the SQLite
 * store gives (the same doubles, the same feature bytes). Servers on several machines then
 * share one store.
 *
 * Reading is thread-safe: the handle keeps a small pool of read-only connections.
 */
#ifndef CS_STORE_CLIENTS_H
#define CS_STORE_CLIENTS_H

#include "../base/cs.h"
#include "../io/tbl.h"
#include "../features/featfile.h"
#include "../features/profile.h"

#define STORE_CLIENTS_FORMAT 2
#define STORE_MAX_FIELDS 256
#define STORE_FIELD_MAX_SENTINELS FEAT_PROFILE_MAX_SENTINELS

/* A raw field of the store: where it comes from and how it is shown (profile.h). */
typedef feat_profile_field store_field;

typedef struct store_clients store_clients;

/* One client. Zero-initialise; release with store_client_clear(). */
typedef struct store_client {
    int64_t id;                     /* the id of the feature file (SK_ID_CURR, a lender's id, a row number) */
    double target;                  /* 0, 1, or NaN when unknown (test clients) */
    size_t n_fields;                /* the store's fields (store_clients_n_fields) */
    double *num;                    /* n_fields values: field k's number (NaN = missing, or a text field); owned */
    char **text;                    /* n_fields: field k's text (NULL = missing, or a numeric field); owned */
    double *x;                      /* n_feats features (only from store_clients_get); owned */
    size_t n_feats;
} store_client;

void store_client_clear(store_client *c);

/* Build the store at path from a feature matrix and raw tables (n_tables of them, e.g.
 * application_train and application_test; may be 0), joined on the tables' column id_col;
 * id_col NULL: the rows of the one table are numbered, 1 = its first data row (a recipe
 * without an id column). Each of the n_fields fields is read from its source column (a
 * table without it gives missing values; a numeric field from a text column or the other
 * way round is CS_EINVAL naming both). Clients of the matrix without a row get missing raw
 * fields. Written to "path.tmp" then renamed; in PostgreSQL (path a URL) the tables are
 * dropped and written again in one transaction (one binary COPY of the clients). progress
 * may be NULL. */
cs_status store_clients_import_fields(const char *path, const feat_matrix *m, const store_field *fields, int n_fields,
                                      const tbl *const *tables, int n_tables, const char *id_col,
                                      cs_progress *progress, cs_err *err);

/* store_clients_import_fields() with the kernel's fields (feat_kernel_profile) joined on its
 * key (FEAT_KERNEL_KEY). */
cs_status store_clients_import(const char *path, const feat_matrix *m, const tbl *const *apps, int n_apps,
                               cs_progress *progress, cs_err *err);

/* Open a store read-only with n_conns pooled connections (1..64; in PostgreSQL each is a
 * session of the server). Free with store_clients_close(). A store of another format is
 * refused; a PostgreSQL database without the store's tables is CS_EIO saying so. */
store_clients *store_clients_open(const char *path, int n_conns, cs_err *err);
void store_clients_close(store_clients *s);

/* Number of features and their names (borrowed, valid until close). */
size_t store_clients_n_feats(const store_clients *s);
const char *const *store_clients_feature_names(const store_clients *s);
/* The raw fields: their number and field k (0 <= k < n; borrowed, valid until close). */
size_t store_clients_n_fields(const store_clients *s);
const store_field *store_clients_field(const store_clients *s, size_t k);
/* Number of clients. */
int64_t store_clients_count(const store_clients *s);

/* The feature vector of client id into x (n_feats doubles, caller's buffer).
 * CS_ENOTFOUND when the store has no such client. */
cs_status store_clients_features(store_clients *s, int64_t id, double *x, cs_err *err);

/* Scan the feature vectors of the clients with lo <= id <= hi in id order, on a read-only
 * connection of the call's own (several threads may scan disjoint ranges at once, the
 * batch path of monitoring): fn(id, x, ud) gets x, the stored n_feats little-endian
 * doubles, borrowed for the call and not necessarily aligned (read with memcpy); a
 * vector of the wrong size is CS_ECORRUPT naming the client. fn returns non-zero to stop. */
typedef int (*store_clients_scan_fn)(int64_t id, const void *x, void *ud);
cs_status store_clients_scan(store_clients *s, int64_t lo, int64_t hi, store_clients_scan_fn fn, void *ud,
                             cs_err *err);

/* Client id with raw fields and features into c (cleared first). CS_ENOTFOUND if absent. */
cs_status store_clients_get(store_clients *s, int64_t id, store_client *c, cs_err *err);

/* A page of clients ordered by id, without features: those whose id starts with the
 * digits of q (q NULL or "" = all). *out is a malloc'd array of *n_out clients the
 * caller releases with store_client_list_free(); *total the number matching q. */
cs_status store_clients_list(store_clients *s, int64_t offset, int64_t limit, const char *q, store_client **out,
                             size_t *n_out, int64_t *total, cs_err *err);
void store_client_list_free(store_client *list, size_t n);

#endif /* CS_STORE_CLIENTS_H */
