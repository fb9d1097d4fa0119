/* Shared set-up of the insertion verification and validation tests
 * (tests/verify/verify_insertion_*.c): the default case of models/defaults.h
 * (forearm skin, the default steel microneedle, a 1 mm/s press) edited by
 * each test, the derive step, and one solve through the narrowed solver input
 * (ns_ins_input_init, models/insertion.h). Every helper asserts success with
 * the status message, so a failing set-up names its cause. Header-only,
 * static inline; include after <criterion/criterion.h>. */
#ifndef NS_TEST_INSERTION_FIXTURE_H
#define NS_TEST_INSERTION_FIXTURE_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>

#include "../../models/defaults.h"
#include "../../models/insertion.h"
#include "../../models/needle.h"

/* Criterion's assertion macros trip -Wconversion on their bit-field flags. */
#pragma GCC diagnostic ignored "-Wconversion"

/* ns_params_derive on p, asserting NS_OK. */
static inline void fx_ins_derive(ns_params *p)
{
    cr_assert(eq(int, ns_params_derive(p), NS_OK), "%s", ns_status_message());
}

/* The default case, derived. */
static inline ns_params fx_ins_default(void)
{
    ns_params p;
    ns_params_default(&p);
    fx_ins_derive(&p);
    return p;
}

/* Replace the needle of p by the preset `name` (models/needle.c). */
static inline void fx_ins_needle(ns_params *p, const char *name)
{
    cr_assert(eq(int, ns_needle_preset(name, &p->needle), NS_OK), "needle preset %s: %s", name,
              ns_status_message());
}

/* Create the solver for p; dt > 0 fixes the step [s] (ns_ins_set_fixed_step),
 * dt <= 0 keeps the adaptive steps. Solve to the end into *r and return the
 * solver, so the caller can read its history (ns_ins_get_history) and must
 * release it with ns_ins_destroy. */
static inline ns_ins *fx_ins_solve(const ns_params *p, double dt, ns_ins_result *r)
{
    ns_ins *s = NULL;
    ns_ins_input in;
    ns_ins_input_init(&in, p);
    cr_assert(eq(int, ns_ins_create(&in, &s), NS_OK), "%s", ns_status_message());
    if (dt > 0.0) cr_assert(eq(int, ns_ins_set_fixed_step(s, dt), NS_OK), "%s", ns_status_message());
    cr_assert(eq(int, ns_ins_solve(s, r), NS_OK), "%s", ns_status_message());
    return s;
}

/* One insertion of p with adaptive steps; the solver is released. */
static inline ns_ins_result fx_ins_run(const ns_params *p)
{
    ns_ins_result r;
    ns_ins *s = fx_ins_solve(p, 0.0, &r);
    ns_ins_destroy(&s);
    return r;
}

/* A square patch of `count` needles at `per_cm2` needles per cm^2, pressed
 * with a total force cap `force` [N] over a 10 mm stroke (long enough that
 * the force cap, not the stroke, ends the press); derived. */
static inline ns_params fx_ins_patch(double count, double per_cm2, double force)
{
    ns_params p;
    ns_params_default(&p);
    p.array.layout = NS_LAYOUT_SQUARE;
    p.array.density = per_cm2 * 1.0e4;
    p.array.pitch = NAN;
    p.array.count = count;
    p.applicator.force = force;
    p.applicator.stroke = 10.0e-3;
    fx_ins_derive(&p);
    return p;
}

#endif
