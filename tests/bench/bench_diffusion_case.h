/* What the diffusion benchmarks share (bench_diffusion, bench_petsc): the
 * output times of a bench case and one timed needlesim solve, so the PETSc
 * peer is compared with exactly the run the diffusion table measures. */
#ifndef NS_BENCH_DIFFUSION_CASE_H
#define NS_BENCH_DIFFUSION_CASE_H

#include <math.h>
#include <time.h>

#include "../../models/channel.h"
#include "../../models/diffusion.h"

enum { NS_BENCH_NT = 50 }; /* [-] output times of a bench case */

/* t[k] = duration 10^(-4 + 4 k / (NT - 1)): four decades up to the duration. */
static inline void bench_output_times(double duration, double t[NS_BENCH_NT])
{
    for (size_t k = 0; k < NS_BENCH_NT; k++)
        t[k] = duration * pow(10.0, -4.0 + 4.0 * (double)k / (NS_BENCH_NT - 1));
}

/* Create, solve at the NS_BENCH_NT times t and destroy the solver of p and
 * ch: the result in *res and the process CPU time of all three in *cpu.
 * Returns 0, or 1 when create or solve failed (*cpu is set either way after
 * a create). */
static inline int bench_timed_solve(const ns_params *p, const ns_channel_geom *ch,
                                    const double *t, ns_diff_result *res, double *cpu)
{
    clock_t c0 = clock();
    ns_diff *s = NULL;
    ns_diff_input in;
    ns_diff_input_init(&in, p, ch);
    if (ns_diff_create(&in, &s) != NS_OK) return 1;
    ns_status st = ns_diff_solve(s, t, NS_BENCH_NT, NULL, NULL, res);
    ns_diff_destroy(&s);
    *cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    return st == NS_OK ? 0 : 1;
}

#endif
