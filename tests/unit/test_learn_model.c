/*
 * test_learn_model.c: unit tests of the fitted model's serialisation (src/learn/model.c):
 * a bit-exact round trip for tree and linear models, and corrupt bytes refused (every
 * truncation, every flipped byte, and structural damage behind a recomputed checksum).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn/learner.h"

static feat_matrix *_data(size_t n, size_t nf, uint64_t seed)
{
    feat_matrix *m = calloc(1, sizeof *m);
    m->n_rows = n;
    m->n_feats = nf;
    m->values = calloc(n * nf, sizeof *m->values);
    m->target = calloc(n, sizeof *m->target);
    m->ids = calloc(n, sizeof *m->ids);
    cs_rng r;
    cs_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        double lg = -1;
        for (size_t j = 0; j < nf; j++) {
            double v = cs_rng_uniform(&r) < 0.1 ? NAN : cs_rng_normal(&r);
            m->values[j * n + i] = v;
            if (v == v) lg += (j % 2 ? 0.7 : -0.5) * v;
        }
        m->target[i] = cs_rng_uniform(&r) < 1 / (1 + exp(-lg)) ? 1 : 0;
    }
    return m;
}

static void _free_data(feat_matrix *m)
{
    free(m->values);
    free(m->target);
    free(m->ids);
    free(m);
}

static lrn_model *_fit(lrn_kind kind, const char *json, const feat_matrix *m)
{
    cs_err err = {0};
    lrn_params *p = lrn_params_from_json(kind, json, &err);
    if (!p) fail_msg("%s", err.msg);
    size_t *rows = malloc(m->n_rows * sizeof *rows);
    for (size_t i = 0; i < m->n_rows; i++) rows[i] = i;
    lrn_model *mod = NULL;
    if (lrn_fit(p, m, rows, m->n_rows, NULL, 0, NULL, &mod, &err)) fail_msg("%s", err.msg);
    free(rows);
    lrn_params_free(p);
    return mod;
}

static void _round_trip(const lrn_model *mod, const feat_matrix *m)
{
    cs_buf b = {0}, b2 = {0};
    cs_err err = {0};
    assert_int_equal(lrn_model_write(mod, &b, &err), CS_OK);
    lrn_model *back = lrn_model_read(b.data, b.len, &err);
    if (!back) fail_msg("%s", err.msg);
    assert_int_equal(lrn_model_write(back, &b2, &err), CS_OK);
    assert_int_equal(b.len, b2.len);
    assert_memory_equal(b.data, b2.data, b.len);        /* bit-exact */
    assert_int_equal(back->kind, mod->kind);
    assert_int_equal(back->n_trees, mod->n_trees);
    if (mod->params_json) assert_string_equal(back->params_json, mod->params_json);
    else assert_null(back->params_json);
    double *p1 = malloc(m->n_rows * sizeof *p1), *p2 = malloc(m->n_rows * sizeof *p2);
    lrn_predict_matrix(mod, m, NULL, 0, 1, p1, &err);
    lrn_predict_matrix(back, m, NULL, 0, 1, p2, &err);
    assert_memory_equal(p1, p2, m->n_rows * sizeof *p1);
    free(p1);
    free(p2);
    lrn_model_free(back);
    cs_buf_free(&b);
    cs_buf_free(&b2);
}

static void test_round_trip(void **state)
{
    (void)state;
    feat_matrix *m = _data(1500, 5, 1);
    lrn_model *g = _fit(LRN_GBDT, "{\"num_iterations\": 25, \"min_data_in_leaf\": 5}", m);
    lrn_model *f = _fit(LRN_FOREST, "{\"n_estimators\": 8, \"max_depth\": 6}", m);
    lrn_model *d = _fit(LRN_DUMMY, NULL, m);
    _round_trip(g, m);
    _round_trip(f, m);
    _round_trip(d, m);
    /* a hand-made linear model (the logreg form) */
    cs_err err = {0};
    lrn_model *l = lrn_model_create(LRN_LOGREG, 5, &err);
    double **arrs[5] = {&l->lin_coef, &l->lin_center, &l->lin_scale, &l->lin_lo, &l->lin_hi};
    for (int a = 0; a < 5; a++) *arrs[a] = malloc(5 * sizeof(double));
    for (int j = 0; j < 5; j++) {
        l->lin_coef[j] = 0.1 * (j - 2);
        l->lin_center[j] = 0.01 * j;
        l->lin_scale[j] = 1 + j;
        l->lin_lo[j] = -3;
        l->lin_hi[j] = 3;
    }
    l->base_score = -0.3;
    _round_trip(l, m);
    double x[5] = {NAN, 10, -10, 0.5, 1};
    double want = -0.3 + 0 + (-0.1) * (3 - 0.01) / 2 + 0 + 0.1 * (0.5 - 0.03) / 4 + 0.2 * (1 - 0.04) / 5;
    assert_true(fabs(lrn_predict_raw(l, x) - want) < 1e-15);
    lrn_model_free(l);
    lrn_model_free(g);
    lrn_model_free(f);
    lrn_model_free(d);
    lrn_model_free(NULL);
    _free_data(m);
}

/* Recompute the trailing checksum (the reader's first line of defence) after tampering. */
static void _reseal(unsigned char *b, size_t len)
{
    uint64_t h = cs_hash64(b, len - 8, 0);
    memcpy(b + len - 8, &h, 8);
}

static void test_corrupt_refused(void **state)
{
    (void)state;
    feat_matrix *m = _data(600, 4, 2);
    lrn_model *g = _fit(LRN_GBDT, "{\"num_iterations\": 3, \"num_leaves\": 4, \"min_data_in_leaf\": 5}", m);
    cs_buf b = {0};
    cs_err err = {0};
    assert_int_equal(lrn_model_write(g, &b, &err), CS_OK);
    unsigned char *c = malloc(b.len);
    for (size_t len = 0; len < b.len; len++) {      /* every truncation */
        memcpy(c, b.data, len);
        lrn_model *x = lrn_model_read(c, len, &err);
        assert_null(x);
        assert_true(err.code == CS_ECORRUPT);
    }
    for (size_t i = 0; i < b.len; i++) {            /* every flipped byte */
        memcpy(c, b.data, b.len);
        c[i] ^= 0x5a;
        lrn_model *x = lrn_model_read(c, b.len, &err);
        assert_null(x);
        assert_true(err.code == CS_ECORRUPT || err.code == CS_EVERSION);
    }
    /* behind a valid checksum: flip bytes of the structure (header and tree nodes) */
    int refused = 0, accepted = 0;
    for (size_t i = 8; i + 8 < b.len; i++) {
        memcpy(c, b.data, b.len);
        c[i] ^= 0xff;
        _reseal(c, b.len);
        lrn_model *x = lrn_model_read(c, b.len, &err);
        if (!x) {
            refused++;
            continue;
        }
        accepted++;     /* a changed value (threshold, gain) can be valid: it must predict */
        double row[4] = {0.1, NAN, -2, 5};
        (void)lrn_predict_raw(x, row);
        lrn_model_free(x);
    }
    assert_true(refused > 0);
    /* newer version */
    memcpy(c, b.data, b.len);
    c[8] = 9;
    assert_null(lrn_model_read(c, b.len, &err));
    assert_int_equal(err.code, CS_EVERSION);
    /* a child pointing back at the root behind a valid checksum */
    memcpy(c, b.data, b.len);
    size_t first_node = 8 + 4 + 4 + 8 + 8 + 4 + 4 + 4 + 8 + 4 + 8 + strlen(g->params_json) + 4;
    int32_t zero = 0;
    memcpy(c + first_node + 4, &zero, 4);           /* node 0's left child := 0 */
    _reseal(c, b.len);
    assert_null(lrn_model_read(c, b.len, &err));
    assert_non_null(strstr(err.msg, "node 0"));
    free(c);
    cs_buf_free(&b);
    lrn_model_free(g);
    _free_data(m);
}

static void test_predict_matrix_checks(void **state)
{
    (void)state;
    feat_matrix *m = _data(300, 4, 3);
    lrn_model *g = _fit(LRN_GBDT, "{\"num_iterations\": 2}", m);
    feat_matrix *m5 = _data(10, 5, 3);
    double out[300];
    cs_err err = {0};
    assert_int_equal(lrn_predict_matrix(g, m5, NULL, 0, 0, out, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "features"));
    size_t bad = 300;
    assert_int_equal(lrn_predict_matrix(g, m, &bad, 1, 0, out, &err), CS_EINVAL);
    lrn_model_free(g);
    _free_data(m);
    _free_data(m5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_corrupt_refused),
        cmocka_unit_test(test_predict_matrix_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
