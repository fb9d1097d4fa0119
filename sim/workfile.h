/* The working file of `needlesim run -o OUT`: which file a run writes, how it
 * comes into being, how a resume continues it and how it becomes OUT.
 *
 * The promise (outputs/README.md, "What a .partial guarantees"): OUT.partial,
 * whenever it exists, is a complete needlesim-1 file in which every case with
 * status 1 or 2 has its whole row; a run that fails or is killed at any
 * moment, including during a resume, leaves OUT.partial (and OUT) as they
 * were or as the last commit left them, never half-written.
 *
 * How. HDF5 metadata of a file that other runs depend on is never changed in
 * place. Every metadata write happens in a private temporary file,
 * OUT.partial.new.XXXXXX (unique, so two runs never share one), which is
 * fsync'ed and then renamed into place atomically:
 *   new run    the structure is created in the temporary file, which is
 *              renamed to OUT.partial only if OUT.partial does not exist
 *              (renameat2 RENAME_NOREPLACE, else link + unlink): of two runs
 *              started at once on one -o, one wins, the other is refused
 *              (exit 2) and the winner is untouched;
 *   resume     OUT.partial (or, with work left, a finished OUT) is copied into
 *              the temporary file (copy_file_range: in-kernel, reflinked where
 *              the file system can), the resume time is appended to the copy's
 *              `resumed_utc`, and the copy replaces OUT.partial by rename;
 *   running    only raw bytes of datasets allocated at creation are
 *              overwritten (rows, then their status bytes: sim/output.h);
 *   finish     OUT.partial is fsync'ed and renamed to OUT (over an existing OUT
 *              only with --overwrite or --resume), then the directory fsync'ed.
 * While a run writes OUT.partial it holds an open-file-description lock
 * (fcntl F_OFD_SETLK) on it, taken on the temporary file before its rename,
 * so a second needlesim on the same -o is refused with exit 2; readers
 * (h5py, h5dump) are not blocked (sim/output.c turns HDF5's own lock off for
 * the writer).
 *
 * Checks before anything is computed (exit 2, nothing written): -o names
 * the config file, an existing directory, or a file in a directory that does
 * not exist (the default outputs/NAME.h5 creates ./outputs instead: a user
 * who gives no -o expects the run to work from any directory); OUT exists
 * and neither --overwrite nor --resume is given; OUT.partial exists and
 * neither --resume nor --overwrite is given (--overwrite discards it unless
 * another run holds it). */
#ifndef NS_WORKFILE_H
#define NS_WORKFILE_H

#include <stddef.h>

#include "../models/status.h"
#include "case.h"

#define NS_WORKFILE_PATH_CAP 4200

typedef struct {
    const char *config_path;
    const char *out;    /* OUT */
    int out_is_default; /* 1: no -o and no run.output: create ./outputs if missing */
    int resume, retry_failed, overwrite, quiet;
    /* What the config makes (a file to continue must match). */
    unsigned long long config_hash;
    size_t n_cases;
    ns_curve_sizes sizes;
    size_t case_lo, case_hi;     /* the cases this run computes (--cases), [lo, hi) */
    /* Creates the complete structure in `path` (a fresh temporary file). */
    ns_status (*create)(void *ctx, const char *path);
    void *ctx;
} ns_workfile_params;

typedef struct {
    ns_workfile_params p;
    char out[NS_WORKFILE_PATH_CAP];
    char partial[NS_WORKFILE_PATH_CAP];
    int lock_fd;   /* holds the lock on OUT.partial; -1 when none */
    int continued; /* 1: an existing file is continued */
} ns_workfile;

/* Print "needlesim: error: TEXT" to stderr, TEXT without source locations. */
void ns_workfile_print_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* ns_status_message() as a user reads it: the first line, without the
 * "file.c:LINE func(): " prefix of NS_FAIL and without the traceback. */
const char *ns_workfile_user_message(void);

/* The -o checks above. Returns 0, or 2 with the message printed. */
int ns_workfile_check(const ns_workfile_params *p);

/* Rank 0: make OUT.partial ready (create, or continue it) and lock it.
 * Returns 0 (open OUT.partial for writing now), -1 (nothing to do: OUT is
 * complete; *n_failed_out set to its failed cases), or the exit code 1 or 2
 * with the message printed. */
int ns_workfile_prepare(ns_workfile *w, const ns_workfile_params *p, size_t *n_failed_out);

/* Rank 0, after the output is closed: fsync and rename OUT.partial to OUT.
 * exceptions: NS_EIO (the results stay complete in OUT.partial). */
ns_status ns_workfile_finish(ns_workfile *w);

/* Copy all of src into the empty file behind fd (copy_file_range, else
 * read/write). Returns 0, or -1 with errno. */
int ns_workfile_copy(const char *src, int fd);

/* Rename tmp to dst atomically; noreplace: fail with EEXIST if dst exists
 * (renameat2 RENAME_NOREPLACE, else link + unlink). Returns 0 or -1 (errno). */
int ns_workfile_install(const char *tmp, const char *dst, int noreplace);

/* fsync the directory holding path (a rename in it becomes durable). */
void ns_workfile_sync_dir(const char *path);

/* Release the lock (NULL-safe, idempotent). */
void ns_workfile_clear(ns_workfile *w);

#endif
