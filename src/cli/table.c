/*
 * table.c: aligned text tables (see table.h).
 */
#include "table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct cli_table {
    int n_cols;
    size_t n_rows, cap;
    char **cells;       /* n_rows * n_cols */
};

cli_table *cli_table_create(int n_cols)
{
    cli_table *t = calloc(1, sizeof *t);
    if (t) t->n_cols = n_cols;
    return t;
}

int cli_table_add(cli_table *t, const char *const *cells)
{
    if (t->n_rows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        char **p = realloc(t->cells, cap * (size_t)t->n_cols * sizeof *p);
        if (!p) return -1;
        t->cells = p;
        t->cap = cap;
    }
    for (int j = 0; j < t->n_cols; j++) {
        char *c = strdup(cells[j] ? cells[j] : "");
        if (!c) return -1;
        t->cells[t->n_rows * (size_t)t->n_cols + (size_t)j] = c;
    }
    t->n_rows++;
    return 0;
}

int cli_table_addf(cli_table *t, const char *fmt, ...)
{
    char *line = NULL, *save = NULL, *tok;
    const char **cells = calloc((size_t)t->n_cols, sizeof *cells);
    va_list ap;
    int rc, j = 0;

    if (!cells) return -1;
    va_start(ap, fmt);
    rc = vasprintf(&line, fmt, ap);
    va_end(ap);
    if (rc < 0) {
        free(cells);
        return -1;
    }
    for (tok = strtok_r(line, "\t", &save); tok && j < t->n_cols; tok = strtok_r(NULL, "\t", &save))
        cells[j++] = tok;
    rc = cli_table_add(t, cells);
    free(line);
    free(cells);
    return rc;
}

static int _is_number(const char *s)
{
    char *end;
    if (!*s) return 0;
    strtod(s, &end);
    while (*end == ' ' || *end == '%') end++;
    return *end == '\0';
}

void cli_table_print(const cli_table *t, FILE *out)
{
    size_t *w = calloc((size_t)t->n_cols, sizeof *w);
    if (!w) return;
    for (size_t i = 0; i < t->n_rows; i++)
        for (int j = 0; j < t->n_cols; j++) {
            size_t n = strlen(t->cells[i * (size_t)t->n_cols + (size_t)j]);
            if (n > w[j]) w[j] = n;
        }
    for (size_t i = 0; i < t->n_rows; i++) {
        for (int j = 0; j < t->n_cols; j++) {
            const char *c = t->cells[i * (size_t)t->n_cols + (size_t)j];
            int right = i > 0 && _is_number(c);
            int last = j == t->n_cols - 1;
            if (right) fprintf(out, "%*s", (int)w[j], c);
            else if (last) fputs(c, out);
            else fprintf(out, "%-*s", (int)w[j], c);
            if (!last) fputs("  ", out);
        }
        fputc('\n', out);
        if (i == 0) {
            for (int j = 0; j < t->n_cols; j++) {
                for (size_t k = 0; k < w[j]; k++) fputc('-', out);
                if (j < t->n_cols - 1) fputs("  ", out);
            }
            fputc('\n', out);
        }
    }
    free(w);
}

void cli_table_free(cli_table *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n_rows * (size_t)t->n_cols; i++) free(t->cells[i]);
    free(t->cells);
    free(t);
}
