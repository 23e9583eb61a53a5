"""A point of the Decision boundary explained on the graph page: its loss as a graph with
the Boundary network's weights, backward by hand, and an SGD step sent back.

The Boundary tab sends ``{"weights", "features_values", "label", "activation",
"feature_names", "plane", "class_names"}`` (:data:`POINT_KEYS`) to
:meth:`PointMixin.explain_point_from`; the new weights of an SGD step go back through
``weights_stepped``.  With "plane" (the point as the plane shows it, and how the network
rescales the plane) the graph starts from the plane's own numbers and rescales them in
nodes, and the texts name the class as the plane does, so every number on both tabs
connects.  Part of :class:`~playground.ui.tabs.backprop.BackpropTab`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from playground.core.point_loss import PointLoss

POINT_KEYS = (
    "weights",
    "features_values",
    "label",
    "activation",
    "feature_names",
    "plane",  # {"point": (x1, x2), "centre": (cx, cy), "factor": (fx, fy)} of the plane
    "class_names",  # how the plane names the classes, e.g. ["safe", "poisonous"]
)
REQUIRED_KEYS = POINT_KEYS[:4]  # the others may be missing or None


def where_text(names: Sequence[str], values: Sequence[float]) -> str:
    """ "x1=0.8, x2=-1.2": the point's coordinates (every feature when x1, x2 are not)."""
    pairs = dict(zip(names, values, strict=True))
    shown = ("x1", "x2") if {"x1", "x2"} <= set(pairs) else tuple(pairs)
    return ", ".join(f"{n}={pairs[n]:.3g}" for n in shown)


def num(v: float) -> str:
    """2 decimals with a true minus sign: "−7.48"."""
    return f"{v:.2f}".replace("-", "−")


def signed_sum(coefs: Sequence[float], names: Sequence[str], bias: float) -> str:
    """ "2.72·x1 + 1.12·x2 − 19.11", as the Decision boundary writes its equation."""
    text = ""
    for w, n in zip(coefs, names, strict=True):
        sign = ("−" if w < 0 else "") if not text else (" − " if w < 0 else " + ")
        text += f"{sign}{abs(w):.2f}·{n}"
    return f"{text} {'−' if bias < 0 else '+'} {abs(bias):.2f}"


def rescaling_text(point: PointLoss) -> str:
    """How the graph rescales the plane point: "u1 = (x1 − 5)·1.2, u2 = (x2 − 5)·1.2"."""
    (cx, cy), (fx, fy) = point.plane
    parts = []
    for n, c, f in (("1", cx, fx), ("2", cy, fy)):
        if f"x{n}" in point.inputs:
            inner = f"(x{n} − {c:g})" if c else f"x{n}"
            parts.append(f"u{n} = {inner}·{f:g}")
    return ", ".join(parts)


def point_texts(point: PointLoss, names: Sequence[str], net: str) -> tuple[str, str]:
    """What the graph page says of a plane point: (the line above the graph, the message):
    the point and its class as the plane shows them, the rescaling, and for a single neuron
    the plane's own equation, each of its weights a leaf of the graph times the factor."""
    label = point.label
    cls = names[label] if label < len(names) else f"class {label}"
    x1, x2 = point.point
    where = f"({x1:.2f}, {x2:.2f}), {cls} (label {label})"
    source = f"Decision boundary point {where}: its loss, network {net}."
    message = f"Point {where} of the Decision boundary: its loss with that tab's weights."
    line = point.plane_equation()
    if line is not None:
        p1 = names[1] if len(names) > 1 else "class 1"
        message += f" On the plane: p({p1}) = σ({signed_sum(line[:2], ['x1', 'x2'], line[2])})"
        if point.scaled():
            (cx, cy), (fx, fy) = point.plane
            a1, a2, a0 = (num(v) for v in line)
            q1, q2 = (f"({a})" if v < 0 else a for a, v in ((a1, line[0]), (a2, line[1])))
            message += (
                f", where {a1} = W1[0,0]·{fx:g}, {a2} = W1[0,1]·{fy:g} and "
                f"{a0} = b1[0] − {q1}·{cx:g} − {q2}·{cy:g}"
            )
        message += "."
    elif point.scaled():
        message += f" The net sees the plane rescaled to −6…6: {rescaling_text(point)}."
    return source, message


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
            payload.get("plane"),
            payload.get("class_names"),
        )

    def explain_point(
        self,
        weights: Sequence[tuple[np.ndarray, np.ndarray]],
        features_values: Sequence[float],
        label: int,
        activation: str,
        feature_names: Sequence[str] | None = None,
        plane: dict | None = None,
        class_names: Sequence[str] | None = None,
    ) -> bool:
        """Show one point's loss as a graph with these weights (the Decision boundary's
        ``model.weights()``: ``(W (out, in), b (out,))`` per layer).  ``plane``: the point
        as the plane shows it and the network's rescaling (``{"point", "centre",
        "factor"}``): the graph then starts from the plane's numbers; ``class_names``: how
        the plane names the classes."""
        try:
            lists = [
                (np.asarray(W, float).tolist(), np.asarray(b, float).ravel().tolist())
                for W, b in weights
            ]
            x = list(map(float, features_values))
            if plane is None:
                point = PointLoss(lists, x, int(label), activation, feature_names)
            else:
                scaling = (plane["centre"], plane["factor"])
                point = PointLoss(
                    lists, plane["point"], int(label), activation, feature_names, scaling
                )
            self.presenter.load(point)
        except (ValueError, TypeError, KeyError) as exc:
            self.show_message(f"Cannot explain that point: {exc}", "error")
            return False
        self.point = point
        self.state.page = "graph"
        self.graph.backward.show_sgd(True)
        sizes = [len(x)] + [len(b) for _, b in lists]
        net = "-".join(map(str, sizes)) + ("" if len(sizes) == 2 else f" {activation}")
        if plane is None:
            where = where_text(point.inputs, x)
            source = message = f"Point ({where}) of the Decision boundary, label {label}"
            source += f": its loss with that tab's network ({net})."
            message += ": its loss with that tab's current weights."
        else:
            source, message = point_texts(point, list(class_names or []), net)
        self.graph.expression.show_source(None, source)
        self.show_message(
            f"{message} Backward gives every weight's grad; SGD step moves them by "
            "-lr * grad and sends them back: the Decision boundary's network takes them and "
            "its boundary moves."
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
        self.point = self.point.with_weights(new)
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
