#!/usr/bin/env bash
# make bench: instructions per press case of the fast insertion model
# (tests/bench/bench_insertion.c: forearm, default steel microneedle, 1 mm/s
# press), counted by valgrind's callgrind (deterministic, unlike CPU time on a
# shared machine). One case = the count of a run with one solve less that of a
# run with none (set-up, parameter derivation and process start cancel).
# 1. The cut-depth root warm start (numerics.ins_cut_warm_start, tip.c
#    tip_root) on and off, measured in this run.
# 2. Error against cost over numerics.ins_rtol: error of the penetration depth,
#    the peak needle force and the insertion energy against a reference at
#    ins_rtol = 1e-7 (native run), and the instructions per case.
set -u
cd "$(dirname "$0")/.."
bin=build/release/tests/bench/bench_insertion
. scripts/callgrind_count.sh
cg_require bench_insertion_cost "$bin"
ir() { # instructions of: bench_insertion MODE ARGS...
  cg_run bench_insertion_cost "$bin" "$@" || return 1
  echo "$CG_IR"
}
base=$(ir press --cases 0) || exit 1
warm=$(ir press --cases 1) || exit 1
cold=$(ir press --cases 1 --cold) || exit 1
awk -v b="$base" -v w="$warm" -v c="$cold" 'BEGIN {
  printf "press case, instructions: cut-depth warm start off %.4e, on %.4e (%.1f %% fewer)\n",
         c - b, w - b, 100 * (1 - (w - b) / (c - b)) }'
res() { "$bin" "$@" --cases 1 | sed -n 's/^result: depth \([^ ]*\) m, max_force \([^ ]*\) N, insertion_energy \([^ ]*\) J, steps \([0-9]*\).*/\1 \2 \3 \4/p'; }
printf '\n%-7s %-8s %12s %12s %12s %8s %14s\n' "mode" "ins_rtol" "err_depth" "err_maxF" "err_energy" "steps" "instructions"
for mode in press impact; do
  ref=$(res "$mode" --rtol 1e-7)
  [ -n "$ref" ] || { echo "bench_insertion_cost: $mode reference run failed" >&2; exit 1; }
  for tol in 1e-2 1e-3 1e-4 1e-5 1e-6; do
    r=$(res "$mode" --rtol "$tol")
    n=$(ir "$mode" --cases 1 --rtol "$tol") || exit 1
    awk -v r="$r" -v q="$ref" -v n="$n" -v b="$base" -v t="$tol" -v m="$mode" 'BEGIN {
      split(r, a, " "); split(q, z, " ");
      e1 = (a[1] - z[1]) / z[1]; e2 = (a[2] - z[2]) / z[2]; e3 = (a[3] - z[3]) / z[3];
      printf "%-7s %-8s %12.2e %12.2e %12.2e %8d %14.4e\n", m, t, (e1<0?-e1:e1), (e2<0?-e2:e2), (e3<0?-e3:e3), a[4], n - b }'
  done
done
echo "(relative errors against ins_rtol = 1e-7; default ins_rtol = 1e-4; instructions per case less the"
echo " set-up of a run without a solve)"
