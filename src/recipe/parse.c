/*
 * parse.c: a recipe from JSON text (contract in recipe.h, format in docs/recipes.md). The
 * walk keeps the JSON path of the value at hand ("tables[2].aggs[5].ops[1]") so that every
 * error names where it is; unknown keys are refused (a misspelt "protectd" would otherwise
 * be silently ignored). The structural checks across tables are check.c's (rcp__check).
 */
#include <assert.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "recipe_int.h"

/* ---- names ----------------------------------------------------------------------------- */

static const char *const _roles[RCP_ROLE_N] = {"id",   "target", "numeric", "categorical",
                                               "flag", "days",   "date",    "ignore"};
static const char *const _units[RCP_UNIT_N] = {"none",   "count",         "currency", "share",
                                               "percent", "ratio",        "age_days", "duration_days",
                                               "days",    "months",       "years",    "flag"};
static const char *const _aggs[RCP_AGG_N] = {"min",   "max",     "mean",  "sum",  "var",  "size",
                                             "count", "nunique", "first", "last", "share"};
static const char *const _suffix[RCP_AGG_N] = {"MIN",   "MAX",     "MEAN",  "SUM",  "VAR", "SIZE",
                                               "COUNT", "NUNIQUE", "FIRST", "LAST", "MEAN"};
static const char *const _ops[RCP_OP_N] = {"add", "sub", "mul", "div", "gt",
                                           "ge",  "lt",  "le",  "eq",  "ne"};

const char *rcp_role_name(rcp_role r) { return (unsigned)r < RCP_ROLE_N ? _roles[r] : "?"; }
const char *rcp_unit_name(rcp_unit u) { return (unsigned)u < RCP_UNIT_N ? _units[u] : "?"; }
const char *rcp_agg_name(rcp_agg a) { return (unsigned)a < RCP_AGG_N ? _aggs[a] : "?"; }
const char *rcp_agg_suffix(rcp_agg a) { return (unsigned)a < RCP_AGG_N ? _suffix[a] : "?"; }
const char *rcp__op_name(rcp_op o) { return (unsigned)o < RCP_OP_N ? _ops[o] : "?"; }
static const char *const _dirs[] = {"any", "decrease", "increase"};
const char *rcp_dir_name(rcp_dir d) { return (unsigned)d <= RCP_DIR_INCREASE ? _dirs[d] : "?"; }

static int _lookup(const char *const *names, int n, const char *s)
{
    for (int k = 0; k < n; k++)
        if (!strcmp(names[k], s)) return k;
    return -1;
}

/* ---- the walk ---------------------------------------------------------------------------- */

typedef struct rp {
    const char *src;  /* the recipe's name, for messages */
    cs_err *err;
    char path[512];   /* the JSON path of the value at hand */
    size_t len;
} rp;

/* Push ".key" (or "key" at the top) or "[i]" onto the path; returns the old length. */
static size_t _push_key(rp *p, const char *key)
{
    size_t old = p->len;
    int n = snprintf(p->path + p->len, sizeof p->path - p->len, "%s%s", p->len ? "." : "", key);
    if (n > 0) p->len = p->len + (size_t)n < sizeof p->path ? p->len + (size_t)n : sizeof p->path - 1;
    return old;
}
static size_t _push_idx(rp *p, int i)
{
    size_t old = p->len;
    int n = snprintf(p->path + p->len, sizeof p->path - p->len, "[%d]", i);
    if (n > 0) p->len = p->len + (size_t)n < sizeof p->path ? p->len + (size_t)n : sizeof p->path - 1;
    return old;
}
static void _pop(rp *p, size_t old)
{
    p->len = old;
    p->path[old] = 0;
}

static cs_status _fail(rp *p, cs_status code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static cs_status _fail(rp *p, cs_status code, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cs_err_set(p->err, code, "%s: %s: %s", p->src, p->len ? p->path : "(top)", msg);
}

static const char *_type_name(const cJSON *v)
{
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    return "an invalid value";
}

/* Refuse keys of object o not in known[] (NULL-terminated), and duplicate keys. */
static cs_status _keys(rp *p, const cJSON *o, const char *const *known)
{
    for (const cJSON *c = o->child; c; c = c->next) {
        int ok = 0;
        for (int k = 0; known[k]; k++)
            if (c->string && !strcmp(c->string, known[k])) ok = 1;
        if (!ok) {
            cs_buf b = {0};
            cs_status st;
            for (int k = 0; known[k]; k++) cs_buf_printf(&b, NULL, "%s%s", k ? ", " : "", known[k]);
            st = _fail(p, CS_EPARSE, "unknown key \"%s\" (known: %s)", c->string ? c->string : "",
                       b.data ? b.data : "");
            cs_buf_free(&b);
            return st;
        }
        for (const cJSON *d = o->child; d != c; d = d->next)
            if (d->string && !strcmp(d->string, c->string))
                return _fail(p, CS_EPARSE, "duplicate key \"%s\"", c->string);
    }
    return CS_OK;
}

/* A string member key of o (NULL when absent; an error when not a string or empty). */
static cs_status _str(rp *p, const cJSON *o, const char *key, int required, char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    size_t old;
    cs_status st = CS_OK;
    *out = NULL;
    if (!v) return required ? _fail(p, CS_EPARSE, "missing \"%s\"", key) : CS_OK;
    old = _push_key(p, key);
    if (!cJSON_IsString(v) || !v->valuestring)
        st = _fail(p, CS_EPARSE, "expected a string, found %s", _type_name(v));
    else if (!v->valuestring[0])
        st = _fail(p, CS_EPARSE, "empty string");
    else if (!(*out = cs_strdup(v->valuestring, p->err)))
        st = p->err ? p->err->code : CS_ENOMEM;
    _pop(p, old);
    return st;
}

static cs_status _bool(rp *p, const cJSON *o, const char *key, int dflt, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    size_t old;
    cs_status st = CS_OK;
    *out = dflt;
    if (!v) return CS_OK;
    old = _push_key(p, key);
    if (!cJSON_IsBool(v)) st = _fail(p, CS_EPARSE, "expected true or false, found %s", _type_name(v));
    else *out = cJSON_IsTrue(v);
    _pop(p, old);
    return st;
}

/* An enum member spelled as one of names[0..n); dflt when absent. */
static cs_status _enum(rp *p, const cJSON *o, const char *key, const char *const *names, int n,
                       int dflt, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    size_t old;
    cs_status st = CS_OK;
    *out = dflt;
    if (!v) return CS_OK;
    old = _push_key(p, key);
    if (!cJSON_IsString(v) || !v->valuestring) {
        st = _fail(p, CS_EPARSE, "expected a string, found %s", _type_name(v));
    } else if ((*out = _lookup(names, n, v->valuestring)) < 0) {
        cs_buf b = {0};
        for (int k = 0; k < n; k++) cs_buf_printf(&b, NULL, "%s%s", k ? ", " : "", names[k]);
        st = _fail(p, CS_EPARSE, "unknown %s \"%s\" (one of: %s)", key, v->valuestring, b.data ? b.data : "");
        cs_buf_free(&b);
    }
    _pop(p, old);
    return st;
}

/* A label: a string (English) or {"en": ..., "fr": ...}. */
static cs_status _label(rp *p, const cJSON *o, const char *key, rcp_label *out)
{
    static const char *const known[] = {"en", "fr", NULL};
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    size_t old;
    cs_status st = CS_OK;
    if (!v) return CS_OK;
    old = _push_key(p, key);
    if (cJSON_IsString(v) && v->valuestring) {
        if (!v->valuestring[0]) st = _fail(p, CS_EPARSE, "empty label");
        else if (!(out->en = cs_strdup(v->valuestring, p->err))) st = CS_ENOMEM;
    } else if (cJSON_IsObject(v)) {
        if (!(st = _keys(p, v, known)) && !(st = _str(p, v, "en", 0, &out->en)))
            st = _str(p, v, "fr", 0, &out->fr);
        if (!st && !out->en && !out->fr) st = _fail(p, CS_EPARSE, "a label needs \"en\" or \"fr\"");
    } else {
        st = _fail(p, CS_EPARSE, "expected a string or {\"en\": ..., \"fr\": ...}, found %s", _type_name(v));
    }
    _pop(p, old);
    return st;
}

/* An array member of o: *arr = the array, *n its size (0 when absent). */
static cs_status _array(rp *p, const cJSON *o, const char *key, int required, const cJSON **arr, int *n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    size_t old;
    *arr = NULL;
    *n = 0;
    if (!v) return required ? _fail(p, CS_EPARSE, "missing \"%s\"", key) : CS_OK;
    if (!cJSON_IsArray(v)) {
        cs_status st;
        old = _push_key(p, key);
        st = _fail(p, CS_EPARSE, "expected an array, found %s", _type_name(v));
        _pop(p, old);
        return st;
    }
    *arr = v;
    *n = cJSON_GetArraySize(v);
    return CS_OK;
}

/* An array of strings (or one string, taken as a one-element array). */
static cs_status _strings(rp *p, const cJSON *o, const char *key, int required, char ***out, int *n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    size_t old;
    cs_status st = CS_OK;
    int i = 0;
    *out = NULL;
    *n = 0;
    if (!v) return required ? _fail(p, CS_EPARSE, "missing \"%s\"", key) : CS_OK;
    old = _push_key(p, key);
    if (cJSON_IsString(v)) {
        if (!v->valuestring || !v->valuestring[0]) st = _fail(p, CS_EPARSE, "empty string");
        else if (!(*out = cs_calloc(1, sizeof **out, p->err)) || !((*out)[0] = cs_strdup(v->valuestring, p->err)))
            st = CS_ENOMEM;
        else *n = 1;
    } else if (!cJSON_IsArray(v)) {
        st = _fail(p, CS_EPARSE, "expected an array of strings, found %s", _type_name(v));
    } else if (cJSON_GetArraySize(v) == 0) {
        st = _fail(p, CS_EPARSE, "empty array");
    } else if (!(*out = cs_calloc((size_t)cJSON_GetArraySize(v), sizeof **out, p->err))) {
        st = CS_ENOMEM;
    } else {
        for (const cJSON *e = v->child; e && !st; e = e->next, i++) {
            size_t o2 = _push_idx(p, i);
            if (!cJSON_IsString(e) || !e->valuestring) st = _fail(p, CS_EPARSE, "expected a string, found %s", _type_name(e));
            else if (!e->valuestring[0]) st = _fail(p, CS_EPARSE, "empty string");
            else if (!((*out)[i] = cs_strdup(e->valuestring, p->err))) st = CS_ENOMEM;
            else *n = i + 1;
            _pop(p, o2);
        }
    }
    _pop(p, old);
    return st;
}

static void _free_strings(char **s, int n)
{
    for (int i = 0; i < n; i++) free(s[i]);
    free(s);
}

static void _label_free(rcp_label *l)
{
    free(l->en);
    free(l->fr);
}

/* ---- columns ----------------------------------------------------------------------------- */

static cs_status _operand(rp *p, const cJSON *v, rcp_operand *out)
{
    if (cJSON_IsNumber(v)) {
        out->value = v->valuedouble;
        return CS_OK;
    }
    if (cJSON_IsString(v) && v->valuestring && v->valuestring[0]) {
        out->column = cs_strdup(v->valuestring, p->err);
        return out->column ? CS_OK : CS_ENOMEM;
    }
    return _fail(p, CS_EPARSE, "expected a column name or a number, found %s", _type_name(v));
}

/* A finite number member key of o, NaN when absent. */
static cs_status _finite(rp *p, const cJSON *o, const char *key, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    size_t old;
    cs_status st = CS_OK;
    *out = NAN;
    if (!v) return CS_OK;
    old = _push_key(p, key);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) st = _fail(p, CS_EPARSE, "expected a finite number, found %s", _type_name(v));
    else *out = v->valuedouble;
    _pop(p, old);
    return st;
}

static void _action_free(rcp_action *a)
{
    if (!a) return;
    free(a->at_most);
    free(a->at_least);
    _free_strings(a->scales, a->n_scales);
    free(a);
}

/* "actionable": true / false, or an object saying how the input may move (rcp_action);
 * the columns it names are checked by check.c. */
static cs_status _actionable(rp *p, const cJSON *o, rcp_column *c)
{
    static const char *const known[] = {"direction", "min", "max", "step", "at_most", "at_least", "scales", NULL};
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "actionable");
    rcp_action *a;
    size_t old;
    cs_status st;
    int dir;
    if (!v || cJSON_IsBool(v)) return _bool(p, o, "actionable", 0, &c->actionable);
    old = _push_key(p, "actionable");
    if (!cJSON_IsObject(v)) {
        st = _fail(p, CS_EPARSE, "expected true, false or an object {direction, min, max, step, at_most, at_least, scales}, found %s",
                   _type_name(v));
        _pop(p, old);
        return st;
    }
    if (!(a = cs_calloc(1, sizeof *a, p->err))) {
        _pop(p, old);
        return CS_ENOMEM;
    }
    c->action = a;
    c->actionable = 1;
    if (!(st = _keys(p, v, known)) && !(st = _enum(p, v, "direction", _dirs, 3, RCP_DIR_ANY, &dir)) &&
        !(st = _finite(p, v, "min", &a->min)) && !(st = _finite(p, v, "max", &a->max)) &&
        !(st = _finite(p, v, "step", &a->step)) && !(st = _str(p, v, "at_most", 0, &a->at_most)) &&
        !(st = _str(p, v, "at_least", 0, &a->at_least)))
        st = _strings(p, v, "scales", 0, &a->scales, &a->n_scales);
    if (!st) {
        a->direction = (rcp_dir)dir;
        if (a->step != a->step) a->step = 0;
        if (a->step < 0) st = _fail(p, CS_EPARSE, "step: %g is negative", a->step);
        else if (a->min == a->min && a->max == a->max && a->min > a->max)
            st = _fail(p, CS_EPARSE, "min %g is above max %g", a->min, a->max);
    }
    _pop(p, old);
    return st;
}

/* The members a file column and a derived column share (metadata). */
static cs_status _column_meta(rp *p, const cJSON *o, rcp_column *c)
{
    cs_status st;
    int u;
    const cJSON *cl;
    if ((st = _label(p, o, "label", &c->label))) return st;
    if ((st = _enum(p, o, "unit", _units, RCP_UNIT_N, RCP_UNIT_NONE, &u))) return st;
    c->unit = (rcp_unit)u;
    if ((st = _bool(p, o, "profile", 0, &c->profile))) return st;
    if ((st = _bool(p, o, "protected", 0, &c->protected_attr))) return st;
    if ((st = _actionable(p, o, c))) return st;
    if ((st = _label(p, o, "share_label", &c->share_label))) return st;
    cl = cJSON_GetObjectItemCaseSensitive(o, "category_labels");
    if (cl) {
        size_t old = _push_key(p, "category_labels");
        int n = cJSON_GetArraySize(cl), i = 0;
        if (!cJSON_IsObject(cl)) {
            st = _fail(p, CS_EPARSE, "expected an object {category: label}, found %s", _type_name(cl));
        } else if (n > 0 && !(c->cat_labels = cs_calloc((size_t)n, sizeof *c->cat_labels, p->err))) {
            st = CS_ENOMEM;
        } else {
            for (const cJSON *e = cl->child; e && !st; e = e->next, i++) {
                if (!(c->cat_labels[i].value = cs_strdup(e->string ? e->string : "", p->err))) {
                    st = CS_ENOMEM;
                    break;
                }
                c->n_cat_labels = i + 1;
                st = _label(p, cl, e->string, &c->cat_labels[i].label);
            }
        }
        _pop(p, old);
    }
    return st;
}

static cs_status _column(rp *p, const cJSON *o, rcp_column *c, int is_root)
{
    static const char *const known[] = {"name",    "role",       "text",     "true_value",      "required",        "sentinels",
                                        "encode",  "nan_category", "label",  "unit",            "profile",
                                        "protected", "actionable", "share_label", "category_labels", NULL};
    static const char *const encs[] = {"none", "onehot", "factorize"};
    const cJSON *sv;
    cs_status st;
    int role, enc, nan_cat;
    if (!cJSON_IsObject(o)) return _fail(p, CS_EPARSE, "expected an object, found %s", _type_name(o));
    if ((st = _keys(p, o, known))) return st;
    if ((st = _str(p, o, "name", 1, &c->name))) return st;
    if (!cJSON_GetObjectItemCaseSensitive(o, "role")) return _fail(p, CS_EPARSE, "missing \"role\" of column %s", c->name);
    if ((st = _enum(p, o, "role", _roles, RCP_ROLE_N, RCP_ROLE_NUMERIC, &role))) return st;
    c->role = (rcp_role)role;
    if ((st = _bool(p, o, "text", 0, &c->text))) return st;
    if (c->text && c->role != RCP_ROLE_ID)
        return _fail(p, CS_EPARSE, "\"text\" is for id columns only (column %s is %s)", c->name, _roles[c->role]);
    if ((st = _str(p, o, "true_value", 0, &c->true_value))) return st;
    if (c->true_value && c->role != RCP_ROLE_FLAG)
        return _fail(p, CS_EPARSE, "\"true_value\" is for flag columns only (column %s is %s)", c->name, _roles[c->role]);
    if ((st = _bool(p, o, "required", 1, &c->required))) return st;
    if ((sv = cJSON_GetObjectItemCaseSensitive(o, "sentinels"))) {
        size_t old = _push_key(p, "sentinels");
        int n = cJSON_GetArraySize(sv), i = 0;
        if (!cJSON_IsArray(sv) || n == 0) st = _fail(p, CS_EPARSE, "expected a non-empty array of numbers");
        else if (!(c->sentinels = cs_calloc((size_t)n, sizeof *c->sentinels, p->err))) st = CS_ENOMEM;
        for (const cJSON *e = st ? NULL : sv->child; e && !st; e = e->next, i++) {
            size_t o2 = _push_idx(p, i);
            if (!cJSON_IsNumber(e)) st = _fail(p, CS_EPARSE, "expected a number, found %s", _type_name(e));
            else c->sentinels[c->n_sentinels++] = e->valuedouble;
            _pop(p, o2);
        }
        _pop(p, old);
        if (st) return st;
        if (c->role == RCP_ROLE_CATEGORICAL || c->role == RCP_ROLE_ID || c->role == RCP_ROLE_TARGET)
            return _fail(p, CS_EPARSE, "sentinels on %s column %s (numeric roles only)", _roles[c->role], c->name);
    }
    if ((st = _enum(p, o, "encode", encs, 3, -1, &enc))) return st;
    if ((st = _bool(p, o, "nan_category", 0, &nan_cat))) return st;
    if (enc >= 0 && c->role != RCP_ROLE_CATEGORICAL)
        return _fail(p, CS_EPARSE, "\"encode\" on %s column %s (categorical columns only)", _roles[c->role], c->name);
    if (cJSON_GetObjectItemCaseSensitive(o, "nan_category") && c->role != RCP_ROLE_CATEGORICAL)
        return _fail(p, CS_EPARSE, "\"nan_category\" on %s column %s (categorical columns only)", _roles[c->role], c->name);
    if (c->role == RCP_ROLE_CATEGORICAL) {
        if (enc < 0) enc = is_root ? 1 : 0; /* root: one-hot; a child: aggregated as it is */
        if (enc == 2 && nan_cat)
            return _fail(p, CS_EPARSE, "\"nan_category\" with \"encode\": \"factorize\" (missing is code -1)");
        c->encode = enc == 0 ? RCP_ENC_NONE : enc == 2 ? RCP_ENC_FACTORIZE : nan_cat ? RCP_ENC_ONEHOT_NAN : RCP_ENC_ONEHOT;
        c->nan_category = nan_cat;
    }
    return _column_meta(p, o, c);
}

static cs_status _derived(rp *p, const cJSON *o, rcp_column *c)
{
    static const char *const known[] = {"name", "op", "args", "then", "label", "unit", "profile",
                                        "protected", "actionable", NULL};
    static const char *const thens[] = {"positive"};
    const cJSON *args;
    cs_status st;
    int op, then;
    if (!cJSON_IsObject(o)) return _fail(p, CS_EPARSE, "expected an object, found %s", _type_name(o));
    if ((st = _keys(p, o, known))) return st;
    if ((st = _str(p, o, "name", 1, &c->name))) return st;
    c->role = RCP_ROLE_NUMERIC;
    c->required = 0;
    if (!(c->derive = cs_calloc(1, sizeof *c->derive, p->err))) return CS_ENOMEM;
    if (!cJSON_GetObjectItemCaseSensitive(o, "op")) return _fail(p, CS_EPARSE, "missing \"op\" of derived column %s", c->name);
    if ((st = _enum(p, o, "op", _ops, RCP_OP_N, 0, &op))) return st;
    c->derive->op = (rcp_op)op;
    if ((st = _enum(p, o, "then", thens, 1, -1, &then))) return st;
    c->derive->positive = then == 0;
    args = cJSON_GetObjectItemCaseSensitive(o, "args");
    if (!args) return _fail(p, CS_EPARSE, "missing \"args\" of derived column %s", c->name);
    {
        size_t old = _push_key(p, "args");
        if (!cJSON_IsArray(args) || cJSON_GetArraySize(args) != 2) {
            st = _fail(p, CS_EPARSE, "expected an array of two operands (column names or numbers)");
        } else {
            size_t o2 = _push_idx(p, 0);
            st = _operand(p, cJSON_GetArrayItem(args, 0), &c->derive->a);
            _pop(p, o2);
            if (!st) {
                o2 = _push_idx(p, 1);
                st = _operand(p, cJSON_GetArrayItem(args, 1), &c->derive->b);
                _pop(p, o2);
            }
            if (!st && !c->derive->a.column && !c->derive->b.column)
                st = _fail(p, CS_EPARSE, "both operands of %s are numbers (name a column)", c->name);
        }
        _pop(p, old);
        if (st) return st;
    }
    return _column_meta(p, o, c);
}

/* ---- aggregations ------------------------------------------------------------------------- */

static cs_status _agg(rp *p, const cJSON *o, rcp_aggspec *a, const char *table_prefix)
{
    static const char *const known[] = {"column", "ops", "prefix", "where", "order_by", "name", NULL};
    static const char *const wknown[] = {"column", "equals", "in", "label", NULL};
    const cJSON *ops, *w;
    cs_status st;
    int n;
    if (!cJSON_IsObject(o)) return _fail(p, CS_EPARSE, "expected an object, found %s", _type_name(o));
    if ((st = _keys(p, o, known))) return st;
    if ((st = _str(p, o, "column", 0, &a->column))) return st;
    if ((st = _array(p, o, "ops", 1, &ops, &n))) return st;
    {
        size_t old = _push_key(p, "ops");
        int i = 0;
        if (n == 0) st = _fail(p, CS_EPARSE, "empty array (name at least one of min, max, mean, ...)");
        else if (n > RCP_MAX_OPS) st = _fail(p, CS_EPARSE, "%d operations (at most %d)", n, RCP_MAX_OPS);
        for (const cJSON *e = st ? NULL : ops->child; e && !st; e = e->next, i++) {
            size_t o2 = _push_idx(p, i);
            int k;
            if (!cJSON_IsString(e) || !e->valuestring) {
                st = _fail(p, CS_EPARSE, "expected an operation name, found %s", _type_name(e));
            } else if ((k = _lookup(_aggs, RCP_AGG_N, e->valuestring)) < 0) {
                st = _fail(p, CS_EPARSE,
                           "unknown operation \"%s\" (one of: min, max, mean, sum, var, size, count, nunique, "
                           "first, last, share)", e->valuestring);
            } else {
                for (int j = 0; j < a->n_ops; j++)
                    if (a->ops[j] == (rcp_agg)k) st = _fail(p, CS_EPARSE, "operation \"%s\" given twice", e->valuestring);
                if (!st) a->ops[a->n_ops++] = (rcp_agg)k;
            }
            _pop(p, o2);
        }
        _pop(p, old);
        if (st) return st;
    }
    if ((st = _str(p, o, "prefix", 0, &a->prefix))) return st;
    if (!a->prefix && !(a->prefix = cs_strdup(table_prefix ? table_prefix : "", p->err))) return CS_ENOMEM;
    if ((st = _str(p, o, "order_by", 0, &a->order_by))) return st;
    if ((st = _str(p, o, "name", 0, &a->name))) return st;
    if ((w = cJSON_GetObjectItemCaseSensitive(o, "where"))) {
        size_t old = _push_key(p, "where");
        if (!cJSON_IsObject(w)) st = _fail(p, CS_EPARSE, "expected an object, found %s", _type_name(w));
        else if (!(st = _keys(p, w, wknown)) && !(st = _str(p, w, "column", 1, &a->where_column))) {
            int has_eq = cJSON_GetObjectItemCaseSensitive(w, "equals") != NULL;
            int has_in = cJSON_GetObjectItemCaseSensitive(w, "in") != NULL;
            if (has_eq == has_in) st = _fail(p, CS_EPARSE, "give one of \"equals\" (a category) or \"in\" (categories)");
            else st = _strings(p, w, has_eq ? "equals" : "in", 1, &a->where_values, &a->n_where);
            if (!st) st = _label(p, w, "label", &a->where_label);
        }
        _pop(p, old);
        if (st) return st;
    }
    if (!a->column) {
        for (int j = 0; j < a->n_ops; j++)
            if (a->ops[j] != RCP_AGG_COUNT && a->ops[j] != RCP_AGG_SIZE)
                return _fail(p, CS_EPARSE, "\"%s\" needs a \"column\" (without one only count and size, of the rows)",
                             _aggs[a->ops[j]]);
    }
    if (a->name && a->n_ops != 1) return _fail(p, CS_EPARSE, "\"name\" names one output: give one operation");
    if (a->name && a->column && strchr(a->column, '*'))
        return _fail(p, CS_EPARSE, "\"name\" with a column pattern (each match needs its own name)");
    if (a->name) {
        for (int j = 0; j < a->n_ops; j++)
            if (a->ops[j] == RCP_AGG_SHARE) return _fail(p, CS_EPARSE, "\"name\" with share (one output per category)");
    }
    return CS_OK;
}

/* ---- tables ------------------------------------------------------------------------------- */

static cs_status _table(rp *p, const cJSON *o, rcp_table *t)
{
    static const char *const known[] = {"name",  "file",    "files", "optional", "key",     "parent", "link",
                                        "prefix", "label",  "drop",  "columns",  "derived", "aggs",   NULL};
    static const char *const dknown[] = {"column", "equals", "in", NULL};
    const cJSON *arr;
    cs_status st;
    int n, is_root;
    if (!cJSON_IsObject(o)) return _fail(p, CS_EPARSE, "expected an object, found %s", _type_name(o));
    if ((st = _keys(p, o, known))) return st;
    if ((st = _str(p, o, "name", 1, &t->name))) return st;
    if (cJSON_GetObjectItemCaseSensitive(o, "file") && cJSON_GetObjectItemCaseSensitive(o, "files"))
        return _fail(p, CS_EPARSE, "give \"file\" or \"files\", not both");
    if (cJSON_GetObjectItemCaseSensitive(o, "file")) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "file");
        if (!cJSON_IsString(f)) {
            size_t old = _push_key(p, "file");
            st = _fail(p, CS_EPARSE, "expected a string, found %s", _type_name(f));
            _pop(p, old);
            return st;
        }
        if ((st = _strings(p, o, "file", 1, &t->files, &t->n_files))) return st;
    } else if ((st = _strings(p, o, "files", 0, &t->files, &t->n_files))) {
        return st;
    }
    if (t->n_files == 0) return _fail(p, CS_EPARSE, "missing \"file\" (the CSV file of table %s)", t->name);
    for (int i = 0; i < t->n_files; i++)
        if (strstr(t->files[i], "..") || t->files[i][0] == '/')
            return _fail(p, CS_EPARSE, "file \"%s\" must be a name inside the data folder", t->files[i]);
    if ((st = _bool(p, o, "optional", 0, &t->optional))) return st;
    if ((st = _str(p, o, "key", 0, &t->key))) return st;
    if ((st = _str(p, o, "parent", 0, &t->parent))) return st;
    if ((st = _str(p, o, "link", 0, &t->link))) return st;
    if ((st = _str(p, o, "prefix", 0, &t->prefix))) return st;
    if ((st = _label(p, o, "label", &t->label))) return st;
    is_root = t->parent == NULL;
    if (is_root && t->link) return _fail(p, CS_EPARSE, "\"link\" without \"parent\" (the root table has no parent)");
    if (!is_root && !t->link) return _fail(p, CS_EPARSE, "missing \"link\": the column of %s that holds the key of %s", t->name, t->parent);
    if (is_root && !t->key) return _fail(p, CS_EPARSE, "missing \"key\": the root table %s needs its id column", t->name);
    if (!is_root && t->key && !strcmp(t->key, RCP_ROW_KEY))
        return _fail(p, CS_EPARSE, "\"key\": \"%s\" (the row number) is for the root table only", RCP_ROW_KEY);
    if (is_root && t->optional) return _fail(p, CS_EPARSE, "the root table %s cannot be optional", t->name);

    if ((st = _array(p, o, "drop", 0, &arr, &n))) return st;
    if (n > 0) {
        size_t old = _push_key(p, "drop");
        int i = 0;
        if (!(t->drops = cs_calloc((size_t)n, sizeof *t->drops, p->err))) st = CS_ENOMEM;
        for (const cJSON *e = st ? NULL : arr->child; e && !st; e = e->next, i++) {
            size_t o2 = _push_idx(p, i);
            rcp_drop *d = &t->drops[i];
            t->n_drops = i + 1;
            if (!cJSON_IsObject(e)) st = _fail(p, CS_EPARSE, "expected an object, found %s", _type_name(e));
            else if (!(st = _keys(p, e, dknown)) && !(st = _str(p, e, "column", 1, &d->column))) {
                int has_eq = cJSON_GetObjectItemCaseSensitive(e, "equals") != NULL;
                if (has_eq == (cJSON_GetObjectItemCaseSensitive(e, "in") != NULL))
                    st = _fail(p, CS_EPARSE, "give one of \"equals\" (a category) or \"in\" (categories)");
                else st = _strings(p, e, has_eq ? "equals" : "in", 1, &d->values, &d->n_values);
            }
            _pop(p, o2);
        }
        _pop(p, old);
        if (st) return st;
    }

    if ((st = _array(p, o, "columns", 1, &arr, &n))) return st;
    if (n == 0) {
        size_t old = _push_key(p, "columns");
        st = _fail(p, CS_EPARSE, "empty array (a table needs its columns)");
        _pop(p, old);
        return st;
    }
    {
        size_t old = _push_key(p, "columns");
        int i = 0;
        if (!(t->cols = cs_calloc((size_t)n, sizeof *t->cols, p->err))) st = CS_ENOMEM;
        for (const cJSON *e = st ? NULL : arr->child; e && !st; e = e->next, i++) {
            size_t o2 = _push_idx(p, i);
            t->n_cols = i + 1;
            st = _column(p, e, &t->cols[i], is_root);
            _pop(p, o2);
        }
        _pop(p, old);
        if (st) return st;
    }
    if ((st = _array(p, o, "derived", 0, &arr, &n))) return st;
    if (n > 0) {
        size_t old = _push_key(p, "derived");
        int i = 0;
        if (!(t->derived = cs_calloc((size_t)n, sizeof *t->derived, p->err))) st = CS_ENOMEM;
        for (const cJSON *e = st ? NULL : arr->child; e && !st; e = e->next, i++) {
            size_t o2 = _push_idx(p, i);
            t->n_derived = i + 1;
            st = _derived(p, e, &t->derived[i]);
            _pop(p, o2);
        }
        _pop(p, old);
        if (st) return st;
    }
    if ((st = _array(p, o, "aggs", 0, &arr, &n))) return st;
    if (n > 0 && is_root) {
        size_t old = _push_key(p, "aggs");
        st = _fail(p, CS_EPARSE, "the root table %s has no parent to aggregate into", t->name);
        _pop(p, old);
        return st;
    }
    if (n > 0) {
        size_t old = _push_key(p, "aggs");
        int i = 0;
        if (!(t->aggs = cs_calloc((size_t)n, sizeof *t->aggs, p->err))) st = CS_ENOMEM;
        for (const cJSON *e = st ? NULL : arr->child; e && !st; e = e->next, i++) {
            size_t o2 = _push_idx(p, i);
            t->n_aggs = i + 1;
            st = _agg(p, e, &t->aggs[i], t->prefix);
            _pop(p, o2);
        }
        _pop(p, old);
        if (st) return st;
    }
    return CS_OK;
}

/* ---- the recipe ----------------------------------------------------------------------------- */

/* Line and column (1-based) of byte offset off in text. */
static void _line_col(const char *text, size_t len, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

rcp_recipe *rcp_parse_string(const char *name, const char *json, size_t len, cs_err *err)
{
    static const char *const known[] = {"recipe", "name", "description", "currency", "tables", NULL};
    rp p = {0};
    rcp_recipe *r;
    cJSON *doc;
    const char *end = NULL;
    const cJSON *arr, *ver;
    cs_status st = CS_OK;
    int n;
    assert(json || len == 0);
    if (!name) name = "recipe";
    p.src = name;
    p.err = err;
    if (!(r = cs_calloc(1, sizeof *r, err))) return NULL;
    if (!(r->source = cs_strdup(name, err)) || !(r->text = cs_malloc(len + 1, err))) {
        rcp_free(r);
        return NULL;
    }
    if (len) memcpy(r->text, json, len);
    r->text[len] = 0;
    if (memchr(r->text, 0, len)) {
        cs_err_set(err, CS_EPARSE, "%s: a NUL byte in the JSON text", name);
        rcp_free(r);
        return NULL;
    }
    doc = cJSON_ParseWithLengthOpts(r->text, len + 1, &end, 1); /* the NUL included */
    if (!doc) {
        size_t line, col, off = end && end >= r->text ? (size_t)(end - r->text) : 0;
        _line_col(r->text, len, off, &line, &col);
        cs_err_set(err, CS_EPARSE, "%s:%zu:%zu: the JSON does not parse here", name, line, col);
        rcp_free(r);
        return NULL;
    }
    if (!cJSON_IsObject(doc)) {
        st = _fail(&p, CS_EPARSE, "expected a JSON object, found %s", _type_name(doc));
        goto done;
    }
    if ((st = _keys(&p, doc, known))) goto done;
    ver = cJSON_GetObjectItemCaseSensitive(doc, "recipe");
    if (!ver) {
        st = _fail(&p, CS_EPARSE, "missing \"recipe\": %d (the format version)", RCP_FORMAT_VERSION);
        goto done;
    }
    if (!cJSON_IsNumber(ver) || ver->valuedouble != floor(ver->valuedouble) || ver->valuedouble < 1) {
        size_t old = _push_key(&p, "recipe");
        st = _fail(&p, CS_EPARSE, "expected the format version %d", RCP_FORMAT_VERSION);
        _pop(&p, old);
        goto done;
    }
    if (ver->valuedouble > RCP_FORMAT_VERSION) {
        size_t old = _push_key(&p, "recipe");
        st = _fail(&p, CS_EVERSION, "format version %g is newer than this build's %d", ver->valuedouble, RCP_FORMAT_VERSION);
        _pop(&p, old);
        goto done;
    }
    if ((st = _str(&p, doc, "name", 1, &r->name))) goto done;
    if ((st = _str(&p, doc, "description", 0, &r->description))) goto done;
    if ((st = _str(&p, doc, "currency", 0, &r->currency))) goto done;
    if ((st = _array(&p, doc, "tables", 1, &arr, &n))) goto done;
    if (n == 0) {
        size_t old = _push_key(&p, "tables");
        st = _fail(&p, CS_EPARSE, "empty array (a recipe needs at least its root table)");
        _pop(&p, old);
        goto done;
    }
    if (!(r->tables = cs_calloc((size_t)n, sizeof *r->tables, err))) {
        st = CS_ENOMEM;
        goto done;
    }
    {
        size_t old = _push_key(&p, "tables");
        int i = 0;
        for (const cJSON *e = arr->child; e && !st; e = e->next, i++) {
            size_t o2 = _push_idx(&p, i);
            r->n_tables = i + 1;
            st = _table(&p, e, &r->tables[i]);
            _pop(&p, o2);
        }
        _pop(&p, old);
    }
    if (!st) st = rcp__check(r, err);
done:
    cJSON_Delete(doc);
    if (st) {
        rcp_free(r);
        return NULL;
    }
    return r;
}

rcp_recipe *rcp_parse_file(const char *path, cs_err *err)
{
    FILE *f;
    char *text = NULL;
    size_t len = 0, cap = 0;
    rcp_recipe *r;
    const char *base;
    assert(path);
    if (!(f = fopen(path, "rb"))) {
        cs_err_set(err, CS_EIO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        size_t got;
        if (len + 4096 > cap) {
            char *nt;
            cap = cap ? cap * 2 : 65536;
            if (cap > (size_t)64 << 20) {
                cs_err_set(err, CS_EINVAL, "%s: larger than 64 MiB (not a recipe)", path);
                free(text);
                fclose(f);
                return NULL;
            }
            if (!(nt = realloc(text, cap))) {
                cs_err_set(err, CS_ENOMEM, "%s: out of memory", path);
                free(text);
                fclose(f);
                return NULL;
            }
            text = nt;
        }
        got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        cs_err_set(err, CS_EIO, "%s: read error", path);
        free(text);
        fclose(f);
        return NULL;
    }
    fclose(f);
    base = strrchr(path, '/');
    r = rcp_parse_string(base ? base + 1 : path, text ? text : "", len, err);
    free(text);
    return r;
}

static void _column_free(rcp_column *c)
{
    free(c->name);
    free(c->sentinels);
    free(c->true_value);
    _label_free(&c->label);
    _label_free(&c->share_label);
    for (int i = 0; i < c->n_cat_labels; i++) {
        free(c->cat_labels[i].value);
        _label_free(&c->cat_labels[i].label);
    }
    free(c->cat_labels);
    if (c->derive) {
        free(c->derive->a.column);
        free(c->derive->b.column);
        free(c->derive);
    }
    _action_free(c->action);
}

void rcp_free(rcp_recipe *r)
{
    if (!r) return;
    for (int i = 0; i < r->n_tables; i++) {
        rcp_table *t = &r->tables[i];
        free(t->name);
        _free_strings(t->files, t->n_files);
        free(t->key);
        free(t->parent);
        free(t->link);
        free(t->prefix);
        _label_free(&t->label);
        for (int k = 0; k < t->n_drops; k++) {
            free(t->drops[k].column);
            _free_strings(t->drops[k].values, t->drops[k].n_values);
        }
        free(t->drops);
        for (int k = 0; k < t->n_cols; k++) _column_free(&t->cols[k]);
        free(t->cols);
        for (int k = 0; k < t->n_derived; k++) _column_free(&t->derived[k]);
        free(t->derived);
        for (int k = 0; k < t->n_aggs; k++) {
            rcp_aggspec *a = &t->aggs[k];
            free(a->column);
            free(a->prefix);
            free(a->where_column);
            _free_strings(a->where_values, a->n_where);
            _label_free(&a->where_label);
            free(a->order_by);
            free(a->name);
        }
        free(t->aggs);
    }
    free(r->tables);
    free(r->source);
    free(r->text);
    free(r->name);
    free(r->description);
    free(r->currency);
    free(r);
}

int rcp_table_index(const rcp_recipe *r, const char *name)
{
    assert(r && name);
    for (int i = 0; i < r->n_tables; i++)
        if (!strcmp(r->tables[i].name, name)) return i;
    return -1;
}

const rcp_column *rcp_table_column(const rcp_table *t, const char *name)
{
    assert(t && name);
    for (int i = 0; i < t->n_cols; i++)
        if (!strcmp(t->cols[i].name, name)) return &t->cols[i];
    for (int i = 0; i < t->n_derived; i++)
        if (!strcmp(t->derived[i].name, name)) return &t->derived[i];
    return NULL;
}
