#!/usr/bin/env bash
# Stand-in for build/needlesim in the validate.py test (see fake_needlesim.py).
exec "${PYTHON:-/usr/bin/python3}" "$(dirname "$0")/fake_needlesim.py" "$@"
