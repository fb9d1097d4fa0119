/* Sweep design: grid count and order, zip, Latin hypercube strata,
 * Sobol range, Saltelli blocks, determinism in the seed. */
#pragma GCC diagnostic ignored "-Wconversion" /* Criterion assertion macros */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/sweep.h"

static ns_sweep *make(const char *const *keys, const char *const *vals, size_t n,
                      ns_sweep_mode mode, size_t samples, unsigned long seed)
{
    ns_sweep *s = NULL;
    cr_assert(eq(int, ns_sweep_create(&s), NS_OK));
    char err[512] = "";
    for (size_t k = 0; k < n; k++) {
        ns_key_ref r;
        cr_assert(eq(int, ns_keys_find_dotted(keys[k], &r), 0), "%s", keys[k]);
        cr_assert(eq(int, ns_sweep_add_axis(s, &r, vals[k], err, sizeof err), NS_OK), "%s", err);
    }
    cr_assert(eq(int, ns_sweep_build(s, mode, samples, seed, 10000000ULL, err, sizeof err), NS_OK),
              "%s", err);
    return s;
}

Test(sweep, grid_product_first_axis_slowest)
{
    const char *keys[] = {"needle.length", "applicator.mode", "array.density"};
    const char *vals[] = {"250 um, 500 um, 1 mm", "press, impact", "log(10 /cm2, 1000 /cm2, 3)"};
    ns_sweep *s = make(keys, vals, 3, NS_SWEEP_GRID, 0, 0);
    cr_assert(eq(sz, ns_sweep_n_cases(s), 3 * 2 * 3));
    /* case 7 = (1, 0, 1): 500 um, press, 100 /cm2 */
    cr_assert(ieee_ulp_eq(dbl, ns_sweep_value(s, 0, 7), 500e-6, 1));
    cr_assert(strcmp(ns_sweep_label(s, 1, 7), "press") == 0);
    /* log midpoint 10 * 100^(1/2) = 100 /cm2 = 1e6 /m2; pow() rounding: 4 ulp */
    cr_assert(ieee_ulp_eq(dbl, ns_sweep_value(s, 2, 7), 1e6, 4));
    cr_assert(ieee_ulp_eq(dbl, ns_sweep_value(s, 2, 17), 1e7, 1)); /* exact end point */
    cr_assert(strcmp(ns_sweep_label(s, 1, 17), "impact") == 0);
    cr_assert(ns_sweep_label(s, 0, 0) == NULL);
    ns_sweep_destroy(&s);
    cr_assert(s == NULL);
}

Test(sweep, lin_range_values)
{
    const char *keys[] = {"applicator.speed"};
    const char *vals[] = {"lin(0.5 mm/s, 3 m/s, 8)"};
    ns_sweep *s = make(keys, vals, 1, NS_SWEEP_GRID, 0, 0);
    cr_assert(eq(sz, ns_sweep_n_cases(s), 8));
    for (size_t j = 0; j < 8; j++) {
        double want = 0.5e-3 + (3.0 - 0.5e-3) * (double)j / 7.0;
        /* one multiply-add per point: within 4 ulp of the closed form */
        cr_assert(ieee_ulp_eq(dbl, ns_sweep_value(s, 0, j), want, 4), "j = %zu", j);
    }
    ns_sweep_destroy(&s);
}

Test(sweep, zip_pairs)
{
    const char *keys[] = {"needle.length", "needle.base_diameter"};
    const char *vals[] = {"300 um, 600 um", "100 um, 200 um"};
    ns_sweep *s = make(keys, vals, 2, NS_SWEEP_ZIP, 0, 0);
    cr_assert(eq(sz, ns_sweep_n_cases(s), 2));
    cr_assert(ieee_ulp_eq(dbl, ns_sweep_value(s, 1, 1), 200e-6, 1));
    ns_sweep_destroy(&s);
}

Test(sweep, zip_length_mismatch_and_missing_samples)
{
    ns_sweep *s = NULL;
    char err[512];
    ns_key_ref a, b;
    ns_keys_find_dotted("needle.length", &a);
    ns_keys_find_dotted("applicator.speed", &b);
    cr_assert(eq(int, ns_sweep_create(&s), NS_OK));
    cr_assert(eq(int, ns_sweep_add_axis(s, &a, "300 um, 600 um", err, sizeof err), NS_OK));
    cr_assert(eq(int, ns_sweep_add_axis(s, &b, "1 mm/s, 2 mm/s, 3 mm/s", err, sizeof err), NS_OK));
    cr_assert(eq(int, ns_sweep_build(s, NS_SWEEP_ZIP, 0, 0, 1000, err, sizeof err), NS_EINVAL));
    cr_assert(strstr(err, "same length") != NULL, "%s", err);
    cr_assert(eq(int, ns_sweep_build(s, NS_SWEEP_LHS, 0, 0, 1000, err, sizeof err), NS_EINVAL));
    cr_assert(strstr(err, "samples") != NULL, "%s", err);
    cr_assert(eq(int, ns_sweep_build(s, NS_SWEEP_GRID, 0, 0, 5, err, sizeof err), NS_EINVAL));
    cr_assert(strstr(err, "more than 5 cases") != NULL, "%s", err);
    ns_sweep_destroy(&s);
}

/* Each of the N strata [j/N, (j+1)/N) of every axis holds exactly one point. */
Test(sweep, lhs_strata_hit_once_per_axis)
{
    enum { N = 97 };
    const char *keys[] = {"needle.length", "applicator.speed", "array.density"};
    const char *vals[] = {"lin(200 um, 1.2 mm)", "lin(1 mm/s, 3 m/s)", "log(10 /cm2, 1e4 /cm2)"};
    ns_sweep *s = make(keys, vals, 3, NS_SWEEP_LHS, N, 12345);
    cr_assert(eq(sz, ns_sweep_n_cases(s), N));
    const double lo[] = {200e-6, 1e-3, 1e5}, hi[] = {1.2e-3, 3.0, 1e8};
    for (size_t k = 0; k < 3; k++) {
        int hit[N] = {0};
        for (size_t i = 0; i < N; i++) {
            double x = ns_sweep_value(s, k, i);
            cr_assert(x >= lo[k] && x <= hi[k]);
            double u = (k == 2) ? log(x / lo[k]) / log(hi[k] / lo[k]) : (x - lo[k]) / (hi[k] - lo[k]);
            size_t j = (size_t)floor(u * N);
            if (j == N) j = N - 1;
            hit[j]++;
        }
        for (size_t j = 0; j < N; j++) cr_assert(eq(int, hit[j], 1), "axis %zu stratum %zu", k, j);
    }
    ns_sweep_destroy(&s);
}

Test(sweep, lhs_list_axis_stratified)
{
    /* 40 samples over 4 names: each name exactly 10 times */
    const char *keys[] = {"applicator.mode"};
    const char *vals[] = {"press, impact, pen, roller"};
    ns_sweep *s = make(keys, vals, 1, NS_SWEEP_LHS, 40, 7);
    int count[4] = {0};
    for (size_t i = 0; i < 40; i++) count[(int)ns_sweep_value(s, 0, i)]++;
    for (int m = 0; m < 4; m++) cr_assert(eq(int, count[m], 10), "mode %d", m);
    ns_sweep_destroy(&s);
}

Test(sweep, same_seed_same_cases_different_seed_different)
{
    const char *keys[] = {"needle.length", "applicator.speed"};
    const char *vals[] = {"lin(200 um, 1.2 mm)", "log(1 mm/s, 3 m/s)"};
    ns_sweep *a = make(keys, vals, 2, NS_SWEEP_LHS, 50, 42);
    ns_sweep *b = make(keys, vals, 2, NS_SWEEP_LHS, 50, 42);
    ns_sweep *c = make(keys, vals, 2, NS_SWEEP_LHS, 50, 43);
    size_t same = 0;
    for (size_t i = 0; i < 50; i++)
        for (size_t k = 0; k < 2; k++) {
            cr_assert(ieee_ulp_eq(dbl, ns_sweep_value(a, k, i), ns_sweep_value(b, k, i), 0));
            same += ns_sweep_value(a, k, i) == ns_sweep_value(c, k, i);
        }
    cr_assert(eq(sz, same, 0), "%zu values equal across seeds", same);
    ns_sweep_destroy(&a);
    ns_sweep_destroy(&b);
    ns_sweep_destroy(&c);
}

Test(sweep, sobol_in_range_and_not_at_origin)
{
    const char *keys[] = {"needle.length", "applicator.speed", "needle.tip_radius"};
    const char *vals[] = {"lin(200 um, 1.2 mm)", "log(1 mm/s, 3 m/s)", "lin(1 um, 50 um)"};
    ns_sweep *s = make(keys, vals, 3, NS_SWEEP_SOBOL, 64, 0);
    const double lo[] = {200e-6, 1e-3, 1e-6}, hi[] = {1.2e-3, 3.0, 50e-6};
    for (size_t i = 0; i < 64; i++)
        for (size_t k = 0; k < 3; k++) {
            double x = ns_sweep_value(s, k, i);
            cr_assert(x >= lo[k] && x <= hi[k], "case %zu axis %zu: %g", i, k, x);
        }
    /* GSL's sequence omits the origin: the first point is the centre */
    cr_assert(ieee_ulp_eq(dbl, ns_sweep_value(s, 0, 0), 0.7e-3, 4));
    ns_sweep_destroy(&s);
}

Test(sweep, rejects_bad_axes)
{
    ns_sweep *s = NULL;
    char err[512];
    ns_key_ref r;
    cr_assert(eq(int, ns_sweep_create(&s), NS_OK));
    ns_keys_find_dotted("run.duration", &r);
    cr_assert(eq(int, ns_sweep_add_axis(s, &r, "1 h, 2 h", err, sizeof err), NS_EINVAL));
    cr_assert(strstr(err, "cannot be swept") != NULL, "%s", err);
    ns_keys_find_dotted("needle.length", &r);
    cr_assert(eq(int, ns_sweep_add_axis(s, &r, "lin(1 mm, 2 mm", err, sizeof err), NS_EINVAL));
    cr_assert(eq(int, ns_sweep_add_axis(s, &r, "log(0 mm, 2 mm, 3)", err, sizeof err), NS_EINVAL));
    cr_assert(eq(int, ns_sweep_add_axis(s, &r, "1 mm,,2 mm", err, sizeof err), NS_EINVAL));
    cr_assert(eq(int, ns_sweep_add_axis(s, &r, "1 mm, 2 N", err, sizeof err), NS_EINVAL));
    cr_assert(strstr(err, "value 2 '2 N'") != NULL, "%s", err);
    ns_keys_find_dotted("applicator.mode", &r);
    cr_assert(eq(int, ns_sweep_add_axis(s, &r, "lin(1, 2, 2)", err, sizeof err), NS_EINVAL));
    ns_sweep_destroy(&s);
}

/* Saltelli's design: N (K + 2) cases; AB_k equals A except column k, which
 * equals B; every value inside its range; A and B differ on every numeric axis. */
Test(sweep, saltelli_blocks_a_b_ab)
{
    const char *keys[] = {"needle.length", "applicator.speed", "applicator.mode"};
    const char *vals[] = {"lin(200 um, 1.2 mm)", "log(1 mm/s, 3 m/s)", "press, impact"};
    const size_t N = 37, K = 3;
    ns_sweep *s = make(keys, vals, K, NS_SWEEP_SALTELLI, N, 20261201);
    cr_assert(eq(sz, ns_sweep_n_cases(s), N * (K + 2)));
    const double lo[] = {200e-6, 1e-3, 0.0}, hi[] = {1.2e-3, 3.0, 1.0};
    size_t a_eq_b = 0;
    for (size_t i = 0; i < N; i++) {
        cr_assert(eq(int, ns_sweep_saltelli_block(s, i), 0));
        cr_assert(eq(int, ns_sweep_saltelli_block(s, N + i), 1));
        for (size_t k = 0; k < K; k++) {
            double a = ns_sweep_value(s, k, i), b = ns_sweep_value(s, k, N + i);
            cr_assert(a >= lo[k] && a <= hi[k] && b >= lo[k] && b <= hi[k],
                      "base point %zu axis %zu: A %g, B %g", i, k, a, b);
            a_eq_b += (a == b) && k < 2;
        }
        for (size_t j = 0; j < K; j++) {
            size_t c = (2 + j) * N + i;
            cr_assert(eq(int, ns_sweep_saltelli_block(s, c), (int)(2 + j)));
            for (size_t k = 0; k < K; k++) {
                double want = ns_sweep_value(s, k, (k == j ? N : 0) + i);
                cr_assert(ieee_ulp_eq(dbl, ns_sweep_value(s, k, c), want, 0),
                          "AB_%zu case %zu axis %zu", j, c, k);
            }
        }
    }
    cr_assert(eq(sz, a_eq_b, 0), "%zu numeric values equal in A and B", a_eq_b);
    cr_assert(eq(int, ns_sweep_saltelli_block(s, N * (K + 2)), -1));
    ns_sweep_destroy(&s);
}

/* The digital shift keeps Sobol's stratification: with N = 2^m base
 * points every one of the N equal strata of each A and B column (linear
 * axes over [0, 1]) holds exactly one point. A new seed moves every point. */
Test(sweep, saltelli_stratified_and_seeded)
{
    const char *keys[] = {"skin.dermis.open_fraction", "skin.hypodermis.open_fraction"};
    const char *vals[] = {"lin(0, 1)", "lin(0, 1)"};
    const size_t N = 64, K = 2;
    ns_sweep *s = make(keys, vals, K, NS_SWEEP_SALTELLI, N, 7);
    ns_sweep *t = make(keys, vals, K, NS_SWEEP_SALTELLI, N, 8);
    for (size_t block = 0; block < 2; block++)
        for (size_t k = 0; k < K; k++) {
            int hit[64] = {0};
            for (size_t i = 0; i < N; i++) {
                double x = ns_sweep_value(s, k, block * N + i);
                size_t j = (size_t)floor(x * (double)N);
                cr_assert(j < N, "value %g outside [0, 1)", x);
                hit[j]++;
            }
            for (size_t j = 0; j < N; j++)
                cr_assert(eq(int, hit[j], 1), "block %zu axis %zu stratum %zu: %d points", block,
                          k, j, hit[j]);
        }
    size_t same = 0;
    for (size_t i = 0; i < 2 * N; i++) same += ns_sweep_value(s, 0, i) == ns_sweep_value(t, 0, i);
    cr_assert(eq(sz, same, 0), "%zu values equal across seeds", same);
    ns_sweep_destroy(&s);
    ns_sweep_destroy(&t);
}

Test(sweep, saltelli_rejects_too_many_axes_and_cases)
{
    ns_sweep *s = NULL;
    char err[512] = "";
    cr_assert(eq(int, ns_sweep_create(&s), NS_OK));
    const char *keys[] = {"needle.length", "needle.tip_radius", "applicator.speed"};
    const char *vals[] = {"lin(200 um, 1.2 mm)", "lin(1 um, 50 um)", "log(1 mm/s, 3 m/s)"};
    for (size_t k = 0; k < 3; k++) {
        ns_key_ref r;
        cr_assert(eq(int, ns_keys_find_dotted(keys[k], &r), 0));
        cr_assert(eq(int, ns_sweep_add_axis(s, &r, vals[k], err, sizeof err), NS_OK), "%s", err);
    }
    /* 100 x (3 + 2) = 500 cases > a cap of 499 */
    cr_assert(eq(int, ns_sweep_build(s, NS_SWEEP_SALTELLI, 100, 1, 499, err, sizeof err),
                 NS_EINVAL));
    cr_assert(strstr(err, "3 axes + 2") != NULL, "%s", err);
    cr_assert(eq(int, ns_sweep_build(s, NS_SWEEP_SALTELLI, 100, 1, 500, err, sizeof err), NS_OK),
              "%s", err);
    cr_assert(eq(int, ns_sweep_build(s, NS_SWEEP_SALTELLI, 0, 1, 500, err, sizeof err), NS_EINVAL));
    cr_assert(strstr(err, "samples") != NULL, "%s", err);
    ns_sweep_destroy(&s);
}

Test(sweep, saltelli_rejects_more_than_20_axes)
{
    const char *layer[] = {"stratum_corneum", "viable_epidermis", "dermis", "hypodermis"};
    const char *prop[] = {"poisson", "friction", "relaxation_fraction", "stiffening", "partition",
                          "open_fraction"};
    ns_sweep *s = NULL;
    char err[512] = "", key[96];
    cr_assert(eq(int, ns_sweep_create(&s), NS_OK));
    for (size_t n = 0; n < NS_SWEEP_SALTELLI_MAX_AXES + 1; n++) {
        ns_key_ref r;
        snprintf(key, sizeof key, "skin.%s.%s", layer[n % 4], prop[n / 4]);
        cr_assert(eq(int, ns_keys_find_dotted(key, &r), 0), "%s", key);
        cr_assert(eq(int, ns_sweep_add_axis(s, &r, "lin(0.1, 0.3)", err, sizeof err), NS_OK),
                  "%s: %s", key, err);
    }
    cr_assert(eq(int, ns_sweep_build(s, NS_SWEEP_SALTELLI, 8, 1, 1000, err, sizeof err),
                 NS_EINVAL));
    cr_assert(strstr(err, "at most 20") != NULL, "%s", err);
    ns_sweep_destroy(&s);
}
