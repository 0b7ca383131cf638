#!/usr/bin/env bash
# Regenerates the golden outputs that are generated from the pass registry:
# docs/Passes.md and the --help / --list-passes goldens of test/mav-opt; and
# the op list of docs/Costs.md, generated from lib/Transforms/CostOps.def.
# Usage: utils/update-golden.sh [BUILD_DIR]   (default: build)
# Review the diff before committing: a golden test exists so that changes to
# the command line are seen.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
opt=$build/bin/mav-opt
"$opt" --list-passes=markdown > "$root/docs/Passes.md"
"$opt" --help > "$root/test/mav-opt/Inputs/mav-opt-help.txt"
"$opt" --list-passes > "$root/test/mav-opt/Inputs/mav-opt-list-passes.txt"
if [ -x "$build/bin/mav-render" ]; then
  "$build/bin/mav-render" --help > "$root/test/Render/Inputs/mav-render-help.txt"
fi
python3 "$root/utils/gen-cost-docs.py"
echo "updated docs/Passes.md, docs/Costs.md and the help goldens; review with git diff"
