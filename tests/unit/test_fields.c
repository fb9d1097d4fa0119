/* Concentration-field capture of a case (ns_case_run_fields): the scalars and
 * curves are bit-identical to ns_case_run, the snapshots are on the solver
 * grid and obey the maximum principle. */
#pragma GCC diagnostic ignored "-Wconversion" /* Criterion assertion macros */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/case.h"
#include "../../sim/config.h"
#include "config_fixture.h"

/* A cheap needle case (coarse grids, 20 min) and the same without needles. */
static const char *cfg_text = "[run]\nduration = 20 min\noutput_times = 7\n"
                              "[skin]\npreset = forearm\n"
                              "[needle]\npreset = dermaroller\nlength = 800 um\n"
                              "[array]\nlayout = square\ncount = 4\ndensity = 137 /cm2\n"
                              "[applicator]\nmode = impact\n"
                              "[drug]\npreset = caffeine\nconcentration = 7.3 mg/mL\ndose = infinite\n"
                              "[numerics]\nins_n_r = 16\ndiff_n_r = 7\ndiff_n_z = 13\ncurve_points = 16\n"
                              "[sweep]\nmode = grid\narray.layout = square, none\n";

static ns_config *load(void) { return fx_config_load(cfg_text, NULL, 0); }

/* Same bits: fields on or off must not change any stored number. */
static void check_identical(size_t icase)
{
    ns_config *c = load();
    ns_params p;
    cr_assert(eq(int, ns_config_case(c, icase, &p), NS_OK));
    ns_curve_sizes sz = {16, 7};
    ns_case_result a, b;
    ns_case_fields f;
    cr_assert(eq(int, ns_case_result_init(&a, sz), NS_OK));
    cr_assert(eq(int, ns_case_result_init(&b, sz), NS_OK));
    cr_assert(eq(int, ns_case_fields_init(&f, &p, sz.n_time), NS_OK));
    cr_assert(eq(int, ns_case_run(&p, &a), NS_OK), "%s", ns_status_message());
    cr_assert(eq(int, ns_case_run_fields(&p, &b, &f), NS_OK), "%s", ns_status_message());
    for (size_t k = 0; k < NS_R_COUNT; k++)
        cr_assert(memcmp(&a.scalar[k], &b.scalar[k], sizeof(double)) == 0,
                  "case %zu: %s differs: %.17g vs %.17g", icase, ns_result_table[k].name,
                  a.scalar[k], b.scalar[k]);
    for (size_t cc = 0; cc < NS_C_COUNT; cc++)
        cr_assert(memcmp(a.curve[cc], b.curve[cc], ns_curve_length((ns_curve_id)cc, sz) * sizeof(double)) == 0,
                  "case %zu: curve %s differs", icase, ns_curve_table[cc].name);
    /* The lag time is recomputed from the per-time calls: it must have been defined
     * here in at least one of the two runs for the comparison to mean something. */
    cr_assert(isfinite(a.scalar[NS_R_PERMEATED_AMOUNT]) && a.scalar[NS_R_PERMEATED_AMOUNT] > 0.0);

    /* Grid: ascending centres inside the domain. */
    for (size_t i = 0; i < f.nr; i++) {
        cr_assert(isfinite(f.r[i]) && f.r[i] > 0.0, "r[%zu] = %g m", i, f.r[i]);
        if (i) cr_assert(f.r[i] > f.r[i - 1]);
    }
    for (size_t j = 0; j < f.nz; j++) {
        cr_assert(isfinite(f.z[j]) && f.z[j] > 0.0, "z[%zu] = %g m", j, f.z[j]);
        if (j) cr_assert(f.z[j] > f.z[j - 1]);
    }
    /* Maximum principle: 0 <= u = C/K <= C_v, so C <= max_K K C_v (K = 1 in the
     * channel). Slack 1e-3 C_v: Douglas/Crank-Nicolson overshoot of the stiff
     * modes at a discontinuous start is kept below the step tolerance
     * diff_rtol (default 1e-4 relative to C_v, models/diffusion.h), x10. */
    double Kmax = 1.0;
    for (size_t l = 0; l < p.skin.n_layers; l++)
        if (p.skin.layer[l].partition > Kmax) Kmax = p.skin.layer[l].partition;
    double Cv = p.drug.concentration, top = Kmax * Cv;
    for (size_t k = 0; k < f.n_time * f.nz * f.nr; k++)
        cr_assert(isfinite(f.C[k]) && f.C[k] >= -1e-3 * Cv && f.C[k] <= top + 1e-3 * Cv,
                  "C[%zu] = %g kg/m3 outside [0, %g]", k, f.C[k], top);
    /* Drug enters from the surface: the top cell of the axis column fills up over time. */
    size_t last = (f.n_time - 1) * f.nz * f.nr;
    cr_assert(f.C[last] > f.C[0], "surface cell: C = %g at t_end, %g at t_0", f.C[last], f.C[0]);
    ns_case_fields_clear(&f);
    ns_case_result_clear(&a);
    ns_case_result_clear(&b);
    ns_config_destroy(&c);
}

Test(fields, needle_case_bit_identical, .timeout = 60.0) { check_identical(0); }

Test(fields, intact_case_bit_identical, .timeout = 60.0) { check_identical(1); }

Test(fields, rejects_mismatched_buffer)
{
    ns_config *c = load();
    ns_params p;
    cr_assert(eq(int, ns_config_case(c, 0, &p), NS_OK));
    ns_curve_sizes sz = {16, 7};
    ns_case_result r;
    ns_case_fields f;
    cr_assert(eq(int, ns_case_result_init(&r, sz), NS_OK));
    cr_assert(eq(int, ns_case_fields_init(&f, &p, sz.n_time + 1), NS_OK));
    cr_assert(eq(int, ns_case_run_fields(&p, &r, &f), NS_EINVAL));
    cr_assert(strstr(ns_status_message(), "diff_n_r") != NULL, "%s", ns_status_message());
    ns_case_fields_clear(&f);
    ns_case_result_clear(&r);
    ns_config_destroy(&c);
}
