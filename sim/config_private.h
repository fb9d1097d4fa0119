/* Private interface of the config module, shared by sim/config.c (reading,
 * validating, sweep, resolved text, load) and sim/config_case.c (building
 * one case and placing its errors). Not part of the public API (config.h). */
#ifndef NS_CONFIG_PRIVATE_H
#define NS_CONFIG_PRIVATE_H

#include <stddef.h>

#include "config.h"
#include "keys.h"
#include "sweep.h"

/* One key = value of the file or of a --set, resolved against the key table. */
typedef struct {
    char section[32];
    char key[96];
    char *value;
    int line;      /* file line, 0 for --set */
    int set_index; /* index of the --set, -1 for file lines */
    ns_key_ref ref;
    ns_key_value *val;
} entry;

typedef struct {
    char key[96];
    char *value;
    int line;
} sweep_line;

struct ns_config {
    char *path;
    entry *e;
    size_t n_e, cap_e;
    sweep_line *sw;
    size_t n_sw, cap_sw;
    int sweep_header_line;
    ns_sweep_mode mode;
    int mode_line;
    size_t samples;
    unsigned long seed;
    ns_sweep *sweep;
    ns_axis_info axes[NS_SWEEP_MAX_AXES];
    int axis_line[NS_SWEEP_MAX_AXES];
    ns_run_settings run;
    char *text;
    unsigned long long hash;
    /* parse state */
    char first_err[1024];
    int first_err_line;
};

/* Where an input came from: "FILE:LINE" or "--set TEXT". */
void config_where(const ns_config *c, const entry *e, char *buf, size_t n);

#endif
