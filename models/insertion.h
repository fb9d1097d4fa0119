/* Insertion mechanics: tenting, puncture and penetration of a needle (or one
 * needle of an array, in its axisymmetric unit cell) into layered skin.
 *
 * (The header essay with equations, symbols, discretisation, validity limits
 * and references is written with the solver; this block fixes the interface
 * that sim/ and models/channel rely on.)
 */
#ifndef NS_INSERTION_H
#define NS_INSERTION_H

#include "params.h"
#include "status.h"

/* Result of one insertion, per needle where a force or energy. A quantity that
 * is not defined (e.g. puncture_force without puncture) is NaN. */
typedef struct {
    int punctured;                /* [-]   1 if the stratum corneum was breached */
    double puncture_force;        /* [N]   needle force at first puncture (SC) */
    double puncture_displacement; /* [m]   needle travel after first contact at puncture */
    double max_force;             /* [N]   maximum needle force during insertion */
    double insertion_energy;      /* [J]   work done on the skin by one needle */
    double penetration_depth;     /* [m]   deepest tip position below the undeformed
                                           skin surface at the needle (0 if no puncture) */
    double inserted_fraction;     /* [-]   penetration_depth / needle length */
    int deepest_layer;            /* [-]   0 none, 1 SC, 2 VE, 3 dermis, 4 hypodermis */
    double buckling_load;         /* [N]   Euler buckling load of the needle */
    double buckling_margin;       /* [-]   buckling_load / max_force */
    double energy_balance_error;  /* [-]   |work in - (stored + fracture + friction +
                                           viscous)| / work in */
    double max_tenting;           /* [m]   maximum skin deflection at the needle w(0,t) */
    double total_force;           /* [N]   maximum force summed over the needles in contact */
    double max_travel;            /* [m]   maximum needle travel after first contact */
    double layer_depth[NS_LAYER_MAX]; /* [m] depth reached inside each layer (0 if not entered) */
    double fracture_energy;       /* [J]   energy dissipated by cutting */
    double friction_energy;       /* [J]   energy dissipated by shaft friction */
    double time_end;              /* [s]   end time of the insertion simulation */
    size_t steps;                 /* [-]   accepted time steps */
    size_t rejected_steps;        /* [-]   rejected (retried) steps */
    double work_in;               /* [J]   net work of the needle and plate on the cell */
    double E_stored;              /* [J]   energy stored in the cell at the end */
    double E_visc;                /* [J]   energy dissipated by damping and relaxation */
} ns_ins_result;

/* Time history of the insertion, recorded at every accepted step. Arrays are
 * owned by the solver and valid until it is destroyed. */
typedef struct {
    size_t n;               /* [-] number of samples */
    const double *t;        /* [s] time */
    const double *travel;   /* [m] needle travel after first contact (u) */
    const double *force;    /* [N] needle force */
    const double *tip_depth;/* [m] tip depth below the undeformed surface (0 before puncture) */
} ns_ins_history;

typedef struct ns_ins ns_ins;

ns_status ns_ins_create(const ns_params *p, ns_ins **out);
ns_status ns_ins_solve(ns_ins *s, ns_ins_result *res);
ns_ins_history ns_ins_get_history(const ns_ins *s);
void ns_ins_destroy(ns_ins **s);

/* Use a fixed time step dt [s] instead of the adaptive control (0 = adaptive;
 * events are still located by root finding). For convergence studies.
 * Exceptions: NS_EINVAL (dt < 0 or not finite). */
ns_status ns_ins_set_fixed_step(ns_ins *s, double dt);

/* Static, linear tenting problem on the insertion grid (verification entry
 * point of the tenting operator):
 *   B lap(lap w) - N0 lap w + k w = q + F delta(r)/(2 pi r)
 * on [0, R] with w(R) = 0 (symmetric = 0) or zero slope and shear at R
 * (symmetric = 1). */
typedef struct {
    size_t n;      /* [-]     grid points (>= 5) */
    double R;      /* [m]     domain radius */
    double h0;     /* [m]     target first spacing (stretching towards r = 0) */
    int symmetric; /* [-]     1: unit cell (zero slope/shear at R), 0: w(R) = 0 */
    double B;      /* [N m]   bending stiffness, >= 0 */
    double N0;     /* [N/m]   membrane tension, >= 0 */
    double k;      /* [N/m^3] foundation stiffness, > 0 */
    double q;      /* [Pa]    uniform pressure */
    double F;      /* [N]     point force at r = 0 */
} ns_ins_tent_case;

/* Solve it; r and w (length n) receive the nodes and deflections (w = 0 at a
 * Dirichlet edge). Exceptions: NS_EINVAL, NS_ENOMEM, NS_ECONV. */
ns_status ns_ins_tent_solve(const ns_ins_tent_case *c, double *r, double *w);

#endif
