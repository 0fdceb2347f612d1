/*
 * dir.c: the features of a folder of raw tables under a saved spec: the recipe engine with
 * the recipe the spec carries (engine.h; a kernel spec's is the built-in kernel recipe).
 */
#include "engine.h"

feat_matrix *feat_compute_dir(const feat_spec *spec, const char *dir, FILE *log, feat_warnings *warn, cs_err *err)
{
    const rcp_recipe *r;
    feat_rdata d = {0};
    feat_matrix *m;

    if (!spec) {
        cs_err_set(err, CS_EINVAL, "%s: no feature spec to compute the features with", dir);
        return NULL;
    }
    r = feat_spec_recipe(spec);
    if (feat_rdata_read(r, dir, &d, log, err)) return NULL;
    m = feat_recipe_compute(r, &d, spec, NULL, NULL, warn, NULL, err);
    feat_rdata_free(&d);
    if (!m) cs_err_prefix(err, "%s (recipe %s): ", dir, r->name);
    return m;
}
