/* Fault injection for the file bookkeeping of `needlesim run` (LD_PRELOAD).
 *
 * Counts every call that changes a file whose path contains $NS_FAULT_MATCH
 * (write, pwrite, writev, ftruncate, fsync, fdatasync, copy_file_range on
 * such a descriptor; rename, renameat2, link, unlink of such a path) and at
 * call number $NS_FAULT_AT (1-based) injects the fault $NS_FAULT_MODE:
 *   kill    SIGKILL before the call is made (a crash, a node failure, the
 *           kill of a job that ran out of time);
 *   enospc  that call and every later one fails with ENOSPC (a full disk).
 * When the fault is injected and $NS_FAULT_FIRED names a file, that file is
 * created first (a run can make fewer calls than the counting run: HDF5
 * commits also happen after 1 s, sim/output.h, so the count depends on the
 * machine's speed; the test then knows the fault was not reached).
 * $NS_FAULT_AT = 0 only counts. With $NS_FAULT_TRACE every counted call is
 * appended to that file as "N OP PATH" (to locate the phases: create,
 * commit, resume mark, copy, final rename). Used by tests/mpi/check_faults.sh;
 * built by it with the system compiler, not part of needlesim. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FD 4096

static char tracked[MAX_FD][512]; /* path of each matching open descriptor, "" if none */
static long n_calls;

static const char *match(void) { return getenv("NS_FAULT_MATCH"); }

static int matches(const char *path)
{
    const char *m = match();
    return m && m[0] && path && strstr(path, m) != NULL;
}

static void track(int fd, const char *path)
{
    if (fd >= 0 && fd < MAX_FD) snprintf(tracked[fd], sizeof tracked[fd], "%s", matches(path) ? path : "");
}

static const char *fd_path(int fd) { return fd >= 0 && fd < MAX_FD && tracked[fd][0] ? tracked[fd] : NULL; }

/* Returns 0 to go on, -1 to fail the call with ENOSPC (SIGKILL does not return). */
static int fault(const char *op, const char *path)
{
    if (!path) return 0;
    long at = getenv("NS_FAULT_AT") ? atol(getenv("NS_FAULT_AT")) : 0;
    const char *mode = getenv("NS_FAULT_MODE");
    long k = ++n_calls;
    const char *trace = getenv("NS_FAULT_TRACE");
    if (trace && trace[0]) {
        FILE *f = fopen(trace, "a");
        if (f) {
            fprintf(f, "%ld %s %s\n", k, op, path);
            fclose(f);
        }
    }
    if (at <= 0 || k < at) return 0;
    const char *fired = getenv("NS_FAULT_FIRED");
    if (k == at && fired && fired[0]) {
        FILE *f = fopen(fired, "w");
        if (f) fclose(f);
    }
    if (mode && strcmp(mode, "enospc") == 0) {
        errno = ENOSPC;
        return -1;
    }
    if (k == at) raise(SIGKILL);
    return 0;
}

#define REAL(name) \
    static __typeof__(&name) real_##name; \
    if (!real_##name) real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

static int open_common(const char *sym, int dirfd, const char *path, int flags, mode_t mode)
{
    int fd;
    if (!strcmp(sym, "open")) { REAL(open); fd = real_open(path, flags, mode); }
    else if (!strcmp(sym, "open64")) { REAL(open64); fd = real_open64(path, flags, mode); }
    else if (!strcmp(sym, "openat")) { REAL(openat); fd = real_openat(dirfd, path, flags, mode); }
    else { REAL(openat64); fd = real_openat64(dirfd, path, flags, mode); }
    track(fd, path);
    return fd;
}

#define OPEN_MODE(flags) ((flags) & (O_CREAT | O_TMPFILE) ? (mode_t)va_arg(ap, int) : 0)
int open(const char *path, int flags, ...) { va_list ap; va_start(ap, flags); mode_t m = OPEN_MODE(flags); va_end(ap); return open_common("open", AT_FDCWD, path, flags, m); }
int open64(const char *path, int flags, ...) { va_list ap; va_start(ap, flags); mode_t m = OPEN_MODE(flags); va_end(ap); return open_common("open64", AT_FDCWD, path, flags, m); }
int openat(int d, const char *path, int flags, ...) { va_list ap; va_start(ap, flags); mode_t m = OPEN_MODE(flags); va_end(ap); return open_common("openat", d, path, flags, m); }
int openat64(int d, const char *path, int flags, ...) { va_list ap; va_start(ap, flags); mode_t m = OPEN_MODE(flags); va_end(ap); return open_common("openat64", d, path, flags, m); }

int mkostemp(char *tmpl, int flags)
{
    REAL(mkostemp);
    int fd = real_mkostemp(tmpl, flags);
    track(fd, tmpl);
    return fd;
}

int close(int fd)
{
    REAL(close);
    if (fd >= 0 && fd < MAX_FD) tracked[fd][0] = '\0';
    return real_close(fd);
}

int dup2(int oldfd, int newfd)
{
    REAL(dup2);
    int r = real_dup2(oldfd, newfd);
    if (r >= 0 && newfd < MAX_FD) {
        const char *p = fd_path(oldfd);
        snprintf(tracked[newfd], sizeof tracked[newfd], "%s", p ? p : "");
    }
    return r;
}

ssize_t write(int fd, const void *b, size_t n)
{
    REAL(write);
    return fault("write", fd_path(fd)) ? -1 : real_write(fd, b, n);
}
ssize_t pwrite(int fd, const void *b, size_t n, off_t o)
{
    REAL(pwrite);
    return fault("pwrite", fd_path(fd)) ? -1 : real_pwrite(fd, b, n, o);
}
ssize_t pwrite64(int fd, const void *b, size_t n, off_t o)
{
    REAL(pwrite64);
    return fault("pwrite", fd_path(fd)) ? -1 : real_pwrite64(fd, b, n, o);
}
ssize_t writev(int fd, const struct iovec *v, int c)
{
    REAL(writev);
    return fault("writev", fd_path(fd)) ? -1 : real_writev(fd, v, c);
}
int ftruncate(int fd, off_t len)
{
    REAL(ftruncate);
    return fault("ftruncate", fd_path(fd)) ? -1 : real_ftruncate(fd, len);
}
int ftruncate64(int fd, off_t len)
{
    REAL(ftruncate64);
    return fault("ftruncate", fd_path(fd)) ? -1 : real_ftruncate64(fd, len);
}
int fsync(int fd)
{
    REAL(fsync);
    return fault("fsync", fd_path(fd)) ? -1 : real_fsync(fd);
}
int fdatasync(int fd)
{
    REAL(fdatasync);
    return fault("fdatasync", fd_path(fd)) ? -1 : real_fdatasync(fd);
}
ssize_t copy_file_range(int in, off_t *oi, int out, off_t *oo, size_t n, unsigned int fl)
{
    REAL(copy_file_range);
    return fault("copy_file_range", fd_path(out)) ? -1 : real_copy_file_range(in, oi, out, oo, n, fl);
}
int rename(const char *a, const char *b)
{
    REAL(rename);
    return fault("rename", matches(b) ? b : NULL) ? -1 : real_rename(a, b);
}
int renameat2(int da, const char *a, int db, const char *b, unsigned int fl)
{
    REAL(renameat2);
    return fault("rename", matches(b) ? b : NULL) ? -1 : real_renameat2(da, a, db, b, fl);
}
int link(const char *a, const char *b)
{
    REAL(link);
    return fault("link", matches(b) ? b : NULL) ? -1 : real_link(a, b);
}
int unlink(const char *p)
{
    REAL(unlink);
    return fault("unlink", matches(p) ? p : NULL) ? -1 : real_unlink(p);
}
