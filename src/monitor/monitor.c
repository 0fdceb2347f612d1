/*
 * monitor.c: the computation of a monitoring report (contract in monitor.h): read the
 * model's decisions and the outcomes, join them, put decisions into periods, count score
 * and feature bins (the features in one parallel scan of the clients store), then PSI,
 * CSI, performance, calibration by band and vintages.
 */
#include "monitor.h"
#include "../drift/drift.h"
#include "../eval/metrics.h"
#include "../store/audit.h"
#include "../store/clients.h"
#include "../store/outcomes.h"
#include "../features/featfile.h"
#include "../features/colbin.h"

#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_MS 86400000LL

void mon_options_init(mon_options *o)
{
    memset(o, 0, sizeof *o);
    o->by = MON_BY_MONTH;
    o->min_known = 0.9;
}

/* ---- PSI ----------------------------------------------------------------------------- */

double mon_psi_counts(const double *ref_share, const double *counts, size_t k)
{
    double r[64], c[64], total = 0;
    size_t m = 0;
    if (k > 64) return NAN;
    for (size_t i = 0; i < k; i++) total += counts[i];
    if (!(total > 0)) return NAN;
    for (size_t i = 0; i < k; i++) {
        if (ref_share[i] == 0 && counts[i] == 0) continue; /* empty on both sides */
        r[m] = ref_share[i];
        c[m] = counts[i] / total;
        m++;
    }
    drift_fill_zeroes(r, m);
    drift_fill_zeroes(c, m);
    return drift_psi(r, c, m);
}

const char *mon_psi_band(double psi)
{
    if (psi != psi) return "none";
    return psi < 0.1 ? "stable" : psi <= 0.25 ? "watch" : "act";
}

/* ---- calendar -------------------------------------------------------------------------- */

static int64_t _floor_div(int64_t a, int64_t b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

static int64_t _days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* the UTC date of a time (proleptic Gregorian; H. Hinnant's civil_from_days, no time zone
 * lookup: monitoring asks this of every decision) */
static void _civil(int64_t ms, int *y, int *m, int *d)
{
    int64_t z = _floor_div(ms, DAY_MS) + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* months since 1970-01 */
static int64_t _month_index(int64_t ms)
{
    int y, m, d;
    _civil(ms, &y, &m, &d);
    return (int64_t)(y - 1970) * 12 + (m - 1);
}

/* weeks since the Monday 1969-12-29 */
static int64_t _week_index(int64_t ms)
{
    return _floor_div(_floor_div(ms, DAY_MS) + 3, 7);
}

static int64_t _period_index(mon_by by, int64_t ms)
{
    return by == MON_BY_WEEK ? _week_index(ms) : _month_index(ms);
}

static int64_t _period_start(mon_by by, int64_t idx)
{
    if (by == MON_BY_WEEK) return (idx * 7 - 3) * DAY_MS;
    return _days_from_civil((int)(1970 + _floor_div(idx, 12)), (int)(idx - 12 * _floor_div(idx, 12)) + 1, 1) * DAY_MS;
}

static void _period_label(mon_by by, int64_t idx, char out[16])
{
    char t[48];
    if (by == MON_BY_MONTH) {
        snprintf(t, sizeof t, "%04d-%02d", (int)(1970 + _floor_div(idx, 12)), (int)(idx - 12 * _floor_div(idx, 12)) + 1);
        snprintf(out, 16, "%.15s", t);
        return;
    }
    /* the ISO week: the year of the week's Thursday, its week number */
    int64_t thursday = idx * 7 - 3 + 3;
    int y, m, d;
    _civil(thursday * DAY_MS, &y, &m, &d);
    int64_t jan1 = _days_from_civil(y, 1, 1);
    snprintf(t, sizeof t, "%04d-W%02d", y, (int)((thursday - jan1) / 7 + 1));
    snprintf(out, 16, "%.15s", t);
}

/* ---- reading -------------------------------------------------------------------------- */

typedef struct _dec {
    int64_t t, client;
    double p;
    int refused;
    int period;
    int outcome;                /* -1 unknown, 0, 1 */
    int64_t observed;
    int64_t month;              /* _month_index(t), once */
} _dec;

typedef struct _req_out {
    const store_outcome *o;
    long best;                  /* decision index, -1 */
    int64_t best_t;
} _req_out;

typedef struct _reader {
    const char *model;
    int64_t until;              /* 0 = none */
    _dec *d;
    size_t n, cap;
    size_t other;
    int oom;
    _req_out *req;              /* request-keyed outcomes, sorted by key */
    size_t n_req;
    store_outcome *outs;        /* every outcome */
    size_t n_outs, cap_outs;
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

static int _read_decision(const store_decision *d, void *ud)
{
    _reader *r = ud;
    if (r->until > 0 && d->unix_ms >= r->until) return 0;
    if (strcmp(d->model_name, r->model)) {
        r->other++;
        return 0;
    }
    if (r->n == r->cap) {
        size_t c = r->cap ? 2 * r->cap : 4096;
        _dec *p = realloc(r->d, c * sizeof *p);
        if (!p) {
            r->oom = 1;
            return 1;
        }
        r->d = p;
        r->cap = c;
    }
    _dec *x = &r->d[r->n];
    x->t = d->unix_ms;
    x->client = d->client_id;
    x->p = d->probability;
    x->refused = d->refused;
    x->outcome = -1;
    x->observed = 0;
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

/* client-keyed outcomes: the client's latest decision at or before the observation */
typedef struct _ct {
    int64_t client, t;
    size_t idx;
} _ct;

/* qsort, after a look whether the array is in order already (a log in client order, a
 * file in id order: the same result without the sort) */
static void _sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    const char *p = base;
    size_t i = 1;
    while (i < n && cmp(p + (i - 1) * size, p + i * size) <= 0) i++;
    if (i < n) qsort(base, n, size, cmp);
}

static int _cmp_ct(const void *a, const void *b)
{
    const _ct *x = a, *y = b;
    if (x->client != y->client) return (x->client > y->client) - (x->client < y->client);
    if (x->t != y->t) return (x->t > y->t) - (x->t < y->t);
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static cs_status _join_clients(_reader *r, size_t *matched, cs_err *err)
{
    size_t n = 0;
    _ct *ct = cs_malloc((r->n ? r->n : 1) * sizeof *ct, err);
    if (!ct) return CS_ENOMEM;
    for (size_t i = 0; i < r->n; i++)
        if (r->d[i].client >= 0) ct[n++] = (_ct){r->d[i].client, r->d[i].t, i};
    _sort(ct, n, sizeof *ct, _cmp_ct);
    for (size_t k = 0; k < r->n_outs; k++) {
        const store_outcome *o = &r->outs[k];
        char *e;
        long long id;
        size_t lo = 0, hi = n;
        if (o->kind != STORE_OUTCOME_CLIENT) continue;
        id = strtoll(o->key, &e, 10);
        if (*e) continue;
        /* the last entry with (client, t) <= (id, observed) */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (ct[mid].client < id || (ct[mid].client == id && ct[mid].t <= o->observed_ms)) lo = mid + 1;
            else hi = mid;
        }
        if (lo == 0 || ct[lo - 1].client != id) continue;
        _dec *d = &r->d[ct[lo - 1].idx];
        if (d->outcome >= 0) continue; /* a request-keyed outcome names it already */
        d->outcome = o->defaulted;
        d->observed = o->observed_ms;
        (*matched)++;
    }
    free(ct);
    return CS_OK;
}

/* The column of each model feature among the source's n_names columns, by name (-1 when
 * absent; the same position is tried first), into map (n_feats). Returns the features found. */
static size_t _map_features(const mon_report *rep, const char *const *names, size_t n_names, long *map)
{
    size_t hits = 0;
    for (size_t j = 0; j < rep->n_feats; j++) {
        map[j] = -1;
        if (j < n_names && !strcmp(names[j], rep->feat_names[j])) map[j] = (long)j;
        else
            for (size_t k = 0; k < n_names; k++)
                if (!strcmp(names[k], rep->feat_names[j])) {
                    map[j] = (long)k;
                    break;
                }
        hits += map[j] >= 0;
    }
    return hits;
}

/* ---- features: one scan of the clients store ----------------------------------------- */

typedef struct _cd {
    int64_t client;
    size_t idx;
} _cd;

static int _cmp_cd(const void *a, const void *b)
{
    const _cd *x = a, *y = b;
    if (x->client != y->client) return (x->client > y->client) - (x->client < y->client);
    return (x->idx > y->idx) - (x->idx < y->idx);
}

typedef struct _scan {
    const _cd *cd;              /* this thread's slice of (client, decision) */
    size_t n_cd, pos;
    const _dec *d;
    size_t n_feats, n_store;
    const long *map;            /* model feature -> store column */
    const double *edges;        /* n_feats x MF_MON_EDGES, padded with +inf */
    const uint8_t *n_edges;
    uint32_t *counts;           /* n_periods x n_feats x MF_MON_BINS */
    double *with;               /* n_periods: decisions with features */
    double *x;                  /* n_feats gathered values */
    uint8_t *bin;               /* n_feats bins */
    size_t found;
} _scan;

static int _scan_row(int64_t id, const void *blob, void *ud)
{
    _scan *s = ud;
    const unsigned char *xb = blob;
    size_t nf = s->n_feats;
    while (s->pos < s->n_cd && s->cd[s->pos].client < id) s->pos++;
    if (s->pos >= s->n_cd) return 1;
    if (s->cd[s->pos].client != id) return 0;
    for (size_t j = 0; j < nf; j++) {
        double v = NAN;
        if (s->map[j] >= 0) memcpy(&v, xb + 8 * (size_t)s->map[j], 8);
        s->x[j] = v;
    }
    /* the bins: number of edges below v (padded with +inf), NaN apart; vectorised */
    {
        const double *e = s->edges, *x = s->x;
        uint8_t *bin = s->bin;
#pragma omp simd
        for (size_t j = 0; j < nf; j++) {
            double v = x[j];
            int k = 0;
            for (int q = 0; q < MF_MON_EDGES; q++) k += e[(size_t)q * nf + j] < v;
            bin[j] = v != v ? (uint8_t)MF_MON_MISSING : (uint8_t)k;
        }
    }
    for (; s->pos < s->n_cd && s->cd[s->pos].client == id; s->pos++) {
        int p = s->d[s->cd[s->pos].idx].period;
        uint32_t *c = s->counts + (size_t)p * nf * MF_MON_BINS;
        for (size_t j = 0; j < nf; j++) c[j * MF_MON_BINS + s->bin[j]]++;
        s->with[p] += 1;
        s->found++;
    }
    return 0;
}

static cs_status _features(mon_report *rep, const mf_model *m, const _dec *d, size_t n, size_t n_periods,
                           const mon_options *o, uint32_t **counts_out, double **with_out, cs_err *err)
{
    store_clients *sc = store_clients_open(o->clients_path, 1, err);
    size_t nf = rep->n_feats, n_cd = 0, ns;
    _cd *cd = NULL;
    long *map = NULL;
    double *edges = NULL;
    uint8_t *n_edges = NULL;
    uint32_t *counts = NULL;
    double *with = NULL;
    cs_status st = CS_OK;
    int nt = o->threads > 0 ? o->threads : omp_get_max_threads();
    cs_err *terr = NULL;
    size_t *found = NULL;

    *counts_out = NULL;
    *with_out = NULL;
    if (!sc) return err ? err->code : CS_EIO;
    ns = store_clients_n_feats(sc);
    const char *const *snames = store_clients_feature_names(sc);
    map = rep->feat_store_index;
    {
        /* model feature -> store column, by name */
        if (!_map_features(rep, snames, ns, map)) {
            st = cs_err_set(err, CS_ENOTFOUND, "%s: none of the model's %zu features is in the clients store",
                            o->clients_path, nf);
            goto out;
        }
    }
    cd = cs_malloc((n ? n : 1) * sizeof *cd, err);
    edges = cs_malloc((nf ? nf : 1) * MF_MON_EDGES * sizeof *edges, err);
    n_edges = cs_malloc(nf ? nf : 1, err);
    counts = cs_calloc((n_periods ? n_periods : 1) * (nf ? nf : 1) * MF_MON_BINS * (size_t)nt, sizeof *counts, err);
    with = cs_calloc((n_periods ? n_periods : 1) * (size_t)nt, sizeof *with, err);
    terr = cs_calloc((size_t)nt, sizeof *terr, err);
    found = cs_calloc((size_t)nt, sizeof *found, err);
    if (!cd || !edges || !n_edges || !counts || !with || !terr || !found) {
        st = CS_ENOMEM;
        goto out;
    }
    for (size_t j = 0; j < nf; j++) {
        const mf_mon_bins *b = mf_mon_bins_of(m, j);
        n_edges[j] = (uint8_t)b->n_edges;
        for (int q = 0; q < MF_MON_EDGES; q++) edges[(size_t)q * nf + j] = q < b->n_edges ? b->edges[q] : INFINITY;
    }
    for (size_t i = 0; i < n; i++)
        if (d[i].client >= 0) cd[n_cd++] = (_cd){d[i].client, i};
    _sort(cd, n_cd, sizeof *cd, _cmp_cd);

    /* slices of about equal decisions, cut between clients */
#pragma omp parallel num_threads(nt)
    {
        int t = omp_get_thread_num(), T = omp_get_num_threads();
        size_t a = n_cd * (size_t)t / (size_t)T, b = n_cd * (size_t)(t + 1) / (size_t)T;
        while (a > 0 && a < n_cd && cd[a].client == cd[a - 1].client) a++;
        while (b > 0 && b < n_cd && cd[b].client == cd[b - 1].client) b++;
        if (a < b) {
            _scan s;
            memset(&s, 0, sizeof s);
            s.cd = cd + a;
            s.n_cd = b - a;
            s.d = d;
            s.n_feats = nf;
            s.n_store = ns;
            s.map = map;
            s.edges = edges;
            s.n_edges = n_edges;
            s.counts = counts + (size_t)t * n_periods * nf * MF_MON_BINS;
            s.with = with + (size_t)t * n_periods;
            s.x = malloc((nf ? nf : 1) * sizeof *s.x);
            s.bin = malloc(nf ? nf : 1);
            if (!s.x || !s.bin) cs_err_set(&terr[t], CS_ENOMEM, "out of memory scanning the clients store");
            else
                store_clients_scan(sc, cd[a].client, cd[b - 1].client, _scan_row, &s, &terr[t]);
            found[t] = s.found;
            free(s.x);
            free(s.bin);
        }
    }
    for (int t = 0; t < nt; t++)
        if (terr[t].code) {
            if (err) *err = terr[t];
            st = terr[t].code;
            goto out;
        }
    /* reduce the threads' counts into the first */
    for (int t = 1; t < nt; t++) {
        const uint32_t *src = counts + (size_t)t * n_periods * nf * MF_MON_BINS;
        for (size_t k = 0; k < n_periods * nf * MF_MON_BINS; k++) counts[k] += src[k];
        for (size_t p = 0; p < n_periods; p++) with[p] += with[(size_t)t * n_periods + p];
    }
    {
        size_t total = 0;
        for (int t = 0; t < nt; t++) total += found[t];
        rep->n_client_unknown = n_cd - total;
    }
    *counts_out = counts;
    *with_out = with;
    counts = NULL;
    with = NULL;
out:
    free(cd);
    free(edges);
    free(n_edges);
    free(counts);
    free(with);
    free(terr);
    free(found);
    store_clients_close(sc);
    return st;
}

/* ---- features: column-wise from the clients' feature file ------------------------------ */

/* A decision found in the feature file: its row and its period's offset in the counts
 * (period x MF_MON_BINS). */
typedef cb_row _rp;

static int _cmp_rp(const void *a, const void *b)
{
    const _rp *x = a, *y = b;
    return (x->row > y->row) - (x->row < y->row);
}

typedef struct _idrow {
    int64_t id;
    uint32_t row;
} _idrow;

static int _cmp_idrow(const void *a, const void *b)
{
    const _idrow *x = a, *y = b;
    if (x->id != y->id) return (x->id > y->id) - (x->id < y->id);
    return (x->row > y->row) - (x->row < y->row);
}

static cs_status _features_file(mon_report *rep, const mf_model *m, const feat_matrix *fm, const _dec *d, size_t n,
                                size_t n_periods, const mon_options *o, uint32_t **counts_out, double **with_out,
                                cs_err *err)
{
    size_t nf = rep->n_feats, nr, n_rp = 0, n_client = 0;
    long *map = rep->feat_store_index;
    _idrow *ir = NULL;
    _cd *cd = NULL;
    _rp *rp = NULL;
    cb_plan *plan = NULL;
    uint32_t *counts = NULL;
    double *with = NULL;
    cs_status st = CS_OK;
    int nt = o->threads > 0 ? o->threads : omp_get_max_threads(), oom = 0;
    long bad_col = -1;

    *counts_out = NULL;
    *with_out = NULL;
    nr = fm->n_rows;
    if (nr > UINT32_MAX) {
        st = cs_err_set(err, CS_EUNSUPPORTED, "%s: %zu clients, more than monitoring reads from one feature file",
                        o->features_path, nr);
        goto out;
    }
    if (!_map_features(rep, (const char *const *)fm->names, fm->n_feats, map)) {
        st = cs_err_set(err, CS_ENOTFOUND, "%s: none of the model's %zu features is in the feature file",
                        o->features_path, nf);
        goto out;
    }
    ir = cs_malloc((nr ? nr : 1) * sizeof *ir, err);
    cd = cs_malloc((n ? n : 1) * sizeof *cd, err);
    rp = cs_malloc((n ? n : 1) * sizeof *rp, err);
    counts = cs_calloc((n_periods ? n_periods : 1) * (nf ? nf : 1) * MF_MON_BINS, sizeof *counts, err);
    with = cs_calloc(n_periods ? n_periods : 1, sizeof *with, err);
    if (!ir || !cd || !rp || !counts || !with) {
        st = CS_ENOMEM;
        goto out;
    }
    /* client id -> row (the first row of an id), joined with the decisions sorted by client */
    {
        int sorted = 1;
        for (size_t i = 0; i < nr; i++) {
            ir[i] = (_idrow){fm->ids[i], (uint32_t)i};
            if (i && fm->ids[i] <= fm->ids[i - 1]) sorted = 0;
        }
        if (!sorted) qsort(ir, nr, sizeof *ir, _cmp_idrow);
    }
    for (size_t i = 0; i < n; i++)
        if (d[i].client >= 0) cd[n_client++] = (_cd){d[i].client, i};
    _sort(cd, n_client, sizeof *cd, _cmp_cd);
    {
        size_t r = 0;
        int in_order = 1;
        for (size_t k = 0; k < n_client; k++) {
            while (r < nr && ir[r].id < cd[k].client) r++;
            if (r == nr) break;
            if (ir[r].id != cd[k].client) continue;
            rp[n_rp] = (_rp){ir[r].row, (uint32_t)d[cd[k].idx].period * MF_MON_BINS};
            if (n_rp && rp[n_rp].row < rp[n_rp - 1].row) in_order = 0;
            with[d[cd[k].idx].period] += 1;
            n_rp++;
        }
        /* rows in file order: each column is read forwards */
        if (!in_order) qsort(rp, n_rp, sizeof *rp, _cmp_rp);
    }
    rep->n_client_unknown = n_client - n_rp;
    free(ir);
    ir = NULL;
    /* the rows cut once for all the columns */
    if (!(plan = cb_plan_new(rp, n_rp, nr, err))) {
        st = CS_ENOMEM;
        goto out;
    }

    /* one feature at a time per thread: a column of the file, counted into that feature's bins */
#pragma omp parallel num_threads(nt)
    {
        size_t lane = (n_periods ? n_periods : 1) * MF_MON_BINS;
        uint32_t *lc = malloc(lane * CB_LANES * sizeof *lc);
#pragma omp for schedule(dynamic, 1)
        for (size_t j = 0; j < nf; j++) {
            const mf_mon_bins *b = mf_mon_bins_of(m, j);
            uint64_t sum = 0;
            int verify;
            if (!lc || map[j] < 0) continue;
            verify = feat_file_col_unverified(fm, (size_t)map[j]);
            /* value bin = the number of edges below the value (mf_mon_bin), NaN the missing bin;
             * the column's checksum taken in the same pass (its counts are used only once it
             * holds) */
            cb_count_plan(fm->values + (size_t)map[j] * nr, plan, b->edges, (size_t)b->n_edges, MF_MON_MISSING, lc,
                          lane, verify ? &sum : NULL);
            if (verify && feat_file_check_col_sum(fm, (size_t)map[j], sum, o->features_path, NULL)) {
#pragma omp critical(mon_bad_col)
                if (bad_col < 0 || map[j] < bad_col) bad_col = map[j];
                continue;
            }
            for (size_t p = 0; p < n_periods; p++)
                for (int q = 0; q < MF_MON_BINS; q++)
                    counts[(p * nf + j) * MF_MON_BINS + (size_t)q] = lc[p * MF_MON_BINS + (size_t)q];
        }
        if (!lc) {
#pragma omp atomic write
            oom = 1;
        }
        free(lc);
    }
    if (oom) {
        st = cs_err_set(err, CS_ENOMEM, "out of memory counting the features of %s", o->features_path);
        goto out;
    }
    if (bad_col >= 0) { /* the message again, for the first bad column in file order */
        st = feat_file_check_col(fm, (size_t)bad_col, o->features_path, err);
        if (!st) st = cs_err_set(err, CS_EINTERNAL, "%s: column %ld failed its checksum once", o->features_path, bad_col + 1);
        goto out;
    }
    *counts_out = counts;
    *with_out = with;
    counts = NULL;
    with = NULL;
out:
    cb_plan_free(plan);
    free(ir);
    free(cd);
    free(rp);
    free(counts);
    free(with);
    return st;
}

/* ---- the report ----------------------------------------------------------------------- */

int mon_report_has_features(const mon_report *r)
{
    return r->clients_path || r->features_path;
}

void mon_report_free(mon_report *r)
{
    if (!r) return;
    free(r->model_name);
    free(r->model_version);
    free(r->audit_path);
    free(r->clients_path);
    free(r->features_path);
    for (size_t j = 0; r->feat_names && j < r->n_feats; j++) free(r->feat_names[j]);
    free(r->feat_names);
    free(r->feat_store_index);
    for (size_t p = 0; r->periods && p < r->n_periods; p++) free(r->periods[p].csi);
    free(r->periods);
    free(r->vintages);
    free(r);
}

/* performance and calibration of a period from its decisions with outcomes */
static void _performance(mon_period *pp, const mf_score_ref *sr, const _dec *d, const size_t *idx, size_t k,
                         double *y, double *p)
{
    double sp = 0, sy = 0, sb = 0;
    double bn[MF_MON_BINS] = {0}, bd[MF_MON_BINS] = {0}, bp[MF_MON_BINS] = {0};
    for (size_t i = 0; i < k; i++) {
        const _dec *x = &d[idx[i]];
        int b = mf_mon_bin(&sr->bins, x->p);
        y[i] = x->outcome;
        p[i] = x->p;
        sp += x->p;
        sy += x->outcome;
        sb += (x->p - x->outcome) * (x->p - x->outcome);
        bn[b] += 1;
        bd[b] += x->outcome;
        bp[b] += x->p;
    }
    ev_auc_ks(y, p, k, &pp->auc, &pp->ks);   /* one sort for both */
    pp->gini = ev_gini(pp->auc);
    pp->expected = k ? sp / (double)k : NAN;
    pp->observed = k ? sy / (double)k : NAN;
    pp->oe = pp->expected > 0 ? pp->observed / pp->expected : NAN;
    pp->brier = k ? sb / (double)k : NAN;
    pp->p_value = k ? ev_binom_test(sy, (double)k, fmin(1.0, fmax(0.0, pp->expected))) : NAN;
    for (int b = 0; b < MF_MON_BINS; b++) {
        mon_band *band = &pp->bands[b];
        band->n = bn[b];
        band->defaults = bd[b];
        band->expected = bn[b] > 0 ? bp[b] / bn[b] : NAN;
        band->observed = bn[b] > 0 ? bd[b] / bn[b] : NAN;
        band->p_value = bn[b] > 0 && band->expected == band->expected
                            ? ev_binom_test(bd[b], bn[b], fmin(1.0, fmax(0.0, band->expected)))
                            : NAN;
    }
}

/* While the log is read (one thread, in SQLite), a second one verifies the checksums of the
 * model's columns of the feature file, as many as it gets through before the log is read:
 * the counting pass then reads those without hashing them (the rest it hashes as it counts).
 * A column that fails is left unverified: the counting pass fails on it with the message. */
typedef struct _verifier {
    const mf_model *m;
    const feat_matrix *fm;      /* NULL: no feature file */
    int stop;                   /* set (atomically) once the log is read */
    /* when no outcome is keyed by a request id, the outcomes are read here first, while the
     * other thread reads the decisions */
    const char *audit_path;     /* NULL: not here */
    _reader *outs;              /* their reader (its outcome fields only) */
    cs_status st;
    cs_err err;
} _verifier;

static void *_verify_cols(void *ud)
{
    _verifier *v = ud;
    const feat_matrix *fm = v->fm;
    size_t j = 0, nf = fm ? mf_n_feats(v->m) : 0;
    if (v->audit_path) v->st = store_outcomes_read(v->audit_path, _read_outcome, v->outs, &v->err);
    /* four columns at a time (cs_hash64_many: their hashes in flight together) */
    while (j < nf && !__atomic_load_n(&v->stop, __ATOMIC_ACQUIRE)) {
        const void *col[4];
        size_t c[4], k = 0;
        uint64_t sum[4];
        for (; j < nf && k < 4; j++) {
            long x = feat_index(fm, mf_feat_name(v->m, j));
            if (x < 0 || !feat_file_col_unverified(fm, (size_t)x)) continue;
            c[k] = (size_t)x;
            col[k++] = fm->values + (size_t)x * fm->n_rows;
        }
        cs_hash64_many(col, k, fm->n_rows * sizeof(double), 0, sum);
        for (size_t q = 0; q < k; q++)
            if (feat_file_check_col_sum(fm, c[q], sum[q], NULL, NULL)) return NULL;
    }
    return NULL;
}

/* The request-keyed outcomes of rd->outs sorted by key into rd->req. */
static cs_status _index_requests(_reader *rd, cs_err *err)
{
    {
        size_t nr = 0;
        for (size_t k = 0; k < rd->n_outs; k++) nr += rd->outs[k].kind == STORE_OUTCOME_REQUEST;
        if (nr) {
            rd->req = cs_malloc(nr * sizeof *rd->req, err);
            if (!rd->req) return CS_ENOMEM;
            for (size_t k = 0; k < rd->n_outs; k++)
                if (rd->outs[k].kind == STORE_OUTCOME_REQUEST) rd->req[rd->n_req++] = (_req_out){&rd->outs[k], -1, 0};
            qsort(rd->req, rd->n_req, sizeof *rd->req, _cmp_req);
        }
    }
    return CS_OK;
}

/* The model's decisions, the request-keyed outcomes (rd->req) marked. */
static cs_status _read_decisions(_reader *rd, const mf_model *m, const char *audit_path, const mon_options *o,
                                 cs_err *err)
{
    cs_status st;
    if ((st = store_audit_decisions(audit_path, o->since_ms, _read_decision, rd, err))) return st;
    if (rd->oom) goto oom;
    if (rd->n == 0) {
        char since[32];
        store_audit_format_time(o->since_ms, since);
        return cs_err_set(err, CS_ENOTFOUND, "%s: no decision by model %s since %s (%zu by other models)", audit_path,
                          mf_name(m), since, rd->other);
    }
    return CS_OK;
oom:
    return cs_err_set(err, CS_ENOMEM, "out of memory reading %s", audit_path);
}

mon_report *mon_run(const mf_model *m, const char *audit_path, const mon_options *o, cs_err *err)
{
    double t0 = cs_now();
    const mf_score_ref *sr = mf_score_reference(m);
    _reader rd;
    mon_report *rep = NULL;
    uint32_t *fcounts = NULL;
    double *with = NULL, *y = NULL, *pr = NULL;
    size_t *idx = NULL;
    int64_t pmin = INT64_MAX, pmax = INT64_MIN, latest = 0;
    size_t np = 0;
    feat_matrix *fm = NULL;
    cs_err ferr = {0};
    cs_status rst = CS_OK;

    memset(&rd, 0, sizeof rd);
    if (!sr) {
        cs_err_set(err, CS_EUNSUPPORTED,
                   "model %s %s carries no monitoring reference (trained before it existed): retrain it", mf_name(m),
                   mf_version(m));
        return NULL;
    }
    if (o->clients_path && o->features_path) {
        cs_err_set(err, CS_EINVAL, "the features come from a clients store or a feature file, not both");
        return NULL;
    }
    if (!(o->min_known > 0 && o->min_known <= 1)) {
        cs_err_set(err, CS_EINVAL, "the share of known outcomes that makes a period count must be in (0, 1]");
        return NULL;
    }
    rd.model = mf_name(m);
    rd.until = o->until_ms;
    /* the feature file is mapped and its header, ids and names verified first (a few
     * milliseconds); its value columns' checksums are verified by a second thread while
     * the log is read (_verify_cols), the rest by the threads that count them, in the same
     * pass (cb_count_plan: one pass over memory, not two) */
    if (o->features_path && !(fm = feat_file_open(o->features_path, FEAT_OPEN_LAZY, &ferr))) {
        if (err) *err = ferr;
        goto fail;
    }
    /* the outcomes, then the decisions with the request-keyed outcomes marked; with none
     * keyed by request id, the outcomes are read by the second thread meanwhile */
    {
        int req_keys = 1, two = (o->threads > 0 ? o->threads : omp_get_max_threads()) > 1, started;
        _reader ro;
        _verifier v;
        pthread_t vt;
        memset(&ro, 0, sizeof ro);
        memset(&v, 0, sizeof v);
        if ((rst = store_outcomes_has_request_keys(audit_path, &req_keys, err))) goto fail;
        v.m = m;
        v.fm = fm;
        v.audit_path = req_keys ? NULL : audit_path;
        v.outs = &ro;
        started = (fm || !req_keys) && two && pthread_create(&vt, NULL, _verify_cols, &v) == 0;
        if (!started && !req_keys) { /* no second thread: one after the other */
            v.st = store_outcomes_read(audit_path, _read_outcome, &ro, &v.err);
            v.audit_path = NULL;
        }
        if (req_keys) {
            rst = store_outcomes_read(audit_path, _read_outcome, &rd, err);
            if (!rst && rd.oom) rst = cs_err_set(err, CS_ENOMEM, "out of memory reading %s", audit_path);
            if (!rst) rst = _index_requests(&rd, err);
        }
        if (!rst) rst = _read_decisions(&rd, m, audit_path, o, err);
        if (started) {
            __atomic_store_n(&v.stop, 1, __ATOMIC_RELEASE);
            pthread_join(vt, NULL);
        }
        if (!req_keys) {
            rd.outs = ro.outs;
            rd.n_outs = ro.n_outs;
            rd.cap_outs = ro.cap_outs;
            /* the outcomes' error first, as when they are read first */
            if (v.st) {
                if (err) *err = v.err;
                rst = v.st;
            } else if (ro.oom)
                rst = cs_err_set(err, CS_ENOMEM, "out of memory reading %s", audit_path);
            /* an outcome by request id imported since the look-up: the decisions again, with it */
            if (!rst && !(rst = _index_requests(&rd, err)) && rd.n_req) {
                free(rd.d);
                rd.d = NULL;
                rd.n = rd.cap = rd.other = 0;
                rst = _read_decisions(&rd, m, audit_path, o, err);
            }
        }
        if (rst) goto fail;
    }

    rep = cs_calloc(1, sizeof *rep, err);
    if (!rep) goto fail;
    rep->by = o->by;
    rep->since_ms = o->since_ms;
    rep->until_ms = o->until_ms;
    rep->min_known = o->min_known;
    rep->n_decisions = rd.n;
    rep->n_other_models = rd.other;
    rep->score_ref = *sr;
    if (!(rep->model_name = cs_strdup(mf_name(m), err)) || !(rep->model_version = cs_strdup(mf_version(m), err)) ||
        !(rep->audit_path = cs_strdup(audit_path, err)) ||
        (o->clients_path && !(rep->clients_path = cs_strdup(o->clients_path, err))) ||
        (o->features_path && !(rep->features_path = cs_strdup(o->features_path, err))))
        goto fail;
    rep->n_feats = mf_n_feats(m);
    rep->feat_names = cs_calloc(rep->n_feats ? rep->n_feats : 1, sizeof *rep->feat_names, err);
    rep->feat_store_index = cs_malloc((rep->n_feats ? rep->n_feats : 1) * sizeof *rep->feat_store_index, err);
    if (!rep->feat_names || !rep->feat_store_index) goto fail;
    for (size_t j = 0; j < rep->n_feats; j++) {
        rep->feat_store_index[j] = -1;
        if (!(rep->feat_names[j] = cs_strdup(mf_feat_name(m, j), err))) goto fail;
    }

    /* the join: request ids first, then client ids for what is left */
    for (size_t k = 0; k < rd.n_req; k++)
        if (rd.req[k].best >= 0) {
            _dec *x = &rd.d[rd.req[k].best];
            x->outcome = rd.req[k].o->defaulted;
            x->observed = rd.req[k].o->observed_ms;
            rep->n_outcomes_matched++;
        }
    if (_join_clients(&rd, &rep->n_outcomes_matched, err)) goto fail;

    /* periods */
    for (size_t i = 0; i < rd.n; i++) {
        int64_t pi;
        rd.d[i].month = _month_index(rd.d[i].t);
        pi = o->by == MON_BY_MONTH ? rd.d[i].month : _period_index(o->by, rd.d[i].t);
        if (pi < pmin) pmin = pi;
        if (pi > pmax) pmax = pi;
        if (rd.d[i].t > latest) latest = rd.d[i].t;
        if (rd.d[i].outcome >= 0 && rd.d[i].observed > latest) latest = rd.d[i].observed;
        rep->n_no_client += rd.d[i].client < 0;
    }
    if (pmax - pmin > 100000) {
        cs_err_set(err, CS_EINVAL, "%s: the decisions span %lld periods: set --since", audit_path,
                   (long long)(pmax - pmin + 1));
        goto fail;
    }
    np = (size_t)(pmax - pmin + 1);
    for (size_t i = 0; i < rd.n; i++)
        rd.d[i].period = (int)((o->by == MON_BY_MONTH ? rd.d[i].month : _period_index(o->by, rd.d[i].t)) - pmin);
    rep->as_of_ms = o->as_of_ms > 0 ? o->as_of_ms : latest;
    rep->n_periods = np;
    rep->periods = cs_calloc(np, sizeof *rep->periods, err);
    if (!rep->periods) goto fail;
    for (size_t p = 0; p < np; p++) {
        mon_period *pp = &rep->periods[p];
        _period_label(o->by, pmin + (int64_t)p, pp->label);
        pp->start_ms = _period_start(o->by, pmin + (int64_t)p);
        pp->end_ms = _period_start(o->by, pmin + (int64_t)p + 1);
        pp->csi = cs_malloc((rep->n_feats ? rep->n_feats : 1) * sizeof *pp->csi, err);
        if (!pp->csi) goto fail;
        for (size_t j = 0; j < rep->n_feats; j++) pp->csi[j] = NAN;
        pp->csi_max = NAN;
        pp->csi_max_feature = -1;
    }

    /* volume, approvals, score bins */
    {
        double (*sc)[MF_MON_BINS] = cs_calloc(np, sizeof *sc, err);
        if (!sc) goto fail;
        for (size_t i = 0; i < rd.n; i++) {
            mon_period *pp = &rep->periods[rd.d[i].period];
            pp->n += 1;
            pp->approved += !rd.d[i].refused;
            sc[rd.d[i].period][mf_mon_bin(&sr->bins, rd.d[i].p)] += 1;
        }
        for (size_t p = 0; p < np; p++) {
            mon_period *pp = &rep->periods[p];
            pp->approval_rate = pp->n > 0 ? pp->approved / pp->n : NAN;
            for (int b = 0; b < MF_MON_BINS; b++) pp->score_share[b] = pp->n > 0 ? sc[p][b] / pp->n : 0;
            pp->psi = mon_psi_counts(sr->bins.share, sc[p], MF_MON_BINS);
        }
        free(sc);
    }

    /* CSI */
    if (o->clients_path || o->features_path) {
        if (o->features_path ? _features_file(rep, m, fm, rd.d, rd.n, np, o, &fcounts, &with, err)
                             : _features(rep, m, rd.d, rd.n, np, o, &fcounts, &with, err))
            goto fail;
        for (size_t p = 0; p < np; p++) {
            mon_period *pp = &rep->periods[p];
            pp->n_features = with[p];
            if (!(with[p] > 0)) continue;
            for (size_t j = 0; j < rep->n_feats; j++) {
                double c[MF_MON_BINS];
                const uint32_t *src = fcounts + (p * rep->n_feats + j) * MF_MON_BINS;
                if (rep->feat_store_index[j] < 0) continue;
                for (int b = 0; b < MF_MON_BINS; b++) c[b] = src[b];
                pp->csi[j] = mon_psi_counts(mf_mon_bins_of(m, j)->share, c, MF_MON_BINS);
                if (pp->csi[j] == pp->csi[j]) {
                    if (!(pp->csi[j] <= pp->csi_max)) {
                        pp->csi_max = pp->csi[j];
                        pp->csi_max_feature = (long)j;
                    }
                    pp->n_csi_watch += pp->csi[j] >= 0.1 && pp->csi[j] <= 0.25;
                    pp->n_csi_act += pp->csi[j] > 0.25;
                }
            }
        }
    }

    /* outcomes: performance of the mature periods */
    idx = cs_malloc(rd.n * sizeof *idx, err);
    y = cs_malloc(rd.n * sizeof *y, err);
    pr = cs_malloc(rd.n * sizeof *pr, err);
    if (!idx || !y || !pr) goto fail;
    {
        size_t *start = cs_calloc(np + 1, sizeof *start, err), *fill;
        double *known_appr;
        if (!start) goto fail;
        fill = cs_calloc(np + 1, sizeof *fill, err);
        known_appr = cs_calloc(np, sizeof *known_appr, err);
        if (!fill || !known_appr) {
            free(start);
            free(fill);
            free(known_appr);
            goto fail;
        }
        for (size_t i = 0; i < rd.n; i++)
            if (rd.d[i].outcome >= 0) {
                start[rd.d[i].period + 1]++;
                known_appr[rd.d[i].period] += !rd.d[i].refused;
            }
        for (size_t p = 0; p < np; p++) start[p + 1] += start[p];
        memcpy(fill, start, (np + 1) * sizeof *fill);
        for (size_t i = 0; i < rd.n; i++)
            if (rd.d[i].outcome >= 0) idx[fill[rd.d[i].period]++] = i;
        for (size_t p = 0; p < np; p++) {
            mon_period *pp = &rep->periods[p];
            size_t k = start[p + 1] - start[p];
            pp->n_outcomes = (double)k;
            for (size_t i = start[p]; i < start[p + 1]; i++) pp->defaults += rd.d[idx[i]].outcome;
            pp->known_share = pp->approved > 0 ? known_appr[p] / pp->approved : NAN;
            pp->mature = pp->known_share >= o->min_known && k > 0;
            pp->auc = pp->gini = pp->ks = pp->expected = pp->observed = pp->oe = pp->brier = pp->p_value = NAN;
            for (int b = 0; b < MF_MON_BINS; b++)
                pp->bands[b] = (mon_band){0, 0, NAN, NAN, NAN};
            if (pp->mature) _performance(pp, sr, rd.d, idx + start[p], k, y, pr);
        }
        free(start);
        free(fill);
        free(known_appr);
    }

    /* vintages: monthly cohorts of approved decisions */
    {
        int64_t m0 = INT64_MAX, m1 = INT64_MIN, asof_m = _month_index(rep->as_of_ms);
        for (size_t i = 0; i < rd.n; i++) {
            int64_t mi = rd.d[i].month;
            if (mi < m0) m0 = mi;
            if (mi > m1) m1 = mi;
        }
        rep->n_vintages = (size_t)(m1 - m0 + 1);
        rep->vintages = cs_calloc(rep->n_vintages, sizeof *rep->vintages, err);
        if (!rep->vintages) goto fail;
        for (size_t v = 0; v < rep->n_vintages; v++) {
            mon_vintage *vg = &rep->vintages[v];
            int64_t mi = m0 + (int64_t)v, seen = asof_m - mi;
            _period_label(MON_BY_MONTH, mi, vg->label);
            vg->n_mob = (int)(seen < 0 ? 0 : seen > MON_MAX_MOB ? MON_MAX_MOB : seen);
        }
        for (size_t i = 0; i < rd.n; i++) {
            const _dec *x = &rd.d[i];
            mon_vintage *vg = &rep->vintages[x->month - m0];
            if (x->refused) continue;
            vg->booked += 1;
            if (x->outcome == 1) {
                int64_t mob = _month_index(x->observed) - x->month;
                if (mob < 0) mob = 0;
                if (mob <= vg->n_mob) vg->defaults[mob] += 1;
            }
        }
        for (size_t v = 0; v < rep->n_vintages; v++) {
            mon_vintage *vg = &rep->vintages[v];
            for (int k = 1; k <= vg->n_mob; k++) vg->defaults[k] += vg->defaults[k - 1];
            for (int k = 0; k <= vg->n_mob; k++) vg->cum_rate[k] = vg->booked > 0 ? vg->defaults[k] / vg->booked : NAN;
        }
    }
    rep->seconds = cs_now() - t0;
    free(fcounts);
    free(with);
    free(idx);
    free(y);
    free(pr);
    free(rd.d);
    free(rd.req);
    free(rd.outs);
    feat_matrix_free(fm);
    return rep;
fail:
    free(fcounts);
    free(with);
    free(idx);
    free(y);
    free(pr);
    free(rd.d);
    free(rd.req);
    free(rd.outs);
    feat_matrix_free(fm);
    mon_report_free(rep);
    return NULL;
}

/* ---- alert rules ---------------------------------------------------------------------- */

static const char *const _metrics[] = {"psi", "csi", "approval_rate", "auc", "gini", "ks", "oe"};

cs_status mon_rule_parse(const char *text, mon_rule *r, cs_err *err)
{
    size_t n = 0;
    const char *p = text;
    char *e;
    memset(r, 0, sizeof *r);
    while (p[n] && ((p[n] >= 'a' && p[n] <= 'z') || p[n] == '_')) n++;
    if (n == 0 || n >= sizeof r->metric) goto bad;
    memcpy(r->metric, p, n);
    {
        int known = 0;
        for (size_t k = 0; k < sizeof _metrics / sizeof *_metrics; k++) known |= !strcmp(_metrics[k], r->metric);
        if (!known)
            return cs_err_set(err, CS_EINVAL, "'%s': unknown metric '%s' (psi, csi, approval_rate, auc, gini, ks, oe)",
                              text, r->metric);
    }
    p += n;
    if ((p[0] == '>' || p[0] == '<') && p[1] == '=') {
        memcpy(r->op, p, 2);
        p += 2;
    } else if (p[0] == '>' || p[0] == '<') {
        r->op[0] = p[0];
        p++;
    } else
        goto bad;
    r->value = strtod(p, &e);
    if (e == p || *e || r->value != r->value) goto bad;
    return CS_OK;
bad:
    return cs_err_set(err, CS_EINVAL, "'%s' is not a rule METRIC OP VALUE (e.g. psi>0.25, gini<0.5)", text);
}

static double _metric(const mon_period *p, const char *name)
{
    if (!strcmp(name, "psi")) return p->psi;
    if (!strcmp(name, "csi")) return p->csi_max;
    if (!strcmp(name, "approval_rate")) return p->approval_rate;
    if (!strcmp(name, "auc")) return p->auc;
    if (!strcmp(name, "gini")) return p->gini;
    if (!strcmp(name, "ks")) return p->ks;
    if (!strcmp(name, "oe")) return p->oe;
    return NAN;
}

size_t mon_rule_check(const mon_report *r, const mon_rule *rule, cs_buf *why)
{
    size_t hits = 0;
    for (size_t p = 0; p < r->n_periods; p++) {
        double v = _metric(&r->periods[p], rule->metric);
        int hit;
        if (v != v) continue;
        if (!strcmp(rule->op, ">")) hit = v > rule->value;
        else if (!strcmp(rule->op, ">=")) hit = v >= rule->value;
        else if (!strcmp(rule->op, "<")) hit = v < rule->value;
        else hit = v <= rule->value;
        if (!hit) continue;
        hits++;
        if (why) {
            cs_buf_printf(why, NULL, "%s: %s %.4g %s %g", r->periods[p].label, rule->metric, v, rule->op, rule->value);
            if (!strcmp(rule->metric, "csi") && r->periods[p].csi_max_feature >= 0)
                cs_buf_printf(why, NULL, " (%s)", r->feat_names[r->periods[p].csi_max_feature]);
            cs_buf_puts(why, "\n", NULL);
        }
    }
    return hits;
}
