/*
 * info.c: GET /v1/model, /v1/importance and /v1/features/{name}/distribution: what the
 * model file says about itself, its features' importance and histograms (the bodies are
 * the model handle's, handle.h).
 */
#include "handlers.h"

typedef cs_status (*_body_fn)(const api_model *m, const char *param, cs_buf *out, cs_err *err);

static int _answer(const api_call *c, _body_fn fn, api_response *resp)
{
    api_model *m = api_server_model(c->s);
    cs_err err = {0};
    cs_status st = fn(m, c->param, &resp->body, &err);
    api_model_release(m);
    if (st == CS_ENOTFOUND) api_respond_error(resp, 404, "unknown_feature", "name", c->req->request_id, err.msg);
    else if (st != CS_OK) api_respond_status(resp, &err, c->req->request_id);
    else resp->status = 200;
    return 0;
}

static cs_status _info(const api_model *m, const char *param, cs_buf *out, cs_err *err)
{
    (void)param;
    return api_model_info_json(m, out, err);
}

static cs_status _importance(const api_model *m, const char *param, cs_buf *out, cs_err *err)
{
    (void)param;
    return api_model_importance_json(m, out, err);
}

int api_h_model(const api_call *c, api_response *resp) { return _answer(c, _info, resp); }
int api_h_importance(const api_call *c, api_response *resp) { return _answer(c, _importance, resp); }
int api_h_distribution(const api_call *c, api_response *resp) { return _answer(c, api_model_distribution_json, resp); }
