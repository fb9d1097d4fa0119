/* The procedure layer: how many channels a treatment leaves per skin area,
 * where they sit, and how sessions follow one another.
 *
 * needlesim solves one stroke of one needle in a periodic cell. A treatment
 * is many strokes: a roller drum rolled over the cheek, a pen glided over the
 * face, a stamp pressed several times. The [procedure] section
 * (ns_procedure_params) describes the device and how it is used; this module
 * turns it into the population of channels that the transport then sees.
 *
 * Punctures per area and pass, n1 [1/m^2]:
 *   roller  n1 = N / (2 pi R W)                                           (1)
 *           N = array.count needles on a drum of radius R (applicator.drum_radius) and
 *           width W (procedure.drum_width): one turn of the drum covers
 *           2 pi R W of skin and leaves N punctures [doddaballapur2009];
 *   pen     rate  = N f   [1/s]                                           (2)
 *           n1 = N f / (v w)                                              (3)
 *           N = array.count needles in the cartridge, f the stroke frequency
 *           (applicator.frequency), v the glide speed and w the swath
 *           width: a pass sweeps v w of skin per second;
 *   stamp   n1 = array.density of the needles that punctured (one press of
 *           the patch over its area): the case passes f_p x array.density,
 *           f_p the patch's punctured_fraction (a finite patch's edge ring
 *           may stay on the skin, models/insertion/patch.c; sim/procedure.c),
 *           so a patch where 30 % of the needles puncture has 30 % of the
 *           punctures, coverage and channels.
 * Total after P passes: n = P n1.                                          (4)
 *
 * Placement: successive passes land at offsets independent of each other and
 * uniform over the lattice of the device, and a pen's strokes follow the hand,
 * not a lattice. The union of the punctures is taken as a Poisson field of
 * density n (a lattice with a uniform random offset hits any disc of radius
 * below half its pitch with probability n1 pi r^2, exactly as the Poisson
 * field does; the direction of a pass does not enter these expectations,
 * which is why the model has no pass-direction key). Then:
 *   nearest-neighbour spacing s:  P(s > x) = exp(-n pi x^2)               (5)
 *     mean 1 / (2 sqrt(n)), q-quantile sqrt(-ln(1 - q) / (pi n));
 *   re-hit: a needle re-enters an existing wound when its axis lies within
 *     d = 2 r_w of an earlier puncture (r_w the needle radius at the skin
 *     surface at full depth). For passes (roller, stamp) pass k meets the
 *     density (k - 1) n1 of the earlier passes:
 *       h = (1/P) sum_{k=1..P} [1 - exp(-(k - 1) n1 pi d^2)]              (6)
 *     and for a pen, whose density grows continuously,
 *       h = 1 - (1 - exp(-x)) / x,   x = n pi d^2                         (7)
 *     (the mean of 1 - exp(-x') over x' uniform in [0, x]);
 *   distinct channels:   n_ch = n (1 - h)                                 (8)
 *   area fraction opened by channels of surface radius a:
 *       coverage = 1 - exp(-n_ch pi a^2)                                  (9)
 *     (Boolean model of overlapping discs).
 * The transport then runs in the equal-area cell of the achieved population,
 * R_c = 1 / sqrt(pi n_ch), not in the cell of the device's own needle pitch.
 *
 * Time of a session: pen  T = P A / (v w), roller T = P A / (W v_roll)
 * (v_roll = applicator.speed), stamp: no duration (NaN).                  (10)
 *
 * Sessions: S sessions (procedure.sessions) start every Delta t
 * (procedure.interval). The channels of one session are open to the fraction
 * f(Delta t) (models/channel.h closure) when the next starts; the barrier
 * counts as recovered once f <= NS_PROC_RESEALED_FRACTION, the reading of
 * "resealed" used for the closure half-life in models/channel.h (radius down
 * to 10 %). A next session that starts earlier is flagged. Each session is
 * the same case (the skin recovered); the delivered dose per session is the
 * amount that left the vehicle into or through the skin in the run, the total
 * S times that (a lower bound when a session starts before recovery).
 * Long-term remodelling (collagen induction, thickening of the epidermis over
 * months) is out of scope: the skin of session S is the skin of session 1.
 *
 * Depth spread over the needles of the device (mean, 10th and 90th
 * percentile of the tissue depth). A rigid drum rolling on flat skin gives
 * every needle the same history (each row passes the bottom of the drum,
 * where its tip is L below the axis line, with the same rows around it: the
 * oblique entry at cos(psi_e) = R / (R + L) and the exit are the same for
 * all), so on flat skin the spread is zero by symmetry; the same holds for
 * the strokes of a pen at its setting and for the needles of a stamp in the
 * insertion model's periodic cell. A finite patch's centre and edge rings
 * belong to the insertion layer: on a flat site a stamp's spread is the
 * insertion's penetration_depth_mean/_p10/_p90 when it gives them
 * (sim/procedure.c). What does spread the needles is the
 * curvature of the site across the device: a straight drum or flat patch of
 * width W on skin curved with radius rho (procedure.site_radius) touches at
 * its centre and stands off by the sagitta
 *   delta(y) = y^2 / (2 rho),   |y| <= W / 2,                             (11)
 * at the needle at y, which reaches d - delta(y) (at least 0). With y
 * uniform over the width, delta = delta_max u^2, u uniform in [0, 1],
 * delta_max = W^2 / (8 rho): mean depth d - delta_max / 3, the q-quantile
 * of the depth d - delta_max (1 - q)^2. W is the drum width (roller), the
 * patch width sqrt(array.count / array.density) (stamp) and 0 for a pen
 * (its face is a few mm and follows the skin). rho auto: flat (no spread).
 *
 * Validity: independent passes (no systematic track overlap), punctures
 * small against their spacing for (6)-(7) to be a re-hit and not a merged
 * wound field (x below about 1); eq. (11) for delta_max small against rho.
 *
 * References: Doddaballapur S. Microneedling with dermaroller. J Cutan
 * Aesthet Surg 2009;2:110-111 (192 needles, 15 passes, about 250 punctures
 * per cm2, quoting Fernandes) [doddaballapur2009]; Stoyan, Kendall & Mecke,
 * Stochastic Geometry and its Applications (1995), ch. 2-3 (Poisson and
 * Boolean models) [stoyan1995].
 */
#ifndef NS_PROCEDURE_H
#define NS_PROCEDURE_H

#include <stddef.h>

#include "channel.h"
#include "insertion.h"
#include "params.h"
#include "preset.h"
#include "status.h"

/* [-] channel radius fraction f at which the barrier counts as recovered
 * (models/channel.h: "resealed" read as the radius down to 10 %). */
#define NS_PROC_RESEALED_FRACTION 0.1

/* Device presets (procedure.preset; catalogue and sources in
 * models/procedure_presets.c): fill the procedure, applicator, array and
 * needle keys the named device implies into *out, leaving every other field.
 * Exceptions: NS_EINVAL for an unknown name (the valid names in the
 * message, key procedure.preset recorded). */
ns_status ns_proc_preset(const char *name, ns_params *out);
size_t ns_proc_preset_count(void);
/* Name of preset i, NULL past the end. */
const char *ns_proc_preset_name(size_t i);
/* Provenance of the named preset (models/preset.h); 0 for an unknown name. */
size_t ns_proc_preset_sources(const char *name, const ns_source_note **notes);

/* Device kind <-> config text (none stamp roller pen); _name NULL past the end. */
const char *ns_proc_device_name(ns_device_kind d);

/* Fill procedure.nerve_depth when NaN (middle of the viable epidermis; the
 * membrane: half its thickness). Idempotent. Exceptions: none (NS_OK). */
ns_status ns_proc_derive(ns_params *p);

/* Cross-field rules of a procedure: roller needs applicator.mode = roller
 * and array.layout = roller, pen needs applicator.mode = pen, stamp needs a
 * press or impact on a square or hexagonal array; rows <= needles; no device
 * on intact skin (array.layout = none); with a drug.effect_threshold the
 * nerve depth inside the modelled depth. Messages name the keys.
 * Exceptions: NS_EINVAL. */
ns_status ns_proc_check(const ns_params *p);

typedef struct {
    double density_per_pass;  /* [1/m^2] n1, eqs. (1), (3) */
    double density;           /* [1/m^2] n = P n1, eq. (4) */
    double rate;              /* [1/s]   pen puncture rate N f, eq. (2); NaN otherwise */
    double rehit_fraction;    /* [-]     h, eqs. (6)-(7) */
    double channel_density;   /* [1/m^2] n_ch, eq. (8) */
    double coverage;          /* [-]     eq. (9) */
    double spacing_mean;      /* [m]     mean nearest-neighbour spacing, eq. (5); NaN if n = 0 */
    double spacing_p10;       /* [m]     10th percentile of the spacing */
    double spacing_p90;       /* [m]     90th percentile of the spacing */
    double cell_radius;       /* [m]     1 / sqrt(pi n_ch); infinite if n_ch = 0 */
    double duration;          /* [s]     time of one session, eq. (10); NaN for a stamp */
    double punctures;         /* [-]     n A: punctures over the treated area per session */
} ns_proc_result;

/* Eqs. (1)-(10) for the case's device. r_wound [m]: needle radius at the
 * skin surface (re-hit distance 2 r_wound); r_channel [m]: channel surface
 * radius after withdrawal (coverage). Exceptions: NS_EINVAL (no device,
 * NULL argument, negative radii). */
ns_status ns_proc_eval(const ns_params *p, double r_wound, double r_channel, ns_proc_result *out);

/* q-quantile of the nearest-neighbour spacing of a Poisson field of density
 * n [1/m^2], eq. (5) [m]; NaN for n <= 0 or q outside (0, 1). */
double ns_proc_spacing_quantile(double n, double q);

/* Depth statistics over the needles of the device (eq. 11): mean, 10th and
 * 90th percentile [m] of the tissue depth, from the depth d [m] of one
 * insertion solve (flat site: all three equal d). */
void ns_proc_depth_spread(const ns_params *p, double d, double *mean, double *p10, double *p90);

/* Sessions: residual open fraction f(interval) of the previous session's
 * channels [-] and 1 if the next session starts before the barrier has
 * recovered (f > NS_PROC_RESEALED_FRACTION), else 0; with one session
 * *residual = NaN and *early = 0. */
void ns_proc_sessions(const ns_params *p, const ns_channel_geom *ch, double *residual,
                      int *early);

#endif
