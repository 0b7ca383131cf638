"""How a figure or page reaches a notebook's output.

Every output carries an HTML representation that works with no kernel and
no network: the page (or the Plotly figure) inside an ``<iframe srcdoc>``,
with plotly.js inlined. That is what nbconvert's HTML export and nbviewer
show, and what JupyterLab, Notebook 6/7 and VS Code render. The iframe is
sandboxed (scripts only), so nothing a model names can reach the notebook.
``show_figure`` adds the ``application/vnd.plotly.v1+json`` bundle for front
ends that render Plotly natively. docs/Jupyter.md says what works where.
"""

from __future__ import annotations

import html
import json

from . import _mav


def plotly_script(offline: bool) -> str:
    if offline:
        js = _mav.plotly_js()
        if not js:
            raise RuntimeError(
                "mav: this build has no inlined plotly.js (it was built "
                "without utils/plotly-bundle/dist/plotly-mav.min.js); pass "
                "offline=False to load plotly.js from the CDN")
        return "<script>" + _script_text(js.decode("utf-8")) + "</script>"
    return f'<script src="{_mav.plotly_cdn_url}" charset="utf-8"></script>'


def _script_text(text: str) -> str:
    """Text that cannot close its <script> element early."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def figure_page(figure: dict, offline: bool) -> str:
    """A standalone page drawing a Plotly figure (show_figure's HTML)."""
    data = _script_text(json.dumps(figure, separators=(",", ":")))
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
            + plotly_script(offline) +
            "</head><body style=\"margin:0\"><div id=\"mav-figure\"></div>"
            "<script>var mavFigure = " + data + ";\n"
            "Plotly.newPlot('mav-figure', mavFigure.data, mavFigure.layout,"
            " {responsive: true});</script></body></html>")


# Shown instead of the page where a front end removes the iframe: an
# untrusted notebook's HTML outputs are sanitised, and JupyterLab, Notebook
# 6 and 7 drop iframes. The notice follows the iframe in a box of the
# iframe's height that hides what overflows it, so it is seen only when the
# iframe is gone.
UNTRUSTED_NOTICE = (
    "mav: this output is an interactive page, not shown because the "
    "notebook is not trusted. Run the cell again, or trust the notebook "
    "(File > Trust Notebook in Notebook 6; the command 'Trust Notebook' in "
    "JupyterLab and Notebook 7).")


def iframe(page: str, height: int) -> str:
    """The page as one output element, kept whole by every front end."""
    height = int(height)
    return (f'<div style="height:{height}px;overflow:hidden">'
            f'<iframe srcdoc="{html.escape(page, quote=True)}" '
            f'sandbox="allow-scripts allow-downloads allow-popups" '
            f'style="display:block;width:100%;height:{height}px;border:0" '
            f'title="mav"></iframe>'
            f'<p>{html.escape(UNTRUSTED_NOTICE)}</p></div>')


class Output:
    """A display object: what IPython's display() shows."""

    def __init__(self, html_text: str, figure: dict | None = None):
        self.html = html_text
        self.figure = figure

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/html": self.html}
        if self.figure is not None:
            bundle["application/vnd.plotly.v1+json"] = self.figure
        return bundle


def show(output: Output) -> None:
    try:
        from IPython.display import display
    except ImportError:
        raise RuntimeError(
            "mav: showing a figure needs IPython (a notebook); outside one, "
            "use export_static_html(path)") from None
    display(output)
