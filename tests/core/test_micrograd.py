"""The scalar engine of the Backprop tab: the lecture's numbers, torch's gradients, the demo."""

from __future__ import annotations

import gc
import math
import random

import pytest

from playground.core import micrograd as mg
from playground.core.micrograd import MLP, BackwardStepper, ExpressionError, Value, parse


def lecture_graph() -> tuple[Value, dict[str, Value]]:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    d = e + c
    L = d * f
    return L, {"a": a, "b": b, "c": c, "f": f}


def test_lecture_expression():
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
    built = parse(mg.EXAMPLES["neuron with exp: tanh written out"]).build()
    built.root.backward()
    assert built.root.data == pytest.approx(math.sqrt(0.5))
    assert built.leaves["x1"].grad == pytest.approx(-1.5)
    assert built.leaves["w1"].grad == pytest.approx(1.0)


def test_a_plus_a_accumulates_and_the_bug_does_not():
    a = Value(3.0, label="a")
    b = a + a
    b.backward()
    assert a.grad == 2.0
    a.grad = 0.0
    b.backward(accumulate=False)
    assert a.grad == 1.0  # the = bug keeps only one of the two uses
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0


def test_backward_twice_doubles_the_leaves():
    L, v = lecture_graph()
    L.backward()
    L.backward()
    assert [v[k].grad for k in "abcf"] == [12.0, -8.0, -4.0, 8.0]


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


def test_a_chain_of_5000_nodes():
    out = mg.chain(5000)
    assert len(out.topo()) == 5001 + 2500 + 2500  # x, 5,000 results, 5,000 constants
    out.backward()
    x = out.topo()[0]
    assert x.label == "x" and x.grad == 1.0


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
    X, y = mg.make_moons(100, noise=0.1, seed=1337)
    assert len(X) == 100 and sorted(set(y)) == [-1, 1]
    model = MLP(2, [16, 16, 1], rng=random.Random(1337))
    losses = []
    was_enabled = gc.isenabled()
    gc.disable()  # our graphs hold no cycles: the collector would only walk them (3x slower)
    try:
        for k in range(100):
            loss, _ = mg.demo_step(model, X, y, k)
            losses.append(loss)
    finally:
        if was_enabled:
            gc.enable()
    final, acc = mg.demo_loss(model, X, y)
    assert acc == 1.0
    assert final.data < losses[0] / 5


def test_demo_learning_rate_and_schedule():
    assert mg.demo_lr(0, 100) == 1.0 and mg.demo_lr(50, 100) == pytest.approx(0.55)
    assert mg.demo_lr(50, 100, lr=2.0) == pytest.approx(1.1)
    assert mg.demo_lr(99, 100, 0.3, "constant") == 0.3
    with pytest.raises(ValueError, match="schedule"):
        mg.demo_lr(0, 10, 1.0, "cosine")
    X, y = mg.make_moons(20, noise=0.1, seed=1)
    small = MLP(2, [4, 1], rng=random.Random(1))
    w0 = [p.data for p in small.parameters()]
    _, _ = mg.demo_step(small, X, y, 0, 10, lr=0.5, schedule="constant")
    grads = [p.grad for p in small.parameters()]
    moved = [p.data for p in small.parameters()]
    assert moved == pytest.approx([w - 0.5 * g for w, g in zip(w0, grads, strict=True)])


def test_stepper_writes_the_chain_rule():
    built = parse(mg.EXAMPLES["neuron: o = tanh(x1*w1 + x2*w2 + b)"]).build()
    stepper = BackwardStepper(built.root)
    first = stepper.step()
    assert first.node is built.root and built.root.grad == 1.0
    sentences = [t.sentence for s in stepper.run() for t in s.terms]
    assert "grad(x1) += grad(x1*w1) * w1 = 0.5 * -3 = -1.5" in sentences
    assert stepper.done and stepper.step() is None
    # the same grads as backward()
    grads = {k: v.grad for k, v in built.leaves.items()}
    again = parse(mg.EXAMPLES["neuron: o = tanh(x1*w1 + x2*w2 + b)"]).build()
    again.root.backward()
    assert grads == {k: v.grad for k, v in again.leaves.items()}


def test_stepper_bug_mode_overwrites():
    built = parse("a = 3.0\nb = a + a").build()
    steps = BackwardStepper(built.root, accumulate=False).run()
    assert built.leaves["a"].grad == 1.0
    assert steps[-1].terms[-1].sentence.startswith("grad(a) = grad(b) * 1")


def test_numerical_check_flags_the_bug():
    expr = parse(mg.EXAMPLES["f = (a*b) * (a+b)"])
    values = dict(expr.defaults)
    numeric = mg.numerical_grads(expr.value_of, values, h=1e-6)
    right = expr.build(values)
    right.root.backward()
    wrong = expr.build(values)
    wrong.root.backward(accumulate=False)
    for name in values:
        assert right.leaves[name].grad == pytest.approx(numeric[name], abs=1e-4)
    assert any(abs(wrong.leaves[n].grad - numeric[n]) > 1e-2 for n in values)


def test_trace_describes_nodes_and_edges():
    L, _ = lecture_graph()
    L.backward()
    nodes = mg.trace(L)
    assert len(nodes) == 7 and nodes[-1].data == -8.0 and nodes[-1].op == "*"
    leaves = {n.label: n for n in nodes if not n.children}
    assert leaves["a"].grad == 6.0
    assert len(mg.edges(nodes)) == 6
    twice = mg.trace(parse("a = 1; b = a + a").build().root)
    assert len(mg.edges(twice)) == 2  # a is used twice


def test_parser_builds_the_lecture_with_labels():
    expr = parse(mg.EXAMPLES["L = (a*b + c) * f  (lecture 1)"])
    assert expr.names == ["a", "b", "c", "f"]
    built = expr.build()
    built.root.backward()
    assert built.root.label == "L" and built.root.data == -8.0
    assert {k: v.grad for k, v in built.leaves.items()} == {"a": 6, "b": -4, "c": -2, "f": 4}
    typed = parse("(a*b + c).tanh()").build({"a": 0.5, "b": -1.0, "c": 0.25})
    assert typed.root.data == pytest.approx(math.tanh(-0.25))
    assert parse("tanh(x) + exp(y) - log(z) / relu(w) ** 2 + sigmoid(-v)").names == list("xyzwv")
    assert parse("x").build({"x": 2.0}).root.data == 2.0  # missing values default to 1


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "__import__('os').system('true')",
        "a.__class__",
        "a.__class__.__bases__",
        "a.tanh.__self__",
        "a.real",
        "a.data",
        "open('x')",
        "eval('1')",
        "exec('1')",
        "lambda: 1",
        "[1, 2]",
        "a if b else c",
        "a ** b",
        "a.tanh(1)",
        "tanh(x, y)",
        "import os",
        "a[0]",
        "a == b",
        "'text'",
        "f'{a}'",
        "_x + 1",
        "a = b = c",
        "def f(): pass",
        "exp = 3",
        "a += 1",
        "True + a",
        "1j * a",
        "",
        "a * (b",
        "x" + " + x" * 3000,
    ],
)
def test_parser_rejects_anything_else(text):
    with pytest.raises(ExpressionError) as caught:
        parse(text).build()
    assert not isinstance(caught.value, mg.ComputeError)  # not allowed, not a number problem


@pytest.mark.parametrize(
    "text, values, message",
    [
        ("a = 0.0\nb = 1 / a", {}, "Division by zero: 1 / a divides by a, which is 0"),
        ("a = 1.0; b = 0.0; c = a/b", {}, "Division by zero: a / b divides by b, which is 0"),
        ("a = 2.0; a / 0", {}, "Division by zero: a / 0 divides by 0."),
        ("x = 0.0; x**-1", {}, "Division by zero: x ** (-1) raises 0 to a negative power"),
        ("log(a)", {"a": -1.0}, "Log of a number that is not positive: log(a) is log(-1)"),
        ("x = 800.0; x.exp()", {}, "Overflow: x.exp() is larger than the largest float"),
        ("x = 10.0; x**400", {}, "Overflow: x ** 400 is larger than the largest float"),
        ("x = -8.0; x**0.5", {}, "Not a real number: x ** 0.5 takes a fractional power of -8"),
    ],
)
def test_what_cannot_be_computed_is_said_plainly(text, values, message):
    with pytest.raises(mg.ComputeError) as caught:
        parse(text).build(values)
    assert str(caught.value).startswith(message)
    assert "cannot compute it" not in str(caught.value)


def test_an_overflow_that_python_allows_is_inf_not_an_error():
    built = parse("x = 1e308; y = x*x*x").build()
    assert built.root.data == math.inf  # the tab names it (a float holds at most ~1.8e308)


@pytest.mark.parametrize(
    "hidden, n_out, activation, label",
    [
        ((), 1, "tanh", 1),
        ((), 1, "relu", 0),
        ((4,), 1, "tanh", 0),
        ((4, 4), 1, "relu", 1),
        ((4, 4), 3, "sigmoid", 2),
        ((4,), 3, "linear", 0),
    ],
)
def test_point_loss_equals_torch(hidden, n_out, activation, label):
    torch = pytest.importorskip("torch")
    rng = random.Random(len(hidden) * 10 + n_out)
    sizes = [2, *hidden, n_out]
    u = rng.uniform
    weights = [
        ([[u(-1, 1) for _ in range(a)] for _ in range(b)], [u(-1, 1) for _ in range(b)])
        for a, b in zip(sizes, sizes[1:], strict=False)
    ]
    x = [0.7, -1.3]
    problem = mg.PointLoss(weights, x, label, activation)
    built = problem.build()
    built.root.backward()
    f64 = torch.float64
    params = [
        (
            torch.tensor(W, dtype=f64, requires_grad=True),
            torch.tensor(b, dtype=f64, requires_grad=True),
        )
        for W, b in weights
    ]
    h = torch.tensor(x, dtype=torch.float64)
    act = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}.get(activation)
    for i, (W, b) in enumerate(params):
        h = W @ h + b
        if i < len(params) - 1 and act is not None:
            h = act(h)
    if n_out == 1:
        target = torch.tensor([float(label)], dtype=torch.float64)
        ref = torch.nn.functional.binary_cross_entropy_with_logits(h, target)
    else:
        ref = torch.nn.functional.cross_entropy(h[None], torch.tensor([label]))
    ref.backward()
    assert built.root.data == pytest.approx(ref.item(), abs=1e-9)
    for l, (W, b) in enumerate(params, start=1):
        for i in range(W.shape[0]):
            assert built.leaves[f"b{l}[{i}]"].grad == pytest.approx(b.grad[i].item(), abs=1e-6)
            for j in range(W.shape[1]):
                got = built.leaves[f"W{l}[{i},{j}]"].grad
                assert got == pytest.approx(W.grad[i, j].item(), abs=1e-6)
    new = problem.stepped(built, lr=0.5)
    assert new[0][1][0] == pytest.approx(weights[0][1][0] - 0.5 * params[0][1].grad[0].item())
    assert set(built.groups.values()) >= {f"z{len(sizes) - 1}[0]"}


def test_point_loss_rejects_bad_shapes():
    with pytest.raises(ValueError):
        mg.PointLoss([([[1.0, 2.0]], [0.0, 1.0])], [1.0, 2.0], 1)
    with pytest.raises(ValueError):
        mg.PointLoss([([[1.0]], [0.0])], [1.0, 2.0], 1)
    with pytest.raises(ValueError):
        mg.PointLoss([([[1.0, 2.0]], [0.0])], [1.0, 2.0], 2)


@pytest.mark.parametrize(
    "hidden, features",
    [((), ("x1", "x2")), ((3,), ("x1", "x2", "x1^2", "x1*x2", "sin x2")), ((), ("x2",))],
)
def test_a_plane_point_is_rescaled_in_the_graph_as_the_boundary_network_does(hidden, features):
    """The Decision boundary's fruit plane (0..10, rescaled to -6..6): the graph starts from
    the point as the plane shows it; its loss and grads are the toy network's."""
    torch = pytest.importorskip("torch")
    from playground.core import toy

    ext = toy.extent("fruit")
    model = toy.ToyModel(toy.ToyConfig(hidden=hidden, features=features, extent=ext, seed=3))
    weights = [(W.tolist(), b.tolist()) for W, b in model.weights()]
    point, label = (1.84, 8.6), 1
    scaling = toy.input_scaling(ext)
    problem = mg.PointLoss(weights, point, label, "tanh", features, plane=scaling)
    used = [n for n in ("x1", "x2") if n in "".join(features)]
    assert problem.scaled() and problem.inputs == used  # the coordinates the features use
    coords = dict(zip(("x1", "x2"), point, strict=True))
    assert [problem.defaults[n] for n in used] == [coords[n] for n in used]
    built = problem.build()
    built.root.backward()
    X = torch.tensor([point], dtype=torch.float32)
    logits = model(model.inputs(X))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits[:, 0], torch.ones(1))
    loss.backward()
    assert built.root.data == pytest.approx(loss.item(), abs=1e-5)
    W1 = model.layers[0][0].grad.T.numpy()  # (out, in), as the weights are listed
    assert built.leaves["W1[0,0]"].grad == pytest.approx(float(W1[0, 0]), abs=1e-5)
    labels = {n.label for n in mg.trace(built.root)}
    assert {"x1−5", "u1"} <= labels or "x1" not in problem.inputs  # the rescaling, as nodes
    # a single neuron on x1, x2: the plane's own equation (what toy's line() draws)
    line = problem.plane_equation()
    if hidden == () and features == ("x1", "x2"):
        assert line == pytest.approx(model.line(), abs=1e-5)
        assert line[0] == pytest.approx(weights[0][0][0][0] * 1.2)  # W1[0,0] x the factor
    else:
        assert line is None
    again = problem.with_weights(problem.stepped(built, 0.1))
    assert again.point == problem.point and again.names == problem.names


def test_a_point_on_a_plain_plane_needs_no_rescaling():
    problem = mg.PointLoss([([[1.0, 2.0]], [0.5])], [0.4, -0.3], 0, plane=((0, 0), (1, 1)))
    assert not problem.scaled()
    labels = [n.label for n in mg.trace(problem.build().root)]
    assert "u1" not in labels and "x1" in labels and "1" in labels  # 1 - p: its 1 named
