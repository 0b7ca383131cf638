#!/usr/bin/env bash
# Builds mav's libFuzzer harnesses (test/fuzz) with clang-14, ASan and UBSan
# in build-fuzz, and runs one of them for a given time on its seed corpus.
#
# Usage: utils/fuzz.sh TARGET SECONDS [LIBFUZZER_FLAGS...]
#   TARGET: ir | pipeline | input-spec | passes | export-json | state-dict
#   (or the full
#   mav-fuzz-* name)
# Environment: MAV_FUZZ_BUILD (default build-fuzz), MAV_FUZZ_JOBS (default 2).
#
# The corpus grows in build-fuzz/test/fuzz/corpus/<corpus>; crashes land in
# build-fuzz/test/fuzz/artifacts/<target>/ and should be minimised
# (`-minimize_crash=1`), fixed, and committed to test/fuzz/regressions/,
# which test/IR/fuzz-regressions.test replays through mav-opt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 2 ]; then
  sed -n '2,/^set -e/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
target=${1#mav-fuzz-}
seconds=$2
shift 2
case "$target" in
  ir|passes) corpus=ir ;;
  pipeline) corpus=pipeline ;;
  input-spec) corpus=input-spec ;;
  export-json) corpus=export-json ;;
  state-dict) corpus=state-dict ;;
  *) echo "fuzz.sh: unknown target '$target' (ir, pipeline, input-spec, passes, export-json, state-dict)" >&2
     exit 2 ;;
esac
build=${MAV_FUZZ_BUILD:-$root/build-fuzz}

# Two fuzz.sh runs may start together: one builds at a time.
mkdir -p "$build"
(
  flock 9
  if [ ! -f "$build/build.ninja" ]; then
    CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAV_ENABLE_TORCH=OFF \
      -DMAV_ENABLE_SANITIZERS=ON -DMAV_ENABLE_FUZZERS=ON > /dev/null
  fi
  ninja -C "$build" -j "${MAV_FUZZ_JOBS:-2}" "mav-fuzz-$target" mav-fuzz-corpus
) 9> "$build/.fuzz-build.lock"

fuzz_dir=$build/test/fuzz
artifacts=$fuzz_dir/artifacts/$target
mkdir -p "$artifacts" "$fuzz_dir/corpus/$corpus-$target"
# Each target keeps its own working corpus (seeded from the shared one) so
# two targets fuzzing the IR at the same time do not race on one directory.
cp -n "$fuzz_dir/corpus/$corpus"/* "$fuzz_dir/corpus/$corpus-$target/"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec "$fuzz_dir/mav-fuzz-$target" -max_total_time="$seconds" \
  -artifact_prefix="$artifacts/" -print_final_stats=1 -timeout=10 \
  -rss_limit_mb=2048 "$@" "$fuzz_dir/corpus/$corpus-$target"
