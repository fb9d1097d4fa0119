"""Compare the /results of a needlesim file with a reference table.

The reference (tests/data/smoke.ref) is plain text: one line per case and
result, "case name value". Values must agree to a relative 1e-6 (the smoke run
is deterministic; the tolerance only absorbs compiler/libm differences between
machines). NaN must match NaN. Statuses must match exactly.
Usage: smoke_compare.py FILE.h5 REF [--write]
"""
import math
import sys

import h5py
import numpy as np

RTOL = 1e-6
ATOL = 1e-300
# Residuals are quality measures, not physical results: a round-off-sized
# number whose digits change with the optimisation level. They are held to
# the acceptance bounds of the physics brief instead of to their value.
RESIDUAL_BOUND = {"energy_balance_error": 1e-2, "mass_balance_error": 1e-9}


def read_h5(path):
    rows = {}
    with h5py.File(path, "r") as f:
        status = f["status"][...]
        for i, s in enumerate(status):
            rows[(i, "status")] = float(s)
        for name in sorted(f["results"]):
            v = f["results"][name][...]
            for i, x in enumerate(v):
                rows[(i, name)] = float(x)
    return rows


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    got = read_h5(argv[1])
    if "--write" in argv:
        with open(argv[2], "w") as out:
            out.write("# needlesim smoke reference: case result value (SI)\n")
            for (i, name), v in sorted(got.items()):
                out.write(f"{i} {name} {v!r}\n")
        print(f"smoke: wrote {len(got)} values to {argv[2]}")
        return 0
    want = {}
    with open(argv[2]) as ref:
        for line in ref:
            if line.startswith("#") or not line.strip():
                continue
            i, name, v = line.split()
            want[(int(i), name)] = float(v)
    bad = []
    for key, w in sorted(want.items()):
        if key not in got:
            bad.append(f"case {key[0]} {key[1]}: missing from the output")
            continue
        g = got[key]
        if math.isnan(w) and math.isnan(g):
            continue
        if key[1] in RESIDUAL_BOUND:
            if not (g <= RESIDUAL_BOUND[key[1]]):
                bad.append(f"case {key[0]} {key[1]}: {g!r} above the bound {RESIDUAL_BOUND[key[1]]:g}")
            continue
        if key[1] == "status" and g != w:
            bad.append(f"case {key[0]} status: got {g:g}, want {w:g}")
        elif not np.isclose(g, w, rtol=RTOL, atol=ATOL):
            bad.append(f"case {key[0]} {key[1]}: got {g!r}, want {w!r}")
    extra = sorted(set(got) - set(want))
    for key in extra[:5]:
        bad.append(f"case {key[0]} {key[1]}: not in the reference (regenerate with --update)")
    n = len(want)
    print(f"smoke: {n - len(bad)} passed, {len(bad)} failed")
    for b in bad[:20]:
        print("  " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
