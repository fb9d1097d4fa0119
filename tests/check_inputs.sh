#!/usr/bin/env bash
# Input checks (make check-examples):
#  - every inputs/*.ini passes `needlesim check` (exit 0);
#  - every tests/data/bad/NAME.expect (with NAME.ini, the config, unless a
#    "config SPEC" line names another) makes `needlesim run` exit 2 with
#    stderr containing the text of the .expect's first line and "FILE:LINE"
#    when a line "line N" follows, creates no output file, and leaves an
#    existing output file byte-identical. Optional lines of the .expect:
#      config SPEC  the config argument: a path (/dev/zero), or @dir (a
#                   directory), @fifo (a named pipe), @big (a 1 MiB + 1 byte
#                   file of comments), @missing (no such file), @unreadable (a
#                   file without read permission; as root the case runs as
#                   user nobody, since root reads every file);
#      out SPEC     the -o argument: @config (the config file itself), @dir
#                   (an existing directory), @noparent (in a missing directory);
#      args         the remaining lines are extra command-line arguments.
#    Each case also runs `needlesim check`, which must exit 2 with the same text
#    (unless it concerns -o, which check does not take).
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

mkdir -p "$tmp/dir"
mkfifo "$tmp/fifo"
{ head -c $((1024 * 1024)) /dev/zero | tr '\0' ';'; echo; } >"$tmp/big.ini"
cp inputs/smoke.ini "$tmp/unreadable.ini"; chmod 000 "$tmp/unreadable.ini"; chmod 755 "$tmp"
for exp in tests/data/bad/*.expect; do
  f="${exp%.expect}.ini"
  want=$(sed -n 1p "$exp")
  line=$(sed -n 's/^line \([0-9][0-9]*\)$/\1/p' "$exp" | head -n 1)
  spec=$(sed -n '/^args$/q; s/^config //p' "$exp" | head -n 1)
  ospec=$(sed -n '/^args$/q; s/^out //p' "$exp" | head -n 1)
  case "$spec" in
    "") [ -f "$f" ] || { bad "$exp: missing $f"; continue; }; cfg=$f ;;
    @dir) cfg="$tmp/dir" ;; @fifo) cfg="$tmp/fifo" ;; @big) cfg="$tmp/big.ini" ;;
    @missing) cfg="$tmp/no-such-config.ini" ;; @unreadable) cfg="$tmp/unreadable.ini" ;;
    *) cfg=$spec ;;
  esac
  runas=()
  if [ "$spec" = @unreadable ] && [ "$(id -u)" -eq 0 ]; then
    runas=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  fi
  # extra command-line arguments for this case (e.g. --set), one per line after "args"
  mapfile -t extra < <(sed -n '/^args$/,$p' "$exp" | tail -n +2)
  out="$tmp/out.h5"; rm -rf "$out" "$out".*
  case "$ospec" in
    @config) cp "$cfg" "$tmp/cfg-copy.ini"; cfg="$tmp/cfg-copy.ini"; out=$cfg ;;
    @dir) out="$tmp/dir" ;; @noparent) out="$tmp/missing-dir/out.h5" ;;
  esac
  msg="$exp:"

  # 1. fresh output: nothing may be created
  [ -e "$cfg" ] && [ -f "$cfg" ] && cp "$cfg" "$tmp/cfg-before" 2>/dev/null
  timeout 60 "${runas[@]}" "$bin" run "$cfg" -o "$out" "${extra[@]}" >"$tmp/stdout" 2>"$tmp/stderr"; rc=$?
  if [ $rc -ne 2 ]; then bad "$msg exit $rc, expected 2"; head -5 "$tmp/stderr"; continue; fi
  if ! grep -qF -- "$want" "$tmp/stderr"; then
    bad "$msg stderr lacks '$want'"; head -5 "$tmp/stderr"; continue
  fi
  if [ -n "$line" ] && ! grep -qF -- "$cfg:$line" "$tmp/stderr"; then
    bad "$msg stderr lacks '$cfg:$line'"; head -5 "$tmp/stderr"; continue
  fi
  if grep -qE '[a-z_]+\.c:[0-9]+' "$tmp/stderr"; then bad "$msg message shows a source location"; head -3 "$tmp/stderr"; continue; fi
  if [ -n "$ospec" ]; then
    if [ "$ospec" = @config ] && ! cmp -s "$cfg" "$tmp/cfg-before"; then bad "$msg config modified"; continue; fi
    if [ "$ospec" = @dir ] && [ -n "$(ls -A "$tmp/dir")" ]; then bad "$msg file written into the directory"; continue; fi
    if ls "$tmp"/out.h5* "$tmp"/dir.* "$tmp"/cfg-copy.ini.* >/dev/null 2>&1; then bad "$msg output file created"; continue; fi
    ok; continue
  fi
  if ls "$out"* >/dev/null 2>&1; then bad "$msg output file created"; continue; fi

  # 2. an existing output file must stay byte-identical
  printf 'existing file, must not change\n' >"$out"
  cp "$out" "$tmp/before"
  timeout 60 "${runas[@]}" "$bin" run "$cfg" -o "$out" "${extra[@]}" >/dev/null 2>&1; rc=$?
  if [ $rc -ne 2 ]; then bad "$msg (existing output) exit $rc, expected 2"; continue; fi
  if ! cmp -s "$out" "$tmp/before"; then bad "$msg existing output file was modified"; continue; fi

  # 3. `check` refuses it the same way
  timeout 60 "${runas[@]}" "$bin" check "$cfg" "${extra[@]}" >/dev/null 2>"$tmp/stderr"; rc=$?
  if [ $rc -ne 2 ] || ! grep -qF -- "$want" "$tmp/stderr"; then bad "$msg check: exit $rc"; head -3 "$tmp/stderr"; continue; fi
  ok
done

echo "check-examples: $pass passed, $fail failed"
[ $fail -eq 0 ]
