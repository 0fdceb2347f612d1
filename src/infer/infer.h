/*
 * infer.h: a starting recipe inferred from a lender's own CSV files (`creditscore recipe
 * infer`). The recipe format is docs/recipes.md (parsed by src/recipe); this module only
 * writes one, from what the data shows:
 *
 *   - column types as `inspect` infers them (the strict reader of src/io, no schema): a
 *     column is numeric when every non-empty field is a number, categorical otherwise;
 *   - a categorical column of two values that read as yes/no (Y/N, Yes/No, T/F, True/False,
 *     1/0 as text) is a flag;
 *   - a categorical column with more than INF_MAX_CATEGORIES distinct values, or one whose
 *     values are nearly all distinct, is ignored (free text, an identifier);
 *   - a column with a single value and no missing value is ignored (nothing to learn);
 *   - the id is --id, else a column named id or ending in _id or _ID whose values are distinct
 *     integers, else none: the recipe then numbers the rows (1 = the first data row);
 *   - the target is --target, else a column named target/TARGET/default/label/loan_status/
 *     bad whose values are 0/1, else none (the recipe is then for scoring only);
 *   - a child table (--child NAME=FILE:KEY) links to the main table's id by its column KEY;
 *     its numeric columns get the default aggregations (mean, min, max, sum), its
 *     categorical ones the share of each category, and every child a row count;
 *   - labels are the column names made readable, common abbreviations spelled out
 *     ("loan_amnt" -> "Loan amount", "cb_person_cred_hist_length" -> "Credit bureau person
 *     credit history length"; "person_home_ownership" -> "Person home
 *     ownership"), the same text in English and French (a translator must edit French).
 *
 * Units, sentinels, derived columns, profile and protected fields are never guessed: the
 * user adds them by hand (docs/recipes.md, "What inference gets wrong").
 *
 * Ownership: inf_result_free() frees everything inf_run() returns.
 */
#ifndef CS_INFER_INFER_H
#define CS_INFER_INFER_H

#include "../base/cs.h"
#include "../io/tbl.h"

#define INF_MAX_CATEGORIES 200  /* above this many distinct values a text column is ignored */
#define INF_MAX_CHILDREN 16

/* A child table named on the command line: NAME=FILE:KEY. */
typedef struct inf_child {
    const char *name;           /* the table's name in the recipe */
    const char *path;           /* its CSV file */
    const char *key;            /* its column that holds the main table's id */
} inf_child;

/* What to infer from. Zero-initialise, then set table_path at least. */
typedef struct inf_options {
    const char *table_path;     /* the main table (one row per applicant) */
    const char *table_name;     /* its name in the recipe; NULL = the file name without .csv */
    const char *id_col;         /* NULL = look for one (see above) */
    const char *target_col;     /* NULL = look for one (see above) */
    const inf_child *children;  /* n_children child tables (borrowed) */
    int n_children;
    const char *recipe_name;    /* the recipe's "name"; NULL = the main table's name */
} inf_options;

/* The inferred recipe and what was decided, column by column. */
typedef struct inf_result {
    char *json;                 /* the recipe, pretty-printed JSON text, ends with a newline */
    int n_notes;
    char **notes;               /* one line per decision ("loan_status: target (0/1)") */
} inf_result;

/* Parse a --child argument "NAME=FILE:KEY" into out (pointers into a copy the caller frees
 * with free(*buf)). CS_EINVAL naming what is missing. */
cs_status inf_parse_child(const char *arg, inf_child *out, char **buf, cs_err *err);

/* Infer a recipe from the tables of o. Reads every file (the reader's file:line:column
 * errors for a malformed one); an --id or --target that the main table lacks, a --child
 * KEY its file lacks, a child without an id in the main table, or two tables of the same
 * name are CS_EINVAL / CS_ENOTFOUND naming the option. The recipe written is parsed back
 * with rcp_parse_string before it is returned (CS_EINTERNAL if the parser refuses it).
 * Returns NULL and fills err on failure. */
inf_result *inf_run(const inf_options *o, cs_err *err);

/* The same from tables already read (tests; o->table_path and the children's paths then
 * only give the file names written into the recipe). */
inf_result *inf_run_tables(const inf_options *o, const tbl *main_table, const tbl *const *children,
                           cs_err *err);

void inf_result_free(inf_result *r);

/* The readable label of a column name: words split at '_', '.', '-' and spaces, common
 * abbreviations spelled out (amt, amnt, emp, cnt, num, pct, cred, hist, cb, avg, ...; "int"
 * before "rate" is interest), the first letter upper case, the rest as written when the
 * name mixes cases, lower case when it is all capitals ("AMT_INCOME_TOTAL" -> "Amount
 * income total"). Writes at most cap bytes (NUL included), truncating a long label. */
void inf_label(const char *name, char *out, size_t cap);

#endif /* CS_INFER_INFER_H */
