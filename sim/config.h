/* Configuration: INI file (inih) + --set overrides -> base case + sweep design.
 *
 * A config file has the sections [run] [skin] [needle] [array] [applicator]
 * [drug] [channel] [transport] [numerics] [insertion] [sweep]; every key is a
 * row of the table in sim/keys.c (`needlesim keys` prints it). Values carry
 * units ("500 um", "2 m/s") and are converted to SI once, here.
 *
 * Case construction for case i (a pure function of the config and i):
 *   ns_params_default -> presets (skin.preset, needle.preset, drug.preset:
 *   base value or the case's axis value when a preset key is swept) -> every
 *   explicit key of the file and every --set in order -> the case's axis
 *   values -> ns_params_derive -> ns_params_check.
 * ns_config_load builds every case once, so an invalid combination is an
 * input error at load time (NS_EINVAL, message via ns_status_message():
 * "FILE:LINE: ..." or "--set ...: ..." or "case I (axis = value, ...): ...").
 */
#ifndef NS_CONFIG_H
#define NS_CONFIG_H

#include <stddef.h>

#include "../models/params.h"
#include "../models/status.h"

typedef struct ns_config ns_config;

/* Largest number of cases a sweep may expand to. */
#define NS_CONFIG_MAX_CASES 10000000ULL

/* Load and validate a config. sets: n_sets strings "section.key=value"
 * applied after the file's keys. On error returns NS_EINVAL (bad input,
 * including an unreadable file) or NS_ENOMEM, and leaves *out == NULL. */
ns_status ns_config_load(const char *path, const char *const *sets, size_t n_sets,
                         ns_config **out);

/* NULL-safe; sets *c = NULL. */
void ns_config_destroy(ns_config **c);

/* Number of cases (1 without a [sweep] section). */
size_t ns_config_n_cases(const ns_config *c);

/* Full SI parameters of case i, derived and checked. NS_EINVAL if i is out of range. */
ns_status ns_config_case(const ns_config *c, size_t i, ns_params *out);

/* Sweep axes. */
size_t ns_config_n_axes(const ns_config *c);

typedef struct {
    const char *key;         /* "needle.length", "skin.dermis.thickness" */
    const char *units;       /* SI unit string like "m", "1/m2"; "" for enums/dimensionless */
    const char *description; /* from the key table */
    int is_enum;             /* 1: enum or preset axis (value = index, label = name) */
} ns_axis_info;

const ns_axis_info *ns_config_axis(const ns_config *c, size_t k);

/* SI value of axis k for case i (enum/preset: index into the axis's list of names). */
double ns_config_axis_value(const ns_config *c, size_t k, size_t i);

/* Enum/preset name of axis k for case i; NULL for numeric axes. */
const char *ns_config_axis_label(const ns_config *c, size_t k, size_t i);

/* The resolved config as INI text: every key of the base case with its SI
 * value and unit, then the [sweep] section as given. */
const char *ns_config_text(const ns_config *c);

/* FNV-1a 64-bit over everything that defines the cases (not run.output). */
unsigned long long ns_config_hash(const ns_config *c);

typedef struct {
    char name[64];             /* run.name (default: config basename without .ini) */
    char output[4096];         /* run.output, or outputs/<name>.h5 when not given */
    int fields;                /* run.fields: write concentration snapshots */
    size_t field_cases[64];    /* run.field_cases: cases whose fields are written */
    size_t n_field_cases;
    double duration;           /* [s] run.duration (same for all cases) */
    size_t output_times;       /* [-] run.output_times (same for all cases) */
    size_t curve_points;       /* [-] numerics.curve_points (same for all cases) */
    const char *sweep_mode;    /* ns_sweep_mode_name(): "none", "grid", ... */
    unsigned long seed;        /* sweep.seed */
} ns_run_settings;

const ns_run_settings *ns_config_run(const ns_config *c);


#endif
