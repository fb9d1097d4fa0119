/* Building one case of a config (ns_config_case): defaults, presets, file
 * keys and --set in order, the case's axis values, derivation and the whole
 * case check; a failure is placed at the inputs that set the keys it names. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../models/defaults.h"
#include "../models/drug.h"
#include "../models/needle.h"
#include "../models/procedure.h"
#include "../models/skin.h"
#include "config_private.h"
#include "quantity.h"

/* Strip "file:line func(): " and traceback lines from a model message. */
static void plain_message(const char *msg, char *out, size_t n)
{
    const char *p = strstr(msg, "(): ");
    const char *nl = strchr(msg, '\n');
    if (p && (!nl || p < nl)) msg = p + 4;
    size_t len = strcspn(msg, "\n");
    if (len >= n) len = n - 1;
    memcpy(out, msg, len);
    out[len] = '\0';
}

/* Append to loc (", "-separated) where key `name` (dotted) was set, by kind:
 * 0 a --set, 1 a sweep axis, 2 the last file line. 1 if found. */
static int where_key(const ns_config *c, const char *name, int kind, char *loc, size_t n)
{
    char here[512] = "";
    if (kind == 1) {
        for (size_t k = 0; c->sweep && k < ns_sweep_n_axes(c->sweep); k++)
            if (strcmp(ns_sweep_axis_key(c->sweep, k)->name, name) == 0)
                snprintf(here, sizeof here, "%s:%d", c->path, c->axis_line[k]);
    } else {
        for (size_t j = c->n_e; j-- > 0 && !here[0];)
            if (strcmp(c->e[j].ref.name, name) == 0 && (c->e[j].set_index >= 0) == (kind == 0))
                config_where(c, &c->e[j], here, sizeof here);
    }
    if (!here[0] || strstr(loc, here)) return here[0] != '\0';
    size_t len = strlen(loc);
    snprintf(loc + len, n - len, "%s%s", len ? ", " : "", here);
    return 1;
}

/* Place a model's failure at the inputs that caused it, from the keys the
 * model recorded beside its message (ns_status_key; the message text is not
 * read): every --set of those keys, then the sweep axes, then the file lines
 * (a file line only if no --set or axis of the same key); if the config sets
 * none of them, the preset line of the first key's section (the value came
 * from the preset), else the file. */
static void locate_failure(const ns_config *c, char *loc, size_t n)
{
    size_t nk = ns_status_n_keys();
    loc[0] = '\0';
    for (int kind = 0; kind < 3; kind++)
        for (size_t i = 0; i < nk; i++) {
            const char *key = ns_status_key(i);
            if (kind == 2 && (where_key(c, key, 0, loc, n) || where_key(c, key, 1, loc, n)))
                continue;
            where_key(c, key, kind, loc, n);
        }
    if (loc[0]) return;
    for (size_t i = 0; i < nk; i++) {
        char preset[NS_STATUS_KEY_LEN];
        const char *key = ns_status_key(i);
        size_t ls = strcspn(key, ".");
        snprintf(preset, sizeof preset, "%.*s.preset", (int)ls, key);
        if (where_key(c, preset, 0, loc, n) || where_key(c, preset, 1, loc, n) ||
            where_key(c, preset, 2, loc, n))
            return;
    }
    snprintf(loc, n, "%s", c->path);
}

/* The preset name of section sec for case i ("" if never set). */
static const char *preset_for(const ns_config *c, const char *sec, size_t i)
{
    const char *name = "";
    for (size_t j = 0; j < c->n_e; j++)
        if ((c->e[j].ref.key->flags & NS_KEY_PRESET) && strcmp(c->e[j].section, sec) == 0)
            name = c->e[j].val->text;
    if (c->sweep) {
        for (size_t k = 0; k < ns_sweep_n_axes(c->sweep); k++) {
            const ns_key_ref *r = ns_sweep_axis_key(c->sweep, k);
            if ((r->key->flags & NS_KEY_PRESET) && strcmp(r->key->section, sec) == 0) {
                const char *l = ns_sweep_label(c->sweep, k, i);
                if (l) name = l;
            }
        }
    }
    return name;
}

/* Describe case i's axis values: "needle.length = 500 um, applicator.mode = impact". */
static void case_label(const ns_config *c, size_t i, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t k = 0; c->sweep && k < ns_sweep_n_axes(c->sweep) && len < n; k++) {
        const ns_key_ref *r = ns_sweep_axis_key(c->sweep, k);
        char v[64];
        const char *l = ns_sweep_label(c->sweep, k, i);
        if (l)
            snprintf(v, sizeof v, "%s", l);
        else
            ns_units_format(ns_sweep_value(c->sweep, k, i), r->key->kind, v, sizeof v);
        int w = snprintf(buf + len, n - len, "%s%s = %s", k ? ", " : "", r->name, v);
        if (w < 0) break;
        len += (size_t)w;
    }
}

/* Layer key valid for this stack? */
static int layer_ok(const ns_key_ref *r, const ns_params *p, char *err, size_t n)
{
    if (r->layer < 0) return 1;
    if (r->membrane && !p->skin.membrane) {
        snprintf(err, n, "%s: layer 'membrane' exists only with skin.preset = membrane (preset is '%s')",
                 r->name, p->skin.preset);
        return 0;
    }
    if (!r->membrane && p->skin.membrane) {
        snprintf(err, n, "%s: the membrane skin has only the layer 'membrane'", r->name);
        return 0;
    }
    if ((size_t)r->layer >= p->skin.n_layers) {
        snprintf(err, n, "%s: the skin stack has %zu layers", r->name, p->skin.n_layers);
        return 0;
    }
    return 1;
}

static ns_status case_prefix_fail(const ns_config *c, size_t i, const char *loc, const char *msg)
{
    size_t n = ns_config_n_cases(c);
    if (n > 1) {
        char lab[1024];
        case_label(c, i, lab, sizeof lab);
        return ns_status_set_plain(NS_EINVAL, "%s: case %zu of %zu (%s): %s", loc, i, n, lab, msg);
    }
    return ns_status_set_plain(NS_EINVAL, "%s: %s", loc, msg);
}

/* 1 if the user set key `name` (a file line, a --set or a sweep axis). */
static int user_set(const ns_config *c, const char *name)
{
    for (size_t j = 0; j < c->n_e; j++)
        if (strcmp(c->e[j].ref.name, name) == 0) return 1;
    for (size_t k = 0; c->sweep && k < ns_sweep_n_axes(c->sweep); k++)
        if (strcmp(ns_sweep_axis_key(c->sweep, k)->name, name) == 0) return 1;
    return 0;
}

/* The default tip angle of a cone follows from the needle: a preset's angle
 * is kept while its tapered tip fits the protrusion length; a needle shorter
 * than that taper is ground to a full cone from the base to the tip radius,
 * and the angle is derived from length and base (ns_needle_derive). An angle
 * the user set is never changed (a taper longer than the needle stays an
 * error). A bevel has no such default. */
static void default_tip_angle(const ns_config *c, ns_needle_params *nd)
{
    if (nd->shape == NS_SHAPE_BEVELLED || isnan(nd->tip_angle) || user_set(c, "needle.tip_angle"))
        return;
    if (!(ns_needle_tip_length(nd) <= nd->length)) nd->tip_angle = NAN;
}

ns_status ns_config_case(const ns_config *c, size_t i, ns_params *out)
{
    char err[1024], loc[512];
    if (!c || !out || i >= ns_config_n_cases(c))
        return ns_status_set_plain(NS_EINVAL, "case index %zu out of range [0, %zu)", i,
                                   c ? ns_config_n_cases(c) : 0);
    ns_params_default(out);
    /* 1. presets, before every other key: the device first (it fills a
     * needle that an explicit needle.preset replaces) */
    const char *dv = preset_for(c, "procedure", i);
    if (dv[0] && ns_proc_preset(dv, out) != NS_OK)
        return ns_status_set_plain(NS_EINVAL, "%s: procedure.preset = %s: unknown preset", c->path, dv);
    const char *sp = preset_for(c, "skin", i), *np = preset_for(c, "needle", i),
               *dp = preset_for(c, "drug", i);
    if (sp[0] && ns_skin_preset(sp, &out->skin) != NS_OK)
        return ns_status_set_plain(NS_EINVAL, "%s: skin.preset = %s: unknown preset", c->path, sp);
    if (np[0] && ns_needle_preset(np, &out->needle) != NS_OK)
        return ns_status_set_plain(NS_EINVAL, "%s: needle.preset = %s: unknown preset", c->path, np);
    if (dp[0] && ns_drug_preset(dp, &out->drug) != NS_OK)
        return ns_status_set_plain(NS_EINVAL, "%s: drug.preset = %s: unknown preset", c->path, dp);
    /* 2. explicit keys of the file, then --set, in order */
    for (size_t j = 0; j < c->n_e; j++) {
        const entry *e = &c->e[j];
        if (e->ref.key->flags & NS_KEY_PRESET) continue;
        if (!layer_ok(&e->ref, out, err, sizeof err)) {
            config_where(c, e, loc, sizeof loc);
            return case_prefix_fail(c, i, loc, err);
        }
        ns_keys_apply(&e->ref, e->val, out, NULL);
    }
    /* 3. the case's axis values */
    ns_key_value *v = malloc(sizeof *v);
    if (!v) return ns_status_set_plain(NS_ENOMEM, "out of memory");
    for (size_t k = 0; c->sweep && k < ns_sweep_n_axes(c->sweep); k++) {
        const ns_key_ref *r = ns_sweep_axis_key(c->sweep, k);
        if (r->key->flags & NS_KEY_PRESET) continue;
        if (!layer_ok(r, out, err, sizeof err)) {
            free(v);
            snprintf(loc, sizeof loc, "%s:%d", c->path, c->axis_line[k]);
            return case_prefix_fail(c, i, loc, err);
        }
        ns_sweep_key_value(c->sweep, k, i, v);
        ns_keys_apply(r, v, out, NULL);
    }
    free(v);
    default_tip_angle(c, &out->needle);
    /* 4. derive and check */
    ns_status st = ns_params_derive(out);
    if (st == NS_OK) st = ns_params_check(out);
    if (st == NS_OK) return NS_OK;
    char msg[1024];
    plain_message(ns_status_message(), msg, sizeof msg);
    locate_failure(c, loc, sizeof loc);
    return case_prefix_fail(c, i, loc, msg);
}

