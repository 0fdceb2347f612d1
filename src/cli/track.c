/*
 * track.c: tracked runs for commands, with the signal guard (see track.h).
 */
#include "track.h"

#include "../eval/search.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cli_run {
    store *s;
    char *path;
    char id[STORE_RUN_ID_LEN + 1];
    pthread_t guard;
    int guarded;
    int is_child;           /* shares its parent's store */
    sigset_t old_mask;
    /* per-iteration validation AUC of the current fold, flushed as one series */
    int fold;
    size_t n_iter, cap_iter;
    double *iter_auc;
    int64_t *iter_step;
};

/* Waits for SIGINT/SIGTERM (end the run KILLED, exit) or SIGUSR2 (the run ended: stop). */
static void *_guard(void *arg)
{
    cli_run *r = arg;
    sigset_t set;
    int sig = 0;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR2);
    if (sigwait(&set, &sig) != 0 || sig == SIGUSR2) return NULL;
    {
        /* a connection of this thread's own: the main thread may be inside SQLite */
        store *s = store_open(r->path, NULL);
        if (s) {
            store_run_end(s, r->id, STORE_KILLED, NULL);
            store_close(s);
        }
    }
    fprintf(stderr, "\ncreditscore: interrupted by %s; run %s ended as KILLED\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM", r->id);
    _exit(128 + sig);
    return NULL;
}

cli_run *cli_run_begin(const char *store_flag, const char *experiment, const char *name,
                       int argc, char **argv, cs_err *err)
{
    cli_run *r = calloc(1, sizeof *r);
    cs_buf src = {0};
    sigset_t set;

    if (!r) {
        cs_err_set(err, CS_ENOMEM, "out of memory");
        return NULL;
    }
    r->path = strdup(store_resolve_path(store_flag));
    r->s = r->path ? store_open(r->path, err) : NULL;
    if (!r->s) {
        free(r->path);
        free(r);
        return NULL;
    }
    cs_buf_puts(&src, "creditscore", NULL);
    for (int i = 0; i < argc; i++) {
        cs_buf_puts(&src, " ", NULL);
        cs_buf_puts(&src, argv[i], NULL);
    }
    if (store_run_start(r->s, experiment, name, NULL, src.data ? src.data : "", r->id, err)) {
        cs_buf_free(&src);
        store_close(r->s);
        free(r->path);
        free(r);
        return NULL;
    }
    cs_buf_free(&src);
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR2);
    if (pthread_sigmask(SIG_BLOCK, &set, &r->old_mask) == 0 &&
        pthread_create(&r->guard, NULL, _guard, r) == 0)
        r->guarded = 1;
    return r;
}

store *cli_run_store(cli_run *r)
{
    return r ? r->s : NULL;
}

const char *cli_run_id(const cli_run *r)
{
    return r ? r->id : "";
}

cs_status cli_run_end(cli_run *r, int ok, cs_err *err)
{
    cs_status st = CS_OK;
    if (!r) return CS_OK;
    cli_run_flush(r);
    free(r->iter_auc);
    free(r->iter_step);
    if (r->guarded) {
        pthread_kill(r->guard, SIGUSR2);
        pthread_join(r->guard, NULL);
        pthread_sigmask(SIG_SETMASK, &r->old_mask, NULL);
    }
    if ((st = store_run_end(r->s, r->id, ok ? STORE_FINISHED : STORE_FAILED, err)))
        cs_err_prefix(err, "could not end run %.8s in the tracking store: ", r->id);
    if (!r->is_child) store_close(r->s);
    free(r->path);
    free(r);
    return st;
}

static void _warn(const cs_err *err)
{
    fprintf(stderr, "creditscore: warning: tracking: %s\n", err->msg);
}

void cli_run_param(cli_run *r, const char *key, const char *value)
{
    cs_err err = {0};
    if (r && store_log_param(r->s, r->id, key, value, &err)) _warn(&err);
}

void cli_run_metric(cli_run *r, const char *key, double value, int64_t step)
{
    cs_err err = {0};
    if (r && store_log_metric(r->s, r->id, key, value, step, 0, &err)) _warn(&err);
}

void cli_run_tag(cli_run *r, const char *key, const char *value)
{
    cs_err err = {0};
    if (r && store_set_tag(r->s, r->id, key, value, &err)) _warn(&err);
}

void cli_run_artifact(cli_run *r, const char *path, const char *kind)
{
    cs_err err = {0};
    if (r && store_log_artifact(r->s, r->id, path, kind, &err)) _warn(&err);
}

void cli_run_params_json(cli_run *r, const char *prefix, const char *json_object)
{
    cJSON *o, *it;
    if (!r || !json_object) return;
    o = cJSON_Parse(json_object);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return;
    }
    cJSON_ArrayForEach(it, o) {
        char key[256];
        char *v = cJSON_IsString(it) ? strdup(it->valuestring) : cJSON_PrintUnformatted(it);
        snprintf(key, sizeof key, "%s%s", prefix ? prefix : "", it->string);
        if (v) cli_run_param(r, key, v);
        free(v);
    }
    cJSON_Delete(o);
}

void cli_run_trial(cli_run *r, size_t index, const ev_trial *trial, const ev_trial_score *score)
{
    char id[STORE_RUN_ID_LEN + 1], name[64];
    cs_err err = {0};
    if (!r) return;
    snprintf(name, sizeof name, "trial %zu", index + 1);
    if (store_run_start(r->s, NULL, name, r->id, trial->json, id, &err)) {
        fprintf(stderr, "creditscore: warning: tracking: %s\n", err.msg);
        return;
    }
    for (size_t i = 0; i < trial->n; i++) {
        cJSON *v = cJSON_Parse(trial->values[i]);
        char *text = cJSON_IsString(v) ? strdup(v->valuestring) : strdup(trial->values[i]);
        if (text && store_log_param(r->s, id, trial->names[i], text, &err))
            fprintf(stderr, "creditscore: warning: tracking: %s\n", err.msg);
        free(text);
        cJSON_Delete(v);
    }
    store_log_metric(r->s, id, "cv_auc_mean", score->auc_mean, 0, 0, NULL);
    store_log_metric(r->s, id, "cv_auc_sd", score->auc_sd, 0, 0, NULL);
    store_log_metric(r->s, id, "cost", score->cost, 0, 0, NULL);
    store_log_metric(r->s, id, "threshold", score->threshold, 0, 0, NULL);
    store_log_metric(r->s, id, "fit_seconds", score->seconds, 0, 0, NULL);
    store_run_end(r->s, id, STORE_FINISHED, NULL);
}

void cli_run_flush(cli_run *r)
{
    char key[64];
    cs_err err = {0};
    if (!r || !r->n_iter) return;
    snprintf(key, sizeof key, "valid_auc_fold%d", r->fold + 1);
    /* one transaction for the whole fold */
    if (store_log_metric_series(r->s, r->id, key, r->iter_auc, r->iter_step, r->n_iter, &err))
        fprintf(stderr, "creditscore: warning: tracking: %s\n", err.msg);
    r->n_iter = 0;
}

void cli_run_iteration(cli_run *r, int fold, int iteration, double valid_auc)
{
    if (!r) return;
    if (fold != r->fold) {
        cli_run_flush(r);
        r->fold = fold;
    }
    if (r->n_iter == r->cap_iter) {
        size_t cap = r->cap_iter ? 2 * r->cap_iter : 256;
        double *a = realloc(r->iter_auc, cap * sizeof *a);
        int64_t *b;
        if (!a) return;
        r->iter_auc = a;
        b = realloc(r->iter_step, cap * sizeof *b);
        if (!b) return;
        r->iter_step = b;
        r->cap_iter = cap;
    }
    r->iter_auc[r->n_iter] = valid_auc;
    r->iter_step[r->n_iter++] = iteration;
}

cli_run *cli_run_child(cli_run *r, const char *name)
{
    cli_run *c;
    cs_err err = {0};
    if (!r) return NULL;
    c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->s = r->s;
    c->is_child = 1;
    if (store_run_start(r->s, NULL, name, r->id, "", c->id, &err)) {
        fprintf(stderr, "creditscore: warning: tracking: %s\n", err.msg);
        free(c);
        return NULL;
    }
    return c;
}
