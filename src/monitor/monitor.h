/*
 * monitor.h: watching a model after go-live, from its audit log (store/audit.h), the
 * outcomes imported beside it (store/outcomes.h) and the reference its model file carries
 * (model.h, MONITOR section). Per period (calendar month or ISO week of the decision):
 * volume, approval rate, the score's distribution and its PSI against the training
 * scores, the CSI of every model feature (features joined on the client id, read
 * column-wise from the clients' feature file or row by row from the clients store), and, once a period's outcomes are known, AUC, Gini, KS, observed against
 * expected default rates by score band with exact binomial tests, calibration (observed /
 * expected, Brier); vintage curves per monthly cohort. See docs/monitor.md.
 *
 * The statistics are the project's own: PSI with drift_psi and evidently's zero filling
 * (drift_fill_zeroes), AUC and KS with ev_auc and ev_ks, the binomial test ev_binom_test.
 *
 *   PSI / CSI over the bins of the reference (model.h: deciles, right-closed, a missing
 *   bin): bins empty on both sides are left out, zero shares are filled on each side as
 *   evidently does, PSI = sum (cur - ref) ln(cur / ref). Bands (domain reference):
 *   < 0.1 "stable", 0.1 .. 0.25 "watch", > 0.25 "act".
 *
 * Ownership: mon_run returns a report the caller frees with mon_report_free (NULL allowed);
 * nothing here prints, exits or keeps global state.
 */
#ifndef CS_MONITOR_MONITOR_H
#define CS_MONITOR_MONITOR_H

#include "../base/cs.h"
#include "../model/model.h"

typedef enum mon_by { MON_BY_MONTH = 0, MON_BY_WEEK = 1 } mon_by;

typedef struct mon_options {
    mon_by by;                  /* period: calendar month (default) or ISO week (Monday) */
    int64_t since_ms;           /* decisions at or after this time (unix ms); 0 = all */
    int64_t until_ms;           /* and before this time; 0 = no end */
    int64_t as_of_ms;           /* the report's date; 0 = the latest decision or outcome */
    double min_known;           /* a period's outcomes count once this share of its approved
                                 * decisions has one (default 0.9): before, its AUC,
                                 * calibration and bands would see only the early defaults */
    const char *clients_path;   /* the clients store for the features (CSI); NULL = no CSI */
    const char *features_path;  /* or the clients' feature file (.csf, the one the store was
                                 * imported from), read column-wise: the fast path; at most
                                 * one of the two */
    int threads;                /* feature scan threads; 0 = OpenMP's default */
} mon_options;

void mon_options_init(mon_options *o);

/* PSI of observed counts against reference shares over k bins, as above (counts are
 * normalised here). NaN when no count is positive. */
double mon_psi_counts(const double *ref_share, const double *counts, size_t k);
/* "stable", "watch", "act", or "none" for NaN. */
const char *mon_psi_band(double psi);

/* One score band of a period: the model's promise against what happened. */
typedef struct mon_band {
    double n;                   /* decisions with a known outcome in the band */
    double defaults;
    double expected;            /* mean calibrated probability (NaN when n == 0) */
    double observed;            /* defaults / n */
    double p_value;             /* exact two-sided binomial test of defaults ~ Bin(n, expected) */
} mon_band;

typedef struct mon_period {
    char label[16];             /* "2025-01" or "2025-W03" */
    int64_t start_ms, end_ms;   /* [start, end) */
    double n;                   /* decisions */
    double approved;
    double approval_rate;       /* NaN when n == 0 */
    double score_share[MF_MON_BINS]; /* share of decisions per score bin (missing = NaN probability) */
    double psi;                 /* of the score against the training scores; NaN when n == 0 */
    double n_features;          /* decisions whose features were found (CSI's denominator) */
    double *csi;                /* n_feats CSIs (NaN without features); owned */
    double csi_max;             /* the largest CSI and its feature (-1: none) */
    long csi_max_feature;
    int n_csi_watch, n_csi_act; /* features per band */
    /* outcomes */
    double n_outcomes, defaults;/* decisions with a known outcome, of which defaults */
    double known_share;         /* approved decisions with an outcome / approved */
    int mature;                 /* known_share >= min_known: the fields below are set */
    double auc, gini, ks;       /* NaN when not mature or one class only */
    double expected, observed;  /* mean probability and default rate over n_outcomes */
    double oe;                  /* observed / expected */
    double brier;
    double p_value;             /* binomial test of all the period's defaults */
    mon_band bands[MF_MON_BINS];/* by score bin (the reference's bins) */
} mon_period;

/* Cumulative default rate of a monthly cohort's booked (approved) loans by months on book
 * (calendar months from the decision to the default's observation). */
#define MON_MAX_MOB 60
typedef struct mon_vintage {
    char label[16];             /* "2025-01" */
    double booked;              /* approved decisions of the cohort */
    int n_mob;                  /* months on book seen by as_of (<= MON_MAX_MOB) */
    double defaults[MON_MAX_MOB + 1]; /* cumulative defaults by month on book 0..n_mob */
    double cum_rate[MON_MAX_MOB + 1]; /* defaults / booked */
} mon_vintage;

typedef struct mon_report {
    char *model_name, *model_version, *audit_path, *clients_path;
    char *features_path;        /* the feature file read instead of a clients store, or NULL */
    mon_by by;
    int64_t since_ms, until_ms, as_of_ms;
    double min_known;
    size_t n_decisions;         /* by this model (name) since since_ms */
    size_t n_other_models;      /* decisions of other models, left out */
    size_t n_no_client;         /* decisions not on a client id (no features to join) */
    size_t n_client_unknown;    /* on a client id the clients store (or feature file) lacks */
    size_t n_outcomes_matched;  /* outcomes joined to a decision of this model */
    size_t n_feats;
    char **feat_names;          /* n_feats, the model's order; owned */
    long *feat_store_index;     /* n_feats: column in the clients store or feature file,
                                 * -1 = absent */
    mf_score_ref score_ref;     /* the training reference (copied) */
    size_t n_periods;
    mon_period *periods;
    size_t n_vintages;
    mon_vintage *vintages;
    double seconds;             /* wall time of mon_run */
} mon_report;

/* Monitor the decisions of model m (matched by name: every version) in the audit log at
 * audit_path. NULL + err when the model has no monitoring reference (retrain), the log
 * cannot be read, it has no decision of the model, both a clients store and a feature
 * file are given, or the one given cannot be read or holds none of the model's features. */
mon_report *mon_run(const mf_model *m, const char *audit_path, const mon_options *o, cs_err *err);
void mon_report_free(mon_report *r);

/* Whether the report has features (a clients store or a feature file was read): CSI. */
int mon_report_has_features(const mon_report *r);

/* The report as JSON (field names in docs/monitor.md) and as one self-contained HTML page
 * (inline CSS and SVG, no script, nothing fetched). malloc'd, caller frees. */
char *mon_report_json(const mon_report *r, cs_err *err);
char *mon_report_html(const mon_report *r, cs_err *err);
/* Write text to path (path.tmp, renamed). */
cs_status mon_write_file(const char *path, const char *text, cs_err *err);

/* Alert rules for --fail-on: METRIC OP VALUE, METRIC one of psi, csi (the largest of a
 * period), approval_rate, auc, gini, ks, oe; OP one of > >= < <=. */
typedef struct mon_rule {
    char metric[16];
    char op[3];
    double value;
} mon_rule;

cs_status mon_rule_parse(const char *text, mon_rule *r, cs_err *err);
/* The number of periods breaching the rule (periods where the metric is NaN never do);
 * each breach is appended to why as one line ("2026-03: psi 0.31 > 0.25"); why may be NULL. */
size_t mon_rule_check(const mon_report *r, const mon_rule *rule, cs_buf *why);

#endif /* CS_MONITOR_MONITOR_H */
