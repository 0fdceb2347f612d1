/*
 * test_io_csv.c: unit tests of the CSV reader (src/io/tbl_read.c): each format feature
 * (quotes, doubled quotes, newlines in quotes, CRLF, BOM, missing values, numbers parsed
 * exactly as strtod), each error with its line and column, schemas (types, reordered
 * columns, missing / unknown / duplicate columns), type inference, blocks and threads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/csv.h"
#include "io/hc_schema.h"
#include "io/tbl.h"

/* ---- helpers -------------------------------------------------------------------------- */

static tbl *_read(const char *text, const tbl_schema *schema, cs_err *err)
{
    return tbl_read_csv_mem("t.csv", text, strlen(text), schema, err);
}

/* Reading text must fail with a message that contains want. */
static void _expect_error(const char *text, const tbl_schema *schema, const char *want)
{
    cs_err err = {0};
    tbl *t = _read(text, schema, &err);
    if (t || !strstr(err.msg, want)) {
        print_error("text: %s\nwanted an error containing: %s\ngot: %s\n", text, want,
                    t ? "(a table)" : err.msg);
        tbl_free(t);
        fail();
    }
    assert_int_equal(err.code, CS_EPARSE);
}

static const char *_cat(const tbl_column *c, size_t row)
{
    return c->codes[row] < 0 ? NULL : c->cats[c->codes[row]];
}

static const tbl_colspec _abc_cols[] = {{"a", TBL_NUM, 1, 0}, {"b", TBL_CAT, 1, 0}, {"c", TBL_NUM, 1, 0}};
static const tbl_schema _abc = {"abc", 3, _abc_cols};

/* ---- format features ------------------------------------------------------------------ */

static void test_basic_inferred(void **state)
{
    cs_err err = {0};
    tbl *t = _read("id,name,amount\n1,x,2.5\n2,,\n3,y,-7\n", NULL, &err);
    (void)state;
    assert_non_null(t);
    assert_int_equal(t->n_rows, 3);
    assert_int_equal(t->n_cols, 3);
    assert_string_equal(t->source, "t.csv");
    assert_string_equal(t->cols[0].name, "id");
    assert_int_equal(t->cols[0].type, TBL_NUM);
    assert_int_equal(t->cols[1].type, TBL_CAT);
    assert_int_equal(t->cols[2].type, TBL_NUM);
    assert_true(t->cols[0].num[2] == 3.0);
    assert_string_equal(_cat(&t->cols[1], 0), "x");
    assert_null(_cat(&t->cols[1], 1));
    assert_int_equal(t->cols[1].n_cats, 2);
    assert_true(isnan(t->cols[2].num[1]));
    assert_true(t->cols[2].num[2] == -7.0);
    assert_int_equal(tbl_col_index(t, "amount"), 2);
    assert_int_equal(tbl_col_index(t, "nope"), -1);
    assert_ptr_equal(tbl_col(t, "name"), &t->cols[1]);
    assert_null(tbl_col(t, "nope"));
    tbl_free(t);
    tbl_free(NULL);
}

static void test_quotes(void **state)
{
    cs_err err = {0};
    const char *text = "a,b,c\n"
                       "1,\"Stone, brick\",2\n"
                       "2,\"say \"\"hi\"\", ok\",3\n"
                       "3,\"two\nlines\",4\n"
                       "4,\"\",5\n"
                       "\"5\",plain,\"6.5\"\n";
    tbl *t = _read(text, &_abc, &err);
    (void)state;
    assert_non_null(t);
    assert_int_equal(t->n_rows, 5);
    assert_string_equal(_cat(&t->cols[1], 0), "Stone, brick");
    assert_string_equal(_cat(&t->cols[1], 1), "say \"hi\", ok");
    assert_string_equal(_cat(&t->cols[1], 2), "two\nlines");
    assert_null(_cat(&t->cols[1], 3));            /* "" is missing */
    assert_string_equal(_cat(&t->cols[1], 4), "plain");
    assert_true(t->cols[0].num[4] == 5.0);       /* a quoted number is a number */
    assert_true(t->cols[2].num[4] == 6.5);
    tbl_free(t);
}

static void test_crlf_bom_no_final_newline(void **state)
{
    cs_err err = {0};
    tbl *t = _read("\xEF\xBB\xBF" "a,b,c\r\n1,x,2\r\n3,\"y\r\nz\",4", &_abc, &err);
    (void)state;
    assert_non_null(t);
    assert_int_equal(t->n_rows, 2);
    assert_string_equal(t->cols[0].name, "a");   /* the BOM is not part of the name */
    assert_true(t->cols[2].num[0] == 2.0);       /* no CR left on the last field */
    assert_string_equal(_cat(&t->cols[1], 1), "y\r\nz");
    assert_true(t->cols[2].num[1] == 4.0);
    tbl_free(t);
}

static void test_header_only_and_trailing_empty_field(void **state)
{
    cs_err err = {0};
    tbl *t = _read("a,b,c\n", &_abc, &err);
    (void)state;
    assert_non_null(t);
    assert_int_equal(t->n_rows, 0);
    assert_int_equal(t->n_cols, 3);
    tbl_free(t);
    t = _read("a,b,c\n1,x,\n", &_abc, &err);
    assert_non_null(t);
    assert_true(isnan(t->cols[2].num[0]));
    tbl_free(t);
}

static void test_categories_first_appearance(void **state)
{
    cs_err err = {0};
    tbl *t = _read("a,b,c\n1,z,0\n2,a,0\n3,z,0\n4,m,0\n5,a,0\n", &_abc, &err);
    (void)state;
    assert_non_null(t);
    assert_int_equal(t->cols[1].n_cats, 3);
    assert_string_equal(t->cols[1].cats[0], "z");
    assert_string_equal(t->cols[1].cats[1], "a");
    assert_string_equal(t->cols[1].cats[2], "m");
    assert_int_equal(t->cols[1].codes[4], 1);
    tbl_free(t);
}

/* ---- numbers --------------------------------------------------------------------------- */

static void _same_as_strtod(const char *s)
{
    double got = 0, want = strtod(s, NULL);
    locale_t loc = csv_locale_new(NULL);
    assert_int_equal(csv_parse_double(s, strlen(s), loc, &got), 0);
    csv_locale_free(loc);
    if (isnan(want)) {
        assert_true(isnan(got));
        return;
    }
    if (memcmp(&got, &want, sizeof got)) {
        print_error("'%s': got %.17g, strtod gives %.17g\n", s, got, want);
        fail();
    }
}

static void test_numbers_exact(void **state)
{
    const char *fixed[] = {"-9461", "202500.0", "0.0830369673913225", "0", "-0", "0.0", "1e22", "1e23",
                           "9007199254740993", "9007199254740992", "123456789012345678901234567890",
                           "0.1", "0.3", "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308",
                           "1e400", "-1e400", "1e-400", ".5", "5.", "+3", "1E5", "1e+05", "1.5e-7",
                           "0.000000000000000000000000001", "365243", "-0.0", "00012", "inf", "-inf",
                           "INF", "Infinity", "nan", "NaN", "-nan", "0x1p3", "3.14159265358979323846"};
    cs_rng rng;
    char buf[64];
    (void)state;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) _same_as_strtod(fixed[i]);
    cs_rng_seed(&rng, 42);
    for (int i = 0; i < 20000; i++) {
        uint64_t bits = cs_rng_u64(&rng);
        double v;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v)) continue;
        snprintf(buf, sizeof buf, "%.17g", v);
        _same_as_strtod(buf);
        snprintf(buf, sizeof buf, "%.*g", 1 + (int)cs_rng_below(&rng, 17), v);
        _same_as_strtod(buf);
        /* the usual shapes of the data: integers and short decimals */
        snprintf(buf, sizeof buf, "%" PRId64, (int64_t)(bits % 2000000001) - 1000000000);
        _same_as_strtod(buf);
        snprintf(buf, sizeof buf, "%.*f", (int)cs_rng_below(&rng, 19), cs_rng_uniform(&rng) * 1e6 - 5e5);
        _same_as_strtod(buf);
    }
}

static void test_numbers_rejected(void **state)
{
    const char *bad[] = {"", "-", ".", "e5", "1e", "1.2.3", "12abc", "abc", "1,5", "--1", "1e+", "0x", "nanx"};
    locale_t loc = csv_locale_new(NULL);
    double v;
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (csv_parse_double(bad[i], strlen(bad[i]), loc, &v) == 0) {
            print_error("'%s' was accepted as %.17g\n", bad[i], v);
            fail();
        }
    }
    csv_locale_free(loc);
}

static void test_numbers_ignore_process_locale(void **state)
{
    const char *names[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", "fr_FR"};
    const char *set = NULL;
    char dir[] = "/tmp/test_io_locale_XXXXXX", cmd[256];
    int made = 0;
    cs_err err = {0};
    tbl *t;
    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !set; i++)
        set = setlocale(LC_NUMERIC, names[i]);
    if (!set && mkdtemp(dir)) {
        /* no comma-decimal locale installed: compile one from the locale sources, if any */
        made = 1;
        snprintf(cmd, sizeof cmd, "localedef -i de_DE -f UTF-8 %s/de_DE.UTF-8 >/dev/null 2>&1", dir);
        if (system(cmd) == 0) {
            setenv("LOCPATH", dir, 1);
            set = setlocale(LC_NUMERIC, "de_DE.UTF-8");
        }
    }
    if (set) {
        /* the process locale really reads "0.5" differently now */
        assert_string_equal(localeconv()->decimal_point, ",");
        assert_true(strtod("0.5", NULL) == 0.0);
    } else {
        printf("note - no comma-decimal locale available; the reader is checked in the C locale only\n");
    }
    /* a '.' number must read the same whatever the process locale (values past the fast
     * path go through strtod_l with our own C locale) */
    t = _read("x\n0.1000000000000000055511151231257827\n1.5e300\n", NULL, &err);
    setlocale(LC_NUMERIC, "C");
    unsetenv("LOCPATH");
    if (made) {
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0) print_message("could not remove %s\n", dir);
    }
    assert_non_null(t);
    assert_int_equal(t->cols[0].type, TBL_NUM);
    assert_true(t->cols[0].num[0] == 0.1);
    assert_true(t->cols[0].num[1] == 1.5e300);
    tbl_free(t);
}

static void test_inf_nan_in_numeric_column(void **state)
{
    cs_err err = {0};
    tbl *t = _read("x\ninf\n-inf\nNaN\n2\n", NULL, &err);
    (void)state;
    assert_non_null(t);
    assert_int_equal(t->cols[0].type, TBL_NUM);
    assert_true(isinf(t->cols[0].num[0]) && t->cols[0].num[0] > 0);
    assert_true(isinf(t->cols[0].num[1]) && t->cols[0].num[1] < 0);
    assert_true(isnan(t->cols[0].num[2]));
    tbl_free(t);
}

/* ---- errors ----------------------------------------------------------------------------- */

static void test_error_field_count(void **state)
{
    (void)state;
    _expect_error("a,b,c\n1,x,2\n3,y\n", &_abc, "t.csv:3:4: 2 fields, the header has 3 columns");
    _expect_error("a,b,c\n1,x,2\n3,y,4,5\n", &_abc, "t.csv:3:7: more fields than the 3 columns");
    _expect_error("a,b,c\n1,x,2\n\n4,y,5\n", &_abc, "t.csv:3:1: 1 field, the header has 3");
    /* line numbers count the newlines inside quoted fields */
    _expect_error("a,b,c\n1,\"x\ny\",2\n3,y\n", &_abc, "t.csv:4:4: 2 fields");
    _expect_error("a,b,c\r\n1,x,2\r\n3,y\r\n", &_abc, "t.csv:3:4: 2 fields");
}

static void test_error_quotes(void **state)
{
    (void)state;
    _expect_error("a,b,c\n1,x,2\n3,\"unterminated,4\n5,z,6\n", &_abc, "t.csv:3:3: unterminated quoted field");
    _expect_error("a,b,c\n1,ab\"c,2\n", &_abc, "t.csv:2:5: quote inside an unquoted field");
    _expect_error("a,b,c\n1,\"ab\"c,2\n", &_abc, "t.csv:2:7: unexpected character 'c' after a closing quote");
    _expect_error("a,\"b,c\n", &_abc, "t.csv:1:3: unterminated quoted field (in the header)");
}

static void test_error_text_in_numeric(void **state)
{
    (void)state;
    _expect_error("a,b,c\n1,x,2\n3,y,abc\n", &_abc, "t.csv:3:5: text 'abc' in numeric column c");
    _expect_error("a,b,c\n1,x,2\n\"1,5\",y,3\n", &_abc, "t.csv:3:1: text '1,5' in numeric column a");
}

static void test_error_header(void **state)
{
    (void)state;
    _expect_error("a,b,b\n1,x,2\n", NULL, "t.csv:1:5: duplicate column 'b' (also column 2)");
    _expect_error("a,b\n1,x\n", &_abc, "t.csv:1:4: missing required column 'c' of the abc table");
    _expect_error("a,b,c,d\n1,x,2,3\n", &_abc, "t.csv:1:7: unknown column 'd' (not in the abc table)");
    _expect_error("", &_abc, "t.csv:1:1: empty file");
}

static void test_error_file(void **state)
{
    cs_err err = {0};
    (void)state;
    assert_null(tbl_read_csv("/nonexistent/folder/x.csv", NULL, &err));
    assert_int_equal(err.code, CS_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/folder/x.csv: cannot open"));
}

/* ---- schemas ------------------------------------------------------------------------------ */

static void test_schema_reordered_columns(void **state)
{
    cs_err err = {0};
    tbl *t = _read("c,a,b\n2.5,1,x\n", &_abc, &err);
    (void)state;
    assert_non_null(t);
    assert_string_equal(t->cols[0].name, "c");           /* file order is kept */
    assert_int_equal(t->cols[0].type, TBL_NUM);
    assert_int_equal(t->cols[2].type, TBL_CAT);
    assert_true(tbl_col(t, "c")->num[0] == 2.5);
    assert_string_equal(_cat(tbl_col(t, "b"), 0), "x");
    tbl_free(t);
}

static void test_schema_digits_stay_categories(void **state)
{
    cs_err err = {0};
    tbl *t = _read("SK_ID_BUREAU,MONTHS_BALANCE,STATUS\n5715448,0,C\n5715448,-1,0\n5715448,-2,X\n5715449,0,1\n",
                   hc_schema(HC_BUREAU_BALANCE), &err);
    (void)state;
    assert_non_null(t);
    assert_int_equal(tbl_col(t, "STATUS")->type, TBL_CAT);
    assert_string_equal(_cat(tbl_col(t, "STATUS"), 1), "0");
    assert_int_equal(tbl_col(t, "STATUS")->n_cats, 4);
    assert_true(tbl_col(t, "MONTHS_BALANCE")->num[2] == -2.0);
    tbl_free(t);
}

static void test_hc_schemas(void **state)
{
    int n_cat = 0;
    (void)state;
    assert_int_equal(hc_schema(HC_APPLICATION_TRAIN)->n_cols, 122);
    assert_int_equal(hc_schema(HC_APPLICATION_TEST)->n_cols, 121);
    assert_string_equal(hc_schema(HC_APPLICATION_TRAIN)->cols[1].name, "TARGET");
    assert_string_equal(hc_schema(HC_APPLICATION_TEST)->cols[1].name, "NAME_CONTRACT_TYPE");
    assert_string_equal(hc_schema(HC_CREDIT_CARD_BALANCE)->cols[13].name, "AMT_RECIVABLE");
    for (int i = 0; i < HC_N_TABLES; i++) {
        const tbl_schema *s = hc_schema((hc_table)i);
        if (i == HC_APPLICATION_TEST) continue;
        for (int k = 0; k < s->n_cols; k++) n_cat += s->cols[k].type == TBL_CAT;
    }
    assert_int_equal(n_cat, 16 + 3 + 1 + 16 + 1 + 1);
    assert_int_equal(hc_table_from_file("data/full/bureau.csv"), HC_BUREAU);
    assert_int_equal(hc_table_from_file("POS_CASH_balance.csv"), HC_POS_CASH_BALANCE);
    assert_int_equal(hc_table_from_file("bureau.csv.gz"), -1);
    assert_string_equal(hc_file_name(HC_INSTALLMENTS_PAYMENTS), "installments_payments.csv");
}

/* ---- blocks and threads --------------------------------------------------------------------- */

/* A table big enough for several threads, read in tiny blocks, with categories that
 * first appear late and in different threads' rows, must equal a sequential reading. */
static void test_blocks_and_threads(void **state)
{
    cs_buf b = {0};
    cs_err err = {0};
    const size_t n = 30000;
    size_t block_sizes[] = {0, 97, 4096};
    static unsigned char seen[2][5000];
    int32_t n_distinct = 0;
    (void)state;
    for (size_t i = 0; i < n; i++) {
        unsigned char *f = &seen[i % 7 == 3][(i * 31) % 5000];
        n_distinct += !*f;
        *f = 1;
    }
    cs_buf_puts(&b, "a,b,c\n", NULL);
    for (size_t i = 0; i < n; i++) {
        if (i % 7 == 3) cs_buf_printf(&b, NULL, "%zu,\"v%zu, q\"\"x\",\n", i, (i * 31) % 5000);
        else cs_buf_printf(&b, NULL, "%zu,v%zu,%zu.25\r\n", i, (i * 31) % 5000, i);
    }
    for (size_t bs = 0; bs < sizeof block_sizes / sizeof block_sizes[0]; bs++)
        for (int threads = 1; threads <= 4; threads *= 2) {
            tbl_read_opts o = {0};
            tbl *t;
            char want[64];
            o.schema = &_abc;
            o.n_threads = threads;
            o.block_bytes = block_sizes[bs];
            t = tbl_read_csv_mem_opts("big.csv", b.data, b.len, &o, &err);
            assert_non_null(t);
            assert_int_equal(t->n_rows, n);
            assert_int_equal(t->cols[1].n_cats, n_distinct);
            for (size_t i = 0; i < n; i++) {
                assert_true(t->cols[0].num[i] == (double)i);
                if (i % 7 == 3) {
                    snprintf(want, sizeof want, "v%zu, q\"x", (i * 31) % 5000);
                    assert_true(isnan(t->cols[2].num[i]));
                } else {
                    snprintf(want, sizeof want, "v%zu", (i * 31) % 5000);
                    assert_true(t->cols[2].num[i] == (double)i + 0.25);
                }
                assert_string_equal(_cat(&t->cols[1], i), want);
            }
            /* first appearance order: code j first appears before code j + 1 */
            {
                int32_t next = 0;
                for (size_t i = 0; i < n; i++) {
                    assert_true(t->cols[1].codes[i] <= next);
                    if (t->cols[1].codes[i] == next) next++;
                }
                assert_int_equal(next, t->cols[1].n_cats);
            }
            tbl_free(t);
        }
    /* an error deep in the big table names its line whatever the blocks and threads */
    cs_buf_puts(&b, "1,x,oops\n", NULL);
    for (int threads = 1; threads <= 2; threads++) {
        tbl_read_opts o = {0};
        o.schema = &_abc;
        o.n_threads = threads;
        o.block_bytes = 1000;
        assert_null(tbl_read_csv_mem_opts("big.csv", b.data, b.len, &o, &err));
        {
            char want[64];
            snprintf(want, sizeof want, "big.csv:%zu:5: text 'oops'", n + 2);
            assert_non_null(strstr(err.msg, want));
        }
    }
    cs_buf_free(&b);
}

static void test_file_read_matches_memory(void **state)
{
    char path[] = "/tmp/test_io_csv_XXXXXX";
    const char *text = "a,b,c\n1,\"x, y\",2\n3,,4e-3\n";
    cs_err err = {0};
    int fd = mkstemp(path);
    tbl *t;
    tbl_read_opts o = {0};
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    o.block_bytes = 5;             /* forces the buffer to grow for every row */
    t = tbl_read_csv_opts(path, &o, &err);
    assert_non_null(t);
    assert_int_equal(t->n_rows, 2);
    assert_int_equal(t->cols[1].type, TBL_CAT);
    assert_string_equal(_cat(&t->cols[1], 0), "x, y");
    assert_true(t->cols[2].num[1] == 4e-3);
    assert_string_equal(t->source, path);
    tbl_free(t);
    t = tbl_read_csv(path, &_abc, &err);
    assert_non_null(t);
    assert_int_equal(t->n_rows, 2);
    tbl_free(t);
    unlink(path);
}

/* Random damage to a valid file: never a crash or a leak (run under ASan), and either a
 * table or an error that names the file, a line and a column. */
static void test_damaged_input_never_crashes(void **state)
{
    const char *good = "\xEF\xBB\xBF" "a,b,c\r\n1,\"Stone, brick\",2.5\r\n2,\"say \"\"hi\"\"\",-9461\n3,,\n4,x,1e5\n";
    const char inject[] = {'"', ',', '\n', '\r', '\0', 'x', '5', '.', 'e', '-'};
    size_t len = strlen(good) + 1;
    cs_rng rng;
    char buf[128];
    int n_ok = 0, n_err = 0;
    (void)state;
    cs_rng_seed(&rng, 2024);
    for (int trial = 0; trial < 20000; trial++) {
        size_t n = len - 1;
        cs_err err = {0};
        tbl *t;
        memcpy(buf, good, len);
        for (int m = 0, nm = 1 + (int)cs_rng_below(&rng, 3); m < nm; m++) {
            size_t at = cs_rng_below(&rng, n);
            int op = (int)cs_rng_below(&rng, 3);
            if (op == 0) buf[at] = inject[cs_rng_below(&rng, sizeof inject)];
            else if (op == 1 && n + 1 < sizeof buf) {
                memmove(buf + at + 1, buf + at, n - at);
                buf[at] = inject[cs_rng_below(&rng, sizeof inject)];
                n++;
            } else if (n > 1) {
                memmove(buf + at, buf + at + 1, n - at - 1);
                n--;
            }
        }
        t = tbl_read_csv_mem_opts("d.csv", buf, n,
                                  &(tbl_read_opts){.schema = trial % 2 ? &_abc : NULL,
                                                   .block_bytes = trial % 3 ? 0 : 7},
                                  &err);
        if (t) {
            n_ok++;
            tbl_free(t);
        } else {
            n_err++;
            if (strncmp(err.msg, "d.csv:", 6) || err.code != CS_EPARSE) {
                print_error("unexpected error: %s\n", err.msg);
                fail();
            }
        }
    }
    assert_true(n_ok > 100 && n_err > 100);
}

/* A wide file (header of 50,000 columns, one row): every column read with its value, a
 * duplicate name found at its place however far from the first, and a schema's known and
 * unknown columns told apart (the header is checked through dictionaries, not by comparing
 * every pair of names; the time is in bench/bench_reader.sh, not here). */
static void test_wide_header(void **state)
{
    const int n = 50000;
    cs_buf b = {0};
    cs_err err = {0};
    tbl *t;
    char num[32];
    (void)state;
    for (int j = 0; j < n; j++) {
        snprintf(num, sizeof num, "%sc%d", j ? "," : "", j);
        assert_int_equal(cs_buf_append(&b, num, strlen(num), NULL), CS_OK);
    }
    assert_int_equal(cs_buf_append(&b, "\n", 1, NULL), CS_OK);
    for (int j = 0; j < n; j++) {
        snprintf(num, sizeof num, "%s%d", j ? "," : "", j % 1000);
        assert_int_equal(cs_buf_append(&b, num, strlen(num), NULL), CS_OK);
    }
    assert_int_equal(cs_buf_append(&b, "\n", 1, NULL), CS_OK);
    t = tbl_read_csv_mem("w.csv", b.data, b.len, NULL, &err);
    assert_non_null(t);
    assert_int_equal(t->n_cols, n);
    assert_int_equal(t->n_rows, 1);
    assert_string_equal(t->cols[n - 1].name, "c49999");
    assert_true(t->cols[n - 1].num[0] == 999);
    assert_true(t->cols[12345].num[0] == 345);
    tbl_free(t);

    /* the last name repeats the 7th: the error names both places */
    b.len = 0;
    for (int j = 0; j < n; j++) {
        snprintf(num, sizeof num, "%sc%d", j ? "," : "", j == n - 1 ? 6 : j);
        assert_int_equal(cs_buf_append(&b, num, strlen(num), NULL), CS_OK);
    }
    assert_int_equal(cs_buf_append(&b, "\n", 1, NULL), CS_OK);
    t = tbl_read_csv_mem("w.csv", b.data, b.len, NULL, &err);
    assert_null(t);
    assert_non_null(strstr(err.msg, "duplicate column 'c6' (also column 7)"));
    assert_non_null(strstr(err.msg, "w.csv:1:"));
    cs_buf_free(&b);
}

/* Ids: whole numbers within 2^53 only, whatever their spelling; never rounded. */
static void test_whole_ids(void **state)
{
    static const struct { const char *s; int ok; double v; } cases[] = {
        {"100002", 1, 100002}, {"100002.0", 1, 100002}, {"-5", 1, -5}, {"0.000", 1, 0},
        {"1e+15", 1, 1e15}, {"1.5e3", 1, 1500}, {"9007199254740992", 1, 9007199254740992.0},
        {"100002.7", 0, 0}, {"9007199254740993", 0, 0}, {"99999999999999999999999999", 0, 0},
        {"1e16", 0, 0}, {"1e-1", 0, 0}, {"1.00000000000000001e15", 0, 0}, {" 1", 0, 0},
        {"+1", 0, 0}, {"1e", 0, 0}, {"", 0, 0}, {"-", 0, 0}, {"12a", 0, 0}, {"nan", 0, 0}, {"inf", 0, 0}};
    static const tbl_colspec cols[] = {{"id", TBL_NUM, 1, 1}, {"x", TBL_NUM, 1, 0}};
    static const tbl_schema sch = {"ids", 2, cols};
    cs_err err = {0};
    tbl *t;
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double v = -1;
        const char *why = NULL;
        int r = csv_parse_whole(cases[i].s, strlen(cases[i].s), &v, &why);
        if ((r == 0) != cases[i].ok || (r == 0 && v != cases[i].v)) {
            print_error("'%s': got %d (%.17g, %s)\n", cases[i].s, r, v, why ? why : "");
            fail();
        }
        if (r) assert_non_null(why);
    }
    /* the reader: an id column refuses what a numeric column takes, with where */
    _expect_error("id,x\n1,2\n100002.7,3\n", &sch, "t.csv:3:1: '100002.7' in id column id: not a whole number");
    _expect_error("id,x\n9007199254740993,3\n", &sch, "t.csv:2:1: '9007199254740993' in id column id: beyond 2^53");
    t = _read("id,x\n100002.0,100002.7\n,1\n", &sch, &err);
    assert_non_null(t);
    assert_true(t->cols[0].num[0] == 100002 && t->cols[1].num[0] == 100002.7 && isnan(t->cols[0].num[1]));
    tbl_free(t);
    /* the row builder (one applicant's records) says the same */
    {
        tbl_builder *b = tbl_builder_create("rec", &sch, &err);
        const char *row[2] = {"100002.7", "1"};
        assert_non_null(b);
        assert_int_equal(tbl_builder_add_row(b, row, &err), CS_EPARSE);
        assert_non_null(strstr(err.msg, "'100002.7' in id column id: not a whole number"));
        tbl_builder_free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_inferred),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_crlf_bom_no_final_newline),
        cmocka_unit_test(test_header_only_and_trailing_empty_field),
        cmocka_unit_test(test_categories_first_appearance),
        cmocka_unit_test(test_numbers_exact),
        cmocka_unit_test(test_numbers_rejected),
        cmocka_unit_test(test_numbers_ignore_process_locale),
        cmocka_unit_test(test_inf_nan_in_numeric_column),
        cmocka_unit_test(test_error_field_count),
        cmocka_unit_test(test_error_quotes),
        cmocka_unit_test(test_error_text_in_numeric),
        cmocka_unit_test(test_error_header),
        cmocka_unit_test(test_wide_header),
        cmocka_unit_test(test_whole_ids),
        cmocka_unit_test(test_error_file),
        cmocka_unit_test(test_schema_reordered_columns),
        cmocka_unit_test(test_schema_digits_stay_categories),
        cmocka_unit_test(test_hc_schemas),
        cmocka_unit_test(test_blocks_and_threads),
        cmocka_unit_test(test_file_read_matches_memory),
        cmocka_unit_test(test_damaged_input_never_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
