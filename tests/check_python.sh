#!/usr/bin/env bash
# make check-python: the Python loader, plots and report on a fixture file
# (tests/python/make_fixture.py) and, when build/needlesim works, on real
# sweeps (smoke, the main job, the lhs, saltelli and zip examples), plus the
# design-study checks with the binary
# (tests/python/test_analysis.py: Sobol indices, rank correlations, Pareto,
# inverse design, loader conventions, pip install). Prints "N passed, N
# failed"; exit 1 on failure.
#   PYTHON     interpreter (default /usr/bin/python3)
#   NEEDLESIM  binary (default build/needlesim)
#   CHROMIUM   browser for the screenshot check (default: chromium on PATH)
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
NEEDLESIM=${NEEDLESIM:-build/needlesim}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
export MPLBACKEND=Agg

tmp=$(mktemp -d "${TMPDIR:-/tmp}/needlesim-check-python.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if ! "$PYTHON" -c 'import h5py, numpy, matplotlib, pandas, xarray' 2>"$tmp/imp.err"; then
  echo "check-python: $PYTHON lacks a required package: $(tail -1 "$tmp/imp.err")" >&2
  echo "check-python: install with scripts/install-deps.sh" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

"$PYTHON" tests/python/make_fixture.py "$tmp/fixture.h5" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }

# Real files: the smoke sweep, the main job (inputs/default.ini, grid), the
# Latin-hypercube example with a reduced sample count and the Saltelli example.
real=()
run_real() {  # NAME CONFIG [ARGS...]
  local name=$1 ini=$2; shift 2
  local rc=0
  timeout 300 "$NEEDLESIM" run "$ini" -o "$tmp/$name.h5" --quiet "$@" >"$tmp/$name.log" 2>&1 || rc=$?
  if [ $rc -eq 0 ] || [ $rc -eq 3 ]; then  # 3: complete, with failed cases (data)
    real+=("$tmp/$name.h5")
  else
    echo "check-python: $NEEDLESIM run $ini failed (exit $rc); not tested on it:" >&2
    tail -5 "$tmp/$name.log" >&2
    missing=$((missing + 1))
  fi
}
missing=0
if [ -x "$NEEDLESIM" ]; then
  run_real smoke inputs/smoke.ini
  run_real default inputs/default.ini
  run_real sensitivity inputs/sensitivity.ini --set sweep.samples=24
  run_real saltelli inputs/saltelli.ini
  run_real device_comparison inputs/device_comparison.ini
else
  echo "check-python: $NEEDLESIM not available; testing the fixture only"
fi
[ -n "$CHROMIUM" ] || echo "check-python: chromium not installed: the screenshot check is skipped"

nsbin=()
[ -x "$NEEDLESIM" ] && nsbin=(--needlesim "$NEEDLESIM")
"$PYTHON" tests/python/test_python.py --chromium "$CHROMIUM" --fixture "$tmp/fixture.h5" "${nsbin[@]}" "${real[@]}"
rc=$?
if [ "$missing" -gt 0 ]; then
  echo "check-python: $missing example run(s) failed"
  exit 1
fi
exit $rc
