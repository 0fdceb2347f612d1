/*
 * mlflow.h: export of the tracking store in MLflow's file-store layout
 * (mlruns/<experiment_id>/meta.yaml, <run_id>/meta.yaml, params/, metrics/, tags/,
 * artifacts/), readable by `mlflow ui --backend-store-uri DIR` (MLflow 1.x to 3.12).
 */
#ifndef CS_STORE_MLFLOW_H
#define CS_STORE_MLFLOW_H

#include "track.h"

typedef struct store_export_stats {
    size_t n_experiments;
    size_t n_runs;
    size_t n_params;
    size_t n_metric_points;
    size_t n_tags;
    size_t n_artifacts;     /* files copied into artifacts/ */
} store_export_stats;

/* Write every experiment and run of s under dir (created when absent; existing run
 * folders of the same ids are rewritten). Artifact files that still exist are copied into
 * the run's artifacts/ folder. stats may be NULL. */
cs_status store_export_mlflow(store *s, const char *dir, store_export_stats *stats, cs_err *err);

#endif /* CS_STORE_MLFLOW_H */
