/* Applicators of the insertion solver: set-up per mode (press, impact, pen,
 * roller), the prescribed needle travel of each phase and the phase changes
 * (load, hold, withdraw). Kinematics: models/insertion.h, "Applicators". */
#include <math.h>

#include "../needle.h"
#include "../units.h"
#include "ins_private.h"

/* Travel and energy scales of the drive (header "Discretisation"): U_s is
 * the largest travel the applicator can impose, min(L, stroke) for a press,
 * min(L, stroke, sqrt(2 E_k / K_e)) for an impact of kinetic energy
 * E_k = M V^2 / 2 per needle (the travel at which the stiffest contact law,
 * the flat punch K_e, has taken E_k), min(L, depth_setting) for a pen and L
 * for a roller; E_s = K_e U_s^2, at most F_cap U_s and E_k. Steps, the
 * Newton tolerance and the energy floor are relative to these, not to the
 * needle length alone: a 0.2 nm press stroke of a 2.5 mm needle was
 * integrated in steps of 5 % of the needle length with a Newton tolerance
 * of 7 % of its travel (energy balance 12 %). */
static void drive_scales(ns_ins *s)
{
    const ns_applicator_params *ap = &s->p.applicator;
    double Us = s->L, Es = INFINITY;
    switch (ap->mode) {
    case NS_APPLICATOR_PRESS:
        Us = fmin(Us, ap->stroke);
        break;
    case NS_APPLICATOR_IMPACT:
        Es = 0.5 * s->m_a * ap->speed * ap->speed;
        Us = fmin(fmin(Us, ap->stroke), sqrt(2.0 * Es / s->K_e));
        break;
    case NS_APPLICATOR_PEN:
        Us = fmin(Us, ap->depth_setting);
        break;
    default:
        break;
    }
    s->U_s = Us;
    s->len_scale = 1e-3 * Us;
    Es = fmin(Es, s->K_e * Us * Us);
    if (isfinite(s->F_cap)) Es = fmin(Es, s->F_cap * Us);
    s->E_s = Es;
}

/* Applicator set-up: needles sharing the load, drive and withdrawal speeds,
 * end of loading and force cap per applicator mode (header "Applicators").
 * Needs s->L; the fields are in range (ns_applicator_check). Exceptions:
 * NS_EINVAL (unknown mode). */
ns_status ins_drive_init(ns_ins *s)
{
    const ins_inputs *p = &s->p;
    const ns_applicator_params *ap = &p->applicator;
    double count = isfinite(p->array.count) && p->array.count >= 1.0 ? p->array.count : 1.0;
    if (p->array.layout == NS_LAYOUT_SINGLE) count = 1.0;
    s->N_needles = count;
    if (ap->mode == NS_APPLICATOR_ROLLER) {
        double nc = ns_array_needles_in_contact(&p->array, ap, &p->needle);
        s->N_needles = (isfinite(nc) && nc >= 1.0) ? nc : 1.0;
    }
    s->V = ap->speed;
    switch (ap->mode) {
    case NS_APPLICATOR_PRESS:
        s->t_load_end = ap->stroke / ap->speed;
        /* the hand force is shared by the needles in contact; it is reached by
         * the needle and the base plate together (EV_CAP) */
        s->F_cap = ap->force / s->N_needles;
        s->Vw = ap->speed;
        break;
    case NS_APPLICATOR_IMPACT:
        s->m_a = ap->mass / count;
        s->t_load_end = INFINITY;
        s->F_cap = INFINITY;
        break;
    case NS_APPLICATOR_PEN:
        s->t_load_end = 0.5 / ap->frequency;
        s->F_cap = INFINITY;
        break;
    case NS_APPLICATOR_ROLLER:
        s->roller_Rd = ap->drum_radius;
        s->roller_th = acos(ap->drum_radius / (ap->drum_radius + s->L));
        s->roller_T = 2.0 * s->roller_th * ap->drum_radius / ap->speed;
        s->t_load_end = 0.5 * s->roller_T;
        s->F_cap = ap->force / s->N_needles;
        break;
    default:
        NS_FAIL(NS_EINVAL, "applicator.mode = %d, allowed 0..%d", (int)ap->mode,
                (int)NS_APPLICATOR_COUNT - 1);
    }
    drive_scales(s);
    return NS_OK;
}


/* Prescribed travel and velocity at phase time tp (time since the start of
 * the current phase, ins_state.tp) for the current phase; the stroke of a pen
 * or roller runs on the time t = phase_t0 + tp of its loading (t0 = 0). */
void ins_prescribed(const ns_ins *s, double tp, double *u, double *ud)
{
    const ns_applicator_params *ap = &s->p.applicator;
    double t = s->phase_t0 + tp;
    switch (s->phase) {
    case PH_HOLD:
        *u = s->u_hold;
        *ud = 0.0;
        return;
    case PH_UNLOAD:
        if (ap->mode == NS_APPLICATOR_PEN || ap->mode == NS_APPLICATOR_ROLLER) break;
        *u = s->u_hold - s->Vw * tp;
        *ud = -s->Vw;
        return;
    case PH_RETRACT: {
        double vr = ins_phase_speed(s);
        *u = s->u_hold - vr * tp;
        *ud = -vr;
        return;
    }
    default:
        break;
    }
    switch (ap->mode) {
    case NS_APPLICATOR_PEN: {
        double om = 2.0 * NS_PI * ap->frequency;
        *u = 0.5 * ap->depth_setting * (1.0 - cos(om * t));
        *ud = 0.5 * ap->depth_setting * om * sin(om * t);
        return;
    }
    case NS_APPLICATOR_ROLLER: {
        double th = -s->roller_th + ap->speed * t / s->roller_Rd;
        double Rt = s->roller_Rd + s->L, doff;
        /* the skin under the drum is lowered by the hand force (roller.c, eq. D2) */
        double off = ins_roller_offset(s, th, ap->speed / s->roller_Rd, &doff);
        *u = Rt * cos(th) - s->roller_Rd + off;
        *ud = -Rt * sin(th) * ap->speed / s->roller_Rd + doff;
        return;
    }
    default:
        *u = s->V * t;
        *ud = s->V;
        return;
    }
}

/* Speed scale of the current phase [m/s] (steps are limited to 5 % of the
 * needle length at this speed): the drive speed while loading and holding
 * (pen: peak stroke speed pi f D; roller: V L / R_d), the withdrawal speed
 * of a press or impact, and for the straight retraction after a pen or
 * roller stroke the needle's speed when it left the skin surface (pen: the
 * peak stroke speed; roller: the vertical speed V sin(theta_c) (R_d + L)/R_d
 * at the end of the contact arc). */
double ins_phase_speed(const ns_ins *s)
{
    const ns_applicator_params *ap = &s->p.applicator;
    double v;
    int out = s->phase == PH_UNLOAD || s->phase == PH_RETRACT;
    switch (ap->mode) {
    case NS_APPLICATOR_PEN:
        v = NS_PI * ap->frequency * ap->depth_setting;
        break;
    case NS_APPLICATOR_ROLLER:
        v = s->phase == PH_RETRACT
                ? ap->speed * sin(s->roller_th) * (s->roller_Rd + s->L) / s->roller_Rd
                : ap->speed * s->L / s->roller_Rd;
        break;
    default:
        v = out ? s->Vw : ap->speed;
        break;
    }
    return fmax(v, 1e-12);
}

/* Start a new phase at time t (state y1). */
void ins_enter_phase(ns_ins *s, int ph)
{
    const ns_applicator_params *ap = &s->p.applicator;
    double t = s->y1.t;
    s->phase = ph;
    s->phase_t0 = t;
    s->dynamic = 0;
    switch (ph) {
    case PH_LOAD:
        s->dynamic = ap->mode == NS_APPLICATOR_IMPACT;
        s->phase_t1 = s->t_load_end;
        break;
    case PH_HOLD:
        s->u_hold = s->y1.u;
        s->phase_t1 = t + (ap->mode == NS_APPLICATOR_ROLLER ? fmax(s->roller_T - 2.0 * t, 0.0)
                                                            : fmax(ap->hold_time, 0.0));
        s->W_insert = s->W_in;
        break;
    case PH_UNLOAD:
        if (s->W_insert == 0.0) s->W_insert = s->W_in;
        if (ap->mode == NS_APPLICATOR_PEN)
            s->phase_t1 = 1.0 / ap->frequency;
        else if (ap->mode == NS_APPLICATOR_ROLLER)
            s->phase_t1 = s->roller_T;
        else {
            s->u_hold = s->y1.u;
            s->phase_t1 = t + fmax(s->u_hold, 0.0) / s->Vw;
        }
        break;
    case PH_RETRACT: {
        /* straight out until the tip leaves its hole (the solver stops
         * there); bounded by twice the needle length plus the deepest tent
         * at the phase speed, far beyond any skin that friction can lift */
        if (s->W_insert == 0.0) s->W_insert = s->W_in;
        s->u_hold = s->y1.u;
        double reach = 2.0 * s->L + 2.0 * s->res.max_tenting + fmax(s->u_hold, 0.0);
        s->phase_t1 = t + reach / ins_phase_speed(s);
        break;
    }
    default:
        s->phase_t1 = t;
        break;
    }
    s->phase_len = fmax(s->phase_t1 - t, 0.0);
    s->phase_steps = 0;
    s->settle_tried = 0;
    s->y1.tp = 0.0;
    s->h_prev = 0.0; /* restart BDF2 with a backward-Euler step */
}
