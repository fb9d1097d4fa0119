/* Peer benchmark of the diffusion time stepping: the same semi-discrete
 * problem integrated by needlesim's own step (models/diffusion/adi.c) and by
 * PETSc TS (BDF2, variable step, one LU solve per step with PETSc's direct
 * LU of the assembled Jacobian), at equal error.
 *
 * Problem: the default non-occluded channel case of bench_diffusion (forearm,
 * caffeine 10 mg/mL infinite dose, square array 100 /cm2, 360 um insertion,
 * the default 40 x 120 grid, 24 h, the same 50 log-spaced output times for
 * both integrators). PETSc gets the system needlesim's operator assembles at
 * any time t (diff_mol_system, models/diffusion/mol.c): contents y = M u
 * of every cell plus the permeated amount Q,
 *   dy/dt = A(t) M(t)^-1 y + b(t),   dQ/dt = w(t) . M(t)^-1 y,
 * with the Jacobian [A M^-1; w M^-1] assembled at every step (the closing
 * channel changes A and M). Error: |Q(24 h) - Q_ref| / Q_ref, Q_ref from
 * needlesim at diff_rtol 1e-7 (time-converged: 1e-8 moves it by 1e-6);
 * PETSc's tightest run is printed against the same reference, which shows
 * that both integrate the same problem. CPU time: clock() around create
 * and solve (PetscInitialize excluded). For each error target (1e-3, 1e-4)
 * the CPU ratio compares the loosest setting of each integrator from which
 * on every tighter setting of the table meets the target (an error that is
 * not monotone in the tolerance may meet it by cancellation at one loose
 * setting, which a user could not rely on).
 *
 * PETSc is a benchmark-only dependency: scripts/install-deps.sh installs
 * Debian's libpetsc-real-dev when NS_DEPS_BENCH=1 (make bench does); the
 * default build and make check never compile this file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <petscts.h>

#include "../../models/channel.h"
#include "../../models/defaults.h"
#include "../../models/diffusion.h"
#include "../../models/diffusion/diff_private.h"
#include "../../models/units.h"
#include "bench_diffusion_case.h"

enum { NT = NS_BENCH_NT }; /* output times, as bench_diffusion */

typedef struct {
    ns_diff *s;
    size_t n;
    size_t *rp, *col;
    double *val, *b, *M, *w;
    PetscInt *cols; /* one row's column indices */
    PetscScalar *vals;
} peer;

static PetscErrorCode rhs(TS ts, PetscReal t, Vec Y, Vec F, void *ctx)
{
    (void)ts;
    peer *p = ctx;
    if (diff_mol_system(p->s, t, p->rp, p->col, p->val, p->b, p->M, p->w) != NS_OK)
        return PETSC_ERR_LIB;
    const PetscScalar *y;
    PetscScalar *f;
    PetscCall(VecGetArrayRead(Y, &y));
    PetscCall(VecGetArray(F, &f));
    double q = 0.0;
    for (size_t k = 0; k < p->n; k++) {
        double acc = p->b[k];
        for (size_t e = p->rp[k]; e < p->rp[k + 1]; e++)
            acc += p->val[e] * y[p->col[e]] / p->M[p->col[e]];
        f[k] = acc;
        q += p->w[k] * y[k] / p->M[k];
    }
    f[p->n] = q;
    PetscCall(VecRestoreArrayRead(Y, &y));
    PetscCall(VecRestoreArray(F, &f));
    return 0;
}

static PetscErrorCode jacobian(TS ts, PetscReal t, Vec Y, Mat A, Mat P, void *ctx)
{
    (void)ts;
    (void)Y;
    (void)A;
    peer *p = ctx;
    if (diff_mol_system(p->s, t, p->rp, p->col, p->val, p->b, p->M, p->w) != NS_OK)
        return PETSC_ERR_LIB;
    for (size_t k = 0; k < p->n; k++) {
        PetscInt m = 0;
        for (size_t e = p->rp[k]; e < p->rp[k + 1]; e++, m++) {
            p->cols[m] = (PetscInt)p->col[e];
            p->vals[m] = p->val[e] / p->M[p->col[e]];
        }
        PetscInt row = (PetscInt)k;
        PetscCall(MatSetValues(P, 1, &row, m, p->cols, p->vals, INSERT_VALUES));
    }
    /* The whole row, zeros included: w changes its zero pattern while the
     * channel closes (clearance where fluid was), the matrix's must not. */
    PetscInt m = 0;
    for (size_t k = 0; k < p->n; k++, m++) {
        p->cols[m] = (PetscInt)k;
        p->vals[m] = p->w[k] / p->M[k];
    }
    p->cols[m] = (PetscInt)p->n; /* Q itself: no dependence, but TS shifts the diagonal */
    p->vals[m++] = 0.0;
    PetscInt row = (PetscInt)p->n;
    PetscCall(MatSetValues(P, 1, &row, m, p->cols, p->vals, INSERT_VALUES));
    PetscCall(MatAssemblyBegin(P, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(P, MAT_FINAL_ASSEMBLY));
    return 0;
}

typedef struct {
    double Q;   /* [kg/m^2] Q(24 h) */
    double cpu; /* [s] */
    size_t steps, rejected;
} run;

/* One needlesim solve at diff_rtol; returns 0 on success. */
static int needlesim_run(const ns_params *p0, const ns_channel_geom *ch, const double *t,
                         double rtol, run *out)
{
    ns_params p = *p0;
    p.numerics.diff_rtol = rtol;
    p.numerics.diff_max_steps = 100000000;
    ns_diff_result res;
    if (bench_timed_solve(&p, ch, t, &res, &out->cpu) != 0) return 1;
    out->Q = res.permeated_amount;
    out->steps = res.steps;
    out->rejected = res.rejected_steps;
    return 0;
}

/* One PETSc TS BDF2 solve with relative tolerance tol (absolute tolerance
 * tol x C_v x M_k per cell); returns 0 on success. */
static int petsc_run(const ns_params *p0, const ns_channel_geom *ch, const double *t, double tol,
                     run *out)
{
    clock_t c0 = clock();
    ns_diff *s = NULL;
    ns_diff_input in;
    ns_diff_input_init(&in, p0, ch);
    if (ns_diff_create(&in, &s) != NS_OK) return 1;
    peer p = {.s = s, .n = s->n};
    size_t n = s->n;
    p.rp = malloc((n + 1) * sizeof *p.rp);
    p.col = malloc(5 * n * sizeof *p.col);
    p.val = malloc(5 * n * sizeof *p.val);
    p.b = malloc(n * sizeof *p.b);
    p.M = malloc(n * sizeof *p.M);
    p.w = malloc(n * sizeof *p.w);
    p.cols = malloc((n + 2) * sizeof *p.cols);
    p.vals = malloc((n + 2) * sizeof *p.vals);
    int rc = 1;
    if (!p.rp || !p.col || !p.val || !p.b || !p.M || !p.w || !p.cols || !p.vals) goto done;
    if (diff_mol_system(s, 0.0, p.rp, p.col, p.val, p.b, p.M, p.w) != NS_OK) goto done;

    PetscInt N = (PetscInt)n + 1;
    Vec Y, atol;
    Mat J;
    TS ts;
    SNES snes;
    KSP ksp;
    PC pc;
    if (VecCreateSeq(PETSC_COMM_SELF, N, &Y) || VecDuplicate(Y, &atol)) goto done;
    PetscScalar *y, *a;
    VecGetArray(Y, &y);
    VecGetArray(atol, &a);
    diff_mol_state(s, y);
    y[n] = 0.0;
    double Mmin = INFINITY;
    for (size_t k = 0; k < n; k++) {
        a[k] = tol * s->Cv0 * p.M[k];
        if (p.M[k] < Mmin) Mmin = p.M[k];
    }
    a[n] = tol * s->Cv0 * Mmin;
    VecRestoreArray(Y, &y);
    VecRestoreArray(atol, &a);
    PetscInt *nnz = malloc((size_t)N * sizeof *nnz);
    if (!nnz) goto done;
    for (PetscInt k = 0; k < N - 1; k++) nnz[k] = 5;
    nnz[N - 1] = N;
    MatCreateSeqAIJ(PETSC_COMM_SELF, N, N, 0, nnz, &J);
    free(nnz);
    TSCreate(PETSC_COMM_SELF, &ts);
    TSSetType(ts, TSBDF);
    TSBDFSetOrder(ts, 2);
    TSSetRHSFunction(ts, NULL, rhs, &p);
    TSSetRHSJacobian(ts, J, J, jacobian, &p);
    TSSetTime(ts, 0.0);
    TSSetTimeStep(ts, s->dt_next);
    TSSetMaxSteps(ts, 100000000);
    TSSetExactFinalTime(ts, TS_EXACTFINALTIME_MATCHSTEP);
    TSSetTolerances(ts, 0.0, atol, tol, NULL);
    TSGetSNES(ts, &snes);
    SNESSetType(snes, SNESKSPONLY);
    SNESGetKSP(snes, &ksp);
    KSPSetType(ksp, KSPPREONLY);
    KSPGetPC(ksp, &pc);
    PCSetType(pc, PCLU);
    TSSetFromOptions(ts);
    PetscErrorCode ierr = 0;
    for (size_t k = 0; k < NT && !ierr; k++) {
        TSSetMaxTime(ts, t[k]);
        ierr = TSSolve(ts, Y);
    }
    if (!ierr) {
        const PetscScalar *yr;
        VecGetArrayRead(Y, &yr);
        out->Q = yr[n] / s->area;
        VecRestoreArrayRead(Y, &yr);
        PetscInt steps, rej;
        TSGetStepNumber(ts, &steps);
        TSGetStepRejections(ts, &rej);
        out->steps = (size_t)steps;
        out->rejected = (size_t)rej;
        rc = 0;
    }
    TSDestroy(&ts);
    MatDestroy(&J);
    VecDestroy(&Y);
    VecDestroy(&atol);
done:
    free(p.rp);
    free(p.col);
    free(p.val);
    free(p.b);
    free(p.M);
    free(p.w);
    free(p.cols);
    free(p.vals);
    ns_diff_destroy(&s);
    out->cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    return rc;
}

/* The loosest setting (settings ordered loose to tight) from which on every
 * tighter one has error <= target, or -1: an error that is not monotone in
 * the tolerance can meet a target by cancellation at one loose setting,
 * which a user could not rely on. */
static int reliable(const double *err, size_t n, double target)
{
    int first = -1;
    for (size_t k = n; k-- > 0;) {
        if (err[k] > target) break;
        first = (int)k;
    }
    return first;
}

int main(int argc, char **argv)
{
    if (PetscInitialize(&argc, &argv, NULL, NULL)) return 1;
    ns_params p;
    ns_params_default(&p);
    p.array.layout = NS_LAYOUT_SQUARE;
    p.array.count = 100.0;
    p.array.density = 100.0 / NS_CM2;
    p.array.pitch = NAN;
    ns_ins_result ins;
    memset(&ins, 0, sizeof ins);
    ins.punctured = 1;
    ins.penetration_depth = 360e-6;
    ns_channel_geom ch;
    if (ns_params_derive(&p) != NS_OK || ns_channel_eval(&p, &ins, &ch) != NS_OK) {
        fprintf(stderr, "%s\n", ns_status_message());
        return 1;
    }
    double t[NT];
    bench_output_times(p.transport.duration, t);

    if (argc == 3 && strcmp(argv[1], "--tol") == 0) { /* one PETSc run: Q(24 h), CPU, steps */
        run one;
        double tol = atof(argv[2]);
        if (!(tol > 0.0) || petsc_run(&p, &ch, t, tol, &one)) return 1;
        printf("PETSc TS BDF2 + LU tol %.1e: Q(24 h) = %.10e kg/m2, %.3f s CPU, %zu steps, %zu "
               "rejects\n", tol, one.Q, one.cpu, one.steps, one.rejected);
        PetscFinalize();
        return 0;
    }
    run ref;
    if (needlesim_run(&p, &ch, t, 1e-7, &ref)) {
        fprintf(stderr, "reference: %s\n", ns_status_message());
        return 1;
    }
    printf("peer benchmark: default channel case (non-occluded), grid %zu x %zu, 24 h, %d outputs\n",
           p.numerics.diff_n_r, p.numerics.diff_n_z, NT);
    printf("reference: needlesim diff_rtol 1e-7, Q(24 h) = %.8e kg/m2 (%zu steps, %.1f s CPU)\n",
           ref.Q, ref.steps, ref.cpu);
    enum { NN = 8, NP = 9 };
    const double rt_n[NN] = {2e-3, 1e-3, 5e-4, 2e-4, 1e-4, 1e-5, 3e-6, 1e-6};
    const double rt_p[NP] = {1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6};
    run rn[NN], rp[NP];
    double en[NN], ep[NP];
    printf("%-22s %10s %11s %10s %8s %8s\n", "integrator", "tolerance", "err Q(24h)", "CPU [s]",
           "steps", "rejects");
    for (size_t k = 0; k < NN; k++) {
        if (needlesim_run(&p, &ch, t, rt_n[k], &rn[k])) {
            fprintf(stderr, "needlesim rtol %g: %s\n", rt_n[k], ns_status_message());
            return 1;
        }
        en[k] = fabs(rn[k].Q - ref.Q) / ref.Q;
        printf("%-22s %10.1e %11.2e %10.3f %8zu %8zu\n", "needlesim (extrap. SC)", rt_n[k], en[k],
               rn[k].cpu, rn[k].steps, rn[k].rejected);
    }
    for (size_t k = 0; k < NP; k++) {
        if (petsc_run(&p, &ch, t, rt_p[k], &rp[k])) {
            fprintf(stderr, "PETSc tol %g: failed (%s)\n", rt_p[k], ns_status_message());
            return 1;
        }
        ep[k] = fabs(rp[k].Q - ref.Q) / ref.Q;
        printf("%-22s %10.1e %11.2e %10.3f %8zu %8zu\n", "PETSc TS BDF2 + LU", rt_p[k], ep[k],
               rp[k].cpu, rp[k].steps, rp[k].rejected);
    }
    printf("same semi-discrete problem: PETSc at tol %.0e is %.1e from the needlesim reference\n",
           rt_p[NP - 1], ep[NP - 1]);
    const double target[2] = {1e-3, 1e-4};
    for (size_t q = 0; q < 2; q++) {
        int a = reliable(en, NN, target[q]), b = reliable(ep, NP, target[q]);
        if (a < 0 || b < 0) {
            printf("error <= %.0e: %s does not reach it reliably in this table\n", target[q],
                   a < 0 ? "needlesim" : "PETSc");
            continue;
        }
        printf("error <= %.0e: needlesim %.3f s (diff_rtol %.0e), PETSc %.3f s (tol %.0e): "
               "needlesim/PETSc CPU ratio %.3f (needlesim %.1fx faster; goal >= 5x: %s)\n",
               target[q], rn[a].cpu, rt_n[a], rp[b].cpu, rt_p[b], rn[a].cpu / rp[b].cpu,
               rp[b].cpu / rn[a].cpu, rp[b].cpu >= 5.0 * rn[a].cpu ? "met" : "NOT met");
    }
    PetscFinalize();
    return 0;
}
