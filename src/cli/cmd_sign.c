/*
 * cmd_sign.c: `creditscore sign MODEL --key-file K`: writes MODEL.sig, the HMAC-SHA256 of
 * the model file under the key, which `serve --model-key K` requires (model/sign.h).
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "model/sign.h"

static void _help(void)
{
    printf("usage: creditscore sign MODEL --key-file FILE\n\n"
           "Sign a model file: write MODEL.sig, the HMAC-SHA256 of the file under the secret key\n"
           "in FILE (at least %d bytes; trailing newlines ignored). `creditscore serve --model-key\n"
           "FILE` then refuses a model whose signature is missing or does not match. Sign again\n"
           "after any change to the model file. See docs/security.md.\n\n"
           "  --key-file FILE   the secret key (keep it readable only by the operator)\n",
           MF_KEY_MIN);
}

int cmd_sign(int argc, char **argv)
{
    static const struct option opts[] = {{"key-file", required_argument, 0, 'k'}, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *key_path = NULL;
    unsigned char *key = NULL;
    size_t key_len = 0;
    cs_err err = {0};
    cs_status st;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'k': key_path = optarg; break;
        case 'h': _help(); return CLI_EXIT_OK;
        default: return cli_usage_error("sign", "unknown option");
        }
    }
    if (optind != argc - 1) return cli_usage_error("sign", "give one model file");
    if (!key_path) return cli_usage_error("sign", "--key-file is required");
    if (mf_key_load(key_path, &key, &key_len, &err)) return cli_fail("sign", &err);
    st = mf_sign_file(argv[optind], key, key_len, &err);
    memset(key, 0, key_len);
    free(key);
    if (st) return cli_fail("sign", &err);
    printf("signed %s: %s.sig\n", argv[optind], argv[optind]);
    return CLI_EXIT_OK;
}
