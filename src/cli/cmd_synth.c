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
           "       creditscore synth --stream --out DIR [--clients N] [--months M] [--per-month K] [--start YYYY-MM]\n"
           "                         [--drift X] [--shock-month I [--shock-size S] [--shock-odds O]]\n"
           "                         [--outcome-months W] [--seed S] [--quiet]\n"
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
           "                       prints one line per figure, exits 1 when one is out of tolerance\n"
           "\n"
           "Production stream (--stream): application_train.csv holds the N training clients (ids\n"
           "first); application_test.csv the M x K applicants that come after go-live, in monthly\n"
           "cohorts (ids in application order), drawn like the training population but drifting:\n"
           "credit quality -0.015 sd a month (EXT_SOURCE_1..3 and the history tables see it), goods\n"
           "price and credit x exp(0.02) a month, working applicants' age above 20.6 x (1 - 0.012 a\n"
           "month); the history tables cover everyone. stream.csv gives each applicant's month and\n"
           "application time, outcomes.csv (client_id,default,observed) the outcomes known when the\n"
           "stream ends: a default in month on book k = 1..W with probability proportional to\n"
           "k exp(-k/4), observed then; a repaid loan observed W months after the application.\n"
           "  --stream             write a production stream (no test clients)\n"
           "  --months M           months of applications (default 24)\n"
           "  --per-month K        applicants per month (default 1000)\n"
           "  --start YYYY-MM      the first month (default 2025-01)\n"
           "  --drift X            scale of the drift rates above (default 1; 0 = no drift)\n"
           "  --shock-month I      from month I (1..M) on: credit quality a further --shock-size sd\n"
           "                       lower (default 0.6) and default log-odds --shock-odds higher at\n"
           "                       equal characteristics (default 0.5)\n"
           "  --outcome-months W   the performance window (default 12)\n"
           "See docs/synth.md.\n");
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
        {"stream", no_argument, NULL, 'S'},
        {"months", required_argument, NULL, 'M'},
        {"per-month", required_argument, NULL, 'K'},
        {"start", required_argument, NULL, 'T'},
        {"drift", required_argument, NULL, 'D'},
        {"shock-month", required_argument, NULL, 'I'},
        {"shock-size", required_argument, NULL, 'Z'},
        {"shock-odds", required_argument, NULL, 'O'},
        {"outcome-months", required_argument, NULL, 'W'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    synth_params p;
    synth_counts counts;
    cs_err err = {0};
    const char *check_dir = NULL;
    int quiet = 0, c, stream = 0, test_given = 0, months = 24, shock_given = 0;
    long v;
    double dv;
    double t0;

    synth_params_default(&p);
    p.per_month = 1000;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:n:m:s:c:qhSM:K:T:D:I:Z:O:W:", opts, NULL)) != -1) {
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
            test_given = 1;
            break;
        case 'S': stream = 1; break;
        case 'M':
            if (cli_parse_long(optarg, &v) || v < 1 || v > SYNTH_MAX_MONTHS)
                return cli_usage_error("synth", "--months wants a whole number in 1..%d, not '%s'", SYNTH_MAX_MONTHS,
                                       optarg);
            months = (int)v;
            break;
        case 'K':
            if (cli_parse_long(optarg, &v) || v < 1)
                return cli_usage_error("synth", "--per-month wants a whole number >= 1, not '%s'", optarg);
            p.per_month = (uint64_t)v;
            break;
        case 'T': {
            int y, m, n = 0;
            if (sscanf(optarg, "%4d-%2d%n", &y, &m, &n) != 2 || optarg[n] || m < 1 || m > 12)
                return cli_usage_error("synth", "--start wants a month YYYY-MM, not '%s'", optarg);
            p.start_year = y;
            p.start_month = m;
            break;
        }
        case 'D':
            if (cli_parse_double(optarg, &dv) || !(dv >= 0))
                return cli_usage_error("synth", "--drift wants a number >= 0, not '%s'", optarg);
            p.drift = dv;
            break;
        case 'I':
            if (cli_parse_long(optarg, &v) || v < 1 || v > SYNTH_MAX_MONTHS)
                return cli_usage_error("synth", "--shock-month wants a month number 1..M, not '%s'", optarg);
            p.shock_month = (int)v - 1;
            shock_given = 1;
            break;
        case 'Z':
            if (cli_parse_double(optarg, &dv)) return cli_usage_error("synth", "--shock-size wants a number, not '%s'", optarg);
            p.shock_size = dv;
            break;
        case 'O':
            if (cli_parse_double(optarg, &dv)) return cli_usage_error("synth", "--shock-odds wants a number, not '%s'", optarg);
            p.shock_odds = dv;
            break;
        case 'W':
            if (cli_parse_long(optarg, &v) || v < 1 || v > 120)
                return cli_usage_error("synth", "--outcome-months wants a whole number in 1..120, not '%s'", optarg);
            p.outcome_months = (int)v;
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
    if (stream) {
        if (test_given) return cli_usage_error("synth", "--stream writes no test clients: drop --test-clients");
        p.months = months;
        p.n_test = 0;
    } else if (shock_given || months != 24)
        return cli_usage_error("synth", "--months and --shock-month go with --stream");
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
        if (stream)
            fprintf(stderr, "stream: %llu applicants over %d months from %04d-%02d (stream.csv), %.4f default within "
                            "%d months; %llu outcomes observed by the end (outcomes.csv)\n",
                    (unsigned long long)counts.stream_rows, p.months, p.start_year, p.start_month,
                    counts.stream_default_rate, p.outcome_months, (unsigned long long)counts.outcome_rows);
    }
    return CLI_EXIT_OK;
}
