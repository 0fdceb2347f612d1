/*
 * infer.c: a starting recipe from a lender's CSV files (contract and rules in infer.h).
 * Each column gets a role from what the reader inferred and what its values look like;
 * the recipe is then written as JSON in the format of docs/recipes.md (_emit_* below is
 * the one place that knows that format).
 */
#include "infer.h"
#include "../recipe/recipe.h"

#include <assert.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum _role { R_NUMERIC, R_CATEGORICAL, R_FLAG, R_ID, R_TARGET, R_IGNORE } _role;

static const char *const _role_names[] = {"numeric", "categorical", "flag", "id", "target", "ignore"};

typedef struct _col {
    _role role;
    const char *yes;        /* R_FLAG: the category meaning yes (borrowed from the table) */
} _col;

/* ---- small helpers ------------------------------------------------------------------- */

/* Abbreviations common in credit files, spelled out in labels (word by word). */
static const char *_expand(const char *w, const char *next)
{
    static const char *const abbr[][2] = {
        {"amt", "amount"},   {"amnt", "amount"},  {"emp", "employment"}, {"cnt", "count"},
        {"num", "number"},   {"pct", "percent"},  {"cred", "credit"},    {"hist", "history"},
        {"cb", "credit bureau"}, {"avg", "average"}, {"qty", "quantity"}, {"yrs", "years"},
        {"mths", "months"},  {"dob", "date of birth"}, {"dti", "debt-to-income"}, {"ltv", "loan-to-value"}};
    if (!strcasecmp(w, "int") && next && !strcasecmp(next, "rate")) return "interest";
    for (size_t i = 0; i < sizeof abbr / sizeof abbr[0]; i++)
        if (!strcasecmp(w, abbr[i][0])) return abbr[i][1];
    return NULL;
}

void inf_label(const char *name, char *out, size_t cap)
{
    char words[64][64];
    int n_words = 0, has_lower = 0;
    size_t n = 0;
    assert(name && out);
    if (!cap) return;
    for (const char *p = name; *p; p++)
        if (islower((unsigned char)*p)) has_lower = 1;
    /* split on _ . - and spaces */
    for (const char *p = name; *p && n_words < 64;) {
        size_t len = 0;
        while (*p == '_' || *p == '.' || *p == '-' || *p == ' ') p++;
        if (!*p) break;
        while (*p && *p != '_' && *p != '.' && *p != '-' && *p != ' ') {
            if (len + 1 < sizeof words[0]) words[n_words][len++] = has_lower ? *p : (char)tolower((unsigned char)*p);
            p++;
        }
        words[n_words++][len] = '\0';
    }
    out[0] = '\0';
    for (int i = 0; i < n_words; i++) {
        const char *w = _expand(words[i], i + 1 < n_words ? words[i + 1] : NULL);
        int k = snprintf(out + n, cap - n, "%s%s", i ? " " : "", w ? w : words[i]);
        if (k < 0 || (size_t)k >= cap - n) {
            n = cap - 1;
            break;
        }
        n += (size_t)k;
    }
    out[n] = '\0';
    if (n) out[0] = (char)toupper((unsigned char)out[0]);
}

static int _ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static int _id_name(const char *s)
{
    return !strcasecmp(s, "id") || _ends_with(s, "_id") || _ends_with(s, "_ID") || _ends_with(s, "Id") ||
           !strcmp(s, "SK_ID_CURR");
}

static int _target_name(const char *s)
{
    static const char *const names[] = {"target", "default", "label", "loan_status", "bad", "defaulted", "y"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(s, names[i])) return 1;
    return 0;
}

static int _cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Are the column's values distinct integers with none missing? (-1: out of memory) */
static int _distinct_integers(const tbl *t, const tbl_column *c)
{
    double *v;
    int ok = 1;
    if (c->type != TBL_NUM) return 0;
    if (!t->n_rows) return 1;
    if (!(v = malloc(t->n_rows * sizeof *v))) return -1;
    for (size_t i = 0; i < t->n_rows; i++) {
        v[i] = c->num[i];
        if (isnan(v[i]) || v[i] != floor(v[i]) || fabs(v[i]) > 9007199254740992.0) ok = 0;
    }
    if (ok) {
        qsort(v, t->n_rows, sizeof *v, _cmp_double);
        for (size_t i = 1; i < t->n_rows && ok; i++)
            if (v[i] == v[i - 1]) ok = 0;
    }
    free(v);
    return ok;
}

/* Does the column hold only 0 and 1 (missing allowed: unknown outcomes)? */
static int _binary01(const tbl *t, const tbl_column *c)
{
    size_t n_ok = 0;
    if (c->type != TBL_NUM) return 0;
    for (size_t i = 0; i < t->n_rows; i++) {
        double x = c->num[i];
        if (isnan(x)) continue;
        if (x != 0 && x != 1) return 0;
        n_ok++;
    }
    return n_ok > 0;
}

/* The yes-category of a two-value categorical column that reads as yes/no, or NULL. */
static const char *_flag_yes(const tbl_column *c)
{
    static const char *const pairs[][2] = {{"Y", "N"},       {"Yes", "No"}, {"T", "F"},
                                           {"True", "False"}, {"1", "0"},   {"oui", "non"}};
    if (c->type != TBL_CAT || c->n_cats != 2) return NULL;
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++)
        for (int k = 0; k < 2; k++)
            if (!strcasecmp(c->cats[k], pairs[p][0]) && !strcasecmp(c->cats[1 - k], pairs[p][1])) return c->cats[k];
    return NULL;
}

/* Count of rows with a value (not missing). */
static size_t _n_present(const tbl *t, const tbl_column *c)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_rows; i++) n += c->type == TBL_NUM ? !isnan(c->num[i]) : c->codes[i] >= 0;
    return n;
}

/* One value only, none missing? */
static int _constant(const tbl *t, const tbl_column *c)
{
    if (!t->n_rows) return 0;
    if (c->type == TBL_CAT) return c->n_cats == 1 && _n_present(t, c) == t->n_rows;
    for (size_t i = 0; i < t->n_rows; i++)
        if (isnan(c->num[i]) || c->num[i] != c->num[0]) return 0;
    return 1;
}

static cs_status _note(inf_result *r, cs_err *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static cs_status _note(inf_result *r, cs_err *err, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    char **n;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (!(n = cs_reallocarray(r->notes, (size_t)r->n_notes + 1, sizeof *n, err))) return CS_ENOMEM;
    r->notes = n;
    if (!(r->notes[r->n_notes] = cs_strdup(line, err))) return CS_ENOMEM;
    r->n_notes++;
    return CS_OK;
}

/* ---- roles ----------------------------------------------------------------------------- */

/* Decide the role of every column of t (cols has t->n_cols entries). is_main: the main
 * table (id and target looked for); key: a child's link column (role id). */
static cs_status _roles(const tbl *t, _col *cols, int is_main, const char *id_col, const char *target_col,
                        const char *key, const char *tname, inf_result *r, int *id_out, int *target_out,
                        cs_err *err)
{
    int id = -1, target = -1;
    if (id_col) {
        if ((id = tbl_col_index(t, id_col)) < 0)
            return cs_err_set(err, CS_ENOTFOUND, "--id %s: no such column in %s", id_col, t->source);
    }
    if (target_col) {
        if ((target = tbl_col_index(t, target_col)) < 0)
            return cs_err_set(err, CS_ENOTFOUND, "--target %s: no such column in %s", target_col, t->source);
        if (!_binary01(t, &t->cols[target]))
            return cs_err_set(err, CS_EINVAL, "--target %s: %s: the target must hold 0 and 1 (empty = unknown)",
                              target_col, t->source);
        if (target == id) return cs_err_set(err, CS_EINVAL, "--id and --target name the same column %s", id_col);
    }
    if (key && (id = tbl_col_index(t, key)) < 0)
        return cs_err_set(err, CS_ENOTFOUND, "--child %s: no column %s in %s", tname, key, t->source);
    if (is_main && id < 0) {
        for (int k = 0; k < t->n_cols && id < 0; k++) {
            int d;
            if (k == target || !_id_name(t->cols[k].name)) continue;
            if ((d = _distinct_integers(t, &t->cols[k])) < 0) return cs_err_set(err, CS_ENOMEM, "out of memory");
            if (d) id = k;
        }
    } else if (is_main && id >= 0 && !key) {
        int d = _distinct_integers(t, &t->cols[id]);
        if (d < 0) return cs_err_set(err, CS_ENOMEM, "out of memory");
        if (!d)
            return cs_err_set(err, CS_EINVAL, "--id %s: %s: an id must be distinct integers, none missing", id_col,
                              t->source);
    }
    if (is_main && target < 0 && !target_col)
        for (int k = 0; k < t->n_cols && target < 0; k++)
            if (k != id && _target_name(t->cols[k].name) && _binary01(t, &t->cols[k])) target = k;

    for (int k = 0; k < t->n_cols; k++) {
        const tbl_column *c = &t->cols[k];
        _col *o = &cols[k];
        cs_status st;
        o->yes = NULL;
        if (k == id) {
            o->role = R_ID;
            st = _note(r, err, "%s.%s: %s", tname, c->name,
                       key ? "the link to the main table's id" : id_col ? "the id (--id)" : "the id (distinct integers)");
        } else if (k == target) {
            o->role = R_TARGET;
            st = _note(r, err, "%s.%s: the target (0/1%s)", tname, c->name, target_col ? ", --target" : ", by its name");
        } else if (_constant(t, c)) {
            o->role = R_IGNORE;
            st = _note(r, err, "%s.%s: ignored (a single value)", tname, c->name);
        } else if (c->type == TBL_NUM) {
            o->role = R_NUMERIC;
            st = _note(r, err, "%s.%s: numeric", tname, c->name);
        } else if ((o->yes = _flag_yes(c))) {
            o->role = R_FLAG;
            st = _note(r, err, "%s.%s: flag (%s = yes)", tname, c->name, o->yes);
        } else {
            size_t present = _n_present(t, c);
            if (c->n_cats > INF_MAX_CATEGORIES || (present >= 20 && (size_t)c->n_cats * 10 > present * 9)) {
                o->role = R_IGNORE;
                st = _note(r, err, "%s.%s: ignored (text with %d distinct values: free text or an identifier?)", tname,
                           c->name, c->n_cats);
            } else {
                o->role = R_CATEGORICAL;
                st = _note(r, err, "%s.%s: categorical (%d values)", tname, c->name, c->n_cats);
            }
        }
        if (st) return st;
    }
    *id_out = id;
    *target_out = target;
    return CS_OK;
}

/* ---- the recipe as JSON (the format of docs/recipes.md) --------------------------------- */

static const char *_file_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The table name from a path: the file name without a .csv ending. */
static char *_table_name(const char *path, cs_err *err)
{
    char *s = cs_strdup(_file_name(path), err);
    size_t n;
    if (!s) return NULL;
    n = strlen(s);
    if (n > 4 && !strcasecmp(s + n - 4, ".csv")) s[n - 4] = '\0';
    return s;
}

static cJSON *_label(const char *name)
{
    char text[256];
    cJSON *l = cJSON_CreateObject();
    inf_label(name, text, sizeof text);
    if (!l) return NULL;
    cJSON_AddStringToObject(l, "en", text);
    cJSON_AddStringToObject(l, "fr", text);
    return l;
}

/* The "columns" array of a table. */
static cJSON *_emit_columns(const tbl *t, const _col *cols, int is_root)
{
    cJSON *arr = cJSON_CreateArray();
    if (!arr) return NULL;
    for (int k = 0; k < t->n_cols; k++) {
        cJSON *c = cJSON_CreateObject();
        if (!c) goto fail;
        cJSON_AddItemToArray(arr, c);
        cJSON_AddStringToObject(c, "name", t->cols[k].name);
        cJSON_AddStringToObject(c, "role", _role_names[cols[k].role]);
        if (cols[k].role == R_CATEGORICAL && is_root) cJSON_AddStringToObject(c, "encode", "onehot");
        if (cols[k].role != R_ID && cols[k].role != R_IGNORE) cJSON_AddItemToObject(c, "label", _label(t->cols[k].name));
    }
    return arr;
fail:
    cJSON_Delete(arr);
    return NULL;
}

/* The default aggregations of a child table: a row count, mean/min/max/sum of each
 * numeric or flag column, the share of each category of each categorical column. */
static cJSON *_emit_aggs(const tbl *t, const _col *cols)
{
    static const char *const num_ops[] = {"mean", "min", "max", "sum"};
    cJSON *arr = cJSON_CreateArray(), *a, *ops;
    if (!arr) return NULL;
    if (!(a = cJSON_CreateObject())) goto fail;
    cJSON_AddItemToArray(arr, a);
    if (!(ops = cJSON_AddArrayToObject(a, "ops"))) goto fail;
    cJSON_AddItemToArray(ops, cJSON_CreateString("count"));
    for (int k = 0; k < t->n_cols; k++) {
        if (cols[k].role != R_NUMERIC && cols[k].role != R_FLAG && cols[k].role != R_CATEGORICAL) continue;
        if (!(a = cJSON_CreateObject())) goto fail;
        cJSON_AddItemToArray(arr, a);
        cJSON_AddStringToObject(a, "column", t->cols[k].name);
        if (!(ops = cJSON_AddArrayToObject(a, "ops"))) goto fail;
        if (cols[k].role == R_CATEGORICAL) cJSON_AddItemToArray(ops, cJSON_CreateString("share"));
        else
            for (size_t f = 0; f < sizeof num_ops / sizeof num_ops[0]; f++)
                cJSON_AddItemToArray(ops, cJSON_CreateString(num_ops[f]));
    }
    return arr;
fail:
    cJSON_Delete(arr);
    return NULL;
}

/* The prefix of a child table's aggregates: its name in capitals ("payments" -> "PAYMENTS"). */
static void _prefix(const char *name, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < cap; p++) out[n++] = (char)toupper((unsigned char)*p);
    out[n] = '\0';
}

/* ---- the whole inference ------------------------------------------------------------------ */

inf_result *inf_run_tables(const inf_options *o, const tbl *main_table, const tbl *const *children, cs_err *err)
{
    inf_result *r = NULL;
    _col *cols = NULL;
    cJSON *root = NULL, *tables, *t, *c;
    char *main_name = NULL, *child_names[INF_MAX_CHILDREN] = {0};
    int id = -1, target = -1;

    assert(o && o->table_path && main_table);
    if (o->n_children < 0 || o->n_children > INF_MAX_CHILDREN) {
        cs_err_set(err, CS_EINVAL, "at most %d child tables", INF_MAX_CHILDREN);
        return NULL;
    }
    if (!(r = cs_calloc(1, sizeof *r, err))) return NULL;
    if (!(main_name = o->table_name ? cs_strdup(o->table_name, err) : _table_name(o->table_path, err))) goto fail;
    for (int i = 0; i < o->n_children; i++) {
        if (!(child_names[i] = cs_strdup(o->children[i].name, err))) goto fail;
        if (!strcmp(child_names[i], main_name)) {
            cs_err_set(err, CS_EINVAL, "--child %s: the main table has that name already", child_names[i]);
            goto fail;
        }
        for (int j = 0; j < i; j++)
            if (!strcmp(child_names[i], child_names[j])) {
                cs_err_set(err, CS_EINVAL, "--child %s: two child tables of that name", child_names[i]);
                goto fail;
            }
    }
    if (!(root = cJSON_CreateObject()) || !(tables = cJSON_CreateArray())) {
        cJSON_Delete(root);
        root = NULL;
        cs_err_set(err, CS_ENOMEM, "out of memory");
        goto fail;
    }
    cJSON_AddNumberToObject(root, "recipe", 1);
    cJSON_AddStringToObject(root, "name", o->recipe_name ? o->recipe_name : main_name);
    cJSON_AddItemToObject(root, "tables", tables);

    /* the main table */
    if (!(cols = cs_calloc((size_t)(main_table->n_cols ? main_table->n_cols : 1), sizeof *cols, err))) goto fail;
    if (_roles(main_table, cols, 1, o->id_col, o->target_col, NULL, main_name, r, &id, &target, err)) goto fail;
    if (id < 0) {
        if (o->n_children) {
            cs_err_set(err, CS_EINVAL,
                       "%s has no id column (name it with --id): child tables need one to link to", o->table_path);
            goto fail;
        }
        if (_note(r, err, "%s: no id column: the recipe numbers the rows (1 = the first data row)", main_name)) goto fail;
    }
    if (target < 0 && _note(r, err, "%s: no target column found (name it with --target to train)", main_name)) goto fail;
    if (!(t = cJSON_CreateObject())) goto nomem;
    cJSON_AddItemToArray(tables, t);
    cJSON_AddStringToObject(t, "name", main_name);
    cJSON_AddStringToObject(t, "file", _file_name(o->table_path));
    if (id >= 0) cJSON_AddStringToObject(t, "key", main_table->cols[id].name);
    else cJSON_AddStringToObject(t, "key", "@row");
    cJSON_AddItemToObject(t, "label", _label(main_name));
    if (!(c = _emit_columns(main_table, cols, 1))) goto nomem;
    cJSON_AddItemToObject(t, "columns", c);
    free(cols);
    cols = NULL;

    /* the child tables */
    for (int i = 0; i < o->n_children; i++) {
        const tbl *ct = children[i];
        char prefix[128];
        int cid, ctarget;
        if (!(cols = cs_calloc((size_t)(ct->n_cols ? ct->n_cols : 1), sizeof *cols, err))) goto fail;
        if (_roles(ct, cols, 0, NULL, NULL, o->children[i].key, child_names[i], r, &cid, &ctarget, err)) goto fail;
        if (!(t = cJSON_CreateObject())) goto nomem;
        cJSON_AddItemToArray(tables, t);
        cJSON_AddStringToObject(t, "name", child_names[i]);
        cJSON_AddStringToObject(t, "file", _file_name(o->children[i].path));
        cJSON_AddStringToObject(t, "parent", main_name);
        cJSON_AddStringToObject(t, "link", o->children[i].key);
        _prefix(child_names[i], prefix, sizeof prefix);
        cJSON_AddStringToObject(t, "prefix", prefix);
        cJSON_AddItemToObject(t, "label", _label(child_names[i]));
        if (!(c = _emit_columns(ct, cols, 0))) goto nomem;
        cJSON_AddItemToObject(t, "columns", c);
        if (!(c = _emit_aggs(ct, cols))) goto nomem;
        cJSON_AddItemToObject(t, "aggs", c);
        if (_note(r, err, "%s: aggregated per %s.%s (%d aggregations)", child_names[i], main_name,
                  main_table->cols[id].name, cJSON_GetArraySize(c)))
            goto fail;
        free(cols);
        cols = NULL;
    }

    {
        char *text = cJSON_Print(root);
        size_t n;
        if (!text) goto nomem;
        n = strlen(text);
        if (!(r->json = cs_malloc(n + 2, err))) {
            cJSON_free(text);
            goto fail;
        }
        memcpy(r->json, text, n);
        r->json[n] = '\n';
        r->json[n + 1] = '\0';
        cJSON_free(text);
    }
    cJSON_Delete(root);
    root = NULL;
    {
        /* what inference writes, the parser must accept (a failure here is a bug) */
        cs_err perr = {0};
        rcp_recipe *check = rcp_parse_string("inferred recipe", r->json, strlen(r->json), &perr);
        if (!check) {
            cs_err_set(err, CS_EINTERNAL, "the inferred recipe does not parse: %s", perr.msg);
            goto fail;
        }
        rcp_free(check);
    }
    free(main_name);
    for (int i = 0; i < o->n_children; i++) free(child_names[i]);
    return r;
nomem:
    cs_err_set(err, CS_ENOMEM, "out of memory writing the recipe");
fail:
    cJSON_Delete(root);
    free(cols);
    free(main_name);
    for (int i = 0; i < INF_MAX_CHILDREN; i++) free(child_names[i]);
    inf_result_free(r);
    return NULL;
}

inf_result *inf_run(const inf_options *o, cs_err *err)
{
    tbl *main_table = NULL, *children[INF_MAX_CHILDREN] = {0};
    inf_result *r = NULL;
    int n = 0;
    assert(o && o->table_path);
    if (o->n_children < 0 || o->n_children > INF_MAX_CHILDREN) {
        cs_err_set(err, CS_EINVAL, "at most %d child tables", INF_MAX_CHILDREN);
        return NULL;
    }
    if (!(main_table = tbl_read_csv(o->table_path, NULL, err))) return NULL;
    for (n = 0; n < o->n_children; n++)
        if (!(children[n] = tbl_read_csv(o->children[n].path, NULL, err))) goto done;
    r = inf_run_tables(o, main_table, (const tbl *const *)children, err);
done:
    for (int i = 0; i < n; i++) tbl_free(children[i]);
    tbl_free(main_table);
    return r;
}

void inf_result_free(inf_result *r)
{
    if (!r) return;
    for (int i = 0; i < r->n_notes; i++) free(r->notes[i]);
    free(r->notes);
    free(r->json);
    free(r);
}

cs_status inf_parse_child(const char *arg, inf_child *out, char **buf, cs_err *err)
{
    char *s, *eq, *colon;
    assert(arg && out && buf);
    *buf = NULL;
    if (!(s = cs_strdup(arg, err))) return CS_ENOMEM;
    eq = strchr(s, '=');
    colon = strrchr(s, ':');
    if (!eq || eq == s || !colon || colon < eq || colon == eq + 1 || !colon[1]) {
        free(s);
        return cs_err_set(err, CS_EINVAL, "--child '%s': expected NAME=FILE:KEY (e.g. bureau=bureau.csv:SK_ID_CURR)",
                          arg);
    }
    *eq = '\0';
    *colon = '\0';
    out->name = s;
    out->path = eq + 1;
    out->key = colon + 1;
    *buf = s;
    return CS_OK;
}
