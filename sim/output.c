/* HDF5 writer and reader of schema needlesim-1 (see output.h for the layout,
 * the kill-safety argument and the single-writer choice). */
#include "output_private.h"

#include <hdf5.h>
#include <math.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../models/skin.h"
#include "quantity.h"

#ifndef NS_VERSION
#define NS_VERSION "0.0.0"
#endif
#ifndef NS_GIT_COMMIT
#define NS_GIT_COMMIT "unknown"
#endif

#define NS_SCHEMA "needlesim-1"

static void quiet_hdf5(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* ---- file access ------------------------------------------------------------- */

/* File access list of every open: the writer turns HDF5's file lock off, so
 * that h5py, h5dump and the loader can read a .partial while a run writes it
 * (with the lock, every reader fails with "unable to lock file, errno = 11").
 * Readers see the state of the last commit: the file's structure never changes
 * after creation and rows are overwritten in place (see output.h). Two
 * needlesim writers on one file are kept apart by sim/workfile.c, not by
 * HDF5's lock. Read-only opens keep HDF5's default. */
static hid_t file_access(int writable)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && writable && H5Pset_file_locking(fapl, 0, 1) < 0) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

/* Close o->file after a failed write without writing to the file any more.
 * HDF5 1.10 cannot close a file whose final flush fails: H5Fclose returns
 * an error, keeps the identifier, and the library's own shutdown (at
 * MPI_Finalize) closes it again and crashes (SIGSEGV in H5F__close_cb).
 * So the descriptor under the sec2 driver is replaced by an anonymous
 * in-memory file before the close: the close's writes go nowhere and
 * succeed, and the file on disk stays exactly as the last successful commit
 * left it (as after a kill). Returns H5Fclose's result. */
static herr_t abandon_file(ns_output *o)
{
    void *handle = NULL;
    if (H5Fget_vfd_handle(o->file, H5P_DEFAULT, &handle) >= 0 && handle) {
        int fd = *(int *)handle;
        int mem = memfd_create("needlesim-abandoned", MFD_CLOEXEC);
        if (mem >= 0) {
            (void)dup2(mem, fd);
            close(mem);
        }
    }
    /* A flush into the anonymous file first: it settles the metadata cache
     * that the failed flush left behind, so that H5Fclose can finish (a close
     * without it was seen to fail again). Its result does not matter. */
    (void)H5Fflush(o->file, H5F_SCOPE_LOCAL);
    herr_t rc = H5Fclose(o->file);
    o->file = -1;
    return rc;
}

/* Close a writable o->file after a successful flush, so that a failure of
 * the close itself cannot poison the library. After the flush the only
 * write H5Fclose makes to a version-0 superblock file is the file
 * consistency flags word (bytes 20-23 of the superblock, set to 1 while the
 * file is open for writing; HDF5 File Format Specification, superblock
 * version 0). If that write fails (a disk full or failing during the close),
 * HDF5 1.10 keeps a half-closed identifier and crashes at its shutdown. So
 * the close goes through abandon_file (its writes go to an anonymous
 * in-memory file) and the flags word is then cleared here on a duplicate of
 * the real descriptor: the same bytes on disk as a plain close, and a
 * failure is an ordinary I/O error (the file is then as after a kill: valid,
 * resumable). Files with another superblock version are closed by H5Fclose.
 * Returns 0 or -1. */
static herr_t close_flushed(ns_output *o)
{
    void *handle = NULL;
    int keep = -1;
    unsigned char head[9];
    static const unsigned char signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    if (H5Fget_vfd_handle(o->file, H5P_DEFAULT, &handle) >= 0 && handle) keep = dup(*(int *)handle);
    if (keep < 0 || pread(keep, head, sizeof head, 0) != (ssize_t)sizeof head ||
        memcmp(head, signature, sizeof signature) != 0 || head[8] != 0) {
        if (keep >= 0) close(keep);
        herr_t rc = H5Fclose(o->file);
        o->file = -1;
        return rc;
    }
    herr_t rc = abandon_file(o);
    static const unsigned char clear[4] = {0, 0, 0, 0};
    if (rc >= 0 && pwrite(keep, clear, sizeof clear, 20) != (ssize_t)sizeof clear) rc = -1;
    close(keep);
    return rc;
}

/* ---- create ----------------------------------------------------------------- */

static void close_datasets(ns_output *o)
{
    for (size_t k = 0; k < NS_R_COUNT; k++)
        if (o->d_result[k] >= 0) H5Dclose(o->d_result[k]);
    for (size_t c = 0; c < NS_C_COUNT; c++)
        if (o->d_curve[c] >= 0) H5Dclose(o->d_curve[c]);
    if (o->d_status >= 0) H5Dclose(o->d_status);
    if (o->d_error >= 0) H5Dclose(o->d_error);
    if (o->d_seconds >= 0) H5Dclose(o->d_seconds);
    if (o->t_error >= 0) H5Tclose(o->t_error);
    for (size_t k = 0; k < NS_R_COUNT; k++) o->d_result[k] = -1;
    for (size_t c = 0; c < NS_C_COUNT; c++) o->d_curve[c] = -1;
    o->d_status = o->d_error = o->d_seconds = o->t_error = -1;
}

static void output_free(ns_output *o)
{
    out_batch_free(o);
    free(o);
}

static ns_output *output_alloc(const char *path)
{
    ns_output *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    o->file = -1;
    snprintf(o->path, sizeof o->path, "%s", path);
    for (size_t k = 0; k < NS_R_COUNT; k++) o->d_result[k] = -1;
    for (size_t c = 0; c < NS_C_COUNT; c++) o->d_curve[c] = -1;
    o->d_status = o->d_error = o->d_seconds = o->t_error = -1;
    o->t_commit = mono_seconds();
    return o;
}

/* Open the per-case datasets kept open for writing. */
static herr_t open_datasets(ns_output *o)
{
    char name[256];
    for (size_t k = 0; k < NS_R_COUNT; k++) {
        snprintf(name, sizeof name, "/results/%s", ns_result_table[k].name);
        if ((o->d_result[k] = H5Dopen2(o->file, name, H5P_DEFAULT)) < 0) return -1;
    }
    for (size_t c = 0; c < NS_C_COUNT; c++) {
        snprintf(name, sizeof name, "/curves/%s", ns_curve_table[c].name);
        if ((o->d_curve[c] = H5Dopen2(o->file, name, H5P_DEFAULT)) < 0) return -1;
    }
    if ((o->d_status = H5Dopen2(o->file, "/status", H5P_DEFAULT)) < 0) return -1;
    if ((o->d_error = H5Dopen2(o->file, "/error", H5P_DEFAULT)) < 0) return -1;
    if ((o->d_seconds = H5Dopen2(o->file, "/timing/case_seconds", H5P_DEFAULT)) < 0) return -1;
    if ((o->t_error = out_string_type(NS_OUTPUT_ERROR_LEN)) < 0) return -1;
    return 0;
}


static herr_t create_content(hid_t f, const ns_output_meta *m, ds_scale *sc_case,
                             ds_scale *sc_ins, ds_scale *sc_time);
static herr_t create_fields(hid_t f, const ns_output_meta *m, ds_scale *sc_time);

ns_status ns_output_create(const char *path, const ns_output_meta *m, ns_output **out)
{
    *out = NULL;
    NS_CHECK(path && path[0], NS_EINVAL, "output path is empty");
    NS_CHECK(strlen(path) < NS_PATH_CAP, NS_EINVAL, "output path longer than %d bytes",
             NS_PATH_CAP - 1);
    NS_CHECK(m->n_cases >= 1, NS_EINVAL, "n_cases = %zu, need >= 1", m->n_cases);
    for (size_t k = 0; k < m->n_fields; k++)
        NS_CHECK(m->field_case[k] < m->n_cases && m->field_nr[k] >= 1 && m->field_nz[k] >= 1 &&
                     (k == 0 || m->field_case[k] > m->field_case[k - 1]),
                 NS_EINVAL,
                 "field %zu: case %zu (of %zu; field cases strictly increasing), grid %zu x %zu "
                 "(need >= 1 x 1)",
                 k, m->field_case[k], m->n_cases, m->field_nr[k], m->field_nz[k]);
    NS_CHECK(m->sizes.n_insertion >= 1 && m->sizes.n_time >= 1, NS_EINVAL,
             "curve sizes insertion = %zu, time = %zu points, need >= 1 each",
             m->sizes.n_insertion, m->sizes.n_time);
    for (size_t k = 0; k < m->n_params; k++)
        NS_CHECK(m->params[k].is_enum ? m->params[k].labels != NULL : m->params[k].values != NULL,
                 NS_EINVAL, "parameter %s has no %s", m->params[k].key,
                 m->params[k].is_enum ? "labels" : "values");
    quiet_hdf5();

    ns_status st = NS_OK;
    ds_scale sc_case = {"/case", NULL, 0, 0}, sc_ins = {"/curves/insertion_point", NULL, 0, 0},
             sc_time = {"/curves/time", NULL, 0, 0};
    ns_output *o = output_alloc(path);
    NS_CHECK(o, NS_ENOMEM, "cannot allocate the output object");
    o->n_cases = m->n_cases;
    o->sizes = m->sizes;
    o->hash = m->config_hash;
    if (out_batch_alloc(o) < 0) {
        output_free(o);
        NS_FAIL(NS_ENOMEM, "cannot allocate the output batch of %zu rows",
                ns_output_batch_cases(m->sizes));
    }

    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5OK(fcpl, "make a file creation property list");
    H5OK(H5Pset_obj_track_times(fcpl, 0), "disable time tracking");
    hid_t fapl = file_access(1);
    H5OK(fapl, "make a file access property list");
    o->file = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl);
    o->writable = 1;
    H5Pclose(fapl);
    H5Pclose(fcpl);
    H5OK(o->file, "create the file (check the directory exists and is writable)");
    H5OK(create_content(o->file, m, &sc_case, &sc_ins, &sc_time), "write the file structure");
    H5OK(create_fields(o->file, m, &sc_time), "write the /fields structure");
    H5OK(out_scale_finish(o->file, &sc_case), "write the dimension scale /case");
    H5OK(out_scale_finish(o->file, &sc_ins), "write the dimension scale /curves/insertion_point");
    H5OK(out_scale_finish(o->file, &sc_time), "write the dimension scale /curves/time");
    H5OK(open_datasets(o), "open the per-case datasets");
    H5OK(H5Fflush(o->file, H5F_SCOPE_GLOBAL), "flush the new file");
    free(sc_case.list);
    free(sc_ins.list);
    free(sc_time.list);
    *out = o;
    return NS_OK;
fail:
    free(sc_case.list);
    free(sc_ins.list);
    free(sc_time.list);
    close_datasets(o);
    if (o->file >= 0) abandon_file(o);
    output_free(o);
    return st;
}

/* flag_values 0..4 and flag_meanings of /results/deepest_layer: 0 none, then
 * the layer names of a full skin stack (1 is "membrane" for a membrane stack). */
static herr_t layer_flags(hid_t d)
{
    ns_skin_params full;
    memset(&full, 0, sizeof full);
    full.n_layers = NS_LAYER_MAX;
    double codes[NS_LAYER_MAX + 1];
    char meanings[128] = "none";
    codes[0] = 0.0;
    for (size_t i = 0; i < NS_LAYER_MAX; i++) {
        codes[i + 1] = (double)(i + 1);
        size_t len = strlen(meanings);
        snprintf(meanings + len, sizeof meanings - len, " %s", ns_skin_layer_name(&full, i));
    }
    return out_attr_flags(d, H5T_NATIVE_DOUBLE, codes, NS_LAYER_MAX + 1, meanings);
}

/* Root attributes and the top-level groups. */
static herr_t create_root(hid_t f, const ns_output_meta *m)
{
    char buf[32];
    time_t now = time(NULL);
    struct tm tmv;
    char utc[32] = "unknown";
    if (gmtime_r(&now, &tmv)) strftime(utc, sizeof utc, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    snprintf(buf, sizeof buf, "%016llx", m->config_hash);
    if (out_attr_string(f, "schema", NS_SCHEMA) < 0 || out_attr_string(f, "program_version", NS_VERSION) < 0 ||
        out_attr_string(f, "git_commit", NS_GIT_COMMIT) < 0 || out_attr_string(f, "created_utc", utc) < 0 ||
        out_attr_string(f, "config", m->config_text ? m->config_text : "") < 0 ||
        out_attr_string(f, "config_hash", buf) < 0 ||
        out_attr_int64(f, "n_cases", (long long)m->n_cases) < 0 ||
        out_attr_string(f, "sweep_mode", m->sweep_mode ? m->sweep_mode : "none") < 0 ||
        out_attr_int64(f, "seed", (long long)m->seed) < 0 ||
        out_attr_string(f, "run_name", m->run_name ? m->run_name : "") < 0)
        return -1;
    for (const char *const *gn = (const char *const[]){"params", "results", "curves", "timing", NULL};
         *gn; gn++) {
        hid_t g = out_make_group(f, *gn);
        if (g < 0) return -1;
        H5Gclose(g);
    }
    return 0;
}

/* The scales: /case (case indices) and the two curve axes. */
static herr_t create_scales(hid_t f, const ns_output_meta *m)
{
    hsize_t n = m->n_cases, P = m->sizes.n_insertion, T = m->sizes.n_time;
    herr_t rc = -1;
    long long *idx = malloc(n * sizeof *idx);
    if (!idx) return -1;
    for (hsize_t i = 0; i < n; i++) idx[i] = (long long)i;
    hid_t d = out_make_dataset(f, "case", H5T_STD_I64LE, 1, &n, NULL, "1", "case index (row of every per-case dataset)");
    rc = d >= 0 ? H5Dwrite(d, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, idx) : -1;
    free(idx);
    if (rc >= 0) rc = out_scale_set(d, "case");
    if (d >= 0) H5Dclose(d);
    if (rc < 0) return -1;

    double *axis = malloc((P > T ? P : T) * sizeof *axis);
    if (!axis) return -1;
    for (hsize_t k = 0; k < P; k++) axis[k] = P > 1 ? (double)k / (double)(P - 1) : 0.0;
    d = out_make_dataset(f, "curves/insertion_point", H5T_IEEE_F64LE, 1, &P, NULL, "1",
                     "normalised curve parameter of the insertion curves, 0 = first contact, "
                     "1 = end of the insertion (withdrawal start)");
    rc = d >= 0 ? H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, axis) : -1;
    if (rc >= 0) rc = out_scale_set(d, "insertion_point");
    if (d >= 0) H5Dclose(d);
    d = -1;
    if (rc >= 0) {
        d = out_make_dataset(f, "curves/time", H5T_IEEE_F64LE, 1, &T, NULL, "s",
                         "output time since drug application (log-spaced)");
        rc = d >= 0 ? H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, m->times) : -1;
        if (rc >= 0) rc = out_scale_set(d, "time");
        if (d >= 0) H5Dclose(d);
    }
    free(axis);
    return rc < 0 ? -1 : 0;
}

/* /params: the swept values of every case (text labels for enumerations). */
static herr_t create_params(hid_t f, const ns_output_meta *m, ds_scale *sc_case)
{
    const double nan = NAN;
    hsize_t n = m->n_cases;
    const char *lab1[1] = {"case"};
    char buf[512];
    for (size_t k = 0; k < m->n_params; k++) {
        const ns_output_param *p = &m->params[k];
        herr_t rc = -1;
        hid_t d = -1;
        snprintf(buf, sizeof buf, "params/%s", p->key);
        if (p->is_enum) {
            size_t w = 1;
            for (size_t i = 0; i < m->n_cases; i++) {
                size_t l = p->labels[i] ? strlen(p->labels[i]) + 1 : 1;
                if (l > w) w = l;
            }
            char *s = calloc(m->n_cases, w);
            hid_t t = s ? out_string_type(w) : -1;
            if (t < 0) {
                free(s);
                return -1;
            }
            for (size_t i = 0; i < m->n_cases; i++)
                if (p->labels[i]) memcpy(s + i * w, p->labels[i], strlen(p->labels[i]));
            d = out_make_dataset(f, buf, t, 1, &n, NULL, p->units ? p->units : "",
                             p->description ? p->description : "");
            rc = d >= 0 ? H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) : -1;
            free(s);
            H5Tclose(t);
        } else {
            d = out_make_dataset(f, buf, H5T_IEEE_F64LE, 1, &n, &nan, p->units ? p->units : "",
                             p->description ? p->description : "");
            rc = d >= 0 ? H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, p->values) : -1;
        }
        if (rc >= 0) {
            snprintf(buf, sizeof buf, "/params/%s", p->key);
            rc = out_scale_attach(f, d, buf, 1, &sc_case, lab1);
        }
        if (d >= 0) H5Dclose(d);
        if (rc < 0) return -1;
    }
    return 0;
}

/* /results and /curves: one NaN-filled dataset per registry row. */
static herr_t create_results(hid_t f, const ns_output_meta *m, ds_scale *sc_case,
                             ds_scale *sc_ins, ds_scale *sc_time)
{
    const double nan = NAN;
    hsize_t n = m->n_cases, P = m->sizes.n_insertion, T = m->sizes.n_time;
    const char *lab1[1] = {"case"};
    char buf[512];
    hid_t d = -1;
    for (size_t k = 0; k < NS_R_COUNT; k++) {
        snprintf(buf, sizeof buf, "results/%s", ns_result_table[k].name);
        d = out_make_dataset(f, buf, H5T_IEEE_F64LE, 1, &n, &nan, ns_result_table[k].units,
                         ns_result_table[k].description);
        if (d >= 0 && k == NS_R_DEEPEST_LAYER && layer_flags(d) < 0) goto fail;
        snprintf(buf, sizeof buf, "/results/%s", ns_result_table[k].name);
        if (d < 0 || out_scale_attach(f, d, buf, 1, &sc_case, lab1) < 0) goto fail;
        H5Dclose(d);
        d = -1;
    }
    for (size_t c = 0; c < NS_C_COUNT; c++) {
        int is_time = ns_curve_table[c].axis[0] == 't';
        hsize_t dims[2] = {n, is_time ? T : P};
        ds_scale *scs[2] = {sc_case, is_time ? sc_time : sc_ins};
        const char *labs[2] = {"case", is_time ? "time" : "insertion_point"};
        snprintf(buf, sizeof buf, "curves/%s", ns_curve_table[c].name);
        d = out_make_dataset(f, buf, H5T_IEEE_F64LE, 2, dims, &nan, ns_curve_table[c].units,
                         ns_curve_table[c].description);
        snprintf(buf, sizeof buf, "/curves/%s", ns_curve_table[c].name);
        if (d < 0 || out_scale_attach(f, d, buf, 2, scs, labs) < 0) goto fail;
        H5Dclose(d);
        d = -1;
    }
    return 0;
fail:
    if (d >= 0) H5Dclose(d);
    return -1;
}

/* /status, /error, /timing/case_seconds. */
static herr_t create_status(hid_t f, const ns_output_meta *m, ds_scale *sc_case)
{
    const double nan = NAN;
    const signed char zero8 = 0;
    hsize_t n = m->n_cases;
    const char *lab1[1] = {"case"};
    herr_t rc = -1;
    hid_t d = -1, t = -1;
    void *tmp = NULL;
    d = out_make_dataset(f, "status", H5T_STD_I8LE, 1, &n, &zero8, "1",
                     "case status: 0 pending (not computed yet), 1 ok, 2 failed (see /error)");
    {
        static const signed char codes[3] = {NS_CASE_PENDING, NS_CASE_OK, NS_CASE_FAILED};
        if (d >= 0 && out_attr_flags(d, H5T_NATIVE_SCHAR, codes, 3, "pending ok failed") < 0) goto done;
    }
    if (d < 0 || out_scale_attach(f, d, "/status", 1, &sc_case, lab1) < 0) goto done;
    H5Dclose(d);
    d = -1;
    if ((t = out_string_type(NS_OUTPUT_ERROR_LEN)) < 0) goto done;
    tmp = calloc(1, NS_OUTPUT_ERROR_LEN);
    if (!tmp) goto done;
    d = out_make_dataset(f, "error", t, 1, &n, tmp, "",
                     "why a case failed (first line of the solver message), empty if ok or pending");
    if (d < 0 || out_scale_attach(f, d, "/error", 1, &sc_case, lab1) < 0) goto done;
    H5Dclose(d);
    d = -1;
    d = out_make_dataset(f, "timing/case_seconds", H5T_IEEE_F64LE, 1, &n, &nan, "s",
                     "wall-clock time spent computing the case (machine dependent; not a result)");
    if (d < 0 || out_scale_attach(f, d, "/timing/case_seconds", 1, &sc_case, lab1) < 0) goto done;
    rc = 0;
done:
    free(tmp);
    if (t >= 0) H5Tclose(t);
    if (d >= 0) H5Dclose(d);
    return rc;
}

/* Every dataset of the schema except /fields, in a fixed order. */
static herr_t create_content(hid_t f, const ns_output_meta *m, ds_scale *sc_case,
                             ds_scale *sc_ins, ds_scale *sc_time)
{
    if (create_root(f, m) < 0 || create_scales(f, m) < 0 || create_params(f, m, sc_case) < 0 ||
        create_results(f, m, sc_case, sc_ins, sc_time) < 0 || create_status(f, m, sc_case) < 0)
        return -1;
    return 0;
}

/* /fields: one group per field case (see output.h). Every dataset is
 * created here, NaN-filled; the grid and the snapshots are raw writes later. */
static herr_t create_fields(hid_t f, const ns_output_meta *m, ds_scale *sc_time)
{
    if (m->n_fields == 0) return 0;
    hsize_t F = m->n_fields, T = m->sizes.n_time;
    const double nan = NAN;
    char buf[256], rname[64], zname[64];
    herr_t rc = -1;
    hid_t g = out_make_group(f, "fields"), d = -1;
    if (g < 0) return -1;
    H5Gclose(g);
    long long *fc = malloc(F * sizeof *fc);
    if (!fc) return -1;
    for (hsize_t k = 0; k < F; k++) fc[k] = (long long)m->field_case[k];
    d = out_make_dataset(f, "fields/field_case", H5T_STD_I64LE, 1, &F, NULL, "1",
                     "cases whose concentration fields are stored, group /fields/case_<i> each");
    rc = d >= 0 ? H5Dwrite(d, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, fc) : -1;
    if (rc >= 0) rc = out_scale_set(d, "field_case");
    if (d >= 0) H5Dclose(d);
    free(fc);
    if (rc < 0) return -1;
    for (size_t k = 0; k < m->n_fields && rc >= 0; k++) {
        size_t i = m->field_case[k];
        hsize_t nr = m->field_nr[k], nz = m->field_nz[k], dims[3] = {T, nz, nr};
        snprintf(buf, sizeof buf, "fields/case_%zu", i);
        if ((g = out_make_group(f, buf)) < 0) return -1;
        rc = out_attr_int64(g, "case", (long long)i);
        H5Gclose(g);
        char rpath[96], zpath[96], cpath[96];
        snprintf(rpath, sizeof rpath, "/fields/case_%zu/r", i);
        snprintf(zpath, sizeof zpath, "/fields/case_%zu/z", i);
        snprintf(cpath, sizeof cpath, "/fields/case_%zu/concentration", i);
        snprintf(rname, sizeof rname, "r_case%zu", i);
        snprintf(zname, sizeof zname, "z_case%zu", i);
        ds_scale sc_r = {rpath, NULL, 0, 0}, sc_z = {zpath, NULL, 0, 0};
        if (rc >= 0) {
            d = out_make_dataset(f, rpath, H5T_IEEE_F64LE, 1, &nr, &nan, "m",
                             "radial position of the cell centres (needle axis at r = 0, unit-cell "
                             "boundary beyond the last cell); NaN until the case is computed");
            rc = d >= 0 ? out_scale_set(d, rname) : -1;
            if (d >= 0) H5Dclose(d);
        }
        if (rc >= 0) {
            d = out_make_dataset(f, zpath, H5T_IEEE_F64LE, 1, &nz, &nan, "m",
                             "depth of the cell centres below the skin surface; NaN until the case "
                             "is computed");
            rc = d >= 0 ? out_scale_set(d, zname) : -1;
            if (d >= 0) H5Dclose(d);
        }
        if (rc >= 0) {
            d = out_make_dataset(f, cpath, H5T_IEEE_F64LE, 3, dims, &nan, "kg/m3",
                             "tissue drug concentration C = K u at the output times /curves/time "
                             "(axisymmetric r-z unit cell around one needle; finite-volume cell "
                             "averages); NaN until the case is computed or where it failed");
            ds_scale *scs[3] = {sc_time, &sc_z, &sc_r};
            const char *labs[3] = {"time", zname, rname};
            rc = d >= 0 ? out_scale_attach(f, d, cpath, 3, scs, labs) : -1;
            if (d >= 0) H5Dclose(d);
        }
        if (rc >= 0) rc = out_scale_finish(f, &sc_r);
        if (rc >= 0) rc = out_scale_finish(f, &sc_z);
        free(sc_r.list);
        free(sc_z.list);
    }
    return rc;
}

/* ---- open ------------------------------------------------------------------- */


ns_status ns_output_open(const char *path, int writable, ns_output **out)
{
    *out = NULL;
    NS_CHECK(path && path[0], NS_EINVAL, "output path is empty");
    NS_CHECK(strlen(path) < NS_PATH_CAP, NS_EINVAL, "output path longer than %d bytes",
             NS_PATH_CAP - 1);
    quiet_hdf5();
    ns_status st = NS_OK;
    char buf[256];
    hsize_t dims[2];
    ns_output *o = output_alloc(path);
    NS_CHECK(o, NS_ENOMEM, "cannot allocate the output object");
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        st = ns_status_set(NS_EIO, __FILE__, __LINE__, __func__, "%s: cannot open (no such file or no permission)", path);
        goto fail;
    }
    fclose(probe);
    if (H5Fis_hdf5(path) <= 0) {
        st = ns_status_set(NS_EIO, __FILE__, __LINE__, __func__,
                           "%s: not a readable HDF5 file (corrupted or truncated?)", path);
        goto fail;
    }
    hid_t fapl = file_access(writable);
    H5OK(fapl, "make a file access property list");
    o->file = H5Fopen(path, writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    o->writable = writable;
    H5OK(o->file, "open the file (corrupted, or locked by another process?)");
    if (out_attr_read_string(o->file, "schema", buf, sizeof buf) < 0 || strcmp(buf, NS_SCHEMA) != 0) {
        st = ns_status_set(NS_EIO, __FILE__, __LINE__, __func__,
                           "%s: schema attribute is '%s', expected '%s' (not a needlesim file?)",
                           path, buf, NS_SCHEMA);
        goto fail;
    }
    H5OK(out_attr_read_string(o->file, "config_hash", buf, sizeof buf), "read the config_hash attribute");
    o->hash = strtoull(buf, NULL, 16);
    H5OK(open_datasets(o), "open every /results, /curves, /status, /error and /timing dataset "
                           "(file incomplete or corrupted)");
    H5OK(dataset_dims(o->d_status, dims) == 1 ? 0 : -1, "read the shape of /status");
    o->n_cases = (size_t)dims[0];
    {
        hid_t d = H5Dopen2(o->file, "/curves/insertion_point", H5P_DEFAULT);
        int r = d >= 0 ? dataset_dims(d, dims) : -1;
        if (d >= 0) H5Dclose(d);
        H5OK(r == 1 ? 0 : -1, "read /curves/insertion_point");
        o->sizes.n_insertion = (size_t)dims[0];
        d = H5Dopen2(o->file, "/curves/time", H5P_DEFAULT);
        r = d >= 0 ? dataset_dims(d, dims) : -1;
        if (d >= 0) H5Dclose(d);
        H5OK(r == 1 ? 0 : -1, "read /curves/time");
        o->sizes.n_time = (size_t)dims[0];
    }
    if (writable && out_batch_alloc(o) < 0) {
        st = ns_status_set(NS_ENOMEM, __FILE__, __LINE__, __func__,
                           "%s: cannot allocate the output batch of %zu rows", path,
                           ns_output_batch_cases(o->sizes));
        goto fail;
    }
    for (size_t k = 0; k < NS_R_COUNT; k++)
        if (dataset_dims(o->d_result[k], dims) != 1 || dims[0] != o->n_cases) {
            st = ns_status_set(NS_EIO, __FILE__, __LINE__, __func__,
                               "%s: /results/%s does not have shape [%zu]", path,
                               ns_result_table[k].name, o->n_cases);
            goto fail;
        }
    for (size_t c = 0; c < NS_C_COUNT; c++)
        if (dataset_dims(o->d_curve[c], dims) != 2 || dims[0] != o->n_cases ||
            dims[1] != ns_curve_length((ns_curve_id)c, o->sizes)) {
            st = ns_status_set(NS_EIO, __FILE__, __LINE__, __func__,
                               "%s: /curves/%s does not have shape [%zu, %zu]", path,
                               ns_curve_table[c].name, o->n_cases,
                               ns_curve_length((ns_curve_id)c, o->sizes));
            goto fail;
        }
    if (dataset_dims(o->d_error, dims) != 1 || dims[0] != o->n_cases ||
        dataset_dims(o->d_seconds, dims) != 1 || dims[0] != o->n_cases) {
        st = ns_status_set(NS_EIO, __FILE__, __LINE__, __func__,
                           "%s: /error or /timing/case_seconds does not have shape [%zu]", path,
                           o->n_cases);
        goto fail;
    }
    {
        hid_t ft = H5Dget_type(o->d_error);
        size_t len = ft >= 0 ? H5Tget_size(ft) : 0;
        if (ft >= 0) H5Tclose(ft);
        if (len != NS_OUTPUT_ERROR_LEN) {
            st = ns_status_set(NS_EIO, __FILE__, __LINE__, __func__,
                               "%s: /error entries are %zu bytes, expected %d", path, len,
                               NS_OUTPUT_ERROR_LEN);
            goto fail;
        }
    }
    *out = o;
    return NS_OK;
fail:
    close_datasets(o);
    if (o->file >= 0) abandon_file(o); /* nothing was written: leave the file as it is */
    output_free(o);
    return st;
}

size_t ns_output_n_cases(const ns_output *o) { return o->n_cases; }
ns_curve_sizes ns_output_sizes(const ns_output *o) { return o->sizes; }
unsigned long long ns_output_config_hash(const ns_output *o) { return o->hash; }

ns_status ns_output_mark_resumed(ns_output *o)
{
    const char *path = o->path;
    ns_status st = NS_OK;
    char old[4096], utc[32] = "unknown", val[4200];
    time_t now = time(NULL);
    struct tm tmv;
    if (gmtime_r(&now, &tmv)) strftime(utc, sizeof utc, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    if (out_attr_read_string(o->file, "resumed_utc", old, sizeof old) < 0) old[0] = '\0';
    /* Keep the list bounded: the oldest entries go first (the attribute stays < 4 kB). */
    const char *keep = old;
    while (strlen(keep) + strlen(utc) + 2 > sizeof old) {
        const char *sp = strchr(keep, ' ');
        if (!sp) {
            keep = "";
            break;
        }
        keep = sp + 1;
    }
    snprintf(val, sizeof val, "%s%s%s", keep, keep[0] ? " " : "", utc);
    if (H5Aexists(o->file, "resumed_utc") > 0)
        H5OK(H5Adelete(o->file, "resumed_utc"), "replace the resumed_utc attribute");
    H5OK(out_attr_string(o->file, "resumed_utc", val), "write the resumed_utc attribute");
    H5OK(H5Fflush(o->file, H5F_SCOPE_LOCAL), "flush the resumed_utc attribute");
    return NS_OK;
fail:
    return st;
}

ns_status ns_output_close(ns_output **op)
{
    if (!op || !*op) return NS_OK;
    ns_output *o = *op;
    *op = NULL;
    const char *path = o->path;
    ns_status st = NS_OK;
    if (o->file >= 0 && o->d_status >= 0) st = ns_output_flush(o);
    if (st == NS_OK && o->file >= 0 && o->writable)
        H5OK(H5Fflush(o->file, H5F_SCOPE_LOCAL), "flush the file before closing it");
fail:
    close_datasets(o);
    /* A file whose last commit failed is closed without writing (abandon_file):
     * HDF5 could neither finish the close nor be shut down cleanly otherwise. */
    if (o->file >= 0 &&
        (st != NS_OK ? abandon_file(o) : o->writable ? close_flushed(o) : H5Fclose(o->file)) < 0 &&
        st == NS_OK)
        st = ns_status_set(NS_EIO, __FILE__, __LINE__, __func__, "%s: HDF5 could not close the file",
                           o->path);
    output_free(o);
    return st;
}
