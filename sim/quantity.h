/* Values with units at the edge of the program: "500 um", "2 m/s", "10 mg/mL".
 *
 * The config file and --set give every dimensional value with a unit; this
 * module converts it to SI once (factors from models/units.h) and formats SI
 * values back into readable units for `needlesim check`, `presets` and
 * `keys`. Each unit belongs to one kind (a length, a force, ...); a value
 * whose unit is missing, unknown or of another kind is an error whose text
 * names what was expected ("missing unit; expected a length such as 500 um").
 *
 * Syntax: NUMBER [UNIT], NUMBER as strtod() reads it in decimal (sign,
 * fraction, exponent: "1.5e-3"), UNIT after optional blanks. A unit is one of
 * the table spellings of its kind ("500 um", "/cm2", "mg/mL") or the same
 * unit written as UDUNITS-2 writes products: a blank (or ., *, ·) multiplies, an
 * integer after a symbol is its power ("m s-1" = "m/s", "cm-2" = "/cm2",
 * "mg ml-1" = "mg/mL", "m^2 s^-1"); '^', "²", "³" and "⁻¹" may write powers,
 * "µm" equals "um", blanks next to '/' or '^' do not count ("mg / mL").
 * Because a blank multiplies, "5 m m" is an area and refused for a length,
 * never read as 5 mm. Such a product is matched against the table (same
 * powers of the same symbols), so it gives bit-for-bit the value of the table
 * spelling, and the per-key kind check stays. UDUNITS-2 itself (libudunits2)
 * is not used: it would load an XML database at every start, accept units no
 * key means (offsets, "m 1000"), and change conversion factors in their last
 * bit. Dimensionless and count kinds take plain numbers.
 */
#ifndef NS_SIM_QUANTITY_H
#define NS_SIM_QUANTITY_H

#include <stddef.h>

#include "../models/param_table.h"
#include "../models/status.h"

/* ns_unit_kind (the kinds and their SI units): models/param_table.h. */

/* 1 for the kinds whose values need a unit (length .. temperature). */
int ns_units_dimensional(ns_unit_kind kind);

/* "a length", "a force", ... ("a number" for dimensionless). */
const char *ns_units_kind_name(ns_unit_kind kind);

/* The SI unit written as in the HDF5 `units` attributes: "m", "1/m2", "" (none). */
const char *ns_units_si(ns_unit_kind kind);

/* The accepted units of a kind, "um, mm, cm, m". Static storage. */
const char *ns_units_accepted(ns_unit_kind kind);

/* Parse "NUMBER [UNIT]" as a value of `kind` (dimensional kinds, dimensionless
 * and count only) into SI. On error returns NS_EINVAL and writes a short
 * reason into err (never records a status message: the caller adds where). */
ns_status ns_units_parse(const char *text, ns_unit_kind kind, double *si, char *err,
                         size_t err_len);

/* Parse a plain decimal number filling all of text but blanks. 0 ok, -1 not a number. */
int ns_units_number(const char *text, double *out);

/* Parse a boolean. 0 ok, -1 not one of true/false/yes/no/on/off/1/0. */
int ns_units_bool(const char *text, int *out);

/* The unit string `unit` as written in the program's tables ("kg/(m2 s)",
 * "1/m2", "m2/s", "1") in the CF form that both UDUNITS-2 and pint parse:
 * a product of powers with '^', "kg m^-2 s^-1", "m^-2", "m^2 s^-1", "1"
 * (UDUNITS' own "m2 s-1" is refused by pint 0.19, Debian 12's). "" stays "".
 * A string that is not a product of powers is copied unchanged. Returns buf. */
const char *ns_units_cf(const char *unit, char *buf, size_t n);

/* Format an SI value in a readable unit of its kind ("500 um", "2.5 kPa").
 * Dimensionless and count values are printed plainly. Returns buf. */
char *ns_units_format(double si, ns_unit_kind kind, char *buf, size_t n);

#endif
