/* Age of the skin (equations in ageing.h). */
#include "ageing.h"

#include <math.h>

double ns_age_thickness_factor(ns_layer_id layer, double A)
{
    if (isnan(A)) return 1.0;
    double decades = (A - NS_AGE_REFERENCE) / NS_AGE_DECADE;
    switch (layer) {
    case NS_LAYER_SC:
    case NS_LAYER_VE:
        return 1.0 - NS_AGE_EPIDERMIS_RATE * decades; /* eq. (1) */
    case NS_LAYER_DERMIS:
        return 1.0 - NS_AGE_DERMIS_RATE * decades;
    default:
        return 1.0;
    }
}

ns_status ns_age_apply(ns_skin_params *skin)
{
    NS_CHECK(skin != NULL, NS_EINVAL, "skin.age: NULL stack");
    if (isnan(skin->age) || skin->age_applied || skin->membrane) return NS_OK;
    for (size_t l = 0; l < skin->n_layers && l < NS_LAYER_MAX; l++)
        skin->layer[l].thickness *= ns_age_thickness_factor((ns_layer_id)l, skin->age);
    skin->age_applied = 1;
    return NS_OK;
}
