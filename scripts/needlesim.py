#!/usr/bin/env python3
"""needlesim: read a needlesim HDF5 file (schema needlesim-1) in one line.

    import sys; sys.path.insert(0, "scripts"); import needlesim
    df = needlesim.load("outputs/default.h5")            # pandas, one row per case
    ds = needlesim.load_xarray("outputs/default.h5")     # xarray, dims case/time/insertion_point
    F = needlesim.load_curves("outputs/default.h5", "insertion_force")

Command line:

    python3 scripts/needlesim.py summary FILE            # cases, ok/failed, key results
    python3 scripts/needlesim.py csv FILE -o out.csv     # one row per case

Schema needlesim-1 (written by sim/output.c, documented in outputs/README.md):
root attributes schema, program_version, git_commit, created_utc, config,
config_hash, n_cases, sweep_mode, seed; /params/<section.key> [case] float64 or
strings (enumerations); /results/<name> [case] float64 (NaN = undefined);
/status [case] int8 (0 pending, 1 ok, 2 failed); /error [case] strings;
/curves/<name> [case, insertion_point] or [case, time] with the dimension
scales /curves/insertion_point and /curves/time; /case; optional /fields/...
Every dataset carries `units` and `description` attributes. Values are SI;
display_unit() picks readable units (mm, µm, mN, µg/cm², h) for tables and
plots without changing the data.

Only h5py and numpy are needed at import time; pandas and xarray are imported
when load() / load_xarray() are called and a missing one is reported clearly.
"""
import argparse
import math
import os
import re
import sys

import numpy as np

try:
    import h5py
except ImportError:  # pragma: no cover - reported when a file is opened
    h5py = None

SCHEMA = "needlesim-1"
STATUS_TEXT = {0: "pending", 1: "ok", 2: "failed"}
# Results shown first in summaries, tables and reports (names from sim/case.h).
KEY_RESULTS = [
    "puncture_force", "max_force", "penetration_depth", "inserted_fraction", "deepest_layer",
    "buckling_margin", "channel_depth", "permeated_amount", "enhancement_ratio", "lag_time",
]
# Parameters that name a device (grouping in reports), in order of preference.
DEVICE_PARAMS = [
    "needle.preset", "applicator.mode", "array.layout", "needle.shape", "skin.preset",
    "drug.preset", "drug.dose", "channel.occluded",
]
ROOT_ATTRS = ["schema", "program_version", "git_commit", "created_utc", "config", "config_hash",
              "n_cases", "sweep_mode", "seed"]
LAYER_NAMES = {0: "none", 1: "stratum corneum", 2: "viable epidermis", 3: "dermis",
               4: "hypodermis"}


class NeedlesimError(RuntimeError):
    """A file that cannot be read as schema needlesim-1, or a missing package."""


def _require(name):
    """Import an optional package or fail with the Debian package to install."""
    try:
        return __import__(name)
    except ImportError as e:
        raise NeedlesimError(
            "needlesim: the Python package '%s' is required for this (Debian: apt-get install "
            "python3-%s, or run scripts/install-deps.sh); import failed: %s" % (name, name, e)) from e


def _text(x):
    if isinstance(x, bytes):
        return x.decode("utf-8", "replace")
    if isinstance(x, np.ndarray) and x.shape == ():
        return _text(x[()])
    if isinstance(x, np.generic):
        return x.item()
    return x


def _attrs(obj):
    return {k: _text(v) for k, v in obj.attrs.items()}


def _strings(data):
    return [(_text(v) if not isinstance(v, str) else v) for v in np.asarray(data).ravel()]


def _column(ds):
    """A 1-D dataset as float64, or as a list of str for string datasets."""
    data = ds[()]
    if ds.dtype.kind in "SOU":
        return np.array(_strings(data), dtype=object)
    return np.asarray(data)


def _open(path):
    if h5py is None:
        _require("h5py")
    if not os.path.exists(path):
        raise NeedlesimError("needlesim: no such file: %s" % path)
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise NeedlesimError("needlesim: %s is not a readable HDF5 file: %s" % (path, e)) from e
    schema = _text(f.attrs.get("schema", ""))
    if schema and schema != SCHEMA:
        f.close()
        raise NeedlesimError("needlesim: %s has schema '%s', this reader understands '%s'"
                             % (path, schema, SCHEMA))
    if "status" not in f:
        f.close()
        raise NeedlesimError("needlesim: %s has no /status dataset: not a needlesim output" % path)
    return f


def _case_ids(f):
    n = f["status"].shape[0]
    if "case" in f and f["case"].shape == (n,):
        return np.asarray(f["case"][()], dtype=np.int64)
    return np.arange(n, dtype=np.int64)


def _keep_mask(status, failed):
    if failed not in ("keep", "drop", "only"):
        raise ValueError("failed must be 'keep', 'drop' or 'only', not %r" % (failed,))
    if failed == "keep":
        return np.ones(status.shape, dtype=bool)
    if failed == "drop":
        return status != 2
    return status == 2


def _root_attrs(f, path):
    a = _attrs(f)
    a["path"] = os.path.abspath(path)
    a.setdefault("run_name", run_name(a.get("config", ""), path))
    return a


def run_name(config_text, path=""):
    """[run] name from the resolved config text, else the file's base name."""
    section = None
    for line in str(config_text or "").splitlines():
        s = line.split(";")[0].split("#")[0].strip()
        m = re.match(r"^\[(\w+)\]$", s)
        if m:
            section = m.group(1)
        elif section == "run" and "=" in s:
            k, v = (t.strip() for t in s.split("=", 1))
            if k == "name" and v:
                return v
    return os.path.splitext(os.path.basename(path))[0] if path else ""


def load(path, failed="keep"):
    """One row per case: params ("needle.length" ...), results, status, error.

    failed: "keep" (all rows), "drop" (remove failed cases) or "only".
    df.attrs holds "units" and "descriptions" (dicts by column), "params" and
    "results" (column lists), "swept" (params that vary) and the file's root
    attributes (schema, program_version, config_hash, ...). Index: case id.
    """
    pd = _require("pandas")
    with _open(path) as f:
        status = np.asarray(f["status"][()], dtype=np.int64)
        keep = _keep_mask(status, failed)
        cols, units, desc, params, results = {}, {}, {}, [], []
        for group, names in (("params", params), ("results", results)):
            if group not in f:
                continue
            for name in sorted(f[group]):
                ds = f[group][name]
                if not isinstance(ds, h5py.Dataset) or ds.ndim != 1:
                    continue
                cols[name] = _column(ds)[keep]
                a = _attrs(ds)
                units[name] = a.get("units", "")
                desc[name] = a.get("description", "")
                names.append(name)
        cols["status"] = np.array([STATUS_TEXT.get(int(s), "unknown(%d)" % s) for s in status[keep]],
                                  dtype=object)
        units["status"], desc["status"] = "", "pending, ok or failed"
        if "error" in f:
            cols["error"] = np.array(_strings(f["error"][()]), dtype=object)[keep]
        else:
            cols["error"] = np.array([""] * int(keep.sum()), dtype=object)
        units["error"], desc["error"] = "", "why a case failed ('' if ok)"
        index = pd.Index(_case_ids(f)[keep], name="case")
        df = pd.DataFrame(cols, index=index)
        attrs = _root_attrs(f, path)
    df.attrs.update(attrs)
    df.attrs["units"] = units
    df.attrs["descriptions"] = desc
    df.attrs["params"] = params
    df.attrs["results"] = results
    df.attrs["swept"] = swept(df, params)
    df.attrs["failed_filter"] = failed
    return df


def swept(df, params=None):
    """The parameter columns that take more than one value."""
    params = df.attrs.get("params", []) if params is None else params
    return [p for p in params if p in df and df[p].nunique(dropna=True) > 1]


def device_params(df):
    """Swept parameters that name a device (preset, applicator, layout...)."""
    s = swept(df)
    return [p for p in DEVICE_PARAMS if p in s] + \
        [p for p in s if p not in DEVICE_PARAMS and df[p].dtype == object]


def _curve_axis(f, ds):
    """(axis name, axis values, axis units) of dimension 1 of a curve."""
    try:
        dim = ds.dims[1]
        if len(dim) > 0:
            scale = dim[0]
            label = dim.label or ""
            name = label or os.path.basename(scale.name)
            if dim.keys() and dim.keys()[0]:
                name = dim.keys()[0]
            return name, np.asarray(scale[()]), _text(scale.attrs.get("units", ""))
    except (RuntimeError, KeyError, ValueError):
        pass
    # no scale attached: match the length with the known axes
    for name in ("insertion_point", "time"):
        if "curves/" + name in f and f["curves/" + name].shape[0] == ds.shape[1]:
            s = f["curves/" + name]
            return name, np.asarray(s[()]), _text(s.attrs.get("units", ""))
    return "point", np.arange(ds.shape[1]), "1"


def _curve_names(f):
    if "curves" not in f:
        return []
    return sorted(n for n in f["curves"] if isinstance(f["curves"][n], h5py.Dataset)
                  and f["curves"][n].ndim == 2)


def curve_names(path):
    with _open(path) as f:
        return _curve_names(f)


def load_curves(path, name, failed="keep"):
    """One curve for every case: DataFrame indexed by case, one column per
    axis point (time in s, or the insertion point index). attrs: units,
    description, axis, axis_units, status (per row)."""
    pd = _require("pandas")
    with _open(path) as f:
        if "curves/" + name not in f:
            raise NeedlesimError("needlesim: %s has no curve '%s' (has: %s)"
                                 % (path, name, ", ".join(_curve_names(f)) or "none"))
        ds = f["curves/" + name]
        status = np.asarray(f["status"][()], dtype=np.int64)
        keep = _keep_mask(status, failed)
        axis, x, xunits = _curve_axis(f, ds)
        data = np.asarray(ds[()], dtype=float)[keep]
        a = _attrs(ds)
        out = pd.DataFrame(data, index=pd.Index(_case_ids(f)[keep], name="case"),
                           columns=pd.Index(x, name=axis))
    out.attrs.update({"name": name, "units": a.get("units", ""),
                      "description": a.get("description", ""), "axis": axis,
                      "axis_units": xunits,
                      "status": [STATUS_TEXT.get(int(s), "?") for s in status[keep]]})
    return out


def load_fields(path):
    """Optional concentration snapshots: {name: dict(data, dims, coords,
    units, description)} for every dataset under /fields with >= 2 dims.
    Empty dict if the file has no /fields."""
    out = {}
    with _open(path) as f:
        if "fields" not in f:
            return out

        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset) or obj.ndim < 2:
                return
            dims, coords = [], {}
            for i, d in enumerate(obj.dims):
                dname = (d.keys()[0] if len(d) and d.keys() and d.keys()[0] else
                         d.label or "dim_%d" % i)
                dims.append(dname)
                if len(d):
                    coords[dname] = (np.asarray(d[0][()]), _text(d[0].attrs.get("units", "")))
            a = _attrs(obj)
            out[name] = {"data": np.asarray(obj[()]), "dims": dims, "coords": coords,
                         "units": a.get("units", ""), "description": a.get("description", "")}
        f["fields"].visititems(visit)
    return out


def load_xarray(path, failed="keep"):
    """xarray Dataset: params, results, status and error along `case`; curves
    as 2-D variables "curve.<name>" along (case, insertion_point) or (case,
    time); fields (if any) as "field.<name>" on their own dimensions. Every
    variable has attrs units and description; the Dataset has the root
    attributes."""
    xr = _require("xarray")
    df = load(path, failed=failed)
    case = df.index.values
    coords = {"case": ("case", case, {"units": "1", "description": "case index"})}
    variables = {}
    for c in df.columns:
        vals = df[c].values
        if vals.dtype == object:
            vals = vals.astype(str)
        variables[c] = ("case", vals, {"units": df.attrs["units"].get(c, ""),
                                      "description": df.attrs["descriptions"].get(c, "")})
    with _open(path) as f:
        names = _curve_names(f)
    for name in names:
        cv = load_curves(path, name, failed=failed)
        axis = cv.attrs["axis"]
        if axis not in coords:
            coords[axis] = (axis, np.asarray(cv.columns.values),
                            {"units": cv.attrs["axis_units"]})
        variables["curve." + name] = (("case", axis), cv.values,
                                      {"units": cv.attrs["units"],
                                       "description": cv.attrs["description"]})
    for name, fl in load_fields(path).items():
        dims = tuple(fl["dims"])
        for d in dims:
            if d in fl["coords"] and d not in coords:
                v, u = fl["coords"][d]
                coords[d] = (d, v, {"units": u})
        variables["field." + name.replace("/", ".")] = (dims, fl["data"], {
            "units": fl["units"], "description": fl["description"]})
    ds = xr.Dataset(variables, coords=coords)
    for k, v in df.attrs.items():
        if k in ("units", "descriptions"):
            continue
        ds.attrs[k] = ", ".join(v) if isinstance(v, list) else v
    return ds


# ---- units ---------------------------------------------------------------------

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


def display_unit(units, values=None, name=""):
    """(factor, label): divide SI values by factor to show them in `label`.

    The unit is chosen so that a typical (median absolute, finite, non-zero)
    value is >= 1 in it; permeabilities are shown in cm/h, the unit of the
    Potts-Guy correlation."""
    units = (units or "").strip()
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


# ---- command line ---------------------------------------------------------------


def _fmt(v):
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "no result"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return "%.4g" % v
    return str(v)


def summary(path):
    """Text summary: file, counts, swept parameters and key results."""
    df = load(path)
    a = df.attrs
    n = len(df)
    counts = df["status"].value_counts()
    lines = [
        "file      %s" % path,
        "run       %s   schema %s   needlesim %s (%s)" % (a.get("run_name", ""), a.get("schema", "?"),
                                                        a.get("program_version", "?"),
                                                        a.get("git_commit", "?")),
        "created   %s   config hash %s   sweep %s" % (a.get("created_utc", "?"), a.get("config_hash", "?"),
                                                     a.get("sweep_mode", "?")),
        "cases     %d: %d ok, %d failed, %d pending" % (n, counts.get("ok", 0), counts.get("failed", 0),
                                                       counts.get("pending", 0)),
    ]
    if a["swept"]:
        lines.append("swept:")
        for p in a["swept"]:
            col = df[p]
            if col.dtype == object:
                lines.append("  %-28s %s" % (p, ", ".join(map(str, sorted(col.dropna().unique())))))
            else:
                f, u = display_unit(a["units"].get(p, ""), col.values, p)
                lines.append("  %-28s %s .. %s %s (%d values)" % (p, _fmt(col.min() / f),
                                                               _fmt(col.max() / f), u, col.nunique()))
    ok = df[df["status"] == "ok"]
    lines.append("key results over the %d ok cases:" % len(ok))
    lines.append("  %-24s %-12s %10s %10s %10s %8s" % ("result", "unit", "min", "median", "max", "defined"))
    for r in KEY_RESULTS + [r for r in a["results"] if r not in KEY_RESULTS]:
        if r not in df:
            continue
        v = ok[r].astype(float)
        fin = v[np.isfinite(v)]
        f, u = display_unit(a["units"].get(r, ""), fin.values, r)
        if fin.empty:
            lines.append("  %-24s %-12s %10s %10s %10s %4d/%-3d" % (r, u, "-", "-", "-", 0, len(v)))
        else:
            lines.append("  %-24s %-12s %10s %10s %10s %4d/%-3d" % (
                r, u, _fmt(fin.min() / f), _fmt(fin.median() / f), _fmt(fin.max() / f), len(fin), len(v)))
        if r == KEY_RESULTS[-1]:
            lines.append("  (other results)")
    bad = df[df["status"] == "failed"]
    if len(bad):
        lines.append("failed cases:")
        for c, row in bad.head(20).iterrows():
            lines.append("  case %d: %s" % (c, row["error"] or "(no reason recorded)"))
        if len(bad) > 20:
            lines.append("  ... and %d more" % (len(bad) - 20))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="needlesim.py", description="Read needlesim HDF5 output.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("summary", help="print cases, ok/failed counts and key results")
    s.add_argument("file")
    c = sub.add_parser("csv", help="write one row per case as CSV (SI units)")
    c.add_argument("file")
    c.add_argument("-o", "--output", required=True)
    c.add_argument("--failed", choices=["keep", "drop", "only"], default="keep")
    c.add_argument("--units-in-header", action="store_true",
                   help='column names like "needle.length [m]"')
    a = ap.parse_args(argv)
    try:
        if a.cmd == "summary":
            print(summary(a.file))
        else:
            df = load(a.file, failed=a.failed)
            if a.units_in_header:
                df = df.rename(columns={k: ("%s [%s]" % (k, u) if u else k)
                                        for k, u in df.attrs["units"].items()})
            df.to_csv(a.output)
            print("needlesim: wrote %s (%d rows, %d columns)" % (a.output, len(df), df.shape[1]))
    except (NeedlesimError, ValueError) as e:
        print(str(e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
