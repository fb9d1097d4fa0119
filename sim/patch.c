/* The finite-patch layer of a case (see patch.h). */
#include "patch.h"

#include <math.h>

ns_status ns_case_patch(const ns_params *p, ns_ins_result *ins, ns_case_result *r,
                        ns_params *pt)
{
    *pt = *p;
    ns_ins_patch_result pr;
    NS_TRY(ns_ins_patch_solve(p, ins, &pr));
    double *s = r->scalar;
    s[NS_R_PUNCTURED_FRACTION] = pr.punctured_fraction;
    s[NS_R_PENETRATION_DEPTH_MEAN] = pr.depth_mean;
    s[NS_R_PENETRATION_DEPTH_P10] = pr.depth_p10;
    s[NS_R_PENETRATION_DEPTH_P90] = pr.depth_p90;
    if (pr.n_rings > 1 && pr.punctured_fraction > 0.0 && pr.punctured_fraction < 1.0) {
        /* the punctured ring (of two, exactly one punctured) makes the channels */
        *ins = pr.ring[pr.ring[0].punctured ? 0 : 1];
        pt->array.density = p->array.density * pr.punctured_fraction;
        pt->array.pitch = p->array.pitch / sqrt(pr.punctured_fraction);
    }
    return NS_OK;
}
