/*
 * cmd_report.c: `creditscore report --model M [--store S] [--fairness F] [--html FILE]
 * [--json FILE]`: the model report a validator signs, from the model file and the tracking
 * store only (src/report/report.h, docs/model-report.md).
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/sha256.h"
#include "model/model.h"
#include "report/report.h"
#include "store/track.h"

static void _usage(FILE *out)
{
    fprintf(out,
            "usage: creditscore report --model MODEL [--store S] [--fairness FILE] [--purpose TEXT]\n"
            "                          [--html FILE] [--json FILE] [--predictions FILE] [--bootstrap N] [--seed N]\n"
            "\n"
            "The model report a validator signs, built from the model file and the tracking store only\n"
            "(no training data is read): purpose and scope; the data (tables, rows, default rate,\n"
            "checksums); lineage (run, parameters, search trials, code version); performance on the\n"
            "out-of-fold probabilities with bootstrap 95%% intervals (AUC, Gini, KS, log loss, Brier)\n"
            "and charts (ROC, calibration by decile, score distributions, cost curve with the\n"
            "threshold); stability (PSI of the score and of each feature, training rows against the\n"
            "test applicants); the fairness summary; global importance; limitations; sign-off.\n"
            "docs/model-report.md.\n"
            "\n"
            "  --model MODEL      the model file (.csm), trained by this version (it stores the\n"
            "                     out-of-fold predictions the report needs)\n"
            "  --store S          the tracking store holding the run that trained it, a file or\n"
            "                     postgresql://... (default: $CREDITSCORE_STORE, else\n"
            "                     $CREDITSCORE_DATABASE_URL, else ./creditscore.db when the file exists)\n"
            "  --fairness FILE    a fairness report's JSON (creditscore fairness --json) to summarise\n"
            "  --purpose TEXT     the model's purpose in the owner's words (default: a sentence from\n"
            "                     the model's decision rule)\n"
            "  --html FILE        write the report as one self-contained HTML page\n"
            "  --json FILE        write the report as JSON\n"
            "  --predictions FILE write the out-of-fold rows the performance is measured on as CSV\n"
            "                     (row,target,probability; training order), to recompute it elsewhere\n"
            "  --bootstrap N      bootstrap replicates for the intervals (default 200, 0 = none)\n"
            "  --seed N           the bootstrap's seed (default 42)\n"
            "  -h, --help         this help\n");
}

static char *_read_text(const char *path, cs_err *err)
{
    cs_buf b = {0};
    return cs_buf_read_file(&b, path, err) ? NULL : cs_buf_take(&b);
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"model", required_argument, NULL, 'm'},    {"store", required_argument, NULL, 'S'},
        {"fairness", required_argument, NULL, 'f'}, {"purpose", required_argument, NULL, 'p'},
        {"html", required_argument, NULL, 'H'},     {"json", required_argument, NULL, 'J'},
        {"bootstrap", required_argument, NULL, 'B'}, {"seed", required_argument, NULL, 's'},
        {"predictions", required_argument, NULL, 'P'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *model_s = NULL, *store_s = NULL, *fair_s = NULL, *purpose = NULL, *html_s = NULL, *json_s = NULL;
    const char *pred_s = NULL;
    long n_boot = 200, seed = 42;
    int opt, rc = CLI_EXIT_FAIL;
    mf_model *m = NULL;
    store *st = NULL;
    store_run_list *run = NULL, *trials = NULL;
    char *fair_text = NULL, sha[2 * CS_SHA256_LEN + 1], now[32];
    rpt_report rep;
    cs_buf out = {0};
    cs_err err = {0};

    memset(&rep, 0, sizeof rep);
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'm': model_s = optarg; break;
        case 'S': store_s = optarg; break;
        case 'f': fair_s = optarg; break;
        case 'p': purpose = optarg; break;
        case 'H': html_s = optarg; break;
        case 'J': json_s = optarg; break;
        case 'P': pred_s = optarg; break;
        case 'B':
            if (cli_parse_long(optarg, &n_boot) || n_boot < 0 || n_boot > 100000)
                return cli_usage_error("report", "--bootstrap needs an integer from 0 to 100000, got '%s'", optarg);
            break;
        case 's':
            if (cli_parse_long(optarg, &seed) || seed < 0)
                return cli_usage_error("report", "--seed needs a non-negative integer, got '%s'", optarg);
            break;
        case 'h': _usage(stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("report", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
    if (!model_s) return cli_usage_error("report", "--model MODEL is required");
    if (!html_s && !json_s && !pred_s)
        return cli_usage_error("report", "give --html FILE, --json FILE and/or --predictions FILE");

    if (!(m = mf_load(model_s, &err))) goto fail;
    if (cs_sha256_file(model_s, sha, &err)) goto fail;
    if (fair_s && !(fair_text = _read_text(fair_s, &err))) goto fail;

    /* the run that trained it, when the store has it */
    {
        struct stat sb;
        const char *path = store_resolve_path(store_s);
        if (store_s && !store_is_url(store_s) && stat(store_s, &sb) != 0) {
            cs_err_set(&err, CS_EIO, "%s: no tracking store there (%s)", store_s, strerror(errno));
            goto fail;
        }
        if (mf_run_id(m) && (store_is_url(path) || stat(path, &sb) == 0)) {
            if (!(st = store_open(path, &err))) goto fail;
            run = store_run_get(st, mf_run_id(m), &err);
            if (!run || !run->n) {
                fprintf(stderr, "creditscore report: warning: run %s of %s is not in %s: lineage from the model file "
                                "only\n", mf_run_id(m), model_s, store_path(st));
                store_run_list_free(run);
                run = NULL;
                memset(&err, 0, sizeof err);
            } else {
                store_query q = {.parent_run_id = mf_run_id(m)};
                if (!(trials = store_runs_query(st, &q, &err))) goto fail;
            }
        } else if (!mf_run_id(m)) {
            fprintf(stderr, "creditscore report: note: %s was trained without tracking (--no-track): lineage from the "
                            "model file only\n", model_s);
        } else if (store_s == NULL) {
            fprintf(stderr, "creditscore report: note: no tracking store at %s: give --store S for the run's lineage\n",
                    path);
        }
    }

    {
        rpt_opts o = {.n_boot = (int)n_boot, .seed = (uint64_t)seed};
        if (rpt_build(m, &o, &rep, &err)) {
            cs_err_prefix(&err, "%s: ", model_s);
            goto fail;
        }
    }
    {
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    {
        rpt_doc d = {.model_path = model_s, .model_sha256 = sha, .purpose = purpose,
                     .run = run ? &run->runs[0] : NULL, .trials = trials, .store_path = st ? store_path(st) : NULL,
                     .fairness_json = fair_text, .fairness_path = fair_s, .generated = now};
        if (json_s && (rpt_json(&rep, &d, &out, &err) || cs_write_file(json_s, out.data, out.len, &err))) goto fail;
        cs_buf_free(&out);
        if (html_s && (rpt_html(&rep, &d, &out, &err) || cs_write_file(html_s, out.data, out.len, &err))) goto fail;
        cs_buf_free(&out);
    }
    if (pred_s) {
        const double *p, *y;
        size_t n = mf_oof(m, &p, &y);
        char v[40];
        if (cs_buf_puts(&out, "row,target,probability\n", &err)) goto fail;
        for (size_t i = 0; i < n; i++) {
            cs_fmt_double(v, sizeof v, p[i]);
            if (cs_buf_printf(&out, &err, "%zu,%.0f,%s\n", i, y[i], v)) goto fail;
        }
        if (cs_write_file(pred_s, out.data, out.len, &err)) goto fail;
    }
    printf("report     %s: AUC %.4f (%.4f-%.4f), Gini %.4f, KS %.4f, log loss %.4f, Brier %.4f on %zu out-of-fold rows\n",
           model_s, rep.auc.value, rep.auc.lo, rep.auc.hi, rep.gini.value, rep.ks.value, rep.log_loss.value,
           rep.brier.value, rep.n);
    if (rep.n_test) printf("stability  score PSI %.4f against %zu test applicants\n", rep.psi_score, rep.n_test);
    else printf("stability  no test applicants in the training file: no PSI\n");
    printf("lineage    run %s%s\n", run ? run->runs[0].run_id : mf_run_id(m) ? mf_run_id(m) : "none (untracked)",
           run ? "" : mf_run_id(m) ? " (not read from a store)" : "");
    if (!fair_s) printf("fairness   none attached (--fairness FILE)\n");
    if (json_s) printf("wrote      %s\n", json_s);
    if (html_s) printf("wrote      %s\n", html_s);
    if (pred_s) printf("wrote      %s\n", pred_s);
    rc = CLI_EXIT_OK;
    goto done;
fail:
    rc = cli_fail("report", &err);
done:
    rpt_free(&rep);
    cs_buf_free(&out);
    free(fair_text);
    store_run_list_free(run);
    store_run_list_free(trials);
    store_close(st);
    mf_free(m);
    return rc;
}
