/* The continuum insertion (models/continuum.h, insertion.model = continuum)
 * on a press of one sharp steel microneedle (tip radius 2.13 um) into the
 * forearm stack, on a coarse grid (refine 0.5) to stay lean: the puncture
 * event at tip law T1's force (models/insertion/tiplaw.h), the same force
 * as the fast model's puncture (both models puncture by one law), the
 * energy balance of the whole cycle (loading, puncture, penetration,
 * withdrawal), the invariants of the result; and the same press on the
 * default grid (refine 1) through puncture and penetration, which before
 * the continuous contact rims and the disk loads of the cut stopped with
 * NS_ECONV after puncture; a pen stroke through puncture and back. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_errno.h>
#include <math.h>

/* Criterion's assertion macros trip -Wconversion on their bit-field flags. */
#pragma GCC diagnostic ignored "-Wconversion"

#include "../../models/continuum.h"
#include "../../models/defaults.h"
#include "../../models/insertion.h"
#include "../../models/insertion/tiplaw.h"
#include "../../models/needle.h"

static ns_params press_case(void)
{
    ns_params p;
    ns_params_default(&p);
    p.applicator.mode = NS_APPLICATOR_PRESS;
    p.applicator.force = 5.0;
    p.applicator.stroke = 0.6e-3; /* stroke-limited: past puncture (about 0.42 mm), before the hub lands */
    p.needle.tip_radius = 2.13e-6; /* sharp: F_c of T1 about 14 mN, punctured within the stroke */
    p.insertion.model = NS_INS_MODEL_CONTINUUM;
    cr_assert(eq(int, ns_params_derive(&p), NS_OK));
    return p;
}

Test(continuum_insertion, press_cycle_invariants)
{
    gsl_set_error_handler_off();
    ns_params p = press_case();
    ns_cont *c = NULL;
    ns_ins_result r;
    ns_ins_input in;
    ns_ins_input_init(&in, &p);
    cr_assert(eq(int, ns_cont_create_refined(&in, 0.5, &c), NS_OK));
    ns_status st = ns_cont_solve(c, &r);
    cr_assert(eq(int, st, NS_OK), "solve: %s", ns_status_message());
    /* eq. (C10): tip law T1 of the surface layer at the press speed */
    double Fc = ns_tip_case_puncture_force(&p.needle, &p.skin.layer[0], &p.insertion,
                                           p.applicator.speed);
    cr_log_info("continuum press: puncture %.5g N at %.4g mm (F_c %.5g N), depth %.1f um, layer %d, "
                "max force %.4g N, tenting %.3f mm, energy error %.2e, fracture %.3g J, friction %.3g J, "
                "%zu steps, %zu dofs",
                r.puncture_force, 1e3 * r.puncture_displacement, Fc, 1e6 * r.penetration_depth,
                r.deepest_layer, r.max_force, 1e3 * r.max_tenting, r.energy_balance_error,
                r.fracture_energy, r.friction_energy, r.steps, ns_cont_dofs(c));
    cr_assert(r.punctured == 1);
    /* located to the event tolerance 1e-3 of F_c */
    cr_assert(r.puncture_force >= Fc && r.puncture_force <= Fc * (1.0 + 2e-3),
              "puncture force %.6g N, F_c %.6g N", r.puncture_force, Fc);
    /* The friction energy is the work of the shaft loads on the slip and the
     * tip stays on the front while the tissue unloads (eq. C12): measured
     * 1.92e-2 at refine 0.5 when written (7.7e-2 before, when the front load
     * was dropped at the reversal and friction was the residual). Not the
     * 1 % target: the front load sits on the tip's section while the
     * kinematic condition follows the axis node. The bound is 1.5 x the
     * measured error. */
    cr_assert(r.energy_balance_error < 0.03, "energy balance error %.3e", r.energy_balance_error);
    cr_assert(r.penetration_depth > 0.0 && r.penetration_depth <= p.needle.length);
    cr_assert(r.penetration_depth < r.max_travel, "depth %.4g m, travel %.4g m",
              r.penetration_depth, r.max_travel);
    cr_assert(r.fracture_energy > 0.0 && r.friction_energy > 0.0);
    /* negative needle force only while withdrawing (friction), never in loading */
    ns_ins_history h = ns_cont_get_history(c);
    size_t k_max = 0;
    for (size_t k = 0; k < h.n; k++)
        if (h.travel[k] > h.travel[k_max]) k_max = k;
    for (size_t k = 0; k <= k_max; k++)
        cr_assert(h.force[k] >= 0.0, "loading force %.4g N at travel %.4g m", h.force[k], h.travel[k]);
    /* eq. (C12): at the first withdrawal step the tip still rests on the
     * unloading front, so the tissue pushes on the needle (the force falls
     * continuously from its peak, not to -F_fric at once) */
    cr_assert(k_max + 1 < h.n && h.force[k_max + 1] > 0.0 && h.force[k_max + 1] < h.force[k_max],
              "first withdrawal force %.4g N after %.4g N", h.force[k_max + 1], h.force[k_max]);
    cr_assert(h.force[h.n - 1] <= 0.0, "withdrawal ends with friction or no force, %.4g N",
              h.force[h.n - 1]);
    ns_cont_destroy(&c);
    cr_assert(c == NULL);
    /* the fast model punctures by the same law T1: the same force, each
     * located to its own event tolerance (continuum 1e-3 of F_c) */
    p.insertion.model = NS_INS_MODEL_FAST;
    ns_ins_input_init(&in, &p);
    ns_ins *f = NULL;
    ns_ins_result rf;
    cr_assert(eq(int, ns_ins_create(&in, &f), NS_OK));
    cr_assert(eq(int, ns_ins_solve(f, &rf), NS_OK), "fast solve: %s", ns_status_message());
    ns_ins_destroy(&f);
    cr_assert(rf.punctured == 1);
    cr_assert(fabs(rf.puncture_force / r.puncture_force - 1.0) < 3e-3,
              "fast puncture %.6g N, continuum %.6g N", rf.puncture_force, r.puncture_force);
}

/* The default grid (refine 1, about 2300 dofs) through puncture and
 * penetration into the dermis: converged at every step. */
Test(continuum_insertion, default_grid_press_through_penetration, .timeout = 300.0)
{
    gsl_set_error_handler_off();
    ns_params p = press_case();
    ns_cont *c = NULL;
    ns_ins_result r;
    ns_ins_input in;
    ns_ins_input_init(&in, &p);
    cr_assert(eq(int, ns_cont_create(&in, &c), NS_OK));
    ns_status st = ns_cont_solve(c, &r);
    cr_assert(eq(int, st, NS_OK), "solve: %s", ns_status_message());
    cr_log_info("continuum press, default grid: puncture %.5g N at %.4g mm, depth %.1f um, layer %d, "
                "%zu steps, %zu dofs",
                r.puncture_force, 1e3 * r.puncture_displacement, 1e6 * r.penetration_depth,
                r.deepest_layer, r.steps, ns_cont_dofs(c));
    cr_assert(r.punctured == 1);
    cr_assert(r.penetration_depth > p.skin.layer[0].thickness + p.skin.layer[1].thickness,
              "depth %.4g m: not into the dermis", r.penetration_depth);
    cr_assert(r.penetration_depth < r.max_travel);
    ns_cont_destroy(&c);
}

/* A pen stroke (100 Hz, depth setting 0.5 mm, the cartridge face a fixed
 * ring) through puncture and back: it stopped with NS_ECONV before the face
 * reached past the domain edge and the penalty followed the local spacing
 * (models/continuum/newton.c); energy balance as the press's. */
Test(continuum_insertion, pen_cycle_through_puncture, .timeout = 300.0)
{
    gsl_set_error_handler_off();
    ns_params p = press_case();
    p.applicator.mode = NS_APPLICATOR_PEN;
    p.applicator.frequency = 100.0;
    p.applicator.depth_setting = 0.5e-3;
    cr_assert(eq(int, ns_params_derive(&p), NS_OK));
    ns_cont *c = NULL;
    ns_ins_result r;
    ns_ins_input in;
    ns_ins_input_init(&in, &p);
    cr_assert(eq(int, ns_cont_create_refined(&in, 0.5, &c), NS_OK));
    ns_status st = ns_cont_solve(c, &r);
    cr_assert(eq(int, st, NS_OK), "solve: %s", ns_status_message());
    cr_log_info("continuum pen: puncture %.5g N at %.4g mm, depth %.1f um, energy error %.2e, "
                "%zu steps",
                r.puncture_force, 1e3 * r.puncture_displacement, 1e6 * r.penetration_depth,
                r.energy_balance_error, r.steps);
    cr_assert(r.punctured == 1);
    cr_assert(r.penetration_depth > 0.0 && r.penetration_depth < r.max_travel);
    cr_assert(r.energy_balance_error < 0.03, "energy balance error %.3e", r.energy_balance_error);
    ns_cont_destroy(&c);
}

/* The default 10 um tip on the default grid tents the surface through the
 * whole 0.6 mm stroke without reaching T1's force: the header recorded NS_ECONV
 * beyond about 0.4 mm of tenting before the modified Newton and the local
 * contact penalty (CHANGELOG). Known limit: on the coarse grid (refine 0.5)
 * Newton still stagnates under this tip. Quasi-static, no cut: the balance
 * is the trapezoid's. */
Test(continuum_insertion, blunt_tip_press_tents_without_stall, .timeout = 300.0)
{
    gsl_set_error_handler_off();
    ns_params p = press_case();
    p.needle.tip_radius = 10e-6;
    cr_assert(eq(int, ns_params_derive(&p), NS_OK));
    ns_cont *c = NULL;
    ns_ins_result r;
    ns_ins_input in;
    ns_ins_input_init(&in, &p);
    cr_assert(eq(int, ns_cont_create(&in, &c), NS_OK));
    ns_status st = ns_cont_solve(c, &r);
    cr_assert(eq(int, st, NS_OK), "solve: %s", ns_status_message());
    double Fc = ns_tip_case_puncture_force(&p.needle, &p.skin.layer[0], &p.insertion,
                                           p.applicator.speed);
    cr_log_info("continuum press, 10 um tip: max force %.4g N (F_c %.4g N), tenting %.3f mm, "
                "punctured %d, energy error %.2e, %zu steps",
                r.max_force, Fc, 1e3 * r.max_tenting, r.punctured, r.energy_balance_error, r.steps);
    cr_assert(r.max_travel >= p.applicator.stroke * (1.0 - 1e-9), "travel %.4g m", r.max_travel);
    cr_assert(r.punctured == (r.max_force >= Fc));
    cr_assert(r.energy_balance_error < 0.01, "energy balance error %.3e", r.energy_balance_error);
    ns_cont_destroy(&c);
}

Test(continuum_insertion, rejects_bad_input)
{
    ns_params p = press_case();
    ns_cont *c = NULL;
    ns_ins_input in;
    ns_ins_input_init(&in, &p);
    cr_assert(eq(int, ns_cont_create_refined(&in, 0.0, &c), NS_EINVAL));
    cr_assert(c == NULL);
    p.array.layout = NS_LAYOUT_NONE;
    cr_assert(eq(int, ns_cont_create(&in, &c), NS_EINVAL));
    cr_assert(c == NULL);
}
