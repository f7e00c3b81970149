#!/usr/bin/env bash
# Installs everything gennc needs on a fresh Debian 12 machine. Idempotent: run it as often
# as you like. Debian packages need root (apt-get); Python packages go into .venv/ at the
# repository root, which the build and the tests use.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

debian_packages=(
  build-essential cmake ninja-build pkg-config
  llvm-19-dev llvm-19-tools libclang-common-19-dev libclang-rt-19-dev clang-19 lld-19 zlib1g-dev libzstd-dev libedit-dev libxml2-dev
  antlr4 libantlr4-runtime-dev default-jre-headless
  libfmt-dev catch2 libcli11-dev nlohmann-json3-dev
  python3-venv
  libopenmpi-dev openmpi-bin   # distributed runs: the MPI plugin is built against it, tests/mpi run mpirun
)

missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Python side: PyNN and the reference simulators it is tested against.
python=${PYTHON:-python3}
if [ ! -x "$root/.venv/bin/python" ]; then
  "$python" -m venv "$root/.venv"
fi
"$root/.venv/bin/pip" install -q --upgrade pip
"$root/.venv/bin/pip" install -q -r "$root/scripts/requirements.txt"

# PyNN's own system scenarios and example scripts, which tests/pynn runs against pynn_gennc:
# they are in PyNN's source distribution only, not in the wheel pip installed above.
pynn_version=0.13.0
pynn_sdist_sha256=da2821e45055a88de6cf34896067eaaebcabbfdfb7883dd147353e7b78617815
pynn_share="$root/.venv/share/pynn-$pynn_version"
if [ ! -f "$pynn_share/.complete" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  "$root/.venv/bin/pip" download -q --no-deps --no-binary :all: -d "$tmp" "PyNN==$pynn_version"
  tarball="$tmp/pynn-$pynn_version.tar.gz"
  echo "$pynn_sdist_sha256  $tarball" | sha256sum --check --quiet
  tar -xzf "$tarball" -C "$tmp" "pynn-$pynn_version/test/system/scenarios" "pynn-$pynn_version/examples"
  rm -rf "$pynn_share"
  mkdir -p "$pynn_share/test/system"
  mv "$tmp/pynn-$pynn_version/test/system/scenarios" "$pynn_share/test/system/"
  mv "$tmp/pynn-$pynn_version/examples" "$pynn_share/"
  touch "$pynn_share/.complete"
  rm -rf "$tmp"
  trap - EXIT
fi

# gennc's PyNN backend, editable, so tests and scripts import the working tree's pynn_gennc.
# Reinstalled only when its pyproject.toml changes (the stamp holds the file's hash).
if [ -f "$root/pynn-export/pyproject.toml" ]; then
  stamp="$root/.venv/.pynn-export-installed"
  want=$(sha256sum "$root/pynn-export/pyproject.toml" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    # A backend that does not install yet must not stop the C++ build: warn, and let
    # tests/pynn's smoke test fail on the import.
    if "$root/.venv/bin/pip" install -q -e "$root/pynn-export"; then
      echo "$want" > "$stamp"
    else
      echo "install-deps: warning: pip install -e pynn-export failed" >&2
    fi
  fi
  # pip byte-compiles a regular install's modules, not an editable one's, and where
  # PYTHONDONTWRITEBYTECODE is set (as on these machines) Python never keeps what it
  # compiles: every script would compile pynn_gennc's modules again at import (about 40 ms
  # of a PyNN script's start). Python ignores a .pyc older than its source.
  "$root/.venv/bin/python" -m compileall -q "$root/pynn-export/pynn_gennc" \
    "$root"/.venv/lib/python3*/site-packages/__editable___pynn_gennc_*finder.py > /dev/null || true
fi
echo "install-deps: all dependencies present"
