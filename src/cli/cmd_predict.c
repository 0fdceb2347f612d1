/*
 * cmd_predict.c: `creditscore predict --model M --features FILE --out scores.csv`: score
 * every row of a feature file with a model file: calibrated probability of default and
 * the decision at the model's threshold.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "features/featfile.h"
#include "model/model.h"

static void _usage(FILE *out)
{
    fprintf(out,
            "usage: creditscore predict --model MODEL --features FILE --out CSV\n"
            "\n"
            "Score every row of a feature file. Columns are matched to the model's features by\n"
            "name (extra columns are ignored, a missing one is an error). CSV receives\n"
            "ID,probability,decision: the row's id under its recipe's name for it (the key\n"
            "column, e.g. SK_ID_CURR; 'row' when the recipe numbers the rows), the calibrated\n"
            "probability of default (full precision) and 'refuse' when it is at or above the\n"
            "model's threshold, else 'approve' (the API's spelling).\n"
            "\n"
            "  --model MODEL    model file from 'creditscore train'\n"
            "  --features FILE  feature file (.csf)\n"
            "  --out CSV        scores to write ('-' for standard output)\n"
            "  -h, --help       this help\n");
}

static int _write(const char *path, const char *id_name, const feat_matrix *fm, const double *p,
                  const mf_model *m, size_t *n_refused, cs_err *err)
{
    int to_stdout = !strcmp(path, "-");
    char *tmp = NULL;
    FILE *f;
    char num[40];
    *n_refused = 0;
    if (to_stdout) {
        f = stdout;
    } else {
        tmp = malloc(strlen(path) + 32);
        if (!tmp) return cs_err_set(err, CS_ENOMEM, "out of memory");
        sprintf(tmp, "%s.tmp.%ld", path, (long)getpid());
        f = fopen(tmp, "w");
        if (!f) {
            cs_err_set(err, CS_EIO, "%s: cannot create (%s)", path, strerror(errno));
            free(tmp);
            return -1;
        }
    }
    cs_csv_field(f, id_name);
    fputs(",probability,decision\n", f);
    for (size_t i = 0; i < fm->n_rows; i++) {
        int refused = mf_decide(m, p[i]);
        *n_refused += (size_t)refused;
        cs_fmt_double(num, sizeof num, p[i]);
        fprintf(f, "%lld,%s,%s\n", (long long)fm->ids[i], num, mf_decision_word(refused));
    }
    if (to_stdout) {
        if (fflush(f) == 0) return 0;
        cs_err_set(err, CS_EIO, "standard output: write failed");
        return -1;
    }
    cs_status st = cs_file_commit(f, tmp, path, err);   /* fsync'ed, renamed, its folder fsync'ed */
    free(tmp);
    return st ? -1 : 0;
}

int cmd_predict(int argc, char **argv)
{
    static const struct option opts[] = {{"model", required_argument, NULL, 'm'},
                                         {"features", required_argument, NULL, 'f'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *model = NULL, *features = NULL, *out = NULL;
    mf_model *m = NULL;
    feat_matrix *fm = NULL;
    double *p = NULL;
    cs_err err = {0};
    char id_name[256];
    size_t n_refused = 0;
    double t0 = cs_now();
    int opt, rc = CLI_EXIT_FAIL;

    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'm': model = optarg; break;
        case 'f': features = optarg; break;
        case 'o': out = optarg; break;
        case 'h': _usage(stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("predict", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("predict", "unexpected argument '%s'", argv[optind]);
    if (!model) return cli_usage_error("predict", "--model MODEL is required");
    if (!features) return cli_usage_error("predict", "--features FILE is required");
    if (!out) return cli_usage_error("predict", "--out CSV is required");

    if (!(m = mf_load(model, &err)) || !(fm = feat_file_load(features, &err))) {
        rc = cli_fail("predict", &err);
        goto done;
    }
    p = cs_malloc((fm->n_rows ? fm->n_rows : 1) * sizeof *p, &err);
    if (!p || mf_predict_matrix(m, fm, p, &err)) {
        cs_err_prefix(&err, "%s: ", features);
        rc = cli_fail("predict", &err);
        goto done;
    }
    if (cli_id_name(m, id_name, sizeof id_name, &err) || _write(out, id_name, fm, p, m, &n_refused, &err)) {
        rc = cli_fail("predict", &err);
        goto done;
    }
    fprintf(strcmp(out, "-") ? stdout : stderr,
            "scored %zu clients with %s (%s): %zu refused (%.1f%%) at threshold %.4f in %.2f s -> %s\n",
            fm->n_rows, model, mf_name(m), n_refused, fm->n_rows ? 100.0 * (double)n_refused / (double)fm->n_rows : 0.0,
            mf_threshold(m), cs_now() - t0, out);
    rc = CLI_EXIT_OK;
done:
    free(p);
    feat_matrix_free(fm);
    mf_free(m);
    return rc;
}
