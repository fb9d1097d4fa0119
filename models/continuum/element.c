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
static int point_eval(const cont_mat *mt, const double *F, double U1, double *W, double *J,
                      double *P, double *dJ, double *H)
{
    double frr = F[0], frz = F[1], fzr = F[2], fzz = F[3], ftt = F[4];
    double d2 = frr * fzz - frz * fzr;
    *J = d2 * ftt;
    if (!(*J > 0.0) || !(ftt > 0.0)) return 1;
    double I1 = frr * frr + frz * frz + fzr * fzr + fzz * fzz + ftt * ftt;
    double cb = cbrt(*J), phi = 1.0 / (cb * cb), I1b = phi * I1, Jv = *J; /* phi = J^(-2/3) */
    double e = I1b - 3.0;
    *W = mt->mu / 2.0 * e + mt->C2 * e * e;
    if (!P) return 0;
    double dJr[5] = {fzz * ftt, -fzr * ftt, -frz * ftt, frr * ftt, d2}; /* J F^-T */
    memcpy(dJ, dJr, sizeof dJr);
    double W1 = mt->mu / 2.0 + 2.0 * mt->C2 * e, W2 = 2.0 * mt->C2;
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
        if (point_eval(mt, F[q], 0.0, &Wq[q], &Jq[q], NULL, NULL, NULL)) return 1;
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
        point_eval(mt, F[q], U1, &W, &J, P, dJ, Ke ? H : NULL);
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
