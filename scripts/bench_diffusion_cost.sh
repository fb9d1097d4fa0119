#!/usr/bin/env bash
# make bench: instructions of the default non-occluded channel case of the diffusion
# solver (tests/bench/bench_diffusion.c --one: forearm, caffeine, square array 100 /cm2,
# 360 um insertion, 24 h, 50 outputs), counted by valgrind's callgrind (deterministic,
# unlike CPU time on a shared machine), for the default setting and two finer ones (time
# tolerance / 4, grid x 2 each way). The whole process is counted; set-up is below 1 %.
# Baseline: the default case took 3.249e9 instructions at commit 7f132b6 (the start of
# the issue-12 time-stepping work: midpoint coefficients, 1279 step attempts); 1.915e9
# at 7580f18 (the wider channel block), 1.583e9 after its solve and sweeps were
# tightened (results bit-identical, 424 attempts).
set -u
cd "$(dirname "$0")/.."
bin=build/release/tests/bench/bench_diffusion
. scripts/callgrind_count.sh
cg_require bench_diffusion_cost "$bin"
baseline=3.249e9
printf '%-34s %14s %18s %10s\n' "setting (diff_rtol, n_r x n_z)" "instructions" "Q(24 h) [kg/m2]" "attempts"
for setting in "2e-4 40 120" "5e-5 40 120" "2e-4 80 240"; do
  set -- $setting
  cg_run bench_diffusion_cost "$bin" --one "$1" "$2" "$3" || exit 1
  out=$CG_OUT ir=$CG_IR
  Q=$(sed -n 's/.*Q(24 h) = \([0-9.e+-]*\) kg.*/\1/p' <<<"$out")
  att=$(sed -n 's/.*m2, \([0-9]*\) step attempts.*/\1/p' <<<"$out")
  printf '%-34s %14s %18s %10s\n' "$1, $2 x $3" "$ir" "$Q" "$att"
  if [ "$setting" = "2e-4 40 120" ]; then default_ir=$ir; fi
done
awk -v b="$baseline" -v d="$default_ir" 'BEGIN { printf "default case: %.3e instructions, %.2fx fewer than the baseline %.3e (goal >= 2x: %s)\n", d, b / d, b, (b / d >= 2 ? "met" : "NOT met") }'
