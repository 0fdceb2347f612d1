/*
 * test_fair_report.c: src/fair: which features derive from a protected column (the kernel
 * recipe's CODE_GENDER, DAYS_BIRTH and its DAYS_EMPLOYED_PERC, a recipe's aggregate of a
 * protected child column and one filtered by it), a matrix without them (the excluded
 * features are absent, the others intact), the groups (age bands at their edges, factorized
 * codes named by category, dummies), and the report's numbers on a small case worked by hand,
 * its intervals (deterministic, holding the estimate) and its JSON and HTML.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fair/fair.h"

#define KERNEL_RECIPE "recipes/homecredit-kernel.json"

static feat_matrix *_matrix(size_t n_rows, const char *const *names, size_t n_feats)
{
    cs_err err = {0};
    feat_matrix *m = feat_matrix_create(n_rows, n_feats, &err);
    assert_non_null(m);
    for (size_t j = 0; j < n_feats; j++) m->names[j] = strdup(names[j]);
    for (size_t i = 0; i < n_rows; i++) m->ids[i] = (int64_t)i + 1;
    for (size_t k = 0; k < n_rows * n_feats; k++) m->values[k] = (double)k;
    return m;
}

static void test_kernel_protected_features(void **state)
{
    cs_err err = {0};
    rcp_recipe *r = rcp_parse_file(KERNEL_RECIPE, &err);
    char why[128];
    (void)state;
    assert_non_null(r);
    assert_true(fair_feature_protected(r, "CODE_GENDER", why, sizeof why));
    assert_string_equal(why, "CODE_GENDER");
    assert_true(fair_feature_protected(r, "DAYS_BIRTH", why, sizeof why));
    assert_true(fair_feature_protected(r, "DAYS_EMPLOYED_PERC", why, sizeof why));
    assert_string_equal(why, "DAYS_BIRTH");
    assert_true(fair_feature_protected(r, "NAME_FAMILY_STATUS_Married", why, sizeof why));
    assert_string_equal(why, "NAME_FAMILY_STATUS");
    assert_false(fair_feature_protected(r, "AMT_CREDIT", why, sizeof why));
    assert_string_equal(why, "");
    assert_false(fair_feature_protected(r, "INCOME_CREDIT_PERC", NULL, 0));
    assert_false(fair_feature_protected(r, "PAYMENT_RATE", NULL, 0));
    assert_false(fair_feature_protected(r, "BURO_DAYS_CREDIT_MEAN", NULL, 0));
    assert_false(fair_feature_protected(r, "NO_SUCH_FEATURE", NULL, 0));
    rcp_free(r);
}

static const char _recipe[] =
    "{\"recipe\": 1, \"name\": \"t\", \"tables\": ["
    "{\"name\": \"loans\", \"file\": \"loans.csv\", \"key\": \"id\", \"columns\": ["
    " {\"name\": \"id\", \"role\": \"id\"}, {\"name\": \"y\", \"role\": \"target\"},"
    " {\"name\": \"age\", \"role\": \"numeric\", \"unit\": \"years\", \"protected\": true},"
    " {\"name\": \"amount\", \"role\": \"numeric\"},"
    " {\"name\": \"sex\", \"role\": \"categorical\", \"encode\": \"onehot\", \"protected\": true}],"
    " \"derived\": [{\"name\": \"per_year\", \"op\": \"div\", \"args\": [\"amount\", \"age\"]},"
    "              {\"name\": \"twice\", \"op\": \"mul\", \"args\": [\"per_year\", 2]},"
    "              {\"name\": \"big\", \"op\": \"gt\", \"args\": [\"amount\", 1000]}]},"
    "{\"name\": \"people\", \"file\": \"people.csv\", \"parent\": \"loans\", \"link\": \"loan_id\", \"prefix\": \"P\","
    " \"columns\": [{\"name\": \"loan_id\", \"role\": \"id\"},"
    "  {\"name\": \"p_age\", \"role\": \"numeric\", \"protected\": true}, {\"name\": \"paid\", \"role\": \"numeric\"},"
    "  {\"name\": \"kind\", \"role\": \"categorical\", \"protected\": true}],"
    " \"aggs\": [{\"column\": \"p_age\", \"ops\": [\"mean\"]}, {\"column\": \"paid\", \"ops\": [\"sum\"]},"
    "  {\"column\": \"paid\", \"ops\": [\"max\"], \"prefix\": \"K\", \"where\": {\"column\": \"kind\", \"equals\": \"x\"}}]}]}";

static void test_mask_and_drop(void **state)
{
    cs_err err = {0};
    rcp_recipe *r = rcp_parse_string("t.json", _recipe, sizeof _recipe - 1, &err);
    static const char *const names[] = {"age",      "amount",      "sex_F",       "sex_M",       "per_year",
                                        "twice",    "big",         "P_p_age_MEAN", "P_paid_SUM", "K_paid_MAX"};
    static const unsigned char want[] = {1, 0, 1, 1, 1, 1, 0, 1, 0, 1};
    unsigned char drop[10];
    size_t n_drop = 0;
    cs_buf sum = {0}, json = {0};
    feat_matrix *m, *k;
    (void)state;
    if (!r) fprintf(stderr, "%s\n", err.msg);
    assert_non_null(r);
    m = _matrix(3, names, 10);
    assert_int_equal(fair_protected_mask(r, m, drop, &n_drop, &sum, &json, &err), CS_OK);
    assert_memory_equal(drop, want, sizeof want);
    assert_int_equal(n_drop, 7);
    assert_string_equal(sum.data, "age (age, per_year, twice), sex (sex_F, sex_M), p_age (P_p_age_MEAN), kind (K_paid_MAX)");
    assert_string_equal(json.data, "{\"attributes\": [\"age\", \"sex\", \"p_age\", \"kind\"], \"features\": [\"age\", "
                                   "\"sex_F\", \"sex_M\", \"per_year\", \"twice\", \"P_p_age_MEAN\", \"K_paid_MAX\"]}");
    /* the matrix without them: no excluded feature is left, the others are intact */
    k = fair_matrix_drop(m, drop, &err);
    assert_non_null(k);
    assert_int_equal(k->n_feats, 3);
    assert_int_equal(k->n_rows, 3);
    for (size_t j = 0; j < 10; j++) assert_int_equal(feat_index(k, names[j]) >= 0, !want[j]);
    for (size_t j = 0; j < k->n_feats; j++) {
        long o = feat_index(m, k->names[j]);
        assert_true(o >= 0);
        assert_memory_equal(feat_col(k, j), feat_col(m, (size_t)o), 3 * sizeof(double));
    }
    assert_memory_equal(k->ids, m->ids, 3 * sizeof *m->ids);
    feat_matrix_free(k);
    feat_matrix_free(m);
    cs_buf_free(&sum);
    cs_buf_free(&json);
    rcp_free(r);
}

static void test_age_bands(void **state)
{
    (void)state;
    assert_int_equal(fair_age_band(NAN), -1);
    assert_int_equal(fair_age_band(18), 0);
    assert_int_equal(fair_age_band(24.99), 0);
    assert_int_equal(fair_age_band(25), 1);
    assert_int_equal(fair_age_band(34), 1);
    assert_int_equal(fair_age_band(35), 2);
    assert_int_equal(fair_age_band(44), 2);
    assert_int_equal(fair_age_band(45), 3);
    assert_int_equal(fair_age_band(55), 4);
    assert_int_equal(fair_age_band(64.9), 4);
    assert_int_equal(fair_age_band(65), 5);
    assert_int_equal(fair_age_band(99), 5);
    assert_string_equal(fair_age_band_name(0), "under 25");
    assert_string_equal(fair_age_band_name(5), "65 and over");
}

/* kernel recipe: DAYS_BIRTH (age_days) in bands, CODE_GENDER factorized (no spec: "code k"),
 * NAME_FAMILY_STATUS from its dummies, CNT_CHILDREN as whole numbers */
static void test_groups(void **state)
{
    cs_err err = {0};
    rcp_recipe *r = rcp_parse_file(KERNEL_RECIPE, &err);
    static const char *const names[] = {"CODE_GENDER", "DAYS_BIRTH", "NAME_FAMILY_STATUS_Married",
                                        "NAME_FAMILY_STATUS_Single / not married", "CNT_CHILDREN"};
    /* 25 years = 9131.25 days: -9131 is 24 whole years, -9132 is 25 */
    const double gender[] = {0, 1, 0, -1, 2}, birth[] = {-9131, -9132, -25000, NAN, -12783};
    const double married[] = {1, 0, 0, 0, 1}, single[] = {0, 1, 0, 0, 0}, kids[] = {0, 7, 2, NAN, 5};
    feat_matrix *m;
    fair_attr *a = NULL;
    int n = 0;
    cs_buf skipped = {0};
    (void)state;
    assert_non_null(r);
    m = _matrix(5, names, 5);
    memcpy(m->values, gender, sizeof gender);
    memcpy(m->values + 5, birth, sizeof birth);
    memcpy(m->values + 10, married, sizeof married);
    memcpy(m->values + 15, single, sizeof single);
    memcpy(m->values + 20, kids, sizeof kids);
    assert_int_equal(fair_attrs_build(r, NULL, m, &a, &n, &skipped, &err), CS_OK);
    assert_int_equal(n, 4);
    assert_string_equal(a[0].name, "CODE_GENDER");
    assert_string_equal(a[0].label, "Gender");
    assert_int_equal(a[0].n_groups, 3);
    assert_string_equal(a[0].groups[2], "code 2");
    assert_int_equal(a[0].group[0], 0);
    assert_int_equal(a[0].group[3], -1);
    assert_int_equal(a[0].group[4], 2);
    assert_string_equal(a[1].name, "CNT_CHILDREN");
    assert_string_equal(a[1].kind, "values");
    assert_int_equal(a[1].group[1], 5);     /* 7 -> "5+" */
    assert_string_equal(a[1].groups[5], "5+");
    assert_int_equal(a[1].group[3], -1);
    assert_string_equal(a[2].name, "NAME_FAMILY_STATUS");
    assert_int_equal(a[2].n_groups, 2);
    assert_string_equal(a[2].groups[1], "Single / not married");
    assert_int_equal(a[2].group[0], 0);
    assert_int_equal(a[2].group[1], 1);
    assert_int_equal(a[2].group[2], -1);
    assert_string_equal(a[3].name, "DAYS_BIRTH");
    assert_string_equal(a[3].kind, "age bands");
    assert_int_equal(a[3].group[0], 0);
    assert_int_equal(a[3].group[1], 1);
    assert_int_equal(a[3].group[2], 5);     /* 68 years */
    assert_int_equal(a[3].group[3], -1);
    assert_int_equal(a[3].group[4], 1);     /* 12783 / 365.25 = 34.998: 34 whole years */
    fair_attrs_free(a, n);
    cs_buf_free(&skipped);
    feat_matrix_free(m);
    rcp_free(r);
}

/* Two groups worked by hand, threshold 0.5 (refused when p >= 0.5):
 *   A: p 0.1 0.2 0.6 0.7, y 0 0 1 0   approval 2/4, default 1/4, expected 0.4,
 *      AUC: the defaulter (0.6) is above 2 of the 3 repayers -> 2/3, TPR 1/1, FPR 1/3
 *   B: p 0.1 0.3 0.4 0.8 0.9 0.2, y 0 1 0 1 1 NaN   approval 4/6 (all rows),
 *      labelled 5: default 3/5, expected 2.5/5 = 0.5, AUC: defaulters 0.3 0.8 0.9 vs repayers
 *      0.1 0.4: (1 + 2 + 2) / 6 = 5/6, TPR 2/3, FPR 0/2
 *   favoured B; AIR A = 0.5 / (2/3) = 0.75 (flagged), B = 1; parity difference 1/6; equal
 *   opportunity (1 - FPR) 1 - 2/3 = 1/3; equalized odds max(1/3, 1/3) = 1/3. */
static void test_report_by_hand(void **state)
{
    const double p[] = {0.1, 0.2, 0.6, 0.7, 0.1, 0.3, 0.4, 0.8, 0.9, 0.2};
    const double y[] = {0, 0, 1, 0, 0, 1, 0, 1, 1, NAN};
    int grp[] = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
    char *groups[] = {"A", "B"};
    fair_attr at = {.name = "g", .label = "G", .kind = "categories", .n_groups = 2, .groups = groups, .group = grp,
                    .n_rows = 10};
    fair_opts o = {.threshold = 0.5, .cost_fn = 10, .cost_fp = 1, .n_boot = 300, .seed = 5, .min_group = 0};
    fair_report r, r2;
    cs_err err = {0};
    cs_buf js = {0}, html = {0};
    fair_doc d = {.model = "m.csm", .features = "f.csf", .recipe = "t"};
    (void)state;
    assert_int_equal(fair_report_compute(&at, 1, p, y, 10, &o, &r, &err), CS_OK);
    {
        const fair_group_stats *a = &r.a[0].g[0], *b = &r.a[0].g[1];
        assert_float_equal(a->approval.value, 0.5, 1e-12);
        assert_float_equal(a->default_rate.value, 0.25, 1e-12);
        assert_float_equal(a->expected.value, 0.4, 1e-12);
        assert_float_equal(a->auc.value, 2.0 / 3, 1e-12);
        assert_float_equal(a->tpr.value, 1, 1e-12);
        assert_float_equal(a->fpr.value, 1.0 / 3, 1e-12);
        assert_float_equal(a->air.value, 0.75, 1e-12);
        assert_true(a->four_fifths);
        assert_float_equal(b->n, 6, 0);
        assert_float_equal(b->n_labelled, 5, 0);
        assert_float_equal(b->approval.value, 4.0 / 6, 1e-12);
        assert_float_equal(b->default_rate.value, 0.6, 1e-12);
        assert_float_equal(b->expected.value, 0.5, 1e-12);
        assert_float_equal(b->auc.value, 5.0 / 6, 1e-12);
        assert_float_equal(b->tpr.value, 2.0 / 3, 1e-12);
        assert_float_equal(b->fpr.value, 0, 1e-12);
        assert_float_equal(b->air.value, 1, 1e-12);
        assert_false(b->four_fifths);
        assert_int_equal(r.a[0].favoured, 1);
        assert_float_equal(r.a[0].min_air.value, 0.75, 1e-12);
        assert_float_equal(r.a[0].dp_diff.value, 1.0 / 6, 1e-12);
        assert_float_equal(r.a[0].eo_diff.value, 1.0 / 3, 1e-12);
        assert_float_equal(r.a[0].eodds_diff.value, 1.0 / 3, 1e-12);
        assert_float_equal(fair_report_min_air(&r), 0.75, 1e-12);
        /* intervals hold the estimate of a mean */
        assert_true(a->approval.lo <= 0.5 && 0.5 <= a->approval.hi);
        assert_true(b->default_rate.lo <= 0.6 && 0.6 <= b->default_rate.hi);
        assert_true(a->approval.lo < a->approval.hi);
        /* overall: 6 of 10 approved; cost over the 9 labelled rows: FN = defaulters approved
         * (p 0.3) = 1, FP = repayers refused (p 0.7) = 1 -> 10 + 1 */
        assert_float_equal(r.overall.approval, 0.6, 1e-12);
        assert_float_equal(r.overall.cost, 11, 1e-12);
        assert_float_equal(r.overall.n_labelled, 9, 0);
    }
    /* the same seed gives the same intervals */
    assert_int_equal(fair_report_compute(&at, 1, p, y, 10, &o, &r2, &err), CS_OK);
    assert_memory_equal(r.a[0].g, r2.a[0].g, 2 * sizeof *r.a[0].g);
    fair_report_free(&r2);
    /* the writers */
    assert_int_equal(fair_report_json(&r, &d, &js, &err), CS_OK);
    assert_non_null(strstr(js.data, "\"favoured_group\": \"B\""));
    assert_non_null(strstr(js.data, "\"four_fifths_pass\": false"));
    assert_non_null(strstr(js.data, "\"compare\": null"));
    assert_int_equal(fair_report_html(&r, &d, &html, &err), CS_OK);
    assert_non_null(strstr(html.data, "four-fifths rule"));
    assert_null(strstr(html.data, "<script"));
    assert_null(strstr(html.data, "http"));
    cs_buf_free(&js);
    cs_buf_free(&html);
    fair_report_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_protected_features),
        cmocka_unit_test(test_mask_and_drop),
        cmocka_unit_test(test_age_bands),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_report_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
