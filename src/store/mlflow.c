/*
 * mlflow.c: writing the tracking store as an MLflow file store. The layout and every
 * field follow MLflow's file_store.py: experiment meta.yaml, run meta.yaml (status as
 * the RunStatus integer, source_type 4 = LOCAL), one file per param and tag holding the
 * raw value with no trailing newline, one file per metric with "timestamp value step"
 * lines, and the system tags mlflow.runName, mlflow.user, mlflow.source.name,
 * mlflow.source.type and mlflow.parentRunId (search trials).
 */
#include "mlflow.h"
#include "store_int.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static cs_status _write_file(const char *path, const char *data, size_t len, cs_err *err)
{
    FILE *f;
    char dir[PATH_MAX];
    cs_status st;
    snprintf(dir, sizeof dir, "%s", path);
    if ((st = store__mkdirs(dirname(dir), err))) return st;
    f = fopen(path, "wb");
    if (!f) return cs_err_set(err, CS_EIO, "%s: %s", path, strerror(errno));
    if (fwrite(data, 1, len, f) != len || fclose(f) != 0)
        return cs_err_set(err, CS_EIO, "%s: write failed", path);
    return CS_OK;
}

static cs_status _copy_file(const char *from, const char *to, cs_err *err)
{
    char buf[1 << 16];
    size_t n;
    FILE *in = fopen(from, "rb"), *out;
    if (!in) return cs_err_set(err, CS_EIO, "%s: %s", from, strerror(errno));
    out = fopen(to, "wb");
    if (!out) {
        fclose(in);
        return cs_err_set(err, CS_EIO, "%s: %s", to, strerror(errno));
    }
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) break;
    fclose(in);
    if (fclose(out) != 0) return cs_err_set(err, CS_EIO, "%s: write failed", to);
    return CS_OK;
}

/* YAML single-quoted scalar: '' doubles a quote. */
static void _yaml_str(cs_buf *b, const char *s)
{
    cs_buf_puts(b, "'", NULL);
    for (; *s; s++) {
        if (*s == '\'') cs_buf_puts(b, "''", NULL);
        else if (*s == '\n') cs_buf_puts(b, " ", NULL);
        else cs_buf_append(b, s, 1, NULL);
    }
    cs_buf_puts(b, "'", NULL);
}

/* MLflow writes metric values with Python's repr(float). */
static void _fmt_metric(char *out, size_t cap, double v)
{
    if (isnan(v)) snprintf(out, cap, "nan");
    else if (isinf(v)) snprintf(out, cap, v > 0 ? "inf" : "-inf");
    else {
        cs_fmt_double(out, cap, v);
        if (!strpbrk(out, ".en")) strncat(out, ".0", cap - strlen(out) - 1);
    }
}

static cs_status _export_run(store *s, const char *root, const char *abs_root, const store_run *r,
                             store_export_stats *stats, cs_err *err)
{
    char dir[PATH_MAX + 64], path[PATH_MAX + 400];
    cs_buf b = {0};
    cs_status st;

    snprintf(dir, sizeof dir, "%s/%lld/%s", root, (long long)r->experiment_id, r->run_id);
    if ((st = store__mkdirs(dir, err))) return st;
    snprintf(path, sizeof path, "%s/artifacts", dir);
    if ((st = store__mkdirs(path, err))) return st;
    snprintf(path, sizeof path, "%s/params", dir);
    if ((st = store__mkdirs(path, err))) return st;
    snprintf(path, sizeof path, "%s/metrics", dir);
    if ((st = store__mkdirs(path, err))) return st;

    cs_buf_printf(&b, NULL, "artifact_uri: file://%s/%lld/%s/artifacts\n", abs_root, (long long)r->experiment_id, r->run_id);
    if (r->end_ms) cs_buf_printf(&b, NULL, "end_time: %lld\n", (long long)r->end_ms);
    else cs_buf_puts(&b, "end_time: null\n", NULL);
    cs_buf_puts(&b, "entry_point_name: ''\n", NULL);
    cs_buf_printf(&b, NULL, "experiment_id: '%lld'\n", (long long)r->experiment_id);
    cs_buf_puts(&b, "lifecycle_stage: active\n", NULL);
    cs_buf_printf(&b, NULL, "run_id: %s\n", r->run_id);
    cs_buf_puts(&b, "run_name: ", NULL);
    _yaml_str(&b, r->name);
    cs_buf_printf(&b, NULL, "\nrun_uuid: %s\n", r->run_id);
    cs_buf_puts(&b, "source_name: ''\nsource_type: 4\nsource_version: ''\n", NULL);
    cs_buf_printf(&b, NULL, "start_time: %lld\nstatus: %d\ntags: []\nuser_id: ", (long long)r->start_ms, (int)r->status);
    _yaml_str(&b, r->user);
    cs_buf_puts(&b, "\n", NULL);
    snprintf(path, sizeof path, "%s/meta.yaml", dir);
    st = _write_file(path, b.data, b.len, err);
    cs_buf_free(&b);
    if (st) return st;

    for (size_t i = 0; i < r->n_params; i++) {
        snprintf(path, sizeof path, "%s/params/%s", dir, r->params[i].key);
        if ((st = _write_file(path, r->params[i].value, strlen(r->params[i].value), err))) return st;
        stats->n_params++;
    }
    for (size_t i = 0; i < r->n_metrics; i++) {
        store_point *pts = NULL;
        size_t n = 0;
        if ((st = store_metric_history(s, r->run_id, r->metrics[i].key, &pts, &n, err))) return st;
        for (size_t k = 0; k < n; k++) {
            char v[40];
            _fmt_metric(v, sizeof v, pts[k].value);
            cs_buf_printf(&b, NULL, "%lld %s %lld\n", (long long)pts[k].timestamp_ms, v, (long long)pts[k].step);
        }
        stats->n_metric_points += n;
        free(pts);
        snprintf(path, sizeof path, "%s/metrics/%s", dir, r->metrics[i].key);
        st = _write_file(path, b.data ? b.data : "", b.len, err);
        cs_buf_free(&b);
        if (st) return st;
    }
    /* user tags, then the system tags MLflow itself would have written */
    for (size_t i = 0; i < r->n_tags; i++) {
        snprintf(path, sizeof path, "%s/tags/%s", dir, r->tags[i].key);
        if ((st = _write_file(path, r->tags[i].value, strlen(r->tags[i].value), err))) return st;
        stats->n_tags++;
    }
    {
        const char *sys[][2] = {{"mlflow.runName", r->name},
                                {"mlflow.user", r->user},
                                {"mlflow.source.name", r->source},
                                {"mlflow.source.type", "LOCAL"},
                                {"mlflow.parentRunId", r->parent_run_id}};
        for (size_t i = 0; i < sizeof sys / sizeof sys[0]; i++) {
            if (!sys[i][1][0]) continue;
            snprintf(path, sizeof path, "%s/tags/%s", dir, sys[i][0]);
            if ((st = _write_file(path, sys[i][1], strlen(sys[i][1]), err))) return st;
            stats->n_tags++;
        }
    }
    for (size_t i = 0; i < r->n_artifacts; i++) {
        char src[PATH_MAX];
        struct stat sb;
        snprintf(src, sizeof src, "%s", r->artifacts[i].key);
        if (stat(src, &sb) != 0 || !S_ISREG(sb.st_mode)) continue;   /* gone since: nothing to copy */
        snprintf(path, sizeof path, "%s/artifacts/%s", dir, basename(src));
        if ((st = _copy_file(r->artifacts[i].key, path, err))) return st;
        stats->n_artifacts++;
    }
    stats->n_runs++;
    return CS_OK;
}

cs_status store_export_mlflow(store *s, const char *dir, store_export_stats *stats_out, cs_err *err)
{
    store_experiment *exps = NULL;
    size_t n_exps = 0;
    store_export_stats stats = {0};
    char abs_root[PATH_MAX], path[PATH_MAX + 64];
    cs_buf b = {0};
    cs_status st;
    store_run_list *runs;

    if ((st = store__mkdirs(dir, err))) return st;
    if (!realpath(dir, abs_root)) return cs_err_set(err, CS_EIO, "%s: %s", dir, strerror(errno));
    if ((st = store_experiments(s, &exps, &n_exps, err))) return st;
    for (size_t i = 0; i < n_exps && !st; i++) {
        cs_buf_printf(&b, NULL, "artifact_location: file://%s/%lld\ncreation_time: %lld\nexperiment_id: '%lld'\n"
                                "last_update_time: %lld\nlifecycle_stage: active\nname: ",
                      abs_root, (long long)exps[i].id, (long long)exps[i].creation_ms, (long long)exps[i].id,
                      (long long)exps[i].last_update_ms);
        _yaml_str(&b, exps[i].name);
        cs_buf_puts(&b, "\n", NULL);
        snprintf(path, sizeof path, "%s/%lld/meta.yaml", abs_root, (long long)exps[i].id);
        st = _write_file(path, b.data, b.len, err);
        cs_buf_free(&b);
        stats.n_experiments++;
    }
    store_experiments_free(exps, n_exps);
    if (st) return st;
    runs = store_runs_query(s, NULL, err);
    if (!runs) return err ? err->code : CS_EIO;
    for (size_t i = 0; i < runs->n && !st; i++) st = _export_run(s, abs_root, abs_root, &runs->runs[i], &stats, err);
    store_run_list_free(runs);
    if (stats_out) *stats_out = stats;
    return st;
}
