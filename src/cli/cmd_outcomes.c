/*
 * cmd_outcomes.c: `creditscore outcomes import`: record observed outcomes (request id or
 * client id, default 0/1, date observed) beside the decisions in the audit log.
 */
#include "cli.h"
#include "../store/outcomes.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char _usage[] =
    "usage: creditscore outcomes import --audit DB --csv FILE [--rejects FILE] [--quiet]\n"
    "\n"
    "Record observed outcomes in the audit log DB (table outcomes) for creditscore monitor.\n"
    "FILE is CSV with a header: request_id or client_id, default, observed (any order):\n"
    "  request_id  the decision's request id (X-Request-Id), or\n"
    "  client_id   the client's id: the outcome goes to the client's latest decision made\n"
    "              before it was observed\n"
    "  default     1 = the loan defaulted, 0 = it did not (final)\n"
    "  observed    when it was observed: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)\n"
    "Nothing is merged silently: an id no decision carries, a key twice in the file, a key\n"
    "recorded before with another outcome (the recorded one is kept) and an outcome observed\n"
    "before its decision are reported and not imported; a key recorded with the same outcome\n"
    "is left as it is, so importing the same file again changes nothing. A malformed file\n"
    "imports nothing (file:line:column on stderr, exit 1).\n"
    "\n"
    "  --audit DB       the API's audit log (serve --audit)\n"
    "  --csv FILE       the outcomes\n"
    "  --rejects FILE   write every row not imported as given (line, key, issue, detail) as CSV\n"
    "  --quiet          only the summary line\n"
    "Exit status: 0 when the file was read (whatever was rejected), 1 when it could not be, 2 on\n"
    "bad usage.\n";

static int _import(int argc, char **argv)
{
    static const struct option opts[] = {{"audit", required_argument, NULL, 'a'}, {"csv", required_argument, NULL, 'c'},
                                         {"rejects", required_argument, NULL, 'r'}, {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *audit = NULL, *csv = NULL, *rejects = NULL;
    int quiet = 0, c;
    store_outcome_report rep;
    cs_err err = {0};
    while ((c = getopt_long(argc, argv, ":a:c:r:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'a': audit = optarg; break;
        case 'c': csv = optarg; break;
        case 'r': rejects = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(_usage, stdout); return CLI_EXIT_OK;
        case ':': return cli_usage_error("outcomes", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("outcomes", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("outcomes", "unexpected argument '%s'", argv[optind]);
    if (!audit || !csv) return cli_usage_error("outcomes", "--audit DB and --csv FILE are required");
    if (store_outcomes_import_csv(audit, csv, &rep, &err)) return cli_fail("outcomes", &err);
    printf("%zu rows: %zu recorded, %zu already recorded (unchanged), %zu unknown ids, %zu duplicates, "
           "%zu conflicting duplicates, %zu conflicts with recorded outcomes, %zu observed before the decision\n",
           rep.rows, rep.inserted, rep.unchanged, rep.unknown, rep.duplicates, rep.conflicts_in_file, rep.conflicts,
           rep.before_decision);
    if (!quiet)
        for (size_t i = 0; i < rep.n_issues && i < 20; i++)
            fprintf(stderr, "  %s:%zu: %s %s: %s\n", csv, rep.issues[i].line, store_outcome_issue_name(rep.issues[i].kind),
                    rep.issues[i].key, rep.issues[i].detail);
    if (!quiet && rep.n_issues > 20)
        fprintf(stderr, "  ... and %zu more%s\n", rep.n_issues - 20, rejects ? " (all in --rejects)" : " (--rejects FILE lists them all)");
    if (rejects) {
        FILE *f = fopen(rejects, "w");
        int bad = !f;
        if (f) {
            fputs("line,key,issue,detail\n", f);
            for (size_t i = 0; i < rep.n_issues; i++) {
                fprintf(f, "%zu,%s,%s,\"", rep.issues[i].line, rep.issues[i].key, store_outcome_issue_name(rep.issues[i].kind));
                for (const char *p = rep.issues[i].detail; *p; p++) {
                    if (*p == '"') fputc('"', f);
                    fputc(*p, f);
                }
                fputs("\"\n", f);
            }
            bad = fclose(f) != 0;
        }
        if (bad) {
            store_outcome_report_clear(&rep);
            cs_err_set(&err, CS_EIO, "%s: cannot write the rejected rows", rejects);
            return cli_fail("outcomes", &err);
        }
    }
    store_outcome_report_clear(&rep);
    return CLI_EXIT_OK;
}

int cmd_outcomes(int argc, char **argv)
{
    int rc;
    const char *sub = cli_subcommand(argc, argv, _usage, &rc);
    if (!sub) return rc;
    if (!strcmp(sub, "import")) return _import(argc - 1, argv + 1);
    return cli_usage_error("outcomes", "unknown subcommand '%s' (import)", sub);
}
