/*
 * ops.c: the operational endpoints: GET /health (load balancers), /metrics (Prometheus
 * text: the per-route counters and the monitoring window's gauges), /openapi.json and
 * /docs (Swagger UI).
 */
#include "handlers.h"
#include "../http/http.h"
#include "../model/model.h"

#include <string.h>

int api_h_health(const api_call *c, api_response *resp)
{
    api_server *s = c->s;
    api_model *m = api_server_model(s);
    store_audit_stats_t au;
    store_audit_stats(s->audit, &au);   /* zeros without an audit log */
    /* degraded (503): decisions are refused now, the reason says why */
    cs_buf_puts(&resp->body, au.degraded ? "{\"status\":\"degraded\",\"audit\":{\"state\":\"degraded\",\"reason\":"
                                        : s->audit ? "{\"status\":\"ok\",\"audit\":{\"state\":\"ok\",\"reason\":"
                                                   : "{\"status\":\"ok\",\"audit\":{\"state\":\"off\",\"reason\":",
                NULL);
    api_json_str(&resp->body, au.degraded ? au.reason : NULL, NULL);
    cs_buf_printf(&resp->body, NULL, ",\"queue_depth\":%zu,\"failures\":%llu,\"recoveries\":%llu},\"model\":{\"name\":",
                  au.queue_depth, (unsigned long long)au.failures, (unsigned long long)au.recoveries);
    api_json_str(&resp->body, api_model_name(m), NULL);
    cs_buf_puts(&resp->body, ",\"version\":", NULL);
    api_json_str(&resp->body, api_model_version(m), NULL);
    cs_buf_puts(&resp->body, "},\"challenger\":", NULL);
    if (api_model_challenger(m)) {
        cs_buf_puts(&resp->body, "{\"name\":", NULL);
        api_json_str(&resp->body, mf_name(api_model_challenger(m)), NULL);
        cs_buf_puts(&resp->body, ",\"version\":", NULL);
        api_json_str(&resp->body, mf_version(api_model_challenger(m)), NULL);
        cs_buf_puts(&resp->body, "}", NULL);
    } else
        cs_buf_puts(&resp->body, "null", NULL);
    cs_buf_printf(&resp->body, NULL, ",\"clients\":%lld,\"inflight\":%d,\"uptime_s\":",
                  s->clients ? (long long)store_clients_count(s->clients) : 0LL, atomic_load(&s->inflight));
    api_json_num(&resp->body, (double)(long long)((cs_now() - s->t_start) * 1000) / 1000, NULL);
    cs_buf_puts(&resp->body, "}", NULL);
    api_model_release(m);
    resp->status = au.degraded ? 503 : 200;
    return 0;
}

/* the audit log's and the front end's gauges and counters, Prometheus text */
static void _render_io_metrics(api_server *s, cs_buf *b)
{
    http_front_stats fs;
    if (s->audit) {
        store_audit_stats_t au;
        store_audit_stats(s->audit, &au);
        cs_buf_printf(b, NULL,
                      "# HELP creditscore_audit_queue_depth Decisions queued for the audit log, not yet in a transaction.\n"
                      "# TYPE creditscore_audit_queue_depth gauge\ncreditscore_audit_queue_depth %zu\n"
                      "# HELP creditscore_audit_degraded 1 while the audit log cannot be written (decisions are refused).\n"
                      "# TYPE creditscore_audit_degraded gauge\ncreditscore_audit_degraded %d\n"
                      "# HELP creditscore_audit_commit_last_seconds The last audit batch's commit time.\n"
                      "# TYPE creditscore_audit_commit_last_seconds gauge\ncreditscore_audit_commit_last_seconds %.6f\n"
                      "# HELP creditscore_audit_commit_seconds Audit batch commit times.\n"
                      "# TYPE creditscore_audit_commit_seconds summary\n"
                      "creditscore_audit_commit_seconds_sum %.6f\ncreditscore_audit_commit_seconds_count %llu\n"
                      "# HELP creditscore_audit_failures_total Audit batches that could not be committed.\n"
                      "# TYPE creditscore_audit_failures_total counter\ncreditscore_audit_failures_total %llu\n"
                      "# HELP creditscore_audit_recoveries_total Degraded states of the audit log ended without a restart.\n"
                      "# TYPE creditscore_audit_recoveries_total counter\ncreditscore_audit_recoveries_total %llu\n",
                      au.queue_depth, au.degraded, au.commit_s_last, au.commit_s_sum, (unsigned long long)au.commits,
                      (unsigned long long)au.failures, (unsigned long long)au.recoveries);
    }
    http_front_get_stats(s->front, &fs);
    cs_buf_printf(b, NULL,
                  "# HELP creditscore_http_connections Client connections open now.\n"
                  "# TYPE creditscore_http_connections gauge\ncreditscore_http_connections %d\n"
                  "# HELP creditscore_http_connections_refused_total Connections refused by the total or per-address limit.\n"
                  "# TYPE creditscore_http_connections_refused_total counter\ncreditscore_http_connections_refused_total %llu\n"
                  "# HELP creditscore_http_requests_rejected_total Requests refused by the front end's parser or deadline.\n"
                  "# TYPE creditscore_http_requests_rejected_total counter\ncreditscore_http_requests_rejected_total %llu\n"
                  "# HELP creditscore_http_request_timeouts_total Requests cut off by the request deadline.\n"
                  "# TYPE creditscore_http_request_timeouts_total counter\ncreditscore_http_request_timeouts_total %llu\n",
                  fs.open, (unsigned long long)fs.refused, (unsigned long long)fs.rejected, (unsigned long long)fs.timed_out);
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
    _render_io_metrics(s, &resp->body);
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
