/* The insertion driver's object (struct ns_cont), shared by solver.c and
 * cut.c of models/continuum/; private. */
#ifndef NS_CONT_INTERNAL_H
#define NS_CONT_INTERNAL_H

#include "cont_private.h"

enum { CPH_LOAD = 0, CPH_HOLD, CPH_UNLOAD, CPH_END };

struct ns_cont {
    ns_params p;             /* copy of the case inputs (SI) */
    cont_sys s;              /* discrete body */
    int nl;                  /* [-] layers */
    double ztop[NS_LAYER_MAX + 1]; /* [m] reference depth of the top of each layer; [nl] = H */
    double Gc[NS_LAYER_MAX]; /* [J/m^2] toughness per layer */
    double mu[NS_LAYER_MAX]; /* [-] friction coefficient per layer */
    double Es[NS_LAYER_MAX]; /* [Pa] plane-strain modulus per layer */
    double h0;               /* [m] finest grid spacing */
    double L, r_t, r_b;      /* [m] needle length, tip radius, base radius */
    double F_c;              /* [N] puncture force (eq. C10) */
    double f_cw;             /* [-] cutting factor */
    double V_load;           /* [m/s] loading speed of the tip laws (as the fast model) */
    double p_sp[NS_LAYER_MAX]; /* [Pa] spreading pressure f_sp E*_k phi_k per layer (T2) */
    double p_sh[NS_LAYER_MAX]; /* [Pa] shaft contact pressure of the cut per layer (T3) */
    double N_needles;        /* [-] needles sharing the applicator load */
    double F_cap;            /* [N] force cap per needle (INFINITY: none) */
    double m_a;              /* [kg] impact mass per needle */
    double Vw;               /* [m/s] withdrawal speed */
    double t_load_end;       /* [s] end of loading (stroke, pen half period, roller half contact) */
    double roller_th;        /* [rad] half contact angle of a roller needle */
    double drum_delta;       /* [m] roller: the drum's sinking under the hand force (C16) */
    double drum_p;           /* [Pa] roller: the drum's pressure p_d on the skin (C16) */
    double drum_rho;         /* [m] roller: the fast model's lift-off radius rho_c (D3; INFINITY:
                                none) */
    double *fa, *fb;         /* [m] start fields of the cut solve, scratch (ndof each) */
    double *ff_acc;          /* [N] shaft friction part of f_acc (ndof): the friction energy */
    double *x_acc;           /* [m] last accepted displacement (ndof) */
    double u_rev;            /* [m] travel at the reversal (start of withdrawal) */
    double du_stick;         /* [m] travel over which the friction falls from +F_fric to 0 (C12) */
    double q_fric;           /* [-] friction factor of the withdrawal loads, -1 sliding out (C12) */
    double q_front;          /* [-] front load factor while withdrawing, tip on the front (C12) */
    double rel_slope;        /* [m] dr/dq of the last front-load solve (0: none yet) */
    double *f_acc;           /* [N] loads at the last accepted state (ndof) */
    /* history */
    size_t hn, hcap;
    double *ht, *hu, *hF, *hd;
    ns_ins_result res;
};

void cont_cut_resistance(const ns_cont *c, double d, double *F_front, double *F_fric);
void cont_cut_parts(const ns_cont *c, double d, double *F_cut, double *F_spread, double *F_fric);
void cont_cut_loads(const ns_cont *c, double d, int sign, double *f);
double cont_axis_uz(const cont_mesh *m, const double *x, double z, double *slope);
ns_status cont_cut_solve(ns_cont *c, double u, int sign, double d_lo, double d_hi, double *d);
ns_status cont_cut_release(ns_cont *c, double u, double d, double q_hi, double *q);

#endif
