/*
 * test_monitor_rules.c: the monitor's PSI (bins empty on both sides left out, evidently's
 * zero filling, as drift_psi), its bands, and the --fail-on rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor.h"

static void test_psi(void **state)
{
    double ref[4] = {0.25, 0.25, 0.5, 0}, same[4] = {25, 25, 50, 0}, moved[4] = {50, 25, 25, 0};
    double empty_cur[4] = {0, 50, 50, 0}, none[4] = {0, 0, 0, 0};
    (void)state;
    assert_true(fabs(mon_psi_counts(ref, same, 4)) < 1e-15);
    /* (0.5 - 0.25) ln 2 + 0 + (0.25 - 0.5) ln 0.5 = 0.5 ln 2 */
    assert_true(fabs(mon_psi_counts(ref, moved, 4) - 0.5 * log(2.0)) < 1e-12);
    /* a bin empty in the current data: filled with 1e-4 (the smallest non-zero share is 0.5) */
    {
        double c0 = 1e-4;
        double want = (c0 - 0.25) * log(c0 / 0.25) + (0.5 - 0.25) * log(0.5 / 0.25) + 0;
        assert_true(fabs(mon_psi_counts(ref, empty_cur, 4) - want) < 1e-12);
    }
    assert_true(isnan(mon_psi_counts(ref, none, 4)));
    assert_string_equal(mon_psi_band(0.05), "stable");
    assert_string_equal(mon_psi_band(0.1), "watch");
    assert_string_equal(mon_psi_band(0.25), "watch");
    assert_string_equal(mon_psi_band(0.2501), "act");
    assert_string_equal(mon_psi_band(NAN), "none");
}

static void test_rules(void **state)
{
    mon_rule r;
    cs_err err = {0};
    mon_report rep;
    mon_period p[3];
    char *names[1] = {"EXT_SOURCE_2"};
    cs_buf why = {0};
    (void)state;
    assert_int_equal(mon_rule_parse("psi>0.25", &r, &err), CS_OK);
    assert_string_equal(r.metric, "psi");
    assert_string_equal(r.op, ">");
    assert_true(r.value == 0.25);
    assert_int_equal(mon_rule_parse("gini<=0.4", &r, &err), CS_OK);
    assert_string_equal(r.op, "<=");
    assert_int_equal(mon_rule_parse("psi=0.25", &r, &err), CS_EINVAL);
    assert_int_equal(mon_rule_parse("psi>", &r, &err), CS_EINVAL);
    assert_int_equal(mon_rule_parse("psi>0.2x", &r, &err), CS_EINVAL);
    assert_int_equal(mon_rule_parse("foo>1", &r, &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "unknown metric"));

    memset(&rep, 0, sizeof rep);
    memset(p, 0, sizeof p);
    rep.periods = p;
    rep.n_periods = 3;
    rep.feat_names = names;
    rep.n_feats = 1;
    for (int k = 0; k < 3; k++) {
        static const char *const lab[3] = {"2025-01", "2025-02", "2025-03"};
        snprintf(p[k].label, sizeof p[k].label, "%s", lab[k]);
        p[k].psi = 0.1 * (k + 1) + 0.01;
        p[k].csi_max = k == 2 ? 0.4 : 0.05;
        p[k].csi_max_feature = 0;
        p[k].gini = NAN;
    }
    assert_int_equal(mon_rule_parse("psi>0.25", &r, &err), CS_OK);
    assert_int_equal(mon_rule_check(&rep, &r, &why), 1);
    assert_non_null(strstr(why.data, "2025-03: psi 0.31 > 0.25"));
    cs_buf_free(&why);
    assert_int_equal(mon_rule_parse("csi>=0.4", &r, &err), CS_OK);
    assert_int_equal(mon_rule_check(&rep, &r, &why), 1);
    assert_non_null(strstr(why.data, "(EXT_SOURCE_2)"));
    cs_buf_free(&why);
    /* NaN never breaches */
    assert_int_equal(mon_rule_parse("gini<0.9", &r, &err), CS_OK);
    assert_int_equal(mon_rule_check(&rep, &r, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psi),
        cmocka_unit_test(test_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
