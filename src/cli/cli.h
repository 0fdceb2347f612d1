/*
 * cli.h: the subcommands of the creditscore binary. Each subcommand lives in its own
 * cmd_<name>.c, parses its own flags (getopt_long), calls library functions only, prints
 * what it has to say, and returns an exit code; main.c dispatches from one table.
 */
#ifndef CS_CLI_CLI_H
#define CS_CLI_CLI_H

#include "../base/cs.h"

/* Exit codes shared by every subcommand. */
enum {
    CLI_EXIT_OK = 0,        /* success */
    CLI_EXIT_FAIL = 1,      /* the work failed: bad data, missing file, corrupt model */
    CLI_EXIT_USAGE = 2,     /* bad command line */
    CLI_EXIT_DRIFT = 3      /* drift --fail-on-drift found dataset drift; monitor / fairness --fail-on breached */
};

typedef int (*cli_fn)(int argc, char **argv);

typedef struct cli_command {
    const char *name;       /* the subcommand as typed */
    cli_fn fn;              /* its handler: argv[0] is the subcommand name */
    const char *summary;    /* one line for `creditscore --help` */
} cli_command;

/* Print "creditscore CMD: message" for err on stderr and return CLI_EXIT_FAIL. */
int cli_fail(const char *cmd, const cs_err *err);
/* Print "creditscore CMD: message" (printf-style) on stderr and return CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The subcommand of `creditscore CMD SUB [options] [args]`: argv[1] (argv[0] is CMD), with
 * getopt reset to parse argv + 1 (optind = 1, opterr = 0). Returns NULL when the caller must
 * return *rc at once: no SUB (usage on stderr, *rc = CLI_EXIT_USAGE) or SUB is --help/-h
 * (usage on stdout, *rc = CLI_EXIT_OK). */
const char *cli_subcommand(int argc, char **argv, const char *usage, int *rc);
/* Parse a whole decimal integer/double argument; 0 on success, -1 on junk, overflow, a
 * leading space or '+', and (doubles) inf or nan: every numeric option is a finite number,
 * which the caller then checks against its range (exit 2 with the range in the message). */
int cli_parse_long(const char *s, long *out);
int cli_parse_double(const char *s, double *out);
/* The name of the id column in the files a command writes about a model's rows (`predict`,
 * `explain`): mf_id_name (its recipe's key, "row" for numbered rows), or for a model file
 * without a feature spec the default recipe's key (the built-in one `features` uses without
 * --recipe), copied into buf (cap bytes). CS_OK, or the error of reading that recipe. */
struct mf_model;
cs_status cli_id_name(const struct mf_model *m, char *buf, size_t cap, cs_err *err);

/* ---- subcommands (one file each) --------------------------------------------------- */
int cmd_drift(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_runs(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_dashboard(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_challenger(int argc, char **argv);
int cmd_clients(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_outcomes(int argc, char **argv);
int cmd_recipe(int argc, char **argv);
int cmd_scorecard(int argc, char **argv);
int cmd_fairness(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif /* CS_CLI_CLI_H */
