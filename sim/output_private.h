/* Private to the HDF5 writer (sim/output.c: file structure, open, close;
 * sim/output_rows.c: per-case rows and commits). See output.h. */
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
    /* Status batch (see output.h): rows written, statuses not yet. */
    size_t *pend_case;
    signed char *pend_status;
    size_t n_pend;
    double t_commit; /* [s] monotonic time of the last commit */
};

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
