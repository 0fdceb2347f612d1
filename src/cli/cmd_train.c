/*
 * cmd_train.c: `creditscore train`: cross-validate a learner on a feature file (with an
 * optional grid or random search), calibrate it on the out-of-fold probabilities, choose
 * the cost-optimal threshold, refit on all training rows and write the model file.
 * The steps (load, params, train, write, report) are separate blocks so that run tracking
 * can hook in between them. The procedure itself is src/model/train.c.
 */
#include "cli.h"
#include "track.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eval/search.h"
#include "fair/fair.h"
#include "features/engine.h"
#include "features/featfile.h"
#include "features/spec.h"
#include "learn/learner.h"
#include "learn/scorecard.h"
#include "model/model.h"
#include "model/points.h"
#include "model/train.h"
#include "recipe/recipe.h"

static void _usage(FILE *out)
{
    fprintf(out,
            "usage: creditscore train --features FILE --out MODEL [--model gbdt|xgboost|forest|logreg|scorecard|dummy]\n"
            "                         [--params JSON] [--cv K] [--search grid|random --space FILE\n"
            "                         [--trials N]] [--scoring auc|cost]\n"
            "                         [--calibration auto|platt|isotonic-interp|isotonic|none]\n"
            "                         [--cost-fn W] [--cost-fp W] [--seed N] [--spec FILE]\n"
            "                         [--name NAME] [--model-version V] [--folds-out FILE]\n"
            "                         [--store PATH] [--experiment NAME] [--run-name NAME] [--no-track]\n"
            "                         [--recipe FILE] [--exclude-protected]\n"
            "\n"
            "Train a credit-scoring model on the rows of FILE whose TARGET is known: stratified\n"
            "K-fold cross-validation (out-of-fold probabilities kept), calibration fitted on them,\n"
            "the threshold minimising the business cost (W_fn x false negatives + W_fp x false\n"
            "positives; a client is refused when p >= threshold) chosen on the calibrated\n"
            "out-of-fold probabilities, then a refit on all training rows. MODEL receives\n"
            "everything serving, explanations, drift and the dashboard need.\n"
            "\n"
            "  --features FILE     feature file (.csf) from 'creditscore features'\n"
            "  --out MODEL         the model file to write (.csm)\n"
            "  --model KIND        learner: gbdt (default), xgboost, forest, logreg, scorecard\n"
            "                      (WoE binning + logistic regression + points, docs/scorecard.md), dummy\n"
            "  --params JSON       learner parameters as a JSON object, e.g. '{\"num_leaves\": 31}';\n"
            "                      what it leaves out takes the defaults (docs/learners.md): gbdt\n"
            "                      chooses its rounds by early stopping on each fold's validation\n"
            "                      AUC (the refit takes the folds' mean), its learning rate, leaf\n"
            "                      size and feature fraction from the data's size; logreg chooses\n"
            "                      C on each fold (the refit takes their geometric mean). The\n"
            "                      values chosen are printed and recorded in the run and the model\n"
            "  --cv K              folds (default 5)\n"
            "  --search KIND       grid or random search over --space, each trial cross-validated;\n"
            "                      the best parameters are refitted\n"
            "  --space FILE        search space (JSON): lists for grid; lists or\n"
            "                      {\"type\": \"uniform\"|\"loguniform\"|\"int\", \"low\": a, \"high\": b}\n"
            "  --trials N          random-search trials (default 20)\n"
            "  --scoring S         rank trials by auc (CV AUC, default) or cost (at the optimal threshold)\n"
            "  --calibration C     auto (default): platt or isotonic-interp, whichever has the lower\n"
            "                      out-of-fold log loss; both are strictly increasing (the ranking\n"
            "                      and the AUC are kept, no probability is 0 or 1); isotonic is\n"
            "                      scikit-learn's step function (ties clients in blocks); none\n"
            "  --cost-fn W         cost of accepting a defaulter (default 10)\n"
            "  --cost-fp W         cost of refusing a good client (default 1)\n"
            "  --seed N            folds, search draws, drift sample (default 42)\n"
            "  --spec FILE         feature specification to embed (from 'features --spec-out')\n"
            "  --name NAME         model name (default: the learner's)\n"
            "  --model-version V   model version label (default 1)\n"
            "  --recipe FILE       the recipe of the features (default: the one --spec carries): names\n"
            "                      the protected attributes; train warns, naming them, when they or\n"
            "                      features derived from them are among the features\n"
            "  --exclude-protected train without the protected attributes and every feature derived\n"
            "                      from them (docs/fairness.md); the model file records which\n"
            "  --folds-out FILE    write the CV fold of each training row as CSV (row,SK_ID_CURR,fold;\n"
            "                      row = 0-based row of the feature file), for other tools to use\n"
            "                      the same folds\n"
            "  --store PATH        tracking store, a file or postgresql://... (default $CREDITSCORE_STORE,\n"
            "                      else $CREDITSCORE_DATABASE_URL, else ./creditscore.db):\n"
            "                      the run, its parameters, metrics (per-iteration validation AUC,\n"
            "                      fold AUCs), every search trial and the model file are recorded\n"
            "  --experiment NAME   experiment of the run (default Default)\n"
            "  --run-name NAME     name of the run (default: train <learner>)\n"
            "  --no-track          record nothing\n"
            "  -h, --help          this help\n");
}

/* "a b c" from the "folds" array of member key of the tuning record (static buffer) */
static const char *_folds_of(const char *tuning_json, const char *key)
{
    static char buf[512];
    const char *k = strstr(tuning_json, key), *f = k ? strstr(k, "\"folds\": [") : NULL, *e;
    buf[0] = 0;
    if (!f) return buf;
    f += 10;
    e = strchr(f, ']');
    if (!e || (size_t)(e - f) >= sizeof buf) return buf;
    memcpy(buf, f, (size_t)(e - f));
    buf[e - f] = 0;
    return buf;
}

static void _print_summary(FILE *o, const mf_trained *t, const char *kind, ev_calib_kind calib,
                           ev_cost_weights w, const char *out_path)
{
    const mf_metrics *m = &t->metrics;
    struct stat sb;
    fprintf(o, "model      %s, %s calibration, %d-fold CV on %zu clients (%.2f%% defaults)\n", kind,
            ev_calib_kind_name(ev_calib_kind_of(t->calib)), m->k, t->n_train, 100.0 * t->positive_rate);
    if (calib == EV_CALIB_AUTO)
        fprintf(o, "calibrate  auto chose %s: out-of-fold log loss platt %.5f, isotonic-interp %.5f\n",
                ev_calib_kind_name(t->calib_choice.chosen), t->calib_choice.log_loss_platt,
                t->calib_choice.log_loss_isotonic_interp);
    fprintf(o, "params     %s\n", t->params_json);
    if (t->tuning_json && strstr(t->tuning_json, "\"num_iterations\""))
        fprintf(o, "rounds     %d, the mean of the folds' early-stopping rounds (%s)\n", t->learner->n_trees,
                _folds_of(t->tuning_json, "num_iterations"));
    if (t->tuning_json && strstr(t->tuning_json, "\"C\":"))
        fprintf(o, "C          chosen per fold on validation AUC, refit on their geometric mean (%s)\n",
                _folds_of(t->tuning_json, "C"));
    if (t->search.n)
        fprintf(o, "search     %zu trials, best #%zu: %s\n", t->search.n, t->search.best + 1,
                t->search.trials[t->search.best].json);
    fprintf(o, "CV AUC     %.4f +- %.4f   (folds:", m->auc_mean, m->auc_sd);
    for (int f = 0; f < m->k; f++) fprintf(o, " %.4f", m->fold_auc[f]);
    fprintf(o, ")\n");
    fprintf(o, "Gini       %.4f   KS %.4f   (out-of-fold, pooled)\n", m->gini, m->ks);
    fprintf(o, "log loss   %.4f   Brier %.4f   (calibrated out-of-fold)\n", m->log_loss, m->brier);
    fprintf(o, "threshold  %.4f   (refuse when p >= threshold; cost = %g x FN + %g x FP)\n", t->threshold,
            w.fn, w.fp);
    if (t->learner->kind == LRN_SCORECARD) {
        cs_err e = {0};
        sc_card *card = sc_card_of(t->learner, &e);
        if (card) {
            int64_t lo, hi;
            sc_card_range(card, &lo, &hi);
            fprintf(o, "points     %g at odds %g:1, %g to double the odds; %zu characteristics (%zu with IV >= iv_min), "
                    "%lld..%lld points\n", card->base_points, card->base_odds, card->pdo, card->n_chars,
                    card->n_candidates, (long long)lo, (long long)hi);
            fprintf(o, "cut-off    %lld points (approve at or above: the threshold in points; "
                    "creditscore scorecard show)\n", (long long)mf_points_cutoff(card, t->calib, t->threshold));
        }
        sc_card_free(card);
    }
    fprintf(o, "cost       %.0f at the threshold (%.4f per client); %.0f at 0.5\n", m->cost,
            m->cost / (double)t->n_train, m->cost_at_half);
    fprintf(o, "confusion  TP %.0f  FP %.0f  TN %.0f  FN %.0f\n", m->tp, m->fp, m->tn, m->fn);
    fprintf(o, "time       %.1f s (CV %.1f s, CV and refit %.1f s)\n", t->seconds, t->cv.seconds, m->fit_seconds);
    if (stat(out_path, &sb) == 0)
        fprintf(o, "wrote      %s (%.1f MB)\n", out_path, (double)sb.st_size / 1e6);
}

/* the CV fold of each training row, as CSV */
static cs_status _write_folds(const char *path, const mf_trained *t, const feat_matrix *m, cs_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f) return cs_err_set(err, CS_EIO, "%s: cannot write: %s", path, strerror(errno));
    fprintf(f, "row,SK_ID_CURR,fold\n");
    for (size_t i = 0; i < t->n_train; i++)
        fprintf(f, "%zu,%lld,%d\n", t->rows[i], (long long)m->ids[t->rows[i]], t->cv.fold[i]);
    if (ferror(f) | fclose(f)) return cs_err_set(err, CS_EIO, "%s: write failed", path);
    return CS_OK;
}

/* ---- run tracking --------------------------------------------------------------------- */

static void _track_trial(void *user, size_t index, const ev_trial *trial, const ev_trial_score *score)
{
    cli_run_trial(user, index, trial, score);
}

static void _track_iteration(void *user, int fold, int iteration, double valid_auc)
{
    cli_run_iteration(user, fold, iteration, valid_auc);
}

static void _track_setup(cli_run *run, const char *kind, const lrn_params *params, const char *features,
                         long k, long seed, const char *calib, double cost_fn, double cost_fp,
                         const char *search, const char *space, long trials, const char *scoring)
{
    char v[64];
    cs_buf pj = {0};
    cli_run_param(run, "model", kind);
    if (lrn_params_to_json(params, &pj, NULL) == CS_OK) cli_run_params_json(run, NULL, pj.data);
    cs_buf_free(&pj);
    cli_run_param(run, "features_file", features);
    snprintf(v, sizeof v, "%ld", k);
    cli_run_param(run, "cv_folds", v);
    snprintf(v, sizeof v, "%ld", seed);
    cli_run_param(run, "cv_seed", v);
    cli_run_param(run, "calibration", calib);
    cs_fmt_double(v, sizeof v, cost_fn);
    cli_run_param(run, "cost_fn", v);
    cs_fmt_double(v, sizeof v, cost_fp);
    cli_run_param(run, "cost_fp", v);
    if (search) {
        cli_run_param(run, "search", search);
        cli_run_param(run, "search_space", space);
        cli_run_param(run, "scoring", scoring);
        snprintf(v, sizeof v, "%ld", trials);
        if (!strcmp(search, "random")) cli_run_param(run, "trials", v);
    }
}

static void _track_result(cli_run *run, const mf_trained *t, const char *out)
{
    const mf_metrics *m = &t->metrics;
    cli_run_flush(run);
    if (t->search.n) {
        /* the best trial's parameters are the model's: record them on the parent too */
        const ev_trial *b = &t->search.trials[t->search.best];
        char v[32];
        snprintf(v, sizeof v, "%zu", t->search.best + 1);
        cli_run_tag(run, "best_trial", v);
        cli_run_tag(run, "best_params", b->json);
    }
    /* what the defaults chose: the fitted parameters (prefixed, the asked ones stay as
     * given) and the record of the choice */
    cli_run_params_json(run, "fitted.", t->params_json);
    if (t->tuning_json) cli_run_tag(run, "tuning", t->tuning_json);
    cli_run_tag(run, "calibration_fitted", ev_calib_kind_name(ev_calib_kind_of(t->calib)));
    if (!isnan(t->calib_choice.log_loss_platt))
        cli_run_metric(run, "calib_oof_log_loss_platt", t->calib_choice.log_loss_platt, 0);
    if (!isnan(t->calib_choice.log_loss_isotonic_interp))
        cli_run_metric(run, "calib_oof_log_loss_isotonic_interp", t->calib_choice.log_loss_isotonic_interp, 0);
    cli_run_metric(run, "raw_oof_auc", t->raw_oof_auc, 0);
    for (int f = 0; f < m->k; f++) cli_run_metric(run, "fold_auc", m->fold_auc[f], f + 1);
    cli_run_metric(run, "cv_auc_mean", m->auc_mean, 0);
    cli_run_metric(run, "cv_auc_sd", m->auc_sd, 0);
    cli_run_metric(run, "oof_auc", m->oof_auc, 0);
    cli_run_metric(run, "gini", m->gini, 0);
    cli_run_metric(run, "ks", m->ks, 0);
    cli_run_metric(run, "log_loss", m->log_loss, 0);
    cli_run_metric(run, "brier", m->brier, 0);
    cli_run_metric(run, "threshold", t->threshold, 0);
    if (t->learner->kind == LRN_SCORECARD) {
        sc_card *card = sc_card_of(t->learner, NULL);
        if (card) {
            cli_run_metric(run, "cutoff_points", (double)mf_points_cutoff(card, t->calib, t->threshold), 0);
            cli_run_metric(run, "characteristics", (double)card->n_chars, 0);
        }
        sc_card_free(card);
    }
    cli_run_metric(run, "cost", m->cost, 0);
    cli_run_metric(run, "cost_at_0.5", m->cost_at_half, 0);
    cli_run_metric(run, "tp", m->tp, 0);
    cli_run_metric(run, "fp", m->fp, 0);
    cli_run_metric(run, "tn", m->tn, 0);
    cli_run_metric(run, "fn", m->fn, 0);
    cli_run_metric(run, "fit_seconds", m->fit_seconds, 0);
    cli_run_metric(run, "seconds", t->seconds, 0);
    cli_run_metric(run, "n_train", (double)t->n_train, 0);
    cli_run_artifact(run, out, "model");
    {
        /* the cost curve beside the model, for plotting elsewhere */
        char path[4096];
        FILE *f;
        snprintf(path, sizeof path, "%s.cost.csv", out);
        if ((f = fopen(path, "w"))) {
            fprintf(f, "threshold,cost,false_negatives,false_positives\n");
            for (size_t i = 0; i < t->n_curve; i++) {
                char a[32], b[32];
                cs_fmt_double(a, sizeof a, t->curve[i].threshold);
                cs_fmt_double(b, sizeof b, t->curve[i].cost);
                fprintf(f, "%s,%s,%.0f,%.0f\n", a, b, t->curve[i].fn, t->curve[i].fp);
            }
            if (fclose(f) == 0) cli_run_artifact(run, path, "curve");
        }
    }
    cli_run_tag(run, "data_digest", t->digest);
}

int cmd_train(int argc, char **argv)
{
    static const struct option opts[] = {
        {"features", required_argument, NULL, 'f'}, {"out", required_argument, NULL, 'o'},
        {"model", required_argument, NULL, 'm'},    {"params", required_argument, NULL, 'p'},
        {"cv", required_argument, NULL, 'k'},       {"search", required_argument, NULL, 'S'},
        {"space", required_argument, NULL, 'P'},    {"trials", required_argument, NULL, 'n'},
        {"scoring", required_argument, NULL, 'r'},  {"calibration", required_argument, NULL, 'c'},
        {"cost-fn", required_argument, NULL, 'F'},  {"cost-fp", required_argument, NULL, 'G'},
        {"seed", required_argument, NULL, 's'},     {"spec", required_argument, NULL, 'x'},
        {"name", required_argument, NULL, 'N'},     {"model-version", required_argument, NULL, 'V'},
        {"store", required_argument, NULL, 'T'},    {"experiment", required_argument, NULL, 'E'},
        {"run-name", required_argument, NULL, 'R'}, {"no-track", no_argument, NULL, 'X'},
        {"folds-out", required_argument, NULL, 'O'}, {"recipe", required_argument, NULL, 'W'},
        {"exclude-protected", no_argument, NULL, 'Z'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    const char *features = NULL, *out = NULL, *kind_s = "gbdt", *params_s = NULL, *search_s = NULL;
    const char *space_s = NULL, *scoring_s = "auc", *calib_s = "auto", *spec_s = NULL;
    const char *name = NULL, *version = "1", *folds_out = NULL;
    const char *store_s = NULL, *experiment = NULL, *run_name = NULL;
    int track = 1, exclude = 0;
    const char *recipe_s = NULL;
    rcp_recipe *recipe_own = NULL;
    const rcp_recipe *recipe = NULL;
    feat_matrix *kept = NULL;
    unsigned char *drop = NULL;
    cs_buf prot_json = {0}, prot_sum = {0};
    cli_run *run = NULL;
    long k = 5, trials = 20, seed = 42;
    double cost_fn = 10, cost_fp = 1;
    lrn_kind kind;
    ev_calib_kind calib;
    ev_search_kind search = EV_SEARCH_GRID;
    ev_scoring scoring;
    lrn_params *params = NULL;
    ev_space *space = NULL;
    feat_spec *spec = NULL;
    feat_matrix *m = NULL;
    mf_trained t;
    mf_parts parts;
    cs_err err = {0};
    int opt, rc = CLI_EXIT_FAIL;

    memset(&t, 0, sizeof t);
    /* 1. the command line */
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'f': features = optarg; break;
        case 'o': out = optarg; break;
        case 'm': kind_s = optarg; break;
        case 'p': params_s = optarg; break;
        case 'k':
            if (cli_parse_long(optarg, &k) || k < 2 || k > 100)
                return cli_usage_error("train", "--cv needs an integer from 2 to 100, got '%s'", optarg);
            break;
        case 'S': search_s = optarg; break;
        case 'P': space_s = optarg; break;
        case 'n':
            if (cli_parse_long(optarg, &trials) || trials < 1 || trials > 100000)
                return cli_usage_error("train", "--trials needs an integer from 1 to 100000, got '%s'", optarg);
            break;
        case 'r': scoring_s = optarg; break;
        case 'c': calib_s = optarg; break;
        case 'F':
            if (cli_parse_double(optarg, &cost_fn) || !(cost_fn >= 0))
                return cli_usage_error("train", "--cost-fn needs a number >= 0, got '%s'", optarg);
            break;
        case 'G':
            if (cli_parse_double(optarg, &cost_fp) || !(cost_fp >= 0))
                return cli_usage_error("train", "--cost-fp needs a number >= 0, got '%s'", optarg);
            break;
        case 's':
            if (cli_parse_long(optarg, &seed) || seed < 0)
                return cli_usage_error("train", "--seed needs a non-negative integer, got '%s'", optarg);
            break;
        case 'x': spec_s = optarg; break;
        case 'N': name = optarg; break;
        case 'V': version = optarg; break;
        case 'T': store_s = optarg; break;
        case 'E': experiment = optarg; break;
        case 'R': run_name = optarg; break;
        case 'X': track = 0; break;
        case 'O': folds_out = optarg; break;
        case 'W': recipe_s = optarg; break;
        case 'Z': exclude = 1; break;
        case 'h': _usage(stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("train", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("train", "unexpected argument '%s'", argv[optind]);
    if (!features) return cli_usage_error("train", "--features FILE is required");
    if (!out) return cli_usage_error("train", "--out MODEL is required");
    if (lrn_kind_from_name(kind_s, &kind, &err)) return cli_usage_error("train", "--model: %s", err.msg);
    if (ev_calib_kind_parse(calib_s, &calib, &err)) return cli_usage_error("train", "--calibration: %s", err.msg);
    if (ev_scoring_parse(scoring_s, &scoring, &err)) return cli_usage_error("train", "--scoring: %s", err.msg);
    if (search_s && ev_search_kind_parse(search_s, &search, &err))
        return cli_usage_error("train", "--search: %s", err.msg);
    if (search_s && !space_s) return cli_usage_error("train", "--search needs --space FILE");
    if (space_s && !search_s) return cli_usage_error("train", "--space needs --search grid|random");

    /* 2. parameters and search space, checked before any data is read */
    if (params_s && !*params_s)
        return cli_usage_error("train", "--params needs a JSON object (e.g. '{\"num_leaves\": 31}'), got an empty string");
    if (cost_fn == 0 && cost_fp == 0)
        return cli_usage_error("train", "--cost-fn and --cost-fp are both 0: at least one cost must be > 0");
    params = lrn_params_from_json(kind, params_s, &err);
    if (!params) return cli_usage_error("train", "--params: %s", err.msg);
    if (space_s) {
        space = ev_space_load(space_s, search, &err);
        if (!space) {
            lrn_params_free(params);
            return cli_fail("train", &err);
        }
        /* every parameter of the space must be one the learner knows */
        for (size_t i = 0; i < ev_space_n_params(space); i++) {
            ev_trial tr;
            lrn_params *probe = lrn_params_copy(params, &err);
            cs_status st = probe ? ev_space_trial(space, 0, (uint64_t)seed, &tr, &err) : CS_ENOMEM;
            if (!st) {
                st = lrn_params_set(probe, tr.names[i], tr.values[i], &err);
                ev_trial_free(&tr);
            }
            lrn_params_free(probe);
            if (st) {
                cs_err_prefix(&err, "%s: ", space_s);
                rc = cli_fail("train", &err);
                goto done;
            }
        }
    }

    /* tracking: the run starts here, before any thread exists (see cli/track.h) */
    if (track) {
        char rn[128];
        snprintf(rn, sizeof rn, "train %s%s", kind_s, search_s ? (search ? " random search" : " grid search") : "");
        run = cli_run_begin(store_s, experiment, run_name ? run_name : rn, argc, argv, &err);
        if (!run) {
            rc = cli_fail("train", &err);
            goto done;
        }
        _track_setup(run, kind_s, params, features, k, seed, calib_s, cost_fn, cost_fp, search_s, space_s,
                     trials, scoring_s);
    }

    /* 3. the data */
    if (spec_s && !(spec = feat_spec_load(spec_s, &err))) {
        rc = cli_fail("train", &err);
        goto done;
    }
    m = feat_file_load(features, &err);
    if (!m) {
        rc = cli_fail("train", &err);
        goto done;
    }
    if (spec && feat_spec_n_feats(spec) != m->n_feats) {
        fprintf(stderr, "creditscore train: %s has %zu features, the spec %s %zu\n", features, m->n_feats,
                spec_s, feat_spec_n_feats(spec));
        goto done;
    }

    /* protected attributes: the recipe's (--recipe, else the spec's) */
    if (recipe_s && !(recipe = recipe_own = rcp_parse_file(recipe_s, &err))) {
        rc = cli_fail("train", &err);
        goto done;
    }
    if (!recipe && spec) recipe = feat_spec_recipe(spec);
    if (exclude && !recipe) {
        fprintf(stderr, "creditscore train: --exclude-protected needs the recipe naming the protected attributes: "
                        "--recipe FILE, or a --spec written by features --recipe\n");
        rc = CLI_EXIT_USAGE;
        goto done;
    }
    if (recipe) {
        size_t n_drop = 0;
        if (!(drop = cs_calloc(m->n_feats ? m->n_feats : 1, 1, &err)) ||
            fair_protected_mask(recipe, m, drop, &n_drop, &prot_sum, &prot_json, &err)) {
            rc = cli_fail("train", &err);
            goto done;
        }
        if (n_drop && exclude) {
            if (!(kept = fair_matrix_drop(m, drop, &err))) {
                rc = cli_fail("train", &err);
                goto done;
            }
            fprintf(stderr, "creditscore train: excluding %zu protected feature%s: %s\n", n_drop, n_drop == 1 ? "" : "s",
                    prot_sum.data);
            feat_matrix_free(m);
            m = kept;
            kept = NULL;
        } else if (n_drop) {
            fprintf(stderr, "creditscore train: warning: protected attributes among the features: %s; the model may "
                            "decide on them (--exclude-protected trains without them)\n", prot_sum.data);
            cs_buf_free(&prot_json);
        } else if (exclude) {
            fprintf(stderr, "creditscore train: no feature derives from a protected attribute of recipe %s\n",
                    recipe->name ? recipe->name : "?");
        }
        if (run) cli_run_param(run, "exclude_protected", exclude ? (n_drop ? prot_sum.data : "none found") : "no");
    }

    /* 4. train */
    {
        mf_train_opts o = {.params = params, .k = (int)k, .seed = (uint64_t)seed, .calib = calib,
                           .cost = {cost_fn, cost_fp}, .space = space, .n_trials = (size_t)trials,
                           .scoring = scoring, .max_sample = 5000, .progress_out = stderr};
        if (run) {
            o.on_trial = _track_trial;
            o.on_iteration = _track_iteration;
            o.observer = run;
        }
        if (mf_train(&o, m, &t, &err)) {
            rc = cli_fail("train", &err);
            goto done;
        }
    }

    /* 5. write the model file */
    mf_trained_parts(&t, m, spec, name ? name : kind_s, version, (ev_cost_weights){cost_fn, cost_fp}, &parts);
    if (exclude && prot_json.len) parts.protected_json = prot_json.data;
    parts.features_file = features;
    if (run) parts.run_id = cli_run_id(run);
    if (mf_write(&parts, out, &err)) {
        rc = cli_fail("train", &err);
        goto done;
    }

    if (folds_out && _write_folds(folds_out, &t, m, &err)) {
        rc = cli_fail("train", &err);
        goto done;
    }

    /* 6. report */
    _print_summary(stdout, &t, kind_s, calib, (ev_cost_weights){cost_fn, cost_fp}, out);
    if (run) {
        _track_result(run, &t, out);
        printf("run        %s (creditscore runs show %.8s)\n", cli_run_id(run), cli_run_id(run));
    }
    rc = CLI_EXIT_OK;
done:
    if (cli_run_end(run, rc == CLI_EXIT_OK, &err) && rc == CLI_EXIT_OK) {
        /* the model is written, but the store does not show the run as finished */
        cs_err_prefix(&err, "%s was written, but ", out);
        rc = cli_fail("train", &err);
    }
    mf_trained_free(&t);
    feat_matrix_free(m);
    feat_matrix_free(kept);
    free(drop);
    cs_buf_free(&prot_json);
    cs_buf_free(&prot_sum);
    rcp_free(recipe_own);
    feat_spec_free(spec);
    ev_space_free(space);
    lrn_params_free(params);
    return rc;
}
