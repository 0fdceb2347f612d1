/*
 * io_driver.c: the oracle tests' window on the CSV reader: reads one CSV file (schema by
 * file name, else inferred) and prints every column as one JSON line
 * {"name": ..., "type": "num"|"cat", "values": [...]}, numbers as %.17g (exact round trip,
 * null for NaN, "inf"/"-inf" strings), categories as strings (null for missing). Bytes
 * outside ASCII are written as they are, so the reader of this output decodes it with the
 * file's own encoding.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "io/hc_schema.h"
#include "io/tbl.h"

static void _str(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') printf("\\%c", *p);
        else if (*p < 0x20) printf("\\u%04x", *p);
        else putchar(*p);
    }
    putchar('"');
}

int main(int argc, char **argv)
{
    cs_err err = {0};
    int h;
    tbl *t;
    if (argc != 2) {
        fprintf(stderr, "usage: io_driver FILE.csv\n");
        return 2;
    }
    h = hc_table_from_file(argv[1]);
    t = tbl_read_csv(argv[1], h >= 0 ? hc_schema((hc_table)h) : NULL, &err);
    if (!t) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    for (int k = 0; k < t->n_cols; k++) {
        const tbl_column *c = &t->cols[k];
        printf("{\"name\": ");
        _str(c->name);
        printf(", \"type\": \"%s\", \"values\": [", c->type == TBL_NUM ? "num" : "cat");
        for (size_t i = 0; i < t->n_rows; i++) {
            if (i) putchar(',');
            if (c->type == TBL_NUM) {
                double v = c->num[i];
                if (isnan(v)) printf("null");
                else if (isinf(v)) printf(v > 0 ? "\"inf\"" : "\"-inf\"");
                else if (v == 0 && signbit(v)) printf("-0.0");
                else printf("%.17g", v);
            } else if (c->codes[i] < 0) {
                printf("null");
            } else {
                _str(c->cats[c->codes[i]]);
            }
        }
        printf("]}\n");
    }
    tbl_free(t);
    return 0;
}
