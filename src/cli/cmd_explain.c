/*
 * cmd_explain.c: `creditscore explain --model M --features FILE --out contributions.csv
 * [--top K] [--reasons N] [--lang en|fr]`: exact TreeSHAP contributions and reason codes for
 * every row of a feature file (model/explain_csv.h).
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "features/engine.h"
#include "features/featfile.h"
#include "model/explain_csv.h"
#include "model/model.h"
#include "serve/labels.h"

static void _usage(FILE *out)
{
    fprintf(out,
            "usage: creditscore explain --model MODEL --features FILE --out CSV [--top K]\n"
            "                           [--reasons N] [--lang en|fr]\n"
            "\n"
            "Explain every row of a feature file: exact TreeSHAP contributions (raw-score units,\n"
            "log-odds; probability for a forest) with expected_value + sum = raw_score, and the\n"
            "reason codes (the features that pushed the row most toward default), labelled with\n"
            "the model's recipe (its labels, codes and units). Columns are\n"
            "matched to the model's features by name (extra columns ignored, a missing one is an\n"
            "error). CSV receives ID,probability,decision,raw_score,expected_value (ID: the\n"
            "recipe's key column, 'row' when it numbers the rows, as for predict), the\n"
            "contributions, then reason_1_code,reason_1_text,... Prints the explainer's memory\n"
            "and the largest additivity gap. A progress bar on a terminal.\n"
            "\n"
            "  --model MODEL    model file from 'creditscore train'\n"
            "  --features FILE  feature file (.csf)\n"
            "  --out CSV        contributions to write ('-' for standard output)\n"
            "  --top K          only the K largest |contributions| of each row, as\n"
            "                   feature_i,contribution_i pairs (default: one column per feature)\n"
            "  --reasons N      reason codes per row (default 4, 0 for none)\n"
            "  --lang LANG      language of the reason texts: en (default) or fr\n"
            "  -h, --help       this help\n");
}

static int _count(const char *s, size_t *out)
{
    long v;
    if (cli_parse_long(s, &v) || v < 0 || v > 100000) return -1;
    *out = (size_t)v;
    return 0;
}

int cmd_explain(int argc, char **argv)
{
    static const struct option opts[] = {{"model", required_argument, NULL, 'm'},
                                         {"features", required_argument, NULL, 'f'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"top", required_argument, NULL, 't'},
                                         {"reasons", required_argument, NULL, 'r'},
                                         {"lang", required_argument, NULL, 'l'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *model = NULL, *features = NULL, *out = NULL;
    mf_explain_opts eo = {.top = 0, .n_reasons = 4, .lang = SHAP_LANG_EN};
    mf_explain_summary sum;
    shap_labeller lab;
    mf_model *m = NULL;
    feat_matrix *fm = NULL;
    FILE *f = NULL;
    char *tmp = NULL;
    cs_err err = {0};
    char id_name[256];
    int opt, rc = CLI_EXIT_FAIL;

    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'm': model = optarg; break;
        case 'f': features = optarg; break;
        case 'o': out = optarg; break;
        case 't':
            if (_count(optarg, &eo.top) || eo.top == 0)
                return cli_usage_error("explain", "--top needs a count of at least 1, not '%s'", optarg);
            break;
        case 'r':
            if (_count(optarg, &eo.n_reasons) || eo.n_reasons > 50)
                return cli_usage_error("explain", "--reasons needs a count from 0 to 50, not '%s'", optarg);
            break;
        case 'l':
            if (shap_lang_from_name(optarg, &eo.lang, &err)) return cli_usage_error("explain", "%s", err.msg);
            break;
        case 'h': _usage(stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("explain", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("explain", "unexpected argument '%s'", argv[optind]);
    if (!model) return cli_usage_error("explain", "--model MODEL is required");
    if (!features) return cli_usage_error("explain", "--features FILE is required");
    if (!out) return cli_usage_error("explain", "--out CSV is required");

    if (!(m = mf_load(model, &err)) || !(fm = feat_file_load(features, &err)) ||
        cli_id_name(m, id_name, sizeof id_name, &err)) {
        rc = cli_fail("explain", &err);
        goto done;
    }
    int to_stdout = !strcmp(out, "-");
    if (to_stdout) {
        f = stdout;
    } else {
        if (!(tmp = malloc(strlen(out) + 32))) {
            cs_err_set(&err, CS_ENOMEM, "out of memory");
            rc = cli_fail("explain", &err);
            goto done;
        }
        sprintf(tmp, "%s.tmp.%ld", out, (long)getpid());
        if (!(f = fopen(tmp, "w"))) {
            cs_err_set(&err, CS_EIO, "%s: cannot create (%s)", out, strerror(errno));
            rc = cli_fail("explain", &err);
            goto done;
        }
    }
    eo.progress_out = stderr;
    eo.id_name = id_name;
    if (mf_spec(m) && feat_spec_recipe(mf_spec(m))) { /* the recipe's labels, codes and units */
        api_labeller_init(&lab, feat_spec_recipe(mf_spec(m)));
        eo.labeller = &lab;
    }
    if (mf_explain_csv(m, fm, &eo, f, &sum, &err)) {
        cs_err_prefix(&err, "%s: ", to_stdout ? features : out);
        rc = cli_fail("explain", &err);
        goto done;
    }
    if (!to_stdout) {
        cs_status st = cs_file_commit(f, tmp, out, &err);   /* fsync'ed, renamed, its folder fsync'ed */
        f = NULL;
        if (st) {
            rc = cli_fail("explain", &err);
            goto done;
        }
    } else if (fflush(stdout)) {
        cs_err_set(&err, CS_EIO, "standard output: write failed");
        rc = cli_fail("explain", &err);
        goto done;
    }
    char line[256];
    FILE *info = to_stdout ? stderr : stdout;
    fprintf(info, "explained %zu clients with %s (%s): %zu refused, in %.2f s -> %s\n", sum.rows, model,
            mf_name(m), sum.refused, sum.seconds, out);
    fprintf(info, "explainer: %s\n", shap_stats_format(&sum.stats, line, sizeof line));
    fprintf(info, "additivity: expected + contributions - raw score at most %.1e\n", sum.max_gap);
    rc = CLI_EXIT_OK;
done:
    if (f && f != stdout) {
        fclose(f);
        remove(tmp);
    }
    free(tmp);
    feat_matrix_free(fm);
    mf_free(m);
    return rc;
}
