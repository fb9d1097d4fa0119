#!/usr/bin/env bash
# Write the needlesim(1) manual page to stdout, generated from the program
# itself so it never disagrees with it: the blocks of `needlesim --help`
# (usage -> SYNOPSIS, the command list and each command's own --help ->
# COMMANDS, options -> OPTIONS, the
# exit codes -> EXIT STATUS, anything else -> DESCRIPTION) and the key table
# of `needlesim keys` (-> CONFIGURATION KEYS).
#   man/gen-man.sh BINARY VERSION > needlesim.1
set -euo pipefail
bin=$1
version=$2

# roff-safe text: backslashes escaped, a leading '.' or "'" protected.
esc() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }
# A block as preformatted text.
pre() { printf '.nf\n'; esc; printf '.fi\n'; }

help=$("$bin" --help)
keys=$("$bin" keys)

cat <<ROFF
.TH NEEDLESIM 1 "" "needlesim $version" "User Commands"
.SH NAME
needlesim \\- simulate needle and microneedle insertion into layered skin, the channels left behind and topical drug diffusion
ROFF

# Split the help text into blocks at blank lines and file each under its section.
synopsis="" commands="" options="" exits="" other=""
block=""
flush() {
  [ -n "$block" ] || return 0
  case "$block" in
    usage:*) synopsis+="${block#usage:}"$'\n' ;;
    "exit codes"*) exits+="$block"$'\n' ;;
    "  -"*) options+="$block"$'\n' ;;
    "  "[a-z]*) commands+="$block"$'\n' ;;
    *) other+="$block"$'\n\n' ;;
  esac
  block=""
}
while IFS= read -r line; do
  if [ -z "$line" ]; then flush; else block+="$line"$'\n'; fi
done <<< "$help"
flush

printf '.SH SYNOPSIS\n'; printf '%s' "$synopsis" | sed 's/^  //' | pre
printf '.SH DESCRIPTION\n'
cat <<'ROFF'
needlesim reads an INI configuration whose values carry units, expands its
sweep into cases and computes them (across MPI ranks under mpirun) into one
self-describing HDF5 file (schema needlesim-1). Every value of the file is SI;
its layout is described in the schema document installed with the program.
ROFF
[ -z "$other" ] || printf '%s' "$other" | pre
printf '.SH COMMANDS\n'; printf '%s' "$commands" | pre
# Each command's own help, where it has one (`needlesim CMD --help` that is
# not the global text).
for cmd in $(printf '%s' "$synopsis" | awk '$1 == "needlesim" && $2 !~ /^-/ {print $2}' | sort -u); do
  if sub=$("$bin" "$cmd" --help 2>/dev/null) && [ -n "$sub" ] && [ "$sub" != "$help" ]; then
    printf '.SS needlesim %s\n' "$cmd"; printf '%s\n' "$sub" | pre
  fi
done
printf '.SH OPTIONS\n'; printf '%s' "$options" | pre
printf '.SH EXIT STATUS\n'; printf '%s' "$exits" | pre
printf '.SH CONFIGURATION KEYS\n'
printf 'Every key of the configuration, as printed by \\fBneedlesim keys\\fR:\n'
printf '%s\n' "$keys" | pre
cat <<'ROFF'
.SH FILES
.TP
.I share/needlesim/inputs/*.ini
commented example configurations (smoke.ini runs in seconds)
.TP
.I share/needlesim/slurm/*.sbatch
Slurm batch scripts for a sweep (resubmittable with --resume)
.TP
.I share/doc/needlesim/README.md, schema.md
user guide and the HDF5 schema
.SH SEE ALSO
.BR mpirun (1),
.BR h5dump (1),
.BR sbatch (1)
ROFF
