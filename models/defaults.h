/* Defaults, whole-case validation and derivation of the parameter set.
 *
 * Order of use (sim/config): ns_params_default -> presets and config overrides
 * -> ns_params_derive -> ns_params_check -> models. ns_params_derive fills the
 * fields marked "NaN = derive" in params.h and is idempotent: explicit values
 * are never overwritten.
 *
 * The default case (a complete, valid case on its own) is the parameter
 * table's: every default is written once, in its row of models/param_table.c
 * (skin, needle and drug fields: the default presets forearm,
 * microneedle_steel and caffeine); ns_params_default writes them.
 */
#ifndef NS_DEFAULTS_H
#define NS_DEFAULTS_H

#include "params.h"
#include "status.h"

/* Fill *p with the default case of the parameter table. */
void ns_params_default(ns_params *p);

/* Fill derived NaN fields: needle tip angle (ns_needle_derive), array
 * density/pitch (ns_array_derive), drug radius
 * (ns_drug_stokes_radius), layer D and K (ns_drug_fill_layers), transport
 * depth (SC + VE + dermis; the membrane thickness for a membrane stack).
 * Exceptions: NS_EINVAL (propagated from the derivations). */
ns_status ns_params_derive(ns_params *p);

/* Validate the whole case: every range of the parameter table, then the
 * cross-field rules: skin stack, needle geometry (ns_needle_check), array
 * needles that do not overlap, pen depth_setting <= needle length, transport
 * depth within the skin, derived fields present (call ns_params_derive
 * first). Messages read "key = value unit: expected RANGE" with the key
 * recorded beside them (ns_status_key). Exceptions: NS_EINVAL. */
ns_status ns_params_check(const ns_params *p);

/* Typical speed [m/s] of an applicator mode, used when applicator.speed is
 * not set: press 1 mm/s, impact 3 m/s, roller 5 cm/s, pen 0.1 m/s approach. */
double ns_applicator_default_speed(ns_applicator_mode mode);

#endif
