/*
 * test_monitor_challenger.c: the champion / challenger report's arithmetic: Pearson and
 * Spearman (mid-ranks) on values worked by hand, and a small audit log (four paired
 * decisions, a challenger failure, an unpaired decision, outcomes by client id) whose
 * agreement, swaps, AUCs and swap default rates are counted by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "monitor/challenger.h"
#include "store/audit.h"
#include "store/outcomes.h"
#include "testutil.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    return tu_mkdtemp(dir, sizeof dir, "/tmp/cs_test_chal_XXXXXX");
}

static int teardown(void **state)
{
    (void)state;
    return tu_rmrf(dir);
}

static void test_correlations(void **state)
{
    double x[5] = {1, 2, 3, 4, 5}, y[5] = {2, 4, 5, 4, 5}, c[5] = {3, 3, 3, 3, 3}, r[5] = {5, 4, 3, 2, 1};
    (void)state;
    /* sxy 6, sxx 10, syy 6 */
    assert_true(fabs(mon_pearson(x, y, 5) - 6 / sqrt(60)) < 1e-15);
    /* ranks of y: 1, 2.5, 4.5, 2.5, 4.5: sxy 7, syy 9 */
    assert_true(fabs(mon_spearman(x, y, 5, NULL) - 7 / sqrt(90)) < 1e-15);
    assert_true(mon_pearson(x, r, 5) == -1);
    assert_true(mon_spearman(y, y, 5, NULL) == 1);
    assert_true(isnan(mon_pearson(x, c, 5)));
    assert_true(isnan(mon_spearman(x, c, 5, NULL)));
    assert_true(isnan(mon_pearson(x, y, 1)));
}

static store_audit_rec dec(int i, double p0, double p1, const char *chd)
{
    store_audit_rec r;
    memset(&r, 0, sizeof r);
    r.unix_ms = 1780000000000LL + i * 1000;
    snprintf(r.request_id, sizeof r.request_id, "q%d", i);
    snprintf(r.model_name, sizeof r.model_name, "champ");
    snprintf(r.model_version, sizeof r.model_version, "1");
    r.client_id = 100 + i;
    r.probability = p0;
    r.threshold = 0.5;
    snprintf(r.decision, sizeof r.decision, "%s", p0 >= 0.5 ? "refuse" : "approve");
    if (chd) {
        snprintf(r.challenger_name, sizeof r.challenger_name, "chal");
        snprintf(r.challenger_version, sizeof r.challenger_version, "2");
        r.challenger_probability = p1;
        r.challenger_threshold = 0.5;
        snprintf(r.challenger_decision, sizeof r.challenger_decision, "%s", chd);
    }
    return r;
}

static void test_report(void **state)
{
    char path[128], csv[128];
    cs_err err = {0};
    store_audit *a;
    store_outcome_report orep;
    mon_ch_report *r;
    (void)state;
    snprintf(path, sizeof path, "%s/audit.db", dir);
    snprintf(csv, sizeof csv, "%s/outcomes.csv", dir);
    a = store_audit_open(path, &err);
    assert_non_null(a);
    store_audit_rec d[6] = {dec(0, 0.1, 0.2, "approve"), dec(1, 0.6, 0.4, "approve"), dec(2, 0.3, 0.7, "refuse"),
                            dec(3, 0.8, 0.9, "refuse"),  dec(4, 0.2, NAN, "error"),   dec(5, 0.2, 0, NULL)};
    for (int i = 0; i < 6; i++) assert_int_equal(store_audit_append(a, &d[i], &err), CS_OK);
    store_audit_close(a);
    assert_int_equal(tu_write_file(csv, "client_id,default,observed\n100,1,2026-12-31\n101,1,2026-12-31\n"
                                        "102,0,2026-12-31\n103,1,2026-12-31\n104,0,2026-12-31\n105,1,2026-12-31\n"),
                     0);
    assert_int_equal(store_outcomes_import_csv(path, csv, &orep, &err), CS_OK);
    store_outcome_report_clear(&orep);

    r = mon_challenger_run(path, 0, &err);
    if (!r) fail_msg("%s", err.msg);
    assert_int_equal(r->n_decisions, 6);
    assert_int_equal(r->n_unpaired, 1);
    assert_int_equal(r->n_outcomes, 6);
    assert_int_equal(r->n_outcomes_matched, 4);   /* not the failed one's, not the unpaired one's */
    assert_int_equal(r->n_pairs, 1);
    const mon_ch_pair *p = &r->pairs[0];
    assert_string_equal(p->champion_name, "champ");
    assert_string_equal(p->challenger_version, "2");
    assert_int_equal(p->n, 4);
    assert_int_equal(p->n_failed, 1);
    assert_int_equal(p->both_approve, 1);
    assert_int_equal(p->both_refuse, 1);
    assert_int_equal(p->to_refuse, 1);
    assert_int_equal(p->to_approve, 1);
    assert_true(p->agreement == 0.5);
    assert_true(p->champion_approval == 0.5 && p->challenger_approval == 0.5);
    assert_true(fabs(p->champion_mean_p - 0.45) < 1e-15 && fabs(p->challenger_mean_p - 0.55) < 1e-15);
    assert_int_equal(p->n_outcomes, 4);
    assert_int_equal(p->defaults, 3);
    /* the one repayer (client 102): champion 0.3 below two of the three defaulters' 0.1, 0.6,
     * 0.8; challenger 0.7 above two of 0.2, 0.4, 0.9 */
    assert_true(fabs(p->champion_auc - 2.0 / 3) < 1e-15);
    assert_true(fabs(p->challenger_auc - 1.0 / 3) < 1e-15);
    assert_int_equal(p->to_refuse_known, 1);
    assert_int_equal(p->to_refuse_defaults, 0);
    assert_int_equal(p->to_approve_known, 1);
    assert_int_equal(p->to_approve_defaults, 1);
    char *j = mon_challenger_json(r, &err), *t = mon_challenger_text(r, &err);
    assert_non_null(j);
    assert_non_null(t);
    assert_non_null(strstr(j, "\"swaps\":{\"to_refuse\":1,\"to_approve\":1}"));
    assert_non_null(strstr(t, "the challenger failed on 1 more"));
    free(j);
    free(t);
    mon_challenger_free(r);

    /* since after every decision: none paired, a clear error */
    assert_null(mon_challenger_run(path, 1790000000000LL, &err));
    assert_int_equal(err.code, CS_ENOTFOUND);
    assert_non_null(strstr(err.msg, "challenger"));
    assert_null(mon_challenger_run("/nonexistent/audit.db", 0, &err));
    mon_challenger_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_correlations),
        cmocka_unit_test(test_report),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
