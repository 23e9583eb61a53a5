"""The single neuron (no hidden layer, two classes): its sliders, its equation, its line.

The network sees the plane rescaled to -6..6 (``toy.input_scaling``); the sliders set
those weights.  The equation is written in the plane's own units, so the values on the
axes satisfy it; the rescaled form stands beside it when the two differ.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from playground.core.toy.config import FEATURE_LABELS
from playground.ui.tabs.boundary.panels import NeuronPanel
from playground.ui.tabs.boundary.state import BoundaryState

PLAIN_EXTENT = (-6.0, 6.0, -6.0, 6.0)


def linear_text(coefs: list[float], names: list[str], bias: float) -> str:
    """ "1.20·x₁ − 0.50·x₂ + 3.00" """
    terms = " ".join(
        f"{'−' if w < 0 else '+'} {abs(w):.2f}·{n}" for w, n in zip(coefs, names, strict=True)
    )
    terms = terms[2:] if terms.startswith("+ ") else "−" + terms[2:]
    return f"{terms} {'−' if bias < 0 else '+'} {abs(bias):.2f}"


class NeuronPresenter:
    """Shows the single neuron's weights on the sliders, its equation and its line."""

    def __init__(self, state: BoundaryState, panel: NeuronPanel, plane: Any):
        self.state, self.panel, self.plane = state, panel, plane
        self.toy: Any = None  # set once torch and toy are loaded

    def extent(self) -> tuple[float, ...]:
        if self.toy is not None:
            return tuple(self.toy.extent(self.state.dataset))
        return PLAIN_EXTENT

    def rebuild(self) -> None:
        """Sliders for the state's inputs (hidden unless it is a single neuron)."""
        single = self.state.single_neuron()
        names = [FEATURE_LABELS[k] for k in self.state.features] if single else None
        self.panel.set_inputs(names)
        self.plane.set_single_neuron(None)

    def show(self, weights: list | None) -> None:
        """The weights of a frame on the sliders, the equation and the plane's line."""
        if not self.state.single_neuron() or weights is None or not self.panel.weight_sliders:
            return
        W, b = weights[0]
        values = [*W[0].tolist(), float(b[0])]
        if len(values) != len(self.panel.weight_sliders):
            return
        self.panel.show_values(values)
        self.draw(values)

    def show_loss(self, m: dict) -> None:
        if not self.state.single_neuron():
            return
        loss, acc = m.get("loss", math.nan), m.get("acc", math.nan)
        num = f"{loss:.3f}" if math.isfinite(loss) else "–"
        pct = f"{100 * acc:.1f}%" if math.isfinite(acc) else "–"
        self.panel.hand_loss_label.setText(
            f"Training loss <b>{num}</b>, {pct} of training points right"
        )

    def plane_line(self, values: list[float]) -> tuple[float, float, float] | None:
        """The line a1*x + a2*y + a0 = 0 in plane units (inputs x1, x2 only)."""
        if self.state.features != ("x1", "x2") or self.toy is None:
            return None
        (cx, cy), (fx, fy) = self.toy.input_scaling(self.extent())
        a1, a2 = values[0] * fx, values[1] * fy
        return a1, a2, values[2] - a1 * cx - a2 * cy

    def draw(self, values: list[float]) -> None:
        """The equation of the neuron with weights ``values`` = [w1, ..., b]."""
        names = [FEATURE_LABELS[k] for k in self.state.features]
        scaled = linear_text(values[:-1], names, values[-1])
        cls = self.toy.class_names(self.state.dataset, 2)[1] if self.toy else "class 1"
        line = self.plane_line(values)
        rescaled = self.extent() != PLAIN_EXTENT
        scaled_note = ""
        if line is not None:
            eq = linear_text([line[0], line[1]], names, line[2])  # the axes' own values
            text = f"p({cls}) = σ({eq})"
            tip = (
                "The neuron's output: sigmoid of a weighted sum of the values on the axes "
                "(x₁ across, x₂ up)."
            )
            if rescaled:
                scaled_note = f"The sliders set it on the axes rescaled to −6…6: σ({scaled})"
        else:
            text = f"p({cls}) = σ({scaled})"
            tip = "The neuron's output: sigmoid of a weighted sum of its inputs."
            if rescaled:
                scaled_note = "x₁, x₂: the axes rescaled to −6…6"
        self.panel.equation_label.setText(text)
        self.panel.equation_label.setToolTip(tip)
        self.panel.scaled_label.setText(scaled_note)
        self.panel.scaled_label.setVisible(bool(scaled_note))
        self.plane.set_single_neuron(line, f"{eq} = 0" if line is not None else "")

    def weights_from_line(self, a1: float, a2: float, a0: float) -> tuple | None:
        """The weights (W, b) whose line in plane units is a1*x + a2*y + a0 = 0."""
        if self.toy is None or self.state.features != ("x1", "x2"):
            return None
        (cx, cy), (fx, fy) = self.toy.input_scaling(self.extent())
        W = np.array([[a1 / fx, a2 / fy]], np.float32)
        b = np.array([a0 + a1 * cx + a2 * cy], np.float32)
        return W, b
