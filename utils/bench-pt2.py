#!/usr/bin/env python3
"""bench-pt2.py - how long mav-trace takes to read a .pt2, against torch.export.load.

Usage (with utils/setup.sh's venv): $build/venv/bin/python utils/bench-pt2.py
           MAV_TRACE WORKDIR [ARCHIVE...]

Exports, once, into WORKDIR two archives of the same graph (four Linear
layers) with 1 MB and with 1 GB of weights, the same two in the layout
before PyTorch 2.8 with the last layer's weight tied to the first (mav reads
their pickled state dict to find that), then times, for each of them and
for every ARCHIVE given (e.g. the torchvision models of
pt2-torchvision.test), the median of 11 runs of

  mav-trace ARCHIVE -o /dev/null        (a process, start-up included)
  torch.export.load(ARCHIVE)            (in this process, what Model
                                         Explorer's PyTorch adapter does)

and prints one Markdown table row per archive for docs/Performance.md.
"""

import importlib.util
import os
import statistics
import subprocess
import sys
import time


def export_linear_stack(path, width):
    import torch
    layers = torch.nn.Sequential(*[torch.nn.Linear(width, width, bias=False)
                                   for _ in range(4)])
    ep = torch.export.export(layers.eval(), (torch.randn(1, width),))
    torch.export.save(ep, path)


def export_legacy_tied_stack(path, width):
    import torch
    spec = importlib.util.spec_from_file_location(
        "gen_export_models",
        os.path.join(os.path.dirname(os.path.abspath(__file__)),
                     "gen-export-models.py"))
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    layers = torch.nn.Sequential(*[torch.nn.Linear(width, width, bias=False)
                                   for _ in range(4)])
    layers[3].weight = layers[0].weight
    gen.save_legacy(layers, (torch.randn(1, width),), path)


def median_seconds(run, repeat=11):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    mav_trace, workdir, archives = argv[1], argv[2], argv[3:]
    import torch
    os.makedirs(workdir, exist_ok=True)
    made = []
    for label, width, make in (
            ("weights-1MB", 256, export_linear_stack),
            ("weights-1GB", 8192, export_linear_stack),
            ("legacy-tied-1MB", 256, export_legacy_tied_stack),
            ("legacy-tied-1GB", 9459, export_legacy_tied_stack)):
        path = os.path.join(workdir, label + ".pt2")
        if not os.path.exists(path):
            make(path, width)
        made.append(path)
    print("| archive | size | mav-trace | torch.export.load |")
    print("|---|---|---|---|")
    for path in made + archives:
        mav = median_seconds(lambda: subprocess.run(
            [mav_trace, path, "-o", os.devnull], check=True))
        try:
            torch_load = "%.3f s" % median_seconds(
                lambda: torch.export.load(path), 5)
        except Exception as error:  # a layout this torch no longer loads
            torch_load = "fails (%s)" % type(error).__name__
        print("| %s | %.1f MB | %.3f s | %s |" % (
            os.path.basename(path), os.path.getsize(path) / 1e6, mav,
            torch_load))


if __name__ == "__main__":
    main(sys.argv)
