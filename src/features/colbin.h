/*
 * colbin.h: the column kernel shared by the scorecard's binning (learn/binning.c), the
 * learners' binned dataset (learn/dataset.c) and monitoring (monitor/monitor.c): one column
 * of a feature matrix (a mapped .csf file, read in place) cut at ascending edges and counted
 * per bin over a list of rows, each row counted at an offset of its own (its period, its
 * target); and two pieces of choosing edges (the distinct values of a column that has few,
 * the cut between two neighbouring values).
 *
 *   cb_row r[] = {{row, base}, ...};                // base: where this row's bins start
 *   uint32_t c[CB_LANES * span];                    // scratch, span >= every base + nan_bin + 1
 *   cb_count(feat_col(m, j), r, n, edges, n_edges, nan_bin, c, span);
 *   // c[base + b]: rows of that base in bin b (b = the number of edges below x), NaN at nan_bin
 *
 * Nothing here allocates but cb_plan_new; everything is safe to call from several threads
 * on different outputs (a plan is read-only once made).
 */
#ifndef CS_FEATURES_COLBIN_H
#define CS_FEATURES_COLBIN_H

#include "../base/cs.h"

/* A row of the matrix to count and the offset of its bins in the counts. */
typedef struct cb_row {
    uint32_t row;           /* row index in the column */
    uint32_t base;          /* its bins are counts[base + 0 ..] */
} cb_row;

#define CB_LANES 4          /* interleaved copies of the counts cb_count works in */
#define CB_MAX_EDGES 255    /* at most this many edges */

/* Count the rows rows[0..n) of col into bins: the bin of x = col[rows[i].row] is the number
 * of the n_edges (0..CB_MAX_EDGES) ascending edges strictly below x (bin b holds
 * edges[b-1] < x <= edges[b]), NaN goes to nan_bin; row i adds 1 to counts[rows[i].base +
 * bin]. counts holds CB_LANES * span entries (every base + bin < span): cb_count zeroes them,
 * counts in CB_LANES interleaved copies (runs of equal bins do not wait on one another) and
 * leaves the totals in counts[0..span). Reads rows in their order: sorted rows read the
 * column forwards, and a chunk of consecutive rows is read in place. A chunk of rows of one
 * base with up to 16 ascending edges is counted per edge (the values above each edge, four
 * at a time: no store per value); otherwise each value's bin is found, by a vectorised
 * scan of the edges for up to 32 edges, a branch-free binary search for more. */
void cb_count(const double *col, const cb_row *rows, size_t n, const double *edges, size_t n_edges,
              uint32_t nan_bin, uint32_t *counts, size_t span);

/* The rows of many columns cut once: cb_count_plan counts column after column over the
 * same rows without redoing the per-row bookkeeping (which rows are consecutive, which
 * chunks hold one base). The plan points at rows (kept alive and unchanged by the caller)
 * and allocates (cb_plan_free; NULL allowed); NULL + err when out of memory. n_rows: the
 * length of the columns. */
typedef struct cb_plan cb_plan;
cb_plan *cb_plan_new(const cb_row *rows, size_t n, size_t n_rows, cs_err *err);
void cb_plan_free(cb_plan *p);

/* cb_count of the plan's rows of col (n_rows values), the column read once: with sum !=
 * NULL the column's cs_hash64 (seed 0, its n_rows * 8 bytes) is taken in the same pass and
 * written to *sum (the column is hashed a block at a time and the block's rows counted
 * while it is in cache: a reader that verifies a mapped file's column checksum does not
 * read the column twice). Rows in ascending order read the column forwards once; any
 * order counts the same. */
void cb_count_plan(const double *col, const cb_plan *p, const double *edges, size_t n_edges, uint32_t nan_bin,
                   uint32_t *counts, size_t span, uint64_t *sum);

/* The bin of one value as cb_count counts it (NaN -> nan_bin). */
size_t cb_bin_of(double x, const double *edges, size_t n_edges, size_t nan_bin);

/* When v[0..n) (non-NaN) holds at most cap (<= CB_MAX_EDGES + 1) distinct values: writes
 * them to out, ascending, and returns their number; otherwise returns cap + 1 (a column of
 * flags or small counts needs no sort). -0 counts as 0. */
size_t cb_few_distinct(const double *v, size_t n, size_t cap, double *out);

/* A cut between two neighbouring distinct values a < b that a falls at or below and b
 * above: their midpoint, or a where the midpoint rounds onto b. */
double cb_cut(double a, double b);

#endif /* CS_FEATURES_COLBIN_H */
