"""Capturing a PyTorch model as mav IR.

First choice: ``torch.export.export(..., strict=False)``. Export runs the
forward on fake tensors, so nothing is computed and a model on the meta
device needs no memory for its weights. The exported program is
serialized to its JSON document only (no weights) and read by the C++
`.pt2` reader in memory, which gives the same IR as `mav-trace model.pt2`.

When export fails (a forward that does not run, Python control flow on
tensor values, ops export cannot trace), the eager captures of
mav/_eager.py draw the model instead, and say so (docs/Jupyter.md).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import warnings

import torch

from . import _eager
from . import _mav


class MavWarning(UserWarning):
    """A warning of mav's C++ core, with the text the tools print: from the
    .pt2 reader (tied weights it could not recognise) or a pass (a count
    too large for 64 bits)."""


class MavCaptureWarning(MavWarning):
    """Says which capture drew the model when it was not torch.export, and
    why; or that the model's forward pass failed part way."""


@dataclasses.dataclass
class Capture:
    ir: str             # the captured graph's IR text (before any pass)
    method: str         # "export", "fx" or "hooks"
    failure: tuple | None = None   # (module path, operation, message)
    export_error: str | None = None
    warnings: tuple = ()           # the .pt2 reader's warnings


def normalize_inputs(inputs):
    """IDLMAV's `inputs`: a tensor, a tuple (or list) of positional
    arguments, or a dict of keyword arguments -> (args, kwargs)."""
    if isinstance(inputs, torch.Tensor):
        return (inputs,), {}
    if isinstance(inputs, (tuple, list)):
        return tuple(inputs), {}
    if isinstance(inputs, dict):
        if not all(isinstance(k, str) for k in inputs):
            raise TypeError("MAV: the keys of an inputs dict are the "
                            "forward's keyword argument names (strings)")
        return (), dict(inputs)
    if inputs is None:
        return (), {}
    raise TypeError(f"MAV: inputs must be a tensor, a tuple of positional "
                    f"arguments or a dict of keyword arguments, not "
                    f"{type(inputs).__name__}")


def _map_tensors(value, fn):
    if isinstance(value, torch.Tensor):
        return fn(value)
    if isinstance(value, tuple):
        return tuple(_map_tensors(v, fn) for v in value)
    if isinstance(value, list):
        return [_map_tensors(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _map_tensors(v, fn) for k, v in value.items()}
    return value


def place(model, args, kwargs, device):
    """Moves the model and inputs to `device` (IDLMAV's `device`). A model
    on the meta device stays there and its inputs follow it."""
    on_meta = any(t.is_meta for t in model.parameters()) or any(
        t.is_meta for t in model.buffers())
    if on_meta:
        to_meta = lambda t: t.to("meta")  # noqa: E731
        return _map_tensors(args, to_meta), _map_tensors(kwargs, to_meta)
    if device is None:
        return args, kwargs
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise ValueError(f"MAV: invalid device {device!r}: {error}") from None
    model.to(device)
    move = lambda t: t.to(device)  # noqa: E731
    return _map_tensors(args, move), _map_tensors(kwargs, move)


def _tied_parameters(model):
    groups = {}
    for name, p in model.named_parameters(remove_duplicate=False):
        groups.setdefault(id(p), []).append(name)
    return [names for names in groups.values() if len(names) > 1]


def _module_classes(model):
    """Module path -> its class names from the root down (the IR's `class`,
    as the fallback captures write it): names the not-run node of a module
    that never ran."""
    from ._eager import _class_path

    return {path: _class_path(model, path)
            for path, _ in model.named_modules()}


def _program_json(program) -> bytes:
    """The serialized ExportedProgram, without weights or constants."""
    from unittest import mock

    from torch._export.serde import serialize as serde

    # serialize() canonicalizes a deep copy of the program only to check
    # that its canonical form is well defined, and throws the copy away:
    # two thirds of its time on resnet18 (0.29 of 0.44 s). The JSON is the
    # same without it.
    with mock.patch.object(serde, "canonicalize",
                           lambda program, *args, **kwargs: program):
        try:
            artifact = serde.serialize(program, serialize_state_dict=False,
                                       serialize_constants=False,
                                       serialize_example_inputs=False)
        except TypeError:  # a torch without these switches
            artifact = serde.serialize(program)
    return artifact.exported_program


@contextlib.contextmanager
def _eval_mode(model):
    training = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for m, was in training:
            m.training = was


@contextlib.contextmanager
def _quiet():
    """torch.export logs the traceback and graph of every failure; a failed
    export is expected here (the eager capture follows) and reported once,
    by MAV, in a warning."""
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(previous)


def _graph_name(model) -> str:
    return type(model).__name__


@contextlib.contextmanager
def _without_kv_cache(model):
    """Hugging Face models return their key/value cache by default, a type
    torch.export cannot flatten; drawing needs no cache (the usual export
    recipe sets use_cache=False)."""
    config = getattr(model, "config", None)
    if getattr(config, "use_cache", None) is not True:
        yield
        return
    config.use_cache = False
    try:
        yield
    finally:
        config.use_cache = True


def capture(model, args, kwargs, granularity: str = "module") -> Capture:
    name = _graph_name(model)
    export_error = None
    with _eval_mode(model), _without_kv_cache(model):
        try:
            with _quiet():
                program = torch.export.export(model, args, kwargs,
                                              strict=False)
        except Exception as error:  # export's failures are of many types
            export_error = f"{type(error).__name__}: {_first_line(error)}"
        else:
            json_bytes = _program_json(program)
            graph = _mav.Graph.from_export_json(
                json_bytes, name, granularity,
                _tied_parameters(model), _module_classes(model))
            return Capture(graph.print(), "export",
                           warnings=tuple(graph.take_warnings()))

        source = f"{name} (eager)"
        with torch.no_grad():
            try:
                text, failure = _eager.capture_fx(model, args, kwargs, name,
                                                  source)
                method = "fx"
            except _eager.CaptureFailure:
                text, failure = _eager.capture_hooks(model, args, kwargs,
                                                     name, source)
                method = "hooks"
    return Capture(text, method, failure, export_error)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def load_archive(path) -> Capture:
    """A `.pt2` archive written by torch.export.save."""
    with open(path, "rb") as f:
        data = f.read()
    graph = _mav.Graph.from_export_archive(data, str(path))
    return Capture(graph.print(), "export",
                   warnings=tuple(graph.take_warnings()))


__all__ = ["Capture", "MavCaptureWarning", "MavWarning", "capture",
           "normalize_inputs", "place", "load_archive"]
