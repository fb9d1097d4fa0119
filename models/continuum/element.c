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

/* Deviatoric energy, its gradient P (5) and Hessian H (5 x 5) in F-space,
 * and J with dJ (5) and d2J (5 x 5). Returns 1 when J <= 0. */
static int point_eval(const cont_mat *mt, const double *F, double *W, double *P, double *H,
                      double *J, double *dJ, double *d2J)
{
    double frr = F[0], frz = F[1], fzr = F[2], fzz = F[3], ftt = F[4];
    double d2 = frr * fzz - frz * fzr;
    *J = d2 * ftt;
    if (!(*J > 0.0) || !(ftt > 0.0)) return 1;
    double I1 = frr * frr + frz * frz + fzr * fzr + fzz * fzz + ftt * ftt;
    double phi = pow(*J, -2.0 / 3.0), I1b = phi * I1, Jv = *J;
    double dJr[5] = {fzz * ftt, -fzr * ftt, -frz * ftt, frr * ftt, d2}; /* J F^-T */
    memcpy(dJ, dJr, sizeof dJr);
    memset(d2J, 0, 25 * sizeof(double));
    d2J[0 * 5 + 3] = d2J[3 * 5 + 0] = ftt;
    d2J[1 * 5 + 2] = d2J[2 * 5 + 1] = -ftt;
    d2J[0 * 5 + 4] = d2J[4 * 5 + 0] = fzz;
    d2J[3 * 5 + 4] = d2J[4 * 5 + 3] = frr;
    d2J[1 * 5 + 4] = d2J[4 * 5 + 1] = -fzr;
    d2J[2 * 5 + 4] = d2J[4 * 5 + 2] = -frz;
    double e = I1b - 3.0;
    *W = mt->mu / 2.0 * e + mt->C2 * e * e;
    double W1 = mt->mu / 2.0 + 2.0 * mt->C2 * e, W2 = 2.0 * mt->C2;
    double dI[5];
    for (int a = 0; a < 5; a++) dI[a] = phi * (2.0 * F[a] - 2.0 / 3.0 * I1 * dJ[a] / Jv);
    for (int a = 0; a < 5; a++) P[a] = W1 * dI[a];
    /* d2 I1b = phi [2 I - (2/3)(2F (x) dJ + dJ (x) 2F)/J
     *               - (2/3) I1 (d2J/J - (5/3) dJ (x) dJ / J^2)] */
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 5; b++) {
            double h = (a == b ? 2.0 : 0.0) -
                       2.0 / 3.0 * (2.0 * F[a] * dJ[b] + dJ[a] * 2.0 * F[b]) / Jv -
                       2.0 / 3.0 * I1 * (d2J[a * 5 + b] / Jv - 5.0 / 3.0 * dJ[a] * dJ[b] / (Jv * Jv));
            H[a * 5 + b] = W2 * dI[a] * dI[b] + W1 * phi * h;
        }
    return 0;
}

/* Element (i, j) at displacement x: energy *E (added), gradient ge (8,
 * overwritten) and, when Ke != NULL, tangent Ke (8 x 8, overwritten).
 * Returns 1 (recoverable) when a Jacobian is not positive. */
int cont_elem_eval(const cont_sys *s, size_t i, size_t j, const double *x, double *E,
                   double *ge, double *Ke)
{
    const cont_mesh *m = &s->m;
    const cont_mat *mt = &s->mat[m->lay[j]];
    size_t dof[8];
    cont_elem_dofs(m, i, j, dof);
    double ue[8];
    for (int k = 0; k < 8; k++) ue[k] = x[dof[k]];
    double dr = m->r[i + 1] - m->r[i], dz = m->z[j + 1] - m->z[j];
    double gp[2] = {GAUSS_P, 1.0 - GAUSS_P};
    double V = 0.0, Jw = 0.0, Wsum = 0.0;
    double bJ[8] = {0};
    memset(ge, 0, 8 * sizeof(double));
    if (Ke) memset(Ke, 0, 64 * sizeof(double));
    for (int q = 0; q < 4; q++) {
        double sq = gp[q & 1], tq = gp[q >> 1];
        double N[4] = {(1 - sq) * (1 - tq), sq * (1 - tq), sq * tq, (1 - sq) * tq};
        double Nr[4] = {-(1 - tq) / dr, (1 - tq) / dr, tq / dr, -tq / dr};
        double Nz[4] = {-(1 - sq) / dz, -sq / dz, sq / dz, (1 - sq) / dz};
        double r = m->r[i] + sq * dr;
        double w = 2.0 * M_PI * r * dr * dz / 4.0;
        double B[5][8] = {{0}};
        for (int a = 0; a < 4; a++) {
            B[0][2 * a] = Nr[a];
            B[1][2 * a] = Nz[a];
            B[4][2 * a] = N[a] / r;
            B[2][2 * a + 1] = Nr[a];
            B[3][2 * a + 1] = Nz[a];
        }
        double F[5] = {1.0, 0.0, 0.0, 1.0, 1.0};
        for (int c = 0; c < 5; c++)
            for (int k = 0; k < 8; k++) F[c] += B[c][k] * ue[k];
        double W, P[5], H[25], J, dJ[5], d2J[25];
        if (point_eval(mt, F, &W, P, H, &J, dJ, d2J)) return 1;
        V += w;
        Jw += w * J;
        Wsum += w * W;
        for (int k = 0; k < 8; k++)
            for (int c = 0; c < 5; c++) {
                ge[k] += w * B[c][k] * P[c];
                bJ[k] += w * B[c][k] * dJ[c];
            }
        if (!Ke) continue;
        /* deviatoric tangent now; the volumetric d2J term needs U'(Jb) (below) */
        double HB[5][8];
        for (int c = 0; c < 5; c++)
            for (int k = 0; k < 8; k++) {
                double t = 0.0;
                for (int d = 0; d < 5; d++) t += H[c * 5 + d] * B[d][k];
                HB[c][k] = t;
            }
        for (int k = 0; k < 8; k++)
            for (int l = 0; l < 8; l++) {
                double t = 0.0;
                for (int c = 0; c < 5; c++) t += B[c][k] * HB[c][l];
                Ke[k * 8 + l] += w * t;
            }
    }
    double Jb = Jw / V;
    if (!(Jb > 0.0)) return 1;
    double U = mt->K / 4.0 * (Jb * Jb - 1.0 - 2.0 * log(Jb));
    double U1 = mt->K / 2.0 * (Jb - 1.0 / Jb), U2 = mt->K / 2.0 * (1.0 + 1.0 / (Jb * Jb));
    *E += Wsum + V * U;
    for (int k = 0; k < 8; k++) ge[k] += U1 * bJ[k]; /* d(V U(Jb)) = U' d(int J dV) */
    if (!Ke) return 0;
    for (int k = 0; k < 8; k++)
        for (int l = 0; l < 8; l++) Ke[k * 8 + l] += U2 * bJ[k] * bJ[l] / V;
    /* U'(Jb) int d2J dV: recompute the points (cheap, keeps the loop above simple) */
    for (int q = 0; q < 4; q++) {
        double sq = gp[q & 1], tq = gp[q >> 1];
        double N[4] = {(1 - sq) * (1 - tq), sq * (1 - tq), sq * tq, (1 - sq) * tq};
        double Nr[4] = {-(1 - tq) / dr, (1 - tq) / dr, tq / dr, -tq / dr};
        double Nz[4] = {-(1 - sq) / dz, -sq / dz, sq / dz, (1 - sq) / dz};
        double r = m->r[i] + sq * dr;
        double w = 2.0 * M_PI * r * dr * dz / 4.0;
        double ur = 0.0, uz_r = 0.0, uz_z = 0.0, ur_r = 0.0, ur_z = 0.0;
        for (int a = 0; a < 4; a++) {
            ur += N[a] * ue[2 * a];
            ur_r += Nr[a] * ue[2 * a];
            ur_z += Nz[a] * ue[2 * a];
            uz_r += Nr[a] * ue[2 * a + 1];
            uz_z += Nz[a] * ue[2 * a + 1];
        }
        double frr = 1.0 + ur_r, frz = ur_z, fzr = uz_r, fzz = 1.0 + uz_z, ftt = 1.0 + ur / r;
        /* d2J as bilinear form on the dof gradients: J = (frr fzz - frz fzr) ftt */
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++) {
                double Ra[5] = {Nr[a], Nz[a], 0, 0, N[a] / r}, Za[5] = {0, 0, Nr[a], Nz[a], 0};
                double Rb[5] = {Nr[b], Nz[b], 0, 0, N[b] / r}, Zb[5] = {0, 0, Nr[b], Nz[b], 0};
                const double *va[2] = {Ra, Za}, *vb[2] = {Rb, Zb};
                for (int ca = 0; ca < 2; ca++)
                    for (int cb = 0; cb < 2; cb++) {
                        const double *p = va[ca], *qv = vb[cb];
                        double t = ftt * (p[0] * qv[3] + p[3] * qv[0] - p[1] * qv[2] - p[2] * qv[1]) +
                                   fzz * (p[0] * qv[4] + p[4] * qv[0]) +
                                   frr * (p[3] * qv[4] + p[4] * qv[3]) -
                                   fzr * (p[1] * qv[4] + p[4] * qv[1]) -
                                   frz * (p[2] * qv[4] + p[4] * qv[2]);
                        Ke[(2 * a + ca) * 8 + 2 * b + cb] += w * U1 * t;
                    }
            }
    }
    return 0;
}
