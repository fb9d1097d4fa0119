"""Figures of the device report (PNG, matplotlib Agg), chosen by sweep type.

  needle_in_skin      the needle profile over the layer stack at the depth it
                      reached, and the channel it leaves (undeformed layers)
  closure_curves      channel diameter d(t) = d0 2^(-t / t_half) per device
                      (models/channel.h, eq. 3)
  force_multiples     force per needle against travel, one panel per device
  grid_lines          grid sweeps: the ranked result against each numeric
                      device axis, one line per combination of the other
                      device keys (median, 10-90 % band over the conditions)
  grid_heatmap        grid sweeps: median ranked result over two numeric axes
  device_bars         zip sweeps (or few devices): one bar per device with
                      its 10-90 % range
  scatter_inputs      lhs and saltelli: the result against each numeric input
  sensitivity_bars    lhs: Spearman and PRCC; saltelli: S1 and ST with their
                      confidence half-widths
Every function returns the PNG path, or None with the reason in `skipped`.
"""
import os

import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from . import devices, loader, units  # noqa: E402

DPI = 100
WIDTH = 11.0          # inches: 1100 px at DPI, inside the 1200 px page
MAX_PANELS = 24       # devices shown as small multiples / closure lines
MAX_LINES = 12        # lines per grid_lines panel
LAYERS = ["stratum_corneum", "viable_epidermis", "dermis", "hypodermis", "membrane"]
LAYER_COLOURS = {"stratum_corneum": "#e9c46a", "viable_epidermis": "#f4a261",
                 "dermis": "#e76f51", "hypodermis": "#f6e8c3", "membrane": "#cbd5e1"}


def _save(fig, out):
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=DPI)
    plt.close(fig)
    return out


def _lab(df, name, vals=None):
    return units.label(name, df.attrs["units"].get(name, ""), vals)


def _at(df, key, case):
    v = devices.value(df, key)
    return None if v is None else v.loc[case]


def _needle_radius(s, R, r_t, alpha):
    """Outer radius [m] at distance s [m] from the tip of a cone-tipped needle."""
    if alpha and np.isfinite(alpha) and alpha > 0:
        return np.minimum(R, r_t + s * np.tan(alpha / 2.0))
    return np.full_like(s, R)


def needle_in_skin(df, case, out, title=""):
    """Needle of `case` over its layer stack (left: inserted; right: channel)."""
    get = (lambda k: _at(df, k, case))
    L, d = get("needle.length"), df.at[case, "penetration_depth"]
    R = (get("needle.base_diameter") or np.nan) / 2.0
    r_t, alpha = get("needle.tip_radius") or 0.0, get("needle.tip_angle") or 0.0
    if L is None or not np.isfinite(d) or not np.isfinite(R):
        return None
    layers = [(n, get("skin.%s.thickness" % n)) for n in LAYERS]
    layers = [(n, float(t)) for n, t in layers if t is not None and np.isfinite(t) and t > 0]
    d_ch = df.at[case, "channel_depth"] if "channel_depth" in df else np.nan
    D_ch = df.at[case, "channel_diameter"] if "channel_diameter" in df else np.nan
    zmax = 1.4 * max(L, d)
    f = 1e-6  # µm
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH * 0.75, 4.0), sharey=True)
    for ax, what in zip(axes, ("inserted", "after withdrawal")):
        top = 0.0
        for n, t in layers:
            ax.axhspan(top / f, min(top + t, zmax) / f, color=LAYER_COLOURS[n], lw=0)
            if top < zmax:
                ax.text(-2.9 * R / f, (top + min(t, zmax - top) / 2) / f, n.replace("_", " "),
                        fontsize=7, va="center")
            top += t
            if top >= zmax:
                break
        ax.axhspan(-0.25 * zmax / f, 0, color="white", lw=0)
        ax.axhline(0, color="k", lw=0.8)
        if what == "inserted":
            s = np.linspace(0, L, 200)
            r = _needle_radius(s, R, r_t, alpha)
            z = d - s
            ax.fill_betweenx(z / f, -r / f, r / f, color="#6b7280", alpha=0.9, lw=0)
            ax.axhline(d / f, color="#1d4ed8", lw=1, ls="--")
            ax.text(2.9 * R / f, d / f, "depth %.0f µm" % (d / f), color="#1d4ed8", fontsize=8,
                    va="bottom", ha="right")
        elif np.isfinite(d_ch) and np.isfinite(D_ch) and d_ch > 0:
            # channel: the needle profile from its tip at d_ch, scaled to the
            # surface diameter (the open fraction of each layer in the model)
            z = np.linspace(0, d_ch, 100)
            r = _needle_radius(d_ch - z, R, r_t, alpha)
            r = r * (D_ch / 2.0) / max(r[0], 1e-30)
            ax.fill_betweenx(z / f, -r / f, r / f, color="#1e3a8a", alpha=0.85, lw=0)
            ax.axhline(d_ch / f, color="#1e3a8a", lw=1, ls="--")
            ax.text(2.9 * R / f, d_ch / f, "channel %.0f µm" % (d_ch / f), color="#1e3a8a",
                    fontsize=8, va="bottom", ha="right")
        else:
            ax.text(0, 0.5 * zmax / f, "no channel", ha="center", fontsize=8)
        ax.set_xlim(-3 * R / f, 3 * R / f)
        ax.set_ylim(zmax / f, -0.25 * zmax / f)
        ax.set_xlabel("radius [µm]")
        ax.set_title(what, fontsize=9)
    axes[0].set_ylabel("depth below the skin surface [µm]")
    import textwrap
    fig.suptitle("\n".join(textwrap.wrap(title or "Needle in the skin (case %d)" % case, 90)),
                 fontsize=9)
    fig.tight_layout()
    return _save(fig, out)


def closure_curves(df, table, groups, out):
    """Median channel diameter against time, one line per device (top ranked)."""
    if "channel_diameter" not in df or "channel_half_life" not in df:
        return None
    duration = df.attrs.get("constants", {}).get("run.duration", 86400.0)
    fig, ax = plt.subplots(figsize=(WIDTH * 0.6, 3.6))
    t = np.linspace(0, float(duration), 200)
    n = 0
    for label, row in table.head(10).iterrows():
        g = df.loc[groups[label]]
        g = g[g["status"].astype(str) == "ok"]
        d0 = np.nanmedian(g["channel_diameter"].astype(float)) if len(g) else np.nan
        th = np.nanmedian(g["channel_half_life"].astype(float)) if len(g) else np.nan
        if not (np.isfinite(d0) and np.isfinite(th) and th > 0 and d0 > 0):
            continue
        ax.plot(t / 3600, d0 * 2.0 ** (-t / th) * 1e6, lw=1.4,
                label="#%d %s" % (row["rank"], devices.short_label(df, table, label)))
        n += 1
    if not n:
        plt.close(fig)
        return None
    ax.set_xlabel("time after insertion [h]")
    ax.set_ylabel("channel diameter at the surface [µm]")
    ax.set_title("Channel closure (median per device, top %d)" % n, fontsize=10)
    ax.legend(fontsize=7, title=", ".join(table.attrs["keys"]), title_fontsize=7)
    fig.tight_layout()
    return _save(fig, out)


def _short(label, n=48):
    return label if len(label) <= n else label[: n - 1] + "…"


def force_multiples(path, df, table, groups, out):
    """Force per needle against travel, one small panel per device."""
    try:
        F = loader.load_curves(path, "insertion_force")
        X = loader.load_curves(path, "insertion_travel")
    except loader.NeedlesimError:
        return None
    labels = list(table.index[:MAX_PANELS])
    if not labels:
        return None
    ncol = min(6, len(labels))
    nrow = int(np.ceil(len(labels) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(WIDTH, 1.9 * nrow + 0.6), squeeze=False,
                             sharex=True, sharey=True)
    fF, uF = units.display_unit("N", F.values)
    fX, uX = units.display_unit("m", X.values)
    cond = table.attrs["conditions"]
    cvals = {}
    for c in df.index:
        cvals[c] = devices.device_label(df, cond, tuple(df.at[c, k] for k in cond), names=False)
    uniq = sorted(set(cvals.values()))
    colour = {u: "C%d" % (i % 10) for i, u in enumerate(uniq)}
    for ax, label in zip(axes.ravel(), labels):
        for c in groups[label]:
            if str(df.at[c, "status"]) != "ok":
                continue
            ax.plot(X.loc[c].values / fX, F.loc[c].values / fF, lw=0.8, alpha=0.85,
                    color=colour[cvals[c]] if len(uniq) <= 10 else None)
        ax.set_title("#%d %s" % (table.at[label, "rank"],
                                 _short(devices.short_label(df, table, label), 30)), fontsize=7)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(labels):]:
        ax.axis("off")
    if cond and 1 < len(uniq) <= 10:
        from matplotlib.lines import Line2D
        axes[0][0].legend(handles=[Line2D([], [], color=colour[u], label=u) for u in uniq],
                          fontsize=6, title=", ".join(cond), title_fontsize=6)
    fig.supxlabel("needle travel [%s]" % uX, fontsize=9)
    fig.supylabel("force per needle [%s]" % uF, fontsize=9)
    fig.suptitle("Insertion force per device (%s; one line per case)"
                 % ", ".join(table.attrs["keys"] or ["all cases"]), fontsize=10)
    fig.tight_layout()
    return _save(fig, out)


def _numeric(df, keys):
    return [k for k in keys if k in df and df[k].dtype.kind in "fiu" and df[k].nunique() > 1]


def grid_lines(df, result, out):
    """Result against each numeric device (else swept) axis; one line per
    combination of the other device keys; median and 10-90 % band."""
    keys = devices.device_keys(df) or df.attrs.get("swept", [])
    xs = _numeric(df, keys)
    if not xs:
        return None
    ok = df[df["status"].astype(str) == "ok"]
    fig, axes = plt.subplots(1, len(xs), figsize=(WIDTH, 3.6), squeeze=False)
    ly, fy = _lab(df, result, ok[result].values)
    for ax, x in zip(axes[0], xs):
        others = [k for k in keys if k != x]
        groups = (ok.groupby(others if len(others) > 1 else others[0], sort=True) if others
                  else [((), ok)])
        lx, fx = _lab(df, x, ok[x].values)
        for i, (key, g) in enumerate(groups):
            if i == MAX_LINES:
                break
            st = g.groupby(x)[result].agg([np.median, lambda v: np.percentile(v, 10),
                                           lambda v: np.percentile(v, 90)])
            key = key if isinstance(key, tuple) else (key,)
            name = devices.device_label(df, others, key, names=False) if others else ""
            line = ax.plot(st.index / fx, st.iloc[:, 0] / fy, "o-", ms=3, lw=1.2,
                           label=name or None)
            ax.fill_between(st.index / fx, st.iloc[:, 1] / fy, st.iloc[:, 2] / fy,
                            color=line[0].get_color(), alpha=0.15, lw=0)
        ax.set_xlabel(lx)
        ax.set_ylabel(ly)
        if df[x].min() > 0 and df[x].max() / df[x].min() > 20:
            ax.set_xscale("log")
        if others:
            ax.legend(fontsize=6, title=", ".join(others), title_fontsize=6)
    fig.suptitle("%s by device axis (median, 10-90 %% over the other swept keys)"
                 % result.replace("_", " "), fontsize=10)
    fig.tight_layout()
    return _save(fig, out)


def grid_heatmap(df, result, out):
    """Median of result over the first two numeric swept axes (grid sweeps)."""
    keys = devices.device_keys(df) + devices.condition_keys(df)
    xs = _numeric(df, keys)
    if len(xs) < 2:
        return None
    x, y = xs[0], xs[1]
    ok = df[df["status"].astype(str) == "ok"]
    piv = ok.pivot_table(index=y, columns=x, values=result, aggfunc="median")
    lx, fx = _lab(df, x, ok[x].values)
    ly, fy = _lab(df, y, ok[y].values)
    lr, fr = _lab(df, result, ok[result].values)
    fig, ax = plt.subplots(figsize=(WIDTH * 0.55, 3.8))
    im = ax.imshow(piv.values / fr, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(piv.columns)), ["%.3g" % (v / fx) for v in piv.columns], fontsize=7)
    ax.set_yticks(range(len(piv.index)), ["%.3g" % (v / fy) for v in piv.index], fontsize=7)
    for (i, j), v in np.ndenumerate(piv.values / fr):
        if np.isfinite(v):
            ax.text(j, i, "%.3g" % v, ha="center", va="center", fontsize=7, color="white")
    ax.set_xlabel(lx)
    ax.set_ylabel(ly)
    fig.colorbar(im, ax=ax, label=lr)
    ax.set_title("median %s over the other keys" % result.replace("_", " "), fontsize=9)
    fig.tight_layout()
    return _save(fig, out)


def device_bars(df, table, result, out):
    """One bar per device (median, 10-90 % whiskers), best first."""
    t = table.head(MAX_PANELS)
    if not len(t):
        return None
    ly, fy = _lab(df, result, t[result].values)
    med = t[result].astype(float).values / fy
    lo = med - t[result + "|p10"].astype(float).values / fy
    hi = t[result + "|p90"].astype(float).values / fy - med
    fig, ax = plt.subplots(figsize=(WIDTH, 0.32 * len(t) + 1.2))
    ypos = np.arange(len(t))[::-1]
    ax.barh(ypos, med, xerr=[np.nan_to_num(lo), np.nan_to_num(hi)], color="#60a5fa",
            ecolor="#1e3a8a", capsize=2)
    ax.set_yticks(ypos, ["#%d %s" % (r, _short(lbl, 70)) for lbl, r in zip(t.index, t["rank"])],
                  fontsize=7)
    ax.set_xlabel(ly)
    ax.set_title("%s per device (median, 10-90 %%)" % result.replace("_", " "), fontsize=10)
    fig.tight_layout()
    return _save(fig, out)


def scatter_inputs(df, result, out):
    """Result against each numeric swept input (sampled designs)."""
    xs = _numeric(df, df.attrs.get("swept", []))
    if not xs:
        return None
    ok = df[df["status"].astype(str) == "ok"]
    ncol = min(4, len(xs))
    nrow = int(np.ceil(len(xs) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(WIDTH, 2.6 * nrow + 0.4), squeeze=False,
                             sharey=True)
    ly, fy = _lab(df, result, ok[result].values)
    for ax, x in zip(axes.ravel(), xs):
        lx, fx = _lab(df, x, ok[x].values)
        ax.scatter(ok[x] / fx, ok[result] / fy, s=8, alpha=0.6)
        ax.set_xlabel(lx, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(xs):]:
        ax.axis("off")
    axes[0][0].set_ylabel(ly)
    fig.suptitle("%s against each input" % result.replace("_", " "), fontsize=10)
    fig.tight_layout()
    return _save(fig, out)


def sensitivity_bars(table, out, kind):
    """kind "sobol": S1 and ST with half-widths; "rank": Spearman and PRCC."""
    keys = list(table.index)
    y = np.arange(len(keys))[::-1]
    fig, ax = plt.subplots(figsize=(WIDTH * 0.6, 0.45 * len(keys) + 1.3))
    h = 0.38
    if kind == "sobol":
        ax.barh(y + h / 2, table["S1"], h, xerr=table["S1_conf"], label="S1 (first order)",
                color="#60a5fa", capsize=2)
        ax.barh(y - h / 2, table["ST"], h, xerr=table["ST_conf"], label="ST (total)",
                color="#1e3a8a", capsize=2)
        ax.set_xlabel("Sobol index (95 % half-widths)")
    else:
        ax.barh(y + h / 2, table["spearman"], h, label="Spearman rho", color="#60a5fa")
        ax.barh(y - h / 2, table["prcc"], h, label="PRCC", color="#1e3a8a")
        ax.set_xlabel("rank correlation")
        ax.axvline(0, color="k", lw=0.6)
    ax.set_yticks(y, keys, fontsize=7)
    ax.legend(fontsize=7)
    ax.set_title("Sensitivity of %s" % table.attrs.get("result", "").replace("_", " "),
                 fontsize=10)
    fig.tight_layout()
    return _save(fig, out)
