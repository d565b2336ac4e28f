#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian 12 machine and builds it. Idempotent:
# each step is skipped when its result is already in place, so it is cheap to re-run.
#
#   bash scripts/setup.sh
#
# Steps: (1) Debian packages, (2) the Python venv .venv with pinned Snakemake 9, the
# Slurm executor plugin, SciPy and Pygments (for `snakemake --report`), (3) CMake configure +
# build into build/ (Release).
#
# To build against a pip-installed torch instead of Debian's libtorch-dev:
#   CMAKE_PREFIX_PATH=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)') bash scripts/setup.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SNAKEMAKE_VERSION="9.27.1"
SLURM_PLUGIN_VERSION="2.8.0"
# t quantiles of the claims report's confidence intervals (workflow/claim_statistics.py); the
# newest SciPy for Debian 12's Python 3.11.
SCIPY_VERSION="1.17.1"
# `snakemake --report` needs Pygments, which Snakemake lists only as an optional extra.
PYGMENTS_VERSION="2.20.0"
VENV="$ROOT/.venv"
BUILD_DIR="$ROOT/build"
# Debian's interpreter: it has python3-torch (the throughput baseline) and is the one the
# venv must be built from, whatever `python3` on PATH is.
SYSTEM_PYTHON="/usr/bin/python3"

APT_PACKAGES=(
  build-essential cmake pkg-config git
  libtorch-dev python3-torch
  libtomlplusplus-dev libgtest-dev libgmock-dev googletest zlib1g-dev nlohmann-json3-dev
  libeigen3-dev libspectra-dev liblbfgspp-dev
  openmpi-bin libopenmpi-dev
  gnuplot-nox dataset-fashion-mnist
  slurmctld slurmd slurm-client munge
  python3-venv python3-pip
  clang libclang-rt-14-dev llvm-14
)

STEP="start"
log() { printf '[setup] %s\n' "$*"; }
on_error() {
  local rc=$?
  printf '[setup] ERROR: step "%s" failed (exit code %d); see the output above.\n' "$STEP" "$rc" >&2
  exit "$rc"
}
trap on_error ERR

# Runs a command as root: directly if we are root, else through sudo if there is one.
as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    printf '[setup] ERROR: need root to run: %s (not root, and no sudo)\n' "$*" >&2
    return 1
  fi
}

# ---------------------------------------------------------------- 1. Debian packages
STEP="apt packages"
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != "installed" ]]; then
    missing+=("$pkg")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  log "apt: all ${#APT_PACKAGES[@]} packages already installed, skipping apt-get"
else
  log "apt: missing packages: ${missing[*]}"
  STEP="apt-get update"
  log "running apt-get update"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  STEP="apt-get install"
  log "installing: ${APT_PACKAGES[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${APT_PACKAGES[@]}"
fi

# ---------------------------------------------------------------- 2. Python venv
STEP="python venv"
if [[ ! -x "$SYSTEM_PYTHON" ]]; then
  printf '[setup] ERROR: %s not found (it comes with the python3 package)\n' "$SYSTEM_PYTHON" >&2
  exit 1
fi

venv_snakemake_version() {
  if [[ -x "$VENV/bin/snakemake" ]]; then
    "$VENV/bin/snakemake" --version 2>/dev/null || true
  fi
}
venv_package_version() {  # venv_package_version NAME: the version pip has installed, or ""
  if [[ -x "$VENV/bin/python" ]]; then
    "$VENV/bin/python" -m pip show "$1" 2>/dev/null | sed -n 's/^Version: //p'
  fi
}
venv_has_plugin() {
  [[ "$(venv_package_version snakemake-executor-plugin-slurm)" == "$SLURM_PLUGIN_VERSION" ]]
}

# The venv must come from Debian's interpreter; one made by another python3 (pyenv, say)
# or one whose interpreter no longer runs is rebuilt.
system_base="$("$SYSTEM_PYTHON" -c 'import sys; print(sys.base_prefix)')"
if [[ -e "$VENV" ]]; then
  venv_base="$("$VENV/bin/python" -c 'import sys; print(sys.base_prefix)' 2>/dev/null || true)"
  if [[ "$venv_base" != "$system_base" ]]; then
    log "venv: $VENV was not made by $SYSTEM_PYTHON (base '${venv_base:-broken}'), recreating it"
    rm -rf "$VENV"
  fi
fi
if [[ ! -x "$VENV/bin/python" ]]; then
  STEP="create venv"
  log "venv: creating $VENV with $SYSTEM_PYTHON"
  "$SYSTEM_PYTHON" -m venv "$VENV"
fi

if [[ "$(venv_snakemake_version)" == "$SNAKEMAKE_VERSION" ]] && venv_has_plugin; then
  log "venv: snakemake $SNAKEMAKE_VERSION and snakemake-executor-plugin-slurm $SLURM_PLUGIN_VERSION already installed"
else
  STEP="pip install snakemake"
  log "venv: installing snakemake==$SNAKEMAKE_VERSION snakemake-executor-plugin-slurm==$SLURM_PLUGIN_VERSION"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet \
    "snakemake==$SNAKEMAKE_VERSION" "snakemake-executor-plugin-slurm==$SLURM_PLUGIN_VERSION"
  STEP="check snakemake version"
  got="$(venv_snakemake_version)"
  if [[ "$got" != "$SNAKEMAKE_VERSION" ]]; then
    printf '[setup] ERROR: .venv/bin/snakemake --version says "%s", expected %s\n' "$got" "$SNAKEMAKE_VERSION" >&2
    exit 1
  fi
  log "venv: snakemake $got ready"
fi

venv_pin() {  # NAME VERSION: pip-installs NAME==VERSION into the venv unless it is there
  if [[ "$(venv_package_version "$1")" == "$2" ]]; then
    log "venv: $1 $2 already installed"
  else
    STEP="pip install $1"
    log "venv: installing $1==$2"
    "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet "$1==$2"
  fi
}
venv_pin scipy "$SCIPY_VERSION"
venv_pin pygments "$PYGMENTS_VERSION"

# ---------------------------------------------------------------- 3. CMake build
STEP="cmake configure"
cmake_args=(-S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release)
if [[ -n "${CMAKE_PREFIX_PATH:-}" ]]; then
  log "cmake: using CMAKE_PREFIX_PATH=$CMAKE_PREFIX_PATH"
  cmake_args+=("-DCMAKE_PREFIX_PATH=$CMAKE_PREFIX_PATH")
fi
log "cmake: configuring $BUILD_DIR (Release)"
cmake "${cmake_args[@]}"

STEP="cmake build"
jobs="$(nproc)"
log "cmake: building with $jobs parallel jobs"
cmake --build "$BUILD_DIR" -j "$jobs"

STEP="done"
log "done: trainer at $BUILD_DIR/localsgd-train, snakemake at $VENV/bin/snakemake"
