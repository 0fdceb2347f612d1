/*
 * cmd_runs.c: `creditscore runs list|show|compare|best|export-mlflow`: reading the
 * tracking store, as aligned tables on a terminal or JSON for scripts.
 */
#include "cli.h"
#include "table.h"

#include "../store/mlflow.h"
#include "../store/track.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *USAGE =
    "usage: creditscore runs list    [--experiment NAME] [--all] [--status S] [--limit N] [--json]\n"
    "       creditscore runs show    RUN [--json]\n"
    "       creditscore runs compare RUN RUN... [--json]\n"
    "       creditscore runs best    --metric KEY [--min] [--experiment NAME] [--json]\n"
    "       creditscore runs export-mlflow DIR\n"
    "\n"
    "Read the runs that train, compare and every search trial recorded.\n"
    "RUN is a run id or a unique prefix of at least 4 characters.\n"
    "\n"
    "options:\n"
    "  --store PATH|URL     tracking store, a file or postgresql://... (default\n"
    "                       $CREDITSCORE_STORE, else $CREDITSCORE_DATABASE_URL, else ./creditscore.db)\n"
    "  --experiment NAME    only runs of this experiment\n"
    "  --all                list search trials too (default: top-level runs only)\n"
    "  --status S           only runs in this status (RUNNING, FINISHED, FAILED, KILLED)\n"
    "  --limit N            at most N runs (default 50; 0 = all)\n"
    "  --metric KEY         the metric that ranks runs (best)\n"
    "  --min                lower is better (best; default: higher is better)\n"
    "  --json               JSON instead of a table\n"
    "\n"
    "export-mlflow writes MLflow's file-store layout (meta.yaml, params/, metrics/, tags/,\n"
    "artifacts/ per run), readable with `mlflow ui --backend-store-uri DIR`.\n";

static void _fmt_time(char *out, size_t cap, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!ms) {
        snprintf(out, cap, "-");
        return;
    }
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

static void _fmt_duration(char *out, size_t cap, const store_run *r)
{
    double s;
    if (!r->end_ms) {
        snprintf(out, cap, "-");
        return;
    }
    s = (double)(r->end_ms - r->start_ms) / 1000.0;
    if (s < 60) snprintf(out, cap, "%.1fs", s);
    else snprintf(out, cap, "%dm%02ds", (int)(s / 60), (int)s % 60);
}

static const store_metric *_metric(const store_run *r, const char *key)
{
    for (size_t i = 0; i < r->n_metrics; i++)
        if (!strcmp(r->metrics[i].key, key)) return &r->metrics[i];
    return NULL;
}

static const char *_param(const store_run *r, const char *key)
{
    for (size_t i = 0; i < r->n_params; i++)
        if (!strcmp(r->params[i].key, key)) return r->params[i].value;
    return NULL;
}

static cJSON *_run_json(const store_run *r)
{
    cJSON *o = cJSON_CreateObject(), *p = cJSON_CreateObject(), *m = cJSON_CreateObject();
    cJSON *t = cJSON_CreateObject(), *a = cJSON_CreateArray();
    cJSON_AddStringToObject(o, "run_id", r->run_id);
    cJSON_AddStringToObject(o, "experiment", r->experiment);
    cJSON_AddNumberToObject(o, "experiment_id", (double)r->experiment_id);
    cJSON_AddStringToObject(o, "name", r->name);
    cJSON_AddStringToObject(o, "status", store_status_name(r->status));
    cJSON_AddNumberToObject(o, "start_time", (double)r->start_ms);
    if (r->end_ms) cJSON_AddNumberToObject(o, "end_time", (double)r->end_ms);
    else cJSON_AddNullToObject(o, "end_time");
    if (r->parent_run_id[0]) cJSON_AddStringToObject(o, "parent_run_id", r->parent_run_id);
    else cJSON_AddNullToObject(o, "parent_run_id");
    cJSON_AddStringToObject(o, "source", r->source);
    cJSON_AddStringToObject(o, "user", r->user);
    for (size_t i = 0; i < r->n_params; i++) cJSON_AddStringToObject(p, r->params[i].key, r->params[i].value);
    for (size_t i = 0; i < r->n_metrics; i++) {
        if (isfinite(r->metrics[i].value)) {
            /* the shortest text that reads back exactly (cJSON's own printing rounds) */
            char v[40];
            cs_fmt_double(v, sizeof v, r->metrics[i].value);
            cJSON_AddRawToObject(m, r->metrics[i].key, v);
        } else {
            cJSON_AddNullToObject(m, r->metrics[i].key);
        }
    }
    for (size_t i = 0; i < r->n_tags; i++) cJSON_AddStringToObject(t, r->tags[i].key, r->tags[i].value);
    for (size_t i = 0; i < r->n_artifacts; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "path", r->artifacts[i].key);
        cJSON_AddStringToObject(x, "kind", r->artifacts[i].value);
        cJSON_AddItemToArray(a, x);
    }
    cJSON_AddItemToObject(o, "params", p);
    cJSON_AddItemToObject(o, "metrics", m);
    cJSON_AddItemToObject(o, "tags", t);
    cJSON_AddItemToObject(o, "artifacts", a);
    return o;
}

static void _print_json(cJSON *j)
{
    char *s = cJSON_Print(j);
    if (s) puts(s);
    free(s);
    cJSON_Delete(j);
}

static void _print_list_json(const store_run_list *l)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < l->n; i++) cJSON_AddItemToArray(arr, _run_json(&l->runs[i]));
    _print_json(arr);
}

static int _list(store *s, const store_query *q, int json)
{
    cs_err err = {0};
    store_run_list *l = store_runs_query(s, q, &err);
    cli_table *t;
    if (!l) return cli_fail("runs", &err);
    if (json) {
        _print_list_json(l);
        store_run_list_free(l);
        return CLI_EXIT_OK;
    }
    if (l->n == 0) {
        printf("no runs in %s\n", store_path(s));
        store_run_list_free(l);
        return CLI_EXIT_OK;
    }
    t = cli_table_create(8);
    cli_table_addf(t, "RUN\tEXPERIMENT\tNAME\tSTATUS\tSTARTED (UTC)\tDURATION\tMODEL\tCV AUC");
    for (size_t i = 0; i < l->n; i++) {
        const store_run *r = &l->runs[i];
        const store_metric *auc = _metric(r, "cv_auc_mean");
        const char *model = _param(r, "model");
        char when[32], dur[32], aucs[32];
        if (!auc) auc = _metric(r, "cv_auc");
        _fmt_time(when, sizeof when, r->start_ms);
        _fmt_duration(dur, sizeof dur, r);
        if (auc) snprintf(aucs, sizeof aucs, "%.4f", auc->value);
        else snprintf(aucs, sizeof aucs, "-");
        cli_table_addf(t, "%.8s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", r->run_id, r->experiment, r->name,
                       store_status_name(r->status), when, dur, model ? model : "-", aucs);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    store_run_list_free(l);
    return CLI_EXIT_OK;
}

static void _print_run(store *s, const store_run *r)
{
    char when[32], end[32], dur[32], v[40];
    store_query q = {0};
    store_run_list *kids;
    _fmt_time(when, sizeof when, r->start_ms);
    _fmt_time(end, sizeof end, r->end_ms);
    _fmt_duration(dur, sizeof dur, r);
    printf("run         %s\n", r->run_id);
    printf("name        %s\n", r->name);
    printf("experiment  %s (id %lld)\n", r->experiment, (long long)r->experiment_id);
    printf("status      %s\n", store_status_name(r->status));
    printf("started     %s UTC\n", when);
    printf("ended       %s%s (%s)\n", end, r->end_ms ? " UTC" : "", dur);
    if (r->parent_run_id[0]) printf("parent run  %s\n", r->parent_run_id);
    printf("source      %s\n", r->source);
    if (r->n_params) {
        printf("\nparameters\n");
        for (size_t i = 0; i < r->n_params; i++) printf("  %-28s %s\n", r->params[i].key, r->params[i].value);
    }
    if (r->n_metrics) {
        printf("\nmetrics (latest value; points logged)\n");
        for (size_t i = 0; i < r->n_metrics; i++) {
            cs_fmt_double(v, sizeof v, r->metrics[i].value);
            printf("  %-28s %-22s %zu\n", r->metrics[i].key, v, r->metrics[i].n_points);
        }
    }
    if (r->n_tags) {
        printf("\ntags\n");
        for (size_t i = 0; i < r->n_tags; i++) printf("  %-28s %s\n", r->tags[i].key, r->tags[i].value);
    }
    if (r->n_artifacts) {
        printf("\nartifacts\n");
        for (size_t i = 0; i < r->n_artifacts; i++) printf("  %-8s %s\n", r->artifacts[i].value, r->artifacts[i].key);
    }
    q.parent_run_id = r->run_id;
    kids = store_runs_query(s, &q, NULL);
    if (kids && kids->n) printf("\ntrials      %zu (creditscore runs list --all)\n", kids->n);
    store_run_list_free(kids);
}

/* compare: one column per run, one row per parameter then per metric */
static int _compare(store *s, int n_ids, char **ids, int json)
{
    cs_err err = {0};
    store_run_list **runs = calloc((size_t)n_ids, sizeof *runs);
    char **keys = NULL;
    size_t n_keys = 0;
    int rc = CLI_EXIT_OK;

    if (!runs) return CLI_EXIT_FAIL;
    for (int i = 0; i < n_ids; i++) {
        runs[i] = store_run_get(s, ids[i], &err);
        if (!runs[i]) {
            rc = cli_fail("runs compare", &err);
            goto done;
        }
    }
    if (json) {
        cJSON *arr = cJSON_CreateArray();
        for (int i = 0; i < n_ids; i++) cJSON_AddItemToArray(arr, _run_json(&runs[i]->runs[0]));
        _print_json(arr);
        goto done;
    }
    {
        cli_table *t = cli_table_create(n_ids + 1);
        const char **cells = calloc((size_t)n_ids + 1, sizeof *cells);
        char (*buf)[48] = calloc((size_t)n_ids + 1, sizeof *buf);
        cells[0] = "";
        for (int i = 0; i < n_ids; i++) {
            snprintf(buf[i], sizeof buf[i], "%.8s", runs[i]->runs[0].run_id);
            cells[i + 1] = buf[i];
        }
        cli_table_add(t, cells);
        for (int pass = 0; pass < 2; pass++) {
            /* the union of keys, in order of first appearance */
            n_keys = 0;
            for (int i = 0; i < n_ids; i++) {
                const store_run *r = &runs[i]->runs[0];
                size_t nk = pass ? r->n_metrics : r->n_params;
                for (size_t k = 0; k < nk; k++) {
                    const char *key = pass ? r->metrics[k].key : r->params[k].key;
                    size_t j;
                    for (j = 0; j < n_keys; j++)
                        if (!strcmp(keys[j], key)) break;
                    if (j == n_keys) {
                        keys = realloc(keys, (n_keys + 1) * sizeof *keys);
                        keys[n_keys++] = (char *)key;
                    }
                }
            }
            for (size_t k = 0; k < n_keys; k++) {
                char label[300];
                snprintf(label, sizeof label, "%s %s", pass ? "metric" : "param ", keys[k]);
                cells[0] = label;
                for (int i = 0; i < n_ids; i++) {
                    const store_run *r = &runs[i]->runs[0];
                    if (pass) {
                        const store_metric *m = _metric(r, keys[k]);
                        if (m) cs_fmt_double(buf[i], sizeof buf[i], m->value);
                        else snprintf(buf[i], sizeof buf[i], "-");
                    } else {
                        const char *p = _param(r, keys[k]);
                        snprintf(buf[i], sizeof buf[i], "%s", p ? p : "-");
                    }
                    cells[i + 1] = buf[i];
                }
                cli_table_add(t, cells);
            }
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
        free(cells);
        free(buf);
    }
done:
    for (int i = 0; i < n_ids; i++) store_run_list_free(runs[i]);
    free(runs);
    free(keys);
    return rc;
}

/* `runs show` and `runs best`: print the first run of l (JSON or text) and free l; l NULL is
 * the failure in err */
static int _print_first(store *s, store_run_list *l, int json, const char *cmd, const cs_err *err)
{
    if (!l) return cli_fail(cmd, err);
    if (json) _print_json(_run_json(&l->runs[0]));
    else _print_run(s, &l->runs[0]);
    store_run_list_free(l);
    return CLI_EXIT_OK;
}

int cmd_runs(int argc, char **argv)
{
    static const struct option opts[] = {
        {"store", required_argument, NULL, 's'},   {"experiment", required_argument, NULL, 'e'},
        {"all", no_argument, NULL, 'a'},           {"status", required_argument, NULL, 'S'},
        {"limit", required_argument, NULL, 'l'},   {"metric", required_argument, NULL, 'm'},
        {"min", no_argument, NULL, 'n'},           {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *store_flag = NULL, *metric = NULL, *sub;
    int json = 0, all = 0, lower = 0, c, rc;
    long limit = 50;
    store_query q = {0};
    store *s;
    cs_err err = {0};

    if (!(sub = cli_subcommand(argc, argv, USAGE, &rc))) return rc;
    while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's': store_flag = optarg; break;
        case 'e': q.experiment = optarg; break;
        case 'a': all = 1; break;
        case 'S':
            if (store_status_from_name(optarg) < 0) return cli_usage_error("runs", "unknown status '%s'", optarg);
            q.status = optarg;
            break;
        case 'l':
            if (cli_parse_long(optarg, &limit) || limit < 0)
                return cli_usage_error("runs", "--limit wants a count, not '%s'", optarg);
            break;
        case 'm': metric = optarg; break;
        case 'n': lower = 1; break;
        case 'j': json = 1; break;
        case 'h': fputs(USAGE, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("runs", "unknown option '%s'", argv[optind]);
        }
    }
    /* positional arguments after the subcommand */
    int n_pos = argc - 1 - optind;
    char **pos = argv + 1 + optind;

    if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "compare") && strcmp(sub, "best") &&
        strcmp(sub, "export-mlflow"))
        return cli_usage_error("runs", "unknown subcommand '%s' (list, show, compare, best, export-mlflow)", sub);
    if ((!strcmp(sub, "show") && n_pos != 1) || (!strcmp(sub, "compare") && n_pos < 2) ||
        (!strcmp(sub, "export-mlflow") && n_pos != 1) ||
        ((!strcmp(sub, "list") || !strcmp(sub, "best")) && n_pos != 0))
        return cli_usage_error("runs", "wrong number of arguments for 'runs %s'", sub);
    if (!strcmp(sub, "best") && !metric) return cli_usage_error("runs", "best needs --metric KEY");

    s = store_open(store_flag, &err);
    if (!s) return cli_fail("runs", &err);
    if (!strcmp(sub, "list")) {
        if (!all) q.parent_run_id = "";
        q.limit = (size_t)limit;
        rc = _list(s, &q, json);
    } else if (!strcmp(sub, "show")) {
        rc = _print_first(s, store_run_get(s, pos[0], &err), json, "runs show", &err);
    } else if (!strcmp(sub, "compare")) {
        rc = _compare(s, n_pos, pos, json);
    } else if (!strcmp(sub, "best")) {
        rc = _print_first(s, store_run_best(s, &q, metric, lower, &err), json, "runs best", &err);
    } else {
        store_export_stats st = {0};
        if (store_export_mlflow(s, pos[0], &st, &err)) rc = cli_fail("runs export-mlflow", &err);
        else {
            printf("exported %zu experiment(s), %zu run(s): %zu params, %zu metric points, %zu tags, "
                   "%zu artifact file(s) to %s\n",
                   st.n_experiments, st.n_runs, st.n_params, st.n_metric_points, st.n_tags, st.n_artifacts, pos[0]);
            rc = CLI_EXIT_OK;
        }
    }
    store_close(s);
    return rc;
}
