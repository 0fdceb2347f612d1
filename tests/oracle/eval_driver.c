/*
 * eval_driver.c: a small driver for the oracle tests of src/eval. Reads "y,p" lines on
 * stdin and prints, in full precision, what the mode asks for:
 *   metrics            auc gini ks log_loss brier (one per line, "name value")
 *   isotonic|platt Q   the calibrated value of each of the Q query points read after the
 *                      data (a line "--" separates them); platt prints "a b" first
 *   folds K SEED       the fold of each row
 *   threshold FN FP    the optimal threshold and its cost
 * Built by tests/oracle/test_metrics.sh against the build's base and eval objects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cs.h"
#include "eval/calib.h"
#include "eval/cv.h"
#include "eval/metrics.h"
#include "eval/threshold.h"

static void pr(const char *name, double v)
{
    char b[40];
    cs_fmt_double(b, sizeof b, v);
    printf("%s %s\n", name, b);
}

int main(int argc, char **argv)
{
    size_t n = 0, cap = 1024, nq = 0;
    double *y = malloc(cap * sizeof *y), *p = malloc(cap * sizeof *p), *q = malloc(cap * sizeof *q);
    char line[256];
    int queries = 0;
    if (argc < 2) return 2;
    while (fgets(line, sizeof line, stdin)) {
        if (!strncmp(line, "--", 2)) {
            queries = 1;
            continue;
        }
        if (n == cap || nq == cap) {
            cap *= 2;
            y = realloc(y, cap * sizeof *y);
            p = realloc(p, cap * sizeof *p);
            q = realloc(q, cap * sizeof *q);
        }
        if (queries) q[nq++] = strtod(line, NULL);
        else if (sscanf(line, "%lf,%lf", &y[n], &p[n]) == 2) n++;
    }
    if (!strcmp(argv[1], "metrics")) {
        double auc = ev_auc(y, p, n);
        pr("auc", auc);
        pr("gini", ev_gini(auc));
        pr("ks", ev_ks(y, p, n));
        pr("log_loss", ev_log_loss(y, p, n));
        pr("brier", ev_brier(y, p, n));
    } else if (!strcmp(argv[1], "isotonic") || !strcmp(argv[1], "platt")) {
        cs_err err = {0};
        ev_calib *c = ev_calib_fit(argv[1][0] == 'i' ? EV_CALIB_ISOTONIC : EV_CALIB_PLATT, y, p, n, &err);
        if (!c) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        if (argv[1][0] == 'p') {
            double a, b;
            ev_calib_platt_params(c, &a, &b, NULL);
            pr("a", a);
            pr("b", b);
        }
        for (size_t i = 0; i < nq; i++) pr("q", ev_calib_apply(c, q[i]));
        ev_calib_free(c);
    } else if (!strcmp(argv[1], "folds") && argc == 4) {
        int *f = malloc(n * sizeof *f);
        cs_err err = {0};
        if (ev_stratified_folds(y, n, atoi(argv[2]), strtoull(argv[3], NULL, 10), f, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        for (size_t i = 0; i < n; i++) printf("%d\n", f[i]);
        free(f);
    } else if (!strcmp(argv[1], "threshold") && argc == 4) {
        ev_cost_weights w = {atof(argv[2]), atof(argv[3])};
        double t, c;
        if (ev_best_threshold(y, p, n, w, &t, &c, NULL)) return 1;
        pr("threshold", t);
        pr("cost", c);
    } else {
        return 2;
    }
    free(y), free(p), free(q);
    return 0;
}
