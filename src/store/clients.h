/*
 * clients.h: the clients store, a SQLite file that holds, for each known client, the
 * feature vector the model scores and the raw application fields the dashboard shows.
 * Built once by `creditscore clients import`, then opened read-only by the API.
 *
 * Layout (format 1):
 *   meta(key TEXT PRIMARY KEY, value TEXT)       format, n_feats, created
 *   features(idx INTEGER PRIMARY KEY, name TEXT)  the feature order of the vectors
 *   clients(id INTEGER PRIMARY KEY, target REAL, <raw fields>, x BLOB)
 * x is n_feats little-endian IEEE doubles (NaN = missing). The raw fields are the
 * STORE_N_NUM numeric and STORE_N_TEXT text columns named by store_num_fields and
 * store_text_fields (age in years, employment in years, amounts in currency units).
 *
 * Reading is thread-safe: the handle keeps a small pool of read-only connections.
 */
#ifndef CS_STORE_CLIENTS_H
#define CS_STORE_CLIENTS_H

#include "../base/cs.h"
#include "../io/tbl.h"
#include "../features/featfile.h"

#define STORE_CLIENTS_FORMAT 1
#define STORE_N_NUM 13
#define STORE_N_TEXT 9

/* Names of the raw fields as stored and as the API shows them ("age_years", "income",
 * ...; "gender", "education", ...), and the application column each comes from. */
extern const char *const store_num_fields[STORE_N_NUM];
extern const char *const store_text_fields[STORE_N_TEXT];
extern const char *const store_num_sources[STORE_N_NUM];
extern const char *const store_text_sources[STORE_N_TEXT];

typedef struct store_clients store_clients;

/* One client. Zero-initialise; release with store_client_clear(). */
typedef struct store_client {
    int64_t id;                     /* SK_ID_CURR */
    double target;                  /* 0, 1, or NaN when unknown (test clients) */
    double num[STORE_N_NUM];        /* NaN = missing */
    char *text[STORE_N_TEXT];       /* NULL = missing; owned */
    double *x;                      /* n_feats features (only from store_clients_get); owned */
    size_t n_feats;
} store_client;

void store_client_clear(store_client *c);

/* Build the store at path from a feature matrix and the application tables (n_apps of
 * them, e.g. application_train and application_test; may be 0), joined on SK_ID_CURR.
 * Clients of the matrix without an application row get missing raw fields. Written to
 * "path.tmp" then renamed. progress may be NULL. */
cs_status store_clients_import(const char *path, const feat_matrix *m, const tbl *const *apps, int n_apps,
                               cs_progress *progress, cs_err *err);

/* Open a store read-only with n_conns pooled connections (1..64). Free with
 * store_clients_close(). A file of another format is refused. */
store_clients *store_clients_open(const char *path, int n_conns, cs_err *err);
void store_clients_close(store_clients *s);

/* Number of features and their names (borrowed, valid until close). */
size_t store_clients_n_feats(const store_clients *s);
const char *const *store_clients_feature_names(const store_clients *s);
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
