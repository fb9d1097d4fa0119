/* Defaults, whole-case validation and derivation of the parameter set.
 *
 * Order of use (sim/config): ns_params_default -> presets and config overrides
 * -> ns_params_derive -> ns_params_check -> models. ns_params_derive fills the
 * fields marked "NaN = derive" in params.h and is idempotent: explicit values
 * are never overwritten.
 *
 * The default case (a complete, valid case on its own):
 *   skin forearm; needle microneedle_steel; array single; applicator press at
 *   1 mm/s to a 10 N cap (stroke 2 mm, hold 0 s); drug caffeine, infinite dose
 *   at 10 mg/mL; channel non-occluded (half-life NaN = from occlusion);
 *   transport 24 h, 50 log-spaced output times, sink at the bottom, depth NaN
 *   (= SC + VE + dermis); numerics as listed in defaults.c; insertion
 *   calibration crack_width_factor 1, spreading_factor 1, damping_ratio 0.05,
 *   plate_stiffness NaN (owned and documented by models/insertion).
 */
#ifndef NS_DEFAULTS_H
#define NS_DEFAULTS_H

#include "params.h"
#include "status.h"

/* Fill *p with the default case described above. */
void ns_params_default(ns_params *p);

/* Fill derived NaN fields: needle tip angle (ns_needle_derive), array
 * density/pitch (ns_array_derive), drug radius
 * (ns_drug_stokes_radius), layer D and K (ns_drug_fill_layers), transport
 * depth (SC + VE + dermis; the membrane thickness for a membrane stack).
 * Exceptions: NS_EINVAL (propagated from the derivations). */
ns_status ns_params_derive(ns_params *p);

/* Validate the whole case: every module check (skin, needle, array,
 * applicator, drug) plus cross-field checks: array density does not make
 * needles overlap, pen depth_setting <= needle length, transport depth within
 * the skin, duration > 0, output_times >= 2, numerics in range, derived fields
 * present (call ns_params_derive first). Messages name the config key
 * (section.key) and the allowed range. Exceptions: NS_EINVAL. */
ns_status ns_params_check(const ns_params *p);

/* Typical speed [m/s] of an applicator mode, used when applicator.speed is
 * not set: press 1 mm/s, impact 3 m/s, roller 5 cm/s, pen 0.1 m/s approach. */
double ns_applicator_default_speed(ns_applicator_mode mode);

#endif
