/*
 * util.c: small helpers shared by the subcommands: error printing and argument parsing.
 */
#include "cli.h"
#include "features/engine.h"
#include "model/model.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_fail(const char *cmd, const cs_err *err)
{
    fprintf(stderr, "creditscore %s: %s\n", cmd,
            err && err->msg[0] ? err->msg : cs_status_str(err ? err->code : CS_EINTERNAL));
    return CLI_EXIT_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "creditscore %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'creditscore %s --help')\n", cmd);
    return CLI_EXIT_USAGE;
}

const char *cli_subcommand(int argc, char **argv, const char *usage, int *rc)
{
    if (argc < 2) {
        fputs(usage, stderr);
        *rc = CLI_EXIT_USAGE;
        return NULL;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, stdout);
        *rc = CLI_EXIT_OK;
        return NULL;
    }
    optind = 1;
    opterr = 0;
    return argv[1];
}

/* The text of a number: no leading space or '+' (strtol and strtod would skip or take
 * them), nothing after it. */
static int _plain(const char *s)
{
    return s && *s && *s != '+' && !isspace((unsigned char)*s);
}

int cli_parse_long(const char *s, long *out)
{
    char *end;
    long v;
    if (!_plain(s)) return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

int cli_parse_double(const char *s, double *out)
{
    char *end;
    double v;
    if (!_plain(s)) return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno || *end || !isfinite(v)) return -1; /* inf, nan, 1e999: not a value an option takes */
    *out = v;
    return 0;
}

cs_status cli_id_name(const mf_model *m, char *buf, size_t cap, cs_err *err)
{
    const char *name = mf_id_name(m);
    rcp_recipe *r = NULL;
    if (!name) {
        if (!(r = feat_kernel_recipe(err))) return err ? err->code : CS_EINTERNAL;
        name = r->tables[r->root].key;
    }
    snprintf(buf, cap, "%s", name);
    rcp_free(r);
    return CS_OK;
}
