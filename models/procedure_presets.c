/* Device presets: the catalogue of treatment devices (procedure.preset).
 *
 * A device preset names a product class and fills the keys the device
 * implies, across sections: procedure.device (and for a roller its rows and
 * drum width), the applicator mode with the pen's stroke frequency and depth
 * setting or the roller's drum radius, the array (layout, needles, density)
 * and the needle (a needle preset, then its length and diameter). Keys of
 * how the device is used (passes, area, sessions, glide speed) keep their
 * defaults: they belong to the procedure, not the product. Every key stays
 * overridable one by one in the config or with --set; a needle.preset given
 * beside procedure.preset replaces the device's needle (its length too), since
 * presets apply in the order procedure, skin, needle, drug (sim/config_case.c).
 *
 * Values and sources (models/REFERENCES.md):
 *   rollers: drum 2 cm wide and 2 cm in diameter with 192 needles in 8 rows
 *     [schwarz2011 MF8; doddaballapur2009]; the classes by needle length:
 *     home 0.2-0.3 mm (enhanced absorption), clinical 0.5 mm, medical
 *     1-2 mm [singh2016]; the home roller's needles are 70 um thick and 0.2
 *     mm long (Fernandes' 192-needle roller, 15 passes -> about 250 /cm2,
 *     as quoted by doddaballapur2009), the clinical roller's 0.1 mm thick
 *     and 0.5 mm long [doddaballapur2009: 0.1 mm, 0.5-1.5 mm], the medical
 *     roller the MF8 (0.25 mm x 1.5 mm) [schwarz2011];
 *   a 540-needle roller: the needle count of the common trade rollers
 *     [roller540_trade]; its 12 rows of 45 on the same 2 x 2 cm drum are an
 *     assumption (no data sheet with the drum geometry was found);
 *   pens: an 11-needle tip, 0.25-2.5 mm settings, strokes up to 90 Hz,
 *     "almost 1,000 microwounds every second" [wilson2012 (Dermapen)]; a
 *     12-needle cartridge at about 110 Hz [pen_trade]; the cartridge face of
 *     30 needles/cm2 is an assumption (12 needles over a 7 mm face); the
 *     depth setting 1.0 mm is the middle of the clinical range, to be set;
 *   puncture: the home roller's 0.2 mm needles do not puncture at 10-30 N
 *     of hand force in the fast model (pressed fully in, the tip reaches about
 *     23 mN of the 84 mN it needs: a needle indents the skin at most by its
 *     length; models/insertion/roller.c eq. D3), as 245-300 um microneedle
 *     arrays applied by hand did not pierce human skin [verbaan2008]; the
 *     clinical (0.5 mm), 540 (1 mm) and medical (1.5 mm) rollers puncture at
 *     10 N on the face;
 *   a microneedle patch: 100 steel microneedles of 600 um on 1 cm2
 *     (10 x 10, 100 /cm2), the densities of "up to 100 MN cm-2" of solid
 *     and polymer arrays [donnelly2011] with the needles of gill2007,
 *     pressed by hand. */
#include <math.h>
#include <string.h>

#include "needle.h"
#include "preset.h"
#include "procedure.h"
#include "units.h"

static void name_it(ns_params *p, const char *name)
{
    memset(p->procedure.preset, 0, sizeof p->procedure.preset);
    strncpy(p->procedure.preset, name, sizeof p->procedure.preset - 1);
}

/* A roller: N needles in `rows` rows on the 2 cm x 2 cm drum; array.density
 * is the drum surface density N / (2 pi R W) (models/procedure.h eq. 1). */
static void roller(ns_params *p, const char *name, const char *needle, double length,
                   double diameter, double N, double rows)
{
    name_it(p, name);
    (void)ns_needle_preset(needle, &p->needle); /* a built-in name: cannot fail */
    p->needle.length = length;
    p->needle.base_diameter = diameter;
    p->procedure.device = NS_DEVICE_ROLLER;
    p->procedure.rows = rows;
    p->procedure.drum_width = 2.0 * NS_CM;
    p->applicator.mode = NS_APPLICATOR_ROLLER;
    p->applicator.drum_radius = 1.0 * NS_CM;
    p->array.layout = NS_LAYOUT_ROLLER;
    p->array.count = N;
    p->array.density = N / (2.0 * NS_PI * p->applicator.drum_radius * p->procedure.drum_width);
    p->array.pitch = NAN;
}

static void home_roller(ns_params *p)
{
    roller(p, "home_roller", "dermaroller", 0.2 * NS_MM, 70.0 * NS_UM, 192.0, 8.0);
}
static void clinical_roller(ns_params *p)
{
    roller(p, "clinical_roller", "dermaroller", 0.5 * NS_MM, 0.1 * NS_MM, 192.0, 8.0);
}
static void medical_roller(ns_params *p)
{
    roller(p, "medical_roller", "dermaroller", 1.5 * NS_MM, 0.25 * NS_MM, 192.0, 8.0);
}
static void roller_540(ns_params *p)
{
    roller(p, "roller_540", "dermaroller", 1.0 * NS_MM, 0.1 * NS_MM, 540.0, 12.0);
}

/* A pen: N needles in the cartridge at stroke frequency f, needles
 * protruding by the depth setting. */
static void pen(ns_params *p, const char *name, double N, double f)
{
    name_it(p, name);
    (void)ns_needle_preset("pen_cartridge", &p->needle);
    p->procedure.device = NS_DEVICE_PEN;
    p->applicator.mode = NS_APPLICATOR_PEN;
    p->applicator.frequency = f;
    p->applicator.depth_setting = 1.0 * NS_MM;
    p->array.layout = NS_LAYOUT_SQUARE;
    p->array.count = N;
    p->array.density = 30.0 / NS_CM2;
    p->array.pitch = NAN;
}

static void pen_11(ns_params *p) { pen(p, "pen_11", 11.0, 90.0); }
static void pen_12(ns_params *p) { pen(p, "pen_12", 12.0, 110.0); }

static void microneedle_patch(ns_params *p)
{
    name_it(p, "microneedle_patch");
    (void)ns_needle_preset("microneedle_steel", &p->needle);
    p->procedure.device = NS_DEVICE_STAMP;
    p->applicator.mode = NS_APPLICATOR_PRESS;
    p->array.layout = NS_LAYOUT_SQUARE;
    p->array.count = 100.0;
    p->array.density = 100.0 / NS_CM2;
    p->array.pitch = NAN;
}

#define ROLLER_NOTES                                                                    \
    {"drum", "2 cm wide, 2 cm diameter", "schwarz2011 (MF8), doddaballapur2009"},        \
        {"passes, area", "procedure defaults (set them)", "the procedure, not the device"}

static const ns_source_note notes_home[] = {
    {"class", "home use, 0.2-0.3 mm", "singh2016"},
    {"needles", "192 in 8 rows, 70 um x 0.2 mm", "doddaballapur2009 (quoting Fernandes)"},
    {"puncture", "none by hand (10-30 N): too short for its tip", "verbaan2008; roller.c eq. D3"},
    ROLLER_NOTES};
static const ns_source_note notes_clinical[] = {
    {"class", "clinical use, 0.5 mm", "singh2016"},
    {"needles", "192 in 8 rows, 0.1 mm x 0.5 mm", "doddaballapur2009 (0.1 mm, 0.5-1.5 mm)"},
    ROLLER_NOTES};
static const ns_source_note notes_medical[] = {
    {"class", "medical use, 1-2 mm", "singh2016"},
    {"needles", "192 in 8 rows, 0.25 mm x 1.5 mm", "schwarz2011 (MF8)"},
    ROLLER_NOTES};
static const ns_source_note notes_540[] = {
    {"needles", "540, 0.1 mm x 1.0 mm", "roller540_trade"},
    {"rows", "12 of 45", "assumption (no drum data sheet found)"},
    ROLLER_NOTES};
static const ns_source_note notes_pen11[] = {
    {"tip", "11 needles, settings 0.25-2.5 mm", "wilson2012 (Dermapen)"},
    {"stroke frequency", "90 Hz (about 1000 wounds/s)", "wilson2012 (Dermapen)"},
    {"needle", "pen_cartridge (33 G)", "needle preset"},
    {"depth setting", "1.0 mm", "assumption (mid-range; set it)"},
    {"cartridge face", "30 needles/cm2", "assumption (12 needles on a 7 mm face)"},
};
static const ns_source_note notes_pen12[] = {
    {"cartridge", "12 needles", "pen_trade"},
    {"stroke frequency", "110 Hz", "pen_trade (close to 110 per second)"},
    {"needle", "pen_cartridge (33 G)", "needle preset"},
    {"depth setting", "1.0 mm", "assumption (mid-range; set it)"},
    {"cartridge face", "30 needles/cm2", "assumption (12 needles on a 7 mm face)"},
};
static const ns_source_note notes_patch[] = {
    {"array", "10 x 10 on 1 cm2 (100 /cm2)", "donnelly2011 (up to 100 MN/cm2)"},
    {"needles", "microneedle_steel, 600 um", "gill2007"},
    {"applicator", "press (by hand)", "assumption"},
};

/* The catalogue: one row each (models/preset.h). */
static const ns_preset presets[] = {
    {"home_roller", {.device = home_roller}, NS_PRESET_NOTES(notes_home)},
    {"clinical_roller", {.device = clinical_roller}, NS_PRESET_NOTES(notes_clinical)},
    {"medical_roller", {.device = medical_roller}, NS_PRESET_NOTES(notes_medical)},
    {"roller_540", {.device = roller_540}, NS_PRESET_NOTES(notes_540)},
    {"pen_11", {.device = pen_11}, NS_PRESET_NOTES(notes_pen11)},
    {"pen_12", {.device = pen_12}, NS_PRESET_NOTES(notes_pen12)},
    {"microneedle_patch", {.device = microneedle_patch}, NS_PRESET_NOTES(notes_patch)},
};
static const ns_preset_table table = NS_PRESET_TABLE("procedure.preset", presets);

ns_status ns_proc_preset(const char *name, ns_params *out)
{
    NS_CHECK(out != NULL, NS_EINVAL, "device preset: output pointer is NULL");
    const ns_preset *row = NULL;
    NS_TRY(ns_preset_lookup(&table, name, &row));
    row->fill.device(out);
    return NS_OK;
}

size_t ns_proc_preset_count(void) { return table.n; }

const char *ns_proc_preset_name(size_t i) { return ns_preset_name(&table, i); }

size_t ns_proc_preset_sources(const char *name, const ns_source_note **notes)
{
    return ns_preset_sources(&table, name, notes);
}
