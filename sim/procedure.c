/* The procedure layer of a case (see procedure.h): maps the models of
 * models/procedure.h and models/clinical.h onto the result registry. */
#include "procedure.h"

#include <math.h>

#include "../models/clinical.h"
#include "../models/needle.h"
#include "../models/procedure.h"
#include "../models/units.h"

/* Wound radius at the skin surface: the needle's radius at the distance from
 * the tip equal to the tissue depth. */
static double wound_radius(const ns_params *p, const ns_ins_result *ins)
{
    double d = ins->punctured ? ins->penetration_depth : 0.0;
    return d > 0.0 ? ns_needle_radius_at(&p->needle, d) : 0.0;
}

static ns_status eval(const ns_params *p, const ns_ins_result *ins, const ns_channel_geom *ch,
                      ns_proc_result *pr)
{
    return ns_proc_eval(p, wound_radius(p, ins), ch->open ? ch->radius_surface : 0.0, pr);
}

ns_status ns_case_procedure_transport(const ns_params *p, const ns_ins_result *ins,
                                      const ns_channel_geom *ch, ns_params *q)
{
    *q = *p;
    if (p->procedure.device == NS_DEVICE_NONE || !ch->open) return NS_OK;
    ns_proc_result pr;
    NS_TRY(eval(p, ins, ch, &pr));
    q->array.layout = NS_LAYOUT_HEXAGONAL; /* the equal-area disc of any lattice */
    q->array.density = pr.channel_density;
    q->array.pitch = sqrt(2.0 / (sqrt(3.0) * pr.channel_density));
    return NS_OK;
}

/* eq. (4) of clinical.h for a site with occlusion `occluded`: channel
 * geometry of the same insertion with that flag. */
static ns_status open_area_time(const ns_params *p, const ns_ins_result *ins, int occluded,
                                double n_ch, double *out)
{
    ns_params pp = *p;
    pp.channel.occluded = occluded;
    ns_channel_geom g;
    NS_TRY(ns_channel_eval(&pp, ins, &g));
    double a = g.open ? g.radius_surface : 0.0;
    *out = n_ch * NS_PI * a * a * ns_clin_open_time(&g);
    return NS_OK;
}

/* The device as far as it made channels: a stamp's punctures are its
 * needles that punctured, punctured_fraction x array.density (a finite
 * patch's edge ring may stay on the skin, models/insertion/patch.c), the
 * density the transport already sees (sim/patch.h); rollers and pens keep
 * their strokes. */
static ns_params punctured_device(const ns_params *p, const ns_case_result *r)
{
    ns_params q = *p;
    double f = r->scalar[NS_R_PUNCTURED_FRACTION];
    if (p->procedure.device == NS_DEVICE_STAMP && f >= 0.0 && f <= 1.0)
        q.array.density = p->array.density * f;
    return q;
}

ns_status ns_case_procedure_results(const ns_params *p, const ns_ins_result *ins,
                                    const ns_channel_geom *ch, ns_case_result *r)
{
    if (p->procedure.device == NS_DEVICE_NONE) return NS_OK;
    double *s = r->scalar;
    ns_proc_result pr;
    ns_params made = punctured_device(p, r);
    NS_TRY(eval(&made, ins, ch, &pr));
    double d = ins->punctured ? ins->penetration_depth : 0.0;

    s[NS_R_DEPTH_SETTING] =
        p->applicator.mode == NS_APPLICATOR_PEN ? p->applicator.depth_setting : p->needle.length;
    s[NS_R_MAX_TISSUE_DEPTH] = d;
    ns_proc_depth_spread(p, d, &s[NS_R_DEPTH_MEAN], &s[NS_R_DEPTH_P10], &s[NS_R_DEPTH_P90]);
    /* A stamp on a flat site: the insertion's own spread over the finite
     * patch (centre and edge rings), when the insertion model gives one. */
    if (p->procedure.device == NS_DEVICE_STAMP && isnan(p->procedure.site_radius) &&
        isfinite(s[NS_R_PENETRATION_DEPTH_MEAN])) {
        s[NS_R_DEPTH_MEAN] = s[NS_R_PENETRATION_DEPTH_MEAN];
        s[NS_R_DEPTH_P10] = s[NS_R_PENETRATION_DEPTH_P10];
        s[NS_R_DEPTH_P90] = s[NS_R_PENETRATION_DEPTH_P90];
    }
    s[NS_R_PUNCTURE_DENSITY_PER_PASS] = pr.density_per_pass;
    s[NS_R_PUNCTURE_DENSITY] = pr.density;
    s[NS_R_PUNCTURE_RATE] = pr.rate;
    s[NS_R_REHIT_FRACTION] = pr.rehit_fraction;
    s[NS_R_CHANNEL_DENSITY] = pr.channel_density;
    s[NS_R_COVERAGE] = pr.coverage;
    s[NS_R_SPACING_MEAN] = pr.spacing_mean;
    s[NS_R_SPACING_P10] = pr.spacing_p10;
    s[NS_R_SPACING_P90] = pr.spacing_p90;
    s[NS_R_PUNCTURES] = pr.punctures;
    s[NS_R_PROCEDURE_DURATION] = pr.duration;

    int early = 0;
    ns_proc_sessions(p, ch, &s[NS_R_RESIDUAL_OPEN_FRACTION], &early);
    s[NS_R_EARLY_SESSION] = early;
    double dose = s[NS_R_PERMEATED_AMOUNT] + s[NS_R_SKIN_AMOUNT];
    s[NS_R_SESSION_DOSE] = dose;
    s[NS_R_TREATMENT_DOSE] = dose * p->procedure.sessions;

    double ps = ns_clin_strike_probability(p, d);
    s[NS_R_STRIKE_PROBABILITY] = ps;
    s[NS_R_BLEEDING_POINTS] = ps * pr.channel_density;
    int extrapolated = 0;
    s[NS_R_PAIN_INDEX] = ns_clin_pain_index(d, ns_clin_needles_at_once(p, d), &extrapolated);
    s[NS_R_PAIN_EXTRAPOLATED] = extrapolated;
    NS_TRY(open_area_time(p, ins, 0, pr.channel_density, &s[NS_R_OPEN_AREA_TIME]));
    NS_TRY(open_area_time(p, ins, 1, pr.channel_density, &s[NS_R_OPEN_AREA_TIME_OCCLUDED]));
    return NS_OK;
}
