/*
 * cmd_clients.c: `creditscore clients import`: build the clients store the API reads
 * (feature vectors + the raw fields the dashboard's client card shows): Home Credit's
 * application fields, or with --recipe the recipe's profile fields with their labels and
 * units (docs/recipes.md).
 */
#include "cli.h"
#include "../features/featfile.h"
#include "../io/hc_schema.h"
#include "../recipe/recipe.h"
#include "../store/clients.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void _help(FILE *out)
{
    fprintf(out, "usage: creditscore clients import --features FILE --data DIR [--recipe RECIPE.json] --out FILE|URL\n"
           "\n"
           "Build the clients store of the API: for each client of the feature file, its feature\n"
           "vector and the raw fields its client card shows. Without --recipe: Home Credit's\n"
           "application fields (age, children, income, employment, credit, annuity, goods price,\n"
           "...) read from DIR/application_train.csv and DIR/application_test.csv (whichever\n"
           "exist). With --recipe: the recipe's profile fields (profile: true), read from its\n"
           "root table's files in DIR and joined on its key (or the row number for \"@row\"),\n"
           "with their labels and units; days before the application are kept in years.\n"
           "\n"
           "  --features FILE   feature file (.csf) written by creditscore features\n"
           "  --data DIR        folder of the raw tables\n"
           "  --recipe FILE     the recipe the features were computed with (docs/recipes.md)\n"
           "  --out FILE|URL    the SQLite store to write, or a PostgreSQL database\n"
           "                    (postgresql://user@host:5432/db: tables clients, clients_meta,\n"
           "                    clients_features, clients_fields); replaced atomically\n");
}

/* The unit a recipe field is shown in, as the clients store keeps it (days before the
 * application are stored as years). */
static const char *_store_unit(rcp_unit u, const char *currency)
{
    switch (u) {
    case RCP_UNIT_CURRENCY: return currency ? currency : "currency";
    case RCP_UNIT_AGE_DAYS:
    case RCP_UNIT_DURATION_DAYS:
    case RCP_UNIT_YEARS: return "years";
    case RCP_UNIT_NONE: return NULL;
    default: return rcp_unit_name(u);
    }
}

/* Read the recipe's root files from data into tables (n_tables set) and its profile fields
 * into fields (n_fields set; strings borrowed from r). */
static cs_status _recipe_fields(const rcp_recipe *r, const char *data, tbl **tables, int *n_tables, store_field *fields,
                                int *n_fields, cs_err *err)
{
    const rcp_table *root = &r->tables[r->root];
    const rcp_column *cols[STORE_MAX_FIELDS];
    int n;
    *n_tables = 0;
    *n_fields = 0;
    if (root->n_files > 8) return cs_err_set(err, CS_EINVAL, "%s: at most 8 files in the root table", r->source);
    for (int f = 0; f < root->n_files; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", data, root->files[f]);
        if (access(path, R_OK) != 0) continue;
        if (!(tables[*n_tables] = tbl_read_csv(path, NULL, err))) return err->code;
        (*n_tables)++;
    }
    if (!*n_tables)
        return cs_err_set(err, CS_EIO, "%s: no file of table %s in %s (%s%s)", r->source, root->name, data, root->files[0],
                          root->n_files > 1 ? ", ..." : "");
    n = rcp_profile_fields(r, cols, STORE_MAX_FIELDS);
    if (n > STORE_MAX_FIELDS) return cs_err_set(err, CS_EINVAL, "%s: more than %d profile fields", r->source, STORE_MAX_FIELDS);
    for (int k = 0; k < n; k++) {
        const rcp_column *c = cols[k];
        const tbl_column *tc = tbl_col(tables[0], c->name);
        store_field *f = &fields[k];
        memset(f, 0, sizeof *f);
        f->name = c->name;
        f->source = c->name;
        /* a column read as text is shown as text (a Y/N flag, a category), else a number */
        f->is_text = tc ? tc->type == TBL_CAT : c->role == RCP_ROLE_CATEGORICAL;
        f->scale = c->unit == RCP_UNIT_AGE_DAYS || c->unit == RCP_UNIT_DURATION_DAYS ? -1.0 / 365.25 : 1.0;
        f->n_sentinels = c->n_sentinels < STORE_FIELD_MAX_SENTINELS ? c->n_sentinels : STORE_FIELD_MAX_SENTINELS;
        for (int i = 0; i < f->n_sentinels; i++) f->sentinels[i] = c->sentinels[i];
        f->label_en = c->label.en ? c->label.en : c->name;
        f->label_fr = c->label.fr ? c->label.fr : f->label_en;
        f->unit = f->is_text ? NULL : _store_unit(c->unit, r->currency);
    }
    *n_fields = n;
    return CS_OK;
}

static int _import(int argc, char **argv)
{
    static const struct option opts[] = {{"features", required_argument, 0, 'f'},
                                         {"data", required_argument, 0, 'd'},
                                         {"out", required_argument, 0, 'o'},
                                         {"recipe", required_argument, 0, 'r'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *features = NULL, *data = NULL, *out = NULL, *recipe = NULL;
    const hc_table which[2] = {HC_APPLICATION_TRAIN, HC_APPLICATION_TEST};
    tbl *apps[8] = {NULL};
    rcp_recipe *r = NULL;
    store_field fields[STORE_MAX_FIELDS];
    int n_fields = 0;
    int n_apps = 0, c, rc = CLI_EXIT_OK;
    feat_matrix *m = NULL;
    cs_progress *p = NULL;
    cs_err err = {0};
    double t0 = cs_now();
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f': features = optarg; break;
        case 'd': data = optarg; break;
        case 'o': out = optarg; break;
        case 'r': recipe = optarg; break;
        case 'h': _help(stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("clients import", "unknown option");
        }
    }
    if (optind < argc) return cli_usage_error("clients import", "unexpected argument '%s'", argv[optind]);
    if (!features || !data || !out) return cli_usage_error("clients import", "--features, --data and --out are required");
    if (recipe && !(r = rcp_parse_file(recipe, &err))) return cli_fail("clients import", &err);
    if (!(m = feat_file_load(features, &err))) {
        rcp_free(r);
        return cli_fail("clients import", &err);
    }
    if (r) {
        const rcp_table *root = &r->tables[r->root];
        const char *key = strcmp(root->key, "@row") ? root->key : NULL;
        if (_recipe_fields(r, data, apps, &n_apps, fields, &n_fields, &err)) {
            rc = cli_fail("clients import", &err);
            goto done;
        }
        p = cs_progress_create(stderr, "clients", m->n_rows);
        if (store_clients_import_fields(out, m, fields, n_fields, (const tbl *const *)apps, n_apps, key, p, &err) !=
            CS_OK) {
            rc = cli_fail("clients import", &err);
            goto done;
        }
    } else {
        for (int k = 0; k < 2; k++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", data, hc_file_name(which[k]));
            if (access(path, R_OK) != 0) continue;
            if (!(apps[n_apps] = tbl_read_csv(path, hc_schema(which[k]), &err))) {
                rc = cli_fail("clients import", &err);
                goto done;
            }
            n_apps++;
        }
        if (!n_apps) {
            cs_err_set(&err, CS_EIO, "%s: no application_train.csv or application_test.csv", data);
            rc = cli_fail("clients import", &err);
            goto done;
        }
        p = cs_progress_create(stderr, "clients", m->n_rows);
        if (store_clients_import(out, m, (const tbl *const *)apps, n_apps, p, &err) != CS_OK) {
            rc = cli_fail("clients import", &err);
            goto done;
        }
        n_fields = FEAT_KERNEL_N_PROFILE;
    }
    printf("clients import: %zu clients, %zu features, %d raw fields%s -> %s (%.1fs)\n", m->n_rows, m->n_feats, n_fields,
           r ? " (the recipe's profile fields)" : "", out, cs_now() - t0);
done:
    cs_progress_free(p);
    for (int k = 0; k < n_apps; k++) tbl_free(apps[k]);
    feat_matrix_free(m);
    rcp_free(r);
    return rc;
}

int cmd_clients(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        _help(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "import")) return _import(argc - 1, argv + 1);
    return cli_usage_error("clients", "unknown action '%s' (expected import)", argv[1]);
}
