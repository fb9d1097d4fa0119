#!/usr/bin/env bash
# Install the Debian 12 packages needlesim needs to build, test and analyse.
# Idempotent and fast when nothing is missing (one dpkg-query). As root it runs
# apt-get; otherwise it prints the exact command to run and exits 1.
#
#   scripts/install-deps.sh            install what is missing
#   scripts/install-deps.sh --check    only report; exit 1 if something is missing
#   NS_DEPS_MINIMAL=1 ...              skip the browser used by the report test
#   NS_DEPS_FUZZ=1 ...                 also clang and its runtime (libFuzzer) for make fuzz
#   NS_DEPS_BENCH=1 ...                also PETSc, the time-integration peer of make bench
set -euo pipefail

packages=(
  build-essential pkg-config
  libgsl-dev libhdf5-openmpi-dev openmpi-bin libopenmpi-dev
  libcriterion-dev libinih-dev hdf5-tools
  # the continuum insertion model's sparse direct solvers (CHOLMOD, UMFPACK)
  libsuitesparse-dev
  python3 python3-h5py python3-numpy python3-matplotlib python3-pandas python3-xarray
  # make check-paraview opens the XDMF files with pvpython (about 80 MB to download)
  paraview python3-paraview
  # make check-cf parses every units attribute with UDUNITS-2 and pint
  udunits-bin python3-pint
)
if [ "${NS_DEPS_MINIMAL:-0}" != 1 ]; then
  packages+=(chromium)
fi
# make fuzz only: libFuzzer comes with clang's compiler runtime.
if [ "${NS_DEPS_FUZZ:-0}" = 1 ]; then
  packages+=(clang libclang-rt-dev)
fi

# make bench only: tests/bench/bench_petsc.c integrates the diffusion solver's own
# semi-discrete system with PETSc TS (BDF, direct LU) as the peer of its time stepping;
# the default build and make check never need it.
if [ "${NS_DEPS_BENCH:-0}" = 1 ]; then
  packages+=(libpetsc-real-dev)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "${1:-}" = "--check" ]; then
  echo "needlesim: missing packages: ${missing[*]}" >&2
  echo "install with: sudo sh -c '$cmd'" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "needlesim: missing packages: ${missing[*]}" >&2
  echo "needlesim: run as root:" >&2
  echo "  sudo sh -c '$cmd'" >&2
  exit 1
fi

echo "needlesim: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
