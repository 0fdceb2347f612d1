/*
 * attrs.c: which features come from a protected column (fair_feature_protected) and the
 * groups of each protected attribute over the rows of a feature matrix (fair_attrs_build).
 * The contract is in fair.h; the bands and rules in docs/fairness.md.
 */
#include "fair.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- protected features ---------------------------------------------------------------- */

/* The table that owns column c (a file or derived column), or NULL. */
static const rcp_table *_owner(const rcp_recipe *r, const rcp_column *c)
{
    for (int t = 0; t < r->n_tables; t++) {
        const rcp_table *tb = &r->tables[t];
        if ((tb->n_cols && c >= tb->cols && c < tb->cols + tb->n_cols) ||
            (tb->n_derived && c >= tb->derived && c < tb->derived + tb->n_derived))
            return tb;
    }
    return NULL;
}

/* 1 when column c of table t is protected or derived (through any chain) from one. */
static int _col_protected(const rcp_table *t, const rcp_column *c, char *why, size_t cap, int depth)
{
    if (!c || depth > 64) return 0;
    if (c->protected_attr) {
        if (why && cap) snprintf(why, cap, "%s", c->name);
        return 1;
    }
    if (!c->derive || !t) return 0;
    if (c->derive->a.column && _col_protected(t, rcp_table_column(t, c->derive->a.column), why, cap, depth + 1))
        return 1;
    if (c->derive->b.column && _col_protected(t, rcp_table_column(t, c->derive->b.column), why, cap, depth + 1))
        return 1;
    return 0;
}

int fair_feature_protected(const rcp_recipe *r, const char *name, char *why, size_t cap)
{
    rcp_meta m;
    assert(r && name);
    if (why && cap) why[0] = 0;
    if (!rcp_meta_lookup(r, name, &m)) return 0;
    if (m.column && _col_protected(_owner(r, m.column), m.column, why, cap, 0)) return 1;
    if (m.is_aggregate && m.spec && m.table) {
        /* rows chosen or ordered by a protected column carry it too */
        const char *by[2] = {m.spec->where_column, m.spec->order_by};
        for (int k = 0; k < 2; k++)
            if (by[k] && _col_protected(m.table, rcp_table_column(m.table, by[k]), why, cap, 0)) return 1;
    }
    return 0;
}

/* append s as a JSON string */
static cs_status _jstr(cs_buf *b, const char *s, cs_err *err)
{
    cs_status st = cs_buf_puts(b, "\"", err);
    for (const unsigned char *p = (const unsigned char *)s; *p && !st; p++) {
        if (*p == '"' || *p == '\\') st = cs_buf_printf(b, err, "\\%c", *p);
        else if (*p < 0x20) st = cs_buf_printf(b, err, "\\u%04x", *p);
        else st = cs_buf_append(b, p, 1, err);
    }
    return st ? st : cs_buf_puts(b, "\"", err);
}

cs_status fair_protected_mask(const rcp_recipe *r, const feat_matrix *m, unsigned char *drop, size_t *n_drop,
                              cs_buf *summary, cs_buf *json, cs_err *err)
{
    char (*why)[128] = NULL;
    cs_status st = CS_OK;
    size_t n = 0;
    assert(r && m && drop && n_drop);
    if (m->n_feats && !(why = cs_malloc(m->n_feats * sizeof *why, err))) return CS_ENOMEM;
    for (size_t j = 0; j < m->n_feats; j++) {
        drop[j] = (unsigned char)fair_feature_protected(r, m->names[j], why[j], sizeof why[j]);
        n += drop[j];
    }
    *n_drop = n;
    if (json) st = cs_buf_puts(json, "{\"attributes\": [", err);
    /* the attributes in order of their first feature, each with its features */
    for (size_t j = 0, first = 1; !st && j < m->n_feats; j++) {
        int seen = 0;
        if (!drop[j]) continue;
        for (size_t q = 0; q < j && !seen; q++) seen = drop[q] && !strcmp(why[q], why[j]);
        if (seen) continue;
        if (json) {
            if (!first) st = cs_buf_puts(json, ", ", err);
            if (!st) st = _jstr(json, why[j], err);
        }
        if (summary && !st) {
            st = cs_buf_printf(summary, err, "%s%s (", first ? "" : ", ", why[j]);
            for (size_t q = j, k = 0; !st && q < m->n_feats; q++)
                if (drop[q] && !strcmp(why[q], why[j])) st = cs_buf_printf(summary, err, "%s%s", k++ ? ", " : "", m->names[q]);
            if (!st) st = cs_buf_puts(summary, ")", err);
        }
        first = 0;
    }
    if (json && !st) st = cs_buf_puts(json, "], \"features\": [", err);
    for (size_t j = 0, k = 0; json && !st && j < m->n_feats; j++)
        if (drop[j]) {
            if (k++) st = cs_buf_puts(json, ", ", err);
            if (!st) st = _jstr(json, m->names[j], err);
        }
    if (json && !st) st = cs_buf_puts(json, "]}", err);
    free(why);
    return st;
}

feat_matrix *fair_matrix_drop(const feat_matrix *m, const unsigned char *drop, cs_err *err)
{
    size_t keep = 0, k = 0;
    feat_matrix *out;
    assert(m && drop);
    for (size_t j = 0; j < m->n_feats; j++) keep += !drop[j];
    if (!(out = feat_matrix_create(m->n_rows, keep, err))) return NULL;
    memcpy(out->ids, m->ids, m->n_rows * sizeof *m->ids);
    memcpy(out->target, m->target, m->n_rows * sizeof *m->target);
    for (size_t j = 0; j < m->n_feats; j++) {
        if (drop[j]) continue;
        if (!(out->names[k] = cs_strdup(m->names[j], err))) {
            feat_matrix_free(out);
            return NULL;
        }
        memcpy(out->values + k * m->n_rows, feat_col(m, j), m->n_rows * sizeof *out->values);
        k++;
    }
    return out;
}

/* ---- age bands ----------------------------------------------------------------------------- */

static const char *const _bands[FAIR_N_AGE_BANDS] = {"under 25", "25-34", "35-44", "45-54", "55-64",
                                                     "65 and over"};

int fair_age_band(double years)
{
    if (isnan(years)) return -1;
    if (years < 25) return 0;
    if (years >= 65) return 5;
    return 1 + (int)((years - 25) / 10);
}

const char *fair_age_band_name(int band)
{
    return band >= 0 && band < FAIR_N_AGE_BANDS ? _bands[band] : "unknown";
}

/* ---- groups ----------------------------------------------------------------------------------- */

static void _attr_clear(fair_attr *a)
{
    free(a->name);
    free(a->label);
    free(a->kind);
    for (int g = 0; g < a->n_groups; g++) free(a->groups[g]);
    free(a->groups);
    free(a->group);
    memset(a, 0, sizeof *a);
}

void fair_attrs_free(fair_attr *a, int n)
{
    if (!a) return;
    for (int i = 0; i < n; i++) _attr_clear(&a[i]);
    free(a);
}

static cs_status _add_group(fair_attr *a, const char *name, cs_err *err)
{
    char **g;
    if (a->n_groups >= FAIR_MAX_GROUPS)
        return cs_err_set(err, CS_EINVAL, "protected attribute %s: more than %d groups", a->name, FAIR_MAX_GROUPS);
    g = cs_reallocarray(a->groups, (size_t)a->n_groups + 1, sizeof *g, err);
    if (!g) return CS_ENOMEM;
    a->groups = g;
    if (!(g[a->n_groups] = cs_strdup(name, err))) return CS_ENOMEM;
    a->n_groups++;
    return CS_OK;
}

/* The spec's encoded column named col: its categories (NULL when the spec has none). */
static const char *const *_spec_cats(const feat_spec *spec, const char *col, int *n_cats)
{
    *n_cats = 0;
    if (!spec) return NULL;
    for (int k = 0; k < feat_spec_n_enc(spec); k++) {
        int t;
        feat_enc_kind kind;
        const char *const *cats = NULL;
        int nc = 0;
        const char *name = feat_spec_enc(spec, k, &t, &kind, &nc, &cats);
        if (name && !strcmp(name, col)) {
            *n_cats = nc;
            return cats;
        }
    }
    return NULL;
}

static void _skip(cs_buf *skipped, const char *name, const char *why)
{
    if (!skipped) return;
    cs_buf_printf(skipped, NULL, "%s%s: %s", skipped->len ? "; " : "", name, why);
}

/* Groups of a numeric column: an age in bands, or whole numbers 0..4, 5+. Returns 1 when
 * done, 0 when the column fits neither (skipped), -1 on error. */
static int _numeric_groups(const rcp_column *c, const double *v, size_t n, fair_attr *a, cs_err *err)
{
    int age = c->unit == RCP_UNIT_AGE_DAYS || c->unit == RCP_UNIT_YEARS;
    if (age) {
        for (int b = 0; b < FAIR_N_AGE_BANDS; b++)
            if (_add_group(a, _bands[b], err)) return -1;
        for (size_t i = 0; i < n; i++) {
            double y = v[i];
            if (!isfinite(y)) {
                a->group[i] = -1;
                continue;
            }
            /* days before the application: whole years of age, as rcp_meta_format shows them */
            y = c->unit == RCP_UNIT_AGE_DAYS ? floor(fabs(y) / 365.25) : y;
            a->group[i] = fair_age_band(y);
        }
        a->kind = cs_strdup("age bands", err);
        return a->kind ? 1 : -1;
    }
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]) && (v[i] < 0 || v[i] != floor(v[i]))) return 0;
    {
        static const char *const vals[6] = {"0", "1", "2", "3", "4", "5+"};
        for (int b = 0; b < 6; b++)
            if (_add_group(a, vals[b], err)) return -1;
    }
    for (size_t i = 0; i < n; i++)
        a->group[i] = !isfinite(v[i]) ? -1 : v[i] >= 5 ? 5 : (int)v[i];
    a->kind = cs_strdup("values", err);
    return a->kind ? 1 : -1;
}

/* Groups of a categorical column from its factorized codes (column j of m) or its dummies.
 * Returns 1 when done, 0 when its features are not in m, -1 on error. */
static int _categorical_groups(const rcp_column *c, const feat_spec *spec, const feat_matrix *m, fair_attr *a,
                               cs_err *err)
{
    int n_cats = 0;
    const char *const *cats = _spec_cats(spec, c->name, &n_cats);
    long j = feat_index(m, c->name);
    char name[256];
    if (c->encode == RCP_ENC_FACTORIZE && j >= 0) {
        const double *v = feat_col(m, (size_t)j);
        int max_code = -1;
        for (size_t i = 0; i < m->n_rows; i++)
            if (isfinite(v[i]) && v[i] >= 0 && v[i] == floor(v[i]) && v[i] < FAIR_MAX_GROUPS && v[i] > max_code)
                max_code = (int)v[i];
        if (cats && n_cats > max_code) max_code = n_cats - 1;
        for (int g = 0; g <= max_code; g++) {
            if (cats && g < n_cats) snprintf(name, sizeof name, "%s", cats[g]);
            else snprintf(name, sizeof name, "code %d", g);
            if (_add_group(a, name, err)) return -1;
        }
        for (size_t i = 0; i < m->n_rows; i++)
            a->group[i] = isfinite(v[i]) && v[i] >= 0 && v[i] <= max_code && v[i] == floor(v[i]) ? (int)v[i] : -1;
        return 1;
    }
    if (c->encode == RCP_ENC_ONEHOT || c->encode == RCP_ENC_ONEHOT_NAN) {
        /* the dummies <COL>_<cat>: in the spec's order when known, else in the matrix's */
        long cols[FAIR_MAX_GROUPS];
        size_t l = strlen(c->name);
        for (size_t k = 0; k < m->n_feats; k++) {
            const char *f = m->names[k];
            if (strncmp(f, c->name, l) || f[l] != '_' || !f[l + 1]) continue;
            if (c->encode == RCP_ENC_ONEHOT_NAN && !strcmp(f + l + 1, "nan")) continue;
            if (cats) {
                int known = 0;
                for (int q = 0; q < n_cats && !known; q++) known = !strcmp(cats[q], f + l + 1);
                if (!known) continue;  /* a longer column's dummy sharing the prefix */
            }
            if (_add_group(a, f + l + 1, err)) return -1; /* refuses more than FAIR_MAX_GROUPS */
            cols[a->n_groups - 1] = (long)k;
        }
        if (!a->n_groups) return 0;
        for (size_t i = 0; i < m->n_rows; i++) {
            a->group[i] = -1;
            for (int g = 0; g < a->n_groups; g++)
                if (feat_col(m, (size_t)cols[g])[i] == 1) {
                    a->group[i] = g;
                    break;
                }
        }
        return 1;
    }
    return 0;
}

cs_status fair_attrs_build(const rcp_recipe *r, const feat_spec *spec, const feat_matrix *m, fair_attr **out,
                           int *n_out, cs_buf *skipped, cs_err *err)
{
    const rcp_table *root;
    fair_attr *as = NULL;
    int n = 0;
    assert(r && m && out && n_out);
    *out = NULL;
    *n_out = 0;
    root = &r->tables[r->root];
    for (int pass = 0; pass < 2; pass++) {
        int nc = pass ? root->n_derived : root->n_cols;
        for (int k = 0; k < nc; k++) {
            const rcp_column *c = pass ? &root->derived[k] : &root->cols[k];
            fair_attr *a;
            int done = 0;
            if (!c->protected_attr) continue;
            if (!(a = cs_reallocarray(as, (size_t)n + 1, sizeof *as, err))) goto fail;
            as = a;
            a = &as[n];
            memset(a, 0, sizeof *a);
            n++;
            if (!(a->name = cs_strdup(c->name, err)) ||
                !(a->label = cs_strdup(c->label.en ? c->label.en : c->name, err)) ||
                !(a->group = cs_malloc((m->n_rows ? m->n_rows : 1) * sizeof *a->group, err)))
                goto fail;
            a->n_rows = m->n_rows;
            if (c->role == RCP_ROLE_CATEGORICAL) {
                done = _categorical_groups(c, spec, m, a, err);
                if (done > 0 && !(a->kind = cs_strdup("categories", err))) goto fail;
                if (done == 0) _skip(skipped, c->name, "its encoded features are not in the feature file");
            } else if (c->role == RCP_ROLE_ID || c->role == RCP_ROLE_TARGET || c->role == RCP_ROLE_IGNORE ||
                       c->role == RCP_ROLE_DATE) {
                _skip(skipped, c->name, "not a feature");
            } else {
                long j = feat_index(m, c->name);
                if (j < 0) _skip(skipped, c->name, "not in the feature file");
                else {
                    done = _numeric_groups(c, feat_col(m, (size_t)j), m->n_rows, a, err);
                    if (done == 0) _skip(skipped, c->name, "numeric, neither an age nor whole numbers >= 0");
                }
            }
            if (done < 0) goto fail;
            if (done == 0) _attr_clear(&as[--n]);
        }
    }
    if (!n) {
        free(as);
        return cs_err_set(err, CS_ENOTFOUND, "recipe %s: no protected attribute found among the features%s%s",
                          r->name ? r->name : "?", skipped && skipped->len ? " (" : "",
                          skipped && skipped->len ? "see the skipped ones)" : " (mark columns \"protected\": true)");
    }
    *out = as;
    *n_out = n;
    return CS_OK;
fail:
    fair_attrs_free(as, n);
    return err && err->code ? err->code : CS_ENOMEM;
}
