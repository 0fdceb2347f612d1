/*
 * check.c: the checks of a recipe across its tables and columns (rcp__check, run by the
 * parser) and against a data folder (rcp_check_data), in the manner of liblinear's
 * check_parameter: everything that can be known before reading data is refused up front,
 * with the JSON path of the offending value.
 *
 * The columns a table offers to its aggregations are its file columns, its derived columns,
 * the one-hot dummies of its encoded categorical columns (known only with the data, so held
 * as patterns "COL_*") and the outputs of its children's aggregations (names, or patterns
 * "PREFIX_COL_*_MEAN" for shares). Tables are checked deepest first, so that a table's
 * children have added their outputs before its own aggregations are checked.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../io/tbl.h"
#include "recipe_int.h"

int rcp__glob(const char *pat, const char *s)
{
    const char *star = NULL, *back = NULL;
    while (*s) {
        if (*pat == '*') {
            star = pat++;
            back = s;
        } else if (*pat == *s) {
            pat++;
            s++;
        } else if (star) {
            pat = star + 1;
            s = ++back;
        } else {
            return 0;
        }
    }
    while (*pat == '*') pat++;
    return *pat == 0;
}

int rcp_glob_match(const char *pat, const char *name)
{
    assert(pat && name);
    return rcp__glob(pat, name);
}

size_t rcp_agg_output_name(const rcp_aggspec *a, const char *col, const char *cat, rcp_agg op, char *out,
                           size_t cap)
{
    int n;
    const char *p, *sep;
    assert(a && out && cap > 0);
    if (a->name) {
        n = snprintf(out, cap, "%s", a->name);
    } else {
        p = a->prefix ? a->prefix : "";
        sep = p[0] ? "_" : "";
        if (!col) n = snprintf(out, cap, "%s%s%s", p, sep, rcp_agg_suffix(op));
        else if (op == RCP_AGG_SHARE) n = snprintf(out, cap, "%s%s%s_%s_MEAN", p, sep, col, cat ? cat : "*");
        else n = snprintf(out, cap, "%s%s%s_%s", p, sep, col, rcp_agg_suffix(op));
    }
    if (n < 0) n = 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

/* ---- the columns a table offers ---------------------------------------------------------- */

typedef enum ck_kind {
    CK_FILE = 0,    /* a file column (role in col) */
    CK_DERIVED,     /* a derived column */
    CK_PATTERN,     /* data-dependent names matching name (one-hot dummies, shares): numeric */
    CK_OUTPUT       /* a child's aggregate: numeric */
} ck_kind;

typedef struct ck_entry {
    char *name;
    ck_kind kind;
    const rcp_column *col; /* CK_FILE / CK_DERIVED */
    char origin[96];       /* the JSON path that made it */
} ck_entry;

typedef struct ck_set {
    int n, cap;
    ck_entry *e;
} ck_set;

static void _set_free(ck_set *s)
{
    for (int i = 0; i < s->n; i++) free(s->e[i].name);
    free(s->e);
}

static int _set_find(const ck_set *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->e[i].name, name)) return i;
    return -1;
}

/* Add an entry; a duplicate name is refused with a message naming both origins. */
static cs_status _set_add(ck_set *s, const char *src, const char *name, ck_kind kind, const rcp_column *col,
                          const char *origin, const char *table, cs_err *err)
{
    int j = _set_find(s, name);
    if (j >= 0)
        return cs_err_set(err, CS_EINVAL, "%s: %s: duplicate %s name %s in table %s (also made by %s)", src, origin,
                          kind == CK_OUTPUT || s->e[j].kind == CK_OUTPUT ? "feature" : "column", name, table,
                          s->e[j].origin);
    if (s->n == s->cap) {
        int nc = s->cap ? s->cap * 2 : 32;
        ck_entry *ne = cs_reallocarray(s->e, (size_t)nc, sizeof *ne, err);
        if (!ne) return CS_ENOMEM;
        s->e = ne;
        s->cap = nc;
    }
    if (!(s->e[s->n].name = cs_strdup(name, err))) return CS_ENOMEM;
    s->e[s->n].kind = kind;
    s->e[s->n].col = col;
    snprintf(s->e[s->n].origin, sizeof s->e[s->n].origin, "%s", origin);
    s->n++;
    return CS_OK;
}

static int _numeric_role(rcp_role r)
{
    return r == RCP_ROLE_NUMERIC || r == RCP_ROLE_FLAG || r == RCP_ROLE_DAYS || r == RCP_ROLE_DATE;
}

/* An entry's use by aggregations: 1 numeric, 2 categorical, 0 not aggregated. */
static int _entry_use(const ck_entry *e)
{
    if (e->kind != CK_FILE) return 1;
    if (e->col->role == RCP_ROLE_CATEGORICAL) return 2;
    return _numeric_role(e->col->role) ? 1 : 0;
}

/* ---- the structural checks ---------------------------------------------------------------- */

static cs_status _check_table_cols(const rcp_recipe *r, int ti, ck_set *set, cs_err *err)
{
    const rcp_table *t = &r->tables[ti];
    char path[96], pat[320];
    cs_status st;
    int n_target = 0;
    for (int k = 0; k < t->n_cols; k++) {
        const rcp_column *c = &t->cols[k];
        snprintf(path, sizeof path, "tables[%d].columns[%d]", ti, k);
        if ((st = _set_add(set, r->source, c->name, CK_FILE, c, path, t->name, err))) return st;
        if (c->role == RCP_ROLE_TARGET) {
            if (t->parent)
                return cs_err_set(err, CS_EINVAL, "%s: %s: target column %s in child table %s (the target belongs to the root)",
                                  r->source, path, c->name, t->name);
            if (++n_target > 1)
                return cs_err_set(err, CS_EINVAL, "%s: %s: a second target column %s (one target per recipe)", r->source,
                                  path, c->name);
        }
        if (c->profile && t->parent)
            return cs_err_set(err, CS_EINVAL, "%s: %s: profile field %s in child table %s (the client card shows root columns)",
                              r->source, path, c->name, t->name);
    }
    for (int k = 0; k < t->n_cols; k++) {
        const rcp_column *c = &t->cols[k];
        if (c->role != RCP_ROLE_CATEGORICAL || (c->encode != RCP_ENC_ONEHOT && c->encode != RCP_ENC_ONEHOT_NAN)) continue;
        snprintf(path, sizeof path, "tables[%d].columns[%d]", ti, k);
        snprintf(pat, sizeof pat, "%s_*", c->name);
        if ((st = _set_add(set, r->source, pat, CK_PATTERN, c, path, t->name, err))) return st;
    }
    for (int k = 0; k < t->n_derived; k++) {
        const rcp_column *c = &t->derived[k];
        const rcp_operand *ops[2] = {&c->derive->a, &c->derive->b};
        snprintf(path, sizeof path, "tables[%d].derived[%d]", ti, k);
        for (int q = 0; q < 2; q++) {
            int j;
            if (!ops[q]->column) continue;
            j = _set_find(set, ops[q]->column);
            if (j < 0)
                return cs_err_set(err, CS_EINVAL,
                                  "%s: %s.args[%d]: %s is not a column of table %s defined before %s", r->source, path, q,
                                  ops[q]->column, t->name, c->name);
            if (set->e[j].kind == CK_FILE && !_numeric_role(set->e[j].col->role))
                return cs_err_set(err, CS_EINVAL, "%s: %s.args[%d]: column %s has role %s (derived columns use numbers)",
                                  r->source, path, q, ops[q]->column, rcp_role_name(set->e[j].col->role));
        }
        if ((st = _set_add(set, r->source, c->name, CK_DERIVED, c, path, t->name, err))) return st;
    }
    if (t->key && strcmp(t->key, RCP_ROW_KEY)) {
        const rcp_column *c = rcp_table_column(t, t->key);
        snprintf(path, sizeof path, "tables[%d].key", ti);
        if (!c) return cs_err_set(err, CS_EINVAL, "%s: %s: key %s is not a column of table %s", r->source, path, t->key, t->name);
        if (c->role != RCP_ROLE_ID)
            return cs_err_set(err, CS_EINVAL, "%s: %s: key column %s has role %s (give it role id)", r->source, path, t->key,
                              rcp_role_name(c->role));
    }
    if (t->link) {
        const rcp_column *c = rcp_table_column(t, t->link);
        snprintf(path, sizeof path, "tables[%d].link", ti);
        if (!c)
            return cs_err_set(err, CS_EINVAL, "%s: %s: link %s is not a column of table %s", r->source, path, t->link, t->name);
        if (c->role != RCP_ROLE_ID)
            return cs_err_set(err, CS_EINVAL, "%s: %s: link column %s has role %s (give it role id)", r->source, path, t->link,
                              rcp_role_name(c->role));
        if (t->key && !strcmp(t->key, t->link))
            return cs_err_set(err, CS_EINVAL, "%s: %s: the link %s is also the table's own key", r->source, path, t->link);
    }
    for (int k = 0; k < t->n_drops; k++) {
        const rcp_column *c = rcp_table_column(t, t->drops[k].column);
        snprintf(path, sizeof path, "tables[%d].drop[%d].column", ti, k);
        if (!c || c->derive)
            return cs_err_set(err, CS_EINVAL, "%s: %s: %s is not a column of table %s", r->source, path, t->drops[k].column,
                              t->name);
        if (c->role != RCP_ROLE_CATEGORICAL)
            return cs_err_set(err, CS_EINVAL, "%s: %s: column %s has role %s (rows are dropped by category)", r->source, path,
                              c->name, rcp_role_name(c->role));
    }
    return CS_OK;
}

static const char *_agg_verb(rcp_agg a) { return rcp_agg_name(a); }

/* Check aggregation k of child table ti against its offered columns (set) and add its
 * outputs to the parent's (pset). */
static cs_status _check_agg(const rcp_recipe *r, int ti, int k, const ck_set *set, ck_set *pset, cs_err *err)
{
    const rcp_table *t = &r->tables[ti];
    const rcp_table *pt = &r->tables[t->parent_index];
    const rcp_aggspec *a = &t->aggs[k];
    char path[96], name[512];
    cs_status st;
    snprintf(path, sizeof path, "tables[%d].aggs[%d]", ti, k);
    if (a->where_column) {
        const rcp_column *c = rcp_table_column(t, a->where_column);
        if (!c || c->derive)
            return cs_err_set(err, CS_EINVAL, "%s: %s.where: %s is not a column of table %s", r->source, path, a->where_column,
                              t->name);
        if (c->role != RCP_ROLE_CATEGORICAL)
            return cs_err_set(err, CS_EINVAL, "%s: %s.where: column %s has role %s (where selects categories)", r->source, path,
                              c->name, rcp_role_name(c->role));
    }
    if (a->order_by) {
        int j = _set_find(set, a->order_by);
        if (j < 0)
            return cs_err_set(err, CS_EINVAL, "%s: %s.order_by: %s is not a column of table %s", r->source, path, a->order_by,
                              t->name);
        if (_entry_use(&set->e[j]) != 1)
            return cs_err_set(err, CS_EINVAL, "%s: %s.order_by: column %s is not numeric", r->source, path, a->order_by);
    }
    if (!a->column) {
        for (int q = 0; q < a->n_ops; q++) {
            rcp_agg_output_name(a, NULL, NULL, a->ops[q], name, sizeof name);
            if ((st = _set_add(pset, r->source, name, CK_OUTPUT, NULL, path, pt->name, err))) return st;
        }
        return CS_OK;
    }
    if (strchr(a->column, '*')) {
        int matched = 0;
        for (int j = 0; j < set->n; j++) {
            const ck_entry *e = &set->e[j];
            if (!rcp__glob(a->column, e->name) || _entry_use(e) != 1) continue;
            if ((t->link && !strcmp(e->name, t->link)) || (t->key && !strcmp(e->name, t->key))) continue;
            matched++;
            for (int q = 0; q < a->n_ops; q++) {
                if (a->ops[q] == RCP_AGG_SHARE)
                    return cs_err_set(err, CS_EINVAL, "%s: %s.ops[%d]: share of pattern %s (share is for categorical columns)",
                                      r->source, path, q, a->column);
                rcp_agg_output_name(a, e->name, NULL, a->ops[q], name, sizeof name);
                if ((st = _set_add(pset, r->source, name, e->kind == CK_PATTERN ? CK_PATTERN : CK_OUTPUT, NULL, path, pt->name,
                                   err)))
                    return st;
            }
        }
        if (!matched)
            return cs_err_set(err, CS_EINVAL, "%s: %s.column: pattern %s matches no numeric column of table %s", r->source, path,
                              a->column, t->name);
        return CS_OK;
    }
    {
        int j = _set_find(set, a->column), use;
        const ck_entry *e;
        if (j < 0) {
            /* a dummy named in full (COL_value) is a numeric column known only with the data */
            for (int q = 0; q < set->n && j < 0; q++)
                if (set->e[q].kind == CK_PATTERN && rcp__glob(set->e[q].name, a->column)) j = q;
        }
        if (j < 0)
            return cs_err_set(err, CS_EINVAL, "%s: %s.column: %s is not a column of table %s (nor derived, a dummy or an aggregate of its children)",
                              r->source, path, a->column, t->name);
        e = &set->e[j];
        use = e->kind == CK_PATTERN ? 1 : _entry_use(e);
        if (use == 0)
            return cs_err_set(err, CS_EINVAL, "%s: %s.column: column %s has role %s (not aggregated)", r->source, path, a->column,
                              rcp_role_name(e->col->role));
        if ((t->link && !strcmp(a->column, t->link)))
            return cs_err_set(err, CS_EINVAL, "%s: %s.column: %s is the link to %s (use count or size of the rows)", r->source,
                              path, a->column, pt->name);
        for (int q = 0; q < a->n_ops; q++) {
            rcp_agg op = a->ops[q];
            if (use == 2 && op != RCP_AGG_SHARE && op != RCP_AGG_COUNT && op != RCP_AGG_SIZE && op != RCP_AGG_NUNIQUE)
                return cs_err_set(err, CS_EINVAL,
                                  "%s: %s.ops[%d]: %s of categorical column %s (use share, nunique or count; or encode it "
                                  "one-hot and aggregate its dummies %s_*)",
                                  r->source, path, q, _agg_verb(op), a->column, a->column);
            if (use == 1 && op == RCP_AGG_SHARE)
                return cs_err_set(err, CS_EINVAL, "%s: %s.ops[%d]: share of numeric column %s (share is for categorical columns)",
                                  r->source, path, q, a->column);
            rcp_agg_output_name(a, a->column, NULL, op, name, sizeof name);
            if ((st = _set_add(pset, r->source, name, op == RCP_AGG_SHARE ? CK_PATTERN : CK_OUTPUT, NULL, path, pt->name, err)))
                return st;
        }
    }
    return CS_OK;
}

/* An actionable object (rcp_action) moves a number the applicant gives: a numeric file column
 * of the root table; the columns it names are other such columns of the root. */
static cs_status _check_actions(const rcp_recipe *r, cs_err *err)
{
    for (int i = 0; i < r->n_tables; i++) {
        const rcp_table *t = &r->tables[i];
        for (int k = 0; k < t->n_derived; k++)
            if (t->derived[k].action)
                return cs_err_set(err, CS_EINVAL, "%s: tables[%d].derived[%d].actionable: %s is derived: it moves with the "
                                  "inputs it is computed from (declare those actionable)", r->source, i, k, t->derived[k].name);
        for (int k = 0; k < t->n_cols; k++) {
            const rcp_action *a = t->cols[k].action;
            const char *names[2] = {a ? a->at_most : NULL, a ? a->at_least : NULL}, *keys[2] = {"at_most", "at_least"};
            if (!a) continue;
            if (i != r->root)
                return cs_err_set(err, CS_EINVAL, "%s: tables[%d].columns[%d].actionable: %s.%s is not in the root table %s: "
                                  "only the applicant's own inputs can be moved", r->source, i, k, t->name, t->cols[k].name,
                                  r->tables[r->root].name);
            if (!_numeric_role(t->cols[k].role) || t->cols[k].role == RCP_ROLE_DATE)
                return cs_err_set(err, CS_EINVAL, "%s: tables[%d].columns[%d].actionable: column %s has role %s: an actionable "
                                  "object (bounds, step) needs a number (numeric, flag or days); use \"actionable\": true",
                                  r->source, i, k, t->cols[k].name, rcp_role_name(t->cols[k].role));
            for (int q = 0; q < 2 + a->n_scales; q++) {
                const char *nm = q < 2 ? names[q] : a->scales[q - 2];
                const rcp_column *o;
                char key[32];
                if (!nm) continue;
                if (q < 2) snprintf(key, sizeof key, "%s", keys[q]);
                else snprintf(key, sizeof key, "scales[%d]", q - 2);
                o = NULL;
                for (int m = 0; m < t->n_cols; m++)
                    if (!strcmp(t->cols[m].name, nm)) o = &t->cols[m];
                if (!o)
                    return cs_err_set(err, CS_EINVAL, "%s: tables[%d].columns[%d].actionable.%s: %s is not a column of %s", r->source,
                                      i, k, key, nm, t->name);
                if (o == &t->cols[k])
                    return cs_err_set(err, CS_EINVAL, "%s: tables[%d].columns[%d].actionable.%s: names the column itself", r->source,
                                      i, k, key);
                if (!_numeric_role(o->role) || o->role == RCP_ROLE_DATE)
                    return cs_err_set(err, CS_EINVAL, "%s: tables[%d].columns[%d].actionable.%s: column %s has role %s, not a number",
                                      r->source, i, k, key, nm, rcp_role_name(o->role));
            }
        }
    }
    return CS_OK;
}

cs_status rcp__check(rcp_recipe *r, cs_err *err)
{
    ck_set *sets;
    cs_status st = CS_OK;
    int max_depth = 0;
    assert(r && r->n_tables > 0);
    r->root = -1;
    for (int i = 0; i < r->n_tables; i++) {
        rcp_table *t = &r->tables[i];
        for (int j = 0; j < i; j++)
            if (!strcmp(r->tables[j].name, t->name))
                return cs_err_set(err, CS_EINVAL, "%s: tables[%d].name: duplicate table name %s (also tables[%d])", r->source, i,
                                  t->name, j);
        t->parent_index = -1;
        if (!t->parent) {
            if (r->root >= 0)
                return cs_err_set(err, CS_EINVAL, "%s: tables[%d]: a second root table %s (no parent; the root is %s): give it a "
                                  "\"parent\" and a \"link\"",
                                  r->source, i, t->name, r->tables[r->root].name);
            r->root = i;
        }
    }
    if (r->root < 0) return cs_err_set(err, CS_EINVAL, "%s: tables: no root table (every table has a parent: a cycle)", r->source);
    for (int i = 0; i < r->n_tables; i++) {
        rcp_table *t = &r->tables[i];
        if (!t->parent) continue;
        t->parent_index = rcp_table_index(r, t->parent);
        if (t->parent_index < 0)
            return cs_err_set(err, CS_EINVAL, "%s: tables[%d].parent: %s matches no table", r->source, i, t->parent);
        if (t->parent_index == i)
            return cs_err_set(err, CS_EINVAL, "%s: tables[%d].parent: table %s is its own parent", r->source, i, t->name);
    }
    for (int i = 0; i < r->n_tables; i++) {
        int d = 0, j = i;
        while (r->tables[j].parent_index >= 0 && d <= r->n_tables) {
            j = r->tables[j].parent_index;
            d++;
        }
        if (d > r->n_tables) {
            cs_buf b = {0};
            j = i;
            for (int q = 0; q <= r->n_tables && j >= 0; q++) {
                cs_buf_printf(&b, NULL, "%s%s", q ? " -> " : "", r->tables[j].name);
                j = r->tables[j].parent_index;
                if (j == i) {
                    cs_buf_printf(&b, NULL, " -> %s", r->tables[i].name);
                    break;
                }
            }
            st = cs_err_set(err, CS_EINVAL, "%s: tables[%d].parent: a cycle between tables (%s)", r->source, i,
                            b.data ? b.data : "");
            cs_buf_free(&b);
            return st;
        }
        r->tables[i].depth = d;
        if (d > max_depth) max_depth = d;
    }
    for (int i = 0; i < r->n_tables; i++) {
        const rcp_table *t = &r->tables[i];
        if (t->parent_index >= 0 && !r->tables[t->parent_index].key)
            return cs_err_set(err, CS_EINVAL, "%s: tables[%d].link: parent %s has no \"key\" for %s.%s to match", r->source, i,
                              t->parent, t->name, t->link);
    }
    if ((st = _check_actions(r, err))) return st;
    if (!(sets = cs_calloc((size_t)r->n_tables, sizeof *sets, err))) return CS_ENOMEM;
    for (int i = 0; i < r->n_tables && !st; i++) st = _check_table_cols(r, i, &sets[i], err);
    for (int d = max_depth; d >= 1 && !st; d--)
        for (int i = 0; i < r->n_tables && !st; i++) {
            const rcp_table *t = &r->tables[i];
            if (t->depth != d) continue;
            for (int k = 0; k < t->n_aggs && !st; k++) st = _check_agg(r, i, k, &sets[i], &sets[t->parent_index], err);
        }
    for (int i = 0; i < r->n_tables; i++) _set_free(&sets[i]);
    free(sets);
    return st;
}

/* ---- against the data ---------------------------------------------------------------------- */

/* Read the header of file path into a table of no rows (the CSV reader's own parsing). */
static tbl *_header(const char *path, cs_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t len = 0, cap = 1 << 16;
    int in_quote = 0, done = 0;
    tbl *t;
    if (!f) {
        cs_err_set(err, CS_EIO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (!(buf = cs_malloc(cap, err))) {
        fclose(f);
        return NULL;
    }
    while (!done) {
        int ch = fgetc(f);
        if (ch == EOF) break;
        if (ch == '"') in_quote = !in_quote;
        if (ch == '\n' && !in_quote) done = 1;
        if (len + 1 >= cap) {
            char *nb;
            if (cap >= (size_t)16 << 20) break;
            if (!(nb = realloc(buf, cap * 2))) break;
            buf = nb;
            cap *= 2;
        }
        buf[len++] = (char)ch;
    }
    fclose(f);
    t = tbl_read_csv_mem(path, buf, len, NULL, err);
    free(buf);
    return t;
}

cs_status rcp_check_data(const rcp_recipe *r, const char *dir, cs_err *err)
{
    char path[4096];
    assert(r && dir);
    for (int i = 0; i < r->n_tables; i++) {
        const rcp_table *t = &r->tables[i];
        int present = 0;
        for (int f = 0; f < t->n_files; f++) {
            struct stat sb;
            tbl *h;
            if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, t->files[f]) >= sizeof path)
                return cs_err_set(err, CS_EINVAL, "%s: tables[%d].files[%d]: path too long", r->source, i, f);
            if (stat(path, &sb) != 0) {
                if (t->n_files == 1 && !t->optional)
                    return cs_err_set(err, CS_ENOTFOUND, "%s: tables[%d].file: %s not found in %s (table %s)", r->source, i,
                                      t->files[f], dir, t->name);
                continue;
            }
            present++;
            if (!(h = _header(path, err))) return cs_err_prefix(err, "%s: tables[%d].files[%d]: ", r->source, i, f);
            for (int k = 0; k < t->n_cols; k++) {
                const rcp_column *c = &t->cols[k];
                if (!c->required || tbl_col_index(h, c->name) >= 0) continue;
                tbl_free(h);
                return cs_err_set(err, CS_ENOTFOUND, "%s: tables[%d].columns[%d]: column %s is not in %s", r->source, i, k,
                                  c->name, t->files[f]);
            }
            tbl_free(h);
        }
        if (!present && !t->optional) {
            cs_buf b = {0};
            cs_status st;
            for (int f = 0; f < t->n_files; f++) cs_buf_printf(&b, NULL, "%s%s", f ? ", " : "", t->files[f]);
            st = cs_err_set(err, CS_ENOTFOUND, "%s: tables[%d].files: none of %s found in %s (table %s)", r->source, i,
                            b.data ? b.data : "", dir, t->name);
            cs_buf_free(&b);
            return st;
        }
    }
    return CS_OK;
}
