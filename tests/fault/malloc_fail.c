/*
 * malloc_fail.c: the library's parsers under allocation failure, as SQLite's test suite
 * does it: each parser runs once on an input to count its allocations (K), then once for
 * every N = 1..K with the N-th allocation failing. The promise for each N:
 *   - no crash, no sanitizer report (the harness is built with ASan + UBSan, LeakSanitizer
 *     at exit);
 *   - a clean error: the parser returns its failure with a message (err->code set, a
 *     non-empty msg; the HTTP head parser a refusal with a status; the API's request parser
 *     a status of 500 or more, never a 400 blaming the client for the server's memory);
 *   - no leak: the bytes allocated after the result is freed are the bytes before the call
 *     (ASan's allocator counts every allocation of the process, libc's and cJSON's too);
 *   - or, when the parser got past the failed allocation without it, the same answer as
 *     with no failure (a caller must never see a different result).
 * The allocations failed are the library's own: the harness is linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup,
 * --wrap=vasprintf, which routes the library objects' calls through the __wrap_ functions
 * below, and cJSON's through cJSON_InitHooks.
 *
 *   malloc_fail KIND FILE...    KIND: csv, recipe, request, featfile, model, http
 * Prints one line per file (K, failures refused, tolerated) and one per broken promise;
 * exits 1 when any promise broke. MALLOC_FAIL_POINTS=P tests P values of N spread evenly
 * over 1..K per file, the first and the last included (unset or 0: every N; make test
 * uses a few hundred, make fuzz all); MALLOC_FAIL_ONLY=N runs that N alone and MALLOC_FAIL_TRACE=1 prints the stack of the
 * allocation failed (to find the code behind a broken promise).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "features/featfile.h"
#include "http/http.h"
#include "io/hc_schema.h"
#include "io/tbl.h"
#include "model/model.h"
#include "recipe/recipe.h"
#include "serve/json.h"
#include "serve/request.h"

/* ASan's allocator statistics (sanitizer/allocator_interface.h, which gcc does not always
 * install): the bytes allocated now, by the whole process */
size_t __sanitizer_get_current_allocated_bytes(void);

/* ---- the interposer --------------------------------------------------------------- */

static atomic_long _calls;
static long _fail_at;           /* 0: count only */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_vasprintf(char **out, const char *fmt, va_list ap);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_vasprintf(char **out, const char *fmt, va_list ap);

void __sanitizer_print_stack_trace(void);
static long _only;              /* MALLOC_FAIL_ONLY=N */
static int _trace;              /* MALLOC_FAIL_TRACE=1: the stack of each failed allocation */

static int _hit(void)
{
    long n = atomic_fetch_add(&_calls, 1) + 1;
    if (_fail_at > 0 && n == _fail_at) {
        if (_trace) __sanitizer_print_stack_trace();
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n)
{
    if (_hit()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (_hit()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    if (_hit()) {       /* p stays allocated, as realloc leaves it */
        errno = ENOMEM;
        return NULL;
    }
    return __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    if (_hit()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    if (_hit()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_strndup(s, n);
}

int __wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
    if (_hit()) {
        errno = ENOMEM;
        return -1;
    }
    return __real_vasprintf(out, fmt, ap);
}

static void _cjson_free(void *p)
{
    free(p);
}

/* ---- the parsers, one outcome each ------------------------------------------------ */

/* What one run gave: ok, or refused (with a message); sig sums up a success's result, so
 * that a success past a failed allocation can be compared with the run without one. */
typedef struct outcome {
    int ok;
    char msg[600];
    uint64_t sig;
} outcome;

static uint64_t _mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

static const char *_kind;
static const char *_path;
static const char *_data;
static size_t _len;
static char _tmp[4096];         /* featfile: the input written to a file (in $TMPDIR) */

static void _fill_err(outcome *o, const cs_err *err)
{
    if (err->code == CS_OK || !err->msg[0]) snprintf(o->msg, sizeof o->msg, "(refused without a message)");
    else snprintf(o->msg, sizeof o->msg, "%s", err->msg);
}

static void _run_csv(outcome *o, int variant)
{
    tbl_read_opts opts = {0};
    cs_err err = {0};
    tbl *t;
    opts.n_threads = 1;
    opts.block_bytes = variant ? 7 : 0;     /* small blocks: the block carry-over paths too */
    opts.schema = strstr(_path, "bureau_balance") || strstr(_path, "bb_schema") ? hc_schema(HC_BUREAU_BALANCE) : NULL;
    t = tbl_read_csv_mem_opts("f.csv", _data, _len, &opts, &err);
    if (!t) {
        _fill_err(o, &err);
        return;
    }
    o->ok = 1;
    o->sig = _mix(0, &t->n_rows, sizeof t->n_rows);
    for (int k = 0; k < t->n_cols; k++) {
        const tbl_column *c = &t->cols[k];
        o->sig = _mix(o->sig, c->name, strlen(c->name));
        if (c->type == TBL_CAT) o->sig = _mix(o->sig, c->codes, t->n_rows * sizeof *c->codes);
        else if (c->type == TBL_NUM) o->sig = _mix(o->sig, c->num, t->n_rows * sizeof *c->num);
    }
    tbl_free(t);
}

static void _run_recipe(outcome *o)
{
    cs_err err = {0};
    rcp_recipe *r = rcp_parse_string("f.json", _data, _len, &err);
    cs_buf b = {0};
    if (!r) {
        _fill_err(o, &err);
        return;
    }
    if (rcp_inputs_json(r, &b, &err) != CS_OK) {   /* the recipe as a caller reads it back */
        _fill_err(o, &err);
        rcp_free(r);
        return;
    }
    o->ok = 1;
    o->sig = _mix(_mix(0, &r->n_tables, sizeof r->n_tables), b.data, b.len);
    cs_buf_free(&b);
    rcp_free(r);
}

static const char *const _feat_names[] = {"EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "AMT_CREDIT",
                                          "DAYS_BIRTH", "BURO_DAYS_CREDIT_MEAN", "PREV_AMT_ANNUITY_MEAN", "CC_COUNT"};

static void _run_request(outcome *o)
{
    cs_err err = {0};
    api_featmap *fm = api_featmap_create(_feat_names, sizeof _feat_names / sizeof *_feat_names, &err);
    api_input in;
    api_problem pb;
    int st;
    if (!fm) {
        _fill_err(o, &err);
        return;
    }
    memset(&pb, 0, sizeof pb);
    memset(&in, 0, sizeof in);
    st = api_input_parse(_data, _len, fm, &in, &pb);
    if (st == 0 && in.kind == API_IN_RAW) {
        tbl *t[HC_N_TABLES];
        st = api_raw_tables(in.doc, t, &pb);
        for (int k = 0; k < HC_N_TABLES; k++) {
            if (!st && t[k]) o->sig = _mix(o->sig, &t[k]->n_rows, sizeof t[k]->n_rows);
            tbl_free(t[k]);
        }
    }
    if (st) {
        /* a request the client got wrong is its 4xx; the outcome keeps the status so that a
         * 400 caused by the server's memory shows as a different answer */
        snprintf(o->msg, sizeof o->msg, "%d %s: %s", st, pb.code, pb.message);
        o->ok = st < 500 ? 2 : 0;
        o->sig = _mix(0, o->msg, strlen(o->msg));
    } else {
        o->ok = 1;
        o->sig = _mix(o->sig, &in.kind, sizeof in.kind);
        o->sig = _mix(o->sig, &in.client_id, sizeof in.client_id);
        if (in.x) o->sig = _mix(o->sig, in.x, api_featmap_size(fm) * sizeof *in.x);
    }
    api_input_clear(&in);
    api_featmap_free(fm);
}

static void _run_featfile(outcome *o)
{
    cs_err err = {0};
    feat_matrix *m = feat_file_load(_tmp, &err);
    if (!m) {
        _fill_err(o, &err);
        return;
    }
    o->ok = 1;
    o->sig = _mix(_mix(0, m->ids, m->n_rows * sizeof *m->ids), m->target, m->n_rows * sizeof *m->target);
    for (size_t j = 0; j < m->n_feats; j++) {
        const double *c = feat_col(m, j);
        if (!c) {           /* a column checksum failure on first read */
            o->ok = 0;
            snprintf(o->msg, sizeof o->msg, "column %zu unreadable", j);
            break;
        }
        o->sig = _mix(_mix(o->sig, m->names[j], strlen(m->names[j])), c, m->n_rows * sizeof *c);
    }
    feat_matrix_free(m);
}

static void _run_model(outcome *o)
{
    cs_err err = {0};
    mf_model *m = mf_load_bytes(_data, _len, &err);
    if (!m) {
        _fill_err(o, &err);
        return;
    }
    o->ok = 1;
    o->sig = _mix(0, &m, 0);
    mf_free(m);
}

static void _run_http(outcome *o)
{
    http_limits lim = {1 << 20, 8192, 65536, 100};
    http_head h;
    http_refusal r;
    int rc;
    memset(&h, 0, sizeof h);
    memset(&r, 0, sizeof r);
    rc = http_parse_head(_data, _len, &lim, &h, &r);
    if (rc == 1) {
        o->ok = 1;
        o->sig = _mix(_mix(0, h.canon.data, h.canon.len), &h.content_length, sizeof h.content_length);
        cs_buf_free(&h.canon);
    } else if (rc == 0) {
        o->ok = 3;      /* more bytes needed */
    } else if (r.status >= 500) {
        snprintf(o->msg, sizeof o->msg, "%d %s: %s", r.status, r.code ? r.code : "", r.message);
    } else {
        /* the client's fault: an answer as good as a success, compared with the clean run */
        snprintf(o->msg, sizeof o->msg, "%d %s: %s", r.status, r.code ? r.code : "", r.message);
        o->ok = 2;
        o->sig = _mix(0, o->msg, strlen(o->msg));
    }
}

static void _run(outcome *o, int variant)
{
    memset(o, 0, sizeof *o);
    if (!strcmp(_kind, "csv")) _run_csv(o, variant);
    else if (!strcmp(_kind, "recipe")) _run_recipe(o);
    else if (!strcmp(_kind, "request")) _run_request(o);
    else if (!strcmp(_kind, "featfile")) _run_featfile(o);
    else if (!strcmp(_kind, "model")) _run_model(o);
    else if (!strcmp(_kind, "http")) _run_http(o);
}

/* ---- the run over N ----------------------------------------------------------------- */

static char *_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *b = NULL;
    long n;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (b = __real_malloc((size_t)n + 1)) && fread(b, 1, (size_t)n, f) == (size_t)n) {
        b[n] = 0;
        *len = (size_t)n;
    } else {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

/* one file, one variant, points values of N (0: all): returns the number of broken promises */
static int _one(int variant, long points, long *cases)
{
    outcome clean, o;
    long k, tested, refused = 0, tolerated = 0;
    int bad = 0;
    size_t before;
    _fail_at = 0;
    _run(&clean, variant);                  /* warm-up: lazy initialisations happen here */
    before = __sanitizer_get_current_allocated_bytes();
    atomic_store(&_calls, 0);
    _run(&clean, variant);
    k = atomic_load(&_calls);
    if (__sanitizer_get_current_allocated_bytes() != before) {
        printf("BROKEN %s %s: the run without a failure leaves %zd bytes allocated\n", _kind, _path,
               (ssize_t)(__sanitizer_get_current_allocated_bytes() - before));
        bad++;
    }
    tested = _only ? 1 : points > 1 && k > points ? points : k;
    for (long i = 0; i < tested; i++) {
        long n = _only ? _only : tested < k ? 1 + (long)((double)i * (double)(k - 1) / (double)(tested - 1) + 0.5) : i + 1;
        atomic_store(&_calls, 0);
        _fail_at = n;
        before = __sanitizer_get_current_allocated_bytes();
        _run(&o, variant);
        _fail_at = 0;
        if (__sanitizer_get_current_allocated_bytes() != before) {
            printf("BROKEN %s %s N=%ld: %zd bytes leaked (%s)\n", _kind, _path, n,
                   (ssize_t)(__sanitizer_get_current_allocated_bytes() - before), o.ok ? "ok" : o.msg);
            bad++;
        }
        if (o.ok == 0) {
            refused++;
            if (!o.msg[0] || strstr(o.msg, "without a message")) {
                printf("BROKEN %s %s N=%ld: refused without a message\n", _kind, _path, n);
                bad++;
            }
        } else if (o.ok != clean.ok || o.sig != clean.sig) {
            printf("BROKEN %s %s N=%ld: a different answer than without the failure: %s (clean: %s)\n", _kind, _path,
                   n, o.ok == 2 ? o.msg : o.ok == 1 ? "success" : "incomplete", clean.ok == 2 ? clean.msg : "success");
            bad++;
        } else {
            tolerated++;
        }
    }
    printf("%s %s%s: %ld allocations, a failure at %ld of them: %ld refused cleanly, %ld tolerated with the same answer, "
           "%d broken\n", _kind, _path, variant ? " (small blocks)" : "", k, tested, refused, tolerated, bad);
    *cases += tested;
    return bad;
}

int main(int argc, char **argv)
{
    cJSON_Hooks hooks = {__wrap_malloc, _cjson_free};
    const char *pts = getenv("MALLOC_FAIL_POINTS");
    long points = pts ? atol(pts) : 0, cases = 0;
    int bad = 0;
    if (argc < 3) {
        fprintf(stderr, "usage: malloc_fail csv|recipe|request|featfile|model|http FILE...\n");
        return 2;
    }
    _trace = getenv("MALLOC_FAIL_TRACE") != NULL;
    _only = getenv("MALLOC_FAIL_ONLY") ? atol(getenv("MALLOC_FAIL_ONLY")) : 0;
    cJSON_InitHooks(&hooks);
    _kind = argv[1];
    for (int i = 2; i < argc; i++) {
        char *raw;
        size_t len = 0;
        _path = argv[i];
        if (!(raw = _slurp(_path, &len))) {
            printf("BROKEN %s: cannot read\n", _path);
            bad++;
            continue;
        }
        _data = raw;
        _len = len;
        /* the fuzz corpora's first byte is the fuzz target's selector */
        if (!strcmp(_kind, "csv") || !strcmp(_kind, "featfile") || !strcmp(_kind, "http") || !strcmp(_kind, "model")) {
            _data = len ? raw + 1 : raw;
            _len = len ? len - 1 : 0;
        }
        if (!strcmp(_kind, "featfile")) {
            int fd;
            const char *dir = getenv("TMPDIR");
            snprintf(_tmp, sizeof _tmp, "%s/malloc_fail_XXXXXX", dir && *dir ? dir : "/tmp");
            if ((fd = mkstemp(_tmp)) < 0 || write(fd, _data, _len) != (ssize_t)_len || close(fd)) {
                printf("BROKEN %s: cannot write a temporary file\n", _path);
                bad++;
                free(raw);
                continue;
            }
        }
        bad += _one(0, points, &cases);
        if (!strcmp(_kind, "csv")) bad += _one(1, points, &cases);
        if (!strcmp(_kind, "featfile")) unlink(_tmp);
        free(raw);
    }
    printf("malloc_fail %s: %ld cases, %d broken\n", _kind, cases, bad);
    return bad ? 1 : 0;
}
