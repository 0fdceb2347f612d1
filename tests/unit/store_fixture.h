/*
 * store_fixture.h: the fixture of the store tests (testutil.h): a fresh temporary folder
 * holding one open store database. Pass tu_store_setup's wrapper and tu_store_teardown to
 * cmocka_unit_test_setup_teardown; the test reads its tu_store_fx from *state.
 */
#ifndef CS_TESTS_UNIT_STORE_FIXTURE_H
#define CS_TESTS_UNIT_STORE_FIXTURE_H

#include "testutil.h"

#include "store/track.h"

typedef struct tu_store_fx {
    char dir[64];           /* the temporary folder */
    char db[128];           /* dir/<db_name>, the open store's file */
    store *s;
} tu_store_fx;

/* Create the folder from tmpl and open dir/db_name as a store into a new *state. */
static inline int tu_store_setup(void **state, const char *tmpl, const char *db_name)
{
    tu_store_fx *f = calloc(1, sizeof *f);
    cs_err err = {0};
    if (!f) return -1;
    *state = f;
    if (tu_mkdtemp(f->dir, sizeof f->dir, tmpl)) return -1;
    snprintf(f->db, sizeof f->db, "%s/%s", f->dir, db_name);
    f->s = store_open(f->db, &err);
    return f->s ? 0 : -1;
}

/* Close the store, remove the folder, free the fixture. */
static inline int tu_store_teardown(void **state)
{
    tu_store_fx *f = *state;
    int rc;
    if (!f) return 0;
    store_close(f->s);
    rc = f->dir[0] ? tu_rmrf(f->dir) : 0;
    free(f);
    *state = NULL;
    return rc;
}

#endif /* CS_TESTS_UNIT_STORE_FIXTURE_H */
