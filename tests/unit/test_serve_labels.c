/*
 * test_serve_labels.c: feature labels and reason codes from a recipe (src/serve/labels.c):
 * root columns, one-hot dummies (label names the category, no value shown), aggregates of a
 * child table (their codes RC5x), values in the recipe's units, and names the recipe does
 * not know (built-in wording).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "serve/labels.h"

static const char RECIPE[] =
    "{\"recipe\": 1, \"name\": \"loans\", \"currency\": \"USD\", \"tables\": ["
    " {\"name\": \"loans\", \"file\": \"loans.csv\", \"key\": \"@row\", \"label\": {\"en\": \"Loan\", \"fr\": \"Prêt\"},"
    "  \"columns\": ["
    "   {\"name\": \"age\", \"role\": \"numeric\", \"unit\": \"years\", \"label\": {\"en\": \"Age\", \"fr\": \"Âge\"}},"
    "   {\"name\": \"amount\", \"role\": \"numeric\", \"unit\": \"currency\", \"label\": {\"en\": \"Loan amount\", \"fr\": "
    "\"Montant du prêt\"}},"
    "   {\"name\": \"home\", \"role\": \"categorical\", \"label\": {\"en\": \"Home ownership\", \"fr\": \"Logement\"},"
    "    \"category_labels\": {\"RENT\": {\"en\": \"renting\", \"fr\": \"locataire\"}}},"
    "   {\"name\": \"bad\", \"role\": \"target\"}]},"
    " {\"name\": \"payments\", \"file\": \"pay.csv\", \"parent\": \"loans\", \"link\": \"loan\", \"prefix\": \"PAY\","
    "  \"label\": {\"en\": \"Payments\", \"fr\": \"Paiements\"},"
    "  \"columns\": [{\"name\": \"loan\", \"role\": \"id\"}, {\"name\": \"paid\", \"role\": \"numeric\", \"unit\": "
    "\"currency\", \"label\": {\"en\": \"amount paid\", \"fr\": \"montant payé\"}}],"
    "  \"aggs\": [{\"column\": \"paid\", \"ops\": [\"mean\"]}]}]}";

static rcp_recipe *_recipe(void)
{
    cs_err err = {0};
    rcp_recipe *r = rcp_parse_string("loans.json", RECIPE, strlen(RECIPE), &err);
    if (!r) fail_msg("%s", err.msg);
    return r;
}

static void test_feature_labels(void **state)
{
    (void)state;
    rcp_recipe *r = _recipe();
    char b[256];
    assert_int_equal(api_feature_label(r, "age", 0, b, sizeof b), 1);
    assert_string_equal(b, "Age");
    assert_int_equal(api_feature_label(r, "age", 1, b, sizeof b), 1);
    assert_string_equal(b, "Âge");
    assert_int_equal(api_feature_label(r, "home_RENT", 0, b, sizeof b), 1);
    assert_non_null(strstr(b, "renting"));
    assert_int_equal(api_feature_label(r, "PAY_paid_MEAN", 0, b, sizeof b), 1);
    assert_non_null(strstr(b, "Payments"));
    assert_int_equal(api_feature_label(r, "EXT_SOURCE_3", 0, b, sizeof b), 0);
    assert_string_equal(b, "EXT_SOURCE_3");
    assert_int_equal(api_feature_label(NULL, "age", 0, b, sizeof b), 0);
    assert_string_equal(b, "age");
    rcp_free(r);
}

static void test_reasons_from_a_recipe(void **state)
{
    (void)state;
    rcp_recipe *r = _recipe();
    const char *names[5] = {"age", "amount", "home_RENT", "PAY_paid_MEAN", "EXT_SOURCE_3"};
    double phi[5] = {0.5, 0.4, 0.3, 0.2, 0.1}, x[5] = {22, 35000, 1, 120, 0.2};
    shap_labeller lab;
    shap_reason out[5];
    size_t n;
    api_labeller_init(&lab, r);
    n = shap_reasons_labelled(phi, x, names, 5, 5, SHAP_LANG_EN, &lab, out);
    assert_int_equal(n, 5);
    assert_string_equal(out[0].code, "RC01");      /* the first column of the root table */
    assert_string_equal(out[0].label, "Age");
    assert_non_null(strstr(out[0].text, "22"));
    assert_non_null(strstr(out[0].text, "years"));
    assert_string_equal(out[1].code, "RC02");
    assert_non_null(strstr(out[1].text, "USD"));
    assert_string_equal(out[2].code, "RC03");
    assert_non_null(strstr(out[2].label, "renting"));
    assert_null(strstr(out[2].text, "("));          /* a dummy shows no value */
    assert_string_equal(out[3].code, "RC51");      /* an aggregate of table 1 */
    assert_string_equal(out[4].code, "RC03");      /* not in the recipe: the built-in table (EXT_SOURCE_3) */
    assert_string_equal(out[4].label, "External credit score 3");
    n = shap_reasons_labelled(phi, x, names, 5, 1, SHAP_LANG_FR, &lab, out);
    assert_string_equal(out[0].label, "Âge");
    assert_non_null(strstr(out[0].text, "ans"));
    rcp_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_feature_labels), cmocka_unit_test(test_reasons_from_a_recipe)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
