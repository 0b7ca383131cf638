#!/bin/sh
# Times the group pass on synthetic graphs from utils/gen-graph.py with the
# attributes mav-trace writes (module paths: one group per block).
#
#   utils/bench-group.sh [BUILD_DIR] [SIZES...]
#
# BUILD_DIR defaults to ./build (use a Release build); SIZES default to
# "1000 10000 100000". For each shape and size it prints the group pass's own
# time from `mav-opt --timing` (after the cost pass, whose totals it sums;
# the verifier left out with `--verify-each=0`), the groups and folds it
# found (`--pass-statistics`) and the peak memory of the whole run. The time
# per node stays flat when the pass is linear.
set -eu
build=${1:-build}
shift 2>/dev/null || true
sizes=${*:-1000 10000 100000}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
printf '%-12s %9s %10s %12s %8s %6s %10s\n' shape nodes group_s us_per_node \
  groups folds peak_MB
for shape in resnet transformer; do
  for n in $sizes; do
    python3 "$here/gen-graph.py" "$shape" --nodes "$n" --seed 1 --attrs model \
      > "$tmp/g.mav"
    /usr/bin/time -f '%M' -o "$tmp/mem" "$build/bin/mav-opt" "$tmp/g.mav" \
      --cost --group --timing --pass-statistics --verify-each=0 \
      -o /dev/null 2> "$tmp/timing"
    group=$(awk '$NF == "group" && $1 ~ /^[0-9.]+$/ { print $1 }' "$tmp/timing")
    groups=$(awk '$3 == "groups" { print $2 }' "$tmp/timing" | head -1)
    folds=$(awk '$3 == "folds" { print $2 }' "$tmp/timing" | head -1)
    per=$(awk -v t="$group" -v n="$n" 'BEGIN { printf "%.2f", t * 1e6 / n }')
    mem=$(awk '{ printf "%.0f", $1 / 1024 }' "$tmp/mem")
    printf '%-12s %9s %10s %12s %8s %6s %10s\n' "$shape" "$n" "$group" "$per" \
      "$groups" "$folds" "$mem"
  done
done
