#!/bin/sh
# Times the layout pass on synthetic graphs from utils/gen-graph.py.
#
#   utils/bench-layout.sh [BUILD_DIR] [SIZES...]
#
# BUILD_DIR defaults to ./build (use a Release build); SIZES default to
# "10000 100000 1000000". For each shape and size it prints the layout pass's
# own time from `mav-opt --timing` (without the verifier, which
# `--verify-each=0` leaves out) and the peak memory of the whole run.
set -eu
build=${1:-build}
shift 2>/dev/null || true
sizes=${*:-10000 100000 1000000}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
printf '%-12s %9s %12s %12s %10s\n' shape nodes layout_s total_s peak_MB
for shape in chain resnet hrnet densenet transformer random; do
  for n in $sizes; do
    width=""
    [ "$shape" = hrnet ] && width="--width 10"
    python3 "$here/gen-graph.py" "$shape" --nodes "$n" --seed 1 $width \
      > "$tmp/g.mav"
    /usr/bin/time -f '%M' -o "$tmp/mem" "$build/bin/mav-opt" "$tmp/g.mav" \
      --layout --timing --verify-each=0 -o /dev/null 2> "$tmp/timing"
    layout=$(awk '$NF == "layout" { print $1 }' "$tmp/timing")
    total=$(awk '$NF == "Total" && $1 ~ /^[0-9.]+$/ { print $1 }' "$tmp/timing" | tail -1)
    mem=$(awk '{ printf "%.0f", $1 / 1024 }' "$tmp/mem")
    printf '%-12s %9s %12s %12s %10s\n' "$shape" "$n" "$layout" "$total" "$mem"
  done
done
