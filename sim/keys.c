/* The config key table (see keys.h). One line per key: extend by adding rows. */
#include "keys.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../models/drug.h"
#include "../models/needle.h"
#include "../models/skin.h"
#include "../models/units.h"

/* ---- the driver's rows; every other row is the model table ------------------ */

#define ROFF(m) offsetof(ns_run_settings, m)

/* Rows of [run] that belong to the driver (ns_run_settings), listed before
 * (head) and after (tail) the model table's [run] rows. */
static const ns_key run_head[] = {
    {.section = "run", .key = "name", .kind = NS_KIND_STRING, .target = NS_TARGET_RUN,
     .store = NS_STORE_TEXT, .offset = ROFF(name), .cap = sizeof(((ns_run_settings *)0)->name),
     .flags = NS_KEY_NOSWEEP, .def = NAN,
     .description = "run name; default: the config file name without .ini"},
    {.section = "run", .key = "output", .kind = NS_KIND_STRING, .target = NS_TARGET_RUN,
     .store = NS_STORE_TEXT, .offset = ROFF(output),
     .cap = sizeof(((ns_run_settings *)0)->output), .flags = NS_KEY_NOSWEEP, .def = NAN,
     .description = "output HDF5 file; default outputs/<name>.h5 (-o overrides)"},
};
static const ns_key run_tail[] = {
    {.section = "run", .key = "fields", .kind = NS_KIND_BOOL, .target = NS_TARGET_RUN,
     .store = NS_STORE_INT, .offset = ROFF(fields), .min = 0, .max = 1, .flags = NS_KEY_NOSWEEP,
     .def = 0, .description = "write concentration snapshots of the field cases"},
    {.section = "run", .key = "field_cases", .kind = NS_KIND_INDEX_LIST, .target = NS_TARGET_RUN,
     .store = NS_STORE_INDICES, .flags = NS_KEY_NOSWEEP, .def = NAN,
     .description = "case indices whose fields are written (comma list, at most 64)"},
};
#define N_HEAD (sizeof run_head / sizeof run_head[0])
#define N_TAIL (sizeof run_tail / sizeof run_tail[0])

/* Leading rows of the model table in [run]. */
static size_t model_run_rows(void)
{
    size_t n = 0;
    while (n < ns_param_count() && strcmp(ns_param_at(n)->section, "run") == 0) n++;
    return n;
}

static const char *const sections[] = {"run", "skin", "needle", "array", "applicator", "drug",
                                       "channel", "transport", "numerics", "insertion", "procedure", "sweep"};
#define N_SECTIONS (sizeof sections / sizeof sections[0])

static const char *const layer_names[NS_LAYER_MAX + 1] = {
    "stratum_corneum", "viable_epidermis", "dermis", "hypodermis", "membrane"};

size_t ns_keys_count(void) { return N_HEAD + N_TAIL + ns_param_count(); }

const ns_key *ns_keys_at(size_t i)
{
    size_t nr = model_run_rows();
    if (i < N_HEAD) return &run_head[i];
    i -= N_HEAD;
    if (i < nr) return ns_param_at(i);
    i -= nr;
    if (i < N_TAIL) return &run_tail[i];
    return ns_param_at(nr + i - N_TAIL);
}

const char *ns_keys_layer_name(size_t i) { return i <= NS_LAYER_MAX ? layer_names[i] : NULL; }

int ns_keys_section_known(const char *section)
{
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (strcmp(sections[i], section) == 0) return 1;
    return 0;
}

/* Levenshtein distance (ASCII). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 127) la = 127;
    if (lb > 127) lb = 127;
    size_t row[128];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = (a[i - 1] == b[j - 1]) ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *ns_keys_suggest_section(const char *section)
{
    const char *best = sections[0];
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < N_SECTIONS; i++) {
        size_t d = edit_distance(section, sections[i]);
        if (d < best_d) best_d = d, best = sections[i];
    }
    return best;
}

static void fill_name(ns_key_ref *r, const char *section, const char *layer, const char *key)
{
    if (layer)
        snprintf(r->name, sizeof r->name, "%s.%s.%s", section, layer, key);
    else
        snprintf(r->name, sizeof r->name, "%s.%s", section, key);
}

int ns_keys_find(const char *section, const char *key, ns_key_ref *out)
{
    const char *dot = strchr(key, '.');
    if (dot) {
        if (strcmp(section, "skin") != 0) return -1;
        size_t llen = (size_t)(dot - key);
        for (size_t l = 0; l <= NS_LAYER_MAX; l++) {
            if (strlen(layer_names[l]) != llen || strncmp(layer_names[l], key, llen) != 0)
                continue;
            for (size_t i = 0; i < ns_keys_count(); i++) {
                if (ns_keys_at(i)->target != NS_TARGET_LAYER || strcmp(ns_keys_at(i)->key, dot + 1) != 0)
                    continue;
                out->key = ns_keys_at(i);
                out->membrane = (l == NS_LAYER_MAX);
                out->layer = out->membrane ? 0 : (int)l;
                fill_name(out, section, layer_names[l], ns_keys_at(i)->key);
                return 0;
            }
            return -1;
        }
        return -1;
    }
    for (size_t i = 0; i < ns_keys_count(); i++) {
        if (ns_keys_at(i)->target == NS_TARGET_LAYER) continue;
        if (strcmp(ns_keys_at(i)->section, section) == 0 && strcmp(ns_keys_at(i)->key, key) == 0) {
            out->key = ns_keys_at(i);
            out->layer = -1;
            out->membrane = 0;
            fill_name(out, section, NULL, key);
            return 0;
        }
    }
    return -1;
}

int ns_keys_find_dotted(const char *dotted, ns_key_ref *out)
{
    const char *dot = strchr(dotted, '.');
    if (!dot) return -1;
    char section[32];
    size_t len = (size_t)(dot - dotted);
    if (len >= sizeof section) return -1;
    memcpy(section, dotted, len);
    section[len] = '\0';
    return ns_keys_find(section, dot + 1, out);
}

void ns_keys_suggest(const char *section, const char *key, char *buf, size_t n)
{
    size_t best_d = (size_t)-1;
    char cand[96];
    buf[0] = '\0';
    const char *dot = strchr(key, '.');
    int is_skin = strcmp(section, "skin") == 0;
    for (size_t i = 0; i < ns_keys_count(); i++) {
        const ns_key *k = ns_keys_at(i);
        if (strcmp(k->section, section) != 0) continue;
        if (k->target == NS_TARGET_LAYER) {
            if (!is_skin) continue;
            /* Compare against <layer>.<field> for every layer; keep the
             * user's layer when it is a valid one. */
            for (size_t l = 0; l <= NS_LAYER_MAX; l++) {
                snprintf(cand, sizeof cand, "%s.%s", layer_names[l], k->key);
                size_t d = edit_distance(key, cand);
                if (d < best_d) best_d = d, snprintf(buf, n, "%s", cand);
            }
        } else {
            size_t d = edit_distance(key, k->key);
            if (d < best_d) best_d = d, snprintf(buf, n, "%s", k->key);
        }
    }
    (void)dot;
    /* Only suggest when the names are reasonably close: at most a third of
     * the longer name differs (and at least 3 edits are tolerated). */
    size_t lk = strlen(key), lb = strlen(buf);
    size_t limit = (lk > lb ? lk : lb) / 3;
    if (limit < 3) limit = 3;
    if (best_d > limit) buf[0] = '\0';
}

char *ns_keys_enum_list(const ns_key *k, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    if (!k->enum_name) return buf;
    for (size_t i = 0;; i++) {
        const char *name = k->enum_name(i);
        if (!name) break;
        int w = snprintf(buf + len, n - len, "%s%s", i ? ", " : "", name);
        if (w < 0 || (size_t)w >= n - len) break;
        len += (size_t)w;
    }
    return buf;
}


char *ns_keys_range_text(const ns_key *k, char *buf, size_t n)
{
    char lo[48], hi[48];
    ns_units_format(k->min, k->kind, lo, sizeof lo);
    ns_units_format(k->max, k->kind, hi, sizeof hi);
    snprintf(buf, n, "%s%s, %s%s%s", (k->flags & NS_KEY_MIN_OPEN) ? "(" : "[", lo, hi,
             (k->flags & NS_KEY_MAX_OPEN) ? ")" : "]", (k->flags & NS_KEY_AUTO) ? " or auto" : "");
    return buf;
}

static int text_is(const char *text, const char *word)
{
    while (*text == ' ' || *text == '\t') text++;
    size_t lw = strlen(word);
    if (strncasecmp(text, word, lw) != 0) return 0;
    text += lw;
    while (*text == ' ' || *text == '\t') text++;
    return *text == '\0';
}

/* Trim blanks into a bounded copy. */
static void trim_copy(const char *in, char *out, size_t n)
{
    while (*in == ' ' || *in == '\t') in++;
    size_t len = strlen(in);
    while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t')) len--;
    if (len >= n) len = n - 1;
    memcpy(out, in, len);
    out[len] = '\0';
}

ns_status ns_keys_parse(const ns_key_ref *ref, const char *text, ns_key_value *out, char *err,
                        size_t err_len)
{
    const ns_key *k = ref->key;
    memset(out, 0, sizeof *out);
    switch (k->kind) {
    case NS_KIND_STRING:
    {
        /* the real limit of the field: longer text is an error, never cut */
        size_t cap = k->cap ? k->cap : sizeof out->text;
        const char *t = text;
        while (*t == ' ' || *t == '\t') t++;
        size_t len = strlen(t);
        while (len > 0 && (t[len - 1] == ' ' || t[len - 1] == '\t')) len--;
        if (len == 0) {
            snprintf(err, err_len, "empty value; expected a text");
            return NS_EINVAL;
        }
        if (len >= cap) {
            snprintf(err, err_len, "%zu characters; expected at most %zu", len, cap - 1);
            return NS_EINVAL;
        }
        trim_copy(text, out->text, cap);
        return NS_OK;
    }
    case NS_KIND_BOOL: {
        int b = 0;
        if (ns_units_bool(text, &b) != 0) {
            snprintf(err, err_len, "not a boolean; expected true, false, yes, no, 1 or 0");
            return NS_EINVAL;
        }
        out->x = b;
        return NS_OK;
    }
    case NS_KIND_ENUM: {
        char word[64];
        trim_copy(text, word, sizeof word);
        for (size_t i = 0; k->enum_name; i++) {
            const char *name = k->enum_name(i);
            if (!name) break;
            if (strcmp(name, word) == 0) {
                out->x = (double)i;
                snprintf(out->text, sizeof out->text, "%s", name);
                return NS_OK;
            }
        }
        char list[512];
        snprintf(err, err_len, "unknown value '%s'; allowed: %s", word,
                 ns_keys_enum_list(k, list, sizeof list));
        return NS_EINVAL;
    }
    case NS_KIND_INDEX_LIST: {
        char buf[1024];
        trim_copy(text, buf, sizeof buf);
        char *save = NULL;
        for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            double v = 0.0;
            while (*tok == ' ' || *tok == '\t') tok++;
            if (ns_units_number(tok, &v) != 0 || v < 0.0 || v != floor(v) || v > 1e15) {
                snprintf(err, err_len, "'%s' is not a case index (a non-negative integer)", tok);
                return NS_EINVAL;
            }
            if (out->n_list == sizeof out->list / sizeof out->list[0]) {
                snprintf(err, err_len, "too many indices (at most %zu)",
                         sizeof out->list / sizeof out->list[0]);
                return NS_EINVAL;
            }
            out->list[out->n_list++] = (size_t)v;
        }
        return NS_OK;
    }
    default:
        break;
    }
    if ((k->flags & NS_KEY_AUTO) && text_is(text, "auto")) {
        out->x = NAN;
        return NS_OK;
    }
    double v = 0.0;
    char why[400];
    char range[128];
    if (ns_units_parse(text, k->kind, &v, why, sizeof why) != NS_OK) {
        /* not a number (overflow, underflow, hexadecimal, a bad unit): the
         * range still tells what is wanted */
        snprintf(err, err_len, "%s; range %s", why, ns_keys_range_text(k, range, sizeof range));
        return NS_EINVAL;
    }
    if (!ns_param_in_range(k, v)) {
        snprintf(err, err_len, "expected %s", ns_keys_range_text(k, range, sizeof range));
        return NS_EINVAL;
    }
    out->x = v;
    return NS_OK;
}

static void *field_ptr(const ns_key_ref *ref, ns_params *p, ns_run_settings *rs)
{
    const ns_key *k = ref->key;
    switch (k->target) {
    case NS_TARGET_PARAMS:
        return (char *)p + k->offset;
    case NS_TARGET_LAYER:
        return (char *)&p->skin.layer[ref->layer] + k->offset;
    case NS_TARGET_RUN:
        return (char *)rs + k->offset;
    }
    return NULL;
}

static const void *cfield_ptr(const ns_key_ref *ref, const ns_params *p,
                             const ns_run_settings *rs)
{
    const ns_key *k = ref->key;
    switch (k->target) {
    case NS_TARGET_PARAMS:
        return (const char *)p + k->offset;
    case NS_TARGET_LAYER:
        return (const char *)&p->skin.layer[ref->layer] + k->offset;
    case NS_TARGET_RUN:
        return (const char *)rs + k->offset;
    }
    return NULL;
}

void ns_keys_apply(const ns_key_ref *ref, const ns_key_value *v, ns_params *p,
                   ns_run_settings *rs)
{
    const ns_key *k = ref->key;
    if (k->store == NS_STORE_INDICES) {
        if (!rs) return;
        memcpy(rs->field_cases, v->list, v->n_list * sizeof v->list[0]);
        rs->n_field_cases = v->n_list;
        return;
    }
    if (k->target == NS_TARGET_RUN && !rs) return;
    void *f = field_ptr(ref, p, rs);
    switch (k->store) {
    case NS_STORE_DOUBLE:
        *(double *)f = v->x;
        break;
    case NS_STORE_SIZE:
        *(size_t *)f = (size_t)v->x;
        break;
    case NS_STORE_INT:
        *(int *)f = (int)v->x;
        break;
    case NS_STORE_TEXT:
        snprintf((char *)f, k->cap, "%s", v->text);
        break;
    case NS_STORE_INDICES:
        break;
    }
}

double ns_keys_get(const ns_key_ref *ref, const ns_params *p, const ns_run_settings *rs)
{
    const ns_key *k = ref->key;
    if (k->target == NS_TARGET_RUN && !rs) return NAN;
    const void *f = cfield_ptr(ref, p, rs);
    switch (k->store) {
    case NS_STORE_DOUBLE:
        return *(const double *)f;
    case NS_STORE_SIZE:
        return (double)*(const size_t *)f;
    case NS_STORE_INT:
        return (double)*(const int *)f;
    case NS_STORE_TEXT:
        if (k->enum_name) {
            for (size_t i = 0;; i++) {
                const char *name = k->enum_name(i);
                if (!name) break;
                if (strcmp(name, (const char *)f) == 0) return (double)i;
            }
        }
        return NAN;
    case NS_STORE_INDICES:
        return NAN;
    }
    return NAN;
}

/* The shortest %g text that reads back as exactly x (at most 17 digits):
 * 0.001, not 0.001000000000000000020816681711721685. */
static void shortest_digits(double x, char *buf, size_t n)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, x);
        if (strtod(buf, NULL) != x) continue;
        /* %g writes 10 as "1e+01" at one digit: whole numbers below 1e17
         * keep their digits ("10", "20000") */
        const char *e = strchr(buf, 'e');
        int ex = e ? atoi(e + 1) : 0;
        if (e && ex >= prec && ex < 17) snprintf(buf, n, "%.*g", ex + 1, x);
        return;
    }
}

char *ns_keys_format(const ns_key_ref *ref, const ns_params *p, const ns_run_settings *rs,
                     int readable, char *buf, size_t n)
{
    const ns_key *k = ref->key;
    buf[0] = '\0';
    if (k->target == NS_TARGET_RUN && !rs) return buf;
    const void *f = cfield_ptr(ref, p, rs);
    if (k->store == NS_STORE_TEXT) {
        snprintf(buf, n, "%s", (const char *)f);
        return buf;
    }
    if (k->store == NS_STORE_INDICES) {
        size_t len = 0;
        for (size_t i = 0; i < rs->n_field_cases && len < n; i++) {
            int w = snprintf(buf + len, n - len, "%s%zu", i ? ", " : "", rs->field_cases[i]);
            if (w < 0) break;
            len += (size_t)w;
        }
        return buf;
    }
    double x = ns_keys_get(ref, p, rs);
    if (k->kind == NS_KIND_ENUM) {
        const char *name = k->enum_name ? k->enum_name((size_t)x) : NULL;
        snprintf(buf, n, "%s", name ? name : "?");
    } else if (k->kind == NS_KIND_BOOL) {
        snprintf(buf, n, "%s", x != 0.0 ? "true" : "false");
    } else if (isnan(x)) {
        snprintf(buf, n, "auto");
    } else if (readable) {
        ns_units_format(x, k->kind, buf, n);
    } else {
        char num[32];
        shortest_digits(x, num, sizeof num);
        if (ns_units_dimensional(k->kind))
            snprintf(buf, n, "%s %s", num, ns_units_si(k->kind));
        else
            snprintf(buf, n, "%s", num);
    }
    return buf;
}
