/* Layer material and the Q1/P0 mean-dilatation element of the continuum
 * model (models/continuum.h, eqs. C1-C4).
 *
 * Deformation gradient of the axisymmetric field (u_r, u_z)(r, z), in the
 * component order [rr, rz, zr, zz, tt]:
 *   F = [1 + u_r,r, u_r,z; u_z,r, 1 + u_z,z] (+) (1 + u_r/r).
 * Deviatoric energy per reference volume (Yeoh, eq. C1), with I1b = J^(-2/3) I1:
 *   W = C1 (I1b - 3) + C2 (I1b - 3)^2,  C1 = mu/2,  C2 = mu beta/12,
 * evaluated at each of the 2 x 2 Gauss points; volumetric energy (eq. C2)
 *   U(Jb) = (K/4) (Jb^2 - 1 - 2 ln Jb)
 * of the element's volume-averaged Jacobian Jb = (1/V) int J dV (mean
 * dilatation, Simo, Taylor & Pister 1985: the finite-strain Q1/P0 element),
 * so the element energy is E_e = sum_g w_g W(F_g) + V U(Jb), dV = 2 pi r dr dz.
 * Gradient and tangent are exact derivatives of E_e (the tangent is
 * symmetric). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cont_private.h"

#define GAUSS_P 0.21132486540518711775 /* (1 - 1/sqrt 3)/2: Gauss points on [0, 1] */

void cont_mat_init(cont_mat *mt, double E, double nu, double beta, double rho)
{
    mt->mu = E / (2.0 * (1.0 + nu));
    mt->K = E / (3.0 * (1.0 - 2.0 * nu));
    mt->C2 = mt->mu * beta / 12.0; /* eq. C1: uniaxial E(eps) = E0 (1 + beta eps^2) */
    mt->rho = rho;
}

void cont_elem_dofs(const cont_mesh *m, size_t i, size_t j, size_t dof[8])
{
    size_t n[4] = {j * m->nr + i, j * m->nr + i + 1, (j + 1) * m->nr + i + 1, (j + 1) * m->nr + i};
    for (int a = 0; a < 4; a++) {
        dof[2 * a] = 2 * n[a];
        dof[2 * a + 1] = 2 * n[a] + 1;
    }
}

/* Deviatoric energy W at a point of deformation gradient F (5), with J;
 * when P != NULL also its gradient P (5) and dJ (5) in F-space, and when
 * H != NULL the Hessian of W plus U1 times that of J (5 x 5): the point's
 * whole second derivative once U1 = U'(Jb) of the element is known.
 * Returns 1 when J <= 0. */
static int point_eval(const cont_mat *mt, const double *F, double U1, double cw, double *W,
                      double *J, double *P, double *dJ, double *H)
{
    double frr = F[0], frz = F[1], fzr = F[2], fzz = F[3], ftt = F[4];
    double d2 = frr * fzz - frz * fzr;
    *J = d2 * ftt;
    if (!(*J > 0.0) || !(ftt > 0.0)) return 1;
    double I1 = frr * frr + frz * frz + fzr * fzr + fzz * fzz + ftt * ftt;
    double cb = cbrt(*J), phi = 1.0 / (cb * cb), I1b = phi * I1, Jv = *J; /* phi = J^(-2/3) */
    double e = I1b - 3.0;
    *W = cw * (mt->mu / 2.0 * e + mt->C2 * e * e);
    if (!P) return 0;
    double dJr[5] = {fzz * ftt, -fzr * ftt, -frz * ftt, frr * ftt, d2}; /* J F^-T */
    memcpy(dJ, dJr, sizeof dJr);
    double W1 = cw * (mt->mu / 2.0 + 2.0 * mt->C2 * e), W2 = cw * (2.0 * mt->C2);
    double dI[5];
    for (int a = 0; a < 5; a++) dI[a] = phi * (2.0 * F[a] - 2.0 / 3.0 * I1 * dJ[a] / Jv);
    for (int a = 0; a < 5; a++) P[a] = W1 * dI[a];
    if (!H) return 0;
    double d2J[25] = {0};
    d2J[0 * 5 + 3] = d2J[3 * 5 + 0] = ftt;
    d2J[1 * 5 + 2] = d2J[2 * 5 + 1] = -ftt;
    d2J[0 * 5 + 4] = d2J[4 * 5 + 0] = fzz;
    d2J[3 * 5 + 4] = d2J[4 * 5 + 3] = frr;
    d2J[1 * 5 + 4] = d2J[4 * 5 + 1] = -fzr;
    d2J[2 * 5 + 4] = d2J[4 * 5 + 2] = -frz;
    /* d2 I1b = phi [2 I - (2/3)(2F (x) dJ + dJ (x) 2F)/J
     *               - (2/3) I1 (d2J/J - (5/3) dJ (x) dJ / J^2)] */
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 5; b++) {
            double h = (a == b ? 2.0 : 0.0) -
                       2.0 / 3.0 * (2.0 * F[a] * dJ[b] + dJ[a] * 2.0 * F[b]) / Jv -
                       2.0 / 3.0 * I1 * (d2J[a * 5 + b] / Jv - 5.0 / 3.0 * dJ[a] * dJ[b] / (Jv * Jv));
            H[a * 5 + b] = W2 * dI[a] * dI[b] + W1 * phi * h + U1 * d2J[a * 5 + b];
        }
    return 0;
}

/* Shape functions of the bilinear element at Gauss point q and the point's
 * F-space operator: F = I + B u_e with B (5 x 8) sparse, the u_r column of
 * node a holding (Nr, Nz, 0, 0, N/r) and its u_z column (0, 0, Nr, Nz, 0). */
typedef struct {
    double N[4], Nr[4], Nz[4]; /* [-], [1/m], [1/m] */
    double r, w;               /* [m] radius of the point, [m^3] its weight 2 pi r dA / 4 */
} gauss_pt;

static void gauss_at(const cont_mesh *m, size_t i, size_t j, int q, gauss_pt *g)
{
    static const double gp[2] = {GAUSS_P, 1.0 - GAUSS_P};
    double dr = m->r[i + 1] - m->r[i], dz = m->z[j + 1] - m->z[j];
    double sq = gp[q & 1], tq = gp[q >> 1];
    double N[4] = {(1 - sq) * (1 - tq), sq * (1 - tq), sq * tq, (1 - sq) * tq};
    double Nr[4] = {-(1 - tq) / dr, (1 - tq) / dr, tq / dr, -tq / dr};
    double Nz[4] = {-(1 - sq) / dz, -sq / dz, sq / dz, (1 - sq) / dz};
    memcpy(g->N, N, sizeof N);
    memcpy(g->Nr, Nr, sizeof Nr);
    memcpy(g->Nz, Nz, sizeof Nz);
    g->r = m->r[i] + sq * dr;
    g->w = 2.0 * M_PI * g->r * dr * dz / 4.0;
}

/* ---- viscoelasticity (models/continuum.h, eqs. C13-C15) ----------------
 * Symmetric tensors of the axisymmetric field as 4-vectors [rr, rz, zz, tt];
 * their contraction A : B = A_rr B_rr + 2 A_rz B_rz + A_zz B_zz + A_tt B_tt.
 * F-space components [rr, rz, zr, zz, tt] are the (row a, column B) pairs
 * of IDX below, coordinates r = 0, z = 1, theta = 2. */
static const int IDX[5][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 2}};

static double sym_dot(const double *A, const double *B)
{
    return A[0] * B[0] + 2.0 * A[1] * B[1] + A[2] * B[2] + A[3] * B[3];
}

/* Green strain E = (F^T F - I)/2 of F (5) as a 4-vector. */
static void green(const double *F, double *E)
{
    E[0] = 0.5 * (F[0] * F[0] + F[2] * F[2] - 1.0);
    E[1] = 0.5 * (F[0] * F[1] + F[2] * F[3]);
    E[2] = 0.5 * (F[1] * F[1] + F[3] * F[3] - 1.0);
    E[3] = 0.5 * (F[4] * F[4] - 1.0);
}

/* The step's constants of a layer (eq. C13): xi = dt/tau, gamma =
 * (1 - e^-xi)/xi, the algorithmic factor of the elastic isochoric energy
 * c = 1 - g + g gamma, and kv = eta/dt (eq. C14; 0 when no time passes). */
typedef struct {
    int on;
    double cw, ex, gg, kv, g;
} visco_par;

static void visco_init(const cont_sys *s, const cont_mat *mt, visco_par *vp)
{
    vp->on = 0;
    vp->cw = 1.0;
    vp->ex = 1.0;
    vp->gg = 0.0;
    vp->kv = 0.0;
    vp->g = mt->g;
    if (!s->visco || !s->vs || !(mt->g > 0.0 || mt->eta > 0.0)) return;
    vp->on = 1;
    double xi = s->dt_v > 0.0 && mt->tau > 0.0 ? s->dt_v / mt->tau : 0.0;
    vp->ex = exp(-xi);
    double gam = xi > 1e-12 ? -expm1(-xi) / xi : 1.0;
    vp->gg = mt->g * gam;
    vp->cw = 1.0 - mt->g + vp->gg;
    vp->kv = s->dt_v > 0.0 ? mt->eta / s->dt_v : 0.0;
}

/* History stress of the step, S_hist = e^-xi h_n - g gamma S0_n (eq. C13). */
static void visco_hist(const visco_par *vp, const double *st, double *Sh)
{
    for (int k = 0; k < 4; k++) Sh[k] = vp->ex * st[4 + k] - vp->gg * st[k];
}

/* The viscous terms of a Gauss point beyond c W0: the energy
 *   (1/2) S_hist : (C - I) + kv |E - E_n|^2
 * (returned), and when P != NULL its F-space gradient F S_x added to P,
 * S_x = S_hist + 2 kv (E - E_n), and when H != NULL its Hessian
 *   delta_ab (S_x)_BD + kv [delta_BD (F F^T)_ab + F_aD F_bB]
 * added to H (5 x 5). st: the point's committed state. */
static double visco_point(const visco_par *vp, const double *st, const double *F, double *P,
                          double *H)
{
    double Sh[4], E[4], dE[4], Sx[4];
    visco_hist(vp, st, Sh);
    green(F, E);
    for (int k = 0; k < 4; k++) {
        dE[k] = E[k] - st[8 + k];
        Sx[k] = Sh[k] + 2.0 * vp->kv * dE[k];
    }
    double W = sym_dot(Sh, E) + vp->kv * sym_dot(dE, dE);
    if (!P) return W;
    double F3[3][3] = {{F[0], F[1], 0.0}, {F[2], F[3], 0.0}, {0.0, 0.0, F[4]}};
    double S3[3][3] = {{Sx[0], Sx[1], 0.0}, {Sx[1], Sx[2], 0.0}, {0.0, 0.0, Sx[3]}};
    for (int k = 0; k < 5; k++) {
        int a = IDX[k][0], B = IDX[k][1];
        P[k] += F3[a][0] * S3[0][B] + F3[a][1] * S3[1][B] + F3[a][2] * S3[2][B];
    }
    if (!H) return W;
    double FF[3][3];
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            FF[a][b] = F3[a][0] * F3[b][0] + F3[a][1] * F3[b][1] + F3[a][2] * F3[b][2];
    for (int k = 0; k < 5; k++)
        for (int l = 0; l < 5; l++) {
            int a = IDX[k][0], B = IDX[k][1], b = IDX[l][0], D = IDX[l][1];
            double v = a == b ? S3[B][D] : 0.0;
            v += vp->kv * ((B == D ? FF[a][b] : 0.0) + F3[a][D] * F3[b][B]);
            H[k * 5 + l] += v;
        }
    return W;
}

/* Element (i, j) at displacement x: energy *E (added) and, when ge != NULL,
 * gradient ge (8, overwritten) and, when Ke != NULL as well, tangent Ke
 * (8 x 8, overwritten). Returns 1 (recoverable) when a Jacobian is not
 * positive. Two passes over the Gauss points: the first gives J at each and
 * so Jb, U'(Jb), U''(Jb); the second the point derivatives, the volumetric
 * term U'(Jb) int d2J dV folded into each point's F-space Hessian, so the
 * tangent is one sparse B^T H B product per point. */
int cont_elem_eval(const cont_sys *s, size_t i, size_t j, const double *x, double *E,
                   double *ge, double *Ke)
{
    const cont_mesh *m = &s->m;
    const cont_mat *mt = &s->mat[m->lay[j]];
    size_t dof[8];
    cont_elem_dofs(m, i, j, dof);
    double ue[8];
    for (int k = 0; k < 8; k++) ue[k] = x[dof[k]];
    gauss_pt g[4];
    double F[4][5], Wq[4], Jq[4];
    visco_par vp;
    visco_init(s, mt, &vp);
    const double *vs = vp.on ? s->vs + CONT_VS * 4 * (j * (m->nr - 1) + i) : NULL;
    double V = 0.0, Jw = 0.0, Wsum = 0.0;
    for (int q = 0; q < 4; q++) {
        gauss_at(m, i, j, q, &g[q]);
        double ur = 0.0, ur_r = 0.0, ur_z = 0.0, uz_r = 0.0, uz_z = 0.0;
        for (int a = 0; a < 4; a++) {
            ur += g[q].N[a] * ue[2 * a];
            ur_r += g[q].Nr[a] * ue[2 * a];
            ur_z += g[q].Nz[a] * ue[2 * a];
            uz_r += g[q].Nr[a] * ue[2 * a + 1];
            uz_z += g[q].Nz[a] * ue[2 * a + 1];
        }
        F[q][0] = 1.0 + ur_r;
        F[q][1] = ur_z;
        F[q][2] = uz_r;
        F[q][3] = 1.0 + uz_z;
        F[q][4] = 1.0 + ur / g[q].r;
        if (point_eval(mt, F[q], 0.0, vp.cw, &Wq[q], &Jq[q], NULL, NULL, NULL)) return 1;
        if (vp.on) Wq[q] += visco_point(&vp, vs + CONT_VS * q, F[q], NULL, NULL);
        V += g[q].w;
        Jw += g[q].w * Jq[q];
        Wsum += g[q].w * Wq[q];
    }
    double Jb = Jw / V;
    if (!(Jb > 0.0)) return 1;
    double U = mt->K / 4.0 * (Jb * Jb - 1.0 - 2.0 * log(Jb));
    double U1 = mt->K / 2.0 * (Jb - 1.0 / Jb), U2 = mt->K / 2.0 * (1.0 + 1.0 / (Jb * Jb));
    *E += Wsum + V * U;
    if (!ge) return 0;
    double bJ[8] = {0};
    memset(ge, 0, 8 * sizeof(double));
    if (Ke) memset(Ke, 0, 64 * sizeof(double));
    for (int q = 0; q < 4; q++) {
        const gauss_pt *gq = &g[q];
        double W, J, P[5], dJ[5], H[25];
        point_eval(mt, F[q], U1, vp.cw, &W, &J, P, dJ, Ke ? H : NULL);
        if (vp.on) visco_point(&vp, vs + CONT_VS * q, F[q], P, Ke ? H : NULL);
        double w = gq->w;
        /* B^T v for the 5-vectors P + U1 dJ (gradient) and dJ (bJ) */
        for (int a = 0; a < 4; a++) {
            double br[3] = {gq->Nr[a], gq->Nz[a], gq->N[a] / gq->r}, bz[2] = {gq->Nr[a], gq->Nz[a]};
            ge[2 * a] += w * (br[0] * P[0] + br[1] * P[1] + br[2] * P[4]);
            ge[2 * a + 1] += w * (bz[0] * P[2] + bz[1] * P[3]);
            bJ[2 * a] += w * (br[0] * dJ[0] + br[1] * dJ[1] + br[2] * dJ[4]);
            bJ[2 * a + 1] += w * (bz[0] * dJ[2] + bz[1] * dJ[3]);
        }
        if (!Ke) continue;
        /* HB = H B (5 x 8), then Ke += w B^T HB, both over B's nonzeros */
        double HB[5][8];
        for (int c = 0; c < 5; c++)
            for (int a = 0; a < 4; a++) {
                const double *h = H + 5 * c;
                HB[c][2 * a] = h[0] * gq->Nr[a] + h[1] * gq->Nz[a] + h[4] * gq->N[a] / gq->r;
                HB[c][2 * a + 1] = h[2] * gq->Nr[a] + h[3] * gq->Nz[a];
            }
        for (int a = 0; a < 4; a++) {
            double br0 = gq->Nr[a], br1 = gq->Nz[a], br4 = gq->N[a] / gq->r;
            for (int l = 0; l < 8; l++) {
                Ke[(2 * a) * 8 + l] += w * (br0 * HB[0][l] + br1 * HB[1][l] + br4 * HB[4][l]);
                Ke[(2 * a + 1) * 8 + l] += w * (br0 * HB[2][l] + br1 * HB[3][l]);
            }
        }
    }
    for (int k = 0; k < 8; k++) ge[k] += U1 * bJ[k]; /* d(V U(Jb)) = U' d(int J dV) */
    if (!Ke) return 0;
    for (int k = 0; k < 8; k++)
        for (int l = 0; l < 8; l++) Ke[k * 8 + l] += U2 * bJ[k] * bJ[l] / V;
    return 0;
}

/* Gauss-point states of the viscous layers: zero (the unstrained, relaxed
 * body at t = 0). Nothing is allocated when no layer is viscous. */
ns_status cont_visco_alloc(cont_sys *s)
{
    s->visco = 0;
    for (size_t k = 0; k < s->nl; k++)
        if (s->mat[k].g > 0.0 || s->mat[k].eta > 0.0) s->visco = 1;
    s->A_rel = s->W_kv = s->D_rel = 0.0;
    if (!s->visco) return NS_OK;
    size_t ne = (s->m.nr - 1) * (s->m.nz - 1);
    free(s->vs);
    s->vs = calloc(ne * 4 * CONT_VS, sizeof(double));
    NS_CHECK(s->vs != NULL, NS_ENOMEM, "continuum: out of memory (viscous state of %zu elements)",
             ne);
    return NS_OK;
}

/* F (5) at Gauss point q of element (i, j) for the displacement x. */
static void point_F(const cont_mesh *m, size_t i, size_t j, int q, const double *x, gauss_pt *g,
                    double *F)
{
    size_t dof[8];
    cont_elem_dofs(m, i, j, dof);
    gauss_at(m, i, j, q, g);
    double ur = 0.0, ur_r = 0.0, ur_z = 0.0, uz_r = 0.0, uz_z = 0.0;
    for (int a = 0; a < 4; a++) {
        double vr = x[dof[2 * a]], vz = x[dof[2 * a + 1]];
        ur += g->N[a] * vr;
        ur_r += g->Nr[a] * vr;
        ur_z += g->Nz[a] * vr;
        uz_r += g->Nr[a] * vz;
        uz_z += g->Nz[a] * vz;
    }
    F[0] = 1.0 + ur_r;
    F[1] = ur_z;
    F[2] = uz_r;
    F[3] = 1.0 + uz_z;
    F[4] = 1.0 + ur / g->r;
}

/* The viscous step from the committed Gauss-point states to x (eqs.
 * C13-C15): the elastic energy at x, the trapezoid works of the relaxed
 * stress q = g S0 - h and of the Kelvin-Voigt stress over the step, and the
 * branch dissipation at x; with commit = 1 the states become those of x:
 *   h_{n+1} = e^-xi h_n + g gamma (S0_{n+1} - S0_n),  Sv_{n+1} = 2 eta (E_{n+1} - E_n) / dt,
 * S0 = F^-1 dW0/dF the isochoric second Piola-Kirchhoff stress of eq. (C1). */
void cont_visco_step(cont_sys *s, const double *x, int commit, cont_visco_inc *inc)
{
    const cont_mesh *m = &s->m;
    memset(inc, 0, sizeof *inc);
    double psi_b = 0.0, gW = 0.0;
    for (size_t j = 0; j + 1 < m->nz; j++)
        for (size_t i = 0; i + 1 < m->nr; i++) {
            const cont_mat *mt = &s->mat[m->lay[j]];
            visco_par vp;
            visco_init(s, mt, &vp);
            double *vs = vp.on ? s->vs + CONT_VS * 4 * (j * (m->nr - 1) + i) : NULL;
            double V = 0.0, Jw = 0.0;
            for (int q = 0; q < 4; q++) {
                gauss_pt g;
                double F[5], W0, J, P[5], dJ[5];
                point_F(m, i, j, q, x, &g, F);
                if (point_eval(mt, F, 0.0, 1.0, &W0, &J, P, dJ, NULL)) {
                    inc->W_el = NAN;
                    return;
                }
                V += g.w;
                Jw += g.w * J;
                inc->W_el += g.w * W0;
                if (!vp.on) continue;
                double *st = vs + CONT_VS * q;
                /* S0 = F^-1 P: the 2 x 2 block and the hoop component */
                double det = F[0] * F[3] - F[1] * F[2];
                double Fi[2][2] = {{F[3] / det, -F[1] / det}, {-F[2] / det, F[0] / det}};
                double Pm[2][2] = {{P[0], P[1]}, {P[2], P[3]}}, S[2][2];
                for (int A = 0; A < 2; A++)
                    for (int B = 0; B < 2; B++) S[A][B] = Fi[A][0] * Pm[0][B] + Fi[A][1] * Pm[1][B];
                double S0[4] = {S[0][0], 0.5 * (S[0][1] + S[1][0]), S[1][1], P[4] / F[4]};
                double E[4], dE[4], h[4], qn[4], q1[4], Sv[4];
                green(F, E);
                for (int k = 0; k < 4; k++) {
                    dE[k] = E[k] - st[8 + k];
                    h[k] = vp.ex * st[4 + k] + vp.gg * (S0[k] - st[k]);
                    qn[k] = vp.g * st[k] - st[4 + k];
                    q1[k] = vp.g * S0[k] - h[k];
                    Sv[k] = 2.0 * vp.kv * dE[k];
                }
                double qs[4], vsum[4];
                for (int k = 0; k < 4; k++) {
                    qs[k] = qn[k] + q1[k];
                    vsum[k] = st[12 + k] + Sv[k];
                }
                inc->dA += g.w * 0.5 * sym_dot(qs, dE);
                inc->dKV += g.w * 0.5 * sym_dot(vsum, dE);
                if (vp.g > 0.0) {
                    gW += g.w * vp.g * W0;
                    psi_b += g.w * sym_dot(h, h) / (4.0 * vp.g * mt->mu);
                }
                if (commit)
                    for (int k = 0; k < 4; k++) {
                        st[k] = S0[k];
                        st[4 + k] = h[k];
                        st[8 + k] = E[k];
                        st[12 + k] = Sv[k];
                    }
            }
            double Jb = Jw / V;
            inc->W_el += V * mt->K / 4.0 * (Jb * Jb - 1.0 - 2.0 * log(Jb));
        }
    inc->D_rel = gW - psi_b - (s->A_rel + inc->dA);
    if (commit) {
        s->A_rel += inc->dA;
        s->W_kv += inc->dKV;
        s->D_rel = inc->D_rel;
    }
}
