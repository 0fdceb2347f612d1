/*
 * test_store_db.c: the stores' connection layer and schemas: migrations step by step, a
 * failed step changing nothing, a database from a newer release refused, stores written by
 * release 0.1.0 (tests/data/release-0.1.0, made by that release's binary) opened and
 * upgraded with everything in them, and several processes creating one store at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/audit.h"
#include "store/db.h"
#include "store/outcomes.h"
#include "store/registry.h"
#include "store/schema.h"
#include "store/track.h"
#include "testutil.h"

#define OLD "tests/data/release-0.1.0"

typedef struct fixture {
    char dir[64];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    *state = f;
    return f && !tu_mkdtemp(f->dir, sizeof f->dir, "/tmp/cs_db_XXXXXX") ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    int rc = tu_rmrf(f->dir);
    free(f);
    return rc;
}

/* one integer from a query on the file at path (-1 when no row) */
static long long _query(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    long long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) return -2;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) v = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return v;
}

static int _copy(const char *from, const char *to)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    return system(cmd);
}

static const char *const _steps[] = {
    "CREATE TABLE IF NOT EXISTS t(a INTEGER);",
    "ALTER TABLE t ADD COLUMN b TEXT NOT NULL DEFAULT 'x';",
    "CREATE INDEX IF NOT EXISTS t_b ON t(b);",
};

static void test_migrate_steps(void **state)
{
    fixture *f = *state;
    char path[128];
    cs_err err = {0};
    int v = -1;
    store_db *d;
    store_schema s1 = {"test", 1, _steps}, s3 = {"test", 3, _steps};

    snprintf(path, sizeof path, "%s/m.db", f->dir);
    d = store_db_open(path, STORE_DB_CREATE, "the test store", &err);
    assert_non_null(d);
    assert_int_equal(store_db_check(d, &s1, &v, &err), CS_OK);
    assert_int_equal(v, 0);                     /* nothing recorded yet */
    assert_int_equal(store_db_migrate(d, &s1, &err), CS_OK);
    assert_int_equal(store_db_exec(d, "INSERT INTO t(a) VALUES (7)", &err), CS_OK);
    assert_int_equal(store_db_check(d, &s1, &v, &err), CS_OK);
    assert_int_equal(v, 1);
    /* the next release: two steps on top, the row kept, the new column defaulted */
    assert_int_equal(store_db_migrate(d, &s3, &err), CS_OK);
    assert_int_equal(store_db_check(d, &s3, &v, &err), CS_OK);
    assert_int_equal(v, 3);
    store_db_close(d);
    assert_int_equal(_query(path, "SELECT a FROM t WHERE b = 'x'"), 7);
    assert_int_equal(_query(path, "SELECT count(*) FROM sqlite_master WHERE name = 't_b'"), 1);
    assert_int_equal(_query(path, "SELECT version FROM creditscore_schema WHERE name = 'test'"), 3);
    /* again: nothing to do */
    d = store_db_open(path, 0, "the test store", &err);
    assert_non_null(d);
    assert_int_equal(store_db_migrate(d, &s3, &err), CS_OK);
    /* the older build refuses the newer file, naming both versions */
    assert_int_equal(store_db_migrate(d, &s1, &err), CS_EVERSION);
    assert_non_null(strstr(err.msg, "version 3"));
    assert_non_null(strstr(err.msg, "up to 1"));
    assert_int_equal(store_db_check(d, &s1, &v, &err), CS_EVERSION);
    store_db_close(d);
}

static void test_failed_step_changes_nothing(void **state)
{
    fixture *f = *state;
    char path[128];
    cs_err err = {0};
    int v = -1;
    static const char *const bad[] = {
        "CREATE TABLE IF NOT EXISTS u(a INTEGER);",
        "CREATE TABLE u2(a INTEGER); ALTER TABLE nope ADD COLUMN c;",
    };
    store_schema ok = {"u", 1, bad}, broken = {"u", 2, bad};
    store_db *d;

    snprintf(path, sizeof path, "%s/f.db", f->dir);
    d = store_db_open(path, STORE_DB_CREATE, "the test store", &err);
    assert_non_null(d);
    assert_int_equal(store_db_migrate(d, &ok, &err), CS_OK);
    assert_int_equal(store_db_migrate(d, &broken, &err), CS_EIO);
    assert_non_null(strstr(err.msg, "to version 2"));
    assert_non_null(strstr(err.msg, "nope"));
    assert_int_equal(store_db_check(d, &broken, &v, &err), CS_OK);
    assert_int_equal(v, 1);
    store_db_close(d);
    /* the step's first statement was rolled back with it */
    assert_int_equal(_query(path, "SELECT count(*) FROM sqlite_master WHERE name = 'u2'"), 0);
}

static void test_missing_and_readonly(void **state)
{
    fixture *f = *state;
    char path[128];
    cs_err err = {0};
    snprintf(path, sizeof path, "%s/absent.db", f->dir);
    assert_null(store_db_open(path, 0, "the test store", &err));
    assert_non_null(strstr(err.msg, "the test store"));
    assert_null(store_db_open(path, STORE_DB_READONLY, "the test store", &err));
    assert_int_equal(access(path, F_OK), -1);   /* neither created it */
}

static int _count_rows(const store_audit_rec *r, void *ud)
{
    (void)r;
    (*(int *)ud)++;
    return 0;
}

static int _count_outcomes(const store_outcome *o, void *ud)
{
    (void)o;
    (*(int *)ud)++;
    return 0;
}

/* The tracking store and registry of release 0.1.0 (one finished run of experiment
 * "fixture", model "scoring" version 1 in Production): opened, upgraded, all there. */
static void test_release_010_tracking(void **state)
{
    fixture *f = *state;
    char path[128];
    cs_err err = {0};
    store *s;
    store_run_list *l;
    store_query q = {0};
    store_model_version *mv = NULL;
    size_t n = 0;

    snprintf(path, sizeof path, "%s/track.db", f->dir);
    assert_int_equal(_copy(OLD "/track.db", path), 0);
    assert_int_equal(_query(path, "SELECT count(*) FROM sqlite_master WHERE name = 'creditscore_schema'"), 0);
    s = store_open(path, &err);
    assert_non_null(s);
    q.experiment = "fixture";
    l = store_runs_query(s, &q, &err);
    assert_non_null(l);
    assert_int_equal(l->n, 1);
    assert_int_equal(l->runs[0].status, STORE_FINISHED);
    assert_true(l->runs[0].n_params > 0);
    assert_true(l->runs[0].n_metrics > 0);
    store_run_list_free(l);
    assert_int_equal(store_model_list(s, "scoring", &mv, &n, &err), CS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(mv[0].version, 1);
    assert_string_equal(mv[0].stage, "Production");
    store_model_versions_free(mv, n);
    store_close(s);
    assert_int_equal(_query(path, "SELECT version FROM creditscore_schema WHERE name = 'tracking'"),
                     store_schema_tracking.version);
    assert_int_equal(_query(path, "SELECT version FROM creditscore_schema WHERE name = 'registry'"),
                     store_schema_registry.version);
    assert_int_equal(_query(path, "SELECT count(*) FROM sqlite_master WHERE name = 'runs_by_experiment'"), 1);
    assert_int_equal(_query(path, "SELECT count(*) FROM sqlite_master WHERE name = 'model_versions_by_stage'"), 1);
    /* opened again: nothing to upgrade, a new run goes in beside the old one */
    s = store_open(path, &err);
    assert_non_null(s);
    char id[STORE_RUN_ID_LEN + 1];
    assert_int_equal(store_run_start(s, "fixture", "after the upgrade", NULL, "test", id, &err), CS_OK);
    assert_int_equal(store_run_end(s, id, STORE_FINISHED, &err), CS_OK);
    store_close(s);
    assert_int_equal(_query(path, "SELECT count(*) FROM runs"), 2);
}

/* The audit log of release 0.1.0 (five decisions, two outcomes): read as it is, then the
 * API's writer opens and upgrades it and appends. */
static void test_release_010_audit(void **state)
{
    fixture *f = *state;
    char path[128];
    cs_err err = {0};
    int rows = 0, outcomes = 0;
    store_audit *a;
    store_audit_rec r;

    snprintf(path, sizeof path, "%s/audit.db", f->dir);
    assert_int_equal(_copy(OLD "/audit.db", path), 0);
    assert_int_equal(store_audit_read(path, 0, 0, _count_rows, &rows, &err), CS_OK);
    assert_int_equal(rows, 5);
    assert_int_equal(store_outcomes_read(path, _count_outcomes, &outcomes, &err), CS_OK);
    assert_int_equal(outcomes, 2);

    a = store_audit_open(path, &err);
    assert_non_null(a);
    memset(&r, 0, sizeof r);
    r.unix_ms = 1780000000000LL;
    snprintf(r.request_id, sizeof r.request_id, "after-upgrade");
    snprintf(r.endpoint, sizeof r.endpoint, "predict");
    snprintf(r.decision, sizeof r.decision, "approve");
    r.client_id = -1;
    assert_int_equal(store_audit_commit(a, &r, &err), CS_OK);
    store_audit_close(a);
    assert_int_equal(_query(path, "SELECT version FROM creditscore_schema WHERE name = 'audit'"),
                     store_schema_audit.version);
    rows = 0;
    assert_int_equal(store_audit_read(path, 0, 0, _count_rows, &rows, &err), CS_OK);
    assert_int_equal(rows, 6);
    assert_int_equal(_query(path, "SELECT seq FROM audit WHERE request_id = 'after-upgrade'"), 6);
    outcomes = 0;
    assert_int_equal(store_outcomes_read(path, _count_outcomes, &outcomes, &err), CS_OK);
    assert_int_equal(outcomes, 2);
    /* version 2's challenger columns were added; the old rows have none (NULL) */
    assert_int_equal(_query(path, "SELECT count(*) FROM pragma_table_info('audit') WHERE name LIKE 'challenger_%'"), 5);
    assert_int_equal(_query(path, "SELECT count(*) FROM audit WHERE challenger_name IS NULL"), 6);
}

static int _first_rec(const store_audit_rec *r, void *ud)
{
    *(store_audit_rec *)ud = *r;
    return 1;
}

/* A log of schema version 1 (before the challenger's columns): read as it is (no
 * challenger), then the writer's open upgrades it in place to version 2, keeping its rows,
 * and a row with a challenger goes in beside them. */
static void test_audit_v1_upgrade(void **state)
{
    fixture *f = *state;
    char path[128];
    cs_err err = {0};
    sqlite3 *db;
    store_audit *a;
    store_audit_rec r;
    int rows = 0;
    snprintf(path, sizeof path, "%s/audit_v1.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, store_schema_audit.steps[0], NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE creditscore_schema(name TEXT PRIMARY KEY, version INTEGER NOT NULL,"
                                  " upgraded_ms INTEGER NOT NULL);"
                                  "INSERT INTO creditscore_schema VALUES('audit', 1, 0);"
                                  "INSERT INTO audit(time, unix_ms, request_id, endpoint, model_name, model_version,"
                                  " input_kind, client_id, input_digest, probability, score, threshold, decision)"
                                  " VALUES('2026-01-01T00:00:00.000Z', 1767225600000, 'v1-row', 'predict', 'm', '1',"
                                  " 'client_id', 7, 'd', 0.2, 600, 0.1, 'refuse');",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    memset(&r, 0, sizeof r);
    assert_int_equal(store_audit_read(path, 0, 0, _first_rec, &r, &err), CS_OK);
    assert_string_equal(r.request_id, "v1-row");
    assert_string_equal(r.challenger_name, "");
    assert_int_equal(store_audit_rec_has_challenger(&r), 0);
    assert_int_equal(_query(path, "SELECT version FROM creditscore_schema WHERE name = 'audit'"), 1);

    a = store_audit_open(path, &err);
    if (!a) fail_msg("%s", err.msg);
    memset(&r, 0, sizeof r);
    r.unix_ms = 1767225700000LL;
    r.client_id = 8;
    snprintf(r.request_id, sizeof r.request_id, "v2-row");
    snprintf(r.decision, sizeof r.decision, "approve");
    snprintf(r.challenger_name, sizeof r.challenger_name, "challenger");
    snprintf(r.challenger_version, sizeof r.challenger_version, "2");
    r.challenger_probability = 0.25;
    r.challenger_threshold = 0.2;
    snprintf(r.challenger_decision, sizeof r.challenger_decision, "refuse");
    assert_int_equal(store_audit_commit(a, &r, &err), CS_OK);
    store_audit_close(a);
    assert_int_equal(_query(path, "SELECT version FROM creditscore_schema WHERE name = 'audit'"), 3);
    assert_int_equal(store_audit_read(path, 0, 0, _count_rows, &rows, &err), CS_OK);
    assert_int_equal(rows, 2);
    assert_int_equal(_query(path, "SELECT count(*) FROM audit WHERE challenger_name IS NULL AND request_id = 'v1-row'"), 1);
    /* step 3: the rows before it were decisions */
    assert_int_equal(_query(path, "SELECT count(*) FROM audit WHERE kind = 'decision'"), 2);
    assert_int_equal(_query(path, "SELECT CAST(challenger_probability * 100 AS INTEGER) FROM audit WHERE request_id = 'v2-row'"),
                     25);
}

/* A store stamped with a newer tracking version is refused by store_open, not altered. */
static void test_newer_store_refused(void **state)
{
    fixture *f = *state;
    char path[128];
    cs_err err = {0};
    store *s;
    sqlite3 *db;

    snprintf(path, sizeof path, "%s/new.db", f->dir);
    s = store_open(path, &err);
    assert_non_null(s);
    store_close(s);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE creditscore_schema SET version = 99 WHERE name = 'tracking'", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_null(store_open(path, &err));
    assert_int_equal(err.code, CS_EVERSION);
    assert_non_null(strstr(err.msg, "newer creditscore"));
    assert_int_equal(_query(path, "SELECT version FROM creditscore_schema WHERE name = 'tracking'"), 99);
}

/* Eight processes create the same absent store at once and each logs a run, fifty rounds:
 * no "database is locked", every run there. */
#define N_PROCS 8
#define ROUNDS 50
static void test_concurrent_creation(void **state)
{
    fixture *f = *state;
    for (int round = 0; round < ROUNDS; round++) {
        char path[128];
        pid_t pids[N_PROCS];
        int failed = 0;
        snprintf(path, sizeof path, "%s/c%d.db", f->dir, round);
        for (int p = 0; p < N_PROCS; p++) {
            pids[p] = fork();
            assert_true(pids[p] >= 0);
            if (pids[p] == 0) {
                cs_err e = {0};
                char id[STORE_RUN_ID_LEN + 1];
                store *s = store_open(path, &e);
                int rc = !s || store_run_start(s, "race", NULL, NULL, "test", id, &e) ||
                         store_run_end(s, id, STORE_FINISHED, &e);
                if (rc) fprintf(stderr, "round %d process %d: %s\n", round, p, e.msg);
                store_close(s);
                _exit(rc);
            }
        }
        for (int p = 0; p < N_PROCS; p++) {
            int status = 0;
            waitpid(pids[p], &status, 0);
            if (!WIFEXITED(status) || WEXITSTATUS(status)) failed++;
        }
        assert_int_equal(failed, 0);
        assert_int_equal(_query(path, "SELECT count(*) FROM runs WHERE status = 3"), N_PROCS);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrate_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_step_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_and_readonly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_010_tracking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_010_audit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_v1_upgrade, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_store_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_creation, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
