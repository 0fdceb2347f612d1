/*
 * binning_driver.c: a small driver for the binning oracle (tests/oracle/test_binning.sh).
 * Reads rows "y,x" on stdin (an empty field or "nan" is missing) and bins x
 * (src/learn/binning.h) with the default options and
 *   binning_driver CATEGORICAL [SPECIAL,...] [TREND]
 * then prints "table <the binning table as JSON>" and "bin i b" for every row (the bin
 * bn_bin_of gives row i's value). Built by the oracle script against the layer archives.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cs.h"
#include "learn/binning.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: binning_driver CATEGORICAL [SPECIALS] [TREND]\n");
        return 2;
    }
    bn_opts o = BN_OPTS_DEFAULT;
    int cat = atoi(argv[1]);
    cs_err err = {0};
    if (argc > 2 && *argv[2]) {
        char *s = argv[2];
        while (*s && o.n_special < BN_MAX_SPECIAL) {
            o.special[o.n_special++] = strtod(s, &s);
            if (*s == ',') s++;
        }
    }
    if (argc > 3 && bn_trend_from_name(argv[3], &o.trend, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    size_t n = 0, cap = 1024;
    double *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y);
    char line[256];
    while (fgets(line, sizeof line, stdin)) {
        char *c = strchr(line, ',');
        if (!c) continue;
        if (n == cap) {
            cap *= 2;
            x = realloc(x, cap * sizeof *x);
            y = realloc(y, cap * sizeof *y);
        }
        y[n] = strtod(line, NULL);
        char *v = c + 1;
        x[n] = (*v == '\n' || *v == '\0' || !strncmp(v, "nan", 3)) ? NAN : strtod(v, NULL);
        n++;
    }
    bn_feature *f;
    if (bn_fit_values(x, y, n, cat, &o, "x", &f, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    cs_buf b = {0};
    if (bn_table_write(f, BN_FMT_JSON, 0, &b, &err)) return 1;
    printf("table %s\n", b.data);
    for (size_t i = 0; i < n; i++) printf("bin %zu %zu\n", i, bn_bin_of(f, x[i]));
    cs_buf_free(&b);
    bn_feature_free(f);
    free(x);
    free(y);
    return 0;
}
