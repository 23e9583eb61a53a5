"""One point's loss as a micrograd graph (core/point_loss.py): torch's loss and grads, the
Decision boundary's plane rescaled in nodes."""

from __future__ import annotations

import random

import pytest

from playground.core.backprop_steps import trace
from playground.core.point_loss import PointLoss


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
    problem = PointLoss(weights, x, label, activation)
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
        PointLoss([([[1.0, 2.0]], [0.0, 1.0])], [1.0, 2.0], 1)
    with pytest.raises(ValueError):
        PointLoss([([[1.0]], [0.0])], [1.0, 2.0], 1)
    with pytest.raises(ValueError):
        PointLoss([([[1.0, 2.0]], [0.0])], [1.0, 2.0], 2)


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
    problem = PointLoss(weights, point, label, "tanh", features, plane=scaling)
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
    labels = {n.label for n in trace(built.root)}
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
    problem = PointLoss([([[1.0, 2.0]], [0.5])], [0.4, -0.3], 0, plane=((0, 0), (1, 1)))
    assert not problem.scaled()
    labels = [n.label for n in trace(problem.build().root)]
    assert "u1" not in labels and "x1" in labels and "1" in labels  # 1 - p: its 1 named
