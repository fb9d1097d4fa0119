/* Insertion driver of the continuum model: create / solve / destroy, the
 * applicators, puncture and penetration, energy bookkeeping, results and
 * history in the form of models/insertion.h (models/continuum.h, "The
 * insertion"). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../deadline.h"
#include "../needle.h"
#include "../param_table.h"
#include "../insertion/tiplaw.h"
#include "../skin.h"
#include "cont_internal.h"

#define CONT_PEN 1e3            /* [-] c_pen of eq. (C4) */
#define CONT_TOL 1e-12          /* [-] Newton decrement / energy scale */
#define CONT_STEPS_PER_L 30.0   /* [-] first travel increment L / 30 */
/* [-] roller with the drum face (C17): increments this many times finer (the
 * face's lift-off: the balance of roller_540 at 30 N 8.4 % with 1, 1.9 % with 4) */
#define CONT_DRUM_STEPS 4.0
#define CONT_MIN_STEP 1e-4      /* [-] smallest increment / first increment (events, retries) */
#define CONT_EASY_TANGENTS 2    /* [-] new tangents in a step's last Newton solve: may grow */
#define CONT_MAX_GROWTH 4.0     /* [-] largest increment / first increment */
#define CONT_E_FLOOR 1e-9       /* [-] energy floor of Newton / (F_c R_b) */
#define CONT_EVENT_OVERSHOOT 1e-3 /* [-] secant step past the event, fraction of the step */
#define CONT_EVENT_TOL 1e-3      /* [-] an event is located when its function is within this of its scale */
#define CONT_HIST0 128          /* [-] initial history capacity */
#define CONT_HUB_FACTOR 10.0    /* [-] single needle: hub (plate) radius / base radius */
#define CONT_DOMAIN_DEPTHS 2.0  /* [-] single needle: domain radius / stack thickness */

static void layers_init(ns_cont *c)
{
    const ns_skin_params *sk = &c->p.skin;
    c->nl = (int)sk->n_layers;
    double z = 0.0;
    for (int k = 0; k < c->nl; k++) {
        const ns_layer *ly = &sk->layer[k];
        c->ztop[k] = z;
        z += ly->thickness;
        c->Gc[k] = ly->toughness;
        c->mu[k] = ly->friction;
        c->Es[k] = ly->youngs_modulus / (1.0 - ly->poisson * ly->poisson);
    }
    c->ztop[c->nl] = z;
}

/* Applicator constants (models/insertion.h "Applicators", the same load
 * sharing as the fast model). */
static void drive_init(ns_cont *c)
{
    const ns_params *p = &c->p;
    const ns_applicator_params *ap = &p->applicator;
    double count = isfinite(p->array.count) && p->array.count >= 1.0 ? p->array.count : 1.0;
    if (p->array.layout == NS_LAYOUT_SINGLE) count = 1.0;
    c->N_needles = count;
    if (ap->mode == NS_APPLICATOR_ROLLER) {
        double nc = ns_array_needles_in_contact(&p->array, ap, &p->needle);
        c->N_needles = (isfinite(nc) && nc >= 1.0) ? nc : 1.0;
    }
    c->F_cap = INFINITY;
    c->Vw = ap->mode == NS_APPLICATOR_PRESS ? ap->speed : p->insertion.withdraw_speed;
    c->t_load_end = INFINITY;
    switch (ap->mode) {
    case NS_APPLICATOR_PRESS: c->F_cap = ap->force / c->N_needles; break;
    case NS_APPLICATOR_IMPACT: c->m_a = ap->mass / count; break;
    case NS_APPLICATOR_PEN: c->t_load_end = 0.5 / ap->frequency; break;
    default: /* roller */
        c->roller_th = acos(ap->drum_radius / (ap->drum_radius + c->L));
        c->t_load_end = c->roller_th * ap->drum_radius / ap->speed;
        c->F_cap = ap->force / c->N_needles;
        break;
    }
}

/* Loading speed of the tip laws T1-T3 [m/s]: the needle's speed into the
 * tissue while it is pushed in, the same as the fast model's
 * (models/insertion/drive.c): press and impact V, pen pi f D (the mean
 * speed of the half stroke), roller V L / R_d (the needle's radial speed on
 * the drum). */
static double load_speed(const ns_cont *c)
{
    const ns_applicator_params *ap = &c->p.applicator;
    switch (ap->mode) {
    case NS_APPLICATOR_PEN: return M_PI * ap->frequency * ap->depth_setting;
    case NS_APPLICATOR_ROLLER: return ap->speed * c->L / ap->drum_radius;
    default: return ap->speed;
    }
}

/* The tip laws of models/insertion/tiplaw.h for this case, shared with the
 * fast model: puncture force (T1, surface layer, at the loading speed),
 * spreading pressure f_sp E*_k phi_k with the rate factor of T2 over the
 * tip's loading time l_v / V, and the shaft contact pressure of the cut
 * (T3) over the residence time L / V. */
static void tiplaw_init(ns_cont *c)
{
    const ns_needle_params *nd = &c->p.needle;
    const ns_insertion_calib *cb = &c->p.insertion;
    const ns_skin_params *sk = &c->p.skin;
    double V = c->V_load = load_speed(c);
    double lv = fmax(fmin(ns_needle_tip_length(nd), c->L), 2.0 * c->r_t);
    c->F_c = ns_tip_case_puncture_force(nd, &sk->layer[0], cb, V);
    for (int k = 0; k < c->nl; k++) {
        const ns_layer *ly = &sk->layer[k];
        ns_tip_tissue m = {c->Es[k], c->Gc[k], ly->relaxation_fraction, ly->relaxation_time};
        c->p_sp[k] = cb->spreading_factor * c->Es[k] * ns_tip_relax_factor(&m, lv / V);
        double f_k = ns_tip_slit_factor(&m, cb->shaft_pressure_factor, c->r_b);
        c->p_sh[k] = ns_tip_shaft_pressure(&m, f_k, c->L / V);
    }
}

/* Prescribed travel of the pen and roller at time t (models/insertion.h). */
static double travel_at(const ns_cont *c, double t)
{
    const ns_applicator_params *ap = &c->p.applicator;
    if (ap->mode == NS_APPLICATOR_PEN)
        return 0.5 * ap->depth_setting * (1.0 - cos(2.0 * M_PI * ap->frequency * t));
    double th = -c->roller_th + ap->speed * t / ap->drum_radius;
    return cont_drum_travel(c, th); /* eq. (C18), drum.c */
}

/* Grid, materials, boundary conditions and the rigid bodies. */
static ns_status body_init(ns_cont *c, double refine)
{
    const ns_params *p = &c->p;
    const ns_skin_params *sk = &p->skin;
    cont_sys *s = &c->s;
    double H = c->ztop[c->nl], Rc = ns_array_unit_cell_radius(&p->array);
    int single = !(isfinite(Rc) && Rc > 0.0) || p->array.layout == NS_LAYOUT_SINGLE ||
                 p->array.layout == NS_LAYOUT_ROLLER;
    double R = single ? fmax(CONT_DOMAIN_DEPTHS * H, 50.0 * c->r_b) : fmax(Rc, 2.0 * c->r_b);
    c->h0 = c->r_b / 6.0;
    double thick[NS_LAYER_MAX], Emax = 0.0;
    s->nl = (size_t)c->nl;
    for (int k = 0; k < c->nl; k++) {
        const ns_layer *ly = &sk->layer[k];
        thick[k] = ly->thickness;
        cont_mat_init(&s->mat[k], ly->youngs_modulus, ly->poisson, ly->stiffening, ly->density);
        s->mat[k].g = ly->relaxation_fraction; /* eq. (C13) */
        s->mat[k].tau = ly->relaxation_time;
        /* eq. (C14): the layers above the fat (every layer of a one-layer stack) */
        s->mat[k].eta = (c->nl == 1 || k + 1 < c->nl) ? sk->viscosity : 0.0;
        Emax = fmax(Emax, ly->youngs_modulus);
    }
    s->kb = sk->backing_stiffness;
    s->sym_outer = !single;
    NS_TRY(cont_mesh_build(&s->m, R, 2.0 * c->r_b, c->h0, 0.3, s->nl, thick, refine));
    NS_TRY(cont_sys_create(s));
    NS_TRY(cont_visco_alloc(s));
    s->fixed[s->m.ufree] = 1; /* the travel is prescribed (impact: by the energy equation) */
    NS_TRY(cont_lin_create(s, &s->lin));
    s->eps_pen = CONT_PEN * Emax / c->h0;
    s->E_floor = CONT_E_FLOOR * c->F_c * c->r_b;
    const ns_needle_params *nd = &p->needle;
    double sb = ns_needle_tip_length(nd);
    double th = atan(c->r_b / fmax(sb, 1e-12)); /* equivalent cone of the taper */
    th = fmin(fmax(th, 1.0 * M_PI / 180.0), 89.0 * M_PI / 180.0);
    cont_body *tip = &s->body[0], *pl = &s->body[1];
    tip->active = 1;
    tip->follow = 1;
    tip->shape = NS_CONT_NEEDLE;
    tip->Rs = c->r_t;
    tip->a = c->r_t * cos(th);
    tip->cot_t = 1.0 / tan(th);
    tip->rho0 = 0.0;
    tip->rho1 = R; /* no cut-off: the shoulder at R_b is rounded (a_in, edge) */
    tip->a_in = c->r_b;
    tip->edge = c->h0;
    if (nd->shape == NS_SHAPE_CYLINDRICAL) { /* a true flat punch of the outer radius (T4) */
        tip->shape = NS_CONT_FLAT;
        tip->a = c->r_b - c->h0;
        tip->a_in = 0.0;
    }
    pl->active = 1;
    pl->shape = NS_CONT_FLAT;
    pl->edge = c->h0; /* rounded edge: no element inverts under a sharp rim */
    if (p->applicator.mode == NS_APPLICATOR_PEN) {
        /* the cartridge face holds the skin at the edge of the needle group */
        double ap_r = single ? CONT_HUB_FACTOR * c->r_b : Rc * sqrt(c->N_needles);
        pl->follow = 0;
        pl->offset = 0.0;
        pl->rho0 = 0.0; /* the face rises inside a_in: contact ends continuously */
        pl->a_in = fmin(ap_r, 0.9 * R);
        /* the face reaches past the domain: a cut-off at r = R made the edge
         * node's contact switch with the sign of its u_r (an energy jump that
         * stalled Newton) */
        pl->a = R;
        pl->rho1 = INFINITY;
    } else {
        pl->follow = 1;
        pl->offset = c->L;
        pl->rho0 = 0.0; /* the hub's bore rim is rounded: contact ends continuously */
        pl->a_in = c->r_b + c->h0;
        pl->rho1 = single ? fmin(CONT_HUB_FACTOR * c->r_b, R) : R;
        pl->a = single ? pl->rho1 - 4.0 * c->h0 : R;
    }
    return NS_OK;
}

ns_status ns_cont_create_refined(const ns_ins_input *in, double refine, ns_cont **out)
{
    *out = NULL;
    NS_CHECK(in != NULL && in->skin && in->needle && in->array && in->applicator &&
                 in->numerics && in->calibration,
             NS_EINVAL, "ns_cont_create: input or one of its parts is NULL");
    NS_CHECK(isfinite(refine) && refine > 0.0 && refine <= 16.0, NS_EINVAL,
             "continuum grid refinement %.3g, expected (0, 16]", refine);
    /* the parts the model reads, in a case of its own (the rest stays zero) */
    ns_params pc;
    memset(&pc, 0, sizeof pc);
    pc.skin = *in->skin;
    pc.needle = *in->needle;
    pc.array = *in->array;
    pc.applicator = *in->applicator;
    pc.numerics = *in->numerics;
    pc.insertion = *in->calibration;
    const ns_params *p = &pc;
    NS_TRY(ns_param_check_struct(&p->numerics, offsetof(ns_params, numerics), "numerics"));
    NS_TRY(ns_param_check_struct(&p->insertion, offsetof(ns_params, insertion), "insertion"));
    NS_TRY(ns_applicator_check(&p->applicator));
    NS_TRY(ns_needle_check(&p->needle));
    NS_TRY(ns_skin_check(&p->skin));
    NS_CHECK(p->array.layout != NS_LAYOUT_NONE, NS_EINVAL,
             "array.layout = none: there is no needle to insert");
    NS_CHECK(!isnan(p->applicator.speed), NS_EINVAL,
             "applicator.speed = auto: derive it first (ns_params_derive)");
    ns_cont *c = calloc(1, sizeof *c);
    NS_CHECK(c != NULL, NS_ENOMEM, "ns_cont_create: out of memory");
    c->p = *p;
    layers_init(c);
    const ns_needle_params *nd = &p->needle;
    const ns_insertion_calib *cb = &p->insertion;
    c->L = nd->length;
    c->r_t = nd->tip_radius;
    c->r_b = ns_needle_base_radius(nd);
    c->f_cw = cb->crack_width_factor;
    drive_init(c);
    tiplaw_init(c); /* eq. (C10): tip laws T1-T3 */
    ns_status st = body_init(c, refine);
    if (st == NS_OK && p->applicator.mode == NS_APPLICATOR_ROLLER)
        st = cont_drum_init(c, in); /* eqs. (C16-C18): the drum holds the skin */
    if (st == NS_OK) {
        size_t n = c->s.m.ndof;
        c->s.fext = calloc(n, sizeof(double));
        c->fa = calloc(n, sizeof(double));
        c->fb = calloc(n, sizeof(double));
        c->ff_acc = calloc(n, sizeof(double));
        c->x_acc = calloc(n, sizeof(double));
        c->f_acc = calloc(n, sizeof(double));
        c->hcap = CONT_HIST0;
        c->ht = malloc(c->hcap * sizeof(double));
        c->hu = malloc(c->hcap * sizeof(double));
        c->hF = malloc(c->hcap * sizeof(double));
        c->hd = malloc(c->hcap * sizeof(double));
        if (!c->s.fext || !c->fa || !c->fb || !c->ff_acc || !c->x_acc || !c->f_acc || !c->ht ||
            !c->hu || !c->hF || !c->hd)
            st = ns_status_set(NS_ENOMEM, __FILE__, __LINE__, __func__,
                               "continuum: out of memory (%zu dofs)", n);
    }
    if (st != NS_OK) {
        ns_cont_destroy(&c);
        return ns_status_trace(st, __FILE__, __LINE__, __func__);
    }
    *out = c;
    return NS_OK;
}

ns_status ns_cont_create(const ns_ins_input *in, ns_cont **out)
{
    NS_TRY(ns_cont_create_refined(in, 1.0, out));
    return NS_OK;
}

void ns_cont_destroy(ns_cont **cp)
{
    if (!cp || !*cp) return;
    ns_cont *c = *cp;
    free(c->s.fext);
    c->s.fext = NULL;
    cont_sys_free(&c->s);
    free(c->fa);
    free(c->fb);
    free(c->ff_acc);
    free(c->x_acc);
    free(c->f_acc);
    free(c->ht);
    free(c->hu);
    free(c->hF);
    free(c->hd);
    free(c);
    *cp = NULL;
}

ns_ins_history ns_cont_get_history(const ns_cont *c)
{
    ns_ins_history h = {0, NULL, NULL, NULL, NULL};
    if (!c) return h;
    h.n = c->hn;
    h.t = c->ht;
    h.travel = c->hu;
    h.force = c->hF;
    h.tip_depth = c->hd;
    return h;
}

size_t ns_cont_dofs(const ns_cont *c) { return c ? c->s.m.ndof : 0; }

static ns_status hist_push(ns_cont *c, double t, double u, double F, double d)
{
    if (c->hn == c->hcap) {
        size_t nc = 4 * c->hcap;
        double **arr[4] = {&c->ht, &c->hu, &c->hF, &c->hd};
        for (int k = 0; k < 4; k++) {
            double *a = realloc(*arr[k], nc * sizeof(double));
            NS_CHECK(a != NULL, NS_ENOMEM, "continuum history: out of memory at %zu points", nc);
            *arr[k] = a;
        }
        c->hcap = nc;
    }
    c->ht[c->hn] = t;
    c->hu[c->hn] = u;
    c->hF[c->hn] = F;
    c->hd[c->hn] = d;
    c->hn++;
    return NS_OK;
}

/* One quasi-static state of the insertion. */
typedef struct {
    double t;   /* [s] time */
    double u;   /* [m] needle travel after first contact */
    double d;   /* [m] reference depth of the cut (tip depth in tissue) */
    double F;   /* [N] needle force on the tissue */
    double Fpl; /* [N] plate (or pen face) force on the tissue */
    double Ff;  /* [N] front part of F (cutting + spreading) */
    double q;   /* [-] withdrawal: the tip's load on the front / F_front (eq. C12) */
    double U;   /* [J] stored energy (strain, contact penalty, backing) */
} cont_state;

/* Solve the body at travel u from the accepted displacement; sign +1 loading,
 * -1 unloading; y0 the accepted state (its d bounds the cut). */
static ns_status solve_at(ns_cont *c, int punctured, double u, int sign, const cont_state *y0,
                          cont_state *y)
{
    cont_sys *s = &c->s;
    size_t n = s->m.ndof;
    memcpy(s->x, c->x_acc, n * sizeof(double));
    s->x[s->m.ufree] = u;
    y->u = u;
    y->d = y0->d;
    y->Ff = 0.0;
    y->q = 0.0;
    if (!punctured) {
        s->body[0].active = 1;
        memset(s->fext, 0, n * sizeof(double));
        NS_TRY(cont_newton(s, CONT_TOL));
        y->F = s->Fbody[0];
    } else {
        s->body[0].active = 0;
        double lo = sign > 0 ? y0->d : 0.0, hi = sign > 0 ? c->L : y0->d;
        if (hi <= 0.0) { /* the tip is out of its hole */
            memset(s->fext, 0, n * sizeof(double));
            NS_TRY(cont_newton(s, CONT_TOL));
            y->d = 0.0;
            y->F = 0.0;
        } else {
            double d = y0->d;
            y->q = sign > 0 ? 1.0 : 0.0;
            c->q_front = 0.0;
            if (sign < 0) /* eq. (C12): friction sticks, then slips */
                c->q_fric = c->du_stick > 0.0 ? fmax(1.0 - (c->u_rev - u) / c->du_stick, -1.0)
                                              : -1.0;
            if (sign < 0 && y0->q > 0.0) /* the tip on the front: the tissue unloads */
                NS_TRY(cont_cut_release(c, u, d, y0->q, &y->q));
            if (sign > 0 || !(y->q > 0.0)) {
                c->q_front = 0.0;
                NS_TRY(cont_cut_solve(c, u, sign, lo, hi, &d));
            }
            double Ff, Fr;
            cont_cut_resistance(c, d, &Ff, &Fr);
            y->d = d;
            y->Ff = sign > 0 ? Ff : 0.0;
            y->F = sign > 0 ? Ff + Fr : y->q * Ff + c->q_fric * Fr;
        }
    }
    y->Fpl = s->Fbody[1];
    double Pi;
    cont_energy(s, s->x, &Pi, 0);
    for (size_t k = 0; k < n; k++) Pi += s->fext[k] * s->x[k];
    if (s->visco) {
        /* eq. (C15): the elements' work is the elastic energy less the work
         * of the relaxed stress plus the Kelvin-Voigt work, not the
         * algorithmic energy of the step */
        cont_visco_inc vi;
        cont_visco_step(s, s->x, 0, &vi);
        Pi += vi.W_el - cont_strain_energy(s, s->x) - (s->A_rel + vi.dA) + s->W_kv + vi.dKV;
    }
    y->U = Pi;
    return NS_OK;
}

/* Start of the withdrawal at the accepted state y0 (eq. C12): the shaft
 * friction F_fric pushes down at the reversal and must reverse before the
 * needle slides out; until it has, the tissue along the shaft sticks to the
 * needle, so the friction falls by k_t per unit of the needle's upward
 * travel, k_t = 1 / c_t the tissue's stiffness under the friction loads
 * (c_t = f_1 . K^-1 f_1 [m/N], f_1 the friction loads of 1 N at the depth of
 * the cut, K the tangent at y0). du_stick = F_fric c_t is the travel from
 * +F_fric to 0; the friction is -F_fric (slip) after 2 du_stick. */
static ns_status reversal_init(ns_cont *c, const cont_state *y0, int punctured)
{
    cont_sys *s = &c->s;
    size_t n = s->m.ndof;
    c->u_rev = y0->u;
    c->rel_slope = 0.0;
    c->du_stick = 0.0;
    c->q_fric = -1.0;
    double Ff, Fr;
    if (!punctured || !(y0->d > 0.0)) return NS_OK;
    cont_cut_resistance(c, y0->d, &Ff, &Fr);
    if (!(Fr > 0.0)) return NS_OK;
    c->q_fric = 1.0;
    c->q_front = 0.0;
    cont_cut_loads(c, y0->d, -1, c->fa); /* the friction alone */
    for (size_t k = 0; k < n; k++) c->fa[k] /= Fr;
    memcpy(s->x, c->x_acc, n * sizeof(double));
    double Pi;
    if (cont_energy(s, s->x, &Pi, CONT_E_TANGENT))
        NS_FAIL(NS_ECONV, "continuum: inverted element at the reversal (travel %.4g m)", y0->u);
    NS_TRY(cont_lin_solve(s->lin, c->fa, c->fb, 1));
    double ct = 0.0;
    for (size_t k = 0; k < n; k++) ct += c->fa[k] * c->fb[k];
    c->du_stick = ct > 0.0 ? Fr * ct : 0.0;
    return NS_OK;
}

/* The shaft friction part f of the loads of the cut at depth d (ndof): all
 * of it down while inserting, times q_fric (C12) while withdrawing. */
static void friction_loads(ns_cont *c, double d, int sign, double *f)
{
    double qf = c->q_front, qr = c->q_fric;
    c->q_front = 0.0;
    c->q_fric = sign > 0 ? 1.0 : qr;
    cont_cut_loads(c, d, -1, f);
    c->q_front = qf;
    c->q_fric = qr;
}

/* Energy accounts of one solve (models/continuum.h, "Energy"). */
typedef struct {
    double W_in, W_pos, W_insert, E_frac, E_fric, W_loads;
} cont_energy_acc;

static void accept(ns_cont *c, cont_energy_acc *e, const cont_state *y0, const cont_state *y,
                   int punctured, int plate_follows, int sign)
{
    cont_sys *s = &c->s;
    size_t n = s->m.ndof;
    double du = y->u - y0->u;
    double dWn = 0.5 * (y0->F + y->F) * du;
    double dWp = plate_follows ? 0.5 * (y0->Fpl + y->Fpl) * du : 0.0;
    e->W_in += dWn + dWp;
    if (dWn + dWp > 0.0) e->W_pos += dWn + dWp;
    if (punctured) {
        double dfr = y->d > y0->d ? 0.5 * (y0->Ff + y->Ff) * (y->d - y0->d) : 0.0;
        e->E_frac += dfr;
        /* friction: the work of the shaft loads on the slip, needle travel
         * less the tissue's displacement under each load (trapezoid) */
        friction_loads(c, y->d, sign, c->fb);
        for (size_t k = 0; k < n; k++)
            e->E_fric += 0.5 * (c->ff_acc[k] + c->fb[k]) * (du - (s->x[k] - c->x_acc[k]));
        memcpy(c->ff_acc, c->fb, n * sizeof(double));
    }
    memcpy(c->x_acc, s->x, n * sizeof(double));
    memcpy(c->f_acc, s->fext, n * sizeof(double));
    if (s->visco) {
        cont_visco_inc vi;
        cont_visco_step(s, s->x, 1, &vi);
    }
    ns_ins_result *r = &c->res;
    r->max_force = fmax(r->max_force, y->F);
    r->max_travel = fmax(r->max_travel, y->u);
    r->max_tenting = fmax(r->max_tenting, s->x[1]);
    if (punctured) r->penetration_depth = fmax(r->penetration_depth, y->d);
}

/* Event function of the loading phase: >= 0 once the event has happened. */
enum { CEV_PUNCTURE = 0, CEV_CAP, CEV_STOP, CEV_COUNT };
static void events(const ns_cont *c, const cont_state *y, const cont_energy_acc *e, int punctured,
                   double dW, double *g)
{
    const ns_applicator_params *ap = &c->p.applicator;
    g[CEV_PUNCTURE] = punctured ? -1.0 : y->F - c->F_c;
    g[CEV_CAP] = isfinite(c->F_cap) ? y->F + y->Fpl - c->F_cap : -1.0;
    g[CEV_STOP] = ap->mode == NS_APPLICATOR_IMPACT
                      ? e->W_in + dW - 0.5 * c->m_a * ap->speed * ap->speed
                      : -1.0;
}

static void results_finish(ns_cont *c, const cont_energy_acc *e, const cont_state *y,
                           int punctured, size_t steps, size_t rejected)
{
    ns_ins_result *r = &c->res;
    r->punctured = punctured;
    r->energy_balance_error =
        e->W_pos > 0.0 ? fabs(e->W_in - (y->U + e->E_frac + e->E_fric)) / e->W_pos : 0.0;
    r->insertion_energy = e->W_insert > 0.0 ? e->W_insert : e->W_in;
    r->fracture_energy = e->E_frac;
    r->friction_energy = e->E_fric;
    r->time_end = y->t;
    r->steps = steps;
    r->rejected_steps = rejected;
    r->total_force = r->max_force * c->N_needles;
    double pd = punctured ? r->penetration_depth : 0.0;
    r->penetration_depth = pd;
    r->inserted_fraction = pd / c->L;
    int k = 0;
    while (k + 1 < c->nl && pd >= c->ztop[k + 1]) k++;
    r->deepest_layer = punctured ? k + 1 : 0;
    for (int q = 0; q < NS_LAYER_MAX; q++)
        r->layer_depth[q] = (q < c->nl && punctured && pd > c->ztop[q])
                                ? fmin(pd, c->ztop[q + 1]) - c->ztop[q]
                                : 0.0;
    r->buckling_load = ns_needle_buckling_load(&c->p.needle);
    r->buckling_margin = r->max_force > 0.0 ? r->buckling_load / r->max_force : (double)NAN;
    r->work_in = e->W_in;
    /* eq. (C15): the viscous part of U, the branches' dissipation and the
     * Kelvin-Voigt work */
    r->E_visc = c->s.visco ? c->s.D_rel + c->s.W_kv : 0.0;
    r->E_stored = y->U - r->E_visc;
}

/* Puncture at the accepted state *y (eq. C11): the tip contact is replaced by
 * the cut at the same travel; the strain energy released by the snap (the
 * dimple cut through) is counted as fracture energy. */
static ns_status do_puncture(ns_cont *c, cont_state *y, cont_energy_acc *e)
{
    c->res.puncture_force = y->F;
    c->res.puncture_displacement = y->u;
    cont_state y1;
    cont_state y0 = *y;
    y0.d = 0.0;
    c->s.dt_v = 0.0; /* the snap takes no time */
    NS_TRY(solve_at(c, 1, y->u, +1, &y0, &y1));
    y1.t = y->t;
    e->E_frac += y->U - y1.U;
    memcpy(c->x_acc, c->s.x, c->s.m.ndof * sizeof(double));
    memcpy(c->f_acc, c->s.fext, c->s.m.ndof * sizeof(double));
    if (c->s.visco) {
        cont_visco_inc vi;
        cont_visco_step(&c->s, c->s.x, 1, &vi);
    }
    friction_loads(c, y1.d, +1, c->ff_acc);
    c->res.penetration_depth = fmax(c->res.penetration_depth, y1.d);
    *y = y1;
    return NS_OK;
}

/* Travel (press, impact: the parameter) or time (pen, roller) of the next
 * state; *last = 1 when it ends the phase. */
static double next_param(const ns_cont *c, int phase, const cont_state *y0, double h, int *last)
{
    const ns_applicator_params *ap = &c->p.applicator;
    int by_time = ap->mode == NS_APPLICATOR_PEN || ap->mode == NS_APPLICATOR_ROLLER;
    *last = 0;
    if (by_time) {
        double t1 = phase == CPH_LOAD ? c->t_load_end : 2.0 * c->t_load_end, t = y0->t + h;
        if (t >= t1 * (1.0 - 1e-12)) {
            t = t1;
            *last = 1;
        }
        return t;
    }
    if (phase == CPH_LOAD) {
        double u = y0->u + h;
        if (u >= ap->stroke) {
            u = ap->stroke;
            *last = 1;
        }
        return u;
    }
    double u = y0->u - h;
    if (u <= 0.0) {
        u = 0.0;
        *last = 1;
    }
    return u;
}

/* Time of the state at parameter q (travel u) of the phase, known before
 * its solve (the viscous step needs it, eqs. C13-C14): as the loop sets
 * y.t after the solve, but for the impact from the speed at the start of
 * the step (the end speed follows from the step's work). */
static double step_time(const ns_cont *c, int phase, double q, double u, const cont_state *y0,
                        const cont_energy_acc *e, double u_hold, double t_unload0)
{
    const ns_applicator_params *ap = &c->p.applicator;
    if (ap->mode == NS_APPLICATOR_PEN || ap->mode == NS_APPLICATOR_ROLLER) return q;
    if (phase == CPH_UNLOAD) return t_unload0 + (u_hold - u) / c->Vw;
    if (ap->mode == NS_APPLICATOR_IMPACT) {
        double V2 = ap->speed * ap->speed;
        double v0 = sqrt(fmax(V2 - 2.0 * e->W_in / c->m_a, 0.0));
        return y0->t + (u - y0->u) / fmax(v0, 1e-3 * ap->speed);
    }
    return u / ap->speed;
}

/* The hold at fixed travel with viscous layers (eq. C13): time steps from
 * tau_min / 20, growing by 1.3 per step (the relaxation is exponential:
 * about 20 steps over 10 s at tau 0.62 s), the tissue relaxing under the
 * needle (before puncture its force falls; after it the cut's loads stay
 * those of the tip laws at the cut depth). A failed solve quarters the
 * step. *y0 ends at the end of the hold. */
static ns_status hold_relax(ns_cont *c, cont_state *y0, cont_energy_acc *e, int punctured,
                            int follows, size_t *steps, size_t *rejected)
{
    cont_sys *s = &c->s;
    double t1 = y0->t + c->p.applicator.hold_time, tau = INFINITY;
    for (size_t k = 0; k < s->nl; k++)
        if (s->mat[k].g > 0.0) tau = fmin(tau, s->mat[k].tau);
    if (!isfinite(tau)) tau = c->p.applicator.hold_time;
    double dt = fmin(tau / 20.0, t1 - y0->t);
    while (y0->t < t1 * (1.0 - 1e-12)) {
        NS_TRY(ns_deadline_check("insertion", y0->t));
        NS_CHECK(*steps + *rejected < c->p.numerics.ins_max_steps, NS_ECONV,
                 "continuum: step cap numerics.ins_max_steps = %zu reached in the hold at t = %.6g s",
                 c->p.numerics.ins_max_steps, y0->t);
        double tn = fmin(y0->t + dt, t1);
        if (t1 - tn < 0.05 * dt) tn = t1;
        cont_state y;
        s->dt_v = tn - y0->t;
        ns_status st = solve_at(c, punctured, y0->u, +1, y0, &y);
        if (st != NS_OK) {
            if (st == NS_ECONV && dt > 1e-6 * tau) {
                ns_status_clear();
                (*rejected)++;
                dt *= 0.25;
                continue;
            }
            return ns_status_trace(st, __FILE__, __LINE__, __func__);
        }
        y.t = tn;
        accept(c, e, y0, &y, punctured, follows, +1);
        (*steps)++;
        *y0 = y;
        if (y0->t < t1) NS_TRY(hist_push(c, y0->t, y0->u, y0->F, punctured ? y0->d : 0.0));
        dt *= 1.3;
    }
    return NS_OK;
}

ns_status ns_cont_solve(ns_cont *c, ns_ins_result *res)
{
    NS_CHECK(c != NULL && res != NULL, NS_EINVAL, "ns_cont_solve: NULL argument");
    const ns_applicator_params *ap = &c->p.applicator;
    cont_sys *s = &c->s;
    size_t n = s->m.ndof;
    int by_time = ap->mode == NS_APPLICATOR_PEN || ap->mode == NS_APPLICATOR_ROLLER;
    int impact = ap->mode == NS_APPLICATOR_IMPACT, follows = ap->mode != NS_APPLICATOR_PEN;
    memset(&c->res, 0, sizeof c->res);
    c->res.puncture_force = c->res.puncture_displacement = NAN;
    memset(c->x_acc, 0, n * sizeof(double));
    memset(c->f_acc, 0, n * sizeof(double));
    memset(c->ff_acc, 0, n * sizeof(double));
    c->hn = 0;
    if (s->visco) {
        memset(s->vs, 0, (s->m.nr - 1) * (s->m.nz - 1) * 4 * CONT_VS * sizeof(double));
        s->A_rel = s->W_kv = s->D_rel = 0.0;
    }
    s->dt_v = 0.0;
    c->q_fric = -1.0;
    c->q_front = 0.0;
    c->du_stick = 0.0;
    cont_state y0 = {0}, y;
    cont_energy_acc e = {0};
    int punctured = 0, phase = CPH_LOAD;
    /* first increment L / 30, or a tenth of a stroke shorter than L / 3 (a
     * probe's 10 um press took one step, and the trapezoid of its Hertzian
     * force, F ~ u^1.5, overstated the work by 25 %) */
    double n_l = CONT_STEPS_PER_L * (s->body[2].active ? CONT_DRUM_STEPS : 1.0);
    double du0 = by_time ? c->t_load_end / n_l
                         : fmin(c->L, 3.0 * ap->stroke) / CONT_STEPS_PER_L;
    double h = du0, u_hold = 0.0, t_unload0 = 0.0, g[CEV_COUNT];
    size_t steps = 0, rejected = 0;
    NS_TRY(hist_push(c, 0.0, 0.0, 0.0, 0.0));
    while (phase != CPH_END) {
        NS_TRY(ns_deadline_check("insertion", y0.t)); /* numerics.case_timeout */
        NS_CHECK(steps + rejected < c->p.numerics.ins_max_steps, NS_ECONV,
                 "continuum: step cap numerics.ins_max_steps = %zu reached at t = %.6g s (travel %.4g m)",
                 c->p.numerics.ins_max_steps, y0.t, y0.u);
        if (phase == CPH_HOLD) {
            e.W_insert = e.W_in;
            if (s->visco && ap->hold_time > 0.0 && ap->mode != NS_APPLICATOR_ROLLER)
                NS_TRY(hold_relax(c, &y0, &e, punctured, follows, &steps, &rejected));
            else
                y0.t += ap->mode == NS_APPLICATOR_ROLLER ? 0.0 : ap->hold_time;
            if (ap->hold_time > 0.0) NS_TRY(hist_push(c, y0.t, y0.u, y0.F, punctured ? y0.d : 0.0));
            phase = CPH_UNLOAD;
            NS_TRY(reversal_init(c, &y0, punctured));
            y0.q = 1.0; /* the tip on the front at the reversal (eq. C12) */
            u_hold = y0.u;
            t_unload0 = y0.t;
            h = du0;
            continue;
        }
        int last, sign = phase == CPH_LOAD ? 1 : -1;
        double q = next_param(c, phase, &y0, h, &last);
        double u = by_time ? travel_at(c, q) : q;
        if (by_time && phase == CPH_UNLOAD && u > y0.u) u = y0.u; /* pen/roller: retreat only */
        s->dt_v = step_time(c, phase, q, u, &y0, &e, u_hold, t_unload0) - y0.t;
        ns_status st = solve_at(c, punctured, u, sign, &y0, &y);
        if (st != NS_OK) {
            if (st == NS_ECONV && h > CONT_MIN_STEP * du0) {
                ns_status_clear();
                rejected++;
                h *= 0.25;
                continue;
            }
            return ns_status_trace(st, __FILE__, __LINE__, __func__);
        }
        double dW = 0.5 * (y0.F + y.F + (follows ? y0.Fpl + y.Fpl : 0.0)) * (y.u - y0.u);
        if (by_time)
            y.t = q;
        else if (phase == CPH_UNLOAD)
            y.t = t_unload0 + (u_hold - y.u) / c->Vw;
        else if (impact) {
            double V2 = ap->speed * ap->speed;
            double v0 = sqrt(fmax(V2 - 2.0 * e.W_in / c->m_a, 0.0));
            double v1 = sqrt(fmax(V2 - 2.0 * (e.W_in + dW) / c->m_a, 0.0));
            y.t = y0.t + (y.u - y0.u) / fmax(0.5 * (v0 + v1), 1e-3 * ap->speed);
        } else
            y.t = y.u / ap->speed;
        int ev = -1;
        if (phase == CPH_LOAD) {
            events(c, &y, &e, punctured, dW, g);
            for (int k = 0; k < CEV_COUNT && ev < 0; k++)
                if (g[k] >= 0.0) ev = k;
            double gsc[CEV_COUNT] = {c->F_c, c->F_cap, 0.5 * c->m_a * ap->speed * ap->speed};
            if (ev >= 0 && h > CONT_MIN_STEP * du0 && g[ev] > CONT_EVENT_TOL * gsc[ev]) {
                /* locate it: secant on the event function, at most half the step */
                double g0[CEV_COUNT];
                events(c, &y0, &e, punctured, 0.0, g0);
                double fr = g[ev] > g0[ev] ? -g0[ev] / (g[ev] - g0[ev]) : 0.5;
                rejected++;
                h *= fmin(fmax(fr + CONT_EVENT_OVERSHOOT, CONT_MIN_STEP), 0.5);
                continue;
            }
        }
        accept(c, &e, &y0, &y, punctured, follows, sign);
        steps++;
        NS_TRY(hist_push(c, y.t, y.u, y.F, punctured ? y.d : 0.0));
        y0 = y;
        if (ev == CEV_PUNCTURE) {
            punctured = 1;
            NS_TRY(do_puncture(c, &y0, &e));
            NS_TRY(hist_push(c, y0.t, y0.u, y0.F, y0.d));
        }
        if (phase == CPH_LOAD && (ev == CEV_CAP || ev == CEV_STOP || (last && !by_time)))
            phase = CPH_HOLD;
        else if (phase == CPH_LOAD && last) {
            phase = CPH_UNLOAD;
            NS_TRY(reversal_init(c, &y0, punctured));
            y0.q = 1.0; /* the tip on the front at the reversal (eq. C12) */
        }
        else if (phase == CPH_UNLOAD && (last || (punctured && y0.d <= 0.0)))
            phase = CPH_END;
        if (ev >= 0 || (phase == CPH_UNLOAD && by_time && last)) {
            h = 0.25 * du0; /* restart after an event */
            continue;
        }
        h = s->newton_tangents <= CONT_EASY_TANGENTS ? fmin(2.0 * h, CONT_MAX_GROWTH * du0)
                                                     : fmin(h, du0);
    }
    results_finish(c, &e, &y0, punctured, steps, rejected);
    if (!(isfinite(c->res.max_force) && isfinite(c->res.penetration_depth)))
        NS_FAIL(NS_ENONFINITE, "continuum: non-finite result (max_force %.3g N) at t = %.6g s",
                c->res.max_force, y0.t);
    *res = c->res;
    return NS_OK;
}
