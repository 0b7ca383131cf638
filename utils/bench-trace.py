#!/usr/bin/python3
"""bench-trace.py - how much slower mav-trace is than a plain forward pass.

Usage: /usr/bin/python3 utils/bench-trace.py [--mav-trace PATH] [--models
       resnet18,convnext_small,vit_b_16] [--runs N] [--threads N]
       [--model-dir DIR]

For each torchvision model (weights=None, scripted into --model-dir the first
time, default /tmp/mav-bench-models) and a 1x3x224x224 input, measures, --runs
times and interleaved so that a change in machine load affects every column:

  fwd 1st      in a fresh Python process: torch.jit.load(...) then the first
               forward under torch.no_grad(), which pays libtorch's lazy
               set-up (oneDNN creates a primitive per convolution shape, the
               allocator grows, the profiling executor records).
  fwd warm     in the same process, the median of 5 calls after two more
               (by then TorchScript's profiling executor has optimised the
               graph, every kernel exists and the allocator has settled: the
               second call is still slower than the later ones).
  trace 1st    mav-trace's own time (--mode=real) for running the forward op by op and
               recording the graph ("run" in its -v summary): its one forward
               in a fresh process, comparable to fwd 1st.
  trace warm   the same with --warm-up=3: the fourth run in the process, after
               three discarded ones, comparable to fwd warm.
  load         in the fresh Python process: torch.jit.load(...) alone.
  real wall    the whole mav-trace process with --mode=real (libtorch
               start-up, model load, run, printing the IR to /dev/null).
  shapes wall  the same with --shapes-only.
  default wall the same in the default mode (--mode=auto: shapes-only, and a
               real run only when an op needed values).

and prints one table of medians over the runs. `ratio` columns are trace /
fwd: the cost of interpreting and recording, which mav aims to keep under 1.3x.
The load average (os.getloadavg) before and after is printed with the table.

Both sides use the same number of intra-op threads (--threads, default 1:
on a busy machine OpenMP threads waiting on each other make every number
noisy; pass 0 to leave libtorch's default).
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

SUMMARY_RE = re.compile(
    r"mav-trace: \d+ nodes in ([0-9.]+) s \(load ([0-9.]+) s, run ([0-9.]+) s")
WARM_UP_RE = re.compile(r"mav-trace: warm-up run ([0-9.]+) s")
WARM_CALLS = 5


def ensure_model(name, model_dir):
    """The scripted model file, made (once) from torchvision."""
    path = os.path.join(model_dir, f"{name}.script.pt")
    if not os.path.exists(path):
        import torch
        import torchvision
        os.makedirs(model_dir, exist_ok=True)
        torch.manual_seed(0)
        model = getattr(torchvision.models, name)(weights=None).eval()
        tmp = path + ".tmp"
        torch.jit.script(model).save(tmp)
        os.replace(tmp, path)
    return path


def forward_child(path, threads):
    """Runs in a fresh process: times the first and the warm forwards."""
    import torch
    if threads > 0:
        torch.set_num_threads(threads)
    start = time.perf_counter()
    module = torch.jit.load(path).eval()
    load = time.perf_counter() - start
    torch.manual_seed(0)
    example = torch.randn(1, 3, 224, 224)

    def timed():
        start = time.perf_counter()
        with torch.no_grad():
            module(example)
        return time.perf_counter() - start

    first = timed()
    timed()
    timed()
    warm = statistics.median(timed() for _ in range(WARM_CALLS))
    print(json.dumps({"first": first, "warm": warm, "load": load}))


def run_forward(path, env, threads):
    command = [sys.executable, os.path.abspath(__file__), "--forward-child",
               path, "--threads", str(threads)]
    result = subprocess.run(command, env=env, stdout=subprocess.PIPE,
                            text=True)
    if result.returncode != 0:
        sys.exit(f"error: {' '.join(command)} failed")
    times = json.loads(result.stdout)
    return times["first"], times["warm"], times["load"]


def run_mav_trace(mav_trace, path, env, extra):
    """(wall, run, warm-up run or None) of one mav-trace process."""
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
    warm_up = WARM_UP_RE.search(result.stderr)
    return (wall, float(match.group(3)),
            float(warm_up.group(1)) if warm_up else None)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mav-trace", default=shutil.which("mav-trace"),
                        help="mav-trace binary (default: from PATH)")
    parser.add_argument("--models", default="resnet18,convnext_small,vit_b_16")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--model-dir", default="/tmp/mav-bench-models")
    parser.add_argument("--forward-child", metavar="MODEL",
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.forward_child:
        forward_child(args.forward_child, args.threads)
        return 0
    if not args.mav_trace:
        sys.exit("error: mav-trace not found; pass --mav-trace PATH")

    env = dict(os.environ)
    if args.threads > 0:
        env["OMP_NUM_THREADS"] = str(args.threads)
    load_before = os.getloadavg()
    rows = []
    for name in args.models.split(","):
        path = ensure_model(name, args.model_dir)
        columns = {key: [] for key in ("fwd_first", "fwd_warm", "load",
                                       "trace_first", "trace_warm", "wall",
                                       "shapes", "default")}
        for _ in range(args.runs):
            first, warm, load = run_forward(path, env, args.threads)
            columns["fwd_first"].append(first)
            columns["fwd_warm"].append(warm)
            columns["load"].append(load)
            wall, run, _ = run_mav_trace(args.mav_trace, path, env,
                                         ["--mode=real"])
            columns["wall"].append(wall)
            columns["trace_first"].append(run)
            _, run, _ = run_mav_trace(args.mav_trace, path, env,
                                      ["--mode=real", "--warm-up=3"])
            columns["trace_warm"].append(run)
            columns["shapes"].append(run_mav_trace(
                args.mav_trace, path, env, ["--shapes-only"])[0])
            columns["default"].append(run_mav_trace(
                args.mav_trace, path, env, [])[0])
        row = {key: statistics.median(values)
               for key, values in columns.items()}
        row["model"] = name
        rows.append(row)
    load_after = os.getloadavg()

    import torch
    threads = args.threads if args.threads > 0 else torch.get_num_threads()
    load = lambda avg: " ".join(f"{x:.2f}" for x in avg)
    print(f"# {args.runs} runs, {threads} thread(s), medians in seconds; "
          f"torch {torch.__version__}; load average {load(load_before)} "
          f"before, {load(load_after)} after")
    header = ("model", "fwd 1st", "trace 1st", "ratio 1st", "fwd warm",
              "trace warm", "ratio warm", "load", "real wall", "shapes wall",
              "default wall")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print(f"| {r['model']} | {r['fwd_first']:.3f} | "
              f"{r['trace_first']:.3f} | "
              f"{r['trace_first'] / r['fwd_first']:.2f}x | "
              f"{r['fwd_warm']:.3f} | {r['trace_warm']:.3f} | "
              f"{r['trace_warm'] / r['fwd_warm']:.2f}x | {r['load']:.3f} | "
              f"{r['wall']:.3f} | {r['shapes']:.3f} | {r['default']:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
