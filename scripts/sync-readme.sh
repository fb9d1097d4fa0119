#!/usr/bin/env bash
# Regenerate the generated blocks of README.md from their sources:
#   keys     <- `needlesim keys --markdown`
#   python   <- scripts/README.md
#   models   <- models/README.md
#   cluster  <- scripts/slurm/README.md
# With --check, fail (exit 1) if README.md is out of date instead of writing.
set -euo pipefail
cd "$(dirname "$0")/.."
NEEDLESIM=${NEEDLESIM:-build/needlesim}
PYTHON=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$NEEDLESIM" keys --markdown > "$tmp/keys"
for part in python:scripts/README.md models:models/README.md cluster:scripts/slurm/README.md; do
  name=${part%%:*}; src=${part#*:}
  if [ -f "$src" ]; then cp "$src" "$tmp/$name"; else : > "$tmp/$name"; fi
done
"$PYTHON" - "$tmp" README.md "$tmp/README.new" <<'PY'
import re, sys, pathlib
d, src, dst = sys.argv[1:4]
text = pathlib.Path(src).read_text()
for name in ("keys", "python", "models", "cluster"):
    body = pathlib.Path(d, name).read_text().strip("\n")
    pat = re.compile(r"(<!-- %s:begin -->\n).*?(<!-- %s:end -->)" % (name, name), re.S)
    if not pat.search(text):
        sys.exit("README.md lacks the <!-- %s:begin/end --> markers" % name)
    text = pat.sub(lambda m: m.group(1) + (body + "\n" if body else "") + m.group(2), text)
pathlib.Path(dst).write_text(text)
PY
if [ "${1:-}" = "--check" ]; then
  if ! diff -u README.md "$tmp/README.new" > "$tmp/diff"; then
    head -n 40 "$tmp/diff"
    echo "README.md is out of date: run scripts/sync-readme.sh" >&2
    exit 1
  fi
  echo "readme: 1 passed, 0 failed"
else
  cp "$tmp/README.new" README.md
fi
