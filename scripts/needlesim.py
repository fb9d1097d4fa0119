#!/usr/bin/env python3
"""Entry point kept for old command lines: `python3 scripts/needlesim.py ...`
is `python3 -m needlesim ...`, and `sys.path.insert(0, "scripts"); import
needlesim` gives the package. The package is taken from the checkout's
python/ folder when there is one, else from wherever it is installed."""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_PY = os.path.join(os.path.dirname(_HERE), "python")
# This folder holds this file, named like the package: keep it off the path.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
if os.path.isdir(os.path.join(_PY, "needlesim")):
    sys.path.insert(0, _PY)

if __name__ == "__main__":
    from needlesim.cli import main
    sys.exit(main())
else:  # imported as "needlesim": hand over to the package
    del sys.modules[__name__]
    import needlesim as _pkg  # noqa: E402
    sys.modules[__name__] = _pkg
