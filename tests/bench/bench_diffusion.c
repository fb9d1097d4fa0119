/* Benchmark of the r-z diffusion solver (prints a table).
 *
 *   - memory bandwidth of this machine: STREAM-like triad a = b + s c on
 *     three arrays of 4 Mi doubles (96 MiB, beyond the caches), best of 5;
 *   - the default 24 h case (forearm, caffeine 10 mg/mL, steel microneedle,
 *     square array 100 /cm2, a channel from a 360 um insertion, non-occluded
 *     and occluded) and the intact baseline: wall time per case (best of 3),
 *     accepted/rejected steps, base steps (3 per step attempt: one of dt
 *     and two of dt/2 for the extrapolation), cell updates per second, and
 *     the fraction of the triad
 *     roofline: bytes per cell update x updates/s / triad bandwidth. The
 *     bytes per cell update of one base step are counted from the sweeps
 *     in models/diffusion/adi.c: u0 = c / cap (c, cap in; u0 out: 24 B),
 *     A_z u (u0, g_z, r_x, q_x in; A_z u out: 40 B), row sweep (g_r, M, V, c,
 *     A_z u in; u* out: 48 B), column sweep (g_z, M, r_x, q_x, u*, A_z u in;
 *     u' out: 56 B), balance (u', r_x: 16 B) and the contents of the next
 *     step (u', cap in, c out: 24 B): 208 B. The working set of a 40 x 120 grid (~0.6 MB)
 *     sits in cache, so the fraction says how far from a memory-bound
 *     kernel the solver is, not that it is memory-bound;
 *   - time accuracy of the default non-occluded channel case: the relative
 *     error of Q(24 h) against a time-converged reference (diff_rtol = 1e-7,
 *     same grid and the same 50 output times), CPU time and step attempts at the default diff_rtol and two finer
 *     settings (the error the user reads and what it costs);
 *   - space accuracy of the channel open for good (numerics.diff_rim_refine
 *     0, the default, and 15): Q(24 h) on 20 x 60, the default 40 x 120 and 80 x 240
 *     against their Richardson extrapolation (observed order printed), CPU
 *     time and step attempts (space_table);
 *   - peak memory (getrusage ru_maxrss);
 *   - allocations inside ns_diff_solve: malloc/calloc/realloc are
 *     interposed in this binary and counted while the solver steps; the
 *     design allocates everything in ns_diff_create, so the count must be 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>
#include <sys/resource.h>

#include "../../models/channel.h"
#include "../../models/defaults.h"
#include "../../models/diffusion.h"
#include "../../models/units.h"
#include "bench_diffusion_case.h"

/* ---- allocation counter (interposes the libc allocator) ---- */
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t m);
void *__libc_realloc(void *p, size_t n);
static int g_counting;
static size_t g_allocs;

void *malloc(size_t n)
{
    if (g_counting) g_allocs++;
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t m)
{
    if (g_counting) g_allocs++;
    return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n)
{
    if (g_counting) g_allocs++;
    return __libc_realloc(p, n);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double triad_bandwidth(void)
{
    const size_t n = (size_t)4 << 20;
    double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double)),
           *c = malloc(n * sizeof(double));
    if (!a || !b || !c) return NAN;
    for (size_t i = 0; i < n; i++) {
        a[i] = 0.0;
        b[i] = 1.0 + (double)(i % 7);
        c[i] = 2.0 - (double)(i % 5);
    }
    double best = INFINITY;
    for (int r = 0; r < 5; r++) {
        double t0 = now();
        const double s = 1.0 + 1e-3 * r;
        for (size_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
        double dt = now() - t0;
        if (dt < best) best = dt;
    }
    volatile double sink = a[n / 3];
    (void)sink;
    free(a);
    free(b);
    free(c);
    return 3.0 * (double)n * sizeof(double) / best; /* 2 reads + 1 write */
}

typedef struct {
    const char *name;
    double wall, updates_per_s;
    size_t steps, rejected, allocs;
    double Q, balance;
} row;

static int bench_case(const char *name, const ns_params *p, const ns_channel_geom *ch, row *out)
{
    enum { NT = NS_BENCH_NT };
    double t[NT], Q[NT], J[NT];
    bench_output_times(p->transport.duration, t);
    double best = INFINITY;
    ns_diff_result res;
    size_t allocs = 0;
    for (int r = 0; r < 3; r++) {
        ns_diff *s = NULL;
        double t0 = now();
        ns_diff_input in;
        ns_diff_input_init(&in, p, ch);
        if (ns_diff_create(&in, &s) != NS_OK) {
            fprintf(stderr, "%s: %s\n", name, ns_status_message());
            return 1;
        }
        g_allocs = 0;
        g_counting = 1;
        ns_status st = ns_diff_solve(s, t, NT, Q, J, &res);
        g_counting = 0;
        allocs += g_allocs;
        ns_diff_destroy(&s);
        double dt = now() - t0;
        if (st != NS_OK) {
            fprintf(stderr, "%s: %s\n", name, ns_status_message());
            return 1;
        }
        if (dt < best) best = dt;
    }
    double n = (double)(p->numerics.diff_n_r * p->numerics.diff_n_z);
    double sweeps = 3.0 * (double)(res.steps + res.rejected_steps);
    out->name = name;
    out->wall = best;
    out->steps = res.steps;
    out->rejected = res.rejected_steps;
    out->updates_per_s = sweeps * n / best;
    out->allocs = allocs;
    out->Q = res.permeated_amount;
    out->balance = res.mass_balance_error;
    return 0;
}

/* Q(24 h) [kg/m^2], CPU time [s] and step attempts of one solve at rtol. */
static int accuracy_run(const ns_params *p0, const ns_channel_geom *ch, double rtol, double *Q,
                        double *cpu, size_t *attempts)
{
    ns_params p = *p0;
    p.numerics.diff_rtol = rtol;
    p.numerics.diff_max_steps = 100000000;
    double t[NS_BENCH_NT]; /* the output times of bench_case */
    bench_output_times(p.transport.duration, t);
    ns_diff_result res;
    if (bench_timed_solve(&p, ch, t, &res, cpu) != 0) return 1;
    *Q = res.permeated_amount;
    *attempts = res.steps + res.rejected_steps;
    return 0;
}

static int accuracy_table(const ns_params *p, const ns_channel_geom *ch)
{
    const double rtol[3] = {p->numerics.diff_rtol, p->numerics.diff_rtol / 4.0,
                            p->numerics.diff_rtol / 20.0};
    double Qref, cpu;
    size_t n;
    if (accuracy_run(p, ch, 1e-7, &Qref, &cpu, &n)) return 1;
    printf("time accuracy, channel non-occluded: reference diff_rtol 1e-7 (%zu steps, %.1f s "
           "CPU), Q(24 h) = %.8e kg/m2\n",
           n, cpu, Qref);
    printf("%-10s %12s %10s %9s\n", "diff_rtol", "err Q(24h)", "CPU [s]", "attempts");
    for (size_t k = 0; k < 3; k++) {
        double Q;
        if (accuracy_run(p, ch, rtol[k], &Q, &cpu, &n)) return 1;
        printf("%-10.1e %12.2e %10.3f %9zu%s\n", rtol[k], fabs(Q - Qref) / Qref, cpu, n,
               k == 0 ? "  (default)" : "");
    }
    return 0;
}

/* Q(24 h), CPU time and step attempts of one solve on an nr x nz grid at rtol. */
static int grid_run(const ns_params *p0, const ns_channel_geom *ch, size_t nr, size_t nz,
                    double rtol, double *Q, double *cpu, size_t *attempts)
{
    ns_params p = *p0;
    p.numerics.diff_n_r = nr;
    p.numerics.diff_n_z = nz;
    return accuracy_run(&p, ch, rtol, Q, cpu, attempts);
}

/* Space accuracy of one channel case: Q(24 h) on the grids n0 x 3 n0 (n0 =
 * 40: the default) refined twice by 2 each way, at diff_rtol rtol (tight
 * enough that the time error is below the finest grid difference); the
 * reference is the Richardson extrapolation of the three,
 *   p = log2((Q_1 - Q_2) / (Q_2 - Q_3)),  Q_inf = Q_3 - (Q_2 - Q_3) / (2^p - 1),
 * with the observed order p printed. */
static int space_table(const char *name, const ns_params *p, const ns_channel_geom *ch,
                       size_t n0, double rtol)
{
    double Q[3], cpu[3];
    size_t att[3];
    for (size_t m = 0; m < 3; m++)
        if (grid_run(p, ch, n0 << m, 3 * (n0 << m), rtol, &Q[m], &cpu[m], &att[m])) return 1;
    double d1 = Q[0] - Q[1], d2 = Q[1] - Q[2];
    double order = d1 * d2 > 0.0 ? log2(d1 / d2) : (double)NAN;
    double Qinf = isfinite(order) ? Q[2] - d2 / (exp2(order) - 1.0) : Q[2];
    printf("space accuracy, %s (diff_rtol %.0e): observed order %.2f, Richardson Q(24 h) = "
           "%.8e kg/m2\n", name, rtol, order, Qinf);
    printf("%-10s %12s %10s %9s\n", "grid", "err Q(24h)", "CPU [s]", "attempts");
    for (size_t m = 0; m < 3; m++) {
        char g[32];
        snprintf(g, sizeof g, "%zux%zu", n0 << m, 3 * (n0 << m));
        printf("%-10s %12.2e %10.3f %9zu%s\n", g, fabs(Q[m] - Qinf) / Qinf, cpu[m], att[m],
               (n0 << m) == 40 ? "  (default grid)" : "");
    }
    return 0;
}

/* --one RTOL NR NZ: one default non-occluded channel solve at that diff_rtol
 * and grid, printing Q(24 h) and the step counts; scripts/bench_diffusion_cost.sh
 * counts its instructions. */
static int one_case(const ns_params *p0, const ns_channel_geom *ch, char **argv)
{
    ns_params p = *p0;
    p.numerics.diff_n_r = (size_t)strtoul(argv[3], NULL, 10);
    p.numerics.diff_n_z = (size_t)strtoul(argv[4], NULL, 10);
    double Q, cpu;
    size_t n;
    double rtol = strtod(argv[2], NULL);
    if (accuracy_run(&p, ch, rtol, &Q, &cpu, &n)) {
        fprintf(stderr, "--one: %s\n", ns_status_message());
        return 1;
    }
    printf("one case: grid %zu x %zu, diff_rtol %.1e: Q(24 h) = %.10e kg/m2, %zu step attempts, "
           "%.3f s CPU\n", p.numerics.diff_n_r, p.numerics.diff_n_z, rtol, Q, n, cpu);
    return 0;
}

int main(int argc, char **argv)
{
    const double bytes_per_update = 208.0;

    ns_params p;
    ns_params_default(&p);
    p.array.layout = NS_LAYOUT_SQUARE;
    p.array.count = 100.0;
    p.array.density = 100.0 / NS_CM2;
    p.array.pitch = NAN;
    if (ns_params_derive(&p) != NS_OK) {
        fprintf(stderr, "%s\n", ns_status_message());
        return 1;
    }
    ns_ins_result ins;
    memset(&ins, 0, sizeof ins);
    ins.punctured = 1;
    ins.penetration_depth = 360e-6;
    ns_channel_geom ch, cho;
    ns_params po = p;
    po.channel.occluded = 1;
    if (ns_channel_eval(&p, &ins, &ch) != NS_OK || ns_channel_eval(&po, &ins, &cho) != NS_OK) {
        fprintf(stderr, "%s\n", ns_status_message());
        return 1;
    }
    if (argc == 5 && strcmp(argv[1], "--one") == 0) return one_case(&p, &ch, argv);
    /* The counter works: ns_diff_create allocates its buffers (> 0). */
    size_t create_allocs;
    {
        ns_diff *s = NULL;
        g_allocs = 0;
        g_counting = 1;
        ns_diff_input in;
        ns_diff_input_init(&in, &p, &ch);
        ns_status st = ns_diff_create(&in, &s);
        g_counting = 0;
        create_allocs = g_allocs;
        ns_diff_destroy(&s);
        if (st != NS_OK) return 1;
    }
    row rows[3];
    if (bench_case("channel, non-occluded", &p, &ch, &rows[0]) ||
        bench_case("channel, occluded", &po, &cho, &rows[1]) ||
        bench_case("intact baseline", &p, NULL, &rows[2]))
        return 1;

    struct rusage ru; /* before the triad arrays exist */
    getrusage(RUSAGE_SELF, &ru);
    double bw = triad_bandwidth();
    printf("needlesim diffusion benchmark: grid %zu x %zu, diff_rtol %.1e, 24 h, 50 outputs\n",
           p.numerics.diff_n_r, p.numerics.diff_n_z, p.numerics.diff_rtol);
    printf("triad bandwidth: %.2f GB/s; bytes per cell update (counted): %.0f\n", bw * 1e-9,
           bytes_per_update);
    printf("%-24s %9s %7s %7s %12s %9s %8s %11s %9s\n", "case", "wall [s]", "steps", "rejects",
           "updates/s", "roofline", "allocs", "Q [kg/m2]", "balance");
    for (size_t k = 0; k < 3; k++)
        printf("%-24s %9.4f %7zu %7zu %12.3e %8.1f%% %8zu %11.4e %9.1e\n", rows[k].name,
               rows[k].wall, rows[k].steps, rows[k].rejected, rows[k].updates_per_s,
               100.0 * rows[k].updates_per_s * bytes_per_update / bw, rows[k].allocs, rows[k].Q,
               rows[k].balance);
    printf("peak memory of the process after the cases (ru_maxrss): %.1f MiB\n",
           (double)ru.ru_maxrss / 1024.0);
    printf("target: wall <= 0.5 s per default case: %s\n",
           rows[0].wall <= 0.5 && rows[1].wall <= 0.5 ? "met" : "NOT met");
    if (accuracy_table(&p, &ch)) {
        fprintf(stderr, "accuracy table: %s\n", ns_status_message());
        return 1;
    }
    /* Space accuracy of the channel open for good without and with the rim
     * faces (numerics.diff_rim_refine 0, the default, and 15), grids 20, 40,
     * 80 (x 3 in depth). */
    ns_channel_geom chg = ch;
    chg.half_life = chg.half_life_pore = 1e30;
    ns_params pr = p;
    pr.numerics.diff_rim_refine = 15.0;
    if (space_table("channel open for good, diff_rim_refine 0", &p, &chg, 20, 2e-5) ||
        space_table("channel open for good, diff_rim_refine 15", &pr, &chg, 20, 2e-5)) {
        fprintf(stderr, "space table: %s\n", ns_status_message());
        return 1;
    }
    size_t allocs = rows[0].allocs + rows[1].allocs + rows[2].allocs;
    printf("allocations inside ns_diff_solve: %zu (%s); counter check: ns_diff_create made %zu\n",
           allocs, allocs == 0 ? "none" : "FOUND", create_allocs);
    return allocs == 0 && create_allocs > 0 ? 0 : 1;
}
