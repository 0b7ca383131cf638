"""Traces every TorchScript test model (reference.json of
utils/gen-test-models.py) with mav-trace's default mode and with
--mode=real, and prints one line per model file:

    same resnet18.script.pt: shapes-only sufficed (no op needed values)

or `DIFFERENT ...` when the two IRs differ in any byte. The second part is
what `-v` says the default mode did.

Usage: compare-modes.py REFERENCE.json MODELS_DIR
"""
import json
import os
import subprocess
import sys


def trace(path, inputs, *flags):
    args = ["mav-trace", path] + [a for i in inputs for a in ("--input", i)]
    result = subprocess.run(args + list(flags), capture_output=True)
    return result.stdout, result.stderr.decode("utf-8", "replace")


def main(reference_path, models_dir):
    with open(reference_path) as f:
        reference = json.load(f)
    for name in sorted(reference):
        entry = reference[name]
        for file in entry["files"]:
            path = os.path.join(models_dir, file)
            default, log = trace(path, entry["inputs"], "-v")
            real, _ = trace(path, entry["inputs"], "--mode=real")
            how = next((line[len("mav-trace: "):] for line in log.splitlines()
                        if line.startswith(("mav-trace: shapes-only",
                                            "mav-trace: ran for real"))),
                       "?")
            verdict = "same" if default == real and default else "DIFFERENT"
            print(f"{verdict} {file}: {how}")


if __name__ == "__main__":
    main(*sys.argv[1:])
