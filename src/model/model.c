/*
 * model.c: writing and loading the model file (model.h; layout in docs/model-format.md).
 *
 * Layout (little-endian): a 64-byte header (magic "CSMODEL\0", u32 format version,
 * u32 section count, u64 file length, u64 checksum, zeros), a directory of sections
 * (u32 tag, u32 zero, u64 offset, u64 length each), then the sections, each starting on
 * an 8-byte boundary. The checksum is cs_hash64 of bytes [32, end) seeded with cs_hash64
 * of bytes [0, 24), except the values of the drift sample (the bulk of the file), which have
 * their own checksum in the sample's header, verified on demand by mf_sample_check(): a
 * load touches only the small sections and stays fast.
 */
#include "model.h"
#include "points.h"
#include "../features/engine.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "model.c writes the host's byte order and expects little-endian"
#endif

#define HDR_LEN 64
#define DIR_ENTRY 24
#define MAX_SECTIONS 64
#define SAMPLE_HDR 24
#define SAMPLE_SEED 0x73616d706c650000ull

/* one set of monitoring bins from the file: n_edges (a double), then MF_MON_EDGES edges and
 * MF_MON_BINS shares; 0, or -1 when they make no sense */
static int _read_mon_bins(double ne, const unsigned char *p, mf_mon_bins *b)
{
    memset(b, 0, sizeof *b);
    if (!(ne >= 0 && ne <= MF_MON_EDGES) || ne != floor(ne)) return -1;
    b->n_edges = (int)ne;
    memcpy(b->edges, p, 8 * MF_MON_EDGES);
    memcpy(b->share, p + 8 * MF_MON_EDGES, 8 * MF_MON_BINS);
    for (int e = 1; e < b->n_edges; e++)
        if (!(b->edges[e] > b->edges[e - 1])) return -1;
    for (int k = 0; k < MF_MON_BINS; k++)
        if (!(b->share[k] >= 0 && b->share[k] <= 1)) return -1;
    return 0;
}

/* the file checksum: [32, lo) and [hi, len), seeded with the first 24 bytes */
static uint64_t _file_sum(const unsigned char *b, size_t len, size_t lo, size_t hi)
{
    uint64_t h = cs_hash64(b + 32, lo - 32, cs_hash64(b, 24, 0));
    return cs_hash64(b + hi, len - hi, h);
}

enum {
    TAG_META = 1,     /* JSON object */
    TAG_NAMES = 2,    /* n_feats NUL-terminated names */
    TAG_SPEC = 3,     /* feat_spec_write bytes */
    TAG_LEARNER = 4,  /* lrn_model_write bytes */
    TAG_CALIB = 5,    /* ev_calib_write bytes */
    TAG_CURVE = 6,    /* u64 n, n x (threshold, cost, fn, fp) f64 */
    TAG_STATS = 7,    /* u64 n_feats, u64 n_q, n_q levels, n_feats x (4 + n_q) f64 */
    TAG_HIST = 8,     /* u64 n_feats, u64 bins, n_feats x (2 + 2 bins + 2) f64 */
    TAG_SAMPLE = 9,   /* u64 rows, u64 n_feats, u64 payload checksum, then the payload:
                       * rows i64 ids, rows f64 target, n_feats x rows f64 values */
    TAG_MONITOR = 10, /* u64 n_feats, u64 edges (9); the score: f64 n, n_edges, 9 edges,
                       * 11 shares, 11 mean PDs, 11 default rates; per feature f64 n_edges,
                       * 9 edges, 11 shares */
    TAG_IMPORTANCE = 11, /* u64 n_feats, u64 rows; n_feats f64 mean |contribution| (absent
                       * from files written before it: readers then compute it) */
    TAG_EVAL = 12     /* u64 n_oof, u64 n_feats, u64 n_test; n_oof f64 calibrated OOF
                       * probabilities, n_oof f64 targets; 11 f64 test score shares, n_feats x
                       * 11 f64 test feature shares */
};

#define MON_SCORE_REC (2 + MF_MON_EDGES + 3 * MF_MON_BINS)
#define MON_FEAT_REC (1 + MF_MON_EDGES + MF_MON_BINS)

const double mf_quantile_levels[MF_N_QUANTILES] = {0, .01, .05, .25, .5, .75, .95, .99, 1};

struct mf_model {
    unsigned char *buf;     /* the whole file: a read-only mapping (mapped) or malloc'd copy */
    size_t len;
    int mapped;
    uint32_t version;
    char *meta_json;        /* owned copy of the META section */
    char *name, *mversion, *created, *digest, *params_json, *search_json, *protected_json;
    size_t n_train;
    double positive_rate;
    size_t n_feats;
    const char **names;     /* point into buf */
    feat_spec *spec;
    lrn_model *learner;
    ev_calib *calib;
    double threshold;
    ev_cost_weights cost;
    mf_metrics metrics;
    double *fold_auc;
    ev_cost_point *curve;
    size_t n_curve;
    mf_feature_stats *stats;
    mf_hist *hists;
    mf_mon_bins *mon_bins;      /* NULL without a MONITOR section */
    mf_score_ref score_ref;
    size_t n_sample;
    const int64_t *sample_ids;      /* into buf */
    const double *sample_target;    /* into buf */
    const double *sample_values;    /* into buf */
    uint64_t sample_sum;            /* checksum of the sample payload */
    double expected_value;
    double *importance;             /* NULL without an IMPORTANCE section */
    size_t importance_rows;
    size_t n_oof;                   /* EVAL: 0 without the section */
    const double *oof_prob, *oof_target; /* into buf */
    mf_test_ref test;
    int has_eval;
    char *run_id, *features_file, *code_version; /* NULL when absent */
    sc_card *card;                  /* a scorecard's points table, else NULL */
    int64_t cutoff;                 /* its cut-off in points (approve at or above) */
};

/* ---- writing ----------------------------------------------------------------------- */

static cs_status _pad8(cs_buf *b, cs_err *err)
{
    static const char z[8] = {0};
    return b->len % 8 ? cs_buf_append(b, z, 8 - b->len % 8, err) : CS_OK;
}

static cs_status _u64(cs_buf *b, uint64_t v, cs_err *err)
{
    return cs_buf_append(b, &v, 8, err);
}

static cs_status _f64s(cs_buf *b, const double *v, size_t n, cs_err *err)
{
    return n ? cs_buf_append(b, v, n * 8, err) : CS_OK;
}

static cJSON *_num(double v)
{
    char s[40];
    if (!isfinite(v)) return cJSON_CreateNull();
    cs_fmt_double(s, sizeof s, v);
    return cJSON_CreateRaw(s);
}

static void _now_iso(char *out, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static char *_meta_json(const mf_parts *p, cs_err *err)
{
    cJSON *o = cJSON_CreateObject(), *mt, *folds, *params = NULL, *search = NULL, *tuning = NULL, *prot = NULL;
    char now[32], *text;
    if (!o) goto nomem;
    _now_iso(now, sizeof now);
    params = cJSON_Parse(p->params_json ? p->params_json : "{}");
    if (!params) {
        cJSON_Delete(o);
        cs_err_set(err, CS_EINVAL, "model parameters are not valid JSON");
        return NULL;
    }
    if (p->search_json) {
        search = cJSON_Parse(p->search_json);
        if (!search) {
            cJSON_Delete(o);
            cJSON_Delete(params);
            cs_err_set(err, CS_EINVAL, "search summary is not valid JSON");
            return NULL;
        }
    }
    if (p->tuning_json && !(tuning = cJSON_Parse(p->tuning_json))) {
        cJSON_Delete(o);
        cJSON_Delete(params);
        cJSON_Delete(search);
        cs_err_set(err, CS_EINVAL, "the defaults' record is not valid JSON");
        return NULL;
    }
    if (p->protected_json && !(prot = cJSON_Parse(p->protected_json))) {
        cJSON_Delete(o);
        cJSON_Delete(params);
        cJSON_Delete(search);
        cJSON_Delete(tuning);
        cs_err_set(err, CS_EINVAL, "the excluded protected attributes are not valid JSON");
        return NULL;
    }
    cJSON_AddNumberToObject(o, "format", MF_FORMAT_VERSION);
    cJSON_AddStringToObject(o, "name", p->name ? p->name : "model");
    cJSON_AddStringToObject(o, "version", p->version ? p->version : "1");
    cJSON_AddStringToObject(o, "created", p->created ? p->created : now);
    cJSON_AddStringToObject(o, "data_digest", p->data_digest ? p->data_digest : "");
    cJSON_AddStringToObject(o, "learner", lrn_kind_name(p->learner->kind));
    cJSON_AddItemToObject(o, "n_train", _num((double)p->n_train));
    cJSON_AddItemToObject(o, "positive_rate", _num(p->positive_rate));
    cJSON_AddItemToObject(o, "n_feats", _num((double)p->n_feats));
    cJSON_AddItemToObject(o, "threshold", _num(p->threshold));
    cJSON_AddItemToObject(o, "cost_fn", _num(p->cost.fn));
    cJSON_AddItemToObject(o, "cost_fp", _num(p->cost.fp));
    cJSON_AddStringToObject(o, "calibration", ev_calib_kind_name(ev_calib_kind_of(p->calib)));
    cJSON_AddItemToObject(o, "expected_value", _num(p->expected_value));
    cJSON_AddItemToObject(o, "params", params);
    cJSON_AddItemToObject(o, "tuning", tuning ? tuning : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "excluded_protected", prot ? prot : cJSON_CreateNull());
    cJSON_AddStringToObject(o, "code_version", CS_VERSION);
    if (p->run_id) cJSON_AddStringToObject(o, "run_id", p->run_id);
    else cJSON_AddNullToObject(o, "run_id");
    if (p->features_file) cJSON_AddStringToObject(o, "features_file", p->features_file);
    else cJSON_AddNullToObject(o, "features_file");
    mt = cJSON_AddObjectToObject(o, "metrics");
    if (!mt) goto nomem;
    cJSON_AddNumberToObject(mt, "k", p->metrics.k);
    cJSON_AddItemToObject(mt, "auc_mean", _num(p->metrics.auc_mean));
    cJSON_AddItemToObject(mt, "auc_sd", _num(p->metrics.auc_sd));
    cJSON_AddItemToObject(mt, "oof_auc", _num(p->metrics.oof_auc));
    cJSON_AddItemToObject(mt, "gini", _num(p->metrics.gini));
    cJSON_AddItemToObject(mt, "ks", _num(p->metrics.ks));
    cJSON_AddItemToObject(mt, "log_loss", _num(p->metrics.log_loss));
    cJSON_AddItemToObject(mt, "brier", _num(p->metrics.brier));
    cJSON_AddItemToObject(mt, "cost", _num(p->metrics.cost));
    cJSON_AddItemToObject(mt, "cost_at_half", _num(p->metrics.cost_at_half));
    cJSON_AddItemToObject(mt, "tp", _num(p->metrics.tp));
    cJSON_AddItemToObject(mt, "fp", _num(p->metrics.fp));
    cJSON_AddItemToObject(mt, "tn", _num(p->metrics.tn));
    cJSON_AddItemToObject(mt, "fn", _num(p->metrics.fn));
    cJSON_AddItemToObject(mt, "fit_seconds", _num(p->metrics.fit_seconds));
    folds = cJSON_AddArrayToObject(mt, "fold_auc");
    if (!folds) goto nomem;
    for (int f = 0; f < p->metrics.k && p->metrics.fold_auc; f++)
        cJSON_AddItemToArray(folds, _num(p->metrics.fold_auc[f]));
    if (search) cJSON_AddItemToObject(o, "search", search);
    else cJSON_AddNullToObject(o, "search");
    text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text) {
        cs_err_set(err, CS_ENOMEM, "out of memory printing the model metadata");
        return NULL;
    }
    char *r = cs_strdup(text, err);
    cJSON_free(text);
    return r;
nomem:
    cJSON_Delete(o);
    cs_err_set(err, CS_ENOMEM, "out of memory building the model metadata");
    return NULL;
}

typedef struct _sec {
    uint32_t tag;
    cs_buf b;
} _sec;

cs_status mf_write_buf(const mf_parts *p, cs_buf *out, cs_err *err)
{
    _sec s[12];
    int ns = 0;
    cs_status st = CS_OK;
    char *meta = NULL;

    memset(s, 0, sizeof s);
    if (!p->learner || !p->calib || (p->n_feats && !p->feat_names))
        return cs_err_set(err, CS_EINVAL, "a model file needs the learner, the calibration and the feature names");
    if (p->learner->n_feats != p->n_feats)
        return cs_err_set(err, CS_EINVAL, "the learner has %zu features, the names %zu",
                          p->learner->n_feats, p->n_feats);
    meta = _meta_json(p, err);
    if (!meta) return err ? err->code : CS_ENOMEM;

    s[ns].tag = TAG_META;
    st = cs_buf_puts(&s[ns++].b, meta, err);
    free(meta);
    s[ns].tag = TAG_NAMES;
    for (size_t j = 0; !st && j < p->n_feats; j++)
        st = cs_buf_append(&s[ns].b, p->feat_names[j], strlen(p->feat_names[j]) + 1, err);
    ns++;
    if (!st && p->spec) {
        s[ns].tag = TAG_SPEC;
        st = feat_spec_write(p->spec, &s[ns++].b, err);
    }
    if (!st) {
        s[ns].tag = TAG_LEARNER;
        st = lrn_model_write(p->learner, &s[ns++].b, err);
    }
    if (!st) {
        s[ns].tag = TAG_CALIB;
        st = ev_calib_write(p->calib, &s[ns++].b, err);
    }
    if (!st) {
        s[ns].tag = TAG_CURVE;
        st = _u64(&s[ns].b, p->n_curve, err);
        for (size_t i = 0; !st && i < p->n_curve; i++) {
            double v[4] = {p->curve[i].threshold, p->curve[i].cost, p->curve[i].fn, p->curve[i].fp};
            st = _f64s(&s[ns].b, v, 4, err);
        }
        ns++;
    }
    if (!st && p->reference) {
        const mf_reference *r = p->reference;
        if (r->n_feats != p->n_feats) {
            st = cs_err_set(err, CS_EINVAL, "the reference has %zu features, the model %zu", r->n_feats, p->n_feats);
            goto done;
        }
        s[ns].tag = TAG_STATS;
        st = _u64(&s[ns].b, r->n_feats, err);
        if (!st) st = _u64(&s[ns].b, MF_N_QUANTILES, err);
        if (!st) st = _f64s(&s[ns].b, mf_quantile_levels, MF_N_QUANTILES, err);
        for (size_t j = 0; !st && j < r->n_feats; j++) {
            const mf_feature_stats *fs = &r->stats[j];
            double v[4] = {fs->n, fs->missing, fs->mean, fs->sd};
            st = _f64s(&s[ns].b, v, 4, err);
            if (!st) st = _f64s(&s[ns].b, fs->q, MF_N_QUANTILES, err);
        }
        ns++;
        s[ns].tag = TAG_HIST;
        if (!st) st = _u64(&s[ns].b, r->n_feats, err);
        if (!st) st = _u64(&s[ns].b, MF_HIST_BINS, err);
        for (size_t j = 0; !st && j < r->n_feats; j++) {
            const mf_hist *h = &r->hists[j];
            double v[2] = {h->lo, h->hi}, m2[2] = {h->missing_accepted, h->missing_refused};
            st = _f64s(&s[ns].b, v, 2, err);
            if (!st) st = _f64s(&s[ns].b, h->accepted, MF_HIST_BINS, err);
            if (!st) st = _f64s(&s[ns].b, h->refused, MF_HIST_BINS, err);
            if (!st) st = _f64s(&s[ns].b, m2, 2, err);
        }
        ns++;
        s[ns].tag = TAG_SAMPLE;
        if (!st) st = _u64(&s[ns].b, r->n_sample, err);
        if (!st) st = _u64(&s[ns].b, r->n_feats, err);
        if (!st) st = _u64(&s[ns].b, 0, err); /* the payload checksum, set below */
        if (!st && r->n_sample) st = cs_buf_append(&s[ns].b, r->sample_ids, r->n_sample * 8, err);
        if (!st) st = _f64s(&s[ns].b, r->sample_target, r->n_sample, err);
        if (!st) st = _f64s(&s[ns].b, r->sample_values, r->n_sample * r->n_feats, err);
        if (!st) {
            uint64_t ps = cs_hash64(s[ns].b.data + SAMPLE_HDR, s[ns].b.len - SAMPLE_HDR, SAMPLE_SEED);
            memcpy(s[ns].b.data + 16, &ps, 8);
        }
        ns++;
        if (r->bins) {
            const mf_score_ref *sr = &r->score;
            double v[2] = {sr->n, (double)sr->bins.n_edges};
            s[ns].tag = TAG_MONITOR;
            if (!st) st = _u64(&s[ns].b, r->n_feats, err);
            if (!st) st = _u64(&s[ns].b, MF_MON_EDGES, err);
            if (!st) st = _f64s(&s[ns].b, v, 2, err);
            if (!st) st = _f64s(&s[ns].b, sr->bins.edges, MF_MON_EDGES, err);
            if (!st) st = _f64s(&s[ns].b, sr->bins.share, MF_MON_BINS, err);
            if (!st) st = _f64s(&s[ns].b, sr->pd, MF_MON_BINS, err);
            if (!st) st = _f64s(&s[ns].b, sr->dr, MF_MON_BINS, err);
            for (size_t j = 0; !st && j < r->n_feats; j++) {
                double ne = (double)r->bins[j].n_edges;
                st = _f64s(&s[ns].b, &ne, 1, err);
                if (!st) st = _f64s(&s[ns].b, r->bins[j].edges, MF_MON_EDGES, err);
                if (!st) st = _f64s(&s[ns].b, r->bins[j].share, MF_MON_BINS, err);
            }
            ns++;
        }
    }
    if (!st && p->importance) {
        s[ns].tag = TAG_IMPORTANCE;
        st = _u64(&s[ns].b, p->n_feats, err);
        if (!st) st = _u64(&s[ns].b, p->importance_rows, err);
        if (!st) st = _f64s(&s[ns].b, p->importance, p->n_feats, err);
        ns++;
    }
    if (!st && p->n_oof && p->oof_prob && p->oof_target) {
        const mf_test_ref *t = p->test;
        static const double zero[MF_MON_BINS] = {0};
        s[ns].tag = TAG_EVAL;
        if (t && t->n && t->n_feats != p->n_feats) {
            st = cs_err_set(err, CS_EINVAL, "the test reference has %zu features, the model %zu", t->n_feats, p->n_feats);
            goto done;
        }
        st = _u64(&s[ns].b, p->n_oof, err);
        if (!st) st = _u64(&s[ns].b, p->n_feats, err);
        if (!st) st = _u64(&s[ns].b, t ? t->n : 0, err);
        if (!st) st = _f64s(&s[ns].b, p->oof_prob, p->n_oof, err);
        if (!st) st = _f64s(&s[ns].b, p->oof_target, p->n_oof, err);
        if (!st) st = _f64s(&s[ns].b, t && t->n ? t->score_share : zero, MF_MON_BINS, err);
        for (size_t j = 0; !st && j < p->n_feats; j++)
            st = _f64s(&s[ns].b, t && t->n ? t->share + j * MF_MON_BINS : zero, MF_MON_BINS, err);
        ns++;
    }
    if (st) goto done;

    /* header, directory, sections */
    {
        size_t start = out->len, off = HDR_LEN + (size_t)ns * DIR_ENTRY, lo = 0, hi = 0;
        unsigned char hdr[HDR_LEN];
        memset(hdr, 0, sizeof hdr);
        memcpy(hdr, MF_MAGIC, 8);
        uint32_t ver = MF_FORMAT_VERSION, nsec = (uint32_t)ns;
        memcpy(hdr + 8, &ver, 4);
        memcpy(hdr + 12, &nsec, 4);
        st = cs_buf_append(out, hdr, HDR_LEN, err);
        for (int i = 0; !st && i < ns; i++) {
            off = (off + 7) & ~(size_t)7;
            uint32_t tag[2] = {s[i].tag, 0};
            st = cs_buf_append(out, tag, 8, err);
            if (!st) st = _u64(out, off, err);
            if (!st) st = _u64(out, s[i].b.len, err);
            if (s[i].tag == TAG_SAMPLE) {
                lo = off + SAMPLE_HDR;
                hi = off + s[i].b.len;
            }
            off += s[i].b.len;
        }
        for (int i = 0; !st && i < ns; i++) {
            st = _pad8(out, err);
            if (!st && s[i].b.len) st = cs_buf_append(out, s[i].b.data, s[i].b.len, err);
        }
        if (st) goto done;
        uint64_t total = out->len - start, h;
        unsigned char *base = (unsigned char *)out->data + start;
        memcpy(base + 16, &total, 8);
        if (!lo) lo = hi = total;
        h = _file_sum(base, total, lo, hi);
        memcpy(base + 24, &h, 8);
    }
done:
    for (int i = 0; i < (int)(sizeof s / sizeof *s); i++) cs_buf_free(&s[i].b);
    return st;
}

cs_status mf_write(const mf_parts *parts, const char *path, cs_err *err)
{
    cs_buf b = {0};
    cs_status st = mf_write_buf(parts, &b, err);
    char *tmp;
    FILE *f;
    if (st) {
        cs_buf_free(&b);
        return st;
    }
    tmp = cs_malloc(strlen(path) + 32, err);
    if (!tmp) {
        cs_buf_free(&b);
        return CS_ENOMEM;
    }
    sprintf(tmp, "%s.tmp.%ld", path, (long)getpid());
    f = fopen(tmp, "wb");
    if (!f) {
        st = cs_err_set(err, CS_EIO, "%s: cannot create (%s)", tmp, strerror(errno));
    } else if (fwrite(b.data, 1, b.len, f) != b.len) {
        st = cs_err_set(err, CS_EIO, "%s: write failed (%s)", tmp, strerror(errno));
        fclose(f);
        remove(tmp);
    } else {
        st = cs_file_commit(f, tmp, path, err);   /* fsync'ed before it takes the final name */
    }
    free(tmp);
    cs_buf_free(&b);
    return st;
}

void mf_data_digest(const feat_matrix *m, const size_t *rows, size_t n, char *out, size_t cap)
{
    uint64_t h = cs_hash64(&n, sizeof n, 0x6373646174610000ull);
    for (size_t j = 0; j < m->n_feats; j++) h = cs_hash64(m->names[j], strlen(m->names[j]), h);
    for (size_t i = 0; i < n; i++) {
        size_t r = rows[i];
        h = cs_hash64(&m->ids[r], 8, h);
        h = cs_hash64(&m->target[r], 8, h);
    }
    for (size_t j = 0; j < m->n_feats; j++) {
        const double *c = feat_col(m, j);
        uint64_t hc = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t u;
            memcpy(&u, &c[rows[i]], 8);
            hc = hc * 0x9E3779B97F4A7C15ull + u;
        }
        h = cs_hash64(&hc, 8, h);
    }
    snprintf(out, cap, "h64:%016llx", (unsigned long long)h);
}

/* ---- reading ----------------------------------------------------------------------- */

static double _jnum(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static char *_jstr(const cJSON *o, const char *name, cs_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cs_strdup(cJSON_IsString(v) ? v->valuestring : "", err);
}

static cs_status _read_meta(mf_model *m, const char *text, size_t len, cs_err *err)
{
    cJSON *o, *mt, *v;
    m->meta_json = cs_malloc(len + 1, err);
    if (!m->meta_json) return CS_ENOMEM;
    memcpy(m->meta_json, text, len);
    m->meta_json[len] = '\0';
    if (strlen(m->meta_json) != len) return cs_err_set(err, CS_ECORRUPT, "metadata holds a NUL byte");
    o = cJSON_Parse(m->meta_json);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return cs_err_set(err, CS_ECORRUPT, "metadata is not a JSON object");
    }
    m->name = _jstr(o, "name", err);
    m->mversion = _jstr(o, "version", err);
    m->created = _jstr(o, "created", err);
    m->digest = _jstr(o, "data_digest", err);
    /* counts are range-checked before converting: a double out of range is undefined as an integer */
    m->n_train = _jnum(o, "n_train") >= 0 && _jnum(o, "n_train") <= 1e15 ? (size_t)_jnum(o, "n_train") : 0;
    m->positive_rate = _jnum(o, "positive_rate");
    m->threshold = _jnum(o, "threshold");
    m->cost.fn = _jnum(o, "cost_fn");
    m->cost.fp = _jnum(o, "cost_fp");
    m->expected_value = _jnum(o, "expected_value");
    v = cJSON_GetObjectItemCaseSensitive(o, "params");
    m->params_json = v ? cJSON_PrintUnformatted(v) : NULL;
    v = cJSON_GetObjectItemCaseSensitive(o, "search");
    m->search_json = v && !cJSON_IsNull(v) ? cJSON_PrintUnformatted(v) : NULL;
    v = cJSON_GetObjectItemCaseSensitive(o, "excluded_protected");
    m->protected_json = v && cJSON_IsObject(v) ? cJSON_PrintUnformatted(v) : NULL;
    v = cJSON_GetObjectItemCaseSensitive(o, "run_id");
    m->run_id = cJSON_IsString(v) ? cs_strdup(v->valuestring, err) : NULL;
    v = cJSON_GetObjectItemCaseSensitive(o, "features_file");
    m->features_file = cJSON_IsString(v) ? cs_strdup(v->valuestring, err) : NULL;
    v = cJSON_GetObjectItemCaseSensitive(o, "code_version");
    m->code_version = cJSON_IsString(v) ? cs_strdup(v->valuestring, err) : NULL;
    double nf = _jnum(o, "n_feats");
    mt = cJSON_GetObjectItemCaseSensitive(o, "metrics");
    if (!m->name || !m->mversion || !m->created || !m->digest || !m->params_json) {
        cJSON_Delete(o);
        return cs_err_set(err, CS_ECORRUPT, "metadata lacks the parameters");
    }
    if (!isfinite(m->threshold) || !isfinite(m->cost.fn) || !isfinite(m->cost.fp) || !(nf >= 0 && nf <= 1e9) ||
        !cJSON_IsObject(mt)) {
        cJSON_Delete(o);
        return cs_err_set(err, CS_ECORRUPT, "metadata lacks the threshold, cost weights, feature count or metrics");
    }
    m->n_feats = (size_t)nf;
    m->metrics.k = _jnum(mt, "k") >= 0 && _jnum(mt, "k") <= 1000 ? (int)_jnum(mt, "k") : -1;
    m->metrics.auc_mean = _jnum(mt, "auc_mean");
    m->metrics.auc_sd = _jnum(mt, "auc_sd");
    m->metrics.oof_auc = _jnum(mt, "oof_auc");
    m->metrics.gini = _jnum(mt, "gini");
    m->metrics.ks = _jnum(mt, "ks");
    m->metrics.log_loss = _jnum(mt, "log_loss");
    m->metrics.brier = _jnum(mt, "brier");
    m->metrics.cost = _jnum(mt, "cost");
    m->metrics.cost_at_half = _jnum(mt, "cost_at_half");
    m->metrics.tp = _jnum(mt, "tp");
    m->metrics.fp = _jnum(mt, "fp");
    m->metrics.tn = _jnum(mt, "tn");
    m->metrics.fn = _jnum(mt, "fn");
    m->metrics.fit_seconds = _jnum(mt, "fit_seconds");
    v = cJSON_GetObjectItemCaseSensitive(mt, "fold_auc");
    if (m->metrics.k < 0 || m->metrics.k > 1000 || !cJSON_IsArray(v) ||
        cJSON_GetArraySize(v) != m->metrics.k) {
        cJSON_Delete(o);
        return cs_err_set(err, CS_ECORRUPT, "metadata: fold AUCs do not match the fold count");
    }
    m->fold_auc = cs_calloc(m->metrics.k ? (size_t)m->metrics.k : 1, sizeof *m->fold_auc, err);
    if (!m->fold_auc) {
        cJSON_Delete(o);
        return CS_ENOMEM;
    }
    for (int f = 0; f < m->metrics.k; f++) {
        const cJSON *a = cJSON_GetArrayItem(v, f);
        m->fold_auc[f] = cJSON_IsNumber(a) ? a->valuedouble : NAN;
    }
    m->metrics.fold_auc = m->fold_auc;
    cJSON_Delete(o);
    return CS_OK;
}

static uint64_t _rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static cs_status _parse(mf_model *m, cs_err *err)
{
    const unsigned char *b = m->buf;
    uint32_t nsec;
    uint64_t flen, sum;
    const unsigned char *sec[16] = {0};
    size_t slen[16] = {0};
    cs_status st;

    if (m->len < HDR_LEN) return cs_err_set(err, CS_ECORRUPT, "truncated: %zu bytes, shorter than the header", m->len);
    if (memcmp(b, MF_MAGIC, 8)) return cs_err_set(err, CS_ECORRUPT, "not a creditscore model file (bad magic number)");
    memcpy(&m->version, b + 8, 4);
    if (m->version > MF_FORMAT_VERSION)
        return cs_err_set(err, CS_EVERSION,
                          "model format version %u is newer than this build reads (%u): upgrade creditscore",
                          m->version, MF_FORMAT_VERSION);
    if (m->version == 0) return cs_err_set(err, CS_ECORRUPT, "format version 0 is invalid");
    memcpy(&nsec, b + 12, 4);
    flen = _rd64(b + 16);
    if (flen != m->len)
        return cs_err_set(err, CS_ECORRUPT, "%s: the file has %zu bytes, its header says %llu",
                          flen > m->len ? "truncated" : "trailing bytes", m->len, (unsigned long long)flen);
    if (nsec == 0 || nsec > MAX_SECTIONS || HDR_LEN + (uint64_t)nsec * DIR_ENTRY > m->len)
        return cs_err_set(err, CS_ECORRUPT, "bad section count %u", nsec);
    {
        /* the sample's payload is outside the file checksum (mf_sample_check covers it) */
        size_t lo = m->len, hi = m->len;
        for (uint32_t i = 0; i < nsec; i++) {
            const unsigned char *d = b + HDR_LEN + (size_t)i * DIR_ENTRY;
            uint32_t tag;
            uint64_t off = _rd64(d + 8), len = _rd64(d + 16);
            memcpy(&tag, d, 4);
            if (tag == TAG_SAMPLE && off <= m->len && len <= m->len - off && len >= SAMPLE_HDR &&
                off + SAMPLE_HDR >= 32) {
                lo = (size_t)off + SAMPLE_HDR;
                hi = (size_t)(off + len);
            }
        }
        sum = _file_sum(b, m->len, lo, hi);
    }
    if (sum != _rd64(b + 24)) return cs_err_set(err, CS_ECORRUPT, "checksum mismatch: the file is corrupt");
    for (uint32_t i = 0; i < nsec; i++) {
        const unsigned char *d = b + HDR_LEN + (size_t)i * DIR_ENTRY;
        uint32_t tag;
        uint64_t off = _rd64(d + 8), len = _rd64(d + 16);
        memcpy(&tag, d, 4);
        if (off % 8 || off > m->len || len > m->len - off)
            return cs_err_set(err, CS_ECORRUPT, "section %u lies outside the file", i);
        if (tag < 16) { /* unknown tags are skipped: later minor additions */
            sec[tag] = b + off;
            slen[tag] = (size_t)len;
        }
    }
    if (!sec[TAG_META] || !sec[TAG_NAMES] || !sec[TAG_LEARNER] || !sec[TAG_CALIB])
        return cs_err_set(err, CS_ECORRUPT, "a required section (metadata, names, learner, calibration) is missing");
    st = _read_meta(m, (const char *)sec[TAG_META], slen[TAG_META], err);
    if (st) return st;
    if (m->n_feats > ((size_t)1 << 24)) return cs_err_set(err, CS_ECORRUPT, "implausible feature count %zu", m->n_feats);
    /* names */
    m->names = cs_calloc(m->n_feats ? m->n_feats : 1, sizeof *m->names, err);
    if (!m->names) return CS_ENOMEM;
    {
        const char *p = (const char *)sec[TAG_NAMES], *end = p + slen[TAG_NAMES];
        for (size_t j = 0; j < m->n_feats; j++) {
            const char *z = memchr(p, '\0', (size_t)(end - p));
            if (!z) return cs_err_set(err, CS_ECORRUPT, "feature names: %zu of %zu present", j, m->n_feats);
            m->names[j] = p;
            p = z + 1;
        }
        if (p != end) return cs_err_set(err, CS_ECORRUPT, "feature names: trailing bytes");
    }
    if (sec[TAG_SPEC]) {
        m->spec = feat_spec_read(sec[TAG_SPEC], slen[TAG_SPEC], err);
        if (!m->spec) return cs_err_prefix(err, "feature spec: ");
        /* the spec computes every feature the model reads (by name); it may compute more:
         * those train --exclude-protected left out */
        if (feat_spec_n_feats(m->spec) < m->n_feats)
            return cs_err_set(err, CS_ECORRUPT, "feature spec has %zu features, the model %zu",
                              feat_spec_n_feats(m->spec), m->n_feats);
        for (size_t j = 0, k = 0; j < m->n_feats; j++, k++) {
            /* model order is the spec's order with features left out */
            while (k < feat_spec_n_feats(m->spec) && strcmp(feat_spec_name(m->spec, k), m->names[j])) k++;
            if (k == feat_spec_n_feats(m->spec))
                return cs_err_set(err, CS_ECORRUPT, "feature %s is not in the model's feature spec", m->names[j]);
        }
    }
    m->learner = lrn_model_read(sec[TAG_LEARNER], slen[TAG_LEARNER], err);
    if (!m->learner) return cs_err_prefix(err, "learner: ");
    if (m->learner->n_feats != m->n_feats)
        return cs_err_set(err, CS_ECORRUPT, "the learner has %zu features, the model %zu", m->learner->n_feats, m->n_feats);
    m->calib = ev_calib_read(sec[TAG_CALIB], slen[TAG_CALIB], err);
    if (!m->calib) return CS_ECORRUPT;
    if (sec[TAG_CURVE]) {
        if (slen[TAG_CURVE] < 8) return cs_err_set(err, CS_ECORRUPT, "cost curve: truncated");
        uint64_t n = _rd64(sec[TAG_CURVE]);
        if (n > (slen[TAG_CURVE] - 8) / 32 || slen[TAG_CURVE] != 8 + 32 * n)
            return cs_err_set(err, CS_ECORRUPT, "cost curve: size does not match its %llu points", (unsigned long long)n);
        m->n_curve = (size_t)n;
        m->curve = cs_malloc((n ? n : 1) * sizeof *m->curve, err);
        if (!m->curve) return CS_ENOMEM;
        for (size_t i = 0; i < n; i++) {
            double v[4];
            memcpy(v, sec[TAG_CURVE] + 8 + 32 * i, 32);
            m->curve[i] = (ev_cost_point){v[0], v[1], v[2], v[3]};
        }
    }
    if (sec[TAG_STATS]) {
        const unsigned char *p = sec[TAG_STATS];
        size_t rec = 4 + MF_N_QUANTILES;
        if (slen[TAG_STATS] < 16 || _rd64(p) != m->n_feats || _rd64(p + 8) != MF_N_QUANTILES ||
            slen[TAG_STATS] != 16 + 8 * (MF_N_QUANTILES + m->n_feats * rec))
            return cs_err_set(err, CS_ECORRUPT, "reference statistics: size or counts do not match");
        m->stats = cs_malloc((m->n_feats ? m->n_feats : 1) * sizeof *m->stats, err);
        if (!m->stats) return CS_ENOMEM;
        p += 16 + 8 * MF_N_QUANTILES;
        for (size_t j = 0; j < m->n_feats; j++, p += 8 * rec) {
            double v[4];
            memcpy(v, p, 32);
            m->stats[j].n = v[0];
            m->stats[j].missing = v[1];
            m->stats[j].mean = v[2];
            m->stats[j].sd = v[3];
            memcpy(m->stats[j].q, p + 32, 8 * MF_N_QUANTILES);
        }
    }
    if (sec[TAG_HIST]) {
        const unsigned char *p = sec[TAG_HIST];
        size_t rec = 2 + 2 * MF_HIST_BINS + 2;
        if (slen[TAG_HIST] < 16 || _rd64(p) != m->n_feats || _rd64(p + 8) != MF_HIST_BINS ||
            slen[TAG_HIST] != 16 + 8 * m->n_feats * rec)
            return cs_err_set(err, CS_ECORRUPT, "histograms: size or counts do not match");
        m->hists = cs_malloc((m->n_feats ? m->n_feats : 1) * sizeof *m->hists, err);
        if (!m->hists) return CS_ENOMEM;
        p += 16;
        for (size_t j = 0; j < m->n_feats; j++, p += 8 * rec) {
            mf_hist *h = &m->hists[j];
            memcpy(&h->lo, p, 8);
            memcpy(&h->hi, p + 8, 8);
            memcpy(h->accepted, p + 16, 8 * MF_HIST_BINS);
            memcpy(h->refused, p + 16 + 8 * MF_HIST_BINS, 8 * MF_HIST_BINS);
            memcpy(&h->missing_accepted, p + 16 + 16 * MF_HIST_BINS, 8);
            memcpy(&h->missing_refused, p + 24 + 16 * MF_HIST_BINS, 8);
        }
    }
    if (sec[TAG_IMPORTANCE]) {
        const unsigned char *p = sec[TAG_IMPORTANCE];
        if (slen[TAG_IMPORTANCE] < 16 || _rd64(p) != m->n_feats || slen[TAG_IMPORTANCE] != 16 + 8 * m->n_feats)
            return cs_err_set(err, CS_ECORRUPT, "global importance: size or feature count does not match");
        m->importance = cs_malloc((m->n_feats ? m->n_feats : 1) * sizeof *m->importance, err);
        if (!m->importance) return CS_ENOMEM;
        m->importance_rows = (size_t)_rd64(p + 8);
        memcpy(m->importance, p + 16, 8 * m->n_feats);
        for (size_t j = 0; j < m->n_feats; j++)
            if (!(m->importance[j] >= 0) || !isfinite(m->importance[j]))
                return cs_err_set(err, CS_ECORRUPT, "global importance of feature %zu (%s): %g", j, m->names[j],
                                  m->importance[j]);
    }
    if (sec[TAG_EVAL]) {
        const unsigned char *p = sec[TAG_EVAL];
        uint64_t no, nt;
        if (slen[TAG_EVAL] < 24 || _rd64(p + 8) != m->n_feats)
            return cs_err_set(err, CS_ECORRUPT, "evaluation data: size or feature count does not match");
        no = _rd64(p);
        nt = _rd64(p + 16);
        if (no > ((uint64_t)1 << 36) || nt > ((uint64_t)1 << 40) ||
            slen[TAG_EVAL] != 24 + 8 * (2 * no + MF_MON_BINS * (1 + (uint64_t)m->n_feats)))
            return cs_err_set(err, CS_ECORRUPT, "evaluation data: size does not match its counts");
        m->n_oof = (size_t)no;
        m->oof_prob = (const double *)(p + 24);
        m->oof_target = m->oof_prob + m->n_oof;
        for (size_t i = 0; i < m->n_oof; i++)
            if (!(m->oof_prob[i] >= 0 && m->oof_prob[i] <= 1) || !(m->oof_target[i] == 0 || m->oof_target[i] == 1))
                return cs_err_set(err, CS_ECORRUPT, "evaluation data: row %zu has probability %g, target %g", i,
                                  m->oof_prob[i], m->oof_target[i]);
        m->test.n = (size_t)nt;
        m->test.n_feats = m->n_feats;
        memcpy(m->test.score_share, m->oof_target + m->n_oof, 8 * MF_MON_BINS);
        m->test.share = (double *)(m->oof_target + m->n_oof + MF_MON_BINS); /* into buf, read-only */
        for (size_t k = 0; k < MF_MON_BINS * (1 + m->n_feats); k++) {
            double v = k < MF_MON_BINS ? m->test.score_share[k] : m->test.share[k - MF_MON_BINS];
            if (!(v >= 0 && v <= 1)) return cs_err_set(err, CS_ECORRUPT, "evaluation data: a test share is %g", v);
        }
        m->has_eval = 1;
    }
    if (sec[TAG_MONITOR]) {
        const unsigned char *p = sec[TAG_MONITOR];
        if (slen[TAG_MONITOR] < 16 || _rd64(p) != m->n_feats || _rd64(p + 8) != MF_MON_EDGES ||
            slen[TAG_MONITOR] != 16 + 8 * (MON_SCORE_REC + m->n_feats * MON_FEAT_REC))
            return cs_err_set(err, CS_ECORRUPT, "monitoring reference: size or counts do not match");
        m->mon_bins = cs_malloc((m->n_feats ? m->n_feats : 1) * sizeof *m->mon_bins, err);
        if (!m->mon_bins) return CS_ENOMEM;
        p += 16;
        {
            double v[2];
            memcpy(v, p, 16);
            m->score_ref.n = v[0];
            if (_read_mon_bins(v[1], p + 16, &m->score_ref.bins))
                return cs_err_set(err, CS_ECORRUPT, "monitoring reference of the score: bad bins");
            memcpy(m->score_ref.pd, p + 16 + 8 * (MF_MON_EDGES + MF_MON_BINS), 8 * MF_MON_BINS);
            memcpy(m->score_ref.dr, p + 16 + 8 * (MF_MON_EDGES + 2 * MF_MON_BINS), 8 * MF_MON_BINS);
            p += 8 * MON_SCORE_REC;
        }
        for (size_t j = 0; j < m->n_feats; j++, p += 8 * MON_FEAT_REC) {
            double ne;
            memcpy(&ne, p, 8);
            if (_read_mon_bins(ne, p + 8, &m->mon_bins[j]))
                return cs_err_set(err, CS_ECORRUPT, "monitoring reference of feature %zu (%s): bad bins", j,
                                  m->names[j]);
        }
    }
    if (sec[TAG_SAMPLE]) {
        const unsigned char *p = sec[TAG_SAMPLE];
        if (slen[TAG_SAMPLE] < SAMPLE_HDR) return cs_err_set(err, CS_ECORRUPT, "drift sample: truncated");
        uint64_t rows = _rd64(p), nf = _rd64(p + 8);
        if (nf != m->n_feats || rows > slen[TAG_SAMPLE] / 8 ||
            slen[TAG_SAMPLE] != SAMPLE_HDR + 8 * rows * (2 + nf))
            return cs_err_set(err, CS_ECORRUPT, "drift sample: size does not match %llu rows",
                              (unsigned long long)rows);
        m->n_sample = (size_t)rows;
        m->sample_sum = _rd64(p + 16);
        m->sample_ids = (const int64_t *)(const void *)(p + SAMPLE_HDR);
        m->sample_target = (const double *)(const void *)(p + SAMPLE_HDR + 8 * rows);
        m->sample_values = (const double *)(const void *)(p + SAMPLE_HDR + 16 * rows);
    }
    if (m->learner->kind == LRN_SCORECARD) {
        /* the points table once, for every score (mf_score) and the cut-off */
        if (!(m->card = sc_card_of(m->learner, err))) return cs_err_prefix(err, "scorecard: ");
        m->cutoff = mf_points_cutoff(m->card, m->calib, m->threshold);
    }
    return CS_OK;
}

mf_model *mf_load_bytes(const void *data, size_t len, cs_err *err)
{
    mf_model *m = cs_calloc(1, sizeof *m, err);
    if (!m) return NULL;
    m->buf = cs_malloc(len ? len : 1, err);
    if (!m->buf) {
        free(m);
        return NULL;
    }
    if (len) memcpy(m->buf, data, len);
    m->len = len;
    if (_parse(m, err) != CS_OK) {
        mf_free(m);
        return NULL;
    }
    return m;
}

mf_model *mf_load(const char *path, cs_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    mf_model *m;
    if (fd < 0) {
        cs_err_set(err, CS_EIO, "%s: cannot open the model file (%s)", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        cs_err_set(err, CS_EIO, "%s: not a regular file", path);
        return NULL;
    }
    if ((size_t)sb.st_size < HDR_LEN) {
        close(fd);
        cs_err_set(err, CS_ECORRUPT, "%s: truncated: %lld bytes, shorter than the header", path,
                   (long long)sb.st_size);
        return NULL;
    }
    m = cs_calloc(1, sizeof *m, err);
    if (!m) {
        close(fd);
        return NULL;
    }
    /* one read-only mapping, no copy: the drift sample's pages are read only when used */
    m->len = (size_t)sb.st_size;
    void *map = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        cs_err_set(err, CS_EIO, "%s: cannot map the model file (%s)", path, strerror(errno));
        free(m);
        return NULL;
    }
    m->buf = map;
    m->mapped = 1;
    if (_parse(m, err) != CS_OK) {
        cs_err_prefix(err, "%s: ", path);
        mf_free(m);
        return NULL;
    }
    return m;
}

void mf_free(mf_model *m)
{
    if (!m) return;
    if (m->mapped) munmap(m->buf, m->len);
    else free(m->buf);
    free(m->meta_json);
    free(m->name);
    free(m->mversion);
    free(m->created);
    free(m->digest);
    if (m->params_json) cJSON_free(m->params_json);
    if (m->search_json) cJSON_free(m->search_json);
    if (m->protected_json) cJSON_free(m->protected_json);
    free(m->names);
    feat_spec_free(m->spec);
    lrn_model_free(m->learner);
    ev_calib_free(m->calib);
    free(m->fold_auc);
    free(m->curve);
    free(m->stats);
    free(m->hists);
    free(m->mon_bins);
    free(m->importance);
    free(m->run_id);
    free(m->features_file);
    free(m->code_version);
    sc_card_free(m->card);
    free(m);
}

/* ---- accessors --------------------------------------------------------------------- */

const char *mf_name(const mf_model *m) { return m->name; }
const char *mf_version(const mf_model *m) { return m->mversion; }
const char *mf_created(const mf_model *m) { return m->created; }
const char *mf_data_digest_of(const mf_model *m) { return m->digest; }
uint32_t mf_format_version(const mf_model *m) { return m->version; }
size_t mf_n_train(const mf_model *m) { return m->n_train; }
double mf_positive_rate(const mf_model *m) { return m->positive_rate; }
size_t mf_n_feats(const mf_model *m) { return m->n_feats; }
const feat_spec *mf_spec(const mf_model *m) { return m->spec; }
const char *mf_id_name(const mf_model *m)
{
    const rcp_recipe *r = m->spec ? feat_spec_recipe(m->spec) : NULL;
    if (!r) return NULL;
    return strcmp(r->tables[r->root].key, RCP_ROW_KEY) ? r->tables[r->root].key : "row";
}
const lrn_model *mf_learner(const mf_model *m) { return m->learner; }
const char *mf_params_json(const mf_model *m) { return m->params_json; }
const ev_calib *mf_calib(const mf_model *m) { return m->calib; }
double mf_threshold(const mf_model *m) { return m->threshold; }
ev_cost_weights mf_cost_weights(const mf_model *m) { return m->cost; }
const mf_metrics *mf_get_metrics(const mf_model *m) { return &m->metrics; }
double mf_expected_value(const mf_model *m) { return m->expected_value; }

const double *mf_importance(const mf_model *m, size_t *n_rows)
{
    if (n_rows) *n_rows = m->importance ? m->importance_rows : 0;
    return m->importance;
}
const char *mf_search_json(const mf_model *m) { return m->search_json; }
size_t mf_oof(const mf_model *m, const double **prob, const double **target)
{
    if (prob) *prob = m->oof_prob;
    if (target) *target = m->oof_target;
    return m->n_oof;
}
const mf_test_ref *mf_test_reference(const mf_model *m) { return m->has_eval ? &m->test : NULL; }
const char *mf_run_id(const mf_model *m) { return m->run_id; }
const char *mf_features_file(const mf_model *m) { return m->features_file; }
const char *mf_code_version(const mf_model *m) { return m->code_version; }
const char *mf_protected_json(const mf_model *m) { return m->protected_json; }
const char *mf_meta_json(const mf_model *m) { return m->meta_json; }

const char *mf_feat_name(const mf_model *m, size_t j)
{
    return j < m->n_feats ? m->names[j] : NULL;
}

long mf_feat_index(const mf_model *m, const char *name)
{
    for (size_t j = 0; j < m->n_feats; j++)
        if (!strcmp(m->names[j], name)) return (long)j;
    return -1;
}

const ev_cost_point *mf_cost_curve(const mf_model *m, size_t *n)
{
    *n = m->n_curve;
    return m->curve;
}

const mf_mon_bins *mf_mon_bins_of(const mf_model *m, size_t j)
{
    return m->mon_bins && j < m->n_feats ? &m->mon_bins[j] : NULL;
}

const mf_score_ref *mf_score_reference(const mf_model *m)
{
    return m->mon_bins ? &m->score_ref : NULL;
}

const mf_feature_stats *mf_stats(const mf_model *m, size_t j)
{
    return m->stats && j < m->n_feats ? &m->stats[j] : NULL;
}

const mf_hist *mf_hist_of(const mf_model *m, size_t j)
{
    return m->hists && j < m->n_feats ? &m->hists[j] : NULL;
}

size_t mf_sample(const mf_model *m, const int64_t **ids, const double **target,
                 const double **values)
{
    if (ids) *ids = m->sample_ids;
    if (target) *target = m->sample_target;
    if (values) *values = m->sample_values;
    return m->n_sample;
}

cs_status mf_sample_check(const mf_model *m, cs_err *err)
{
    if (!m->n_sample) return CS_OK;
    size_t bytes = 8 * m->n_sample * (2 + m->n_feats);
    if (cs_hash64(m->sample_ids, bytes, SAMPLE_SEED) != m->sample_sum)
        return cs_err_set(err, CS_ECORRUPT, "drift sample: checksum mismatch: the model file is corrupt");
    return CS_OK;
}

/* ---- scoring ----------------------------------------------------------------------- */

double mf_predict_raw(const mf_model *m, const double *x)
{
    return lrn_predict_raw(m->learner, x);
}

double mf_predict_proba(const mf_model *m, const double *x)
{
    return ev_calib_apply(m->calib, lrn_raw_to_proba(m->learner, lrn_predict_raw(m->learner, x)));
}

int mf_decide(const mf_model *m, double p)
{
    return !(p < m->threshold);
}

const char *mf_decision_word(int refuse) { return refuse ? "refuse" : "approve"; }
const sc_card *mf_card(const mf_model *m) { return m->card; }
int64_t mf_cutoff_points(const mf_model *m) { return m->card ? m->cutoff : 0; }

cs_status mf_score(const mf_model *m, const double *x, mf_decision *out, cs_err *err)
{
    out->raw = lrn_predict_raw(m->learner, x);
    out->probability = ev_calib_apply(m->calib, lrn_raw_to_proba(m->learner, out->raw));
    out->threshold = m->threshold;
    out->distance = out->probability - out->threshold;
    out->refuse = mf_decide(m, out->probability);
    out->points = m->card ? (double)sc_card_points(m->card, x, NULL, NULL) : mf_points_of_proba(out->probability);
    if (!(out->probability >= 0 && out->probability <= 1))
        return cs_err_set(err, CS_EINTERNAL, "model %s gave probability %g", m->name, out->probability);
    return CS_OK;
}

cs_status mf_predict_matrix(const mf_model *m, const feat_matrix *fm, double *out, cs_err *err)
{
    long *map;
    int same = fm->n_feats == m->n_feats;
    size_t missing = 0;
    const char *first_missing = NULL;
    cs_status st = CS_OK;

    map = cs_malloc((m->n_feats ? m->n_feats : 1) * sizeof *map, err);
    if (!map) return CS_ENOMEM;
    for (size_t j = 0; j < m->n_feats; j++) {
        if (same && !strcmp(fm->names[j], m->names[j])) {
            map[j] = (long)j;
            continue;
        }
        same = 0;
        map[j] = feat_index(fm, m->names[j]);
        if (map[j] < 0 && missing++ == 0) first_missing = m->names[j];
    }
    if (missing) {
        st = cs_err_set(err, CS_ENOTFOUND, "the feature file lacks %zu of the model's %zu features (first: '%s')",
                        missing, m->n_feats, first_missing);
        free(map);
        return st;
    }
    if (same) {
        st = lrn_predict_matrix(m->learner, fm, NULL, fm->n_rows, 0, out, err);
        if (!st)
#pragma omp parallel for schedule(static)
            for (size_t i = 0; i < fm->n_rows; i++) out[i] = ev_calib_apply(m->calib, out[i]);
    } else {
        int fail = 0;
#pragma omp parallel
        {
            double *x = malloc((m->n_feats ? m->n_feats : 1) * sizeof *x);
            if (!x) {
#pragma omp atomic write
                fail = 1;
            }
#pragma omp for schedule(static)
            for (size_t i = 0; i < fm->n_rows; i++) {
                if (!x) continue;
                for (size_t j = 0; j < m->n_feats; j++) x[j] = fm->values[(size_t)map[j] * fm->n_rows + i];
                out[i] = mf_predict_proba(m, x);
            }
            free(x);
        }
        if (fail) st = cs_err_set(err, CS_ENOMEM, "out of memory scoring the feature file");
    }
    free(map);
    return st;
}
