/* Tenting operator of the insertion model: stretched radial grid, conservative
 * finite-volume bending/membrane/foundation operators in force form, banded
 * Cholesky solves. Equations and discretisation: models/insertion.h
 * ("Tenting operator"); private interface: models/insertion/tent.h. */
#include "tent.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../insertion.h"
#include "../rootfind.h"
#include "../units.h"

/* Force exponent of the membrane stretching, T ~ (dw)^3: the branch's
 * viscous deflection relaxes at rate 1/(3 tau_s) so that its force relaxes at
 * 1/tau_s (header "Sheet viscoelasticity", eq. V2). */
#define NS_TENT_MEMBRANE_EXPONENT 3.0

/* Smallest stretching parameter: below it the map is uniform to 1e-12. */
#define NS_TENT_BETA_MIN 1.0e-6
#define NS_TENT_BETA_MAX 60.0
#define NS_TENT_BETA_ITER 100 /* [-] bisection cap of the stretching (resolution needs < 80) */

static double first_spacing(double R, size_t n, double beta)
{
    return R * sinh(beta / (double)(n - 1)) / sinh(beta);
}

/* Root function of the stretching: first spacing minus the target h0 (> 0
 * on the lo side, small beta). */
typedef struct {
    double R, h0;
    size_t n;
} spacing_target;

static int spacing_excess(double beta, void *params, double *fx)
{
    const spacing_target *c = params;
    *fx = first_spacing(c->R, c->n, beta) - c->h0;
    return 0;
}

/* Face k (between nodes k and k + 1) of the map with stretching beta. */
static double face_at(double R, size_t n, double beta, size_t k)
{
    double m = (double)(n - 1), sb = sinh(beta);
    return 0.5 * R * (sinh(beta * (double)k / m) + sinh(beta * (double)(k + 1) / m)) / sb;
}

/* Root function of the fitted face: face k minus r_fit (> 0 on the lo side,
 * small beta: every interior face moves towards r = 0 as beta grows). */
typedef struct {
    double R, r_fit;
    size_t n, k;
} face_target;

static int face_excess(double beta, void *params, double *fx)
{
    const face_target *c = params;
    *fx = face_at(c->R, c->n, beta, c->k) - c->r_fit;
    return 0;
}

/* The stretching that puts a control-volume face at r_fit: from beta0 (the
 * stretching of the first spacing h0), the face just inside r_fit is moved
 * out onto it by a smaller beta (the first spacing grows by less than one
 * cell's ratio at r_fit), or, when that face cannot reach r_fit (a map near
 * uniform), the face just outside is moved in by a larger beta. Bisection to
 * floating-point resolution; beta0 when neither brackets (r_fit outside the
 * interior faces). */
static double fit_face(double R, size_t n, double beta0, double r_fit)
{
    size_t k = 0;
    while (k + 2 < n && face_at(R, n, beta0, k + 1) <= r_fit) k++;
    if (face_at(R, n, beta0, k) > r_fit) return beta0; /* r_fit inside the first face */
    for (int pass = 0; pass < 2; pass++, k++) {
        if (k + 2 >= n) break;
        double lo = pass == 0 ? NS_TENT_BETA_MIN : beta0, hi = pass == 0 ? beta0 : NS_TENT_BETA_MAX;
        face_target c = {R, r_fit, n, k};
        ns_root_bracket b = {lo, hi, NAN, NAN, 0};
        double flo, fhi;
        face_excess(lo, &c, &flo);
        face_excess(hi, &c, &fhi);
        if (!(flo > 0.0) || fhi > 0.0) continue;
        if (flo > 0.0 && fhi == 0.0) return hi;
        if (ns_root_solve(NS_ROOT_BISECTION, face_excess, &c, 0.0, NS_TENT_BETA_ITER, &b) == NS_OK)
            return b.hi;
        ns_status_clear();
    }
    return beta0;
}

ns_status ns_tent_create(size_t n, double R, double h0, int dirichlet, ns_tent **out)
{
    return ns_tent_create_fitted(n, R, h0, 0.0, dirichlet, out);
}

ns_status ns_tent_create_fitted(size_t n, double R, double h0, double r_fit, int dirichlet,
                                ns_tent **out)
{
    *out = NULL;
    NS_CHECK(n >= 5, NS_EINVAL, "tenting grid: n = %zu radial points, need >= 5", n);
    NS_CHECK(isfinite(R) && R > 0.0, NS_EINVAL, "tenting grid: R = %.3g m, need 0 < R < inf", R);
    NS_CHECK(h0 > 0.0, NS_EINVAL, "tenting grid: first spacing %.3g m, need > 0", h0);
    ns_tent *t = calloc(1, sizeof *t);
    NS_CHECK(t != NULL, NS_ENOMEM, "tenting grid: out of memory (n = %zu)", n);
    t->n = n;
    t->nu = dirichlet ? n - 1 : n;
    t->dirichlet = dirichlet;
    t->R = R;
    t->r = calloc(n, sizeof(double));
    t->A = calloc(n, sizeof(double));
    t->cf = calloc(n, sizeof(double));
    t->hf = calloc(n, sizeof(double));
    t->rf = calloc(n, sizeof(double));
    t->ihf = calloc(n, sizeof(double));
    t->iA = calloc(n, sizeof(double));
    t->kb = calloc(3 * n, sizeof(double));
    t->xs = calloc(n, sizeof(double));
    t->J = gsl_matrix_calloc(t->nu, 3);
    t->b = gsl_vector_calloc(t->nu);
    t->x1 = gsl_vector_calloc(t->nu);
    t->x2 = gsl_vector_calloc(t->nu);
    if (!t->r || !t->A || !t->cf || !t->hf || !t->rf || !t->ihf || !t->iA || !t->kb || !t->xs || !t->J ||
        !t->b || !t->x1 || !t->x2) {
        ns_tent_destroy(&t);
        NS_FAIL(NS_ENOMEM, "tenting grid: out of memory (n = %zu)", n);
    }
    /* Stretching: first spacing h0 if the uniform spacing is coarser (bisection
     * on beta; first_spacing decreases monotonically with beta). */
    double beta = NS_TENT_BETA_MIN;
    if (first_spacing(R, n, NS_TENT_BETA_MIN) > h0) {
        double lo = NS_TENT_BETA_MIN, hi = NS_TENT_BETA_MAX;
        if (first_spacing(R, n, hi) > h0) {
            lo = hi;
        } else {
            /* to floating-point resolution (about 80 halvings of the range) */
            spacing_target c = {R, h0, n};
            ns_root_bracket b = {lo, hi, NAN, NAN, 0};
            ns_status st = ns_root_solve(NS_ROOT_BISECTION, spacing_excess, &c, 0.0,
                                         NS_TENT_BETA_ITER, &b);
            if (st != NS_OK) {
                ns_tent_destroy(&t);
                return ns_status_trace(st, __FILE__, __LINE__, __func__);
            }
            lo = b.lo;
        }
        beta = lo;
    }
    if (r_fit > 0.0 && r_fit < R) beta = fit_face(R, n, beta, r_fit);
    t->beta = beta;
    for (size_t i = 0; i < n; i++)
        t->r[i] = R * sinh(beta * (double)i / (double)(n - 1)) / sinh(beta);
    t->r[0] = 0.0;
    t->r[n - 1] = R;
    for (size_t i = 0; i + 1 < n; i++) {
        t->hf[i] = t->r[i + 1] - t->r[i];
        t->rf[i] = 0.5 * (t->r[i] + t->r[i + 1]);
        t->cf[i] = 2.0 * NS_PI * t->rf[i] / t->hf[i];
        t->ihf[i] = 1.0 / t->hf[i];
    }
    for (size_t i = 0; i < n; i++) {
        double lo = i > 0 ? t->rf[i - 1] : 0.0;
        double hi = i + 1 < n ? t->rf[i] : R;
        t->A[i] = NS_PI * (hi * hi - lo * lo);
        t->iA[i] = 1.0 / t->A[i];
    }
    t->A_tot = 0.0;
    for (size_t i = 0; i < t->nu; i++) t->A_tot += t->A[i];
    /* Bending band K = D A^{-1} D over the unknown cells (B = 1), where D is the
     * flux-divergence matrix of the Laplacian (D w)_i = sum_f c_f (w_nb - w_i).
     * Discrete energy U_b = (B/2) sum_i A_i (L w)_i^2 with L = A^{-1} D. */
    size_t nu = t->nu;
    for (size_t k = 0; k < nu; k++) {
        /* column k of D: entries at rows k-1, k, k+1 (unknowns only) */
        double d[3];
        size_t idx[3];
        size_t m = 0;
        if (k > 0) {
            idx[m] = k - 1;
            d[m++] = t->cf[k - 1];
        }
        idx[m] = k;
        d[m++] = -((k > 0 ? t->cf[k - 1] : 0.0) + (k + 1 < n ? t->cf[k] : 0.0));
        if (k + 1 < nu) {
            idx[m] = k + 1;
            d[m++] = t->cf[k];
        }
        for (size_t a = 0; a < m; a++)
            for (size_t bb = 0; bb <= a; bb++) {
                size_t i = idx[a], j = idx[bb]; /* i >= j */
                t->kb[3 * j + (i - j)] += d[a] * d[bb] / t->A[k];
            }
    }
    *out = t;
    return NS_OK;
}

void ns_tent_destroy(ns_tent **tp)
{
    if (!tp || !*tp) return;
    ns_tent *t = *tp;
    free(t->r);
    free(t->A);
    free(t->cf);
    free(t->hf);
    free(t->rf);
    free(t->ihf);
    free(t->iA);
    free(t->kb);
    free(t->xs);
    if (t->J) gsl_matrix_free(t->J);
    if (t->b) gsl_vector_free(t->b);
    if (t->x1) gsl_vector_free(t->x1);
    if (t->x2) gsl_vector_free(t->x2);
    free(t);
    *tp = NULL;
}

void ns_tent_zero(ns_tent *t)
{
    /* J is allocated contiguous (tda = 3) */
    memset(t->J->data, 0, t->J->size1 * t->J->tda * sizeof(double));
}

/* Energy of the lock-up law per k0 H^2 (eq. F2): Phi(e) = int_0^e x^2/(1-x)^2
 * dx = 1/(1-e) + 2 ln(1-e) - (1-e). Below e = 0.05 the closed form cancels to
 * round-off; there, with s = e/(2 - e) (so 1 - e = (1-s)/(1+s) and
 * ln(1-e) = -2 atanh s), Phi = 4 (s/(1-s^2) - atanh s)
 * = 8 sum_k k s^(2k+1)/(2k+1), k >= 1, whose terms fall as s^2 < 6.6e-4:
 * six terms leave a relative error below 2e-19 (checked against 40-digit
 * arithmetic). Before, the series sum_m (m+1) e^(m+3)/(m+3) took 14 terms
 * and a division each (7 % of the instructions of a press case). */
static double lock_energy(double e)
{
    if (e >= 0.05) return 1.0 / (1.0 - e) + 2.0 * log1p(-e) - (1.0 - e);
    double s = e / (2.0 - e), s2 = s * s;
    double p = 1.0 / 3.0 +
               s2 * (2.0 / 5.0 + s2 * (3.0 / 7.0 + s2 * (4.0 / 9.0 + s2 * (5.0 / 11.0 + s2 * (6.0 / 13.0)))));
    return 8.0 * s * s2 * p;
}

/* x.K.x/2 (B = 1) as the sum of positive cell terms (D x)_k^2 / (2 A_k),
 * (D x)_k = c_{k-1} (x_{k-1} - x_k) + c_k (x_{k+1} - x_k) (x = 0 at a
 * Dirichlet edge): the band form sums terms of both signs far larger than the
 * energy, and its rounding (about 1e-11 J under a 4 mm tent) stalled the
 * energy control of the insertion time step. */
static double bending_energy(const ns_tent *t, const double *x)
{
    size_t nu = t->nu, n = t->n;
    const double *cf = t->cf, *iA = t->iA;
    double U = 0.0;
    /* k = 0 (no face on the left), then the cells with two unknown
     * neighbours, then the last unknown cell (its right neighbour is the
     * Dirichlet edge x = 0, or none for the symmetric cell) */
    double D0 = cf[0] * (x[1] - x[0]);
    U += D0 * D0 * iA[0];
    size_t k = 1;
    for (; k + 1 < nu; k++) {
        double Dx = cf[k - 1] * (x[k - 1] - x[k]) + cf[k] * (x[k + 1] - x[k]);
        U += Dx * Dx * iA[k];
    }
    double Dx = cf[k - 1] * (x[k - 1] - x[k]);
    if (k + 1 < n) Dx += cf[k] * (0.0 - x[k]);
    U += Dx * Dx * iA[k];
    return 0.5 * U;
}

/* Bending part of the sheet force: f += fs B K x, J += Js B K (if J_add);
 * returns B/2 x.K.x (bending_energy) if want_U (K is stored in the layout of
 * J: row j holds K(j,j), K(j+1,j), K(j+2,j)). Interior rows without bound
 * checks, the last two rows after; same order of additions throughout. */
static double sheet_bending(ns_tent *t, const double *x, double fs, double Js, double *f,
                            int J_add, int want_U)
{
    size_t nu = t->nu, td = t->J->tda;
    double *J = t->J->data;
    const double B = t->B * fs, BJ = t->B * Js;
    const double *kb = t->kb;
    size_t j = 0;
    for (; j + 2 < nu; j++) {
        const double *kj = kb + 3 * j;
        double wj = x[j], w1 = x[j + 1], w2 = x[j + 2];
        double k0b = B * kj[0], k1 = B * kj[1], k2 = B * kj[2];
        f[j] += k0b * wj;
        f[j + 1] += k1 * wj;
        f[j] += k1 * w1;
        f[j + 2] += k2 * wj;
        f[j] += k2 * w2;
        if (J_add) {
            double *Jj = J + j * td;
            Jj[0] += BJ * kj[0];
            Jj[1] += BJ * kj[1];
            Jj[2] += BJ * kj[2];
        }
    }
    for (; j < nu; j++) {
        const double *kj = kb + 3 * j;
        double wj = x[j];
        double k = B * kj[0];
        f[j] += k * wj;
        if (J_add) J[j * td] += BJ * kj[0];
        if (j + 1 < nu) {
            k = B * kj[1];
            f[j + 1] += k * wj;
            f[j] += k * x[j + 1];
            if (J_add) J[j * td + 1] += BJ * kj[1];
        }
    }
    return want_U ? t->B * bending_energy(t, x) : 0.0;
}

/* Membrane part of the sheet force on the faces: tension N = N0 + A eps (1 +
 * beta_m eps^2), eps = g^2/2 of the slope g of x. The faces between two unknowns first, then the face to the Dirichlet
 * edge (x(R) = 0) if there is one. Returns the face energy if want_U. */
static double sheet_membrane(ns_tent *t, const double *x, double N0, double A, double *f,
                             int J_add, int want_U)
{
    size_t nu = t->nu, n = t->n, td = t->J->tda;
    double *J = t->J->data;
    double U = 0.0;
    const double bm = t->beta_m;
    const double *hf = t->hf, *ihf = t->ihf, *cf = t->cf, *rf = t->rf;
    size_t nf = nu < n - 1 ? nu : n - 1; /* faces with an unknown on the left */
    for (size_t i = 0; i < nf; i++) {
        int right = (i + 1 < nu);
        double wr = right ? x[i + 1] : 0.0;
        double dw = wr - x[i];
        double g = dw * ihf[i];
        double eps = 0.5 * g * g;
        double e2 = eps * eps;
        double N = N0 + A * eps * (1.0 + bm * e2);
        double T = cf[i] * N * dw;
        f[i] -= T;
        if (right) f[i + 1] += T;
        if (want_U)
            U += 2.0 * NS_PI * rf[i] * hf[i] * (N0 * eps + A * (0.5 * e2 + 0.25 * bm * e2 * e2));
        if (J_add) {
            double kt = cf[i] * (N + A * (1.0 + 3.0 * bm * e2) * g * g);
            J[i * td] += kt;
            if (right) {
                J[(i + 1) * td] += kt;
                J[i * td + 1] -= kt;
            }
        }
    }
    return U;
}

/* The same for the viscoelastic sheet (eq. V1): per face the equilibrium
 * branch (1 - g_s) A_m and the pretension at the slope of w, and the Maxwell
 * branch g_s A_m at the slope of w - q_m with the tangent times c_m; one pass
 * over the faces. */
static double sheet_membrane_ve(ns_tent *t, const double *w, double *f, int J_add, int want_U)
{
    size_t nu = t->nu, n = t->n, td = t->J->tda;
    double *J = t->J->data;
    double U = 0.0;
    const double bm = t->beta_m, N0 = t->N0, Ae = (1.0 - t->g_s) * t->Am, Av = t->g_s * t->Am;
    const double cm = t->czm;
    const double *hf = t->hf, *ihf = t->ihf, *cf = t->cf, *rf = t->rf, *qm = t->qm;
    size_t nf = nu < n - 1 ? nu : n - 1;
    for (size_t i = 0; i < nf; i++) {
        int right = (i + 1 < nu);
        double dw = (right ? w[i + 1] : 0.0) - w[i];
        double dz = dw - ((right ? qm[i + 1] : 0.0) - qm[i]);
        double ih = ihf[i];
        double g = dw * ih, eps = 0.5 * g * g, e2 = eps * eps;
        double gz = dz * ih, ez = 0.5 * gz * gz, ez2 = ez * ez;
        double N = N0 + Ae * eps * (1.0 + bm * e2);
        double Nz = Av * ez * (1.0 + bm * ez2);
        double T = cf[i] * (N * dw + Nz * dz);
        f[i] -= T;
        if (right) f[i + 1] += T;
        if (want_U)
            U += 2.0 * NS_PI * rf[i] * hf[i] *
                 (N0 * eps + Ae * (0.5 * e2 + 0.25 * bm * e2 * e2) +
                  Av * (0.5 * ez2 + 0.25 * bm * ez2 * ez2));
        if (J_add) {
            double kt = cf[i] * (N + Ae * (1.0 + 3.0 * bm * e2) * g * g +
                                 cm * (Nz + Av * (1.0 + 3.0 * bm * ez2) * gz * gz));
            J[i * td] += kt;
            if (right) {
                J[(i + 1) * td] += kt;
                J[i * td + 1] -= kt;
            }
        }
    }
    return U;
}

double ns_tent_branch_power(const ns_tent *t, const double *w, const double *qb,
                            const double *qm)
{
    if (!(t->g_s > 0.0)) return 0.0;
    size_t nu = t->nu, n = t->n;
    /* bending branch: (g_s / tau_s) B z.K.z, z = w - q_b, as the sum of the
     * positive cell terms of bending_energy (z.K.z = 2 bending_energy(z)) */
    double *z = t->xs;
    for (size_t j = 0; j < nu; j++) z[j] = w[j] - qb[j];
    double Pb = 2.0 * bending_energy(t, z);
    /* stretching branch: (g_s / (3 tau_s)) sum_f c_f A_m eps (1 + beta_m eps^2) dz^2,
     * z = w - q_m */
    for (size_t j = 0; j < nu; j++) z[j] = w[j] - qm[j];
    double Pm = 0.0;
    const double bm = t->beta_m;
    size_t nf = nu < n - 1 ? nu : n - 1;
    for (size_t i = 0; i < nf; i++) {
        double dz = (i + 1 < nu ? z[i + 1] : 0.0) - z[i];
        double g = dz * t->ihf[i], eps = 0.5 * g * g;
        Pm += t->cf[i] * eps * (1.0 + bm * eps * eps) * dz * dz;
    }
    return t->g_s / t->tau_s * (t->B * Pb + t->Am * Pm / NS_TENT_MEMBRANE_EXPONENT);
}

/* Kelvin-Voigt viscosity of the sheet (header "Sheet short-time viscosity"):
 * bending moment B_v K v (linear), and per face the viscous tension
 * N_v = A_v d(eps)/dt = A_v g g_t on the slope g = dw/h_f, whose face force
 * c_f N_v dw = c_f A_v dw^2 dv / h_f^2 has the tangent
 * c_f A_v (2 dw dv + a0 dw^2) / h_f^2 (symmetric face stencil). */
void ns_tent_viscous(ns_tent *t, const double *w, const double *bw, double a0, double *f,
                     int J_add)
{
    if (!(t->Bv > 0.0 || t->Av > 0.0)) return;
    size_t nu = t->nu, n = t->n, td = t->J->tda;
    double *v = t->xs, *J = t->J->data;
    for (size_t i = 0; i < nu; i++) v[i] = a0 * w[i] - bw[i];
    if (t->Bv > 0.0 && t->B > 0.0) {
        double r = t->Bv / t->B;
        sheet_bending(t, v, r, r * a0, f, J_add, 0);
    }
    if (!(t->Av > 0.0)) return;
    size_t nf = nu < n - 1 ? nu : n - 1;
    for (size_t i = 0; i < nf; i++) {
        int right = (i + 1 < nu);
        double dw = (right ? w[i + 1] : 0.0) - w[i];
        double dv = (right ? v[i + 1] : 0.0) - v[i];
        double c = t->cf[i] * t->Av * t->ihf[i] * t->ihf[i];
        double T = c * dw * dw * dv;
        f[i] -= T;
        if (right) f[i + 1] += T;
        if (J_add) {
            double kt = fmax(c * (2.0 * dw * dv + a0 * dw * dw), 0.0); /* kept SPD */
            J[i * td] += kt;
            if (right) {
                J[(i + 1) * td] += kt;
                J[i * td + 1] -= kt;
            }
        }
    }
}

double ns_tent_viscous_power(const ns_tent *t, const double *w, const double *v)
{
    double P = 0.0;
    if (t->Bv > 0.0) P += 2.0 * t->Bv * bending_energy(t, v);
    if (t->Av > 0.0) {
        size_t nu = t->nu, n = t->n, nf = nu < n - 1 ? nu : n - 1;
        for (size_t i = 0; i < nf; i++) {
            int right = (i + 1 < nu);
            double dw = (right ? w[i + 1] : 0.0) - w[i];
            double dv = (right ? v[i + 1] : 0.0) - v[i];
            P += t->cf[i] * t->Av * t->ihf[i] * t->ihf[i] * dw * dw * dv * dv;
        }
    }
    return P;
}

double ns_tent_internal(ns_tent *t, const double *w, double *f, int J_add, int want_U)
{
    size_t nu = t->nu, td = t->J->tda;
    double *J = t->J->data;
    double U = 0.0;
    /* sheet (bending + membrane): the equilibrium branch (1 - g_s) at w, the
     * pretension N0 at w (it does not relax), and the Maxwell branches g_s at
     * the branch deflections w - q_b (bending) and w - q_m (stretching), with
     * the tangents d(w - q)/dw = c_b, c_m over the step (header "Sheet
     * viscoelasticity", eq. V1); g_s = 0 is the elastic sheet */
    const int ve = t->g_s > 0.0;
    const double g = ve ? t->g_s : 0.0, gs = 1.0 - g;
    if (t->B > 0.0) {
        if (!ve) {
            U += sheet_bending(t, w, 1.0, 1.0, f, J_add, want_U);
        } else {
            /* linear: one pass with x = (1 - g_s) w + g_s (w - q_b) = w - g_s q_b;
             * the energy of each branch apart, (1 - g_s) B/2 w.K.w + g_s B/2
             * z.K.z with z = w - q_b */
            double *x = t->xs;
            for (size_t i = 0; i < nu; i++) x[i] = w[i] - g * t->qb[i];
            sheet_bending(t, x, 1.0, gs + g * t->czb, f, J_add, 0);
            if (want_U) {
                U += gs * t->B * bending_energy(t, w);
                for (size_t i = 0; i < nu; i++) x[i] = w[i] - t->qb[i];
                U += g * t->B * bending_energy(t, x);
            }
        }
    }
    if (ve)
        U += sheet_membrane_ve(t, w, f, J_add, want_U);
    else
        U += sheet_membrane(t, w, t->N0, t->Am, f, J_add, want_U);
    /* foundation, elastic (equilibrium) branch (1 - g_f) p(w), plus the
     * compaction lock-up p_L = k0 H e+^2/(1 - e+)^2, e+ = max(w/H, 0), which
     * does not relax (header "Foundation", eq. F2); the caller keeps w < H */
    const double ge = 1.0 - t->g_f, k0 = t->k0, bf = t->beta_f, H = t->H_f, iH = 1.0 / H;
    for (size_t i = 0; i < nu; i++) {
        double wi = w[i], e = wi * iH, e2 = e * e;
        double gA = ge * t->A[i];
        f[i] += gA * (k0 * wi * (1.0 + bf * e2));
        if (want_U) U += gA * (k0 * (0.5 * wi * wi + 0.25 * bf * wi * wi * e2));
        if (J_add) J[i * td] += gA * k0 * (1.0 + 3.0 * bf * e2);
        if (e > 0.0) {
            double q = 1.0 / (1.0 - e), kA = k0 * t->A[i];
            f[i] += kA * H * e2 * q * q;
            if (want_U) U += kA * H * H * lock_energy(e);
            if (J_add) J[i * td] += kA * 2.0 * e * q * q * q;
        }
    }
    /* area-mean mode: U = (k_mean/2) A_tot wbar^2, f_i += k_mean A_i wbar */
    if (t->k_mean > 0.0) {
        double wbar = 0.0;
        for (size_t i = 0; i < nu; i++) wbar += t->A[i] * w[i];
        wbar /= t->A_tot;
        for (size_t i = 0; i < nu; i++) f[i] += t->k_mean * t->A[i] * wbar;
        U += 0.5 * t->k_mean * t->A_tot * wbar * wbar;
    }
    return want_U ? U : 0.0;
}

ns_status ns_tent_lr_prepare(ns_tent *t)
{
    if (!(t->k_mean > 0.0)) return NS_OK;
    for (size_t i = 0; i < t->nu; i++) gsl_vector_set(t->x2, i, t->A[i]);
    ns_tent_chol_svx(t, t->x2->data, t->x2->stride);
    return NS_OK;
}

void ns_tent_lr_apply(const ns_tent *t, double *x)
{
    if (!(t->k_mean > 0.0)) return;
    double alpha = t->k_mean / t->A_tot, ax = 0.0, az = 0.0;
    const double *z = t->x2->data;
    size_t st = t->x2->stride;
    for (size_t i = 0; i < t->nu; i++) {
        ax += t->A[i] * x[i];
        az += t->A[i] * z[i * st];
    }
    double c = alpha * ax / (1.0 + alpha * az);
    for (size_t i = 0; i < t->nu; i++) x[i] -= c * z[i * st];
}

/* Band Cholesky J = L L^T for half-bandwidth 2, in place in the GSL band
 * layout (row j holds L(j,j), L(j+1,j), L(j+2,j)): the column-oriented
 * algorithm of gsl_linalg_cholesky_band_decomp (scale column j by 1/L(j,j),
 * rank-one update of the trailing 2 x 2 block), written out for the
 * pentadiagonal case so that no BLAS call or bounds-checked access is made
 * per entry (same operations as GSL, so results agree to round-off).
 * Returns 0, or 1 if a pivot is not positive (or not finite). */
int ns_tent_chol(ns_tent *t)
{
    size_t n = t->nu, td = t->J->tda;
    double *a = t->J->data;
    for (size_t j = 0; j < n; j++) {
        double *cj = a + j * td;
        double d = cj[0];
        if (!(d > 0.0) || !isfinite(d)) return 1;
        d = sqrt(d);
        cj[0] = d;
        double id = 1.0 / d;
        if (j + 1 < n) {
            double l1 = cj[1] * id;
            cj[1] = l1;
            double *c1 = cj + td;
            c1[0] -= l1 * l1;
            if (j + 2 < n) {
                double l2 = cj[2] * id;
                cj[2] = l2;
                c1[1] -= l2 * l1;
                c1[td] -= l2 * l2; /* J(j+2, j+2) */
            }
        }
    }
    return 0;
}

void ns_tent_chol_svx(const ns_tent *t, double *x, size_t stride)
{
    size_t n = t->nu, td = t->J->tda;
    const double *a = t->J->data;
    /* L y = b (n >= 4: the grid has at least 5 nodes) */
    x[0] = x[0] / a[0];
    x[stride] = (x[stride] - a[1] * x[0]) / a[td];
    for (size_t j = 2; j < n; j++) {
        double s = x[j * stride];
        s -= a[(j - 1) * td + 1] * x[(j - 1) * stride];
        s -= a[(j - 2) * td + 2] * x[(j - 2) * stride];
        x[j * stride] = s / a[j * td];
    }
    /* L^T x = y */
    x[(n - 1) * stride] = x[(n - 1) * stride] / a[(n - 1) * td];
    x[(n - 2) * stride] =
        (x[(n - 2) * stride] - a[(n - 2) * td + 1] * x[(n - 1) * stride]) / a[(n - 2) * td];
    for (size_t k = n - 2; k-- > 0;) {
        double s = x[k * stride];
        s -= a[k * td + 1] * x[(k + 1) * stride];
        s -= a[k * td + 2] * x[(k + 2) * stride];
        x[k * stride] = s / a[k * td];
    }
}

ns_status ns_tent_factor(ns_tent *t)
{
    NS_CHECK(ns_tent_chol(t) == 0, NS_ECONV,
             "tenting Newton matrix not positive definite (n = %zu)", t->nu);
    return NS_OK;
}

/* ---------------------------------------------------------------- static tent */

ns_status ns_ins_tent_solve(const ns_ins_tent_case *c, double *r, double *w)
{
    NS_CHECK(c != NULL && r != NULL && w != NULL, NS_EINVAL, "ns_ins_tent_solve: NULL argument");
    NS_CHECK(c->B >= 0.0 && c->N0 >= 0.0 && c->k > 0.0, NS_EINVAL,
             "tent case: B = %.3g N m, N0 = %.3g N/m, k = %.3g N/m^3 (need B >= 0, N0 >= 0, k > 0)",
             c->B, c->N0, c->k);
    ns_tent *T = NULL;
    NS_TRY(ns_tent_create(c->n, c->R, c->h0, !c->symmetric, &T));
    T->B = c->B;
    T->N0 = c->N0;
    T->k0 = c->k;
    T->H_f = 1.0;
    T->tau_f = 1.0;
    size_t nu = T->nu;
    double *f = calloc(nu, sizeof(double));
    double *z = calloc(nu, sizeof(double));
    if (!f || !z) {
        free(f);
        free(z);
        ns_tent_destroy(&T);
        NS_FAIL(NS_ENOMEM, "tent case: out of memory (n = %zu)", c->n);
    }
    ns_tent_zero(T);
    ns_tent_internal(T, z, f, 1, 0); /* linear: J is the operator, f = 0 */
    for (size_t i = 0; i < nu; i++) f[i] = c->q * T->A[i];
    f[0] += c->F;
    ns_status st = ns_tent_factor(T);
    if (st == NS_OK) ns_tent_chol_svx(T, f, 1);
    for (size_t i = 0; i < c->n; i++) {
        r[i] = T->r[i];
        w[i] = i < nu ? f[i] : 0.0;
    }
    free(f);
    free(z);
    ns_tent_destroy(&T);
    return st;
}
