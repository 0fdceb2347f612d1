/*
 * metrics.h: the server's counters in Prometheus text format (GET /metrics): requests by
 * route and status, latency histograms by route, decisions by outcome, the challenger's
 * decisions (scored, swaps by direction, failures), model reloads.
 * Every update is a relaxed atomic add, so handlers on any thread update it without locks.
 */
#ifndef CS_SERVE_METRICS_H
#define CS_SERVE_METRICS_H

#include "../base/cs.h"

typedef struct api_metrics api_metrics;

/* Counters for n_routes routes named route_names (borrowed: they must outlive the
 * metrics, string literals in practice). Free with api_metrics_free(). */
api_metrics *api_metrics_create(int n_routes, const char *const *route_names, cs_err *err);
void api_metrics_free(api_metrics *m);

/* Record one finished request: route index (-1 = no route matched), HTTP status, seconds. */
void api_metrics_observe(api_metrics *m, int route, int status, double seconds);

/* Record a decision (refuse = 1 for refuse, 0 for approve). */
void api_metrics_decision(api_metrics *m, int refuse);

/* What the challenger (serve --challenger) made of one decision. */
typedef enum api_challenger_outcome {
    API_CH_AGREE = 0,           /* the same decision as the champion */
    API_CH_SWAP_TO_REFUSE,      /* the champion approves, the challenger refuses */
    API_CH_SWAP_TO_APPROVE,     /* the champion refuses, the challenger approves */
    API_CH_FAILED               /* the challenger could not score it (the champion answered) */
} api_challenger_outcome;

void api_metrics_challenger(api_metrics *m, api_challenger_outcome o);

/* Record a model reload (ok = 1 succeeded, 0 failed and kept the old model). */
void api_metrics_reload(api_metrics *m, int ok);

/* Append the Prometheus text exposition (version 0.0.4) to out. */
cs_status api_metrics_render(const api_metrics *m, cs_buf *out, cs_err *err);

#endif /* CS_SERVE_METRICS_H */
