/*
 * cmd_recipe.c: `creditscore recipe infer`: write a starting recipe (docs/recipes.md) from a
 * lender's own CSV files (the rules are src/infer/infer.h); `creditscore recipe check`: parse
 * a recipe and check it against a data folder before any work (src/recipe).
 */
#include "cli.h"
#include "../infer/infer.h"
#include "../recipe/recipe.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char _usage[] =
    "usage: creditscore recipe infer --table FILE [--id COL] [--target COL]\n"
    "                                [--child NAME=FILE:KEY ...] [--name NAME] --out RECIPE.json\n"
    "       creditscore recipe check RECIPE.json [--data DIR]\n"
    "\n"
    "infer: see below. check: parse the recipe (docs/recipes.md) and, with --data, check that\n"
    "its files and columns are in DIR; print its tables, or the JSON path of what is wrong\n"
    "and exit 1.\n"
    "\n"
    "usage: creditscore recipe infer --table FILE [--id COL] [--target COL]\n"
    "                                [--child NAME=FILE:KEY ...] [--name NAME] --out RECIPE.json\n"
    "\n"
    "Write a starting recipe from the data (docs/recipes.md): column types as `inspect` infers\n"
    "them, text columns as categories, two-value yes/no columns (Y/N, Yes/No, ...) as flags,\n"
    "free text and constant columns ignored, readable labels made from the column names (the\n"
    "same text in English and French). Without an id column the recipe numbers the rows\n"
    "(1 = the first data row). A child table is aggregated per id of the main table: a row\n"
    "count, mean/min/max/sum of its numbers, the share of each of its categories. Units,\n"
    "sentinels, profile and protected fields are never guessed: edit the file.\n"
    "Each decision is printed, one line per column.\n"
    "\n"
    "  --table FILE           the main table: one row per applicant (or loan)\n"
    "  --id COL               its id column (default: a column named id or *_id with distinct\n"
    "                         integers, else the row number)\n"
    "  --target COL           its 0/1 default column (default: a 0/1 column named target,\n"
    "                         default, label, loan_status or bad)\n"
    "  --child NAME=FILE:KEY  a child table NAME read from FILE, linked to the main table's id\n"
    "                         by its column KEY (repeatable, at most 16)\n"
    "  --name NAME            the recipe's name (default: the main table's file name)\n"
    "  --out FILE             the recipe to write (- = standard output)\n";

static int _infer(int argc, char **argv)
{
    static const struct option opts[] = {{"table", required_argument, 0, 't'}, {"id", required_argument, 0, 'i'},
                                         {"target", required_argument, 0, 'y'}, {"child", required_argument, 0, 'c'},
                                         {"name", required_argument, 0, 'n'},   {"out", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    inf_options o = {0};
    inf_child children[INF_MAX_CHILDREN];
    char *bufs[INF_MAX_CHILDREN] = {0};
    const char *out = NULL;
    inf_result *r = NULL;
    cs_err err = {0};
    int c, rc = CLI_EXIT_OK, n = 0;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 't': o.table_path = optarg; break;
        case 'i': o.id_col = optarg; break;
        case 'y': o.target_col = optarg; break;
        case 'n': o.recipe_name = optarg; break;
        case 'o': out = optarg; break;
        case 'c':
            if (n == INF_MAX_CHILDREN) {
                rc = cli_usage_error("recipe infer", "at most %d --child tables", INF_MAX_CHILDREN);
                goto done;
            }
            if (inf_parse_child(optarg, &children[n], &bufs[n], &err)) {
                rc = cli_usage_error("recipe infer", "%s", err.msg);
                goto done;
            }
            n++;
            break;
        case 'h': fputs(_usage, stdout); goto done;
        default: rc = cli_usage_error("recipe infer", "unknown option '%s'", argv[optind - 1]); goto done;
        }
    }
    if (optind < argc) {
        rc = cli_usage_error("recipe infer", "unexpected argument '%s'", argv[optind]);
        goto done;
    }
    if (!o.table_path || !out) {
        rc = cli_usage_error("recipe infer", "--table and --out are required");
        goto done;
    }
    o.children = children;
    o.n_children = n;
    if (!(r = inf_run(&o, &err))) {
        rc = cli_fail("recipe infer", &err);
        goto done;
    }
    if (!strcmp(out, "-")) {
        fputs(r->json, stdout);
        for (int i = 0; i < r->n_notes; i++) fprintf(stderr, "  %s\n", r->notes[i]);
    } else {
        if (cs_write_file(out, r->json, strlen(r->json), &err)) {
            rc = cli_fail("recipe infer", &err);
            goto done;
        }
        for (int i = 0; i < r->n_notes; i++) printf("  %s\n", r->notes[i]);
        printf("recipe infer: %d table%s -> %s (edit labels, units, profile and protected fields: docs/recipes.md)\n",
               1 + n, n ? "s" : "", out);
    }
done:
    inf_result_free(r);
    for (int i = 0; i < n; i++) free(bufs[i]);
    return rc;
}

static int _check(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *data = NULL, *path = NULL;
    rcp_recipe *r;
    cs_err err = {0};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'h': fputs(_usage, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("recipe check", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc) return cli_usage_error("recipe check", "one recipe file expected");
    path = argv[optind];
    if (!(r = rcp_parse_file(path, &err))) return cli_fail("recipe check", &err);
    if (data && rcp_check_data(r, data, &err)) {
        rcp_free(r);
        return cli_fail("recipe check", &err);
    }
    printf("recipe check: %s: recipe %s, %d table%s%s%s\n", path, r->name ? r->name : "(no name)", r->n_tables,
           r->n_tables == 1 ? "" : "s", data ? ", every file and column found in " : "", data ? data : "");
    for (int i = 0; i < r->n_tables; i++) {
        const rcp_table *t = &r->tables[i];
        printf("  %-24s %d column%s, %d derived, %d aggregation%s%s%s\n", t->name, t->n_cols, t->n_cols == 1 ? "" : "s",
               t->n_derived, t->n_aggs, t->n_aggs == 1 ? "" : "s", t->parent ? " into " : " (root)",
               t->parent ? t->parent : "");
    }
    rcp_free(r);
    return CLI_EXIT_OK;
}

int cmd_recipe(int argc, char **argv)
{
    int rc = CLI_EXIT_OK;
    const char *sub = cli_subcommand(argc, argv, _usage, &rc);
    if (!sub) return rc;
    if (!strcmp(sub, "infer")) return _infer(argc - 1, argv + 1);
    if (!strcmp(sub, "check")) return _check(argc - 1, argv + 1);
    return cli_usage_error("recipe", "unknown action '%s' (expected infer or check)", sub);
}
