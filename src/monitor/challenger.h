/*
 * challenger.h: champion against challenger, from the audit log (store/audit.h) that
 * `serve --challenger` writes: every row holds the champion's probability and decision
 * and the challenger's on the same request. `creditscore challenger` reports, per pair of
 * models (champion name and version, challenger name and version) seen in the log:
 *
 *   agreement        share of the decisions both models took the same way
 *   swaps            champion approves / challenger refuses ("to_refuse") and the reverse
 *                    ("to_approve"), with the observed default rate of each swap set where
 *                    outcomes are known (the decisions a switch would change)
 *   correlation      of the two probabilities: Pearson, and Spearman (Pearson of the
 *                    mid-ranks: ties averaged, as scipy.stats.spearmanr)
 *   AUC              both models' ROC AUC (ev_auc, ties as scikit-learn) on the same
 *                    decisions, those with a known outcome (store/outcomes.h)
 *
 * Outcomes are joined as monitoring joins them (monitor.h): a request id's outcome to the
 * latest paired decision with that request id at or before the observation, then a client
 * id's to the client's latest paired decision at or before it that has none yet. Only
 * paired decisions (the challenger scored) take part; decisions where the challenger
 * failed are counted apart. A PostgreSQL log holds no outcomes (store/outcomes.h): the
 * report then has no AUC and says so.
 *
 * Ownership: mon_challenger_run returns a report freed with mon_challenger_free (NULL
 * allowed); nothing here prints or exits.
 */
#ifndef CS_MONITOR_CHALLENGER_H
#define CS_MONITOR_CHALLENGER_H

#include "../base/cs.h"

/* One pair of models and what the log says of them. */
typedef struct mon_ch_pair {
    char champion_name[64], champion_version[64];
    char challenger_name[64], challenger_version[64];
    int64_t first_ms, last_ms;  /* the first and last paired decision */
    size_t n;                   /* decisions both models scored */
    size_t n_failed;            /* decisions the challenger could not score */
    size_t both_approve, both_refuse;
    size_t to_refuse;           /* champion approves, challenger refuses */
    size_t to_approve;          /* champion refuses, challenger approves */
    double agreement;           /* (both_approve + both_refuse) / n; NaN when n == 0 */
    double champion_approval, challenger_approval; /* approval rates */
    double champion_mean_p, challenger_mean_p;     /* mean probabilities */
    double pearson, spearman;   /* of the probabilities; NaN when n < 2 or one is constant */
    /* outcomes */
    size_t n_outcomes, defaults;/* paired decisions with a known outcome, of which defaults */
    double champion_auc, challenger_auc; /* on those decisions; NaN with one class only */
    size_t to_refuse_known, to_refuse_defaults;   /* swap sets with a known outcome */
    size_t to_approve_known, to_approve_defaults;
} mon_ch_pair;

typedef struct mon_ch_report {
    char *audit_path;
    int64_t since_ms;
    size_t n_decisions;         /* read since since_ms */
    size_t n_unpaired;          /* without a challenger */
    int outcomes_kept;          /* 0: the log holds no outcomes (PostgreSQL) */
    size_t n_outcomes;          /* outcomes read */
    size_t n_outcomes_matched;  /* joined to a paired decision */
    size_t n_pairs;
    mon_ch_pair *pairs;         /* by first decision */
} mon_ch_report;

/* Read the log at audit_path (a file or a PostgreSQL URL) from since_ms (unix ms; 0 = all)
 * and compare. CS_ENOTFOUND when no decision there has a challenger. */
mon_ch_report *mon_challenger_run(const char *audit_path, int64_t since_ms, cs_err *err);
void mon_challenger_free(mon_ch_report *r);

/* Pearson's r of x and y (n values), and Spearman's rho (Pearson of mid-ranks): NaN when
 * n < 2 or one side is constant. Exposed for the tests. */
double mon_pearson(const double *x, const double *y, size_t n);
double mon_spearman(const double *x, const double *y, size_t n, cs_err *err);

/* The report as JSON (field names in docs/monitor.md) and as aligned text for a terminal.
 * malloc'd, caller frees. */
char *mon_challenger_json(const mon_ch_report *r, cs_err *err);
char *mon_challenger_text(const mon_ch_report *r, cs_err *err);

#endif /* CS_MONITOR_CHALLENGER_H */
