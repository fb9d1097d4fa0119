/* Validation of shaft friction and retraction (tip law T3,
 * models/insertion/tiplaw.h) against published retraction forces. No
 * constant was fitted to these cases: f_p (shaft_pressure_factor) is fitted
 * to the 21 % friction share of Barnett et al. 2015 (the calibration case,
 * tests/verify/verify_insertion_tiplaw.c, friction_share_barnett), the
 * friction coefficients come from the skin presets (models/skin.c). Outcome:
 * tests/data/insertion_calibration.md, "Friction and retraction".
 *
 * Lam, Lee, Shek, Pang 2008 ("Puncture depth and the mechanical stability of
 * microneedles", BIODEVICES 2008, abstract): steel needles inserted into pig
 * skin and retracted; the retraction force falls with the buried depth and
 * the needle diameter, and their analysis of the load data gives 0.1 mN for
 * a 100 um diameter needle buried 100 um, 1 % of the retraction force of a
 * conventional needle inserted 5 mm (hence about 10 mN). Both numbers are
 * rounded statements of an analysis, not raw data: the band is a factor 3
 * (half a decade) either way, set before the model was run.
 *
 * Skin: the forearm preset (porcine skin is the usual human surrogate; the
 * porcine_ear preset has the same layer mechanics, models/skin.c, but its
 * 1.3 mm over cartilage cannot hold a 5 mm burial). The burial is set by the
 * needle length: a single needle pressed at 1 mm/s with a 10 N cap until its
 * hub lands, so the tip ends at the needle length below the surface; then it
 * is withdrawn at once (hold 0) at 1 mm/s and retraction_force is the
 * largest pull. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_errno.h>
#include <math.h>

#include "insertion_fixture.h"

#define NS_PI 3.141592653589793
#define LAM_F_MICRO 1.0e-4 /* [N] 100 um diameter needle buried 100 um (Lam 2008) */
#define LAM_RATIO 0.01     /* [-] that force / the force of a needle inserted 5 mm */
#define LAM_BAND 3.0       /* [-] accepted factor either way (rounded, extrapolated data) */

/* The hub-landed single-needle press of the header: needle preset `name`
 * of length L [m]; for the microneedle also the shaft diameter D [m] and a
 * 60 deg cone (tip length 87 um at D = 100 um, so a 100 um burial is mostly
 * shaft-sized). */
static ns_params lam_case(const char *name, double L, double D)
{
    ns_params p;
    ns_params_default(&p);
    fx_ins_needle(&p, name);
    p.needle.length = L;
    if (D > 0.0) {
        p.needle.base_diameter = D;
        p.needle.tip_angle = 60.0 * NS_PI / 180.0;
    }
    p.applicator.force = 10.0;
    p.applicator.stroke = 15.0e-3;
    fx_ins_derive(&p);
    return p;
}

/* Run it; the tip must have punctured and be buried to the needle length
 * (within 5 %: the hub lands on the dimpled skin), with the energy balance
 * of the case within the 1 % of sim/invariants.c. */
static ns_ins_result lam_run(const ns_params *p)
{
    ns_ins_result r = fx_ins_run(p);
    double L = p->needle.length;
    cr_log_info("%s L %.3g mm D %.3g um: depth %.4g mm, retraction %.4g mN (friction at depth %.4g mN), "
                "mean shaft traction %.3g kPa, energy balance %.2g",
                p->needle.preset, 1e3 * L, 1e6 * p->needle.base_diameter, 1e3 * r.penetration_depth,
                1e3 * r.retraction_force, 1e3 * r.friction_force,
                1e-3 * r.retraction_force / ns_needle_shaft_area(&p->needle, r.penetration_depth),
                r.energy_balance_error);
    cr_assert(r.punctured == 1, "%s L = %.3g m did not puncture", p->needle.preset, L);
    cr_assert(r.energy_balance_error < 0.01, "%s: energy balance %.3g (the case is not valid)",
              p->needle.preset, r.energy_balance_error);
    cr_assert(fabs(r.penetration_depth / L - 1.0) <= 0.05, "%s: burial %.4g m, needle length %.4g m",
              p->needle.preset, r.penetration_depth, L);
    return r;
}

/* A conventional needle buried 5 mm: a 30G hypodermic (0.31 mm) 5 mm long.
 * Lam: 0.1 mN / 1 % = 10 mN; band 3.3-30 mN. Agrees (7.2 mN when written;
 * 7.15 mN with the torn epidermis of T3 and f_p refitted, 0.32). */
Test(insertion_validate_friction, lam2008_needle_5mm_retraction, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    ns_params p = lam_case("hypodermic_30g", 5.0e-3, 0.0);
    ns_ins_result r = lam_run(&p);
    double want = LAM_F_MICRO / LAM_RATIO;
    cr_assert(r.retraction_force >= want / LAM_BAND && r.retraction_force <= want * LAM_BAND,
              "5 mm 30G retraction %.4g mN outside %.3g-%.3g mN (Lam 2008: %.3g mN)",
              1e3 * r.retraction_force, 1e3 * want / LAM_BAND, 1e3 * want * LAM_BAND, 1e3 * want);
}

/* A 100 um diameter needle buried 100 um: Lam 0.1 mN, band 0.033-0.3 mN.
 * DISAGREES: the model gives 0.58 mN (5.8 x; 1.09 mN, 11 x, before T3 let
 * the stiff, brittle epidermis tear). A stiff layer's wedged slit tears on
 * until its energy release rate falls to the toughness, so the SC and VE
 * press on the shaft with psi 2 G_c / (pi r), set by their toughness (8 and
 * 10 J/m^2): about 100 and 120 kPa at r = 50 um, a traction mu p of 39 and
 * 24 kPa, against 385 and 200 kPa of untorn slits; the dermis (4 mm
 * elasto-fracture length) does not tear and keeps its 8 kPa. A 100 um
 * burial lies mostly in the 75 um epidermis, so the model's mean traction
 * is 27 kPa where Lam's figure implies 3.2 kPa: the torn-slit pressure of
 * the epidermis still carries the pull. What is left out and would lower
 * it further: the inelastic opening of the torn SC (its hole stays open,
 * the channel model's open fraction 0.7) and the substrate constraint of a
 * torn film. The test asserts the disagreement (between 3 x and 15 x),
 * stated in tests/data/insertion_calibration.md and the README, so that a
 * change of T3 that removes it (or makes it worse) is seen and the statement
 * updated; no constant was changed to meet this case. */
Test(insertion_validate_friction, lam2008_microneedle_retraction_disagrees, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    ns_params p = lam_case("microneedle_steel", 100.0e-6, 100.0e-6);
    ns_ins_result r = lam_run(&p);
    double ratio = r.retraction_force / LAM_F_MICRO;
    cr_log_info("100/100 um: model / Lam = %.3g (band %.3g-%.3g)", ratio, 1.0 / LAM_BAND, LAM_BAND);
    cr_assert(ratio > LAM_BAND, "100 um needle buried 100 um: retraction %.4g mN now within %.3gx of "
                                "Lam's 0.1 mN: update insertion_calibration.md and README (agrees)",
              1e3 * r.retraction_force, LAM_BAND);
    cr_assert(ratio < 5.0 * LAM_BAND, "retraction %.4g mN, %.3g x Lam's 0.1 mN: worse than stated",
              1e3 * r.retraction_force, ratio);
}

/* Lam: the retraction force falls as the buried depth and the needle
 * diameter fall. Model: 100 um needles buried 100, 150, 200 um, a 200 um
 * needle buried 200 um and the 5 mm 30G: strictly rising along the burial,
 * and with the diameter at 200 um. */
Test(insertion_validate_friction, lam2008_retraction_rises_with_depth_and_diameter, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    const double L[] = {100.0e-6, 150.0e-6, 200.0e-6};
    double prev = 0.0;
    for (int i = 0; i < 3; i++) {
        ns_params p = lam_case("microneedle_steel", L[i], 100.0e-6);
        ns_ins_result r = lam_run(&p);
        cr_assert(r.retraction_force > prev, "burial %.3g m: retraction %.4g N <= %.4g N shallower", L[i],
                  r.retraction_force, prev);
        prev = r.retraction_force;
    }
    ns_params q = lam_case("microneedle_steel", 200.0e-6, 200.0e-6);
    ns_ins_result rq = lam_run(&q);
    cr_assert(rq.retraction_force > prev, "200 um needle: %.4g N <= %.4g N of the 100 um needle",
              rq.retraction_force, prev);
    ns_params h = lam_case("hypodermic_30g", 5.0e-3, 0.0);
    ns_ins_result rh = lam_run(&h);
    cr_assert(rh.retraction_force > rq.retraction_force, "5 mm 30G: %.4g N <= %.4g N at 200 um",
              rh.retraction_force, rq.retraction_force);
}
