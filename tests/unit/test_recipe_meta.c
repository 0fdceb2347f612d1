/*
 * test_recipe_meta.c: what names mean to a person (src/recipe/meta.c): every one of the
 * kernel's 795 feature names resolves through the Home Credit recipe to a table, a column
 * and a unit; labels compose readably in English and French; values format by unit in both
 * languages; profile / protected / actionable flags and the inputs' JSON.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "recipe/recipe.h"

#define KERNEL_RECIPE "recipes/homecredit-kernel.json"

static int _setup(void **state)
{
    cs_err err = {0};
    rcp_recipe *r = rcp_parse_file(KERNEL_RECIPE, &err);
    if (!r) fprintf(stderr, "%s\n", err.msg);
    *state = r;
    return r ? 0 : -1;
}

static int _teardown(void **state)
{
    rcp_free(*state);
    return 0;
}

static void _label_is(const rcp_recipe *r, const char *name, rcp_lang lang, const char *want)
{
    char out[512];
    rcp_meta_label(r, name, lang, out, sizeof out);
    if (strcmp(out, want)) fprintf(stderr, "%s: got \"%s\", wanted \"%s\"\n", name, out, want);
    assert_string_equal(out, want);
}

static void _format_is(const rcp_recipe *r, const char *name, double v, rcp_lang lang, const char *want)
{
    char out[128];
    rcp_meta_format(r, name, v, lang, out, sizeof out);
    if (strcmp(out, want)) fprintf(stderr, "%s = %g: got \"%s\", wanted \"%s\"\n", name, v, out, want);
    assert_string_equal(out, want);
}

static void test_every_kernel_feature_resolves(void **state)
{
    const rcp_recipe *r = *state;
    char line[512];
    FILE *f;
    int n = 0, known = 0;
    f = fopen("tests/data/kernel-feature-names.txt", "r"); /* a copy of the kernel's list */
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        rcp_meta m;
        char lbl[512];
        line[strcspn(line, "\n")] = 0;
        if (!line[0]) continue;
        n++;
        if (rcp_meta_lookup(r, line, &m)) known++;
        else fprintf(stderr, "unresolved: %s\n", line);
        rcp_meta_label(r, line, RCP_EN, lbl, sizeof lbl);
        assert_string_not_equal(lbl, line); /* every one has a label of its own */
    }
    fclose(f);
    assert_int_equal(n, 795);
    assert_int_equal(known, 795);
}

static void test_lookup(void **state)
{
    const rcp_recipe *r = *state;
    rcp_meta m;
    assert_true(rcp_meta_lookup(r, "PREV_NAME_YIELD_GROUP_low_action_MEAN", &m));
    assert_int_equal(m.is_aggregate, 1);
    assert_int_equal(m.agg, RCP_AGG_SHARE);
    assert_string_equal(m.table->name, "previous_application");
    assert_string_equal(m.column->name, "NAME_YIELD_GROUP");
    assert_string_equal(m.category, "low_action");
    assert_int_equal(m.unit, RCP_UNIT_SHARE);
    /* through two levels: bureau_balance -> bureau -> application */
    assert_true(rcp_meta_lookup(r, "BURO_MONTHS_BALANCE_SIZE_MEAN", &m));
    assert_int_equal(m.agg, RCP_AGG_MEAN);
    assert_string_equal(m.table->name, "bureau");
    assert_int_equal(m.unit, RCP_UNIT_COUNT);
    assert_true(rcp_meta_lookup(r, "BURO_STATUS_X_MEAN_MEAN", &m));
    assert_string_equal(m.column->name, "STATUS");
    assert_int_equal(m.unit, RCP_UNIT_SHARE);
    /* a filtered aggregate, a longer column name sharing a prefix */
    assert_true(rcp_meta_lookup(r, "ACTIVE_AMT_CREDIT_SUM_DEBT_SUM", &m));
    assert_string_equal(m.column->name, "AMT_CREDIT_SUM_DEBT");
    assert_int_equal(m.agg, RCP_AGG_SUM);
    assert_string_equal(m.spec->where_values[0], "Active");
    assert_true(rcp_meta_lookup(r, "ACTIVE_AMT_CREDIT_SUM_SUM", &m));
    assert_string_equal(m.column->name, "AMT_CREDIT_SUM");
    /* a dummy of the root; the longest encoded column wins */
    assert_true(rcp_meta_lookup(r, "NAME_EDUCATION_TYPE_Higher education", &m));
    assert_int_equal(m.is_aggregate, 0);
    assert_string_equal(m.column->name, "NAME_EDUCATION_TYPE");
    assert_string_equal(m.category, "Higher education");
    /* a row count, a derived column of a child, a pattern over dummies */
    assert_true(rcp_meta_lookup(r, "POS_COUNT", &m));
    assert_null(m.column);
    assert_int_equal(m.agg, RCP_AGG_COUNT);
    assert_true(rcp_meta_lookup(r, "INSTAL_DPD_MAX", &m));
    assert_string_equal(m.column->name, "DPD");
    assert_true(rcp_meta_lookup(r, "CC_NAME_CONTRACT_STATUS_Sent proposal_VAR", &m));
    assert_string_equal(m.column->name, "NAME_CONTRACT_STATUS");
    assert_string_equal(m.category, "Sent proposal");
    /* unknown names */
    assert_false(rcp_meta_lookup(r, "NOT_A_FEATURE", &m));
    assert_false(rcp_meta_lookup(r, "BURO_DAYS_CREDIT_MEDIAN", &m));
    assert_false(rcp_meta_lookup(r, "PREV_", &m));
    assert_false(rcp_meta_lookup(r, "", &m));
}

static void test_labels(void **state)
{
    const rcp_recipe *r = *state;
    _label_is(r, "PREV_NAME_YIELD_GROUP_low_action_MEAN", RCP_EN, "Previous applications: share with a low-action yield group");
    _label_is(r, "PREV_NAME_YIELD_GROUP_low_action_MEAN", RCP_FR, "Demandes précédentes : part avec un rendement à faible action");
    _label_is(r, "DAYS_BIRTH", RCP_EN, "Age");
    _label_is(r, "DAYS_BIRTH", RCP_FR, "Âge");
    _label_is(r, "BURO_DAYS_CREDIT_MEAN", RCP_EN, "Bureau credits: average time since the credit application");
    _label_is(r, "ACTIVE_AMT_CREDIT_SUM_SUM", RCP_EN, "Active bureau credits: total credit amount");
    _label_is(r, "CLOSED_AMT_CREDIT_SUM_DEBT_MAX", RCP_FR, "Crédits clos au bureau : dette (maximum)");
    _label_is(r, "NAME_EDUCATION_TYPE_Higher education", RCP_EN, "Education: Higher education");
    _label_is(r, "POS_COUNT", RCP_EN, "Point-of-sale and cash loans (monthly): number of records");
    _label_is(r, "BURO_CREDIT_ACTIVE_nan_MEAN", RCP_EN, "Bureau credits: share with credit status missing");
    _label_is(r, "BURO_STATUS_1_MEAN_MEAN", RCP_EN,
              "Bureau credits: average monthly bureau balances: share with monthly status 1-30 days past due");
    _label_is(r, "PAYMENT_RATE", RCP_EN, "Payment rate");
    _label_is(r, "NOT_A_FEATURE", RCP_EN, "NOT_A_FEATURE");
    {
        char small[8];
        size_t n = rcp_meta_label(r, "DAYS_EMPLOYED_PERC", RCP_EN, small, sizeof small);
        assert_int_equal(n, 7);
        assert_string_equal(small, "Share o");
    }
}

static void test_units_and_formats(void **state)
{
    const rcp_recipe *r = *state;
    _format_is(r, "DAYS_BIRTH", -18665, RCP_EN, "51 years");
    _format_is(r, "DAYS_BIRTH", -18665, RCP_FR, "51 ans");
    _format_is(r, "DAYS_EMPLOYED", -1200, RCP_EN, "3.3 years");
    _format_is(r, "DAYS_EMPLOYED", -1200, RCP_FR, "3,3 ans");
    _format_is(r, "DAYS_EMPLOYED", NAN, RCP_EN, "missing");
    _format_is(r, "AMT_INCOME_TOTAL", 270000, RCP_EN, "270,000");
    _format_is(r, "AMT_INCOME_TOTAL", 1234567.5, RCP_FR, "1 234 568");
    _format_is(r, "ANNUITY_INCOME_PERC", 0.2531, RCP_EN, "25.3%");
    _format_is(r, "ANNUITY_INCOME_PERC", 0.2531, RCP_FR, "25,3 %");
    _format_is(r, "PREV_NAME_YIELD_GROUP_low_action_MEAN", 0.5, RCP_EN, "50.0%");
    _format_is(r, "CNT_CHILDREN", 1, RCP_EN, "1");
    _format_is(r, "FLAG_MOBIL", 1, RCP_FR, "oui");
    _format_is(r, "FLAG_MOBIL", 0, RCP_EN, "no");
    _format_is(r, "CC_SK_DPD_MAX", 1, RCP_EN, "1 day");
    _format_is(r, "CC_SK_DPD_MAX", 12, RCP_FR, "12 jours");
    _format_is(r, "EXT_SOURCE_2", 0.123456789, RCP_EN, "0.123457");
    _format_is(r, "EXT_SOURCE_2", 0.5, RCP_FR, "0,5");
    _format_is(r, "NOT_A_FEATURE", -0.25, RCP_EN, "-0.25");
    _format_is(r, "PAYMENT_RATE", INFINITY, RCP_EN, "∞");
    {
        char out[64];
        rcp_format_value(RCP_UNIT_CURRENCY, "USD", -1234.6, RCP_EN, out, sizeof out);
        assert_string_equal(out, "-1,235 USD");
        rcp_format_value(RCP_UNIT_CURRENCY, "EUR", 12.5, RCP_FR, out, sizeof out);
        assert_string_equal(out, "12,50 EUR");
        rcp_format_value(RCP_UNIT_CURRENCY, NULL, -0.001, RCP_EN, out, sizeof out);
        assert_string_equal(out, "0.00");
        rcp_format_value(RCP_UNIT_YEARS, NULL, 22, RCP_EN, out, sizeof out);
        assert_string_equal(out, "22 years");
        rcp_format_value(RCP_UNIT_PERCENT, NULL, 12.5, RCP_EN, out, sizeof out);
        assert_string_equal(out, "12.5%");
        rcp_format_value(RCP_UNIT_COUNT, NULL, 1234567, RCP_EN, out, sizeof out);
        assert_string_equal(out, "1,234,567");
        rcp_format_value(RCP_UNIT_AGE_DAYS, NULL, -365.25, RCP_EN, out, sizeof out);
        assert_string_equal(out, "1 year");
        rcp_format_value(RCP_UNIT_RATIO, NULL, 2.0 / 3.0, RCP_EN, out, sizeof out);
        assert_string_equal(out, "0.667");
    }
}

static void test_flags_and_profile(void **state)
{
    const rcp_recipe *r = *state;
    const rcp_column *cols[64];
    int n;
    assert_true(rcp_meta_is_protected(r, "CODE_GENDER"));
    assert_true(rcp_meta_is_protected(r, "DAYS_BIRTH"));
    assert_false(rcp_meta_is_protected(r, "AMT_CREDIT"));
    assert_true(rcp_meta_is_actionable(r, "AMT_CREDIT"));
    assert_false(rcp_meta_is_actionable(r, "DAYS_BIRTH"));
    assert_true(rcp_meta_is_profile(r, "DAYS_BIRTH"));
    assert_false(rcp_meta_is_profile(r, "EXT_SOURCE_1"));
    assert_false(rcp_meta_is_profile(r, "BURO_DAYS_CREDIT_MEAN"));
    n = rcp_profile_fields(r, cols, 64);
    assert_true(n >= 10 && n <= 64);
    assert_string_equal(cols[0]->name, "NAME_CONTRACT_TYPE");
    for (int i = 0; i < n; i++) assert_true(cols[i]->profile);
    assert_int_equal(rcp_profile_fields(r, NULL, 0), n);
}

/* A text value as a person reads it: a category's label, a flag's yes / no (credit-risk). */
static void test_value_labels(void **state)
{
    cs_err err = {0};
    rcp_recipe *cr = rcp_parse_file("recipes/credit-risk.json", &err);
    char out[64] = "untouched";
    (void)state;
    assert_non_null(cr);
    assert_int_equal(rcp_meta_value_label(cr, "person_home_ownership", "RENT", RCP_EN, out, sizeof out), 1);
    assert_string_equal(out, "renting");
    assert_int_equal(rcp_meta_value_label(cr, "person_home_ownership", "MORTGAGE", RCP_FR, out, sizeof out), 1);
    assert_string_equal(out, "propriétaire avec un crédit immobilier");
    assert_int_equal(rcp_meta_value_label(cr, "cb_person_default_on_file", "Y", RCP_EN, out, sizeof out), 1);
    assert_string_equal(out, "yes");
    assert_int_equal(rcp_meta_value_label(cr, "cb_person_default_on_file", "N", RCP_FR, out, sizeof out), 1);
    assert_string_equal(out, "non");
    strcpy(out, "untouched"); /* no label: 0, out untouched */
    assert_int_equal(rcp_meta_value_label(cr, "person_home_ownership", "CASTLE", RCP_EN, out, sizeof out), 0);
    assert_int_equal(rcp_meta_value_label(cr, "cb_person_default_on_file", "maybe", RCP_EN, out, sizeof out), 0);
    assert_int_equal(rcp_meta_value_label(cr, "loan_amnt", "35000", RCP_EN, out, sizeof out), 0);
    assert_int_equal(rcp_meta_value_label(cr, "no_such_column", "RENT", RCP_EN, out, sizeof out), 0);
    assert_int_equal(rcp_meta_value_label(NULL, "person_home_ownership", "RENT", RCP_EN, out, sizeof out), 0);
    assert_string_equal(out, "untouched");
    rcp_free(cr);
}

static void test_inputs_json(void **state)
{
    const rcp_recipe *r = *state;
    cs_buf b = {0};
    cs_err err = {0};
    assert_int_equal(rcp_inputs_json(r, &b, &err), CS_OK);
    assert_non_null(strstr(b.data, "{\"recipe\":\"homecredit-kernel\",\"tables\":[{\"name\":\"application\""));
    assert_non_null(strstr(b.data, "\"name\":\"bureau_balance\",\"files\":[\"bureau_balance.csv\"],\"parent\":\"bureau\",\"link\":\"SK_ID_BUREAU\""));
    assert_non_null(strstr(b.data, "{\"name\":\"TARGET\",\"role\":\"target\",\"required\":false"));
    /* what a page needs to show a column: its unit, flags, and its categories in words */
    assert_non_null(strstr(b.data, "\"name\":\"CODE_GENDER\",\"role\":\"categorical\",\"required\":true,"
                                   "\"label\":{\"en\":\"Gender\",\"fr\":\"Sexe\"},\"profile\":true,\"protected\":true,"));
    assert_non_null(strstr(b.data, "\"AMT_CREDIT\",\"role\":\"numeric\",\"required\":true,\"label\":{\"en\":\"Credit amount\","
                                   "\"fr\":\"Montant du crédit\"},\"unit\":\"currency\",\"profile\":true,\"actionable\":true}"));
    assert_non_null(strstr(b.data, "\"Cash loans\":{\"en\":\"Cash loans\",\"fr\":\"Prêt personnel\"}"));
    cs_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kernel_feature_resolves), cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_labels), cmocka_unit_test(test_units_and_formats),
        cmocka_unit_test(test_flags_and_profile), cmocka_unit_test(test_inputs_json),
        cmocka_unit_test(test_value_labels),
    };
    return cmocka_run_group_tests(tests, _setup, _teardown);
}
