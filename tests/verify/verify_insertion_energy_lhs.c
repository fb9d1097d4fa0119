/* Latin-hypercube cases of the insertion energy balance, with their
 * parameters written out (tests/lhs/lhs.py --groups
 * insertion,calibration,layers,procedure --samples 100, seed 20261202; the
 * file and case of the design are named per test). Each case is loaded from
 * its config text like `needlesim run` loads it (ns_config_case: presets,
 * units, derive step), and only its insertion is solved; it must end ok with
 * the energy balance within the 1 % of sim/invariants.c. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_errno.h>

#include "../unit/config_fixture.h"
#include "insertion_fixture.h"

/* The invariant's tolerance (sim/invariants.c, energy_balance). */
#define ENERGY_TOL 0.01

static void quiet_gsl(void) { gsl_set_error_handler_off(); }

TestSuite(insertion_energy_lhs, .init = quiet_gsl);

/* The insertion of the single case in config text `text`. */
static ns_ins_result lhs_case(const char *text, const char *what)
{
    ns_config *c = fx_config_load(text, NULL, 0);
    ns_params p;
    cr_assert(eq(int, ns_config_case(c, 0, &p), NS_OK), "%s: %s", what, ns_status_message());
    ns_config_destroy(&c);
    ns_ins_result r = fx_ins_run(&p);
    cr_log_info("%s: energy_balance_error %.3e, %zu steps (%zu rejected), time_end %.6g s",
                what, r.energy_balance_error, r.steps, r.rejected_steps, r.time_end);
    return r;
}

/* insertion_0001 case 2: a press at 56.3 m/s held 0.423 d (36544 s), whose
 * withdrawal over its 0.126 um travel lasts 2.2 ns. The phase end was found
 * with a tolerance of 1e-12 of the time t (37 ns at t = 36544 s), larger
 * than the whole withdrawal: every step was cut to the rest of the phase,
 * the energy control rejected it (the skin, left behind by the needle, moves
 * within the step) and the same step came back until the step cap
 * numerics.ins_max_steps = 200000. The drive and the phase end are now
 * reckoned in the time since the phase began (805 steps, 155 rejected, 0.17 %). */
Test(insertion_energy_lhs, press_long_hold_fast_withdrawal, .timeout = 60.0)
{
    const char *text =
        "[numerics]\nins_n_r = 40\nins_rtol = 0.00175761\nins_cut_warm_start = false\n"
        "[applicator]\nmode = press\nspeed = 56.2768 m/s\nforce = 41.7873 N\n"
        "mass = 69.9076 kg\nstroke = 0.0147192 mm\nhold_time = 0.422963 d\n"
        "frequency = 5355.55 Hz\ndepth_setting = 0.000227326 mm\n"
        "drum_radius = 0.0719332 mm\n"
        "[drug]\ndose = finite\n"
        "[array]\nlayout = single\ncount = 32522\ndensity = 1243.4 /cm2\n"
        "pitch = 0.0354694 m\n"
        "[skin]\npreset = membrane\npretension = 4058 N/m\n"
        "backing_stiffness = 4.97807e+06 N/m3\ntemperature = 315.567 K\n"
        "viscosity = 464.936 Pa.s\nage = 13460.3 d\n"
        "[needle]\npreset = microneedle_polymer\nshape = cylindrical\n"
        "length = 0.000121732 mm\nbase_diameter = 3.51645 mm\n"
        "tip_radius = 7.74256e-06 mm\ntip_angle = 16.0913 deg\n"
        "bore_diameter = 3.38873 mm\nyoungs_modulus = 0.0261234 GPa\n"
        "strength = 0.0132976 GPa\nbuckling_k = 1.69359\n";
    ns_ins_result r = lhs_case(text, "press 56 m/s, 0.423 d hold, 2.2 ns withdrawal");
    cr_expect(r.time_end > 36544.0, "time_end %.6g s: the hold did not run", r.time_end);
    cr_expect(r.energy_balance_error < ENERGY_TOL, "energy balance error %.3e",
              r.energy_balance_error);
}
