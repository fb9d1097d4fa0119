"""Design questions: inverse design by bisection, and Pareto fronts.

Inverse design (find()). Which value of one key meets a requirement, e.g.
the shortest needle whose 10th-percentile case reaches the dermis at a hand
force of at most 10 N:

    python3 -m needlesim find inputs/default.ini --key needle.length \
        --lo 200um --hi 1.5mm --require "deepest_layer >= dermis" \
        --require "total_force <= 10 N" --stat p10 --trail outputs/find.h5

Each trial runs the binary on the config with `--set KEY=VALUE` (every case
of the config's own sweep: the spread the requirement must hold over), and
the requirement holds when every condition holds for the chosen statistic
over the ok cases (`all`: every case; `min`, `p10`, `median`, `p90`, `max`).
The requirement must change once between lo and hi (monotone in the key):
 1. bracket: run lo and hi; if both give the same outcome, widen the far end
    by the interval's width (or its ratio with --log) up to `expand` times;
 2. bisect: halve the bracket (geometric mean with --log) until it is
    narrower than tol (default 1e-3 of the starting width) or max_runs.
The answer is the end of the final bracket that meets the requirement: the
smallest such value when the requirement holds at the high end
(`lo fails, hi holds`), the largest when it holds at the low end. Every run
is a row of the trail file (HDF5, /trail/<column> [run]; attributes key,
unit, requirement, statistic, config, answer, status), written after each
run, so an interrupted search leaves its trail.

Pareto fronts (pareto_front()). Among the ok cases with finite objectives,
case a dominates b when a is at least as good in every objective and better
in one ("max:permeated_amount" is better when larger, "min:total_force"
when smaller); the front is the set of cases no other case dominates.
"""
import os
import re
import subprocess
import tempfile

import numpy as np

from .loader import NeedlesimError, check_result, load, parse_config
from .units import display_unit, label, parse_quantity

STATS = ("all", "min", "p10", "median", "p90", "max")
_OPS = {">=": np.greater_equal, "<=": np.less_equal, ">": np.greater, "<": np.less}


# ---- requirements ------------------------------------------------------------------


def parse_condition(text):
    """("penetration_depth", ">=", "500 um") from "penetration_depth >= 500 um"."""
    m = re.match(r"^\s*([A-Za-z_][\w.]*)\s*(>=|<=|>|<)\s*(.+?)\s*$", str(text))
    if not m:
        raise ValueError("requirement %r: expected RESULT OP VALUE with OP one of >=, <=, >, < "
                         "(e.g. 'total_force <= 10 N')" % (text,))
    return m.group(1), m.group(2), m.group(3)


def _target_value(df, result, value):
    """SI value of a requirement's right-hand side; for deepest_layer a layer
    name ("dermis"), compared by depth order."""
    if result == "deepest_layer":
        cats = list(df["deepest_layer"].cat.categories)
        names = {c.replace(" ", "_"): i for i, c in enumerate(cats)}
        key = value.strip().replace(" ", "_")
        if key in names:   # categories are in code order: compare positions
            return float(names[key])
        raise ValueError("deepest_layer %r: expected one of %s" % (value, ", ".join(names)))
    return parse_quantity(value)


def _statistic(x, stat):
    x = np.asarray(x, dtype=float)
    if stat == "min":
        return np.min(x)
    if stat == "max":
        return np.max(x)
    if stat == "median":
        return np.median(x)
    if stat == "p10":
        return np.percentile(x, 10)
    if stat == "p90":
        return np.percentile(x, 90)
    raise ValueError("statistic %r: allowed %s" % (stat, ", ".join(STATS)))


def evaluate(df, conditions, stat="all"):
    """(holds, values): does every condition hold over the ok cases of df?
    values[i] is the statistic of condition i's result (for `all`, the
    case value worst for that condition)."""
    ok = df[df["status"].astype(str) == "ok"]
    if stat not in STATS:
        raise ValueError("statistic %r: allowed %s" % (stat, ", ".join(STATS)))
    holds, values = bool(len(ok)), []
    for result, op, rhs in conditions:
        check_result(df, result)
        target = _target_value(df, result, rhs)
        if result != "deepest_layer":
            x = ok[result].astype(float).values
        else:
            cats = list(df["deepest_layer"].cat.categories)
            x = np.array([cats.index(v) if isinstance(v, str) and v in cats else np.nan
                          for v in ok["deepest_layer"].astype(object)], dtype=float)
        if x.size == 0 or not np.all(np.isfinite(x)):
            holds = False
            values.append(float("nan"))
            continue
        if stat == "all":
            v = np.min(x) if op in (">=", ">") else np.max(x)
        else:
            v = _statistic(x, stat)
        values.append(float(v))
        holds = holds and bool(_OPS[op](v, target))
    return holds, values


# ---- bracketing and bisection ------------------------------------------------------------


def _split_quantity(text):
    m = re.match(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$", str(text))
    if not m:
        raise ValueError("not a quantity: %r" % (text,))
    return float(m.group(1)), m.group(2)


class _Trail:
    """The trail file, rewritten after every run."""

    COLUMNS = ("run", "value", "holds", "exit_code")

    def __init__(self, path, meta, conditions):
        self.path, self.meta, self.conditions = path, dict(meta), conditions
        self.rows = []

    def add(self, row):
        self.rows.append(row)
        self.write()

    def write(self, **extra):
        import h5py
        self.meta.update(extra)
        tmp = self.path + ".new"
        with h5py.File(tmp, "w") as f:
            for k, v in self.meta.items():
                f.attrs[k] = v
            g = f.create_group("trail")
            n = len(self.rows)
            g.create_dataset("run", data=np.arange(n, dtype=np.int64))
            d = g.create_dataset("value", data=np.array([r["value"] for r in self.rows], float))
            d.attrs["units"] = self.meta.get("unit", "")
            d.attrs["description"] = "value of %s in this run" % self.meta.get("key", "")
            d = g.create_dataset("holds", data=np.array([r["holds"] for r in self.rows], np.int8))
            d.attrs["description"] = "1 if the requirement held, else 0"
            d = g.create_dataset("exit_code", data=np.array([r["rc"] for r in self.rows],
                                                            np.int64))
            d.attrs["description"] = "exit code of needlesim run"
            d = g.create_dataset("n_ok", data=np.array([r["n_ok"] for r in self.rows], np.int64))
            d.attrs["description"] = "ok cases of the run"
            for i, (res, op, rhs) in enumerate(self.conditions):
                d = g.create_dataset("condition_%d" % i,
                                     data=np.array([r["values"][i] for r in self.rows], float))
                d.attrs["description"] = "%s of %s (requirement %s %s %s)" % (
                    self.meta.get("statistic", ""), res, res, op, rhs)
                d.attrs["result"] = res
        os.replace(tmp, self.path)


def find(config, key, lo, hi, requirements, stat="all", log=False, tol=None, max_runs=30,
         expand=3, trail=None, binary="needlesim", extra_sets=(), timeout=3600, echo=None):
    """Bracket and bisect one key (see the module text). lo/hi are quantities
    with the key's unit ("200 um"). Returns a dict: answer (in lo's unit or
    None), unit, holds_at ("low" or "high"), runs (list of dicts), trail."""
    conditions = [parse_condition(r) for r in requirements]
    if not conditions:
        raise ValueError("at least one --require RESULT OP VALUE is needed")
    if stat not in STATS:
        raise ValueError("statistic %r: allowed %s" % (stat, ", ".join(STATS)))
    with open(config, encoding="utf-8") as fh:
        axes = parse_config(fh.read())[1]["axes"]
    if key in axes:
        raise ValueError("%s is a sweep axis of %s; the searched key must be fixed in each run "
                         "(take it out of [sweep])" % (key, config))
    a, unit = _split_quantity(lo)
    b, unit_b = _split_quantity(hi)
    if unit_b != unit:
        b = b * parse_quantity("1 " + unit_b) / parse_quantity("1 " + unit) if unit else b
    if not a < b:
        raise ValueError("--lo %s must be below --hi %s" % (lo, hi))
    if log and a <= 0:
        raise ValueError("--log needs a positive --lo, got %s" % lo)
    width0 = (np.log(b / a) if log else b - a)
    tol = float(tol) if tol is not None else 1e-3 * width0
    trail = trail or os.path.splitext(os.path.basename(config))[0] + "_find.h5"
    tr = _Trail(trail, {"key": key, "unit": unit, "config": os.path.abspath(config),
                        "requirement": " and ".join("%s %s %s" % c for c in conditions),
                        "statistic": stat, "lo": lo, "hi": hi, "scale": "log" if log else "lin",
                        "status": "running"}, conditions)
    tmpdir = tempfile.mkdtemp(prefix="needlesim-find-")
    runs = []

    def run(v):
        if len(runs) >= max_runs:
            raise NeedlesimError("needlesim: find: %d runs without reaching tol" % max_runs)
        out = os.path.join(tmpdir, "run%03d.h5" % len(runs))
        cmd = [binary, "run", config, "-o", out, "--quiet", "--set",
               "%s=%.10g %s" % (key, v, unit)]
        for s in extra_sets:
            cmd += ["--set", s]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        row = {"value": v, "rc": p.returncode, "values": [float("nan")] * len(conditions),
               "holds": False, "n_ok": 0}
        if p.returncode == 2 or not os.path.exists(out):
            tr.add(row)
            raise NeedlesimError("needlesim: find: %s = %.6g %s: needlesim run exit %d: %s"
                                 % (key, v, unit, p.returncode, p.stderr.strip()[-400:]))
        df = load(out)
        row["n_ok"] = int((df["status"].astype(str) == "ok").sum())
        row["holds"], row["values"] = evaluate(df, conditions, stat)
        os.remove(out)
        runs.append(row)
        tr.add(row)
        if echo:
            echo("run %2d: %s = %.6g %s: %s" % (len(runs), key, v, unit,
                                                "meets" if row["holds"] else "fails"))
        return row["holds"]

    def mid(x, y):
        return float(np.sqrt(x * y)) if log else 0.5 * (x + y)

    def width(x, y):
        return np.log(y / x) if log else y - x

    try:
        ha, hb = run(a), run(b)
        n_exp = 0
        while ha == hb and n_exp < expand:
            n_exp += 1
            if ha:   # both meet: the change lies below lo
                a = a * a / b if log else a - (b - a)
                ha = run(a)
            else:    # both fail: the change lies above hi
                b = b * b / a if log else b + (b - a)
                hb = run(b)
        if ha == hb:
            tr.write(status="no bracket", answer=float("nan"))
            raise NeedlesimError(
                "needlesim: find: the requirement %s at both ends [%.6g, %.6g] %s (after %d "
                "widenings): no change to bracket"
                % ("holds" if ha else "fails", a, b, unit, n_exp))
        while width(a, b) > tol:
            m = mid(a, b)
            if run(m) == ha:
                a = m
            else:
                b = m
        answer = b if hb else a
        tr.write(status="ok", answer=answer, bracket_lo=a, bracket_hi=b)
    finally:
        for fn in os.listdir(tmpdir):
            os.remove(os.path.join(tmpdir, fn))
        os.rmdir(tmpdir)
    return {"answer": answer, "unit": unit, "holds_at": "high" if hb else "low",
            "bracket": (a, b), "runs": runs, "trail": trail}


# ---- Pareto fronts ---------------------------------------------------------------------


def parse_objectives(spec):
    """[("max", "permeated_amount"), ("min", "total_force")] from
    "max:permeated_amount,min:total_force" (or a list of such items)."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out = []
    for it in items:
        sense, _, name = it.strip().partition(":")
        if sense not in ("min", "max") or not name:
            raise ValueError("objective %r: expected min:RESULT or max:RESULT" % (it,))
        out.append((sense, name.strip()))
    if not 2 <= len(out) <= 3:
        raise ValueError("a Pareto front needs 2 or 3 objectives, got %d" % len(out))
    return out


def pareto_mask(values, senses):
    """Boolean mask of the non-dominated rows of values [n, m] (senses: min/max)."""
    v = np.asarray(values, dtype=float).copy()
    for j, s in enumerate(senses):
        if s == "max":
            v[:, j] = -v[:, j]
    n = v.shape[0]
    front = np.ones(n, dtype=bool)
    for i in range(n):
        if not front[i]:
            continue
        dominated = np.all(v <= v[i], axis=1) & np.any(v < v[i], axis=1)
        if dominated.any():
            front[i] = False
    return front


def pareto_front(path_or_df, objectives):
    """The Pareto-optimal ok cases: DataFrame of the swept parameters and the
    objectives, sorted by the first objective (best first); attrs:
    objectives, n_candidates (ok cases with finite objectives)."""
    df = load(path_or_df) if isinstance(path_or_df, str) else path_or_df
    objs = parse_objectives(objectives)
    for _, name in objs:
        check_result(df, name, "objective")
    names = [n for _, n in objs]
    ok = df[df["status"].astype(str) == "ok"]
    vals = ok[names].astype(float)
    ok = ok[np.all(np.isfinite(vals.values), axis=1)]
    mask = pareto_mask(ok[names].astype(float).values, [s for s, _ in objs])
    cols = [p for p in df.attrs.get("swept", []) if p in ok.columns] + names
    out = ok.loc[mask, cols].sort_values(names[0], ascending=objs[0][0] == "min")
    out.attrs.update({"objectives": objs, "n_candidates": len(ok),
                      "units": df.attrs.get("units", {})})
    out.attrs["all"] = ok[cols]
    return out


def plot_pareto(front, out, title=""):
    """Scatter of every candidate and the front (2 objectives; a third is the
    colour). Returns out."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    objs = front.attrs["objectives"]
    units = front.attrs.get("units", {})
    allc = front.attrs["all"]
    (sx, nx), (sy, ny) = objs[0], objs[1]
    lx, fx = label(nx, units.get(nx, ""), allc[nx].values)
    ly, fy = label(ny, units.get(ny, ""), allc[ny].values)
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    kw = {}
    if len(objs) == 3:
        nz = objs[2][1]
        lz, fz = label(nz, units.get(nz, ""), allc[nz].values)
        kw = {"c": allc[nz].values / fz, "cmap": "viridis"}
    sc = ax.scatter(allc[nx] / fx, allc[ny] / fy, s=14, alpha=0.45, label="cases", **kw)
    f2 = front.sort_values(nx)
    ax.plot(f2[nx] / fx, f2[ny] / fy, "o-", color="crimson", mfc="none", ms=8, lw=1.2,
            label="Pareto front (%d)" % len(front))
    if kw:
        fig.colorbar(sc, ax=ax, label=lz)
    ax.set_xlabel("%s (%s)" % (lx, "higher is better" if sx == "max" else "lower is better"))
    ax.set_ylabel("%s (%s)" % (ly, "higher is better" if sy == "max" else "lower is better"))
    ax.set_title(title or "Pareto front", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def format_front(front):
    """The front as a text table in display units."""
    units = front.attrs.get("units", {})
    cols = list(front.columns)
    heads, facs = [], []
    for c in cols:
        if front[c].dtype == object:
            heads.append(c)
            facs.append(None)
        else:
            f, u = display_unit(units.get(c, ""), front[c].values, c)
            heads.append("%s [%s]" % (c, u) if u and u != "-" else c)
            facs.append(f)
    w = [max(len(h), 10) for h in heads]
    lines = ["case  " + "  ".join(h.rjust(wi) for h, wi in zip(heads, w))]
    for case, row in front.iterrows():
        cells = [(str(row[c]) if f is None else "%.4g" % (row[c] / f)).rjust(wi)
                 for c, f, wi in zip(cols, facs, w)]
        lines.append("%4d  " % case + "  ".join(cells))
    return "\n".join(lines)
