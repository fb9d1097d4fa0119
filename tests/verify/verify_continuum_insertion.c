/* The continuum insertion (models/continuum.h, insertion.model = continuum)
 * on a press of one steel microneedle into the forearm stack, on a coarse
 * grid (refine 0.5) to stay lean: the puncture event at the tip law's force,
 * the energy balance of the whole cycle (loading, puncture, penetration,
 * withdrawal), the invariants of the result, and the fast model's puncture
 * force (the same law) next to it. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_errno.h>
#include <math.h>

/* Criterion's assertion macros trip -Wconversion on their bit-field flags. */
#pragma GCC diagnostic ignored "-Wconversion"

#include "../../models/continuum.h"
#include "../../models/defaults.h"
#include "../../models/needle.h"

static ns_params press_case(void)
{
    ns_params p;
    ns_params_default(&p);
    p.applicator.mode = NS_APPLICATOR_PRESS;
    p.applicator.force = 5.0;
    p.applicator.stroke = 0.6e-3; /* stroke-limited: past puncture (about 0.53 mm), before the hub lands */
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
    /* eq. (C10): the puncture force of the surface layer */
    const ns_layer *sc = &p.skin.layer[0];
    double Es = sc->youngs_modulus / (1.0 - sc->poisson * sc->poisson), rt = p.needle.tip_radius;
    double Fc = p.insertion.puncture_factor * M_PI * sqrt(Es * sc->toughness) * pow(rt, 1.5) +
                p.insertion.blunt_pressure_factor * Es * M_PI * rt * rt;
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
    cr_assert(r.energy_balance_error < 0.01, "energy balance error %.3e", r.energy_balance_error);
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
    cr_assert(h.force[h.n - 1] <= 0.0, "withdrawal ends with friction or no force, %.4g N",
              h.force[h.n - 1]);
    ns_cont_destroy(&c);
    cr_assert(c == NULL);
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
