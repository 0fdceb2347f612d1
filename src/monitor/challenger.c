/*
 * challenger.c: champion against challenger from the audit log (see challenger.h): read
 * the paired decisions and the outcomes, join them, and measure agreement, swaps,
 * correlation and both models' AUC per pair of models.
 */
#include "challenger.h"
#include "../eval/metrics.h"
#include "../store/audit.h"
#include "../store/outcomes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- correlation ----------------------------------------------------------------------- */

double mon_pearson(const double *x, const double *y, size_t n)
{
    double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
    if (n < 2) return NAN;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double dx = x[i] - mx, dy = y[i] - my;
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    if (!(sxx > 0) || !(syy > 0)) return NAN;
    double r = sxy / sqrt(sxx * syy);
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

typedef struct _iv {
    double v;
    size_t i;
} _iv;

static int _cmp_iv(const void *a, const void *b)
{
    const _iv *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* mid-ranks (1-based, ties averaged) of v into r */
static cs_status _ranks(const double *v, size_t n, double *r, cs_err *err)
{
    _iv *s = cs_malloc((n ? n : 1) * sizeof *s, err);
    if (!s) return CS_ENOMEM;
    for (size_t i = 0; i < n; i++) s[i] = (_iv){v[i], i};
    qsort(s, n, sizeof *s, _cmp_iv);
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && s[b].v == s[a].v) b++;
        double mid = ((double)a + 1 + (double)b) / 2;   /* mean of ranks a+1 .. b */
        for (size_t k = a; k < b; k++) r[s[k].i] = mid;
        a = b;
    }
    free(s);
    return CS_OK;
}

double mon_spearman(const double *x, const double *y, size_t n, cs_err *err)
{
    double *rx, *ry, rho = NAN;
    if (n < 2) return NAN;
    rx = cs_malloc(n * sizeof *rx, err);
    ry = cs_malloc(n * sizeof *ry, err);
    if (rx && ry && !_ranks(x, n, rx, err) && !_ranks(y, n, ry, err)) rho = mon_pearson(rx, ry, n);
    free(rx);
    free(ry);
    return rho;
}

/* ---- reading --------------------------------------------------------------------------- */

typedef struct _pd {
    int64_t t, client;
    double p0, p1;              /* champion's, challenger's probability */
    int r0, r1;                 /* refused */
    int pair;
    int outcome;                /* -1 unknown, 0, 1 */
} _pd;

typedef struct _req_out {
    const store_outcome *o;
    long best;                  /* paired decision index, -1 */
    int64_t best_t;
} _req_out;

typedef struct _reader {
    mon_ch_report *rep;
    size_t cap_pairs;
    int last_pair;
    _pd *d;
    size_t n, cap;
    int oom;
    store_outcome *outs;
    size_t n_outs, cap_outs;
    _req_out *req;
    size_t n_req;
} _reader;

static int _cmp_req(const void *a, const void *b)
{
    return strcmp(((const _req_out *)a)->o->key, ((const _req_out *)b)->o->key);
}

static int _read_outcome(const store_outcome *o, void *ud)
{
    _reader *r = ud;
    if (r->n_outs == r->cap_outs) {
        size_t c = r->cap_outs ? 2 * r->cap_outs : 1024;
        store_outcome *p = realloc(r->outs, c * sizeof *p);
        if (!p) {
            r->oom = 1;
            return 1;
        }
        r->outs = p;
        r->cap_outs = c;
    }
    r->outs[r->n_outs++] = *o;
    return 0;
}

static int _same_pair(const mon_ch_pair *p, const store_decision *d)
{
    return !strcmp(p->champion_name, d->model_name) && !strcmp(p->champion_version, d->model_version) &&
           !strcmp(p->challenger_name, d->challenger_name) && !strcmp(p->challenger_version, d->challenger_version);
}

/* the pair of d, added when new; -1 when out of memory */
static int _pair_of(_reader *r, const store_decision *d)
{
    mon_ch_report *rep = r->rep;
    if (r->last_pair >= 0 && _same_pair(&rep->pairs[r->last_pair], d)) return r->last_pair;
    for (size_t k = 0; k < rep->n_pairs; k++)
        if (_same_pair(&rep->pairs[k], d)) return r->last_pair = (int)k;
    if (rep->n_pairs == r->cap_pairs) {
        size_t c = r->cap_pairs ? 2 * r->cap_pairs : 4;
        mon_ch_pair *p = realloc(rep->pairs, c * sizeof *p);
        if (!p) return -1;
        rep->pairs = p;
        r->cap_pairs = c;
    }
    mon_ch_pair *p = &rep->pairs[rep->n_pairs];
    memset(p, 0, sizeof *p);
    snprintf(p->champion_name, sizeof p->champion_name, "%s", d->model_name);
    snprintf(p->champion_version, sizeof p->champion_version, "%s", d->model_version);
    snprintf(p->challenger_name, sizeof p->challenger_name, "%s", d->challenger_name);
    snprintf(p->challenger_version, sizeof p->challenger_version, "%s", d->challenger_version);
    p->first_ms = d->unix_ms;
    p->last_ms = d->unix_ms;
    return r->last_pair = (int)rep->n_pairs++;
}

static int _read_decision(const store_decision *d, void *ud)
{
    _reader *r = ud;
    int k, scored;
    r->rep->n_decisions++;
    if (!d->challenger_name[0]) {
        r->rep->n_unpaired++;
        return 0;
    }
    if ((k = _pair_of(r, d)) < 0) {
        r->oom = 1;
        return 1;
    }
    mon_ch_pair *p = &r->rep->pairs[k];
    scored = (!strcmp(d->challenger_decision, "approve") || !strcmp(d->challenger_decision, "refuse")) &&
             d->challenger_probability == d->challenger_probability && d->probability == d->probability;
    if (!scored) {
        p->n_failed++;
        return 0;
    }
    if (d->unix_ms < p->first_ms) p->first_ms = d->unix_ms;
    if (d->unix_ms > p->last_ms) p->last_ms = d->unix_ms;
    if (r->n == r->cap) {
        size_t c = r->cap ? 2 * r->cap : 4096;
        _pd *q = realloc(r->d, c * sizeof *q);
        if (!q) {
            r->oom = 1;
            return 1;
        }
        r->d = q;
        r->cap = c;
    }
    _pd *x = &r->d[r->n];
    x->t = d->unix_ms;
    x->client = d->client_id;
    x->p0 = d->probability;
    x->p1 = d->challenger_probability;
    x->r0 = d->refused;
    x->r1 = !strcmp(d->challenger_decision, "refuse");
    x->pair = k;
    x->outcome = -1;
    if (r->n_req) {
        _req_out key, *hit;
        store_outcome ko;
        snprintf(ko.key, sizeof ko.key, "%s", d->request_id);
        key.o = &ko;
        hit = bsearch(&key, r->req, r->n_req, sizeof *r->req, _cmp_req);
        if (hit && d->unix_ms <= hit->o->observed_ms && (hit->best < 0 || d->unix_ms >= hit->best_t)) {
            hit->best = (long)r->n;
            hit->best_t = d->unix_ms;
        }
    }
    r->n++;
    return 0;
}

/* client-keyed outcomes: the client's latest paired decision at or before the observation */
typedef struct _ct {
    int64_t client, t;
    size_t idx;
} _ct;

static int _cmp_ct(const void *a, const void *b)
{
    const _ct *x = a, *y = b;
    if (x->client != y->client) return (x->client > y->client) - (x->client < y->client);
    if (x->t != y->t) return (x->t > y->t) - (x->t < y->t);
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static cs_status _join_clients(_reader *r, cs_err *err)
{
    size_t n = 0;
    _ct *ct = cs_malloc((r->n ? r->n : 1) * sizeof *ct, err);
    if (!ct) return CS_ENOMEM;
    for (size_t i = 0; i < r->n; i++)
        if (r->d[i].client >= 0) ct[n++] = (_ct){r->d[i].client, r->d[i].t, i};
    qsort(ct, n, sizeof *ct, _cmp_ct);
    for (size_t k = 0; k < r->n_outs; k++) {
        const store_outcome *o = &r->outs[k];
        char *e;
        long long id;
        size_t lo = 0, hi = n;
        if (o->kind != STORE_OUTCOME_CLIENT) continue;
        id = strtoll(o->key, &e, 10);
        if (*e) continue;
        while (lo < hi) {   /* the last entry with (client, t) <= (id, observed) */
            size_t mid = lo + (hi - lo) / 2;
            if (ct[mid].client < id || (ct[mid].client == id && ct[mid].t <= o->observed_ms)) lo = mid + 1;
            else hi = mid;
        }
        if (lo == 0 || ct[lo - 1].client != id) continue;
        _pd *d = &r->d[ct[lo - 1].idx];
        if (d->outcome >= 0) continue;   /* a request-keyed outcome names it already */
        d->outcome = o->defaulted;
        r->rep->n_outcomes_matched++;
    }
    free(ct);
    return CS_OK;
}

/* ---- the measures ---------------------------------------------------------------------- */

static cs_status _measure(mon_ch_pair *p, int k, const _pd *d, size_t n, cs_err *err)
{
    size_t m = 0, mo = 0;
    double *a = cs_malloc((n ? n : 1) * sizeof *a, err), *b = cs_malloc((n ? n : 1) * sizeof *b, err);
    double *ya = cs_malloc((n ? n : 1) * sizeof *ya, err), *yb = cs_malloc((n ? n : 1) * sizeof *yb, err);
    double *y = cs_malloc((n ? n : 1) * sizeof *y, err);
    double s0 = 0, s1 = 0;
    cs_status st = CS_OK;
    if (!a || !b || !ya || !yb || !y) {
        st = CS_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const _pd *x = &d[i];
        if (x->pair != k) continue;
        a[m] = x->p0;
        b[m] = x->p1;
        m++;
        s0 += x->p0;
        s1 += x->p1;
        if (!x->r0 && !x->r1) p->both_approve++;
        else if (x->r0 && x->r1) p->both_refuse++;
        else if (x->r1) p->to_refuse++;
        else p->to_approve++;
        if (x->outcome >= 0) {
            ya[mo] = x->p0;
            yb[mo] = x->p1;
            y[mo] = x->outcome;
            mo++;
            p->defaults += (size_t)x->outcome;
            if (!x->r0 && x->r1) {
                p->to_refuse_known++;
                p->to_refuse_defaults += (size_t)x->outcome;
            } else if (x->r0 && !x->r1) {
                p->to_approve_known++;
                p->to_approve_defaults += (size_t)x->outcome;
            }
        }
    }
    p->n = m;
    p->n_outcomes = mo;
    p->agreement = m ? (double)(p->both_approve + p->both_refuse) / (double)m : NAN;
    p->champion_approval = m ? (double)(p->both_approve + p->to_refuse) / (double)m : NAN;
    p->challenger_approval = m ? (double)(p->both_approve + p->to_approve) / (double)m : NAN;
    p->champion_mean_p = m ? s0 / (double)m : NAN;
    p->challenger_mean_p = m ? s1 / (double)m : NAN;
    p->pearson = mon_pearson(a, b, m);
    p->spearman = mon_spearman(a, b, m, err);
    p->champion_auc = mo ? ev_auc(y, ya, mo) : NAN;
    p->challenger_auc = mo ? ev_auc(y, yb, mo) : NAN;
out:
    free(a);
    free(b);
    free(ya);
    free(yb);
    free(y);
    return st;
}

void mon_challenger_free(mon_ch_report *r)
{
    if (!r) return;
    free(r->audit_path);
    free(r->pairs);
    free(r);
}

mon_ch_report *mon_challenger_run(const char *audit_path, int64_t since_ms, cs_err *err)
{
    _reader rd;
    mon_ch_report *rep = cs_calloc(1, sizeof *rep, err);
    cs_status st;
    memset(&rd, 0, sizeof rd);
    rd.last_pair = -1;
    if (!rep) return NULL;
    rd.rep = rep;
    rep->since_ms = since_ms;
    if (!(rep->audit_path = cs_strdup(audit_path, err))) goto fail;
    /* outcomes live beside the decisions in a SQLite log only (store/outcomes.h) */
    rep->outcomes_kept = strncmp(audit_path, "postgresql://", 13) && strncmp(audit_path, "postgres://", 11);
    if (rep->outcomes_kept) {
        if (store_outcomes_read(audit_path, _read_outcome, &rd, err)) goto fail;
        if (rd.oom) goto oom;
        rep->n_outcomes = rd.n_outs;
        size_t nr = 0;
        for (size_t k = 0; k < rd.n_outs; k++) nr += rd.outs[k].kind == STORE_OUTCOME_REQUEST;
        if (nr) {
            if (!(rd.req = cs_malloc(nr * sizeof *rd.req, err))) goto fail;
            for (size_t k = 0; k < rd.n_outs; k++)
                if (rd.outs[k].kind == STORE_OUTCOME_REQUEST) rd.req[rd.n_req++] = (_req_out){&rd.outs[k], -1, 0};
            qsort(rd.req, rd.n_req, sizeof *rd.req, _cmp_req);
        }
    }
    if ((st = store_audit_decisions(audit_path, since_ms, _read_decision, &rd, err))) goto fail;
    if (rd.oom) goto oom;
    if (rep->n_pairs == 0) {
        char since[32];
        store_audit_format_time(since_ms, since);
        cs_err_set(err, CS_ENOTFOUND,
                   "%s: no decision since %s was scored by a challenger (%zu decision(s), none with one: serve "
                   "--challenger MODEL records both models)",
                   audit_path, since, rep->n_decisions);
        goto fail;
    }
    /* the join: request ids first, then client ids for what is left */
    for (size_t k = 0; k < rd.n_req; k++)
        if (rd.req[k].best >= 0) {
            rd.d[rd.req[k].best].outcome = rd.req[k].o->defaulted;
            rep->n_outcomes_matched++;
        }
    if (_join_clients(&rd, err)) goto fail;
    for (size_t k = 0; k < rep->n_pairs; k++)
        if (_measure(&rep->pairs[k], (int)k, rd.d, rd.n, err)) goto fail;
    free(rd.d);
    free(rd.outs);
    free(rd.req);
    return rep;
oom:
    cs_err_set(err, CS_ENOMEM, "out of memory reading %s", audit_path);
fail:
    free(rd.d);
    free(rd.outs);
    free(rd.req);
    mon_challenger_free(rep);
    return NULL;
}

/* ---- output ---------------------------------------------------------------------------- */

static void _num(cs_buf *b, double v)
{
    char t[40];
    if (v != v || isinf(v)) {
        cs_buf_puts(b, "null", NULL);
        return;
    }
    cs_fmt_double(t, sizeof t, v);
    cs_buf_puts(b, t, NULL);
}

static void _str(cs_buf *b, const char *s)
{
    cs_buf_puts(b, "\"", NULL);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') cs_buf_printf(b, NULL, "\\%c", c);
        else if (c < 0x20) cs_buf_printf(b, NULL, "\\u%04x", c);
        else cs_buf_append(b, s, 1, NULL);
    }
    cs_buf_puts(b, "\"", NULL);
}

static void _time(cs_buf *b, int64_t ms)
{
    char t[32];
    store_audit_format_time(ms, t);
    _str(b, t);
}

static double _rate(size_t k, size_t n) { return n ? (double)k / (double)n : NAN; }

char *mon_challenger_json(const mon_ch_report *r, cs_err *err)
{
    cs_buf b = {0};
    cs_buf_puts(&b, "{\"format\":1,\"audit\":", NULL);
    _str(&b, r->audit_path);
    cs_buf_puts(&b, ",\"since\":", NULL);
    _time(&b, r->since_ms);
    cs_buf_printf(&b, NULL, ",\"decisions\":%zu,\"unpaired\":%zu,\"outcomes_kept\":%s,\"outcomes\":%zu,"
                            "\"outcomes_matched\":%zu,\"pairs\":[",
                  r->n_decisions, r->n_unpaired, r->outcomes_kept ? "true" : "false", r->n_outcomes,
                  r->n_outcomes_matched);
    for (size_t k = 0; k < r->n_pairs; k++) {
        const mon_ch_pair *p = &r->pairs[k];
        if (k) cs_buf_puts(&b, ",", NULL);
        cs_buf_puts(&b, "{\"champion\":{\"name\":", NULL);
        _str(&b, p->champion_name);
        cs_buf_puts(&b, ",\"version\":", NULL);
        _str(&b, p->champion_version);
        cs_buf_puts(&b, "},\"challenger\":{\"name\":", NULL);
        _str(&b, p->challenger_name);
        cs_buf_puts(&b, ",\"version\":", NULL);
        _str(&b, p->challenger_version);
        cs_buf_puts(&b, "},\"first\":", NULL);
        _time(&b, p->first_ms);
        cs_buf_puts(&b, ",\"last\":", NULL);
        _time(&b, p->last_ms);
        cs_buf_printf(&b, NULL, ",\"n\":%zu,\"challenger_failures\":%zu,\"agreement\":", p->n, p->n_failed);
        _num(&b, p->agreement);
        cs_buf_printf(&b, NULL, ",\"both_approve\":%zu,\"both_refuse\":%zu,\"swaps\":{\"to_refuse\":%zu,\"to_approve\":%zu},",
                      p->both_approve, p->both_refuse, p->to_refuse, p->to_approve);
        cs_buf_puts(&b, "\"champion_approval_rate\":", NULL);
        _num(&b, p->champion_approval);
        cs_buf_puts(&b, ",\"challenger_approval_rate\":", NULL);
        _num(&b, p->challenger_approval);
        cs_buf_puts(&b, ",\"champion_mean_probability\":", NULL);
        _num(&b, p->champion_mean_p);
        cs_buf_puts(&b, ",\"challenger_mean_probability\":", NULL);
        _num(&b, p->challenger_mean_p);
        cs_buf_puts(&b, ",\"pearson\":", NULL);
        _num(&b, p->pearson);
        cs_buf_puts(&b, ",\"spearman\":", NULL);
        _num(&b, p->spearman);
        cs_buf_printf(&b, NULL, ",\"outcomes\":{\"n\":%zu,\"defaults\":%zu,\"champion_auc\":", p->n_outcomes, p->defaults);
        _num(&b, p->champion_auc);
        cs_buf_puts(&b, ",\"challenger_auc\":", NULL);
        _num(&b, p->challenger_auc);
        cs_buf_printf(&b, NULL, ",\"to_refuse\":{\"known\":%zu,\"defaults\":%zu,\"default_rate\":", p->to_refuse_known,
                      p->to_refuse_defaults);
        _num(&b, _rate(p->to_refuse_defaults, p->to_refuse_known));
        cs_buf_printf(&b, NULL, "},\"to_approve\":{\"known\":%zu,\"defaults\":%zu,\"default_rate\":", p->to_approve_known,
                      p->to_approve_defaults);
        _num(&b, _rate(p->to_approve_defaults, p->to_approve_known));
        cs_buf_puts(&b, "}}}", NULL);
    }
    if (cs_buf_puts(&b, "]}\n", err) != CS_OK) {
        cs_buf_free(&b);
        return NULL;
    }
    return cs_buf_take(&b);
}

/* "0.1234" or "-" */
static const char *_f(char *t, size_t cap, double v, int digits)
{
    if (v != v) snprintf(t, cap, "-");
    else snprintf(t, cap, "%.*f", digits, v);
    return t;
}

char *mon_challenger_text(const mon_ch_report *r, cs_err *err)
{
    cs_buf b = {0};
    char t1[40], t2[40], t3[40], a[32], z[32];
    cs_buf_printf(&b, NULL, "audit log %s: %zu decision(s), %zu without a challenger", r->audit_path, r->n_decisions,
                  r->n_unpaired);
    if (r->outcomes_kept) cs_buf_printf(&b, NULL, "; %zu outcome(s), %zu joined\n", r->n_outcomes, r->n_outcomes_matched);
    else cs_buf_puts(&b, "; no outcomes (a PostgreSQL log keeps none: no AUC)\n", NULL);
    for (size_t k = 0; k < r->n_pairs; k++) {
        const mon_ch_pair *p = &r->pairs[k];
        store_audit_format_time(p->first_ms, a);
        store_audit_format_time(p->last_ms, z);
        cs_buf_printf(&b, NULL, "\nchampion %s %s vs challenger %s %s: %zu decision(s) from %s to %s", p->champion_name,
                      p->champion_version, p->challenger_name, p->challenger_version, p->n, a, z);
        if (p->n_failed) cs_buf_printf(&b, NULL, " (the challenger failed on %zu more)", p->n_failed);
        cs_buf_printf(&b, NULL, "\n  agreement            %s (%zu both approve, %zu both refuse)\n",
                      _f(t1, sizeof t1, p->agreement, 4), p->both_approve, p->both_refuse);
        cs_buf_printf(&b, NULL, "  swaps                %zu champion approves / challenger refuses, %zu the reverse\n",
                      p->to_refuse, p->to_approve);
        cs_buf_printf(&b, NULL, "  approval rate        champion %s, challenger %s\n", _f(t1, sizeof t1, p->champion_approval, 4),
                      _f(t2, sizeof t2, p->challenger_approval, 4));
        cs_buf_printf(&b, NULL, "  mean probability     champion %s, challenger %s\n", _f(t1, sizeof t1, p->champion_mean_p, 4),
                      _f(t2, sizeof t2, p->challenger_mean_p, 4));
        cs_buf_printf(&b, NULL, "  correlation          Pearson %s, Spearman %s\n", _f(t1, sizeof t1, p->pearson, 4),
                      _f(t2, sizeof t2, p->spearman, 4));
        if (!r->outcomes_kept) continue;
        if (!p->n_outcomes) {
            cs_buf_puts(&b, "  outcomes             none known yet (creditscore outcomes import)\n", NULL);
            continue;
        }
        cs_buf_printf(&b, NULL, "  outcomes             %zu known, %zu default(s) (%s)\n", p->n_outcomes, p->defaults,
                      _f(t3, sizeof t3, _rate(p->defaults, p->n_outcomes), 4));
        cs_buf_printf(&b, NULL, "  AUC                  champion %s, challenger %s (same applicants)\n",
                      _f(t1, sizeof t1, p->champion_auc, 4), _f(t2, sizeof t2, p->challenger_auc, 4));
        cs_buf_printf(&b, NULL, "  swaps' default rate  to refuse %s (%zu known), to approve %s (%zu known)\n",
                      _f(t1, sizeof t1, _rate(p->to_refuse_defaults, p->to_refuse_known), 4), p->to_refuse_known,
                      _f(t2, sizeof t2, _rate(p->to_approve_defaults, p->to_approve_known), 4), p->to_approve_known);
    }
    if (cs_buf_puts(&b, "", err) != CS_OK || !b.data) {
        cs_buf_free(&b);
        if (err && !err->code) cs_err_set(err, CS_ENOMEM, "out of memory");
        return NULL;
    }
    return cs_buf_take(&b);
}
