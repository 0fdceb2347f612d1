/*
 * table.h: aligned text tables for the terminal. Collect rows of strings, then print them
 * with each column as wide as its widest cell; numbers (cells that parse as a number)
 * are right-aligned, text left-aligned.
 */
#ifndef CS_CLI_TABLE_H
#define CS_CLI_TABLE_H

#include <stdio.h>

typedef struct cli_table cli_table;

cli_table *cli_table_create(int n_cols);
/* Append a row of n_cols cells (copied; NULL prints as empty). */
int cli_table_add(cli_table *t, const char *const *cells);
/* Append a row from printf-style cells: one format per column, separated by '\t' in fmt.
 * Example: cli_table_addf(t, "%s\t%.4f", name, auc). Returns 0, -1 on allocation failure. */
int cli_table_addf(cli_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print; a rule of dashes follows the first row (the header). */
void cli_table_print(const cli_table *t, FILE *out);
void cli_table_free(cli_table *t);

#endif /* CS_CLI_TABLE_H */
