/*
 * tree.c: the checks and measures of a decision tree (tree.h).
 */
#include "tree.h"

#include <math.h>
#include <stdlib.h>

int tree_depth(const tree *t)
{
    if (!t || t->n_nodes <= 0) return 0;
    int32_t *stack = malloc((size_t)t->n_nodes * 2 * sizeof *stack);
    if (!stack) return -1;
    int sp = 0, best = 0;
    stack[sp++] = 0;
    stack[sp++] = 0;
    while (sp > 0) {
        int d = stack[--sp];
        int32_t i = stack[--sp];
        if (d > best) best = d;
        const tree_node *n = &t->nodes[i];
        if (n->feature >= 0 && sp + 4 <= t->n_nodes * 2) {
            stack[sp++] = n->left;
            stack[sp++] = d + 1;
            stack[sp++] = n->right;
            stack[sp++] = d + 1;
        }
    }
    free(stack);
    return best;
}

cs_status tree_validate(const tree *t, size_t n_feats, cs_err *err)
{
    if (!t || t->n_nodes <= 0 || !t->nodes) return cs_err_set(err, CS_ECORRUPT, "empty tree");
    int32_t n = t->n_nodes;
    uint8_t *seen = calloc((size_t)n, 1);
    int32_t *stack = malloc((size_t)n * sizeof *stack);
    cs_status st = CS_OK;
    int32_t visited = 0;
    if (!seen || !stack) {
        st = cs_err_set(err, CS_ENOMEM, "out of memory checking a tree of %d nodes", (int)n);
        goto done;
    }
    int sp = 0;
    stack[sp++] = 0;
    seen[0] = 1;
    while (sp > 0) {
        int32_t i = stack[--sp];
        const tree_node *nd = &t->nodes[i];
        visited++;
        if (!isfinite(nd->value) || !isfinite(nd->cover) || isnan(nd->gain)) {
            st = cs_err_set(err, CS_ECORRUPT, "node %d: value, cover or gain not finite", (int)i);
            goto done;
        }
        if (nd->feature < 0) {
            if (nd->feature != -1 || nd->left >= 0 || nd->right >= 0) {
                st = cs_err_set(err, CS_ECORRUPT, "node %d: a leaf with children", (int)i);
                goto done;
            }
            continue;
        }
        if ((size_t)nd->feature >= n_feats) {
            st = cs_err_set(err, CS_ECORRUPT, "node %d: feature %d out of range (%zu features)",
                            (int)i, (int)nd->feature, n_feats);
            goto done;
        }
        if (isnan(nd->threshold) || nd->default_left > 1) {
            st = cs_err_set(err, CS_ECORRUPT, "node %d: bad threshold or default side", (int)i);
            goto done;
        }
        int32_t kids[2] = {nd->left, nd->right};
        for (int c = 0; c < 2; c++) {
            int32_t k = kids[c];
            if (k <= 0 || k >= n || seen[k]) {
                st = cs_err_set(err, CS_ECORRUPT, "node %d: child %d out of range or shared",
                                (int)i, (int)k);
                goto done;
            }
            seen[k] = 1;
            stack[sp++] = k;
        }
    }
    if (visited != n)
        st = cs_err_set(err, CS_ECORRUPT, "%d of %d nodes unreachable from the root",
                        (int)(n - visited), (int)n);
done:
    free(seen);
    free(stack);
    return st;
}
