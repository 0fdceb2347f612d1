/*
 * test_store_track.c: the tracking store: runs, immutable params, metric histories and
 * latest values, tags, artifacts, child runs, best-run queries, the reaping of runs whose
 * process died, and two processes logging at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/track.h"
#include "store_fixture.h"

typedef tu_store_fx fixture;

static int setup(void **state) { return tu_store_setup(state, "/tmp/cs_track_XXXXXX", "t.db"); }
#define teardown tu_store_teardown

static void test_run_lifecycle(void **state)
{
    fixture *f = *state;
    cs_err err = {0};
    char id[STORE_RUN_ID_LEN + 1];
    store_run_list *l;
    const store_run *r;

    assert_int_equal(store_run_start(f->s, "exp-a", "first", NULL, "creditscore train", id, &err), CS_OK);
    assert_int_equal(strlen(id), 32);
    assert_int_equal(store_log_param(f->s, id, "learning_rate", "0.05", &err), CS_OK);
    assert_int_equal(store_log_param(f->s, id, "learning_rate", "0.05", &err), CS_OK);   /* same value: fine */
    assert_int_equal(store_log_param(f->s, id, "learning_rate", "0.1", &err), CS_EINVAL);
    assert_non_null(strstr(err.msg, "learning_rate"));
    assert_int_equal(store_log_param(f->s, id, "bad key!", "1", &err), CS_EINVAL);
    assert_int_equal(store_log_param(f->s, "0123456789abcdef0123456789abcdef", "k", "1", &err), CS_ENOTFOUND);
    double curve[5] = {0.70, 0.72, 0.75, 0.74, 0.76};
    assert_int_equal(store_log_metric_series(f->s, id, "valid_auc", curve, NULL, 5, &err), CS_OK);
    assert_int_equal(store_log_metric(f->s, id, "cv_auc", 0.781, 0, 0, &err), CS_OK);
    assert_int_equal(store_set_tag(f->s, id, "note", "one", &err), CS_OK);
    assert_int_equal(store_set_tag(f->s, id, "note", "two", &err), CS_OK);   /* tags may change */
    assert_int_equal(store_log_artifact(f->s, id, f->db, "model", &err), CS_OK);
    assert_int_equal(store_run_end(f->s, id, STORE_FINISHED, &err), CS_OK);

    l = store_run_get(f->s, id, &err);
    assert_non_null(l);
    r = &l->runs[0];
    assert_string_equal(r->name, "first");
    assert_string_equal(r->experiment, "exp-a");
    assert_int_equal(r->status, STORE_FINISHED);
    assert_true(r->end_ms >= r->start_ms);
    assert_int_equal(r->n_params, 1);
    assert_string_equal(r->params[0].value, "0.05");
    assert_int_equal(r->n_metrics, 2);
    assert_string_equal(r->metrics[0].key, "cv_auc");
    assert_string_equal(r->metrics[1].key, "valid_auc");
    assert_true(r->metrics[1].value == 0.76);          /* latest = highest step */
    assert_int_equal(r->metrics[1].n_points, 5);
    assert_int_equal(r->n_tags, 1);
    assert_string_equal(r->tags[0].value, "two");
    assert_int_equal(r->n_artifacts, 1);
    store_run_list_free(l);

    /* prefix lookup */
    char prefix[9];
    memcpy(prefix, id, 8);
    prefix[8] = '\0';
    l = store_run_get(f->s, prefix, &err);
    assert_non_null(l);
    store_run_list_free(l);
    assert_null(store_run_get(f->s, "zz", &err));
}

static void test_children_and_best(void **state)
{
    fixture *f = *state;
    cs_err err = {0};
    char parent[33], kid[3][33];
    double aucs[3] = {0.70, 0.79, 0.75};
    store_run_list *l;
    store_query q = {0};

    assert_int_equal(store_run_start(f->s, "search", "random", NULL, "train --search random", parent, &err), CS_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(store_run_start(f->s, NULL, "trial", parent, "", kid[i], &err), CS_OK);
        assert_int_equal(store_log_metric(f->s, kid[i], "cv_auc", aucs[i], 0, 0, &err), CS_OK);
        if (i < 2) assert_int_equal(store_run_end(f->s, kid[i], STORE_FINISHED, &err), CS_OK);
    }
    /* ending the parent ends its still-running trial with the same status */
    assert_int_equal(store_run_end(f->s, parent, STORE_KILLED, &err), CS_OK);
    l = store_run_get(f->s, kid[2], &err);
    assert_int_equal(l->runs[0].status, STORE_KILLED);
    assert_string_equal(l->runs[0].experiment, "search");   /* a trial goes where its search is */
    assert_string_equal(l->runs[0].parent_run_id, parent);
    store_run_list_free(l);

    q.parent_run_id = parent;
    l = store_runs_query(f->s, &q, &err);
    assert_int_equal(l->n, 3);
    store_run_list_free(l);
    q.parent_run_id = "";
    l = store_runs_query(f->s, &q, &err);
    assert_int_equal(l->n, 1);
    store_run_list_free(l);

    q.parent_run_id = NULL;
    l = store_run_best(f->s, &q, "cv_auc", 0, &err);
    assert_non_null(l);
    assert_string_equal(l->runs[0].run_id, kid[1]);    /* 0.79, finished */
    store_run_list_free(l);
    l = store_run_best(f->s, &q, "cv_auc", 1, &err);
    assert_string_equal(l->runs[0].run_id, kid[0]);
    store_run_list_free(l);
    assert_null(store_run_best(f->s, &q, "no_such_metric", 0, &err));
    assert_int_equal(err.code, CS_ENOTFOUND);
}

static void test_dead_process_run_is_failed(void **state)
{
    fixture *f = *state;
    cs_err err = {0};
    char id[33];
    store *s2;
    store_run_list *l;
    pid_t pid = fork();

    if (pid == 0) {
        /* a child that starts a run and dies without ending it */
        store *c = store_open(f->db, NULL);
        char cid[33];
        if (!c || store_run_start(c, "crash", "dies", NULL, "", cid, NULL)) _exit(2);
        FILE *o = fopen("/tmp/cs_track_child_id", "w");
        fprintf(o, "%s", cid);
        fclose(o);
        _exit(0);       /* no store_run_end */
    }
    int ws;
    waitpid(pid, &ws, 0);
    assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    FILE *in = fopen("/tmp/cs_track_child_id", "r");
    assert_non_null(in);
    assert_int_equal(fscanf(in, "%32s", id), 1);
    fclose(in);
    unlink("/tmp/cs_track_child_id");

    s2 = store_open(f->db, &err);     /* reaps */
    assert_non_null(s2);
    l = store_run_get(s2, id, &err);
    assert_non_null(l);
    assert_int_equal(l->runs[0].status, STORE_FAILED);
    assert_true(l->runs[0].end_ms > 0);
    store_run_list_free(l);
    store_close(s2);
}

static void test_two_writers(void **state)
{
    fixture *f = *state;
    cs_err err = {0};
    enum { PER_PROC = 60 };
    pid_t kids[2];
    store_query q = {0};
    store_run_list *l;

    for (int p = 0; p < 2; p++) {
        kids[p] = fork();
        if (kids[p] == 0) {
            store *c = store_open(f->db, NULL);
            char exp[32];
            if (!c) _exit(2);
            snprintf(exp, sizeof exp, "writer%d", p);
            for (int i = 0; i < PER_PROC; i++) {
                char id[33], v[16];
                double curve[20];
                for (int k = 0; k < 20; k++) curve[k] = 0.5 + 0.01 * k;
                snprintf(v, sizeof v, "%d", i);
                if (store_run_start(c, exp, "trial", NULL, "", id, NULL) ||
                    store_log_param(c, id, "i", v, NULL) ||
                    store_log_metric_series(c, id, "auc", curve, NULL, 20, NULL) ||
                    store_run_end(c, id, STORE_FINISHED, NULL))
                    _exit(3);
            }
            store_close(c);
            _exit(0);
        }
    }
    for (int p = 0; p < 2; p++) {
        int ws;
        waitpid(kids[p], &ws, 0);
        assert_true(WIFEXITED(ws));
        assert_int_equal(WEXITSTATUS(ws), 0);
    }
    for (int p = 0; p < 2; p++) {
        char exp[32];
        snprintf(exp, sizeof exp, "writer%d", p);
        q.experiment = exp;
        l = store_runs_query(f->s, &q, &err);
        assert_non_null(l);
        assert_int_equal(l->n, PER_PROC);
        for (size_t i = 0; i < l->n; i++) {
            assert_int_equal(l->runs[i].status, STORE_FINISHED);
            assert_int_equal(l->runs[i].n_params, 1);
            assert_int_equal(l->runs[i].metrics[0].n_points, 20);
        }
        store_run_list_free(l);
    }
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(store_path(f->s), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_not_a_store(void **state)
{
    fixture *f = *state;
    cs_err err = {0};
    char path[160];
    snprintf(path, sizeof path, "%s/junk.db", f->dir);
    assert_int_equal(tu_write_file(path, "this is not a database, just text that is long enough to look like a "
                                         "header .........."), 0);
    assert_null(store_open(path, &err));
    assert_non_null(strstr(err.msg, "junk.db"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_run_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_children_and_best, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dead_process_run_is_failed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_writers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_store, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
