#!/usr/bin/env bash
# Fault injection of the file bookkeeping (make check-mpi; sim/workfile.h):
# tests/mpi/faultshim.c (LD_PRELOAD) counts every call that changes the output
# files of a run and kills the process (SIGKILL) at call N, or fails call N
# and all later ones with ENOSPC (a full disk). Scenarios:
#   fresh    a new run of tests/data/mpi/fail.ini (create, commit, final rename);
#   resume   --resume of a .partial whose cases are all pending (copy, resume
#            mark, rename over the .partial, commit, final rename);
#   retry    --resume --retry-failed of a finished file with failed cases
#            (copy of OUT, resume mark, commit, rename over OUT).
# After each fault: no signal other than the injected SIGKILL (a full disk
# gives exit 1 and a message without source locations); while the fault hit
# before the resume's rename, the files it continues are byte-identical;
# then a plain --resume gives the uninterrupted file (h5diff of every
# computed dataset). FAULT_STRIDE=k tries every k-th HDF5 pwrite (all other
# calls always); make check uses 6, FAULT_STRIDE=1 tries every call.
set -u
cd "$(dirname "$0")/../.."
BIN=${NEEDLESIM:-build/needlesim}
CFG=tests/data/mpi/fail.ini
STRIDE=${FAULT_STRIDE:-6}
W=$(mktemp -d "${TMPDIR:-/tmp}/needlesim-check-faults.XXXXXX")
trap 'rm -rf "$W"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "  FAIL $*"; }
same() {
  h5diff -r "$1" "$2" /results /results >/dev/null && h5diff -r "$1" "$2" /curves /curves >/dev/null &&
    h5diff "$1" "$2" /status /status >/dev/null && h5diff "$1" "$2" /error /error >/dev/null
}
sha() { if [ -e "$1" ]; then sha256sum "$1" | cut -d' ' -f1; else echo none; fi; }
cp "$BIN" "$W/needlesim" && BIN="$W/needlesim"
${CC_SHIM:-gcc} -shared -fPIC -O1 -o "$W/faultshim.so" tests/mpi/faultshim.c -ldl || { echo "check-faults: cannot build the shim"; exit 1; }

# run_shim MODE AT TRACE ARGS...: needlesim under the shim, matching files of $W/k.h5
run_shim() {
  local mode=$1 at=$2 trace=$3; shift 3
  NS_FAULT_MATCH="$W/k.h5" NS_FAULT_MODE=$mode NS_FAULT_AT=$at NS_FAULT_TRACE=$trace NS_FAULT_FIRED="$W/fired" \
    LD_PRELOAD="$W/faultshim.so" "$BIN" run $CFG -o "$W/k.h5" --quiet "$@"
}
"$BIN" run $CFG -o "$W/ref.h5" --quiet >/dev/null 2>&1

# The calls to try: all but HDF5's pwrites, of which every STRIDE-th and the last.
points() { # points TRACE
  awk -v s="$STRIDE" '{ if ($2 != "pwrite" || (++k % s) == 0) print $1 } END { print NR }' "$1" | sort -n -u
}

# scenario NAME SETUP ARGS...: SETUP (a function) prepares $W/k.h5*, ARGS are the run's options
scenario() {
  local name=$1 setup=$2; shift 2
  rm -f "$W"/k.h5*; $setup
  rm -f "$W/trace"; run_shim count 0 "$W/trace" "$@" >/dev/null 2>&1
  local total; total=$(wc -l <"$W/trace")
  # index of the first rename onto the file being continued: before it, the old files must be untouched
  local commit; commit=$(awk '$2 == "rename" { print $1; exit }' "$W/trace")
  local n=0; missed=0
  for at in $(points "$W/trace"); do
    for mode in kill enospc; do
      rm -f "$W"/k.h5*; $setup
      local h0 h1; h0=$(sha "$W/k.h5.partial"); h1=$(sha "$W/k.h5")
      rm -f "$W/fired"; run_shim $mode "$at" "" "$@" >"$W/out" 2>&1; rc=$?
      local what="$name: $mode at call $at of $total ($(sed -n "${at}p" "$W/trace" | cut -d' ' -f2))"
      if [ ! -e "$W/fired" ]; then
        # This run made fewer calls than the counting run (one commit fewer: the 1 s commit
        # rule of sim/output.h depends on the machine's speed): it must be the uninterrupted run.
        missed=$((missed + 1))
        if [ $rc -ne 3 ] || ! same "$W/ref.h5" "$W/k.h5"; then bad "$what: not reached, exit $rc, file differs"; else ok; fi
        continue
      fi
      n=$((n + 1))
      if [ $mode = kill ] && [ $rc -ne 137 ]; then bad "$what: exit $rc, expected the SIGKILL (137)"; continue; fi
      if [ $mode = enospc ]; then
        if [ $rc -ne 1 ]; then bad "$what: exit $rc, expected 1"; head -3 "$W/out"; continue; fi
        if ! grep -q '^needlesim: error: ' "$W/out" || grep -qE '[a-z_]+\.c:[0-9]+' "$W/out"; then
          bad "$what: message"; head -3 "$W/out"; continue; fi
      fi
      if [ "$at" -lt "${commit:-0}" ] && { [ "$h0" != "$(sha "$W/k.h5.partial")" ] || [ "$h1" != "$(sha "$W/k.h5")" ]; }; then
        bad "$what: the file being continued changed before the resume's rename"; continue; fi
      "$BIN" run $CFG -o "$W/k.h5" --quiet --resume "$@" >"$W/out2" 2>&1; rc=$?
      if [ $rc -ne 3 ]; then bad "$what: next resume exit $rc, expected 3"; head -3 "$W/out2"; continue; fi
      if ! same "$W/ref.h5" "$W/k.h5"; then bad "$what: resumed file differs from the uninterrupted run"; continue; fi
      ok
    done
  done
  echo "  $name: $n faults injected ($total calls change the files; $missed beyond a run's calls)"
}

setup_fresh() { :; }
# A .partial with every case pending: kill a fresh run at its first write after the rename.
make_pending() {
  rm -f "$W"/k.h5*; rm -f "$W/t0"; run_shim count 0 "$W/t0" >/dev/null 2>&1
  local at; at=$(awk '$2 == "rename" { print $1 + 1; exit }' "$W/t0")
  rm -f "$W"/k.h5*; run_shim kill "$at" "" >/dev/null 2>&1
  cp "$W/k.h5.partial" "$W/pending.h5"
}
setup_pending() { cp "$W/pending.h5" "$W/k.h5.partial"; }
setup_finished() { cp "$W/ref.h5" "$W/k.h5"; }

scenario fresh setup_fresh
make_pending
scenario resume setup_pending --resume
scenario retry setup_finished --resume --retry-failed

echo "check-faults: $pass passed, $fail failed"
[ $fail -eq 0 ]
