#!/usr/bin/env python3
"""Generate a synthetic model-graph IR (.mav) of a given shape and size.

Deterministic: the same arguments (including --seed) always give the same
bytes. Used by the layout benchmarks (utils/bench-layout.sh) and for trying
passes on graphs far larger than real models.

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
"""

import argparse
import random
import sys


class GraphWriter:
    """Collects node lines; names are %n0, %n1, ... in creation order."""

    def __init__(self, name):
        self.name = name
        self.lines = []
        self.count = 0
        self.used = set()

    def node(self, op, operands, result="f32[1,64,32,32]", attrs=None):
        name = "n%d" % self.count
        self.count += 1
        self.used.update(operands)
        args = ", ".join("%" + o for o in operands)
        attr_text = ""
        if attrs:
            attr_text = " {" + ", ".join(
                '%s = "%s"' % (k, v) for k, v in sorted(attrs.items())) + "}"
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
        x = g.node("nn.Linear", [x], "f32[1,64]")
    g.output([x])


def gen_resnet(g, nodes, width, rng):
    x = g.node("input", [])
    x = g.node("nn.Conv2d", [x])
    while g.count < nodes - 1:
        if nodes - 1 - g.count < 9:
            x = g.node("nn.ReLU", [x])
            continue
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
    args = parser.parse_args()
    width = args.width
    if width is None:
        width = {"hrnet": 4, "densenet": 6, "random": 8}.get(args.shape, 1)
    if args.nodes < 3 or width < 1:
        parser.error("--nodes must be at least 3 and --width at least 1")
    rng = random.Random(args.seed)
    g = GraphWriter(args.name or args.shape)
    GENERATORS[args.shape](g, args.nodes, width, rng)
    sys.stdout.write(g.text())


if __name__ == "__main__":
    main()
