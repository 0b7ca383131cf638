#!/usr/bin/python3
"""make-weight-models.py OUTDIR - models for shapes-only-weights.test.

consts.trace.pt: a traced model with a tensor constant (a `constants/`
record of the archive) and two parameters that are views of one storage at
different offsets. dyn_quant.script.pt: a dynamically quantized Linear, whose
__setstate__ packs the weights' values while the model loads.
"""

import sys

import torch


class Consts(torch.nn.Module):
    def __init__(self):
        super().__init__()
        base = torch.randn(2, 8, 8)
        self.a = torch.nn.Parameter(torch.empty(0))
        self.b = torch.nn.Parameter(torch.empty(0))
        # Both parameters over one storage, at offsets 0 and 64.
        self.a.data = base[0]
        self.b.data = base[1]
        self.lin = torch.nn.Linear(8, 8)

    def forward(self, x):
        scale = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
        return self.lin(x @ self.a + x @ self.b) * scale


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    import warnings
    with warnings.catch_warnings():
        # "torch.tensor results are registered as constants": the point.
        warnings.simplefilter("ignore")
        traced = torch.jit.trace(Consts().eval(), torch.randn(2, 8))
    traced.save(f"{out}/consts.trace.pt")
    quantized = torch.ao.quantization.quantize_dynamic(
        torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU()).eval(),
        {torch.nn.Linear}, dtype=torch.qint8)
    torch.jit.script(quantized).save(f"{out}/dyn_quant.script.pt")


if __name__ == "__main__":
    main()
