#!/usr/bin/env bash
# Shared helper of the instruction-count benchmarks (scripts/bench_insertion_cost.sh,
# scripts/bench_diffusion_cost.sh): sourced, not run. valgrind's callgrind counts
# the instructions of a whole process (deterministic, unlike CPU time on a shared
# machine); the count is the "Collected : N" line callgrind prints on stderr.
#
#   cg_require NAME BIN     exit 1 with "NAME: needs valgrind and BIN (make bench
#                           builds it)" unless valgrind is on PATH and BIN is executable
#   cg_run NAME BIN ARGS... run BIN ARGS... under callgrind; sets CG_OUT (the run's
#                           stdout and stderr) and CG_IR (its instruction count);
#                           on failure prints "NAME: ARGS... failed" and CG_OUT on
#                           stderr and returns 1
#   cg_ir TEXT              the instruction count in callgrind output TEXT
cg_require() {
  if ! command -v valgrind >/dev/null || [ ! -x "$2" ]; then
    echo "$1: needs valgrind and $2 (make bench builds it)" >&2
    exit 1
  fi
}
cg_ir() { sed -n 's/.*Collected : \([0-9]*\).*/\1/p' <<<"$1"; }
cg_run() {
  local name=$1 bin=$2
  shift 2
  CG_IR=
  CG_OUT=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1) || {
    echo "$name: $* failed" >&2; echo "$CG_OUT" >&2; return 1; }
  CG_IR=$(cg_ir "$CG_OUT")
}
