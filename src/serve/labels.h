/*
 * labels.h: a model's features in a person's words when its spec carries a recipe
 * (docs/recipes.md): the label of each feature in English or French, the reason-code
 * labeller of src/explain (labels, stable codes and values in the recipe's units), and the
 * recipe's inputs for /v1/model. Without a recipe (Home Credit's kernel spec) nothing here
 * is used and explanations keep the built-in wording.
 */
#ifndef CS_SERVE_LABELS_H
#define CS_SERVE_LABELS_H

#include "../base/cs.h"
#include "../explain/shap.h"
#include "../recipe/recipe.h"

/* The label of feature name in lang (0 English, 1 French) into out (cap bytes); returns 1
 * when the recipe knows the name, 0 (out = name) otherwise. r may be NULL (returns 0). */
int api_feature_label(const rcp_recipe *r, const char *name, int lang, char *out, size_t cap);

/* A labeller for shap_reasons_labelled() over recipe r (borrowed; must outlive lab).
 * Codes: "RCnn" with nn the 1-based position of the feature's root column in its table
 * (at most 49), "RC5n"... "RC99" = 50 + the index of the child table an aggregate comes
 * from. A one-hot dummy shows no value (its label says the category). */
void api_labeller_init(shap_labeller *lab, const rcp_recipe *r);

#endif /* CS_SERVE_LABELS_H */
