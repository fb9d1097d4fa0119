/* The parameter table: one row per config key of the case parameters, the
 * only place where a key's field, SI unit, range and default are written.
 *
 * Readers: sim/keys (the config parser, the sweep, `needlesim keys` and the
 * README reference generated from it), ns_params_default (every default),
 * ns_params_check and the module checks (every range). A range is written
 * once, here; cross-field rules (tip radius below the base radius, a taper
 * shorter than the needle, needles that do not overlap, a transport depth
 * inside the skin) stay as code next to the module that owns them.
 *
 * A row addresses a field of ns_params (target NS_TARGET_PARAMS) or of every
 * skin layer (NS_TARGET_LAYER: the key is the field name, written in the
 * config as skin.<layer>.<field>). Rows of NS_TARGET_RUN belong to the
 * driver (sim/keys.c adds them; their offset is into its run settings) and
 * are ignored here. Ranges are closed unless NS_KEY_MIN_OPEN / NS_KEY_MAX_OPEN
 * open an end. NS_KEY_AUTO rows accept "auto" (stored as NaN): the model
 * derives the value, and NaN is the only way to ask for that; 0 is a value
 * like any other. NS_KEY_FROM_PRESET rows take their default from the
 * section's preset (skin layers, needle geometry, drug molecule); the others
 * take `def`.
 *
 * Error grammar: every rejection of a value reads
 *     key = value unit: expected RANGE
 * ("needle.length = 0.2 m: expected (0 m, 0.1 m]"), written by
 * ns_param_fail_range, and the dotted key is recorded beside the message
 * (ns_status_key), so a caller can place the error at the line that set it
 * without reading the message text.
 */
#ifndef NS_PARAM_TABLE_H
#define NS_PARAM_TABLE_H

#include <stddef.h>

#include "params.h"
#include "status.h"

/* The physical kind of a value: its SI unit and the units accepted for it. */
typedef enum {
    NS_KIND_LENGTH = 0,    /* m */
    NS_KIND_FORCE,         /* N */
    NS_KIND_PRESSURE,      /* Pa */
    NS_KIND_TOUGHNESS,     /* J/m2 */
    NS_KIND_SPEED,         /* m/s */
    NS_KIND_TIME,          /* s */
    NS_KIND_AREAL_DENSITY, /* 1/m2 */
    NS_KIND_MASS,          /* kg */
    NS_KIND_CONCENTRATION, /* kg/m3 */
    NS_KIND_DIFFUSIVITY,   /* m2/s */
    NS_KIND_FREQUENCY,     /* Hz */
    NS_KIND_RATE,          /* 1/s */
    NS_KIND_TENSION,       /* N/m */
    NS_KIND_STIFFNESS,     /* N/m3 */
    NS_KIND_ANGLE,         /* rad */
    NS_KIND_MOLAR_MASS,    /* kg/mol */
    NS_KIND_MASS_DENSITY,  /* kg/m3 */
    NS_KIND_TEMPERATURE,   /* K */
    NS_KIND_DIMENSIONLESS, /* plain number */
    NS_KIND_COUNT,         /* non-negative integer */
    NS_KIND_BOOL,          /* true/false/yes/no/1/0 */
    NS_KIND_ENUM,          /* one name of a fixed list */
    NS_KIND_STRING,        /* free text */
    NS_KIND_INDEX_LIST,    /* comma-separated non-negative integers */
    NS_KIND_AREA,          /* m2 (after the list kinds: appended, not renumbered) */
    NS_KIND_AREAL_MASS,    /* kg/m2 (appended) */
    NS_KIND_VISCOSITY,     /* Pa.s (appended) */
    NS_KIND_N
} ns_unit_kind;

/* SI unit symbol of a kind ("m", "m2/s"; "" for plain numbers and names). */
const char *ns_param_si_unit(ns_unit_kind kind);

typedef enum { NS_TARGET_PARAMS = 0, NS_TARGET_LAYER, NS_TARGET_RUN } ns_key_target;

typedef enum {
    NS_STORE_DOUBLE = 0, /* double */
    NS_STORE_SIZE,       /* size_t */
    NS_STORE_INT,        /* int or an enum (bool, enum index) */
    NS_STORE_TEXT,       /* char[cap] */
    NS_STORE_INDICES     /* run.field_cases */
} ns_key_store;

enum {
    NS_KEY_AUTO = 1u << 0,       /* "auto" allowed: NaN, derived by the model */
    NS_KEY_NOSWEEP = 1u << 1,    /* may not be a sweep axis */
    NS_KEY_PRESET = 1u << 2,     /* preset name: applied before every other key */
    NS_KEY_MIN_OPEN = 1u << 3,   /* value must be > min (not >=) */
    NS_KEY_MAX_OPEN = 1u << 4,   /* value must be < max (not <=) */
    NS_KEY_FROM_PRESET = 1u << 5 /* default from the section's preset, not `def` */
};

typedef struct {
    const char *section;
    const char *key;      /* for layer rows: the field name */
    ns_unit_kind kind;
    ns_key_target target;
    ns_key_store store;
    size_t offset;        /* into ns_params, ns_layer or the driver's run settings */
    size_t cap;           /* NS_STORE_TEXT: capacity of the char array (with the NUL) */
    double min, max;      /* [SI] range (enum rows: unused) */
    unsigned flags;
    double def;           /* [SI] default (NaN: auto; enum index; unused for presets) */
    const char *def_text; /* preset rows: the default preset name */
    const char *(*enum_name)(size_t i); /* enum/preset names, NULL past the end */
    const char *description;
} ns_key;

/* Rows of the model table (no NS_TARGET_RUN rows). */
size_t ns_param_count(void);
const ns_key *ns_param_at(size_t i);

/* The row of section.key (layer rows: key is the field name); NULL if none. */
const ns_key *ns_param_find(const char *section, const char *key);

/* 1 if the SI value lies in the row's range (NaN: only for NS_KEY_AUTO). */
int ns_param_in_range(const ns_key *k, double si);

/* The range in SI, "(0 m, 0.1 m]", with " or auto" for auto rows. */
char *ns_param_range_si(const ns_key *k, char *buf, size_t n);

/* Record "section.[layer.]key = value unit: expected RANGE" with the dotted
 * key beside it and return NS_EINVAL. layer is NULL for non-layer rows. */
ns_status ns_param_fail_range(const ns_key *k, const char *layer, double si);

/* section.key = si (of the skin layer named `layer`, else NULL) against its
 * row, the one place its range is written: NS_OK, or the error of
 * ns_param_fail_range. For a model's create-time check of a value it reads.
 * Exceptions: NS_EINVAL (also when section.key has no row). */
ns_status ns_param_check_value(const char *section, const char *key, const char *layer, double si);

/* Write every table default into *p (presets by their default names first,
 * then the `def` of every row that does not come from a preset). */
void ns_param_defaults(ns_params *p);

/* Range check of every row of `section` ("" = all sections) against the
 * values in *p, every layer for layer rows. Exceptions: NS_EINVAL through
 * ns_param_fail_range. */
ns_status ns_param_check(const ns_params *p, const char *section);

/* The same for one section's struct alone (ns_needle_params, ...):
 * base = offsetof(ns_params, <section struct>). For "skin" the layer rows are
 * checked on the layers of the ns_skin_params. */
ns_status ns_param_check_struct(const void *sub, size_t base, const char *section);

#endif
