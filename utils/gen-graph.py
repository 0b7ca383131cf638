#!/usr/bin/env python3
"""Generate a synthetic model-graph IR (.mav) of a given shape and size.

Deterministic: the same arguments (including --seed) always give the same
bytes. Used by the benchmarks (utils/bench, utils/bench-layout.sh) and for
trying passes on graphs far larger than real models.

--attrs model gives every node what mav-trace would write for it (module
path, `ops` with the aten op and its operand types, `params`, `buffers`,
`args`, `status`), so that the cost, merge and color passes have real work;
the default, --attrs none, writes bare nodes (op, operands, type) as before.

Shapes:
  chain        a straight line of nodes
  resnet       residual stack: conv-bn-relu-conv-bn-add-relu blocks, some
               with a downsample branch (probability from the seed)
  hrnet        parallel branches (--width of them) with fusions between
               neighbouring branches after every stage (HRNet-like width)
  densenet     dense blocks: every layer concatenates all earlier outputs of
               its block (--width = layers per block)
  transformer  pre-norm encoder layers: q/k/v projections, attention, MLP
  random       random DAG, each node using 1-3 of the --width most recent

Examples:
  utils/gen-graph.py resnet --nodes 1000000 --seed 1 > /tmp/resnet-1m.mav
  utils/gen-graph.py hrnet --nodes 10000 --width 10 | mav-opt --layout --timing
  utils/gen-graph.py resnet --nodes 100000 --attrs model | mav-opt --cost --timing
"""

import argparse
import random
import sys


def parse_dims(type_text):
    """Dimensions of a tensor type spelled like 'f32[1,64,32,32]'."""
    inner = type_text[type_text.index("[") + 1:-1]
    return [int(d) for d in inner.split(",")] if inner else []


def tensor(dims):
    return "f32[%s]" % ",".join(str(d) for d in dims)


def aten(op, operands, results):
    return "{op = \"aten::%s\", operands = [%s], results = [%s]}" % (
        op, ", ".join(operands), ", ".join(results))


def model_attrs(op, module, ins, out):
    """The attribute text mav-trace would write for a node: a list of
    (key, text) pairs, sorted by key by the caller. `ins` are the operand
    types, `out` the result type."""
    x = ins[0] if ins else out
    cin = parse_dims(x)[1] if len(parse_dims(x)) > 1 else 1
    dims = parse_dims(out)
    cout = dims[1] if len(dims) > 1 else 1
    last_in, last_out = parse_dims(x)[-1], dims[-1]
    attrs = [("module", '"%s"' % module)]
    params, buffers, ops = [], [], []
    if op == "input":
        return attrs
    if op == "output":
        return []
    if op == "nn.Conv2d":
        w = tensor([cout, cin, 3, 3])
        params.append(("weight", w))
        ops.append(aten("conv2d", [x, w, "none", "[1, 1]", "[1, 1]", "[1, 1]",
                                   "1"], [out]))
        attrs.append(("args", "{kernel_size = [3, 3], padding = [1, 1], "
                              "stride = [1, 1]}"))
    elif op == "nn.BatchNorm2d":
        c = tensor([cout])
        params += [("bias", c), ("weight", c)]
        buffers += [("running_mean", c), ("running_var", c)]
        ops.append(aten("batch_norm", [x, c, c, c, c, "false", "0.1", "1e-05",
                                       "true"], [out]))
    elif op == "nn.Linear":
        w, b = tensor([last_out, last_in]), tensor([last_out])
        params += [("bias", b), ("weight", w)]
        ops.append(aten("linear", [x, w, b], [out]))
    elif op == "nn.LayerNorm":
        c = tensor([last_out])
        params += [("bias", c), ("weight", c)]
        ops.append(aten("layer_norm", [x, "[%d]" % last_out, c, c, "1e-05",
                                       "true"], [out]))
    elif op == "nn.ReLU":
        ops.append(aten("relu", [x], [out]))
    elif op == "nn.GELU":
        ops.append(aten("gelu", [x, '"none"'], [out]))
    elif op == "nn.AvgPool2d":
        ops.append(aten("avg_pool2d", [x, "[2, 2]", "[2, 2]", "[0, 0]",
                                       "false", "true", "none"], [out]))
    elif op == "nn.Upsample":
        ops.append(aten("upsample_nearest2d", [x, "[%d, %d]" % tuple(dims[2:4]),
                                               "none"], [out]))
    elif op in ("add()", "sum()"):
        acc = ins[0]
        for other in ins[1:]:
            ops.append(aten("add", [acc, other, "1"], [out]))
            acc = out
    elif op == "cat()":
        ops.append(aten("cat", ["[%s]" % ", ".join(ins), "1"], [out]))
    elif op == "scaled_dot_product_attention()":
        ops.append(aten("scaled_dot_product_attention",
                        ins + ["none", "0.0", "false"], [out]))
    elif len(ins) > 1:
        ops.append(aten("mul", ins[:2], [out]))
    else:
        ops.append(aten("sigmoid", [x], [out]))
    prefix = module + "." if module else ""
    if params:
        attrs.append(("params", "{%s}" % ", ".join(
            "%s%s = %s" % (prefix, k, t) for k, t in params)))
    if buffers:
        attrs.append(("buffers", "{%s}" % ", ".join(
            "%s%s = %s" % (prefix, k, t) for k, t in buffers)))
    attrs.append(("ops", "[%s]" % ", ".join(ops)))
    attrs.append(("status", '"ok"'))
    return attrs


class GraphWriter:
    """Collects node lines; names are %n0, %n1, ... in creation order.

    With `model_attrs` set, every node gets realistic frontend attributes;
    its module path is `block<B>.<kind><K>`, where generators start a new
    block B with begin_block() and K counts nodes of a kind in the block."""

    def __init__(self, name, with_model_attrs=False):
        self.name = name
        self.lines = []
        self.count = 0
        self.used = set()
        self.with_model_attrs = with_model_attrs
        self.types = {}
        self.block = 0
        self.kinds = {}

    def begin_block(self):
        self.block += 1
        self.kinds = {}

    def module_path(self, op):
        kind = "".join(c for c in op.split(".")[-1].lower() if c.isalnum())
        k = self.kinds.get(kind, 0)
        self.kinds[kind] = k + 1
        return "block%d.%s%d" % (self.block, kind, k)

    def node(self, op, operands, result="f32[1,64,32,32]", attrs=None):
        name = "n%d" % self.count
        self.count += 1
        self.used.update(operands)
        args = ", ".join("%" + o for o in operands)
        pairs = [(k, '"%s"' % v) for k, v in (attrs or {}).items()]
        if self.with_model_attrs:
            module = "" if op == "input" else self.module_path(op)
            pairs += model_attrs(op, module,
                                 [self.types[o] for o in operands], result)
        attr_text = ""
        if pairs:
            attr_text = " {" + ", ".join(
                "%s = %s" % kv for kv in sorted(pairs)) + "}"
        self.types[name] = result
        self.lines.append('  %%%s = node "%s"(%s)%s : %s' %
                          (name, op, args, attr_text, result))
        return name

    def output(self, operands):
        args = ", ".join("%" + o for o in operands)
        self.lines.append('  %%output = node "output"(%s) : ()' % args)

    def text(self):
        return ("graph @%s {\n" % self.name + "\n".join(self.lines) +
                "\n}\n")


def gen_chain(g, nodes, width, rng):
    x = g.node("input", [])
    while g.count < nodes - 1:
        if g.count % 16 == 1:
            g.begin_block()
        x = g.node("nn.Linear", [x], "f32[1,64]")
    g.output([x])


def gen_resnet(g, nodes, width, rng):
    x = g.node("input", [])
    x = g.node("nn.Conv2d", [x])
    while g.count < nodes - 1:
        if nodes - 1 - g.count < 9:
            x = g.node("nn.ReLU", [x])
            continue
        g.begin_block()
        y = g.node("nn.Conv2d", [x])
        y = g.node("nn.BatchNorm2d", [y])
        y = g.node("nn.ReLU", [y])
        y = g.node("nn.Conv2d", [y])
        y = g.node("nn.BatchNorm2d", [y])
        skip = x
        if rng.random() < 0.1:
            skip = g.node("nn.Conv2d", [x])
            skip = g.node("nn.BatchNorm2d", [skip])
        y = g.node("add()", [y, skip])
        x = g.node("nn.ReLU", [y])
    g.output([x])


def gen_hrnet(g, nodes, width, rng):
    x = g.node("input", [])
    branches = [g.node("nn.Conv2d", [x])]
    while g.count < nodes - 2 * width * width - 2:
        # Grow one branch per stage until --width branches run in parallel.
        if len(branches) < width:
            branches.append(g.node("nn.Conv2d", [branches[-1]]))
        g.begin_block()
        depth = 1 + rng.randrange(2)
        for _ in range(depth):
            branches = [g.node("nn.Conv2d", [b]) for b in branches]
            branches = [g.node("nn.ReLU", [b]) for b in branches]
        # Fusion: each branch sums itself and resampled neighbours.
        fused = []
        for j in range(len(branches)):
            terms = [branches[j]]
            for i in (j - 1, j + 1):
                if 0 <= i < len(branches):
                    op = "nn.Upsample" if i > j else "nn.Conv2d"
                    terms.append(g.node(op, [branches[i]]))
            fused.append(g.node("sum()", terms))
        branches = [g.node("nn.ReLU", [b]) for b in fused]
    ups = [g.node("nn.Upsample", [b]) for b in branches[1:]]
    x = g.node("cat()", [branches[0]] + ups)
    while g.count < nodes - 1:
        x = g.node("nn.Conv2d", [x])
    g.output([x])


def gen_densenet(g, nodes, width, rng):
    x = g.node("input", [])
    x = g.node("nn.Conv2d", [x])
    while g.count < nodes - 1:
        layers = [x]
        g.begin_block()
        for _ in range(width):
            if g.count + 5 >= nodes - 1:
                break
            y = g.node("cat()", layers) if len(layers) > 1 else layers[0]
            y = g.node("nn.BatchNorm2d", [y])
            y = g.node("nn.ReLU", [y])
            y = g.node("nn.Conv2d", [y])
            layers.append(y)
        x = g.node("cat()", layers) if len(layers) > 1 else layers[0]
        if g.count < nodes - 3:
            x = g.node("nn.Conv2d", [x])
            x = g.node("nn.AvgPool2d", [x])
        while g.count < nodes - 1 and nodes - 1 - g.count < 6:
            x = g.node("nn.ReLU", [x])
    g.output([x])


def gen_transformer(g, nodes, width, rng):
    t = "f32[1,197,768]"
    x = g.node("input", [], t)
    x = g.node("nn.Linear", [x], t)
    while g.count < nodes - 1:
        if nodes - 1 - g.count < 13:
            x = g.node("nn.LayerNorm", [x], t)
            continue
        g.begin_block()
        y = g.node("nn.LayerNorm", [x], t)
        q = g.node("nn.Linear", [y], t)
        k = g.node("nn.Linear", [y], t)
        v = g.node("nn.Linear", [y], t)
        a = g.node("scaled_dot_product_attention()", [q, k, v], t)
        a = g.node("nn.Linear", [a], t)
        x = g.node("add()", [x, a], t)
        y = g.node("nn.LayerNorm", [x], t)
        y = g.node("nn.Linear", [y], "f32[1,197,3072]")
        y = g.node("nn.GELU", [y], "f32[1,197,3072]")
        y = g.node("nn.Linear", [y], t)
        x = g.node("add()", [x, y], t)
    g.output([x])


def gen_random(g, nodes, width, rng):
    names = [g.node("input", [])]
    while g.count < nodes - 1:
        if g.count % 16 == 1:
            g.begin_block()
        recent = names[-width:]
        k = min(len(recent), 1 + rng.randrange(3))
        operands = set(rng.sample(range(len(recent)), k))
        # The node about to leave the window is used if nothing used it.
        if len(recent) == width and recent[0] not in g.used:
            operands.add(0)
        operands = sorted(operands)
        names.append(g.node("op()", [recent[i] for i in operands]))
    # Every node without a user feeds the output, so nothing dangles.
    sinks = [n for n in names if n not in g.used]
    g.output(sinks)


GENERATORS = {
    "chain": gen_chain,
    "resnet": gen_resnet,
    "hrnet": gen_hrnet,
    "densenet": gen_densenet,
    "transformer": gen_transformer,
    "random": gen_random,
}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shape", choices=sorted(GENERATORS))
    parser.add_argument("--nodes", type=int, default=1000,
                        help="approximate number of nodes (default 1000)")
    parser.add_argument("--width", type=int, default=None,
                        help="branches (hrnet, default 4), layers per block "
                             "(densenet, default 6), window (random, "
                             "default 8)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the random choices (default 0)")
    parser.add_argument("--name", default=None, help="graph name")
    parser.add_argument("--attrs", choices=["none", "model"], default="none",
                        help="node attributes: none (default) or what "
                             "mav-trace writes (module, ops, params...)")
    args = parser.parse_args()
    width = args.width
    if width is None:
        width = {"hrnet": 4, "densenet": 6, "random": 8}.get(args.shape, 1)
    if args.nodes < 3 or width < 1:
        parser.error("--nodes must be at least 3 and --width at least 1")
    rng = random.Random(args.seed)
    g = GraphWriter(args.name or args.shape, args.attrs == "model")
    GENERATORS[args.shape](g, args.nodes, width, rng)
    sys.stdout.write(g.text())


if __name__ == "__main__":
    main()
