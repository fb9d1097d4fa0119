/* Micro-channel left in the skin by a needle, and its closure over time.
 *
 * Geometry after withdrawal (axisymmetric about the needle axis, z downward
 * from the undeformed skin surface):
 *
 *   depth   d_ch = d_pen - f_rec * max(0, d_pen - h_SC)                   (1)
 *   radius  r0(z) = r_n(d_pen - z) * phi(z),     0 <= z <= d_ch           (2)
 *   closure r(z, t) = r0(z) f(z, t),  f = 2^(-t / t_b) for z < h_SC      (3)
 *                                       f = 2^(-t / t_p) for z >= h_SC
 *
 * Symbols:
 *   d_pen   [m]  penetration depth from the insertion result (deepest tip
 *                position below the undeformed surface at the needle)
 *   h_SC    [m]  stratum corneum thickness (layer 0; 0 for the membrane preset,
 *                whose single layer is treated as soft)
 *   f_rec   [-]  floor recovery fraction channel.floor_recovery (default
 *                NS_CHANNEL_FLOOR_RECOVERY): the part
 *                of the cut below the SC that the soft viable tissue closes
 *                again at the channel floor as the needle withdraws (the SC
 *                tears and stays open; the softer layers recoil). Han & Das
 *                2015 (J Pharm Sci) report channels much shallower than the
 *                needle; most of that loss is tenting (already in d_pen); the
 *                remaining floor recovery is a calibration constant, 0.1 here.
 *   r_n(s)  [m]  outer needle radius at distance s from the tip
 *                (ns_needle_radius_at, models/needle.h)
 *   phi(z)  [-]  open fraction of the layer at depth z (ns_layer.open_fraction)
 *   t_b     [s]  barrier recovery half-life of the radius in the SC (the
 *                channel mouth: hours), t_p [s] pore closure half-life below
 *                it (viable tissue: up to days); both equal
 *                ns_channel_params.half_life when that is finite.
 *
 * Closure law (3): exponential shrinkage of the radius, barrier recovery in
 * the SC kept apart from pore closure below. The impedance and TEWL studies
 * measure the open (permeable) area, which goes as r^2: an area half-life
 * T_A is a radius half-life 2 T_A, and "closed" (area to 10 %) after T_c
 * gives T_A = T_c / log2(10).
 *   Barrier, human, not occluded: every site resealed within 2 h (impedance,
 *     Gupta et al. 2011, J Control Release 154:148): t_b = 2 (2 h / log2 10)
 *     = 4335 s.
 *   Barrier, rat, not occluded: TEWL back to baseline 4-5 h after a 370 or
 *     770 um Dermaroller (Kalluri, Kolli & Banga 2011, AAPS J 13:473): 4.5 h,
 *     t_b = 9754 s, independent of the needle length.
 *   Pore, not occluded: calcein imaging shows the pores closed by 12 h (370 um
 *     needles) and 18 h (770 um) in the rat (Kalluri 2011): t_p = 2 (18 h /
 *     log2 10) = 39013 s at L_ref = 770 um, scaled with the needle length as
 *     (L / L_ref)^0.553 (0.553 = ln(18/12) / ln(770/370)); longer needles
 *     reseal more slowly in humans too (Gupta 2011; Kelchen et al. 2016). The
 *     human pore uses the rat law (no human pore imaging; assumption).
 *   Occluded (human arm, forearm, abdomen, n = 35): micropore half-life
 *     20-26 h by impedance (PMC8259462, 2021; the area), so t_b = t_p =
 *     2 x 23 h: occlusion keeps the barrier from recovering ahead of the
 *     pore. The same for the rat (assumption: its occluded closure is
 *     "delayed significantly", Kalluri 2011, without a number).
 *     Consistent with steady delivery within 2 h kept for at least 48 h under
 *     occlusion (Wermeling et al. 2008, PNAS 105:2058; validation test).
 *   Age (skin.age; unset = the young adults of the studies): closure is
 *     slower in the elderly (77 y against 26 y) under occlusion and without
 *     (Kelchen et al. 2016, J Control Release 225:294, impedance); both
 *     half-lives are multiplied by 1 + max(0, age - 30) / 47, i.e. x2 at
 *     77 y, 1 for the young adults (20-30 y) of the studies (the factor 2 is
 *     an assumption: the abstract gives no number).
 *
 * Profile table: r0(z) is tabulated at up to NS_CHANNEL_NPROF depths z[k],
 * non-decreasing: m = NPROF - 2 n_i equal depths d_ch k / (m - 1), and each
 * of the n_i layer interfaces z_i inside (0, d_ch) (farther than
 * NS_CHANNEL_ZTOL d_ch from both ends) twice, first with the open fraction
 * of the layer above, then with that of the layer below (an equal depth
 * within NS_CHANNEL_ZTOL d_ch of an interface is left out: the pair stands
 * for it). Between points r0 is linear in z; at an
 * interface pair the radius is the lower layer's for z >= z_i, the upper
 * layer's (its limit) for z < z_i, so the step of phi at the base of the SC
 * is kept sharp instead of being smeared over one spacing d_ch / (n - 1)
 * (which made a deeper channel with the same mouth deliver less: its SC part
 * narrowed over a longer spacing). The upper point of a pair closes with the
 * layer above (t_b at the SC base). The channel floor at z = d_ch takes the
 * open fraction of the layer cut (the upper one when d_ch is on an
 * interface). ns_channel_wall_area counts no wall at a pair (the step is a
 * ledge of the open fraction, not needle surface).
 *
 * Validity: rigid needle withdrawn along its axis, channel axisymmetric, the
 * tenting recovered elastically (the channel depth is measured in the
 * undeformed skin). Hole shapes in real skin vary (star-shaped tears in the
 * SC); r0 is an equivalent (equal-area) radius. No puncture -> open = 0.
 */
#ifndef NS_CHANNEL_H
#define NS_CHANNEL_H

#include <stddef.h>

#include "insertion.h"
#include "params.h"
#include "status.h"

#define NS_CHANNEL_NPROF 64
/* [-] an equal-depth profile point this close to an interface (relative to
 * the channel depth) is left out for the interface pair. */
#define NS_CHANNEL_ZTOL 1e-9

/* [-] default floor recovery fraction f_rec of eq. (1) (calibration constant,
 * config key channel.floor_recovery). */
#define NS_CHANNEL_FLOOR_RECOVERY 0.1
/* [s] radius half-life of the barrier of a non-occluded human site:
 * 2 x (2 h / log2 10) (Gupta et al. 2011; eq. 3 note on area and radius). */
#define NS_CHANNEL_HALF_LIFE_OPEN (2.0 * 2.0 * 3600.0 / 3.321928094887362)
/* [s] the same for the rat: 2 x (4.5 h / log2 10) (Kalluri et al. 2011). */
#define NS_CHANNEL_HALF_LIFE_OPEN_RAT (2.0 * 4.5 * 3600.0 / 3.321928094887362)
/* [s] pore radius half-life, not occluded, at NS_CHANNEL_PORE_LREF:
 * 2 x (18 h / log2 10) (Kalluri et al. 2011). */
#define NS_CHANNEL_PORE_HALF_LIFE_OPEN (2.0 * 18.0 * 3600.0 / 3.321928094887362)
#define NS_CHANNEL_PORE_LREF 770e-6      /* [m] needle length of that value */
#define NS_CHANNEL_PORE_LEXP 0.553       /* [-] ln(18/12) / ln(770/370) */
/* [s] radius half-life of an occluded site: 2 x 23 h, the area half-life
 * mid of 20-26 h (PMC8259462). */
#define NS_CHANNEL_HALF_LIFE_OCCLUDED (2.0 * 23.0 * 3600.0)
/* Age factor 1 + max(0, age - AGE0) / AGE_SPAN [years] (Kelchen 2016). */
#define NS_YEAR (365.25 * 86400.0) /* [s] */
#define NS_CHANNEL_AGE0 30.0
#define NS_CHANNEL_AGE_SPAN 47.0

typedef struct {
    int open;              /* [-] 1 if a channel exists (SC punctured) */
    double depth;          /* [m] channel depth d_ch, eq. (1) */
    double radius_surface; /* [m] radius at the surface at t = 0, r0(0) */
    double half_life;      /* [s] barrier (SC, channel mouth) radius half-life t_b, eq. (3) */
    double half_life_pore; /* [s] pore (below the SC) radius half-life t_p; 0: = half_life */
    double z_barrier;      /* [m] depth of the SC base: above it t_b, below t_p */
    size_t n;              /* [-] profile points used (<= 64) */
    double z[64];          /* [m] depths of the profile, non-decreasing, z[0] = 0,
                              z[n-1] = depth; interfaces twice ("Profile table") */
    double r0[64];         /* [m] radius profile at t = 0 at depths z */
} ns_channel_geom;

/* Channel geometry from the parameters and one insertion result, eqs. (1-3).
 * No puncture (ins->punctured == 0 or penetration_depth <= 0) gives open = 0,
 * depth = radius_surface = 0 and the half-life still filled in.
 * exceptions: NS_EINVAL for a NULL argument, a negative or non-finite
 * penetration depth, an open fraction outside [0, 1] or a non-positive
 * explicit half-life. */
ns_status ns_channel_eval(const ns_params *p, const ns_ins_result *ins, ns_channel_geom *out);

/* Channel radius [m] at depth z [m] and time t [s] after withdrawal, eq. (3):
 * 0 outside 0 <= z <= depth or when the geometry is not open. */
double ns_channel_radius_at(const ns_channel_geom *g, double z, double t);

/* Closure factor of the channel mouth (the SC barrier) f = 2^(-t / t_b) of
 * eq. (3) [-]: the open surface radius fraction. */
double ns_channel_closure(const ns_channel_geom *g, double t);

/* Closure factor at depth z [m] (eq. 3: t_b above z_barrier, t_p below). */
double ns_channel_closure_at(const ns_channel_geom *g, double z, double t);

/* The geometry as it is t [s] after withdrawal, as a new origin of time:
 * out->r0 = g->r0 f(z, t) (eq. 3; exact for the exponential law, whose
 * later closure then continues with the same half-lives). Used for a vehicle
 * applied a delay after needling (drug.applied_delay). out may alias g. */
void ns_channel_after(const ns_channel_geom *g, double t, ns_channel_geom *out);

/* Species names for the config ("human", "rat"); NULL past the end. */
const char *ns_species_name(ns_species s);

/* Largest closure factor over the depth, max(f_b, f_p) [-]: once the widest
 * radius times this is below the solute, the whole channel is closed. */
double ns_channel_closure_max(const ns_channel_geom *g, double t);

/* Closure time of the channel to a solute [s]: the first time t (to the
 * last double) at which r_max f_max(t) < a, i.e. t_max log2(r_max / a) with
 * t_max = max(t_b, t_p) (eq. 3), after which no part of a channel whose
 * widest radius is r_max [m] admits a solute of radius a [m]. 0 when
 * r_max < a already; INFINITY when the channel never closes (a half-life of
 * 1e30 s or more, or not finite) or the geometry is not open. */
double ns_channel_closed_time(const ns_channel_geom *g, double r_max, double a);

/* Lateral wall area [m^2] of the channel at t = 0 (the frustum surfaces of
 * the tabulated profile r0(z)): the needle surface wetted in the skin, which
 * carries a coating. 0 when the geometry is not open. */
double ns_channel_wall_area(const ns_channel_geom *g);

#endif
