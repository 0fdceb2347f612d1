/*
 * shap_plan.h: private to src/explain. The precomputed plan behind the explainer (shap.h):
 * per tree, its nodes in preorder with the slot of each split's feature on its path, and per
 * leaf the path's distinct features, their zero fractions and, where the size is bounded, a
 * table of the leaf's contributions for every subset of "agreeing" features. See
 * shap_plan.c for the method and docs/explain.md for the choice per tree.
 */
#ifndef CS_EXPLAIN_SHAP_PLAN_H
#define CS_EXPLAIN_SHAP_PLAN_H

#include "shap.h"

typedef struct shap_plan shap_plan;

/* The plan of model m's trees (m->n_trees > 0, trees validated), every leaf value scaled
 * by scale (1 or 1/n_trees for an averaged model). NULL + err on CS_ENOMEM. */
shap_plan *shap_plan_create(const lrn_model *m, double scale, const shap_options *opts, cs_err *err);
void shap_plan_free(shap_plan *p);

/* Add the contributions of every tree to phi for n rows: x row-major (stride values per
 * row), phi row-major (stride values per row). Trees outer, rows inner, so one tree's data
 * stays in cache across the rows: callers pass blocks of a few dozen rows. For each row the
 * trees are added in model order, so the result does not depend on the block size.
 * work: shap_plan_work_size(p) bytes. tables: 1 to use the tables (blocks of rows, where a
 * tree's tables are reused across the block; the trees without tables take the incremental
 * method where it was planned, else the direct one), 0 for no tables (one row: a table
 * lookup there is a cache miss that the arithmetic beats; rows are then done one at a time,
 * every tree for a row): the summed method where it was planned, else the incremental one,
 * else the direct one. The tables hold exactly the direct method's numbers (the same bits);
 * the incremental and summed methods' differ from them by rounding only (a few ulps of the
 * row's total: other quadrature nodes, products formed in another order). */
void shap_plan_rows(const shap_plan *p, const double *x, size_t n, size_t stride, double *phi,
                    void *work, int tables);

/* Bytes of scratch shap_plan_rows needs in work (trees explained by the recursive
 * algorithm); 0 when none: work may be NULL. */
size_t shap_plan_work_size(const shap_plan *p);

/* Counts and bytes for shap_explainer_stats. */
void shap_plan_stats(const shap_plan *p, shap_stats *out);

#endif /* CS_EXPLAIN_SHAP_PLAN_H */
