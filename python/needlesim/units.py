"""Display units for tables and plots, and SI values of config-style quantities.

display_unit() picks a readable unit (mm, µm, mN, µg/cm², h) for SI data
without changing it, whether the file spells its units "kg/m2" or in the
UDUNITS/pint form "kg m-2"; parse_quantity() reads "10 mg/mL", "500 um" or
"100 /cm2" with the unit syntax of the config files.
"""
import math
import re

import numpy as np

# SI unit -> candidate display units (label, size of one display unit in SI),
# largest first; display_unit picks the first in which a typical value is >= 1.
_DISPLAY = {
    "m": [("m", 1.0), ("mm", 1e-3), ("µm", 1e-6), ("nm", 1e-9)],
    "N": [("N", 1.0), ("mN", 1e-3), ("µN", 1e-6)],
    "J": [("J", 1.0), ("mJ", 1e-3), ("µJ", 1e-6), ("nJ", 1e-9)],
    "s": [("h", 3600.0), ("min", 60.0), ("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)],
    # 1 µg/cm² = 1e-9 kg / 1e-4 m² = 1e-5 kg/m²
    "kg/m2": [("mg/cm²", 1e-2), ("µg/cm²", 1e-5), ("ng/cm²", 1e-8)],
    "kg/(m2 s)": [("mg/(cm² h)", 1e-2 / 3600), ("µg/(cm² h)", 1e-5 / 3600),
                  ("ng/(cm² h)", 1e-8 / 3600)],
    "1/m2": [("1/cm²", 1e4)],       # needle densities are quoted per cm² in the literature
    "m2": [("mm²", 1e-6), ("µm²", 1e-12)],
    "m/s": [("m/s", 1.0), ("mm/s", 1e-3), ("µm/s", 1e-6)],
    "m2/s": [("cm²/s", 1e-4)],
    "kg/m3": [("mg/mL", 1.0), ("µg/mL", 1e-3)],
    "Pa": [("GPa", 1e9), ("MPa", 1e6), ("kPa", 1e3), ("Pa", 1.0)],
    "kg/mol": [("g/mol", 1e-3)],
    "kg": [("mg", 1e-6), ("µg", 1e-9), ("ng", 1e-12)],
    "rad": [("°", math.pi / 180)],
    "1": [("-", 1.0)],
    "": [("", 1.0)],
}


def unit_dims(text):
    """{symbol: power} of an SI unit string in either spelling the files use:
    "kg/(m2 s)", "kg m-2 s-1", "m^2/s", "1/m2", "m-2"; {} for "1", "-" or "".
    None if the text is not a product of powers of unit symbols."""
    t = (text or "").strip().replace("·", " ").replace("*", " ").replace("^", "")
    if t in ("", "1", "-"):
        return {}
    num, _, den = t.partition("/")
    dims = {}
    for part, sign in ((num, 1), (den.replace("(", "").replace(")", ""), -1)):
        for tok in part.split():
            m = re.match(r"^([A-Za-zµ°]+)(-?\d+)?$", tok)
            if tok == "1":
                continue
            if not m:
                return None
            p = int(m.group(2)) if m.group(2) else 1
            dims[m.group(1)] = dims.get(m.group(1), 0) + sign * p
    return {k: v for k, v in dims.items() if v}


def _canonical(units):
    """The _DISPLAY key of the same unit ("kg m-2" -> "kg/m2"), else units."""
    if units in _DISPLAY:
        return units
    d = unit_dims(units)
    if d is None:
        return units
    for key in _DISPLAY:
        if key and unit_dims(key) == d:
            return key
    return units


def display_unit(units, values=None, name=""):
    """(factor, label): divide SI values by factor to show them in `label`.

    The unit is chosen so that a typical (median absolute, finite, non-zero)
    value is >= 1 in it; permeabilities are shown in cm/h, the unit of the
    Potts-Guy correlation."""
    units = _canonical((units or "").strip())
    if "permeability" in name and units == "m/s":
        return 0.01 / 3600, "cm/h"
    cands = _DISPLAY.get(units)
    if cands is None:
        return 1.0, units
    typical = None
    if values is not None:
        v = np.abs(np.asarray(values, dtype=float).ravel())
        v = v[np.isfinite(v) & (v > 0)]
        if v.size:
            typical = float(np.median(v))
    if typical is None:
        return cands[min(1, len(cands) - 1)][1], cands[min(1, len(cands) - 1)][0]
    for label, size in cands:
        if typical / size >= 1.0:
            return size, label
    return cands[-1][1], cands[-1][0]


def label(name, units, values=None):
    """Axis label "penetration depth [µm]" and the factor to divide by."""
    factor, u = display_unit(units, values, name)
    text = name.replace("_", " ")
    return (f"{text} [{u}]" if u and u != "-" else text), factor


# SI value of "10 mg/mL", "500 um", "24 h" (the unit syntax of the config files).
_UNIT = {
    "m": 1.0, "cm": 1e-2, "mm": 1e-3, "um": 1e-6, "µm": 1e-6, "nm": 1e-9,
    "s": 1.0, "ms": 1e-3, "min": 60.0, "h": 3600.0, "d": 86400.0,
    "kg": 1.0, "g": 1e-3, "mg": 1e-6, "ug": 1e-9, "µg": 1e-9, "ng": 1e-12,
    "L": 1e-3, "mL": 1e-6, "uL": 1e-9,
    "N": 1.0, "mN": 1e-3, "uN": 1e-6, "kN": 1e3,
    "Pa": 1.0, "kPa": 1e3, "MPa": 1e6, "GPa": 1e9,
    "J": 1.0, "mJ": 1e-3, "uJ": 1e-6, "Hz": 1.0, "kHz": 1e3,
    "mol": 1.0, "mmol": 1e-3, "rad": 1.0, "deg": math.pi / 180, "1": 1.0, "-": 1.0,
}


def _unit_factor(expr):
    expr = expr.strip().replace("(", "").replace(")", "")
    if not expr:
        return 1.0
    num, _, den = expr.partition("/")
    total = 1.0
    for part, sign in ((num, 1), (den, -1)):
        for tok in re.split(r"[\s*·]+", part.strip()):
            if not tok:
                continue
            m = re.match(r"^([A-Za-zµ°\-]+|1)(\^?-?\d+)?$", tok)
            if not m or m.group(1) not in _UNIT:
                raise ValueError("unknown unit '%s' in '%s'" % (tok, expr))
            p = int(m.group(2).lstrip("^")) if m.group(2) else 1
            total *= _UNIT[m.group(1)] ** (p * sign)
    return total


def parse_quantity(text):
    """SI value of a quantity with a unit, e.g. parse_quantity("10 mg/mL") = 10.0
    (kg/m3), parse_quantity("500 um") = 5e-4, parse_quantity("100 /cm2") = 1e6."""
    m = re.match(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$", str(text))
    if not m:
        raise ValueError("not a quantity: %r" % (text,))
    unit = m.group(2)
    if unit.startswith("/"):
        unit = "1" + unit
    return float(m.group(1)) * _unit_factor(unit)


