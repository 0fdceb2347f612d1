/*
 * test_store_registry.c: the model registry: versions, idempotent registration of the
 * same content, stages and archiving, the source run found from artifacts, and a stored
 * copy that changed on disk being refused.
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

#include "store/registry.h"
#include "store_fixture.h"

typedef tu_store_fx fixture;

static int setup(void **state) { return tu_store_setup(state, "/tmp/cs_reg_XXXXXX", "r.db"); }
#define teardown tu_store_teardown

static void _write(const char *path, const char *text) { assert_int_equal(tu_write_file(path, text), 0); }

static void test_register_promote_path(void **state)
{
    fixture *f = *state;
    cs_err err = {0};
    char m1[160], m2[160], run[33];
    int v, existed;
    store_model_facts facts = {NULL, 0.31, "{\"cv_auc\":0.78}", "gbdt"};
    store_model_version mv;
    store_model_version *list;
    size_t n;

    snprintf(m1, sizeof m1, "%s/a.csm", f->dir);
    snprintf(m2, sizeof m2, "%s/b.csm", f->dir);
    _write(m1, "model one");
    _write(m2, "model two");
    /* a run that produced m1: the registry finds it from the artifact */
    assert_int_equal(store_run_start(f->s, "Default", "train", NULL, "", run, &err), CS_OK);
    assert_int_equal(store_log_artifact(f->s, run, m1, "model", &err), CS_OK);

    assert_int_equal(store_model_register(f->s, "credit", m1, &facts, &v, &existed, &err), CS_OK);
    assert_int_equal(v, 1);
    assert_int_equal(existed, 0);
    assert_int_equal(store_model_register(f->s, "credit", m1, &facts, &v, &existed, &err), CS_OK);
    assert_int_equal(v, 1);                 /* same content, same version */
    assert_int_equal(existed, 1);
    assert_int_equal(store_model_register(f->s, "credit", m2, NULL, &v, &existed, &err), CS_OK);
    assert_int_equal(v, 2);
    assert_int_equal(store_model_register(f->s, "bad name!", m2, NULL, &v, &existed, &err), CS_EINVAL);

    assert_int_equal(store_model_list(f->s, "credit", &list, &n, &err), CS_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].source_run_id, run);
    assert_true(fabs(list[0].threshold - 0.31) < 1e-15);
    assert_string_equal(list[0].learner, "gbdt");
    assert_string_equal(list[0].stage, "None");
    assert_true(isnan(list[1].threshold));
    store_model_versions_free(list, n);

    assert_int_equal(store_model_get(f->s, "credit", "production", 0, &mv, &err), CS_ENOTFOUND);
    assert_int_equal(store_model_promote(f->s, "credit", 1, "production", &err), CS_OK);
    assert_int_equal(store_model_promote(f->s, "credit", 9, "production", &err), CS_ENOTFOUND);
    assert_int_equal(store_model_promote(f->s, "credit", 1, "prod", &err), CS_EINVAL);
    assert_int_equal(store_model_get(f->s, "credit", "Production", 0, &mv, &err), CS_OK);
    assert_int_equal(mv.version, 1);
    {
        /* the registry keeps its own copy: overwriting the original changes nothing */
        FILE *in = fopen(mv.path, "r");
        char buf[32] = {0};
        assert_non_null(in);
        assert_non_null(fgets(buf, sizeof buf, in));
        fclose(in);
        assert_string_equal(buf, "model one");
    }
    store_model_version_clear(&mv);
    _write(m1, "retrained");

    /* promoting version 2 archives version 1 */
    assert_int_equal(store_model_promote(f->s, "credit", 2, "PRODUCTION", &err), CS_OK);
    assert_int_equal(store_model_get(f->s, "credit", "production", 0, &mv, &err), CS_OK);
    assert_int_equal(mv.version, 2);
    _write(mv.path, "tampered");           /* the stored copy changed: refused */
    store_model_version_clear(&mv);
    assert_int_equal(store_model_get(f->s, "credit", "production", 0, &mv, &err), CS_ECORRUPT);
    assert_non_null(strstr(err.msg, "SHA-256"));
    assert_int_equal(store_model_get(f->s, "credit", NULL, 1, &mv, &err), CS_OK);
    assert_string_equal(mv.stage, "Archived");
    store_model_version_clear(&mv);
    assert_int_equal(store_model_list(f->s, "nope", &list, &n, &err), CS_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_register_promote_path, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
