/*
 * tbl.h: a typed, column-wise table read from a CSV file. This is what the rest of
 * creditscore sees of the raw Home Credit tables (and of any other CSV with a header).
 *
 * A numeric column is an array of doubles with NaN for a missing value. A categorical
 * column is an array of int32 codes (-1 for missing) into its string table `cats`, in
 * order of first appearance in the file. Which columns are numeric or categorical comes
 * from a schema (see hc_schema.h for the seven Home Credit tables); without a schema a
 * column is numeric when every non-empty field parses as a number, categorical otherwise.
 *
 * Reading is strict: a malformed file is refused with "path:line:column: what is wrong"
 * (wrong number of fields, unterminated quote, text in a numeric column, an id that is
 * not a whole number within 2^53, a missing required column, a duplicate header) and
 * nothing is silently skipped, rounded or guessed.
 *
 * Ownership: tbl_read_csv() returns a table the caller frees with tbl_free(); every
 * pointer inside belongs to the table.
 */
#ifndef CS_IO_TBL_H
#define CS_IO_TBL_H

#include "../base/cs.h"

typedef enum tbl_type {
    TBL_NUM = 0,            /* double, NaN = missing */
    TBL_CAT = 1             /* dictionary-encoded string, code -1 = missing */
} tbl_type;

typedef struct tbl_column {
    char *name;             /* header text */
    tbl_type type;
    double *num;            /* TBL_NUM: n_rows values; NULL for TBL_CAT */
    int32_t *codes;         /* TBL_CAT: n_rows codes in [-1, n_cats); NULL for TBL_NUM */
    char **cats;            /* TBL_CAT: the distinct values, in order of first appearance */
    int32_t n_cats;         /* TBL_CAT: number of distinct non-missing values */
} tbl_column;

typedef struct tbl {
    char *source;           /* the path it was read from (for messages) */
    size_t n_rows;          /* data rows, header excluded */
    int n_cols;
    tbl_column *cols;       /* n_cols columns, in file order */
} tbl;

/* A column of a schema: its name, its type, and whether the file must have it. */
typedef struct tbl_colspec {
    const char *name;
    tbl_type type;
    int required;           /* 1: a file without this column is refused */
    int whole;              /* TBL_NUM only. 1: an id: every value present is a whole number of
                             * magnitude at most 2^53 (csv_parse_whole: "100002", "100002.0"),
                             * so it is kept exactly; anything else ("100002.7", " 100002",
                             * 9007199254740993, a 26-digit number) is refused */
} tbl_colspec;

typedef struct tbl_schema {
    const char *table;      /* "application_train", "bureau", ... */
    int n_cols;
    const tbl_colspec *cols;
} tbl_schema;

/* Read a CSV file: header row, quoted fields (commas, doubled quotes, newlines inside
 * quotes), empty field = missing, CRLF or LF, an optional UTF-8 byte-order mark. Numbers
 * are parsed exactly as strtod would, whatever the locale. With a schema, its columns
 * are typed as it says (columns of the file the schema does not know are refused unless
 * the schema is NULL); without one, types are inferred as described above.
 * Returns NULL and fills err on failure. */
tbl *tbl_read_csv(const char *path,         /* file to read */
                  const tbl_schema *schema, /* column types, or NULL to infer */
                  cs_err *err);             /* OUT: why it failed */

/* The same, from bytes in memory (name is used in messages). */
tbl *tbl_read_csv_mem(const char *name, const char *data, size_t len, const tbl_schema *schema,
                      cs_err *err);

/* Options of tbl_read_csv_opts(). Zero-initialise ({0}) for the defaults. */
typedef struct tbl_read_opts {
    const tbl_schema *schema;   /* column types, or NULL to infer (two passes over the file) */
    cs_progress *progress;      /* borrowed; updated with bytes read (total = file size); NULL = none */
    int n_threads;              /* parsing threads; 0 = OpenMP's default */
    size_t block_bytes;         /* bytes read and parsed at a time; 0 = 16 MiB (tests use tiny blocks) */
    int allow_extra;            /* with a schema: 1 = columns it does not know are read as text
                                 * (a recipe lists only the columns it uses), 0 = refused */
} tbl_read_opts;

/* tbl_read_csv() with options (opts may be NULL). Same contract and errors. */
tbl *tbl_read_csv_opts(const char *path, const tbl_read_opts *opts, cs_err *err);

/* tbl_read_csv_mem() with options (opts may be NULL). */
tbl *tbl_read_csv_mem_opts(const char *name, const char *data, size_t len, const tbl_read_opts *opts,
                           cs_err *err);

/* Free a table and everything in it. NULL is allowed. */
void tbl_free(tbl *t);

/* Index of the column with this name, or -1. */
int tbl_col_index(const tbl *t, const char *name);

/* The column with this name, or NULL. */
const tbl_column *tbl_col(const tbl *t, const char *name);

/* ---- a column at a glance ------------------------------------------------------------ */

#define TBL_TOP_MAX 10

/* What `creditscore inspect` prints of a column. */
typedef struct tbl_summary {
    size_t n_missing;           /* NaN values (TBL_NUM) or code -1 (TBL_CAT) */
    double min, median, max;    /* TBL_NUM: over the non-missing values (median of an even
                                 * count = mean of the two middle ones); NaN when none */
    int n_top;                  /* TBL_CAT: entries used in top_code and top_count */
    int32_t top_code[TBL_TOP_MAX];  /* the most frequent codes, most frequent first (ties: lower code) */
    size_t top_count[TBL_TOP_MAX];  /* their counts */
} tbl_summary;

/* Summarise column `col` of t, keeping at most max_top (<= TBL_TOP_MAX) categories.
 * Uses O(n_rows) temporary memory; t is not changed. */
cs_status tbl_summarize(const tbl *t, int col, int max_top, tbl_summary *out, cs_err *err);

/* ---- building a table row by row ---------------------------------------------------
 * For records that do not come from a file: one applicant's rows received as JSON by the
 * API, rows in tests. Each row gives the text of every schema column (NULL or "" =
 * missing), parsed exactly as the CSV reader parses a field, with the same errors. */
typedef struct tbl_builder tbl_builder;

tbl_builder *tbl_builder_create(const char *name,        /* used in messages */
                                const tbl_schema *schema, /* required */
                                cs_err *err);
/* Append a row: fields[k] is the text of schema column k (NULL = missing). */
cs_status tbl_builder_add_row(tbl_builder *b, const char *const *fields, cs_err *err);
/* Finish: returns the table (the builder is freed in all cases). */
tbl *tbl_builder_finish(tbl_builder *b, cs_err *err);
void tbl_builder_free(tbl_builder *b);

#endif /* CS_IO_TBL_H */
