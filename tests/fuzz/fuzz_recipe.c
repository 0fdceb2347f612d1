/*
 * fuzz_recipe.c: libFuzzer target for the recipe parser and its checks (src/recipe): any
 * bytes must give either a recipe whose tables, parents and depths are consistent and whose
 * metadata calls answer, or an error naming the input ("f.json: <path>: ..." or
 * "f.json:<line>:<col>: ..."); never a crash, a leak or undefined behaviour. `make fuzz`
 * runs it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "recipe/recipe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_err err = {0};
    rcp_recipe *r = rcp_parse_string("f.json", (const char *)data, size, &err);
    char out[256];
    cs_buf b = {0};
    const rcp_column *prof[8];
    if (!r) {
        if (strncmp(err.msg, "f.json", 6) || err.code == CS_OK) abort();
        return 0;
    }
    if (r->root < 0 || r->root >= r->n_tables || r->tables[r->root].parent_index != -1) abort();
    for (int i = 0; i < r->n_tables; i++) {
        const rcp_table *t = &r->tables[i];
        if (i != r->root && (t->parent_index < 0 || t->parent_index >= r->n_tables)) abort();
        if (i != r->root && r->tables[t->parent_index].depth != t->depth - 1) abort();
        /* every column name and every static output resolves to itself or is copied */
        for (int k = 0; k < t->n_cols; k++) {
            rcp_meta_label(r, t->cols[k].name, RCP_EN, out, sizeof out);
            rcp_meta_format(r, t->cols[k].name, -1234.5, RCP_FR, out, sizeof out);
        }
        for (int k = 0; k < t->n_aggs; k++) {
            const rcp_aggspec *a = &t->aggs[k];
            for (int q = 0; q < a->n_ops; q++) {
                rcp_meta m;
                rcp_agg_output_name(a, a->column, "x", a->ops[q], out, sizeof out);
                rcp_meta_lookup(r, out, &m);
                rcp_meta_label(r, out, RCP_FR, out, sizeof out);
            }
        }
    }
    rcp_profile_fields(r, prof, 8);
    if (rcp_inputs_json(r, &b, &err) != CS_OK) abort();
    cs_buf_free(&b);
    rcp_free(r);
    return 0;
}
