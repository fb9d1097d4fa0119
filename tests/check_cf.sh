#!/usr/bin/env bash
# make check-cf: CF attributes of the HDF5 output. A smoke run with fields;
# every dataset must carry `units` and `long_name`, every distinct units string
# (text datasets excepted) must parse in UDUNITS-2 (the udunits2 program) and
# in pint, and the coded variables /status and /results/deepest_layer carry
# flag_values and flag_meanings that match their descriptions.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
NEEDLESIM=${NEEDLESIM:-build/needlesim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$NEEDLESIM" run inputs/smoke.ini -o "$tmp/s.h5" --quiet --set run.fields=true --set run.field_cases=0 >/dev/null
"$PYTHON" - "$tmp/s.h5" <<'PY'
import subprocess, sys
import h5py, numpy as np, pint

reg = pint.UnitRegistry()
bad, seen = [], {}


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def visit(name, obj):
    if not isinstance(obj, h5py.Dataset):
        return
    a = obj.attrs
    if "units" not in a or "long_name" not in a:
        bad.append("%s: no units or long_name attribute" % name)
        return
    u = text(a["units"])
    if u == "" and obj.dtype.kind in "SOU":
        return  # text datasets have no unit
    seen.setdefault(u, name)


with h5py.File(sys.argv[1], "r") as f:
    f.visititems(visit)
    for u, where in sorted(seen.items()):
        try:
            reg.parse_units(u) if u != "1" else reg.Quantity(u)
        except Exception as e:  # pint raises several types
            bad.append("%s: pint refuses units %r (%s)" % (where, u, e))
        r = subprocess.run(["udunits2", "-H", u, "-W", ""], capture_output=True, text=True)
        if r.returncode != 0:
            bad.append("%s: UDUNITS-2 refuses units %r (%s)" % (where, u, r.stderr.strip()))
    st, dl = f["status"].attrs, f["results/deepest_layer"].attrs
    if list(st["flag_values"]) != [0, 1, 2] or text(st["flag_meanings"]) != "pending ok failed":
        bad.append("/status flags: %r %r" % (st.get("flag_values"), st.get("flag_meanings")))
    if f["status"].dtype != st["flag_values"].dtype:
        bad.append("/status flag_values type %s, dataset %s" % (st["flag_values"].dtype, f["status"].dtype))
    want = "none stratum_corneum viable_epidermis dermis hypodermis"
    if list(dl["flag_values"]) != [0, 1, 2, 3, 4] or text(dl["flag_meanings"]) != want:
        bad.append("deepest_layer flags: %r %r" % (dl.get("flag_values"), dl.get("flag_meanings")))
    codes = f["results/deepest_layer"][()]
    if not np.isin(codes[np.isfinite(codes)], dl["flag_values"]).all():
        bad.append("deepest_layer holds codes outside flag_values: %s" % np.unique(codes))
    # the schema document lists the same units strings as the file
    doc, group, ndoc = open("outputs/README.md", encoding="utf-8").read(), None, 0
    for line in doc.splitlines():
        if line.startswith("### `/results/"):
            group = "results"
        elif line.startswith("### `/curves/"):
            group = "curves"
        elif line.startswith("#"):
            group = None
        cells = [c.strip() for c in line.split("|")]
        if group and len(cells) > 3 and cells[1].startswith("`") and cells[1] != "`name`":
            name = cells[1].strip("`")
            unit = cells[3] if group == "curves" else cells[2]
            path = "%s/%s" % (group, name)
            if path not in f:
                bad.append("outputs/README.md lists %s, the file has no such dataset" % path)
            elif text(f[path].attrs["units"]) != unit:
                bad.append("outputs/README.md: %s in %r, the file says %r" % (path, unit, text(f[path].attrs["units"])))
            ndoc += 1
    if ndoc < 20:
        bad.append("outputs/README.md: only %d result and curve rows found" % ndoc)
print("cf: %d distinct units strings (%s), flags on /status and deepest_layer: %s"
      % (len(seen), ", ".join(sorted(seen)), "ok" if not bad else "FAILED"))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
