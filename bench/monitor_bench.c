/*
 * monitor_bench.c: the data of bench/bench_monitor.sh, written directly (not through HTTP,
 * which would take an hour at 1,000,000 decisions and measure the API, not the monitor):
 *
 *   monitor_bench gen MODEL DIR N MONTHS
 *
 * MODEL: a model file with a monitoring reference (its feature names are the columns).
 * Writes into DIR:
 *   features.csf  N clients x the model's features: client i is row (i mod sample) of the
 *                 model's drift sample, month m = i * MONTHS / N; every third feature
 *                 drifts (x (1 + 0.02 m)) so that the CSI has something to find
 *   clients.db    the clients store of it (store_clients_import, as `clients import`)
 *   audit.db      N decisions by the model, in order, spread over MONTHS months from
 *                 2025-01, each the model's calibrated probability of its client and the
 *                 decision at its threshold (store_audit_append: the API's writer)
 *   outcomes.csv  client_id,default,observed for the first half of the months (Bernoulli of
 *                 the probability, observed 12 months later)
 *   reference.tsv the model's monitoring bins (name, n_edges, 9 edges, 11 shares; the score
 *                 first as "__score__") for the pandas peer
 */
#include "model/model.h"
#include "store/audit.h"
#include "store/clients.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int _die(const cs_err *e)
{
    fprintf(stderr, "monitor_bench: %s\n", e->msg);
    return 1;
}

static void _bins_row(FILE *f, const char *name, const mf_mon_bins *b)
{
    fprintf(f, "%s\t%d", name, b->n_edges);
    for (int e = 0; e < MF_MON_EDGES; e++) fprintf(f, "\t%.17g", b->edges[e]);
    for (int k = 0; k < MF_MON_BINS; k++) fprintf(f, "\t%.17g", b->share[k]);
    fputc('\n', f);
}

int main(int argc, char **argv)
{
    cs_err err = {0};
    char path[4096];
    if (argc != 6 || strcmp(argv[1], "gen")) {
        fprintf(stderr, "usage: monitor_bench gen MODEL DIR N MONTHS\n");
        return 2;
    }
    size_t n = strtoull(argv[4], NULL, 10);
    int months = atoi(argv[5]);
    mf_model *m = mf_load(argv[2], &err);
    if (!m) return _die(&err);
    if (!mf_score_reference(m)) {
        fprintf(stderr, "monitor_bench: %s has no monitoring reference\n", argv[2]);
        return 1;
    }
    size_t nf = mf_n_feats(m);
    const int64_t *sid;
    const double *stgt, *sval;
    size_t ns = mf_sample(m, &sid, &stgt, &sval);
    if (ns == 0 || mf_sample_check(m, &err)) return ns ? _die(&err) : 1;
    const char **names = malloc(nf * sizeof *names);
    for (size_t j = 0; j < nf; j++) names[j] = mf_feat_name(m, j);

    /* the feature file, in place */
    snprintf(path, sizeof path, "%s/features.csf", argv[3]);
    feat_matrix *fm = feat_file_create(path, n, nf, names, &err);
    if (!fm) return _die(&err);
    for (size_t i = 0; i < n; i++) {
        fm->ids[i] = (int64_t)(1000000 + i);
        fm->target[i] = NAN;
    }
#pragma omp parallel for schedule(static)
    for (size_t j = 0; j < nf; j++) {
        double *col = fm->values + j * n;
        const double *src = sval + j * ns;
        for (size_t i = 0; i < n; i++) {
            int mo = (int)(i * (size_t)months / n);
            double v = src[i % ns];
            col[i] = j % 3 == 0 ? v * (1.0 + 0.02 * mo) : v;
        }
    }
    if (feat_file_commit(fm, &err)) return _die(&err);
    fprintf(stderr, "monitor_bench: %zu x %zu features written\n", n, nf);

    snprintf(path, sizeof path, "%s/clients.db", argv[3]);
    if (store_clients_import(path, fm, NULL, 0, NULL, &err)) return _die(&err);
    fprintf(stderr, "monitor_bench: clients store written\n");

    /* decisions and outcomes */
    snprintf(path, sizeof path, "%s/audit.db", argv[3]);
    store_audit *a = store_audit_open(path, &err);
    if (!a) return _die(&err);
    snprintf(path, sizeof path, "%s/outcomes.csv", argv[3]);
    FILE *fo = fopen(path, "w");
    if (!fo) return 1;
    fputs("client_id,default,observed\n", fo);
    int64_t t0 = store_audit_parse_time("2025-01-01"), t_end;
    {
        char end[16];
        snprintf(end, sizeof end, "%04d-%02d-01", 2025 + months / 12, 1 + months % 12);
        t_end = store_audit_parse_time(end);
    }
    double span = (double)(t_end - t0 - 1);   /* the decisions stay inside the months */
    double *x = malloc(nf * sizeof *x);
    cs_rng rng;
    cs_rng_seed(&rng, 7);
    for (size_t i = 0; i < n; i++) {
        store_audit_rec r;
        memset(&r, 0, sizeof r);
        for (size_t j = 0; j < nf; j++) x[j] = fm->values[j * n + i];
        r.unix_ms = t0 + (int64_t)((double)i / (double)n * span);
        snprintf(r.request_id, sizeof r.request_id, "b%zu", i);
        snprintf(r.endpoint, sizeof r.endpoint, "predict");
        snprintf(r.model_name, sizeof r.model_name, "%s", mf_name(m));
        snprintf(r.model_version, sizeof r.model_version, "%s", mf_version(m));
        snprintf(r.input_kind, sizeof r.input_kind, "client_id");
        r.client_id = fm->ids[i];
        snprintf(r.input_digest, sizeof r.input_digest, "-");
        r.probability = mf_predict_proba(m, x);
        r.score = 600;
        r.threshold = mf_threshold(m);
        snprintf(r.decision, sizeof r.decision, "%s", mf_decide(m, r.probability) ? "refuse" : "approve");
        if (store_audit_append(a, &r, &err)) return _die(&err);
        if (i * 2 < n) {
            char t[32];
            int d = cs_rng_uniform(&rng) < r.probability;
            store_audit_format_time(r.unix_ms + (int64_t)(365.25 * 86400000.0), t);
            t[10] = '\0';
            fprintf(fo, "%lld,%d,%s\n", (long long)r.client_id, d, t);
        }
    }
    store_audit_close(a);
    fclose(fo);
    fprintf(stderr, "monitor_bench: %zu decisions written\n", n);

    snprintf(path, sizeof path, "%s/reference.tsv", argv[3]);
    FILE *fr = fopen(path, "w");
    if (!fr) return 1;
    _bins_row(fr, "__score__", &mf_score_reference(m)->bins);
    for (size_t j = 0; j < nf; j++) _bins_row(fr, names[j], mf_mon_bins_of(m, j));
    fclose(fr);
    free(x);
    free(names);
    feat_matrix_free(fm);
    mf_free(m);
    return 0;
}
