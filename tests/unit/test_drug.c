/* Unit tests of models/drug: presets, Potts-Guy, SC split, Stokes radius,
 * Renkin hindrance, layer coefficients and every check. */
/* Criterion's assertion macros assign an int to a 1-bit field internally. */
#pragma GCC diagnostic ignored "-Wconversion"
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "../../models/drug.h"
#include "../../models/skin.h"
#include "../../models/units.h"
#include "../../sim/quantity.h"

static ns_drug_params caffeine(void)
{
    ns_drug_params d;
    cr_assert(ns_drug_preset("caffeine", &d) == NS_OK);
    return d;
}

/* Relative difference. */
static double rel(double got, double want) { return fabs(got - want) / fabs(want); }

Test(drug, presets_all_valid)
{
    cr_assert(eq(sz, ns_drug_preset_count(), 10));
    for (size_t i = 0; i < ns_drug_preset_count(); i++) {
        const char *name = ns_drug_preset_name(i);
        ns_drug_params d;
        cr_assert(ns_drug_preset(name, &d) == NS_OK, "%s", name);
        cr_assert(strcmp(d.preset, name) == 0);
        /* Compact solutes derive their radius; the hyaluronic acid coils
         * (drug.h section 6) carry theirs. */
        int coil = strstr(name, "hyaluronic_acid_") != NULL;
        cr_assert(coil ? d.radius > 1e-9 : isnan(d.radius), "%s: radius %g", name, d.radius);
        cr_assert(ns_drug_check(&d) == NS_OK, "%s: %s", name, ns_status_message());
        const ns_source_note *notes = NULL;
        cr_assert(ns_drug_preset_sources(name, &notes) >= 3 && notes != NULL, "%s", name);
        /* Free diffusivities of small molecules to proteins lie in 1e-11..1e-9;
         * a 1 MDa coil diffuses slower (4.4e-12 m^2/s). */
        cr_assert(d.free_diffusivity > (coil ? 1e-12 : 1e-11) && d.free_diffusivity < 1e-9,
                  "%s: D = %g", name, d.free_diffusivity);
    }
    cr_assert(ns_drug_preset_name(10) == NULL);
}

Test(drug, unknown_preset_lists_names)
{
    ns_drug_params d;
    ns_status_clear();
    cr_assert(ns_drug_preset("coffee", &d) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "coffee") != NULL);
    cr_assert(strstr(ns_status_message(), "hyaluronic_acid") != NULL);
    cr_assert(ns_drug_preset(NULL, &d) == NS_EINVAL);
    cr_assert(ns_drug_preset("caffeine", NULL) == NS_EINVAL);
    const ns_source_note *notes = (const ns_source_note *)&d;
    cr_assert(ns_drug_preset_sources("coffee", &notes) == 0 && notes == NULL);
}

/* Potts & Guy: log10 kp = -2.72 + 0.71 (-0.07) - 0.0061 (194.19) = -3.954259
 * -> 1.1109e-4 cm/h. The function evaluates the same expression, so agreement
 * is to a few ulps of the pow (1e-13 relative). */
Test(drug, potts_guy_caffeine)
{
    ns_drug_params d = caffeine();
    double kp_cmh = ns_drug_potts_guy_kp(&d) / NS_CM_PER_H;
    double want = pow(10.0, -2.72 + 0.71 * -0.07 - 0.0061 * 194.19);
    cr_assert(rel(kp_cmh, want) < 1e-13, "kp = %.15g cm/h, want %.15g", kp_cmh, want);
    /* The brief's "about 1.1e-4 cm/h": within 2 % (1.1109 vs 1.1). */
    cr_assert(rel(kp_cmh, 1.1e-4) < 0.02, "kp = %g cm/h", kp_cmh);
    /* Monotone: more lipophilic raises kp, heavier lowers it. */
    ns_drug_params e = d;
    e.log_kow += 1.0;
    cr_assert(ns_drug_potts_guy_kp(&e) > ns_drug_potts_guy_kp(&d));
    e = d;
    e.molecular_weight *= 2.0;
    cr_assert(ns_drug_potts_guy_kp(&e) < ns_drug_potts_guy_kp(&d));
}

/* The split reproduces the intact kp = K D / h to rounding, and K = Kow^0.7. */
Test(drug, sc_split_reproduces_kp)
{
    const char *names[] = {"caffeine", "lidocaine", "calcein", "insulin"};
    double h = 18.3e-6;
    for (size_t i = 0; i < 4; i++) {
        ns_drug_params d;
        cr_assert(ns_drug_preset(names[i], &d) == NS_OK);
        double K, D;
        ns_drug_sc_split(&d, h, &K, &D);
        cr_assert(rel(K, pow(10.0, 0.7 * d.log_kow)) < 1e-14, "%s", names[i]);
        cr_assert(rel(K * D / h, ns_drug_intact_kp(&d)) < 8 * DBL_EPSILON, "%s", names[i]);
    }
    ns_drug_params d = caffeine();
    double K;
    ns_drug_sc_split(&d, h, &K, NULL); /* NULL outputs allowed */
    cr_assert(K > 0.0);
}

/* Stokes radius of caffeine by hand: V = 0.19419 / (1369.86 x 6.02214076e23)
 * = 2.35397e-28 m^3, a = (3V / 4 pi)^(1/3) = 3.8305e-10 m (5 digits: 1e-4). */
Test(drug, stokes_radius_hand_value)
{
    ns_drug_params d = caffeine();
    double a = ns_drug_stokes_radius(&d);
    cr_assert(rel(a, 3.8305e-10) < 1e-4, "a = %.6g m", a);
    /* Cube-root scaling with the molar mass (exact up to rounding). */
    ns_drug_params ins;
    cr_assert(ns_drug_preset("insulin", &ins) == NS_OK);
    double ratio = ns_drug_stokes_radius(&ins) / a;
    cr_assert(rel(ratio, cbrt(5807.6 / 194.19)) < 1e-13);
}

/* Water viscosity (Vogel) against tabulated 0.8900 mPa s (25 C) and
 * 0.7644 mPa s (32 C) [IAPWS]; the Vogel fit is stated good to 2.5 %, at
 * these temperatures it is within 0.5 %. */
Test(drug, water_viscosity)
{
    cr_assert(rel(ns_water_viscosity(298.15), 0.8900e-3) < 0.005);
    cr_assert(rel(ns_water_viscosity(305.15), 0.7644e-3) < 0.005);
}

/* Stokes-Einstein presets round-trip: the radius recovered from D equals the
 * MW radius (rounding only). Fluorescein's measured D differs from the
 * compact-sphere estimate by about 25 % (hydration); allow 35 %. */
Test(drug, stokes_einstein_consistency)
{
    ns_drug_params d = caffeine();
    double T = NS_BODY_TEMPERATURE;
    cr_assert(rel(ns_drug_stokes_einstein_radius(&d, T), ns_drug_stokes_radius(&d)) < 1e-13);
    ns_drug_params f;
    cr_assert(ns_drug_preset("fluorescein", &f) == NS_OK);
    /* 4.25e-10 at 25 C scaled by (T/298.15) eta25/eta32 = 1.192 -> 5.07e-10. */
    cr_assert(rel(f.free_diffusivity, 4.25e-10 * (T / 298.15) * ns_water_viscosity(298.15) /
                                          ns_water_viscosity(T)) < 1e-14);
    double r_se = ns_drug_stokes_einstein_radius(&f, T);
    double r_mw = ns_drug_stokes_radius(&f);
    cr_assert(rel(r_se, r_mw) < 0.35, "SE %g m vs MW %g m", r_se, r_mw);
}

/* Renkin at lambda = 0 (1), 0.5 (0.25 x 0.1795625 = 0.044890625) and >= 1 (0). */
Test(drug, renkin_values)
{
    cr_assert(ieee_ulp_eq(dbl, ns_drug_renkin_hindrance(0.0, 1e-6), 1.0, 4));
    cr_assert(ieee_ulp_eq(dbl, ns_drug_renkin_hindrance(0.5e-9, 1e-9), 0.044890625, 16));
    cr_assert(ns_drug_renkin_hindrance(1e-9, 1e-9) == 0.0);
    cr_assert(ns_drug_renkin_hindrance(2e-9, 1e-9) == 0.0);
    cr_assert(ns_drug_renkin_hindrance(1e-9, 0.0) == 0.0);
    /* Decreasing in lambda on (0, 1). */
    double prev = 1.0;
    for (int k = 1; k < 100; k++) {
        double H = ns_drug_renkin_hindrance(k * 0.01, 1.0);
        cr_assert(H < prev && H > 0.0, "lambda %g: H = %g", k * 0.01, H);
        prev = H;
    }
}

Test(drug, enum_names_round_trip)
{
    for (int i = 0; i < NS_DOSE_COUNT; i++) {
        ns_dose_mode m;
        cr_assert(ns_dose_mode_parse(ns_dose_mode_name((ns_dose_mode)i), &m) == NS_OK);
        cr_assert(eq(int, (int)m, i));
    }
    for (int i = 0; i < NS_BOTTOM_COUNT; i++) {
        ns_bottom_bc b;
        cr_assert(ns_bottom_bc_parse(ns_bottom_bc_name((ns_bottom_bc)i), &b) == NS_OK);
        cr_assert(eq(int, (int)b, i));
    }
    ns_dose_mode m;
    ns_bottom_bc b;
    cr_assert(ns_dose_mode_parse("infinit", &m) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "coated") != NULL);
    cr_assert(ns_bottom_bc_parse("drain", &b) == NS_EINVAL);
    cr_assert(ns_dose_mode_name(NS_DOSE_COUNT) == NULL);
    cr_assert(ns_bottom_bc_name(NS_BOTTOM_COUNT) == NULL);
    cr_assert(strcmp(ns_dose_mode_name(NS_DOSE_FINITE), "finite") == 0);
    cr_assert(strcmp(ns_bottom_bc_name(NS_BOTTOM_NOFLUX), "noflux") == 0);
}

/* Every NS_CHECK of ns_drug_check trips, naming its key. */
Test(drug, check_trips_each_field)
{
    struct {
        const char *key;
        void (*spoil)(ns_drug_params *);
    } cases[] = {
        {"drug.molecular_weight", NULL}, {"drug.log_kow", NULL},   {"drug.free_diffusivity", NULL},
        {"drug.radius", NULL},           {"drug.concentration", NULL}, {"drug.dose", NULL},
        {"drug.film_thickness", NULL},   {"drug.coated_mass", NULL},
        {"drug.solubility", NULL},       {"drug.dissolution_time", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ns_drug_params d = caffeine();
        switch (i) {
        case 0: d.molecular_weight = -0.2; break;
        case 1: d.log_kow = 12.3; break;
        case 2: d.free_diffusivity = NAN; break;
        case 3: d.radius = -1e-10; break;
        case 4: d.concentration = 0.0; break;
        case 5: d.dose = NS_DOSE_COUNT; break;
        case 6: d.dose = NS_DOSE_FINITE; d.film_thickness = 0.0; break;
        case 7: d.dose = NS_DOSE_COATED; d.coated_mass = -1e-9; break;
        case 8: d.solubility = -2.5; break;
        case 9: d.dose = NS_DOSE_DISSOLVING; d.dissolution_time = 0.0; break;
        default: break;
        }
        ns_status_clear();
        cr_assert(ns_drug_check(&d) == NS_EINVAL, "%s not caught", cases[i].key);
        cr_assert(strstr(ns_status_message(), cases[i].key) != NULL, "%s: message '%s'",
                  cases[i].key, ns_status_message());
    }
    cr_assert(ns_drug_check(NULL) == NS_EINVAL);
    /* Finite and coated doses with valid amounts pass. */
    ns_drug_params d = caffeine();
    d.dose = NS_DOSE_FINITE;
    cr_assert(ns_drug_check(&d) == NS_OK);
    d.dose = NS_DOSE_COATED;
    cr_assert(ns_drug_check(&d) == NS_OK);
}

Test(drug, fill_layers_derives_and_keeps_explicit)
{
    ns_skin_params s;
    cr_assert(ns_skin_preset("forearm", &s) == NS_OK);
    s.layer[NS_LAYER_DERMIS].diffusivity = 2.37e-10; /* explicit: kept */
    ns_drug_params d = caffeine();
    cr_assert(ns_drug_fill_layers(&s, &d) == NS_OK);
    double K, D;
    ns_drug_sc_split(&d, s.layer[NS_LAYER_SC].thickness, &K, &D);
    cr_assert(s.layer[NS_LAYER_SC].partition == K && s.layer[NS_LAYER_SC].diffusivity == D);
    cr_assert(s.layer[NS_LAYER_VE].diffusivity == 0.25 * d.free_diffusivity);
    cr_assert(s.layer[NS_LAYER_VE].partition == 1.0);
    cr_assert(s.layer[NS_LAYER_DERMIS].diffusivity == 2.37e-10);
    cr_assert(s.layer[NS_LAYER_DERMIS].partition == 1.0);
    /* Fat: 0.2 + 0.8 Kow. */
    cr_assert(rel(s.layer[NS_LAYER_HYPO].partition, 0.2 + 0.8 * pow(10.0, -0.07)) < 1e-14);
    cr_assert(ns_skin_check(&s) == NS_OK, "%s", ns_status_message());
    /* The SC is the barrier: its resistance h/(K D) dominates the stack. */
    double R_sc = s.layer[0].thickness / (s.layer[0].partition * s.layer[0].diffusivity);
    double R_ve = s.layer[1].thickness / (s.layer[1].partition * s.layer[1].diffusivity);
    cr_assert(R_sc > 100.0 * R_ve);
}

Test(drug, fill_layers_membrane_needs_explicit)
{
    ns_skin_params s;
    cr_assert(ns_skin_preset("membrane", &s) == NS_OK);
    ns_drug_params d = caffeine();
    cr_assert(ns_drug_fill_layers(&s, &d) == NS_OK);
    cr_assert(s.layer[0].diffusivity == 1e-12 && s.layer[0].partition == 1.0);
    s.layer[0].partition = NAN;
    ns_status_clear();
    cr_assert(ns_drug_fill_layers(&s, &d) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "skin.membrane") != NULL);
    /* A broken stack or drug is refused too. */
    cr_assert(ns_skin_preset("forearm", &s) == NS_OK);
    s.n_layers = 3;
    cr_assert(ns_drug_fill_layers(&s, &d) == NS_EINVAL);
    cr_assert(ns_skin_preset("forearm", &s) == NS_OK);
    d.free_diffusivity = -1.0;
    cr_assert(ns_drug_fill_layers(&s, &d) == NS_EINVAL);
    cr_assert(ns_drug_fill_layers(NULL, &d) == NS_EINVAL);
}

/* Every preset carries a positive solubility with its source (the coating
 * dissolution rate, models/diffusion.h eq. R1). (Not compared with the
 * vehicle concentration: the lidocaine preset is a 2.5 % cream, an emulsion
 * above the base's aqueous solubility of 4.1 mg/mL.) */
Test(drug, presets_have_solubility)
{
    for (size_t i = 0; i < ns_drug_preset_count(); i++) {
        const char *name = ns_drug_preset_name(i);
        ns_drug_params d;
        cr_assert(ns_drug_preset(name, &d) == NS_OK);
        cr_expect(isfinite(d.solubility) && d.solubility > 0.0, "%s: solubility %g kg/m3", name,
                  d.solubility);
        const ns_source_note *notes;
        size_t n = ns_drug_preset_sources(name, &notes);
        int found = 0;
        for (size_t k = 0; k < n; k++)
            if (strstr(notes[k].what, "solubility")) found = 1;
        cr_expect(found, "%s: no source note for the solubility", name);
    }
    ns_dose_mode m;
    cr_assert(ns_dose_mode_parse("dissolving", &m) == NS_OK && m == NS_DOSE_DISSOLVING);
}

/* Polar pathway (drug.h 1b): by hand for a solute of a = 0.92 nm, D_aq =
 * 3.31e-10 m^2/s: kp_pore = 1e-5 cm/h (D / 8.0e-10) H(0.46) / H(0.185)
 * with Renkin H(0.46) = 0.2916 x 0.216026 = 0.0629932 and H(0.185) =
 * 0.664225 x 0.6237868 = 0.4143350: 6.29042e-7 cm/h (5 digits). The floor
 * dominates for calcein (Potts-Guy 8.6e-11 cm/h), adds < 0.3 % to lidocaine,
 * and vanishes for a solute wider than the 2 nm pores. */
Test(drug, polar_pathway)
{
    ns_drug_params d = caffeine();
    d.radius = 0.92e-9;
    d.free_diffusivity = 3.31e-10;
    double kp = ns_drug_polar_kp(&d) / NS_CM_PER_H;
    double H1 = 0.54 * 0.54 * (1.0 - 2.104 * 0.46 + 2.09 * pow(0.46, 3) - 0.95 * pow(0.46, 5));
    double H0 = 0.815 * 0.815 * (1.0 - 2.104 * 0.185 + 2.09 * pow(0.185, 3) - 0.95 * pow(0.185, 5));
    cr_assert(rel(kp, 1e-5 * (3.31e-10 / 8.0e-10) * H1 / H0) < 1e-12, "kp_pore %.6e cm/h", kp);
    cr_assert(rel(kp, 6.29042e-7) < 1e-5, "kp_pore %.6e cm/h", kp);
    cr_assert(rel(ns_drug_intact_kp(&d), ns_drug_potts_guy_kp(&d) + ns_drug_polar_kp(&d)) < 1e-15);
    ns_drug_params c;
    cr_assert(ns_drug_preset("calcein", &c) == NS_OK);
    cr_assert(ns_drug_polar_kp(&c) > 1e4 * ns_drug_potts_guy_kp(&c));
    ns_drug_params l;
    cr_assert(ns_drug_preset("lidocaine", &l) == NS_OK);
    cr_assert(ns_drug_polar_kp(&l) < 3e-3 * ns_drug_potts_guy_kp(&l));
    d.radius = 2.1e-9;
    cr_assert(ns_drug_polar_kp(&d) == 0.0);
}

/* Hyaluronic acid coils (drug.h section 6): Rg(1 MDa) = 0.0251 x 1e6^0.6 nm
 * = 99.92 nm, R_h = 0.665 Rg = 66.45 nm; the 50 kDa grade 11.0 nm. Their
 * tissue diffusivities (f_t = 1/4) fall inside the dextran ranges of Wei et
 * al. 2018 (70-2000 kDa: epidermis 1-8, dermis 1-20 um^2/s). */
Test(drug, hyaluronic_acid_coils)
{
    cr_assert(fabs(ns_drug_ha_radius_of_gyration(1000.0) - 0.0251e-9 * pow(1e6, 0.6)) < 1e-22);
    cr_assert(fabs(ns_drug_ha_radius_of_gyration(1000.0) - 99.92e-9) < 0.01e-9);
    const char *names[2] = {"hyaluronic_acid_50k", "hyaluronic_acid_1m"};
    const double Rh[2] = {11.0e-9, 66.45e-9};
    for (size_t i = 0; i < 2; i++) {
        ns_drug_params d;
        cr_assert(ns_drug_preset(names[i], &d) == NS_OK);
        cr_assert(fabs(d.radius / Rh[i] - 1.0) < 0.005, "%s: R_h %.4g m", names[i], d.radius);
        ns_skin_params s;
        cr_assert(ns_skin_preset("forearm", &s) == NS_OK);
        cr_assert(ns_drug_fill_layers(&s, &d) == NS_OK);
        double De = s.layer[NS_LAYER_VE].diffusivity * 1e12, Dd = s.layer[NS_LAYER_DERMIS].diffusivity * 1e12;
        cr_expect(De >= 1.0 && De <= 8.0, "%s: epidermis %.3g um2/s", names[i], De);
        cr_expect(Dd >= 1.0 && Dd <= 20.0, "%s: dermis %.3g um2/s", names[i], Dd);
        cr_expect(ns_drug_polar_kp(&d) == 0.0, "%s: wider than the SC pores", names[i]);
    }
    ns_drug_params p;
    cr_assert(ns_drug_preset("palmitoyl_pentapeptide", &p) == NS_OK);
    cr_assert(fabs(p.molecular_weight - 0.80205) < 1e-12 && p.concentration == 3.0e-3);
}

/* The coil prefactor against primary data: a wormlike chain of persistence
 * length q = 7.5 nm (Mendichi et al. 2003, from Rg vs M) and contour mass
 * M_L = 402.5 g/mol per nm (Hayashi et al. 1995: 400-405) has the
 * unperturbed (Kratky-Porod) Rg^2 = qL/3 - q^2 + 2q^3/L - 2q^4/L^2 (1 - e^{-L/q}),
 * L = M / M_L. At 50 kDa, where excluded volume is small, the power law is
 * within 5 % of it (16.6 against 16.1 nm); at 1 MDa it is larger by the
 * excluded-volume expansion, 1.27 (above 1, below 1.5). */
static double wormlike_rg(double M_g_per_mol)
{
    double q = 7.5e-9, L = M_g_per_mol / 402.5 * 1e-9;
    return sqrt(q * L / 3.0 - q * q + 2.0 * q * q * q / L -
                2.0 * pow(q, 4) / (L * L) * (1.0 - exp(-L / q)));
}

Test(drug, hyaluronic_acid_prefactor_against_wormlike_chain)
{
    double lo = ns_drug_ha_radius_of_gyration(50.0), w_lo = wormlike_rg(5e4);
    double hi = ns_drug_ha_radius_of_gyration(1000.0), w_hi = wormlike_rg(1e6);
    cr_log_info("Rg 50 kDa %.4g nm (wormlike %.4g), 1 MDa %.4g nm (wormlike %.4g)", lo * 1e9,
                w_lo * 1e9, hi * 1e9, w_hi * 1e9);
    cr_expect(fabs(lo / w_lo - 1.0) < 0.05, "50 kDa: %.4g vs %.4g nm", lo * 1e9, w_lo * 1e9);
    cr_expect(hi / w_hi > 1.0 && hi / w_hi < 1.5, "1 MDa expansion %.3g", hi / w_hi);
}

/* drug.detection_floor (section 7): every preset sets the default 1 ng/cm2 =
 * 1e-8 kg/m2 (so naming a preset in a config keeps it), the unit kind reads
 * areal masses, and the range check rejects a negative floor. */
Test(drug, detection_floor_key)
{
    for (size_t i = 0; i < ns_drug_preset_count(); i++) {
        ns_drug_params d;
        cr_assert(ns_drug_preset(ns_drug_preset_name(i), &d) == NS_OK);
        const double want = NS_DRUG_DETECTION_FLOOR;
        cr_expect(d.detection_floor == want, "%s: %g", ns_drug_preset_name(i), d.detection_floor);
    }
    const double floor_default = NS_DRUG_DETECTION_FLOOR, ng_per_cm2 = 1e-12 / NS_CM2;
    cr_expect(fabs(floor_default - ng_per_cm2) <= 1e-23, "1 ng/cm2 = %.17g kg/m2", ng_per_cm2);
    double si = 0.0;
    char err[256];
    cr_assert(ns_units_parse("1 ng/cm2", NS_KIND_AREAL_MASS, &si, err, sizeof err) == NS_OK, "%s",
              err);
    cr_expect(fabs(si - 1e-8) <= 1e-23, "1 ng/cm2 = %.17g kg/m2", si);
    cr_assert(ns_units_parse("2.7 ug/cm2", NS_KIND_AREAL_MASS, &si, err, sizeof err) == NS_OK);
    cr_expect(fabs(si - 2.7e-5) <= 1e-20, "2.7 ug/cm2 = %.17g kg/m2", si);
    cr_expect(ns_units_parse("5 mg", NS_KIND_AREAL_MASS, &si, err, sizeof err) == NS_EINVAL);
    cr_expect(strstr(err, "a mass") != NULL, "%s", err);
    ns_drug_params d = caffeine();
    d.detection_floor = -1e-9;
    cr_expect(ns_drug_check(&d) == NS_EINVAL);
    cr_expect(strstr(ns_status_message(), "drug.detection_floor") != NULL, "%s",
              ns_status_message());
}
