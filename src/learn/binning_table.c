/*
 * binning_table.c: a feature's binning as text (binning.h): bin labels, the binning table
 * in CSV, Markdown and JSON, and the JSON reader that brings a binning back (the scorecard
 * stores its characteristics this way in the model file).
 */
#include "binning.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* a bound as people read it: 6 significant digits (the JSON keeps the exact value) */
static void _num(char *out, size_t cap, double v)
{
    if (isinf(v)) snprintf(out, cap, v > 0 ? "inf" : "-inf");
    else snprintf(out, cap, "%.6g", v);
}

char *bn_bin_label(const bn_feature *f, size_t b, char *out, size_t cap)
{
    const bn_bin *bn = &f->bins[b];
    char lo[40], hi[40];
    size_t len = 0;
    out[0] = '\0';
    switch (bn->kind) {
    case BN_BIN_MISSING: snprintf(out, cap, "Missing"); break;
    case BN_BIN_SPECIAL: _num(lo, sizeof lo, bn->lo); snprintf(out, cap, "Special %s", lo); break;
    case BN_BIN_RANGE:
        _num(lo, sizeof lo, bn->lo);
        _num(hi, sizeof hi, bn->hi);
        snprintf(out, cap, isinf(bn->hi) ? "(%s, %s)" : "(%s, %s]", lo, hi);
        break;
    case BN_BIN_CATS:
        len = (size_t)snprintf(out, cap, "{");
        for (size_t c = 0; c < bn->n_cats && len < cap; c++) {
            _num(lo, sizeof lo, bn->cats[c]);
            len += (size_t)snprintf(out + len, cap - len, "%s%s", c ? ", " : "", lo);
        }
        if (bn->pooled && len < cap) len += (size_t)snprintf(out + len, cap - len, "%sothers", bn->n_cats ? ", " : "");
        if (len < cap) len += (size_t)snprintf(out + len, cap - len, "}");
        if (len >= cap && cap > 4) strcpy(out + cap - 4, "...");
        break;
    }
    return out;
}

static const char *_kind_name(bn_bin_kind k)
{
    static const char *const names[] = {"range", "categories", "missing", "special"};
    return (unsigned)k < 4 ? names[k] : "?";
}

/* a CSV field, quoted when it holds a comma or a quote */
static cs_status _csv_field(cs_buf *out, const char *s, cs_err *err)
{
    if (!strpbrk(s, ",\"\n")) return cs_buf_puts(out, s, err);
    cs_status st = cs_buf_puts(out, "\"", err);
    for (const char *p = s; !st && *p; p++)
        st = *p == '"' ? cs_buf_puts(out, "\"\"", err) : cs_buf_append(out, p, 1, err);
    return st ? st : cs_buf_puts(out, "\"", err);
}

/* a number written so that it reads back exactly (cJSON's own printing may round the
 * 17th digit); null for an infinity or NaN */
static int _add_num(cJSON *o, const char *key, double v)
{
    char b[40];
    if (!isfinite(v)) snprintf(b, sizeof b, "null");
    else cs_fmt_double(b, sizeof b, v);
    return cJSON_AddRawToObject(o, key, b) != NULL;
}

static cs_status _json(const bn_feature *f, cs_buf *out, cs_err *err)
{
    cJSON *o = cJSON_CreateObject(), *bins = NULL;
    char label[256];
    if (!o) goto oom;
    if (!cJSON_AddStringToObject(o, "feature", f->name ? f->name : "")) goto oom;
    if (!cJSON_AddBoolToObject(o, "categorical", f->categorical)) goto oom;
    if (!cJSON_AddStringToObject(o, "trend", bn_trend_name(f->trend))) goto oom;
    if (!_add_num(o, "iv", f->iv)) goto oom;
    if (!_add_num(o, "count", (double)f->count)) goto oom;
    if (!_add_num(o, "events", (double)f->events)) goto oom;
    if (!(bins = cJSON_AddArrayToObject(o, "bins"))) goto oom;
    for (size_t b = 0; b < f->n_bins; b++) {
        const bn_bin *bn = &f->bins[b];
        cJSON *j = cJSON_CreateObject();
        if (!j || !cJSON_AddItemToArray(bins, j)) { cJSON_Delete(j); goto oom; }
        if (!cJSON_AddStringToObject(j, "bin", bn_bin_label(f, b, label, sizeof label))) goto oom;
        if (!cJSON_AddStringToObject(j, "kind", _kind_name(bn->kind))) goto oom;
        if (bn->kind == BN_BIN_RANGE || bn->kind == BN_BIN_SPECIAL) {
            /* cJSON writes null for an infinite number: the reader restores it from the side */
            if (!_add_num(j, "lo", bn->lo)) goto oom;
            if (!_add_num(j, "hi", bn->hi)) goto oom;
        }
        if (bn->kind == BN_BIN_CATS) {
            cJSON *c = cJSON_AddArrayToObject(j, "cats");
            if (!c) goto oom;
            for (size_t k = 0; k < bn->n_cats; k++) {
                char nb[40];
                cs_fmt_double(nb, sizeof nb, bn->cats[k]);
                cJSON *num = cJSON_CreateRaw(nb);
                if (!num || !cJSON_AddItemToArray(c, num)) { cJSON_Delete(num); goto oom; }
            }
            if (!cJSON_AddBoolToObject(j, "pooled", bn->pooled)) goto oom;
        }
        if (!_add_num(j, "count", (double)bn->count)) goto oom;
        if (!_add_num(j, "share", f->count ? (double)bn->count / (double)f->count : 0)) goto oom;
        if (!_add_num(j, "events", (double)bn->events)) goto oom;
        if (!_add_num(j, "event_rate", bn->count ? (double)bn->events / (double)bn->count : 0)) goto oom;
        if (!_add_num(j, "woe", bn->woe)) goto oom;
        if (!_add_num(j, "iv", bn->iv)) goto oom;
    }
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text) return cs_err_set(err, CS_ENOMEM, "binning table: out of memory");
    cs_status st = cs_buf_puts(out, text, err);
    free(text);
    return st;
oom:
    cJSON_Delete(o);
    return cs_err_set(err, CS_ENOMEM, "binning table: out of memory");
}

cs_status bn_table_write(const bn_feature *f, bn_format fmt, int header, cs_buf *out, cs_err *err)
{
    if (fmt == BN_FMT_JSON) return _json(f, out, err);
    cs_status st = CS_OK;
    char label[256], woe[40], iv[40];
    if (fmt == BN_FMT_CSV) {
        if (header) st = cs_buf_puts(out, "feature,bin,count,share,events,event_rate,woe,iv\n", err);
    } else {
        st = cs_buf_printf(out, err, "### %s\n\nIV %.6f, trend %s%s\n\n"
                           "| bin | count | share | events | event rate | WoE | IV |\n"
                           "|---|---:|---:|---:|---:|---:|---:|\n",
                           f->name, f->iv, bn_trend_name(f->trend), f->categorical ? ", categorical" : "");
    }
    for (size_t b = 0; !st && b < f->n_bins; b++) {
        const bn_bin *bn = &f->bins[b];
        double share = f->count ? (double)bn->count / (double)f->count : 0;
        double rate = bn->count ? (double)bn->events / (double)bn->count : 0;
        bn_bin_label(f, b, label, sizeof label);
        if (fmt == BN_FMT_CSV) {
            cs_fmt_double(woe, sizeof woe, bn->woe);
            cs_fmt_double(iv, sizeof iv, bn->iv);
            if (!(st = _csv_field(out, f->name, err)) && !(st = cs_buf_puts(out, ",", err)) &&
                !(st = _csv_field(out, label, err)))
                st = cs_buf_printf(out, err, ",%lld,%.6f,%lld,%.6f,%s,%s\n", (long long)bn->count, share,
                                   (long long)bn->events, rate, woe, iv);
        } else {
            for (char *p = label; *p; p++) if (*p == '|') *p = '/';
            st = cs_buf_printf(out, err, "| %s | %lld | %.4f | %lld | %.4f | %.4f | %.4f |\n", label,
                               (long long)bn->count, share, (long long)bn->events, rate, bn->woe, bn->iv);
        }
    }
    if (st) return st;
    double rate = f->count ? (double)f->events / (double)f->count : 0;
    if (fmt == BN_FMT_CSV) {
        cs_fmt_double(iv, sizeof iv, f->iv);
        if ((st = _csv_field(out, f->name, err))) return st;
        return cs_buf_printf(out, err, ",Total,%lld,1,%lld,%.6f,,%s\n", (long long)f->count,
                             (long long)f->events, rate, iv);
    }
    return cs_buf_printf(out, err, "| **Total** | %lld | 1.0000 | %lld | %.4f | | %.4f |\n\n",
                         (long long)f->count, (long long)f->events, rate, f->iv);
}

/* ---- reading back -------------------------------------------------------------------- */

static int _get_num(const cJSON *o, const char *k, double *v)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(it)) return 0;
    *v = it->valuedouble;
    return 1;
}

static int _get_count(const cJSON *o, const char *k, int64_t *v)
{
    double d;
    if (!_get_num(o, k, &d) || !(d >= 0 && d <= 9e15) || d != floor(d)) return 0;
    *v = (int64_t)d;
    return 1;
}

bn_feature *bn_feature_from_cjson(const struct cJSON *o, cs_err *err)
{
    bn_feature *f = cs_calloc(1, sizeof *f, err);
    if (!f) return NULL;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "feature");
    const cJSON *bins = cJSON_GetObjectItemCaseSensitive(o, "bins");
    const cJSON *trend = cJSON_GetObjectItemCaseSensitive(o, "trend");
    if (!cJSON_IsString(name) || !cJSON_IsArray(bins) || !cJSON_IsString(trend)) {
        cs_err_set(err, CS_ECORRUPT, "binning: a feature without its name, trend or bins");
        goto fail;
    }
    if (!(f->name = cs_strdup(name->valuestring, err))) goto fail;
    if (bn_trend_from_name(trend->valuestring, &f->trend, err)) {
        cs_err_set(err, CS_ECORRUPT, "binning %s: unknown trend", f->name);
        goto fail;
    }
    f->categorical = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "categorical"));
    int nb = cJSON_GetArraySize(bins);
    if (nb < 1 || nb > 1000) {
        cs_err_set(err, CS_ECORRUPT, "binning %s: %d bins", f->name, nb);
        goto fail;
    }
    if (!(f->bins = cs_calloc((size_t)nb, sizeof *f->bins, err))) goto fail;
    const cJSON *it;
    size_t b = 0;
    int in_values = 1;
    cJSON_ArrayForEach(it, bins) {
        bn_bin *bn = &f->bins[b];
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(it, "kind");
        const char *k = cJSON_IsString(kind) ? kind->valuestring : "";
        f->n_bins = b + 1;
        if (!_get_count(it, "count", &bn->count) || !_get_count(it, "events", &bn->events) ||
            bn->events > bn->count) {
            cs_err_set(err, CS_ECORRUPT, "binning %s: bin %zu without valid counts", f->name, b);
            goto fail;
        }
        if (!strcmp(k, "range") && !f->categorical && in_values) {
            bn->kind = BN_BIN_RANGE;
            if (!_get_num(it, "lo", &bn->lo)) bn->lo = -INFINITY;
            if (!_get_num(it, "hi", &bn->hi)) bn->hi = INFINITY;
            double prev = b ? f->bins[b - 1].hi : -INFINITY;
            if (bn->lo != prev || !(bn->hi > bn->lo)) {
                cs_err_set(err, CS_ECORRUPT, "binning %s: bin %zu does not follow the one before", f->name, b);
                goto fail;
            }
            f->n_value_bins = b + 1;
        } else if (!strcmp(k, "categories") && f->categorical && in_values) {
            bn->kind = BN_BIN_CATS;
            const cJSON *cats = cJSON_GetObjectItemCaseSensitive(it, "cats"), *c;
            if (!cJSON_IsArray(cats) || cJSON_GetArraySize(cats) > 1000000) {
                cs_err_set(err, CS_ECORRUPT, "binning %s: bin %zu without its categories", f->name, b);
                goto fail;
            }
            bn->pooled = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "pooled"));
            size_t nc = (size_t)cJSON_GetArraySize(cats);
            if (nc && !(bn->cats = cs_malloc(nc * sizeof(double), err))) goto fail;
            cJSON_ArrayForEach(c, cats) {
                if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble) ||
                    (bn->n_cats && !(c->valuedouble > bn->cats[bn->n_cats - 1]))) {
                    cs_err_set(err, CS_ECORRUPT, "binning %s: bin %zu: categories not ascending numbers", f->name, b);
                    goto fail;
                }
                bn->cats[bn->n_cats++] = c->valuedouble;
            }
            bn->lo = -INFINITY, bn->hi = INFINITY;
            f->n_value_bins = b + 1;
        } else if (!strcmp(k, "missing")) {
            in_values = 0;
            bn->kind = BN_BIN_MISSING;
            bn->lo = bn->hi = NAN;
        } else if (!strcmp(k, "special") && _get_num(it, "lo", &bn->lo) && isfinite(bn->lo)) {
            in_values = 0;
            bn->kind = BN_BIN_SPECIAL;
            bn->hi = bn->lo;
        } else {
            cs_err_set(err, CS_ECORRUPT, "binning %s: bin %zu of kind '%s' out of place", f->name, b, k);
            goto fail;
        }
        b++;
    }
    if (!f->categorical && f->n_value_bins && !isinf(f->bins[f->n_value_bins - 1].hi)) {
        cs_err_set(err, CS_ECORRUPT, "binning %s: the last range does not reach +inf", f->name);
        goto fail;
    }
    /* woe, iv, totals and fallback recomputed from the counts: the same doubles */
    bn_feature_finish(f);
    return f;
fail:
    bn_feature_free(f);
    return NULL;
}

bn_feature *bn_feature_from_json(const char *text, size_t len, cs_err *err)
{
    cJSON *o = cJSON_ParseWithLength(text, len);
    if (!o) {
        cs_err_set(err, CS_EPARSE, "binning: not a JSON object");
        return NULL;
    }
    bn_feature *f = bn_feature_from_cjson(o, err);
    cJSON_Delete(o);
    return f;
}
