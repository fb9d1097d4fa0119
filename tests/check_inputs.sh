#!/usr/bin/env bash
# Input checks (make check-examples):
#  - every inputs/*.ini passes `needlesim check` (exit 0);
#  - every tests/data/bad/NAME.ini makes `needlesim run` exit 2 with stderr
#    containing the text of NAME.expect and "FILE:LINE" when the .expect
#    file's second line is "line N", creates no output file, and leaves an
#    existing output file byte-identical.
# $NEEDLESIM selects the binary (default build/needlesim).
set -u
bin=${NEEDLESIM:-build/needlesim}
pass=0; fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

for f in inputs/*.ini; do
  [ -e "$f" ] || continue
  if out=$("$bin" check "$f" 2>&1); then ok; else bad "$f: needlesim check failed:"; printf '%s\n' "$out" | head -5; fi
done

for f in tests/data/bad/*.ini; do
  [ -e "$f" ] || continue
  exp="${f%.ini}.expect"
  if [ ! -f "$exp" ]; then bad "$f: missing ${exp}"; continue; fi
  want=$(sed -n 1p "$exp")
  line=$(sed -n 's/^line \([0-9][0-9]*\)$/\1/p' "$exp" | head -n 1)
  # extra command-line arguments for this case (e.g. --set), one per line after "args"
  mapfile -t extra < <(sed -n '/^args$/,$p' "$exp" | tail -n +2)

  # 1. fresh output: nothing may be created
  out="$tmp/out.h5"; rm -f "$out"
  "$bin" run "$f" -o "$out" "${extra[@]}" >"$tmp/stdout" 2>"$tmp/stderr"; rc=$?
  msg="$f:"
  if [ $rc -ne 2 ]; then bad "$msg exit $rc, expected 2"; head -5 "$tmp/stderr"; continue; fi
  if ! grep -qF -- "$want" "$tmp/stderr"; then
    bad "$msg stderr lacks '$want'"; head -5 "$tmp/stderr"; continue
  fi
  if [ -n "$line" ] && ! grep -qF -- "$f:$line" "$tmp/stderr"; then
    bad "$msg stderr lacks '$f:$line'"; head -5 "$tmp/stderr"; continue
  fi
  if [ -e "$out" ]; then bad "$msg output file created"; continue; fi

  # 2. an existing output file must stay byte-identical
  printf 'existing file, must not change\n' >"$out"
  cp "$out" "$tmp/before"
  "$bin" run "$f" -o "$out" "${extra[@]}" >/dev/null 2>&1; rc=$?
  if [ $rc -ne 2 ]; then bad "$msg (existing output) exit $rc, expected 2"; continue; fi
  if ! cmp -s "$out" "$tmp/before"; then bad "$msg existing output file was modified"; continue; fi
  ok
done

echo "check-examples: $pass passed, $fail failed"
[ $fail -eq 0 ]
