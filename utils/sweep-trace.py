#!/usr/bin/python3
"""sweep-trace.py - run mav-trace over torchvision, torchaudio and torchtext.

Usage: /usr/bin/python3 utils/sweep-trace.py [--models all|ci|NAME,...]
           [--bin DIR] [--work DIR] [--markdown FILE] [--no-page]

Builds each model offline from its constructor with random weights (no
download: `weights=None, weights_backbone=None`), scripts it with Debian's
python3-torch (1.13) (or, when torch.jit.script cannot compile it, traces it
on example inputs, as a user would), saves it, and runs the main job on it
as a user would:

    mav-trace MODEL.pt --input ... | mav-opt --merge=0.01 | mav-render --html

For each model it reports:
- traced: mav-trace exited 0 and no node failed;
- ops: `mav-trace --check-ops` finds every op of the model's code handled;
- exact: the IR's parameter total (`cost.total_params`) is the saved
  model's own (`parameters()`, which counts a tied weight once); where the
  eager model's differs, the table gives it too;
- page: the page renders in chromium with every node drawn and no console
  error (test/browser/renders.js);
- the model's node count, and the seconds mav-trace took (wall clock, with
  what its default mode did: `shapes` when the shapes-only run sufficed,
  `real` when it ran the model for real).

Prints one line per model as it goes, then a Markdown table (also written
to FILE with --markdown), and exits 1 if any model failed any check.

`--models all` (default) is the long suite: 106 torchvision models (every
classification, detection, segmentation, video and optical-flow model of
torchvision 0.14; not the quantized ones), 14 torchaudio 0.13 models
(wav2vec 2.0 and HuBERT, Conv-TasNet, HDemucs, Wav2Letter, DeepSpeech,
WaveRNN, Tacotron2, Conformer, Emformer RNN-T) and 4 torchtext encoders.
It takes about 16 minutes on two cores, most of it building, scripting and
saving the models. `--models ci` is the subset test/mav-trace/sweep.test
runs: 24 models, at least two of every family, about two minutes.
`--models a,b` picks models by name.

torchtext 0.14's C++ extension does not load with Debian's libtorch (its
module has no init function); the models are plain Python, so the
extension is replaced by stand-ins before torchtext is imported. The
tools are taken from --bin, else PATH, else build/bin.
"""

import argparse
import gc
import importlib.machinery
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import types
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def torchvision_model(module, name, **kwargs):
    def build():
        import torchvision.models as models
        builder = getattr(getattr(models, module) if module else models, name)
        return builder(weights=None, **kwargs)
    return build


def torchaudio_model(name, *args, **kwargs):
    def build():
        import torchaudio.models as models
        return getattr(models, name)(*args, **kwargs)
    return build


def import_torchtext():
    """torchtext with its C++ extension replaced by stand-ins: modules whose
    every attribute is an empty class (the tokenizers and vocabularies the
    encoders do not use)."""
    for name in ("torchtext._extension", "torchtext._torchtext"):
        if name not in sys.modules:
            stub = types.ModuleType(name)
            stub.__spec__ = importlib.machinery.ModuleSpec(name, None)
            stub.__getattr__ = lambda attr: type(attr, (), {})
            sys.modules[name] = stub
    import torchtext
    return torchtext


def roberta(**conf):
    def build():
        import_torchtext()
        from torchtext.models import RobertaEncoderConf, RobertaModel
        return RobertaModel(RobertaEncoderConf(**conf), freeze_encoder=False)
    return build


def t5(**conf):
    def build():
        import_torchtext()
        from torchtext.prototype.models import T5Conf, T5Model
        return T5Model(T5Conf(**conf))
    return build


IMAGE = ["1x3x224x224"]
DETECTION = ["[3x320x320]"]
CLIP = ["1x3x16x112x112"]
CLIP224 = ["1x3x16x224x224"]
WAVE = ["1x16000"]

CLASSIFICATION = [
    "alexnet", "convnext_base", "convnext_large", "convnext_small",
    "convnext_tiny", "densenet121", "densenet161", "densenet169",
    "densenet201", "efficientnet_b0", "efficientnet_b1", "efficientnet_b2",
    "efficientnet_b3", "efficientnet_b4", "efficientnet_b5",
    "efficientnet_b6", "efficientnet_b7", "efficientnet_v2_l",
    "efficientnet_v2_m", "efficientnet_v2_s", "googlenet", "inception_v3",
    "maxvit_t", "mnasnet0_5", "mnasnet0_75", "mnasnet1_0", "mnasnet1_3",
    "mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small",
    "regnet_x_16gf", "regnet_x_1_6gf", "regnet_x_32gf", "regnet_x_3_2gf",
    "regnet_x_400mf", "regnet_x_800mf", "regnet_x_8gf", "regnet_y_128gf",
    "regnet_y_16gf", "regnet_y_1_6gf", "regnet_y_32gf", "regnet_y_3_2gf",
    "regnet_y_400mf", "regnet_y_800mf", "regnet_y_8gf", "resnet101",
    "resnet152", "resnet18", "resnet34", "resnet50", "resnext101_32x8d",
    "resnext101_64x4d", "resnext50_32x4d", "shufflenet_v2_x0_5",
    "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0",
    "squeezenet1_0", "squeezenet1_1", "swin_b", "swin_s", "swin_t",
    "swin_v2_b", "swin_v2_s", "swin_v2_t", "vgg11", "vgg11_bn", "vgg13",
    "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn", "vit_b_16",
    "vit_b_32", "vit_h_14", "vit_l_16", "vit_l_32", "wide_resnet101_2",
    "wide_resnet50_2",
]


def classification(name):
    kwargs = {}
    if name in ("googlenet", "inception_v3"):
        # The auxiliary classifiers, which only run in training, are kept:
        # their parameters are the model's (drawn as not-run nodes). The
        # scipy-based weight initialisation is skipped (slow; weights do
        # not matter here).
        kwargs = {"aux_logits": True, "init_weights": False}
    side = 299 if name == "inception_v3" else 224
    return ("classification", name, torchvision_model(None, name, **kwargs),
            [f"1x3x{side}x{side}"])


DETECTION_MODELS = [
    "fasterrcnn_mobilenet_v3_large_320_fpn", "fasterrcnn_mobilenet_v3_large_fpn",
    "fasterrcnn_resnet50_fpn", "fasterrcnn_resnet50_fpn_v2",
    "fcos_resnet50_fpn", "keypointrcnn_resnet50_fpn", "maskrcnn_resnet50_fpn",
    "maskrcnn_resnet50_fpn_v2", "retinanet_resnet50_fpn",
    "retinanet_resnet50_fpn_v2", "ssd300_vgg16", "ssdlite320_mobilenet_v3_large",
]
SEGMENTATION_MODELS = [
    "deeplabv3_mobilenet_v3_large", "deeplabv3_resnet101",
    "deeplabv3_resnet50", "fcn_resnet101", "fcn_resnet50",
    "lraspp_mobilenet_v3_large",
]

# (family, name, build, mav-trace --input specs)
MODELS = (
    [classification(name) for name in CLASSIFICATION] +
    [("detection", name,
      torchvision_model("detection", name, weights_backbone=None), DETECTION)
     for name in DETECTION_MODELS] +
    [("segmentation", name,
      torchvision_model("segmentation", name, weights_backbone=None), IMAGE)
     for name in SEGMENTATION_MODELS] +
    [("video", name, torchvision_model("video", name), CLIP)
     for name in ("mc3_18", "r2plus1d_18", "r3d_18")] +
    [("video", name, torchvision_model("video", name), CLIP224)
     for name in ("mvit_v1_b", "mvit_v2_s", "s3d")] +
    [("flow", name, torchvision_model("optical_flow", name),
      ["1x3x128x128", "1x3x128x128"]) for name in ("raft_large", "raft_small")] +
    [("audio", name, torchaudio_model(name), WAVE) for name in (
        "wav2vec2_base", "wav2vec2_large", "wav2vec2_large_lv60k",
        "hubert_base", "hubert_large", "hubert_xlarge")] +
    [
        ("audio", "conv_tasnet_base", torchaudio_model("conv_tasnet_base"),
         ["1x1x16000"]),
        ("audio", "hdemucs_low", torchaudio_model("hdemucs_low", ["bass"]),
         ["1x2x16384"]),
        ("audio", "Wav2Letter", torchaudio_model("Wav2Letter"),
         ["1x1x16000"]),
        ("audio", "DeepSpeech", torchaudio_model("DeepSpeech", 128),
         ["1x1x100x128"]),
        ("audio", "WaveRNN",
         torchaudio_model("WaveRNN", [5, 5, 11], 256, 275, 128),
         ["1x1x1650", "1x1x128x10"]),
        ("audio", "Tacotron2", torchaudio_model("Tacotron2"),
         ["1x50:i64:0..148", "1:i64:50..51", "1x80x100", "1:i64:100..101"]),
        ("audio", "Conformer",
         torchaudio_model("Conformer", 80, 4, 256, 4, 31),
         ["1x100x80", "1:i64:100..101"]),
        ("audio", "emformer_rnnt_base",
         torchaudio_model("emformer_rnnt_base", 4097),
         ["1x128x80", "1:i64:128..129", "1x10:i64:0..4097",
          "1:i64:10..11"]),
    ] +
    [
        ("text", "roberta_base", roberta(), ["1x128:i64:0..50265"]),
        ("text", "xlmr_base", roberta(vocab_size=250002),
         ["1x128:i64:0..250002"]),
        ("text", "xlmr_large",
         roberta(vocab_size=250002, embedding_dim=1024, ffn_dimension=4096,
                 num_attention_heads=16, num_encoder_layers=24),
         ["1x128:i64:0..250002"]),
        ("text", "t5_base", t5(), ["1x64:i64:0..32128", "1x16:i64:0..32128"]),
    ]
)

# At least two models of every family, small ones: test/mav-trace/sweep.test.
CI_MODELS = [
    "resnet18", "mobilenet_v3_small", "squeezenet1_1", "shufflenet_v2_x0_5",
    "efficientnet_b0", "regnet_y_400mf", "swin_t", "maxvit_t", "vit_b_32",
    "googlenet",
    "fasterrcnn_mobilenet_v3_large_320_fpn", "ssdlite320_mobilenet_v3_large",
    "lraspp_mobilenet_v3_large", "deeplabv3_mobilenet_v3_large",
    "r3d_18", "mvit_v2_s",
    "raft_small", "raft_large",
    "wav2vec2_base", "conv_tasnet_base", "Conformer", "WaveRNN",
    "roberta_base", "t5_base",
]


def find_tool(bin_dir, name):
    """`name` in --bin, else on PATH, else in build/bin."""
    for path in (os.path.join(bin_dir, name) if bin_dir else None,
                 shutil.which(name), os.path.join(ROOT, "build", "bin", name)):
        if path and os.access(path, os.X_OK):
            return path
    sys.exit(f"sweep-trace.py: {name} not found (build mav, or --bin DIR)")


def example_inputs(specs):
    """Tensors for mav-trace `--input` specs (plain tensors only):
    `1x3x224x224`, `1x128:i64:0..50265`."""
    import torch
    tensors = []
    for spec in specs:
        dims, _, rest = spec.partition(":")
        shape = [int(d) for d in dims.split("x")]
        dtype, _, bounds = rest.partition(":")
        if dtype == "i64":
            low, high = (int(b) for b in bounds.split(".."))
            tensors.append(torch.randint(low, high, shape))
        else:
            tensors.append(torch.randn(shape))
    return tuple(tensors)


def build_and_save(build, inputs, path):
    """Builds the model and saves it to `path` as TorchScript: scripted, or
    traced on example inputs when torch.jit.script cannot compile it (as a
    user would). Returns the parameter totals (tied weights once) of the
    saved model and of the eager one, and how it was made. The totals differ
    when scripting changes the model: torchaudio's wav2vec2 family folds its
    weight-normalised convolution's `weight_g` and `weight_v` into one
    `weight` (`__prepare_scriptable__`)."""
    import torch
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = build().eval()
        eager = sum(p.numel() for p in model.parameters())
        try:
            saved, how = torch.jit.script(model), "script"
        except Exception:
            if any(spec.startswith(("[", "(")) for spec in inputs):
                raise
            with torch.no_grad():
                saved = torch.jit.trace(model, example_inputs(inputs))
            how = "trace"
        params = sum(p.numel() for p in saved.parameters())
        saved.save(path)
    del model, saved
    gc.collect()
    return params, eager, how


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True,
                          errors="replace", **kwargs)


def first_error(text):
    for line in text.splitlines():
        if "error:" in line or "warning: forward pass failed" in line:
            return line.strip()[:200]
    return text.strip().splitlines()[-1][:200] if text.strip() else ""


def sweep_model(entry, tools, work, make_page):
    family, name, build, inputs = entry
    result = {"family": family, "name": name, "params": None, "eager": None,
              "archive": "-",
              "traced": False,
              "ops": False, "exact": False, "page": None, "nodes": 0,
              "seconds": None, "how": "", "problem": ""}
    model_path = os.path.join(work, name + ".pt")
    try:
        result["params"], result["eager"], result["archive"] = \
            build_and_save(build, inputs, model_path)
    except Exception as e:  # neither scripted nor traced
        result["problem"] = "cannot save: " + str(e).strip().splitlines()[0]
        return result

    trace_args = [tools["mav-trace"], model_path, "-v"]
    for spec in inputs:
        trace_args += ["--input", spec]
    ir_path = os.path.join(work, name + ".mav")
    start = time.monotonic()
    traced = run(trace_args + ["-o", ir_path])
    result["seconds"] = time.monotonic() - start
    if "shapes-only sufficed" in traced.stderr:
        result["how"] = "shapes"
    elif "ran for real" in traced.stderr:
        result["how"] = "real"
    ir = ""
    if traced.returncode == 0:
        with open(ir_path) as f:
            ir = f.read()
    failed = ir.count('status = "failed"')
    result["traced"] = traced.returncode == 0 and failed == 0
    if not result["traced"]:
        result["problem"] = first_error(traced.stderr) or \
            f"{failed} failed nodes"

    checked = run([tools["mav-trace"], model_path, "--check-ops"])
    result["ops"] = checked.returncode == 0
    if not result["ops"] and not result["problem"]:
        result["problem"] = "; ".join(
            line for line in (checked.stdout + checked.stderr).splitlines()
            if line.startswith(("unhandled", "error")))[:300]

    if ir:
        merged_path = os.path.join(work, name + ".merged.mav")
        merged = run([tools["mav-opt"], ir_path, "--cost", "--merge=0.01",
                      "-o", merged_path])
        if merged.returncode == 0:
            with open(merged_path) as f:
                header = f.readline()
            total = re.search(r"cost\.total_params = (\d+)", header)
            result["nodes"] = ir.count(" = node ")
            result["exact"] = bool(total) and \
                int(total.group(1)) == result["params"]
            if not result["exact"] and not result["problem"]:
                result["problem"] = "parameters: {} in the IR, {} in the " \
                    "model".format(total and total.group(1), result["params"])
            if make_page:
                page_path = os.path.join(work, name + ".html")
                page = run([tools["mav-render"], merged_path, "--html",
                            "--offline", "-o", page_path])
                result["page"] = page_path if page.returncode == 0 else None
                if page.returncode != 0 and not result["problem"]:
                    result["problem"] = first_error(page.stderr)
        elif not result["problem"]:
            result["problem"] = first_error(merged.stderr)
    os.remove(model_path)  # scripted models of the long suite take ~10 GB
    return result


def check_pages(results):
    """Runs renders.js over every page; sets each result's `page` to True
    or False."""
    pages = [r["page"] for r in results if isinstance(r["page"], str)]
    verdicts = {}
    if pages:
        node = shutil.which("node") or "node"
        checked = run([node, os.path.join(ROOT, "test", "browser",
                                          "renders.js")] + pages)
        for line in checked.stdout.splitlines():
            verdict, _, rest = line.partition(" ")
            page, _, why = rest.partition(": ")
            verdicts[page] = (verdict == "PASS", why)
        if not verdicts:
            sys.exit("sweep-trace.py: the page check did not run: " +
                     checked.stderr.strip()[:300])
    for r in results:
        if isinstance(r["page"], str):
            ok, why = verdicts.get(r["page"], (False, "not checked"))
            r["page"] = ok
            if not ok and not r["problem"]:
                r["problem"] = "page: " + why[:200]
        elif r["page"] is None:
            r["page"] = False


def passed(r, make_page):
    return r["traced"] and r["ops"] and r["exact"] and \
        (r["page"] or not make_page)


def markdown(results, make_page):
    yes = lambda ok: "yes" if ok else "**no**"
    lines = ["| family | model | archive | parameters | traced | ops | exact "
             "| page | nodes | mav-trace s |",
             "|---|---|---|---:|---|---|---|---|---:|---:|"]
    for r in results:
        params = f"{r['params']:,}" if r["params"] is not None else "-"
        if r["eager"] is not None and r["eager"] != r["params"]:
            params += f" (eager: {r['eager']:,})"
        seconds = f"{r['seconds']:.1f} ({r['how']})" \
            if r["seconds"] is not None else "-"
        page = yes(r["page"]) if make_page else "-"
        lines.append(
            f"| {r['family']} | {r['name']} | {r['archive']} | {params} "
            f"| {yes(r['traced'])} "
            f"| {yes(r['ops'])} | {yes(r['exact'])} | {page} | {r['nodes']} "
            f"| {seconds} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="all")
    parser.add_argument("--bin", help="where mav-trace, mav-opt and "
                        "mav-render are (default: PATH, then build/bin)")
    parser.add_argument("--work", help="keep the files here")
    parser.add_argument("--markdown", help="also write the table here")
    parser.add_argument("--no-page", action="store_true",
                        help="skip the browser check")
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"

    by_name = {entry[1]: entry for entry in MODELS}
    if args.models == "all":
        chosen = MODELS
    else:
        names = CI_MODELS if args.models == "ci" else args.models.split(",")
        unknown = [n for n in names if n not in by_name]
        if unknown:
            sys.exit(f"sweep-trace.py: unknown models: {', '.join(unknown)}")
        chosen = [by_name[n] for n in names]

    tools = {t: find_tool(args.bin, t)
             for t in ("mav-trace", "mav-opt", "mav-render")}
    make_page = not args.no_page
    work = args.work or tempfile.mkdtemp(prefix="mav-sweep-")
    os.makedirs(work, exist_ok=True)
    results = []
    start = time.monotonic()
    for i, entry in enumerate(chosen):
        r = sweep_model(entry, tools, work, make_page)
        results.append(r)
        seconds = f"{r['seconds']:.1f} s" if r["seconds"] is not None else "-"
        print(f"[{i + 1}/{len(chosen)}] {r['family']} {r['name']}: "
              f"traced={r['traced']} ops={r['ops']} exact={r['exact']} "
              f"nodes={r['nodes']} mav-trace {seconds} {r['how']}"
              + (f"  ({r['problem']})" if r["problem"] else ""), flush=True)
    if make_page:
        check_pages(results)
    table = markdown(results, make_page)
    print()
    print(table, end="")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table)
    bad = [r for r in results if not passed(r, make_page)]
    for r in bad:
        print(f"FAILED {r['name']}: {r['problem']}")
    print(f"{len(results) - len(bad)} of {len(results)} models pass every "
          f"check ({time.monotonic() - start:.0f} s)")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
