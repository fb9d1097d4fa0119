/* The channel-radius profile in transport (models/channel.h, "Profile
 * table"): the open fraction steps at the base of the stratum corneum (0.7
 * of the needle radius above it, 0.3 below on the forearm preset), and the
 * table samples both sides of every interface.
 *
 * Case: a needle with a cylindrical shaft (200 um base diameter, 60 deg cone
 * tapering over 173 um, 1 mm long), so every penetration deeper than the
 * taper leaves the same mouth, 70 um in radius; the default forearm skin and
 * caffeine vehicle (infinite dose), 100 /cm2, 24 h. The needle length is the
 * same for every depth, so the closure half-lives are too: only the channel
 * depth changes. A deeper channel with the same mouth adds channel below it
 * and takes nothing away, so the permeated amount (and the enhancement over
 * the one intact baseline) must rise with the depth. With the old table of 64
 * equal depths the SC part of the channel narrowed over one spacing
 * d_ch / 63, longer for a deeper channel, and the amount fell with depth
 * (1.85 against 2.18 enhancement between 1 mm and 600 um needles in
 * scripts/validate.py's enhancement-versus-length case). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../../models/needle.h"
#include "../../models/skin.h"
#include "diffusion_fixture.h"
#include "dose_fixture.h"

static void shaft_needle(ns_params *p)
{
    p->needle.shape = NS_SHAPE_CONICAL;
    p->needle.length = 1e-3;
    p->needle.base_diameter = 200e-6;
    p->needle.tip_angle = 60.0 * NS_DEG;
}

/* The same on 192 depth cells: see deeper_channel_same_mouth_delivers_more. */
static void shaft_needle_fine(ns_params *p)
{
    shaft_needle(p);
    p->numerics.diff_n_z = 192;
}

/* Both sides of the SC base are in the table: the SC rows of the channel
 * have exactly phi_SC r_n, the first rows below phi_VE r_n (eq. 2), and the
 * table's depths do not decrease. */
Test(dose_profile, interface_sampled_on_both_sides)
{
    ns_params p = dose_default_case(100.0 / NS_CM2, shaft_needle);
    ns_channel_geom ch = dose_channel(&p, 612.3e-6);
    double h = p.skin.layer[NS_LAYER_SC].thickness, d = ch.depth;
    double R_b = 0.5 * p.needle.base_diameter;
    double phi_sc = p.skin.layer[NS_LAYER_SC].open_fraction;
    double phi_ve = p.skin.layer[NS_LAYER_VE].open_fraction;
    for (size_t k = 0; k + 1 < ch.n; k++)
        cr_assert(ch.z[k + 1] >= ch.z[k], "z[%zu] = %.9g > z[%zu] = %.9g m", k, ch.z[k], k + 1,
                  ch.z[k + 1]);
    const double above[3] = {0.0, 0.5 * h, h * (1.0 - 1e-9)};
    for (size_t i = 0; i < 3; i++) {
        double r = ns_channel_radius_at(&ch, above[i], 0.0);
        cr_expect(fabs(r - phi_sc * R_b) <= 1e-14 * R_b, "z = %.6g m (SC): r %.15g vs %.15g",
                  above[i], r, phi_sc * R_b);
    }
    /* The shaft radius is reached 173 um from the tip: R_b down to d_pen - 173 um. */
    const double below[3] = {h, h * (1.0 + 1e-9), 0.3 * d};
    for (size_t i = 0; i < 3; i++) {
        double r = ns_channel_radius_at(&ch, below[i], 0.0);
        cr_expect(fabs(r - phi_ve * R_b) <= 1e-14 * R_b, "z = %.6g m (VE): r %.15g vs %.15g",
                  below[i], r, phi_ve * R_b);
    }
}

/* Permeated amount rises strictly with the channel depth at a fixed mouth,
 * for 6 depths; the intact baseline is the same for all, so the enhancement
 * ratio does too. Past the SC the gain is small (enhancement 14.9 at 227 um
 * to 15.1 at 812 um, 0.06-0.8 % per step), below the depth-grid error of the
 * fixture's 48 cells (Q differs by 1.0-1.6 % between 48 and 192 cells; on 48
 * cells the 632 um channel came out 0.1 % below the 497 um one), so this test
 * uses 192 cells. On 128 cells the time-converged amounts (diff_rtol 1e-6)
 * fall by 2.6e-5 from the 632 um to the 812 um channel; the rise of 0.06 %
 * per step seen there at the default diff_rtol was the step's time error,
 * which grew with the depth (0.4-0.7 % before the channel block of
 * models/diffusion/adi.c). On 192 cells they rise at every step, time-converged
 * (by 4.9e-5 from 632 to 812 um) and at the default diff_rtol (1.4e-5).
 * The steps landing on the closing wall's passages of cell faces (adi.c)
 * moved the 632 um case by +5.8e-5 at the default diff_rtol 2e-4 (within
 * its tolerance; 812 um +2.6e-6), above that rise, so the test runs at
 * diff_rtol 2e-5, 5e-6 and 2e-6 from the time-converged (1e-6) amounts.
 * The old equal-depth table failed by far more: 14.97, 13.93, 12.35,
 * 15.09, 11.59, 14.22 for the six depths (48 cells). */
Test(dose_profile, deeper_channel_same_mouth_delivers_more, .timeout = 120.0)
{
    ns_params p = dose_default_case(100.0 / NS_CM2, shaft_needle_fine);
    p.numerics.diff_rtol = 2e-5;
    const double d_pen[6] = {250e-6, 350e-6, 450e-6, 550e-6, 700e-6, 900e-6};
    double t = p.transport.duration, Q[6], mouth0 = NAN;
    ns_diff_result base;
    dose_solve(&p, NULL, &t, 1, NULL, NULL, &base);
    for (size_t i = 0; i < 6; i++) {
        ns_channel_geom ch = dose_channel(&p, d_pen[i]);
        if (i == 0) mouth0 = ch.radius_surface;
        cr_assert(fabs(ch.radius_surface - mouth0) <= 1e-14 * mouth0, "mouth %.15g vs %.15g m",
                  ch.radius_surface, mouth0);
        ns_diff_result res;
        dose_solve(&p, &ch, &t, 1, NULL, NULL, &res);
        Q[i] = res.permeated_amount;
        cr_log_info("penetration %.0f um, channel %.0f um: Q(24 h) %.6g kg/m2, enhancement %.4g",
                    d_pen[i] / NS_UM, ch.depth / NS_UM, Q[i], Q[i] / base.permeated_amount);
        cr_expect(res.mass_balance_error < 1e-9, "balance %.3e", res.mass_balance_error);
    }
    for (size_t i = 0; i + 1 < 6; i++)
        cr_expect(Q[i + 1] > Q[i], "deeper channel, less drug: %.0f um %.6g, %.0f um %.6g kg/m2",
                  d_pen[i] / NS_UM, Q[i], d_pen[i + 1] / NS_UM, Q[i + 1]);
}
