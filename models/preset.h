/* Presets: named parameter sets for skin sites, needles, drugs and
 * treatment devices, each with its provenance. One record type and one
 * lookup for the four tables (models/skin.c, needle.c, drug.c and
 * procedure_presets.c keep their rows and fill functions). A device preset
 * spans sections (procedure, applicator, array and the needle), so it fills
 * the whole case.
 *
 * Adding a preset is one row in the module's table:
 *     {"forearm", {.skin = preset_forearm}, NS_PRESET_NOTES(notes_forearm)},
 * with a fill function that writes every field of the struct (and the name
 * into its `preset` field) and a ns_source_note array giving what, value and
 * source key (models/REFERENCES.md) of every number. The name list of error
 * messages, `needlesim keys` and the README comes from the table. */
#ifndef NS_PRESET_H
#define NS_PRESET_H

#include <stddef.h>

#include "params.h"
#include "status.h"

/* One line of provenance: what the value is, the value (with units, as text)
 * and where it comes from. */
typedef struct {
    const char *what;
    const char *value;
    const char *source;
} ns_source_note;

/* One preset: its name in the config, the function that fills the module's
 * struct (the member of the module's kind) and its provenance. */
typedef struct {
    const char *name;
    union {
        void (*skin)(ns_skin_params *);
        void (*needle)(ns_needle_params *);
        void (*drug)(ns_drug_params *);
        void (*device)(ns_params *);
    } fill;
    const ns_source_note *notes;
    size_t n_notes;
} ns_preset;

/* A module's presets: the config key that names them ("skin.preset") and
 * the rows. */
typedef struct {
    const char *key;
    const ns_preset *rows;
    size_t n;
} ns_preset_table;

#define NS_PRESET_NOTES(a) (a), sizeof(a) / sizeof((a)[0])
#define NS_PRESET_TABLE(key, rows) {(key), (rows), sizeof(rows) / sizeof((rows)[0])}

/* The row named name, or NULL (also for a NULL name). */
const ns_preset *ns_preset_find(const ns_preset_table *t, const char *name);

/* The row named name into *out. Exceptions: NS_EINVAL for a NULL or unknown
 * name, "KEY = 'NAME': unknown; valid: A, B, ..." with the key recorded
 * (ns_status_key). */
ns_status ns_preset_lookup(const ns_preset_table *t, const char *name, const ns_preset **out);

/* Name of row i, NULL past the end. */
const char *ns_preset_name(const ns_preset_table *t, size_t i);

/* Provenance of the named preset: *notes (may be NULL) and their count; 0
 * and NULL for an unknown name. */
size_t ns_preset_sources(const ns_preset_table *t, const char *name,
                         const ns_source_note **notes);

#endif
