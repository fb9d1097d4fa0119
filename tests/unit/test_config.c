/* Config loading: every error kind names file:line, key, value, range and a
 * suggestion; case construction order; resolved text and hash. */
#pragma GCC diagnostic ignored "-Wconversion" /* Criterion assertion macros */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../models/defaults.h"
#include "../../models/needle.h"
#include "../../models/units.h"
#include "../../models/skin.h"
#include "../../sim/config.h"
#include "config_fixture.h"

static char path[64];

static const char *write_cfg(const char *text)
{
    fx_config_write(text, path, sizeof path);
    return path;
}


/* Load text expecting NS_EINVAL; every string in want must be in the message,
 * and "PATH:LINE" when line > 0 as one of the locations that open it ("A, B: "). */
static void load_bad(const char *text, int line, const char *const *sets, size_t n_sets,
                     const char *want1, const char *want2)
{
    ns_config *c = NULL;
    ns_status st = ns_config_load(write_cfg(text), sets, n_sets, &c);
    unlink(path);
    const char *msg = ns_status_message();
    cr_assert(eq(int, st, NS_EINVAL), "accepted; message '%s'", msg);
    cr_assert(c == NULL);
    if (line > 0) {
        char loc[96], loc2[96];
        snprintf(loc, sizeof loc, "%s:%d: ", path, line);
        snprintf(loc2, sizeof loc2, "%s:%d, ", path, line);
        cr_assert(strstr(msg, loc) != NULL || strstr(msg, loc2) != NULL, "'%s' lacks '%s'", msg,
                  loc);
    }
    if (want1) cr_assert(strstr(msg, want1) != NULL, "'%s' lacks '%s'", msg, want1);
    if (want2) cr_assert(strstr(msg, want2) != NULL, "'%s' lacks '%s'", msg, want2);
}

Test(config, unknown_section_suggests)
{
    load_bad("[needle]\nlength = 600 um\n[aplicator]\nspeed = 1 mm/s\n", 3, NULL, 0,
             "unknown section [aplicator]", "did you mean [applicator]?");
}

Test(config, unknown_key_suggests)
{
    load_bad("; comment\n[needle]\ntip_radus = 5 um\n", 3, NULL, 0, "unknown key 'tip_radus'",
             "did you mean 'tip_radius'?");
    load_bad("[skin]\ndermis.thicknes = 1 mm\n", 2, NULL, 0, "dermis.thicknes",
             "did you mean 'dermis.thickness'?");
}

Test(config, missing_and_wrong_units)
{
    load_bad("[needle]\nlength = 500\n", 2, NULL, 0,
             "needle.length = 500: missing unit; expected a length such as 500 um", NULL);
    load_bad("[applicator]\nspeed = 2 N\n", 2, NULL, 0, "applicator.speed = 2 N",
             "wrong unit 'N' (a force); expected a speed");
    load_bad("[applicator]\nspeed = fast\n", 2, NULL, 0, "applicator.speed = fast",
             "not a number");
}

Test(config, out_of_range_names_key_value_and_range)
{
    load_bad("[needle]\n\nlength = 50 cm\n", 3, NULL, 0, "needle.length = 50 cm: expected (0 m, 100 mm]",
             NULL);
    load_bad("[skin]\nhypodermis.poisson = 0.6\n", 2, NULL, 0,
             "skin.hypodermis.poisson = 0.6: expected [0, 0.4999]", NULL);
    /* a number that is no number (overflow, underflow, hexadecimal) still
     * names the range */
    const char *hex[] = {"numerics.ins_max_newton=0x10"};
    load_bad("[run]\n", 0, hex, 1, "numerics.ins_max_newton = 0x10: not a number",
             "range [2, 1000]");
    const char *big[] = {"needle.length=1e999 mm"};
    load_bad("[run]\n", 0, big, 1, "--set needle.length=1e999 mm", "range (0 m, 100 mm]");
    const char *tiny[] = {"applicator.force=1e-400 N"};
    load_bad("[run]\n", 0, tiny, 1, "applicator.force = 1e-400 N", "range (0 N, 10000 N]");
}

Test(config, bad_enum_lists_allowed)
{
    load_bad("[needle]\nshape = round\n", 2, NULL, 0, "unknown value 'round'",
             "allowed: conical, pyramidal, bevelled, cylindrical");
}

Test(config, duplicate_key)
{
    load_bad("[drug]\nconcentration = 1 mg/mL\n[needle]\n[drug]\nconcentration = 2 mg/mL\n", 5,
             NULL, 0, "duplicate key drug.concentration (first set on line 2)", NULL);
}

Test(config, cannot_open)
{
    ns_config *c = NULL;
    cr_assert(eq(int, ns_config_load("/nonexistent/x.ini", NULL, 0, &c), NS_EINVAL));
    cr_assert(strstr(ns_status_message(), "cannot open config file '/nonexistent/x.ini'") != NULL);
}

Test(config, nonphysical_combination_maps_to_line)
{
    /* tip radius above the base radius: ns_params_check names needle.tip_radius */
    load_bad("[needle]\nbase_diameter = 100 um\n\ntip_radius = 80 um\n", 4, NULL, 0,
             "needle.tip_radius", NULL);
}

Test(config, sweep_case_error_names_case_and_axis_values)
{
    load_bad("[needle]\nbase_diameter = 100 um\n[sweep]\nneedle.tip_radius = 5 um, 80 um\n", 4,
             NULL, 0, "case 1 of 2 (needle.tip_radius = 80 um)", "needle.tip_radius");
}

Test(config, sweep_errors)
{
    load_bad("[sweep]\nmode = zip\nneedle.length = 600 um, 700 um\narray.count = 1, 2, 3\n", 2,
             NULL, 0, "zip axes must have the same length", "array.count has 3");
    load_bad("[sweep]\nmode = lhs\nneedle.length = lin(600 um, 1 mm)\n", 2, NULL, 0,
             "lhs sweep needs 'samples = N'", NULL);
    load_bad("[sweep]\nneedle.length = lin(600 um 1 mm, 3)\n", 2, NULL, 0, "range start",
             NULL);
    load_bad("[sweep]\nrun.output_times = 10, 20\n", 2, NULL, 0,
             "run.output_times cannot be swept", NULL);
    load_bad("[sweep]\nneedle.lenth = 600 um\n", 2, NULL, 0, "did you mean 'needle.length'?",
             NULL);
    load_bad("[sweep]\nmode = grid\nneedle.length = lin(600 um, 1 mm, 1000)\n"
             "applicator.speed = lin(1 mm/s, 1 m/s, 1000)\narray.count = lin(1, 100, 11)\n",
             2, NULL, 0, "more than 10000000 cases", NULL);
}

Test(config, set_errors_say_set)
{
    const char *sets1[] = {"needle.lenght=600 um"};
    load_bad("[needle]\n", 0, sets1, 1, "--set needle.lenght=600 um: unknown key 'lenght'",
             "did you mean 'length'?");
    const char *sets2[] = {"needle.length=600"};
    load_bad("[needle]\n", 0, sets2, 1, "--set needle.length=600", "missing unit");
}

Test(config, set_overrides_file_in_order)
{
    const char *sets[] = {"needle.length=700 um", "needle.length = 800 um"};
    ns_config *c = fx_config_load("[needle]\nlength = 600 um\n", sets, 2);
    ns_params p;
    cr_assert(eq(int, ns_config_case(c, 0, &p), NS_OK));
    /* 800 um is one multiplication 800 * 1e-6: within 1 ulp of 8e-4 */
    cr_assert(ieee_ulp_eq(dbl, p.needle.length, 800e-6, 1));
    ns_config_destroy(&c);
    cr_assert(c == NULL);
}

Test(config, preset_first_then_layer_override_even_if_written_later)
{
    /* The layer override comes before the preset line in the file, and the
     * preset is swept: the override must still win in every case. */
    ns_config *c = fx_config_load("[skin]\ndermis.thickness = 1.37 mm\n[sweep]\n"
                           "skin.preset = forearm, back\n",
                           NULL, 0);
    cr_assert(eq(sz, ns_config_n_cases(c), 2));
    ns_skin_params back;
    cr_assert(eq(int, ns_skin_preset("back", &back), NS_OK));
    ns_params p0, p1;
    cr_assert(eq(int, ns_config_case(c, 0, &p0), NS_OK));
    cr_assert(eq(int, ns_config_case(c, 1, &p1), NS_OK));
    cr_assert(strcmp(p0.skin.preset, "forearm") == 0, "%s", p0.skin.preset);
    cr_assert(strcmp(p1.skin.preset, "back") == 0, "%s", p1.skin.preset);
    cr_assert(ieee_ulp_eq(dbl, p0.skin.layer[NS_LAYER_DERMIS].thickness, 1.37e-3, 1));
    cr_assert(ieee_ulp_eq(dbl, p1.skin.layer[NS_LAYER_DERMIS].thickness, 1.37e-3, 1));
    /* the rest of case 1 comes from the back preset (exact copy) */
    cr_assert(ieee_ulp_eq(dbl, p1.skin.layer[NS_LAYER_SC].thickness,
                          back.layer[NS_LAYER_SC].thickness, 0));
    cr_assert(strcmp(ns_config_axis_label(c, 0, 1), "back") == 0, "%s", ns_config_axis_label(c, 0, 1));
    cr_assert(eq(int, ns_config_axis(c, 0)->is_enum, 1));
    ns_config_destroy(&c);
}

Test(config, defaults_when_empty_and_run_settings)
{
    ns_config *c = fx_config_load_path("; nothing set\n", NULL, 0, path, sizeof path);
    ns_params p, d;
    cr_assert(eq(int, ns_config_case(c, 0, &p), NS_OK));
    ns_params_default(&d);
    cr_assert(eq(int, ns_params_derive(&d), NS_OK));
    cr_assert(eq(int, memcmp(&p, &d, sizeof p), 0), "case 0 differs from the default case");
    const ns_run_settings *rs = ns_config_run(c);
    /* name = file basename without .ini, output under outputs/ */
    char want[96];
    const char *base = strrchr(path, '/') + 1;
    snprintf(want, sizeof want, "%.*s", (int)(strlen(base) - 4), base);
    cr_assert(strcmp(rs->name, want) == 0, "%s", rs->name);
    cr_assert(strncmp(rs->output, "outputs/", 8) == 0);
    cr_assert(eq(sz, rs->n_field_cases, 1));
    cr_assert(strcmp(rs->sweep_mode, "none") == 0, "%s", rs->sweep_mode);
    cr_assert(ieee_ulp_eq(dbl, rs->duration, d.transport.duration, 0));
    ns_config_destroy(&c);
}

Test(config, text_and_hash)
{
    ns_config *a = fx_config_load("[run]\noutput = /tmp/a.h5\n[needle]\nlength = 600 um\n", NULL, 0);
    ns_config *b = fx_config_load("[run]\noutput = /tmp/b.h5\n[needle]\nlength = 600 um\n", NULL, 0);
    ns_config *c = fx_config_load("[run]\noutput = /tmp/a.h5\n[needle]\nlength = 601 um\n", NULL, 0);
    const char *t = ns_config_text(a);
    cr_assert(strstr(t, "[needle]\n") != NULL);
    /* %.17g round-trips a double exactly: the text holds the SI value */
    const char *len = strstr(strstr(t, "[needle]\n"), "\nlength = ");
    cr_assert(len != NULL, "%s", t);
    cr_assert(ieee_ulp_eq(dbl, strtod(len + 10, NULL), 600e-6, 1));
    cr_assert(strstr(t, "dermis.thickness = ") != NULL);
    /* run.output does not enter the hash; the needle length does. The run
     * names differ too (file names), so compare a against b only through
     * the name-independent part: load b with a's name. */
    (void)b;
    cr_assert(ns_config_hash(a) != ns_config_hash(c));
    ns_config_destroy(&a);
    ns_config_destroy(&b);
    ns_config_destroy(&c);
    const char *s1[] = {"run.output=/tmp/x.h5"}, *s2[] = {"run.output=/tmp/y.h5"};
    ns_config *x = fx_config_load("[run]\nname = same\n", s1, 1);
    ns_config *y = fx_config_load("[run]\nname = same\n", s2, 1);
    cr_assert(eq(u64, ns_config_hash(x), ns_config_hash(y)));
    cr_assert(strcmp(ns_config_run(x)->output, "/tmp/x.h5") == 0, "%s", ns_config_run(x)->output);
    ns_config_destroy(&x);
    ns_config_destroy(&y);
}

Test(config, inline_comments_and_auto)
{
    ns_config *c = fx_config_load("[needle]\nlength = 600 um  # protrusion\n"
                           "[array]\nlayout = square ; inline\npitch = 2 mm\ndensity = auto\n",
                           NULL, 0);
    ns_params p;
    cr_assert(eq(int, ns_config_case(c, 0, &p), NS_OK));
    cr_assert(ieee_ulp_eq(dbl, p.needle.length, 600e-6, 1));
    /* square array: density derived as 1/p^2 = 2.5e5 /m2 (few roundings) */
    cr_assert(epsilon_eq(dbl, p.array.density, 2.5e5, 1e-9 * 2.5e5));
    ns_config_destroy(&c);
}

Test(config, resolved_text_uses_shortest_round_trip_digits)
{
    ns_config *c = fx_config_load("[numerics]\nins_rtol = 1e-4\n[applicator]\nforce = 10 N\n", NULL, 0);
    const char *t = ns_config_text(c);
    cr_assert(strstr(t, "ins_rtol = 0.0001\n") != NULL, "%s", t);
    cr_assert(strstr(t, "force = 10 N\n") != NULL, "%s", t);
    cr_assert(strstr(t, "output_times = 50\n") != NULL, "%s", t);
    cr_assert(strstr(t, "0.00010000000000000000") == NULL, "%s", t);
    ns_config_destroy(&c);
}

Test(config, set_on_a_swept_key_is_refused)
{
    const char *set[] = {"needle.length=1 mm"};
    load_bad("[sweep]\nneedle.length = 600 um, 900 um\n", 0, set, 1,
             "--set needle.length=1 mm: needle.length is a sweep axis", ".ini:2)");
}

Test(config, text_longer_than_its_field_is_refused)
{
    char text[160];
    snprintf(text, sizeof text, "[run]\nname = %064d\n", 0);
    load_bad(text, 2, NULL, 0, "64 characters; expected at most 63", NULL);
    snprintf(text, sizeof text, "[run]\nname = %063d\n", 0);
    ns_config *c = fx_config_load(text, NULL, 0);
    cr_assert(eq(sz, strlen(ns_config_run(c)->name), 63));
    ns_config_destroy(&c);
}

Test(config, auto_speed_is_accepted)
{
    const char *set[] = {"applicator.speed=auto"};
    ns_config *c = fx_config_load("[applicator]\nmode = impact\n", set, 1);
    ns_params p;
    cr_assert(eq(int, ns_config_case(c, 0, &p), NS_OK));
    cr_assert(p.applicator.speed == 3.0, "impact default speed, got %g", p.applicator.speed);
    ns_config_destroy(&c);
}

/* A preset's cone angle whose tapered tip is longer than a swept needle
 * gives way to the full cone (angle from length and base); the 1 mm needle
 * keeps the preset's 30 deg; an angle the user sets is never changed. */
Test(config, cone_default_tip_angle_follows_short_needles)
{
    const char *text = "[needle]\npreset = dermaroller\nshape = conical\n[array]\nlayout = single\n"
                       "[sweep]\nneedle.length = 200 um, 1 mm\n";
    ns_config *c = fx_config_load(text, NULL, 0);
    ns_params p;
    cr_assert(eq(int, ns_config_case(c, 0, &p), NS_OK), "%s", ns_status_message());
    /* bisection to 1e-12 rad on the angle: the taper meets the length to
     * far better than 1e-6 of it, from below */
    double lt = ns_needle_tip_length(&p.needle);
    cr_assert(lt <= p.needle.length && lt > (1.0 - 1e-6) * p.needle.length,
              "taper %.9g m for a %.9g m needle", lt, p.needle.length);
    cr_assert(p.needle.tip_angle > 30.0 * NS_DEG, "angle %g deg", p.needle.tip_angle / NS_DEG);
    cr_assert(eq(int, ns_config_case(c, 1, &p), NS_OK), "%s", ns_status_message());
    cr_assert(ieee_ulp_eq(dbl, p.needle.tip_angle, 30.0 * NS_DEG, 1));
    ns_config_destroy(&c);
    const char *set[] = {"needle.tip_angle=30 deg"};
    load_bad(text, 0, set, 1, "needle.tip_angle = 30 deg", "longer than");
}
