/* Viscoelasticity of the skin layers in the fast insertion model
 * (models/insertion.h, "Sheet and contact viscoelasticity", eqs. V1-V4):
 * force relaxation of a micro-probe held in the skin, its energy balance,
 * the elastic limit, and the comparison with published relaxation data.
 *
 * Set-up of Crichton et al. 2013 (Biomaterials 34:2087, abstract): probes of
 * 0.5-20 um radius pressed into full-thickness skin and held; the normalised
 * force falls by about 40 % over the first second and a further 10 % by
 * 10 s, for every probe size. Here: the default forearm stack (the presets'
 * g 0.5, tau 0.62 s), a single needle whose tip (5 or 20 um radius) is
 * pressed 10 um at 1 mm/s (10 ms ramp, no puncture) and held 10 s. The
 * presets' g and tau were derived from these two numbers (models/skin.c), so
 * this is a calibration case (tests/data/insertion_calibration.md), not a
 * validation: it checks that the relaxation the presets encode reaches the
 * model's force. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_errno.h>
#include <math.h>

#include "insertion_fixture.h"

#define NS_PROBE_DEPTH 10.0e-6 /* [m] travel of the held probe */
#define NS_PROBE_SPEED 1.0e-3  /* [m/s] ramp speed */
#define NS_PROBE_HOLD 10.0     /* [s] hold */

typedef struct {
    double F0, r1, r10; /* force at the end of the ramp [N]; relaxed fraction after 1 s, 10 s [-] */
    ns_ins_result res;
} relax_run;

static ns_params probe(double tip_radius)
{
    ns_params p = fx_ins_default();
    p.array.layout = NS_LAYOUT_SINGLE;
    p.needle.tip_radius = tip_radius;
    p.applicator.stroke = NS_PROBE_DEPTH;
    p.applicator.speed = NS_PROBE_SPEED;
    p.applicator.hold_time = NS_PROBE_HOLD;
    return p;
}

/* Press, hold, and read the needle force from the history at the end of the
 * ramp and 1 s and 10 s into the hold (the last sample at or before each). */
static relax_run relax(const ns_params *p)
{
    relax_run o;
    ns_ins *s = fx_ins_solve(p, 0.0, &o.res);
    ns_ins_history h = ns_ins_get_history(s);
    double t0 = NS_PROBE_DEPTH / NS_PROBE_SPEED, F0 = NAN, F1 = NAN, F10 = NAN;
    for (size_t i = 0; i < h.n; i++) {
        if (h.t[i] <= t0 * (1.0 + 1e-9)) F0 = h.force[i];
        if (h.t[i] <= t0 + 1.0) F1 = h.force[i];
        if (h.t[i] <= t0 + NS_PROBE_HOLD * (1.0 - 1e-9)) F10 = h.force[i];
    }
    ns_ins_destroy(&s);
    cr_assert(o.res.punctured == 0, "the probe punctured: not a relaxation test");
    cr_assert(F0 > 0.0 && isfinite(F1) && isfinite(F10), "F0 %g, F1 %g, F10 %g N", F0, F1, F10);
    o.F0 = F0;
    o.r1 = 1.0 - F1 / F0;
    o.r10 = 1.0 - F10 / F0;
    return o;
}

/* Calibration case (Crichton 2013): relaxation 40 % at 1 s, 50 % at 10 s.
 * The model cannot exceed g = 0.5 and falls short by the share of the probe's
 * compliance carried by what does not relax within 10 s (the pretension, the
 * fat foundation with tau 700 s) and by the relaxation during the 10 ms
 * ramp. Measured: 5 um 35 % / 45 %, 20 um 30 % / 41 %. Band: 25-45 % at 1 s,
 * 35-55 % at 10 s (Crichton's values within +-5 points above, the shortfall
 * below), a further relaxation of 5-20 points between 1 s and 10 s, and
 * every relaxation below g (a branch relaxing more than g is a bug). */
Test(insertion_visco, crichton_relaxation_calibration, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    const double rt[] = {5.0e-6, 20.0e-6};
    for (int i = 0; i < 2; i++) {
        ns_params p = probe(rt[i]);
        relax_run o = relax(&p);
        cr_log_info("probe %.0f um: F0 %.4g N, relaxed %.1f %% at 1 s, %.1f %% at 10 s, energy %.2g",
                    1e6 * rt[i], o.F0, 100.0 * o.r1, 100.0 * o.r10, o.res.energy_balance_error);
        cr_assert(o.r1 >= 0.25 && o.r1 <= 0.45, "probe %.3g m: %.3f relaxed at 1 s (band 0.25-0.45)",
                  rt[i], o.r1);
        cr_assert(o.r10 >= 0.35 && o.r10 <= 0.55, "probe %.3g m: %.3f relaxed at 10 s (band 0.35-0.55)",
                  rt[i], o.r10);
        cr_assert(o.r10 - o.r1 >= 0.05 && o.r10 - o.r1 <= 0.20,
                  "probe %.3g m: %.3f further relaxation from 1 to 10 s (band 0.05-0.20)", rt[i],
                  o.r10 - o.r1);
        cr_assert(o.r10 < p.skin.layer[0].relaxation_fraction, "relaxed %.4f >= g", o.r10);
    }
}

/* Energy balance within 1 % while the skin relaxes under the held probe
 * (work in = stored, including the Maxwell branches, + dissipated), and the
 * relaxation dissipates: E_visc of the viscoelastic skin exceeds that of the
 * same skin made elastic (g = 0 in every layer) by more than half of the
 * energy the relaxed force gives up, (F0 - F10) x depth / 4, a lower bound of
 * what the branches dissipate (their force relaxes at fixed travel). */
Test(insertion_visco, relaxation_energy_balance, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    ns_params p = probe(20.0e-6);
    relax_run ve = relax(&p);
    ns_params q = p;
    for (size_t k = 0; k < q.skin.n_layers; k++) q.skin.layer[k].relaxation_fraction = 0.0;
    relax_run el = relax(&q);
    cr_log_info("E_visc %.4g J (elastic skin %.4g J), energy balance %.3g / %.3g",
                ve.res.E_visc, el.res.E_visc, ve.res.energy_balance_error,
                el.res.energy_balance_error);
    cr_assert(ve.res.energy_balance_error < 0.01, "energy balance %.3g", ve.res.energy_balance_error);
    double bound = 0.25 * (ve.F0 * ve.r10) * NS_PROBE_DEPTH;
    cr_assert(ve.res.E_visc - el.res.E_visc > bound, "E_visc %.4g - %.4g J <= %.4g J",
              ve.res.E_visc, el.res.E_visc, bound);
}

/* Elastic limit: with g = 0 in every layer (the fat's slow branch too) the
 * held probe keeps its force but for the settling of the damped sheet after
 * the ramp stops (damping ratio 0.05: the tent catches up with the probe by
 * 0.08 % of the force, measured), so the 30-45 % relaxation above comes from
 * the layers' (g, tau) and from nothing else. Band: |change| < 0.2 %. */
Test(insertion_visco, elastic_skin_does_not_relax, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    ns_params p = probe(20.0e-6);
    for (size_t k = 0; k < p.skin.n_layers; k++) p.skin.layer[k].relaxation_fraction = 0.0;
    relax_run o = relax(&p);
    cr_log_info("elastic: relaxed %.3g at 1 s, %.3g at 10 s", o.r1, o.r10);
    cr_assert(fabs(o.r1) < 2e-3 && fabs(o.r10) < 2e-3, "elastic skin relaxed %.3g / %.3g", o.r1,
              o.r10);
}

/* Validation against data no constant was fitted to: Wang et al. 2015 (PLoS
 * ONE 10:e0120897, abstract), stress relaxation of excised mouse skin held in
 * compression after a ramp: steady-state residual stress ratio G_inf = 0.47
 * +- 0.17 (over stretch levels 0.22-0.81; 0.28 +- 0.13 over thicknesses at
 * one stretch). The model's residual ratio is the force held after 10 s
 * (about 4 tau, within 2 % of the relaxed limit) over the force at the end
 * of the ramp, for the 20 um probe: it must lie within two standard
 * deviations of 0.47 (0.13-0.81). Their relaxation time tau_1 = 0.26 +- 0.14
 * s (falling from 1.90 to 0.31 s as the strain rate rises from 0.06 to
 * 22.88 1/s) is not matched by one Prony term of 0.62 s; the calibration
 * notes state that disagreement. */
Test(insertion_visco, residual_ratio_wang2015, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    ns_params p = probe(20.0e-6);
    relax_run o = relax(&p);
    double G_inf = 1.0 - o.r10;
    cr_log_info("residual ratio %.3f (Wang 2015: 0.47 +- 0.17)", G_inf);
    cr_assert(G_inf >= 0.47 - 2.0 * 0.17 && G_inf <= 0.47 + 2.0 * 0.17,
              "residual ratio %.3f outside 0.13-0.81", G_inf);
}

/* Rate dependence: a faster ramp to the same travel meets stiffer skin. The
 * force at the end of a 100 mm/s ramp (0.1 ms, no time to relax) exceeds the
 * force at the end of a 0.1 mm/s ramp (100 ms, about tau/6) and the ratio is
 * below 1/(1 - g) = 2, the instantaneous over the relaxed modulus. */
Test(insertion_visco, faster_ramp_stiffer, .timeout = 60.0)
{
    gsl_set_error_handler_off();
    double F[2];
    const double V[] = {0.1e-3, 100.0e-3};
    for (int i = 0; i < 2; i++) {
        ns_params p = probe(20.0e-6);
        p.applicator.speed = V[i];
        p.applicator.hold_time = 0.0;
        ns_ins_result r = fx_ins_run(&p);
        cr_assert(r.punctured == 0);
        F[i] = r.max_force;
    }
    cr_log_info("force at 10 um: %.4g N at 0.1 mm/s, %.4g N at 100 mm/s", F[0], F[1]);
    cr_assert(F[1] > 1.05 * F[0] && F[1] < 2.0 * F[0], "F(100 mm/s) %.4g N vs F(0.1 mm/s) %.4g N",
              F[1], F[0]);
}
