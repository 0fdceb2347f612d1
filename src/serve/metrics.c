/*
 * metrics.c: atomic counters and fixed-bucket latency histograms, rendered as Prometheus text.
 */
#include "metrics.h"

#include <stdatomic.h>
#include <stdlib.h>

/* the status codes counted one by one; anything else is counted as "other" */
static const int _codes[] = {200, 400, 401, 404, 405, 413, 415, 422, 500, 503};
#define N_CODES ((int)(sizeof _codes / sizeof _codes[0]))
/* latency bucket upper bounds in seconds (the +Inf bucket is the count) */
static const double _bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005,
                                 0.01,   0.025,   0.05,   0.1,   0.5,   1.0};
static const char *const _bound_txt[] = {"0.0001", "0.00025", "0.0005", "0.001", "0.002", "0.005",
                                         "0.01",   "0.025",   "0.05",   "0.1",   "0.5",   "1"};
#define N_BOUNDS ((int)(sizeof _bounds / sizeof _bounds[0]))

typedef struct _route_stats {
    atomic_uint_fast64_t by_code[N_CODES + 1];   /* last: other */
    atomic_uint_fast64_t bucket[N_BOUNDS];       /* non-cumulative counts */
    atomic_uint_fast64_t count;
    atomic_uint_fast64_t sum_ns;
} _route_stats;

struct api_metrics {
    int n_routes;
    const char *const *names;
    _route_stats *routes;       /* n_routes + 1: the last one is "unmatched" */
    atomic_uint_fast64_t approve, refuse, reload_ok, reload_fail;
    atomic_uint_fast64_t ch_scored, ch_to_refuse, ch_to_approve, ch_failed;
};

api_metrics *api_metrics_create(int n_routes, const char *const *route_names, cs_err *err)
{
    api_metrics *m = cs_calloc(1, sizeof *m, err);
    if (!m) return NULL;
    m->routes = cs_calloc((size_t)n_routes + 1, sizeof *m->routes, err);
    if (!m->routes) {
        free(m);
        return NULL;
    }
    m->n_routes = n_routes;
    m->names = route_names;
    return m;
}

void api_metrics_free(api_metrics *m)
{
    if (!m) return;
    free(m->routes);
    free(m);
}

void api_metrics_observe(api_metrics *m, int route, int status, double seconds)
{
    _route_stats *r;
    int c = N_CODES, b = 0;
    if (!m) return;
    if (route < 0 || route >= m->n_routes) route = m->n_routes;
    r = &m->routes[route];
    for (int i = 0; i < N_CODES; i++)
        if (_codes[i] == status) c = i;
    atomic_fetch_add_explicit(&r->by_code[c], 1, memory_order_relaxed);
    if (!(seconds >= 0)) seconds = 0;
    while (b < N_BOUNDS && seconds > _bounds[b]) b++;
    if (b < N_BOUNDS) atomic_fetch_add_explicit(&r->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->sum_ns, (uint_fast64_t)(seconds * 1e9), memory_order_relaxed);
}

void api_metrics_decision(api_metrics *m, int refuse)
{
    if (!m) return;
    atomic_fetch_add_explicit(refuse ? &m->refuse : &m->approve, 1, memory_order_relaxed);
}

void api_metrics_challenger(api_metrics *m, api_challenger_outcome o)
{
    if (!m) return;
    if (o == API_CH_FAILED) {
        atomic_fetch_add_explicit(&m->ch_failed, 1, memory_order_relaxed);
        return;
    }
    atomic_fetch_add_explicit(&m->ch_scored, 1, memory_order_relaxed);
    if (o == API_CH_SWAP_TO_REFUSE) atomic_fetch_add_explicit(&m->ch_to_refuse, 1, memory_order_relaxed);
    if (o == API_CH_SWAP_TO_APPROVE) atomic_fetch_add_explicit(&m->ch_to_approve, 1, memory_order_relaxed);
}

void api_metrics_reload(api_metrics *m, int ok)
{
    if (!m) return;
    atomic_fetch_add_explicit(ok ? &m->reload_ok : &m->reload_fail, 1, memory_order_relaxed);
}

#define LD(x) ((unsigned long long)atomic_load_explicit(&(x), memory_order_relaxed))

cs_status api_metrics_render(const api_metrics *m, cs_buf *out, cs_err *err)
{
    cs_status st = CS_OK;
    char sum[32];
    st |= cs_buf_puts(out,
                      "# HELP creditscore_http_requests_total HTTP requests by route and status.\n"
                      "# TYPE creditscore_http_requests_total counter\n",
                      err);
    for (int r = 0; r <= m->n_routes; r++) {
        const char *name = r < m->n_routes ? m->names[r] : "unmatched";
        for (int c = 0; c <= N_CODES; c++) {
            unsigned long long v = LD(m->routes[r].by_code[c]);
            if (!v) continue;
            if (c < N_CODES)
                st |= cs_buf_printf(out, err, "creditscore_http_requests_total{route=\"%s\",code=\"%d\"} %llu\n",
                                    name, _codes[c], v);
            else
                st |= cs_buf_printf(out, err, "creditscore_http_requests_total{route=\"%s\",code=\"other\"} %llu\n",
                                    name, v);
        }
    }
    st |= cs_buf_puts(out,
                      "# HELP creditscore_http_request_duration_seconds Time from the first byte of a request to its response.\n"
                      "# TYPE creditscore_http_request_duration_seconds histogram\n",
                      err);
    for (int r = 0; r <= m->n_routes; r++) {
        const char *name = r < m->n_routes ? m->names[r] : "unmatched";
        unsigned long long cum = 0, count = LD(m->routes[r].count);
        if (!count) continue;
        for (int b = 0; b < N_BOUNDS; b++) {
            cum += LD(m->routes[r].bucket[b]);
            st |= cs_buf_printf(out, err,
                                "creditscore_http_request_duration_seconds_bucket{route=\"%s\",le=\"%s\"} %llu\n",
                                name, _bound_txt[b], cum);
        }
        cs_fmt_double(sum, sizeof sum, (double)LD(m->routes[r].sum_ns) * 1e-9);
        st |= cs_buf_printf(out, err,
                            "creditscore_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                            "creditscore_http_request_duration_seconds_sum{route=\"%s\"} %s\n"
                            "creditscore_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                            name, count, name, sum, name, count);
    }
    st |= cs_buf_printf(out, err,
                        "# HELP creditscore_decisions_total Decisions returned by /v1/predict and /v1/explain.\n"
                        "# TYPE creditscore_decisions_total counter\n"
                        "creditscore_decisions_total{decision=\"approve\"} %llu\n"
                        "creditscore_decisions_total{decision=\"refuse\"} %llu\n"
                        "# HELP creditscore_model_reloads_total Model reloads (SIGHUP) by result.\n"
                        "# TYPE creditscore_model_reloads_total counter\n"
                        "creditscore_model_reloads_total{result=\"ok\"} %llu\n"
                        "creditscore_model_reloads_total{result=\"failed\"} %llu\n",
                        LD(m->approve), LD(m->refuse), LD(m->reload_ok), LD(m->reload_fail));
    st |= cs_buf_printf(out, err,
                        "# HELP creditscore_challenger_scored_total Decisions the challenger model (serve --challenger) also scored.\n"
                        "# TYPE creditscore_challenger_scored_total counter\n"
                        "creditscore_challenger_scored_total %llu\n"
                        "# HELP creditscore_challenger_swaps_total Decisions the challenger would have taken the other way, by direction.\n"
                        "# TYPE creditscore_challenger_swaps_total counter\n"
                        "creditscore_challenger_swaps_total{champion=\"approve\",challenger=\"refuse\"} %llu\n"
                        "creditscore_challenger_swaps_total{champion=\"refuse\",challenger=\"approve\"} %llu\n"
                        "# HELP creditscore_challenger_failures_total Decisions the challenger could not score (answered by the champion).\n"
                        "# TYPE creditscore_challenger_failures_total counter\n"
                        "creditscore_challenger_failures_total %llu\n",
                        LD(m->ch_scored), LD(m->ch_to_refuse), LD(m->ch_to_approve), LD(m->ch_failed));
    return st ? (err && err->code ? err->code : CS_ENOMEM) : CS_OK;
}
