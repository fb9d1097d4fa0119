#!/usr/bin/env bash
# make check-install: `make install` into a staging DESTDIR, then use what it
# installed the way a user would: every file in place with its mode, the man
# page renders without warnings and lists the keys, the bash completion loads
# and completes, the installed binary runs the installed example from an
# empty directory (default output path and -o), the installed Python package
# imports and reads that file (python3 -m needlesim and needlesim-py), and
# `make uninstall` removes every file again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
root=$PWD
stage=$(mktemp -d)
empty=$(mktemp -d)
trap 'rm -rf "$stage" "$empty"' EXIT
prefix=/opt/needlesim
pass=0; fail=0
check() {  # NAME CMD...
  local name=$1; shift
  if "$@" >"$stage.log" 2>&1; then pass=$((pass + 1)); echo "  ok    $name"
  else fail=$((fail + 1)); echo "  FAIL  $name"; sed 's/^/        /' "$stage.log" | tail -5; fi
}
make --no-print-directory -s install DESTDIR="$stage" PREFIX="$prefix" >/dev/null
P=$stage$prefix
pydir=$(cd "$root" && make --no-print-directory -s PREFIX="$prefix" print-PYTHONDIR)

mode() { [ "$(stat -c %a "$1")" = "$2" ]; }
check "binary installed executable" mode "$P/bin/needlesim" 755
check "needlesim-py installed executable" mode "$P/bin/needlesim-py" 755
check "every Slurm script installed executable" bash -c "n=0; for f in scripts/slurm/*.sbatch; do [ \$(stat -c %a '$P'/share/needlesim/slurm/\$(basename \$f)) = 755 ] || exit 1; n=\$((n + 1)); done; [ \$n -gt 0 ]"
check "analysis scripts installed executable" bash -c "for f in '$P'/share/needlesim/scripts/*.py; do [ \$(stat -c %a \"\$f\") = 755 ] || exit 1; done"
check "every example installed" bash -c "[ \$(ls '$P'/share/needlesim/inputs/*.ini | wc -l) = \$(ls inputs/*.ini | wc -l) ]"
check "README, schema, changelog, licence, citation" bash -c "cd '$P/share/doc/needlesim' && cmp README.md '$root/README.md' && cmp schema.md '$root/outputs/README.md' && test -s CHANGELOG.md -a -s LICENSE -a -s CITATION.cff"
check "Python package beside its VERSION" test -f "$stage$pydir/needlesim/__init__.py" -a -f "$stage$pydir/needlesim/VERSION"
check "man page renders without warnings" bash -c "out=\$(MANWIDTH=100 man --warnings -l '$P/share/man/man1/needlesim.1' 2>&1 >/dev/null); [ -z \"\$out\" ] || { echo \"\$out\"; exit 1; }"
check "man page has usage, exit status and every key" bash -c "txt=\$(MANWIDTH=200 man -l '$P/share/man/man1/needlesim.1' 2>/dev/null); grep -q 'needlesim run CONFIG' <<<\"\$txt\" && grep -q 'EXIT STATUS' <<<\"\$txt\" && for k in \$(build/needlesim keys | awk '/^  [a-z]/ {print \$1}'); do grep -qF -- \"\$k\" <<<\"\$txt\" || { echo \"missing \$k\"; exit 1; }; done"
check "bash completion completes commands and keys" bash -c "
  source '$P/share/bash-completion/completions/needlesim'
  COMP_WORDS=('$P/bin/needlesim' ''); COMP_CWORD=1; _needlesim; [[ \" \${COMPREPLY[*]} \" == *' run '* ]] || exit 1
  COMP_WORDS=('$P/bin/needlesim' run x.ini --set needle.len); COMP_CWORD=4; _needlesim; [ \"\${COMPREPLY[*]}\" = needle.length= ]"

cd "$empty"
check "installed binary: check an installed example from an empty directory" "$P/bin/needlesim" check "$P/share/needlesim/inputs/smoke.ini"
check "installed binary: run with -o from an empty directory" "$P/bin/needlesim" run "$P/share/needlesim/inputs/smoke.ini" -o smoke.h5 --quiet
check "installed binary: run with the default output path from an empty directory" bash -c "
  mkdir default && cd default && '$P/bin/needlesim' run '$P/share/needlesim/inputs/smoke.ini' --quiet && test -s outputs/smoke.h5"
check "installed package: import needlesim and load the file" env PYTHONPATH="$stage$pydir" "$PYTHON" -c "
import needlesim, sys
df = needlesim.load('smoke.h5')
sys.exit(0 if len(df) == 4 and needlesim.__version__ == open('$root/VERSION').read().strip() else 1)"
check "installed package: python3 -m needlesim --help" env PYTHONPATH="$stage$pydir" "$PYTHON" -m needlesim --help
check "installed needlesim-py --help" env PYTHONPATH="$stage$pydir" "$P/bin/needlesim-py" --help
cd "$root"
make --no-print-directory -s uninstall DESTDIR="$stage" PREFIX="$prefix" >/dev/null
check "make uninstall removes every file" bash -c "[ -z \"\$(find '$stage' -type f)\" ] || { find '$stage' -type f | head; exit 1; }"
echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
