/*
 * builtin.c: the recipe the features take when none is given (engine.h): the Home Credit
 * kernel's, recipes/homecredit-kernel.json, compiled into the binary so that `features`
 * without --recipe, and model files whose spec predates recipes, need no file at run time.
 */
#include "engine.h"

/* the recipe, embedded by the assembler (the path is relative to the repository root, where
 * make runs the compiler) */
__asm__(".section .rodata\n"
        ".global feat__kernel_recipe_start\n"
        ".global feat__kernel_recipe_end\n"
        ".balign 16\n"
        "feat__kernel_recipe_start:\n"
        ".incbin \"recipes/homecredit-kernel.json\"\n"
        "feat__kernel_recipe_end:\n"
        ".byte 0\n"
        ".previous\n");
extern const char feat__kernel_recipe_start[];
extern const char feat__kernel_recipe_end[];

const char *feat_kernel_recipe_json(size_t *len)
{
    if (len) *len = (size_t)(feat__kernel_recipe_end - feat__kernel_recipe_start);
    return feat__kernel_recipe_start;
}

rcp_recipe *feat_kernel_recipe(cs_err *err)
{
    size_t len;
    const char *text = feat_kernel_recipe_json(&len);
    return rcp_parse_string(FEAT_KERNEL_RECIPE_SOURCE, text, len, err);
}
