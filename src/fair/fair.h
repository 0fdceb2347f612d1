/*
 * fair.h: fair lending: which features come from a protected attribute, the groups of each
 * protected attribute, and the fairness report of a model over them (docs/fairness.md).
 *
 * A protected attribute is a column of the recipe's root table marked "protected": true
 * (recipe.h, docs/recipes.md). A feature derives from one when it is that column, one of its
 * dummies, a derived column with it among its operands (through any chain of derived
 * columns), or an aggregate of, or filtered or ordered by, a protected column of a child
 * table: fair_feature_protected. `train --exclude-protected` drops those features.
 *
 * Groups (fair_attrs_build) are read from the feature matrix the model is scored on: an age
 * (a numeric protected column with unit age_days or years) in the bands under 25, 25-34,
 * 35-44, 45-54, 55-64, 65 and over; a categorical column by its categories (the spec's names
 * for factorized codes and one-hot dummies); another numeric column whose values are whole
 * numbers >= 0 as 0, 1, 2, 3, 4, 5+. A row whose value is missing is in no group.
 *
 * The report (fair_report_compute): per group count, approval rate at the model's threshold
 * (approved: p < threshold, mf_decide), observed default rate, AUC, true and false positive
 * rates (default is the positive class: TPR = share of defaulters refused, FPR = share of
 * repayers refused), adverse impact ratio (approval rate over the most favoured group's) with
 * the four-fifths flag, calibration (mean probability vs observed default rate), and per
 * attribute the demographic parity, equal opportunity (approval rate of repayers) and
 * equalized odds (fairlearn's: the larger of the TPR and FPR differences) differences, each
 * with a seeded percentile bootstrap 95 % interval (rows resampled within each group).
 * Approval rates count every row; outcome metrics only the rows with a known target.
 */
#ifndef CS_FAIR_FAIR_H
#define CS_FAIR_FAIR_H

#include "../base/cs.h"
#include "../features/featfile.h"
#include "../features/spec.h"
#include "../recipe/recipe.h"

/* ---- protected features ---------------------------------------------------------------- */

/* 1 when feature name derives from a protected column of recipe r (see above), else 0 (also
 * for a name the recipe does not know). why (cap bytes, may be NULL) receives the protected
 * column it derives from ("DAYS_BIRTH"). */
int fair_feature_protected(const rcp_recipe *r, const char *name, char *why, size_t cap);

/* The features of m that derive from a protected column of r: drop[j] = 1 for them, 0 for the
 * others (drop: m->n_feats bytes, caller-allocated); *n_drop says how many. summary (may be
 * NULL) receives "CODE_GENDER (CODE_GENDER), DAYS_BIRTH (DAYS_BIRTH, DAYS_EMPLOYED_PERC)", the
 * attributes with their features; json (may be NULL) {"attributes": [...], "features": [...]},
 * what a model file records (mf_parts.protected_json). */
cs_status fair_protected_mask(const rcp_recipe *r, const feat_matrix *m, unsigned char *drop, size_t *n_drop,
                              cs_buf *summary, cs_buf *json, cs_err *err);

/* A copy of m without the features drop[j] == 1 (ids, targets, names and the other values
 * copied; free with feat_matrix_free). */
feat_matrix *fair_matrix_drop(const feat_matrix *m, const unsigned char *drop, cs_err *err);

/* ---- groups ------------------------------------------------------------------------------ */

#define FAIR_N_AGE_BANDS 6
#define FAIR_MAX_GROUPS 64

/* The age band of an age in whole years (0: under 25 ... 5: 65 and over), -1 for NaN. */
int fair_age_band(double years);
/* "under 25", "25-34", ..., "65 and over". */
const char *fair_age_band_name(int band);

/* A protected attribute and the group of each row of a feature matrix. */
typedef struct fair_attr {
    char *name;         /* the recipe's column ("CODE_GENDER") */
    char *label;        /* its English label ("Gender"), else the name */
    char *kind;         /* "age bands", "categories", "values" */
    int n_groups;
    char **groups;      /* group names, in order (bands ascending, categories in spec order) */
    int *group;         /* n_rows group indices, -1 = value missing */
    size_t n_rows;
} fair_attr;

/* The groups of every protected root column of r found in m (spec, may be NULL, names the
 * categories of factorized codes; without it they are "code 0", ...). A protected column not
 * found among m's features, or numeric but neither an age nor whole numbers, is skipped and
 * named in skipped (appended, "; "-separated; may be NULL). *out (n_out entries) is freed with
 * fair_attrs_free. CS_ENOTFOUND when no protected attribute is found. */
cs_status fair_attrs_build(const rcp_recipe *r, const feat_spec *spec, const feat_matrix *m,
                           fair_attr **out, int *n_out, cs_buf *skipped, cs_err *err);
void fair_attrs_free(fair_attr *a, int n);

/* ---- the report ---------------------------------------------------------------------------- */

/* A value and its bootstrap 95 % interval (NaN when undefined: no row, one class only). */
typedef struct fair_ci {
    double value, lo, hi;
} fair_ci;

typedef struct fair_group_stats {
    double n;               /* rows in the group */
    double n_labelled;      /* rows with a known target */
    double n_default;       /* of which defaulted */
    int small;              /* n < the report's min_group: not a reference, not in differences */
    fair_ci approval;       /* share approved (all rows) */
    fair_ci default_rate;   /* observed default rate (labelled rows) */
    fair_ci expected;       /* mean calibrated probability (labelled rows): calibration */
    fair_ci auc, tpr, fpr;  /* labelled rows */
    fair_ci air;            /* approval over the most favoured group's approval */
    int four_fifths;        /* 1 when air < 0.8 (the four-fifths rule flags the group) */
    double approval2;       /* approval rate under the comparison model (NaN without one) */
} fair_group_stats;

typedef struct fair_attr_report {
    const fair_attr *attr;      /* borrowed */
    fair_group_stats *g;        /* attr->n_groups */
    int favoured;               /* index of the most favoured group (highest approval), -1 none */
    double n_missing;           /* rows in no group */
    fair_ci min_air;            /* the smallest air among groups that are not small */
    fair_ci dp_diff;            /* max - min approval rate */
    fair_ci eo_diff;            /* max - min approval rate of repayers (1 - FPR) */
    fair_ci eodds_diff;         /* max(TPR difference, FPR difference) */
} fair_attr_report;

/* A model's overall figures on the same rows (for the comparison). */
typedef struct fair_overall {
    double n, n_labelled;
    double threshold;
    double approval;            /* all rows */
    double auc;                 /* labelled rows */
    double cost;                /* w_fn FN + w_fp FP over the labelled rows at the threshold */
    double cost_per_row;
} fair_overall;

typedef struct fair_opts {
    double threshold;           /* the model's: refused when p >= threshold */
    double cost_fn, cost_fp;    /* the model's cost weights */
    int n_boot;                 /* bootstrap replicates (0: no intervals, NaN bounds) */
    uint64_t seed;
    double min_group;           /* groups with fewer rows are "small" */
    /* the comparison model (optional: p2 NULL) */
    const double *p2;
    double threshold2, cost_fn2, cost_fp2;
} fair_opts;

typedef struct fair_report {
    int n_attrs;
    fair_attr_report *a;
    fair_overall overall, overall2;  /* overall2.n == 0 without a comparison */
    int n_boot;
    uint64_t seed;
    double min_group;
} fair_report;

/* The report of probabilities p (n rows, calibrated) and targets y (0, 1 or NaN) over the
 * attributes attrs[0..n_attrs) (each with n rows). Parallel over bootstrap replicates; the
 * result does not depend on the number of threads. Free with fair_report_free. */
cs_status fair_report_compute(const fair_attr *attrs, int n_attrs, const double *p, const double *y,
                              size_t n, const fair_opts *o, fair_report *out, cs_err *err);
void fair_report_free(fair_report *r);

/* The smallest adverse impact ratio over every attribute (groups not small), NaN when none. */
double fair_report_min_air(const fair_report *r);

/* ---- output ------------------------------------------------------------------------------- */

/* What the writers print besides the numbers (all borrowed, any may be NULL). */
typedef struct fair_doc {
    const char *model;          /* the model file's name */
    const char *model2;         /* the comparison model's */
    const char *features;       /* the feature file's */
    const char *recipe;         /* the recipe's name */
    const char *excluded;       /* the model's excluded_protected JSON */
    const char *excluded2;      /* the comparison model's */
    const char *skipped;        /* protected columns not reported, and why */
} fair_doc;

/* The report as JSON (stable member names: docs/fairness.md), appended to out. */
cs_status fair_report_json(const fair_report *r, const fair_doc *d, cs_buf *out, cs_err *err);

/* The report as one self-contained HTML page (no script, no network) with the four-fifths
 * rule's caveats, appended to out. */
cs_status fair_report_html(const fair_report *r, const fair_doc *d, cs_buf *out, cs_err *err);

#endif /* CS_FAIR_FAIR_H */
