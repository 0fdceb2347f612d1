/*
 * recipe_int.h: internals shared by the files of src/recipe (not for other modules).
 */
#ifndef CS_RECIPE_RECIPE_INT_H
#define CS_RECIPE_RECIPE_INT_H

#include "recipe.h"

/* The structural checks across tables and columns, after parsing (check.c): one root,
 * parents that exist, no cycle, links and keys that are columns, operands defined before
 * use, aggregations of columns that exist with operations their role allows, no duplicate
 * names. Fills parent_index and depth. Messages name the JSON path. */
cs_status rcp__check(rcp_recipe *r, cs_err *err);

/* The JSON spelling of a derived column's operation ("div"). */
const char *rcp__op_name(rcp_op o);

/* 1 when glob pat ('*' matches any run of characters, '*' itself included) matches s. */
int rcp__glob(const char *pat, const char *s);

#endif /* CS_RECIPE_RECIPE_INT_H */
