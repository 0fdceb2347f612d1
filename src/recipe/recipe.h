/*
 * recipe.h: a feature recipe, the data a library cannot know about a credit data set
 * (docs/recipes.md is the format reference, recipes/recipe.schema.json its JSON Schema).
 *
 * A recipe names the tables of a data set (one root table, one row per applicant, and child
 * tables linked to a parent through several levels), their columns with a role, sentinel
 * values that mean missing, labels in English and French, a display unit and the flags
 * profile / protected / actionable; derived columns (ratios, differences, products, flags);
 * encodings of categorical columns (one-hot with or without a _nan column, factorize); and
 * aggregations of a child table per parent key (count, size, sum, mean, min, max, var, nunique,
 * first/last by an order column, share of each category), optionally filtered by `where`.
 *
 * Feature names follow one rule (docs/recipes.md, "Names"): a root column keeps its name, a
 * one-hot dummy is <COL>_<category>, an aggregate is <PREFIX>_<COL>_<OP> (<PREFIX>_<COL>_<cat>_MEAN
 * for a share), which reproduces the Home Credit kernel's BURO_DAYS_CREDIT_MEAN, ACTIVE_...,
 * CC_..._VAR.
 *
 * Lifecycle: rcp_parse_file / rcp_parse_string return a recipe checked in its structure (types,
 * known keys, known roles and operations, references between tables and columns, cycles,
 * duplicate names, a mean of a categorical), every error naming the JSON path:
 *   "recipe.json: tables[2].aggs[5]: mean of categorical column CREDIT_ACTIVE (use share)".
 * rcp_check_data then checks it against a data folder (files present, columns in their
 * headers) before any work. rcp_free frees. The struct is read-only for every caller and
 * owns every pointer inside it.
 *
 * Metadata (labels, units, formatting, profile / protected / actionable) of a table column or
 * of an output feature name: rcp_meta_*; serving, explaining and the dashboard call these
 * without knowing the engine.
 */
#ifndef CS_RECIPE_RECIPE_H
#define CS_RECIPE_RECIPE_H

#include "../base/cs.h"

#define RCP_FORMAT_VERSION 1

/* The root's key when the data has no id column: the row number. */
#define RCP_ROW_KEY "@row"

/* ---- the in-memory recipe ------------------------------------------------------------ */

typedef enum rcp_role {
    RCP_ROLE_ID = 0,      /* the row's key (root) or its own key (child); never a feature */
    RCP_ROLE_TARGET,      /* the 0/1 outcome (root only); never a feature */
    RCP_ROLE_NUMERIC,     /* a number */
    RCP_ROLE_CATEGORICAL, /* text categories (encoded, or aggregated by share/nunique/count) */
    RCP_ROLE_FLAG,        /* 0/1, or Y/N, yes/no, true/false (read as 1/0) */
    RCP_ROLE_DAYS,        /* a number of days relative to the application (negative = before) */
    RCP_ROLE_DATE,        /* an ISO date YYYY-MM-DD, read as days since 1970-01-01 */
    RCP_ROLE_IGNORE,      /* read if present, never used */
    RCP_ROLE_N
} rcp_role;

/* How a value is shown to a person (rcp_meta_format). */
typedef enum rcp_unit {
    RCP_UNIT_NONE = 0,      /* a plain number */
    RCP_UNIT_COUNT,         /* a whole number of things */
    RCP_UNIT_CURRENCY,      /* an amount, shown with the recipe's currency */
    RCP_UNIT_SHARE,         /* a fraction in [0, 1], shown as a percentage */
    RCP_UNIT_PERCENT,       /* already a percentage (12.5 -> "12.5%") */
    RCP_UNIT_RATIO,         /* a ratio, shown with three significant digits */
    RCP_UNIT_AGE_DAYS,      /* days before the application, shown as whole years of age */
    RCP_UNIT_DURATION_DAYS, /* days before the application, shown as years (one decimal) */
    RCP_UNIT_DAYS,          /* a number of days, shown as days */
    RCP_UNIT_MONTHS,        /* a number of months */
    RCP_UNIT_YEARS,         /* a number of years */
    RCP_UNIT_FLAG,          /* 0/1 shown as no/yes */
    RCP_UNIT_N
} rcp_unit;

/* The encoding of a categorical column of the root table, or of any table before its
 * aggregation (one-hot dummies are then columns of that table, <COL>_<category>). */
typedef enum rcp_encode {
    RCP_ENC_NONE = 0,    /* not encoded (child tables: only share/nunique/count/first/last) */
    RCP_ENC_ONEHOT,      /* one 0/1 column per category seen in training, Python string order */
    RCP_ENC_ONEHOT_NAN,  /* the same plus <COL>_nan, 1 where the value is missing */
    RCP_ENC_FACTORIZE    /* one column of codes 0, 1, ... by first appearance, -1 missing */
} rcp_encode;

/* A label in English and French (either may be NULL when not given). */
typedef struct rcp_label {
    char *en;
    char *fr;
} rcp_label;

/* A label for one category value of a column. */
typedef struct rcp_cat_label {
    char *value;
    rcp_label label;
} rcp_cat_label;

/* Operations of a derived column. */
typedef enum rcp_op {
    RCP_OP_ADD = 0, RCP_OP_SUB, RCP_OP_MUL, RCP_OP_DIV, /* IEEE arithmetic: x/0 = +-inf, 0/0 NaN */
    RCP_OP_GT, RCP_OP_GE, RCP_OP_LT, RCP_OP_LE, RCP_OP_EQ, RCP_OP_NE, /* 1 / 0; NaN in: NaN */
    RCP_OP_N
} rcp_op;

/* An operand: a column of the same table (earlier column or derived column) or a number. */
typedef struct rcp_operand {
    char *column;   /* NULL when the operand is a constant */
    double value;   /* the constant */
} rcp_operand;

typedef struct rcp_derive {
    rcp_op op;
    rcp_operand a, b;
    int positive;   /* "then": "positive": x > 0 ? x : 0 afterwards (NaN -> 0, as the kernel) */
} rcp_derive;

/* Which way an actionable input may move to help an applicant (counterfactuals). */
typedef enum rcp_dir {
    RCP_DIR_ANY = 0,       /* either way */
    RCP_DIR_DECREASE,      /* only down (a smaller credit amount) */
    RCP_DIR_INCREASE       /* only up (a larger down payment) */
} rcp_dir;

/* How an actionable input may change ("actionable" given as an object; docs/recipes.md,
 * "Actionable inputs"): the counterfactual search (src/cf) moves it within these limits. */
typedef struct rcp_action {
    rcp_dir direction;
    double min, max;       /* absolute bounds; NaN = none given (the training range is used) */
    double step;           /* proposed values are multiples of step; 0 = none given */
    char *at_most;         /* a root column this one must stay at or below (annuity <= credit), or NULL */
    char *at_least;        /* a root column this one must stay at or above, or NULL */
    int n_scales;
    char **scales;         /* root columns that move in proportion with it (the annuity with the
                            * credit amount: the same term) */
} rcp_action;

/* A column of a table: read from the file, or derived (derive != NULL). */
typedef struct rcp_column {
    char *name;
    rcp_role role;
    int text;              /* id columns only: 1 = keys are text (default: numbers) */
    char *true_value;      /* flag columns: the text meaning 1 (others 0); NULL = the usual
                            * spellings (1/0, Y/N, yes/no, true/false, any case) */
    int required;          /* 1 (default): a file without it is refused; 0: missing = NaN */
    int n_sentinels;
    double *sentinels;     /* values that mean missing (Home Credit's 365243 days) */
    rcp_encode encode;
    int nan_category;      /* categorical: a missing value is a category of its own ("nan")
                            * for one-hot dummies and shares */
    rcp_label label;       /* NULL en: the column name is shown */
    rcp_unit unit;
    int profile;           /* shown on the client card */
    int protected_attr;    /* a protected attribute (fairness reports; never a reason to act on) */
    int actionable;        /* the client can change it (counterfactual reasons) */
    rcp_action *action;    /* "actionable" given as an object (root numeric file columns only):
                            * how the counterfactual search may move it; NULL otherwise */
    int n_cat_labels;
    rcp_cat_label *cat_labels;
    rcp_label share_label; /* template for share aggregates, "{category}" replaced; may be NULL */
    rcp_derive *derive;    /* derived columns only */
} rcp_column;

typedef enum rcp_agg {
    RCP_AGG_MIN = 0, RCP_AGG_MAX, RCP_AGG_MEAN, RCP_AGG_SUM, RCP_AGG_VAR, RCP_AGG_SIZE,
    RCP_AGG_COUNT, RCP_AGG_NUNIQUE, RCP_AGG_FIRST, RCP_AGG_LAST, RCP_AGG_SHARE,
    RCP_AGG_N
} rcp_agg;

#define RCP_MAX_OPS 16

/* One aggregation entry of a child table: ops of one column (or of every column matching a
 * glob with '*', or of the rows themselves when column is NULL: count / size only), over
 * the rows of each parent key, optionally only the rows whose `where` column is one of
 * where_values. Its outputs become columns of the parent table (features when the parent is
 * the root), in entry order, ops in the order given. */
typedef struct rcp_aggspec {
    char *column;          /* a column name, a glob, or NULL for the rows */
    int n_ops;
    rcp_agg ops[RCP_MAX_OPS];
    char *prefix;          /* the name prefix: the entry's, else the table's ("" = none) */
    char *where_column;    /* NULL = every row */
    int n_where;
    char **where_values;   /* categories selected */
    rcp_label where_label; /* label of the selected rows ("Active bureau credits") */
    char *order_by;        /* first/last: the ordering column (NULL = file order) */
    char *name;            /* explicit output name (one op only), or NULL for the rule */
} rcp_aggspec;

/* A row filter of a table: rows whose column is one of values are dropped on reading. */
typedef struct rcp_drop {
    char *column;
    int n_values;
    char **values;
} rcp_drop;

typedef struct rcp_table {
    char *name;            /* the table's name (raw records in the API use it) */
    int n_files;
    char **files;          /* file names relative to the data folder; rows concatenated */
    int optional;          /* 1: the table may be absent (its aggregates are then NaN) */
    char *key;             /* the id column: one row per key (root), or the child's own key;
                            * RCP_ROW_KEY ("@row") in the root: the row number is the id (1 = the
                            * first data row of the first file), for data without an id column */
    char *parent;          /* NULL for the root */
    char *link;            /* a child's column holding the parent's key */
    char *prefix;          /* default prefix of its aggregates; NULL = none */
    rcp_label label;       /* "Previous applications" */
    int n_drops;
    rcp_drop *drops;
    int n_cols;
    rcp_column *cols;      /* file columns, in the order given */
    int n_derived;
    rcp_column *derived;   /* derived columns, computed in order after reading */
    int n_aggs;
    rcp_aggspec *aggs;     /* aggregations into the parent (children only) */
    int parent_index;      /* index of parent in the recipe's tables, -1 for the root */
    int depth;             /* 0 for the root */
} rcp_table;

typedef struct rcp_recipe {
    char *source;          /* the file name (or the name given) used in messages */
    char *text;            /* the JSON text it was parsed from (a model file carries it) */
    char *name;
    char *description;
    char *currency;        /* display currency code ("USD"), NULL = none */
    int n_tables;
    rcp_table *tables;     /* tables[root] is the root */
    int root;
} rcp_recipe;

/* ---- parsing and checking -------------------------------------------------------------- */

/* Parse and check a recipe from a JSON file. On failure returns NULL and err says
 * "<file>: <json path>: <what>" (or "<file>:<line>:<col>: ..." for JSON that does not parse). */
rcp_recipe *rcp_parse_file(const char *path, cs_err *err);

/* The same from text in memory; name is used in messages (and kept as source). */
rcp_recipe *rcp_parse_string(const char *name, const char *json, size_t len, cs_err *err);

/* Free a recipe. NULL is allowed. */
void rcp_free(rcp_recipe *r);

/* Check a parsed recipe against the data folder dir: every required table has a file (at
 * least one of a table's files for the root), every required column is in its file's
 * header. Messages "recipe.json: tables[1].columns[3]: column AMT_X is not in bureau.csv".
 * Reads only the header line of each file. */
cs_status rcp_check_data(const rcp_recipe *r, const char *dir, cs_err *err);

/* The index of the table named name, or -1. */
int rcp_table_index(const rcp_recipe *r, const char *name);

/* The column (file or derived) named name of table t, or NULL. */
const rcp_column *rcp_table_column(const rcp_table *t, const char *name);

/* The naming rule: the output name of operation op of aggregation a over column col (NULL
 * for the rows' count/size) and, for a share, category cat: a's explicit name, else
 * <prefix>_<col>_<OP>, <prefix>_<col>_<cat>_MEAN for a share, <prefix>_COUNT for the rows
 * (no "<prefix>_" when the prefix is empty). Returns the length (truncated to cap - 1). */
size_t rcp_agg_output_name(const rcp_aggspec *a, const char *col, const char *cat, rcp_agg op, char *out,
                           size_t cap);

/* 1 when the aggregation pattern pat ('*' matches any run of characters) matches name. */
int rcp_glob_match(const char *pat, const char *name);

/* The value of a derived column from its operands' values (IEEE arithmetic, comparisons
 * 1 / 0 with NaN in giving NaN, then "positive"): the one definition the feature engine and
 * the counterfactual search both use. */
double rcp_derive_apply(const rcp_derive *d, double a, double b);

/* The names of roles, units, encodings, aggregations and ops as the JSON spells them. */
const char *rcp_role_name(rcp_role r);
const char *rcp_unit_name(rcp_unit u);
const char *rcp_agg_name(rcp_agg a);      /* "min", ..., "share" */
const char *rcp_agg_suffix(rcp_agg a);    /* "MIN", ..., "MEAN" for share (the naming rule) */
const char *rcp_dir_name(rcp_dir d);      /* "any", "decrease", "increase" */

/* ---- metadata ------------------------------------------------------------------------- */

typedef enum rcp_lang { RCP_EN = 0, RCP_FR = 1 } rcp_lang;

/* What a name (a column of the root table, or an output feature) means to a person. */
typedef struct rcp_meta {
    const rcp_table *table;   /* the table the value comes from (the child for an aggregate) */
    const rcp_column *column; /* its column, NULL for a row count */
    int is_aggregate;         /* 1 for an aggregate feature */
    rcp_agg agg;              /* the aggregation (is_aggregate) */
    const rcp_aggspec *spec;  /* the aggregation entry (is_aggregate) */
    char category[128];       /* a dummy's or a share's category ("" for none) */
    rcp_unit unit;            /* the display unit of the value */
    int profile, protected_attr, actionable; /* of the underlying column */
} rcp_meta;

/* Look up a root column name or an output feature name (as the naming rule builds them).
 * Returns 1 and fills out when it is known, 0 otherwise (out is then zeroed). */
int rcp_meta_lookup(const rcp_recipe *r, const char *name, rcp_meta *out);

/* The readable label of a name in lang, written to out (cap bytes, always terminated):
 * the column's label, "<label>: <category>" for a dummy, and for an aggregate the table's
 * label, the op and the column's, e.g. "Previous applications: share with a low-action
 * yield group", "Bureau credits: average of Credit amount". An unknown name is copied as
 * is. Returns the length written (truncated to cap - 1). */
size_t rcp_meta_label(const rcp_recipe *r, const char *name, rcp_lang lang, char *out, size_t cap);

/* The display unit of a name (RCP_UNIT_NONE when unknown). */
rcp_unit rcp_meta_unit(const rcp_recipe *r, const char *name);

/* Format value v of a name for a person, in lang: "51 years" / "51 ans" for an age in days,
 * "270,000 USD" / "270 000 USD" for an amount, "25.3%" / "25,3 %" for a share, "—" for NaN.
 * Returns the length written (truncated to cap - 1). */
size_t rcp_meta_format(const rcp_recipe *r, const char *name, double v, rcp_lang lang, char *out,
                       size_t cap);

/* The same with a unit given directly (no lookup). */
size_t rcp_format_value(rcp_unit unit, const char *currency, double v, rcp_lang lang, char *out,
                        size_t cap);

/* A raw text value of root column name as a person reads it, in lang: a categorical column's
 * category label (its "category_labels"), a flag's "yes" / "no" ("oui" / "non": its
 * true_value, or Y/Yes/T/True/1 and N/No/F/False/0). Returns 1 and writes out (cap bytes,
 * always terminated) when the recipe gives the value a label, 0 otherwise (out untouched). */
int rcp_meta_value_label(const rcp_recipe *r, const char *name, const char *value, rcp_lang lang, char *out,
                         size_t cap);

/* Whether a name is a profile field, a protected attribute, actionable (0 when unknown). */
int rcp_meta_is_profile(const rcp_recipe *r, const char *name);
int rcp_meta_is_protected(const rcp_recipe *r, const char *name);
int rcp_meta_is_actionable(const rcp_recipe *r, const char *name);

/* The profile fields: the root table's columns with profile: true, in recipe order. Fills
 * out[0..cap) with borrowed pointers and returns how many there are (may exceed cap). */
int rcp_profile_fields(const rcp_recipe *r, const rcp_column **out, int cap);

/* The recipe's inputs as JSON (for /v1/model): {"recipe": name, "tables": [{"name",
 * "files", "key", "parent", "link", "columns": [{"name", "role", "required", "label", and
 * when set "unit", "profile", "protected", "actionable", "category_labels": {value: label}}]}]}.
 * Appended to out. */
cs_status rcp_inputs_json(const rcp_recipe *r, cs_buf *out, cs_err *err);

#endif /* CS_RECIPE_RECIPE_H */
