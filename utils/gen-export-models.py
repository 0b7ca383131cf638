#!/usr/bin/env python3
"""gen-export-models.py - export the torch.export (.pt2) archives mav-trace is tested on.

Usage (with the PyTorch 2.x of utils/setup.sh's venv, `$build/venv/bin/python`):
  gen-export-models.py --fixtures OUTDIR      small hand-checked models
  gen-export-models.py OUTDIR MODEL...        torchvision models + reference.json
  gen-export-models.py --check REFERENCE MODEL IR   (any python3)

Every archive is made with the three lines a user writes:

    ep = torch.export.export(model, (x,))
    torch.export.save(ep, "model.pt2")

`--fixtures` writes the tiny archives committed under test/mav-trace/Inputs/pt2
(each well under 100 KB): conv+bn+relu, a residual block, attention, tied
weights (also in the layout before PyTorch 2.8), a dynamic batch
dimension, an unused parameter, torch.cond. Seeded, so a rerun
writes the same graphs (the archives' bytes may differ by PyTorch version).

The MODEL form builds real models with random weights (torchvision and timm
with weights=None / pretrained=False, Hugging Face BERT, GPT-2 with its tied
lm_head and Llama from tiny configs with HF_HUB_OFFLINE=1: nothing is
downloaded; see MODELS), exports them into OUTDIR/MODEL.pt2 and
records in OUTDIR/reference.json each model's parameter total
(`sum(p.numel() for p in model.parameters())`, tied weights once) and its
MACs: FlopCounterMode's total / 2, counted on the eager model by PyTorch
itself, independently of mav.

`--check` compares `mav-trace MODEL.pt2 | mav-opt --cost` output (the IR
file) with REFERENCE: the parameter total must be exact, the MACs within
1%, and every module node's output shape must be what a forward hook on
that module recorded, call by call. Exit status 1 with a message on a
mismatch.
"""

import json
import os
import re
import sys

TORCHVISION_MODELS = ["resnet18", "mobilenet_v3_small", "vit_b_16", "swin_t"]
TIMM_MODELS = ["convnext_atto", "vit_tiny_patch16_224"]
HF_MODELS = ["bert_tiny", "gpt2_tiny", "llama_tiny", "whisper_tiny",
             "clip_vision_tiny"]
MODELS = TORCHVISION_MODELS + TIMM_MODELS + HF_MODELS


def build_model(name):
    """The model `name` with random weights, and its example arguments.

    Nothing is downloaded: torchvision and timm models are built with
    weights=None / pretrained=False, Hugging Face ones from a small config
    (HF_HUB_OFFLINE=1)."""
    import torch
    image = (torch.randn(1, 3, 224, 224),)
    if name in TORCHVISION_MODELS:
        import torchvision
        return getattr(torchvision.models, name)(weights=None), image
    if name in TIMM_MODELS:
        import timm
        return timm.create_model(name, pretrained=False), image
    os.environ["HF_HUB_OFFLINE"] = "1"
    import transformers
    small = dict(vocab_size=1000, hidden_size=64, num_hidden_layers=2,
                 num_attention_heads=4, intermediate_size=128)
    if name == "bert_tiny":
        model = transformers.BertModel(transformers.BertConfig(**small),
                                       add_pooling_layer=False)
    elif name == "gpt2_tiny":
        # lm_head.weight is transformer.wte.weight (tied).
        model = transformers.GPT2LMHeadModel(transformers.GPT2Config(
            vocab_size=1000, n_embd=64, n_layer=2, n_head=4, n_positions=64))
    elif name == "llama_tiny":
        model = transformers.LlamaForCausalLM(transformers.LlamaConfig(
            num_key_value_heads=2, max_position_embeddings=64, **small))
    elif name == "whisper_tiny":
        # Encoder-decoder with two inputs: 16 mel bins x 64 frames, and
        # four decoder tokens.
        model = transformers.WhisperForConditionalGeneration(
            transformers.WhisperConfig(
                vocab_size=1000, num_mel_bins=16, d_model=64,
                encoder_layers=1, decoder_layers=1, encoder_attention_heads=4,
                decoder_attention_heads=4, encoder_ffn_dim=128,
                decoder_ffn_dim=128, max_source_positions=32,
                max_target_positions=16, pad_token_id=0, bos_token_id=1,
                eos_token_id=2, decoder_start_token_id=1))
    elif name == "clip_vision_tiny":
        model = transformers.CLIPVisionModel(transformers.CLIPVisionConfig(
            hidden_size=64, intermediate_size=128, num_hidden_layers=2,
            num_attention_heads=4, image_size=32, patch_size=8))
    else:
        raise KeyError(name)
    model.config.use_cache = False

    class Wrapper(torch.nn.Module):
        """Returns the model's first output tensor; subclasses name the
        inputs, which become the graph's input nodes."""

        def __init__(self, inner):
            super().__init__()
            self.model = inner

        def run(self, **inputs):
            return self.model(**inputs, return_dict=False)[0]

    class TextModel(Wrapper):
        def forward(self, input_ids):
            return self.run(input_ids=input_ids)

    class SpeechModel(Wrapper):
        def forward(self, input_features, decoder_input_ids):
            return self.run(input_features=input_features,
                            decoder_input_ids=decoder_input_ids)

    class VisionModel(Wrapper):
        def forward(self, pixel_values):
            return self.run(pixel_values=pixel_values)

    for cls in (TextModel, SpeechModel, VisionModel):
        cls.__qualname__ = cls.__name__
    if name == "whisper_tiny":
        return SpeechModel(model), (torch.randn(1, 16, 64),
                                    torch.randint(0, 1000, (1, 4)))
    if name == "clip_vision_tiny":
        return VisionModel(model), (torch.randn(1, 3, 32, 32),)
    return TextModel(model), (torch.randint(0, 1000, (1, 16)),)


def export(model, args, path, dynamic_shapes=None):
    import torch
    model.eval()
    ep = torch.export.export(model, args, dynamic_shapes=dynamic_shapes)
    torch.export.save(ep, path)


def save_legacy(model, args, path):
    """The archive torch.export.save wrote before PyTorch 2.8: a zip, its
    entries stored (zipfile's default) at the root, the state dict a
    torch.save archive of its own. Written from today's serializer, whose
    JSON has the same schema major version."""
    import zipfile
    import torch
    from torch._export.serde.schema import SCHEMA_VERSION
    from torch._export.serde.serialize import serialize
    model.eval()
    artifact = serialize(torch.export.export(model, args))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("serialized_exported_program.json",
                         artifact.exported_program)
        archive.writestr("serialized_state_dict.pt", artifact.state_dict)
        archive.writestr("serialized_constants.pt", artifact.constants)
        archive.writestr("serialized_example_inputs.pt",
                         artifact.example_inputs)
        archive.writestr("version", ".".join(map(str, SCHEMA_VERSION)))


def fixtures(outdir):
    import torch
    import torch.nn as nn
    os.makedirs(outdir, exist_ok=True)
    torch.manual_seed(0)

    class ConvBnRelu(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3, padding=1, bias=False)
            self.bn = nn.BatchNorm2d(8)
            self.relu = nn.ReLU()

        def forward(self, x):
            return self.relu(self.bn(self.conv(x)))

    class ResidualBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(8, 16, 3, stride=2, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(16)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(16, 16, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(16)
            self.downsample = nn.Sequential(
                nn.Conv2d(8, 16, 1, stride=2, bias=False), nn.BatchNorm2d(16))

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            out += self.downsample(x)
            return self.relu(out)

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(16, 48)
            self.proj = nn.Linear(16, 16)

        def forward(self, x):
            b, n, c = x.shape
            q, k, v = self.qkv(x).reshape(b, n, 3, 2, c // 2).permute(
                2, 0, 3, 1, 4).unbind(0)
            y = nn.functional.scaled_dot_product_attention(q, k, v)
            return self.proj(y.transpose(1, 2).reshape(b, n, c))

    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(100, 16)
            self.decoder = nn.Linear(16, 100, bias=False)
            self.decoder.weight = self.embed.weight

        def forward(self, ids):
            return self.decoder(torch.tanh(self.embed(ids)))

    class Unused(nn.Module):
        def __init__(self):
            super().__init__()
            self.used = nn.Linear(4, 4)
            self.spare = nn.Linear(4, 2)

        def forward(self, x):
            return self.used(x)

    class Dynamic(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 4)

        def forward(self, x):
            return self.fc(x).view(x.shape[0], -1)

    class Cond(nn.Module):
        def __init__(self):
            super().__init__()
            self.positive = nn.Linear(4, 4)
            self.negative = nn.Linear(4, 4)

        def forward(self, x):
            return torch.cond(x.sum() > 0, lambda x: self.positive(x),
                              lambda x: self.negative(x), (x,))

    # Classes defined here would be named `fixtures.<locals>.Tied` in the
    # graph; give them the plain names a user's module-level classes have.
    for cls in (ConvBnRelu, ResidualBlock, Attention, Tied, Unused, Dynamic,
                Cond):
        cls.__qualname__ = cls.__name__
    export(ConvBnRelu(), (torch.randn(1, 3, 8, 8),),
           os.path.join(outdir, "conv_bn_relu.pt2"))
    export(ResidualBlock(), (torch.randn(1, 8, 16, 16),),
           os.path.join(outdir, "residual.pt2"))
    export(Attention(), (torch.randn(1, 5, 16),),
           os.path.join(outdir, "attention.pt2"))
    export(Tied(), (torch.randint(0, 100, (1, 6)),),
           os.path.join(outdir, "tied.pt2"))
    save_legacy(Tied(), (torch.randint(0, 100, (1, 6)),),
                os.path.join(outdir, "tied-legacy.pt2"))
    export(Unused(), (torch.randn(2, 4),), os.path.join(outdir, "unused.pt2"))
    batch = torch.export.Dim("batch", min=1, max=64)
    export(Dynamic(), (torch.randn(3, 8),), os.path.join(outdir, "dynamic.pt2"),
           dynamic_shapes={"x": {0: batch}})
    export(Cond(), (torch.randn(2, 4),), os.path.join(outdir, "cond.pt2"))


def real_models(outdir, names):
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode
    os.makedirs(outdir, exist_ok=True)
    reference_path = os.path.join(outdir, "reference.json")
    reference = {}
    if os.path.exists(reference_path):
        with open(reference_path) as f:
            reference = json.load(f)
    for name in names:
        torch.manual_seed(0)
        model, args = build_model(name)
        model.eval()
        unique = {id(p): p.numel() for p in model.parameters()}
        # Counted with gradients on: under no_grad nn.MultiheadAttention
        # takes its fused fast path, which FlopCounterMode does not count
        # (vit_b_16 would show 11.3 of its 17.6 GMACs); torch.export records
        # the unfused ops either way. And with the math attention backend:
        # FlopCounterMode has no formula for the CPU flash-attention kernel,
        # and would leave out vit_b_16's 0.7 GMACs of attention products.
        counter = FlopCounterMode(display=False)
        with counter, sdpa_kernel(SDPBackend.MATH):
            model(*args)
        export(model, args, os.path.join(outdir, name + ".pt2"))
        reference[name] = {"params": sum(unique.values()),
                           "macs": counter.get_total_flops() // 2,
                           "shapes": module_output_shapes(model, args)}
    with open(reference_path, "w") as f:
        json.dump(reference, f, indent=1, sort_keys=True)


def module_output_shapes(model, args):
    """Output shape of every module call, by module path, in call order
    (forward hooks; the first tensor of a tuple output)."""
    import torch
    shapes = {}
    handles = []

    def first_tensor(value):
        if isinstance(value, torch.Tensor):
            return value
        if isinstance(value, (tuple, list)):
            for item in value:
                found = first_tensor(item)
                if found is not None:
                    return found
        return None

    for path, module in model.named_modules():
        def hook(module, inputs, output, path=path):
            tensor = first_tensor(output)
            if tensor is not None:
                shapes.setdefault(path, []).append(list(tensor.shape))
        handles.append(module.register_forward_hook(hook))
    with torch.no_grad():
        model(*args)
    for handle in handles:
        handle.remove()
    return shapes


NODE_RE = re.compile(r'^\s*%\S+ = node "([^"]+)"\(')
MODULE_RE = re.compile(r'module = "([^"]*)"')
RESULT_RE = re.compile(r'\} : \(?[a-z0-9?]+\[([^\]]*)\]')


def ir_module_shapes(lines):
    """The first result shape of every module node (not `name()`), by
    module path, in graph order."""
    shapes = {}
    for line in lines:
        node = NODE_RE.match(line)
        if not node or node.group(1).endswith("()") or \
                node.group(1) in ("input", "output"):
            continue
        module = MODULE_RE.search(line)
        results = RESULT_RE.findall(line)
        if module and results:
            dims = [int(d) for d in results[-1].split(",") if d]
            shapes.setdefault(module.group(1), []).append(dims)
    return shapes


def check(reference_path, model, ir_path):
    with open(reference_path) as f:
        expected = json.load(f)[model]
    with open(ir_path) as f:
        lines = f.readlines()
    header = lines[0]
    got = {}
    for key in ("params", "macs"):
        m = re.search(r"cost\.total_%s = (\d+)" % key, header)
        if not m:
            sys.exit("%s: no cost.total_%s on the graph (run mav-opt --cost)"
                     % (ir_path, key))
        got[key] = int(m.group(1))
    errors = []
    if got["params"] != expected["params"]:
        errors.append("parameters: mav %d, model %d" %
                      (got["params"], expected["params"]))
    if abs(got["macs"] - expected["macs"]) > 0.01 * expected["macs"]:
        errors.append("MACs: mav %d, FlopCounterMode/2 %d (%.2f%% off)" %
                      (got["macs"], expected["macs"],
                       100.0 * (got["macs"] - expected["macs"]) /
                       expected["macs"]))
    # Every module node's output shape against the forward hooks, call by
    # call, for the modules both know (nn.Identity has no node, a non-leaf
    # module no node of its own).
    compared = 0
    hooks = expected.get("shapes", {})
    for path, ir_shapes in ir_module_shapes(lines).items():
        if path not in hooks:
            continue
        if ir_shapes != hooks[path][:len(ir_shapes)] or \
                len(ir_shapes) != len(hooks[path]):
            errors.append("module '%s': mav %s, forward hooks %s" %
                          (path, ir_shapes, hooks[path]))
        compared += 1
    if hooks and compared == 0:
        errors.append("no module node to compare with the forward hooks")
    if errors:
        sys.exit("%s: %s" % (model, "; ".join(errors[:5])))
    print("%s: ok (%d parameters, %d MACs, %d modules' output shapes)" %
          (model, got["params"], got["macs"], compared))


def main(argv):
    if len(argv) == 5 and argv[1] == "--check":
        check(argv[2], argv[3], argv[4])
    elif len(argv) == 3 and argv[1] == "--fixtures":
        fixtures(argv[2])
    elif len(argv) >= 3 and not argv[1].startswith("-"):
        unknown = [n for n in argv[2:] if n not in MODELS]
        if unknown:
            sys.exit("unknown model(s): %s (known: %s)" %
                     (", ".join(unknown), ", ".join(MODELS)))
        real_models(argv[1], argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
