"""micrograd: a scalar autograd engine and a small neural-net library, as the lecture builds it.

Lecture 1, "The spelled-out intro to neural networks and backpropagation: building
micrograd", and karpathy/micrograd's ``engine.py`` + ``nn.py``, with their names:

- :class:`Value` ("the core Value object"): ``data``, ``grad``, ``_prev``, ``_op``,
  ``label``.  Each operation's forward sits beside its ``_backward``, the chain rule for
  that one operation: ``self.grad += local derivative * out.grad`` (``+=``: "fixing a
  backprop bug when one node is used multiple times").
- :meth:`Value.backward` ("implementing the backward function for a whole expression
  graph"): :func:`build_topo`, ``grad = 1``, every ``_backward`` in reverse order.  Grads
  add up across calls, inner nodes' too: a training loop calls ``zero_grad`` first.
- :class:`Neuron`, :class:`Layer`, :class:`MLP` ("building out a neural net library"):
  ReLU hidden layers, a linear last layer; ``activation`` and ``rng`` are ours.
- Ours besides micrograd's ``+ * ** relu``: the lecture's ``tanh``, ``exp``; ``-``, ``/``,
  ``neg`` as nodes of their own (a graph reads as typed); ``log``, ``sin``, ``sigmoid``.

One change to micrograd's text: ``_prev`` is the tuple of operands, in order, where
micrograd keeps ``set(_children)``: a set's order changes from run to run (the graph views
would reshuffle, and grads would add up in another order) and a set per Value costs about a
quarter of a demo step.  Every micrograd use of ``_prev`` (iterating over it) works as is.
The Backprop tab's machinery is built on top: ``backprop_steps``,
``expressions``, ``point_loss``, ``micrograd_demo``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence


def _leaf_backward() -> None:
    """A leaf's ``_backward`` (micrograd's ``lambda: None``): nothing to pass on."""


class Value:
    """Stores a single scalar value and its gradient (d output / d this value)."""

    # fixed attributes, no dict per Value: a graph of the demo has ~66,000 Values
    __slots__ = ("data", "grad", "label", "_backward", "_prev", "_op")

    def __init__(self, data: float, _children: tuple[Value, ...] = (), _op="", label=""):
        self.data = data
        self.grad = 0.0
        self.label = label  # a name for graph views: "a", "L"
        # internal variables used for autograd graph construction
        self._backward: Callable[[], None] = _leaf_backward
        self._prev = _children  # the Values it was made from, in order: a + a -> (a, a)
        self._op = _op  # the op that produced this node ("" for a leaf)

    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __sub__(self, other: Value | float) -> Value:  # self - other
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data - other.data, (self, other), "-")

        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += -1.0 * out.grad

        out._backward = _backward
        return out

    def __truediv__(self, other: Value | float) -> Value:  # self / other
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data / other.data, (self, other), "/")

        def _backward():
            self.grad += (1.0 / other.data) * out.grad
            other.grad += (-self.data / (other.data * other.data)) * out.grad

        out._backward = _backward
        return out

    def __pow__(self, other: float) -> Value:
        assert isinstance(other, (int, float)), "only supporting int/float powers for now"
        out = Value(self.data**other, (self,), f"**{other}")

        def _backward():
            self.grad += (other * self.data ** (other - 1)) * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Value:  # -self
        out = Value(-self.data, (self,), "neg")

        def _backward():
            self.grad += -1.0 * out.grad

        out._backward = _backward
        return out

    __radd__ = __add__  # other + self
    __rmul__ = __mul__  # other * self

    def __rsub__(self, other: float) -> Value:  # other - self
        return Value(other) - self

    def __rtruediv__(self, other: float) -> Value:  # other / self
        return Value(other) / self

    def relu(self) -> Value:
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():
            self.grad += (self.data > 0) * out.grad

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def exp(self) -> Value:
        e = math.exp(self.data)
        out = Value(e, (self,), "exp")

        def _backward():
            self.grad += e * out.grad  # d exp(x)/dx = exp(x): the output itself

        out._backward = _backward
        return out

    def log(self) -> Value:
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += (1.0 / self.data) * out.grad

        out._backward = _backward
        return out

    def sin(self) -> Value:
        out = Value(math.sin(self.data), (self,), "sin")

        def _backward():
            self.grad += math.cos(self.data) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        x = self.data  # 1 / (1 + e^-x), written so that neither e^-x nor e^x overflows
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        out = Value(s, (self,), "sigmoid")

        def _backward():
            self.grad += (s * (1.0 - s)) * out.grad

        out._backward = _backward
        return out

    def backward(self) -> None:
        """Fill in ``grad`` of every Value in the graph: d self / d that Value."""
        topo = build_topo(self)  # topological order of all the Values in the graph
        # go one Value at a time and apply the chain rule to get its gradient
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"


def build_topo(root: Value) -> list[Value]:
    """Every Value of ``root``'s graph, each after the Values it was made from.

    The lecture's walk, with a stack of its own instead of recursion: Python's recursion
    limit (~1,000 calls) is below the depth of a typed chain (thousands; the demo's L2 sum
    alone is 337 ``+`` deep).  The lecture's, in ``backward``::

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)
    """
    topo: list[Value] = []
    visited = {root}
    stack = [root]  # the path being walked: each Value below the one it is a child of
    while stack:
        v = stack[-1]
        for child in v._prev:
            if child not in visited:  # build_topo(child) first
                visited.add(child)
                stack.append(child)
                break
        else:  # every child placed: topo.append(v)
            topo.append(stack.pop())
    return topo


# ----------------------------------------------------------------------------- nn
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


class Module:
    """micrograd's base class: ``parameters()`` and ``zero_grad()``."""

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list[Value]:
        return []


class Neuron(Module):
    """``act(w . x + b)``: weights uniform in [-1, 1], bias 0 (as micrograd)."""

    def __init__(self, nin: int, nonlin=True, activation="relu", rng: random.Random | None = None):
        uniform = (rng or random).uniform
        self.w = [Value(uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin
        self.activation = activation if nonlin else "linear"

    def __call__(self, x: Sequence[Value | float]) -> Value:
        act = sum((wi * xi for wi, xi in zip(self.w, x, strict=True)), self.b)
        return act if self.activation == "linear" else getattr(act, self.activation)()

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{self.activation.capitalize()}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons that each see all ``nin`` inputs."""

    def __init__(self, nin: int, nout: int, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """``MLP(2, [16, 16, 1])``: hidden layers with ``activation``, a linear last layer."""

    def __init__(self, nin: int, nouts: Sequence[int], activation="relu", rng=None):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}")
        sz = [nin] + list(nouts)
        self.layers = [
            Layer(sz[i], sz[i + 1], nonlin=i != len(nouts) - 1, activation=activation, rng=rng)
            for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
