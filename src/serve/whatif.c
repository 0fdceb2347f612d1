/*
 * whatif.c: the checks of a simulation's edited inputs (whatif.h).
 */
#include "whatif.h"
#include "../model/model.h"
#include "../recipe/recipe.h"

#include <assert.h>
#include <math.h>
#include <string.h>

/* 1 when name is one of the recipe's input columns (read from a file, not derived, not an
 * aggregate nor a dummy); without a recipe every feature is an input */
static int _is_input(const rcp_recipe *r, const char *name)
{
    rcp_meta meta;
    if (!r) return 1;
    if (!rcp_meta_lookup(r, name, &meta)) return 0;
    return meta.column && !meta.column->derive && !meta.is_aggregate && !meta.category[0];
}

/* 1 when feature j's value is an edit (differs from base; every value without base) */
static int _edited(const double *x, const double *base, size_t j)
{
    return !base || !(x[j] == base[j] || (isnan(x[j]) && isnan(base[j])));
}

/* the recipe's relations of feature j's column (its actionable at_most / at_least), checked
 * when either side is edited: 0 or 400 with pb filled */
static int _relations(const mf_model *mf, const rcp_recipe *r, const double *x, const double *base, size_t j,
                      api_problem *pb)
{
    rcp_meta meta;
    const char *name = mf_feat_name(mf, j);
    if (!r || !rcp_meta_lookup(r, name, &meta) || !meta.column || !meta.column->action) return 0;
    for (int q = 0; q < 2; q++) {
        const char *other = q == 0 ? meta.column->action->at_most : meta.column->action->at_least;
        long w = other ? mf_feat_index(mf, other) : -1;
        char field[sizeof pb->field];
        if (w < 0 || isnan(x[j]) || isnan(x[w])) continue;
        if (!_edited(x, base, j) && !_edited(x, base, (size_t)w)) continue;
        if (q == 0 ? x[j] <= x[w] : x[j] >= x[w]) continue;
        snprintf(field, sizeof field, "features.%.140s", name);
        return api_problem_set(pb, 400, "inconsistent_inputs", field, "%.60s = %.10g is %s than %.60s = %.10g (the recipe: %s %.60s)",
                               name, x[j], q == 0 ? "larger" : "smaller", other, x[w], q == 0 ? "at most" : "at least", other);
    }
    return 0;
}

int api_whatif_check(const api_model *m, const double *x, const double *base, api_problem *pb)
{
    const mf_model *mf;
    const rcp_recipe *r;
    size_t n;
    assert(m && x && pb);
    mf = api_model_mf(m);
    r = api_model_recipe(m);
    n = mf_n_feats(mf);
    for (size_t j = 0; j < n; j++) {
        const char *name = mf_feat_name(mf, j);
        const mf_feature_stats *fs;
        double v = x[j], lo, hi;
        int code;
        if ((code = _relations(mf, r, x, base, j, pb))) return code;
        if (isnan(v)) continue;                                   /* missing: the model handles it */
        if (!_edited(x, base, j)) continue;
        if (!_is_input(r, name)) continue;
        if (!(fs = mf_stats(mf, j)) || fs->n <= 0) continue;      /* a file without statistics */
        lo = fs->q[0];
        hi = fs->q[MF_N_QUANTILES - 1];
        if (isnan(lo) || isnan(hi)) continue;                     /* never seen with a value */
        if (!isfinite(v) || v < lo || v > hi) {
            char field[sizeof pb->field];
            snprintf(field, sizeof field, "features.%.140s", name);
            return api_problem_set(pb, 400, "out_of_range", field,
                                   "%.100s = %.10g is outside the values the model was trained on (%.10g to %.10g)", name,
                                   v, lo, hi);
        }
    }
    return 0;
}
