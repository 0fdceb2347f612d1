/*
 * predict.c: POST /v1/predict and POST /v1/explain: parse the input (request.h), build
 * the model's feature vector (clients store, named features or raw records), score
 * (mf_score), explain when asked, answer, count the decision, score the challenger (serve
 * --challenger) on the same vector when there is one, and hand the audit record holding
 * both to the caller (server.c commits it before the answer leaves).
 */
#include "handlers.h"
#include "scorecard.h"
#include "whatif.h"
#include "../base/sha256.h"
#include "../model/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const _kind_names[] = {"none", "client_id", "features", "application", "records"};
static const char *const _purpose_names[] = {"decision", "lookup", "simulation"};   /* audit.h's kinds */

static int64_t _unix_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* the model's feature vector for in; 0 or an HTTP status with pb filled */
static int _features(api_server *s, const api_model *m, const api_input *in, double *x, api_problem *pb)
{
    size_t n = api_model_n_feats(m);
    cs_err err = {0};
    if (in->kind == API_IN_FEATURES) {
        memcpy(x, in->x, n * sizeof *x);
        return 0;
    }
    if (in->kind == API_IN_CLIENT) {
        double *sx;
        cs_status st;
        if (!s->clients)
            return api_problem_set(pb, 404, "unknown_client", "client_id",
                                   "client %lld: the server has no clients store (--clients)", (long long)in->client_id);
        sx = malloc((store_clients_n_feats(s->clients) + 1) * sizeof *sx);
        if (!sx) return api_problem_set(pb, 503, "overloaded", NULL, "out of memory");
        st = store_clients_features(s->clients, in->client_id, sx, &err);
        if (st == CS_OK) api_model_x_from_store(m, sx, x);
        free(sx);
        if (st == CS_ENOTFOUND) return api_problem_set(pb, 404, "unknown_client", "client_id", "%s", err.msg);
        if (st != CS_OK) return api_problem_set(pb, 500, "internal", NULL, "%s", err.msg);
        return 0;
    }
    if (in->kind == API_IN_RECORDS)
        return api_model_x_from_records(m, cJSON_GetObjectItemCaseSensitive(in->doc, "records"), x, pb);
    {
        tbl *t[HC_N_TABLES];
        int code = api_raw_tables(in->doc, t, pb);
        cs_status st;
        if (code) return code;
        st = api_model_x_from_raw(m, t, x, &err);
        for (int k = 0; k < HC_N_TABLES; k++) tbl_free(t[k]);
        if (st == CS_EINVAL || st == CS_EPARSE) return api_problem_set(pb, 400, "invalid_records", "application", "%s", err.msg);
        if (st == CS_EUNSUPPORTED) return api_problem_set(pb, 400, "wrong_input", "application", "%s", err.msg);
        if (st != CS_OK) return api_problem_set(pb, 500, "internal", NULL, "%s", err.msg);
        return 0;
    }
}

/* A simulation's edited inputs (whatif.h): against the stored client's features when the
 * what-if names a client of the clients store (simulation_of), else all of them. 0 or an
 * HTTP status with pb filled. */
static int _check_simulation(api_server *s, const api_model *m, const api_input *in, const double *x, api_problem *pb)
{
    double *base = NULL, *sx = NULL;
    int code = 0;
    if (in->simulation_of >= 0 && s->clients && api_model_has_store_map(m)) {
        cs_err err = {0};
        cs_status st;
        size_t n = api_model_n_feats(m);
        sx = malloc((store_clients_n_feats(s->clients) + 1) * sizeof *sx);
        base = malloc((n ? n : 1) * sizeof *base);
        if (!sx || !base) {
            code = api_problem_set(pb, 503, "overloaded", NULL, "out of memory");
            goto out;
        }
        st = store_clients_features(s->clients, in->simulation_of, sx, &err);
        if (st == CS_ENOTFOUND) {
            code = api_problem_set(pb, 404, "unknown_client", "simulation_of", "%s", err.msg);
            goto out;
        }
        if (st != CS_OK) {
            code = api_problem_set(pb, 500, "internal", NULL, "%s", err.msg);
            goto out;
        }
        api_model_x_from_store(m, sx, base);
    }
    code = api_whatif_check(m, x, base, pb);
out:
    free(sx);
    free(base);
    return code;
}

/* a challenger's failure: counted, and logged at most once a second (with the count so
 * far) so that a broken challenger under load does not flood the log */
static void _challenger_failed(api_server *s, const mf_model *chm, const char *msg)
{
    int64_t now = _unix_ms(), last = atomic_load(&s->challenger_log_ms);
    api_metrics_challenger(s->metrics, API_CH_FAILED);
    atomic_fetch_add(&s->challenger_failures, 1);
    if (!s->cfg.log || now - last < 1000 || !atomic_compare_exchange_strong(&s->challenger_log_ms, &last, now)) return;
    char line[CS_ERR_MSG_MAX + 160];
    int n = snprintf(line, sizeof line, "challenger %s %s failed (%llu failure(s) so far; the champion answered): %s\n",
                     mf_name(chm), mf_version(chm), (unsigned long long)atomic_load(&s->challenger_failures), msg);
    if (n > 0) fwrite(line, 1, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1, s->cfg.log);
    fflush(s->cfg.log);
}

/* Score the challenger on the champion's vector x after the champion's answer is built
 * (sc): 1 with *out filled, 0 when it failed (counted and logged, never the request's
 * failure). */
static int _challenger(api_server *s, const api_model *m, const mf_model *chm, const double *x, const mf_decision *sc,
                       mf_decision *out)
{
    cs_err err = {0};
    size_t n = mf_n_feats(chm);
    double small[64], *scratch = n <= 64 ? small : malloc(n * sizeof *scratch);
    cs_status st;
    if (!scratch) {
        _challenger_failed(s, chm, "out of memory");
        return 0;
    }
    st = mf_score(chm, api_model_challenger_x(m, x, scratch), out, &err);
    if (scratch != small) free(scratch);
    if (st != CS_OK) {
        _challenger_failed(s, chm, err.msg);
        return 0;
    }
    api_metrics_challenger(s->metrics, out->refuse == sc->refuse ? API_CH_AGREE
                                       : out->refuse             ? API_CH_SWAP_TO_REFUSE
                                                                 : API_CH_SWAP_TO_APPROVE);
    return 1;
}

static int _predict(const api_call *c, int explain, api_response *resp)
{
    api_server *s = c->s;
    const api_request *req = c->req;
    api_model *m = api_server_model(s);
    api_input in;
    api_problem pb;
    mf_decision sc;
    cs_err err = {0};
    double *x = NULL;
    int64_t decided_ms = -1;
    int audited = 0;
    size_t n = api_model_n_feats(m);
    cs_buf *b = &resp->body;
    memset(&pb, 0, sizeof pb);
    if (req->decision_time) {
        /* a replayed decision's time (serve --replay-time), checked before any work */
        if (!s->cfg.replay_time) {
            api_problem_set(&pb, 400, "replay_not_enabled", NULL,
                            "X-Decision-Time is accepted only by a server started with --replay-time");
            api_model_release(m);
            api_respond_problem(resp, &pb, req->request_id);
            return 0;
        }
        decided_ms = store_audit_parse_time(req->decision_time);
        if (decided_ms < 0) {
            api_problem_set(&pb, 400, "invalid_header", NULL,
                            "X-Decision-Time '%.40s' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)", req->decision_time);
            api_model_release(m);
            api_respond_problem(resp, &pb, req->request_id);
            return 0;
        }
    }
    if (api_input_parse(req->body, req->body_len, api_model_featmap(m), &in, &pb)) {
        api_model_release(m);
        api_respond_problem(resp, &pb, req->request_id);
        return 0;
    }
    if (!(x = malloc((n ? n : 1) * sizeof *x))) {
        api_problem_set(&pb, 503, "overloaded", NULL, "out of memory");
        goto fail;
    }
    if (_features(s, m, &in, x, &pb)) goto fail;
    if (in.purpose == API_PURPOSE_SIMULATION && in.kind == API_IN_FEATURES && _check_simulation(s, m, &in, x, &pb))
        goto fail;
    if (mf_score(api_model_mf(m), x, &sc, &err) != CS_OK) {
        api_problem_set(&pb, 500, "internal", NULL, "%s", err.msg);
        goto fail;
    }
    cs_buf_puts(b, "{\"request_id\":", NULL);
    api_json_str(b, req->request_id, NULL);
    if (in.kind == API_IN_CLIENT) cs_buf_printf(b, NULL, ",\"client_id\":%lld", (long long)in.client_id);
    cs_buf_puts(b, ",\"probability\":", NULL);
    api_json_num(b, sc.probability, NULL);
    cs_buf_printf(b, NULL, ",\"decision\":\"%s\",\"threshold\":", mf_decision_word(sc.refuse));
    api_json_num(b, sc.threshold, NULL);
    cs_buf_puts(b, ",\"distance\":", NULL);
    api_json_num(b, sc.distance, NULL);
    cs_buf_puts(b, ",\"score\":", NULL);
    api_json_num(b, sc.points, NULL);
    cs_buf_puts(b, ",\"model\":{\"name\":", NULL);
    api_json_str(b, api_model_name(m), NULL);
    cs_buf_puts(b, ",\"version\":", NULL);
    api_json_str(b, api_model_version(m), NULL);
    cs_buf_puts(b, "}", NULL);
    if (mf_card(api_model_mf(m)) && api_scorecard_json(api_model_mf(m), x, explain, in.lang, b, &err) != CS_OK) {
        api_problem_set(&pb, 503, "overloaded", NULL, "%s", err.msg);
        cs_buf_free(b);
        goto fail;
    }
    if (explain) {
        cs_buf_puts(b, ",", NULL);
        if (api_model_explain_json(m, x, &sc, in.top, in.lang, b, &err) != CS_OK) {
            api_problem_set(&pb, 500, "internal", NULL, "%s", err.msg);
            cs_buf_free(b);
            goto fail;
        }
    }
    if (cs_buf_puts(b, "}", NULL) != CS_OK) {
        api_problem_set(&pb, 503, "overloaded", NULL, "out of memory");
        cs_buf_free(b);
        goto fail;
    }
    if (in.purpose == API_PURPOSE_DECISION) {   /* lookups and simulations are not decisions */
        api_metrics_decision(s->metrics, sc.refuse);
        if (s->window) api_window_push(s->window, sc.probability, sc.refuse);
    }
    /* the challenger is compared on decisions only (a lookup would count one twice) */
    const mf_model *chm = in.purpose == API_PURPOSE_DECISION ? api_model_challenger(m) : NULL;
    mf_decision ch;
    int ch_ok = 0;
    if (chm) ch_ok = _challenger(s, m, chm, x, &sc, &ch);
    if (s->audit) {
        store_audit_rec *r = c->audit;
        unsigned char d[CS_SHA256_LEN];
        memset(r, 0, sizeof *r);
        r->unix_ms = decided_ms >= 0 ? decided_ms : _unix_ms();
        snprintf(r->request_id, sizeof r->request_id, "%s", req->request_id);
        snprintf(r->endpoint, sizeof r->endpoint, "%s", explain ? "explain" : "predict");
        snprintf(r->model_name, sizeof r->model_name, "%s", api_model_name(m));
        snprintf(r->model_version, sizeof r->model_version, "%s", api_model_version(m));
        snprintf(r->input_kind, sizeof r->input_kind, "%s", _kind_names[in.kind]);
        r->client_id = in.kind == API_IN_CLIENT ? in.client_id : in.simulation_of;
        snprintf(r->kind, sizeof r->kind, "%s", _purpose_names[in.purpose]);
        /* the digest of the input as given: "client_id:N" for a client id, else the body
         * (hashing the 6 KB feature vector instead would cost more than the prediction) */
        if (in.kind == API_IN_CLIENT) {
            char key[40];
            int len = snprintf(key, sizeof key, "client_id:%lld", (long long)in.client_id);
            cs_sha256_digest(key, (size_t)len, d);
        } else
            cs_sha256_digest(req->body, req->body_len, d);
        cs_sha256_hex(d, r->input_digest);
        r->probability = sc.probability;
        r->score = sc.points;
        r->threshold = sc.threshold;
        snprintf(r->decision, sizeof r->decision, "%s", mf_decision_word(sc.refuse));
        if (chm) {   /* the challenger in the same record: one write */
            snprintf(r->challenger_name, sizeof r->challenger_name, "%s", mf_name(chm));
            snprintf(r->challenger_version, sizeof r->challenger_version, "%s", mf_version(chm));
            r->challenger_probability = ch_ok ? ch.probability : (double)NAN;
            r->challenger_threshold = ch_ok ? ch.threshold : (double)NAN;
            snprintf(r->challenger_decision, sizeof r->challenger_decision, "%s",
                     ch_ok ? mf_decision_word(ch.refuse) : "error");
        }
        /* committed by the caller before the 200 leaves (durable before it is given) */
        audited = 1;
    }
    resp->status = 200;
    resp->content_type = "application/json";
    free(x);
    api_input_clear(&in);
    api_model_release(m);
    return audited;
fail:
    free(x);
    api_input_clear(&in);
    api_model_release(m);
    api_respond_problem(resp, &pb, req->request_id);
    return 0;
}

int api_h_predict(const api_call *c, api_response *resp) { return _predict(c, 0, resp); }
int api_h_explain(const api_call *c, api_response *resp) { return _predict(c, 1, resp); }

int api_input_x(api_server *s, const api_model *m, const api_input *in, double *x, api_problem *pb)
{
    return _features(s, m, in, x, pb);
}
