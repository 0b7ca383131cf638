#!/usr/bin/env bash
# Regenerates the pictures of the docs from the main job (utils/demo,
# torchvision's resnet18):
#   docs/images/resnet18.png        the page as it opens (README)
#   docs/images/resnet18-flops.png  coloured by FLOPS, `layer3` searched
#                                   (docs/Rendering.md)
#   docs/images/resnet18.svg        `mav-render --svg` (docs/Rendering.md)
# Usage: utils/update-screenshot.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
"$root/utils/demo" "$build"
images=$root/docs/images
mkdir -p "$images"
page=$build/demo/resnet18.html
node "$root/utils/screenshot.js" "$page" "$images/resnet18.png"
node "$root/utils/screenshot.js" "$page" "$images/resnet18-flops.png" \
  --menu 2 --search layer3
"$build/bin/mav-trace" "$build/demo/resnet18.pt" --input 1x3x224x224 --seed 0 |
  "$build/bin/mav-opt" --merge=0.01 |
  "$build/bin/mav-render" --svg -o "$images/resnet18.svg"
echo "updated docs/images/resnet18.png, resnet18-flops.png and resnet18.svg"
