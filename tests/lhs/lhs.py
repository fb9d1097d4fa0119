#!/usr/bin/env python3
"""Latin-hypercube robustness test of needlesim (make check-lhs, make check-lhs-slice).

Draws cases over the documented range of every sweepable key, runs them and
asserts that nothing crashes or hangs and that every case ends either ok (it
then passed every invariant of sim/invariants.h before it was stored) or failed
with a non-empty reason.

The ranges come from `needlesim keys --markdown` (the parameter table), never
from a copy here. Rules of the mapping from the unit interval to a range:
  * a closed range [a, b] with a >= 0 and b/a < 1e3 (or a = 0): linear;
  * a range with 0 < a and b/a >= 1e3: log-uniform;
  * a range open at 0, (0, b]: log-uniform over its top six decades
    [1e-6 b, b] (a uniform draw would put every value near b);
  * each end is moved inwards by 1e-5 of itself, because the displayed ends
    are rounded to 6 digits (11.5741 d for 1e6 s);
  * enum, preset and bool keys: one of the names (stratified index);
  * "auto" is the default of its key and therefore never drawn.
Keys that set the cost, not the physics, are held at small values (the
diffusion and tenting grids, the curve sizes) and the step caps at their
defaults; numerics.case_timeout bounds every case (no hang). The rtol keys are
drawn like any other key.

needlesim accepts at most 40 sweep axes and checks every case of a config up
front (a case that breaks a cross-field rule, such as a tip radius above the
base radius, is bad input and refuses the whole run), so the design is built
here: five groups of keys, each under the 40-axis limit (insertion: needle,
array, applicator and the skin-wide keys; calibration: the insertion
calibration keys; layer mechanics: every mechanical key of
every layer; diffusion: drug, channel, transport and the transport keys of
every layer; procedure: the treatment keys), each with the applicator mode,
dose mode and array layout, and `samples` cases per group. Per axis a seeded random permutation gives the
strata (a Latin hypercube); a case that `needlesim check` refuses gets a new
uniform draw of the key the message names (other keys keep their strata) until
it is valid. Cases run in zip configs of BATCH cases (config lines stay under
the 198-character limit), JOBS configs at a time.
"""
import argparse
import collections
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

GROUPS = ("insertion", "calibration", "layers", "diffusion", "procedure")
MAX_AXES = 40  # the sweep-axis limit of a needlesim config
LAYERS = ("stratum_corneum", "viable_epidermis", "dermis", "hypodermis")  # models/skin.c
BATCH = 8  # cases per zip config (the longest axis line stays under 198 characters)
FIXED = {  # cost keys held small, and the case time limit
    "run.duration": "1 d",
    "run.output_times": "12",
    "numerics.curve_points": "16",
    "numerics.ins_n_r": "40",
    "numerics.diff_n_r": "8",
    "numerics.diff_n_z": "32",
    "numerics.case_timeout": "60 s",
}
# Held at their defaults: the cost keys, and the continuum insertion model
# (about 100 s per case, most cases would end at the time limit; it has its
# own tests, tests/verify/verify_continuum_*).
HELD = {"numerics.ins_n_r", "numerics.diff_n_r", "numerics.diff_n_z", "numerics.ins_max_steps",
        "numerics.diff_max_steps", "numerics.ins_max_newton", "insertion.model"}
ALWAYS = ("applicator.mode", "drug.dose", "array.layout")
LAYER_MECH = ("density", "youngs_modulus", "stiffening", "poisson", "toughness", "friction",
              "relaxation_time", "relaxation_fraction", "open_fraction")
LAYER_DIFF = ("thickness", "diffusivity", "partition", "clearance")
NUM = re.compile(r"^\s*([-+0-9.eE]+)\s*(.*?)\s*$")


def read_keys(needlesim):
    """{dotted key: allowed text} of every sweepable key, from the table."""
    out = subprocess.run([needlesim, "keys", "--markdown"], check=True, capture_output=True,
                         text=True).stdout
    keys = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 6 or not cells[1].startswith("`"):
            continue
        key, allowed, desc = cells[1].strip("`"), cells[4], cells[5]
        if "not sweepable" in desc or key.startswith("run."):
            continue
        keys[key] = (allowed, cells[2])  # a number without unit column: a count
    return keys


class Axis:
    """Maps u in [0, 1) to a value text of one key."""

    def __init__(self, key, spec):
        self.key = key
        allowed, units = spec
        self.integer = units == ""
        allowed = allowed.replace(" or auto", "")
        m = re.match(r"^([\[(])(.*),(.*)([\])])$", allowed)
        if not m:
            self.names = [n.strip() for n in allowed.split(",")]
            if key == "skin.preset" and key_has_layers(self):
                self.names = [n for n in self.names if n != "membrane"]
            return
        self.names = None
        lo, hi = NUM.match(m.group(2)).groups(), NUM.match(m.group(3)).groups()
        a, b = float(lo[0]), float(hi[0])
        self.unit = hi[1]
        if a != 0.0 and lo[1] != hi[1]:
            raise SystemExit(f"{key}: range ends in different units: {allowed}")
        self.log = a == 0.0 and m.group(1) == "(" or (a > 0.0 and b / a >= 1e3)
        if a == 0.0 and self.log:
            a = 1e-6 * b
        shrink = 1e-5
        self.a = a + shrink * abs(a) if a != 0.0 else 0.0
        self.b = b - shrink * abs(b)

    def value(self, u):
        if self.names is not None:
            return self.names[min(int(u * len(self.names)), len(self.names) - 1)]
        x = self.a * (self.b / self.a) ** u if self.log else self.a + (self.b - self.a) * u
        if self.integer:
            return str(int(min(max(round(x), self.a), self.b)))
        return f"{x:.6g} {self.unit}".strip()


def key_has_layers(axis):
    return getattr(axis, "layered", False)


def groups(keys):
    """The three key groups; every sweepable key lands in one."""
    layer_keys = {k for k in keys if k.startswith("skin.<layer>.")}
    plain = [k for k in keys if k not in layer_keys and k not in HELD and k not in ALWAYS]
    diff_sections = ("drug.", "channel.", "transport.")
    proc = [k for k in plain if k.startswith("procedure.")]
    ins = [k for k in plain if not k.startswith(diff_sections) and k != "numerics.diff_rtol"
           and k not in proc]
    dif = [k for k in plain if k.startswith(diff_sections) or k == "numerics.diff_rtol"]
    mech = [f"skin.{l}.{f}" for f in LAYER_MECH for l in LAYERS]
    difl = [f"skin.{l}.{f}" for f in LAYER_DIFF for l in LAYERS] + ["skin.preset"]
    covered = {f"skin.<layer>.{f}" for f in LAYER_MECH + LAYER_DIFF}
    missing = layer_keys - covered
    if missing:
        raise SystemExit(f"layer keys in no group: {sorted(missing)}")
    cal = [k for k in ins if k.startswith("insertion.")]
    ins = [k for k in ins if k not in cal]
    out = {"insertion": list(ALWAYS) + ins, "calibration": list(ALWAYS) + cal,
           "layers": list(ALWAYS) + mech + ["skin.preset"],
           "diffusion": list(ALWAYS) + dif + difl, "procedure": list(ALWAYS) + proc}
    for name, ks in out.items():
        if len(ks) > MAX_AXES:
            raise SystemExit(f"key group {name} has {len(ks)} axes, above the {MAX_AXES} a config "
                             "takes: split it in groups()")
    return out


def axis_for(key, keys, layered):
    generic = re.sub(r"^skin\.[a-z_]+\.", "skin.<layer>.", key) if key.count(".") == 2 else key
    ax = Axis.__new__(Axis)
    ax.layered = layered
    Axis.__init__(ax, key, keys[generic])
    return ax


def write_config(path, axes, rows):
    lines = ["; generated by tests/lhs/lhs.py"]
    sections = collections.defaultdict(list)
    for k, v in FIXED.items():
        sec, name = k.split(".", 1)
        sections[sec].append(f"{name} = {v}")
    for sec, items in sections.items():
        lines += [f"[{sec}]"] + items
    lines += ["[sweep]", "mode = zip"]
    for j, ax in enumerate(axes):
        lines.append(f"{ax.key} = " + ", ".join(r[j] for r in rows))
    text = "\n".join(lines) + "\n"
    with open(path, "w") as f:
        f.write(text)


def check(needlesim, path):
    p = subprocess.run([needlesim, "check", path], capture_output=True, text=True)
    return p.returncode, p.stderr


def design(needlesim, name, keys_, n, seed, workdir, log, jobs, reuse):
    """n valid cases of group `name`: list of value rows, and the axes."""
    gkeys = groups(keys_)[name]
    layered = name != "insertion"
    axes = [axis_for(k, keys_, layered) for k in gkeys]
    rng = np.random.default_rng(seed)
    k = len(axes)
    u = np.empty((n, k))
    for j in range(k):
        u[:, j] = (rng.permutation(n) + rng.random(n)) / n
    rows = [[ax.value(u[i, j]) for j, ax in enumerate(axes)] for i in range(n)]
    index = {ax.key: j for j, ax in enumerate(axes)}

    def make_valid(b):
        """Batch b made valid; its redraws use their own seeded generator."""
        brng = np.random.default_rng([seed, b])
        path = os.path.join(workdir, f"{name}_{b:04d}.ini")
        sub = rows[b * BATCH:(b + 1) * BATCH]
        redraws = collections.Counter()
        if reuse and os.path.exists(path) and check(needlesim, path)[0] == 0:
            return path, redraws  # a valid batch of an earlier design run
        tries = collections.Counter()
        for attempt in range(20001):
            write_config(path, axes, sub)
            rc, err = check(needlesim, path)
            if rc == 0:
                return path, redraws
            m = re.search(r"case (\d+) of \d+ \(.*\): (.*)$", err.strip().splitlines()[0])
            if not m:
                raise SystemExit(f"{path}: cannot make the batch valid:\n{err}")
            i = int(m.group(1))
            tries[i] += 1
            # Redraw one of the keys the message names (the key and the one its
            # bound refers to); after 200 tries the whole case.
            named = [index[k] for k in re.findall(r"[a-z_]+\.[a-z_.]*[a-z]", m.group(2))
                     if k in index]
            if not named or tries[i] % 200 == 0:
                sub[i] = [ax.value(brng.random()) for ax in axes]
                redraws["(whole case)"] += 1
            else:
                j = named[int(brng.integers(len(named)))]
                sub[i][j] = axes[j].value(brng.random())
                redraws[axes[j].key] += 1
        raise SystemExit(f"{path}: no valid batch after 20000 redraws:\n{err}")

    with ThreadPoolExecutor(max_workers=jobs) as ex:
        done = list(ex.map(make_valid, range((n + BATCH - 1) // BATCH)))
    batches = [d[0] for d in done]
    redraws = sum((d[1] for d in done), collections.Counter())
    log.write(f"{name}: {n} cases, {k} axes, {sum(redraws.values())} redraws "
              f"(by key: {dict(redraws.most_common(8))})\n")
    return batches


def run_batch(needlesim, ini):
    out = ini[:-4] + ".h5"
    p = subprocess.run([needlesim, "run", ini, "-o", out, "--overwrite", "--quiet"],
                       capture_output=True, text=True)
    return ini, out, p.returncode, p.stderr


def assess(results, log):
    import h5py

    failures, reasons, n_ok, n_cases = [], collections.Counter(), 0, 0
    slow = []
    for ini, out, rc, err in results:
        if rc not in (0, 3):
            failures.append(f"{ini}: exit {rc}: {err.strip()[:300]}")
            continue
        with h5py.File(out, "r") as f:
            st = f["status"][:]
            er = f["error"][:].astype(str)
            secs = f["timing/case_seconds"][:]
            amounts = {k: f["results/" + k][:] for k in ("permeated_amount", "skin_amount",
                                                          "peak_flux", "insertion_energy")}
            for i in range(len(st)):
                n_cases += 1
                if st[i] == 1:
                    n_ok += 1
                    # NaN: not defined, never infinite (sim/invariants.h holds the
                    # strict checks, with their tolerances; they ran before the store)
                    for k, v in amounts.items():
                        if np.isinf(v[i]):
                            failures.append(f"{out} case {i}: ok with {k} = {v[i]}")
                elif st[i] == 2:
                    if not er[i].strip():
                        failures.append(f"{out} case {i}: failed without a reason")
                    reasons[re.sub(r"[-+]?\d[\d.]*(e[-+]?\d+)?", "#", er[i])[:100]] += 1
                else:
                    failures.append(f"{out} case {i}: status {st[i]} (not computed)")
                slow.append((secs[i], out, i))
    slow.sort(reverse=True)
    log.write(f"{n_cases} cases: {n_ok} ok, {n_cases - n_ok} failed\n")
    log.write("slowest: " + ", ".join(f"{s:.1f} s ({os.path.basename(o)} case {i})"
                                      for s, o, i in slow[:5]) + "\n")
    log.write("failure reasons (numbers as #):\n")
    for r, c in reasons.most_common(40):
        log.write(f"  {c:5d}  {r}\n")
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--needlesim", default="build/needlesim")
    ap.add_argument("--samples", type=int, default=600, help="cases per group (5 groups)")
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--reuse", action="store_true",
                    help="keep the valid batch configs of an earlier run in --dir")
    ap.add_argument("--duration", default=FIXED["run.duration"], help="run.duration of every case")
    ap.add_argument("--groups", default=",".join(GROUPS),
                    help="comma-separated key groups to draw (default: all; each keeps its seed "
                         "offset, so a group's cases do not depend on the others drawn)")
    ap.add_argument("--dir", required=True, help="work directory (configs, outputs, lhs.log)")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    FIXED["run.duration"] = a.duration
    keys_ = read_keys(a.needlesim)
    with open(os.path.join(a.dir, "lhs.log"), "w") as log:
        inis = []
        chosen = a.groups.split(",")
        for name in chosen:
            if name not in GROUPS:
                raise SystemExit(f"--groups: unknown group {name!r}, allowed {', '.join(GROUPS)}")
        for g, name in enumerate(GROUPS):
            if name not in chosen:
                continue
            inis += design(a.needlesim, name, keys_, a.samples, a.seed + g, a.dir, log, a.jobs, a.reuse)
            log.flush()
        with ThreadPoolExecutor(max_workers=a.jobs) as ex:
            results = list(ex.map(lambda ini: run_batch(a.needlesim, ini), inis))
        failures = assess(results, log)
    sys.stdout.write(open(os.path.join(a.dir, "lhs.log")).read())
    if failures:
        sys.stdout.write(f"lhs: {len(failures)} problems:\n" + "\n".join(failures[:50]) + "\n")
        return 1
    print(f"lhs: every case ok with all invariants or failed with a reason ({a.dir}/lhs.log)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
