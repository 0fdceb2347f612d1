/*
 * test_infer_recipe.c: unit tests of recipe inference (src/infer): the role of each kind of
 * column (numeric, categorical, Y/N flag, free text, constant, id, target), the row-number
 * id, child tables and their default aggregations, readable labels, and every error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infer/infer.h"

static tbl *_read(const char *name, const char *text)
{
    cs_err err = {0};
    tbl *t = tbl_read_csv_mem(name, text, strlen(text), NULL, &err);
    if (!t) print_error("%s\n", err.msg);
    assert_non_null(t);
    return t;
}

/* The column object named col of table ti in the recipe. */
static const cJSON *_col(const cJSON *root, int ti, const char *col)
{
    const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "tables"), ti), *c;
    assert_non_null(t);
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(t, "columns"))
    {
        if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "name")), col)) return c;
    }
    print_error("no column %s in table %d\n", col, ti);
    fail();
    return NULL;
}

static const char *_role(const cJSON *root, int ti, const char *col)
{
    return cJSON_GetStringValue(cJSON_GetObjectItem(_col(root, ti, col), "role"));
}

/* A loans table like the credit-risk file: numbers, categories, a Y/N flag, the target. */
static const char LOANS[] = "person_age,person_home_ownership,loan_amnt,cb_person_default_on_file,loan_status,"
                            "comment,country\n"
                            "22,RENT,35000,Y,1,late twice,FR\n"
                            "21,OWN,1000,N,0,ok,FR\n"
                            "25,MORTGAGE,5500,N,1,new client,FR\n"
                            "23,RENT,,Y,0,,FR\n";

static void test_roles_of_a_flat_table(void **state)
{
    (void)state;
    tbl *t = _read("loans.csv", LOANS);
    inf_options o = {.table_path = "some/dir/loans.csv"};
    cs_err err = {0};
    inf_result *r = inf_run_tables(&o, t, NULL, &err);
    cJSON *root;
    const cJSON *tab;
    assert_non_null(r);
    root = cJSON_Parse(r->json);
    assert_non_null(root);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(root, "name")), "loans");
    tab = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "tables"), 0);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(tab, "file")), "loans.csv");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(tab, "key")), "@row");  /* no id: row number */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "tables")), 1);
    assert_string_equal(_role(root, 0, "person_age"), "numeric");
    assert_string_equal(_role(root, 0, "person_home_ownership"), "categorical");
    assert_string_equal(_role(root, 0, "loan_amnt"), "numeric");
    assert_string_equal(_role(root, 0, "cb_person_default_on_file"), "flag");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(_col(root, 0, "person_home_ownership"), "encode")),
                        "onehot");
    assert_int_equal(cJSON_GetObjectItem(root, "recipe")->valueint, 1);
    assert_string_equal(_role(root, 0, "loan_status"), "target");
    assert_string_equal(_role(root, 0, "country"), "ignore");     /* one value */
    /* labels: readable, abbreviations spelled out, the same in both languages */
    {
        const cJSON *l = cJSON_GetObjectItem(_col(root, 0, "loan_amnt"), "label");
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(l, "en")), "Loan amount");
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(l, "fr")), "Loan amount");
    }
    /* one note per column, and one for the row-number id */
    assert_int_equal(r->n_notes, t->n_cols + 1);
    cJSON_Delete(root);
    inf_result_free(r);
    tbl_free(t);
}

static void test_free_text_is_ignored(void **state)
{
    (void)state;
    /* 30 rows, 30 distinct texts: free text or an identifier, not a category */
    char text[4096] = "note,x,target\n";
    for (int i = 0; i < 30; i++) {
        char line[64];
        snprintf(line, sizeof line, "text number %d,%d,%d\n", i, i % 7, i % 2);
        strcat(text, line);
    }
    tbl *t = _read("t.csv", text);
    inf_options o = {.table_path = "t.csv"};
    inf_result *r = inf_run_tables(&o, t, NULL, NULL);
    cJSON *root;
    assert_non_null(r);
    root = cJSON_Parse(r->json);
    assert_string_equal(_role(root, 0, "note"), "ignore");
    assert_string_equal(_role(root, 0, "x"), "numeric");
    assert_string_equal(_role(root, 0, "target"), "target");
    cJSON_Delete(root);
    inf_result_free(r);
    tbl_free(t);
}

static void test_id_found_or_given(void **state)
{
    (void)state;
    tbl *t = _read("a.csv", "loan_id,amount,default\n10,1.5,0\n11,2.5,1\n12,3,0\n");
    inf_options o = {.table_path = "a.csv"};
    inf_result *r = inf_run_tables(&o, t, NULL, NULL);
    cJSON *root;
    assert_non_null(r);
    root = cJSON_Parse(r->json);
    assert_string_equal(_role(root, 0, "loan_id"), "id");
    assert_string_equal(_role(root, 0, "default"), "target");
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "tables"), 0), "key")),
        "loan_id");
    cJSON_Delete(root);
    inf_result_free(r);
    /* --id and --target by name; a duplicate id is refused */
    o.id_col = "amount";
    o.target_col = "default";
    r = inf_run_tables(&o, t, NULL, NULL);
    assert_null(r);
    tbl_free(t);
    t = _read("b.csv", "ref,amount,bad\n7,1,0\n7,2,1\n8,3,0\n");
    o = (inf_options){.table_path = "b.csv"};
    r = inf_run_tables(&o, t, NULL, NULL);       /* ref repeats: not an id, rows numbered */
    assert_non_null(r);
    root = cJSON_Parse(r->json);
    assert_string_equal(_role(root, 0, "ref"), "numeric");
    assert_string_equal(_role(root, 0, "bad"), "target");
    cJSON_Delete(root);
    inf_result_free(r);
    tbl_free(t);
}

static void test_child_tables(void **state)
{
    (void)state;
    tbl *app = _read("app.csv", "SK_ID_CURR,TARGET,AMT_CREDIT\n1,0,100\n2,1,200\n");
    tbl *bur = _read("bureau.csv", "SK_ID_CURR,CREDIT_ACTIVE,AMT_CREDIT_SUM,DAYS_CREDIT\n1,Active,5,-10\n1,Closed,7,-20\n2,"
                                   "Active,,-5\n");
    const tbl *children[1] = {bur};
    inf_child ch = {.name = "bureau", .path = "data/bureau.csv", .key = "SK_ID_CURR"};
    inf_options o = {.table_path = "application.csv", .children = &ch, .n_children = 1, .recipe_name = "mine"};
    cs_err err = {0};
    inf_result *r = inf_run_tables(&o, app, children, &err);
    cJSON *root;
    const cJSON *t1, *aggs, *a;
    int n_mean = 0, n_share = 0, n_count = 0;
    assert_non_null(r);
    root = cJSON_Parse(r->json);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(root, "name")), "mine");
    assert_string_equal(_role(root, 0, "SK_ID_CURR"), "id");
    assert_string_equal(_role(root, 0, "TARGET"), "target");
    t1 = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "tables"), 1);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(t1, "name")), "bureau");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(t1, "file")), "bureau.csv");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(t1, "parent")), "application");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(t1, "link")), "SK_ID_CURR");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(t1, "prefix")), "BUREAU");
    assert_null(cJSON_GetObjectItem(_col(root, 1, "CREDIT_ACTIVE"), "encode"));   /* aggregated by share */
    assert_string_equal(_role(root, 1, "SK_ID_CURR"), "id");
    assert_string_equal(_role(root, 1, "CREDIT_ACTIVE"), "categorical");
    {
        const cJSON *l = cJSON_GetObjectItem(_col(root, 1, "AMT_CREDIT_SUM"), "label");
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(l, "en")), "Amount credit sum");
    }
    aggs = cJSON_GetObjectItem(t1, "aggs");
    cJSON_ArrayForEach(a, aggs)
    {
        const cJSON *op;
        cJSON_ArrayForEach(op, cJSON_GetObjectItem(a, "ops"))
        {
            const char *f = cJSON_GetStringValue(op);
            if (!strcmp(f, "mean")) n_mean++;
            if (!strcmp(f, "share")) n_share++;
            if (!strcmp(f, "count")) n_count++;
        }
    }
    assert_int_equal(n_count, 1);
    assert_int_equal(n_mean, 2);        /* AMT_CREDIT_SUM, DAYS_CREDIT */
    assert_int_equal(n_share, 1);       /* CREDIT_ACTIVE */
    assert_int_equal(cJSON_GetArraySize(aggs), 1 + 2 + 1);   /* the rows, two numeric columns, one categorical */
    cJSON_Delete(root);
    inf_result_free(r);
    tbl_free(bur);
    tbl_free(app);
}

/* inf_run_tables(o) must fail with a message containing want. */
static void _expect_error(const inf_options *o, const tbl *main_table, const tbl *const *children, const char *want)
{
    cs_err err = {0};
    inf_result *r = inf_run_tables(o, main_table, children, &err);
    if (r || !strstr(err.msg, want)) {
        print_error("wanted an error containing: %s\ngot: %s\n", want, r ? "(a recipe)" : err.msg);
        inf_result_free(r);
        fail();
    }
}

static void test_errors(void **state)
{
    (void)state;
    tbl *t = _read("loans.csv", LOANS);
    tbl *c = _read("pay.csv", "loan,amount\n1,2\n");
    const tbl *children[1] = {c};
    inf_child ch = {.name = "pay", .path = "pay.csv", .key = "loan"};
    inf_options o = {.table_path = "loans.csv", .id_col = "nope"};
    _expect_error(&o, t, NULL, "--id nope: no such column in loans.csv");
    o = (inf_options){.table_path = "loans.csv", .target_col = "nope"};
    _expect_error(&o, t, NULL, "--target nope: no such column");
    o.target_col = "loan_amnt";
    _expect_error(&o, t, NULL, "--target loan_amnt: loans.csv: the target must hold 0 and 1");
    o = (inf_options){.table_path = "loans.csv", .id_col = "person_home_ownership"};
    _expect_error(&o, t, NULL, "--id person_home_ownership: loans.csv: an id must be distinct integers");
    /* a child needs an id in the main table */
    o = (inf_options){.table_path = "loans.csv", .children = &ch, .n_children = 1};
    _expect_error(&o, t, children, "loans.csv has no id column (name it with --id)");
    /* the child's key must exist */
    ch.key = "loan_ref";
    o.id_col = "loan_amnt";
    tbl_free(t);
    t = _read("loans.csv", "id,loan_amnt,target\n1,5,0\n2,6,1\n");
    o.id_col = "id";
    _expect_error(&o, t, children, "--child pay: no column loan_ref in pay.csv");
    /* two tables of one name */
    ch.key = "loan";
    ch.name = "loans";
    _expect_error(&o, t, children, "--child loans: the main table has that name already");
    tbl_free(c);
    tbl_free(t);
}

static void test_parse_child(void **state)
{
    (void)state;
    inf_child ch;
    char *buf = NULL;
    cs_err err = {0};
    assert_int_equal(inf_parse_child("bureau=data/my:file.csv:SK_ID_CURR", &ch, &buf, &err), CS_OK);
    assert_string_equal(ch.name, "bureau");
    assert_string_equal(ch.path, "data/my:file.csv");
    assert_string_equal(ch.key, "SK_ID_CURR");
    free(buf);
    const char *bad[] = {"bureau", "=f.csv:K", "b=f.csv", "b=:K", "b=f.csv:", "b:K=f"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(inf_parse_child(bad[i], &ch, &buf, &err), CS_EINVAL);
        assert_non_null(strstr(err.msg, "expected NAME=FILE:KEY"));
        assert_null(buf);
    }
}

static void test_labels(void **state)
{
    (void)state;
    char b[64];
    inf_label("person_home_ownership", b, sizeof b);
    assert_string_equal(b, "Person home ownership");
    inf_label("AMT_INCOME_TOTAL", b, sizeof b);
    assert_string_equal(b, "Amount income total");
    inf_label("loan_int_rate", b, sizeof b);
    assert_string_equal(b, "Loan interest rate");
    inf_label("int_count", b, sizeof b);
    assert_string_equal(b, "Int count");
    inf_label("cb_person_cred_hist_length", b, sizeof b);
    assert_string_equal(b, "Credit bureau person credit history length");
    inf_label("monthlyIncome", b, sizeof b);
    assert_string_equal(b, "MonthlyIncome");
    inf_label("__x__", b, sizeof b);
    assert_string_equal(b, "X");
    inf_label("a_very_long_column_name", b, 8);     /* truncated, still terminated */
    assert_int_equal(strlen(b), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_of_a_flat_table), cmocka_unit_test(test_free_text_is_ignored),
        cmocka_unit_test(test_id_found_or_given),     cmocka_unit_test(test_child_tables),
        cmocka_unit_test(test_errors),                cmocka_unit_test(test_parse_child),
        cmocka_unit_test(test_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
