/*
 * cmd_features.c: `creditscore features [--recipe FILE] --data DIR --out FILE [--csv FILE]
 * [--spec-out FILE] [--spec FILE]`: read the tables of DIR, compute the features of the
 * recipe (src/features/engine.h; without --recipe the built-in Home Credit kernel recipe, or
 * the one a --spec carries) for every row of the main table and write the binary feature
 * file, optionally the same table as CSV and the feature specification.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "features/engine.h"
#include "features/featfile.h"
#include "features/spec.h"

static void _usage(FILE *out)
{
    fprintf(out,
            "usage: creditscore features [--recipe FILE] --data DIR --out FILE [--csv FILE]\n"
            "                            [--spec-out FILE] [--spec FILE]\n"
            "\n"
            "With --recipe, the tables, columns and features are the recipe's (docs/recipes.md):\n"
            "one row per row of its main table, features named by its rule. Without it, the\n"
            "recipe is the one --spec carries, else the built-in recipes/homecredit-kernel.json:\n"
            "the features of the public kernel \"LightGBM with simple features\" (795 on\n"
            "full-size data) from the Home Credit tables of DIR: application_train.csv and/or\n"
            "application_test.csv (at least one), and the optional bureau.csv,\n"
            "bureau_balance.csv, previous_application.csv, POS_CASH_balance.csv,\n"
            "installments_payments.csv, credit_card_balance.csv (a missing one is an empty\n"
            "table: its block is NaN). One row per application row (train, then test).\n"
            "\n"
            "  --recipe FILE    a feature recipe (recipes/homecredit-kernel.json gives the same\n"
            "                   features as the default); checked before any work\n"
            "  --data DIR       folder of the CSV tables\n"
            "  --out FILE       the binary feature file (.csf) to write\n"
            "  --csv FILE       also write the table as CSV (SK_ID_CURR,TARGET,features...)\n"
            "  --spec-out FILE  write the feature specification (category sets, names)\n"
            "  --spec FILE      apply a saved specification instead of deriving one: same\n"
            "                   columns in the same order; unseen categories are counted and\n"
            "                   reported as warnings\n"
            "  -h, --help       this help\n");
}

/* The recipe engine on recipe file `recipe`, or, when NULL, on the recipe of spec_in, else the
 * built-in kernel recipe (whose summary line counts clients, as before the recipes). */
static int _features(const char *recipe, const char *data, const char *out, const char *csv, const char *spec_out,
                     const char *spec_in)
{
    rcp_recipe *r;
    feat_rdata d = {0};
    feat_spec *spec = NULL, *derived = NULL;
    const feat_spec *used;
    feat_warnings warn;
    feat_matrix *m = NULL;
    cs_progress *prog;
    cs_err err = {0};
    double t0 = cs_now();
    int rc = CLI_EXIT_FAIL;
    size_t n_root = 0;
    const rcp_table *root;
    const char *target_name = "target";

    int builtin = 0;

    if (spec_in && !(spec = feat_spec_load(spec_in, &err))) return cli_fail("features", &err);
    if (recipe) r = rcp_parse_file(recipe, &err);
    else if (spec) r = rcp_parse_string(feat_spec_recipe(spec)->source, feat_spec_recipe(spec)->text,
                                        strlen(feat_spec_recipe(spec)->text), &err);
    else r = feat_kernel_recipe(&err);
    if (!r) {
        feat_spec_free(spec);
        return cli_fail("features", &err);
    }
    builtin = !recipe && !strcmp(r->text, feat_kernel_recipe_json(NULL));
    if (spec) {
        if (strcmp(feat_spec_recipe(spec)->name, r->name)) {
            cs_err_set(&err, CS_EINVAL, "%s is recipe %s's spec, not %s's", spec_in, feat_spec_recipe(spec)->name, r->name);
            goto done;
        }
    }
    if (feat_rdata_read(r, data, &d, stderr, &err)) goto done;
    root = &r->tables[r->root];
    for (int p = 0; p < d.t[r->root].n_parts; p++) n_root += d.t[r->root].parts[p]->n_rows;
    prog = cs_progress_create(stderr, "features", n_root ? n_root : 1);
    m = feat_recipe_compute(r, &d, spec, &derived, out, &warn, prog, &err);
    if (m) {
        char note[64];
        snprintf(note, sizeof note, "%zu %s", m->n_rows, builtin ? "clients" : "rows");
        cs_progress_finish(prog, note);
    }
    cs_progress_free(prog);
    feat_rdata_free(&d);
    if (!m) goto done;
    used = spec ? spec : derived;
    if (warn.total) {
        const rcp_recipe *ur = feat_spec_recipe(used);
        for (int k = 0; k < warn.n_enc; k++) {
            int rt;
            const char *col;
            if (!warn.unseen[k]) continue;
            col = feat_spec_enc(used, k, &rt, NULL, NULL, NULL);
            fprintf(stderr, "creditscore features: warning: %zu rows of %s have a %s never seen in training "
                    "(all its dummies set to 0)\n", warn.unseen[k], rt >= 0 ? ur->tables[rt].name : "?", col);
        }
    }
    for (int k = 0; k < root->n_cols; k++)
        if (root->cols[k].role == RCP_ROLE_TARGET) target_name = root->cols[k].name;
    if (csv && feat_file_write_csv_as(m, csv, strcmp(root->key, RCP_ROW_KEY) ? root->key : "row", target_name, &err))
        goto done;
    if (spec_out && feat_spec_save(used, spec_out, &err)) goto done;
    if (builtin)
        printf("features: %zu clients x %zu features -> %s in %.1f s%s\n", m->n_rows, m->n_feats, out, cs_now() - t0,
               warn.total ? " (with unseen-category warnings)" : "");
    else
        printf("features: %zu rows x %zu features (recipe %s) -> %s in %.1f s%s\n", m->n_rows, m->n_feats, r->name,
               out, cs_now() - t0, warn.total ? " (with unseen-category warnings)" : "");
    rc = CLI_EXIT_OK;
done:
    if (rc != CLI_EXIT_OK) rc = cli_fail("features", &err);
    feat_matrix_free(m);
    feat_spec_free(spec);
    feat_spec_free(derived);
    rcp_free(r);
    return rc;
}

int cmd_features(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"csv", required_argument, NULL, 'c'},
                                         {"spec-out", required_argument, NULL, 'S'},
                                         {"spec", required_argument, NULL, 's'},
                                         {"recipe", required_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *data = NULL, *out = NULL, *csv = NULL, *spec_out = NULL, *spec_in = NULL, *recipe = NULL;
    int opt;

    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': data = optarg; break;
        case 'o': out = optarg; break;
        case 'c': csv = optarg; break;
        case 'S': spec_out = optarg; break;
        case 's': spec_in = optarg; break;
        case 'r': recipe = optarg; break;
        case 'h': _usage(stdout); return CLI_EXIT_OK;
        default:
            return cli_usage_error("features", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("features", "unexpected argument '%s'", argv[optind]);
    if (!data) return cli_usage_error("features", "--data DIR is required");
    if (!out) return cli_usage_error("features", "--out FILE is required");

    return _features(recipe, data, out, csv, spec_out, spec_in);
}
