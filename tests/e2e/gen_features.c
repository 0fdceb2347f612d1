/*
 * gen_features.c: writes a small synthetic feature file (.csf) for the end-to-end tests of
 * train/compare/predict: N rows (the last N_TEST without target), F features of which the
 * first three drive the default probability; NaNs in feature 1, an infinity in feature 2.
 * usage: gen_features OUT N F N_TEST SEED [SHUFFLE]  (SHUFFLE=1 reverses the column order)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cs.h"
#include "features/featfile.h"

int main(int argc, char **argv)
{
    cs_err err = {0};
    if (argc < 6) {
        fprintf(stderr, "usage: gen_features OUT N F N_TEST SEED [SHUFFLE]\n");
        return 2;
    }
    size_t n = (size_t)atol(argv[2]), f = (size_t)atol(argv[3]), nt = (size_t)atol(argv[4]);
    int shuffle = argc > 6 && atoi(argv[6]);
    cs_rng r;
    cs_rng_seed(&r, (uint64_t)atoll(argv[5]));
    feat_matrix *m = feat_matrix_create(n, f, &err);
    if (!m || f < 3) return 1;
    for (size_t j = 0; j < f; j++) {
        char name[32];
        size_t src = shuffle ? f - 1 - j : j;
        snprintf(name, sizeof name, src == 0 ? "EXT_SOURCE_1" : src == 1 ? "EXT_SOURCE_2" : "F_%zu", src);
        m->names[j] = strdup(name);
    }
    double *x = malloc(f * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        m->ids[i] = 100000 + (int64_t)i;
        for (size_t j = 0; j < f; j++) x[j] = cs_rng_normal(&r);
        double z = -2.5 - 1.2 * x[0] - 0.8 * x[1] + 0.6 * x[2] * x[2];
        double y = cs_rng_uniform(&r) < 1 / (1 + exp(-z)) ? 1 : 0;
        if (i % 7 == 3) x[1] = NAN;
        if (i == 5) x[2] = INFINITY;
        for (size_t j = 0; j < f; j++) {
            size_t col = shuffle ? f - 1 - j : j;
            m->values[col * n + i] = x[j];
        }
        m->target[i] = i + nt < n ? y : NAN;
    }
    free(x);
    if (feat_file_write(m, argv[1], &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    feat_matrix_free(m);
    return 0;
}
