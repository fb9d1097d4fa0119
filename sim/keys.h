/* Every config key: the model table (models/param_table.c: key, field, kind,
 * range, default, description of every case parameter) plus the driver's
 * own [run] rows (name, output, fields, field_cases, in sim/keys.c). The
 * config parser, the sweep, the resolved-config text and `needlesim keys`
 * read the keys through this module.
 *
 * Layer keys live in [skin] as <layer>.<field>, layer one of
 * stratum_corneum, viable_epidermis, dermis, hypodermis (or membrane with
 * the membrane preset); they are table rows of target NS_TARGET_LAYER whose
 * `key` is the field name. Keys marked NS_KEY_AUTO accept "auto" (NaN: the
 * model derives the value). Ranges are inclusive unless NS_KEY_MIN_OPEN or
 * NS_KEY_MAX_OPEN open an end.
 */
#ifndef NS_KEYS_H
#define NS_KEYS_H

#include <stddef.h>

#include "../models/param_table.h"
#include "../models/params.h"
#include "config.h"
#include "quantity.h"

/* ns_key (one row), its targets, stores and flags: models/param_table.h. */

/* A resolved key: the row plus, for layer keys, the layer index. */
typedef struct {
    const ns_key *key;
    int layer;    /* -1 for non-layer keys */
    int membrane; /* 1 if addressed as "membrane.<field>" */
    char name[80]; /* full dotted name "skin.dermis.thickness" */
} ns_key_ref;

/* A parsed value (SI). */
typedef struct {
    double x;                /* number in SI, enum index, bool 0/1 */
    char text[4096];         /* preset names and strings */
    size_t list[64];         /* index lists */
    size_t n_list;
} ns_key_value;

size_t ns_keys_count(void);
const ns_key *ns_keys_at(size_t i);

/* The layer names accepted in layer keys, index NS_LAYER_MAX = "membrane". */
const char *ns_keys_layer_name(size_t i);

/* 1 if `section` is a config section name (including "sweep"). */
int ns_keys_section_known(const char *section);

/* Nearest section name by edit distance. */
const char *ns_keys_suggest_section(const char *section);

/* Find section + key ("dermis.thickness" in skin). 0 found, -1 not. */
int ns_keys_find(const char *section, const char *key, ns_key_ref *out);

/* Find a dotted name "needle.length" / "skin.dermis.thickness". 0 found, -1 not. */
int ns_keys_find_dotted(const char *dotted, ns_key_ref *out);

/* Nearest valid key of `section` to `key` (edit distance), written as it
 * would appear in that section; "" if nothing is close. */
void ns_keys_suggest(const char *section, const char *key, char *buf, size_t n);

/* Parse and range-check a value for the key. On error returns NS_EINVAL and
 * writes the reason (value in the user's units, allowed range) into err. */
ns_status ns_keys_parse(const ns_key_ref *ref, const char *text, ns_key_value *out, char *err,
                        size_t err_len);

/* "[1 um, 10 cm]" or "(0 m, 10 cm]" in readable units. */
char *ns_keys_range_text(const ns_key *k, char *buf, size_t n);

/* Write a value into the case parameters or the run settings. */
void ns_keys_apply(const ns_key_ref *ref, const ns_key_value *v, ns_params *p,
                   ns_run_settings *rs);

/* Read the current value as a number (SI; enum index; NaN for text). */
double ns_keys_get(const ns_key_ref *ref, const ns_params *p, const ns_run_settings *rs);

/* The current value as config text: SI number and SI unit ("0.0005 m"),
 * or readable units when readable != 0 ("500 um"); names for enums. */
char *ns_keys_format(const ns_key_ref *ref, const ns_params *p, const ns_run_settings *rs,
                     int readable, char *buf, size_t n);

/* Names of an enum/preset key joined by ", " into buf. */
char *ns_keys_enum_list(const ns_key *k, char *buf, size_t n);

#endif
