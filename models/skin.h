/* Skin: the layered stack the needle enters and the drug crosses.
 *
 * Geometry. Depth z is measured downwards from the undeformed skin surface
 * (z = 0). Layer i occupies [z_i, z_i + h_i) with z_0 = 0 and
 * z_{i+1} = z_i + h_i; the stack is, from the surface down,
 *     0 stratum corneum (SC), 1 viable epidermis (VE), 2 dermis, 3 hypodermis,
 * or a single homogeneous layer "membrane" (the `membrane` preset, for
 * analytic checks of the diffusion solver). Below the last layer lies the
 * support (bone/muscle in vivo, a lab support ex vivo), modelled as a
 * Winkler foundation of stiffness backing_stiffness [N/m^3].
 *
 * Per-layer constitutive data (symbols as in models/params.h):
 *   E(eps) = E0 (1 + beta eps^2)       small-strain modulus E0 [Pa] with a
 *                                      strain-stiffening coefficient beta [-];
 *                                      tangent modulus of the 1-D law
 *                                      sigma = E0 (eps + beta eps^3 / 3).
 *   G(t)   = G0 (1 - g (1 - exp(-t/tau)))  one-term Prony series: relaxing
 *                                      fraction g [-], time tau [s].
 *   G_c [J/m^2]   cutting (fracture) toughness;  mu [-] needle friction.
 *   D [m^2/s], K [-]  drug diffusivity and layer/vehicle partition; NaN =
 *                     derive from the drug (models/drug.h ns_drug_fill_layers).
 *   k_cl [1/s]    first-order capillary clearance (vascular dermis only).
 *   f_open [-]    fraction of the needle radius that stays open after
 *                 withdrawal (SC tears and stays open, soft layers recoil).
 *
 * Calibrating the stiffening coefficient. Ni Annaidh et al. (2012) report for
 * human back skin in tension an initial slope E0 = 1.18 MPa and a linear-region
 * slope E1 = 83 MPa. Equating the tangent modulus of the law above at the
 * strain eps_t where the linear region begins gives
 *     beta = (E1/E0 - 1) / eps_t^2;
 * with eps_t = 0.30 (read off their curves, which fail at 54 +- 17 %)
 * beta = 69.3 / 0.09 = 770. The same value is used for all dermis presets.
 *
 * Validity. Small-strain moduli from indentation and tension on different
 * sites and donors; values are population means or mid-range picks, so the
 * presets describe a "typical" site, not a subject. Every number carries its
 * source in skin.c, summarised by ns_skin_preset_sources() and listed in
 * models/REFERENCES.md.
 */
#ifndef NS_SKIN_H
#define NS_SKIN_H

#include <stddef.h>

#include "params.h"
#include "preset.h"
#include "status.h"

/* ns_source_note and the preset record: models/preset.h. */

/* Fill *out with the named preset: forearm, face, abdomen, back, porcine_ear,
 * rat, membrane, thigh. Exceptions: NS_EINVAL for NULL or an unknown name (the message
 * lists the valid names). *out is untouched on error. */
ns_status ns_skin_preset(const char *name, ns_skin_params *out);

/* Number of skin presets and the name of preset i (NULL for i out of range). */
size_t ns_skin_preset_count(void);
const char *ns_skin_preset_name(size_t i);

/* Config/result name of layer i: "stratum_corneum", "viable_epidermis",
 * "dermis", "hypodermis", or "membrane" for a membrane stack. NULL when i is
 * not a layer of p. */
const char *ns_skin_layer_name(const ns_skin_params *p, size_t i);

/* Parse a layer name for stack p into its index. NS_EINVAL if unknown. */
ns_status ns_skin_layer_parse(const ns_skin_params *p, const char *name, size_t *out);

/* Validate ranges. Checks n_layers (1 for a membrane, 4 otherwise) and, per
 * layer: thickness > 0, density > 0, youngs_modulus > 0, stiffening >= 0,
 * 0 <= poisson < 0.5, toughness > 0, friction >= 0, relaxation_time > 0,
 * 0 <= relaxation_fraction <= 1, diffusivity > 0 or NaN, partition > 0 or NaN,
 * clearance >= 0, 0 <= open_fraction <= 1; stack: pretension >= 0,
 * backing_stiffness > 0, temperature in (273.15, 323.15] K. Every value must
 * be finite (except the NaN = derive fields). Messages name the key, e.g.
 * "skin.dermis.thickness = -0.001 m: must be > 0".
 * Exceptions: NS_EINVAL. */
ns_status ns_skin_check(const ns_skin_params *p);

/* Sum of the layer thicknesses [m]. */
double ns_skin_total_thickness(const ns_skin_params *p);

/* Depth of the top of layer i below the surface [m] (i = n_layers gives the
 * total thickness). */
double ns_skin_layer_top(const ns_skin_params *p, size_t i);

/* transport.depth = auto: the modelled depth [m], the whole of a membrane,
 * else the stratum corneum, viable epidermis and dermis (the top of the
 * hypodermis; the whole stack when it has fewer layers). */
double ns_skin_default_depth(const ns_skin_params *p);

/* The cross-field rule of transport.depth: a modelled depth [m] inside the
 * stack, 0 < depth <= total thickness (a relative slack of 1e-12 lets the
 * total thickness through rounding). The config range of the key is the
 * parameter table's. Exceptions: NS_EINVAL, keyed "transport.depth". */
ns_status ns_skin_depth_check(const ns_skin_params *p, double depth);

/* Index of the layer containing depth z [m]: the layer i with
 * top_i <= z < top_{i+1}; z < 0 gives 0, z beyond the stack the last layer. */
size_t ns_skin_layer_at(const ns_skin_params *p, double z);

/* Provenance lines of preset `name`; *notes points to a static table.
 * Returns the number of lines (0 and *notes = NULL for an unknown name). */
size_t ns_skin_preset_sources(const char *name, const ns_source_note **notes);

#endif
