/*
 * tbl.c: the typed column table's lifetime and lookups, and the row-by-row builder
 * (contract in tbl.h). The builder parses each field with the same number parser and
 * dictionary as the CSV reader (tbl_read.c), so a row built here and the same row read
 * from a file give the same table.
 */
#include "csv.h"
#include "tbl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void tbl_free(tbl *t)
{
    if (!t) return;
    for (int k = 0; t->cols && k < t->n_cols; k++) {
        tbl_column *c = &t->cols[k];
        free(c->name);
        free(c->num);
        free(c->codes);
        for (int32_t i = 0; c->cats && i < c->n_cats; i++) free(c->cats[i]);
        free(c->cats);
    }
    free(t->cols);
    free(t->source);
    free(t);
}

int tbl_col_index(const tbl *t, const char *name)
{
    if (!t || !name) return -1;
    for (int k = 0; k < t->n_cols; k++)
        if (t->cols[k].name && !strcmp(t->cols[k].name, name)) return k;
    return -1;
}

const tbl_column *tbl_col(const tbl *t, const char *name)
{
    int k = tbl_col_index(t, name);
    return k < 0 ? NULL : &t->cols[k];
}

/* ---- the builder --------------------------------------------------------------------- */

struct tbl_builder {
    char *name;                 /* for messages */
    const tbl_schema *schema;   /* borrowed */
    locale_t loc;
    size_t n_rows, cap;
    double **num;               /* per schema column (TBL_NUM) */
    int32_t **codes;            /* per schema column (TBL_CAT) */
    csv_dict *dicts;
};

void tbl_builder_free(tbl_builder *b)
{
    if (!b) return;
    for (int k = 0; b->schema && k < b->schema->n_cols; k++) {
        if (b->num) free(b->num[k]);
        if (b->codes) free(b->codes[k]);
        if (b->dicts) csv_dict_free(&b->dicts[k]);
    }
    free(b->num);
    free(b->codes);
    free(b->dicts);
    free(b->name);
    csv_locale_free(b->loc);
    free(b);
}

tbl_builder *tbl_builder_create(const char *name, const tbl_schema *schema, cs_err *err)
{
    tbl_builder *b;
    if (!schema || schema->n_cols <= 0) {
        cs_err_set(err, CS_EINVAL, "%s: a table builder needs a schema with columns", name ? name : "(rows)");
        return NULL;
    }
    b = cs_calloc(1, sizeof *b, err);
    if (!b) return NULL;
    b->schema = schema;
    b->name = cs_strdup(name ? name : "(rows)", err);
    b->loc = csv_locale_new(err);
    b->num = cs_calloc((size_t)schema->n_cols, sizeof *b->num, err);
    b->codes = cs_calloc((size_t)schema->n_cols, sizeof *b->codes, err);
    b->dicts = cs_calloc((size_t)schema->n_cols, sizeof *b->dicts, err);
    if (!b->name || !b->loc || !b->num || !b->codes || !b->dicts) {
        tbl_builder_free(b);
        return NULL;
    }
    return b;
}

cs_status tbl_builder_add_row(tbl_builder *b, const char *const *fields, cs_err *err)
{
    const tbl_schema *s;
    size_t row;
    if (!b || !fields) return cs_err_set(err, CS_EINVAL, "tbl_builder_add_row: no builder or no fields");
    s = b->schema;
    row = b->n_rows;
    /* check the whole row before storing any of it, so a refused row leaves no trace */
    for (int k = 0; k < s->n_cols; k++) {
        const char *f = fields[k];
        double v;
        const char *why;
        if (s->cols[k].type == TBL_NUM && s->cols[k].whole && f && *f && csv_parse_whole(f, strlen(f), &v, &why)) {
            char q[64];
            size_t len = strlen(f);
            snprintf(q, sizeof q, "'%.*s%s'", (int)(len > 40 ? 40 : len), f, len > 40 ? "..." : "");
            return cs_err_set(err, CS_EPARSE, "%s: row %zu: %s in id column %s: %s", b->name, row + 1, q,
                              s->cols[k].name, why);
        }
        if (s->cols[k].type == TBL_NUM && f && *f && csv_parse_double(f, strlen(f), b->loc, &v)) {
            char q[64];
            size_t len = strlen(f);
            snprintf(q, sizeof q, "'%.*s%s'", (int)(len > 40 ? 40 : len), f, len > 40 ? "..." : "");
            return cs_err_set(err, CS_EPARSE, "%s: row %zu: text %s in numeric column %s", b->name, row + 1,
                              q, s->cols[k].name);
        }
    }
    if (row == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        for (int k = 0; k < s->n_cols; k++) {
            if (s->cols[k].type == TBL_NUM) {
                double *v = cs_reallocarray(b->num[k], cap, sizeof *v, err);
                if (!v) return CS_ENOMEM;
                b->num[k] = v;
            } else {
                int32_t *v = cs_reallocarray(b->codes[k], cap, sizeof *v, err);
                if (!v) return CS_ENOMEM;
                b->codes[k] = v;
            }
        }
        b->cap = cap;
    }
    for (int k = 0; k < s->n_cols; k++) {
        const char *f = fields[k];
        size_t len = f ? strlen(f) : 0;
        if (s->cols[k].type == TBL_NUM) {
            double v = NAN;
            if (len) csv_parse_double(f, len, b->loc, &v);
            b->num[k][row] = v;
        } else {
            int32_t c = -1;
            if (len) {
                c = csv_dict_add(&b->dicts[k], f, len, csv_hash(f, len), err);
                if (c < 0) return err ? err->code : CS_ENOMEM;
            }
            b->codes[k][row] = c;
        }
    }
    b->n_rows++;
    return CS_OK;
}

tbl *tbl_builder_finish(tbl_builder *b, cs_err *err)
{
    tbl *t;
    const tbl_schema *s;
    size_t n;
    if (!b) {
        cs_err_set(err, CS_EINVAL, "tbl_builder_finish: no builder");
        return NULL;
    }
    s = b->schema;
    n = b->n_rows ? b->n_rows : 1;
    t = cs_calloc(1, sizeof *t, err);
    if (!t) goto fail;
    t->source = b->name;
    b->name = NULL;
    t->cols = cs_calloc((size_t)s->n_cols, sizeof *t->cols, err);
    if (!t->cols) goto fail;
    t->n_cols = s->n_cols;
    t->n_rows = b->n_rows;
    for (int k = 0; k < s->n_cols; k++) {
        tbl_column *c = &t->cols[k];
        c->type = s->cols[k].type;
        c->name = cs_strdup(s->cols[k].name, err);
        if (!c->name) goto fail;
        if (c->type == TBL_NUM) {
            c->num = b->num[k] ? b->num[k] : cs_malloc(n * sizeof *c->num, err);
            b->num[k] = NULL;
            if (!c->num) goto fail;
        } else {
            c->codes = b->codes[k] ? b->codes[k] : cs_malloc(n * sizeof *c->codes, err);
            b->codes[k] = NULL;
            if (!c->codes) goto fail;
            c->cats = csv_dict_take(&b->dicts[k], &c->n_cats);
        }
    }
    tbl_builder_free(b);
    return t;
fail:
    tbl_free(t);
    tbl_builder_free(b);
    return NULL;
}
