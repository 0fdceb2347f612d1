/*
 * test_model_file.c: unit tests of src/model: a model file written and read back (every
 * section), scoring through learner + calibration + threshold, and refusal of truncated,
 * corrupted and newer-version files; the reference statistics and sample.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cs.h"
#include "model/model.h"
#include "model/points.h"

/* a matrix of 300 rows, 3 features; feature 0 drives the target, feature 2 is half NaN */
static feat_matrix *_matrix(void)
{
    feat_matrix *m = feat_matrix_create(300, 3, NULL);
    cs_rng r;
    cs_rng_seed(&r, 1);
    const char *names[] = {"EXT_SOURCE_1", "AMT_CREDIT", "OWN_CAR_AGE"};
    for (size_t j = 0; j < 3; j++) m->names[j] = strdup(names[j]);
    for (size_t i = 0; i < 300; i++) {
        m->ids[i] = 100000 + (int64_t)i;
        double x0 = cs_rng_uniform(&r);
        m->values[i] = x0;
        m->values[300 + i] = 1000 * cs_rng_normal(&r);
        m->values[600 + i] = i % 2 ? NAN : (double)(i % 17);
        m->target[i] = i < 290 ? (cs_rng_uniform(&r) < 0.6 - 0.5 * x0 ? 1 : 0) : NAN;
    }
    return m;
}

/* one stump on feature 0 plus one on feature 2 (NaN left) */
static lrn_model *_learner(void)
{
    lrn_model *lm = lrn_model_create(LRN_GBDT, 3, NULL);
    lm->base_score = -0.5;
    lm->n_trees = 2;
    lm->trees = calloc(2, sizeof *lm->trees);
    for (int t = 0; t < 2; t++) {
        lm->trees[t].n_nodes = 3;
        lm->trees[t].nodes = calloc(3, sizeof(tree_node));
        tree_node *n = lm->trees[t].nodes;
        n[0] = (tree_node){t ? 2 : 0, 1, 2, 1, t ? 8.0 : 0.5, 0, 10, 3.0};
        n[1] = (tree_node){-1, -1, -1, 0, 0, t ? 0.1 : 0.8, 5, 0};
        n[2] = (tree_node){-1, -1, -1, 0, 0, t ? -0.1 : -0.7, 5, 0};
    }
    return lm;
}

typedef struct {
    feat_matrix *m;
    lrn_model *lm;
    ev_calib *cal;
    mf_reference *ref;
    size_t *rows, n;
    double *prob;
    ev_cost_point *curve;
    size_t n_curve;
    double folds[3];
    cs_buf bytes;
} _fx;

static int _setup(void **state)
{
    _fx *f = calloc(1, sizeof *f);
    f->m = _matrix();
    f->lm = _learner();
    f->rows = malloc(300 * sizeof *f->rows);
    f->prob = malloc(300 * sizeof *f->prob);
    double *y = malloc(300 * sizeof *y);
    double x[3];
    for (size_t i = 0; i < 300; i++)
        if (!isnan(f->m->target[i])) {
            f->rows[f->n] = i;
            for (int j = 0; j < 3; j++) x[j] = f->m->values[(size_t)j * 300 + i];
            f->prob[f->n] = lrn_raw_to_proba(f->lm, lrn_predict_raw(f->lm, x));
            y[f->n++] = f->m->target[i];
        }
    f->cal = ev_calib_fit(EV_CALIB_ISOTONIC, y, f->prob, f->n, NULL);
    for (size_t i = 0; i < f->n; i++) f->prob[i] = ev_calib_apply(f->cal, f->prob[i]);
    ev_cost_curve(y, f->prob, f->n, EV_COST_DEFAULT, 11, 0.3, &f->curve, &f->n_curve, NULL);
    f->ref = mf_reference_build(f->m, f->rows, f->n, f->prob, 0.3, 100, 5, NULL);
    f->folds[0] = 0.7, f->folds[1] = 0.72, f->folds[2] = 0.68;
    char digest[32];
    mf_data_digest(f->m, f->rows, f->n, digest, sizeof digest);
    mf_parts p = {
        .name = "test-model", .version = "3", .created = "2026-01-02T03:04:05Z",
        .data_digest = digest, .n_train = f->n, .positive_rate = 0.3, .n_feats = 3,
        .feat_names = (const char *const *)f->m->names, .learner = f->lm,
        .params_json = "{\"num_leaves\": 31, \"learning_rate\": 0.05}", .calib = f->cal,
        .threshold = 0.3, .cost = {10, 1},
        .metrics = {.k = 3, .auc_mean = 0.7, .auc_sd = 0.0163, .oof_auc = 0.69, .gini = 0.38,
                    .ks = 0.3, .log_loss = 0.6, .brier = 0.2, .cost = 123, .cost_at_half = 150,
                    .tp = 1, .fp = 2, .tn = 3, .fn = 4, .fit_seconds = 0.5, .fold_auc = f->folds},
        .curve = f->curve, .n_curve = f->n_curve, .reference = f->ref, .expected_value = -0.25,
        .search_json = "{\"kind\": \"grid\", \"trials\": 4}",
    };
    assert_int_equal(mf_write_buf(&p, &f->bytes, NULL), CS_OK);
    free(y);
    *state = f;
    return 0;
}

static int _teardown(void **state)
{
    _fx *f = *state;
    feat_matrix_free(f->m);
    lrn_model_free(f->lm);
    ev_calib_free(f->cal);
    mf_reference_free(f->ref);
    free(f->rows), free(f->prob), free(f->curve);
    cs_buf_free(&f->bytes);
    free(f);
    return 0;
}

static void test_round_trip(void **state)
{
    _fx *f = *state;
    cs_err err = {0};
    mf_model *m = mf_load_bytes(f->bytes.data, f->bytes.len, &err);
    assert_non_null(m);
    assert_string_equal(mf_name(m), "test-model");
    assert_string_equal(mf_version(m), "3");
    assert_string_equal(mf_created(m), "2026-01-02T03:04:05Z");
    assert_memory_equal(mf_data_digest_of(m), "h64:", 4);
    assert_int_equal(mf_format_version(m), MF_FORMAT_VERSION);
    assert_int_equal(mf_n_feats(m), 3);
    assert_int_equal(mf_n_train(m), f->n);
    assert_string_equal(mf_feat_name(m, 2), "OWN_CAR_AGE");
    assert_null(mf_feat_name(m, 3));
    assert_int_equal(mf_feat_index(m, "AMT_CREDIT"), 1);
    assert_null(mf_spec(m));
    assert_true(mf_threshold(m) == 0.3);
    assert_true(mf_cost_weights(m).fn == 10 && mf_cost_weights(m).fp == 1);
    assert_true(mf_expected_value(m) == -0.25);
    const mf_metrics *mt = mf_get_metrics(m);
    assert_int_equal(mt->k, 3);
    assert_true(mt->auc_sd == 0.0163 && mt->fold_auc[1] == 0.72 && mt->fn == 4 && mt->cost == 123);
    assert_non_null(strstr(mf_params_json(m), "\"num_leaves\":31"));
    assert_non_null(strstr(mf_search_json(m), "grid"));
    size_t nc;
    const ev_cost_point *c = mf_cost_curve(m, &nc);
    assert_int_equal(nc, f->n_curve);
    assert_memory_equal(c, f->curve, nc * sizeof *c);
    for (size_t j = 0; j < 3; j++) {
        assert_memory_equal(mf_stats(m, j), &f->ref->stats[j], sizeof(mf_feature_stats));
        assert_memory_equal(mf_hist_of(m, j), &f->ref->hists[j], sizeof(mf_hist));
    }
    const int64_t *ids;
    const double *tg, *vals;
    assert_int_equal(mf_sample(m, &ids, &tg, &vals), 100);
    assert_memory_equal(ids, f->ref->sample_ids, 100 * 8);
    assert_memory_equal(vals, f->ref->sample_values, 300 * 8);
    /* scoring = learner -> proba -> calibration; decision at-or-above */
    double x[3] = {0.2, 5, NAN};
    double p = mf_predict_proba(m, x);
    assert_true(p == ev_calib_apply(f->cal, 1 / (1 + exp(-(-0.5 + 0.8 + 0.1)))));
    assert_int_equal(mf_decide(m, 0.3), 1);
    assert_int_equal(mf_decide(m, nextafter(0.3, 0)), 0);
    double *all = malloc(300 * sizeof *all);
    assert_int_equal(mf_predict_matrix(m, f->m, all, NULL), CS_OK);
    for (size_t i = 0; i < 300; i++) {
        for (int j = 0; j < 3; j++) x[j] = f->m->values[(size_t)j * 300 + i];
        assert_true(all[i] == mf_predict_proba(m, x));
    }
    free(all);
    mf_free(m);
    mf_free(NULL);
}

/* mf_score is the one scoring function: the same raw score, probability and decision as
 * the pieces it is made of, for every row; points on the standard scale */
static void test_score(void **state)
{
    _fx *f = *state;
    mf_model *m = mf_load_bytes(f->bytes.data, f->bytes.len, NULL);
    double x[3], *all = malloc(300 * sizeof *all);
    size_t refused = 0;
    assert_non_null(m);
    assert_null(mf_card(m));
    assert_int_equal(mf_cutoff_points(m), 0);
    assert_int_equal(mf_predict_matrix(m, f->m, all, NULL), CS_OK);
    for (size_t i = 0; i < 300; i++) {
        mf_decision d;
        for (int j = 0; j < 3; j++) x[j] = f->m->values[(size_t)j * 300 + i];
        assert_int_equal(mf_score(m, x, &d, NULL), CS_OK);
        assert_true(d.raw == mf_predict_raw(m, x));
        assert_true(d.probability == mf_predict_proba(m, x) && d.probability == all[i]);
        assert_true(d.threshold == 0.3 && d.distance == d.probability - 0.3);
        assert_int_equal(d.refuse, mf_decide(m, d.probability));
        assert_true(d.points == mf_points_of_proba(d.probability));
        refused += (size_t)d.refuse;
    }
    assert_true(refused > 0 && refused < 300);  /* both decisions occur in the fixture */
    free(all);
    /* 600 points at odds 19:1 (good:bad), 50 more double them, clamped to [0, 1000] */
    assert_true(fabs(mf_points_of_proba(1.0 / 20) - 600) < 1e-9);
    assert_true(fabs(mf_points_of_proba(1.0 / 39) - 650) < 1e-9);
    assert_true(fabs(mf_points_of_proba(1.0 / 10.5) - 550) < 1e-9);
    assert_true(mf_points_of_proba(1e-9) == MF_POINTS_MAX && mf_points_of_proba(0) == MF_POINTS_MAX);
    assert_true(mf_points_of_proba(1 - 1e-9) == MF_POINTS_MIN && mf_points_of_proba(NAN) == MF_POINTS_MAX);
    assert_string_equal(mf_decision_word(1), "refuse");
    assert_string_equal(mf_decision_word(0), "approve");
    mf_free(m);
}

static void test_predict_matrix_by_name(void **state)
{
    _fx *f = *state;
    mf_model *m = mf_load_bytes(f->bytes.data, f->bytes.len, NULL);
    /* columns reordered plus an extra one: matched by name */
    feat_matrix *g = feat_matrix_create(300, 4, NULL);
    const int order[4] = {2, -1, 0, 1};
    for (int j = 0; j < 4; j++) {
        g->names[j] = strdup(order[j] < 0 ? "EXTRA" : f->m->names[order[j]]);
        for (size_t i = 0; i < 300; i++)
            g->values[(size_t)j * 300 + i] = order[j] < 0 ? 7.0 : f->m->values[(size_t)order[j] * 300 + i];
    }
    double *a = malloc(300 * sizeof *a), *b = malloc(300 * sizeof *b);
    assert_int_equal(mf_predict_matrix(m, f->m, a, NULL), CS_OK);
    assert_int_equal(mf_predict_matrix(m, g, b, NULL), CS_OK);
    assert_memory_equal(a, b, 300 * sizeof *a);
    free(g->names[2]);
    g->names[2] = strdup("SOMETHING_ELSE");
    cs_err err = {0};
    assert_int_equal(mf_predict_matrix(m, g, b, &err), CS_ENOTFOUND);
    assert_non_null(strstr(err.msg, "EXT_SOURCE_1"));
    feat_matrix_free(g);
    free(a), free(b);
    mf_free(m);
}

static void test_truncated_corrupt_newer(void **state)
{
    _fx *f = *state;
    cs_err err = {0};
    size_t len = f->bytes.len;
    unsigned char *b = malloc(len);
    /* truncations */
    size_t cuts[] = {0, 10, 63, 64, 200, len / 2, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        assert_null(mf_load_bytes(f->bytes.data, cuts[i], &err));
        assert_int_equal(err.code, CS_ECORRUPT);
    }
    assert_non_null(strstr(err.msg, "truncated"));
    /* one corrupt byte anywhere (outside the magic/version which have their own checks):
     * refused at load, or, inside the drift sample's values, by mf_sample_check */
    int in_sample = 0;
    for (size_t off = 16; off < len; off += len / 397 + 1) {
        memcpy(b, f->bytes.data, len);
        b[off] ^= 0x5a;
        mf_model *m = mf_load_bytes(b, len, &err);
        if (m) {
            in_sample++;
            assert_int_equal(mf_sample_check(m, &err), CS_ECORRUPT);
            assert_non_null(strstr(err.msg, "drift sample"));
            mf_free(m);
        } else {
            assert_int_equal(err.code, CS_ECORRUPT);
        }
    }
    assert_true(in_sample > 0);
    mf_model *ok_m = mf_load_bytes(f->bytes.data, len, NULL);
    assert_int_equal(mf_sample_check(ok_m, NULL), CS_OK);
    mf_free(ok_m);
    memcpy(b, f->bytes.data, len);
    b[40] ^= 1; /* a reserved header byte: only the checksum can tell */
    assert_null(mf_load_bytes(b, len, &err));
    assert_string_equal(err.msg, "checksum mismatch: the file is corrupt");
    /* bad magic */
    memcpy(b, f->bytes.data, len);
    b[0] = 'X';
    assert_null(mf_load_bytes(b, len, &err));
    assert_non_null(strstr(err.msg, "magic"));
    /* newer version */
    memcpy(b, f->bytes.data, len);
    uint32_t v = MF_FORMAT_VERSION + 1;
    memcpy(b + 8, &v, 4);
    assert_null(mf_load_bytes(b, len, &err));
    assert_int_equal(err.code, CS_EVERSION);
    assert_non_null(strstr(err.msg, "newer"));
    free(b);
}

static void test_file_write_and_load(void **state)
{
    _fx *f = *state;
    char path[] = "/tmp/test_model_fileXXXXXX";
    int fd = mkstemp(path);
    cs_err err = {0};
    close(fd);
    mf_model *m = mf_load_bytes(f->bytes.data, f->bytes.len, NULL);
    FILE *o = fopen(path, "wb");
    fwrite(f->bytes.data, 1, f->bytes.len, o);
    fclose(o);
    mf_model *m2 = mf_load(path, &err);
    assert_non_null(m2);
    assert_string_equal(mf_meta_json(m), mf_meta_json(m2));
    mf_free(m2);
    o = fopen(path, "wb");
    fwrite(f->bytes.data, 1, f->bytes.len - 5, o);
    fclose(o);
    assert_null(mf_load(path, &err));
    assert_true(strncmp(err.msg, path, strlen(path)) == 0); /* names the file */
    assert_non_null(strstr(err.msg, "truncated"));
    unlink(path);
    assert_null(mf_load(path, &err));
    assert_int_equal(err.code, CS_EIO);
    mf_free(m);
}

static void test_reference(void **state)
{
    _fx *f = *state;
    const mf_feature_stats *s = &f->ref->stats[2];
    /* OWN_CAR_AGE: NaN on odd rows, (i % 17) on even rows */
    double n_nan = 0, sum = 0, cnt = 0, mx = 0;
    for (size_t k = 0; k < f->n; k++) {
        double v = f->m->values[600 + f->rows[k]];
        if (isnan(v)) n_nan++;
        else {
            sum += v, cnt++;
            if (v > mx) mx = v;
        }
    }
    assert_true(s->n == (double)f->n);
    assert_true(fabs(s->missing - n_nan / (double)f->n) < 1e-15);
    assert_true(fabs(s->mean - sum / cnt) < 1e-12);
    assert_true(s->q[0] == 0 && s->q[8] == mx);
    const mf_hist *h = &f->ref->hists[2];
    double tot = h->missing_accepted + h->missing_refused;
    assert_true(tot == n_nan);
    for (int b = 0; b < MF_HIST_BINS; b++) tot += h->accepted[b] + h->refused[b];
    assert_true(tot == (double)f->n);
    /* the sample: 100 distinct training rows in file order */
    for (size_t i = 1; i < f->ref->n_sample; i++) assert_true(f->ref->sample_ids[i] > f->ref->sample_ids[i - 1]);
    for (size_t i = 0; i < f->ref->n_sample; i++) assert_false(isnan(f->ref->sample_target[i]));
}

/* the monitoring bins: deciles with duplicates dropped, right-closed, NaN apart; the score's
 * bins with their mean PD and default rate; and the MONITOR section round trip */
static void test_monitoring_reference(void **state)
{
    _fx *f = *state;
    const mf_mon_bins *b = &f->ref->bins[2];    /* OWN_CAR_AGE: NaN on odd rows, i % 17 on even */
    double cnt[MF_MON_BINS] = {0}, tot = 0;
    for (int e = 1; e < b->n_edges; e++) assert_true(b->edges[e] > b->edges[e - 1]);
    assert_true(b->n_edges >= 5 && b->n_edges <= MF_MON_EDGES);
    for (size_t k = 0; k < f->n; k++) cnt[mf_mon_bin(b, f->m->values[600 + f->rows[k]])] += 1;
    for (int k = 0; k < MF_MON_BINS; k++) {
        assert_true(fabs(b->share[k] - cnt[k] / (double)f->n) < 1e-15);
        tot += b->share[k];
    }
    assert_true(fabs(tot - 1.0) < 1e-12);
    assert_true(b->share[MF_MON_MISSING] > 0.3);
    /* right-closed: a value equal to the first edge is in bin 0, just above it in bin 1 */
    assert_int_equal(mf_mon_bin(b, b->edges[0]), 0);
    assert_int_equal(mf_mon_bin(b, nextafter(b->edges[0], INFINITY)), 1);
    assert_int_equal(mf_mon_bin(b, INFINITY), b->n_edges);
    assert_int_equal(mf_mon_bin(b, NAN), MF_MON_MISSING);
    /* the score: probabilities of the training rows, the mean PD per bin in its bin */
    {
        const mf_score_ref *sr = &f->ref->score;
        double n1 = 0, nb = 0;
        assert_true(sr->n == (double)f->n);
        for (int k = 0; k <= sr->bins.n_edges; k++) {
            if (sr->bins.share[k] == 0) continue;
            /* the mean of the bin's values is in the bin (to rounding: isotonic ties) */
            if (k > 0) assert_true(sr->pd[k] > sr->bins.edges[k - 1] - 1e-12);
            if (k < sr->bins.n_edges) assert_true(sr->pd[k] <= sr->bins.edges[k] + 1e-12);
            n1 += sr->dr[k] * sr->bins.share[k] * (double)f->n;
            nb += sr->bins.share[k] * (double)f->n;
        }
        {
            double ones = 0;
            for (size_t k = 0; k < f->n; k++) ones += f->m->target[f->rows[k]] != 0;
            assert_true(fabs(n1 - ones) < 1e-9 && fabs(nb - (double)f->n) < 1e-9);
        }
    }
    /* round trip through the file */
    {
        cs_err err = {0};
        mf_model *m = mf_load_bytes(f->bytes.data, f->bytes.len, &err);
        assert_non_null(m);
        assert_memory_equal(mf_mon_bins_of(m, 2), b, sizeof *b);
        assert_memory_equal(mf_score_reference(m), &f->ref->score, sizeof f->ref->score);
        assert_null(mf_mon_bins_of(m, 3));
        mf_free(m);
    }
}

/* The global importance section: stored and read back exactly; absent from a file written
 * without it (as from before it existed: NULL, the reader computes it); a bad one refused. */
static void test_importance_section(void **state)
{
    _fx *f = *state;
    cs_err err = {0};
    mf_model *old = mf_load_bytes(f->bytes.data, f->bytes.len, &err);
    size_t rows = 99;
    assert_non_null(old);
    assert_null(mf_importance(old, &rows));
    assert_int_equal(rows, 0);
    mf_free(old);
    double imp[3] = {0.5, 0.125, 0};
    mf_parts p = {
        .name = "imp", .version = "1", .created = "2026-01-02T03:04:05Z", .data_digest = "h64:0",
        .n_train = f->n, .positive_rate = 0.3, .n_feats = 3,
        .feat_names = (const char *const *)f->m->names, .learner = f->lm, .params_json = "{}",
        .calib = f->cal, .threshold = 0.3, .cost = {10, 1}, .metrics = {.k = 3, .fold_auc = f->folds},
        .reference = f->ref, .importance = imp, .importance_rows = 77,
    };
    cs_buf b = {0};
    assert_int_equal(mf_write_buf(&p, &b, &err), CS_OK);
    mf_model *m = mf_load_bytes(b.data, b.len, &err);
    assert_non_null(m);
    const double *got = mf_importance(m, &rows);
    assert_non_null(got);
    assert_int_equal(rows, 77);
    assert_memory_equal(got, imp, sizeof imp);
    mf_free(m);
    cs_buf_free(&b);
    imp[1] = -1;    /* a negative mean |contribution| cannot be: refused at load */
    assert_int_equal(mf_write_buf(&p, &b, &err), CS_OK);
    assert_null(mf_load_bytes(b.data, b.len, &err));
    assert_non_null(strstr(err.msg, "importance"));
    cs_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_score, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_predict_matrix_by_name, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_truncated_corrupt_newer, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_file_write_and_load, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_reference, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_monitoring_reference, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_importance_section, _setup, _teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
