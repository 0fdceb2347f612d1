/*
 * shim.c: I/O fault injection for the tests, as SQLite's test suite does it: an LD_PRELOAD
 * library that makes the N-th call of write, pwrite, fsync, fdatasync, msync, open, openat,
 * mmap or rename, or (stdio) fopen for writing, fwrite or fclose fail (counted together over
 * the whole process, from the first call after loading), with errno EIO (ENOSPC for the
 * writes, ENOMEM for mmap).
 *   CS_FAULT_AT=N       fail the N-th call (1-based); unset or 0: fail nothing, only count
 *   CS_FAULT_COUNT=FILE at exit, write the number of calls seen to FILE (to size the N range)
 *   CS_FAULT_CALLS="fsync rename"  count (and fail) only these calls, by name (fopen64,
 *                       open64, pwrite64 and renameat go by their short names); unset: all
 * Only the calls of regular files are counted for write/pwrite (pipes and terminals pass),
 * so the output of the command does not move the count.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static atomic_long _calls;
static long _at = -1;

static int _fail(const char *name)
{
    long n;
    const char *only = getenv("CS_FAULT_CALLS");
    if (only && *only) { /* a word of the list, whole */
        size_t len = strlen(name);
        const char *p = only;
        while ((p = strstr(p, name)) && ((p > only && p[-1] != ' ') || (p[len] && p[len] != ' '))) p += len;
        if (!p) return 0;
    }
    if (_at < 0) {
        const char *s = getenv("CS_FAULT_AT");
        _at = s ? atol(s) : 0;
    }
    n = atomic_fetch_add(&_calls, 1) + 1;
    return _at > 0 && n == _at;
}

static int _regular(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

__attribute__((destructor)) static void _report(void)
{
    const char *p = getenv("CS_FAULT_COUNT");
    if (p) {
        FILE *f = fopen(p, "w");
        if (f) {
            fprintf(f, "%ld\n", (long)atomic_load(&_calls));
            fclose(f);
        }
    }
}

#define REAL(name)                                                                              \
    static __typeof__(name) *real_##name;                                                        \
    if (!real_##name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(write);
    if (_regular(fd) && _fail("write")) {
        errno = ENOSPC;
        return -1;
    }
    return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite);
    if (_regular(fd) && _fail("pwrite")) {
        errno = ENOSPC;
        return -1;
    }
    return real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite64);
    if (_regular(fd) && _fail("pwrite")) {
        errno = ENOSPC;
        return -1;
    }
    return real_pwrite64(fd, buf, n, off);
}

int fsync(int fd)
{
    REAL(fsync);
    if (_fail("fsync")) {
        errno = EIO;
        return -1;
    }
    return real_fsync(fd);
}

int fdatasync(int fd)
{
    REAL(fdatasync);
    if (_fail("fdatasync")) {
        errno = EIO;
        return -1;
    }
    return real_fdatasync(fd);
}

int msync(void *addr, size_t len, int flags)
{
    REAL(msync);
    if (_fail("msync")) {
        errno = EIO;
        return -1;
    }
    return real_msync(addr, len, flags);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    REAL(mmap);
    if (fd >= 0 && _fail("mmap")) { /* file mappings only: anonymous ones are malloc's */
        errno = ENOMEM;
        return MAP_FAILED;
    }
    return real_mmap(addr, len, prot, flags, fd, off);
}

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    REAL(open);
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (_fail("open")) {
        errno = EIO;
        return -1;
    }
    return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    mode_t mode = 0;
    REAL(open64);
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (_fail("open")) {
        errno = EIO;
        return -1;
    }
    return real_open64(path, flags, mode);
}

int openat(int dfd, const char *path, int flags, ...)
{
    mode_t mode = 0;
    REAL(openat);
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (_fail("openat")) {
        errno = EIO;
        return -1;
    }
    return real_openat(dfd, path, flags, mode);
}

/* stdio: glibc's fopen and fwrite reach open and write inside libc, past the wrappers
 * above, so they are counted here themselves */
FILE *fopen(const char *path, const char *mode)
{
    REAL(fopen);
    if (mode[0] != 'r' && _fail("fopen")) {
        errno = EIO;
        return NULL;
    }
    return real_fopen(path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
    REAL(fopen64);
    if (mode[0] != 'r' && _fail("fopen")) {
        errno = EIO;
        return NULL;
    }
    return real_fopen64(path, mode);
}

size_t fwrite(const void *buf, size_t size, size_t n, FILE *f)
{
    REAL(fwrite);
    if (_regular(fileno(f)) && _fail("fwrite")) {
        errno = ENOSPC;
        f->_flags |= _IO_ERR_SEEN; /* as glibc's own failed write does: ferror(f) is true */
        return 0;
    }
    return real_fwrite(buf, size, n, f);
}

int fclose(FILE *f)
{
    int regular = _regular(fileno(f)), rc;
    REAL(fclose);
    rc = real_fclose(f);
    if (regular && rc == 0 && _fail("fclose")) { /* the last buffer's write failed */
        errno = ENOSPC;
        return EOF;
    }
    return rc;
}

int rename(const char *from, const char *to)
{
    REAL(rename);
    if (_fail("rename")) {
        errno = EIO;
        return -1;
    }
    return real_rename(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
    REAL(renameat);
    if (_fail("rename")) {
        errno = EIO;
        return -1;
    }
    return real_renameat(fromfd, from, tofd, to);
}
