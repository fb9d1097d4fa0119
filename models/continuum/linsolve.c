/* The sparse Newton matrix of the continuum model and its solution
 * (models/continuum.h, "Linear algebra").
 *
 * The tangent is the Hessian of the total energy, so it is symmetric, and
 * positive definite wherever the discrete body is stable: CHOLMOD (supernodal
 * Cholesky with AMD ordering, SuiteSparse) factorises it, the symbolic
 * analysis done once for the fixed pattern. Where the tangent is not
 * positive definite (a softening branch of the stiffened law under large
 * contact pressure, or an active-set change mid-iteration) CHOLMOD reports
 * it and UMFPACK (unsymmetric multifrontal LU with partial pivoting, same
 * library) solves the same system instead. SuiteSparse is Debian's
 * maintained sparse direct solver (libsuitesparse-dev, installed by
 * scripts/install-deps.sh); GSL, the project's other numerical library, has
 * no sparse direct factorisation.
 *
 * Only the free dofs enter the matrix (Dirichlet dofs are eliminated); the
 * upper triangle is assembled as triplets, every structural entry always
 * written (zeros included), so the pattern never changes. The factorisation
 * is simplicial (LDL'): on the insertion's grid (about 2300 equations, 9e4
 * entries in L) CHOLMOD's supernodal path spends its time in small BLAS
 * calls and threads. A factor stays in place after its solve, so Newton
 * (newton.c) may reuse it for later right-hand sides (modified Newton). */
#include <cholmod.h>
#include <math.h>
#include <stdlib.h>
#include <umfpack.h>

#include "cont_private.h"

struct cont_lin {
    cholmod_common c;
    cholmod_triplet *T;   /* upper-triangle triplets of one assembly */
    cholmod_factor *L;    /* Cholesky factor (symbolic once, numeric each solve) */
    long *map;            /* free-equation index of each dof, -1 when fixed */
    size_t n;             /* free equations */
    size_t ndof;
    size_t cap;           /* triplet capacity */
    int chol_ok;          /* [-] 1: L holds a valid Cholesky factor of the last matrix */
    double *diag;         /* diagonal of the assembled matrix (free equations) */
    size_t nnz0;          /* triplets of the assembly (before a shift) */
    double shift;         /* [-] Levenberg-Marquardt shift of the assembled matrix */
    double fac_shift;     /* [-] shift of the matrix that L factorises */
};

ns_status cont_lin_create(const cont_sys *s, cont_lin **out)
{
    *out = NULL;
    cont_lin *l = calloc(1, sizeof *l);
    NS_CHECK(l != NULL, NS_ENOMEM, "continuum: out of memory (linear solver)");
    l->ndof = s->m.ndof;
    l->map = malloc(l->ndof * sizeof(long));
    l->diag = malloc(l->ndof * sizeof(double));
    if (!l->map || !l->diag) {
        free(l->diag);
        free(l->map);
        free(l);
        NS_FAIL(NS_ENOMEM, "continuum: out of memory (dof map of %zu)", s->m.ndof);
    }
    for (size_t k = 0; k < l->ndof; k++) l->map[k] = s->fixed[k] ? -1 : (long)l->n++;
    size_t ne = (s->m.nr - 1) * (s->m.nz - 1);
    l->cap = 36 * ne + 10 * s->m.nr + 4 * s->m.ndof + 16;
    cholmod_start(&l->c);
    l->c.print = 0;
    l->c.error_handler = NULL;
    l->c.supernodal = CHOLMOD_SIMPLICIAL;
    l->T = cholmod_allocate_triplet(l->n, l->n, l->cap, 1, CHOLMOD_REAL, &l->c);
    if (!l->T || l->n == 0) {
        cont_lin_destroy(&l);
        NS_FAIL(NS_ENOMEM, "continuum: CHOLMOD could not allocate %zu triplets", s->m.ndof);
    }
    *out = l;
    return NS_OK;
}

void cont_lin_destroy(cont_lin **lp)
{
    if (!lp || !*lp) return;
    cont_lin *l = *lp;
    if (l->T) cholmod_free_triplet(&l->T, &l->c);
    if (l->L) cholmod_free_factor(&l->L, &l->c);
    cholmod_finish(&l->c);
    free(l->diag);
    free(l->map);
    free(l);
    *lp = NULL;
}

void cont_lin_zero(cont_lin *l)
{
    l->T->nnz = 0;
    l->nnz0 = 0;
    for (size_t k = 0; k < l->n; k++) l->diag[k] = 0.0;
}

/* Levenberg-Marquardt shift: K + lambda diag(K) (lambda = 0 removes it). */
void cont_lin_shift(cont_lin *l, double lambda)
{
    if (l->nnz0 == 0 || l->T->nnz < l->nnz0) l->nnz0 = l->T->nnz;
    l->T->nnz = l->nnz0;
    l->shift = lambda > 0.0 ? lambda : 0.0;
    if (lambda <= 0.0) return;
    for (size_t k = 0; k < l->n && l->T->nnz < l->cap; k++) {
        size_t q = l->T->nnz++;
        ((int *)l->T->i)[q] = (int)k;
        ((int *)l->T->j)[q] = (int)k;
        ((double *)l->T->x)[q] = lambda * fabs(l->diag[k]);
    }
}

/* Add v to entry (a, b) of the full dof matrix (each off-diagonal pair is
 * passed once per ordering by the assembly; only the upper half is kept). */
void cont_lin_add(cont_lin *l, size_t a, size_t b, double v)
{
    long ia = l->map[a], ib = l->map[b];
    if (ia < 0 || ib < 0 || ia > ib || l->T->nnz >= l->cap) return;
    if (ia == ib) l->diag[ia] += v;
    size_t k = l->T->nnz++;
    ((int *)l->T->i)[k] = (int)ia;
    ((int *)l->T->j)[k] = (int)ib;
    ((double *)l->T->x)[k] = v;
}

/* UMFPACK on the full (both triangles) copy of A. */
static ns_status solve_lu(cont_lin *l, cholmod_sparse *A, cholmod_dense *b, double *sol)
{
    cholmod_sparse *U = cholmod_copy(A, 0, 1, &l->c);
    NS_CHECK(U != NULL, NS_ENOMEM, "continuum: out of memory (UMFPACK copy, %zu equations)", l->n);
    void *sym = NULL, *num = NULL;
    int n = (int)l->n;
    const int *Ap = U->p, *Ai = U->i;
    const double *Ax = U->x;
    int rc = umfpack_di_symbolic(n, n, Ap, Ai, Ax, &sym, NULL, NULL);
    if (rc == UMFPACK_OK) rc = umfpack_di_numeric(Ap, Ai, Ax, sym, &num, NULL, NULL);
    if (rc == UMFPACK_OK)
        rc = umfpack_di_solve(UMFPACK_A, Ap, Ai, Ax, sol, b->x, num, NULL, NULL);
    if (sym) umfpack_di_free_symbolic(&sym);
    if (num) umfpack_di_free_numeric(&num);
    cholmod_free_sparse(&U, &l->c);
    NS_CHECK(rc == UMFPACK_OK, NS_ECONV,
             "continuum: UMFPACK status %d on the %zu-equation tangent (singular body?)", rc, l->n);
    return NS_OK;
}

/* 1 when L holds the Cholesky factor of an unshifted assembled matrix. */
int cont_lin_ready(const cont_lin *l) { return l->L != NULL && l->chol_ok && l->fac_shift == 0.0; }

/* Solve K sol = rhs over the dofs (fixed dofs of sol set to 0); refactor = 0
 * reuses the Cholesky factor of an earlier call (cont_lin_ready), the
 * triplets then need not hold a matrix. */
ns_status cont_lin_solve(cont_lin *l, const double *rhs, double *sol, int refactor)
{
    NS_CHECK(refactor || (l->L && l->chol_ok), NS_EINVAL,
             "continuum: no Cholesky factor to reuse (%zu equations)", l->n);
    cholmod_sparse *A = NULL;
    cholmod_dense *b = cholmod_zeros(l->n, 1, CHOLMOD_REAL, &l->c);
    double *bx = b ? b->x : NULL;
    ns_status st = NS_OK;
    double *y = malloc(l->n * sizeof(double));
    if (!b || !y) {
        st = ns_status_set(NS_ENOMEM, __FILE__, __LINE__, __func__, "continuum: out of memory");
        goto done;
    }
    for (size_t k = 0; k < l->ndof; k++)
        if (l->map[k] >= 0) bx[l->map[k]] = rhs[k];
    int ok = 1;
    if (refactor) {
        A = cholmod_triplet_to_sparse(l->T, l->T->nnz, &l->c);
        if (!A) {
            st = ns_status_set(NS_ENOMEM, __FILE__, __LINE__, __func__,
                               "continuum: out of memory (CHOLMOD matrix, %zu equations)", l->n);
            goto done;
        }
        if (!l->L) l->L = cholmod_analyze(A, &l->c);
        ok = l->L != NULL && cholmod_factorize(A, l->L, &l->c) && l->c.status == CHOLMOD_OK;
        l->chol_ok = ok;
        l->fac_shift = l->shift;
    }
    if (ok) {
        cholmod_dense *xs = cholmod_solve(CHOLMOD_A, l->L, b, &l->c);
        if (!xs) {
            st = ns_status_set(NS_ENOMEM, __FILE__, __LINE__, __func__, "continuum: CHOLMOD solve failed");
            goto done;
        }
        for (size_t k = 0; k < l->n; k++) y[k] = ((double *)xs->x)[k];
        cholmod_free_dense(&xs, &l->c);
    } else {
        st = solve_lu(l, A, b, y);
        if (st != NS_OK) goto done;
    }
    for (size_t k = 0; k < l->ndof; k++) sol[k] = l->map[k] >= 0 ? y[l->map[k]] : 0.0;
done:
    free(y);
    cholmod_free_dense(&b, &l->c);
    if (A) cholmod_free_sparse(&A, &l->c);
    return st;
}
