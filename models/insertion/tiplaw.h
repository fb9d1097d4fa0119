/* Tip laws of needle insertion as pure functions of the tip geometry, the
 * tissue and the insertion speed: the puncture force, the viscoelastic rate
 * factor of the tissue modulus, the contact pressure of the cut tissue on
 * the shaft, and the elastic law of the tip. The insertion solver
 * (models/insertion/) applies them to its skin sheet; a continuum model can
 * apply them as tractions on the cut. No state, no allocation.
 *
 * Symbols (SI): r_t tip radius [m]; R_b outer (base) radius [m]; r_i bore
 * radius [m]; a cone half-angle (pyramid: equal-area cone; bevel: bevel
 * angle) [rad]; E* plane-strain modulus E/(1 - nu^2) of the tissue at
 * t = 0 (the presets' youngs_modulus is the instantaneous modulus of the
 * relaxation G(t) = G0 (1 - g (1 - exp(-t/tau)))) [Pa]; G_c toughness of the
 * surface layer [J/m^2]; V insertion speed [m/s].
 *
 * T1 Puncture (surface layer), Shergold & Fleck 2004/2005: a sharp tip
 *    breaks the skin by a planar mode-I crack across its tip that the cone
 *    wedges open; a flat-bottomed punch by a mode-II ring crack around its
 *    edge, at a larger mean pressure than a sharp punch of equal diameter.
 *      F_c = kappa G_c l_c + phi(V) E* (c_p A_c + (tan a / 2) A_c)
 *    crack length l_c and contact area A_c from the geometry:
 *      cone              l_c = 2 r_t                 A_c = pi r_t^2
 *      pyramid           l_c = 2 sqrt(2) r_t (the crack runs along two
 *                        opposite edges, corner to corner)  A_c = pi r_t^2
 *      bevel             l_c = 2 R_b (the bevel edge opens a crack across
 *                        the whole outer diameter; Okamura 2004, Barnett
 *                        2015)                       A_c = pi r_t^2 (lancet point)
 *      flat punch        l_c = 2 pi R_b (ring crack) A_c = pi R_b^2
 *      hollow bore r_i   A_c minus pi min(r_i, r)^2 of the open lumen
 *    The first term is toughness controlled (linear in the tip size, as
 *    measured by Roemgens et al. 2014 for 5-37 um tips), the second the
 *    penetration pressure c_p E* on the contact area (Davis et al. 2004:
 *    linear in tip area for 30-80 um tips) plus the Sneddon mean pressure of
 *    the cone flank (E* / 2) tan a: blunter cones need more force, weakly at
 *    puncture (the included angle acts mostly after it, through the
 *    spreading of the crack by r(s)).
 * T2 Viscoelastic rate factor (standard linear solid, one Prony term;
 *    Mahvash & Dupont 2010 for the rate dependence of needle forces): under
 *    a ramp of duration t the secant modulus is
 *      phi(t) = 1 - g + g (tau / t) (1 - exp(-t / tau)),
 *    1 for t << tau (impact), 1 - g for t >> tau (slow press). The loading
 *    time of the tissue ahead of the tip is t = l_v / V with l_v the tip
 *    length (the distance over which the cone loads a tissue element).
 * T3 Shaft contact pressure: the crack opened by the tip (half-length c)
 *    is wedged open to the needle radius r; an elastic slit whose faces are
 *    held apart by 2 r closes onto the shaft with the mean pressure
 *      p_s = E* (r / (2 c)) psi(t) = f E* psi(t) / 2,   f = r / c,
 *    psi(t) = 1 - g + g (tau / t) (1 - exp(-t / tau)) the mean relaxation
 *    over the residence time t = L / V of the shaft in the tissue. A cut that
 *    stays as the tip made it has c = r / f_p, f_p (key
 *    shaft_pressure_factor, value in models/param_table.c: c about 3 r)
 *    fitted to the 21 % friction share of Barnett et al. 2015
 *    (tests/data/insertion_calibration.md); friction traction mu p_s.
 *    Tearing of the wedged slit (stiff, brittle layers): the same slit,
 *    held open to 2 r at fixed opening (Griffith slit, K = p_s sqrt(pi c)),
 *    releases G = pi p_s^2 c / E* = pi E* r^2 / (4 c), which falls as the
 *    slit grows; where it exceeds the layer's toughness G_c the slit tears
 *    on (stably, the opening being fixed by the shaft) until G = G_c, i.e.
 *    to c_t = pi E* r^2 / (4 G_c) = pi r^2 / (4 l_k), l_k = G_c / E* the
 *    layer's elasto-fracture length. Each layer k thus takes
 *      f_k = min(f_p, 4 l_k / (pi r)),   p_sh,k = f_k E*_k psi_k / 2,
 *    and a torn layer presses with p_sh,k = psi_k 2 G_c,k / (pi r),
 *    set by its toughness, not its modulus (r the shaft radius R_b: the
 *    widest section that passed sets the irreversible tear). Skin presets:
 *    l = 3.2 um in the SC, 7.7 um in the viable epidermis, 4 mm in the
 *    dermis, 87 mm in the fat, so the SC and VE tear for every shaft wider
 *    than 4 l / (pi f_p) = 13 / 31 um in radius and the dermis and fat
 *    never do: for them the law is the former T3 unchanged (thick, tough
 *    layers). Thin layers: a layer of thickness t << c is a plate in plane
 *    stress; E replaces E* in p_s and in G alike, so the torn pressure
 *    2 G_c / (pi r) does not depend on which, nor on t (the slit of a thin
 *    plate presses with E r / (2 c) over its thickness: thinness alone
 *    does not lower the pressure, tearing does).
 *    Validity: linear elastic slit with uniform face pressure (the shaft
 *    presses the faces near it only, which lowers G at a given opening and
 *    so shortens c_t: the uniform slit overstates the tear; the SC tear of
 *    a 30G shaft comes out 5.9 mm, beyond what is seen around needle holes);
 *    no substrate constraint of the torn layer (for c >> t the stiffer film
 *    is held by shear to the tissue below, Beuth 1992, which also limits
 *    the tear); G_c the layer's toughness under mode-I tearing; the torn
 *    layer's opening is elastic (the channel model's SC open fraction 0.7,
 *    an inelastic opening, is not used here).
 * T4 Elastic tip law after puncture: the tip presses the tissue ahead of its
 *    crack front by the same contact law as before puncture (Hertz cap,
 *    Sneddon cone) with the contact radius capped at R_b (flat punch slope
 *    2 E* R_b beyond); a tip pulled back (delta < 0) is held by the shaft
 *    through the flat-punch stiffness 2 E* R_b.
 *
 * Validity: quasi-static crack growth (speeds below the shear wave speed
 * of skin, about 10 m/s), one Prony term, the tip in the surface layer at
 * puncture. Calibration: tests/data/insertion_calibration.md. References:
 * shergold2004, shergold2005, roemgens2014, davis2004, okamura2004,
 * barnett2015, mahvash2010, tada2000 (the slit of T3), lam2008 (validation
 * of T3), beuth1992
 * (models/REFERENCES.md). */
#ifndef NS_INS_TIPLAW_H
#define NS_INS_TIPLAW_H

#include "../params.h"

/* Tip geometry seen by the laws. */
typedef struct {
    int kind;          /* [-]   NS_TIP_CONE, NS_TIP_PYRAMID, NS_TIP_BEVEL, NS_TIP_FLAT */
    double r_t;        /* [m]   tip radius (flat punch: edge radius, unused) */
    double R_b;        /* [m]   outer radius of the shaft */
    double r_i;        /* [m]   bore radius, 0 = solid */
    double half_angle; /* [rad] cone half-angle (bevel: bevel angle) */
    double tip_length; /* [m]   axial length of the tapered tip (loading length l_v) */
} ns_tip_geometry;

enum { NS_TIP_CONE = 0, NS_TIP_PYRAMID, NS_TIP_BEVEL, NS_TIP_FLAT };

/* Tissue of the layer the law acts in. */
typedef struct {
    double Es;  /* [Pa]    plane-strain modulus at t = 0 */
    double Gc;  /* [J/m^2] toughness */
    double g;   /* [-]     relaxing fraction, 0..1 */
    double tau; /* [s]     relaxation time, > 0 */
} ns_tip_tissue;

/* Crack length l_c [m] and contact area A_c [m^2] of T1. */
double ns_tip_crack_length(const ns_tip_geometry *g);
double ns_tip_contact_area(const ns_tip_geometry *g);

/* Secant relaxation factor phi(t) of T2 for a ramp of duration t [s]
 * (t <= 0: 1). */
double ns_tip_relax_factor(const ns_tip_tissue *m, double t);

/* Puncture force F_c [N] of T1 at speed V [m/s] with the calibration
 * kappa [-] and c_p [-]. */
double ns_tip_puncture_force(const ns_tip_geometry *g, const ns_tip_tissue *m, double kappa,
                             double c_p, double V);

/* T1 for a case: the tip geometry of the needle (shape -> kind, bore,
 * half-angle, tip length), the surface layer of the skin and the calibration,
 * at speed V [m/s]. The fast and the continuum insertion
 * models both take their puncture force from here. */
double ns_tip_case_puncture_force(const ns_needle_params *nd, const ns_layer *surface,
                                  const ns_insertion_calib *cb, double V);

/* Mean shaft contact pressure p_s [Pa] of T3 for residence time t [s] and
 * slit factor f = r / c [-] (f_p of a cut that did not tear on). */
double ns_tip_shaft_pressure(const ns_tip_tissue *m, double f_p, double t);

/* Slit factor f = r / c [-] of T3 in this tissue for the calibrated cut
 * factor f_p [-] and the shaft radius r [m]: min(f_p, 4 G_c / (pi E* r)),
 * the wedged slit torn on to the length where its energy release rate
 * falls to the toughness (r <= 0: f_p). */
double ns_tip_slit_factor(const ns_tip_tissue *m, double f_p, double r);

#endif
