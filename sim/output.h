/* HDF5 output of a sweep, schema "needlesim-1" (documented in outputs/README.md).
 * This is the only file of needlesim that includes hdf5.h.
 *
 * Layout (n = n_cases, P = curve points, T = output times):
 *   /                      attrs schema, program_version, git_commit, created_utc, config,
 *                          config_hash (16 hex digits), n_cases, sweep_mode, seed, run_name
 *   /case                  [n]    int64 0..n-1, dimension scale "case"
 *   /params/<key>          [n]    float64 (numeric axis, SI) or fixed-length string (enum axis)
 *   /results/<name>        [n]    float64, NaN where not defined (one per ns_result_table row)
 *   /status                [n]    int8: 0 pending, 1 ok, 2 failed
 *   /error                 [n]    fixed-length string (NS_OUTPUT_ERROR_LEN bytes), "" if ok
 *   /timing/case_seconds   [n]    float64 wall time of the case, NaN until computed
 *   /curves/insertion_point [P]   float64 0..1, normalised curve parameter, scale
 *   /curves/time           [T]    float64 [s] output times, scale
 *   /curves/<name>         [n, P] or [n, T] float64 (one per ns_curve_table row)
 *   /fields/field_case     [F]    int64, the cases with stored fields (run.fields =
 *                                 true, run.field_cases), scale "field_case"
 *   /fields/case_<i>/concentration [T, nz, nr] float64 kg/m3, C = K u at the
 *                                 output times; scales /curves/time, z, r below
 *   /fields/case_<i>/r     [nr]   float64 m, cell centres, scale "r_case<i>"
 *   /fields/case_<i>/z     [nz]   float64 m, cell centres, scale "z_case<i>"
 *   One group per field case because the grid is per case: nr, nz are that
 *   case's numerics.diff_n_r/diff_n_z (sweepable) and the cell centres
 *   depend on the unit-cell radius and the channel depth. The scale names
 *   carry the case so xarray never merges two different grids.
 * Every dataset carries `units` and `description` string attributes; every
 * per-case dataset has /case attached to dimension 0 and curves their axis to
 * dimension 1, so h5py/xarray name the dimensions case, insertion_point, time.
 *
 * Write model and kill-safety. The file is created completely up front: every
 * dataset is contiguous, allocated early and filled (NaN, status 0, ""), the
 * strings are fixed-length and object modification times are off. After the
 * creation flush, writing a case only overwrites raw bytes in place; no HDF5
 * metadata (object headers, heaps, B-trees) changes any more. A process killed
 * at any moment (SIGKILL) therefore leaves a structurally valid file. A
 * case's row (results, curves, error, timing) is written and flushed before
 * its status byte, and the status is flushed before the next batch: a case
 * whose status is 1 or 2 has its whole row on disk, any other row is redone on
 * resume. (Protection is against process death; commits are not fsync'ed,
 * the creation, each resume and the final rename are: sim/workfile.h.) The
 * one metadata change after creation, ns_output_mark_resumed, is only ever
 * applied to a private copy that is renamed into place afterwards
 * (sim/workfile.h), never to a file another run depends on. A file whose
 * last write failed is closed without writing any more (see
 * ns_output_close), so a full disk never crashes the process. The writer
 * opens the file without HDF5's file lock, so readers can open it meanwhile.
 *
 * Batching. H5Fflush costs ~0.7 ms and one H5Dwrite of a single element
 * tens of microseconds (a case has NS_R_COUNT + NS_C_COUNT + 3 of them), so
 * a case is not written when it arrives: ns_output_write_case copies its row
 * (scalars, curves, /error, /timing) and status into a batch in memory. A
 * commit (ns_output_flush) writes the batch's rows with one H5Dwrite per
 * dataset (the rows in case order, one hyperslab block per run of
 * consecutive cases), flushes, writes the statuses with one more H5Dwrite
 * and flushes again. A commit happens when the batch is full, when
 * NS_OUTPUT_BATCH_SECONDS have passed since the last one (checked on each
 * write), before any read, and on close. The batch holds
 * ns_output_batch_cases(sizes) = min(NS_OUTPUT_BATCH_CASES, NS_OUTPUT_BATCH_BYTES
 * / row bytes) rows: 256 rows bring the commit's two flushes below 6 us per
 * case; the byte bound keeps the batch at most 8 MiB for long curves; the
 * 1 s bound keeps what a kill loses, and how stale a reader's view is, to
 * about one second of results. The batch is committed as a unit: "a status
 * is written only after its row is durable" holds for every row of it, so
 * the file stays kill-safe; a kill loses at most the batch not yet
 * committed (those cases are pending and recomputed on resume). The field
 * snapshots of a case (ns_output_write_fields) are written when they arrive,
 * before the case's row, and covered by the same commit.
 *
 * Why one writer (rank 0, sec2 driver) and not independent MPI-IO from every
 * rank: a row is small (about 8 * (33 + 4 P + 2 T) bytes, a few kB) and
 * writing it costs tens of microseconds plus the batched flushes (measured: see
 * scripts/bench_sweep.sh, build/bench/sweep.txt), while a case costs 0.1-1 s.
 * Funnelling rows to rank 0 adds one small message per case.
 * MPI-IO would make H5Fflush and dataset creation collective, which does not
 * fit dynamic scheduling (ranks finish cases at unrelated moments), and its
 * metadata cache would be shared across ranks, which loses the in-place
 * write property that makes the file kill-safe.
 *
 * Strings are fixed-length because variable-length strings live in a global
 * heap that grows on every write (not kill-safe); h5py reads them as bytes
 * (decode with .astype(str) or numpy.char.decode). */
#ifndef NS_OUTPUT_H
#define NS_OUTPUT_H

#include <stddef.h>

#include "../models/status.h"
#include "case.h"

/* Bytes of one /error entry including the terminating NUL. */
#define NS_OUTPUT_ERROR_LEN 256

#define NS_OUTPUT_BATCH_CASES 256    /* [-] rows held before a commit */
#define NS_OUTPUT_BATCH_BYTES (8u << 20) /* [B] largest batch in memory */
#define NS_OUTPUT_BATCH_SECONDS 1.0  /* [s] longest time between commits while writing */

/* Case status values stored in /status. */
enum { NS_CASE_PENDING = 0, NS_CASE_OK = 1, NS_CASE_FAILED = 2 };

typedef struct ns_output ns_output;

/* One swept parameter, written to /params/<key>. */
typedef struct {
    const char *key;          /* "needle.length" */
    const char *units;        /* SI unit string; "" for enums */
    const char *description;
    int is_enum;              /* 1: labels[] are written as strings */
    const double *values;     /* [n_cases] SI values (numeric axes) */
    const char *const *labels; /* [n_cases] names (enum axes) */
} ns_output_param;

/* Everything fixed at file creation. */
typedef struct {
    size_t n_cases;
    ns_curve_sizes sizes;          /* P = n_insertion, T = n_time */
    const double *times;           /* [n_time] output times [s] */
    const char *config_text;       /* resolved config (root attribute `config`) */
    unsigned long long config_hash;
    const char *sweep_mode;
    unsigned long seed;
    const char *run_name;
    size_t n_params;
    const ns_output_param *params;
    size_t n_fields;               /* field cases (0: no /fields group) */
    const size_t *field_case;      /* [n_fields] strictly increasing case indices */
    const size_t *field_nr;        /* [n_fields] radial cells of each field case */
    const size_t *field_nz;        /* [n_fields] axial cells of each field case */
} ns_output_meta;

/* Create (truncate) path and write the whole structure and the static
 * content, then flush. exceptions: NS_EINVAL (bad meta), NS_EIO. */
ns_status ns_output_create(const char *path, const ns_output_meta *m, ns_output **out);

/* Open an existing needlesim-1 file; writable = 0 opens read-only. Checks the
 * schema attribute and that every registry dataset exists with the expected
 * shape. exceptions: NS_EIO (missing, unreadable, corrupted, other schema). */
ns_status ns_output_open(const char *path, int writable, ns_output **out);

size_t ns_output_n_cases(const ns_output *o);
ns_curve_sizes ns_output_sizes(const ns_output *o);
unsigned long long ns_output_config_hash(const ns_output *o);

/* Read /status into status[n_cases]. exceptions: NS_EIO. */
ns_status ns_output_read_status(ns_output *o, signed char *status);

/* Rows of one batch for these curve sizes (see Batching). */
size_t ns_output_batch_cases(ns_curve_sizes sizes);

/* Commits that wrote rows since the file was opened, and rows held for the
 * next one (statistics). */
size_t ns_output_commits(const ns_output *o);
size_t ns_output_pending(const ns_output *o);

/* Queue the row of case i (r must have the file's curve sizes; NULL writes
 * NaN scalars and curves) and its status for the next commit (see
 * Batching; ns_output_flush commits now); a later row of the same case in
 * one batch replaces the earlier one. error: "" or a reason, truncated
 * to NS_OUTPUT_ERROR_LEN - 1 bytes. seconds: wall time [s].
 * exceptions: NS_EINVAL (i >= n_cases, bad status, size mismatch, a file
 * opened read-only), NS_EIO (a commit failed). */
ns_status ns_output_write_case(ns_output *o, size_t i, const ns_case_result *r, int status,
                               const char *error, double seconds);

/* Read back the row of case i (tests and tools). error: NS_OUTPUT_ERROR_LEN bytes.
 * exceptions: NS_EINVAL, NS_EIO. */
ns_status ns_output_read_case(ns_output *o, size_t i, ns_case_result *r, int *status,
                              char *error, double *seconds);

/* Concentration snapshots and grid of field case i, written in place. Call
 * before ns_output_write_case(i): the commit that writes the status makes them
 * durable first. exceptions: NS_EINVAL (not a field case, shape mismatch), NS_EIO. */
ns_status ns_output_write_fields(ns_output *o, size_t i, const ns_case_fields *f);

/* Read the cell centres of field case i: r[nr] and z[nz] [m] (/fields/case_<i>/r, z).
 * exceptions: NS_EIO (not a field case, other lengths, read failure). */
ns_status ns_output_read_field_grid(ns_output *o, size_t i, double *r, size_t nr, double *z, size_t nz);

/* Copy the /fields snapshots and grid of case i from src to dst (both files
 * of one config); nothing when case i is not a field case of src. Call
 * before ns_output_write_case(dst, i, ...) (same commit rule as
 * ns_output_write_fields). exceptions: NS_EINVAL (shapes differ), NS_EIO. */
ns_status ns_output_copy_fields(ns_output *dst, ns_output *src, size_t i);

/* Append the current UTC time to the root attribute `resumed_utc` (space-
 * separated ISO 8601 list, oldest first; created_utc is never changed) and
 * flush. This rewrites metadata in place: call it only on a private copy
 * (sim/workfile.c does, before renaming the copy into place).
 * exceptions: NS_EIO. */
ns_status ns_output_mark_resumed(ns_output *o);

/* Commit: write the queued rows (one H5Dwrite per dataset), flush, write
 * their statuses, flush again (nothing when no row is queued).
 * exceptions: NS_EIO. */
ns_status ns_output_flush(ns_output *o);

/* Commit, then close; NULL-safe, sets *o = NULL. When the commit fails the
 * file is closed without writing any more (it stays as the last commit left
 * it). exceptions: NS_EIO. */
ns_status ns_output_close(ns_output **o);

#endif
