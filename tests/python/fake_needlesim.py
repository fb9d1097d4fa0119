#!/usr/bin/env python3
"""Stand-in for build/needlesim in the validate.py test: `run CONFIG -o OUT`
writes the fixture file (tests/python/make_fixture.py) to OUT, so the
validation report's parsing, checks and rendering can be tested without the
simulator. Any other use exits 2."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixture  # noqa: E402

args = sys.argv[1:]
if len(args) >= 4 and args[0] == "run" and "-o" in args:
    make_fixture.write(args[args.index("-o") + 1])
    sys.exit(0)
print("fake_needlesim: usage: run CONFIG -o OUT", file=sys.stderr)
sys.exit(2)
