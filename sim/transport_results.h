/* Transport results of a case: the mapping of a diffusion solve (and its
 * intact-skin baseline) onto the result registry of sim/results.h, with the
 * rules that make them mean what they say (outputs/README.md):
 *  - a coated or dissolving dose exists only with a channel: no baseline, so
 *    intact_permeated_amount, enhancement_ratio and extra_amount_per_needle
 *    are NaN and delivered_fraction / skin_fraction measure the dose;
 *  - a single needle has no ratio (it would refer to the arbitrary disc the
 *    solver models): enhancement_ratio is NaN, extra_amount_per_needle is the
 *    measure;
 *  - intact_below_detection flags a baseline below drug.detection_floor;
 *  - t90_flux and burst_fraction come from the output curves
 *    (models/diffusion.h, "Outputs"). */
#ifndef NS_TRANSPORT_RESULTS_H
#define NS_TRANSPORT_RESULTS_H

#include <stddef.h>

#include "../models/channel.h"
#include "../models/diffusion.h"
#include "../models/params.h"
#include "results.h"

/* Does the case need an intact-skin baseline solve? (a vehicle dose through
 * an open channel). */
int ns_transport_needs_baseline(const ns_params *p, const ns_channel_geom *ch);

/* Fill the transport scalars of r from the solve res (its curves already in
 * r: permeated_amount and flux at the n output times t) and the baseline
 * base (NULL when none was needed: the case is its own baseline, or a
 * reservoir dose has none). */
void ns_transport_fill(const ns_params *p, const ns_channel_geom *ch, const ns_diff_result *res,
                       const ns_diff_result *base, const double *t, size_t n, ns_case_result *r);

#endif
