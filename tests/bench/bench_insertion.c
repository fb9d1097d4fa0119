/* Benchmark of models/insertion: median wall time per case for each
 * applicator at the default resolution, and the error-versus-cost table of
 * the grid convergence study of the tenting operator.
 *
 * Usage: bench_insertion [press|impact|pen|roller] [--cases N] [--rtol X] [--cold]
 * (one applicator only,
 * without the grid table: for instruction counts of one case with
 *   valgrind --tool=callgrind --callgrind-out-file=cg.out bench_insertion press
 * which are repeatable on a loaded machine, unlike wall times).
 *
 * Reference (2 shared cores, median of 21 solves, same machine and load;
 * Ir = instructions of the whole run `bench_insertion press|impact` under
 * callgrind, 21 solves + setup):
 *                      press ms  impact ms  pen ms  roller ms  press Ir  impact Ir
 *   before (ebd8b23)     9.8-10.0  10.4-10.7  3.46    7.3-7.6   2.54e9    2.63e9
 *   after                4.9-5.0   6.0-6.2    2.02    4.3-4.4   0.82e9    0.84e9
 * The solver's arithmetic is unchanged (band Cholesky written out, no matrix
 * for the post-convergence pass, per-step instead of per-iteration terms):
 * results agree to round-off.
 * Layered-elastic foundation with lock-up, damped plate, energy control of
 * impacts (c0dbeb8 -> this; press Ir of `bench_insertion press`, same run):
 *                                      press Ir   press steps
 *   Winkler foundation (c0dbeb8)         0.809e9      512
 *   Pasternak + lock-up + damped plate   0.853e9      457
 *   + no internal forces in the pass
 *     after convergence (bit-identical)  0.750e9      457
 * Wall time per press case on the loaded machine: 4.5-5.4 ms before,
 * 5-7 ms after the foundation change (noise of the shared cores; the
 * instruction counts are the comparison).
 * Skin-layer viscoelasticity (sheet and contact Maxwell branches, eqs. V1-V4
 * of models/insertion.h), `bench_insertion press` under callgrind, same run:
 *                                      press Ir   press steps
 *   elastic sheet and contact (main)     1.96e9      1159
 *   viscoelastic                         2.24e9      1106
 * (median 35 against 47 ms per press case on the loaded shared machine).
 * Tenting energy and branch power at half their cost, then the cut-depth
 * root warm-started (tip.c, tip_root), `bench_insertion press` under
 * callgrind, per case (one solve less the set-up, press steps 1509 before
 * and 2023 after the step control of a2cb1d8):
 *                                      press Ir (1509 steps)  (2023 steps)
 *   main (ccb8237 / a2cb1d8)             2.12e8                 2.814e8
 *   tent energy / power                  1.88e8                 2.479e8
 *   + cut-depth warm start               1.83e8                 2.413e8
 * Residual evaluations per cut root 14.7 -> 7.2. scripts/bench_insertion_cost.sh
 * (make bench) measures warm start off and on in one run and prints the
 * error-versus-cost table over numerics.ins_rtol. The post-convergence pass
 * of a Newton step already evaluates no internal force (step.c, since the
 * 0.750e9 line above).
 *
 * Options: --cases N solves per applicator (default 21; 0: set-up only),
 * --rtol X sets numerics.ins_rtol, --cold switches the warm start off; with
 * one applicator a "result:" line gives depth, peak force and insertion
 * energy at full precision. */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_bessel.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../models/defaults.h"
#include "../../models/insertion.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    const char *names[] = {"press", "impact", "pen", "roller"};
    int only = -1, cold = 0, ncases = 21;
    double rtol = NAN;
    for (int a = 1; a < argc; a++) {
        int known = 0;
        for (int m = 0; m < 4; m++)
            if (strcmp(argv[a], names[m]) == 0) only = m, known = 1;
        if (strcmp(argv[a], "--cold") == 0) cold = known = 1;
        if (strcmp(argv[a], "--cases") == 0 && a + 1 < argc) ncases = atoi(argv[++a]), known = 1;
        if (strcmp(argv[a], "--rtol") == 0 && a + 1 < argc) rtol = atof(argv[++a]), known = 1;
        if (!known || ncases < 0 || ncases > 1000 || (!isnan(rtol) && !(rtol > 0.0))) {
            fprintf(stderr, "usage: %s [press|impact|pen|roller] [--cases N] [--rtol X] [--cold]\n",
                    argv[0]);
            return 2;
        }
    }
    if (only < 0 && (cold || ncases != 21 || !isnan(rtol))) {
        fprintf(stderr, "%s: --cases, --rtol and --cold need one applicator\n", argv[0]);
        return 2;
    }
    printf("%-8s %12s %8s %10s\n", "mode", "median_ms", "steps", "depth_um");
    for (int m = 0; m < 4; m++) {
        if (only >= 0 && m != only) continue;
        ns_params p;
        ns_params_default(&p);
        p.applicator.mode = (ns_applicator_mode)m;
        p.applicator.mass = 5e-3;
        p.applicator.frequency = 100.0;
        p.applicator.depth_setting = 0.5e-3;
        p.applicator.drum_radius = 1e-2;
        if (m == 1) p.applicator.speed = 2.0;
        if (m == 3) {
            p.array.layout = NS_LAYOUT_ROLLER;
            p.array.count = 192;
            p.array.density = 2.5e6; /* MF8: about 250 holes/cm2 (parameters.md) */
            p.applicator.speed = 0.02;
        }
        if (!isnan(rtol)) p.numerics.ins_rtol = rtol;
        if (cold) p.numerics.ins_cut_warm_start = 0;
        if (ns_params_derive(&p)) {
            printf("%-8s derive failed: %s\n", names[m], ns_status_message());
            continue;
        }
        double t[1000];
        ns_ins_result r = {0};
        for (int k = 0; k < ncases; k++) {
            ns_ins *s = NULL;
            double t0 = now();
            ns_ins_input in;
            ns_ins_input_init(&in, &p);
            if (ns_ins_create(&in, &s) || ns_ins_solve(s, &r)) {
                printf("fail: %s\n", ns_status_message());
                ns_ins_destroy(&s);
                return 1;
            }
            t[k] = now() - t0;
            ns_ins_destroy(&s);
        }
        if (ncases == 0) continue;
        qsort(t, (size_t)ncases, sizeof t[0], cmp);
        printf("%-8s %12.3f %8zu %10.1f\n", names[m], 1e3 * t[ncases / 2], r.steps,
               1e6 * r.penetration_depth);
        if (only >= 0) /* full precision for the cost tables (scripts/bench_insertion_cost.sh) */
            printf("result: depth %.17g m, max_force %.17g N, insertion_energy %.17g J, steps %zu, "
                   "rejected %zu, energy_balance_error %.3e, retraction_force %.17g N\n",
                   r.penetration_depth, r.max_force, r.insertion_energy, r.steps, r.rejected_steps,
                   r.energy_balance_error, r.retraction_force);
    }
    if (only >= 0) return 0;
    printf("\n%-6s %14s %12s\n", "n", "K0_rel_error", "time_us");
    double N0 = 23.7, k = 3.1e5, F = 0.0123, lam = sqrt(N0 / k);
    for (size_t n = 21; n <= 641; n = 2 * n - 1) {
        double *r = malloc(n * sizeof(double)), *w = malloc(n * sizeof(double));
        ns_ins_tent_case c = {.n = n, .R = 12 * lam, .h0 = lam / (5.0 * (double)(n - 1)), .symmetric = 0,
                              .B = 0, .N0 = N0, .k = k, .q = 0, .F = F};
        double t0 = now();
        for (int it = 0; it < 20; it++) ns_ins_tent_solve(&c, r, w);
        double dt = (now() - t0) / 20.0, e = 0;
        for (size_t i = 0; i < n; i++)
            if (r[i] >= 0.5 * lam && r[i] <= 4 * lam)
                e = fmax(e, fabs(w[i] - F / (2 * M_PI * N0) * gsl_sf_bessel_K0(r[i] / lam)));
        printf("%-6zu %14.3e %12.1f\n", n, e / (F / (2 * M_PI * N0)), 1e6 * dt);
        free(r);
        free(w);
    }
    return 0;
}
