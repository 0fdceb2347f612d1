/*
 * meta.c: what a column or a feature name means to a person (contract in recipe.h): its
 * label in English or French, its display unit and a formatted value, and its flags
 * (profile, protected, actionable). An output feature name is resolved by the naming rule
 * run backwards: a root column, a one-hot dummy <COL>_<category>, or an aggregate
 * <PREFIX>_<inner>_<OP> of a child table, where inner is itself resolved in that child
 * (so BURO_MONTHS_BALANCE_SIZE_MEAN goes through bureau to bureau_balance).
 */
#include <assert.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "recipe_int.h"

/* ---- resolving a name ----------------------------------------------------------------------- */

#define LBL_MAX 512

typedef struct res {
    rcp_meta m;
    char label[2][LBL_MAX]; /* en, fr */
} res;

static const char *_pick(const rcp_label *l, int lang)
{
    if (lang == RCP_FR && l->fr) return l->fr;
    return l->en ? l->en : l->fr;
}

static const char *_col_label(const rcp_column *c, int lang)
{
    const char *s = _pick(&c->label, lang);
    return s ? s : c->name;
}

static const char *_cat_label(const rcp_column *c, const char *cat, int lang)
{
    for (int i = 0; i < c->n_cat_labels; i++)
        if (!strcmp(c->cat_labels[i].value, cat)) {
            const char *s = _pick(&c->cat_labels[i].label, lang);
            if (s) return s;
        }
    if (!strcmp(cat, "nan")) return lang == RCP_FR ? "manquant" : "missing";
    return cat;
}

/* s with its first letter in lower case, unless it starts an acronym ("AMT", "ID"). */
static void _lower_first(char *s)
{
    if (s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z')) s[0] = (char)(s[0] - 'A' + 'a');
}

/* Replace "{category}" in tmpl by cat into out. */
static void _template(const char *tmpl, const char *cat, char *out, size_t cap)
{
    const char *at = strstr(tmpl, "{category}");
    if (!at) snprintf(out, cap, "%s %s", tmpl, cat);
    else snprintf(out, cap, "%.*s%s%s", (int)(at - tmpl), tmpl, cat, at + 10);
}

/* Copy src into dst (cap bytes), truncated, always terminated. */
static void _copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

static const char *const _op_en[RCP_AGG_N] = {"lowest",          "highest", "average", "total",
                                              "variance of",     "number of records",
                                              "number of known", "distinct values of",
                                              "first",           "last",    "share"};
static const char *const _op_fr[RCP_AGG_N] = {"minimum",  "maximum", "moyenne", "total", "variance",
                                              "nombre d'enregistrements",   "nombre de valeurs connues",
                                              "valeurs distinctes", "première valeur", "dernière valeur", "part"};

static int _resolve(const rcp_recipe *r, int ti, const char *name, res *out, int depth);

/* The group label of aggregation a of table c ("Active bureau credits", "Bureau credits"). */
static void _group_label(const rcp_table *c, const rcp_aggspec *a, int lang, char *out, size_t cap)
{
    const char *g = _pick(&a->where_label, lang);
    if (g) {
        snprintf(out, cap, "%s", g);
        return;
    }
    g = _pick(&c->label, lang);
    if (!g) g = c->name;
    if (a->where_column) {
        size_t n = (size_t)snprintf(out, cap, "%s (", g);
        for (int i = 0; i < a->n_where && n < cap; i++)
            n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? ", " : "", a->where_values[i]);
        if (n < cap) snprintf(out + n, cap - n, ")");
    } else {
        snprintf(out, cap, "%s", g);
    }
}

/* Fill out for aggregate op of entry a of child table ci; inner (may be NULL: the rows)
 * is the resolved inner column, cat the share's category. */
static void _agg_fill(const rcp_recipe *r, int ci, const rcp_aggspec *a, rcp_agg op, const res *inner,
                      const rcp_column *share_col, const char *cat, res *out)
{
    const rcp_table *c = &r->tables[ci];
    memset(out, 0, sizeof *out);
    out->m.table = c;
    out->m.is_aggregate = 1;
    out->m.agg = op;
    out->m.spec = a;
    if (inner) {
        out->m.column = inner->m.column;
        out->m.protected_attr = inner->m.protected_attr;
        out->m.actionable = inner->m.actionable;
        memcpy(out->m.category, inner->m.category, sizeof out->m.category);
    }
    if (share_col) {
        out->m.column = share_col;
        out->m.protected_attr = share_col->protected_attr;
        out->m.actionable = share_col->actionable;
        snprintf(out->m.category, sizeof out->m.category, "%s", cat);
    }
    switch (op) {
    case RCP_AGG_SHARE: out->m.unit = RCP_UNIT_SHARE; break;
    case RCP_AGG_COUNT:
    case RCP_AGG_SIZE:
    case RCP_AGG_NUNIQUE: out->m.unit = RCP_UNIT_COUNT; break;
    case RCP_AGG_VAR: out->m.unit = RCP_UNIT_NONE; break;
    case RCP_AGG_MEAN: out->m.unit = inner && inner->m.unit == RCP_UNIT_FLAG ? RCP_UNIT_SHARE : inner ? inner->m.unit : RCP_UNIT_NONE; break;
    case RCP_AGG_SUM: out->m.unit = inner && inner->m.unit == RCP_UNIT_FLAG ? RCP_UNIT_COUNT : inner ? inner->m.unit : RCP_UNIT_NONE; break;
    default: out->m.unit = inner ? inner->m.unit : RCP_UNIT_NONE; break;
    }
    for (int lang = 0; lang < 2; lang++) {
        char group[200], what[300];
        _group_label(c, a, lang, group, sizeof group);
        if (op == RCP_AGG_SHARE) {
            const char *tmpl = _pick(&share_col->share_label, lang);
            const char *cl = _cat_label(share_col, cat, lang);
            if (tmpl) {
                _template(tmpl, cl, what, sizeof what);
            } else {
                char lab[200];
                snprintf(lab, sizeof lab, "%s", _col_label(share_col, lang));
                _lower_first(lab);
                snprintf(what, sizeof what, lang == RCP_FR ? "part avec %s %s" : "share with %s %s", lab, cl);
            }
            snprintf(out->label[lang], LBL_MAX, lang == RCP_FR ? "%s : %s" : "%s: %s", group, what);
        } else if (!inner || op == RCP_AGG_SIZE) {
            snprintf(out->label[lang], LBL_MAX, lang == RCP_FR ? "%s : %s" : "%s: %s", group,
                     lang == RCP_FR ? _op_fr[RCP_AGG_SIZE] : _op_en[RCP_AGG_SIZE]); /* rows, or a size */
        } else {
            _copy(what, sizeof what, inner->label[lang]);
            if (lang == RCP_FR) {
                _lower_first(what);
                snprintf(out->label[lang], LBL_MAX, "%s : %s (%s)", group, what, _op_fr[op]);
            } else {
                _lower_first(what);
                snprintf(out->label[lang], LBL_MAX, "%s: %s %s", group, _op_en[op], what);
            }
        }
    }
}

/* Try name as an output of aggregation entry a of child table ci. */
static int _try_agg(const rcp_recipe *r, int ci, const rcp_aggspec *a, const char *name, res *out, int depth)
{
    const rcp_table *c = &r->tables[ci];
    size_t plen = strlen(a->prefix), nlen = strlen(name);
    const char *rest;
    if (a->name) {
        res inner;
        if (strcmp(a->name, name)) return 0;
        if (!a->column) {
            _agg_fill(r, ci, a, a->ops[0], NULL, NULL, NULL, out);
            return 1;
        }
        if (!_resolve(r, ci, a->column, &inner, depth + 1)) return 0;
        _agg_fill(r, ci, a, a->ops[0], &inner, NULL, NULL, out);
        return 1;
    }
    if (plen) {
        if (nlen <= plen + 1 || strncmp(name, a->prefix, plen) || name[plen] != '_') return 0;
        rest = name + plen + 1;
    } else {
        rest = name;
    }
    for (int q = 0; q < a->n_ops; q++) {
        rcp_agg op = a->ops[q];
        const char *suf = rcp_agg_suffix(op);
        size_t rlen = strlen(rest), slen = strlen(suf);
        char inner_name[512];
        res inner;
        if (!a->column) {
            if (!strcmp(rest, suf)) {
                _agg_fill(r, ci, a, op, NULL, NULL, NULL, out);
                return 1;
            }
            continue;
        }
        if (rlen <= slen + 1 || strcmp(rest + rlen - slen, suf) || rest[rlen - slen - 1] != '_') continue;
        if (rlen - slen - 1 >= sizeof inner_name) continue;
        memcpy(inner_name, rest, rlen - slen - 1);
        inner_name[rlen - slen - 1] = 0;
        if (op == RCP_AGG_SHARE) {
            size_t cl = strlen(a->column);
            const rcp_column *col = rcp_table_column(c, a->column);
            if (!col || strncmp(inner_name, a->column, cl) || inner_name[cl] != '_' || !inner_name[cl + 1]) continue;
            _agg_fill(r, ci, a, op, NULL, col, inner_name + cl + 1, out);
            return 1;
        }
        if (strchr(a->column, '*') ? !rcp__glob(a->column, inner_name) : strcmp(a->column, inner_name) != 0) continue;
        if (!_resolve(r, ci, inner_name, &inner, depth + 1)) continue;
        _agg_fill(r, ci, a, op, &inner, NULL, NULL, out);
        return 1;
    }
    return 0;
}

static int _resolve(const rcp_recipe *r, int ti, const char *name, res *out, int depth)
{
    const rcp_table *t = &r->tables[ti];
    const rcp_column *c = rcp_table_column(t, name), *best = NULL;
    size_t best_len = 0;
    if (depth > r->n_tables + 1) return 0;
    memset(out, 0, sizeof *out);
    if (c) {
        out->m.table = t;
        out->m.column = c;
        out->m.unit = c->unit;
        out->m.profile = c->profile;
        out->m.protected_attr = c->protected_attr;
        out->m.actionable = c->actionable;
        for (int lang = 0; lang < 2; lang++) snprintf(out->label[lang], LBL_MAX, "%s", _col_label(c, lang));
        return 1;
    }
    /* a one-hot dummy: the longest encoded column name that is a prefix */
    for (int k = 0; k < t->n_cols; k++) {
        const rcp_column *e = &t->cols[k];
        size_t l = strlen(e->name);
        if (e->role != RCP_ROLE_CATEGORICAL || (e->encode != RCP_ENC_ONEHOT && e->encode != RCP_ENC_ONEHOT_NAN)) continue;
        if (strncmp(name, e->name, l) || name[l] != '_' || !name[l + 1] || l <= best_len) continue;
        best = e;
        best_len = l;
    }
    if (best) {
        const char *cat = name + best_len + 1;
        out->m.table = t;
        out->m.column = best;
        out->m.unit = RCP_UNIT_FLAG;
        out->m.protected_attr = best->protected_attr;
        out->m.actionable = best->actionable;
        snprintf(out->m.category, sizeof out->m.category, "%s", cat);
        for (int lang = 0; lang < 2; lang++)
            snprintf(out->label[lang], LBL_MAX, lang == RCP_FR ? "%s : %s" : "%s: %s", _col_label(best, lang),
                     _cat_label(best, cat, lang));
        return 1;
    }
    for (int ci = 0; ci < r->n_tables; ci++) {
        const rcp_table *ct = &r->tables[ci];
        if (ct->parent_index != ti) continue;
        for (int k = 0; k < ct->n_aggs; k++)
            if (_try_agg(r, ci, &ct->aggs[k], name, out, depth)) return 1;
    }
    memset(out, 0, sizeof *out);
    return 0;
}

int rcp_meta_lookup(const rcp_recipe *r, const char *name, rcp_meta *out)
{
    res *x;
    int ok;
    assert(r && name && out);
    memset(out, 0, sizeof *out);
    if (!(x = malloc(sizeof *x))) return 0;
    ok = _resolve(r, r->root, name, x, 0);
    if (ok) *out = x->m;
    free(x);
    return ok;
}

size_t rcp_meta_label(const rcp_recipe *r, const char *name, rcp_lang lang, char *out, size_t cap)
{
    res *x;
    int n;
    assert(r && name && out && cap > 0);
    if (!(x = malloc(sizeof *x)) || !_resolve(r, r->root, name, x, 0)) n = snprintf(out, cap, "%s", name);
    else n = snprintf(out, cap, "%s", x->label[lang == RCP_FR]);
    free(x);
    if (n < 0) n = 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

rcp_unit rcp_meta_unit(const rcp_recipe *r, const char *name)
{
    rcp_meta m;
    return rcp_meta_lookup(r, name, &m) ? m.unit : RCP_UNIT_NONE;
}

int rcp_meta_is_profile(const rcp_recipe *r, const char *name)
{
    rcp_meta m;
    return rcp_meta_lookup(r, name, &m) && m.profile;
}

int rcp_meta_is_protected(const rcp_recipe *r, const char *name)
{
    rcp_meta m;
    return rcp_meta_lookup(r, name, &m) && m.protected_attr;
}

int rcp_meta_is_actionable(const rcp_recipe *r, const char *name)
{
    rcp_meta m;
    return rcp_meta_lookup(r, name, &m) && m.actionable;
}

int rcp_profile_fields(const rcp_recipe *r, const rcp_column **out, int cap)
{
    const rcp_table *t;
    int n = 0;
    assert(r && (out || cap == 0));
    t = &r->tables[r->root];
    for (int k = 0; k < t->n_cols; k++)
        if (t->cols[k].profile) {
            if (n < cap) out[n] = &t->cols[k];
            n++;
        }
    for (int k = 0; k < t->n_derived; k++)
        if (t->derived[k].profile) {
            if (n < cap) out[n] = &t->derived[k];
            n++;
        }
    return n;
}

/* ---- formatting ------------------------------------------------------------------------------ */

/* v rounded to decimals places, with thousands separators (en ",", fr " ") and the decimal
 * mark (en ".", fr ","). */
static void _grouped(double v, int decimals, int lang, char *out, size_t cap)
{
    char digits[64], *dot;
    size_t o = 0, ilen;
    const char *sep = lang == RCP_FR ? " " : ",";
    int neg;
    snprintf(digits, sizeof digits, "%.*f", decimals, v);
    neg = digits[0] == '-';
    dot = strchr(digits, '.');
    ilen = dot ? (size_t)(dot - digits) : strlen(digits);
    if (neg && strspn(digits + 1, "0.") == strlen(digits + 1)) neg = 0; /* "-0" */
    if (neg && o + 1 < cap) out[o++] = '-';
    for (size_t i = (size_t)(digits[0] == '-'); i < ilen && o + 2 < cap; i++) {
        size_t left = ilen - i;
        out[o++] = digits[i];
        if (left > 1 && (left - 1) % 3 == 0 && o + 1 < cap) out[o++] = sep[0];
    }
    if (dot && o + 1 < cap) {
        out[o++] = lang == RCP_FR ? ',' : '.';
        for (const char *d = dot + 1; *d && o + 1 < cap; d++) out[o++] = *d;
    }
    out[o] = 0;
}

/* A plain number with up to prec significant digits, the language's decimal mark. */
static void _plain(double v, int prec, int lang, char *out, size_t cap)
{
    snprintf(out, cap, "%.*g", prec, v);
    if (lang == RCP_FR)
        for (char *p = out; *p; p++)
            if (*p == '.') *p = ',';
}

/* "n unit" with the singular for 1. */
static size_t _with_unit(char *out, size_t cap, const char *num, double v, const char *one, const char *many)
{
    int n = snprintf(out, cap, "%s %s", num, fabs(v) == 1.0 ? one : many);
    if (n < 0) n = 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

size_t rcp_format_value(rcp_unit unit, const char *currency, double v, rcp_lang lang, char *out, size_t cap)
{
    char num[96];
    int fr = lang == RCP_FR, n;
    assert(out && cap > 0);
    if (isnan(v)) {
        n = snprintf(out, cap, "%s", fr ? "manquant" : "missing");
        return (size_t)n < cap ? (size_t)n : cap - 1;
    }
    if (isinf(v)) {
        n = snprintf(out, cap, "%s", v > 0 ? "∞" : "-∞");
        return (size_t)n < cap ? (size_t)n : cap - 1;
    }
    switch (unit) {
    case RCP_UNIT_COUNT:
        _grouped(v, v == floor(v) ? 0 : 1, lang, num, sizeof num);
        n = snprintf(out, cap, "%s", num);
        break;
    case RCP_UNIT_CURRENCY:
        _grouped(v, fabs(v) >= 100 || v == floor(v) ? 0 : 2, lang, num, sizeof num);
        n = currency ? snprintf(out, cap, "%s %s", num, currency) : snprintf(out, cap, "%s", num);
        break;
    case RCP_UNIT_SHARE:
        _grouped(v * 100, 1, lang, num, sizeof num);
        n = snprintf(out, cap, fr ? "%s %%" : "%s%%", num);
        break;
    case RCP_UNIT_PERCENT:
        _grouped(v, 1, lang, num, sizeof num);
        n = snprintf(out, cap, fr ? "%s %%" : "%s%%", num);
        break;
    case RCP_UNIT_RATIO:
        _plain(v, 3, lang, num, sizeof num);
        n = snprintf(out, cap, "%s", num);
        break;
    case RCP_UNIT_AGE_DAYS: {
        double years = floor(fabs(v) / 365.25);
        snprintf(num, sizeof num, "%.0f", years);
        return _with_unit(out, cap, num, years, fr ? "an" : "year", fr ? "ans" : "years");
    }
    case RCP_UNIT_DURATION_DAYS: {
        double years = fabs(v) / 365.25;
        _grouped(years, 1, lang, num, sizeof num);
        return _with_unit(out, cap, num, round(years * 10) / 10, fr ? "an" : "year", fr ? "ans" : "years");
    }
    case RCP_UNIT_DAYS:
        _grouped(v, v == floor(v) ? 0 : 1, lang, num, sizeof num);
        return _with_unit(out, cap, num, v, fr ? "jour" : "day", fr ? "jours" : "days");
    case RCP_UNIT_MONTHS:
        _grouped(v, v == floor(v) ? 0 : 1, lang, num, sizeof num);
        return _with_unit(out, cap, num, v, "mois", fr ? "mois" : "months");
    case RCP_UNIT_YEARS:
        _grouped(v, v == floor(v) ? 0 : 1, lang, num, sizeof num);
        return _with_unit(out, cap, num, v, fr ? "an" : "year", fr ? "ans" : "years");
    case RCP_UNIT_FLAG:
        n = snprintf(out, cap, "%s", v != 0 ? (fr ? "oui" : "yes") : (fr ? "non" : "no"));
        break;
    default:
        _plain(v, 6, lang, num, sizeof num);
        n = snprintf(out, cap, "%s", num);
        break;
    }
    if (n < 0) n = 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

int rcp_meta_value_label(const rcp_recipe *r, const char *name, const char *value, rcp_lang lang, char *out,
                         size_t cap)
{
    static const char *const yes[] = {"1", "y", "yes", "true", "t"}, *const no[] = {"0", "n", "no", "false", "f"};
    const rcp_table *t;
    const rcp_column *c = NULL;
    int truth = -1;
    if (!r || !name || !value || !cap) return 0;
    t = &r->tables[r->root];
    for (int k = 0; k < t->n_cols && !c; k++)
        if (!strcmp(t->cols[k].name, name)) c = &t->cols[k];
    if (!c) return 0;
    if (c->role == RCP_ROLE_CATEGORICAL) {
        for (int i = 0; i < c->n_cat_labels; i++)
            if (!strcmp(c->cat_labels[i].value, value)) {
                const char *l = _pick(&c->cat_labels[i].label, lang);
                if (!l) return 0;
                snprintf(out, cap, "%s", l);
                return 1;
            }
        return 0;
    }
    if (c->role != RCP_ROLE_FLAG || !*value) return 0;
    if (c->true_value) {
        truth = !strcmp(value, c->true_value);
    } else {
        for (size_t k = 0; k < 5 && truth < 0; k++) {
            if (!strcasecmp(value, yes[k])) truth = 1;
            else if (!strcasecmp(value, no[k])) truth = 0;
        }
    }
    if (truth < 0) return 0;
    snprintf(out, cap, "%s", truth ? (lang == RCP_FR ? "oui" : "yes") : (lang == RCP_FR ? "non" : "no"));
    return 1;
}

size_t rcp_meta_format(const rcp_recipe *r, const char *name, double v, rcp_lang lang, char *out, size_t cap)
{
    return rcp_format_value(rcp_meta_unit(r, name), r->currency, v, lang, out, cap);
}

/* ---- the inputs ------------------------------------------------------------------------------- */

/* put item into parent (under key in an object, appended to an array when key is NULL);
 * returns item, or NULL when item is NULL or the insertion failed (item freed): every
 * failed allocation of the document is seen, none leaves an item dropped in silence */
static cJSON *_put(cJSON *parent, const char *key, cJSON *item)
{
    if (!item) return NULL;
    if (key ? !cJSON_AddItemToObject(parent, key, item) : !cJSON_AddItemToArray(parent, item)) {
        cJSON_Delete(item);
        return NULL;
    }
    return item;
}

static cJSON *_label_json(const rcp_label *l)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    if ((l->en && !_put(o, "en", cJSON_CreateString(l->en))) || (l->fr && !_put(o, "fr", cJSON_CreateString(l->fr)))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* one column of rcp_inputs_json into cols; 0, or -1 when an allocation failed */
static int _column_json(cJSON *cols, const rcp_column *c)
{
    cJSON *co = _put(cols, NULL, cJSON_CreateObject());
    if (!co || !_put(co, "name", cJSON_CreateString(c->name)) ||
        !_put(co, "role", cJSON_CreateString(rcp_role_name(c->role))) ||
        !_put(co, "required", cJSON_CreateBool(c->required)))
        return -1;
    if ((c->label.en || c->label.fr) && !_put(co, "label", _label_json(&c->label))) return -1;
    if (c->unit != RCP_UNIT_NONE && !_put(co, "unit", cJSON_CreateString(rcp_unit_name(c->unit)))) return -1;
    if (c->profile && !_put(co, "profile", cJSON_CreateTrue())) return -1;
    if (c->protected_attr && !_put(co, "protected", cJSON_CreateTrue())) return -1;
    if (c->actionable && !_put(co, "actionable", cJSON_CreateTrue())) return -1;
    if (c->n_cat_labels) {  /* a person's words for the category values (the page translates them) */
        cJSON *cl = _put(co, "category_labels", cJSON_CreateObject());
        if (!cl) return -1;
        for (int v = 0; v < c->n_cat_labels; v++)
            if (!_put(cl, c->cat_labels[v].value, _label_json(&c->cat_labels[v].label))) return -1;
    }
    return 0;
}

/* one table of rcp_inputs_json into tables; 0, or -1 when an allocation failed */
static int _table_json(cJSON *tables, const rcp_table *t)
{
    cJSON *o = _put(tables, NULL, cJSON_CreateObject()), *files, *cols;
    if (!o || !_put(o, "name", cJSON_CreateString(t->name)) || !(files = _put(o, "files", cJSON_CreateArray())))
        return -1;
    for (int f = 0; f < t->n_files; f++)
        if (!_put(files, NULL, cJSON_CreateString(t->files[f]))) return -1;
    if ((t->key && !_put(o, "key", cJSON_CreateString(t->key))) ||
        (t->parent && !_put(o, "parent", cJSON_CreateString(t->parent))) ||
        (t->link && !_put(o, "link", cJSON_CreateString(t->link))) ||
        !_put(o, "optional", cJSON_CreateBool(t->optional)) || !(cols = _put(o, "columns", cJSON_CreateArray())))
        return -1;
    for (int k = 0; k < t->n_cols; k++)
        if (_column_json(cols, &t->cols[k])) return -1;
    return 0;
}

cs_status rcp_inputs_json(const rcp_recipe *r, cs_buf *out, cs_err *err)
{
    cJSON *doc = cJSON_CreateObject(), *tables;
    char *text;
    cs_status st;
    assert(r && out);
    if (!doc) return cs_err_set(err, CS_ENOMEM, "out of memory");
    if (!_put(doc, "recipe", cJSON_CreateString(r->name)) || !(tables = _put(doc, "tables", cJSON_CreateArray()))) {
        cJSON_Delete(doc);
        return cs_err_set(err, CS_ENOMEM, "out of memory writing the recipe's inputs");
    }
    for (int i = 0; i < r->n_tables; i++)
        if (_table_json(tables, &r->tables[i])) {
            cJSON_Delete(doc);
            return cs_err_set(err, CS_ENOMEM, "out of memory writing the recipe's inputs");
        }
    text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    if (!text) return cs_err_set(err, CS_ENOMEM, "out of memory");
    st = cs_buf_puts(out, text, err);
    free(text);
    return st;
}
