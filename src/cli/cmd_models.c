/*
 * cmd_models.c: `creditscore models register|list|promote|path`: the model registry.
 * register loads the model file first (its checksum and every section are verified), so a
 * corrupt or tampered file is refused before anything is stored.
 */
#include "cli.h"
#include "table.h"

#include "../model/model.h"
#include "../store/registry.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *USAGE =
    "usage: creditscore models register MODEL --name NAME [--run RUN]\n"
    "       creditscore models list     [NAME] [--json]\n"
    "       creditscore models promote  NAME VERSION --stage staging|production|archived|none\n"
    "       creditscore models path     NAME [--stage production | --version N]\n"
    "\n"
    "The model registry: numbered versions of named models, each a verified copy of a model\n"
    "file with its SHA-256, source run, metrics and threshold, and a stage. Registering the\n"
    "same file twice gives the same version; promoting a version to staging or production\n"
    "archives the version that held that stage. `models path` prints the file the API loads\n"
    "(creditscore serve --registry NAME).\n"
    "\n"
    "options:\n"
    "  --store PATH|URL tracking store and registry, a file or postgresql://... (default\n"
    "                   $CREDITSCORE_STORE, else $CREDITSCORE_DATABASE_URL, else ./creditscore.db)\n"
    "  --name NAME      registered model name (letters, digits, '_', '-', '.')\n"
    "  --run RUN        the run that produced MODEL (default: the run that logged it)\n"
    "  --stage S        staging, production, archived or none\n"
    "  --version N      a version number (path)\n"
    "  --json           JSON instead of a table (list)\n";

static int _register(store *s, const char *path, const char *name, const char *run)
{
    cs_err err = {0};
    mf_model *m = mf_load(path, &err);
    store_model_facts facts = {0};
    const mf_metrics *mt;
    cJSON *metrics;
    char *mjson;
    int version = 0, existed = 0, rc = CLI_EXIT_OK;

    if (!m) return cli_fail("models register", &err);
    mt = mf_get_metrics(m);
    metrics = cJSON_CreateObject();
    if (isfinite(mt->auc_mean)) cJSON_AddNumberToObject(metrics, "cv_auc_mean", mt->auc_mean);
    if (isfinite(mt->auc_sd)) cJSON_AddNumberToObject(metrics, "cv_auc_sd", mt->auc_sd);
    if (isfinite(mt->gini)) cJSON_AddNumberToObject(metrics, "gini", mt->gini);
    if (isfinite(mt->ks)) cJSON_AddNumberToObject(metrics, "ks", mt->ks);
    if (isfinite(mt->cost)) cJSON_AddNumberToObject(metrics, "cost", mt->cost);
    mjson = cJSON_PrintUnformatted(metrics);
    cJSON_Delete(metrics);
    facts.source_run_id = run;
    facts.threshold = mf_threshold(m);
    facts.metrics_json = mjson;
    facts.learner = lrn_kind_name(mf_learner(m)->kind);
    if (store_model_register(s, name, path, &facts, &version, &existed, &err)) rc = cli_fail("models register", &err);
    else if (existed) printf("%s is already registered as %s version %d\n", path, name, version);
    else printf("registered %s as %s version %d\n", path, name, version);
    free(mjson);
    mf_free(m);
    return rc;
}

static int _list(store *s, const char *name, int json)
{
    cs_err err = {0};
    store_model_version *v = NULL;
    size_t n = 0;
    if (store_model_list(s, name, &v, &n, &err)) return cli_fail("models list", &err);
    if (json) {
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", v[i].name);
            cJSON_AddNumberToObject(o, "version", v[i].version);
            cJSON_AddStringToObject(o, "stage", v[i].stage);
            cJSON_AddStringToObject(o, "sha256", v[i].sha256);
            cJSON_AddStringToObject(o, "path", v[i].path);
            cJSON_AddStringToObject(o, "learner", v[i].learner);
            if (v[i].source_run_id[0]) cJSON_AddStringToObject(o, "source_run_id", v[i].source_run_id);
            else cJSON_AddNullToObject(o, "source_run_id");
            if (isfinite(v[i].threshold)) cJSON_AddNumberToObject(o, "threshold", v[i].threshold);
            else cJSON_AddNullToObject(o, "threshold");
            cJSON_AddItemToObject(o, "metrics", cJSON_Parse(v[i].metrics_json));
            cJSON_AddNumberToObject(o, "created", (double)v[i].created_ms);
            cJSON_AddItemToArray(arr, o);
        }
        char *s_json = cJSON_Print(arr);
        puts(s_json);
        free(s_json);
        cJSON_Delete(arr);
    } else if (n == 0) {
        printf("no registered models in %s\n", store_path(s));
    } else {
        cli_table *t = cli_table_create(8);
        cli_table_addf(t, "NAME\tVERSION\tSTAGE\tLEARNER\tTHRESHOLD\tCV AUC\tRUN\tSHA-256");
        for (size_t i = 0; i < n; i++) {
            cJSON *mj = cJSON_Parse(v[i].metrics_json);
            cJSON *auc = mj ? cJSON_GetObjectItem(mj, "cv_auc_mean") : NULL;
            char th[32], a[32];
            if (isfinite(v[i].threshold)) snprintf(th, sizeof th, "%.4f", v[i].threshold);
            else snprintf(th, sizeof th, "-");
            if (cJSON_IsNumber(auc)) snprintf(a, sizeof a, "%.4f", auc->valuedouble);
            else snprintf(a, sizeof a, "-");
            cli_table_addf(t, "%s\t%d\t%s\t%s\t%s\t%s\t%.8s\t%.12s", v[i].name, v[i].version, v[i].stage,
                           v[i].learner[0] ? v[i].learner : "-", th, a,
                           v[i].source_run_id[0] ? v[i].source_run_id : "-", v[i].sha256);
            cJSON_Delete(mj);
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
    }
    store_model_versions_free(v, n);
    return CLI_EXIT_OK;
}

int cmd_models(int argc, char **argv)
{
    static const struct option opts[] = {
        {"store", required_argument, NULL, 's'}, {"name", required_argument, NULL, 'n'},
        {"run", required_argument, NULL, 'r'},   {"stage", required_argument, NULL, 'S'},
        {"version", required_argument, NULL, 'v'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    const char *store_flag = NULL, *name = NULL, *run = NULL, *stage = NULL, *sub;
    long version = 0;
    int json = 0, c, rc;
    store *s;
    cs_err err = {0};

    if (!(sub = cli_subcommand(argc, argv, USAGE, &rc))) return rc;
    while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's': store_flag = optarg; break;
        case 'n': name = optarg; break;
        case 'r': run = optarg; break;
        case 'S': stage = optarg; break;
        case 'v':
            if (cli_parse_long(optarg, &version) || version < 1)
                return cli_usage_error("models", "--version wants a number >= 1, not '%s'", optarg);
            break;
        case 'j': json = 1; break;
        case 'h': fputs(USAGE, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("models", "unknown option '%s'", argv[optind]);
        }
    }
    int n_pos = argc - 1 - optind;
    char **pos = argv + 1 + optind;

    if (!strcmp(sub, "register")) {
        if (n_pos != 1) return cli_usage_error("models", "register takes one model file");
        if (!name) return cli_usage_error("models", "register needs --name NAME");
    } else if (!strcmp(sub, "list")) {
        if (n_pos > 1) return cli_usage_error("models", "list takes at most one name");
    } else if (!strcmp(sub, "promote")) {
        if (n_pos != 2) return cli_usage_error("models", "promote takes NAME VERSION");
        if (cli_parse_long(pos[1], &version) || version < 1)
            return cli_usage_error("models", "'%s' is not a version number", pos[1]);
        if (!stage) return cli_usage_error("models", "promote needs --stage staging|production|archived|none");
    } else if (!strcmp(sub, "path")) {
        if (n_pos != 1) return cli_usage_error("models", "path takes one name");
        if (!stage && !version) stage = "production";
    } else {
        return cli_usage_error("models", "unknown subcommand '%s' (register, list, promote, path)", sub);
    }

    s = store_open(store_flag, &err);
    if (!s) return cli_fail("models", &err);
    if (!strcmp(sub, "register")) {
        rc = _register(s, pos[0], name, run);
    } else if (!strcmp(sub, "list")) {
        rc = _list(s, n_pos ? pos[0] : NULL, json);
    } else if (!strcmp(sub, "promote")) {
        if (store_model_promote(s, pos[0], (int)version, stage, &err)) rc = cli_fail("models promote", &err);
        else {
            printf("%s version %ld is now in stage %s\n", pos[0], version, stage);
            rc = CLI_EXIT_OK;
        }
    } else {
        store_model_version v;
        if (store_model_get(s, pos[0], version ? NULL : stage, (int)version, &v, &err)) rc = cli_fail("models path", &err);
        else {
            puts(v.path);
            store_model_version_clear(&v);
            rc = CLI_EXIT_OK;
        }
    }
    store_close(s);
    return rc;
}
