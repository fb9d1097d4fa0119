/* The finite-patch layer of a case: maps the ring solves of a patch
 * (models/insertion.h, ns_ins_patch_solve) onto the result registry and
 * carries the punctured needles into the channel and transport steps. */
#ifndef NS_SIM_PATCH_H
#define NS_SIM_PATCH_H

#include "../models/insertion.h"
#include "results.h"

/* Solve the rings of the patch of case p after the mean insertion ins and
 * fill punctured_fraction and penetration_depth_mean/_p10/_p90 of r. When
 * only part of the patch punctured (0 < fraction < 1) the channels are those
 * of the punctured ring: *ins becomes that ring's result and pt (a copy of p)
 * gets the density of the punctured needles, fraction x array.density, so a
 * patch where 30 % of the needles puncture delivers through 30 % of the
 * channels. Otherwise *pt = *p and *ins is unchanged.
 * Exceptions: those of ns_ins_patch_solve. */
ns_status ns_case_patch(const ns_params *p, ns_ins_result *ins, ns_case_result *r,
                        ns_params *pt);

#endif
