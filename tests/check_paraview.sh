#!/usr/bin/env bash
# make check-paraview: the XDMF files of a fields run open in Debian's
# ParaView (pvpython, packages paraview and python3-paraview) with every value
# right. A 12-case sweep stores fields of cases 0, 3 and 5; each file is opened
# with its readers, by an absolute path, a path relative to another directory
# and ./NAME, and every step of every case is compared with h5py: point count,
# coordinates (x = r, y = -z: depth points down), time values and every
# concentration value, all bit-identical.
set -euo pipefail
cd "$(dirname "$0")/.."
NEEDLESIM=${NEEDLESIM:-build/needlesim}
if ! command -v pvpython >/dev/null; then
  echo "check-paraview: pvpython not found; install it with scripts/install-deps.sh" >&2
  exit 1
fi
root=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/out" "$tmp/elsewhere"
"$NEEDLESIM" run tests/data/mpi/tiny.ini -o "$tmp/out/f.h5" --quiet \
  --set run.fields=true --set run.field_cases=0,5,3 >/dev/null

cat > "$tmp/probe.py" <<'PY'
"""pvpython probe: open one XDMF file with one reader, compare with h5py."""
import sys
import h5py
import numpy as np
from paraview import servermanager as sm
from paraview.simple import Xdmf3ReaderS, Xdmf3ReaderT, XDMFReader
from vtk.numpy_interface import dataset_adapter as dsa

path, reader, h5 = sys.argv[1:4]
make = {"xdmf3s": lambda: Xdmf3ReaderS(FileName=[path]),
        "xdmf3t": lambda: Xdmf3ReaderT(FileName=[path]),
        "xdmf2": lambda: XDMFReader(FileNames=[path])}[reader]
with h5py.File(h5, "r") as f:
    cases = [int(i) for i in f["fields/field_case"][()]]
    want = {i: {k: f["fields/case_%d/%s" % (i, k)][()] for k in ("r", "z", "concentration")}
            for i in cases}
    times = f["curves/time"][()]
r = make()
r.UpdatePipelineInformation()
got_t = np.asarray(r.TimestepValues)
errors = []
if not np.array_equal(got_t, times):
    errors.append("time values %s, /curves/time %s" % (got_t[:3], times[:3]))


def leaves(d):
    """The grids of a step: Xdmf3 T and XDMF 2 give blocks, Xdmf3 S pieces."""
    if d.IsA("vtkMultiBlockDataSet"):
        for b in range(d.GetNumberOfBlocks()):
            yield from leaves(d.GetBlock(b))
    elif d.IsA("vtkMultiPieceDataSet"):
        for b in range(d.GetNumberOfPieces()):
            yield from leaves(d.GetPiece(b))
    elif d is not None:
        yield d


for k, t in enumerate(times):
    r.UpdatePipeline(float(t))
    blocks = list(leaves(sm.Fetch(r)))
    if len(blocks) != len(cases):
        errors.append("step %d: %d blocks, %d field cases" % (k, len(blocks), len(cases)))
        continue
    for i, d in zip(cases, blocks):
        w = want[i]
        nz, nr = w["z"].size, w["r"].size
        pts = np.asarray(dsa.WrapDataObject(d).Points)
        xy = np.stack([np.tile(w["r"], nz), -np.repeat(w["z"], nr)], axis=1)
        if pts.shape != (nz * nr, 3) or not np.array_equal(pts[:, :2], xy) or np.any(pts[:, 2]):
            errors.append("case %d step %d: points differ from (r, -z)" % (i, k))
            continue
        c = dsa.WrapDataObject(d).PointData["concentration"]
        c = np.asarray(c) if c is not None else np.empty(0)
        ref = w["concentration"][k].ravel()
        if c.shape != ref.shape or not np.array_equal(c, ref):
            nbad = np.count_nonzero(c != ref) if c.shape == ref.shape else "all"
            errors.append("case %d step %d: %s of %d concentration values differ" % (i, k, nbad, ref.size))
print("%s %s: %d cases x %d steps, %s" % (reader, path, len(cases), len(times),
                                          "ok" if not errors else "; ".join(errors[:3])))
sys.exit(1 if errors else 0)
PY

pass=0; fail=0
probe() {  # DIR FILE READER
  if (cd "$1" && pvpython "$tmp/probe.py" "$2" "$3" "$tmp/out/f.h5" 2>"$tmp/err" | tail -1); then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "  FAIL (stderr follows)"; tail -5 "$tmp/err" | sed 's/^/    /'
  fi
}
for rd in xdmf3s xdmf3t; do
  probe "$root" "$tmp/out/f.xmf" $rd            # absolute
  probe "$tmp/elsewhere" ../out/f.xmf $rd       # relative, from another directory
  probe "$tmp/out" ./f.xmf $rd                  # relative, same directory
done
probe "$root" "$tmp/out/f.xmf2" xdmf2
probe "$tmp/elsewhere" ../out/f.xmf2 xdmf2
probe "$tmp/out" f.xmf2 xdmf2                   # bare name (the XDMF 2 reader accepts it)
echo "paraview: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
