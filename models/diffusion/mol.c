/* The semi-discrete (method-of-lines) form of the diffusion solver's
 * spatial operator, for integrators other than the solver's own time
 * stepping (the PETSc TS peer of make bench, tests/bench/bench_petsc.c).
 *
 * The finite volumes of models/diffusion.h ("Discretisation") give, for the
 * contents y_k = M_k u_k [kg] of the cells,
 *   dy/dt = A(t) u + b(t),   u = M(t)^-1 y,
 *   dQ/dt = w(t) . u                               (Q: receptor + cleared [kg])
 * with A the five-point operator of the face conductances g_r, g_z [m^3/s]
 * (the top face to the vehicle and the bottom sink on the diagonal), the
 * clearance r_x [m^3/s] on the diagonal, b_k = g_z,top C_v on the top row and
 * w_k = r_x,k + g_z,bottom (bottom row). M, A, b and w are those the solver's
 * step uses (grid.c), here at the time t itself: a closing channel's cells
 * are refreshed at t and the channel counts as closed once its widest
 * radius is below the solute radius at t (a pure function of t, so an
 * integrator may step back after a rejected step). The solver's own step
 * starts from contents too, so both integrate the same system; as dt -> 0
 * they converge to the same Q(t).
 *
 * Supported: the infinite dose (C_v constant), without a needle reservoir;
 * the finite dose and the reservoirs add states this form does not carry. */
#include <math.h>

#include "../channel.h"
#include "diff_private.h"

ns_status diff_mol_system(ns_diff *s, double t, size_t *row_ptr, size_t *col, double *val,
                          double *b, double *M, double *w)
{
    NS_CHECK(s->dose == NS_DOSE_INFINITE && s->m_res0 <= 0.0, NS_EINVAL,
             "method-of-lines form: only the infinite dose without a needle reservoir (dose %d)",
             (int)s->dose);
    if (s->has_ch && (s->closing || s->ch_closed)) {
        int closed = s->r_max * ns_channel_closure_max(&s->ch, t) < s->a_solute;
        s->ch_closed = closed;
        s->closing = !closed;
        diff_refresh_channel(s, t);
        s->coef_t = t;
    }
    size_t nr = s->nr, nz = s->nz, nnz = 0;
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < nz; j++) {
            size_t k = idx(i, j, nz);
            const double *gz = s->gz + i * (nz + 1);
            double g_in = i > 0 ? s->gr[j * (nr + 1) + i] : 0.0;
            double g_out = i + 1 < nr ? s->gr[j * (nr + 1) + i + 1] : 0.0;
            double g_up = gz[j], g_dn = gz[j + 1];
            row_ptr[k] = nnz;
            /* Columns in increasing order: (i-1, j), (i, j-1), (i, j), (i, j+1), (i+1, j). */
            if (i > 0) {
                col[nnz] = idx(i - 1, j, nz);
                val[nnz++] = g_in;
            }
            if (j > 0) {
                col[nnz] = k - 1;
                val[nnz++] = g_up;
            }
            col[nnz] = k;
            val[nnz++] = -(g_in + g_out + g_up + g_dn + s->rx[k]);
            if (j + 1 < nz) {
                col[nnz] = k + 1;
                val[nnz++] = g_dn;
            }
            if (i + 1 < nr) {
                col[nnz] = idx(i + 1, j, nz);
                val[nnz++] = g_out;
            }
            b[k] = j == 0 ? g_up * s->Cv : 0.0;
            M[k] = s->M[k];
            w[k] = s->rx[k] + (j + 1 == nz ? g_dn : 0.0);
        }
    row_ptr[s->n] = nnz;
    return NS_OK;
}

void diff_mol_state(const ns_diff *s, double *y)
{
    for (size_t k = 0; k < s->n; k++) y[k] = s->M[k] * s->u[k];
}
