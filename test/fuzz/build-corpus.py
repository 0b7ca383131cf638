#!/usr/bin/env python3
"""Builds the seed corpora of mav's libFuzzer harnesses from the lit tests.

Usage: build-corpus.py SOURCE_ROOT OUTPUT_DIR

OUTPUT_DIR/ir        every graph of test/**/*.mav (one file per
                     `// -----` chunk) and examples/*.mav: for mav-fuzz-ir
                     and mav-fuzz-passes
OUTPUT_DIR/pipeline  every --pass-pipeline string of the tests, and each
                     registered pass name: for mav-fuzz-pipeline
OUTPUT_DIR/input-spec  every --input value of test/mav-trace: for
                     mav-fuzz-input-spec
OUTPUT_DIR/export-json  the JSON entries of every committed .pt2 archive
                     (test/mav-trace/Inputs/pt2): for mav-fuzz-export-json

File names are content hashes, so rebuilding is idempotent and libFuzzer's
own additions to the directories are kept.
"""

import hashlib
import io
import os
import re
import sys
import zipfile


def add(directory, text):
    data = text if isinstance(text, bytes) else \
        text.encode("utf-8", "surrogateescape")
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def test_files(root, suffixes):
    for base in ("test", "examples"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, base)):
            dirnames[:] = sorted(d for d in dirnames
                                 if d not in ("fuzz", "browser"))
            for filename in sorted(filenames):
                if filename.endswith(suffixes):
                    yield os.path.join(dirpath, filename)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    root, out = sys.argv[1], sys.argv[2]
    dirs = {k: os.path.join(out, k)
            for k in ("ir", "pipeline", "input-spec", "export-json",
                      "state-dict")}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)

    counts = dict.fromkeys(dirs, 0)
    pipeline_re = re.compile(r"--pass-pipeline=(?:'([^']*)'|(\S+))")
    input_re = re.compile(r"--input[= ]([^\s'\"|]+)")
    for path in test_files(root, (".mav", ".test")):
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
        if path.endswith(".mav"):
            for chunk in re.split(r"^// -----.*$", text, flags=re.M):
                if "graph" in chunk:
                    add(dirs["ir"], chunk)
                    counts["ir"] += 1
        for m in pipeline_re.finditer(text):
            add(dirs["pipeline"], m.group(1) or m.group(2))
            counts["pipeline"] += 1
        if os.sep + "mav-trace" + os.sep in path:
            for m in input_re.finditer(text):
                add(dirs["input-spec"], m.group(1))
                counts["input-spec"] += 1
    # The program JSON of each committed torch.export archive.
    pt2_dir = os.path.join(root, "test", "mav-trace", "Inputs", "pt2")
    for filename in sorted(os.listdir(pt2_dir)) if os.path.isdir(pt2_dir) \
            else []:
        with zipfile.ZipFile(os.path.join(pt2_dir, filename)) as archive:
            for name in archive.namelist():
                if ("/models/" in name and name.endswith(".json")) or \
                        name.endswith("serialized_exported_program.json"):
                    add(dirs["export-json"],
                        archive.read(name).decode("utf-8"))
                    counts["export-json"] += 1
                if name.endswith("serialized_state_dict.pt"):
                    with zipfile.ZipFile(
                            io.BytesIO(archive.read(name))) as state_dict:
                        for inner in state_dict.namelist():
                            if inner.endswith("/data.pkl"):
                                add(dirs["state-dict"], state_dict.read(inner))
                                counts["state-dict"] += 1
    # Each pass alone, and the default pipeline of mav-opt.
    for name in ("cost", "merge", "layout", "color",
                 "cost,merge{threshold=0.01},layout{direction=down},color"):
        add(dirs["pipeline"], name)
    for spec in ("1x3x224x224", "1x128:i64:0..30522", "2x8:f16:-1..1",
                 "0", "1x3:bool"):
        add(dirs["input-spec"], spec)
    print("corpus: %s" % ", ".join("%s %d" % kv for kv in counts.items()))


if __name__ == "__main__":
    main()
