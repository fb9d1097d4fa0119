"""Standard plots of a needlesim HDF5 file (PNG, matplotlib Agg backend).

    python3 scripts/plots.py FILE -o DIR [--by needle.length]

or from Python:

    import sys; sys.path.insert(0, "scripts"); import plots
    plots.plot_all("outputs/default.h5", "outputs/plots")

Every function takes a file path (or a Data object from plots.Data(path)), the
output PNG path and options; it returns the PNG path, or None when the plot
does not apply to this file (the reason is in data.skipped). Axes are in
readable units (mm, µm, mN, µg/cm², h) chosen from the data by
units.display_unit; the data themselves stay SI.

  plot_force_displacement  insertion_force vs insertion_travel, one line per case
  plot_penetration         penetration depth and inserted fraction against the
                           swept needle length, array density and applicator speed
  plot_dose                cumulative permeated amount against time
  plot_enhancement_map     enhancement ratio over two swept parameters
  plot_field               concentration field of one case (when /fields exists)
"""
import argparse
import os
import sys

import numpy as np

from . import loader, units  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import colors as mcolors  # noqa: E402

MAX_LINES = 200          # curves drawn per plot; more cases are sub-sampled evenly
PENETRATION_AXES = ["needle.length", "array.density", "applicator.speed"]
DPI = 110


class Data:
    """A needlesim file loaded once for several plots."""

    def __init__(self, path):
        self.path = path
        self.df = loader.load(path)
        self.units = self.df.attrs["units"]
        self.swept = self.df.attrs["swept"]
        self._curves = {}
        self._fields = None
        self.skipped = {}

    def curve(self, name):
        if name not in self._curves:
            try:
                self._curves[name] = loader.load_curves(self.path, name)
            except loader.NeedlesimError:
                self._curves[name] = None
        return self._curves[name]

    @property
    def fields(self):
        if self._fields is None:
            self._fields = loader.load_fields(self.path)
        return self._fields

    def ok(self):
        return self.df[self.df["status"] == "ok"]

    def default_by(self):
        dev = loader.device_params(self.df)
        if dev:
            return dev[0]
        return self.swept[0] if self.swept else None


def _data(src):
    return src if isinstance(src, Data) else Data(src)


def _title(data, text):
    name = data.df.attrs.get("run_name", "")
    return f"{text} — {name}" if name else text


def _value_text(data, by, v):
    if isinstance(v, str):
        return v
    f, u = units.display_unit(data.units.get(by, ""), data.df[by].values, by)
    u = "" if u in ("-", "") else " " + u
    return "%.4g%s" % (v / f, u)


def _colour_map(data, by, rows):
    """case -> colour, plus a function that adds the legend or colour bar."""
    if by is None or by not in data.df:
        return (lambda c: "C0"), (lambda ax, fig: None)
    vals = data.df.loc[rows, by]
    uniq = sorted(vals.dropna().unique(), key=lambda x: (isinstance(x, str), x))
    if len(uniq) <= 10 or vals.dtype == object:
        cmap = plt.get_cmap("tab10" if len(uniq) <= 10 else "tab20")
        col = {u: cmap(i % cmap.N) for i, u in enumerate(uniq)}

        def legend(ax, fig):
            from matplotlib.lines import Line2D
            handles = [Line2D([], [], color=col[u], lw=2, label=_value_text(data, by, u)) for u in uniq]
            ax.legend(handles=handles, title=by, fontsize=8, title_fontsize=8, loc="best")
        return (lambda c: col.get(data.df.at[c, by], "grey")), legend
    f, u = units.display_unit(data.units.get(by, ""), vals.values, by)
    v = vals.values.astype(float) / f
    lo, hi = np.nanmin(v), np.nanmax(v)
    norm = (mcolors.LogNorm(lo, hi) if lo > 0 and hi / lo > 20 else mcolors.Normalize(lo, hi))
    cmap = plt.get_cmap("viridis")

    def colourbar(ax, fig):
        sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
        fig.colorbar(sm, ax=ax, label=f"{by} [{u}]" if u not in ("", "-") else by)
    return (lambda c: cmap(norm(float(data.df.at[c, by]) / f))), colourbar


def _subsample(index):
    idx = list(index)
    if len(idx) <= MAX_LINES:
        return idx, ""
    keep = np.linspace(0, len(idx) - 1, MAX_LINES).round().astype(int)
    return [idx[i] for i in keep], f" ({MAX_LINES} of {len(idx)} cases shown)"


def _save(fig, out):
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=DPI)
    plt.close(fig)
    return out


def plot_force_displacement(src, out, by=None):
    """Force per needle against needle travel, one line per ok case."""
    data = _data(src)
    by = by or data.default_by()
    x, y = data.curve("insertion_travel"), data.curve("insertion_force")
    if x is None or y is None:
        data.skipped["force_displacement"] = "no insertion_travel/insertion_force curves"
        return None
    ok = [c for c in data.ok().index
          if np.isfinite(x.loc[c].values).any() and np.isfinite(y.loc[c].values).any()]
    if not ok:
        data.skipped["force_displacement"] = "no ok case has an insertion curve"
        return None
    cases, note = _subsample(ok)
    fx, ux = units.display_unit(x.attrs["units"], [np.nanmax(np.abs(x.loc[cases].values))])
    fy, uy = units.display_unit(y.attrs["units"], [np.nanmax(np.abs(y.loc[cases].values))])
    colour, legend = _colour_map(data, by, cases)
    fig, ax = plt.subplots(figsize=(7.5, 5))
    for c in cases:
        ax.plot(x.loc[c].values / fx, y.loc[c].values / fy, color=colour(c), lw=1.2, alpha=0.85)
    if "puncture_force" in data.df and "puncture_displacement" in data.df:
        pf = data.df.loc[cases, "puncture_force"].astype(float) / fy
        pd_ = data.df.loc[cases, "puncture_displacement"].astype(float) / fx
        ax.plot(pd_, pf, "kx", ms=6, label="puncture")
    ax.set_xlabel(f"needle travel after first contact [{ux}]")
    ax.set_ylabel(f"force per needle [{uy}]")
    ax.set_title(_title(data, "Force-displacement during insertion" + note), fontsize=10)
    ax.grid(alpha=0.3)
    legend(ax, fig)
    fig.tight_layout()
    return _save(fig, out)


def plot_penetration(src, out, by=None):
    """Penetration depth and inserted fraction against each swept axis among
    needle length, array density and applicator speed."""
    data = _data(src)
    df = data.ok()
    axes_ = [p for p in PENETRATION_AXES if p in data.swept and df[p].dtype != object]
    if not axes_:
        data.skipped["penetration"] = "none of %s is swept" % ", ".join(PENETRATION_AXES)
        return None
    ys = [r for r in ("penetration_depth", "inserted_fraction") if r in df]
    if not ys or not np.isfinite(df[ys].astype(float).values).any():
        data.skipped["penetration"] = "no penetration results"
        return None
    by = by or data.default_by()
    fig, axs = plt.subplots(len(ys), len(axes_), figsize=(4.2 * len(axes_) + 1, 3.4 * len(ys)),
                            squeeze=False)
    colour, legend = _colour_map(data, by if by not in axes_ else None, df.index)
    for j, p in enumerate(axes_):
        fx, ux = units.display_unit(data.units.get(p, ""), df[p].values, p)
        xv = df[p].astype(float) / fx
        for i, r in enumerate(ys):
            ax = axs[i][j]
            fy, uy = units.display_unit(data.units.get(r, ""), df[r].values, r)
            yv = df[r].astype(float) / fy
            ax.scatter(xv, yv, c=[colour(c) for c in df.index], s=22, alpha=0.8, zorder=3)
            med = yv.groupby(xv).median()
            ax.plot(med.index, med.values, "k-", lw=1, alpha=0.6, label="median")
            if r == "inserted_fraction":
                ax.axhline(1.0, color="grey", ls=":", lw=1)
                ax.set_ylim(bottom=0)
            if xv.min() > 0 and xv.max() / xv.min() > 20:
                ax.set_xscale("log")
            ax.set_xlabel(f"{p} [{ux}]" if ux not in ("", "-") else p)
            ylab, _ = units.label(r, data.units.get(r, ""), df[r].values)
            ax.set_ylabel(ylab)
            ax.grid(alpha=0.3)
    axs[0][0].legend(fontsize=8, loc="upper left")
    if by and by not in axes_:
        legend(axs[0][-1], fig)
    fig.suptitle(_title(data, "Penetration depth and inserted fraction"), fontsize=11)
    fig.tight_layout()
    return _save(fig, out)


def plot_dose(src, out, by=None):
    """Cumulative permeated amount (delivered dose) against time, per case."""
    data = _data(src)
    q = data.curve("permeated_amount")
    if q is None:
        data.skipped["dose"] = "no permeated_amount curve"
        return None
    ok = [c for c in data.ok().index if np.isfinite(q.loc[c].values).any()]
    if not ok:
        data.skipped["dose"] = "no ok case has a permeation curve"
        return None
    by = by or data.default_by()
    cases, note = _subsample(ok)
    t = np.asarray(q.columns.values, dtype=float)
    ft, ut = units.display_unit(q.attrs["axis_units"] or "s", [np.nanmax(t)])
    fq, uq = units.display_unit(q.attrs["units"], [np.nanmax(np.abs(q.loc[cases].values))])
    colour, legend = _colour_map(data, by, cases)
    fig, ax = plt.subplots(figsize=(7.5, 5))
    for c in cases:
        ax.plot(t / ft, q.loc[c].values / fq, color=colour(c), lw=1.2, alpha=0.85)
    if "intact_permeated_amount" in data.df:
        base = data.df.loc[cases, "intact_permeated_amount"].astype(float)
        if np.isfinite(base).any():
            level = np.nanmedian(base) / fq
            ax.axhline(level, color="k", ls="--", lw=1)
            ax.annotate("intact skin, end of run", (0.01, level), xycoords=("axes fraction", "data"),
                        xytext=(0, 3), textcoords="offset points", fontsize=8)
    ax.set_xlabel(f"time [{ut}]")
    ax.set_ylabel(f"cumulative permeated amount [{uq}]")
    ax.set_title(_title(data, "Delivered dose" + note), fontsize=10)
    ax.grid(alpha=0.3)
    legend(ax, fig)
    fig.tight_layout()
    return _save(fig, out)


def _numeric_swept(data):
    return [p for p in data.swept if data.df[p].dtype != object]


def plot_enhancement_map(src, out, x=None, y=None, result="enhancement_ratio"):
    """Enhancement ratio (median over the other swept parameters) over two
    swept numeric parameters: a heatmap on a grid, else a coloured scatter."""
    data = _data(src)
    num = _numeric_swept(data)
    pref = [p for p in ("needle.length", "array.density") if p in num] + \
        [p for p in num if p not in ("needle.length", "array.density")]
    x = x or (pref[0] if len(pref) > 0 else None)
    y = y or next((p for p in pref if p != x), None)
    if x is None or y is None:
        data.skipped["enhancement_map"] = "fewer than two numeric swept parameters"
        return None
    df = data.ok()
    if result not in df or not np.isfinite(df[result].astype(float)).any():
        data.skipped["enhancement_map"] = f"no {result} results"
        return None
    fx, ux = units.display_unit(data.units.get(x, ""), df[x].values, x)
    fy, uy = units.display_unit(data.units.get(y, ""), df[y].values, y)
    xv, yv = df[x].astype(float) / fx, df[y].astype(float) / fy
    z = df[result].astype(float)
    fig, ax = plt.subplots(figsize=(7, 5.2))
    nx, ny = xv.nunique(), yv.nunique()
    zlabel, _ = units.label(result, data.units.get(result, ""))
    if nx <= 30 and ny <= 30:
        table = z.groupby([yv, xv]).median().unstack()
        im = ax.imshow(table.values, origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(table.shape[1]), ["%.4g" % v for v in table.columns], rotation=0)
        ax.set_yticks(range(table.shape[0]), ["%.4g" % v for v in table.index])
        if table.size <= 100:
            vmax = np.nanmax(table.values) if np.isfinite(table.values).any() else 0
            for (i, j), v in np.ndenumerate(table.values):
                if np.isfinite(v):
                    ax.text(j, i, "%.3g" % v, ha="center", va="center", fontsize=8,
                            color="white" if v < 0.6 * vmax else "black")
    else:
        im = ax.scatter(xv, yv, c=z, cmap="viridis", s=30)
        if xv.min() > 0 and xv.max() / xv.min() > 20:
            ax.set_xscale("log")
        if yv.min() > 0 and yv.max() / yv.min() > 20:
            ax.set_yscale("log")
    fig.colorbar(im, ax=ax, label=zlabel)
    ax.set_xlabel(f"{x} [{ux}]" if ux not in ("", "-") else x)
    ax.set_ylabel(f"{y} [{uy}]" if uy not in ("", "-") else y)
    others = [p for p in data.swept if p not in (x, y)]
    sub = f"\n(median over {', '.join(others)})" if others else ""
    ax.set_title(_title(data, f"{zlabel} over {x} and {y}") + sub, fontsize=10)
    fig.tight_layout()
    return _save(fig, out)


def plot_field(src, out, case=None, name=None):
    """Concentration field (r-z) of one case; mirrored about the needle axis."""
    data = _data(src)
    fields = data.fields
    cands = [k for k, f in fields.items() if f["data"].ndim >= 2 and (name is None or k == name)]
    if not cands:
        data.skipped["field"] = "no /fields in the file"
        return None
    key = cands[0]
    fl = fields[key]
    arr, dims = fl["data"], list(fl["dims"])
    title_bits = []
    while arr.ndim > 2:                     # leading dims: case of the snapshot, then time
        d = dims[0]
        coord = fl["coords"].get(d, (np.arange(arr.shape[0]), ""))[0]
        if d in ("field_case", "case") and case is not None and case in list(coord):
            i = list(coord).index(case)
        elif d in ("time", "field_time", "t"):
            i = arr.shape[0] - 1
        else:
            i = 0
        title_bits.append("%s %s" % (d.replace("field_", ""), _fmt_coord(coord[i], d, fl)))
        arr, dims = arr[i], dims[1:]
    # orient as [z, r]
    if dims[0] == "r" or dims[-1] == "z":
        arr, dims = arr.T, dims[::-1]
    zc = fl["coords"].get(dims[0], (np.arange(arr.shape[0]), ""))
    rc = fl["coords"].get(dims[1], (np.arange(arr.shape[1]), ""))
    if not (np.isfinite(zc[0]).all() and np.isfinite(rc[0]).all() and np.isfinite(arr).any()):
        # the snapshot's case failed before its field existed: NaN grid
        data.skipped["field"] = "the field of %s is empty (the case failed)" % (
            ", ".join(title_bits) or key)
        return None
    fz, uz = units.display_unit(zc[1] or "m", zc[0])
    fr, ur = units.display_unit(rc[1] or "m", rc[0])
    fc, uc = units.display_unit(fl["units"], [np.nanmax(np.abs(arr))])
    r, z = rc[0] / fr, zc[0] / fz
    full = np.concatenate([arr[:, ::-1], arr], axis=1) / fc
    rr = np.concatenate([-r[::-1], r])
    fig, ax = plt.subplots(figsize=(7, 5.2))
    pos = full[np.isfinite(full) & (full > 0)]
    norm = (mcolors.LogNorm(max(pos.max() * 1e-4, pos.min()), pos.max())
            if pos.size and pos.max() / max(pos.min(), 1e-300) > 1e3 else None)
    m = ax.pcolormesh(rr, z, np.where(full > 0, full, np.nan) if norm else full, shading="auto",
                      cmap="magma", norm=norm)
    fig.colorbar(m, ax=ax, label=f"{key.replace('_', ' ')} [{uc}]")
    ax.invert_yaxis()
    ax.set_xlabel(f"r [{ur}] (mirrored about the needle axis)")
    ax.set_ylabel(f"depth z [{uz}]")
    ax.set_title(_title(data, "Concentration field" + (" — " + ", ".join(title_bits) if title_bits else "")),
                 fontsize=10)
    fig.tight_layout()
    return _save(fig, out)


def _fmt_coord(v, d, fl):
    unit = fl["coords"].get(d, (None, ""))[1]
    if d in ("field_case", "case"):
        return "%d" % v
    f, u = units.display_unit(unit, [v])
    return "%.3g %s" % (v / f, u)


PLOTS = [
    ("force_displacement", "Force-displacement curves", plot_force_displacement),
    ("penetration", "Penetration depth and inserted fraction", plot_penetration),
    ("dose", "Delivered dose against time", plot_dose),
    ("enhancement_map", "Enhancement ratio map", plot_enhancement_map),
    ("field", "Concentration field", plot_field),
]


def plot_all(src, outdir, by=None):
    """Write every applicable plot into outdir. Returns (written, skipped):
    written is a list of (key, title, png path), skipped a dict key -> reason."""
    data = _data(src)
    written = []
    for key, title, fn in PLOTS:
        kw = {"by": by} if fn in (plot_force_displacement, plot_penetration, plot_dose) else {}
        try:
            p = fn(data, os.path.join(outdir, key + ".png"), **kw)
        except (ValueError, KeyError, IndexError, TypeError) as e:  # a plot must not stop the rest
            data.skipped[key] = "failed: %s" % e
            plt.close("all")
            p = None
        if p:
            written.append((key, title, p))
    return written, data.skipped


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write the standard needlesim plots as PNG files.")
    ap.add_argument("file")
    ap.add_argument("-o", "--outdir", required=True)
    ap.add_argument("--by", help="parameter that colours the curves (default: a device parameter)")
    a = ap.parse_args(argv)
    try:
        written, skipped = plot_all(a.file, a.outdir, by=a.by)
    except loader.NeedlesimError as e:
        print(e, file=sys.stderr)
        return 1
    for _, _, p in written:
        print("wrote", p)
    for k, why in skipped.items():
        print("skipped %s: %s" % (k, why))
    return 0


if __name__ == "__main__":
    sys.exit(main())
