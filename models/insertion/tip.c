/* Tip laws of the insertion solver: the needle tables r(s), S(s), contact
 * before puncture (Hertz cap joined to a Sneddon cone), tissue resistance
 * after it (cutting, spreading, friction: eq. P1-P3 of models/insertion.h),
 * the elastic-plastic return map of the tip and the puncture event (P4). */
#include <float.h>
#include <math.h>

#include "../needle.h"
#include "../rootfind.h"
#include "../units.h"
#include "ins_private.h"
#include "tiplaw.h"

/* ---------------------------------------------------------------- tables */

/* Needle geometry seen by the tip laws: length, tip and base radius, the
 * r(s), S(s) tables on a quadratic spacing (fine at the tip) and the
 * Hertz-to-cone junction of the contact law. Needs s->Ec. */
void ins_tip_init(ns_ins *s, const ns_needle_params *nd)
{
    s->L = nd->length;
    s->r_t = nd->tip_radius;
    s->r_b = ns_needle_base_radius(nd);
    for (size_t j = 0; j < NS_INS_TAB; j++) {
        double xi = (double)j / (double)(NS_INS_TAB - 1);
        s->s_tab[j] = s->L * xi * xi;
        double r = ns_needle_radius_at(nd, s->s_tab[j]);
        s->r2_tab[j] = r * r;
        s->S_tab[j] = ns_needle_shaft_area(nd, s->s_tab[j]);
    }
    s->cut_x = NAN; /* no cut-depth root yet (warm start of tip_root) */
    s->cut_d = 0.0;
    s->cut_fwd = 1;
    s->cut_k = 1.0;
    if (nd->shape == NS_SHAPE_CYLINDRICAL) {
        /* flat punch: Boussinesq F = 2 E* R_b delta from first contact (T4) */
        s->tan_a = 1.0;
        s->a_t = s->r_b;
        s->d_t = s->F_t = s->U_t = s->d0 = 0.0;
        s->d_b = s->F_b = s->U_b = 0.0;
        return;
    }
    {
        double sc = fmin(s->r_t, 0.25 * s->L);
        s->tan_a = (ns_needle_radius_at(nd, 2.0 * sc) - ns_needle_radius_at(nd, sc)) / sc;
        if (!(s->tan_a > 1e-3)) s->tan_a = 1e-3;
    }
    double cos_a = 1.0 / sqrt(1.0 + s->tan_a * s->tan_a);
    s->a_t = s->r_t * cos_a;
    s->d_t = s->a_t * s->a_t / s->r_t;
    s->F_t = (4.0 / 3.0) * s->Ec * sqrt(s->r_t) * pow(s->d_t, 1.5);
    s->U_t = (8.0 / 15.0) * s->Ec * sqrt(s->r_t) * pow(s->d_t, 2.5);
    s->d0 = s->d_t - NS_PI * s->a_t / (2.0 * s->tan_a);
    /* contact radius a = (2/pi) tan(a) (d - d0) of the cone reaches R_b */
    double c = (2.0 / NS_PI) * s->Ec * s->tan_a;
    s->d_b = fmax(s->d0 + 0.5 * NS_PI * s->r_b / s->tan_a, s->d_t);
    double e = s->d_b - s->d0, et = s->d_t - s->d0;
    s->F_b = s->F_t + c * (e * e - et * et);
    s->U_b = s->U_t + s->F_t * (s->d_b - s->d_t) +
             c * ((e * e * e - et * et * et) / 3.0 - et * et * (s->d_b - s->d_t));
}

/* Tip laws T1-T3 (tiplaw.h) for this needle, skin and applicator: puncture
 * force, spreading and shaft pressures per layer. Needs the layers, the
 * calibration (f_sp) and the drive (speed, phase speed). */
void ins_tiplaw_init(ns_ins *s, const ns_needle_params *nd)
{
    const ns_insertion_calib *cb = &s->p.insertion;
    const ns_skin_params *sk = &s->p.skin;
    double tip_length = fmin(ns_needle_tip_length(nd), s->L);
    double V = ins_phase_speed(s);
    double lv = fmax(tip_length, 2.0 * s->r_t);
    s->F_c = ns_tip_case_puncture_force(nd, &sk->layer[0], cb, V);
    for (int k = 0; k < s->nl; k++) {
        const ns_layer *ly = &sk->layer[k];
        ns_tip_tissue m = {s->Es[k], s->Gc[k], ly->relaxation_fraction, ly->relaxation_time};
        s->p_sp[k] = s->f_sp * s->Es[k] * ns_tip_relax_factor(&m, lv / V);
        double f_k = ns_tip_slit_factor(&m, cb->shaft_pressure_factor, s->r_b);
        s->p_sh[k] = ns_tip_shaft_pressure(&m, f_k, s->L / V);
    }
}

static double tab_interp(const ns_ins *s, const double *y, double x)
{
    if (x <= 0.0) return y[0];
    if (x >= s->L) return y[NS_INS_TAB - 1] + (y == s->S_tab ? 2.0 * NS_PI * s->r_b * (x - s->L) : 0.0);
    double q = sqrt(x / s->L) * (double)(NS_INS_TAB - 1);
    size_t j = (size_t)q;
    if (j >= NS_INS_TAB - 1) j = NS_INS_TAB - 2;
    double th = (x - s->s_tab[j]) / (s->s_tab[j + 1] - s->s_tab[j]);
    return y[j] + th * (y[j + 1] - y[j]);
}

/* Both tables at x (one table lookup): the values of tab_interp(s, s->r2_tab,
 * x) and tab_interp(s, s->S_tab, x), computed by the same operations. */
static void tab_interp2(const ns_ins *s, double x, double *r2, double *S)
{
    if (x <= 0.0) {
        *r2 = s->r2_tab[0];
        *S = s->S_tab[0];
        return;
    }
    if (x >= s->L) {
        *r2 = s->r2_tab[NS_INS_TAB - 1];
        *S = s->S_tab[NS_INS_TAB - 1] + 2.0 * NS_PI * s->r_b * (x - s->L);
        return;
    }
    double q = sqrt(x / s->L) * (double)(NS_INS_TAB - 1);
    size_t j = (size_t)q;
    if (j >= NS_INS_TAB - 1) j = NS_INS_TAB - 2;
    double th = (x - s->s_tab[j]) / (s->s_tab[j + 1] - s->s_tab[j]);
    *r2 = s->r2_tab[j] + th * (s->r2_tab[j + 1] - s->r2_tab[j]);
    *S = s->S_tab[j] + th * (s->S_tab[j + 1] - s->S_tab[j]);
}

void ins_tab_lookup(const ns_ins *s, double x, double *r2, double *S) { tab_interp2(s, x, r2, S); }

/* ---------------------------------------------------------------- local laws */

/* Tip contact law F(delta) (Hertz cap, Sneddon cone beyond, flat punch of
 * the base radius once the contact radius reaches R_b: T4), its slope and
 * energy. */
double ins_contact_force(const ns_ins *s, double d, double *dF, double *U)
{
    if (d <= 0.0) {
        *dF = 0.0;
        *U = 0.0;
        return 0.0;
    }
    double E = s->Ec;
    if (d >= s->d_b) { /* contact radius at R_b: flat punch of the base */
        double e = d - s->d_b;
        *dF = s->K_e;
        *U = s->U_b + s->F_b * e + 0.5 * s->K_e * e * e;
        return s->F_b + s->K_e * e;
    }
    if (d <= s->d_t) {
        double sq = sqrt(s->r_t * d);
        *dF = 2.0 * E * sq;
        *U = (8.0 / 15.0) * E * sq * d * d;
        return (4.0 / 3.0) * E * sq * d;
    }
    double c = (2.0 / NS_PI) * E * s->tan_a, e = d - s->d0, et = s->d_t - s->d0;
    *dF = 2.0 * c * e;
    *U = s->U_t + s->F_t * (d - s->d_t) + c * ((e * e * e - et * et * et) / 3.0 - et * et * (d - s->d_t));
    return s->F_t + c * (e * e - et * et);
}

int ins_layer_at(const ns_ins *s, double z)
{
    int k = 0;
    while (k + 1 < s->nl && z >= s->ztop[k + 1]) k++;
    return k;
}

/* Tissue resistance while the tip at depth d advances: cutting, spreading,
 * friction (eq. P1-P3 of the header). Components returned through c3. */
double ins_resist(const ns_ins *s, double d, double c3[3])
{
    int kl = ins_layer_at(s, d);
    double rd = sqrt(tab_interp(s, s->r2_tab, d));
    double cut = s->f_cw * 2.0 * rd * s->Gc[kl];
    double spr = 0.0, fr = 0.0;
    for (int k = 0; k <= kl; k++) {
        double zlo = s->ztop[k], zhi = (k + 1 < s->nl) ? fmin(s->ztop[k + 1], d) : d;
        if (zhi <= zlo) continue;
        double s_hi = d - zlo, s_lo = d - zhi;
        double r2h, Sh, r2l, Sl;
        tab_interp2(s, s_hi, &r2h, &Sh);
        tab_interp2(s, s_lo, &r2l, &Sl);
        spr += s->p_sp[k] * NS_PI * (r2h - r2l);
        fr += s->mu[k] * s->p_sh[k] * (Sh - Sl);
    }
    if (c3) {
        c3[0] = cut;
        c3[1] = spr;
        c3[2] = fr;
    }
    return cut + spr + fr;
}

/* Forward resistance with the crack front at d_cut: behind the front the
 * hole is already cut, so a tip that slid back (skin rebound in an impact,
 * or a pen/roller re-entry) advances against spreading and friction only,
 * and cuts again from d_cut on. */
static double resist_fw(const ns_ins *s, double d)
{
    double c3[3];
    double R = ins_resist(s, d, c3);
    return d < s->d_cut ? R - c3[0] : R;
}

double ins_resist_back(const ns_ins *s, double d)
{
    double c3[3];
    ins_resist(s, d, c3);
    return c3[2];
}

/* Elastic tip law T4 after puncture at elastic indentation e = x - d: the
 * contact law ahead of the crack front (e >= 0), the flat-punch stiffness of
 * the shaft when the tip is pulled back (e < 0). Slope and energy out. */
static double tip_elastic(const ns_ins *s, double e, double *dF, double *U)
{
    if (e >= 0.0) return ins_contact_force(s, e, dF, U);
    *dF = s->K_e;
    *U = 0.5 * s->K_e * e * e;
    return s->K_e * e;
}

/* Energy stored in the tip at relative displacement x and cut depth dp. */
double ins_tip_energy(const ns_ins *s, double x, double dp)
{
    double dF, U;
    /* no contact, no energy: before puncture at x <= 0, and after it with
     * the tip out of its hole (dp = 0) and behind the surface, where
     * ins_needle_force gives F = 0 (the flat-punch spring of T4 holds a tip
     * only while it is in its hole, dp > 0) */
    if (x <= 0.0 && (!s->punctured || dp <= 0.0)) return 0.0;
    tip_elastic(s, s->punctured ? x - dp : x, &dF, &U);
    return U;
}

/* Energy the tip dissipates in the step c -> y after puncture (cutting,
 * spreading, friction): the trapezoidal work of the needle force over the
 * relative displacement x = u - w(0) less the change of the elastic tip
 * energy of T4. Exact complement of the trapezoidal work for the tip; 0 for
 * a purely elastic step (no change of the cut depth). */
double ins_tip_dissipation(const ns_ins *s, const ins_state *c, const ins_state *y)
{
    if (y->dp == c->dp) return 0.0;
    double x0 = c->u - c->w[0], x1 = y->u - y->w[0];
    return 0.5 * (c->F + y->F) * (x1 - x0) -
           (ins_tip_energy(s, x1, y->dp) - ins_tip_energy(s, x0, c->dp));
}

/* f(d) = F_el(x - d) - sgn R(d) (R = resist_fw forward, -ins_resist_back
 * backward): the residual of the cut depth d. */
typedef struct {
    const ns_ins *s;
    double x;
    int fwd;
} cut_eq;

static int cut_residual(double d, void *params, double *fx)
{
    const cut_eq *q = params;
    double dF, U;
    *fx = tip_elastic(q->s, q->x - d, &dF, &U) -
          (q->fwd ? resist_fw(q->s, d) : -ins_resist_back(q->s, d));
    return 0;
}

/* Root d in [lo, hi] of the cut residual, f(lo) > 0 >= f(hi), by Illinois
 * iteration to NS_TIP_ROOT_TOL L in at most 100 iterations
 * (models/rootfind.h). The resistance R jumps at a layer interface; a root
 * there is the interface itself, and Illinois closes in on a jump slowly (100
 * iterations leave a bracket of 1e-16 to 2e-12 m in the main job): a capped
 * bracket narrower than NS_TIP_ROOT_JUMP L (1 nm for a 1 mm needle, far below
 * any depth the model or a measurement resolves) is that root. A wider one is
 * a failure: NaN, and the Newton step that asked fails with the root finder's
 * message (ins_step_solve).
 *
 * Warm start (numerics.ins_cut_warm_start = 1, the default): the Newton
 * iterations of a step ask for the root at an x close to the x_w of the last
 * root d_w solved in the same direction (kept in s->cut_x, cut_d, cut_k).
 * Forward, the root moves with x at the rate k = dd/dx = K_t/(K_t + R') in
 * [0, 1] (R' >= 0 within a layer), so it lies within |x - x_w| of d_w and
 * close to the prediction d_w + k_w (x - x_w). Tried in turn, each cut to
 * [lo, hi] and used when the residual changes sign across it (two
 * evaluations, as for the full bracket):
 *   1. the prediction -+ NS_TIP_WARM_PRED |x - x_w|,
 *   2. d_w -+ |x - x_w|,
 * both widened by NS_TIP_WARM_SLACK L; then the secant root of that bracket
 * -+ 0.45 NS_TIP_ROOT_TOL L is tried (two evaluations: a hit is the root to
 * the tolerance; a miss still narrows the bracket). Without a sign change (a
 * layer interface in between, a backward slip, whose rate can exceed 1, the
 * first root of a run) the full bracket [lo, hi] is solved as before. Every
 * path returns a root of the same equation in [lo, hi] to the same
 * tolerance: the warm start moves results by about that tolerance. In the
 * default press case it halves the residual evaluations per root (14.7 to
 * 7.2; tests/bench/bench_insertion.c). */
#define NS_TIP_ROOT_TOL 1e-13   /* [-] bracket width of a converged cut depth / L */
#define NS_TIP_ROOT_JUMP 1e-6   /* [-] bracket / L accepted at the iteration cap */
#define NS_TIP_WARM_PRED 0.05   /* [-] half-width of the predicted bracket / |x - x_w| */
#define NS_TIP_WARM_SLACK 1e-11 /* [-] widening of the warm brackets / L (100 tolerances) */

/* The bracket [a, c] cut to [lo, hi] if the residual changes sign across it
 * (f(a) > 0 >= f(c)): 1 and *b set, else 0. */
static int try_bracket(cut_eq *q, double a, double c, double lo, double hi, ns_root_bracket *b)
{
    a = fmax(a, lo);
    c = fmin(c, hi);
    if (!(a < c)) return 0;
    double fa, fc;
    cut_residual(a, q, &fa);
    cut_residual(c, q, &fc);
    if (!(fa > 0.0) || fc > 0.0) return 0;
    *b = (ns_root_bracket){.lo = a, .hi = c, .flo = fa, .fhi = fc};
    return 1;
}

static double tip_root(ns_ins *s, double x, double lo, double hi, int fwd)
{
    if (!(lo < hi)) return 0.5 * (lo + hi);
    cut_eq q = {s, x, fwd};
    ns_root_bracket b = {.lo = lo, .hi = hi};
    int warm = 0;
    if (s->p.numerics.ins_cut_warm_start && s->cut_fwd == fwd && isfinite(s->cut_x)) {
        double dx = x - s->cut_x, sl = NS_TIP_WARM_SLACK * s->L;
        double dpred = s->cut_d + s->cut_k * dx, rp = NS_TIP_WARM_PRED * fabs(dx) + sl;
        double rw = fabs(dx) + sl;
        warm = try_bracket(&q, dpred - rp, dpred + rp, lo, hi, &b) ||
               try_bracket(&q, s->cut_d - rw, s->cut_d + rw, lo, hi, &b);
    }
    if (warm) {
        double m = b.lo - b.flo * (b.hi - b.lo) / (b.fhi - b.flo), e = 0.45 * NS_TIP_ROOT_TOL * s->L;
        double a = m - e, c = m + e;
        if (a > b.lo && c < b.hi) {
            double fa, fc;
            cut_residual(a, &q, &fa);
            cut_residual(c, &q, &fc);
            if (!(fa > 0.0)) {
                b.hi = a;
                b.fhi = fa;
            } else if (fc > 0.0) {
                b.lo = c;
                b.flo = fc;
            } else {
                b = (ns_root_bracket){.lo = a, .hi = c, .flo = fa, .fhi = fc};
            }
        }
    } else {
        b = (ns_root_bracket){.lo = lo, .hi = hi};
        cut_residual(lo, &q, &b.flo);
        cut_residual(hi, &q, &b.fhi);
    }
    ns_status st = ns_root_solve(NS_ROOT_ILLINOIS, cut_residual, &q, NS_TIP_ROOT_TOL * s->L, 100, &b);
    if (st == NS_ECONV && b.hi - b.lo <= NS_TIP_ROOT_JUMP * s->L) {
        ns_status_clear(); /* the interface: converged, nothing to report */
        st = NS_OK;
    }
    if (st != NS_OK) {
        s->cut_x = NAN;
        return (double)NAN;
    }
    double d = 0.5 * (b.lo + b.hi);
    s->cut_x = x;
    s->cut_d = d;
    s->cut_fwd = fwd;
    return d;
}

/* Needle force as a function of the relative displacement x = u - w0, given
 * the plastic depth dp0 at the start of the step: elastic-plastic return map
 * with the elastic tip law T4 (header: "Penetration"). Outputs the new
 * plastic depth. Ff0 = resist_fw(s, dp0) and Fb0 = ins_resist_back(s, dp0)
 * (fixed during a step) are passed in (unused before puncture). */
double ins_needle_force(ns_ins *s, double x, double dp0, double Ff0, double Fb0,
                        double *dFdx, double *dp)
{
    double U;
    if (!s->punctured) {
        *dp = 0.0;
        return ins_contact_force(s, x, dFdx, &U);
    }
    double Kt;
    double Ftr = tip_elastic(s, x - dp0, &Kt, &U);
    double eps = 1e-7 * s->L;
    if (Ftr > Ff0) { /* forward cutting: F_el(x - d) = R(d), d in [dp0, min(x, L)] */
        double hi = fmin(fmin(x, s->L), s->ztop[s->nl]); /* no cut below the stack */
        double Fh = tip_elastic(s, x - hi, &Kt, &U);
        if (Fh - resist_fw(s, hi) >= 0.0) {
            *dp = hi;
            *dFdx = Kt;
            return Fh;
        }
        double d = tip_root(s, x, dp0, hi, 1);
        double Rp = (resist_fw(s, d + eps) - resist_fw(s, fmax(d - eps, 0.0))) /
                    (d + eps - fmax(d - eps, 0.0));
        if (Rp < 0.0) Rp = 0.0;
        double F = tip_elastic(s, x - d, &Kt, &U);
        s->cut_k = Kt / (Kt + Rp + DBL_MIN);
        *dp = d;
        *dFdx = Kt * Rp / (Kt + Rp + DBL_MIN);
        return F;
    }
    if (Ftr < -Fb0) { /* backward slip: K_e (x - d) = -Rb(d), d in [0, dp0] */
        if (tip_elastic(s, x, &Kt, &U) + ins_resist_back(s, 0.0) <= 0.0) { /* pulled out */
            *dp = 0.0;
            *dFdx = 0.0;
            return 0.0;
        }
        double d = tip_root(s, x, 0.0, dp0, 0);
        double Rp = (ins_resist_back(s, d + eps) - ins_resist_back(s, fmax(d - eps, 0.0))) /
                    (d + eps - fmax(d - eps, 0.0));
        double F = tip_elastic(s, x - d, &Kt, &U);
        *dp = d;
        *dFdx = Kt * Rp / (Kt + fabs(Rp) + DBL_MIN);
        return F;
    }
    *dp = dp0;
    *dFdx = Kt;
    return Ftr;
}

/* Puncture of the surface layer at state y1. The crack runs through the
 * surface layer at fixed u and w (the skin has mass, the event is
 * instantaneous), so the relative displacement x = u - w(0) is continuous.
 * Before puncture the cut depth is locked at 0 and F = C(x), the contact law;
 * at F_c the surface breaks and the tip cuts ahead at fixed x until the
 * elastic tip law T4 balances the cutting resistance,
 *   C(x - d) = R(d)    (the dimple springs back by d into the cut),
 * so the force drops from F_c to R(d) < F_c (the drop of measured puncture
 * curves) and the elastic energy kept, U_C(x - d) < U_C(x) = U_b, leaves
 * U_b - U_C(x - d) >= 0 as fracture energy. (Before, the post-puncture law
 * was a linear spring K_e = 2 E* R_b unrelated to C: the tip was placed at
 * d = x - F_c/K_e, the pre-puncture dimple minus a fixed elastic share, which
 * for every 10 um tip of base radius 125 um was 143.028 um whatever the
 * needle, skin or applicator, and deeper than the cutting equilibrium.) */
void ins_do_puncture(ns_ins *s)
{
    ins_state *y = &s->y1;
    double x = y->u - y->w[0], dF, Ub;
    ins_contact_force(s, x, &dF, &Ub);
    s->res.punctured = 1;
    s->res.puncture_force = y->F;
    s->res.puncture_displacement = y->u;
    s->punctured = 1;
    double hi = fmin(fmin(fmax(x, 0.0), s->L), s->ztop[s->nl]), d = 0.0, U; /* stack bottom */
    if (hi > 0.0 && ins_contact_force(s, x, &dF, &U) > ins_resist(s, 0.0, NULL)) {
        if (tip_elastic(s, x - hi, &dF, &U) >= ins_resist(s, hi, NULL))
            d = hi;
        else
            d = tip_root(s, x, 0.0, hi, 1);
    }
    y->dp = d;
    y->F = tip_elastic(s, x - d, &dF, &U);
    y->dFdx = dF;
    s->d_cut = y->dp;
    s->E_frac += Ub - U;
}
