/* Drug: molecular properties, dosing, and the layer transport coefficients
 * derived from them.
 *
 * Symbols: MW molar mass [kg/mol] (M = 1000 MW in g/mol inside the
 * correlations); log Kow [-]; D_aq free-solution diffusivity at skin
 * temperature T [m^2/s]; a Stokes radius [m]; c_v vehicle concentration
 * [kg/m^3]; h_sc SC thickness [m].
 *
 * 1. Intact-skin permeability (Potts & Guy 1992, aqueous vehicle, human
 *    epidermis):
 *        log10 kp[cm/h] = -2.72 + 0.71 log10 Kow - 0.0061 M[g/mol]
 *    returned in m/s (1 cm/h = 1e-2/3600 m/s). Caffeine (M = 194.19,
 *    log Kow = -0.07): kp = 1.11e-4 cm/h = 3.1e-10 m/s. Validity: the fit
 *    spans roughly M 18-750 and log Kow -3..6 (Potts & Guy's data set of 93
 *    compounds, mostly log Kow > -1); it describes the lipid pathway and
 *    falls without bound for polar solutes (calcein, log Kow -5: 8.6e-11
 *    cm/h; hyaluronic acid and insulin: 1e-36 and below), where the aqueous
 *    pathway below takes over.
 * 1b. Polar (aqueous pore) pathway in parallel (Mitragotri 2003: lipid and
 *    pore pathways add):
 *        kp_pore = (eps / (tau h)) D_aq H(a / r_p)
 *    with the Renkin hindrance H of section 4, effective pore radius
 *    r_p = 2 nm (human epidermal membrane 1.5-2.5 nm, Peck et al. 1994) and
 *    eps / (tau h) chosen so a mannitol-sized solute (a = 0.37 nm) gets
 *    1e-5 cm/h, the order reported for polar solutes (assumption, status U).
 *    Solutes wider than the pores (a >= r_p) get no pore pathway.
 * 1c. Intact-skin permeability kp = max(kp_PG + kp_pore, NS_DRUG_KP_FLOOR)
 *    (ns_drug_intact_kp); the floor, 1e-20 m/s (3.6e-14 cm/h, far below any
 *    measurement), keeps the SC diffusivity a positive normal number for
 *    coils wider than the pores (hyaluronic acid of 1 MDa: Potts-Guy
 *    underflows to 0).
 *    Caffeine: 1.11e-4 + 0.92e-5 cm/h (+8 %); calcein gets its floor of
 *    3.6e-6 cm/h instead of Potts-Guy's 8.6e-11 cm/h; insulin 1.4e-7 cm/h.
 *
 * 2. Splitting kp (1c) into a homogeneous-membrane SC (kp = K_sc D_sc / h_sc):
 *        K_sc = Kow^0.7,       D_sc = kp h_sc / K_sc.
 *    The power law is the lipid/water partition correlation used throughout
 *    skin-permeation modelling (exponent about 0.7; Raykar et al. 1988,
 *    Mitragotri 2003). Only the product K_sc D_sc is fixed by the data; the
 *    split sets the lag time h_sc^2 / (6 D_sc) and the amount held in the SC.
 *
 * 3. Stokes radius from the molar mass, treating the solute as a sphere of
 *    partial specific volume v = 0.73 cm^3/g (globular proteins; Erickson
 *    2009), i.e. density rho = 1/v = 1370 kg/m^3:
 *        a = (3 MW / (4 pi rho N_A))^(1/3).
 *    Caffeine 0.38 nm, insulin (5808 g/mol) 1.18 nm. Cross-check by
 *    Stokes-Einstein a = k T / (6 pi eta D_aq) (ns_drug_stokes_einstein_radius).
 *
 * 4. Hindered diffusion in a water-filled channel of radius r_p (Renkin 1954),
 *    lambda = a / r_p:
 *        H(lambda) = (1 - lambda)^2 (1 - 2.104 lambda + 2.09 lambda^3
 *                                      - 0.95 lambda^5),   H = 0 for lambda >= 1
 *    (steric partition times the centreline drag factor).
 *
 * 5. Viable tissue. VE, dermis and hypodermis are aqueous gels: D = f_t D_aq
 *    with the tissue factor f_t = 0.25 for the viable epidermis and 0.25 for
 *    the dermis (Kretsos & Kasting 2005 / Kasting's dermis model take the
 *    dermal diffusivity a few-fold below D_aq; we take the factor 1/4 quoted
 *    there for small solutes), partition K = 1 (aqueous phase, relative to an
 *    aqueous vehicle). Hypodermis (adipose): D = f_t D_aq with f_t = 0.25 and
 *    K = (1 - phi) + phi Kow with lipid volume fraction phi = 0.8 (octanol as
 *    a surrogate for fat). The membrane preset keeps its explicit D and K.
 *
 * 6. Large solutes. Hyaluronic acid is a random coil, not a compact sphere:
 *        Rg = 0.0251 nm M^0.6 (Mendichi et al. 2003: Rg ~ M^0.6 for
 *        4e4-5.5e6 g/mol; about 100 nm at 1 MDa),  R_h = 0.665 Rg
 *    (non-draining coil), so the 50 kDa grade has R_h = 11 nm (D_aq 2.6e-11
 *    m^2/s) and the 1 MDa grade 67 nm (4.4e-12 m^2/s), against 1-2 nm for
 *    compact spheres of the same mass. In tissue the factor f_t = 1/4 of
 *    section 5 gives 6.6 and 1.1 um^2/s, inside the ranges measured for
 *    70-2000 kDa dextrans: epidermis 1-8, dermis 1-20 um^2/s (Wei et al.
 *    2018, Sci Rep 8:17759; tests/unit/test_drug.c). In a channel the Renkin
 *    hindrance of R_h against the closing radius sets when the channel is
 *    closed to the solute (result delivered_before_closure).
 *
 * 7. Detection floor (drug.detection_floor, result intact_below_detection):
 *    the smallest permeated amount per area an assay of the receptor fluid
 *    quantifies. An enhancement ratio over an intact amount below it compares
 *    with an amount no experiment would report. Default 1 ng/cm^2 = 1e-8
 *    kg/m^2 (NS_DRUG_DETECTION_FLOOR), a named assumption of the order of an
 *    LC-MS/MS lower limit of quantification, 0.5 ng/mL (avobenzone, Kim et al.
 *    2015, J Chromatogr B 1003:41), in a Franz-cell receptor of about 2-3 mL
 *    per cm^2 of diffusion area (e.g. 5 mL over a 15 mm orifice, 1.77 cm^2:
 *    1.4 ng/cm^2; the cell geometry is the assumption). HPLC-UV limits are
 *    10-100 times higher; set the key to the assay of the study compared.
 *
 * Free diffusivities at 32 C: a measured value at 25 C scaled by
 * Stokes-Einstein, D(T) = D(298.15 K) (T / 298.15) eta(25 C)/eta(T) (factor
 * 1.19), where a measurement is cited (fluorescein); otherwise Stokes-Einstein
 * D = k T / (6 pi eta(T) a) with the Stokes radius of section 3 (stated per
 * preset in drug.c). For fluorescein the two differ by about 25 % (the
 * compact-sphere radius ignores hydration), which is the accuracy to expect.
 *
 * References (models/REFERENCES.md): potts1992, raykar1988, mitragotri2003, peck1994,
 * renkin1954, deen1987, kretsos2005, erickson2009, pubchem, mendichi2003,
 * burchard1999, wei2018, robinson2005, kim2015.
 */
#ifndef NS_DRUG_H
#define NS_DRUG_H

#include <stddef.h>

#include "params.h"
#include "preset.h"
#include "skin.h"
#include "status.h"

/* Drug presets: caffeine, lidocaine, fluorescein, calcein, ascorbic_acid,
 * hyaluronic_acid, insulin, hyaluronic_acid_50k, hyaluronic_acid_1m (random
 * coils, section 6: radius set), palmitoyl_pentapeptide. Radius is left NaN
 * (derive) except for the coils. NS_EINVAL for unknown. */
ns_status ns_drug_preset(const char *name, ns_drug_params *out);
size_t ns_drug_preset_count(void);
const char *ns_drug_preset_name(size_t i);
size_t ns_drug_preset_sources(const char *name, const ns_source_note **notes);

/* Enum <-> config text ("infinite", "finite", "coated"; "sink", "noflux"). */
const char *ns_dose_mode_name(ns_dose_mode m);
ns_status ns_dose_mode_parse(const char *s, ns_dose_mode *out);
const char *ns_bottom_bc_name(ns_bottom_bc b);
ns_status ns_bottom_bc_parse(const char *s, ns_bottom_bc *out);

/* Potts-Guy permeability of intact skin [m/s] (section 1). */
double ns_drug_potts_guy_kp(const ns_drug_params *d);

#define NS_DRUG_KP_FLOOR 1e-20 /* [m/s] floor of the intact permeability (section 1c) */
/* [kg/m^2] default detection floor of a permeated amount, 1 ng/cm^2 (section 7;
 * every preset, so drug.detection_floor takes it from the preset). */
#define NS_DRUG_DETECTION_FLOOR 1e-8

/* Polar (aqueous pore) permeability [m/s] (section 1b). */
double ns_drug_polar_kp(const ns_drug_params *d);

/* Intact-skin permeability kp_PG + kp_pore [m/s] (section 1c). */
double ns_drug_intact_kp(const ns_drug_params *d);

/* SC partition K_sc [-] and diffusivity D_sc [m^2/s] for an SC of thickness
 * h_sc [m] (sections 1c and 2: kp = K_sc D_sc / h_sc with the intact kp).
 * Either output pointer may be NULL. */
void ns_drug_sc_split(const ns_drug_params *d, double h_sc, double *K_sc, double *D_sc);

/* Radius of gyration [m] of a hyaluronic acid coil of molar mass M
 * [kg/mol] (section 6). */
double ns_drug_ha_radius_of_gyration(double M);

/* Thickness [m] of a coating of mass coated_mass spread evenly over the
 * wetted needle area A_w [m^2] at the solute density of section 3:
 * h_c = m / (rho A_w) (thin film, h_c << needle radius). NaN if A_w <= 0. */
double ns_drug_coating_thickness(const ns_drug_params *d, double A_w);

/* Stokes radius from the molar mass [m] (section 3). */
double ns_drug_stokes_radius(const ns_drug_params *d);

/* Stokes-Einstein radius k T / (6 pi eta(T) D_aq) [m] at temperature T [K]
 * (water viscosity by the Vogel equation). */
double ns_drug_stokes_einstein_radius(const ns_drug_params *d, double T);

/* Water viscosity [Pa s] at T [K], Vogel form eta = A 10^(B / (T - C)) with
 * A = 2.414e-5 Pa s, B = 247.8 K, C = 140 K (within 2.5 % for 0-370 C;
 * 0.890 mPa s at 25 C, 0.765 mPa s at 32 C) [alshemmeri2012]. */
double ns_water_viscosity(double T);

/* Renkin hindrance factor (section 4); 0 for lambda >= 1, 1 at lambda = 0. */
double ns_drug_renkin_hindrance(double solute_radius, double pore_radius);

/* Validate: molecular_weight in (0, 1000] kg/mol, log_kow in [-10, 10],
 * free_diffusivity in (0, 1e-8] m^2/s, radius > 0 or NaN, concentration > 0,
 * dose mode valid; finite dose film_thickness > 0; coated dose coated_mass > 0.
 * Exceptions: NS_EINVAL. */
ns_status ns_drug_check(const ns_drug_params *d);

/* Fill every NaN layer diffusivity/partition of `skin` from the drug
 * (sections 2 and 5); explicit values are kept; a membrane stack must carry
 * explicit values (NS_EINVAL otherwise). Exceptions: NS_EINVAL. */
ns_status ns_drug_fill_layers(ns_skin_params *skin, const ns_drug_params *d);

#endif
