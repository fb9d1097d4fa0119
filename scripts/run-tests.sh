#!/usr/bin/env bash
# Run Criterion test binaries one after another; print a closing summary line
# "N passed, N failed" over all binaries and fail if any binary failed.
set -u
pass=0; fail=0; failed=()
for t in "$@"; do
  name=${t#build/*/tests/}
  out=$("$t" --jobs 2 2>&1); rc=$?
  summary=$(printf '%s\n' "$out" | grep -E 'Synthesis: Tested' | tail -n 1)
  echo "[$name] ${summary:-no summary (rc=$rc)}"
  p=$(printf '%s' "$summary" | sed -nE 's/.*Passing: ([0-9]+).*/\1/p')
  f=$(printf '%s' "$summary" | sed -nE 's/.*Failing: ([0-9]+).*/\1/p')
  c=$(printf '%s' "$summary" | sed -nE 's/.*Crashing: ([0-9]+).*/\1/p')
  pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
  if [ $rc -ne 0 ] || [ -z "$summary" ]; then
    printf '%s\n' "$out" | grep -vE '^\[----\]|^\[PASS\]' | tail -n 40
    failed+=("$name"); [ "${f:-0}" = 0 ] && [ "${c:-0}" = 0 ] && fail=$((fail + 1))
  fi
done
echo "tests: $pass passed, $fail failed"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failing test binaries: ${failed[*]}"
  exit 1
fi
