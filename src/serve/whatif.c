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
        if (isnan(v)) continue;                                   /* missing: the model handles it */
        if (base && (v == base[j] || (isnan(base[j]) && isnan(v)))) continue;   /* not edited */
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
