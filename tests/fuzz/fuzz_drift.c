/*
 * fuzz_drift.c: libFuzzer target for the drift command's inputs: two CSV files (the input
 * split at its first line "%%"; the reference before, the current after) are read as the
 * drift command reads them (drift_dataset_load: a Home Credit schema chosen by the file
 * name, or types inferred), compared (drift_compare) and reported as JSON and HTML. The
 * first input byte picks the file names (plain or application_train.csv/bureau.csv) and
 * whether the current file is the reference again. Any bytes must give a report or an
 * error with a message, never a crash, a leak or undefined behaviour. `make fuzz` runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "drift/drift.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* remove the input's temporary files and folders */
static void _cleanup(const char *dir)
{
    static const char *const rel[] = {"ref.csv", "cur.csv", "a/application_train.csv", "b/application_train.csv",
                                      "a/bureau.csv", "b/bureau.csv", "a", "b", ""};
    char p[128];
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, rel[i]);
        remove(p);
    }
}

static void _write(const char *p, const uint8_t *d, size_t n)
{
    FILE *f = fopen(p, "wb");
    if (!f) abort();
    if (n && fwrite(d, 1, n, f) != n) abort();
    if (fclose(f)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[][2] = {{"ref.csv", "cur.csv"},
                                           {"a/application_train.csv", "b/application_train.csv"},
                                           {"a/bureau.csv", "b/bureau.csv"},
                                           {"ref.csv", "b/bureau.csv"}};
    char pr[128], pc[128];
    const uint8_t *sep;
    size_t nr, off;
    cs_err err = {0};
    drift_dataset *r = NULL, *c = NULL;
    drift_report *rep;
    drift_options o;
    char dir[64];
    uint8_t sel;
    if (size < 1) return 0;
    {   /* one temporary folder per input, removed at the end */
        char sub[96];
        snprintf(dir, sizeof dir, "/tmp/fuzz_drift_XXXXXX");
        if (!mkdtemp(dir)) abort();
        snprintf(sub, sizeof sub, "%s/a", dir);
        if (mkdir(sub, 0700)) abort();
        snprintf(sub, sizeof sub, "%s/b", dir);
        if (mkdir(sub, 0700)) abort();
    }
    sel = data[0];
    data++;
    size--;
    sep = memmem(data, size, "\n%%\n", 4);
    nr = sep ? (size_t)(sep - data) + 1 : size;
    off = sep ? nr + 3 : size;
    snprintf(pr, sizeof pr, "%s/%s", dir, names[sel & 3][0]);
    snprintf(pc, sizeof pc, "%s/%s", dir, names[sel & 3][1]);
    _write(pr, data, nr);
    _write(pc, data + off, size - off);
    if (!(r = drift_dataset_load(pr, &err))) goto done;
    if (!(c = drift_dataset_load((sel >> 2) & 1 ? pr : pc, &err))) goto done;
    drift_options_init(&o);
    if ((rep = drift_compare(r, c, &o, &err))) {
        char *j = drift_report_json(rep, &err), *h = j ? drift_report_html(rep, &err) : NULL;
        if (!j || !h) abort();     /* a report always renders */
        free(j);
        free(h);
        drift_report_free(rep);
    }
done:
    if (!r || !c) {
        if (!err.msg[0]) abort();
    }
    drift_dataset_free(r);
    drift_dataset_free(c);
    _cleanup(dir);
    return 0;
}
