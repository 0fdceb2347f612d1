/*
 * test_base_sha256.c: SHA-256 and HMAC-SHA256 against the published test vectors
 * (FIPS 180-4 examples, RFC 4231).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/sha256.h"

static void _hex_of(const void *data, size_t len, char *hex)
{
    unsigned char d[CS_SHA256_LEN];
    cs_sha256_digest(data, len, d);
    cs_sha256_hex(d, hex);
}

static void test_sha256_vectors(void **state)
{
    char hex[65];
    (void)state;
    _hex_of("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    _hex_of("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    _hex_of(m, strlen(m), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_sha256_incremental(void **state)
{
    /* one million 'a' fed in odd-sized pieces */
    char chunk[997];
    cs_sha256 c;
    unsigned char d[CS_SHA256_LEN];
    char hex[65];
    size_t left = 1000000;
    (void)state;
    memset(chunk, 'a', sizeof chunk);
    cs_sha256_init(&c);
    while (left) {
        size_t n = left < sizeof chunk ? left : sizeof chunk;
        cs_sha256_update(&c, chunk, n);
        left -= n;
    }
    cs_sha256_final(&c, d);
    cs_sha256_hex(d, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_hmac_rfc4231(void **state)
{
    unsigned char key[20], d[CS_SHA256_LEN];
    unsigned char key131[131];
    char hex[65];
    const char *big = "Test Using Larger Than Block-Size Key - Hash Key First";
    (void)state;
    memset(key, 0x0b, sizeof key);
    cs_hmac_sha256(key, sizeof key, "Hi There", 8, d);
    cs_sha256_hex(d, hex);
    assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    cs_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d);
    cs_sha256_hex(d, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(key131, 0xaa, sizeof key131);
    cs_hmac_sha256(key131, sizeof key131, big, strlen(big), d);
    cs_sha256_hex(d, hex);
    assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_const_time_eq(void **state)
{
    (void)state;
    assert_true(cs_const_time_eq("abcd", "abcd", 4));
    assert_false(cs_const_time_eq("abcd", "abce", 4));
    assert_true(cs_const_time_eq("", "", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_sha256_incremental),
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_const_time_eq),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
