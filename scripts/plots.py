#!/usr/bin/env python3
"""Entry point: `python3 scripts/plots.py ...` is `python3 -m needlesim plots ...`
(the package from the checkout's python/ folder, else the installed one)."""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_PY = os.path.join(os.path.dirname(_HERE), "python")
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
if os.path.isdir(os.path.join(_PY, "needlesim")):
    sys.path.insert(0, _PY)
from needlesim.plots import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
