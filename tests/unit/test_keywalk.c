/* `needlesim check` accepts exactly what `run` accepts: every numeric key of
 * the parameter table is walked at and just beyond both ends of its range
 * (open ends: the end itself and the nearest value inside) through the
 * config path that both commands share (ns_config_load + ns_config_case, on
 * a --set as a user would write it) and, where that accepts, through what
 * `run` adds before computing: the solvers' create (ns_ins_create,
 * ns_diff_create), which must then not refuse the input, and the case must
 * hold the value given (0 at a closed end is a value, never "the default").
 * Values beyond an end must be refused with the key named and recorded. */
#pragma GCC diagnostic ignored "-Wconversion" /* Criterion assertion macros */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../models/diffusion.h"
#include "../../models/insertion.h"
#include "../../models/param_table.h"
#include "../../sim/config.h"
#include "config_fixture.h"
#include "../../sim/keys.h"
#include "../../sim/quantity.h"

/* Coarse grids keep the create stage small at the grid-size extremes. */
static const char base_cfg[] = "[numerics]\ndiff_n_r = 4\ndiff_n_z = 8\nins_n_r = 10\n";

static char cfg_path[64];

static void write_base(void) { fx_config_write(base_cfg, cfg_path, sizeof cfg_path); }

/* check: 1 accepted (case 0 built), 0 refused. *p receives the case. */
static int check_value(const char *name, const char *value, ns_params *p)
{
    char set[256];
    snprintf(set, sizeof set, "%s=%s", name, value);
    const char *sets[] = {set};
    ns_config *c = NULL;
    ns_status_clear();
    if (ns_config_load(cfg_path, sets, 1, &c) != NS_OK) return 0;
    ns_status st = ns_config_case(c, 0, p);
    ns_config_destroy(&c);
    return st == NS_OK;
}

/* run's input stage: the solvers' create on the case. NS_OK or their status. */
static ns_status create_value(const ns_params *p)
{
    if (p->array.layout != NS_LAYOUT_NONE) {
        ns_ins *s = NULL;
        ns_ins_input in;
        ns_ins_input_init(&in, p);
        ns_status st = ns_ins_create(&in, &s);
        ns_ins_destroy(&s);
        if (st != NS_OK) return st;
    }
    ns_diff *d = NULL;
    ns_diff_input din;
    ns_diff_input_init(&din, p, NULL);
    din.intact_1d = 1; /* as sim/case.c */
    ns_status st = ns_diff_create(&din, &d);
    ns_diff_destroy(&d);
    return st;
}

static void text_of(const ns_key *k, double si, char *buf, size_t n)
{
    const char *u = ns_units_dimensional(k->kind) ? ns_units_si(k->kind) : "";
    if (k->store == NS_STORE_SIZE || k->kind == NS_KIND_COUNT)
        snprintf(buf, n, "%.0f", si);
    else
        snprintf(buf, n, "%.17g%s%s", si, u[0] ? " " : "", u);
}

Test(keywalk, check_accepts_exactly_what_run_accepts)
{
    write_base();
    size_t walked = 0, accepted = 0, refused_beyond = 0;
    for (size_t i = 0; i < ns_keys_count(); i++) {
        const ns_key *k = ns_keys_at(i);
        if (k->target == NS_TARGET_RUN || k->store == NS_STORE_TEXT || k->kind == NS_KIND_ENUM ||
            k->kind == NS_KIND_BOOL)
            continue;
        char name[96];
        if (k->target == NS_TARGET_LAYER)
            snprintf(name, sizeof name, "skin.dermis.%s", k->key);
        else
            snprintf(name, sizeof name, "%s.%s", k->section, k->key);
        int integer = k->store == NS_STORE_SIZE || k->kind == NS_KIND_COUNT;
        double step_lo = integer ? 1.0 : 0.0, step_hi = step_lo;
        /* inside and beyond each end */
        /* an open end at 0: the parser refuses subnormal numbers (underflow),
         * so the smallest value inside is the smallest normal one */
        double above_min = k->min == 0.0 ? DBL_MIN : nextafter(k->min, INFINITY);
        double in_lo = (k->flags & NS_KEY_MIN_OPEN) ? (integer ? k->min + 1 : above_min) : k->min;
        double out_lo = (k->flags & NS_KEY_MIN_OPEN) ? k->min
                                                     : (integer ? k->min - step_lo
                                                                : nextafter(k->min, -INFINITY));
        double in_hi = (k->flags & NS_KEY_MAX_OPEN) ? nextafter(k->max, -INFINITY) : k->max;
        double out_hi = (k->flags & NS_KEY_MAX_OPEN) ? k->max
                                                     : (integer ? k->max + step_hi
                                                                : nextafter(k->max, INFINITY));
        const double inside[] = {in_lo, in_hi};
        const double beyond[] = {out_lo, out_hi};
        for (int e = 0; e < 2; e++) {
            char v[128];
            ns_params p;
            /* inside: when check accepts, run's create must accept too */
            text_of(k, inside[e], v, sizeof v);
            walked++;
            if (check_value(name, v, &p)) {
                accepted++;
                ns_status st = create_value(&p);
                cr_expect(ne(int, st, NS_EINVAL), "%s = %s: check accepts, run refuses: %s", name, v,
                          ns_status_message());
                /* the value is the case's value: an end (0 included) is never
                 * read as "use the default". Except the lattice of a single
                 * needle or none (the default layout), which has no density
                 * or pitch: they are derived as 0 and infinity. */
                ns_key_ref ref;
                cr_assert(eq(int, ns_keys_find_dotted(name, &ref), 0), "%s", name);
                double got = ns_keys_get(&ref, &p, NULL);
                int lattice = strcmp(k->section, "array") == 0 &&
                              (strcmp(k->key, "density") == 0 || strcmp(k->key, "pitch") == 0) &&
                              (p.array.layout == NS_LAYOUT_SINGLE || p.array.layout == NS_LAYOUT_NONE);
                if (!lattice)
                    cr_expect(got == inside[e], "%s = %s: the case holds %.17g", name, v, got);
            } else if (getenv("NS_KEYWALK_DEBUG")) {
                fprintf(stderr, "inside refused: %s = %s: %s\n", name, v, ns_status_message());
            }
            /* beyond: refused, the key named in the message */
            if (integer && beyond[e] < 0.0) continue; /* not a count at all */
            text_of(k, beyond[e], v, sizeof v);
            walked++;
            int ok = check_value(name, v, &p);
            cr_expect(eq(int, ok, 0), "%s = %s beyond the range is accepted", name, v);
            if (!ok) {
                refused_beyond++;
                cr_expect(ne(ptr, (void *)strstr(ns_status_message(), name), NULL), "%s = %s: message '%s'",
                          name, v, ns_status_message());
            }
        }
        /* auto where the table allows it */
        if (k->flags & NS_KEY_AUTO) {
            ns_params p;
            walked++;
            if (check_value(name, "auto", &p)) {
                accepted++;
                cr_expect(ne(int, create_value(&p), NS_EINVAL), "%s = auto: run refuses: %s", name,
                          ns_status_message());
            }
        }
    }
    unlink(cfg_path);
    cr_log_info("walked %zu values: %zu accepted by check (and by the solvers), %zu beyond a "
                "range refused",
                walked, accepted, refused_beyond);
    /* the walk covers the table: about 60 numeric keys, most ends accepted */
    cr_assert(gt(sz, walked, 200), "walked %zu values", walked);
    cr_assert(gt(sz, accepted, 80), "accepted %zu values", accepted);
    cr_assert(gt(sz, refused_beyond, 100), "refused %zu values", refused_beyond);
}
