/*
 * cmd_scorecard.c: `creditscore scorecard bin`: the optimal WoE binning of the features of a
 * feature file, as binning tables (CSV, Markdown or JSON). See docs/scorecard.md.
 */
#include "cli.h"
#include "../features/featfile.h"
#include "../learn/binning.h"
#include "../learn/dataset.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "usage: creditscore scorecard bin FEATURES.csf [options]\n"
    "\n"
    "  bin       the optimal WoE binning of every feature (or --features) of a feature file\n"
    "            on its labelled rows: binning tables with count, share, events, event\n"
    "            rate, WoE and IV per bin\n";

static void _bin_help(FILE *out)
{
    fprintf(out,
            "usage: creditscore scorecard bin FEATURES.csf [--params JSON] [--features A,B,...]\n"
            "                                [--categorical A,B,...] [--format csv|md|json]\n"
            "                                [--out FILE] [--threads N]\n"
            "\n"
            "Bin each feature on the rows with a target: quantile pre-bins, then the merge of\n"
            "maximum information value under the constraints (docs/scorecard.md). Prints the\n"
            "binning tables (to --out when given) and, on stderr, the time taken.\n"
            "\n"
            "  --params JSON       binning options: max_n_prebins (20), min_bin_size (0.05),\n"
            "                      min_n_event (1), min_n_nonevent (1), max_n_bins (0: no limit),\n"
            "                      monotonic_trend (auto, auto_monotonic, ascending, descending,\n"
            "                      peak, valley, none), cat_cutoff (0.01), special_codes ([])\n"
            "  --features A,B      only these features (default: all)\n"
            "  --categorical A,B   bin these features as category codes\n"
            "  --format F          csv (default), md (Markdown) or json\n"
            "  --out FILE          write the tables there instead of stdout\n"
            "  --threads N         threads (default: all cores)\n");
}

/* 1 when name is one of the comma-separated list */
static int _in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && !strncmp(p, name, n)) return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

/* every name of the list is a feature of m, else the first that is not */
static const char *_unknown(const feat_matrix *m, const char *list, char *buf, size_t cap)
{
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        snprintf(buf, cap, "%.*s", (int)len, p);
        if (feat_index(m, buf) < 0) return buf;
        p = e ? e + 1 : NULL;
    }
    return NULL;
}

static int _bin(int argc, char **argv)
{
    static const struct option opts[] = {{"params", required_argument, 0, 'p'},
                                         {"features", required_argument, 0, 'f'},
                                         {"categorical", required_argument, 0, 'c'},
                                         {"format", required_argument, 0, 'F'},
                                         {"out", required_argument, 0, 'o'},
                                         {"threads", required_argument, 0, 't'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *params = NULL, *only = NULL, *cats = NULL, *fmt_s = "csv", *out = NULL;
    long threads = 0;
    int c, rc = CLI_EXIT_OK;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'p': params = optarg; break;
        case 'f': only = optarg; break;
        case 'c': cats = optarg; break;
        case 'F': fmt_s = optarg; break;
        case 'o': out = optarg; break;
        case 't':
            if (cli_parse_long(optarg, &threads) || threads < 0 || threads > 1024)
                return cli_usage_error("scorecard bin", "--threads: expected 0..1024, got '%s'", optarg);
            break;
        case 'h': _bin_help(stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("scorecard bin", "unknown option (see --help)");
        }
    }
    if (optind + 1 != argc) return cli_usage_error("scorecard bin", "expected one feature file (see --help)");
    bn_format fmt;
    if (!strcmp(fmt_s, "csv")) fmt = BN_FMT_CSV;
    else if (!strcmp(fmt_s, "md") || !strcmp(fmt_s, "markdown")) fmt = BN_FMT_MARKDOWN;
    else if (!strcmp(fmt_s, "json")) fmt = BN_FMT_JSON;
    else return cli_usage_error("scorecard bin", "--format: csv, md or json, got '%s'", fmt_s);
    cs_err err = {0};
    bn_opts o = BN_OPTS_DEFAULT;
    if (bn_opts_from_json(params, &o, &err)) return cli_usage_error("scorecard bin", "--params: %s", err.msg);
    feat_matrix *m = feat_file_load(argv[optind], &err);
    if (!m) return cli_fail("scorecard bin", &err);
    ds_dataset *ds = NULL;
    bn_feature **fs = NULL;
    uint8_t *is_cat = NULL;
    size_t *rows = NULL, n = 0;
    cs_buf b = {0};
    char name[512];
    const char *bad;
    if ((only && (bad = _unknown(m, only, name, sizeof name))) ||
        (cats && (bad = _unknown(m, cats, name, sizeof name)))) {
        feat_matrix_free(m);
        return cli_usage_error("scorecard bin", "no feature '%s' in %s", bad, argv[optind]);
    }
    if (!(rows = cs_malloc((m->n_rows ? m->n_rows : 1) * sizeof *rows, &err)) ||
        !(is_cat = cs_calloc(m->n_feats ? m->n_feats : 1, 1, &err))) {
        rc = cli_fail("scorecard bin", &err);
        goto done;
    }
    for (size_t i = 0; i < m->n_rows; i++)
        if (m->target[i] == m->target[i]) rows[n++] = i;
    for (size_t j = 0; j < m->n_feats && cats; j++) is_cat[j] = (uint8_t)_in_list(cats, m->names[j]);
    double t0 = cs_now(), t1;
    if (!(ds = ds_create(m, DS_MAX_BIN, 200000, &err)) || ((t1 = cs_now()), 0) ||
        bn_fit_matrix(m, ds, rows, n, is_cat, &o, (int)threads, &fs, &err)) {
        rc = cli_fail("scorecard bin", &err);
        goto done;
    }
    double t2 = cs_now();
    int first = 1;
    if (fmt == BN_FMT_JSON) cs_buf_puts(&b, "{\"features\":[", &err);
    for (size_t j = 0; j < m->n_feats && !err.code; j++) {
        if (only && !_in_list(only, m->names[j])) continue;
        if (fmt == BN_FMT_JSON && !first) cs_buf_puts(&b, ",", &err);
        bn_table_write(fs[j], fmt, first, &b, &err);
        first = 0;
    }
    if (fmt == BN_FMT_JSON) cs_buf_puts(&b, "]}\n", &err);
    if (!err.code && out) cs_write_file(out, b.data ? b.data : "", b.len, &err);
    else if (!err.code) fwrite(b.data ? b.data : "", 1, b.len, stdout);
    if (err.code) { rc = cli_fail("scorecard bin", &err); goto done; }
    fprintf(stderr, "scorecard bin: %zu features x %zu labelled rows in %.2f s (binned dataset %.2f s, "
            "optimal binning %.2f s)%s%s\n", m->n_feats, n, t2 - t0, t1 - t0, t2 - t1,
            out ? " -> " : "", out ? out : "");
done:
    cs_buf_free(&b);
    bn_features_free(fs, m->n_feats);
    ds_free(ds);
    free(is_cat);
    free(rows);
    feat_matrix_free(m);
    return rc;
}

int cmd_scorecard(int argc, char **argv)
{
    int rc;
    const char *sub = cli_subcommand(argc, argv, USAGE, &rc);
    if (!sub) return rc;
    if (!strcmp(sub, "bin")) return _bin(argc - 1, argv + 1);
    return cli_usage_error("scorecard", "unknown subcommand '%s' (bin)", sub);
}
