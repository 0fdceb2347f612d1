/*
 * explain_bench.c: our side of bench/bench_explain.sh. Rows: train = labelled rows whose
 * index % 5 != 0 (the first N_TRAIN of them), test = labelled rows whose index % 5 == 0
 * (the first N_TEST), as bench/learn_bench.c and the peer explain_peer.py.
 *   explain_bench logreg FILE.csf N_TRAIN N_TEST C
 *       fit our logistic regression (lr.h, 2 threads); prints one key=value line
 *   explain_bench shap FILE.csf N_TRAIN N_TEST KIND PARAMS_JSON DIR THREADS
 *       KIND xgboost | gbdt: train it once (kept in DIR, with XGBoost's JSON view of the same
 *       trees for the peer), then time our TreeSHAP engine and the recursive algorithm on the
 *       test rows with THREADS threads; one key=value line (see _shap)
 *   explain_bench memory MODEL.csm
 *       the explainer's precomputed memory for a model file, with and without tables
 *   explain_bench row MODEL.csm CALLS
 *       one-row latency of shap_explain_row (what /v1/explain calls) on the model file's
 *       reference sample, rows in turn, CALLS timed calls after CALLS / 10 warm-up calls,
 *       with serve's explainer and with the matrix path's tables; one key=value line
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cs.h"
#include "eval/metrics.h"
#include "explain/shap.h"
#include "features/featfile.h"
#include "learn/learner.h"
#include "learn/lr.h"
#include "learn/xgb.h"
#include "model/model.h"

#include <omp.h>

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


/* ---- TreeSHAP ------------------------------------------------------------------------ */

static char *_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    cs_buf b = {0};
    char chunk[65536];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) cs_buf_append(&b, chunk, k, NULL);
    fclose(f);
    *len = b.len;
    return cs_buf_take(&b);
}

static int _spit(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int bad = fwrite(data, 1, len, f) != len;
    return (fclose(f) != 0) | bad ? -1 : 0;
}

/* The smallest float strictly above t: for float x, x <= t  <=>  x < it (XGBoost's test). */
static double _float_above(double t)
{
    float f = (float)t;
    if ((double)f <= t) f = nextafterf(f, INFINITY);
    return (double)f;
}

/* A JSON number XGBoost reads as a float (it refuses an integer where it wants one). */
static void _jf(cs_buf *o, double v)
{
    char b[40];
    if (isinf(v)) {     /* a cut above the largest float: XGBoost's own token */
        cs_buf_printf(o, NULL, "%s", v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    cs_fmt_double(b, sizeof b, v);
    cs_buf_printf(o, NULL, "%s%s", b, strpbrk(b, ".eEni") ? "" : ".0");
}

/* Our trees as an XGBoost 1.7 JSON model (base_score 0.5: margin 0, so XGBoost's
 * contributions are those of the trees alone), for the peer's pred_contribs. */
static void _xgb_json(const lrn_model *mod, cs_buf *o)
{
    cs_buf_printf(o, NULL, "{\"learner\":{\"attributes\":{},\"feature_names\":[],\"feature_types\":[],"
                  "\"gradient_booster\":{\"model\":{\"gbtree_model_param\":{\"num_parallel_tree\":\"1\","
                  "\"num_trees\":\"%d\",\"size_leaf_vector\":\"0\"},\"tree_info\":[", mod->n_trees);
    for (int t = 0; t < mod->n_trees; t++) cs_buf_printf(o, NULL, "%s0", t ? "," : "");
    cs_buf_printf(o, NULL, "],\"trees\":[");
    for (int t = 0; t < mod->n_trees; t++) {
        const tree *tr = &mod->trees[t];
        int n = tr->n_nodes;
        int *par = malloc((size_t)n * sizeof *par);
        for (int i = 0; i < n; i++) par[i] = 2147483647;
        for (int i = 0; i < n; i++)
            if (tr->nodes[i].feature >= 0) par[tr->nodes[i].left] = par[tr->nodes[i].right] = i;
        cs_buf_printf(o, NULL, "%s{\"id\":%d,\"categories\":[],\"categories_nodes\":[],\"categories_segments\":[],"
                      "\"categories_sizes\":[],\"tree_param\":{\"num_deleted\":\"0\",\"num_feature\":\"%zu\","
                      "\"num_nodes\":\"%d\",\"size_leaf_vector\":\"0\"}", t ? "," : "", t, mod->n_feats, n);
        const char *keys[] = {"base_weights", "default_left", "left_children", "right_children", "parents",
                              "split_conditions", "split_indices", "split_type", "sum_hessian", "loss_changes"};
        for (int k = 0; k < 10; k++) {
            cs_buf_printf(o, NULL, ",\"%s\":[", keys[k]);
            for (int i = 0; i < n; i++) {
                const tree_node *nd = &tr->nodes[i];
                int leaf = nd->feature < 0;
                if (i) cs_buf_printf(o, NULL, ",");
                switch (k) {
                case 0: _jf(o, nd->value); break;
                case 1: cs_buf_printf(o, NULL, "%d", leaf ? 0 : nd->default_left); break;
                case 2: cs_buf_printf(o, NULL, "%d", leaf ? -1 : nd->left); break;
                case 3: cs_buf_printf(o, NULL, "%d", leaf ? -1 : nd->right); break;
                case 4: cs_buf_printf(o, NULL, "%d", par[i]); break;
                case 5: _jf(o, leaf ? nd->value : _float_above(nd->threshold)); break;
                case 6: cs_buf_printf(o, NULL, "%d", leaf ? 0 : nd->feature); break;
                case 7: cs_buf_printf(o, NULL, "0"); break;
                case 8: _jf(o, nd->cover); break;
                default: cs_buf_printf(o, NULL, "0.0"); break;
                }
            }
            cs_buf_printf(o, NULL, "]");
        }
        cs_buf_printf(o, NULL, "}");
        free(par);
    }
    cs_buf_printf(o, NULL, "]},\"name\":\"gbtree\"},\"learner_model_param\":{\"base_score\":\"5E-1\","
                  "\"boost_from_average\":\"1\",\"num_class\":\"0\",\"num_feature\":\"%zu\",\"num_target\":\"1\"},"
                  "\"objective\":{\"name\":\"binary:logistic\",\"reg_loss_param\":{\"scale_pos_weight\":\"1\"}}},"
                  "\"version\":[1,7,4]}", mod->n_feats);
}

/* explain_bench shap: the model KIND (xgboost | gbdt) with PARAMS, trained once on the train
 * rows and kept in DIR (DIR/KIND.lrn ours, DIR/KIND.json XGBoost's view of the same trees),
 * then the test rows explained on THREADS threads by our engine and by the recursive
 * algorithm (the classic, XGBoost's own method in double); our contributions written to
 * DIR/KIND.phi (f64, rows x feats) for the peer's comparison. One key=value line. */
static int _shap(const feat_matrix *m, const size_t *tr, size_t ntr, const size_t *te, size_t nte,
                 const char *kind, const char *params, const char *dir, int threads)
{
    cs_err err = {0};
    char path[4096], jpath[4096], ppath[4096];
    snprintf(path, sizeof path, "%s/%s.lrn", dir, kind);
    snprintf(jpath, sizeof jpath, "%s/%s.json", dir, kind);
    snprintf(ppath, sizeof ppath, "%s/%s.phi", dir, kind);
    lrn_model *mod = NULL;
    double fit_s = 0;
    size_t len;
    char *bytes = _slurp(path, &len);
    if (bytes) {
        mod = lrn_model_read(bytes, len, &err);
        free(bytes);
    }
    if (!mod) {
        lrn_kind k = !strcmp(kind, "gbdt") ? LRN_GBDT : LRN_XGBOOST;
        lrn_params *lp = lrn_params_from_json(k, params, &err);
        double t0 = cs_now();
        if (!lp || lrn_fit(lp, m, tr, ntr, NULL, 0, NULL, &mod, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        fit_s = cs_now() - t0;
        lrn_params_free(lp);
        cs_buf b = {0}, j = {0};
        _xgb_json(mod, &j);
        if (lrn_model_write(mod, &b, &err) || _spit(path, b.data, b.len) || _spit(jpath, j.data, j.len)) {
            fprintf(stderr, "cannot write the model to %s\n", dir);
            return 1;
        }
        cs_buf_free(&b);
        cs_buf_free(&j);
    } else if (access(jpath, R_OK) != 0) {      /* the peer's view, when it is missing */
        cs_buf j = {0};
        _xgb_json(mod, &j);
        if (_spit(jpath, j.data, j.len)) return 1;
        cs_buf_free(&j);
    }
    omp_set_num_threads(threads);
    size_t d = m->n_feats;
    double t0 = cs_now(), c0 = _cpu();
    shap_explainer *e = shap_explainer_create(mod, &err);
    double load_s = cs_now() - t0;
    double *phi = malloc(nte * d * sizeof *phi), *ref = calloc(nte * d, sizeof *ref);
    double *p = malloc(nte * sizeof *p);
    t0 = cs_now();
    c0 = _cpu();
    if (!e || shap_explain_matrix(e, m, te, nte, phi, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double shap_s = cs_now() - t0, shap_cpu = _cpu() - c0;
    shap_stats st;
    shap_explainer_stats(e, &st);
    /* the recursive algorithm on the same rows and threads */
    int maxd = 0;
    for (int t = 0; t < mod->n_trees; t++) {
        int k = tree_depth(&mod->trees[t]);
        if (k > maxd) maxd = k;
    }
    const char *er = getenv("EXPLAIN_RECURSIVE");
    int do_rec = !er || atoi(er);
    t0 = cs_now();
    c0 = _cpu();
#pragma omp parallel if (do_rec)
    if (do_rec) {
        void *work = malloc(shap_work_size(maxd));
        double *x = malloc(d * sizeof *x);
#pragma omp for schedule(dynamic, 16)
        for (size_t i = 0; i < nte; i++) {
            for (size_t j = 0; j < d; j++) x[j] = feat_col(m, j)[te[i]];
            for (int t = 0; t < mod->n_trees; t++) shap_tree_add(&mod->trees[t], x, 1.0, ref + i * d, work);
        }
        free(work);
        free(x);
    }
    double rec_s = cs_now() - t0, rec_cpu = _cpu() - c0;
    /* additivity on every row, and the engine against the recursive algorithm */
    if (lrn_predict_matrix(mod, m, te, nte, 1, p, &err)) return 1;
    double worst = 0, vs = 0;
    for (size_t i = 0; i < nte; i++) {
        double s = shap_expected_value(e), tot = 0;
        for (size_t j = 0; j < d; j++) {
            s += phi[i * d + j];
            tot += fabs(ref[i * d + j]);
        }
        for (size_t j = 0; do_rec && j < d; j++) vs = fmax(vs, fabs(phi[i * d + j] - ref[i * d + j]) / fmax(1, tot));
        worst = fmax(worst, fabs(s - p[i]));
    }
    if (_spit(ppath, phi, nte * d * sizeof *phi)) return 1;
    size_t leaves = 0;
    for (int t = 0; t < mod->n_trees; t++)
        for (int k = 0; k < mod->trees[t].n_nodes; k++) leaves += mod->trees[t].nodes[k].feature < 0;
    char rec[128] = "";
    if (do_rec) snprintf(rec, sizeof rec, " rec_s=%.3f rec_cpu=%.3f vs_recursive=%.1e", rec_s, rec_cpu, vs);
    printf("side=ours kind=%s threads=%d rows=%zu feats=%zu test=%zu trees=%d leaves=%zu max_path=%d "
           "table_trees=%d direct_trees=%d fit_s=%.1f load_s=%.3f shap_s=%.3f shap_cpu=%.3f%s "
           "additivity=%.1e table_mb=%.1f plan_mb=%.1f\n",
           kind, threads, m->n_rows, d, nte, mod->n_trees, leaves, st.max_path_features, st.n_table_trees,
           st.n_direct_trees, fit_s, load_s, shap_s, shap_cpu, rec, worst, (double)st.table_bytes / 1e6,
           (double)st.plan_bytes / 1e6);
    free(phi);
    free(ref);
    free(p);
    shap_explainer_free(e);
    lrn_model_free(mod);
    return 0;
}

/* explain_bench memory MODEL.csm: the explainer's precomputed memory for a model file,
 * with the default tables (the matrix path) and without (serve's). One key=value line. */
static int _memory(const char *path)
{
    cs_err err = {0};
    mf_model *mf = mf_load(path, &err);
    if (!mf) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    shap_options no = SHAP_OPTIONS_DEFAULT;
    no.table_max_depth = -1;
    double t0 = cs_now();
    shap_explainer *a = shap_explainer_create(mf_learner(mf), &err);
    double ta = cs_now() - t0;
    t0 = cs_now();
    shap_explainer *b = shap_explainer_create_opts(mf_learner(mf), &no, &err);
    double tb = cs_now() - t0;
    if (!a || !b) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    shap_stats sa, sb;
    shap_explainer_stats(a, &sa);
    shap_explainer_stats(b, &sb);
    printf("side=memory trees=%d leaves=%zu max_path=%d table_trees=%d table_mb=%.1f plan_mb=%.1f load_s=%.3f "
           "serve_plan_mb=%.1f serve_load_s=%.3f\n", sa.n_trees, sa.n_leaves, sa.max_path_features,
           sa.n_table_trees, (double)sa.table_bytes / 1e6, (double)sa.plan_bytes / 1e6, ta,
           (double)sb.plan_bytes / 1e6, tb);
    shap_explainer_free(a);
    shap_explainer_free(b);
    mf_free(mf);
    return 0;
}

static int _cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* p50, p99 (microseconds) of CALLS calls of shap_explain_row with explainer e on the rows */
static int _row_times(const shap_explainer *e, const double *rows, size_t n_rows, size_t d, size_t calls,
                      double *p50, double *p99, double *check)
{
    cs_err err = {0};
    double *phi = malloc(d * sizeof *phi), *us = malloc(calls * sizeof *us);
    size_t warm = calls / 10 + 1;
    *check = 0;
    for (size_t i = 0; i < warm + calls; i++) {
        const double *x = rows + (i % n_rows) * d;
        double t0 = cs_now();
        if (shap_explain_row(e, x, phi, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        double t = cs_now() - t0;
        if (i >= warm) us[i - warm] = t * 1e6;
        if (i < n_rows) for (size_t j = 0; j < d; j++) *check += phi[j];
    }
    qsort(us, calls, sizeof *us, _cmp_d);
    *p50 = us[calls / 2];
    *p99 = us[calls * 99 / 100];
    free(phi);
    free(us);
    return 0;
}

/* explain_bench row MODEL.csm CALLS: one-row latency of serve's explainer and of the
 * table explainer; the two must give the same contributions (sum over rows checked). */
static int _row(const char *path, size_t calls)
{
    cs_err err = {0};
    mf_model *mf = mf_load(path, &err);
    if (!mf) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const int64_t *ids;
    const double *target, *values;
    size_t n_all = mf_sample(mf, &ids, &target, &values), n = n_all;
    const lrn_model *mod = mf_learner(mf);
    size_t d = mod->n_feats;
    if (!n || !values) {
        fprintf(stderr, "%s: no reference sample to explain\n", path);
        return 1;
    }
    if (n > 1000) n = 1000;
    double *rows = malloc(n * d * sizeof *rows);      /* the sample is column-major */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) rows[i * d + j] = values[j * n_all + i];
    shap_options no = SHAP_OPTIONS_DEFAULT;
    no.table_max_depth = -1;
    shap_explainer *a = shap_explainer_create_opts(mod, &no, &err);
    shap_explainer *b = shap_explainer_create(mod, &err);
    if (!a || !b) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double a50, a99, b50, b99, ca, cb;
    if (_row_times(a, rows, n, d, calls, &a50, &a99, &ca) || _row_times(b, rows, n, d, calls, &b50, &b99, &cb))
        return 1;
    printf("side=row trees=%d calls=%zu serve_p50_us=%.1f serve_p99_us=%.1f tables_p50_us=%.1f tables_p99_us=%.1f "
           "sum_diff=%.1e\n", mod->n_trees, calls, a50, a99, b50, b99, fabs(ca - cb));
    shap_explainer_free(a);
    shap_explainer_free(b);
    free(rows);
    mf_free(mf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "memory")) return _memory(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "row")) return _row(argv[2], (size_t)atol(argv[3]));
    if (argc < 6) {
        fprintf(stderr, "usage: explain_bench logreg FILE N_TRAIN N_TEST C | shap FILE N_TRAIN N_TEST KIND PARAMS DIR THREADS"
                " | memory MODEL.csm | row MODEL.csm CALLS\n");
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
    } else if (!strcmp(argv[1], "shap") && argc == 9) {
        int rc = _shap(m, tr, ntr, te, nte, argv[5], argv[6], argv[7], atoi(argv[8]));
        if (rc) return rc;
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
