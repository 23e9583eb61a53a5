"""One point's loss as a micrograd graph: the Backprop tab's view of a Decision boundary point.

The micrograd lecture's neuron ("manual backpropagation example #2: a neuron", ``o =
tanh(x1*w1 + x2*w2 + b)``) grown into the toy classifier of the Decision boundary tab
(``core/toy/model.py``), for ONE point: its features, each neuron's weighted sum term by term
(``z = b + w0*h0 + w1*h1 + ...``), the activation, and the loss (sigmoid + binary
cross-entropy for one output, softmax + cross-entropy for several), all as
:class:`~playground.core.micrograd.Value` nodes named for the weights they hold
(``W1[i,j]``, ``b1[i]``), so backward writes the gradient of every weight of the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from playground.core.backprop_steps import Built, fmt
from playground.core.micrograd import ACTIVATIONS, Value, build_topo


def _shapes(weights: Sequence[tuple[Any, Any]], width: int) -> list[tuple[int, int]]:
    """Each layer's ``(out, in)``, checked against the inputs' ``width``."""
    shapes = []
    for i, (W, b) in enumerate(weights):
        if len(W) == 0 or len(W) != len(b) or any(len(row) != width for row in W):
            raise ValueError(f"layer {i + 1}: expected W of {len(b)} x {width} and b of {len(b)}")
        shapes.append((len(W), width))
        width = len(W)
    if not shapes:
        raise ValueError("no layers")
    return shapes


PLANE_FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2")  # the boundary's


class PointLoss:
    """The loss of ONE point of a small classifier (the Decision boundary's), as a graph.

    ``weights``: each layer's ``(W rows (out x in), b (out))``, input to output;
    ``x``: the point's input features; ``label``: its class.  Hidden layers use
    ``activation``; one output unit is a sigmoid + binary cross-entropy
    (``loss = -log p`` for class 1, ``-log(1 - p)`` for class 0), several are softmax +
    cross-entropy (``loss = log sum exp z - z[label]``), as in ``core/toy/model.py``.
    Leaves: ``x1..xn``, ``W1[i,j]``, ``b1[i]``, ...  Like a typed expression
    (:class:`~playground.core.expressions.Expression`): ``names``, ``defaults``,
    ``build(values)``; the built graph's ``groups`` name each node's neuron.

    ``plane``: ``((cx, cy), (fx, fy))`` when ``x`` is the point as the Decision boundary's
    plane shows it, ``(x1, x2)`` in the plane's units.  The graph then does what that tab's
    network does, in nodes a learner can follow: it rescales the point onto -6..6,
    ``u1 = (x1 - cx) * fx`` (nothing to do on a -6..6 plane), and computes the features
    ``feature_names`` (of :data:`PLANE_FEATURES`) from ``u1``, ``u2``.
    """

    def __init__(
        self,
        weights: Sequence[tuple[Sequence[Sequence[float]], Sequence[float]]],
        x: Sequence[float],
        label: int,
        activation: str = "tanh",
        feature_names: Sequence[str] | None = None,
        plane: tuple[Sequence[float], Sequence[float]] | None = None,
    ):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}")
        self.point, self.plane = list(map(float, x)), None
        if plane is None:
            self.features = list(feature_names or [f"x{j + 1}" for j in range(len(x))])
            self.inputs = list(self.features)
            if len(self.inputs) != len(self.point):
                raise ValueError(f"{len(self.point)} input values for {len(self.inputs)} names")
        else:
            self.features = list(feature_names or ("x1", "x2"))
            unknown = [f for f in self.features if f not in PLANE_FEATURES]
            if unknown or len(self.point) != 2:
                raise ValueError(f"a plane point is 2 numbers; features of {PLANE_FEATURES}")
            (cx, cy), (fx, fy) = plane
            self.plane = ((float(cx), float(cy)), (float(fx), float(fy)))
            used = "".join(self.features)
            self.inputs = [n for n in ("x1", "x2") if n in used]  # the coordinates needed
        self.shapes = _shapes(weights, len(self.features))
        n_out = self.shapes[-1][0]
        if not 0 <= label < max(n_out, 2):
            raise ValueError(f"label {label} is not a class of a net with {n_out} outputs")
        self.label, self.activation = int(label), activation
        self.weights = [([list(map(float, r)) for r in W], list(map(float, b))) for W, b in weights]
        if plane is None:
            self.defaults: dict[str, float] = dict(zip(self.inputs, self.point, strict=True))
        else:
            coords = dict(zip(("x1", "x2"), self.point, strict=True))
            self.defaults = {n: coords[n] for n in self.inputs}
        for l, (W, b) in enumerate(self.weights, start=1):
            for i, row in enumerate(W):
                for j, w in enumerate(row):
                    self.defaults[f"W{l}[{i},{j}]"] = w
            for i, bi in enumerate(b):
                self.defaults[f"b{l}[{i}]"] = bi
        self.names = list(self.defaults)

    def build(self, values: dict[str, float] | None = None) -> Built:
        """The graph of this point's loss for these leaf values (defaults: the weights)."""
        values = {**self.defaults, **(values or {})}
        leaves = {n: Value(values[n], label=n) for n in self.names}
        groups: dict[int, str] = {}
        h = self._features(leaves) if self.plane else [leaves[n] for n in self.inputs]
        for l, (n_out, _) in enumerate(self.shapes, start=1):
            last = l == len(self.shapes)
            h = [self._neuron(leaves, groups, l, i, h, last) for i in range(n_out)]
        root = self._loss(h)
        return Built(root, leaves, len(build_topo(root)), groups)

    def _features(self, leaves: dict[str, Value]) -> list[Value]:
        """The plane point rescaled (``u1 = (x1 - cx) * fx``) and its features, as nodes."""
        u: dict[str, Value] = {}
        for j, name in enumerate(("x1", "x2")):
            if name not in leaves:
                continue
            c, f = self.plane[0][j], self.plane[1][j]
            v = leaves[name]
            if c != 0.0:
                v = v - Value(c, label=fmt(c))
                v.label = f"{name}−{fmt(c)}"
            if f != 1.0:
                v = v * Value(f, label=fmt(f))
            if v is not leaves[name]:
                v.label = f"u{j + 1}"
            u[name] = v
        made = {
            "x1": lambda: u["x1"],
            "x2": lambda: u["x2"],
            "x1^2": lambda: u["x1"] * u["x1"],
            "x2^2": lambda: u["x2"] * u["x2"],
            "x1*x2": lambda: u["x1"] * u["x2"],
            "sin x1": lambda: u["x1"].sin(),
            "sin x2": lambda: u["x2"].sin(),
        }
        out = []
        for name in self.features:
            v = made[name]()
            if not v.label:  # x1^2 of the rescaled point: u1^2 (x1^2 on a -6..6 plane)
                v.label = name.replace("x", "u") if self.scaled() else name
            out.append(v)
        return out

    def scaled(self) -> bool:
        """Whether the graph rescales a plane point (not on a -6..6 plane)."""
        return self.plane is not None and self.plane != ((0.0, 0.0), (1.0, 1.0))

    def plane_equation(self) -> tuple[float, float, float] | None:
        """A single neuron on x1, x2 of a plane point: its weighted sum in the PLANE's units,
        ``(a1, a2, a0)`` with ``z = a1*x1 + a2*x2 + a0`` (the equation the Decision
        boundary writes): ``a1 = W1[0,0] * fx`` and ``a0 = b1[0] - a1*cx - a2*cy``.
        None for any other network."""
        if self.plane is None or self.features != ["x1", "x2"] or self.shapes != [(1, 2)]:
            return None
        (W, b), ((cx, cy), (fx, fy)) = self.weights[0], self.plane
        a1, a2 = W[0][0] * fx, W[0][1] * fy
        return a1, a2, b[0] - a1 * cx - a2 * cy

    def with_weights(self, weights: Sequence[tuple[Any, Any]]) -> PointLoss:
        """The same point and label with other weights (e.g. after an SGD step)."""
        return PointLoss(
            weights, self.point, self.label, self.activation, self.features, self.plane
        )

    def _neuron(self, leaves, groups, l: int, i: int, h: list[Value], last: bool) -> Value:
        """Neuron ``i`` of layer ``l``: ``act(b + w0 h0 + w1 h1 + ...)``, its nodes grouped."""
        group = f"z{l}[{i}]" if last else f"h{l}[{i}]"
        z = leaves[f"b{l}[{i}]"]
        mine = [z]
        for j in range(len(h)):
            w = leaves[f"W{l}[{i},{j}]"]
            wx = w * h[j]
            wx.label = f"{w.label}*{h[j].label}"
            z = z + wx
            z.label = f"z{l}[{i}]:{j + 1}"  # the sum of the first j + 1 terms (and b)
            mine += [w, wx, z]
        z.label = f"z{l}[{i}]"
        out = z if last or self.activation == "linear" else getattr(z, self.activation)()
        if out is not z:
            out.label = group
            mine.append(out)
        groups.update((id(v), group) for v in mine)
        return out

    def _loss(self, z: list[Value]) -> Value:
        if len(z) == 1:  # sigmoid + binary cross-entropy
            p = z[0].sigmoid()
            p.label = "p"
            q = p if self.label == 1 else Value(1.0, label="1") - p
            q.label = q.label or "1 - p"
            log = q.log()
            log.label = "log " + q.label
            loss = -log
        else:  # softmax + cross-entropy
            exps = [zi.exp() for zi in z]
            total = sum(exps[1:], exps[0])
            total.label = "Σ exp z"
            lse = total.log()
            lse.label = "log Σ exp z"
            loss = lse - z[self.label]
        loss.label = "loss"
        return loss

    def stepped(self, built: Built, lr: float) -> list[tuple[list[list[float]], list[float]]]:
        """The weights after one SGD step on this point: ``w - lr * grad(w)``."""
        new = {n: v.data - lr * v.grad for n, v in built.leaves.items()}
        return [
            (
                [[new[f"W{l}[{i},{j}]"] for j in range(n_in)] for i in range(n_out)],
                [new[f"b{l}[{i}]"] for i in range(n_out)],
            )
            for l, (n_out, n_in) in enumerate(self.shapes, start=1)
        ]

    def value_of(self, values: dict[str, float]) -> float:
        return self.build(values).root.data
