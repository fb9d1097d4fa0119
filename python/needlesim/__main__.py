"""python3 -m needlesim ...: the command line of the package (see cli.py)."""
import sys

from .cli import main

sys.exit(main())
