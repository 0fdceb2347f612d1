/*
 * cmd_compare.c: `creditscore compare --features FILE`: the original project's comparison
 * of the six learners, each with its default parameters, on the same stratified folds:
 * CV AUC (mean +- sd), business cost at threshold 0.5, the cost-optimal threshold and the
 * cost there (both on the uncalibrated out-of-fold probabilities), and fit time. Printed
 * as a table, optionally written as CSV and Markdown.
 */
#include "cli.h"
#include "track.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/metrics.h"
#include "eval/threshold.h"
#include "features/featfile.h"
#include "learn/learner.h"
#include "model/train.h"
#include "table.h"

static void _usage(FILE *out)
{
    fprintf(out,
            "usage: creditscore compare --features FILE [--models LIST] [--cv K] [--seed N]\n"
            "                           [--cost-fn W] [--cost-fp W] [--csv FILE] [--md FILE]\n"
            "                           [--store PATH] [--experiment NAME] [--no-track]\n"
            "\n"
            "Cross-validate each learner with its default parameters on the same stratified\n"
            "folds of the rows of FILE whose TARGET is known, and tabulate: CV AUC (mean +- sd\n"
            "over folds), the business cost (W_fn x FN + W_fp x FP, refused when p >= t) at\n"
            "t = 0.5, the cost-optimal threshold and the cost there (uncalibrated out-of-fold\n"
            "probabilities), and the wall time of the K fits.\n"
            "\n"
            "  --features FILE  feature file (.csf)\n"
            "  --models LIST    comma-separated learners (default dummy,logreg,forest,gbdt,xgboost,scorecard)\n"
            "  --cv K           folds (default 5)\n"
            "  --seed N         fold seed (default 42)\n"
            "  --cost-fn W      cost of accepting a defaulter (default 10)\n"
            "  --cost-fp W      cost of refusing a good client (default 1)\n"
            "  --csv FILE       also write the table as CSV (full precision)\n"
            "  --md FILE        also write the table as Markdown\n"
            "  --store PATH     tracking store, a file or postgresql://... (default $CREDITSCORE_STORE,\n"
            "                   else $CREDITSCORE_DATABASE_URL, else ./creditscore.db): one\n"
            "                   run for the comparison, a child run per learner\n"
            "  --experiment N   experiment of the run (default Default)\n"
            "  --no-track       record nothing\n"
            "  -h, --help       this help\n");
}

typedef struct _row {
    lrn_kind kind;
    int ok;             /* 0: the learner failed (note says why) */
    char note[600];
    double auc_mean, auc_sd, cost_half, best_t, best_cost, seconds;
} _row;

static void _fmt(char *b, size_t cap, double v)
{
    if (isfinite(v)) cs_fmt_double(b, cap, v);
    else snprintf(b, cap, "%s", "");
}

static int _write_csv(const char *path, const _row *r, int n, cs_err *err)
{
    FILE *f = fopen(path, "w");
    char v[6][40];
    if (!f) return cs_err_set(err, CS_EIO, "%s: cannot create (%s)", path, strerror(errno)), -1;
    fputs("model,cv_auc_mean,cv_auc_sd,cost_at_0.5,best_threshold,cost_at_best,fit_seconds,note\n", f);
    for (int i = 0; i < n; i++) {
        double d[6] = {r[i].auc_mean, r[i].auc_sd, r[i].cost_half, r[i].best_t, r[i].best_cost, r[i].seconds};
        for (int j = 0; j < 6; j++) {
            if (r[i].ok) _fmt(v[j], sizeof v[j], d[j]);
            else v[j][0] = '\0';
        }
        fprintf(f, "%s,%s,%s,%s,%s,%s,%s,\"%s\"\n", lrn_kind_name(r[i].kind), v[0], v[1], v[2], v[3], v[4],
                v[5], r[i].ok ? "" : r[i].note);
    }
    if (fclose(f) != 0) return cs_err_set(err, CS_EIO, "%s: write failed", path), -1;
    return 0;
}

static int _write_md(const char *path, const _row *r, int n, const char *features, size_t n_train,
                     int k, ev_cost_weights w, cs_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f) return cs_err_set(err, CS_EIO, "%s: cannot create (%s)", path, strerror(errno)), -1;
    fprintf(f, "Learners compared on `%s`: %zu clients, %d-fold stratified CV, default parameters; "
               "cost = %g x FN + %g x FP (refused when p >= threshold), on uncalibrated out-of-fold "
               "probabilities.\n\n", features, n_train, k, w.fn, w.fp);
    fputs("| model | CV AUC | cost at 0.5 | best threshold | cost at best | fit time (s) |\n", f);
    fputs("|---|---|---:|---:|---:|---:|\n", f);
    for (int i = 0; i < n; i++) {
        if (!r[i].ok) {
            fprintf(f, "| %s | %s | | | | |\n", lrn_kind_name(r[i].kind), r[i].note);
            continue;
        }
        fprintf(f, "| %s | %.4f ± %.4f | %.0f | %.4f | %.0f | %.1f |\n", lrn_kind_name(r[i].kind),
                r[i].auc_mean, r[i].auc_sd, r[i].cost_half, r[i].best_t, r[i].best_cost, r[i].seconds);
    }
    if (fclose(f) != 0) return cs_err_set(err, CS_EIO, "%s: write failed", path), -1;
    return 0;
}

int cmd_compare(int argc, char **argv)
{
    static const struct option opts[] = {
        {"features", required_argument, NULL, 'f'}, {"models", required_argument, NULL, 'M'},
        {"cv", required_argument, NULL, 'k'},       {"seed", required_argument, NULL, 's'},
        {"cost-fn", required_argument, NULL, 'F'},  {"cost-fp", required_argument, NULL, 'G'},
        {"csv", required_argument, NULL, 'c'},      {"md", required_argument, NULL, 'd'},
        {"store", required_argument, NULL, 'T'},    {"experiment", required_argument, NULL, 'E'},
        {"no-track", no_argument, NULL, 'X'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    const char *features = NULL, *models = "dummy,logreg,forest,gbdt,xgboost,scorecard", *csv = NULL, *md = NULL;
    long k = 5, seed = 42;
    double cost_fn = 10, cost_fp = 1;
    _row rows[LRN_KIND_COUNT * 2];
    int n_rows = 0, opt, rc = CLI_EXIT_FAIL;
    feat_matrix *m = NULL;
    size_t *train = NULL, n_train = 0;
    double *y = NULL;
    lrn_cache *cache = NULL;
    cli_table *tab = NULL;
    cs_err err = {0};
    int runs_lost = 0; /* a learner's run could not be ended in the store */
    const char *store_s = NULL, *experiment = NULL;
    int track = 1;
    cli_run *run = NULL;

    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'f': features = optarg; break;
        case 'M': models = optarg; break;
        case 'k':
            if (cli_parse_long(optarg, &k) || k < 2 || k > 100)
                return cli_usage_error("compare", "--cv needs an integer from 2 to 100, got '%s'", optarg);
            break;
        case 's':
            if (cli_parse_long(optarg, &seed) || seed < 0)
                return cli_usage_error("compare", "--seed needs a non-negative integer, got '%s'", optarg);
            break;
        case 'F':
            if (cli_parse_double(optarg, &cost_fn) || !(cost_fn >= 0))
                return cli_usage_error("compare", "--cost-fn needs a number >= 0, got '%s'", optarg);
            break;
        case 'G':
            if (cli_parse_double(optarg, &cost_fp) || !(cost_fp >= 0))
                return cli_usage_error("compare", "--cost-fp needs a number >= 0, got '%s'", optarg);
            break;
        case 'c': csv = optarg; break;
        case 'd': md = optarg; break;
        case 'T': store_s = optarg; break;
        case 'E': experiment = optarg; break;
        case 'X': track = 0; break;
        case 'h': _usage(stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("compare", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("compare", "unexpected argument '%s'", argv[optind]);
    if (cost_fn == 0 && cost_fp == 0)
        return cli_usage_error("compare", "--cost-fn and --cost-fp are both 0: at least one cost must be > 0");
    if (!features) return cli_usage_error("compare", "--features FILE is required");

    /* 1. the learners asked for */
    {
        char list[256];
        snprintf(list, sizeof list, "%s", models);
        for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (n_rows == (int)(sizeof rows / sizeof *rows))
                return cli_usage_error("compare", "--models lists too many learners");
            memset(&rows[n_rows], 0, sizeof rows[n_rows]);
            if (lrn_kind_from_name(tok, &rows[n_rows].kind, &err))
                return cli_usage_error("compare", "--models: %s", err.msg);
            n_rows++;
        }
        if (!n_rows) return cli_usage_error("compare", "--models lists no learner");
    }

    /* tracking: one run for the comparison, one child run per learner */
    if (track) {
        char v[64];
        if (!(run = cli_run_begin(store_s, experiment, "compare", argc, argv, &err))) return cli_fail("compare", &err);
        cli_run_param(run, "features_file", features);
        cli_run_param(run, "models", models);
        snprintf(v, sizeof v, "%ld", k);
        cli_run_param(run, "cv_folds", v);
        snprintf(v, sizeof v, "%ld", seed);
        cli_run_param(run, "cv_seed", v);
        cs_fmt_double(v, sizeof v, cost_fn);
        cli_run_param(run, "cost_fn", v);
        cs_fmt_double(v, sizeof v, cost_fp);
        cli_run_param(run, "cost_fp", v);
    }

    /* 2. the data */
    if (!(m = feat_file_load(features, &err)) || mf_training_rows(m, &train, &n_train, &err) ||
        !(cache = lrn_cache_create(m, &err))) {
        rc = cli_fail("compare", &err);
        goto done;
    }
    y = cs_malloc(n_train * sizeof *y, &err);
    if (!y) {
        rc = cli_fail("compare", &err);
        goto done;
    }
    for (size_t i = 0; i < n_train; i++) y[i] = m->target[train[i]];

    /* 3. one cross-validation per learner, same folds */
    for (int i = 0; i < n_rows; i++) {
        _row *r = &rows[i];
        ev_cv_result cv;
        char label[48];
        cs_err e = {0};
        lrn_params *p = lrn_params_from_json(r->kind, NULL, &e);
        cs_progress *prog;
        snprintf(label, sizeof label, "cv %s", lrn_kind_name(r->kind));
        prog = cs_progress_create(stderr, label, (uint64_t)k * 1000);
        if (p && !mf_cross_validate(p, m, train, n_train, (int)k, (uint64_t)seed, cache, prog, 0, &cv, &e)) {
            char note[64];
            snprintf(note, sizeof note, "auc %.4f +- %.4f", cv.auc_mean, cv.auc_sd);
            cs_progress_finish(prog, note);
            r->ok = 1;
            r->auc_mean = cv.auc_mean;
            r->auc_sd = cv.auc_sd;
            r->seconds = cv.seconds;
            r->cost_half = ev_cost_at(y, cv.oof, n_train, 0.5, (ev_cost_weights){cost_fn, cost_fp});
            if (ev_best_threshold(y, cv.oof, n_train, (ev_cost_weights){cost_fn, cost_fp}, &r->best_t,
                                  &r->best_cost, &e))
                r->ok = 0;
            ev_cv_result_free(&cv);
        }
        if (run) {
            cli_run *c = cli_run_child(run, lrn_kind_name(r->kind));
            cs_buf pj = {0};
            cli_run_param(c, "model", lrn_kind_name(r->kind));
            if (p && lrn_params_to_json(p, &pj, NULL) == CS_OK) cli_run_params_json(c, NULL, pj.data);
            cs_buf_free(&pj);
            if (r->ok) {
                cli_run_metric(c, "cv_auc_mean", r->auc_mean, 0);
                cli_run_metric(c, "cv_auc_sd", r->auc_sd, 0);
                cli_run_metric(c, "cost_at_0.5", r->cost_half, 0);
                cli_run_metric(c, "threshold", r->best_t, 0);
                cli_run_metric(c, "cost", r->best_cost, 0);
                cli_run_metric(c, "fit_seconds", r->seconds, 0);
            } else {
                cli_run_tag(c, "error", e.msg);
            }
            cs_err end_err = {0};
            if (cli_run_end(c, r->ok, &end_err)) {
                fprintf(stderr, "creditscore compare: %s\n", end_err.msg);
                runs_lost = 1;
            }
        }
        cs_progress_free(prog);
        lrn_params_free(p);
        if (!r->ok) {
            if (e.code != CS_EUNSUPPORTED) {
                rc = cli_fail("compare", &e);
                goto done;
            }
            snprintf(r->note, sizeof r->note, "not available: %s", e.msg);
        }
    }

    /* 4. the table, CSV and Markdown */
    tab = cli_table_create(7);
    if (!tab) goto done;
    cli_table_addf(tab, "model\tCV AUC\t+- sd\tcost at 0.5\tbest threshold\tcost at best\tfit time (s)");
    for (int i = 0; i < n_rows; i++) {
        const _row *r = &rows[i];
        if (r->ok)
            cli_table_addf(tab, "%s\t%.4f\t%.4f\t%.0f\t%.4f\t%.0f\t%.1f", lrn_kind_name(r->kind), r->auc_mean,
                           r->auc_sd, r->cost_half, r->best_t, r->best_cost, r->seconds);
        else
            cli_table_addf(tab, "%s\t%s\t\t\t\t\t", lrn_kind_name(r->kind), r->note);
    }
    printf("%zu clients, %ld-fold stratified CV (seed %ld), default parameters; cost = %g x FN + %g x FP\n\n",
           n_train, k, seed, cost_fn, cost_fp);
    cli_table_print(tab, stdout);
    if ((csv && _write_csv(csv, rows, n_rows, &err)) ||
        (md && _write_md(md, rows, n_rows, features, n_train, (int)k, (ev_cost_weights){cost_fn, cost_fp}, &err))) {
        rc = cli_fail("compare", &err);
        goto done;
    }
    if (csv) printf("\nwrote %s\n", csv);
    if (md) printf("%swrote %s\n", csv ? "" : "\n", md);
    if (csv) cli_run_artifact(run, csv, "table");
    if (md) cli_run_artifact(run, md, "table");
    if (run) printf("run %s (creditscore runs show %.8s)\n", cli_run_id(run), cli_run_id(run));
    rc = CLI_EXIT_OK;
done:
    if (cli_run_end(run, rc == CLI_EXIT_OK, &err) && rc == CLI_EXIT_OK) rc = cli_fail("compare", &err);
    if (runs_lost && rc == CLI_EXIT_OK) {
        cs_err_set(&err, CS_EIO, "a learner's run could not be ended in the tracking store (above)");
        rc = cli_fail("compare", &err);
    }
    cli_table_free(tab);
    lrn_cache_free(cache);
    free(y);
    free(train);
    feat_matrix_free(m);
    return rc;
}
