#!/usr/bin/env bash
# make check-smoke: run inputs/smoke.ini and compare its results numerically
# with tests/data/smoke.ref (written by `tests/check_smoke.sh --update` after a
# deliberate change of numerical output; say so in CHANGELOG.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
NEEDLESIM=${NEEDLESIM:-build/needlesim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$NEEDLESIM" run inputs/smoke.ini -o "$tmp/smoke.h5" --quiet
if [ "${1:-}" = "--update" ]; then
  "$PYTHON" tests/smoke_compare.py "$tmp/smoke.h5" tests/data/smoke.ref --write
else
  "$PYTHON" tests/smoke_compare.py "$tmp/smoke.h5" tests/data/smoke.ref
fi
