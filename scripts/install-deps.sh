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
echo "install-deps: all dependencies present"
