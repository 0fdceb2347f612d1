/*
 * learn_bench.c: the C side of bench/bench_learn.sh. Built by that script against the
 * library objects (build/obj), not part of the creditscore binary.
 *
 *   learn_bench gen OUT.csf N_ROWS N_FEATS SEED
 *       write a synthetic feature file shaped like the kernel's (NaN-heavy columns, one-hot
 *       flags, skewed amounts, ratios with infinities, ~8% positives, signal spread over
 *       many features with interactions)
 *   learn_bench fit FILE.csf KIND PARAMS_JSON
 *       fit KIND (gbdt, forest, ...) on the rows whose index % 5 != 0 (labelled rows only),
 *       report the fit time, the AUC on the rows whose index % 5 == 0, and the time to
 *       predict the first 100,000 rows, as one line of key=value pairs
 *
 *   learn_bench cut IN.csf OUT.csf N
 *       write the first N labelled rows of IN.csf (file order, all features) to OUT.csf: the
 *       smaller generated data sets of bench/bench_quality.sh, cut from the full-size one
 *
 * The Python peer (bench/learn_peer.py) splits the same way.
 */
#include "base/cs.h"
#include "eval/metrics.h"
#include "features/featfile.h"
#include "learn/learner.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double _cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int _gen(const char *out, size_t n, size_t nf, uint64_t seed)
{
    cs_err err = {0};
    feat_matrix *m = feat_matrix_create(n, nf, &err);
    if (!m) {
        fprintf(stderr, "learn_bench: %s\n", err.msg);
        return 1;
    }
    for (size_t j = 0; j < nf; j++) {
        char name[32];
        snprintf(name, sizeof name, "F%04zu", j);
        m->names[j] = strdup(name);
    }
    double *logit = calloc(n, sizeof *logit);
#pragma omp parallel for schedule(dynamic, 8)
    for (size_t j = 0; j < nf; j++) {
        cs_rng r;
        cs_rng_seed_stream(&r, seed, j);
        double nan_rate = (j % 3 == 0) ? 0 : cs_rng_uniform(&r) * 0.6;
        int type = (int)(j % 10);
        double *col = m->values + j * n;
        for (size_t i = 0; i < n; i++) {
            double v;
            double z = cs_rng_normal(&r);
            if (type < 4) v = z;                                          /* continuous */
            else if (type < 6) v = round(exp(10 + z) * 100) / 100;        /* amounts */
            else if (type < 8) v = cs_rng_uniform(&r) < 0.1 + 0.05 * type ? 1 : 0;  /* flags */
            else if (type == 8) v = (double)cs_rng_below(&r, 12);         /* counts */
            else {                                                        /* ratios */
                double den = (double)cs_rng_below(&r, 20);
                v = den == 0 ? (z > 0 ? INFINITY : NAN) : z * 10 / den;
            }
            if (cs_rng_uniform(&r) < nan_rate) v = NAN;
            col[i] = v;
        }
    }
    /* the signal: 60 features, monotone and non-monotone effects, two interactions */
    cs_rng r;
    cs_rng_seed_stream(&r, seed, 1u << 30);
    for (size_t i = 0; i < n; i++) {
        double lg = -3.0;
        for (size_t k = 0; k < 60 && k < nf; k++) {
            size_t j = (k * 13) % nf;
            double v = m->values[j * n + i];
            double beta = 0.25 * (k % 2 ? 1 : -1) * (1 + (double)(k % 5) / 4);
            if (v != v) lg += 0.15;
            else if (isinf(v)) lg += 0.3;
            else if (j % 10 >= 4 && j % 10 < 6) lg += beta * (log(v + 1) - 10);
            else if (j % 10 == 9) lg += beta * tanh(v / 5);
            else if (k % 7 == 0) lg += beta * (v * v - 1) / 2;
            else lg += beta * v;
        }
        double a = m->values[i], b = m->values[n + i];
        if (a == a && b == b) lg += 0.4 * a * b;
        logit[i] = lg;
        m->ids[i] = (int64_t)(100002 + i);
    }
    /* shift the intercept so that about 8% of the rows are positive, as in Home Credit */
    double lo = -30, hi = 30;
    for (int it = 0; it < 60; it++) {
        double c = (lo + hi) / 2, s = 0;
        for (size_t i = 0; i < n; i++) s += 1 / (1 + exp(-(logit[i] + c)));
        if (s / (double)n > 0.08) hi = c;
        else lo = c;
    }
    for (size_t i = 0; i < n; i++)
        m->target[i] = cs_rng_uniform(&r) < 1 / (1 + exp(-(logit[i] + lo))) ? 1 : 0;
    free(logit);
    cs_status st = feat_file_write(m, out, &err);
    feat_matrix_free(m);
    if (st) {
        fprintf(stderr, "learn_bench: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static int _fit(const char *path, const char *kind_name, const char *json)
{
    cs_err err = {0};
    lrn_kind kind;
    if (lrn_kind_from_name(kind_name, &kind, &err)) {
        fprintf(stderr, "learn_bench: %s\n", err.msg);
        return 2;
    }
    feat_matrix *m = feat_file_load(path, &err);
    if (!m) {
        fprintf(stderr, "learn_bench: %s\n", err.msg);
        return 1;
    }
    /* LEARN_NAN_FILL=v: learn and predict on a copy with NaN replaced by v and +-inf by
     * +-1e30, the input scikit-learn's forest gets (it has no NaN support before 1.4) */
    const char *fill = getenv("LEARN_NAN_FILL");
    double *orig_values = NULL;
    if (fill && *fill) {
        double v = strtod(fill, NULL);
        size_t nv = m->n_rows * m->n_feats;
        double *fv = malloc((nv ? nv : 1) * sizeof *fv);
        if (!fv) {
            fprintf(stderr, "learn_bench: out of memory\n");
            return 1;
        }
        for (size_t k = 0; k < nv; k++) {
            double x = m->values[k];
            fv[k] = x != x ? v : x == INFINITY ? 1e30 : x == -INFINITY ? -1e30 : x;
        }
        orig_values = m->values;
        m->values = fv;
    }
    lrn_params *p = lrn_params_from_json(kind, json, &err);
    if (!p) {
        fprintf(stderr, "learn_bench: %s\n", err.msg);
        return 2;
    }
    size_t *tr = malloc(m->n_rows * sizeof *tr), *te = malloc(m->n_rows * sizeof *te);
    size_t ntr = 0, nte = 0;
    for (size_t i = 0; i < m->n_rows; i++) {
        double t = m->target[i];
        if (t != 0 && t != 1) continue;
        if (i % 5 == 0) te[nte++] = i;
        else tr[ntr++] = i;
    }
    double t0 = cs_now(), c0 = _cpu();
    lrn_model *mod = NULL;
    if (lrn_fit(p, m, tr, ntr, NULL, 0, NULL, &mod, &err)) {
        fprintf(stderr, "learn_bench: %s\n", err.msg);
        return 1;
    }
    double fit_s = cs_now() - t0, fit_cpu = _cpu() - c0;
    double *pr = malloc((nte > 100000 ? nte : 100000) * sizeof *pr);
    double *y = malloc(nte * sizeof *y);
    lrn_predict_matrix(mod, m, te, nte, 0, pr, &err);
    for (size_t i = 0; i < nte; i++) y[i] = m->target[te[i]];
    double auc = ev_auc(y, pr, nte);
    size_t np = m->n_rows < 100000 ? m->n_rows : 100000;
    size_t *pr_rows = malloc(np * sizeof *pr_rows);
    for (size_t i = 0; i < np; i++) pr_rows[i] = i;
    t0 = cs_now();
    c0 = _cpu();
    lrn_predict_matrix(mod, m, pr_rows, np, 0, pr, &err);
    double pred_s = cs_now() - t0, pred_cpu = _cpu() - c0;
    long nodes = 0;
    for (int32_t t = 0; t < mod->n_trees; t++) nodes += mod->trees[t].n_nodes;
    printf("side=ours kind=%s rows=%zu feats=%zu train=%zu test=%zu fit_s=%.3f fit_cpu=%.3f auc=%.5f "
           "predict_rows=%zu predict_s=%.4f predict_cpu=%.4f trees=%d nodes=%ld nan_fill=%s\n",
           kind_name, m->n_rows, m->n_feats, ntr, nte, fit_s, fit_cpu, auc, np, pred_s, pred_cpu,
           (int)mod->n_trees, nodes, orig_values ? fill : "none");
    free(tr); free(te); free(pr); free(y); free(pr_rows);
    lrn_model_free(mod);
    lrn_params_free(p);
    if (orig_values) {
        free(m->values);
        m->values = orig_values;
    }
    feat_matrix_free(m);
    return 0;
}

static int _cut(const char *in, const char *out, size_t n)
{
    cs_err err = {0};
    feat_matrix *m = feat_file_load(in, &err), *c = NULL;
    size_t got = 0;
    if (!m) goto fail;
    for (size_t i = 0; i < m->n_rows && got < n; i++) got += !isnan(m->target[i]);
    if (got < n) {
        fprintf(stderr, "learn_bench: %s has %zu labelled rows, fewer than %zu\n", in, got, n);
        feat_matrix_free(m);
        return 1;
    }
    c = feat_matrix_create(n, m->n_feats, &err);
    if (!c) goto fail;
    for (size_t j = 0; j < m->n_feats; j++) c->names[j] = strdup(m->names[j]);
    got = 0;
    for (size_t i = 0; i < m->n_rows && got < n; i++) {
        if (isnan(m->target[i])) continue;
        c->ids[got] = m->ids[i];
        c->target[got] = m->target[i];
        for (size_t j = 0; j < m->n_feats; j++) c->values[j * n + got] = m->values[j * m->n_rows + i];
        got++;
    }
    if (feat_file_write(c, out, &err)) goto fail;
    feat_matrix_free(c);
    feat_matrix_free(m);
    return 0;
fail:
    fprintf(stderr, "learn_bench: %s\n", err.msg);
    feat_matrix_free(c);
    feat_matrix_free(m);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "cut")) return _cut(argv[2], argv[3], (size_t)atol(argv[4]));
    if (argc == 6 && !strcmp(argv[1], "gen"))
        return _gen(argv[2], (size_t)atol(argv[3]), (size_t)atol(argv[4]), (uint64_t)atoll(argv[5]));
    if (argc == 5 && !strcmp(argv[1], "fit")) return _fit(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: learn_bench gen OUT.csf N_ROWS N_FEATS SEED\n"
                    "       learn_bench fit FILE.csf KIND PARAMS_JSON\n"
                    "       learn_bench cut IN.csf OUT.csf N\n");
    return 2;
}
