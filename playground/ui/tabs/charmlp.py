"""The Character MLP tab (not built yet)."""

from __future__ import annotations

from playground.ui.tabs.base import PlaceholderTab


class CharMLPTab(PlaceholderTab):
    key = "charmlp"
    title = "Character MLP"
    lines = [
        "Bengio et al. 2003: embeddings, an MLP, the learning-rate finder",
        "activation statistics and samples as it learns",
    ]
