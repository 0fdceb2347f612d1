/*
 * cmd_fairness.c: `creditscore fairness --model M (--features F | --data DIR) [--recipe R] [--compare M2]
 * [--html FILE] [--json FILE] [--fail-on air<X]`: the fairness report of a model over the
 * protected attributes of its recipe (src/fair/fair.h, docs/fairness.md).
 */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fair/fair.h"
#include "features/engine.h"
#include "features/featfile.h"
#include "model/model.h"
#include "recipe/recipe.h"

static void _usage(FILE *out)
{
    fprintf(out,
            "usage: creditscore fairness --model MODEL (--features FILE | --data DIR) [--recipe FILE]\n"
            "                            [--compare MODEL2] [--html FILE] [--json FILE] [--fail-on air<X]\n"
            "                            [--bootstrap N] [--seed N] [--min-group N]\n"
            "\n"
            "Score FILE (or the raw tables of DIR) with MODEL and report, for each group of each protected attribute of the\n"
            "recipe (columns marked \"protected\": true; an age in the bands under 25, 25-34, 35-44,\n"
            "45-54, 55-64, 65 and over): applicants, approval rate at the model's threshold, adverse\n"
            "impact ratio (approval rate over the most favoured group's) with the four-fifths flag,\n"
            "observed and expected default rate, AUC, TPR (defaulters refused), FPR (repayers\n"
            "refused), and the demographic parity, equal opportunity and equalized odds differences,\n"
            "each with a bootstrap 95%% interval. Give data the model was not trained on: on its\n"
            "training rows the outcome metrics are in-sample. docs/fairness.md.\n"
            "\n"
            "  --model MODEL      the model file (.csm)\n"
            "  --features FILE    the feature file (.csf) to score; the protected attributes are read\n"
            "                     from its columns (even when MODEL was trained without them)\n"
            "  --data DIR         instead of --features: the raw tables of DIR, their features computed\n"
            "                     with the feature spec MODEL carries (the recipe engine with the\n"
            "                     spec's recipe), the same as at training\n"
            "  --recipe FILE      the recipe naming the protected attributes (default: the one the\n"
            "                     model's feature spec carries)\n"
            "  --compare MODEL2   a second model (e.g. trained with --exclude-protected): AUC, cost and\n"
            "                     approval rates by group side by side\n"
            "  --html FILE        write the report as one self-contained HTML page\n"
            "  --json FILE        write the report as JSON\n"
            "  --fail-on air<X    exit 3 when a group's adverse impact ratio is below X (0.8: the\n"
            "                     four-fifths rule), for a CI gate\n"
            "  --bootstrap N      bootstrap replicates for the intervals (default 200, 0 = none)\n"
            "  --seed N           the bootstrap's seed (default 42)\n"
            "  --min-group N      groups with fewer applicants are shown but are neither the reference\n"
            "                     of the ratios nor in the differences and the gate (default 30)\n"
            "  -h, --help         this help\n");
}

/* "air<0.8" -> 0.8 */
static int _parse_gate(const char *s, double *air)
{
    if (strncmp(s, "air<", 4)) return -1;
    return cli_parse_double(s + 4, air) || !(*air > 0 && *air <= 1) ? -1 : 0;
}

static cs_status _write(const char *path, const cs_buf *b, cs_err *err)
{
    return cs_write_file(path, b->data ? b->data : "", b->len, err);
}

static void _print(const fair_report *r, int compare)
{
    printf("fairness   %.0f applicants (%.0f with an outcome), threshold %.4f, approval %.1f%%, AUC %.4f\n",
           r->overall.n, r->overall.n_labelled, r->overall.threshold, 100 * r->overall.approval, r->overall.auc);
    if (compare)
        printf("compare    threshold %.4f, approval %.1f%%, AUC %.4f, cost %.0f (vs %.0f)\n", r->overall2.threshold,
               100 * r->overall2.approval, r->overall2.auc, r->overall2.cost, r->overall.cost);
    for (int k = 0; k < r->n_attrs; k++) {
        const fair_attr_report *a = &r->a[k];
        printf("%s (%s)\n", a->attr->name, a->attr->kind);
        printf("  %-22s %8s %9s %7s %9s %7s%s\n", "group", "n", "approval", "AIR", "defaults", "AUC",
               compare ? "  approval2" : "");
        for (int g = 0; g < a->attr->n_groups; g++) {
            const fair_group_stats *s = &a->g[g];
            printf("  %-22s %8.0f %8.1f%% %7.3f %8.1f%% %7.4f", a->attr->groups[g], s->n, 100 * s->approval.value,
                   s->air.value, 100 * s->default_rate.value, s->auc.value);
            if (compare) printf("  %8.1f%%", 100 * s->approval2);
            printf("%s%s\n", s->four_fifths && !s->small ? "  < 4/5" : "", s->small ? "  (small)" : "");
        }
        printf("  smallest AIR %.3f, parity difference %.3f, equal opportunity %.3f, equalized odds %.3f\n",
               a->min_air.value, a->dp_diff.value, a->eo_diff.value, a->eodds_diff.value);
    }
}

int cmd_fairness(int argc, char **argv)
{
    static const struct option opts[] = {
        {"model", required_argument, NULL, 'm'},     {"features", required_argument, NULL, 'f'},
        {"recipe", required_argument, NULL, 'r'},    {"compare", required_argument, NULL, 'c'},
        {"html", required_argument, NULL, 'H'},      {"json", required_argument, NULL, 'J'},
        {"fail-on", required_argument, NULL, 'F'},   {"bootstrap", required_argument, NULL, 'B'},
        {"seed", required_argument, NULL, 's'},      {"min-group", required_argument, NULL, 'g'},
        {"data", required_argument, NULL, 'd'},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *model_s = NULL, *features_s = NULL, *recipe_s = NULL, *compare_s = NULL, *html_s = NULL;
    const char *json_s = NULL, *data_s = NULL;
    double gate = NAN;
    long n_boot = 200, seed = 42, min_group = 30;
    mf_model *m = NULL, *m2 = NULL;
    rcp_recipe *own = NULL;
    const rcp_recipe *recipe = NULL;
    feat_matrix *fm = NULL;
    double *p = NULL, *p2 = NULL;
    fair_attr *attrs = NULL;
    int n_attrs = 0, opt, rc = CLI_EXIT_FAIL;
    fair_report rep;
    cs_buf skipped = {0}, out = {0};
    cs_err err = {0};

    memset(&rep, 0, sizeof rep);
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'm': model_s = optarg; break;
        case 'f': features_s = optarg; break;
        case 'd': data_s = optarg; break;
        case 'r': recipe_s = optarg; break;
        case 'c': compare_s = optarg; break;
        case 'H': html_s = optarg; break;
        case 'J': json_s = optarg; break;
        case 'F':
            if (_parse_gate(optarg, &gate))
                return cli_usage_error("fairness", "--fail-on needs air<X with X in (0, 1], got '%s'", optarg);
            break;
        case 'B':
            if (cli_parse_long(optarg, &n_boot) || n_boot < 0 || n_boot > 100000)
                return cli_usage_error("fairness", "--bootstrap needs an integer from 0 to 100000, got '%s'", optarg);
            break;
        case 's':
            if (cli_parse_long(optarg, &seed) || seed < 0)
                return cli_usage_error("fairness", "--seed needs a non-negative integer, got '%s'", optarg);
            break;
        case 'g':
            if (cli_parse_long(optarg, &min_group) || min_group < 0)
                return cli_usage_error("fairness", "--min-group needs a non-negative integer, got '%s'", optarg);
            break;
        case 'h': _usage(stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("fairness", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("fairness", "unexpected argument '%s'", argv[optind]);
    if (!model_s) return cli_usage_error("fairness", "--model MODEL is required");
    if (!features_s && !data_s) return cli_usage_error("fairness", "--features FILE or --data DIR is required");
    if (features_s && data_s) return cli_usage_error("fairness", "give --features FILE or --data DIR, not both");

    /* the model(s), the recipe and the data */
    if (!(m = mf_load(model_s, &err))) goto fail;
    if (compare_s && !(m2 = mf_load(compare_s, &err))) goto fail;
    if (recipe_s) {
        if (!(own = rcp_parse_file(recipe_s, &err))) goto fail;
        recipe = own;
    } else if (mf_spec(m) && feat_spec_recipe(mf_spec(m))) {
        recipe = feat_spec_recipe(mf_spec(m));
    } else if (m2 && mf_spec(m2) && feat_spec_recipe(mf_spec(m2))) {
        recipe = feat_spec_recipe(mf_spec(m2));
    } else {
        fprintf(stderr, "creditscore fairness: %s carries no recipe (trained without a recipe's --spec): give "
                        "--recipe FILE to name the protected attributes\n", model_s);
        rc = CLI_EXIT_USAGE;
        goto done;
    }
    if (data_s) {
        const feat_spec *spec = mf_spec(m) ? mf_spec(m) : m2 ? mf_spec(m2) : NULL;
        feat_warnings warn;
        if (!spec) {
            fprintf(stderr, "creditscore fairness: %s carries no feature spec to compute the features of %s with: "
                            "compute them with `creditscore features` and give --features FILE\n", model_s, data_s);
            rc = CLI_EXIT_USAGE;
            goto done;
        }
        if (!(fm = feat_compute_dir(spec, data_s, stderr, &warn, &err))) goto fail;
        if (warn.total)
            fprintf(stderr, "creditscore fairness: warning: %zu values of %s are categories the model's spec never saw "
                            "(their dummies set to 0)\n", warn.total, data_s);
        features_s = data_s;
    } else if (!(fm = feat_file_load(features_s, &err))) {
        goto fail;
    }
    if (!(p = cs_malloc((fm->n_rows ? fm->n_rows : 1) * sizeof *p, &err))) goto fail;
    if (mf_predict_matrix(m, fm, p, &err)) {
        cs_err_prefix(&err, "%s on %s: ", model_s, features_s);
        goto fail;
    }
    if (m2) {
        if (!(p2 = cs_malloc((fm->n_rows ? fm->n_rows : 1) * sizeof *p2, &err))) goto fail;
        if (mf_predict_matrix(m2, fm, p2, &err)) {
            cs_err_prefix(&err, "%s on %s: ", compare_s, features_s);
            goto fail;
        }
    }
    if (fair_attrs_build(recipe, mf_spec(m) ? mf_spec(m) : m2 ? mf_spec(m2) : NULL, fm, &attrs, &n_attrs,
                         &skipped, &err)) {
        cs_err_prefix(&err, "%s: ", features_s);
        goto fail;
    }

    /* the report */
    {
        ev_cost_weights w = mf_cost_weights(m), w2 = m2 ? mf_cost_weights(m2) : w;
        fair_opts o = {.threshold = mf_threshold(m), .cost_fn = w.fn, .cost_fp = w.fp, .n_boot = (int)n_boot,
                       .seed = (uint64_t)seed, .min_group = (double)min_group, .p2 = p2,
                       .threshold2 = m2 ? mf_threshold(m2) : NAN, .cost_fn2 = w2.fn, .cost_fp2 = w2.fp};
        if (fair_report_compute(attrs, n_attrs, p, fm->target, fm->n_rows, &o, &rep, &err)) goto fail;
    }
    {
        fair_doc d = {.model = model_s, .model2 = compare_s, .features = features_s, .recipe = recipe->name,
                      .excluded = mf_protected_json(m), .excluded2 = m2 ? mf_protected_json(m2) : NULL,
                      .skipped = skipped.data};
        if (json_s && (fair_report_json(&rep, &d, &out, &err) || _write(json_s, &out, &err))) goto fail;
        cs_buf_free(&out);
        if (html_s && (fair_report_html(&rep, &d, &out, &err) || _write(html_s, &out, &err))) goto fail;
    }
    _print(&rep, m2 != NULL);
    if (skipped.len) printf("skipped    %s\n", skipped.data);
    if (json_s) printf("wrote      %s\n", json_s);
    if (html_s) printf("wrote      %s\n", html_s);
    rc = CLI_EXIT_OK;
    if (!isnan(gate)) {
        double air = fair_report_min_air(&rep);
        if (isnan(air)) {
            printf("gate       FAILED: no adverse impact ratio (no two groups of --min-group %ld applicants)\n", min_group);
            rc = CLI_EXIT_DRIFT;
        } else if (air < gate) {
            printf("gate       FAILED: smallest adverse impact ratio %.3f < %g\n", air, gate);
            rc = CLI_EXIT_DRIFT;
        } else {
            printf("gate       passed: smallest adverse impact ratio %.3f >= %g\n", air, gate);
        }
    }
    goto done;
fail:
    rc = cli_fail("fairness", &err);
done:
    fair_report_free(&rep);
    fair_attrs_free(attrs, n_attrs);
    cs_buf_free(&skipped);
    cs_buf_free(&out);
    free(p);
    free(p2);
    feat_matrix_free(fm);
    rcp_free(own);
    mf_free(m);
    mf_free(m2);
    return rc;
}
