/* Unit tests of models/defaults: the default case, derivation of NaN fields,
 * every preset combination, and the cross-field checks. */
/* Criterion's assertion macros assign an int to a 1-bit field internally. */
#pragma GCC diagnostic ignored "-Wconversion"
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <string.h>

#include "../../models/defaults.h"
#include "../../models/drug.h"
#include "../../models/needle.h"
#include "../../models/skin.h"
#include "../../models/units.h"

static ns_params derived_default(void)
{
    ns_params p;
    ns_params_default(&p);
    cr_assert(ns_params_derive(&p) == NS_OK, "%s", ns_status_message());
    return p;
}

Test(defaults, default_case_is_valid)
{
    ns_params p;
    ns_params_default(&p);
    cr_assert(strcmp(p.skin.preset, "forearm") == 0);
    cr_assert(strcmp(p.needle.preset, "microneedle_steel") == 0);
    cr_assert(strcmp(p.drug.preset, "caffeine") == 0);
    cr_assert(p.array.layout == NS_LAYOUT_SINGLE && p.applicator.mode == NS_APPLICATOR_PRESS);
    cr_assert(p.transport.duration == 24.0 * 3600.0 && p.transport.output_times == 50);
    cr_assert(p.numerics.ins_n_r == 80 && p.numerics.diff_n_z == 120);
    cr_assert(p.numerics.curve_points == 200 && p.numerics.diff_max_steps == 200000);
    cr_assert(p.insertion.damping_ratio == 0.05 && isnan(p.insertion.plate_stiffness));
    /* Before derivation the check refuses the missing derived fields. */
    ns_status_clear();
    cr_assert(ns_params_check(&p) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "ns_params_derive") != NULL, "%s",
              ns_status_message());
    cr_assert(ns_params_derive(&p) == NS_OK);
    cr_assert(ns_params_check(&p) == NS_OK, "%s", ns_status_message());
}

/* Derived values: transport depth = SC + VE + dermis = 1.44 mm on the forearm;
 * drug radius = Stokes radius; SC coefficients from the Potts-Guy split. */
Test(defaults, derive_fills_fields)
{
    ns_params p = derived_default();
    cr_assert(fabs(p.transport.depth - 1.44e-3) < 1e-15, "depth %g", p.transport.depth);
    cr_assert(p.drug.radius == ns_drug_stokes_radius(&p.drug));
    double K, D;
    ns_drug_sc_split(&p.drug, p.skin.layer[0].thickness, &K, &D);
    cr_assert(p.skin.layer[0].partition == K && p.skin.layer[0].diffusivity == D);
    cr_assert(p.array.density == 0.0 && isinf(p.array.pitch));
}

/* Idempotent, and explicit values survive. */
Test(defaults, derive_keeps_explicit_values)
{
    ns_params p;
    ns_params_default(&p);
    p.transport.depth = 0.731e-3;
    p.drug.radius = 0.413e-9;
    p.skin.layer[1].diffusivity = 3.3e-11;
    cr_assert(ns_params_derive(&p) == NS_OK);
    ns_params q = p;
    cr_assert(ns_params_derive(&q) == NS_OK);
    cr_assert(memcmp(&p, &q, sizeof p) == 0, "second derive changed the parameters");
    cr_assert(p.transport.depth == 0.731e-3 && p.drug.radius == 0.413e-9);
    cr_assert(p.skin.layer[1].diffusivity == 3.3e-11);
    cr_assert(ns_params_check(&p) == NS_OK, "%s", ns_status_message());
}

/* Every skin x needle x drug preset combination derives and passes the check,
 * with arrays of each layout at a density the needle allows. */
Test(defaults, every_preset_combination_valid)
{
    for (size_t i = 0; i < ns_skin_preset_count(); i++)
        for (size_t j = 0; j < ns_needle_preset_count(); j++)
            for (size_t k = 0; k < ns_drug_preset_count(); k++) {
                ns_params p;
                ns_params_default(&p);
                cr_assert(ns_skin_preset(ns_skin_preset_name(i), &p.skin) == NS_OK);
                cr_assert(ns_needle_preset(ns_needle_preset_name(j), &p.needle) == NS_OK);
                cr_assert(ns_drug_preset(ns_drug_preset_name(k), &p.drug) == NS_OK);
                p.array.layout = (ns_array_layout)((i + j + k) % NS_LAYOUT_COUNT);
                p.array.count = 10.0;
                /* Pitch 3 base diameters: always free of overlap. */
                p.array.pitch = 3.0 * p.needle.base_diameter;
                p.array.density = NAN;
                cr_assert(ns_params_derive(&p) == NS_OK, "%s/%s/%s: %s", ns_skin_preset_name(i),
                          ns_needle_preset_name(j), ns_drug_preset_name(k), ns_status_message());
                cr_assert(ns_params_check(&p) == NS_OK, "%s/%s/%s: %s", ns_skin_preset_name(i),
                          ns_needle_preset_name(j), ns_drug_preset_name(k), ns_status_message());
            }
}

/* Each applicator mode alone is valid with the default fields. */
Test(defaults, every_applicator_mode_valid)
{
    for (int m = 0; m < NS_APPLICATOR_COUNT; m++) {
        ns_params p = derived_default();
        p.applicator.mode = (ns_applicator_mode)m;
        cr_assert(ns_params_check(&p) == NS_OK, "mode %d: %s", m, ns_status_message());
    }
}

/* Cross-field and numerics checks each trip, naming the key. */
Test(defaults, check_trips_cross_fields)
{
    const char *keys[] = {
        "applicator.depth_setting", "array.density",       "channel.half_life",
        "run.duration",             "run.output_times",    "transport.bottom",
        "transport.depth",          "numerics.ins_n_r",    "numerics.ins_rtol",
        "numerics.ins_max_steps",   "numerics.ins_max_newton", "numerics.diff_n_r",
        "numerics.diff_n_z",        "numerics.diff_rtol",  "numerics.diff_max_steps",
        "numerics.curve_points",    "skin.dermis.poisson", "needle.length",
        "applicator.speed",         "drug.concentration",  "drug.radius",
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        ns_params p = derived_default();
        switch (i) {
        case 0:
            p.applicator.mode = NS_APPLICATOR_PEN;
            p.applicator.depth_setting = 0.9e-3; /* needle is 0.6 mm */
            break;
        case 1:
            p.array.layout = NS_LAYOUT_HEXAGONAL;
            p.array.density = 5000.0 / NS_CM2; /* pitch 152 um < 200 um base */
            p.array.pitch = sqrt(2.0 / (sqrt(3.0) * p.array.density));
            break;
        case 2: p.channel.half_life = -3600.0; break;
        case 3: p.transport.duration = 0.0; break;
        case 4: p.transport.output_times = 1; break;
        case 5: p.transport.bottom = NS_BOTTOM_COUNT; break;
        case 6: p.transport.depth = 20e-3; break; /* deeper than the 12.24 mm stack */
        case 7: p.numerics.ins_n_r = 3; break;
        case 8: p.numerics.ins_rtol = 0.0; break;
        case 9: p.numerics.ins_max_steps = 0; break;
        case 10: p.numerics.ins_max_newton = 0; break;
        case 11: p.numerics.diff_n_r = 1; break;
        case 12: p.numerics.diff_n_z = 2; break;
        case 13: p.numerics.diff_rtol = 0.5; break;
        case 14: p.numerics.diff_max_steps = 1; break;
        case 15: p.numerics.curve_points = 1; break;
        case 16: p.skin.layer[2].poisson = 0.51; break;
        case 17: p.needle.length = 0.0; break;
        case 18: p.applicator.speed = -1.0; break;
        case 19: p.drug.concentration = NAN; break;
        case 20: p.drug.radius = NAN; break;
        default: break;
        }
        ns_status_clear();
        cr_assert(ns_params_check(&p) == NS_EINVAL, "case %zu (%s) not caught", i, keys[i]);
        cr_assert(strstr(ns_status_message(), keys[i]) != NULL, "case %zu: '%s'", i,
                  ns_status_message());
        /* the failing key travels beside the message (unset derived fields: none) */
        if (i != 20)
            cr_assert(strcmp(ns_status_key(0), keys[i]) == 0, "case %zu: key '%s'", i,
                      ns_status_key(0));
    }
    cr_assert(ns_params_check(NULL) == NS_EINVAL);
    cr_assert(ns_params_derive(NULL) == NS_EINVAL);
}

/* Membrane stack: transport depth is the membrane; derivation keeps its D, K. */
Test(defaults, membrane_case)
{
    ns_params p;
    ns_params_default(&p);
    cr_assert(ns_skin_preset("membrane", &p.skin) == NS_OK);
    cr_assert(ns_params_derive(&p) == NS_OK, "%s", ns_status_message());
    cr_assert(fabs(p.transport.depth - 100e-6) < 1e-18);
    cr_assert(p.skin.layer[0].diffusivity == 1e-12);
    cr_assert(ns_params_check(&p) == NS_OK, "%s", ns_status_message());
    /* A derivation failure propagates: an overlapping array. */
    ns_params_default(&p);
    p.array.layout = NS_LAYOUT_SQUARE;
    p.array.density = 1e9;
    ns_status_clear();
    cr_assert(ns_params_derive(&p) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "array.density") != NULL);
}

/* An unset applicator.speed takes the mode's typical speed on derivation
 * (press 1 mm/s, impact 3 m/s, roller 5 cm/s); a set speed is kept. */
Test(defaults, speed_follows_mode_when_unset)
{
    ns_params p;
    ns_params_default(&p);
    p.applicator.mode = NS_APPLICATOR_IMPACT;
    cr_assert(ns_params_derive(&p) == NS_OK, "%s", ns_status_message());
    cr_assert(p.applicator.speed == 3.0, "impact speed %g", p.applicator.speed);
    ns_params_default(&p);
    p.applicator.mode = NS_APPLICATOR_ROLLER;
    cr_assert(ns_params_derive(&p) == NS_OK);
    cr_assert(p.applicator.speed == 0.05, "roller speed %g", p.applicator.speed);
    ns_params_default(&p);
    p.applicator.speed = 2.37e-3;
    cr_assert(ns_params_derive(&p) == NS_OK);
    cr_assert(p.applicator.speed == 2.37e-3);
    cr_assert(ns_applicator_default_speed(NS_APPLICATOR_PRESS) == 1e-3);
}
