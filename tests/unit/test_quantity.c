/* Units parser: every unit family, bad units, blanks, exponents, formatting. */
/* Criterion's assertion macros assign int results to 1-bit fields. */
#pragma GCC diagnostic ignored "-Wconversion"
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../sim/quantity.h"

static double parse_ok(const char *text, ns_unit_kind kind)
{
    double v = NAN;
    char err[256] = "";
    ns_status st = ns_units_parse(text, kind, &v, err, sizeof err);
    cr_assert(eq(int, st, NS_OK), "'%s': %s", text, err);
    return v;
}

static void parse_bad(const char *text, ns_unit_kind kind, const char *want)
{
    double v = 0.0;
    char err[256] = "";
    ns_status st = ns_units_parse(text, kind, &v, err, sizeof err);
    cr_assert(eq(int, st, NS_EINVAL), "'%s' accepted", text);
    cr_assert(strstr(err, want) != NULL, "'%s': message '%s' lacks '%s'", text, err, want);
}

/* Conversions are one multiplication by an exact or correctly rounded factor,
 * so the result is within 2 ulp of the reference product. */
#define CHECK(text, kind, want) \
    cr_assert(ieee_ulp_eq(dbl, parse_ok(text, kind), (want), 2), "%s", text)

Test(units, every_family)
{
    CHECK("500 um", NS_KIND_LENGTH, 500e-6);
    CHECK("1.5 mm", NS_KIND_LENGTH, 1.5e-3);
    CHECK("2 cm", NS_KIND_LENGTH, 2e-2);
    CHECK("0.25 m", NS_KIND_LENGTH, 0.25);
    CHECK("20 N", NS_KIND_FORCE, 20.0);
    CHECK("350 mN", NS_KIND_FORCE, 0.35);
    CHECK("3 Pa", NS_KIND_PRESSURE, 3.0);
    CHECK("210 kPa", NS_KIND_PRESSURE, 210e3);
    CHECK("1.18 MPa", NS_KIND_PRESSURE, 1.18e6);
    CHECK("200 GPa", NS_KIND_PRESSURE, 200e9);
    CHECK("4 J/m2", NS_KIND_TOUGHNESS, 4.0);
    CHECK("1.1 kJ/m2", NS_KIND_TOUGHNESS, 1.1e3);
    CHECK("2 m/s", NS_KIND_SPEED, 2.0);
    CHECK("0.5 mm/s", NS_KIND_SPEED, 0.5e-3);
    CHECK("40 um/s", NS_KIND_SPEED, 40e-6);
    CHECK("3 s", NS_KIND_TIME, 3.0);
    CHECK("250 ms", NS_KIND_TIME, 0.25);
    CHECK("7 min", NS_KIND_TIME, 420.0);
    CHECK("24 h", NS_KIND_TIME, 86400.0);
    CHECK("2 d", NS_KIND_TIME, 172800.0);
    CHECK("100 /cm2", NS_KIND_AREAL_DENSITY, 1e6);
    CHECK("3 /mm2", NS_KIND_AREAL_DENSITY, 3e6);
    CHECK("5e4 /m2", NS_KIND_AREAL_DENSITY, 5e4);
    CHECK("5 g", NS_KIND_MASS, 5e-3);
    CHECK("12 mg", NS_KIND_MASS, 12e-6);
    CHECK("7 ug", NS_KIND_MASS, 7e-9);
    CHECK("0.1 kg", NS_KIND_MASS, 0.1);
    CHECK("10 mg/mL", NS_KIND_CONCENTRATION, 10.0);
    CHECK("2 g/L", NS_KIND_CONCENTRATION, 2.0);
    CHECK("3.7 kg/m3", NS_KIND_CONCENTRATION, 3.7);
    CHECK("6.3e-10 m2/s", NS_KIND_DIFFUSIVITY, 6.3e-10);
    CHECK("6.3e-6 cm2/s", NS_KIND_DIFFUSIVITY, 6.3e-10);
    CHECK("100 Hz", NS_KIND_FREQUENCY, 100.0);
    CHECK("0.5 1/s", NS_KIND_RATE, 0.5);
    CHECK("0.5 /s", NS_KIND_RATE, 0.5);
    CHECK("3.6 /h", NS_KIND_RATE, 1e-3);
    CHECK("12 N/m", NS_KIND_TENSION, 12.0);
    CHECK("2e7 N/m3", NS_KIND_STIFFNESS, 2e7);
    CHECK("30 deg", NS_KIND_ANGLE, 30.0 * M_PI / 180.0);
    CHECK("0.4 rad", NS_KIND_ANGLE, 0.4);
    CHECK("194.19 g/mol", NS_KIND_MOLAR_MASS, 0.19419);
    CHECK("5808 Da", NS_KIND_MOLAR_MASS, 5.808);
    CHECK("1000 kDa", NS_KIND_MOLAR_MASS, 1000.0);
    CHECK("1.1 g/cm3", NS_KIND_MASS_DENSITY, 1100.0);
    CHECK("900 kg/m3", NS_KIND_MASS_DENSITY, 900.0);
    CHECK("305.15 K", NS_KIND_TEMPERATURE, 305.15);
    CHECK("32 degC", NS_KIND_TEMPERATURE, 305.15);
    CHECK("0.45", NS_KIND_DIMENSIONLESS, 0.45);
    CHECK("-1.3", NS_KIND_DIMENSIONLESS, -1.3);
    CHECK("192", NS_KIND_COUNT, 192.0);
}

Test(units, blanks_exponents_and_spellings)
{
    CHECK("  500um  ", NS_KIND_LENGTH, 500e-6);
    CHECK("5.0e2 um", NS_KIND_LENGTH, 500e-6);
    CHECK("5E-1 mm", NS_KIND_LENGTH, 0.5e-3);
    CHECK("+2.37e-3\tm", NS_KIND_LENGTH, 2.37e-3);
    CHECK(".5 mm", NS_KIND_LENGTH, 0.5e-3);
    CHECK("6.3e-10 m^2/s", NS_KIND_DIFFUSIVITY, 6.3e-10);
    CHECK("10 mg / mL", NS_KIND_CONCENTRATION, 10.0);
    CHECK("250 \xc2\xb5m", NS_KIND_LENGTH, 250e-6);
    CHECK("1.1 J/m^2", NS_KIND_TOUGHNESS, 1.1);
}

Test(units, rejects_bad_input)
{
    parse_bad("500", NS_KIND_LENGTH, "missing unit; expected a length such as 500 um");
    parse_bad("5 N", NS_KIND_LENGTH, "wrong unit 'N' (a force); expected a length");
    parse_bad("5 mm", NS_KIND_FORCE, "wrong unit 'mm' (a length); expected a force");
    parse_bad("5 parsec", NS_KIND_LENGTH, "unknown unit 'parsec'");
    parse_bad("5 MM", NS_KIND_LENGTH, "did you mean 'mm'?");
    parse_bad("abc", NS_KIND_LENGTH, "not a number");
    parse_bad("", NS_KIND_LENGTH, "not a number");
    parse_bad("inf m", NS_KIND_LENGTH, "not a number");
    parse_bad("nan m", NS_KIND_LENGTH, "not a number");
    parse_bad("0x10 m", NS_KIND_LENGTH, "not a number");
    parse_bad("1e999 m", NS_KIND_LENGTH, "not a number");
    parse_bad("0.3 mm", NS_KIND_DIMENSIONLESS, "unexpected unit 'mm'");
    parse_bad("2.5", NS_KIND_COUNT, "not a non-negative integer");
    parse_bad("-3", NS_KIND_COUNT, "not a non-negative integer");
}

Test(units, numbers_and_booleans)
{
    double v = 0.0;
    cr_assert(eq(int, ns_units_number(" 2.5e3 ", &v), 0));
    cr_assert(ieee_ulp_eq(dbl, v, 2500.0, 0));
    cr_assert(eq(int, ns_units_number("2.5 mm", &v), -1));
    int b = -1;
    const char *t[] = {"true", "Yes", "on", "1"}, *f[] = {"false", "NO", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        cr_assert(eq(int, ns_units_bool(t[i], &b), 0));
        cr_assert(eq(int, b, 1), "%s", t[i]);
        cr_assert(eq(int, ns_units_bool(f[i], &b), 0));
        cr_assert(eq(int, b, 0), "%s", f[i]);
    }
    cr_assert(eq(int, ns_units_bool("maybe", &b), -1));
}

Test(units, format_round_trip)
{
    /* Formatting with %.6g and parsing back reproduces the value to 6
     * significant digits: relative error below 5e-6. */
    const struct {
        double si;
        ns_unit_kind kind;
        const char *want;
    } cases[] = {
        {500e-6, NS_KIND_LENGTH, "500 um"},     {1.5e-3, NS_KIND_LENGTH, "1.5 mm"},
        {2.0, NS_KIND_LENGTH, "2 m"},           {210e3, NS_KIND_PRESSURE, "210 kPa"},
        {5400.0, NS_KIND_TIME, "1.5 h"},        {1e6, NS_KIND_AREAL_DENSITY, "100 /cm2"},
        {0.0, NS_KIND_LENGTH, "0 m"},           {305.15, NS_KIND_TEMPERATURE, "305.15 K"},
        {2.37e-3, NS_KIND_FORCE, "2.37 mN"},    {0.19419, NS_KIND_MOLAR_MASS, "194.19 g/mol"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        ns_units_format(cases[i].si, cases[i].kind, buf, sizeof buf);
        char want[64];
        snprintf(want, sizeof want, "%s", cases[i].want);
        cr_assert(eq(str, buf, want));
        double back = parse_ok(buf, cases[i].kind);
        cr_assert(epsilon_eq(dbl, back, cases[i].si, 5e-6 * fabs(cases[i].si)), "%s", buf);
    }
}

/* UDUNITS-2 spellings (a blank multiplies, a trailing integer is a power) and
 * Unicode superscripts name the same table unit, so they give the very same
 * SI value as the table spelling (one multiplication by the same factor). */
static void same(const char *a, const char *b, ns_unit_kind kind)
{
    double x = parse_ok(a, kind), y = parse_ok(b, kind);
    cr_assert(x == y, "'%s' = %.17g but '%s' = %.17g", a, x, b, y);
}

Test(units, udunits_spellings)
{
    same("2.37 m s-1", "2.37 m/s", NS_KIND_SPEED);
    same("2.37 mm s^-1", "2.37 mm/s", NS_KIND_SPEED);
    same("137 cm-2", "137 /cm2", NS_KIND_AREAL_DENSITY);
    same("137 /cm\xc2\xb2", "137 /cm2", NS_KIND_AREAL_DENSITY);
    same("137 cm\xe2\x81\xbb\xc2\xb2", "137 /cm2", NS_KIND_AREAL_DENSITY);
    same("13.7 mg/ml", "13.7 mg/mL", NS_KIND_CONCENTRATION);
    same("13.7 mg ml-1", "13.7 mg/mL", NS_KIND_CONCENTRATION);
    same("6.3e-10 m2 s-1", "6.3e-10 m2/s", NS_KIND_DIFFUSIVITY);
    same("0.37 s\xe2\x81\xbb\xc2\xb9", "0.37 1/s", NS_KIND_RATE);
    same("24 hours", "24 h", NS_KIND_TIME);
    same("3 days", "3 d", NS_KIND_TIME);
    same("1.1 J m-2", "1.1 J/m2", NS_KIND_TOUGHNESS);
    same("2.37 m.s-1", "2.37 m/s", NS_KIND_SPEED);
    same("2.37 m*s^-1", "2.37 m/s", NS_KIND_SPEED);
    same("2.37 m\xc2\xb7s\xe2\x81\xbb\xc2\xb9", "2.37 m/s", NS_KIND_SPEED);
    CHECK("37 degC", NS_KIND_TEMPERATURE, 310.15);
}

Test(units, blank_inside_a_unit_multiplies)
{
    /* "5 m m" is 5 m^2, an area (a kind of its own since procedure.area): never 5 mm */
    parse_bad("5 m m", NS_KIND_LENGTH, "wrong unit 'm m' (an area); expected a length in nm, um, mm, cm, m");
    parse_bad("5 m  m", NS_KIND_LENGTH, "wrong unit 'm m' (an area)");
    parse_bad("2 m s-1", NS_KIND_LENGTH, "wrong unit 'm s-1' (a speed); expected a length");
    parse_bad("2 m s", NS_KIND_SPEED, "unknown unit 'm s'");
}

Test(units, cf_strings)
{
    static const char *const cases[][2] = {
        {"kg/(m2 s)", "kg m^-2 s^-1"}, {"1/m2", "m^-2"}, {"m2/s", "m^2 s^-1"}, {"kg/m3", "kg m^-3"},
        {"N/m3", "N m^-3"}, {"m/s", "m s^-1"}, {"1/s", "s^-1"}, {"m2", "m^2"}, {"m", "m"},
        {"1", "1"}, {"", ""}, {"J/m2", "J m^-2"}, {"kg/mol", "kg mol^-1"}, {"m/m", "1"}};
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert(strcmp(ns_units_cf(cases[i][0], buf, sizeof buf), cases[i][1]) == 0,
                  "'%s' -> '%s', want '%s'", cases[i][0], buf, cases[i][1]);
    /* every SI unit the program writes has a CF form without '/' */
    for (int k = 0; k < NS_KIND_N; k++)
        cr_assert(strchr(ns_units_cf(ns_units_si((ns_unit_kind)k), buf, sizeof buf), '/') == NULL,
                  "kind %d: '%s'", k, buf);
}
