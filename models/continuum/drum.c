/* The roller drum's contact in the continuum insertion (models/continuum.h,
 * "Roller drum", eqs. C16-C18).
 *
 * The drum (radius R_d) is a cylinder: the axisymmetric r-z body cannot hold
 * it. The stand-in is the drum's effect around the needle, as a rigid
 * surface contact:
 *   (C16) the drum-skin contact under the hand force first: the fast
 *   model's solve of the same case (models/insertion/roller.c, D1): the
 *   drum sinks delta under F_h - N_c F_c, pressing the skin with the
 *   foundation pressure p_d = p_f(delta) at its lowest point;
 *   (C17) the drum face: fixed, frictionless, rigid, at the drum-held
 *   surface z = 0 for rho >= R_b + h0 (inner rim rounded over h0, as the
 *   hub's bore), in the frame of the skin under the drum (its
 *   pre-compression by delta not modelled, as in the fast model). The skin
 *   is pre-pressed onto it by p_d, so the contact is two-sided up to a pull
 *   of p_d per area and the skin leaves the face beyond (newton.c,
 *   drum_hold_terms: the penalty of eq. C4 continued linearly below the
 *   lift-off gap). The lift-off radius follows from the solve; the fast
 *   model's rho_c = sqrt(F_c / (pi p_d)) (D3) is kept for comparison. No
 *   face at delta = 0: the free skin, as before;
 *   (C18) the needle at angle theta on the drum, x = (R_d + L) sin(theta)
 *   its abscissa, travels into the held skin by
 *     u = (R_d + L) cos(theta) - R_d + min(delta, x^2 / (2 R_d))     (D2)
 *   from the root theta_c of u = 0 (bisection on (0, pi/2)) to theta = 0 and
 *   back; theta = -theta_c + V t / R_d.
 * The face is fixed, so it does no work: its penalty energy is part of the
 * stored energy of the balance (models/continuum.h, "Energy"); its force is
 * the drum's, not the needle's or the plate's (not in the force cap).
 * Why this stand-in: the needle's puncture and penetration are set by how
 * far the skin around it can tent, which the drum bounds; the same delta and
 * p_d as the fast model leave the skin's response around the needle as the
 * one difference, which is what the continuum judges. A continuum solve of
 * the drum itself needs a plane-strain (or 3-D) body.
 * Validity: that of roller.c (drum contact half-width small against R_d,
 * quasi-static drum, vertical travel), p_d uniform over the cell (the
 * drum's pressure at its lowest point), the penalty's penetration about
 * 1/c_pen of the local spacing (C4). */
#include <math.h>

#include "../insertion.h"
#include "../insertion/ins_private.h"
#include "cont_internal.h"

#define CONT_DRUM_BISECT 100 /* [-] bisection steps for theta_c */

double cont_drum_travel(const ns_cont *c, double th)
{
    double Rd = c->p.applicator.drum_radius, Rt = Rd + c->L, x = Rt * sin(th);
    return Rt * cos(th) - Rd + fmin(c->drum_delta, x * x / (2.0 * Rd));
}

ns_status cont_drum_init(ns_cont *c, const ns_ins_input *in)
{
    const ns_applicator_params *ap = &c->p.applicator;
    cont_sys *s = &c->s;
    double R = s->m.r[s->m.nr - 1];
    c->drum_delta = 0.0;
    c->drum_rho = INFINITY;
    /* eqs. (D1, D3): the fast model's drum-skin solve of the same case */
    ns_ins *f = NULL;
    NS_TRY(ns_ins_create(in, &f));
    double delta = f->roller_delta, rho = f->T->R;
    /* the foundation pressure p_d = p_f(delta) of roller.c's eq. (D1) */
    double H = f->T->H_f, e = fmin(fmax(delta / H, 0.0), 0.999);
    double p_d = f->T->k0 * (delta * (1.0 + f->T->beta_f * e * e) +
                             H * e * e / ((1.0 - e) * (1.0 - e)));
    ns_ins_destroy(&f);
    c->drum_p = isfinite(p_d) && delta > 0.0 ? p_d : 0.0;
    c->drum_delta = isfinite(delta) && delta > 0.0 ? delta : 0.0;
    if (c->drum_delta > 0.0 && rho < R) c->drum_rho = rho;
    /* eq. (C18): first contact at the root of u(theta) = 0 (u(0) = L > 0) */
    double lo = 0.0, hi = 0.5 * M_PI;
    for (int k = 0; k < CONT_DRUM_BISECT && hi - lo > 1e-15; k++) {
        double th = 0.5 * (lo + hi);
        if (cont_drum_travel(c, th) > 0.0)
            lo = th;
        else
            hi = th;
    }
    c->roller_th = 0.5 * (lo + hi);
    c->t_load_end = c->roller_th * ap->drum_radius / ap->speed;
    /* eq. (C17): the drum face, fixed at the held surface, pre-pressed by p_d */
    cont_body *b = &s->body[2];
    b->active = c->drum_p > 0.0;
    b->follow = 0;
    b->offset = 0.0;
    b->shape = NS_CONT_FLAT;
    b->edge = c->h0;
    b->rho0 = 0.0; /* the face rises inside a_in: contact ends continuously */
    b->a_in = c->r_b + c->h0; /* from the needle's base, as the hub's bore */
    b->a = R; /* past the domain: no outer rim */
    b->rho1 = INFINITY;
    b->p_hold = c->drum_p;
    return NS_OK;
}
