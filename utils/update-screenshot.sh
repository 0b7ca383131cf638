#!/usr/bin/env bash
# Regenerates docs/images/resnet18.png, the README's picture: runs the main
# job (utils/demo) and screenshots its page in headless chromium.
# Usage: utils/update-screenshot.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
"$root/utils/demo" "$build"
mkdir -p "$root/docs/images"
node "$root/utils/screenshot.js" "$build/demo/resnet18.html" \
  "$root/docs/images/resnet18.png"
echo "updated docs/images/resnet18.png"
