/* Insertion mechanics solver: tip contact, puncture, cutting penetration,
 * applicator kinematics, variable-step BDF2 with Newton and event location.
 * Equations, symbols and validity: models/insertion.h. */
#include "insertion.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sf_bessel.h>

#include "insertion_tent.h"
#include "needle.h"
#include "skin.h"
#include "units.h"

/* Calibrated defaults of the constants selected by a calibration field that is
 * 0 or NaN (fit: tests/data/insertion_calibration.md). */
#define NS_INS_DEF_PUNCTURE_FACTOR 60.0
#define NS_INS_DEF_BLUNT_PRESSURE 40.0
#define NS_INS_DEF_WITHDRAW_SPEED 1.0e-3
#define NS_INS_DEF_FOUNDATION_STIFFENING 50.0
#define NS_INS_PLATE_RADIUS_FACTOR 10.0 /* single needle: hub radius / base radius */
#define NS_INS_DEF_CRACK_WIDTH 0.35 /* fit: tests/data/insertion_calibration.md */
#define NS_INS_DEF_SPREADING 1.0
#define NS_INS_TAB 512      /* points of the r(s), S(s) tables */
#define NS_INS_MAX_EVENT_IT 30
#define NS_INS_HIST0 256

#define NS_CHECK_GOTO_(cond, ...)                                                   \
    do {                                                                           \
        if (!(cond)) {                                                             \
            st = ns_status_set(NS_EINVAL, __FILE__, __LINE__, __func__, __VA_ARGS__); \
            goto fail;                                                             \
        }                                                                          \
    } while (0)

enum { PH_LOAD = 0, PH_HOLD, PH_UNLOAD, PH_END };
enum { EV_PUNCTURE = 0, EV_LAYER, EV_PLATE, EV_CAP, EV_STOP, EV_STROKE, EV_COUNT };

typedef struct {
    double t;
    double *w, *v, *a, *hm; /* [m] [m/s] [m/s^2] [Pa] per unknown node */
    double u, ud, ua;       /* needle travel, velocity, acceleration */
    double dp;              /* [m] plastic (cut) tip depth in tissue */
    double F, Fpl;          /* [N] needle force, plate force on the cell */
    double dFdx;
} ins_state;

struct ns_ins {
    ns_params p;
    ns_tent *T;
    size_t nu;
    int nl;                     /* layers */
    double ztop[NS_LAYER_MAX + 1];
    double Gc[NS_LAYER_MAX], mu[NS_LAYER_MAX], Es[NS_LAYER_MAX];
    double L, r_t, r_b, tan_a;
    size_t plate0, n_plate; /* nodes [plate0, n_plate) under the base plate (r in [R_b, R_p]) */
    double Ec;                  /* [Pa] contact modulus E* of the surface layer */
    double a_t, d_t, F_t, U_t, d0;
    double F_c, K_e, kp, m_a, N_needles, f_cw, f_sp;
    double d_cut; /* [m] deepest cut so far: the crack front (accepted steps) */
    double V, Vw, t_load_end, F_cap, roller_T, roller_th, roller_Rd;
    double len_scale;
    double s_tab[NS_INS_TAB], r2_tab[NS_INS_TAB], S_tab[NS_INS_TAB];
    /* time stepping */
    ins_state y0, y1, y2; /* previous, current, trial */
    double *work, *f;
    double *bw, *bv, *bh; /* BDF2 history terms of w, v, h during a step (in work) */
    double h_prev, fixed_dt;
    int phase, punctured, out, plate_contact, dynamic;
    double phase_t0, phase_t1, u_hold;
    /* history */
    size_t hn, hcap;
    double *ht, *hu, *hF, *hd;
    /* energy */
    double W_in, E_visc, E_frac, E_spread, E_fric, W_insert;
    ns_ins_result res;
};

/* ---------------------------------------------------------------- tables */

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
static double contact_force(const ns_ins *s, double d, double *dF, double *U)
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

static int layer_at(const ns_ins *s, double z)
{
    int k = 0;
    while (k + 1 < s->nl && z >= s->ztop[k + 1]) k++;
    return k;
}

/* Tissue resistance while the tip at depth d advances: cutting, spreading,
 * friction (eq. P1-P3 of the header). Components returned through c3. */
static double resist(const ns_ins *s, double d, double c3[3])
{
    int kl = layer_at(s, d);
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
    double R = resist(s, d, c3);
    return d < s->d_cut ? R - c3[0] : R;
}

static double resist_back(const ns_ins *s, double d)
{
    double c3[3];
    resist(s, d, c3);
    return c3[2];
}

/* Needle force as a function of the relative displacement x = u - w0, given
 * the plastic depth dp0 at the start of the step: elastic-plastic return map
 * (header: "Penetration"). Outputs the new plastic depth. Ff0 = resist_fw(s,
 * dp0) and Fb0 = resist_back(s, dp0) (fixed during a step) are passed in
 * (unused before puncture). */
static double needle_force(const ns_ins *s, double x, double dp0, double Ff0, double Fb0,
                           double *dFdx, double *dp)
{
    if (!s->punctured) {
        double U;
        *dp = 0.0;
        return contact_force(s, x, dFdx, &U);
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
        double flo = K * x + resist_back(s, 0.0), fhi = K * (x - hi) + Fb;
        if (flo <= 0.0) { /* pulled out completely */
            *dp = 0.0;
            *dFdx = 0.0;
            return 0.0;
        }
        for (int it = 0; it < 100 && hi - lo > 1e-13 * s->L; it++) {
            double d = 0.5 * (lo + hi);
            double fd = K * (x - d) + resist_back(s, d);
            if (fd > 0.0)
                lo = d;
            else
                hi = d;
            (void)flo;
            (void)fhi;
        }
        double d = 0.5 * (lo + hi);
        double eps = 1e-7 * s->L;
        double Rp = (resist_back(s, d + eps) - resist_back(s, fmax(d - eps, 0.0))) /
                    (d + eps - fmax(d - eps, 0.0));
        *dp = d;
        *dFdx = K * Rp / (K + fabs(Rp) + DBL_MIN);
        return K * (x - d);
    }
    *dp = dp0;
    *dFdx = K;
    return Ftr;
}

/* ---------------------------------------------------------------- kinematics */

/* Prescribed travel and velocity at time t for the current phase. */
static void prescribed(const ns_ins *s, double t, double *u, double *ud)
{
    const ns_applicator_params *ap = &s->p.applicator;
    switch (s->phase) {
    case PH_HOLD:
        *u = s->u_hold;
        *ud = 0.0;
        return;
    case PH_UNLOAD:
        if (ap->mode == NS_APPLICATOR_PEN || ap->mode == NS_APPLICATOR_ROLLER) break;
        *u = s->u_hold - s->Vw * (t - s->phase_t0);
        *ud = -s->Vw;
        return;
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
        double Rt = s->roller_Rd + s->L;
        *u = Rt * cos(th) - s->roller_Rd;
        *ud = -Rt * sin(th) * ap->speed / s->roller_Rd;
        return;
    }
    default:
        *u = s->V * t;
        *ud = s->V;
        return;
    }
}

/* ---------------------------------------------------------------- creation */

static ns_status state_alloc(ins_state *y, size_t n)
{
    y->w = calloc(4 * n, sizeof(double));
    NS_CHECK(y->w != NULL, NS_ENOMEM, "insertion state: out of memory (n = %zu)", n);
    y->v = y->w + n;
    y->a = y->v + n;
    y->hm = y->a + n;
    return NS_OK;
}

static void state_copy(ins_state *dst, const ins_state *src, size_t n)
{
    double *w = dst->w, *v = dst->v, *a = dst->a, *hm = dst->hm;
    memcpy(w, src->w, 4 * n * sizeof(double));
    *dst = *src;
    dst->w = w;
    dst->v = v;
    dst->a = a;
    dst->hm = hm;
}

/* Base-plate contact stiffness [N/m^3]: the plate (hub or array backing) is
 * rigid; what yields under it is the sheet layer beneath, compressed in
 * uniaxial strain because the plate is wide compared with the layer and the
 * surrounding tissue confines it laterally: k_p = M / h with the confined
 * (P-wave) modulus M = E (1 - nu) / ((1 + nu)(1 - 2 nu)) (e.g. Fung,
 * Biomechanics, 1993, linear elasticity). For the nearly incompressible
 * dermis (nu = 0.48) M = 8.8 E; the unconfined E'/h would let the plate sink
 * through the dermis at a few newtons and the needle enter to its hilt
 * whatever the tenting. */
static double plate_default_stiffness(const ns_layer *ly)
{
    double nu = ly->poisson;
    double M = ly->youngs_modulus * (1.0 - nu) / ((1.0 + nu) * (1.0 - 2.0 * nu));
    return M / ly->thickness;
}

/* Extra stiffness [N/m^3] of the cell-mean deflection mode of an array patch
 * (header "Array patch: mean mode"). The periodic unit cell sees the
 * fluctuating part of the deflection through the local Winkler foundation k0;
 * the cell-mean part wbar is the sinking of the whole patch of N needles,
 * radius a_p = R_c sqrt(N) (pi a_p^2 = N / n), which is resisted by
 *  (i) the fat block under the patch: bonded layer of shape factor
 *      S = a_p / (2 H) (loaded area over free lateral area), compression
 *      modulus E_c = E' (1 + 2 S^2) (Gent & Lindley 1959, Proc. Inst. Mech.
 *      Eng. 173:111; the squeeze term equals the lubrication solution
 *      (3/2) G a^2 / H^3 of an incompressible bonded disc) in series with the
 *      bulk modulus K = E / (3 (1 - 2 nu)) (volume change; a wide patch
 *      a_p >> H tends to the confined modulus, K ~ M for nu -> 0.5) and with
 *      the backing: k_fat = 1 / (H/E_c + H/K + 1/k_b);
 * (ii) the skin around the patch: a membrane with tension N0 on the
 *      foundation k0 outside r = a_p, w = wbar K0(r/l)/K0(a_p/l),
 *      l = sqrt(N0/k0), carries the edge shear 2 pi a_p N0 wbar K1/(l K0),
 *      i.e. k_edge = 2 N0 K1(a_p/l) / (a_p l K0(a_p/l)) per patch area.
 * Returns max(k_fat - k0, 0) + k_edge (0 for a single needle). */
static double mean_mode_stiffness(const ns_params *p, double k0, double N0, double Rc)
{
    double count = p->array.count;
    if (!(isfinite(count) && count > 1.0 && isfinite(Rc) && Rc > 0.0)) return 0.0;
    double a_p = Rc * sqrt(count);
    double k_fat = k0;
    if (p->skin.n_layers == 4) {
        const ns_layer *hy = &p->skin.layer[NS_LAYER_HYPO];
        double H = hy->thickness, E = hy->youngs_modulus, nu = hy->poisson;
        double S = a_p / (2.0 * H);
        double Ec = E / (1.0 - nu * nu) * (1.0 + 2.0 * S * S);
        double K = E / (3.0 * (1.0 - 2.0 * nu));
        double kb = p->skin.backing_stiffness;
        double c = H / Ec + H / K + ((isfinite(kb) && kb > 0.0) ? 1.0 / kb : 0.0);
        k_fat = 1.0 / c;
    }
    double k_edge = 0.0;
    if (p->applicator.mode == NS_APPLICATOR_PEN && N0 > 0.0) {
        /* pen: the cartridge face holds the skin at the patch edge r = a_p
         * (w = 0 there), so the patch is a clamped membrane: uniform load q
         * gives w = q (a_p^2 - r^2)/(4 N0), mean q a_p^2/(8 N0) */
        k_edge = 8.0 * N0 / (a_p * a_p);
    } else if (N0 > 0.0 && k0 > 0.0) {
        double l = sqrt(N0 / k0), x = a_p / l;
        double ratio = gsl_sf_bessel_K1_scaled(x) / gsl_sf_bessel_K0_scaled(x);
        k_edge = 2.0 * N0 * ratio / (a_p * l);
    }
    return fmax(k_fat - k0, 0.0) + k_edge;
}

static double calib_or(double x, double def)
{
    return (isfinite(x) && x > 0.0) ? x : def;
}

/* Sheet (SC + VE + dermis) and foundation (hypodermis in series with the
 * backing) properties: header "Skin sheet and foundation". */
static ns_status derive_skin(ns_ins *s, double *B, double *Am, double *beta_m, double *m,
                             double *k0, double *beta_f, double *H_f, double *g_f, double *tau_f)
{
    const ns_skin_params *sk = &s->p.skin;
    size_t nl = sk->n_layers;
    NS_CHECK(nl == 1 || nl == 4, NS_EINVAL, "skin.n_layers = %zu, need 1 or 4", nl);
    size_t nsheet = nl == 4 ? 3 : 1;
    double EhZ = 0.0, Eh = 0.0, z = 0.0, bsum = 0.0;
    *m = 0.0;
    for (size_t i = 0; i < nsheet; i++) {
        const ns_layer *ly = &sk->layer[i];
        NS_CHECK(ly->thickness > 0.0 && ly->youngs_modulus > 0.0 && ly->poisson >= 0.0 &&
                     ly->poisson < 0.5,
                 NS_EINVAL, "skin layer %zu: thickness %.3g m, E %.3g Pa, nu %.3g (need > 0, > 0, [0, 0.5))",
                 i, ly->thickness, ly->youngs_modulus, ly->poisson);
        double Ep = ly->youngs_modulus / (1.0 - ly->poisson * ly->poisson);
        Eh += Ep * ly->thickness;
        EhZ += Ep * ly->thickness * (z + 0.5 * ly->thickness);
        bsum += Ep * ly->thickness * ly->stiffening;
        *m += ly->density * ly->thickness;
        z += ly->thickness;
    }
    double zn = EhZ / Eh;
    *B = 0.0;
    z = 0.0;
    for (size_t i = 0; i < nsheet; i++) {
        const ns_layer *ly = &sk->layer[i];
        double Ep = ly->youngs_modulus / (1.0 - ly->poisson * ly->poisson), h = ly->thickness;
        double dz = z + 0.5 * h - zn;
        *B += Ep * (h * h * h / 12.0 + h * dz * dz); /* laminate about the neutral axis */
        z += h;
    }
    *Am = Eh;
    *beta_m = bsum / Eh;
    double kb = sk->backing_stiffness;
    int rigid = !(isfinite(kb) && kb > 0.0);
    if (nl == 4) {
        const ns_layer *hy = &sk->layer[NS_LAYER_HYPO];
        NS_CHECK(hy->thickness > 0.0 && hy->youngs_modulus > 0.0, NS_EINVAL,
                 "hypodermis: thickness %.3g m, E %.3g Pa, need > 0", hy->thickness,
                 hy->youngs_modulus);
        double kh = hy->youngs_modulus / (hy->thickness * (1.0 - hy->poisson * hy->poisson));
        *k0 = rigid ? kh : 1.0 / (1.0 / kh + 1.0 / kb);
        *beta_f = hy->stiffening;
        *H_f = hy->thickness;
        *g_f = hy->relaxation_fraction;
        *tau_f = hy->relaxation_time;
    } else {
        NS_CHECK(!rigid, NS_EINVAL,
                 "skin.backing_stiffness = %.3g N/m^3: a one-layer membrane needs a finite "
                 "foundation stiffness > 0",
                 kb);
        *k0 = kb;
        *beta_f = 0.0;
        *H_f = sk->layer[0].thickness;
        *g_f = sk->layer[0].relaxation_fraction;
        *tau_f = sk->layer[0].relaxation_time;
    }
    if (!(*g_f > 0.0 && *g_f < 1.0 && isfinite(*tau_f) && *tau_f > 0.0)) *g_f = 0.0;
    if (!isfinite(*tau_f) || *tau_f <= 0.0) *tau_f = 1.0;
    return NS_OK;
}

ns_status ns_ins_create(const ns_params *p, ns_ins **out)
{
    *out = NULL;
    NS_CHECK(p != NULL, NS_EINVAL, "ns_ins_create: params is NULL");
    const ns_numerics_params *nm = &p->numerics;
    NS_CHECK(nm->ins_n_r >= 8 && nm->ins_n_r <= 100000, NS_EINVAL,
             "numerics.ins_n_r = %zu, allowed 8..100000", nm->ins_n_r);
    NS_CHECK(nm->ins_rtol > 0.0 && nm->ins_rtol < 0.5, NS_EINVAL,
             "numerics.ins_rtol = %.3g, allowed (0, 0.5)", nm->ins_rtol);
    NS_CHECK(nm->ins_max_steps >= 10, NS_EINVAL, "numerics.ins_max_steps = %zu, need >= 10",
             nm->ins_max_steps);
    NS_CHECK(nm->ins_max_newton >= 2, NS_EINVAL, "numerics.ins_max_newton = %zu, need >= 2",
             nm->ins_max_newton);
    NS_CHECK(p->array.layout != NS_LAYOUT_NONE, NS_EINVAL,
             "array.layout = none: there is no needle to insert");
    const ns_needle_params *nd = &p->needle;
    NS_CHECK(nd->length > 0.0 && nd->tip_radius > 0.0 && nd->base_diameter > 0.0, NS_EINVAL,
             "needle: length %.3g m, tip_radius %.3g m, base_diameter %.3g m, need > 0",
             nd->length, nd->tip_radius, nd->base_diameter);
    const ns_applicator_params *ap = &p->applicator;
    NS_CHECK(ap->speed > 0.0 && isfinite(ap->speed), NS_EINVAL,
             "applicator.speed = %.3g m/s, need > 0", ap->speed);

    ns_ins *s = calloc(1, sizeof *s);
    NS_CHECK(s != NULL, NS_ENOMEM, "ns_ins_create: out of memory");
    s->p = *p;
    ns_status st = NS_OK;
    double B = 0, Am = 0, beta_m = 0, m = 0, k0 = 1, beta_f = 0, H_f = 1, g_f = 0, tau_f = 1;
    NS_TRY_GOTO(st, derive_skin(s, &B, &Am, &beta_m, &m, &k0, &beta_f, &H_f, &g_f, &tau_f), fail);
    const ns_skin_params *sk = &p->skin;
    s->nl = (int)sk->n_layers;
    double z = 0.0;
    for (int k = 0; k < s->nl; k++) {
        const ns_layer *ly = &sk->layer[k];
        s->ztop[k] = z;
        z += ly->thickness;
        s->Gc[k] = ly->toughness;
        s->mu[k] = ly->friction;
        s->Es[k] = ly->youngs_modulus / (1.0 - ly->poisson * ly->poisson);
        if (!(s->Gc[k] >= 0.0 && s->mu[k] >= 0.0)) {
            st = ns_status_set(NS_EINVAL, __FILE__, __LINE__, __func__,
                               "skin layer %d: toughness %.3g J/m^2, friction %.3g, need >= 0", k,
                               s->Gc[k], s->mu[k]);
            goto fail;
        }
    }
    s->ztop[s->nl] = z;
    s->Ec = s->Es[0];
    /* needle geometry */
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
    /* calibration */
    const ns_insertion_calib *cb = &p->insertion;
    double kappa = calib_or(cb->puncture_factor, NS_INS_DEF_PUNCTURE_FACTOR);
    s->f_cw = calib_or(cb->crack_width_factor, NS_INS_DEF_CRACK_WIDTH);
    s->f_sp = (isfinite(cb->spreading_factor) && cb->spreading_factor >= 0.0)
                  ? cb->spreading_factor
                  : NS_INS_DEF_SPREADING;
    s->Vw = calib_or(cb->withdraw_speed, NS_INS_DEF_WITHDRAW_SPEED);
    /* eq. (P0): puncture force, toughness-controlled sharp term plus the
     * pressure-controlled blunt term:
     *   F_c = kappa pi sqrt(E* G_c) r_t^(3/2) + c_p E* pi r_t^2 */
    double c_p = calib_or(cb->blunt_pressure_factor, NS_INS_DEF_BLUNT_PRESSURE);
    s->F_c = kappa * NS_PI * sqrt(s->Ec * s->Gc[0]) * pow(s->r_t, 1.5) +
             c_p * s->Ec * NS_PI * s->r_t * s->r_t;
    s->K_e = 2.0 * s->Ec * s->r_b;
    s->kp = isfinite(cb->plate_stiffness) && cb->plate_stiffness > 0.0
                ? cb->plate_stiffness
                : plate_default_stiffness(&sk->layer[s->nl == 4 ? NS_LAYER_DERMIS : 0]);
    /* array and applicator */
    double count = isfinite(p->array.count) && p->array.count >= 1.0 ? p->array.count : 1.0;
    if (p->array.layout == NS_LAYOUT_SINGLE) count = 1.0;
    s->N_needles = count;
    if (ap->mode == NS_APPLICATOR_ROLLER) {
        double nc = ns_array_needles_in_contact(&p->array, ap, nd);
        s->N_needles = (isfinite(nc) && nc >= 1.0) ? nc : 1.0;
    }
    s->V = ap->speed;
    s->len_scale = fmax(1e-3 * s->L, 1e-9);
    switch (ap->mode) {
    case NS_APPLICATOR_PRESS:
        NS_CHECK_GOTO_(ap->stroke > 0.0 && ap->force > 0.0, "press: stroke %.3g m, force %.3g N, need > 0",
                       ap->stroke, ap->force);
        s->t_load_end = ap->stroke / ap->speed;
        /* the hand force is shared by the needles in contact; it is reached by
         * the needle and the base plate together (EV_CAP) */
        s->F_cap = ap->force / s->N_needles;
        s->Vw = ap->speed;
        break;
    case NS_APPLICATOR_IMPACT:
        NS_CHECK_GOTO_(ap->mass > 0.0 && ap->stroke > 0.0, "impact: mass %.3g kg, stroke %.3g m, need > 0",
                       ap->mass, ap->stroke);
        s->m_a = ap->mass / count;
        s->t_load_end = INFINITY;
        s->F_cap = INFINITY;
        break;
    case NS_APPLICATOR_PEN:
        NS_CHECK_GOTO_(ap->frequency > 0.0 && ap->depth_setting > 0.0,
                       "pen: frequency %.3g Hz, depth_setting %.3g m, need > 0", ap->frequency,
                       ap->depth_setting);
        s->t_load_end = 0.5 / ap->frequency;
        s->F_cap = INFINITY;
        break;
    case NS_APPLICATOR_ROLLER:
        NS_CHECK_GOTO_(ap->drum_radius > 0.0 && ap->force > 0.0,
                       "roller: drum_radius %.3g m, force %.3g N, need > 0", ap->drum_radius,
                       ap->force);
        s->roller_Rd = ap->drum_radius;
        s->roller_th = acos(ap->drum_radius / (ap->drum_radius + s->L));
        s->roller_T = 2.0 * s->roller_th * ap->drum_radius / ap->speed;
        s->t_load_end = 0.5 * s->roller_T;
        s->F_cap = ap->force / s->N_needles;
        break;
    default:
        st = ns_status_set(NS_EINVAL, __FILE__, __LINE__, __func__,
                           "applicator.mode = %d, allowed 0..%d", (int)ap->mode,
                           (int)NS_APPLICATOR_COUNT - 1);
        goto fail;
    }
    /* domain and grid */
    {
        double lam = fmax(sqrt(fmax(sk->pretension, 0.0) / k0), pow(B / k0, 0.25));
        double Rc = ns_array_unit_cell_radius(&p->array);
        int single = !(isfinite(Rc) && Rc > 0.0) || p->array.layout == NS_LAYOUT_SINGLE ||
                     p->array.layout == NS_LAYOUT_ROLLER;
        double R = single ? fmax(10.0 * lam, 50.0 * s->r_b) : Rc;
        if (!single && R <= 2.0 * s->r_b) R = 2.0 * s->r_b;
        double h0 = fmin(0.5 * s->r_b, R / (double)(nm->ins_n_r - 1));
        NS_TRY_GOTO(st, ns_tent_create(nm->ins_n_r, R, h0, single, &s->T), fail);
        double Rp = single ? NS_INS_PLATE_RADIUS_FACTOR * s->r_b : R;
        /* the base plate (hub or array backing) spans R_b <= r <= R_p: inside
         * R_b the skin surrounds the needle and is not touched by the plate */
        s->plate0 = 0;
        while (s->plate0 + 1 < s->T->nu && s->T->r[s->plate0] < (1.0 - 1e-9) * s->r_b) s->plate0++;
        s->n_plate = s->plate0;
        while (s->n_plate < s->T->nu && s->T->r[s->n_plate] <= Rp) s->n_plate++;
    }
    s->T->B = B;
    s->T->N0 = fmax(sk->pretension, 0.0);
    s->T->Am = Am;
    s->T->beta_m = beta_m;
    s->T->k0 = k0;
    s->T->beta_f = beta_f + (isfinite(cb->foundation_stiffening) && cb->foundation_stiffening >= 0.0
                                 ? cb->foundation_stiffening
                                 : NS_INS_DEF_FOUNDATION_STIFFENING);
    s->T->H_f = H_f;
    s->T->g_f = g_f;
    s->T->tau_f = tau_f;
    s->T->m = m;
    s->T->c = 2.0 * fmax(cb->damping_ratio, 0.0) * sqrt(m * k0);
    if (!s->T->dirichlet)
        s->T->k_mean = mean_mode_stiffness(p, k0, s->T->N0, ns_array_unit_cell_radius(&p->array));
    s->nu = s->T->nu;
    NS_TRY_GOTO(st, state_alloc(&s->y0, s->nu), fail);
    NS_TRY_GOTO(st, state_alloc(&s->y1, s->nu), fail);
    NS_TRY_GOTO(st, state_alloc(&s->y2, s->nu), fail);
    s->work = calloc(5 * s->nu, sizeof(double));
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

/* ---------------------------------------------------------------- one step */

/* Energy stored at state y (tent, Maxwell branches, kinetic, tip, plate). */
static double stored_energy(ns_ins *s, const ins_state *y)
{
    ns_tent *T = s->T;
    double *f = s->work;
    memset(f, 0, s->nu * sizeof(double));
    double U = ns_tent_internal(T, y->w, f, 0, 1);
    double gk = T->g_f * T->k0;
    for (size_t i = 0; i < s->nu; i++) {
        U += 0.5 * T->A[i] * T->m * y->v[i] * y->v[i];
        if (gk > 0.0) U += 0.5 * T->A[i] * y->hm[i] * y->hm[i] / gk;
        double gap = (y->u - s->L) - y->w[i];
        if (i >= s->plate0 && i < s->n_plate && gap > 0.0) U += 0.5 * T->A[i] * s->kp * gap * gap;
    }
    if (!s->punctured) {
        double dF, Ul;
        contact_force(s, y->u - y->w[0], &dF, &Ul);
        U += Ul;
    } else {
        U += 0.5 * y->F * y->F / s->K_e;
    }
    return U;
}

static double dissipated_power(const ns_ins *s, const ins_state *y)
{
    const ns_tent *T = s->T;
    double gk = T->g_f * T->k0, P = 0.0;
    for (size_t i = 0; i < s->nu; i++) {
        P += T->A[i] * T->c * y->v[i] * y->v[i];
        if (gk > 0.0) P += T->A[i] * y->hm[i] * y->hm[i] / (gk * T->tau_f);
    }
    return P;
}

/* Solve one BDF2 step of size h with step ratio om = h / h_prev (0: backward
 * Euler) from y1 (and y0) into y2. Returns 0, or 1 if Newton did not converge
 * (recoverable: the caller shrinks h), with the last increment in *inc. */
static int step_solve(ns_ins *s, double h, double om, double *inc, ns_status *err)
{
    ns_tent *T = s->T;
    size_t nu = s->nu;
    const ins_state *c = &s->y1, *p = &s->y0;
    ins_state *y = &s->y2;
    double a0 = (1.0 + 2.0 * om) / ((1.0 + om) * h);
    double c1 = (1.0 + om) / h, c2 = om * om / ((1.0 + om) * h);
    double gk = T->g_f * T->k0, itau = 1.0 / T->tau_f;
    double dh = gk > 0.0 ? gk * a0 / (a0 + itau) : 0.0;
    int dyn = s->dynamic;
    double u, ud;
    y->t = c->t + h;
    if (dyn) {
        u = c->u + h * c->ud + 0.5 * h * h * c->ua;
        ud = 0.0;
    } else {
        prescribed(s, y->t, &u, &ud);
    }
    for (size_t i = 0; i < nu; i++) y->w[i] = c->w[i] + h * c->v[i] + 0.5 * h * h * c->a[i];
    double bu = c1 * c->u - c2 * p->u, bud = c1 * c->ud - c2 * p->ud;
    double scale = 0.0;
    for (size_t i = 0; i < nu; i++) scale = fmax(scale, fabs(c->w[i]));
    scale = fmax(scale, fabs(c->u)) + s->len_scale;
    double tol = 1e-3 * s->p.numerics.ins_rtol * scale;
    int converged = 0;
    double *f = s->f;
    double *hbw = s->bw, *hbv = s->bv, *hbh = s->bh;
    for (size_t i = 0; i < nu; i++) {
        hbw[i] = c1 * c->w[i] - c2 * p->w[i];
        hbv[i] = c1 * c->v[i] - c2 * p->v[i];
        hbh[i] = c1 * c->hm[i] - c2 * p->hm[i];
    }
    /* resistance at the start-of-step plastic depth, as resist_fw / resist_back
     * give it (one evaluation per step instead of one per Newton iteration) */
    double Ff0 = 0.0, Fb0 = 0.0;
    if (s->punctured) {
        double c3[3];
        double R0 = resist(s, c->dp, c3);
        Ff0 = c->dp < s->d_cut ? R0 - c3[0] : R0;
        Fb0 = c3[2];
    }
    gsl_vector *cv = T->x1;
    *inc = INFINITY;
    for (size_t it = 0; it <= s->p.numerics.ins_max_newton; it++) {
        /* the pass after convergence only updates the state (v, a, h, F):
         * no Newton matrix is assembled or factorised for it */
        int asm_J = !converged && it < s->p.numerics.ins_max_newton;
        if (asm_J) ns_tent_zero(T);
        memset(f, 0, nu * sizeof(double));
        ns_tent_internal(T, y->w, f, asm_J, 0);
        if (asm_J) gsl_vector_set_zero(cv);
        for (size_t i = 0; i < nu; i++) {
            double bw = hbw[i], bv = hbv[i], bh = hbh[i];
            double v = a0 * y->w[i] - bw, acc = a0 * v - bv;
            double hm = gk > 0.0 ? (gk * v + bh) / (a0 + itau) : 0.0;
            y->v[i] = v;
            y->a[i] = acc;
            y->hm[i] = hm;
            f[i] += T->A[i] * (T->m * acc + T->c * v + hm);
            if (asm_J) ns_tent_add_diag(T, i, T->A[i] * (T->m * a0 * a0 + T->c * a0 + dh));
        }
        double dFdx, dp;
        double F = needle_force(s, u - y->w[0], c->dp, Ff0, Fb0, &dFdx, &dp);
        f[0] -= F;
        if (asm_J) {
            ns_tent_add_diag(T, 0, dFdx);
            cv->data[0] = -dFdx;
        }
        double base = u - s->L, Fpl = 0.0, Kpl = 0.0;
        for (size_t i = s->plate0; i < s->n_plate; i++) {
            double gap = base - y->w[i];
            if (gap > 0.0) {
                double kA = T->A[i] * s->kp;
                f[i] -= kA * gap;
                Fpl += kA * gap;
                Kpl += kA;
                if (asm_J) {
                    ns_tent_add_diag(T, i, kA);
                    cv->data[i * cv->stride] -= kA;
                }
            }
        }
        y->u = u;
        y->F = F;
        y->dFdx = dFdx;
        y->dp = dp;
        y->Fpl = Fpl;
        if (dyn) {
            y->ud = a0 * u - bu;
            y->ua = a0 * y->ud - bud;
        } else {
            y->ud = ud;
            y->ua = a0 * ud - bud;
        }
        if (converged) return 0;
        if (it == s->p.numerics.ins_max_newton) break;
        if (ns_tent_chol(T)) return 1;
        if (ns_tent_lr_prepare(T) != NS_OK) return 1;
        ns_tent_chol_svx(T, f, 1);
        ns_tent_lr_apply(T, f);
        double du = 0.0;
        if (dyn) {
            double ru = s->m_a * (a0 * (a0 * u - bu) - bud) + F + Fpl;
            double Juu = s->m_a * a0 * a0 + dFdx + Kpl;
            ns_tent_chol_svx(T, cv->data, cv->stride); /* cv <- J^-1 c */
            ns_tent_lr_apply(T, cv->data);
            /* c.x1 and c.x2 need the original coupling c: rebuild it */
            const double *z = cv->data;
            size_t zs = cv->stride;
            double cx1 = -dFdx * f[0], cx2 = -dFdx * z[0];
            for (size_t i = s->plate0; i < s->n_plate; i++) {
                double gap = base - y->w[i];
                if (gap > 0.0) {
                    double ci = -T->A[i] * s->kp;
                    cx1 += ci * f[i];
                    cx2 += ci * z[i * zs];
                }
            }
            double schur = Juu - cx2;
            if (!(schur > 0.0)) return 1;
            du = (ru - cx1) / schur;
        }
        double m = fabs(du);
        for (size_t i = 0; i < nu; i++) {
            double dw = f[i] - (dyn ? cv->data[i * cv->stride] * du : 0.0);
            y->w[i] -= dw;
            double adw = fabs(dw);
            if (!(adw <= m)) m = adw; /* a NaN increment makes m NaN: caught below */
        }
        if (isnan(du)) m = du; /* a NaN travel increment is not lost to the max */
        u -= du;
        *inc = m;
        if (!isfinite(m)) {
            for (size_t i = 0; i < nu; i++)
                if (!isfinite(y->w[i])) {
                    *err = ns_status_set(NS_ENONFINITE, __FILE__, __LINE__, __func__,
                                         "non-finite deflection at node %zu (r = %.3g m), t = %.6g s, h = %.3g s",
                                         i, T->r[i], y->t, h);
                    return -1;
                }
            return 1;
        }
        if (m <= tol) converged = 1;
    }
    return 1;
}

/* ---------------------------------------------------------------- events */

static void event_funcs(const ns_ins *s, const ins_state *y, double *g)
{
    for (int e = 0; e < EV_COUNT; e++) g[e] = -INFINITY;
    if (!s->punctured && isfinite(s->F_c)) g[EV_PUNCTURE] = y->F - s->F_c;
    if (s->punctured) {
        int k = layer_at(s, s->y1.dp);
        if (k + 1 < s->nl) g[EV_LAYER] = y->dp - s->ztop[k + 1];
    }
    if (!s->plate_contact) {
        double m = -INFINITY;
        for (size_t i = s->plate0; i < s->n_plate; i++) m = fmax(m, y->u - s->L - y->w[i]);
        g[EV_PLATE] = m;
    }
    if (s->phase == PH_LOAD && isfinite(s->F_cap)) g[EV_CAP] = y->F + y->Fpl - s->F_cap;
    if (s->phase == PH_LOAD && s->dynamic) {
        g[EV_STOP] = -y->ud;
        g[EV_STROKE] = y->u - s->p.applicator.stroke;
    }
}

static int first_event(const double *gc, const double *gy)
{
    for (int e = 0; e < EV_COUNT; e++)
        if (gc[e] < 0.0 && gy[e] >= 0.0) return e;
    return -1;
}

static void hist_push(ns_ins *s, const ins_state *y)
{
    if (s->hn == s->hcap) {
        size_t nc = 4 * s->hcap;
        double *a = realloc(s->ht, nc * sizeof(double));
        if (a) s->ht = a;
        double *b = realloc(s->hu, nc * sizeof(double));
        if (b) s->hu = b;
        double *c = realloc(s->hF, nc * sizeof(double));
        if (c) s->hF = c;
        double *d = realloc(s->hd, nc * sizeof(double));
        if (d) s->hd = d;
        if (!a || !b || !c || !d) return; /* history truncated; results unaffected */
        s->hcap = nc;
    }
    s->ht[s->hn] = y->t;
    s->hu[s->hn] = y->u;
    s->hF[s->hn] = y->F;
    s->hd[s->hn] = s->punctured ? y->dp : 0.0;
    s->hn++;
}

/* Start a new phase at time t (state y1). */
static void enter_phase(ns_ins *s, int ph)
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
    default:
        s->phase_t1 = t;
        break;
    }
    s->h_prev = 0.0; /* restart BDF2 with a backward-Euler step */
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
static void do_puncture(ns_ins *s)
{
    ins_state *y = &s->y1;
    double x = y->u - y->w[0], dF, Ub;
    contact_force(s, x, &dF, &Ub);
    s->res.punctured = 1;
    s->res.puncture_force = y->F;
    s->res.puncture_displacement = y->u;
    s->punctured = 1;
    double lo = 0.0, hi = fmin(fmax(x, 0.0), s->L);
    if (x - resist(s, 0.0, NULL) / s->K_e > 0.0) {
        for (int it = 0; it < 200 && hi - lo > 1e-14 * s->L; it++) {
            double m = 0.5 * (lo + hi);
            if (m + resist(s, m, NULL) / s->K_e < x)
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

ns_status ns_ins_solve(ns_ins *s, ns_ins_result *res)
{
    NS_CHECK(s != NULL && res != NULL, NS_EINVAL, "ns_ins_solve: NULL argument");
    const ns_applicator_params *ap = &s->p.applicator;
    size_t nu = s->nu;
    memset(&s->res, 0, sizeof s->res);
    ns_ins_result *r = &s->res;
    r->puncture_force = NAN;
    r->puncture_displacement = NAN;
    /* initial state: undeformed skin, tip touching the surface */
    memset(s->y0.w, 0, 4 * nu * sizeof(double));
    memset(s->y1.w, 0, 4 * nu * sizeof(double));
    s->y0.t = s->y1.t = 0.0;
    s->y0.u = s->y1.u = 0.0;
    s->y0.dp = s->y1.dp = 0.0;
    s->y0.F = s->y1.F = s->y0.Fpl = s->y1.Fpl = 0.0;
    s->y0.ud = s->y1.ud = ap->mode == NS_APPLICATOR_IMPACT ? ap->speed : 0.0;
    s->y0.ua = s->y1.ua = 0.0;
    s->punctured = s->out = s->plate_contact = 0;
    s->d_cut = 0.0;
    s->hn = 0;
    s->W_in = s->E_visc = s->E_frac = s->E_spread = s->E_fric = s->W_insert = 0.0;
    double W_pos = 0.0;
    enter_phase(s, PH_LOAD);
    hist_push(s, &s->y1);
    double vref = ap->mode == NS_APPLICATOR_PEN ? NS_PI * ap->frequency * ap->depth_setting
                  : ap->mode == NS_APPLICATOR_ROLLER ? ap->speed * s->L / ap->drum_radius + 1e-300
                                                     : ap->speed;
    vref = fmax(vref, 1e-12);
    double h = 1e-3 * s->L / vref;
    double rtol = s->p.numerics.ins_rtol;
    double Ustore = 0.0, P_c = 0.0;
    double gc[EV_COUNT], gy[EV_COUNT];
    size_t steps = 0, rejected = 0;
    ns_status err = NS_OK;
    while (s->phase != PH_END) {
        if (steps + rejected >= s->p.numerics.ins_max_steps)
            NS_FAIL(NS_ECONV,
                    "insertion: step cap numerics.ins_max_steps = %zu reached at t = %.6g s, h = %.3g s "
                    "(phase %d, travel %.4g m)",
                    s->p.numerics.ins_max_steps, s->y1.t, h, s->phase, s->y1.u);
        double t = s->y1.t;
        double hmax = s->phase == PH_HOLD ? fmax(s->phase_t1 - s->phase_t0, 1e-12) / 4.0
                                          : 0.05 * s->L / vref;
        if (s->fixed_dt > 0.0) h = s->fixed_dt;
        h = fmin(h, hmax);
        int hit_end = 0;
        if (t + h >= s->phase_t1 * (1.0 - 1e-12)) {
            h = s->phase_t1 - t;
            hit_end = 1;
        }
        if (h <= 0.0) {
            enter_phase(s, s->phase + 1);
            continue;
        }
        double om = s->h_prev > 0.0 ? h / s->h_prev : 0.0;
        double inc;
        int rc = step_solve(s, h, om, &inc, &err);
        if (rc < 0) return ns_status_trace(err, __FILE__, __LINE__, __func__);
        double est = 0.0;
        if (rc == 0 && s->fixed_dt <= 0.0) {
            double wm = 0.0;
            for (size_t i = 0; i < nu; i++) wm = fmax(wm, fabs(s->y2.w[i]));
            double sc = rtol * (fmax(wm, fabs(s->y2.u)) + s->len_scale);
            double fac = om > 0.0 ? 1.0 / 3.0 : 0.5;
            for (size_t i = 0; i < nu; i++) {
                double wp = s->y1.w[i] + h * s->y1.v[i] + 0.5 * h * h * s->y1.a[i];
                est = fmax(est, fac * fabs(s->y2.w[i] - wp) / sc);
            }
            if (s->dynamic) {
                double up = s->y1.u + h * s->y1.ud + 0.5 * h * h * s->y1.ua;
                est = fmax(est, fac * fabs(s->y2.u - up) / sc);
            }
        }
        double hmin = 1e-12 * (s->L / vref);
        if (rc != 0 || (est > 1.0 && h > hmin)) {
            rejected++;
            if (h <= hmin)
                NS_FAIL(NS_ECONV,
                        "insertion Newton did not converge: increment %.3g m at t = %.6g s, h = %.3g s",
                        inc, t, h);
            h *= rc != 0 ? 0.25 : fmax(0.2, 0.9 * pow(est, -1.0 / 3.0));
            continue;
        }
        /* events: locate the first sign change by Illinois iteration on h */
        event_funcs(s, &s->y1, gc);
        event_funcs(s, &s->y2, gy);
        int ev = first_event(gc, gy);
        if (ev >= 0) {
            double lo = 0.0, hi = h, glo = gc[ev], ghi = gy[ev];
            int side = 0;
            for (int it = 0; it < NS_INS_MAX_EVENT_IT && hi - lo > 1e-10 * h; it++) {
                double hm = (lo * ghi - hi * glo) / (ghi - glo);
                if (!(hm > lo && hm < hi) || !isfinite(hm)) hm = 0.5 * (lo + hi);
                int rc2 = step_solve(s, hm, s->h_prev > 0.0 ? hm / s->h_prev : 0.0, &inc, &err);
                if (rc2 < 0) return ns_status_trace(err, __FILE__, __LINE__, __func__);
                if (rc2 > 0) {
                    hi = hm; /* shrink towards the start */
                    continue;
                }
                event_funcs(s, &s->y2, gy);
                double gm = gy[ev];
                if (gm >= 0.0) {
                    hi = hm;
                    ghi = gm;
                    if (side == 1) glo *= 0.5;
                    side = 1;
                } else {
                    lo = hm;
                    glo = gm;
                    if (side == -1) ghi *= 0.5;
                    side = -1;
                }
            }
            h = hi;
            int rc3 = step_solve(s, h, s->h_prev > 0.0 ? h / s->h_prev : 0.0, &inc, &err);
            if (rc3 < 0) return ns_status_trace(err, __FILE__, __LINE__, __func__);
            if (rc3 > 0)
                NS_FAIL(NS_ECONV, "insertion: event %d step did not converge at t = %.6g s, h = %.3g s",
                        ev, t, h);
            hit_end = 0;
        }
        /* accept: energy bookkeeping */
        ins_state *c = &s->y1, *y = &s->y2;
        double dW = 0.5 * (c->F + y->F + c->Fpl + y->Fpl) * (y->u - c->u);
        s->W_in += dW;
        if (dW > 0.0) W_pos += dW;
        double P_y = dissipated_power(s, y);
        s->E_visc += 0.5 * h * (P_c + P_y);
        P_c = P_y;
        if (s->punctured) {
            double dd = y->dp - c->dp, mid = 0.5 * (y->dp + c->dp), c3[3];
            if (dd > 0.0) {
                resist(s, mid, c3);
                s->E_frac += c3[0] * fmax(y->dp - fmax(c->dp, s->d_cut), 0.0);
                s->E_spread += c3[1] * dd;
                s->E_fric += c3[2] * dd;
            } else if (dd < 0.0) {
                s->E_fric += resist_back(s, mid) * (-dd);
            }
            s->out = y->dp <= 0.0; /* tip out of its hole (it can re-enter) */
            s->d_cut = fmax(s->d_cut, y->dp);
        }
        state_copy(&s->y0, &s->y1, nu);
        state_copy(&s->y1, &s->y2, nu);
        s->h_prev = h;
        steps++;
        /* results */
        r->max_force = fmax(r->max_force, y->F);
        r->max_tenting = fmax(r->max_tenting, y->w[0]);
        r->max_travel = fmax(r->max_travel, y->u);
        if (s->punctured) r->penetration_depth = fmax(r->penetration_depth, y->dp);
        if (ev == EV_PUNCTURE) do_puncture(s);
        if (ev == EV_PLATE) s->plate_contact = 1;
        hist_push(s, &s->y1);
        if (ev == EV_CAP || ev == EV_STOP || ev == EV_STROKE) {
            s->y1.ud = 0.0;
            s->y1.ua = 0.0;
            enter_phase(s, PH_HOLD);
        } else if (hit_end) {
            int next = s->phase + 1;
            if (s->phase == PH_LOAD && (ap->mode == NS_APPLICATOR_PEN ||
                                        (ap->mode == NS_APPLICATOR_ROLLER)))
                next = PH_UNLOAD;
            enter_phase(s, next);
        } else if (ev >= 0) {
            s->h_prev = 0.0; /* restart after a discontinuity */
        }
        if (s->fixed_dt <= 0.0) {
            double grow = 2.0;
            if (est > 0.0) grow = fmin(2.0, fmax(0.2, 0.9 * pow(est, -1.0 / 3.0)));
            h *= grow;
        }
        if (s->phase == PH_UNLOAD && s->out && s->y1.u <= 0.0) break;
    }
    Ustore = stored_energy(s, &s->y1);
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
    r->deepest_layer = s->punctured ? layer_at(s, pd) + 1 : 0;
    if (s->nl == 1 && s->punctured) r->deepest_layer = 1;
    for (int k = 0; k < NS_LAYER_MAX; k++)
        r->layer_depth[k] = (k < s->nl && s->punctured && pd > s->ztop[k])
                                ? fmin(pd, s->ztop[k + 1]) - s->ztop[k]
                                : 0.0;
    r->buckling_load = ns_needle_buckling_load(&s->p.needle);
    r->buckling_margin = r->max_force > 0.0 ? r->buckling_load / r->max_force : (double)NAN;
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
    *res = *r;
    return NS_OK;
}

/* ---------------------------------------------------------------- static tent */

ns_status ns_ins_tent_solve(const ns_ins_tent_case *c, double *r, double *w)
{
    NS_CHECK(c != NULL && r != NULL && w != NULL, NS_EINVAL, "ns_ins_tent_solve: NULL argument");
    NS_CHECK(c->B >= 0.0 && c->N0 >= 0.0 && c->k > 0.0, NS_EINVAL,
             "tent case: B = %.3g N m, N0 = %.3g N/m, k = %.3g N/m^3 (need B >= 0, N0 >= 0, k > 0)",
             c->B, c->N0, c->k);
    ns_tent *T = NULL;
    NS_TRY(ns_tent_create(c->n, c->R, c->h0, !c->symmetric, &T));
    T->B = c->B;
    T->N0 = c->N0;
    T->k0 = c->k;
    T->H_f = 1.0;
    T->tau_f = 1.0;
    size_t nu = T->nu;
    double *f = calloc(nu, sizeof(double));
    double *z = calloc(nu, sizeof(double));
    if (!f || !z) {
        free(f);
        free(z);
        ns_tent_destroy(&T);
        NS_FAIL(NS_ENOMEM, "tent case: out of memory (n = %zu)", c->n);
    }
    ns_tent_zero(T);
    ns_tent_internal(T, z, f, 1, 0); /* linear: J is the operator, f = 0 */
    for (size_t i = 0; i < nu; i++) f[i] = c->q * T->A[i];
    f[0] += c->F;
    ns_status st = ns_tent_factor(T);
    if (st == NS_OK) ns_tent_chol_svx(T, f, 1);
    for (size_t i = 0; i < c->n; i++) {
        r[i] = T->r[i];
        w[i] = i < nu ? f[i] : 0.0;
    }
    free(f);
    free(z);
    ns_tent_destroy(&T);
    return st;
}
