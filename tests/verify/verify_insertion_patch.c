/* Finite patches (models/insertion/patch.c, eqs. R1-R2) and the invariants
 * of the skin response (models/insertion.h: foundation lock-up, force cap,
 * energy balance). Default skin: forearm preset. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_errno.h>
#include <float.h>
#include <math.h>

#include "../../models/skin.h"
#include "insertion_fixture.h"

/* Rings of a 200-needle patch at 200 /cm^2 under 10 N: the fractions sum to
 * 1 and the load shares average to 1 (eq. R2, exact in arithmetic); the edge
 * ring, held by the skin around the patch, carries more than the centre;
 * only the edge ring punctures (its needles carry 3.8 x the mean load, the
 * centre 0.13 x), so the punctured fraction is the edge fraction, strictly
 * between 0 and 1, and the depth percentiles bracket the mean. */
Test(insertion_patch, centre_and_edge_rings, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    ns_params p = fx_ins_patch(200.0, 200.0, 10.0);
    ns_ins_result mean = fx_ins_run(&p);
    ns_ins_patch_result pr;
    cr_assert(eq(int, ns_ins_patch_solve(&p, &mean, &pr), NS_OK), "%s", ns_status_message());
    cr_assert(eq(sz, pr.n_rings, 2));
    double fsum = pr.ring_fraction[0] + pr.ring_fraction[1];
    double share = pr.ring_fraction[0] * pr.ring_share[0] + pr.ring_fraction[1] * pr.ring_share[1];
    cr_assert(ieee_ulp_eq(dbl, fsum, 1.0, 4), "fractions sum to %.17g", fsum);
    cr_assert(epsilon_eq(dbl, share, 1.0, 8 * DBL_EPSILON), "mean share %.17g", share);
    cr_assert(pr.ring_share[1] > pr.ring_share[0], "edge share %.3g <= centre %.3g", pr.ring_share[1],
              pr.ring_share[0]);
    cr_log_info("fractions %.3f %.3f shares %.3f %.3f punctured %d %d depth %.4g %.4g m",
                pr.ring_fraction[0], pr.ring_fraction[1], pr.ring_share[0], pr.ring_share[1],
                pr.ring[0].punctured, pr.ring[1].punctured, pr.ring[0].penetration_depth,
                pr.ring[1].penetration_depth);
    cr_assert(pr.ring[0].punctured == 0 && pr.ring[1].punctured == 1,
              "centre %d, edge %d punctured (expected only the edge)", pr.ring[0].punctured,
              pr.ring[1].punctured);
    cr_assert(ieee_ulp_eq(dbl, pr.punctured_fraction, pr.ring_fraction[1], 4));
    cr_assert(pr.punctured_fraction > 0.0 && pr.punctured_fraction < 1.0);
    cr_assert(pr.depth_p10 <= pr.depth_mean && pr.depth_mean <= pr.depth_p90,
              "p10 %.4g, mean %.4g, p90 %.4g m", pr.depth_p10, pr.depth_mean, pr.depth_p90);
    /* a single needle is one ring: the mean solve */
    p = fx_ins_patch(1.0, 200.0, 10.0);
    p.array.layout = NS_LAYOUT_SINGLE;
    mean = fx_ins_run(&p);
    cr_assert(eq(int, ns_ins_patch_solve(&p, &mean, &pr), NS_OK), "%s", ns_status_message());
    cr_assert(eq(sz, pr.n_rings, 1));
    cr_assert(eq(dbl, pr.punctured_fraction, mean.punctured ? 1.0 : 0.0));
    cr_assert(eq(dbl, pr.depth_mean, mean.punctured ? mean.penetration_depth : 0.0));
}

/* Invariants over applicators and patch sizes (models/insertion.h): the tent
 * never reaches the stack thickness (the fat locks up, eq. F2), the total
 * force of a press never exceeds its cap by more than the event tolerance
 * (1e-5 relative: the cap is located by at most 30 Illinois iterations on the
 * step size; 2.1e-6 measured at 1000 /cm^2),
 * and the energy balance holds within 1 %. The 10 N press of 100 needles at
 * 100 /cm^2 with a 638.5 um needle of tip radius 10.53 um (inputs/
 * sensitivity.ini case 57) reached 40.5 N before the events were taken in
 * time order. */
Test(insertion_patch, invariants_deflection_force_energy, .timeout = 120.0)
{
    gsl_set_error_handler_off();
    ns_params p0 = fx_ins_patch(1.0, 1.0, 1.0);
    double H = ns_skin_total_thickness(&p0.skin);
    const double n_cm2[] = {10.0, 100.0, 1000.0};
    for (int m = 0; m < 2; m++)
        for (int i = 0; i < 3; i++) {
            ns_params p = fx_ins_patch(n_cm2[i], n_cm2[i], 10.0);
            if (m == 1) {
                p.applicator.mode = NS_APPLICATOR_IMPACT;
                p.applicator.speed = 3.0;
                p.applicator.mass = 20.0e-3;
            }
            ns_ins_result r = fx_ins_run(&p);
            cr_log_info("mode %d, %g /cm2: tent %.4g m, total force %.4g N, energy %.3g", m,
                        n_cm2[i], r.max_tenting, r.total_force, r.energy_balance_error);
            cr_assert(r.max_tenting < H, "tent %.4g m >= stack %.4g m", r.max_tenting, H);
            cr_assert(r.energy_balance_error < 0.01, "energy balance %.3g", r.energy_balance_error);
            /* the cap event is located on a step whose Newton tolerance (1e-3
             * ins_rtol of the 8 mm deflection scale, ~1e-9 m) times the contact
             * stiffness leaves ~4e-7 N of the 0.01 N per needle: 4e-5 */
            if (m == 0) cr_assert(r.total_force <= 10.0 * (1.0 + 1e-4), "total force %.12g N", r.total_force);
        }
    ns_params p = fx_ins_patch(100.0, 100.0, 10.0);
    p.needle.length = 638.52e-6;
    p.needle.tip_radius = 10.53e-6;
    p.skin.layer[NS_LAYER_SC].toughness = 3.382;
    p.skin.layer[NS_LAYER_DERMIS].youngs_modulus = 153392.0;
    ns_ins_result r = fx_ins_run(&p);
    cr_assert(r.total_force <= 10.0 * (1.0 + 1e-5), "case 57: total force %.6g N under a 10 N cap",
              r.total_force);
}

/* Roller (models/insertion/roller.c, eqs. D1-D2): the drum sinks into the
 * skin under the hand force before the needles roll in, so the hand force
 * changes the insertion (before, the drum rode on undeformed skin and the
 * same depth came out from 1 to 40 N). MF8-type drum (192 of the default
 * microneedles made 1.5 mm long, 1 cm radius, 2 cm/s): 10 N goes deeper than 1 N (measured
 * 178 -> 456 um), and the depth never falls as the hand force grows (at 40 N
 * the drum carries the skin over the whole arc of the needle: 456 um). */
Test(insertion_patch, roller_hand_force_changes_depth, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    const double F[] = {1.0, 10.0, 40.0};
    double d[3];
    for (int i = 0; i < 3; i++) {
        ns_params p;
        ns_params_default(&p);
        p.array.layout = NS_LAYOUT_ROLLER;
        p.array.count = 192;
        p.array.density = 2.5e6;
        p.array.pitch = NAN;
        p.needle.length = 1.5e-3;
        p.applicator.mode = NS_APPLICATOR_ROLLER;
        p.applicator.speed = 0.02;
        p.applicator.drum_radius = 1.0e-2;
        p.applicator.force = F[i];
        fx_ins_derive(&p);
        ns_ins_result r = fx_ins_run(&p);
        d[i] = r.penetration_depth;
        cr_log_info("roller %g N: punctured %d, depth %.4g m, energy %.3g", F[i], r.punctured, d[i],
                    r.energy_balance_error);
        cr_assert(r.energy_balance_error < 0.01);
    }
    cr_assert(d[1] > d[0], "depth %.4g m at 1 N, %.4g m at 10 N", d[0], d[1]);
    cr_assert(d[2] >= d[1], "depth %.4g m at 40 N < %.4g m at 10 N", d[2], d[1]);
}

/* The base plate (hub) of a single needle covers R_b <= r <= R_p = 10 R_b,
 * and its outer edge lies on a control-volume face (ns_tent_create_fitted).
 * Before, the edge snapped to the nearest face, half a cell either way, and
 * the hub-landing force of a 250 um steel microneedle pressed with 1 N at
 * 1 mm/s (relaxing forearm skin) went up and down with the grid: no puncture
 * at ins_n_r 80 and 120 (plate area 7 % and 6 % too large: 0.0364 and
 * 0.0369 N needle force, below F_c = 0.0372 N), puncture at 100, 140, 160
 * and 320 (depths 95-104 um). Grid independence: at 80, 120 and 240 points
 * the needle punctures and the depths agree to 1 % (measured 98.64, 98.53,
 * 98.46 um; the peak force 0.04057, 0.04052, 0.04050 N). */
Test(insertion_patch, hub_edge_grid_independent, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    size_t n_r[] = {80, 120, 240};
    double d[3], F[3];
    for (int i = 0; i < 3; i++) {
        ns_params p;
        ns_params_default(&p);
        fx_ins_needle(&p, "microneedle_steel");
        p.needle.length = 250.0e-6;
        p.needle.tip_angle = NAN; /* the cone runs from the tip to the base */
        p.applicator.stroke = 10.0e-3;
        p.applicator.force = 1.0;
        p.numerics.ins_n_r = n_r[i];
        fx_ins_derive(&p);
        ns_ins_result r = fx_ins_run(&p);
        cr_log_info("n_r %zu: punctured %d, depth %.3f um, peak force %.5f N, travel %.4f mm", n_r[i],
                    r.punctured, 1e6 * r.penetration_depth, r.max_force, 1e3 * r.max_travel);
        cr_assert(r.punctured == 1, "n_r = %zu: the 250 um needle did not puncture (peak %.4g N)",
                  n_r[i], r.max_force);
        d[i] = r.penetration_depth;
        F[i] = r.max_force;
    }
    for (int i = 1; i < 3; i++) {
        cr_assert(fabs(d[i] - d[0]) <= 0.01 * d[0], "depth %.4g m at n_r %zu vs %.4g m at 80", d[i],
                  n_r[i], d[0]);
        cr_assert(fabs(F[i] - F[0]) <= 0.01 * F[0], "peak force %.4g N at n_r %zu vs %.4g N at 80",
                  F[i], n_r[i], F[0]);
    }
}
