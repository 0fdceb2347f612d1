/*
 * test_learn_scorecard.c: unit tests of the scorecard learner (src/learn/scorecard.h): the
 * points add up to the model's probability through the stored scaling (every row), the
 * points follow each characteristic's trend (monotone constraints end to end), every
 * coefficient is negative, selection by IV and correlation, a categorical characteristic,
 * the model file round trip (points table and predictions), the SQL expression's shape,
 * parameters checked with messages naming them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/cs.h"
#include "features/featfile.h"
#include "learn/learner.h"
#include "learn/scorecard.h"

/* n rows: f0 rising risk, f1 falling risk (NaN 10%, special -1 3%), f2 = f0 + small noise
 * (correlated: left out), f3 noise (IV below iv_min), f4 a category code 0..5 whose risk
 * is not ordered by code. */
static feat_matrix *_make(size_t n, uint64_t seed)
{
    cs_rng r;
    cs_rng_seed(&r, seed);
    feat_matrix *m = feat_matrix_create(n, 5, NULL);
    static const char *const names[] = {"RISE", "FALL", "RISE_COPY", "NOISE", "CAT"};
    for (size_t j = 0; j < 5; j++) m->names[j] = strdup(names[j]);
    static const double cat_risk[6] = {0.3, -0.6, 0.9, 0.0, -0.2, 0.5};
    for (size_t i = 0; i < n; i++) {
        double a = cs_rng_normal(&r), b = cs_rng_normal(&r);
        int c = (int)cs_rng_below(&r, 6);
        double s = -2.2 + 0.9 * a - 0.7 * b + cat_risk[c];
        m->values[0 * n + i] = a;
        double u = cs_rng_uniform(&r);
        m->values[1 * n + i] = u < 0.10 ? NAN : u < 0.13 ? -1 : b;
        if (u < 0.10) s += 0.5;
        m->values[2 * n + i] = a + 0.05 * cs_rng_normal(&r);
        m->values[3 * n + i] = cs_rng_normal(&r);
        m->values[4 * n + i] = c;
        m->ids[i] = (int64_t)(1000 + i);
        m->target[i] = cs_rng_uniform(&r) < 1 / (1 + exp(-s));
    }
    return m;
}

static lrn_model *_fit(const feat_matrix *m, const char *params)
{
    cs_err err = {0};
    lrn_params *p = lrn_params_from_json(LRN_SCORECARD, params, &err);
    if (!p) print_error("%s\n", err.msg);
    assert_non_null(p);
    size_t *rows = malloc(m->n_rows * sizeof *rows);
    for (size_t i = 0; i < m->n_rows; i++) rows[i] = i;
    lrn_model *mod = NULL;
    if (lrn_fit(p, m, rows, m->n_rows, NULL, 0, NULL, &mod, &err)) print_error("%s\n", err.msg);
    assert_non_null(mod);
    free(rows);
    lrn_params_free(p);
    return mod;
}

static const char *PARAMS = "{\"special_codes\": [-1], \"categorical_features\": [\"CAT\"]}";

static void test_points_add_up_to_the_probability(void **state)
{
    (void)state;
    feat_matrix *m = _make(20000, 1);
    lrn_model *mod = _fit(m, PARAMS);
    cs_err err = {0};
    sc_card *c = sc_card_of(mod, &err);
    assert_non_null(c);
    assert_true(fabs(c->factor - 20 / log(2.0)) < 1e-12);
    assert_true(fabs(c->offset - (600 - c->factor * log(50.0))) < 1e-9);
    double x[5];
    for (size_t i = 0; i < m->n_rows; i++) {
        for (size_t j = 0; j < 5; j++) x[j] = m->values[j * m->n_rows + i];
        int32_t pts[8];
        int64_t total = sc_card_points(c, x, pts, NULL);
        int64_t sum = c->base;
        for (size_t j = 0; j < c->n_chars; j++) sum += pts[j];
        assert_int_equal(sum, total);
        double raw = lrn_predict_raw(mod, x);
        /* log-odds = (offset - points) / factor: p = 1 / (1 + odds good:bad) */
        assert_true(fabs(raw - sc_card_log_odds(c, (double)total)) < 1e-9);
        double odds_good = exp(((double)total - c->offset) / c->factor);
        assert_true(fabs(lrn_raw_to_proba(mod, raw) - 1 / (1 + odds_good)) < 1e-12);
    }
    /* 600 points are odds 50:1 and 20 more double them */
    assert_true(fabs(exp(-sc_card_log_odds(c, 600)) - 50) < 1e-9);
    assert_true(fabs(exp(-sc_card_log_odds(c, 620)) - 100) < 1e-9);
    sc_card_free(c);
    lrn_model_free(mod);
    feat_matrix_free(m);
}

static void test_selection_signs_and_trends(void **state)
{
    (void)state;
    feat_matrix *m = _make(20000, 2);
    lrn_model *mod = _fit(m, PARAMS);
    sc_card *c = sc_card_of(mod, NULL);
    assert_non_null(c);
    int seen[5] = {0};
    for (size_t j = 0; j < c->n_chars; j++) {
        const sc_char *ch = &c->chars[j];
        seen[ch->feat] = 1;
        assert_true(ch->coef < 0);
        const bn_feature *f = ch->bins;
        /* points move against the event rate in every value bin, as the trend says */
        for (size_t b = 1; b < f->n_value_bins; b++) {
            double r0 = (double)f->bins[b - 1].events / f->bins[b - 1].count;
            double r1 = (double)f->bins[b].events / f->bins[b].count;
            if (f->trend == BN_TREND_ASCENDING || f->categorical) {
                assert_true(r1 > r0);
                assert_true(ch->points[b] <= ch->points[b - 1]);
            } else {
                assert_int_equal(f->trend, BN_TREND_DESCENDING);
                assert_true(r1 < r0);
                assert_true(ch->points[b] >= ch->points[b - 1]);
            }
        }
        /* across all bins, missing and special included: more risk, fewer points */
        for (size_t a = 0; a < f->n_bins; a++)
            for (size_t b = 0; b < f->n_bins; b++)
                if (f->bins[a].woe < f->bins[b].woe) assert_true(ch->points[a] <= ch->points[b]);
    }
    if (!((seen[0] ^ seen[2]) && seen[1] && seen[4])) {
        cs_buf t = {0};
        sc_card_table(c, 0, &t, NULL);
        print_error("%s\n", t.data);
        cs_buf_free(&t);
    }
    assert_true(seen[1] && seen[4]);                /* FALL, CAT */
    assert_true(seen[0] ^ seen[2]);                 /* RISE or its copy, not both (correlated) */
    assert_false(seen[3]);                          /* NOISE: IV below 0.02 */
    for (size_t j = 0; j < c->n_chars; j++)
        if (c->chars[j].feat == 0 || c->chars[j].feat == 2) assert_int_equal(c->chars[j].bins->trend, BN_TREND_ASCENDING);
        else if (c->chars[j].feat == 1) {
            assert_int_equal(c->chars[j].bins->trend, BN_TREND_DESCENDING);
            assert_int_equal(c->chars[j].bins->bins[c->chars[j].bins->n_value_bins].kind, BN_BIN_MISSING);
        } else if (c->chars[j].feat == 4) assert_true(c->chars[j].bins->categorical);
    sc_card_free(c);
    lrn_model_free(mod);
    feat_matrix_free(m);
}

static void test_model_round_trip(void **state)
{
    (void)state;
    feat_matrix *m = _make(8000, 3);
    lrn_model *mod = _fit(m, "{\"pdo\": 40, \"base_points\": 500, \"base_odds\": 20, \"max_n_bins\": 4}");
    cs_buf b = {0};
    cs_err err = {0};
    assert_int_equal(lrn_model_write(mod, &b, &err), CS_OK);
    lrn_model *back = lrn_model_read(b.data, b.len, &err);
    if (!back) print_error("%s\n", err.msg);
    assert_non_null(back);
    assert_int_equal(back->kind, LRN_SCORECARD);
    assert_string_equal(back->card_json, mod->card_json);
    sc_card *c = sc_card_of(back, &err);
    assert_non_null(c);
    assert_true(c->pdo == 40 && c->base_points == 500 && c->base_odds == 20);
    for (size_t j = 0; j < c->n_chars; j++) assert_true(c->chars[j].bins->n_value_bins <= 4);
    double x[5];
    for (size_t i = 0; i < m->n_rows; i += 7) {
        for (size_t j = 0; j < 5; j++) x[j] = m->values[j * m->n_rows + i];
        assert_true(lrn_predict_raw(back, x) == lrn_predict_raw(mod, x));
    }
    /* a flipped byte in the points table is caught by the checksum */
    b.data[b.len - 20] ^= 1;
    assert_null(lrn_model_read(b.data, b.len, &err));
    assert_int_equal(err.code, CS_ECORRUPT);
    /* a table that does not parse is refused naming it */
    free(back->card_json);
    back->card_json = strdup("{\"pdo\": 20}");
    assert_null(sc_card_of(back, &err));
    assert_non_null(strstr(err.msg, "scorecard"));
    /* the SQL: one CASE per characteristic, NULL handled, the names quoted */
    cs_buf s = {0};
    assert_int_equal(sc_card_sql(c, &s, &err), CS_OK);
    size_t cases = 0;
    for (const char *p = s.data; (p = strstr(p, "CASE WHEN")); p++) cases++;
    assert_int_equal(cases, c->n_chars);
    assert_non_null(strstr(s.data, "\"RISE\" IS NULL THEN"));
    cs_buf_free(&s);
    assert_int_equal(sc_card_table(c, 0, &s, &err), CS_OK);
    assert_non_null(strstr(s.data, "scaling: 500 points at odds 20:1"));
    cs_buf_free(&s);
    sc_card_free(c);
    cs_buf_free(&b);
    lrn_model_free(back);
    lrn_model_free(mod);
    feat_matrix_free(m);
}

static void test_parameters(void **state)
{
    (void)state;
    cs_err err = {0};
    assert_null(lrn_params_from_json(LRN_SCORECARD, "{\"pdo\": 0}", &err));
    assert_non_null(strstr(err.msg, "pdo"));
    assert_null(lrn_params_from_json(LRN_SCORECARD, "{\"max_corr\": 1.5}", &err));
    assert_non_null(strstr(err.msg, "max_corr"));
    assert_null(lrn_params_from_json(LRN_SCORECARD, "{\"monotonic_trend\": \"up\"}", &err));
    assert_non_null(strstr(err.msg, "monotonic_trend"));
    assert_null(lrn_params_from_json(LRN_SCORECARD, "{\"num_leaves\": 31}", &err));
    assert_non_null(strstr(err.msg, "scorecard has no parameter 'num_leaves'"));
    assert_null(lrn_params_from_json(LRN_SCORECARD, "{\"categorical_features\": [1]}", &err));
    lrn_params *p = lrn_params_from_json(LRN_SCORECARD, "{\"iv_min\": 0.05, \"special_codes\": [365243]}", &err);
    assert_non_null(p);
    cs_buf b = {0};
    assert_int_equal(lrn_params_to_json(p, &b, &err), CS_OK);
    assert_non_null(strstr(b.data, "\"iv_min\": 0.05"));
    assert_non_null(strstr(b.data, "\"special_codes\": [365243]"));
    assert_non_null(strstr(b.data, "\"monotonic_trend\": \"auto_monotonic\""));
    lrn_params *q = lrn_params_copy(p, &err);
    cs_buf b2 = {0};
    lrn_params_to_json(q, &b2, &err);
    assert_string_equal(b.data, b2.data);
    cs_buf_free(&b);
    cs_buf_free(&b2);
    lrn_params_free(p);
    lrn_params_free(q);
    /* an unknown categorical feature is refused at fit time naming it */
    feat_matrix *m = _make(500, 4);
    p = lrn_params_from_json(LRN_SCORECARD, "{\"categorical_features\": [\"NOPE\"]}", &err);
    size_t rows[500];
    for (size_t i = 0; i < 500; i++) rows[i] = i;
    lrn_model *mod = NULL;
    assert_int_equal(lrn_fit(p, m, rows, 500, NULL, 0, NULL, &mod, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "NOPE"));
    lrn_params_free(p);
    /* nothing informative: a card of the prior alone */
    mod = _fit(m, "{\"iv_min\": 9}");
    sc_card *c = sc_card_of(mod, &err);
    assert_int_equal(c->n_chars, 0);
    double x[5] = {0, 0, 0, 0, 0};
    assert_true(fabs(lrn_predict_raw(mod, x) - sc_card_log_odds(c, c->base)) < 1e-9);
    sc_card_free(c);
    lrn_model_free(mod);
    feat_matrix_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points_add_up_to_the_probability),
        cmocka_unit_test(test_selection_signs_and_trends),
        cmocka_unit_test(test_model_round_trip),
        cmocka_unit_test(test_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
