/* Clinical indices of a procedure: pinpoint bleeding, pain, exposure of open
 * channels. Each is a stated model with its source and validity; none is a
 * measurement of the patient.
 *
 * 1. Capillary strikes (bleeding_points). The papillary dermis carries
 *    capillary loops of density rho_L ~ 14 /mm2 and diameter d_L ~ 15 um,
 *    never closer than s_min ~ 80 um to each other, whose apex lies
 *    Delta_L ~ 150 um below the dermal-epidermal junction (Blicharz et al.
 *    2018 and the capillaroscopy sources cited there) [blicharz2018]. A
 *    needle whose tissue depth d passes the apex depth
 *        z_L = h_SC + h_VE + Delta_L
 *    cuts the apex plane with its radius at that depth,
 *        r_a = r_n(d - z_L)       (needle radius at distance d - z_L from the tip),
 *    and strikes a loop when a loop centre lies within rho_e = r_a + d_L/2
 *    of its axis. Loops form a stationary hard-core field: a disc of radius
 *    rho_e <= s_min / 2 holds at most one loop centre, so the strike
 *    probability is exactly its expected count
 *        p = rho_L pi rho_e^2                  (rho_e <= s_min / 2)      (1)
 *    and for wider needles, where several loops fit, the Poisson estimate
 *        p = 1 - exp(-rho_L pi rho_e^2)        (rho_e >  s_min / 2)      (2)
 *    (an approximation that ignores the hard core; within 3.5 % of (1) at
 *    the switch). Bleeding points per area = p n_ch (distinct channels).
 *    Validity: needle axis perpendicular to the skin, loops as vertical
 *    cylinders near their apex, a stack with SC, VE and dermis (NaN for the
 *    membrane). Depth d is the insertion model's penetration depth.
 *
 * 2. Pain index (pain_index), relative to a 26-gauge hypodermic needle:
 *    Gill et al. 2008 (volar forearm, 10 subjects, VAS) found scores of 5 to
 *    40 % of the hypodermic, a three-fold increase in length giving about
 *    seven times the pain and a ten-fold increase in the number of needles
 *    just over twice [gill2008]. As a power law,
 *        PI = PI_0 (L / L_0)^a (N / N_0)^b,
 *        a = ln 7 / ln 3 = 1.771,  b = log10(NS_CLIN_PAIN_NUMBER_RATIO) = 0.342,  (3)
 *    anchored at the least painful design, PI_0 = 0.05 at L_0 = 480 um and
 *    N_0 = 1. L is the tissue depth reached (the needles were fully
 *    inserted in the study), N the needles entering the skin at once. Valid
 *    for L in [480, 1450] um and N in [1, 50], the designs tested; outside
 *    the index is extrapolated and flagged (pain_extrapolated = 1). Tip
 *    angle, thickness and width had no significant effect there and do not
 *    enter. The index is per application, not per session.
 *
 * 3. Open area time (open_area_time): the integral over time of the open
 *    channel area per skin area,
 *        E = n_ch pi r_s0^2 integral_0^T f(t)^2 dt                        (4)
 *    with r_s0 the channel surface radius and f the closure factor of
 *    models/channel.h, up to T where f^2 < NS_CLIN_CLOSED_AREA or
 *    NS_CLIN_EXPOSURE_CAP, whichever comes first (a channel that never
 *    closes is counted for one year). Exposure to infection grows with E;
 *    the index carries no infection probability.
 */
#ifndef NS_CLINICAL_H
#define NS_CLINICAL_H

#include "channel.h"
#include "params.h"

#define NS_CLIN_LOOP_DENSITY 14.0e6    /* [1/m^2] capillary loops per area [blicharz2018] */
#define NS_CLIN_LOOP_DIAMETER 15.0e-6  /* [m] loop diameter [blicharz2018] */
#define NS_CLIN_LOOP_SPACING 80.0e-6   /* [m] minimum loop spacing [blicharz2018] */
#define NS_CLIN_LOOP_DEPTH 150.0e-6    /* [m] loop apex below the dermal-epidermal junction */
#define NS_CLIN_PAIN_ANCHOR 0.05       /* [-] PI_0 at L_0, N_0 [gill2008] */
#define NS_CLIN_PAIN_L0 480.0e-6       /* [m] shortest needle tested [gill2008] */
#define NS_CLIN_PAIN_L1 1450.0e-6      /* [m] longest needle tested [gill2008] */
#define NS_CLIN_PAIN_N1 50.0           /* [-] most needles tested [gill2008] */
#define NS_CLIN_PAIN_LENGTH_RATIO 7.0  /* [-] pain ratio for 3x the length [gill2008] */
#define NS_CLIN_PAIN_NUMBER_RATIO 2.2  /* [-] pain ratio for 10x the number: "just over
                                              two-fold" [gill2008], read as 2.2 */
#define NS_CLIN_CLOSED_AREA 1e-8       /* [-] f^2 below which a channel counts as closed */
#define NS_CLIN_EXPOSURE_CAP (365.0 * 86400.0) /* [s] upper limit of eq. (4) */

/* Strike probability of one needle reaching tissue depth d [m], eqs. (1-2);
 * 0 above the loop apex; NaN for a membrane stack. */
double ns_clin_strike_probability(const ns_params *p, double d);

/* Pain index relative to a 26G hypodermic, eq. (3), for tissue depth L [m]
 * and N needles at once; *extrapolated = 1 outside the tested range.
 * 0 for L <= 0 (no insertion). */
double ns_clin_pain_index(double L, double N, int *extrapolated);

/* Needles entering the skin at once for the case's device (stamp and pen:
 * array.count; roller: the needles per row times the rows inside the
 * skin, 2 psi_e rows / (2 pi) with cos psi_e = R / (R + d), at least one
 * row; no device: array.count). */
double ns_clin_needles_at_once(const ns_params *p, double d);

/* Integral of f(t)^2 [s] of eq. (4) for a channel geometry (0 if not open). */
double ns_clin_open_time(const ns_channel_geom *ch);

#endif
