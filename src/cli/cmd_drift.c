/*
 * cmd_drift.c: `creditscore drift`: the data drift report of a current data set against
 * a reference (evidently's default tests), as HTML and JSON. See docs/drift.md.
 */
#include "cli.h"

#include "../drift/drift.h"
#include "../store/audit.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void _usage(FILE *out)
{
    fprintf(out,
            "usage: creditscore drift (--reference FILE | --reference-model MODEL) --current FILE\n"
            "                         --html REPORT.html\n"
            "       creditscore drift --reference-model MODEL --audit LOG --clients STORE [--since DATE]\n"
            "                         --html REPORT.html\n"
            "                         [--json REPORT.json] [--columns A,B,...] [--fail-on-drift]\n"
            "                         [--stattest [COL=]TEST]... [--threshold [COL=]X]...\n"
            "                         [--drift-share X] [--keep-ids] [--quiet]\n"
            "\n"
            "Compare the columns the two data sets have in common, with evidently's default tests\n"
            "(KS / chi-square / Z for a reference of at most 1000 values, normed Wasserstein /\n"
            "Jensen-Shannon above), and write the report. FILE is a CSV table (a Home Credit table\n"
            "is typed by its file name; any CSV with a header works) or a feature file (.csf).\n"
            "\n"
            "  --reference FILE      the reference data (e.g. application_train.csv)\n"
            "  --reference-model M   use the training sample model file M carries as the reference\n"
            "                        (then --current is a feature file with the model's features)\n"
            "  --current FILE        the data to check (e.g. application_test.csv)\n"
            "  --audit LOG           live drift: instead of --current, the clients the API scored\n"
            "                        (its audit log), their features read from --clients STORE;\n"
            "                        needs --reference-model; --since DATE keeps the newer ones\n"
            "  --html FILE           write the self-contained HTML report here\n"
            "  --json FILE           write the JSON report here\n"
            "  --columns A,B         compare only these columns\n"
            "  --stattest [COL=]T    use test T (ks, chisquare, z, wasserstein, jensenshannon, psi)\n"
            "                        for column COL, or for every column without COL=\n"
            "  --threshold [COL=]X   drift threshold for COL (or every column): > 0, and below 1\n"
            "                        for the p-value tests (ks, chisquare, z); a COL named here\n"
            "                        or in --stattest / --columns must be in both data sets\n"
            "  --drift-share X       dataset drift when at least this share drifts (default 0.5)\n"
            "  --keep-ids            also compare SK_ID_CURR, SK_ID_PREV, SK_ID_BUREAU\n"
            "  --fail-on-drift       exit with status 3 when the dataset drifts\n"
            "  --quiet               print nothing but errors\n"
            "\n"
            "Exit status: 0 done, 1 the data could not be read or compared, 2 bad usage,\n"
            "3 dataset drift with --fail-on-drift.\n");
}

typedef struct _ovs {
    drift_override *v;
    int n;
} _ovs;

/* the override entry for column col (NULL = all), created when missing */
static drift_override *_ov(_ovs *o, const char *col)
{
    for (int i = 0; i < o->n; i++)
        if ((!col && !o->v[i].column) || (col && o->v[i].column && !strcmp(col, o->v[i].column)))
            return &o->v[i];
    drift_override *v = realloc(o->v, (size_t)(o->n + 1) * sizeof *v);
    if (!v) return NULL;
    o->v = v;
    o->v[o->n] = (drift_override){col, DRIFT_TEST_AUTO, NAN};
    return &o->v[o->n++];
}

/* split "COL=VALUE" in place: *col = COL or NULL, returns VALUE */
static char *_split(char *arg, const char **col)
{
    char *eq = strrchr(arg, '=');
    if (!eq) {
        *col = NULL;
        return arg;
    }
    *eq = '\0';
    *col = arg;
    return eq + 1;
}

static int _has_col(const drift_dataset *d, const char *name)
{
    for (int j = 0; j < d->n_cols; j++)
        if (!strcmp(d->cols[j].name, name)) return 1;
    return 0;
}

int cmd_drift(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"reference", required_argument, NULL, 'r'}, {"current", required_argument, NULL, 'c'},
        {"html", required_argument, NULL, 'H'},      {"json", required_argument, NULL, 'j'},
        {"columns", required_argument, NULL, 'C'},   {"stattest", required_argument, NULL, 's'},
        {"threshold", required_argument, NULL, 't'}, {"drift-share", required_argument, NULL, 'd'},
        {"keep-ids", no_argument, NULL, 'k'},        {"fail-on-drift", no_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},           {"help", no_argument, NULL, 'h'},
        {"reference-model", required_argument, NULL, 'm'}, {"audit", required_argument, NULL, 'a'},
        {"clients", required_argument, NULL, 'L'},   {"since", required_argument, NULL, 'S'},
        {NULL, 0, NULL, 0}};
    const char *audit_path = NULL, *clients_path = NULL, *since = NULL;
    const char *ref_path = NULL, *model_path = NULL, *cur_path = NULL, *html = NULL, *json = NULL;
    char *columns_arg = NULL;
    const char **columns = NULL;
    int n_columns = 0, keep_ids = 0, fail_on_drift = 0, quiet = 0, opt, rc = CLI_EXIT_FAIL;
    double drift_share = 0.5;
    _ovs ovs = {0};
    drift_dataset *ref = NULL, *cur = NULL;
    drift_report *rep = NULL;
    drift_options o;
    cs_progress *prog = NULL;
    cs_err err = {0};
    static const char *const no_ids[] = {""};

    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'r': ref_path = optarg; break;
        case 'm': model_path = optarg; break;
        case 'a': audit_path = optarg; break;
        case 'L': clients_path = optarg; break;
        case 'S': since = optarg; break;
        case 'c': cur_path = optarg; break;
        case 'H': html = optarg; break;
        case 'j': json = optarg; break;
        case 'C': columns_arg = optarg; break;
        case 'k': keep_ids = 1; break;
        case 'f': fail_on_drift = 1; break;
        case 'q': quiet = 1; break;
        case 'd':
            if (cli_parse_double(optarg, &drift_share) || !(drift_share > 0 && drift_share <= 1))
                return cli_usage_error("drift", "--drift-share wants a number in (0, 1], not '%s'", optarg);
            break;
        case 's': {
            const char *col;
            char *v = _split(optarg, &col);
            int t = drift_test_from_name(v);
            if (col && !*col) {
                free(ovs.v);
                return cli_usage_error("drift", "--stattest COL=TEST: no column name before '='");
            }
            if (t <= 0) {
                free(ovs.v);
                return cli_usage_error("drift", "unknown test '%s' (ks, chisquare, z, wasserstein, jensenshannon, psi)", v);
            }
            drift_override *e = _ov(&ovs, col);
            if (!e) goto nomem;
            e->test = (drift_test)t;
            break;
        }
        case 't': {
            const char *col;
            double x;
            char *v = _split(optarg, &col);
            if (col && !*col) {
                free(ovs.v);
                return cli_usage_error("drift", "--threshold COL=X: no column name before '='");
            }
            if (cli_parse_double(v, &x) || !(x > 0)) {
                free(ovs.v);
                return cli_usage_error("drift", "--threshold wants a number > 0 (a p-value's or a distance's), not '%s'", v);
            }
            drift_override *e = _ov(&ovs, col);
            if (!e) goto nomem;
            e->threshold = x;
            break;
        }
        case 'h':
            _usage(stdout);
            free(ovs.v);
            return CLI_EXIT_OK;
        default:
            free(ovs.v);
            return cli_usage_error("drift", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        free(ovs.v);
        return cli_usage_error("drift", "unexpected argument '%s'", argv[optind]);
    }
    /* a p-value test's threshold is a probability: below 1 (its own and the default test's) */
    for (int i = 0; i < ovs.n; i++) {
        const drift_override *e = &ovs.v[i];
        drift_test t = e->test;
        if (t == DRIFT_TEST_AUTO)
            for (int q = 0; q < ovs.n; q++)
                if (!ovs.v[q].column && ovs.v[q].test != DRIFT_TEST_AUTO) t = ovs.v[q].test;
        if (e->threshold == e->threshold && e->threshold >= 1 &&
            (t == DRIFT_TEST_KS || t == DRIFT_TEST_CHISQUARE || t == DRIFT_TEST_Z)) {
            char tv[32];
            int r;
            cs_fmt_double(tv, sizeof tv, e->threshold);
            r = cli_usage_error("drift", "--threshold %s%s%s: the %s test's threshold is a p-value, in (0, 1)",
                                e->column ? e->column : "", e->column ? "=" : "", tv, drift_test_name(t));
            free(ovs.v);
            return r;
        }
    }
    if ((!ref_path && !model_path) || (ref_path && model_path) || (!cur_path && !audit_path) ||
        (cur_path && audit_path)) {
        free(ovs.v);
        return cli_usage_error("drift", "say what to compare: --reference FILE or --reference-model MODEL, "
                                        "and --current FILE or (with a model) --audit LOG --clients STORE");
    }
    if (audit_path && (!model_path || !clients_path)) {
        free(ovs.v);
        return cli_usage_error("drift", "--audit needs --reference-model MODEL and --clients STORE");
    }
    if (since && !audit_path) {
        free(ovs.v);
        return cli_usage_error("drift", "--since applies to --audit only");
    }
    if (since && store_audit_parse_time(since) < 0) {
        free(ovs.v);
        return cli_usage_error("drift", "--since wants a date like 2026-11-26 or 2026-11-26T07:55:01Z, not '%s'",
                               since);
    }
    if (!html && !json) {
        free(ovs.v);
        return cli_usage_error("drift", "say where to write the report: --html FILE and/or --json FILE");
    }
    if (columns_arg) {
        char *save = NULL;
        columns = calloc(strlen(columns_arg) + 1, sizeof *columns);
        if (!columns) goto nomem;
        for (char *tok = strtok_r(columns_arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
            columns[n_columns++] = tok;
        if (n_columns == 0) {
            free(columns);
            free(ovs.v);
            return cli_usage_error("drift", "--columns is empty");
        }
    }

    ref = model_path ? drift_dataset_from_model(model_path, &err) : drift_dataset_load(ref_path, &err);
    if (!ref) goto fail;
    if (audit_path) {
        const char **names = calloc((size_t)ref->n_cols + 1, sizeof *names);
        size_t n_without = 0;
        if (!names) goto nomem;
        for (int j = 0; j < ref->n_cols; j++) names[j] = ref->cols[j].name;
        cur = drift_dataset_from_audit(audit_path, clients_path, since ? store_audit_parse_time(since) : 0,
                                       ref->model_name, names, (size_t)ref->n_cols, &n_without, &err);
        free(names);
        if (!cur) goto fail;
        if (!quiet && n_without)
            fprintf(stderr, "drift: %zu decisions on inputs sent in the request (features not in the log) left out\n",
                    n_without);
    } else {
        cur = drift_dataset_load(cur_path, &err);
        if (!cur) goto fail;
    }

    /* every column named on the command line is one of both data sets' (as --columns is) */
    {
        const char *what = NULL, *name = NULL;
        for (int i = 0; i < n_columns && !what; i++)
            if (!_has_col(ref, columns[i]) || !_has_col(cur, columns[i])) what = "--columns", name = columns[i];
        for (int i = 0; i < ovs.n && !what; i++)
            if (ovs.v[i].column && (!_has_col(ref, ovs.v[i].column) || !_has_col(cur, ovs.v[i].column)))
                what = ovs.v[i].test != DRIFT_TEST_AUTO ? "--stattest" : "--threshold", name = ovs.v[i].column;
        if (what) {
            int in_ref = _has_col(ref, name);
            rc = cli_usage_error("drift", "%s: no column '%s' in the %s data (%s)", what, name,
                                 in_ref ? "current" : "reference", in_ref ? cur->label : ref->label);
            goto out;
        }
    }
    drift_options_init(&o);
    o.drift_share = drift_share;
    o.columns = columns;
    o.n_columns = n_columns;
    if (keep_ids) {
        o.exclude = no_ids;
        o.n_exclude = 0;
    }
    o.overrides = ovs.v;
    o.n_overrides = ovs.n;
    if (!quiet) prog = cs_progress_create(stderr, "drift", (uint64_t)(columns ? n_columns : ref->n_cols));
    o.progress = prog;
    rep = drift_compare(ref, cur, &o, &err);
    if (prog) cs_progress_finish(prog, NULL);
    if (!rep) goto fail;
    if (html && drift_report_write_html(rep, html, &err)) goto fail;
    if (json && drift_report_write_json(rep, json, &err)) goto fail;
    if (!quiet) {
        printf("drift: %d of %d columns drifted (%.1f%%), dataset drift %s (threshold %.2f) in %.2f s\n",
               rep->n_drifted, rep->n_columns, rep->share * 100, rep->dataset_drift ? "DETECTED" : "not detected",
               rep->drift_share, rep->seconds);
        if (html) printf("html: %s\n", html);
        if (json) printf("json: %s\n", json);
    }
    rc = fail_on_drift && rep->dataset_drift ? CLI_EXIT_DRIFT : CLI_EXIT_OK;
    goto out;
nomem:
    cs_err_set(&err, CS_ENOMEM, "out of memory");
fail:
    rc = cli_fail("drift", &err);
out:
    cs_progress_free(prog);
    drift_report_free(rep);
    drift_dataset_free(ref);
    drift_dataset_free(cur);
    free(columns);
    free(ovs.v);
    return rc;
}
