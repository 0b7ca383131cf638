#!/usr/bin/python3
"""bench-trace.py - how much slower mav-trace is than a plain forward pass.

Usage: /usr/bin/python3 utils/bench-trace.py [--mav-trace PATH] [--models
       resnet18,convnext_small,vit_b_16] [--runs N] [--threads N]
       [--model-dir DIR]

For each torchvision model (weights=None, scripted into --model-dir the first
time, default /tmp/mav-bench-models) and a 1x3x224x224 input, measures:

  forward      torch.jit.load(...).forward on the same input, in this Python
               process, under torch.no_grad(): median of --runs warm calls
               (after two warm-up calls, so TorchScript's profiling executor
               has optimised the graph), and the first call on its own.
  trace run    mav-trace's own time for running the forward op by op and
               recording the graph ("run" in its -v summary), median.
  trace wall   the whole mav-trace process (libtorch start-up, model load,
               run, printing the IR to /dev/null), median.
  shapes wall  the same with --shapes-only.

and prints one table of medians. `ratio` is trace run / warm forward: the
cost of interpreting and recording, which mav aims to keep under 1.3x.

Both sides use the same number of intra-op threads (--threads, default 1:
on a busy machine OpenMP threads waiting on each other make every number
noisy; pass 0 to leave libtorch's default). Runs of the two sides are
interleaved so that a change in machine load affects both.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import torch

SUMMARY_RE = re.compile(
    r"mav-trace: \d+ nodes in ([0-9.]+) s \(load ([0-9.]+) s, run ([0-9.]+) s")


def ensure_model(name, model_dir):
    """The scripted model file, made (once) from torchvision."""
    path = os.path.join(model_dir, f"{name}.script.pt")
    if not os.path.exists(path):
        import torchvision
        os.makedirs(model_dir, exist_ok=True)
        torch.manual_seed(0)
        model = getattr(torchvision.models, name)(weights=None).eval()
        tmp = path + ".tmp"
        torch.jit.script(model).save(tmp)
        os.replace(tmp, path)
    return path


def time_forward(module, example):
    start = time.perf_counter()
    with torch.no_grad():
        module(example)
    return time.perf_counter() - start


def run_mav_trace(mav_trace, path, env, extra):
    command = [mav_trace, path, "--input", "1x3x224x224", "-v", "-o",
               os.devnull] + extra
    start = time.perf_counter()
    result = subprocess.run(command, env=env, stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"error: {' '.join(command)} failed:\n{result.stderr}")
    match = SUMMARY_RE.search(result.stderr)
    if not match:
        sys.exit(f"error: no summary in mav-trace's output:\n{result.stderr}")
    return wall, float(match.group(3))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mav-trace", default=shutil.which("mav-trace"),
                        help="mav-trace binary (default: from PATH)")
    parser.add_argument("--models", default="resnet18,convnext_small,vit_b_16")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--model-dir", default="/tmp/mav-bench-models")
    args = parser.parse_args()
    if not args.mav_trace:
        sys.exit("error: mav-trace not found; pass --mav-trace PATH")

    env = dict(os.environ)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
        env["OMP_NUM_THREADS"] = str(args.threads)
    rows = []
    for name in args.models.split(","):
        path = ensure_model(name, args.model_dir)
        module = torch.jit.load(path).eval()
        torch.manual_seed(0)
        example = torch.randn(1, 3, 224, 224)
        first = time_forward(module, example)
        time_forward(module, example)
        forward, run, wall, shapes = [], [], [], []
        for _ in range(args.runs):
            forward.append(time_forward(module, example))
            w, r = run_mav_trace(args.mav_trace, path, env, [])
            wall.append(w)
            run.append(r)
            shapes.append(run_mav_trace(args.mav_trace, path, env,
                                        ["--shapes-only"])[0])
        row = {
            "model": name,
            "forward": statistics.median(forward),
            "first": first,
            "run": statistics.median(run),
            "wall": statistics.median(wall),
            "shapes": statistics.median(shapes),
        }
        row["ratio"] = row["run"] / row["forward"]
        rows.append(row)
        del module

    threads = args.threads if args.threads > 0 else torch.get_num_threads()
    print(f"# {args.runs} runs, {threads} thread(s), medians in seconds; "
          f"torch {torch.__version__}")
    header = ("model", "forward", "1st fwd", "trace run", "ratio",
              "trace wall", "shapes wall")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print(f"| {r['model']} | {r['forward']:.3f} | {r['first']:.3f} | "
              f"{r['run']:.3f} | {r['ratio']:.2f}x | {r['wall']:.3f} | "
              f"{r['shapes']:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
