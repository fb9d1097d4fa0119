/* Age of the skin: layer thickness against age (skin.age).
 *
 * Branchet et al. 1990 measured epidermal and dermal thickness on biopsies of
 * adults of all ages and found both thinning with age, the epidermis by about
 * 6-7 % and the dermis by about 6 % per decade [branchet1990]. As a linear law
 * about the reference age A_ref of the presets,
 *
 *   h_k(A) = h_k(A_ref) (1 - r_k (A - A_ref) / 10 yr),                    (1)
 *
 *   r_SC = r_VE = NS_AGE_EPIDERMIS_RATE = 0.065 per decade (6-7 %),
 *   r_dermis   = NS_AGE_DERMIS_RATE    = 0.06 per decade,
 *   hypodermis: unchanged (fat thickness follows body mass, not age).
 *
 * A_ref = NS_AGE_REFERENCE = 40 yr: the presets' thicknesses come from adult
 * cohorts of mixed age (18-70 yr in laurent2007; sandbymoller2003 adults), whose
 * middle is taken as the reference (assumption). skin.age auto (NaN) keeps the
 * preset's thicknesses. Valid for adults, skin.age in [18, 100] yr (the key's
 * range): at 100 yr the epidermis is 61 % and the dermis 64 % of the
 * reference. The law scales the thicknesses the case has (preset or explicit)
 * once: ns_skin_params.age_applied records it, so that deriving a case twice
 * gives the same stack. The membrane has no age.
 */
#ifndef NS_AGEING_H
#define NS_AGEING_H

#include "params.h"
#include "status.h"

#define NS_AGE_EPIDERMIS_RATE 0.065 /* [-] per decade [branchet1990] */
#define NS_AGE_DERMIS_RATE 0.06     /* [-] per decade [branchet1990] */
#define NS_AGE_REFERENCE (40.0 * 365.25 * 86400.0) /* [s] reference age of the presets */
#define NS_AGE_DECADE (10.0 * 365.25 * 86400.0)    /* [s] */

/* Thickness factor of eq. (1) for layer `layer` at age A [s] (1 for NaN). */
double ns_age_thickness_factor(ns_layer_id layer, double A);

/* Apply eq. (1) to the stack once (skin->age NaN or already applied: no
 * change; membrane: no change). Exceptions: NS_EINVAL (NULL). */
ns_status ns_age_apply(ns_skin_params *skin);

#endif
