/*
 * respond.c: query arguments and the error answers (respond.h).
 */
#include "respond.h"

#include <string.h>

const char *api_request_arg(const api_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_args; i++)
        if (req->args[i].name && !strcmp(req->args[i].name, name)) return req->args[i].value ? req->args[i].value : "";
    return NULL;
}

void api_response_clear(api_response *r)
{
    if (!r) return;
    cs_buf_free(&r->body);
    memset(r, 0, sizeof *r);
}

void api_respond_problem(api_response *resp, const api_problem *p, const char *request_id)
{
    cs_buf_free(&resp->body);
    resp->status = p->status;
    resp->content_type = "application/json";
    resp->static_body = NULL;
    if (api_problem_json(p, request_id, &resp->body, NULL) != CS_OK) {
        cs_buf_free(&resp->body);
        resp->status = 503;
    }
}

void api_respond_error(api_response *resp, int status, const char *code, const char *field, const char *request_id,
                       const char *message)
{
    api_problem p;
    api_problem_set(&p, status, code, field, "%s", message);
    api_respond_problem(resp, &p, request_id);
}

void api_respond_status(api_response *resp, const cs_err *err, const char *request_id)
{
    int status = err->code == CS_ENOTFOUND ? 404 : err->code == CS_EINVAL || err->code == CS_EPARSE ? 400
                 : err->code == CS_ENOMEM ? 503 : 500;
    const char *code = status == 404 ? "not_found" : status == 400 ? "invalid_request" : status == 503 ? "overloaded"
                                                                                                         : "internal";
    api_respond_error(resp, status, code, NULL, request_id, err->msg[0] ? err->msg : cs_status_str(err->code));
}

void api_respond_audit_failed(api_response *resp, const char *request_id, const char *msg)
{
    /* a decision that cannot be audited is not given */
    api_respond_error(resp, 503, "audit_unavailable", NULL, request_id, msg);
}
