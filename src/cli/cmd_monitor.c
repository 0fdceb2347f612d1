/*
 * cmd_monitor.c: `creditscore monitor`: the monitoring report of a model's decisions from
 * the audit log (PSI, CSI, performance, calibration, vintages) as HTML and JSON, with alert
 * rules for cron or CI (--fail-on, exit 3).
 */
#include "cli.h"
#include "../model/model.h"
#include "../monitor/monitor.h"
#include "../store/audit.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RULES 16

static void _help(void)
{
    printf("usage: creditscore monitor --audit DB --model M [--clients C | --features F] [--by month|week]\n"
           "                           [--since D] [--until D] [--as-of D] [--min-known S] [--html F] [--json F]\n"
           "                           [--fail-on RULE]... [--threads N] [--quiet]\n"
           "\n"
           "Watch a model after go-live from the API's audit log: per period (month or ISO week of\n"
           "the decision) the volume, the approval rate, the score's distribution and its PSI against\n"
           "the training scores the model file carries (< 0.1 stable, 0.1-0.25 watch, > 0.25 act),\n"
           "the CSI of every model feature (features from the clients store or the clients' feature\n"
           "file, joined on the client id), and once the outcomes of a period are known (creditscore\n"
           "outcomes import): AUC, Gini, KS, observed against expected default rate by score band\n"
           "with exact binomial tests, calibration (observed / expected, Brier), and vintage curves\n"
           "(cumulative default rate of booked loans by months on book, per monthly cohort).\n"
           "See docs/monitor.md.\n"
           "\n"
           "  --audit DB        the audit log (serve --audit), with the imported outcomes\n"
           "  --model M         the model file whose decisions to watch (matched by name, every\n"
           "                    version); it carries the training reference\n"
           "  --clients C       the clients store the API used, a file or a PostgreSQL URL\n"
           "                    (features for the CSI); without it\n"
           "                    or --features, no CSI\n"
           "  --features F      the clients' feature file (.csf) the store was imported from, read\n"
           "                    column-wise: the same CSI, several times faster than --clients\n"
           "  --by month|week   the period (default month)\n"
           "  --since D         decisions from D on (YYYY-MM-DD or a UTC time)\n"
           "  --until D         decisions before D\n"
           "  --as-of D         the report's date (default: the latest decision or outcome)\n"
           "  --min-known S     a period's performance is measured once this share of its approved\n"
           "                    decisions has an outcome (default 0.9)\n"
           "  --html F          write the report as one self-contained HTML page (inline SVG)\n"
           "  --json F          write the report as JSON (field names in docs/monitor.md)\n"
           "  --fail-on RULE    exit 3 when a period breaches RULE: METRIC OP VALUE with METRIC one of\n"
           "                    psi, csi (a period's largest), approval_rate, auc, gini, ks, oe\n"
           "                    (observed / expected) and OP one of > >= < <=; e.g. psi>0.25,\n"
           "                    gini<0.4; may be repeated\n"
           "  --threads N       threads reading the features (default: all cores)\n"
           "  --quiet           no table, only the alerts\n"
           "Exit status: 0 fine, 1 the work failed, 2 bad usage, 3 a --fail-on rule was breached.\n");
}

static void _table(const mon_report *r)
{
    printf("%-9s %8s %8s %7s %-6s %8s %-28s %8s %7s %7s %8s %8s\n", "period", "decided", "approve", "psi", "band",
           "csi max", "feature", "outcomes", "auc", "gini", "expected", "observed");
    for (size_t p = 0; p < r->n_periods; p++) {
        const mon_period *pp = &r->periods[p];
        printf("%-9s %8.0f %8.3f %7.4f %-6s %8.4f %-28.28s %8.0f%s", pp->label, pp->n, pp->approval_rate, pp->psi,
               mon_psi_band(pp->psi), pp->csi_max, pp->csi_max_feature >= 0 ? r->feat_names[pp->csi_max_feature] : "-",
               pp->n_outcomes, pp->mature ? " " : "*");
        if (pp->mature) printf("%7.4f %7.4f %8.4f %8.4f\n", pp->auc, pp->gini, pp->expected, pp->observed);
        else printf("%7s %7s %8s %8s\n", "-", "-", "-", "-");
    }
    printf("(* outcomes not yet known for enough of the period's approved decisions)\n");
}

int cmd_monitor(int argc, char **argv)
{
    static const struct option opts[] = {
        {"audit", required_argument, NULL, 'a'},   {"model", required_argument, NULL, 'm'},
        {"clients", required_argument, NULL, 'c'}, {"features", required_argument, NULL, 'F'},
        {"by", required_argument, NULL, 'b'},
        {"since", required_argument, NULL, 's'},   {"as-of", required_argument, NULL, 'o'},
        {"until", required_argument, NULL, 'u'},
        {"min-known", required_argument, NULL, 'k'}, {"html", required_argument, NULL, 'H'},
        {"json", required_argument, NULL, 'J'},    {"fail-on", required_argument, NULL, 'f'},
        {"threads", required_argument, NULL, 't'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *audit = NULL, *model = NULL, *html = NULL, *json = NULL;
    mon_options o;
    mon_rule rules[MAX_RULES];
    int n_rules = 0, quiet = 0, c, rc = CLI_EXIT_OK;
    cs_err err = {0};
    long v;
    double dv;
    mf_model *m;
    mon_report *r;

    mon_options_init(&o);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":a:m:c:F:b:s:o:u:k:H:J:f:t:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'a': audit = optarg; break;
        case 'm': model = optarg; break;
        case 'c': o.clients_path = optarg; break;
        case 'F': o.features_path = optarg; break;
        case 'b':
            if (!strcmp(optarg, "month")) o.by = MON_BY_MONTH;
            else if (!strcmp(optarg, "week")) o.by = MON_BY_WEEK;
            else return cli_usage_error("monitor", "--by is month or week, not '%s'", optarg);
            break;
        case 's':
            if ((o.since_ms = store_audit_parse_time(optarg)) < 0)
                return cli_usage_error("monitor", "--since wants YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, not '%s'", optarg);
            break;
        case 'u':
            if ((o.until_ms = store_audit_parse_time(optarg)) < 0)
                return cli_usage_error("monitor", "--until wants YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, not '%s'", optarg);
            break;
        case 'o':
            if ((o.as_of_ms = store_audit_parse_time(optarg)) < 0)
                return cli_usage_error("monitor", "--as-of wants YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, not '%s'", optarg);
            break;
        case 'k':
            if (cli_parse_double(optarg, &dv) || !(dv > 0 && dv <= 1))
                return cli_usage_error("monitor", "--min-known wants a share in (0, 1], not '%s'", optarg);
            o.min_known = dv;
            break;
        case 'H': html = optarg; break;
        case 'J': json = optarg; break;
        case 'f':
            if (n_rules == MAX_RULES) return cli_usage_error("monitor", "at most %d --fail-on rules", MAX_RULES);
            if (mon_rule_parse(optarg, &rules[n_rules], &err)) return cli_usage_error("monitor", "--fail-on %s", err.msg);
            n_rules++;
            break;
        case 't':
            if (cli_parse_long(optarg, &v) || v < 1 || v > 256)
                return cli_usage_error("monitor", "--threads wants 1..256, not '%s'", optarg);
            o.threads = (int)v;
            break;
        case 'q': quiet = 1; break;
        case 'h': _help(); return CLI_EXIT_OK;
        case ':': return cli_usage_error("monitor", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("monitor", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("monitor", "unexpected argument '%s'", argv[optind]);
    if (!audit || !model) return cli_usage_error("monitor", "--audit DB and --model M are required");
    if (o.clients_path && o.features_path)
        return cli_usage_error("monitor", "--clients and --features both give the features: use one");

    if (!(m = mf_load(model, &err))) return cli_fail("monitor", &err);
    r = mon_run(m, audit, &o, &err);
    mf_free(m);
    if (!r) return cli_fail("monitor", &err);
    if (json || html) {
        char *j = json ? mon_report_json(r, &err) : NULL, *h = html ? mon_report_html(r, &err) : NULL;
        cs_status st = CS_OK;
        if ((json && !j) || (html && !h)) st = err.code ? err.code : CS_ENOMEM;
        if (!st && j) st = mon_write_file(json, j, &err);
        if (!st && h) st = mon_write_file(html, h, &err);
        free(j);
        free(h);
        if (st) {
            mon_report_free(r);
            return cli_fail("monitor", &err);
        }
    }
    if (!quiet) {
        _table(r);
        printf("%zu decisions of %s %s in %zu periods, %zu outcomes joined, in %.2f s%s%s%s%s\n", r->n_decisions,
               r->model_name, r->model_version, r->n_periods, r->n_outcomes_matched, r->seconds, html ? "; html " : "",
               html ? html : "", json ? "; json " : "", json ? json : "");
    }
    for (int k = 0; k < n_rules; k++) {
        cs_buf why = {0};
        size_t hits = mon_rule_check(r, &rules[k], &why);
        if (hits) {
            fprintf(stderr, "creditscore monitor: ALERT %s%s%s breached in %zu period%s:\n%s", rules[k].metric, rules[k].op,
                    "", hits, hits == 1 ? "" : "s", why.data ? why.data : "");
            rc = CLI_EXIT_DRIFT;
        }
        cs_buf_free(&why);
    }
    mon_report_free(r);
    return rc;
}
