"""Writing model-graph IR text (docs/IR.md) from Python.

The eager captures (mav/_eager.py) describe a model as a list of nodes and
hand its IR text to the C++ parser, so the graph they give goes through the
same verifier, passes and renderers as one read from a `.pt2` archive.
Every string from the model (names, messages) is escaped here.
"""

from __future__ import annotations

import math
import re

_BARE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")
_BARE_NAME = re.compile(r"[A-Za-z0-9_.$]+\Z")

_DTYPES = {
    "bool": "bool", "uint8": "u8", "int8": "i8", "int16": "i16",
    "int32": "i32", "int64": "i64", "float16": "f16", "bfloat16": "bf16",
    "float32": "f32", "float64": "f64", "complex32": "c32",
    "complex64": "c64", "complex128": "c128", "qint8": "qi8",
    "quint8": "qu8", "qint32": "qi32",
}


class Type(str):
    """An IR type written as an attribute value (not quoted)."""


class Raw(str):
    """IR text written as is."""


def string(text: str) -> str:
    """A string literal with the IR's escapes."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02X}")
        elif 0xD800 <= code <= 0xDFFF:  # a lone surrogate is not UTF-8
            out.append("\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def name(text: str) -> str:
    return text if _BARE_NAME.match(text) else string(text)


def key(text: str) -> str:
    return text if _BARE_KEY.match(text) else string(text)


def tensor_type(tensor) -> str:
    dtype = _DTYPES.get(str(tensor.dtype).removeprefix("torch."), "?")
    dims = []
    for d in tensor.shape:
        try:
            dims.append(str(int(d)))
        except Exception:  # an unbacked symbolic size
            dims.append("?")
    return f"{dtype}[{','.join(dims)}]"


def value_type(value) -> str:
    """The IR type of a Python value a node produced."""
    import torch

    if isinstance(value, torch.Tensor):
        return tensor_type(value)
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if value is None:
        return "none"
    if isinstance(value, (tuple, list)) and value:
        inner = ", ".join(value_type(v) for v in value)
        return f"tuple<{inner}>"
    return "?"


def attr(value) -> str:
    """An attribute value: none, bool, int, float, string, list, dict."""
    if isinstance(value, (Type, Raw)):
        return str(value)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if -(2**63) <= value < 2**63:
            return str(value)
        return string(str(value))
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = repr(value)
        return text if ("." in text or "e" in text) else text + ".0"
    if isinstance(value, str):
        return string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(attr(v) for v in value) + "]"
    if isinstance(value, dict):
        return attr_dict(value)
    return string(str(value))


def attr_dict(entries: dict) -> str:
    items = sorted(entries.items(), key=lambda kv: kv[0].encode())
    return "{" + ", ".join(f"{key(k)} = {attr(v)}" for k, v in items) + "}"


class Node:
    """One IR node: `%name = node "operation"(operands) {attrs} : types`."""

    def __init__(self, name: str, operation: str, operands=(), attrs=None,
                 types: str = "?"):
        self.name = name
        self.operation = operation
        self.operands = list(operands)
        self.attrs = dict(attrs or {})
        self.types = types

    def text(self) -> str:
        operands = ", ".join("%" + name(o) for o in self.operands)
        attrs = " " + attr_dict(self.attrs) if self.attrs else ""
        return (f"  %{name(self.name)} = node {string(self.operation)}"
                f"({operands}){attrs} : {self.types}")


def graph_text(graph_name: str, attrs: dict, nodes: list[Node]) -> str:
    head = f"graph @{name(graph_name)}"
    if attrs:
        head += " attributes " + attr_dict(attrs)
    lines = [head + " {"]
    lines += [n.text() for n in nodes]
    lines.append("}")
    return "\n".join(lines) + "\n"
