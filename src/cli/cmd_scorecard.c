/*
 * cmd_scorecard.c: `creditscore scorecard bin|show|export|points`: the optimal WoE binning of
 * the features of a feature file (tables in CSV, Markdown or JSON); a scorecard model's points
 * table, its SQL and JSON exports, and the points of each client. See docs/scorecard.md.
 */
#include "cli.h"
#include "../features/featfile.h"
#include "../learn/binning.h"
#include "../learn/dataset.h"
#include "../learn/scorecard.h"
#include "../model/model.h"
#include "../model/points.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* the rows the cells' edges are taken from: the sample of the learners' binned dataset */
#define SC_BIN_SAMPLE 200000

static const char USAGE[] =
    "usage: creditscore scorecard bin FEATURES.csf [options]\n"
    "       creditscore scorecard show MODEL [--format text|md|csv]\n"
    "       creditscore scorecard export MODEL (--sql [--table T] [--id-column C] | --json) [--out FILE]\n"
    "       creditscore scorecard points MODEL FEATURES.csf [--out FILE]\n"
    "\n"
    "  bin       the optimal WoE binning of every feature (or --features) of a feature file\n"
    "            on its labelled rows: binning tables with count, share, events, event\n"
    "            rate, WoE and IV per bin\n"
    "  show      the points table of a scorecard model (train --model scorecard): scaling,\n"
    "            cut-off in points, each characteristic's bins and points\n"
    "  export    the points as a standard SQL CASE expression (the same totals in any\n"
    "            database) or as JSON (scaling, cut-off, bins, points)\n"
    "  points    each client's total points and points per characteristic (CSV)\n";

static void _bin_help(FILE *out)
{
    fprintf(out,
            "usage: creditscore scorecard bin FEATURES.csf [--params JSON] [--features A,B,...]\n"
            "                                [--categorical A,B,...] [--format csv|md|json]\n"
            "                                [--out FILE] [--threads N]\n"
            "\n"
            "Bin each feature on the rows with a target: quantile pre-bins, then the merge of\n"
            "maximum information value under the constraints (docs/scorecard.md). Each column\n"
            "of the (mapped) file is read once: cut into the learners' 255 quantile cells (from\n"
            "a 200,000-row sample), every labelled row counted into them. Prints the binning\n"
            "tables (to --out when given) and, on stderr, the time taken.\n"
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
    if (params && !*params) return cli_usage_error("scorecard bin", "--params needs a JSON object, got an empty string");
    bn_format fmt;
    if (!strcmp(fmt_s, "csv")) fmt = BN_FMT_CSV;
    else if (!strcmp(fmt_s, "md") || !strcmp(fmt_s, "markdown")) fmt = BN_FMT_MARKDOWN;
    else if (!strcmp(fmt_s, "json")) fmt = BN_FMT_JSON;
    else return cli_usage_error("scorecard bin", "--format: csv, md or json, got '%s'", fmt_s);
    cs_err err = {0};
    bn_opts o = BN_OPTS_DEFAULT;
    if (bn_opts_from_json(params, &o, &err)) return cli_usage_error("scorecard bin", "--params: %s", err.msg);
    double t0 = cs_now(), t1, t2;
    feat_matrix *m = feat_file_open(argv[optind], FEAT_OPEN_LAZY, &err);
    if (!m) return cli_fail("scorecard bin", &err);
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
    t1 = cs_now();
    if (bn_fit_columns(m, argv[optind], rows, n, is_cat, &o, DS_MAX_BIN, SC_BIN_SAMPLE, (int)threads, &fs, &err)) {
        rc = cli_fail("scorecard bin", &err);
        goto done;
    }
    t2 = cs_now();
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
    double t3 = cs_now();
    fprintf(stderr, "scorecard bin: %zu features x %zu labelled rows in %.2f s (file %.2f s, binning %.2f s, "
            "tables %.2f s)%s%s\n", m->n_feats, n, t3 - t0, t1 - t0, t2 - t1,
            t3 - t2, out ? " -> " : "", out ? out : "");
done:
    cs_buf_free(&b);
    bn_features_free(fs, m->n_feats);
    free(is_cat);
    free(rows);
    feat_matrix_free(m);
    return rc;
}

/* the model file and its points table */
static sc_card *_load(const char *cmd, const char *path, mf_model **mf, int *rc)
{
    cs_err err = {0};
    sc_card *card = NULL;
    if (!(*mf = mf_load(path, &err)) || !(card = sc_card_of(mf_learner(*mf), &err))) {
        if (*mf) cs_err_prefix(&err, "%s: ", path);
        *rc = cli_fail(cmd, &err);
        mf_free(*mf);
        *mf = NULL;
    }
    return card;
}

static int _show(int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, 0, 'F'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *fmt_s = "text";
    int c, rc = CLI_EXIT_OK, fmt;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'F': fmt_s = optarg; break;
        case 'h': fputs("usage: creditscore scorecard show MODEL [--format text|md|csv]\n\nThe points table of a "
                        "scorecard model: its scaling, the cut-off in points, and per characteristic\nthe bins "
                        "with their count, share, event rate, WoE and points.\n", stdout);
                  return CLI_EXIT_OK;
        default: return cli_usage_error("scorecard show", "unknown option (see --help)");
        }
    }
    if (!strcmp(fmt_s, "text")) fmt = 0;
    else if (!strcmp(fmt_s, "md") || !strcmp(fmt_s, "markdown")) fmt = 1;
    else if (!strcmp(fmt_s, "csv")) fmt = 2;
    else return cli_usage_error("scorecard show", "--format: text, md or csv, got '%s'", fmt_s);
    if (optind + 1 != argc) return cli_usage_error("scorecard show", "expected one model file (see --help)");
    mf_model *mf;
    sc_card *card = _load("scorecard show", argv[optind], &mf, &rc);
    if (!card) return rc;
    cs_buf b = {0};
    cs_err err = {0};
    if (fmt != 2)
        cs_buf_printf(&b, &err, fmt == 1 ? "## Scorecard %s version %s\n\nCut-off: **%lld points** (approve at or "
                      "above; threshold %.4f on the calibrated probability).\n\n"
                      : "scorecard %s version %s: cut-off %lld points (approve at or above; threshold %.4f "
                      "on the calibrated probability)\n",
                      mf_name(mf), mf_version(mf), (long long)mf_points_cutoff(card, mf_calib(mf), mf_threshold(mf)),
                      mf_threshold(mf));
    if (!err.code && sc_card_table(card, fmt, &b, &err) == CS_OK) fwrite(b.data, 1, b.len, stdout);
    else rc = cli_fail("scorecard show", &err);
    cs_buf_free(&b);
    sc_card_free(card);
    mf_free(mf);
    return rc;
}

static int _export(int argc, char **argv)
{
    static const struct option opts[] = {{"sql", no_argument, 0, 's'},         {"json", no_argument, 0, 'j'},
                                         {"table", required_argument, 0, 't'}, {"id-column", required_argument, 0, 'i'},
                                         {"out", required_argument, 0, 'o'},   {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c, rc = CLI_EXIT_OK, sql = 0, json = 0;
    const char *table = "applications", *id = "SK_ID_CURR", *out = NULL;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's': sql = 1; break;
        case 'j': json = 1; break;
        case 't': table = optarg; break;
        case 'i': id = optarg; break;
        case 'o': out = optarg; break;
        case 'h': fputs("usage: creditscore scorecard export MODEL (--sql [--table T] [--id-column C] | --json) [--out FILE]\n"
                        "\n  --sql          SELECT C, <the points as a sum of CASE expressions> AS score_points FROM T;\n"
                        "                 columns named as the model's features, NULL for missing (default T\n"
                        "                 applications, C SK_ID_CURR)\n"
                        "  --json         the points table: scaling, cut-off, characteristics with bins and points\n"
                        "  --out FILE     write there instead of stdout\n", stdout);
                  return CLI_EXIT_OK;
        default: return cli_usage_error("scorecard export", "unknown option (see --help)");
        }
    }
    if (sql + json != 1) return cli_usage_error("scorecard export", "give one of --sql or --json");
    if (optind + 1 != argc) return cli_usage_error("scorecard export", "expected one model file (see --help)");
    mf_model *mf;
    sc_card *card = _load("scorecard export", argv[optind], &mf, &rc);
    if (!card) return rc;
    cs_buf b = {0};
    cs_err err = {0};
    int64_t cut = mf_points_cutoff(card, mf_calib(mf), mf_threshold(mf));
    if (sql) {
        cs_buf_printf(&b, &err, "-- scorecard %s version %s: total points (cut-off %lld: approve at or above)\nSELECT \"",
                      mf_name(mf), mf_version(mf), (long long)cut);
        for (const char *p = id; *p; p++) cs_buf_puts(&b, *p == '"' ? "\"\"" : (char[2]){*p, 0}, &err);
        cs_buf_puts(&b, "\",\n", &err);
        if (!err.code) sc_card_sql(card, &b, &err);
        cs_buf_puts(&b, " AS score_points\nFROM \"", &err);
        for (const char *p = table; *p; p++) cs_buf_puts(&b, *p == '"' ? "\"\"" : (char[2]){*p, 0}, &err);
        cs_buf_puts(&b, "\";\n", &err);
    } else {
        char th[40];
        cs_fmt_double(th, sizeof th, mf_threshold(mf));
        cs_buf_puts(&b, "{\"cutoff_points\":", &err);
        cs_buf_printf(&b, &err, "%lld,\"threshold\":%s,\"card\":", (long long)cut, th);
        if (!err.code) sc_card_to_json(card, &b, &err);
        cs_buf_puts(&b, "}\n", &err);
    }
    if (!err.code) {
        if (out) cs_write_file(out, b.data, b.len, &err);
        else fwrite(b.data, 1, b.len, stdout);
    }
    if (err.code) rc = cli_fail("scorecard export", &err);
    cs_buf_free(&b);
    sc_card_free(card);
    mf_free(mf);
    return rc;
}

static int _points(int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *out = NULL;
    int c, rc = CLI_EXIT_OK;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'h': fputs("usage: creditscore scorecard points MODEL FEATURES.csf [--out FILE]\n\nEach client's total "
                        "points and the points of each characteristic, as CSV\n(SK_ID_CURR,points,<characteristics>); "
                        "features matched by name.\n", stdout);
                  return CLI_EXIT_OK;
        default: return cli_usage_error("scorecard points", "unknown option (see --help)");
        }
    }
    if (optind + 2 != argc) return cli_usage_error("scorecard points", "expected a model file and a feature file");
    mf_model *mf;
    sc_card *card = _load("scorecard points", argv[optind], &mf, &rc);
    if (!card) return rc;
    cs_err err = {0};
    feat_matrix *m = feat_file_load(argv[optind + 1], &err);
    long *col = NULL;
    double *x = NULL;
    int32_t *pts = NULL;
    cs_buf b = {0};
    if (!m) { rc = cli_fail("scorecard points", &err); goto done; }
    col = calloc(card->n_chars + 1, sizeof *col);
    x = calloc(card->n_feats + 1, sizeof *x);
    pts = calloc(card->n_chars + 1, sizeof *pts);
    if (!col || !x || !pts) { cs_err_set(&err, CS_ENOMEM, "out of memory"); rc = cli_fail("scorecard points", &err); goto done; }
    cs_buf_puts(&b, "SK_ID_CURR,points", &err);
    for (size_t j = 0; j < card->n_chars; j++) {
        const char *name = card->chars[j].bins->name;
        if ((col[j] = feat_index(m, name)) < 0) {
            cs_err_set(&err, CS_ENOTFOUND, "%s has no feature '%s' (a characteristic of the scorecard)", argv[optind + 1], name);
            rc = cli_fail("scorecard points", &err);
            goto done;
        }
        cs_buf_printf(&b, &err, strpbrk(name, ",\"") ? ",\"%s\"" : ",%s", name);
    }
    cs_buf_puts(&b, "\n", &err);
    for (size_t i = 0; i < m->n_rows && !err.code; i++) {
        for (size_t j = 0; j < card->n_chars; j++) x[card->chars[j].feat] = feat_col(m, (size_t)col[j])[i];
        int64_t total = sc_card_points(card, x, pts, NULL);
        cs_buf_printf(&b, &err, "%lld,%lld", (long long)m->ids[i], (long long)total);
        for (size_t j = 0; j < card->n_chars; j++) cs_buf_printf(&b, &err, ",%d", (int)pts[j]);
        cs_buf_puts(&b, "\n", &err);
    }
    if (!err.code) {
        if (out) cs_write_file(out, b.data, b.len, &err);
        else fwrite(b.data, 1, b.len, stdout);
    }
    if (err.code) rc = cli_fail("scorecard points", &err);
done:
    cs_buf_free(&b);
    free(col);
    free(x);
    free(pts);
    feat_matrix_free(m);
    sc_card_free(card);
    mf_free(mf);
    return rc;
}

int cmd_scorecard(int argc, char **argv)
{
    int rc;
    const char *sub = cli_subcommand(argc, argv, USAGE, &rc);
    if (!sub) return rc;
    if (!strcmp(sub, "bin")) return _bin(argc - 1, argv + 1);
    if (!strcmp(sub, "show")) return _show(argc - 1, argv + 1);
    if (!strcmp(sub, "export")) return _export(argc - 1, argv + 1);
    if (!strcmp(sub, "points")) return _points(argc - 1, argv + 1);
    return cli_usage_error("scorecard", "unknown subcommand '%s' (bin, show, export, points)", sub);
}
