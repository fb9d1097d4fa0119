/* Private interface of the insertion solver (models/insertion/), shared by its
 * method families; not installed and not part of the public API, which is
 * models/insertion.h (equations and symbols: that header's essay).
 *
 * Files, one method family each:
 *   tiplaw.c    tip laws as pure functions (tiplaw.h): puncture force,
 *               rate factor, shaft contact pressure;
 *   tip.c       tip laws: contact (Hertz + Sneddon), tissue resistance
 *               (cutting, spreading, friction), the elastic-plastic return
 *               map, the puncture event, the needle tables r(s), S(s);
 *   drive.c     applicators: prescribed travel per phase, phase changes,
 *               applicator set-up (press, impact, pen, roller);
 *   material.c  skin sheet and foundation properties, base-plate and
 *               array-patch stiffnesses;
 *   step.c      one BDF2 step with Newton, energies, event functions;
 *   solver.c    create / destroy / solve: the time loop, event location,
 *               energy bookkeeping, results and history;
 *   tent.c      the tenting operator (tent.h) and the static tent solve;
 *   patch.c     finite patches: centre and edge rings of a patch of N needles;
 *   roller.c    the drum-skin contact under the hand force and the drum path.
 * Library-private functions carry the prefix ins_. */
#ifndef NS_INS_PRIVATE_H
#define NS_INS_PRIVATE_H

#include <stddef.h>

#include "../insertion.h"
#include "tent.h"

#define NS_INS_TAB 512         /* [-] points of the r(s), S(s) tables */
#define NS_INS_MAX_EVENT_IT 30 /* [-] Illinois iterations locating one event */
#define NS_INS_EVENT_TOL 1e-10  /* [-] event bracket width at convergence / step size */
#define NS_INS_HIST0 256       /* [-] initial capacity of the history arrays */
#define NS_INS_PLATE_RADIUS_FACTOR 10.0 /* [-] single needle: hub radius / base radius */
#define NS_INS_PLATE_DAMPING_RATIO 1.0 /* [-] damping ratio of the base-plate contact */
#define NS_INS_PLATE_RAMP 1e-2 /* [-] plate-damping ramp / thickness of the layer under the plate */
#define NS_INS_FIT_POINTS 33   /* [-] wavenumbers of the Pasternak foundation fit */
#define NS_INS_ENERGY_STEP_TOL 1e-3 /* [-] energy residual of a step / energy flow */
#define NS_INS_ENERGY_FLOOR 1e-2 /* [-] floor of the energy flow of a step / positive work */
#define NS_INS_ENERGY_ABS 1e-6  /* [-] absolute energy floor of a step / E_s */
#define NS_INS_ENERGY_BUDGET 3e-3 /* [-] energy residual after loading at which the floor is 0 / W+ */
#define NS_INS_ENERGY_ROUND 1e-13 /* [-] rounding of a step's energies / their magnitude */
#define NS_INS_ENERGY_HMIN 1e-6 /* [-] smallest step of the energy control / (L / V) */
#define NS_INS_LOCK_FRACTION 0.5 /* [-] largest Newton move towards the foundation lock-up */
#define NS_INS_HOLD_DECAY 30.0 /* [-] length of a settling step of a hold / (m / c) */
#define NS_INS_HOLD_STEPS 2000 /* [-] steps of a hold before a settling step is tried */
#define NS_INS_STATE_ARRAYS 6  /* [-] arrays of nu doubles per state: w, v, a, hm, qb, qm */

/* Phases: load, hold, withdraw along the applicator's path, then retract
 * straight out at the phase speed until the tip has left its hole (skin that
 * shaft friction lifted with the needle is released there, not cut off at a
 * fixed time). */
enum { PH_LOAD = 0, PH_HOLD, PH_UNLOAD, PH_RETRACT, PH_END };
/* EV_BACKING: the cut depth reaches the bottom of the stack, z = ztop[nl]
 * (the backing is a rigid stop: models/insertion.h, "Backing"). */
enum { EV_PUNCTURE = 0, EV_LAYER, EV_PLATE, EV_CAP, EV_STOP, EV_STROKE, EV_BACKING, EV_COUNT };

/* One time level of the coupled needle + skin system. */
typedef struct {
    double t;     /* [s]     time */
    double tp;    /* [s]     time since the start of the current phase, summed from
                     the phase's own steps (t - phase_t0 loses the digits of a step
                     of 1e-9 s after a hold of 1e4 s; the drive and the phase end
                     are reckoned in tp) */
    double *w;    /* [m]     deflection per unknown node (nu) */
    double *v;    /* [m/s]   deflection velocity per node (nu) */
    double *a;    /* [m/s^2] deflection acceleration per node (nu) */
    double *hm;   /* [Pa]    Maxwell-branch stress of the foundation per node (nu) */
    double *qb;   /* [m]     viscous deflection of the sheet's bending branch per node (nu) */
    double *qm;   /* [m]     viscous deflection of the sheet's stretching branch per node (nu) */
    double u;     /* [m]     needle travel (base of the tip from first contact) */
    double ud;    /* [m/s]   needle velocity */
    double ua;    /* [m/s^2] needle acceleration */
    double dp;    /* [m]     plastic (cut) tip depth in tissue */
    double F;     /* [N]     needle force on the tissue */
    double Fpl;   /* [N]     base-plate force on the cell */
    double dFdx;  /* [N/m]   tangent of the needle force w.r.t. x = u - w(0) */
    double xq;    /* [m]     viscous indentation of the contact's Maxwell branch (eq. V4) */
    double pq;    /* [-]     force exponent of the contact law the step to this state used */
} ins_state;

/* Skin sheet and foundation properties (material.c, header "Skin sheet and
 * foundation"), copied into the tent operator by ns_ins_create. */
typedef struct {
    double B;      /* [N m]    bending stiffness about the neutral axis */
    double Am;     /* [N/m]    membrane stiffness sum E'_i h_i */
    double beta_m; /* [-]      E'h-weighted membrane stiffening */
    double m;      /* [kg/m^2] areal mass of the sheet */
    double k0;     /* [N/m^3]  foundation stiffness (hypodermis in series with the backing) */
    double G_f;    /* [N/m]    shear stiffness of the Pasternak foundation (adds to N0) */
    double beta_f; /* [-]      foundation stiffening of the tissue (calibration added later) */
    double H_f;    /* [m]      foundation thickness */
    double g_f;    /* [-]      relaxing fraction of the foundation (0: elastic) */
    double tau_f;  /* [s]      relaxation time of the foundation */
    double g_s;    /* [-]      relaxing fraction of the sheet (E'h-weighted; 0: elastic) */
    double tau_s;  /* [s]      relaxation time of the sheet (g E'h-weighted) */
    double Bv;     /* [N m s]  Kelvin-Voigt bending viscosity of the sheet (eq. K1) */
    double Av;     /* [N s/m]  Kelvin-Voigt stretching viscosity of the sheet (eq. K1) */
    double g_c;    /* [-]      relaxing fraction of the tip contact (surface layer; 0: elastic) */
    double tau_c;  /* [s]      relaxation time of the tip contact */
} ins_sheet;

/* The parts of the case the solver reads, copied from ns_ins_input (the
 * member names are those of ns_params, so s->p.skin reads as before). */
typedef struct {
    ns_skin_params skin;
    ns_needle_params needle;
    ns_array_params array;
    ns_applicator_params applicator;
    ns_numerics_params numerics;
    ns_insertion_calib insertion;
} ins_inputs;

struct ns_ins {
    ins_inputs p;               /* copy of the inputs (SI), ns_ins_input by value */
    ns_tent *T;                 /* tenting operator and Newton workspace */
    size_t nu;                  /* [-] unknowns of the tent (T->nu) */
    int nl;                     /* [-] skin layers (1 or 4) */
    double ztop[NS_LAYER_MAX + 1]; /* [m] depth of the top of layer k; ztop[nl] = stack thickness */
    double Gc[NS_LAYER_MAX];    /* [J/m^2] fracture toughness per layer */
    double mu[NS_LAYER_MAX];    /* [-]     needle-tissue friction coefficient per layer */
    double Es[NS_LAYER_MAX];    /* [Pa]    plane-strain modulus E/(1 - nu^2) per layer */
    double L;                   /* [m] needle length */
    double r_t;                 /* [m] tip radius */
    double r_b;                 /* [m] base radius */
    double tan_a;               /* [-] tangent of the cone half-angle near the tip (>= 1e-3) */
    size_t plate0;              /* [-] first node under the base plate (r >= R_b) */
    size_t n_plate;             /* [-] one past the last node under the plate (r <= R_p) */
    double Ec;                  /* [Pa] contact modulus E* of the surface layer */
    double a_t;                 /* [m] contact radius where the Hertz cap joins the cone */
    double d_t;                 /* [m] indentation at that junction */
    double F_t;                 /* [N] contact force at the junction */
    double U_t;                 /* [J] contact energy at the junction */
    double d0;                  /* [m] indentation offset of the Sneddon cone law */
    double d_b;                 /* [m] indentation where the cone's contact radius reaches R_b */
    double F_b;                 /* [N] contact force there (flat-punch slope K_e beyond) */
    double U_b;                 /* [J] contact energy there */
    double F_c;                 /* [N] puncture force, tip law T1 (tiplaw.h) */
    double p_sp[NS_LAYER_MAX];  /* [Pa] spreading pressure per layer, f_sp E*_k phi_k (T2) */
    double p_sh[NS_LAYER_MAX];  /* [Pa] shaft contact pressure per layer (T3) */
    double tip_load;            /* [N] largest cutting force at the apex after puncture */
    double K_e;                 /* [N/m] elastic tip stiffness after puncture, 2 E* R_b */
    double kp;                  /* [N/m^3] base-plate contact stiffness */
    double cp;                  /* [N s/m^3] base-plate contact damping 2 zeta_p sqrt(m k_p) */
    double plate_ramp;          /* [m] penetration over which the plate damping sets in */
    double m_a;                 /* [kg] impact mass per needle */
    double N_needles;           /* [-] needles sharing the applicator load */
    double f_cw;                /* [-] crack width factor of the cutting law (P1) */
    double f_sp;                /* [-] spreading factor of (P2), (P3) */
    double d_cut;               /* [m] deepest cut so far: the crack front (accepted steps) */
    double cut_x;               /* [m] x = u - w0 of the last cut-depth root (warm start; NaN: none) */
    double cut_d;               /* [m] that root */
    double cut_k;               /* [-] its rate dd/dx = K_t/(K_t + R') (forward) */
    int cut_fwd;                /* [-] its direction: 1 forward cutting, 0 backward slip */
    double V;                   /* [m/s] drive speed of the press (and impact start speed) */
    double Vw;                  /* [m/s] withdrawal speed */
    double t_load_end;          /* [s] end of the loading phase (INFINITY: event-ended) */
    double F_cap;               /* [N] force cap per needle (INFINITY: none) */
    double roller_T;            /* [s] contact time of one roller needle */
    double roller_th;           /* [rad] half contact angle of the roller needle path */
    double roller_Rd;           /* [m] drum radius */
    double roller_delta;        /* [m] sinking of the drum into the skin under the hand force */
    double len_scale;           /* [m] absolute floor of the length scale of tolerances, 1e-3 U_s */
    double U_s;                 /* [m] travel scale: the largest travel the drive can impose
                                   (ins_drive_init); sizes steps and tolerances */
    double E_s;                 /* [J] energy scale of the drive: K_e U_s^2, at most the
                                   force cap times U_s or an impact's kinetic energy */
    double s_tab[NS_INS_TAB];   /* [m]   distance from the tip, quadratic spacing on [0, L] */
    double r2_tab[NS_INS_TAB];  /* [m^2] squared needle radius at s_tab */
    double S_tab[NS_INS_TAB];   /* [m^2] lateral needle area from the tip to s_tab */
    /* time stepping */
    ins_state y0;               /* previous accepted state */
    ins_state y1;               /* current accepted state */
    ins_state y2;               /* trial state of the step being solved */
    double *work;               /* 7 nu doubles: energy scratch (first nu), then f, bw, bv, bh,
                                   bqb, bqm */
    double *f;                  /* [N] Newton residual, then increment (in work) */
    double *bw;                 /* [m/s]   BDF2 history term of w during a step (in work) */
    double *bv;                 /* [m/s^2] BDF2 history term of v during a step (in work) */
    double *bh;                 /* [Pa/s]  BDF2 history term of hm during a step (in work) */
    double *bqb;                /* [m/s]   BDF2 history term of qb during a step (in work) */
    double *bqm;                /* [m/s]   BDF2 history term of qm during a step (in work) */
    double g_c;                 /* [-] relaxing fraction of the tip contact before puncture */
    double tau_c;               /* [s] its relaxation time */
    double h_prev;              /* [s] last accepted step (0: next step is backward Euler) */
    double fixed_dt;            /* [s] fixed step for convergence studies (0: adaptive) */
    int settle;                 /* [-] 1 while the step being solved is a settling step of a
                                   hold (solver.c, settle_hold): predictor w = w(t) */
    int settle_tried;           /* [-] 1 once the current hold tried one */
    size_t phase_steps;         /* [-] steps accepted in the current phase */
    int phase;                  /* [-] PH_LOAD, PH_HOLD, PH_UNLOAD or PH_END */
    int punctured;              /* [-] 1 once the surface layer is punctured */
    int out;                    /* [-] 1 while the tip is out of its hole */
    int plate_contact;          /* [-] 1 once the base plate touched the skin */
    int dynamic;                /* [-] 1 when the needle travel is an unknown (impact load) */
    double phase_t0;            /* [s] start of the current phase */
    double phase_t1;            /* [s] scheduled end of the current phase */
    double phase_len;           /* [s] its length phase_t1 - phase_t0, set on entry */
    double u_hold;              /* [m] travel held during the hold phase, start of withdrawal */
    /* history (accepted steps) */
    size_t hn;                  /* [-] entries */
    size_t hcap;                /* [-] capacity */
    double *ht;                 /* [s] time */
    double *hu;                 /* [m] travel */
    double *hF;                 /* [N] needle force */
    double *hd;                 /* [m] tip depth in tissue */
    /* energy, per needle */
    double W_in;                /* [J] work done by the needle and plate forces */
    double E_visc;              /* [J] viscous and relaxation dissipation */
    double E_frac;              /* [J] fracture energy (puncture and cutting) */
    double E_spread;            /* [J] crack spreading energy */
    double E_fric;              /* [J] friction work */
    double W_insert;            /* [J] work up to the end of loading */
    ns_ins_result res;          /* result being built by ns_ins_solve */
};

/* tip.c */
void ins_tip_init(ns_ins *s, const ns_needle_params *nd);
double ins_contact_force(const ns_ins *s, double d, double *dF, double *U);
int ins_layer_at(const ns_ins *s, double z);
double ins_resist(const ns_ins *s, double d, double c3[3]);
double ins_resist_back(const ns_ins *s, double d);
double ins_needle_force(ns_ins *s, double x, double dp0, double Ff0, double Fb0,
                        double *dFdx, double *dp);
void ins_do_puncture(ns_ins *s);
void ins_tiplaw_init(ns_ins *s, const ns_needle_params *nd);
double ins_tip_energy(const ns_ins *s, double x, double dp);
double ins_tip_dissipation(const ns_ins *s, const ins_state *c, const ins_state *y);
void ins_tab_lookup(const ns_ins *s, double x, double *r2, double *S);
/* drive.c */
ns_status ins_drive_init(ns_ins *s);
void ins_prescribed(const ns_ins *s, double tp, double *u, double *ud);
void ins_enter_phase(ns_ins *s, int ph);
double ins_phase_speed(const ns_ins *s);
/* material.c */
double ins_plate_default_stiffness(const ns_layer *ly);
double ins_mean_mode_stiffness(const ins_inputs *p, double k0, double N0, double Rc);
double ins_patch_stiffness(const ins_inputs *p, double k0, double N0, double Rc, double *k_block,
                           double *k_rim);
ns_status ins_derive_skin(const ns_ins *s, ins_sheet *sh);
/* roller.c */
ns_status ins_roller_init(ns_ins *s);
/* Drum sinking delta under the hand force (eq. D1, sets roller_delta and
 * roller_Rd) on the foundation (k0, beta_f, H_f), and the tent radius *R_tent
 * lowered to the lift-off radius rho_c of eq. (D3) where that is smaller.
 * Needs F_c (ins_tiplaw_init). Exceptions: those of ns_root_solve. */
ns_status ins_roller_drum(ns_ins *s, double k0, double beta_f, double H_f, double *R_tent);
double ins_roller_offset(const ns_ins *s, double th, double thd, double *doff);
/* step.c */
ns_status ins_state_alloc(ins_state *y, size_t n);
void ins_state_copy(ins_state *dst, const ins_state *src, size_t n);
double ins_stored_energy(ns_ins *s, const ins_state *y, double *fsum);
double ins_newton_tol(const ns_ins *s, const ins_state *c);
double ins_dissipated_power(const ns_ins *s, const ins_state *y);
double ins_contact_branch_loss(const ns_ins *s, const ins_state *y);
int ins_step_solve(ns_ins *s, double h, double om, double *inc, ns_status *err);
void ins_event_funcs(const ns_ins *s, const ins_state *y, double *g);
int ins_first_event(const double *gc, const double *gy);

#endif
