/* The needle inside the tissue after puncture (models/continuum.h, eqs.
 * C7-C9): the tip-law resistance R(d) of the cut of reference depth d, its
 * distribution as tractions along the cut, and the cut depth from the
 * kinematic condition that the tip rides the crack front, u = d + u_z(0, d)
 * (eq. C9), by bracketed root finding around full solves of the body.
 *
 * Resistance (eq. C7; the laws of models/insertion.h P1-P3, applied here as
 * tractions on the continuum instead of on the sheet):
 *   F_front(d) = f_cw 2 r(d) G_c(layer at d)          cutting at the front
 *              + sum_k f_sp E*_k pi [r^2]_k           spreading of the crack
 *   F_fric(d)  = sum_k mu_k f_sp E*_k S_k             shaft friction
 * with r(s), S(s) the needle radius and lateral area at distance s from the
 * tip (models/needle.h) and [.]_k the part of the inserted length inside
 * layer k. Distribution (eq. C8): the cutting term on the grid rows
 * bracketing the front (split linearly) over the tip's section
 * r <= max(r_t, r_1), by tributary area; the spreading term along the rows
 * of the cut, each row's share the growth of the section pi r^2 across it;
 * F_fric along the rows of the cut, each row's share its lateral needle
 * area; both on the column nearest the needle radius at that row. During withdrawal only F_fric acts,
 * upward. */
#include <math.h>
#include <string.h>

#include "../needle.h"
#include "cont_internal.h"

#define CONT_CUT_NEWTON_TOL 1e-12 /* [-] Newton decrement / energy scale of one evaluation */
#define CONT_CUT_DTOL 1e-4        /* [-] tolerance of the cut depth / finest spacing h0 */
#define CONT_CUT_MAX_IT 60        /* [-] Illinois iterations */
#define CONT_CUT_LEAD 1.5         /* [-] bracket growth / lead of the tip over the front */
#define CONT_REL_MARGIN 0.2       /* [-] front-load bracket: margin below the predicted root */

/* Layer index at reference depth z. */
static int layer_at(const ns_cont *c, double z)
{
    int k = 0;
    while (k + 1 < c->nl && z >= c->ztop[k + 1]) k++;
    return k;
}

void cont_cut_resistance(const ns_cont *c, double d, double *F_front, double *F_fric)
{
    double Fcut, Fsp;
    cont_cut_parts(c, d, &Fcut, &Fsp, F_fric);
    *F_front = Fcut + Fsp;
}

void cont_cut_parts(const ns_cont *c, double d, double *F_cut, double *F_spread, double *F_fric)
{
    const ns_needle_params *nd = &c->p.needle;
    double rd = ns_needle_radius_at(nd, d);
    *F_cut = c->f_cw * 2.0 * rd * c->Gc[layer_at(c, d)];
    *F_spread = *F_fric = 0.0;
    for (int k = 0; k < c->nl; k++) {
        /* the needle from the tip (s = 0 at depth d) up: layer k holds s in [d - zb, d - zt] */
        double s_lo = fmax(d - c->ztop[k + 1], 0.0), s_hi = fmin(d - c->ztop[k], d);
        if (s_hi <= s_lo) continue;
        double r_lo = ns_needle_radius_at(nd, s_lo), r_hi = ns_needle_radius_at(nd, s_hi);
        *F_spread += c->p_sp[k] * M_PI * (r_hi * r_hi - r_lo * r_lo);
        *F_fric += c->mu[k] * c->p_sh[k] *
                   (ns_needle_shaft_area(nd, s_hi) - ns_needle_shaft_area(nd, s_lo));
    }
}

/* Add the axial load F to row j over the disk r <= r_l (at least the first
 * two columns: a load on fewer nodes is a ring or point load, whose
 * displacement grows without bound as the grid is refined), each node's
 * share its tributary area. The disk is the needle's section at that row:
 * the rigid needle hands its load to the tissue it displaces. */
static void disk_load(const cont_mesh *m, size_t j, double r_l, double F, double *f)
{
    double rl = fmax(r_l, m->r[1]) * (1.0 + 1e-12), A = 0.0;
    for (size_t i = 0; i < m->nr && m->r[i] <= rl; i++) A += cont_node_area(m, i);
    for (size_t i = 0; i < m->nr && m->r[i] <= rl; i++)
        f[2 * (j * m->nr + i) + 1] += F * cont_node_area(m, i) / A;
}

/* Nodal loads f (ndof) of the cut at depth d; sign +1 insertion (front and
 * friction push down), -1 withdrawal (friction only, times the stick-slip
 * factor q_fric of models/continuum.h eq. C12: from +1, still pushing down,
 * at the reversal to -1, sliding out, and the front's load times q_front
 * while the tip still presses on it). */
void cont_cut_loads(const ns_cont *c, double d, int sign, double *f)
{
    const cont_mesh *m = &c->s.m;
    const ns_needle_params *nd = &c->p.needle;
    memset(f, 0, m->ndof * sizeof(double));
    double Fcut, Fsp, Fr;
    cont_cut_parts(c, d, &Fcut, &Fsp, &Fr);
    double qf = sign > 0 ? 1.0 : c->q_front; /* eq. (C12): the tip pressing on the front */
    if (qf > 0.0) {
        Fcut *= qf;
        Fsp *= qf;
        /* cutting: on the two rows bracketing the front, over the tip's
         * section r <= max(r_t, r_1) */
        size_t j = 0;
        while (j + 2 < m->nz && m->z[j + 1] <= d) j++;
        double wj1 = fmin(fmax((d - m->z[j]) / (m->z[j + 1] - m->z[j]), 0.0), 1.0);
        disk_load(m, j, c->r_t, (1.0 - wj1) * Fcut, f);
        disk_load(m, j + 1, c->r_t, wj1 * Fcut, f);
        /* spreading: along the rows of the taper in the tissue, each row's
         * share the growth of the section pi r^2 across it, over the section */
        double r0 = ns_needle_radius_at(nd, 0.0), r2d = ns_needle_radius_at(nd, d);
        r2d = r2d * r2d - r0 * r0;
        for (size_t q = 0; q < m->nz && m->z[q] < d && r2d > 0.0; q++) {
            double lo = q == 0 ? 0.0 : 0.5 * (m->z[q - 1] + m->z[q]);
            double hi = fmin(q + 1 < m->nz ? 0.5 * (m->z[q] + m->z[q + 1]) : m->z[q], d);
            if (hi <= lo) continue;
            double ra = ns_needle_radius_at(nd, d - lo), rb = ns_needle_radius_at(nd, d - hi);
            double share = (ra * ra - rb * rb) / r2d;
            disk_load(m, q, ns_needle_radius_at(nd, d - 0.5 * (lo + hi)), Fsp * share, f);
        }
    }
    /* friction: rows above the front, share = lateral area of the row's depth interval */
    double q = sign > 0 ? 1.0 : c->q_fric;
    double S_tot = ns_needle_shaft_area(nd, d);
    if (!(S_tot > 0.0) || Fr == 0.0) return;
    for (size_t j = 0; j < m->nz && m->z[j] < d; j++) {
        double lo = j == 0 ? 0.0 : 0.5 * (m->z[j - 1] + m->z[j]);
        double hi = fmin(j + 1 < m->nz ? 0.5 * (m->z[j] + m->z[j + 1]) : m->z[j], d);
        if (hi <= lo) continue;
        double share = (ns_needle_shaft_area(nd, d - lo) - ns_needle_shaft_area(nd, d - hi)) / S_tot;
        disk_load(m, j, ns_needle_radius_at(nd, d - 0.5 * (lo + hi)), q * Fr * share, f);
    }
}

/* Axial displacement of the axis at reference depth z (linear between rows)
 * and its slope d u_z / dz there. */
double cont_axis_uz(const cont_mesh *m, const double *x, double z, double *slope)
{
    size_t j = 0;
    while (j + 2 < m->nz && m->z[j + 1] <= z) j++;
    double h = m->z[j + 1] - m->z[j], w = fmin(fmax((z - m->z[j]) / h, 0.0), 1.0);
    double u0 = x[2 * (j * m->nr) + 1], u1 = x[2 * ((j + 1) * m->nr) + 1];
    if (slope) *slope = (u1 - u0) / h;
    return (1.0 - w) * u0 + w * u1;
}

/* Residual of the kinematic condition (eq. C9) at cut depth d: the body
 * solved under the loads of the cut at d (a conservative load: Newton with
 * the energy line search), r(d) = u - d - u_z(0, d). Starts from x0. */
static ns_status cut_residual(ns_cont *c, double u, int sign, double d, const double *x0,
                              double *r)
{
    cont_sys *s = &c->s;
    memcpy(s->x, x0, s->m.ndof * sizeof(double));
    s->x[s->m.ufree] = u;
    cont_cut_loads(c, d, sign, s->fext);
    NS_TRY(cont_newton(s, CONT_CUT_NEWTON_TOL));
    *r = u - d - cont_axis_uz(&s->m, s->x, d, NULL);
    return NS_OK;
}

/* The unknown of an Illinois search of cut_illinois: the cut depth d (the
 * front load at its current c->q_front), or, when release is set, the front
 * load q at the fixed depth d (eq. C12). */
typedef struct {
    ns_cont *c;
    double u; /* [m] travel */
    int sign; /* +1 inserting, -1 withdrawing (the cut-depth search) */
    double d; /* [m] cut depth (release) */
    int release;
} cut_search;

static ns_status cut_search_residual(const cut_search *e, double x, double *r)
{
    if (!e->release) return cut_residual(e->c, e->u, e->sign, x, e->c->fa, r);
    e->c->q_front = x;
    return cut_residual(e->c, e->u, -1, e->d, e->c->fa, r);
}

/* The Illinois loop of cont_cut_solve and cont_cut_release on the bracket
 * [a, b] with r(a) = ra > 0 > rb = r(b) (r decreasing): the secant point,
 * the midpoint when it is not strictly inside, the value kept at an end
 * halved when the same end moves twice (models/rootfind.h). Stops at
 * |r| <= tol or b - a <= width, with *x the last point and *a, *b, *ra, *rb
 * the bracket; *x = NAN when CONT_CUT_MAX_IT evaluations did not stop it.
 * Each evaluation starts from c->fa, reset to s->x after it. */
static ns_status cut_illinois(const cut_search *e, double tol, double width, double *a,
                              double *b, double *ra, double *rb, double *x)
{
    cont_sys *s = &e->c->s;
    size_t n = s->m.ndof;
    int side = 0;
    *x = NAN;
    for (int it = 0; it < CONT_CUT_MAX_IT; it++) {
        double m = (*a * *rb - *b * *ra) / (*rb - *ra), rm;
        if (!(m > *a && m < *b)) m = 0.5 * (*a + *b);
        NS_TRY(cut_search_residual(e, m, &rm));
        memcpy(e->c->fa, s->x, n * sizeof(double));
        if (fabs(rm) <= tol || *b - *a <= width) {
            *x = m;
            return NS_OK;
        }
        if (rm > 0.0) {
            *a = m;
            *ra = rm;
            if (side == 1) *rb *= 0.5;
            side = 1;
        } else {
            *b = m;
            *rb = rm;
            if (side == -1) *ra *= 0.5;
            side = -1;
        }
    }
    return NS_OK;
}

/* Cut depth d in [d_lo, d_hi] with r(d) = 0 by the Illinois method on a
 * bracket (r decreases with d: a deeper cut carries more load, pushes the
 * front further down); r(d_lo) <= 0 means the tip does not reach the front
 * (d = d_lo: no cutting, or out of the hole when d_lo = 0), r(d_hi) >= 0
 * that the needle is in up to d_hi. The end that is the likelier answer is
 * evaluated first: d_lo while inserting (the front stays where it is
 * until the tip reaches it), d_hi while withdrawing (the tip stays in its
 * hole). Inserting past the front, the bracket is grown from d_lo in steps
 * of CONT_CUT_LEAD times the tip's lead r over the front (the front moves
 * about as far as the tip leads it), not set to the whole needle: a bracket
 * end near the root costs a solve of few Newton iterations and keeps the
 * Illinois iterations few. On return s->x and s->fext hold the state at d.
 * Exceptions: NS_ECONV. */
ns_status cont_cut_solve(ns_cont *c, double u, int sign, double d_lo, double d_hi, double *d)
{
    cont_sys *s = &c->s;
    size_t n = s->m.ndof;
    memcpy(c->fb, s->x, n * sizeof(double)); /* start field of every evaluation */
    double a = d_lo, b = d_hi, ra = 0.0, rb = 0.0, tol = CONT_CUT_DTOL * c->h0;
    if (sign < 0 && b > a) {
        NS_TRY(cut_residual(c, u, sign, b, c->fb, &rb));
        if (rb >= 0.0) { /* still in to d_hi */
            *d = b;
            return NS_OK;
        }
        memcpy(c->fa, s->x, n * sizeof(double));
        NS_TRY(cut_residual(c, u, sign, a, c->fa, &ra));
        if (ra <= 0.0) {
            *d = a;
            return NS_OK;
        }
    } else {
        NS_TRY(cut_residual(c, u, sign, a, c->fb, &ra));
        if (ra <= 0.0 || b <= a) {
            *d = a;
            return NS_OK;
        }
        double lead = ra;
        for (int it = 0;; it++) { /* grow the bracket from a */
            if (it >= CONT_CUT_MAX_IT)
                NS_FAIL(NS_ECONV,
                        "continuum: no bracket of the cut depth at travel %.4g m (front at %.4g m, "
                        "tip ahead by %.3g m)", u, a, lead);
            memcpy(c->fa, s->x, n * sizeof(double));
            b = fmin(a + CONT_CUT_LEAD * lead, d_hi);
            NS_TRY(cut_residual(c, u, sign, b, c->fa, &rb));
            if (rb < 0.0) break;
            if (b >= d_hi || rb <= tol) { /* in up to its full length, or the root itself */
                *d = b;
                return NS_OK;
            }
            a = b;
            ra = lead = rb;
        }
    }
    memcpy(c->fa, s->x, n * sizeof(double));
    cut_search e = {.c = c, .u = u, .sign = sign};
    NS_TRY(cut_illinois(&e, tol, tol, &a, &b, &ra, &rb, d));
    if (isfinite(*d)) return NS_OK;
    NS_FAIL(NS_ECONV, "continuum: cut depth not found at travel %.4g m (bracket %.4g-%.4g m)", u, a, b);
}

/* Withdrawal with the tip on the front (eq. C12): the cut stays at depth d,
 * the tip presses on its front with q F_front(d), q in [0, q_hi] from the
 * same kinematic condition r(q) = u - d - u_z(0, d) = 0 (r decreases with
 * q: more load pushes the front down). r(q_hi) >= 0: q = q_hi (q never
 * grows while withdrawing); r(0) <= 0: the tip has left the front, q = 0.
 * Illinois on the bracket otherwise. r is nearly linear in q, so the lower
 * end is first tried at the root that the slope dr/dq of the previous
 * withdrawal step predicts (less CONT_REL_MARGIN of the step in q), a solve
 * near the answer, and at q = 0 only when that point is still short of it.
 * On return s->x and s->fext hold the state at q. Exceptions: NS_ECONV. */
ns_status cont_cut_release(ns_cont *c, double u, double d, double q_hi, double *q)
{
    cont_sys *s = &c->s;
    size_t n = s->m.ndof;
    memcpy(c->fb, s->x, n * sizeof(double));
    double a = 0.0, b = q_hi, ra, rb, tol = CONT_CUT_DTOL * c->h0;
    c->q_front = b;
    NS_TRY(cut_residual(c, u, -1, d, c->fb, &rb));
    if (rb >= 0.0) {
        *q = b;
        return NS_OK;
    }
    memcpy(c->fa, s->x, n * sizeof(double));
    ra = -1.0;
    if (c->rel_slope < 0.0) { /* the predicted root, less a margin */
        double qp = b - rb / c->rel_slope;
        qp -= CONT_REL_MARGIN * (b - qp);
        if (qp > 0.0 && qp < b) {
            c->q_front = qp;
            NS_TRY(cut_residual(c, u, -1, d, c->fa, &ra));
            if (ra > 0.0) a = qp;
        }
    }
    if (!(ra > 0.0)) {
        memcpy(c->fa, s->x, n * sizeof(double));
        a = 0.0;
        c->q_front = a;
        NS_TRY(cut_residual(c, u, -1, d, c->fa, &ra));
        if (ra <= 0.0) {
            *q = a;
            return NS_OK;
        }
    }
    memcpy(c->fa, s->x, n * sizeof(double));
    cut_search e = {.c = c, .u = u, .d = d, .release = 1};
    NS_TRY(cut_illinois(&e, tol, 1e-9, &a, &b, &ra, &rb, q));
    if (isfinite(*q)) {
        c->rel_slope = (rb - ra) / (b - a);
        return NS_OK;
    }
    NS_FAIL(NS_ECONV,
            "continuum: tip load on the front not found at travel %.4g m (bracket %.4g-%.4g)", u, a,
            b);
}
