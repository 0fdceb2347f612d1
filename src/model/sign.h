/*
 * sign.h: signed model files. A signature is the HMAC-SHA256 of the model file's bytes
 * under a secret key, written as 64 hex digits and a newline to MODEL.sig beside the file
 * (the model file itself is unchanged, so an unsigned deployment reads it as before). A
 * server given the key loads a model only through mf_load_signed(), which reads the file
 * once, checks the signature on exactly those bytes (constant-time comparison) and loads
 * them: there is no window between the check and the load. See docs/security.md.
 */
#ifndef CS_MODEL_SIGN_H
#define CS_MODEL_SIGN_H

#include "../base/cs.h"
#include "model.h"

#define MF_KEY_MIN 16           /* shortest key accepted, in bytes */

/* Read a key file: its bytes with trailing spaces and newlines removed, at least
 * MF_KEY_MIN bytes ("k.key: key shorter than 16 bytes"). *key is malloc'd (caller frees
 * it; wipe it first when done). */
cs_status mf_key_load(const char *path, unsigned char **key, size_t *key_len, cs_err *err);

/* The signature file's name for a model (path + ".sig"), malloc'd; NULL + err. */
char *mf_sig_path(const char *model_path, cs_err *err);

/* Sign model_path: write its signature to model_path.sig (through a temporary file and a
 * rename). The file must be a loadable model (a typo'd path is not signed). */
cs_status mf_sign_file(const char *model_path, const void *key, size_t key_len, cs_err *err);

/* Load a model whose signature must verify under key. Refused with a message naming the
 * file when the .sig is missing ("unsigned"), malformed, or does not match ("tampered
 * with, or signed with another key"): CS_EINVAL; otherwise as mf_load(). Free with mf_free(). */
mf_model *mf_load_signed(const char *path, const void *key, size_t key_len, cs_err *err);

#endif /* CS_MODEL_SIGN_H */
