/*
 * test_store_sql.c: store/sql.h on its SQLite backend (the PostgreSQL one runs the same
 * statements in the e2e suites, CS_TEST_BACKEND=postgresql): parameters of every type round
 * trip (NULL text, NaN as NULL, bytes with a NUL in them, the largest integers, doubles to
 * the last bit), a ? inside quoted text is not a parameter, a failed statement is an error
 * naming the database and what was done, a transaction ended with an error leaves nothing,
 * and the schema is migrated by its SQLite steps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/schema.h"
#include "store/sql.h"
#include "testutil.h"

typedef struct fixture {
    char dir[64];
    char path[128];
    store_sql *c;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    cs_err err = {0};
    if (!f) return -1;
    *state = f;
    if (tu_mkdtemp(f->dir, sizeof f->dir, "/tmp/cs_sql_XXXXXX")) return -1;
    snprintf(f->path, sizeof f->path, "%s/s.db", f->dir);
    f->c = store_sql_open(f->path, STORE_DB_CREATE, "the test store", &err);
    if (!f->c) return -1;
    return store_sql_run(f->c, NULL, "creating", "CREATE TABLE t(a TEXT, b INTEGER, c REAL, d BLOB)", "", &err) ? -1 : 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    int rc;
    store_sql_close(f->c);
    rc = tu_rmrf(f->dir);
    free(f);
    return rc;
}

static void test_types_round_trip(void **state)
{
    fixture *f = *state;
    cs_err err = {0};
    store_rows *r = NULL;
    cs_buf b = {0};
    const char bytes[5] = {'a', 0, 'b', (char)0xff, 'c'};
    double third = 1.0 / 3.0;

    assert_false(store_sql_is_pg(f->c));
    assert_string_equal(store_sql_name(f->c), f->path);
    assert_int_equal(store_sql_run(f->c, NULL, "inserting", "INSERT INTO t VALUES (?, ?, ?, ?)", "tidb", "x'y",
                                   (int64_t)INT64_MAX, third, (const void *)bytes, sizeof bytes, &err), CS_OK);
    assert_int_equal(store_sql_run(f->c, NULL, "inserting", "INSERT INTO t VALUES (?, ?, ?, ?)", "tidb", NULL,
                                   (int64_t)INT64_MIN, NAN, (const void *)"", (size_t)0, &err), CS_OK);
    /* the '?' between quotes is text, not a parameter: one parameter here */
    assert_int_equal(store_sql_run(f->c, &r, "reading", "SELECT a, b, c, d, '?' FROM t WHERE b > ? ORDER BY b DESC",
                                   "i", (int64_t)INT64_MIN, &err), CS_OK);
    assert_true(store_rows_next(r));
    assert_string_equal(store_rows_text(r, 0), "x'y");
    assert_true(store_rows_int(r, 1) == INT64_MAX);
    assert_true(store_rows_double(r, 2) == third);          /* to the last bit */
    assert_int_equal(store_rows_bytes(r, 3, &b, &err), CS_OK);
    assert_int_equal(b.len, sizeof bytes);
    assert_memory_equal(b.data, bytes, sizeof bytes);
    assert_string_equal(store_rows_text(r, 4), "?");
    assert_false(store_rows_next(r));                       /* INT64_MIN is not > itself */
    assert_int_equal(store_rows_end(r, &err), CS_OK);
    cs_buf_free(&b);

    assert_int_equal(store_sql_run(f->c, &r, "reading", "SELECT a, b, c FROM t WHERE a IS NULL", "", &err), CS_OK);
    assert_true(store_rows_next(r));
    assert_true(store_rows_null(r, 0));
    assert_string_equal(store_rows_text(r, 0), "");         /* NULL text reads as "" */
    assert_true(store_rows_int(r, 1) == INT64_MIN);
    assert_true(store_rows_null(r, 2));                     /* NaN was stored as NULL */
    assert_true(isnan(store_rows_double(r, 2)));
    assert_int_equal(store_rows_end(r, &err), CS_OK);
    assert_int_equal(store_rows_end(NULL, &err), CS_OK);
}

static void test_errors_name_the_store(void **state)
{
    fixture *f = *state;
    cs_err err = {0};
    store_rows *r = (store_rows *)1;
    assert_int_equal(store_sql_run(f->c, &r, "reading the absent table", "SELECT * FROM absent", "", &err), CS_EIO);
    assert_null(r);
    assert_non_null(strstr(err.msg, f->path));
    assert_non_null(strstr(err.msg, "reading the absent table: no such table: absent"));
    cs_err_clear(&err);
    assert_int_equal(store_sql_run(f->c, NULL, "inserting", "INSERT INTO absent VALUES (?)", "i", (int64_t)1, &err),
                     CS_EIO);
    assert_non_null(strstr(err.msg, "inserting"));
}

static void test_transactions(void **state)
{
    fixture *f = *state;
    cs_err err = {0};
    store_rows *r = NULL;
    /* ended with an error: rolled back, the error handed back */
    assert_int_equal(store_sql_begin(f->c, &err), CS_OK);
    assert_int_equal(store_sql_run(f->c, NULL, "inserting", "INSERT INTO t(a) VALUES (?)", "t", "gone", &err), CS_OK);
    assert_int_equal(store_sql_end(f->c, CS_EINVAL, &err), CS_EINVAL);
    /* ended well: committed */
    assert_int_equal(store_sql_begin(f->c, &err), CS_OK);
    assert_int_equal(store_sql_run(f->c, NULL, "inserting", "INSERT INTO t(a) VALUES (?)", "t", "kept", &err), CS_OK);
    assert_int_equal(store_sql_end(f->c, CS_OK, &err), CS_OK);
    assert_int_equal(store_sql_run(f->c, &r, "reading", "SELECT a FROM t ORDER BY a", "", &err), CS_OK);
    assert_true(store_rows_next(r));
    assert_string_equal(store_rows_text(r, 0), "kept");
    assert_false(store_rows_next(r));
    assert_int_equal(store_rows_end(r, &err), CS_OK);
    store_sql_rollback(f->c);                               /* outside a transaction: nothing */
}

static void test_migrate_sqlite_steps(void **state)
{
    fixture *f = *state;
    cs_err err = {0};
    store_rows *r = NULL;
    assert_int_equal(store_sql_migrate(f->c, &store_schema_registry, &store_schema_registry_pg, &err), CS_OK);
    assert_int_equal(store_sql_run(f->c, &r, "reading", "SELECT version FROM creditscore_schema WHERE name = ?", "t",
                                   "registry", &err), CS_OK);
    assert_true(store_rows_next(r));
    assert_int_equal(store_rows_int(r, 0), store_schema_registry.version);
    assert_int_equal(store_rows_end(r, &err), CS_OK);
    /* SQLite's steps, not PostgreSQL's: no model_files table */
    assert_int_equal(store_sql_run(f->c, &r, "reading", "SELECT count(*) FROM sqlite_master WHERE name = 'model_files'",
                                   "", &err), CS_OK);
    assert_true(store_rows_next(r));
    assert_int_equal(store_rows_int(r, 0), 0);
    assert_int_equal(store_rows_end(r, &err), CS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_types_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_name_the_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_sqlite_steps, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
