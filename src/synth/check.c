/*
 * check.c: the realism check. Reads a folder of the eight tables through io's strict CSV
 * reader (with the Home Credit schemas) and compares each documented real figure with the
 * folder's, within a stated tolerance:
 *
 *   application missing rates (train and test)     |got - real| <= max(0.02, 3 standard errors)
 *   application p25 and median (train, numeric)    <= max(10 % of |real|, 5 % of |median - p25|)
 *   application category shares (train, >= 1 %)   <= max(0.02, 3 standard errors)
 *   default rate                                   <= max(0.006, 3 standard errors)
 *   DAYS_EMPLOYED = 365243 share (train)           <= max(0.01, 3 standard errors)
 *   CODE_GENDER = XNA rows                         exactly 4 in train, 0 in test
 *   history tables: as listed in ref.c (rows per client 15 %, client shares 0.03,
 *   full-data category shares 0.03, sample missing rates 0.05, medians per figure)
 *   ids: rows whose SK_ID_CURR / SK_ID_BUREAU / SK_ID_PREV has no parent    exactly 0
 */
#include "synth_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the report ---------------------------------------------------------------------- */

static cs_status _add(synth_report *r, size_t *cap, const char *table, const char *what,
                      double got, double real, double tol, cs_err *err)
{
    synth_check_line *l;
    if (r->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        synth_check_line *nl = cs_reallocarray(r->lines, nc, sizeof *nl, err);
        if (!nl) return CS_ENOMEM;
        r->lines = nl;
        *cap = nc;
    }
    l = &r->lines[r->n++];
    memset(l, 0, sizeof *l);
    snprintf(l->table, sizeof l->table, "%s", table);
    snprintf(l->what, sizeof l->what, "%s", what);
    l->got = got;
    l->real = real;
    l->tol = tol;
    l->pass = !isnan(got) && fabs(got - real) <= tol * (1 + 1e-12) + 1e-12;
    if (!l->pass) r->n_fail++;
    return CS_OK;
}

void synth_report_free(synth_report *r)
{
    if (!r) return;
    free(r->lines);
    free(r);
}

cs_status synth_report_format(const synth_report *r, cs_buf *out, cs_err *err)
{
    cs_status st = cs_buf_printf(out, err, "%-22s %-52s %14s %14s %12s  %s\n", "table", "figure",
                                 "generated", "real", "tolerance", "result");
    for (size_t i = 0; !st && i < r->n; i++) {
        const synth_check_line *l = &r->lines[i];
        st = cs_buf_printf(out, err, "%-22s %-52s %14.6g %14.6g %12.4g  %s\n", l->table, l->what,
                           l->got, l->real, l->tol, l->pass ? "PASS" : "FAIL");
    }
    if (!st)
        st = cs_buf_printf(out, err, "%zu figures compared, %zu out of tolerance: %s\n", r->n,
                           r->n_fail, r->n_fail ? "FAIL" : "PASS");
    return st;
}

/* ---- statistics ---------------------------------------------------------------------- */

static int _cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* pandas' quantile (linear interpolation) over the non-missing values; NaN when none */
static double _quantile(const tbl_column *c, size_t n, double q, double *tmp)
{
    size_t m = 0;
    double pos;
    size_t lo;
    for (size_t i = 0; i < n; i++)
        if (!isnan(c->num[i])) tmp[m++] = c->num[i];
    if (!m) return NAN;
    qsort(tmp, m, sizeof *tmp, _cmp_d);
    pos = q * (double)(m - 1);
    lo = (size_t)floor(pos);
    if (lo + 1 >= m) return tmp[m - 1];
    return tmp[lo] + (tmp[lo + 1] - tmp[lo]) * (pos - (double)lo);
}

static double _missing(const tbl_column *c, size_t n)
{
    size_t k = 0;
    if (!n) return NAN;
    for (size_t i = 0; i < n; i++)
        k += c->type == TBL_NUM ? isnan(c->num[i]) : c->codes[i] < 0;
    return (double)k / (double)n;
}

/* share of rows equal to value, among all rows (all_rows) or the non-missing ones */
static double _share(const tbl_column *c, size_t n, const char *value, int all_rows)
{
    int32_t code = -1;
    size_t k = 0, m = 0;
    if (!n) return NAN;
    if (c->type == TBL_CAT) {
        for (int32_t j = 0; j < c->n_cats; j++)
            if (!strcmp(c->cats[j], value)) code = j;
        for (size_t i = 0; i < n; i++) {
            m += c->codes[i] >= 0;
            k += code >= 0 && c->codes[i] == code;
        }
    } else {
        double v = strtod(value, NULL);
        for (size_t i = 0; i < n; i++) {
            m += !isnan(c->num[i]);
            k += c->num[i] == v;
        }
    }
    if (all_rows) m = n;
    return m ? (double)k / (double)m : NAN;
}

/* sorted distinct values of a numeric id column; returns the count (ids NULL on ENOMEM) */
static double *_distinct(const tbl_column *c, size_t n, size_t *n_out, cs_err *err)
{
    double *v = cs_malloc((n ? n : 1) * sizeof *v, err);
    size_t m = 0, k = 0;
    if (!v) return NULL;
    for (size_t i = 0; i < n; i++)
        if (!isnan(c->num[i])) v[m++] = c->num[i];
    qsort(v, m, sizeof *v, _cmp_d);
    for (size_t i = 0; i < m; i++)
        if (!k || v[i] != v[k - 1]) v[k++] = v[i];
    *n_out = k;
    return v;
}

static int _has(const double *sorted, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sorted[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && sorted[lo] == x;
}

/* rows of child whose key is not among the parent's keys */
static double _orphans(const tbl *child, const char *key, const double *parent_ids, size_t n_parent)
{
    const tbl_column *c = tbl_col(child, key);
    size_t k = 0;
    if (!c || c->type != TBL_NUM) return NAN;
    for (size_t i = 0; i < child->n_rows; i++) k += !_has(parent_ids, n_parent, c->num[i]);
    return (double)k;
}

/* ---- the check ----------------------------------------------------------------------- */

/* a share's tolerance: the stated one, or 3 standard errors on small tables */
static double _tol_share(double p, size_t n, double stated)
{
    double se = n ? sqrt(p * (1 - p) / (double)n) : 1.0;
    return fmax(stated, 3 * se);
}

static cs_status _app(synth_report *r, size_t *cap, const tbl *t, int train, double *tmp,
                      cs_err *err)
{
    const char *name = train ? "application_train" : "application_test";
    size_t n = t->n_rows;
    char what[96];
    cs_status st = CS_OK;

    for (int k = 0; k < SYNTH_APP_NCOL && !st; k++) {
        const synth_ref_col *rc = &synth_ref_app[k];
        const tbl_column *c = tbl_col(t, rc->name);
        if (!train && k == A_TARGET) continue;
        if (!c) return cs_err_set(err, CS_EINTERNAL, "%s: no column %s", t->source, rc->name);
        snprintf(what, sizeof what, "missing %s", rc->name);
        {
            double real = train ? rc->miss_train / SYNTH_REAL_TRAIN : rc->miss_test / SYNTH_REAL_TEST;
            st = _add(r, cap, name, what, _missing(c, n), real, _tol_share(real, n, 0.02), err);
        }
        if (st || !train || k == A_SK_ID_CURR || k == A_TARGET) continue;
        if (!rc->is_cat) {
            double tol_q = fmax(0.05 * fabs(rc->median - rc->p25), 0.0);
            snprintf(what, sizeof what, "p25 %s", rc->name);
            st = _add(r, cap, name, what, _quantile(c, n, 0.25, tmp), rc->p25,
                      fmax(0.10 * fabs(rc->p25), tol_q), err);
            snprintf(what, sizeof what, "median %s", rc->name);
            if (!st)
                st = _add(r, cap, name, what, _quantile(c, n, 0.5, tmp), rc->median,
                          fmax(0.10 * fabs(rc->median), tol_q), err);
        } else {
            double total = 0;
            for (int j = 0; j < rc->n_cats; j++) total += rc->cats[j].count;
            for (int j = 0; j < rc->n_cats && !st; j++) {
                if (rc->cats[j].count / total < 0.01) continue;
                snprintf(what, sizeof what, "share %s=%s", rc->name, rc->cats[j].value);
                st = _add(r, cap, name, what, _share(c, n, rc->cats[j].value, 0),
                          rc->cats[j].count / total, _tol_share(rc->cats[j].count / total, n, 0.02), err);
            }
        }
    }
    if (st) return st;
    if (train) {
        const tbl_column *tg = tbl_col(t, "TARGET"), *de = tbl_col(t, "DAYS_EMPLOYED");
        double mean = 0, se = sqrt(0.080729 * (1 - 0.080729) / (double)(n ? n : 1));
        for (size_t i = 0; i < n; i++) mean += tg->num[i];
        mean = n ? mean / (double)n : NAN;
        st = _add(r, cap, name, "default rate (mean TARGET)", mean, 0.080729, fmax(0.006, 3 * se), err);
        se = sqrt(0.18 * 0.82 / (double)(n ? n : 1));
        if (!st)
            st = _add(r, cap, name, "share DAYS_EMPLOYED=365243", _share(de, n, "365243", 1),
                      55374.0 / SYNTH_REAL_TRAIN, fmax(0.01, 3 * se), err);
    }
    if (!st && n >= 4) {
        const tbl_column *g = tbl_col(t, "CODE_GENDER");
        st = _add(r, cap, name, "rows CODE_GENDER=XNA", _share(g, n, "XNA", 1) * (double)n,
                  train ? 4.0 : 0.0, 0.0, err);
    }
    return st;
}

static cs_status _hist(synth_report *r, size_t *cap, tbl *const *tabs, double n_clients,
                       double *tmp, cs_err *err)
{
    char what[96];
    cs_status st = CS_OK;
    for (size_t i = 0; i < synth_ref_hist_n && !st; i++) {
        const synth_ref_fig *f = &synth_ref_hist[i];
        const tbl *t = tabs[f->table];
        const char *name = hc_schema(f->table)->table;
        const tbl_column *c = f->column ? tbl_col(t, f->column) : NULL;
        double got = NAN;
        size_t nd = 0;
        double *ids = NULL;

        if (f->column && !c) return cs_err_set(err, CS_EINTERNAL, "%s: no column %s", t->source, f->column);
        switch (f->kind) {
        case SYNTH_REF_ROWS_PER_CLIENT:
            snprintf(what, sizeof what, "rows per client");
            got = (double)t->n_rows / n_clients;
            break;
        case SYNTH_REF_CLIENT_SHARE:
            snprintf(what, sizeof what, "share of clients with rows");
            ids = _distinct(tbl_col(t, "SK_ID_CURR"), t->n_rows, &nd, err);
            if (!ids) return CS_ENOMEM;
            got = (double)nd / n_clients;
            break;
        case SYNTH_REF_PARENT_SHARE:
            snprintf(what, sizeof what, "share of bureau records with months");
            ids = _distinct(tbl_col(t, "SK_ID_BUREAU"), t->n_rows, &nd, err);
            if (!ids) return CS_ENOMEM;
            got = tabs[HC_BUREAU]->n_rows ? (double)nd / (double)tabs[HC_BUREAU]->n_rows : NAN;
            break;
        case SYNTH_REF_ROWS_PER_PARENT: {
            const char *key = f->table == HC_BUREAU_BALANCE ? "SK_ID_BUREAU" : "SK_ID_PREV";
            snprintf(what, sizeof what, "rows per %s", key);
            ids = _distinct(tbl_col(t, key), t->n_rows, &nd, err);
            if (!ids) return CS_ENOMEM;
            got = nd ? (double)t->n_rows / (double)nd : NAN;
            break;
        }
        case SYNTH_REF_MISSING:
            snprintf(what, sizeof what, "missing %s", f->column);
            got = _missing(c, t->n_rows);
            break;
        case SYNTH_REF_MEDIAN:
            snprintf(what, sizeof what, "median %s", f->column);
            got = c->type == TBL_NUM ? _quantile(c, t->n_rows, 0.5, tmp) : NAN;
            break;
        case SYNTH_REF_SHARE:
            snprintf(what, sizeof what, "share %s=%s", f->column, f->value);
            got = _share(c, t->n_rows, f->value, 1);
            break;
        }
        free(ids);
        st = _add(r, cap, name, what, got, f->real, f->tol, err);
    }
    return st;
}

static cs_status _ids(synth_report *r, size_t *cap, tbl *const *tabs, cs_err *err)
{
    static const hc_table with_curr[] = {HC_BUREAU, HC_PREVIOUS_APPLICATION, HC_POS_CASH_BALANCE,
                                         HC_INSTALLMENTS_PAYMENTS, HC_CREDIT_CARD_BALANCE};
    static const hc_table with_prev[] = {HC_POS_CASH_BALANCE, HC_INSTALLMENTS_PAYMENTS,
                                         HC_CREDIT_CARD_BALANCE};
    size_t n_tr, n_te, n_cur, n_bur, n_prev;
    double *tr = _distinct(tbl_col(tabs[HC_APPLICATION_TRAIN], "SK_ID_CURR"), tabs[HC_APPLICATION_TRAIN]->n_rows, &n_tr, err);
    double *te = _distinct(tbl_col(tabs[HC_APPLICATION_TEST], "SK_ID_CURR"), tabs[HC_APPLICATION_TEST]->n_rows, &n_te, err);
    double *cur = NULL, *bur = NULL, *prev = NULL;
    cs_status st = CS_OK;

    if (tr && te) cur = cs_malloc((n_tr + n_te + 1) * sizeof *cur, err);
    if (cur) {
        memcpy(cur, tr, n_tr * sizeof *cur);
        memcpy(cur + n_tr, te, n_te * sizeof *cur);
        qsort(cur, n_tr + n_te, sizeof *cur, _cmp_d);
        n_cur = n_tr + n_te;
        bur = _distinct(tbl_col(tabs[HC_BUREAU], "SK_ID_BUREAU"), tabs[HC_BUREAU]->n_rows, &n_bur, err);
        prev = _distinct(tbl_col(tabs[HC_PREVIOUS_APPLICATION], "SK_ID_PREV"), tabs[HC_PREVIOUS_APPLICATION]->n_rows, &n_prev, err);
    }
    if (!tr || !te || !cur || !bur || !prev) st = CS_ENOMEM;
    if (!st) {
        double both = 0;
        for (size_t j = 0; j < n_te; j++) both += _has(tr, n_tr, te[j]);
        st = _add(r, cap, "application", "SK_ID_CURR in both train and test", both, 0.0, 0.0, err);
    }
    for (size_t i = 0; !st && i < sizeof with_curr / sizeof with_curr[0]; i++)
        st = _add(r, cap, hc_schema(with_curr[i])->table, "rows whose SK_ID_CURR has no application",
                  _orphans(tabs[with_curr[i]], "SK_ID_CURR", cur, n_cur), 0.0, 0.0, err);
    if (!st)
        st = _add(r, cap, "bureau_balance", "rows whose SK_ID_BUREAU is not in bureau",
                  _orphans(tabs[HC_BUREAU_BALANCE], "SK_ID_BUREAU", bur, n_bur), 0.0, 0.0, err);
    for (size_t i = 0; !st && i < sizeof with_prev / sizeof with_prev[0]; i++)
        st = _add(r, cap, hc_schema(with_prev[i])->table, "rows whose SK_ID_PREV is not in previous",
                  _orphans(tabs[with_prev[i]], "SK_ID_PREV", prev, n_prev), 0.0, 0.0, err);
    free(tr);
    free(te);
    free(cur);
    free(bur);
    free(prev);
    return st;
}

synth_report *synth_check_dir(const char *dir, FILE *progress, cs_err *err)
{
    tbl *tabs[HC_N_TABLES] = {0};
    synth_report *r = cs_calloc(1, sizeof *r, err);
    size_t cap = 0, max_rows = 1;
    double *tmp = NULL;
    cs_status st = CS_OK;

    if (!r) return NULL;
    for (int t = 0; t < HC_N_TABLES && !st; t++) {
        char path[4200];
        tbl_read_opts o;
        cs_progress *bar;
        snprintf(path, sizeof path, "%s/%s", dir, hc_file_name((hc_table)t));
        memset(&o, 0, sizeof o);
        o.schema = hc_schema((hc_table)t);
        {
            FILE *fp = fopen(path, "rb");
            long sz = 0;
            if (fp && fseek(fp, 0, SEEK_END) == 0) sz = ftell(fp);
            if (fp) fclose(fp);
            bar = cs_progress_create(progress, hc_file_name((hc_table)t), sz > 0 ? (uint64_t)sz : 1);
        }
        o.progress = bar;
        tabs[t] = tbl_read_csv_opts(path, &o, err);
        if (tabs[t]) cs_progress_finish(bar, NULL);
        cs_progress_free(bar);
        if (!tabs[t]) st = err ? err->code : CS_EIO;
        else if (tabs[t]->n_rows > max_rows) max_rows = tabs[t]->n_rows;
    }
    if (!st) {
        tmp = cs_malloc(max_rows * sizeof *tmp, err);
        if (!tmp) st = CS_ENOMEM;
    }
    if (!st) st = _app(r, &cap, tabs[HC_APPLICATION_TRAIN], 1, tmp, err);
    if (!st) st = _app(r, &cap, tabs[HC_APPLICATION_TEST], 0, tmp, err);
    if (!st)
        st = _hist(r, &cap, tabs,
                   (double)(tabs[HC_APPLICATION_TRAIN]->n_rows + tabs[HC_APPLICATION_TEST]->n_rows), tmp, err);
    if (!st) st = _ids(r, &cap, tabs, err);
    free(tmp);
    for (int t = 0; t < HC_N_TABLES; t++) tbl_free(tabs[t]);
    if (st) {
        synth_report_free(r);
        return NULL;
    }
    return r;
}
