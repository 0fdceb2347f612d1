/*
 * dir.c: the features of a folder of raw tables under a saved spec, whichever code computes
 * them: the recipe engine for a recipe's spec, the kernel for the kernel's (engine.h).
 */
#include "engine.h"
#include "kernel.h"

feat_matrix *feat_compute_dir(const feat_spec *spec, const char *dir, FILE *log, feat_warnings *warn, cs_err *err)
{
    const rcp_recipe *r;
    feat_matrix *m;

    if (!spec) {
        cs_err_set(err, CS_EINVAL, "%s: no feature spec to compute the features with", dir);
        return NULL;
    }
    if ((r = feat_spec_recipe(spec))) {
        feat_rdata d = {0};
        if (feat_rdata_read(r, dir, &d, log, err)) return NULL;
        m = feat_recipe_compute(r, &d, spec, NULL, NULL, warn, NULL, err);
        feat_rdata_free(&d);
        if (!m) cs_err_prefix(err, "%s (recipe %s): ", dir, r->name);
    } else {
        feat_tables t;
        if (feat_tables_read(dir, &t, log, err)) return NULL;
        m = feat_compute((const tbl *const *)t.t, spec, NULL, warn, NULL, err);
        feat_tables_free(&t);
        if (!m) cs_err_prefix(err, "%s (the kernel's features): ", dir);
    }
    return m;
}
