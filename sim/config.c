/* Config loading and validation: entries of the file and --set, the sweep,
 * the run settings, the resolved text and hash (see config.h; building one
 * case: config_case.c). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config_private.h"
#include "inifile.h"
#include "keys.h"
#include "sweep.h"

/* ---- a growable string -------------------------------------------------------- */

typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->oom) return;
    for (;;) {
        size_t room = b->cap - b->len;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if (b->s && (size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap ? 2 * b->cap : 1024) + (size_t)n + 1;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

/* Record the first error found while reading (by line order of discovery). */
static void parse_error(ns_config *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void parse_error(ns_config *c, int line, const char *fmt, ...)
{
    if (c->first_err[0] != '\0') return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->first_err, sizeof c->first_err, fmt, ap);
    va_end(ap);
    c->first_err_line = line;
}

/* Where an input came from: "FILE:LINE" or "--set TEXT". */
void config_where(const ns_config *c, const entry *e, char *buf, size_t n)
{
    if (e->set_index >= 0)
        snprintf(buf, n, "--set %s.%s=%s", e->section, e->key, e->value);
    else
        snprintf(buf, n, "%s:%d", c->path, e->line);
}

/* ---- reading the file (sim/inifile.c) ------------------------------------------------ */

typedef struct {
    ns_inifile *r;
    ns_config *c;
} handler_state;

static void on_read_error(void *user, int line, const char *msg)
{
    parse_error(((handler_state *)user)->c, line, "%s", msg);
}

/* Section names are checked as they are read, so that a section without keys is too. */
static void on_section(void *user, const char *name, int line)
{
    ns_config *c = ((handler_state *)user)->c;
    if (!ns_keys_section_known(name))
        parse_error(c, line, "%s:%d: unknown section [%s]; did you mean [%s]?", c->path, line,
                    name, ns_keys_suggest_section(name));
    else if (strcmp(name, "sweep") == 0 && c->sweep_header_line == 0)
        c->sweep_header_line = line;
}

/* Room for one more of n elements of `size` bytes in arr (capacity *cap,
 * doubled, `first` at the start): arr or its moved copy, NULL when out of
 * memory (arr is then untouched). */
static void *grow(void *arr, size_t *cap, size_t n, size_t size, size_t first)
{
    if (n < *cap) return arr;
    size_t want = *cap ? 2 * *cap : first;
    void *p = realloc(arr, want * size);
    if (p) *cap = want;
    return p;
}

static int add_entry(ns_config *c, const char *section, const char *key, const char *value,
                     int line, int set_index)
{
    entry *all = grow(c->e, &c->cap_e, c->n_e, sizeof *c->e, 32);
    if (!all) return -1;
    c->e = all;
    entry *e = &c->e[c->n_e];
    memset(e, 0, sizeof *e);
    snprintf(e->section, sizeof e->section, "%s", section);
    snprintf(e->key, sizeof e->key, "%s", key);
    e->value = strdup(value);
    e->line = line;
    e->set_index = set_index;
    if (!e->value) return -1;
    c->n_e++;
    return 0;
}

/* Append a [sweep] line (line < 0: from --set number -line - 1); -1 when out of memory. */
static int add_sweep_line(ns_config *c, const char *key, const char *value, int line)
{
    sweep_line *all = grow(c->sw, &c->cap_sw, c->n_sw, sizeof *c->sw, 16);
    if (!all) return -1;
    c->sw = all;
    sweep_line *s = &c->sw[c->n_sw];
    snprintf(s->key, sizeof s->key, "%s", key);
    s->value = strdup(value);
    s->line = line;
    if (!s->value) return -1;
    c->n_sw++;
    return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    handler_state *h = user;
    ns_config *c = h->c;
    int line = ns_inifile_line(h->r);
    if (section[0] == '\0') {
        parse_error(c, line, "%s:%d: key '%s' before any [section]", c->path, line, name);
        return 1;
    }
    if (!ns_keys_section_known(section)) return 1; /* reported by the reader */
    if (strcmp(section, "sweep") == 0) {
        for (size_t i = 0; i < c->n_sw; i++) {
            if (strcmp(c->sw[i].key, name) == 0) {
                parse_error(c, line, "%s:%d: duplicate key sweep.%s (first given on line %d)",
                            c->path, line, name, c->sw[i].line);
                return 1;
            }
        }
        return add_sweep_line(c, name, value, line) == 0;
    }
    for (size_t i = 0; i < c->n_e; i++) {
        if (strcmp(c->e[i].section, section) == 0 && strcmp(c->e[i].key, name) == 0) {
            parse_error(c, line, "%s:%d: duplicate key %s.%s (first set on line %d)", c->path,
                        line, section, name, c->e[i].line);
            return 1;
        }
    }
    return add_entry(c, section, name, value, line, -1) == 0;
}

/* ---- validating entries ---------------------------------------------------------------- */

static ns_status resolve_entry(ns_config *c, entry *e)
{
    char loc[512], err[1024];
    config_where(c, e, loc, sizeof loc);
    if (ns_keys_find(e->section, e->key, &e->ref) != 0) {
        char hint[128];
        ns_keys_suggest(e->section, e->key, hint, sizeof hint);
        if (hint[0])
            return ns_status_set_plain(NS_EINVAL, "%s: unknown key '%s' in [%s]; did you mean '%s'?",
                                       loc, e->key, e->section, hint);
        return ns_status_set_plain(NS_EINVAL,
                                   "%s: unknown key '%s' in [%s] (`needlesim keys` lists them)",
                                   loc, e->key, e->section);
    }
    e->val = malloc(sizeof *e->val);
    if (!e->val) return ns_status_set_plain(NS_ENOMEM, "out of memory");
    if (ns_keys_parse(&e->ref, e->value, e->val, err, sizeof err) != NS_OK)
        return ns_status_set_plain(NS_EINVAL, "%s: %s = %s: %s", loc, e->ref.name, e->value, err);
    return NS_OK;
}

static ns_status parse_set(ns_config *c, const char *set, size_t index)
{
    const char *eq = strchr(set, '=');
    const char *dot = strchr(set, '.');
    if (!eq || !dot || dot > eq)
        return ns_status_set_plain(NS_EINVAL,
                                   "--set %s: expected section.key=value, e.g. needle.length=500 um",
                                   set);
    char section[32], key[96];
    size_t ls = (size_t)(dot - set), lk = (size_t)(eq - dot - 1);
    while (ls > 0 && isspace((unsigned char)set[0])) set++, ls--;
    if (ls == 0 || ls >= sizeof section || lk == 0 || lk >= sizeof key)
        return ns_status_set_plain(NS_EINVAL, "--set %s: expected section.key=value", set);
    memcpy(section, set, ls);
    section[ls] = '\0';
    memcpy(key, dot + 1, lk);
    while (lk > 0 && isspace((unsigned char)key[lk - 1])) lk--;
    key[lk] = '\0';
    const char *value = eq + 1;
    while (isspace((unsigned char)*value)) value++;
    if (!ns_keys_section_known(section))
        return ns_status_set_plain(NS_EINVAL, "--set %s: unknown section [%s]; did you mean [%s]?",
                                   set, section, ns_keys_suggest_section(section));
    if (strcmp(section, "sweep") == 0) {
        if (strcmp(key, "mode") && strcmp(key, "samples") && strcmp(key, "seed"))
            return ns_status_set_plain(NS_EINVAL,
                                       "--set %s: only sweep.mode, sweep.samples and sweep.seed "
                                       "can be set; sweep axes belong in the file",
                                       set);
        for (size_t i = 0; i < c->n_sw; i++) {
            if (strcmp(c->sw[i].key, key) == 0) {
                char *v = strdup(value);
                if (!v) return ns_status_set_plain(NS_ENOMEM, "out of memory");
                free(c->sw[i].value);
                c->sw[i].value = v;
                c->sw[i].line = -(int)index - 1; /* from --set */
                return NS_OK;
            }
        }
        if (add_sweep_line(c, key, value, -(int)index - 1) != 0)
            return ns_status_set_plain(NS_ENOMEM, "out of memory");
        return NS_OK;
    }
    if (add_entry(c, section, key, value, 0, (int)index) != 0)
        return ns_status_set_plain(NS_ENOMEM, "out of memory");
    return resolve_entry(c, &c->e[c->n_e - 1]);
}

/* Location of a sweep line. */
static void sweep_where(const ns_config *c, const sweep_line *s, char *buf, size_t n)
{
    if (s->line < 0)
        snprintf(buf, n, "--set sweep.%s=%s", s->key, s->value);
    else
        snprintf(buf, n, "%s:%d", c->path, s->line);
}

/* The sweep lines that set the design: mode, samples, seed. *done = 0 when
 * s is none of them (an axis). */
static ns_status sweep_setting(ns_config *c, const sweep_line *s, const char *loc, int *done)
{
    double v = 0.0;
    *done = 1;
    if (strcmp(s->key, "mode") == 0) {
        char word[32];
        snprintf(word, sizeof word, "%s", s->value);
        if (ns_sweep_mode_parse(word, &c->mode) != 0)
            return ns_status_set_plain(NS_EINVAL,
                                       "%s: sweep.mode = %s: unknown mode; allowed: " NS_SWEEP_MODE_LIST,
                                       loc, s->value);
    } else if (strcmp(s->key, "samples") == 0) {
        if (ns_units_number(s->value, &v) != 0 || v < 1.0 || v != floor(v) ||
            v > (double)NS_CONFIG_MAX_CASES)
            return ns_status_set_plain(NS_EINVAL, "%s: sweep.samples = %s: expected an integer in [1, %llu]",
                                       loc, s->value, NS_CONFIG_MAX_CASES);
        c->samples = (size_t)v;
    } else if (strcmp(s->key, "seed") == 0) {
        if (ns_units_number(s->value, &v) != 0 || v < 0.0 || v != floor(v) || v > 4294967295.0)
            return ns_status_set_plain(NS_EINVAL,
                                       "%s: sweep.seed = %s: expected an integer in [0, 4294967295]", loc,
                                       s->value);
        c->seed = (unsigned long)v;
    } else {
        *done = 0;
    }
    return NS_OK;
}

/* The error for a sweep axis key that is not in the table, with the nearest
 * section or key. */
static ns_status unknown_axis(const char *loc, const char *key)
{
    const char *dot = strchr(key, '.');
    if (!dot)
        return ns_status_set_plain(NS_EINVAL,
                                   "%s: unknown sweep key '%s'; sweep lines are mode, samples, seed "
                                   "or section.key = values",
                                   loc, key);
    char section[32] = "";
    if ((size_t)(dot - key) < sizeof section) {
        memcpy(section, key, (size_t)(dot - key));
        section[dot - key] = '\0';
    }
    if (!ns_keys_section_known(section) || strcmp(section, "sweep") == 0)
        return ns_status_set_plain(NS_EINVAL,
                                   "%s: unknown sweep axis '%s': no section [%s]; did you mean [%s]?",
                                   loc, key, section, ns_keys_suggest_section(section));
    char hint[128];
    ns_keys_suggest(section, dot + 1, hint, sizeof hint);
    if (hint[0])
        return ns_status_set_plain(NS_EINVAL, "%s: unknown sweep axis '%s'; did you mean '%s.%s'?", loc,
                                   key, section, hint);
    return ns_status_set_plain(NS_EINVAL, "%s: unknown sweep axis '%s'", loc, key);
}

/* A sweep axis line: its key and values, and the line it came from. */
static ns_status sweep_axis(ns_config *c, const sweep_line *s, const char *loc)
{
    char err[1024];
    ns_key_ref ref;
    if (ns_keys_find_dotted(s->key, &ref) != 0) return unknown_axis(loc, s->key);
    ns_status st = ns_sweep_add_axis(c->sweep, &ref, s->value, err, sizeof err);
    if (st != NS_OK)
        return ns_status_set_plain(st, "%s: sweep %s = %s: %s", loc, ref.name, s->value, err);
    c->axis_line[ns_sweep_n_axes(c->sweep) - 1] = s->line;
    return NS_OK;
}

/* The design from the axes read: build the cases, placing an error at the
 * line that chose the design (mode, else the first axis, else [sweep]), and
 * describe each axis for the output. */
static ns_status sweep_design(ns_config *c, int have_mode, const sweep_line *design_line,
                              const sweep_line *samples_line)
{
    char loc[512], err[1024];
    if (!have_mode && ns_sweep_n_axes(c->sweep) > 0) c->mode = NS_SWEEP_GRID;
    if (samples_line && (c->mode == NS_SWEEP_GRID || c->mode == NS_SWEEP_ZIP)) {
        sweep_where(c, samples_line, loc, sizeof loc);
        return ns_status_set_plain(NS_EINVAL, "%s: samples is only used by " NS_SWEEP_SAMPLED_MODES ", not %s",
                                   loc, ns_sweep_mode_name(c->mode));
    }
    ns_status st = ns_sweep_build(c->sweep, c->mode, c->samples, c->seed, NS_CONFIG_MAX_CASES,
                                  err, sizeof err);
    if (st != NS_OK) {
        if (design_line)
            sweep_where(c, design_line, loc, sizeof loc);
        else
            snprintf(loc, sizeof loc, "%s:%d", c->path, c->sweep_header_line);
        return ns_status_set_plain(st, "%s: %s", loc, err);
    }
    if (ns_sweep_n_axes(c->sweep) == 0) {
        if (c->mode != NS_SWEEP_NONE && design_line) {
            sweep_where(c, design_line, loc, sizeof loc);
            return ns_status_set_plain(NS_EINVAL, "%s: sweep.mode = %s but [sweep] has no axes",
                                       loc, ns_sweep_mode_name(c->mode));
        }
        c->mode = NS_SWEEP_NONE;
    }
    for (size_t k = 0; k < ns_sweep_n_axes(c->sweep); k++) {
        const ns_key_ref *ref = ns_sweep_axis_key(c->sweep, k);
        int is_enum = ref->key->kind == NS_KIND_ENUM;
        c->axes[k].key = ref->name;
        c->axes[k].units = is_enum ? "" : ns_units_si(ref->key->kind);
        c->axes[k].description = ref->key->description;
        c->axes[k].is_enum = is_enum;
    }
    return NS_OK;
}

static ns_status build_sweep(ns_config *c)
{
    char loc[512];
    NS_TRY(ns_sweep_create(&c->sweep));
    c->mode = NS_SWEEP_NONE;
    c->seed = 0;
    int have_mode = 0;
    const sweep_line *design_line = NULL, *samples_line = NULL;
    for (size_t i = 0; i < c->n_sw; i++) {
        const sweep_line *s = &c->sw[i];
        int setting;
        sweep_where(c, s, loc, sizeof loc);
        ns_status st = sweep_setting(c, s, loc, &setting);
        if (st == NS_OK && !setting) st = sweep_axis(c, s, loc);
        if (st != NS_OK) return st;
        if (strcmp(s->key, "mode") == 0) {
            have_mode = 1;
            design_line = s;
        } else if (strcmp(s->key, "samples") == 0) {
            samples_line = s;
        } else if (!setting && !design_line) {
            design_line = s;
        }
    }
    return sweep_design(c, have_mode, design_line, samples_line);
}

/* ---- resolved text and hash ------------------------------------------------------------- */

static const char *const text_sections[] = {"run", "skin", "needle", "array", "applicator",
                                            "drug", "channel", "transport", "numerics",
                                            "insertion", "procedure"};

static ns_status build_text(ns_config *c)
{
    ns_params *p = malloc(sizeof *p);
    if (!p) return ns_status_set_plain(NS_ENOMEM, "out of memory");
    ns_status st = ns_config_case(c, 0, p);
    if (st != NS_OK) {
        free(p);
        return st;
    }
    sbuf b = {0};
    size_t skip_from = 0, skip_to = 0;
    sb_printf(&b, "# needlesim resolved configuration: case 0 in SI units; [sweep] as given\n");
    char val[4200];
    for (size_t s = 0; s < sizeof text_sections / sizeof text_sections[0]; s++) {
        const char *sec = text_sections[s];
        sb_printf(&b, "[%s]\n", sec);
        for (size_t i = 0; i < ns_keys_count(); i++) {
            const ns_key *k = ns_keys_at(i);
            if (strcmp(k->section, sec) != 0) continue;
            ns_key_ref r = {.key = k, .layer = -1, .membrane = 0};
            if (k->target == NS_TARGET_LAYER) continue;
            snprintf(r.name, sizeof r.name, "%s.%s", sec, k->key);
            ns_keys_format(&r, p, &c->run, 0, val, sizeof val);
            if (strcmp(k->key, "output") == 0 && strcmp(sec, "run") == 0) skip_from = b.len;
            sb_printf(&b, "%s = %s\n", k->key, val);
            if (strcmp(k->key, "output") == 0 && strcmp(sec, "run") == 0) skip_to = b.len;
        }
        if (strcmp(sec, "skin") == 0) {
            for (size_t l = 0; l < p->skin.n_layers; l++) {
                const char *lname = p->skin.membrane ? "membrane" : ns_keys_layer_name(l);
                for (size_t i = 0; i < ns_keys_count(); i++) {
                    const ns_key *k = ns_keys_at(i);
                    if (k->target != NS_TARGET_LAYER) continue;
                    ns_key_ref r = {.key = k, .layer = (int)l, .membrane = p->skin.membrane};
                    ns_keys_format(&r, p, NULL, 0, val, sizeof val);
                    sb_printf(&b, "%s.%s = %s\n", lname, k->key, val);
                }
            }
        }
    }
    sb_printf(&b, "[sweep]\n");
    if (c->mode != NS_SWEEP_NONE) sb_printf(&b, "mode = %s\n", ns_sweep_mode_name(c->mode));
    if (c->samples) sb_printf(&b, "samples = %zu\n", c->samples);
    sb_printf(&b, "seed = %lu\n", c->seed);
    for (size_t i = 0; i < c->n_sw; i++) {
        const sweep_line *s = &c->sw[i];
        if (!strcmp(s->key, "mode") || !strcmp(s->key, "samples") || !strcmp(s->key, "seed"))
            continue;
        sb_printf(&b, "%s = %s\n", s->key, s->value);
    }
    free(p);
    if (b.oom || !b.s) {
        free(b.s);
        return ns_status_set_plain(NS_ENOMEM, "out of memory");
    }
    /* FNV-1a 64-bit over the text without the run.output line. */
    unsigned long long h = 14695981039346656037ULL;
    for (size_t i = 0; i < b.len; i++) {
        if (i >= skip_from && i < skip_to) continue;
        h ^= (unsigned char)b.s[i];
        h *= 1099511628211ULL;
    }
    c->text = b.s;
    c->hash = h;
    return NS_OK;
}

/* ---- load -------------------------------------------------------------------------------- */

/* A --set of a key that a sweep axis sets would be overridden by the axis in
 * every case: refuse it instead of dropping it silently. */
static ns_status check_set_not_swept(const ns_config *c)
{
    for (size_t j = 0; j < c->n_e; j++) {
        const entry *e = &c->e[j];
        if (e->set_index < 0) continue;
        for (size_t k = 0; c->sweep && k < ns_sweep_n_axes(c->sweep); k++)
            if (strcmp(ns_sweep_axis_key(c->sweep, k)->name, e->ref.name) == 0)
                return ns_status_set_plain(NS_EINVAL,
                                           "--set %s.%s=%s: %s is a sweep axis (%s:%d), which "
                                           "sets it in every case; change the axis in [sweep] "
                                           "instead",
                                           e->section, e->key, e->value, e->ref.name, c->path,
                                           c->axis_line[k]);
    }
    return NS_OK;
}

static ns_status run_settings(ns_config *c)
{
    ns_run_settings *rs = &c->run;
    const char *base = strrchr(c->path, '/');
    base = base ? base + 1 : c->path;
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".ini") == 0) len -= 4;
    size_t base_len = len;
    if (len >= sizeof rs->name) len = sizeof rs->name - 1;
    memcpy(rs->name, base, len);
    rs->name[len] = '\0';
    rs->field_cases[0] = 0;
    rs->n_field_cases = 1;
    int name_set = 0;
    for (size_t j = 0; j < c->n_e; j++)
        if (c->e[j].ref.key->target == NS_TARGET_RUN) {
            ns_keys_apply(&c->e[j].ref, c->e[j].val, NULL, rs);
            if (strcmp(c->e[j].ref.name, "run.name") == 0) name_set = 1;
        }
    if (!name_set && base_len >= sizeof rs->name)
        return ns_status_set_plain(NS_EINVAL,
                                   "%s: run.name = %.*s (the config file name): %zu characters; "
                                   "expected at most %zu (set run.name)",
                                   c->path, (int)base_len, base, base_len, sizeof rs->name - 1);
    if (rs->output[0] == '\0') snprintf(rs->output, sizeof rs->output, "outputs/%.63s.h5", rs->name);
    size_t n = ns_config_n_cases(c);
    for (size_t i = 0; i < rs->n_field_cases; i++) {
        if (rs->field_cases[i] >= n) {
            char loc[512] = "";
            for (size_t j = 0; j < c->n_e; j++)
                if (strcmp(c->e[j].ref.name, "run.field_cases") == 0) config_where(c, &c->e[j], loc, sizeof loc);
            return ns_status_set_plain(NS_EINVAL,
                                       "%s: run.field_cases: case %zu does not exist (the run has %zu "
                                       "cases, 0 to %zu)",
                                       loc[0] ? loc : c->path, rs->field_cases[i], n, n - 1);
        }
    }
    ns_params *p = malloc(sizeof *p);
    if (!p) return ns_status_set_plain(NS_ENOMEM, "out of memory");
    ns_status st = ns_config_case(c, 0, p);
    if (st == NS_OK) {
        rs->duration = p->transport.duration;
        rs->output_times = p->transport.output_times;
        rs->curve_points = p->numerics.curve_points;
    }
    free(p);
    rs->sweep_mode = ns_sweep_mode_name(c->mode);
    rs->seed = c->seed;
    return st;
}

ns_status ns_config_load(const char *path, const char *const *sets, size_t n_sets,
                         ns_config **out)
{
    *out = NULL;
    ns_status_clear();
    ns_config *c = calloc(1, sizeof *c);
    if (!c) return ns_status_set_plain(NS_ENOMEM, "out of memory");
    ns_status st = NS_OK;
    c->path = strdup(path);
    ns_inifile *f = NULL;
    if (!c->path) {
        st = ns_status_set_plain(NS_ENOMEM, "out of memory");
        goto fail;
    }
    if ((st = ns_inifile_open(path, &f)) != NS_OK) goto fail;
    handler_state h = {.r = f, .c = c};
    int rc = ns_inifile_parse(f, handler, on_section, on_read_error, &h);
    ns_inifile_close(&f);
    if (rc > 0 && (c->first_err[0] == '\0' || rc < c->first_err_line)) {
        st = ns_status_set_plain(NS_EINVAL,
                                 "%s:%d: syntax error: expected 'key = value', '[section]' or a "
                                 "comment",
                                 path, rc);
        goto fail;
    }
    if (c->first_err[0]) {
        st = ns_status_set_plain(NS_EINVAL, "%s", c->first_err);
        goto fail;
    }
    if (rc != 0) {
        st = ns_status_set_plain(NS_EINVAL, "%s: cannot parse the file (inih error %d)", path, rc);
        goto fail;
    }
    for (size_t j = 0; j < c->n_e; j++)
        if ((st = resolve_entry(c, &c->e[j])) != NS_OK) goto fail;
    for (size_t s = 0; s < n_sets; s++)
        if ((st = parse_set(c, sets[s], s)) != NS_OK) goto fail;
    if ((st = build_sweep(c)) != NS_OK) goto fail;
    if ((st = check_set_not_swept(c)) != NS_OK) goto fail;
    if ((st = run_settings(c)) != NS_OK) goto fail;
    /* Every case must be valid: an invalid combination is an input error. */
    {
        ns_params *p = malloc(sizeof *p);
        if (!p) {
            st = ns_status_set_plain(NS_ENOMEM, "out of memory");
            goto fail;
        }
        size_t n = ns_config_n_cases(c);
        for (size_t i = 0; i < n && st == NS_OK; i++) st = ns_config_case(c, i, p);
        free(p);
        if (st != NS_OK) goto fail;
    }
    if ((st = build_text(c)) != NS_OK) goto fail;
    *out = c;
    return NS_OK;
fail:
    ns_config_destroy(&c);
    return st;
}

void ns_config_destroy(ns_config **cp)
{
    if (!cp || !*cp) return;
    ns_config *c = *cp;
    for (size_t j = 0; j < c->n_e; j++) {
        free(c->e[j].value);
        free(c->e[j].val);
    }
    free(c->e);
    for (size_t i = 0; i < c->n_sw; i++) free(c->sw[i].value);
    free(c->sw);
    ns_sweep_destroy(&c->sweep);
    free(c->text);
    free(c->path);
    free(c);
    *cp = NULL;
}

size_t ns_config_n_cases(const ns_config *c) { return c->sweep ? ns_sweep_n_cases(c->sweep) : 1; }

size_t ns_config_n_axes(const ns_config *c) { return c->sweep ? ns_sweep_n_axes(c->sweep) : 0; }

const ns_axis_info *ns_config_axis(const ns_config *c, size_t k)
{
    return k < ns_config_n_axes(c) ? &c->axes[k] : NULL;
}

double ns_config_axis_value(const ns_config *c, size_t k, size_t i)
{
    if (k >= ns_config_n_axes(c) || i >= ns_config_n_cases(c)) return NAN;
    return ns_sweep_value(c->sweep, k, i);
}

const char *ns_config_axis_label(const ns_config *c, size_t k, size_t i)
{
    if (k >= ns_config_n_axes(c) || i >= ns_config_n_cases(c)) return NULL;
    return ns_sweep_label(c->sweep, k, i);
}

const char *ns_config_text(const ns_config *c) { return c->text; }

unsigned long long ns_config_hash(const ns_config *c) { return c->hash; }

const ns_run_settings *ns_config_run(const ns_config *c) { return &c->run; }

