/* XDMF description of the concentration fields of a needlesim file.
 *
 * A run with run.fields stores, per field case i, the cell centres
 * /fields/case_<i>/r [m] (radius, n_r values) and /fields/case_<i>/z [m]
 * (depth below the skin surface, n_z values) and the snapshots
 * /fields/case_<i>/concentration [kg m-3] (n_time x n_z x n_r, one slab per
 * entry of /curves/time). This module writes, next to OUT.h5, the file OUT.xmf
 * that lets ParaView (and other XDMF readers) open those snapshots as a time
 * series of rectilinear grids without knowing the schema. The .xmf names the
 * HDF5 file by its base name, so the pair can be moved together.
 *
 * The .xmf is written to OUT.xmf.new and renamed, so a reader never sees half
 * a description. */
#ifndef NS_SIM_XDMF_H
#define NS_SIM_XDMF_H

#include <stddef.h>

#include "../models/status.h"

/* The field cases of a run, as stored in /fields. */
typedef struct {
    size_t n;                 /* [-] field cases */
    const size_t *case_index; /* [-] n case indices, ascending, distinct */
    const size_t *n_r;        /* [-] n radial cell counts */
    const size_t *n_z;        /* [-] n depth cell counts */
    double duration;          /* [s] run.duration (the output times follow from it) */
    size_t n_time;            /* [-] snapshots per case (length of /curves/time) */
} ns_xdmf_fields;

/* Write the XDMF file for the HDF5 file h5path (OUT.h5 -> OUT.xmf, any other
 * name -> name.xmf). Nothing is written when f->n == 0.
 * exceptions: NS_ENOMEM; NS_EIO when the file cannot be written or renamed
 * (the message names the path). */
ns_status ns_xdmf_write(const char *h5path, const ns_xdmf_fields *f);

#endif
