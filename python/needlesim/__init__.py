"""needlesim: analysis of needlesim HDF5 output (schema needlesim-1).

    import needlesim
    df = needlesim.load("outputs/default.h5")                 # pandas, one row per case
    ds = needlesim.load_xarray("outputs/default.h5", unstack=True)   # grid sweeps by axis
    S = needlesim.sobol("outputs/saltelli.h5", "penetration_depth")  # Sobol indices

Modules: loader (files to pandas/xarray), units (display units), sensitivity
(Sobol indices of saltelli files, rank correlations of Latin hypercubes),
design (inverse design by bisection over runs of the binary, Pareto fronts),
plots and report (figures and the HTML device report), cli (python3 -m
needlesim). See the README's Python section.
"""
import os as _os


def _package_version():
    """The installed distribution's version, else a VERSION file beside this
    package (a copied install) or in the repository root (a checkout)."""
    try:
        from importlib.metadata import PackageNotFoundError, version
        try:
            return version("needlesim")
        except PackageNotFoundError:
            pass
    except ImportError:  # pragma: no cover - Python < 3.8
        pass
    here = _os.path.dirname(_os.path.abspath(__file__))
    for path in (_os.path.join(here, "VERSION"), _os.path.join(here, "..", "..", "VERSION")):
        try:
            with open(path) as f:
                return f.read().strip()
        except OSError:
            pass
    return "unknown"


from .loader import (DEVICE_PARAMS, KEY_RESULTS, LAYER_NAMES, SCHEMA, STATUS_TEXT,
                     NeedlesimError, curve_names, device_params, load, load_curves,
                     identifiers, load_fields, load_xarray, parse_config, run_name, swept)
from .units import display_unit, label, parse_quantity
from .sensitivity import rank_correlations, sobol
from .design import find, pareto_front
from .cli import summary

__all__ = ["DEVICE_PARAMS", "KEY_RESULTS", "LAYER_NAMES", "SCHEMA", "STATUS_TEXT",
           "NeedlesimError", "curve_names", "device_params", "identifiers", "load", "load_curves", "load_fields",
           "load_xarray", "parse_config", "run_name", "swept", "display_unit", "label",
           "parse_quantity", "rank_correlations", "sobol", "find", "pareto_front", "summary",
           "__version__"]

__version__ = _package_version()
