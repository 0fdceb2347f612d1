/*
 * cmd_inspect.c: `creditscore inspect FILE... [--table NAME] [--json] [--time]`: read CSV
 * files with the strict reader (src/io/tbl.h) and describe them: rows, columns, and per
 * column its type, missing share, min / median / max or most frequent categories. The
 * schema comes from --table, else from the file name (hc_table_from_file), else types are
 * inferred. A malformed file prints the reader's "file:line:column: ..." and exits 1.
 */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/hc_schema.h"
#include "io/tbl.h"

#define TOP_TEXT 3              /* categories shown per column in text output */
#define TOP_JSON 10             /* and in JSON */
#define PROGRESS_MIN_BYTES ((off_t)32 << 20)

static void _usage(FILE *out)
{
    fprintf(out,
            "usage: creditscore inspect FILE... [--table NAME] [--json] [--time]\n"
            "\n"
            "Read CSV files strictly and describe each: rows, columns, and per column its type,\n"
            "share of missing values, min / median / max (numbers) or the most frequent values\n"
            "(categories). The Home Credit schema is chosen by the file name\n"
            "(application_train.csv, bureau.csv, ...), or by --table; any other CSV has its\n"
            "column types inferred. A malformed file is reported as file:line:column and the\n"
            "command exits 1.\n"
            "\n"
            "  --table NAME   read every FILE with the schema of table NAME (application_train,\n"
            "                 application_test, bureau, bureau_balance, previous_application,\n"
            "                 POS_CASH_balance, installments_payments, credit_card_balance)\n"
            "  --json         one JSON array, one object per file, on stdout\n"
            "  --time         only read: print rows, columns and the reading time (for benchmarks)\n"
            "  -h, --help     this help\n");
}

/* Write s as a JSON string. */
static void _json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", out);
        else if (*p == '\r') fputs("\\r", out);
        else if (*p == '\t') fputs("\\t", out);
        else if (*p < 0x20 || *p >= 0x80) {
            /* bytes that are not ASCII: kept when they form valid UTF-8, else escaped as
             * the Latin-1 character they would be (cp1252 files) */
            if (*p >= 0x80) {
                int n = (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
                int ok = n > 0;
                for (int i = 1; ok && i <= n; i++) ok = (p[i] & 0xC0) == 0x80;
                if (ok) {
                    fwrite(p, 1, (size_t)n + 1, out);
                    p += n;
                    continue;
                }
            }
            fprintf(out, "\\u%04x", *p);
        } else fputc(*p, out);
    }
    fputc('"', out);
}

static void _json_num(FILE *out, double v)
{
    char b[32];
    if (!isfinite(v)) {
        fputs("null", out);
        return;
    }
    cs_fmt_double(b, sizeof b, v);
    fputs(b, out);
}

static double _pct(size_t part, size_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* Print the description of t; returns CLI_EXIT_OK or CLI_EXIT_FAIL. */
static int _describe(const tbl *t, const char *table, double secs, int json, int first)
{
    tbl_summary *sum = calloc((size_t)(t->n_cols ? t->n_cols : 1), sizeof *sum);
    cs_status *st = calloc((size_t)(t->n_cols ? t->n_cols : 1), sizeof *st);
    cs_err err = {0};
    int rc = CLI_EXIT_OK;

    if (!sum || !st) {
        free(sum);
        free(st);
        cs_err_set(&err, CS_ENOMEM, "out of memory describing %s", t->source);
        return cli_fail("inspect", &err);
    }
#pragma omp parallel for schedule(dynamic, 1)
    for (int k = 0; k < t->n_cols; k++) st[k] = tbl_summarize(t, k, TOP_JSON, &sum[k], NULL);
    for (int k = 0; k < t->n_cols; k++)
        if (st[k]) {
            cs_err_set(&err, st[k], "%s: cannot summarise column %s: %s", t->source, t->cols[k].name,
                       cs_status_str(st[k]));
            rc = cli_fail("inspect", &err);
            goto out;
        }

    if (json) {
        printf("%s{\"file\": ", first ? "" : ",\n");
        _json_str(stdout, t->source);
        printf(", \"table\": ");
        if (table) _json_str(stdout, table);
        else printf("null");
        printf(", \"rows\": %zu, \"columns\": %d, \"read_seconds\": ", t->n_rows, t->n_cols);
        _json_num(stdout, secs);
        printf(", \"cols\": [");
        for (int k = 0; k < t->n_cols; k++) {
            const tbl_column *c = &t->cols[k];
            printf("%s\n  {\"name\": ", k ? "," : "");
            _json_str(stdout, c->name);
            printf(", \"type\": \"%s\", \"missing\": %zu, \"missing_pct\": ", c->type == TBL_NUM ? "num" : "cat",
                   sum[k].n_missing);
            _json_num(stdout, _pct(sum[k].n_missing, t->n_rows));
            if (c->type == TBL_NUM) {
                printf(", \"min\": ");
                _json_num(stdout, sum[k].min);
                printf(", \"median\": ");
                _json_num(stdout, sum[k].median);
                printf(", \"max\": ");
                _json_num(stdout, sum[k].max);
            } else {
                printf(", \"n_categories\": %d, \"top\": [", c->n_cats);
                for (int j = 0; j < sum[k].n_top; j++) {
                    printf("%s{\"value\": ", j ? ", " : "");
                    _json_str(stdout, c->cats[sum[k].top_code[j]]);
                    printf(", \"count\": %zu}", sum[k].top_count[j]);
                }
                printf("]");
            }
            printf("}");
        }
        printf("]}");
    } else {
        int w = 6;
        for (int k = 0; k < t->n_cols; k++)
            if ((int)strlen(t->cols[k].name) > w) w = (int)strlen(t->cols[k].name);
        if (w > 40) w = 40;
        printf("%s: %zu rows, %d columns, %s, read in %.3f s\n", t->source, t->n_rows, t->n_cols,
               table ? table : "types inferred", secs);
        printf("  %-*s type missing  min / median / max  or  top categories (count)\n", w, "column");
        for (int k = 0; k < t->n_cols; k++) {
            const tbl_column *c = &t->cols[k];
            printf("  %-*s %s %6.2f%%  ", w, c->name, c->type == TBL_NUM ? "num " : "cat ",
                   _pct(sum[k].n_missing, t->n_rows));
            if (c->type == TBL_NUM) {
                char a[32], b[32], m[32];
                cs_fmt_double(a, sizeof a, sum[k].min);
                cs_fmt_double(m, sizeof m, sum[k].median);
                cs_fmt_double(b, sizeof b, sum[k].max);
                printf("%s / %s / %s\n", a, m, b);
            } else {
                printf("%d value%s:", c->n_cats, c->n_cats == 1 ? "" : "s");
                for (int j = 0; j < sum[k].n_top && j < TOP_TEXT; j++) {
                    const char *v = c->cats[sum[k].top_code[j]];
                    int len = (int)strlen(v);
                    printf("%s %.*s%s (%zu)", j ? "," : "", len > 32 ? 32 : len, v, len > 32 ? "..." : "",
                           sum[k].top_count[j]);
                }
                printf("%s\n", c->n_cats > TOP_TEXT ? ", ..." : "");
            }
        }
    }
out:
    free(sum);
    free(st);
    return rc;
}

/* The schema of table `name`, or NULL. */
static const tbl_schema *_schema_named(const char *name)
{
    for (int i = 0; i < HC_N_TABLES; i++) {
        const tbl_schema *s = hc_schema((hc_table)i);
        if (!strcmp(s->table, name) || !strcmp(hc_file_name((hc_table)i), name)) return s;
    }
    return NULL;
}

int cmd_inspect(int argc, char **argv)
{
    static const struct option opts[] = {
        {"table", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"time", no_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const tbl_schema *forced = NULL;
    int json = 0, time_only = 0, c, rc = CLI_EXIT_OK, n_done = 0;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            forced = _schema_named(optarg);
            if (!forced) return cli_usage_error("inspect", "unknown table '%s'", optarg);
            break;
        case 'j': json = 1; break;
        case 'T': time_only = 1; break;
        case 'h': _usage(stdout); return CLI_EXIT_OK;
        default:
            return cli_usage_error("inspect", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return cli_usage_error("inspect", "no file given");

    if (json) printf("[");
    for (int i = optind; i < argc; i++) {
        const char *path = argv[i];
        const tbl_schema *schema = forced;
        tbl_read_opts ro = {0};
        cs_progress *prog = NULL;
        struct stat sb;
        cs_err err = {0};
        double t0;
        tbl *t;

        if (!schema) {
            int h = hc_table_from_file(path);
            if (h >= 0) schema = hc_schema((hc_table)h);
        }
        if (!json && stat(path, &sb) == 0 && sb.st_size >= PROGRESS_MIN_BYTES)
            prog = cs_progress_create(stderr, "reading", (uint64_t)sb.st_size);
        ro.schema = schema;
        ro.progress = prog;
        t0 = cs_now();
        t = tbl_read_csv_opts(path, &ro, &err);
        if (prog) cs_progress_finish(prog, NULL);
        cs_progress_free(prog);
        if (!t) {
            rc = cli_fail("inspect", &err);
            continue;
        }
        if (time_only && json) {
            printf("%s{\"file\": ", n_done ? ",\n" : "");
            _json_str(stdout, path);
            printf(", \"rows\": %zu, \"columns\": %d, \"read_seconds\": %.6f}", t->n_rows, t->n_cols,
                   cs_now() - t0);
        } else if (time_only) {
            printf("%s: %zu rows, %d columns, read in %.3f s\n", path, t->n_rows, t->n_cols, cs_now() - t0);
        } else if (_describe(t, schema ? schema->table : NULL, cs_now() - t0, json, n_done == 0)) {
            rc = CLI_EXIT_FAIL;
        }
        n_done++;
        tbl_free(t);
    }
    if (json) printf("]\n");
    return rc;
}
