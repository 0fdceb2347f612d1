/*
 * ops.c: the operational endpoints: GET /health (load balancers), /metrics (Prometheus
 * text: the per-route counters and the monitoring window's gauges), /openapi.json and
 * /docs (Swagger UI).
 */
#include "handlers.h"

#include <string.h>

int api_h_health(const api_call *c, api_response *resp)
{
    api_server *s = c->s;
    api_model *m = api_server_model(s);
    cs_buf_puts(&resp->body, "{\"status\":\"ok\",\"model\":{\"name\":", NULL);
    api_json_str(&resp->body, api_model_name(m), NULL);
    cs_buf_puts(&resp->body, ",\"version\":", NULL);
    api_json_str(&resp->body, api_model_version(m), NULL);
    cs_buf_printf(&resp->body, NULL, "},\"clients\":%lld,\"inflight\":%d,\"uptime_s\":",
                  s->clients ? (long long)store_clients_count(s->clients) : 0LL, atomic_load(&s->inflight));
    api_json_num(&resp->body, (double)(long long)((cs_now() - s->t_start) * 1000) / 1000, NULL);
    cs_buf_puts(&resp->body, "}", NULL);
    api_model_release(m);
    resp->status = 200;
    return 0;
}

int api_h_metrics(const api_call *c, api_response *resp)
{
    api_server *s = c->s;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    if (api_metrics_render(s->metrics, &resp->body, NULL) != CS_OK ||
        (s->window && api_window_render(s->window, &resp->body, NULL) != CS_OK)) {
        api_respond_error(resp, 503, "overloaded", NULL, c->req->request_id, "out of memory");
        return 0;
    }
    resp->status = 200;
    return 0;
}

int api_h_openapi(const api_call *c, api_response *resp)
{
    (void)c;
    resp->static_body = api_openapi_json(&resp->static_len);
    resp->status = 200;
    return 0;
}

int api_h_docs(const api_call *c, api_response *resp)
{
    const void *data;
    size_t len;
    const char *type;
    const char *name = c->param[0] ? c->param : "";
    if (!api_docs_get(c->s->docs, name, &data, &len, &type)) {
        if (!strcmp(name, "") || !strcmp(name, "index.html"))
            api_respond_error(resp, 503, "docs_not_installed", NULL, c->req->request_id,
                              "Swagger UI is not installed (scripts/install-deps.sh runs npm ci in web/api-docs)");
        else
            api_respond_error(resp, 404, "not_found", NULL, c->req->request_id, "no such documentation file");
        return 0;
    }
    resp->static_body = data;
    resp->static_len = len;
    resp->content_type = type;
    resp->status = 200;
    return 0;
}
