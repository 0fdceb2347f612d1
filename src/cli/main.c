/*
 * main.c: the creditscore binary. Dispatches `creditscore CMD ...` to the handler of CMD
 * from the table below; each handler is in its own cmd_<name>.c (see cli.h).
 */
#include "cli.h"

#include <string.h>

static const cli_command commands[] = {
    /* name       handler        summary */
    {"audit", cmd_audit, "list or export the API's audit log of decisions"},
    {"challenger", cmd_challenger, "champion against challenger from the audit log: agreement, swaps, correlation, AUC"},
    {"clients", cmd_clients, "build the clients store the API reads (clients import)"},
    {"compare", cmd_compare, "cross-validate the six learners and tabulate AUC, cost, threshold, time"},
    {"dashboard", cmd_dashboard, "serve the relationship-manager page, talking to the API"},
    {"drift", cmd_drift, "data drift report (evidently's tests) of current vs reference data"},
    {"explain", cmd_explain, "exact contributions and reason codes for every row of a feature file"},
    {"fairness", cmd_fairness, "fairness report over the recipe's protected attributes (approval, AIR, error rates)"},
    {"report", cmd_report, "the model report a validator signs: data, lineage, performance, stability, fairness"},
    {"features", cmd_features, "compute the kernel's 795 features from the seven tables"},
    {"inspect", cmd_inspect, "read CSV tables strictly and describe their columns"},
    {"models", cmd_models, "the model registry: register, list, promote, path"},
    {"monitor", cmd_monitor, "watch a model after go-live: PSI, CSI, performance, calibration, vintages"},
    {"outcomes", cmd_outcomes, "record observed outcomes of decisions in the audit log (outcomes import)"},
    {"predict", cmd_predict, "score a feature file with a model file (probability, decision)"},
    {"recipe", cmd_recipe, "infer a starting recipe from a lender's CSV files, or check one (recipe infer, check)"},
    {"runs", cmd_runs, "list, show, compare and export the tracked runs (MLflow layout)"},
    {"scorecard", cmd_scorecard, "scorecards: WoE binning tables, the points table, SQL/JSON export, points per client"},
    {"serve", cmd_serve, "serve a model over HTTP: the scoring API (JSON, /v1, /docs)"},
    {"sign", cmd_sign, "sign a model file (HMAC-SHA256, MODEL.sig) for serve --model-key"},
    {"synth", cmd_synth, "generate Home Credit-like tables (or --check them against the real figures)"},
    {"train", cmd_train, "cross-validate, calibrate, choose the cost threshold, write a model file"},
    {"version", cmd_version, "print the version and build information"},
};

static const size_t n_commands = sizeof commands / sizeof commands[0];

static void _usage(FILE *out)
{
    fprintf(out,
            "creditscore %s: credit scoring from raw Home Credit tables to an explained decision\n"
            "\n"
            "usage: creditscore COMMAND [OPTIONS]\n"
            "       creditscore COMMAND --help     options of one command\n"
            "       creditscore --version\n"
            "\n"
            "commands:\n",
            CS_VERSION);
    for (size_t i = 0; i < n_commands; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        _usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        _usage(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("creditscore %s\n", CS_VERSION);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < n_commands; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "creditscore: unknown command '%s' (see 'creditscore --help')\n", argv[1]);
    return CLI_EXIT_USAGE;
}
