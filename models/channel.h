/* Micro-channel left in the skin by a needle, and its closure over time.
 *
 * Geometry after withdrawal (axisymmetric about the needle axis, z downward
 * from the undeformed skin surface):
 *
 *   depth   d_ch = d_pen - f_rec * max(0, d_pen - h_SC)                   (1)
 *   radius  r0(z) = r_n(d_pen - z) * phi(z),     0 <= z <= d_ch           (2)
 *   closure r(z, t) = r0(z) f(t),  f(t) = 2^(-t / t_half)                 (3)
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
 *   t_half  [s]  closure half-life: ns_channel_params.half_life if finite,
 *                otherwise NS_CHANNEL_HALF_LIFE_OCCLUDED or
 *                NS_CHANNEL_HALF_LIFE_OPEN from ns_channel_params.occluded.
 *
 * Closure law (3): exponential shrinkage of the radius with a half-life.
 *   Non-occluded human skin reseals within about 2 h (impedance; Gupta et al.
 *   2011, J Control Release 154:148). Reading "resealed" as the radius down to
 *   10 % gives t_half = 2 h / log2(10) = 2167 s.
 *   Occluded human skin (arm, forearm, abdomen; n = 35) closes in 58-63 h with
 *   a half-life of 20-26 h (PMC8259462, 2021); the mid value 23 h is used.
 *   Age (slower recovery in the elderly: Kelchen et al. 2016, J Control
 *   Release 225:294) enters only through an explicit half_life.
 *
 * The profile is tabulated at NS_CHANNEL_NPROF equally spaced depths
 * z[k] = d_ch k / (n - 1) and interpolated linearly.
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

/* [-] default floor recovery fraction f_rec of eq. (1) (calibration constant,
 * config key channel.floor_recovery). */
#define NS_CHANNEL_FLOOR_RECOVERY 0.1
/* [s] half-life of a non-occluded channel: 2 h / log2(10) (Gupta et al. 2011). */
#define NS_CHANNEL_HALF_LIFE_OPEN (2.0 * 3600.0 / 3.321928094887362)
/* [s] half-life of an occluded channel: 23 h, mid of 20-26 h (PMC8259462). */
#define NS_CHANNEL_HALF_LIFE_OCCLUDED (23.0 * 3600.0)

typedef struct {
    int open;              /* [-] 1 if a channel exists (SC punctured) */
    double depth;          /* [m] channel depth d_ch, eq. (1) */
    double radius_surface; /* [m] radius at the surface at t = 0, r0(0) */
    double half_life;      /* [s] closure half-life t_half, eq. (3) */
    size_t n;              /* [-] profile points used (<= 64) */
    double z[64];          /* [m] depths of the profile, z[0] = 0, z[n-1] = depth */
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

/* Closure factor f(t) = 2^(-t / t_half) of eq. (3) [-]. */
double ns_channel_closure(const ns_channel_geom *g, double t);

/* Lateral wall area [m^2] of the channel at t = 0 (the frustum surfaces of
 * the tabulated profile r0(z)): the needle surface wetted in the skin, which
 * carries a coating. 0 when the geometry is not open. */
double ns_channel_wall_area(const ns_channel_geom *g);

#endif
