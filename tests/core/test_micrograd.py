"""micrograd's engine and nn (core/micrograd.py), and its demo (core/micrograd_demo.py):
the lecture's numbers, torch's gradients, the moons."""

from __future__ import annotations

import gc
import math
import random

import pytest

from playground.core import micrograd_demo as demo
from playground.core.expressions import EXAMPLES, parse
from playground.core.micrograd import MLP, Value, build_topo


def test_lecture_expression(lecture_graph):
    L, v = lecture_graph()
    L.backward()
    assert L.data == -8.0
    assert [v[k].grad for k in "abcf"] == [6.0, -4.0, -2.0, 4.0]


def test_lecture_neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    assert o.data == pytest.approx(0.7071, abs=1e-4)
    assert x1.grad == pytest.approx(-1.5)
    assert w1.grad == pytest.approx(1.0)
    assert x2.grad == pytest.approx(0.5)
    assert w2.grad == 0.0


def test_neuron_with_exp_equals_tanh():
    built = parse(EXAMPLES["neuron with exp: tanh written out"]).build()
    built.root.backward()
    assert built.root.data == pytest.approx(math.sqrt(0.5))
    assert built.leaves["x1"].grad == pytest.approx(-1.5)
    assert built.leaves["w1"].grad == pytest.approx(1.0)


def test_a_plus_a_accumulates():
    a = Value(3.0, label="a")
    b = a + a
    b.backward()
    assert a.grad == 2.0  # += : both uses count (with = only one would)
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0


def test_backward_twice_adds_up_as_in_micrograd(lecture_graph):
    """micrograd's backward neither zeroes the inner nodes nor the leaves: a second call
    without zero_grad adds a second pass on top of grads that are already there."""
    L, v = lecture_graph()
    L.backward()
    L.backward()
    # d.grad = -2 + -2, then e.grad = -2 + -4, so a.grad = 6 + (-3)(-6) = 24, and so on
    assert [v[k].grad for k in "abcf"] == [24.0, -16.0, -6.0, 8.0]


def test_all_operations_and_their_derivatives():
    x = Value(0.7)
    for f, df in [
        (lambda v: v.tanh(), lambda t: 1 - math.tanh(t) ** 2),
        (lambda v: v.exp(), math.exp),
        (lambda v: v.log(), lambda t: 1 / t),
        (lambda v: v.relu(), lambda t: 1.0),
        (lambda v: v.sigmoid(), lambda t: math.exp(-t) / (1 + math.exp(-t)) ** 2),
        (lambda v: v**3, lambda t: 3 * t**2),
        (lambda v: -v, lambda t: -1.0),
        (lambda v: 2 - v, lambda t: -1.0),
        (lambda v: 2 / v, lambda t: -2 / t**2),
        (lambda v: v / 2 + 1, lambda t: 0.5),
    ]:
        x.grad = 0.0
        f(x).backward()
        assert x.grad == pytest.approx(df(0.7))
    assert Value(-1.0).relu().data == 0.0
    with pytest.raises(ValueError):
        Value(0.0).log()
    with pytest.raises(AssertionError):
        Value(2.0) ** Value(2.0)  # as micrograd: number exponents only


def chain(n: int, x: float = 0.5) -> Value:
    """``x * 1 * 1 ... + ...``: a deep chain of ``n`` operations."""
    out = Value(x, label="x")
    for i in range(n):
        out = out * 1.0 if i % 2 else out + 0.0
    return out


def test_a_chain_of_5000_nodes():
    out = chain(5000)  # deeper than Python's recursion limit
    topo = build_topo(out)
    assert len(topo) == 5001 + 2500 + 2500  # x, 5,000 results, 5,000 constants
    out.backward()
    assert topo[0].label == "x" and topo[0].grad == 1.0


def lecture_topo(root: Value) -> list[Value]:
    """The lecture's recursive build_topo, verbatim."""
    topo, visited = [], set()

    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build_topo(child)
            topo.append(v)

    build_topo(root)
    return topo


@pytest.mark.parametrize("seed", range(4))
def test_build_topo_walks_as_the_lectures_recursion(seed):
    leaves = [Value(float(i)) for i in range(3)]
    out = random_expression(random.Random(seed), leaves, 6, "ours")
    assert build_topo(out) == lecture_topo(out)
    model = MLP(2, [3, 1], rng=random.Random(seed))
    loss = model([Value(1.0), Value(-1.0)]) + sum(p * p for p in model.parameters())
    assert build_topo(loss) == lecture_topo(loss)


def test_build_topo_puts_every_node_after_its_children_once():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    topo = build_topo(e)
    assert topo == [a, b, c, d, e]  # depth first, operands in order
    assert e._prev == (d, c) and (a + a)._prev == (a, a)


def test_gc_paused_leaves_the_collector_as_it_was_and_the_graph_to_one_pass():
    """micrograd's graphs are reference cycles (a _backward closure holds its node): with the
    collector paused for the step, its pass over the young generation as the pause ends
    frees the whole dropped graph."""

    def values() -> int:
        return sum(type(o) is Value for o in gc.get_objects())  # type(): no __class__ lookups

    model = MLP(2, [4, 1], rng=random.Random(0))
    gc.collect()
    before = values()  # the model's parameters (and any other test's)
    with demo.gc_paused():
        assert not gc.isenabled()
        loss = model([Value(0.5), Value(-1.0)]) * 2.0
        loss.backward()
        del loss
        assert values() > before  # the dropped graph, still there: cycles
    assert gc.isenabled()
    assert values() == before  # freed as the pause ended


def random_expression(rng: random.Random, leaves: list, depth: int, lib: str):
    """A random expression over ``leaves`` (ours or torch), the same for the same rng state."""
    if depth == 0:
        return leaves[rng.randrange(len(leaves))]
    kind = rng.choice(["+", "-", "*", "/", "tanh", "exp", "relu", "sigmoid", "pow", "log"])
    a = random_expression(rng, leaves, depth - 1, lib)
    if kind in "+-*/":
        b = random_expression(rng, leaves, depth - 1, lib)
        if kind == "/":
            return a / (b * b + 1.0)
        return {"+": a + b, "-": a - b, "*": a * b}[kind]
    if kind == "pow":
        return a**2 if rng.random() < 0.5 else (a * a + 0.5) ** -0.5
    if kind == "log":
        return (a * a + 1.0).log()
    if kind == "exp":
        return (a * 0.3).exp()
    if lib == "torch":
        import torch

        return getattr(torch, kind)(a)
    return getattr(a, kind)()


@pytest.mark.parametrize("seed", range(8))
def test_gradients_equal_torch_float64(seed):
    torch = pytest.importorskip("torch")
    values = random.Random(seed).sample(range(-20, 20), 4)
    ours = [Value(v / 7, label=f"x{i}") for i, v in enumerate(values)]
    theirs = [torch.tensor(v / 7, dtype=torch.float64, requires_grad=True) for v in values]
    out = random_expression(random.Random(100 + seed), ours, 5, "ours")
    ref = random_expression(random.Random(100 + seed), theirs, 5, "torch")
    out.backward()
    ref.backward()
    assert out.data == pytest.approx(ref.item(), rel=1e-12, abs=1e-12)
    for v, t in zip(ours, theirs, strict=True):
        expected = 0.0 if t.grad is None else t.grad.item()
        assert v.grad == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_mlp_api():
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337
    out = model([1.0, -2.0])
    assert isinstance(out, Value)
    out.backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())
    assert "ReluNeuron(2)" in repr(model) and "LinearNeuron(16)" in repr(model)
    with pytest.raises(ValueError):
        MLP(2, [1], activation="swish")


def test_moons_demo_reaches_100_percent():
    X, y = demo.make_moons(100, noise=0.1, seed=1337)
    assert len(X) == 100 and sorted(set(y)) == [-1, 1]
    model = MLP(2, [16, 16, 1], rng=random.Random(1337))
    losses = [demo.demo_step(model, X, y, k)[0] for k in range(100)]
    final, acc = demo.demo_loss(model, X, y)
    assert acc == 1.0
    assert final.data < losses[0] / 5


def test_demo_learning_rate_and_schedule():
    assert demo.demo_lr(0, 100) == 1.0 and demo.demo_lr(50, 100) == pytest.approx(0.55)
    assert demo.demo_lr(50, 100, lr=2.0) == pytest.approx(1.1)
    assert demo.demo_lr(99, 100, 0.3, "constant") == 0.3
    with pytest.raises(ValueError, match="schedule"):
        demo.demo_lr(0, 10, 1.0, "cosine")
    X, y = demo.make_moons(20, noise=0.1, seed=1)
    small = MLP(2, [4, 1], rng=random.Random(1))
    w0 = [p.data for p in small.parameters()]
    _, _ = demo.demo_step(small, X, y, 0, 10, lr=0.5, schedule="constant")
    grads = [p.grad for p in small.parameters()]
    moved = [p.data for p in small.parameters()]
    assert moved == pytest.approx([w - 0.5 * g for w, g in zip(w0, grads, strict=True)])


def test_gc_paused_restores_the_collector():
    was = gc.isenabled()
    try:
        for start in (True, False):
            (gc.enable if start else gc.disable)()
            with demo.gc_paused():
                assert not gc.isenabled()
            assert gc.isenabled() is start
        gc.enable()
        with pytest.raises(RuntimeError), demo.gc_paused():
            raise RuntimeError
        assert gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


def test_weights_are_plain_copies_per_layer():
    model = MLP(2, [3, 1], rng=random.Random(0))
    (W1, b1), (W2, b2) = demo.weights(model)
    assert [len(W1), len(W1[0]), len(b1), len(W2), len(W2[0]), len(b2)] == [3, 2, 3, 1, 3, 1]
    assert W1[2][1] == model.layers[0].neurons[2].w[1].data and b2 == [0.0]
