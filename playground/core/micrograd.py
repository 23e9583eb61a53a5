"""A scalar autograd engine in plain Python: karpathy/micrograd, with the lecture's extras.

Read it top to bottom:

1. :class:`Value` holds one number, its gradient and how it was made.  Every operation
   computes its result AND its local derivatives (d out / d input) right there, next to
   each other; ``backward()`` orders the graph topologically (no recursion) and applies
   the chain rule, node by node, in reverse: ``child.grad += local * out.grad``.
2. :class:`Neuron`, :class:`Layer`, :class:`MLP`: micrograd's ``nn.py`` (ReLU hidden
   layers, linear last layer), so the lecture's code runs as is.
3. micrograd's demo: two moons (no sklearn), the max-margin loss, one SGD step.
4. For the Backprop tab: a description of the graph for views (:func:`trace`), backward
   one node at a time with each chain-rule product written out (:class:`BackwardStepper`),
   the ``=`` instead of ``+=`` bug (``accumulate=False``), a numerical gradient check
   (:func:`numerical_grads`) and a safe parser for typed expressions (:func:`parse`).

Why the local derivatives are stored, not closures: micrograd gives every result a small
``_backward`` function (a closure, its cells and a set of children: reference cycles the
garbage collector must find).  Here each result keeps, in plain slots, its inputs
(``_a``, ``_b``) and the numbers that function would use (``_da``, ``_db``), so
``backward`` is one short loop, a view can show every local derivative, and one demo step
runs 2.6x faster than micrograd 0.1.0, 12x with the collector on (``benchmarks/backprop.py``).

Gradients of leaves accumulate across ``backward()`` calls (``+=``, as in micrograd and
PyTorch: call ``zero_grad`` between steps); each call first clears the gradients of the
graph's inner nodes, so calling it twice exactly doubles the leaves' gradients.
"""

from __future__ import annotations

import ast
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


# ----------------------------------------------------------------------------- engine
class Value:
    """One scalar in a computation graph: ``data``, ``grad``, and how it was made.

    A result of an operation remembers at most two inputs (``_a``, ``_b``) and the local
    derivatives of the result with respect to each (``_da``, ``_db``).  Plain slots, not
    tuples or closures: one object per node, so building a graph of 65,000 nodes makes
    Python's garbage collector do a fraction of micrograd's work.
    """

    __slots__ = ("data", "grad", "label", "_op", "_a", "_b", "_da", "_db")

    def __init__(self, data: float, label: str = "", _op="", _a=None, _b=None, _da=0.0, _db=0.0):
        self.data = data
        self.grad = 0.0
        self.label = label
        self._op = _op  # the operation that made it: "+", "*", "tanh", ... ("" for a leaf)
        self._a, self._b = _a, _b  # the Values it was computed from (a + a: both are a)
        self._da, self._db = _da, _db  # d self / d _a, d self / d _b

    # ---- arithmetic: forward, and the local derivatives beside it
    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        # d(a + b)/da = 1, d(a + b)/db = 1
        return Value(self.data + other.data, "", "+", self, other, 1.0, 1.0)

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        # d(a * b)/da = b, d(a * b)/db = a
        return Value(self.data * other.data, "", "*", self, other, other.data, self.data)

    def __sub__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        # d(a - b)/da = 1, d(a - b)/db = -1
        return Value(self.data - other.data, "", "-", self, other, 1.0, -1.0)

    def __truediv__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        a, b = self.data, other.data
        # d(a / b)/da = 1/b, d(a / b)/db = -a/b**2
        return Value(a / b, "", "/", self, other, 1.0 / b, -a / (b * b))

    def __pow__(self, k: float) -> Value:
        if not isinstance(k, (int, float)):
            raise TypeError("only a number exponent is supported: x ** 2, not x ** y")
        x = self.data
        # d(x ** k)/dx = k * x ** (k - 1)
        return Value(x**k, "", f"**{_fmt(k)}", self, None, k * x ** (k - 1))

    def __neg__(self) -> Value:
        # d(-x)/dx = -1
        return Value(-self.data, "", "neg", self, None, -1.0)

    def __radd__(self, other: float) -> Value:  # other + self
        return self + other

    def __rmul__(self, other: float) -> Value:  # other * self
        return self * other

    def __rsub__(self, other: float) -> Value:  # other - self
        return Value(other) - self

    def __rtruediv__(self, other: float) -> Value:  # other / self
        return Value(other) / self

    # ---- functions
    def tanh(self) -> Value:
        t = math.tanh(self.data)
        # d tanh(x)/dx = 1 - tanh(x)**2: it uses the output
        return Value(t, "", "tanh", self, None, 1.0 - t * t)

    def exp(self) -> Value:
        e = math.exp(self.data)
        # d exp(x)/dx = exp(x): the output itself
        return Value(e, "", "exp", self, None, e)

    def log(self) -> Value:
        x = self.data
        if x <= 0:
            raise ValueError(f"log of {_fmt(x)}: log needs a positive number")
        # d log(x)/dx = 1/x
        return Value(math.log(x), "", "log", self, None, 1.0 / x)

    def relu(self) -> Value:
        x = self.data
        # d relu(x)/dx = 1 where x > 0, else 0
        return Value(x if x > 0 else 0.0, "", "relu", self, None, 1.0 if x > 0 else 0.0)

    def sin(self) -> Value:
        # d sin(x)/dx = cos(x)
        return Value(math.sin(self.data), "", "sin", self, None, math.cos(self.data))

    def sigmoid(self) -> Value:
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        # d sigmoid(x)/dx = s * (1 - s)
        return Value(s, "", "sigmoid", self, None, s * (1.0 - s))

    # ---- the graph
    @property
    def _prev(self) -> tuple[Value, ...]:
        """The inputs of this node (micrograd's name): (), (x,) or (a, b)."""
        return tuple(c for c in (self._a, self._b) if c is not None)

    @property
    def _local(self) -> tuple[float, ...]:
        """d self / d input, for each input in :attr:`_prev`."""
        return (self._da, self._db)[: len(self._prev)]

    def topo(self) -> list[Value]:
        """Every node of the graph, each after the nodes it was computed from.

        Depth-first with an explicit stack instead of micrograd's recursion, so a chain
        of 5,000 operations works (Python's recursion limit is ~1,000).  In a DAG a node
        seen but not finished is on the stack: never a child of the node on top.
        """
        order: list[Value] = []
        seen = {self}
        stack = [self]
        while stack:
            v = stack[-1]
            a = v._a
            if a is not None and a not in seen:
                seen.add(a)
                stack.append(a)
                continue
            b = v._b
            if b is not None and b not in seen:
                seen.add(b)
                stack.append(b)
                continue
            order.append(stack.pop())  # both inputs placed: place v
        return order

    def backward(self, accumulate: bool = True) -> None:
        """Fill in ``grad`` of every node: d self / d node, by the chain rule.

        ``accumulate=False`` is the classic bug: ``=`` instead of ``+=``, so a node used
        twice (``a + a``) keeps only its last contribution.
        """
        topo = self.topo()
        for v in topo:
            if v._a is not None:
                v.grad = 0.0  # inner nodes: this pass's gradient only
        self.grad += 1.0  # d self / d self
        for v in reversed(topo):
            a = v._a
            if a is None:
                continue  # a leaf: nothing flows further
            g, b = v.grad, v._b
            if accumulate:  # the chain rule, summed over every use of a node
                a.grad += v._da * g
                if b is not None:
                    b.grad += v._db * g
            else:  # the bug: each use overwrites the ones before
                a.grad = v._da * g
                if b is not None:
                    b.grad = v._db * g

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"


def _fmt(x: float) -> str:
    """A number the way the lecture prints it: up to 4 decimals, no trailing zeros."""
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    if (x != 0 and abs(x) < 5e-5) or abs(x) >= 1e7:
        return f"{x:.3e}"
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ----------------------------------------------------------------------------- nn
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


class Module:
    """micrograd's base: ``parameters()`` and ``zero_grad()``."""

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list[Value]:
        return []


class Neuron(Module):
    """``act(w . x + b)``: weights uniform in [-1, 1], bias 0 (as micrograd)."""

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        activation: str = "relu",
        rng: random.Random | None = None,
    ):
        uniform = (rng or random).uniform
        self.w = [Value(uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin
        self.activation = activation if nonlin else "linear"

    def __call__(self, x: Sequence[Value | float]) -> Value:
        act = sum((wi * xi for wi, xi in zip(self.w, x, strict=True)), self.b)
        if self.activation == "linear":
            return act
        return getattr(act, self.activation)()

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{self.activation.capitalize()}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons that each see all ``nin`` inputs."""

    def __init__(self, nin: int, nout: int, **kwargs: Any):
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

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        rng: random.Random | None = None,
    ):
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

    def weights(self) -> list[tuple[list[list[float]], list[float]]]:
        """Plain copies of each layer's ``(W rows (out x in), b (out))``, input to output."""
        return [
            ([[w.data for w in n.w] for n in layer.neurons], [n.b.data for n in layer.neurons])
            for layer in self.layers
        ]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


# ----------------------------------------------------------------------------- the demo
def make_moons(
    n: int = 100, noise: float = 0.1, seed: int = 1337
) -> tuple[list[list[float]], list[int]]:
    """Two interleaving half circles (sklearn's ``make_moons`` geometry), labels -1 / +1.

    Returns ``X`` (n lists of 2 floats) and ``y`` (n ints), shuffled; same seed, same points.
    """
    rng = random.Random(seed)
    n_out = n // 2
    n_in = n - n_out
    points = []
    for i in range(n_out):
        t = math.pi * i / max(n_out - 1, 1)
        points.append(([math.cos(t), math.sin(t)], -1))
    for i in range(n_in):
        t = math.pi * i / max(n_in - 1, 1)
        points.append(([1.0 - math.cos(t), 0.5 - math.sin(t)], 1))
    rng.shuffle(points)
    X = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for (x, y), _ in points]
    return X, [label for _, label in points]


def demo_loss(
    model: MLP, X: Sequence[Sequence[float]], y: Sequence[int], alpha: float = 1e-4
) -> tuple[Value, float]:
    """micrograd's demo loss: mean SVM max-margin loss + ``alpha`` * L2; and the accuracy."""
    inputs = [list(map(Value, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    accuracy = [(yi > 0) == (si.data > 0) for yi, si in zip(y, scores, strict=True)]
    return data_loss + reg_loss, sum(accuracy) / len(accuracy)


SCHEDULES = ("decay", "constant")  # the demo's lr: 1 - 0.9 k/steps of the start, or fixed


def demo_lr(k: int, steps: int = 100, lr: float = 1.0, schedule: str = "decay") -> float:
    """The learning rate of step ``k``: micrograd's ``1 - 0.9 k/steps`` (x ``lr``), or ``lr``."""
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}")
    return lr * (1.0 - 0.9 * k / steps) if schedule == "decay" else lr


def demo_step(
    model: MLP, X, y, k: int, steps: int = 100, lr: float = 1.0, schedule: str = "decay"
) -> tuple[float, float]:
    """One step of the demo: forward, zero_grad, backward, SGD with :func:`demo_lr`
    (micrograd's: lr = 1 - 0.9 k/steps).  Returns the loss before the update, the accuracy."""
    total_loss, acc = demo_loss(model, X, y)
    model.zero_grad()
    total_loss.backward()
    learning_rate = demo_lr(k, steps, lr, schedule)
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return total_loss.data, acc


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
    topo = root.topo()
    index = {id(v): i for i, v in enumerate(topo)}
    groups = groups or {}
    return [
        Node(
            i,
            v.label,
            v._op,
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
    return f"{v._op}→{_fmt(v.data)}" if v._op else _fmt(v.data)


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
        return f"{_fmt(k)}·{names[0]}^{_fmt(k - 1)}" if k != 2 else f"2·{names[0]}"
    words = _LOCAL_WORDS.get(op)
    if words is None:
        return "local"
    return words[i].format(*names, out=out)


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

    The first step seeds the output (``grad(L) = 1``); each later step takes the next
    inner node in reverse topological order and pushes its gradient to its children.
    ``accumulate=False`` makes the ``=`` bug.
    """

    def __init__(self, root: Value, accumulate: bool = True):
        self.root = root
        self.accumulate = accumulate
        self.topo = root.topo()
        self.order = [
            v for v in reversed(self.topo) if v._a is not None
        ]  # leaves have nothing to do
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
        for i, (child, local) in enumerate(zip(node._prev, node._local, strict=True)):
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
        for v in self.topo:
            if v._a is not None:
                v.grad = 0.0
        before = self.root.grad
        self.root.grad += 1.0
        self.position = 0
        name = name_of(self.root)
        sentence = f"grad({name}) = 1: d{name}/d{name} = 1, where every backward pass starts"
        if before:
            sentence = f"grad({name}) += 1 (now {_fmt(self.root.grad)}): it was not zeroed"
        return Step(self.root, 1.0, [], sentence)

    def _apply(self, node: Value, i: int, child: Value, local: float) -> Term:
        upstream, before = node.grad, child.grad
        product = local * upstream
        child.grad = before + product if self.accumulate else product
        sign = "+=" if self.accumulate else "="
        c, n = name_of(child), name_of(node)
        sentence = (
            f"grad({c}) {sign} grad({n}) * {local_symbol(node, i)}"
            f" = {_fmt(upstream)} * {_fmt(local)} = {_fmt(product)}"
        )
        if before != 0:
            sentence += (
                f"   (now {_fmt(child.grad)})"
                if self.accumulate
                else f"   (overwrote {_fmt(before)}!)"
            )
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


# ----------------------------------------------------------------------------- expressions
class ExpressionError(ValueError):
    """A typed expression that is not allowed or cannot be computed."""


class ComputeError(ExpressionError):
    """An allowed expression that cannot be computed for these values (a division by zero,
    an overflow, the log of a negative number), said in plain words."""


FUNCTIONS = ("tanh", "exp", "log", "relu", "sigmoid")
MAX_TEXT = 4000
MAX_NODES = 2000
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


@dataclass
class Built:
    """An expression computed for some leaf values: the output and the named leaves."""

    root: Value
    leaves: dict[str, Value]
    nodes: int
    groups: dict[int, str] = field(default_factory=dict)  # id(node) -> its neuron, for views


class Expression:
    """A typed expression, checked once, computed for any leaf values.

    Statements separated by newlines or ``;``: ``a = 2.0`` makes a leaf, ``e = a*b`` names
    an inner node, the last statement is the output.  Only numbers, names, ``+ - * / **``
    (number exponents), unary minus and ``x.tanh()`` / ``tanh(x)`` for :data:`FUNCTIONS`
    are allowed; anything else raises :class:`ExpressionError`.  Never ``eval``.
    """

    def __init__(self, text: str):
        if len(text) > MAX_TEXT:
            raise ExpressionError(f"the expression is too long (over {MAX_TEXT} characters)")
        try:
            lines = (line.strip() for line in text.replace(";", "\n").splitlines())
            tree = ast.parse("\n".join(lines), mode="exec")
        except SyntaxError as exc:
            raise ExpressionError(
                f"not a valid expression: {exc.msg} (line {exc.lineno})"
            ) from None
        if not tree.body:
            raise ExpressionError("type an expression, e.g. (a*b + c).tanh()")
        self.text = text
        self.statements = tree.body
        self.defaults: dict[str, float] = {}  # leaves given a number in the text
        self.names: list[str] = []  # every leaf, in order of first use
        self._leaf_statements: set[int] = set()
        self._check()

    # ---- checking (once, before anything is computed)
    def _check(self) -> None:
        assigned: set[str] = set()
        for i, st in enumerate(self.statements):
            last = i == len(self.statements) - 1
            if isinstance(st, ast.Assign) and len(st.targets) == 1:
                target = st.targets[0]
                if (
                    not isinstance(target, ast.Name)
                    or target.id.startswith("_")
                    or target.id in FUNCTIONS
                ):
                    raise ExpressionError(f"line {st.lineno}: assign to a plain name, like e = a*b")
                number = _number(st.value)
                if number is not None and target.id not in assigned:
                    self.defaults[target.id] = number
                    self._leaf_statements.add(i)
                    self._leaf(target.id)
                else:
                    self._check_expr(st.value, assigned)
                assigned.add(target.id)
            elif isinstance(st, ast.Expr) and last:
                self._check_expr(st.value, assigned)
            else:
                raise ExpressionError(
                    f"line {st.lineno}: only assignments and one final expression"
                )

    def _leaf(self, name: str) -> None:
        if name not in self.names:
            self.names.append(name)

    def _check_expr(self, node: ast.AST, assigned: set[str]) -> None:
        if _number(node) is not None:
            return
        if isinstance(node, ast.Name):
            if node.id.startswith("_") or node.id in FUNCTIONS:
                raise ExpressionError(f"{node.id!r} is not allowed as a name")
            if node.id not in assigned:
                self._leaf(node.id)
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            self._check_expr(node.left, assigned)
            if isinstance(node.op, ast.Pow):
                if _number(node.right) is None:
                    raise ExpressionError("** needs a number exponent, like x**2")
            else:
                self._check_expr(node.right, assigned)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            self._check_expr(node.operand, assigned)
        elif isinstance(node, ast.Call):
            self._check_expr(_call_argument(node), assigned)
        else:
            raise ExpressionError(f"{_snippet(node)!r} is not allowed: {_ALLOWED}")

    # ---- computing
    def build(self, values: dict[str, float] | None = None) -> Built:
        """Compute the expression; ``values`` overrides leaf numbers (missing ones: 1.0)."""
        values = values or {}
        leaves = {
            n: Value(float(values.get(n, self.defaults.get(n, 1.0))), label=n) for n in self.names
        }
        env: dict[str, Value] = dict(leaves)
        root: Value | None = None
        try:
            for i, st in enumerate(self.statements):
                if i in self._leaf_statements:  # a = 2.0: the leaf itself
                    root = env[st.targets[0].id] = leaves[st.targets[0].id]
                elif isinstance(st, ast.Assign):
                    root = self._value(st.value, env)
                    if not isinstance(st.value, ast.Name):  # e = a*b names a new node
                        root.label = st.targets[0].id
                    env[st.targets[0].id] = root
                else:
                    root = self._value(st.value, env)
        except (ZeroDivisionError, OverflowError, ValueError) as exc:
            if isinstance(exc, ExpressionError):
                raise
            raise ComputeError(f"Cannot compute it: {exc}.") from None
        assert root is not None
        count = len(root.topo())
        if count > MAX_NODES:
            raise ExpressionError(f"the graph has {count} nodes; at most {MAX_NODES} are shown")
        return Built(root, leaves, count)

    def value_of(self, values: dict[str, float]) -> float:
        """The output's number for these leaf values (for the numerical check)."""
        return self.build(values).root.data

    def _value(self, node: ast.AST, env: dict[str, Value]) -> Value:
        number = _number(node)
        if number is not None:
            return Value(number, label=_fmt(number))
        if isinstance(node, ast.Name):
            return env[node.id]
        if isinstance(node, ast.BinOp):
            left = self._value(node.left, env)
            right = None if isinstance(node.op, ast.Pow) else self._value(node.right, env)
            out = _computed(node, left, right)
        elif isinstance(node, ast.UnaryOp):
            inner = self._value(node.operand, env)
            out = -inner if isinstance(node.op, ast.USub) else inner
            if out is inner:
                return out
        else:  # a whitelisted call
            out = _computed(node, self._value(_call_argument(node), env), None)
        out.label = _short(node)
        return out


_BINARY = {ast.Add: Value.__add__, ast.Sub: Value.__sub__, ast.Mult: Value.__mul__}
_BINARY[ast.Div] = Value.__truediv__


def _computed(node: ast.AST, a: Value, b: Value | None) -> Value:
    """One operation of a typed expression (``a op b``, ``a ** k`` or ``f(a)``); what
    cannot be computed raises :class:`ComputeError` saying so plainly."""
    what = _snippet(node)
    power = isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow)
    try:
        if power:
            out = a ** _number(node.right)
        elif isinstance(node, ast.BinOp):
            out = _BINARY[type(node.op)](a, b)
        else:
            out = getattr(a, _call_name(node))()
    except ZeroDivisionError:
        if power:
            why = "raises 0 to a negative power, which divides by 0"
        elif b is not None and not b._op and b.label == _fmt(b.data):
            why = "divides by 0"
        else:
            why = f"divides by {name_of(b)}, which is 0; give it another value"
        raise ComputeError(f"Division by zero: {what} {why}.") from None
    except OverflowError:
        raise ComputeError(
            f"Overflow: {what} is larger than the largest float (about 1.8e308)."
        ) from None
    except ValueError:  # log of a number <= 0
        raise ComputeError(
            f"Log of a number that is not positive: {what} is log({_fmt(a.data)}); "
            "log needs a number above 0."
        ) from None
    if isinstance(out.data, complex):
        raise ComputeError(
            f"Not a real number: {what} takes a fractional power of {_fmt(a.data)}, "
            "a negative number."
        )
    return out


_ALLOWED = "use numbers, names, + - * / ** and tanh exp log relu sigmoid"


def _number(node: ast.AST) -> float | None:
    """The number a node spells (``2``, ``-3.5``), or None."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _number(node.operand)
        if inner is not None:
            return -inner if isinstance(node.op, ast.USub) else inner
    return None


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id


def _call_argument(node: ast.Call) -> ast.AST:
    """``x.tanh()`` or ``tanh(x)``: the ``x``, after checking the call is whitelisted."""
    func = node.func
    if node.keywords:
        raise ExpressionError(f"{_snippet(node)!r}: no keyword arguments")
    if isinstance(func, ast.Attribute) and func.attr in FUNCTIONS and not node.args:
        return func.value
    if isinstance(func, ast.Name) and func.id in FUNCTIONS and len(node.args) == 1:
        return node.args[0]
    raise ExpressionError(f"{_snippet(node)!r} is not allowed: only {', '.join(FUNCTIONS)}")


def _snippet(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 40 else text[:37] + "..."


def _short(node: ast.AST) -> str:
    """A compact label for an inner node (``x1*w1``), or "" when too long to read."""
    text = ast.unparse(node).replace(" * ", "*").replace(" / ", "/").replace(" ** ", "**")
    return text if len(text) <= 14 else ""


def parse(text: str) -> Expression:
    """Check ``text`` (see :class:`Expression`); raises :class:`ExpressionError`."""
    return Expression(text)


# ----------------------------------------------------------------------------- a point's loss
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
    cross-entropy (``loss = log sum exp z - z[label]``), as in ``core/toy.py``.
    Leaves: ``x1..xn``, ``W1[i,j]``, ``b1[i]``, ...  Like :class:`Expression`: ``names``,
    ``defaults``, ``build(values)``; the built graph's ``groups`` name each node's neuron.

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
        return Built(root, leaves, len(root.topo()), groups)

    def _features(self, leaves: dict[str, Value]) -> list[Value]:
        """The plane point rescaled (``u1 = (x1 - cx) * fx``) and its features, as nodes."""
        u: dict[str, Value] = {}
        for j, name in enumerate(("x1", "x2")):
            if name not in leaves:
                continue
            c, f = self.plane[0][j], self.plane[1][j]
            v = leaves[name]
            if c != 0.0:
                v = v - Value(c, label=_fmt(c))
                v.label = f"{name}−{_fmt(c)}"
            if f != 1.0:
                v = v * Value(f, label=_fmt(f))
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


# ---- the built-in expressions of the Backprop tab
EXAMPLES: dict[str, str] = {
    "L = (a*b + c) * f  (lecture 1)": (
        "a = 2.0; b = -3.0; c = 10.0; f = -2.0\ne = a*b; d = e + c; L = d*f"
    ),
    "neuron: o = tanh(x1*w1 + x2*w2 + b)": (
        "x1 = 2.0; x2 = 0.0; w1 = -3.0; w2 = 1.0; b = 6.8813735870195432\n"
        "n = x1*w1 + x2*w2 + b; o = n.tanh()"
    ),
    "b = a + a  (a used twice)": "a = 3.0\nb = a + a",
    "f = (a*b) * (a+b)": "a = -2.0; b = 3.0\nd = a*b; e = a + b; f = d*e",
    "neuron with exp: tanh written out": (
        "x1 = 2.0; x2 = 0.0; w1 = -3.0; w2 = 1.0; b = 6.8813735870195432\n"
        "n = x1*w1 + x2*w2 + b; e = (2*n).exp(); o = (e - 1) / (e + 1)"
    ),
}


def chain(n: int, x: float = 0.5) -> Value:
    """``x * 1 * 1 ... + ...``: a deep chain of ``n`` operations (for tests of backward)."""
    v = Value(x, label="x")
    out = v
    for i in range(n):
        out = out * 1.0 if i % 2 else out + 0.0
    return out
