/* One case of a sweep: parameters in, scalar results and curves out (the
 * registry of results and curves and their buffers: results.h). */
#ifndef NS_CASE_H
#define NS_CASE_H

#include "../models/params.h"
#include "../models/status.h"

#include "results.h"

/* Run one case: derived quantities, insertion, channel, diffusion.
 * exceptions: any solver status; the message (ns_status_message()) says why.
 * On failure the scalars computed so far are kept, the rest stay NaN. */
ns_status ns_case_run(const ns_params *p, ns_case_result *r);

/* Concentration snapshots of one case at the output times (run.fields).
 * C is stored [time][z][r]: C[(k * nz + j) * nr + i] is the tissue
 * concentration K u [kg/m3] of r-cell i, z-cell j at output time k. The grid
 * is the diffusion solver's: nr = numerics.diff_n_r, nz = numerics.diff_n_z
 * cells, centres r[nr], z[nz] [m] (z downward from the skin surface). */
typedef struct {
    size_t nr, nz, n_time;
    double *r;   /* [m] radial cell centres, 0 < r < unit-cell radius */
    double *z;   /* [m] depth of the cell centres below the skin surface */
    double *C;   /* [kg/m3] n_time * nz * nr values */
} ns_case_fields;

/* Allocate a field buffer for a case with these parameters (nr, nz from
 * p->numerics) and n_time output times; everything starts as NaN.
 * exceptions: NS_ENOMEM. */
ns_status ns_case_fields_init(ns_case_fields *f, const ns_params *p, size_t n_time);
void ns_case_fields_clear(ns_case_fields *f);

/* ns_case_run that also records the concentration field at every output
 * time into f (initialised for p and r->sizes.n_time). Scalars and curves are
 * bit-identical to ns_case_run: the solver is advanced through the same
 * output times, one at a time, and the lag time is evaluated by the rule of
 * models/diffusion.h on the same values. Fields stay NaN where not reached
 * (no transport, or a failure). exceptions: as ns_case_run; NS_EINVAL if f
 * does not match p. */
ns_status ns_case_run_fields(const ns_params *p, ns_case_result *r, ns_case_fields *f);

#endif
