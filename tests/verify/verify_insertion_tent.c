/* Verification of the tenting operator of models/insertion against analytic
 * solutions (ns_ins_tent_solve), with observed orders of grid convergence.
 * Grids: the stretched map r = R sinh(beta xi)/sinh(beta) with the target
 * first spacing proportional to 1/(n-1), so beta is fixed under refinement and
 * the nodes of grid n are a subset of grid 2n-1 (a true refinement). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_bessel.h>
#include <float.h>
#include <math.h>

/* Criterion's assertion macros trip -Wconversion on their bit-field flags. */
#pragma GCC diagnostic ignored "-Wconversion"

#include "../../models/insertion.h"

#define NMAX 700

/* Membrane on a Winkler foundation under a point load:
 *   w = F/(2 pi N0) K0(r/lambda), lambda = sqrt(N0/k).
 * Compared on 0.5 lambda <= r <= 4 lambda (away from the log singularity);
 * domain 12 lambda with w(R) = 0 (K0(12) = 3e-6 relative: below the
 * discretisation error at the finest grid). */
static double membrane_error(size_t n)
{
    static double r[NMAX], w[NMAX];
    double N0 = 23.7, k = 3.1e5, F = 0.0123, lam = sqrt(N0 / k);
    ns_ins_tent_case c = {.n = n, .R = 12.0 * lam, .h0 = lam / (5.0 * (double)(n - 1)),
                          .symmetric = 0, .B = 0.0, .N0 = N0, .k = k, .q = 0.0, .F = F};
    cr_assert(eq(int, ns_ins_tent_solve(&c, r, w), NS_OK));
    double e = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (r[i] < 0.5 * lam || r[i] > 4.0 * lam) continue;
        double ex = F / (2.0 * M_PI * N0) * gsl_sf_bessel_K0(r[i] / lam);
        e = fmax(e, fabs(w[i] - ex));
    }
    return e / (F / (2.0 * M_PI * N0));
}

Test(insertion_verify, membrane_point_load_K0_second_order)
{
    gsl_set_error_handler_off();
    double e1 = membrane_error(41), e2 = membrane_error(81), e3 = membrane_error(161);
    double p1 = log2(e1 / e2), p2 = log2(e2 / e3);
    cr_log_info("membrane K0: rel. errors %.3e %.3e %.3e, orders %.3f %.3f", e1, e2, e3, p1, p2);
    /* second-order scheme: observed order within 0.2 of 2 on the finest pair */
    cr_assert(p2 > 1.8 && p2 < 2.2, "observed order %.3f (errors %.3e %.3e %.3e)", p2, e1, e2, e3);
    /* accuracy at n = 161: 2 x the relative error measured when written (3.6e-4) */
    cr_assert(e3 < 7.2e-4, "relative error %.3e at n = 161", e3);
}

/* Plate on a Winkler foundation, point load: w(0) = F / (8 sqrt(k B)). */
static double plate_error(size_t n)
{
    static double r[NMAX], w[NMAX];
    double B = 7.93e-5, k = 3.1e5, F = 0.0123, l = pow(B / k, 0.25);
    ns_ins_tent_case c = {.n = n, .R = 12.0 * l, .h0 = l / (4.0 * (double)(n - 1)),
                          .symmetric = 0, .B = B, .N0 = 0.0, .k = k, .q = 0.0, .F = F};
    cr_assert(eq(int, ns_ins_tent_solve(&c, r, w), NS_OK));
    double ex = F / (8.0 * sqrt(k * B));
    return fabs(w[0] - ex) / ex;
}

Test(insertion_verify, plate_point_load_centre_second_order)
{
    gsl_set_error_handler_off();
    double e1 = plate_error(41), e2 = plate_error(81), e3 = plate_error(161);
    double p1 = log2(e1 / e2), p2 = log2(e2 / e3);
    cr_log_info("plate centre: rel. errors %.3e %.3e %.3e, orders %.3f %.3f", e1, e2, e3, p1, p2);
    cr_assert(p2 > 1.8 && p2 < 2.2, "observed order %.3f (errors %.3e %.3e %.3e)", p2, e1, e2, e3);
    /* 2 x the relative error measured at n = 161 when written (1.31e-4) */
    cr_assert(e3 < 2.6e-4, "relative error %.3e at n = 161", e3);
}

/* Uniform load on a periodic unit cell: w = q / k exactly in arithmetic (the
 * discrete operators annihilate constants), so the error is round-off in the
 * Cholesky solve: bounded by ~ cond(J) eps with cond(J) ~ B/(h^4 k) (bending
 * over foundation on the finest spacing h). Tolerance 100 cond eps. */
Test(insertion_verify, uniform_load_periodic_cell)
{
    gsl_set_error_handler_off();
    double r[60], w[60];
    ns_ins_tent_case c = {.n = 60, .R = 3.7e-4, .h0 = 1.0e-5, .symmetric = 1, .B = 3.3e-9,
                          .N0 = 12.3, .k = 2.9e5, .q = 1.73e3, .F = 0.0};
    cr_assert(eq(int, ns_ins_tent_solve(&c, r, w), NS_OK));
    double hmin = r[1] - r[0];
    double cond = 1.0 + c.B / (pow(hmin, 4) * c.k) + c.N0 / (hmin * hmin * c.k);
    double tol = 100.0 * cond * DBL_EPSILON;
    for (size_t i = 0; i < 60; i++)
        cr_assert(fabs(w[i] - c.q / c.k) < tol * (c.q / c.k), "node %zu: w = %.15e, q/k = %.15e (tol %.2e)",
                  i, w[i], c.q / c.k, tol);
}

Test(insertion_verify, tent_rejects_bad_input)
{
    double r[10], w[10];
    ns_ins_tent_case c = {.n = 10, .R = 1e-3, .h0 = 1e-5, .symmetric = 0, .B = 0, .N0 = 1, .k = -1};
    cr_assert(eq(int, ns_ins_tent_solve(&c, r, w), NS_EINVAL));
    c.k = 1e5;
    c.n = 3;
    cr_assert(eq(int, ns_ins_tent_solve(&c, r, w), NS_EINVAL));
}
