#!/usr/bin/env bash
# Installs what mav needs on Debian 12 (only what is missing), then configures
# and builds it. Idempotent: a second run installs nothing and rebuilds only
# what changed. Shared by utils/check (tests) and utils/demo (the main job).
#
# Usage: utils/setup.sh [BUILD_DIR]          (default: build)
# Environment: MAV_SANITIZE=1 builds with ASan+UBSan; MAV_ENABLE_TORCH=OFF
# skips the libtorch frontend.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

packages=(
  build-essential cmake ninja-build git
  libfmt-dev libcli11-dev libyaml-cpp-dev nlohmann-json3-dev libzip-dev pkg-config
  libgtest-dev googletest
  llvm-14-tools
  time python3-matplotlib
  libtorch-dev python3-torch python3-torchvision python3-plotly
  chromium
  clang-14 libclang-rt-14-dev clang-format-14
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
# Node.js may come from elsewhere than Debian (with its own npm): only
# install Debian's when the commands are missing.
command -v node > /dev/null || missing+=(nodejs)
command -v npm > /dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
fi

# Front-end packages from the npm registry, pinned in package-lock.json.
if [ -f "$root/package.json" ]; then
  if [ ! -d "$root/node_modules" ] ||
     [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
    echo "setup: installing npm packages"
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

# The plotly.js that `mav-render --html --offline` inlines: a partial bundle
# of just the traces the page draws, built from pinned npm packages
# (utils/plotly-bundle/build.sh checks the bytes). Rebuilt when its recipe
# is newer than the bundle.
bundle_dir="$root/utils/plotly-bundle"
bundle="$bundle_dir/dist/plotly-mav.min.js"
if [ -f "$bundle_dir/build.sh" ]; then
  stale=0
  [ -f "$bundle" ] || stale=1
  for f in package-lock.json build.js entry.js plotly-mav.min.js.sha256; do
    [ "$bundle_dir/$f" -nt "$bundle" ] && stale=1
  done
  if [ "$stale" = 1 ]; then
    echo "setup: building the plotly.js bundle for --offline pages"
    "$bundle_dir/build.sh" > /dev/null
  fi
fi

cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=Release)
[ "${MAV_SANITIZE:-0}" = 1 ] && cmake_args+=(-DMAV_ENABLE_SANITIZERS=ON)
[ -n "${MAV_ENABLE_TORCH:-}" ] && cmake_args+=(-DMAV_ENABLE_TORCH="$MAV_ENABLE_TORCH")
cmake -S "$root" -B "$build" "${cmake_args[@]}" > /dev/null
cmake --build "$build"
