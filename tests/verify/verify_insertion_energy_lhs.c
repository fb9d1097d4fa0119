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

/* insertion_0006 case 7: a 0.455 nm press stroke at 8.8 m/s into a sheet
 * under 9574 N/m of pretension on an 11 N/m3 backing, held 0.127 d. The
 * stop leaves about a tenth of the work ringing in the tent at 12 kHz,
 * damped by the foundation dashpot at c / m = 1.04 /s; the energy control
 * followed it at about 300 steps per period and reached the step cap after
 * 25 ms of the hold. The hold's settling step (solver.c, settle_hold: one
 * backward-Euler step of 30 m / c, its dissipation the energy the skin
 * releases) takes it to rest, and the hold and withdrawal end ok. */
Test(insertion_energy_lhs, ringing_sheet_long_hold, .timeout = 60.0)
{
    const char *text =
        "[numerics]\nins_n_r = 40\nins_rtol = 3.95136e-05\nins_cut_warm_start = false\n"
        "[applicator]\nmode = press\nspeed = 8.81532 m/s\nforce = 0.0130862 N\n"
        "mass = 0.000788714 kg\nstroke = 0.000455281 mm\nhold_time = 0.127018 d\n"
        "frequency = 0.121875 Hz\ndepth_setting = 0.000233815 mm\n"
        "drum_radius = 0.00929396 mm\n"
        "[drug]\ndose = coated\n"
        "[array]\nlayout = single\ncount = 102543\ndensity = 2.50871 /cm2\n"
        "pitch = 0.0599342 m\n"
        "[skin]\npreset = membrane\npretension = 9573.64 N/m\n"
        "backing_stiffness = 11.0864 N/m3\ntemperature = 316.392 K\n"
        "viscosity = 997.278 Pa.s\nage = 17577.8 d\n"
        "[needle]\npreset = microneedle_steel\nshape = cylindrical\n"
        "length = 0.000144363 mm\nbase_diameter = 1.93812 mm\n"
        "tip_radius = 4.64614e-06 mm\ntip_angle = 2.23001 deg\n"
        "bore_diameter = 0.56785 mm\nyoungs_modulus = 84.4734 GPa\n"
        "strength = 0.000248245 GPa\nbuckling_k = 2.32089\n";
    ns_ins_result r = lhs_case(text, "press 8.8 m/s, ringing sheet, 0.127 d hold");
    cr_expect(r.time_end > 0.127018 * 86400.0, "time_end %.6g s: the hold did not run",
              r.time_end);
    cr_expect(r.energy_balance_error < ENERGY_TOL, "energy balance error %.3e",
              r.energy_balance_error);
}
