/* Kelvin-Voigt viscosity of the skin sheet (models/insertion.h, "Sheet
 * short-time viscosity", eqs. K1-K2; skin.viscosity, default 3.23 Pa s).
 * Without it the kHz ringing of the skin under the tip after a puncture or a
 * stop was damped only by the foundation dashpot (effective damping ratio of
 * order 1e-3 at those frequencies) and by the numerical damping of BDF2,
 * which the energy balance counted as an error:
 *  - the clinical roller (0.5 mm) on face skin at 5 N closes its energy
 *    balance within the 1 % of sim/invariants.c (1.30 % with skin.viscosity
 *    = 0, 0.09 % with the default);
 *  - a 30G hypodermic pressed 12 mm into the forearm (the default press,
 *    hypodermic_30g) likewise (2.70 % / 0.23 %; 9 and 14 mm strokes 2.76 /
 *    2.60 % -> 0.28 / 0.19 %);
 *  - a free ring-down of the lowest mode of the clinical roller's tent (face,
 *    5 N: 6.0 kHz, zeta = 0.60 by the law), stepped by the solver's own
 *    BDF2 at 400 steps per period with every other damping switched off,
 *    decays with the logarithmic decrement of the modal damping ratio the law
 *    predicts, zeta = phi.C.phi / (2 omega phi.M.phi) (C the viscous tangent
 *    of ns_tent_viscous, M the lumped mass, (omega, phi) the lowest mode of
 *    the elastic tangent K), within 5 %. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <string.h>

#include "../../models/insertion/ins_private.h"
#include "../../models/insertion/tent.h"
#include "../../models/procedure.h"
#include "../../models/skin.h"
#include "../../models/units.h"
#include "insertion_fixture.h"

/* The invariant's tolerance (sim/invariants.c, energy_balance). */
#define ENERGY_TOL 0.01
/* Tolerance of the measured against the predicted modal damping ratio. */
#define ZETA_RTOL 0.05
/* BDF2 steps per period of the ring-down (numerical damping ratio about
 * (omega h)^3 / 4 = 8e-7, far below the viscous one). */
#define STEPS_PER_PERIOD 400

static void quiet_gsl(void) { gsl_set_error_handler_off(); }

TestSuite(insertion_energy_viscous, .init = quiet_gsl);

/* Device preset `device` on face skin at hand force F [N], before the
 * derive step (the ring-down edits the damping first). */
static ns_params face_device(const char *device, double F)
{
    ns_params p;
    ns_params_default(&p);
    cr_assert(eq(int, ns_skin_preset("face", &p.skin), NS_OK), "%s", ns_status_message());
    cr_assert(eq(int, ns_proc_preset(device, &p), NS_OK), "%s", ns_status_message());
    p.applicator.force = F;
    return p;
}

/* The same with skin viscosity eta [Pa s] (NaN: the face preset's), derived. */
static ns_params roller_case(const char *device, double F, double eta)
{
    ns_params p = face_device(device, F);
    if (!isnan(eta)) p.skin.viscosity = eta; /* NaN: the preset's */
    fx_ins_derive(&p);
    return p;
}

/* The default press (forearm) of the 30G hypodermic over a stroke [m], derived. */
static ns_params hypodermic_press(double stroke)
{
    ns_params p;
    ns_params_default(&p);
    fx_ins_needle(&p, "hypodermic_30g");
    p.applicator.stroke = stroke;
    fx_ins_derive(&p);
    return p;
}

Test(insertion_energy_viscous, clinical_roller_5N_balance, .timeout = 60.0)
{
    ns_params p = roller_case("clinical_roller", 5.0, NAN);
    ns_ins_result r = fx_ins_run(&p);
    cr_log_info("clinical roller, face, 5 N: punctured %d, depth %.4g mm, energy %.3g %%, %zu steps",
                r.punctured, r.penetration_depth * 1e3, 100.0 * r.energy_balance_error, r.steps);
    cr_expect(r.punctured == 1, "clinical roller at 5 N did not puncture");
    cr_expect(r.energy_balance_error < ENERGY_TOL, "energy balance error %.3e",
              r.energy_balance_error);
}

Test(insertion_energy_viscous, hypodermic_30g_press_balance, .timeout = 60.0)
{
    ns_params p = hypodermic_press(12.0e-3);
    ns_ins_result r = fx_ins_run(&p);
    cr_log_info("30G, forearm, 12 mm press: depth %.4g mm, energy %.3g %%, %zu steps",
                r.penetration_depth * 1e3, 100.0 * r.energy_balance_error, r.steps);
    cr_expect(r.energy_balance_error < ENERGY_TOL, "energy balance error %.3e",
              r.energy_balance_error);
}

/* Dense copy of the symmetric band t->J (row j: J(j,j), J(j+1,j), J(j+2,j)). */
static void band_to_dense(const ns_tent *t, gsl_matrix *D)
{
    size_t nu = t->nu;
    gsl_matrix_set_zero(D);
    for (size_t j = 0; j < nu; j++)
        for (size_t k = 0; k < 3 && j + k < nu; k++) {
            double x = gsl_matrix_get(t->J, j, k);
            gsl_matrix_set(D, j + k, j, x);
            gsl_matrix_set(D, j, j + k, x);
        }
}

Test(insertion_energy_viscous, ringdown_decrement, .timeout = 60.0)
{
    ns_params p = face_device("clinical_roller", 5.0);
    for (size_t i = 0; i < p.skin.n_layers; i++) p.skin.layer[i].relaxation_fraction = 0.0;
    p.insertion.damping_ratio = 0.0;
    fx_ins_derive(&p);
    ns_ins *s = NULL;
    ns_ins_input in;
    ns_ins_input_init(&in, &p);
    cr_assert(eq(int, ns_ins_create(&in, &s), NS_OK), "%s", ns_status_message());
    ns_tent *T = s->T;
    size_t nu = T->nu;
    cr_assert(T->Bv > 0.0 && T->g_s == 0.0 && T->g_f == 0.0 && T->c == 0.0,
              "Bv %g, g_s %g, g_f %g, c %g", T->Bv, T->g_s, T->g_f, T->c);
    /* K: elastic tangent at rest (+ the rank-one mean mode), C: viscous
     * tangent (a0 = 1, bw = 0: dF/dv), M: lumped mass */
    double *z = calloc(nu, sizeof(double)), *f = calloc(nu, sizeof(double));
    gsl_matrix *K = gsl_matrix_alloc(nu, nu), *C = gsl_matrix_alloc(nu, nu);
    gsl_matrix *M = gsl_matrix_calloc(nu, nu), *V = gsl_matrix_alloc(nu, nu);
    gsl_vector *ev = gsl_vector_alloc(nu);
    ns_tent_zero(T);
    ns_tent_internal(T, z, f, 1, 0);
    band_to_dense(T, K);
    for (size_t i = 0; i < nu; i++)
        for (size_t j = 0; j < nu; j++)
            *gsl_matrix_ptr(K, i, j) += T->k_mean * T->A[i] * T->A[j] / T->A_tot;
    ns_tent_zero(T);
    ns_tent_viscous(T, z, z, 1.0, f, 1);
    band_to_dense(T, C);
    for (size_t i = 0; i < nu; i++) gsl_matrix_set(M, i, i, T->m * T->A[i]);
    gsl_matrix *Kc = gsl_matrix_alloc(nu, nu), *Mc = gsl_matrix_alloc(nu, nu);
    gsl_matrix_memcpy(Kc, K);
    gsl_matrix_memcpy(Mc, M);
    gsl_eigen_gensymmv_workspace *ws = gsl_eigen_gensymmv_alloc(nu);
    cr_assert(gsl_eigen_gensymmv(Kc, Mc, ev, V, ws) == 0);
    gsl_eigen_gensymmv_sort(ev, V, GSL_EIGEN_SORT_VAL_ASC);
    double omega = sqrt(gsl_vector_get(ev, 0));
    gsl_vector_view phi = gsl_matrix_column(V, 0);
    double pCp = 0.0, pMp = 0.0;
    for (size_t i = 0; i < nu; i++) {
        double ci = 0.0;
        for (size_t j = 0; j < nu; j++) ci += gsl_matrix_get(C, i, j) * gsl_vector_get(&phi.vector, j);
        pCp += gsl_vector_get(&phi.vector, i) * ci;
        pMp += T->m * T->A[i] * gsl_vector_get(&phi.vector, i) * gsl_vector_get(&phi.vector, i);
    }
    double zeta = pCp / (2.0 * omega * pMp);
    /* the foundation dashpot c = 2 zeta_c sqrt(m k0) (insertion.damping_ratio,
     * switched off here) alone would give this mode c / (2 m omega) */
    ns_params d;
    ns_params_default(&d);
    double zeta_c = d.insertion.damping_ratio * sqrt(T->k0 / T->m) / omega;
    cr_log_info("lowest mode: %.4g Hz, predicted damping ratio %.4g (foundation dashpot at "
                "its default: %.3g)",
                omega / (2.0 * NS_PI), zeta, zeta_c);
    cr_assert(zeta > 0.0 && zeta < 0.9, "predicted damping ratio %g: not a ringing mode", zeta);
    /* free ring-down from w = amp phi at rest, the needle held 1 mm above */
    double amp = 1e-6 / gsl_vector_get(&phi.vector, 0); /* w(0) = +1 um */
    for (size_t i = 0; i < nu; i++) {
        double wi = amp * gsl_vector_get(&phi.vector, i);
        s->y0.w[i] = s->y1.w[i] = wi;
        s->y0.v[i] = s->y1.v[i] = 0.0;
        s->y0.a[i] = s->y1.a[i] = 0.0;
    }
    s->phase = PH_HOLD;
    s->u_hold = -1e-3;
    s->y0.u = s->y1.u = s->u_hold;
    s->y0.ud = s->y1.ud = 0.0;
    s->y0.t = -1.0;
    s->y1.t = 0.0;
    double Tp = 2.0 * NS_PI / omega, h = Tp / STEPS_PER_PERIOD, inc;
    /* released from rest, the maxima of a damped mode are the zeros of its
     * velocity, one damped period apart: w(0) is the first */
    double w_prev2 = s->y1.w[0], w_prev = s->y1.w[0], peak[3] = {s->y1.w[0], 0.0, 0.0};
    size_t np = 1;
    ns_status err = NS_OK;
    for (size_t k = 0; k < 4 * STEPS_PER_PERIOD && np < 3; k++) {
        cr_assert(ins_step_solve(s, h, 1.0, &inc, &err) == 0, "step %zu did not converge", k);
        double w = s->y2.w[0];
        if (k > 1 && w_prev > w_prev2 && w_prev >= w) peak[np++] = w_prev;
        w_prev2 = w_prev;
        w_prev = w;
        ins_state_copy(&s->y0, &s->y1, nu);
        ins_state_copy(&s->y1, &s->y2, nu);
    }
    cr_assert(np >= 2, "%zu maxima in 4 periods", np);
    cr_log_info("maxima of w(0): %.4g, %.4g, %.4g um", peak[0] * 1e6, peak[1] * 1e6,
                peak[2] * 1e6);
    double delta = log(peak[0] / peak[np - 1]) / (double)(np - 1);
    double zeta_m = delta / sqrt(4.0 * NS_PI * NS_PI + delta * delta);
    cr_log_info("ring-down: %zu peaks, log decrement %.4g, damping ratio %.4g (law %.4g, %+.2f %%)",
                np, delta, zeta_m, zeta, 100.0 * (zeta_m / zeta - 1.0));
    cr_expect(fabs(zeta_m / zeta - 1.0) < ZETA_RTOL, "measured damping ratio %.4g, law %.4g",
              zeta_m, zeta);
    gsl_eigen_gensymmv_free(ws);
    gsl_matrix_free(K);
    gsl_matrix_free(C);
    gsl_matrix_free(M);
    gsl_matrix_free(V);
    gsl_matrix_free(Kc);
    gsl_matrix_free(Mc);
    gsl_vector_free(ev);
    free(z);
    free(f);
    ns_ins_destroy(&s);
}
