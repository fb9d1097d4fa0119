/* Private interface of the diffusion solver (models/diffusion/), shared by its
 * method families; not installed and not part of the public API, which is
 * models/diffusion.h (equations, grid and scheme: that header's essay).
 *
 * Files, one method family each:
 *   grid.c    the z and r grids (faces on layer interfaces and the channel
 *             floor, geometric clustering), cell volumes and layers, the cell
 *             and face coefficients (capacity, conductances, clearance);
 *   adi.c     the locally one-dimensional backward-Euler step (Thomas line
 *             solves), its limited Richardson extrapolation, mass balance
 *             increments and the error controller;
 *   block.c   the channel block of that step (the cells a channel can cut,
 *             one banded solve) and the closure events the step lands on;
 *   dose.c    the needle reservoir of coated and dissolving doses (source
 *             and exchange into the channel cells) and the channel fill of a
 *             vehicle applied before needling;
 *   solver.c  input checks, create / destroy, dose set-up, the output loop
 *             (solve), getters and the lag time;
 *   mol.c     the semi-discrete system of the same operator as a sparse
 *             matrix, for another integrator (the PETSc peer of make bench).
 * Library-private functions carry the prefix diff_.
 *
 * Index conventions: cell (i, j) of nr x nz cells is k = idx(i, j, nz) (radial
 * index i, depth index j); radial face conductances gr[j * (nr + 1) + i],
 * axial ones gz[i * (nz + 1) + j]. The unknown is u = C / cap, the
 * concentration in the channel fluid (continuous across the channel wall). */
#ifndef NS_DIFF_PRIVATE_H
#define NS_DIFF_PRIVATE_H

#include <stddef.h>

#include "../diffusion.h"

struct ns_diff {
    size_t nr;          /* [-] radial cells */
    size_t nz;          /* [-] depth cells */
    size_t n;           /* [-] nr * nz */
    double R;           /* [m] outer radius (unit cell, or the single-needle disc) */
    double H;           /* [m] modelled depth */
    double area;        /* [m^2] pi R^2, the surface the amounts are divided by */
    double *rf;         /* [m] radial faces, nr + 1 */
    double *zf;         /* [m] depth faces, nz + 1 */
    double *rc;         /* [m] radial cell centres, nr */
    double *zc;         /* [m] depth cell centres, nz */
    double rim_refine;  /* [-] numerics.diff_rim_refine: rim cells this many times finer than
                           the other segment ends at 40 x 120 (grid.c); 0: no rim faces */
    int cut_faces;      /* [-] numerics.diff_cut_faces: SC-base axial faces of cut cells as
                           parallel material paths (grid.c, axial_faces) */
    double *vol;        /* [m^3] cell volumes, n */
    size_t *layer;      /* [-] skin layer of each depth cell, nz */
    double *Dl;         /* [m^2/s] layer diffusivity per depth cell, nz */
    double *Kl;         /* [-]     layer partition coefficient per depth cell, nz */
    double *kl;         /* [1/s]   layer clearance rate per depth cell, nz */
    /* channel */
    int has_ch;         /* [-] 1 if an open channel is modelled */
    int closing;        /* [-] 1 while the channel closes (coefficients change every step) */
    int ch_closed;      /* [-] 1 once the channel is narrower than the solute */
    double vol_total;   /* [m^3] sum of the cell volumes */
    double r_max;       /* [m] widest channel radius at t = 0 */
    ns_channel_geom ch; /* channel profile and closure law */
    double ch_depth;    /* [m] channel floor, snapped onto a depth face */
    double a_solute;    /* [m] solute radius (Renkin hindrance) */
    double D_free;      /* [m^2/s] free diffusivity of the drug in the channel fluid */
    /* coefficients at the current coefficient time */
    double *cap;        /* [-] capacity phi + (1 - phi) K, n */
    double *M;          /* [m^3] cap * vol, n */
    double *gr;         /* [m^3/s] radial face conductances, nz * (nr + 1) */
    double *gz;         /* [m^3/s] axial face conductances, nr * (nz + 1) */
    double *rx;         /* [m^3/s] clearance k_cl (1 - phi) K V, n */
    int is_ve_dermis_col[NS_LAYER_MAX]; /* [-] 1 for the layers counted in skin_amount */
    int has_sc;         /* [-] 1 if layer 0 is a stratum corneum (four-layer stack) */
    /* dosing and bottom */
    ns_dose_mode dose;  /* infinite, finite or coated */
    ns_bottom_bc bottom; /* sink or no flux */
    double h_f;         /* [m] film thickness (finite dose) */
    double Cv;          /* [kg/m^3] vehicle concentration now */
    double Cv0;         /* [kg/m^3] vehicle concentration at t = 0 */
    /* needle reservoir (coated or dissolving dose; dose.c) */
    double m_res;       /* [kg] drug still on (coating) or in (dissolving) the needle */
    double m_res0;      /* [kg] reservoir at t = 0 */
    double C_s;         /* [kg/m^3] solubility: concentration at the dissolving coating */
    double kA;          /* [m^3/s] Noyes-Whitney mass-transfer coefficient times wetted area */
    double t_diss;      /* [s] dissolving needle: complete dissolution time */
    double t_res90;     /* [s] time at which 90 % of the reservoir had left (NaN: not yet) */
    double *wch;        /* [-] channel-fluid weight phi V / V_ch of each cell (sums to 1), n */
    double *qx;         /* [m^3/s] reservoir exchange conductance in the current step, n */
    double *qs;         /* [kg/s] reservoir source in the current step, n */
    double u_scale;     /* [kg/m^3] floor of the error scale of u */
    double rtol;        /* [-] relative tolerance of the step error estimate (adi.c) */
    size_t max_steps;   /* [-] cap on accepted + rejected steps */
    /* state */
    double t;           /* [s] time */
    double *u;          /* [kg/m^3] unknown u = C / cap, n */
    /* balance */
    double donor;       /* [kg] mass that entered from the vehicle (or was coated) */
    double receptor;    /* [kg] mass that left through the bottom */
    double cleared;     /* [kg] mass removed by clearance */
    double stored_ref;  /* [kg] stored mass of a field set by ns_diff_set_field */
    double peak_flux;   /* [kg/(m^2 s)] largest outflow per area so far */
    size_t steps;       /* [-] accepted steps */
    size_t rejected;    /* [-] rejected steps */
    double dt_next;     /* [s] proposed next step */
    double coef_t;      /* [s] time of the closing channel's coefficients (adi.c) */
    double lag_time;    /* [s] lag time of the last solve (NaN: not steady) */
    double donor_closed; /* [kg] donor loss at the first accepted step with the channel
                            closed to the solute (NaN: not yet) */
    /* concentration probe (ns_diff_set_probe): depth cell, threshold, last
     * sample and the first crossing */
    int probe_on;       /* [-] 1 if a probe is set */
    size_t probe_j;     /* [-] depth cell of the probe */
    double probe_thr;   /* [kg/m^3] threshold of the free concentration */
    double probe_t;     /* [s] time of the last sample */
    double probe_u;     /* [kg/m^3] free concentration of the probe cell at probe_t */
    double probe_cross; /* [s] first time probe_u reached probe_thr; NaN: not yet */
    int ch_closed_at_step; /* [-] ch_closed at the start of the current step */
    /* work, n each */
    double *c_n;        /* [kg/m^3] contents cap u at the start of a step attempt */
    double *c_full;     /* [kg/m^3] u_1 = L(dt) c_n (adi.c) */
    double *c_half;     /* [kg/m^3] contents after the first half step */
    double *u_two;      /* [kg/m^3] u_2 = L(dt/2)^2 c_n */
    double *ustar;      /* [kg/m^3] intermediate of a base step (after the r sweep) */
    double *az;         /* [kg/s]   explicit axial operator applied to the start of a base step */
    double *ybuf;       /* scratch: channel fraction at set-up, unit-vehicle response in a step */
    size_t blk_i1, blk_j1; /* [-] channel block: columns and rows a channel can cut (block.c) */
    double *blk;        /* upper band of the block's matrix, blk_j1 blk_i1 rows of
                           DIFF_BLOCK_STRIDE(blk_i1), then
                           its right-hand side / solution, blk_j1 blk_i1, the row lines'
                           elimination factors and Schur diagonals (block.c) */
    double *ev;         /* [s] times the closing wall passes a cell centre, ascending (block.c) */
    size_t n_ev, ev_next; /* [-] their number and the next one ahead */
    double *Cbuf;       /* [kg/m^3] concentration C = cap u for ns_diff_get_field, nr_out * nz */
    /* reported radial grid (ns_diff_input.intact_1d: the one stepped column
     * is shown on the grid of numerics.diff_n_r) */
    size_t nr_out;      /* [-] radial cells reported (nr unless the column is repeated) */
    double *rf_out;     /* [m] reported radial faces, nr_out + 1 (NULL: rf) */
    double *rc_out;     /* [m] reported radial centres, nr_out (NULL: rc) */
    double *dkz;        /* [m^2/s] per-cell D K along z (parallel mix over the annulus), n */
    /* line buffers, max(nr, nz) each: Thomas sub, main, super diagonal, rhs,
     * solution and the forward-sweep coefficients */
    double *la, *lb, *lc, *ld, *lx, *lcp;
};

static inline size_t idx(size_t i, size_t j, size_t nz) { return i * nz + j; }

/* grid.c */
ns_status diff_grid_z(ns_diff *s, const ns_skin_params *sk, const ns_channel_geom *ch);
ns_status diff_grid_r(ns_diff *s, const ns_array_params *ar, const ns_channel_geom *ch);
void diff_grid_cells(ns_diff *s, const ns_skin_params *sk);
double diff_row_channel_radius(const ns_diff *s, size_t j, double t);
void diff_set_coefficients(ns_diff *s, double t, int remap);
void diff_refresh_channel(ns_diff *s, double t);
void diff_channel_extent(const ns_diff *s, size_t *i1, size_t *j1);
/* dose.c: the needle reservoir, the one hook of the dose into the step.
 * diff_dose_source fills qx and qs for a step of dt from s->t (capped = 0:
 * the release law; capped = 1: the whole remaining reservoir released at a
 * constant rate over the step). The step adds qs to the right-hand side
 * (constant over the step) and qx to the diagonal of the axial operator
 * like clearance; diff_dose_release returns the mass the scheme moved out
 * of the reservoir over the step (trapezoid of qs - qx u, exactly what the
 * step added), diff_dose_commit books it at the end of an accepted step. */
ns_status diff_dose_init(ns_diff *s, const ns_drug_params *drug);
void diff_dose_source(ns_diff *s, double dt, int capped);
double diff_dose_release(const ns_diff *s, double dt, double theta, const double *u0,
                         const double *u1);
void diff_dose_commit(ns_diff *s, double dt, double released);
/* mol.c: the semi-discrete system dy/dt = A(t) M(t)^-1 y + b(t), dQ/dt =
 * w(t) . M(t)^-1 y of contents y = M u at time t (refreshes a closing
 * channel's coefficients at t). A as CSR of the cell unknowns u: row_ptr
 * [n + 1], col and val [5 n] (columns increasing within a row); b [kg/s],
 * M [m^3], w [m^3/s] of n each. Exceptions: NS_EINVAL (finite dose or
 * needle reservoir: states this form does not carry). diff_mol_state: the
 * contents y = M u of the current state. */
ns_status diff_mol_system(ns_diff *s, double t, size_t *row_ptr, size_t *col, double *val,
                          double *b, double *M, double *w);
void diff_mol_state(const ns_diff *s, double *y);
/* adi.c */
double diff_stored_mass(const ns_diff *s);
double diff_outflow(const ns_diff *s, const double *u);
ns_status diff_adaptive_step(ns_diff *s, double dt_max, double *taken);
/* block.c */
/* Relative resolution of the closure events (bisection width, and the
 * distance below which an event counts as reached): far below any step. */
#define DIFF_EV_REL 1e-9
/* The channel block's buffers and a closing channel's events (nothing
 * without a channel). Exceptions: NS_ENOMEM. */
ns_status diff_block_init(ns_diff *s);
/* Entries per row of the block's band storage (block.c): the upper band. */
#define DIFF_BLOCK_STRIDE(bi) ((bi) + 1)
/* Stage 1 restricted to the bi x bj block (block.c): rhs in, solution out. */
void diff_block_solve(ns_diff *s, size_t bi, size_t bj, int top, double dt, const double *Ed,
                      double *rhs);

#endif
