/*
 * engine.c: features from a recipe (contract in engine.h, format in docs/recipes.md).
 *
 * 1. Binding: each table of the data becomes a "bound table": its rows (the files one after
 *    the other), its dropped rows, its key and link values, and a namespace of value columns
 *    (vcols) in the documented order: file columns of numeric roles and factorized
 *    categoricals in recipe order, one-hot dummies, derived columns, then the outputs of its
 *    children's aggregations. Dummies and derived columns are virtual (computed when read),
 *    so nothing of the size of a table is copied but what must be (sentinels replaced, flags
 *    and dates read from text, files concatenated).
 * 2. The plan: each aggregation entry of each child, with the spec's categories, becomes a
 *    list of items (a vcol, a categorical column's counts, or the rows) and output names.
 * 3. Aggregation: tables deepest first; the child's rows are grouped by its link (counting
 *    sort, file order kept within a group), then for every row of the parent (in parallel)
 *    each item is accumulated over the rows of that row's key: into new vcols of the parent,
 *    or, for the root, straight into the feature matrix.
 * The accumulators are agg.h's, in file order, so that sums, means and variances are pandas'
 * (and so the public kernel's, with recipes/homecredit-kernel.json) to the bit.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "agg.h"
#include "engine.h"
#include "feat_int.h"
#include "group.h"


/* ---- reading ---------------------------------------------------------------------------- */

static tbl_type _read_type(const rcp_column *c)
{
    switch (c->role) {
    case RCP_ROLE_NUMERIC:
    case RCP_ROLE_DAYS:
    case RCP_ROLE_TARGET: return TBL_NUM;
    case RCP_ROLE_ID: return c->text ? TBL_CAT : TBL_NUM;
    default: return TBL_CAT; /* categorical, flag, date, ignore: text, converted on binding */
    }
}

tbl_schema *feat_recipe_schema(const rcp_recipe *r, int ti, cs_err *err)
{
    const rcp_table *t;
    tbl_schema *s;
    tbl_colspec *cols;
    assert(r && ti >= 0 && ti < r->n_tables);
    t = &r->tables[ti];
    s = cs_calloc(1, sizeof *s, err);
    cols = cs_calloc((size_t)t->n_cols, sizeof *cols, err);
    if (!s || !cols) {
        free(s);
        free(cols);
        return NULL;
    }
    for (int k = 0; k < t->n_cols; k++) {
        cols[k].name = t->cols[k].name;
        cols[k].type = _read_type(&t->cols[k]);
        cols[k].required = t->cols[k].required && t->cols[k].role != RCP_ROLE_IGNORE;
        /* keys and links are ids: kept exactly or refused (never rounded to a double) */
        cols[k].whole = cols[k].type == TBL_NUM &&
                        (t->cols[k].role == RCP_ROLE_ID || (t->key && !strcmp(t->cols[k].name, t->key)) ||
                         (t->link && !strcmp(t->cols[k].name, t->link)));
    }
    s->table = t->name;
    s->n_cols = t->n_cols;
    s->cols = cols;
    return s;
}

void feat_recipe_schema_free(tbl_schema *s)
{
    if (!s) return;
    free((void *)s->cols);
    free(s);
}

void feat_rdata_free(feat_rdata *d)
{
    if (!d) return;
    for (int i = 0; i < d->n_tables; i++)
        for (int p = 0; p < d->t[i].n_parts; p++) tbl_free(d->t[i].parts[p]);
    free(d->t);
    d->t = NULL;
    d->n_tables = 0;
}

cs_status feat_rdata_view_hc(const rcp_recipe *r, tbl *const t[HC_N_TABLES], feat_rdata *out, cs_err *err)
{
    memset(out, 0, sizeof *out);
    if (!(out->t = cs_calloc((size_t)r->n_tables, sizeof *out->t, err))) return CS_ENOMEM;
    out->n_tables = r->n_tables;
    for (int i = 0; i < r->n_tables; i++)
        for (int f = 0; f < r->tables[i].n_files && out->t[i].n_parts < FEAT_MAX_PARTS; f++) {
            int h = hc_table_from_file(r->tables[i].files[f]);
            if (h >= 0 && t[h]) out->t[i].parts[out->t[i].n_parts++] = t[h];
        }
    return CS_OK;
}

void feat_rdata_view_free(feat_rdata *d)
{
    if (!d) return;
    free(d->t);
    d->t = NULL;
    d->n_tables = 0;
}

cs_status feat_rdata_read(const rcp_recipe *r, const char *dir, feat_rdata *out, FILE *log, cs_err *err)
{
    cs_status st;
    assert(r && dir && out);
    memset(out, 0, sizeof *out);
    if ((st = rcp_check_data(r, dir, err))) return st;
    if (!(out->t = cs_calloc((size_t)r->n_tables, sizeof *out->t, err))) return CS_ENOMEM;
    out->n_tables = r->n_tables;
    for (int i = 0; i < r->n_tables; i++) {
        const rcp_table *t = &r->tables[i];
        tbl_schema *sc = feat_recipe_schema(r, i, err);
        if (!sc) {
            feat_rdata_free(out);
            return CS_ENOMEM;
        }
        if (t->n_files > FEAT_MAX_PARTS) {
            feat_recipe_schema_free(sc);
            feat_rdata_free(out);
            return cs_err_set(err, CS_EUNSUPPORTED, "%s: table %s has %d files (at most %d)", r->source, t->name,
                              t->n_files, FEAT_MAX_PARTS);
        }
        for (int f = 0; f < t->n_files; f++) {
            char path[4096], label[160];
            struct stat sb;
            tbl_read_opts o = {0};
            tbl *x;
            if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, t->files[f]) >= sizeof path || stat(path, &sb))
                continue; /* rcp_check_data said which may be absent */
            o.schema = sc;
            o.allow_extra = 1;
            snprintf(label, sizeof label, "reading %s", t->files[f]);
            o.progress = log ? cs_progress_create(log, label, (uint64_t)sb.st_size ? (uint64_t)sb.st_size : 1) : NULL;
            x = tbl_read_csv_opts(path, &o, err);
            if (x) {
                char note[64];
                snprintf(note, sizeof note, "%zu rows", x->n_rows);
                cs_progress_finish(o.progress, note);
            }
            cs_progress_free(o.progress);
            if (!x) {
                feat_recipe_schema_free(sc);
                feat_rdata_free(out);
                return err ? err->code : CS_EPARSE;
            }
            out->t[i].parts[out->t[i].n_parts++] = x;
        }
        feat_recipe_schema_free(sc);
    }
    return CS_OK;
}

/* ---- the spec of a recipe ------------------------------------------------------------------ */

static int _spec_col(const rcp_column *c)
{
    return c->role == RCP_ROLE_CATEGORICAL;
}

cs_status feat__recipe_enc_init(feat_spec *s, cs_err *err)
{
    const rcp_recipe *r = s->recipe;
    s->n_enc = 0;
    for (int i = 0; i < r->n_tables; i++)
        for (int k = 0; k < r->tables[i].n_cols; k++) {
            const rcp_column *c = &r->tables[i].cols[k];
            feat_enc *e;
            if (!_spec_col(c)) continue;
            if (s->n_enc == FEAT_MAX_ENC)
                return cs_err_set(err, CS_EUNSUPPORTED, "%s: more than %d categorical columns", r->source, FEAT_MAX_ENC);
            e = &s->enc[s->n_enc++];
            memset(e, 0, sizeof *e);
            e->rtable = i;
            e->col = c->name;
            e->kind = c->encode == RCP_ENC_FACTORIZE ? FEAT_ENC_FACTORIZE
                      : c->encode == RCP_ENC_ONEHOT_NAN || c->nan_category ? FEAT_ENC_ONEHOT_NAN
                                                                            : FEAT_ENC_ONEHOT;
        }
    return CS_OK;
}

static int _enc_of(const feat_spec *s, int ti, const char *col)
{
    for (int k = 0; k < s->n_enc; k++)
        if (s->enc[k].rtable == ti && !strcmp(s->enc[k].col, col)) return k;
    return -1;
}

const rcp_recipe *feat_spec_recipe(const feat_spec *s)
{
    return s ? s->recipe : NULL;
}

/* The rows of table part x dropped by the table's drop rules: drop[r] = 1 (drop may be NULL
 * when the table has no rules). */
static void _drops(const rcp_table *t, const tbl *x, unsigned char *drop)
{
    for (int k = 0; k < t->n_drops; k++) {
        const rcp_drop *d = &t->drops[k];
        const tbl_column *c = tbl_col(x, d->column);
        unsigned char *hit;
        if (!c || c->type != TBL_CAT || c->n_cats == 0) continue;
        hit = calloc((size_t)c->n_cats, 1);
        if (!hit) continue;
        for (int32_t q = 0; q < c->n_cats; q++)
            for (int v = 0; v < d->n_values; v++)
                if (!strcmp(c->cats[q], d->values[v])) hit[q] = 1;
        for (size_t r = 0; r < x->n_rows; r++)
            if (c->codes[r] >= 0 && hit[c->codes[r]]) drop[r] = 1;
        free(hit);
    }
}

static int _cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static cs_status _add_cat(feat_enc *e, const char *v, int *cap, cs_err *err)
{
    for (int c = 0; c < e->n_cats; c++)
        if (!strcmp(e->cats[c], v)) return CS_OK;
    if (e->n_cats == *cap) {
        int nc = *cap ? *cap * 2 : 8;
        char **p = cs_reallocarray(e->cats, (size_t)nc, sizeof *p, err);
        if (!p) return CS_ENOMEM;
        e->cats = p;
        *cap = nc;
    }
    if (!(e->cats[e->n_cats] = cs_strdup(v, err))) return CS_ENOMEM;
    e->n_cats++;
    return CS_OK;
}

feat_spec *feat_recipe_spec_derive(const rcp_recipe *r, const feat_rdata *d, cs_err *err)
{
    feat_spec *s;
    assert(r && d && d->n_tables == r->n_tables);
    if (!(s = cs_calloc(1, sizeof *s, err))) return NULL;
    if (!(s->recipe = rcp_parse_string(r->source, r->text, strlen(r->text), err)) || feat__recipe_enc_init(s, err))
        goto fail;
    for (int k = 0; k < s->n_enc; k++) {
        feat_enc *e = &s->enc[k];
        const rcp_table *t = &r->tables[e->rtable];
        const feat_rtable *dt = &d->t[e->rtable];
        int cap = 0;
        for (int p = 0; p < dt->n_parts; p++) {
            const tbl *x = dt->parts[p];
            const tbl_column *c = tbl_col(x, e->col);
            unsigned char *seen, *drop = NULL;
            if (!c || c->type != TBL_CAT) continue;
            seen = cs_calloc((size_t)c->n_cats + 1, 1, err);
            if (t->n_drops) drop = cs_calloc(x->n_rows ? x->n_rows : 1, 1, err);
            if (!seen || (t->n_drops && !drop)) {
                free(seen);
                free(drop);
                goto fail;
            }
            if (drop) _drops(t, x, drop);
            for (size_t row = 0; row < x->n_rows; row++) {
                int32_t code = c->codes[row];
                if (code < 0 || seen[code] || (drop && drop[row])) continue;
                seen[code] = 1;
                if (_add_cat(e, c->cats[code], &cap, err)) {
                    free(seen);
                    free(drop);
                    goto fail;
                }
            }
            free(seen);
            free(drop);
        }
        if (e->kind != FEAT_ENC_FACTORIZE && e->n_cats > 1) qsort(e->cats, (size_t)e->n_cats, sizeof *e->cats, _cmp_str);
    }
    if (feat__recipe_names(s, err)) goto fail;
    return s;
fail:
    feat_spec_free(s);
    return NULL;
}

/* ---- bound tables and their value columns ---------------------------------------------------- */

typedef enum _vkind { VC_NUM = 0, VC_DUMMY, VC_FACTOR, VC_DERIVED } _vkind;

typedef struct _vcol {
    char *name;            /* owned */
    _vkind kind;
    const double *num;     /* VC_NUM: n values */
    const int32_t *cat;    /* VC_DUMMY / VC_FACTOR: spec category per row (n_cats = missing, -2 unseen) */
    int j;                 /* VC_DUMMY: the category (n_cats: the _nan dummy) */
    int n_cats;
    const rcp_derive *d;   /* VC_DERIVED */
    int a, b;              /* VC_DERIVED: operand vcols, -1 for the constants */
    int is_flag;           /* a 0/1 value (dummy or flag): for units only */
} _vcol;

/* A categorical column bound to the spec. */
typedef struct _bcat {
    const rcp_column *col;
    int enc;
    int n_cats;
    int32_t *idx;          /* per row: spec category, n_cats missing, -2 unseen (owned) */
} _bcat;

typedef struct _btab {
    const rcp_table *rt;
    size_t n;                  /* rows of all parts */
    unsigned char *drop;       /* per row, 1 = dropped (NULL: none) */
    const double *key;         /* the key's values (NULL: none) */
    const double *link;        /* the link's values (children) */
    int n_v, cap_v;
    _vcol *v;
    int n_cat;
    _bcat *cat;
    int n_owned, cap_owned;
    void **owned;              /* arrays freed with the table */
} _btab;

static cs_status _own(_btab *b, void *p, cs_err *err)
{
    if (b->n_owned == b->cap_owned) {
        int nc = b->cap_owned ? b->cap_owned * 2 : 16;
        void **q = cs_reallocarray(b->owned, (size_t)nc, sizeof *q, err);
        if (!q) return CS_ENOMEM;
        b->owned = q;
        b->cap_owned = nc;
    }
    b->owned[b->n_owned++] = p;
    return CS_OK;
}

static _vcol *_vadd(_btab *b, const char *name, cs_err *err)
{
    _vcol *v;
    if (b->n_v == b->cap_v) {
        int nc = b->cap_v ? b->cap_v * 2 : 64;
        _vcol *q = cs_reallocarray(b->v, (size_t)nc, sizeof *q, err);
        if (!q) return NULL;
        b->v = q;
        b->cap_v = nc;
    }
    v = &b->v[b->n_v];
    memset(v, 0, sizeof *v);
    v->a = v->b = -1;
    if (!(v->name = cs_strdup(name, err))) return NULL;
    b->n_v++;
    return v;
}

static int _vfind(const _btab *b, const char *name)
{
    for (int i = 0; i < b->n_v; i++)
        if (!strcmp(b->v[i].name, name)) return i;
    return -1;
}

static void _btab_free(_btab *b)
{
    for (int i = 0; i < b->n_v; i++) free(b->v[i].name);
    free(b->v);
    for (int i = 0; i < b->n_cat; i++) free(b->cat[i].idx);
    free(b->cat);
    for (int i = 0; i < b->n_owned; i++) free(b->owned[i]);
    free(b->owned);
    free(b->drop);
    memset(b, 0, sizeof *b);
}

/* The value of vcol i of table b at row r. */
static double _get(const _btab *b, int i, size_t r)
{
    const _vcol *v = &b->v[i];
    switch (v->kind) {
    case VC_NUM: return v->num[r];
    case VC_DUMMY: return v->cat[r] == v->j ? 1.0 : 0.0;
    case VC_FACTOR: {
        int32_t d = v->cat[r];
        return d >= 0 && d < v->n_cats ? (double)d : -1.0;
    }
    default: {
        double x = v->a >= 0 ? _get(b, v->a, r) : v->d->a.value;
        double y = v->b >= 0 ? _get(b, v->b, r) : v->d->b.value;
        return rcp_derive_apply(v->d, x, y);
    }
    }
}

/* A numeric column of the parts, contiguous (borrowed when one part holds it as is). */
static const double *_num_of(_btab *b, const feat_rtable *dt, const rcp_column *c, cs_err *err)
{
    double *out;
    size_t o = 0;
    const tbl_column *tc;
    if (dt->n_parts == 1 && c->n_sentinels == 0 && (tc = tbl_col(dt->parts[0], c->name)) && tc->type == TBL_NUM)
        return tc->num;
    if (!(out = cs_malloc((b->n ? b->n : 1) * sizeof *out, err)) || _own(b, out, err)) {
        free(out);
        return NULL;
    }
    for (int p = 0; p < dt->n_parts; p++) {
        const tbl *x = dt->parts[p];
        tc = tbl_col(x, c->name);
        for (size_t r = 0; r < x->n_rows; r++) {
            double v = tc && tc->type == TBL_NUM ? tc->num[r] : NAN;
            for (int s = 0; s < c->n_sentinels; s++)
                if (v == c->sentinels[s]) v = NAN;
            out[o++] = v;
        }
    }
    return out;
}

/* The value of flag text v (true_value, or the usual spellings, or a number). */
static int _flag_value(const rcp_column *c, const char *v, double *out)
{
    static const char *const yes[] = {"1", "y", "yes", "true", "t"}, *const no[] = {"0", "n", "no", "false", "f"};
    char *end;
    if (c->true_value) {
        *out = strcmp(v, c->true_value) == 0;
        return 0;
    }
    for (size_t k = 0; k < 5; k++) {
        if (!strcasecmp(v, yes[k])) {
            *out = 1;
            return 0;
        }
        if (!strcasecmp(v, no[k])) {
            *out = 0;
            return 0;
        }
    }
    *out = strtod(v, &end);
    return *v && !*end ? 0 : -1;
}

/* Days since 1970-01-01 of an ISO date YYYY-MM-DD (proleptic Gregorian). */
static int _date_value(const char *v, double *out)
{
    int y, m, d, n = 0;
    long yy, era, yoe, doy, doe;
    if (sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || v[n] || m < 1 || m > 12 || d < 1 || d > 31) return -1;
    yy = y - (m <= 2);
    era = (yy >= 0 ? yy : yy - 399) / 400;
    yoe = yy - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *out = (double)(era * 146097 + doe - 719468);
    return 0;
}

/* A flag or date column read as text, converted to numbers (per distinct value). */
static const double *_text_num_of(_btab *b, const feat_rtable *dt, const rcp_column *c, cs_err *err)
{
    double *out;
    size_t o = 0;
    if (!(out = cs_malloc((b->n ? b->n : 1) * sizeof *out, err)) || _own(b, out, err)) {
        free(out);
        return NULL;
    }
    for (int p = 0; p < dt->n_parts; p++) {
        const tbl *x = dt->parts[p];
        const tbl_column *tc = tbl_col(x, c->name);
        double *val = NULL;
        if (tc && tc->type == TBL_CAT) {
            if (!(val = cs_malloc(((size_t)tc->n_cats + 1) * sizeof *val, err))) return NULL;
            for (int32_t q = 0; q < tc->n_cats; q++) {
                int bad = c->role == RCP_ROLE_DATE ? _date_value(tc->cats[q], &val[q]) : _flag_value(c, tc->cats[q], &val[q]);
                if (bad) {
                    cs_err_set(err, CS_EPARSE, "%s: column %s: '%s' is not a %s%s", x->source, c->name, tc->cats[q],
                               c->role == RCP_ROLE_DATE ? "date (YYYY-MM-DD)" : "flag (1/0, Y/N, yes/no, true/false)",
                               c->role == RCP_ROLE_DATE ? "" : "; give the column a \"true_value\"");
                    free(val);
                    return NULL;
                }
            }
        }
        if (tc && tc->type == TBL_NUM) { /* a table typed elsewhere (hc_schema): numbers already */
            for (size_t r = 0; r < x->n_rows; r++) out[o++] = tc->num[r];
            continue;
        }
        for (size_t r = 0; r < x->n_rows; r++) {
            int32_t code = val ? tc->codes[r] : -1;
            out[o++] = code >= 0 ? val[code] : NAN;
        }
        free(val);
    }
    return out;
}

/* Bind categorical column c of the table to spec encoded column enc; unseen values (not
 * dropped) counted in w. */
static cs_status _bind_cat(_btab *b, const feat_rtable *dt, const feat_spec *s, const rcp_column *c, int enc,
                           feat_warnings *w, cs_err *err)
{
    const feat_enc *e = &s->enc[enc];
    _bcat *bc;
    size_t o = 0, unseen = 0;
    bc = &b->cat[b->n_cat++];
    bc->col = c;
    bc->enc = enc;
    bc->n_cats = e->n_cats;
    if (!(bc->idx = cs_malloc((b->n ? b->n : 1) * sizeof *bc->idx, err))) return CS_ENOMEM;
    for (int p = 0; p < dt->n_parts; p++) {
        const tbl *x = dt->parts[p];
        const tbl_column *tc = tbl_col(x, c->name);
        int32_t *map = NULL;
        if (tc && tc->type == TBL_CAT) {
            if (!(map = cs_malloc(((size_t)tc->n_cats + 1) * sizeof *map, err))) return CS_ENOMEM;
            for (int32_t q = 0; q < tc->n_cats; q++) {
                map[q] = -2;
                for (int j = 0; j < e->n_cats; j++)
                    if (!strcmp(tc->cats[q], e->cats[j])) {
                        map[q] = j;
                        break;
                    }
            }
        }
        for (size_t r = 0; r < x->n_rows; r++, o++) {
            int32_t code = map ? tc->codes[r] : -1;
            bc->idx[o] = code < 0 ? e->n_cats : map[code];
            if (bc->idx[o] == -2 && !(b->drop && b->drop[o])) unseen++;
        }
        free(map);
    }
    if (w) {
        w->unseen[enc] += unseen;
        w->total += unseen;
    }
    return CS_OK;
}

static const _bcat *_bcat_of(const _btab *b, const char *col)
{
    for (int i = 0; i < b->n_cat; i++)
        if (!strcmp(b->cat[i].col->name, col)) return &b->cat[i];
    return NULL;
}

/* Bind recipe table ti: rows, drops, key, link, categorical columns, and the namespace up to
 * the derived columns (children's outputs come later). */
static cs_status _bind(_btab *b, const rcp_recipe *r, int ti, const feat_rtable *dt, const feat_spec *s,
                       feat_warnings *w, cs_err *err)
{
    const rcp_table *t = &r->tables[ti];
    cs_status st;
    char nm[512];
    memset(b, 0, sizeof *b);
    b->rt = t;
    for (int p = 0; p < dt->n_parts; p++) b->n += dt->parts[p]->n_rows;
    if (b->n > UINT32_MAX) return cs_err_set(err, CS_EUNSUPPORTED, "table %s: %zu rows is more than supported", t->name, b->n);
    if (t->n_drops && b->n) {
        size_t o = 0;
        if (!(b->drop = cs_calloc(b->n, 1, err))) return CS_ENOMEM;
        for (int p = 0; p < dt->n_parts; p++) {
            _drops(t, dt->parts[p], b->drop + o);
            o += dt->parts[p]->n_rows;
        }
    }
    if (!(b->cat = cs_calloc((size_t)t->n_cols + 1, sizeof *b->cat, err))) return CS_ENOMEM;
    for (int k = 0; k < t->n_cols; k++) {
        const rcp_column *c = &t->cols[k];
        int enc;
        if (!_spec_col(c)) continue;
        enc = _enc_of(s, ti, c->name);
        if (enc < 0) return cs_err_set(err, CS_EINTERNAL, "table %s: column %s is not in the spec", t->name, c->name);
        if ((st = _bind_cat(b, dt, s, c, enc, w, err))) return st;
    }
    /* key and link */
    if (t->key && !strcmp(t->key, RCP_ROW_KEY)) {
        double *k = cs_malloc((b->n ? b->n : 1) * sizeof *k, err);
        if (!k || _own(b, k, err)) {
            free(k);
            return CS_ENOMEM;
        }
        for (size_t i = 0; i < b->n; i++) k[i] = (double)(i + 1);
        b->key = k;
    }
    for (int pass = 0; pass < 2; pass++) {
        const char *name = pass ? t->link : t->key;
        const rcp_column *c;
        const double *vals;
        if (!name || !strcmp(name, RCP_ROW_KEY)) continue;
        c = rcp_table_column(t, name);
        if (c->text)
            return cs_err_set(err, CS_EUNSUPPORTED, "table %s: text keys (%s) are not supported yet: give numbers",
                              t->name, name);
        if (!(vals = _num_of(b, dt, c, err))) return err ? err->code : CS_ENOMEM;
        if (pass) b->link = vals;
        else b->key = vals;
    }
    /* the namespace: file columns (numbers and factorized codes) in order */
    for (int k = 0; k < t->n_cols; k++) {
        const rcp_column *c = &t->cols[k];
        _vcol *v;
        if (c->role == RCP_ROLE_ID || c->role == RCP_ROLE_TARGET || c->role == RCP_ROLE_IGNORE) continue;
        if (c->role == RCP_ROLE_CATEGORICAL && c->encode != RCP_ENC_FACTORIZE) continue;
        if (!(v = _vadd(b, c->name, err))) return CS_ENOMEM;
        if (c->role == RCP_ROLE_CATEGORICAL) {
            const _bcat *bc = _bcat_of(b, c->name);
            v->kind = VC_FACTOR;
            v->cat = bc->idx;
            v->n_cats = bc->n_cats;
        } else if (c->role == RCP_ROLE_FLAG || c->role == RCP_ROLE_DATE) {
            const double *x = _text_num_of(b, dt, c, err);
            if (!x) return err ? err->code : CS_ENOMEM;
            v = &b->v[b->n_v - 1]; /* _text_num_of may not move b->v, but be safe */
            v->num = x;
            v->is_flag = c->role == RCP_ROLE_FLAG;
        } else {
            const double *x = _num_of(b, dt, c, err);
            if (!x) return err ? err->code : CS_ENOMEM;
            v = &b->v[b->n_v - 1];
            v->num = x;
        }
    }
    /* one-hot dummies */
    for (int k = 0; k < t->n_cols; k++) {
        const rcp_column *c = &t->cols[k];
        const _bcat *bc;
        int with_nan;
        if (c->role != RCP_ROLE_CATEGORICAL || (c->encode != RCP_ENC_ONEHOT && c->encode != RCP_ENC_ONEHOT_NAN)) continue;
        bc = _bcat_of(b, c->name);
        with_nan = s->enc[bc->enc].kind == FEAT_ENC_ONEHOT_NAN;
        for (int j = 0; j < bc->n_cats + with_nan; j++) {
            _vcol *v;
            snprintf(nm, sizeof nm, "%s_%s", c->name, j < bc->n_cats ? s->enc[bc->enc].cats[j] : "nan");
            if (!(v = _vadd(b, nm, err))) return CS_ENOMEM;
            v->kind = VC_DUMMY;
            v->cat = bc->idx;
            v->j = j;
            v->n_cats = bc->n_cats;
            v->is_flag = 1;
        }
    }
    /* derived columns */
    for (int k = 0; k < t->n_derived; k++) {
        const rcp_column *c = &t->derived[k];
        int a = c->derive->a.column ? _vfind(b, c->derive->a.column) : -1;
        int bb = c->derive->b.column ? _vfind(b, c->derive->b.column) : -1;
        _vcol *v;
        if ((c->derive->a.column && a < 0) || (c->derive->b.column && bb < 0))
            return cs_err_set(err, CS_EINTERNAL, "table %s: an operand of %s is not bound", t->name, c->name);
        if (!(v = _vadd(b, c->name, err))) return CS_ENOMEM;
        v->kind = VC_DERIVED;
        v->d = c->derive;
        v->a = a;
        v->b = bb;
    }
    return CS_OK;
}

/* ---- the plan of a child's aggregations ------------------------------------------------------ */

typedef enum _ikind { IT_VCOL = 0, IT_CAT, IT_ROWS } _ikind;

typedef struct _item {
    _ikind kind;
    int v;                   /* IT_VCOL: the vcol */
    const _bcat *cat;        /* IT_CAT: the column */
    int share_nan;           /* IT_CAT share: a _nan share too */
    const rcp_aggspec *a;
    const _bcat *where;      /* NULL = every row */
    int n_want;
    int want[16];            /* categories selected */
    int order_v;             /* first/last: the ordering vcol, -1 file order */
    int need_var;
    size_t out0, n_out;      /* its outputs, in the child's output list */
} _item;

typedef struct _plan {
    int n_items, cap_items;
    _item *items;
    size_t n_out;
    char **names;            /* n_out output names (owned) */
} _plan;

static void _plan_free(_plan *p)
{
    for (size_t j = 0; j < p->n_out; j++) free(p->names[j]);
    free(p->names);
    free(p->items);
    memset(p, 0, sizeof *p);
}

static cs_status _plan_name(_plan *p, size_t *cap, const char *name, cs_err *err)
{
    if (p->n_out == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        char **q = cs_reallocarray(p->names, nc, sizeof *q, err);
        if (!q) return CS_ENOMEM;
        p->names = q;
        *cap = nc;
    }
    if (!(p->names[p->n_out] = cs_strdup(name, err))) return CS_ENOMEM;
    p->n_out++;
    return CS_OK;
}

static _item *_plan_item(_plan *p, cs_err *err)
{
    if (p->n_items == p->cap_items) {
        int nc = p->cap_items ? p->cap_items * 2 : 32;
        _item *q = cs_reallocarray(p->items, (size_t)nc, sizeof *q, err);
        if (!q) return NULL;
        p->items = q;
        p->cap_items = nc;
    }
    memset(&p->items[p->n_items], 0, sizeof p->items[0]);
    p->items[p->n_items].order_v = -1;
    return &p->items[p->n_items++];
}

/* Plan the aggregations of child table c (bound, its own children's outputs included). */
static cs_status _plan_child(const _btab *c, const feat_spec *s, _plan *p, cs_err *err)
{
    const rcp_table *t = c->rt;
    size_t cap = 0;
    char nm[1024];
    memset(p, 0, sizeof *p);
    for (int k = 0; k < t->n_aggs; k++) {
        const rcp_aggspec *a = &t->aggs[k];
        const _bcat *where = NULL;
        int want[16], n_want = 0, order_v = -1, need_var = 0;
        for (int q = 0; q < a->n_ops; q++) need_var |= a->ops[q] == RCP_AGG_VAR;
        if (a->where_column) {
            where = _bcat_of(c, a->where_column);
            if (!where) return cs_err_set(err, CS_EINTERNAL, "table %s: where column %s is not bound", t->name, a->where_column);
            for (int w = 0; w < a->n_where; w++)
                for (int j = 0; j < where->n_cats && n_want < 16; j++)
                    if (!strcmp(s->enc[where->enc].cats[j], a->where_values[w])) want[n_want++] = j;
            if (n_want == 0) continue; /* a category training never saw: no features (the kernel's absent sub-block) */
        }
        if (a->order_by) order_v = _vfind(c, a->order_by);
        if (!a->column) {
            _item *it = _plan_item(p, err);
            if (!it) return CS_ENOMEM;
            it->kind = IT_ROWS;
            it->a = a;
            it->out0 = p->n_out;
            for (int q = 0; q < a->n_ops; q++) {
                rcp_agg_output_name(a, NULL, NULL, a->ops[q], nm, sizeof nm);
                if (_plan_name(p, &cap, nm, err)) return CS_ENOMEM;
            }
            it->n_out = p->n_out - it->out0;
            it->where = where;
            it->n_want = n_want;
            memcpy(it->want, want, sizeof want);
            continue;
        }
        {
            const _bcat *bc = strchr(a->column, '*') ? NULL : _bcat_of(c, a->column);
            int vi = strchr(a->column, '*') ? -1 : _vfind(c, a->column);
            if (bc) {
                /* a categorical column: share, count, size, nunique of its categories */
                {
                    _item *it = _plan_item(p, err);
                    if (!it) return CS_ENOMEM;
                    it->kind = IT_CAT;
                    it->cat = bc;
                    it->share_nan = s->enc[bc->enc].kind == FEAT_ENC_ONEHOT_NAN;
                    it->a = a;
                    it->where = where;
                    it->n_want = n_want;
                    memcpy(it->want, want, sizeof want);
                    it->out0 = p->n_out;
                    for (int q = 0; q < a->n_ops; q++) {
                        if (a->ops[q] == RCP_AGG_SHARE) {
                            for (int j = 0; j < bc->n_cats + it->share_nan; j++) {
                                rcp_agg_output_name(a, a->column, j < bc->n_cats ? s->enc[bc->enc].cats[j] : "nan",
                                                    RCP_AGG_SHARE, nm, sizeof nm);
                                if (_plan_name(p, &cap, nm, err)) return CS_ENOMEM;
                            }
                        } else {
                            rcp_agg_output_name(a, a->column, NULL, a->ops[q], nm, sizeof nm);
                            if (_plan_name(p, &cap, nm, err)) return CS_ENOMEM;
                        }
                    }
                    it->n_out = p->n_out - it->out0;
                    continue;
                }
            }
            for (int i = 0; i < c->n_v; i++) {
                _item *it;
                if (strchr(a->column, '*') ? !rcp_glob_match(a->column, c->v[i].name) : i != vi) continue;
                if (!(it = _plan_item(p, err))) return CS_ENOMEM;
                it->kind = IT_VCOL;
                it->v = i;
                it->a = a;
                it->where = where;
                it->n_want = n_want;
                memcpy(it->want, want, sizeof want);
                it->order_v = order_v;
                it->need_var = need_var;
                it->out0 = p->n_out;
                for (int q = 0; q < a->n_ops; q++) {
                    rcp_agg_output_name(a, c->v[i].name, NULL, a->ops[q], nm, sizeof nm);
                    if (_plan_name(p, &cap, nm, err)) return CS_ENOMEM;
                }
                it->n_out = p->n_out - it->out0;
            }
        }
    }
    return CS_OK;
}

/* ---- aggregating --------------------------------------------------------------------------- */

typedef struct _scr {
    double *tmp;
    size_t tcap;
    uint32_t *sel;
    size_t scap;
    size_t *cnt;
    size_t ccap;
    int oom;
} _scr;

static void *_grow(void *p, size_t *cap, size_t need, size_t elem, int *oom)
{
    size_t nc;
    void *q;
    if (need <= *cap) return p;
    nc = *cap ? *cap : 256;
    while (nc < need) nc *= 2;
    q = realloc(p, nc * elem);
    if (!q) {
        *oom = 1;
        return p;
    }
    *cap = nc;
    return q;
}

static void _scr_free(_scr *s)
{
    free(s->tmp);
    free(s->sel);
    free(s->cnt);
}

/* Write the outputs of item it over child rows rows[0..n) into out[j][r] (j from it->out0). */
static void _emit(const _btab *c, const _item *it, const uint32_t *rows, size_t n, double *const *out, size_t r,
                  _scr *s)
{
    const rcp_aggspec *a = it->a;
    size_t m = n, j = it->out0;
    const uint32_t *sel = rows;
    if (it->where && n) {
        s->sel = _grow(s->sel, &s->scap, n, sizeof *s->sel, &s->oom);
        if (s->oom) return;
        m = 0;
        for (size_t i = 0; i < n; i++) {
            int32_t d = it->where->idx[rows[i]];
            for (int w = 0; w < it->n_want; w++)
                if (d == it->want[w]) {
                    s->sel[m++] = rows[i];
                    break;
                }
        }
        sel = s->sel;
    }
    if (m == 0) { /* no rows: every aggregate missing (the kernel's left join) */
        for (size_t q = 0; q < it->n_out; q++) out[j + q][r] = NAN;
        return;
    }
    if (it->kind == IT_ROWS) {
        for (int q = 0; q < a->n_ops; q++) out[j++][r] = (double)m;
        return;
    }
    if (it->kind == IT_CAT) {
        const _bcat *bc = it->cat;
        int nd = bc->n_cats + 1;
        s->cnt = _grow(s->cnt, &s->ccap, (size_t)nd + 1, sizeof *s->cnt, &s->oom);
        if (s->oom) return;
        memset(s->cnt, 0, ((size_t)nd + 1) * sizeof *s->cnt);
        for (size_t i = 0; i < m; i++) {
            int32_t d = bc->idx[sel[i]];
            if (d >= 0) s->cnt[d]++;
            else s->cnt[nd]++; /* unseen */
        }
        for (int q = 0; q < a->n_ops; q++) {
            switch (a->ops[q]) {
            case RCP_AGG_SHARE:
                for (int d = 0; d < bc->n_cats + it->share_nan; d++) out[j++][r] = (double)s->cnt[d] / (double)m;
                break;
            case RCP_AGG_COUNT: out[j++][r] = (double)(m - s->cnt[bc->n_cats]); break;
            case RCP_AGG_NUNIQUE: {
                size_t u = 0;
                for (int d = 0; d < bc->n_cats; d++) u += s->cnt[d] > 0;
                out[j++][r] = (double)u + (s->cnt[nd] > 0);
                break;
            }
            default: out[j++][r] = (double)m; break; /* size */
            }
        }
        return;
    }
    {
        feat_acc acc;
        feat_acc_init(&acc);
        if (it->need_var)
            for (size_t i = 0; i < m; i++) feat_acc_add(&acc, _get(c, it->v, sel[i]));
        else
            for (size_t i = 0; i < m; i++) feat_acc_add_novar(&acc, _get(c, it->v, sel[i]));
        for (int q = 0; q < a->n_ops; q++) {
            rcp_agg op = a->ops[q];
            double val;
            switch (op) {
            case RCP_AGG_MIN: val = feat_acc_min(&acc); break;
            case RCP_AGG_MAX: val = feat_acc_max(&acc); break;
            case RCP_AGG_MEAN: val = feat_acc_mean(&acc); break;
            case RCP_AGG_SUM: val = feat_acc_sum(&acc); break;
            case RCP_AGG_VAR: val = feat_acc_var(&acc); break;
            case RCP_AGG_SIZE: val = feat_acc_size(&acc); break;
            case RCP_AGG_COUNT: val = (double)acc.count; break;
            case RCP_AGG_NUNIQUE: {
                s->tmp = _grow(s->tmp, &s->tcap, m, sizeof *s->tmp, &s->oom);
                if (s->oom) return;
                for (size_t i = 0; i < m; i++) s->tmp[i] = _get(c, it->v, sel[i]);
                val = feat_nunique(s->tmp, m);
                break;
            }
            default: { /* first / last non-missing value, rows in a stable order by order_v, rows
                        * whose order value is missing last (pandas' sort_values then first/last) */
                int last = op == RCP_AGG_LAST, have_ord = 0, have_nan = 0;
                double v_ord = NAN, o_best = NAN, v_nan = NAN;
                for (size_t i = 0; i < m; i++) {
                    double x = _get(c, it->v, sel[i]);
                    double o = it->order_v >= 0 ? _get(c, it->order_v, sel[i]) : 0.0;
                    if (x != x) continue;
                    if (o != o) { /* after every ordered row, in file order */
                        if (!have_nan || last) v_nan = x;
                        have_nan = 1;
                    } else if (!have_ord || (last ? o >= o_best : o < o_best)) {
                        v_ord = x;
                        o_best = o;
                        have_ord = 1;
                    }
                }
                val = last ? (have_nan ? v_nan : v_ord) : (have_ord ? v_ord : v_nan);
                break;
            }
            }
            out[j++][r] = val;
        }
    }
}

/* Aggregate child table c into the rows of parent p: outputs out[0..plan->n_out) of p's rows.
 * rows_of_parent (NULL: every row of p) lists the parent rows to fill, and out_row maps the
 * i-th of them to its index in out (the feature matrix's row for the root). one: every
 * child row belongs to the single parent row. */
static cs_status _aggregate(const _btab *c, const _btab *p, const _plan *plan, double *const *out,
                            const uint32_t *prow, size_t n_prow, int one, cs_progress *prog, size_t *done,
                            cs_err *err)
{
    _kmap km = {0};
    int32_t *pg = NULL, *cg = NULL;
    _groups g = {0};
    int oom = 0;
    cs_status st = CS_OK;
    if (!one) {
        if (_kmap_init(&km, n_prow, err)) return CS_ENOMEM;
        pg = cs_malloc((n_prow ? n_prow : 1) * sizeof *pg, err);
        cg = cs_malloc((c->n ? c->n : 1) * sizeof *cg, err);
        if (!pg || !cg) {
            st = CS_ENOMEM;
            goto done;
        }
        for (size_t i = 0; i < n_prow; i++) pg[i] = p->key ? _kmap_put(&km, p->key[prow[i]]) : -1;
#pragma omp parallel for schedule(static) if (c->n > 100000)
        for (size_t r = 0; r < c->n; r++) cg[r] = c->drop && c->drop[r] ? -1 : _kmap_get(&km, c->link[r]);
        if ((st = _group_rows(cg, c->n, (size_t)km.n, &g, err))) goto done;
    } else {
        if (!(cg = cs_malloc((c->n ? c->n : 1) * sizeof *cg, err))) return CS_ENOMEM;
        for (size_t r = 0; r < c->n; r++) cg[r] = c->drop && c->drop[r] ? -1 : 0;
        if ((st = _group_rows(cg, c->n, 1, &g, err))) goto done;
    }
#pragma omp parallel
    {
        _scr s = {0};
#pragma omp for schedule(dynamic, 256)
        for (size_t i = 0; i < n_prow; i++) {
            int32_t gi = one ? 0 : pg[i];
            const uint32_t *rows = NULL;
            size_t n = 0;
            if (oom) continue;
            if (gi >= 0) {
                rows = g.rows + g.off[gi];
                n = g.off[gi + 1] - g.off[gi];
            }
            for (int k = 0; k < plan->n_items; k++) _emit(c, &plan->items[k], rows, n, out, i, &s);
            if (s.oom) {
#pragma omp atomic write
                oom = 1;
            }
            if ((i & 4095) == 0 && prog) {
#ifdef _OPENMP
                if (omp_get_thread_num() == 0)
#endif
                    cs_progress_update(prog, *done + i, NULL);
            }
        }
        _scr_free(&s);
    }
    *done += n_prow;
    if (oom) st = cs_err_set(err, CS_ENOMEM, "features: out of memory");
done:
    _kmap_free(&km);
    _groups_free(&g);
    free(pg);
    free(cg);
    return st;
}

/* ---- the whole ------------------------------------------------------------------------------ */

typedef struct _eng {
    const rcp_recipe *r;
    const feat_spec *s;
    _btab *b;                  /* per recipe table */
    _plan *plan;               /* per recipe table (children) */
    int *order;                /* tables deepest first */
} _eng;

static void _eng_free(_eng *e)
{
    if (e->b)
        for (int i = 0; i < e->r->n_tables; i++) _btab_free(&e->b[i]);
    if (e->plan)
        for (int i = 0; i < e->r->n_tables; i++) _plan_free(&e->plan[i]);
    free(e->b);
    free(e->plan);
    free(e->order);
}

/* Bind every table, and plan and run (when run) the aggregations of every non-root table
 * into its parent, deepest first; the root's children's outputs are only planned (the
 * caller writes them into the matrix). */
static cs_status _eng_init(_eng *e, const feat_spec *s, const feat_rdata *d, feat_warnings *w, int bind_data,
                           cs_err *err)
{
    const rcp_recipe *r = s->recipe;
    static const feat_rtable empty = {0, {NULL}};
    int n = r->n_tables, max_depth = 0, o = 0;
    memset(e, 0, sizeof *e);
    e->r = r;
    e->s = s;
    e->b = cs_calloc((size_t)n, sizeof *e->b, err);
    e->plan = cs_calloc((size_t)n, sizeof *e->plan, err);
    e->order = cs_calloc((size_t)n, sizeof *e->order, err);
    if (!e->b || !e->plan || !e->order) return CS_ENOMEM;
    for (int i = 0; i < n; i++)
        if (r->tables[i].depth > max_depth) max_depth = r->tables[i].depth;
    for (int dd = max_depth; dd >= 0; dd--)
        for (int i = 0; i < n; i++)
            if (r->tables[i].depth == dd) e->order[o++] = i;
    for (int i = 0; i < n; i++) {
        cs_status st = _bind(&e->b[i], r, i, bind_data && d ? &d->t[i] : &empty, s, w, err);
        if (st) return st;
    }
    (void)bind_data;
    return CS_OK;
}

/* The outputs of child ci into its (non-root) parent: new vcols of the parent. */
static cs_status _child_into_parent(_eng *e, int ci, cs_progress *prog, size_t *done, int one, cs_err *err)
{
    _btab *c = &e->b[ci], *p = &e->b[e->r->tables[ci].parent_index];
    const _plan *pl = &e->plan[ci];
    double **out;
    uint32_t *prow;
    cs_status st;
    if (!(out = cs_calloc(pl->n_out ? pl->n_out : 1, sizeof *out, err))) return CS_ENOMEM;
    if (!(prow = cs_malloc((p->n ? p->n : 1) * sizeof *prow, err))) {
        free(out);
        return CS_ENOMEM;
    }
    for (size_t r = 0; r < p->n; r++) prow[r] = (uint32_t)r;
    for (size_t j = 0; j < pl->n_out; j++) {
        _vcol *v;
        if (!(out[j] = cs_malloc((p->n ? p->n : 1) * sizeof **out, err)) || _own(p, out[j], err)) {
            free(out[j]);
            free(out);
            free(prow);
            return CS_ENOMEM;
        }
        if (!(v = _vadd(p, pl->names[j], err))) {
            free(out);
            free(prow);
            return CS_ENOMEM;
        }
        v->kind = VC_NUM;
        v->num = out[j];
    }
    (void)one; /* below the root, tables join by key even for one applicant */
    st = _aggregate(c, p, pl, out, prow, p->n, 0, prog, done, err);
    free(out);
    free(prow);
    return st;
}

/* Plan and run every table below the root's children, then plan the root's children. */
static cs_status _eng_run_lower(_eng *e, cs_progress *prog, size_t *done, int one, cs_err *err)
{
    for (int o = 0; o < e->r->n_tables; o++) {
        int i = e->order[o];
        const rcp_table *t = &e->r->tables[i];
        cs_status st;
        if (t->parent_index < 0) continue;
        if ((st = _plan_child(&e->b[i], e->s, &e->plan[i], err))) return st;
        if (t->parent_index != e->r->root && (st = _child_into_parent(e, i, prog, done, one, err))) return st;
    }
    return CS_OK;
}

cs_status feat__recipe_names(feat_spec *s, cs_err *err)
{
    _eng e;
    cs_status st;
    const _btab *root;
    size_t n = 0, cap = 0;
    char **names = NULL;
    if ((st = _eng_init(&e, s, NULL, NULL, 0, err)) || (st = _eng_run_lower(&e, NULL, &(size_t){0}, 0, err))) goto done;
    root = &e.b[e.r->root];
    for (int pass = 0; pass < 2 && !st; pass++) {
        if (pass) {
            if (!(names = cs_calloc(n ? n : 1, sizeof *names, err))) {
                st = CS_ENOMEM;
                break;
            }
            cap = n;
            n = 0;
        }
        for (int i = 0; i < root->n_v; i++, n++)
            if (pass && !(names[n] = cs_strdup(root->v[i].name, err))) st = CS_ENOMEM;
        for (int ci = 0; ci < e.r->n_tables; ci++) {
            if (e.r->tables[ci].parent_index != e.r->root) continue;
            for (size_t j = 0; j < e.plan[ci].n_out; j++, n++)
                if (pass && !(names[n] = cs_strdup(e.plan[ci].names[j], err))) st = CS_ENOMEM;
        }
    }
    if (!st) { /* duplicates can come from data (a category named like another column) */
        for (size_t j = 0; j < n && !st; j++)
            for (size_t q = j + 1; q < n; q++)
                if (!strcmp(names[j], names[q])) {
                    st = cs_err_set(err, CS_EINVAL, "%s: two features are named %s (a category's name makes it)",
                                    e.r->source, names[j]);
                    break;
                }
    }
    if (!st) {
        if (s->names)
            for (size_t j = 0; j < s->n_feats; j++) free(s->names[j]);
        free(s->names);
        s->names = names;
        s->n_feats = n;
        names = NULL;
    }
    (void)cap;
done:
    if (names)
        for (size_t j = 0; j < n; j++) free(names[j]);
    free(names);
    _eng_free(&e);
    return st;
}

/* Compute into matrix m (n_out rows = the root's kept rows, or one applicant). */
static cs_status _compute_into(const feat_spec *s, const feat_rdata *d, feat_matrix *m, int one, feat_warnings *w,
                               cs_progress *prog, cs_err *err)
{
    _eng e;
    cs_status st;
    const _btab *root;
    uint32_t *prow = NULL;
    size_t n_out = 0, done = 0, j0;
    double **out = NULL;
    if ((st = _eng_init(&e, s, d, w, 1, err))) goto done;
    root = &e.b[e.r->root];
    if (!(prow = cs_malloc((root->n ? root->n : 1) * sizeof *prow, err))) {
        st = CS_ENOMEM;
        goto done;
    }
    for (size_t r = 0; r < root->n; r++) /* one applicant: scored whatever the drop rules say */
        if (one || !root->drop || !root->drop[r]) prow[n_out++] = (uint32_t)r;
    if (n_out != m->n_rows) {
        st = cs_err_set(err, CS_EINTERNAL, "features: %zu root rows, the matrix has %zu", n_out, m->n_rows);
        goto done;
    }
    if ((st = _eng_run_lower(&e, prog, &done, one, err))) goto done;
    /* the root's own columns */
#pragma omp parallel for schedule(static)
    for (int i = 0; i < root->n_v; i++) {
        double *col = m->values + (size_t)i * n_out;
        for (size_t q = 0; q < n_out; q++) col[q] = _get(root, i, prow[q]);
    }
    j0 = (size_t)root->n_v;
    if (!(out = cs_calloc(m->n_feats ? m->n_feats : 1, sizeof *out, err))) {
        st = CS_ENOMEM;
        goto done;
    }
    for (int ci = 0; ci < e.r->n_tables && !st; ci++) {
        if (e.r->tables[ci].parent_index != e.r->root) continue;
        if (j0 + e.plan[ci].n_out > m->n_feats) {
            st = cs_err_set(err, CS_EINTERNAL, "features: the recipe gives more features than the spec names");
            break;
        }
        for (size_t j = 0; j < e.plan[ci].n_out; j++) out[j] = m->values + (j0 + j) * n_out;
        st = _aggregate(&e.b[ci], root, &e.plan[ci], out, prow, n_out, one, prog, &done, err);
        j0 += e.plan[ci].n_out;
    }
    if (!st && j0 != m->n_feats)
        st = cs_err_set(err, CS_EINTERNAL, "features: the recipe gives %zu features, the spec names %zu", j0, m->n_feats);
    if (!st) { /* ids and target */
        const rcp_table *rt = &e.r->tables[e.r->root];
        const double *target = NULL;
        for (int k = 0; k < rt->n_cols; k++)
            if (rt->cols[k].role == RCP_ROLE_TARGET) {
                const feat_rtable *dt = &d->t[e.r->root];
                target = _num_of(&e.b[e.r->root], dt, &rt->cols[k], err);
                if (!target) st = err ? err->code : CS_ENOMEM;
            }
        _kmap seen = {0};
        if (!st && !one && root->key && _kmap_init(&seen, n_out, err)) st = CS_ENOMEM;
        for (size_t q = 0; q < n_out && !st; q++) {
            double id = root->key ? root->key[prow[q]] : (double)(prow[q] + 1);
            if (root->key && !one) { /* a missing or repeated key would merge or lose a client */
                int32_t n0 = seen.n;
                if (id != id)
                    st = cs_err_set(err, CS_EPARSE, "table %s: data row %u has no %s", rt->name,
                                    prow[q] + 1, rt->key);
                else if (_kmap_put(&seen, id), seen.n == n0)
                    st = cs_err_set(err, CS_EPARSE, "table %s: %s %.0f appears more than once (again in data row %u)",
                                    rt->name, rt->key, id, prow[q] + 1);
                if (st) break;
            }
            m->ids[q] = id == id ? (int64_t)id : -1;
            m->target[q] = target ? target[prow[q]] : NAN;
        }
        _kmap_free(&seen);
    }
done:
    free(out);
    free(prow);
    _eng_free(&e);
    return st;
}

static size_t _n_kept(const rcp_recipe *r, const feat_rdata *d)
{
    const rcp_table *t = &r->tables[r->root];
    const feat_rtable *dt = &d->t[r->root];
    size_t n = 0;
    for (int p = 0; p < dt->n_parts; p++) {
        const tbl *x = dt->parts[p];
        unsigned char *drop = t->n_drops ? calloc(x->n_rows ? x->n_rows : 1, 1) : NULL;
        if (drop) _drops(t, x, drop);
        for (size_t i = 0; i < x->n_rows; i++) n += !(drop && drop[i]);
        free(drop);
    }
    return n;
}

feat_matrix *feat_recipe_compute(const rcp_recipe *r, const feat_rdata *d, const feat_spec *spec,
                                 feat_spec **spec_out, const char *path, feat_warnings *warn, cs_progress *prog,
                                 cs_err *err)
{
    feat_spec *derived = NULL;
    feat_warnings wdummy;
    feat_matrix *m = NULL;
    size_t n_out;
    if (spec_out) *spec_out = NULL;
    if (!warn) warn = &wdummy;
    memset(warn, 0, sizeof *warn);
    if (!spec) {
        if (!r || !(derived = feat_recipe_spec_derive(r, d, err))) return NULL;
        spec = derived;
    }
    if (!d || d->n_tables != spec->recipe->n_tables) {
        cs_err_set(err, CS_EINVAL, "features: the data has %d tables, the spec's recipe %d", d ? d->n_tables : 0,
                   spec->recipe->n_tables);
        goto fail;
    }
    if (d->t[spec->recipe->root].n_parts == 0) {
        cs_err_set(err, CS_EINVAL, "features: no rows of the root table %s", spec->recipe->tables[spec->recipe->root].name);
        goto fail;
    }
    warn->n_enc = spec->n_enc;
    n_out = _n_kept(spec->recipe, d);
    if (path) {
        m = feat_file_create(path, n_out, spec->n_feats, (const char *const *)spec->names, err);
    } else {
        m = feat_matrix_create(n_out, spec->n_feats, err);
        for (size_t j = 0; m && j < spec->n_feats; j++)
            if (!(m->names[j] = cs_strdup(spec->names[j], err))) goto fail;
    }
    if (!m) goto fail;
    if (_compute_into(spec, d, m, 0, warn, prog, err)) goto fail;
    if (path && feat_file_commit(m, err)) goto fail;
    if (spec_out) {
        *spec_out = derived;
        derived = NULL;
    }
    feat_spec_free(derived);
    return m;
fail:
    feat_matrix_free(m);
    feat_spec_free(derived);
    return NULL;
}

cs_status feat_recipe_compute_one(const feat_spec *spec, const feat_rdata *d, double *out, feat_warnings *warn,
                                  cs_err *err)
{
    feat_matrix *m;
    feat_warnings w = {0};
    cs_status st;
    if (!spec || !spec->recipe || !d || !out)
        return cs_err_set(err, CS_EINVAL, "feat_recipe_compute_one: no recipe spec, data or output");
    if (d->n_tables != spec->recipe->n_tables)
        return cs_err_set(err, CS_EINVAL, "feat_recipe_compute_one: %d tables, the recipe has %d", d->n_tables,
                          spec->recipe->n_tables);
    {
        const feat_rtable *rt = &d->t[spec->recipe->root];
        size_t n = 0;
        for (int p = 0; p < rt->n_parts; p++) n += rt->parts[p]->n_rows;
        if (n != 1)
            return cs_err_set(err, CS_EINVAL, "%s: an applicant has exactly one row, not %zu",
                              spec->recipe->tables[spec->recipe->root].name, n);
    }
    if (!(m = feat_matrix_create(1, spec->n_feats, err))) return CS_ENOMEM;
    w.n_enc = spec->n_enc;
    st = _compute_into(spec, d, m, 1, &w, NULL, err);
    if (!st) {
        memcpy(out, m->values, spec->n_feats * sizeof *out);
        if (warn) {
            warn->n_enc = spec->n_enc;
            for (int k = 0; k < spec->n_enc; k++) warn->unseen[k] += w.unseen[k];
            warn->total += w.total;
        }
    }
    feat_matrix_free(m);
    return st;
}
