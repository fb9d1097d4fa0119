/* Unit tests of models/skin: presets, layer utilities and every range check. */
/* Criterion's assertion macros assign an int to a 1-bit field internally. */
#pragma GCC diagnostic ignored "-Wconversion"
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <string.h>

#include "../../models/skin.h"
#include "../../models/units.h"

static double rel(double got, double want) { return fabs(got - want) / fabs(want); }

static ns_skin_params forearm(void)
{
    ns_skin_params s;
    cr_assert(ns_skin_preset("forearm", &s) == NS_OK);
    return s;
}

Test(skin, presets_all_valid)
{
    const char *want[] = {"forearm", "face", "abdomen", "back", "porcine_ear", "rat", "membrane",
                          "thigh", "neck"};
    cr_assert(eq(sz, ns_skin_preset_count(), 9));
    for (size_t i = 0; i < 9; i++) {
        cr_assert(strcmp(ns_skin_preset_name(i), want[i]) == 0);
        ns_skin_params s;
        cr_assert(ns_skin_preset(want[i], &s) == NS_OK);
        cr_assert(strcmp(s.preset, want[i]) == 0);
        cr_assert(ns_skin_check(&s) == NS_OK, "%s: %s", want[i], ns_status_message());
        const ns_source_note *notes = NULL;
        size_t nn = ns_skin_preset_sources(want[i], &notes);
        cr_assert(nn >= 4 && notes != NULL, "%s", want[i]);
        for (size_t k = 0; k < nn; k++)
            cr_assert(notes[k].what && notes[k].value && notes[k].source && notes[k].source[0]);
        /* Human-like stacks: SC thinner than VE thinner than dermis. */
        if (!s.membrane) {
            cr_assert(s.layer[0].thickness < s.layer[1].thickness);
            cr_assert(s.layer[1].thickness < s.layer[2].thickness);
            cr_assert(s.layer[2].clearance >= 0.0 && s.layer[0].clearance == 0.0);
        }
    }
    cr_assert(ns_skin_preset_name(9) == NULL);
}

/* Neck: epidermis + dermis the weighted mean of Meng et al. 2022 Table 2
 * (men 0.19 + 0.98 mm, n = 49; women 0.17 + 0.99 mm, n = 69) = 1.16415 mm,
 * subcutis 6 mm (Iyengar et al. 2018, submental). */
Test(skin, neck_values)
{
    ns_skin_params s;
    cr_assert(ns_skin_preset("neck", &s) == NS_OK);
    double ed = s.layer[0].thickness + s.layer[1].thickness + s.layer[2].thickness;
    cr_assert(fabs(ed - 137.37e-3 / 118.0) < 1e-15, "epidermis + dermis %.9g m", ed);
    cr_assert(fabs(s.layer[3].thickness - 6e-3) < 1e-15);
}

Test(skin, unknown_preset_lists_names)
{
    ns_skin_params s;
    ns_status_clear();
    cr_assert(ns_skin_preset("forehead", &s) == NS_EINVAL);
    const char *m = ns_status_message();
    cr_assert(strstr(m, "forehead") != NULL && strstr(m, "porcine_ear") != NULL, "%s", m);
    cr_assert(ns_skin_preset(NULL, &s) == NS_EINVAL);
    cr_assert(ns_skin_preset("forearm", NULL) == NS_EINVAL);
    const ns_source_note *notes = (const ns_source_note *)&s;
    cr_assert(ns_skin_preset_sources("forehead", &notes) == 0 && notes == NULL);
}

/* Forearm values from their sources: SC 18.3 um, VE 56.6 um, epidermis + dermis
 * 1.44 mm, hypodermis 10.8 mm -> total 12.24 mm (rounding only). */
Test(skin, forearm_values)
{
    ns_skin_params s = forearm();
    cr_assert(s.n_layers == 4 && !s.membrane);
    cr_assert(rel(s.layer[0].thickness, 18.3e-6) < 1e-15);
    cr_assert(rel(s.layer[1].thickness, 56.6e-6) < 1e-15);
    cr_assert(rel(ns_skin_layer_top(&s, 3), 1.44e-3) < 1e-14);
    cr_assert(rel(ns_skin_total_thickness(&s), 12.24e-3) < 1e-14);
    cr_assert(rel(ns_skin_layer_top(&s, 4), ns_skin_total_thickness(&s)) < 1e-15);
    /* Stiffening (83/1.18 - 1)/0.09 = 770.43 (5 digits). */
    cr_assert(rel(s.layer[2].stiffening, 770.43) < 1e-5, "beta %g", s.layer[2].stiffening);
    /* Relaxation: G(1 s)/G0 = 0.6 and G(10 s)/G0 = 0.5 (Crichton 2013). */
    double g = s.layer[2].relaxation_fraction, tau = s.layer[2].relaxation_time;
    cr_assert(fabs(1.0 - g * (1.0 - exp(-1.0 / tau)) - 0.6) < 1e-14);
    cr_assert(fabs(1.0 - g * (1.0 - exp(-10.0 / tau)) - 0.5) < 1e-6);
    /* Pre-tension 210 kPa x 0.10 x 1.3651 mm = 28.667 N/m. */
    cr_assert(rel(s.pretension, 210e3 * 0.10 * (1.44e-3 - 74.9e-6)) < 1e-13);
    /* Transport coefficients are left to the drug. */
    for (size_t i = 0; i < 4; i++)
        cr_assert(isnan(s.layer[i].diffusivity) && isnan(s.layer[i].partition));
}

Test(skin, membrane_preset)
{
    ns_skin_params s;
    cr_assert(ns_skin_preset("membrane", &s) == NS_OK);
    cr_assert(s.membrane == 1 && s.n_layers == 1);
    cr_assert(s.layer[0].diffusivity == 1e-12 && s.layer[0].partition == 1.0);
    cr_assert(rel(ns_skin_total_thickness(&s), 100e-6) < 1e-15);
    cr_assert(strcmp(ns_skin_layer_name(&s, 0), "membrane") == 0);
    cr_assert(ns_skin_layer_name(&s, 1) == NULL);
    cr_assert(ns_skin_layer_at(&s, 5e-3) == 0);
}

Test(skin, layer_names_and_parse)
{
    ns_skin_params s = forearm();
    const char *want[] = {"stratum_corneum", "viable_epidermis", "dermis", "hypodermis"};
    for (size_t i = 0; i < 4; i++) {
        cr_assert(strcmp(ns_skin_layer_name(&s, i), want[i]) == 0);
        size_t k = 99;
        cr_assert(ns_skin_layer_parse(&s, want[i], &k) == NS_OK && k == i);
    }
    cr_assert(ns_skin_layer_name(&s, 4) == NULL);
    cr_assert(ns_skin_layer_name(NULL, 0) == NULL);
    size_t k;
    ns_status_clear();
    cr_assert(ns_skin_layer_parse(&s, "epidermis", &k) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "viable_epidermis") != NULL);
    cr_assert(ns_skin_layer_parse(&s, NULL, &k) == NS_EINVAL);
}

/* Layer lookup at and around every interface. */
Test(skin, layer_at_boundaries)
{
    ns_skin_params s = forearm();
    cr_assert(ns_skin_layer_at(&s, -1e-6) == 0);
    cr_assert(ns_skin_layer_at(&s, 0.0) == 0);
    for (size_t i = 1; i < 4; i++) {
        double z = ns_skin_layer_top(&s, i);
        cr_assert(ns_skin_layer_at(&s, z * (1.0 - 1e-9)) == i - 1, "below interface %zu", i);
        cr_assert(ns_skin_layer_at(&s, z) == i, "at interface %zu", i);
        cr_assert(ns_skin_layer_at(&s, z * (1.0 + 1e-9)) == i, "above interface %zu", i);
    }
    cr_assert(ns_skin_layer_at(&s, 1.0) == 3);
    cr_assert(ns_skin_layer_at(&s, INFINITY) == 3);
}

/* Every NS_CHECK of ns_skin_check trips and names its key. */
Test(skin, check_trips_each_field)
{
    const char *keys[] = {
        "skin.dermis.thickness",        "skin.dermis.density",
        "skin.dermis.youngs_modulus",   "skin.dermis.stiffening",
        "skin.dermis.poisson",          "skin.dermis.toughness",
        "skin.dermis.friction",         "skin.dermis.relaxation_time",
        "skin.dermis.relaxation_fraction", "skin.dermis.diffusivity",
        "skin.dermis.partition",        "skin.dermis.clearance",
        "skin.dermis.open_fraction",    "skin.pretension",
        "skin.backing_stiffness",       "skin.temperature",
        "layers for a",                 "skin.stratum_corneum.thickness",
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        ns_skin_params s = forearm();
        ns_layer *d = &s.layer[NS_LAYER_DERMIS];
        switch (i) {
        case 0: d->thickness = -1.2e-3; break;
        case 1: d->density = 0.0; break;
        case 2: d->youngs_modulus = NAN; break;
        case 3: d->stiffening = -1.0; break;
        case 4: d->poisson = 0.5; break;
        case 5: d->toughness = 0.0; break;
        case 6: d->friction = -0.1; break;
        case 7: d->relaxation_time = 0.0; break;
        case 8: d->relaxation_fraction = 1.2; break;
        case 9: d->diffusivity = -1e-10; break;
        case 10: d->partition = 0.0; break;
        case 11: d->clearance = -1e-4; break;
        case 12: d->open_fraction = 1.5; break;
        case 13: s.pretension = -1.0; break;
        case 14: s.backing_stiffness = 0.0; break;
        case 15: s.temperature = 400.0; break;
        case 16: s.n_layers = 3; break;
        case 17: s.layer[0].thickness = INFINITY; break;
        default: break;
        }
        ns_status_clear();
        cr_assert(ns_skin_check(&s) == NS_EINVAL, "case %zu (%s) not caught", i, keys[i]);
        cr_assert(strstr(ns_status_message(), keys[i]) != NULL, "case %zu: '%s'", i,
                  ns_status_message());
    }
    /* The message carries value and unit: "skin.dermis.thickness = -0.0012 m". */
    ns_skin_params s = forearm();
    s.layer[2].thickness = -1.2e-3;
    ns_status_clear();
    cr_assert(ns_skin_check(&s) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "skin.dermis.thickness = -0.0012 m") != NULL, "%s",
              ns_status_message());
    cr_assert(ns_skin_check(NULL) == NS_EINVAL);
    /* Derived transport values are accepted once set. */
    s = forearm();
    s.layer[2].diffusivity = 1.7e-10;
    s.layer[2].partition = 0.83;
    cr_assert(ns_skin_check(&s) == NS_OK);
}
