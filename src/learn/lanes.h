/*
 * lanes.h: the single-row tree walk behind lrn_predict_raw and lrn_predict_matrix (src/learn,
 * internal: model.c is its only user). A compact copy of a model's trees, built once at load, through which one
 * row is walked LANES_N trees at a time, branch-free:
 *
 * - Nodes are 16 bytes: the threshold as a 64-bit order key (the double's bits mapped so that
 *   integer order is the doubles' order; a threshold of -0 is keyed as +0, so a row's -0 and
 *   +0 compare alike), the index of the row value it is compared with, and the byte offsets of
 *   its two successors. A node sends the row right when the row's key is greater than the
 *   node's: exactly `x > threshold` of tree.h. Both offsets are read before the comparison,
 *   whose outcome only selects one (a conditional move, no branch).
 * - The row is turned into keys once per call: every feature the trees split on twice, once
 *   with NaN as the smallest key (for the nodes whose NaN goes left) and once as the largest
 *   (NaN right), so the node's default direction is folded into which of the two it reads;
 *   four features at a time as one vector (an AVX2 build and a plain one on x86-64, chosen at
 *   load).
 * - The trees are dealt to LANES_N lanes (balanced by their expected path length, from the
 *   nodes' training cover); a lane's trees are laid out one after the other, each in preorder
 *   with the heavier child first, and a leaf's successor is the root of the lane's next tree.
 *   Each step of a lane writes its node's key to a slot (a leaf's slot is its tree's output;
 *   an internal node's slot is scratch) and moves to the next node, so all lanes step
 *   together without a branch per node, their dependent loads overlapping; a lane that is
 *   done waits on a node that loops to itself.
 * - The leaf values are then summed in tree order: the same double as the plain walk.
 * Trees are cut into blocks of LANES_BLOCK; no allocation per call, about 16 bytes of stack
 * per feature and tree slot (at most ~41 KB).
 */
#ifndef CS_LEARN_LANES_H
#define CS_LEARN_LANES_H

#include "learner.h"

typedef struct lanes lanes;     /* opaque */

/* Build the copy of m's trees (read-only afterwards: safe to walk from any thread). *out =
 * NULL (and CS_OK) when the model does not fit the layout: a NaN threshold, a tree of more
 * than 2,047 nodes, more than 1,024 features split on, or no trees. CS_ENOMEM on failure. */
cs_status lanes_build(const lrn_model *m, lanes **out, cs_err *err);

/* The sum of the tree outputs for one row x (m->n_feats values, NaN = missing), in tree
 * order (not averaged, no base score). */
double lanes_row(const lanes *l, const double *x);

void lanes_free(lanes *l);

#endif /* CS_LEARN_LANES_H */
