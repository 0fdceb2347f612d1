/*
 * test_features_featfile.c: the feature matrix file: round trip through write and load,
 * CSV export, and refusal of truncated, corrupt and newer-version files.
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
#include <unistd.h>

#include "base/cs.h"
#include "features/featfile.h"
#include "testutil.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    return tu_mkdtemp(dir, sizeof dir, "/tmp/cs_featfile_XXXXXX");
}

static int teardown(void **state)
{
    (void)state;
    return tu_rmrf(dir);
}

static feat_matrix *make(size_t n, size_t p)
{
    feat_matrix *m = feat_matrix_create(n, p, NULL);
    assert_non_null(m);
    for (size_t j = 0; j < p; j++) {
        char name[64];
        snprintf(name, sizeof name, j == 1 ? "NAME_TYPE_SUITE_Spouse, partner" : "F%zu", j);
        m->names[j] = strdup(name);
    }
    for (size_t i = 0; i < n; i++) {
        m->ids[i] = 100000 + (int64_t)i;
        m->target[i] = i % 3 == 2 ? NAN : (double)(i % 2);
        for (size_t j = 0; j < p; j++) m->values[j * n + i] = (double)i / 7.0 + (double)j * 1e6;
    }
    if (n > 2 && p > 2) {
        m->values[0] = NAN;
        m->values[1] = INFINITY;
        m->values[2] = -INFINITY;
    }
    return m;
}

static void path_of(char *out, const char *name)
{
    snprintf(out, 128, "%s/%s", dir, name);
}

static void test_create_defaults(void **state)
{
    feat_matrix *m = feat_matrix_create(3, 2, NULL);
    (void)state;
    assert_non_null(m);
    assert_true(isnan(m->values[5]) && isnan(m->target[2]));
    assert_int_equal(m->ids[1], 0);
    assert_null(m->names[1]);
    feat_matrix_free(m);
    feat_matrix_free(NULL);
}

static void test_round_trip(void **state)
{
    char p[128];
    cs_err err = {0};
    feat_matrix *m = make(37, 5), *l;
    (void)state;
    path_of(p, "a.csf");
    assert_int_equal(feat_file_write(m, p, &err), CS_OK);
    l = feat_file_load(p, &err);
    assert_non_null(l);
    assert_int_equal(l->n_rows, 37);
    assert_int_equal(l->n_feats, 5);
    assert_string_equal(l->names[1], "NAME_TYPE_SUITE_Spouse, partner");
    assert_int_equal(feat_index(l, "F4"), 4);
    assert_int_equal(feat_index(l, "nope"), -1);
    assert_memory_equal(l->ids, m->ids, 37 * sizeof(int64_t));
    assert_memory_equal(l->target, m->target, 37 * sizeof(double));
    assert_memory_equal(l->values, m->values, 37 * 5 * sizeof(double));
    assert_true(isinf(feat_col(l, 0)[1]) && feat_col(l, 0)[2] < 0);
    assert_true(((uintptr_t)l->values) % 64 == 0);
    feat_matrix_free(l);
    feat_matrix_free(m);
}

static void test_empty_matrix(void **state)
{
    char p[128];
    cs_err err = {0};
    feat_matrix *m = feat_matrix_create(0, 0, NULL), *l;
    (void)state;
    path_of(p, "empty.csf");
    assert_int_equal(feat_file_write(m, p, &err), CS_OK);
    l = feat_file_load(p, &err);
    assert_non_null(l);
    assert_int_equal(l->n_rows, 0);
    feat_matrix_free(l);
    feat_matrix_free(m);
}

static void test_truncated_refused(void **state)
{
    char p[128];
    cs_err err = {0};
    feat_matrix *m = make(20, 3);
    (void)state;
    path_of(p, "t.csf");
    assert_int_equal(feat_file_write(m, p, &err), CS_OK);
    assert_int_equal(truncate(p, 300), 0);
    assert_null(feat_file_load(p, &err));
    assert_int_equal(err.code, CS_ECORRUPT);
    assert_non_null(strstr(err.msg, "truncated"));
    assert_non_null(strstr(err.msg, p));
    assert_int_equal(truncate(p, 10), 0);
    assert_null(feat_file_load(p, &err));
    assert_int_equal(err.code, CS_ECORRUPT);
    feat_matrix_free(m);
}

static void flip_byte(const char *p, long off)
{
    FILE *f = fopen(p, "r+b");
    int c;
    assert_non_null(f);
    fseek(f, off, SEEK_SET);
    c = fgetc(f);
    fseek(f, off, SEEK_SET);
    fputc(c ^ 0x10, f);
    fclose(f);
}

static void test_flipped_byte_refused(void **state)
{
    char p[128];
    cs_err err = {0};
    feat_matrix *m = make(20, 3);
    (void)state;
    path_of(p, "f.csf");
    assert_int_equal(feat_file_write(m, p, &err), CS_OK);
    flip_byte(p, 700); /* inside the values */
    assert_null(feat_file_load(p, &err));
    assert_int_equal(err.code, CS_ECORRUPT);
    assert_non_null(strstr(err.msg, "checksum"));
    /* a flipped byte in the magic */
    assert_int_equal(feat_file_write(m, p, &err), CS_OK);
    flip_byte(p, 1);
    assert_null(feat_file_load(p, &err));
    assert_non_null(strstr(err.msg, "magic"));
    /* a flipped byte in a size of the header */
    assert_int_equal(feat_file_write(m, p, &err), CS_OK);
    flip_byte(p, 16);
    assert_null(feat_file_load(p, &err));
    assert_int_equal(err.code, CS_ECORRUPT);
    feat_matrix_free(m);
}

static void test_newer_version_refused(void **state)
{
    char p[128];
    cs_err err = {0};
    feat_matrix *m = make(4, 2);
    uint32_t v = FEAT_FILE_VERSION + 1;
    FILE *f;
    (void)state;
    path_of(p, "v.csf");
    assert_int_equal(feat_file_write(m, p, &err), CS_OK);
    f = fopen(p, "r+b");
    fseek(f, 8, SEEK_SET);
    fwrite(&v, 4, 1, f);
    fclose(f);
    assert_null(feat_file_load(p, &err));
    assert_int_equal(err.code, CS_EVERSION);
    assert_non_null(strstr(err.msg, "newer"));
    feat_matrix_free(m);
}

/* Issue #21: one flipped byte anywhere (header, names, ids, targets, values, checksums,
 * padding) is refused; before, a byte of the header went unseen (every client id shifted,
 * predict exited 0). With FEAT_OPEN_LAZY a flipped value is found by the column check. */
static void test_every_byte_checked(void **state)
{
    char p[128];
    cs_err err = {0};
    feat_matrix *m = make(20, 3), *l;
    long size;
    FILE *f;
    (void)state;
    path_of(p, "b.csf");
    assert_int_equal(feat_file_write(m, p, &err), CS_OK);
    f = fopen(p, "rb");
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fclose(f);
    for (long off = 0; off < size; off++) {
        int lazy_found = 0;
        flip_byte(p, off);
        l = feat_file_load(p, &err);
        if (l) {
            print_error("a flipped byte at offset %ld of %ld went unseen\n", off, size);
            feat_matrix_free(l);
            fail();
        }
        l = feat_file_open(p, FEAT_OPEN_LAZY, &err);
        if (l) {
            for (size_t j = 0; j < l->n_feats; j++)
                if (feat_file_check_col(l, j, p, &err)) {
                    assert_int_equal(err.code, CS_ECORRUPT);
                    assert_non_null(strstr(err.msg, l->names[j]));
                    lazy_found = 1;
                }
            feat_matrix_free(l);
            if (!lazy_found) {
                print_error("lazy open: a flipped byte at offset %ld went unseen\n", off);
                fail();
            }
        }
        flip_byte(p, off); /* back */
    }
    l = feat_file_open(p, FEAT_OPEN_LAZY, &err);
    assert_non_null(l);
    for (size_t j = 0; j < l->n_feats; j++) assert_int_equal(feat_file_check_col(l, j, p, &err), CS_OK);
    assert_true(l->ids[5] == m->ids[5] && l->values[2 * 20 + 7] == m->values[2 * 20 + 7]);
    feat_matrix_free(l);
    feat_matrix_free(m);
}

/* A format-1 file (its header was outside the checksum) is refused, saying what to do. */
static void test_format1_refused(void **state)
{
    char p[128];
    cs_err err = {0};
    feat_matrix *m = make(4, 2);
    uint32_t v = 1;
    FILE *f;
    (void)state;
    path_of(p, "v1.csf");
    assert_int_equal(feat_file_write(m, p, &err), CS_OK);
    f = fopen(p, "r+b");
    fseek(f, 8, SEEK_SET);
    fwrite(&v, 4, 1, f);
    fclose(f);
    assert_null(feat_file_load(p, &err));
    assert_int_equal(err.code, CS_EVERSION);
    assert_non_null(strstr(err.msg, "format 1"));
    assert_non_null(strstr(err.msg, "rebuild it with creditscore features"));
    feat_matrix_free(m);
}

static void test_missing_file(void **state)
{
    cs_err err = {0};
    (void)state;
    assert_null(feat_file_load("/nonexistent/x.csf", &err));
    assert_int_equal(err.code, CS_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/x.csf"));
}

static void test_csv(void **state)
{
    char p[128], line[4096];
    cs_err err = {0};
    feat_matrix *m = make(3, 3);
    FILE *f;
    (void)state;
    m->values[3] = 0.1;
    path_of(p, "m.csv");
    assert_int_equal(feat_file_write_csv(m, p, &err), CS_OK);
    f = fopen(p, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "SK_ID_CURR,TARGET,F0,\"NAME_TYPE_SUITE_Spouse, partner\",F2\n");
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "100000,0,,0.1,2000000\n");
    for (int i = 1; i <= 2; i++) { /* full precision: every value reads back exactly */
        char *p2, *end;
        assert_non_null(fgets(line, sizeof line, f));
        assert_int_equal(strtol(line, &p2, 10), 100000 + i);
        p2 = strchr(p2 + 1, ',');
        assert_string_equal(p2 + 1 == strstr(p2 + 1, i == 1 ? "inf," : "-inf,") ? "y" : "n", "y");
        p2 = strchr(p2 + 1, ',');
        for (int j = 1; j <= 2; j++) {
            double v = strtod(p2 + 1, &end);
            assert_true(v == m->values[j * 3 + i]);
            p2 = end;
        }
    }
    fclose(f);
    feat_matrix_free(m);
}

static int count_files(void)
{
    char cmd[128];
    FILE *p;
    int n = -1;
    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
    p = popen(cmd, "r");
    if (p && fscanf(p, "%d", &n) != 1) n = -1;
    if (p) pclose(p);
    return n;
}

static void test_create_in_place(void **state)
{
    char p[128];
    cs_err err = {0};
    feat_matrix *ref = make(50, 4), *w, *l;
    int before;
    (void)state;
    path_of(p, "inplace.csf");
    before = count_files();
    w = feat_file_create(p, 50, 4, (const char *const *)ref->names, &err);
    assert_non_null(w);
    memcpy(w->ids, ref->ids, 50 * sizeof *w->ids);
    memcpy(w->target, ref->target, 50 * sizeof *w->target);
    memcpy(w->values, ref->values, 200 * sizeof *w->values);
    assert_null(feat_file_load(p, &err)); /* not there before the commit */
    assert_int_equal(feat_file_commit(w, &err), CS_OK);
    assert_string_equal(w->names[1], "NAME_TYPE_SUITE_Spouse, partner");
    l = feat_file_load(p, &err);
    assert_non_null(l);
    assert_memory_equal(l->values, ref->values, 200 * sizeof(double));
    assert_memory_equal(l->ids, ref->ids, 50 * sizeof(int64_t));
    feat_matrix_free(l);
    feat_matrix_free(w);
    assert_int_equal(count_files(), before + 1);
    /* freed without a commit: nothing is left behind */
    path_of(p, "abandoned.csf");
    w = feat_file_create(p, 50, 4, (const char *const *)ref->names, &err);
    assert_non_null(w);
    assert_int_equal(count_files(), before + 2); /* the temporary file */
    feat_matrix_free(w);
    assert_int_equal(count_files(), before + 1);
    assert_int_equal(feat_file_commit(ref, &err), CS_EINVAL);
    assert_null(feat_file_create("/nonexistent/dir/x.csf", 2, 4, (const char *const *)ref->names, &err));
    assert_int_equal(err.code, CS_EIO);
    feat_matrix_free(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_defaults),     cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_empty_matrix),        cmocka_unit_test(test_truncated_refused),
        cmocka_unit_test(test_flipped_byte_refused), cmocka_unit_test(test_newer_version_refused),
        cmocka_unit_test(test_missing_file),        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_create_in_place),     cmocka_unit_test(test_every_byte_checked),
        cmocka_unit_test(test_format1_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
