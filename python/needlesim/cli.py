"""python3 -m needlesim: summaries, CSV, sensitivity, inverse design, Pareto fronts."""
import argparse
import math
import os
import subprocess
import sys

import numpy as np

from . import design, sensitivity
from .loader import KEY_RESULTS, NeedlesimError, load
from .units import display_unit


def _fmt(v):
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "no result"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return "%.4g" % v
    return str(v)


def summary(path):
    """Text summary: file, counts, swept parameters and key results."""
    df = load(path)
    a = df.attrs
    n = len(df)
    counts = df["status"].value_counts()
    lines = [
        "file      %s" % path,
        "run       %s   schema %s   needlesim %s (%s)" % (a.get("run_name", ""), a.get("schema", "?"),
                                                        a.get("program_version", "?"),
                                                        a.get("git_commit", "?")),
        "created   %s   config hash %s   sweep %s" % (a.get("created_utc", "?"), a.get("config_hash", "?"),
                                                     a.get("sweep_mode", "?")),
        "cases     %d: %d ok, %d failed, %d pending" % (n, counts.get("ok", 0), counts.get("failed", 0),
                                                       counts.get("pending", 0)),
    ]
    if a["swept"]:
        lines.append("swept:")
        for p in a["swept"]:
            col = df[p]
            if col.dtype == object:
                lines.append("  %-28s %s" % (p, ", ".join(map(str, sorted(col.dropna().unique())))))
            else:
                f, u = display_unit(a["units"].get(p, ""), col.values, p)
                lines.append("  %-28s %s .. %s %s (%d values)" % (p, _fmt(col.min() / f),
                                                               _fmt(col.max() / f), u, col.nunique()))
    ok = df[df["status"] == "ok"]
    lines.append("key results over the %d ok cases:" % len(ok))
    lines.append("  %-24s %-12s %10s %10s %10s %8s" % ("result", "unit", "min", "median", "max", "defined"))
    for r in KEY_RESULTS + [r for r in a["results"] if r not in KEY_RESULTS]:
        if r not in df:
            continue
        if ok[r].dtype.name == "category":
            counts = ok[r].value_counts()
            lines.append("  %-24s %s" % (r, ", ".join("%s %d/%d" % (k, c, len(ok))
                                                     for k, c in counts.items() if c)))
            continue
        v = ok[r].astype(float)
        fin = v[np.isfinite(v)]
        f, u = display_unit(a["units"].get(r, ""), fin.values, r)
        if fin.empty:
            lines.append("  %-24s %-12s %10s %10s %10s %4d/%-3d" % (r, u, "-", "-", "-", 0, len(v)))
        else:
            lines.append("  %-24s %-12s %10s %10s %10s %4d/%-3d" % (
                r, u, _fmt(fin.min() / f), _fmt(fin.median() / f), _fmt(fin.max() / f), len(fin), len(v)))
        if r == KEY_RESULTS[-1]:
            lines.append("  (other results)")
    bad = df[df["status"] == "failed"]
    if len(bad):
        lines.append("failed cases:")
        for c, row in bad.head(20).iterrows():
            lines.append("  case %d: %s" % (c, row["error"] or "(no reason recorded)"))
        if len(bad) > 20:
            lines.append("  ... and %d more" % (len(bad) - 20))
    return "\n".join(lines)


def format_sobol(S):
    """One line per key: key, S1, ST, S1 and ST confidence half-widths."""
    a = S.attrs
    lines = ["# %s: Sobol indices from %d of %d base points (%d dropped: a case failed, is "
             "pending or has no finite result); +- half-widths of %g %% bootstrap intervals "
             "(%d resamples)"
             % (a["result"], a["n_used"], a["n_base"], a["dropped"], 100 * a["confidence"],
                a["n_boot"]),
             "%-36s %8s %8s %8s %8s" % ("key", "S1", "ST", "S1_conf", "ST_conf")]
    for k, r in S.iterrows():
        lines.append("%-36s %8.4f %8.4f %8.4f %8.4f" % (k, r.S1, r.ST, r.S1_conf, r.ST_conf))
    return "\n".join(lines)


def format_ranks(R):
    lines = ["# %s: rank correlations over %d ok cases" % (R.attrs["result"], R.attrs["n"]),
             "%-36s %9s %9s" % ("key", "spearman", "prcc")]
    for k, r in R.iterrows():
        lines.append("%-36s %9.4f %9.4f" % (k, r.spearman, r.prcc))
    return "\n".join(lines)


def _parser():
    ap = argparse.ArgumentParser(
        prog="python3 -m needlesim", description="Read and analyse needlesim HDF5 output.",
        epilog="exit codes: 0 ok, 1 file or run failure, 2 bad arguments")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("summary", help="print cases, ok/failed counts and key results")
    s.add_argument("file")
    c = sub.add_parser("csv", help="write one row per case as CSV (SI units)")
    c.add_argument("file")
    c.add_argument("-o", "--output", required=True)
    c.add_argument("--failed", choices=["keep", "drop", "only"], default="keep")
    c.add_argument("--constants", choices=["attrs", "columns"], default="attrs",
                   help="'columns': add the parameters that are the same in every case")
    c.add_argument("--units-in-header", action="store_true",
                   help='column names like "needle.length [m]"')
    so = sub.add_parser("sobol", help="first-order and total Sobol indices (saltelli files)")
    so.add_argument("file")
    so.add_argument("--result", required=True, help="result name, e.g. penetration_depth")
    so.add_argument("--bootstrap", type=int, default=sensitivity.N_BOOT,
                    help="bootstrap resamples (default %(default)s)")
    so.add_argument("--confidence", type=float, default=sensitivity.CONFIDENCE,
                    help="confidence level of the half-widths (default %(default)s)")
    rk = sub.add_parser("rank", help="Spearman and partial rank correlations (lhs files)")
    rk.add_argument("file")
    rk.add_argument("--result", required=True)
    fi = sub.add_parser("find", help="inverse design: bracket and bisect one key over runs")
    fi.add_argument("config")
    fi.add_argument("--key", required=True, help="key to search, e.g. needle.length")
    fi.add_argument("--lo", required=True, help="low end with unit, e.g. 200um")
    fi.add_argument("--hi", required=True, help="high end with unit, e.g. 1.5mm")
    fi.add_argument("--require", action="append", required=True, metavar="'RESULT OP VALUE'",
                    help="e.g. 'total_force <= 10 N' or 'deepest_layer >= dermis' (repeatable)")
    fi.add_argument("--stat", choices=design.STATS, default="all",
                    help="statistic over the config's cases (default: every case)")
    fi.add_argument("--log", action="store_true", help="bisect in log scale")
    fi.add_argument("--tol", type=float, help="final bracket width in the key's unit "
                    "(log: ratio - 1); default 1e-3 of the start width")
    fi.add_argument("--max-runs", type=int, default=30)
    fi.add_argument("--set", action="append", default=[], dest="sets",
                    help="extra --set passed to every run")
    fi.add_argument("--trail", help="HDF5 trail file (default CONFIGNAME_find.h5)")
    fi.add_argument("--needlesim", default=os.environ.get("NEEDLESIM", "needlesim"),
                    help="binary (default $NEEDLESIM or needlesim on PATH)")
    pa = sub.add_parser("pareto", help="Pareto front over 2 or 3 results: table and plot")
    pa.add_argument("file")
    pa.add_argument("--objectives", required=True,
                    help="e.g. max:permeated_amount,min:total_force")
    pa.add_argument("--plot", help="PNG of the front")
    pa.add_argument("--csv", help="CSV of the front (SI units)")
    for name in ("plots", "report"):
        sub.add_parser(name, help="same as python3 scripts/%s.py (see -h there)" % name,
                       add_help=False)
    return ap


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in ("plots", "report"):
        mod = plots_module() if argv[0] == "plots" else report_module()
        return mod.main(argv[1:])
    a = _parser().parse_args(argv)
    try:
        if a.cmd == "summary":
            print(summary(a.file))
        elif a.cmd == "csv":
            df = load(a.file, failed=a.failed, constants=a.constants)
            if a.units_in_header:
                df = df.rename(columns={k: ("%s [%s]" % (k, u) if u else k)
                                        for k, u in df.attrs["units"].items()})
            df.to_csv(a.output)
            print("needlesim: wrote %s (%d rows, %d columns)" % (a.output, len(df), df.shape[1]))
        elif a.cmd == "sobol":
            print(format_sobol(sensitivity.sobol(a.file, a.result, n_boot=a.bootstrap,
                                                 confidence=a.confidence)))
        elif a.cmd == "rank":
            print(format_ranks(sensitivity.rank_correlations(a.file, a.result)))
        elif a.cmd == "find":
            r = design.find(a.config, a.key, a.lo, a.hi, a.require, stat=a.stat, log=a.log,
                            tol=a.tol, max_runs=a.max_runs, trail=a.trail, binary=a.needlesim,
                            extra_sets=a.sets, echo=print)
            print("%s = %.6g %s is the %s value that meets %s (bracket %.6g .. %.6g %s, %d runs; "
                  "trail %s)" % (a.key, r["answer"], r["unit"],
                                 "smallest" if r["holds_at"] == "high" else "largest",
                                 " and ".join(a.require), r["bracket"][0], r["bracket"][1],
                                 r["unit"], len(r["runs"]), r["trail"]))
        elif a.cmd == "pareto":
            front = design.pareto_front(a.file, a.objectives)
            print("# Pareto front: %d of %d ok cases (%s)" % (
                len(front), front.attrs["n_candidates"],
                ", ".join("%s %s" % o for o in front.attrs["objectives"])))
            print(design.format_front(front))
            if a.csv:
                front.to_csv(a.csv)
            if a.plot:
                design.plot_pareto(front, a.plot)
                print("needlesim: wrote %s" % a.plot)
    except ValueError as e:
        print("needlesim: error: %s" % e, file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head & co.: not an error
        sys.stdout = open(os.devnull, "w")
        return 0
    except (NeedlesimError, OSError, subprocess.SubprocessError) as e:
        print(str(e), file=sys.stderr)
        return 1
    return 0


def plots_module():
    from . import plots
    return plots


def report_module():
    from . import report
    return report
