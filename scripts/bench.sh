#!/usr/bin/env bash
# make bench: run each benchmark binary given as argument, then every scripts/bench_*.sh;
# each prints its own table (and may write it under build/bench/).
set -u
cd "$(dirname "$0")/.."
mkdir -p build/bench
rc=0
for b in "$@"; do
  echo "== $b"; "$b" || rc=1
done
for s in scripts/bench_*.sh; do
  [ -e "$s" ] || continue
  echo "== $s"; bash "$s" || rc=1
done
exit $rc
