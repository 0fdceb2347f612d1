/*
 * csv_to_csf.c: a test fixture that writes a feature file (.csf) from a CSV of numbers whose
 * first column is the id and second the target (empty = none), the rest the features, as the
 * recipe engine would have computed them (tests/e2e/recipe_features.py makes such a CSV from
 * the credit-risk file with pandas). It lets the end-to-end tests of the commands downstream
 * of `features` (clients import --recipe, train, serve, explain, dashboard) run on a lender's
 * data whatever the feature engine is.
 * usage: csv_to_csf IN.csv OUT.csf
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cs.h"
#include "features/featfile.h"
#include "io/tbl.h"

int main(int argc, char **argv)
{
    cs_err err = {0};
    tbl *t;
    feat_matrix *m;
    if (argc != 3) {
        fprintf(stderr, "usage: csv_to_csf IN.csv OUT.csf\n");
        return 2;
    }
    if (!(t = tbl_read_csv(argv[1], NULL, &err))) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    if (t->n_cols < 3) {
        fprintf(stderr, "%s: id, target and at least one feature expected\n", argv[1]);
        return 1;
    }
    for (int k = 0; k < t->n_cols; k++)
        if (t->cols[k].type != TBL_NUM) {
            fprintf(stderr, "%s: column %s is not numeric\n", argv[1], t->cols[k].name);
            return 1;
        }
    if (!(m = feat_matrix_create(t->n_rows, (size_t)t->n_cols - 2, &err))) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    for (int k = 2; k < t->n_cols; k++) m->names[k - 2] = strdup(t->cols[k].name);
    for (size_t i = 0; i < t->n_rows; i++) {
        m->ids[i] = (int64_t)t->cols[0].num[i];
        m->target[i] = t->cols[1].num[i];
        for (int k = 2; k < t->n_cols; k++) m->values[(size_t)(k - 2) * t->n_rows + i] = t->cols[k].num[i];
    }
    if (feat_file_write(m, argv[2], &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    feat_matrix_free(m);
    tbl_free(t);
    return 0;
}
