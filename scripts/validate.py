#!/usr/bin/env python3
"""Validation report: needlesim against published observations.

    python3 scripts/validate.py -o outputs/validation.html [--binary build/needlesim]
                                [--configs tests/data/validation] [--only NAME] [--no-fail]

Each tests/data/validation/*.ini is a runnable needlesim config describing one
published observation; comment lines starting with "; @" carry what to check:

    ; @title:    short name of the observation
    ; @measured: what was measured, in words and numbers
    ; @citation: the source
    ; @check:    range QUANTITY LO HI UNIT          every ok case within [LO, HI]
    ; @check:    linear QUANTITY X [R2]             QUANTITY rises linearly with X
                                                    (positive slope, R^2 >= R2, default 0.9)
    ; @check:    increasing QUANTITY PARAM          QUANTITY rises with PARAM within every
                                                    group of the other swept parameters
    ; @plot:     QUANTITY X                         model values against X, band shaded

QUANTITY and X are result names (/results), swept parameters (/params), or
the derived effective_permeability = peak_flux / drug.concentration (the
steady flux per vehicle concentration, comparable with a measured kp).
Each config is run with the binary into a temporary file; a config that
cannot run, or a quantity that is NaN (model not available yet), shows as
"no result" and the page still renders. Output: one self-contained HTML page
with the table model vs measurement, accepted band, pass/fail and citation,
and one plot per observation.

Calibration and validation: the configs named (as `NAME.ini`) under the
heading "## Calibration cases" of tests/data/insertion_calibration.md are the
observations the model constants were fitted to; agreement there is by
construction. Every other config is a validation case (not used in a fit).
The page shows them in two tables with separate counts.

Exit codes: 0 every check passed; 1 a check failed or has no result (the
page is still written; --no-fail: exit 0 whenever the page was written);
2 bad arguments or no configs.
"""
import argparse
import base64
import glob
import html
import io
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import needlesim  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def esc(x):
    return html.escape(str(x), quote=True)


CALIBRATION_DOC = os.path.join(ROOT, "tests", "data", "insertion_calibration.md")
CALIBRATION_HEADING = "## Calibration cases"


def calibration_cases(doc=CALIBRATION_DOC):
    """Config base names listed under CALIBRATION_HEADING of doc (empty set if
    the file or the heading is missing)."""
    names, inside = set(), False
    try:
        lines = open(doc, encoding="utf-8").read().splitlines()
    except OSError:
        return names
    for line in lines:
        if line.startswith("## "):
            inside = line.strip().startswith(CALIBRATION_HEADING)
            continue
        if inside:
            names.update(re.findall(r"`([\w.-]+)\.ini`", line))
    return names


def read_meta(path):
    meta = {"title": os.path.basename(path), "measured": "", "citation": "", "checks": [], "plots": []}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^\s*[;#]\s*@(\w+)\s*:\s*(.*?)\s*$", line)
        if not m:
            continue
        key, val = m.group(1), m.group(2)
        if key == "check":
            meta["checks"].append(val.split())
        elif key == "plot":
            meta["plots"].append(val.split())
        else:
            meta[key] = val
    return meta


def run_config(binary, ini, out, timeout):
    """Run one config; returns (ok, message)."""
    if not os.path.exists(binary):
        return False, "binary %s not found (run make)" % binary
    env = dict(os.environ)
    if os.geteuid() == 0:  # Open MPI refuses root unless told (as in the Makefile)
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    env.setdefault("OMPI_MCA_btl_vader_single_copy_mechanism", "none")
    t0 = time.time()
    try:
        r = subprocess.run([binary, "run", ini, "-o", out, "--quiet"], capture_output=True, text=True,
                           timeout=timeout, env=env, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return False, "timed out after %d s" % timeout
    except OSError as e:
        return False, "could not run %s: %s" % (binary, e)
    if r.returncode != 0 or not os.path.exists(out):
        msg = (r.stderr or r.stdout).strip().splitlines()
        return False, "exit %d: %s" % (r.returncode, " | ".join(msg[-3:]) if msg else "no message")
    return True, "ran in %.1f s" % (time.time() - t0)


def _config_value(df, key):
    """SI value of section.key: the swept column, else the resolved config text."""
    if key in df:
        return df[key].astype(float)
    section, _, name = key.partition(".")
    cur = None
    for line in str(df.attrs.get("config", "")).splitlines():
        s = line.split(";")[0].split("#")[0].strip()
        m = re.match(r"^\[(\w+)\]$", s)
        if m:
            cur = m.group(1)
        elif cur == section and "=" in s:
            k, v = (t.strip() for t in s.split("=", 1))
            if k == name:
                return np.full(len(df), needlesim.parse_quantity(v))
    raise KeyError("%s is neither swept nor in the resolved config" % key)


def quantity(df, name):
    """(values [SI] per row, SI units) of a result, parameter or derived quantity."""
    if name == "effective_permeability":
        c = _config_value(df, "drug.concentration")
        return df["peak_flux"].astype(float) / c, "m/s"
    if name in df:
        col = df[name]
        if col.dtype == object:
            lower = col.astype(str).str.lower()
            if set(lower) <= {"true", "false", "0", "1"}:
                return lower.isin(["true", "1"]).astype(float), "1"
            return col, ""
        return col.astype(float), df.attrs["units"].get(name, "")
    raise KeyError("no quantity '%s' in the output" % name)


def _band_factor(unit):
    return needlesim.parse_quantity("1 " + unit) if unit not in ("1", "-", "") else 1.0


def evaluate(check, df):
    """One check -> dict(kind, quantity, model, band, verdict, detail)."""
    kind = check[0]
    row = {"kind": kind, "quantity": check[1] if len(check) > 1 else "?", "model": "", "band": "",
           "verdict": "no result", "detail": ""}
    ok = df[df["status"] == "ok"]
    try:
        if kind == "range":
            q, lo, hi, unit = check[1], float(check[2]), float(check[3]), check[4]
            f = _band_factor(unit)
            v, _ = quantity(ok, q)
            v = np.asarray(v, dtype=float) / f
            u = "" if unit == "1" else " " + unit
            row["band"] = ("≥ %.3g%s" % (lo, u)) if hi >= 1e8 else ("%.3g – %.3g%s" % (lo, hi, u))
            fin = v[np.isfinite(v)]
            unpunct = int((ok["punctured"] == 0).sum()) if "punctured" in ok else 0
            if fin.size == 0:
                if unpunct and unpunct == len(ok):
                    # the model answered: the skin was not punctured, unlike the measurement
                    row["verdict"] = "fail"
                    row["model"] = "not punctured"
                    row["detail"] = "skin not punctured in any of the %d cases" % len(ok)
                else:
                    row["detail"] = "no finite values (%d ok of %d cases)" % (len(ok), len(df))
                return row
            row["model"] = ("%.3g %s" % (fin[0], "" if unit == "1" else unit) if fin.size == 1 else
                            "%.3g – %.3g %s (%d cases)" % (fin.min(), fin.max(), "" if unit == "1" else unit,
                                                           fin.size))
            inside = (fin >= lo) & (fin <= hi)
            row["verdict"] = "pass" if inside.all() and fin.size == v.size else "fail"
            if fin.size < v.size:
                row["detail"] = "%d of %d values undefined%s" % (
                    v.size - fin.size, v.size, (" (%d not punctured)" % unpunct) if unpunct else "")
            elif not inside.all():
                row["detail"] = "%d of %d outside the band" % (int((~inside).sum()), fin.size)
        elif kind == "linear":
            q, x = check[1], check[2]
            r2min = float(check[3]) if len(check) > 3 else 0.9
            y, yu = quantity(ok, q)
            xv, xu = quantity(ok, x)
            y, xv = np.asarray(y, float), np.asarray(xv, float)
            m = np.isfinite(y) & np.isfinite(xv)
            row["band"] = "slope > 0, R² ≥ %.2g" % r2min
            if m.sum() < 3:
                row["detail"] = "fewer than 3 finite points"
                return row
            A = np.vstack([xv[m], np.ones(m.sum())]).T
            (slope, icpt), res, *_ = np.linalg.lstsq(A, y[m], rcond=None)
            ss = float(np.sum((y[m] - y[m].mean()) ** 2))
            r2 = 1 - float(res[0]) / ss if res.size and ss > 0 else (1.0 if ss == 0 else 0.0)
            if xu == "m2" and yu == "N":   # show the slope like the published fit, N/mm²
                row["model"] = "slope %.3g N/mm², R² = %.3f" % (slope * 1e-6, r2)
            else:
                row["model"] = "slope %.3g %s/%s, R² = %.3f" % (slope, yu, xu, r2)
            row["verdict"] = "pass" if slope > 0 and r2 >= r2min else "fail"
        elif kind == "increasing":
            q, p = check[1], check[2]
            y, _ = quantity(ok, q)
            xv, _ = quantity(ok, p)
            others = [s for s in df.attrs["swept"] if s != p]
            row["band"] = "rises with %s" % p
            frame = ok[others].copy() if others else ok[[]].copy()
            frame["_x"], frame["_y"] = np.asarray(xv, float), np.asarray(y, float)
            if not np.isfinite(frame["_y"]).any():
                row["detail"] = "no finite values"
                return row
            groups = (frame.groupby(others[0] if len(others) == 1 else others) if others
                      else [((), frame)])
            n_pairs = n_up = 0
            for _, g in groups:
                g = g.sort_values("_x")
                d = np.diff(g["_y"].values)
                dx = np.diff(g["_x"].values)
                d = d[dx > 0]
                n_pairs += d.size
                n_up += int(np.sum(d > 0))
            if n_pairs == 0:
                row["detail"] = "%s takes one value: nothing to compare" % p
                return row
            row["model"] = "%d of %d steps rise" % (n_up, n_pairs)
            row["verdict"] = "pass" if n_up == n_pairs else "fail"
        else:
            row["detail"] = "unknown check kind '%s'" % kind
    except (KeyError, ValueError, IndexError) as e:
        row["detail"] = str(e).strip("'\"")
    return row


def plot_case(meta, df, name):
    """PNG (bytes) of the first @plot: model values against X with the range band."""
    if not meta["plots"]:
        return None
    q, x = meta["plots"][0][:2]
    ok = df[df["status"] == "ok"] if df is not None else None
    try:
        if ok is None:
            raise KeyError("no output")
        y, yu = quantity(ok, q)
        xv, xu = quantity(ok, x)
    except (KeyError, ValueError):          # not in the output: an empty "no result" panel
        y, yu = np.full(1, np.nan), ""
        xv, xu = np.array(["(no output)"], dtype=object), ""
    y = np.asarray(y, float)
    band = next((c for c in meta["checks"] if c[0] == "range" and c[1] == q), None)
    if band:
        fy, uy = _band_factor(band[4]), ("" if band[4] == "1" else band[4])
    else:
        fy, uy = needlesim.display_unit(yu, y, q)
    if xv.dtype == object:
        labels, xs = list(xv.astype(str)), np.arange(len(xv))
        fx, ux = 1.0, ""
    else:
        xs = np.asarray(xv, float)
        fx, ux = needlesim.display_unit(xu, xs, x)
        labels = None
    fig, ax = plt.subplots(figsize=(6, 3.8))
    if band:
        lo, hi = float(band[2]), float(band[3])
        top = min(hi, max(np.nanmax(y / fy) * 1.5 if np.isfinite(y).any() else hi, lo * 2 if lo > 0 else 1))
        ax.axhspan(lo, top, color="tab:green", alpha=0.15, label="accepted band (measured)")
    if np.isfinite(y).any():
        ax.plot(xs / fx, y / fy, "o-", color="tab:blue", label="needlesim")
    else:
        ax.text(0.5, 0.5, "no result", transform=ax.transAxes, ha="center", va="center",
                fontsize=14, color="grey")
    if labels is not None:
        ax.set_xticks(xs, labels)
    ax.set_xlabel("%s [%s]" % (x, ux) if ux not in ("", "-") else x)
    ax.set_ylabel("%s [%s]" % (q.replace("_", " "), uy) if uy not in ("", "-") else q.replace("_", " "))
    ax.set_title(meta["title"], fontsize=10)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()


CSS = """body{font-family:system-ui,Helvetica,Arial,sans-serif;max-width:1200px;margin:24px auto;
padding:0 16px;color:#1d2330}table{border-collapse:collapse;font-size:.88em}
th,td{border:1px solid #d8dee9;padding:4px 8px;text-align:left;vertical-align:top}th{background:#eef1f6}
.pass{color:#067647;font-weight:600}.fail{color:#b42318;font-weight:600}
.nores{color:#9aa3b2;font-style:italic}figure{display:inline-block;margin:8px}
figure img{border:1px solid #d8dee9}.note{color:#475467;font-size:.9em}"""


ROLE_TEXT = {
    "calibration": ("Calibration cases",
                    "Observations the model constants were fitted to "
                    "(tests/data/insertion_calibration.md): agreement here is by construction."),
    "validation": ("Validation cases",
                   "Observations not used in any fit: these test the model."),
}


def _count(rows):
    n = {"pass": 0, "fail": 0, "no result": 0}
    for r in rows:
        n[r["verdict"]] = n.get(r["verdict"], 0) + 1
    return n


def _rows_table(rows, role):
    out = ["<table id='%s'><thead><tr><th>observation</th><th>check</th><th>model</th>"
           "<th>measured</th><th>accepted band</th><th>verdict</th><th>source</th></tr></thead><tbody>"
           % role]
    for r in rows:
        cls = {"pass": "pass", "fail": "fail"}.get(r["verdict"], "nores")
        verdict = esc(r["verdict"]) + (("<br><small>%s</small>" % esc(r["detail"])) if r["detail"] else "")
        out.append("<tr><td>%s<br><small>%s</small></td><td>%s %s</td><td>%s</td><td>%s</td><td>%s</td>"
                   "<td class='%s'>%s</td><td>%s</td></tr>"
                   % (esc(r["title"]), esc(r["config"]), esc(r["kind"]), esc(r["quantity"]),
                      esc(r["model"]) if r["model"] else "<span class='nores'>no result</span>",
                      esc(r["measured"]), esc(r["band"]), cls, verdict, esc(r["citation"])))
    out.append("</tbody></table>")
    return "".join(out)


def build(rows, figures, binary, started):
    n = _count(rows)
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>needlesim validation</title>",
           "<style>%s</style></head><body><h1>needlesim validation against published observations</h1>" % CSS,
           "<p class='note'>binary %s; generated %s UTC; %d checks: %d pass, %d fail, %d no result.</p>"
           % (esc(binary), esc(started), len(rows), n["pass"], n["fail"], n["no result"])]
    for role in ("validation", "calibration"):
        sub = [r for r in rows if r.get("role", "validation") == role]
        title, text = ROLE_TEXT[role]
        k = _count(sub)
        out.append("<h2 id='%s-cases'>%s: %d checks, %d pass, %d fail, %d no result</h2>"
                   "<p class='note'>%s</p>" % (role, title, len(sub), k["pass"], k["fail"],
                                               k["no result"], esc(text)))
        out.append(_rows_table(sub, role) if sub else "<p class='note'>none</p>")
    out.append("<h2>Model vs measured</h2>")
    for title, png in figures:
        out.append("<figure><img alt='%s' src='data:image/png;base64,%s'></figure>"
                   % (esc(title), base64.b64encode(png).decode("ascii")))
    out.append("<p class='note'>Configs and the checks they carry: tests/data/validation/*.ini; "
               "calibration cases: tests/data/insertion_calibration.md.</p></body></html>")
    return "".join(out), n


def main(argv=None):
    ap = argparse.ArgumentParser(description="Validation report against published measurements.")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "needlesim"))
    ap.add_argument("--configs", default=os.path.join(ROOT, "tests", "data", "validation"))
    ap.add_argument("--only", help="run only configs whose name contains this")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per config")
    ap.add_argument("--keep", help="keep the HDF5 outputs in this directory")
    ap.add_argument("--no-fail", action="store_true",
                    help="exit 0 whenever the page was written, even with failing checks")
    ap.add_argument("--strict", action="store_true", help=argparse.SUPPRESS)  # the default now
    ap.add_argument("--calibration", default=CALIBRATION_DOC,
                    help="document listing the calibration cases (default %(default)s)")
    a = ap.parse_args(argv)
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    configs = sorted(glob.glob(os.path.join(a.configs, "*.ini")))
    if a.only:
        configs = [c for c in configs if a.only in os.path.basename(c)]
    if not configs:
        print("validate: no configs in %s" % a.configs, file=sys.stderr)
        return 2
    calib = calibration_cases(a.calibration)
    rows, figures = [], []
    workdir = a.keep or tempfile.mkdtemp(prefix="needlesim-validate-")
    os.makedirs(workdir, exist_ok=True)
    for ini in configs:
        meta = read_meta(ini)
        base = os.path.splitext(os.path.basename(ini))[0]
        out = os.path.join(workdir, base + ".h5")
        if os.path.exists(out):
            os.remove(out)
        ran, msg = run_config(a.binary, ini, out, a.timeout)
        df = None
        if ran:
            try:
                df = needlesim.load(out)
            except needlesim.NeedlesimError as e:
                ran, msg = False, str(e)
        print("validate: %-32s %s" % (base, msg))
        for chk in meta["checks"] or [["none", "-"]]:
            r = evaluate(chk, df) if df is not None else {
                "kind": chk[0], "quantity": chk[1] if len(chk) > 1 else "", "model": "", "band": "",
                "verdict": "no result", "detail": msg}
            if df is not None and not r["detail"] and (df["status"] == "failed").any():
                r["detail"] = "%d case(s) failed: %s" % (int((df["status"] == "failed").sum()),
                                                          df.loc[df["status"] == "failed", "error"].iloc[0])
            r.update(title=meta["title"], measured=meta["measured"], citation=meta["citation"],
                     config=os.path.relpath(ini, ROOT),
                     role="calibration" if base in calib else "validation")
            if chk[0] == "range" and not r["band"] and len(chk) >= 5:
                r["band"] = "%s – %s %s" % (chk[2], chk[3], "" if chk[4] == "1" else chk[4])
            rows.append(r)
            print("    %-10s %-24s %-10s %s" % (r["kind"], r["quantity"], r["verdict"], r["model"]))
        png = plot_case(meta, df, base)
        if png:
            figures.append((meta["title"], png))
    page, n = build(rows, figures, a.binary, started)
    os.makedirs(os.path.dirname(os.path.abspath(a.output)), exist_ok=True)
    with open(a.output, "w", encoding="utf-8") as fh:
        fh.write(page)
    print("validate: wrote %s: %d pass, %d fail, %d no result" % (a.output, n["pass"], n["fail"],
                                                                  n["no result"]))
    if not a.keep:
        for f in glob.glob(os.path.join(workdir, "*.h5")):
            os.remove(f)
        os.rmdir(workdir) if not os.listdir(workdir) else None
    bad = [r for r in rows if r["verdict"] != "pass"]
    for r in bad:
        print("validate: %s (%s case): %s %s: %s" % (r["config"], r.get("role", "validation"),
                                                   r["kind"], r["quantity"], r["verdict"]),
              file=sys.stderr)
    return 1 if bad and not a.no_fail else 0


if __name__ == "__main__":
    sys.exit(main())
