/* Default case, derivation of NaN fields and whole-case validation
 * (see defaults.h). */
#include "defaults.h"

#include <math.h>
#include <string.h>

#include "channel.h"
#include "drug.h"
#include "needle.h"
#include "param_table.h"
#include "ageing.h"
#include "procedure.h"
#include "skin.h"
#include "units.h"

void ns_params_default(ns_params *p) { ns_param_defaults(p); }

/* Modelled transport depth: SC + VE + dermis, or the whole membrane. */
double ns_applicator_default_speed(ns_applicator_mode mode)
{
    switch (mode) {
    case NS_APPLICATOR_IMPACT:
        /* Spring-loaded impact applicators fire arrays at about 1-10 m/s; 3 m/s
         * sits in the range where insertion becomes reliable [meliga2017]. */
        return 3.0;
    case NS_APPLICATOR_ROLLER:
        /* A dermaroller passed over the skin at about 5 cm/s (15 passes over a
         * few cm in tens of seconds) [schwarz2011] (assumption). */
        return 5.0 * NS_CM;
    case NS_APPLICATOR_PEN:
        /* The pen's needle speed follows from frequency and depth setting; this
         * value is only the approach speed before the first stroke. */
        return 0.1;
    case NS_APPLICATOR_PRESS:
    default:
        /* Quasi-static thumb or press-machine insertion, about 1 mm/s
         * [davis2004 used 1.1 mm/s]. */
        return 1.0 * NS_MM;
    }
}

/* Layer D and K left "auto" are derived from the drug (ns_drug_fill_layers).
 * A derived value outside its range is reported as a consequence of the drug
 * inputs, with those keys recorded, since the user never set the layer key. */
static ns_status derive_layers(ns_params *p)
{
    int was_auto[NS_LAYER_MAX][2];
    for (size_t i = 0; i < NS_LAYER_MAX; i++) {
        was_auto[i][0] = isnan(p->skin.layer[i].diffusivity);
        was_auto[i][1] = isnan(p->skin.layer[i].partition);
    }
    NS_TRY(ns_drug_fill_layers(&p->skin, &p->drug));
    const ns_key *kd = ns_param_find("skin", "diffusivity"), *kk = ns_param_find("skin", "partition");
    for (size_t i = 0; i < p->skin.n_layers; i++) {
        const ns_layer *l = &p->skin.layer[i];
        const ns_key *k = NULL;
        double v = 0.0;
        if (was_auto[i][0] && !ns_param_in_range(kd, l->diffusivity)) k = kd, v = l->diffusivity;
        else if (was_auto[i][1] && !ns_param_in_range(kk, l->partition)) k = kk, v = l->partition;
        if (!k) continue;
        char range[160];
        const char *u = ns_param_si_unit(k->kind);
        ns_status_set_keyed(NS_EINVAL, "drug.molecular_weight",
                            "drug.molecular_weight = %g kg/mol, drug.log_kow = %g: the derived "
                            "skin.%s.%s = %g%s%s is outside %s; set it explicitly or choose "
                            "another drug",
                            p->drug.molecular_weight, p->drug.log_kow,
                            ns_skin_layer_name(&p->skin, i), k->key, v, u[0] ? " " : "", u,
                            ns_param_range_si(k, range, sizeof range));
        ns_status_add_key("drug.log_kow");
        ns_status_add_key("drug.free_diffusivity");
        ns_status_add_key("drug.preset");
        return NS_EINVAL;
    }
    return NS_OK;
}

ns_status ns_params_derive(ns_params *p)
{
    NS_CHECK(p != NULL, NS_EINVAL, "params: NULL");
    if (isnan(p->applicator.speed))
        p->applicator.speed = ns_applicator_default_speed(p->applicator.mode);
    NS_TRY(ns_age_apply(&p->skin));
    NS_TRY(ns_needle_derive(&p->needle));
    NS_TRY(ns_array_derive(&p->array, &p->needle));
    if (isnan(p->drug.radius)) {
        p->drug.radius = ns_drug_stokes_radius(&p->drug);
        const ns_key *kr = ns_param_find("drug", "radius");
        if (!ns_param_in_range(kr, p->drug.radius)) {
            char range[160];
            ns_status_set_keyed(NS_EINVAL, "drug.molecular_weight",
                                "drug.molecular_weight = %g kg/mol: the derived drug.radius = %g "
                                "m is outside %s; set drug.radius or another molar mass",
                                p->drug.molecular_weight, p->drug.radius,
                                ns_param_range_si(kr, range, sizeof range));
            ns_status_add_key("drug.preset");
            return NS_EINVAL;
        }
    }
    NS_TRY(derive_layers(p));
    if (isnan(p->transport.depth)) p->transport.depth = ns_skin_default_depth(&p->skin);
    NS_TRY(ns_proc_derive(p));
    return NS_OK;
}

ns_status ns_params_check(const ns_params *p)
{
    NS_CHECK(p != NULL, NS_EINVAL, "params: NULL");
    NS_CHECK(!isnan(p->applicator.speed), NS_EINVAL,
             "applicator.speed is unset: call ns_params_derive first (it picks the mode's "
             "typical speed)");
    /* Every range. A single needle (or none) has no lattice: its derived
     * density 0 and pitch infinity are not inputs, so they are not checked. */
    ns_params q = *p;
    if (q.array.layout == NS_LAYOUT_NONE || q.array.layout == NS_LAYOUT_SINGLE)
        q.array.density = q.array.pitch = NAN;
    NS_TRY(ns_param_check(&q, ""));
    NS_TRY(ns_skin_check(&p->skin));
    NS_TRY(ns_needle_check(&p->needle));
    /* Array: derived fields present, then consistency and overlap via a copy. */
    if (p->array.layout != NS_LAYOUT_NONE && p->array.layout != NS_LAYOUT_SINGLE)
        NS_CHECK(!isnan(p->array.density) && !isnan(p->array.pitch), NS_EINVAL,
                 "array.density / array.pitch not derived (density %g, pitch %g): call "
                 "ns_params_derive first",
                 p->array.density, p->array.pitch);
    ns_array_params a = p->array;
    NS_TRY(ns_array_derive(&a, &p->needle));

    /* Derived transport fields present. */
    NS_CHECK(!isnan(p->drug.radius), NS_EINVAL,
             "drug.radius is unset: call ns_params_derive first");
    for (size_t i = 0; i < p->skin.n_layers; i++)
        NS_CHECK(!isnan(p->skin.layer[i].diffusivity) && !isnan(p->skin.layer[i].partition),
                 NS_EINVAL, "skin.%s.diffusivity / partition unset: call ns_params_derive first",
                 ns_skin_layer_name(&p->skin, i));

    /* Cross-field checks. */
    if (p->applicator.mode == NS_APPLICATOR_PEN && !(p->applicator.depth_setting <= p->needle.length)) {
        ns_status_set_keyed(NS_EINVAL, "applicator.depth_setting",
                            "applicator.depth_setting = %g m: expected (0 m, needle.length = %g "
                            "m] (the pen cannot protrude the needle further than its length)",
                            p->applicator.depth_setting, p->needle.length);
        ns_status_add_key("needle.length");
        return NS_EINVAL;
    }
    NS_TRY(ns_proc_check(p));
    return ns_skin_depth_check(&p->skin, p->transport.depth);
}
