/*
 * api_export.c: print a model file's scoring parts as JSON (trees, base score,
 * calibration, threshold, feature names), for the FastAPI peer of bench_api.sh, which
 * re-implements tree prediction from it. Numbers are written to round-trip exactly.
 *
 *   api_export MODEL.csm > model.json
 */
#include <stdio.h>
#include <stdlib.h>

#include "model/model.h"

static void num(double v)
{
    char b[40];
    if (v != v) { fputs("null", stdout); return; }
    if (v - v != 0) { fputs(v > 0 ? "1e999" : "-1e999", stdout); return; }   /* Python json reads inf */
    cs_fmt_double(b, sizeof b, v);
    fputs(b, stdout);
}

int main(int argc, char **argv)
{
    cs_err err = {0};
    mf_model *m;
    const lrn_model *l;
    const ev_calib *c;
    if (argc != 2) {
        fprintf(stderr, "usage: api_export MODEL.csm\n");
        return 2;
    }
    if (!(m = mf_load(argv[1], &err))) {
        fprintf(stderr, "api_export: %s\n", err.msg);
        return 1;
    }
    l = mf_learner(m);
    c = mf_calib(m);
    if (l->n_trees == 0 || l->lin_coef) {
        fprintf(stderr, "api_export: %s is not a tree model\n", argv[1]);
        return 1;
    }
    printf("{\"name\": \"%s\", \"version\": \"%s\", \"n_feats\": %zu, \"average\": %d, \"base_score\": ", mf_name(m),
           mf_version(m), mf_n_feats(m), l->average);
    num(l->base_score);
    printf(", \"threshold\": ");
    num(mf_threshold(m));
    printf(", \"calibration\": {\"kind\": \"%s\"", ev_calib_kind_name(ev_calib_kind_of(c)));
    if (ev_calib_kind_of(c) == EV_CALIB_PLATT) {
        double a, b;
        ev_calib_platt_params(c, &a, &b, NULL);
        printf(", \"a\": "); num(a);
        printf(", \"b\": "); num(b);
    } else if (ev_calib_kind_of(c) == EV_CALIB_ISOTONIC) {
        const double *x, *y;
        size_t n = ev_calib_isotonic_points(c, &x, &y);
        printf(", \"x\": [");
        for (size_t i = 0; i < n; i++) { if (i) putchar(','); num(x[i]); }
        printf("], \"y\": [");
        for (size_t i = 0; i < n; i++) { if (i) putchar(','); num(y[i]); }
        printf("]");
    }
    printf("}, \"features\": [");
    for (size_t j = 0; j < mf_n_feats(m); j++) printf("%s\"%s\"", j ? "," : "", mf_feat_name(m, j));
    printf("], \"trees\": [");
    for (int32_t t = 0; t < l->n_trees; t++) {
        const tree *tr = &l->trees[t];
        const char *keys[] = {"feature", "left", "right", "default_left", "threshold", "value"};
        printf("%s{", t ? "," : "");
        for (int k = 0; k < 6; k++) {
            printf("%s\"%s\": [", k ? ", " : "", keys[k]);
            for (int32_t i = 0; i < tr->n_nodes; i++) {
                const tree_node *n = &tr->nodes[i];
                if (i) putchar(',');
                switch (k) {
                case 0: printf("%d", n->feature); break;
                case 1: printf("%d", n->left); break;
                case 2: printf("%d", n->right); break;
                case 3: printf("%d", n->default_left); break;
                case 4: num(n->threshold); break;
                default: num(n->value); break;
                }
            }
            putchar(']');
        }
        putchar('}');
    }
    printf("]}\n");
    mf_free(m);
    return 0;
}
