#!/usr/bin/python3
"""gen-test-models.py - build the TorchScript models that mav-trace is tested on.

Usage: /usr/bin/python3 utils/gen-test-models.py OUTDIR [--no-large]
       /usr/bin/python3 utils/gen-test-models.py --check REFERENCE MODEL IR
       /usr/bin/python3 utils/gen-test-models.py --check-macs REFERENCE MODEL IR

Writes scripted (`*.script.pt`) and traced (`*.trace.pt`) TorchScript files
into OUTDIR, and `reference.json` next to them with the numbers the tests
compare against: each model's parameter total (tied weights counted once),
its inputs (in mav-trace's `--input` syntax), and the output shape of every
leaf-module call in call order, recorded with forward hooks on the eager
model. Everything is seeded, so two runs write the same models.

For the torchvision models it also records `macs`, the multiply-accumulates
of one forward pass counted on the eager model independently of mav (see
count_macs): forward hooks on every convolution and Linear module, and the
projections and attention products of every nn.MultiheadAttention.

`--no-large` skips the torchvision models (weights=None: resnet18, vit_b_16
and a dozen small classification networks, see TORCHVISION_MODELS), which
take most of the time (~45 s on two cores) and ~750 MB of disk.

`--check` compares an IR file printed by mav-trace for MODEL against
REFERENCE (the reference.json written above): the parameters recorded on the
nodes must add up to the model's total, and the output shapes of the leaf
modules both know about must agree, call by call. Used by the lit tests.

`--check-macs` compares the `cost.total_macs` graph attribute of an IR file
printed by `mav-opt --cost` with MODEL's `macs` in REFERENCE: they must agree
within 0.5%. It prints both numbers.
"""

import json
import os
import re
import sys

import torch
from typing import List, Tuple
import torch.nn as nn
import torch.nn.functional as F


class SmallCNN(nn.Module):
    """conv-bn-relu-pool twice, then a classifier: the plain case."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1, bias=False)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(self.relu(self.bn1(self.conv1(x))))
        x = self.relu(self.conv2(x))
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


class ResidualBlock(nn.Module):
    """A ResNet basic block with a downsample path: a function node (add)
    inside a non-leaf module, and a module (relu) called twice."""

    def __init__(self, cin=8, cout=16):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride=2, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out = out + identity
        return self.relu(out)


class DirectParam(nn.Module):
    """nn.Parameters read directly in forward (ViT's class token and
    position embedding, ConvNeXt's layer scale)."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(8, 16)
        self.class_token = nn.Parameter(torch.zeros(1, 1, 16))
        self.pos_embedding = nn.Parameter(torch.randn(1, 5, 16) * 0.02)
        self.layer_scale = nn.Parameter(torch.ones(16) * 1e-6)
        self.head = nn.Linear(16, 4)

    def forward(self, x):
        x = self.proj(x)
        n = x.shape[0]
        cls = self.class_token.expand(n, -1, -1)
        x = torch.cat([cls, x], dim=1)
        x = x + self.pos_embedding
        x = x * self.layer_scale
        return self.head(x[:, 0])


class TiedWeights(nn.Module):
    """A language-model head sharing the embedding matrix."""

    def __init__(self, vocab=100, dim=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.hidden = nn.Linear(dim, dim)
        self.decoder = nn.Linear(dim, vocab, bias=False)
        self.decoder.weight = self.embed.weight

    def forward(self, ids):
        return self.decoder(torch.tanh(self.hidden(self.embed(ids))))


class TwoInputs(nn.Module):
    """Two tensor inputs merged by a function node."""

    def __init__(self):
        super().__init__()
        self.fa = nn.Linear(8, 16)
        self.fb = nn.Linear(4, 16)
        self.out = nn.Linear(32, 2)

    def forward(self, a, b):
        return self.out(torch.cat([self.fa(a), self.fb(b)], dim=1))


class TokenClassifier(nn.Module):
    """An integer (token id) input feeding an embedding."""

    def __init__(self, vocab=1000, dim=32):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)
        self.norm = nn.LayerNorm(dim)
        self.classifier = nn.Linear(dim, 3)

    def forward(self, ids):
        x = self.norm(self.embedding(ids))
        x = x.mean(dim=1)
        return self.classifier(x)


class Raises(nn.Module):
    """Raises in its forward, after fc1, with a message holding markup: the
    model's own failure (prim::RaiseException), not mav-trace's."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x):
        y = self.fc1(x)
        if y.shape[1] == 8:
            raise ValueError("<script>alert(1)</script> expects 16 features")
        return self.fc2(y)


class NestedEncoder(nn.Module):
    """torchtext's RoBERTa encoder in small: an nn.TransformerEncoder with
    enable_nested_tensor, its padding mask from the token ids. In eval mode
    without grad its fast path packs the batch into a nested tensor, which
    has no sizes()."""

    def __init__(self, vocab=50, dim=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=1)
        layer = nn.TransformerEncoderLayer(dim, nhead=2, dim_feedforward=32,
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2,
                                             enable_nested_tensor=True)
        self.head = nn.Linear(dim, 4)

    def forward(self, tokens):
        mask = tokens.eq(1)
        return self.head(self.encoder(self.embed(tokens),
                                      src_key_padding_mask=mask))


class ListInput(nn.Module):
    """Takes a List[Tensor] of images of different sizes, as torchvision's
    detection models do, and a tuple of tensors."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, images: List[torch.Tensor],
                pair: Tuple[torch.Tensor, torch.Tensor]):
        outs = [self.conv(image.unsqueeze(0)) for image in images]
        return outs, pair[0] + pair[1]


class Nms(nn.Module):
    """Calls torchvision::nms, an op of torchvision's operator library (as
    the detection models do): its archive loads only with that library."""

    def forward(self, boxes, scores):
        return torch.ops.torchvision.nms(boxes, scores, 0.5)


class ControlFlow(nn.Module):
    """A data-dependent `if` and a loop; only meaningful when scripted."""

    def __init__(self):
        super().__init__()
        self.pos = nn.Linear(8, 8)
        self.neg = nn.Linear(8, 8, bias=False)
        self.step = nn.Linear(8, 8)
        self.repeats = 3

    def forward(self, x):
        if bool(x.sum() > 0):
            x = self.pos(x)
        else:
            x = self.neg(x)
        for _ in range(self.repeats):
            x = torch.relu(self.step(x))
        return x


class InterpreterOps(nn.Module):
    """Ops that torch's interpreter runs itself, with no registered
    operator: a `with torch.no_grad()` block (prim::Enter/Exit, which call
    the context manager's __enter__ and __exit__) and torch.jit.fork and
    wait (prim::fork, aten::wait)."""

    def __init__(self):
        super().__init__()
        self.inner = nn.Linear(8, 8)
        self.forked = nn.Linear(8, 4)

    def forward(self, x):
        with torch.no_grad():
            y = torch.relu(self.inner(x))
        future = torch.jit.fork(self.forked, y)
        return torch.jit.wait(future)


class DeepBlock(nn.Module):
    """A residual block of two Linear layers: four nodes."""

    def __init__(self, dim=16):
        super().__init__()
        self.fc1 = nn.Linear(dim, dim)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(dim, dim)

    def forward(self, x):
        return x + self.fc2(self.act(self.fc1(x)))


class DeepResidual(nn.Module):
    """2,000 identical residual blocks (8,004 nodes): the group pass folds
    them into one, and the page opens on the whole structure."""

    def __init__(self, blocks=2000, dim=16):
        super().__init__()
        self.stem = nn.Linear(dim, dim)
        self.blocks = nn.Sequential(*[DeepBlock(dim) for _ in range(blocks)])
        self.head = nn.Linear(dim, 4)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))


class Failing(nn.Module):
    """The second Linear expects 64 features but receives 32: the forward
    pass fails there, and fc3 is never run."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.fc2 = nn.Linear(64, 10)
        self.act = nn.ReLU()
        self.fc3 = nn.Linear(10, 5)

    def forward(self, x):
        x = self.fc1(x)
        x = self.act(self.fc2(x))
        return self.fc3(x)


# torchvision classification models (weights=None), scripted: name ->
# (constructor keyword arguments, input side). GoogLeNet and Inception v3
# keep their auxiliary classifiers, which only run in training: in eval
# mode their parameters are a model's own that no node reads (mav-trace
# draws them as not-run nodes, so the totals are the model's). Neither uses
# its scipy-based weight initialisation (slow, and weights do not matter
# here).
TORCHVISION_MODELS = [
    ("mobilenet_v2", {}, 224),
    ("mobilenet_v3_small", {}, 224),
    ("squeezenet1_0", {}, 224),
    ("shufflenet_v2_x0_5", {}, 224),
    ("efficientnet_b0", {}, 224),
    ("regnet_x_400mf", {}, 224),
    ("densenet121", {}, 224),
    ("convnext_tiny", {}, 224),
    ("googlenet", {"aux_logits": True, "init_weights": False}, 224),
    ("inception_v3", {"aux_logits": True, "init_weights": False}, 299),
]


# Every torchvision model built (with resnet18 and vit_b_16, added below).
TORCHVISION_NAMES = {"resnet18", "vit_b_16"} | {
    name for name, _, _ in TORCHVISION_MODELS}


def param_total(model):
    # named_parameters() deduplicates shared tensors: tied weights count once.
    return sum(p.numel() for p in model.parameters())


def leaf_shapes(model, inputs):
    """Output shapes of every call of a module without children, in order."""
    names = {m: n for n, m in model.named_modules()}
    calls = []

    def hook(module, args, output):
        out = output[0] if isinstance(output, (tuple, list)) else output
        shape = list(out.shape) if isinstance(out, torch.Tensor) else None
        calls.append({"module": names[module], "shape": shape})

    handles = [m.register_forward_hook(hook)
               for m in model.modules() if not list(m.children())]
    try:
        with torch.no_grad():
            model(*inputs)
    finally:
        for h in handles:
            h.remove()
    return calls


def count_macs(model, inputs):
    """Multiply-accumulates of one forward pass of `model` on `inputs`,
    counted without mav: forward hooks on convolutions (each output element
    is a dot product over in_channels/groups x kernel inputs; a transposed
    convolution spreads each input element over out_channels/groups x kernel
    outputs) and Linear modules (out.numel() x in_features), and for every
    nn.MultiheadAttention its query/key/value projections, the two attention
    products (Q K^T and A V, B x L x S x E each) and its output projection.

    An nn.MultiheadAttention does not call its out_proj module (its fast path
    and F.multi_head_attention_forward read out_proj.weight directly), and
    torchvision's ViT calls it with keyword arguments, which forward hooks do
    not see in this torch: so its forward is wrapped instead of hooked, and
    the modules inside it get no hook. None of the models here has a matmul
    outside these modules."""
    total = [0]
    attention = [m for m in model.modules()
                 if isinstance(m, nn.MultiheadAttention)]
    inside = {id(c) for m in attention for c in m.modules() if c is not m}

    def conv_hook(module, args, output):
        kernel = 1
        for k in module.kernel_size:
            kernel *= k
        if isinstance(module, nn.modules.conv._ConvTransposeNd):
            total[0] += (args[0].numel() * (module.out_channels //
                                            module.groups) * kernel)
        else:
            total[0] += (output.numel() * (module.in_channels //
                                           module.groups) * kernel)

    def linear_hook(module, args, output):
        total[0] += output.numel() * module.in_features

    def attention_macs(module, query, key):
        if query.dim() == 2:
            b, l, s = 1, query.shape[0], key.shape[0]
        elif module.batch_first:
            b, l, s = query.shape[0], query.shape[1], key.shape[1]
        else:
            b, l, s = query.shape[1], query.shape[0], key.shape[0]
        e = module.embed_dim
        macs = b * l * e * e + b * s * (module.kdim + module.vdim) * e
        macs += 2 * b * l * s * e
        macs += b * l * e * e
        return macs

    def wrap(module):
        forward = module.forward

        def counted(*args, **kwargs):
            bound = dict(zip(("query", "key", "value"), args))
            bound.update(kwargs)
            total[0] += attention_macs(module, bound["query"], bound["key"])
            return forward(*args, **kwargs)
        module.forward = counted

    handles = []
    for m in model.modules():
        if id(m) in inside:
            continue
        if isinstance(m, nn.MultiheadAttention):
            wrap(m)
        elif isinstance(m, nn.modules.conv._ConvNd):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
    try:
        with torch.no_grad():
            model(*inputs)
    finally:
        for h in handles:
            h.remove()
        for m in attention:
            del m.forward
    return total[0]


def input_spec(t, high=None):
    if isinstance(t, (list, tuple)):
        inner = ",".join(input_spec(e, high) for e in t)
        return f"[{inner}]" if isinstance(t, list) else f"({inner})"
    dims = "x".join(str(d) for d in t.shape)
    if t.dtype == torch.int64:
        return f"{dims}:i64:0..{high}"
    return dims


NODE_RE = re.compile(r'^\s*%("[^"]*"|\S+) = node "([^"]*)"\((.*)$')


def split_params(text):
    """The tensor types of the `params = {...}` dictionary of a node line."""
    total = 0
    match = re.search(r'(?<![_a-z])params = \{([^}]*)\}', text)
    if not match:
        return 0
    for dims in re.findall(r'\[([0-9,]*)\]', match.group(1)):
        count = 1
        for d in dims.split(",") if dims else []:
            count *= int(d)
        total += count
    return total


def check(reference_path, model, ir_path):
    with open(reference_path) as f:
        reference = json.load(f)[model]
    params = 0
    calls = []
    with open(ir_path) as f:
        for line in f:
            m = NODE_RE.match(line)
            if not m:
                continue
            params += split_params(line)
            module = re.search(r'(?<![_a-z])module = "([^"]*)"', line)
            result = re.search(r'[)}] : (\S+)$', line.rstrip())
            shape = None
            if result:
                dims = re.match(r'[a-z0-9]+\[([0-9,]*)\]', result.group(1))
                if dims:
                    shape = [int(d) for d in dims.group(1).split(",") if d]
            op = m.group(2)
            # A not-run node of a module that never ran is not a call.
            ran = 'status = "not-run"' not in line
            if module and ran and not op.endswith("()") and \
                    op not in ("input", "output"):
                calls.append({"module": module.group(1), "shape": shape})
    errors = []
    if params != reference["params"]:
        errors.append(f"parameters: IR has {params}, model has "
                      f"{reference['params']}")
    if "leaf_calls" in reference:
        mine = {c["module"] for c in calls}
        theirs = {c["module"] for c in reference["leaf_calls"]}
        a = [c for c in calls if c["module"] in theirs]
        b = [c for c in reference["leaf_calls"] if c["module"] in mine]
        if a != b:
            first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y),
                         min(len(a), len(b)))
            errors.append(f"leaf-module calls differ at call {first}: IR "
                          f"{a[first:first + 1]}, torch {b[first:first + 1]}"
                          f" ({len(a)} vs {len(b)} calls)")
        if not a:
            errors.append("no leaf-module call in common")
    for e in errors:
        print(f"error: {model}: {e}", file=sys.stderr)
    if not errors:
        print(f"{model}: {params} parameters, {len(calls)} module calls: ok")
    return 1 if errors else 0


def check_macs(reference_path, model, ir_path):
    with open(reference_path) as f:
        reference = json.load(f)[model]
    if "macs" not in reference:
        print(f"error: {model}: no MAC count in {reference_path}",
              file=sys.stderr)
        return 1
    expected = reference["macs"]
    actual = None
    with open(ir_path) as f:
        for line in f:
            if line.startswith("graph "):
                m = re.search(r"(?<![_a-z.])cost\.total_macs = (\d+)",
                              line)
                if m:
                    actual = int(m.group(1))
                break
    if actual is None:
        print(f"error: {model}: no cost.total_macs on the graph of {ir_path}"
              " (run mav-opt --cost)", file=sys.stderr)
        return 1
    diff = abs(actual - expected) / max(expected, 1)
    verdict = "ok" if diff <= 0.005 else "MISMATCH"
    print(f"{model}: mav {actual} MACs, reference {expected} MACs "
          f"({diff * 100:.3f}% apart): {verdict}")
    if verdict != "ok":
        print(f"error: {model}: mav's MACs differ from the reference by more "
              "than 0.5%", file=sys.stderr)
        return 1
    return 0


def main(argv):
    if len(argv) == 5 and argv[1] == "--check":
        return check(argv[2], argv[3], argv[4])
    if len(argv) == 5 and argv[1] == "--check-macs":
        return check_macs(argv[2], argv[3], argv[4])
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        sys.stderr.write(__doc__)
        return 0 if len(argv) >= 2 else 2
    if argv[1].startswith("-"):
        sys.stderr.write("error: unknown option '%s'\n%s" % (argv[1], __doc__))
        return 2
    outdir = argv[1]
    large = "--no-large" not in argv
    os.makedirs(outdir, exist_ok=True)
    torch.manual_seed(0)

    # name -> (model, example inputs, input specs, how: script/trace/both)
    models = [
        ("small_cnn", SmallCNN(), [torch.randn(1, 3, 16, 16)], None, "both"),
        ("residual", ResidualBlock(), [torch.randn(1, 8, 16, 16)], None,
         "both"),
        ("direct_param", DirectParam(), [torch.randn(2, 4, 8)], None, "both"),
        ("tied", TiedWeights(), [torch.randint(0, 100, (1, 6))], 100, "both"),
        ("two_inputs", TwoInputs(), [torch.randn(2, 8), torch.randn(2, 4)],
         None, "both"),
        ("token_classifier", TokenClassifier(),
         [torch.randint(0, 1000, (1, 12))], 1000, "both"),
        ("control_flow", ControlFlow(), [torch.randn(2, 8)], None, "script"),
        ("interpreter_ops", InterpreterOps(), [torch.randn(2, 8)], None,
         "script"),
        ("failing", Failing(), [torch.randn(2, 16)], None, "script"),
        ("raises", Raises(), [torch.randn(2, 4)], None, "script"),
        ("nested_encoder", NestedEncoder(), [torch.randint(2, 50, (2, 6))],
         50, "script"),
        ("list_input", ListInput(),
         [[torch.randn(3, 16, 16), torch.randn(3, 12, 20)],
          (torch.randn(2, 8), torch.randn(2, 8))], None, "script"),
    ]
    if large:
        import torchvision
        models.append(("resnet18", torchvision.models.resnet18(weights=None),
                       [torch.randn(1, 3, 224, 224)], None, "both"))
        models.append(("vit_b_16", torchvision.models.vit_b_16(weights=None),
                       [torch.randn(1, 3, 224, 224)], None, "script"))
        models.append(("nms", Nms(), [torch.rand(10, 4), torch.rand(10)],
                       None, "script"))
        # Scripting it takes ~13 s: with the large models.
        models.append(("deep_residual", DeepResidual(), [torch.randn(1, 16)],
                       None, "script"))
        # A detection model: a List[Tensor] input, torchvision::nms and
        # roi_align, prim::isinstance in MultiScaleRoIAlign.
        detector = torchvision.models.detection
        models.append(("fasterrcnn_mobilenet_v3_large_320_fpn",
                       detector.fasterrcnn_mobilenet_v3_large_320_fpn(
                           weights=None, weights_backbone=None),
                       [[torch.rand(3, 320, 320)]], None, "script"))
        for name, kwargs, side in TORCHVISION_MODELS:
            model = getattr(torchvision.models, name)(weights=None, **kwargs)
            models.append((name, model, [torch.randn(1, 3, side, side)], None,
                           "script"))

    reference = {}
    for name, model, inputs, high, how in models:
        model.eval()
        entry = {
            "params": param_total(model),
            "inputs": [input_spec(t, high) for t in inputs],
            "files": [],
        }
        # Module calls are compared where the model's run is the same in
        # both (not for a failing model, nor for a detector on random
        # weights, whose detections differ with the input).
        if name not in ("failing", "raises", "deep_residual",
                        "fasterrcnn_mobilenet_v3_large_320_fpn"):
            entry["leaf_calls"] = leaf_shapes(model, inputs)
        if name in TORCHVISION_NAMES:
            entry["macs"] = count_macs(model, inputs)
        if how in ("script", "both"):
            path = f"{name}.script.pt"
            torch.jit.script(model).save(os.path.join(outdir, path))
            entry["files"].append(path)
        if how in ("trace", "both"):
            path = f"{name}.trace.pt"
            with torch.no_grad():
                traced = torch.jit.trace(model, tuple(inputs))
            traced.save(os.path.join(outdir, path))
            entry["files"].append(path)
        reference[name] = entry

    # Files that are not loadable models, for the error tests.
    with open(os.path.join(outdir, "not_a_model.pt"), "w") as f:
        f.write("this is not a TorchScript archive\n")

    with open(os.path.join(outdir, "reference.json"), "w") as f:
        json.dump(reference, f, indent=2, sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
