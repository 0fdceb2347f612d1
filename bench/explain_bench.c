/*
 * explain_bench.c: our side of bench/bench_explain.sh. Rows: train = labelled rows whose
 * index % 5 != 0 (the first N_TRAIN of them), test = labelled rows whose index % 5 == 0
 * (the first N_TEST), as bench/learn_bench.c and the peer explain_peer.py.
 *   explain_bench logreg FILE.csf N_TRAIN N_TEST C
 *       fit our logistic regression (lr.h, 2 threads); prints one key=value line
 *   explain_bench shap FILE.csf N_TRAIN N_TEST PARAMS_JSON MODEL_OUT.json
 *       train XGBoost through our bridge (xgb.h) and write libxgboost's JSON model for the
 *       peer (or, when MODEL_OUT exists, convert that model again), then time our TreeSHAP of
 *       the test rows (explain/shap.h); one key=value line
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cs.h"
#include "eval/metrics.h"
#include "explain/shap.h"
#include "features/featfile.h"
#include "learn/learner.h"
#include "learn/lr.h"
#include "learn/xgb.h"

static double _cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t _rows(const feat_matrix *m, int test, size_t max, size_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_rows && n < max; i++)
        if (!isnan(m->target[i]) && ((i % 5 == 0) == test)) out[n++] = i;
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: explain_bench logreg FILE N_TRAIN N_TEST C | shap FILE N_TRAIN N_TEST PARAMS OUT\n");
        return 2;
    }
    cs_err err = {0};
    feat_matrix *m = feat_file_load(argv[2], &err);
    if (!m) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    size_t *tr = malloc(m->n_rows * sizeof *tr), *te = malloc(m->n_rows * sizeof *te);
    size_t ntr = _rows(m, 0, (size_t)atol(argv[3]), tr), nte = _rows(m, 1, (size_t)atol(argv[4]), te);
    double *y = malloc(nte * sizeof *y), *p = malloc(nte * sizeof *p);
    for (size_t i = 0; i < nte; i++) y[i] = m->target[te[i]];
    if (!strcmp(argv[1], "logreg")) {
        lr_params lp = LR_PARAMS_DEFAULT;
        lp.C = atof(argv[5]);
        lp.n_threads = 2;
        double t0 = cs_now(), c0 = _cpu();
        lr_model *mdl = lr_fit(m, tr, ntr, &lp, NULL, NULL, &err);
        double fit_s = cs_now() - t0, fit_cpu = _cpu() - c0;
        if (!mdl || lr_predict(mdl, m, te, nte, p, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        printf("side=ours rows=%zu feats=%zu train=%zu test=%zu fit_s=%.3f fit_cpu=%.3f auc=%.5f iter=%d converged=%d\n",
               m->n_rows, m->n_feats, ntr, nte, fit_s, fit_cpu, ev_auc(y, p, nte), mdl->n_iter,
               mdl->converged);
        lr_model_free(mdl);
    } else if (!strcmp(argv[1], "shap") && argc == 7) {
        lrn_params *lp = lrn_params_from_json(LRN_XGBOOST, argv[5], &err);
        lrn_model *mod = NULL;
        char *json = NULL;
        double t0 = cs_now(), c0 = _cpu(), fit_s = 0;
        FILE *f = fopen(argv[6], "r");
        if (f) {    /* a model from an earlier run: convert it again */
            cs_buf b = {0};
            char chunk[65536];
            size_t k;
            while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) cs_buf_append(&b, chunk, k, NULL);
            fclose(f);
            mod = xgb_model_from_json(b.data, b.len, m->n_feats, 0, &err);
            cs_buf_free(&b);
            if (!mod) {
                fprintf(stderr, "%s\n", err.msg);
                return 1;
            }
        } else {
            if (!lp || xgb_fit(lrn_params_raw_const(lp), m, tr, ntr, NULL, 0, NULL, NULL, &mod, &json, &err)) {
                fprintf(stderr, "%s\n", err.msg);
                return 1;
            }
            fit_s = cs_now() - t0;
            f = fopen(argv[6], "w");
            if (!f || fputs(json, f) < 0 || fclose(f)) return 1;
        }
        shap_explainer *e = shap_explainer_create(mod, &err);
        double *phi = malloc(nte * m->n_feats * sizeof *phi);
        t0 = cs_now();
        c0 = _cpu();
        if (!e || shap_explain_matrix(e, m, te, nte, phi, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        double shap_s = cs_now() - t0, shap_cpu = _cpu() - c0;
        /* additivity as a check that the timing measured real work */
        if (lrn_predict_matrix(mod, m, te, nte, 1, p, &err)) return 1;
        double worst = 0;
        for (size_t i = 0; i < nte; i++) {
            double s = shap_expected_value(e);
            for (size_t j = 0; j < m->n_feats; j++) s += phi[i * m->n_feats + j];
            worst = fmax(worst, fabs(s - p[i]));
        }
        printf("side=ours rows=%zu feats=%zu train=%zu test=%zu trees=%d xgb_fit_s=%.3f shap_s=%.3f "
               "shap_cpu=%.3f additivity=%.1e\n",
               m->n_rows, m->n_feats, ntr, nte, mod->n_trees, fit_s, shap_s, shap_cpu, worst);
        free(phi);
        free(json);
        shap_explainer_free(e);
        lrn_model_free(mod);
        lrn_params_free(lp);
    } else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    free(tr);
    free(te);
    free(y);
    free(p);
    feat_matrix_free(m);
    return 0;
}
