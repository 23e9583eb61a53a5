"""Backpropagation one node at a time, written out: the Backprop tab's graph page.

The micrograd lecture's first hour done by hand ("manual backpropagation example #1:
simple expression", "#2: a neuron"): the output's grad is 1, then, node by node from the
output back, each child's grad gets ``local derivative * the node's grad``.  Here on
:mod:`playground.core.micrograd`'s graphs:

- :func:`trace`: the graph as views draw it (:class:`Node`: label, op, data, grad, the ids
  of its children) in topological order, as the lecture's ``draw_dot`` walks ``_prev``.
- :func:`local_derivatives`: d node / d child, read from the node's own ``_backward``.
- :class:`BackwardStepper`: :meth:`Value.backward <playground.core.micrograd.Value.backward>`
  one node per :meth:`~BackwardStepper.step`, each use of the chain rule a :class:`Term`
  with its sentence (``grad(a) += grad(e) * b = -2 * -3 = 6``).  Its lessons sit on top of
  the engine, which stays micrograd's: ``accumulate=False`` replays each step with ``=``
  instead of ``+=`` ("fixing a backprop bug when one node is used multiple times"), and
  each pass starts from 0 in the inner nodes, so a second pass without zeroing exactly
  doubles the leaves' grads (why training calls ``zero_grad``).
- :func:`numerical_grads`: ``(f(x + h) - f(x)) / h``, the lecture's check ("derivative of
  a simple function with one input", "... with multiple inputs").
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from playground.core.micrograd import Value, build_topo


def fmt(x: float) -> str:
    """A number the way the lecture prints it: up to 4 decimals, no trailing zeros."""
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    if (x != 0 and abs(x) < 5e-5) or abs(x) >= 1e7:
        return f"{x:.3e}"
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def op_text(v: Value) -> str:
    """A node's operation as views show it: ``+``, ``tanh``, ``**2`` (not ``**2.0``)."""
    return f"**{fmt(float(v._op[2:]))}" if v._op.startswith("**") else v._op


@dataclass
class Built:
    """A problem's graph computed for some leaf values: the output and the named leaves."""

    root: Value
    leaves: dict[str, Value]
    nodes: int
    groups: dict[int, str] = field(default_factory=dict)  # id(node) -> its neuron, for views


# ----------------------------------------------------------------------------- graph views
@dataclass
class Node:
    """One node of a graph as views draw it (``children``: ids of the nodes it uses)."""

    id: int
    label: str
    op: str
    data: float
    grad: float
    children: tuple[int, ...]
    group: str = ""  # e.g. the neuron it belongs to (views may collapse a group)


def trace(root: Value, groups: dict[int, str] | None = None) -> list[Node]:
    """The graph under ``root`` in topological order; ids are positions in that list.

    ``groups`` maps ``id(value)`` to a group name (e.g. a neuron's) for views that collapse.
    """
    topo = build_topo(root)
    index = {id(v): i for i, v in enumerate(topo)}
    groups = groups or {}
    return [
        Node(
            i,
            v.label,
            op_text(v),
            v.data,
            v.grad,
            tuple(index[id(c)] for c in v._prev),
            groups.get(id(v), ""),
        )
        for i, v in enumerate(topo)
    ]


def edges(nodes: Sequence[Node]) -> list[tuple[int, int]]:
    """``(child id, parent id)`` for every use of a node (``a + a`` gives two)."""
    return [(c, n.id) for n in nodes for c in n.children]


def name_of(v: Value) -> str:
    """How sentences name a node: its label, else its operation and value (a constant:
    its value)."""
    if v.label:
        return v.label
    return f"{op_text(v)}→{fmt(v.data)}" if v._op else fmt(v.data)


# ----------------------------------------------------------------------------- local derivatives
_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def local_derivatives(node: Value) -> tuple[float, ...]:
    """d node / d child for each child in ``node._prev``, from the node's own ``_backward``.

    No second copy of the formulas: with ``node.grad`` set to 1 and the children's grads
    to 0, ``_backward()`` adds ``local * 1`` to each child's grad: they ARE the local
    derivatives; then every grad is put back.  A child used twice (``a * a``) would get the
    sum of both uses, so for it the same operation runs on two stand-ins of the same value.
    """
    children = node._prev
    if len(children) == 2 and children[0] is children[1]:
        a, b = Value(children[0].data), Value(children[1].data)
        out = _BINARY[node._op](a, b)
        out.grad = 1.0
        out._backward()
        return a.grad, b.grad
    saved, saved_out = [c.grad for c in children], node.grad
    for c in children:
        c.grad = 0.0
    node.grad = 1.0
    node._backward()
    local = tuple(c.grad for c in children)
    for c, g in zip(children, saved, strict=True):
        c.grad = g
    node.grad = saved_out
    return local


_LOCAL_WORDS = {
    "+": ("1", "1"),
    "-": ("1", "-1"),
    "neg": ("-1",),
    "tanh": ("(1 - {out}²)",),
    "exp": ("{out}",),
    "log": ("1/{0}",),
    "relu": ("({0} > 0)",),
    "sigmoid": ("{out}(1 - {out})",),
    "sin": ("cos({0})",),
    "/": ("1/{1}", "-{0}/{1}²"),
}


def local_symbol(node: Value, i: int) -> str:
    """The local derivative d node / d child ``i`` written with names: ``w1``, ``1 - o²``."""
    names = [name_of(c) for c in node._prev]
    out = node.label or node._op
    op = node._op
    if op == "*":
        return names[1 - i]
    if op.startswith("**"):
        k = float(op[2:])
        return f"{fmt(k)}·{names[0]}^{fmt(k - 1)}" if k != 2 else f"2·{names[0]}"
    words = _LOCAL_WORDS.get(op)
    if words is None:
        return "local"
    return words[i].format(*names, out=out)


# ----------------------------------------------------------------------------- the stepper
@dataclass
class Term:
    """One use of the chain rule: ``child.grad += local * upstream``."""

    child: Value
    upstream: float  # the gradient arriving at the node
    local: float  # d node / d child
    product: float
    before: float  # child.grad before
    after: float  # child.grad after
    sentence: str


@dataclass
class Step:
    """One node of the backward pass: the node, its upstream grad and one term per child."""

    node: Value
    upstream: float
    terms: list[Term] = field(default_factory=list)
    sentence: str = ""


class BackwardStepper:
    """``backward()`` one node at a time, writing out each chain-rule product.

    The first step seeds the output (``grad(L) += 1``, after setting the inner nodes' grads
    to 0: each pass is a pass of its own, and only the leaves keep what earlier passes
    left); each later step takes the next inner node in reverse topological order and does
    what its ``_backward`` does, one child at a time: ``child.grad += local * node.grad``
    (the same numbers as ``backward()``, tested).  ``accumulate=False`` replays it with
    ``=``: the bug that loses all but the last use of a node used twice.
    """

    def __init__(self, root: Value, accumulate: bool = True):
        self.root = root
        self.accumulate = accumulate
        self.topo = build_topo(root)
        self.order = [v for v in reversed(self.topo) if v._prev]  # leaves have nothing to do
        self.position = -1  # -1: not seeded yet

    @property
    def done(self) -> bool:
        return self.position >= len(self.order)

    @property
    def current(self) -> Value | None:
        """The node the last step handled (None before the first)."""
        if self.position < 0:
            return None
        return self.order[self.position - 1] if self.position > 0 else self.root

    def remaining(self) -> int:
        return len(self.order) - self.position

    def step(self) -> Step | None:
        """Do the next node (None when finished)."""
        if self.done:
            return None
        if self.position < 0:
            return self._seed()
        node = self.order[self.position]
        self.position += 1
        step = Step(node, node.grad)
        locals_ = local_derivatives(node)
        for i, (child, local) in enumerate(zip(node._prev, locals_, strict=True)):
            step.terms.append(self._apply(node, i, child, local))
        step.sentence = "\n".join(t.sentence for t in step.terms)
        return step

    def run(self) -> list[Step]:
        """Every remaining step."""
        steps = []
        while (s := self.step()) is not None:
            steps.append(s)
        return steps

    def _seed(self) -> Step:
        for v in self.order:  # the inner nodes
            v.grad = 0.0
        before = self.root.grad
        self.root.grad += 1.0
        self.position = 0
        name = name_of(self.root)
        sentence = f"grad({name}) = 1: d{name}/d{name} = 1, where every backward pass starts"
        if before:
            sentence = f"grad({name}) += 1 (now {fmt(self.root.grad)}): it was not zeroed"
        return Step(self.root, 1.0, [], sentence)

    def _apply(self, node: Value, i: int, child: Value, local: float) -> Term:
        upstream, before = node.grad, child.grad
        product = local * upstream
        child.grad = before + product if self.accumulate else product
        sign = "+=" if self.accumulate else "="
        c, n = name_of(child), name_of(node)
        sentence = (
            f"grad({c}) {sign} grad({n}) * {local_symbol(node, i)}"
            f" = {fmt(upstream)} * {fmt(local)} = {fmt(product)}"
        )
        if before != 0 and self.accumulate:
            sentence += f"   (now {fmt(child.grad)})"
        elif before != 0:
            sentence += f"   (overwrote {fmt(before)}!)"
        return Term(child, upstream, local, product, before, child.grad, sentence)


# ----------------------------------------------------------------------------- numerical check
def numerical_grads(
    f: Callable[[dict[str, float]], float], values: dict[str, float], h: float = 1e-6
) -> dict[str, float]:
    """``(f(x + h) - f(x)) / h`` for each name in ``values`` (the others held fixed)."""
    base = f(values)
    out = {}
    for name, x in values.items():
        out[name] = (f({**values, name: x + h}) - base) / h
    return out
