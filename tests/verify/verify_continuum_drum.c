/* The roller drum's contact in the continuum insertion (models/continuum.h,
 * eqs. C16-C18, models/continuum/drum.c): the rigid-contact machinery of
 * eq. (C4) against Hertz on a layered half-space, with its observed order
 * under refinement; the hand force changes the continuum roller's travel at
 * puncture, tenting and depth (before the drum face, the continuum's roller
 * was the needle path on free skin: 10 and 30 N gave identical results);
 * the roller's energy balance with the drum face in it. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_errno.h>
#include <math.h>

/* Criterion's assertion macros trip -Wconversion on their bit-field flags. */
#pragma GCC diagnostic ignored "-Wconversion"

#include "../../models/continuum.h"
#include "../../models/continuum/cont_internal.h"
#include "../../models/defaults.h"
#include "../../models/insertion.h"
#include "../../models/procedure.h"
#include "../../models/skin.h"

/* Paraboloid R_s = 100 a to delta = 0.01 a (Hertz contact radius a = 1 m)
 * on two layers: the top (E 1 Pa, nu 0.3) 10 a thick over a softer one
 * (E 0.5 Pa, nu 0.45) to the clamped base at 40 a. At a / h = 0.1 the
 * response is the top layer's Hertz, F = (4/3) E* sqrt(R_s) delta^1.5, to
 * about a percent (the softer layer lowers it, the clamped base raises it).
 * Grids refine 0.5, 1, 2 (h0 = a/10 on the base grid): the observed order
 * of the force (measured 1.84 when written, F/F_Hertz 0.978, 0.972, 0.971)
 * and its Richardson limit, 0.970 of Hertz: the softer second layer
 * lowers the force by 3 % at a/h = 0.1 (tolerance 4 %). */
static double hertz_layered(double refine)
{
    ns_cont_indent_case c = {0};
    c.n_layers = 2;
    c.thickness[0] = 10.0;
    c.thickness[1] = 30.0;
    c.youngs_modulus[0] = 1.0;
    c.youngs_modulus[1] = 0.5;
    c.poisson[0] = 0.3;
    c.poisson[1] = 0.45;
    c.R = 40.0;
    c.shape = NS_CONT_SPHERE;
    c.Rs = 100.0;
    c.h0 = 0.1;
    c.r_fine = 1.5;
    c.growth = 0.15;
    c.refine = refine;
    c.delta = 0.01;
    c.steps = 4;
    ns_cont_indent_result r;
    cr_assert(eq(int, ns_cont_indent_solve(&c, &r, NULL), NS_OK), "%s", ns_status_message());
    return r.F;
}

Test(continuum_drum, hertz_layered_half_space, .timeout = 600.0)
{
    gsl_set_error_handler_off();
    double nu = 0.3, Es = 1.0 / (1.0 - nu * nu);
    double Fr = 4.0 / 3.0 * Es * sqrt(100.0) * pow(0.01, 1.5);
    double lv[3] = {0.5, 1.0, 2.0}, F[3];
    for (int k = 0; k < 3; k++) {
        F[k] = hertz_layered(lv[k]);
        cr_log_info("Hertz layered, refine %.2g: F/F_Hertz = %.5f", lv[k], F[k] / Fr);
    }
    double p = log(fabs(F[1] - F[0]) / fabs(F[2] - F[1])) / log(2.0);
    double Finf = F[2] + (F[2] - F[1]) / (pow(2.0, p) - 1.0); /* Richardson */
    cr_log_info("observed order of the force %.3f; extrapolated F/F_Hertz = %.5f", p, Finf / Fr);
    cr_expect(p > 1.0 && p < 3.0, "observed order %.3f (Q1: 2 expected)", p);
    cr_expect(fabs(Finf / Fr - 1.0) < 0.04, "extrapolated F/F_Hertz = %.5f", Finf / Fr);
    cr_expect(fabs(F[2] / Finf - 1.0) < 0.005, "refine 2 off its limit by %.3g", F[2] / Finf - 1.0);
}

/* Device preset `device` on face skin at hand force F [N], continuum model. */
static ns_params roller_case(const char *device, double F)
{
    ns_params p;
    ns_params_default(&p);
    cr_assert(eq(int, ns_skin_preset("face", &p.skin), NS_OK), "%s", ns_status_message());
    cr_assert(eq(int, ns_proc_preset(device, &p), NS_OK), "%s", ns_status_message());
    p.applicator.force = F;
    p.insertion.model = NS_INS_MODEL_CONTINUUM;
    cr_assert(eq(int, ns_params_derive(&p), NS_OK), "%s", ns_status_message());
    return p;
}

static ns_ins_result roller_run(const ns_params *p, double *delta, double *rho)
{
    ns_ins_input in;
    ns_ins_input_init(&in, p);
    ns_cont *c = NULL;
    cr_assert(eq(int, ns_cont_create_refined(&in, 0.5, &c), NS_OK), "%s", ns_status_message());
    ns_ins_result r;
    ns_status st = ns_cont_solve(c, &r);
    cr_assert(eq(int, st, NS_OK), "solve: %s", ns_status_message());
    *delta = c->drum_delta;
    *rho = c->drum_rho;
    ns_cont_destroy(&c);
    return r;
}

/* The 1 mm roller_540 on the face at 10 and 30 N (eq. C17): the harder press
 * sinks the drum deeper and presses the skin onto it harder (p_d), the skin
 * lifts off the drum over a smaller radius, tents less before puncture, so
 * the travel at puncture falls (threshold 5 %, well above the event
 * tolerance 1e-3 of F_c). Its depth is set by the hub landing at the end
 * of the path at both forces. The 0.5 mm clinical_roller at 1 N (the needles
 * in contact carry the whole hand force: delta = 0, free skin) does not
 * puncture, at 10 N it does: the hand force decides the depth. Before the
 * drum face the continuum's roller was the needle path on free skin: every
 * force gave the 1 N result to every digit. Energy balance of each cycle
 * within the continuum's 3 % (models/continuum.h, Known limits). */
static ns_ins_result roller_logged(const char *dev, double F, double *delta, double *rho)
{
    ns_params p = roller_case(dev, F);
    ns_ins_result r = roller_run(&p, delta, rho);
    cr_log_info("%s at %g N: delta %.4g mm, rho_c %.4g mm; punctured %d, travel at puncture "
                "%.4g um, tent %.4g um, depth %.4g um, energy error %.3g %%, %zu steps",
                dev, F, *delta * 1e3, *rho * 1e3, r.punctured, r.puncture_displacement * 1e6,
                r.max_tenting * 1e6, r.penetration_depth * 1e6, 100.0 * r.energy_balance_error,
                r.steps);
    cr_expect(r.energy_balance_error < 0.03, "%s at %g N: energy balance %.3g %%", dev, F,
              100.0 * r.energy_balance_error);
    return r;
}

Test(continuum_drum, hand_force_changes_travel, .timeout = 600.0)
{
    gsl_set_error_handler_off();
    double Fh[2] = {10.0, 30.0}, delta[2], rho[2];
    ns_ins_result r[2];
    for (int k = 0; k < 2; k++) {
        r[k] = roller_logged("roller_540", Fh[k], &delta[k], &rho[k]);
        cr_expect(r[k].punctured == 1, "%g N: no puncture", Fh[k]);
    }
    cr_expect(delta[1] > delta[0] && rho[1] < rho[0],
              "drum: delta %.4g -> %.4g m, rho_c %.4g -> %.4g m", delta[0], delta[1], rho[0],
              rho[1]);
    cr_expect(r[1].puncture_displacement < 0.95 * r[0].puncture_displacement,
              "travel at puncture %.4g um at 10 N, %.4g um at 30 N",
              r[0].puncture_displacement * 1e6, r[1].puncture_displacement * 1e6);
    cr_expect(r[1].max_tenting < 0.95 * r[0].max_tenting, "tent %.4g um at 10 N, %.4g um at 30 N",
              r[0].max_tenting * 1e6, r[1].max_tenting * 1e6);
}

Test(continuum_drum, hand_force_changes_depth, .timeout = 600.0)
{
    gsl_set_error_handler_off();
    double delta[2], rho[2];
    ns_ins_result r1 = roller_logged("clinical_roller", 1.0, &delta[0], &rho[0]);
    ns_ins_result r10 = roller_logged("clinical_roller", 10.0, &delta[1], &rho[1]);
    cr_expect(delta[0] == 0.0 && delta[1] > 0.0, "delta %.4g m at 1 N, %.4g m at 10 N", delta[0],
              delta[1]);
    cr_expect(r1.punctured == 0 && r1.penetration_depth == 0.0, "1 N: punctured %d, depth %.4g um",
              r1.punctured, r1.penetration_depth * 1e6);
    cr_expect(r10.punctured == 1 && r10.penetration_depth > 0.25e-3,
              "10 N: punctured %d, depth %.4g um", r10.punctured, r10.penetration_depth * 1e6);
}
