/*
 * cmd_serve.c: `creditscore serve`: run the scoring API (src/serve) until SIGTERM or
 * SIGINT (drain, then exit 0); SIGHUP reloads the model file atomically.
 */
#include "cli.h"
#include "../serve/api.h"
#include "../store/audit.h"
#include "../store/registry.h"

#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_DOCS "web/api-docs/node_modules/swagger-ui-dist"

static void _help(void)
{
    printf("usage: creditscore serve --model FILE [--clients FILE|URL] [--host H] [--port N] [OPTIONS]\n"
           "\n"
           "Serve a model over HTTP (JSON API under /v1, docs at /docs). See docs/api.md.\n"
           "\n"
           "  --model FILE          the model file to serve (required)\n"
           "  --registry NAME       serve the registry's NAME in --stage (instead of --model)\n"
           "  --stage STAGE         production (default) or staging\n"
           "  --store FILE|URL      the tracking database holding the registry, a file or\n"
           "                        postgresql://... (default $CREDITSCORE_STORE, else\n"
           "                        $CREDITSCORE_DATABASE_URL, else creditscore.db)\n"
           "  --challenger FILE     a challenger model: every decision is scored by it too, after the\n"
           "                        champion (--model) on the champion's feature vector (its features\n"
           "                        must be among the champion's); the answer is the champion's, the\n"
           "                        audit log records both (creditscore challenger reports on them)\n"
           "  --challenger-stage STAGE  with --registry: the registry's NAME in STAGE (staging) is the\n"
           "                        challenger, the --stage version the champion\n"
           "  --clients FILE|URL    the clients store (creditscore clients import), for client ids:\n"
           "                        a SQLite file or a PostgreSQL URL shared by the servers\n"
           "  --host H              address to listen on (default 127.0.0.1)\n"
           "  --port N              port (default 8000; 0 = any free port, printed at start)\n"
           "  --threads N           worker threads (default: number of cores)\n"
           "  --audit FILE|URL      audit log of decisions: a SQLite file, or a PostgreSQL URL\n"
           "                        (postgresql://user@host:port/db) that several servers share\n"
           "                        (default $CREDITSCORE_DATABASE_URL, else audit.db)\n"
           "  --no-audit            keep no audit log\n"
           "  --window N            /metrics gauges creditscore_window_score_psi and _approval_rate over\n"
           "                        the last N decisions (default 10000; 0 = off), against the model's\n"
           "                        training scores, recomputed in the background\n"
           "  --window-seconds S    how often (default 5)\n"
           "  --replay-time         accept X-Decision-Time (UTC) as a decision's time: replaying past\n"
           "                        applications (backtests, creditscore monitor on a generated\n"
           "                        stream); without it such a header is refused\n"
           "  --api-key-file FILE   require one of the keys in FILE (one per line)\n"
           "  --model-key FILE      serve only models signed with this key (creditscore sign):\n"
           "                        an unsigned or changed model is refused, at start and on SIGHUP\n"
           "  --docs DIR            swagger-ui-dist folder (default " DEFAULT_DOCS " when present)\n"
           "  --max-body BYTES      largest request body (default 1048576)\n"
           "  --max-conns N         simultaneous connections (default 1024)\n"
           "  --max-conns-per-addr N  of them from one client address (default 64)\n"
           "  --timeout S           idle keep-alive timeout in seconds (default 30)\n"
           "  --request-timeout S   a request must arrive whole within S seconds of the connection's\n"
           "                        start or of the previous answer (default 30; 0 = none)\n"
           "  --drain S             on SIGTERM, wait at most S seconds for requests (default 10)\n"
           "\n"
           "Signals: SIGTERM/SIGINT drain and stop; SIGHUP reloads the model file and the API key\n"
           "file (keys rotate without a restart; with --registry:\n"
           "the version now in the stage, so promote then SIGHUP to deploy) and the challenger with it\n"
           "(the pair is swapped together or not at all).\n");
}

/* the file of the registry's NAME in stage (malloc'd), NULL + err when there is none */
static char *_registry_path(const char *store_flag, const char *name, const char *stage, cs_err *err)
{
    const char *path = store_resolve_path(store_flag);
    store *st;
    store_model_version v;
    char *out = NULL;
    memset(&v, 0, sizeof v);
    if (!store_is_url(path) && access(path, R_OK) != 0) {
        cs_err_set(err, CS_EIO, "%s: no tracking database (give --store)", path);
        return NULL;
    }
    if (!(st = store_open(path, err))) return NULL;
    if (store_model_get(st, name, stage, 0, &v, err) == CS_OK) out = cs_strdup(v.path, err);
    store_model_version_clear(&v);
    store_close(st);
    return out;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'},   {"registry", required_argument, 0, 'R'},
        {"stage", required_argument, 0, 'S'},   {"store", required_argument, 0, 's'},
        {"clients", required_argument, 0, 'c'}, {"host", required_argument, 0, 'H'},
        {"port", required_argument, 0, 'p'},    {"threads", required_argument, 0, 't'},
        {"audit", required_argument, 0, 'a'},   {"no-audit", no_argument, 0, 'A'},
        {"api-key-file", required_argument, 0, 'k'}, {"model-key", required_argument, 0, 'K'}, {"docs", required_argument, 0, 'd'},
        {"max-body", required_argument, 0, 'b'}, {"max-conns", required_argument, 0, 'n'},
        {"max-conns-per-addr", required_argument, 0, 'N'},
        {"timeout", required_argument, 0, 'T'}, {"request-timeout", required_argument, 0, 'q'}, {"drain", required_argument, 0, 'D'},
        {"replay-time", no_argument, 0, 'Y'},   {"window", required_argument, 0, 'W'},
        {"window-seconds", required_argument, 0, 'P'}, {"challenger", required_argument, 0, 'C'},
        {"challenger-stage", required_argument, 0, 'G'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    api_config cfg = api_config_default();
    const char *audit = NULL, *docs = NULL, *registry = NULL, *stage = "production", *store_flag = NULL;
    const char *ch_stage = NULL;
    char *reg_path = NULL, *ch_path = NULL;
    int c, no_audit = 0;
    long v;
    double d;
    cs_err err = {0};
    api_server *s;
    sigset_t set;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': cfg.model_path = optarg; break;
        case 'R': registry = optarg; break;
        case 'S':
            if (strcasecmp(optarg, "production") && strcasecmp(optarg, "staging"))
                return cli_usage_error("serve", "--stage: production or staging");
            stage = optarg;
            break;
        case 's': store_flag = optarg; break;
        case 'C': cfg.challenger_path = optarg; break;
        case 'G':
            if (strcasecmp(optarg, "production") && strcasecmp(optarg, "staging"))
                return cli_usage_error("serve", "--challenger-stage: staging or production");
            ch_stage = optarg;
            break;
        case 'Y': cfg.replay_time = 1; break;
        case 'W':
            if (cli_parse_long(optarg, &v) || v < 0 || v > 10000000)
                return cli_usage_error("serve", "--window wants 0..10000000 decisions, not '%s'", optarg);
            cfg.window = (size_t)v;
            break;
        case 'P':
            if (cli_parse_double(optarg, &d) || !(d >= 0.1 && d <= 3600))
                return cli_usage_error("serve", "--window-seconds wants 0.1..3600, not '%s'", optarg);
            cfg.window_period_s = d;
            break;
        case 'c': cfg.clients_path = optarg; break;
        case 'H': cfg.host = optarg; break;
        case 'p':
            if (cli_parse_long(optarg, &v) || v < 0 || v > 65535) return cli_usage_error("serve", "--port: 0..65535");
            cfg.port = (int)v;
            break;
        case 't':
            if (cli_parse_long(optarg, &v) || v < 1 || v > 256) return cli_usage_error("serve", "--threads: 1..256");
            cfg.threads = (int)v;
            break;
        case 'a': audit = optarg; break;
        case 'A': no_audit = 1; break;
        case 'k': cfg.keys_path = optarg; break;
        case 'K': cfg.model_key_path = optarg; break;
        case 'd': docs = optarg; break;
        case 'b':
            if (cli_parse_long(optarg, &v) || v < 64 || v > (1L << 30))
                return cli_usage_error("serve", "--max-body: 64..1073741824 bytes");
            cfg.max_body = (size_t)v;
            break;
        case 'n':
            if (cli_parse_long(optarg, &v) || v < 1 || v > 100000) return cli_usage_error("serve", "--max-conns: 1..100000");
            cfg.max_conns = (int)v;
            break;
        case 'N':
            if (cli_parse_long(optarg, &v) || v < 1 || v > 100000)
                return cli_usage_error("serve", "--max-conns-per-addr: 1..100000");
            cfg.max_conns_per_addr = (int)v;
            break;
        case 'T':
            if (cli_parse_long(optarg, &v) || v < 1 || v > 3600) return cli_usage_error("serve", "--timeout: 1..3600 s");
            cfg.conn_timeout_s = (int)v;
            break;
        case 'q':
            if (cli_parse_long(optarg, &v) || v < 0 || v > 3600) return cli_usage_error("serve", "--request-timeout: 0..3600 s");
            cfg.request_timeout_s = (int)v;
            break;
        case 'D':
            if (cli_parse_double(optarg, &d) || !(d >= 0 && d <= 3600)) return cli_usage_error("serve", "--drain: 0..3600 s");
            cfg.drain_s = d;
            break;
        case 'h': _help(); return CLI_EXIT_OK;
        default: return cli_usage_error("serve", "unknown option");
        }
    }
    if (optind < argc) return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
    if (!cfg.model_path == !registry) return cli_usage_error("serve", "give one of --model FILE or --registry NAME");
    if (ch_stage && !registry) return cli_usage_error("serve", "--challenger-stage needs --registry NAME");
    if (ch_stage && cfg.challenger_path) return cli_usage_error("serve", "give one of --challenger FILE or --challenger-stage");
    if (ch_stage && !strcasecmp(ch_stage, stage))
        return cli_usage_error("serve", "--challenger-stage %s is the champion's stage too", ch_stage);
    if (registry) {
        if (!(reg_path = _registry_path(store_flag, registry, stage, &err))) return cli_fail("serve", &err);
        cfg.model_path = reg_path;
        fprintf(stderr, "creditscore serve: registry %s (%s): %s\n", registry, stage, reg_path);
        if (ch_stage) {
            if (!(ch_path = _registry_path(store_flag, registry, ch_stage, &err))) {
                free(reg_path);
                return cli_fail("serve", &err);
            }
            cfg.challenger_path = ch_path;
            fprintf(stderr, "creditscore serve: challenger: registry %s (%s): %s\n", registry, ch_stage, ch_path);
        }
    }
    if (!no_audit) cfg.audit_path = store_audit_resolve_path(audit);
    if (docs) cfg.docs_dir = docs;
    else if (access(DEFAULT_DOCS "/swagger-ui-bundle.js", R_OK) == 0) cfg.docs_dir = DEFAULT_DOCS;
    cfg.log = stderr;

    /* block the signals before any thread starts, so that only sigwait below sees them */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    if (!(s = api_server_create(&cfg, &err))) {
        free(reg_path);
        free(ch_path);
        return cli_fail("serve", &err);
    }
    if (api_server_start(s, &err) != CS_OK) {
        api_server_free(s);
        free(reg_path);
        free(ch_path);
        return cli_fail("serve", &err);
    }
    printf("creditscore serve: listening on http://%s:%d/ (docs: http://%s:%d/docs)\n", cfg.host, api_server_port(s),
           cfg.host, api_server_port(s));
    fflush(stdout);
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) continue;
        if (sig == SIGHUP) {
            cs_err e = {0};
            if (registry) {     /* the versions now in the stages */
                char *p = _registry_path(store_flag, registry, stage, &e);
                char *cp = p && ch_stage ? _registry_path(store_flag, registry, ch_stage, &e) : NULL;
                if (!p || (ch_stage && !cp))
                    fprintf(stderr, "creditscore serve: reload: %s (keeping the current models)\n", e.msg);
                else
                    api_server_reload_pair(s, p, cp, &e);
                free(p);
                free(cp);
            } else
                api_server_reload(s, &e);   /* logs success or failure itself */
            continue;
        }
        fprintf(stderr, "creditscore serve: %s received, draining\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        break;
    }
    api_server_stop(s);
    api_server_free(s);
    free(reg_path);
    free(ch_path);
    fprintf(stderr, "creditscore serve: stopped\n");
    return CLI_EXIT_OK;
}
