/* Private interface of the continuum insertion model (models/continuum/),
 * shared by its method families; the public API and the essay with the
 * equations, symbols and validity are in models/continuum.h.
 *
 * Files, one method family each:
 *   mesh.c      the graded r-z grid (layer interfaces are grid lines), the
 *               degrees of freedom and their Dirichlet flags;
 *   element.c   the layer material (Yeoh + volumetric, header eqs. C1-C3)
 *               and the Q1/P0 mean-dilatation element: energy, gradient,
 *               tangent;
 *   linsolve.c  the sparse Newton matrix: pattern, CHOLMOD factorisation,
 *               UMFPACK when the tangent is not positive definite;
 *   newton.c    total energy, residual and tangent of the whole body
 *               (elements, rigid contacts, backing springs, inertia, loads)
 *               and the damped Newton solve of one step;
 *   indent.c    the verification entry point ns_cont_indent_solve;
 *   solver.c    ns_cont_create / solve: applicators, puncture, penetration,
 *               results and history in the form of models/insertion.h.
 * Library-private symbols carry the prefix cont_. */
#ifndef NS_CONT_PRIVATE_H
#define NS_CONT_PRIVATE_H

#include <stddef.h>

#include "../continuum.h"

#define CONT_MAX_LAYERS 4
#define CONT_MAX_CONTACTS 3 /* rigid bodies on the surface: the needle tip, a plate/face, the
                               roller drum (drum.c) */

/* Material of one layer (header eq. C1-C3). */
typedef struct {
    double mu;   /* [Pa]     small-strain shear modulus E/(2(1+nu)) */
    double K;    /* [Pa]     bulk modulus E/(3(1-2nu)) */
    double C2;   /* [Pa]     Yeoh second coefficient mu beta / 12 */
    double rho;  /* [kg/m^3] mass density */
    double g;    /* [-]      relaxing fraction of the isochoric part (Prony, eq. C13) */
    double tau;  /* [s]      its relaxation time */
    double eta;  /* [Pa s]   Kelvin-Voigt shear viscosity (eq. C14; 0: none) */
} cont_mat;

/* Viscous state of a Gauss point at the last committed step (eqs. C13-C14),
 * symmetric tensors in the order [rr, rz, zz, tt]. */
#define CONT_VS 16 /* doubles per Gauss point: S0[4], h[4], E[4], Sv[4] */

/* Graded tensor grid: nodes (i, j), i radial (r[i]), j in depth (z[j], z
 * downward from the undeformed surface). Node n = j nr + i; dofs 2n (u_r) and
 * 2n + 1 (u_z); dof 2 nr nz is the needle travel u. */
typedef struct {
    size_t nr, nz;   /* [-] nodes per direction */
    double *r;       /* [m] radial node coordinates, r[0] = 0 */
    double *z;       /* [m] depth node coordinates, z[0] = 0 */
    int *lay;        /* [-] layer of element row j (nz - 1 entries) */
    size_t ndof;     /* [-] 2 nr nz + 1 */
    size_t ufree;    /* [-] index of the needle dof (ndof - 1) */
} cont_mesh;

/* Rigid axisymmetric body on the surface: lower face at depth
 * z_s(rho) = u_b - f(rho) for rho in [rho0, rho1] (f >= 0 its height above
 * its lowest point), where u_b = u - offset follows the needle dof (follow =
 * 1) or is fixed at offset (follow = 0). */
typedef struct {
    int active;      /* [-] 1: in use */
    int follow;      /* [-] 1: moves with the needle dof */
    double offset;   /* [m] u_b = u - offset (follow) or u_b = offset */
    double rho0;     /* [m] inner edge of the face */
    double rho1;     /* [m] outer edge of the face */
    ns_cont_profile shape;
    double a;        /* [m] flat: radius of the flat part; cap: junction radius */
    double Rs;       /* [m] sphere/cap radius (sphere, needle) */
    double cot_t;    /* [-] cone: dz/drho of the flank, 1/tan(half-angle) */
    double edge;     /* [m] flat: edge rounding radius */
    double a_in;     /* [m] flat: inner radius of the flat part (an annular face, 0: a disk);
                        below it the face rises as (a_in - rho)^2 / (2 edge), so a node
                        sliding under the inner rim leaves contact continuously */
    double p_hold;   /* [Pa] > 0: the face holds the skin pre-pressed onto it with this pressure
                        (the roller drum, eq. C17): the contact is two-sided up to a pull of
                        p_hold per area, beyond which the skin leaves the face; 0: one-sided */
} cont_body;

typedef struct cont_lin cont_lin;

/* The discrete body and its Newton workspace. */
typedef struct {
    cont_mesh m;
    size_t nl;                       /* [-] layers */
    cont_mat mat[CONT_MAX_LAYERS];
    double kb;                       /* [N/m^3] backing spring under the bottom; 0: clamped */
    int sym_outer;                   /* [-] 1: u_r = 0 at r = R (unit cell); 0: free edge */
    cont_body body[CONT_MAX_CONTACTS];
    double eps_pen;                  /* [Pa/m] contact penalty per area */
    double *x;                       /* [m] displacement (ndof) */
    double *x0;                      /* [m] displacement at the start of the step */
    double *v, *a;                   /* [m/s], [m/s^2] velocity, acceleration (Newmark) */
    double *mass;                    /* [kg] lumped mass per dof (ndof) */
    double *g;                       /* [N] residual (ndof) */
    double *dx;                      /* [m] Newton increment (ndof) */
    double *xt;                      /* [m] trial displacement (ndof) */
    unsigned char *fixed;            /* [-] 1: Dirichlet dof (ndof) */
    cont_lin *lin;                   /* sparse matrix and factorisation */
    double *fext;                    /* [N] nodal loads (ndof; the cut tractions), or NULL */
    double F_ext;                    /* [N] force on the needle dof when it is free */
    double m_u;                      /* [kg] mass of the needle dof (dynamic) */
    double dt;                       /* [s] Newmark step (0: quasi-static) */
    double Fbody[CONT_MAX_CONTACTS]; /* [N] contact force of each body after a solve */
    double E_floor;                  /* [J] energy scale below which differences are round-off */
    size_t newton_its;               /* [-] Newton iterations of the last solve */
    size_t newton_tangents;          /* [-] of which on a tangent assembled and factorised anew */
    size_t max_newton;               /* [-] Newton cap */
    /* viscoelasticity (eqs. C13-C14) */
    int visco;                       /* [-] 1: some layer has g > 0 or eta > 0 */
    double dt_v;                     /* [s] time step of the solve (0: no time passes) */
    double *vs;                      /* Gauss-point states (CONT_VS per point, 4 per element) */
    double A_rel;                    /* [J] work of the relaxed stress q = g S0 - h so far */
    double W_kv;                     /* [J] Kelvin-Voigt dissipation so far */
    double D_rel;                    /* [J] branch dissipation at the last commit (eq. C15) */
} cont_sys;

/* Increments of a viscous step from the committed state to x (eq. C15). */
typedef struct {
    double W_el;  /* [J] elastic energy sum W0 dV + V U(Jb) at x (every element) */
    double dA;    /* [J] work of the relaxed stress q over the step (trapezoid) */
    double dKV;   /* [J] Kelvin-Voigt work over the step (trapezoid) */
    double D_rel; /* [J] branch dissipation at x: sum (g W0 - |h|^2/(4 g mu)) dV - A */
} cont_visco_inc;

/* mesh.c */
ns_status cont_mesh_build(cont_mesh *m, double R, double r_fine, double h0, double growth,
                          size_t nl, const double *thick, double refine);
void cont_mesh_free(cont_mesh *m);
/* element.c */
void cont_mat_init(cont_mat *mt, double E, double nu, double beta, double rho);
int cont_elem_eval(const cont_sys *s, size_t i, size_t j, const double *x, double *E,
                   double *ge, double *Ke);
void cont_elem_dofs(const cont_mesh *m, size_t i, size_t j, size_t dof[8]);
ns_status cont_visco_alloc(cont_sys *s);
void cont_visco_step(cont_sys *s, const double *x, int commit, cont_visco_inc *inc);
/* linsolve.c */
ns_status cont_lin_create(const cont_sys *s, cont_lin **out);
void cont_lin_destroy(cont_lin **l);
void cont_lin_zero(cont_lin *l);
void cont_lin_add(cont_lin *l, size_t a, size_t b, double v);
void cont_lin_shift(cont_lin *l, double lambda);
ns_status cont_lin_solve(cont_lin *l, const double *rhs, double *sol, int refactor);
int cont_lin_ready(const cont_lin *l);
/* newton.c */
ns_status cont_sys_create(cont_sys *s);
void cont_sys_free(cont_sys *s);
/* What cont_energy evaluates besides Pi: nothing, the gradient (into s->g),
 * or the gradient and the tangent (into the matrix of s->lin). */
enum { CONT_E_VALUE = 0, CONT_E_TANGENT = 1, CONT_E_GRAD = 2 };
int cont_energy(cont_sys *s, const double *x, double *Pi, int want);
ns_status cont_newton(cont_sys *s, double tol_r);
double cont_node_area(const cont_mesh *m, size_t i);
double cont_strain_energy(const cont_sys *s, const double *x);
double cont_body_gap(const cont_body *b, double u, double rho, double *df, double *d2f);
double cont_newmark_step(cont_sys *s, const double *x, int commit, double *E_nm);

/* drum.c (models/continuum.h eqs. C16-C18) */
/* The drum's sinking delta, pressure p_d and the fast model's lift-off radius
 * rho_c of the roller case in (eqs. D1-D3), the drum face body[2] (C17; none
 * at delta = 0), the first-contact angle theta_c and the end of loading;
 * after the grid is built. */
ns_status cont_drum_init(ns_cont *c, const ns_ins_input *in);
/* Travel u [m] of the needle at drum angle th [rad] into the drum-held skin (C18). */
double cont_drum_travel(const ns_cont *c, double th);

#endif
