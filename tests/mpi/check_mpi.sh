#!/usr/bin/env bash
# MPI and integration checks of `needlesim run` (make check-mpi):
#   1. rank-count invariance: 1, 2 and 3 ranks give identical /results, /curves, /status, /error;
#   1b. concentration fields (run.fields): /fields identical on 1 and 2 ranks, results unchanged
#      by capturing fields, and every dataset the XDMF file names opens with h5py at its shape;
#   2. kill safety: 5 runs killed with SIGKILL at random moments (fixed seed), then
#      resumed, equal the uninterrupted run; at least 3 of the 5 kills must land in the
#      computing phase (0 < done < n cases on disk); resume records resumed_utc and keeps
#      created_utc; SIGTERM stops cleanly (exit 4, resume hint), also when only a worker
#      receives it (the message names the signal);
#   3. failure isolation: failing cases get status 2 and a reason, the others finish, exit 3;
#   4. refusals leave files byte-identical: resume with another config (exit 2), resume of a
#      corrupted file, fresh run over an existing .partial (exit 2); a bad config gives exit 2
#      and writes nothing.
# Prints "N passed, N failed" and exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../.."
BIN=${NEEDLESIM:-build/needlesim}
PY=${PYTHON:-/usr/bin/python3}
DATA=tests/data/mpi
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_btl_vader_single_copy_mechanism=none
MPIRUN="mpirun --oversubscribe -n"
W=$(mktemp -d "${TMPDIR:-/tmp}/needlesim-check-mpi.XXXXXX")
trap 'rm -rf "$W"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "  ok   $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
same() { # same A B: the computed content of two files is identical
  h5diff -r "$1" "$2" /results /results >/dev/null && h5diff -r "$1" "$2" /curves /curves >/dev/null &&
    h5diff "$1" "$2" /status /status >/dev/null && h5diff "$1" "$2" /error /error >/dev/null
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
now() { date +%s.%N; }

[ -x "$BIN" ] || { echo "check-mpi: $BIN not built"; exit 1; }
# A private copy: a rebuild during the checks must not change the program under test.
cp "$BIN" "$W/needlesim" && BIN="$W/needlesim"
echo "check-mpi: work dir $W"

# ---- 1. rank-count invariance ---------------------------------------------------------
wait_partial() { # wait_partial FILE PID: until FILE.partial or FILE exists or PID ends (max 60 s)
  local k=0
  while [ ! -e "$1.partial" ] && [ ! -e "$1" ] && kill -0 "$2" 2>/dev/null && [ $k -lt 6000 ]; do
    sleep 0.01; k=$((k + 1)); done
}
"$BIN" run $DATA/tiny.ini -o "$W/r1.h5" --quiet >"$W/r1.out" 2>&1 &
pid=$!; wait_partial "$W/r1.h5" $pid; t0=$(now)
wait $pid; rc=$?
t1=$(now)
check "1 rank: exit 0" test $rc -eq 0
check "1 rank: summary line" grep -qE '^[0-9]+ cases: [0-9]+ ok, 0 failed; file ' "$W/r1.out"
check "1 rank: every case ok" "$PY" -c "import h5py,sys; s=h5py.File('$W/r1.h5')['status'][:]; sys.exit(0 if (s==1).all() else 1)"
check "1 rank: no .partial left" test ! -e "$W/r1.h5.partial"
T=$(echo "$t1 - $t0" | bc -l)
T_ms=$(printf '%.0f' "$(echo "$T * 1000" | bc -l)")
for n in 2 3; do
  $MPIRUN $n "$BIN" run $DATA/tiny.ini -o "$W/r$n.h5" --quiet >/dev/null 2>&1; rc=$?
  check "$n ranks: exit 0" test $rc -eq 0
  check "$n ranks: results identical to 1 rank" same "$W/r1.h5" "$W/r$n.h5"
done
check "dimension scales: xarray-style names" "$PY" -c "
import h5py, sys
f = h5py.File('$W/r1.h5')
d = f['curves/flux']
ok = d.dims[0][0].name == '/case' and d.dims[1][0].name == '/curves/time' and \
     f['curves/insertion_force'].dims[1][0].name == '/curves/insertion_point' and \
     all('units' in f[p].attrs and 'description' in f[p].attrs for g in ('results', 'curves', 'params') for p in [g + '/' + k for k in f[g]])
sys.exit(0 if ok else 1)"

# ---- 1b. concentration fields -------------------------------------------------------------
FSET=(--set run.fields=true --set run.field_cases=0,5,3,5)
"$BIN" run $DATA/tiny.ini -o "$W/f1.h5" --quiet "${FSET[@]}" >/dev/null 2>&1; rc=$?
check "fields, 1 rank: exit 0" test $rc -eq 0
$MPIRUN 2 "$BIN" run $DATA/tiny.ini -o "$W/f2.h5" --quiet "${FSET[@]}" >/dev/null 2>&1; rc=$?
check "fields, 2 ranks: exit 0" test $rc -eq 0
check "fields: /fields identical on 1 and 2 ranks" bash -c "h5diff -r '$W/f1.h5' '$W/f2.h5' /fields /fields >/dev/null"
check "fields: capturing fields leaves results and curves unchanged" same "$W/r1.h5" "$W/f2.h5"
check "fields: one group per distinct field case, finite snapshots, XDMF datasets open" "$PY" -c "
import h5py, sys, numpy as np, xml.etree.ElementTree as ET
f = h5py.File('$W/f2.h5')
ok = list(f['fields/field_case'][:]) == [0, 3, 5] and sorted(f['fields']) == ['case_0', 'case_3', 'case_5', 'field_case']
for i in (0, 3, 5):
    c = f['fields/case_%d/concentration' % i]
    ok = ok and np.isfinite(c[:]).all() and c.attrs['units'] == 'kg m^-3' and c.dims[0][0].name == '/curves/time'
n = 0
for ext in ('xmf', 'xmf2'):  # values are compared by pvpython in make check-paraview
    for di in ET.parse('$W/f2.' + ext).iter('DataItem'):
        if di.get('Format') == 'HDF':
            fn, path = di.text.strip().split('|')[0].split(':')
            ok = ok and fn == 'f2.h5' and path in f
            n += 1
sys.exit(0 if ok and n == 2 * 3 * 8 else 1)"

# ---- 2. kill and resume ---------------------------------------------------------------
RANDOM=20240611   # fixed seed: the kill moments are reproducible
KCFG=$DATA/resume.ini
"$BIN" run $KCFG -o "$W/kref.h5" --quiet >/dev/null 2>&1 &
pid=$!; wait_partial "$W/kref.h5" $pid; t0=$(now); wait $pid; rc=$?; t1=$(now)
check "kill reference run: exit 0" test $rc -eq 0
T_ms=$(printf '%.0f' "$(echo "($t1 - $t0) * 1000" | bc -l)")
echo "  (uninterrupted 1-rank run: $T_ms ms of computing after the file appeared; kills land in [0, that] after it appears)"
NK=$("$PY" -c "import h5py; print(int(h5py.File('$W/kref.h5').attrs['n_cases']))")
mid=0
for k in 1 2 3 4 5; do
  out="$W/k$k.h5"
  ms=$(( RANDOM % (T_ms + 1) ))
  delay=$(echo "$ms / 1000" | bc -l)
  if [ $((k % 2)) = 1 ]; then
    "$BIN" run $KCFG -o "$out" --quiet >/dev/null 2>&1 &
    pid=$!; wait_partial "$out" $pid; sleep "$delay"; kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
    how="1 process"
  else
    $MPIRUN 2 "$BIN" run $KCFG -o "$out" --quiet >/dev/null 2>&1 &
    pid=$!; wait_partial "$out" $pid; sleep "$delay"
    pkill -KILL -P $pid 2>/dev/null   # the ranks, children of this mpirun only
    wait $pid 2>/dev/null
    how="2 ranks"
  fi
  done_at_kill=$([ -e "$out.partial" ] && "$PY" -c "import h5py; print(int((h5py.File('$out.partial')['status'][:] > 0).sum()))" 2>/dev/null || echo "-")
  [ -e "$out" ] && done_at_kill=all
  case $done_at_kill in ''|-|all|0) ;; *) [ "$done_at_kill" -lt "$NK" ] && mid=$((mid + 1)) ;; esac
  $MPIRUN 2 "$BIN" run $KCFG -o "$out" --resume --quiet >/dev/null 2>&1; rc=$?
  check "kill $k ($how, SIGKILL after ${ms} ms, $done_at_kill cases on disk): resume exit 0" test $rc -eq 0
  check "kill $k: resumed file equals the uninterrupted run" same "$W/kref.h5" "$out"
done
check "at least 3 of 5 kills left a partial file with 0 < done < $NK cases ($mid did)" test $mid -ge 3
check "resume: resumed_utc recorded, created_utc kept" "$PY" -c "
import h5py, sys
res = [h5py.File('$W/k%d.h5' % k).attrs for k in range(1, 6)]
res = [a for a in res if 'resumed_utc' in a]
ok = len(res) >= 3 and all(str(a['created_utc']) <= str(a['resumed_utc']).split()[0] for a in res)
sys.exit(0 if ok and 'resumed_utc' not in h5py.File('$W/kref.h5').attrs else 1)"

# SIGTERM: clean stop with a resume hint, then resume to the same results. The
# signal lands a third of the way through the longer resume.ini sweep, so the
# run is always still computing when it arrives.
out="$W/term.h5"
"$BIN" run $KCFG -o "$out" >"$W/term.out" 2>&1 &
pid=$!; wait_partial "$out" $pid; sleep "$(echo "$T_ms / 3000" | bc -l)"; kill -TERM $pid 2>/dev/null; wait $pid; rc=$?
check "SIGTERM landed while the sweep was running" test ! -e "$out"
check "SIGTERM: exit 4 (stopped, resumable)" test $rc -eq 4
check "SIGTERM: message says how to resume" grep -q -- "--resume" "$W/term.out"
check "SIGTERM: partial file kept" test -e "$out.partial"
$MPIRUN 2 "$BIN" run $KCFG -o "$out" --resume --quiet >/dev/null 2>&1
check "SIGTERM then resume equals the uninterrupted run" same "$W/kref.h5" "$out"
# SIGTERM to one worker only (rank 1 of 2): the run stops the same way and names the signal.
out="$W/wterm.h5"
$MPIRUN 2 "$BIN" run $KCFG -o "$out" >"$W/wterm.out" 2>&1 &
pid=$!; wait_partial "$out" $pid; sleep "$(echo "$T_ms / 3000" | bc -l)"
wpid=$(pgrep -f "$W/needlesim run $KCFG -o $out" | while read -r p; do
  [ "$(cat /proc/$p/environ 2>/dev/null | tr '\0' '\n' | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')" = 1 ] && echo "$p"; done | head -n 1)
[ -n "$wpid" ] && kill -TERM "$wpid" 2>/dev/null; wait $pid; rc=$?
check "SIGTERM to a worker: exit 4, message names SIGTERM" \
  bash -c "[ $rc -eq 4 ] && grep -q 'stopped by SIGTERM (signal 15)' '$W/wterm.out' && ! grep -q 'signal 0' '$W/wterm.out'"

# ---- 3. failure isolation ---------------------------------------------------------------
$MPIRUN 2 "$BIN" run $DATA/fail.ini -o "$W/fail.h5" >"$W/fail.out" 2>&1; rc=$?
check "failing cases: exit 3 (complete, some failed)" test $rc -eq 3
check "failing cases: summary counts ok and failed" grep -qE '^8 cases: 4 ok, 4 failed; file ' "$W/fail.out"
check "failing cases: status 2 with a reason exactly where the step cap is 10" "$PY" -c "
import h5py, sys
f = h5py.File('$W/fail.h5')
cap = f['params/numerics.diff_max_steps'][:]; s = f['status'][:]; e = f['error'][:]
ok = all((s[i] == 2 and b'diff_max_steps' in e[i]) if cap[i] == 10 else (s[i] == 1 and e[i] == b'') for i in range(len(s)))
ok = ok and all(f['results/buckling_load'][i] > 0 for i in range(len(s)))  # computed before the failure
sys.exit(0 if ok else 1)"
$MPIRUN 1 "$BIN" run $DATA/fail.ini -o "$W/fail1.h5" --quiet >/dev/null 2>&1
check "failing cases: 1 and 2 ranks agree" same "$W/fail.h5" "$W/fail1.h5"
h=$(sha "$W/fail.h5")
"$BIN" run $DATA/fail.ini -o "$W/fail.h5" --resume >"$W/fail-resume.out" 2>&1; rc=$?
check "resume of a complete file with failed cases: exit 3, nothing to do, file untouched" \
  test $rc -eq 3 -a "$h" = "$(sha "$W/fail.h5")" -a ! -e "$W/fail.h5.partial"
"$BIN" run $DATA/fail.ini -o "$W/fail.h5" --resume --retry-failed --quiet >"$W/retry.out" 2>&1; rc=$?
check "--retry-failed reruns the failed cases (deterministic: same outcome)" \
  bash -c "test $rc -eq 3 && grep -qE '^8 cases: 4 ok, 4 failed' '$W/retry.out'"
check "--retry-failed: same results" same "$W/fail.h5" "$W/fail1.h5"

# ---- 4. refusals ---------------------------------------------------------------------
cp "$W/r1.h5" "$W/mm.h5.partial"; h=$(sha "$W/mm.h5.partial")
"$BIN" run $DATA/tiny.ini -o "$W/mm.h5" --resume --set numerics.diff_n_z=14 >"$W/mm.out" 2>&1; rc=$?
check "resume with another config: exit 2" test $rc -eq 2
check "resume with another config: clear message" grep -q "different configuration" "$W/mm.out"
check "resume with another config: file byte-identical" test "$h" = "$(sha "$W/mm.h5.partial")"
"$BIN" run $DATA/tiny.ini -o "$W/mm.h5" >"$W/fresh.out" 2>&1; rc=$?
check "new run over an existing .partial: exit 2, file byte-identical" \
  test $rc -eq 2 -a "$h" = "$(sha "$W/mm.h5.partial")"
head -c 3000 "$W/r1.h5" >"$W/cut.h5.partial"; h=$(sha "$W/cut.h5.partial")
"$BIN" run $DATA/tiny.ini -o "$W/cut.h5" --resume >"$W/cut.out" 2>&1; rc=$?
check "resume of a truncated file: exit 1 or 2 with a message" \
  bash -c "[ $rc -eq 1 -o $rc -eq 2 ] && grep -q 'cannot resume' '$W/cut.out'"
check "resume of a truncated file: file byte-identical" test "$h" = "$(sha "$W/cut.h5.partial")"
head -c 100000 /dev/zero | tr '\0' 'x' >"$W/junk.h5.partial"; h=$(sha "$W/junk.h5.partial")
"$BIN" run $DATA/tiny.ini -o "$W/junk.h5" --resume >"$W/junk.out" 2>&1; rc=$?
check "resume of a non-HDF5 file: refused, file byte-identical" \
  test \( $rc -eq 1 -o $rc -eq 2 \) -a "$h" = "$(sha "$W/junk.h5.partial")"
$MPIRUN 2 "$BIN" run $DATA/bad.ini -o "$W/bad.h5" >"$W/bad.out" 2>&1; rc=$?
check "bad config: exit 2" test $rc -eq 2
check "bad config: error message" grep -q "needlesim: error:" "$W/bad.out"
check "bad config: no file written" bash -c "! ls '$W'/bad.h5* >/dev/null 2>&1"

echo "check-mpi: $pass passed, $fail failed"
[ $fail -eq 0 ]
