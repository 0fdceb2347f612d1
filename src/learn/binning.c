/*
 * binning.c: optimal WoE binning (binning.h): pre-binning from raw values or from a binned
 * dataset, the exact dynamic programme over merges of pre-bins, categorical grouping,
 * WoE/IV, and the lookup of a value's bin. Tables and JSON are in binning_table.c.
 */
#include "binning.h"
#include "learn_int.h"
#include "../features/colbin.h"

#include <assert.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

static const char *const TREND_NAMES[BN_TREND_COUNT] = {
    "auto", "auto_monotonic", "ascending", "descending", "peak", "valley", "none"};

const char *bn_trend_name(bn_trend t)
{
    return (unsigned)t < BN_TREND_COUNT ? TREND_NAMES[t] : "?";
}

cs_status bn_trend_from_name(const char *name, bn_trend *out, cs_err *err)
{
    for (int t = 0; t < BN_TREND_COUNT; t++)
        if (name && !strcmp(name, TREND_NAMES[t])) {
            *out = (bn_trend)t;
            return CS_OK;
        }
    return cs_err_set(err, CS_EINVAL,
                      "monotonic_trend '%s' unknown (auto, auto_monotonic, ascending, "
                      "descending, peak, valley, none)", name ? name : "(null)");
}

const char *bn_opts_check(const bn_opts *o)
{
    if (o->max_n_prebins < 2 || o->max_n_prebins > BN_MAX_PREBINS)
        return "max_n_prebins must be in 2..100";
    if (!(o->min_bin_size >= 0 && o->min_bin_size <= 0.5))
        return "min_bin_size must be in [0, 0.5]";
    if (o->min_n_event < 0) return "min_n_event must be >= 0";
    if (o->min_n_nonevent < 0) return "min_n_nonevent must be >= 0";
    if (o->max_n_bins < 0 || o->max_n_bins > BN_MAX_PREBINS)
        return "max_n_bins must be in 0..100 (0: no limit)";
    if ((unsigned)o->trend >= BN_TREND_COUNT) return "monotonic_trend is not a known trend";
    if (!(o->cat_cutoff >= 0 && o->cat_cutoff < 1)) return "cat_cutoff must be in [0, 1)";
    if (o->n_special > BN_MAX_SPECIAL) return "special_codes: at most 16 values";
    for (size_t i = 0; i < o->n_special; i++)
        if (!isfinite(o->special[i])) return "special_codes must be finite numbers";
    return NULL;
}

/* an integer option in [lo, hi] */
static cs_status _int_opt(const char *name, const char *value, double lo, double hi, double *v,
                          cs_err *err)
{
    cs_status st = lrn_value_number(name, value, v, err);
    if (st) return st;
    if (!(*v >= lo && *v <= hi) || *v != floor(*v))
        return cs_err_set(err, CS_EINVAL, "%s must be an integer in %g..%g, got %s", name, lo, hi, value);
    return CS_OK;
}

cs_status bn_opts_set(bn_opts *o, const char *name, const char *value, cs_err *err)
{
    double v;
    cs_status st;
    if (!strcmp(name, "max_n_prebins")) {
        if ((st = _int_opt(name, value, 2, BN_MAX_PREBINS, &v, err))) return st;
        o->max_n_prebins = (int)v;
    } else if (!strcmp(name, "max_n_bins")) {
        if ((st = _int_opt(name, value, 0, BN_MAX_PREBINS, &v, err))) return st;
        o->max_n_bins = (int)v;
    } else if (!strcmp(name, "min_n_event") || !strcmp(name, "min_n_nonevent")) {
        if ((st = _int_opt(name, value, 0, 1e15, &v, err))) return st;
        *(name[6] == 'e' ? &o->min_n_event : &o->min_n_nonevent) = (int64_t)v;
    } else if (!strcmp(name, "min_bin_size") || !strcmp(name, "cat_cutoff")) {
        if ((st = lrn_value_number(name, value, &v, err))) return st;
        int size = name[0] == 'm';
        if (size ? !(v >= 0 && v <= 0.5) : !(v >= 0 && v < 1))
            return cs_err_set(err, CS_EINVAL, "%s must be in %s, got %s", name, size ? "[0, 0.5]" : "[0, 1)", value);
        *(size ? &o->min_bin_size : &o->cat_cutoff) = v;
    } else if (!strcmp(name, "monotonic_trend")) {
        char *t;
        if ((st = lrn_value_string(name, value, &t, err))) return st;
        st = bn_trend_from_name(t, &o->trend, err);
        free(t);
        return st;
    } else if (!strcmp(name, "special_codes")) {
        double *a;
        size_t n;
        if ((st = lrn_value_numbers(name, value, &a, &n, err))) return st;
        if (n > BN_MAX_SPECIAL) {
            free(a);
            return cs_err_set(err, CS_EINVAL, "special_codes: at most %d values, got %zu", BN_MAX_SPECIAL, n);
        }
        o->n_special = n;
        memcpy(o->special, a, n * sizeof *a);
        free(a);
    } else {
        return cs_err_set(err, CS_ENOTFOUND, "'%s' is not a binning option (max_n_prebins, min_bin_size, "
                          "min_n_event, min_n_nonevent, max_n_bins, monotonic_trend, cat_cutoff, "
                          "special_codes)", name);
    }
    return CS_OK;
}

cs_status bn_opts_from_json(const char *text, bn_opts *o, cs_err *err)
{
    if (!text || !*text) return CS_OK;
    cJSON *root = cJSON_Parse(text);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return cs_err_set(err, CS_EPARSE, "binning options: not a JSON object: %.80s", text);
    }
    cs_status st = CS_OK;
    for (cJSON *it = root->child; it && !st; it = it->next) {
        char *v = cJSON_PrintUnformatted(it);
        if (!v) { st = cs_err_set(err, CS_ENOMEM, "binning options: out of memory"); break; }
        st = bn_opts_set(o, it->string, v, err);
        if (st == CS_ENOTFOUND) st = err ? (err->code = CS_EINVAL) : CS_EINVAL;
        free(v);
    }
    cJSON_Delete(root);
    return st;
}

/* ---- WoE and IV ---------------------------------------------------------------------- */

static void _shares(int64_t count, int64_t events, int64_t total_count, int64_t total_events,
                    double *pg, double *pe)
{
    double e = (double)events, g = (double)(count - events);
    double E = (double)total_events, G = (double)(total_count - total_events);
    if (e == 0) e = 0.5;
    if (g == 0) g = 0.5;
    if (E <= 0) E = 0.5;
    if (G <= 0) G = 0.5;
    *pg = g / G;
    *pe = e / E;
}

double bn_woe(int64_t count, int64_t events, int64_t total_count, int64_t total_events)
{
    double pg, pe;
    _shares(count, events, total_count, total_events, &pg, &pe);
    return log(pg / pe);
}

double bn_iv_term(int64_t count, int64_t events, int64_t total_count, int64_t total_events)
{
    double pg, pe;
    _shares(count, events, total_count, total_events, &pg, &pe);
    return (pg - pe) * log(pg / pe);
}

/* ---- the dynamic programme ----------------------------------------------------------- */

/* rate(a) < rate(b), exactly: e_a / n_a < e_b / n_b (counts > 0) */
static inline int _lt(int64_t ea, int64_t na, int64_t eb, int64_t nb)
{
    return (__int128)ea * nb < (__int128)eb * na;
}

double bn_solve(const int64_t *cnt, const int64_t *ev, size_t P, int64_t total_count,
                int64_t total_events, const bn_opts *o, bn_trend t, uint8_t *cut)
{
    assert(P >= 1 && P <= BN_MAX_PREBINS);
    assert(t >= BN_TREND_ASCENDING && t <= BN_TREND_NONE);
    enum { NP = BN_MAX_PREBINS + 1 };
    int64_t cc[NP], ce[NP];
    cc[0] = ce[0] = 0;
    for (size_t i = 0; i < P; i++) {
        cc[i + 1] = cc[i] + cnt[i];
        ce[i + 1] = ce[i] + ev[i];
    }
    int64_t min_count = (int64_t)ceil(o->min_bin_size * (double)total_count - 1e-9);
    if (min_count < 1) min_count = 1;
    size_t K = o->max_n_bins > 0 && (size_t)o->max_n_bins < P ? (size_t)o->max_n_bins : 0;
    size_t nk = K ? K : 1;          /* with no limit the count of bins is not tracked */
    int phases = (t == BN_TREND_PEAK || t == BN_TREND_VALLEY) ? 2 : 1;
    /* f[((k * 2 + ph) * P + a) * P + b]: best IV of pre-bins [0..b] whose last bin is
     * [a..b], in phase ph, with k+1 bins (k = 0 when not tracked); -1 = impossible. */
    size_t nstate = nk * 2 * P * P;
    double *f = malloc(nstate * sizeof *f);
    int32_t *from = malloc(nstate * sizeof *from);
    double *ivab = malloc(P * P * sizeof *ivab);
    if (!f || !from || !ivab) {
        free(f); free(from); free(ivab);
        return -1;
    }
    for (size_t s = 0; s < nstate; s++) f[s] = -1, from[s] = -1;
    for (size_t a = 0; a < P; a++)
        for (size_t b = a; b < P; b++) {
            int64_t n = cc[b + 1] - cc[a], e = ce[b + 1] - ce[a];
            int ok = n >= min_count && e >= o->min_n_event && n - e >= o->min_n_nonevent && n > 0;
            ivab[a * P + b] = ok ? bn_iv_term(n, e, total_count, total_events) : -1;
        }
#define ST(k, ph, a, b) ((((size_t)(k) * 2 + (size_t)(ph)) * P + (size_t)(a)) * P + (size_t)(b))
    for (size_t b = 0; b < P; b++)
        for (size_t a = 0; a <= b; a++) {
            double v = ivab[a * P + b];
            if (v < 0) continue;
            int64_t n = cc[b + 1] - cc[a], e = ce[b + 1] - ce[a];
            if (a == 0) {
                f[ST(0, 0, 0, b)] = v;
                continue;
            }
            /* previous bin [h..a-1] */
            for (size_t h = 0; h < a; h++) {
                int64_t pn = cc[a] - cc[h], pe = ce[a] - ce[h];
                int up = _lt(pe, pn, e, n), down = _lt(e, n, pe, pn);
                for (int ph = 0; ph < phases; ph++) {
                    int to = -1;        /* the phase after adding [a..b], -1: not allowed */
                    switch (t) {
                    case BN_TREND_ASCENDING: to = up ? 0 : -1; break;
                    case BN_TREND_DESCENDING: to = down ? 0 : -1; break;
                    case BN_TREND_NONE: to = 0; break;
                    case BN_TREND_PEAK: to = ph == 0 ? (up ? 0 : down ? 1 : -1) : (down ? 1 : -1); break;
                    case BN_TREND_VALLEY: to = ph == 0 ? (down ? 0 : up ? 1 : -1) : (up ? 1 : -1); break;
                    default: break;
                    }
                    if (to < 0) continue;
                    for (size_t k = 0; k < nk; k++) {
                        double pv = f[ST(k, ph, h, a - 1)];
                        if (pv < 0) continue;
                        size_t k2 = K ? k + 1 : 0;
                        if (K && k2 >= K) continue;
                        size_t s = ST(k2, to, a, b);
                        if (pv + v > f[s]) {
                            f[s] = pv + v;
                            from[s] = (int32_t)ST(k, ph, h, a - 1);
                        }
                    }
                }
            }
        }
    double best = -1;
    size_t bs = 0;
    for (size_t k = 0; k < nk; k++)
        for (int ph = 0; ph < phases; ph++)
            for (size_t a = 0; a < P; a++) {
                size_t s = ST(k, ph, a, P - 1);
                if (f[s] > best) best = f[s], bs = s;
            }
    if (best >= 0) {
        memset(cut, 0, P);
        int64_t s = (int64_t)bs;
        while (s >= 0) {
            size_t b = (size_t)s % P;
            cut[b] = 1;
            s = from[s];
        }
    }
#undef ST
    free(f);
    free(from);
    free(ivab);
    return best;
}

/* ---- building a feature -------------------------------------------------------------- */

void bn_feature_free(bn_feature *f)
{
    if (!f) return;
    for (size_t b = 0; b < f->n_bins; b++) free(f->bins[b].cats);
    free(f->bins);
    free(f->name);
    free(f);
}

void bn_features_free(bn_feature **fs, size_t n)
{
    if (!fs) return;
    for (size_t j = 0; j < n; j++) bn_feature_free(fs[j]);
    free(fs);
}

bn_feature *bn_feature_copy(const bn_feature *f, cs_err *err)
{
    bn_feature *c = cs_calloc(1, sizeof *c, err);
    if (!c) return NULL;
    *c = *f;
    c->name = NULL;
    c->bins = cs_calloc(f->n_bins ? f->n_bins : 1, sizeof *c->bins, err);
    if (!c->bins) goto fail;
    c->n_bins = 0;
    for (size_t b = 0; b < f->n_bins; b++) {
        c->bins[b] = f->bins[b];
        c->bins[b].cats = NULL;
        c->n_bins = b + 1;
        if (f->bins[b].n_cats) {
            c->bins[b].cats = cs_malloc(f->bins[b].n_cats * sizeof(double), err);
            if (!c->bins[b].cats) goto fail;
            memcpy(c->bins[b].cats, f->bins[b].cats, f->bins[b].n_cats * sizeof(double));
        }
    }
    if (!(c->name = cs_strdup(f->name ? f->name : "", err))) goto fail;
    return c;
fail:
    bn_feature_free(c);
    return NULL;
}

static int _cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

size_t bn_bin_of(const bn_feature *f, double x)
{
    if (x != x) {
        for (size_t b = f->n_value_bins; b < f->n_bins; b++)
            if (f->bins[b].kind == BN_BIN_MISSING) return b;
        return f->fallback;
    }
    for (size_t b = f->n_value_bins; b < f->n_bins; b++)
        if (f->bins[b].kind == BN_BIN_SPECIAL && f->bins[b].lo == x) return b;
    if (f->categorical) {
        for (size_t b = 0; b < f->n_value_bins; b++) {
            const bn_bin *bn = &f->bins[b];
            if (bn->n_cats && bsearch(&x, bn->cats, bn->n_cats, sizeof(double), _cmp_double))
                return b;
        }
        return f->fallback;
    }
    if (!f->n_value_bins) return f->fallback;
    size_t lo = 0, hi = f->n_value_bins - 1;    /* the first bin with x <= hi */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x <= f->bins[mid].hi) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

void bn_feature_finish(bn_feature *f)
{
    f->count = f->events = 0;
    for (size_t b = 0; b < f->n_bins; b++) {
        f->count += f->bins[b].count;
        f->events += f->bins[b].events;
    }
    f->iv = 0;
    for (size_t b = 0; b < f->n_bins; b++) {
        bn_bin *bn = &f->bins[b];
        bn->woe = bn_woe(bn->count, bn->events, f->count, f->events);
        bn->iv = bn_iv_term(bn->count, bn->events, f->count, f->events);
        f->iv += bn->iv;
    }
    f->fallback = 0;
    double worst = -1;
    for (size_t b = 0; b < f->n_value_bins; b++) {
        const bn_bin *bn = &f->bins[b];
        if (bn->pooled) { f->fallback = b; return; }
        double r = bn->count ? (double)bn->events / (double)bn->count : 0;
        if (r > worst) worst = r, f->fallback = b;
    }
    if (!f->n_value_bins) f->fallback = 0;
}

/* The kind of a sequence of rates: ascending, descending, peak or valley. */
static bn_trend _shape(const bn_bin *bins, size_t n)
{
    int ups = 0, downs = 0, first_down = -1, first_up = -1;
    for (size_t b = 1; b < n; b++) {
        int up = _lt(bins[b - 1].events, bins[b - 1].count, bins[b].events, bins[b].count);
        if (up) { ups++; if (first_up < 0) first_up = (int)b; }
        else { downs++; if (first_down < 0) first_down = (int)b; }
    }
    if (!downs) return BN_TREND_ASCENDING;
    if (!ups) return BN_TREND_DESCENDING;
    return first_up < first_down ? BN_TREND_PEAK : BN_TREND_VALLEY;
}

/* The value bins from P ordered pre-bins (numeric: upper edges; categorical: groups of
 * categories), solved under o; appended to f->bins[0..). */
typedef struct prebins {
    size_t P;
    int64_t cnt[BN_MAX_PREBINS], ev[BN_MAX_PREBINS];
    double upper[BN_MAX_PREBINS];       /* numeric */
    size_t cat_start[BN_MAX_PREBINS + 1];/* categorical: group g holds cats[cat_start[g]..) */
    int pooled[BN_MAX_PREBINS];
} prebins;

static void _solve_trend(const prebins *pb, int64_t tc, int64_t te, const bn_opts *o,
                         bn_trend want, uint8_t *cut, bn_trend *used)
{
    bn_trend cand[4];
    size_t nc = 0;
    if (want == BN_TREND_AUTO) {
        cand[0] = BN_TREND_ASCENDING; cand[1] = BN_TREND_DESCENDING;
        cand[2] = BN_TREND_PEAK; cand[3] = BN_TREND_VALLEY; nc = 4;
    } else if (want == BN_TREND_AUTO_MONOTONIC) {
        cand[0] = BN_TREND_ASCENDING; cand[1] = BN_TREND_DESCENDING; nc = 2;
    } else {
        cand[0] = want; nc = 1;
    }
    double best = -1;
    uint8_t tmp[BN_MAX_PREBINS];
    *used = cand[0];
    for (size_t c = 0; c < nc; c++) {
        double v = bn_solve(pb->cnt, pb->ev, pb->P, tc, te, o, cand[c], tmp);
        if (v > best * (1 + 1e-12) + 1e-15) {
            best = v;
            memcpy(cut, tmp, pb->P);
            *used = cand[c];
        }
    }
    if (best < 0) {         /* nothing admissible: one value bin */
        memset(cut, 0, pb->P);
        cut[pb->P - 1] = 1;
    }
}

/* Build f's bins: value bins from pb (+ cats for categorical), then missing and specials. */
static cs_status _build(bn_feature *f, const prebins *pb, const double *cats, int64_t miss_n,
                        int64_t miss_e, const int64_t *sp_n, const int64_t *sp_e,
                        const bn_opts *o, cs_err *err)
{
    int64_t tc = miss_n, te = miss_e;
    for (size_t i = 0; i < pb->P; i++) tc += pb->cnt[i], te += pb->ev[i];
    for (size_t s = 0; s < o->n_special; s++) tc += sp_n[s], te += sp_e[s];
    uint8_t cut[BN_MAX_PREBINS];
    bn_trend want = f->categorical ? BN_TREND_ASCENDING : o->trend, used = want;
    size_t nv = 0;
    if (pb->P) {
        _solve_trend(pb, tc, te, o, want, cut, &used);
        for (size_t i = 0; i < pb->P; i++) nv += cut[i];
    }
    size_t nb = nv + (miss_n > 0);
    for (size_t s = 0; s < o->n_special; s++) nb += sp_n[s] > 0;
    f->bins = cs_calloc(nb ? nb : 1, sizeof *f->bins, err);
    if (!f->bins) return err ? err->code : CS_ENOMEM;
    size_t b = 0, start = 0;
    for (size_t i = 0; i < pb->P; i++) {
        if (!cut[i]) continue;
        bn_bin *bn = &f->bins[b];
        for (size_t k = start; k <= i; k++) bn->count += pb->cnt[k], bn->events += pb->ev[k];
        if (f->categorical) {
            bn->kind = BN_BIN_CATS;
            size_t c0 = pb->cat_start[start], c1 = pb->cat_start[i + 1];
            bn->n_cats = c1 - c0;
            bn->cats = cs_malloc(bn->n_cats * sizeof(double), err);
            if (!bn->cats) { f->n_bins = b; return err ? err->code : CS_ENOMEM; }
            memcpy(bn->cats, cats + c0, bn->n_cats * sizeof(double));
            qsort(bn->cats, bn->n_cats, sizeof(double), _cmp_double);
            for (size_t k = start; k <= i; k++) bn->pooled |= pb->pooled[k];
            bn->lo = -INFINITY, bn->hi = INFINITY;
        } else {
            bn->kind = BN_BIN_RANGE;
            bn->lo = start ? pb->upper[start - 1] : -INFINITY;
            bn->hi = i + 1 == pb->P ? INFINITY : pb->upper[i];
        }
        b++;
        start = i + 1;
    }
    f->n_value_bins = nv;
    if (miss_n > 0) {
        bn_bin *bn = &f->bins[b++];
        bn->kind = BN_BIN_MISSING;
        bn->lo = bn->hi = NAN;
        bn->count = miss_n, bn->events = miss_e;
    }
    for (size_t s = 0; s < o->n_special; s++)
        if (sp_n[s] > 0) {
            bn_bin *bn = &f->bins[b++];
            bn->kind = BN_BIN_SPECIAL;
            bn->lo = bn->hi = o->special[s];
            bn->count = sp_n[s], bn->events = sp_e[s];
        }
    f->n_bins = b;
    f->trend = used;
    bn_feature_finish(f);
    if (o->trend == BN_TREND_AUTO || o->trend == BN_TREND_AUTO_MONOTONIC || f->categorical)
        f->trend = nv ? _shape(f->bins, nv) : BN_TREND_ASCENDING;
    return CS_OK;
}

static int _special_index(const bn_opts *o, double x)
{
    for (size_t s = 0; s < o->n_special; s++)
        if (o->special[s] == x) return (int)s;
    return -1;
}

typedef struct xy {
    double x;
    int y;
} xy;

static int _cmp_xy(const void *a, const void *b)
{
    double x = ((const xy *)a)->x, y = ((const xy *)b)->x;
    return (x > y) - (x < y);
}

/* Group n sorted (x, y) pairs into at most Pmax quantile pre-bins (equal values together). */
static void _prebin_sorted(const xy *v, size_t n, int Pmax, prebins *pb)
{
    pb->P = 0;
    size_t i = 0;
    while (i < n) {
        size_t p = pb->P;
        /* this pre-bin ends at the first value change at or after the next quantile */
        size_t goal = (size_t)((double)n * (double)(p + 1) / Pmax);
        if (goal <= i) goal = i + 1;
        if (goal > n) goal = n;
        size_t j = goal;
        while (j < n && v[j].x == v[j - 1].x) j++;
        if ((int)p == Pmax - 1) j = n;
        int64_t e = 0;
        for (size_t k = i; k < j; k++) e += v[k].y;
        pb->cnt[p] = (int64_t)(j - i);
        pb->ev[p] = e;
        pb->upper[p] = j < n ? v[j - 1].x + (v[j].x - v[j - 1].x) / 2 : INFINITY;
        /* a midpoint that rounds onto the next value (neighbouring doubles) */
        if (j < n && !(pb->upper[p] < v[j].x)) pb->upper[p] = v[j - 1].x;
        pb->P++;
        i = j;
    }
}

size_t bn_prebin_values(const double *x, const double *y, size_t n, const bn_opts *o,
                        int64_t *cnt, int64_t *ev, double *upper)
{
    xy *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (x[i] == x[i] && _special_index(o, x[i]) < 0) v[k].x = x[i], v[k++].y = y[i] == 1;
    qsort(v, k, sizeof *v, _cmp_xy);
    prebins *pb = malloc(sizeof *pb);
    size_t P = 0;
    if (pb) {
        _prebin_sorted(v, k, o->max_n_prebins, pb);
        P = pb->P;
        memcpy(cnt, pb->cnt, P * sizeof *cnt);
        memcpy(ev, pb->ev, P * sizeof *ev);
        memcpy(upper, pb->upper, P * sizeof *upper);
    }
    free(pb);
    free(v);
    return P;
}

typedef struct catstat {
    double code;
    int64_t n, e;
} catstat;

static int _cmp_cat_rate(const void *a, const void *b)
{
    const catstat *p = a, *q = b;
    if (_lt(p->e, p->n, q->e, q->n)) return -1;
    if (_lt(q->e, q->n, p->e, p->n)) return 1;
    return (p->code > q->code) - (p->code < q->code);
}

/* Categorical: sorted (code, y) pairs -> groups by event rate (rare ones pooled) ->
 * pre-bins; cats receives the codes in group order. */
static cs_status _cat_prebins(const xy *v, size_t n, const bn_opts *o, prebins *pb,
                              double **cats_out, cs_err *err)
{
    size_t nd = 0;
    for (size_t i = 0; i < n; i++) nd += !i || v[i].x != v[i - 1].x;
    catstat *cs = cs_calloc(nd + 2, sizeof *cs, err);
    double *cats = cs_malloc((nd + 1) * sizeof *cats, err);
    if (!cs || !cats) { free(cs); free(cats); return err ? err->code : CS_ENOMEM; }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && v[i].x != v[i - 1].x) k++;
        cs[k].code = v[i].x;
        cs[k].n++;
        cs[k].e += v[i].y;
    }
    /* pool the rare categories; the pooled group sorts by its own rate */
    size_t ng = 0;
    catstat pool = {0};
    size_t npool = 0;
    int64_t min_n = (int64_t)ceil(o->cat_cutoff * (double)n - 1e-9);
    double *pooled_codes = cs_malloc((nd + 1) * sizeof *pooled_codes, err);
    if (!pooled_codes) { free(cs); free(cats); return err ? err->code : CS_ENOMEM; }
    for (size_t c = 0; c < nd; c++) {
        if (cs[c].n < min_n) {
            pool.n += cs[c].n, pool.e += cs[c].e;
            pooled_codes[npool++] = cs[c].code;
        } else {
            cs[ng++] = cs[c];
        }
    }
    int have_pool = npool > 0;
    if (have_pool) { pool.code = INFINITY; cs[ng++] = pool; }
    qsort(cs, ng, sizeof *cs, _cmp_cat_rate);
    /* groups -> pre-bins: consecutive groups merged by cumulative count when too many */
    int Pmax = o->max_n_prebins;
    pb->P = 0;
    size_t nc = 0, g = 0;
    int64_t done = 0;
    while (g < ng) {
        size_t p = pb->P;
        int64_t goal = (int64_t)((double)n * (double)(p + 1) / Pmax);
        pb->cat_start[p] = nc;
        pb->cnt[p] = pb->ev[p] = 0;
        pb->pooled[p] = 0;
        do {
            if (cs[g].code == INFINITY && have_pool) {
                memcpy(cats + nc, pooled_codes, npool * sizeof *cats);
                nc += npool;
                pb->pooled[p] = 1;
            } else {
                cats[nc++] = cs[g].code;
            }
            pb->cnt[p] += cs[g].n, pb->ev[p] += cs[g].e;
            done += cs[g].n;
            g++;
        } while (g < ng && (ng <= (size_t)Pmax ? 0 : (done < goal || (int)p == Pmax - 1)));
        pb->upper[p] = NAN;
        pb->P++;
    }
    pb->cat_start[pb->P] = nc;
    free(pooled_codes);
    free(cs);
    *cats_out = cats;
    return CS_OK;
}

/* Bin one feature from (x, y) pairs: missing and specials counted, the rest sorted. */
static cs_status _fit_pairs(xy *v, size_t n, int categorical, const bn_opts *o,
                            const char *name, bn_feature **out, cs_err *err)
{
    int64_t miss_n = 0, miss_e = 0, sp_n[BN_MAX_SPECIAL] = {0}, sp_e[BN_MAX_SPECIAL] = {0};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].x != v[i].x) { miss_n++; miss_e += v[i].y; continue; }
        int s = _special_index(o, v[i].x);
        if (s >= 0) { sp_n[s]++; sp_e[s] += v[i].y; continue; }
        if (categorical && (!isfinite(v[i].x) || v[i].x != floor(v[i].x)))
            return cs_err_set(err, CS_EINVAL, "binning %s: category code %g is not an integer",
                              name, v[i].x);
        v[k++] = v[i];
    }
    qsort(v, k, sizeof *v, _cmp_xy);
    bn_feature *f = cs_calloc(1, sizeof *f, err);
    prebins *pb = cs_calloc(1, sizeof *pb, err);
    double *cats = NULL;
    cs_status st = CS_OK;
    if (!f || !pb) { st = CS_ENOMEM; goto done; }
    f->categorical = !!categorical;
    if (!(f->name = cs_strdup(name ? name : "", err))) { st = CS_ENOMEM; goto done; }
    if (categorical) {
        if ((st = _cat_prebins(v, k, o, pb, &cats, err))) goto done;
    } else {
        _prebin_sorted(v, k, o->max_n_prebins, pb);
    }
    st = _build(f, pb, cats, miss_n, miss_e, sp_n, sp_e, o, err);
done:
    free(cats);
    free(pb);
    if (st) { bn_feature_free(f); return st; }
    *out = f;
    return CS_OK;
}

cs_status bn_fit_values(const double *x, const double *y, size_t n, int categorical,
                        const bn_opts *o, const char *name, bn_feature **out, cs_err *err)
{
    const char *msg = bn_opts_check(o);
    if (msg) return cs_err_set(err, CS_EINVAL, "binning: %s", msg);
    if (!n) return cs_err_set(err, CS_EINVAL, "binning %s: no rows", name ? name : "");
    xy *v = cs_malloc(n * sizeof *v, err);
    if (!v) return CS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 0 && y[i] != 1) {
            free(v);
            return cs_err_set(err, CS_EINVAL, "binning %s: target of row %zu is %g, not 0 or 1",
                              name ? name : "", i, y[i]);
        }
        v[i].x = x[i], v[i].y = y[i] == 1;
    }
    cs_status st = _fit_pairs(v, n, categorical, o, name, out, err);
    free(v);
    return st;
}

/* Group nv ordered cells (counts hc, events he; cell c holds the values up to upper[c],
 * the last one unbounded) into at most Pmax quantile pre-bins by cumulative count: a pre-bin
 * closes at the first cell that takes its cumulative count to the next quantile of the
 * rows, empty cells join their neighbours, and the cut points are the cells' edges. */
static void _group_cells(const int64_t *hc, const int64_t *he, size_t nv, const double *upper, int Pmax,
                         prebins *pb)
{
    pb->P = 0;
    int64_t tot = 0, done = 0;
    for (size_t c = 0; c < nv; c++) tot += hc[c];
    size_t c = 0;
    while (c < nv && done < tot) {
        size_t p = pb->P;
        int64_t goal = (int64_t)((double)tot * (double)(p + 1) / Pmax);
        pb->cnt[p] = pb->ev[p] = 0;
        do {
            pb->cnt[p] += hc[c], pb->ev[p] += he[c];
            done += hc[c];
            c++;
        } while (c < nv && (done < goal || (int)p == Pmax - 1 || pb->cnt[p] == 0));
        /* empty cells after the last row join the last pre-bin */
        if (done == tot) c = nv;
        pb->upper[p] = c < nv ? upper[c - 1] : INFINITY;
        pb->P++;
    }
}

/* Numeric feature j of m from its rows' counts hc and events he over nv ordered cells (cell c
 * up to upper[c]) and the NaN cell at [nv], the specials' counts apart: the cells grouped
 * into quantile pre-bins, then the optimal binning. */
static cs_status _fit_cells(const feat_matrix *m, size_t j, const int64_t *hc, const int64_t *he, size_t nv,
                            const double *upper, const int64_t *sp_n, const int64_t *sp_e, const bn_opts *o,
                            bn_feature **out, cs_err *err)
{
    prebins pb;
    _group_cells(hc, he, nv, upper, o->max_n_prebins, &pb);
    bn_feature *f = cs_calloc(1, sizeof *f, err);
    if (!f) return CS_ENOMEM;
    cs_status st = CS_OK;
    if (!(f->name = cs_strdup(m->names && m->names[j] ? m->names[j] : "", err))) st = CS_ENOMEM;
    if (!st) st = _build(f, &pb, NULL, hc[nv], he[nv], sp_n, sp_e, o, err);
    if (st) { bn_feature_free(f); return st; }
    *out = f;
    return CS_OK;
}

/* Numeric feature j from the binned dataset: a histogram of the rows over d's cells, the
 * cells grouped into quantile pre-bins at d's edges. */
static cs_status _fit_ds(const feat_matrix *m, const ds_dataset *d, size_t j, const size_t *rows,
                         size_t n, const double *y, const bn_opts *o, bn_feature **out,
                         cs_err *err)
{
    int64_t hc[DS_MAX_BIN + 2] = {0}, he[DS_MAX_BIN + 2] = {0};
    int64_t sp_n[BN_MAX_SPECIAL] = {0}, sp_e[BN_MAX_SPECIAL] = {0};
    const uint8_t *col = ds_col(d, j);
    size_t nv = d->n_vbins[j];
    if (o->n_special) {
        const double *x = feat_col(m, j);
        for (size_t i = 0; i < n; i++) {
            size_t r = rows[i];
            int s = _special_index(o, x[r]);
            int t = y[i] == 1;
            if (s >= 0) sp_n[s]++, sp_e[s] += t;
            else hc[col[r]]++, he[col[r]] += t;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            uint8_t c = col[rows[i]];
            hc[c]++;
            he[c] += y[i] == 1;
        }
    }
    return _fit_cells(m, j, hc, he, nv, d->upper[j], sp_n, sp_e, o, out, err);
}

cs_status bn_fit_matrix(const feat_matrix *m, const ds_dataset *d, const size_t *rows,
                        size_t n, const uint8_t *categorical, const bn_opts *o, int n_threads,
                        bn_feature ***out, cs_err *err)
{
    const char *msg = bn_opts_check(o);
    if (msg) return cs_err_set(err, CS_EINVAL, "binning: %s", msg);
    if (!n) return cs_err_set(err, CS_EINVAL, "binning: no rows");
    if (d && (d->n_rows != m->n_rows || d->n_feats != m->n_feats))
        return cs_err_set(err, CS_EINVAL, "binning: the binned dataset is not of this matrix");
    double *y = cs_malloc(n * sizeof *y, err);
    bn_feature **fs = cs_calloc(m->n_feats ? m->n_feats : 1, sizeof *fs, err);
    if (!y || !fs) { free(y); free(fs); return CS_ENOMEM; }
    for (size_t i = 0; i < n; i++) {
        if (rows[i] >= m->n_rows) {
            free(y); free(fs);
            return cs_err_set(err, CS_EINVAL, "binning: row %zu out of range", rows[i]);
        }
        y[i] = m->target[rows[i]];
        if (y[i] != 0 && y[i] != 1) {
            double t = y[i];
            free(y); free(fs);
            return cs_err_set(err, CS_EINVAL, "binning: target of row %zu (id %lld) is %g, not 0 or 1",
                              rows[i], (long long)m->ids[rows[i]], t);
        }
    }
    cs_status st = CS_OK;
    cs_err first = {0};
    int nt = n_threads > 0 ? n_threads : omp_get_max_threads();
    #pragma omp parallel num_threads(nt)
    {
        xy *v = NULL;
        cs_err e = {0};
        #pragma omp for schedule(dynamic, 4)
        for (size_t j = 0; j < m->n_feats; j++) {
            cs_status s;
            if (st) continue;
            if (d && !(categorical && categorical[j])) {
                s = _fit_ds(m, d, j, rows, n, y, o, &fs[j], &e);
            } else {
                if (!v && !(v = malloc(n * sizeof *v))) s = cs_err_set(&e, CS_ENOMEM, "binning: out of memory");
                else {
                    const double *x = feat_col(m, j);
                    for (size_t i = 0; i < n; i++) v[i].x = x[rows[i]], v[i].y = y[i] == 1;
                    s = _fit_pairs(v, n, categorical && categorical[j], o, m->names ? m->names[j] : "",
                                   &fs[j], &e);
                }
            }
            if (s) {
                #pragma omp critical(bn_fit_err)
                if (!st) { st = s; first = e; }
            }
        }
        free(v);
    }
    free(y);
    if (st) {
        bn_features_free(fs, m->n_feats);
        if (err) *err = first;
        return st;
    }
    *out = fs;
    return CS_OK;
}

/* ---- binning by a scan of each column (bn_fit_columns) ---------------------------------- */

/* a column's cells, its NaN cell last: non-events at [0, stride), events at [stride, 2 stride) */
#define _SC_STRIDE (DS_MAX_BIN + 1)

/* Numeric feature j by a scan of its column: the cells a binned dataset ds_create(m, max_bin,
 * sample_rows) would cut it into (ds_edges), every row r[0..n) counted into them with its
 * target (r[i].base: 0 or _SC_STRIDE), specials taken out, the cells grouped into pre-bins
 * as _fit_ds groups them: the same pre-bins as bn_fit_matrix from that dataset. buf holds
 * 2 * min(m->n_rows, sample_rows or m->n_rows) doubles, counts CB_LANES * 2 * _SC_STRIDE. */
static cs_status _fit_scan(const feat_matrix *m, size_t j, const cb_row *r, size_t n, int max_bin,
                           size_t sample_rows, const bn_opts *o, double *buf, uint32_t *counts,
                           bn_feature **out, cs_err *err)
{
    const double *col = feat_col(m, j);
    double upper[DS_MAX_BIN + 1];
    size_t nv = (size_t)ds_edges(col, m->n_rows, max_bin, sample_rows, buf, upper);
    /* cell c holds upper[c-1] < x <= upper[c]: the number of finite edges below x */
    cb_count(col, r, n, upper, nv - 1, (uint32_t)nv, counts, 2 * _SC_STRIDE);
    int64_t hc[_SC_STRIDE], he[_SC_STRIDE];
    for (size_t c = 0; c <= nv; c++) {
        he[c] = counts[_SC_STRIDE + c];
        hc[c] = counts[c] + he[c];
    }
    int64_t sp_n[BN_MAX_SPECIAL] = {0}, sp_e[BN_MAX_SPECIAL] = {0};
    for (size_t i = 0; o->n_special && i < n; i++) {
        double x = col[r[i].row];
        int s = _special_index(o, x);
        if (s < 0) continue;
        int t = r[i].base != 0;
        size_t c = cb_bin_of(x, upper, nv - 1, nv);
        sp_n[s]++, sp_e[s] += t;
        hc[c]--, he[c] -= t;
    }
    return _fit_cells(m, j, hc, he, nv, upper, sp_n, sp_e, o, out, err);
}

cs_status bn_fit_columns(const feat_matrix *m, const char *path, const size_t *rows, size_t n,
                         const uint8_t *categorical, const bn_opts *o, int max_bin, size_t sample_rows,
                         int n_threads, bn_feature ***out, cs_err *err)
{
    const char *msg = bn_opts_check(o);
    if (msg) return cs_err_set(err, CS_EINVAL, "binning: %s", msg);
    if (max_bin < 2 || max_bin > DS_MAX_BIN)
        return cs_err_set(err, CS_EINVAL, "binning: max_bin %d out of range [2, %d]", max_bin, DS_MAX_BIN);
    if (!n) return cs_err_set(err, CS_EINVAL, "binning: no rows");
    if (m->n_rows > UINT32_MAX)
        return cs_err_set(err, CS_EUNSUPPORTED, "binning: %zu rows, more than a scan counts", m->n_rows);
    cb_row *r = cs_malloc(n * sizeof *r, err);
    bn_feature **fs = cs_calloc(m->n_feats ? m->n_feats : 1, sizeof *fs, err);
    if (!r || !fs) { free(r); free(fs); return CS_ENOMEM; }
    for (size_t i = 0; i < n; i++) {
        double t = rows[i] < m->n_rows ? m->target[rows[i]] : 0;
        if (rows[i] >= m->n_rows || (t != 0 && t != 1)) {
            free(r); free(fs);
            if (rows[i] >= m->n_rows) return cs_err_set(err, CS_EINVAL, "binning: row %zu out of range", rows[i]);
            return cs_err_set(err, CS_EINVAL, "binning: target of row %zu (id %lld) is %g, not 0 or 1",
                              rows[i], (long long)m->ids[rows[i]], t);
        }
        r[i] = (cb_row){(uint32_t)rows[i], t == 1 ? (uint32_t)_SC_STRIDE : 0};
    }
    size_t ns = sample_rows == 0 || sample_rows >= m->n_rows ? m->n_rows : sample_rows;
    cs_status st = CS_OK;
    cs_err first = {0}, corrupt = {0};
    long bad = -1;
    int nt = n_threads > 0 ? n_threads : omp_get_max_threads();
    #pragma omp parallel num_threads(nt)
    {
        double *buf = malloc(2 * (ns ? ns : 1) * sizeof *buf);
        uint32_t *counts = malloc(CB_LANES * 2 * _SC_STRIDE * sizeof *counts);
        xy *v = NULL;
        cs_err e = {0};
        #pragma omp for schedule(dynamic, 4)
        for (size_t j = 0; j < m->n_feats; j++) {
            cs_status s;
            if (st) continue;
            if ((s = feat_file_check_col(m, j, path, &e))) {
                /* the first bad column in file order is the one reported */
                #pragma omp critical(bn_fit_err)
                if (bad < 0 || (long)j < bad) { bad = (long)j; corrupt = e; }
                continue;
            }
            if (!(categorical && categorical[j])) {
                s = buf && counts ? _fit_scan(m, j, r, n, max_bin, sample_rows, o, buf, counts, &fs[j], &e)
                                  : cs_err_set(&e, CS_ENOMEM, "binning: out of memory");
            } else if (!v && !(v = malloc(n * sizeof *v))) {
                s = cs_err_set(&e, CS_ENOMEM, "binning: out of memory");
            } else {
                const double *x = feat_col(m, j);
                for (size_t i = 0; i < n; i++) v[i].x = x[r[i].row], v[i].y = r[i].base != 0;
                s = _fit_pairs(v, n, 1, o, m->names ? m->names[j] : "", &fs[j], &e);
            }
            if (s) {
                #pragma omp critical(bn_fit_err)
                if (!st) { st = s; first = e; }
            }
        }
        free(v);
        free(buf);
        free(counts);
    }
    free(r);
    if (bad >= 0) {
        st = corrupt.code;
        first = corrupt;
    }
    if (st) {
        bn_features_free(fs, m->n_feats);
        if (err) *err = first;
        return st;
    }
    *out = fs;
    return CS_OK;
}
