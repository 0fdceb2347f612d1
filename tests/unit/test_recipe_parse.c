/*
 * test_recipe_parse.c: the recipe parser and its checks (src/recipe): the Home Credit
 * kernel's recipe parses into the tables, columns and aggregations it declares, and every
 * kind of bad recipe is refused with the JSON path of the fault and what is wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "recipe/recipe.h"
#include "testutil.h"

#define KERNEL_RECIPE "recipes/homecredit-kernel.json"

static rcp_recipe *_parse(const char *json, cs_err *err)
{
    return rcp_parse_string("recipe.json", json, strlen(json), err);
}

/* json must be refused with a message containing want (and starting with "recipe.json"). */
static void _refused(const char *json, const char *want)
{
    cs_err err = {0};
    rcp_recipe *r = _parse(json, &err);
    if (r || !strstr(err.msg, want) || strncmp(err.msg, "recipe.json", 11)) {
        fprintf(stderr, "recipe: %s\nwanted: %s\ngot:    %s\n", json, want, r ? "(accepted)" : err.msg);
        rcp_free(r);
        fail();
    }
    assert_int_not_equal(err.code, CS_OK);
}

/* A small valid two-level recipe, used as the base of many cases. */
#define ROOT_T "{\"name\": \"loans\", \"file\": \"loans.csv\", \"key\": \"id\", \"columns\": [" \
    "{\"name\": \"id\", \"role\": \"id\"}, {\"name\": \"default\", \"role\": \"target\"}," \
    "{\"name\": \"amount\", \"role\": \"numeric\", \"unit\": \"currency\", \"profile\": true}," \
    "{\"name\": \"purpose\", \"role\": \"categorical\"}]}"
#define CHILD_T(aggs) "{\"name\": \"payments\", \"file\": \"payments.csv\", \"parent\": \"loans\", \"link\": \"loan_id\", " \
    "\"prefix\": \"PAY\", \"columns\": [{\"name\": \"loan_id\", \"role\": \"id\"}, {\"name\": \"paid\", \"role\": \"numeric\"}," \
    "{\"name\": \"kind\", \"role\": \"categorical\"}], \"aggs\": [" aggs "]}"
#define RECIPE(tables) "{\"recipe\": 1, \"name\": \"t\", \"tables\": [" tables "]}"

static void test_kernel_recipe_parses(void **state)
{
    cs_err err = {0};
    rcp_recipe *r;
    const rcp_table *app, *bur, *bb, *cc;
    (void)state;
    r = rcp_parse_file(KERNEL_RECIPE, &err);
    if (!r) fprintf(stderr, "%s\n", err.msg);
    assert_non_null(r);
    assert_string_equal(r->name, "homecredit-kernel");
    assert_int_equal(r->n_tables, 7);
    app = &r->tables[r->root];
    assert_string_equal(app->name, "application");
    assert_int_equal(app->n_files, 2);
    assert_int_equal(app->n_cols, 122);
    assert_int_equal(app->n_derived, 5);
    assert_int_equal(app->depth, 0);
    assert_int_equal(app->n_drops, 1);
    assert_string_equal(app->drops[0].values[0], "XNA");
    assert_int_equal(rcp_table_column(app, "CODE_GENDER")->encode, RCP_ENC_FACTORIZE);
    assert_int_equal(rcp_table_column(app, "NAME_CONTRACT_TYPE")->encode, RCP_ENC_ONEHOT);
    assert_int_equal(rcp_table_column(app, "DAYS_EMPLOYED")->n_sentinels, 1);
    assert_true(rcp_table_column(app, "DAYS_EMPLOYED")->sentinels[0] == 365243.0);
    assert_int_equal(rcp_table_column(app, "DAYS_BIRTH")->unit, RCP_UNIT_AGE_DAYS);
    assert_true(rcp_table_column(app, "DAYS_BIRTH")->protected_attr);
    assert_true(rcp_table_column(app, "CODE_GENDER")->protected_attr);
    assert_int_equal(rcp_table_column(app, "PAYMENT_RATE")->derive->op, RCP_OP_DIV);
    bur = &r->tables[rcp_table_index(r, "bureau")];
    bb = &r->tables[rcp_table_index(r, "bureau_balance")];
    cc = &r->tables[rcp_table_index(r, "credit_card_balance")];
    assert_int_equal(bur->depth, 1);
    assert_int_equal(bb->depth, 2);
    assert_int_equal(bb->parent_index, rcp_table_index(r, "bureau"));
    assert_int_equal(bur->n_aggs, 14 + 3 + 1 + 14 + 14);
    assert_string_equal(bur->aggs[0].prefix, "BURO");
    assert_string_equal(bur->aggs[18].prefix, "ACTIVE");
    assert_string_equal(bur->aggs[18].where_column, "CREDIT_ACTIVE");
    assert_string_equal(bur->aggs[18].where_values[0], "Active");
    assert_string_equal(bb->aggs[0].prefix, "");
    assert_string_equal(cc->aggs[0].column, "*");
    assert_int_equal(cc->aggs[0].n_ops, 5);
    assert_non_null(strstr(r->text, "\"homecredit-kernel\""));
    rcp_free(r);
}

static void test_small_recipe(void **state)
{
    cs_err err = {0};
    rcp_recipe *r;
    char name[128];
    (void)state;
    r = _parse(RECIPE(ROOT_T "," CHILD_T("{\"column\": \"paid\", \"ops\": [\"sum\", \"var\"]},"
                                         "{\"column\": \"kind\", \"ops\": [\"share\", \"nunique\"]},"
                                         "{\"ops\": [\"count\"]}, {\"column\": \"paid\", \"ops\": [\"first\", \"last\"], \"order_by\": \"paid\"}")),
               &err);
    if (!r) fprintf(stderr, "%s\n", err.msg);
    assert_non_null(r);
    assert_int_equal(r->root, 0);
    assert_int_equal(r->tables[1].n_aggs, 4);
    assert_int_equal(r->tables[0].cols[3].encode, RCP_ENC_ONEHOT); /* root default */
    assert_int_equal(r->tables[1].cols[2].encode, RCP_ENC_NONE);   /* child default */
    rcp_agg_output_name(&r->tables[1].aggs[0], "paid", NULL, RCP_AGG_VAR, name, sizeof name);
    assert_string_equal(name, "PAY_paid_VAR");
    rcp_agg_output_name(&r->tables[1].aggs[1], "kind", "cash", RCP_AGG_SHARE, name, sizeof name);
    assert_string_equal(name, "PAY_kind_cash_MEAN");
    rcp_agg_output_name(&r->tables[1].aggs[2], NULL, NULL, RCP_AGG_COUNT, name, sizeof name);
    assert_string_equal(name, "PAY_COUNT");
    rcp_free(r);
}

static void test_row_key_and_true_value(void **state)
{
    cs_err err = {0};
    rcp_recipe *r;
    (void)state;
    r = _parse(RECIPE("{\"name\": \"loans\", \"file\": \"l.csv\", \"key\": \"@row\", \"columns\": [{\"name\": \"age\", \"role\": \"numeric\"},"
                      "{\"name\": \"prior\", \"role\": \"flag\", \"true_value\": \"Y\"}]}"),
               &err);
    if (!r) fprintf(stderr, "%s\n", err.msg);
    assert_non_null(r);
    assert_string_equal(r->tables[0].key, RCP_ROW_KEY);
    assert_string_equal(r->tables[0].cols[1].true_value, "Y");
    rcp_free(r);
    _refused(RECIPE(ROOT_T ",{\"name\": \"p\", \"file\": \"p.csv\", \"key\": \"@row\", \"parent\": \"loans\", \"link\": \"loan_id\", \"columns\": [{\"name\": \"loan_id\", \"role\": \"id\"}]}"),
             "tables[1]: \"key\": \"@row\" (the row number) is for the root table only");
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"l.csv\", \"key\": \"@row\", \"columns\": [{\"name\": \"age\", \"role\": \"numeric\", \"true_value\": \"Y\"}]}"),
             "tables[0].columns[0]: \"true_value\" is for flag columns only (column age is numeric)");
}

/* "actionable" as an object: parsed into rcp_action; every fault named by its path */
#define ACT_T(act) "{\"name\": \"loans\", \"file\": \"l.csv\", \"key\": \"@row\", \"columns\": [" \
    "{\"name\": \"credit\", \"role\": \"numeric\", \"actionable\": " act "}," \
    "{\"name\": \"annuity\", \"role\": \"numeric\"}, {\"name\": \"kind\", \"role\": \"categorical\"}]," \
    "\"derived\": [{\"name\": \"rate\", \"op\": \"div\", \"args\": [\"annuity\", \"credit\"]}]}"
static void test_actionable_object(void **state)
{
    cs_err err = {0};
    rcp_recipe *r;
    const rcp_action *a;
    (void)state;
    r = _parse(RECIPE(ACT_T("{\"direction\": \"decrease\", \"min\": 1000, \"step\": 500, \"at_least\": \"annuity\", \"scales\": \"annuity\"}")), &err);
    if (!r) fprintf(stderr, "%s\n", err.msg);
    assert_non_null(r);
    a = r->tables[0].cols[0].action;
    assert_non_null(a);
    assert_true(r->tables[0].cols[0].actionable);
    assert_int_equal(a->direction, RCP_DIR_DECREASE);
    assert_true(a->min == 1000 && a->max != a->max && a->step == 500);
    assert_string_equal(a->at_least, "annuity");
    assert_null(a->at_most);
    assert_int_equal(a->n_scales, 1);
    assert_string_equal(a->scales[0], "annuity");
    assert_true(rcp_meta_is_actionable(r, "credit"));
    rcp_free(r);
    r = _parse(RECIPE(ACT_T("true")), &err);
    assert_non_null(r);
    assert_true(r->tables[0].cols[0].actionable && !r->tables[0].cols[0].action);
    rcp_free(r);
    _refused(RECIPE(ACT_T("{\"direction\": \"down\"}")), "tables[0].columns[0].actionable.direction: unknown direction \"down\"");
    _refused(RECIPE(ACT_T("{\"stepp\": 1}")), "tables[0].columns[0].actionable: unknown key \"stepp\"");
    _refused(RECIPE(ACT_T("{\"step\": -5}")), "tables[0].columns[0].actionable: step: -5 is negative");
    _refused(RECIPE(ACT_T("{\"min\": 9, \"max\": 1}")), "actionable: min 9 is above max 1");
    _refused(RECIPE(ACT_T("{\"min\": \"low\"}")), "actionable.min: expected a finite number, found a string");
    _refused(RECIPE(ACT_T("5")), "tables[0].columns[0].actionable: expected true, false or an object");
    _refused(RECIPE(ACT_T("{\"at_most\": \"nope\"}")), "tables[0].columns[0].actionable.at_most: nope is not a column of loans");
    _refused(RECIPE(ACT_T("{\"scales\": [\"credit\"]}")), "actionable.scales[0]: names the column itself");
    _refused(RECIPE(ACT_T("{\"scales\": [\"kind\"]}")), "actionable.scales[0]: column kind has role categorical, not a number");
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"l.csv\", \"key\": \"@row\", \"columns\": [{\"name\": \"kind\", \"role\": "
                    "\"categorical\", \"actionable\": {\"step\": 1}}]}"),
             "tables[0].columns[0].actionable: column kind has role categorical: an actionable object");
    _refused(RECIPE(ROOT_T ",{\"name\": \"p\", \"file\": \"p.csv\", \"parent\": \"loans\", \"link\": \"loan_id\", \"columns\": "
                    "[{\"name\": \"loan_id\", \"role\": \"id\"}, {\"name\": \"paid\", \"role\": \"numeric\", \"actionable\": {}}], "
                    "\"aggs\": [{\"column\": \"paid\", \"ops\": [\"sum\"]}]}"),
             "tables[1].columns[1].actionable: p.paid is not in the root table loans");
}

static void test_bad_json(void **state)
{
    (void)state;
    _refused("{\"recipe\": 1,\n \"name\": \"x\",\n \"tables\": [}", "recipe.json:3:");
    _refused("", "recipe.json:1:1:");
    _refused("[1, 2]", "recipe.json: (top): expected a JSON object, found an array");
    _refused("{\"name\": \"x\", \"tables\": []}", "missing \"recipe\"");
    _refused("{\"recipe\": 9, \"name\": \"x\", \"tables\": []}", "recipe: format version 9 is newer");
    _refused("{\"recipe\": 1, \"name\": \"x\", \"tables\": []}", "tables: empty array");
    _refused("{\"recipe\": 1, \"name\": \"x\", \"tablez\": []}", "unknown key \"tablez\"");
    _refused("{\"recipe\": 1, \"name\": \"x\", \"name\": \"y\", \"tables\": []}", "duplicate key \"name\"");
}

static void test_bad_fields(void **state)
{
    (void)state;
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"loans.csv\", \"key\": \"id\", \"columns\": [{\"name\": \"id\", \"role\": \"idd\"}]}"),
             "tables[0].columns[0].role: unknown role \"idd\"");
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"loans.csv\", \"key\": \"id\", \"columns\": [{\"name\": \"id\"}]}"),
             "tables[0].columns[0]: missing \"role\"");
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"loans.csv\", \"key\": \"id\", \"columns\": [{\"name\": \"id\", \"role\": \"id\", \"protectd\": true}]}"),
             "tables[0].columns[0]: unknown key \"protectd\"");
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"loans.csv\", \"key\": \"id\", \"columns\": [{\"name\": \"id\", \"role\": \"id\"},"
                    "{\"name\": \"a\", \"role\": \"numeric\", \"unit\": \"parsecs\"}]}"),
             "tables[0].columns[1].unit: unknown unit \"parsecs\"");
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"loans.csv\", \"key\": \"id\", \"columns\": [{\"name\": \"id\", \"role\": \"id\"},"
                    "{\"name\": \"a\", \"role\": \"numeric\", \"sentinels\": [\"x\"]}]}"),
             "tables[0].columns[1].sentinels[0]: expected a number, found a string");
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"loans.csv\", \"key\": \"id\", \"columns\": [{\"name\": \"id\", \"role\": \"id\"},"
                    "{\"name\": \"a\", \"role\": \"numeric\", \"encode\": \"onehot\"}]}"),
             "tables[0].columns[1]: \"encode\" on numeric column a");
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"loans.csv\", \"key\": \"id\", \"columns\": [{\"name\": \"id\", \"role\": \"id\"},"
                    "{\"name\": \"a\", \"role\": \"numeric\", \"label\": 3}]}"),
             "tables[0].columns[1].label: expected a string or");
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"../loans.csv\", \"key\": \"id\", \"columns\": [{\"name\": \"id\", \"role\": \"id\"}]}"),
             "tables[0]: file \"../loans.csv\" must be a name inside the data folder");
    _refused(RECIPE("{\"name\": \"loans\", \"key\": \"id\", \"columns\": [{\"name\": \"id\", \"role\": \"id\"}]}"),
             "tables[0]: missing \"file\"");
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"l.csv\", \"columns\": [{\"name\": \"id\", \"role\": \"id\"}]}"),
             "tables[0]: missing \"key\"");
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"l.csv\", \"key\": \"id\", \"columns\": [{\"name\": \"id\", \"role\": \"id\"}],"
                    "\"derived\": [{\"name\": \"r\", \"op\": \"div\", \"args\": [\"id\"]}]}"),
             "tables[0].derived[0].args: expected an array of two operands");
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"l.csv\", \"key\": \"id\", \"columns\": [{\"name\": \"id\", \"role\": \"id\"}],"
                    "\"derived\": [{\"name\": \"r\", \"op\": \"pow\", \"args\": [\"id\", 2]}]}"),
             "tables[0].derived[0].op: unknown op \"pow\"");
}

static void test_bad_structure(void **state)
{
    (void)state;
    /* a child whose parent matches no table */
    _refused(RECIPE(ROOT_T ",{\"name\": \"p\", \"file\": \"p.csv\", \"parent\": \"loan\", \"link\": \"loan_id\", \"columns\": [{\"name\": \"loan_id\", \"role\": \"id\"}]}"),
             "tables[1].parent: loan matches no table");
    /* a link that is not a column of the child */
    _refused(RECIPE(ROOT_T ",{\"name\": \"p\", \"file\": \"p.csv\", \"parent\": \"loans\", \"link\": \"loanid\", \"columns\": [{\"name\": \"loan_id\", \"role\": \"id\"}]}"),
             "tables[1].link: link loanid is not a column of table p");
    /* a child without a link */
    _refused(RECIPE(ROOT_T ",{\"name\": \"p\", \"file\": \"p.csv\", \"parent\": \"loans\", \"columns\": [{\"name\": \"loan_id\", \"role\": \"id\"}]}"),
             "tables[1]: missing \"link\"");
    /* a parent without a key to link to */
    _refused(RECIPE(ROOT_T ",{\"name\": \"p\", \"file\": \"p.csv\", \"parent\": \"loans\", \"link\": \"loan_id\", \"columns\": [{\"name\": \"loan_id\", \"role\": \"id\"}, {\"name\": \"pid\", \"role\": \"id\"}]},"
                    "{\"name\": \"q\", \"file\": \"q.csv\", \"parent\": \"p\", \"link\": \"pid\", \"columns\": [{\"name\": \"pid\", \"role\": \"id\"}]}"),
             "tables[2].link: parent p has no \"key\"");
    /* a cycle */
    _refused(RECIPE(ROOT_T ",{\"name\": \"a\", \"file\": \"a.csv\", \"key\": \"k\", \"parent\": \"b\", \"link\": \"l\", \"columns\": [{\"name\": \"k\", \"role\": \"id\"}, {\"name\": \"l\", \"role\": \"id\"}]},"
                    "{\"name\": \"b\", \"file\": \"b.csv\", \"key\": \"k\", \"parent\": \"a\", \"link\": \"l\", \"columns\": [{\"name\": \"k\", \"role\": \"id\"}, {\"name\": \"l\", \"role\": \"id\"}]}"),
             "a cycle between tables (a -> b -> a)");
    /* two roots */
    _refused(RECIPE(ROOT_T ",{\"name\": \"other\", \"file\": \"o.csv\", \"key\": \"id\", \"columns\": [{\"name\": \"id\", \"role\": \"id\"}]}"),
             "tables[1]: a second root table other");
    /* duplicate table and column names */
    _refused(RECIPE(ROOT_T "," ROOT_T), "tables[1].name: duplicate table name loans");
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"l.csv\", \"key\": \"id\", \"columns\": [{\"name\": \"id\", \"role\": \"id\"}, {\"name\": \"id\", \"role\": \"numeric\"}]}"),
             "tables[0].columns[1]: duplicate column name id");
    /* aggregations in the root */
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"l.csv\", \"key\": \"id\", \"columns\": [{\"name\": \"id\", \"role\": \"id\"}], \"aggs\": [{\"ops\": [\"count\"]}]}"),
             "tables[0].aggs: the root table loans has no parent");
    /* a key that is not an id column */
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"l.csv\", \"key\": \"id\", \"columns\": [{\"name\": \"id\", \"role\": \"numeric\"}]}"),
             "tables[0].key: key column id has role numeric");
    /* a derived column using a column not defined before it */
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"l.csv\", \"key\": \"id\", \"columns\": [{\"name\": \"id\", \"role\": \"id\"}, {\"name\": \"a\", \"role\": \"numeric\"}],"
                    "\"derived\": [{\"name\": \"r\", \"op\": \"div\", \"args\": [\"a\", \"b\"]}]}"),
             "tables[0].derived[0].args[1]: b is not a column of table loans");
    /* a derived column of a categorical */
    _refused(RECIPE("{\"name\": \"loans\", \"file\": \"l.csv\", \"key\": \"id\", \"columns\": [{\"name\": \"id\", \"role\": \"id\"}, {\"name\": \"c\", \"role\": \"categorical\"}],"
                    "\"derived\": [{\"name\": \"r\", \"op\": \"mul\", \"args\": [\"c\", 2]}]}"),
             "tables[0].derived[0].args[0]: column c has role categorical");
}

static void test_bad_aggs(void **state)
{
    (void)state;
    /* mean of a categorical column */
    _refused(RECIPE(ROOT_T "," CHILD_T("{\"column\": \"paid\", \"ops\": [\"sum\"]}, {\"column\": \"kind\", \"ops\": [\"mean\"]}")),
             "recipe.json: tables[1].aggs[1].ops[0]: mean of categorical column kind (use share");
    /* share of a numeric column */
    _refused(RECIPE(ROOT_T "," CHILD_T("{\"column\": \"paid\", \"ops\": [\"share\"]}")),
             "tables[1].aggs[0].ops[0]: share of numeric column paid");
    /* a column that does not exist */
    _refused(RECIPE(ROOT_T "," CHILD_T("{\"column\": \"payd\", \"ops\": [\"sum\"]}")),
             "tables[1].aggs[0].column: payd is not a column of table payments");
    /* an unknown operation */
    _refused(RECIPE(ROOT_T "," CHILD_T("{\"column\": \"paid\", \"ops\": [\"sum\", \"median\"]}")),
             "tables[1].aggs[0].ops[1]: unknown operation \"median\"");
    /* the same operation twice */
    _refused(RECIPE(ROOT_T "," CHILD_T("{\"column\": \"paid\", \"ops\": [\"sum\", \"sum\"]}")),
             "tables[1].aggs[0].ops[1]: operation \"sum\" given twice");
    /* a duplicate feature name between two entries */
    _refused(RECIPE(ROOT_T "," CHILD_T("{\"column\": \"paid\", \"ops\": [\"sum\"]}, {\"column\": \"paid\", \"ops\": [\"max\", \"sum\"]}")),
             "tables[1].aggs[1]: duplicate feature name PAY_paid_SUM in table loans (also made by tables[1].aggs[0])");
    /* a feature name that clashes with a root column */
    _refused(RECIPE(ROOT_T "," CHILD_T("{\"column\": \"paid\", \"ops\": [\"sum\"], \"name\": \"amount\"}")),
             "tables[1].aggs[0]: duplicate feature name amount in table loans");
    /* a where on a numeric column, and on a missing one */
    _refused(RECIPE(ROOT_T "," CHILD_T("{\"column\": \"paid\", \"ops\": [\"sum\"], \"where\": {\"column\": \"paid\", \"equals\": \"x\"}}")),
             "tables[1].aggs[0].where: column paid has role numeric");
    _refused(RECIPE(ROOT_T "," CHILD_T("{\"column\": \"paid\", \"ops\": [\"sum\"], \"where\": {\"column\": \"knd\", \"equals\": \"x\"}}")),
             "tables[1].aggs[0].where: knd is not a column of table payments");
    _refused(RECIPE(ROOT_T "," CHILD_T("{\"column\": \"paid\", \"ops\": [\"sum\"], \"where\": {\"column\": \"kind\"}}")),
             "tables[1].aggs[0].where: give one of \"equals\"");
    /* a pattern matching nothing */
    _refused(RECIPE(ROOT_T "," CHILD_T("{\"column\": \"AMT_*\", \"ops\": [\"sum\"]}")),
             "tables[1].aggs[0].column: pattern AMT_* matches no numeric column of table payments");
    /* ops other than count/size without a column */
    _refused(RECIPE(ROOT_T "," CHILD_T("{\"ops\": [\"mean\"]}")), "tables[1].aggs[0]: \"mean\" needs a \"column\"");
    /* an aggregate of the link */
    _refused(RECIPE(ROOT_T "," CHILD_T("{\"column\": \"loan_id\", \"ops\": [\"nunique\"]}")),
             "tables[1].aggs[0].column: column loan_id has role id");
    /* a name with several ops */
    _refused(RECIPE(ROOT_T "," CHILD_T("{\"column\": \"paid\", \"ops\": [\"sum\", \"max\"], \"name\": \"X\"}")),
             "tables[1].aggs[0]: \"name\" names one output");
    /* order_by of a missing column */
    _refused(RECIPE(ROOT_T "," CHILD_T("{\"column\": \"paid\", \"ops\": [\"first\"], \"order_by\": \"when\"}")),
             "tables[1].aggs[0].order_by: when is not a column of table payments");
    /* a target in a child */
    _refused(RECIPE(ROOT_T ",{\"name\": \"p\", \"file\": \"p.csv\", \"parent\": \"loans\", \"link\": \"loan_id\", \"columns\": [{\"name\": \"loan_id\", \"role\": \"id\"}, {\"name\": \"t\", \"role\": \"target\"}]}"),
             "tables[1].columns[1]: target column t in child table p");
}

static void test_nested_names(void **state)
{
    /* a grandchild's outputs are columns of its parent, aggregated again by name or pattern */
    cs_err err = {0};
    rcp_recipe *r;
    (void)state;
    r = _parse(RECIPE(ROOT_T ",{\"name\": \"credits\", \"file\": \"c.csv\", \"key\": \"cid\", \"parent\": \"loans\", \"link\": \"loan_id\", \"prefix\": \"CR\","
                      "\"columns\": [{\"name\": \"cid\", \"role\": \"id\"}, {\"name\": \"loan_id\", \"role\": \"id\"}],"
                      "\"aggs\": [{\"column\": \"m_SIZE\", \"ops\": [\"mean\"]}, {\"column\": \"st_*_MEAN\", \"ops\": [\"mean\"]}]},"
                      "{\"name\": \"months\", \"file\": \"m.csv\", \"parent\": \"credits\", \"link\": \"cid\","
                      "\"columns\": [{\"name\": \"cid\", \"role\": \"id\"}, {\"name\": \"m\", \"role\": \"numeric\"}, {\"name\": \"st\", \"role\": \"categorical\"}],"
                      "\"aggs\": [{\"column\": \"m\", \"ops\": [\"size\"]}, {\"column\": \"st\", \"ops\": [\"share\"]}]}"),
               &err);
    if (!r) fprintf(stderr, "%s\n", err.msg);
    assert_non_null(r);
    assert_int_equal(r->tables[2].depth, 2);
    rcp_free(r);
    _refused(RECIPE(ROOT_T ",{\"name\": \"credits\", \"file\": \"c.csv\", \"key\": \"cid\", \"parent\": \"loans\", \"link\": \"loan_id\", \"prefix\": \"CR\","
                    "\"columns\": [{\"name\": \"cid\", \"role\": \"id\"}, {\"name\": \"loan_id\", \"role\": \"id\"}],"
                    "\"aggs\": [{\"column\": \"m_MAX\", \"ops\": [\"mean\"]}]},"
                    "{\"name\": \"months\", \"file\": \"m.csv\", \"parent\": \"credits\", \"link\": \"cid\","
                    "\"columns\": [{\"name\": \"cid\", \"role\": \"id\"}, {\"name\": \"m\", \"role\": \"numeric\"}],"
                    "\"aggs\": [{\"column\": \"m\", \"ops\": [\"size\"]}]}"),
             "tables[1].aggs[0].column: m_MAX is not a column of table credits");
}

static void test_check_data(void **state)
{
    char dir[64], path[128];
    cs_err err = {0};
    rcp_recipe *r;
    (void)state;
    assert_int_equal(tu_mkdtemp(dir, sizeof dir, "/tmp/cs_rcp_XXXXXX"), 0);
    r = _parse(RECIPE(ROOT_T "," CHILD_T("{\"column\": \"paid\", \"ops\": [\"sum\"]}")), &err);
    assert_non_null(r);
    /* no loans.csv */
    assert_int_not_equal(rcp_check_data(r, dir, &err), CS_OK);
    assert_non_null(strstr(err.msg, "recipe.json: tables[0].file: loans.csv not found in"));
    snprintf(path, sizeof path, "%s/loans.csv", dir);
    assert_int_equal(tu_write_file(path, "id,default,amount\n1,0,5\n"), 0);
    snprintf(path, sizeof path, "%s/payments.csv", dir);
    assert_int_equal(tu_write_file(path, "loan_id,paid,kind\n1,2,a\n"), 0);
    assert_int_not_equal(rcp_check_data(r, dir, &err), CS_OK);
    assert_non_null(strstr(err.msg, "recipe.json: tables[0].columns[3]: column purpose is not in loans.csv"));
    snprintf(path, sizeof path, "%s/loans.csv", dir);
    assert_int_equal(tu_write_file(path, "\xEF\xBB\xBFid,\"default\",amount,purpose\r\n1,0,5,car\r\n"), 0);
    if (rcp_check_data(r, dir, &err) != CS_OK) fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rcp_check_data(r, dir, &err), CS_OK);
    snprintf(path, sizeof path, "%s/payments.csv", dir);
    assert_int_equal(tu_write_file(path, "loan_id,paid\n1,2\n"), 0);
    assert_int_not_equal(rcp_check_data(r, dir, &err), CS_OK);
    assert_non_null(strstr(err.msg, "tables[1].columns[2]: column kind is not in payments.csv"));
    rcp_free(r);
    assert_int_equal(tu_rmrf(dir), 0);
}

static void test_kernel_recipe_on_sample(void **state)
{
    cs_err err = {0};
    rcp_recipe *r;
    const char *d = getenv("CS_SAMPLE_DIR");
    char path[1024];
    (void)state;
    d = d && *d ? d : "../shared/data/homecredit-sample";
    snprintf(path, sizeof path, "%s/application_train.csv", d);
    if (access(path, R_OK) != 0) { /* the real sample is not in the repository */
        printf("skip - the Home Credit sample is absent (%s)\n", d);
        skip();
        return;
    }
    r = rcp_parse_file(KERNEL_RECIPE, &err);
    assert_non_null(r);
    if (rcp_check_data(r, d, &err) != CS_OK) fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rcp_check_data(r, d, &err), CS_OK);
    rcp_free(r);
}

static void test_missing_file(void **state)
{
    cs_err err = {0};
    (void)state;
    assert_null(rcp_parse_file("/nonexistent/recipe.json", &err));
    assert_int_equal(err.code, CS_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/recipe.json: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_recipe_parses), cmocka_unit_test(test_small_recipe),
        cmocka_unit_test(test_row_key_and_true_value), cmocka_unit_test(test_actionable_object),
        cmocka_unit_test(test_bad_json),            cmocka_unit_test(test_bad_fields),
        cmocka_unit_test(test_bad_structure),       cmocka_unit_test(test_bad_aggs),
        cmocka_unit_test(test_nested_names),        cmocka_unit_test(test_check_data),
        cmocka_unit_test(test_kernel_recipe_on_sample), cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
