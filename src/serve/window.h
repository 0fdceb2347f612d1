/*
 * window.h: the live monitoring gauges of /metrics: the score PSI and the approval rate of
 * a sliding window of the latest decisions. A decision only stores its probability and
 * decision in a ring (two relaxed atomic stores, on the request path); a background thread
 * recomputes the gauges every few seconds from a copy of the ring against the serving
 * model's training score reference (model.h MONITOR section, the PSI of src/monitor), and
 * /metrics only reads them. Nothing here runs a computation on the request path.
 */
#ifndef CS_SERVE_WINDOW_H
#define CS_SERVE_WINDOW_H

#include "../base/cs.h"
#include "../model/model.h"

typedef struct api_window api_window;

/* The reference the thread measures against, from the current model (borrowed for the
 * call; NULL when the model has no monitoring reference). Called on the window's thread. */
typedef const mf_score_ref *(*api_window_ref_fn)(void *ud, void **hold);
typedef void (*api_window_release_fn)(void *ud, void *hold);

/* A window of cap decisions (>= 1) recomputed every period_s seconds (> 0) by a thread
 * started here; ref/release give it the current model's reference. Free with
 * api_window_free (stops the thread; NULL allowed). */
api_window *api_window_create(size_t cap, double period_s, api_window_ref_fn ref, api_window_release_fn release,
                              void *ud, cs_err *err);
void api_window_free(api_window *w);

/* Record a decision (thread-safe, lock-free). */
void api_window_push(api_window *w, double probability, int refused);

/* Recompute the gauges now (the thread does it every period; tests call it). */
void api_window_update(api_window *w);

/* Append the gauges in Prometheus text format. */
cs_status api_window_render(const api_window *w, cs_buf *out, cs_err *err);

#endif /* CS_SERVE_WINDOW_H */
