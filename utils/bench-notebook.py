#!/usr/bin/env python3
"""bench-notebook.py - the notebook package against IDLMAV, side by side.

Usage (in utils/setup.sh's venv, which has both packages):
    build/venv/bin/python utils/bench-notebook.py [--repeat N] [--only NAME,...]
    build/venv/bin/python utils/bench-notebook.py --llama7b

For each model of IDLMAV's README showcase table that can be built offline
(random weights, configs only; YOLOv11 needs ultralytics and is left out),
times in this one process, alternating the tools, the median of N runs of

    MAV(model, x) + export_static_html(path)     (mav, then idlmav)

and prints one Markdown row per model for docs/Performance.md. A tool that
raises is reported with its exception. --llama7b instead draws a 7B-
parameter Llama built on the meta device, in a fresh process, and reports
the time and peak memory (ru_maxrss).
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import warnings

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def showcase():
    """(name, build) pairs; build() -> (model, inputs)."""
    import torch
    import torchvision

    def image(size=224):
        return torch.randn(1, 3, size, size)

    def tokens(n=128):
        return torch.zeros(1, n, dtype=torch.long)

    def tv(name):
        return lambda: (getattr(torchvision.models, name)(), image())

    def hrnet():
        import timm
        return timm.create_model("hrnet_w18", pretrained=False), image()

    def blip():
        from transformers import BlipVisionConfig, BlipVisionModel
        return BlipVisionModel(BlipVisionConfig()), image(384)

    def whisper():
        from transformers import WhisperConfig, WhisperModel
        config = WhisperConfig(d_model=384, encoder_layers=4,
                               decoder_layers=4, encoder_attention_heads=6,
                               decoder_attention_heads=6,
                               encoder_ffn_dim=1536, decoder_ffn_dim=1536)
        return WhisperModel(config).encoder, torch.randn(1, 80, 3000)

    def bert_mini():
        from transformers import BertConfig, BertModel
        config = BertConfig(num_hidden_layers=4, hidden_size=256,
                            num_attention_heads=4, intermediate_size=1024)
        return BertModel(config), tokens()

    def modernbert():
        from transformers import ModernBertConfig, ModernBertModel
        return ModernBertModel(ModernBertConfig()), tokens()

    return [("ResNet18", tv("resnet18")), ("ResNet34", tv("resnet34")),
            ("ConvNeXt small", tv("convnext_small")),
            ("ViT B/16", tv("vit_b_16")), ("HR-Net W18", hrnet),
            ("BLIP vision model", blip), ("Whisper-tiny (encoder)", whisper),
            ("BERT mini", bert_mini), ("ModernBERT base", modernbert)]


def run_mav(model, x, path):
    from mav import MAV
    MAV(model, x).export_static_html(path)


def run_idlmav(model, x, path):
    from idlmav import MAV
    MAV(model, x, device="cpu").export_static_html(path)


def median_seconds(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_showcase(repeat, only):
    import torch
    torch.manual_seed(0)
    print("| model | mav: MAV + export_static_html | IDLMAV 1.1.0 | "
          "IDLMAV / mav |")
    print("|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "page.html")
        for name, build in showcase():
            if only and name not in only:
                continue
            model, x = build()
            model.eval()
            results = {}
            for tool, fn in (("mav", run_mav), ("idlmav", run_idlmav)):
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        fn(model, x, path)  # warm-up (imports, first trace)
                        results[tool] = median_seconds(
                            lambda: fn(model, x, path), repeat)
                except Exception as error:  # report, go on
                    results[tool] = f"fails: {type(error).__name__}"
            cells = [f"{v:.2f} s" if isinstance(v, float) else v
                     for v in (results["mav"], results["idlmav"])]
            ratio = (f"{results['idlmav'] / results['mav']:.1f}x"
                     if all(isinstance(v, float) for v in results.values())
                     else "-")
            print(f"| {name} | {cells[0]} | {cells[1]} | {ratio} |",
                  flush=True)


def bench_llama7b():
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from mav import MAV
    config = LlamaConfig(hidden_size=4096, intermediate_size=11008,
                         num_hidden_layers=32, num_attention_heads=32,
                         num_key_value_heads=32, vocab_size=32000)
    with torch.device("meta"):
        model = LlamaForCausalLM(config)
    params = sum(p.numel() for p in model.parameters())
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        drawn = MAV(model, torch.zeros(1, 128, dtype=torch.long))
        drawn.export_static_html(os.path.join(folder, "llama.html"),
                                 export_for_offline_use=True)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Llama 7B on the meta device ({params:,} parameters, "
          f"{len(drawn._graph)} nodes, capture={drawn.capture}): "
          f"MAV + export_static_html {seconds:.1f} s, peak RSS of the "
          f"process {peak:.0f} MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="",
                        help="comma-separated model names")
    parser.add_argument("--llama7b", action="store_true")
    args = parser.parse_args()
    if args.llama7b:
        bench_llama7b()
    else:
        bench_showcase(args.repeat,
                       set(filter(None, args.only.split(","))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
