/*
 * cmd_audit.c: `creditscore audit`: list or export the API's audit log of decisions.
 */
#include "cli.h"
#include "../store/audit.h"

#include <getopt.h>
#include <string.h>

static void _help(void)
{
    printf("usage: creditscore audit [--db FILE|URL] [--since TIME] [--limit N] [--kind KINDS] [--client ID]\n"
           "                         [--csv] [--out FILE]\n"
           "\n"
           "List the decisions the API recorded, oldest first. The log also keeps the lookups (the\n"
           "dashboard showing a client's decision) and the simulations (what-ifs): they are not\n"
           "decisions, and are listed only when --kind asks for them.\n"
           "\n"
           "  --db FILE|URL  the audit log: a SQLite file or a PostgreSQL URL (serve --audit)\n"
           "                 (default $CREDITSCORE_DATABASE_URL, else audit.db)\n"
           "  --since TIME   only decisions at or after TIME (UTC): 2026-11-26 or 2026-11-26T07:55:01\n"
           "  --limit N      at most N decisions\n"
           "  --kind KINDS   the rows to list: decision (default), lookup, simulation, comma-separated,\n"
           "                 or all\n"
           "  --client ID    only this client's rows\n"
           "  --csv          write CSV (all columns, the challenger's included) instead of a table\n"
           "  --out FILE     write to FILE instead of standard output\n");
}

typedef struct _out {
    FILE *f;
    int csv;
    unsigned kinds;
    long n;
} _out;

static int _row(const store_audit_rec *r, void *ud)
{
    _out *o = ud;
    char p[32], sc[32], th[32];
    cs_fmt_double(p, sizeof p, r->probability);
    cs_fmt_double(sc, sizeof sc, r->score);
    cs_fmt_double(th, sizeof th, r->threshold);
    if (o->csv) {
        const char *f[] = {r->time, r->request_id, r->endpoint, r->model_name, r->model_version, r->input_kind};
        fprintf(o->f, "%lld,", (long long)r->seq);
        for (int k = 0; k < 6; k++) {
            cs_csv_field(o->f, f[k]);
            fputc(',', o->f);
        }
        if (r->client_id >= 0) fprintf(o->f, "%lld", (long long)r->client_id);
        fprintf(o->f, ",%s,%s,%s,%s,", r->input_digest, p, r->score == r->score ? sc : "", th);
        cs_csv_field(o->f, r->decision);
        fputc(',', o->f);
        cs_csv_field(o->f, r->challenger_name);
        fputc(',', o->f);
        cs_csv_field(o->f, r->challenger_version);
        if (store_audit_rec_has_challenger(r)) {
            char cp[32], ct[32];
            cs_fmt_double(cp, sizeof cp, r->challenger_probability);
            cs_fmt_double(ct, sizeof ct, r->challenger_threshold);
            fprintf(o->f, ",%s,%s,", cp, ct);
        } else
            fputs(",,,", o->f);
        cs_csv_field(o->f, r->challenger_decision);
        fputc(',', o->f);
        cs_csv_field(o->f, r->kind);
        fputc('\n', o->f);
    } else {
        char id[24] = "-";
        if (r->client_id >= 0) snprintf(id, sizeof id, "%lld", (long long)r->client_id);
        if (o->kinds != STORE_AUDIT_DECISION)
            fprintf(o->f, "%-8lld %-24s %-10s %-8s %-12s %-10s %-8.6f %-7.1f %s\n", (long long)r->seq, r->time, r->kind,
                    r->endpoint, id, r->decision, r->probability, r->score, r->request_id);
        else
            fprintf(o->f, "%-8lld %-24s %-8s %-12s %-10s %-8.6f %-7.1f %s\n", (long long)r->seq, r->time, r->endpoint,
                    id, r->decision, r->probability, r->score, r->request_id);
    }
    o->n++;
    return ferror(o->f) != 0;
}

int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},  {"since", required_argument, 0, 's'},
                                         {"limit", required_argument, 0, 'l'}, {"csv", no_argument, 0, 'c'},
                                         {"out", required_argument, 0, 'o'},   {"kind", required_argument, 0, 'k'},
                                         {"client", required_argument, 0, 'C'}, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL, *out = NULL;
    int64_t since = 0;
    long limit = 0, client = -1;
    _out o = {stdout, 0, STORE_AUDIT_DECISION, 0};
    int c;
    cs_err err = {0};
    cs_status st;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 's':
            if ((since = store_audit_parse_time(optarg)) < 0)
                return cli_usage_error("audit", "--since '%s': expected 2026-11-26 or 2026-11-26T07:55:01", optarg);
            break;
        case 'l':
            if (cli_parse_long(optarg, &limit) || limit < 1) return cli_usage_error("audit", "--limit: a positive integer");
            break;
        case 'c': o.csv = 1; break;
        case 'k':
            if (!(o.kinds = store_audit_kinds(optarg)))
                return cli_usage_error("audit", "--kind '%s': decision, lookup, simulation (comma-separated) or all", optarg);
            break;
        case 'C':
            if (cli_parse_long(optarg, &client) || client < 0) return cli_usage_error("audit", "--client: a client id");
            break;
        case 'o': out = optarg; break;
        case 'h': _help(); return CLI_EXIT_OK;
        default: return cli_usage_error("audit", "unknown option");
        }
    }
    if (optind < argc) return cli_usage_error("audit", "unexpected argument '%s'", argv[optind]);
    if (out && !(o.f = fopen(out, "w"))) {
        cs_err_set(&err, CS_EIO, "%s: cannot write", out);
        return cli_fail("audit", &err);
    }
    if (o.csv)
        fputs("seq,time,request_id,endpoint,model_name,model_version,input_kind,client_id,input_digest,probability,"
              "score,threshold,decision,challenger_name,challenger_version,challenger_probability,challenger_threshold,"
              "challenger_decision,kind\n", o.f);
    else if (o.kinds != STORE_AUDIT_DECISION)
        fprintf(o.f, "%-8s %-24s %-10s %-8s %-12s %-10s %-8s %-7s %s\n", "seq", "time", "kind", "endpoint", "client",
                "decision", "prob", "score", "request_id");
    else
        fprintf(o.f, "%-8s %-24s %-8s %-12s %-10s %-8s %-7s %s\n", "seq", "time", "endpoint", "client", "decision",
                "prob", "score", "request_id");
    db = store_audit_resolve_path(db);
    {
        store_audit_query q = {since, limit, o.kinds, client, 0};
        st = store_audit_query_read(db, &q, _row, &o, &err);
    }
    if (out && fclose(o.f) != 0 && st == CS_OK) st = cs_err_set(&err, CS_EIO, "%s: write failed", out);
    if (st != CS_OK) return cli_fail("audit", &err);
    if (out) fprintf(stderr, "audit: %ld %s -> %s\n", o.n, o.kinds == STORE_AUDIT_DECISION ? "decision(s)" : "row(s)", out);
    return CLI_EXIT_OK;
}
