"""Colours and small style helpers shared by every tab."""

from __future__ import annotations

# Okabe-Ito: a colour-blind-safe qualitative palette (class colours, curves).
OKABE_ITO = [
    "#E69F00",  # orange
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",
]
TRAIN_COLOR = "#0072B2"
TEST_COLOR = "#D55E00"
REFERENCE_COLOR = "#555555"


def rgb(hex_color: str) -> tuple[int, int, int]:
    """'#RRGGBB' -> (r, g, b)."""
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
