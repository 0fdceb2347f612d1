/*
 * labels.c: feature labels, reason-code labels and value formats from a recipe (labels.h),
 * thin glue over the recipe's metadata API (rcp_meta_*).
 */
#include "labels.h"

#include <stdio.h>
#include <string.h>

int api_feature_label(const rcp_recipe *r, const char *name, int lang, char *out, size_t cap)
{
    rcp_meta meta;
    if (!cap) return 0;
    if (!r || !name || !rcp_meta_lookup(r, name, &meta)) {
        snprintf(out, cap, "%s", name ? name : "");
        return 0;
    }
    rcp_meta_label(r, name, lang ? RCP_FR : RCP_EN, out, cap);
    return 1;
}

/* The stable code of a feature (labels.h). */
static void _code(const rcp_recipe *r, const rcp_meta *meta, char *code)
{
    int n = 0;
    if (meta->is_aggregate) {
        n = 50 + (int)(meta->table - r->tables);
        if (n > 99) n = 99;
    } else if (meta->column && meta->table) {
        const rcp_table *t = meta->table;
        if (meta->column >= t->cols && meta->column < t->cols + t->n_cols) n = 1 + (int)(meta->column - t->cols);
        else if (meta->column >= t->derived && meta->column < t->derived + t->n_derived)
            n = 1 + t->n_cols + (int)(meta->column - t->derived);
        if (n > 49) n = 49;
    }
    code[0] = 'R';
    code[1] = 'C';
    code[2] = (char)('0' + n / 10);
    code[3] = (char)('0' + n % 10);
    code[4] = '\0';
}

static int _label(void *ud, const char *name, shap_lang lang, char *out, size_t cap, char *code)
{
    const rcp_recipe *r = ud;
    rcp_meta meta;
    if (!rcp_meta_lookup(r, name, &meta)) return 0;
    rcp_meta_label(r, name, lang == SHAP_LANG_FR ? RCP_FR : RCP_EN, out, cap);
    _code(r, &meta, code);
    return 1;
}

static int _format(void *ud, const char *name, double v, shap_lang lang, char *out, size_t cap)
{
    const rcp_recipe *r = ud;
    rcp_meta meta;
    if (!rcp_meta_lookup(r, name, &meta)) return 0;
    if (meta.category[0] && !meta.is_aggregate) {     /* a one-hot dummy: the label names the category */
        if (cap) out[0] = '\0';
        return 1;
    }
    rcp_meta_format(r, name, v, lang == SHAP_LANG_FR ? RCP_FR : RCP_EN, out, cap);
    return 1;
}

void api_labeller_init(shap_labeller *lab, const rcp_recipe *r)
{
    lab->label = _label;
    lab->format = _format;
    lab->ud = (void *)r;
}
