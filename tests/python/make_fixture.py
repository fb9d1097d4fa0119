#!/usr/bin/env python3
"""Write a small HDF5 file that follows schema needlesim-1, for testing the
Python analysis tools without the simulator.

The numbers are synthetic (smooth functions of the swept parameters with the
right units and orders of magnitude), not model output: they exist only so the
loader, plots and report can be exercised. The result and curve names, units
and descriptions are read from the registry in sim/results.h so the fixture
cannot drift from what sim/output writes.

    python3 tests/python/make_fixture.py OUT.h5 [--cases-failed N]

Layout: grid sweep needle.length (3) x array.density (2) x applicator.mode (2)
= 12 cases; case 5 failed (status 2, with a reason), case 11 pending
(status 0); curves on 40 insertion points and 30 log-spaced times; one
concentration field for cases 0 and 1 under /fields.
"""
import argparse
import os
import re
import sys

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def registry(path=os.path.join(ROOT, "sim", "results.h")):
    """(results, curves) from the X-macro tables of sim/results.h."""
    text = open(path, encoding="utf-8").read()
    res = re.findall(r'X\(NS_R_\w+,\s*"([^"]+)",\s*"([^"]*)",\s*"([^"]*)"\)', text)
    cur = re.findall(r'X\(NS_C_\w+,\s*"([^"]+)",\s*"([^"]+)",\s*"([^"]*)",\s*"([^"]*)"\)', text)
    if not res or not cur:
        sys.exit("make_fixture: no result registry found in %s" % path)
    return res, cur


def write(out, seed=1):
    rng = np.random.default_rng(seed)
    results, curves = registry()
    lengths = np.array([250e-6, 500e-6, 1000e-6])         # m
    densities = np.array([10e4, 100e4])                    # 1/m2 (10, 100 per cm2)
    modes = ["press", "impact"]
    grid = [(L, n, m) for L in lengths for n in densities for m in modes]
    n = len(grid)
    n_ins, n_time = 40, 30
    L = np.array([g[0] for g in grid])
    dens = np.array([g[1] for g in grid])
    mode = [g[2] for g in grid]
    fast = np.array([1.0 if m == "impact" else 0.0 for m in mode])
    status = np.ones(n, dtype=np.int8)
    status[5] = 2
    status[11] = 0
    error = [""] * n
    error[5] = "diffusion: time step fell below 1e-12 s at t = 3.2 s (diff.rtol = 1e-4)"

    # synthetic scalars
    frac = np.clip(0.35 + 0.25 * np.log10(L / 250e-6) + 0.2 * fast - 0.05 * np.log10(dens / 1e5), 0.05, 0.95)
    depth = frac * L
    fp = 0.03 + 0.01 * np.log10(dens / 1e5) + 0.002 * rng.standard_normal(n)
    duration = 24 * 3600.0
    t = duration * np.logspace(-4, 0, n_time)
    jss = 1e-7 * (1 + 20 * depth / 1e-3 * np.sqrt(dens / 1e6))  # kg/(m2 s)
    lag = 600.0 / (1 + 5 * depth / 1e-3)
    perm = np.clip(t[None, :] - lag[:, None], 0, None) * jss[:, None]
    intact = np.clip(t - 3000.0, 0, None) * 1e-7
    values = {
        "tip_area": np.full(n, np.pi * (5e-6) ** 2),
        "buckling_load": 0.9 * (L / 500e-6) ** -2,
        "unit_cell_radius": 1 / np.sqrt(np.pi * dens),
        "pitch": 1 / np.sqrt(dens),
        "needle_density": dens,
        "intact_permeability": np.full(n, 3.0e-8),
        "sc_partition": np.full(n, 0.8),
        "sc_diffusivity": np.full(n, 1e-13),
        "punctured": (frac > 0.1).astype(float),
        "puncture_force": fp,
        "puncture_displacement": 0.4 * L * (1 - 0.3 * fast),
        "max_force": fp * 1.6,
        "total_force": fp * 1.6 * dens * 1e-4,
        "insertion_energy": fp * L * 0.5,
        "penetration_depth": depth,
        "inserted_fraction": frac,
        "deepest_layer": np.where(depth > 80e-6, 3.0, 2.0),
        "buckling_margin": 0.9 * (L / 500e-6) ** -2 / (fp * 1.6),
        "max_tenting": 0.5 * L * (1 - frac),
        "max_travel": L,
        "energy_balance_error": np.full(n, 3e-4),
        "channel_depth": 0.8 * depth,
        "channel_diameter": np.full(n, 60e-6),
        "channel_half_life": np.full(n, 20 * 3600.0),
        "permeated_amount": perm[:, -1],
        "peak_flux": jss,
        "lag_time": lag,
        "enhancement_ratio": perm[:, -1] / intact[-1],
        "skin_amount": 0.1 * perm[:, -1],
        "cleared_amount": 0.05 * perm[:, -1],
        "intact_permeated_amount": np.full(n, intact[-1]),
        "mass_balance_error": np.full(n, 1e-11),
    }
    # synthetic curves: tent-then-puncture force ramp
    s = np.linspace(0, 1, n_ins)
    travel = L[:, None] * s[None, :]
    force = np.where(s[None, :] < 0.4, fp[:, None] * (s[None, :] / 0.4) ** 2,
                     fp[:, None] * (0.6 + 1.0 * (s[None, :] - 0.4)))
    cvals = {
        "insertion_time": travel / np.where(fast > 0, 3.0, 1e-3)[:, None],
        "insertion_travel": travel,
        "insertion_force": force,
        "tip_depth": np.clip(travel - 0.4 * L[:, None], 0, None) * frac[:, None] / 0.6,
        "permeated_amount": perm,
        "flux": np.gradient(perm, t, axis=1),
        # channel closing from the needle radius, faster at the surface
        "channel_radius": 40e-6 * frac[:, None] * np.exp(-t[None, :] / 3600.0),
        "pore_radius": 40e-6 * frac[:, None] * np.exp(-t[None, :] / 36000.0),
    }
    missing = [c[0] for c in curves if c[0] not in cvals]
    if missing:
        sys.exit("make_fixture: no synthetic values for curve(s) %s of sim/results.h: add them"
                 % ", ".join(missing))
    diffusion = ("permeated_amount", "peak_flux", "lag_time", "enhancement_ratio", "skin_amount",
                 "cleared_amount", "intact_permeated_amount", "mass_balance_error")
    for k in values:
        values[k] = np.array(values[k], dtype=float)
        values[k][status == 0] = np.nan            # pending: nothing computed
        if k in diffusion:
            values[k][status == 2] = np.nan        # failed in the diffusion solve
    for k in cvals:
        cvals[k][status == 0] = np.nan
    cvals["permeated_amount"][5] = np.nan
    cvals["flux"][5] = np.nan

    sdt = h5py.string_dtype("utf-8")
    with h5py.File(out, "w") as f:
        cfg = ("[run]\nname = fixture\nduration = 24 h\n[needle]\npreset = generic_mn\n"
               "[sweep]\nmode = grid\nneedle.length = 250 um, 500 um, 1 mm\n"
               "array.density = 10 /cm2, 100 /cm2\napplicator.mode = press, impact\n")
        f.attrs["schema"] = "needlesim-1"
        f.attrs["program_version"] = "0.0.0-fixture"
        f.attrs["git_commit"] = "fixture"
        f.attrs["created_utc"] = "2026-01-01T00:00:00Z"
        f.attrs["config"] = cfg
        f.attrs["config_hash"] = "0123456789abcdef"
        f.attrs["n_cases"] = np.int64(n)
        f.attrs["sweep_mode"] = "grid"
        f.attrs["seed"] = np.int64(seed)
        f.attrs["run_name"] = "fixture"

        def ds(path, data, units, desc, **kw):
            d = f.create_dataset(path, data=data, **kw)
            d.attrs["units"] = units
            d.attrs["description"] = desc
            return d

        case = ds("case", np.arange(n, dtype=np.int64), "1", "case index")
        case.make_scale("case")
        ds("params/needle.length", L, "m", "protrusion length from the base plate to the tip")
        ds("params/array.density", dens, "1/m2", "needles per area")
        ds("params/applicator.mode", np.array(mode, dtype=object), "", "applicator mode", dtype=sdt)
        for name, units, desc in results:
            ds("results/" + name, values.get(name, np.full(n, np.nan)), units, desc)
        ds("status", status, "1", "0 pending, 1 ok, 2 failed")
        ds("error", np.array(error, dtype=object), "", "why a case failed", dtype=sdt)
        ip = ds("curves/insertion_point", np.arange(n_ins, dtype=np.int64), "1", "index of the resampled insertion point")
        ip.make_scale("insertion_point")
        tt = ds("curves/time", t, "s", "output time since application")
        tt.make_scale("time")
        for name, axis, units, desc in curves:
            d = ds("curves/" + name, cvals[name], units, desc)
            d.dims[0].attach_scale(case)
            d.dims[1].attach_scale(ip if axis == "insertion_point" else tt)
        for p in ("params", "results"):
            for name in f[p]:
                f[p][name].dims[0].attach_scale(case)
        f["status"].dims[0].attach_scale(case)
        f["error"].dims[0].attach_scale(case)
        # one concentration snapshot at the end of the run for cases 0 and 1
        nr, nz = 24, 32
        r = np.linspace(0, 150e-6, nr)
        z = np.linspace(0, 1.2e-3, nz)
        fc = ds("fields/case", np.array([0, 1], dtype=np.int64), "1", "case of each snapshot")
        fc.make_scale("field_case")
        fr = ds("fields/r", r, "m", "radial position")
        fr.make_scale("r")
        fz = ds("fields/z", z, "m", "depth below the skin surface")
        fz.make_scale("z")
        R, Z = np.meshgrid(r, z)
        conc = np.stack([10.0 * np.exp(-Z / (0.3e-3 * (1 + k))) * np.exp(-(R / 80e-6) ** 2 * 0.3) for k in range(2)])
        c = ds("fields/concentration", conc, "kg/m3", "drug concentration at the end of the run")
        c.dims[0].attach_scale(fc)
        c.dims[1].attach_scale(fz)
        c.dims[2].attach_scale(fr)
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    n = write(a.out, a.seed)
    print("make_fixture: wrote %s (%d cases)" % (a.out, n))


if __name__ == "__main__":
    main()
