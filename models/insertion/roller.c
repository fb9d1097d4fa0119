/* Roller: the drum-skin contact under the hand force, solved before the
 * needle's path (models/insertion.h, "applicators").
 *
 * The drum (radius R_d, width W = 2 R_d: the usual dermaroller drum, 2 cm
 * wide at 1 cm radius; the procedure's drum_width is not an insertion input) is pressed into the
 * skin by the hand force F_h. On the foundation of the tent operator (the
 * sheet's bending and tension are small against the drum's contact width)
 * the skin under the drum follows its surface, w(x) = delta - x^2/(2 R_d)
 * for |x| <= a = sqrt(2 R_d delta), so
 *   F_h = W int_{-a}^{a} p_f(delta - x^2/(2 R_d)) dx,                    (D1)
 *   p_f(w) = k0 w (1 + beta_f w^2/H^2) + k0 H e^2/(1-e)^2,  e = w/H
 * (instantaneous foundation law with its lock-up, eq. F2; delta < H always).
 * delta is found by bisection on (0, H), the integral by Gauss-Legendre.
 * A needle at angle theta on the drum has its tip at depth
 * (R_d + L) cos(theta) - R_d below the drum's lowest point, and the skin at
 * its abscissa x = (R_d + L) sin(theta) lies delta - x^2/(2 R_d) below the
 * undeformed surface inside the contact (0 outside), so the travel into the
 * skin is
 *   u = (R_d + L) cos(theta) - R_d + min(delta, x^2/(2 R_d)),            (D2)
 * and contact starts at the root theta_c of u = 0 (cos(theta_c) =
 * (R_d - delta)/(R_d + L) when the needle meets the skin outside the drum
 * contact; a drum pressed in deeper than sqrt(L (2 R_d + L)) carries the
 * skin on the needle's whole arc, and the needle meets it inside the contact,
 * found by bisection). The path is oblique:
 * the needle enters at theta_c from the vertical (the bending load of the
 * oblique entry is tiplaw's fracture margin).
 * The drum holds the skin around each needle. Inside the contact the skin is
 * pressed onto the drum by the foundation pressure p_d = p_f(delta) (at the
 * drum's lowest point, where the needle reaches its full travel); where the
 * needle pulls the skin off the drum it must carry that pressure itself, so
 * the skin leaves the drum inside a radius rho with F >= p_d pi rho^2 (the
 * foundation reaction under the lifted skin is at least p_d). Up to the
 * puncture force F_c the lift-off radius is at most
 *   rho_c = sqrt(F_c / (pi p_d)),                                      (D3)
 * and the needle's tent is solved on r <= min(rho_c, R_free) with w = 0 at
 * its edge (the drum-wrapped surface), R_free = max(10 lambda, 50 R_b) the
 * free single-needle domain (models/insertion.h, "Boundary"). rho_c bounds
 * the lift-off radius from above and the edge is simply supported (no
 * moment) where the skin meets the drum tangentially, so the tent is at most
 * as stiff as the drum contact makes it: conservative for puncture. Without
 * hand force (delta -> 0) rho_c grows past R_free: the free skin. Before,
 * the tent was the free skin's even under the drum (R_free about 70 mm, the
 * skin 7.5 mm around the needle free to deflect although the drum pressed
 * it): a 1 mm roller needle tented 0.66 mm and did not puncture at 10 or
 * 30 N, and the hand force changed nothing. Not modelled: the foundation's
 * pre-compression by delta (its tangent stiffness under the drum is higher
 * than k0: the tent is softer than the skin under the drum).
 * Hand estimate (face, 2 cm drum, 192 needles, 10 N): on undeformed skin
 * 192 theta_c / pi = 12, 19, 26, 32 needles of 0.2, 0.5, 1, 1.5 mm touch it,
 * a share of 0.3-0.8 N each against a puncture force F_c = 84 mN (10 um
 * tip), so the force is not the limit; with 19 needles of 0.5 mm at F_c the
 * drum carries 8.4 N and sinks delta = 3.6 mm, p_d = 57 kPa, rho_c = 0.68 mm
 * (0.33 mm at 30 N); the held sheet's point-load stiffness 8 pi B / rho_c^2
 * + 2 pi N0 / ln(rho_c / R_b) = 3520 N/m (B = 6.4e-5 N m, N0 = 25 N/m) gives
 * a tent of 24 um at puncture (the solver: 24.2 um;
 * tests/verify/verify_insertion_roller.c). The home roller's tip
 * (70 um base) reaches 23 mN at an indentation x = 0.2 mm (F ~ x^2 on the
 * cone), so it needs x = 0.38 mm for F_c: such a needle punctures only if
 * L > 0.38 + 0.02 mm; the 0.5 mm and longer rollers do, and 0.2-0.3 mm
 * needles cannot at any hand force.
 *
 * The drum carries the hand force less what the needles in contact carry
 * before puncture, F = max(F_h - N_c F_c, 0) in (D1) (N_c of
 * ns_array_needles_in_contact, each needle at most at F_c): at a light touch
 * (F_h <= N_c F_c) the needles hold the drum off the skin, delta = 0 and the
 * skin is free. Validity: an upper bound on the needles' share (the needles
 * at the ends of the arc carry less than F_c, a punctured one its cutting
 * resistance); quasi-static drum (rolling speed small against the skin's
 * wave speed); the skin outside the contact is not lowered; vertical depth
 * u; the parabolic drum and the vertical foundation pressure of (D1) need a
 * contact half-width a = sqrt(2 R_d delta) small against R_d, which a hand
 * force of 10 N on the face exceeds (a = 0.85 R_d: delta is approximate). */
#include <math.h>

#include "../rootfind.h"
#include "../units.h"
#include "ins_private.h"

#define NS_ROLLER_GAUSS 16 /* [-] Gauss-Legendre points of eq. (D1) */
#define NS_ROLLER_BISECT 100 /* [-] bisection steps for delta */
#define NS_ROLLER_WIDTH_FACTOR 2.0 /* [-] drum width / drum radius */
#define NS_ROLLER_TENT_MIN 4.0 /* [-] smallest tent radius rho_c / R_b (the grid resolves the
                                  needle base: first spacing R_b / 2) */

/* The foundation under the drum: k0 [N/m^3], stiffening beta_f [-], thickness H [m]. */
typedef struct {
    double k0, beta_f, H;
} drum_foundation;

/* Foundation pressure p_f(w) [Pa] (instantaneous law with lock-up). */
static double foundation_pressure(const drum_foundation *T, double w)
{
    double e = w / T->H, ep = fmax(e, 0.0);
    return T->k0 * (w * (1.0 + T->beta_f * e * e) + T->H * ep * ep / ((1.0 - ep) * (1.0 - ep)));
}

/* Drum force [N] at sinking delta, eq. (D1) (symmetric: twice the half). */
static double drum_force(const drum_foundation *T, double Rd, double W, double delta)
{
    static const double xg[8] = {0.0950125098376374, 0.2816035507792589, 0.4580167776572274,
                                 0.6178762444026438, 0.7554044083550030, 0.8656312023878318,
                                 0.9445750230732326, 0.9894009349916499};
    static const double wg[8] = {0.1894506104550685, 0.1826034150449236, 0.1691565193950025,
                                 0.1495959888165767, 0.1246289712555339, 0.0951585116824928,
                                 0.0622535239386479, 0.0271524594117541};
    double a = sqrt(2.0 * Rd * delta), sum = 0.0;
    for (int j = 0; j < NS_ROLLER_GAUSS / 2; j++)
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            double x = 0.5 * a * (1.0 + sgn * xg[j]); /* on [0, a] */
            sum += wg[j] * foundation_pressure(T, delta - x * x / (2.0 * Rd));
        }
    return 2.0 * W * 0.5 * a * sum;
}

/* f(delta) = F - F_drum(delta) of eq. (D1): > 0 while the drum sinks too little. */
typedef struct {
    const drum_foundation *T;
    double Rd, W, F;
} drum_eq;

static int drum_residual(double delta, void *params, double *fx)
{
    const drum_eq *q = params;
    *fx = q->F - drum_force(q->T, q->Rd, q->W, delta);
    return 0;
}

/* u(theta) of eq. (D2): the needle tip's height above the sunk surface. */
static int tip_height(double th, void *params, double *fx)
{
    const ns_ins *s = params;
    double dummy;
    *fx = (s->roller_Rd + s->L) * cos(th) - s->roller_Rd + ins_roller_offset(s, th, 0.0, &dummy);
    return 0;
}

ns_status ins_roller_drum(ns_ins *s, double k0, double beta_f, double H_f, double *R_tent)
{
    const ns_applicator_params *ap = &s->p.applicator;
    /* the drum carries what the needles in contact do not, at most F_c each */
    double Rd = ap->drum_radius, F = fmax(ap->force - s->N_needles * s->F_c, 0.0);
    double W = NS_ROLLER_WIDTH_FACTOR * Rd;
    drum_foundation fd = {k0, beta_f, H_f};
    double delta = 0.0;
    if (isfinite(F) && F > 0.0) {
        drum_eq q = {&fd, Rd, W, F};
        ns_root_bracket b = {.lo = 0.0, .hi = H_f};
        NS_TRY(ns_root_solve(NS_ROOT_BISECTION, drum_residual, &q, 1e-12 * H_f, NS_ROLLER_BISECT,
                             &b));
        delta = 0.5 * (b.lo + b.hi);
    }
    s->roller_delta = fmin(delta, 0.99 * Rd);
    s->roller_Rd = Rd;
    /* eq. (D3): the skin stays on the drum beyond rho_c */
    double p_d = foundation_pressure(&fd, s->roller_delta);
    double rho = p_d > 0.0 ? sqrt(s->F_c / (NS_PI * p_d)) : (double)INFINITY;
    if (rho < *R_tent) *R_tent = fmax(rho, NS_ROLLER_TENT_MIN * s->r_b);
    return NS_OK;
}

ns_status ins_roller_init(ns_ins *s)
{
    const ns_applicator_params *ap = &s->p.applicator;
    /* delta and the tent radius: ins_roller_drum, called by the tent set-up */
    /* eq. (D2): contact from the root theta_c of u(theta) = 0 on (0, pi/2)
     * (u(0) = L > 0, u(pi/2) < 0; u > 0 up to its maximum, then falls) */
    ns_root_bracket b = {.lo = 0.0, .hi = 0.5 * NS_PI};
    NS_TRY(ns_root_solve(NS_ROOT_BISECTION, tip_height, s, 1e-14, NS_ROLLER_BISECT, &b));
    s->roller_th = 0.5 * (b.lo + b.hi);
    s->roller_T = 2.0 * s->roller_th * s->roller_Rd / ap->speed;
    s->t_load_end = 0.5 * s->roller_T;
    return NS_OK;
}

double ins_roller_offset(const ns_ins *s, double th, double thd, double *doff)
{
    double Rd = s->roller_Rd, Rt = Rd + s->L;
    double x = Rt * sin(th), q = x * x / (2.0 * Rd);
    if (q >= s->roller_delta) {
        *doff = 0.0;
        return s->roller_delta;
    }
    *doff = x / Rd * Rt * cos(th) * thd;
    return q;
}
