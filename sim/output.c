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

/* An attachment recorded for a scale's REFERENCE_LIST (layout of the HDF5
 * dimension-scale specification, as libhdf5_hl writes it). */
typedef struct {
    hobj_ref_t ref;
    unsigned int dim_idx;
} ds_list_entry;

typedef struct {
    const char *path;
    ds_list_entry *list;
    size_t n, cap;
} ds_scale;

static void quiet_hdf5(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* ---- small helpers (return < 0 on failure, like HDF5) ---------------------- */

static hid_t string_type(size_t len)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return t;
    if (H5Tset_size(t, len ? len : 1) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* Fixed-length string attribute (the dimension-scale CLASS and NAME, as libhdf5_hl writes them). */
static herr_t attr_fixed_string(hid_t obj, const char *name, const char *value)
{
    hid_t t = string_type(strlen(value) + 1), s = H5Screate(H5S_SCALAR), a = -1;
    herr_t rc = -1;
    if (t >= 0 && s >= 0) a = H5Acreate2(obj, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) rc = H5Awrite(a, t, value);
    if (a >= 0) H5Aclose(a);
    if (s >= 0) H5Sclose(s);
    if (t >= 0) H5Tclose(t);
    return rc;
}

/* Variable-length UTF-8 string attribute, so h5py returns str (attributes are
 * written only at creation, so the global heap they use never changes later). */
static herr_t attr_string(hid_t obj, const char *name, const char *value)
{
    hid_t t = H5Tcopy(H5T_C_S1), s = H5Screate(H5S_SCALAR), a = -1;
    herr_t rc = -1;
    if (t >= 0 && s >= 0 && H5Tset_size(t, H5T_VARIABLE) >= 0 && H5Tset_cset(t, H5T_CSET_UTF8) >= 0)
        a = H5Acreate2(obj, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) rc = H5Awrite(a, t, &value);
    if (a >= 0) H5Aclose(a);
    if (s >= 0) H5Sclose(s);
    if (t >= 0) H5Tclose(t);
    return rc;
}

static herr_t attr_int64(hid_t obj, const char *name, long long value)
{
    hid_t s = H5Screate(H5S_SCALAR), a = -1;
    herr_t rc = -1;
    if (s >= 0) a = H5Acreate2(obj, name, H5T_STD_I64LE, s, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) rc = H5Awrite(a, H5T_NATIVE_LLONG, &value);
    if (a >= 0) H5Aclose(a);
    if (s >= 0) H5Sclose(s);
    return rc;
}

/* Read a string attribute into buf[cap]; returns < 0 if absent, not a string
 * or longer than cap - 1 bytes (never a cut value). */
static herr_t attr_read_string(hid_t obj, const char *name, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (H5Aexists(obj, name) <= 0) return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return -1;
    hid_t ft = H5Aget_type(a);
    herr_t rc = -1;
    if (ft >= 0 && H5Tget_class(ft) == H5T_STRING && H5Tis_variable_str(ft) > 0) {
        char *v = NULL;
        hid_t mt = H5Tcopy(ft);
        if (mt >= 0 && H5Aread(a, mt, &v) >= 0 && v && strlen(v) < cap) {
            memcpy(buf, v, strlen(v) + 1);
            rc = 0;
        }
        if (v) H5free_memory(v);
        if (mt >= 0) H5Tclose(mt);
    } else if (ft >= 0 && H5Tget_class(ft) == H5T_STRING) {
        size_t len = H5Tget_size(ft);
        char *tmp = calloc(len + 1, 1);
        hid_t mt = string_type(len);
        if (tmp && mt >= 0 && H5Aread(a, mt, tmp) >= 0 && strlen(tmp) < cap) {
            memcpy(buf, tmp, strlen(tmp) + 1);
            rc = 0;
        }
        if (mt >= 0) H5Tclose(mt);
        free(tmp);
    }
    if (ft >= 0) H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

/* Contiguous, early-allocated, filled dataset with units and description. */
static hid_t make_dataset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                          const void *fill, const char *units, const char *description)
{
    hid_t s = H5Screate_simple(rank, dims, NULL);
    hid_t p = H5Pcreate(H5P_DATASET_CREATE);
    hid_t d = -1;
    if (s >= 0 && p >= 0 && H5Pset_layout(p, H5D_CONTIGUOUS) >= 0 &&
        H5Pset_alloc_time(p, H5D_ALLOC_TIME_EARLY) >= 0 &&
        H5Pset_fill_time(p, H5D_FILL_TIME_ALLOC) >= 0 && H5Pset_obj_track_times(p, 0) >= 0 &&
        (!fill || H5Pset_fill_value(p, type, fill) >= 0))
        d = H5Dcreate2(loc, name, type, s, H5P_DEFAULT, p, H5P_DEFAULT);
    if (p >= 0) H5Pclose(p);
    if (s >= 0) H5Sclose(s);
    char cf[64]; /* CF: units that UDUNITS-2 and pint parse, long_name for plots (xarray) */
    if (d >= 0 && (attr_string(d, "units", ns_units_cf(units, cf, sizeof cf)) < 0 ||
                   attr_string(d, "long_name", description) < 0 ||
                   attr_string(d, "description", description) < 0)) {
        H5Dclose(d);
        d = -1;
    }
    return d;
}

/* CF flag attributes of a coded variable: flag_values (n values of the
 * dataset's type mtype) and flag_meanings (space-separated words). */
static herr_t attr_flags(hid_t d, hid_t mtype, const void *values, size_t n, const char *meanings)
{
    hsize_t len = n;
    hid_t s = H5Screate_simple(1, &len, NULL);
    hid_t ft = H5Dget_type(d);
    hid_t a = s >= 0 && ft >= 0 ? H5Acreate2(d, "flag_values", ft, s, H5P_DEFAULT, H5P_DEFAULT) : -1;
    herr_t rc = a >= 0 ? H5Awrite(a, mtype, values) : -1;
    if (a >= 0) H5Aclose(a);
    if (ft >= 0) H5Tclose(ft);
    if (s >= 0) H5Sclose(s);
    return rc < 0 ? rc : attr_string(d, "flag_meanings", meanings);
}

static hid_t make_group(hid_t loc, const char *name)
{
    hid_t p = H5Pcreate(H5P_GROUP_CREATE);
    hid_t g = -1;
    if (p >= 0 && H5Pset_obj_track_times(p, 0) >= 0)
        g = H5Gcreate2(loc, name, H5P_DEFAULT, p, H5P_DEFAULT);
    if (p >= 0) H5Pclose(p);
    return g;
}

/* ---- dimension scales (HDF5 dimension-scale specification, by hand) -------
 * The Makefile links libhdf5 only, not libhdf5_hl, so the attributes that
 * H5DSset_scale/H5DSattach_scale/H5DSset_label would write are written here:
 * scale: CLASS = "DIMENSION_SCALE", NAME, REFERENCE_LIST {dataset, dimension}[];
 * dataset: DIMENSION_LIST vlen<object ref>[rank], DIMENSION_LABELS string[rank]. */

static herr_t scale_set(hid_t d, const char *name)
{
    if (attr_fixed_string(d, "CLASS", "DIMENSION_SCALE") < 0) return -1;
    return attr_fixed_string(d, "NAME", name);
}

static herr_t scale_attach(hid_t file, hid_t d, const char *dpath, int rank, ds_scale *const *scales,
                           const char *const *labels)
{
    hobj_ref_t refs[3];
    hvl_t lists[3];
    herr_t rc = -1;
    hid_t vt = -1, s = -1, a = -1, st = -1;
    if (rank < 1 || rank > 3) return -1;
    for (int k = 0; k < rank; k++) {
        if (H5Rcreate(&refs[k], file, scales[k]->path, H5R_OBJECT, -1) < 0) return -1;
        lists[k].len = 1;
        lists[k].p = &refs[k];
        ds_scale *sc = scales[k];
        if (sc->n == sc->cap) {
            size_t cap = sc->cap ? 2 * sc->cap : 64;
            ds_list_entry *l = realloc(sc->list, cap * sizeof *l);
            if (!l) return -1;
            sc->list = l;
            sc->cap = cap;
        }
        if (H5Rcreate(&sc->list[sc->n].ref, file, dpath, H5R_OBJECT, -1) < 0) return -1;
        sc->list[sc->n].dim_idx = (unsigned int)k;
        sc->n++;
    }
    hsize_t n = (hsize_t)rank;
    vt = H5Tvlen_create(H5T_STD_REF_OBJ);
    s = H5Screate_simple(1, &n, NULL);
    if (vt >= 0 && s >= 0) a = H5Acreate2(d, "DIMENSION_LIST", vt, s, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0 && H5Awrite(a, vt, lists) >= 0) rc = 0;
    if (a >= 0) H5Aclose(a);
    a = -1;
    st = H5Tcopy(H5T_C_S1);
    if (rc == 0 && st >= 0 && H5Tset_size(st, H5T_VARIABLE) >= 0)
        a = H5Acreate2(d, "DIMENSION_LABELS", st, s, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0 || H5Awrite(a, st, labels) < 0) rc = -1;
    if (a >= 0) H5Aclose(a);
    if (st >= 0) H5Tclose(st);
    if (s >= 0) H5Sclose(s);
    if (vt >= 0) H5Tclose(vt);
    return rc;
}

static herr_t scale_finish(hid_t file, ds_scale *sc)
{
    hid_t d = H5Dopen2(file, sc->path, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(ds_list_entry));
    hsize_t n = sc->n;
    hid_t s = H5Screate_simple(1, &n, NULL), a = -1;
    herr_t rc = -1;
    if (t >= 0 && H5Tinsert(t, "dataset", HOFFSET(ds_list_entry, ref), H5T_STD_REF_OBJ) >= 0 &&
        H5Tinsert(t, "dimension", HOFFSET(ds_list_entry, dim_idx), H5T_NATIVE_INT) >= 0 && s >= 0)
        a = H5Acreate2(d, "REFERENCE_LIST", t, s, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0 && H5Awrite(a, t, sc->list) >= 0) rc = 0;
    if (a >= 0) H5Aclose(a);
    if (s >= 0) H5Sclose(s);
    if (t >= 0) H5Tclose(t);
    H5Dclose(d);
    return rc;
}

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
    free(o->pend_case);
    free(o->pend_status);
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
    o->pend_case = malloc(NS_OUTPUT_BATCH_CASES * sizeof *o->pend_case);
    o->pend_status = malloc(NS_OUTPUT_BATCH_CASES);
    if (!o->pend_case || !o->pend_status) {
        output_free(o);
        return NULL;
    }
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
    if ((o->t_error = string_type(NS_OUTPUT_ERROR_LEN)) < 0) return -1;
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
    H5OK(scale_finish(o->file, &sc_case), "write the dimension scale /case");
    H5OK(scale_finish(o->file, &sc_ins), "write the dimension scale /curves/insertion_point");
    H5OK(scale_finish(o->file, &sc_time), "write the dimension scale /curves/time");
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
    return attr_flags(d, H5T_NATIVE_DOUBLE, codes, NS_LAYER_MAX + 1, meanings);
}

static herr_t create_content(hid_t f, const ns_output_meta *m, ds_scale *sc_case,
                             ds_scale *sc_ins, ds_scale *sc_time)
{
    const double nan = NAN;
    const signed char zero8 = 0;
    hsize_t n = m->n_cases, P = m->sizes.n_insertion, T = m->sizes.n_time;
    char buf[512];
    herr_t rc = -1;
    hid_t d = -1, g = -1, t = -1;
    void *tmp = NULL;
    const char *lab1[1] = {"case"};

    /* root attributes */
    time_t now = time(NULL);
    struct tm tmv;
    char utc[32] = "unknown";
    if (gmtime_r(&now, &tmv)) strftime(utc, sizeof utc, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    snprintf(buf, sizeof buf, "%016llx", m->config_hash);
    if (attr_string(f, "schema", NS_SCHEMA) < 0 || attr_string(f, "program_version", NS_VERSION) < 0 ||
        attr_string(f, "git_commit", NS_GIT_COMMIT) < 0 || attr_string(f, "created_utc", utc) < 0 ||
        attr_string(f, "config", m->config_text ? m->config_text : "") < 0 ||
        attr_string(f, "config_hash", buf) < 0 ||
        attr_int64(f, "n_cases", (long long)m->n_cases) < 0 ||
        attr_string(f, "sweep_mode", m->sweep_mode ? m->sweep_mode : "none") < 0 ||
        attr_int64(f, "seed", (long long)m->seed) < 0 ||
        attr_string(f, "run_name", m->run_name ? m->run_name : "") < 0)
        return -1;

    for (const char *const *gn = (const char *const[]){"params", "results", "curves", "timing", NULL};
         *gn; gn++) {
        if ((g = make_group(f, *gn)) < 0) return -1;
        H5Gclose(g);
    }

    /* /case scale */
    long long *idx = malloc(n * sizeof *idx);
    if (!idx) return -1;
    for (hsize_t i = 0; i < n; i++) idx[i] = (long long)i;
    d = make_dataset(f, "case", H5T_STD_I64LE, 1, &n, NULL, "1", "case index (row of every per-case dataset)");
    rc = d >= 0 ? H5Dwrite(d, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, idx) : -1;
    free(idx);
    if (rc < 0 || scale_set(d, "case") < 0) goto done;
    H5Dclose(d);
    d = -1;

    /* curve axes */
    double *axis = malloc((P > T ? P : T) * sizeof *axis);
    if (!axis) goto done;
    for (hsize_t k = 0; k < P; k++) axis[k] = P > 1 ? (double)k / (double)(P - 1) : 0.0;
    d = make_dataset(f, "curves/insertion_point", H5T_IEEE_F64LE, 1, &P, NULL, "1",
                     "normalised curve parameter of the insertion curves, 0 = first contact, "
                     "1 = end of the insertion (withdrawal start)");
    rc = d >= 0 ? H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, axis) : -1;
    if (rc >= 0) rc = scale_set(d, "insertion_point");
    if (d >= 0) H5Dclose(d);
    d = -1;
    if (rc >= 0) {
        d = make_dataset(f, "curves/time", H5T_IEEE_F64LE, 1, &T, NULL, "s",
                         "output time since drug application (log-spaced)");
        rc = d >= 0 ? H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, m->times) : -1;
        if (rc >= 0) rc = scale_set(d, "time");
        if (d >= 0) H5Dclose(d);
        d = -1;
    }
    free(axis);
    if (rc < 0) goto done;
    rc = -1;

    /* /params */
    for (size_t k = 0; k < m->n_params; k++) {
        const ns_output_param *p = &m->params[k];
        snprintf(buf, sizeof buf, "params/%s", p->key);
        if (p->is_enum) {
            size_t w = 1;
            for (size_t i = 0; i < m->n_cases; i++) {
                size_t l = p->labels[i] ? strlen(p->labels[i]) + 1 : 1;
                if (l > w) w = l;
            }
            char *s = calloc(m->n_cases, w);
            if (!s || (t = string_type(w)) < 0) {
                free(s);
                goto done;
            }
            for (size_t i = 0; i < m->n_cases; i++)
                if (p->labels[i]) memcpy(s + i * w, p->labels[i], strlen(p->labels[i]));
            d = make_dataset(f, buf, t, 1, &n, NULL, p->units ? p->units : "",
                             p->description ? p->description : "");
            rc = d >= 0 ? H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) : -1;
            free(s);
            H5Tclose(t);
            t = -1;
        } else {
            d = make_dataset(f, buf, H5T_IEEE_F64LE, 1, &n, &nan, p->units ? p->units : "",
                             p->description ? p->description : "");
            rc = d >= 0 ? H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, p->values) : -1;
        }
        if (rc >= 0) {
            snprintf(buf, sizeof buf, "/params/%s", p->key);
            rc = scale_attach(f, d, buf, 1, &sc_case, lab1);
        }
        if (d >= 0) H5Dclose(d);
        d = -1;
        if (rc < 0) goto done;
    }
    rc = -1;

    /* /results */
    for (size_t k = 0; k < NS_R_COUNT; k++) {
        snprintf(buf, sizeof buf, "results/%s", ns_result_table[k].name);
        d = make_dataset(f, buf, H5T_IEEE_F64LE, 1, &n, &nan, ns_result_table[k].units,
                         ns_result_table[k].description);
        if (d >= 0 && k == NS_R_DEEPEST_LAYER && layer_flags(d) < 0) goto done;
        snprintf(buf, sizeof buf, "/results/%s", ns_result_table[k].name);
        if (d < 0 || scale_attach(f, d, buf, 1, &sc_case, lab1) < 0) goto done;
        H5Dclose(d);
        d = -1;
    }
    /* /curves */
    for (size_t c = 0; c < NS_C_COUNT; c++) {
        int is_time = ns_curve_table[c].axis[0] == 't';
        hsize_t dims[2] = {n, is_time ? T : P};
        ds_scale *scs[2] = {sc_case, is_time ? sc_time : sc_ins};
        const char *labs[2] = {"case", is_time ? "time" : "insertion_point"};
        snprintf(buf, sizeof buf, "curves/%s", ns_curve_table[c].name);
        d = make_dataset(f, buf, H5T_IEEE_F64LE, 2, dims, &nan, ns_curve_table[c].units,
                         ns_curve_table[c].description);
        snprintf(buf, sizeof buf, "/curves/%s", ns_curve_table[c].name);
        if (d < 0 || scale_attach(f, d, buf, 2, scs, labs) < 0) goto done;
        H5Dclose(d);
        d = -1;
    }
    /* /status, /error, /timing/case_seconds */
    d = make_dataset(f, "status", H5T_STD_I8LE, 1, &n, &zero8, "1",
                     "case status: 0 pending (not computed yet), 1 ok, 2 failed (see /error)");
    {
        static const signed char codes[3] = {NS_CASE_PENDING, NS_CASE_OK, NS_CASE_FAILED};
        if (d >= 0 && attr_flags(d, H5T_NATIVE_SCHAR, codes, 3, "pending ok failed") < 0) goto done;
    }
    if (d < 0 || scale_attach(f, d, "/status", 1, &sc_case, lab1) < 0) goto done;
    H5Dclose(d);
    d = -1;
    if ((t = string_type(NS_OUTPUT_ERROR_LEN)) < 0) goto done;
    tmp = calloc(1, NS_OUTPUT_ERROR_LEN);
    if (!tmp) goto done;
    d = make_dataset(f, "error", t, 1, &n, tmp, "",
                     "why a case failed (first line of the solver message), empty if ok or pending");
    if (d < 0 || scale_attach(f, d, "/error", 1, &sc_case, lab1) < 0) goto done;
    H5Dclose(d);
    d = -1;
    d = make_dataset(f, "timing/case_seconds", H5T_IEEE_F64LE, 1, &n, &nan, "s",
                     "wall-clock time spent computing the case (machine dependent; not a result)");
    if (d < 0 || scale_attach(f, d, "/timing/case_seconds", 1, &sc_case, lab1) < 0) goto done;
    rc = 0;
done:
    free(tmp);
    if (t >= 0) H5Tclose(t);
    if (d >= 0) H5Dclose(d);
    return rc;
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
    hid_t g = make_group(f, "fields"), d = -1;
    if (g < 0) return -1;
    H5Gclose(g);
    long long *fc = malloc(F * sizeof *fc);
    if (!fc) return -1;
    for (hsize_t k = 0; k < F; k++) fc[k] = (long long)m->field_case[k];
    d = make_dataset(f, "fields/field_case", H5T_STD_I64LE, 1, &F, NULL, "1",
                     "cases whose concentration fields are stored, group /fields/case_<i> each");
    rc = d >= 0 ? H5Dwrite(d, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, fc) : -1;
    if (rc >= 0) rc = scale_set(d, "field_case");
    if (d >= 0) H5Dclose(d);
    free(fc);
    if (rc < 0) return -1;
    for (size_t k = 0; k < m->n_fields && rc >= 0; k++) {
        size_t i = m->field_case[k];
        hsize_t nr = m->field_nr[k], nz = m->field_nz[k], dims[3] = {T, nz, nr};
        snprintf(buf, sizeof buf, "fields/case_%zu", i);
        if ((g = make_group(f, buf)) < 0) return -1;
        rc = attr_int64(g, "case", (long long)i);
        H5Gclose(g);
        char rpath[96], zpath[96], cpath[96];
        snprintf(rpath, sizeof rpath, "/fields/case_%zu/r", i);
        snprintf(zpath, sizeof zpath, "/fields/case_%zu/z", i);
        snprintf(cpath, sizeof cpath, "/fields/case_%zu/concentration", i);
        snprintf(rname, sizeof rname, "r_case%zu", i);
        snprintf(zname, sizeof zname, "z_case%zu", i);
        ds_scale sc_r = {rpath, NULL, 0, 0}, sc_z = {zpath, NULL, 0, 0};
        if (rc >= 0) {
            d = make_dataset(f, rpath, H5T_IEEE_F64LE, 1, &nr, &nan, "m",
                             "radial position of the cell centres (needle axis at r = 0, unit-cell "
                             "boundary beyond the last cell); NaN until the case is computed");
            rc = d >= 0 ? scale_set(d, rname) : -1;
            if (d >= 0) H5Dclose(d);
        }
        if (rc >= 0) {
            d = make_dataset(f, zpath, H5T_IEEE_F64LE, 1, &nz, &nan, "m",
                             "depth of the cell centres below the skin surface; NaN until the case "
                             "is computed");
            rc = d >= 0 ? scale_set(d, zname) : -1;
            if (d >= 0) H5Dclose(d);
        }
        if (rc >= 0) {
            d = make_dataset(f, cpath, H5T_IEEE_F64LE, 3, dims, &nan, "kg/m3",
                             "tissue drug concentration C = K u at the output times /curves/time "
                             "(axisymmetric r-z unit cell around one needle; finite-volume cell "
                             "averages); NaN until the case is computed or where it failed");
            ds_scale *scs[3] = {sc_time, &sc_z, &sc_r};
            const char *labs[3] = {"time", zname, rname};
            rc = d >= 0 ? scale_attach(f, d, cpath, 3, scs, labs) : -1;
            if (d >= 0) H5Dclose(d);
        }
        if (rc >= 0) rc = scale_finish(f, &sc_r);
        if (rc >= 0) rc = scale_finish(f, &sc_z);
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
    if (attr_read_string(o->file, "schema", buf, sizeof buf) < 0 || strcmp(buf, NS_SCHEMA) != 0) {
        st = ns_status_set(NS_EIO, __FILE__, __LINE__, __func__,
                           "%s: schema attribute is '%s', expected '%s' (not a needlesim file?)",
                           path, buf, NS_SCHEMA);
        goto fail;
    }
    H5OK(attr_read_string(o->file, "config_hash", buf, sizeof buf), "read the config_hash attribute");
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
    if (attr_read_string(o->file, "resumed_utc", old, sizeof old) < 0) old[0] = '\0';
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
    H5OK(attr_string(o->file, "resumed_utc", val), "write the resumed_utc attribute");
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
