/*
 * search.c: the parameter space (cJSON), grid points and seeded random draws, and the
 * search loop. Contract in search.h.
 */
#include "search.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum { _P_LIST, _P_UNIFORM, _P_LOGUNIFORM, _P_INT } _ptype;

typedef struct _param {
    char *name;
    _ptype type;
    size_t n_values;    /* list */
    char **values;      /* list: JSON text of each value */
    double low, high;   /* ranges */
} _param;

struct ev_space {
    ev_search_kind kind;
    size_t n;
    _param *params;
};

cs_status ev_search_kind_parse(const char *s, ev_search_kind *out, cs_err *err)
{
    if (s && !strcmp(s, "grid")) *out = EV_SEARCH_GRID;
    else if (s && !strcmp(s, "random")) *out = EV_SEARCH_RANDOM;
    else return cs_err_set(err, CS_EINVAL, "unknown search '%s' (grid or random)", s ? s : "");
    return CS_OK;
}

cs_status ev_scoring_parse(const char *s, ev_scoring *out, cs_err *err)
{
    if (s && !strcmp(s, "auc")) *out = EV_SCORE_AUC;
    else if (s && !strcmp(s, "cost")) *out = EV_SCORE_COST;
    else return cs_err_set(err, CS_EINVAL, "unknown scoring '%s' (auc or cost)", s ? s : "");
    return CS_OK;
}

const char *ev_scoring_name(ev_scoring s)
{
    return s == EV_SCORE_COST ? "cost" : "auc";
}

/* JSON text of a value; numbers in the shortest exact, locale-independent form */
static char *_value_text(const cJSON *v, cs_err *err)
{
    if (cJSON_IsNumber(v)) {
        char b[40];
        cs_fmt_double(b, sizeof b, v->valuedouble);
        return cs_strdup(b, err);
    }
    char *t = cJSON_PrintUnformatted(v);
    if (!t) {
        cs_err_set(err, CS_ENOMEM, "out of memory printing a JSON value");
        return NULL;
    }
    char *r = cs_strdup(t, err);
    cJSON_free(t);
    return r;
}

/* line:column of position pos in text (1-based) */
static void _line_col(const char *text, const char *pos, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (const char *c = text; *c && c < pos; c++) {
        if (*c == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static cs_status _parse_range(_param *p, const cJSON *o, const char *source, cs_err *err)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
    const cJSON *lo = cJSON_GetObjectItemCaseSensitive(o, "low");
    const cJSON *hi = cJSON_GetObjectItemCaseSensitive(o, "high");
    const cJSON *m;
    if (!cJSON_IsString(t))
        return cs_err_set(err, CS_EINVAL,
                          "%s: parameter '%s': a range needs \"type\": \"uniform\", \"loguniform\" or \"int\"",
                          source, p->name);
    if (!strcmp(t->valuestring, "uniform")) p->type = _P_UNIFORM;
    else if (!strcmp(t->valuestring, "loguniform")) p->type = _P_LOGUNIFORM;
    else if (!strcmp(t->valuestring, "int")) p->type = _P_INT;
    else
        return cs_err_set(err, CS_EINVAL,
                          "%s: parameter '%s': unknown range type '%s' (uniform, loguniform or int)",
                          source, p->name, t->valuestring);
    cJSON_ArrayForEach(m, o) {
        if (strcmp(m->string, "type") && strcmp(m->string, "low") && strcmp(m->string, "high"))
            return cs_err_set(err, CS_EINVAL, "%s: parameter '%s': unknown range member '%s'",
                              source, p->name, m->string);
    }
    if (!cJSON_IsNumber(lo) || !cJSON_IsNumber(hi) || !isfinite(lo->valuedouble) ||
        !isfinite(hi->valuedouble))
        return cs_err_set(err, CS_EINVAL, "%s: parameter '%s': \"low\" and \"high\" must be numbers",
                          source, p->name);
    p->low = lo->valuedouble;
    p->high = hi->valuedouble;
    if (p->low > p->high)
        return cs_err_set(err, CS_EINVAL, "%s: parameter '%s': low %g is above high %g", source,
                          p->name, p->low, p->high);
    if (p->type == _P_LOGUNIFORM && p->low <= 0)
        return cs_err_set(err, CS_EINVAL, "%s: parameter '%s': loguniform needs low > 0, got %g",
                          source, p->name, p->low);
    if (p->type == _P_INT && (p->low != floor(p->low) || p->high != floor(p->high) ||
                              fabs(p->low) > 9e15 || fabs(p->high) > 9e15))
        return cs_err_set(err, CS_EINVAL, "%s: parameter '%s': int range needs integer low and high",
                          source, p->name);
    return CS_OK;
}

ev_space *ev_space_parse(const char *json_text, const char *source, ev_search_kind kind,
                         cs_err *err)
{
    const char *end = NULL;
    cJSON *root, *m;
    ev_space *s;
    size_t i = 0;
    cs_status st = CS_OK;

    if (!source) source = "search space";
    root = cJSON_ParseWithOpts(json_text ? json_text : "", &end, 1);
    if (!root) {
        size_t line, col;
        _line_col(json_text ? json_text : "", end ? end : json_text, &line, &col);
        cs_err_set(err, CS_EPARSE, "%s:%zu:%zu: malformed JSON", source, line, col);
        return NULL;
    }
    if (!cJSON_IsObject(root) || !root->child) {
        cJSON_Delete(root);
        cs_err_set(err, CS_EINVAL, "%s: the search space must be a non-empty JSON object", source);
        return NULL;
    }
    s = cs_calloc(1, sizeof *s, err);
    if (!s) goto fail;
    s->kind = kind;
    s->n = (size_t)cJSON_GetArraySize(root);
    s->params = cs_calloc(s->n, sizeof *s->params, err);
    if (!s->params) goto fail;
    cJSON_ArrayForEach(m, root) {
        _param *p = &s->params[i++];
        p->name = cs_strdup(m->string, err);
        if (!p->name) goto fail;
        for (size_t j = 0; j + 1 < i; j++)
            if (!strcmp(s->params[j].name, p->name)) {
                cs_err_set(err, CS_EINVAL, "%s: parameter '%s' appears twice", source, p->name);
                goto fail;
            }
        if (cJSON_IsArray(m)) {
            p->type = _P_LIST;
            p->n_values = (size_t)cJSON_GetArraySize(m);
            if (p->n_values == 0) {
                cs_err_set(err, CS_EINVAL, "%s: parameter '%s': the list of values is empty", source, p->name);
                goto fail;
            }
            p->values = cs_calloc(p->n_values, sizeof *p->values, err);
            if (!p->values) goto fail;
            size_t j = 0;
            const cJSON *v;
            cJSON_ArrayForEach(v, m) {
                p->values[j] = _value_text(v, err);
                if (!p->values[j++]) goto fail;
            }
        } else if (cJSON_IsObject(m)) {
            if (kind == EV_SEARCH_GRID) {
                cs_err_set(err, CS_EINVAL,
                           "%s: parameter '%s': grid search needs a list of values, not a range",
                           source, p->name);
                goto fail;
            }
            st = _parse_range(p, m, source, err);
            if (st != CS_OK) goto fail;
        } else {
            cs_err_set(err, CS_EINVAL, "%s: parameter '%s': expected a list of values%s", source,
                       p->name, kind == EV_SEARCH_RANDOM ? " or a range object" : "");
            goto fail;
        }
    }
    cJSON_Delete(root);
    return s;
fail:
    cJSON_Delete(root);
    ev_space_free(s);
    return NULL;
}

ev_space *ev_space_load(const char *path, ev_search_kind kind, cs_err *err)
{
    FILE *f = fopen(path, "rb");
    cs_buf b = {0};
    char chunk[4096];
    size_t got;
    ev_space *s;
    if (!f) {
        cs_err_set(err, CS_EIO, "%s: cannot open the search space file", path);
        return NULL;
    }
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (cs_buf_append(&b, chunk, got, err) != CS_OK) {
            fclose(f);
            cs_buf_free(&b);
            return NULL;
        }
    if (ferror(f)) {
        fclose(f);
        cs_buf_free(&b);
        cs_err_set(err, CS_EIO, "%s: read error", path);
        return NULL;
    }
    fclose(f);
    s = ev_space_parse(b.data ? b.data : "", path, kind, err);
    cs_buf_free(&b);
    return s;
}

void ev_space_free(ev_space *s)
{
    if (!s) return;
    for (size_t i = 0; s->params && i < s->n; i++) {
        free(s->params[i].name);
        for (size_t j = 0; s->params[i].values && j < s->params[i].n_values; j++)
            free(s->params[i].values[j]);
        free(s->params[i].values);
    }
    free(s->params);
    free(s);
}

size_t ev_space_grid_size(const ev_space *s)
{
    size_t total = 1;
    if (s->kind != EV_SEARCH_GRID) return 0;
    for (size_t i = 0; i < s->n; i++) {
        if (total > SIZE_MAX / s->params[i].n_values) return SIZE_MAX;
        total *= s->params[i].n_values;
    }
    return total;
}

size_t ev_space_n_params(const ev_space *s)
{
    return s->n;
}

const char *ev_space_param_name(const ev_space *s, size_t i)
{
    return i < s->n ? s->params[i].name : NULL;
}

void ev_trial_free(ev_trial *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n; i++) {
        if (t->names) free(t->names[i]);
        if (t->values) free(t->values[i]);
    }
    free(t->names);
    free(t->values);
    free(t->json);
    memset(t, 0, sizeof *t);
}

cs_status ev_space_trial(const ev_space *s, size_t index, uint64_t seed, ev_trial *out,
                         cs_err *err)
{
    cs_rng rng;
    cs_buf js = {0};
    cs_status st = CS_OK;

    memset(out, 0, sizeof *out);
    if (s->kind == EV_SEARCH_GRID && index >= ev_space_grid_size(s))
        return cs_err_set(err, CS_EINVAL, "grid point %zu is beyond the grid (%zu points)", index,
                          ev_space_grid_size(s));
    cs_rng_seed_stream(&rng, seed, (uint64_t)index);
    out->n = s->n;
    out->names = cs_calloc(s->n, sizeof *out->names, err);
    out->values = cs_calloc(s->n, sizeof *out->values, err);
    if (!out->names || !out->values) {
        st = CS_ENOMEM;
        goto fail;
    }
    for (size_t k = 0; k < s->n; k++) {
        out->names[k] = cs_strdup(s->params[k].name, err);
        if (!out->names[k]) {
            st = CS_ENOMEM;
            goto fail;
        }
    }
    for (size_t k = 0; k < s->n; k++) {
        const _param *p = &s->params[k];
        char b[48];
        const char *text = b;
        if (s->kind == EV_SEARCH_GRID) {
            /* grid point index in mixed radix, the last parameter varying fastest */
            size_t r = index;
            for (size_t q = s->n; q-- > k + 1;) r /= s->params[q].n_values;
            text = p->values[r % p->n_values];
        } else {
            double u = cs_rng_uniform(&rng);
            switch (p->type) {
            case _P_LIST: text = p->values[cs_rng_below(&rng, p->n_values)]; break;
            case _P_UNIFORM: cs_fmt_double(b, sizeof b, p->low + (p->high - p->low) * u); break;
            case _P_LOGUNIFORM:
                cs_fmt_double(b, sizeof b, exp(log(p->low) + (log(p->high) - log(p->low)) * u));
                break;
            case _P_INT: {
                uint64_t span = (uint64_t)(p->high - p->low) + 1;
                snprintf(b, sizeof b, "%lld", (long long)p->low + (long long)cs_rng_below(&rng, span));
                break;
            }
            }
        }
        out->values[k] = cs_strdup(text, err);
        if (!out->values[k]) {
            st = CS_ENOMEM;
            goto fail;
        }
    }
    /* the trial as one JSON object; names are escaped through cJSON */
    st = cs_buf_puts(&js, "{", err);
    for (size_t k = 0; !st && k < s->n; k++) {
        cJSON *nm = cJSON_CreateString(out->names[k]);
        char *q = nm ? cJSON_PrintUnformatted(nm) : NULL;
        cJSON_Delete(nm);
        if (!q) {
            st = cs_err_set(err, CS_ENOMEM, "out of memory");
            break;
        }
        st = cs_buf_printf(&js, err, "%s%s: %s", k ? ", " : "", q, out->values[k]);
        cJSON_free(q);
    }
    if (!st) st = cs_buf_puts(&js, "}", err);
    if (st) goto fail;
    out->json = cs_buf_take(&js);
    return CS_OK;
fail:
    cs_buf_free(&js);
    ev_trial_free(out);
    return st ? st : CS_ENOMEM;
}

void ev_search_result_free(ev_search_result *r)
{
    if (!r) return;
    for (size_t i = 0; r->trials && i < r->n; i++) ev_trial_free(&r->trials[i]);
    free(r->trials);
    free(r->scores);
    memset(r, 0, sizeof *r);
}

cs_status ev_search_run(const ev_space *s, size_t n_trials, uint64_t seed, ev_scoring scoring,
                        ev_trial_fn fn, void *ctx, ev_search_result *out, cs_err *err)
{
    size_t total;
    cs_status st;
    memset(out, 0, sizeof *out);
    if (s->kind == EV_SEARCH_GRID) {
        total = ev_space_grid_size(s);
        if (total == 0 || total > 100000)
            return cs_err_set(err, CS_EINVAL, "the grid has %zu points (1 to 100000 allowed)", total);
    } else {
        total = n_trials;
        if (total == 0) return cs_err_set(err, CS_EINVAL, "random search needs at least one trial");
    }
    out->trials = cs_calloc(total, sizeof *out->trials, err);
    out->scores = cs_calloc(total, sizeof *out->scores, err);
    if (!out->trials || !out->scores) {
        ev_search_result_free(out);
        return CS_ENOMEM;
    }
    for (size_t i = 0; i < total; i++) {
        st = ev_space_trial(s, i, seed, &out->trials[i], err);
        if (st) goto fail;
        out->n = i + 1;
        double t0 = cs_now();
        st = fn(ctx, &out->trials[i], i, &out->scores[i], err);
        if (st) {
            cs_err_prefix(err, "trial %zu %s: ", i + 1, out->trials[i].json);
            goto fail;
        }
        out->scores[i].seconds = cs_now() - t0;
        const ev_trial_score *b = &out->scores[out->best], *c = &out->scores[i];
        int better = scoring == EV_SCORE_AUC ? (c->auc_mean > b->auc_mean || isnan(b->auc_mean))
                                             : (c->cost < b->cost || isnan(b->cost));
        if (i > 0 && better) out->best = i;
    }
    return CS_OK;
fail:
    ev_search_result_free(out);
    return st;
}
