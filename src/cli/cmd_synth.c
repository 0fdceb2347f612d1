/*
 * cmd_synth.c: `creditscore synth`: generate Home Credit-like tables into a folder, or
 * (--check DIR) compare a folder of tables with the documented real figures.
 */
#include "cli.h"
#include "../synth/synth.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void _help(void)
{
    printf("usage: creditscore synth --out DIR [--clients N] [--test-clients M] [--seed S] [--quiet]\n"
           "       creditscore synth --check DIR\n"
           "\n"
           "Generate the eight Home Credit tables (application_train/test, bureau, bureau_balance,\n"
           "previous_application, POS_CASH_balance, installments_payments, credit_card_balance)\n"
           "in the real format, with realistic marginals and a default rate of about 8.07 %%.\n"
           "The same seed gives byte-identical files.\n"
           "\n"
           "  --out DIR            folder to write (created when missing)\n"
           "  --clients N          train clients (default 307511, the real size)\n"
           "  --test-clients M     test clients (default 48744)\n"
           "  --seed S             random seed (default 42)\n"
           "  --quiet              no progress bar\n"
           "  --check DIR          compare DIR's tables with the real figures (missing rates,\n"
           "                       quartiles, category shares, rows per client, default rate);\n"
           "                       prints one line per figure, exits 1 when one is out of tolerance\n");
}

static int _check(const char *dir, int quiet)
{
    cs_err err = {0};
    cs_buf out = {0};
    synth_report *r = synth_check_dir(dir, quiet ? NULL : stderr, &err);
    int rc;
    if (!r) return cli_fail("synth", &err);
    if (synth_report_format(r, &out, &err)) {
        synth_report_free(r);
        cs_buf_free(&out);
        return cli_fail("synth", &err);
    }
    fputs(out.data ? out.data : "", stdout);
    rc = r->n_fail ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    synth_report_free(r);
    cs_buf_free(&out);
    return rc;
}

int cmd_synth(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"clients", required_argument, NULL, 'n'},
        {"test-clients", required_argument, NULL, 'm'},
        {"seed", required_argument, NULL, 's'},
        {"check", required_argument, NULL, 'c'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    synth_params p;
    synth_counts counts;
    cs_err err = {0};
    const char *check_dir = NULL;
    int quiet = 0, c;
    long v;
    double t0;

    synth_params_default(&p);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:n:m:s:c:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': p.out_dir = optarg; break;
        case 'n':
            if (cli_parse_long(optarg, &v) || v < 1)
                return cli_usage_error("synth", "--clients wants a whole number >= 1, not '%s'", optarg);
            p.n_train = (uint64_t)v;
            break;
        case 'm':
            if (cli_parse_long(optarg, &v) || v < 0)
                return cli_usage_error("synth", "--test-clients wants a whole number >= 0, not '%s'", optarg);
            p.n_test = (uint64_t)v;
            break;
        case 's':
            if (cli_parse_long(optarg, &v) || v < 0)
                return cli_usage_error("synth", "--seed wants a whole number >= 0, not '%s'", optarg);
            p.seed = (uint64_t)v;
            break;
        case 'c': check_dir = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': _help(); return CLI_EXIT_OK;
        case ':': return cli_usage_error("synth", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("synth", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("synth", "unexpected argument '%s'", argv[optind]);
    if (check_dir && p.out_dir) return cli_usage_error("synth", "--check and --out do not go together");
    if (check_dir) return _check(check_dir, quiet);
    if (!p.out_dir) return cli_usage_error("synth", "--out DIR is required");
    if (synth_params_check(&p, &err)) return cli_usage_error("synth", "%s", err.msg);

    t0 = cs_now();
    if (synth_generate(&p, quiet ? NULL : stderr, &counts, &err)) return cli_fail("synth", &err);
    if (!quiet) {
        uint64_t total = 0, bytes = 0;
        for (int t = 0; t < HC_N_TABLES; t++) {
            fprintf(stderr, "  %-28s %12llu rows\n", hc_file_name((hc_table)t),
                    (unsigned long long)counts.rows[t]);
            total += counts.rows[t];
            bytes += counts.bytes[t];
        }
        fprintf(stderr, "wrote %llu rows (%.1f MB) to %s in %.1f s; default rate %.4f\n",
                (unsigned long long)total, (double)bytes / 1e6, p.out_dir, cs_now() - t0,
                counts.default_rate);
    }
    return CLI_EXIT_OK;
}
