/* Transport results of a case (rules in transport_results.h). */
#include "transport_results.h"

#include <math.h>

#include "../models/drug.h"

static int reservoir_dose(const ns_params *p)
{
    return p->drug.dose == NS_DOSE_COATED || p->drug.dose == NS_DOSE_DISSOLVING;
}

int ns_transport_needs_baseline(const ns_params *p, const ns_channel_geom *ch)
{
    return !reservoir_dose(p) && ch != NULL && ch->open;
}

void ns_transport_fill(const ns_params *p, const ns_channel_geom *ch, const ns_diff_result *res,
                       const ns_diff_result *base, const double *t, size_t n, ns_case_result *r)
{
    double *s = r->scalar;
    s[NS_R_PERMEATED_AMOUNT] = res->permeated_amount;
    s[NS_R_PEAK_FLUX] = res->peak_flux;
    s[NS_R_LAG_TIME] = res->lag_time;
    s[NS_R_SKIN_AMOUNT] = res->skin_amount;
    s[NS_R_CLEARED_AMOUNT] = res->cleared_amount;
    s[NS_R_MASS_BALANCE_ERROR] = res->mass_balance_error;
    s[NS_R_SC_AMOUNT] = res->sc_amount;
    s[NS_R_TOTAL_SKIN_AMOUNT] = res->total_skin_amount;
    s[NS_R_DOSE_AMOUNT] = res->dose_amount;
    s[NS_R_DELIVERED_FRACTION] = res->delivered_fraction;
    s[NS_R_SKIN_FRACTION] = res->skin_fraction;
    s[NS_R_RELEASE_T90] = res->release_t90;
    s[NS_R_T90_FLUX] = ns_diff_t90_flux(t, r->curve[NS_C_FLUX], n);
    s[NS_R_BURST_FRACTION] = ns_diff_burst_fraction(t, r->curve[NS_C_PERMEATED_AMOUNT], n);
    int open = ch != NULL && ch->open;
    s[NS_R_DELIVERED_BEFORE_CLOSURE] = res->delivered_before_closure;
    for (size_t k = 0; open && k < n; k++) { /* eq. (3) of models/channel.h */
        r->curve[NS_C_CHANNEL_RADIUS][k] = ns_channel_radius_at(ch, 0.0, t[k]);
        r->curve[NS_C_PORE_RADIUS][k] = ns_channel_radius_at(ch, 0.5 * ch->depth, t[k]);
    }
    if (reservoir_dose(p)) {
        if (p->drug.dose == NS_DOSE_COATED && open)
            s[NS_R_COATING_THICKNESS] =
                ns_drug_coating_thickness(&p->drug, ns_channel_wall_area(ch));
        return; /* no intact baseline for a dose that needs a channel */
    }
    double Q0 = base ? base->permeated_amount : res->permeated_amount;
    s[NS_R_INTACT_PERMEATED_AMOUNT] = Q0;
    s[NS_R_INTACT_BELOW_DETECTION] = Q0 < p->drug.detection_floor ? 1.0 : 0.0;
    /* Extra drug through one needle's channel: (Q - Q0) times the area the
     * amounts refer to (the unit cell 1/n, or a single needle's disc). */
    if (open) s[NS_R_EXTRA_AMOUNT_PER_NEEDLE] = (res->permeated_amount - Q0) * res->area;
    /* enhancement_ratio: NaN when nothing permeates intact skin in the run,
     * and for a single needle (a ratio to an arbitrary disc). */
    if (Q0 > 0.0 && !(open && p->array.layout == NS_LAYOUT_SINGLE))
        s[NS_R_ENHANCEMENT_RATIO] = res->permeated_amount / Q0;
}
