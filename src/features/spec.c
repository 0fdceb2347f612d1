/*
 * spec.c: the feature specification (spec.h): which columns are encoded and how, the
 * category sets derived from data, and the versioned, checksummed byte form the model
 * file embeds. The feature names follow from the category sets (feat__build_names in
 * kernel.c, which owns the layout of the kernel's blocks).
 *
 * Byte form (little-endian): "CSFSPEC\0", u32 version, u32 n_enc, then per encoded column
 * u32 table, u32 kind, str column, u32 n_cats, n_cats str; then u64 n_feats, n_feats str;
 * then u64 cs_hash64 of everything before it. A str is a u32 length and its bytes.
 * A recipe's spec (engine.h) is version 2: after the version, str recipe (its JSON text),
 * then the same fields with u32 table being the recipe table's index; its names follow
 * from the recipe and the category sets (feat__recipe_names in engine.c). A kernel spec is
 * still written as version 1, byte for byte as before.
 */
#include "feat_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SPEC_VERSION 2
#define SPEC_VERSION_KERNEL 1
static const char SPEC_MAGIC[8] = {'C', 'S', 'F', 'S', 'P', 'E', 'C', 0};

/* ---- the encoded columns ----------------------------------------------------------- */

static const hc_table _enc_tables[] = {HC_APPLICATION_TRAIN, HC_BUREAU, HC_BUREAU_BALANCE,
                                       HC_PREVIOUS_APPLICATION, HC_POS_CASH_BALANCE,
                                       HC_INSTALLMENTS_PAYMENTS, HC_CREDIT_CARD_BALANCE};

static int _is_binary(const char *col)
{
    return !strcmp(col, "CODE_GENDER") || !strcmp(col, "FLAG_OWN_CAR") ||
           !strcmp(col, "FLAG_OWN_REALTY");
}

void feat__enc_init(feat_spec *s)
{
    s->n_enc = 0;
    for (size_t i = 0; i < sizeof _enc_tables / sizeof _enc_tables[0]; i++) {
        const tbl_schema *sc = hc_schema(_enc_tables[i]);
        for (int c = 0; c < sc->n_cols && s->n_enc < FEAT_MAX_ENC; c++) {
            feat_enc *e;
            if (sc->cols[c].type != TBL_CAT) continue;
            e = &s->enc[s->n_enc++];
            e->table = _enc_tables[i];
            e->rtable = -1;
            e->col = sc->cols[c].name;
            if (_enc_tables[i] == HC_APPLICATION_TRAIN)
                e->kind = _is_binary(e->col) ? FEAT_ENC_FACTORIZE : FEAT_ENC_ONEHOT;
            else
                e->kind = FEAT_ENC_ONEHOT_NAN;
            e->n_cats = 0;
            e->cats = NULL;
        }
    }
}

int feat__enc_find(const feat_spec *s, hc_table table, const char *col)
{
    if (table == HC_APPLICATION_TEST) table = HC_APPLICATION_TRAIN;
    for (int k = 0; k < s->n_enc; k++)
        if (s->enc[k].table == table && !strcmp(s->enc[k].col, col)) return k;
    return -1;
}

/* ---- lifetime and accessors -------------------------------------------------------- */

static feat_spec *_spec_new(cs_err *err)
{
    feat_spec *s = cs_calloc(1, sizeof *s, err);
    if (s) feat__enc_init(s);
    return s;
}

void feat_spec_free(feat_spec *s)
{
    if (!s) return;
    for (int k = 0; k < s->n_enc; k++) {
        for (int c = 0; c < s->enc[k].n_cats; c++) free(s->enc[k].cats[c]);
        free(s->enc[k].cats);
    }
    if (s->names)
        for (size_t j = 0; j < s->n_feats; j++) free(s->names[j]);
    free(s->names);
    rcp_free(s->recipe);
    free(s);
}

size_t feat_spec_n_feats(const feat_spec *s)
{
    return s ? s->n_feats : 0;
}

const char *feat_spec_name(const feat_spec *s, size_t j)
{
    return s && j < s->n_feats ? s->names[j] : NULL;
}

int feat_spec_n_enc(const feat_spec *s)
{
    return s ? s->n_enc : 0;
}

const char *feat_spec_enc(const feat_spec *s, int k, hc_table *table, feat_enc_kind *kind,
                          int *n_cats, const char *const **cats)
{
    if (!s || k < 0 || k >= s->n_enc) return NULL;
    if (table) *table = s->enc[k].table;
    if (kind) *kind = s->enc[k].kind;
    if (n_cats) *n_cats = s->enc[k].n_cats;
    if (cats) *cats = (const char *const *)s->enc[k].cats;
    return s->enc[k].col;
}

int feat_spec_enc_table(const feat_spec *s, int k)
{
    if (!s || !s->recipe || k < 0 || k >= s->n_enc) return -1;
    return s->enc[k].rtable;
}

/* ---- deriving from data ------------------------------------------------------------ */

static int _cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* append a copy of v to e->cats unless it is there already */
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

/* the rows of an application table that the kernel keeps (CODE_GENDER != 'XNA') */
static int _app_keep(const tbl_column *gender, size_t r)
{
    int32_t c;
    if (!gender) return 1;
    c = gender->codes[r];
    return c < 0 || strcmp(gender->cats[c], "XNA") != 0;
}

/* Collect the categories of column col of t into e: only rows kept (application), in
 * order of first appearance; the caller sorts one-hot sets. */
static cs_status _collect(feat_enc *e, const tbl *t, int is_app, int *cap, cs_err *err)
{
    const tbl_column *col, *gender = NULL;
    unsigned char *seen;
    if (!t) return CS_OK;
    col = tbl_col(t, e->col);
    if (!col) return cs_err_set(err, CS_EPARSE, "%s: no column %s", t->source, e->col);
    if (col->type != TBL_CAT)
        return cs_err_set(err, CS_EINVAL, "%s: column %s is not categorical", t->source, e->col);
    if (is_app) {
        gender = tbl_col(t, "CODE_GENDER");
        if (gender && gender->type != TBL_CAT) gender = NULL;
    }
    seen = cs_calloc((size_t)col->n_cats + 1, 1, err);
    if (!seen) return CS_ENOMEM;
    for (size_t r = 0; r < t->n_rows; r++) {
        int32_t c = col->codes[r];
        if (c < 0 || c >= col->n_cats || seen[c]) continue;
        if (is_app && !_app_keep(gender, r)) continue;
        seen[c] = 1;
        if (_add_cat(e, col->cats[c], cap, err)) {
            free(seen);
            return CS_ENOMEM;
        }
    }
    free(seen);
    return CS_OK;
}

feat_spec *feat_spec_derive(const tbl *const tables[HC_N_TABLES], cs_err *err)
{
    feat_spec *s;
    if (!tables || (!tables[HC_APPLICATION_TRAIN] && !tables[HC_APPLICATION_TEST])) {
        cs_err_set(err, CS_EINVAL, "feature spec: no application table");
        return NULL;
    }
    s = _spec_new(err);
    if (!s) return NULL;
    for (int k = 0; k < s->n_enc; k++) {
        feat_enc *e = &s->enc[k];
        int cap = 0;
        cs_status st;
        if (e->table == HC_APPLICATION_TRAIN) {
            st = _collect(e, tables[HC_APPLICATION_TRAIN], 1, &cap, err);
            if (!st) st = _collect(e, tables[HC_APPLICATION_TEST], 1, &cap, err);
        } else {
            st = _collect(e, tables[e->table], 0, &cap, err);
        }
        if (st) {
            feat_spec_free(s);
            return NULL;
        }
        if (e->kind != FEAT_ENC_FACTORIZE && e->n_cats > 1)
            qsort(e->cats, (size_t)e->n_cats, sizeof *e->cats, _cmp_str);
    }
    if (feat__build_names(s, err)) {
        feat_spec_free(s);
        return NULL;
    }
    return s;
}

/* ---- bytes ------------------------------------------------------------------------- */

static cs_status _put_u32(cs_buf *b, uint32_t v, cs_err *err)
{
    return cs_buf_append(b, &v, 4, err);
}

static cs_status _put_u64(cs_buf *b, uint64_t v, cs_err *err)
{
    return cs_buf_append(b, &v, 8, err);
}

static cs_status _put_str(cs_buf *b, const char *s, cs_err *err)
{
    size_t l = strlen(s);
    if (_put_u32(b, (uint32_t)l, err)) return CS_ENOMEM;
    return cs_buf_append(b, s, l, err);
}

cs_status feat_spec_write(const feat_spec *s, cs_buf *out, cs_err *err)
{
    cs_buf b = {0};
    uint64_t h;
    if (!s || !out) return cs_err_set(err, CS_EINVAL, "feat_spec_write: no spec or no buffer");
    if (cs_buf_append(&b, SPEC_MAGIC, 8, err) || _put_u32(&b, s->recipe ? SPEC_VERSION : SPEC_VERSION_KERNEL, err) ||
        (s->recipe && _put_str(&b, s->recipe->text, err)) || _put_u32(&b, (uint32_t)s->n_enc, err))
        goto fail;
    for (int k = 0; k < s->n_enc; k++) {
        const feat_enc *e = &s->enc[k];
        if (_put_u32(&b, (uint32_t)(s->recipe ? (hc_table)e->rtable : e->table), err) || _put_u32(&b, (uint32_t)e->kind, err) ||
            _put_str(&b, e->col, err) || _put_u32(&b, (uint32_t)e->n_cats, err))
            goto fail;
        for (int c = 0; c < e->n_cats; c++)
            if (_put_str(&b, e->cats[c], err)) goto fail;
    }
    if (_put_u64(&b, s->n_feats, err)) goto fail;
    for (size_t j = 0; j < s->n_feats; j++)
        if (_put_str(&b, s->names[j], err)) goto fail;
    h = cs_hash64(b.data, b.len, 0);
    if (_put_u64(&b, h, err) || cs_buf_append(out, b.data, b.len, err)) goto fail;
    cs_buf_free(&b);
    return CS_OK;
fail:
    cs_buf_free(&b);
    return err ? err->code : CS_ENOMEM;
}

typedef struct _rd {
    const unsigned char *p, *end;
    int bad;
} _rd;

static uint32_t _get_u32(_rd *r)
{
    uint32_t v = 0;
    if (r->end - r->p < 4) {
        r->bad = 1;
        return 0;
    }
    memcpy(&v, r->p, 4);
    r->p += 4;
    return v;
}

static uint64_t _get_u64(_rd *r)
{
    uint64_t v = 0;
    if (r->end - r->p < 8) {
        r->bad = 1;
        return 0;
    }
    memcpy(&v, r->p, 8);
    r->p += 8;
    return v;
}

/* a str as a malloc'd NUL-terminated copy; NULL when truncated or out of memory */
static char *_get_str(_rd *r, cs_err *err)
{
    uint32_t l = _get_u32(r);
    char *s;
    if (r->bad || (size_t)(r->end - r->p) < l || memchr(r->p, 0, l)) {
        r->bad = 1;
        return NULL;
    }
    s = cs_malloc((size_t)l + 1, err);
    if (!s) {
        r->bad = 2;
        return NULL;
    }
    memcpy(s, r->p, l);
    s[l] = '\0';
    r->p += l;
    return s;
}

feat_spec *feat_spec_read(const void *data, size_t len, cs_err *err)
{
    _rd r = {data, (const unsigned char *)data + len, 0};
    feat_spec *s = NULL, *ref;
    uint32_t version, n_enc;
    uint64_t n_feats, h;

    if (!data || len < 8 + 4 + 4 + 8 + 8 || memcmp(data, SPEC_MAGIC, 8)) {
        cs_err_set(err, CS_ECORRUPT, "feature spec: not a feature specification (bad magic or too short)");
        return NULL;
    }
    memcpy(&h, (const char *)data + len - 8, 8);
    if (cs_hash64(data, len - 8, 0) != h) {
        cs_err_set(err, CS_ECORRUPT, "feature spec: checksum mismatch: the data is corrupt or truncated");
        return NULL;
    }
    r.end -= 8;
    r.p += 8;
    version = _get_u32(&r);
    if (version > SPEC_VERSION) {
        cs_err_set(err, CS_EVERSION, "feature spec: format version %u is newer than this build reads (%d)",
                   version, SPEC_VERSION);
        return NULL;
    }
    if (version == SPEC_VERSION) { /* a recipe's spec: the enc list follows from the recipe */
        char *text = _get_str(&r, err);
        if (!text) {
            if (r.bad == 1) cs_err_set(err, CS_ECORRUPT, "feature spec: truncated recipe");
            return NULL;
        }
        ref = cs_calloc(1, sizeof *ref, err);
        s = cs_calloc(1, sizeof *s, err);
        if (ref && s) {
            ref->recipe = rcp_parse_string("the model's recipe", text, strlen(text), err);
            s->recipe = rcp_parse_string("the model's recipe", text, strlen(text), err);
        }
        free(text);
        if (!ref || !s || !ref->recipe || !s->recipe || feat__recipe_enc_init(ref, err) || feat__recipe_enc_init(s, err))
            goto fail;
    } else {
        ref = _spec_new(err);
        if (!ref) return NULL;
        s = _spec_new(err);
        if (!s) goto fail;
    }
    n_enc = _get_u32(&r);
    if (version == 0 || (int)n_enc != ref->n_enc) {
        cs_err_set(err, CS_ECORRUPT, "feature spec: %u encoded columns, this build has %d", n_enc, ref->n_enc);
        goto fail;
    }
    for (int k = 0; k < ref->n_enc; k++) {
        feat_enc *e = &s->enc[k];
        uint32_t table = _get_u32(&r), kind = _get_u32(&r), n_cats;
        char *col = _get_str(&r, err);
        uint32_t want_table = (uint32_t)(ref->recipe ? ref->enc[k].rtable : (int)ref->enc[k].table);
        int same = col && table == want_table && kind == (uint32_t)ref->enc[k].kind && !strcmp(col, ref->enc[k].col);
        free(col);
        if (r.bad == 2) goto fail;
        if (r.bad || !same) {
            cs_err_set(err, CS_ECORRUPT, "feature spec: encoded column %d is not %s as this build expects", k,
                       ref->enc[k].col);
            goto fail;
        }
        n_cats = _get_u32(&r);
        if (r.bad || n_cats > (size_t)(r.end - r.p) / 4) {
            cs_err_set(err, CS_ECORRUPT, "feature spec: truncated category list of %s", e->col);
            goto fail;
        }
        e->cats = cs_calloc(n_cats ? n_cats : 1, sizeof *e->cats, err);
        if (!e->cats) goto fail;
        for (uint32_t c = 0; c < n_cats; c++) {
            e->cats[c] = _get_str(&r, err);
            if (!e->cats[c]) {
                if (r.bad == 1) cs_err_set(err, CS_ECORRUPT, "feature spec: truncated category of %s", e->col);
                goto fail;
            }
            e->n_cats++;
        }
    }
    n_feats = _get_u64(&r);
    if (r.bad) {
        cs_err_set(err, CS_ECORRUPT, "feature spec: truncated before the feature names");
        goto fail;
    }
    if (s->recipe ? feat__recipe_names(s, err) : feat__build_names(s, err)) goto fail;
    if (n_feats != s->n_feats) {
        cs_err_set(err, CS_ECORRUPT, "feature spec: %llu feature names stored, its categories give %zu",
                   (unsigned long long)n_feats, s->n_feats);
        goto fail;
    }
    for (size_t j = 0; j < s->n_feats; j++) {
        char *nm = _get_str(&r, err);
        int same = nm && !strcmp(nm, s->names[j]);
        free(nm);
        if (r.bad == 2) goto fail;
        if (!same) {
            cs_err_set(err, CS_ECORRUPT, "feature spec: stored name %zu is not '%s' as its categories give", j,
                       s->names[j]);
            goto fail;
        }
    }
    if (r.p != r.end) {
        cs_err_set(err, CS_ECORRUPT, "feature spec: %zu unexpected trailing bytes", (size_t)(r.end - r.p));
        goto fail;
    }
    feat_spec_free(ref);
    return s;
fail:
    feat_spec_free(ref);
    feat_spec_free(s);
    return NULL;
}

cs_status feat_spec_save(const feat_spec *s, const char *path, cs_err *err)
{
    cs_buf b = {0};
    FILE *f;
    cs_status st = feat_spec_write(s, &b, err);
    if (st) return st;
    f = fopen(path, "wb");
    if (!f) {
        cs_buf_free(&b);
        return cs_err_set(err, CS_EIO, "%s: cannot create: %s", path, strerror(errno));
    }
    if (fwrite(b.data, 1, b.len, f) != b.len || fclose(f)) {
        cs_buf_free(&b);
        return cs_err_set(err, CS_EIO, "%s: write failed: %s", path, strerror(errno));
    }
    cs_buf_free(&b);
    return CS_OK;
}

feat_spec *feat_spec_load(const char *path, cs_err *err)
{
    FILE *f = fopen(path, "rb");
    cs_buf b = {0};
    char chunk[65536];
    size_t n;
    feat_spec *s;
    if (!f) {
        cs_err_set(err, CS_EIO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (cs_buf_append(&b, chunk, n, err)) {
            fclose(f);
            cs_buf_free(&b);
            return NULL;
        }
    fclose(f);
    s = feat_spec_read(b.data ? b.data : "", b.len, err);
    if (!s) cs_err_prefix(err, "%s: ", path);
    cs_buf_free(&b);
    return s;
}
