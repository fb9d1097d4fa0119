/* HDF5 building blocks of sim/output.c (declared in output_private.h). */
#include "output_private.h"

#include <stdlib.h>
#include <string.h>

#include "quantity.h"

/* ---- small helpers (return < 0 on failure, like HDF5) ---------------------- */

hid_t out_string_type(size_t len)
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
herr_t out_attr_fixed_string(hid_t obj, const char *name, const char *value)
{
    hid_t t = out_string_type(strlen(value) + 1), s = H5Screate(H5S_SCALAR), a = -1;
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
herr_t out_attr_string(hid_t obj, const char *name, const char *value)
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

herr_t out_attr_int64(hid_t obj, const char *name, long long value)
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
herr_t out_attr_read_string(hid_t obj, const char *name, char *buf, size_t cap)
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
        hid_t mt = out_string_type(len);
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
hid_t out_make_dataset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
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
    if (d >= 0 && (out_attr_string(d, "units", ns_units_cf(units, cf, sizeof cf)) < 0 ||
                   out_attr_string(d, "long_name", description) < 0 ||
                   out_attr_string(d, "description", description) < 0)) {
        H5Dclose(d);
        d = -1;
    }
    return d;
}

/* CF flag attributes of a coded variable: flag_values (n values of the
 * dataset's type mtype) and flag_meanings (space-separated words). */
herr_t out_attr_flags(hid_t d, hid_t mtype, const void *values, size_t n, const char *meanings)
{
    hsize_t len = n;
    hid_t s = H5Screate_simple(1, &len, NULL);
    hid_t ft = H5Dget_type(d);
    hid_t a = s >= 0 && ft >= 0 ? H5Acreate2(d, "flag_values", ft, s, H5P_DEFAULT, H5P_DEFAULT) : -1;
    herr_t rc = a >= 0 ? H5Awrite(a, mtype, values) : -1;
    if (a >= 0) H5Aclose(a);
    if (ft >= 0) H5Tclose(ft);
    if (s >= 0) H5Sclose(s);
    return rc < 0 ? rc : out_attr_string(d, "flag_meanings", meanings);
}

hid_t out_make_group(hid_t loc, const char *name)
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

herr_t out_scale_set(hid_t d, const char *name)
{
    if (out_attr_fixed_string(d, "CLASS", "DIMENSION_SCALE") < 0) return -1;
    return out_attr_fixed_string(d, "NAME", name);
}

herr_t out_scale_attach(hid_t file, hid_t d, const char *dpath, int rank, ds_scale *const *scales,
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

herr_t out_scale_finish(hid_t file, ds_scale *sc)
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

