/*
 * test_learn_binning.c: unit tests of the optimal WoE binning (src/learn/binning.h):
 * optimality (every admissible merge of up to 12 pre-bins enumerated, on generated
 * pre-bins and on the pre-bins of real Home Credit columns: none has a higher IV than the
 * dynamic programme's), each constraint honoured (bin share, events, non-events, number of
 * bins, the trends), missing and special bins, categorical grouping with pooling, the
 * lookup of a value's bin against the training counts, the binned-dataset path against the
 * raw-value path, the JSON round trip and the tables, bad options and targets.
 * WoE/IV against pandas is tests/oracle/test_binning.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/cs.h"
#include "io/hc_schema.h"
#include "io/tbl.h"
#include "learn/binning.h"
#include "learn/dataset.h"
#include "testutil.h"

/* ---- the enumeration ------------------------------------------------------------------ */

/* 1 when the bins given by cut (1 = a bin ends after pre-bin i) satisfy o and trend t */
static int _admissible(const int64_t *cnt, const int64_t *ev, size_t P, int64_t tc,
                       const bn_opts *o, bn_trend t, const uint8_t *cut)
{
    int64_t bn[64], be[64];
    size_t nb = 0;
    int64_t n = 0, e = 0;
    for (size_t i = 0; i < P; i++) {
        n += cnt[i], e += ev[i];
        if (cut[i]) { bn[nb] = n, be[nb] = e, nb++, n = e = 0; }
    }
    double min_count = o->min_bin_size * (double)tc;
    for (size_t b = 0; b < nb; b++) {
        if (bn[b] <= 0 || (double)bn[b] < min_count - 1e-9) return 0;
        if (be[b] < o->min_n_event || bn[b] - be[b] < o->min_n_nonevent) return 0;
    }
    if (o->max_n_bins > 0 && nb > (size_t)o->max_n_bins) return 0;
    /* the sequence of strict rises (+1) and falls (-1); an equal rate is neither */
    int phase = 0;
    for (size_t b = 1; b < nb; b++) {
        double r0 = (double)be[b - 1] / (double)bn[b - 1], r1 = (double)be[b] / (double)bn[b];
        int s = (long double)be[b - 1] * bn[b] < (long double)be[b] * bn[b - 1] ? 1
              : (long double)be[b - 1] * bn[b] > (long double)be[b] * bn[b - 1] ? -1 : 0;
        (void)r0, (void)r1;
        switch (t) {
        case BN_TREND_ASCENDING: if (s != 1) return 0; break;
        case BN_TREND_DESCENDING: if (s != -1) return 0; break;
        case BN_TREND_PEAK:
            if (s == 0) return 0;
            if (phase == 0 && s == -1) phase = 1;
            else if (phase == 1 && s == 1) return 0;
            break;
        case BN_TREND_VALLEY:
            if (s == 0) return 0;
            if (phase == 0 && s == 1) phase = 1;
            else if (phase == 1 && s == -1) return 0;
            break;
        default: break;
        }
    }
    return 1;
}

static double _iv_of(const int64_t *cnt, const int64_t *ev, size_t P, int64_t tc, int64_t te,
                     const uint8_t *cut)
{
    double iv = 0;
    int64_t n = 0, e = 0;
    for (size_t i = 0; i < P; i++) {
        n += cnt[i], e += ev[i];
        if (cut[i]) { iv += bn_iv_term(n, e, tc, te); n = e = 0; }
    }
    return iv;
}

/* Every merge of the P pre-bins: the best admissible IV (-1: none); counts the merges seen */
static double _enumerate(const int64_t *cnt, const int64_t *ev, size_t P, int64_t tc, int64_t te,
                         const bn_opts *o, bn_trend t)
{
    double best = -1;
    uint8_t cut[64];
    for (uint32_t mask = 0; mask < (1u << (P - 1)); mask++) {
        for (size_t i = 0; i + 1 < P; i++) cut[i] = (mask >> i) & 1;
        cut[P - 1] = 1;
        if (!_admissible(cnt, ev, P, tc, o, t, cut)) continue;
        double v = _iv_of(cnt, ev, P, tc, te, cut);
        if (v > best) best = v;
    }
    return best;
}

/* The DP against the enumeration on one set of pre-bins, for every trend and a few
 * constraint settings; returns the number of (settings, trend) cases checked. */
static int _check_prebins(const int64_t *cnt, const int64_t *ev, size_t P, int64_t extra_n,
                          int64_t extra_e, const char *what)
{
    int64_t tc = extra_n, te = extra_e;
    for (size_t i = 0; i < P; i++) tc += cnt[i], te += ev[i];
    static const bn_trend trends[] = {BN_TREND_ASCENDING, BN_TREND_DESCENDING, BN_TREND_PEAK,
                                      BN_TREND_VALLEY, BN_TREND_NONE};
    const struct { double size; int64_t mev, mnev; int maxb; } settings[] = {
        {0.05, 1, 1, 0}, {0.0, 0, 0, 0}, {0.10, 5, 5, 0}, {0.05, 1, 1, 3}, {0.02, 2, 10, 5}, {0.20, 1, 1, 0}};
    int cases = 0;
    for (size_t s = 0; s < sizeof settings / sizeof settings[0]; s++)
        for (size_t k = 0; k < sizeof trends / sizeof trends[0]; k++) {
            bn_opts o = BN_OPTS_DEFAULT;
            o.min_bin_size = settings[s].size;
            o.min_n_event = settings[s].mev;
            o.min_n_nonevent = settings[s].mnev;
            o.max_n_bins = settings[s].maxb;
            uint8_t cut[BN_MAX_PREBINS];
            double dp = bn_solve(cnt, ev, P, tc, te, &o, trends[k], cut);
            double en = _enumerate(cnt, ev, P, tc, te, &o, trends[k]);
            if (en < 0) {
                if (dp >= 0) print_error("%s P=%zu setting %zu %s: DP found %.17g, no merge is admissible\n",
                                         what, P, s, bn_trend_name(trends[k]), dp);
                assert_true(dp < 0);
            } else {
                if (!(fabs(dp - en) <= 1e-12 * fabs(en) + 1e-15))
                    print_error("%s P=%zu setting %zu %s: DP %.17g, enumeration %.17g\n", what, P, s,
                                bn_trend_name(trends[k]), dp, en);
                assert_true(fabs(dp - en) <= 1e-12 * fabs(en) + 1e-15);
                /* the DP's own merge is admissible and has the IV it reports */
                assert_true(_admissible(cnt, ev, P, tc, &o, trends[k], cut));
                assert_true(fabs(_iv_of(cnt, ev, P, tc, te, cut) - dp) <= 1e-12 * dp + 1e-15);
            }
            cases++;
        }
    return cases;
}

static void test_optimal_generated(void **state)
{
    (void)state;
    cs_rng r;
    cs_rng_seed(&r, 16);
    int cases = 0;
    for (int rep = 0; rep < 120; rep++) {
        size_t P = 2 + (size_t)cs_rng_below(&r, 11);         /* 2..12 */
        int64_t cnt[12], ev[12];
        int shape = rep % 4;            /* rising, falling, peaked, noise */
        for (size_t i = 0; i < P; i++) {
            cnt[i] = 20 + (int64_t)cs_rng_below(&r, rep % 3 ? 400 : 40);
            double p = 0.02 + 0.3 * cs_rng_uniform(&r);
            double x = (double)i / (double)P;
            if (shape == 0) p = 0.03 + 0.2 * x + 0.05 * cs_rng_uniform(&r);
            if (shape == 1) p = 0.25 - 0.2 * x + 0.05 * cs_rng_uniform(&r);
            if (shape == 2) p = 0.05 + 0.25 * (1 - fabs(2 * x - 1)) + 0.05 * cs_rng_uniform(&r);
            ev[i] = 0;
            for (int64_t k = 0; k < cnt[i]; k++) ev[i] += cs_rng_uniform(&r) < p;
        }
        cases += _check_prebins(cnt, ev, P, rep % 5 ? 0 : 37, rep % 5 ? 0 : 9, "generated");
    }
    assert_int_equal(cases, 120 * 30);
}

static const char *_dir(void)
{
    const char *d = getenv("CS_SAMPLE_DIR");
    return d && *d ? d : "../shared/data/homecredit-sample";
}

static void test_optimal_real_columns(void **state)
{
    (void)state;
    char path[1024];
    struct stat sb;
    snprintf(path, sizeof path, "%s/application_train.csv", _dir());
    if (stat(path, &sb) != 0) {
        printf("skip - the Home Credit sample is absent (%s)\n", _dir());
        skip();
    }
    cs_err err = {0};
    tbl *t = tbl_read_csv(path, hc_schema(HC_APPLICATION_TRAIN), &err);
    if (!t) print_error("%s\n", err.msg);
    assert_non_null(t);
    const tbl_column *target = tbl_col(t, "TARGET");
    assert_non_null(target);
    static const char *const cols[] = {"EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "AMT_CREDIT",
                                       "AMT_INCOME_TOTAL", "DAYS_BIRTH", "DAYS_EMPLOYED", "AMT_ANNUITY",
                                       "REGION_POPULATION_RELATIVE", "DAYS_ID_PUBLISH"};
    int cases = 0;
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        const tbl_column *col = tbl_col(t, cols[c]);
        assert_non_null(col);
        assert_non_null(col->num);
        for (int P = 6; P <= 12; P += 3) {
            bn_opts o = BN_OPTS_DEFAULT;
            o.max_n_prebins = P;
            if (!strcmp(cols[c], "DAYS_EMPLOYED")) o.special[o.n_special++] = 365243;
            int64_t cnt[BN_MAX_PREBINS], ev[BN_MAX_PREBINS];
            double upper[BN_MAX_PREBINS];
            size_t np = bn_prebin_values(col->num, target->num, t->n_rows, &o, cnt, ev, upper);
            assert_true(np >= 2 && np <= (size_t)P);
            int64_t in = 0, ie = 0;
            for (size_t i = 0; i < np; i++) in += cnt[i], ie += ev[i];
            int64_t all_e = 0;
            for (size_t i = 0; i < t->n_rows; i++) all_e += target->num[i] == 1;
            cases += _check_prebins(cnt, ev, np, (int64_t)t->n_rows - in, all_e - ie, cols[c]);

            /* and the whole binning of the column reaches the enumeration's IV */
            bn_feature *f;
            assert_int_equal(bn_fit_values(col->num, target->num, t->n_rows, 0, &o, cols[c], &f, &err), CS_OK);
            double best = -1;
            for (int k = BN_TREND_ASCENDING; k <= BN_TREND_VALLEY; k++) {
                double v = _enumerate(cnt, ev, np, (int64_t)t->n_rows, all_e, &o, (bn_trend)k);
                if (v > best) best = v;
            }
            double vals = 0;
            for (size_t b = 0; b < f->n_value_bins; b++) vals += f->bins[b].iv;
            assert_true(fabs(vals - best) <= 1e-12 * best);
            bn_feature_free(f);
        }
    }
    assert_int_equal(cases, 10 * 3 * 30);
    tbl_free(t);
}

/* ---- constraints on whole features ------------------------------------------------------ */

/* n rows: x ~ U(0,100), P(y=1) rising with x (shape 0), falling (1), peaked (2); 4% NaN,
 * 3% the special value -1. */
static void _gen(size_t n, int shape, uint64_t seed, double *x, double *y)
{
    cs_rng r;
    cs_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        double u = cs_rng_uniform(&r);
        double v = floor(cs_rng_uniform(&r) * 1000) / 10;
        double p = shape == 0 ? 0.02 + 0.002 * v : shape == 1 ? 0.25 - 0.002 * v
                 : 0.03 + 0.25 * (1 - fabs(v - 50) / 50);
        x[i] = u < 0.04 ? NAN : u < 0.07 ? -1 : v;
        if (x[i] != x[i]) p = 0.3;
        if (x[i] == -1) p = 0.01;
        y[i] = cs_rng_uniform(&r) < p;
    }
}

/* the counts of every bin recomputed through bn_bin_of equal the stored ones */
static void _check_lookup(const bn_feature *f, const double *x, const double *y, size_t n)
{
    int64_t *c = calloc(f->n_bins, sizeof *c), *e = calloc(f->n_bins, sizeof *e);
    for (size_t i = 0; i < n; i++) {
        size_t b = bn_bin_of(f, x[i]);
        assert_true(b < f->n_bins);
        c[b]++;
        e[b] += y[i] == 1;
    }
    for (size_t b = 0; b < f->n_bins; b++) {
        assert_int_equal(c[b], f->bins[b].count);
        assert_int_equal(e[b], f->bins[b].events);
    }
    free(c);
    free(e);
}

static void _check_constraints(const bn_feature *f, const bn_opts *o)
{
    double ivsum = 0;
    for (size_t b = 0; b < f->n_bins; b++) ivsum += f->bins[b].iv;
    assert_true(fabs(ivsum - f->iv) < 1e-12);
    if (f->n_value_bins < 2) return;
    for (size_t b = 0; b < f->n_value_bins; b++) {
        const bn_bin *bn = &f->bins[b];
        assert_true((double)bn->count >= o->min_bin_size * (double)f->count - 1e-9);
        assert_true(bn->events >= o->min_n_event);
        assert_true(bn->count - bn->events >= o->min_n_nonevent);
    }
    if (o->max_n_bins) assert_true(f->n_value_bins <= (size_t)o->max_n_bins);
    int phase = 0;
    for (size_t b = 1; b < f->n_value_bins; b++) {
        double r0 = (double)f->bins[b - 1].events / (double)f->bins[b - 1].count;
        double r1 = (double)f->bins[b].events / (double)f->bins[b].count;
        switch (f->trend) {
        case BN_TREND_ASCENDING: assert_true(r1 > r0); break;
        case BN_TREND_DESCENDING: assert_true(r1 < r0); break;
        case BN_TREND_PEAK: if (r1 < r0) phase = 1; else assert_true(phase == 0 && r1 > r0); break;
        case BN_TREND_VALLEY: if (r1 > r0) phase = 1; else assert_true(phase == 0 && r1 < r0); break;
        default: break;
        }
    }
}

static void test_constraints(void **state)
{
    (void)state;
    size_t n = 20000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    cs_err err = {0};
    for (int shape = 0; shape < 3; shape++) {
        _gen(n, shape, 100 + (uint64_t)shape, x, y);
        for (int t = BN_TREND_AUTO; t <= BN_TREND_VALLEY; t++)
            for (int mb = 0; mb <= 4; mb += 4) {
                bn_opts o = BN_OPTS_DEFAULT;
                o.trend = (bn_trend)t;
                o.max_n_bins = mb;
                o.min_bin_size = mb ? 0.1 : 0.05;
                o.special[o.n_special++] = -1;
                bn_feature *f;
                assert_int_equal(bn_fit_values(x, y, n, 0, &o, "X", &f, &err), CS_OK);
                /* a trend against the data's shape may leave a single bin */
                if (t == BN_TREND_AUTO) assert_true(f->n_value_bins >= 3);
                _check_constraints(f, &o);
                _check_lookup(f, x, y, n);
                /* missing and special bins after the value bins */
                assert_int_equal(f->n_bins, f->n_value_bins + 2);
                assert_int_equal(f->bins[f->n_value_bins].kind, BN_BIN_MISSING);
                assert_int_equal(f->bins[f->n_value_bins + 1].kind, BN_BIN_SPECIAL);
                assert_true(f->bins[f->n_value_bins + 1].lo == -1);
                assert_true(isinf(f->bins[0].lo) && isinf(f->bins[f->n_value_bins - 1].hi));
                if (t == BN_TREND_AUTO && shape == 0) assert_int_equal(f->trend, BN_TREND_ASCENDING);
                if (t == BN_TREND_AUTO && shape == 1) assert_int_equal(f->trend, BN_TREND_DESCENDING);
                if (t == BN_TREND_AUTO && shape == 2) assert_int_equal(f->trend, BN_TREND_PEAK);
                bn_feature_free(f);
            }
    }
    /* a constraint nothing meets: one value bin, IV of the value part 0 */
    bn_opts o = BN_OPTS_DEFAULT;
    o.min_n_event = 100000;
    bn_feature *f;
    _gen(n, 0, 7, x, y);
    assert_int_equal(bn_fit_values(x, y, n, 0, &o, "X", &f, &err), CS_OK);
    assert_int_equal(f->n_value_bins, 1);
    assert_true(fabs(f->bins[0].iv - 0) < 1e-9 || f->bins[0].count > 0);
    _check_lookup(f, x, y, n);
    bn_feature_free(f);
    free(x);
    free(y);
}

static void test_categorical(void **state)
{
    (void)state;
    size_t n = 10000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    cs_rng r;
    cs_rng_seed(&r, 5);
    for (size_t i = 0; i < n; i++) {
        /* codes 0..9 common with rate rising by code % 5; codes 10..29 rare (0.2 % each) */
        double u = cs_rng_uniform(&r);
        int c = u < 0.96 ? (int)cs_rng_below(&r, 10) : 10 + (int)cs_rng_below(&r, 20);
        x[i] = i % 50 == 0 ? NAN : c;
        double p = c < 10 ? 0.03 + 0.04 * (c % 5) : 0.4;
        y[i] = cs_rng_uniform(&r) < p;
    }
    bn_opts o = BN_OPTS_DEFAULT;
    bn_feature *f;
    cs_err err = {0};
    assert_int_equal(bn_fit_values(x, y, n, 1, &o, "CAT", &f, &err), CS_OK);
    assert_true(f->categorical);
    _check_constraints(f, &o);
    _check_lookup(f, x, y, n);
    int pooled = 0;
    size_t ncats = 0;
    for (size_t b = 0; b < f->n_value_bins; b++) {
        assert_int_equal(f->bins[b].kind, BN_BIN_CATS);
        pooled += f->bins[b].pooled;
        ncats += f->bins[b].n_cats;
        if (b) assert_true((double)f->bins[b].events / f->bins[b].count >
                           (double)f->bins[b - 1].events / f->bins[b - 1].count);
    }
    assert_int_equal(pooled, 1);
    assert_int_equal(ncats, 30);
    /* an unseen category goes to the pooled group */
    assert_true(f->bins[bn_bin_of(f, 777)].pooled);
    char label[256];
    bn_bin_label(f, f->fallback, label, sizeof label);
    assert_non_null(strstr(label, "others"));
    /* a non-integer code is refused */
    x[3] = 2.5;
    bn_feature *g = NULL;
    assert_int_equal(bn_fit_values(x, y, n, 1, &o, "CAT", &g, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "2.5"));
    bn_feature_free(f);
    free(x);
    free(y);
}

/* the dataset path gives a valid binning whose counts bn_bin_of reproduces on raw values */
static void test_dataset_path(void **state)
{
    (void)state;
    size_t n = 30000, d = 4;
    feat_matrix *m = feat_matrix_create(n, d, NULL);
    double *y = m->target;
    for (size_t j = 0; j < d; j++) {
        char name[16];
        snprintf(name, sizeof name, "F%zu", j);
        m->names[j] = strdup(name);
        _gen(n, (int)(j % 3), 40 + j, m->values + j * n, y);
    }
    for (size_t i = 0; i < n; i++) m->ids[i] = (int64_t)i;
    cs_err err = {0};
    ds_dataset *ds = ds_create(m, 255, 0, &err);
    assert_non_null(ds);
    size_t nr = n / 2, *rows = malloc(nr * sizeof *rows);
    for (size_t i = 0; i < nr; i++) rows[i] = 2 * i + 1;
    bn_opts o = BN_OPTS_DEFAULT;
    bn_feature **fs = NULL, **gs = NULL;
    assert_int_equal(bn_fit_matrix(m, ds, rows, nr, NULL, &o, 2, &fs, &err), CS_OK);
    assert_int_equal(bn_fit_matrix(m, NULL, rows, nr, NULL, &o, 2, &gs, &err), CS_OK);
    double *xs = malloc(nr * sizeof *xs), *ys = malloc(nr * sizeof *ys);
    for (size_t j = 0; j < d; j++) {
        for (size_t i = 0; i < nr; i++) xs[i] = m->values[j * n + rows[i]], ys[i] = y[rows[i]];
        _check_constraints(fs[j], &o);
        _check_lookup(fs[j], xs, ys, nr);
        _check_lookup(gs[j], xs, ys, nr);
        assert_string_equal(fs[j]->name, m->names[j]);
        /* the two pre-binnings differ only in their cut points: IVs close */
        assert_true(fabs(fs[j]->iv - gs[j]->iv) < 0.05 * gs[j]->iv + 1e-3);
    }
    /* a target that is not 0/1 is refused naming the row */
    m->target[rows[5]] = NAN;
    bn_feature **hs = NULL;
    assert_int_equal(bn_fit_matrix(m, ds, rows, nr, NULL, &o, 2, &hs, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "target"));
    bn_features_free(fs, d);
    bn_features_free(gs, d);
    free(xs);
    free(ys);
    free(rows);
    ds_free(ds);
    feat_matrix_free(m);
}

/* the tables of fs[0..d) as JSON, for a byte-for-byte comparison */
static char *_tables(bn_feature **fs, size_t d)
{
    cs_buf b = {0};
    cs_err err = {0};
    for (size_t j = 0; j < d; j++) assert_int_equal(bn_table_write(fs[j], BN_FMT_JSON, 0, &b, &err), CS_OK);
    cs_buf_puts(&b, "", &err);
    char *s = strdup(b.data ? b.data : "");
    cs_buf_free(&b);
    return s;
}

/* the scan of each column (bn_fit_columns) gives exactly bn_fit_matrix's features from
 * ds_create(m, max_bin, sample): every table byte for byte, on columns of every kind (many
 * distinct values, few, flags with -0, ties with infinities, constant, all NaN, specials,
 * categorical), all rows and a subset, several dataset shapes; a lazily opened file's corrupt
 * column fails naming the file and the column */
static void test_columns_path(void **state)
{
    (void)state;
    size_t n = 20000, d = 9;
    feat_matrix *m = feat_matrix_create(n, d, NULL);
    assert_non_null(m);
    double *y = m->target;
    _gen(n, 0, 71, m->values, y);
    cs_rng r;
    cs_rng_seed(&r, 72);
    for (size_t i = 0; i < n; i++) {
        double u = cs_rng_uniform(&r), t = y[i];
        m->ids[i] = (int64_t)i;
        m->values[1 * n + i] = u * 1e6 + 3e5 * t;                                /* all distinct */
        m->values[2 * n + i] = u < 0.3 + 0.3 * t ? 1.0 : (i % 5 ? 0.0 : -0.0);     /* a flag, some -0 */
        m->values[3 * n + i] = floor(u * 12) + (t && u < 0.5 ? 1 : 0);          /* small counts */
        m->values[4 * n + i] = 5;                                               /* constant */
        m->values[5 * n + i] = NAN;                                             /* all missing */
        m->values[6 * n + i] = u < 0.7 ? 0 : u < 0.71 ? -INFINITY : u > 0.995 ? INFINITY : u * 100 + 10 * t;
        m->values[7 * n + i] = (double)cs_rng_below(&r, 40) + (t ? 1 : 0);     /* category codes */
        m->values[8 * n + i] = floor(u * 300) + (t ? 20 : 0);                   /* ~320 distinct */
    }
    for (size_t j = 0; j < d; j++) {
        char name[16];
        snprintf(name, sizeof name, "C%zu", j);
        m->names[j] = strdup(name);
    }
    size_t nsub = 0, *all = malloc(n * sizeof *all), *sub = malloc(n * sizeof *sub);
    for (size_t i = 0; i < n; i++) {
        all[i] = i;
        if (i % 3) sub[nsub++] = i;
    }
    uint8_t cat[9] = {0, 0, 0, 0, 0, 0, 0, 1, 0};
    bn_opts os[2] = {BN_OPTS_DEFAULT, BN_OPTS_DEFAULT};
    os[1].special[os[1].n_special++] = -1;
    os[1].special[os[1].n_special++] = 0;
    os[1].max_n_prebins = 12;
    struct { int mb; size_t sample; } shapes[] = {{255, 0}, {255, 1000}, {63, 5000}, {2, 0}};
    cs_err err = {0};
    int compared = 0;
    for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++) {
        ds_dataset *ds = ds_create(m, shapes[k].mb, shapes[k].sample, &err);
        assert_non_null(ds);
        for (int sr = 0; sr < 2; sr++)
            for (int q = 0; q < 2; q++) {
                const size_t *rows = sr ? sub : all;
                size_t nr = sr ? nsub : n;
                bn_feature **fs = NULL, **gs = NULL;
                assert_int_equal(bn_fit_matrix(m, ds, rows, nr, cat, &os[q], 2, &fs, &err), CS_OK);
                assert_int_equal(bn_fit_columns(m, NULL, rows, nr, cat, &os[q], shapes[k].mb, shapes[k].sample,
                                                2, &gs, &err), CS_OK);
                char *a = _tables(fs, d), *b = _tables(gs, d);
                assert_string_equal(a, b);
                compared++;
                free(a);
                free(b);
                bn_features_free(fs, d);
                bn_features_free(gs, d);
            }
        ds_free(ds);
    }
    assert_int_equal(compared, 16);
    /* bad arguments */
    bn_feature **hs = NULL;
    assert_int_equal(bn_fit_columns(m, NULL, all, n, NULL, &os[0], 256, 0, 1, &hs, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "max_bin"));
    m->target[sub[4]] = 2;
    assert_int_equal(bn_fit_columns(m, NULL, sub, nsub, NULL, &os[0], 255, 0, 1, &hs, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "target"));
    m->target[sub[4]] = 0;
    /* a corrupt column of a lazily opened file: CS_ECORRUPT naming the file and the column */
    char dir[64], path[96];
    assert_int_equal(tu_mkdtemp(dir, sizeof dir, "/tmp/cs_binning_XXXXXX"), 0);
    snprintf(path, sizeof path, "%s/m.csf", dir);
    m->values[6 * n + 17] = 12345.678901;           /* a value found once in the file */
    assert_int_equal(feat_file_write(m, path, &err), CS_OK);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    unsigned char *bytes = malloc((size_t)len);
    fseek(f, 0, SEEK_SET);
    assert_int_equal(fread(bytes, 1, (size_t)len, f), (size_t)len);
    double want = 12345.678901;
    long at = -1;
    for (long i = 0; i + 8 <= len && at < 0; i++)
        if (!memcmp(bytes + i, &want, 8)) at = i;
    assert_true(at >= 0);
    double other = 54321.0;
    fseek(f, at, SEEK_SET);
    fwrite(&other, 8, 1, f);
    fclose(f);
    free(bytes);
    feat_matrix *lz = feat_file_open(path, FEAT_OPEN_LAZY, &err);
    assert_non_null(lz);
    assert_int_equal(bn_fit_columns(lz, path, all, n, NULL, &os[0], 255, 0, 2, &hs, &err), CS_ECORRUPT);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "C6"));
    assert_null(hs);
    feat_matrix_free(lz);
    tu_rmrf(dir);
    free(all);
    free(sub);
    feat_matrix_free(m);
}

static void test_json_round_trip_and_tables(void **state)
{
    (void)state;
    size_t n = 5000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    _gen(n, 2, 9, x, y);
    bn_opts o = BN_OPTS_DEFAULT;
    o.special[o.n_special++] = -1;
    bn_feature *f, *g;
    cs_err err = {0};
    assert_int_equal(bn_fit_values(x, y, n, 0, &o, "X, \"q\"", &f, &err), CS_OK);
    cs_buf b = {0};
    assert_int_equal(bn_table_write(f, BN_FMT_JSON, 0, &b, &err), CS_OK);
    g = bn_feature_from_json(b.data, b.len, &err);
    if (!g) print_error("%s\n", err.msg);
    assert_non_null(g);
    assert_int_equal(g->n_bins, f->n_bins);
    assert_int_equal(g->n_value_bins, f->n_value_bins);
    assert_int_equal(g->fallback, f->fallback);
    assert_int_equal(g->trend, f->trend);
    assert_string_equal(g->name, f->name);
    for (size_t k = 0; k < f->n_bins; k++) {
        assert_int_equal(g->bins[k].kind, f->bins[k].kind);
        assert_int_equal(g->bins[k].count, f->bins[k].count);
        assert_true(g->bins[k].woe == f->bins[k].woe);
        if (f->bins[k].kind == BN_BIN_RANGE) {
            assert_true(g->bins[k].lo == f->bins[k].lo);
            assert_true(g->bins[k].hi == f->bins[k].hi);
        }
    }
    for (size_t i = 0; i < n; i++) assert_int_equal(bn_bin_of(g, x[i]), bn_bin_of(f, x[i]));
    cs_buf_free(&b);
    /* CSV: a header, one line per bin, a total; the quoted name does not break it */
    assert_int_equal(bn_table_write(f, BN_FMT_CSV, 1, &b, &err), CS_OK);
    size_t lines = 0;
    for (size_t k = 0; k < b.len; k++) lines += b.data[k] == '\n';
    assert_int_equal(lines, f->n_bins + 2);
    assert_non_null(strstr(b.data, "\n\"X, \"\"q\"\"\",Missing,"));
    assert_non_null(strstr(b.data, ",Special -1,"));
    assert_non_null(strstr(b.data, ",Total,5000,1,"));
    cs_buf_free(&b);
    assert_int_equal(bn_table_write(f, BN_FMT_MARKDOWN, 0, &b, &err), CS_OK);
    assert_non_null(strstr(b.data, "| bin | count | share | events | event rate | WoE | IV |"));
    assert_non_null(strstr(b.data, "(-inf, "));
    cs_buf_free(&b);
    /* corrupt JSON is refused with a message */
    const char *bad = "{\"feature\":\"X\",\"trend\":\"ascending\",\"bins\":[{\"kind\":\"range\",\"lo\":null,"
                      "\"hi\":3,\"count\":5,\"events\":9}]}";
    assert_null(bn_feature_from_json(bad, strlen(bad), &err));
    assert_int_equal(err.code, CS_ECORRUPT);
    bn_feature_free(f);
    bn_feature_free(g);
    free(x);
    free(y);
}

static void test_woe_smoothing_and_bad_options(void **state)
{
    (void)state;
    /* an empty class counts 0.5 */
    assert_true(fabs(bn_woe(10, 0, 100, 20) - log((10.0 / 80) / (0.5 / 20))) < 1e-15);
    assert_true(fabs(bn_woe(10, 10, 100, 20) - log((0.5 / 80) / (10.0 / 20))) < 1e-15);
    assert_true(fabs(bn_iv_term(50, 10, 100, 20) - (40.0 / 80 - 10.0 / 20) * log((40.0 / 80) / (10.0 / 20))) < 1e-15);
    bn_opts o = BN_OPTS_DEFAULT;
    assert_null(bn_opts_check(&o));
    o.max_n_prebins = 1;
    assert_string_equal(bn_opts_check(&o), "max_n_prebins must be in 2..100");
    o = BN_OPTS_DEFAULT;
    o.min_bin_size = 0.7;
    assert_non_null(bn_opts_check(&o));
    double x[3] = {1, 2, 3}, y[3] = {0, 1, 2};
    bn_feature *f = NULL;
    cs_err err = {0};
    assert_int_equal(bn_fit_values(x, y, 3, 0, &o, "X", &f, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "min_bin_size"));
    o = BN_OPTS_DEFAULT;
    assert_int_equal(bn_fit_values(x, y, 3, 0, &o, "X", &f, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "row 2"));
    bn_trend t;
    assert_int_equal(bn_trend_from_name("sideways", &t, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "peak"));
    assert_int_equal(bn_trend_from_name("valley", &t, &err), CS_OK);
    assert_int_equal(t, BN_TREND_VALLEY);
    /* options by name, as the scorecard's parameters give them */
    o = BN_OPTS_DEFAULT;
    assert_int_equal(bn_opts_set(&o, "monotonic_trend", "\"peak\"", &err), CS_OK);
    assert_int_equal(o.trend, BN_TREND_PEAK);
    assert_int_equal(bn_opts_set(&o, "special_codes", "[365243, -1]", &err), CS_OK);
    assert_int_equal(o.n_special, 2);
    assert_true(o.special[1] == -1);
    assert_int_equal(bn_opts_set(&o, "max_n_prebins", "12", &err), CS_OK);
    assert_int_equal(o.max_n_prebins, 12);
    assert_int_equal(bn_opts_set(&o, "max_n_prebins", "1000", &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "max_n_prebins must be an integer in 2..100"));
    assert_int_equal(bn_opts_set(&o, "min_bin_size", "0.9", &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "[0, 0.5]"));
    assert_int_equal(bn_opts_set(&o, "monotonic_trend", "\"up\"", &err), CS_EINVAL);
    assert_int_equal(bn_opts_set(&o, "pdo", "20", &err), CS_ENOTFOUND);
    o = BN_OPTS_DEFAULT;
    /* all missing: no value bin, one missing bin */
    double xm[4] = {NAN, NAN, NAN, NAN}, ym[4] = {0, 1, 0, 0};
    assert_int_equal(bn_fit_values(xm, ym, 4, 0, &o, "M", &f, &err), CS_OK);
    assert_int_equal(f->n_value_bins, 0);
    assert_int_equal(f->n_bins, 1);
    assert_int_equal(bn_bin_of(f, 3.0), 0);
    bn_feature_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optimal_generated),
        cmocka_unit_test(test_optimal_real_columns),
        cmocka_unit_test(test_constraints),
        cmocka_unit_test(test_categorical),
        cmocka_unit_test(test_dataset_path),
        cmocka_unit_test(test_columns_path),
        cmocka_unit_test(test_json_round_trip_and_tables),
        cmocka_unit_test(test_woe_smoothing_and_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
