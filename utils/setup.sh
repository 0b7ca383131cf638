#!/usr/bin/env bash
# Installs what mav needs on Debian 12 (only what is missing), then configures
# and builds it. Idempotent: a second run installs nothing and rebuilds only
# what changed. Shared by utils/check (tests) and utils/demo (the main job).
#
# Usage: utils/setup.sh [BUILD_DIR]          (default: build)
# Environment: MAV_SANITIZE=1 builds with ASan+UBSan; MAV_ENABLE_TORCH=OFF
# skips the libtorch frontend; MAV_TORCH2=0 skips the PyTorch 2.x venv.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

packages=(
  build-essential cmake ninja-build git
  libfmt-dev libcli11-dev libyaml-cpp-dev nlohmann-json3-dev libzip-dev pkg-config
  libgtest-dev googletest
  llvm-14-tools
  time python3-matplotlib python3-venv
  libtorch-dev python3-torch python3-torchvision python3-plotly
  python3-torchaudio python3-torchtext
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

# PyTorch 2.x for the torch.export tests (`REQUIRES: torch2`), with
# transformers and timm (their models are built from configs with random
# weights), in a venv in the build tree: Debian's python3-torch (1.13) stays
# for TorchScript. The torch wheels are CUDA builds (5.5 GB installed;
# measured here: 2 min 45 s for torch+torchvision, 46 s more for
# transformers+timm) that run on the CPU. Installed once, then reused: a
# venv that already has these versions is left alone.
torch2_pins=(torch==2.14.1 torchvision==0.29.1 transformers==5.25.0 timm==1.0.31)
venv="$build/venv"
if [ "${MAV_TORCH2:-1}" != 0 ]; then
  if ! "$venv/bin/python" - "${torch2_pins[@]}" 2> /dev/null <<'PY'
import sys
from importlib.metadata import version
sys.exit(any(version(p.split("==")[0]) != p.split("==")[1] for p in sys.argv[1:]))
PY
  then
    echo "setup: installing ${torch2_pins[*]} into $venv"
    mkdir -p "$build"
    [ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "${torch2_pins[@]}"
  fi
fi

# The notebook package (pyproject.toml) into the same venv, as a user
# installs it (`pip install ./`), with what its tests use: pytest, Jupyter's
# nbclient/nbconvert/ipykernel, the front ends its outputs are checked in
# (JupyterLab 4, Notebook 7, and nbclassic, the Notebook 6 front end; lit's
# `jupyter_frontends`), and IDLMAV for the side-by-side benchmark
# (utils/bench-notebook.py). Reinstalled when a C++ or Python source is newer
# than the last install; scikit-build-core keeps its CMake tree in
# build/python, so a reinstall rebuilds only what changed.
notebook_pins=(scikit-build-core==1.1.2 pybind11==3.1.0 pytest==9.2.0
               nbclient==0.11.0 nbconvert==7.17.2 nbformat==5.11.1
               ipykernel==7.4.0 jupyterlab==4.6.6 notebook==7.6.5
               nbclassic==1.3.3 idlmav==1.1.0)
if [ "${MAV_TORCH2:-1}" != 0 ]; then
  if ! "$venv/bin/python" - "${notebook_pins[@]}" 2> /dev/null <<'PY'
import sys
from importlib.metadata import version
sys.exit(any(version(p.split("==")[0]) != p.split("==")[1] for p in sys.argv[1:]))
PY
  then
    echo "setup: installing ${notebook_pins[*]} into $venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "${notebook_pins[@]}"
  fi
  stamp="$venv/.mav-package-installed"
  if [ ! -f "$stamp" ] || [ -n "$(find "$root/pyproject.toml" \
       "$root/CMakeLists.txt" "$root/lib" "$root/include" \
       "$root/utils/plotly-bundle/dist" -newer "$stamp" -print -quit)" ]; then
    echo "setup: installing the mav package into $venv (pip install ./)"
    "$venv/bin/pip" install -q --disable-pip-version-check \
      --no-build-isolation --no-deps "$root"
    touch "$stamp"
  fi
fi

cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=Release)
[ "${MAV_SANITIZE:-0}" = 1 ] && cmake_args+=(-DMAV_ENABLE_SANITIZERS=ON)
[ -n "${MAV_ENABLE_TORCH:-}" ] && cmake_args+=(-DMAV_ENABLE_TORCH="$MAV_ENABLE_TORCH")
cmake -S "$root" -B "$build" "${cmake_args[@]}" > /dev/null
cmake --build "$build"
