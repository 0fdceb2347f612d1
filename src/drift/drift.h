/*
 * drift.h: data drift between a reference and a current data set, the way evidently's
 * data-drift preset (0.4.x defaults) measures it, with the same statistics as scipy,
 * and the report as JSON and as a self-contained HTML page. See docs/drift.md.
 *
 * Three layers, lowest first:
 *   1. statistics on plain arrays (drift_ks_2samp, drift_chisquare, drift_ztest,
 *      drift_wasserstein, drift_jensenshannon, drift_psi, the distributions behind them);
 *   2. the comparison: drift_compare() types every common column, picks its test exactly
 *      as evidently does (or as the options override), runs it in parallel over columns
 *      and decides column and dataset drift;
 *   3. data sets from files (drift_dataset_*: CSV, feature file, model, the API's audit
 *      log) and the report writers
 *      (drift_report_write_json, drift_report_write_html).
 *
 * Missing values: NaN and +-inf (numeric) and missing categories are dropped per column
 * before testing, as evidently does; the counts dropped are reported.
 *
 * Ownership: every create/load returns an object the caller frees with the matching
 * *_free(), which accepts NULL. Nothing here prints, exits or keeps global state.
 */
#ifndef CS_DRIFT_DRIFT_H
#define CS_DRIFT_DRIFT_H

#include "../base/cs.h"

/* ==== 1. statistics on arrays ======================================================= */

/* The statistical tests and distances (evidently's names in drift_test_name()). */
typedef enum drift_test {
    DRIFT_TEST_AUTO = 0,        /* pick as evidently does (see drift_compare) */
    DRIFT_TEST_KS,              /* "ks": two-sample Kolmogorov-Smirnov p-value, drift p <= thr */
    DRIFT_TEST_CHISQUARE,       /* "chisquare": chi-square p-value, drift p < thr */
    DRIFT_TEST_Z,               /* "z": two-proportion Z-test p-value, drift p < thr */
    DRIFT_TEST_WASSERSTEIN,     /* "wasserstein": Wasserstein distance / reference std, drift >= thr */
    DRIFT_TEST_JENSENSHANNON,   /* "jensenshannon": Jensen-Shannon distance, drift >= thr */
    DRIFT_TEST_PSI,             /* "psi": population stability index, drift >= thr */
    DRIFT_TEST_COUNT
} drift_test;

/* evidently's short name ("ks", "wasserstein", ...) and display name
 * ("K-S p_value", "Wasserstein distance (normed)", ...). Static strings. */
const char *drift_test_name(drift_test t);
const char *drift_test_display_name(drift_test t);
/* The test with this short name, or -1. */
int drift_test_from_name(const char *name);
/* Default threshold: 0.05 for the p-value tests, 0.1 for the distances. */
double drift_test_default_threshold(drift_test t);
/* 1 when the test's score is a p-value (drift when small), 0 for a distance. */
int drift_test_is_pvalue(drift_test t);

/* Sort n doubles ascending in place (radix sort; no NaN allowed). */
void drift_sort(double *x, size_t n);
/* The same without allocating: scratch holds 2 n uint64_t of the caller's. */
void drift_sort_scratch(double *x, size_t n, uint64_t *scratch);

/* Two-sample Kolmogorov-Smirnov test, two-sided, as scipy.stats.ks_2samp(a, b) with its
 * default method 'auto' (scipy 1.10): exact p-value when max(na, nb) <= 10000, else the
 * finite-n Kolmogorov distribution at round(na nb / (na + nb)). a and b must be sorted
 * ascending and hold no NaN; na, nb > 0. *stat gets D (as scipy returns it), *p the
 * p-value. Returns CS_EINVAL on empty input. */
cs_status drift_ks_2samp(const double *a, size_t na, const double *b, size_t nb,
                         double *stat, double *p, cs_err *err);

/* Survival function of the two-sided one-sample Kolmogorov statistic D_n at d, as
 * scipy.stats.kstwo.sf(d, n). */
double drift_kstwo_sf(double d, double n);

/* Chi-square goodness of fit, as scipy.stats.chisquare(obs, exp): *stat = sum
 * (o - e)^2 / e (inf when some e is 0 and o is not), *p = chi2.sf(stat, k - 1)
 * (NaN when k < 2). */
void drift_chisquare(const double *obs, const double *exp, size_t k, double *stat, double *p);

/* Survival function of the chi-square distribution with df degrees of freedom. */
double drift_chi2_sf(double x, double df);
/* Regularised upper incomplete gamma Q(a, x) (scipy.special.gammaincc). */
double drift_gammaincc(double a, double x);
/* Standard normal CDF (scipy.stats.norm.cdf). */
double drift_norm_cdf(double x);

/* Two-proportion Z-test on 0/1 data as evidently computes it: ones1 of n1 and ones2 of
 * n2 are 1. *z gets the statistic, *p = 2 (1 - Phi(|z|)) (NaN when the pooled share is
 * 0 or 1). */
void drift_ztest(size_t ones1, size_t n1, size_t ones2, size_t n2, double *z, double *p);

/* scipy.stats.wasserstein_distance(a, b): the first Wasserstein distance between the
 * two empirical distributions. a and b sorted ascending, no NaN, na, nb > 0. */
double drift_wasserstein(const double *a, size_t na, const double *b, size_t nb);

/* Population standard deviation (numpy.std, ddof 0). */
double drift_std(const double *x, size_t n);

/* scipy.spatial.distance.jensenshannon(p, q) with the natural logarithm: p and q are
 * normalised to sum 1 first. */
double drift_jensenshannon(const double *p, const double *q, size_t k);

/* PSI = sum (r - c) ln(r / c) over shares where zeros have been replaced as evidently's
 * get_binned_data(feel_zeroes=True) does (see drift_fill_zeroes). */
double drift_psi(const double *ref, const double *cur, size_t k);

/* evidently's feel_zeroes: shares equal to 0 become min_nonzero / 1e6 when the smallest
 * non-zero share is <= 1e-4, 1e-4 otherwise. In place. */
void drift_fill_zeroes(double *share, size_t k);

/* numpy.histogram_bin_edges(concat(a, b), bins="sturges"): the number of equal-width
 * bins and their n_bins + 1 edges. a, b sorted ascending, na + nb > 0. *edges is
 * malloc'd (caller frees). */
cs_status drift_sturges_edges(const double *a, size_t na, const double *b, size_t nb,
                              double **edges, int *n_bins, cs_err *err);

/* numpy.histogram(x, edges) counts: bin i holds edges[i] <= v < edges[i+1], the last bin
 * also v == edges[n_bins]; values outside are not counted. x sorted ascending. */
void drift_histogram(const double *x, size_t n, const double *edges, int n_bins, double *counts);

/* ==== 2. data sets and the comparison =============================================== */

/* One column of a data set: numeric (doubles, NaN/inf missing) or categorical
 * (codes into cats, -1 missing). Pointers are borrowed from whatever holds the data. */
typedef struct drift_column {
    const char *name;
    int is_cat;                 /* 1: categorical (codes/cats), 0: numeric (num) */
    const double *num;          /* numeric: n_rows values */
    const int32_t *codes;       /* categorical: n_rows codes in [-1, n_cats) */
    const char *const *cats;    /* categorical: the values' text */
    int32_t n_cats;
    int is_float;               /* numeric: 1 when the source stores it as floating point
                                 * whatever the values (feature files), so that it is
                                 * never typed categorical */
} drift_column;

/* A data set: a label for the report and its columns. */
typedef struct drift_dataset {
    char *label;                /* e.g. "application_train.csv (307511 rows)" */
    size_t n_rows;
    int n_cols;
    drift_column *cols;
    char *model_name;           /* from a model file: its name; else NULL */
    void *_owner;               /* private: what holds the data */
    void (*_owner_free)(void *);/* private */
} drift_dataset;

/* Read a CSV file: a Home Credit table (schema chosen by its file name) or any CSV with a
 * header (types inferred). NULL + err on failure (err names file:line:column). */
drift_dataset *drift_dataset_from_csv(const char *path, cs_err *err);
/* Load a feature file (.csf). NULL + err on failure. */
drift_dataset *drift_dataset_from_features(const char *path, cs_err *err);
/* Either of the above, by file name: ".csf" is a feature file, anything else CSV. */
drift_dataset *drift_dataset_load(const char *path, cs_err *err);
/* A data set over numeric columns held by the caller: names[j] and values + j * n_rows
 * (column-major), both borrowed and required to outlive the data set. */
drift_dataset *drift_dataset_from_matrix(const char *label, size_t n_rows, size_t n_cols,
                                         const char *const *names, const double *values,
                                         cs_err *err);
/* The reference a model file carries: its seeded sample of training rows (all model
 * features), labelled "training sample of N rows carried by model NAME VERSION (path)".
 * NULL + err when the file is not a model or carries no sample. */
drift_dataset *drift_dataset_from_model(const char *path, cs_err *err);
/* The inputs the API scored, from its audit log (store/audit.h) since since_ms (unix ms;
 * 0 = all): every decision by model_name (NULL = any) on a known client (input_kind
 * "client_id"), one row per decision, with that client's features looked up by name in
 * the clients store (store/clients.h) as the columns names[0..n_names) (NaN for a name
 * the store lacks). The log does not record the features of other inputs (features or
 * application sent in the request): those decisions are counted in *n_without. */
drift_dataset *drift_dataset_from_audit(const char *audit_path, const char *clients_path, int64_t since_ms,
                                        const char *model_name, const char *const *names, size_t n_names,
                                        size_t *n_without, cs_err *err);
void drift_dataset_free(drift_dataset *d);

/* A per-column choice of test and/or threshold (--stattest COL=TEST, --threshold COL=X). */
typedef struct drift_override {
    const char *column;         /* NULL: applies to every column without its own entry */
    drift_test test;            /* DRIFT_TEST_AUTO: keep the automatic choice */
    double threshold;           /* NaN: the test's default */
} drift_override;

typedef struct drift_options {
    double drift_share;         /* dataset drifts when share of drifted columns >= this; 0.5 */
    const char *const *columns; /* only these columns (n_columns of them); NULL = all common */
    int n_columns;
    const char *const *exclude; /* never these (ids); NULL = SK_ID_CURR, SK_ID_PREV, SK_ID_BUREAU */
    int n_exclude;
    const drift_override *overrides;
    int n_overrides;
    cs_progress *progress;      /* borrowed; may be NULL. Counts columns done. */
} drift_options;

/* Defaults: drift_share 0.5, all common columns, ids excluded, automatic tests. */
void drift_options_init(drift_options *o);

typedef enum drift_ctype { DRIFT_NUMERICAL = 0, DRIFT_CATEGORICAL = 1 } drift_ctype;

/* The distribution of one column, for the charts: shares of the reference and the
 * current non-missing values per bin (numeric with > 20 reference values: the Sturges
 * bins of the test; otherwise one bin per value, at most DRIFT_CHART_MAX_BINS, the
 * rarest merged into "other"). */
#define DRIFT_CHART_MAX_BINS 30
typedef struct drift_dist {
    int n_bins;
    char **labels;              /* n_bins bin labels ("[1.5, 2.25)", "M", "other") */
    double *ref;                /* n_bins shares */
    double *cur;
} drift_dist;

typedef struct drift_column_result {
    char *name;
    drift_ctype type;
    size_t n_ref, n_cur;        /* non-missing values compared */
    size_t ref_missing, cur_missing;
    size_t n_unique;            /* distinct values in reference + current */
    drift_test test;            /* the test used */
    int auto_test;              /* 1: picked automatically */
    double score;               /* p-value or distance: what the threshold applies to */
    double statistic;           /* ks: D; chisquare: chi2; z: z; wasserstein: raw distance;
                                 * jensenshannon, psi: = score */
    double threshold;
    int drifted;
    double psi;                 /* PSI on the same bins (extra column) */
    const char *psi_band;       /* "stable" < 0.1 <= "moderate" < 0.25 <= "major" */
    double ref_mean, cur_mean;  /* numeric: means; NaN for categorical */
    double ref_std, cur_std;
    drift_dist dist;
    char *error;                /* non-NULL when this column could not be tested
                                 * (e.g. empty on one side); then drifted = 0 */
} drift_column_result;

typedef struct drift_report {
    char *reference;            /* labels of the two data sets */
    char *current;
    size_t ref_rows, cur_rows;
    int n_columns;              /* columns tested */
    int n_drifted;
    double share;               /* n_drifted / n_columns */
    double drift_share;         /* the dataset threshold used */
    int dataset_drift;          /* share >= drift_share */
    drift_column_result *cols;  /* n_columns results, in reference column order */
    int n_skipped;              /* columns of one side only, and excluded ids */
    char **skipped;             /* their names, with why ("TARGET (reference only)") */
    double seconds;             /* wall time of the comparison */
} drift_report;

/* Compare the common columns of ref and cur (by name; listed or all, ids excluded).
 * Column type: categorical for text columns, and for numeric columns stored as integers
 * (no missing value and every value integral in the current data, as a pandas int64
 * column) with at most 5 distinct reference values; numerical otherwise.
 * Automatic test, with n_ref the reference's non-missing values and n_unique the
 * distinct values of both: n_ref <= 1000: numerical with n_unique > 5 -> ks; otherwise
 * chisquare if n_unique > 2 else z. n_ref > 1000: numerical with n_unique > 5 ->
 * wasserstein (normed); otherwise jensenshannon. Returns NULL + err when a requested
 * column is missing or no column is left to compare. Free with drift_report_free(). */
drift_report *drift_compare(const drift_dataset *ref, const drift_dataset *cur,
                            const drift_options *opt, cs_err *err);
void drift_report_free(drift_report *r);

/* ==== 3. the report ================================================================= */

/* The report as JSON (format in docs/drift.md); malloc'd, caller frees. */
char *drift_report_json(const drift_report *r, cs_err *err);
/* The report as one self-contained HTML page (inline CSS, JS and SVG); malloc'd. */
char *drift_report_html(const drift_report *r, cs_err *err);
/* Write either to a file (written to path.tmp and renamed). */
cs_status drift_report_write_json(const drift_report *r, const char *path, cs_err *err);
cs_status drift_report_write_html(const drift_report *r, const char *path, cs_err *err);

#endif /* CS_DRIFT_DRIFT_H */
