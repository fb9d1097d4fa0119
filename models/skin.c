/* Skin presets and layer-stack utilities (equations and conventions in skin.h).
 *
 * Every preset value carries its source key (models/REFERENCES.md) in a
 * comment; the same provenance is exposed as text by ns_skin_preset_sources().
 * Tags as in the design notes: values read in a primary source, values quoted
 * by a third party ("as quoted"), and documented modelling choices
 * ("assumption", with the reasoning). */
#include "skin.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "param_table.h"
#include "units.h"

/* ---- shared constants of the human presets ----------------------------------- */

/* Mass densities: skin about 1.1 g/cm^3, fat about 0.9 g/cm^3 [duck1990]. */
#define SKIN_DENSITY 1100.0 /* [kg/m^3] */
#define FAT_DENSITY 900.0   /* [kg/m^3] */

/* SC and VE moduli: 1-2 MPa by micro-indentation, no significant SC/VE
 * difference [geerligs2011]; SC taken at the upper end (it is drier than the
 * VE in ambient air, and drying stiffens it [yuan2006]), VE at the lower. */
#define SC_MODULUS (2.0 * NS_MPA)
#define VE_MODULUS (1.0 * NS_MPA)
/* Dermis in vivo 210 kPa, hypodermis 1.9 kPa [iivarinen2011, as quoted]. Fat:
 * neo-Hookean shear modulus 0.53 kPa [sims2010] gives E = 3 mu = 1.6 kPa,
 * consistent; we keep 1.9 kPa. */
#define DERMIS_MODULUS (210.0 * NS_KPA)
#define HYPO_MODULUS (1.9 * NS_KPA)
/* Strain stiffening of the dermis, beta = (E1/E0 - 1)/eps_t^2 with E0 = 1.18 MPa,
 * E1 = 83 MPa [niannaidh2012] and eps_t = 0.30 (skin.h): 69.34/0.09 = 770. */
#define DERMIS_STIFFENING ((83.0 / 1.18 - 1.0) / (0.30 * 0.30))

/* Poisson ratios: near-incompressible modelling choice 0.45-0.499
 * (assumption); the SC, a dry lamellar solid, is taken less incompressible. */
#define SC_POISSON 0.45
#define VE_POISSON 0.48
#define DERMIS_POISSON 0.48
#define HYPO_POISSON 0.49

/* Cutting toughness G_c [J/m^2].
 * SC: 8 J/m^2, upper end of the 1-8 J/m^2 SC delamination energies
 *     [wu2006]; delamination is a lower bound for cutting across the layer.
 * VE: 10 J/m^2, the effective toughness of murine epidermis/skin under
 *     dynamic micro-penetration [meliga2017].
 * dermis: 1.1 kJ/m^2, porcine skin toughness measured by needle insertion
 *     [cjme2022 review table].
 * hypodermis: porcine adipose tears at 4.1 kJ/m^2 while skin tears at
 *     17-20 kJ/m^2 but cuts at 1.1 kJ/m^2 [cjme2022]; scaling the adipose
 *     tear value by the skin's cut/tear ratio 1.1/18.5 gives 0.24 kJ/m^2
 *     (assumption). */
#define SC_TOUGHNESS 8.0
#define VE_TOUGHNESS 10.0
#define DERMIS_TOUGHNESS 1100.0
#define HYPO_TOUGHNESS (4100.0 * 1.1 / 18.5)

/* Needle-tissue friction: dry skin on steel 0.2-0.5 [derler2012]; SC 0.4.
 * Wet internal tissue against a steel shaft: 0.2, mid-range of the 0.1-0.4
 * used by needle-insertion force models [okamura2004] (calibration). */
#define SC_FRICTION 0.4
#define TISSUE_FRICTION 0.2

/* Viscoelastic relaxation, one Prony term G(t) = G0 (1 - g (1 - e^{-t/tau})).
 * Skin: 40 % force relaxation in 1 s and 10 % more by 10 s [crichton2013].
 * Matching G(10 s) = 0.5 G0 (so g = 0.5 since tau << 10 s) and G(1 s) = 0.6 G0:
 * 0.5 (1 - e^{-1/tau}) = 0.4 -> tau = 1 / ln 5 = 0.621 s.
 * Fat: 39 % relaxation with tau = 700 s [sims2010]. */
#define SKIN_RELAX_FRACTION 0.5
#define SKIN_RELAX_TIME (1.0 / 1.6094379124341003) /* 1/ln 5 [s] */
#define FAT_RELAX_FRACTION 0.39
#define FAT_RELAX_TIME 700.0
/* Short-time (Kelvin-Voigt) shear viscosity of the skin above the fat:
 * 3.23 +- 0.93 Pa s, human forearm skin in vivo by Lamb-wave high-frequency
 * ultrasound elastography [hfus_lamb_skin]; taken for every human site. */
#define SKIN_VISCOSITY 3.23

/* Capillary clearance of the dermis: 3e-4 1/s, the logarithmic midpoint of the
 * 1e-4..1e-3 1/s range of dermal clearance rates for small solutes
 * [kretsos2005]. The SC and VE are avascular (0); the hypodermis is left out
 * of the default transport domain and gets 0. */
#define DERMIS_CLEARANCE 3.0e-4

/* Open fraction of the channel after withdrawal (calibration): the SC tears and
 * stays open, the viable layers recoil; real channels are shallower and
 * narrower than the needle [han2015]; values chosen so that the surface hole
 * is about 2/3 and the deeper channel about 1/3 of the needle diameter. */
#define SC_OPEN 0.7
#define VE_OPEN 0.3
#define DERMIS_OPEN 0.3
#define HYPO_OPEN 0.2

/* In vivo pre-tension N0 = E_dermis eps0 h_dermis with the pre-strain eps0 =
 * 0.10 that skin retracts by when excised (assumption, small-strain secant;
 * order of magnitude of in vivo pre-stretch reported for human skin). Forearm:
 * 210 kPa x 0.10 x 1.365 mm = 28.7 N/m. */
#define PRESTRAIN 0.10

/* Backing (support) stiffness k = E_support / h_support as a Winkler layer:
 * relaxed muscle E about 20 kPa over about 2 cm (assumption) -> 1e6 N/m^3;
 * ear cartilage E about 5 MPa over 1 mm (assumption) -> 5e9 N/m^3; a rigid lab
 * support or Franz-cell grid 1e9 N/m^3 (assumption). */
#define MUSCLE_BACKING 1.0e6
#define CARTILAGE_BACKING 5.0e9
#define LAB_BACKING 1.0e9

static const char *const layer_names[NS_LAYER_MAX] = {"stratum_corneum", "viable_epidermis",
                                                       "dermis", "hypodermis"};

static ns_layer layer_make(double h, double rho, double E, double beta, double nu, double Gc,
                           double mu, double tau, double g, double kcl, double fopen)
{
    ns_layer l;
    l.thickness = h;
    l.density = rho;
    l.youngs_modulus = E;
    l.stiffening = beta;
    l.poisson = nu;
    l.toughness = Gc;
    l.friction = mu;
    l.relaxation_time = tau;
    l.relaxation_fraction = g;
    l.diffusivity = NAN;
    l.partition = NAN;
    l.clearance = kcl;
    l.open_fraction = fopen;
    return l;
}

/* Human four-layer stack with the given thicknesses; the rest is shared. */
static void human_stack(ns_skin_params *p, const char *name, double h_sc, double h_ve,
                        double h_de, double h_hy, double backing)
{
    memset(p, 0, sizeof *p);
    strncpy(p->preset, name, sizeof p->preset - 1);
    p->membrane = 0;
    p->n_layers = 4;
    p->layer[NS_LAYER_SC] = layer_make(h_sc, SKIN_DENSITY, SC_MODULUS, 0.0, SC_POISSON,
                                       SC_TOUGHNESS, SC_FRICTION, SKIN_RELAX_TIME,
                                       SKIN_RELAX_FRACTION, 0.0, SC_OPEN);
    p->layer[NS_LAYER_VE] = layer_make(h_ve, SKIN_DENSITY, VE_MODULUS, 0.0, VE_POISSON,
                                       VE_TOUGHNESS, TISSUE_FRICTION, SKIN_RELAX_TIME,
                                       SKIN_RELAX_FRACTION, 0.0, VE_OPEN);
    p->layer[NS_LAYER_DERMIS] =
        layer_make(h_de, SKIN_DENSITY, DERMIS_MODULUS, DERMIS_STIFFENING, DERMIS_POISSON,
                   DERMIS_TOUGHNESS, TISSUE_FRICTION, SKIN_RELAX_TIME, SKIN_RELAX_FRACTION,
                   DERMIS_CLEARANCE, DERMIS_OPEN);
    p->layer[NS_LAYER_HYPO] = layer_make(h_hy, FAT_DENSITY, HYPO_MODULUS, 0.0, HYPO_POISSON,
                                         HYPO_TOUGHNESS, TISSUE_FRICTION, FAT_RELAX_TIME,
                                         FAT_RELAX_FRACTION, 0.0, HYPO_OPEN);
    p->pretension = DERMIS_MODULUS * PRESTRAIN * h_de;
    p->backing_stiffness = backing;
    p->viscosity = SKIN_VISCOSITY;
    p->temperature = NS_BODY_TEMPERATURE;
    p->age = NAN; /* reference age: no scaling (models/ageing.h) */
}

/* ---- presets ------------------------------------------------------------------- */

/* Dorsal forearm: SC 18.3 um, VE 56.6 um [sandbymoller2003]; epidermis +
 * dermis 1.44 mm on the dorsal forearm by high-frequency ultrasound
 * [hfus_forearm], so dermis = 1.44 mm - 74.9 um = 1.365 mm; subcutis 10.8 mm
 * on the arm [gibney2010] (nearest measured site). */
static void preset_forearm(ns_skin_params *p)
{
    double h_sc = 18.3 * NS_UM, h_ve = 56.6 * NS_UM;
    human_stack(p, "forearm", h_sc, h_ve, 1.44 * NS_MM - h_sc - h_ve, 10.8 * NS_MM,
                MUSCLE_BACKING);
}

/* Face (cheek): epidermis 29.6-62.6 um and dermis 0.76-1.97 mm over 39 facial
 * subunits [chopra2015]; we take epidermis 50 um and dermis 1.2 mm
 * (mid-range picks). SC 11.0 um, the thin-SC value of the shoulder
 * [sandbymoller2003] used as proxy (assumption); VE = 50 - 11 = 39 um. Buccal
 * subcutis 5 mm (assumption: thinner than trunk and arm fat). */
static void preset_face(ns_skin_params *p)
{
    human_stack(p, "face", 11.0 * NS_UM, 39.0 * NS_UM, 1.2 * NS_MM, 5.0 * NS_MM, MUSCLE_BACKING);
}

/* Abdomen: epidermis + dermis 2.2 mm, subcutis 13.9 mm [gibney2010]; SC 14.9 um
 * and VE 81.5 um of the buttock [sandbymoller2003] as the nearest covered trunk
 * site (proxy). */
static void preset_abdomen(ns_skin_params *p)
{
    double h_sc = 14.9 * NS_UM, h_ve = 81.5 * NS_UM;
    human_stack(p, "abdomen", h_sc, h_ve, 2.2 * NS_MM - h_sc - h_ve, 13.9 * NS_MM,
                MUSCLE_BACKING);
}

/* Upper back: SC 11.0 um and VE 70.3 um of the shoulder [sandbymoller2003];
 * epidermis + dermis 2.54 mm suprascapular [laurent2007]; subcutis 10 mm
 * (assumption, between the arm and abdomen values of gibney2010). */
static void preset_back(ns_skin_params *p)
{
    double h_sc = 11.0 * NS_UM, h_ve = 70.3 * NS_UM;
    human_stack(p, "back", h_sc, h_ve, 2.54 * NS_MM - h_sc - h_ve, 10.0 * NS_MM,
                MUSCLE_BACKING);
}

/* Thigh (anterior): epidermis + dermis 1.55 mm [laurent2007, thigh]; SC 14.9
 * um and VE 81.5 um of the buttock [sandbymoller2003] as the nearest covered
 * site of the lower body (proxy); subcutis 10.8 mm, the arm value of
 * gibney2010 (assumption: the nearest measured limb site). */
static void preset_thigh(ns_skin_params *p)
{
    double h_sc = 14.9 * NS_UM, h_ve = 81.5 * NS_UM;
    human_stack(p, "thigh", h_sc, h_ve, 1.55 * NS_MM - h_sc - h_ve, 10.8 * NS_MM,
                MUSCLE_BACKING);
}

/* Neck (anterior): high-frequency ultrasound of 118 adults [meng2022, Table
 * 2]: epidermis 0.19 / 0.17 mm and dermis 0.98 / 0.99 mm (49 men / 69
 * women), weighted means 0.178 and 0.986 mm, epidermis + dermis 1.164 mm.
 * The ultrasound "epidermis" is the entry echo, thicker than the histological
 * epidermis, so only the sum is taken; SC 11.0 um and VE 39 um as on the face
 * (proxy: no histological neck epidermis found), dermis the remainder
 * 1.114 mm. Subcutis 6 mm, the submental fat depth [iyengar2018]. */
static void preset_neck(ns_skin_params *p)
{
    double h_sc = 11.0 * NS_UM, h_ve = 39.0 * NS_UM;
    double h_ed = (49.0 * (0.19 + 0.98) + 69.0 * (0.17 + 0.99)) / 118.0 * NS_MM;
    human_stack(p, "neck", h_sc, h_ve, h_ed - h_sc - h_ve, 6.0 * NS_MM, MUSCLE_BACKING);
}

/* Porcine ear, ex vivo: SC 17-28 um, VE 60-85 um [jacobi2007] -> midpoints
 * 22.5 um and 72.5 um; dermis 1.0 mm and a thin 0.3 mm subcutis over the ear
 * cartilage (assumption; full-thickness ear skin about 1.3 mm). Human layer
 * mechanics are kept (porcine skin is the usual human surrogate); backing is
 * the cartilage; no perfusion ex vivo, so dermal clearance 0. */
static void preset_porcine_ear(ns_skin_params *p)
{
    human_stack(p, "porcine_ear", 22.5 * NS_UM, 72.5 * NS_UM, 1.0 * NS_MM, 0.3 * NS_MM,
                CARTILAGE_BACKING);
    p->layer[NS_LAYER_DERMIS].clearance = 0.0;
}

/* Hairless rat, dorsal (assumption, order-of-magnitude values; rodent skin has a
 * thinner epidermis and dermis than human skin [sueki2000]): SC 15 um,
 * VE 25 um, dermis 0.8 mm, subcutis (with panniculus carnosus) 0.5 mm. */
static void preset_rat(ns_skin_params *p)
{
    human_stack(p, "rat", 15.0 * NS_UM, 25.0 * NS_UM, 0.8 * NS_MM, 0.5 * NS_MM, MUSCLE_BACKING);
}

/* Membrane: one homogeneous 100 um layer with explicit D = 1e-12 m^2/s and
 * K = 1 for analytic checks (Crank membrane permeation, lag time L^2/(6D) =
 * 1667 s). Mechanics of a soft silicone-like elastomer (assumption: E 1 MPa,
 * nu 0.48, tearing energy 100 J/m^2, friction 0.3, 5 % relaxation in 1 s),
 * mounted with 1 N/m tension on a rigid grid. */
static void preset_membrane(ns_skin_params *p)
{
    memset(p, 0, sizeof *p);
    strncpy(p->preset, "membrane", sizeof p->preset - 1);
    p->membrane = 1;
    p->n_layers = 1;
    p->layer[0] = layer_make(100.0 * NS_UM, 1030.0, 1.0 * NS_MPA, 0.0, 0.48, 100.0, 0.3, 1.0,
                             0.05, 0.0, 0.5);
    p->layer[0].diffusivity = 1.0e-12;
    p->layer[0].partition = 1.0;
    p->pretension = 1.0;
    p->backing_stiffness = LAB_BACKING;
    p->temperature = NS_BODY_TEMPERATURE;
    p->age = NAN; /* reference age: no scaling (models/ageing.h) */
}

/* ---- provenance text ---------------------------------------------------------- */

#define COMMON_NOTES                                                                          \
    {"density", "1100 kg/m3 skin, 900 kg/m3 fat", "duck1990"},                               \
        {"SC / VE Young's modulus", "2.0 / 1.0 MPa", "geerligs2011 (1-2 MPa), yuan2006"},     \
        {"dermis / hypodermis modulus", "210 / 1.9 kPa", "iivarinen2011 as quoted; sims2010"}, \
        {"dermis stiffening beta", "770", "niannaidh2012: (83/1.18-1)/0.3^2"},               \
        {"Poisson ratio", "0.45 SC, 0.48 VE/dermis, 0.49 fat", "assumption (near-incompressible)"}, \
        {"toughness SC / VE", "8 / 10 J/m2", "wu2006 (upper end); meliga2017"},               \
        {"toughness dermis / fat", "1100 / 244 J/m2", "cjme2022 (needle insertion; fat scaled)"}, \
        {"friction SC / tissue", "0.4 / 0.2", "derler2012; okamura2004 range (calibration)"},  \
        {"relaxation skin", "g 0.5, tau 0.62 s", "crichton2013 (40 % in 1 s, 50 % by 10 s)"}, \
        {"relaxation fat", "g 0.39, tau 700 s", "sims2010"},                                  \
        {"dermal clearance", "3e-4 1/s", "kretsos2005 range 1e-4..1e-3 (log midpoint)"},      \
        {"open fraction", "0.7 SC, 0.3 VE/dermis, 0.2 fat", "han2015 (calibration)"},         \
        {"pre-tension", "E_dermis x 0.10 x h_dermis", "assumption (10 % in vivo pre-strain)"}

static const ns_source_note notes_forearm[] = {
    {"SC / VE thickness", "18.3 / 56.6 um", "sandbymoller2003 (dorsal forearm)"},
    {"epidermis + dermis", "1.44 mm", "hfus_forearm (dorsal forearm)"},
    {"hypodermis", "10.8 mm", "gibney2010 (arm)"},
    {"backing", "1e6 N/m3", "assumption (muscle 20 kPa over 2 cm)"},
    COMMON_NOTES};
static const ns_source_note notes_face[] = {
    {"SC thickness", "11.0 um", "sandbymoller2003 (shoulder, proxy)"},
    {"epidermis / dermis", "50 um / 1.2 mm", "chopra2015 (mid-range of 39 subunits)"},
    {"hypodermis", "5 mm", "assumption"},
    {"backing", "1e6 N/m3", "assumption (muscle 20 kPa over 2 cm)"},
    COMMON_NOTES};
static const ns_source_note notes_abdomen[] = {
    {"SC / VE thickness", "14.9 / 81.5 um", "sandbymoller2003 (buttock, proxy)"},
    {"epidermis + dermis / hypodermis", "2.2 / 13.9 mm", "gibney2010 (abdomen)"},
    {"backing", "1e6 N/m3", "assumption (muscle 20 kPa over 2 cm)"},
    COMMON_NOTES};
static const ns_source_note notes_back[] = {
    {"SC / VE thickness", "11.0 / 70.3 um", "sandbymoller2003 (shoulder)"},
    {"epidermis + dermis", "2.54 mm", "laurent2007 (suprascapular)"},
    {"hypodermis", "10 mm", "assumption"},
    {"backing", "1e6 N/m3", "assumption (muscle 20 kPa over 2 cm)"},
    COMMON_NOTES};
static const ns_source_note notes_thigh[] = {
    {"SC / VE thickness", "14.9 / 81.5 um", "sandbymoller2003 (buttock, proxy)"},
    {"epidermis + dermis", "1.55 mm", "laurent2007 (thigh)"},
    {"hypodermis", "10.8 mm", "assumption (gibney2010 arm value)"},
    {"backing", "1e6 N/m3", "assumption (muscle 20 kPa over 2 cm)"},
    COMMON_NOTES};
static const ns_source_note notes_neck[] = {
    {"epidermis + dermis", "1.164 mm (HFUS, 118 adults)", "meng2022 (neck, Table 2)"},
    {"SC / VE thickness", "11.0 / 39.0 um", "as face (proxy; HFUS epidermis not used)"},
    {"hypodermis", "6 mm", "iyengar2018 (submental)"},
    {"backing", "1e6 N/m3", "assumption (muscle 20 kPa over 2 cm)"},
    COMMON_NOTES};
static const ns_source_note notes_porcine_ear[] = {
    {"SC / VE thickness", "22.5 / 72.5 um", "jacobi2007 (midpoints of 17-28 / 60-85 um)"},
    {"dermis / hypodermis", "1.0 / 0.3 mm", "assumption"},
    {"backing", "5e9 N/m3", "assumption (ear cartilage 5 MPa over 1 mm)"},
    {"dermal clearance", "0", "ex vivo: no perfusion"},
    COMMON_NOTES};
static const ns_source_note notes_rat[] = {
    {"SC / VE / dermis / hypodermis", "15 um / 25 um / 0.8 mm / 0.5 mm",
     "assumption (rodent skin thinner than human, sueki2000)"},
    {"backing", "1e6 N/m3", "assumption"},
    COMMON_NOTES};
static const ns_source_note notes_membrane[] = {
    {"thickness", "100 um", "analytic test membrane"},
    {"diffusivity / partition", "1e-12 m2/s / 1", "analytic test membrane (lag time 1667 s)"},
    {"mechanics", "E 1 MPa, nu 0.48, Gc 100 J/m2, mu 0.3", "assumption (silicone-like)"},
    {"tension / backing", "1 N/m / 1e9 N/m3", "assumption (mounted on a rigid grid)"},
};

/* The presets: one row each (models/preset.h). */
static const ns_preset presets[] = {
    {"forearm", {.skin = preset_forearm}, NS_PRESET_NOTES(notes_forearm)},
    {"face", {.skin = preset_face}, NS_PRESET_NOTES(notes_face)},
    {"abdomen", {.skin = preset_abdomen}, NS_PRESET_NOTES(notes_abdomen)},
    {"back", {.skin = preset_back}, NS_PRESET_NOTES(notes_back)},
    {"porcine_ear", {.skin = preset_porcine_ear}, NS_PRESET_NOTES(notes_porcine_ear)},
    {"rat", {.skin = preset_rat}, NS_PRESET_NOTES(notes_rat)},
    {"membrane", {.skin = preset_membrane}, NS_PRESET_NOTES(notes_membrane)},
    {"thigh", {.skin = preset_thigh}, NS_PRESET_NOTES(notes_thigh)},
    {"neck", {.skin = preset_neck}, NS_PRESET_NOTES(notes_neck)},
};
static const ns_preset_table table = NS_PRESET_TABLE("skin.preset", presets);

ns_status ns_skin_preset(const char *name, ns_skin_params *out)
{
    NS_CHECK(out != NULL, NS_EINVAL, "skin preset: output pointer is NULL");
    const ns_preset *row = NULL;
    NS_TRY(ns_preset_lookup(&table, name, &row));
    row->fill.skin(out);
    return NS_OK;
}

size_t ns_skin_preset_count(void) { return table.n; }

const char *ns_skin_preset_name(size_t i) { return ns_preset_name(&table, i); }

size_t ns_skin_preset_sources(const char *name, const ns_source_note **notes)
{
    return ns_preset_sources(&table, name, notes);
}

/* ---- layer utilities --------------------------------------------------------- */

const char *ns_skin_layer_name(const ns_skin_params *p, size_t i)
{
    if (!p || i >= p->n_layers || i >= NS_LAYER_MAX) return NULL;
    if (p->membrane) return "membrane";
    return layer_names[i];
}

ns_status ns_skin_layer_parse(const ns_skin_params *p, const char *name, size_t *out)
{
    NS_CHECK(p != NULL && name != NULL && out != NULL, NS_EINVAL, "skin layer: NULL argument");
    for (size_t i = 0; i < p->n_layers && i < NS_LAYER_MAX; i++) {
        if (strcmp(ns_skin_layer_name(p, i), name) == 0) {
            *out = i;
            return NS_OK;
        }
    }
    NS_FAIL(NS_EINVAL, "skin layer '%s': unknown; valid: %s", name,
            p->membrane ? "membrane"
                        : "stratum_corneum, viable_epidermis, dermis, hypodermis");
}

double ns_skin_total_thickness(const ns_skin_params *p)
{
    double H = 0.0;
    for (size_t i = 0; i < p->n_layers && i < NS_LAYER_MAX; i++) H += p->layer[i].thickness;
    return H;
}

double ns_skin_layer_top(const ns_skin_params *p, size_t i)
{
    double z = 0.0;
    for (size_t k = 0; k < i && k < p->n_layers && k < NS_LAYER_MAX; k++)
        z += p->layer[k].thickness;
    return z;
}

double ns_skin_default_depth(const ns_skin_params *p)
{
    if (p->membrane) return ns_skin_total_thickness(p);
    return ns_skin_layer_top(p, NS_LAYER_HYPO);
}

ns_status ns_skin_depth_check(const ns_skin_params *p, double depth)
{
    double H = ns_skin_total_thickness(p);
    if (!(isfinite(depth) && depth > 0.0 && depth <= H * (1.0 + 1e-12)))
        return ns_status_set_keyed(NS_EINVAL, "transport.depth",
                                   "transport.depth = %g m: expected (0 m, %g m] (the skin stack)",
                                   depth, H);
    return NS_OK;
}

size_t ns_skin_layer_at(const ns_skin_params *p, double z)
{
    size_t n = p->n_layers < NS_LAYER_MAX ? p->n_layers : NS_LAYER_MAX;
    if (n == 0) return 0;
    double bottom = 0.0;
    for (size_t i = 0; i + 1 < n; i++) {
        bottom += p->layer[i].thickness;
        if (z < bottom) return i;
    }
    return n - 1;
}

/* ---- validation ---------------------------------------------------------------- */

ns_status ns_skin_check(const ns_skin_params *p)
{
    NS_CHECK(p != NULL, NS_EINVAL, "skin: NULL parameters");
    size_t want = p->membrane ? 1 : 4;
    NS_CHECK(p->n_layers == want, NS_EINVAL, "skin: %zu layers for a %s stack; must be %zu",
             p->n_layers, p->membrane ? "membrane" : "four-layer", want);
    /* every range: the parameter table */
    return ns_param_check_struct(p, offsetof(ns_params, skin), "skin");
}
