/*
 * window.c: the sliding window of live decisions behind the /metrics monitoring gauges
 * (contract in window.h).
 */
#include "window.h"
#include "../monitor/monitor.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct api_window {
    size_t cap;
    _Atomic uint64_t *slot;     /* probability bits, low bit of the exponent-free tag: see push */
    _Atomic uint8_t *refused;
    atomic_uint_fast64_t n;     /* decisions pushed */
    double period_s;
    api_window_ref_fn ref;
    api_window_release_fn release;
    void *ud;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, started;
    /* the gauges, written by update, read by render */
    _Atomic uint64_t psi_bits, approval_bits;
    atomic_uint_fast64_t in_window, updated_ms;
    uint64_t *copy;             /* update's scratch (cap) */
    uint8_t *copy_refused;
};

static uint64_t _bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, 8);
    return b;
}

static double _val(uint64_t b)
{
    double v;
    memcpy(&v, &b, 8);
    return v;
}

static int64_t _now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void api_window_push(api_window *w, double probability, int refused)
{
    uint64_t i = atomic_fetch_add_explicit(&w->n, 1, memory_order_relaxed);
    atomic_store_explicit(&w->slot[i % w->cap], _bits(probability), memory_order_relaxed);
    atomic_store_explicit(&w->refused[i % w->cap], (uint8_t)(refused != 0), memory_order_relaxed);
}

void api_window_update(api_window *w)
{
    void *hold = NULL;
    const mf_score_ref *sr = w->ref(w->ud, &hold);
    uint64_t n = atomic_load_explicit(&w->n, memory_order_relaxed);
    size_t k = n < w->cap ? (size_t)n : w->cap;
    double counts[MF_MON_BINS] = {0}, refused = 0, psi = NAN, appr = NAN;
    for (size_t i = 0; i < k; i++) {
        w->copy[i] = atomic_load_explicit(&w->slot[i], memory_order_relaxed);
        w->copy_refused[i] = atomic_load_explicit(&w->refused[i], memory_order_relaxed);
    }
    if (k) {
        for (size_t i = 0; i < k; i++) refused += w->copy_refused[i];
        appr = 1.0 - refused / (double)k;
        if (sr) {
            for (size_t i = 0; i < k; i++) counts[mf_mon_bin(&sr->bins, _val(w->copy[i]))] += 1;
            psi = mon_psi_counts(sr->bins.share, counts, MF_MON_BINS);
        }
    }
    if (w->release) w->release(w->ud, hold);
    atomic_store(&w->psi_bits, _bits(psi));
    atomic_store(&w->approval_bits, _bits(appr));
    atomic_store(&w->in_window, k);
    atomic_store(&w->updated_ms, (uint64_t)_now_ms());
}

static void *_run(void *arg)
{
    api_window *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        double t = (double)ts.tv_sec + ts.tv_nsec / 1e9 + w->period_s;
        ts.tv_sec = (time_t)t;
        ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
        if (w->stop) break;
        pthread_mutex_unlock(&w->mu);
        api_window_update(w);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

api_window *api_window_create(size_t cap, double period_s, api_window_ref_fn ref, api_window_release_fn release,
                              void *ud, cs_err *err)
{
    api_window *w;
    if (cap < 1 || !(period_s > 0) || !ref) {
        cs_err_set(err, CS_EINVAL, "monitoring window: %zu decisions every %g s", cap, period_s);
        return NULL;
    }
    if (!(w = cs_calloc(1, sizeof *w, err))) return NULL;
    w->cap = cap;
    w->period_s = period_s;
    w->ref = ref;
    w->release = release;
    w->ud = ud;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->slot = cs_calloc(cap, sizeof *w->slot, err);
    w->refused = cs_calloc(cap, sizeof *w->refused, err);
    w->copy = cs_calloc(cap, sizeof *w->copy, err);
    w->copy_refused = cs_calloc(cap, 1, err);
    atomic_store(&w->psi_bits, _bits(NAN));
    atomic_store(&w->approval_bits, _bits(NAN));
    if (!w->slot || !w->refused || !w->copy || !w->copy_refused) goto fail;
    if (pthread_create(&w->thread, NULL, _run, w) != 0) {
        cs_err_set(err, CS_EINTERNAL, "monitoring window: cannot start its thread: %s", strerror(errno));
        goto fail;
    }
    w->started = 1;
    return w;
fail:
    api_window_free(w);
    return NULL;
}

void api_window_free(api_window *w)
{
    if (!w) return;
    if (w->started) {
        pthread_mutex_lock(&w->mu);
        w->stop = 1;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
    }
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w->slot);
    free(w->refused);
    free(w->copy);
    free(w->copy_refused);
    free(w);
}

static void _gauge(cs_buf *out, const char *name, const char *help, double v)
{
    char t[40];
    if (v != v) snprintf(t, sizeof t, "NaN");
    else cs_fmt_double(t, sizeof t, v);
    cs_buf_printf(out, NULL, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, help, name, name, t);
}

cs_status api_window_render(const api_window *w, cs_buf *out, cs_err *err)
{
    uint64_t upd = atomic_load(&((api_window *)w)->updated_ms);
    _gauge(out, "creditscore_window_score_psi",
           "PSI of the calibrated probabilities of the decisions in the window against the model's training scores "
           "(< 0.1 stable, 0.1-0.25 watch, > 0.25 act)",
           _val(atomic_load(&((api_window *)w)->psi_bits)));
    _gauge(out, "creditscore_window_approval_rate", "share of approvals among the decisions in the window",
           _val(atomic_load(&((api_window *)w)->approval_bits)));
    _gauge(out, "creditscore_window_decisions", "decisions in the window when the gauges were last computed",
           (double)atomic_load(&((api_window *)w)->in_window));
    _gauge(out, "creditscore_window_size", "the window's capacity (serve --window)", (double)w->cap);
    _gauge(out, "creditscore_window_updated_seconds", "when the gauges were last computed (unix seconds; 0 = not yet)",
           (double)upd / 1000.0);
    return cs_buf_puts(out, "", err);
}
