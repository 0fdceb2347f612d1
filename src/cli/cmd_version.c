/*
 * cmd_version.c: `creditscore version`: the version and how this binary was built.
 */
#include "cli.h"

#include <string.h>

int cmd_version(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: creditscore version\n\nPrint the version, the compiler and the build options.\n");
        return CLI_EXIT_OK;
    }
    if (argc > 1) return cli_usage_error("version", "unexpected argument '%s'", argv[1]);
    printf("creditscore %s\n", CS_VERSION);
    printf("compiler: gcc %d.%d.%d\n", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#ifdef _OPENMP
    printf("openmp: %d\n", _OPENMP);
#else
    printf("openmp: off\n");
#endif
    return CLI_EXIT_OK;
}
