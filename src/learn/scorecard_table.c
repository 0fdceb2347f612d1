/*
 * scorecard_table.c: a points table as people and databases read it (scorecard.h): text,
 * Markdown and CSV tables, and the SQL expression that gives the same points.
 */
#include "scorecard.h"

#include <math.h>
#include <string.h>

static cs_status _csv_field(cs_buf *out, const char *s, cs_err *err)
{
    if (!strpbrk(s, ",\"\n")) return cs_buf_puts(out, s, err);
    cs_status st = cs_buf_puts(out, "\"", err);
    for (const char *p = s; !st && *p; p++)
        st = *p == '"' ? cs_buf_puts(out, "\"\"", err) : cs_buf_append(out, p, 1, err);
    return st ? st : cs_buf_puts(out, "\"", err);
}

cs_status sc_card_table(const sc_card *c, int fmt, cs_buf *out, cs_err *err)
{
    cs_status st = CS_OK;
    int64_t lo, hi;
    sc_card_range(c, &lo, &hi);
    char label[256];
    if (fmt == 2) {
        st = cs_buf_puts(out, "feature,bin,count,share,events,event_rate,woe,points\n", err);
    } else if (fmt == 1) {
        st = cs_buf_printf(out, err,
                           "Scaling: %g points at odds %g:1 (good:bad), %g points to double the odds; "
                           "%zu characteristics, total from %lld to %lld points.\n\n",
                           c->base_points, c->base_odds, c->pdo, c->n_chars, (long long)lo, (long long)hi);
    } else {
        st = cs_buf_printf(out, err,
                           "scaling: %g points at odds %g:1 (good:bad), pdo %g (factor %.4f, offset %.4f)\n"
                           "%zu characteristics (of %zu features with IV >= iv_min), total %lld..%lld points%s\n",
                           c->base_points, c->base_odds, c->pdo, c->factor, c->offset, c->n_chars, c->n_candidates,
                           (long long)lo, (long long)hi, c->base ? " (base points without characteristics)" : "");
    }
    for (size_t j = 0; j < c->n_chars && !st; j++) {
        const sc_char *ch = &c->chars[j];
        const bn_feature *f = ch->bins;
        if (fmt == 1)
            st = cs_buf_printf(out, err, "### %s\n\nIV %.4f, trend %s, coefficient %.4f, points %d..%d\n\n"
                               "| bin | count | share | event rate | WoE | points |\n|---|---:|---:|---:|---:|---:|\n",
                               f->name, f->iv, bn_trend_name(f->trend), ch->coef, (int)ch->min_points,
                               (int)ch->max_points);
        else if (fmt == 0)
            st = cs_buf_printf(out, err, "\n%s  (IV %.4f, trend %s, coefficient %.4f, points %d..%d)\n"
                               "  %-44s %9s %7s %10s %9s %7s\n", f->name, f->iv, bn_trend_name(f->trend), ch->coef,
                               (int)ch->min_points, (int)ch->max_points, "bin", "count", "share", "event rate",
                               "WoE", "points");
        for (size_t b = 0; b < f->n_bins && !st; b++) {
            const bn_bin *bn = &f->bins[b];
            double share = f->count ? (double)bn->count / (double)f->count : 0;
            double rate = bn->count ? (double)bn->events / (double)bn->count : 0;
            bn_bin_label(f, b, label, sizeof label);
            if (fmt == 2) {
                char woe[40];
                cs_fmt_double(woe, sizeof woe, bn->woe);
                if (!(st = _csv_field(out, f->name, err)) && !(st = cs_buf_puts(out, ",", err)) &&
                    !(st = _csv_field(out, label, err)))
                    st = cs_buf_printf(out, err, ",%lld,%.6f,%lld,%.6f,%s,%d\n", (long long)bn->count, share,
                                       (long long)bn->events, rate, woe, (int)ch->points[b]);
            } else if (fmt == 1) {
                for (char *p = label; *p; p++) if (*p == '|') *p = '/';
                st = cs_buf_printf(out, err, "| %s | %lld | %.4f | %.4f | %.4f | %d |\n", label, (long long)bn->count,
                                   share, rate, bn->woe, (int)ch->points[b]);
            } else {
                st = cs_buf_printf(out, err, "  %-44s %9lld %6.2f%% %9.2f%% %9.4f %7d\n", label, (long long)bn->count,
                                   100 * share, 100 * rate, bn->woe, (int)ch->points[b]);
            }
        }
        if (fmt == 1 && !st) st = cs_buf_puts(out, "\n", err);
    }
    return st;
}

/* a double-quoted SQL identifier */
static cs_status _ident(cs_buf *out, const char *s, cs_err *err)
{
    cs_status st = cs_buf_puts(out, "\"", err);
    for (const char *p = s; !st && *p; p++)
        st = *p == '"' ? cs_buf_puts(out, "\"\"", err) : cs_buf_append(out, p, 1, err);
    return st ? st : cs_buf_puts(out, "\"", err);
}

static void _num(char *b, size_t cap, double v)
{
    cs_fmt_double(b, cap, v);
}

cs_status sc_card_sql(const sc_card *c, cs_buf *out, cs_err *err)
{
    cs_status st = cs_buf_printf(out, err, "(%d", (int)c->base);
    char v[40];
    for (size_t j = 0; j < c->n_chars && !st; j++) {
        const sc_char *ch = &c->chars[j];
        const bn_feature *f = ch->bins;
        st = cs_buf_puts(out, "\n  + CASE", err);
        /* missing first, then the special values, then the value bins in order */
        if (!st && !(st = cs_buf_puts(out, " WHEN ", err)) && !(st = _ident(out, f->name, err)))
            st = cs_buf_printf(out, err, " IS NULL THEN %d", (int)ch->points[bn_bin_of(f, NAN)]);
        for (size_t b = f->n_value_bins; b < f->n_bins && !st; b++) {
            if (f->bins[b].kind != BN_BIN_SPECIAL) continue;
            _num(v, sizeof v, f->bins[b].lo);
            if (!(st = cs_buf_puts(out, " WHEN ", err)) && !(st = _ident(out, f->name, err)))
                st = cs_buf_printf(out, err, " = %s THEN %d", v, (int)ch->points[b]);
        }
        if (f->categorical) {
            for (size_t b = 0; b < f->n_value_bins && !st; b++) {
                const bn_bin *bn = &f->bins[b];
                if (!bn->n_cats) continue;
                if (!(st = cs_buf_puts(out, " WHEN ", err)) && !(st = _ident(out, f->name, err)))
                    st = cs_buf_puts(out, " IN (", err);
                for (size_t k = 0; k < bn->n_cats && !st; k++) {
                    _num(v, sizeof v, bn->cats[k]);
                    st = cs_buf_printf(out, err, "%s%s", k ? ", " : "", v);
                }
                if (!st) st = cs_buf_printf(out, err, ") THEN %d", (int)ch->points[b]);
            }
            if (!st) st = cs_buf_printf(out, err, " ELSE %d END", (int)ch->points[f->fallback]);
        } else if (f->n_value_bins) {
            for (size_t b = 0; b + 1 < f->n_value_bins && !st; b++) {
                _num(v, sizeof v, f->bins[b].hi);
                if (!(st = cs_buf_puts(out, " WHEN ", err)) && !(st = _ident(out, f->name, err)))
                    st = cs_buf_printf(out, err, " <= %s THEN %d", v, (int)ch->points[b]);
            }
            if (!st) st = cs_buf_printf(out, err, " ELSE %d END", (int)ch->points[f->n_value_bins - 1]);
        } else {
            st = cs_buf_printf(out, err, " ELSE %d END", (int)ch->points[f->fallback]);
        }
    }
    return st ? st : cs_buf_puts(out, "\n)", err);
}
