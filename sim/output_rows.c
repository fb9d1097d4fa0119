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

/* Read row i (length len along dim 1 for rank 2) of d into buf. */
static herr_t row_read(hid_t d, size_t i, size_t len, int rank, hid_t mtype, void *buf)
{
    hsize_t start[2] = {i, 0}, count[2] = {1, len}, mlen = rank == 2 ? len : 1;
    hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, &mlen, NULL);
    herr_t rc = -1;
    if (fs >= 0 && ms >= 0 &&
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0)
        rc = H5Dread(d, mtype, ms, fs, H5P_DEFAULT, buf);
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return rc;
}

/* ---- the batch --------------------------------------------------------------- */

size_t ns_output_batch_cases(ns_curve_sizes sizes)
{
    size_t row = (NS_R_COUNT + 1) * sizeof(double) + NS_OUTPUT_ERROR_LEN;
    for (size_t c = 0; c < NS_C_COUNT; c++) row += ns_curve_length((ns_curve_id)c, sizes) * sizeof(double);
    size_t by_bytes = NS_OUTPUT_BATCH_BYTES / row;
    if (by_bytes < 1) by_bytes = 1;
    return by_bytes < NS_OUTPUT_BATCH_CASES ? by_bytes : NS_OUTPUT_BATCH_CASES;
}

int out_batch_alloc(ns_output *o)
{
    size_t cap = ns_output_batch_cases(o->sizes), len = NS_R_COUNT + 1, longest = 1;
    for (size_t c = 0; c < NS_C_COUNT; c++) {
        size_t n = ns_curve_length((ns_curve_id)c, o->sizes);
        len += n;
        if (n > longest) longest = n;
    }
    o->batch_cap = cap;
    o->row_len = len;
    o->pend_case = malloc(cap * sizeof *o->pend_case);
    o->pend_status = malloc(cap);
    o->pend_row = malloc(cap * len * sizeof *o->pend_row);
    o->pend_error = malloc(cap * NS_OUTPUT_ERROR_LEN);
    o->order = malloc(cap * sizeof *o->order);
    o->column = malloc(cap * longest * sizeof *o->column);
    o->error_column = malloc(cap * NS_OUTPUT_ERROR_LEN);
    if (!o->pend_case || !o->pend_status || !o->pend_row || !o->pend_error || !o->order ||
        !o->column || !o->error_column) {
        out_batch_free(o);
        return -1;
    }
    return 0;
}

void out_batch_free(ns_output *o)
{
    free(o->pend_case);
    free(o->pend_status);
    free(o->pend_row);
    free(o->pend_error);
    free(o->order);
    free(o->column);
    free(o->error_column);
    o->pend_case = o->order = NULL;
    o->pend_status = NULL;
    o->pend_row = o->column = NULL;
    o->pend_error = o->error_column = NULL;
    o->batch_cap = 0;
}

ns_status ns_output_write_case(ns_output *o, size_t i, const ns_case_result *r, int status,
                               const char *error, double seconds)
{
    NS_CHECK(o->batch_cap > 0, NS_EINVAL, "%s: opened read-only, cannot write case %zu", o->path, i);
    NS_CHECK(i < o->n_cases, NS_EINVAL, "case %zu out of range [0, %zu)", i, o->n_cases);
    NS_CHECK(status >= NS_CASE_PENDING && status <= NS_CASE_FAILED, NS_EINVAL,
             "case %zu: status %d is not 0 (pending), 1 (ok) or 2 (failed)", i, status);
    NS_CHECK(
        !r || (r->sizes.n_insertion == o->sizes.n_insertion && r->sizes.n_time == o->sizes.n_time),
        NS_EINVAL, "case %zu: curve sizes (%zu, %zu) differ from the file's (%zu, %zu)", i,
        r->sizes.n_insertion, r->sizes.n_time, o->sizes.n_insertion, o->sizes.n_time);
    if (o->n_pend == o->batch_cap) NS_TRY(ns_output_flush(o));
    /* The row waits in the batch with its status: the commit writes the rows,
     * makes them durable, and only then writes the statuses, so a status 1 or
     * 2 on disk always has its whole row on disk. */
    size_t k = o->n_pend;
    double *row = o->pend_row + k * o->row_len;
    if (r) {
        memcpy(row, r->scalar, NS_R_COUNT * sizeof *row);
        double *p = row + NS_R_COUNT;
        for (size_t c = 0; c < NS_C_COUNT; c++) {
            size_t n = ns_curve_length((ns_curve_id)c, o->sizes);
            memcpy(p, r->curve[c], n * sizeof *p);
            p += n;
        }
    } else {
        for (size_t j = 0; j + 1 < o->row_len; j++) row[j] = (double)NAN;
    }
    row[o->row_len - 1] = seconds;
    char *err = o->pend_error + k * NS_OUTPUT_ERROR_LEN;
    memset(err, 0, NS_OUTPUT_ERROR_LEN);
    snprintf(err, NS_OUTPUT_ERROR_LEN, "%s", error ? error : "");
    o->pend_case[k] = i;
    o->pend_status[k] = (signed char)status;
    o->n_pend++;
    if (o->n_pend >= o->batch_cap || mono_seconds() - o->t_commit >= NS_OUTPUT_BATCH_SECONDS)
        NS_TRY(ns_output_flush(o));
    return NS_OK;
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
        H5OK(row_read(o->d_result[k], i, 1, 1, H5T_NATIVE_DOUBLE, &r->scalar[k]),
             "read a /results row");
    for (size_t c = 0; c < NS_C_COUNT; c++)
        H5OK(row_read(o->d_curve[c], i, ns_curve_length((ns_curve_id)c, o->sizes), 2,
                    H5T_NATIVE_DOUBLE, r->curve[c]),
             "read a /curves row");
    H5OK(row_read(o->d_error, i, 1, 1, o->t_error, error), "read an /error row");
    error[NS_OUTPUT_ERROR_LEN - 1] = '\0';
    H5OK(row_read(o->d_seconds, i, 1, 1, H5T_NATIVE_DOUBLE, seconds), "read a /timing row");
    H5OK(row_read(o->d_status, i, 1, 1, H5T_NATIVE_SCHAR, &s8), "read a /status entry");
    *status = s8;
    return NS_OK;
fail:
    return st;
}

/* o->order[0, n): the batch positions sorted by case index, a case held
 * twice keeping its later row. Returns n. Insertion sort: the batch is
 * short and arrives nearly in case order (the scheduler hands out
 * consecutive chunks), so this is about linear. */
static size_t batch_order(ns_output *o)
{
    size_t n = 0;
    for (size_t k = 0; k < o->n_pend; k++) {
        size_t i = o->pend_case[k], j = n;
        while (j > 0 && o->pend_case[o->order[j - 1]] > i) j--;
        if (j > 0 && o->pend_case[o->order[j - 1]] == i) {
            o->order[j - 1] = k; /* the later write wins, as it did on disk */
            continue;
        }
        memmove(o->order + j + 1, o->order + j, (n - j) * sizeof *o->order);
        o->order[j] = k;
        n++;
    }
    return n;
}

/* Select the batch's rows (o->order[0, n)) in file space fs of a dataset of
 * rank 1 or 2 (len columns): one hyperslab block per run of consecutive
 * cases (len is ignored for rank 1). */
static herr_t select_rows(const ns_output *o, size_t n, hid_t fs, size_t len)
{
    H5S_seloper_t op = H5S_SELECT_SET;
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && o->pend_case[o->order[b]] == o->pend_case[o->order[b - 1]] + 1) b++;
        hsize_t start[2] = {o->pend_case[o->order[a]], 0}, count[2] = {b - a, len};
        if (H5Sselect_hyperslab(fs, op, start, NULL, count, NULL) < 0) return -1;
        op = H5S_SELECT_OR;
        a = b;
    }
    return 0;
}

/* One H5Dwrite of buf (n rows of len values of mtype, in case order) into d. */
static herr_t write_rows(const ns_output *o, size_t n, hid_t d, int rank, size_t len, hid_t mtype,
                         const void *buf)
{
    hsize_t m = (hsize_t)n * (rank == 2 ? len : 1);
    hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, &m, NULL);
    herr_t rc = -1;
    if (fs >= 0 && ms >= 0 && select_rows(o, n, fs, rank == 2 ? len : 1) >= 0)
        rc = H5Dwrite(d, mtype, ms, fs, H5P_DEFAULT, buf);
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return rc;
}

/* Gather column [off, off + len) of the ordered batch rows into o->column. */
static const double *gather(ns_output *o, size_t n, size_t off, size_t len)
{
    for (size_t j = 0; j < n; j++)
        memcpy(o->column + j * len, o->pend_row + o->order[j] * o->row_len + off,
               len * sizeof *o->column);
    return o->column;
}

ns_status ns_output_flush(ns_output *o)
{
    const char *path = o->path;
    ns_status st = NS_OK;
    if (o->n_pend == 0) return NS_OK;
    size_t n = batch_order(o), off = 0;
    /* Commit: rows (one write per dataset), durable; then their statuses, durable. */
    for (size_t k = 0; k < NS_R_COUNT; k++, off++)
        H5OK(write_rows(o, n, o->d_result[k], 1, 1, H5T_NATIVE_DOUBLE, gather(o, n, off, 1)),
             "write the /results rows");
    for (size_t c = 0; c < NS_C_COUNT; c++) {
        size_t len = ns_curve_length((ns_curve_id)c, o->sizes);
        H5OK(write_rows(o, n, o->d_curve[c], 2, len, H5T_NATIVE_DOUBLE, gather(o, n, off, len)),
             "write the /curves rows");
        off += len;
    }
    H5OK(write_rows(o, n, o->d_seconds, 1, 1, H5T_NATIVE_DOUBLE, gather(o, n, off, 1)),
         "write the /timing rows");
    for (size_t j = 0; j < n; j++)
        memcpy(o->error_column + j * NS_OUTPUT_ERROR_LEN,
               o->pend_error + o->order[j] * NS_OUTPUT_ERROR_LEN, NS_OUTPUT_ERROR_LEN);
    H5OK(write_rows(o, n, o->d_error, 1, 1, o->t_error, o->error_column), "write the /error rows");
    H5OK(H5Fflush(o->file, H5F_SCOPE_LOCAL), "flush the case rows");
    signed char *s8 = (signed char *)o->error_column; /* the texts are on disk now */
    for (size_t j = 0; j < n; j++) s8[j] = o->pend_status[o->order[j]];
    H5OK(write_rows(o, n, o->d_status, 1, 1, H5T_NATIVE_SCHAR, s8), "write the /status entries");
    H5OK(H5Fflush(o->file, H5F_SCOPE_LOCAL), "flush the case statuses");
    o->n_pend = 0;
    o->n_commits++;
    o->t_commit = mono_seconds();
    return NS_OK;
fail:
    return st;
}

size_t ns_output_commits(const ns_output *o) { return o->n_commits; }
size_t ns_output_pending(const ns_output *o) { return o->n_pend; }

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
