/* The config key table (see keys.h). One line per key: extend by adding rows. */
#include "keys.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../models/drug.h"
#include "../models/needle.h"
#include "../models/skin.h"
#include "../models/units.h"

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
static const char *bottom_at(size_t i)
{
    return i < NS_BOTTOM_COUNT ? ns_bottom_bc_name((ns_bottom_bc)i) : NULL;
}

/* ---- the table ---------------------------------------------------------------- */

#define INF HUGE_VAL
#define OFF(m) offsetof(ns_params, m)
#define LOFF(m) offsetof(ns_layer, m)
#define ROFF(m) offsetof(ns_run_settings, m)

/* double field of ns_params */
#define PD(sec, key, kind, m, lo, hi, fl, d) \
    {sec, key, kind, NS_TARGET_PARAMS, NS_STORE_DOUBLE, OFF(m), 0, lo, hi, fl, NULL, d}
/* size_t field of ns_params */
#define PZ(sec, key, m, lo, hi, fl, d) \
    {sec, key, NS_KIND_COUNT, NS_TARGET_PARAMS, NS_STORE_SIZE, OFF(m), 0, lo, hi, fl, NULL, d}
/* enum field of ns_params */
#define PE(sec, key, m, names, d) \
    {sec, key, NS_KIND_ENUM, NS_TARGET_PARAMS, NS_STORE_INT, OFF(m), 0, 0, 0, 0, names, d}
/* bool (int) field of ns_params */
#define PB(sec, key, m, d) \
    {sec, key, NS_KIND_BOOL, NS_TARGET_PARAMS, NS_STORE_INT, OFF(m), 0, 0, 1, 0, NULL, d}
/* preset name (char[32]) of ns_params */
#define PP(sec, m, names, d)                                                               \
    {sec, "preset", NS_KIND_ENUM, NS_TARGET_PARAMS, NS_STORE_TEXT, OFF(m),                 \
     sizeof(((ns_params *)0)->m), 0, 0, NS_KEY_PRESET, names, d}
/* double field of every ns_layer */
#define LD(key, kind, m, lo, hi, fl, d) \
    {"skin", key, kind, NS_TARGET_LAYER, NS_STORE_DOUBLE, LOFF(m), 0, lo, hi, fl, NULL, d}

static const ns_key table[] = {
    /* [run] */
    {"run", "name", NS_KIND_STRING, NS_TARGET_RUN, NS_STORE_TEXT, ROFF(name), 64, 0, 0,
     NS_KEY_NOSWEEP, NULL, "run name; default: the config file name without .ini"},
    {"run", "output", NS_KIND_STRING, NS_TARGET_RUN, NS_STORE_TEXT, ROFF(output), 4096, 0, 0,
     NS_KEY_NOSWEEP, NULL, "output HDF5 file; default outputs/<name>.h5 (-o overrides)"},
    PD("run", "duration", NS_KIND_TIME, transport.duration, 0, 1e8, NS_KEY_MIN_OPEN | NS_KEY_NOSWEEP,
       "simulated time of the diffusion run (same for every case)"),
    PZ("run", "output_times", transport.output_times, 2, 1e5, NS_KEY_NOSWEEP,
       "number of log-spaced output times of the curves (same for every case)"),
    {"run", "fields", NS_KIND_BOOL, NS_TARGET_RUN, NS_STORE_INT, ROFF(fields), 0, 0, 1,
     NS_KEY_NOSWEEP, NULL, "write concentration snapshots of the field cases"},
    {"run", "field_cases", NS_KIND_INDEX_LIST, NS_TARGET_RUN, NS_STORE_INDICES, 0, 0, 0, 0,
     NS_KEY_NOSWEEP, NULL, "case indices whose fields are written (comma list, at most 64)"},

    /* [skin] */
    PP("skin", skin.preset, skin_preset_at, "skin site preset (layer stack and properties)"),
    PD("skin", "pretension", NS_KIND_TENSION, skin.pretension, 0, 1e4, 0,
       "in-plane skin tension N0"),
    PD("skin", "backing_stiffness", NS_KIND_STIFFNESS, skin.backing_stiffness, 0, 1e15, 0,
       "foundation stiffness of the support under the hypodermis"),
    PD("skin", "temperature", NS_KIND_TEMPERATURE, skin.temperature, 273.15, 373.15, 0,
       "skin temperature"),
    LD("thickness", NS_KIND_LENGTH, thickness, 0, 0.05, NS_KEY_MIN_OPEN, "layer thickness"),
    LD("density", NS_KIND_MASS_DENSITY, density, 100, 5000, 0, "layer mass density"),
    LD("youngs_modulus", NS_KIND_PRESSURE, youngs_modulus, 0, 1e10, NS_KEY_MIN_OPEN,
       "small-strain Young's modulus E0"),
    LD("stiffening", NS_KIND_DIMENSIONLESS, stiffening, 0, 1e5, 0,
       "strain-stiffening coefficient beta: E = E0 (1 + beta eps^2)"),
    LD("poisson", NS_KIND_DIMENSIONLESS, poisson, 0, 0.4999, 0, "Poisson ratio"),
    LD("toughness", NS_KIND_TOUGHNESS, toughness, 0, 1e6, NS_KEY_MIN_OPEN,
       "cutting (fracture) toughness G_c"),
    LD("friction", NS_KIND_DIMENSIONLESS, friction, 0, 2, 0, "needle-tissue friction coefficient"),
    LD("relaxation_time", NS_KIND_TIME, relaxation_time, 0, 1e6, NS_KEY_MIN_OPEN,
       "viscoelastic relaxation time tau"),
    LD("relaxation_fraction", NS_KIND_DIMENSIONLESS, relaxation_fraction, 0, 0.999, 0,
       "relaxing fraction g of the modulus"),
    LD("diffusivity", NS_KIND_DIFFUSIVITY, diffusivity, 0, 1e-6, NS_KEY_MIN_OPEN | NS_KEY_AUTO,
       "drug diffusivity in the layer; auto = derive from the drug"),
    LD("partition", NS_KIND_DIMENSIONLESS, partition, 0, 1e6, NS_KEY_MIN_OPEN | NS_KEY_AUTO,
       "layer/vehicle partition coefficient; auto = derive from the drug"),
    LD("clearance", NS_KIND_RATE, clearance, 0, 1, 0, "first-order capillary clearance rate"),
    LD("open_fraction", NS_KIND_DIMENSIONLESS, open_fraction, 0, 1, 0,
       "channel radius / needle radius left open after withdrawal"),

    /* [needle] */
    PP("needle", needle.preset, needle_preset_at, "needle preset (geometry and material)"),
    PE("needle", "shape", needle.shape, shape_at, "needle shape"),
    PD("needle", "length", NS_KIND_LENGTH, needle.length, 0, 0.1, NS_KEY_MIN_OPEN,
       "protrusion length from the base plate to the tip"),
    PD("needle", "base_diameter", NS_KIND_LENGTH, needle.base_diameter, 0, 5e-3, NS_KEY_MIN_OPEN,
       "diameter (pyramid: base width) at the base"),
    PD("needle", "tip_radius", NS_KIND_LENGTH, needle.tip_radius, 0, 2.5e-3, 0,
       "tip radius of curvature"),
    PD("needle", "tip_angle", NS_KIND_ANGLE, needle.tip_angle, 0, NS_PI, NS_KEY_MIN_OPEN,
       "full included tip angle (bevel angle for bevelled)"),
    PD("needle", "bore_diameter", NS_KIND_LENGTH, needle.bore_diameter, 0, 5e-3, 0,
       "inner (lumen) diameter, 0 = solid"),
    PD("needle", "youngs_modulus", NS_KIND_PRESSURE, needle.youngs_modulus, 0, 1e12,
       NS_KEY_MIN_OPEN, "needle material Young's modulus"),
    PD("needle", "strength", NS_KIND_PRESSURE, needle.strength, 0, 1e11, NS_KEY_MIN_OPEN,
       "yield or fracture strength of the needle material"),
    PD("needle", "buckling_k", NS_KIND_DIMENSIONLESS, needle.buckling_k, 0, 10, NS_KEY_MIN_OPEN,
       "Euler effective-length factor (2: fixed-free)"),

    /* [array] */
    PE("array", "layout", array.layout, layout_at, "array layout (none = intact skin baseline)"),
    PD("array", "count", NS_KIND_COUNT, array.count, 1, 1e6, 0, "number of needles"),
    PD("array", "density", NS_KIND_AREAL_DENSITY, array.density, 0, 1e10,
       NS_KEY_MIN_OPEN | NS_KEY_AUTO, "needles per skin area; auto = from pitch"),
    PD("array", "pitch", NS_KIND_LENGTH, array.pitch, 0, 1, NS_KEY_MIN_OPEN | NS_KEY_AUTO,
       "needle centre spacing; auto = from density"),

    /* [applicator] */
    PE("applicator", "mode", applicator.mode, applicator_at, "applicator"),
    PD("applicator", "speed", NS_KIND_SPEED, applicator.speed, 0, 100, NS_KEY_MIN_OPEN,
       "press speed, impact speed or rolling speed; auto = per mode: press 1 mm/s, impact 3 m/s, roller 5 cm/s, pen 0.1 m/s approach"),
    PD("applicator", "force", NS_KIND_FORCE, applicator.force, 0, 1e4, NS_KEY_MIN_OPEN,
       "force cap of a press / hand force on a roller"),
    PD("applicator", "mass", NS_KIND_MASS, applicator.mass, 0, 100, NS_KEY_MIN_OPEN,
       "moving mass of an impact applicator"),
    PD("applicator", "stroke", NS_KIND_LENGTH, applicator.stroke, 0, 0.1, NS_KEY_MIN_OPEN,
       "maximum travel of a press after first contact"),
    PD("applicator", "hold_time", NS_KIND_TIME, applicator.hold_time, 0, 86400, 0,
       "hold at the force cap or stroke before withdrawal"),
    PD("applicator", "frequency", NS_KIND_FREQUENCY, applicator.frequency, 0, 1e4,
       NS_KEY_MIN_OPEN, "pen stroke frequency"),
    PD("applicator", "depth_setting", NS_KIND_LENGTH, applicator.depth_setting, 0, 0.01, 0,
       "pen needle protrusion setting (not tissue depth)"),
    PD("applicator", "drum_radius", NS_KIND_LENGTH, applicator.drum_radius, 0, 0.5,
       NS_KEY_MIN_OPEN, "roller drum radius"),

    /* [drug] */
    PP("drug", drug.preset, drug_preset_at, "drug preset (molecular properties)"),
    PD("drug", "molecular_weight", NS_KIND_MOLAR_MASS, drug.molecular_weight, 0, 1e3,
       NS_KEY_MIN_OPEN, "molar mass"),
    PD("drug", "log_kow", NS_KIND_DIMENSIONLESS, drug.log_kow, -10, 10, 0,
       "log10 octanol/water partition coefficient"),
    PD("drug", "free_diffusivity", NS_KIND_DIFFUSIVITY, drug.free_diffusivity, 0, 1e-7,
       NS_KEY_MIN_OPEN, "diffusivity in water at skin temperature"),
    PD("drug", "radius", NS_KIND_LENGTH, drug.radius, 0, 1e-6, NS_KEY_MIN_OPEN | NS_KEY_AUTO,
       "hydrodynamic (Stokes) radius; auto = derive"),
    PD("drug", "concentration", NS_KIND_CONCENTRATION, drug.concentration, 0, 2000, 0,
       "vehicle concentration (infinite and finite dose)"),
    PE("drug", "dose", drug.dose, dose_at, "dosing mode"),
    PD("drug", "film_thickness", NS_KIND_LENGTH, drug.film_thickness, 0, 0.1, NS_KEY_MIN_OPEN,
       "vehicle film thickness (finite dose)"),
    PD("drug", "coated_mass", NS_KIND_MASS, drug.coated_mass, 0, 1e-3, 0,
       "drug mass coated on each needle (coated dose)"),

    /* [channel] */
    PB("channel", "occluded", channel.occluded, "occluded site (slower channel closure)"),
    PD("channel", "half_life", NS_KIND_TIME, channel.half_life, 0, 1e8,
       NS_KEY_MIN_OPEN | NS_KEY_AUTO, "channel closure half-life; auto = from occlusion"),
    PD("channel", "floor_recovery", NS_KIND_DIMENSIONLESS, channel.floor_recovery, 0, 1, 0,
       "part of the cut below the SC that closes at the channel floor on withdrawal "
       "(calibration, models/channel.h)"),

    /* [transport] */
    PE("transport", "bottom", transport.bottom, bottom_at, "receptor boundary at the bottom"),
    PD("transport", "depth", NS_KIND_LENGTH, transport.depth, 0, 0.1,
       NS_KEY_MIN_OPEN | NS_KEY_AUTO, "modelled depth; auto = SC + VE + dermis"),

    /* [numerics] */
    PZ("numerics", "ins_n_r", numerics.ins_n_r, 8, 1e5, 0, "radial grid points of the tenting solver"),
    PD("numerics", "ins_rtol", NS_KIND_DIMENSIONLESS, numerics.ins_rtol, 0, 0.1, NS_KEY_MIN_OPEN,
       "relative tolerance of the insertion time stepping"),
    PZ("numerics", "ins_max_steps", numerics.ins_max_steps, 10, 1e9, 0, "insertion step cap"),
    PZ("numerics", "ins_max_newton", numerics.ins_max_newton, 1, 1000, 0,
       "Newton iteration cap per insertion step"),
    PZ("numerics", "diff_n_r", numerics.diff_n_r, 4, 1e5, 0, "radial cells of the diffusion grid"),
    PZ("numerics", "diff_n_z", numerics.diff_n_z, 4, 1e5, 0, "axial cells of the diffusion grid"),
    PD("numerics", "diff_rtol", NS_KIND_DIMENSIONLESS, numerics.diff_rtol, 0, 0.1,
       NS_KEY_MIN_OPEN, "relative tolerance of the diffusion time stepping"),
    PZ("numerics", "diff_max_steps", numerics.diff_max_steps, 10, 1e9, 0, "diffusion step cap"),
    PZ("numerics", "curve_points", numerics.curve_points, 2, 1e5, NS_KEY_NOSWEEP,
       "points of each resampled curve (same for every case)"),

    /* [insertion] */
    PD("insertion", "crack_width_factor", NS_KIND_DIMENSIONLESS, insertion.crack_width_factor, 0,
       10, NS_KEY_MIN_OPEN, "effective cutting factor: crack width / needle diameter (fit 0.35, tests/data/insertion_calibration.md)"),
    PD("insertion", "spreading_factor", NS_KIND_DIMENSIONLESS, insertion.spreading_factor, 0, 100,
       0, "scale of the elastic crack-spreading pressure"),
    PD("insertion", "damping_ratio", NS_KIND_DIMENSIONLESS, insertion.damping_ratio, 0, 10, 0,
       "extra damping ratio of the insertion dynamics"),
    PD("insertion", "plate_stiffness", NS_KIND_STIFFNESS, insertion.plate_stiffness, 0, 1e16,
       NS_KEY_MIN_OPEN | NS_KEY_AUTO, "base-plate contact penalty stiffness; auto = derive"),
    PD("insertion", "puncture_factor", NS_KIND_DIMENSIONLESS, insertion.puncture_factor, 0, 1e4,
       NS_KEY_AUTO, "kappa of the sharp-tip puncture term kappa pi sqrt(E* G_c) r_t^1.5; auto = 60"),
    PD("insertion", "blunt_pressure_factor", NS_KIND_DIMENSIONLESS, insertion.blunt_pressure_factor,
       0, 1e4, NS_KEY_AUTO, "c_p of the blunt-tip puncture term c_p E* pi r_t^2; auto = 40"),
    PD("insertion", "foundation_stiffening", NS_KIND_DIMENSIONLESS, insertion.foundation_stiffening,
       0, 1e4, NS_KEY_AUTO, "compression stiffening of the fat foundation; auto = 50"),
    PD("insertion", "withdraw_speed", NS_KIND_SPEED, insertion.withdraw_speed, 0, 100,
       NS_KEY_AUTO, "withdrawal speed after an impact; auto = 1 mm/s"),
};
#define N_KEYS (sizeof table / sizeof table[0])

static const char *const sections[] = {"run", "skin", "needle", "array", "applicator", "drug",
                                       "channel", "transport", "numerics", "insertion", "sweep"};
#define N_SECTIONS (sizeof sections / sizeof sections[0])

static const char *const layer_names[NS_LAYER_MAX + 1] = {
    "stratum_corneum", "viable_epidermis", "dermis", "hypodermis", "membrane"};

size_t ns_keys_count(void) { return N_KEYS; }

const ns_key *ns_keys_at(size_t i) { return i < N_KEYS ? &table[i] : NULL; }

const char *ns_keys_layer_name(size_t i) { return i <= NS_LAYER_MAX ? layer_names[i] : NULL; }

int ns_keys_section_known(const char *section)
{
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (strcmp(sections[i], section) == 0) return 1;
    return 0;
}

size_t ns_keys_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 127) la = 127;
    if (lb > 127) lb = 127;
    size_t row[128];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = (a[i - 1] == b[j - 1]) ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *ns_keys_suggest_section(const char *section)
{
    const char *best = sections[0];
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < N_SECTIONS; i++) {
        size_t d = ns_keys_edit_distance(section, sections[i]);
        if (d < best_d) best_d = d, best = sections[i];
    }
    return best;
}

static void fill_name(ns_key_ref *r, const char *section, const char *layer, const char *key)
{
    if (layer)
        snprintf(r->name, sizeof r->name, "%s.%s.%s", section, layer, key);
    else
        snprintf(r->name, sizeof r->name, "%s.%s", section, key);
}

int ns_keys_find(const char *section, const char *key, ns_key_ref *out)
{
    const char *dot = strchr(key, '.');
    if (dot) {
        if (strcmp(section, "skin") != 0) return -1;
        size_t llen = (size_t)(dot - key);
        for (size_t l = 0; l <= NS_LAYER_MAX; l++) {
            if (strlen(layer_names[l]) != llen || strncmp(layer_names[l], key, llen) != 0)
                continue;
            for (size_t i = 0; i < N_KEYS; i++) {
                if (table[i].target != NS_TARGET_LAYER || strcmp(table[i].key, dot + 1) != 0)
                    continue;
                out->key = &table[i];
                out->membrane = (l == NS_LAYER_MAX);
                out->layer = out->membrane ? 0 : (int)l;
                fill_name(out, section, layer_names[l], table[i].key);
                return 0;
            }
            return -1;
        }
        return -1;
    }
    for (size_t i = 0; i < N_KEYS; i++) {
        if (table[i].target == NS_TARGET_LAYER) continue;
        if (strcmp(table[i].section, section) == 0 && strcmp(table[i].key, key) == 0) {
            out->key = &table[i];
            out->layer = -1;
            out->membrane = 0;
            fill_name(out, section, NULL, key);
            return 0;
        }
    }
    return -1;
}

int ns_keys_find_dotted(const char *dotted, ns_key_ref *out)
{
    const char *dot = strchr(dotted, '.');
    if (!dot) return -1;
    char section[32];
    size_t len = (size_t)(dot - dotted);
    if (len >= sizeof section) return -1;
    memcpy(section, dotted, len);
    section[len] = '\0';
    return ns_keys_find(section, dot + 1, out);
}

void ns_keys_suggest(const char *section, const char *key, char *buf, size_t n)
{
    size_t best_d = (size_t)-1;
    char cand[96];
    buf[0] = '\0';
    const char *dot = strchr(key, '.');
    int is_skin = strcmp(section, "skin") == 0;
    for (size_t i = 0; i < N_KEYS; i++) {
        const ns_key *k = &table[i];
        if (strcmp(k->section, section) != 0) continue;
        if (k->target == NS_TARGET_LAYER) {
            if (!is_skin) continue;
            /* Compare against <layer>.<field> for every layer; keep the
             * user's layer when it is a valid one. */
            for (size_t l = 0; l <= NS_LAYER_MAX; l++) {
                snprintf(cand, sizeof cand, "%s.%s", layer_names[l], k->key);
                size_t d = ns_keys_edit_distance(key, cand);
                if (d < best_d) best_d = d, snprintf(buf, n, "%s", cand);
            }
        } else {
            size_t d = ns_keys_edit_distance(key, k->key);
            if (d < best_d) best_d = d, snprintf(buf, n, "%s", k->key);
        }
    }
    (void)dot;
    /* Only suggest when the names are reasonably close: at most a third of
     * the longer name differs (and at least 3 edits are tolerated). */
    size_t lk = strlen(key), lb = strlen(buf);
    size_t limit = (lk > lb ? lk : lb) / 3;
    if (limit < 3) limit = 3;
    if (best_d > limit) buf[0] = '\0';
}

char *ns_keys_enum_list(const ns_key *k, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    if (!k->enum_name) return buf;
    for (size_t i = 0;; i++) {
        const char *name = k->enum_name(i);
        if (!name) break;
        int w = snprintf(buf + len, n - len, "%s%s", i ? ", " : "", name);
        if (w < 0 || (size_t)w >= n - len) break;
        len += (size_t)w;
    }
    return buf;
}

int ns_keys_in_range(const ns_key *k, double si)
{
    if (isnan(si)) return (k->flags & NS_KEY_AUTO) != 0;
    if (k->flags & NS_KEY_MIN_OPEN) {
        if (!(si > k->min)) return 0;
    } else if (!(si >= k->min)) {
        return 0;
    }
    return si <= k->max;
}

char *ns_keys_range_text(const ns_key *k, char *buf, size_t n)
{
    char lo[48], hi[48];
    ns_units_format(k->min, k->kind, lo, sizeof lo);
    ns_units_format(k->max, k->kind, hi, sizeof hi);
    snprintf(buf, n, "%s%s, %s]%s", (k->flags & NS_KEY_MIN_OPEN) ? "(" : "[", lo, hi,
             (k->flags & NS_KEY_AUTO) ? " or auto" : "");
    return buf;
}

static int text_is(const char *text, const char *word)
{
    while (*text == ' ' || *text == '\t') text++;
    size_t lw = strlen(word);
    if (strncasecmp(text, word, lw) != 0) return 0;
    text += lw;
    while (*text == ' ' || *text == '\t') text++;
    return *text == '\0';
}

/* Trim blanks into a bounded copy. */
static void trim_copy(const char *in, char *out, size_t n)
{
    while (*in == ' ' || *in == '\t') in++;
    size_t len = strlen(in);
    while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t')) len--;
    if (len >= n) len = n - 1;
    memcpy(out, in, len);
    out[len] = '\0';
}

ns_status ns_keys_parse(const ns_key_ref *ref, const char *text, ns_key_value *out, char *err,
                        size_t err_len)
{
    const ns_key *k = ref->key;
    memset(out, 0, sizeof *out);
    switch (k->kind) {
    case NS_KIND_STRING:
        trim_copy(text, out->text, k->cap ? k->cap : sizeof out->text);
        if (out->text[0] == '\0') {
            snprintf(err, err_len, "empty value; expected a text");
            return NS_EINVAL;
        }
        if (strlen(text) >= (k->cap ? k->cap : sizeof out->text) + 64) {
            snprintf(err, err_len, "text too long (at most %zu characters)", k->cap - 1);
            return NS_EINVAL;
        }
        return NS_OK;
    case NS_KIND_BOOL: {
        int b = 0;
        if (ns_units_bool(text, &b) != 0) {
            snprintf(err, err_len, "not a boolean; expected true, false, yes, no, 1 or 0");
            return NS_EINVAL;
        }
        out->x = b;
        return NS_OK;
    }
    case NS_KIND_ENUM: {
        char word[64];
        trim_copy(text, word, sizeof word);
        for (size_t i = 0; k->enum_name; i++) {
            const char *name = k->enum_name(i);
            if (!name) break;
            if (strcmp(name, word) == 0) {
                out->x = (double)i;
                snprintf(out->text, sizeof out->text, "%s", name);
                return NS_OK;
            }
        }
        char list[512];
        snprintf(err, err_len, "unknown value '%s'; allowed: %s", word,
                 ns_keys_enum_list(k, list, sizeof list));
        return NS_EINVAL;
    }
    case NS_KIND_INDEX_LIST: {
        char buf[1024];
        trim_copy(text, buf, sizeof buf);
        char *save = NULL;
        for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            double v = 0.0;
            while (*tok == ' ' || *tok == '\t') tok++;
            if (ns_units_number(tok, &v) != 0 || v < 0.0 || v != floor(v) || v > 1e15) {
                snprintf(err, err_len, "'%s' is not a case index (a non-negative integer)", tok);
                return NS_EINVAL;
            }
            if (out->n_list == sizeof out->list / sizeof out->list[0]) {
                snprintf(err, err_len, "too many indices (at most %zu)",
                         sizeof out->list / sizeof out->list[0]);
                return NS_EINVAL;
            }
            out->list[out->n_list++] = (size_t)v;
        }
        return NS_OK;
    }
    default:
        break;
    }
    if ((k->flags & NS_KEY_AUTO) && text_is(text, "auto")) {
        out->x = NAN;
        return NS_OK;
    }
    double v = 0.0;
    char why[400];
    if (ns_units_parse(text, k->kind, &v, why, sizeof why) != NS_OK) {
        snprintf(err, err_len, "%s", why);
        return NS_EINVAL;
    }
    if (!ns_keys_in_range(k, v)) {
        char range[128], shown[128];
        trim_copy(text, shown, sizeof shown);
        snprintf(err, err_len, "%s is out of range; allowed %s", shown,
                 ns_keys_range_text(k, range, sizeof range));
        return NS_EINVAL;
    }
    out->x = v;
    return NS_OK;
}

static void *field_ptr(const ns_key_ref *ref, ns_params *p, ns_run_settings *rs)
{
    const ns_key *k = ref->key;
    switch (k->target) {
    case NS_TARGET_PARAMS:
        return (char *)p + k->offset;
    case NS_TARGET_LAYER:
        return (char *)&p->skin.layer[ref->layer] + k->offset;
    case NS_TARGET_RUN:
        return (char *)rs + k->offset;
    }
    return NULL;
}

static const void *cfield_ptr(const ns_key_ref *ref, const ns_params *p,
                             const ns_run_settings *rs)
{
    const ns_key *k = ref->key;
    switch (k->target) {
    case NS_TARGET_PARAMS:
        return (const char *)p + k->offset;
    case NS_TARGET_LAYER:
        return (const char *)&p->skin.layer[ref->layer] + k->offset;
    case NS_TARGET_RUN:
        return (const char *)rs + k->offset;
    }
    return NULL;
}

void ns_keys_apply(const ns_key_ref *ref, const ns_key_value *v, ns_params *p,
                   ns_run_settings *rs)
{
    const ns_key *k = ref->key;
    if (k->store == NS_STORE_INDICES) {
        if (!rs) return;
        memcpy(rs->field_cases, v->list, v->n_list * sizeof v->list[0]);
        rs->n_field_cases = v->n_list;
        return;
    }
    if (k->target == NS_TARGET_RUN && !rs) return;
    void *f = field_ptr(ref, p, rs);
    switch (k->store) {
    case NS_STORE_DOUBLE:
        *(double *)f = v->x;
        break;
    case NS_STORE_SIZE:
        *(size_t *)f = (size_t)v->x;
        break;
    case NS_STORE_INT:
        *(int *)f = (int)v->x;
        break;
    case NS_STORE_TEXT:
        snprintf((char *)f, k->cap, "%s", v->text);
        break;
    case NS_STORE_INDICES:
        break;
    }
}

double ns_keys_get(const ns_key_ref *ref, const ns_params *p, const ns_run_settings *rs)
{
    const ns_key *k = ref->key;
    if (k->target == NS_TARGET_RUN && !rs) return NAN;
    const void *f = cfield_ptr(ref, p, rs);
    switch (k->store) {
    case NS_STORE_DOUBLE:
        return *(const double *)f;
    case NS_STORE_SIZE:
        return (double)*(const size_t *)f;
    case NS_STORE_INT:
        return (double)*(const int *)f;
    case NS_STORE_TEXT:
        if (k->enum_name) {
            for (size_t i = 0;; i++) {
                const char *name = k->enum_name(i);
                if (!name) break;
                if (strcmp(name, (const char *)f) == 0) return (double)i;
            }
        }
        return NAN;
    case NS_STORE_INDICES:
        return NAN;
    }
    return NAN;
}

char *ns_keys_format(const ns_key_ref *ref, const ns_params *p, const ns_run_settings *rs,
                     int readable, char *buf, size_t n)
{
    const ns_key *k = ref->key;
    buf[0] = '\0';
    if (k->target == NS_TARGET_RUN && !rs) return buf;
    const void *f = cfield_ptr(ref, p, rs);
    if (k->store == NS_STORE_TEXT) {
        snprintf(buf, n, "%s", (const char *)f);
        return buf;
    }
    if (k->store == NS_STORE_INDICES) {
        size_t len = 0;
        for (size_t i = 0; i < rs->n_field_cases && len < n; i++) {
            int w = snprintf(buf + len, n - len, "%s%zu", i ? ", " : "", rs->field_cases[i]);
            if (w < 0) break;
            len += (size_t)w;
        }
        return buf;
    }
    double x = ns_keys_get(ref, p, rs);
    if (k->kind == NS_KIND_ENUM) {
        const char *name = k->enum_name ? k->enum_name((size_t)x) : NULL;
        snprintf(buf, n, "%s", name ? name : "?");
    } else if (k->kind == NS_KIND_BOOL) {
        snprintf(buf, n, "%s", x != 0.0 ? "true" : "false");
    } else if (isnan(x)) {
        snprintf(buf, n, "auto");
    } else if (readable) {
        ns_units_format(x, k->kind, buf, n);
    } else if (ns_units_dimensional(k->kind)) {
        snprintf(buf, n, "%.17g %s", x, ns_units_si(k->kind));
    } else {
        snprintf(buf, n, "%.17g", x);
    }
    return buf;
}
