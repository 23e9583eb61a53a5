"""The Decision boundary tab (not built yet)."""

from __future__ import annotations

from playground.ui.tabs.base import PlaceholderTab


class BoundaryTab(PlaceholderTab):
    key = "boundary"
    title = "Decision boundary"
    lines = [
        "a single neuron draws a line; hidden layers bend it",
        "features, activations, optimizers and regularization, watched live",
    ]
