"""The Digits tab (not built yet)."""

from __future__ import annotations

from playground.ui.tabs.base import PlaceholderTab


class DigitsTab(PlaceholderTab):
    key = "digits"
    title = "Digits"
    lines = [
        "draw a digit and see what the network thinks",
        "MNIST and Fashion-MNIST models trained live",
    ]
