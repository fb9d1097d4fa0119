/* Per-case rows of the HDF5 writer: write, read back, commit (see output.h,
 * "Write model and kill-safety" and "Batching"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output_private.h"

ns_status ns_output_read_status(ns_output *o, signed char *status)
{
    const char *path = o->path;
    ns_status st = NS_OK;
    NS_TRY(ns_output_flush(o)); /* statuses still in the batch */
    H5OK(H5Dread(o->d_status, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, status),
         "read /status");
    return NS_OK;
fail:
    return st;
}

/* ---- per-case rows ------------------------------------------------------------ */

/* Write wbuf (if not NULL) or read rbuf: row i (length len along dim 1 for rank 2) of d. */
static herr_t row_io(hid_t d, size_t i, size_t len, int rank, hid_t mtype, const void *wbuf,
                     void *rbuf)
{
    hsize_t start[2] = {i, 0}, count[2] = {1, len}, mlen = rank == 2 ? len : 1;
    hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, &mlen, NULL);
    herr_t rc = -1;
    if (fs >= 0 && ms >= 0 &&
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0)
        rc = wbuf ? H5Dwrite(d, mtype, ms, fs, H5P_DEFAULT, wbuf)
                  : H5Dread(d, mtype, ms, fs, H5P_DEFAULT, rbuf);
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return rc;
}

ns_status ns_output_write_case(ns_output *o, size_t i, const ns_case_result *r, int status,
                               const char *error, double seconds)
{
    const char *path = o->path;
    ns_status st = NS_OK;
    NS_CHECK(i < o->n_cases, NS_EINVAL, "case %zu out of range [0, %zu)", i, o->n_cases);
    NS_CHECK(status >= NS_CASE_PENDING && status <= NS_CASE_FAILED, NS_EINVAL,
             "case %zu: status %d is not 0 (pending), 1 (ok) or 2 (failed)", i, status);
    NS_CHECK(
        !r || (r->sizes.n_insertion == o->sizes.n_insertion && r->sizes.n_time == o->sizes.n_time),
        NS_EINVAL, "case %zu: curve sizes (%zu, %zu) differ from the file's (%zu, %zu)", i,
        r->sizes.n_insertion, r->sizes.n_time, o->sizes.n_insertion, o->sizes.n_time);
    size_t nmax = o->sizes.n_insertion > o->sizes.n_time ? o->sizes.n_insertion : o->sizes.n_time;
    double *nanrow = NULL;
    if (!r) {
        nanrow = malloc(nmax * sizeof *nanrow);
        NS_CHECK(nanrow, NS_ENOMEM, "cannot allocate %zu doubles", nmax);
        for (size_t k = 0; k < nmax; k++)
            nanrow[k] = NAN;
    }
    char err[NS_OUTPUT_ERROR_LEN] = {0};
    snprintf(err, sizeof err, "%s", error ? error : "");
    signed char s8 = (signed char)status;

    for (size_t k = 0; k < NS_R_COUNT; k++)
        H5OK(row_io(o->d_result[k], i, 1, 1, H5T_NATIVE_DOUBLE, r ? &r->scalar[k] : nanrow, NULL),
             "write a /results row");
    for (size_t c = 0; c < NS_C_COUNT; c++)
        H5OK(row_io(o->d_curve[c], i, ns_curve_length((ns_curve_id)c, o->sizes), 2,
                    H5T_NATIVE_DOUBLE, r ? r->curve[c] : nanrow, NULL),
             "write a /curves row");
    H5OK(row_io(o->d_error, i, 1, 1, o->t_error, err, NULL), "write an /error row");
    H5OK(row_io(o->d_seconds, i, 1, 1, H5T_NATIVE_DOUBLE, &seconds, NULL), "write a /timing row");
    /* The status waits in the batch: it is written only after a flush that
     * made this row durable (commit), so a status 1 or 2 on disk always has
     * its whole row on disk. */
    o->pend_case[o->n_pend] = i;
    o->pend_status[o->n_pend] = s8;
    o->n_pend++;
    free(nanrow);
    nanrow = NULL;
    if (o->n_pend >= NS_OUTPUT_BATCH_CASES ||
        mono_seconds() - o->t_commit >= NS_OUTPUT_BATCH_SECONDS)
        NS_TRY(ns_output_flush(o));
    return NS_OK;
fail:
    free(nanrow);
    return st;
}

ns_status ns_output_write_fields(ns_output *o, size_t i, const ns_case_fields *f)
{
    const char *path = o->path;
    ns_status st = NS_OK;
    char name[96];
    hsize_t dims[3];
    hid_t d = -1;
    NS_CHECK(i < o->n_cases, NS_EINVAL, "case %zu out of range [0, %zu)", i, o->n_cases);
    snprintf(name, sizeof name, "/fields/case_%zu/concentration", i);
    NS_CHECK(H5Lexists(o->file, "/fields", H5P_DEFAULT) > 0 &&
                 H5Lexists(o->file, name, H5P_DEFAULT) > 0,
             NS_EINVAL, "%s: case %zu is not a field case (no %s)", path, i, name);
    d = H5Dopen2(o->file, name, H5P_DEFAULT);
    H5OK(d, "open a /fields dataset");
    {
        hid_t sp = H5Dget_space(d);
        int rk = sp >= 0 ? H5Sget_simple_extent_dims(sp, dims, NULL) : -1;
        if (sp >= 0) H5Sclose(sp);
        H5OK(rk == 3 ? 0 : -1, "read the shape of a /fields dataset");
    }
    if (dims[0] != f->n_time || dims[1] != f->nz || dims[2] != f->nr) {
        st = ns_status_set(NS_EINVAL, __FILE__, __LINE__, __func__,
                           "%s: case %zu: field of %zu times x %zu x %zu cells, file has %llu x "
                           "%llu x %llu",
                           path, i, f->n_time, f->nz, f->nr, (unsigned long long)dims[0],
                           (unsigned long long)dims[1], (unsigned long long)dims[2]);
        goto fail;
    }
    H5OK(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, f->C), "write a field");
    H5Dclose(d);
    snprintf(name, sizeof name, "/fields/case_%zu/r", i);
    d = H5Dopen2(o->file, name, H5P_DEFAULT);
    H5OK(d >= 0 ? H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, f->r) : -1,
         "write the field r grid");
    H5Dclose(d);
    snprintf(name, sizeof name, "/fields/case_%zu/z", i);
    d = H5Dopen2(o->file, name, H5P_DEFAULT);
    H5OK(d >= 0 ? H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, f->z) : -1,
         "write the field z grid");
    H5Dclose(d);
    return NS_OK;
fail:
    if (d >= 0) H5Dclose(d);
    return st;
}

ns_status ns_output_read_case(ns_output *o, size_t i, ns_case_result *r, int *status, char *error,
                              double *seconds)
{
    const char *path = o->path;
    ns_status st = NS_OK;
    NS_CHECK(i < o->n_cases, NS_EINVAL, "case %zu out of range [0, %zu)", i, o->n_cases);
    NS_CHECK(r->sizes.n_insertion == o->sizes.n_insertion && r->sizes.n_time == o->sizes.n_time,
             NS_EINVAL, "case %zu: curve sizes (%zu, %zu) differ from the file's (%zu, %zu)", i,
             r->sizes.n_insertion, r->sizes.n_time, o->sizes.n_insertion, o->sizes.n_time);
    signed char s8 = 0;
    NS_TRY(ns_output_flush(o)); /* statuses still in the batch */
    for (size_t k = 0; k < NS_R_COUNT; k++)
        H5OK(row_io(o->d_result[k], i, 1, 1, H5T_NATIVE_DOUBLE, NULL, &r->scalar[k]),
             "read a /results row");
    for (size_t c = 0; c < NS_C_COUNT; c++)
        H5OK(row_io(o->d_curve[c], i, ns_curve_length((ns_curve_id)c, o->sizes), 2,
                    H5T_NATIVE_DOUBLE, NULL, r->curve[c]),
             "read a /curves row");
    H5OK(row_io(o->d_error, i, 1, 1, o->t_error, NULL, error), "read an /error row");
    error[NS_OUTPUT_ERROR_LEN - 1] = '\0';
    H5OK(row_io(o->d_seconds, i, 1, 1, H5T_NATIVE_DOUBLE, NULL, seconds), "read a /timing row");
    H5OK(row_io(o->d_status, i, 1, 1, H5T_NATIVE_SCHAR, NULL, &s8), "read a /status entry");
    *status = s8;
    return NS_OK;
fail:
    return st;
}

ns_status ns_output_flush(ns_output *o)
{
    const char *path = o->path;
    ns_status st = NS_OK;
    if (o->n_pend == 0) return NS_OK;
    /* Commit: rows durable first, then their statuses, then those durable too. */
    H5OK(H5Fflush(o->file, H5F_SCOPE_LOCAL), "flush the case rows");
    for (size_t k = 0; k < o->n_pend; k++)
        H5OK(row_io(o->d_status, o->pend_case[k], 1, 1, H5T_NATIVE_SCHAR, &o->pend_status[k], NULL),
             "write a /status entry");
    H5OK(H5Fflush(o->file, H5F_SCOPE_LOCAL), "flush the case statuses");
    o->n_pend = 0;
    o->t_commit = mono_seconds();
    return NS_OK;
fail:
    return st;
}

/* Copy dataset name from src to dst whole (same shape). */
static herr_t copy_dataset(hid_t src, hid_t dst, const char *name)
{
    hid_t a = H5Dopen2(src, name, H5P_DEFAULT), b = H5Dopen2(dst, name, H5P_DEFAULT);
    hid_t sa = a >= 0 ? H5Dget_space(a) : -1, sb = b >= 0 ? H5Dget_space(b) : -1;
    herr_t rc = -1;
    hssize_t n = sa >= 0 ? H5Sget_simple_extent_npoints(sa) : -1;
    if (n >= 0 && sb >= 0 && H5Sget_simple_extent_npoints(sb) == n) {
        double *buf = malloc((size_t)(n ? n : 1) * sizeof *buf);
        if (buf && H5Dread(a, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0)
            rc = H5Dwrite(b, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
        free(buf);
    }
    if (sa >= 0) H5Sclose(sa);
    if (sb >= 0) H5Sclose(sb);
    if (a >= 0) H5Dclose(a);
    if (b >= 0) H5Dclose(b);
    return rc;
}

ns_status ns_output_copy_fields(ns_output *dst, ns_output *src, size_t i)
{
    const char *path = dst->path;
    ns_status st = NS_OK;
    char name[96];
    snprintf(name, sizeof name, "/fields/case_%zu/concentration", i);
    if (H5Lexists(src->file, "/fields", H5P_DEFAULT) <= 0 ||
        H5Lexists(src->file, name, H5P_DEFAULT) <= 0)
        return NS_OK;
    static const char *const part[] = {"concentration", "r", "z"};
    for (size_t k = 0; k < 3; k++) {
        snprintf(name, sizeof name, "/fields/case_%zu/%s", i, part[k]);
        H5OK(copy_dataset(src->file, dst->file, name), "copy a /fields dataset");
    }
    return NS_OK;
fail:
    return st;
}

ns_status ns_output_read_field_grid(ns_output *o, size_t i, double *r, size_t nr, double *z, size_t nz)
{
    const char *path = o->path;
    ns_status st = NS_OK;
    const char *axis[2] = {"r", "z"};
    double *buf[2] = {r, z};
    size_t len[2] = {nr, nz};
    hid_t d = -1;
    for (int a = 0; a < 2; a++) {
        char name[96];
        hsize_t dims[2] = {0, 0};
        snprintf(name, sizeof name, "/fields/case_%zu/%s", i, axis[a]);
        d = H5Lexists(o->file, "/fields", H5P_DEFAULT) > 0 &&
                    H5Lexists(o->file, name, H5P_DEFAULT) > 0
                ? H5Dopen2(o->file, name, H5P_DEFAULT)
                : -1;
        H5OK(d, "open a /fields grid");
        H5OK(dataset_dims(d, dims) == 1 && dims[0] == len[a] ? 0 : -1, "match a /fields grid length");
        H5OK(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf[a]), "read a /fields grid");
        H5Dclose(d);
        d = -1;
    }
    return NS_OK;
fail:
    if (d >= 0) H5Dclose(d);
    return st;
}
