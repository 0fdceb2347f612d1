/*
 * cmd_challenger.c: `creditscore challenger`: champion against challenger from the audit
 * log that `serve --challenger` writes (src/monitor/challenger.h).
 */
#include "cli.h"
#include "../monitor/challenger.h"
#include "../monitor/monitor.h"
#include "../store/audit.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void _help(void)
{
    printf("usage: creditscore challenger [--audit FILE|URL] [--since TIME] [--json FILE]\n"
           "\n"
           "Compare the champion and the challenger from the audit log of a server started with\n"
           "serve --challenger (every decision holds both models' probabilities and decisions), per\n"
           "pair of models: agreement, decision swaps both ways (champion approves / challenger\n"
           "refuses, and the reverse), the correlation of the probabilities (Pearson, Spearman),\n"
           "approval rates, and where outcomes are known (creditscore outcomes import) both models'\n"
           "AUC on the same applicants and the default rate of each swap set. See docs/monitor.md.\n"
           "\n"
           "  --audit FILE|URL  the audit log (default $CREDITSCORE_DATABASE_URL, else audit.db); a\n"
           "                    PostgreSQL log keeps no outcomes, so its report has no AUC\n"
           "  --since TIME      only decisions at or after TIME (UTC): 2026-11-26 or 2026-11-26T07:55:01\n"
           "  --json FILE       also write the report as JSON\n");
}

int cmd_challenger(int argc, char **argv)
{
    static const struct option opts[] = {{"audit", required_argument, 0, 'a'}, {"since", required_argument, 0, 's'},
                                         {"json", required_argument, 0, 'j'},  {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *audit = NULL, *json = NULL;
    int64_t since = 0;
    int c;
    cs_err err = {0};
    mon_ch_report *r;
    char *text, *j = NULL;
    cs_status st = CS_OK;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'a': audit = optarg; break;
        case 's':
            if ((since = store_audit_parse_time(optarg)) < 0)
                return cli_usage_error("challenger", "--since '%s': expected 2026-11-26 or 2026-11-26T07:55:01", optarg);
            break;
        case 'j': json = optarg; break;
        case 'h': _help(); return CLI_EXIT_OK;
        default: return cli_usage_error("challenger", "unknown option");
        }
    }
    if (optind < argc) return cli_usage_error("challenger", "unexpected argument '%s'", argv[optind]);
    if (!(r = mon_challenger_run(store_audit_resolve_path(audit), since, &err))) return cli_fail("challenger", &err);
    if (!(text = mon_challenger_text(r, &err)) || (json && !(j = mon_challenger_json(r, &err)))) st = err.code ? err.code : CS_ENOMEM;
    if (!st && json) st = mon_write_file(json, j, &err);
    if (!st) {
        fputs(text, stdout);
        if (json) fprintf(stderr, "challenger: report -> %s\n", json);
    }
    free(text);
    free(j);
    mon_challenger_free(r);
    return st ? cli_fail("challenger", &err) : CLI_EXIT_OK;
}
