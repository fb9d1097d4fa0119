/* Drug presets and transport correlations (equations in drug.h). */
#include "drug.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "param_table.h"
#include "units.h"

/* Potts & Guy (1992) coefficients, kp in cm/h, M in g/mol [potts1992]. */
#define PG_A (-2.72)
#define PG_B 0.71
#define PG_C (-0.0061)
/* Polar (aqueous pore) pathway of intact SC, drug.h section 1b: effective
 * pore radius 2 nm (Peck et al. 1994 report 1.5-2.5 nm for human epidermal
 * membrane [peck1994]) and porosity/(tortuosity x path length) chosen so a
 * mannitol-sized polar solute (a = 0.37 nm, D_aq = 8.0e-10 m^2/s at 32 C)
 * gets kp_pore = 1e-5 cm/h, the order reported for polar solutes through
 * human epidermis (assumption, U; mitragotri2003 for the structure). */
#define POLAR_PORE_RADIUS 2.0e-9       /* [m] r_p */
#define POLAR_REF_KP (1.0e-5 * NS_CM_PER_H) /* [m/s] kp_pore of the reference solute */
#define POLAR_REF_RADIUS 0.37e-9       /* [m] mannitol-sized reference solute */
#define POLAR_REF_D 8.0e-10            /* [m^2/s] its free diffusivity at 32 C */
/* SC/water partition K_sc = Kow^0.7 [raykar1988, mitragotri2003]. */
#define KSC_EXPONENT 0.7
/* Partial specific volume of a compact solute 0.73 cm^3/g [erickson2009]. */
#define SOLUTE_DENSITY (1.0 / (0.73e-3)) /* [kg/m^3] = 1 / (0.73 cm^3/g) */
/* Hyaluronic acid coil (drug.h, 6): Rg = 0.0251 nm x (M [g/mol])^0.6, i.e.
 * about 100 nm at 1 MDa (Mendichi et al. 2003: Rg ~ M^0.6 over 4e4-5.5e6
 * g/mol; the prefactor read as 100 nm at 1 MDa), and the non-draining coil
 * ratio R_h / Rg = 0.665 [burchard1999]. The prefactor is checked against
 * the wormlike chain of the measured persistence length 7.5 nm
 * [mendichi2003] and contour mass 402.5 g/mol per nm [hayashi1995]: 16.1 nm
 * unperturbed at 50 kDa (the law: 16.6 nm), 78.5 nm at 1 MDa, an
 * excluded-volume expansion of 1.27 (tests/unit/test_drug.c). */
#define HA_RG_PREFACTOR 0.0251e-9 /* [m] */
#define HA_RG_EXPONENT 0.6
#define HA_RH_OVER_RG 0.665
/* Viable-tissue diffusivity factor and hypodermis lipid fraction (drug.h, 5). */
#define TISSUE_D_FACTOR 0.25
#define FAT_LIPID_FRACTION 0.8
/* Vogel water viscosity constants [alshemmeri2012]. */
#define VOGEL_A 2.414e-5 /* [Pa s] */
#define VOGEL_B 247.8    /* [K] */
#define VOGEL_C 140.0    /* [K] */
#define T_25C 298.15     /* [K] */

static const char *const dose_names[NS_DOSE_COUNT] = {"infinite", "finite", "coated",
                                                       "dissolving"};
static const char *const bottom_names[NS_BOTTOM_COUNT] = {"sink", "noflux"};

const char *ns_dose_mode_name(ns_dose_mode m)
{
    return (m >= 0 && m < NS_DOSE_COUNT) ? dose_names[m] : NULL;
}

ns_status ns_dose_mode_parse(const char *s, ns_dose_mode *out)
{
    NS_CHECK(s != NULL && out != NULL, NS_EINVAL, "drug.dose: NULL argument");
    for (int i = 0; i < NS_DOSE_COUNT; i++)
        if (strcmp(s, dose_names[i]) == 0) {
            *out = (ns_dose_mode)i;
            return NS_OK;
        }
    NS_FAIL(NS_EINVAL, "drug.dose = '%s': unknown; valid: infinite, finite, coated, dissolving", s);
}

const char *ns_bottom_bc_name(ns_bottom_bc b)
{
    return (b >= 0 && b < NS_BOTTOM_COUNT) ? bottom_names[b] : NULL;
}

ns_status ns_bottom_bc_parse(const char *s, ns_bottom_bc *out)
{
    NS_CHECK(s != NULL && out != NULL, NS_EINVAL, "bottom boundary: NULL argument");
    for (int i = 0; i < NS_BOTTOM_COUNT; i++)
        if (strcmp(s, bottom_names[i]) == 0) {
            *out = (ns_bottom_bc)i;
            return NS_OK;
        }
    NS_FAIL(NS_EINVAL, "bottom boundary '%s': unknown; valid: sink, noflux", s);
}

/* ---- correlations ------------------------------------------------------------------- */

double ns_water_viscosity(double T) { return VOGEL_A * pow(10.0, VOGEL_B / (T - VOGEL_C)); }

double ns_drug_potts_guy_kp(const ns_drug_params *d)
{
    double M = d->molecular_weight / NS_G_PER_MOL; /* [g/mol] */
    double log_kp = PG_A + PG_B * d->log_kow + PG_C * M;
    return pow(10.0, log_kp) * NS_CM_PER_H;
}

double ns_drug_polar_kp(const ns_drug_params *d)
{
    double a = isfinite(d->radius) ? d->radius : ns_drug_stokes_radius(d);
    /* eq. (1b): (eps / (tau h)) D_aq H(a / r_p), eps / (tau h) from the reference */
    double eps_tau_h =
        POLAR_REF_KP / (POLAR_REF_D * ns_drug_renkin_hindrance(POLAR_REF_RADIUS, POLAR_PORE_RADIUS));
    return eps_tau_h * d->free_diffusivity * ns_drug_renkin_hindrance(a, POLAR_PORE_RADIUS);
}

double ns_drug_intact_kp(const ns_drug_params *d)
{
    double kp = ns_drug_potts_guy_kp(d) + ns_drug_polar_kp(d); /* eq. (1c) */
    return kp > NS_DRUG_KP_FLOOR ? kp : NS_DRUG_KP_FLOOR;
}

void ns_drug_sc_split(const ns_drug_params *d, double h_sc, double *K_sc, double *D_sc)
{
    double K = pow(10.0, KSC_EXPONENT * d->log_kow); /* Kow^0.7 */
    double kp = ns_drug_intact_kp(d);
    if (K_sc) *K_sc = K;
    if (D_sc) *D_sc = kp * h_sc / K; /* kp = K D / h */
}

double ns_drug_stokes_radius(const ns_drug_params *d)
{
    double v = d->molecular_weight / (SOLUTE_DENSITY * NS_AVOGADRO); /* volume of one molecule */
    return cbrt(3.0 * v / (4.0 * NS_PI));
}

double ns_drug_ha_radius_of_gyration(double M)
{
    return HA_RG_PREFACTOR * pow(M / NS_G_PER_MOL, HA_RG_EXPONENT);
}

double ns_drug_coating_thickness(const ns_drug_params *d, double A_w)
{
    return A_w > 0.0 ? d->coated_mass / (SOLUTE_DENSITY * A_w) : (double)NAN;
}

static double stokes_einstein_D(double a, double T)
{
    return NS_BOLTZMANN * T / (6.0 * NS_PI * ns_water_viscosity(T) * a);
}

double ns_drug_stokes_einstein_radius(const ns_drug_params *d, double T)
{
    return NS_BOLTZMANN * T / (6.0 * NS_PI * ns_water_viscosity(T) * d->free_diffusivity);
}

double ns_drug_renkin_hindrance(double solute_radius, double pore_radius)
{
    if (!(pore_radius > 0.0)) return 0.0;
    double l = solute_radius / pore_radius;
    if (l >= 1.0) return 0.0;
    if (l <= 0.0) return 1.0;
    double l3 = l * l * l;
    double l5 = l3 * l * l;
    return (1.0 - l) * (1.0 - l) * (1.0 - 2.104 * l + 2.09 * l3 - 0.95 * l5);
}

/* ---- presets --------------------------------------------------------------------------- */

/* Fill a preset; D25 > 0 is a measured diffusivity at 25 C scaled to 32 C by
 * Stokes-Einstein (T/eta), D25 = 0 means Stokes-Einstein from the MW radius. */
static void drug_make(ns_drug_params *d, const char *name, double M_g_per_mol, double log_kow,
                      double D25, double conc)
{
    memset(d, 0, sizeof *d);
    strncpy(d->preset, name, sizeof d->preset - 1);
    d->molecular_weight = M_g_per_mol * NS_G_PER_MOL;
    d->log_kow = log_kow;
    double T = NS_BODY_TEMPERATURE;
    if (D25 > 0.0)
        d->free_diffusivity = D25 * (T / T_25C) * ns_water_viscosity(T_25C) / ns_water_viscosity(T);
    else
        d->free_diffusivity = stokes_einstein_D(ns_drug_stokes_radius(d), T);
    d->radius = NAN;
    d->concentration = conc;
    d->dose = NS_DOSE_INFINITE;
    /* Finite dose: 10 mg/cm^2 of vehicle, the OECD 428 finite-dose loading,
     * is a 100 um film at 1 g/cm^3 [oecd428]. */
    d->film_thickness = 100.0 * NS_UM;
    /* Coated dose: about 1 ug per needle, the order coated on metal
     * microneedles [gill2007]. */
    d->coated_mass = 1.0 * NS_UG;
    /* Dissolving needle: carboxymethylcellulose and amylopectin needles
     * dissolve in skin "within minutes" [lee2008]; 5 min is used. */
    d->dissolution_time = 300.0;
    d->solubility = NAN; /* set by every preset */
    /* No effect threshold unless the preset has one (time_to_effect NaN). */
    d->effect_threshold = NAN;
    d->detection_floor = NS_DRUG_DETECTION_FLOOR; /* drug.h section 7 */
}

/* Caffeine: M 194.19 g/mol, log Kow -0.07 [pubchem, hansch1995]; D by
 * Stokes-Einstein; 10 mg/mL (below the 21.6 mg/mL solubility at 25 C [pubchem]). */
static void preset_caffeine(ns_drug_params *d)
{
    drug_make(d, "caffeine", 194.19, -0.07, 0.0, 10.0 * NS_MG_PER_ML);
    d->solubility = 21.6 * NS_MG_PER_ML; /* 21.6 mg/mL at 25 C [pubchem] */
}
/* Lidocaine: M 234.34 g/mol, log Kow 2.44 [pubchem, hansch1995]; D by
 * Stokes-Einstein; 25 mg/mL, the 2.5 % of lidocaine/prilocaine cream. */
static void preset_lidocaine(ns_drug_params *d)
{
    drug_make(d, "lidocaine", 234.34, 2.44, 0.0, 25.0 * NS_MG_PER_ML);
    d->solubility = 4.1 * NS_MG_PER_ML; /* base, 4.1 mg/mL at 30 C [pubchem] */
    /* Effect threshold 0.23 mM = 0.054 kg/m3: the steady-state EC50 of
     * conduction block of myelinated (232 uM) and unmyelinated (228 uM) rat
     * dorsal root axons at 37 C [huang1996]. */
    d->effect_threshold = 230e-6 * 234.34; /* [mol/L] x [g/mol] = [kg/m3] */
}
/* Fluorescein: M 332.31 g/mol, log Kow 3.4 (XLogP3, computed) [pubchem];
 * D 4.25e-10 m^2/s at 25 C [culbertson2002]; 1 mg/mL tracer solution. */
static void preset_fluorescein(ns_drug_params *d)
{
    drug_make(d, "fluorescein", 332.31, 3.4, 4.25e-10, 1.0 * NS_MG_PER_ML);
    /* Sodium fluorescein (uranine), the salt of tracer solutions: freely
     * soluble, about 500 mg/mL (order) [pubchem]. */
    d->solubility = 500.0 * NS_MG_PER_ML;
}
/* Calcein: M 622.53 g/mol, log Kow -5.0 (XLogP3 order, very hydrophilic
 * polyanion) [pubchem]; D by Stokes-Einstein; 1 mg/mL tracer solution. */
static void preset_calcein(ns_drug_params *d)
{
    drug_make(d, "calcein", 622.53, -5.0, 0.0, 1.0 * NS_MG_PER_ML);
    /* Calcein at neutral pH (its sodium salt) is dissolved at 70 mM and more
     * in liposome leakage assays, where it self-quenches [allen1980]: the
     * solubility is at least 70 mM x 622.53 g/mol = 43.6 mg/mL, the value
     * used (a lower bound; no measured solubility found). */
    d->solubility = 0.070 * 622.53 * NS_MG_PER_ML;
}
/* Ascorbic acid: M 176.12 g/mol, log Kow -1.85 [pubchem, hansch1995]; D by
 * Stokes-Einstein; 100 mg/mL, a 10 % topical serum. */
static void preset_ascorbic_acid(ns_drug_params *d)
{
    drug_make(d, "ascorbic_acid", 176.12, -1.85, 0.0, 100.0 * NS_MG_PER_ML);
    d->solubility = 330.0 * NS_MG_PER_ML; /* 330 mg/mL at 25 C [pubchem] */
}
/* Hyaluronic acid oligomer, 5 kDa (about 13 disaccharides of 401 g/mol
 * [pubchem]); log Kow -4 (assumption: polyanion, far more hydrophilic than
 * its disaccharide); D by Stokes-Einstein of the compact sphere, an upper
 * bound for a random coil; 10 mg/mL, a 1 % serum. */
static void preset_hyaluronic_acid(ns_drug_params *d)
{
    drug_make(d, "hyaluronic_acid", 5000.0, -4.0, 0.0, 10.0 * NS_MG_PER_ML);
    /* Sodium hyaluronate dissolves without a saturation limit; solutions
     * above about 100 mg/mL are gels (order, assumption). */
    d->solubility = 100.0 * NS_MG_PER_ML;
}
/* Human insulin: M 5807.6 g/mol [pubchem]; log Kow -3 (assumption: no
 * octanol partitioning of a hydrophilic protein); D by Stokes-Einstein of the
 * monomer; 3.47 mg/mL, U-100 insulin (100 IU/mL at 0.0347 mg/IU [who_insulin]). */
static void preset_insulin(ns_drug_params *d)
{
    drug_make(d, "insulin", 5807.6, -3.0, 0.0, 3.47 * NS_MG_PER_ML);
    /* U-500 insulin is a 17.4 mg/mL solution, a lower bound on the
     * solubility at neutral pH [who_insulin]. */
    d->solubility = 17.4 * NS_MG_PER_ML;
}

/* Hyaluronic acid as a random coil (drug.h section 6): radius of gyration
 * Rg = HA_RG_PREFACTOR M^0.6 (Mendichi et al. 2003), hydrodynamic radius
 * R_h = HA_RH_OVER_RG Rg, free diffusivity by Stokes-Einstein of R_h. */
static void preset_ha_coil(ns_drug_params *d, const char *name, double M_g_per_mol)
{
    drug_make(d, name, M_g_per_mol, -4.0, 0.0, 10.0 * NS_MG_PER_ML);
    d->radius = HA_RH_OVER_RG * ns_drug_ha_radius_of_gyration(d->molecular_weight);
    d->free_diffusivity = stokes_einstein_D(d->radius, NS_BODY_TEMPERATURE);
    d->solubility = 100.0 * NS_MG_PER_ML; /* as the 5 kDa preset (assumption) */
}
/* Low-molecular serum hyaluronic acid, 50 kDa; 1 % serum (10 mg/mL). */
static void preset_ha_50k(ns_drug_params *d) { preset_ha_coil(d, "hyaluronic_acid_50k", 5.0e4); }
/* High-molecular hyaluronic acid, 1 MDa; 1 % serum (10 mg/mL). */
static void preset_ha_1m(ns_drug_params *d) { preset_ha_coil(d, "hyaluronic_acid_1m", 1.0e6); }
/* Palmitoyl pentapeptide-4 (Pal-KTTKS, Matrixyl): M 802.05 g/mol [pubchem];
 * log Kow 1.0 (order of the computed XLogP3 of the palmitoylated peptide,
 * assumption); D by Stokes-Einstein; 3 ppm (3 mg/L), the concentration of the
 * clinical study of Robinson et al. 2005 [robinson2005]; solubility 1 mg/mL
 * (order, assumption: an amphiphile dispersed rather than dissolved;
 * Mortazavi, Kobarfard, Maibach & Moghimi, J Cosmet Sci 70(6), measured it
 * in their preformulation study of Pal-KTTKS, but their number
 * was not found). */
static void preset_pal_pentapeptide(ns_drug_params *d)
{
    drug_make(d, "palmitoyl_pentapeptide", 802.05, 1.0, 0.0, 3.0e-3);
    d->solubility = 1.0 * NS_MG_PER_ML;
}

static const ns_source_note notes_caffeine[] = {
    {"molecular weight / log Kow", "194.19 g/mol / -0.07", "pubchem, hansch1995"},
    {"free diffusivity (32 C)", "Stokes-Einstein from the MW radius", "erickson2009, alshemmeri2012"},
    {"concentration", "10 mg/mL", "below solubility (pubchem)"},
    {"solubility", "21.6 mg/mL at 25 C", "pubchem"},
};
static const ns_source_note notes_lidocaine[] = {
    {"molecular weight / log Kow", "234.34 g/mol / 2.44", "pubchem, hansch1995"},
    {"free diffusivity (32 C)", "Stokes-Einstein from the MW radius", "erickson2009, alshemmeri2012"},
    {"concentration", "25 mg/mL (2.5 % cream)", "lidocaine/prilocaine cream label"},
    {"solubility", "4.1 mg/mL at 30 C (base)", "pubchem"},
    {"effect threshold", "0.23 mM = 0.054 mg/mL (EC50 of axon conduction block)", "huang1996"},
};
static const ns_source_note notes_fluorescein[] = {
    {"molecular weight / log Kow", "332.31 g/mol / 3.4 (XLogP3)", "pubchem"},
    {"free diffusivity", "4.25e-10 m2/s at 25 C, scaled to 32 C", "culbertson2002"},
    {"concentration", "1 mg/mL", "tracer solution"},
    {"solubility", "about 500 mg/mL (sodium salt, order)", "pubchem"},
};
static const ns_source_note notes_calcein[] = {
    {"molecular weight / log Kow", "622.53 g/mol / -5.0 (XLogP3 order)", "pubchem"},
    {"free diffusivity (32 C)", "Stokes-Einstein from the MW radius", "erickson2009"},
    {"concentration", "1 mg/mL", "tracer solution"},
    {"solubility", "43.6 mg/mL (70 mM, dissolved in self-quenching assays: a lower bound)",
     "allen1980"},
};
static const ns_source_note notes_ascorbic[] = {
    {"molecular weight / log Kow", "176.12 g/mol / -1.85", "pubchem, hansch1995"},
    {"free diffusivity (32 C)", "Stokes-Einstein from the MW radius", "erickson2009"},
    {"concentration", "100 mg/mL (10 % serum)", "cosmetic serums"},
    {"solubility", "330 mg/mL at 25 C", "pubchem"},
};
static const ns_source_note notes_ha[] = {
    {"molecular weight", "5 kDa oligomer (chosen)", "pubchem (disaccharide 401 g/mol)"},
    {"log Kow", "-4", "assumption (polyanion)"},
    {"free diffusivity (32 C)", "Stokes-Einstein, compact sphere (upper bound)", "erickson2009"},
    {"concentration", "10 mg/mL (1 % serum)", "cosmetic serums"},
    {"solubility", "100 mg/mL (gel limit, order)", "assumption"},
};
static const ns_source_note notes_ha_coil[] = {
    {"molecular weight", "50 kDa / 1 MDa (serum grades, chosen)", "cosmetic serums"},
    {"hydrodynamic radius", "0.665 Rg, Rg = 0.0251 nm M^0.6 (100 nm at 1 MDa)", "mendichi2003"},
    {"free diffusivity (32 C)", "Stokes-Einstein of the coil radius", "alshemmeri2012"},
    {"log Kow / solubility", "-4 / 100 mg/mL", "assumption (polyanion, gel limit)"},
    {"concentration", "10 mg/mL (1 % serum)", "cosmetic serums"},
};
static const ns_source_note notes_pal_pentapeptide[] = {
    {"molecular weight", "802.05 g/mol", "pubchem"},
    {"log Kow", "1.0 (order of XLogP3)", "assumption"},
    {"free diffusivity (32 C)", "Stokes-Einstein from the MW radius", "erickson2009"},
    {"concentration", "3 ppm (3 mg/L)", "robinson2005"},
    {"solubility", "1 mg/mL (order)", "assumption"},
};
static const ns_source_note notes_insulin[] = {
    {"molecular weight", "5807.6 g/mol", "pubchem"},
    {"log Kow", "-3", "assumption (hydrophilic protein)"},
    {"free diffusivity (32 C)", "Stokes-Einstein of the monomer", "erickson2009"},
    {"concentration", "3.47 mg/mL (U-100)", "insulin labels"},
    {"solubility", ">= 17.4 mg/mL (U-500 solution)", "who_insulin, insulin labels"},
};

/* The presets: one row each (models/preset.h). */
static const ns_preset presets[] = {
    {"caffeine", {.drug = preset_caffeine}, NS_PRESET_NOTES(notes_caffeine)},
    {"lidocaine", {.drug = preset_lidocaine}, NS_PRESET_NOTES(notes_lidocaine)},
    {"fluorescein", {.drug = preset_fluorescein}, NS_PRESET_NOTES(notes_fluorescein)},
    {"calcein", {.drug = preset_calcein}, NS_PRESET_NOTES(notes_calcein)},
    {"ascorbic_acid", {.drug = preset_ascorbic_acid}, NS_PRESET_NOTES(notes_ascorbic)},
    {"hyaluronic_acid", {.drug = preset_hyaluronic_acid}, NS_PRESET_NOTES(notes_ha)},
    {"insulin", {.drug = preset_insulin}, NS_PRESET_NOTES(notes_insulin)},
    {"hyaluronic_acid_50k", {.drug = preset_ha_50k}, NS_PRESET_NOTES(notes_ha_coil)},
    {"hyaluronic_acid_1m", {.drug = preset_ha_1m}, NS_PRESET_NOTES(notes_ha_coil)},
    {"palmitoyl_pentapeptide", {.drug = preset_pal_pentapeptide}, NS_PRESET_NOTES(notes_pal_pentapeptide)},
};
static const ns_preset_table table = NS_PRESET_TABLE("drug.preset", presets);

ns_status ns_drug_preset(const char *name, ns_drug_params *out)
{
    NS_CHECK(out != NULL, NS_EINVAL, "drug preset: output pointer is NULL");
    const ns_preset *row = NULL;
    NS_TRY(ns_preset_lookup(&table, name, &row));
    row->fill.drug(out);
    return NS_OK;
}

size_t ns_drug_preset_count(void) { return table.n; }

const char *ns_drug_preset_name(size_t i) { return ns_preset_name(&table, i); }

size_t ns_drug_preset_sources(const char *name, const ns_source_note **notes)
{
    return ns_preset_sources(&table, name, notes);
}

/* ---- validation and layer coefficients -------------------------------------------- */

ns_status ns_drug_check(const ns_drug_params *d)
{
    NS_CHECK(d != NULL, NS_EINVAL, "drug: NULL parameters");
    /* every range, for every dose mode: the parameter table */
    return ns_param_check_struct(d, offsetof(ns_params, drug), "drug");
}

ns_status ns_drug_fill_layers(ns_skin_params *skin, const ns_drug_params *d)
{
    NS_CHECK(skin != NULL && d != NULL, NS_EINVAL, "drug layers: NULL argument");
    NS_TRY(ns_param_check_value("drug", "free_diffusivity", NULL, d->free_diffusivity));
    if (skin->membrane) {
        NS_CHECK(!isnan(skin->layer[0].diffusivity) && !isnan(skin->layer[0].partition),
                 NS_EINVAL,
                 "skin.membrane.diffusivity and skin.membrane.partition must be set explicitly "
                 "for a membrane stack (got %g m2/s, %g)",
                 skin->layer[0].diffusivity, skin->layer[0].partition);
        return NS_OK;
    }
    NS_CHECK(skin->n_layers == NS_LAYER_MAX, NS_EINVAL,
             "skin: %zu layers; a four-layer stack is needed to derive transport coefficients",
             skin->n_layers);
    double D_tissue = TISSUE_D_FACTOR * d->free_diffusivity;
    double Kow = pow(10.0, d->log_kow);
    double K_sc, D_sc;
    ns_drug_sc_split(d, skin->layer[NS_LAYER_SC].thickness, &K_sc, &D_sc);
    ns_layer *L = skin->layer;
    if (isnan(L[NS_LAYER_SC].diffusivity)) L[NS_LAYER_SC].diffusivity = D_sc;
    if (isnan(L[NS_LAYER_SC].partition)) L[NS_LAYER_SC].partition = K_sc;
    for (size_t i = NS_LAYER_VE; i <= NS_LAYER_DERMIS; i++) {
        if (isnan(L[i].diffusivity)) L[i].diffusivity = D_tissue;
        if (isnan(L[i].partition)) L[i].partition = 1.0;
    }
    if (isnan(L[NS_LAYER_HYPO].diffusivity)) L[NS_LAYER_HYPO].diffusivity = D_tissue;
    if (isnan(L[NS_LAYER_HYPO].partition))
        L[NS_LAYER_HYPO].partition = (1.0 - FAT_LIPID_FRACTION) + FAT_LIPID_FRACTION * Kow;
    return NS_OK;
}
