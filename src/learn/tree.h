/*
 * tree.h: the decision tree every tree learner produces and every tree consumer reads.
 * Our gradient boosting and random forest grow these; XGBoost models are converted into
 * them (xgb.h); prediction and exact TreeSHAP (explain/) run on them.
 *
 * A tree is a flat array of nodes, node 0 the root. An internal node sends a row left
 * when x[feature] <= threshold, right when x[feature] > threshold (so +inf goes right,
 * -inf left), and a missing value (NaN) to the side default_left names. A leaf has
 * feature == -1 and its output in value. `cover` is the training weight (sum of hessians
 * for boosting, of sample weights for the forest) that reached the node: TreeSHAP needs it
 * for every node, leaves included. `gain` is the loss reduction of the split (0 at leaves).
 */
#ifndef CS_LEARN_TREE_H
#define CS_LEARN_TREE_H

#include "../base/cs.h"

typedef struct tree_node {
    int32_t feature;        /* split feature index, -1 for a leaf */
    int32_t left;           /* child index when x <= threshold */
    int32_t right;          /* child index when x > threshold */
    uint8_t default_left;   /* 1: NaN goes left, 0: right */
    double threshold;       /* split value */
    double value;           /* leaf output (raw score units); internal nodes: the node's own output */
    double cover;           /* training weight reaching this node */
    double gain;            /* split gain (internal nodes) */
} tree_node;

typedef struct tree {
    int32_t n_nodes;
    tree_node *nodes;       /* owned by the tree */
} tree;

/* The leaf output for one row (x holds all features of the row, by feature index). */
static inline double tree_predict_row(const tree *t, const double *x)
{
    const tree_node *n = t->nodes;
    int32_t i = 0;
    while (n[i].feature >= 0) {
        double v = x[n[i].feature];
        if (v != v) i = n[i].default_left ? n[i].left : n[i].right;
        else i = v <= n[i].threshold ? n[i].left : n[i].right;
    }
    return n[i].value;
}

/* Depth of the tree (a single leaf has depth 0). */
int tree_depth(const tree *t);

/* Check the structure (children in range, no cycles, leaves have no children) of a tree
 * that came from outside (a model file, a converted XGBoost model). */
cs_status tree_validate(const tree *t, size_t n_feats, cs_err *err);

#endif /* CS_LEARN_TREE_H */
