/*
 * cmd_clients.c: `creditscore clients import`: build the clients store the API reads
 * (feature vectors + the raw application fields the dashboard shows).
 */
#include "cli.h"
#include "../features/featfile.h"
#include "../io/hc_schema.h"
#include "../store/clients.h"

#include <getopt.h>
#include <string.h>
#include <unistd.h>

static void _help(FILE *out)
{
    fprintf(out, "usage: creditscore clients import --features FILE --data DIR --out FILE\n"
           "\n"
           "Build the clients store of the API: for each client of the feature file, its feature\n"
           "vector and the raw application fields (age, children, income, employment, credit,\n"
           "annuity, goods price, ...) read from DIR/application_train.csv and\n"
           "DIR/application_test.csv (whichever exist).\n"
           "\n"
           "  --features FILE   feature file (.csf) written by creditscore features\n"
           "  --data DIR        folder of the raw tables\n"
           "  --out FILE        the SQLite store to write (replaced atomically)\n");
}

static int _import(int argc, char **argv)
{
    static const struct option opts[] = {{"features", required_argument, 0, 'f'},
                                         {"data", required_argument, 0, 'd'},
                                         {"out", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *features = NULL, *data = NULL, *out = NULL;
    const hc_table which[2] = {HC_APPLICATION_TRAIN, HC_APPLICATION_TEST};
    tbl *apps[2] = {NULL, NULL};
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
        case 'h': _help(stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("clients import", "unknown option");
        }
    }
    if (optind < argc) return cli_usage_error("clients import", "unexpected argument '%s'", argv[optind]);
    if (!features || !data || !out) return cli_usage_error("clients import", "--features, --data and --out are required");
    if (!(m = feat_file_load(features, &err))) return cli_fail("clients import", &err);
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
    printf("clients import: %zu clients, %zu features -> %s (%.1fs)\n", m->n_rows, m->n_feats, out, cs_now() - t0);
done:
    cs_progress_free(p);
    for (int k = 0; k < n_apps; k++) tbl_free(apps[k]);
    feat_matrix_free(m);
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
