/*
 * replay.c: a main() for the fuzz targets without libFuzzer: runs LLVMFuzzerTestOneInput
 * once on every file of the folders (or files) given, so that gcc's ASan + UBSan build of
 * a target replays its seed corpus and past crashes as a regression test
 * (tests/e2e/test_fuzz_corpus.sh). Prints one line per input; exits 1 when one is missing.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int _run(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *b;
    long n;
    if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        fprintf(stderr, "%s: cannot read\n", path);
        if (f) fclose(f);
        return 1;
    }
    b = malloc((size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "%s: cannot read\n", path);
        fclose(f);
        free(b);
        return 1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(b, (size_t)n);
    free(b);
    printf("replayed %s (%ld bytes)\n", path, n);
    return 0;
}

int main(int argc, char **argv)
{
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            struct dirent **ents;
            int n = scandir(argv[i], &ents, NULL, alphasort);
            if (n < 0) return 1;
            for (int k = 0; k < n; k++) {
                char p[4096];
                if (ents[k]->d_name[0] != '.') {
                    snprintf(p, sizeof p, "%s/%s", argv[i], ents[k]->d_name);
                    bad |= _run(p);
                }
                free(ents[k]);
            }
            free(ents);
        } else {
            bad |= _run(argv[i]);
        }
    }
    return bad;
}
