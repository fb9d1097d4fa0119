"""Read a needlesim HDF5 file (schema needlesim-1) into pandas or xarray.

    import needlesim
    df = needlesim.load("outputs/default.h5")            # pandas, one row per case
    ds = needlesim.load_xarray("outputs/default.h5")     # xarray, dims case/time/insertion_point
    F = needlesim.load_curves("outputs/default.h5", "insertion_force")

Schema needlesim-1 (written by sim/output.c, documented in outputs/README.md):
root attributes schema, program_version, git_commit, created_utc, config,
config_hash, n_cases, sweep_mode, seed; /params/<section.key> [case] float64 or
strings (enumerations); /results/<name> [case] float64 (NaN = undefined);
/status [case] int8 (0 pending, 1 ok, 2 failed); /error [case] strings;
/curves/<name> [case, insertion_point] or [case, time] with the dimension
scales /curves/insertion_point and /curves/time; /case; optional /fields/...
Every dataset carries `units` and `description` attributes (and, where the
writer adds them, the CF attributes `long_name`, `flag_values` and
`flag_meanings`, which are used when present). Values are SI.

Analyst conventions of load():
- every parameter of every case: the swept ones are columns (from /params);
  the others come from the resolved config text (root attribute `config`,
  case 0 in SI) into df.attrs["constants"] or, with constants="columns",
  as constant columns. Keys filled by a swept preset (needle.* when
  needle.preset is swept, ...) differ between cases but are written for
  case 0 only, so they are left out and listed in df.attrs["preset_dependent"];
- `status` is categorical (pending, ok, failed), `error` a string column;
- `deepest_layer` holds layer names (categorical; the code stays in
  `deepest_layer_code`), from the dataset's flag_meanings when present;
- files are opened with HDF5 file locking off (h5py locking=False), so a
  partial file can be read while `needlesim run` is still writing it: the
  rows of cases not yet written have status "pending".

Only h5py and numpy are needed at import time; pandas and xarray are imported
when load() / load_xarray() are called and a missing one is reported clearly.
"""
import os
import re

import numpy as np

try:
    import h5py
except ImportError:  # pragma: no cover - reported when a file is opened
    h5py = None

SCHEMA = "needlesim-1"
STATUS_TEXT = {0: "pending", 1: "ok", 2: "failed"}
# Results shown first in summaries, tables and reports (names from sim/results.h).
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


def _h5file(path):
    """h5py.File opened read-only without HDF5's file lock (h5py >= 3.5), so
    a file that `needlesim run` holds open for writing can be read."""
    try:
        return h5py.File(path, "r", locking=False)
    except TypeError:  # h5py < 3.5 has no locking argument; the environment may
        os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")  # still turn it off
        return h5py.File(path, "r")


def _open(path):
    if h5py is None:
        _require("h5py")
    if not os.path.exists(path):
        raise NeedlesimError("needlesim: no such file: %s" % path)
    try:
        f = _h5file(path)
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


def parse_config(text):
    """The resolved config text (root attribute `config`) as
    ({"section.key": (value, units)}, sweep) where value is a float (SI) or a
    string and sweep is {"mode", "samples", "seed", "axes": [keys in order]}."""
    keys, sweep = {}, {"mode": "none", "samples": 0, "seed": 0, "axes": []}
    section = None
    for line in str(text or "").splitlines():
        s = line.split(";")[0].split("#")[0].strip()
        m = re.match(r"^\[(\w+)\]$", s)
        if m:
            section = m.group(1)
            continue
        if section is None or "=" not in s:
            continue
        k, v = (t.strip() for t in s.split("=", 1))
        if section == "sweep":
            if k in ("samples", "seed"):
                sweep[k] = int(float(v))
            elif k == "mode":
                sweep["mode"] = v
            else:
                sweep["axes"].append(k)
            continue
        num, _, unit = v.partition(" ")
        try:
            keys[section + "." + k] = (float(num), unit.strip())
        except ValueError:
            keys[section + "." + k] = (v, "")
    if sweep["axes"] and sweep["mode"] == "none":
        sweep["mode"] = "grid"
    return keys, sweep


def _categorical_sections(df, params):
    """{section: swept categorical key} for sections with a swept preset,
    mode, shape or layout: their other keys may differ between cases."""
    out = {}
    for p in params:
        if p in df and df[p].dtype == object and df[p].nunique(dropna=True) > 1:
            out.setdefault(p.split(".", 1)[0], p)
    return out


def _flag_names(ds):
    """{code: name} from a dataset's CF flag_values and flag_meanings
    (underscores read as spaces), or None when it has none."""
    a = ds.attrs
    if "flag_values" in a and "flag_meanings" in a:
        vals = np.atleast_1d(np.asarray(a["flag_values"])).tolist()
        names = str(_text(a["flag_meanings"])).split()
        if len(vals) == len(names):
            return {int(v): n.replace("_", " ") for v, n in zip(vals, names)}
    return None


def _layer_names(ds):
    """{code: name} of a coded layer dataset: its CF flags when present,
    else the built-in table."""
    return _flag_names(ds) or dict(LAYER_NAMES)


def load(path, failed="keep", constants="attrs"):
    """One row per case: params ("needle.length" ...), results, status, error.

    failed: "keep" (all rows), "drop" (remove failed cases) or "only".
    constants: "attrs" (the parameters that are the same in every case go to
    df.attrs["constants"] as {key: SI value}) or "columns" (also as constant
    columns). df.attrs also holds "units" and "descriptions" (dicts by
    column), "params" and "results" (column lists), "swept" (params that
    vary), "sweep" ({mode, samples, seed, axes}), "case0_values" (keys that
    a swept preset or mode may change, with their value in case 0) and the
    file's root attributes (schema, program_version, config_hash, ...).
    `status` is categorical, `deepest_layer` holds layer names (code in
    `deepest_layer_code`). Index: case id.
    """
    pd = _require("pandas")
    if constants not in ("attrs", "columns"):
        raise ValueError("constants must be 'attrs' or 'columns', not %r" % (constants,))
    with _open(path) as f:
        status = np.asarray(f["status"][()], dtype=np.int64)
        keep = _keep_mask(status, failed)
        cols, units, desc, params, results = {}, {}, {}, [], []
        layers = None
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
                desc[name] = a.get("description") or a.get("long_name", "")
                names.append(name)
                if name == "deepest_layer":
                    layers = _layer_names(ds)
        names_st = _flag_names(f["status"]) or STATUS_TEXT
        cols["status"] = pd.Categorical(
            [names_st.get(int(s), "unknown(%d)" % s) for s in status[keep]],
            categories=[names_st[k] for k in sorted(names_st)])
        units["status"], desc["status"] = "", "pending, ok or failed"
        if "error" in f:
            err = np.array(_strings(f["error"][()]), dtype=object)[keep]
        else:
            err = np.array([""] * int(keep.sum()), dtype=object)
        cols["error"] = pd.array(err, dtype="string")
        units["error"], desc["error"] = "", "why a case failed ('' if ok)"
        index = pd.Index(_case_ids(f)[keep], name="case")
        df = pd.DataFrame(cols, index=index)
        attrs = _root_attrs(f, path)
    if layers is not None:
        code = df["deepest_layer"].astype(float)
        df["deepest_layer_code"] = code
        df["deepest_layer"] = pd.Categorical(
            [layers.get(int(c), "code %d" % int(c)) if np.isfinite(c) else None for c in code],
            categories=[layers[k] for k in sorted(layers)])
        units["deepest_layer_code"] = units.get("deepest_layer", "")
        desc["deepest_layer_code"] = "code of deepest_layer (%s)" % ", ".join(
            "%d %s" % kv for kv in sorted(layers.items()))
        results.append("deepest_layer_code")
    config, sweep = parse_config(attrs.get("config", ""))
    varying = _categorical_sections(df, params)
    const, case0 = {}, {}
    for key, (value, unit) in config.items():
        if key in df.columns:
            continue
        section = key.split(".", 1)[0]
        if section in varying:
            case0[key] = value
        else:
            const[key] = value
        units.setdefault(key, unit)
    if constants == "columns" and const:
        extra = pd.DataFrame({k: [v] * len(df) for k, v in const.items()}, index=df.index)
        df = pd.concat([df, extra], axis=1)
        params = params + [k for k in const if k not in params]
    df.attrs.update(attrs)
    df.attrs["units"] = units
    df.attrs["descriptions"] = desc
    df.attrs["params"] = params
    df.attrs["results"] = results
    df.attrs["swept"] = swept(df, params)
    df.attrs["sweep"] = sweep
    df.attrs["constants"] = const
    df.attrs["case0_values"] = case0
    df.attrs["case0_because"] = {s: k for s, k in varying.items()}
    df.attrs["failed_filter"] = failed
    return df


def check_result(df, name, what="result"):
    """ValueError unless df has a column `name`: the message lists the
    results and names the nearest one."""
    if name in df.columns:
        return name
    import difflib
    results = df.attrs.get("results", [])
    near = difflib.get_close_matches(name, results, n=1)
    raise ValueError("no %s '%s'%s; results: %s" % (
        what, name, ("; did you mean '%s'?" % near[0]) if near else "", ", ".join(results)))


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


def _identifier(name):
    # a double underscore: "channel.half_life" must not become the result
    # "channel_half_life"
    return name.replace(".", "__")


def _renames(names):
    """{dotted name: identifier} for names, refusing a clash."""
    names = set(map(str, names))
    mapping = {n: _identifier(n) for n in names if "." in n}
    for old, new in mapping.items():
        if new in names:
            raise ValueError("identifiers: %r would clash with %r" % (old, new))
    return mapping


def identifiers(obj):
    """A copy of a DataFrame from load() or a Dataset from load_xarray()
    whose names are Python identifiers: the config key spelling
    "skin.dermis.thickness" becomes "skin__dermis__thickness" (and
    "curve.insertion_force" "curve__insertion_force"; a double underscore,
    since "channel.half_life" and the result "channel_half_life" both
    exist), so that attribute
    access, DataFrame.query and tools that refuse dots work. The file and the
    default loaders keep the key spelling, which is the stable interface; the
    name lists and dicts in a DataFrame's attrs follow the new names."""
    if hasattr(obj, "data_vars"):  # xarray Dataset
        return obj.rename(_renames(set(obj.variables) | set(obj.dims)))
    mapping = _renames(obj.columns)
    out = obj.rename(columns=mapping)
    attrs = {}
    for k, v in obj.attrs.items():
        if isinstance(v, dict):
            v = {mapping.get(a, a) if isinstance(a, str) else a: b for a, b in v.items()}
        elif isinstance(v, list):
            v = [mapping.get(a, a) if isinstance(a, str) else a for a in v]
        attrs[k] = v
    out.attrs = attrs
    return out


def load_xarray(path, failed="keep", unstack=False):
    """xarray Dataset: params, results, status and error along `case`; curves
    as 2-D variables "curve.<name>" along (case, insertion_point) or (case,
    time); fields (if any) as "field.<name>" on their own dimensions; the
    parameters that are the same in every case as 0-d variables. Every
    variable has attrs units and description; the Dataset has the root
    attributes.

    unstack=True (grid sweeps, all cases): the `case` dimension becomes one
    dimension per sweep axis, in the order of [sweep] (ds.sel(**{
    "needle.length": 6e-4}) then picks a slice); `case_id` keeps the case
    index. Other sweep modes have no axes to unstack: NeedlesimError."""
    xr = _require("xarray")
    df = load(path, failed=failed)
    case = df.index.values
    coords = {"case": ("case", case, {"units": "1", "description": "case index"})}
    variables = {}
    for c in df.columns:
        col = df[c]
        if col.dtype.name in ("category", "string") or col.dtype == object:
            vals = np.array(["" if v is None or v is np.nan or (isinstance(v, float) and v != v)
                             else str(v) for v in col.astype(object)])
        else:
            vals = col.values
        variables[c] = ("case", vals, {"units": df.attrs["units"].get(c, ""),
                                      "description": df.attrs["descriptions"].get(c, "")})
    for k, v in df.attrs["constants"].items():
        if k not in variables:
            variables[k] = ((), v, {"units": df.attrs["units"].get(k, ""),
                                    "description": "same in every case (resolved config)"})
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
        if k in ("units", "descriptions", "constants", "case0_values", "case0_because"):
            continue
        if k == "sweep":
            ds.attrs["sweep_axes"] = ", ".join(v["axes"])
            continue
        ds.attrs[k] = ", ".join(v) if isinstance(v, list) else v
    if unstack:
        ds = _unstack(ds, df, path)
    return ds


def _unstack(ds, df, path):
    sweep = df.attrs["sweep"]
    if sweep["mode"] != "grid" or not sweep["axes"]:
        raise NeedlesimError(
            "needlesim: %s is a %s sweep: unstack=True needs a grid sweep (axes of a %s design "
            "do not form a grid); use the case dimension" % (path, sweep["mode"], sweep["mode"]))
    axes = [a for a in sweep["axes"] if a in ds]
    if df.attrs.get("failed_filter", "keep") != "keep":
        raise NeedlesimError("needlesim: unstack=True needs every case (failed='keep')")
    ds = ds.assign(case_id=("case", ds["case"].values, {"units": "1",
                                                          "description": "case index"}))
    attrs = {a: ds[a].attrs for a in axes}
    # Every case has a row (failed='keep'), so no cell is filled; numpy only
    # warns about the NaN fill value xarray prepares for integer variables.
    with np.errstate(invalid="ignore"):
        ds = ds.set_coords(axes).drop_vars("case").set_index(case=axes).unstack("case")
    for a in axes:
        ds[a].attrs.update(attrs[a])
    return ds
