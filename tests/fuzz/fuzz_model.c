/*
 * fuzz_model.c: libFuzzer target for the model file loader (mf_load_bytes, src/model):
 * any bytes must be refused with a message or give a model whose every accessor, the
 * drift sample check and a prediction work, never a crash, a leak or undefined behaviour.
 * The first input byte is a switch: when its low bit is set the file checksum is
 * recomputed before loading, so that mutations reach the section parsers behind the
 * checksum (otherwise nearly every mutation would stop at "checksum mismatch").
 * `make fuzz` runs it.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR_LEN 32
#define DIR_ENTRY 24
#define SAMPLE_TAG 9
#define SAMPLE_HDR 24

static uint64_t _rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* the loader's checksum rule (model.c): [32, lo) and [hi, len) seeded with bytes [0, 24),
 * the drift sample's payload [lo, hi) left out */
static void _fix_checksum(unsigned char *b, size_t len)
{
    uint32_t nsec;
    size_t lo = len, hi = len;
    uint64_t h;
    if (len < HDR_LEN) return;
    memcpy(&nsec, b + 12, 4);
    if (nsec > 64 || HDR_LEN + (uint64_t)nsec * DIR_ENTRY > len) return;
    for (uint32_t i = 0; i < nsec; i++) {
        const unsigned char *d = b + HDR_LEN + (size_t)i * DIR_ENTRY;
        uint32_t tag;
        uint64_t off = _rd64(d + 8), n = _rd64(d + 16);
        memcpy(&tag, d, 4);
        if (tag == SAMPLE_TAG && off <= len && n <= len - off && n >= SAMPLE_HDR && off + SAMPLE_HDR >= 32) {
            lo = (size_t)off + SAMPLE_HDR;
            hi = (size_t)(off + n);
        }
    }
    h = cs_hash64(b + 32, lo - 32, cs_hash64(b, 24, 0));
    h = cs_hash64(b + hi, len - hi, h);
    memcpy(b + 24, &h, 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_err err = {0};
    unsigned char *b;
    mf_model *m;
    if (size < 1) return 0;
    if (!(b = malloc(size))) return 0;
    memcpy(b, data + 1, size - 1);
    if (data[0] & 1) _fix_checksum(b, size - 1);
    m = mf_load_bytes(b, size - 1, &err);
    free(b);
    if (!m) {
        if (!err.msg[0]) abort();   /* a refusal always says why */
        return 0;
    }
    {
        size_t n = mf_n_feats(m), ncurve = 0;
        double *x = malloc((n + 1) * sizeof *x);
        const int64_t *ids;
        const double *target, *values;
        volatile double sink = 0;
        sink += (double)strlen(mf_name(m)) + (double)strlen(mf_version(m));
        for (size_t j = 0; j < n; j++) {
            const char *name = mf_feat_name(m, j);
            if (!name || mf_feat_index(m, name) < 0) abort();
            if (mf_stats(m, j)) sink += mf_stats(m, j)->mean;
            if (mf_hist_of(m, j)) sink += mf_hist_of(m, j)->lo;
        }
        if (mf_cost_curve(m, &ncurve)) sink += (double)ncurve;
        if (mf_sample_check(m, &err) == CS_OK && mf_sample(m, &ids, &target, &values) > 0) sink += target[0];
        if (mf_meta_json(m)) sink += (double)strlen(mf_meta_json(m));
        if (x) {
            for (size_t j = 0; j < n; j++) x[j] = j % 3 ? (double)j : NAN;
            sink += mf_predict_proba(m, x);
            free(x);
        }
        (void)sink;
    }
    mf_free(m);
    return 0;
}
