#!/usr/bin/env bash
# build.sh - build mav's partial plotly.js bundle (core + scatter + scattergl).
#
#   ./build.sh [OUTFILE]     default OUTFILE: dist/plotly-mav.min.js
#
# Needs node >= 18 and npm, and the npm registry. Installs exactly the
# versions in package-lock.json (npm ci), without their install scripts (none
# is needed: esbuild's native binary comes in its @esbuild/linux-x64
# optional dependency) and without peer dependencies (webpack & co. are only
# peers of plotly.js's css-loader/style-loader, which the bundle does not use).
# If plotly-mav.min.js.sha256 sits next to this script, the output is checked
# against it, so a set-up script fails loudly if the bytes ever drift.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
out=${1:-dist/plotly-mav.min.js}

npm ci --ignore-scripts --omit=peer --no-audit --no-fund --loglevel=error
mkdir -p "$(dirname "$out")"
node build.js "$out"

if [[ -f plotly-mav.min.js.sha256 ]]; then
  want=$(cut -d' ' -f1 plotly-mav.min.js.sha256)
  got=$(sha256sum "$out" | cut -d' ' -f1)
  if [[ "$want" != "$got" ]]; then
    echo "build.sh: $out has sha256 $got, expected $want" >&2
    exit 1
  fi
  echo "build.sh: sha256 matches ($got)"
fi
