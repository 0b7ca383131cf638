"""`MAV`: IDLMAV's notebook API over mav's C++ pipeline.

    from mav import MAV
    mav = MAV(model, x)          # capture, then cost, merge, layout, color
    mav                          # the interactive page, as a cell's value
    mav.show_figure()            # IDLMAV's portable Plotly figure
    mav.export_static_html("model.html")

Parameter names and meanings are IDLMAV 1.1's. Beyond it: `.ir` (the IR
text), `.run(pipeline)` (the same capture through other passes) and
`.totals` (numbers). docs/Jupyter.md is the user's guide.
"""

from __future__ import annotations

import math
import numbers
import os
import re
import tempfile
import warnings

from . import _capture, _display, _mav
from ._capture import MavCaptureWarning, MavWarning

MavError = _mav.MavError

_COLOR = re.compile(r"#[0-9A-Fa-f]{6}\Z")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _flag(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"MAV: {name} must be True or False, not {value!r}")
    return value


def _color_pass(palette, avoid_palette_idxs, fixed_color_map) -> str | None:
    """`color{...}` for IDLMAV's colour arguments, or None for defaults."""
    options = []
    if palette is not None:
        if isinstance(palette, str):
            options.append(f"palette={_quote(palette)}")
        elif isinstance(palette, (list, tuple)) and palette and all(
                isinstance(c, str) and _COLOR.match(c) for c in palette):
            options.append("palette=[" + ",".join(palette) + "]")
        else:
            raise ValueError("MAV: palette must be a palette name ('large', "
                             "'small', a Plotly palette such as 'Vivid') or "
                             f"a list of '#RRGGBB' strings, not {palette!r}")
    if avoid_palette_idxs is not None:
        try:
            idxs = sorted(avoid_palette_idxs)
        except TypeError:
            raise TypeError("MAV: avoid_palette_idxs must be a set of "
                            f"integers, not {avoid_palette_idxs!r}") from None
        if not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0
                   for i in idxs):
            raise ValueError("MAV: avoid_palette_idxs must hold palette "
                             f"indices (integers >= 0), not {idxs!r}")
        if idxs:
            options.append("avoid=[" + ",".join(map(str, idxs)) + "]")
    if fixed_color_map is not None:
        if not isinstance(fixed_color_map, dict):
            raise TypeError("MAV: fixed_color_map must be a dict from an "
                            "operation or category to a palette index or "
                            f"'#RRGGBB', not {type(fixed_color_map).__name__}")
        entries = []
        for k, v in fixed_color_map.items():
            valid = (isinstance(v, int) and not isinstance(v, bool) and v >= 0
                     ) or (isinstance(v, str) and _COLOR.match(v))
            if not isinstance(k, str) or not valid:
                raise ValueError(
                    f"MAV: fixed_color_map entry {k!r}: {v!r} must map an "
                    "operation or category name to a palette index or "
                    "'#RRGGBB'")
            entries.append(_quote(f"{k}:{v}"))
        if entries:
            options.append("map=[" + ",".join(entries) + "]")
    if not options:
        return None
    return "color{" + ",".join(options) + "}"


def _view_options(add_overview, add_slider, add_table, num_levels_displayed,
                  continuous_colorscale, size_color_idx, figure: bool) -> dict:
    options = {}
    if add_table is not None and not _flag(add_table, "add_table"):
        options["no-table"] = "true"
    # The figure's panels are opt-in (--overview), the page's opt-out.
    for panel, value in (("overview", add_overview), ("slider", add_slider)):
        if value is None:
            continue
        on = _flag(value, f"add_{panel}")
        if figure and on:
            options[panel] = "true"
        elif not figure and not on:
            options["no-" + panel] = "true"
    if num_levels_displayed is not None:
        if isinstance(num_levels_displayed, bool) or not isinstance(
                num_levels_displayed, numbers.Real) or \
                not num_levels_displayed >= 1:
            raise ValueError("MAV: num_levels_displayed must be a number "
                             f">= 1, not {num_levels_displayed!r}")
        options["levels-shown"] = str(int(math.ceil(num_levels_displayed)))
    if continuous_colorscale is not None:
        if not isinstance(continuous_colorscale, str):
            raise TypeError("MAV: continuous_colorscale must be the name of "
                            "a Plotly colorscale, such as 'Bluered'")
        options["colorscale"] = continuous_colorscale
    if size_color_idx is not None:
        if size_color_idx not in (0, 1, 2, 3) or isinstance(size_color_idx,
                                                             bool):
            raise ValueError("MAV: size_color_idx must be 0, 1, 2 or 3, not "
                             f"{size_color_idx!r}")
        options["size-color"] = str(size_color_idx)
    return options


def _height(height_px, default: int) -> int:
    if height_px is None:
        return default
    if isinstance(height_px, bool) or not isinstance(height_px, int) or \
            height_px < 100:
        raise ValueError(f"MAV: height_px must be an integer >= 100, not "
                         f"{height_px!r}")
    return height_px


def _group_option(group_depth):
    """The group pass's depth option for MAV's `group_depth`, or None."""
    if group_depth is None:
        return None
    if group_depth == "auto":
        return "auto"
    if isinstance(group_depth, bool) or not isinstance(group_depth, int) or \
            group_depth < 0:
        raise ValueError("MAV: group_depth must be None, 'auto' or an "
                         f"integer >= 0, not {group_depth!r}")
    return str(group_depth)


def _default_pipeline(merge_threshold: float, group_depth=None) -> str:
    passes = ["cost"]
    if merge_threshold >= 0:
        passes.append(f"merge{{threshold={merge_threshold!r}}}")
    group = _group_option(group_depth)
    if group is not None:
        passes.append(f"group{{depth={group}}}")
    passes += ["layout", "color"]
    return ",".join(passes)


class MAV:
    """A model's architecture, captured once and drawn on demand.

    MAV(model, inputs, device='cpu', merge_threshold=0.01)

    `inputs` is a tensor, a tuple of positional arguments or a dict of
    keyword arguments. `device` moves the model and inputs there first
    (None leaves them; a model on the meta device stays on it).
    `merge_threshold` is IDLMAV's: < 0 merges nothing, 0 merges nodes
    without parameters, 0 < t < 1 merges the smallest nodes while their
    parameters stay under that fraction of the total.

    Beyond IDLMAV, `group_depth` groups the nodes by module, folds runs of
    identical blocks (`×N`) and opens the page with groups down to that
    depth expanded: 'auto' picks the deepest depth whose first view has at
    most about 60 items, an integer that depth (0: all collapsed); None
    (the default) draws every node as IDLMAV does (docs/Layout.md,
    "Groups").
    """

    def __init__(self, model, inputs=None, device="cpu",
                 merge_threshold=0.01, *, granularity="module",
                 group_depth=None):
        import torch

        if not isinstance(model, torch.nn.Module):
            raise TypeError(f"MAV: model must be a torch.nn.Module, not "
                            f"{type(model).__name__}")
        if isinstance(merge_threshold, bool) or not isinstance(
                merge_threshold, numbers.Real) or math.isnan(merge_threshold):
            raise TypeError("MAV: merge_threshold must be a number, not "
                            f"{merge_threshold!r}")
        if merge_threshold > 1:
            raise ValueError("MAV: merge_threshold is a fraction of the "
                             f"parameters, at most 1, not {merge_threshold}")
        pipeline = _default_pipeline(float(merge_threshold), group_depth)
        if granularity not in ("module", "op"):
            raise ValueError("MAV: granularity must be 'module' or 'op', not "
                             f"{granularity!r}")
        args, kwargs = _capture.normalize_inputs(inputs)
        args, kwargs = _capture.place(model, args, kwargs, device)
        capture = _capture.capture(model, args, kwargs, granularity)
        self._init(capture, pipeline)
        if capture.method != "export":
            warnings.warn(
                f"mav: torch.export could not capture {type(model).__name__}"
                f" ({capture.export_error}); drawn with the {capture.method} "
                "capture instead (docs/Jupyter.md, 'When torch.export fails')",
                MavCaptureWarning, stacklevel=2)
        if capture.failure is not None:
            path, operation, message = capture.failure
            where = f"module '{path}' ({operation})" if path else operation
            warnings.warn(f"mav: the forward pass failed in {where}: "
                          f"{message}; the rest of the model is drawn "
                          "not-run", MavCaptureWarning, stacklevel=2)

    @classmethod
    def from_pt2(cls, path, merge_threshold=0.01, *,
                 group_depth=None) -> "MAV":
        """Draws a torch.export archive written by torch.export.save."""
        pipeline = _default_pipeline(float(merge_threshold), group_depth)
        self = cls.__new__(cls)
        self._init(_capture.load_archive(os.fspath(path)), pipeline)
        return self

    def _init(self, capture, pipeline: str) -> None:
        """Builds the drawing; the core's warnings (the reader's, the
        passes') go to the caller's caller, the user's line."""
        self._capture = capture
        self._pipeline = pipeline
        self._graph, passes_warned = self._build(pipeline)
        for message in capture.warnings + tuple(passes_warned):
            warnings.warn(message, MavWarning, stacklevel=3)

    def _build(self, pipeline: str):
        """The captured graph through `pipeline`, and the passes' warnings."""
        graph = _mav.Graph.parse(self._capture.ir, "<capture>")
        warned = graph.run(pipeline) if pipeline else []
        return graph, warned

    # --- beyond IDLMAV ---------------------------------------------------

    @property
    def capture(self) -> str:
        """Which capture drew the model: 'export', 'fx' or 'hooks'."""
        return self._capture.method

    @property
    def failure(self):
        """(module path, operation, message) of the node whose forward
        raised, or None."""
        return self._capture.failure

    @property
    def ir(self) -> str:
        """The IR text after the passes."""
        return self._graph.print()

    @property
    def captured_ir(self) -> str:
        """The IR text the capture wrote, before any pass."""
        return self._capture.ir

    @property
    def totals(self) -> dict:
        """Totals as numbers: params, macs, flops, buffers, param_bytes,
        activation_elems, activation_bytes."""
        return dict(self._graph.totals())

    def run(self, pipeline: str) -> "MAV":
        """The same capture through another pass pipeline, e.g.
        ``"merge{threshold=0.05},layout{direction=right}"``. The passes
        a drawing needs and the pipeline leaves out (cost, layout, color)
        run when it is drawn."""
        if not isinstance(pipeline, str):
            raise TypeError("MAV.run: the pipeline is a string such as "
                            "'merge{threshold=0.05},layout'")
        other = MAV.__new__(MAV)
        other._init(self._capture, pipeline)
        return other

    # --- IDLMAV's API ----------------------------------------------------

    def _drawn(self, color):
        if color is None:
            return self._graph
        # (Any warning was given when the model was first drawn.)
        return self._build(",".join(p for p in (self._pipeline, color)
                                    if p))[0]

    def _page(self, offline, add_overview=None, add_slider=None,
              add_table=None, num_levels_displayed=None, palette=None,
              avoid_palette_idxs=None, fixed_color_map=None,
              continuous_colorscale=None, size_color_idx=None) -> str:
        options = _view_options(add_overview, add_slider, add_table,
                                num_levels_displayed, continuous_colorscale,
                                size_color_idx, figure=False)
        if _flag(offline, "offline"):
            options["offline"] = "true"
        graph = self._drawn(_color_pass(palette, avoid_palette_idxs,
                                        fixed_color_map))
        return graph.render("html", options)

    def show_widget(self, add_overview=None, add_slider=None, add_table=None,
                    num_levels_displayed=None, height_px=None, palette=None,
                    avoid_palette_idxs=None, fixed_color_map=None,
                    continuous_colorscale=None, size_color_idx=None,
                    offline=True):
        """Shows the synchronised page: overview, graph, slider, table.
        Panels default to on; `offline=False` loads plotly.js from the CDN
        instead of inlining it."""
        page = self._page(offline, add_overview, add_slider, add_table,
                          num_levels_displayed, palette, avoid_palette_idxs,
                          fixed_color_map, continuous_colorscale,
                          size_color_idx)
        _display.show(_display.Output(
            _display.iframe(page, _height(height_px, 800))))

    def figure(self, add_overview=None, add_slider=None, add_table=None,
               num_levels_displayed=None, palette=None,
               avoid_palette_idxs=None, fixed_color_map=None,
               continuous_colorscale=None, size_color_idx=None) -> dict:
        """IDLMAV's portable figure as a Plotly figure dict."""
        import json

        options = _view_options(add_overview, add_slider, add_table,
                                num_levels_displayed, continuous_colorscale,
                                size_color_idx, figure=True)
        graph = self._drawn(_color_pass(palette, avoid_palette_idxs,
                                        fixed_color_map))
        return json.loads(graph.render("plotly-json", options))

    def show_figure(self, add_overview=None, add_slider=None, add_table=None,
                    num_levels_displayed=None, height_px=None, palette=None,
                    avoid_palette_idxs=None, fixed_color_map=None,
                    continuous_colorscale=None, size_color_idx=None,
                    offline=True):
        """Shows IDLMAV's portable Plotly figure (hover, pan, zoom, the
        dropdown; no synchronised table)."""
        figure = self.figure(add_overview, add_slider, add_table,
                             num_levels_displayed, palette,
                             avoid_palette_idxs, fixed_color_map,
                             continuous_colorscale, size_color_idx)
        height = _height(height_px, figure.get("layout", {}).get("height")
                         or 600)
        figure.setdefault("layout", {})["height"] = height
        page = _display.figure_page(figure, _flag(offline, "offline"))
        _display.show(_display.Output(_display.iframe(page, height + 20),
                                      figure))

    def export_static_html(self, filename, export_for_offline_use=False,
                           add_overview=None, add_slider=None,
                           add_table=None, num_levels_displayed=None,
                           palette=None, avoid_palette_idxs=None,
                           fixed_color_map=None, continuous_colorscale=None,
                           size_color_idx=None) -> None:
        """Writes the page as a standalone HTML file. plotly.js comes from
        the CDN unless `export_for_offline_use` (then it is inlined, about
        1.2 MB). The file is written whole or not at all."""
        page = self._page(export_for_offline_use, add_overview, add_slider,
                          add_table, num_levels_displayed, palette,
                          avoid_palette_idxs, fixed_color_map,
                          continuous_colorscale, size_color_idx)
        path = os.fspath(filename)
        folder = os.path.dirname(os.path.abspath(path))
        fd, temp = tempfile.mkstemp(prefix=".mav-", suffix=".html",
                                    dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(page)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise

    def _repr_html_(self) -> str:
        return _display.iframe(self._page(True), 800)

    def __repr__(self) -> str:
        totals = self._graph.totals()
        return (f"<mav.MAV {len(self._graph)} nodes, "
                f"{totals.get('params', 0):,} params, "
                f"{totals.get('macs', 0):,} MACs, capture={self.capture}>")


__all__ = ["MAV", "MavError", "MavCaptureWarning"]
