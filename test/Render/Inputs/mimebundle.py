"""Shows a `mav-render --plotly-json` figure the way Jupyter does
(docs/Jupyter.md): plotly.py loads it with validation on, and its display
data is the `application/vnd.plotly.v1+json` MIME bundle that JupyterLab,
VS Code and nbviewer render. Prints what the lit test checks.
"""
import json
import sys

import plotly.io as pio

text = open(sys.argv[1], encoding="utf-8").read()
original = json.loads(text)
figure = pio.from_json(text)  # validates every property

pio.renderers.default = "plotly_mimetype"
bundle = figure._repr_mimebundle_(None, None)
print("mime types:", sorted(bundle))
shown = bundle["application/vnd.plotly.v1+json"]


def without_colorscales(value):
    """plotly.py expands named colorscales ("Bluered") into their stops."""
    if isinstance(value, dict):
        return {k: without_colorscales(v) for k, v in value.items()
                if k != "colorscale"}
    if isinstance(value, list):
        return [without_colorscales(v) for v in value]
    return value


print("traces:", len(shown["data"]))
print("data round-trips:",
      without_colorscales(shown["data"]) == without_colorscales(original["data"]))
layout = {k: v for k, v in shown["layout"].items() if k != "template"}
print("layout round-trips:", layout == original["layout"])
print("colorscale:", shown["data"][-2]["marker"]["colorscale"])
