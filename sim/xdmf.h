/* XDMF descriptions of the concentration fields of a needlesim file.
 *
 * A run with run.fields stores, per field case i, the cell centres
 * /fields/case_<i>/r [m] (radius, n_r values) and /fields/case_<i>/z [m]
 * (depth below the skin surface, n_z values) and the snapshots
 * /fields/case_<i>/concentration [kg m-3] (n_time x n_z x n_r, one slab per
 * entry of /curves/time). This module writes, next to OUT.h5, two small XML
 * files that let ParaView (and other XDMF readers) open those snapshots as a
 * time series without knowing the schema:
 *
 *   OUT.xmf    XDMF 3, for ParaView's "Xdmf3 Reader S/T" (what pvpython's
 *              OpenDataFile picks for .xmf); the slab of step k is an HDF
 *              DataItem with Xdmf3's "path|start:stride:count:dims" selection.
 *   OUT.xmf2   XDMF 2, for ParaView's "XDMF Reader" (and VisIt): the slab of
 *              step k is a HyperSlab DataItem.
 *
 * Both hold one temporal collection over /curves/time; each step is a
 * spatial collection of the field cases (so every reader, Xdmf3 "S" included,
 * shows all cases at each time), and each case a structured 2-D grid
 * (2DSMesh) whose points are the cell centres, x = r and y = -z, so depth points down and the skin surface is the
 * top edge of the default view; the concentration is point data. Measured on
 * Debian's ParaView 5.11: the rectilinear form (2DRectMesh or 3DRectMesh with
 * VXVY[VZ] coordinates) is misread by both reader families (every coordinate
 * axis gets the r values, the last n_z - 1 values of every step come back as
 * 0), while the explicit XY geometry reads exactly. The coordinates are
 * written once per case as XML text (%.17g, so they read back bit-identical):
 * the first step holds them, the others point to it (XInclude element() in
 * XDMF 3, a Reference DataItem in XDMF 2). Only the concentrations are read
 * from the HDF5 file, which the .xmf files name by its base name, so the set
 * can be moved together. A field case whose grid is not finite (the case
 * failed before its diffusion solve) is left out, with an XML comment saying so.
 *
 * Xdmf3 reader bug: given a bare file name without a directory ("OUT.xmf")
 * it joins the names into "OUT.xmfOUT.h5" and aborts; "./OUT.xmf" or any path
 * with a '/' works (the GUI always passes absolute paths).
 *
 * Each file is written to NAME.new and renamed, so a reader never sees half a
 * description. */
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

/* Write OUT.xmf and OUT.xmf2 for the finished HDF5 file h5path (OUT.h5; any
 * other name N gives N.xmf and N.xmf2), reading the field grids from it.
 * Nothing is written when f->n == 0.
 * exceptions: NS_ENOMEM; NS_EIO when the HDF5 file cannot be read or a file
 * cannot be written or renamed (the message names the path). */
ns_status ns_xdmf_write(const char *h5path, const ns_xdmf_fields *f);

#endif
