/* Tip laws of the insertion solver: the needle tables r(s), S(s), contact
 * before puncture (Hertz cap joined to a Sneddon cone), tissue resistance
 * after it (cutting, spreading, friction: eq. P1-P3 of models/insertion.h),
 * the elastic-plastic return map of the tip and the puncture event (P4). */
#include <float.h>
#include <math.h>

#include "../needle.h"
#include "../units.h"
#include "ins_private.h"

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

/* ---------------------------------------------------------------- local laws */

/* Tip contact law F(delta) (Hertz cap, Sneddon cone beyond), its slope and energy. */
double ins_contact_force(const ns_ins *s, double d, double *dF, double *U)
{
    if (d <= 0.0) {
        *dF = 0.0;
        *U = 0.0;
        return 0.0;
    }
    double E = s->Ec;
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
        double pk = s->f_sp * s->Es[k];
        double r2h, Sh, r2l, Sl;
        tab_interp2(s, s_hi, &r2h, &Sh);
        tab_interp2(s, s_lo, &r2l, &Sl);
        spr += pk * NS_PI * (r2h - r2l);
        fr += s->mu[k] * pk * (Sh - Sl);
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

/* Needle force as a function of the relative displacement x = u - w0, given
 * the plastic depth dp0 at the start of the step: elastic-plastic return map
 * (header: "Penetration"). Outputs the new plastic depth. Ff0 = resist_fw(s,
 * dp0) and Fb0 = ins_resist_back(s, dp0) (fixed during a step) are passed in
 * (unused before puncture). */
double ins_needle_force(const ns_ins *s, double x, double dp0, double Ff0, double Fb0,
                           double *dFdx, double *dp)
{
    if (!s->punctured) {
        double U;
        *dp = 0.0;
        return ins_contact_force(s, x, dFdx, &U);
    }
    double K = s->K_e;
    double Ftr = K * (x - dp0);
    double Ff = Ff0;
    if (Ftr > Ff) { /* forward cutting: K (x - d) = R(d), d in [dp0, min(x, L)] */
        double lo = dp0, hi = fmin(x, s->L);
        double flo = K * (x - lo) - Ff, fhi = K * (x - hi) - resist_fw(s, hi);
        if (fhi >= 0.0) {
            *dp = hi;
            *dFdx = K;
            return K * (x - hi);
        }
        int side = 0;
        double d = lo;
        for (int it = 0; it < 100 && hi - lo > 1e-13 * s->L; it++) {
            d = (lo * fhi - hi * flo) / (fhi - flo);
            if (!(d > lo && d < hi)) d = 0.5 * (lo + hi);
            double fd = K * (x - d) - resist_fw(s, d);
            if (fd > 0.0) {
                lo = d;
                flo = fd;
                if (side == 1) fhi *= 0.5;
                side = 1;
            } else {
                hi = d;
                fhi = fd;
                if (side == -1) flo *= 0.5;
                side = -1;
            }
        }
        d = 0.5 * (lo + hi);
        double eps = 1e-7 * s->L;
        double Rp = (resist_fw(s, d + eps) - resist_fw(s, fmax(d - eps, 0.0))) /
                    (d + eps - fmax(d - eps, 0.0));
        if (Rp < 0.0) Rp = 0.0;
        *dp = d;
        *dFdx = K * Rp / (K + Rp);
        return K * (x - d);
    }
    double Fb = Fb0;
    if (Ftr < -Fb) { /* backward slip: K (x - d) = -Rb(d), d in [0, dp0] */
        double lo = 0.0, hi = dp0;
        double flo = K * x + ins_resist_back(s, 0.0), fhi = K * (x - hi) + Fb;
        if (flo <= 0.0) { /* pulled out completely */
            *dp = 0.0;
            *dFdx = 0.0;
            return 0.0;
        }
        for (int it = 0; it < 100 && hi - lo > 1e-13 * s->L; it++) {
            double d = 0.5 * (lo + hi);
            double fd = K * (x - d) + ins_resist_back(s, d);
            if (fd > 0.0)
                lo = d;
            else
                hi = d;
            (void)flo;
            (void)fhi;
        }
        double d = 0.5 * (lo + hi);
        double eps = 1e-7 * s->L;
        double Rp = (ins_resist_back(s, d + eps) - ins_resist_back(s, fmax(d - eps, 0.0))) /
                    (d + eps - fmax(d - eps, 0.0));
        *dp = d;
        *dFdx = K * Rp / (K + fabs(Rp) + DBL_MIN);
        return K * (x - d);
    }
    *dp = dp0;
    *dFdx = K;
    return Ftr;
}

/* Puncture of the surface layer at state y1 (header eq. P4). The crack runs
 * through the surface layer at fixed u and w (the skin has mass, the event is
 * instantaneous), so the relative displacement x = u - w(0) is continuous;
 * it splits into the cut depth d and the elastic indentation x - d of the
 * post-puncture law, F = K_e (x - d). The tip energy U_b released by the
 * crack is the only energy available to the event, so
 *   F+ = min(F_eq, F_c, sqrt(2 K_e U_b)),   d = x - F+/K_e,
 * with F_eq the cutting equilibrium K_e (x - d) = R(d): the force never rises
 * at puncture (it drops to the cutting resistance, or stays at F_c when the
 * tissue already indented by the cone resists more than F_c), and the
 * elastic energy kept, F+^2/(2 K_e), never exceeds U_b, so the energy
 * dissipated by the event, U_b - F+^2/(2 K_e) >= 0, is a true fracture
 * energy. Without this bound a sharp cone that indents the surface deeply
 * before it breaks it (x >> F_c/K_e) was mapped to a state with several
 * times the tip energy and a force jump of 3 F_c, which creates energy and
 * hits the dynamic tent with a step load. */
void ins_do_puncture(ns_ins *s)
{
    ins_state *y = &s->y1;
    double x = y->u - y->w[0], dF, Ub;
    ins_contact_force(s, x, &dF, &Ub);
    s->res.punctured = 1;
    s->res.puncture_force = y->F;
    s->res.puncture_displacement = y->u;
    s->punctured = 1;
    double lo = 0.0, hi = fmin(fmax(x, 0.0), s->L);
    if (x - ins_resist(s, 0.0, NULL) / s->K_e > 0.0) {
        for (int it = 0; it < 200 && hi - lo > 1e-14 * s->L; it++) {
            double m = 0.5 * (lo + hi);
            if (m + ins_resist(s, m, NULL) / s->K_e < x)
                lo = m;
            else
                hi = m;
        }
    }
    double Fp = fmax(s->K_e * (x - lo), 0.0);
    Fp = fmin(Fp, fmin(y->F, sqrt(2.0 * s->K_e * fmax(Ub, 0.0))));
    y->dp = fmin(fmax(x - Fp / s->K_e, 0.0), s->L);
    y->F = s->K_e * (x - y->dp);
    s->d_cut = y->dp;
    s->E_frac += Ub - 0.5 * y->F * y->F / s->K_e;
}
