/*
 * binning.h: optimal weight-of-evidence binning of one feature or of every feature of a
 * matrix, the first step of a scorecard (scorecard.h) and usable on its own
 * (`creditscore scorecard bin`).
 *
 *   bn_opts o = BN_OPTS_DEFAULT;                    // 20 pre-bins, bins >= 5 %, trend auto
 *   bn_feature *f;
 *   bn_fit_values(x, y, n, 0, &o, "AMT_CREDIT", &f, &err);
 *   bn_table_write(f, BN_FMT_CSV, &buf, &err);      // the binning table
 *   size_t b = bn_bin_of(f, 125000.0);              // the bin of a value
 *   bn_feature_free(f);
 *
 * The problem solved, per feature (docs/scorecard.md):
 *  1. Pre-binning: the non-missing, non-special values cut into at most max_n_prebins
 *     quantile pre-bins (equal row counts, never splitting equal values). From raw values
 *     the cut points are midpoints between neighbouring distinct values; from a binned
 *     dataset (ds_dataset, bn_fit_matrix) they are the dataset's bin edges, the cells of
 *     the dataset grouped by cumulative count.
 *  2. Optimisation: of all the ways to merge neighbouring pre-bins into bins, the one of
 *     maximum information value under the constraints: every bin holds at least
 *     min_bin_size of all the rows, at least min_n_event events and min_n_nonevent
 *     non-events, at most max_n_bins bins, and the event rate follows the trend strictly
 *     (ascending, descending, peak: up then down, valley: down then up, none: free; auto:
 *     the best of the four, the simpler shape on ties; auto_monotonic: the better of
 *     ascending and descending). Solved exactly by dynamic programming over (last bin,
 *     phase of the trend, number of bins): the IV is a sum over bins, so the best
 *     partition ending with a given bin extends the best admissible one before it. When no
 *     partition satisfies the constraints, the feature gets one value bin (IV 0).
 *  3. Missing values (NaN) get a bin of their own, and so does each declared special value
 *     (when rows hold them); they take no part in the merging.
 *  Categorical features (integer codes): categories with a share below cat_cutoff are
 *  pooled into one group, the groups are ordered by event rate and become the pre-bins
 *  (merged to at most max_n_prebins by count), then step 2 with an ascending trend.
 *
 * WoE and IV (events are target 1, the "bads"): for a bin with e events and g non-events
 * out of E and G in all,  woe = ln((g / G) / (e / E)),  iv = (g / G - e / E) * woe;  a bin
 * with e == 0 or g == 0 counts 0.5 in place of that zero in its woe and iv (its counts stay
 * exact). The feature's IV is the sum over all its bins, missing and special included.
 */
#ifndef CS_LEARN_BINNING_H
#define CS_LEARN_BINNING_H

#include "../base/cs.h"
#include "../features/featfile.h"
#include "dataset.h"

/* ---- options ----------------------------------------------------------------------- */

typedef enum bn_trend {
    BN_TREND_AUTO = 0,          /* "auto": the best of ascending, descending, peak, valley */
    BN_TREND_AUTO_MONOTONIC = 1,/* "auto_monotonic": the better of ascending and descending */
    BN_TREND_ASCENDING = 2,     /* "ascending": event rate strictly increasing with x */
    BN_TREND_DESCENDING = 3,    /* "descending" */
    BN_TREND_PEAK = 4,          /* "peak": strictly up, then strictly down */
    BN_TREND_VALLEY = 5,        /* "valley": strictly down, then strictly up */
    BN_TREND_NONE = 6,          /* "none": no constraint on the event rates */
    BN_TREND_COUNT = 7
} bn_trend;

/* The fixed name of a trend ("ascending", ...); "?" out of range. */
const char *bn_trend_name(bn_trend t);

/* The trend named name; CS_EINVAL listing the names otherwise. */
cs_status bn_trend_from_name(const char *name, bn_trend *out, cs_err *err);

#define BN_MAX_PREBINS 100
#define BN_MAX_SPECIAL 16

typedef struct bn_opts {
    int max_n_prebins;      /* quantile pre-bins, 2..BN_MAX_PREBINS; default 20 */
    double min_bin_size;    /* least share of all rows in a value bin, [0, 0.5]; default 0.05 */
    int64_t min_n_event;    /* least events in a value bin, >= 0; default 1 */
    int64_t min_n_nonevent; /* least non-events in a value bin, >= 0; default 1 */
    int max_n_bins;         /* most value bins, 0 = no limit; default 0 */
    bn_trend trend;         /* default BN_TREND_AUTO */
    double cat_cutoff;      /* categories with a smaller share are pooled, [0, 1); 0.01 */
    size_t n_special;       /* declared special values (0..BN_MAX_SPECIAL) */
    double special[BN_MAX_SPECIAL]; /* each gets a bin of its own; finite values */
} bn_opts;

#define BN_OPTS_DEFAULT ((bn_opts){20, 0.05, 1, 1, 0, BN_TREND_AUTO, 0.01, 0, {0}})

/* NULL when o is valid, else a fixed message naming the bad option
 * ("max_n_prebins must be in 2..100"). */
const char *bn_opts_check(const bn_opts *o);

/* ---- the binning of one feature ---------------------------------------------------- */

typedef enum bn_bin_kind {
    BN_BIN_RANGE = 0,       /* lo < x <= hi (the first lo is -inf, the last hi +inf) */
    BN_BIN_CATS = 1,        /* x is one of cats[] */
    BN_BIN_MISSING = 2,     /* x is NaN */
    BN_BIN_SPECIAL = 3      /* x == lo, a declared special value */
} bn_bin_kind;

typedef struct bn_bin {
    bn_bin_kind kind;
    double lo, hi;          /* RANGE bounds; SPECIAL: the value in lo (and hi) */
    double *cats;           /* CATS: the categories, ascending, owned; else NULL */
    size_t n_cats;
    int pooled;             /* CATS: holds the pooled rare categories */
    int64_t count, events;  /* training rows in the bin, of which target 1 */
    double woe, iv;         /* see the top of this file */
} bn_bin;

/* A feature's binning. Bins are ordered: value bins (ranges by x, or category groups by
 * event rate), then the missing bin, then the special bins. */
typedef struct bn_feature {
    char *name;             /* owned */
    int categorical;        /* 1: bins are category groups */
    bn_trend trend;         /* the constraint applied; for auto: the shape chosen
                             * (ascending, descending, peak or valley) */
    size_t n_bins;
    bn_bin *bins;           /* owned */
    size_t n_value_bins;    /* the first n_value_bins bins are RANGE or CATS */
    size_t fallback;        /* the bin of a value no bin holds (NaN without a missing bin, an
                             * unseen category): the pooled group when there is one, else the
                             * value bin of the highest event rate (the most prudent) */
    int64_t count, events;  /* all training rows */
    double iv;              /* sum of the bins' iv */
} bn_feature;

/* Free f and everything it owns. NULL is allowed. */
void bn_feature_free(bn_feature *f);

/* A deep copy; NULL + err when out of memory. */
bn_feature *bn_feature_copy(const bn_feature *f, cs_err *err);

/* The index of the bin of value x (0..n_bins-1): NaN -> the missing bin, a special value
 * -> its bin, otherwise the range (binary search) or category group holding x; fallback
 * when none does. */
size_t bn_bin_of(const bn_feature *f, double x);

/* The bin's label for tables and reason codes, bounds to 6 significant digits (the JSON
 * table keeps them exact): "(-inf, 2.5]", "(2.5, 7]", "(7, inf)",
 * "{1, 3}", "{2, 5, others}", "Missing", "Special 365243". Writes at most cap bytes
 * (truncated with "..." beyond); returns out. */
char *bn_bin_label(const bn_feature *f, size_t b, char *out, size_t cap);

/* Bin one feature from raw values: x[0..n) (NaN = missing), targets y[0..n) (0 or 1),
 * categorical != 0 for integer category codes. name is copied. *out is new, owned by the
 * caller. CS_EINVAL for bad options (bn_opts_check's message), a target not 0/1, a
 * non-integer category code, or n == 0. */
cs_status bn_fit_values(const double *x, const double *y, size_t n, int categorical,
                        const bn_opts *o, const char *name, bn_feature **out, cs_err *err);

/* Bin every feature of m on the rows rows[0..n) (targets m->target, 0 or 1). Numeric
 * features are pre-binned from d (a binned dataset of m, ds_create; NULL: from the raw
 * values, sorted), categorical[j] != 0 (categorical may be NULL) marks features binned as
 * categories. Parallel over features with n_threads threads (0: the runtime's default).
 * *out is a new array of m->n_feats bn_feature pointers, freed with bn_features_free. */
cs_status bn_fit_matrix(const feat_matrix *m, const ds_dataset *d, const size_t *rows,
                        size_t n, const uint8_t *categorical, const bn_opts *o, int n_threads,
                        bn_feature ***out, cs_err *err);

/* bn_fit_matrix(m, ds_create(m, max_bin, sample_rows), ...) without the binned dataset: each
 * column read once, in place, its cells cut as ds_create would cut them (ds_edges) and every
 * row rows[0..n) counted into them with its target, so the features are identical to
 * bn_fit_matrix's from that dataset (categorical ones from the raw values, as there); no
 * n_feats x n_rows byte array is built. m may be a feature file opened with FEAT_OPEN_LAZY:
 * each column's checksum is verified (feat_file_check_col, path naming the file) before it
 * is read; a corrupt column fails with CS_ECORRUPT, the first one in file order named.
 * max_bin 2..DS_MAX_BIN (CS_EINVAL otherwise). Parallel over features with n_threads (0: all
 * cores); *out as bn_fit_matrix's. */
cs_status bn_fit_columns(const feat_matrix *m, const char *path, const size_t *rows, size_t n,
                         const uint8_t *categorical, const bn_opts *o, int max_bin, size_t sample_rows,
                         int n_threads, bn_feature ***out, cs_err *err);

/* Free an array of n features from bn_fit_matrix (NULL allowed). */
void bn_features_free(bn_feature **fs, size_t n);

/* ---- the optimiser on its own (for tests and other pre-binnings) -------------------- */

/* The best merge of P (1..BN_MAX_PREBINS) ordered pre-bins with counts cnt[] and events
 * ev[] under o's constraints and the trend t (not auto: ascending, descending, peak,
 * valley or none); the IV's totals are total_count / total_events (all the feature's
 * rows, missing and special included). Writes in cut[0..P) 1 where a bin ends after
 * pre-bin i (cut[P-1] = 1) and returns the IV of the value bins, or -1 (cut untouched)
 * when no merge satisfies the constraints. */
double bn_solve(const int64_t *cnt, const int64_t *ev, size_t P, int64_t total_count,
                int64_t total_events, const bn_opts *o, bn_trend t, uint8_t *cut);

/* The IV term of one bin (smoothing as at the top of this file). */
double bn_iv_term(int64_t count, int64_t events, int64_t total_count, int64_t total_events);

/* The WoE of one bin. */
double bn_woe(int64_t count, int64_t events, int64_t total_count, int64_t total_events);

/* Pre-bin raw values as step 1 does: the non-NaN values of x[0..n) (specials of o left
 * out) into at most o->max_n_prebins quantile pre-bins; writes counts, events and upper
 * cut points (upper[P-1] = +inf) into caller arrays of BN_MAX_PREBINS, returns P (0 when
 * every value is missing). */
size_t bn_prebin_values(const double *x, const double *y, size_t n, const bn_opts *o,
                        int64_t *cnt, int64_t *ev, double *upper);

/* Set one option from its name and the JSON text of its value, as the scorecard's
 * parameters and `scorecard bin --params` name them: max_n_prebins, min_bin_size,
 * min_n_event, min_n_nonevent, max_n_bins, monotonic_trend ("auto", ...), cat_cutoff,
 * special_codes (an array of numbers). CS_ENOTFOUND for a name that is not a binning
 * option (so that callers can try their own), CS_EINVAL naming the option and its range
 * for a bad value. */
cs_status bn_opts_set(bn_opts *o, const char *name, const char *json_value, cs_err *err);

/* Set the options named in a JSON object ("{\"max_n_bins\": 6}"; NULL or "" changes
 * nothing) with bn_opts_set; an unknown name is CS_EINVAL naming it. */
cs_status bn_opts_from_json(const char *json_object_text, bn_opts *o, cs_err *err);

/* Recompute from the bins' counts the woe and iv of every bin, the feature's totals, IV and
 * fallback (after building or editing bins by hand). */
void bn_feature_finish(bn_feature *f);

/* ---- tables ------------------------------------------------------------------------ */

typedef enum bn_format { BN_FMT_CSV = 0, BN_FMT_MARKDOWN = 1, BN_FMT_JSON = 2 } bn_format;

/* Append f's binning table to out: one row per bin (bin, count, share, events, event
 * rate, WoE, IV contribution) and a total row; CSV (first column the feature, so that the
 * tables of several features concatenate; the header line when header != 0), a Markdown table
 * under a "### name" heading with the IV and trend, or one JSON object
 * {"feature", "categorical", "trend", "iv", "count", "events", "bins": [{"bin", "kind",
 * "lo", "hi", "cats", "pooled", "count", "share", "events", "event_rate", "woe", "iv"}]}
 * (infinite bounds as null) which bn_feature_from_json reads back. */
cs_status bn_table_write(const bn_feature *f, bn_format fmt, int header, cs_buf *out, cs_err *err);

/* A feature's binning from the JSON object bn_table_write writes (text, len bytes; the
 * fallback and the bin order are recomputed/checked). NULL + err (CS_EPARSE / CS_ECORRUPT
 * naming what) on failure. */
bn_feature *bn_feature_from_json(const char *text, size_t len, cs_err *err);

/* The same from a parsed cJSON object (for readers of documents that embed binnings). */
struct cJSON;
bn_feature *bn_feature_from_cjson(const struct cJSON *obj, cs_err *err);

#endif /* CS_LEARN_BINNING_H */
