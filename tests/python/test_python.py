#!/usr/bin/env python3
"""Checks of the Python analysis tools (scripts/needlesim.py, plots.py,
report.py) on one or more needlesim HDF5 files.

    python3 tests/python/test_python.py [--chromium PATH] [--fixture F.h5] [REAL.h5 ...]

--fixture: a file from tests/python/make_fixture.py, whose exact content is
known (12 cases: 10 ok, 1 failed, 1 pending; 3 swept parameters; 5 plots).
REAL files (from build/needlesim) get the checks that hold for any file.
Prints one line per check and "N passed, N failed"; exits 1 on any failure.
"""
import argparse
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))
import needlesim  # noqa: E402
from needlesim import plots, report  # noqa: E402

sys.path.insert(0, HERE)
import test_analysis  # noqa: E402

PY = sys.executable
RESULTS = {"passed": 0, "failed": 0}


def check(name, cond, detail=""):
    if cond:
        RESULTS["passed"] += 1
        print("  ok    %s" % name)
    else:
        RESULTS["failed"] += 1
        print("  FAIL  %s%s" % (name, (": " + detail) if detail else ""))
    return cond


def run_check(name, fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - any exception is a failed check
        check(name, False, "%s: %s" % (type(e).__name__, e))


def is_png(path):
    try:
        with open(path, "rb") as fh:
            return os.path.getsize(path) > 1000 and fh.read(8) == b"\x89PNG\r\n\x1a\n"
    except OSError:
        return False


def file_facts(path):
    with h5py.File(path, "r") as f:
        n = int(f.attrs["n_cases"]) if "n_cases" in f.attrs else f["status"].shape[0]
        params = [k for k in f["params"]] if "params" in f else []
        results = [k for k in f["results"]] if "results" in f else []
        units = {k: f["results"][k].attrs["units"] for k in results}
        units = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in units.items()}
        status = f["status"][()]
    return n, params, results, units, status


def test_units():
    print("units")
    q = needlesim.parse_quantity
    # exact conversions: relative 1e-12 covers one or two float roundings
    for text, si in (("10 mg/mL", 10.0), ("500 um", 5e-4), ("100 /cm2", 1e6), ("24 h", 86400.0),
                     ("2 m/s", 2.0), ("1.5 mm", 1.5e-3), ("3 ug/(cm2 h)", 3e-9 / 1e-4 / 3600)):
        v = q(text)
        check("parse_quantity(%r) = %g" % (text, si), abs(v - si) <= 1e-12 * abs(si), "got %r" % v)
    f, u = needlesim.display_unit("m", [250e-6, 500e-6])
    check("display_unit m -> µm for 250-500 µm", (f, u) == (1e-6, "µm"), "%r %r" % (f, u))
    f, u = needlesim.display_unit("kg/m2", [2e-5])
    check("display_unit kg/m2 -> µg/cm² (1 µg/cm² = 1e-5 kg/m²)", u == "µg/cm²" and f == 1e-5, u)
    for cf, si in (("kg m-2", "kg/m2"), ("kg m-2 s-1", "kg/(m2 s)"), ("m-2", "1/m2"),
                   ("m2 s-1", "m2/s"), ("kg m-3", "kg/m3")):
        check("display_unit: UDUNITS spelling %r shown like %r" % (cf, si),
              needlesim.display_unit(cf, [2.3e-5]) == needlesim.display_unit(si, [2.3e-5]) and
              needlesim.display_unit(cf, [2.3e-5])[1] != cf)
    f, u = needlesim.display_unit("m s-1", [3e-8], name="intact_permeability")
    check("permeability in UDUNITS spelling shown in cm/h", u == "cm/h")
    f, u = needlesim.display_unit("m/s", [3e-8], name="intact_permeability")
    check("permeability shown in cm/h", u == "cm/h" and abs(3e-8 / f - 0.0108) < 1e-12, "%r" % (3e-8 / f))
    try:
        needlesim.loader._require("no_such_package_needlesim")
        check("missing package gives a clear error", False, "no error raised")
    except needlesim.NeedlesimError as e:
        check("missing package gives a clear error", "no_such_package_needlesim" in str(e)
              and "apt-get" in str(e), str(e))


def test_bad_inputs(tmp):
    print("bad inputs")
    other = os.path.join(tmp, "other.h5")
    with h5py.File(other, "w") as f:
        f["x"] = np.arange(3)
    try:
        needlesim.load(other)
        check("non-needlesim HDF5 file rejected", False, "loaded")
    except needlesim.NeedlesimError as e:
        check("non-needlesim HDF5 file rejected", "status" in str(e), str(e))
    try:
        needlesim.load(os.path.join(tmp, "missing.h5"))
        check("missing file rejected", False, "loaded")
    except needlesim.NeedlesimError as e:
        check("missing file rejected", "no such file" in str(e), str(e))


def test_file(path, tmp, chromium, fixture):
    tag = "fixture" if fixture else "real output"
    print("%s: %s" % (tag, path))
    n, params, results, units, status = file_facts(path)
    n_failed = int(np.sum(status == 2))

    def loader():
        df = needlesim.load(path)
        check("load: %d rows" % n, len(df) == n, "got %d" % len(df))
        ncol = len(params) + len(results) + 2 + ("deepest_layer" in results)
        check("load: %d columns (params + results + status + error + deepest_layer_code)" % ncol,
              df.shape[1] == ncol,
              "got %d" % df.shape[1])
        check("load: units for every column", all(c in df.attrs["units"] for c in df.columns))
        check("load: result units match the file",
              all(df.attrs["units"][k] == u for k, u in units.items()))
        check("load: status as text", set(df["status"]) <= {"ok", "failed", "pending"}, str(set(df["status"])))
        check("load: root attrs", df.attrs.get("schema") == "needlesim-1" and "config_hash" in df.attrs)
        d2 = needlesim.load(path, failed="drop")
        check("load(failed='drop') removes %d failed rows" % n_failed, len(d2) == n - n_failed,
              "got %d" % len(d2))
        if fixture:
            check("fixture: 10 ok, 1 failed, 1 pending",
                  dict(df["status"].value_counts()) == {"ok": 10, "failed": 1, "pending": 1},
                  str(dict(df["status"].value_counts())))
            check("fixture: swept = 3 params", len(df.attrs["swept"]) == 3, str(df.attrs["swept"]))
            check("fixture: failed case has its reason", "time step" in df.loc[5, "error"])
        try:
            needlesim.load(path, failed="bogus")
            check("load(failed='bogus') rejected", False)
        except ValueError:
            check("load(failed='bogus') rejected", True)
    run_check("loader", loader)

    def xarray_():
        ds = needlesim.load_xarray(path)
        for d in ("case", "time", "insertion_point"):
            check("load_xarray: dim %s" % d, d in ds.dims, str(dict(ds.dims)))
        check("load_xarray: %d cases" % n, ds.sizes.get("case") == n)
        check("load_xarray: units on every variable",
              all("units" in ds[v].attrs for v in ds.data_vars))
        curves = [v for v in ds.data_vars if v.startswith("curve.")]
        check("load_xarray: curves are 2-D", curves and all(ds[v].ndim == 2 for v in curves), str(curves))
        di = needlesim.identifiers(ds)
        check("identifiers(Dataset): no dotted names, same variables",
              not any("." in str(v) for v in list(di.variables) + list(di.dims))
              and len(di.variables) == len(ds.variables), str(list(di.variables)[:8]))
        df0 = needlesim.load(path)
        dfi = needlesim.identifiers(df0)
        check("identifiers(DataFrame): columns and attrs lists without dots, values unchanged",
              not any("." in c for c in dfi.columns)
              and not any("." in p for p in dfi.attrs["params"])
              and all(k in dfi.columns for k in dfi.attrs["swept"])
              and list(dfi.columns) == [c.replace(".", "__") for c in df0.columns]
              and dfi.drop(columns=["status", "error"]).equals(
                  df0.drop(columns=["status", "error"]).set_axis(
                      [c for c in dfi.columns if c not in ("status", "error")], axis=1)),
              str(list(dfi.columns)[:6]))
        c = needlesim.load_curves(path, "insertion_force")
        check("load_curves: [case, insertion_point]", c.shape[0] == n and c.attrs["axis"] == "insertion_point",
              "%s %s" % (c.shape, c.attrs["axis"]))
        t = needlesim.load_curves(path, "permeated_amount")
        check("load_curves: time axis in s", t.attrs["axis"] == "time" and t.attrs["axis_units"] == "s",
              "%s %s" % (t.attrs["axis"], t.attrs["axis_units"]))
    run_check("xarray", xarray_)

    def cli():
        r = subprocess.run([PY, os.path.join(ROOT, "scripts", "needlesim.py"), "summary", path],
                           capture_output=True, text=True, timeout=60)
        check("summary CLI", r.returncode == 0 and ("cases     %d" % n) in r.stdout, r.stderr[-300:])
        out = os.path.join(tmp, "out.csv")
        r = subprocess.run([PY, os.path.join(ROOT, "scripts", "needlesim.py"), "csv", path, "-o", out],
                           capture_output=True, text=True, timeout=60)
        rows = len(open(out).read().strip().splitlines()) - 1 if os.path.exists(out) else -1
        check("csv CLI writes %d rows" % n, r.returncode == 0 and rows == n, "%d rows; %s" % (rows, r.stderr[-300:]))
    run_check("cli", cli)

    pdir = os.path.join(tmp, "plots-" + tag.replace(" ", "_"))
    written = []

    def plots_():
        data = plots.Data(path)
        fns = [("force_displacement", plots.plot_force_displacement), ("penetration", plots.plot_penetration),
               ("dose", plots.plot_dose), ("enhancement_map", plots.plot_enhancement_map),
               ("field", plots.plot_field)]
        for key, fn in fns:
            out = fn(data, os.path.join(pdir, key + ".png"))
            if out:
                written.append(out)
                check("plot %s: non-empty PNG" % key, is_png(out))
            elif fixture:
                check("plot %s written" % key, False, data.skipped.get(key, "skipped"))
            else:
                check("plot %s skipped with a reason" % key, bool(data.skipped.get(key)),
                      "no reason given")
                print("        (%s)" % data.skipped.get(key))
        if not fixture:
            df = data.df
            ok = df[df["status"] == "ok"]
            x = data.curve("insertion_force")
            has = x is not None and len(ok) and np.isfinite(x.loc[ok.index].values).any()
            check("plot force_displacement present when curves exist",
                  (not has) or any(p.endswith("force_displacement.png") for p in written))
    run_check("plots", plots_)

    html_path = os.path.join(tmp, "report-%s.html" % tag.replace(" ", "_"))

    def report_():
        r = subprocess.run([PY, os.path.join(ROOT, "scripts", "report.py"), path, "-o", html_path],
                           capture_output=True, text=True, timeout=300)
        check("report.py exits 0", r.returncode == 0, r.stderr[-500:])
        page = open(html_path, encoding="utf-8").read()
        imgs = re.findall(r"src='data:image/png;base64,([^']*)'", page)
        check("report embeds PNG images (%d)" % len(imgs), len(imgs) >= 4 and all(
            base64.b64decode(b)[:8] == b"\x89PNG\r\n\x1a\n" for b in imgs))
        check("report: no external resources",
              not re.search(r"""(src|href)\s*=\s*['"]?(https?:|//)""", page) and "<link" not in page
              and "<script" not in page)
        for sec in ("device-ranking", "needle", "pareto", "closure", "forces", "cases-table",
                    "failed-cases"):
            check("report: section %s" % sec, "id='%s'" % sec in page or "id='plot-%s'" % sec
                  in page)
        df = needlesim.load(path)
        mode = df.attrs.get("sweep_mode")
        want = {"grid": ["plot-lines"], "zip": ["plot-bars"], "lhs": ["plot-scatter",
                "plot-sensitivity"], "saltelli": ["plot-scatter", "plot-sensitivity"]}
        for sec in want.get(mode, []):
            check("report: %s sweep has %s" % (mode, sec), "id='%s'" % sec in page)
        if mode in ("lhs", "saltelli", "zip"):
            check("report: no heat map for a %s sweep" % mode, "id='plot-heatmap'" not in page)
        check("report: layer names, not codes", "deepest layer" in page and
              not re.search(r"<td>[0-4]\.0</td>", page))
        bad = needlesim.load(path, failed="only")
        for c, row in bad.head(5).iterrows():
            check("report lists failed case %d with its reason" % c,
                  report.esc(row["error"] or "(no reason recorded)") in page)
        for k in ("config_hash", "program_version"):
            v = str(df.attrs.get(k, ""))
            check("report header shows %s" % k, v and report.esc(v) in page)
    run_check("report", report_)

    def browser():
        if not chromium:
            print("  skip  chromium: chromium is not installed (scripts/install-deps.sh installs it)")
            return
        res = layout_check(chromium, html_path, tmp)
        check("chromium renders the report at 1280 px", res is not None, "no result from chromium")
        if res is None:
            return
        check("chromium: no broken image (%d images)" % res["images"], not res["broken"],
              str(res["broken"]))
        check("chromium: no overflowing table or page (width %d px)" % res["width"],
              not res["overflow"] and res["scroll"] <= res["width"],
              "%s; page scrollWidth %d" % (res["overflow"], res["scroll"]))
    run_check("chromium", browser)


# Injected into a copy of a page: records broken images and elements wider
# than their container (or the window) into <pre id="layout-check">.
LAYOUT_JS = """<script>
window.addEventListener('load', function () {
  var W = document.documentElement.clientWidth, broken = [], over = [];
  document.querySelectorAll('img').forEach(function (im, i) {
    if (!im.complete || im.naturalWidth === 0) broken.push(im.alt || ('image ' + i));
  });
  document.querySelectorAll('table, pre, figure, img').forEach(function (t, i) {
    var r = t.getBoundingClientRect(), p = t.parentElement;
    if (r.right > W + 1 || t.scrollWidth > t.clientWidth + 1 ||
        (p && t.tagName === 'TABLE' && t.offsetWidth > p.clientWidth + 1))
      over.push((t.id || t.tagName) + ' ' + Math.round(r.right) + 'px');
  });
  var out = document.createElement('pre');
  out.id = 'layout-check';
  out.textContent = JSON.stringify({width: W, scroll: document.documentElement.scrollWidth,
                                    images: document.images.length, broken: broken,
                                    overflow: over});
  document.body.appendChild(out);
});
</script>"""


def layout_check(chromium, html_path, tmp, width=1280):
    """Render a copy of the page in headless Chromium at `width` px and return
    the facts LAYOUT_JS records (None if Chromium gives none)."""
    page = open(html_path, encoding="utf-8").read()
    probe = html_path[:-5] + "-probe.html"
    with open(probe, "w", encoding="utf-8") as fh:
        fh.write(page.replace("</body>", LAYOUT_JS + "</body>"))
    prof = tempfile.mkdtemp(prefix="needlesim-chromium-", dir=tmp)
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + prof,
           "--window-size=%d,2000" % width, "--virtual-time-budget=10000", "--dump-dom",
           "file://" + os.path.abspath(probe)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    m = re.search(r'<pre id="layout-check">(.*?)</pre>', r.stdout, re.S)
    if not m:
        return None
    import html as _html
    import json
    return json.loads(_html.unescape(m.group(1)))


def test_layout_checker(chromium, tmp):
    """The layout check must catch a broken image and a too-wide table."""
    if not chromium:
        return
    bad = os.path.join(tmp, "bad-layout.html")
    with open(bad, "w", encoding="utf-8") as fh:
        fh.write("<!DOCTYPE html><html><body style='margin:0'><p>x</p>"
                 "<img alt='broken' src='data:image/png;base64,iVBORw0KGgoAAAA'>"
                 "<table id='wide' style='width:1700px'><tr><td>wide</td></tr></table>"
                 "</body></html>")
    res = layout_check(chromium, bad, tmp)
    check("layout check catches a broken image", res is not None and res["broken"] == ["broken"],
          str(res))
    check("layout check catches an overflowing table", res is not None and
          any(o.startswith("wide") for o in res["overflow"]), str(res))


def test_validate(tmp):
    """validate.py with a stand-in binary (writes the fixture) and with none."""
    print("validation report")
    cfgs = sorted(f for f in os.listdir(os.path.join(ROOT, "tests", "data", "validation")) if f.endswith(".ini"))
    n_checks = sum(1 for f in cfgs for ln in open(os.path.join(ROOT, "tests", "data", "validation", f))
                   if re.match(r"^\s*;\s*@check:", ln))
    check("validation configs carry checks", len(cfgs) >= 5 and n_checks >= len(cfgs), "%d %d" % (len(cfgs), n_checks))
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import validate
    calib = validate.calibration_cases()
    check("calibration cases listed in insertion_calibration.md exist",
          len(calib) >= 2 and all(c + ".ini" in cfgs for c in calib), str(calib))
    out = os.path.join(tmp, "validation-nofail.html")
    r = subprocess.run([PY, os.path.join(ROOT, "scripts", "validate.py"), "-o", out, "--no-fail",
                        "--binary", os.path.join(HERE, "fake_needlesim.sh")],
                       capture_output=True, text=True, timeout=120)
    check("validate.py --no-fail exits 0 with failing checks", r.returncode == 0, r.stderr[-300:])
    for label, binary in (("stand-in binary", os.path.join(HERE, "fake_needlesim.sh")),
                          ("missing binary", os.path.join(tmp, "no-such-needlesim"))):
        out = os.path.join(tmp, "validation-%s.html" % label.split()[0])
        r = subprocess.run([PY, os.path.join(ROOT, "scripts", "validate.py"), "-o", out, "--binary", binary],
                           capture_output=True, text=True, timeout=120)
        # both runs have failing or missing checks: exit 1, page written anyway
        check("validate.py (%s) exits 1 on a failing check" % label, r.returncode == 1,
              r.stderr[-400:])
        page = open(out, encoding="utf-8").read() if os.path.exists(out) else ""
        check("validate.py (%s): calibration and validation sections" % label,
              "id='calibration-cases'" in page and "id='validation-cases'" in page)
        cal = page.split("id='calibration'")[1].split("</table>")[0] if "id='calibration'" in page else ""
        check("validate.py (%s): calibration table holds exactly the listed configs" % label,
              sorted(set(re.findall(r"tests/data/validation/(\w+)\.ini", cal))) == sorted(calib),
              str(re.findall(r"validation/(\w+)\.ini", cal)))
        rows = page.count("<tr><td>")
        check("validate.py (%s): one row per check (%d)" % (label, n_checks), rows == n_checks, "got %d" % rows)
        check("validate.py (%s): one plot per config (%d)" % (label, len(cfgs)),
              page.count("data:image/png;base64,") == len(cfgs), "got %d" % page.count("data:image/png"))
        if label == "missing binary":
            check("validate.py (missing binary): every check 'no result'",
                  page.count("<td class='nores'>no result") == n_checks)
        else:
            # the fixture has 3-10 mN puncture forces: the sharp-tip band passes,
            # the 30G band (0.3-3 N) must fail, so both verdicts are exercised
            check("validate.py (stand-in): has pass and fail verdicts",
                  "class='pass'>pass" in page and "class='fail'>fail" in page)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chromium", default="")
    ap.add_argument("--fixture")
    ap.add_argument("--needlesim", default="", help="binary for the design-study checks")
    ap.add_argument("real", nargs="*")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="needlesim-pytest-")
    try:
        test_units()
        test_bad_inputs(tmp)
        run_check("validate", lambda: test_validate(tmp))
        run_check("layout checker", lambda: test_layout_checker(a.chromium, tmp))
        if a.fixture:
            test_file(a.fixture, tmp, a.chromium, fixture=True)
        for p in a.real:
            test_file(p, tmp, a.chromium, fixture=False)
        test_analysis.run_all(check, run_check, tmp, a.needlesim and os.path.abspath(a.needlesim),
                              ROOT)
    finally:
        if os.environ.get("NS_KEEP_TMP"):
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (RESULTS["passed"], RESULTS["failed"]))
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
