/*
 * compare.c: drift_compare(), the column-by-column comparison of a reference and a
 * current data set as evidently's data-drift preset does it: which columns, their type,
 * which test with which threshold, the binned shares behind Jensen-Shannon and PSI, and
 * the dataset verdict. Columns are independent and run in parallel (OpenMP).
 */
#include "drift.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const _default_ids[] = {"SK_ID_CURR", "SK_ID_PREV", "SK_ID_BUREAU"};

void drift_options_init(drift_options *o)
{
    memset(o, 0, sizeof *o);
    o->drift_share = 0.5;
}

/* ---- per-column work ---------------------------------------------------------------- */

/* The distinct values of both sides with their counts: keys sorted ascending (numbers
 * by value, text by byte order, as Python's sorted()). */
typedef struct _keys {
    size_t k;
    double *num;            /* numeric keys (NULL for text) */
    const char **txt;       /* text keys (borrowed; NULL for numeric) */
    double *cr, *cc;        /* counts in reference / current */
    size_t ref_distinct, cur_distinct;
} _keys;

static void _keys_free(_keys *k)
{
    free(k->num);
    free(k->txt);
    free(k->cr);
    free(k->cc);
    memset(k, 0, sizeof *k);
}

static cs_status _keys_alloc(_keys *k, size_t n, int text, cs_err *err)
{
    k->cr = cs_calloc(n ? n : 1, sizeof *k->cr, err);
    k->cc = cs_calloc(n ? n : 1, sizeof *k->cc, err);
    if (text) k->txt = cs_calloc(n ? n : 1, sizeof *k->txt, err);
    else k->num = cs_calloc(n ? n : 1, sizeof *k->num, err);
    if (!k->cr || !k->cc || (text ? !k->txt : !k->num)) return CS_ENOMEM;
    return CS_OK;
}

/* union of the runs of two sorted arrays */
static cs_status _keys_numeric(const double *a, size_t na, const double *b, size_t nb, size_t n_unique,
                               _keys *k, cs_err *err)
{
    size_t i = 0, j = 0, u = 0;
    memset(k, 0, sizeof *k);
    if (_keys_alloc(k, n_unique, 0, err)) return CS_ENOMEM;
    while (i < na || j < nb) {
        double x = (j >= nb || (i < na && a[i] <= b[j])) ? a[i] : b[j];
        size_t i0 = i, j0 = j;
        while (i < na && a[i] == x) i++;
        while (j < nb && b[j] == x) j++;
        k->num[u] = x;
        k->cr[u] = (double)(i - i0);
        k->cc[u] = (double)(j - j0);
        if (i > i0) k->ref_distinct++;
        if (j > j0) k->cur_distinct++;
        u++;
    }
    k->k = u;
    return CS_OK;
}

typedef struct _catref {
    const char *s;
    int side;
    double count;
} _catref;

static int _cmp_catref(const void *x, const void *y)
{
    const _catref *a = x, *b = y;
    int c = strcmp(a->s, b->s);
    return c ? c : a->side - b->side;
}

static cs_status _keys_text(const drift_column *rc, size_t rn, const drift_column *cc, size_t cn,
                            _keys *k, size_t *rmiss, size_t *cmiss, cs_err *err)
{
    double *cnt_r = cs_calloc((size_t)rc->n_cats + 1, sizeof *cnt_r, err);
    double *cnt_c = cs_calloc((size_t)cc->n_cats + 1, sizeof *cnt_c, err);
    _catref *e = cs_calloc((size_t)rc->n_cats + (size_t)cc->n_cats + 1, sizeof *e, err);
    size_t ne = 0, u = 0;
    memset(k, 0, sizeof *k);
    *rmiss = *cmiss = 0;
    if (!cnt_r || !cnt_c || !e) goto nomem;
    for (size_t i = 0; i < rn; i++) {
        int32_t c = rc->codes[i];
        if (c < 0 || c >= rc->n_cats) (*rmiss)++;
        else cnt_r[c] += 1;
    }
    for (size_t i = 0; i < cn; i++) {
        int32_t c = cc->codes[i];
        if (c < 0 || c >= cc->n_cats) (*cmiss)++;
        else cnt_c[c] += 1;
    }
    for (int32_t c = 0; c < rc->n_cats; c++)
        if (cnt_r[c] > 0) e[ne++] = (_catref){rc->cats[c], 0, cnt_r[c]};
    for (int32_t c = 0; c < cc->n_cats; c++)
        if (cnt_c[c] > 0) e[ne++] = (_catref){cc->cats[c], 1, cnt_c[c]};
    qsort(e, ne, sizeof *e, _cmp_catref);
    if (_keys_alloc(k, ne, 1, err)) goto nomem;
    for (size_t i = 0; i < ne;) {
        size_t j = i;
        k->txt[u] = e[i].s;
        while (j < ne && !strcmp(e[j].s, e[i].s)) {
            if (e[j].side == 0) {
                k->cr[u] += e[j].count;
                k->ref_distinct++;
            } else {
                k->cc[u] += e[j].count;
                k->cur_distinct++;
            }
            j++;
        }
        u++;
        i = j;
    }
    k->k = u;
    free(cnt_r);
    free(cnt_c);
    free(e);
    return CS_OK;
nomem:
    free(cnt_r);
    free(cnt_c);
    free(e);
    _keys_free(k);
    return CS_ENOMEM;
}

/* a short, locale-independent label for a number */
static void _fmt_short(char *out, size_t cap, double v)
{
    snprintf(out, cap, "%.5g", v);
    for (char *p = out; *p; p++)
        if (*p == ',') *p = '.';
}

/* the chart: bins (shares) with labels, rarest merged into "other" beyond the cap */
static cs_status _set_dist(drift_column_result *res, size_t k, const double *rs, const double *cs_,
                           const double *edges, const double *numkeys, const char **txtkeys, cs_err *err)
{
    size_t *idx = cs_malloc((k ? k : 1) * sizeof *idx, err);
    size_t keep = k, nb;
    char buf[96], a[40], b[40];
    if (!idx) return CS_ENOMEM;
    for (size_t i = 0; i < k; i++) idx[i] = i;
    if (!edges && k > DRIFT_CHART_MAX_BINS) {
        /* keep the most frequent (reference + current) bins, in key order */
        keep = DRIFT_CHART_MAX_BINS - 1;
        for (size_t i = 0; i < keep; i++) {
            size_t best = i;
            for (size_t j = i + 1; j < k; j++)
                if (rs[idx[j]] + cs_[idx[j]] > rs[idx[best]] + cs_[idx[best]]) best = j;
            size_t t = idx[i];
            idx[i] = idx[best];
            idx[best] = t;
        }
        for (size_t i = 1; i < keep; i++)
            for (size_t j = i; j > 0 && idx[j - 1] > idx[j]; j--) {
                size_t t = idx[j];
                idx[j] = idx[j - 1];
                idx[j - 1] = t;
            }
    }
    nb = keep + (keep < k ? 1 : 0);
    res->dist.labels = cs_calloc(nb ? nb : 1, sizeof *res->dist.labels, err);
    res->dist.ref = cs_calloc(nb ? nb : 1, sizeof *res->dist.ref, err);
    res->dist.cur = cs_calloc(nb ? nb : 1, sizeof *res->dist.cur, err);
    if (!res->dist.labels || !res->dist.ref || !res->dist.cur) {
        free(idx);
        return CS_ENOMEM;
    }
    res->dist.n_bins = (int)nb;
    for (size_t i = 0; i < keep; i++) {
        size_t q = idx[i];
        if (edges) {
            _fmt_short(a, sizeof a, edges[q]);
            _fmt_short(b, sizeof b, edges[q + 1]);
            snprintf(buf, sizeof buf, "[%s, %s%c", a, b, q + 1 == k ? ']' : ')');
        } else if (numkeys) {
            _fmt_short(buf, sizeof buf, numkeys[q]);
        } else {
            snprintf(buf, sizeof buf, "%s", txtkeys[q]);
        }
        res->dist.labels[i] = cs_strdup(buf, err);
        if (!res->dist.labels[i]) {
            free(idx);
            return CS_ENOMEM;
        }
        res->dist.ref[i] = rs[q];
        res->dist.cur[i] = cs_[q];
    }
    if (keep < k) {
        double r = 0, c = 0;
        for (size_t i = keep; i < k; i++) {
            r += rs[idx[i]];
            c += cs_[idx[i]];
        }
        res->dist.labels[keep] = cs_strdup("other", err);
        if (!res->dist.labels[keep]) {
            free(idx);
            return CS_ENOMEM;
        }
        res->dist.ref[keep] = r;
        res->dist.cur[keep] = c;
    }
    free(idx);
    return CS_OK;
}

static double _mean(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    return n ? s / (double)n : NAN;
}

/* evidently's automatic test */
static drift_test _auto_test(drift_ctype type, size_t n_ref, size_t n_unique)
{
    if (n_ref <= 1000) {
        if (type == DRIFT_NUMERICAL && n_unique > 5) return DRIFT_TEST_KS;
        return n_unique > 2 ? DRIFT_TEST_CHISQUARE : DRIFT_TEST_Z;
    }
    if (type == DRIFT_NUMERICAL && n_unique > 5) return DRIFT_TEST_WASSERSTEIN;
    return DRIFT_TEST_JENSENSHANNON;
}

static int _is_drift(drift_test t, double score, double thr)
{
    if (isnan(score)) return 0;
    switch (t) {
    case DRIFT_TEST_KS: return score <= thr;
    case DRIFT_TEST_CHISQUARE:
    case DRIFT_TEST_Z: return score < thr;
    default: return score >= thr;
    }
}

/* A thread's buffers, reused from column to column (fresh large allocations cost more
 * in page faults than the statistics themselves). */
typedef struct _ws {
    double *a, *b;          /* rn and cn values */
    uint64_t *scratch;      /* 2 max(rn, cn) */
} _ws;

/* Test one column; on failure res->error says why (err is only for out-of-memory). */
static cs_status _test_column(const drift_column *rc, size_t rn, const drift_column *cc, size_t cn,
                              drift_test forced, double thr, _ws *ws, drift_column_result *res, cs_err *err)
{
    double *a = NULL, *b = NULL, *edges = NULL, *rs = NULL, *cs_ = NULL;
    _keys k = {0};
    int text = rc->is_cat, n_bins = 0;
    size_t na = 0, nb = 0, ref_unique;
    cs_status st = CS_OK;
    char why[200] = "";

    res->ref_mean = res->cur_mean = res->ref_std = res->cur_std = NAN;
    res->score = res->statistic = res->psi = NAN;
    if (rc->is_cat != cc->is_cat) {
        snprintf(why, sizeof why, "text in the %s data, numbers in the %s data",
                 rc->is_cat ? "reference" : "current", rc->is_cat ? "current" : "reference");
        goto fail;
    }
    if (text) {
        if ((st = _keys_text(rc, rn, cc, cn, &k, &res->ref_missing, &res->cur_missing, err))) goto out;
        for (size_t i = 0; i < k.k; i++) {
            na += (size_t)k.cr[i];
            nb += (size_t)k.cc[i];
        }
        res->type = DRIFT_CATEGORICAL;
        ref_unique = k.ref_distinct;
    } else {
        int integral = !cc->is_float;
        a = ws->a;
        b = ws->b;
        for (size_t i = 0; i < rn; i++)
            if (isfinite(rc->num[i])) a[na++] = rc->num[i];
        for (size_t i = 0; i < cn; i++) {
            double v = cc->num[i];
            if (isfinite(v)) {
                b[nb++] = v;
                if (integral && v != floor(v)) integral = 0;
            }
        }
        res->ref_missing = rn - na;
        res->cur_missing = cn - nb;
        if (res->cur_missing) integral = 0;     /* a column with NaN is float in pandas */
        drift_sort_scratch(a, na, ws->scratch);
        drift_sort_scratch(b, nb, ws->scratch);
        ref_unique = 0;
        for (size_t i = 0; i < na; i++)
            if (i == 0 || a[i] != a[i - 1]) ref_unique++;
        size_t cur_unique = 0;
        for (size_t i = 0; i < nb; i++)
            if (i == 0 || b[i] != b[i - 1]) cur_unique++;
        res->type = integral && nb > 0 && (ref_unique ? ref_unique : cur_unique) <= 5 ? DRIFT_CATEGORICAL
                                                                                     : DRIFT_NUMERICAL;
        res->ref_mean = _mean(a, na);
        res->cur_mean = _mean(b, nb);
        res->ref_std = drift_std(a, na);
        res->cur_std = drift_std(b, nb);
    }
    res->n_ref = na;
    res->n_cur = nb;
    if (na == 0 || nb == 0) {
        snprintf(why, sizeof why, "no value in the %s data", na == 0 ? "reference" : "current");
        goto fail;
    }
    if (!text) {
        /* union distinct count: merge without materialising unless keys are needed */
        size_t i = 0, j = 0, u = 0;
        while (i < na || j < nb) {
            double x = (j >= nb || (i < na && a[i] <= b[j])) ? a[i] : b[j];
            while (i < na && a[i] == x) i++;
            while (j < nb && b[j] == x) j++;
            u++;
        }
        res->n_unique = u;
    } else {
        res->n_unique = k.k;
    }

    res->auto_test = forced == DRIFT_TEST_AUTO;
    res->test = res->auto_test ? _auto_test(res->type, na, res->n_unique) : forced;
    res->threshold = isnan(thr) ? drift_test_default_threshold(res->test) : thr;

    /* binned shares (evidently get_binned_data): Sturges bins for a numerical column with
     * more than 20 reference values, else one bin per value */
    int binned = !text && res->type == DRIFT_NUMERICAL && ref_unique > 20;
    size_t nbins;
    if (!binned || res->test == DRIFT_TEST_CHISQUARE || res->test == DRIFT_TEST_Z) {
        if (!text && !k.cr && (st = _keys_numeric(a, na, b, nb, res->n_unique, &k, err))) goto out;
    }
    if (binned) {
        if ((st = drift_sturges_edges(a, na, b, nb, &edges, &n_bins, err))) goto out;
        nbins = (size_t)n_bins;
        rs = cs_malloc(nbins * sizeof *rs, err);
        cs_ = cs_malloc(nbins * sizeof *cs_, err);
        if (!rs || !cs_) {
            st = CS_ENOMEM;
            goto out;
        }
        drift_histogram(a, na, edges, n_bins, rs);
        drift_histogram(b, nb, edges, n_bins, cs_);
    } else {
        nbins = k.k;
        rs = cs_malloc((nbins ? nbins : 1) * sizeof *rs, err);
        cs_ = cs_malloc((nbins ? nbins : 1) * sizeof *cs_, err);
        if (!rs || !cs_) {
            st = CS_ENOMEM;
            goto out;
        }
        memcpy(rs, k.cr, nbins * sizeof *rs);
        memcpy(cs_, k.cc, nbins * sizeof *cs_);
    }
    for (size_t i = 0; i < nbins; i++) {
        rs[i] /= (double)na;
        cs_[i] /= (double)nb;
    }

    switch (res->test) {
    case DRIFT_TEST_KS:
        if (text) {
            snprintf(why, sizeof why, "test ks needs a numerical column");
            goto fail;
        }
        if ((st = drift_ks_2samp(a, na, b, nb, &res->statistic, &res->score, err))) goto out;
        break;
    case DRIFT_TEST_WASSERSTEIN: {
        if (text) {
            snprintf(why, sizeof why, "test wasserstein needs a numerical column");
            goto fail;
        }
        double norm = fmax(res->ref_std, 0.001);
        res->statistic = drift_wasserstein(a, na, b, nb);
        res->score = res->statistic / norm;
        break;
    }
    case DRIFT_TEST_CHISQUARE: {
        double knorm = (double)nb / (double)na;
        double *fexp = cs_malloc((k.k ? k.k : 1) * sizeof *fexp, err);
        if (!fexp) {
            st = CS_ENOMEM;
            goto out;
        }
        for (size_t i = 0; i < k.k; i++) fexp[i] = k.cr[i] * knorm;
        drift_chisquare(k.cc, fexp, k.k, &res->statistic, &res->score);
        free(fexp);
        break;
    }
    case DRIFT_TEST_Z:
        if (k.ref_distinct == 1 && k.cur_distinct == 1 && k.k == 1) {
            res->statistic = 0.0;
            res->score = 1.0;
        } else {
            /* 0 for the smallest key, 1 for every other */
            drift_ztest(na - (size_t)k.cr[0], na, nb - (size_t)k.cc[0], nb, &res->statistic, &res->score);
        }
        break;
    case DRIFT_TEST_JENSENSHANNON:
        res->statistic = res->score = drift_jensenshannon(rs, cs_, nbins);
        break;
    case DRIFT_TEST_PSI:
    default:
        break;  /* below */
    }
    {
        double *r2 = cs_malloc((nbins ? nbins : 1) * sizeof *r2, err);
        double *c2 = cs_malloc((nbins ? nbins : 1) * sizeof *c2, err);
        if (!r2 || !c2) {
            free(r2);
            free(c2);
            st = CS_ENOMEM;
            goto out;
        }
        memcpy(r2, rs, nbins * sizeof *r2);
        memcpy(c2, cs_, nbins * sizeof *c2);
        drift_fill_zeroes(r2, nbins);
        drift_fill_zeroes(c2, nbins);
        res->psi = drift_psi(r2, c2, nbins);
        free(r2);
        free(c2);
    }
    if (res->test == DRIFT_TEST_PSI) res->statistic = res->score = res->psi;
    res->psi_band = isnan(res->psi) ? "unknown" : res->psi < 0.1 ? "stable" : res->psi < 0.25 ? "moderate" : "major";
    res->drifted = _is_drift(res->test, res->score, res->threshold);
    st = _set_dist(res, nbins, rs, cs_, binned ? edges : NULL, binned ? NULL : k.num, k.txt, err);
    goto out;
fail:
    res->error = cs_strdup(why, err);
    if (!res->error) st = CS_ENOMEM;
out:
    free(edges);
    free(rs);
    free(cs_);
    _keys_free(&k);
    return st;
}

/* ---- the comparison ----------------------------------------------------------------- */

static const drift_column *_find(const drift_dataset *d, const char *name)
{
    for (int j = 0; j < d->n_cols; j++)
        if (!strcmp(d->cols[j].name, name)) return &d->cols[j];
    return NULL;
}

static int _excluded(const drift_options *o, const char *name)
{
    if (o->exclude) {
        for (int i = 0; i < o->n_exclude; i++)
            if (!strcmp(o->exclude[i], name)) return 1;
        return 0;
    }
    for (size_t i = 0; i < sizeof _default_ids / sizeof *_default_ids; i++)
        if (!strcmp(_default_ids[i], name)) return 1;
    return 0;
}

static cs_status _skip(drift_report *r, const char *name, const char *why, cs_err *err)
{
    cs_buf b = {0};
    char **s = cs_reallocarray(r->skipped, (size_t)r->n_skipped + 1, sizeof *s, err);
    if (!s) return CS_ENOMEM;
    r->skipped = s;
    if (cs_buf_printf(&b, err, "%s (%s)", name, why)) return CS_ENOMEM;
    r->skipped[r->n_skipped++] = cs_buf_take(&b);
    return CS_OK;
}

static void _column_result_free(drift_column_result *c)
{
    free(c->name);
    free(c->error);
    for (int i = 0; i < c->dist.n_bins; i++) free(c->dist.labels[i]);
    free(c->dist.labels);
    free(c->dist.ref);
    free(c->dist.cur);
}

void drift_report_free(drift_report *r)
{
    if (!r) return;
    for (int i = 0; i < r->n_columns; i++) _column_result_free(&r->cols[i]);
    free(r->cols);
    for (int i = 0; i < r->n_skipped; i++) free(r->skipped[i]);
    free(r->skipped);
    free(r->reference);
    free(r->current);
    free(r);
}

drift_report *drift_compare(const drift_dataset *ref, const drift_dataset *cur,
                            const drift_options *opt_in, cs_err *err)
{
    drift_options defaults;
    const drift_options *opt = opt_in;
    drift_report *r;
    const drift_column **pr = NULL, **pc = NULL;
    drift_test *tests = NULL;
    double *thrs = NULL;
    int np = 0, done = 0, failed = 0;
    cs_err colerr = {0};
    double t0 = cs_now();

    if (!opt) {
        drift_options_init(&defaults);
        opt = &defaults;
    }
    if (!ref || !cur) {
        cs_err_set(err, CS_EINVAL, "drift_compare: no data set");
        return NULL;
    }
    r = cs_calloc(1, sizeof *r, err);
    if (!r) return NULL;
    r->reference = cs_strdup(ref->label ? ref->label : "reference", err);
    r->current = cs_strdup(cur->label ? cur->label : "current", err);
    r->ref_rows = ref->n_rows;
    r->cur_rows = cur->n_rows;
    r->drift_share = opt->drift_share;
    pr = cs_calloc((size_t)ref->n_cols + 1, sizeof *pr, err);
    pc = cs_calloc((size_t)ref->n_cols + 1, sizeof *pc, err);
    tests = cs_calloc((size_t)ref->n_cols + 1, sizeof *tests, err);
    thrs = cs_calloc((size_t)ref->n_cols + 1, sizeof *thrs, err);
    if (!r->reference || !r->current || !pr || !pc || !tests || !thrs) goto fail;

    if (opt->columns) {
        for (int i = 0; i < opt->n_columns; i++) {
            const char *name = opt->columns[i];
            const drift_column *a = _find(ref, name), *b = _find(cur, name);
            if (!a || !b) {
                cs_err_set(err, CS_ENOTFOUND, "column '%s' is not in the %s data (%s)", name,
                           !a ? "reference" : "current", !a ? r->reference : r->current);
                goto fail;
            }
            int dup = 0;
            for (int q = 0; q < np; q++)
                if (pr[q] == a) dup = 1;
            if (dup) continue;
            if (np >= ref->n_cols) break;
            pr[np] = a;
            pc[np++] = b;
        }
    } else {
        for (int j = 0; j < ref->n_cols; j++) {
            const drift_column *a = &ref->cols[j], *b = _find(cur, a->name);
            if (_excluded(opt, a->name)) {
                if (_skip(r, a->name, "id, excluded", err)) goto fail;
            } else if (!b) {
                if (_skip(r, a->name, "reference only", err)) goto fail;
            } else {
                pr[np] = a;
                pc[np++] = b;
            }
        }
        for (int j = 0; j < cur->n_cols; j++)
            if (!_find(ref, cur->cols[j].name) && !_excluded(opt, cur->cols[j].name))
                if (_skip(r, cur->cols[j].name, "current only", err)) goto fail;
    }
    for (int i = 0; i < np; i++) {
        const drift_override *g = NULL, *c = NULL;
        for (int o = 0; o < opt->n_overrides; o++) {
            if (!opt->overrides[o].column) g = &opt->overrides[o];
            else if (!strcmp(opt->overrides[o].column, pr[i]->name)) c = &opt->overrides[o];
        }
        tests[i] = DRIFT_TEST_AUTO;
        thrs[i] = NAN;
        if (g) {
            tests[i] = g->test;
            thrs[i] = g->threshold;
        }
        if (c) {
            if (c->test != DRIFT_TEST_AUTO) tests[i] = c->test;
            if (!isnan(c->threshold)) thrs[i] = c->threshold;
        }
    }
    if (np == 0) {
        cs_err_set(err, CS_EINVAL, "no column in common between %s and %s", r->reference, r->current);
        goto fail;
    }
    r->cols = cs_calloc((size_t)np, sizeof *r->cols, err);
    if (!r->cols) goto fail;
    r->n_columns = np;
    for (int i = 0; i < np; i++) {
        r->cols[i].name = cs_strdup(pr[i]->name, err);
        if (!r->cols[i].name) goto fail;
    }

#pragma omp parallel
    {
        size_t big = ref->n_rows > cur->n_rows ? ref->n_rows : cur->n_rows;
        _ws ws;
        cs_err e = {0};
        ws.a = cs_malloc((ref->n_rows ? ref->n_rows : 1) * sizeof *ws.a, &e);
        ws.b = cs_malloc((cur->n_rows ? cur->n_rows : 1) * sizeof *ws.b, &e);
        ws.scratch = cs_malloc((big ? 2 * big : 2) * sizeof *ws.scratch, &e);
        int ok = ws.a && ws.b && ws.scratch;
        if (!ok) {
#pragma omp critical(drift_progress)
            if (!failed) {
                failed = 1;
                colerr = e;
            }
        }
#pragma omp for schedule(dynamic, 1)
        for (int i = 0; i < np; i++) {
            cs_status st = ok ? _test_column(pr[i], ref->n_rows, pc[i], cur->n_rows, tests[i], thrs[i], &ws,
                                             &r->cols[i], &e)
                              : CS_ENOMEM;
#pragma omp critical(drift_progress)
            {
                if (st && !failed) {
                    failed = 1;
                    colerr = e;
                }
                done++;
                if (opt->progress) cs_progress_update(opt->progress, (uint64_t)done, r->cols[i].name);
            }
        }
        free(ws.a);
        free(ws.b);
        free(ws.scratch);
    }
    if (failed) {
        if (err) *err = colerr;
        goto fail;
    }
    /* columns that could not be tested go to the skipped list */
    {
        int w = 0;
        for (int i = 0; i < np; i++) {
            if (r->cols[i].error) {
                cs_status st = _skip(r, r->cols[i].name, r->cols[i].error, err);
                _column_result_free(&r->cols[i]);
                if (st) {
                    for (int q = i + 1; q < np; q++) _column_result_free(&r->cols[q]);
                    r->n_columns = w;
                    goto fail;
                }
                continue;
            }
            r->cols[w++] = r->cols[i];
        }
        r->n_columns = w;
    }
    if (r->n_columns == 0) {
        cs_err_set(err, CS_EINVAL, "no column could be compared between %s and %s (%s)", r->reference,
                   r->current, r->n_skipped ? r->skipped[r->n_skipped - 1] : "none in common");
        goto fail;
    }
    for (int i = 0; i < r->n_columns; i++) r->n_drifted += r->cols[i].drifted;
    r->share = (double)r->n_drifted / (double)r->n_columns;
    r->dataset_drift = r->share >= r->drift_share;
    r->seconds = cs_now() - t0;
    free(pr);
    free(pc);
    free(tests);
    free(thrs);
    return r;
fail:
    if (err && err->code == CS_OK) cs_err_set(err, CS_ENOMEM, "out of memory");
    free(pr);
    free(pc);
    free(tests);
    free(thrs);
    drift_report_free(r);
    return NULL;
}
