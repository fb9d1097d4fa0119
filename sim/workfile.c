/* The working file: checks, create, resume, finish (see workfile.h). */
#include "workfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "output.h"

/* ---- messages ------------------------------------------------------------------ */

const char *ns_workfile_user_message(void)
{
    static char buf[2048];
    const char *m = ns_status_message();
    /* NS_FAIL's prefix is "name.c:LINE func(): ". */
    const char *colon = strstr(m, ".c:");
    const char *paren = strstr(m, "(): ");
    const char *nl = strchr(m, '\n');
    if (colon && paren && colon < paren && (!nl || paren < nl) &&
        !memchr(m, ' ', (size_t)(colon - m)))
        m = paren + 4;
    size_t n = strcspn(m, "\n");
    if (n >= sizeof buf) n = sizeof buf - 1;
    memcpy(buf, m, n);
    buf[n] = '\0';
    return buf;
}

void ns_workfile_print_error(const char *fmt, ...)
{
    char text[4096 + 2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fprintf(stderr, "needlesim: error: %s\n", text);
}

/* ---- small POSIX helpers --------------------------------------------------------- */

static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* Directory part of path ("." when none) into dir[cap]. */
static void dir_of(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, cap, ".");
    else if (slash == path)
        snprintf(dir, cap, "/");
    else
        snprintf(dir, cap, "%.*s", (int)(slash - path), path);
}

/* Make a rename in path's directory durable (ignored where directories cannot be fsync'ed). */
void ns_workfile_sync_dir(const char *path)
{
    char dir[NS_WORKFILE_PATH_CAP];
    dir_of(path, dir, sizeof dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* Write lock on the whole file behind fd (open-file-description lock, so
 * HDF5 opening and closing the same file does not release it). 0 or -1. */
static int lock_fd(int fd)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    return fcntl(fd, F_OFD_SETLK, &fl);
}

/* 1 if another process holds the lock of path (a run is writing it). */
static int held_by_other(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    int held = fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
    close(fd);
    return held;
}

/* Open an existing path and lock it. Returns the fd, -1 (message printed: in
 * use, exit 2) or -2 (cannot open: message printed, exit 1). */
static int open_locked(const char *path)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ns_workfile_print_error("cannot open %s: %s", path, strerror(errno));
        return -2;
    }
    if (lock_fd(fd) != 0) {
        int e = errno;
        close(fd);
        if (e == EAGAIN || e == EACCES) {
            ns_workfile_print_error("%s is being written by another needlesim run; wait for it to "
                                    "finish or stop it, or use another -o",
                                    path);
            return -1;
        }
        /* A file system without locks (some network mounts): go on unlocked. */
        return open(path, O_RDONLY | O_CLOEXEC);
    }
    return fd;
}

/* A fresh, locked, private temporary file next to the working file, with
 * the permissions of src when continuing it, else those a new file gets
 * (0666 less the umask; mkostemp itself makes 0600). */
static int make_tmp(const ns_workfile *w, const char *src, char *tmp, size_t cap)
{
    snprintf(tmp, cap, "%s.new.XXXXXX", w->partial);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        ns_workfile_print_error("cannot create a file next to %s: %s", w->partial, strerror(errno));
        tmp[0] = '\0';
        return -1;
    }
    struct stat sb;
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, src && stat(src, &sb) == 0 ? sb.st_mode & 07777 : 0666 & ~mask);
    (void)lock_fd(fd);
    return fd;
}

/* Copy all of src into the empty file behind fd. 0, or -1 with errno. */
int ns_workfile_copy(const char *src, int fd)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) return -1;
    struct stat sb;
    if (fstat(in, &sb) != 0) {
        int e = errno;
        close(in);
        errno = e;
        return -1;
    }
    off_t left = sb.st_size;
    int plain = 0;
    char buf[1 << 16];
    while (left > 0) {
        ssize_t n;
        if (!plain) {
            n = copy_file_range(in, NULL, fd, NULL, (size_t)left, 0);
            if (n < 0 &&
                (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
                plain = 1;
                continue;
            }
        } else {
            n = read(in, buf, sizeof buf);
            if (n > 0) {
                for (ssize_t done = 0; done < n;) {
                    ssize_t k = write(fd, buf + done, (size_t)(n - done));
                    if (k < 0 && errno == EINTR) continue;
                    if (k < 0) {
                        n = -1;
                        break;
                    }
                    done += k;
                }
            }
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            close(in);
            errno = e;
            return -1;
        }
        if (n == 0) break; /* the source shrank: copy what is there */
        left -= n;
    }
    close(in);
    return 0;
}

/* Rename tmp to dst; noreplace: fail with EEXIST if dst exists. 0 or -1. */
int ns_workfile_install(const char *tmp, const char *dst, int noreplace)
{
    if (!noreplace) return rename(tmp, dst);
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return -1;
    /* No RENAME_NOREPLACE here (e.g. NFS): link() is just as exclusive. */
    if (link(tmp, dst) == 0) return unlink(tmp), 0;
    if (errno == EEXIST) return -1;
    /* No hard links either: check, then rename (a race remains, documented). */
    if (exists(dst)) {
        errno = EEXIST;
        return -1;
    }
    return rename(tmp, dst);
}

/* ---- checks ------------------------------------------------------------------------ */

int ns_workfile_check(const ns_workfile_params *p)
{
    const char *out = p->out;
    struct stat so, sc;
    char dir[NS_WORKFILE_PATH_CAP], partial[NS_WORKFILE_PATH_CAP];
    snprintf(partial, sizeof partial, "%s.partial", out);
    if (stat(out, &so) == 0) {
        if (S_ISDIR(so.st_mode)) {
            ns_workfile_print_error("-o %s is a directory; name the output file, e.g. -o %s/run.h5",
                                    out, out);
            return 2;
        }
        if (stat(p->config_path, &sc) == 0 && so.st_dev == sc.st_dev && so.st_ino == sc.st_ino) {
            ns_workfile_print_error("-o %s is the config file itself; name another output file",
                                    out);
            return 2;
        }
        if (!p->overwrite && !p->resume) {
            ns_workfile_print_error("%s exists: pass --overwrite to replace it, or --resume to "
                                    "continue it (another -o keeps it)",
                                    out);
            return 2;
        }
    }
    dir_of(out, dir, sizeof dir);
    struct stat sd;
    if (stat(dir, &sd) != 0) {
        if (errno == ENOENT && p->out_is_default && mkdir(dir, 0777) == 0) {
            if (!p->quiet) fprintf(stderr, "needlesim: created directory %s\n", dir);
        } else {
            ns_workfile_print_error("cannot write %s: directory %s %s", out, dir,
                                    errno == ENOENT ? "does not exist (create it first, e.g. "
                                                      "mkdir -p)"
                                                    : strerror(errno));
            return 2;
        }
    } else if (!S_ISDIR(sd.st_mode)) {
        ns_workfile_print_error("cannot write %s: %s is not a directory", out, dir);
        return 2;
    }
    if (exists(partial) && held_by_other(partial)) {
        ns_workfile_print_error("%s is being written by another needlesim run; wait for it to "
                                "finish or stop it, or use another -o",
                                partial);
        return 2;
    }
    if (exists(partial) && !p->resume && !p->overwrite) {
        ns_workfile_print_error("%s exists from an interrupted run: continue it with --resume "
                                "(same config and -o), or start again with --overwrite",
                                partial);
        return 2;
    }
    return 0;
}

/* Check a file to continue, read-only. Returns 0, or the exit code (message printed). */
static int check_resumable(const ns_workfile_params *p, const char *path)
{
    ns_output *o = NULL;
    if (ns_output_open(path, 0, &o) != NS_OK) {
        ns_workfile_print_error("cannot resume %s: %s", path, ns_workfile_user_message());
        return 1;
    }
    int code = 0;
    unsigned long long got = ns_output_config_hash(o);
    ns_curve_sizes s = ns_output_sizes(o);
    if (got != p->config_hash) {
        ns_workfile_print_error(
            "cannot resume %s: it was written for a different configuration (config_hash %016llx "
            "in the file, %016llx for this config and --set options); use the same config, or "
            "another -o",
            path, got, p->config_hash);
        code = 2;
    } else if (ns_output_n_cases(o) != p->n_cases || s.n_insertion != p->sizes.n_insertion ||
               s.n_time != p->sizes.n_time) {
        ns_workfile_print_error("cannot resume %s: it holds %zu cases x (%zu, %zu) curve points, "
                                "this config makes %zu x (%zu, %zu)",
                                path, ns_output_n_cases(o), s.n_insertion, s.n_time, p->n_cases,
                                p->sizes.n_insertion, p->sizes.n_time);
        code = 2;
    }
    ns_output_close(&o);
    return code;
}

/* Cases of a finished file still to compute (and its failed ones), or -1 (message printed). */
static long work_left(const ns_workfile_params *p, const char *path, size_t *n_failed)
{
    ns_output *o = NULL;
    signed char *s = malloc(p->n_cases);
    if (!s || ns_output_open(path, 0, &o) != NS_OK || ns_output_read_status(o, s) != NS_OK) {
        ns_workfile_print_error("cannot read %s: %s", path,
                                s ? ns_workfile_user_message() : "out of memory");
        ns_output_close(&o);
        free(s);
        return -1;
    }
    ns_output_close(&o);
    long work = 0;
    *n_failed = 0;
    for (size_t i = p->case_lo; i < p->case_hi && i < p->n_cases; i++) {
        work += s[i] == NS_CASE_PENDING || (p->retry_failed && s[i] == NS_CASE_FAILED);
        *n_failed += s[i] == NS_CASE_FAILED;
    }
    free(s);
    return work;
}

/* ---- prepare ------------------------------------------------------------------------ */

/* " (the file system of DIR is full: N kB free)" when it is nearly so, else "". */
static const char *space_hint(const char *path)
{
    static char buf[NS_WORKFILE_PATH_CAP + 96];
    char dir[NS_WORKFILE_PATH_CAP];
    struct statvfs sv;
    dir_of(path, dir, sizeof dir);
    buf[0] = '\0';
    if (statvfs(dir, &sv) == 0 && (double)sv.f_bavail * (double)sv.f_frsize < 1048576.0)
        snprintf(buf, sizeof buf, " (the file system of %s is full: %.0f kB free)", dir,
                 (double)sv.f_bavail * (double)sv.f_frsize / 1024.0);
    return buf;
}

/* Fill the temporary file: a copy of src with the resume recorded, or a new structure. */
static int fill_tmp(const ns_workfile *w, const char *src, const char *tmp, int fd)
{
    if (src) {
        if (ns_workfile_copy(src, fd) != 0) {
            ns_workfile_print_error("cannot copy %s to %s: %s%s", src, tmp, strerror(errno),
                                    space_hint(tmp));
            return 1;
        }
        ns_output *o = NULL;
        ns_status st = ns_output_open(tmp, 1, &o);
        if (st == NS_OK) st = ns_output_mark_resumed(o);
        ns_status cst = ns_output_close(&o);
        if (st == NS_OK) st = cst;
        if (st != NS_OK) {
            ns_workfile_print_error("cannot record the resume in a copy of %s: %s%s", src,
                                    ns_workfile_user_message(), space_hint(tmp));
            return 1;
        }
    } else if (w->p.create(w->p.ctx, tmp) != NS_OK) {
        ns_workfile_print_error("%s%s", ns_workfile_user_message(), space_hint(tmp));
        return 1;
    }
    if (fsync(fd) != 0) {
        ns_workfile_print_error("cannot write %s to disk: %s", tmp, strerror(errno));
        return 1;
    }
    return 0;
}

int ns_workfile_prepare(ns_workfile *w, const ns_workfile_params *p, size_t *n_failed_out)
{
    memset(w, 0, sizeof *w);
    w->p = *p;
    w->lock_fd = -1;
    snprintf(w->out, sizeof w->out, "%s", p->out);
    snprintf(w->partial, sizeof w->partial, "%s.partial", p->out);
    const char *src = NULL; /* file to continue, NULL: a new run */
    int old_fd = -1, code = 0;
    if (exists(w->partial)) {
        old_fd = open_locked(w->partial);
        if (old_fd < 0) return old_fd == -1 ? 2 : 1;
        if (p->resume) {
            if ((code = check_resumable(p, w->partial)) != 0) goto done;
            src = w->partial;
        } else if (unlink(w->partial) != 0) { /* --overwrite, and nobody holds it */
            ns_workfile_print_error("cannot delete %s: %s", w->partial, strerror(errno));
            code = 1;
            goto done;
        }
    } else if (p->resume && exists(w->out)) {
        if ((code = check_resumable(p, w->out)) != 0) goto done;
        long work = work_left(p, w->out, n_failed_out);
        if (work < 0) return 1;
        if (work == 0) {
            fprintf(stderr, "needlesim: %s is complete: nothing to resume%s\n", w->out,
                    p->retry_failed || *n_failed_out == 0
                        ? ""
                        : " (rerun its failed cases with --retry-failed)");
            return -1;
        }
        src = w->out;
    } else if (p->resume && !p->quiet) {
        fprintf(stderr, "needlesim: neither %s nor %s exists: starting a new run\n", w->partial,
                w->out);
    }
    char tmp[NS_WORKFILE_PATH_CAP + 16];
    int fd = make_tmp(w, src, tmp, sizeof tmp);
    if (fd < 0) {
        code = 1;
        goto done;
    }
    code = fill_tmp(w, src, tmp, fd);
    /* A continued OUT.partial is replaced (we hold its lock); a new one or a
     * copy of OUT must not replace a .partial another run just created. */
    if (code == 0 && ns_workfile_install(tmp, w->partial, src != w->partial) != 0) {
        if (errno == EEXIST)
            ns_workfile_print_error("%s was created by another needlesim run started at the same "
                                    "time on this -o; that run goes on, this one stops",
                                    w->partial);
        else
            ns_workfile_print_error("cannot rename %s to %s: %s", tmp, w->partial, strerror(errno));
        code = errno == EEXIST ? 2 : 1;
    }
    if (code != 0) {
        unlink(tmp);
        close(fd);
        goto done;
    }
    ns_workfile_sync_dir(w->partial);
    w->lock_fd = fd;
    w->continued = src != NULL;
    if (!src && !p->overwrite && exists(w->out)) {
        /* Another run finished OUT between the checks and now. */
        ns_workfile_print_error("%s was written by another needlesim run meanwhile; pass --overwrite to "
                                "replace it",
                                w->out);
        unlink(w->partial);
        code = 2;
    }
done:
    if (old_fd >= 0) close(old_fd);
    if (code != 0) ns_workfile_clear(w);
    return code;
}

ns_status ns_workfile_finish(ns_workfile *w)
{
    if (w->lock_fd >= 0 && fsync(w->lock_fd) != 0)
        return ns_status_set_plain(NS_EIO, "cannot write %s to disk: %s (the results are in it)",
                                   w->partial, strerror(errno));
    if (ns_workfile_install(w->partial, w->out, !w->p.overwrite && !w->p.resume) != 0)
        return ns_status_set_plain(NS_EIO,
                                   "cannot rename %s to %s: %s (the results are complete "
                                   "in %s)",
                                   w->partial, w->out,
                                   errno == EEXIST ? "it was created by another needlesim run meanwhile"
                                                   : strerror(errno),
                                   w->partial);
    ns_workfile_sync_dir(w->out);
    return NS_OK;
}

void ns_workfile_clear(ns_workfile *w)
{
    if (w && w->lock_fd >= 0) {
        close(w->lock_fd);
        w->lock_fd = -1;
    }
}
