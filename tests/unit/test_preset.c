/* Unit tests of models/preset: one lookup for the skin, needle and drug
 * tables. An unknown name is refused with the key recorded and every valid
 * name listed in table order (from the table, so a new row shows up without
 * another edit); the output is untouched; names are unique; every preset
 * carries provenance notes. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "../../models/drug.h"
#include "../../models/needle.h"
#include "../../models/preset.h"
#include "../../models/skin.h"

typedef struct {
    const char *key;
    size_t (*count)(void);
    const char *(*name)(size_t);
    size_t (*sources)(const char *, const ns_source_note **);
} module;

static ns_status skin_fill(const char *n, void *o) { return ns_skin_preset(n, o); }
static ns_status needle_fill(const char *n, void *o) { return ns_needle_preset(n, o); }
static ns_status drug_fill(const char *n, void *o) { return ns_drug_preset(n, o); }

Test(preset, unknown_name_lists_the_table_and_names_the_key)
{
    const module mods[3] = {
        {"skin.preset", ns_skin_preset_count, ns_skin_preset_name, ns_skin_preset_sources},
        {"needle.preset", ns_needle_preset_count, ns_needle_preset_name, ns_needle_preset_sources},
        {"drug.preset", ns_drug_preset_count, ns_drug_preset_name, ns_drug_preset_sources},
    };
    ns_status (*fill[3])(const char *, void *) = {skin_fill, needle_fill, drug_fill};
    union {
        ns_skin_params s;
        ns_needle_params n;
        ns_drug_params d;
        unsigned char bytes[sizeof(ns_skin_params) + sizeof(ns_needle_params) +
                            sizeof(ns_drug_params)];
    } out, before;
    for (size_t m = 0; m < 3; m++) {
        memset(&out, 0xA5, sizeof out);
        before = out;
        ns_status_clear();
        cr_assert(eq(int, fill[m]("no_such_preset_x", &out), NS_EINVAL));
        cr_expect(memcmp(&out, &before, sizeof out) == 0, "%s: output changed on error",
                  mods[m].key);
        const char *msg = ns_status_message();
        cr_expect(strstr(msg, mods[m].key) != NULL && strstr(msg, "'no_such_preset_x'") != NULL,
                  "%s", msg);
        cr_expect(strcmp(ns_status_key(0), mods[m].key) == 0, "key '%s'", ns_status_key(0));
        /* every name, in table order, after "valid: " */
        const char *at = strstr(msg, "valid: ");
        cr_assert(at != NULL, "%s", msg);
        size_t n = mods[m].count();
        cr_expect(n >= 5, "%s: %zu presets", mods[m].key, n);
        for (size_t i = 0; i < n; i++) {
            const char *nm = mods[m].name(i);
            const char *hit = strstr(at, nm);
            cr_expect(hit != NULL, "%s: '%s' missing from %s", mods[m].key, nm, msg);
            if (hit) at = hit + strlen(nm);
            for (size_t j = 0; j < i; j++)
                cr_expect(strcmp(nm, mods[m].name(j)) != 0, "%s: '%s' twice", mods[m].key, nm);
            const ns_source_note *notes = NULL;
            cr_expect(mods[m].sources(nm, &notes) > 0 && notes != NULL, "%s: no notes", nm);
            cr_expect(eq(int, fill[m](nm, &out), NS_OK), "%s", ns_status_message());
        }
        cr_expect(mods[m].name(n) == NULL);
        cr_expect(eq(int, fill[m](NULL, &out), NS_EINVAL));
    }
}

Test(preset, fill_writes_the_name)
{
    ns_drug_params d;
    cr_assert(eq(int, ns_drug_preset("lidocaine", &d), NS_OK));
    cr_expect(strcmp(d.preset, "lidocaine") == 0, "%s", d.preset);
    ns_needle_params n;
    cr_assert(eq(int, ns_needle_preset("pen_cartridge", &n), NS_OK));
    cr_expect(strcmp(n.preset, "pen_cartridge") == 0, "%s", n.preset);
}
