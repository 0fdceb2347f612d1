/*
 * engine.h: features computed from a recipe (../recipe/recipe.h, docs/recipes.md): any data
 * set's tables read with the types the recipe gives, child tables grouped by parent key
 * through several levels, derived columns, encodings (one-hot with the category set learned
 * at training, factorize), aggregations (count, size, sum, mean, min, max, var, nunique,
 * first/last, share), filtered by `where`, named by the recipe's rule. With
 * recipes/homecredit-kernel.json (built in: feat_kernel_recipe) it computes the features of the
 * public kernel "LightGBM with simple features" (../shared/docs/kernel-features.md: 795 on
 * full-size Home Credit data, on small data only the categories present) to the bit.
 *
 * The spec (spec.h) of a recipe carries the recipe itself and the category sets of every
 * categorical column, so that a model file holding the spec computes features for new data
 * without the recipe file.
 *
 * One code path: feat_recipe_compute() aggregates every child table into its parent's rows;
 * feat_recipe_compute_one() runs it on one applicant's records (every row of the root's
 * children is the applicant's; deeper tables join by key), giving the same values to the
 * bit as the batch for that applicant with the same spec.
 */
#ifndef CS_FEATURES_ENGINE_H
#define CS_FEATURES_ENGINE_H

#include "../base/cs.h"
#include "../io/hc_schema.h"
#include "../io/tbl.h"
#include "../recipe/recipe.h"
#include "featfile.h"
#include "spec.h"

#define FEAT_MAX_PARTS 8 /* files of one table */

/* The recipe the features take when none is given, recipes/homecredit-kernel.json, compiled
 * into the binary (builtin.c): its JSON text (len receives its length, may be NULL), and the
 * recipe parsed from it (caller frees with rcp_free; messages name FEAT_KERNEL_RECIPE_SOURCE).
 * A spec written before the recipes (format version 1, spec.c) is read as this recipe's. */
#define FEAT_KERNEL_RECIPE_SOURCE "recipes/homecredit-kernel.json"
const char *feat_kernel_recipe_json(size_t *len);
rcp_recipe *feat_kernel_recipe(cs_err *err);

/* The tables of a recipe's data: t[i] for recipe table i, its files' tables in the order of
 * the recipe's files (n_parts 0: the table is absent, an empty table). */
typedef struct feat_rtable {
    int n_parts;
    tbl *parts[FEAT_MAX_PARTS];   /* owned by the feat_rdata */
} feat_rtable;

typedef struct feat_rdata {
    int n_tables;
    feat_rtable *t;
} feat_rdata;

/* Check the recipe against folder dir (rcp_check_data), then read every table's files with
 * the column types the recipe gives (columns the recipe does not list are not used). log
 * (may be NULL) receives a progress bar per file. A file that does not fit gets the reader's
 * file:line:column error. */
cs_status feat_rdata_read(const rcp_recipe *r, const char *dir, feat_rdata *out, FILE *log, cs_err *err);

/* Tables built otherwise (tbl_builder, another schema) are accepted as long as each column
 * the recipe uses has the type feat_recipe_schema gives, except that a flag or date column
 * may also come as numbers (taken as they are: Home Credit's 0/1 FLAG_ columns). */

/* Free the tables of d (not d itself). NULL is allowed. */
void feat_rdata_free(feat_rdata *d);

/* Tables keyed by Home Credit table (hc_schema.h; NULL = absent), e.g. an applicant's raw
 * records, as recipe r's data: each recipe table gets, in the order of its files, the tables
 * of the Home Credit files it reads (none: absent). The tables stay the caller's: free the
 * view with feat_rdata_view_free, never feat_rdata_free. */
cs_status feat_rdata_view_hc(const rcp_recipe *r, tbl *const t[HC_N_TABLES], feat_rdata *out, cs_err *err);
void feat_rdata_view_free(feat_rdata *d);

/* The reader's schema of recipe table ti (what tbl_read_csv_opts and tbl_builder take):
 * numbers for numeric, days, target and id roles, text for the others. Free with
 * feat_recipe_schema_free(). */
tbl_schema *feat_recipe_schema(const rcp_recipe *r, int ti, cs_err *err);
void feat_recipe_schema_free(tbl_schema *s);

/* Derive the spec of a data set under recipe r: the category sets of every categorical
 * column (the root's kept rows, every row of the other tables; one-hot sets sorted, factorize
 * sets in order of first appearance) and the feature names. The spec holds its own copy of
 * the recipe. Free with feat_spec_free(). */
feat_spec *feat_recipe_spec_derive(const rcp_recipe *r, const feat_rdata *d, cs_err *err);

/* The recipe a spec computes from (owned by the spec; never NULL for a spec that exists). */
const rcp_recipe *feat_spec_recipe(const feat_spec *s);

/* The features of every kept root row (files in order, rows in file order):
 *   r         the recipe (used only when spec is NULL; else the spec's own)
 *   d         the data, as feat_rdata_read gives it
 *   spec      the spec to apply, or NULL to derive one from d
 *   spec_out  OUT (may be NULL): the derived spec when spec is NULL (caller frees)
 *   path      NULL: an in-memory matrix; else written straight into this feature file
 *   warn      OUT (may be NULL): unseen categories per encoded column
 *   prog      progress (may be NULL)
 * ids are the root key's values (the row number for "@row"), target the target column (NaN
 * when there is none). Returns the matrix (caller frees), or NULL and err. */
feat_matrix *feat_recipe_compute(const rcp_recipe *r, const feat_rdata *d, const feat_spec *spec,
                                 feat_spec **spec_out, const char *path, feat_warnings *warn,
                                 cs_progress *prog, cs_err *err);

/* One applicant: d holds exactly one root row and that applicant's rows of the other tables
 * (every row of a child of the root is the applicant's; deeper tables join through their
 * parent's key). out receives feat_spec_n_feats(spec) values; warn (may be NULL) is added to. */
cs_status feat_recipe_compute_one(const feat_spec *spec, const feat_rdata *d, double *out,
                                  feat_warnings *warn, cs_err *err);

/* The features of the raw tables in folder dir under a saved spec (dir.c): the recipe engine's
 * (feat_rdata_read, feat_recipe_compute) with the recipe the spec carries (the built-in kernel
 * recipe for a spec written before the recipes). The spec may compute more features than
 * a model reads (e.g. the protected ones of a model trained without them). log (may be NULL)
 * receives the readers' progress bars; warn (may be NULL) the unseen categories. The matrix is
 * in memory (caller frees), or NULL and err naming dir. */
feat_matrix *feat_compute_dir(const feat_spec *spec, const char *dir, FILE *log, feat_warnings *warn, cs_err *err);

#endif /* CS_FEATURES_ENGINE_H */
