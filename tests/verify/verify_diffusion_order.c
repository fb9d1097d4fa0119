/* Radial and axial accuracy and the observed orders of the r-z ADI solver.
 *
 * Exact separable solution in the closed cylinder r <= R, 0 <= z <= H with
 * zero flux on every side (top: coated-dose zero flux without a channel;
 * bottom: zero flux; r = R: unit-cell symmetry):
 *   u = J0(j r / R) cos(pi z / H) exp(-D (j^2/R^2 + pi^2/H^2) t),
 * j = 3.8317 the first positive zero of J1 = -J0' (gsl_sf_bessel_zero_J1),
 * so du/dr = 0 at r = R, and du/dz = 0 at z = 0, H. The mode exercises both
 * ADI sweeps, the 1/r metric down to the axis and the graded z grid. */
#include <criterion/criterion.h>
#include <gsl/gsl_sf_bessel.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "diffusion_fixture.h"

static const double H_ = 250e-6, D_ = 4.1e-11, K_ = 1.3;
/* Constant added to the mode (itself an exact solution of the closed box),
 * so the field stays positive (|mode| <= 1) as a concentration must. */
static const double U0_ = 1.37;

static double j1_zero(void) { return gsl_sf_bessel_zero_J1(1); }

static double mode(double r, double z, double R, double t)
{
    double j = j1_zero();
    double lam = D_ * (j * j / (R * R) + NS_PI * NS_PI / (H_ * H_));
    return gsl_sf_bessel_J0(j * r / R) * cos(NS_PI * z / H_) * exp(-lam * t);
}

/* Solver on an n_r x n_z grid holding the mode at t = 0. */
static ns_diff *make(size_t nr, size_t nz, double rtol, double *R)
{
    ns_params p = fx_membrane(H_, D_, K_, 1.0);
    p.drug.dose = NS_DOSE_COATED;
    p.drug.coated_mass = 0.0;
    p.transport.bottom = NS_BOTTOM_NOFLUX;
    p.numerics.diff_n_r = nr;
    p.numerics.diff_n_z = nz;
    p.numerics.diff_rtol = rtol;
    ns_diff *s = NULL;
    cr_assert(fx_diff_create(&p, NULL, &s) == NS_OK, "%s", ns_status_message());
    ns_diff_get_domain(s, R, NULL);
    const double *r, *z, *C;
    size_t mr, mz;
    ns_diff_get_field(s, &r, &z, &C, &mr, &mz);
    double *C0 = malloc(mr * mz * sizeof(double));
    cr_assert(C0 != NULL);
    for (size_t i = 0; i < mr; i++)
        for (size_t j = 0; j < mz; j++) C0[i * mz + j] = K_ * (U0_ + mode(r[i], z[j], *R, 0.0));
    cr_assert(ns_diff_set_field(s, C0) == NS_OK, "%s", ns_status_message());
    free(C0);
    return s;
}

/* Max |C - C_exact| / K over the cells at the current time. */
static double err_exact(ns_diff *s, double R)
{
    const double *r, *z, *C;
    size_t nr, nz;
    ns_diff_get_field(s, &r, &z, &C, &nr, &nz);
    double t = ns_diff_get_time(s), e = 0.0;
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < nz; j++) {
            double d = fabs(C[i * nz + j] / K_ - U0_ - mode(r[i], z[j], R, t));
            if (d > e) e = d;
        }
    return e;
}

/* Decay time of the mode [s] for the domain radius R. */
static double decay_time(double R)
{
    double j = j1_zero();
    return 1.0 / (D_ * (j * j / (R * R) + NS_PI * NS_PI / (H_ * H_)));
}

/* The GSL zero is the one we mean: J1(j) = 0 and J0(j) < 0 (first minimum). */
Test(diffusion_order, bessel_zero_is_first_root_of_J1)
{
    double j = j1_zero();
    cr_assert(fabs(gsl_sf_bessel_J1(j)) < 1e-12 && j > 3.8 && j < 3.9, "j = %.15g", j);
}

/* Spatial order: grids n x n, n = 10, 20, 40 (z graded, r uniform), 400
 * fixed steps to t = one decay time: the time error, ~ (lambda dt)^2 / 12 =
 * 5e-7, is below 1 % of the finest spatial error. Design order 2.
 * Measured when written: errors 3.22e-3, 8.19e-4, 2.05e-4; orders 1.97,
 * 1.99. The mode amplitude at t is exp(-1) = 0.37; the finest error is also
 * checked absolutely (tolerance 2x measured). */
Test(diffusion_order, space_order_two, .timeout = 120.0)
{
    const size_t ns[3] = {10, 20, 40};
    double e[3];
    for (size_t m = 0; m < 3; m++) {
        double R = 0.0;
        ns_diff *s = make(ns[m], ns[m], 1e-3, &R);
        double T = decay_time(R);
        for (int k = 0; k < 400; k++)
            cr_assert(ns_diff_step(s, T / 400.0) == NS_OK, "%s", ns_status_message());
        e[m] = err_exact(s, R);
        ns_diff_destroy(&s);
    }
    double p1 = log2(e[0] / e[1]), p2 = log2(e[1] / e[2]);
    cr_log_info("space: errors %.3e %.3e %.3e, observed orders %.3f %.3f", e[0], e[1], e[2], p1, p2);
    cr_expect(fabs(p1 - 2.0) < 0.1 && fabs(p2 - 2.0) < 0.1, "orders %.3f %.3f", p1, p2);
    cr_expect(e[2] < 2.0 * 2.05e-4, "finest error %.3e", e[2]);
}

/* Temporal order: fixed 20 x 20 grid, N = 16, 32, 64 steps to one decay
 * time, error against N = 1024 on the same grid (isolates the time error; its
 * own error is (16/1024)^2 = 2.4e-4 of the coarsest). Design order 2
 * (Richardson-extrapolated stabilizing-correction step, models/diffusion/
 * adi.c). N starts at 16: at N = 8 the O(dt^3) term still shows (orders
 * 1.86, 1.93 for N = 8, 16, 32). Measured when written: 6.03e-5, 1.58e-5,
 * 4.04e-6; orders 1.93, 1.97. */
Test(diffusion_order, time_order_two, .timeout = 120.0)
{
    double R = 0.0;
    ns_diff *ref = make(20, 20, 1e-3, &R);
    double T = decay_time(R);
    for (int k = 0; k < 1024; k++) cr_assert(ns_diff_step(ref, T / 1024.0) == NS_OK);
    const double *Cref;
    ns_diff_get_field(ref, NULL, NULL, &Cref, NULL, NULL);
    const int Ns[3] = {16, 32, 64};
    double e[3];
    for (size_t m = 0; m < 3; m++) {
        ns_diff *s = make(20, 20, 1e-3, &R);
        for (int k = 0; k < Ns[m]; k++) cr_assert(ns_diff_step(s, T / Ns[m]) == NS_OK);
        const double *C;
        ns_diff_get_field(s, NULL, NULL, &C, NULL, NULL);
        e[m] = 0.0;
        for (size_t k = 0; k < 400; k++) {
            double d = fabs(C[k] - Cref[k]) / K_;
            if (d > e[m]) e[m] = d;
        }
        ns_diff_destroy(&s);
    }
    ns_diff_destroy(&ref);
    double p1 = log2(e[0] / e[1]), p2 = log2(e[1] / e[2]);
    cr_log_info("time: errors %.3e %.3e %.3e, observed orders %.3f %.3f", e[0], e[1], e[2], p1, p2);
    cr_expect(fabs(p1 - 2.0) < 0.1 && fabs(p2 - 2.0) < 0.1, "orders %.3f %.3f", p1, p2);
}

/* The adaptive stepper meets its tolerance: with diff_rtol = 1e-5 on the
 * 40 x 40 grid the total error stays at the spatial error measured above
 * (2.05e-4), within 1.2x of it (time error <~ 1e-5 per unit amplitude).
 * Measured when written: 1.81e-4 in 16 steps. The zero-flux box conserves
 * its content to round-off. */
Test(diffusion_order, adaptive_matches_fixed, .timeout = 120.0)
{
    double R = 0.0;
    ns_diff *s = make(40, 40, 1e-5, &R);
    double T = decay_time(R);
    cr_assert(ns_diff_solve(s, &T, 1, NULL, NULL, NULL) == NS_OK, "%s", ns_status_message());
    double e = err_exact(s, R);
    ns_diff_result res;
    ns_diff_get_result(s, &res);
    cr_log_info("adaptive: error %.3e, %zu steps (+%zu rejected)", e, res.steps, res.rejected_steps);
    cr_expect(e < 1.2 * 2.05e-4, "error %.3e", e);
    cr_expect(res.mass_balance_error < 1e-12, "closed box: mass drift %.3e", res.mass_balance_error);
    ns_diff_destroy(&s);
}
