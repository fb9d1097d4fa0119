/* Private to the HDF5 writer (sim/output.c: file structure, open, close;
 * sim/output_rows.c: per-case rows and commits; sim/output_hdf5.c: HDF5
 * attributes, datasets and dimension scales). See output.h. */
#ifndef NS_OUTPUT_PRIVATE_H
#define NS_OUTPUT_PRIVATE_H

#include <hdf5.h>
#include <time.h>

#include "output.h"

#define NS_PATH_CAP 4096

struct ns_output {
    hid_t file;
    int writable; /* opened or created for writing */
    char path[NS_PATH_CAP];
    size_t n_cases;
    ns_curve_sizes sizes;
    unsigned long long hash;
    hid_t d_result[NS_R_COUNT];
    hid_t d_curve[NS_C_COUNT];
    hid_t d_status, d_error, d_seconds;
    hid_t t_error; /* fixed-length string type of /error */
    /* The batch (see output.h, "Batching"): rows held in memory until the
     * commit writes them, one H5Dwrite per dataset, and then their statuses.
     * Row k of the batch: pend_row[k * row_len ...] holds the NS_R_COUNT
     * scalars, the curves in ns_curve_table order and the case seconds;
     * pend_error[k * NS_OUTPUT_ERROR_LEN ...] its /error text. */
    size_t batch_cap;      /* rows a batch holds (ns_output_batch_cases) */
    size_t row_len;        /* doubles of one held row */
    size_t *pend_case;
    signed char *pend_status;
    double *pend_row;
    char *pend_error;
    size_t n_pend;
    double t_commit; /* [s] monotonic time of the last commit */
    /* Commit workspace: the batch in case order, one gathered column. */
    size_t *order;
    double *column;
    char *error_column;
    size_t n_commits; /* commits that wrote rows (statistics) */
};

/* Allocate the batch of o (o->sizes set; writable files only).
 * Returns 0 or -1 (out of memory). */
int out_batch_alloc(ns_output *o);
void out_batch_free(ns_output *o);

/* HDF5 building blocks of the writer and reader (sim/output_hdf5.c): string
 * types and attributes, datasets with units, groups, and dimension scales
 * written by hand (libhdf5 only, no libhdf5_hl). Each returns < 0 on failure,
 * like HDF5. */
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

hid_t out_string_type(size_t len);
herr_t out_attr_fixed_string(hid_t obj, const char *name, const char *value);
herr_t out_attr_string(hid_t obj, const char *name, const char *value);
herr_t out_attr_int64(hid_t obj, const char *name, long long value);
herr_t out_attr_read_string(hid_t obj, const char *name, char *buf, size_t cap);
hid_t out_make_dataset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                       const void *fill, const char *units, const char *description);
herr_t out_attr_flags(hid_t d, hid_t mtype, const void *values, size_t n, const char *meanings);
hid_t out_make_group(hid_t loc, const char *name);
herr_t out_scale_set(hid_t d, const char *name);
herr_t out_scale_attach(hid_t file, hid_t d, const char *dpath, int rank, ds_scale *const *scales,
                        const char *const *labels);
herr_t out_scale_finish(hid_t file, ds_scale *sc);

static inline double mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* On a failed HDF5 call: record "PATH: HDF5 could not WHAT" and goto fail
 * (needs `path` and `st` in scope). */
#define H5OK(expr, what)                                                                           \
    do {                                                                                           \
        if ((expr) < 0) {                                                                          \
            st = ns_status_set(NS_EIO, __FILE__, __LINE__, __func__, "%s: HDF5 could not %s",      \
                               path, (what));                                                      \
            goto fail;                                                                             \
        }                                                                                          \
    } while (0)

/* Rank and dims of a dataset; returns rank or -1. */
static inline int dataset_dims(hid_t d, hsize_t dims[2])
{
    hid_t s = H5Dget_space(d);
    if (s < 0) return -1;
    int rank = H5Sget_simple_extent_ndims(s);
    if (rank < 1 || rank > 2 || H5Sget_simple_extent_dims(s, dims, NULL) < 0) rank = -1;
    H5Sclose(s);
    return rank;
}

#endif
