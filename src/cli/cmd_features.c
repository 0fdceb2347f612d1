/*
 * cmd_features.c: `creditscore features --data DIR --out FILE [--csv FILE]
 * [--spec-out FILE] [--spec FILE]`: read the Home Credit tables of DIR, compute the
 * kernel's features (src/features/kernel.h) for every application row and write the
 * binary feature file, optionally the same table as CSV and the feature specification.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "features/featfile.h"
#include "features/kernel.h"
#include "features/spec.h"

static void _usage(FILE *out)
{
    fprintf(out,
            "usage: creditscore features --data DIR --out FILE [--csv FILE] [--spec-out FILE]\n"
            "                            [--spec FILE]\n"
            "\n"
            "Compute the features of the public kernel \"LightGBM with simple features\" (795 on\n"
            "full-size data) from the Home Credit tables of DIR: application_train.csv and/or\n"
            "application_test.csv (at least one), and the optional bureau.csv,\n"
            "bureau_balance.csv, previous_application.csv, POS_CASH_balance.csv,\n"
            "installments_payments.csv, credit_card_balance.csv (a missing one is an empty\n"
            "table: its block is NaN). One row per application row (train, then test).\n"
            "\n"
            "  --data DIR       folder of the CSV tables\n"
            "  --out FILE       the binary feature file (.csf) to write\n"
            "  --csv FILE       also write the table as CSV (SK_ID_CURR,TARGET,features...)\n"
            "  --spec-out FILE  write the feature specification (category sets, names)\n"
            "  --spec FILE      apply a saved specification instead of deriving one: same\n"
            "                   columns in the same order; unseen categories are counted and\n"
            "                   reported as warnings\n"
            "  -h, --help       this help\n");
}

int cmd_features(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"csv", required_argument, NULL, 'c'},
                                         {"spec-out", required_argument, NULL, 'S'},
                                         {"spec", required_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *data = NULL, *out = NULL, *csv = NULL, *spec_out = NULL, *spec_in = NULL;
    feat_tables tables;
    feat_spec *spec = NULL, *derived = NULL;
    feat_warnings warn;
    feat_matrix *m = NULL;
    cs_progress *prog;
    cs_err err = {0};
    size_t n_app = 0;
    double t0 = cs_now();
    int opt, rc = CLI_EXIT_FAIL;

    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': data = optarg; break;
        case 'o': out = optarg; break;
        case 'c': csv = optarg; break;
        case 'S': spec_out = optarg; break;
        case 's': spec_in = optarg; break;
        case 'h': _usage(stdout); return CLI_EXIT_OK;
        default:
            return cli_usage_error("features", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("features", "unexpected argument '%s'", argv[optind]);
    if (!data) return cli_usage_error("features", "--data DIR is required");
    if (!out) return cli_usage_error("features", "--out FILE is required");

    if (spec_in && !(spec = feat_spec_load(spec_in, &err))) return cli_fail("features", &err);
    if (feat_tables_read(data, &tables, stderr, &err)) {
        feat_spec_free(spec);
        return cli_fail("features", &err);
    }
    for (int a = HC_APPLICATION_TRAIN; a <= HC_APPLICATION_TEST; a++)
        if (tables.t[a]) n_app += tables.t[a]->n_rows;
    prog = cs_progress_create(stderr, "features", n_app ? n_app : 1);
    m = feat_compute_file((const tbl *const *)tables.t, spec, out, &derived, &warn, prog, &err);
    if (m) {
        char note[64];
        snprintf(note, sizeof note, "%zu clients", m->n_rows);
        cs_progress_finish(prog, note);
    }
    cs_progress_free(prog);
    feat_tables_free(&tables);
    if (!m) goto done;
    if (warn.total) {
        const feat_spec *used = spec ? spec : derived;
        for (int k = 0; k < warn.n_enc; k++) {
            hc_table t;
            const char *col;
            if (!warn.unseen[k]) continue;
            col = feat_spec_enc(used, k, &t, NULL, NULL, NULL);
            fprintf(stderr, "creditscore features: warning: %zu rows of %s have a %s never seen in training "
                    "(all its dummies set to 0)\n", warn.unseen[k], hc_file_name(t), col);
        }
    }
    if (csv && feat_file_write_csv(m, csv, &err)) goto done;
    if (spec_out && feat_spec_save(spec ? spec : derived, spec_out, &err)) goto done;
    printf("features: %zu clients x %zu features -> %s in %.1f s%s\n", m->n_rows, m->n_feats, out,
           cs_now() - t0, warn.total ? " (with unseen-category warnings)" : "");
    rc = CLI_EXIT_OK;
done:
    if (rc != CLI_EXIT_OK) rc = cli_fail("features", &err);
    feat_matrix_free(m);
    feat_spec_free(spec);
    feat_spec_free(derived);
    return rc;
}
