#!/usr/bin/env bash
# make check-python: the Python loader, plots and report on a fixture file
# (tests/python/make_fixture.py) and, when build/needlesim works, on a small
# real sweep (inputs/smoke.ini), plus the design-study checks with the binary
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

real=()
if [ -x "$NEEDLESIM" ] && [ -f inputs/smoke.ini ]; then
  if timeout 120 "$NEEDLESIM" run inputs/smoke.ini -o "$tmp/smoke.h5" --quiet >"$tmp/run.log" 2>&1; then
    real=("$tmp/smoke.h5")
  else
    echo "check-python: $NEEDLESIM run inputs/smoke.ini failed (exit $?); testing the fixture only:" >&2
    tail -5 "$tmp/run.log" >&2
  fi
else
  echo "check-python: $NEEDLESIM or inputs/smoke.ini not available; testing the fixture only"
fi
[ -n "$CHROMIUM" ] || echo "check-python: chromium not installed: the screenshot check is skipped"

nsbin=()
[ -x "$NEEDLESIM" ] && nsbin=(--needlesim "$NEEDLESIM")
"$PYTHON" tests/python/test_python.py --chromium "$CHROMIUM" --fixture "$tmp/fixture.h5" "${nsbin[@]}" "${real[@]}"
