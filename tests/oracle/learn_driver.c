/*
 * learn_driver.c: a small driver for the oracle tests of the logistic regression and the
 * XGBoost bridge + TreeSHAP (tests/oracle/test_logreg.sh, test_treeshap.sh). Reads rows
 * "y,x1,...,xd" on stdin (an empty field or "nan" is missing, "inf"/"-inf" infinite) and
 * prints, in full precision:
 *   logreg C BALANCED       "median j v", "mean j v", "scale j v", "coef j v", "intercept v",
 *                           "iter n", then "proba i v" for every row (lr.h)
 *   xgb PARAMS_JSON OUT     trains through the learner interface's xgboost parameters
 *                           (xgb_fit), writes libxgboost's JSON model to OUT, and prints
 *                           "expected v", "raw i v" and "shap i j v" for every row, from our
 *                           converted trees (explain/shap.h)
 *   KIND PARAMS_JSON        KIND gbdt | xgb | forest: fits through the learner interface
 *                           (lrn_fit) and prints "base v", every node "node t i feature left
 *                           right default_left threshold value cover", then "expected v",
 *                           "raw i v" and "shap i j v" for every row (matrix path) and
 *                           "shaprow i j v" for every 7th row (one-row path)
 * Built by the oracle scripts against the build's layer archives.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cs.h"
#include "explain/shap.h"
#include "features/featfile.h"
#include "learn/learner.h"
#include "learn/lr.h"
#include "learn/xgb.h"

static void pr(const char *name, long i, long j, double v)
{
    char b[40];
    cs_fmt_double(b, sizeof b, v);
    if (i < 0) printf("%s %s\n", name, b);
    else if (j < 0) printf("%s %ld %s\n", name, i, b);
    else printf("%s %ld %ld %s\n", name, i, j, b);
}

/* The rows of stdin as a feature matrix (column-major). */
static feat_matrix *_read(void)
{
    size_t n = 0, cap = 1024, d = 0;
    double *rows = NULL;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, stdin)) > 0) {
        if (line[len - 1] == '\n') line[--len] = '\0';
        if (!len) continue;
        size_t k = 1;
        for (char *c = line; *c; c++) k += *c == ',';
        if (!d) {
            d = k - 1;
            rows = malloc(cap * k * sizeof *rows);
        } else if (k != d + 1) {
            fprintf(stderr, "line %zu: %zu fields, expected %zu\n", n + 1, k, d + 1);
            exit(2);
        }
        if (n == cap) rows = realloc(rows, (cap *= 2) * (d + 1) * sizeof *rows);
        char *s = line;
        for (size_t f = 0; f <= d; f++) {
            char *end = strchr(s, ',');
            if (end) *end = '\0';
            rows[n * (d + 1) + f] = *s ? strtod(s, NULL) : NAN;
            s = end ? end + 1 : s + strlen(s);
        }
        n++;
    }
    free(line);
    feat_matrix *m = feat_matrix_create(n, d, NULL);
    if (!m) exit(2);
    for (size_t j = 0; j < d; j++) {
        char nm[32];
        snprintf(nm, sizeof nm, "f%zu", j);
        m->names[j] = strdup(nm);
    }
    for (size_t i = 0; i < n; i++) {
        m->ids[i] = (int64_t)i;
        m->target[i] = rows[i * (d + 1)];
        for (size_t j = 0; j < d; j++) m->values[j * n + i] = rows[i * (d + 1) + 1 + j];
    }
    free(rows);
    return m;
}

static int _logreg(double C, int balanced)
{
    feat_matrix *m = _read();
    lr_params p = LR_PARAMS_DEFAULT;
    p.C = C;
    p.balanced = balanced;
    p.max_iter = 100000;
    p.tol = 1e-11;
    cs_err err = {0};
    lr_model *mdl = lr_fit(m, NULL, 0, &p, NULL, NULL, &err);
    if (!mdl) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    for (size_t j = 0; j < m->n_feats; j++) {
        pr("median", (long)j, -1, mdl->median[j]);
        pr("mean", (long)j, -1, mdl->mean[j]);
        pr("scale", (long)j, -1, mdl->scale[j]);
        pr("coef", (long)j, -1, mdl->coef[j]);
    }
    pr("intercept", -1, -1, mdl->intercept);
    printf("iter %d\n", mdl->n_iter);
    double *proba = malloc(m->n_rows * sizeof *proba);
    if (lr_predict(mdl, m, NULL, 0, proba, &err)) return 1;
    for (size_t i = 0; i < m->n_rows; i++) pr("proba", (long)i, -1, proba[i]);
    free(proba);
    lr_model_free(mdl);
    feat_matrix_free(m);
    return 0;
}

static int _xgb(const char *params, const char *out_path)
{
    feat_matrix *m = _read();
    cs_err err = {0};
    lrn_params *lp = lrn_params_from_json(LRN_XGBOOST, params, &err);
    if (!lp) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    size_t *rows = malloc(m->n_rows * sizeof *rows);
    for (size_t i = 0; i < m->n_rows; i++) rows[i] = i;
    lrn_model *mod = NULL;
    char *json = NULL;
    if (xgb_fit(lrn_params_raw_const(lp), m, rows, m->n_rows, NULL, 0, NULL, NULL, &mod, &json,
                &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    FILE *f = fopen(out_path, "w");
    if (!f || fputs(json, f) < 0 || fclose(f)) {
        fprintf(stderr, "cannot write %s\n", out_path);
        return 1;
    }
    shap_explainer *e = shap_explainer_create(mod, &err);
    size_t d = m->n_feats;
    double *phi = malloc(m->n_rows * d * sizeof *phi), *raw = malloc(m->n_rows * sizeof *raw);
    if (!e || shap_explain_matrix(e, m, NULL, 0, phi, &err) ||
        lrn_predict_matrix(mod, m, NULL, 0, 1, raw, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    pr("expected", -1, -1, shap_expected_value(e));
    for (size_t i = 0; i < m->n_rows; i++) {
        pr("raw", (long)i, -1, raw[i]);
        for (size_t j = 0; j < d; j++) pr("shap", (long)i, (long)j, phi[i * d + j]);
    }
    free(phi);
    free(raw);
    free(rows);
    free(json);
    shap_explainer_free(e);
    lrn_model_free(mod);
    lrn_params_free(lp);
    feat_matrix_free(m);
    return 0;
}

static int _fit(const char *kind, const char *params)
{
    feat_matrix *m = _read();
    cs_err err = {0};
    lrn_kind k = !strcmp(kind, "gbdt") ? LRN_GBDT : !strcmp(kind, "forest") ? LRN_FOREST : LRN_XGBOOST;
    lrn_params *lp = lrn_params_from_json(k, params, &err);
    size_t *rows = malloc(m->n_rows * sizeof *rows);
    for (size_t i = 0; i < m->n_rows; i++) rows[i] = i;
    lrn_model *mod = NULL;
    if (!lp || lrn_fit(lp, m, rows, m->n_rows, NULL, 0, NULL, &mod, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    pr("base", -1, -1, mod->base_score);
    char b[3][40];
    for (int32_t t = 0; t < mod->n_trees; t++)
        for (int32_t i = 0; i < mod->trees[t].n_nodes; i++) {
            const tree_node *nd = &mod->trees[t].nodes[i];
            cs_fmt_double(b[0], sizeof b[0], nd->threshold);
            cs_fmt_double(b[1], sizeof b[1], nd->value);
            cs_fmt_double(b[2], sizeof b[2], nd->cover);
            printf("node %d %d %d %d %d %d %s %s %s\n", (int)t, (int)i, (int)nd->feature, (int)nd->left,
                   (int)nd->right, (int)nd->default_left, b[0], b[1], b[2]);
        }
    shap_explainer *e = shap_explainer_create(mod, &err);
    size_t d = m->n_feats;
    double *phi = malloc(m->n_rows * d * sizeof *phi), *raw = malloc(m->n_rows * sizeof *raw);
    double *x = malloc(d * sizeof *x), *one = malloc(d * sizeof *one);
    if (!e || shap_explain_matrix(e, m, NULL, 0, phi, &err) ||
        lrn_predict_matrix(mod, m, NULL, 0, 1, raw, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    shap_stats st;
    shap_explainer_stats(e, &st);
    fprintf(stderr, "learn_driver: %d trees (%d table, %d direct, %d recursive), %zu leaves, up to %d features "
            "on a path, tables %zu bytes\n", st.n_trees, st.n_table_trees, st.n_direct_trees,
            st.n_classic_trees, st.n_leaves, st.max_path_features, st.table_bytes);
    pr("expected", -1, -1, shap_expected_value(e));
    for (size_t i = 0; i < m->n_rows; i++) {
        pr("raw", (long)i, -1, raw[i]);
        for (size_t j = 0; j < d; j++) pr("shap", (long)i, (long)j, phi[i * d + j]);
        if (i % 7) continue;
        for (size_t j = 0; j < d; j++) x[j] = feat_col(m, j)[i];
        if (shap_explain_row(e, x, one, &err)) return 1;
        for (size_t j = 0; j < d; j++) pr("shaprow", (long)i, (long)j, one[j]);
    }
    free(x);
    free(one);
    free(phi);
    free(raw);
    free(rows);
    shap_explainer_free(e);
    lrn_model_free(mod);
    lrn_params_free(lp);
    feat_matrix_free(m);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && (!strcmp(argv[1], "gbdt") || !strcmp(argv[1], "xgb") || !strcmp(argv[1], "forest")))
        return _fit(argv[1], argv[2]);
    if (argc == 4 && !strcmp(argv[1], "logreg")) return _logreg(atof(argv[2]), atoi(argv[3]));
    if (argc == 4 && !strcmp(argv[1], "xgb")) return _xgb(argv[2], argv[3]);
    fprintf(stderr, "usage: learn_driver logreg C BALANCED | xgb PARAMS_JSON OUT.json | gbdt|xgb|forest PARAMS_JSON < rows.csv\n");
    return 2;
}
