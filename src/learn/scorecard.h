/*
 * scorecard.h: the "scorecard" learner and its points table. A scorecard is fitted as
 * binning (binning.h) -> selection -> logistic regression on the WoE columns -> integer
 * points per bin with the scaling (points, odds, points to double the odds). It is a learner
 * like the others (learner.h, kind LRN_SCORECARD): the model is one tree per characteristic
 * whose leaves are that characteristic's points, so prediction, the model file, TreeSHAP,
 * CV and calibration all work unchanged; the points table itself (the sc_card) travels in
 * the model as JSON (lrn_model.card_json) for `scorecard show/export` and the API.
 *
 *   sc_card *c = sc_card_of(model, &err);          // the points table of a fitted model
 *   int32_t pts[...]; size_t bin[...];
 *   int64_t total = sc_card_points(c, x, pts, bin); // x: the model's feature vector
 *   sc_card_free(c);
 *
 * The fit (docs/scorecard.md):
 *  1. every feature binned on the training rows (bn_fit_matrix over the learners' binned
 *     dataset; categorical_features as category codes; default trend auto_monotonic);
 *  2. selection: features with IV >= iv_min, taken by decreasing IV, a feature whose WoE
 *     column's |Pearson correlation| with one already taken exceeds max_corr left out, at
 *     most max_features;
 *  3. L2 logistic regression (lr.h, our L-BFGS, C) of the target on the WoE columns; while
 *     some coefficient is >= 0 (a higher WoE, i.e. a safer bin, would mean more risk: the
 *     points would contradict the binning's trend) the feature with the largest one is
 *     dropped and the regression refitted: backward elimination on the sign;
 *  4. points: with factor = pdo / ln 2 and offset = base_points - factor * ln(base_odds),
 *     characteristic j of the k kept, bin b:
 *         points[j][b] = round(offset / k - factor * (coef_j * woe[j][b] + intercept / k))
 *     and the model's log-odds of default is (offset - total points) / factor exactly: the
 *     probability the model gives is the one its integer points say (before calibration).
 *     So 600 points are odds of 50:1 (good:bad) and every 20 points double the odds, by
 *     default. Points move against the event rate: a bin of higher event rate has fewer
 *     points, so a feature binned ascending has points descending in x.
 */
#ifndef CS_LEARN_SCORECARD_H
#define CS_LEARN_SCORECARD_H

#include "../base/cs.h"
#include "binning.h"
#include "learner.h"

/* The learner's parameters (lrn_params_raw of a LRN_SCORECARD params). */
typedef struct sc_params {
    bn_opts bin;            /* binning options (binning.h names); trend auto_monotonic */
    double iv_min;          /* least IV of a selected feature, >= 0; default 0.02 */
    double max_corr;        /* most |correlation| between two selected WoE columns, (0, 1]; 0.7 */
    int max_features;       /* most characteristics, 1..1000; default 20 */
    double C;               /* inverse L2 strength of the regression (> 0); default 1 */
    double pdo;             /* points to double the odds (> 0); default 20 */
    double base_points;     /* points at base_odds; default 600 */
    double base_odds;       /* odds good:bad at base_points (> 0); default 50 */
    char **categorical;     /* names of features binned as categories, owned */
    size_t n_categorical;
    int n_threads;          /* 0: the runtime's default */
} sc_params;

/* One characteristic: a feature, its bins, its coefficient and points. */
typedef struct sc_char {
    size_t feat;            /* index in the model's features */
    bn_feature *bins;       /* owned; bins->name is the feature's name */
    double coef;            /* the regression coefficient of its WoE (< 0) */
    int32_t *points;        /* bins->n_bins points, owned */
    int32_t min_points, max_points;
} sc_char;

/* A points table. */
typedef struct sc_card {
    double pdo, base_points, base_odds;
    double factor;          /* pdo / ln 2 */
    double offset;          /* base_points - factor * ln(base_odds) */
    double intercept;       /* of the regression */
    int32_t base;           /* points not tied to a characteristic (only when there is none:
                             * round(offset - factor * intercept)); 0 otherwise */
    size_t n_feats;         /* features of the model */
    size_t n_chars;
    sc_char *chars;         /* owned */
    size_t n_candidates;    /* features with IV >= iv_min (selection record) */
} sc_card;

void sc_card_free(sc_card *c);

/* The points table of a fitted scorecard model (parsed from model->card_json). CS_EINVAL
 * when model is not a scorecard, CS_ECORRUPT naming the fault for a bad table. */
sc_card *sc_card_of(const lrn_model *model, cs_err *err);

/* The table as JSON (what the model stores, sc_card_from_json reads). */
cs_status sc_card_to_json(const sc_card *c, cs_buf *out, cs_err *err);
sc_card *sc_card_from_json(const char *text, size_t len, size_t n_feats, cs_err *err);

/* The total points of the feature vector x (n_feats values), and per characteristic its
 * points (pts[j]) and bin (bin[j]) when those are not NULL. */
int64_t sc_card_points(const sc_card *c, const double *x, int32_t *pts, size_t *bin);

/* The log-odds of default of a total: (offset - total) / factor. */
double sc_card_log_odds(const sc_card *c, double total);

/* The least and the most total points possible. */
void sc_card_range(const sc_card *c, int64_t *lo, int64_t *hi);

/* The points table: per characteristic and bin, the bin, its count, event rate, WoE and
 * points; text (aligned, for a terminal), Markdown or CSV (fmt: 0 text, 1 markdown, 2 csv). */
cs_status sc_card_table(const sc_card *c, int fmt, cs_buf *out, cs_err *err);

/* A standard SQL expression giving the same total points from the columns named as the
 * features (double-quoted identifiers; NULL for missing): a sum of one CASE per
 * characteristic. Appended to out. */
cs_status sc_card_sql(const sc_card *c, cs_buf *out, cs_err *err);

#endif /* CS_LEARN_SCORECARD_H */
