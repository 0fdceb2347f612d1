/*
 * derive.c: the value of a derived column from its operands (recipe.h, rcp_derive_apply),
 * the one definition the feature engine (features/engine.c) and the counterfactual search
 * (cf/) share, so that a value recomputed for a what-if is the engine's to the bit.
 */
#include <assert.h>
#include <math.h>

#include "recipe.h"

double rcp_derive_apply(const rcp_derive *d, double a, double b)
{
    double z;
    assert(d);
    switch (d->op) {
    case RCP_OP_ADD: z = a + b; break;
    case RCP_OP_SUB: z = a - b; break;
    case RCP_OP_MUL: z = a * b; break;
    case RCP_OP_DIV: z = a / b; break;
    default:
        if (a != a || b != b) z = NAN;
        else switch (d->op) {
            case RCP_OP_GT: z = a > b; break;
            case RCP_OP_GE: z = a >= b; break;
            case RCP_OP_LT: z = a < b; break;
            case RCP_OP_LE: z = a <= b; break;
            case RCP_OP_EQ: z = a == b; break;
            default: z = a != b; break;
            }
        break;
    }
    if (d->positive) z = z > 0 ? z : 0;
    return z;
}
