/* Unit tests of models/rootfind: the bracketed root finder, GSL-style (the
 * test functions of GSL's roots/test.c: a root with known value reached to the
 * requested width, the iteration counts of the method, the max-iterations
 * failure with its residual, invalid brackets), plus bit-identity with the
 * hand-written loops it replaced (copied here as they were). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "../../models/rootfind.h"

/* f(x) = sin(x) on [3, 4]: root pi; > 0 on the lo side. */
static int f_sin(double x, void *params, double *fx)
{
    size_t *calls = params;
    if (calls) (*calls)++;
    *fx = sin(x);
    return 0;
}

/* f(x) = 1 - x^20 on [0.1, 2]: root 1; flat then steep (Illinois' hard case). */
static int f_pow20(double x, void *params, double *fx)
{
    (void)params;
    *fx = 1.0 - pow(x, 20.0);
    return 0;
}

/* f(x) = cbrt(0.37 - x): root 0.37, infinite slope at the root. */
static int f_cbrt(double x, void *params, double *fx)
{
    (void)params;
    *fx = cbrt(0.37 - x);
    return 0;
}

Test(rootfind, bisection_reaches_the_width)
{
    size_t calls = 0;
    ns_root_bracket b = {3.0, 4.0, NAN, NAN, 0};
    cr_assert(eq(int, ns_root_solve(NS_ROOT_BISECTION, f_sin, &calls, 1e-10, 100, &b), NS_OK),
              "%s", ns_status_message());
    cr_expect(b.lo <= M_PI && M_PI <= b.hi, "[%.17g, %.17g] must hold pi", b.lo, b.hi);
    cr_expect(b.hi - b.lo <= 1e-10);
    /* bisection: width 1 -> 1e-10 takes ceil(log2(1e10)) = 34 halvings */
    cr_expect(eq(sz, b.iter, 34));
    cr_expect(eq(sz, calls, 34));
}

Test(rootfind, illinois_is_superlinear)
{
    ns_root_bracket b = {3.0, 4.0, sin(3.0), sin(4.0), 0};
    cr_assert(eq(int, ns_root_solve(NS_ROOT_ILLINOIS, f_sin, NULL, 1e-10, 100, &b), NS_OK));
    cr_expect(b.lo <= M_PI && M_PI <= b.hi, "[%.17g, %.17g]", b.lo, b.hi);
    cr_expect(b.iter < 12, "Illinois used %zu iterations (bisection needs 34)", b.iter);

    ns_root_bracket c = {0.1, 2.0, 1.0 - pow(0.1, 20.0), 1.0 - pow(2.0, 20.0), 0};
    cr_assert(eq(int, ns_root_solve(NS_ROOT_ILLINOIS, f_pow20, NULL, 1e-12, 200, &c), NS_OK),
              "%s", ns_status_message());
    cr_expect(c.lo <= 1.0 && 1.0 <= c.hi && c.hi - c.lo <= 1e-12, "[%.17g, %.17g]", c.lo, c.hi);
}

Test(rootfind, infinite_slope_and_full_resolution)
{
    /* epsabs = 0: to adjacent doubles around the root, then stop (not ECONV) */
    ns_root_bracket b = {0.0, 1.0, NAN, NAN, 0};
    cr_assert(eq(int, ns_root_solve(NS_ROOT_BISECTION, f_cbrt, NULL, 0.0, 200, &b), NS_OK),
              "%s", ns_status_message());
    cr_expect(b.lo <= 0.37 && 0.37 <= b.hi);
    cr_expect(nextafter(b.lo, 1.0) == b.hi, "[%.17g, %.17g] not adjacent", b.lo, b.hi);
    cr_expect(b.iter < 60, "%zu iterations", b.iter);
}

Test(rootfind, max_iterations_is_econv_with_residual)
{
    ns_root_bracket b = {3.0, 4.0, NAN, NAN, 0};
    cr_assert(eq(int, ns_root_solve(NS_ROOT_BISECTION, f_sin, NULL, 1e-10, 5, &b), NS_ECONV));
    const char *m = ns_status_message();
    cr_expect(strstr(m, "5 iterations") != NULL && strstr(m, "width") != NULL, "%s", m);
    cr_expect(eq(sz, b.iter, 5));
    /* the bracket reached is still valid and 2^-5 wide */
    cr_expect(b.lo <= M_PI && M_PI <= b.hi);
    cr_expect(ieee_ulp_eq(dbl, b.hi - b.lo, 1.0 / 32.0, 4));
}

Test(rootfind, rejects_bad_input)
{
    ns_root_bracket b = {4.0, 3.0, NAN, NAN, 0};
    cr_expect(eq(int, ns_root_solve(NS_ROOT_BISECTION, f_sin, NULL, 1e-10, 50, &b), NS_EINVAL));
    cr_expect(strstr(ns_status_message(), "empty") != NULL, "%s", ns_status_message());
    b = (ns_root_bracket){3.0, 4.0, NAN, NAN, 0};
    cr_expect(eq(int, ns_root_solve(NS_ROOT_BISECTION, f_sin, NULL, -1.0, 50, &b), NS_EINVAL));
    cr_expect(eq(int, ns_root_solve(NS_ROOT_BISECTION, f_sin, NULL, NAN, 50, &b), NS_EINVAL));
    cr_expect(eq(int, ns_root_solve(NS_ROOT_BISECTION, NULL, NULL, 1e-3, 50, &b), NS_EINVAL));
    cr_expect(eq(int, ns_root_solve((ns_root_method)7, f_sin, NULL, 1e-3, 50, &b), NS_EINVAL));
    cr_expect(eq(int, ns_root_solve(NS_ROOT_BISECTION, f_sin, NULL, 1e-3, 50, NULL), NS_EINVAL));
}

/* f not evaluable above 3.5 (> 0): the bracket shrinks towards lo there. */
static int f_sin_capped(double x, void *params, double *fx)
{
    (void)params;
    if (x > 3.5) return 1;
    *fx = sin(x);
    return 0;
}

/* fatal above 3.9: the status comes back. */
static int f_fatal(double x, void *params, double *fx)
{
    (void)params;
    if (x > 3.9) {
        ns_status_set(NS_ENONFINITE, __FILE__, __LINE__, __func__, "x = %g", x);
        return -(int)NS_ENONFINITE;
    }
    *fx = sin(x);
    return 0;
}

Test(rootfind, not_evaluable_and_fatal)
{
    ns_root_bracket b = {3.0, 6.0, sin(3.0), sin(6.0), 0};
    cr_assert(eq(int, ns_root_solve(NS_ROOT_BISECTION, f_sin_capped, NULL, 1e-9, 100, &b), NS_OK));
    cr_expect(b.lo <= M_PI && M_PI <= b.hi && b.hi <= 3.5);
    b = (ns_root_bracket){3.0, 7.9, sin(3.0), sin(7.9), 0};
    cr_expect(eq(int, ns_root_solve(NS_ROOT_BISECTION, f_fatal, NULL, 1e-9, 100, &b),
                 NS_ENONFINITE));
    cr_expect(strstr(ns_status_message(), "x = 5.45") != NULL, "%s", ns_status_message());
}

/* ---- bit-identity with the loops this replaced -------------------------------- */

/* The former ns_needle_derive loop: lo while g(mid) > 0, 200 iterations or
 * width 1e-12, result hi; g has a root at 1.234567. */
static double g_smooth(double x) { return 1.234567 - x + 0.3 * sin(x) - 0.3 * sin(1.234567); }

static int f_smooth(double x, void *params, double *fx)
{
    (void)params;
    *fx = g_smooth(x);
    return 0;
}

Test(rootfind, bisection_matches_the_old_loops_bit_for_bit)
{
    double lo = 1e-9, hi = M_PI - 1e-9;
    for (int it = 0; it < 200 && hi - lo > 1e-12; it++) {
        double mid = 0.5 * (lo + hi);
        if (g_smooth(mid) > 0.0)
            lo = mid;
        else
            hi = mid;
    }
    ns_root_bracket b = {1e-9, M_PI - 1e-9, NAN, NAN, 0};
    cr_assert(eq(int, ns_root_solve(NS_ROOT_BISECTION, f_smooth, NULL, 1e-12, 200, &b), NS_OK));
    cr_expect(b.lo == lo && b.hi == hi, "lo %.17g vs %.17g, hi %.17g vs %.17g", b.lo, lo, b.hi, hi);
    /* the former tent stretching loop: 100 iterations, no width test */
    lo = 1e-6;
    hi = 60.0;
    for (int it = 0; it < 100; it++) {
        double mid = 0.5 * (lo + hi);
        if (g_smooth(mid) > 0.0)
            lo = mid;
        else
            hi = mid;
    }
    b = (ns_root_bracket){1e-6, 60.0, NAN, NAN, 0};
    cr_assert(eq(int, ns_root_solve(NS_ROOT_BISECTION, f_smooth, NULL, 0.0, 100, &b), NS_OK));
    cr_expect(b.lo == lo && b.hi == hi, "lo %.17g vs %.17g", b.lo, lo);
}

/* The former event loop (Illinois on g = -f, hi while g >= 0). */
Test(rootfind, illinois_matches_the_old_event_loop_bit_for_bit)
{
    double h = 2.5;
    double lo = 0.0, hi = h, glo = -g_smooth(lo), ghi = -g_smooth(hi);
    int side = 0;
    int its = 0;
    for (int it = 0; it < 30 && hi - lo > 1e-10 * h; it++, its++) {
        double hm = (lo * ghi - hi * glo) / (ghi - glo);
        if (!(hm > lo && hm < hi) || !isfinite(hm)) hm = 0.5 * (lo + hi);
        double gm = -g_smooth(hm);
        if (gm >= 0.0) {
            hi = hm;
            ghi = gm;
            if (side == 1) glo *= 0.5;
            side = 1;
        } else {
            lo = hm;
            glo = gm;
            if (side == -1) ghi *= 0.5;
            side = -1;
        }
    }
    ns_root_bracket b = {0.0, h, g_smooth(0.0), g_smooth(h), 0};
    cr_assert(eq(int, ns_root_solve(NS_ROOT_ILLINOIS, f_smooth, NULL, 1e-10 * h, 30, &b), NS_OK));
    cr_expect(b.hi == hi && b.lo == lo, "hi %.17g vs %.17g", b.hi, hi);
    cr_expect(eq(sz, b.iter, (size_t)its));
}
