/* Verification of the stack bottom: nothing goes deeper than the tissue
 * (models/insertion.h, "Backing"; issue invariant depth_within_stack). The
 * skin stack sits on its backing (porcine_ear: 1.395 mm of skin over ear
 * cartilage); a tip that reaches it cuts no further. A press or an impact
 * stops there (the tip on the backing, depth = stack thickness), a pen or
 * roller, whose travel is a path in time, fails with the physical reason.
 * Before the stop, a 30G hypodermic pressed 10 mm into porcine_ear reported
 * a penetration depth of 9.46 mm (the dimple at puncture, 3.65 mm, was cut
 * at once and the cut ran on through a hypodermis without bottom). The tent
 * is bounded by the compaction lock-up of the fat (eq. F2), also checked
 * here under a patch pressed with 40 N. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <string.h>

#include "../../models/skin.h"
#include "insertion_fixture.h"

#define STACK_TOL 1e-9 /* [-] that of the invariant depth_within_stack (sim/invariants.c) */

/* porcine_ear skin under the 30G hypodermic (12.7 mm) pressed 10 mm
 * (force cap 50 N, not reached), derived. */
static ns_params porcine_hypodermic(ns_applicator_mode mode)
{
    ns_params p;
    ns_params_default(&p);
    cr_assert(eq(int, ns_skin_preset("porcine_ear", &p.skin), NS_OK), "%s", ns_status_message());
    fx_ins_needle(&p, "hypodermic_30g");
    p.applicator.mode = mode;
    p.applicator.stroke = 10.0e-3;
    p.applicator.force = 50.0;
    if (mode == NS_APPLICATOR_IMPACT) {
        p.applicator.speed = 3.0;
        p.applicator.mass = 5.0e-3;
    }
    fx_ins_derive(&p);
    return p;
}

/* The result of a case whose tip reached the backing: the depth is the
 * stack, the deepest layer the hypodermis, filled to its bottom. */
static void assert_on_backing(const ns_params *p, const ns_ins_result *r, const char *what)
{
    double H = ns_skin_total_thickness(&p->skin);
    cr_log_info("%s: depth %.6g mm (stack %.6g mm), travel %.4g mm, tent %.4g mm, F %.4g N, "
                "balance %.2e",
                what, 1e3 * r->penetration_depth, 1e3 * H, 1e3 * r->max_travel,
                1e3 * r->max_tenting, r->max_force, r->energy_balance_error);
    cr_assert(r->punctured == 1, "%s: no puncture", what);
    cr_assert(r->penetration_depth <= (1.0 + STACK_TOL) * H,
              "%s: penetration_depth %.6g m beyond the %.6g m stack", what, r->penetration_depth, H);
    cr_assert(r->penetration_depth >= (1.0 - STACK_TOL) * H,
              "%s: penetration_depth %.6g m short of the backing at %.6g m", what,
              r->penetration_depth, H);
    cr_assert(eq(int, r->deepest_layer, 4), "%s", what);
    cr_assert(fabs(r->layer_depth[3] - p->skin.layer[3].thickness) <= STACK_TOL * H,
              "%s: hypodermis reached %.6g m of %.6g m", what, r->layer_depth[3],
              p->skin.layer[3].thickness);
    cr_assert(r->max_tenting < H, "%s: tent %.6g m beyond the stack", what, r->max_tenting);
    cr_assert(r->energy_balance_error < 0.01, "%s: energy balance %.3g", what,
              r->energy_balance_error);
}

/* A press stops on the backing: the stroke (10 mm) is not used up. */
Test(insertion_backing, press_stops_on_backing, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    ns_params p = porcine_hypodermic(NS_APPLICATOR_PRESS);
    ns_ins_result r = fx_ins_run(&p);
    assert_on_backing(&p, &r, "press");
    cr_assert(r.max_travel < 0.5 * p.applicator.stroke, "press went on to %.4g m", r.max_travel);
    /* held on the backing, the tip cuts no further either */
    p.applicator.hold_time = 1.0;
    r = fx_ins_run(&p);
    assert_on_backing(&p, &r, "press, 1 s hold");
}

/* An impact stops on the backing, its kinetic energy left to the applicator. */
Test(insertion_backing, impact_stops_on_backing, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    ns_params p = porcine_hypodermic(NS_APPLICATOR_IMPACT);
    ns_ins_result r = fx_ins_run(&p);
    assert_on_backing(&p, &r, "impact");
}

/* A pen on a thin stack (0.495 mm, dermis 0.3 mm over 0.1 mm of fat) with a
 * 1 mm stroke: the case fails, and the message says where the tip stopped. */
Test(insertion_backing, pen_on_backing_fails_with_reason, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    ns_params p;
    ns_params_default(&p);
    cr_assert(eq(int, ns_skin_preset("porcine_ear", &p.skin), NS_OK), "%s", ns_status_message());
    p.skin.layer[2].thickness = 0.3e-3;
    p.skin.layer[3].thickness = 0.1e-3;
    p.needle.length = 1.0e-3;
    p.applicator.mode = NS_APPLICATOR_PEN;
    p.applicator.depth_setting = 1.0e-3;
    fx_ins_derive(&p);
    ns_ins *s = NULL;
    ns_ins_input in;
    ns_ins_input_init(&in, &p);
    cr_assert(eq(int, ns_ins_create(&in, &s), NS_OK), "%s", ns_status_message());
    ns_ins_result r;
    ns_status st = ns_ins_solve(s, &r);
    ns_ins_destroy(&s);
    cr_assert(eq(int, st, NS_EPHYSICS), "pen: status %d (%s)", st, ns_status_message());
    cr_assert(strstr(ns_status_message(), "tip reached the backing at z = 0.495 mm") != NULL, "%s",
              ns_status_message());
}

/* The tent stays inside the stack under the heaviest press of the issue: a
 * 10x10 patch at 100 /cm2 with a 40 N cap on the forearm (12.2 mm). */
Test(insertion_backing, patch_tent_within_stack, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    ns_params p = fx_ins_patch(100.0, 100.0, 40.0);
    ns_ins_result r = fx_ins_run(&p);
    double H = ns_skin_total_thickness(&p.skin), Hf = p.skin.layer[3].thickness;
    cr_log_info("patch: tent %.4g mm (fat %.4g mm, stack %.4g mm), depth %.4g mm", 1e3 * r.max_tenting,
                1e3 * Hf, 1e3 * H, 1e3 * r.penetration_depth);
    cr_assert(r.max_tenting < Hf, "tent %.6g m beyond the %.6g m fat", r.max_tenting, Hf);
    cr_assert(r.penetration_depth <= (1.0 + STACK_TOL) * H);
}
