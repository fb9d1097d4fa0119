/* Energy balance of whole insertions (work in = stored + fracture + friction
 * + viscous, models/insertion.h "Energy") on reduced cases of the
 * Latin-hypercube energy failures (tests/lhs/lhs.py, seed 20261202, 4 x 100
 * insertion, calibration, layer and procedure cases: 34 energy_balance
 * failures). Each case is the default of models/defaults.h with the one or
 * three edits that carried the failure; the energy_balance invariant of
 * sim/invariants.c holds every case to 1 %. The figures in the comments are
 * energy_balance_error before the fix / after it. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_errno.h>

#include "insertion_fixture.h"

/* The invariant's tolerance (sim/invariants.c, energy_balance). */
#define ENERGY_TOL 0.01

static void quiet_gsl(void) { gsl_set_error_handler_off(); }

TestSuite(insertion_energy, .init = quiet_gsl);

/* The default case before the derive step (each family's edits pick their
 * mode's speed and derived fields). */
static ns_params base(void)
{
    ns_params p;
    ns_params_default(&p);
    return p;
}

/* The default press with a stroke [m], held for hold [s]; derived. */
static ns_params press_case(double stroke, double hold)
{
    ns_params p = base();
    p.applicator.stroke = stroke;
    p.applicator.hold_time = hold;
    fx_ins_derive(&p);
    return p;
}

/* A pen at frequency f [Hz] and depth setting depth [m] driving a needle of
 * length L [m]; derived. */
static ns_params pen_case(double L, double f, double depth)
{
    ns_params p = base();
    p.needle.length = L;
    p.applicator.mode = NS_APPLICATOR_PEN;
    p.applicator.frequency = f;
    p.applicator.depth_setting = depth;
    fx_ins_derive(&p);
    return p;
}

/* An impact at speed V [m/s] of mass M [kg] over the patch, held for hold
 * [s]; derived. */
static ns_params impact_case(double V, double M, double hold)
{
    ns_params p = base();
    p.applicator.mode = NS_APPLICATOR_IMPACT;
    p.applicator.speed = V;
    p.applicator.mass = M;
    p.applicator.hold_time = hold;
    fx_ins_derive(&p);
    return p;
}

/* The needle preset `needle` on a roller drum at per_cm2 needles per cm^2,
 * count needles, the default hand force; derived. */
static ns_params roller_case(const char *needle, double per_cm2, double count)
{
    ns_params p = base();
    fx_ins_needle(&p, needle);
    p.applicator.mode = NS_APPLICATOR_ROLLER;
    p.array.layout = NS_LAYOUT_ROLLER;
    p.array.density = per_cm2 * 1.0e4;
    p.array.pitch = NAN;
    p.array.count = count;
    fx_ins_derive(&p);
    return p;
}

static void expect_balance(ns_params p, const char *what)
{
    ns_ins_result r = fx_ins_run(&p);
    cr_log_info("%s: energy_balance_error %.3e (%zu steps)", what, r.energy_balance_error, r.steps);
    cr_assert(r.energy_balance_error < ENERGY_TOL, "%s: energy balance error %.3e", what,
              r.energy_balance_error);
}

/* A press stroke far shorter than the needle (0.2 um of a 600 um needle)
 * held for 1 s: the steps, the Newton tolerance and the energy floor were
 * sized by the needle length (3.0 % / 0.5 %). The travel scale of the drive
 * sizes them now. */
Test(insertion_energy, short_stroke_press_hold, .timeout = 60.0)
{
    expect_balance(press_case(0.2e-6, 1.0), "press, 0.2 um stroke, 1 s hold");
}

/* A pen whose depth setting is a small fraction of the needle length took
 * a few steps per half stroke (steps of 5 % of the needle length at the peak
 * stroke speed): a 10 mm needle at a 1 um setting, 17 steps, 1.24 % / 85
 * steps, 0.04 % (in the hypercube a 56 mm needle at 2.8 um: one step per
 * half stroke, 15 %). */
Test(insertion_energy, pen_small_depth_setting, .timeout = 60.0)
{
    expect_balance(pen_case(10.0e-3, 100.0, 1.0e-6), "pen, 1 um depth setting");
}

/* The default microneedle impact (2 m/s, 5 g over the patch) held for
 * 0.1 s: the energy allowance of a step was the Newton tolerance times the
 * forces, not the Newton correction actually left, and the ringing after the
 * stop drifted (1.04 % / 0.30 %). */
Test(insertion_energy, impact_with_hold, .timeout = 60.0)
{
    expect_balance(impact_case(2.0, 5.0e-3, 0.1), "impact 2 m/s, 0.1 s hold");
}

/* The dermaroller preset on its drum (76 /cm2, 192 needles), the default
 * hand force: 1.27 % / 0.84 %, the same cause as the impact above. */
Test(insertion_energy, dermaroller, .timeout = 60.0)
{
    expect_balance(roller_case("dermaroller", 76.0, 192.0), "dermaroller");
}
