/* The parameter table (see param_table.h): one row per key of the case
 * parameters with its field, kind, range, default and description. Extend
 * by adding a row; a default's source is the comment above its row. */
#include "param_table.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "channel.h"
#include "drug.h"
#include "needle.h"
#include "procedure.h"
#include "skin.h"
#include "units.h"

static const char *const si_units[NS_KIND_N] = {
    "m", "N", "Pa", "J/m2", "m/s", "s", "1/m2", "kg", "kg/m3", "m2/s", "Hz", "1/s", "N/m",
    "N/m3", "rad", "kg/mol", "kg/m3", "K", "", "", "", "", "", "", "m2", "kg/m2", "Pa.s"};

const char *ns_param_si_unit(ns_unit_kind kind)
{
    return (kind >= 0 && kind < NS_KIND_N) ? si_units[kind] : "";
}

/* ---- enum and preset names, indexed by size_t, NULL past the end ----------- */

static const char *skin_preset_at(size_t i)
{
    return i < ns_skin_preset_count() ? ns_skin_preset_name(i) : NULL;
}
static const char *needle_preset_at(size_t i)
{
    return i < ns_needle_preset_count() ? ns_needle_preset_name(i) : NULL;
}
static const char *drug_preset_at(size_t i)
{
    return i < ns_drug_preset_count() ? ns_drug_preset_name(i) : NULL;
}
static const char *shape_at(size_t i)
{
    return i < NS_SHAPE_COUNT ? ns_needle_shape_name((ns_needle_shape)i) : NULL;
}
static const char *layout_at(size_t i)
{
    return i < NS_LAYOUT_COUNT ? ns_array_layout_name((ns_array_layout)i) : NULL;
}
static const char *applicator_at(size_t i)
{
    return i < NS_APPLICATOR_COUNT ? ns_applicator_mode_name((ns_applicator_mode)i) : NULL;
}
static const char *dose_at(size_t i)
{
    return i < NS_DOSE_COUNT ? ns_dose_mode_name((ns_dose_mode)i) : NULL;
}
static const char *device_preset_at(size_t i)
{
    return i < ns_proc_preset_count() ? ns_proc_preset_name(i) : NULL;
}
static const char *device_at(size_t i)
{
    return i < NS_DEVICE_COUNT ? ns_proc_device_name((ns_device_kind)i) : NULL;
}
static const char *ins_model_at(size_t i)
{
    static const char *const names[NS_INS_MODEL_COUNT] = {"fast", "continuum"};
    return i < NS_INS_MODEL_COUNT ? names[i] : NULL;
}
static const char *applied_at(size_t i)
{
    static const char *const names[NS_APPLIED_COUNT] = {"after", "before"};
    return i < NS_APPLIED_COUNT ? names[i] : NULL;
}
static const char *species_at(size_t i)
{
    return i < NS_SPECIES_COUNT ? ns_species_name((ns_species)i) : NULL;
}
static const char *bottom_at(size_t i)
{
    return i < NS_BOTTOM_COUNT ? ns_bottom_bc_name((ns_bottom_bc)i) : NULL;
}

/* ---- the table ---------------------------------------------------------------- */

#define OFF(m) offsetof(ns_params, m)
#define LOFF(m) offsetof(ns_layer, m)
#define LO NS_KEY_MIN_OPEN
#define HO NS_KEY_MAX_OPEN
#define PRE NS_KEY_FROM_PRESET

/* double field of ns_params: range [lo, hi] (flags open ends), default def */
#define PD(sec, key, kind, m, lo, hi, fl, def, d) \
    {sec, key, kind, NS_TARGET_PARAMS, NS_STORE_DOUBLE, OFF(m), 0, lo, hi, fl, def, NULL, NULL, d}
/* size_t field of ns_params */
#define PZ(sec, key, m, lo, hi, fl, def, d) \
    {sec, key, NS_KIND_COUNT, NS_TARGET_PARAMS, NS_STORE_SIZE, OFF(m), 0, lo, hi, fl, def, NULL, NULL, d}
/* enum field of ns_params (def: the enum value) */
#define PE(sec, key, m, names, fl, def, d) \
    {sec, key, NS_KIND_ENUM, NS_TARGET_PARAMS, NS_STORE_INT, OFF(m), 0, 0, 0, fl, def, NULL, names, d}
/* bool (int) field of ns_params */
#define PB(sec, key, m, def, d) \
    {sec, key, NS_KIND_BOOL, NS_TARGET_PARAMS, NS_STORE_INT, OFF(m), 0, 0, 1, 0, def, NULL, NULL, d}
/* preset name (char[32]) of ns_params, def_text the default preset */
#define PP(sec, m, names, def_name, d)                                                     \
    {sec, "preset", NS_KIND_ENUM, NS_TARGET_PARAMS, NS_STORE_TEXT, OFF(m),                 \
     sizeof(((ns_params *)0)->m), 0, 0, NS_KEY_PRESET, NAN, def_name, names, d}
/* double field of every ns_layer (default: the skin preset) */
#define LD(key, kind, m, lo, hi, fl, d) \
    {"skin", key, kind, NS_TARGET_LAYER, NS_STORE_DOUBLE, LOFF(m), 0, lo, hi, (fl) | PRE, NAN, NULL, NULL, d}

static const ns_key table[] = {
    /* [run]: the case-level part (name, output and fields belong to sim/keys.c) */
    PD("run", "duration", NS_KIND_TIME, transport.duration, 0, 365.0 * NS_DAY, LO | NS_KEY_NOSWEEP,
       24.0 * NS_HOUR, "simulated time of the diffusion run (same for every case)"),
    PZ("run", "output_times", transport.output_times, 2, 1e5, NS_KEY_NOSWEEP, 50,
       "number of log-spaced output times of the curves (same for every case)"),

    /* [skin] */
    PP("skin", skin.preset, skin_preset_at, "forearm",
       "skin site preset (layer stack and properties)"),
    PD("skin", "pretension", NS_KIND_TENSION, skin.pretension, 0, 1e4, PRE, NAN,
       "in-plane skin tension N0"),
    /* backing_stiffness from 1 N/m3: below it the decay length of the tent
     * (B/k0)^(1/4) and with it the single-needle domain overflow */
    PD("skin", "backing_stiffness", NS_KIND_STIFFNESS, skin.backing_stiffness, 1, 1e15, PRE, NAN,
       "foundation stiffness of the support under the hypodermis"),
    PD("skin", "temperature", NS_KIND_TEMPERATURE, skin.temperature, 273.15, 323.15, LO | PRE, NAN,
       "skin temperature"),
    /* viscosity: every human preset 3.23 Pa s (models/skin.c, hfus_lamb_skin),
     * the membrane 0; 0 = a sheet elastic at short times (models/insertion.h,
     * eq. K1) */
    PD("skin", "viscosity", NS_KIND_VISCOSITY, skin.viscosity, 0, 1e3, PRE, NAN,
       "Kelvin-Voigt shear viscosity of the skin layers above the fat"),
    /* age: adults 18-100 yr, the range of the ageing law (models/ageing.h) */
    PD("skin", "age", NS_KIND_TIME, skin.age, 18.0 * 365.25 * NS_DAY, 100.0 * 365.25 * NS_DAY,
       NS_KEY_AUTO | PRE, NAN,
       "age of the skin: scales the SC, VE and dermis thickness (Branchet 1990, models/ageing.h); "
       "auto = the preset's reference"),
    LD("thickness", NS_KIND_LENGTH, thickness, 0, 0.05, LO, "layer thickness"),
    LD("density", NS_KIND_MASS_DENSITY, density, 100, 5000, 0, "layer mass density"),
    LD("youngs_modulus", NS_KIND_PRESSURE, youngs_modulus, 0, 1e10, LO,
       "small-strain Young's modulus E0"),
    LD("stiffening", NS_KIND_DIMENSIONLESS, stiffening, 0, 1e5, 0,
       "strain-stiffening coefficient beta: E = E0 (1 + beta eps^2)"),
    LD("poisson", NS_KIND_DIMENSIONLESS, poisson, 0, 0.4999, 0, "Poisson ratio"),
    LD("toughness", NS_KIND_TOUGHNESS, toughness, 0, 1e6, LO, "cutting (fracture) toughness G_c"),
    LD("friction", NS_KIND_DIMENSIONLESS, friction, 0, 2, 0, "needle-tissue friction coefficient"),
    LD("relaxation_time", NS_KIND_TIME, relaxation_time, 0, 1e6, LO,
       "viscoelastic relaxation time tau"),
    LD("relaxation_fraction", NS_KIND_DIMENSIONLESS, relaxation_fraction, 0, 0.999, 0,
       "relaxing fraction g of the modulus"),
    LD("diffusivity", NS_KIND_DIFFUSIVITY, diffusivity, 0, 1e-6, LO | NS_KEY_AUTO,
       "drug diffusivity in the layer; auto = derive from the drug"),
    LD("partition", NS_KIND_DIMENSIONLESS, partition, 0, 1e6, LO | NS_KEY_AUTO,
       "layer/vehicle partition coefficient; auto = derive from the drug"),
    LD("clearance", NS_KIND_RATE, clearance, 0, 1, 0, "first-order capillary clearance rate"),
    LD("open_fraction", NS_KIND_DIMENSIONLESS, open_fraction, 0, 1, 0,
       "channel radius / needle radius left open after withdrawal"),

    /* [needle] (defaults: the needle preset) */
    PP("needle", needle.preset, needle_preset_at, "microneedle_steel",
       "needle preset (geometry and material)"),
    PE("needle", "shape", needle.shape, shape_at, PRE, NAN, "needle shape"),
    PD("needle", "length", NS_KIND_LENGTH, needle.length, 0, 0.1, LO | PRE, NAN,
       "protrusion length from the base plate to the tip"),
    PD("needle", "base_diameter", NS_KIND_LENGTH, needle.base_diameter, 0, 5e-3, LO | PRE, NAN,
       "diameter (pyramid: base width) at the base"),
    PD("needle", "tip_radius", NS_KIND_LENGTH, needle.tip_radius, 0, 2.5e-3, LO | PRE, NAN,
       "tip radius of curvature (below base_diameter / 2)"),
    PD("needle", "tip_angle", NS_KIND_ANGLE, needle.tip_angle, 0, NS_PI, LO | HO | PRE, NAN,
       "full included tip angle (bevelled: bevel angle, below 90 deg); unset, a preset's cone angle whose taper is longer than the needle gives the full cone"),
    PD("needle", "bore_diameter", NS_KIND_LENGTH, needle.bore_diameter, 0, 5e-3, PRE, NAN,
       "inner (lumen) diameter, 0 = solid (below base_diameter)"),
    PD("needle", "youngs_modulus", NS_KIND_PRESSURE, needle.youngs_modulus, 0, 1e12, LO | PRE, NAN,
       "needle material Young's modulus"),
    PD("needle", "strength", NS_KIND_PRESSURE, needle.strength, 0, 1e11, LO | PRE, NAN,
       "yield or fracture strength of the needle material"),
    PD("needle", "buckling_k", NS_KIND_DIMENSIONLESS, needle.buckling_k, 0, 10, LO | PRE, NAN,
       "Euler effective-length factor (2: fixed-free)"),

    /* [array] */
    PE("array", "layout", array.layout, layout_at, 0, NS_LAYOUT_SINGLE,
       "array layout (none = intact skin baseline)"),
    PD("array", "count", NS_KIND_COUNT, array.count, 1, 1e6, 0, 1, "number of needles"),
    PD("array", "density", NS_KIND_AREAL_DENSITY, array.density, 0, 1e10, LO | NS_KEY_AUTO, NAN,
       "needles per skin area; auto = from pitch"),
    PD("array", "pitch", NS_KIND_LENGTH, array.pitch, 0, 1, LO | NS_KEY_AUTO, NAN,
       "needle centre spacing; auto = from density"),

    /* [applicator]. Press: 1 mm/s, quasi-static hand/press-machine speed; 10 N
     * cap, the upper end of measured microneedle insertion forces [davis2004];
     * 30 mm stroke after contact, so that a hand press is limited by its force,
     * not its travel (the forearm tents by 10-15 mm under a 1 cm^2 patch at
     * 10-20 N in the insertion model); no hold. The fields of the other modes
     * hold valid values so that sweeping applicator.mode alone gives a valid
     * case: impact 5 g (assumption, spring applicator carrier), pen 100
     * strokes/s and 0.5 mm depth setting [pen_trade], roller drum radius 1 cm
     * (MF8 [schwarz2011]). */
    PE("applicator", "mode", applicator.mode, applicator_at, 0, NS_APPLICATOR_PRESS, "applicator"),
    PD("applicator", "speed", NS_KIND_SPEED, applicator.speed, 0, 100, LO | NS_KEY_AUTO, NAN,
       "press speed, impact speed or rolling speed; auto = per mode: press 1 mm/s, impact 3 m/s, "
       "roller 5 cm/s, pen 0.1 m/s approach"),
    PD("applicator", "force", NS_KIND_FORCE, applicator.force, 0, 1e4, LO, 10.0,
       "force cap of a press / hand force on a roller"),
    PD("applicator", "mass", NS_KIND_MASS, applicator.mass, 0, 100, LO, 5.0 * NS_G,
       "moving mass of an impact applicator"),
    PD("applicator", "stroke", NS_KIND_LENGTH, applicator.stroke, 0, 0.1, LO, 30.0 * NS_MM,
       "maximum travel of a press after first contact"),
    PD("applicator", "hold_time", NS_KIND_TIME, applicator.hold_time, 0, 86400, 0, 0.0,
       "hold at the force cap or stroke before withdrawal"),
    PD("applicator", "frequency", NS_KIND_FREQUENCY, applicator.frequency, 0, 1e4, LO, 100.0,
       "pen stroke frequency"),
    PD("applicator", "depth_setting", NS_KIND_LENGTH, applicator.depth_setting, 0, 0.01, LO,
       0.5 * NS_MM, "pen needle protrusion setting (not tissue depth; at most needle.length)"),
    PD("applicator", "drum_radius", NS_KIND_LENGTH, applicator.drum_radius, 0, 0.5, LO,
       1.0 * NS_CM, "roller drum radius"),

    /* [drug] (defaults: the drug preset) */
    PP("drug", drug.preset, drug_preset_at, "caffeine", "drug preset (molecular properties)"),
    PD("drug", "molecular_weight", NS_KIND_MOLAR_MASS, drug.molecular_weight, 0, 1e3, LO | PRE,
       NAN, "molar mass"),
    PD("drug", "log_kow", NS_KIND_DIMENSIONLESS, drug.log_kow, -10, 10, PRE, NAN,
       "log10 octanol/water partition coefficient"),
    PD("drug", "free_diffusivity", NS_KIND_DIFFUSIVITY, drug.free_diffusivity, 0, 1e-8, LO | PRE,
       NAN, "diffusivity in water at skin temperature"),
    PD("drug", "radius", NS_KIND_LENGTH, drug.radius, 0, 1e-6, LO | NS_KEY_AUTO | PRE, NAN,
       "hydrodynamic (Stokes) radius; auto = derive"),
    PD("drug", "concentration", NS_KIND_CONCENTRATION, drug.concentration, 0, 2000, LO | PRE, NAN,
       "vehicle concentration (infinite and finite dose)"),
    PE("drug", "dose", drug.dose, dose_at, PRE, NAN, "dosing mode"),
    PD("drug", "film_thickness", NS_KIND_LENGTH, drug.film_thickness, 0, 0.01, LO | PRE, NAN,
       "vehicle film thickness (finite dose)"),
    PD("drug", "coated_mass", NS_KIND_MASS, drug.coated_mass, 0, 1e-6, LO | PRE, NAN,
       "drug mass coated on each needle (coated dose) or loaded in it (dissolving dose)"),
    PD("drug", "solubility", NS_KIND_CONCENTRATION, drug.solubility, 0, 2000, LO | PRE, NAN,
       "aqueous solubility (sets the coating dissolution rate)"),
    PD("drug", "dissolution_time", NS_KIND_TIME, drug.dissolution_time, 0, NS_DAY, LO | PRE, NAN,
       "dissolving needle: time to dissolve completely (Hixson-Crowell law)"),
    /* applied after, no delay: the behaviour before these keys existed. */
    PE("drug", "applied", drug.applied, applied_at, 0, NS_APPLIED_AFTER,
       "vehicle applied before needling (fills the channels as they are made) or after"),
    PD("drug", "applied_delay", NS_KIND_TIME, drug.applied_delay, 0, 30.0 * NS_DAY, 0, 0.0,
       "applied after: time from needling to application (the channels have partly closed)"),
    PD("drug", "effect_threshold", NS_KIND_CONCENTRATION, drug.effect_threshold, 0, 2000,
       LO | NS_KEY_AUTO | PRE, NAN,
       "free concentration at procedure.nerve_depth that gives the effect (time_to_effect); "
       "auto = none"),
    /* Default 1 ng/cm2 from every preset (models/drug.h section 7: an LC-MS/MS
     * limit of quantification in a Franz-cell receptor; named assumption). Not
     * sweepable: a property of the study's assay, it changes no solution. */
    PD("drug", "detection_floor", NS_KIND_AREAL_MASS, drug.detection_floor, 0, 1e-2,
       PRE | NS_KEY_NOSWEEP, NAN,
       "smallest permeated amount per area the assay quantifies: intact_below_detection "
       "flags an intact amount below it (0 = none)"),

    /* [channel]. Floor recovery 0.1: calibration constant of the channel model
     * (models/channel.h eq. 1 and its note on Han & Das 2015). */
    PB("channel", "occluded", channel.occluded, 0, "occluded site (slower channel closure)"),
    PD("channel", "half_life", NS_KIND_TIME, channel.half_life, 0, 1e8, LO | NS_KEY_AUTO, NAN,
       "channel closure radius half-life (barrier and pore alike); auto = from occlusion, "
       "species, age and needle length (models/channel.h eq. 3)"),
    /* species human: the closure studies of Gupta 2011 and PMC8259462 (the
     * subject's age is skin.age; models/channel.h eq. 3). */
    PE("channel", "species", channel.species, species_at, 0, NS_SPECIES_HUMAN,
       "species of the closure data (human, rat)"),
    PD("channel", "floor_recovery", NS_KIND_DIMENSIONLESS, channel.floor_recovery, 0, 1, 0,
       NS_CHANNEL_FLOOR_RECOVERY,
       "part of the cut below the SC that closes at the channel floor on withdrawal "
       "(calibration, models/channel.h)"),

    /* [transport] */
    PE("transport", "bottom", transport.bottom, bottom_at, 0, NS_BOTTOM_SINK,
       "receptor boundary at the bottom"),
    PD("transport", "depth", NS_KIND_LENGTH, transport.depth, 0, 0.1, LO | NS_KEY_AUTO, NAN,
       "modelled depth (at most the skin stack); auto = SC + VE + dermis"),

    /* [procedure] (models/procedure.h). device none: the case is one stroke as
     * before and no procedure result is written. drum_width 2 cm: the
     * Dermaroller MF8 drum, 2 cm wide and 2 cm in diameter with 8 rows of 24
     * needles [doddaballapur2009]. glide_speed 1 cm/s and swath_width 5 mm
     * (assumption: a pen crossing a 2 cm stretch of cheek in about 2 s, the
     * swath of a 12-needle cartridge face). area 100 cm2 (assumption: one
     * side of the face and neck). interval 30 days, monthly sessions
     * [pen_trade]. */
    /* preset: a device of the catalogue (models/procedure_presets.c) fills
     * the keys it implies before every other key; none by default */
    PP("procedure", procedure.preset, device_preset_at, "",
       "treatment device preset (fills procedure, applicator, array and needle keys)"),
    PE("procedure", "device", procedure.device, device_at, 0, NS_DEVICE_NONE,
       "treatment device (none = one stroke, no procedure results)"),
    PD("procedure", "passes", NS_KIND_COUNT, procedure.passes, 1, 1000, 0, 1.0,
       "passes over the treated area"),
    PD("procedure", "rows", NS_KIND_COUNT, procedure.rows, 1, 1000, 0, 8.0,
       "roller: needle rows around the drum circumference"),
    PD("procedure", "drum_width", NS_KIND_LENGTH, procedure.drum_width, 0, 0.5, LO, 2.0 * NS_CM,
       "roller: drum width (radius: applicator.drum_radius)"),
    PD("procedure", "glide_speed", NS_KIND_SPEED, procedure.glide_speed, 0, 1, LO, 1.0 * NS_CM,
       "pen: glide speed over the skin"),
    PD("procedure", "swath_width", NS_KIND_LENGTH, procedure.swath_width, 0, 0.1, LO, 5.0 * NS_MM,
       "pen: width of the track of one pass"),
    PD("procedure", "area", NS_KIND_AREA, procedure.area, 0, 10, LO, 100.0 * NS_CM2,
       "treated skin area"),
    PD("procedure", "site_radius", NS_KIND_LENGTH, procedure.site_radius, 0, 100,
       LO | NS_KEY_AUTO, NAN,
       "radius of curvature of the site across the drum or patch; auto = flat"),
    PD("procedure", "sessions", NS_KIND_COUNT, procedure.sessions, 1, 1000, 0, 1.0,
       "treatment sessions"),
    PD("procedure", "interval", NS_KIND_TIME, procedure.interval, 0, 10.0 * 365.0 * NS_DAY, LO,
       30.0 * NS_DAY, "time between the starts of two sessions"),
    PD("procedure", "nerve_depth", NS_KIND_LENGTH, procedure.nerve_depth, 0, 0.05,
       LO | NS_KEY_AUTO, NAN,
       "depth of the nerve terminals for time_to_effect; auto = middle of the viable epidermis"),

    /* [numerics]. diff_rtol 2e-4: with the default closing channel the
     * permeated amount (24 h) at 1e-3 is within 0.3 % of the time-converged
     * value, at 2e-4 within 0.1 % (models/diffusion.h), for about 2x the
     * steps of 1e-3. */
    PZ("numerics", "ins_n_r", numerics.ins_n_r, 10, 1e5, 0, 80,
       "radial grid points of the tenting solver"),
    PD("numerics", "ins_rtol", NS_KIND_DIMENSIONLESS, numerics.ins_rtol, 0, 0.1, LO, 1e-4,
       "relative tolerance of the insertion time stepping"),
    PZ("numerics", "ins_max_steps", numerics.ins_max_steps, 10, 1e9, 0, 200000,
       "insertion step cap"),
    PZ("numerics", "ins_max_newton", numerics.ins_max_newton, 2, 1000, 0, 30,
       "Newton iteration cap per insertion step"),
    PB("numerics", "ins_cut_warm_start", numerics.ins_cut_warm_start, 1,
       "cut-depth root of each Newton iteration warm-started from the last one (false: full bracket)"),
    PZ("numerics", "diff_n_r", numerics.diff_n_r, 4, 1e5, 0, 40,
       "radial cells of the diffusion grid"),
    PZ("numerics", "diff_n_z", numerics.diff_n_z, 8, 1e5, 0, 120,
       "axial cells of the diffusion grid"),
    PD("numerics", "diff_rtol", NS_KIND_DIMENSIONLESS, numerics.diff_rtol, 0, 0.1, LO, 2e-4,
       "relative tolerance of the diffusion time stepping"),
    PZ("numerics", "diff_max_steps", numerics.diff_max_steps, 10, 1e9, 0, 200000,
       "diffusion step cap"),
    /* diff_rim_refine 0: the grid without rim faces (results and cost as
     * before); 15: Q(24 h) of the default open channel converges monotonically
     * at observed order 1.4-1.6, 40 x 120 0.3 % off, for 1.9x the CPU
     * (models/diffusion.h, "Spatial order"). */
    PD("numerics", "diff_rim_refine", NS_KIND_DIMENSIONLESS, numerics.diff_rim_refine, 0, 1000,
       NS_KEY_NOSWEEP, 0.0,
       "diffusion grid: faces on the channel rim (SC base) with cells this many times finer "
       "there at 40 x 120, shrinking as 1/n^2; 0 = no rim faces"),
    /* diff_cut_faces 0: the axial faces of cut cells are the harmonic mean of
     * the two cells' parallel mixes (results as before); 1: the face on the SC
     * base splits into parallel material paths (models/diffusion.h, "Channel
     * (cut cells)"): Q(24 h) of the default closing / occluded channel on 20,
     * 40, 80 x 3 n cells converges at observed order 3.7 / 3.1 (was 0.97 /
     * not monotone), 40 x 120 0.02 / 0.09 % off the extrapolated value (was
     * 1.0 % / -); closing 160 x 480 0.03 % below 80 x 240 (not monotone
     * there); verify_diffusion_order_channel. */
    PD("numerics", "diff_cut_faces", NS_KIND_DIMENSIONLESS, numerics.diff_cut_faces, 0, 1,
       NS_KEY_NOSWEEP, 0.0,
       "diffusion grid: 1 = the SC-base faces of channel cut cells as parallel fluid/skin "
       "paths; 0 = harmonic mean of the cells' mixes"),
    PZ("numerics", "curve_points", numerics.curve_points, 2, 1e5, NS_KEY_NOSWEEP, 200,
       "points of each resampled curve (same for every case)"),
    /* case_timeout 600 s: 20x the slowest ok case of the 3000-case Latin
     * hypercube of `make check-lhs` at default numerics, so that only a stalled
     * case (step caps of 1e9 allow days) is cut; 0 = no limit. Up to 30 days. */
    PD("numerics", "case_timeout", NS_KIND_TIME, numerics.case_timeout, 0, 30.0 * NS_DAY,
       NS_KEY_NOSWEEP, 600.0,
       "wall-clock limit of one case: the case fails (timeout) instead of stalling the sweep; "
       "0 = no limit"),

    /* [insertion]: calibration of the insertion model, fits in
     * tests/data/insertion_calibration.md. crack_width_factor 0.35: effective
     * cutting toughness 0.35 G_c, fitted to impact insertion depths of 600 um
     * microneedles; puncture_factor 60 and blunt_pressure_factor 40: the
     * former puncture law, used by no model since the continuum model took
     * tip law T1 too (accepted for old configs, no effect); withdraw_speed 1 mm/s;
     * foundation_stiffening 50. */
    PD("insertion", "crack_width_factor", NS_KIND_DIMENSIONLESS, insertion.crack_width_factor, 0,
       10, LO, 0.35, "effective cutting factor: crack width / needle diameter"),
    PD("insertion", "spreading_factor", NS_KIND_DIMENSIONLESS, insertion.spreading_factor, 0, 100,
       0, 1.0, "scale of the elastic crack-spreading pressure"),
    PD("insertion", "damping_ratio", NS_KIND_DIMENSIONLESS, insertion.damping_ratio, 0, 10, 0,
       0.05, "extra damping ratio of the insertion dynamics"),
    PD("insertion", "plate_stiffness", NS_KIND_STIFFNESS, insertion.plate_stiffness, 0, 1e16,
       LO | NS_KEY_AUTO, NAN,
       "base-plate contact penalty stiffness; auto = confined modulus / thickness of the layer "
       "under the plate"),
    PD("insertion", "puncture_factor", NS_KIND_DIMENSIONLESS, insertion.puncture_factor, 0, 1e4, 0,
       60.0, "no effect (former puncture law; both models use tip law T1: puncture_crack_factor)"),
    PD("insertion", "blunt_pressure_factor", NS_KIND_DIMENSIONLESS, insertion.blunt_pressure_factor,
       0, 1e4, 0, 40.0, "no effect (former puncture law; both models use tip law T1: puncture_pressure_factor)"),
    /* puncture_crack_factor 415 and puncture_pressure_factor 22.3: tip law
     * T1 fitted to Roemgens et al. 2014 and the Davis et al. 2004 regression
     * (relative least squares; tests/data/insertion_calibration.md) */
    PD("insertion", "puncture_crack_factor", NS_KIND_DIMENSIONLESS, insertion.puncture_crack_factor,
       0, 1e4, 0, 415.0, "kappa of the crack term kappa G_c l_c of the puncture force (tip law T1)"),
    PD("insertion", "puncture_pressure_factor", NS_KIND_DIMENSIONLESS,
       insertion.puncture_pressure_factor, 0, 1e4, 0, 22.3,
       "c_p of the pressure term c_p phi E* A_c of the puncture force (tip law T1)"),
    PD("insertion", "foundation_stiffening", NS_KIND_DIMENSIONLESS, insertion.foundation_stiffening,
       0, 1e4, 0, 50.0, "compression stiffening of the fat foundation"),
    /* shaft_pressure_factor 0.32: the slit of half-length c = r / f_p wedged
     * open to the needle radius closes onto the shaft with f_p E* psi / 2
     * (tip law T3; a layer whose slit tears on, 4 G_c / (pi E* r) < f_p,
     * takes that smaller factor); fitted to the friction share of 21 %
     * measured by Barnett et al. 2015 (c about 3 r: the cut outgrows the
     * needle; 0.24 before the tearing limit) */
    PD("insertion", "shaft_pressure_factor", NS_KIND_DIMENSIONLESS,
       insertion.shaft_pressure_factor, 0, 100, 0, 0.32,
       "f_p of the shaft contact pressure f_p E* psi / 2 of the cut tissue on the needle"),
    PD("insertion", "withdraw_speed", NS_KIND_SPEED, insertion.withdraw_speed, 0, 100, LO, 1.0e-3,
       "withdrawal speed after an impact"),
    /* the skin-response model: fast for sweeps, continuum the reference that
     * judges it (models/continuum.h; seconds per case) */
    PE("insertion", "model", insertion.model, ins_model_at, 0, NS_INS_MODEL_FAST,
       "skin-response model: fast (sheet on a foundation) or continuum (axisymmetric solid)"),
};
#define N_ROWS (sizeof table / sizeof table[0])

size_t ns_param_count(void) { return N_ROWS; }

const ns_key *ns_param_at(size_t i) { return i < N_ROWS ? &table[i] : NULL; }

const ns_key *ns_param_find(const char *section, const char *key)
{
    for (size_t i = 0; i < N_ROWS; i++)
        if (strcmp(table[i].section, section) == 0 && strcmp(table[i].key, key) == 0)
            return &table[i];
    return NULL;
}

int ns_param_in_range(const ns_key *k, double si)
{
    if (isnan(si)) return (k->flags & NS_KEY_AUTO) != 0;
    if (k->kind == NS_KIND_ENUM || k->kind == NS_KIND_BOOL) {
        size_t n = 0;
        if (k->kind == NS_KIND_BOOL)
            n = 2;
        else
            while (k->enum_name && k->enum_name(n)) n++;
        return si >= 0.0 && si < (double)n && si == floor(si);
    }
    if ((k->flags & NS_KEY_MIN_OPEN) ? !(si > k->min) : !(si >= k->min)) return 0;
    if ((k->flags & NS_KEY_MAX_OPEN) ? !(si < k->max) : !(si <= k->max)) return 0;
    return 1;
}

char *ns_param_range_si(const ns_key *k, char *buf, size_t n)
{
    const char *u = ns_param_si_unit(k->kind);
    const char *sp = u[0] ? " " : "";
    snprintf(buf, n, "%s%g%s%s, %g%s%s%s%s", (k->flags & NS_KEY_MIN_OPEN) ? "(" : "[", k->min, sp,
             u, k->max, sp, u, (k->flags & NS_KEY_MAX_OPEN) ? ")" : "]",
             (k->flags & NS_KEY_AUTO) ? " or auto" : "");
    return buf;
}

ns_status ns_param_fail_range(const ns_key *k, const char *layer, double si)
{
    char name[NS_STATUS_KEY_LEN], range[160];
    if (layer)
        snprintf(name, sizeof name, "%s.%s.%s", k->section, layer, k->key);
    else
        snprintf(name, sizeof name, "%s.%s", k->section, k->key);
    if (k->kind == NS_KIND_ENUM || k->kind == NS_KIND_BOOL) {
        size_t len = 0;
        range[0] = '\0';
        for (size_t i = 0; k->kind == NS_KIND_ENUM && k->enum_name && k->enum_name(i); i++) {
            int w = snprintf(range + len, sizeof range - len, "%s%s", i ? ", " : "",
                             k->enum_name(i));
            if (w < 0 || (size_t)w >= sizeof range - len) break;
            len += (size_t)w;
        }
        if (k->kind == NS_KIND_BOOL) snprintf(range, sizeof range, "true or false");
        return ns_status_set_keyed(NS_EINVAL, name, "%s = %g: expected one of %s", name, si, range);
    }
    const char *u = ns_param_si_unit(k->kind);
    return ns_status_set_keyed(NS_EINVAL, name, "%s = %g%s%s: expected %s", name, si, u[0] ? " " : "",
                               u, ns_param_range_si(k, range, sizeof range));
}

/* The value of row k's field at f (a number; NaN for text). */
static double read_field(const ns_key *k, const char *f)
{
    switch (k->store) {
    case NS_STORE_DOUBLE: {
        double v;
        memcpy(&v, f, sizeof v);
        return v;
    }
    case NS_STORE_SIZE: {
        size_t v;
        memcpy(&v, f, sizeof v);
        return (double)v;
    }
    case NS_STORE_INT: {
        int v;
        memcpy(&v, f, sizeof v);
        return (double)v;
    }
    default:
        return NAN;
    }
}

static void write_field(const ns_key *k, char *f, double x)
{
    switch (k->store) {
    case NS_STORE_DOUBLE:
        memcpy(f, &x, sizeof x);
        break;
    case NS_STORE_SIZE: {
        size_t v = (size_t)x;
        memcpy(f, &v, sizeof v);
        break;
    }
    case NS_STORE_INT: {
        int v = (int)x;
        memcpy(f, &v, sizeof v);
        break;
    }
    default:
        break;
    }
}

void ns_param_defaults(ns_params *p)
{
    memset(p, 0, sizeof *p);
    /* Presets by name cannot fail for the built-in default names. */
    (void)ns_skin_preset(ns_param_find("skin", "preset")->def_text, &p->skin);
    (void)ns_needle_preset(ns_param_find("needle", "preset")->def_text, &p->needle);
    (void)ns_drug_preset(ns_param_find("drug", "preset")->def_text, &p->drug);
    for (size_t i = 0; i < N_ROWS; i++) {
        const ns_key *k = &table[i];
        if (k->target != NS_TARGET_PARAMS || (k->flags & (NS_KEY_FROM_PRESET | NS_KEY_PRESET)))
            continue;
        write_field(k, (char *)p + k->offset, k->def);
    }
}

/* Check the rows of `section` ("" = all): row offsets are into ns_params,
 * base points at the member of ns_params that starts at base_off (the whole
 * ns_params for base_off 0); layer rows are checked on skin (NULL: none). */
static ns_status check_rows(const char *base, size_t base_off, const char *section,
                            const ns_skin_params *skin)
{
    for (size_t i = 0; i < N_ROWS; i++) {
        const ns_key *k = &table[i];
        if (section[0] && strcmp(k->section, section) != 0) continue;
        if (k->store == NS_STORE_TEXT) continue;
        if (k->target == NS_TARGET_LAYER) {
            if (!skin) continue;
            for (size_t l = 0; l < skin->n_layers; l++) {
                double v = read_field(k, (const char *)&skin->layer[l] + k->offset);
                if (!ns_param_in_range(k, v))
                    return ns_param_fail_range(k, ns_skin_layer_name(skin, l), v);
            }
            continue;
        }
        if (k->target != NS_TARGET_PARAMS || k->offset < base_off) continue;
        double v = read_field(k, base + (k->offset - base_off));
        if (!ns_param_in_range(k, v)) return ns_param_fail_range(k, NULL, v);
    }
    return NS_OK;
}

ns_status ns_param_check_value(const char *section, const char *key, const char *layer, double si)
{
    const ns_key *k = ns_param_find(section, key);
    NS_CHECK(k != NULL, NS_EINVAL, "%s.%s: not in the parameter table", section, key);
    return ns_param_in_range(k, si) ? NS_OK : ns_param_fail_range(k, layer, si);
}

ns_status ns_param_check(const ns_params *p, const char *section)
{
    NS_CHECK(p != NULL && section != NULL, NS_EINVAL, "parameter check: NULL argument");
    return check_rows((const char *)p, 0, section, &p->skin);
}

ns_status ns_param_check_struct(const void *sub, size_t base, const char *section)
{
    NS_CHECK(sub != NULL && section != NULL && section[0], NS_EINVAL,
             "parameter check: NULL argument");
    const ns_skin_params *skin = strcmp(section, "skin") == 0 ? sub : NULL;
    return check_rows(sub, base, section, skin);
}
