/*
 * test_explain_labels.c: reason codes with a labeller (shap_reasons_labelled): a data set's
 * own labels, codes and value formats replace the built-in Home Credit wording for the
 * features it knows, the others keep the built-in rule, and a missing value is said so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "explain/shap.h"

/* A labeller that knows loan_amnt (a currency) and person_age (years). */
static int _label(void *ud, const char *name, shap_lang lang, char *out, size_t cap, char *code)
{
    (*(int *)ud)++;
    if (!strcmp(name, "loan_amnt")) {
        snprintf(out, cap, "%s", lang == SHAP_LANG_FR ? "Montant du prêt" : "Loan amount");
        memcpy(code, "RC06", 5);
        return 1;
    }
    if (!strcmp(name, "person_age")) {
        snprintf(out, cap, "%s", lang == SHAP_LANG_FR ? "Âge" : "Age");
        memcpy(code, "RC01", 5);
        return 1;
    }
    return 0;
}

static int _format(void *ud, const char *name, double v, shap_lang lang, char *out, size_t cap)
{
    (void)ud;
    if (!strcmp(name, "loan_amnt")) snprintf(out, cap, "%.0f USD", v);
    else snprintf(out, cap, "%.0f %s", v, lang == SHAP_LANG_FR ? "ans" : "years");
    return 1;
}

static void test_labelled_reasons(void **state)
{
    (void)state;
    const char *names[4] = {"person_age", "loan_amnt", "EXT_SOURCE_3", "loan_int_rate"};
    double phi[4] = {0.2, 0.5, 0.3, -0.1}, x[4] = {22, 35000, 0.155, 16.02};
    int calls = 0;
    shap_labeller lab = {_label, _format, &calls};
    shap_reason r[4];
    size_t n = shap_reasons_labelled(phi, x, names, 4, 4, SHAP_LANG_EN, &lab, r);
    assert_int_equal(n, 3);              /* only positive contributions */
    assert_int_equal(r[0].feature, 1);
    assert_string_equal(r[0].code, "RC06");
    assert_string_equal(r[0].label, "Loan amount");
    assert_string_equal(r[0].text, "Loan amount (35000 USD) raises the estimated risk of default.");
    /* a feature the labeller does not know keeps the built-in wording */
    assert_string_equal(r[1].code, "RC03");
    assert_string_equal(r[1].label, "External credit score 3");
    assert_string_equal(r[2].label, "Age");
    assert_string_equal(r[2].text, "Age (22 years) raises the estimated risk of default.");
    assert_true(calls >= 3);
    n = shap_reasons_labelled(phi, x, names, 4, 1, SHAP_LANG_FR, &lab, r);
    assert_int_equal(n, 1);
    assert_string_equal(r[0].text, "Montant du prêt (35000 USD) augmente le risque de défaut estimé.");
    /* missing value */
    x[1] = NAN;
    n = shap_reasons_labelled(phi, x, names, 4, 1, SHAP_LANG_EN, &lab, r);
    assert_string_equal(r[0].text, "Loan amount: not known, which raises the estimated risk of default.");
    /* no labeller: the same as shap_reasons */
    {
        shap_reason a[4], b[4];
        x[1] = 35000;
        size_t na = shap_reasons_labelled(phi, x, names, 4, 4, SHAP_LANG_EN, NULL, a);
        size_t nb = shap_reasons(phi, x, names, 4, 4, SHAP_LANG_EN, b);
        assert_int_equal(na, nb);
        for (size_t i = 0; i < na; i++) assert_string_equal(a[i].text, b[i].text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_labelled_reasons)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
