#!/usr/bin/env bash
# Output-file rules of `needlesim run` (make check-mpi; sim/workfile.h, README "Exit codes"):
#   slices: --cases K/N and START:STOP, `needlesim merge` equal to a single run, refusals;
#   0. per-command help (`run --help`, `help keys`); progress log lines timestamped, once, in order;
#   1. a finished OUT is replaced only with --overwrite (exit 2 and byte-identical without);
#   2. two runs started at the same instant on one -o: one finishes (exit 0), the other is
#      refused with exit 2, the finished file equals a single run; repeated 4 times;
#   3. a second run (also --resume) while one writes OUT.partial: exit 2, the writer untouched;
#   4. the .partial of a running sweep opens with h5py and h5dump with HDF5's default file
#      locking (no "unable to lock file");
#   5. from an empty directory, without -o: ./outputs is created and the run succeeds;
#   6. the output directory removed during a run: exit 1 with a message, no signal;
#   7. where tmpfs can be mounted (root): a full disk and a read-only file system give
#      exit 1 with a message without source locations, never a signal, nothing left behind.
set -u
cd "$(dirname "$0")/../.."
BIN=${NEEDLESIM:-build/needlesim}
PY=${PYTHON:-/usr/bin/python3}
DATA=tests/data/mpi
W=$(mktemp -d "${TMPDIR:-/tmp}/needlesim-check-files.XXXXXX")
MNT=""
cleanup() { [ -n "$MNT" ] && umount "$MNT" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "  ok   $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
same() {
  h5diff -r "$1" "$2" /results /results >/dev/null && h5diff -r "$1" "$2" /curves /curves >/dev/null &&
    h5diff "$1" "$2" /status /status >/dev/null && h5diff "$1" "$2" /error /error >/dev/null
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
located() { grep -qE '[a-z_]+\.c:[0-9]+' "$1"; } # an internal source location in a message
wait_partial() { local k=0; while [ ! -e "$1.partial" ] && kill -0 "$2" 2>/dev/null && [ $k -lt 6000 ]; do sleep 0.01; k=$((k + 1)); done; }
cp "$BIN" "$W/needlesim" && BIN="$W/needlesim"
ABS_DATA=$(cd "$DATA" && pwd)
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_btl_vader_single_copy_mechanism=none
MPIRUN="mpirun --oversubscribe -n"

# ---- 0. per-command help -----------------------------------------------------------------
check "run --help: the run usage with --overwrite and the exit codes, exit 0" \
  bash -c "'$BIN' run --help | grep -q '^usage: needlesim run' && '$BIN' run --help | grep -q -- '--overwrite' && '$BIN' run --help | grep -q '4 stopped'"
check "check --help and help keys: their own usage" \
  bash -c "'$BIN' check --help | grep -q '^usage: needlesim check' && '$BIN' help keys | grep -q '^usage: needlesim keys'"

# ---- 1. --overwrite ------------------------------------------------------------------
"$BIN" run $DATA/tiny.ini -o "$W/ref.h5" --quiet >/dev/null 2>&1
h=$(sha "$W/ref.h5")
"$BIN" run $DATA/tiny.ini -o "$W/ref.h5" --quiet >"$W/o1" 2>&1; rc=$?
check "rerun onto a finished file: exit 2, file byte-identical, message names --overwrite" \
  bash -c "[ $rc -eq 2 ] && [ '$h' = \"\$(sha256sum '$W/ref.h5' | cut -d' ' -f1)\" ] && grep -q -- '--overwrite' '$W/o1'"
cp "$W/ref.h5" "$W/ow.h5"
"$BIN" run $DATA/tiny.ini -o "$W/ow.h5" --quiet --overwrite >/dev/null 2>&1; rc=$?
check "--overwrite replaces it: exit 0, same results" bash -c "[ $rc -eq 0 ] && $(declare -f same); same '$W/ref.h5' '$W/ow.h5'"

# ---- 2. simultaneous starts -------------------------------------------------------------
good=0
for k in 1 2 3 4; do
  rm -f "$W"/race.h5*
  "$BIN" run $DATA/tiny.ini -o "$W/race.h5" --quiet >"$W/race1" 2>&1 & p1=$!
  "$BIN" run $DATA/tiny.ini -o "$W/race.h5" --quiet >"$W/race2" 2>&1 & p2=$!
  wait $p1; r1=$?; wait $p2; r2=$?
  if { [ $r1 -eq 0 ] && [ $r2 -eq 2 ]; } || { [ $r1 -eq 2 ] && [ $r2 -eq 0 ]; }; then
    if same "$W/ref.h5" "$W/race.h5" && [ "$(ls "$W" | grep -c '^race\.h5\.')" = 0 ] &&
      grep -qE "another needlesim run|exists: pass --overwrite" "$W/race1" "$W/race2"; then good=$((good + 1)); fi
  else echo "    race $k: exits $r1 and $r2"; head -2 "$W/race1" "$W/race2"; fi
done
check "simultaneous starts on one -o: one exit 0 and one exit 2 ('another needlesim run', or 'exists' when the first had already finished), file = single run, no leftovers (4 of 4)" test $good -eq 4

# ---- 3. a second run while one writes ------------------------------------------------------
out="$W/busy.h5"
"$BIN" run $DATA/resume.ini -o "$out" >/dev/null 2>"$W/progress.log" & pid=$!
wait_partial "$out" $pid
"$BIN" run $DATA/resume.ini -o "$out" --quiet --resume >"$W/busy2" 2>&1; r2=$?
"$BIN" run $DATA/resume.ini -o "$out" --quiet --overwrite >"$W/busy3" 2>&1; r3=$?
# ---- 4. reading the .partial while it is written -----------------------------------------
unset HDF5_USE_FILE_LOCKING
"$PY" -c "import h5py; f = h5py.File('$out.partial', 'r'); s = f['status'][:]; assert len(s) == 240" 2>"$W/h5py.err"; rpy=$?
h5dump -H "$out.partial" >/dev/null 2>"$W/h5dump.err"; rdump=$?
running=0; kill -0 $pid 2>/dev/null && running=1
wait $pid; r1=$?
check "--resume and --overwrite while another run writes: exit 2 both, message says so" \
  bash -c "[ $r2 -eq 2 ] && [ $r3 -eq 2 ] && grep -q 'being written by another needlesim run' '$W/busy2' '$W/busy3'"
check "the writer is untouched: exit 0, complete file" bash -c "[ $r1 -eq 0 ] && [ -e '$out' ] && [ ! -e '$out.partial' ]"
check "the .partial of a running sweep opens with h5py (default locking; still running: $running)" test $rpy -eq 0
check "the .partial of a running sweep opens with h5dump" test $rdump -eq 0

# progress lines in a log (stderr not a terminal): UTC timestamps, each state once, in order
check "progress log: timestamped lines, times and counts increasing, no line twice" "$PY" -c "
import re, sys
lines = [l for l in open('$W/progress.log') if re.match(r'needlesim: \d{4}-\d\d-\d\dT', l)]
m = [re.match(r'needlesim: (\S+) (\d+)/240 cases', l) for l in lines]
ok = len(lines) >= 2 and all(m) and len(set(lines)) == len(lines)
t = [x.group(1) for x in m if x]; d = [int(x.group(2)) for x in m if x]
ok = ok and t == sorted(t) and all(a < b for a, b in zip(d, d[1:])) and d[-1] == 240
sys.exit(0 if ok else 1)"

# ---- slices (--cases) and merge ----------------------------------------------------------
"$BIN" run $DATA/fail.ini -o "$W/fref.h5" --quiet >/dev/null 2>&1
rcs=""
for k in 0 1 2; do "$BIN" run $DATA/fail.ini -o "$W/slice$k.h5" --cases $k/3 --quiet >/dev/null 2>&1; rcs="$rcs$?"; done
$MPIRUN 2 "$BIN" run $DATA/tiny.ini -o "$W/ta.h5" --cases 0:5 --quiet >/dev/null 2>&1; ra=$?
"$BIN" run $DATA/tiny.ini -o "$W/tb.h5" --cases 5: --quiet >/dev/null 2>&1; rb=$?
check "--cases K/N and START:STOP: each slice exits 0 or 3 (fail.ini has failing cases): $rcs $ra $rb" \
  bash -c "[[ '$rcs' =~ ^[03]{3}$ ]] && [ $ra -eq 0 ] && [ $rb -eq 0 ]"
"$BIN" merge "$W/fmerged.h5" "$W/slice2.h5" "$W/slice0.h5" "$W/slice1.h5" >"$W/merge.out" 2>&1; rc=$?
check "merge of 3 slices: exit 3 (failed cases counted), equal to a single run" \
  bash -c "[ $rc -eq 3 ] && grep -q '^8 cases: 4 ok, 4 failed' '$W/merge.out' && $(declare -f same); same '$W/fref.h5' '$W/fmerged.h5'"
"$BIN" merge "$W/tmerged.h5" "$W/ta.h5" "$W/tb.h5" >/dev/null 2>&1; rc=$?
check "merge of 2 slices (one from 2 ranks): exit 0, equal to a single run" \
  bash -c "[ $rc -eq 0 ] && $(declare -f same); same '$W/ref.h5' '$W/tmerged.h5'"
"$BIN" merge "$W/miss.h5" "$W/slice0.h5" "$W/slice2.h5" >"$W/miss.out" 2>&1; rc=$?
check "merge with a slice missing: exit 2, names the first missing case, nothing written" \
  bash -c "[ $rc -eq 2 ] && grep -q 'are in no slice' '$W/miss.out' && ! ls '$W'/miss.h5* >/dev/null 2>&1"
"$BIN" merge "$W/mix.h5" "$W/ta.h5" "$W/slice1.h5" >"$W/mix.out" 2>&1; rc=$?
check "merge of slices of two configs: exit 2, nothing written" \
  bash -c "[ $rc -eq 2 ] && grep -q 'different configurations' '$W/mix.out' && ! ls '$W'/mix.h5* >/dev/null 2>&1"
"$BIN" run $DATA/tiny.ini -o "$W/tc.h5" --cases 7:99 --quiet >"$W/tc.out" 2>&1; rc=$?
check "--cases out of range: exit 2 with the allowed range" bash -c "[ $rc -eq 2 ] && grep -q 'STOP <= 12' '$W/tc.out'"

# ---- 5. empty directory, default output path ------------------------------------------
mkdir "$W/empty"
(cd "$W/empty" && "$BIN" run "$ABS_DATA/tiny.ini" --quiet >"$W/empty.out" 2>&1); rc=$?
check "from an empty directory without -o: exit 0, outputs/tiny.h5 written" \
  bash -c "[ $rc -eq 0 ] && [ -f '$W/empty/outputs/tiny.h5' ]"

# ---- 6. the directory vanishes during the run ---------------------------------------------
mkdir "$W/gone"
"$BIN" run $DATA/resume.ini -o "$W/gone/g.h5" --quiet >"$W/gone.out" 2>&1 & pid=$!
wait_partial "$W/gone/g.h5" $pid; rm -rf "$W/gone"; wait $pid; rc=$?
check "output directory removed during the run: exit 1, message, no source location" \
  bash -c "[ $rc -eq 1 ] && grep -q '^needlesim: error: ' '$W/gone.out' && ! grep -qE '[a-z_]+\.c:[0-9]+' '$W/gone.out'"

# ---- 7. full disk, read-only file system (needs mount) ------------------------------------
MNT="$W/mnt"; mkdir "$MNT"
if mount -t tmpfs -o size=200k tmpfs "$MNT" 2>/dev/null; then
  "$BIN" run $DATA/resume.ini -o "$MNT/full.h5" --quiet >"$W/full.out" 2>&1; rc=$?
  check "full disk (200 kB tmpfs): exit 1, message, no source location, nothing left" \
    bash -c "[ $rc -eq 1 ] && grep -q '^needlesim: error: ' '$W/full.out' && ! grep -qE '[a-z_]+\.c:[0-9]+' '$W/full.out' && [ -z \"\$(ls -A '$MNT')\" ]"
  umount "$MNT"
  mount -t tmpfs -o size=4m tmpfs "$MNT"
  "$BIN" run $DATA/tiny.ini -o "$MNT/ro.h5" --quiet >/dev/null 2>&1
  cp "$MNT/ro.h5" "$MNT/ro.h5.partial"; rm "$MNT/ro.h5"; h=$(sha "$MNT/ro.h5.partial")
  mount -o remount,ro "$MNT"
  "$BIN" run $DATA/tiny.ini -o "$MNT/ro.h5" --quiet --resume >"$W/ro.out" 2>&1; rc=$?
  check "resume on a read-only file system: exit 1, message, no source location, file byte-identical" \
    bash -c "[ $rc -eq 1 ] && grep -q '^needlesim: error: ' '$W/ro.out' && ! grep -qE '[a-z_]+\.c:[0-9]+' '$W/ro.out' && [ '$h' = \"\$(sha256sum '$MNT/ro.h5.partial' | cut -d' ' -f1)\" ]"
  umount "$MNT"; MNT=""
else
  echo "  skip full disk and read-only file system: tmpfs cannot be mounted here (check-faults covers ENOSPC)"
fi

echo "check-files: $pass passed, $fail failed"
[ $fail -eq 0 ]
