/* Value + unit parsing and formatting (see quantity.h). */
#include "quantity.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../models/units.h"

/* One accepted unit: value_SI = value * factor + offset. `show` marks the
 * units ns_units_format may choose, smallest first within a kind. */
typedef struct {
    ns_unit_kind kind;
    const char *name;
    double factor;
    double offset;
    int show;
} unit_row;

/* 0 degC in kelvin (definition of the Celsius scale). */
#define CELSIUS_ZERO 273.15

static const unit_row units[] = {
    {NS_KIND_LENGTH, "nm", NS_NM, 0, 0},
    {NS_KIND_LENGTH, "um", NS_UM, 0, 1},
    {NS_KIND_LENGTH, "mm", NS_MM, 0, 1},
    {NS_KIND_LENGTH, "cm", NS_CM, 0, 0},
    {NS_KIND_LENGTH, "m", NS_M, 0, 1},
    {NS_KIND_FORCE, "uN", 1e-6, 0, 1},
    {NS_KIND_FORCE, "mN", NS_MN, 0, 1},
    {NS_KIND_FORCE, "N", NS_N, 0, 1},
    {NS_KIND_PRESSURE, "Pa", NS_PA, 0, 1},
    {NS_KIND_PRESSURE, "kPa", NS_KPA, 0, 1},
    {NS_KIND_PRESSURE, "MPa", NS_MPA, 0, 1},
    {NS_KIND_PRESSURE, "GPa", NS_GPA, 0, 1},
    {NS_KIND_TOUGHNESS, "J/m2", 1.0, 0, 1},
    {NS_KIND_TOUGHNESS, "kJ/m2", 1.0e3, 0, 1},
    {NS_KIND_TOUGHNESS, "N/m", 1.0, 0, 0},
    {NS_KIND_SPEED, "um/s", NS_UM, 0, 1},
    {NS_KIND_SPEED, "mm/s", NS_MM, 0, 1},
    {NS_KIND_SPEED, "cm/s", NS_CM, 0, 0},
    {NS_KIND_SPEED, "m/s", NS_M, 0, 1},
    {NS_KIND_TIME, "us", 1e-6, 0, 0},
    {NS_KIND_TIME, "ms", NS_MS, 0, 1},
    {NS_KIND_TIME, "s", NS_S, 0, 1},
    {NS_KIND_TIME, "min", NS_MIN, 0, 1},
    {NS_KIND_TIME, "h", NS_HOUR, 0, 1},
    {NS_KIND_TIME, "hours", NS_HOUR, 0, 0},
    {NS_KIND_TIME, "d", NS_DAY, 0, 1},
    {NS_KIND_TIME, "days", NS_DAY, 0, 0},
    {NS_KIND_TIME, "yr", 365.25 * NS_DAY, 0, 0},
    {NS_KIND_TIME, "years", 365.25 * NS_DAY, 0, 0},
    {NS_KIND_AREAL_DENSITY, "/m2", 1.0, 0, 0},
    {NS_KIND_AREAL_DENSITY, "1/m2", 1.0, 0, 0},
    {NS_KIND_AREAL_DENSITY, "/cm2", 1.0 / NS_CM2, 0, 1},
    {NS_KIND_AREAL_DENSITY, "1/cm2", 1.0 / NS_CM2, 0, 0},
    {NS_KIND_AREAL_DENSITY, "/mm2", 1.0 / NS_MM2, 0, 0},
    {NS_KIND_AREAL_DENSITY, "1/mm2", 1.0 / NS_MM2, 0, 0},
    {NS_KIND_MASS, "ng", 1e-12, 0, 0},
    {NS_KIND_MASS, "ug", NS_UG, 0, 1},
    {NS_KIND_MASS, "mg", NS_MG, 0, 1},
    {NS_KIND_MASS, "g", NS_G, 0, 1},
    {NS_KIND_MASS, "kg", NS_KG, 0, 1},
    {NS_KIND_CONCENTRATION, "ug/mL", NS_UG / 1e-6, 0, 0},
    {NS_KIND_CONCENTRATION, "mg/mL", NS_MG_PER_ML, 0, 1},
    {NS_KIND_CONCENTRATION, "mg/L", NS_MG / 1e-3, 0, 0},
    {NS_KIND_CONCENTRATION, "g/L", NS_G / 1e-3, 0, 0},
    {NS_KIND_CONCENTRATION, "kg/m3", 1.0, 0, 0},
    {NS_KIND_DIFFUSIVITY, "m2/s", 1.0, 0, 1},
    {NS_KIND_DIFFUSIVITY, "cm2/s", NS_CM2_PER_S, 0, 0},
    {NS_KIND_DIFFUSIVITY, "um2/s", 1e-12, 0, 0},
    {NS_KIND_FREQUENCY, "Hz", 1.0, 0, 1},
    {NS_KIND_FREQUENCY, "kHz", 1.0e3, 0, 0},
    {NS_KIND_FREQUENCY, "1/s", 1.0, 0, 0},
    {NS_KIND_RATE, "1/s", 1.0, 0, 1},
    {NS_KIND_RATE, "/s", 1.0, 0, 0},
    {NS_KIND_RATE, "1/min", 1.0 / NS_MIN, 0, 0},
    {NS_KIND_RATE, "/min", 1.0 / NS_MIN, 0, 0},
    {NS_KIND_RATE, "1/h", 1.0 / NS_HOUR, 0, 0},
    {NS_KIND_RATE, "/h", 1.0 / NS_HOUR, 0, 0},
    {NS_KIND_RATE, "1/d", 1.0 / NS_DAY, 0, 0},
    {NS_KIND_RATE, "/d", 1.0 / NS_DAY, 0, 0},
    {NS_KIND_TENSION, "N/m", 1.0, 0, 1},
    {NS_KIND_TENSION, "mN/m", 1.0e-3, 0, 0},
    {NS_KIND_STIFFNESS, "N/m3", 1.0, 0, 1},
    {NS_KIND_STIFFNESS, "MN/m3", 1.0e6, 0, 0},
    {NS_KIND_STIFFNESS, "GN/m3", 1.0e9, 0, 0},
    {NS_KIND_STIFFNESS, "kPa/mm", NS_KPA / NS_MM, 0, 0},
    {NS_KIND_ANGLE, "deg", NS_DEG, 0, 1},
    {NS_KIND_ANGLE, "rad", 1.0, 0, 0},
    {NS_KIND_MOLAR_MASS, "g/mol", NS_G_PER_MOL, 0, 1},
    {NS_KIND_MOLAR_MASS, "Da", NS_G_PER_MOL, 0, 0},
    {NS_KIND_MOLAR_MASS, "kDa", 1.0e3 * NS_G_PER_MOL, 0, 0},
    {NS_KIND_MOLAR_MASS, "kg/mol", 1.0, 0, 0},
    {NS_KIND_MASS_DENSITY, "g/cm3", NS_G / 1e-6, 0, 1},
    {NS_KIND_MASS_DENSITY, "kg/m3", 1.0, 0, 0},
    {NS_KIND_MASS_DENSITY, "g/mL", NS_G / 1e-6, 0, 0},
    {NS_KIND_TEMPERATURE, "K", 1.0, 0, 1},
    {NS_KIND_TEMPERATURE, "degC", 1.0, CELSIUS_ZERO, 0},
    {NS_KIND_TEMPERATURE, "C", 1.0, CELSIUS_ZERO, 0},
    {NS_KIND_AREA, "mm2", NS_MM2, 0, 1},
    {NS_KIND_AREA, "cm2", NS_CM2, 0, 1},
    {NS_KIND_AREA, "m2", 1.0, 0, 1},
    {NS_KIND_AREAL_MASS, "ng/cm2", 1e-12 / NS_CM2, 0, 1},
    {NS_KIND_AREAL_MASS, "ug/cm2", NS_UG / NS_CM2, 0, 1},
    {NS_KIND_AREAL_MASS, "mg/cm2", NS_MG / NS_CM2, 0, 1},
    {NS_KIND_AREAL_MASS, "g/m2", NS_G, 0, 0},
    {NS_KIND_AREAL_MASS, "kg/m2", 1.0, 0, 1},
    {NS_KIND_VISCOSITY, "mPa.s", 1e-3, 0, 1},
    {NS_KIND_VISCOSITY, "Pa.s", 1.0, 0, 1},
};
#define N_UNITS (sizeof units / sizeof units[0])

static const char *const kind_names[NS_KIND_N] = {
    "a length", "a force", "a pressure", "a toughness (energy per area)", "a speed", "a time",
    "an areal density", "a mass", "a concentration", "a diffusivity", "a frequency", "a rate",
    "a tension (force per length)", "a stiffness per area (N/m3)", "an angle", "a molar mass",
    "a mass density", "a temperature", "a plain number", "a non-negative integer",
    "a boolean (true/false)", "a name", "a text", "a list of integers", "an area",
    "an areal mass (mass per area)", "a viscosity"};

/* Example unit used in "expected a length such as 500 um". */
static const char *const example_unit[NS_KIND_N] = {
    "um", "N", "kPa", "J/m2", "mm/s", "s", "/cm2", "mg", "mg/mL", "m2/s", "Hz", "1/s", "N/m",
    "N/m3", "deg", "g/mol", "g/cm3", "K", "", "", "", "", "", "", "cm2", "ng/cm2", "Pa.s"};

int ns_units_dimensional(ns_unit_kind kind)
{
    return kind <= NS_KIND_TEMPERATURE || kind == NS_KIND_AREA || kind == NS_KIND_AREAL_MASS ||
           kind == NS_KIND_VISCOSITY;
}

const char *ns_units_kind_name(ns_unit_kind kind)
{
    return (kind >= 0 && kind < NS_KIND_N) ? kind_names[kind] : "an unknown kind";
}

const char *ns_units_si(ns_unit_kind kind)
{
    return ns_param_si_unit(kind);
}

const char *ns_units_accepted(ns_unit_kind kind)
{
    static char lists[NS_KIND_N][160];
    if (kind < 0 || kind >= NS_KIND_N) return "";
    char *s = lists[kind];
    if (s[0] == '\0') {
        size_t len = 0;
        for (size_t i = 0; i < N_UNITS; i++) {
            if (units[i].kind != kind) continue;
            int n = snprintf(s + len, sizeof lists[kind] - len, "%s%s", len ? ", " : "",
                             units[i].name);
            if (n < 0 || (size_t)n >= sizeof lists[kind] - len) break;
            len += (size_t)n;
        }
    }
    return s;
}

/* UTF-8 superscripts that may end a unit ("cm²", "s⁻¹") and their ASCII. */
static const struct {
    const char *utf8;
    char ascii;
} superscripts[] = {{"\xC2\xB2", '2'}, {"\xC2\xB3", '3'}, {"\xC2\xB9", '1'},
                    {"\xE2\x81\xBB", '-'}, {"\xE2\x81\xB0", '0'}, {"\xE2\x81\xB4", '4'}};

/* Copy a unit string, mapping "µ" (UTF-8 C2 B5) to 'u' and superscript digits
 * to ASCII ones, dropping '^' before a power and the blanks at either end or
 * next to an operator ("mg / mL" = "mg/mL", "m^2/s" = "m2/s"). A blank between
 * two symbols stays: it multiplies ("m s-1"), so "m m" is an area, never "mm". */
static void normalise_unit(const char *in, char *out, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; in[i] != '\0' && j + 1 < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (isspace(ch)) {
            size_t k = i;
            while (isspace((unsigned char)in[k + 1])) k++;
            char next = in[k + 1];
            if (j > 0 && !strchr("/(^*.", out[j - 1]) && next != '\0' && !strchr("/)^*.", next))
                out[j++] = ' ';
            i = k;
            continue;
        }
        if (ch == '^') continue;
        if (ch == 0xC2 && (unsigned char)in[i + 1] == 0xB5) {
            out[j++] = 'u';
            i++;
            continue;
        }
        if (ch == 0xC2 && (unsigned char)in[i + 1] == 0xB7) { /* middle dot multiplies */
            out[j++] = '.';
            i++;
            continue;
        }
        int mapped = 0;
        for (size_t k = 0; k < sizeof superscripts / sizeof superscripts[0]; k++) {
            size_t len = strlen(superscripts[k].utf8);
            if (strncmp(in + i, superscripts[k].utf8, len) == 0) {
                out[j++] = superscripts[k].ascii;
                i += len - 1;
                mapped = 1;
                break;
            }
        }
        if (!mapped) out[j++] = (char)ch;
    }
    out[j] = '\0';
}

static const unit_row *find_unit(ns_unit_kind kind, const char *name)
{
    for (size_t i = 0; i < N_UNITS; i++)
        if (units[i].kind == kind && strcmp(units[i].name, name) == 0) return &units[i];
    return NULL;
}

static const unit_row *find_unit_any(const char *name)
{
    for (size_t i = 0; i < N_UNITS; i++)
        if (strcmp(units[i].name, name) == 0) return &units[i];
    /* case-insensitive second chance, to say "did you mean" */
    return NULL;
}

static const unit_row *find_unit_nocase(ns_unit_kind kind, const char *name)
{
    for (size_t i = 0; i < N_UNITS; i++)
        if (units[i].kind == kind && strcasecmp(units[i].name, name) == 0) return &units[i];
    return NULL;
}

const char *ns_units_cf(const char *unit, char *buf, size_t n);

/* The unit of `kind` (or of any kind when kind == NS_KIND_N) that equals
 * `name` as a product of powers: "m s-1" = "m/s", "cm-2" = "/cm2",
 * "mg ml-1" = "mg/mL" (the litre is L or l). NULL if none. */
static const unit_row *find_unit_product(ns_unit_kind kind, const char *name)
{
    char want[64], have[64], lname[64];
    /* the words "l", "ml", "ul" -> "L", "mL", "uL" */
    snprintf(lname, sizeof lname, "%s", name);
    for (size_t i = 0; lname[i]; i++) {
        if (!isalpha((unsigned char)lname[i]) || (i > 0 && isalpha((unsigned char)lname[i - 1]))) continue;
        size_t w = 0;
        while (isalpha((unsigned char)lname[i + w])) w++;
        if (lname[i + w - 1] == 'l' && (w == 1 || (w == 2 && strchr("mu", lname[i]))))
            lname[i + w - 1] = 'L';
    }
    ns_units_cf(lname, want, sizeof want);
    for (size_t i = 0; i < N_UNITS; i++) {
        if (kind != NS_KIND_N && units[i].kind != kind) continue;
        if (strcmp(ns_units_cf(units[i].name, have, sizeof have), want) == 0) return &units[i];
    }
    return NULL;
}

/* Read the leading decimal number of s; *end after it. 0 ok, -1 none. */
static int lead_number(const char *s, double *out, const char **end)
{
    while (isspace((unsigned char)*s)) s++;
    const char *p = s;
    if (*p == '+' || *p == '-') p++;
    /* Only decimal digits or a point may start the number: strtod would
     * also take "inf", "nan" and hexadecimal, which are not physical input. */
    if (!(isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1])))) return -1;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) return -1;
    char *e = NULL;
    errno = 0;
    double v = strtod(s, &e);
    if (e == s) return -1;
    if (errno == ERANGE || !isfinite(v)) return -1;
    *out = v;
    *end = e;
    return 0;
}

int ns_units_number(const char *text, double *out)
{
    const char *end = NULL;
    double v = 0.0;
    if (!text || lead_number(text, &v, &end) != 0) return -1;
    while (isspace((unsigned char)*end)) end++;
    if (*end != '\0') return -1;
    *out = v;
    return 0;
}

int ns_units_bool(const char *text, int *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    char w[16];
    size_t j = 0;
    while (isspace((unsigned char)*text)) text++;
    for (; *text && j + 1 < sizeof w; text++) w[j++] = *text;
    while (j > 0 && isspace((unsigned char)w[j - 1])) j--;
    w[j] = '\0';
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(w, yes[i]) == 0) return *out = 1, 0;
        if (strcasecmp(w, no[i]) == 0) return *out = 0, 0;
    }
    return -1;
}

ns_status ns_units_parse(const char *text, ns_unit_kind kind, double *si, char *err,
                         size_t err_len)
{
    double v = 0.0;
    const char *end = NULL;
    if (!text || lead_number(text, &v, &end) != 0) {
        if (ns_units_dimensional(kind))
            snprintf(err, err_len, "not a number; expected %s such as 500 %s",
                     kind_names[kind], example_unit[kind]);
        else
            snprintf(err, err_len, "not a number; expected %s", kind_names[kind]);
        return NS_EINVAL;
    }
    char unit[64];
    normalise_unit(end, unit, sizeof unit);
    char shown[32]; /* the number as the user wrote it, for messages */
    size_t nlen = (size_t)(end - text);
    while (nlen > 0 && isspace((unsigned char)text[0])) text++, nlen--;
    if (nlen >= sizeof shown) nlen = sizeof shown - 1;
    memcpy(shown, text, nlen);
    shown[nlen] = '\0';

    if (!ns_units_dimensional(kind)) {
        if (unit[0] != '\0') {
            snprintf(err, err_len, "unexpected unit '%s'; expected %s without a unit", unit,
                     kind_names[kind]);
            return NS_EINVAL;
        }
        if (kind == NS_KIND_COUNT && (v < 0.0 || v != floor(v))) {
            snprintf(err, err_len, "%s is not a non-negative integer", shown);
            return NS_EINVAL;
        }
        *si = v;
        return NS_OK;
    }
    if (unit[0] == '\0') {
        snprintf(err, err_len, "missing unit; expected %s such as %s %s (units: %s)",
                 kind_names[kind], shown, example_unit[kind], ns_units_accepted(kind));
        return NS_EINVAL;
    }
    const unit_row *u = find_unit(kind, unit);
    if (!u) u = find_unit_product(kind, unit);
    if (!u) {
        const unit_row *near = find_unit_nocase(kind, unit);
        const unit_row *other = find_unit_any(unit);
        if (!other) other = find_unit_product(NS_KIND_N, unit);
        if (near)
            snprintf(err, err_len, "unknown unit '%s' (did you mean '%s'?); %s takes %s", unit,
                     near->name, kind_names[kind], ns_units_accepted(kind));
        else if (other)
            snprintf(err, err_len, "wrong unit '%s' (%s); expected %s in %s", unit,
                     kind_names[other->kind], kind_names[kind], ns_units_accepted(kind));
        else
            snprintf(err, err_len, "unknown unit '%s'; expected %s in %s", unit,
                     kind_names[kind], ns_units_accepted(kind));
        return NS_EINVAL;
    }
    double s = v * u->factor + u->offset;
    if (!isfinite(s)) {
        snprintf(err, err_len, "%s %s overflows", shown, unit);
        return NS_EINVAL;
    }
    *si = s;
    return NS_OK;
}

char *ns_units_format(double si, ns_unit_kind kind, char *buf, size_t n)
{
    if (isnan(si)) {
        snprintf(buf, n, "auto");
        return buf;
    }
    if (!ns_units_dimensional(kind)) {
        snprintf(buf, n, "%.6g", si);
        return buf;
    }
    if (si == 0.0 && kind != NS_KIND_TEMPERATURE) {
        snprintf(buf, n, "0 %s", ns_param_si_unit(kind));
        return buf;
    }
    /* Pick the largest displayable unit in which |value| >= 1; the smallest
     * one if the value is smaller than all of them (or zero). */
    const unit_row *best = NULL;
    for (size_t i = 0; i < N_UNITS; i++) {
        if (units[i].kind != kind || !units[i].show) continue;
        if (!best) best = &units[i];
        if (si != 0.0 && fabs((si - units[i].offset) / units[i].factor) >= 1.0) best = &units[i];
    }
    if (!best) {
        snprintf(buf, n, "%.6g %s", si, ns_param_si_unit(kind));
        return buf;
    }
    snprintf(buf, n, "%.6g %s", (si - best->offset) / best->factor, best->name);
    return buf;
}

/* ---- CF unit strings ---------------------------------------------------------- */

/* One factor of a unit product: symbol and integer power. */
typedef struct {
    char sym[12];
    int power;
} cf_factor;

#define CF_MAX_FACTORS 8

/* Multiply the product by sym^power (merging a repeated symbol). -1 if full. */
static int cf_add(cf_factor *f, size_t *n, const char *sym, size_t len, int power)
{
    if (len == 0 || len >= sizeof f[0].sym) return -1;
    for (size_t k = 0; k < *n; k++)
        if (strlen(f[k].sym) == len && strncmp(f[k].sym, sym, len) == 0) return f[k].power += power, 0;
    if (*n == CF_MAX_FACTORS) return -1;
    memcpy(f[*n].sym, sym, len);
    f[*n].sym[len] = '\0';
    f[(*n)++].power = power;
    return 0;
}

/* Parse the product at *s up to ')' or the end; sign = +1 or -1 for the
 * whole group. Terms: SYMBOL[POWER], a plain 1, or a (group), multiplied by a
 * blank, '.' or '*' (normalise_unit turns '·' into '.'); '/' divides by
 * the next term only (left-associative, as in UDUNITS-2). -1 on bad syntax. */
static int cf_product(const char **s, int sign, cf_factor *f, size_t *n)
{
    int div = 0;
    for (;;) {
        while (**s == ' ' || **s == '.' || **s == '*') (*s)++; /* all multiply */
        if (**s == '\0' || **s == ')') return 0;
        if (**s == '/') {
            div = 1;
            (*s)++;
            continue;
        }
        int term_sign = div ? -sign : sign;
        div = 0;
        if (**s == '(') {
            (*s)++;
            if (cf_product(s, term_sign, f, n) != 0 || **s != ')') return -1;
            (*s)++;
        } else if (isalpha((unsigned char)**s)) {
            const char *b = *s;
            while (isalpha((unsigned char)**s)) (*s)++;
            size_t len = (size_t)(*s - b);
            int p = 1;
            if (**s == '^') (*s)++;
            if (**s == '-' || isdigit((unsigned char)**s)) {
                char *e = NULL;
                p = (int)strtol(*s, &e, 10);
                if (e == *s) return -1;
                *s = e;
            }
            if (cf_add(f, n, b, len, term_sign * p) != 0) return -1;
        } else if (**s == '1' && !isdigit((unsigned char)(*s)[1])) {
            (*s)++;
        } else {
            return -1;
        }
    }
}

const char *ns_units_cf(const char *unit, char *buf, size_t n)
{
    cf_factor f[CF_MAX_FACTORS];
    size_t nf = 0, len = 0;
    const char *s = unit ? unit : "";
    if (n == 0) return buf;
    buf[0] = '\0';
    if (s[0] == '\0') return buf;
    if (cf_product(&s, 1, f, &nf) != 0 || *s != '\0') {
        snprintf(buf, n, "%s", unit); /* not a product of powers: leave it as written */
        return buf;
    }
    for (size_t k = 0; k < nf && len < n; k++) {
        if (f[k].power == 0) continue;
        int w = f[k].power == 1 ? snprintf(buf + len, n - len, "%s%s", len ? " " : "", f[k].sym)
                                : snprintf(buf + len, n - len, "%s%s^%d", len ? " " : "", f[k].sym,
                                           f[k].power);
        if (w < 0) break;
        len += (size_t)w;
    }
    if (len == 0) snprintf(buf, n, "1");
    return buf;
}
