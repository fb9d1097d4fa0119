/* Needle, array and applicator: geometry and the quantities derived from it.
 *
 * Symbols (SI):  L length from base plate to tip [m]; D_b base diameter (pyramid:
 * base width w) [m]; R_b = D_b/2; r_t tip radius [m]; alpha full included tip
 * angle [rad] (bevelled: bevel angle between bevel plane and axis); d_i bore
 * diameter [m]; E modulus [Pa]; K effective-length factor [-]; s distance from
 * the tip along the axis [m].
 *
 * 1. Radius profile r(s) (axisymmetric equivalent; the insertion and channel
 *    models see the needle only through r(s)).
 *    Conical (sphero-cone): a spherical cap of radius r_t tangent
 *    to a cone of half-angle a = alpha/2. The tangent point lies at
 *        s_t = r_t (1 - sin a),  r(s_t) = r_t cos a,
 *    and
 *        r(s) = sqrt(s (2 r_t - s))             0 <= s <= s_t   (cap)
 *        r(s) = r_t cos a + (s - s_t) tan a     s_t <= s <= s_b  (cone)
 *        r(s) = R_b                             s >= s_b         (shaft)
 *    with s_b = s_t + (R_b - r_t cos a)/tan a the tip length. r and dr/ds are
 *    continuous at s_t (tangency); r is continuous at s_b. A conical
 *    microneedle is the same profile with s_b close to L (a cone on a short
 *    pedestal when s_b < L), and a sharp shaft needle (dermaroller, pen) is
 *    the same profile with an explicit tip angle.
 *    Cylindrical: a flat-ended punch, the face of radius R_b - r_e joined to
 *    the shaft by an edge of radius r_e = min(r_t, R_b):
 *        r(s) = R_b - r_e + sqrt(s (2 r_e - s))   s < r_e,   R_b beyond,
 *    tip length r_e (a blunt punch: Shergold & Fleck 2005). ns_needle_check requires s_b <= L.
 *    Pyramidal: a square pyramid of face-to-face angle alpha and base width w
 *    is replaced by the cone of equal cross-sectional area at every s:
 *        R_b,eq = w / sqrt(pi),  tan a_eq = (2/sqrt(pi)) tan(alpha/2),
 *    with the same spherical tip of radius r_t. Perimeter (for friction) is
 *    larger than the equal-area circle's by 4/(2 sqrt(pi)) = 1.128; the shaft
 *    area applies that factor. Bending uses the square's I = w(s)^4/12.
 *    Bevelled (hypodermic): a tube of outer radius R_b cut by a plane at angle
 *    beta = alpha to the axis. At distance s from the tip the solid section is
 *    a circular segment of height h = min(s tan beta, 2 R_b) with area
 *        A(h) = R_b^2 acos(1 - h/R_b) - (R_b - h) sqrt(2 R_b h - h^2);
 *    the equivalent radius is r(s) = max( sqrt(A(h)/pi), cap(s) ) with the tip
 *    cap cap(s) = sqrt(s (2 r_t - s)) for s < r_t, r_t beyond. The bevel length
 *    is 2 R_b / tan beta. The lumen is ignored in r(s) (it is the outer
 *    envelope that cuts and rubs) but not in the bending stiffness.
 *    Approximation: the real bevel tip is off-axis and cuts a curved slit;
 *    the axisymmetric equivalent keeps the cross-sectional area, not the shape.
 *
 * 2. Tip contact area A_tip = pi r_t^2 for every shape (projected area of the
 *    rounded tip; the tip radius is the measured sharpness parameter of
 *    Davis et al. 2004 and Shergold & Fleck 2004).
 *
 * 3. Euler buckling of the needle as a column clamped in the base plate and
 *    loaded axially at the tip:
 *        P_cr = pi^2 E I_eff / (K L)^2,        default K = 2 (fixed-free).
 *    For a uniform section I_eff = I = pi (D^4 - d_i^4) / 64. For a tapered
 *    needle, I_eff is the Rayleigh-quotient equivalent of a cantilever with
 *    the uniform-column mode y(x) = 1 - cos(pi x / (2L)), x from the base:
 *        I_eff = (2/L) int_0^L I(x) cos^2(pi x / (2L)) dx
 *    (exact for uniform I, an upper-bound estimate otherwise, weighting the
 *    stiff base). I(x) of the solid circle pi r^4/4 (pyramid: w^4/12) minus
 *    the bore pi r_i^4/4 with r_i = min(d_i/2, r). Integrated by composite
 *    Simpson on 2000 intervals (the profile is smooth except at two kinks;
 *    error < 1e-6 relative, well below the spread of K). I_eff depends on the
 *    geometry only (shape, length, diameters, tip radius and angle), so each
 *    thread keeps the last geometry's I_eff: a sweep that does not vary the
 *    needle integrates once, a punctured case (result and insertion margin)
 *    once instead of twice; P_cr itself is evaluated on every call, so the
 *    result is the same bits as without the memo. Validity: slender
 *    elastic column, ideal axial load; real microneedles also fail by tip
 *    crushing (strength) and are loaded off-axis when the skin tents.
 *
 * 4. Lateral (shaft) area of the first `depth` metres from the tip:
 *        S(depth) = int_0^depth 2 pi r(s) sqrt(1 + r'(s)^2) ds.
 *    Sphero-cone shapes in closed form (spherical zone 2 pi r_t s, cone
 *    frustum pi (r1 + r2) l, cylinder 2 pi R_b l); the bevel by a polyline of
 *    4000 segments (error O(n^-2)). Pyramids: times the perimeter factor 1.128.
 *
 * 5. Array. Density n [1/m^2] and pitch p [m]:
 *        square     n = 1 / p^2,   hexagonal  n = 2 / (sqrt(3) p^2),
 *        roller     square pattern on the drum surface,
 *        single     no neighbours: n = 0, p = +inf.
 *    Equal-area unit cell around one needle: R_c = 1/sqrt(pi n) (+inf for
 *    single). Needles overlap unless p > D_b.
 *
 * 6. Needles in contact. press / impact / pen: all `count` needles.
 *    roller: the drum of radius R_d carries `count` needles spread evenly over
 *    its circumference (in rows along the drum); pressed until the drum
 *    surface touches the skin, a needle at angle theta from the vertical has
 *    its tip below the undeformed surface when (R_d + L) cos theta >= R_d, so
 *    the contact arc is 2 theta_c with theta_c = acos(R_d / (R_d + L)) and
 *        N_contact = count theta_c / pi.
 *    (Upper bound: the skin is assumed to reach the drum; MF8: 31 of 192.)
 *
 * References (models/REFERENCES.md): schwarz2011, davis2004, shergold2004,
 * park2005, timoshenko1961, iso9626.
 */
#ifndef NS_NEEDLE_H
#define NS_NEEDLE_H

#include <stddef.h>

#include "params.h"
#include "preset.h"
#include "skin.h"
#include "status.h"

/* Needle presets: dermaroller, pen_cartridge, microneedle_steel,
 * microneedle_polymer, hypodermic_30g. NS_EINVAL for unknown (lists names). */
ns_status ns_needle_preset(const char *name, ns_needle_params *out);
size_t ns_needle_preset_count(void);
const char *ns_needle_preset_name(size_t i);
size_t ns_needle_preset_sources(const char *name, const ns_source_note **notes);

/* Enum <-> config text. _name returns NULL for an out-of-range value;
 * _parse returns NS_EINVAL (message lists the valid names) for unknown text. */
const char *ns_needle_shape_name(ns_needle_shape s); /* conical pyramidal bevelled cylindrical */
ns_status ns_needle_shape_parse(const char *s, ns_needle_shape *out);
const char *ns_array_layout_name(ns_array_layout l); /* none single square hexagonal roller */
ns_status ns_array_layout_parse(const char *s, ns_array_layout *out);
const char *ns_applicator_mode_name(ns_applicator_mode m); /* press impact pen roller */
ns_status ns_applicator_mode_parse(const char *s, ns_applicator_mode *out);

/* Validate a needle: length > 0, base_diameter > 0, 0 < tip_radius <
 * base_diameter/2, tip_angle in (0, pi), 0 <= bore_diameter < base_diameter,
 * youngs_modulus > 0, strength > 0, buckling_k > 0, and the tapered tip no
 * longer than the needle (tip length <= length). Exceptions: NS_EINVAL. */
ns_status ns_needle_check(const ns_needle_params *p);

/* Fill derived needle fields: a NaN tip_angle of a conical, pyramidal or
 * cylindrical needle becomes the angle whose sphero-cone reaches the base
 * radius exactly at s = length (a full cone; found by bisection to 1e-12 rad),
 * so that sweeping needle.length keeps a valid cone. Bevelled needles need an
 * explicit angle. Exceptions: NS_EINVAL (NaN angle on a bevel, or geometry that
 * admits no cone: tip_radius >= base radius or length <= 0). */
ns_status ns_needle_derive(ns_needle_params *p);

/* Outer (equivalent) radius at distance s >= 0 from the tip [m] (section 1).
 * s < 0 gives 0; s > length gives the base radius. */
double ns_needle_radius_at(const ns_needle_params *p, double s);

/* Equivalent base radius [m]: D_b/2 (pyramid: w/sqrt(pi)). */
double ns_needle_base_radius(const ns_needle_params *p);

/* Projected tip contact area pi r_t^2 [m^2] (section 2). */
double ns_needle_tip_area(const ns_needle_params *p);

/* Axial length of the tapered part s_b [m] (bevel: 2 R_b / tan beta). */
double ns_needle_tip_length(const ns_needle_params *p);

/* Second moment of area of the section at distance s from the tip [m^4]. */
double ns_needle_second_moment(const ns_needle_params *p, double s);

/* Euler buckling load [N] (section 3). */
double ns_needle_buckling_load(const ns_needle_params *p);

/* Fracture load of the needle [N] (section 3b): the tip force, at angle
 * theta [rad] to the needle axis, at which the largest stress of a section
 * at distance s from the tip reaches the strength sigma_s,
 *     F_f = sigma_s / max_s [ cos(theta) / A(s) + sin(theta) s r(s) / I(s) ],
 * A(s) = pi (r^2 - r_i^2) the load-bearing wall (pyramid: the square), I(s)
 * the second moment; s from 5 r_t to L on 400 quadratically spaced
 * sections (the apex within a few tip radii carries only the contact load
 * ahead of it, and its crushing blunts the tip rather than breaking it). theta = 0: axial crushing of the tip,
 * which grows with wall thickness and wall angle (Davis et al. 2004);
 * theta > 0: the bending of an oblique entry (roller) adds the moment of
 * the lateral force. Validity: elastic-brittle section, no stress
 * concentration factor; Euler buckling (section 3) is separate. */
double ns_needle_fracture_load(const ns_needle_params *p, double theta);

/* Tip load [N] at angle theta that breaks the section at distance s from the
 * tip, sigma_s / (cos(theta)/A(s) + sin(theta) s r(s)/I(s)) (INFINITY where
 * the section has no area). */
double ns_needle_section_strength(const ns_needle_params *p, double s, double theta);

/* Lateral area of the first `depth` metres from the tip [m^2] (section 4);
 * depth is clipped to [0, length]. */
double ns_needle_shaft_area(const ns_needle_params *p, double depth);

/* Fill the derived array fields (section 5): NaN density from pitch or NaN
 * pitch from density; both given must agree to 1e-9 relative; single/none:
 * density 0, pitch +inf, count 1 if NaN. Checks count >= 1 and that needles do
 * not overlap (pitch > base diameter; the message names array.density in /cm2
 * and the largest density allowed). Exceptions: NS_EINVAL. */
ns_status ns_array_derive(ns_array_params *a, const ns_needle_params *n);

/* Unit-cell radius R_c = 1/sqrt(pi n) [m]; +inf for single/none or n <= 0. */
double ns_array_unit_cell_radius(const ns_array_params *a);

/* Needles that load the skin at once (section 6). */
double ns_array_needles_in_contact(const ns_array_params *a, const ns_applicator_params *ap,
                                   const ns_needle_params *n);

/* Validate an applicator for its mode: all modes speed > 0; press force > 0,
 * stroke > 0, hold_time >= 0; impact mass > 0, stroke > 0; pen frequency > 0,
 * depth_setting > 0; roller drum_radius > 0, force > 0. Unused fields are not
 * checked. Exceptions: NS_EINVAL. */
ns_status ns_applicator_check(const ns_applicator_params *ap);

#endif
