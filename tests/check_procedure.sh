#!/usr/bin/env bash
# make check-procedure: the procedure layer through the command line.
#  1. a 192-needle roller rolled 15 times gives about 250 punctures /cm2
#     (Doddaballapur 2009 quoting Fernandes; eq. (1) of models/procedure.h on
#     the 2 cm x 2 cm MF8 drum gives 229 /cm2; band 200-300);
#  2. an 11-needle pen at 90 Hz gives 990 punctures/s;
#  3. a stamp's depth spread is the patch's (centre and edge rings); the Gill et al. 2008 ratios of pain_index over a stamp sweep: 10x the
#     needles at the same depth -> 2.2x, pain proportional to depth^1.771;
#  4. bleeding_points = strike_probability x channel_density, no strike above
#     the loop apex (the strike law against a Monte Carlo placement is in
#     tests/unit/test_procedure.c);
#  5. lidocaine: time to effect shorter on needled than on intact skin, the
#     intact one within 30-90 min (an EMLA-like 2.5 % cream: 45-60 min);
#  6. the concentration probe leaves every other result bit-identical;
#  7. inputs/treatment.ini runs (4 cases) and its report answers the
#     questions of the example's header, naming the cases that did not
#     puncture;
#  8. device presets (procedure.preset): `needlesim presets procedure` lists
#     the catalogue, the pen_11 preset gives 990 punctures/s and a --set key
#     overrides it (12 needles: 1080/s), the home roller rolled 15 times gives
#     eq. (1), an unknown preset exits 2 naming the valid ones;
#  9. rollers at the default numerics (numerics.ins_rtol) and 10 N on the
#     face: the clinical roller (0.5 mm) punctures, the home roller (0.2 mm)
#     does not (its tip needs more indentation than the needle is long;
#     models/insertion/roller.c eq. D3), both within the 1 % energy balance;
# 10. a patch of which only the edge ring punctures (200 needles at 200 /cm2
#     under 10 N, tests/data/insertion_calibration.md) counts the needles that
#     punctured: puncture_density = punctured_fraction x array.density.
# $NEEDLESIM selects the binary (default build/needlesim).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
bin=${NEEDLESIM:-build/needlesim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/roller.ini" <<'INI'
[run]
duration = 1 h
output_times = 12
[skin]
preset = face
[needle]
preset = dermaroller
[array]
layout = roller
count = 192
density = 15.3 /cm2
[applicator]
mode = roller
[drug]
preset = lidocaine
[numerics]
diff_n_r = 12
diff_n_z = 24
[procedure]
device = roller
passes = 15
INI
cat >"$tmp/pen.ini" <<'INI'
[run]
duration = 2 h
output_times = 16
[skin]
preset = face
[needle]
preset = pen_cartridge
[array]
layout = square
count = 11
density = 30 /cm2
[applicator]
mode = pen
frequency = 90 Hz
depth_setting = 1.5 mm
[drug]
preset = lidocaine
[numerics]
diff_n_r = 12
diff_n_z = 24
[procedure]
device = pen
INI
cat >"$tmp/stamp.ini" <<'INI'
[run]
duration = 10 min
output_times = 8
[skin]
preset = forearm
[needle]
preset = microneedle_steel
[array]
layout = square
density = 100 /cm2
[applicator]
mode = impact
[numerics]
diff_n_r = 8
diff_n_z = 16
[procedure]
device = stamp
[sweep]
mode = grid
array.count = 5, 50
needle.length = 600 um, 1200 um
INI
cat >"$tmp/device.ini" <<'INI'
[run]
duration = 10 min
output_times = 8
[skin]
preset = face
[drug]
preset = lidocaine
[numerics]
diff_n_r = 8
diff_n_z = 16
[procedure]
preset = pen_11
INI
cat >"$tmp/patch.ini" <<'INI'
[run]
duration = 10 min
output_times = 8
[skin]
preset = forearm
[needle]
preset = microneedle_steel
[array]
layout = square
count = 200
density = 200 /cm2
[applicator]
mode = press
force = 10 N
[numerics]
diff_n_r = 8
diff_n_z = 16
[procedure]
device = stamp
INI
run() { "$bin" run "$1" -o "$2" --quiet "${@:3}" >/dev/null; }
"$bin" presets procedure >"$tmp/presets.txt"
for name in home_roller clinical_roller medical_roller roller_540 pen_11 pen_12 microneedle_patch; do
    grep -qx "$name" "$tmp/presets.txt" || { echo "FAIL: needlesim presets procedure lacks $name"; exit 1; }
done
set +e
"$bin" check "$tmp/device.ini" --set procedure.preset=pen_9 >/dev/null 2>"$tmp/unknown.err"
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "home_roller" "$tmp/unknown.err" ||
    { echo "FAIL: unknown procedure.preset: exit $rc, $(cat "$tmp/unknown.err")"; exit 1; }
run "$tmp/device.ini" "$tmp/device_pen.h5"
run "$tmp/device.ini" "$tmp/device_pen12.h5" --set array.count=12
run "$tmp/device.ini" "$tmp/device_roller.h5" --set procedure.preset=home_roller --set procedure.passes=15
run "$tmp/device.ini" "$tmp/device_clinical.h5" --set procedure.preset=clinical_roller
run "$tmp/patch.ini" "$tmp/patch.h5"
run "$tmp/roller.ini" "$tmp/roller.h5"
run "$tmp/pen.ini" "$tmp/pen.h5"
run "$tmp/pen.ini" "$tmp/pen_noprobe.h5" --set drug.effect_threshold=auto
run "$tmp/stamp.ini" "$tmp/stamp.h5"
run inputs/treatment.ini "$tmp/treatment.h5"
PYTHONPATH=python "$PYTHON" -m needlesim report "$tmp/treatment.h5" -o "$tmp/treatment.html" >/dev/null 2>"$tmp/report.err" || { cat "$tmp/report.err"; exit 1; }

"$PYTHON" - "$tmp" <<'PY'
import math, sys
import h5py, numpy as np
d = sys.argv[1]
passed = failed = 0
def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)
def res(name):
    with h5py.File("%s/%s.h5" % (d, name), "r") as f:
        return {k: f["results"][k][...] for k in f["results"]}, f["status"][...]

r, st = res("roller")
n = r["puncture_density"][0] * 1e-4
check(st[0] == 1 and 200.0 < n < 300.0, "roller 192 x 15 passes: %.1f /cm2, expected about 250" % n)
check(abs(n - 15 * 192 / (2 * math.pi * 1.0 * 2.0)) < 1e-9 * n, "roller density %.12g /cm2 is not eq. (1)" % n)

p, st = res("pen")
check(st[0] == 1 and p["puncture_rate"][0] == 990.0, "pen 11 needles at 90 Hz: %r /s" % p["puncture_rate"][0])

s, st = res("stamp")
check((st == 1).all(), "stamp sweep statuses %s" % st)
depth, pain, N = s["max_tissue_depth"], s["pain_index"], np.array([5, 5, 50, 50])
# depth spread of a stamp on a flat site: the patch's centre and edge rings
# (a skewed spread: a few shallow edge needles can pull the mean below p10)
check(np.array_equal(s["depth_mean"], s["penetration_depth_mean"]) and
      np.array_equal(s["depth_p10"], s["penetration_depth_p10"]) and
      np.all(s["depth_p10"] <= s["depth_p90"]),
      "stamp depth spread %s %s %s" % (s["depth_p10"], s["depth_mean"], s["depth_p90"]))
a, b = math.log(7) / math.log(3), math.log10(2.2)
norm = pain / (depth ** a * N ** b)
check(np.all(depth > 0) and np.ptp(norm) <= 1e-12 * norm.max(),
      "pain_index not proportional to depth^%.3f N^%.3f: %s" % (a, b, norm))
# grid order: array.count slowest, so cases (0, 1) and (2, 3) share the
# needle number, (0, 2) and (1, 3) the length. Exponent of depth at a fixed
# number, read from two cases: ln 7 / ln 3 (3x length -> 7x pain).
for i, j in ((0, 1), (2, 3)):
    e = math.log(pain[j] / pain[i]) / math.log(depth[j] / depth[i])
    check(abs(e - a) < 1e-9, "pain exponent of depth %.6f (cases %d, %d), Gill ln7/ln3 = %.6f" % (e, i, j, a))
    check(abs(3 ** e - 7) < 1e-8, "3x the depth gives %.6f x the pain, Gill 7" % 3 ** e)
# 10x the needles, corrected to the same depth: just over twice (2.2)
for i, j in ((0, 2), (1, 3)):
    ratio = pain[j] / pain[i] * (depth[i] / depth[j]) ** a
    check(abs(ratio - 2.2) < 1e-9, "10x needles at equal depth: pain ratio %.6f, Gill 2.2" % ratio)

for name, rr in (("roller", r), ("pen", p), ("treatment", res("treatment")[0])):
    bp, sp, nch = rr["bleeding_points"], rr["strike_probability"], rr["channel_density"]
    check(np.allclose(bp, sp * nch, rtol=1e-14, atol=0), "%s: bleeding_points != strike x channels" % name)
    check(np.all(sp >= 0) and np.all(sp <= 1), "%s: strike probability %s" % (name, sp))

for name, rr in (("roller", r), ("pen", p)):
    te, ti = rr["time_to_effect"][0], rr["intact_time_to_effect"][0]
    check(te < ti, "%s: time to effect %.4g s not shorter than intact %.4g s" % (name, te, ti))
    check(1800 <= ti <= 5400, "%s: intact time to effect %.0f min outside 30-90 min" % (name, ti / 60))
q, _ = res("pen_noprobe")
for k in p:
    if k in ("time_to_effect", "intact_time_to_effect"):
        check(np.isnan(q[k]).all(), "no threshold: %s = %s" % (k, q[k]))
    elif not np.array_equal(p[k], q[k], equal_nan=True):
        check(False, "the probe changed %s: %r vs %r" % (k, p[k], q[k]))
passed += 1

for name, want in (("device_pen", 990.0), ("device_pen12", 1080.0)):
    dv, st = res(name)
    check(st[0] == 1 and dv["puncture_rate"][0] == want,
          "%s: puncture_rate %r /s, expected %g" % (name, dv["puncture_rate"][0], want))
dv, st = res("device_roller")
n = dv["puncture_density"][0] * 1e-4
check(st[0] == 1 and abs(n - 15 * 192 / (2 * math.pi * 1.0 * 2.0)) < 1e-9 * n,
      "home_roller x 15 passes: %.6g /cm2, eq. (1) gives 229.2" % n)
dc, stc = res("device_clinical")
for name, rr, sti, want in (("home_roller", dv, st, 0), ("clinical_roller", dc, stc, 1)):
    check(sti[0] == 1 and rr["punctured"][0] == want and rr["energy_balance_error"][0] < 0.01,
          "%s at 10 N: status %d, punctured %r (expected %d), energy balance %.3g %%" %
          (name, sti[0], rr["punctured"][0], want, 100 * rr["energy_balance_error"][0]))
pa, st = res("patch")
f = pa["punctured_fraction"][0]
check(st[0] == 1 and 0.0 < f < 1.0, "patch: punctured_fraction %r, expected the edge ring only" % f)
check(abs(pa["puncture_density"][0] - f * 200e4) <= 1e-12 * 200e4,
      "patch: puncture_density %.6g /m2 is not punctured_fraction x 200 /cm2 = %.6g" %
      (pa["puncture_density"][0], f * 200e4))

t, st = res("treatment")
check(len(st) == 4 and (st == 1).all(), "treatment.ini: statuses %s" % st)
check(np.all(t["residual_open_fraction"] < 0.1) and not t["early_session"].any(),
      "monthly sessions flagged early: %s" % t["residual_open_fraction"])
check(np.allclose(t["treatment_dose"], 4 * t["session_dose"], rtol=1e-15), "total dose != 4 sessions")
html = open("%s/treatment.html" % d, encoding="utf-8").read()
for q in ("reaches the dermis", "serum gets in", "channels stay open", "bleeding points", "pain"):
    check(q in html, "report lacks the answer to '%s'" % q)
# a case that did not puncture is named as such, with its reason (python/needlesim/treatment.py)
check(("Not punctured at all" in html) == bool((t["punctured"] == 0).any()),
      "report and punctured %s disagree on the cases without puncture" % t["punctured"])
print("procedure: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
