"""The Bigram tab (not built yet)."""

from __future__ import annotations

from playground.ui.tabs.base import PlaceholderTab


class BigramTab(PlaceholderTab):
    key = "bigram"
    title = "Bigram"
    lines = [
        "the 27x27 bigram counts of names.txt, sampling and likelihood",
        "the one-layer neural bigram trained to the same answer",
    ]
