/* Unit tests of the device catalogue (procedure.preset,
 * models/procedure_presets.c): every preset makes a valid case, the
 * catalogue's published figures (roller classes and needle counts, the
 * 11-needle pen at 90 Hz, the 100 /cm2 patch) come out of the procedure
 * equations, a preset leaves the keys of the procedure's use alone, and an
 * unknown name is an error naming the valid ones. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../../models/defaults.h"
#include "../../models/procedure.h"
#include "../../models/units.h"

static ns_params preset_case(const char *name)
{
    ns_params p;
    ns_params_default(&p);
    cr_assert(ns_proc_preset(name, &p) == NS_OK, "%s: %s", name, ns_status_message());
    return p;
}

Test(device_presets, every_preset_is_a_valid_case)
{
    cr_assert(ns_proc_preset_count() >= 7);
    for (size_t i = 0; i < ns_proc_preset_count(); i++) {
        const char *name = ns_proc_preset_name(i);
        ns_params p = preset_case(name);
        cr_expect(strcmp(p.procedure.preset, name) == 0, "%s: preset field '%s'", name,
                  p.procedure.preset);
        cr_expect(p.procedure.device != NS_DEVICE_NONE, "%s: no device", name);
        ns_status st = ns_params_derive(&p);
        if (st == NS_OK) st = ns_params_check(&p);
        cr_expect(st == NS_OK, "%s: %s", name, ns_status_message());
        const ns_source_note *notes = NULL;
        size_t n = ns_proc_preset_sources(name, &notes);
        cr_expect(n > 0, "%s: no provenance", name);
        for (size_t j = 0; j < n; j++)
            cr_expect(notes[j].source && notes[j].source[0], "%s: '%s' without a source", name,
                      notes[j].what);
    }
    cr_expect(ns_proc_preset_name(ns_proc_preset_count()) == NULL);
}

/* Home 0.2-0.3 mm, clinical 0.5 mm, medical 1-2 mm, all 192 needles in 8
 * rows (Singh & Yadav 2016; Doddaballapur 2009); 540 needles on the 540. */
Test(device_presets, roller_classes)
{
    static const struct {
        const char *name;
        double lo, hi, count;
    } rows[] = {
        {"home_roller", 0.2e-3, 0.3e-3, 192.0},
        {"clinical_roller", 0.5e-3, 0.5e-3, 192.0},
        {"medical_roller", 1.0e-3, 2.0e-3, 192.0},
        {"roller_540", 0.2e-3, 3.0e-3, 540.0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        ns_params p = preset_case(rows[i].name);
        cr_expect(p.procedure.device == NS_DEVICE_ROLLER && p.applicator.mode == NS_APPLICATOR_ROLLER &&
                      p.array.layout == NS_LAYOUT_ROLLER,
                  "%s: not a roller", rows[i].name);
        cr_expect(p.needle.length >= rows[i].lo && p.needle.length <= rows[i].hi,
                  "%s: needle %.3g m outside its class", rows[i].name, p.needle.length);
        cr_expect(p.array.count == rows[i].count, "%s: %g needles", rows[i].name, p.array.count);
    }
}

/* Fernandes' 192-needle roller rolled 15 times: about 250 punctures/cm2
 * (Doddaballapur 2009), eq. (1) of models/procedure.h on the 2 x 2 cm drum. */
Test(device_presets, home_roller_fifteen_passes)
{
    ns_params p = preset_case("home_roller");
    p.procedure.passes = 15.0;
    ns_proc_result r;
    cr_assert(ns_proc_eval(&p, 0.0, 0.0, &r) == NS_OK, "%s", ns_status_message());
    double n = r.density * NS_CM2;
    cr_expect(n > 200.0 && n < 300.0, "%.1f /cm2", n);
    cr_expect(fabs(n - 15.0 * 192.0 / (2.0 * NS_PI * 1.0 * 2.0)) < 1e-9 * n, "%.12g /cm2", n);
}

/* Dermapen: 11 needles at up to 90 Hz, "almost 1,000 microwounds every
 * second" (Wilson 2012): 990 /s. A key set after the preset wins. */
Test(device_presets, pen_rate_and_override)
{
    ns_params p = preset_case("pen_11");
    ns_proc_result r;
    cr_assert(ns_proc_eval(&p, 0.0, 0.0, &r) == NS_OK);
    cr_expect(r.rate == 990.0, "%g /s", r.rate);
    p.array.count = 12.0;
    cr_assert(ns_proc_eval(&p, 0.0, 0.0, &r) == NS_OK);
    cr_expect(r.rate == 1080.0, "%g /s", r.rate);
    ns_params q = preset_case("pen_12");
    cr_expect(q.array.count == 12.0 && q.applicator.frequency >= 90.0 &&
              q.applicator.frequency <= 120.0);
    cr_expect(q.applicator.depth_setting >= 0.25e-3 && q.applicator.depth_setting <= 2.5e-3);
}

Test(device_presets, patch_is_a_stamp)
{
    ns_params p = preset_case("microneedle_patch");
    cr_expect(p.procedure.device == NS_DEVICE_STAMP && p.applicator.mode == NS_APPLICATOR_PRESS);
    cr_expect(fabs(p.array.density * NS_CM2 - 100.0) < 1e-9 && p.array.count == 100.0);
}

/* The keys of how a device is used (passes, area, sessions) and every other
 * section stay as they were. */
Test(device_presets, use_of_the_device_untouched)
{
    ns_params a, b;
    ns_params_default(&a);
    a.procedure.passes = 7.0;
    a.procedure.sessions = 3.0;
    a.procedure.area = 0.002;
    b = a;
    cr_assert(ns_proc_preset("clinical_roller", &b) == NS_OK);
    cr_expect(b.procedure.passes == 7.0 && b.procedure.sessions == 3.0 &&
              b.procedure.area == 0.002);
    cr_expect(memcmp(&a.skin, &b.skin, sizeof a.skin) == 0);
    cr_expect(memcmp(&a.drug, &b.drug, sizeof a.drug) == 0);
    cr_expect(memcmp(&a.transport, &b.transport, sizeof a.transport) == 0);
}

Test(device_presets, unknown_name_lists_the_valid)
{
    ns_params p;
    ns_params_default(&p);
    cr_assert(ns_proc_preset("dermapen9", &p) == NS_EINVAL);
    const char *m = ns_status_message();
    cr_expect(strstr(m, "procedure.preset") && strstr(m, "home_roller") &&
                  strstr(m, "microneedle_patch"),
              "%s", m);
}
