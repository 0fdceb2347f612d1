/*
 * cmd_dashboard.c: `creditscore dashboard`: serve the relationship-manager page and
 * forward its calls to the scoring API, until SIGINT or SIGTERM.
 */
#include "cli.h"

#include "../dash/dash.h"

#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *USAGE =
    "usage: creditscore dashboard --api URL [--port 8501] [--host 127.0.0.1] [--web DIR]\n"
    "                             [--api-key-file FILE] [--timeout S] [--request-timeout S]\n"
    "                             [--max-conns N] [--max-conns-per-addr N]\n"
    "\n"
    "Serve the dashboard page (pick a client, see the decision on a gauge against the\n"
    "threshold, why, what would change a refusal, and where the client stands among\n"
    "accepted and refused clients) and forward its /api/ calls to the scoring API started\n"
    "by `creditscore serve`.\n"
    "\n"
    "options:\n"
    "  --api URL            the API's base URL, e.g. http://127.0.0.1:8000 (required)\n"
    "  --port N             port to listen on (default 8501; 0 = any free port)\n"
    "  --host H             address to bind (default 127.0.0.1)\n"
    "  --web DIR            the page's folder (default: $CREDITSCORE_WEB, else\n"
    "                       web/dashboard/public beside the binary's source tree)\n"
    "  --api-key-file FILE  send the first key of FILE to the API (X-API-Key)\n"
    "  --timeout S          seconds the API has to answer (default 10)\n"
    "  --request-timeout S  a request must arrive whole within S seconds of the connection's\n"
    "                       start or of the previous answer (default 30; 0 = none)\n"
    "  --max-conns N        simultaneous connections (default 256)\n"
    "  --max-conns-per-addr N  of them from one client address (default 64)\n";

/* web/dashboard/public relative to the binary (build/creditscore -> ../web/...), else ./ */
static const char *_default_web(char *buf, size_t cap)
{
    const char *env = getenv("CREDITSCORE_WEB");
    char exe[PATH_MAX];
    ssize_t n;
    if (env && *env) return env;
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        char *slash;
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, cap, "%s/../web/dashboard/public", exe);
            if (access(buf, R_OK) == 0) return buf;
        }
    }
    return "web/dashboard/public";
}

static char *_read_first_key(const char *path, cs_err *err)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    if (!f) {
        cs_err_set(err, CS_EIO, "%s: cannot open the key file", path);
        return NULL;
    }
    while (fgets(line, sizeof line, f)) {
        char *p = line, *e;
        while (*p == ' ' || *p == '\t') p++;
        e = p + strlen(p);
        while (e > p && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t')) *--e = '\0';
        if (!*p || *p == '#') continue;
        fclose(f);
        return strdup(p);
    }
    fclose(f);
    cs_err_set(err, CS_EINVAL, "%s: no key in the file", path);
    return NULL;
}

int cmd_dashboard(int argc, char **argv)
{
    static const struct option opts[] = {
        {"api", required_argument, NULL, 'a'},  {"port", required_argument, NULL, 'p'},
        {"host", required_argument, NULL, 'H'}, {"web", required_argument, NULL, 'w'},
        {"api-key-file", required_argument, NULL, 'k'}, {"timeout", required_argument, NULL, 't'},
        {"request-timeout", required_argument, NULL, 'q'}, {"max-conns", required_argument, NULL, 'n'},
        {"max-conns-per-addr", required_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    dash_config cfg = dash_config_default();
    char webbuf[PATH_MAX + 64];
    const char *key_file = NULL;
    char *key = NULL;
    dash_server *d;
    cs_err err = {0};
    sigset_t set;
    int c, sig = 0;
    long port;

    optind = 1;
    opterr = 0;
    cfg.web_root = NULL;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'a': cfg.api_url = optarg; break;
        case 'p':
            if (cli_parse_long(optarg, &port) || port < 0 || port > 65535)
                return cli_usage_error("dashboard", "--port wants 0..65535, not '%s'", optarg);
            cfg.port = (int)port;
            break;
        case 'H': cfg.host = optarg; break;
        case 'w': cfg.web_root = optarg; break;
        case 'k': key_file = optarg; break;
        case 't':
            if (cli_parse_double(optarg, &cfg.api_timeout_s) || !(cfg.api_timeout_s > 0))
                return cli_usage_error("dashboard", "--timeout wants seconds, not '%s'", optarg);
            break;
        case 'q':
            if (cli_parse_double(optarg, &cfg.request_timeout_s) || !(cfg.request_timeout_s >= 0 && cfg.request_timeout_s <= 3600))
                return cli_usage_error("dashboard", "--request-timeout wants 0..3600 seconds, not '%s'", optarg);
            break;
        case 'n':
        case 'N': {
            long v;
            if (cli_parse_long(optarg, &v) || v < 1 || v > 100000)
                return cli_usage_error("dashboard", "--%s wants 1..100000, not '%s'", c == 'n' ? "max-conns" : "max-conns-per-addr",
                                       optarg);
            if (c == 'n') cfg.max_conns = (int)v;
            else cfg.max_conns_per_addr = (int)v;
            break;
        }
        case 'h': fputs(USAGE, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("dashboard", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("dashboard", "unexpected argument '%s'", argv[optind]);
    if (!cfg.api_url) return cli_usage_error("dashboard", "--api URL is required");
    if (!cfg.web_root) cfg.web_root = _default_web(webbuf, sizeof webbuf);
    if (key_file && !(key = _read_first_key(key_file, &err))) return cli_fail("dashboard", &err);
    cfg.api_key = key;

    /* block the stop signals before the server's threads start, then wait for one */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    d = dash_start(&cfg, &err);
    if (!d) {
        free(key);
        return cli_fail("dashboard", &err);
    }
    printf("dashboard: http://%s:%d/  (API %s)\n", strchr(cfg.host, ':') ? "[::1]" : cfg.host, dash_port(d), cfg.api_url);
    fflush(stdout);
    sigwait(&set, &sig);
    dash_stop(d);
    free(key);
    fprintf(stderr, "dashboard: stopped (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    return CLI_EXIT_OK;
}
