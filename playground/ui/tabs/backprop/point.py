"""A point of the Decision boundary explained on the graph page: its loss as a graph with
the Boundary network's weights, backward by hand, and an SGD step sent back.

The Boundary tab sends ``{"weights", "features_values", "label", "activation",
"feature_names"}`` (:data:`POINT_KEYS`) to :meth:`PointMixin.explain_point_from`; the
new weights of an SGD step go back through ``weights_stepped``.  Part of
:class:`~playground.ui.tabs.backprop.BackpropTab`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from playground.core import micrograd as mg

POINT_KEYS = ("weights", "features_values", "label", "activation", "feature_names")
REQUIRED_KEYS = POINT_KEYS[:4]  # feature_names may be missing or None: x1, x2, ...


def where_text(names: Sequence[str], values: Sequence[float]) -> str:
    """ "x1=0.8, x2=-1.2": the point's coordinates (every feature when x1, x2 are not)."""
    pairs = dict(zip(names, values, strict=True))
    shown = ("x1", "x2") if {"x1", "x2"} <= set(pairs) else tuple(pairs)
    return ", ".join(f"{n}={pairs[n]:.3g}" for n in shown)


class PointMixin:
    """Explain one Boundary point; SGD step on its weights."""

    def explain_point_from(self, payload: Any) -> bool:
        """:meth:`explain_point` from the Boundary tab's dict (keys: :data:`POINT_KEYS`);
        a missing or unknown key is said in the message bar and changes nothing."""
        if not isinstance(payload, dict):
            self.show_message("Cannot explain that point: expected a dict.", "error")
            return False
        missing = [k for k in REQUIRED_KEYS if k not in payload]
        unknown = [k for k in payload if k not in POINT_KEYS]
        if missing or unknown:
            parts = [f"missing {', '.join(missing)}"] if missing else []
            parts += [f"unknown {', '.join(map(str, unknown))}"] if unknown else []
            self.show_message(f"Cannot explain that point: {'; '.join(parts)}.", "error")
            return False
        return self.explain_point(
            payload["weights"],
            payload["features_values"],
            payload["label"],
            payload["activation"],
            payload.get("feature_names"),
        )

    def explain_point(
        self,
        weights: Sequence[tuple[np.ndarray, np.ndarray]],
        features_values: Sequence[float],
        label: int,
        activation: str,
        feature_names: Sequence[str] | None = None,
    ) -> bool:
        """Show one point's loss as a graph with these weights (the Decision boundary's
        ``model.weights()``: ``(W (out, in), b (out,))`` per layer)."""
        try:
            lists = [
                (np.asarray(W, float).tolist(), np.asarray(b, float).ravel().tolist())
                for W, b in weights
            ]
            x = list(map(float, features_values))
            point = mg.PointLoss(lists, x, int(label), activation, feature_names)
            self.presenter.load(point)
        except (ValueError, TypeError) as exc:
            self.show_message(f"Cannot explain that point: {exc}", "error")
            return False
        self.point = point
        self.state.page = "graph"
        self.graph.backward.show_sgd(True)
        sizes = [len(x)] + [len(b) for _, b in lists]
        net = "-".join(map(str, sizes)) + ("" if len(sizes) == 2 else f" {activation}")
        where = where_text(point.inputs, x)
        self.graph.expression.show_source(
            None,
            f"Point ({where}) of the Decision boundary, label {label}: its loss with that "
            f"tab's network ({net}).",
        )
        self.show_message(
            f"Point ({where}) of the Decision boundary, label {label}: its loss with that "
            "tab's current weights. Backward gives every weight's grad; SGD step moves them "
            "by -lr * grad and sends them back: the Decision boundary's network takes them "
            "and its boundary moves."
        )
        return True

    def sgd_step(self) -> list[tuple[np.ndarray, np.ndarray]] | None:
        """Move the point's weights by -lr * grad, show the new loss, emit the weights."""
        if self.point is None:
            return None
        if not self.presenter.complete:
            self.presenter.run_all()
        before = self.presenter.built.root.data
        new = self.point.stepped(self.presenter.built, self.state.sgd_lr)
        p = self.point
        x = [p.defaults[n] for n in p.inputs]
        self.point = mg.PointLoss(new, x, p.label, p.activation, p.inputs)
        self.presenter.load(self.point)
        after = self.presenter.built.root.data
        self.show_message(
            f"SGD step (lr {self.state.sgd_lr:g}): this point's loss {before:.4f} → "
            f"{after:.4f}. The new weights go back to the Decision boundary tab, whose "
            "network takes them: its boundary moves a little."
        )
        arrays = [(np.array(W, float), np.array(b, float)) for W, b in new]
        self.weights_stepped.emit(arrays)
        return arrays
