/* Validation of the buried length of a pressed needle against Lam, Lee,
 * Shek, Pang 2008 ("Puncture depth and the mechanical stability of
 * microneedles", BIODEVICES 2008, abstract): steel needles pressed into pig
 * skin (and silicone rubber) are buried by less than 50 % of the nominal
 * insertion depth when that depth is below 1 mm (the skin deflects before
 * and while the needle enters). No constant was fitted to it
 * (tests/data/insertion_calibration.md, "Buried length").
 *
 * Model: the porcine_ear preset (pig skin: human layer mechanics, 1.3 mm on
 * cartilage), a single steel needle 1.5 mm long (the default 20 deg cone
 * sharpened onto shafts of 100 and 200 um), pressed at 1 mm/s by a nominal
 * insertion depth (stroke after contact) of 0.4, 0.6, 0.8 and 0.95 mm, so the
 * hub never lands. Check: buried length (penetration_depth, the depth of
 * the cut) below half the stroke, and the three deeper strokes puncture (so
 * that the check is not met by needles that never entered).
 * Outcome when written: 31 / 41 / 51 % (100 um) and 32 / 36 / 38 % (200 um)
 * at 0.6 / 0.8 / 0.95 mm, the 0.4 mm press does not puncture (tent 86 um).
 * Seven of the eight cases agree; the 100 um needle at 0.95 mm is buried by
 * 51 %, 1 point over Lam's bound: a marginal disagreement, stated and pinned
 * by the second test, so that the page shows it and a change of the model
 * that moves it is seen. Observed: the tent of the 100 um needle stops
 * growing at 120 um from 0.8 mm on while the 200 um needle's grows to
 * 147 um, so the thin needle's cut takes more of the further travel. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_errno.h>
#include <math.h>

#include "../../models/skin.h"
#include "insertion_fixture.h"

#define LAM_BURIED_FRACTION 0.5 /* [-] buried / nominal depth below 1 mm (Lam 2008) */

/* Buried fraction of the header's press with shaft diameter D [m] and
 * nominal depth `stroke` [m]; asserts puncture unless `may_miss`. */
static double buried_fraction(double D, double stroke, int may_miss)
{
    ns_params p;
    ns_params_default(&p);
    cr_assert(eq(int, ns_skin_preset("porcine_ear", &p.skin), NS_OK), "%s", ns_status_message());
    fx_ins_needle(&p, "microneedle_steel");
    p.needle.length = 1.5e-3;
    p.needle.base_diameter = D;
    p.applicator.stroke = stroke;
    p.applicator.force = 10.0;
    fx_ins_derive(&p);
    ns_ins_result r = fx_ins_run(&p);
    double f = r.penetration_depth / stroke;
    cr_log_info("D %.0f um, nominal %.2f mm: punctured %d, buried %.1f um (%.0f %%), tent %.1f um",
                1e6 * D, 1e3 * stroke, r.punctured, 1e6 * r.penetration_depth, 100.0 * f,
                1e6 * r.max_tenting);
    cr_assert(r.punctured == 1 || may_miss, "D %.3g m, nominal %.3g m: no puncture", D, stroke);
    cr_assert(r.energy_balance_error < 0.01, "energy balance %.3g", r.energy_balance_error);
    return f;
}

/* Every case of the header but the pinned one (second test). */
Test(insertion_validate_burial, lam2008_buried_below_half_of_nominal_depth, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    const double D[] = {100.0e-6, 200.0e-6}, stroke[] = {0.4e-3, 0.6e-3, 0.8e-3, 0.95e-3};
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 4; k++) {
            if (i == 0 && k == 3) continue; /* the pinned disagreement, below */
            double f = buried_fraction(D[i], stroke[k], k == 0);
            cr_assert(f < LAM_BURIED_FRACTION, "D %.3g m, nominal %.3g m: buried %.3f of the nominal depth",
                      D[i], stroke[k], f);
        }
}

/* The 100 um needle pressed 0.95 mm: buried 51 % (Lam: below 50 %). The
 * stated disagreement must still hold (buried >= 50 %) and stay marginal
 * (below 60 %); if it goes, update tests/data/insertion_calibration.md. */
Test(insertion_validate_burial, lam2008_buried_fraction_0p95mm_disagrees, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    double f = buried_fraction(100.0e-6, 0.95e-3, 0);
    cr_assert(f >= LAM_BURIED_FRACTION, "buried %.3f: the model now agrees with Lam's bound; update the "
                                        "calibration notes and make it part of the first test", f);
    cr_assert(f < 0.6, "buried %.3f: the disagreement is larger than stated (51 %%)", f);
}
