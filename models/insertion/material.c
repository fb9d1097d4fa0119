/* Material of the insertion solver: the skin sheet (SC + VE + dermis) and
 * its foundation (hypodermis in series with the backing), the base-plate
 * contact stiffness and the extra stiffness of an array patch's mean mode
 * (models/insertion.h, "Skin sheet and foundation", "Array patch"). */
#include <math.h>

#include <gsl/gsl_sf_bessel.h>

#include "../needle.h"
#include "../skin.h"
#include "ins_private.h"


/* Base-plate contact stiffness [N/m^3]: the plate (hub or array backing) is
 * rigid; what yields under it is the sheet layer beneath, compressed in
 * uniaxial strain because the plate is wide compared with the layer and the
 * surrounding tissue confines it laterally: k_p = M / h with the confined
 * (P-wave) modulus M = E (1 - nu) / ((1 + nu)(1 - 2 nu)) (e.g. Fung,
 * Biomechanics, 1993, linear elasticity). For the nearly incompressible
 * dermis (nu = 0.48) M = 8.8 E; the unconfined E'/h would let the plate sink
 * through the dermis at a few newtons and the needle enter to its hilt
 * whatever the tenting. */
double ins_plate_default_stiffness(const ns_layer *ly)
{
    double nu = ly->poisson;
    double M = ly->youngs_modulus * (1.0 - nu) / ((1.0 + nu) * (1.0 - 2.0 * nu));
    return M / ly->thickness;
}

/* Unbounded periodic array (a square or hexagonal layout without a needle
 * count, array.count <= 1: the unit cell is all there is, as in the
 * continuum model's cell with u_r = 0 and no shear at R_c): its cell-mean
 * deflection is the xi = 0 mode of the layered-elastic solution, the whole
 * stack sinking in uniaxial strain on the backing,
 *   S(0) = 1 / ( sum_i h_i / M_i + 1/k_b ),  M = E (1 - nu) / ((1 + nu)(1 - 2 nu)),   (F3)
 * the xi H -> 0 limit of (F1) for each bonded layer in series (every layer,
 * the sheet's too, is compressed; the sheet's part is 1e-3 of the fat's).
 * Returns max(S(0) - k0, 0) [N/m^3]: the cell mean gets it on top of the
 * local k0 (fitted at tent wavelengths, it was the mean mode's only support
 * before: forearm k0 = 2.7e5 N/m^3 against S(0) = 7.5e5 N/m^3, so such a
 * cell sank 2.8 times too far under the same mean load). */
static double unbounded_array_stiffness(const ins_inputs *p, double k0)
{
    const ns_skin_params *sk = &p->skin;
    if (sk->n_layers != 4) return 0.0; /* a membrane on its backing: k0 is the backing */
    double c = 0.0;
    for (size_t i = 0; i < sk->n_layers; i++) {
        const ns_layer *ly = &sk->layer[i];
        double nu = ly->poisson;
        double M = ly->youngs_modulus * (1.0 - nu) / ((1.0 + nu) * (1.0 - 2.0 * nu));
        c += ly->thickness / M;
    }
    double kb = sk->backing_stiffness;
    if (isfinite(kb) && kb > 0.0) c += 1.0 / kb;
    return fmax(1.0 / c - k0, 0.0);
}

/* Extra stiffness [N/m^3] of the cell-mean deflection mode of an array patch
 * (header "Array patch: mean mode"). The periodic unit cell sees the
 * fluctuating part of the deflection through the local foundation k0;
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
 * Returns max(k_fat - k0, 0) + k_edge (0 for a single needle); the two
 * parts through k_block and k_rim (may be NULL). A periodic cell without a
 * needle count (array.count <= 1) is the cell of an unbounded array: eq. (F3)
 * above. */
double ins_mean_mode_stiffness(const ins_inputs *p, double k0, double N0, double Rc)
{
    double count = p->array.count;
    if (!(isfinite(count) && count > 1.0) && isfinite(Rc) && Rc > 0.0 &&
        (p->array.layout == NS_LAYOUT_SQUARE || p->array.layout == NS_LAYOUT_HEXAGONAL))
        return unbounded_array_stiffness(p, k0);
    return ins_patch_stiffness(p, k0, N0, Rc, NULL, NULL);
}

double ins_patch_stiffness(const ins_inputs *p, double k0, double N0, double Rc, double *k_block,
                           double *k_rim)
{
    double count = p->array.count;
    if (k_block) *k_block = 0.0;
    if (k_rim) *k_rim = 0.0;
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
    if (k_block) *k_block = fmax(k_fat - k0, 0.0);
    if (k_rim) *k_rim = k_edge;
    return fmax(k_fat - k0, 0.0) + k_edge;
}

/* Surface stiffness S(xi) [N/m^3] of an elastic layer (modulus E, Poisson
 * ratio nu, thickness H) bonded to a rigid base, for a normal surface load
 * p(r) = p~ J0(xi r) without shear traction: the Hankel-transform solution
 * of the bonded layer (Dhaliwal & Rau 1970, Int J Eng Sci 8:843; the kernel
 * used for thin-layer indentation, e.g. Li & Chou 1997),
 *   w~ = p~ 2 (1 - nu^2) L(xi H) / (E xi),
 *   L(x) = (2 kap sinh 2x - 4x) / (2 kap cosh 2x + 1 + kap^2 + 4x^2),
 *   kap = 3 - 4 nu.
 * Limits: xi H >> 1 the half-space 2(1 - nu^2)/(E xi); xi H << 1 the
 * confined modulus M/H (nu < 1/2); nu -> 1/2 the squeeze film 3 mu/(H^3 xi^2). */
static double layer_surface_stiffness(double E, double nu, double H, double xi)
{
    double x = xi * H, kap = 3.0 - 4.0 * nu;
    double L = (2.0 * kap * sinh(2.0 * x) - 4.0 * x) /
               (2.0 * kap * cosh(2.0 * x) + 1.0 + kap * kap + 4.0 * x * x);
    return E * xi / (2.0 * (1.0 - nu * nu) * L);
}

/* Pasternak foundation (k, G_p) of the fat layer in series with the backing
 * (header "Foundation"): S_P(xi) = k + G_p xi^2 fitted in relative least
 * squares, min sum_j (S_P(xi_j)/S(xi_j) - 1)^2, to the layered-elastic
 * stiffness S(xi) = 1/(1/S_layer(xi) + 1/k_b) at NS_INS_FIT_POINTS
 * log-spaced wavenumbers xi H in [1, 10]: the wavelengths of a tent, from
 * about the fat thickness (longer waves are the patch's mean mode, carried by
 * the shape-factor stiffness k_m) down to a tenth of it (shorter ones are
 * carried by the sheet's bending). G_p < 0 (a softening fit) is set to 0 and
 * k refitted alone. The normal equations are 2 x 2 and solved exactly. */
static void pasternak_fit(double E, double nu, double H, double kb, double *k, double *G)
{
    double a11 = 0.0, a12 = 0.0, a22 = 0.0, b1 = 0.0, b2 = 0.0;
    for (int j = 0; j < NS_INS_FIT_POINTS; j++) {
        double xi = pow(10.0, (double)j / (double)(NS_INS_FIT_POINTS - 1)) / H;
        double St = 1.0 / (1.0 / layer_surface_stiffness(E, nu, H, xi) +
                           ((isfinite(kb) && kb > 0.0) ? 1.0 / kb : 0.0));
        double c1 = 1.0 / St, c2 = xi * xi / St;
        a11 += c1 * c1;
        a12 += c1 * c2;
        a22 += c2 * c2;
        b1 += c1;
        b2 += c2;
    }
    double det = a11 * a22 - a12 * a12;
    *k = (b1 * a22 - b2 * a12) / det;
    *G = (a11 * b2 - a12 * b1) / det;
    if (!(*G > 0.0)) {
        *G = 0.0;
        *k = b1 / a11;
    }
}

/* Sheet (SC + VE + dermis) and foundation (hypodermis in series with the
 * backing) properties: header "Skin sheet and foundation". */
ns_status ins_derive_skin(const ns_ins *s, ins_sheet *sh)
{
    double *B = &sh->B, *Am = &sh->Am, *beta_m = &sh->beta_m, *m = &sh->m, *k0 = &sh->k0;
    double *beta_f = &sh->beta_f, *H_f = &sh->H_f, *g_f = &sh->g_f, *tau_f = &sh->tau_f;
    const ns_skin_params *sk = &s->p.skin;
    size_t nl = sk->n_layers;
    NS_CHECK(nl == 1 || nl == 4, NS_EINVAL, "skin.n_layers = %zu, need 1 or 4", nl);
    size_t nsheet = nl == 4 ? 3 : 1;
    double EhZ = 0.0, Eh = 0.0, z = 0.0, bsum = 0.0, gsum = 0.0, gtsum = 0.0;
    *m = 0.0;
    for (size_t i = 0; i < nsheet; i++) {
        const ns_layer *ly = &sk->layer[i];
        double Ep = ly->youngs_modulus / (1.0 - ly->poisson * ly->poisson);
        Eh += Ep * ly->thickness;
        EhZ += Ep * ly->thickness * (z + 0.5 * ly->thickness);
        bsum += Ep * ly->thickness * ly->stiffening;
        gsum += Ep * ly->thickness * ly->relaxation_fraction; /* eq. (V3) */
        gtsum += Ep * ly->thickness * ly->relaxation_fraction * ly->relaxation_time;
        *m += ly->density * ly->thickness;
        z += ly->thickness;
    }
    double zn = EhZ / Eh;
    double eta = (isfinite(sk->viscosity) && sk->viscosity > 0.0) ? sk->viscosity : 0.0;
    *B = 0.0;
    sh->Bv = 0.0;
    sh->Av = 0.0;
    z = 0.0;
    for (size_t i = 0; i < nsheet; i++) {
        const ns_layer *ly = &sk->layer[i];
        double Ep = ly->youngs_modulus / (1.0 - ly->poisson * ly->poisson), h = ly->thickness;
        double dz = z + 0.5 * h - zn;
        *B += Ep * (h * h * h / 12.0 + h * dz * dz); /* laminate about the neutral axis */
        /* eq. (K1): the same laminate with E' replaced by the extensional
         * viscosity 3 eta / (1 - nu^2) of the incompressible Kelvin-Voigt
         * solid (Trouton ratio 3) */
        double ev = 3.0 * eta / (1.0 - ly->poisson * ly->poisson);
        sh->Bv += ev * (h * h * h / 12.0 + h * dz * dz);
        sh->Av += ev * h;
        z += h;
    }
    *Am = Eh;
    *beta_m = bsum / Eh;
    sh->g_s = gsum / Eh;
    sh->tau_s = gsum > 0.0 ? gtsum / gsum : 1.0;
    if (!(sh->g_s > 0.0 && sh->g_s < 1.0 && isfinite(sh->tau_s) && sh->tau_s > 0.0)) {
        sh->g_s = 0.0;
        sh->tau_s = 1.0;
    }
    /* the tip contact indents the surface layer (its E* is the contact
     * modulus): that layer's relaxation (eq. V4) */
    sh->g_c = sk->layer[0].relaxation_fraction;
    sh->tau_c = sk->layer[0].relaxation_time;
    if (!(sh->g_c > 0.0 && sh->g_c < 1.0 && isfinite(sh->tau_c) && sh->tau_c > 0.0)) {
        sh->g_c = 0.0;
        sh->tau_c = 1.0;
    }
    double kb = sk->backing_stiffness;
    int rigid = !(isfinite(kb) && kb > 0.0);
    if (nl == 4) {
        const ns_layer *hy = &sk->layer[NS_LAYER_HYPO];
        pasternak_fit(hy->youngs_modulus, hy->poisson, hy->thickness, rigid ? HUGE_VAL : kb, k0,
                      &sh->G_f);
        *beta_f = hy->stiffening;
        *H_f = hy->thickness;
        *g_f = hy->relaxation_fraction;
        *tau_f = hy->relaxation_time;
    } else {
        NS_CHECK(!rigid, NS_EINVAL,
                 "skin.backing_stiffness = %.3g N/m^3: a one-layer membrane needs a finite "
                 "foundation stiffness > 0",
                 kb);
        /* the membrane relaxes as the sheet (g_s above); its support (the
         * backing, a lab support) is elastic */
        *k0 = kb;
        sh->G_f = 0.0;
        *beta_f = 0.0;
        *H_f = sk->layer[0].thickness;
        *g_f = 0.0;
        *tau_f = 1.0;
    }
    if (!(*g_f > 0.0 && *g_f < 1.0 && isfinite(*tau_f) && *tau_f > 0.0)) *g_f = 0.0;
    if (!isfinite(*tau_f) || *tau_f <= 0.0) *tau_f = 1.0;
    return NS_OK;
}
