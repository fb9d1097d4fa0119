/* Insertion solver: create / destroy / solve. The time loop (step-size
 * control, event location by Illinois iteration, phase changes), the energy
 * bookkeeping, the results and the force-travel history. Equations, symbols
 * and validity: models/insertion.h; method families: ins_private.h. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../deadline.h"
#include "../needle.h"
#include "../param_table.h"
#include "../rootfind.h"
#include "../skin.h"
#include "../units.h"
#include "ins_private.h"

/* Layer table of the tip laws: tops, toughness, friction, plane-strain
 * modulus; the contact modulus is that of the surface layer. */
static void layers_init(ns_ins *s)
{
    const ns_skin_params *sk = &s->p.skin;
    s->nl = (int)sk->n_layers;
    double z = 0.0;
    for (int k = 0; k < s->nl; k++) {
        const ns_layer *ly = &sk->layer[k];
        s->ztop[k] = z;
        z += ly->thickness;
        s->Gc[k] = ly->toughness;
        s->mu[k] = ly->friction;
        s->Es[k] = ly->youngs_modulus / (1.0 - ly->poisson * ly->poisson);
    }
    s->ztop[s->nl] = z;
    s->Ec = s->Es[0];
}

/* Calibration constants (header "Calibration"; values, ranges and defaults:
 * the [insertion] rows of models/param_table.c, checked by ns_params_check):
 * cutting and spreading factors, withdrawal speed,
 * elastic tip and plate stiffness (auto: derived). */
static void calib_init(ns_ins *s)
{
    const ns_insertion_calib *cb = &s->p.insertion;
    const ns_skin_params *sk = &s->p.skin;
    s->f_cw = cb->crack_width_factor;
    s->f_sp = cb->spreading_factor;
    s->Vw = cb->withdraw_speed;
    s->K_e = 2.0 * s->Ec * s->r_b;
    s->kp = isnan(cb->plate_stiffness)
                ? ins_plate_default_stiffness(&sk->layer[s->nl == 4 ? NS_LAYER_DERMIS : 0])
                : cb->plate_stiffness;
}

/* Domain and grid of the tent (header "Boundary"), the nodes under the base
 * plate, and the sheet and foundation material copied into the operator. */
static ns_status tent_init(ns_ins *s, const ins_sheet *sh)
{
    const ins_inputs *p = &s->p;
    const ns_skin_params *sk = &p->skin;
    const ns_insertion_calib *cb = &p->insertion;
    size_t n_r = p->numerics.ins_n_r;
    double k0 = sh->k0;
    double lam = fmax(sqrt((fmax(sk->pretension, 0.0) + sh->G_f) / k0), pow(sh->B / k0, 0.25));
    double Rc = ns_array_unit_cell_radius(&p->array);
    int single = !(isfinite(Rc) && Rc > 0.0) || p->array.layout == NS_LAYOUT_SINGLE ||
                 p->array.layout == NS_LAYOUT_ROLLER;
    double R = single ? fmax(10.0 * lam, 50.0 * s->r_b) : Rc;
    if (p->applicator.mode == NS_APPLICATOR_ROLLER) { /* the drum holds the skin (roller.c, D3) */
        double R_free = R;
        NS_TRY(ins_roller_drum(s, k0, sh->beta_f + cb->foundation_stiffening, sh->H_f, &R));
        single = single || R < R_free; /* w = 0 where the skin meets the drum */
    }
    if (!single && R <= 2.0 * s->r_b) R = 2.0 * s->r_b;
    double h0 = fmin(0.5 * s->r_b, R / (double)(n_r - 1));
    double Rp = single ? NS_INS_PLATE_RADIUS_FACTOR * s->r_b : R;
    NS_TRY(ns_tent_create_fitted(n_r, R, h0, single ? Rp : 0.0, single, &s->T)); /* a face at R_p */
    /* the base plate (hub or array backing) spans R_b <= r <= R_p: inside
     * R_b the skin surrounds the needle and is not touched by the plate */
    s->plate0 = 0;
    while (s->plate0 + 1 < s->T->nu && s->T->r[s->plate0] < (1.0 - 1e-9) * s->r_b) s->plate0++;
    s->n_plate = s->plate0;
    while (s->n_plate < s->T->nu && s->T->r[s->n_plate] <= Rp) s->n_plate++;
    ns_tent *T = s->T;
    T->B = sh->B;
    T->N0 = fmax(sk->pretension, 0.0) + sh->G_f; /* Pasternak shear: a tension */
    T->Am = sh->Am;
    T->beta_m = sh->beta_m;
    T->k0 = k0;
    T->beta_f = sh->beta_f + cb->foundation_stiffening;
    T->H_f = sh->H_f;
    T->g_f = sh->g_f;
    T->tau_f = sh->tau_f;
    T->g_s = sh->g_s;
    T->tau_s = sh->tau_s;
    s->g_c = sh->g_c;
    s->tau_c = sh->tau_c;
    T->m = sh->m;
    T->Bv = sh->Bv;
    T->Av = sh->Av;
    T->c = 2.0 * fmax(cb->damping_ratio, 0.0) * sqrt(sh->m * k0);
    if (!T->dirichlet) T->k_mean = ins_mean_mode_stiffness(p, k0, T->N0, Rc);
    /* the plate contact is critically damped by the tissue under it: a
     * rigid plate meeting the sheet does not ring (header "base plate") */
    s->cp = 2.0 * NS_INS_PLATE_DAMPING_RATIO * sqrt(sh->m * s->kp);
    s->plate_ramp = NS_INS_PLATE_RAMP * sk->layer[s->nl == 4 ? NS_LAYER_DERMIS : 0].thickness;
    s->nu = T->nu;
    return NS_OK;
}

void ns_ins_input_init(ns_ins_input *in, const ns_params *p)
{
    in->skin = &p->skin;
    in->needle = &p->needle;
    in->array = &p->array;
    in->applicator = &p->applicator;
    in->numerics = &p->numerics;
    in->calibration = &p->insertion;
}

ns_status ns_ins_create(const ns_ins_input *in, ns_ins **out)
{
    *out = NULL;
    NS_CHECK(in != NULL && in->skin && in->needle && in->array && in->applicator &&
                 in->numerics && in->calibration,
             NS_EINVAL, "ns_ins_create: input or one of its parts is NULL");
    /* ranges of every input: the parameter table (what `check` applies) */
    NS_TRY(ns_param_check_struct(in->numerics, offsetof(ns_params, numerics), "numerics"));
    NS_TRY(ns_param_check_struct(in->calibration, offsetof(ns_params, insertion), "insertion"));
    NS_TRY(ns_applicator_check(in->applicator));
    NS_TRY(ns_needle_check(in->needle));
    NS_TRY(ns_skin_check(in->skin));
    NS_CHECK(in->array->layout != NS_LAYOUT_NONE, NS_EINVAL,
             "array.layout = none: there is no needle to insert");
    NS_CHECK(!isnan(in->applicator->speed), NS_EINVAL,
             "applicator.speed = auto: derive it first (ns_params_derive)");
    ns_ins *s = calloc(1, sizeof *s);
    NS_CHECK(s != NULL, NS_ENOMEM, "ns_ins_create: out of memory");
    s->p.skin = *in->skin;
    s->p.needle = *in->needle;
    s->p.array = *in->array;
    s->p.applicator = *in->applicator;
    s->p.numerics = *in->numerics;
    s->p.insertion = *in->calibration;
    const ns_needle_params *nd = &s->p.needle;
    ns_status st = NS_OK;
    ins_sheet sh;
    NS_TRY_GOTO(st, ins_derive_skin(s, &sh), fail);
    layers_init(s);
    ins_tip_init(s, nd);
    calib_init(s);
    NS_TRY_GOTO(st, ins_drive_init(s), fail);
    ins_tiplaw_init(s, nd);
    NS_TRY_GOTO(st, tent_init(s, &sh), fail);
    if (s->p.applicator.mode == NS_APPLICATOR_ROLLER) /* needs the foundation */
        NS_TRY_GOTO(st, ins_roller_init(s), fail);
    NS_TRY_GOTO(st, ins_state_alloc(&s->y0, s->nu), fail);
    NS_TRY_GOTO(st, ins_state_alloc(&s->y1, s->nu), fail);
    NS_TRY_GOTO(st, ins_state_alloc(&s->y2, s->nu), fail);
    s->work = calloc(7 * s->nu, sizeof(double));
    s->hcap = NS_INS_HIST0;
    s->ht = malloc(s->hcap * sizeof(double));
    s->hu = malloc(s->hcap * sizeof(double));
    s->hF = malloc(s->hcap * sizeof(double));
    s->hd = malloc(s->hcap * sizeof(double));
    if (!s->work || !s->ht || !s->hu || !s->hF || !s->hd) {
        st = ns_status_set(NS_ENOMEM, __FILE__, __LINE__, __func__, "insertion: out of memory");
        goto fail;
    }
    s->f = s->work + s->nu;
    s->bw = s->work + 2 * s->nu;
    s->bv = s->work + 3 * s->nu;
    s->bh = s->work + 4 * s->nu;
    s->bqb = s->work + 5 * s->nu;
    s->bqm = s->work + 6 * s->nu;
    *out = s;
    return NS_OK;
fail:
    ns_ins_destroy(&s);
    return st;
}

void ns_ins_destroy(ns_ins **sp)
{
    if (!sp || !*sp) return;
    ns_ins *s = *sp;
    ns_tent_destroy(&s->T);
    free(s->y0.w);
    free(s->y1.w);
    free(s->y2.w);
    free(s->work);
    free(s->ht);
    free(s->hu);
    free(s->hF);
    free(s->hd);
    free(s);
    *sp = NULL;
}

ns_status ns_ins_set_fixed_step(ns_ins *s, double dt)
{
    NS_CHECK(s != NULL, NS_EINVAL, "ns_ins_set_fixed_step: solver is NULL");
    NS_CHECK(isfinite(dt) && dt >= 0.0, NS_EINVAL, "fixed step dt = %.3g s, need >= 0", dt);
    s->fixed_dt = dt;
    return NS_OK;
}

ns_ins_history ns_ins_get_history(const ns_ins *s)
{
    ns_ins_history h = {0, NULL, NULL, NULL, NULL};
    if (!s) return h;
    h.n = s->hn;
    h.t = s->ht;
    h.travel = s->hu;
    h.force = s->hF;
    h.tip_depth = s->hd;
    return h;
}


/* Append state y to the force-travel history, growing the arrays by 4x.
 * Exceptions: NS_ENOMEM (the history is never silently cut short). */
static ns_status hist_push(ns_ins *s, const ins_state *y)
{
    if (s->hn == s->hcap) {
        size_t nc = 4 * s->hcap;
        double **arr[4] = {&s->ht, &s->hu, &s->hF, &s->hd};
        for (int k = 0; k < 4; k++) {
            double *a = realloc(*arr[k], nc * sizeof(double));
            NS_CHECK(a != NULL, NS_ENOMEM, "insertion history: out of memory at %zu points", nc);
            *arr[k] = a; /* grown arrays beyond hcap are harmless if a later one fails */
        }
        s->hcap = nc;
    }
    s->ht[s->hn] = y->t;
    s->hu[s->hn] = y->u;
    s->hF[s->hn] = y->F;
    s->hd[s->hn] = s->punctured ? y->dp : 0.0;
    s->hn++;
    return NS_OK;
}

/* Initial state: undeformed skin, tip touching the surface, loading phase. */
static void solve_init(ns_ins *s)
{
    const ns_applicator_params *ap = &s->p.applicator;
    size_t nu = s->nu;
    memset(&s->res, 0, sizeof s->res);
    s->res.puncture_force = NAN;
    s->res.puncture_displacement = NAN;
    memset(s->y0.w, 0, NS_INS_STATE_ARRAYS * nu * sizeof(double));
    memset(s->y1.w, 0, NS_INS_STATE_ARRAYS * nu * sizeof(double));
    s->y0.t = s->y1.t = 0.0;
    s->y0.tp = s->y1.tp = 0.0;
    s->y0.u = s->y1.u = 0.0;
    s->y0.dp = s->y1.dp = 0.0;
    s->y0.F = s->y1.F = s->y0.Fpl = s->y1.Fpl = 0.0;
    s->y0.xq = s->y1.xq = 0.0;
    s->y0.pq = s->y1.pq = 1.0;
    s->y0.ud = s->y1.ud = ap->mode == NS_APPLICATOR_IMPACT ? ap->speed : 0.0;
    s->y0.ua = s->y1.ua = 0.0;
    s->punctured = s->out = s->plate_contact = 0;
    s->d_cut = 0.0;
    s->tip_load = 0.0;
    s->hn = 0;
    s->W_in = s->E_visc = s->E_frac = s->E_spread = s->E_fric = s->W_insert = 0.0;
    ins_enter_phase(s, PH_LOAD);
}

/* Local error estimate of the accepted Newton solution y2 against the
 * second-order Taylor predictor from y1 (BDF2: 1/3, backward Euler: 1/2),
 * relative to rtol times the deflection and travel scale. */
static double error_estimate(const ns_ins *s, double h, double om)
{
    double rtol = s->p.numerics.ins_rtol, est = 0.0, wm = 0.0;
    for (size_t i = 0; i < s->nu; i++) wm = fmax(wm, fabs(s->y2.w[i]));
    double sc = rtol * (fmax(wm, fabs(s->y2.u)) + s->len_scale);
    double fac = om > 0.0 ? 1.0 / 3.0 : 0.5;
    for (size_t i = 0; i < s->nu; i++) {
        double wp = s->y1.w[i] + h * s->y1.v[i] + 0.5 * h * h * s->y1.a[i];
        est = fmax(est, fac * fabs(s->y2.w[i] - wp) / sc);
    }
    if (s->dynamic) {
        double up = s->y1.u + h * s->y1.ud + 0.5 * h * h * s->y1.ua;
        est = fmax(est, fac * fabs(s->y2.u - up) / sc);
    }
    return est;
}

/* Energy control of the trial step y1 -> y2 of size h (header "Energy"):
 * the step's residual dR = work in (trapezoid) - change of the stored energy
 * (U_c at y1; *U_y receives it at y2) - dissipation (viscous: trapezoid of
 * the power, P_c at y1; tip: (F1 + F2)/2 (d2 - d1)), over
 * NS_INS_ENERGY_STEP_TOL times the energy that flows in the step (|work| +
 * |change of stored energy| + dissipation) plus a floor for steps where
 * little flows (NS_INS_ENERGY_FLOOR times the positive work W+ so far, and
 * NS_INS_ENERGY_ABS E_s, the energy scale of the drive), plus the
 * uncertainty Newton leaves in the energies (elastic: the last Newton
 * correction times the nodal forces; kinetic: the momentum times the velocity
 * uncertainty); after loading the floor shrinks with the balance so far
 * (NS_INS_ENERGY_BUDGET). The step
 * control rejects an estimate above 1, which bounds the balance where the
 * BDF2 displacement error alone does not (the foundation locking up under
 * an impact, the base plate ringing after an impact stops). */
static double energy_estimate(ns_ins *s, double h, double inc, double P_c, double U_c,
                              double W_pos, double *U_y, double *P_y)
{
    const ins_state *c = &s->y1, *y = &s->y2;
    double dW = 0.5 * (c->F + y->F + c->Fpl + y->Fpl) * (y->u - c->u);
    double fsum;
    *U_y = ins_stored_energy(s, y, &fsum);
    *P_y = ins_dissipated_power(s, y);
    double D = 0.5 * h * (P_c + *P_y);
    if (s->punctured) D += ins_tip_dissipation(s, c, y);
    double dU = *U_y - U_c, dR = dW - dU - D;
    double floor = NS_INS_ENERGY_FLOOR * W_pos;
    if (s->phase != PH_LOAD) {
        /* after loading (hold, withdrawal) the skin rings down after a stop
         * or a puncture, and a floor per step let the numerical damping of
         * BDF2 drift over thousands of steps (impact withdrawn after its
         * stop: up to 6.6 %); there the floor shrinks to 0 as the balance
         * so far, with this step, uses up NS_INS_ENERGY_BUDGET of W+ */
        double B = NS_INS_ENERGY_BUDGET * W_pos;
        double R = s->W_in - U_c - (s->E_visc + s->E_frac + s->E_spread + s->E_fric) + dR;
        floor = B > 0.0 ? floor * fmax(0.0, 1.0 - fabs(R) / B) : 0.0;
    }
    floor += NS_INS_ENERGY_ABS * s->E_s;
    double flow = fabs(dW) + fabs(dU) + fabs(D);
    /* what Newton leaves uncertain in the two energies: the elastic part by
     * the last Newton correction inc (at most the tolerance; converged Newton
     * is closer to the solution than its last correction) times the nodal
     * forces, the kinetic part by the momentum times the velocity
     * uncertainty, about 2 inc / h; and the rounding of the energies.
     * The tolerance itself in place of inc let a 1 s hold drift by 0.9 %. */
    double mv = 0.0;
    for (size_t i = 0; i < s->nu; i++) mv += s->T->A[i] * s->T->m * fabs(y->v[i]);
    double dx = fmin(inc, ins_newton_tol(s, c));
    double noise = 2.0 * dx * (fsum + fabs(y->F) + fabs(y->Fpl) + 2.0 * mv / h) +
                   NS_INS_ENERGY_ROUND * (fabs(U_c) + fabs(*U_y) + fabs(dW) + fabs(D));
    return fabs(dR) / (NS_INS_ENERGY_STEP_TOL * (flow + floor) + noise);
}

/* Root function of the event search: the step of size hm from y1 solved
 * into y2 and the event function there, negated so that it is > 0 before the
 * event (models/rootfind.h convention; a NaN event value counts as before the
 * event, as +inf). A step that does not converge returns > 0 (the bracket
 * shrinks towards the start), a fatal one -status with err set. */
typedef struct {
    ns_ins *s;
    int ev;
    double *gy, *inc;
    ns_status err;
} event_search;

static int event_value(double hm, void *params, double *fx)
{
    event_search *c = params;
    ns_ins *s = c->s;
    int rc = ins_step_solve(s, hm, s->h_prev > 0.0 ? hm / s->h_prev : 0.0, c->inc, &c->err);
    if (rc < 0) return -(int)(c->err != NS_OK ? c->err : NS_ECONV);
    if (rc > 0) return 1;
    ins_event_funcs(s, &s->y2, c->gy);
    double gm = c->gy[c->ev];
    *fx = isnan(gm) ? (double)INFINITY : -gm;
    return 0;
}

/* Locate event ev inside the step (0, *h] by Illinois iteration on the step
 * size (gc: event functions at y1, gy: at the trial y2; at most
 * NS_INS_MAX_EVENT_IT steps, to 1e-10 of the step) and solve the step that
 * ends on it into y2; *h becomes that step, the end of the bracket just after
 * the event. A bracket still wider than the tolerance after the last
 * iteration is accepted as it is (the step ends after the event by less than
 * that width). Exceptions: NS_ECONV (the final step did not converge),
 * NS_ENONFINITE (from the step). */
static ns_status locate_event(ns_ins *s, int ev, const double *gc, double *gy, double *h,
                              double *inc)
{
    ns_status err = NS_OK;
    double t = s->y1.t;
    event_search c = {s, ev, gy, inc, NS_OK};
    ns_root_bracket b = {0.0, *h, -gc[ev], -gy[ev], 0};
    ns_status st = ns_root_solve(NS_ROOT_ILLINOIS, event_value, &c, NS_INS_EVENT_TOL * *h,
                                 NS_INS_MAX_EVENT_IT, &b);
    if (st != NS_OK && st != NS_ECONV) return ns_status_trace(c.err, __FILE__, __LINE__, __func__);
    *h = b.hi;
    int rc3 = ins_step_solve(s, *h, s->h_prev > 0.0 ? *h / s->h_prev : 0.0, inc, &err);
    if (rc3 < 0) return ns_status_trace(err, __FILE__, __LINE__, __func__);
    if (rc3 > 0)
        NS_FAIL(NS_ECONV, "insertion: event %d step did not converge at t = %.6g s, h = %.3g s",
                ev, t, *h);
    return NS_OK;
}

/* Accept the step y1 -> y2 of size h: work, dissipation (trapezoidal in
 * time; *P_c is the dissipated power at y1 and becomes that at y2), fracture,
 * spreading and friction energies, the crack front, the running maxima; then
 * y0 <- y1 <- y2. *W_pos accumulates the positive work. P_y is the
 * dissipated power at y2 when the energy control computed it for this very
 * y2 (NaN: evaluated here; a located event solved y2 anew). */
static void accept_step(ns_ins *s, double h, double *W_pos, double *P_c, double U_c,
                        double U_y, double P_y)
{
    ins_state *c = &s->y1, *y = &s->y2;
    ns_ins_result *r = &s->res;
    double dW = 0.5 * (c->F + y->F + c->Fpl + y->Fpl) * (y->u - c->u);
    s->W_in += dW;
    if (dW > 0.0) *W_pos += dW;
    if (isnan(P_y)) P_y = ins_dissipated_power(s, y);
    if (s->settle) {
        /* a settling step (settle_hold): the skin's ringing dies out within
         * it, so the viscous dissipation of the step is the energy released,
         * work less the change of stored energy less the tip's share (the
         * trapezoid of the end powers sees neither the ringing nor its decay) */
        s->E_visc += dW - (U_y - U_c) - (s->punctured ? ins_tip_dissipation(s, c, y) : 0.0);
    } else {
        s->E_visc += 0.5 * h * (*P_c + P_y);
    }
    *P_c = P_y;
    if (s->punctured) {
        /* tip dissipation of the step: the trapezoidal tip work less the
         * change of the elastic tip energy (ins_tip_dissipation; with a
         * linear tip spring this is (F0 + F1)/2 (d1 - d0));
         * it is split over cutting, spreading and friction in proportion to
         * the resistance at mid-step (an unstable advance into a softer layer
         * dissipates what the tip releases, like the puncture event) */
        double dd = y->dp - c->dp, mid = 0.5 * (y->dp + c->dp), c3[3];
        double D = ins_tip_dissipation(s, c, y);
        if (dd > 0.0) {
            ins_resist(s, mid, c3);
            double cut = c3[0] * fmin(fmax(y->dp - fmax(c->dp, s->d_cut), 0.0) / dd, 1.0);
            double tot = cut + c3[1] + c3[2];
            if (tot > 0.0) {
                s->E_frac += D * cut / tot;
                s->E_spread += D * c3[1] / tot;
                s->E_fric += D * c3[2] / tot;
            } else {
                s->E_fric += D;
            }
        } else if (dd < 0.0) {
            s->E_fric += D;
        }
        s->out = y->dp <= 0.0; /* tip out of its hole (it can re-enter) */
        s->d_cut = fmax(s->d_cut, y->dp);
    }
    ins_state_copy(&s->y0, &s->y1, s->nu);
    ins_state_copy(&s->y1, &s->y2, s->nu);
    s->h_prev = h;
    /* results (y still points at y2, equal to the new y1) */
    r->max_force = fmax(r->max_force, y->F);
    r->retraction_force = fmax(r->retraction_force, -y->F);
    /* a pull is shaft friction on a punctured needle whose tip slides back in
     * its hole (withdrawn, or left behind by a rebounding skin), at most the
     * friction resistance there; any excess is reported, and the invariant
     * table holds it at 0 (header "withdrawal") */
    if (y->F < 0.0)
        r->excess_pull = fmax(r->excess_pull,
                              -y->F - (s->punctured ? ins_resist_back(s, y->dp) : 0.0));
    if (s->punctured && y->F > 0.0) { /* cutting force at the apex, kept for the margin */
        double c3[3];
        ins_resist(s, y->dp, c3);
        s->tip_load = fmax(s->tip_load, fmin(c3[0], y->F));
    }
    r->max_tenting = fmax(r->max_tenting, y->w[0]);
    r->max_travel = fmax(r->max_travel, y->u);
    if (s->punctured) r->penetration_depth = fmax(r->penetration_depth, y->dp);
}

/* Fracture margin: the smallest ratio, over sections s from 5 r_t to L, of
 * the tip load that breaks the section (ns_needle_section_strength) to the
 * largest load carried through it: before puncture the contact force of the
 * tip within s, min(F_max,pre, C(s)) (the contact law at indentation s);
 * after it the cutting force at the apex plus the spreading and friction of
 * the surface layer's pressures over [0, s], at most the maximum force. */
static double fracture_margin(const ns_ins *s, double theta)
{
    const ns_needle_params *nd = &s->p.needle;
    double Fpre = s->punctured ? s->res.puncture_force : s->res.max_force, m = INFINITY;
    if (!(s->res.max_force > 0.0)) return (double)NAN;
    double s0 = fmin(5.0 * s->r_t, s->L);
    for (int k = 0; k <= 64; k++) {
        double xi = k / 64.0, z = s0 + (s->L - s0) * xi * xi, dF, U, r2, S;
        ins_tab_lookup(s, z, &r2, &S);
        double load = fmin(Fpre, ins_contact_force(s, z, &dF, &U));
        if (s->punctured) {
            double post = s->tip_load + s->p_sp[0] * NS_PI * r2 + s->mu[0] * s->p_sh[0] * S;
            load = fmax(load, fmin(post, s->res.max_force));
        }
        if (load > 0.0) m = fmin(m, ns_needle_section_strength(nd, z, theta) / load);
    }
    return m;
}

/* Results at the end of the stroke: energy balance, per-layer depths,
 * buckling margin. Exceptions: NS_ENONFINITE. */
static ns_status solve_finish(ns_ins *s, double W_pos, size_t steps, size_t rejected)
{
    ns_ins_result *r = &s->res;
    double Ustore = ins_stored_energy(s, &s->y1, NULL);
    double diss = s->E_visc + s->E_frac + s->E_spread + s->E_fric;
    r->energy_balance_error = W_pos > 0.0 ? fabs(s->W_in - (Ustore + diss)) / W_pos : 0.0;
    r->insertion_energy = s->W_insert > 0.0 ? s->W_insert : s->W_in;
    r->fracture_energy = s->E_frac + s->E_spread;
    r->friction_energy = s->E_fric;
    r->time_end = s->y1.t;
    r->steps = steps;
    r->rejected_steps = rejected;
    r->total_force = r->max_force * s->N_needles;
    double pd = r->penetration_depth;
    r->inserted_fraction = pd / s->L;
    r->deepest_layer = s->punctured ? ins_layer_at(s, pd) + 1 : 0;
    if (s->nl == 1 && s->punctured) r->deepest_layer = 1;
    for (int k = 0; k < NS_LAYER_MAX; k++)
        r->layer_depth[k] = (k < s->nl && s->punctured && pd > s->ztop[k])
                                ? fmin(pd, s->ztop[k + 1]) - s->ztop[k]
                                : 0.0;
    r->buckling_load = ns_needle_buckling_load(&s->p.needle);
    r->buckling_margin = r->max_force > 0.0 ? r->buckling_load / r->max_force : (double)NAN;
    {
        double c3[3] = {0.0, 0.0, 0.0};
        if (s->punctured) ins_resist(s, pd, c3);
        r->friction_force = c3[2];
        double theta = s->p.applicator.mode == NS_APPLICATOR_ROLLER ? s->roller_th : 0.0;
        r->fracture_load = ns_needle_fracture_load(&s->p.needle, theta);
        r->fracture_margin = fracture_margin(s, theta);
    }
    r->E_visc = s->E_visc;
    r->E_stored = Ustore;
    r->work_in = s->W_in;
    if (!s->punctured) {
        r->puncture_force = NAN;
        r->puncture_displacement = NAN;
    }
    if (!(isfinite(r->max_force) && isfinite(r->penetration_depth) && isfinite(r->max_tenting)))
        NS_FAIL(NS_ENONFINITE, "insertion: non-finite result (max_force %.3g N, depth %.3g m) at t = %.6g s",
                r->max_force, r->penetration_depth, s->y1.t);
    return NS_OK;
}

/* The phase change after an accepted step that ended on event ev (-1: none)
 * or at the phase end (hit_end). Returns 1 when the run ends there. */
static int change_phase(ns_ins *s, int ev, int hit_end)
{
    const ns_applicator_params *ap = &s->p.applicator;
    /* a cap reached in the same step as an earlier event (or by the
     * force jump of a puncture) holds at once */
    int at_cap = s->phase == PH_LOAD && isfinite(s->F_cap) &&
                 s->y1.F + s->y1.Fpl >= s->F_cap;
    /* an impact whose needle no longer advances has stopped, also when
     * the sign change of its speed fell in a step that ended on an
     * earlier event (before, such a needle, thrown back by the skin,
     * flew on in the loading phase until the step cap) */
    int at_stop = s->phase == PH_LOAD && s->dynamic && !(s->y1.ud > 0.0);
    /* the tip on the backing (a rigid stop, header "Backing"): the press or
     * impact stops there like at the end of its stroke */
    if (ev == EV_CAP || ev == EV_STOP || ev == EV_STROKE || ev == EV_BACKING || at_cap ||
        at_stop) {
        s->y1.ud = 0.0;
        s->y1.ua = 0.0;
        ins_enter_phase(s, PH_HOLD);
    } else if (hit_end) {
        int next = s->phase + 1;
        if (s->phase == PH_LOAD && (ap->mode == NS_APPLICATOR_PEN ||
                                    (ap->mode == NS_APPLICATOR_ROLLER)))
            next = PH_UNLOAD;
        ins_enter_phase(s, next);
    } else if (ev >= 0) {
        s->h_prev = 0.0; /* restart after a discontinuity */
    }
    return 0;
}

/* Settling step of a long hold. Held at a fixed travel, the needle does no
 * work, and what the skin stores beyond its rest state is dissipated: every
 * mode of the tent is damped at least by the foundation dashpot, c v^2 per
 * area with c the same for every node and the lumped mass m per area, so the
 * ringing's energy decays at the rate c / m or faster (the sheet's
 * Kelvin-Voigt and Maxwell branches and the plate only add to it). A skin
 * that rings with little damping (a pretensioned sheet on a soft backing:
 * 12 kHz under a stopped needle, m / c = 1 s) cannot be followed through a
 * hold of hours in steps of a fraction of its period: the energy control
 * holds BDF2's numerical damping of the ringing to 1e-3 of the energy that
 * flows, and the step cap is reached within milliseconds (LHS 4 x 100, seed
 * 20261202, insertion_0006 case 7: 200000 steps over 25 ms of a 0.127 d
 * hold). After NS_INS_HOLD_STEPS steps of a hold whose rest would not fit in
 * the step cap at the present step, one backward-Euler step of
 * NS_INS_HOLD_DECAY m / c (the ringing decays physically to e^-30 of itself
 * within it; backward Euler, L-stable, leaves it at (omega h)^-2) takes the
 * skin to its damped state, and its dissipation is the energy it releases
 * (accept_step); it is tried once per hold, only when the rest of the hold is
 * longer than the step, and given up for the ordinary steps if Newton does
 * not converge or an event falls inside. Returns 1 with *h the step when it
 * is tried. */
static int settle_hold(ns_ins *s, double *h, size_t used, int *hit_end)
{
    const ns_tent *T = s->T;
    if (s->phase != PH_HOLD || s->fixed_dt > 0.0 || s->settle_tried ||
        s->phase_steps < NS_INS_HOLD_STEPS || !(T->c > 0.0 && T->m > 0.0))
        return 0;
    double hs = NS_INS_HOLD_DECAY * T->m / T->c, left = s->phase_len - s->y1.tp;
    size_t cap = s->p.numerics.ins_max_steps;
    double budget = cap > used ? (double)(cap - used) : 0.0;
    if (!(left > hs) || !(left / *h > budget)) return 0;
    s->settle = 1;
    s->settle_tried = 1;
    *h = hs;
    *hit_end = 0;
    return 1;
}

/* The time loop: one phase after the other, steps sized by the error
 * estimate (ratio in [0.2, 2]) and cut at phase ends and events. */
ns_status ns_ins_solve(ns_ins *s, ns_ins_result *res)
{
    NS_CHECK(s != NULL && res != NULL, NS_EINVAL, "ns_ins_solve: NULL argument");
    const ns_applicator_params *ap = &s->p.applicator;
    solve_init(s);
    NS_TRY(hist_push(s, &s->y1));
    double W_pos = 0.0;
    double vref = ap->mode == NS_APPLICATOR_PEN ? NS_PI * ap->frequency * ap->depth_setting
                  : ap->mode == NS_APPLICATOR_ROLLER ? ap->speed * s->L / ap->drum_radius + 1e-300
                                                     : ap->speed;
    vref = fmax(vref, 1e-12);
    double h = 1e-3 * s->U_s / vref;
    double P_c = 0.0, U_c = ins_stored_energy(s, &s->y1, NULL), U_y = 0.0;
    double gc[EV_COUNT], gy[EV_COUNT];
    size_t steps = 0, rejected = 0;
    ns_status err = NS_OK;
    while (s->phase != PH_END) {
        if (steps + rejected >= s->p.numerics.ins_max_steps)
            NS_FAIL(NS_ECONV,
                    "insertion: step cap numerics.ins_max_steps = %zu reached at t = %.6g s, h = %.3g s "
                    "(phase %d, travel %.4g m)",
                    s->p.numerics.ins_max_steps, s->y1.t, h, s->phase, s->y1.u);
        NS_TRY(ns_deadline_check("insertion", s->y1.t)); /* numerics.case_timeout */
        double t = s->y1.t;
        double hmax = s->phase == PH_HOLD ? fmax(s->phase_len, 1e-12) / 4.0
                                          : 0.05 * s->U_s / ins_phase_speed(s);
        if (s->fixed_dt > 0.0) h = s->fixed_dt;
        h = fmin(h, hmax);
        int hit_end = 0;
        /* the phase end, in phase time: a tolerance relative to t (1e-12 t)
         * swallowed a whole 2.2 ns withdrawal after a 0.42 d hold, and every
         * rejected step was reset to the rest of the phase (step cap) */
        double left = s->phase_len - s->y1.tp;
        if (isfinite(left) && h >= left - 1e-12 * s->phase_len) {
            h = left;
            hit_end = 1;
        }
        if (h <= 0.0) { /* a zero-length phase (hold_time = 0): the next
                          * one starts from a fresh initial step */
            ins_enter_phase(s, s->phase + 1);
            h = 1e-3 * s->U_s / ins_phase_speed(s);
            continue;
        }
        double om = s->h_prev > 0.0 ? h / s->h_prev : 0.0;
        double inc;
        double h_ring = h;
        if (settle_hold(s, &h, steps + rejected, &hit_end)) om = 0.0;
        int rc = ins_step_solve(s, h, om, &inc, &err);
        if (rc < 0) return ns_status_trace(err, __FILE__, __LINE__, __func__);
        if (s->settle && rc != 0) { /* no settled state: go on with the steps */
            s->settle = 0;
            rejected++;
            h = h_ring;
            continue;
        }
        double est = rc == 0 && s->fixed_dt <= 0.0 && !s->settle ? error_estimate(s, h, om) : 0.0;
        /* the energy control acts for every applicator, down to steps of
         * NS_INS_ENERGY_HMIN of the time to travel the needle length (below
         * it the Newton tolerance dominates the step's energies): an impact's
         * kinetic energy goes through the stiff foundation lock-up and plate
         * contact, and under a prescribed travel the skin snaps back when the
         * tip cuts quickly into a softer layer (a press of a 2.5 mm needle
         * through the dermis: 1.0-1.25 % under the displacement control
         * alone) or rings after the force drop at puncture (roller, pen) */
        double P_y = (double)NAN; /* dissipated power at this y2 (energy control) */
        if (rc == 0 && s->fixed_dt <= 0.0) {
            double eE = energy_estimate(s, h, inc, P_c, U_c, W_pos, &U_y, &P_y);
            if (s->settle) eE = 0.0; /* its energy closes by settle_hold's argument */
            if (h > NS_INS_ENERGY_HMIN * s->U_s / vref) est = fmax(est, eE);
        }
        double hmin = 1e-12 * (s->U_s / vref);
        if (rc != 0 || (est > 1.0 && h > hmin)) {
            rejected++;
            if (h <= hmin)
                NS_FAIL(NS_ECONV,
                        "insertion Newton did not converge: increment %.3g m at t = %.6g s, h = %.3g s",
                        inc, t, h);
            h *= rc != 0 ? 0.25 : fmax(0.2, 0.9 * pow(est, -1.0 / 3.0));
            continue;
        }
        /* events: locate the first sign change */
        ins_event_funcs(s, &s->y1, gc);
        ins_event_funcs(s, &s->y2, gy);
        int ev = ins_first_event(gc, gy);
        if (s->settle && ev >= 0) { /* an event inside: no settling step */
            s->settle = 0;
            rejected++;
            h = h_ring;
            continue;
        }
        /* the step the error control accepted: the next step is sized from
         * it, not from the (possibly tiny) step that ends on an event, so a
         * located event does not restart the integration from steps at the
         * rounding level of t (whose BDF2 velocities are Newton noise) */
        double h_ctl = h;
        if (ev >= 0) {
            NS_TRY(locate_event(s, ev, gc, gy, &h, &inc));
            hit_end = 0;
            P_y = (double)NAN; /* y2 solved anew */
        }
        accept_step(s, h, &W_pos, &P_c, U_c, U_y, P_y);
        steps++;
        s->phase_steps++;
        if (s->settle) { /* at rest: restart BDF2 from a backward-Euler step */
            s->settle = 0;
            memset(s->y1.a, 0, s->nu * sizeof(double));
            s->h_prev = 0.0;
        }
        U_c = U_y;
        if (ev == EV_PUNCTURE) {
            /* the contact's Maxwell branch stored less than the elastic
             * contact energy that ins_do_puncture releases (eq. V4) */
            s->E_frac -= ins_contact_branch_loss(s, &s->y1);
            ins_do_puncture(s);
        }
        if (ev == EV_PLATE) s->plate_contact = 1;
        /* the cut reached the backing at this step's end: located by
         * EV_BACKING, or by the cut depth cap of the tip law (tip.c) when the
         * tip got there at once, at puncture (a dimple deeper than the
         * stack) or by an unstable cut through a soft layer after another
         * event */
        if (s->phase == PH_LOAD && s->punctured && s->y1.dp >= s->ztop[s->nl]) ev = EV_BACKING;
        /* a pen or roller follows its path in time and cannot stop on the
         * backing: the case fails with the physical reason */
        if (ev == EV_BACKING && (ap->mode == NS_APPLICATOR_PEN || ap->mode == NS_APPLICATOR_ROLLER))
            NS_FAIL(NS_EPHYSICS,
                    "insertion: tip reached the backing at z = %.4g mm (the bottom of the %.4g mm "
                    "skin stack) at t = %.6g s, travel %.4g mm; a %s follows its path and cannot "
                    "stop there (%s)",
                    s->y1.dp / NS_MM, s->ztop[s->nl] / NS_MM, s->y1.t, s->y1.u / NS_MM,
                    ap->mode == NS_APPLICATOR_PEN ? "pen" : "roller",
                    ap->mode == NS_APPLICATOR_PEN ? "a smaller depth setting" : "shorter needles");
        NS_TRY(hist_push(s, &s->y1));
        if (change_phase(s, ev, hit_end)) break;
        if (ev >= 0 || hit_end || s->fixed_dt > 0.0) U_c = ins_stored_energy(s, &s->y1, NULL);
        if (s->fixed_dt <= 0.0) {
            double grow = 2.0;
            if (est > 0.0) grow = fmin(2.0, fmax(0.2, 0.9 * pow(est, -1.0 / 3.0)));
            h = (ev >= 0 ? fmax(h, h_ctl) : h) * grow;
        }
        if ((s->phase == PH_UNLOAD || s->phase == PH_RETRACT) && (s->out || !s->punctured) &&
            s->y1.u <= 0.0)
            break;
    }
    NS_TRY(solve_finish(s, W_pos, steps, rejected));
    *res = s->res;
    return NS_OK;
}
