#!/usr/bin/env python3
"""Replays the committed fuzzer findings through the mav tools.

Usage: replay.py REGRESSIONS_DIR

REGRESSIONS_DIR/ir/*          IR files: `mav-opt --verify-roundtrip` with the
                              default pipeline (cost, merge, layout, color)
REGRESSIONS_DIR/pipeline/*    pipeline strings: `mav-opt --pass-pipeline=TEXT`
                              on a small valid graph
REGRESSIONS_DIR/input-spec/*  --input values: `mav-trace --input=TEXT`
                              (skipped when mav-trace is not on PATH)

Each run must end with exit code 0, or 1 with a diagnostic; a crash, a
sanitizer report, a hang (30 s) or exit code 1 without an `error:` line is a
failure. Prints one line per input and a summary; exits 1 on any failure.
"""

import os
import re
import shutil
import subprocess
import sys

SMALL_GRAPH = b"""graph @g {
  %x = node "input"() : f32[1,4]
  %y = node "relu()"(%x) : f32[1,4]
  %o = node "output"(%y) : ()
}
"""
SANITIZER = re.compile(rb"Sanitizer|runtime error:|^==\d+==", re.M)
DIAGNOSTIC = re.compile(rb"(^|: )error: ", re.M)


def check(name, command, stdin):
    try:
        proc = subprocess.run(command, input=stdin, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=30)
    except subprocess.TimeoutExpired:
        return "%s: FAIL: timed out" % name
    stderr = proc.stderr
    if SANITIZER.search(stderr):
        return "%s: FAIL: sanitizer report\n%s" % (
            name, stderr.decode("utf-8", "replace"))
    if proc.returncode == 0:
        return None
    if proc.returncode == 1 and DIAGNOSTIC.search(stderr):
        return None
    return "%s: FAIL: exit code %d\n%s" % (
        name, proc.returncode, stderr.decode("utf-8", "replace"))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    have_trace = shutil.which("mav-trace") is not None
    failures = []
    counts = {}
    for kind in ("ir", "pipeline", "input-spec"):
        directory = os.path.join(root, kind)
        if not os.path.isdir(directory):
            continue
        for filename in sorted(os.listdir(directory)):
            path = os.path.join(directory, filename)
            with open(path, "rb") as f:
                data = f.read()
            name = "%s/%s" % (kind, filename)
            if kind == "ir":
                result = check(name, ["mav-opt", "--verify-roundtrip",
                                      "--cost", "--merge=0.01", "--layout",
                                      "--color", path], None)
            elif kind == "pipeline":
                if b"\0" in data:  # not expressible as an argument
                    continue
                result = check(name, ["mav-opt", b"--pass-pipeline=" + data,
                                      "-"], SMALL_GRAPH)
            else:
                if not have_trace or b"\0" in data:
                    continue
                result = check(name, ["mav-trace", "/nonexistent.pt",
                                      b"--input=" + data], None)
            counts[kind] = counts.get(kind, 0) + 1
            if result:
                failures.append(result)
            print("%s: %s" % (name, "FAIL" if result else "ok"))
    for failure in failures:
        print(failure, file=sys.stderr)
    print("replayed %d inputs (%s), %d failed" % (
        sum(counts.values()),
        ", ".join("%s %d" % kv for kv in sorted(counts.items())),
        len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
