/*
 * test_base.c: unit tests of src/base: errors, buffers, number formatting, the RNG, hashing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cs.h"

static void test_err_set_and_prefix(void **state)
{
    cs_err err = {0};
    (void)state;
    assert_int_equal(cs_err_set(&err, CS_EPARSE, "line %d: bad", 7), CS_EPARSE);
    assert_string_equal(err.msg, "line 7: bad");
    cs_err_prefix(&err, "%s: ", "file.csv");
    assert_string_equal(err.msg, "file.csv: line 7: bad");
    assert_int_equal(err.code, CS_EPARSE);
    cs_err_clear(&err);
    assert_int_equal(err.code, CS_OK);
    assert_string_equal(err.msg, "");
    assert_int_equal(cs_err_set(NULL, CS_EIO, "x"), CS_EIO);   /* NULL err is allowed */
    assert_string_equal(cs_status_str(CS_ENOMEM), "out of memory");
}

static void test_err_prefix_truncates(void **state)
{
    cs_err err = {0};
    char big[600];
    (void)state;
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cs_err_set(&err, CS_EIO, "%s", big);
    cs_err_prefix(&err, "p: ");
    assert_int_equal(strlen(err.msg), CS_ERR_MSG_MAX - 1);
    assert_memory_equal(err.msg, "p: aaa", 6);
}

static void test_buf(void **state)
{
    cs_buf b = {0};
    char *s;
    (void)state;
    for (int i = 0; i < 1000; i++) assert_int_equal(cs_buf_printf(&b, NULL, "%d,", i % 10), CS_OK);
    assert_int_equal(b.len, 2000);
    assert_memory_equal(b.data, "0,1,2,", 6);
    s = cs_buf_take(&b);
    assert_null(b.data);
    assert_int_equal(strlen(s), 2000);
    free(s);
    cs_buf_free(&b);
}

/* cs_csv_field: plain text as it is; a comma, a quote or a line end quoted, quotes doubled */
static void test_csv_field(void **state)
{
    (void)state;
    static const char *const in[] = {"SK_ID_CURR", "", "a,b", "say \"hi\"", "two\nlines", "cr\r", "\""};
    static const char *const want[] = {"SK_ID_CURR", "", "\"a,b\"", "\"say \"\"hi\"\"\"", "\"two\nlines\"",
                                       "\"cr\r\"", "\"\"\"\""};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        assert_non_null(f);
        cs_csv_field(f, in[i]);
        fclose(f);
        assert_string_equal(out, want[i]);
        free(out);
    }
}

static void test_fmt_double_round_trips(void **state)
{
    char out[32];
    double vals[] = {0.0830369673913225, 202500.0, -9461, 0.1, 1.0 / 3.0, 1e-300, -2.5e17};
    (void)state;
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        cs_fmt_double(out, sizeof out, vals[i]);
        assert_true(strtod(out, NULL) == vals[i]);
    }
    cs_fmt_double(out, sizeof out, 0.1);
    assert_string_equal(out, "0.1");
    cs_fmt_double(out, sizeof out, NAN);
    assert_string_equal(out, "nan");
    cs_fmt_double(out, sizeof out, -INFINITY);
    assert_string_equal(out, "-inf");
}

static void test_rng_deterministic_and_uniform(void **state)
{
    cs_rng a, b;
    double sum = 0, sumsq = 0;
    int counts[10] = {0};
    (void)state;
    cs_rng_seed(&a, 42);
    cs_rng_seed(&b, 42);
    for (int i = 0; i < 100; i++) assert_true(cs_rng_u64(&a) == cs_rng_u64(&b));
    cs_rng_seed(&b, 43);
    assert_false(cs_rng_u64(&a) == cs_rng_u64(&b));
    for (int i = 0; i < 100000; i++) {
        double u = cs_rng_uniform(&a);
        assert_true(u >= 0 && u < 1);
        counts[(int)(u * 10)]++;
        assert_true(cs_rng_below(&a, 7) < 7);
        double z = cs_rng_normal(&a);
        sum += z;
        sumsq += z * z;
    }
    for (int k = 0; k < 10; k++) assert_in_range(counts[k], 9500, 10500);
    assert_true(fabs(sum / 100000) < 0.02);
    assert_true(fabs(sumsq / 100000 - 1) < 0.03);
}

static void test_hash(void **state)
{
    char data[1000];
    uint64_t h1, h2;
    (void)state;
    for (size_t i = 0; i < sizeof data; i++) data[i] = (char)(i * 7);
    h1 = cs_hash64(data, sizeof data, 0);
    h2 = cs_hash64(data, sizeof data, 0);
    assert_true(h1 == h2);
    data[500] ^= 1;         /* one flipped bit changes the hash */
    assert_false(h1 == cs_hash64(data, sizeof data, 0));
    assert_false(cs_hash64(data, 10, 0) == cs_hash64(data, 11, 0));
    assert_false(cs_hash64("", 0, 0) == cs_hash64("", 0, 1));
}

/* cs_hash64 is the checksum written into every feature file: its values are fixed (the
 * empty input is XXH64's own), and the hash taken in pieces equals it for every split, as
 * cs_hash64_many's of several buffers does */
static void test_hash_pieces(void **state)
{
    static const struct {
        size_t len;
        uint64_t h;
    } gold[] = {{0, 0xef46db3751d8e999ull},  {1, 0xe934a84adb052768ull},  {7, 0xbc77084adcf450b5ull},
                {8, 0x87116b3365b924ebull},  {31, 0x67d97f17811c3608ull}, {32, 0x91b0cb0931a8c629ull},
                {33, 0x931b043cf8d65b94ull}, {63, 0xe112d9fc8168dcd3ull}, {64, 0xbf3052e3445775d0ull},
                {65, 0xed65e3510df3611dull}, {100, 0x97d08b62eeda946cull}};
    char data[1000];
    (void)state;
    for (size_t i = 0; i < sizeof data; i++) data[i] = (char)(i * 7);
    for (size_t k = 0; k < sizeof gold / sizeof *gold; k++) assert_true(cs_hash64(data, gold[k].len, 0) == gold[k].h);
    assert_true(cs_hash64(data, 1000, 5) == 0x7c56bdf2c5d636feull);
    for (size_t len = 0; len <= 300; len++)
        for (size_t cut = 0; cut <= len; cut += CS_HASH64_STRIPE) {
            cs_hash64_state s;
            size_t body = (len - cut) / CS_HASH64_STRIPE * CS_HASH64_STRIPE;
            cs_hash64_init(&s, 3);
            cs_hash64_update(&s, data, cut);              /* whole stripes, in two pieces */
            cs_hash64_update(&s, data + cut, body);
            assert_true(cs_hash64_final(&s, data + cut + body, len - cut - body) == cs_hash64(data, len, 3));
        }
    /* several buffers at once (four at a time where the processor has the vector path) */
    for (size_t len = 0; len <= 200; len += 7)
        for (size_t k = 0; k <= 9; k++) {
            const void *bufs[9];
            uint64_t got[9];
            for (size_t b = 0; b < k; b++) bufs[b] = data + 13 * b;
            cs_hash64_many(bufs, k, len, 11, got);
            for (size_t b = 0; b < k; b++) assert_true(got[b] == cs_hash64(bufs[b], len, 11));
        }
}

static void test_write_file(void **state)
{
    char dir[] = "/tmp/cs_test_write_XXXXXX", path[128], back[16] = {0};
    cs_err err = {0};
    FILE *f;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/out.txt", dir);
    assert_int_equal(cs_write_file(path, "hello", 5, &err), CS_OK);
    assert_int_equal(cs_write_file(path, "world!", 6, &err), CS_OK);   /* replaced whole */
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(back, 1, sizeof back - 1, f), 6);
    fclose(f);
    assert_string_equal(back, "world!");
    snprintf(path, sizeof path, "%s/none/out.txt", dir);
    assert_int_equal(cs_write_file(path, "x", 1, &err), CS_EIO);
    assert_non_null(strstr(err.msg, "cannot create"));
    snprintf(path, sizeof path, "%s/out.txt", dir);
    unlink(path);
    rmdir(dir);
}

/* cs_file_commit: the file replaces path whole; a stream that failed, or a rename that
 * cannot happen, is CS_EIO naming path, with path as it was and no temporary file left */
static void test_file_commit(void **state)
{
    char dir[] = "/tmp/cs_test_commit_XXXXXX", path[256], tmp[300], back[16] = {0};
    cs_err err = {0};
    FILE *f;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/out.txt", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_equal(cs_write_file(path, "earlier", 7, &err), CS_OK);
    assert_non_null(f = fopen(tmp, "w"));
    fputs("new one", f);
    assert_int_equal(cs_file_commit(f, tmp, path, &err), CS_OK);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_non_null(f = fopen(path, "rb"));
    assert_int_equal(fread(back, 1, sizeof back - 1, f), 7);
    fclose(f);
    assert_string_equal(back, "new one");
    /* a stream whose write failed (opened for reading, written to) */
    assert_non_null(f = fopen(tmp, "w"));
    fclose(f);
    assert_non_null(f = fopen(tmp, "r"));
    fputs("lost", f);
    assert_int_equal(cs_file_commit(f, tmp, path, &err), CS_EIO);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "write failed"));
    assert_int_equal(access(tmp, F_OK), -1);
    memset(back, 0, sizeof back);
    assert_non_null(f = fopen(path, "rb"));
    assert_int_equal(fread(back, 1, sizeof back - 1, f), 7);
    fclose(f);
    assert_string_equal(back, "new one");
    /* a rename into a folder that does not exist */
    snprintf(path, sizeof path, "%s/none/out.txt", dir);
    assert_non_null(f = fopen(tmp, "w"));
    fputs("x", f);
    assert_int_equal(cs_file_commit(f, tmp, path, &err), CS_EIO);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "cannot rename into place"));
    assert_int_equal(access(tmp, F_OK), -1);
    snprintf(path, sizeof path, "%s/out.txt", dir);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_set_and_prefix),
        cmocka_unit_test(test_err_prefix_truncates),
        cmocka_unit_test(test_buf),
        cmocka_unit_test(test_fmt_double_round_trips),
        cmocka_unit_test(test_csv_field),
        cmocka_unit_test(test_rng_deterministic_and_uniform),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_hash_pieces),
        cmocka_unit_test(test_write_file),
        cmocka_unit_test(test_file_commit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
