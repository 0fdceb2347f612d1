/*
 * test_store_outcomes.c: outcomes in the audit database: an import records outcomes by
 * client id and by request id, reports unknown ids, duplicates, conflicts and outcomes
 * observed before their decision without merging them, a re-import changes nothing, a
 * malformed file writes nothing; the lean decision reader; the binomial test (eval) against
 * scipy's numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/metrics.h"
#include "store/audit.h"
#include "store/outcomes.h"
#include "testutil.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    return tu_mkdtemp(dir, sizeof dir, "/tmp/cs_test_outcomes_XXXXXX");
}

static int teardown(void **state)
{
    (void)state;
    return tu_rmrf(dir);
}

static void _log(const char *path)
{
    cs_err err = {0};
    store_audit *a = store_audit_open(path, &err);
    assert_non_null(a);
    for (int i = 0; i < 5; i++) {
        store_audit_rec r;
        memset(&r, 0, sizeof r);
        r.unix_ms = store_audit_parse_time("2025-03-01") + (int64_t)i * 86400000;
        snprintf(r.request_id, sizeof r.request_id, "req-%d", i);
        snprintf(r.model_name, sizeof r.model_name, "%s", i == 4 ? "other" : "m");
        r.client_id = 100 + i;
        r.probability = 0.1 * (i + 1);
        snprintf(r.decision, sizeof r.decision, "%s", i % 2 ? "refuse" : "approve");
        assert_int_equal(store_audit_commit(a, &r, &err), CS_OK);
    }
    store_audit_close(a);
}

static void _write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int _count(const store_outcome *o, void *ud)
{
    (void)o;
    (*(int *)ud)++;
    return 0;
}

typedef struct {
    int n, refused;
    double sum_p;
} _dacc;

static int _dec(const store_decision *d, void *ud)
{
    _dacc *a = ud;
    a->n++;
    a->refused += d->refused;
    a->sum_p += d->probability;
    assert_non_null(d->request_id);
    return 0;
}

static void test_import(void **state)
{
    char db[128], csv[128];
    cs_err err = {0};
    store_outcome_report rep;
    int n = 0;
    (void)state;
    snprintf(db, sizeof db, "%s/audit.db", dir);
    snprintf(csv, sizeof csv, "%s/o.csv", dir);
    _log(db);
    {
        int has = -1;   /* no outcome imported yet */
        assert_int_equal(store_outcomes_has_request_keys(db, &has, &err), CS_OK);
        assert_int_equal(has, 0);
    }
    _write(csv, "client_id,default,observed\n"
                "100,1,2025-06-01\n"        /* recorded */
                "101,0,2026-03-02\n"        /* recorded */
                "102,1,2025-07-01\n102,1,2025-07-01\n" /* a duplicate: once */
                "103,1,2025-07-01\n103,0,2026-03-01\n" /* conflicting: none */
                "999,1,2025-07-01\n"        /* unknown */
                "104,1,2024-01-01\n"        /* before the decision */
                "\n");
    assert_int_equal(store_outcomes_import_csv(db, csv, &rep, &err), CS_OK);
    assert_int_equal(rep.rows, 8);
    assert_int_equal(rep.inserted, 3);
    assert_int_equal(rep.duplicates, 1);
    assert_int_equal(rep.conflicts_in_file, 2);
    assert_int_equal(rep.unknown, 1);
    assert_int_equal(rep.before_decision, 1);
    assert_int_equal(rep.n_issues, 5);
    for (size_t i = 1; i < rep.n_issues; i++) assert_true(rep.issues[i].line >= rep.issues[i - 1].line);
    store_outcome_report_clear(&rep);
    /* again: nothing changes */
    assert_int_equal(store_outcomes_import_csv(db, csv, &rep, &err), CS_OK);
    assert_int_equal(rep.inserted, 0);
    assert_int_equal(rep.unchanged, 3);
    store_outcome_report_clear(&rep);
    /* another outcome for a recorded key: a conflict, the recorded one kept */
    _write(csv, "observed,client_id,default\n2025-06-01,100,0\n");
    assert_int_equal(store_outcomes_import_csv(db, csv, &rep, &err), CS_OK);
    assert_int_equal(rep.conflicts, 1);
    assert_non_null(strstr(rep.issues[0].detail, "recorded: default 1"));
    store_outcome_report_clear(&rep);
    /* by request id (none before it: a reader may read outcomes and decisions at once) */
    {
        int has = -1;
        assert_int_equal(store_outcomes_has_request_keys(db, &has, &err), CS_OK);
        assert_int_equal(has, 0);
    }
    _write(csv, "request_id,default,observed\nreq-3,0,2026-03-01T10:00:00Z\nreq-x,1,2026-01-01\n");
    assert_int_equal(store_outcomes_import_csv(db, csv, &rep, &err), CS_OK);
    assert_int_equal(rep.inserted, 1);
    {
        int has = -1;
        assert_int_equal(store_outcomes_has_request_keys(db, &has, &err), CS_OK);
        assert_int_equal(has, 1);
    }
    assert_int_equal(rep.unknown, 1);
    store_outcome_report_clear(&rep);
    assert_int_equal(store_outcomes_read(db, _count, &n, &err), CS_OK);
    assert_int_equal(n, 4);
    /* malformed: nothing written, file:line:column */
    _write(csv, "client_id,default,observed\n101,1,2026-01-01\n105,yes,2026-01-01\n");
    assert_int_equal(store_outcomes_import_csv(db, csv, &rep, &err), CS_EPARSE);
    assert_non_null(strstr(err.msg, "o.csv:3:2"));
    n = 0;
    assert_int_equal(store_outcomes_read(db, _count, &n, &err), CS_OK);
    assert_int_equal(n, 4);
    _write(csv, "client_id,default,when\n");
    assert_int_equal(store_outcomes_import_csv(db, csv, &rep, &err), CS_EPARSE);
    assert_non_null(strstr(err.msg, "unknown column 'when'"));
    _write(csv, "request_id,default,observed\n<script>,1,2026-01-01\n");
    assert_int_equal(store_outcomes_import_csv(db, csv, &rep, &err), CS_EPARSE);
    /* the decisions, lean */
    {
        _dacc a = {0, 0, 0};
        assert_int_equal(store_audit_decisions(db, store_audit_parse_time("2025-03-02"), _dec, &a, &err), CS_OK);
        assert_int_equal(a.n, 4);
        assert_int_equal(a.refused, 2);
        assert_true(fabs(a.sum_p - 1.4) < 1e-12);
    }
}

static void test_no_outcomes_table(void **state)
{
    char db[128];
    cs_err err = {0};
    int n = 0;
    (void)state;
    snprintf(db, sizeof db, "%s/empty.db", dir);
    _log(db);
    assert_int_equal(store_outcomes_read(db, _count, &n, &err), CS_OK);
    assert_int_equal(n, 0);
}

static void test_binom_like_scipy(void **state)
{
    /* scipy.stats.binomtest(k, n, p).pvalue, scipy 1.10 */
    static const double c[][4] = {{3, 100, 0.08, 0.06494157719916457}, {15, 100, 0.08, 0.01561649544707247},
                                  {8, 100, 0.08, 1.0},                 {0, 50, 0.02, 0.6283982856253909},
                                  {50, 50, 0.9, 0.008373696343230024}, {7, 1000, 0.0123, 0.14987519275313346}};
    (void)state;
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        double p = ev_binom_test(c[i][0], c[i][1], c[i][2]);
        assert_true(fabs(p - c[i][3]) <= 1e-9 * c[i][3]);
    }
    assert_true(isnan(ev_binom_test(5, 4, 0.5)));
    assert_true(isnan(ev_binom_test(1, 0, 0.5)));
    assert_true(isnan(ev_binom_test(1, 4, 1.5)));
    assert_true(fabs(ev_binom_pmf(2, 4, 0.5) - 0.375) < 1e-15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_outcomes_table, setup, teardown),
        cmocka_unit_test(test_binom_like_scipy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
