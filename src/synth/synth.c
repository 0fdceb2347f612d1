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
    p->start_year = 2025;
    p->start_month = 1;
    p->drift = 1.0;
    p->shock_month = -1;
    p->shock_size = 0.6;
    p->shock_odds = 0.5;
    p->outcome_months = 12;
}

static void _stream_plan(const synth_params *p, synth_stream_plan *sp)
{
    memset(sp, 0, sizeof *sp);
    sp->months = p->months;
    sp->per_month = p->per_month;
    sp->start_year = p->start_year;
    sp->start_month = p->start_month;
    sp->drift = p->drift;
    sp->shock_month = p->shock_month;
    sp->shock_size = p->shock_size;
    sp->shock_odds = p->shock_odds;
    sp->outcome_months = p->outcome_months;
}

cs_status synth_params_check(const synth_params *p, cs_err *err)
{
    if (!p->out_dir || !*p->out_dir) return cs_err_set(err, CS_EINVAL, "no output folder given");
    if (p->n_train < 1) return cs_err_set(err, CS_EINVAL, "the number of train clients must be at least 1");
    if (p->n_train > MAX_CLIENTS || p->n_test > MAX_CLIENTS || p->n_train + p->n_test > MAX_CLIENTS)
        return cs_err_set(err, CS_EINVAL, "at most %llu clients in all (train + test)",
                          (unsigned long long)MAX_CLIENTS);
    if (p->months < 0 || p->months > SYNTH_MAX_MONTHS)
        return cs_err_set(err, CS_EINVAL, "the stream has 1 to %d months, not %d", SYNTH_MAX_MONTHS, p->months);
    if (p->months == 0) return CS_OK;
    if (p->n_test) return cs_err_set(err, CS_EINVAL, "a stream replaces the test clients: give no test clients");
    if (p->per_month < 1 || p->per_month > MAX_CLIENTS / (uint64_t)p->months ||
        p->n_train + p->per_month * (uint64_t)p->months > MAX_CLIENTS)
        return cs_err_set(err, CS_EINVAL, "applicants per month must be at least 1 and at most %llu clients in all",
                          (unsigned long long)MAX_CLIENTS);
    if (p->start_year < 1971 || p->start_year > 9000 || p->start_month < 1 || p->start_month > 12)
        return cs_err_set(err, CS_EINVAL, "the stream's first month must be YYYY-MM between 1971 and 9000");
    if (!(p->drift >= 0 && p->drift <= 10)) return cs_err_set(err, CS_EINVAL, "the drift scale must be in [0, 10]");
    if (p->shock_month < -1 || p->shock_month >= p->months)
        return cs_err_set(err, CS_EINVAL, "the shock month must be one of the stream's months 1..%d", p->months);
    if (!(fabs(p->shock_size) <= 5) || !(fabs(p->shock_odds) <= 5))
        return cs_err_set(err, CS_EINVAL, "the shock's size and odds must be within [-5, 5]");
    if (p->outcome_months < 1 || p->outcome_months > 120)
        return cs_err_set(err, CS_EINVAL, "the outcome window must be 1 to 120 months");
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

/* a client's core with the stream's shift when it is a stream applicant */
static void _core(const synth_plan *p, cs_rng *r, uint64_t i, synth_client *c)
{
    synth_shift sh;
    if (p->flags[i] & SYNTH_F_STREAM) {
        synth_stream_shift(p, i, &sh);
        synth_client_core(r, i, p->flags[i], &sh, c);
    } else
        synth_client_core(r, i, p->flags[i], NULL, c);
}

synth_plan *synth_plan_create(uint64_t n_train, uint64_t n_test, uint64_t seed, const synth_stream_plan *stream,
                              cs_err *err)
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
    if (stream && stream->months > 0) {
        if (n_test != (uint64_t)stream->months * stream->per_month) {
            cs_err_set(err, CS_EINVAL, "the stream's %d x %llu applicants are not the plan's %llu", stream->months,
                       (unsigned long long)stream->per_month, (unsigned long long)n_test);
            free(p);
            return NULL;
        }
        p->stream = *stream;
    }
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
        /* a stream: the training population first, then the applicants in time order */
        if (p->stream.months > 0 ? i < n_train : cs_rng_below(&m, left) < left_train) {
            p->flags[i] = SYNTH_F_TRAIN;
            /* the 4 XNA genders of the real train table, spread over the train clients */
            if (n_train >= 4) {
                for (uint64_t j = 0; j < 4; j++)
                    if (rank == (uint64_t)((double)(2 * j + 1) * (double)n_train / 8.0))
                        p->flags[i] |= SYNTH_F_XNA;
            }
            rank++;
            left_train--;
        } else if (p->stream.months > 0)
            p->flags[i] = SYNTH_F_STREAM;
        left--;
    }

    /* every client's core: history sizes and risk logit */
#pragma omp parallel for schedule(dynamic, 256)
    for (uint64_t i = 0; i < p->n; i++) {
        cs_rng r;
        synth_client c;
        cs_rng_seed_stream(&r, seed, i);
        _core(p, &r, i, &c);
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
    b->stream.len = b->outcomes.len = 0;
    b->n_stream = b->n_outcomes = b->n_stream_default = 0;
}

void synth_block_free(synth_block *b)
{
    if (!b) return;
    for (int t = 0; t < HC_N_TABLES; t++) cs_buf_free(&b->out[t]);
    cs_buf_free(&b->stream);
    cs_buf_free(&b->outcomes);
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
        _core(p, &r, i, &c);
        if (c.is_train) {
            c.v[A_TARGET] = cs_rng_uniform(&r) < synth_sigmoid(p->intercept + c.z) ? 1 : 0;
            b->n_target1 += c.v[A_TARGET] > 0;
            s = synth_emit_row(&b->out[HC_APPLICATION_TRAIN], ftrain, n_train_cols, c.v, c.s, err);
            if (s) return s;
            b->rows[HC_APPLICATION_TRAIN]++;
        } else {
            /* the test table is the train table without TARGET (column 1); a stream
             * applicant's outcome is drawn as TARGET would be */
            double u = cs_rng_uniform(&r);
            if (p->flags[i] & SYNTH_F_STREAM) {
                int defaults = u < synth_sigmoid(p->intercept + c.z);
                s = synth_stream_rows(p, &c, defaults, &b->stream, &b->outcomes, &b->n_outcomes, err);
                if (s) return s;
                b->n_stream++;
                b->n_stream_default += (uint64_t)defaults;
            }
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
    /* the eight tables, then in stream mode stream.csv and outcomes.csv */
    enum { F_STREAM = HC_N_TABLES, F_OUTCOMES, N_FILES };
    static const char *const extra_names[2] = {"stream.csv", "outcomes.csv"};
    static const char *const extra_headers[2] = {"SK_ID_CURR,month,application_time\n",
                                                 "client_id,default,observed\n"};
    FILE *f[N_FILES] = {0};
    char tmp[N_FILES][4200], fin[N_FILES][4200];
    synth_stream_plan sp;
    int n_files = prm->months > 0 ? N_FILES : HC_N_TABLES;
    uint64_t n_stream = 0, n_outcomes = 0, n_stream_default = 0;
    synth_plan *plan = NULL;
    cs_progress *bar = NULL;
    cs_status st;
    int failed = 0;
    cs_err ferr = {0};
    uint64_t rows[HC_N_TABLES] = {0}, bytes[HC_N_TABLES] = {0}, n_target1 = 0, done = 0;
    long n_blocks;

    for (int t = 0; t < N_FILES; t++) tmp[t][0] = '\0';
    st = synth_params_check(prm, err);
    if (st) return st;
    st = _check_formats(err);
    if (st) return st;
    st = _mkdirs(prm->out_dir, err);
    if (st) return st;

    for (int t = 0; t < n_files; t++) {
        cs_buf h = {0};
        const char *name = t < HC_N_TABLES ? hc_file_name((hc_table)t) : extra_names[t - HC_N_TABLES];
        snprintf(fin[t], sizeof fin[t], "%s/%s", prm->out_dir, name);
        snprintf(tmp[t], sizeof tmp[t], "%s/%s.tmp", prm->out_dir, name);
        f[t] = fopen(tmp[t], "wb");
        if (!f[t]) {
            st = cs_err_set(err, CS_EIO, "%s: cannot create: %s", tmp[t], strerror(errno));
            goto done;
        }
        setvbuf(f[t], NULL, _IOFBF, 1 << 20);
        st = t < HC_N_TABLES ? synth_emit_header(&h, hc_schema((hc_table)t), err)
                             : cs_buf_puts(&h, extra_headers[t - HC_N_TABLES], err);
        if (!st && fwrite(h.data, 1, h.len, f[t]) != h.len)
            st = cs_err_set(err, CS_EIO, "%s: write failed: %s", tmp[t], strerror(errno));
        if (t < HC_N_TABLES) bytes[t] += h.len;
        cs_buf_free(&h);
        if (st) goto done;
    }

    _stream_plan(prm, &sp);
    plan = synth_plan_create(prm->n_train, prm->months > 0 ? (uint64_t)prm->months * prm->per_month : prm->n_test,
                             prm->seed, &sp, err);
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
                if (!failed && blk.stream.len &&
                    fwrite(blk.stream.data, 1, blk.stream.len, f[F_STREAM]) != blk.stream.len) {
                    failed = 1;
                    cs_err_set(&ferr, CS_EIO, "%s: write failed: %s", tmp[F_STREAM], strerror(errno));
                }
                if (!failed && blk.outcomes.len &&
                    fwrite(blk.outcomes.data, 1, blk.outcomes.len, f[F_OUTCOMES]) != blk.outcomes.len) {
                    failed = 1;
                    cs_err_set(&ferr, CS_EIO, "%s: write failed: %s", tmp[F_OUTCOMES], strerror(errno));
                }
                n_stream += blk.n_stream;
                n_outcomes += blk.n_outcomes;
                n_stream_default += blk.n_stream_default;
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
    /* every file on disk before any takes its final name, then each renamed and its folder
     * fsync'ed */
    for (int t = 0; t < n_files; t++) {
        st = cs_file_close_synced(f[t], fin[t], err);
        f[t] = NULL;
        if (st) goto done;
    }
    for (int t = 0; t < n_files; t++)
        if ((st = cs_file_place(tmp[t], fin[t], err))) goto done;
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
        counts->stream_rows = n_stream;
        counts->outcome_rows = n_outcomes;
        counts->stream_default_rate = n_stream ? (double)n_stream_default / (double)n_stream : 0.0;
    }
    st = CS_OK;
done:
    for (int t = 0; t < N_FILES; t++) {
        if (f[t]) fclose(f[t]);
        if (st != CS_OK && tmp[t][0]) unlink(tmp[t]);
    }
    cs_progress_free(bar);
    synth_plan_free(plan);
    return st;
}
