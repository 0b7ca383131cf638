"""mav: model architecture visualisation for PyTorch 2.x notebooks.

    from mav import MAV
    MAV(model, x)                  # as a cell's value: the interactive page
    MAV(model, x).show_figure()    # IDLMAV's portable Plotly figure

The capture uses torch.export (falling back to torch.fx and module hooks);
the graph goes through mav's C++ passes and renderers in this process.
See docs/Jupyter.md.
"""

from ._api import MAV, MavCaptureWarning, MavError, MavWarning

__all__ = ["MAV", "MavError", "MavWarning", "MavCaptureWarning"]
__version__ = "0.1.0"
