/*
 * fuzz_csv.c: libFuzzer target for the CSV reader (src/io/tbl_read.c): any bytes must give
 * either a table whose every code is in range, or a parse error that names the input, a
 * line and a column; never a crash, a leak or undefined behaviour. The first byte picks
 * the schema (none, bureau_balance, or a small mixed one) and the block size, so the
 * block and thread paths are fuzzed too. `make fuzz` runs it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/hc_schema.h"
#include "io/tbl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const tbl_colspec _cols[] = {{"a", TBL_NUM, 1, 0}, {"b", TBL_CAT, 1, 0}, {"c", TBL_NUM, 0, 0}};
static const tbl_schema _mixed = {"mixed", 3, _cols};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tbl_read_opts o = {0};
    cs_err err = {0};
    tbl *t;
    uint8_t sel;
    if (size < 1) return 0;
    sel = data[0];
    o.schema = (sel & 3) == 0 ? NULL : (sel & 3) == 1 ? hc_schema(HC_BUREAU_BALANCE) : &_mixed;
    o.block_bytes = (sel >> 2) & 1 ? 0 : 1 + (sel >> 3);
    o.n_threads = 1 + ((sel >> 7) & 1);
    t = tbl_read_csv_mem_opts("f.csv", (const char *)data + 1, size - 1, &o, &err);
    if (!t) {
        if (strncmp(err.msg, "f.csv:", 6)) abort();
        return 0;
    }
    for (int k = 0; k < t->n_cols; k++) {
        const tbl_column *c = &t->cols[k];
        if (c->type != TBL_CAT) continue;
        for (size_t i = 0; i < t->n_rows; i++)
            if (c->codes[i] < -1 || c->codes[i] >= c->n_cats) abort();
    }
    tbl_free(t);
    return 0;
}
