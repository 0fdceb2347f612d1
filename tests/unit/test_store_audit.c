/*
 * test_store_audit.c: the audit log: appends from many threads all land, in a WAL
 * database, a committed append is readable at once, a submitted one is when its callback
 * comes, hostile strings stay data, reading back with --since, time formats.
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
#include <sys/stat.h>
#include <unistd.h>

#include "store/audit.h"
#include "testutil.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    return tu_mkdtemp(dir, sizeof dir, "/tmp/cs_test_audit_XXXXXX");
}

static int teardown(void **state)
{
    (void)state;
    return tu_rmrf(dir);
}

static store_audit_rec rec(int64_t ms, int64_t client, double p)
{
    store_audit_rec r;
    memset(&r, 0, sizeof r);
    r.unix_ms = ms;
    snprintf(r.request_id, sizeof r.request_id, "req-%lld", (long long)client);
    snprintf(r.endpoint, sizeof r.endpoint, "predict");
    snprintf(r.model_name, sizeof r.model_name, "gbdt");
    snprintf(r.model_version, sizeof r.model_version, "3");
    snprintf(r.input_kind, sizeof r.input_kind, "client_id");
    r.client_id = client;
    snprintf(r.input_digest, sizeof r.input_digest, "%064d", 0);
    r.probability = p;
    r.score = 600;
    r.threshold = 0.09;
    snprintf(r.decision, sizeof r.decision, "%s", p >= 0.09 ? "refuse" : "approve");
    return r;
}

typedef struct writer_arg {
    store_audit *a;
    int t;
} writer_arg;

static void *writer(void *p)
{
    writer_arg *w = p;
    for (int i = 0; i < 5000; i++) {
        store_audit_rec r = rec(1000000 + i, w->t * 100000 + i, 0.01 * (i % 100));
        if (store_audit_append(w->a, &r, NULL) != CS_OK) return (void *)1;
    }
    return NULL;
}

typedef struct counter {
    int64_t n, last_seq, sum_client;
    int ordered;
    store_audit_rec first;
} counter;

static int count_fn(const store_audit_rec *r, void *ud)
{
    counter *c = ud;
    if (c->n == 0) c->first = *r;
    if (r->seq <= c->last_seq) c->ordered = 0;
    c->last_seq = r->seq;
    c->sum_client += r->client_id;
    c->n++;
    return 0;
}

static void test_concurrent_appends(void **state)
{
    char path[128];
    cs_err err = {0};
    store_audit *a;
    pthread_t th[4];
    writer_arg w[4];
    counter c = {0, 0, 0, 1, {0}};
    int64_t expect = 0;
    (void)state;
    snprintf(path, sizeof path, "%s/audit.db", dir);
    a = store_audit_open(path, &err);
    if (!a) fail_msg("%s", err.msg);
    for (int t = 0; t < 4; t++) {
        w[t].a = a;
        w[t].t = t;
        pthread_create(&th[t], NULL, writer, &w[t]);
    }
    for (int t = 0; t < 4; t++) {
        void *ret;
        pthread_join(th[t], &ret);
        assert_null(ret);
        for (int i = 0; i < 5000; i++) expect += t * 100000 + i;
    }
    assert_int_equal(store_audit_flush(a, &err), CS_OK);
    /* readable while the writer still has the file open */
    assert_int_equal(store_audit_read(path, 0, 0, count_fn, &c, &err), CS_OK);
    assert_true(c.n == 20000);
    store_audit_close(a);
    memset(&c, 0, sizeof c);
    c.ordered = 1;
    assert_int_equal(store_audit_read(path, 0, 0, count_fn, &c, &err), CS_OK);
    assert_true(c.n == 20000);
    assert_true(c.sum_client == expect);
    assert_true(c.ordered);
    assert_string_equal(c.first.endpoint, "predict");
    assert_string_equal(c.first.time, "1970-01-01T00:16:40.000Z");
}

static void test_hostile_strings_and_since(void **state)
{
    char path[128];
    cs_err err = {0};
    store_audit *a;
    store_audit_rec r = rec(1764143701123LL, -1, 0.5);
    counter c = {0, 0, 0, 1, {0}};
    (void)state;
    snprintf(path, sizeof path, "%s/hostile.db", dir);
    a = store_audit_open(path, &err);
    assert_non_null(a);
    snprintf(r.request_id, sizeof r.request_id, "x'); DROP TABLE audit; --");
    memset(r.model_name, 'A', sizeof r.model_name);  /* not terminated: the log terminates it */
    assert_int_equal(store_audit_append(a, &r, &err), CS_OK);
    r = rec(1764143702000LL, 42, 0.01);
    assert_int_equal(store_audit_append(a, &r, &err), CS_OK);
    store_audit_close(a);
    /* reopen: the table is still there, appends continue */
    a = store_audit_open(path, &err);
    assert_non_null(a);
    r = rec(1764143703000LL, 43, 0.01);
    store_audit_append(a, &r, &err);
    store_audit_close(a);
    assert_int_equal(store_audit_read(path, 0, 0, count_fn, &c, &err), CS_OK);
    assert_true(c.n == 3);
    assert_string_equal(c.first.request_id, "x'); DROP TABLE audit; --");
    assert_int_equal(strlen(c.first.model_name), sizeof r.model_name - 1);
    assert_true(c.first.client_id == -1);
    assert_string_equal(c.first.time, "2025-11-26T07:55:01.123Z");
    assert_string_equal(c.first.decision, "refuse");
    memset(&c, 0, sizeof c);
    assert_int_equal(store_audit_read(path, 1764143702000LL, 0, count_fn, &c, &err), CS_OK);
    assert_true(c.n == 2);
    memset(&c, 0, sizeof c);
    assert_int_equal(store_audit_read(path, 0, 1, count_fn, &c, &err), CS_OK);
    assert_true(c.n == 1);
    assert_int_equal(store_audit_read("/nonexistent/audit.db", 0, 0, count_fn, &c, &err), CS_EIO);
    store_audit_close(NULL);
}

/* store_audit_commit returns only once its row (and every row queued before it) is
 * committed: another connection reads them all at once, without a flush or a close. */
static void test_commit_is_durable(void **state)
{
    char path[128];
    cs_err err = {0};
    store_audit *a;
    (void)state;
    snprintf(path, sizeof path, "%s/commit.db", dir);
    a = store_audit_open(path, &err);
    assert_non_null(a);
    for (int round = 1; round <= 20; round++) {
        counter c = {0, 0, 0, 1, {0}};
        store_audit_rec r;
        for (int i = 0; i < 49; i++) {
            r = rec(1764143701000LL + i, i, 0.01);
            assert_int_equal(store_audit_append(a, &r, &err), CS_OK);
        }
        r = rec(1764143702000LL, 1000 + round, 0.5);
        assert_int_equal(store_audit_commit(a, &r, &err), CS_OK);
        assert_int_equal(store_audit_read(path, 0, 0, count_fn, &c, &err), CS_OK);
        assert_true(c.n == 50 * round);
    }
    store_audit_close(a);
}

/* store_audit_submit: every callback comes exactly once, from the writer, after its row
 * is readable by another connection; a flush returns only after all callbacks ran. */
typedef struct sub_slot {
    const char *path;
    int calls;
    cs_status st;
    int64_t rows_seen;          /* rows another connection read inside the callback */
} sub_slot;

static void sub_done(void *ud, cs_status st, const char *msg)
{
    sub_slot *s = ud;
    counter c = {0, 0, 0, 1, {0}};
    cs_err err = {0};
    (void)msg;
    s->calls++;
    s->st = st;
    if (store_audit_read(s->path, 0, 0, count_fn, &c, &err) == CS_OK) s->rows_seen = c.n;
}

static void test_submit_calls_back_after_commit(void **state)
{
    enum { N = 300 };
    char path[128];
    cs_err err = {0};
    static sub_slot slots[N];
    store_audit *a;
    (void)state;
    snprintf(path, sizeof path, "%s/submit.db", dir);
    a = store_audit_open(path, &err);
    assert_non_null(a);
    for (int i = 0; i < N; i++) {
        store_audit_rec r = rec(1764143701000LL + i, i, 0.02);
        slots[i] = (sub_slot){path, 0, CS_EINTERNAL, -1};
        assert_int_equal(store_audit_submit(a, &r, sub_done, &slots[i], &err), CS_OK);
        if (i % 50 == 0) usleep(1000);
    }
    {
        store_audit_rec r = rec(1, 1, 0.5);
        assert_int_equal(store_audit_submit(a, &r, NULL, NULL, &err), CS_EINVAL);
    }
    assert_int_equal(store_audit_flush(a, &err), CS_OK);
    for (int i = 0; i < N; i++) {
        assert_int_equal(slots[i].calls, 1);
        assert_int_equal(slots[i].st, CS_OK);
        /* rows are committed in order: row i and all before it were there */
        assert_true(slots[i].rows_seen >= i + 1);
    }
    store_audit_close(a);
    for (int i = 0; i < N; i++) assert_int_equal(slots[i].calls, 1);   /* not called again by close */
}

/* The log is checkpointed on the side: under a steady stream of small commits (no idle
 * moment) the WAL file stays bounded instead of growing with every commit. */
static void test_wal_stays_bounded(void **state)
{
    char path[160], wal[170];
    cs_err err = {0};
    store_audit *a;
    struct stat sb;
    counter c = {0, 0, 0, 1, {0}};
    (void)state;
    snprintf(path, sizeof path, "%s/bounded.db", dir);
    snprintf(wal, sizeof wal, "%s-wal", path);
    a = store_audit_open(path, &err);
    assert_non_null(a);
    store_audit_tune_checkpoints(a, 500, 2000);
    for (int i = 0; i < 12000; i++) {   /* 12000 commits of one row: some 100 MB of log unchecked */
        store_audit_rec r = rec(1764143701000LL + i, i, 0.02);
        assert_int_equal(store_audit_commit(a, &r, &err), CS_OK);
    }
    assert_int_equal(stat(wal, &sb), 0);
    assert_true(sb.st_size < 12 * 1024 * 1024);   /* 2000 frames of 4 KiB at most, and some slack */
    store_audit_close(a);
    assert_int_equal(store_audit_read(path, 0, 0, count_fn, &c, &err), CS_OK);
    assert_true(c.n == 12000 && c.ordered);
}

/* kinds: every row keeps its kind; the decisions-only reader and the query's masks, client
 * and order; a kind the table would refuse is an error of the call, not of the batch */
typedef struct kinds_seen {
    char kinds[16][12];
    int64_t clients[16];
    int n;
} kinds_seen;

static int kinds_fn(const store_audit_rec *r, void *ud)
{
    kinds_seen *k = ud;
    if (k->n < 16) {
        snprintf(k->kinds[k->n], sizeof k->kinds[0], "%s", r->kind);
        k->clients[k->n] = r->client_id;
    }
    k->n++;
    return 0;
}

static void test_kinds(void **state)
{
    char path[128];
    cs_err err = {0};
    store_audit *a;
    kinds_seen k;
    static const char *const kinds[] = {"decision", "lookup", "simulation", "lookup", "", "simulation"};
    (void)state;
    snprintf(path, sizeof path, "%s/kinds.db", dir);
    a = store_audit_open(path, &err);
    if (!a) fail_msg("%s", err.msg);
    for (int i = 0; i < 6; i++) {
        store_audit_rec r = rec(1000 + i, i < 4 ? 7 : 8, 0.05);
        snprintf(r.kind, sizeof r.kind, "%s", kinds[i]);
        assert_int_equal(store_audit_commit(a, &r, &err), CS_OK);
    }
    {
        store_audit_rec r = rec(2000, 7, 0.05);
        snprintf(r.kind, sizeof r.kind, "view");
        assert_int_equal(store_audit_commit(a, &r, &err), CS_EINVAL);
        assert_non_null(strstr(err.msg, "'view'"));
    }
    store_audit_close(a);
    /* store_audit_read: the decisions only ("" was written as a decision) */
    memset(&k, 0, sizeof k);
    assert_int_equal(store_audit_read(path, 0, 0, kinds_fn, &k, &err), CS_OK);
    assert_int_equal(k.n, 2);
    assert_string_equal(k.kinds[0], "decision");
    assert_string_equal(k.kinds[1], "decision");
    /* every kind of client 7, newest first */
    {
        store_audit_query q = {0, 0, STORE_AUDIT_ALL, 7, 1};
        memset(&k, 0, sizeof k);
        assert_int_equal(store_audit_query_read(path, &q, kinds_fn, &k, &err), CS_OK);
        assert_int_equal(k.n, 4);
        assert_string_equal(k.kinds[0], "lookup");
        assert_string_equal(k.kinds[1], "simulation");
        assert_string_equal(k.kinds[3], "decision");
    }
    /* the simulations of anyone, the last one only */
    {
        store_audit_query q = {0, 1, STORE_AUDIT_SIMULATION, -1, 1};
        memset(&k, 0, sizeof k);
        assert_int_equal(store_audit_query_read(path, &q, kinds_fn, &k, &err), CS_OK);
        assert_int_equal(k.n, 1);
        assert_string_equal(k.kinds[0], "simulation");
        assert_true(k.clients[0] == 8);
    }
    {
        store_audit_query q = {0, 0, STORE_AUDIT_LOOKUP | STORE_AUDIT_DECISION, 8, 0};
        memset(&k, 0, sizeof k);
        assert_int_equal(store_audit_query_read(path, &q, kinds_fn, &k, &err), CS_OK);
        assert_int_equal(k.n, 1);
        assert_string_equal(k.kinds[0], "decision");
    }
    assert_int_equal(store_audit_kind_bit("simulation"), STORE_AUDIT_SIMULATION);
    assert_int_equal(store_audit_kind_bit("Decision"), 0);
    assert_int_equal(store_audit_kind_bit(NULL), 0);
    assert_int_equal(store_audit_kinds("decision,simulation"), STORE_AUDIT_DECISION | STORE_AUDIT_SIMULATION);
    assert_int_equal(store_audit_kinds("all"), STORE_AUDIT_ALL);
    assert_int_equal(store_audit_kinds("lookup"), STORE_AUDIT_LOOKUP);
    assert_int_equal(store_audit_kinds("decision,"), 0);
    assert_int_equal(store_audit_kinds(",lookup"), 0);
    assert_int_equal(store_audit_kinds("decisions"), 0);
    assert_int_equal(store_audit_kinds(""), 0);
}

static void test_times(void **state)
{
    char t[32];
    (void)state;
    assert_true(store_audit_parse_time("2025-11-26") == 1764115200000LL);
    assert_true(store_audit_parse_time("2025-11-26T07:55:01Z") == 1764143701000LL);
    assert_true(store_audit_parse_time("2025-11-26 07:55:01") == 1764143701000LL);
    assert_true(store_audit_parse_time("yesterday") == -1);
    assert_true(store_audit_parse_time("2025-13-01") == -1);
    assert_true(store_audit_parse_time("2025-11-26T07:55") == -1);
    store_audit_format_time(1764143701123LL, t);
    assert_string_equal(t, "2025-11-26T07:55:01.123Z");
}

static int collect(const store_audit_rec *r, void *ud)
{
    store_audit_rec *out = ud;
    if (r->seq >= 1 && r->seq <= 3) out[r->seq - 1] = *r;
    return 0;
}

/* The challenger's columns round-trip in the same row: scored (probability, threshold and
 * decision), failed ('error', no numbers) and none (every challenger column empty). */
static void test_challenger_columns(void **state)
{
    char path[128];
    cs_err err = {0};
    store_audit *a;
    store_audit_rec r[3], back[3];
    (void)state;
    snprintf(path, sizeof path, "%s/challenger.db", dir);
    a = store_audit_open(path, &err);
    assert_non_null(a);
    r[0] = rec(1764143701000LL, 1, 0.05);
    snprintf(r[0].challenger_name, sizeof r[0].challenger_name, "lr-challenger");
    snprintf(r[0].challenger_version, sizeof r[0].challenger_version, "2026.2");
    r[0].challenger_probability = 0.1234567890123456789;
    r[0].challenger_threshold = 0.11;
    snprintf(r[0].challenger_decision, sizeof r[0].challenger_decision, "refuse");
    r[1] = rec(1764143702000LL, 2, 0.5);
    snprintf(r[1].challenger_name, sizeof r[1].challenger_name, "lr-challenger");
    snprintf(r[1].challenger_version, sizeof r[1].challenger_version, "2026.2");
    r[1].challenger_probability = NAN;
    r[1].challenger_threshold = NAN;
    snprintf(r[1].challenger_decision, sizeof r[1].challenger_decision, "error");
    r[2] = rec(1764143703000LL, 3, 0.01);
    for (int i = 0; i < 3; i++) assert_int_equal(store_audit_append(a, &r[i], &err), CS_OK);
    store_audit_close(a);
    memset(back, 0, sizeof back);
    assert_int_equal(store_audit_read(path, 0, 0, collect, back, &err), CS_OK);
    assert_string_equal(back[0].challenger_name, "lr-challenger");
    assert_string_equal(back[0].challenger_version, "2026.2");
    assert_true(back[0].challenger_probability == r[0].challenger_probability);
    assert_true(back[0].challenger_threshold == 0.11);
    assert_string_equal(back[0].challenger_decision, "refuse");
    assert_int_equal(store_audit_rec_has_challenger(&back[0]), 1);
    assert_string_equal(back[0].decision, "approve");
    assert_string_equal(back[1].challenger_decision, "error");
    assert_true(isnan(back[1].challenger_probability) && isnan(back[1].challenger_threshold));
    assert_int_equal(store_audit_rec_has_challenger(&back[1]), 0);
    assert_string_equal(back[2].challenger_name, "");
    assert_string_equal(back[2].challenger_decision, "");
    assert_true(isnan(back[2].challenger_probability));
    assert_int_equal(store_audit_rec_has_challenger(&back[2]), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_appends),
        cmocka_unit_test(test_hostile_strings_and_since),
        cmocka_unit_test(test_commit_is_durable),
        cmocka_unit_test(test_submit_calls_back_after_commit),
        cmocka_unit_test(test_wal_stays_bounded),
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_challenger_columns),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
