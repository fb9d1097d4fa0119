#!/usr/bin/env bash
# make check-comments: the header comments of inputs/*.ini say what the
# configs do. For every example, the claims a comment makes in a checkable
# form are compared with `needlesim check` and the config itself:
#   "N cases"                                   -> the case count
#   "`zip` mode", "a grid of", "Zip:", "Latin-hypercube", "Saltelli study"
#                                               -> sweep.mode
#   "<skin preset> skin", "the `<name>` preset" -> a skin preset the config sets
#                                                  (in [skin] or on a sweep axis)
# Comments read: the header (before the first section) and the comments of
# the [sweep] section.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
NEEDLESIM=${NEEDLESIM:-build/needlesim}
[ $# -gt 0 ] || set -- inputs/*.ini   # or the configs given as arguments
"$PYTHON" - "$NEEDLESIM" "$@" <<'PY'
import re, subprocess, sys

exe, files = sys.argv[1], sys.argv[2:]
out = subprocess.run([exe, "presets"], capture_output=True, text=True, check=True).stdout
block = out.split("== skin presets", 1)[1].split("\n==", 1)[0]
skin_presets = [l.strip() for l in block.splitlines()[1:] if re.match(r"^[a-z_]+$", l)]
MODES = [(r"`(grid|zip|lhs|sobol|saltelli)` mode", None), (r"\ba grid of\b|\bgrid over\b", "grid"),
         (r"(?:^|; )zip\b", "zip"), (r"latin[- ]hypercube", "lhs"), (r"\bsaltelli study", "saltelli")]
passed = failed = 0


def claims(text):
    """(what, claimed value) pairs found in comment text."""
    for m in re.finditer(r"\b(\d+) cases\b", text):
        yield "cases", m.group(1)
    for pat, mode in MODES:
        for m in re.finditer(pat, text, re.I | re.M):
            yield "mode", mode or m.group(1).lower()
    for name in skin_presets:
        spoken = name.replace("_", "[ _]")
        if re.search(r"\b%s\b(?:\s+and\s+\w+)?(?:\s*\([^)]*\))?\s+\"?skin\b" % spoken, text, re.I):
            yield "skin preset", name
    for m in re.finditer(r"the `(\w+)` preset", text):
        if m.group(1) in skin_presets:
            yield "skin preset", m.group(1)


for path in files:
    lines = open(path, encoding="utf-8").read().splitlines()
    header, sweep_notes, section, presets = [], [], None, set()
    for line in lines:
        s = line.strip()
        if s.startswith("["):
            section = s.strip("[]").strip()
        elif s.startswith(";"):
            (header if section is None else sweep_notes if section == "sweep" else []).append(s[1:].strip())
        elif "=" in s:
            k, v = (x.strip() for x in s.split("=", 1))
            if (section == "skin" and k == "preset") or (section == "sweep" and k == "skin.preset"):
                presets |= {x.strip() for x in v.split(",")}
    text = " ".join(header) + "\n" + "\n".join(sweep_notes)
    r = subprocess.run([exe, "check", path], capture_output=True, text=True)
    info = dict(re.findall(r"^(cases|sweep): (\S+)", r.stdout, re.M))
    actual = {"cases": info.get("cases"), "mode": info.get("sweep", "none")}
    found = list(claims(text))
    bad = []
    for what, val in found:
        if what == "skin preset":
            if val not in presets:
                bad.append("says %s skin, the config sets %s" % (val, ", ".join(sorted(presets)) or "no preset"))
        elif val != actual[what]:
            bad.append("says %s %s, the config has %s" % (what, val, actual[what]))
    if r.returncode != 0:
        bad.append("needlesim check failed: " + r.stderr.strip())
    ok = not bad
    passed, failed = passed + ok, failed + (not ok)
    print("  %s %s: %d claims%s" % ("ok  " if ok else "FAIL", path, len(found),
                                     "" if ok else ": " + "; ".join(bad)))
print("comments: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
