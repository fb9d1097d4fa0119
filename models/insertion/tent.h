/* Private interface of the tenting operator (models/insertion/tent.c), shared
 * by the insertion solver (models/insertion/). Not installed, not part of the
 * public API: the public entry point for the operator is ns_ins_tent_solve()
 * in insertion.h.
 *
 * Discretisation (see the essay in insertion.h, "Tenting operator"): nodes
 * r_0 = 0 < r_1 < ... < r_{n-1} = R on the stretched map
 *     r(xi) = R sinh(beta xi) / sinh(beta),  xi = i / (n - 1),
 * control volumes [r_{i-1/2}, r_{i+1/2}] with r_{i+1/2} = (r_i + r_{i+1})/2,
 * areas A_i = pi (r_{i+1/2}^2 - r_{i-1/2}^2), face coefficients
 * c_f = 2 pi r_f / h_f (h_f = r_{i+1} - r_i). Everything is in "force form"
 * (equations integrated over the control volume, [N]), so every operator is
 * the Hessian of a discrete energy and the Newton matrix is symmetric positive
 * definite with half-bandwidth 2 (bending couples second neighbours). */
#ifndef NS_INSERTION_TENT_PRIV_H
#define NS_INSERTION_TENT_PRIV_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <stddef.h>

#include "../status.h"

typedef struct {
    size_t n;        /* [-] nodes */
    size_t nu;       /* [-] unknowns: n (symmetric cell) or n - 1 (w(R) = 0) */
    int dirichlet;   /* [-] 1: w(R) = 0 (single needle), 0: symmetric unit cell */
    double R;        /* [m] outer radius */
    double beta;     /* [-] stretching parameter of the grid map */
    double *r;       /* [m]   node radii, n */
    double *A;       /* [m^2] control-volume areas, n */
    double *cf;      /* [-]   face coefficients 2 pi r_f / h_f, n - 1 */
    double *hf;      /* [m]   face spacings, n - 1 */
    double *rf;      /* [m]   face radii, n - 1 */
    double *ihf;     /* [1/m] inverse face spacings 1/h_f, n - 1 */
    double *iA;      /* [1/m^2] inverse control-volume areas 1/A_i, n */
    double *kb;      /* [N/m] bending stiffness band (nu x 3: diag, sub1, sub2) for B = 1 */
    /* material (set by the caller) */
    double B;        /* [N m]   bending stiffness */
    double N0;       /* [N/m]   pretension */
    double Am;       /* [N/m]   membrane stretching stiffness sum E h / (1 - nu^2) */
    double beta_m;   /* [-]     membrane strain-stiffening coefficient */
    double k0;       /* [N/m^3] foundation stiffness (instantaneous) */
    double beta_f;   /* [-]     foundation stiffening coefficient */
    double H_f;      /* [m]     foundation thickness (strain = w / H_f) */
    double g_f;      /* [-]     relaxing fraction of the foundation */
    double tau_f;    /* [s]     relaxation time of the foundation */
    double g_s;      /* [-]     relaxing fraction of the sheet's bending and stretching
                                (0: elastic sheet; header "Sheet viscoelasticity") */
    double tau_s;    /* [s]     relaxation time of the sheet */
    double czb;      /* [-]     d(w - q_b)/dw of the bending branch over the current step */
    double czm;      /* [-]     d(w - q_m)/dw of the stretching branch over the step */
    const double *qb;/* [m]     viscous deflection of the bending branch (nu), set by the
                                caller before ns_tent_internal when g_s > 0 */
    const double *qm;/* [m]     viscous deflection of the stretching branch (nu), likewise */
    double *xs;      /* [m]     scratch (nu) */
    double Bv;       /* [N m s] Kelvin-Voigt bending viscosity of the sheet (0: none;
                                header "Sheet short-time viscosity", eq. K1) */
    double Av;       /* [N s/m] Kelvin-Voigt stretching viscosity of the sheet (eq. K1) */
    double m;        /* [kg/m^2] areal mass */
    double c;        /* [N s/m^3] viscous damping */
    double k_mean;   /* [N/m^3] extra stiffness of the area-mean mode wbar = sum A_i w_i / A_tot
                                (array patch: confinement and edge support, 0 = none); its
                                Jacobian k_mean a a^T / A_tot (a_i = A_i) is rank one and is
                                applied by ns_tent_lr_prepare/ns_tent_lr_apply */
    double A_tot;    /* [m^2]   sum of the unknown control-volume areas */
    /* workspaces */
    gsl_matrix *J;   /* nu x 3 symmetric band (GSL cholesky_band layout) */
    gsl_vector *b, *x1, *x2;
} ns_tent;

/* Allocate the grid and operator for n nodes on [0, R] with first spacing
 * about h0 (geometric refinement towards r = 0). */
ns_status ns_tent_create(size_t n, double R, double h0, int dirichlet, ns_tent **out);
/* The same with a control-volume face at r_fit (0 < r_fit < R; 0: none), the
 * edge of a contact that covers whole cells (the base plate of a single
 * needle, R_b <= r <= R_p): the stretching is moved from that of h0 until the
 * nearest face inside r_fit lies on it, so the first spacing is h0 times at
 * most the cell ratio there. Without it the plate's edge snapped to the
 * nearest face, half a cell (3.5 % of R_p at 80 points) either way, and its
 * area changed by up to 7 % with the grid. */
ns_status ns_tent_create_fitted(size_t n, double R, double h0, double r_fit, int dirichlet,
                                ns_tent **out);
void ns_tent_destroy(ns_tent **t);

/* Internal force of the skin sheet (bending + membrane, with its Maxwell
 * branches at t->qb, t->qm when g_s > 0, + elastic part of the foundation) at w, added to f (length nu), and its tangent added to the band
 * matrix J (if J_add != 0). Returns the stored elastic energy [J] if want_U
 * != 0, else 0 (the Newton loop needs only force and tangent). */
double ns_tent_internal(ns_tent *t, const double *w, double *f, int J_add, int want_U);

/* Dissipated power [W] of the sheet's Maxwell branches at deflection w with
 * the viscous deflections q_b (bending) and q_m (stretching), each nu long
 * (eq. V2); 0 for an elastic sheet. */
double ns_tent_branch_power(const ns_tent *t, const double *w, const double *qb,
                            const double *qm);

/* Kelvin-Voigt force of the sheet (eq. K1) at deflection w and velocity
 * v = a0 w - bw (the BDF2 velocity of the step), added to f (nu), and its
 * tangent d/dw (through dv/dw = a0) added to J if J_add. Does nothing when
 * Bv = Av = 0. */
void ns_tent_viscous(ns_tent *t, const double *w, const double *bw, double a0, double *f,
                     int J_add);
/* Dissipated power [W] of the Kelvin-Voigt viscosity at w, v (eq. K2), >= 0. */
double ns_tent_viscous_power(const ns_tent *t, const double *w, const double *v);

/* Factorise t->J (Cholesky, band); solve with ns_tent_chol_svx.
 * Exceptions: NS_ECONV if the matrix is not positive definite. */
ns_status ns_tent_factor(ns_tent *t);
/* The same without status messages, for the Newton loop: ns_tent_chol
 * factorises t->J in place and returns 0, or 1 if it is not positive definite
 * (recoverable: the caller shrinks the step); ns_tent_chol_svx overwrites x
 * (nu entries, the given stride) with J^-1 x using the factor. */
int ns_tent_chol(ns_tent *t);
void ns_tent_chol_svx(const ns_tent *t, double *x, size_t stride);

/* Rank-one part of the Newton matrix (mean mode, Sherman-Morrison): after
 * J (the band part) is factorised, ns_tent_lr_prepare computes z = J^-1 a;
 * ns_tent_lr_apply turns x = J^-1 b into (J + alpha a a^T)^-1 b,
 * alpha = k_mean / A_tot. Both do nothing when k_mean = 0.
 * Exceptions: NS_ECONV (band solve failed). */
ns_status ns_tent_lr_prepare(ns_tent *t);
void ns_tent_lr_apply(const ns_tent *t, double *x);

/* Set J to zero. */
void ns_tent_zero(ns_tent *t);
/* Add a to J(i, i) (i < nu, unchecked). */
static inline void ns_tent_add_diag(ns_tent *t, size_t i, double a)
{
    t->J->data[i * t->J->tda] += a;
}

#endif
