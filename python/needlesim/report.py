"""Device comparison report: one self-contained HTML page from a needlesim file.

    python3 scripts/report.py outputs/default.h5 -o outputs/report.html

The page has no external resources (inline CSS, PNG plots embedded as base64
data URIs), so it can be mailed or archived as one file. Sections: run header
(name, config hash, version, date), a comparison of the devices (cases grouped
by the swept device parameters: needle preset, applicator, layout... with the
median of the key results), every case with its key results, the plots of
scripts/plots.py, the failed cases with their reasons, and the resolved config.
All values are shown in readable units (µm, mN, µg/cm², h); the file stays SI.
"""
import argparse
import base64
import html
import math
import os
import sys
import tempfile

import numpy as np

from . import loader, units  # noqa: E402
from . import plots  # noqa: E402

MAX_CASE_ROWS = 300   # rows of the per-case table; the CSV command gives all
MAX_GROUPS = 60       # device groups before falling back to device parameters only

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px auto;
max-width:1200px;color:#1d2330;line-height:1.4;padding:0 16px}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:2px solid #d8dee9;
padding-bottom:.2em;margin-top:1.8em}
table{border-collapse:collapse;font-size:.86em;margin:.6em 0}
th,td{border:1px solid #d8dee9;padding:3px 8px;text-align:right;vertical-align:top}
th{background:#eef1f6;position:sticky;top:0}td.t,th.t{text-align:left}
tr:nth-child(even) td{background:#f8f9fb}
.nores{color:#9aa3b2;font-style:italic}.failed{color:#b42318;font-weight:600}
.ok{color:#067647}.pending{color:#b54708}
.meta td{text-align:left;border:none;padding:1px 12px 1px 0}.meta th{display:none}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #d8dee9}
figcaption{font-size:.9em;color:#475467}
pre{background:#f6f8fa;padding:10px;overflow:auto;font-size:.85em}
.note{color:#475467;font-size:.9em}.wrap{overflow-x:auto}
"""


def esc(x):
    return html.escape(str(x), quote=True)


def _isnan(v):
    return isinstance(v, (float, np.floating)) and not math.isfinite(v)


def _cell(v, factor=1.0):
    if v is None or _isnan(v):
        return '<td class="nores">no result</td>'
    if isinstance(v, (int, np.integer)):
        return "<td>%d</td>" % v
    if isinstance(v, (float, np.floating)):
        return "<td>%s</td>" % esc("%.4g" % (v / factor))
    return '<td class="t">%s</td>' % esc(v)


def _unit_header(df, col, values):
    f, u = units.display_unit(df.attrs["units"].get(col, ""), values, col)
    head = esc(col.replace("_", " ")) + ("<br><small>[%s]</small>" % esc(u) if u not in ("", "-") else "")
    title = esc(df.attrs["descriptions"].get(col, ""))
    return f, '<th title="%s">%s</th>' % (title, head)


def _table(df, rows, cols, index_name="case", extra=None):
    """HTML table of rows (index labels) and columns with display units."""
    out = ['<div class="wrap"><table><thead><tr><th class="t">%s</th>' % esc(index_name)]
    factors = {}
    for c in cols:
        vals = df.loc[rows, c].values if c in df else []
        if c in df and df[c].dtype.kind in "fiub":
            fin = np.asarray(vals, dtype=float)
            factors[c], th = _unit_header(df, c, fin[np.isfinite(fin)])
        else:
            factors[c], th = 1.0, '<th class="t">%s</th>' % esc(c)
        out.append(th)
    out.append("</tr></thead><tbody>")
    for r in rows:
        out.append('<tr><td class="t">%s</td>' % esc(r))
        for c in cols:
            v = df.at[r, c]
            if c == "status":
                out.append('<td class="t %s">%s</td>' % (esc(v), esc(v)))
            else:
                out.append(_cell(v, factors[c]))
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def device_table(df):
    """Cases grouped by the swept device parameters (or all swept parameters),
    with counts and the median of the key results over the ok cases."""
    pd = loader._require("pandas")
    swept = df.attrs["swept"]
    keys = loader.device_params(df)
    groups = keys or swept
    if keys and len(df.groupby(swept, dropna=False)) <= MAX_GROUPS:
        groups = swept              # small sweep: one row per parameter combination
    elif not keys and len(df.groupby(swept, dropna=False)) > MAX_GROUPS:
        groups = swept[:1]
    results = [r for r in loader.KEY_RESULTS if r in df]
    ok = df[df["status"] == "ok"]
    if not groups:
        agg = ok[results].astype(float).median().to_frame().T
        agg.index = ["all cases"]
        agg.insert(0, "ok", [len(ok)])
        agg.insert(0, "cases", [len(df)])
        g = agg
    else:
        counts = df.groupby(groups, dropna=False).size().rename("cases")
        nok = ok.groupby(groups, dropna=False).size().rename("ok")
        med = ok.groupby(groups, dropna=False)[results].median(numeric_only=True)
        g = pd.concat([counts, nok, med], axis=1)
        g["ok"] = g["ok"].fillna(0).astype(int)
    g.attrs = dict(df.attrs)
    # index labels in display units
    labels = []
    for idx in g.index:
        idx = idx if isinstance(idx, tuple) else (idx,)
        parts = []
        for p, v in zip(groups or ["group"], idx):
            if isinstance(v, str) or p not in df:
                parts.append("%s=%s" % (p, v))
            else:
                f, u = units.display_unit(df.attrs["units"].get(p, ""), df[p].values, p)
                parts.append("%s=%.4g%s" % (p, v / f, "" if u in ("", "-") else " " + u))
        labels.append(", ".join(parts))
    g.index = labels
    g.attrs["units"] = dict(df.attrs["units"], cases="", ok="")
    g.attrs["descriptions"] = dict(df.attrs["descriptions"], cases="cases in the group",
                                   ok="cases that ran")
    return g, groups


def _img(path):
    with open(path, "rb") as fh:
        return "data:image/png;base64," + base64.b64encode(fh.read()).decode("ascii")


def build(path, by=None, title="Device comparison"):
    """The report page as one HTML string."""
    data = plots.Data(path)
    df = data.df
    a = df.attrs
    counts = df["status"].value_counts()
    name = a.get("run_name") or os.path.basename(path)
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'>",
             "<title>%s — %s</title><style>%s</style></head><body>" % (esc(title), esc(name), CSS),
             "<h1>%s: %s</h1>" % (esc(title), esc(name))]
    meta = [("run", name), ("file", a.get("path", path)), ("schema", a.get("schema", "?")),
            ("needlesim version", "%s (commit %s)" % (a.get("program_version", "?"), a.get("git_commit", "?"))),
            ("created (UTC)", a.get("created_utc", "?")), ("config hash", a.get("config_hash", "?")),
            ("sweep", "%s, seed %s" % (a.get("sweep_mode", "?"), a.get("seed", "?"))),
            ("cases", "%d: %d ok, %d failed, %d pending" % (len(df), counts.get("ok", 0),
                                                          counts.get("failed", 0), counts.get("pending", 0))),
            ("swept parameters", ", ".join(a["swept"]) or "none")]
    parts.append('<table class="meta" id="meta"><tbody>' + "".join(
        "<tr><td><b>%s</b></td><td>%s</td></tr>" % (esc(k), esc(v)) for k, v in meta) + "</tbody></table>")

    # device comparison
    g, groups = device_table(df)
    parts.append("<h2 id='devices'>Device comparison</h2>")
    parts.append("<p class='note'>Cases grouped by %s; results are medians over the cases that ran "
                 "(per needle where a force or energy). Hover a column for its description.</p>"
                 % esc(", ".join(groups) if groups else "nothing (no swept parameter)"))
    cols = list(g.columns)
    parts.append(_table(g, list(g.index), cols, index_name="device / group"))

    # all cases
    parts.append("<h2 id='cases'>Cases</h2>")
    rows = list(df.index[:MAX_CASE_ROWS])
    if len(df) > MAX_CASE_ROWS:
        parts.append("<p class='note'>First %d of %d cases; `python3 scripts/needlesim.py csv FILE -o "
                     "out.csv` writes all of them.</p>" % (MAX_CASE_ROWS, len(df)))
    cols = a["swept"] + ["status"] + [r for r in loader.KEY_RESULTS if r in df]
    parts.append(_table(df, rows, cols))

    # plots
    parts.append("<h2 id='plots'>Plots</h2>")
    with tempfile.TemporaryDirectory(prefix="needlesim-report-") as tmp:
        written, skipped = plots.plot_all(data, tmp, by=by)
        for key, ptitle, png in written:
            parts.append("<figure id='plot-%s'><img alt='%s' src='%s'><figcaption>%s</figcaption></figure>"
                         % (esc(key), esc(ptitle), _img(png), esc(ptitle)))
    if skipped:
        parts.append("<p class='note'>Not plotted: %s.</p>" % esc(
            "; ".join("%s (%s)" % (k, v) for k, v in skipped.items())))

    # failed cases
    parts.append("<h2 id='failed'>Failed cases</h2>")
    bad = df[df["status"] == "failed"]
    if len(bad):
        parts.append("<table id='failed-cases'><thead><tr><th class='t'>case</th>%s<th class='t'>reason</th>"
                     "</tr></thead><tbody>" % "".join("<th class='t'>%s</th>" % esc(p) for p in a["swept"]))
        for c, row in bad.iterrows():
            cells = ""
            for p in a["swept"]:
                v = row[p]
                if isinstance(v, str):
                    cells += "<td class='t'>%s</td>" % esc(v)
                else:
                    f, u = units.display_unit(a["units"].get(p, ""), df[p].values, p)
                    cells += "<td>%s</td>" % esc("%.4g %s" % (v / f, "" if u == "-" else u))
            parts.append("<tr><td class='t'>%d</td>%s<td class='t failed'>%s</td></tr>"
                         % (c, cells, esc(row["error"] or "(no reason recorded)")))
        parts.append("</tbody></table>")
    else:
        parts.append("<p id='failed-cases'>No failed cases.</p>")
    pend = int(counts.get("pending", 0))
    if pend:
        parts.append("<p class='note pending'>%d case(s) pending (not computed yet; "
                     "`needlesim run CONFIG --resume` continues the run).</p>" % pend)

    parts.append("<h2 id='config'>Resolved configuration</h2><details><summary>show</summary><pre>%s</pre>"
                 "</details>" % esc(a.get("config", "")))
    parts.append("<p class='note'>Generated by scripts/report.py from %s.</p></body></html>"
                 % esc(os.path.basename(path)))
    return "".join(parts)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Self-contained HTML device comparison report.")
    ap.add_argument("file")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--by", help="parameter that colours the curves")
    ap.add_argument("--title", default="Device comparison")
    a = ap.parse_args(argv)
    try:
        page = build(a.file, by=a.by, title=a.title)
    except loader.NeedlesimError as e:
        print(e, file=sys.stderr)
        return 1
    d = os.path.dirname(os.path.abspath(a.output))
    os.makedirs(d, exist_ok=True)
    with open(a.output, "w", encoding="utf-8") as fh:
        fh.write(page)
    print("report: wrote %s (%d kB)" % (a.output, (len(page) + 1023) // 1024))
    return 0


if __name__ == "__main__":
    sys.exit(main())
