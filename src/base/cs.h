/*
 * cs.h: the base of creditscore. Status codes and error messages, checked allocation,
 * a growable string buffer, a seeded random generator, fast hashing and a terminal
 * progress bar. Every other module includes this header and nothing here includes them.
 *
 * Error convention (read this first). A library function that can fail returns a
 * cs_status and takes, as its last parameter, a `cs_err *err` (which may be NULL).
 * On failure it fills err with the status and a message that names where and what
 * ("application_train.csv:17:9: text 'abc' in numeric column AMT_CREDIT") and
 * returns the same status. Library code never prints, exits or aborts on bad input.
 * Constructors that return a pointer return NULL on failure and fill err.
 */
#ifndef CS_BASE_CS_H
#define CS_BASE_CS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CS_VERSION "0.1.0"

/* ---- status codes ---------------------------------------------------------------- */

typedef enum cs_status {
    CS_OK = 0,          /* success */
    CS_ENOMEM = 1,      /* an allocation failed */
    CS_EIO = 2,         /* a file could not be opened, read or written */
    CS_EPARSE = 3,      /* malformed input text (CSV, JSON, numbers) */
    CS_EINVAL = 4,      /* an argument or parameter is out of its domain */
    CS_ECORRUPT = 5,    /* a binary file failed its checksum or structure checks */
    CS_EVERSION = 6,    /* a file was written by a newer format version */
    CS_ENOTFOUND = 7,   /* a named thing (column, client, run, model) does not exist */
    CS_EUNSUPPORTED = 8,/* a valid request this build cannot serve */
    CS_EINTERNAL = 9,   /* a broken invariant: a bug, reported rather than crashed on */
    CS_EINTERRUPTED = 10/* the operation was cancelled (signal, user) */
} cs_status;

#define CS_ERR_MSG_MAX 512

/* An error: a status and the message that explains it. Lives on the caller's stack. */
typedef struct cs_err {
    cs_status code;             /* CS_OK when no error was recorded */
    char msg[CS_ERR_MSG_MAX];   /* NUL-terminated; "" when code == CS_OK */
} cs_err;

/* The fixed English name of a status ("out of memory", "parse error", ...). */
const char *cs_status_str(cs_status code);

/* Record an error in err (when err is not NULL), printf-style; returns code, so that
 * library code can write `return cs_err_set(err, CS_EPARSE, "%s:%zu: ...", ...);`. */
cs_status cs_err_set(cs_err *err, cs_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Put a prefix in front of an existing message ("loading model.csm: " + old message),
 * keeping the code. Returns err->code (CS_OK when err is NULL). */
cs_status cs_err_prefix(cs_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reset err to "no error". */
void cs_err_clear(cs_err *err);

/* ---- allocation -------------------------------------------------------------------- */

/* malloc/calloc/realloc that record CS_ENOMEM in err on failure and return NULL.
 * n * size is checked for overflow. Free with free(). */
void *cs_malloc(size_t size, cs_err *err);
void *cs_calloc(size_t n, size_t size, cs_err *err);
void *cs_reallocarray(void *ptr, size_t n, size_t size, cs_err *err);
char *cs_strdup(const char *s, cs_err *err);

/* ---- string buffer ----------------------------------------------------------------- */

/* A growable, always NUL-terminated byte buffer. Zero-initialise ({0}) before use. */
typedef struct cs_buf {
    char *data;     /* NULL until the first append */
    size_t len;     /* bytes used, not counting the terminating NUL */
    size_t cap;     /* bytes allocated */
} cs_buf;

cs_status cs_buf_append(cs_buf *b, const void *data, size_t len, cs_err *err);
cs_status cs_buf_puts(cs_buf *b, const char *s, cs_err *err);
cs_status cs_buf_printf(cs_buf *b, cs_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Hand the bytes to the caller (who frees them) and reset b; returns "" copy when empty. */
char *cs_buf_take(cs_buf *b);
void cs_buf_free(cs_buf *b);
/* Append the whole of the file at path to b (which stays NUL-terminated). CS_EIO names the
 * file and the system's reason; on any failure b is freed. */
cs_status cs_buf_read_file(cs_buf *b, const char *path, cs_err *err);

/* Write len bytes to path whole or not at all: to "path.tmp", fsync'ed, then renamed over
 * path and the folder fsync'ed (neither a crash nor a power loss leaves a half-written file
 * under the final name). CS_EIO names the file and the system's reason; when only the
 * folder's sync failed, the file is in place whole and the message says so. */
cs_status cs_write_file(const char *path, const void *data, size_t len, cs_err *err);

/* fsync the folder holding path, so that a rename into it is on disk: 0, or -1 with errno
 * set. */
int cs_sync_dir(const char *path);

/* Put a file written through f under the temporary name tmp in place as path, whole or not
 * at all, on disk: f flushed, fsync'ed and closed (closed whatever fails), tmp renamed over
 * path, then the folder fsync'ed, so that neither a crash nor a power loss leaves path
 * half-written. On a failure before the rename, tmp is removed and path is as it was.
 * CS_EIO names path and the system's reason ("cannot sync to disk" for a failed fsync);
 * when only the folder's sync failed, the new file is in place whole and the message says
 * so. Every writer that renames a file into place goes through this or its two halves. */
cs_status cs_file_commit(FILE *f, const char *tmp, const char *path, cs_err *err);
/* The halves of cs_file_commit, for a writer that closes several files before renaming
 * any: cs_file_close_synced flushes, fsyncs and closes f (always closed; CS_EIO names
 * path, the file f will become); cs_file_place renames tmp over path and fsyncs the folder
 * (CS_EIO names path; tmp is removed when the rename failed). */
cs_status cs_file_close_synced(FILE *f, const char *path, cs_err *err);
cs_status cs_file_place(const char *tmp, const char *path, cs_err *err);

/* Format a double so that it reads back exactly (shortest "%.17g"-equivalent round trip),
 * in the C locale whatever the process locale: "nan", "inf", "-inf" for the specials.
 * out must hold at least 32 bytes. Returns the length written. */
int cs_fmt_double(char *out, size_t cap, double v);

/* Write s to f as one CSV field: as it is, or quoted (inner quotes doubled) when it holds a
 * comma, a quote or a line end (RFC 4180). */
void cs_csv_field(FILE *f, const char *s);

/* ---- random numbers ---------------------------------------------------------------- */

/* xoshiro256** seeded through splitmix64: fast, good quality, deterministic everywhere. */
typedef struct cs_rng {
    uint64_t s[4];
} cs_rng;

void cs_rng_seed(cs_rng *r, uint64_t seed);
/* An independent stream for parallel work: same seed + same stream id -> same numbers. */
void cs_rng_seed_stream(cs_rng *r, uint64_t seed, uint64_t stream);
uint64_t cs_rng_u64(cs_rng *r);
double cs_rng_uniform(cs_rng *r);              /* [0, 1) with 53 random bits */
uint64_t cs_rng_below(cs_rng *r, uint64_t n);  /* uniform in [0, n), unbiased; n > 0 */
double cs_rng_normal(cs_rng *r);               /* standard normal (Box-Muller, no cached state) */

/* ---- hashing ----------------------------------------------------------------------- */

/* A fast, non-cryptographic 64-bit hash (several GB/s) for file checksums. */
uint64_t cs_hash64(const void *data, size_t len, uint64_t seed);

/* The same hash taken in pieces, for a reader that checksums a buffer while it works on it
 * (one pass over memory): init, then update with whole stripes (len a multiple of
 * CS_HASH64_STRIPE), then final with what is left (under one stripe). The result equals
 * cs_hash64 of the pieces put together. */
#define CS_HASH64_STRIPE 32
typedef struct cs_hash64_state {
    uint64_t v[4];
    uint64_t seed;
    uint64_t len;               /* bytes taken so far */
} cs_hash64_state;

void cs_hash64_init(cs_hash64_state *s, uint64_t seed);
void cs_hash64_update(cs_hash64_state *s, const void *data, size_t len);
uint64_t cs_hash64_final(const cs_hash64_state *s, const void *tail, size_t tail_len);

/* cs_hash64 of k buffers of one length: out[i] = cs_hash64(data[i], len, seed). Four at a
 * time where the processor multiplies 64-bit vector lanes (x86-64 with AVX-512: the four
 * lanes of a buffer in one register, four buffers' chains in flight, about four times the
 * speed of one buffer after another), one after another elsewhere. */
void cs_hash64_many(const void *const *data, size_t k, size_t len, uint64_t seed, uint64_t *out);

/* ---- time and progress ------------------------------------------------------------- */

/* Monotonic seconds, for measuring durations. */
double cs_now(void);

/* A progress bar: on a terminal it redraws one line ("label [#####.....] 45% 12s left"),
 * at most ten times a second; elsewhere (a pipe, a log, CI) it prints a plain line at
 * every 10%. It owns nothing but itself; out is borrowed (NULL = silent). */
typedef struct cs_progress cs_progress;

cs_progress *cs_progress_create(FILE *out, const char *label, uint64_t total);
/* Set the amount done (0..total) and an optional short note ("auc 0.781"); NULL = none. */
void cs_progress_update(cs_progress *p, uint64_t done, const char *note);
/* Draw 100% with the elapsed time and end the line. p may be NULL. */
void cs_progress_finish(cs_progress *p, const char *note);
void cs_progress_free(cs_progress *p);

#endif /* CS_BASE_CS_H */
