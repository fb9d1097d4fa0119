/* Benchmark of the continuum insertion model (models/continuum.h): wall time
 * per case for each applicator at the default grid (refine 1), and the
 * error-versus-cost table of a press case (one steel microneedle into the
 * forearm, stroke 0.6 mm: through puncture into the dermis and out again)
 * over grid levels against the finest level as reference: puncture travel
 * (the tenting at puncture), penetration depth and maximum force.
 * Each applicator's line is followed by the fast model's on the same case
 * (the agreement the issue-17 table will measure over a Latin hypercube):
 * puncture force (the same tip law T1), travel at puncture (tenting) and
 * penetration depth. The needle is sharp (tip radius 2.13 um), so it
 * punctures within the stroke: the default 10 um tip needs 81 mN (T1) and
 * tents through the 0.6 mm stroke short of it.
 * Usage: bench_continuum [levels]   (default "0.5 0.75 1 1.5 2": the last is
 * the reference). A failed case prints its message instead of numbers.
 * s/case is wall time, cpu_s the process CPU time of the solve (on the
 * shared machine the wall time is several times the CPU time).
 *
 * Cost of the press case (one solve of the default grid, 2313 dofs), Ir =
 * instructions of the whole process under callgrind:
 *                                         Ir        CPU s   steps  F_punc mN  depth um
 *   Newton, supernodal CHOLMOD (ccb8237)  33.3e9    2.36      26    14.8086    120.08
 *   modified Newton, simplicial LDL',
 *   sparse element tangent, cut bracket
 *   grown by the tip's lead                9.1e9    0.68      30    14.8079    120.08
 *   withdrawal with the tip on the
 *   unloading front (eq. C12)             11.8e9    1.25      29    14.8079    120.08
 * (max force 20.0374 mN and tenting 0.4748 mm in both; the puncture force
 * moves within the event tolerance 1e-3 F_c because the steps differ).
 * Per press solve: 356 Newton iterations on 356 factorisations before,
 * 417 iterations on 103 factorisations after (608 on 124 with the
 * withdrawal of eq. C12, whose front-load solves cost the difference; its
 * energy balance 2.2 %, was 8.8 %). */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../../models/continuum.h"
#include "../../models/defaults.h"
#include "../../models/insertion.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int base_case(ns_params *p, int mode)
{
    ns_params_default(p);
    p->insertion.model = NS_INS_MODEL_CONTINUUM;
    p->applicator.mode = (ns_applicator_mode)mode;
    p->applicator.stroke = 0.6e-3;
    p->needle.tip_radius = 2.13e-6;
    p->applicator.mass = 5e-3;
    p->applicator.frequency = 100.0;
    p->applicator.depth_setting = 0.5e-3;
    p->applicator.drum_radius = 1e-2;
    if (mode == NS_APPLICATOR_IMPACT) p->applicator.speed = 2.0;
    if (mode == NS_APPLICATOR_ROLLER) {
        p->array.layout = NS_LAYOUT_ROLLER;
        p->array.count = 192;
        p->array.density = 2.5e6;
        p->applicator.speed = 0.02;
    }
    return ns_params_derive(p) == NS_OK;
}

/* The fast model on the same case: its line of the comparison. */
static void run_fast(const ns_params *pc)
{
    ns_params p = *pc;
    p.insertion.model = NS_INS_MODEL_FAST;
    ns_ins_input in;
    ns_ins_input_init(&in, &p);
    ns_ins *s = NULL;
    ns_ins_result r;
    double t0 = now();
    ns_status st = ns_ins_create(&in, &s);
    if (st == NS_OK) st = ns_ins_solve(s, &r);
    double sec = now() - t0;
    ns_ins_destroy(&s);
    if (st != NS_OK) {
        printf("  fast  failed: %.*s\n", 160, ns_status_message());
        return;
    }
    printf("  fast   %8.4f %8s %8zu %10.1f %10.3f %10.2e %10.3f %10.3f\n", sec, "-", r.steps,
           1e6 * r.penetration_depth, 1e3 * r.max_force, r.energy_balance_error,
           1e3 * r.puncture_force, 1e3 * r.puncture_displacement);
}

/* One solve: 0 ok (result in *r, seconds in *sec), else prints the failure. */
static int run(const ns_params *p, double refine, ns_ins_result *r, double *sec, double *cpu,
               size_t *dofs)
{
    ns_cont *c = NULL;
    double t0 = now(), c0 = cpu_now();
    ns_ins_input in;
    ns_ins_input_init(&in, p);
    ns_status st = ns_cont_create_refined(&in, refine, &c);
    if (st == NS_OK) st = ns_cont_solve(c, r);
    *sec = now() - t0;
    *cpu = cpu_now() - c0;
    *dofs = ns_cont_dofs(c);
    ns_cont_destroy(&c);
    if (st != NS_OK) {
        const char *m = ns_status_message();
        printf("    failed: %.*s\n", 160, m);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    const char *names[] = {"press", "impact", "pen", "roller"};
    printf("continuum insertion, default grid: wall time per case\n");
    printf("%-8s %8s %8s %8s %10s %10s %10s %10s %10s %8s\n", "mode", "s/case", "dofs", "steps",
           "depth_um", "max_F_mN", "E_err", "F_punc_mN", "u_punc_mm", "cpu_s");
    for (int m = 0; m < 4; m++) {
        ns_params p;
        if (!base_case(&p, m)) {
            printf("%-8s derive failed: %s\n", names[m], ns_status_message());
            continue;
        }
        ns_ins_result r;
        double sec, cpu;
        size_t dofs;
        printf("%-8s\n", names[m]);
        if (run(&p, 1.0, &r, &sec, &cpu, &dofs) == 0)
            printf("  cont   %8.2f %8zu %8zu %10.1f %10.3f %10.2e %10.3f %10.3f %8.2f\n", sec, dofs,
                   r.steps, 1e6 * r.penetration_depth, 1e3 * r.max_force, r.energy_balance_error,
                   1e3 * r.puncture_force, 1e3 * r.puncture_displacement, cpu);
        run_fast(&p);
    }
    double lv[8] = {0.5, 0.75, 1.0, 1.5, 2.0};
    int nl = 5;
    if (argc > 1) {
        nl = 0;
        for (int k = 1; k < argc && nl < 8; k++) lv[nl++] = atof(argv[k]);
    }
    ns_params p;
    if (!base_case(&p, 0)) return 1;
    ns_ins_result res[8];
    double sec[8], cpu[8];
    size_t dofs[8];
    int ok[8];
    for (int k = 0; k < nl; k++) ok[k] = run(&p, lv[k], &res[k], &sec[k], &cpu[k], &dofs[k]) == 0;
    const ns_ins_result *f = &res[nl - 1];
    printf("\nerror versus cost, press (reference: refine %.2g)\n", lv[nl - 1]);
    printf("%8s %8s %8s %8s %14s %14s %14s\n", "refine", "dofs", "s/case", "cpu_s",
           "e_punct_travel", "e_depth", "e_max_force");
    for (int k = 0; k < nl; k++) {
        if (!ok[k] || !ok[nl - 1]) {
            printf("%8.2f failed\n", lv[k]);
            continue;
        }
        const ns_ins_result *r = &res[k];
        printf("%8.2f %8zu %8.2f %8.2f %14.3e %14.3e %14.3e\n", lv[k], dofs[k], sec[k], cpu[k],
               fabs(r->puncture_displacement / f->puncture_displacement - 1.0),
               fabs(r->penetration_depth / f->penetration_depth - 1.0),
               fabs(r->max_force / f->max_force - 1.0));
    }
    return 0;
}
