/*
 * tbl_read.c: the CSV reader behind tbl_read_csv() (contract in tbl.h).
 *
 * How it works. The file is read in blocks of BLOCK_BYTES with read(2), so only one block
 * and the growing columns are ever in memory. In each block a sequential scan finds the
 * row boundaries: a newline ends a row only when the quotes seen since the row started are
 * even in number (memchr for '\n', then memchr for '"' within the line, so this pass runs
 * at memory speed). The rows of the block are then cut into up to N_CHUNKS chunks that
 * OpenMP threads take as they become free, each parsing its rows straight into the column
 * arrays. A categorical value is looked up in the column's dictionary (read-only during the
 * parallel part); a value never seen before goes to the chunk's own small dictionary and
 * gets a provisional negative code. After the parallel part the new values are added to
 * the column dictionary chunk by chunk, in row order, so codes stay in order of first
 * appearance, and provisional codes are replaced. The first error in row order wins and
 * is reported as path:line:column.
 *
 * Without a schema, a first pass over the file only classifies the columns (numeric when
 * every non-empty field is a number) and a second pass reads them.
 */
#include "csv.h"
#include "tbl.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK_BYTES ((size_t)16 << 20)      /* bytes read and parsed at a time */
#define BLOCK_ROWS ((size_t)1 << 20)        /* at most this many rows per parsed block */
#define MAX_ROW_BYTES ((size_t)256 << 20)   /* a longer row is refused (unterminated quote?) */
#define N_CHUNKS 64                         /* a block's rows are parsed in up to this many chunks */
#define ROWS_PER_CHUNK 1024                 /* at least this many rows per chunk */

/* ---- state ----------------------------------------------------------------------------- */

/* The state of one chunk of a block's rows; threads take chunks as they become free, so a
 * thread the machine preempts does not hold the others up. */
typedef struct _tstate {
    cs_buf scratch;             /* the unescaped text of a quoted field */
    csv_dict *local;            /* n_cols dictionaries of values new in this chunk */
    unsigned char *is_text;     /* detect pass: column k had a non-number */
    int32_t *last_code;         /* per column: the code of the last category seen in the chunk */
    const char **last_str;      /* and its text (owned by a dictionary), NULL = none yet */
    uint32_t *last_len;         /* and its length */
    size_t row_lo, row_hi;      /* rows of the block in this chunk */
    const char *errp;           /* where the first error is; NULL when none */
    cs_status code;
    char msg[384];
} _tstate;

typedef struct _reader {
    const char *name;           /* for messages */
    const tbl_schema *schema;   /* NULL: types inferred */
    int allow_extra;            /* 1: columns the schema does not know are read as text */
    int detect;                 /* 1: the first pass of inference, only classifies columns */
    int n_cols;
    char **names;               /* header text, n_cols */
    tbl_type *types;
    int *schema_col;            /* with a schema: per column, its index in the schema or -1 */
    unsigned char *whole;       /* per column: 1 = an id column (tbl_colspec.whole) */
    double **num;               /* per column, TBL_NUM */
    int32_t **codes;            /* per column, TBL_CAT */
    csv_dict *dicts;            /* per column, TBL_CAT */
    unsigned char *is_text;     /* detect pass result */
    size_t n_rows, cap_rows;
    size_t line;                /* line number of the next row */
    locale_t loc;
    int n_threads;
    _tstate *ts;                /* N_CHUNKS chunk states */
    int n_ready;                /* chunks whose per-column state is allocated */
    size_t *rows;               /* offsets of the rows of the block, n + 1 */
    size_t rows_cap;
    int32_t *remap;
    size_t remap_cap;
    cs_progress *progress;
    size_t block_bytes;         /* bytes parsed at a time */
} _reader;

/* ---- messages ---------------------------------------------------------------------------- */

/* line:column of p inside a block that starts at a line start of line `line`. */
static void _where(const char *block, const char *p, size_t line, size_t *out_line, size_t *out_col)
{
    const char *ls = block, *q = block;
    while ((q = memchr(q, '\n', (size_t)(p - q)))) {
        line++;
        ls = ++q;
    }
    *out_line = line;
    *out_col = (size_t)(p - ls) + 1;
}

/* Quote s[0..len) for a message: at most 40 bytes, with "..." when cut. */
static void _quote(char *out, size_t cap, const char *s, size_t len)
{
    size_t n = len > 40 ? 40 : len;
    snprintf(out, cap, "'%.*s%s'", (int)n, s, len > 40 ? "..." : "");
}

static int _terr(_tstate *ts, const char *p, cs_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int _terr(_tstate *ts, const char *p, cs_status code, const char *fmt, ...)
{
    va_list ap;
    ts->errp = p;
    ts->code = code;
    va_start(ap, fmt);
    vsnprintf(ts->msg, sizeof ts->msg, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- row boundaries ------------------------------------------------------------------------ */

/* Find up to max_rows rows (and about r->block_bytes bytes) in buf[0..len): r->rows[i] is where row i starts and r->rows[n]
 * is just past the last row's newline. With final, bytes after the last newline form a
 * last row. Sets *n_out and *extra (newlines inside quoted fields of those rows). */
static cs_status _find_rows(_reader *r, const char *buf, size_t len, int final, size_t max_rows,
                            size_t *n_out, size_t *extra, cs_err *err)
{
    size_t p = 0, n = 0, embedded = 0;
    const char *nq = memchr(buf, '"', len);      /* the next quote, NULL = none left */
    while (p < len && n < max_rows && (n == 0 || p < r->block_bytes)) {
        size_t s = p, row_embedded = 0;
        int inq = 0, done = 0;
        if (!nq || (size_t)(nq - buf) > p) {         /* no quote before the next newline? */
            const char *nl = memchr(buf + p, '\n', (nq ? (size_t)(nq - buf) : len) - p);
            if (nl) {
                p = (size_t)(nl - buf) + 1;
                goto row;
            }
        }
        for (;;) {
            const char *nl = memchr(buf + p, '\n', len - p);
            const char *lim = nl ? nl : buf + len;
            const char *q = buf + p;
            while ((q = memchr(q, '"', (size_t)(lim - q)))) {
                inq ^= 1;
                q++;
            }
            if (!nl) {
                if (final) {
                    p = len;
                    done = 1;
                }
                break;
            }
            p = (size_t)(nl - buf) + 1;
            if (!inq) {
                done = 1;
                break;
            }
            row_embedded++;
        }
        if (!done) {
            p = s;
            break;
        }
        if (nq && (size_t)(nq - buf) < p) nq = p < len ? memchr(buf + p, '"', len - p) : NULL;
    row:
        if (n + 2 > r->rows_cap) {
            size_t cap = r->rows_cap ? r->rows_cap * 2 : 4096;
            size_t *rows = cs_reallocarray(r->rows, cap, sizeof *rows, err);
            if (!rows) return CS_ENOMEM;
            r->rows = rows;
            r->rows_cap = cap;
        }
        r->rows[n++] = s;
        embedded += row_embedded;
    }
    if (r->rows_cap == 0) {
        r->rows = cs_malloc(sizeof *r->rows, err);
        if (!r->rows) return CS_ENOMEM;
        r->rows_cap = 1;
    }
    r->rows[n] = p;
    *n_out = n;
    *extra = embedded;
    return CS_OK;
}

/* The content of row i: from its start to before its newline (and a CR before that). */
static void _row_span(const char *buf, const size_t *rows, size_t i, const char **b, const char **e)
{
    const char *s = buf + rows[i], *end = buf + rows[i + 1];
    if (end > s && end[-1] == '\n') end--;
    if (end > s && end[-1] == '\r') end--;
    *b = s;
    *e = end;
}

/* ---- fields ------------------------------------------------------------------------------ */

/* Read the field starting at *pp (row ends at end): sets *fs and *fl to its text (unescaped
 * into ts->scratch when quoted with doubled quotes) and leaves *pp at the ',' that ends it
 * or at end. Returns 0, or -1 with the error in ts. */
static inline int _field(_tstate *ts, const char **pp, const char *end, const char **fs, size_t *fl)
{
    const char *p = *pp;
    if (p < end && *p == '"') {
        const char *open = p, *seg = p + 1, *q = p + 1;
        int copied = 0;
        for (;;) {
            const char *c = memchr(q, '"', (size_t)(end - q));
            if (!c) return _terr(ts, open, CS_EPARSE, "unterminated quoted field");
            if (c + 1 < end && c[1] == '"') {           /* "" inside quotes: one quote */
                if (!copied) ts->scratch.len = 0;
                if (cs_buf_append(&ts->scratch, seg, (size_t)(c + 1 - seg), NULL))
                    return _terr(ts, open, CS_ENOMEM, "out of memory reading a quoted field");
                copied = 1;
                seg = q = c + 2;
                continue;
            }
            if (copied) {
                if (cs_buf_append(&ts->scratch, seg, (size_t)(c - seg), NULL))
                    return _terr(ts, open, CS_ENOMEM, "out of memory reading a quoted field");
                *fs = ts->scratch.data;
                *fl = ts->scratch.len;
            } else {
                *fs = open + 1;
                *fl = (size_t)(c - open - 1);
            }
            p = c + 1;
            if (p < end && *p != ',')
                return _terr(ts, p, CS_EPARSE, "unexpected character '%c' after a closing quote", *p);
            break;
        }
    } else {
        const char *s = p;
        while (p < end && *p != ',' && *p != '"') p++;
        if (p < end && *p == '"') return _terr(ts, p, CS_EPARSE, "quote inside an unquoted field");
        *fs = s;
        *fl = (size_t)(p - s);
    }
    *pp = p;
    return 0;
}

/* Parse one data row (row index `row` of the table) into the columns. */
static int _parse_row(_reader *r, _tstate *ts, const char *p, const char *end, size_t row)
{
    int k = 0;
    for (;;) {
        const char *fstart = p, *fs;
        size_t fl;
        if (k == r->n_cols)
            return _terr(ts, p, CS_EPARSE, "more fields than the %d columns of the header", r->n_cols);
        if (!r->detect && r->types[k] == TBL_NUM && !r->whole[k] && p < end && *p != '"' && *p != ',') {
            /* the usual case, scanned and converted in one pass */
            double v;
            const char *q = csv_num_prefix(p, end, &v);
            if (q && (q == end || *q == ',')) {
                r->num[k][row] = v;
                p = q;
                goto next;
            }
        }
        if (_field(ts, &p, end, &fs, &fl)) return -1;
        if (r->detect) {
            double v;
            if (fl && !ts->is_text[k] && !r->is_text[k] && csv_parse_double(fs, fl, r->loc, &v))
                ts->is_text[k] = 1;
        } else if (r->types[k] == TBL_NUM && r->whole[k]) {
            double v = NAN;
            const char *why;
            if (fl && csv_parse_whole(fs, fl, &v, &why)) {
                char q[64];
                _quote(q, sizeof q, fs, fl);
                return _terr(ts, fstart, CS_EPARSE, "%s in id column %s: %s", q, r->names[k], why);
            }
            r->num[k][row] = v;
        } else if (r->types[k] == TBL_NUM) {
            double v = NAN;
            if (fl && csv_parse_double(fs, fl, r->loc, &v)) {
                char q[64];
                _quote(q, sizeof q, fs, fl);
                return _terr(ts, fstart, CS_EPARSE, "text %s in numeric column %s", q, r->names[k]);
            }
            r->num[k][row] = v;
        } else {
            int32_t c = -1;
            const char *ls = ts->last_str[k];
            if (fl && ls && ts->last_len[k] == fl && csv_same(ls, fs, fl)) {
                c = ts->last_code[k];                  /* the same as the row before: common */
            } else if (fl) {
                uint64_t h = csv_hash(fs, fl);
                c = csv_dict_find(&r->dicts[k], fs, fl, h);
                if (c >= 0) {
                    ts->last_str[k] = r->dicts[k].strs[c];
                    ts->last_len[k] = r->dicts[k].lens[c];
                } else {
                    int32_t lc;
                    if (memchr(fs, '\0', fl)) return _terr(ts, fstart, CS_EPARSE, "NUL byte in a text field");
                    lc = csv_dict_add(&ts->local[k], fs, fl, h, NULL);
                    if (lc < 0) return _terr(ts, fstart, CS_ENOMEM, "out of memory adding a category");
                    ts->last_str[k] = ts->local[k].strs[lc];
                    ts->last_len[k] = ts->local[k].lens[lc];
                    c = -2 - lc;
                }
                ts->last_code[k] = c;
            }
            r->codes[k][row] = c;
        }
    next:
        k++;
        if (p >= end) break;
        p++;                                             /* the comma */
    }
    if (k != r->n_cols)
        return _terr(ts, end, CS_EPARSE, "%d field%s, the header has %d columns", k, k == 1 ? "" : "s",
                     r->n_cols);
    return 0;
}

/* ---- blocks ------------------------------------------------------------------------------ */

static cs_status _reserve_rows(_reader *r, size_t need, cs_err *err)
{
    size_t cap;
    if (need <= r->cap_rows || r->detect) return CS_OK;
    cap = r->cap_rows ? r->cap_rows : 16;  /* small: a wide file of few rows has many columns */
    while (cap < need) cap *= 2;
    for (int k = 0; k < r->n_cols; k++) {
        if (r->types[k] == TBL_NUM) {
            double *v = cs_reallocarray(r->num[k], cap, sizeof *v, err);
            if (!v) return CS_ENOMEM;
            r->num[k] = v;
        } else {
            int32_t *v = cs_reallocarray(r->codes[k], cap, sizeof *v, err);
            if (!v) return CS_ENOMEM;
            r->codes[k] = v;
        }
    }
    r->cap_rows = cap;
    return CS_OK;
}

/* After a parsed block: add the values new to each chunk to the column dictionaries, in
 * chunk (= row) order, and replace the provisional codes. */
static cs_status _merge(_reader *r, int nt, size_t base, cs_err *err)
{
    for (int k = 0; k < r->n_cols; k++) {
        if (r->types[k] != TBL_CAT) continue;
        for (int t = 0; t < nt; t++) {
            csv_dict *loc = &r->ts[t].local[k];
            int32_t *codes = r->codes[k];
            if (loc->n == 0) continue;
            if ((size_t)loc->n > r->remap_cap) {
                int32_t *m = cs_reallocarray(r->remap, (size_t)loc->n, sizeof *m, err);
                if (!m) return CS_ENOMEM;
                r->remap = m;
                r->remap_cap = (size_t)loc->n;
            }
            for (int32_t i = 0; i < loc->n; i++) {
                const char *s = loc->strs[i];
                r->remap[i] = csv_dict_add(&r->dicts[k], s, loc->lens[i], csv_hash(s, loc->lens[i]), err);
                if (r->remap[i] < 0) return err ? err->code : CS_ENOMEM;
            }
            for (size_t i = base + r->ts[t].row_lo; i < base + r->ts[t].row_hi; i++)
                if (codes[i] <= -2) codes[i] = r->remap[-2 - codes[i]];
            csv_dict_clear(loc);
        }
    }
    return CS_OK;
}

/* The per-column state of chunks [r->n_ready, nc), allocated when a block first needs that
 * many chunks: a one-row file of 100,000 columns uses one chunk, not N_CHUNKS x 100,000
 * dictionaries. */
static cs_status _chunks_ready(_reader *r, int nc, cs_err *err)
{
    for (; r->n_ready < nc; r->n_ready++) {
        _tstate *ts = &r->ts[r->n_ready];
        ts->local = cs_calloc((size_t)r->n_cols, sizeof *ts->local, err);
        ts->is_text = cs_calloc((size_t)r->n_cols, 1, err);
        ts->last_code = cs_calloc((size_t)r->n_cols, sizeof *ts->last_code, err);
        ts->last_str = cs_calloc((size_t)r->n_cols, sizeof *ts->last_str, err);
        ts->last_len = cs_calloc((size_t)r->n_cols, sizeof *ts->last_len, err);
        if (!ts->local || !ts->is_text || !ts->last_code || !ts->last_str || !ts->last_len) return CS_ENOMEM;
    }
    return CS_OK;
}

/* Parse the n rows found in buf (r->rows) in parallel: the rows are cut into chunks in
 * order, threads take chunks dynamically, and everything is then merged in chunk order. */
static cs_status _parse_block(_reader *r, const char *buf, size_t n, cs_err *err)
{
    size_t base = r->n_rows;
    int nc = (int)(n / ROWS_PER_CHUNK), nt = r->n_threads;
    cs_status st;

    if (nc > N_CHUNKS) nc = N_CHUNKS;
    if (nc < 1) nc = 1;
    if (nt > nc) nt = nc;
    if ((st = _reserve_rows(r, base + n, err))) return st;
    if ((st = _chunks_ready(r, nc, err))) return st;

#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (int c = 0; c < nc; c++) {
        _tstate *ts = &r->ts[c];
        ts->row_lo = n * (size_t)c / (size_t)nc;
        ts->row_hi = n * (size_t)(c + 1) / (size_t)nc;
        ts->errp = NULL;
        memset(ts->last_str, 0, (size_t)r->n_cols * sizeof *ts->last_str);
        for (size_t i = ts->row_lo; i < ts->row_hi; i++) {
            const char *b, *e;
            _row_span(buf, r->rows, i, &b, &e);
            if (_parse_row(r, ts, b, e, base + i)) break;
        }
    }

    for (int c = 0; c < nc; c++) {
        _tstate *ts = &r->ts[c];
        if (ts->errp) {
            size_t line, col;
            _where(buf, ts->errp, r->line, &line, &col);
            for (int d = c; d < nc; d++)                 /* drop what the chunks collected */
                for (int k = 0; k < r->n_cols; k++) csv_dict_clear(&r->ts[d].local[k]);
            return cs_err_set(err, ts->code, "%s:%zu:%zu: %s", r->name, line, col, ts->msg);
        }
    }
    if (r->detect) {
        for (int c = 0; c < nc; c++)
            for (int k = 0; k < r->n_cols; k++) r->is_text[k] |= r->ts[c].is_text[k];
        return CS_OK;
    }
    if ((st = _merge(r, nc, base, err))) return st;
    r->n_rows += n;
    return CS_OK;
}

/* ---- the header --------------------------------------------------------------------------- */

static cs_status _header(_reader *r, const char *b, const char *e, cs_err *err)
{
    _tstate *ts = &r->ts[0];
    const char *p = b;
    int cap = 0;
    cs_status st = CS_OK;
    csv_dict seen = {0}, known = {0};   /* the header's names so far; the schema's names */

    if (r->schema)
        for (int j = 0; j < r->schema->n_cols; j++) {
            const char *nm = r->schema->cols[j].name;
            size_t l = strlen(nm);
            if (csv_dict_add(&known, nm, l, csv_hash(nm, l), err) < 0) {
                st = err ? err->code : CS_ENOMEM;
                goto out;
            }
        }
    for (;;) {
        const char *fstart = p, *fs;
        size_t fl, line, col;
        int32_t code, n_seen;
        uint64_t h;
        if (_field(ts, &p, e, &fs, &fl)) {
            _where(b, ts->errp, 1, &line, &col);
            st = cs_err_set(err, ts->code, "%s:%zu:%zu: %s (in the header)", r->name, line, col, ts->msg);
            goto out;
        }
        if (r->n_cols == cap) {
            char **names;
            cap = cap ? cap * 2 : 64;
            names = cs_reallocarray(r->names, (size_t)cap, sizeof *names, err);
            if (!names) {
                st = CS_ENOMEM;
                goto out;
            }
            r->names = names;
        }
        if (memchr(fs, '\0', fl)) {
            _where(b, fstart, 1, &line, &col);
            st = cs_err_set(err, CS_EPARSE, "%s:%zu:%zu: NUL byte in a column name", r->name, line, col);
            goto out;
        }
        r->names[r->n_cols] = cs_malloc(fl + 1, err);
        if (!r->names[r->n_cols]) {
            st = CS_ENOMEM;
            goto out;
        }
        memcpy(r->names[r->n_cols], fs, fl);
        r->names[r->n_cols][fl] = '\0';
        /* a dictionary of the names read so far: linear in the header's length, where a
         * comparison with every earlier name was quadratic (100,000 columns: minutes) */
        h = csv_hash(fs, fl);
        n_seen = seen.n;
        code = csv_dict_add(&seen, r->names[r->n_cols], fl, h, err);
        if (code < 0) {             /* the name is not counted in n_cols yet: freed here */
            free(r->names[r->n_cols]);
            r->names[r->n_cols] = NULL;
            st = err ? err->code : CS_ENOMEM;
            goto out;
        }
        if (seen.n == n_seen) {           /* it was there already */
            _where(b, fstart, 1, &line, &col);
            r->n_cols++;
            st = cs_err_set(err, CS_EPARSE, "%s:%zu:%zu: duplicate column '%s' (also column %d)", r->name,
                            line, col, r->names[r->n_cols - 1], code + 1);
            goto out;
        }
        r->n_cols++;
        if (r->schema && !r->allow_extra && csv_dict_find(&known, fs, fl, h) < 0) {
            _where(b, fstart, 1, &line, &col);
            st = cs_err_set(err, CS_EPARSE, "%s:%zu:%zu: unknown column '%s' (not in the %s table)", r->name,
                            line, col, r->names[r->n_cols - 1], r->schema->table);
            goto out;
        }
        if (p >= e) break;
        p++;
    }
    if (r->schema) {
        r->schema_col = cs_reallocarray(NULL, (size_t)(r->n_cols ? r->n_cols : 1), sizeof *r->schema_col, err);
        if (!r->schema_col) {
            st = CS_ENOMEM;
            goto out;
        }
        for (int k = 0; k < r->n_cols; k++) r->schema_col[k] = -1;
        for (int j = 0; j < r->schema->n_cols; j++) {
            const char *nm = r->schema->cols[j].name;
            size_t l = strlen(nm);
            int32_t k = csv_dict_find(&seen, nm, l, csv_hash(nm, l));
            if (k >= 0) {
                if (r->schema_col[k] < 0) r->schema_col[k] = j;
                continue;
            }
            if (r->schema->cols[j].required) {
                size_t line, col;
                _where(b, e, 1, &line, &col);
                st = cs_err_set(err, CS_EPARSE, "%s:%zu:%zu: missing required column '%s' of the %s table",
                                r->name, line, col, nm, r->schema->table);
                goto out;
            }
        }
    }
out:
    csv_dict_free(&seen);
    csv_dict_free(&known);
    return st;
}

/* Set the column types and allocate the per-column and per-thread state. */
static cs_status _setup(_reader *r, cs_err *err)
{
    r->types = cs_calloc((size_t)r->n_cols, sizeof *r->types, err);
    r->num = cs_calloc((size_t)r->n_cols, sizeof *r->num, err);
    r->codes = cs_calloc((size_t)r->n_cols, sizeof *r->codes, err);
    r->dicts = cs_calloc((size_t)r->n_cols, sizeof *r->dicts, err);
    r->whole = cs_calloc((size_t)r->n_cols, 1, err);
    if (!r->types || !r->num || !r->codes || !r->dicts || !r->whole) return CS_ENOMEM;
    for (int k = 0; k < r->n_cols; k++) {
        r->types[k] = TBL_NUM;
        if (r->schema) {
            if (r->allow_extra) r->types[k] = TBL_CAT; /* unless the schema says otherwise */
            if (r->schema_col[k] >= 0) {
                const tbl_colspec *cs = &r->schema->cols[r->schema_col[k]];
                r->types[k] = cs->type;
                r->whole[k] = cs->type == TBL_NUM && cs->whole;
            }
        } else if (r->is_text && r->is_text[k]) {
            r->types[k] = TBL_CAT;
        }
    }
    if (r->detect) {
        r->is_text = cs_calloc((size_t)r->n_cols, 1, err);
        if (!r->is_text) return CS_ENOMEM;
    }
    return CS_OK;
}


/* ---- the source: a file read block by block, or bytes in memory ------------------------- */

typedef struct _src {
    int fd;                     /* -1 for memory */
    const char *data;           /* the bytes in view: buf, or the caller's memory */
    char *buf;                  /* our block buffer (files only) */
    size_t cap, len, off;       /* buffer size, bytes in it, bytes consumed */
    int eof;
    int too_long;               /* a row outgrew MAX_ROW_BYTES: parse it, then refuse */
    uint64_t done;              /* bytes consumed before data[0] */
} _src;

/* Move the unconsumed bytes to the front and read until the buffer is full or EOF. */
static cs_status _fill(_reader *r, _src *s, cs_err *err)
{
    if (s->fd < 0) return CS_OK;
    if (s->off) {
        memmove(s->buf, s->buf + s->off, s->len - s->off);
        s->done += s->off;
        s->len -= s->off;
        s->off = 0;
    }
    if (s->len == s->cap) {                              /* one row fills the buffer: grow */
        size_t cap = s->cap * 2;
        char *b;
        if (cap > MAX_ROW_BYTES) {
            s->eof = s->too_long = 1;                    /* parse what we have: names the error */
            return CS_OK;
        }
        b = realloc(s->buf, cap);
        if (!b) return cs_err_set(err, CS_ENOMEM, "%s: out of memory for a %zu-byte row", r->name, cap);
        s->buf = b;
        s->cap = cap;
    }
    while (s->len < s->cap && !s->eof) {
        ssize_t got = read(s->fd, s->buf + s->len, s->cap - s->len);
        if (got < 0) {
            if (errno == EINTR) continue;
            return cs_err_set(err, CS_EIO, "%s: read error: %s", r->name, strerror(errno));
        }
        if (got == 0) s->eof = 1;
        s->len += (size_t)got;
    }
    s->data = s->buf;
    return CS_OK;
}

/* One pass over the source: header, then every row. */
static cs_status _pass(_reader *r, _src *s, cs_err *err)
{
    cs_status st;
    size_t n, extra;
    const char *b, *e;

    if ((st = _fill(r, s, err))) return st;
    if (s->len >= 3 && !memcmp(s->data, "\xEF\xBB\xBF", 3)) s->off = 3;
    for (;;) {                                           /* the header row */
        if ((st = _find_rows(r, s->data + s->off, s->len - s->off, s->eof, 1, &n, &extra, err)))
            return st;
        if (n == 1 || s->eof) break;
        if ((st = _fill(r, s, err))) return st;
    }
    if (n == 0) return cs_err_set(err, CS_EPARSE, "%s:1:1: empty file: no header row", r->name);
    _row_span(s->data + s->off, r->rows, 0, &b, &e);
    if (r->n_cols == 0) {                                /* first pass: read the header */
        if ((st = _header(r, b, e, err))) return st;
        if ((st = _setup(r, err))) return st;
    }
    s->off += r->rows[1];
    r->line = 2 + extra;

    for (;;) {
        if ((st = _find_rows(r, s->data + s->off, s->len - s->off, s->eof, BLOCK_ROWS, &n, &extra, err)))
            return st;
        if (n > 0) {
            if ((st = _parse_block(r, s->data + s->off, n, err))) return st;
            if (s->too_long)
                return cs_err_set(err, CS_EPARSE, "%s:%zu:1: a row longer than %zu MiB (an unterminated quote?)",
                                  r->name, r->line + n - 1, MAX_ROW_BYTES >> 20);
            s->off += r->rows[n];
            r->line += n + extra;
            if (r->progress) cs_progress_update(r->progress, s->done + s->off, NULL);
        }
        if (s->off == s->len && s->eof) break;
        if (n == 0 || s->fd >= 0) {
            if (s->eof && s->fd < 0) break;
            if ((st = _fill(r, s, err))) return st;
        }
    }
    return CS_OK;
}

/* ---- the table --------------------------------------------------------------------------- */

static void _reader_free(_reader *r)
{
    for (int k = 0; k < r->n_cols; k++) {
        if (r->names) free(r->names[k]);
        if (r->num) free(r->num[k]);
        if (r->codes) free(r->codes[k]);
        if (r->dicts) csv_dict_free(&r->dicts[k]);
    }
    free(r->names);
    free(r->types);
    free(r->schema_col);
    free(r->whole);
    free(r->num);
    free(r->codes);
    free(r->dicts);
    free(r->is_text);
    if (r->ts)
        for (int t = 0; t < N_CHUNKS; t++) {
            if (r->ts[t].local)
                for (int k = 0; k < r->n_cols; k++) csv_dict_free(&r->ts[t].local[k]);
            free(r->ts[t].local);
            free(r->ts[t].is_text);
            free(r->ts[t].last_code);
            free(r->ts[t].last_str);
            free(r->ts[t].last_len);
            cs_buf_free(&r->ts[t].scratch);
        }
    free(r->ts);
    free(r->rows);
    free(r->remap);
    csv_locale_free(r->loc);
}

/* Hand the columns over to a new tbl (the reader keeps nothing of them). */
static tbl *_take_table(_reader *r, cs_err *err)
{
    tbl *t = cs_calloc(1, sizeof *t, err);
    if (!t) return NULL;
    t->source = cs_strdup(r->name, err);
    t->cols = cs_calloc((size_t)(r->n_cols ? r->n_cols : 1), sizeof *t->cols, err);
    if (!t->source || !t->cols) {
        tbl_free(t);
        return NULL;
    }
    t->n_rows = r->n_rows;
    t->n_cols = r->n_cols;
    for (int k = 0; k < r->n_cols; k++) {
        tbl_column *c = &t->cols[k];
        size_t n = r->n_rows ? r->n_rows : 1;
        c->name = r->names[k];
        r->names[k] = NULL;
        c->type = r->types[k];
        if (c->type == TBL_NUM) {
            c->num = r->num[k] ? realloc(r->num[k], n * sizeof *c->num) : malloc(n * sizeof *c->num);
            if (!c->num) c->num = r->num[k];
            r->num[k] = NULL;
            if (!c->num) goto nomem;
        } else {
            c->codes = r->codes[k] ? realloc(r->codes[k], n * sizeof *c->codes) : malloc(n * sizeof *c->codes);
            if (!c->codes) c->codes = r->codes[k];
            r->codes[k] = NULL;
            if (!c->codes) goto nomem;
            c->cats = csv_dict_take(&r->dicts[k], &c->n_cats);
        }
    }
    return t;
nomem:
    tbl_free(t);
    cs_err_set(err, CS_ENOMEM, "out of memory finishing the table of %s", r->name);
    return NULL;
}

static tbl *_read(const char *name, int fd, const char *data, size_t len, const tbl_read_opts *opts,
                  cs_err *err)
{
    _reader r;
    _src s;
    tbl *t = NULL;

    memset(&r, 0, sizeof r);
    memset(&s, 0, sizeof s);
    r.name = name;
    r.schema = opts ? opts->schema : NULL;
    r.allow_extra = opts && opts->schema ? opts->allow_extra : 0;
    r.progress = opts ? opts->progress : NULL;
    r.n_threads = opts && opts->n_threads > 0 ? opts->n_threads : omp_get_max_threads();
    if (r.n_threads < 1) r.n_threads = 1;
    r.loc = csv_locale_new(err);
    r.ts = cs_calloc(N_CHUNKS, sizeof *r.ts, err);
    if (!r.loc || !r.ts) goto out;

    s.fd = fd;
    r.block_bytes = opts && opts->block_bytes ? opts->block_bytes : BLOCK_BYTES;
    if (fd >= 0) {
        s.cap = r.block_bytes;
        s.buf = cs_malloc(s.cap, err);
        if (!s.buf) goto out;
    } else {
        s.data = data;
        s.len = len;
        s.eof = 1;
    }
    if (!r.schema) {                                     /* inference: classify first */
        r.detect = 1;
        r.progress = NULL;
        if (_pass(&r, &s, err)) goto out;
        r.detect = 0;
        r.progress = opts ? opts->progress : NULL;
        for (int k = 0; k < r.n_cols; k++) r.types[k] = r.is_text[k] ? TBL_CAT : TBL_NUM;
        if (fd >= 0) {
            if (lseek(fd, 0, SEEK_SET) != 0) {
                cs_err_set(err, CS_EIO, "%s: cannot read the file twice to infer column types (%s); "
                           "give a schema", name, strerror(errno));
                goto out;
            }
            s.len = s.off = 0;
            s.done = 0;
            s.eof = 0;
        } else {
            s.off = 0;
        }
    }
    if (_pass(&r, &s, err)) goto out;
    if (r.progress) cs_progress_update(r.progress, s.done + s.off, NULL);
    t = _take_table(&r, err);
out:
    free(s.buf);
    _reader_free(&r);
    return t;
}

tbl *tbl_read_csv_mem_opts(const char *name, const char *data, size_t len, const tbl_read_opts *opts,
                           cs_err *err)
{
    if (!data && len) {
        cs_err_set(err, CS_EINVAL, "%s: no data", name ? name : "(memory)");
        return NULL;
    }
    return _read(name ? name : "(memory)", -1, data ? data : "", len, opts, err);
}

tbl *tbl_read_csv_mem(const char *name, const char *data, size_t len, const tbl_schema *schema,
                      cs_err *err)
{
    tbl_read_opts o = {0};
    o.schema = schema;
    return tbl_read_csv_mem_opts(name, data, len, &o, err);
}

tbl *tbl_read_csv_opts(const char *path, const tbl_read_opts *opts, cs_err *err)
{
    int fd;
    struct stat sb;
    tbl *t;

    if (!path) {
        cs_err_set(err, CS_EINVAL, "no file name given");
        return NULL;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        cs_err_set(err, CS_EIO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        close(fd);
        cs_err_set(err, CS_EIO, "%s: is a folder, not a CSV file", path);
        return NULL;
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    t = _read(path, fd, NULL, 0, opts, err);
    close(fd);
    return t;
}

tbl *tbl_read_csv(const char *path, const tbl_schema *schema, cs_err *err)
{
    tbl_read_opts o = {0};
    o.schema = schema;
    return tbl_read_csv_opts(path, &o, err);
}
