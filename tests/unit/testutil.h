/*
 * testutil.h: helpers the unit tests share, header only (static inline): a fresh temporary
 * folder, its removal, a small text file. They return 0 or -1 and never assert, so group
 * setup/teardown functions can return their result and tests can assert on it.
 */
#ifndef CS_TESTS_UNIT_TESTUTIL_H
#define CS_TESTS_UNIT_TESTUTIL_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* Make a fresh folder from tmpl ("/tmp/cs_x_XXXXXX") and write its name to dir (cap bytes). */
static inline int tu_mkdtemp(char *dir, size_t cap, const char *tmpl)
{
    if ((size_t)snprintf(dir, cap, "%s", tmpl) >= cap) return -1;
    return mkdtemp(dir) ? 0 : -1;
}

/* Remove folder dir and everything below it. */
static inline int tu_rmrf(const char *dir)
{
    char cmd[PATH_MAX + 16];
    if ((size_t)snprintf(cmd, sizeof cmd, "rm -rf %s", dir) >= sizeof cmd) return -1;
    return system(cmd) == 0 ? 0 : -1;
}

/* Write text to path (created or truncated). */
static inline int tu_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -1;
}

#endif /* CS_TESTS_UNIT_TESTUTIL_H */
