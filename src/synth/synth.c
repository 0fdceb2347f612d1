/*
 * synth.c: the generator's driver. First the plan (who is in train or test, which train
 * clients carry the 4 XNA genders, how many bureau and previous records each client has,
 * hence every SK_ID_BUREAU and SK_ID_PREV, and the intercept that gives 8.07 % defaults);
 * then blocks of clients generated in parallel into memory, each client from its own
 * random stream, and written in block order so that the bytes never depend on the number
 * of threads. Files are written as NAME.tmp and renamed once all eight are complete.
 */
#include "synth_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define BLOCK_CLIENTS 1024
#define MAX_CLIENTS 20000000ULL     /* SK_ID_CURR stays well inside 32 bits */

/* ---- parameters ---------------------------------------------------------------------- */

void synth_params_default(synth_params *p)
{
    memset(p, 0, sizeof *p);
    p->n_train = 307511;
    p->n_test = 48744;
    p->seed = 42;
}

cs_status synth_params_check(const synth_params *p, cs_err *err)
{
    if (!p->out_dir || !*p->out_dir) return cs_err_set(err, CS_EINVAL, "no output folder given");
    if (p->n_train < 1) return cs_err_set(err, CS_EINVAL, "the number of train clients must be at least 1");
    if (p->n_train > MAX_CLIENTS || p->n_test > MAX_CLIENTS || p->n_train + p->n_test > MAX_CLIENTS)
        return cs_err_set(err, CS_EINVAL, "at most %llu clients in all (train + test)",
                          (unsigned long long)MAX_CLIENTS);
    return CS_OK;
}

/* ---- the plan ------------------------------------------------------------------------ */

void synth_plan_free(synth_plan *p)
{
    if (!p) return;
    free(p->flags);
    free(p->bureau_off);
    free(p->prev_off);
    free(p);
}

int64_t synth_id_bureau(const synth_plan *p, uint64_t client, int k)
{
    /* a little sparser than one id per record, like the real ids (1.7 M rows over 1.84 M) */
    return SYNTH_ID_BUREAU0 + (int64_t)floor((double)(p->bureau_off[client] + (uint64_t)k) * 1.07);
}

int64_t synth_id_prev(const synth_plan *p, uint64_t client, int k)
{
    return SYNTH_ID_PREV0 + (int64_t)floor((double)(p->prev_off[client] + (uint64_t)k) * 1.1);
}

synth_plan *synth_plan_create(uint64_t n_train, uint64_t n_test, uint64_t seed, cs_err *err)
{
    synth_plan *p = cs_calloc(1, sizeof *p, err);
    double *z = NULL;
    uint32_t *nb = NULL, *np = NULL;
    cs_rng m;
    uint64_t left_train = n_train, left = n_train + n_test, rank = 0;
    double lo = -20, hi = 20;

    if (!p) return NULL;
    p->n = n_train + n_test;
    p->n_train = n_train;
    p->n_test = n_test;
    p->seed = seed;
    p->flags = cs_calloc(p->n, 1, err);
    p->bureau_off = cs_calloc(p->n + 1, sizeof *p->bureau_off, err);
    p->prev_off = cs_calloc(p->n + 1, sizeof *p->prev_off, err);
    z = cs_calloc(p->n, sizeof *z, err);
    nb = cs_calloc(p->n, sizeof *nb, err);
    np = cs_calloc(p->n, sizeof *np, err);
    if (!p->flags || !p->bureau_off || !p->prev_off || !z || !nb || !np) goto fail;

    /* train and test ids interleave at random (selection sampling: exactly n_train) */
    cs_rng_seed(&m, seed ^ 0x7261696e74657374ULL);
    for (uint64_t i = 0; i < p->n; i++) {
        if (cs_rng_below(&m, left) < left_train) {
            p->flags[i] = SYNTH_F_TRAIN;
            /* the 4 XNA genders of the real train table, spread over the train clients */
            if (n_train >= 4) {
                for (uint64_t j = 0; j < 4; j++)
                    if (rank == (uint64_t)((double)(2 * j + 1) * (double)n_train / 8.0))
                        p->flags[i] |= SYNTH_F_XNA;
            }
            rank++;
            left_train--;
        }
        left--;
    }

    /* every client's core: history sizes and risk logit */
#pragma omp parallel for schedule(dynamic, 256)
    for (uint64_t i = 0; i < p->n; i++) {
        cs_rng r;
        synth_client c;
        cs_rng_seed_stream(&r, seed, i);
        synth_client_core(&r, i, p->flags[i], &c);
        z[i] = c.z;
        nb[i] = (uint32_t)c.n_bureau;
        np[i] = (uint32_t)c.n_prev;
    }
    for (uint64_t i = 0; i < p->n; i++) {
        p->bureau_off[i + 1] = p->bureau_off[i] + nb[i];
        p->prev_off[i + 1] = p->prev_off[i] + np[i];
    }

    /* the intercept that gives the real default rate on these train clients */
    for (int it = 0; it < 60; it++) {
        double mid = 0.5 * (lo + hi), sum = 0;
        for (uint64_t i = 0; i < p->n; i++)
            if (p->flags[i] & SYNTH_F_TRAIN) sum += synth_sigmoid(mid + z[i]);
        if (sum / (double)n_train > 0.080729) hi = mid;
        else lo = mid;
    }
    p->intercept = 0.5 * (lo + hi);
    free(z);
    free(nb);
    free(np);
    return p;
fail:
    free(z);
    free(nb);
    free(np);
    synth_plan_free(p);
    return NULL;
}

/* ---- blocks -------------------------------------------------------------------------- */

void synth_block_reset(synth_block *b)
{
    for (int t = 0; t < HC_N_TABLES; t++) {
        b->out[t].len = 0;
        if (b->out[t].data) b->out[t].data[0] = '\0';
        b->rows[t] = 0;
    }
    b->n_target1 = 0;
}

void synth_block_free(synth_block *b)
{
    if (!b) return;
    for (int t = 0; t < HC_N_TABLES; t++) cs_buf_free(&b->out[t]);
}

cs_status synth_gen_block(const synth_plan *p, uint64_t first, uint64_t count, synth_block *b,
                          cs_err *err)
{
    synth_client c;
    double vt[SYNTH_APP_NCOL];
    const char *st[SYNTH_APP_NCOL];
    int n_train_cols, n_test_cols;
    const synth_colfmt *ftrain = synth_table_fmt(HC_APPLICATION_TRAIN, &n_train_cols);
    const synth_colfmt *ftest = synth_table_fmt(HC_APPLICATION_TEST, &n_test_cols);

    if (first + count > p->n || first + count < first)
        return cs_err_set(err, CS_EINVAL, "clients %llu..%llu outside the plan's %llu",
                          (unsigned long long)first, (unsigned long long)(first + count),
                          (unsigned long long)p->n);
    for (uint64_t i = first; i < first + count; i++) {
        cs_rng r;
        cs_status s;
        cs_rng_seed_stream(&r, p->seed, i);
        synth_client_core(&r, i, p->flags[i], &c);
        if (c.is_train) {
            c.v[A_TARGET] = cs_rng_uniform(&r) < synth_sigmoid(p->intercept + c.z) ? 1 : 0;
            b->n_target1 += c.v[A_TARGET] > 0;
            s = synth_emit_row(&b->out[HC_APPLICATION_TRAIN], ftrain, n_train_cols, c.v, c.s, err);
            if (s) return s;
            b->rows[HC_APPLICATION_TRAIN]++;
        } else {
            /* the test table is the train table without TARGET (column 1) */
            (void)cs_rng_uniform(&r);
            vt[0] = c.v[0];
            st[0] = c.s[0];
            memcpy(vt + 1, c.v + 2, sizeof(double) * (SYNTH_APP_NCOL - 2));
            memcpy(st + 1, c.s + 2, sizeof(char *) * (SYNTH_APP_NCOL - 2));
            s = synth_emit_row(&b->out[HC_APPLICATION_TEST], ftest, n_test_cols, vt, st, err);
            if (s) return s;
            b->rows[HC_APPLICATION_TEST]++;
        }
        if (c.n_bureau != (int)(p->bureau_off[i + 1] - p->bureau_off[i]) ||
            c.n_prev != (int)(p->prev_off[i + 1] - p->prev_off[i]))
            return cs_err_set(err, CS_EINTERNAL, "client %llu: history sizes differ from the plan",
                              (unsigned long long)i);
        s = synth_history(p, &r, &c, b, err);
        if (s) return s;
    }
    return CS_OK;
}

/* ---- files --------------------------------------------------------------------------- */

/* mkdir -p */
static cs_status _mkdirs(const char *dir, cs_err *err)
{
    char path[4096];
    size_t n = strlen(dir);
    struct stat sb;

    if (n >= sizeof path) return cs_err_set(err, CS_EINVAL, "%s: folder name too long", dir);
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] == '/' || path[i] == '\0') {
            char c = path[i];
            path[i] = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
                return cs_err_set(err, CS_EIO, "%s: cannot create folder: %s", path, strerror(errno));
            path[i] = c;
        }
    }
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return cs_err_set(err, CS_EIO, "%s: not a folder", dir);
    return CS_OK;
}

/* the column formats must name the schema's columns, in its order */
static cs_status _check_formats(cs_err *err)
{
    for (int t = 0; t < HC_N_TABLES; t++) {
        int n;
        const synth_colfmt *f = synth_table_fmt((hc_table)t, &n);
        const tbl_schema *sc = hc_schema((hc_table)t);
        if (!f || !sc || sc->n_cols != n)
            return cs_err_set(err, CS_EINTERNAL, "%s: generator has %d columns, schema %d",
                              hc_file_name((hc_table)t), n, sc ? sc->n_cols : -1);
        for (int k = 0; k < n; k++)
            if (strcmp(f[k].name, sc->cols[k].name))
                return cs_err_set(err, CS_EINTERNAL, "%s: column %d is %s in the schema, %s in the generator",
                                  hc_file_name((hc_table)t), k + 1, sc->cols[k].name, f[k].name);
    }
    return CS_OK;
}

cs_status synth_generate(const synth_params *prm, FILE *progress, synth_counts *counts,
                         cs_err *err)
{
    FILE *f[HC_N_TABLES] = {0};
    char tmp[HC_N_TABLES][4200], fin[HC_N_TABLES][4200];
    synth_plan *plan = NULL;
    cs_progress *bar = NULL;
    cs_status st;
    int failed = 0;
    cs_err ferr = {0};
    uint64_t rows[HC_N_TABLES] = {0}, bytes[HC_N_TABLES] = {0}, n_target1 = 0, done = 0;
    long n_blocks;

    for (int t = 0; t < HC_N_TABLES; t++) tmp[t][0] = '\0';
    st = synth_params_check(prm, err);
    if (st) return st;
    st = _check_formats(err);
    if (st) return st;
    st = _mkdirs(prm->out_dir, err);
    if (st) return st;

    for (int t = 0; t < HC_N_TABLES; t++) {
        cs_buf h = {0};
        snprintf(fin[t], sizeof fin[t], "%s/%s", prm->out_dir, hc_file_name((hc_table)t));
        snprintf(tmp[t], sizeof tmp[t], "%s/%s.tmp", prm->out_dir, hc_file_name((hc_table)t));
        f[t] = fopen(tmp[t], "wb");
        if (!f[t]) {
            st = cs_err_set(err, CS_EIO, "%s: cannot create: %s", tmp[t], strerror(errno));
            goto done;
        }
        setvbuf(f[t], NULL, _IOFBF, 1 << 20);
        st = synth_emit_header(&h, hc_schema((hc_table)t), err);
        if (!st && fwrite(h.data, 1, h.len, f[t]) != h.len)
            st = cs_err_set(err, CS_EIO, "%s: write failed: %s", tmp[t], strerror(errno));
        bytes[t] += h.len;
        cs_buf_free(&h);
        if (st) goto done;
    }

    plan = synth_plan_create(prm->n_train, prm->n_test, prm->seed, err);
    if (!plan) {
        st = err ? err->code : CS_ENOMEM;
        goto done;
    }
    bar = cs_progress_create(progress, "synth", plan->n);
    n_blocks = (long)((plan->n + BLOCK_CLIENTS - 1) / BLOCK_CLIENTS);

#pragma omp parallel
    {
        synth_block blk;
        memset(&blk, 0, sizeof blk);
#pragma omp for ordered schedule(dynamic, 1)
        for (long bi = 0; bi < n_blocks; bi++) {
            uint64_t first = (uint64_t)bi * BLOCK_CLIENTS;
            uint64_t count = plan->n - first < BLOCK_CLIENTS ? plan->n - first : BLOCK_CLIENTS;
            cs_err lerr = {0};
            cs_status ls;
            synth_block_reset(&blk);
            ls = synth_gen_block(plan, first, count, &blk, &lerr);
#pragma omp ordered
            {
                if (!failed && ls) {
                    failed = 1;
                    ferr = lerr;
                }
                for (int t = 0; t < HC_N_TABLES && !failed; t++) {
                    if (blk.out[t].len && fwrite(blk.out[t].data, 1, blk.out[t].len, f[t]) != blk.out[t].len) {
                        failed = 1;
                        cs_err_set(&ferr, CS_EIO, "%s: write failed: %s", tmp[t], strerror(errno));
                    }
                    rows[t] += blk.rows[t];
                    bytes[t] += blk.out[t].len;
                }
                n_target1 += blk.n_target1;
                done += count;
                cs_progress_update(bar, done, NULL);
            }
        }
        synth_block_free(&blk);
    }
    if (failed) {
        if (err) *err = ferr;
        st = ferr.code ? ferr.code : CS_EINTERNAL;
        goto done;
    }
    for (int t = 0; t < HC_N_TABLES; t++) {
        int bad = fflush(f[t]) != 0 || ferror(f[t]);
        bad |= fclose(f[t]) != 0;
        f[t] = NULL;
        if (bad) {
            st = cs_err_set(err, CS_EIO, "%s: write failed: %s", tmp[t], strerror(errno));
            goto done;
        }
    }
    for (int t = 0; t < HC_N_TABLES; t++) {
        if (rename(tmp[t], fin[t]) != 0) {
            st = cs_err_set(err, CS_EIO, "%s: cannot rename to %s: %s", tmp[t], fin[t], strerror(errno));
            goto done;
        }
    }
    {
        char note[64];
        uint64_t total = 0;
        for (int t = 0; t < HC_N_TABLES; t++) total += rows[t];
        snprintf(note, sizeof note, "%.1f M rows", (double)total / 1e6);
        cs_progress_finish(bar, note);
    }
    if (counts) {
        memcpy(counts->rows, rows, sizeof rows);
        memcpy(counts->bytes, bytes, sizeof bytes);
        counts->default_rate = (double)n_target1 / (double)prm->n_train;
    }
    st = CS_OK;
done:
    for (int t = 0; t < HC_N_TABLES; t++) {
        if (f[t]) fclose(f[t]);
        if (st != CS_OK && tmp[t][0]) unlink(tmp[t]);
    }
    cs_progress_free(bar);
    synth_plan_free(plan);
    return st;
}
