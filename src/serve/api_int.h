/*
 * api_int.h: what the files of src/serve share and nobody else sees: the server struct,
 * the scoring model handle (model.c), the handlers (handlers.c, predict.c) and the
 * documentation files (docs.c).
 */
#ifndef CS_SERVE_API_INT_H
#define CS_SERVE_API_INT_H

#include "api.h"
#include "json.h"
#include "keys.h"
#include "metrics.h"
#include "request.h"
#include "router.h"
#include "../explain/shap.h"
#include "../store/audit.h"
#include "../store/clients.h"

#include <pthread.h>
#include <stdatomic.h>

/* ---- the model handle (model.c) -------------------------------------------------------
 * A loaded model file plus what serving needs around it, reference-counted so that a
 * reload can swap it while requests still use the old one. */
typedef struct api_model api_model;

/* Load the model file at path; store_names (n_store, may be 0) are the clients store's
 * features, mapped to the model's. Starts with one reference. */
/* key (key_len bytes) non-NULL: the model must carry a valid signature (mf_load_signed). */
api_model *api_model_load(const char *path, const char *const *store_names, size_t n_store, const void *key,
                          size_t key_len, cs_err *err);
void api_model_retain(api_model *m);
/* Drop a reference; the last one frees. NULL is allowed. */
void api_model_release(api_model *m);

const char *api_model_name(const api_model *m);
const char *api_model_version(const api_model *m);
/* The model's explainer (for its memory report). */
const shap_explainer *api_model_explainer(const api_model *m);
const api_featmap *api_model_featmap(const api_model *m);
size_t api_model_n_feats(const api_model *m);
/* 1 when every model feature is in the clients store (client ids can be scored). */
int api_model_has_store_map(const api_model *m);
/* The model's feature vector x (n_feats) from a clients store vector. */
void api_model_x_from_store(const api_model *m, const double *store_x, double *x);
/* The model's feature vector from one applicant's raw tables (features' one-applicant path). */
cs_status api_model_x_from_raw(const api_model *m, tbl *const tables[HC_N_TABLES], double *x, cs_err *err);

/* Append to out the members of an explanation of x (without braces): "expected_value",
 * "raw_score", "contributions" (top `top` by |value|) and "reason_codes" (refusals). */
struct mf_decision;
cs_status api_model_explain_json(const api_model *m, const double *x, const struct mf_decision *sc, int top, int lang,
                                 cs_buf *out, cs_err *err);
/* GET /v1/model, /v1/importance, /v1/features/{name}/distribution bodies. */
cs_status api_model_info_json(const api_model *m, cs_buf *out, cs_err *err);
cs_status api_model_importance_json(const api_model *m, cs_buf *out, cs_err *err);
/* CS_ENOTFOUND for a feature the model does not have. */
cs_status api_model_distribution_json(const api_model *m, const char *name, cs_buf *out, cs_err *err);

/* The model file behind the handle (borrowed). */
struct mf_model;
const struct mf_model *api_model_mf(const api_model *m);
/* The recipe the model's feature spec carries (borrowed), NULL for Home Credit's kernel;
 * its name ("" without one). */
struct rcp_recipe;
const struct rcp_recipe *api_model_recipe(const api_model *m);
const char *api_model_recipe_name(const api_model *m);
/* The model's feature vector x from one applicant's raw records under the recipe's table
 * names (records: {"<root>": {...}, "<child>": [...]}, records.c). Returns 0 or the HTTP
 * status with pb filled (400 for records that do not fit the recipe). */
int api_model_x_from_records(const api_model *m, const cJSON *records, double *x, api_problem *pb);

/* ---- scorecard models (scorecard.c) ------------------------------------------------------
 * For a model trained with --model scorecard (mf_card(mf) not NULL): append
 * ,"scorecard":{points, cutoff, decision, min_points, max_points, scaling} and, when explain,
 * each characteristic's bin/points/max/shortfall and the reason codes ranked by shortfall
 * (lang 1: French). */
cs_status api_scorecard_json(const struct mf_model *mf, const double *x, int explain, int lang, cs_buf *out,
                             cs_err *err);

/* ---- documentation files (docs.c) ------------------------------------------------------ */

typedef struct api_docs api_docs;
/* Read the Swagger UI files of dir into memory; NULL dir gives an empty set. */
api_docs *api_docs_load(const char *dir, cs_err *err);
void api_docs_free(api_docs *d);
/* The file served at /docs/{name} ("" or "index.html" = the page); 0 when unknown. */
int api_docs_get(const api_docs *d, const char *name, const void **data, size_t *len, const char **type);
/* The OpenAPI document compiled into the binary. */
const char *api_openapi_json(size_t *len);

/* ---- the server --------------------------------------------------------------------------- */

struct api_server {
    api_config cfg;
    struct MHD_Daemon *daemon;
    int port;
    double t_start;
    pthread_mutex_t model_mu;   /* guards model (the pointer swap and the retain) */
    api_model *model;
    pthread_mutex_t reload_mu;  /* one reload at a time */
    char *model_path;           /* the file reloads read (cfg.model_path, or the last reload_from) */
    store_clients *clients;     /* may be NULL */
    store_audit *audit;         /* may be NULL */
    unsigned char *model_key;   /* cfg.model_key_path's key, or NULL: models need no signature */
    size_t model_key_len;
    pthread_mutex_t track_mu;   /* guards tracks */
    struct api_conn_track *tracks; /* open connections, for the request deadline (server.c) */
    pthread_t sweeper;          /* closes connections past their request deadline */
    int sweeper_on;
    atomic_int sweeper_stop;
    api_keys *keys;             /* may be NULL; swapped by a reload (SIGHUP rotates keys) */
    pthread_rwlock_t keys_lock; /* readers: the key check; writer: the reload's swap */
    api_docs *docs;
    api_metrics *metrics;
    struct api_window *window;  /* the /metrics monitoring gauges; NULL when off */
    atomic_int inflight;        /* requests between their first byte and their completion */
    atomic_int n_suspended;     /* connections waiting (suspended) for their audit commit */
    atomic_int no_suspend;      /* set by the stop: decisions are committed in the handler */
    atomic_uint_fast64_t next_id;
    uint64_t id_seed;
    int stopped;
};

/* The current model with a reference taken; release with api_model_release(). */
api_model *api_server_model(api_server *s);

/* Handlers: fill resp (status, body) for a matched route. */
void api_handle_predict(api_server *s, const api_request *req, int explain, api_response *resp);
void api_respond_problem(api_response *resp, const api_problem *p, const char *request_id);
void api_respond_error(api_response *resp, int status, const char *code, const char *field, const char *request_id,
                       const char *message);

/* api_server_handle, but a decision's audit record is left in resp->audit (has_audit set) for the
 * caller to commit (the HTTP layer commits it without holding a worker thread). */
void api_server_dispatch(api_server *s, const api_request *req, api_response *resp);

/* Replace resp by the 503 answer given for a decision the audit log could not take. */
void api_respond_audit_failed(api_response *resp, const char *request_id, const char *msg);

#endif /* CS_SERVE_API_INT_H */
