"""Device report: one self-contained HTML page that helps pick a device.

    python3 -m needlesim report outputs/default.h5 -o outputs/report.html \
        [--rank permeated_amount] [--ascending] [--objectives max:total_dose,min:total_force]

The page has no external resources (inline CSS, PNG figures as base64 data
URIs) and fits a 1280 px window without horizontal scrolling (tables are laid
out to the page width and wrap their cells). Sections:
  - run header (name, file, version, config hash, sweep, case counts);
  - device ranking: cases grouped by the swept keys of the device sections
    (needle, array, applicator, procedure; needlesim.devices), aggregated
    over the other swept keys as median with the 10th-90th percentile, ranked
    by one result (--rank; default the permeated amount), with flags: reaches
    the dermis, fraction punctured, buckling and fracture margins >= 2, within
    the force cap; deepest layer by name, total dose over the treated area in
    µg, channel open time, clinical indices (results named *_index) if present;
  - sensitivity (lhs: Spearman and PRCC; saltelli: Sobol S1 and ST) of the
    ranked result;
  - plots chosen by the sweep type: grid: lines per device axis and a heat
    map; zip: one bar per device; lhs and saltelli: scatter against each
    input; plus the delivered dose against time;
  - the needle of the best device in the skin (profile over the layer stack,
    depth reached, channel left), the Pareto front (--objectives), channel
    closure curves and the insertion force of every device as small multiples;
  - every case, the failed cases with their reasons, the resolved config.
All values are shown in readable units (µm, mN, µg, h); the file stays SI.
"""
import argparse
import base64
import html
import math
import os
import sys
import tempfile

import numpy as np

from . import devices, design, figures, loader, plots, sensitivity, treatment, units

MAX_CASE_ROWS = 300   # rows of the per-case table; the CSV command gives all
MAX_DEVICE_ROWS = 60  # rows of the device ranking; the rest are counted
MAX_FRONT_ROWS = 15   # rows of the Pareto table
CASE_RESULTS = ["penetration_depth", "deepest_layer", "inserted_fraction", "max_force",
                "total_force", "buckling_margin", "total_dose", "enhancement_ratio"]

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:20px auto;
max-width:1200px;color:#1d2330;line-height:1.35;padding:0 16px;box-sizing:border-box}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:2px solid #d8dee9;
padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.8em;margin:.6em 0;width:100%;table-layout:fixed}
th,td{border:1px solid #d8dee9;padding:3px 5px;text-align:right;vertical-align:top;
overflow-wrap:anywhere}
th{background:#eef1f6;font-weight:600;overflow-wrap:break-word;hyphens:auto}
td.t,th.t{text-align:left}
tr:nth-child(even) td{background:#f8f9fb}
td small{color:#667085}
.nores{color:#9aa3b2;font-style:italic}.failed{color:#b42318;font-weight:600}
.ok{color:#067647}.pending{color:#b54708}
.meta{width:auto;table-layout:auto}.meta td{text-align:left;border:none;padding:1px 12px 1px 0}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #d8dee9}
figcaption{font-size:.88em;color:#475467}
pre{background:#f6f8fa;padding:10px;font-size:.8em;white-space:pre-wrap;overflow-wrap:anywhere}
.note{color:#475467;font-size:.88em}
.flag{display:inline-block;font-size:.78em;border-radius:3px;padding:0 4px;margin:1px 2px 0 0}
.yes{background:#d1fadf;color:#054f31}.no{background:#fee4e2;color:#7a271a}
.na{background:#f2f4f7;color:#667085}
"""

FLAGS = [("flag:dermis", "dermis", "every case reaches the dermis"),
         ("flag:punctured", "punctured", "every case breaches the stratum corneum"),
         ("flag:buckling", "buckling≥2", "buckling margin ≥ 2 in every case"),
         ("flag:fracture", "fracture≥2", "fracture margin ≥ 2 in every case"),
         ("flag:force_cap", "force cap", "total force ≤ applicator.force (+0.1 %) in every case")]


def esc(x):
    return html.escape(str(x), quote=True)


def _img(path):
    with open(path, "rb") as fh:
        return "data:image/png;base64," + base64.b64encode(fh.read()).decode("ascii")


def _figure(key, png, caption):
    return ("<figure id='plot-%s'><img alt='%s' src='%s'><figcaption>%s</figcaption></figure>"
            % (esc(key), esc(caption), _img(png), esc(caption)))


def _isnan(v):
    return isinstance(v, (float, np.floating)) and not math.isfinite(v)


def _head(df, col, values):
    f, u = units.display_unit(df.attrs["units"].get(col, ""), values, col)
    if col == "total_dose":
        f, u = 1e-9, "µg"
    name = _hyph(col.replace("_", " ")).replace(".", ".<wbr>")
    head = name + ("<br><small>[%s]</small>" % esc(u) if u not in ("", "-", "1") else "")
    return f, "<th title='%s'>%s</th>" % (esc(df.attrs["descriptions"].get(col, "")), head)


def _hyph(text, n=7):
    """Escaped text with a soft hyphen in the middle of words longer than n,
    so narrow header cells break "perme-ated" rather than "permeate-d"."""
    out = []
    for w in text.split(" "):
        if len(w) > n and "." not in w:
            k = len(w) // 2
            out.append(esc(w[:k]) + "&shy;" + esc(w[k:]))
        else:
            out.append(esc(w))
    return " ".join(out)


def _num(v, f):
    """3 significant digits, without an exponent from 1000 to 1e6."""
    if v is None or _isnan(v):
        return "<span class='nores'>–</span>"
    x = v / f
    return esc("%.0f" % x if 1e3 <= abs(x) < 1e6 else "%.3g" % x)


def _flag_html(v, text, title):
    cls = "na" if v is None else ("yes" if v else "no")
    mark = "n/a" if v is None else ("✓" if v else "✗")
    return "<span class='flag %s' title='%s'>%s %s</span>" % (cls, esc(title), mark, esc(text))


def _layer_mode(df, cases):
    if "deepest_layer" not in df:
        return ""
    s = df.loc[cases]
    s = s[s["status"].astype(str) == "ok"]["deepest_layer"].dropna().astype(str)
    if not len(s):
        return "<span class='nores'>–</span>"
    counts = s.value_counts()
    return "%s<br><small>%d/%d</small>" % (esc(counts.index[0]), counts.iloc[0], len(s))


def device_table(df, table, groups):
    """HTML of the ranking: rank, device and flags, cases, then per result
    the median over 10-90 % percentiles."""
    results = [r for r in table.attrs["results"] if r != "reaches_dermis"]
    cols = ["<th style='width:3em'>rank</th><th class='t' style='width:21%'>device "
            "<small>(flags)</small></th><th style='width:4.5em'>cases<br><small>ok/all</small>"
            "</th><th>deepest layer<br><small>most cases</small></th>"]
    facs = {}
    for r in results:
        facs[r], th = _head(df, r, table[r].values)
        cols.append(th)
    out = ["<table id='device-ranking'><thead><tr>%s</tr></thead><tbody>" % "".join(cols)]
    for label, row in table.head(MAX_DEVICE_ROWS).iterrows():
        flags = "".join(_flag_html(row[k], t, d) for k, t, d in FLAGS)
        pf = row.get("punctured", np.nan)
        if np.isfinite(pf) and pf < 1:
            flags += "<small> punctured %.0f %%</small>" % (100 * pf)
        cells = ["<td>%d</td><td class='t'>%s<br>%s</td><td>%d/%d</td><td class='t'>%s</td>"
                 % (row["rank"], esc(label), flags, row["ok"], row["cases"],
                    _layer_mode(df, groups[label]))]
        for r in results:
            f = facs[r]
            rng = ""
            if row["cases"] > 1 and np.isfinite(row[r + "|p10"]) and \
                    row[r + "|p10"] != row[r + "|p90"]:
                rng = "<br><small>%s–%s</small>" % (_num(row[r + "|p10"], f),
                                                   _num(row[r + "|p90"], f))
            cells.append("<td>%s%s</td>" % (_num(row[r], f), rng))
        out.append("<tr>%s</tr>" % "".join(cells))
    out.append("</tbody></table>")
    if len(table) > MAX_DEVICE_ROWS:
        out.append("<p class='note'>%d more devices not shown.</p>" % (len(table) - MAX_DEVICE_ROWS))
    return "".join(out)


def cases_table(df):
    a = df.attrs
    rows = list(df.index[:MAX_CASE_ROWS])
    cols = a["swept"] + ["status"] + [r for r in CASE_RESULTS if r in df]
    head, facs = ["<th style='width:3.5em'>case</th>"], {}
    for c in cols:
        if c in df and df[c].dtype.kind in "fiub":
            vals = df[c].values.astype(float)
            facs[c], th = _head(df, c, vals[np.isfinite(vals)])
        else:
            facs[c], th = None, "<th class='t'>%s</th>" % esc(c).replace(".", ".<wbr>")
        head.append(th)
    out = ["<table id='cases-table'><thead><tr>%s</tr></thead><tbody>" % "".join(head)]
    for r in rows:
        cells = ["<td>%d</td>" % r]
        for c in cols:
            v = df.at[r, c]
            if c == "status":
                cells.append("<td class='t %s'>%s</td>" % (esc(v), esc(v)))
            elif facs[c] is None:
                cells.append("<td class='t'>%s</td>" % ("" if v is None or _isnan(v) else esc(v)))
            else:
                cells.append("<td>%s</td>" % _num(float(v), facs[c]))
        out.append("<tr>%s</tr>" % "".join(cells))
    out.append("</tbody></table>")
    if len(df) > MAX_CASE_ROWS:
        out.append("<p class='note'>First %d of %d cases; `python3 -m needlesim csv FILE -o "
                   "out.csv` writes all of them.</p>" % (MAX_CASE_ROWS, len(df)))
    return "".join(out)


def _representative(df, cases, result):
    """The ok case of a device whose result is nearest its median."""
    g = df.loc[cases]
    g = g[(g["status"].astype(str) == "ok") & np.isfinite(g[result].astype(float))]
    if not len(g):
        return None
    v = g[result].astype(float)
    return int((v - v.median()).abs().idxmin())


def default_objectives(df):
    dose = "total_dose" if "total_dose" in df and np.isfinite(
        df["total_dose"].astype(float)).any() else "permeated_amount"
    objs = ["max:" + dose, "min:total_force"]
    clin = devices.clinical_results(df)
    if clin:
        objs.append("min:" + clin[0])
    return ",".join(o for o in objs if o.split(":", 1)[1] in df)


def _sensitivity(df, result, tmp, skipped):
    mode = df.attrs.get("sweep_mode", "")
    parts = []
    try:
        if mode == "saltelli":
            S = sensitivity.sobol(df, result)
            kind = "sobol"
            text = ("First-order (S1) and total (ST) Sobol indices of %s from %d of %d base "
                    "points, 95 %% bootstrap half-widths." % (result, S.attrs["n_used"],
                                                             S.attrs["n_base"]))
            rows = "".join("<tr><td class='t'>%s</td><td>%.3f ± %.3f</td><td>%.3f ± %.3f</td></tr>"
                           % (esc(k), r.S1, r.S1_conf, r.ST, r.ST_conf) for k, r in S.iterrows())
            table = ("<table id='sensitivity' style='width:60%%'><thead><tr><th class='t'>key</th>"
                     "<th>S1</th><th>ST</th></tr></thead><tbody>%s</tbody></table>" % rows)
        elif mode in ("lhs", "sobol"):
            S = sensitivity.rank_correlations(df, result)
            kind = "rank"
            text = "Rank correlations of %s with each input over %d ok cases." % (result,
                                                                                 S.attrs["n"])
            rows = "".join("<tr><td class='t'>%s</td><td>%.3f</td><td>%.3f</td></tr>"
                           % (esc(k), r.spearman, r.prcc) for k, r in S.iterrows())
            table = ("<table id='sensitivity' style='width:60%%'><thead><tr><th class='t'>key</th>"
                     "<th>Spearman</th><th>PRCC</th></tr></thead><tbody>%s</tbody></table>" % rows)
        else:
            return ""
    except (loader.NeedlesimError, ValueError, np.linalg.LinAlgError) as e:
        skipped["sensitivity"] = str(e)
        return ""
    png = figures.sensitivity_bars(S, os.path.join(tmp, "sensitivity.png"), kind)
    parts.append("<h2 id='sensitivity-section'>Sensitivity</h2><p class='note'>%s</p>%s"
                 % (esc(text), table))
    parts.append(_figure("sensitivity", png, "Sensitivity of %s" % result))
    return "".join(parts)


def _sweep_plots(df, table, result, tmp):
    """(key, png, caption) of the plots that fit the sweep type."""
    mode = df.attrs.get("sweep_mode", "none")
    out = []

    def add(key, png, caption):
        if png:
            out.append((key, png, caption))
    if mode == "grid":
        add("lines", figures.grid_lines(df, result, os.path.join(tmp, "lines.png")),
            "%s against each device axis, one line per other device" % result)
        add("heatmap", figures.grid_heatmap(df, result, os.path.join(tmp, "heat.png")),
            "median %s over two swept axes" % result)
    elif mode in ("lhs", "sobol", "saltelli"):
        add("scatter", figures.scatter_inputs(df, result, os.path.join(tmp, "scatter.png")),
            "%s against each sampled input" % result)
    if mode == "zip" or (mode != "none" and len(table) <= figures.MAX_PANELS
                         and mode not in ("lhs", "sobol", "saltelli")):
        add("bars", figures.device_bars(df, table, result, os.path.join(tmp, "bars.png")),
            "%s per device, best first" % result)
    return out


def build(path, rank_by=None, ascending=False, objectives=None, title="Device report", by=None):
    """The report page as one HTML string."""
    df = devices.derive(loader.load(path))
    data = plots.Data(path)
    a = df.attrs
    counts = df["status"].value_counts()
    name = a.get("run_name") or os.path.basename(path)
    table, keys, results = devices.summarise(df, rank_by, ascending)
    groups = devices.members(df, table)
    result = table.attrs["rank_by"]
    skipped = {}
    p = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
         "<meta name='viewport' content='width=device-width, initial-scale=1'>",
         "<title>%s — %s</title><style>%s</style></head><body>" % (esc(title), esc(name), CSS),
         "<h1>%s: %s</h1>" % (esc(title), esc(name))]
    meta = [("run", name), ("file", a.get("path", path)), ("schema", a.get("schema", "?")),
            ("needlesim version", "%s (commit %s)" % (a.get("program_version", "?"),
                                                      a.get("git_commit", "?"))),
            ("created (UTC)", a.get("created_utc", "?")), ("config hash", a.get("config_hash", "?")),
            ("sweep", "%s, seed %s" % (a.get("sweep_mode", "?"), a.get("seed", "?"))),
            ("cases", "%d: %d ok, %d failed, %d pending" % (
                len(df), counts.get("ok", 0), counts.get("failed", 0), counts.get("pending", 0))),
            ("swept parameters", ", ".join(a["swept"]) or "none")]
    p.append("<table class='meta' id='meta'><tbody>" + "".join(
        "<tr><td><b>%s</b></td><td>%s</td></tr>" % (esc(k), esc(v)) for k, v in meta)
        + "</tbody></table>")

    p.append("<h2 id='devices'>Device ranking</h2>")
    p.append("<p class='note'>%d devices: cases grouped by %s%s; ranked by the median %s (%s "
             "first). Each cell: median over the ok cases of the device, below it the 10th–90th "
             "percentile. Forces and energies are per needle except total force. Flags: %s."
             "</p>" % (len(table), esc(", ".join(keys) or "nothing (no device key swept)"),
                       esc("; aggregated over " + ", ".join(table.attrs["conditions"]))
                       if table.attrs["conditions"] else "", esc(result.replace("_", " ")),
                       "lowest" if ascending else "highest",
                       esc("; ".join("%s = %s" % (t, d) for _, t, d in FLAGS))))
    p.append(device_table(df, table, groups))
    p.append(treatment.section(df, esc))

    with tempfile.TemporaryDirectory(prefix="needlesim-report-") as tmp:
        p.append(_sensitivity(df, result, tmp, skipped))
        p.append("<h2 id='plots'>Plots</h2>")
        for key, png, cap in _sweep_plots(df, table, result, tmp):
            p.append(_figure(key, png, cap))
        dose = plots.plot_dose(data, os.path.join(tmp, "dose.png"), by=by)
        if dose:
            p.append(_figure("dose", dose, "Delivered dose against time"))
        best = table.index[0] if len(table) else None
        case = _representative(df, groups[best], result) if best is not None else None
        p.append("<h2 id='needle'>Needle in the skin</h2>")
        png = figures.needle_in_skin(df, case, os.path.join(tmp, "needle.png"),
                                     "Best device #1: %s (case %s)" % (best, case)) \
            if case is not None else None
        if png:
            p.append(_figure("needle", png, "Needle of the best device over the undeformed layer "
                             "stack: depth reached and the channel left after withdrawal"))
        else:
            p.append("<p class='note'>No ok case with a needle geometry to draw.</p>")
        p.append(_pareto(df, objectives, tmp, skipped))
        png = figures.closure_curves(df, table, groups, os.path.join(tmp, "closure.png"))
        p.append("<h2 id='closure'>Channel closure</h2>")
        p.append(_figure("closure", png, "Channel diameter after withdrawal, per device")
                 if png else "<p class='note'>No channel results.</p>")
        png = figures.force_multiples(path, df, table, groups, os.path.join(tmp, "forces.png"))
        p.append("<h2 id='forces'>Insertion force</h2>")
        p.append(_figure("forces", png, "Force per needle against travel, one panel per device "
                         "(best first)") if png else "<p class='note'>No insertion curves.</p>")
    if skipped or data.skipped:
        p.append("<p class='note'>Not shown: %s.</p>" % esc("; ".join(
            "%s (%s)" % kv for kv in list(skipped.items()) + list(data.skipped.items()))))

    p.append("<h2 id='cases'>Cases</h2>")
    p.append(cases_table(df))
    p.append(_failed(df, counts))
    p.append("<h2 id='config'>Resolved configuration</h2><details><summary>show</summary>"
             "<pre>%s</pre></details>" % esc(a.get("config", "")))
    p.append("<p class='note'>Generated by python3 -m needlesim report from %s.</p></body></html>"
             % esc(os.path.basename(path)))
    return "".join(p)


def _pareto(df, objectives, tmp, skipped):
    """Pareto section; objectives None: default_objectives(), whose failure
    is noted on the page (a user's objectives that fail raise ValueError)."""
    out = ["<h2 id='pareto'>Pareto front</h2>"]
    try:
        front = design.pareto_front(df, objectives or default_objectives(df))
    except (loader.NeedlesimError, ValueError) as e:
        if objectives:
            raise
        skipped["pareto"] = str(e)
        return out[0] + "<p class='note'>No Pareto front: %s.</p>" % esc(e)
    objs = front.attrs["objectives"]
    out.append("<p class='note'>%d of %d ok cases are not dominated on %s.</p>" % (
        len(front), front.attrs["n_candidates"],
        esc(", ".join("%s %s" % (("highest" if s == "max" else "lowest"), n) for s, n in objs))))
    cols = list(front.columns)
    head, facs = ["<th style='width:3.5em'>case</th>"], {}
    for c in cols:
        if front[c].dtype.kind in "fiub":
            facs[c], th = _head(df, c, front[c].values)
        else:
            facs[c], th = None, "<th class='t'>%s</th>" % esc(c).replace(".", ".<wbr>")
        head.append(th)
    rows = []
    for case, r in front.head(MAX_FRONT_ROWS).iterrows():
        rows.append("<tr><td>%d</td>%s</tr>" % (case, "".join(
            "<td class='t'>%s</td>" % esc(r[c]) if facs[c] is None else
            "<td>%s</td>" % _num(float(r[c]), facs[c]) for c in cols)))
    out.append("<table id='pareto-table'><thead><tr>%s</tr></thead><tbody>%s</tbody></table>"
               % ("".join(head), "".join(rows)))
    png = design.plot_pareto(front, os.path.join(tmp, "pareto.png"))
    out.append(_figure("pareto", png, "Pareto front over all ok cases"))
    return "".join(out)


def _failed(df, counts):
    a = df.attrs
    out = ["<h2 id='failed'>Failed cases</h2>"]
    bad = df[df["status"] == "failed"]
    if len(bad):
        out.append("<table id='failed-cases'><thead><tr><th style='width:3.5em'>case</th>%s"
                   "<th class='t' style='width:45%%'>reason</th></tr></thead><tbody>"
                   % "".join("<th class='t'>%s</th>" % esc(p) for p in a["swept"]))
        for c, row in bad.iterrows():
            cells = ""
            for p in a["swept"]:
                v = row[p]
                if isinstance(v, str):
                    cells += "<td class='t'>%s</td>" % esc(v)
                else:
                    f, u = units.display_unit(a["units"].get(p, ""), df[p].values, p)
                    cells += "<td>%s</td>" % esc("%.4g %s" % (v / f, "" if u == "-" else u))
            out.append("<tr><td>%d</td>%s<td class='t failed'>%s</td></tr>"
                       % (c, cells, esc(row["error"] or "(no reason recorded)")))
        out.append("</tbody></table>")
    else:
        out.append("<p id='failed-cases'>No failed cases.</p>")
    pend = int(counts.get("pending", 0))
    if pend:
        out.append("<p class='note pending'>%d case(s) pending (not computed yet; "
                   "`needlesim run CONFIG --resume` continues the run).</p>" % pend)
    return "".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m needlesim report",
                                 description="Self-contained HTML device report.")
    ap.add_argument("file")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--rank", help="result to rank the devices by (default permeated_amount)")
    ap.add_argument("--ascending", action="store_true", help="lowest value ranks first")
    ap.add_argument("--objectives", help="Pareto objectives, e.g. max:total_dose,min:total_force")
    ap.add_argument("--by", help="parameter that colours the dose curves")
    ap.add_argument("--title", default="Device report")
    a = ap.parse_args(argv)
    try:
        page = build(a.file, rank_by=a.rank, ascending=a.ascending, objectives=a.objectives,
                     title=a.title, by=a.by)
    except loader.NeedlesimError as e:
        print(e, file=sys.stderr)
        return 1
    except ValueError as e:
        print("needlesim: error: %s" % e, file=sys.stderr)
        return 2
    d = os.path.dirname(os.path.abspath(a.output))
    os.makedirs(d, exist_ok=True)
    with open(a.output, "w", encoding="utf-8") as fh:
        fh.write(page)
    print("report: wrote %s (%d kB)" % (a.output, (len(page) + 1023) // 1024))
    return 0


if __name__ == "__main__":
    sys.exit(main())
