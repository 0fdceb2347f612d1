/*
 * spec.c: the feature specification (spec.h): the recipe, its encoded columns and their
 * category sets, and the versioned, checksummed byte form the model file embeds. The
 * feature names follow from the recipe and the category sets (feat__recipe_names in
 * engine.c); deriving the sets from data is the engine's too.
 *
 * Byte form (little-endian), version 2: "CSFSPEC\0", u32 version, str recipe (its JSON
 * text), u32 n_enc, then per encoded column (the recipe's categorical columns, tables in
 * recipe order) u32 recipe table index, u32 kind, str column, u32 n_cats, n_cats str; then
 * u64 n_feats, n_feats str; then u64 cs_hash64 of everything before it. A str is a u32
 * length and its bytes.
 *
 * Version 1, written by the kernel code before the recipes, has no recipe text and its u32
 * table is a Home Credit table (hc_schema.h), its columns in that schema's order: it is
 * read as a spec of the built-in kernel recipe (engine.h), each column found in the recipe
 * table that reads the Home Credit file; the stored names must be the ones the recipe
 * gives, so such a file computes exactly the features it did.
 */
#include "feat_int.h"
#include "engine.h"
#include "../io/hc_schema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SPEC_VERSION 2
static const char SPEC_MAGIC[8] = {'C', 'S', 'F', 'S', 'P', 'E', 'C', 0};

/* ---- lifetime and accessors -------------------------------------------------------- */

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

const char *feat_spec_enc(const feat_spec *s, int k, int *table, feat_enc_kind *kind, int *n_cats,
                          const char *const **cats)
{
    if (!s || k < 0 || k >= s->n_enc) return NULL;
    if (table) *table = s->enc[k].rtable;
    if (kind) *kind = s->enc[k].kind;
    if (n_cats) *n_cats = s->enc[k].n_cats;
    if (cats) *cats = (const char *const *)s->enc[k].cats;
    return s->enc[k].col;
}

int feat_spec_enc_table(const feat_spec *s, int k)
{
    if (!s || k < 0 || k >= s->n_enc) return -1;
    return s->enc[k].rtable;
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
    if (!s || !out || !s->recipe) return cs_err_set(err, CS_EINVAL, "feat_spec_write: no spec or no buffer");
    if (cs_buf_append(&b, SPEC_MAGIC, 8, err) || _put_u32(&b, SPEC_VERSION, err) || _put_str(&b, s->recipe->text, err) ||
        _put_u32(&b, (uint32_t)s->n_enc, err))
        goto fail;
    for (int k = 0; k < s->n_enc; k++) {
        const feat_enc *e = &s->enc[k];
        if (_put_u32(&b, (uint32_t)e->rtable, err) || _put_u32(&b, (uint32_t)e->kind, err) || _put_str(&b, e->col, err) ||
            _put_u32(&b, (uint32_t)e->n_cats, err))
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

/* Version 1 (the kernel code's spec): the encoded column of the kernel recipe that holds
 * column col of Home Credit table t (the recipe table reading its file), or -1. */
static int _v1_enc(const feat_spec *s, uint32_t t, const char *col)
{
    const rcp_recipe *r = s->recipe;
    const char *file;
    if (t >= HC_N_TABLES) return -1;
    file = hc_file_name((hc_table)t);
    for (int i = 0; i < r->n_tables; i++)
        for (int f = 0; f < r->tables[i].n_files; f++)
            if (!strcmp(r->tables[i].files[f], file))
                for (int k = 0; k < s->n_enc; k++)
                    if (s->enc[k].rtable == i && !strcmp(s->enc[k].col, col)) return k;
    return -1;
}

feat_spec *feat_spec_read(const void *data, size_t len, cs_err *err)
{
    _rd r = {data, (const unsigned char *)data + len, 0};
    feat_spec *s = NULL;
    uint32_t version, n_enc;
    uint64_t n_feats, h;
    unsigned char filled[FEAT_MAX_ENC] = {0};

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
    if (version == 0) {
        cs_err_set(err, CS_ECORRUPT, "feature spec: format version 0");
        return NULL;
    }
    if (!(s = cs_calloc(1, sizeof *s, err))) return NULL;
    if (version == SPEC_VERSION) { /* the recipe's text, then the enc list in the recipe's order */
        char *text = _get_str(&r, err);
        if (!text) {
            if (r.bad == 1) cs_err_set(err, CS_ECORRUPT, "feature spec: truncated recipe");
            goto fail;
        }
        s->recipe = rcp_parse_string("the model's recipe", text, strlen(text), err);
        free(text);
    } else { /* version 1: the kernel code's, now computed by the kernel recipe */
        s->recipe = feat_kernel_recipe(err);
    }
    if (!s->recipe || feat__recipe_enc_init(s, err)) goto fail;
    n_enc = _get_u32(&r);
    if ((int)n_enc != s->n_enc) {
        cs_err_set(err, CS_ECORRUPT, "feature spec: %u encoded columns, %s %s has %d", n_enc,
                   version == SPEC_VERSION ? "its recipe" : "the kernel recipe", s->recipe->name, s->n_enc);
        goto fail;
    }
    for (int i = 0; i < s->n_enc; i++) {
        uint32_t table = _get_u32(&r), kind = _get_u32(&r), n_cats;
        char *col = _get_str(&r, err);
        int k = -1;
        feat_enc *e;
        if (r.bad == 2) goto fail;
        if (col && !r.bad) {
            if (version == SPEC_VERSION)
                k = table == (uint32_t)s->enc[i].rtable && !strcmp(col, s->enc[i].col) ? i : -1;
            else
                k = _v1_enc(s, table, col);
        }
        if (k < 0 || filled[k] || kind != (uint32_t)s->enc[k].kind) {
            cs_err_set(err, CS_ECORRUPT, "feature spec: encoded column %d (%s) is not %s's", i, col ? col : "?",
                       s->recipe->name);
            free(col);
            goto fail;
        }
        free(col);
        filled[k] = 1;
        e = &s->enc[k];
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
    if (feat__recipe_names(s, err)) goto fail;
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
    return s;
fail:
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
    cs_buf b = {0};
    feat_spec *s;
    if (cs_buf_read_file(&b, path, err)) return NULL;
    s = feat_spec_read(b.data, b.len, err);
    if (!s) cs_err_prefix(err, "%s: ", path);
    cs_buf_free(&b);
    return s;
}
