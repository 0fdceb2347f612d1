/*
 * handle.h: the model handle the server scores with (model.c, records.c): a loaded model
 * file plus what serving needs around it (feature map, the clients store's order, the
 * explainer, the importance the file carries), reference-counted so that a reload can swap
 * it while requests still use the old one. It knows nothing of the server or of HTTP.
 */
#ifndef CS_SERVE_HANDLE_H
#define CS_SERVE_HANDLE_H

#include "../base/cs.h"
#include "../explain/shap.h"
#include "../io/hc_schema.h"
#include "../io/tbl.h"
#include "json.h"
#include "request.h"

typedef struct api_model api_model;

/* Load the model file at path; store_names (n_store, may be 0) are the clients store's
 * features, mapped to the model's. Starts with one reference.
 * key (key_len bytes) non-NULL: the model must carry a valid signature (mf_load_signed). */
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
 * "raw_score", "contributions" (top `top` by |value|) and "reason_codes" (refusals); sc is
 * x's decision (model/model.h: mf_score). */
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

/* ---- the challenger (serve --challenger) ------------------------------------------------
 * A second model file scored after this one on the same request, on this model's feature
 * vector: each challenger feature is taken from it by name, so the challenger's features
 * must be among this model's (a model trained without some of them, --exclude-protected,
 * or on the same features with other settings). It never changes this model's answer. */

/* Load path (signed with key when key is not NULL) as m's challenger, replacing any
 * before; m owns it until it is freed. CS_EINVAL naming the first feature m lacks. Call
 * before m is shared with other threads. */
cs_status api_model_set_challenger(api_model *m, const char *path, const void *key, size_t key_len, cs_err *err);
/* m's challenger (borrowed), NULL when it has none. */
const struct mf_model *api_model_challenger(const api_model *m);
/* The challenger's feature vector from m's x: x itself when the features are the same in
 * the same order, else scratch (mf_n_feats of the challenger values) filled. */
const double *api_model_challenger_x(const api_model *m, const double *x, double *scratch);

#endif /* CS_SERVE_HANDLE_H */
