/*
 * test_store_clients.c: the clients store: import from a feature matrix and application
 * tables, lookups, listing with search, pooled reads from many threads, bad files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/clients.h"
#include "testutil.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    return tu_mkdtemp(dir, sizeof dir, "/tmp/cs_test_clients_XXXXXX");
}

static int teardown(void **state)
{
    (void)state;
    return tu_rmrf(dir);
}

/* 5 clients (ids 100002, 100003, 100010, 200001, 200002), 3 features; feature j of row i = i*10 + j,
 * with one NaN; an application table for 4 of them */
static feat_matrix *make_matrix(void)
{
    feat_matrix *m = feat_matrix_create(5, 3, NULL);
    int64_t ids[5] = {100002, 100003, 100010, 200001, 200002};
    assert_non_null(m);
    for (int j = 0; j < 3; j++) {
        m->names[j] = malloc(16);
        snprintf(m->names[j], 16, "F%d", j);
    }
    for (int i = 0; i < 5; i++) {
        m->ids[i] = ids[i];
        m->target[i] = i < 4 ? (i % 2) : NAN;
        for (int j = 0; j < 3; j++) m->values[j * 5 + i] = i * 10 + j;
    }
    m->values[1 * 5 + 2] = NAN;
    return m;
}

static tbl *make_app(void)
{
    const char *csv = "SK_ID_CURR,CODE_GENDER,DAYS_BIRTH,DAYS_EMPLOYED,AMT_INCOME_TOTAL,AMT_CREDIT,NAME_EDUCATION_TYPE\n"
                      "100002,M,-9461,-637,202500,406597.5,Secondary / secondary special\n"
                      "100003,F,-16765,-1188,270000,1293502.5,Higher education\n"
                      "100010,M,-18850,365243,360000,1530000,\n"
                      "200001,F,,-100,,,\n";
    cs_err err = {0};
    tbl *t = tbl_read_csv_mem("app.csv", csv, strlen(csv), NULL, &err);
    if (!t) fail_msg("%s", err.msg);
    return t;
}

static void import(const char *path)
{
    feat_matrix *m = make_matrix();
    tbl *app = make_app();
    const tbl *apps[1] = {app};
    cs_err err = {0};
    if (store_clients_import(path, m, apps, 1, NULL, &err) != CS_OK) fail_msg("%s", err.msg);
    feat_matrix_free(m);
    tbl_free(app);
}

static void test_import_and_get(void **state)
{
    char path[128];
    cs_err err = {0};
    store_clients *s;
    store_client c;
    double x[3];
    (void)state;
    snprintf(path, sizeof path, "%s/clients.db", dir);
    import(path);
    assert_int_equal(access(path, F_OK), 0);
    s = store_clients_open(path, 2, &err);
    if (!s) fail_msg("%s", err.msg);
    assert_int_equal(store_clients_n_feats(s), 3);
    assert_string_equal(store_clients_feature_names(s)[2], "F2");
    assert_true(store_clients_count(s) == 5);

    assert_int_equal(store_clients_features(s, 100010, x, &err), CS_OK);
    assert_true(x[0] == 20 && isnan(x[1]) && x[2] == 22);
    assert_int_equal(store_clients_features(s, 999, x, &err), CS_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no client 999"));

    memset(&c, 0, sizeof c);
    assert_int_equal(store_clients_get(s, 100002, &c, &err), CS_OK);
    assert_true(c.id == 100002);
    assert_true(c.target == 0);
    assert_int_equal(c.n_feats, 3);
    assert_true(c.x[1] == 1);
    /* age_years = -DAYS_BIRTH / 365.25 */
    assert_true(fabs(c.num[0] - 9461 / 365.25) < 1e-12);
    assert_true(fabs(c.num[4] - 637 / 365.25) < 1e-12);
    assert_true(c.num[3] == 202500);
    assert_true(c.num[5] == 406597.5);
    assert_true(isnan(c.num[6]));   /* no AMT_ANNUITY column */
    assert_string_equal(c.text[14], "M");   /* text fields follow the 13 numeric ones */
    assert_string_equal(c.text[18], "Secondary / secondary special");
    assert_null(c.text[13]);
    assert_null(c.text[0]);    /* a numeric field has no text */
    assert_int_equal(c.n_fields, FEAT_KERNEL_N_PROFILE);
    store_client_clear(&c);

    assert_int_equal(store_clients_get(s, 100010, &c, &err), CS_OK);
    assert_true(isnan(c.num[4]));   /* 365243 = not employed */
    assert_null(c.text[18]);
    store_client_clear(&c);
    assert_int_equal(store_clients_get(s, 200002, &c, &err), CS_OK);   /* no application row */
    assert_true(isnan(c.target));
    assert_null(c.text[14]);
    assert_true(isnan(c.num[0]));
    store_client_clear(&c);
    assert_int_equal(store_clients_get(s, 5, &c, &err), CS_ENOTFOUND);
    store_clients_close(s);
}

static void test_list(void **state)
{
    char path[128];
    cs_err err = {0};
    store_clients *s;
    store_client *list;
    size_t n;
    int64_t total;
    (void)state;
    snprintf(path, sizeof path, "%s/list.db", dir);
    import(path);
    s = store_clients_open(path, 1, &err);
    assert_non_null(s);
    assert_int_equal(store_clients_list(s, 0, 2, NULL, &list, &n, &total, &err), CS_OK);
    assert_int_equal(n, 2);
    assert_true(total == 5);
    assert_true(list[0].id == 100002 && list[1].id == 100003);
    assert_null(list[0].x);
    store_client_list_free(list, n);
    assert_int_equal(store_clients_list(s, 1, 10, "2000", &list, &n, &total, &err), CS_OK);
    assert_int_equal(n, 1);
    assert_true(total == 2);
    assert_true(list[0].id == 200002);
    store_client_list_free(list, n);
    assert_int_equal(store_clients_list(s, 100, 10, "", &list, &n, &total, &err), CS_OK);
    assert_int_equal(n, 0);
    assert_true(total == 5);
    store_client_list_free(list, n);
    assert_int_equal(store_clients_list(s, 0, 10, "12%", &list, &n, &total, &err), CS_EINVAL);
    assert_int_equal(store_clients_list(s, 0, 10, "1' OR 1=1 --", &list, &n, &total, &err), CS_EINVAL);
    assert_int_equal(store_clients_list(s, -1, 10, NULL, &list, &n, &total, &err), CS_EINVAL);
    store_clients_close(s);
}

typedef struct reader_arg {
    store_clients *s;
    int bad;
} reader_arg;

static void *reader(void *p)
{
    reader_arg *a = p;
    double x[3];
    static const int64_t ids[5] = {100002, 100003, 100010, 200001, 200002};
    for (int k = 0; k < 2000; k++) {
        int i = k % 5;
        if (store_clients_features(a->s, ids[i], x, NULL) != CS_OK || x[0] != i * 10) a->bad++;
    }
    return NULL;
}

static void test_threads(void **state)
{
    char path[128];
    pthread_t th[6];
    reader_arg args[6];
    store_clients *s;
    (void)state;
    snprintf(path, sizeof path, "%s/threads.db", dir);
    import(path);
    s = store_clients_open(path, 2, NULL);   /* fewer connections than threads: they wait */
    assert_non_null(s);
    for (int i = 0; i < 6; i++) {
        args[i].s = s;
        args[i].bad = 0;
        pthread_create(&th[i], NULL, reader, &args[i]);
    }
    for (int i = 0; i < 6; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].bad, 0);
    }
    store_clients_close(s);
}

/* A lender's own fields (a recipe's profile fields): rows numbered from 1, labels, units,
 * sentinels and a scale, text and numbers. */
static void test_recipe_fields(void **state)
{
    char path[128];
    cs_err err = {0};
    const char *csv = "person_age,person_home_ownership,loan_int_rate,loan_percent_income\n"
                      "22,RENT,16.02,0.59\n"
                      "21,OWN,-1,0.1\n"
                      "25,,11.5,\n";
    tbl *t = tbl_read_csv_mem("loans.csv", csv, strlen(csv), NULL, &err);
    feat_matrix *m = feat_matrix_create(3, 1, NULL);
    const tbl *tables[1] = {t};
    const store_field fields[] = {
        {"person_age", "person_age", 0, 1, 0, {0}, "Age", "Âge", "years"},
        {"home", "person_home_ownership", 1, 0, 0, {0}, "Home ownership", "Logement", NULL},
        {"rate", "loan_int_rate", 0, 1, 1, {-1}, "Interest rate", "Taux d'intérêt", "%"},
        {"share", "loan_percent_income", 0, 100, 0, {0}, "Loan / income", NULL, "%"},
    };
    store_clients *s;
    store_client c;
    (void)state;
    assert_non_null(t);
    assert_non_null(m);
    m->names[0] = strdup("f");
    for (int i = 0; i < 3; i++) {
        m->ids[i] = i + 1;
        m->target[i] = i == 0;
        m->values[i] = i;
    }
    snprintf(path, sizeof path, "%s/recipe.db", dir);
    assert_int_equal(store_clients_import_fields(path, m, fields, 4, tables, 1, NULL, NULL, &err), CS_OK);
    s = store_clients_open(path, 1, &err);
    if (!s) fail_msg("%s", err.msg);
    assert_int_equal(store_clients_n_fields(s), 4);
    assert_string_equal(store_clients_field(s, 0)->label_fr, "Âge");
    assert_string_equal(store_clients_field(s, 0)->unit, "years");
    assert_true(store_clients_field(s, 1)->is_text);
    assert_null(store_clients_field(s, 1)->unit);
    assert_string_equal(store_clients_field(s, 3)->label_fr, "Loan / income");   /* French falls back to English */
    memset(&c, 0, sizeof c);
    assert_int_equal(store_clients_get(s, 1, &c, &err), CS_OK);
    assert_true(c.num[0] == 22 && c.num[2] == 16.02 && fabs(c.num[3] - 59) < 1e-12);
    assert_string_equal(c.text[1], "RENT");
    assert_true(c.target == 1 && c.x[0] == 0);
    store_client_clear(&c);
    assert_int_equal(store_clients_get(s, 2, &c, &err), CS_OK);
    assert_true(isnan(c.num[2]));            /* -1 is a sentinel: missing */
    store_client_clear(&c);
    assert_int_equal(store_clients_get(s, 3, &c, &err), CS_OK);
    assert_null(c.text[1]);
    assert_true(isnan(c.num[3]) && c.num[0] == 25);
    store_client_clear(&c);
    store_clients_close(s);

    /* errors, before anything is written */
    {
        store_field bad = fields[0];
        const tbl *two[2] = {t, t};
        bad.name = "age years";
        assert_int_equal(store_clients_import_fields(path, m, &bad, 1, tables, 1, NULL, NULL, &err), CS_EINVAL);
        assert_non_null(strstr(err.msg, "field 'age years'"));
        bad.name = "target";
        assert_int_equal(store_clients_import_fields(path, m, &bad, 1, tables, 1, NULL, NULL, &err), CS_EINVAL);
        bad = fields[1];
        bad.is_text = 0;
        assert_int_equal(store_clients_import_fields(path, m, &bad, 1, tables, 1, NULL, NULL, &err), CS_EINVAL);
        assert_non_null(strstr(err.msg, "loans.csv: column person_home_ownership is text, the field home wants a number"));
        assert_int_equal(store_clients_import_fields(path, m, fields, 4, two, 2, NULL, NULL, &err), CS_EINVAL);
        assert_non_null(strstr(err.msg, "numbered"));
        assert_int_equal(store_clients_import_fields(path, m, fields, 4, tables, 1, "loan_id", NULL, &err), CS_EINVAL);
        assert_non_null(strstr(err.msg, "loans.csv: no numeric loan_id column"));
        {
            store_field twice[2] = {fields[0], fields[0]};
            assert_int_equal(store_clients_import_fields(path, m, twice, 2, tables, 1, NULL, NULL, &err), CS_EINVAL);
            assert_non_null(strstr(err.msg, "named twice"));
        }
    }
    feat_matrix_free(m);
    tbl_free(t);
}

/* A store of format 1 (before fields were recorded) reads as Home Credit's fields. */
static void test_format1(void **state)
{
    char path[128];
    sqlite3 *db;
    cs_err err = {0};
    store_clients *s;
    store_client c;
    double x = 0.5;
    sqlite3_stmt *q;
    (void)state;
    snprintf(path, sizeof path, "%s/old.db", dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
                                  "INSERT INTO meta VALUES('format','1'),('n_feats','1');"
                                  "CREATE TABLE features(idx INTEGER PRIMARY KEY, name TEXT NOT NULL);"
                                  "INSERT INTO features VALUES(0,'F0');"
                                  "CREATE TABLE clients(id INTEGER PRIMARY KEY, target REAL, age_years REAL, children REAL,"
                                  " family_members REAL, income REAL, employment_years REAL, credit REAL, annuity REAL,"
                                  " goods_price REAL, ext_source_1 REAL, ext_source_2 REAL, ext_source_3 REAL,"
                                  " region_rating REAL, car_age_years REAL, contract_type TEXT, gender TEXT, own_car TEXT,"
                                  " own_realty TEXT, family_status TEXT, education TEXT, income_type TEXT, occupation TEXT,"
                                  " housing_type TEXT, x BLOB NOT NULL);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO clients(id, target, age_years, gender, x) VALUES(7, 0, 33.5, 'F', ?)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_blob(q, 1, &x, sizeof x, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    sqlite3_close(db);
    s = store_clients_open(path, 1, &err);
    if (!s) fail_msg("%s", err.msg);
    assert_int_equal(store_clients_n_fields(s), FEAT_KERNEL_N_PROFILE);
    assert_string_equal(store_clients_field(s, 0)->name, "age_years");
    memset(&c, 0, sizeof c);
    assert_int_equal(store_clients_get(s, 7, &c, &err), CS_OK);
    assert_true(c.num[0] == 33.5 && c.x[0] == 0.5);
    assert_string_equal(c.text[14], "F");
    store_client_clear(&c);
    store_clients_close(s);
}

static void test_bad_files(void **state)
{
    char path[128];
    cs_err err = {0};
    FILE *f;
    (void)state;
    assert_null(store_clients_open("/nonexistent/clients.db", 1, &err));
    assert_non_null(strstr(err.msg, "/nonexistent/clients.db"));
    snprintf(path, sizeof path, "%s/garbage.db", dir);
    f = fopen(path, "wb");
    fputs("this is not a database, only some text that SQLite will refuse.................", f);
    fclose(f);
    assert_null(store_clients_open(path, 1, &err));
    assert_non_null(strstr(err.msg, path));
    assert_null(store_clients_open(path, 0, &err));
    store_clients_close(NULL);
    store_client_clear(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_and_get),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_recipe_fields),
        cmocka_unit_test(test_format1),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
