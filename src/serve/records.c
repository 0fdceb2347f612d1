/*
 * records.c: one applicant's raw records under the table names of the recipe a model carries,
 * {"records": {"loans": {...}, "payments": [{...}, ...]}}, into the model's feature vector:
 * each table's records become a table with the reader's schema for that recipe table
 * (feat_recipe_schema: the same types and parsing as the CSV reader), then the recipe engine's
 * one-applicant path (feat_recipe_compute_one, bit-identical to the batch) computes the spec's
 * features, mapped by name into the model's order.
 */
#include "handle.h"
#include "../features/engine.h"
#include "../model/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* "loans, payments, ..." into out */
static void _table_names(const rcp_recipe *r, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < r->n_tables && n + 1 < cap; i++) {
        int k = snprintf(out + n, cap - n, "%s%s", i ? ", " : "", r->tables[i].name);
        if (k < 0) break;
        n += (size_t)k < cap - n ? (size_t)k : cap - n - 1;
    }
}

/* the same key: numbers by value, strings by text, a number and a string by the string's number */
static int _same_key(const cJSON *a, const cJSON *b)
{
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b)) return a->valuedouble == b->valuedouble;
    if (cJSON_IsString(a) && cJSON_IsString(b)) return !strcmp(a->valuestring, b->valuestring);
    if (cJSON_IsString(a)) {
        const cJSON *t = a;
        a = b;
        b = t;
    }
    if (cJSON_IsNumber(a) && cJSON_IsString(b)) {
        char *end;
        double v = strtod(b->valuestring, &end);
        return *b->valuestring && !*end && v == a->valuedouble;
    }
    return 0;
}

/* every record's link names one of its parent's records (the applicant for the root's
 * children): records of another client are refused, not taken as the applicant's */
static int _check_links(const rcp_recipe *r, const cJSON *records, api_problem *pb)
{
    for (int ti = 0; ti < r->n_tables; ti++) {
        const rcp_table *t = &r->tables[ti], *p;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(records, t->name), *pv;
        int i = 0;
        if (ti == r->root || t->parent_index < 0 || !t->link || !cJSON_IsArray(v)) continue;
        p = &r->tables[t->parent_index];
        if (!p->key || !strcmp(p->key, RCP_ROW_KEY)) continue;
        pv = cJSON_GetObjectItemCaseSensitive(records, p->name);
        for (const cJSON *rec = v->child; rec; rec = rec->next, i++) {
            const cJSON *link = cJSON_GetObjectItemCaseSensitive(rec, t->link);
            int found = 0;
            if (!link || cJSON_IsNull(link)) continue;
            if (cJSON_IsObject(pv)) {
                const cJSON *k = cJSON_GetObjectItemCaseSensitive(pv, p->key);
                found = !k || cJSON_IsNull(k) || _same_key(k, link);
            } else if (cJSON_IsArray(pv)) {
                for (const cJSON *pr = pv->child; pr && !found; pr = pr->next)
                    found = _same_key(cJSON_GetObjectItemCaseSensitive(pr, p->key), link);
            }
            if (!found) {
                char path[200];
                snprintf(path, sizeof path, "records.%.60s[%d].%.60s", t->name, i, t->link);
                return api_problem_set(pb, 400, "invalid_records", path, "%s names no record of %s given (%s %s)", path,
                                       p->name, t->parent_index == r->root ? "another client than the applicant's"
                                                                                      : "another parent than those given",
                                       p->key);
            }
        }
    }
    return 0;
}

int api_model_x_from_records(const api_model *m, const cJSON *records, double *x, api_problem *pb)
{
    const feat_spec *spec = mf_spec(api_model_mf(m));
    const rcp_recipe *r = api_model_recipe(m);
    const api_featmap *fm = api_model_featmap(m);
    feat_rdata d = {0};
    double *all = NULL;
    cs_err err = {0};
    char names[256];
    int st = 0;

    if (!r || !spec)
        return api_problem_set(pb, 400, "wrong_input", "records",
                               "model %s has no feature spec: send client_id or features", api_model_name(m));
    _table_names(r, names, sizeof names);
    for (const cJSON *o = records->child; o; o = o->next) {
        char path[160];
        snprintf(path, sizeof path, "records.%.100s", o->string ? o->string : "");
        if (rcp_table_index(r, o->string ? o->string : "") < 0)
            return api_problem_set(pb, 400, "unknown_table", path, "recipe %s has no table '%.100s' (its tables: %s)",
                                   r->name, o->string ? o->string : "", names);
        for (const cJSON *p = o->next; p; p = p->next)
            if (p->string && o->string && !strcmp(p->string, o->string))
                return api_problem_set(pb, 400, "duplicate_field", path, "table given twice");
    }
    {
        const char *root = r->tables[r->root].name;
        const cJSON *rv = cJSON_GetObjectItemCaseSensitive(records, root);
        char path[160];
        snprintf(path, sizeof path, "records.%.100s", root);
        if (!rv) return api_problem_set(pb, 400, "missing_input", path, "records need the applicant's %s record", root);
        if (!cJSON_IsObject(rv))
            return api_problem_set(pb, 400, "wrong_type", path, "%s must be one record (an object)", root);
    }
    if ((st = _check_links(r, records, pb))) return st;
    if (!(d.t = calloc((size_t)r->n_tables, sizeof *d.t)))
        return api_problem_set(pb, 503, "overloaded", NULL, "out of memory");
    d.n_tables = r->n_tables;
    for (int ti = 0; ti < r->n_tables && !st; ti++) {
        const rcp_table *t = &r->tables[ti];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(records, t->name);
        tbl_schema *schema;
        tbl_builder *b;
        char path[160];
        if (!v) continue;       /* an absent table: no rows (its aggregates are NaN) */
        snprintf(path, sizeof path, "records.%.100s", t->name);
        if (ti != r->root && !cJSON_IsArray(v)) {
            st = api_problem_set(pb, 400, "wrong_type", path, "%s must be an array of records", t->name);
            break;
        }
        if (!(schema = feat_recipe_schema(r, ti, &err))) {
            st = api_problem_set(pb, 500, "internal", NULL, "%s", err.msg);
            break;
        }
        if (!(b = tbl_builder_create(t->name, schema, &err))) {
            feat_recipe_schema_free(schema);
            st = api_problem_set(pb, 500, "internal", NULL, "%s", err.msg);
            break;
        }
        if (ti == r->root) {
            st = api_record_row(v, schema, path, NAN, b, pb);
        } else {
            int i = 0;
            for (const cJSON *rec = v->child; rec && !st; rec = rec->next, i++) {
                char rpath[176];
                snprintf(rpath, sizeof rpath, "%s[%d]", path, i);
                st = api_record_row(rec, schema, rpath, NAN, b, pb);
            }
        }
        if (st) {
            tbl_builder_free(b);
        } else if (!(d.t[ti].parts[0] = tbl_builder_finish(b, &err))) {     /* out of memory: the server's fault */
            st = err.code == CS_ENOMEM ? api_problem_set(pb, 503, "overloaded", NULL, "%s", err.msg)
                                       : api_problem_set(pb, 400, "invalid_records", path, "%s", err.msg);
        } else {
            d.t[ti].n_parts = 1;
        }
        feat_recipe_schema_free(schema);
    }
    if (!st && !(all = malloc((feat_spec_n_feats(spec) + 1) * sizeof *all)))
        st = api_problem_set(pb, 503, "overloaded", NULL, "out of memory");
    if (!st) {
        cs_status cs = feat_recipe_compute_one(spec, &d, all, NULL, &err);
        if (cs == CS_EINVAL || cs == CS_EPARSE) st = api_problem_set(pb, 400, "invalid_records", "records", "%s", err.msg);
        else if (cs != CS_OK) st = api_problem_set(pb, 500, "internal", NULL, "%s", err.msg);
    }
    if (!st) {
        for (size_t j = 0; j < api_model_n_feats(m); j++) x[j] = NAN;
        for (size_t k = 0; k < feat_spec_n_feats(spec); k++) {
            long j = api_featmap_find(fm, feat_spec_name(spec, k));
            if (j >= 0) x[j] = all[k];
        }
    }
    free(all);
    feat_rdata_free(&d);
    return st;
}
